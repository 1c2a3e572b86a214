"""Writes tests/vectors/actions.json: decisions of action catalogues (the shipped playbook and
a small catalogue with every kind of condition) with their traces, and the errors of bad
input, read by the Rust, Python and Node tests, which must give the same actions, priorities,
trace (status, detail, condition, values seen) and error codes and messages.

The expected answers are computed with the Python API and checked here against what the
rules say by hand (priorities as P x C x V x L, the trace's words for the customers below),
so a vector that disagrees with the rules cannot be written.

Times are epoch seconds (Node tests multiply by 1000). A customer field given as null is
missing.

    .venv/bin/python tests/vectors/make_actions.py
"""

import json
import math
from pathlib import Path

import nps

NOW = 1_782_864_000
DAY = 86_400

# Every kind of condition, over few fields, so each trace line is short to read.
CUSTOM = {
    "fields": {"tenure_days": "number", "segment": "string", "complained": "bool", "last_nps": "number"},
    "factors": ["bill_shock", "dropped_calls_30d", "tenure_days"],
    "bands": [{"name": "low", "below": 30}, {"name": "medium", "below": 60}, {"name": "high"}],
    "levers": [{"name": "push", "percent": 50, "group": "retention"}],
    "policies": [{"channel_limit": {"channel": "sms", "max": 1, "within_days": 7}}],
    "actions": [
        {"id": "ask_feedback", "channel": "email", "value": 2, "applicability": {"field": "last_nps", "missing": True}},
        {"id": "answered", "channel": "email", "value": 1, "applicability": {"field": "last_nps", "missing": False}},
        {"id": "not_detractor", "channel": "email", "value": 1,
         "applicability": {"not": {"field": "last_nps", "op": "<=", "value": 6}}},
        {"id": "promoter_or_silent", "channel": "email", "value": 1,
         "applicability": {"any": [{"field": "last_nps", "op": ">=", "value": 9}, {"field": "last_nps", "missing": True}]}},
        {"id": "not_family", "channel": "call", "group": "retention", "value": 10,
         "eligibility": {"field": "segment", "op": "!=", "value": "family"}},
        {"id": "segments", "channel": "call", "value": 4, "suitability": {"segment": ["family", "business"]}},
        {"id": "long_tenure", "channel": "sms", "group": "retention", "value": 3,
         "eligibility": {"all": [{"field": "tenure_days", "op": ">", "value": 365}, {"field": "complained", "op": "==", "value": True}]}},
        {"id": "tenure_in", "channel": "call", "value": 1, "eligibility": {"field": "tenure_days", "op": "in", "value": [30, 60, 90]}},
        {"id": "risky", "channel": "call", "value": 6, "applicability": {"band": ["medium", "high"]},
         "suitability": {"score": ">=", "value": 50}},
        {"id": "shock", "channel": "sms", "value": 5, "weight": 0.5, "applicability": {"factor": "bill_shock", "raises_more_than": 0.4}},
        {"id": "network", "channel": "call", "value": 7, "applicability": {"factor": "dropped_calls_30d", "in_top": 1}},
    ],
}

PLAYBOOK_CUSTOMER = {"tenure_days": 400, "segment": "consumer", "complained_outage": True, "complained_overage": False,
                     "monthly_bill": 60.0, "payment_trend": 0.8, "usage_trend_30d": 0.6, "last_nps": 4}
CALL_YESTERDAY = [{"action": "detractor_callback", "channel": "call", "group": "care", "time": NOW - DAY, "kind": "presented"}]


# Predicted uplifts for the playbook's actions: the early renewal saves few, the call back
# many, the bill discount drives this customer away.
UPLIFT = {"bill_discount": -0.04, "early_renewal_phone": 0.02, "bonus_data": 0.05, "detractor_callback": 0.30,
          "loyalty_invite": 0.05, "upsell": 0.01, "no_action": 0.001, "thank_you": 0.01, "lock_in_12m": 0.1,
          "retention_call": 0.2, "retention_topup": 0.15, "feedback_survey": 0.02}


def case(name, catalogue, customer, score=None, probability=None, factors=None, history=None, top=3, ignore_extra=False,
         now=NOW, uplift=None):
    c = {"name": name, "catalogue": catalogue, "customer": customer, "top": top}
    if now is not None:
        c["now"] = now
    for key, value in (("score", score), ("probability", probability), ("factors", factors), ("history", history),
                       ("uplift", uplift)):
        if value is not None:
            c[key] = value
    if ignore_extra:
        c["ignore_extra"] = True
    return c


