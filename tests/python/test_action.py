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
    # A missing field is not an error: the comparisons on it are false, and the trace says so.
    d = c.decide({**CUSTOMER, "tenure_days": None}, score=10)
    assert {t["id"]: t["seen"] for t in d["trace"]}["loyalty_invite"] == "tenure_days missing"
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
    probabilities = model.churn_probability(X)
    scores = 100 * probabilities
    explained = model.explain(X, top=1)
    top = explained[explained["direction"] == "raises"].set_index("customer")["factor"].reindex(X.index).fillna("none")
    catalog = nps.ActionCatalog.playbook()
    actions = []
    for p, (_, row) in zip(probabilities, X.iterrows()):
        customer = {"tenure_days": row["tenure_days"], "segment": "consumer", "complained_outage": False,
                    "complained_overage": False, "monthly_bill": 40.0,
                    "payment_trend": 1.0 if np.isnan(row["payment_trend"]) else row["payment_trend"],
                    "usage_trend_30d": 1.0 if np.isnan(row["usage_trend_30d"]) else row["usage_trend_30d"],
                    "last_nps": 7 if np.isnan(row["last_nps"]) else row["last_nps"]}
        d = catalog.decide(customer, probability=float(p), top=1)
        actions.append(d["actions"][0]["id"] if d["actions"] else None)
    segments = catalog.campaign_segments(scores, list(top), actions)
    assert sum(g["customers"] for g in segments) == len(X)
    assert segments[0]["customers"] >= segments[-1]["customers"]
    assert {g["band"] for g in segments} <= {"low", "medium", "high"}
    high = [g for g in segments if g["band"] == "high"]
    assert all(g["mean_score"] >= 60 for g in high)


# ---------------------------------------------------------------------------------------
# The fast path, the decision log, the control group, off-policy evaluation, uplift.

NOW = 1_782_864_000


def test_decide_values_decides_as_decide():
    import numpy as np

    c = nps.ActionCatalog.playbook()
    assert [f for f, _ in c.fields] == ["complained_outage", "complained_overage", "last_nps", "monthly_bill",
                                        "payment_trend", "segment", "tenure_days", "usage_trend_30d"]
    assert (c.text_code("segment", "postpaid"), c.text_code("segment", "family")) == (0.0, 1.0)
    assert c.text_code("segment", "consumer") == c.text_code("segment", "anything") == 2.0
    values = c.encode(CUSTOMER)
    assert values.dtype == np.float64
    np.testing.assert_array_equal(values, [1, 0, 4, 60, 0.8, 2, 400, 0.6])
    contributions = np.full(len(c.factors), np.nan)
    contributions[c.factors.index("bill_shock")] = 0.9
    r = c.decide_values(values, 75, contributions, now=NOW)
    assert [c.actions[i] for i in r["actions"]] == ["detractor_callback", "bill_discount", "retention_topup"]
    assert r["priorities"] == pytest.approx([40, 36, 30])
    assert "trace" not in r
    rng = np.random.default_rng(4)
    for k in range(300):
        cu = {**CUSTOMER, "tenure_days": int(rng.integers(0, 900)), "last_nps": int(rng.integers(0, 11)),
              "complained_outage": bool(rng.random() < 0.4), "segment": ["postpaid", "family", "prepaid"][k % 3],
              "payment_trend": float(rng.uniform(0.5, 1.5)), "monthly_bill": float(rng.uniform(20, 100))}
        names = rng.choice(c.factors, size=3, replace=False)
        f = {str(n): float(rng.normal()) for n in names}
        dense = np.full(len(c.factors), np.nan)
        for n, x in f.items():
            dense[c.factors.index(n)] = x
        score = float(rng.uniform(1, 100))  # a score below 1 is refused as a likely probability
        d = c.decide(cu, score=score, factors=f, now=NOW, top=4)
        r = c.decide_values(c.encode(cu), score, dense, now=NOW, top=4, trace=True)
        assert [c.actions[i] for i in r["actions"]] == [a["id"] for a in d["actions"]]
        assert r["priorities"] == [a["priority"] for a in d["actions"]]
        # The same trace, but that the record holds a string no rule names as a code only.
        for fast, slow in zip(r["trace"], d["trace"]):
            if "a string no rule names" in fast["seen"]:
                assert slow["seen"] == f'segment = "{cu["segment"]}"'
                fast, slow = {**fast, "seen": "", "detail": ""}, {**slow, "seen": "", "detail": ""}
            assert fast == slow


