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


LEAKS = ["last_nps", "last_nps_category", "days_since_last_nps", "interaction_quality_90d", "worst_interaction_90d",
         "last_interaction"]


@pytest.mark.parametrize("case", json.loads((Path(__file__).parents[1] / "vectors" / "multinomial.json").read_text())["cases"],
                         ids=lambda c: c["name"])
def test_ltr_model_matches_scikit_learn_multinomial(case):
    # Map the three classes to answers 0 (detractor), 7 (passive), 9 (promoter).
    scores = np.array([0, 7, 9])[np.array(case["y"])]
    m = nps.LtrModel(C=case["c"], tol=1e-12, standardize=False).fit(np.array(case["x"]), scores,
                                                                    sample_weight=case["sample_weight"])
    np.testing.assert_allclose(m.predict_proba(np.array(case["x"][:10])), case["proba"], atol=1e-8)


def test_predicted_nps_of_non_respondents_and_the_blend():
    covered = 0
    for seed in range(1, 6):
        b = nps.synth.generate(customers=5_000, seed=seed)
        f = nps.features.retention(b.events, as_of=b.as_of).drop(columns=LEAKS)
        answers = b.surveys.set_index("customer")["score"]
        m = nps.LtrModel().fit(f.loc[answers.index], answers)
        silent = f.index.difference(answers.index)
        p = m.predicted_nps(f.loc[silent])
        ts = b.labels.loc[silent, "true_score"]
        truth = 100 * ((ts >= 9).mean() - (ts <= 6).mean())
        covered += p["low"] <= truth <= p["high"]
        proba = m.predict_proba(f)
        assert proba.shape == (len(f), 3) and np.allclose(proba.sum(axis=1), 1)
        assert set(m.predict(f.iloc[:50])) <= {"detractor", "passive", "promoter"}
        blend = nps.predicted_nps(proba, trained_on=len(answers), answers=answers.reindex(f.index).to_numpy(float))
        assert blend["n"] == len(f) and blend["se"] < p["se"]
    assert covered >= 4, covered


def test_ltr_model_file_and_errors(tmp_path):
    b = nps.synth.generate(customers=2_000, seed=3)
    f = nps.features.retention(b.events, as_of=b.as_of).drop(columns=LEAKS)
    answers = b.surveys.set_index("customer")["score"]
    m = nps.LtrModel().fit(f.loc[answers.index], answers)
    m.save(tmp_path / "ltr.json")
    again = nps.LtrModel.load(tmp_path / "ltr.json")
    np.testing.assert_array_equal(again.predict_proba(f), m.predict_proba(f))
    with pytest.raises(nps.NpsError, match=r"scores\[1\] = 11 is outside the scale"):
        nps.LtrModel().fit(np.array([[0.0], [1.0], [2.0]]), [0, 11, 9])
    with pytest.raises(nps.NpsError, match="no row of class"):
        nps.LtrModel().fit(np.array([[0.0], [1.0], [2.0]]), [0, 1, 2])
    with pytest.raises(nps.NpsError, match="format"):
        nps.LtrModel.from_json(m.to_json().replace("nps.ltr_model", "nps.churn_model"))


def test_ltr_evaluation_against_scikit_learn_and_alerts():
    from sklearn.metrics import log_loss, precision_score, recall_score, roc_auc_score

    b = nps.synth.generate(customers=4_000, seed=6)
    X = nps.features.retention(b.events, as_of=b.as_of).drop(columns=LEAKS)
    answers = b.surveys.set_index("customer")["score"]
    m = nps.LtrModel().fit(X.loc[answers.index], answers)
    all_answers = answers.reindex(X.index).to_numpy(float)
    e = m.evaluate(X, all_answers, threshold=0.4)
    p = m.predict_proba(X.loc[answers.index])
    cat = np.digitize(answers.to_numpy(), [6.5, 8.5])
    assert e["answered"] == len(answers) and e["coverage"] == 1.0
    assert e["log_loss"] == pytest.approx(log_loss(cat, p, labels=[0, 1, 2]), rel=1e-12)
    assert e["detractor_auc"] == pytest.approx(roc_auc_score(cat == 0, p[:, 0]), rel=1e-12)
    assert e["precision"] == pytest.approx(precision_score(cat == 0, p[:, 0] >= 0.4), rel=1e-12)
    assert e["recall"] == pytest.approx(recall_score(cat == 0, p[:, 0] >= 0.4), rel=1e-12)
    assert e["detractor_auc"] > 0.6
    value = np.linspace(10, 50, len(X))
    alerts = m.alerts(X, value=value, top=20)
    assert len(alerts) == 20 and alerts["expected"].is_monotonic_decreasing
    assert np.allclose(alerts["expected"], alerts["detractor_risk"] * alerts["value"])