def catalog_of(name):
    return nps.ActionCatalog.playbook() if name == "playbook" else nps.ActionCatalog.from_json(json.dumps(CUSTOM))


def answer(c):
    """The decision (or the error) the Python API gives for case `c`."""
    args = {k: c[k] for k in ("score", "probability", "factors", "history", "top", "now", "uplift") if k in c}
    try:
        d = catalog_of(c["catalogue"]).decide(c["customer"], ignore_extra=c.get("ignore_extra", False), **args)
    except nps.NpsError as e:
        return {"error": {"code": e.code, "message": str(e)}}
    return {
        "actions": [{k: a[k] for k in ("id", "priority", "value")} for a in d["actions"]],
        "trace": [{k: t[k] for k in ("id", "status", "detail", "priority", "condition", "seen")} for t in d["trace"]],
    }


CASES = [
    case("playbook detractor at high risk", "playbook", PLAYBOOK_CUSTOMER, score=75,
         factors={"bill_shock": 0.9, "device_age_days": 0.2, "dropped_calls_30d": 0.5}),
    case("the same risk as a probability", "playbook", PLAYBOOK_CUSTOMER, probability=0.75,
         factors={"bill_shock": 0.9, "device_age_days": 0.2, "dropped_calls_30d": 0.5}),
    case("a call yesterday: the call actions are suppressed", "playbook", PLAYBOOK_CUSTOMER, score=75,
         history=CALL_YESTERDAY),
    case("never answered a survey, low risk", "playbook", {**PLAYBOOK_CUSTOMER, "last_nps": None, "complained_outage": False},
         score=12),
    case("never answered a survey, high risk", "playbook", {**PLAYBOOK_CUSTOMER, "last_nps": None}, probability=0.8,
         factors={"bill_shock": 0.9}),
    case("fields and factors the catalogue does not declare, left out on request", "playbook",
         {**PLAYBOOK_CUSTOMER, "gender": "Female", "TotalCharges": 1889.5}, score=75,
         factors={"bill_shock": 0.9, "Contract": 0.7, "MonthlyCharges": 0.3}, ignore_extra=True),
    case("every condition: silent customer", "custom", {"tenure_days": 400, "segment": "consumer", "complained": True,
                                                        "last_nps": None}, score=55,
         factors={"bill_shock": 0.3, "dropped_calls_30d": 0.1, "tenure_days": 0.2}, top=20),
    case("every condition: a family detractor", "custom", {"tenure_days": 60, "segment": "family", "complained": None,
                                                           "last_nps": 3}, score=20,
         factors={"bill_shock": 0.5, "dropped_calls_30d": 0.6}, top=20),
    case("every condition: all missing, an sms sent this week", "custom", {"tenure_days": None, "segment": None,
                                                                           "complained": None, "last_nps": 10},
         score=90, top=20, factors={"bill_shock": 0.9},
         history=[{"action": "long_tenure", "channel": "sms", "group": "retention", "time": NOW - 2 * DAY, "kind": "presented"}]),
    case("a probability passed as the score", "playbook", PLAYBOOK_CUSTOMER, score=0.856),
    case("a score above 100", "playbook", PLAYBOOK_CUSTOMER, score=150),
    case("a probability above 1", "playbook", PLAYBOOK_CUSTOMER, probability=85.6),
    case("both a score and a probability", "playbook", PLAYBOOK_CUSTOMER, score=85.6, probability=0.856),
    case("neither a score nor a probability", "playbook", PLAYBOOK_CUSTOMER),
    case("a misspelt factor", "playbook", PLAYBOOK_CUSTOMER, score=75, factors={"bill_shok": 5.0}),
    case("a factor of another catalogue", "custom", {"tenure_days": 10}, score=75, factors={"aht_90d": 0.5}),
    case("a misspelt field", "playbook", {**PLAYBOOK_CUSTOMER, "last_np": 3}, score=75),
    case("a field of the wrong type", "playbook", {**PLAYBOOK_CUSTOMER, "complained_outage": 1}, score=75),
    case("text for a number", "playbook", {**PLAYBOOK_CUSTOMER, "monthly_bill": "60"}, score=75),
    case("an unknown outcome kind", "playbook", PLAYBOOK_CUSTOMER, score=75,
         history=[{**CALL_YESTERDAY[0], "kind": "maybe"}]),
    case("a history without now", "playbook", PLAYBOOK_CUSTOMER, score=75, history=CALL_YESTERDAY, now=None),
    case("ranked by uplift x value", "playbook", PLAYBOOK_CUSTOMER, score=75,
         factors={"bill_shock": 0.9, "device_age_days": 0.2, "dropped_calls_30d": 0.5}, uplift=UPLIFT),
    case("an uplift for an action the catalogue lacks", "playbook", PLAYBOOK_CUSTOMER, score=75,
         uplift={**UPLIFT, "free_pony": 0.3}),
    case("an uplift outside -1..1", "playbook", PLAYBOOK_CUSTOMER, score=75, uplift={**UPLIFT, "upsell": 1.5}),
]