def test_decide_values_bad_records_name_index_field_and_value():
    import numpy as np

    c = nps.ActionCatalog.playbook()
    values = c.encode(CUSTOMER)
    with pytest.raises(nps.NpsError, match=r"values has 3 elements") as e:
        c.decide_values(values[:3], 50)
    assert e.value.code == "LENGTH_MISMATCH"
    bad = values.copy()
    bad[0] = 2
    with pytest.raises(nps.NpsError, match=r'values\[0\] \(field "complained_outage"\).*got 2'):
        c.decide_values(bad, 50)
    bad[0], bad[5] = 1, 0.5
    with pytest.raises(nps.NpsError, match=r'values\[5\] \(field "segment"\).*got 0.5'):
        c.decide_values(bad, 50)
    # A missing value (NaN) is not an error: the comparisons on it are false.
    bad[5], bad[6] = 0, np.nan
    r = c.decide_values(bad, 50, trace=True)
    assert {t["id"]: t["seen"] for t in r["trace"]}["loyalty_invite"] == "tenure_days missing"
    with pytest.raises(nps.NpsError, match="contributions has 2"):
        c.decide_values(values, 50, [0.1, 0.2])
    inf = np.full(len(c.factors), np.nan)
    inf[2] = np.inf
    with pytest.raises(nps.NpsError, match=r'contributions\[2\] \(factor "aht_90d"\)'):
        c.decide_values(values, 50, inf)
    with pytest.raises(nps.NpsError, match="colour"):
        c.text_code("colour", "red")


def test_logged_decisions_and_the_control_group():
    c = nps.ActionCatalog.playbook()
    d = c.decide(CUSTOMER, score=75, now=NOW, customer_id="C7", segment="consumer")
    assert isinstance(d, nps.action.Decision) and isinstance(d, dict)
    assert d["log"] == {"customer": "C7", "action": "detractor_callback", "propensity": 1.0, "segment": "consumer",
                        "control": False, "time": NOW, "reward": None}
    # A control share of 1: everyone is in, no action, the trace says so.
    d = c.decide(CUSTOMER, score=75, now=NOW, customer_id="C7", control_share=1.0, control_salt="q3")
    assert d["actions"] == [] and d["log"]["control"] and d["log"]["action"] is None
    assert {t["id"] for t in d["trace"] if t["status"] == "control_group"} == {
        "bill_discount", "detractor_callback", "loyalty_invite", "retention_call", "retention_topup"}
    # With learning, the propensity is estimated by seeded Monte Carlo: reproducible, in (0, 1].
    learner = nps.Learner(exploration=0.1, ramp_up=1000)
    a = c.decide(CUSTOMER, score=75, now=NOW, customer_id="C8", learner=learner, segment="consumer", seed=3, draws=4000)
    b = c.decide(CUSTOMER, score=75, now=NOW, customer_id="C8", learner=learner, segment="consumer", seed=3, draws=4000)
    assert a == b and 0 < a["log"]["propensity"] < 1
    assert a["log"]["action"] == a["actions"][0]["id"]
    html = a._repr_html_()
    assert html.startswith("<table>") and html.count("<tr>") == 1 + len(a["actions"])
    assert "Call back a detractor" in c.decide(CUSTOMER, score=75)._repr_html_()
    assert nps.action.PROPENSITY_DRAWS == 1000


def _control_hash(customer_id: str, share: float, salt: str) -> bool:
    """The control-group hash by hand: 64-bit FNV-1a over salt, a zero byte and the id,
    finished with MurmurHash3's mixer; the top 53 bits as a uniform number."""
    m = (1 << 64) - 1
    h = 0xCBF29CE484222325
    for b in salt.encode() + b"\0" + customer_id.encode():
        h = ((h ^ b) * 0x100000001B3) & m
    h ^= h >> 33
    h = (h * 0xFF51AFD7ED558CCD) & m
    h ^= h >> 33
    h = (h * 0xC4CEB9FE1A85EC53) & m
    h ^= h >> 33
    return (h >> 11) / float(1 << 53) < share


def test_in_control_group_matches_the_hash_by_hand():
    ids = [f"C{i:07d}" for i in range(5_000)] + ["", "é-ü", "x" * 100]
    for salt, share in [("", 0.1), ("2026-q3", 0.25), ("s", 0.5)]:
        got = [nps.action.in_control_group(i, share, salt) for i in ids]
        assert got == [_control_hash(i, share, salt) for i in ids]
        assert abs(sum(got[:5_000]) / 5_000 - share) < 0.03
    assert nps.action.in_control_group("C1", 0.0) is False and nps.action.in_control_group("C1", 1.0) is True
    for share in (-0.1, 1.5, float("nan")):
        with pytest.raises(nps.NpsError, match="share"):
            nps.action.in_control_group("C1", share)


