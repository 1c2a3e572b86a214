"""Writes tests/vectors/service.json: the answers the ticket service (examples/node-service)
must give, computed with the Python API.

A churn model is trained on the retention features of a generated base; five of its
customers' histories are sent to the service (POST /events), then a script of tickets and
outcomes in time order (POST /tickets, POST /outcomes). For each ticket the expected answer
is what Python computes for the same customer: the retention features of all their events as
of one second after the ticket (`nps.features.retention`, the batch computation the service's
`CustomerHistory` equals), the model's probability and factors (`ChurnModel.explain`), and the
playbook's ranked actions (`ActionCatalog.decide`) for the customer record the service builds
(ticket fields, else the feature of the same name, else the defaults), with the contact
outcomes recorded so far. tests/node/service.test.js replays the script over HTTP and must get
these answers to the bit; tests/python/test_service_vectors.py recomputes them with the
current build.

    .venv/bin/python tests/vectors/make_service.py              # a new model and script
    .venv/bin/python tests/vectors/make_service.py --refresh    # the same ones, answers recomputed
"""

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

import nps

SECOND = 1000
DAY = 86_400 * SECOND

# The service's defaults for the playbook's fields (examples/node-service/service.js); no
# default answer: a customer who never answered a survey has no `last_nps`.
DEFAULTS = {"tenure_days": 0, "segment": "consumer", "complained_outage": False, "complained_overage": False,
            "monthly_bill": 40, "payment_trend": 1, "usage_trend_30d": 1}
LEARNED = {"accepted": True, "retained": True, "rejected": False, "ignored": False, "churned": False}
CONTACT = {"presented", "accepted", "rejected", "ignored"}
EVENT_KEYS = ["customer", "time", "kind", "value", "duration", "department", "case", "flag"]


def event_frame(events):
    """Events (service JSON, times in epoch ms) as the frame `nps.features.retention` reads."""
    frame = pd.DataFrame({k: [e.get(k) for e in events] for k in EVENT_KEYS})
    frame["time"] = pd.to_datetime(frame["time"], unit="ms")
    for k in ["value", "duration"]:
        frame[k] = frame[k].astype(float)
    return frame


def explain(model, row):
    """Probability, every non-zero contribution (as factors for the rules) and the top three
    raising and lowering factors, as the service answers them."""
    table = model.explain(row, top=len(model.inputs_))
    p = float(table["probability"].iloc[0])
    factors, shown = {}, {"raising": [], "lowering": []}
    for direction, key in (("raises", "raising"), ("lowers", "lowering")):
        part = table[table["direction"] == direction].sort_values("rank")
        for r in part.itertuples():
            factors[r.factor] = float(r.contribution)
            if len(shown[key]) < 3:
                shown[key].append({"name": r.factor, "contribution": float(r.contribution), "value": r.value, "typical": r.typical})
    return p, factors, shown


