"""tests/vectors/fit.json, read here as in Rust and Node: training on its table gives the
recorded model to the bit, and each mistake the recorded error (Node must give the same code
and message word for word, tests/node/fit.test.js)."""

import json

import numpy as np
import pandas as pd
import pytest

import nps
from conftest import ROOT

V = json.loads((ROOT / "tests" / "vectors" / "fit.json").read_text())


def _table() -> pd.DataFrame:
    t = V["table"]
    return pd.DataFrame({"tenure": np.array(t["tenure"], dtype=float), "charges": t["charges"],
                         "plan": pd.Series(t["plan"], dtype=object), "paperless": t["paperless"]})


def test_logistic_and_boosted_fits_are_the_recorded_models():
    X, y = _table(), np.array(V["y"])
    assert nps.encode.infer_kinds(X) == V["kinds"]
    logistic = nps.ChurnModel(**V["logistic"]["options"]).fit(X, y)
    assert logistic.coef_[0].tolist() == V["logistic"]["coef"]
    assert logistic.intercept_[0] == V["logistic"]["intercept"]
    assert logistic.predict_proba(X)[:, 1].tolist() == V["logistic"]["probability"]
    boosted = nps.BoostedChurnModel(**V["boosted"]["python"]).fit(X, y)
    assert boosted.predict_proba(X)[:, 1].tolist() == V["boosted"]["probability"]


@pytest.mark.parametrize("m", V["mistakes"], ids=lambda m: m["message"][:40])
def test_each_mistake_gives_the_recorded_error(m):
    with pytest.raises(nps.NpsError) as e:
        getattr(nps, m["model"])(**m["python"]).fit(_table(), np.array(V["y"]), sample_weight=m["python_sample_weight"])
    assert (e.value.code, str(e.value)) == (m["code"], m["message"])