def test_off_policy_against_numpy():
    import numpy as np

    rng = np.random.default_rng(11)
    n = 500
    actions = rng.choice(["a", "b", "c"], size=n)
    p = rng.uniform(0.05, 1.0, size=n)
    r = rng.integers(0, 2, size=n).astype(float)
    target = rng.choice(["a", "b", "c", None], size=n)
    q_t, q_l = rng.uniform(size=n), rng.uniform(size=n)
    log = [{"customer": f"C{i}", "action": str(actions[i]), "propensity": float(p[i]), "segment": "s",
            "control": False, "time": 0, "reward": float(r[i])} for i in range(n)]
    e = nps.action.off_policy(log, list(target), q_t, q_l)
    agree = np.array([t == a for t, a in zip(target, actions)])
    assert e["n"] == n and e["matches"] == agree.sum()
    assert e["ips"] == pytest.approx(np.mean(agree * r / p), rel=1e-12)
    assert e["snips"] == pytest.approx(np.sum(agree * r / p) / np.sum(agree / p), rel=1e-12)
    assert e["doubly_robust"] == pytest.approx(np.mean(q_t + agree * (r - q_l) / p), rel=1e-12)
    # No agreement: SNIPS is NaN, IPS 0. A log entry with no action (None) agrees with None.
    e = nps.action.off_policy([{"action": None, "propensity": 1.0, "reward": 1.0}], [None], [0.5], [0.5])
    assert (e["matches"], e["ips"], e["snips"]) == (1, 1.0, 1.0)
    e = nps.action.off_policy([{"action": "a", "propensity": 0.5, "reward": 1.0}], ["b"], [0.2], [0.3])
    assert e["ips"] == 0 and np.isnan(e["snips"]) and e["doubly_robust"] == pytest.approx(0.2)


def test_off_policy_bad_input_names_index_and_value():
    one = {"action": "a", "propensity": 0.5, "reward": 1.0}
    with pytest.raises(nps.NpsError, match="log is empty"):
        nps.action.off_policy([], [], [], [])
    for p, shown in [(0.0, "= 0 "), (1.5, "= 1.5 "), (float("nan"), "= NaN ")]:
        with pytest.raises(nps.NpsError, match=r"log\.propensity\[1\] " + shown) as e:
            nps.action.off_policy([one, {**one, "propensity": p}], ["a", "a"], [0, 0], [0, 0])
        assert e.value.code == "OUT_OF_RANGE"
    with pytest.raises(nps.NpsError, match=r"log\.reward\[0\] is missing"):
        nps.action.off_policy([{**one, "reward": None}], ["a"], [0], [0])
    with pytest.raises(nps.NpsError, match=r"log\.reward\[0\].*got NaN"):
        nps.action.off_policy([{**one, "reward": float("nan")}], ["a"], [0], [0])
    with pytest.raises(nps.NpsError, match=r"q_logged\[0\].*got NaN"):
        nps.action.off_policy([one], ["a"], [0], [float("nan")])
    with pytest.raises(nps.NpsError, match="target has 2 elements but log has 1") as e:
        nps.action.off_policy([one], ["a", "b"], [0], [0])
    assert e.value.code == "LENGTH_MISMATCH"
    with pytest.raises(nps.NpsError, match="q_target has 0"):
        nps.action.off_policy([one], ["a"], [], [0])
    with pytest.raises(nps.NpsError, match=r"log\[0\] has no \"propensity\""):
        nps.action.off_policy([{"action": "a", "reward": 1.0}], ["a"], [0], [0])


def test_uplift_against_numpy_and_scipy():
    import numpy as np
    from scipy.stats import norm

    rng = np.random.default_rng(5)
    treated = rng.random(400) < 0.8
    control = rng.random(150) < 0.7
    u = nps.action.uplift(treated, control, level=0.9)
    t, c = treated.mean(), control.mean()
    se = np.sqrt(t * (1 - t) / 400 + c * (1 - c) / 150)
    z = norm.ppf(0.95)
    assert (u["treated_rate"], u["control_rate"]) == (pytest.approx(t), pytest.approx(c))
    assert u["uplift"] == pytest.approx(t - c)
    assert (u["low"], u["high"]) == (pytest.approx(t - c - z * se), pytest.approx(t - c + z * se))
    assert nps.action.uplift([1, 1, 0, 1], [1, 0])["uplift"] == pytest.approx(0.25)
    with pytest.raises(nps.NpsError, match="control_retained is empty"):
        nps.action.uplift([True], [])
    with pytest.raises(nps.NpsError, match=r"treated_retained\[1\] = 2"):
        nps.action.uplift([1, 2], [1])
    with pytest.raises(nps.NpsError, match="level"):
        nps.action.uplift([True], [False], level=1.5)