class Reference:
    """The service's semantics, in Python: per-customer events, fields and outcomes."""

    def __init__(self, model_text):
        self.model = nps.ChurnModel.from_json(model_text)
        self.catalog = nps.ActionCatalog.playbook()
        self.spec = json.loads((Path(__file__).resolve().parents[2] / "nps-core" / "src" / "action" / "playbook.json").read_text())
        self.learner = nps.Learner()
        self.events, self.fields, self.outcomes = {}, {}, {}

    def answer(self, route, body):
        if route == "/events":
            for e in body["events"]:
                self.events.setdefault(e["customer"], []).append(e)
            return {"accepted": len(body["events"]), "customers": len({e["customer"] for e in body["events"]})}
        if route == "/tickets":
            return self.ticket(body)
        if route == "/outcomes":
            return self.outcome(body)
        raise ValueError(route)

    def ticket(self, body):
        c = body["customer"]
        event = {k: v for k, v in body.items() if k != "fields"}
        self.events.setdefault(c, []).append(event)
        self.fields.setdefault(c, {}).update(body.get("fields", {}))
        as_of = body["time"] // SECOND + 1  # epoch seconds: one second after the ticket
        X = nps.features.retention(event_frame(self.events[c]), as_of=as_of)
        row = X.loc[[c], self.model.inputs_]
        p, factors, shown = explain(self.model, row)
        customer = {}
        for name, _ in self.catalog.fields:
            given = self.fields[c].get(name)
            feature = float(X.loc[c, name]) if name in X.columns else math.nan
            customer[name] = given if given is not None else (DEFAULTS.get(name) if math.isnan(feature) else feature)
        history = [dict(o, time=o["time"] // SECOND) for o in self.outcomes.get(c, [])]
        # Every input's contribution: those the playbook does not declare as factors left out.
        d = self.catalog.decide(customer, probability=p, factors=factors, history=history, now=body["time"] // SECOND,
                                top=3, ignore_extra=True)
        actions = [{k: a[k] for k in ("rank", "id", "label", "channel", "priority", "value")} for a in d["actions"]]
        return {"customer": c, "time": body["time"], "probability": p, "score": 100 * p, "factors": shown, "actions": actions}

    def outcome(self, body):
        c = body["customer"]
        action = next(a for a in self.spec["actions"] if a["id"] == body["action"])
        if body["kind"] in CONTACT:
            self.outcomes.setdefault(c, []).append({"action": action["id"], "channel": action["channel"],
                                                    "group": action.get("group", ""), "time": body["time"], "kind": body["kind"]})
        given = self.fields.get(c, {}).get("segment")
        segment = DEFAULTS["segment"] if given is None else given
        if body["kind"] in LEARNED:
            self.learner.record(body["action"], segment, LEARNED[body["kind"]])
        return {"customer": c, "recorded": body["kind"], "contactHistory": len(self.outcomes.get(c, [])),
                "learner": {"action": body["action"], "segment": segment, "mean": self.learner.mean(body["action"], segment)}}


def expected(vector):
    """The answers to the vector's steps, recomputed with the current build."""
    ref = Reference(json.dumps(vector["model"]))
    return [ref.answer(step["route"], step["body"]) for step in vector["steps"]]


def plain(v):
    if isinstance(v, (np.floating, float)):
        return None if math.isnan(v) else float(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, np.bool_):
        return bool(v)
    return v


def history_events(base, ids):
    """The customers' events before `as_of`, as service JSON (epoch ms, absent = omitted)."""
    e = base.events
    e = e[e["customer"].isin(ids) & (e["time"] < base.as_of)]
    out = []
    for r in e.itertuples(index=False):
        ev = {"customer": str(r.customer), "time": int(pd.Timestamp(r.time).value // 1_000_000), "kind": str(r.kind)}
        for k in ["value", "duration", "department", "case", "flag"]:
            v = plain(getattr(r, k))
            if v is not None and v is not pd.NA and not (isinstance(v, float) and math.isnan(v)):
                ev[k] = v
        out.append(ev)
    return out


def no_rule_fits(base, model, p):
    """The customer nearest the median risk for whom the playbook has no action at their
    first ticket (the script must show a ticket answered with none)."""
    order = (p - p.median()).abs().sort_values().index
    as_of_ms = int(pd.Timestamp(base.as_of).value // 1_000_000)
    for c in order[:1000]:
        ref = Reference(model.to_json())
        ref.answer("/events", {"events": history_events(base, [c])})
        if not ref.ticket({"customer": str(c), "time": as_of_ms + 4 * DAY, "kind": "usage", "value": 1500.0})["actions"]:
            return c
    raise RuntimeError("no customer near the median risk is without an action")


def build():
    base = nps.synth.generate(customers=3_000, seed=23)
    X = nps.features.retention(base.events, as_of=base.as_of)
    model = nps.ChurnModel(C=0.5).fit(X, base.labels["churned"])
    p = pd.Series(model.churn_probability(X), index=X.index)
    last_nps = X["last_nps"]
    ids = list(dict.fromkeys([
        p.idxmax(),                                         # the riskiest
        p.idxmin(),                                         # the safest
        p[(last_nps <= 6)].sort_values().index[len(p[(last_nps <= 6)]) // 2],  # a detractor, median risk
        p[(X["tenure_days"] >= 365) & (p > 0.3)].index[0],  # long tenure, at risk
        no_rule_fits(base, model, p),                        # someone in the middle whom no rule fits
    ]))
    ids = [str(i) for i in ids]
    events = history_events(base, ids)
    as_of_ms = int(pd.Timestamp(base.as_of).value // 1_000_000)
    labels = base.labels
    model_json = json.loads(model.to_json())
    # Two batches of whole histories; the first newest first (a batch may come in any order).
    first = [e for e in events if e["customer"] in ids[:3]][::-1]
    steps = [{"route": "/events", "body": {"events": first}},
             {"route": "/events", "body": {"events": [e for e in events if e["customer"] not in ids[:3]]}}]
    ref = Reference(json.dumps(model_json))
    for step in steps:
        ref.answer(step["route"], step["body"])

    def ticket(c, day, kind="contact_opened", **extra):
        body = {"customer": c, "time": as_of_ms + int(day * DAY), "kind": kind, **extra}
        steps.append({"route": "/tickets", "body": body})
        return ref.answer("/tickets", body)

    def outcome(c, day, action, kind):
        body = {"customer": c, "time": as_of_ms + int(day * DAY), "action": action, "kind": kind}
        steps.append({"route": "/outcomes", "body": body})
        return ref.answer("/outcomes", body)

    risky, safe, detractor, loyal, middle = ids
    seg = lambda c: str(labels.loc[c, "segment"])  # noqa: E731
    a = ticket(risky, 0.5, department="billing", case="T-1", fields={"segment": seg(risky), "complained_outage": True, "monthly_bill": 55.0})
    # The call offered is presented: the weekly call limit now holds calls back.
    outcome(risky, 0.6, a["actions"][0]["id"], "presented")
    ticket(risky, 2, "transfer", department="network", case="T-1")
    ticket(risky, 3, "contact_resolved", duration=1260, flag=False, case="T-1")
    ticket(safe, 1, department="sales", case=77, fields={"segment": seg(safe), "monthly_bill": 80.0})
    ticket(detractor, 1.25, "complaint", department="billing", fields={"complained_overage": True})
    # Two rejected retention offers within 30 days silence the retention group for 60 days.
    outcome(detractor, 1.5, "retention_topup", "rejected")
    outcome(detractor, 1.6, "bonus_data", "rejected")
    ticket(detractor, 2, department="billing")
    ticket(loyal, 1, "outage", fields={"complained_outage": True, "segment": "family"})
    ticket(loyal, 1.5, department="network", fields={"monthly_bill": None})
    outcome(loyal, 1.7, "loyalty_invite", "accepted")
    outcome(loyal, 1.8, "loyalty_invite", "retained")
    ticket(middle, 4, "usage", value=1500.0)
    ticket(middle, 4, department="billing", case="T-9")  # the same second as the last event: allowed
    ticket(middle, 40, department="billing", fields={"last_nps": 3})
    outcome(middle, 41, "detractor_callback", "ignored")

    vector = {"model": model_json, "defaults": DEFAULTS, "customers": ids, "steps": steps}
    answers = expected(vector)
    for step, answer in zip(steps, answers):
        step["expected"] = answer
    return vector


def refresh(path):
    """Recomputes the answers of the vector at `path` with the current build, keeping its
    model, customers and script (for a change of the service's semantics, not of the model)."""
    vector = json.loads(path.read_text())
    vector["defaults"] = DEFAULTS
    for step, answer in zip(vector["steps"], expected(vector)):
        step["expected"] = json.loads(json.dumps(answer))
    path.write_text(json.dumps(vector, indent=1) + "\n")


if __name__ == "__main__":
    import sys

    path = Path(__file__).with_name("service.json")
    if sys.argv[1:] == ["--refresh"]:
        refresh(path)
    else:
        path.write_text(json.dumps(build(), indent=1) + "\n")
    print(f"wrote {path}")