def check(cases):
    """What the rules say, by hand, for the cases whose answers are easy to derive."""
    by = {c["name"]: c["expected"] for c in cases}

    def ids(name):
        return [a["id"] for a in by[name]["actions"]]

    def trace(name):
        return {t["id"]: t for t in by[name]["trace"]}

    # A detractor (call back, V 40) who complained of an outage at high risk (bill discount,
    # 0.5 x 60 x 1.2 lever = 36), with falling trends (top-up, 25 x 1.2 = 30); dropped calls
    # second of the given factors (early renewal: 150 x 0.8 weight x 1.2 = 144).
    assert ids("playbook detractor at high risk") == ["early_renewal_phone", "detractor_callback", "bill_discount"]
    assert [a["priority"] for a in by["playbook detractor at high risk"]["actions"]] == [150 * 0.8 * 1.2, 40, 0.5 * 60 * 1.2]
    assert by["the same risk as a probability"] == by["playbook detractor at high risk"]
    assert trace("playbook detractor at high risk")["thank_you"]["detail"] == "actions[7].applicability: last_nps >= 9 (last_nps = 4)"
    assert trace("a call yesterday: the call actions are suppressed")["bill_discount"]["status"] == "suppressed"
    assert ids("a call yesterday: the call actions are suppressed") == ["retention_topup", "loyalty_invite"]
    silent = trace("never answered a survey, low risk")
    assert silent["detractor_callback"]["seen"] == "last_nps missing" and silent["feedback_survey"]["status"] == "kept"
    assert ids("never answered a survey, low risk") == ["lock_in_12m", "feedback_survey", "no_action"]
    assert trace("never answered a survey, high risk")["feedback_survey"]["detail"] == \
        "actions[11].suitability: band in [low, medium] (score = 80, band high)"
    assert by["fields and factors the catalogue does not declare, left out on request"]["actions"] == [
        {"id": "detractor_callback", "priority": 40.0, "value": 40.0}, {"id": "bill_discount", "priority": 36.0, "value": 30.0},
        {"id": "retention_topup", "priority": 30.0, "value": 25.0}]
    custom = trace("every condition: silent customer")
    assert custom["ask_feedback"]["status"] == "kept" and custom["answered"]["seen"] == "last_nps missing"
    assert custom["not_detractor"]["status"] == "kept"  # not(missing <= 6) holds
    assert custom["promoter_or_silent"]["status"] == "kept"
    assert custom["not_family"]["priority"] == 10 * 1.5
    assert custom["segments"]["detail"] == 'actions[5].suitability: segment in ["family", "business"] (segment = "consumer")'
    assert custom["tenure_in"]["condition"] == "tenure_days in [30, 60, 90]"
    assert custom["risky"]["priority"] == 6 and custom["long_tenure"]["priority"] == 3 * 1.5
    assert custom["shock"]["detail"] == "actions[9].applicability: bill_shock raises the log-odds by more than 0.4 (bill_shock = 0.3)"
    assert custom["network"]["detail"] == "actions[10].applicability: dropped_calls_30d is the top factor (dropped_calls_30d rank 3 (0.1))"
    assert trace("every condition: a family detractor")["risky"]["detail"] == \
        "actions[8].applicability: band in [medium, high] (score = 20, band low)"
    family = trace("every condition: a family detractor")
    assert family["not_family"]["detail"] == 'actions[4].eligibility: segment != "family" (segment = "family")'
    assert family["long_tenure"]["detail"] == "actions[6].eligibility.all[0]: tenure_days > 365 (tenure_days = 60)"
    assert family["not_detractor"]["detail"] == "actions[2].applicability: not(last_nps <= 6) (last_nps = 3)"
    assert family["network"]["status"] == "kept" and family["shock"]["priority"] == 5 * 0.5
    missing = trace("every condition: all missing, an sms sent this week")
    assert missing["not_family"]["seen"] == "segment missing"
    assert missing["long_tenure"]["detail"] == "actions[6].eligibility.all[0]: tenure_days > 365 (tenure_days missing)"
    assert missing["network"]["seen"] == "dropped_calls_30d not given"
    assert missing["shock"]["status"] == "suppressed" and missing["shock"]["condition"] is None
    assert missing["shock"]["detail"].startswith("policies[0]: ")
    assert by["a probability passed as the score"]["error"]["code"] == "INVALID_PARAMETER"
    assert "multiply a probability by 100" in by["a probability passed as the score"]["error"]["message"]
    assert by["a misspelt factor"]["error"] == {
        "code": "UNKNOWN_VALUE",
        "message": 'unknown factor "bill_shok"; expected one of bill_shock, repeat_contacts_90d, aht_90d, usage_trend_30d, '
                   "tenure_days, worst_interaction_90d, device_age_days, dropped_calls_30d"}
    assert by["a field of the wrong type"]["error"] == {
        "code": "INVALID_PARAMETER", "message": 'customer field "complained_outage" must be a bool, got 1'}
    assert by["an unknown outcome kind"]["error"]["message"].startswith('unknown history[0].kind (outcome kind) "maybe"')
    assert by["a history without now"]["error"]["message"].startswith("now must be given with a history")
    assert by["a misspelt field"]["error"]["message"].startswith('unknown customer field "last_np"; expected one of last_nps, ')
    # Uplift x value: the call back 0.30 x 40, the top-up 0.15 x 30, the early renewal
    # 0.02 x 144; the bill discount (uplift -0.04) is removed.
    assert ids("ranked by uplift x value") == ["detractor_callback", "retention_topup", "early_renewal_phone"]
    expected = [0.30 * 40, 0.15 * 25 * 1.2, 0.02 * 150 * 0.8 * 1.2]
    got = [a["priority"] for a in by["ranked by uplift x value"]["actions"]]
    assert all(math.isclose(g, e, rel_tol=1e-15) for g, e in zip(got, expected)), got
    assert trace("ranked by uplift x value")["bill_discount"]["status"] == "no_uplift"
    assert trace("ranked by uplift x value")["bill_discount"]["detail"] == \
        "predicted uplift -0.04: the action would not keep the customer"
    assert by["an uplift for an action the catalogue lacks"]["error"]["code"] == "UNKNOWN_VALUE"
    assert "free_pony" in by["an uplift for an action the catalogue lacks"]["error"]["message"]
    assert by["an uplift outside -1..1"]["error"]["message"].startswith('the uplift of action "upsell" must be')
    for c in cases:
        for a in c["expected"].get("actions", []):
            assert math.isfinite(a["priority"])