def test_now_is_required_with_a_history_and_takes_any_time():
    import datetime
    import pickle

    import numpy as np
    import pandas as pd

    c = nps.ActionCatalog.playbook()
    # One call presented 7 days less a second before NOW: the weekly call limit holds at NOW
    # and is lifted one second later, so each `now` below is read to the second.
    history = [{"action": "detractor_callback", "channel": "call", "group": "care", "time": NOW - 7 * 86_400 + 1,
                "kind": "presented"}]

    def callback(d):
        return {t["id"]: t["status"] for t in d["trace"]}["detractor_callback"]

    assert callback(c.decide(CUSTOMER, score=75, history=history, now=NOW)) == "suppressed"
    assert callback(c.decide(CUSTOMER, score=75, history=history, now=NOW + 1)) == "kept"
    same = [NOW + 0.5, np.int64(NOW), np.datetime64(NOW, "s"), np.datetime64(NOW * 1000 + 999, "ms"),
            datetime.datetime(2026, 7, 1), datetime.datetime(2026, 7, 1, 2, tzinfo=datetime.timezone(datetime.timedelta(hours=2))),
            pd.Timestamp("2026-07-01"), pd.Timestamp("2026-07-01 02:00", tz="Europe/Paris"), "2026-07-01T00:00:00"]
    expected = c.decide(CUSTOMER, score=75, history=history, now=NOW)
    values = c.encode(CUSTOMER)
    for now in same:
        assert c.decide(CUSTOMER, score=75, history=history, now=now) == expected, now
        assert callback(c.decide(CUSTOMER, score=75, history=history, now=now)) == "suppressed"
        r = c.decide_values(values, 75, history=history, now=now, trace=True)
        assert r["trace"] == expected["trace"]
    # Outcome times take the same types.
    dated = [dict(history[0], time=pd.Timestamp(NOW - 7 * 86_400 + 1, unit="s"))]
    assert c.decide(CUSTOMER, score=75, history=dated, now=NOW) == expected
    # Forgetting `now` with a history is an error naming it (it used to be 1970, when no
    # outcome is recent and every contact policy passes), in decide and decide_values, with
    # or without a learner; so is a logged decision without one (its entry records the time).
    learner = nps.Learner()
    calls = [lambda: c.decide(CUSTOMER, score=75, history=history),
             lambda: c.decide(CUSTOMER, score=75, history=history, now=None),
             lambda: c.decide(CUSTOMER, score=75, history=history, learner=learner, segment="consumer"),
             lambda: c.decide_values(values, 75, history=history),
             lambda: c.decide_values(values, 75, history=history, learner=learner)]
    for call in calls:
        with pytest.raises(nps.NpsError, match=r"^now must be given with a history of outcomes .*window before now") as e:
            call()
        assert e.value.code == "INVALID_PARAMETER"
    for call in [lambda: c.decide(CUSTOMER, score=75, customer_id="C9"),
                 lambda: c.decide(CUSTOMER, score=75, customer_id="C9", learner=learner, segment="consumer")]:
        with pytest.raises(nps.NpsError, match=r"^now must be given for a logged decision") as e:
            call()
        assert e.value.code == "INVALID_PARAMETER"
    # Without a history nothing reads `now`: leaving it out gives the same decision.
    plain = c.decide(CUSTOMER, score=75, factors={"bill_shock": 0.9})
    assert plain == c.decide(CUSTOMER, score=75, factors={"bill_shock": 0.9}, history=[], now=NOW)
    assert c.decide_values(values, 75)["actions"] == c.decide_values(values, 75, history=[], now=NOW)["actions"]
    logged = c.decide(CUSTOMER, score=75, customer_id="C9", now=datetime.datetime(2026, 7, 1))
    assert logged["log"]["time"] == NOW
    # A catalogue pickles (as its JSON) and decides the same after.
    again = pickle.loads(pickle.dumps(c))
    assert again.actions == c.actions and again.fields == c.fields
    assert again.decide(CUSTOMER, score=75, history=history, now=NOW) == expected
    assert nps.ActionCatalog.from_json(c.to_json()).to_json() == c.to_json()


# ---------------------------------------------------------------------------------------
# What a new analyst passes: a probability, misspelt names, customers without an answer.

