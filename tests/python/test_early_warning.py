"""NPS and churn from Python: the shared scipy vectors and bad input."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import nps

VECTORS = json.loads((Path(__file__).parents[1] / "vectors" / "churn_link.json").read_text())


def close(actual, expected):
    if expected is None:
        assert np.isnan(actual) or np.isinf(actual)
    else:
        assert actual == pytest.approx(expected, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("case", VECTORS["cases"], ids=lambda c: c["name"])
def test_churn_by_nps_matches_scipy(case):
    r = nps.churn_by_nps(np.array(case["scores"]), np.array(case["churned"], dtype=bool), level=case["level"])
    e = case["expected"]
    for name in ("detractors", "passives", "promoters"):
        got, want = getattr(r, name), e[name]
        assert (got["customers"], got["churned"]) == (want["customers"], want["churned"])
        for k in ("rate", "low", "high"):
            close(got[k], want[k])
    for got, want in zip(r.by_score, e["by_score"]):
        assert got["customers"] == want["customers"]
        for k in ("rate", "low", "high"):
            close(got[k], want[k])
    close(r.relative_risk, e["relative_risk"])
    close(r.relative_risk_interval[0], e["relative_risk_low"])
    close(r.relative_risk_interval[1], e["relative_risk_high"])
    close(r.chi_square, e["chi_square"]["statistic"])
    close(r.p_value, e["chi_square"]["p_value"])
    assert r.chi_square_df == e["chi_square"]["df"]
    red = r.reduction(0.25)
    close(red["churners_avoided"], e["reduction_25"]["churners_avoided"])
    close(red["churn_rate_after"], e["reduction_25"]["churn_rate_after"])


def test_accepts_pandas_and_lists_and_rejects_bad_input():
    s = pd.Series([0, 10, 9, 3])
    r = nps.churn_by_nps(s, pd.Series([True, False, False, True]))
    assert r.detractors["rate"] == 1.0 and r.promoters["rate"] == 0.0
    assert nps.churn_by_nps([0, 10, 9, 3], [1, 0, 0, 1]).relative_risk == r.relative_risk
    with pytest.raises(nps.NpsError, match=r"scores\[1\] = 11 is outside the scale 0..=10"):
        nps.churn_by_nps([1, 11], [0, 1])
    with pytest.raises(nps.NpsError, match=r"scores\[0\] is missing"):
        nps.churn_by_nps([np.nan], [0])
    with pytest.raises(nps.NpsError, match="churned has 1 elements but scores has 2"):
        nps.churn_by_nps([1, 2], [0])
    with pytest.raises(nps.NpsError, match=r"churned\[1\] = 2 is not 0 or 1"):
        nps.churn_by_nps([1, 2], [0, 2])
    with pytest.raises(ValueError, match="share"):
        r.reduction(2.0)


def test_detractors_churn_more_on_the_synthetic_base():
    b = nps.synth.generate(customers=6_000, seed=2)
    answered = b.labels.loc[b.surveys["customer"]]
    r = nps.churn_by_nps(answered["true_score"], answered["churned"])
    assert r.relative_risk_interval[0] > 1.5
    assert r.p_value < 1e-6
