"""Next-best-action from Python: the shipped playbook, the trace, contact policies, errors."""

import json

import pytest

import nps

CUSTOMER = {"tenure_days": 400, "segment": "consumer", "complained_outage": True, "complained_overage": False,
            "monthly_bill": 60.0, "payment_trend": 0.8, "usage_trend_30d": 0.6, "last_nps": 4}


def test_playbook_decision_and_trace():
    c = nps.ActionCatalog.playbook()
    d = c.decide(CUSTOMER, score=75, factors={"bill_shock": 0.9, "repeat_contacts_90d": 0.4}, now=1_782_864_000, top=3)
    ids = [a["id"] for a in d["actions"]]
    # A detractor (call back, value 40) at high risk who complained of an outage (bill
    # discount: 0.5 x 60 = 30, +20 % retention lever = 36), paying and using less (top-up, 25 x 1.2).
    assert ids == ["detractor_callback", "bill_discount", "retention_topup"]
    assert [a["priority"] for a in d["actions"]] == pytest.approx([40, 36, 30])
    assert [t["id"] for t in d["trace"]] == c.actions  # one entry per action, catalogue order
    status = {t["id"]: t for t in d["trace"]}
    assert status["bill_discount"]["status"] == "kept" and status["bill_discount"]["detail"] == "rank 2"
    assert status["loyalty_invite"]["status"] == "below_top_n"
    assert status["thank_you"]["status"] == "not_applicable" and "thank_you" not in ids
    assert status["lock_in_12m"]["detail"].startswith("actions[8].applicability")
    # Two calls this week: the call channel is full, the call actions are suppressed.
    history = [{"action": "detractor_callback", "channel": "call", "group": "care", "time": 1_782_864_000 - 86_400,
                "kind": "presented"}]
    d2 = c.decide(CUSTOMER, score=75, history=history, now=1_782_864_000)
    assert all(a["channel"] != "call" for a in d2["actions"])
    assert {t["id"]: t["status"] for t in d2["trace"]}["bill_discount"] == "suppressed"


def test_errors_name_the_json_path_or_field():
    with pytest.raises(nps.NpsError, match=r"actions\[0\]\.eligibility"):
        nps.ActionCatalog.from_json(json.dumps({"fields": {"x": "number"}, "actions": [
            {"id": "a", "channel": "sms", "group": "g", "eligibility": {"field": "nope", "op": ">", "value": 1}}]}))
    c = nps.ActionCatalog.playbook()
    with pytest.raises(nps.NpsError, match="colour"):
        c.decide({"colour": "red"}, score=10)
    with pytest.raises(nps.NpsError, match="tenure_days"):
        c.decide({**CUSTOMER, "tenure_days": None}, score=10)
    with pytest.raises(nps.NpsError, match="outcome kind"):
        c.decide(CUSTOMER, score=10, history=[{"action": "a", "channel": "sms", "group": "g", "time": 0, "kind": "maybe"}])


def test_learning_moves_the_ranking_and_is_reproducible():
    c = nps.ActionCatalog.playbook()
    learner = nps.Learner(prior=(1, 1), exploration=0.0, ramp_up=0)
    for _ in range(200):
        learner.record("retention_topup", "consumer", True)
        learner.record("detractor_callback", "consumer", False)
        learner.record("bill_discount", "consumer", False)
    d = c.decide(CUSTOMER, score=75, learner=learner, segment="consumer", seed=5)
    assert d["actions"][0]["id"] == "retention_topup"
    assert d == c.decide(CUSTOMER, score=75, learner=learner, segment="consumer", seed=5)
    assert learner.mean("retention_topup", "consumer") == pytest.approx(201 / 202)
    again = nps.Learner.from_json(learner.to_json())
    assert again.counts("bill_discount", "consumer") == (0.0, 200.0)
    with pytest.raises(nps.NpsError, match="exploration"):
        nps.Learner(exploration=2.0)


def test_campaign_segments_from_a_scored_base():
    import numpy as np

    base = nps.synth.generate(customers=2_000, seed=8)
    X = nps.features.retention(base.events, as_of=base.as_of)
    model = nps.ChurnModel().fit(X, base.labels["churned"])
    scores = 100 * model.churn_probability(X)
    explained = model.explain(X, top=1)
    top = explained[explained["direction"] == "raises"].set_index("customer")["factor"].reindex(X.index).fillna("none")
    catalog = nps.ActionCatalog.playbook()
    actions = []
    for s, (_, row) in zip(scores, X.iterrows()):
        customer = {"tenure_days": row["tenure_days"], "segment": "consumer", "complained_outage": False,
                    "complained_overage": False, "monthly_bill": 40.0,
                    "payment_trend": 1.0 if np.isnan(row["payment_trend"]) else row["payment_trend"],
                    "usage_trend_30d": 1.0 if np.isnan(row["usage_trend_30d"]) else row["usage_trend_30d"],
                    "last_nps": 7 if np.isnan(row["last_nps"]) else row["last_nps"]}
        d = catalog.decide(customer, score=float(s), top=1)
        actions.append(d["actions"][0]["id"] if d["actions"] else None)
    segments = catalog.campaign_segments(scores, list(top), actions)
    assert sum(g["customers"] for g in segments) == len(X)
    assert segments[0]["customers"] >= segments[-1]["customers"]
    assert {g["band"] for g in segments} <= {"low", "medium", "high"}
    high = [g for g in segments if g["band"] == "high"]
    assert all(g["mean_score"] >= 60 for g in high)