def test_a_probability_is_not_a_score():
    import numpy as np

    c = nps.ActionCatalog.playbook()
    with pytest.raises(nps.NpsError, match=r"multiply a probability by 100 or pass it as probability.*got 0\.856$") as e:
        c.decide(CUSTOMER, score=0.856)
    assert e.value.code == "INVALID_PARAMETER"
    high = c.decide(CUSTOMER, probability=0.856)
    assert high == c.decide(CUSTOMER, score=85.6)
    assert {t["id"]: t["status"] for t in high["trace"]}["retention_call"] in ("kept", "below_top_n")  # band high
    with pytest.raises(nps.NpsError, match=r"^probability must be a churn probability in \[0, 1\].*got 85\.6$"):
        c.decide(CUSTOMER, probability=85.6)
    with pytest.raises(nps.NpsError, match="not both"):
        c.decide(CUSTOMER, score=85.6, probability=0.856)
    with pytest.raises(nps.NpsError, match="score or probability must be given"):
        c.decide(CUSTOMER)
    # The fast path takes the same two.
    values = c.encode(CUSTOMER)
    assert c.decide_values(values, probability=np.float64(0.856))["actions"] == c.decide_values(values, 85.6)["actions"]
    with pytest.raises(nps.NpsError, match="got 0.856"):
        c.decide_values(values, 0.856)


def test_unknown_factors_and_fields_list_the_known_ones():
    c = nps.ActionCatalog.playbook()
    with pytest.raises(nps.NpsError) as e:
        c.decide(CUSTOMER, score=75, factors={"bill_shok": 5.0})
    assert e.value.code == "UNKNOWN_VALUE"
    assert str(e.value).startswith('unknown factor "bill_shok"; expected one of bill_shock, repeat_contacts_90d, ')
    with pytest.raises(nps.NpsError, match=r'^unknown customer field "monthy_bill"; expected one of monthly_bill, '):
        c.decide({**CUSTOMER, "monthy_bill": 60.0}, score=75)
    with pytest.raises(nps.NpsError, match=r'factors\["bill_shock"\] must be a number .*got \'high\''):
        c.decide(CUSTOMER, score=75, factors={"bill_shock": "high"})
    # A whole row and its whole explanation, on request: what the catalogue does not declare is left out.
    row = {**CUSTOMER, "gender": "Female", "TotalCharges": 1889.5}
    wide = c.decide(row, score=75, factors={"bill_shock": 0.9, "Contract": 2.0}, ignore_extra=True)
    assert wide == c.decide(CUSTOMER, score=75, factors={"bill_shock": 0.9})


def test_a_customer_without_a_survey_answer_gets_a_decision():
    import numpy as np

    c = nps.ActionCatalog.playbook()
    quiet = {**CUSTOMER, "complained_outage": False}
    for missing in (None, np.nan, float("nan")):
        d = c.decide({**quiet, "last_nps": missing}, score=12)
        assert [a["id"] for a in d["actions"]] == ["lock_in_12m", "feedback_survey", "no_action"]
        why = {t["id"]: t for t in d["trace"]}
        assert why["detractor_callback"]["detail"] == "actions[3].applicability: last_nps <= 6 (last_nps missing)"
        assert (why["thank_you"]["condition"], why["thank_you"]["seen"]) == ("last_nps >= 9", "last_nps missing")
    # A field left out of the dict is missing too, and the fast path agrees.
    no_key = {k: v for k, v in quiet.items() if k != "last_nps"}
    values = c.encode(no_key)
    assert np.isnan(values[[f for f, _ in c.fields].index("last_nps")])
    r = c.decide_values(values, 12, trace=True)
    assert [c.actions[i] for i in r["actions"]] == ["lock_in_12m", "feedback_survey", "no_action"]
    slow = c.decide(no_key, score=12)["trace"]
    assert [t for t in r["trace"] if t["id"] != "upsell"] == [t for t in slow if t["id"] != "upsell"]
    # The record holds a string no rule names ("consumer") as a code only.
    assert [t["seen"] for t in (r["trace"][5], slow[5])] == ["segment = a string no rule names", 'segment = "consumer"']


# ---------------------------------------------------------------------------------------
# A table of customers: decide over a DataFrame; catalogues from files.

def _frame():
    import pandas as pd

    rows = [CUSTOMER,
            {**CUSTOMER, "last_nps": None, "complained_outage": False},
            {**CUSTOMER, "segment": "family", "last_nps": 10, "tenure_days": 50},
            {**CUSTOMER, "monthly_bill": 90.0, "payment_trend": 1.2}]
    return pd.DataFrame(rows, index=pd.Index(["C1", "C2", "C3", "C4"], name="customer"))


