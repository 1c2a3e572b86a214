"""tests/vectors/service.json recomputed with the current build, so the answers the Node
ticket service is held to (tests/node/service.test.js) cannot go stale: every step's expected
answer must equal what the Python API gives now, to the bit."""

import importlib.util
import json
import math

import pytest

import nps
from conftest import ROOT, vectors

spec = importlib.util.spec_from_file_location("make_service", ROOT / "tests" / "vectors" / "make_service.py")
make_service = importlib.util.module_from_spec(spec)
spec.loader.exec_module(make_service)

VECTOR = vectors("service")


def bits(x):
    return x.hex() if isinstance(x, float) else x


def test_every_answer_recomputes_to_the_bit():
    again = make_service.expected(VECTOR)
    assert len(again) == len(VECTOR["steps"])
    for i, (step, answer) in enumerate(zip(VECTOR["steps"], again)):
        # Through JSON, as the service answers: equal text means equal doubles.
        assert json.loads(json.dumps(answer)) == step["expected"], f"step {i} {step['route']}"
        if step["route"] == "/tickets":
            assert bits(answer["probability"]) == bits(step["expected"]["probability"])


def test_the_tickets_score_what_the_model_file_scores():
    """Independently of the reference: the probability of each ticket is the model's on the
    batch features of the customer's events up to the ticket."""
    model = nps.ChurnModel.from_json(json.dumps(VECTOR["model"]))
    events = {}
    for step in VECTOR["steps"]:
        body = step["body"]
        if step["route"] == "/events":
            for e in body["events"]:
                events.setdefault(e["customer"], []).append(e)
        elif step["route"] == "/tickets":
            c = body["customer"]
            events.setdefault(c, []).append({k: v for k, v in body.items() if k != "fields"})
            X = nps.features.retention(make_service.event_frame(events[c]), as_of=body["time"] // 1000 + 1)
            p = model.churn_probability(X.loc[[c], model.inputs_])[0]
            assert p == step["expected"]["probability"]
            assert step["expected"]["score"] == 100 * p
            # The factors shown are the largest contributions each way (ties in input order).
            contributions = model.contributions(X.loc[[c], model.inputs_]).iloc[0]
            for key, side, ascending in (("raising", contributions > 0, False), ("lowering", contributions < 0, True)):
                shown = step["expected"]["factors"][key]
                top = contributions[side].sort_values(ascending=ascending, kind="stable")
                assert [f["name"] for f in shown] == list(top.index[:3])
                assert [f["contribution"] for f in shown] == list(top.iloc[:3])


def test_the_defaults_are_the_services():
    text = (ROOT / "examples" / "node-service" / "service.js").read_text()
    for name, value in VECTOR["defaults"].items():
        js = json.dumps(value).replace('"', "'")
        assert f"{name}: {js}," in text, name


def test_the_script_exercises_policies_and_learning():
    tickets = [s["expected"] for s in VECTOR["steps"] if s["route"] == "/tickets"]
    assert any(len(t["actions"]) == 3 for t in tickets) and any(len(t["actions"]) == 0 for t in tickets)
    means = [s["expected"]["learner"]["mean"] for s in VECTOR["steps"] if s["route"] == "/outcomes"]
    assert means[-2:] != [0.5, 0.5]
    assert all(0 < m < 1 for m in means)
    assert all(not math.isnan(t["probability"]) for t in tickets)


@pytest.mark.parametrize("route", ["/tickets", "/outcomes", "/events"])
def test_each_route_is_in_the_script(route):
    assert any(s["route"] == route for s in VECTOR["steps"])


def test_the_guide_shows_a_real_exchange():
    """docs/service.md's example request and answer are a step of the vector."""
    import re

    blocks = [json.loads(b) for b in re.findall(r"```json\n(.*?)```", (ROOT / "docs" / "service.md").read_text(), re.S)]
    request, answer = blocks[0], blocks[1]
    step = next(s for s in VECTOR["steps"] if s["body"] == request)
    assert step["route"] == "/tickets"
    assert answer == step["expected"]


def test_the_table_model_answers_recompute_to_the_bit():
    """The table part: a model trained on Telco-style customer fields, its inputs given in the
    tickets' fields, and the Telco catalogue."""
    table = VECTOR["table"]
    again = json.loads(json.dumps(make_service.expected_table(table)))
    assert again == table["expected"]
    model = nps.ChurnModel.from_json(json.dumps(table["model"]))
    assert set(model.inputs_) == {"tenure_months", "Contract", "InternetService", "TechSupport", "OnlineSecurity",
                                  "PaymentMethod", "monthly_bill", "SeniorCitizen"}
    first = table["expected"][0]
    assert first["actions"][0]["id"] == "contract_offer" and first["probability"] > 0.6
    # Factor values are numbers for number inputs, text for categories.
    for answer in table["expected"]:
        for f in answer["factors"]["raising"] + answer["factors"]["lowering"]:
            numeric = f["name"] in ("tenure_months", "monthly_bill", "SeniorCitizen")
            assert isinstance(f["typical"], float) == numeric and isinstance(f["value"], (float, type(None))) == numeric
    # A signed contract removes the contract offer.
    assert all(a["id"] != "contract_offer" for a in table["expected"][3]["actions"])
