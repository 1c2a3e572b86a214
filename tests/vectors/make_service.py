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
current build. Its `table` part does the same for a model trained on a table of Telco-style
customer fields (inputs the tickets give in `fields`) and the Telco catalogue.

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


def shown_value(model, name, value, typical):
    """A factor's value and typical value as the service answers them: numbers for a number
    input (the customer's value, None when missing; the training mean from the model file),
    text for a category (its most common value as the model explains it)."""
    columns = {c["name"]: c for c in json.loads(model.to_json())["encoder"]["columns"]}
    column = columns[name]
    if column["kind"] == "numeric":
        v = plain(value)
        return (None if v is None or v is pd.NA else float(v)), column["mean"]
    if column["kind"] == "boolean":
        return plain(value), typical == "true"
    return (None if value is None or (isinstance(value, float) and math.isnan(value)) else value), typical


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
                value, typical = shown_value(model, r.factor, row.iloc[0][r.factor], r.typical)
                shown[key].append({"name": r.factor, "contribution": float(r.contribution), "value": value, "typical": typical})
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
    vector["table"] = build_table()
    return vector


# ---------------------------------------------------------------------------------------
# A model trained on a table (Telco-style inputs, none of them a feature of the events): the
# service takes its inputs from the customer fields the tickets give, and decides with the
# Telco catalogue (examples/catalogues/telco.json), whose fields are named as the inputs.

TELCO_CATALOGUE = Path(__file__).resolve().parents[2] / "examples" / "catalogues" / "telco.json"


def telco_like(n=2_000, seed=5):
    """Generated customers with the Telco columns the catalogue reads, and churn labels."""
    rng = np.random.default_rng(seed)
    contract = rng.choice(["Month-to-month", "One year", "Two year"], n, p=[0.55, 0.21, 0.24])
    internet = rng.choice(["DSL", "Fiber optic", "No"], n, p=[0.34, 0.44, 0.22])
    tech = np.where(internet == "No", "No internet service", rng.choice(["Yes", "No"], n))
    security = np.where(internet == "No", "No internet service", rng.choice(["Yes", "No"], n))
    payment = rng.choice(["Electronic check", "Mailed check", "Bank transfer (automatic)", "Credit card (automatic)"], n)
    tenure = rng.integers(0, 73, n).astype(float)
    bill = np.round(rng.uniform(18.0, 119.0, n), 2)
    senior = (rng.random(n) < 0.16).astype(float)
    logit = (-1.5 + 1.6 * (contract == "Month-to-month") + 0.8 * (internet == "Fiber optic") - 0.035 * tenure
             + 0.5 * (payment == "Electronic check") + 0.4 * (tech == "No") + 0.3 * senior)
    churned = rng.random(n) < 1 / (1 + np.exp(-logit))
    X = pd.DataFrame({"tenure_months": tenure, "Contract": contract, "InternetService": internet, "TechSupport": tech,
                      "OnlineSecurity": security, "PaymentMethod": payment, "monthly_bill": bill, "SeniorCitizen": senior},
                     index=[f"T{i:04d}" for i in range(n)])
    return X, churned


def table_answer(model, catalog, fields, body, outcomes=()):
    """The answer of the service to a ticket under the table model: the model's inputs from
    the customer's fields, its probability and factors (`ChurnModel.explain`), and the Telco
    catalogue's actions for the fields, with every input it declares as a factor."""
    c = body["customer"]
    row = pd.DataFrame([{name: fields.get(name) for name in model.inputs_}], index=[c])
    for name in model.inputs_:
        if json.loads(model.to_json())["encoder"]["columns"][model.inputs_.index(name)]["kind"] == "numeric":
            row[name] = row[name].astype(float)
    table = model.explain(row, top=3)
    p = float(model.churn_probability(row)[0])
    shown = {"raising": [], "lowering": []}
    for direction, key in (("raises", "raising"), ("lowers", "lowering")):
        for r in table[table["direction"] == direction].sort_values("rank").itertuples():
            value, typical = shown_value(model, r.factor, fields.get(r.factor), r.typical)
            shown[key].append({"name": r.factor, "contribution": float(r.contribution), "value": value, "typical": typical})
    contributions = model.contributions(row).iloc[0]
    factors = {k: float(v) for k, v in contributions.items() if k in catalog.factors}
    record = {name: fields.get(name) for name, _ in catalog.fields}
    d = catalog.decide(record, probability=p, factors=factors, now=body["time"] // SECOND + 1, top=3)
    actions = [{k: a[k] for k in ("rank", "id", "label", "channel", "priority", "value")} for a in d["actions"]]
    return {"customer": c, "time": body["time"], "probability": p, "score": 100 * p, "factors": shown, "actions": actions}


def expected_table(table):
    """The answers to the table part's tickets, recomputed with the current build."""
    model = nps.ChurnModel.from_json(json.dumps(table["model"]))
    catalog = nps.ActionCatalog.load(TELCO_CATALOGUE)
    fields, answers = {}, []
    for body in table["tickets"]:
        known = fields.setdefault(body["customer"], {})
        known.update(body.get("fields", {}))
        answers.append(table_answer(model, catalog, known, body))
    return answers


def build_table():
    X, churned = telco_like()
    model = nps.ChurnModel(C=0.5).fit(X, churned)
    p = pd.Series(model.churn_probability(X), index=X.index)
    month = X["Contract"] == "Month-to-month"
    ids = [p[month & (X["InternetService"] == "Fiber optic")].idxmax(),   # the riskiest: a contract offer first
           p[~month].idxmin(),                                            # the safest: thanks, or nothing
           p[month & (X["tenure_months"] < 6)].idxmin()]                 # new, the least at risk of them: a welcome call
    day0 = 1_782_864_000 * SECOND
    tickets = []
    for k, c in enumerate(ids):
        row = {name: plain(v) for name, v in X.loc[c].items()}
        tickets.append({"customer": c, "time": day0 + k * 3600 * SECOND, "kind": "contact_opened", "fields": row})
    # The riskiest signs a one-year contract: the next ticket gives only the field that changed.
    tickets.append({"customer": ids[0], "time": day0 + 5 * 86_400 * SECOND, "kind": "contact_opened",
                    "fields": {"Contract": "One year"}})
    table = {"model": json.loads(model.to_json()), "tickets": tickets}
    table["expected"] = json.loads(json.dumps(expected_table(table)))
    return table


def refresh(path):
    """Recomputes the answers of the vector at `path` with the current build, keeping its
    model, customers and script (for a change of the service's semantics, not of the model)."""
    vector = json.loads(path.read_text())
    vector["defaults"] = DEFAULTS
    for step, answer in zip(vector["steps"], expected(vector)):
        step["expected"] = json.loads(json.dumps(answer))
    if "table" in vector:
        vector["table"]["expected"] = json.loads(json.dumps(expected_table(vector["table"])))
    else:
        vector["table"] = build_table()
    path.write_text(json.dumps(vector, indent=1) + "\n")


if __name__ == "__main__":
    import sys

    path = Path(__file__).with_name("service.json")
    if sys.argv[1:] == ["--refresh"]:
        refresh(path)
    else:
        path.write_text(json.dumps(build(), indent=1) + "\n")
    print(f"wrote {path}")