def test_decide_over_a_frame_is_decide_row_by_row():
    import numpy as np
    import pandas as pd

    c = nps.ActionCatalog.playbook()
    frame = _frame()
    p = np.array([0.75, 0.12, 0.25, 0.5])
    why = pd.DataFrame({"bill_shock": [0.9, np.nan, -0.2, 0.1], "device_age_days": [0.2, 0.1, 0.5, 0.7],
                        "dropped_calls_30d": [np.nan, np.nan, 0.4, -0.1]}, index=frame.index)
    d = c.decide(frame, probability=p, factors=why, top=4)
    assert list(d.index) == ["C1", "C2", "C3", "C4"] and d.index.name == "customer"
    assert list(d.columns) == [f"{k}_{i}" for i in range(1, 5) for k in ("action", "priority")]
    for (label, row), risk in zip(frame.iterrows(), p):
        factors = {k: v for k, v in why.loc[label].items() if not np.isnan(v)}
        one = c.decide(row.to_dict(), probability=risk, factors=factors, top=4)
        ids = [a["id"] for a in one["actions"]]
        assert [d.loc[label, f"action_{i}"] for i in range(1, len(ids) + 1)] == ids, label
        assert [d.loc[label, f"priority_{i}"] for i in range(1, len(ids) + 1)] == [a["priority"] for a in one["actions"]]
        assert all(pd.isna(d.loc[label, f"action_{i}"]) for i in range(len(ids) + 1, 5))
    assert d.loc["C1", "action_1"] == "early_renewal_phone" and d.loc["C2", "action_2"] == "feedback_survey"
    # The risk from a column (left out of the fields), as a score, as one value for every row.
    same = c.decide(frame.assign(risk=100 * p), score="risk", factors=why, top=4)
    pd.testing.assert_frame_equal(same, d)
    flat = c.decide(frame, score=50)
    pd.testing.assert_frame_equal(flat, c.decide(frame, probability=np.full(4, 0.5)))
    # An empty frame gives an empty table with the same columns.
    empty = c.decide(frame.iloc[:0], probability=[])
    assert len(empty) == 0 and list(empty.columns) == [f"{k}_{i}" for i in range(1, 4) for k in ("action", "priority")]


def test_decide_over_a_frame_maps_names_and_leaves_extra_out_on_request():
    import pandas as pd

    c = nps.ActionCatalog.playbook()
    frame = _frame()
    model_names = frame.rename(columns={"tenure_days": "tenure", "monthly_bill": "MonthlyCharges"})
    wide = model_names.assign(gender="Female", TotalCharges=[1.0, 2.0, 3.0, 4.0])
    why = pd.DataFrame({"tenure": [0.5, 0.1, 0.2, 0.3], "Contract": [1.0, 1.0, 1.0, 1.0]}, index=frame.index)
    mapping = {"tenure": "tenure_days", "MonthlyCharges": "monthly_bill"}
    d = c.decide(wide, score=70, factors=why, mapping=mapping, ignore_extra=True)
    want = c.decide(frame, score=70, factors=why[["tenure"]].rename(columns={"tenure": "tenure_days"}))
    pd.testing.assert_frame_equal(d, want)
    with pytest.raises(nps.NpsError, match=r"^column\(s\) 'gender', 'TotalCharges' of the frame are not fields") as e:
        c.decide(wide, score=70, mapping=mapping)
    assert e.value.code == "UNKNOWN_VALUE"
    with pytest.raises(nps.NpsError, match=r"^factors column 'Contract' is not a factor of the catalogue"):
        c.decide(model_names, score=70, factors=why, mapping=mapping)
    with pytest.raises(nps.NpsError, match=r"no column for catalogue field\(s\) monthly_bill, tenure_days") as e:
        c.decide(model_names, score=70)
    assert e.value.code == "MISSING_VALUE"
    with pytest.raises(nps.NpsError, match=r"^mapping\['tenure'\] = 'tenure_day' is neither a field nor a factor.*"
                                           r"expected one of tenure_days, "):
        c.decide(model_names, score=70, mapping={"tenure": "tenure_day"})
    # The dict path takes the same mapping.
    row = model_names.loc["C1"].to_dict()
    one = c.decide(row, score=70, factors={"tenure": 0.5}, mapping=mapping)
    assert [a["id"] for a in one["actions"]] == [d.loc["C1", f"action_{i}"] for i in range(1, 4)]


