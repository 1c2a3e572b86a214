"""Retraining in Python: the model file keeps the reference summary, a recalibration and
the lineage (tests/vectors/retrain.json to the bit; older files still read and score to the
bit), drift against the stored reference on the drifted generated base, the retrain policy,
champion and challenger with promotion recorded, and bad input."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import nps
from nps import monitor

VECTORS = Path(__file__).parents[1] / "vectors"
V = json.loads((VECTORS / "retrain.json").read_text())
NUMERIC = ["tenure_days", "contacts_30d", "aht_90d", "bill_shock", "outages_30d", "last_nps"]


def _window(v):
    frame = pd.DataFrame(v["rows"], columns=v["inputs"])
    for c in v["inputs"]:
        if c not in ("plan", "segment"):
            frame[c] = frame[c].astype(float)
    return frame


def _features(base):
    return nps.features.retention(base.events, as_of=base.as_of)


@pytest.fixture(scope="module")
def champion_world():
    base = nps.synth.generate(customers=8_000, seed=1)
    X, y = _features(base), base.labels["churned"].astype(int)
    return nps.ChurnModel().fit(X, y), X, y


# -- the model file --------------------------------------------------------------------------


@pytest.mark.parametrize("kind, cls", [("logistic", nps.ChurnModel), ("boosted", nps.BoostedChurnModel)])
def test_the_vector_files_score_to_the_bit(kind, cls):
    v = V[kind]
    model = cls.from_json(json.dumps(v["model"]))
    window = _window(V)
    assert model.model_id == v["model_id"]
    assert np.asarray(model.churn_probability(window)).tolist() == v["probabilities"]
    assert model.recalibration is not None
    assert model.reference_summary.inputs == V["inputs"] + ["score"]
    # It round-trips: the same file, the same id, the same numbers.
    again = cls.from_json(model.to_json())
    assert again.to_json() == model.to_json() and again.model_id == v["model_id"]
    assert json.loads(model.to_json())["version"] == 3


def test_the_vector_drift_decision_and_advice():
    logistic = nps.ChurnModel.from_json(json.dumps(V["logistic"]["model"]))
    boosted = nps.BoostedChurnModel.from_json(json.dumps(V["boosted"]["model"]))
    window = _window(V)
    report = monitor.drift(logistic, window)
    assert json.loads(report.to_json()) == V["drift"]["report"]
    assert report.drifted == V["drift"]["drifted"]
    lineage = boosted.lineage
    assert lineage["decisions"][0]["champion_id"] != ""
    d = monitor.compare(logistic, boosted, window, np.array(V["y"]), decided_at="2027-01-31", record=False)
    assert json.loads(d.to_json()) == V["decision"]
    assert boosted.lineage == lineage  # record=False left it alone
    advice = monitor.retrain_policy(report, age_days=200.0)
    assert json.loads(advice.to_json()) == V["advice"]


@pytest.mark.parametrize("name, cls", [("churn_model", nps.ChurnModel), ("boosted_model", nps.BoostedChurnModel)])
def test_older_files_still_load_and_score_to_the_bit(name, cls):
    v = json.loads((VECTORS / f"{name}.json").read_text())
    text = json.dumps(v["model"])
    model = cls.from_json(text)
    frame = pd.DataFrame(v["rows"], columns=v["inputs"])
    assert np.asarray(model.churn_probability(frame)).tolist() == v["probabilities"]
    assert model.reference_summary is None and model.recalibration is None and model.lineage is None
    # Written back, it keeps its version: nothing new was added.
    assert json.loads(model.to_json())["version"] == v["model"]["version"]
    with pytest.raises(nps.NpsError, match="reference_summary"):
        monitor.drift(model, frame)


def test_the_fit_records_the_reference_and_the_recalibration_changes_only_the_probability(champion_world):
    model, X, y = champion_world
    summary = model.reference_summary
    assert summary.inputs == list(X.columns) + ["score"]
    report = monitor.drift(model, X)
    assert report.drifted == [] and not report.ks_exact
    raw = model.churn_probability(X)
    contributions = model.contributions(X.iloc[:5])
    copy = nps.ChurnModel.from_json(model.to_json())
    copy.recalibrate(y, X, method="isotonic")  # X: scored here before recalibration
    assert copy.recalibration.method == "isotonic"
    p = copy.churn_probability(X)
    assert abs(p.mean() - y.mean()) < 1e-12  # isotonic regression keeps the mean
    assert (p != raw).any()
    assert (monitor.Recalibrator("isotonic").fit(raw, y).predict(raw) == p).all()
    # Explanations stay on the raw score's log-odds.
    pd.testing.assert_frame_equal(copy.contributions(X.iloc[:5]), contributions)
    assert (copy.decision_function(X.iloc[:5]) == model.decision_function(X.iloc[:5])).all()
    # The file keeps it; the id changes with the file.
    back = nps.ChurnModel.from_json(copy.to_json())
    assert (back.churn_probability(X) == p).all()
    assert back.model_id == copy.model_id != model.model_id
    # A Recalibrator can be attached, and removed.
    back.recalibration = monitor.Recalibrator("platt").fit(raw, y)
    assert back.recalibration.method == "platt"
    back.recalibration = None
    assert (back.churn_probability(X) == raw).all()


# -- the story on the generated base ---------------------------------------------------------


def test_drift_policy_and_promotion_on_the_drifted_base(champion_world):
    champion, X, y = champion_world
    champion.lineage = {"data_window": {"from": "2025-07-01", "to": "2026-07-01", "rows": len(y)}}
    training_auc = monitor.auc_interval(y, champion.churn_probability(X))["auc"]

    calm = nps.synth.generate(customers=8_000, seed=2, as_of="2026-12-30")
    Xc, yc = _features(calm), calm.labels["churned"].astype(int)
    report = monitor.drift(champion, Xc)
    assert report.drifted == []
    perf = monitor.performance(yc, champion.churn_probability(Xc), ["2026-12"] * len(yc))
    advice = monitor.retrain_policy(report, perf, training_auc=training_auc, age_days=150)
    assert not advice.retrain, advice.to_json()

    recent = nps.synth.generate_drifted(customers=8_000, seed=3)
    assert recent.drifted_kinds == ("bill", "payment", "outage", "contact_opened", "contact_resolved")
    Xr, yr = _features(recent), recent.labels["churned"].astype(int)
    report = monitor.drift(champion, Xr)
    for expected in ("bill_shock", "outages_30d", "contacts_30d", "score"):
        assert expected in report.drifted
    for stable in ("tenure_days", "usage_30d", "usage_prev_30d", "topup_gap_ratio", "last_nps",
                   "days_since_last_nps", "churned_subscriptions"):
        assert report.loc[stable, "severity"] == "none", stable
    advice = monitor.retrain_policy(report, age_days=182)
    assert advice.retrain and advice.reasons[0]["kind"] == "drift"
    assert "bill_shock" in advice.reasons[0]["inputs"]
    assert json.loads(advice.to_json())["retrain"] is True

    challenger = nps.ChurnModel().fit(Xr, yr)
    latest = nps.synth.generate_drifted(customers=8_000, seed=4)
    Xl, yl = _features(latest), latest.labels["churned"].astype(int)
    champion_id = champion.model_id
    decision = monitor.compare(champion, challenger, Xl, yl, decided_at="2027-01-31")
    assert decision.promote and decision.clause == "better_auc", decision.reason
    assert decision.challenger["auc"] > decision.champion["auc"]
    assert decision["p_challenger_better"] < 0.05
    assert decision.champion["auc"] == monitor.auc_interval(yl, champion.churn_probability(Xl))["auc"]
    lineage = challenger.lineage
    assert lineage["parent"] == champion_id
    assert lineage["promotion_metrics"]["auc"] == decision.challenger["auc"]
    assert lineage["decisions"][0]["decided_at"] == "2027-01-31"
    assert "promote the challenger" in decision._repr_html_()
    again = nps.ChurnModel.from_json(challenger.to_json())
    assert again.lineage == lineage


def test_a_boosted_challenger_and_a_logistic_champion(champion_world):
    champion, X, y = champion_world
    challenger = nps.BoostedChurnModel(n_estimators=40).fit(X, y)
    assert challenger.reference_summary.inputs[-1] == "score"
    d = monitor.compare(champion, challenger, X, y, record=False)
    assert d["rows"] == len(y) and d.champion["auc"] > 0.7 and d.challenger["auc"] > 0.7
    assert challenger.lineage is None


# -- bad input -------------------------------------------------------------------------------


def test_bad_input_names_the_field_and_value(champion_world):
    model, X, y = champion_world
    copy = nps.ChurnModel.from_json(model.to_json())
    with pytest.raises(nps.NpsError, match="nope") as e:
        copy.recalibrate(y, model.churn_probability(X), method="nope")
    assert e.value.code == "UNKNOWN_VALUE"
    with pytest.raises(nps.NpsError, match="p has") as e:
        copy.recalibrate(y, model.churn_probability(X)[:10])
    assert e.value.code == "LENGTH_MISMATCH"
    with pytest.raises(nps.NpsError, match="champion has 8000 elements but y has 100") as e:
        monitor.compare(model, copy, X, y.iloc[:100])
    assert e.value.code == "LENGTH_MISMATCH"
    with pytest.raises(nps.NpsError, match="age_days"):
        monitor.retrain_policy(age_days=-1)
    with pytest.raises(nps.NpsError, match="lineage.parent"):
        copy.lineage = {"parent": "m1"}
    copy.reference_summary = None
    with pytest.raises(nps.NpsError, match="reference_summary") as e:
        monitor.drift(copy, X)
    assert e.value.code == "INVALID_PARAMETER"


def test_record_reference_off_keeps_the_model_and_drops_the_summary():
    base = nps.synth.generate(customers=1_500, seed=5)
    X = nps.features.retention(base.events, as_of=base.as_of)
    y = base.labels["churned"]
    on, off = nps.ChurnModel().fit(X, y), nps.ChurnModel(record_reference=False).fit(X, y)
    assert on.reference_summary is not None and off.reference_summary is None
    assert np.array_equal(on.coef_, off.coef_) and on.intercept_ == off.intercept_
    assert len(off.to_json()) < len(on.to_json()) / 5
    with pytest.raises(nps.NpsError, match="stored reference summary"):
        nps.monitor.drift(off, X)
    boosted = nps.BoostedChurnModel(n_estimators=20, record_reference=False).fit(X, y)
    assert boosted.reference_summary is None
    assert nps.BoostedChurnModel(n_estimators=20).fit(X, y).reference_summary is not None
    assert nps.ChurnModel(record_reference=False).get_params()["record_reference"] is False