# The learner's credible interval of an action's success rate: the equal-tailed quantiles
# of Beta(prior + successes, prior + failures), from scipy.
LEARNER_INTERVALS = [
    {"prior": [1, 1], "successes": 0, "failures": 0, "level": 0.95},
    {"prior": [1, 1], "successes": 3, "failures": 1, "level": 0.95},
    {"prior": [1, 1], "successes": 200, "failures": 0, "level": 0.95},
    {"prior": [2, 5], "successes": 17, "failures": 40, "level": 0.9},
    {"prior": [0.5, 0.5], "successes": 1, "failures": 1000, "level": 0.99},
]


def learner_intervals():
    from scipy.stats import beta

    out = []
    for c in LEARNER_INTERVALS:
        a, b = c["prior"][0] + c["successes"], c["prior"][1] + c["failures"]
        tail = (1 - c["level"]) / 2
        out.append(dict(c, expected=[float(beta.ppf(tail, a, b)), float(beta.ppf(1 - tail, a, b))]))
    return out


def build():
    cases = [dict(c, expected=answer(c)) for c in CASES]
    check(cases)
    return {"custom_catalogue": CUSTOM, "cases": cases, "learner_intervals": learner_intervals()}


if __name__ == "__main__":
    path = Path(__file__).with_name("actions.json")
    path.write_text(json.dumps(build(), indent=1) + "\n")
    print(f"wrote {path}")