def test_decide_over_a_frame_names_the_column_row_and_value():
    import numpy as np
    import pandas as pd

    c = nps.ActionCatalog.playbook()
    frame = _frame()
    cases = [
        (frame.assign(monthly_bill=["60", 1.0, 2.0, 3.0]), {"score": 50},
         r"^column 'monthly_bill' \(catalogue field 'monthly_bill', a number\) at row 'C1' = '60': expected a number "
         r"or missing \(numbers stored as text\? read the file with nps.read_csv"),
        (frame.assign(complained_outage=["Yes", "No", "No", "No"]), {"score": 50},
         r"^column 'complained_outage' .*a bool\) at row 'C1' = 'Yes': expected true, false \(or 1, 0\) or missing"),
        (frame.assign(segment=[1, 2, 3, 4]), {"score": 50}, r"^column 'segment' .*a string\) at row 'C1' = 1: .*holds numbers"),
        (frame.assign(tenure_days=[1.0, np.inf, 2.0, 3.0]), {"score": 50}, r"at row 'C2' = inf: expected a finite number"),
        (frame, {"score": [50, 0.5, 20, 30]}, r'^row "C2": score must be a churn score on the 0–100 scale'),
        (frame, {"probability": [0.5, 0.5]}, r"^probability has 2 elements but the frame has 4 rows"),
        (frame, {"probability": pd.Series([0.5] * 4)}, r"^probability's index does not match the frame's"),
        (frame, {"score": "risk"}, r"^score = 'risk' is not a column of the frame"),
        (frame, {"score": 50, "history": []}, r"^history is for one customer"),
        (frame, {"score": 50, "factors": {"bill_shock": 1.0}}, r"^factors must be a DataFrame of contributions"),
    ]
    for f, kwargs, message in cases:
        with pytest.raises(nps.NpsError, match=message) as e:
            c.decide(f, **kwargs)
        assert isinstance(e.value.code, str), message
    # A value an action reads, missing in one row: the row is named.
    with pytest.raises(nps.NpsError, match=r'^row "C1": customer field "monthly_bill" \(the value of action "bill_discount"\)'):
        c.decide(frame.assign(monthly_bill=[None, 40.0, 40.0, 40.0]), score=75)
    # Missing values otherwise decide: pandas NA, None and NaN alike.
    nullable = frame.assign(last_nps=pd.array([4, pd.NA, 10, 7], dtype="Int64"),
                            complained_outage=pd.array([True, pd.NA, True, False], dtype="boolean"))
    d = c.decide(nullable, score=20)
    assert d.loc["C2", "action_1"] == "feedback_survey"


def test_catalogues_load_from_files(tmp_path):
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    telco = nps.ActionCatalog.load(root / "examples" / "catalogues" / "telco.json")
    assert telco.actions[0] == "contract_offer" and ("tenure_months", "number") in telco.fields
    assert nps.ActionCatalog.load(str(root / "examples" / "catalogues" / "telco.json")).actions == telco.actions
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"fields": {"x": "number"}, "actions": [{"id": "a", "channel": "sms", "eligibility": {"field": "y", "op": ">", "value": 1}}]}))
    with pytest.raises(nps.NpsError, match=rf"^unknown actions\[0\]\.eligibility\.field \(catalogue file {bad}\) \"y\""):
        nps.ActionCatalog.load(bad)
    with pytest.raises(FileNotFoundError):
        nps.ActionCatalog.load(tmp_path / "absent.json")


def test_the_telco_catalogue_decides_the_telco_base(telco_path):
    """The IBM Telco file: a churn model on every customer column, its probabilities and
    contributions, and the Telco catalogue deciding for all 7,043 customers at once, the
    same as one at a time."""
    import numpy as np
    import pandas as pd
    from pathlib import Path

    d = pd.read_csv(telco_path, index_col="customerID")
    d["TotalCharges"] = pd.to_numeric(d["TotalCharges"], errors="coerce")  # blanks for new customers
    y = d.pop("Churn")
    model = nps.ChurnModel().fit(d, y)
    p = model.churn_probability(d)
    why = model.contributions(d)
    catalog = nps.ActionCatalog.load(Path(__file__).resolve().parents[2] / "examples" / "catalogues" / "telco.json")
    mapping = {"tenure": "tenure_months", "MonthlyCharges": "monthly_bill"}
    table = catalog.decide(d, probability=p, factors=why, mapping=mapping, ignore_extra=True)
    assert table.shape == (7043, 6) and table.index.equals(d.index)
    counts = table["action_1"].value_counts()
    # Month-to-month customers at medium or high risk are offered a contract first, by far
    # the commonest first action; almost everyone gets one.
    assert counts.index[0] == "contract_offer"
    assert table["action_1"].notna().mean() > 0.99
    month = (d["Contract"] == "Month-to-month") & (p >= 0.3)
    assert (table.loc[month, "action_1"] == "contract_offer").mean() > 0.9
    assert not table.loc[d["Contract"] != "Month-to-month", ["action_1", "action_2", "action_3"]].isin(["contract_offer"]).any().any()
    rng = np.random.default_rng(16)
    for i in rng.choice(len(d), size=40, replace=False):
        label = d.index[i]
        one = catalog.decide(d.iloc[i].to_dict(), probability=p[i], factors=why.iloc[i].to_dict(), mapping=mapping,
                             ignore_extra=True)
        assert [a["id"] for a in one["actions"]] == table.loc[label, ["action_1", "action_2", "action_3"]].dropna().tolist()


