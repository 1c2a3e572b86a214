"""Every NpsError raised in Python carries its code (the core's codes, as Node's err.code),
whether the core or the Python layer raised it."""

import ast
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import nps
from nps._errors import CODES

PACKAGE = Path(nps.__file__).parent


def test_the_python_layer_raises_no_nps_error_without_a_code():
    # Raising NpsError(...) directly would leave e.code unset: every raise goes through
    # nps._errors.error(code, message) or not_fitted(message).
    bare = []
    for path in sorted(PACKAGE.glob("*.py")):
        if path.name == "_errors.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call):
                f = node.func
                name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", None)
                if name == "NpsError":
                    bare.append(f"{path.name}:{node.lineno}")
                if name == "error" and node.args and isinstance(node.args[0], ast.Constant):
                    assert node.args[0].value in CODES, f"{path.name}:{node.lineno} {node.args[0].value}"
    assert bare == []


CASES = [
    ("MISSING_VALUE", lambda: nps.breakdown([9, 3], ["a", None])),
    ("LENGTH_MISMATCH", lambda: nps.breakdown([9, 3], ["a"])),
    ("OUT_OF_RANGE", lambda: nps.Tally.from_scores([9, 11])),
    ("NON_INTEGER", lambda: nps.Tally.from_scores([6.5])),
    ("EMPTY", lambda: nps.Tally.from_scores([])),
    ("UNKNOWN_VALUE", lambda: nps.trend([9], ["2026-01-01"], period="fortnight")),
    ("INVALID_PARAMETER", lambda: nps.trend([9], [True])),
    ("MISSING_VALUE", lambda: nps.ChurnModel().fit(np.ones((3, 1)), [0, 1, np.nan])),
    ("LENGTH_MISMATCH", lambda: nps.ChurnModel().fit(np.ones((3, 1)), [0, 1])),
    ("INVALID_PARAMETER", lambda: nps.ChurnModel().fit(np.ones((3, 1)), [0, 1, 2])),
    ("UNKNOWN_VALUE", lambda: nps.TableEncoder(kinds={"nope": "numeric"}).fit(pd.DataFrame({"a": [1.0]}))),
    ("NOT_FITTED", lambda: nps.TableEncoder().transform(pd.DataFrame({"a": [1.0]}))),
    ("NOT_FITTED", lambda: nps.LtrModel().predict_proba(np.ones((1, 2)))),
    ("INVALID_PARAMETER", lambda: nps.predicted_nps(np.ones(3))),
    ("INVALID_PARAMETER", lambda: nps.features.retention(pd.DataFrame({"customer": ["c"]}), as_of="2026-01-01")),
    ("INVALID_PARAMETER", lambda: nps.BoostedChurnModel(class_weight="heavy").fit(np.ones((4, 1)), [0, 1, 0, 1])),
    ("UNKNOWN_VALUE", lambda: nps.cross_validate(nps.ChurnModel(), np.ones((4, 1)), [0, 1, 0, 1], metric="auc")),
]


@pytest.mark.parametrize("code, call", CASES, ids=[f"{c}-{i}" for i, (c, _) in enumerate(CASES)])
def test_errors_carry_their_code(code, call):
    with pytest.raises(nps.NpsError) as e:
        call()
    assert e.value.code == code, str(e.value)


def test_not_fitted_is_scikit_learns_not_fitted_error_too():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError, match="not fitted yet: call fit first"):
        nps.ChurnModel().predict_proba(np.ones((1, 2)))
