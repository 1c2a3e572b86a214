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
    # An unknown name: the same code as ChurnModel's class_weight and Node's (the core's FromStr).
    ("UNKNOWN_VALUE", lambda: nps.BoostedChurnModel(class_weight="heavy").fit(np.ones((4, 1)), [0, 1, 0, 1])),
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


def test_numpy_scalars_are_the_numbers_and_bools_they_hold():
    # Values read from arrays and frames are numpy scalars; every argument takes them.
    f64, i64, b = np.float64, np.int64, np.bool_
    t = nps.Tally.from_scores([9, 10, 3, 7])
    assert t.interval(level=f64(0.9)) == t.interval(level=0.9)
    assert nps.Scale(i64(0), i64(6), i64(8), i64(10)) == nps.Scale()
    assert nps.sample_size(f64(5.0), level=np.float32(0.95)) == nps.sample_size(5)
    assert nps.compare(t, t, level=f64(0.9)).p_value == nps.compare(t, t, level=0.9).p_value
    y, p = np.array([0, 1, 0, 1, 1]), np.array([0.1, 0.7, 0.4, 0.8, 0.3])
    assert nps.metrics.threshold_metrics(y, p, f64(0.5)) == nps.metrics.threshold_metrics(y, p, 0.5)
    assert nps.metrics.lift_table(y, p, i64(2)).equals(nps.metrics.lift_table(y, p, 2))
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=60), "b": rng.normal(size=60)})
    yy = (X["a"] + rng.normal(size=60) > 0).astype(int)
    m = nps.ChurnModel(C=f64(1.0), fit_intercept=b(True), max_iter=i64(50)).fit(X, yy)
    assert np.array_equal(m.churn_probability(X), nps.ChurnModel().fit(X, yy).churn_probability(X))
    assert m.explain(X.iloc[:2], top=i64(1)).equals(m.explain(X.iloc[:2], top=1))
    cv = nps.cross_validate(nps.ChurnModel(), X, yy, k=i64(3), seed=i64(1))
    assert np.array_equal(np.asarray(cv), np.asarray(nps.cross_validate(nps.ChurnModel(), X, yy, k=3, seed=1)))
    h = nps.features.CustomerHistory()
    h.push(i64(1_000), "subscription_start")
    h.push(f64(2_000.5), "survey_answer", value=i64(7), flag=b(True))
    assert len(h) == 2
    assert nps.predicted_nps(np.full((3, 3), 1 / 3), trained_on=i64(100), level=f64(0.9))["n"] == 3
    assert nps.breakdown([9, 3], ["a", "b"], level=f64(0.9)).equals(nps.breakdown([9, 3], ["a", "b"], level=0.9))


def _fitted_churn_model():
    rng = np.random.default_rng(3)
    X = pd.DataFrame({"a": rng.normal(size=60), "b": rng.normal(size=60)})
    return nps.ChurnModel().fit(X, (X["a"] + rng.normal(size=60) > 0).astype(int)), X


WHOLE = [
    ("top", lambda: _fitted_churn_model()[0].explain(_fitted_churn_model()[1], top=2.5)),
    ("max_iter", lambda: nps.ChurnModel(max_iter=100.5).fit(*_fitted_churn_model()[1:], [0, 1] * 30)),
    ("k", lambda: nps.cross_validate(nps.ChurnModel(), np.ones((8, 1)), [0, 1] * 4, k=2.5)),
    ("seed", lambda: nps.cross_validate(nps.ChurnModel(), np.ones((8, 1)), [0, 1] * 4, k=2, seed=0.5)),
    ("periods", lambda: nps.value.discounted_periods(12.5, 0.01)),
    ("periods", lambda: nps.value.ShiftedBetaGeometric.from_params(0.7, 1.2).survival(3.5)),
    ("trained_on", lambda: nps.predicted_nps(np.full((3, 3), 1 / 3), trained_on=10.7)),
    ("calibration_periods", lambda: nps.monitor.retrain_policy(calibration_periods=1.5)),
    ("top", lambda: nps.plot.waterfall(*_fitted_churn_model(), customer=0, top=0.5)),
]


@pytest.mark.parametrize("name, call", WHOLE, ids=[f"{n}-{i}" for i, (n, _) in enumerate(WHOLE)])
def test_counts_with_a_fraction_are_refused_not_truncated(name, call):
    # int() would make 2.5 into 2 without a word; the package says which number it refused.
    with pytest.raises(nps.NpsError, match=rf"{name} must be a whole number") as e:
        call()
    assert e.value.code == "INVALID_PARAMETER"


def test_whole_numbers_in_any_numeric_type_are_taken():
    from nps._checks import whole

    assert [whole(v, "n") for v in (3, np.int64(3), 3.0, np.float32(3.0), True)] == [3, 3, 3, 3, 1]
    with pytest.raises(nps.NpsError, match="n must be at least 1, got 0"):
        whole(0, "n", minimum=1)
    with pytest.raises(nps.NpsError, match="n must be a whole number, got 'three'"):
        whole("three", "n")