def test_numpy_scalars_decide_as_the_values_they_hold():
    # A record read from a DataFrame row holds np.bool_, np.int64, np.float64 and np.str_.
    import numpy as np

    c = nps.ActionCatalog.playbook()
    as_numpy = {k: (np.bool_(v) if isinstance(v, bool) else np.int64(v) if isinstance(v, int)
                    else np.float64(v) if isinstance(v, float) else np.str_(v)) for k, v in CUSTOMER.items()}
    factors = {"bill_shock": np.float32(0.5), "repeat_contacts_90d": np.float64(0.4)}
    assert c.decide(as_numpy, score=np.float64(75), factors=factors, top=np.int64(3)) == \
        c.decide(CUSTOMER, score=75, factors={"bill_shock": 0.5, "repeat_contacts_90d": 0.4}, top=3)
    # A value of the wrong type is named as the caller wrote it, never by the core's internal names.
    with pytest.raises(nps.NpsError) as e:
        c.decide({**CUSTOMER, "complained_outage": np.float64(1.0)}, score=75)
    assert str(e.value) == 'customer field "complained_outage" must be a bool, got 1'
    assert "Number" not in str(e.value)
    with pytest.raises(nps.NpsError, match=r'^customer field "segment" must be a string, got true$'):
        c.decide({**CUSTOMER, "segment": np.bool_(True)}, score=75)
    with pytest.raises(nps.NpsError, match=r'customer field "tenure_days" must be one value, got an array'):
        c.decide({**CUSTOMER, "tenure_days": np.array([1.0, 2.0])}, score=75)


UPLIFT_CATALOG = """{"fields": {"value": "number"},
  "actions": [{"id": "save_call", "channel": "call", "value": {"field": "value", "times": 1}},
              {"id": "discount", "channel": "sms", "value": {"field": "value", "times": 0.5}}]}"""


def test_uplift_ranks_by_saved_value_and_its_mistakes_are_named():
    import pandas as pd

    c = nps.ActionCatalog.from_json(UPLIFT_CATALOG)
    d = c.decide({"value": 100.0}, score=50, uplift={"save_call": 0.1, "discount": 0.3})
    assert [(a["id"], a["priority"]) for a in d["actions"]] == [("discount", 0.3 * 50), ("save_call", 0.1 * 100)]
    with pytest.raises(nps.NpsError, match='uplift\\["discount"\\] must be an uplift for every action') as e:
        c.decide({"value": 100.0}, score=50, uplift={"save_call": 0.1})
    assert e.value.code == "INVALID_PARAMETER"
    with pytest.raises(nps.NpsError, match='unknown uplift "call"; expected one of save_call, discount') as e:
        c.decide({"value": 100.0}, score=50, uplift={"call": 0.1, "save_call": 0.1, "discount": 0.1})
    assert e.value.code == "UNKNOWN_VALUE"
    with pytest.raises(nps.NpsError, match='the uplift of action "discount" must be a finite number in -1..=1'):
        c.decide({"value": 100.0}, score=50, uplift={"save_call": 0.1, "discount": float("nan")})
    with pytest.raises(nps.NpsError, match="uplift must be a dict of action id -> predicted uplift"):
        c.decide({"value": 100.0}, score=50, uplift=[0.1, 0.2])
    with pytest.raises(nps.NpsError, match="given with a learner"):
        c.decide({"value": 100.0}, score=50, uplift={"save_call": 0.1, "discount": 0.1}, learner=nps.Learner())
    frame = pd.DataFrame({"value": [100.0, 10.0]}, index=["a", "b"])
    u = pd.DataFrame({"save_call": [0.1, 0.5], "discount": [0.3, 0.9]}, index=frame.index)
    plan = c.decide(frame, score=50, uplift=u, top=2)
    one = [c.decide({"value": v}, score=50, uplift=u.loc[i].to_dict(), top=2)["actions"] for i, v in frame["value"].items()]
    assert plan["action_1"].tolist() == [o[0]["id"] for o in one]
    assert plan["priority_2"].tolist() == [o[1]["priority"] for o in one]
    with pytest.raises(nps.NpsError, match="uplift has no column for action\\(s\\) discount") as e:
        c.decide(frame, score=50, uplift=u[["save_call"]])
    assert e.value.code == "MISSING_VALUE"
    with pytest.raises(nps.NpsError, match="uplift column 'sms' is not an action of the catalogue"):
        c.decide(frame, score=50, uplift=u.assign(sms=0.1))
    with pytest.raises(nps.NpsError, match="uplift's index does not match the frame's"):
        c.decide(frame, score=50, uplift=u.reset_index(drop=True))
    with pytest.raises(nps.NpsError, match='row "b": the uplift of action "discount" must be'):
        c.decide(frame, score=50, uplift=u.assign(discount=[0.3, 1.2]))
