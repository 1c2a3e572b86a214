"""Writes tests/vectors/features.json: a random event history (every built-in kind the
retention set reads, cases and departments, a declared kind, events after the reference time
that must not count), a set of declarative definitions using every aggregation, and what
nps computes from them: the retention set and the declared set, per customer. A subset of
the retention features is also computed here directly in pandas, as an independent check
(the generator stops if nps disagrees by more than 1e-9). The Rust, Python and Node tests
compute the same features from the same events and must get them to the last bit.

    .venv/bin/python tests/vectors/make_features.py
"""

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

import nps

AS_OF = 1_782_864_000  # 2026-07-01T00:00:00Z
DAY = 86_400
rng = np.random.default_rng(11)
n = 3_000
kinds = np.array(["contact_opened", "contact_resolved", "payment", "usage", "outage", "survey_answer",
                  "subscription_start", "bill", "top_up", "roaming"])
kind = kinds[rng.integers(0, len(kinds), n)]
time = AS_OF + rng.integers(-240 * DAY, 15 * DAY, n)
value = np.where(kind == "survey_answer", rng.integers(0, 11, n), rng.gamma(2.0, 20.0, n).round(2)).astype(float)
value[kind == "contact_opened"] = np.nan
duration = np.where(kind == "contact_resolved", rng.gamma(3.0, 200.0, n).round(), np.nan)
is_contact = np.isin(kind, ["contact_opened", "contact_resolved"])
department = np.where(is_contact, rng.choice(["billing", "tech", "sales"], n), None)
case = np.where(is_contact, np.char.add("k", rng.integers(0, 400, n).astype(str)), None)
flag = np.where(kind == "contact_resolved", rng.random(n) < 0.7, None)
customer = np.char.add("c", rng.integers(0, 60, n).astype(str))
events = pd.DataFrame({"customer": customer, "time": time, "kind": kind, "value": value, "duration": duration,
                       "department": department, "case": case, "flag": flag})

DEFINITIONS = {"features": [
    {"name": "roaming_90d", "kinds": ["roaming"], "aggregation": "count", "window": {"days": 90}},
    {"name": "spend_30d", "kinds": ["payment", "top_up"], "aggregation": "sum", "field": "value", "window": {"days": 30}},
    {"name": "top_up_mean", "kinds": ["top_up"], "aggregation": "mean", "field": "value"},
    {"name": "usage_min_60d", "kinds": ["usage"], "aggregation": "min", "field": "value", "window": {"days": 60}},
    {"name": "usage_max_60d", "kinds": ["usage"], "aggregation": "max", "field": "value", "window": {"days": 60}},
    {"name": "bill_std", "kinds": ["bill"], "aggregation": "std", "field": "value"},
    {"name": "first_answer", "kinds": ["survey_answer"], "aggregation": "first", "field": "value"},
    {"name": "last_answer", "kinds": ["survey_answer"], "aggregation": "last", "field": "value", "default": -1},
    {"name": "cases_90d", "kinds": ["contact_opened"], "aggregation": "distinct_count", "field": "case",
     "window": {"days": 90}},
    {"name": "departments", "kinds": ["contact_opened", "contact_resolved"], "aggregation": "distinct_count",
     "field": "department"},
    {"name": "days_since_outage", "kinds": ["outage"], "aggregation": "days_since_last"},
    {"name": "days_since_start", "kinds": ["subscription_start"], "aggregation": "days_since_first"},
    {"name": "usage_slope", "kinds": ["usage"], "aggregation": "slope", "field": "value", "window": {"days": 90}},
    {"name": "repeat_7d", "kinds": ["contact_opened"], "aggregation": {"repeat_count": {"within_days": 7}}},
    {"name": "bill_shock", "kinds": ["bill"], "aggregation": {"last_over_mean_previous": {"previous": 3}},
     "field": "value"},
    {"name": "top_up_gap", "kinds": ["top_up"], "aggregation": "gap_ratio"},
    {"name": "category", "kinds": ["survey_answer"], "aggregation": "nps_category", "field": "value"},
    {"name": "billing_contacts", "kinds": ["contact_opened"], "aggregation": "count",
     "filter": {"field": "department", "equals": "billing"}},
    {"name": "resolved", "kinds": ["contact_resolved"], "aggregation": "count", "filter": {"field": "flag", "equals": True}},
    {"name": "low_answers", "kinds": ["survey_answer"], "aggregation": "count",
     "filter": {"all": [{"field": "value", "min": 0, "max": 6}, {"not": {"field": "value", "max": 2}}]}},
    {"name": "spend_minus_bills", "difference": ["spend_30d", "bill_std"]},
    {"name": "roaming_share", "ratio": ["roaming_90d", "cases_90d"]},
]}
DECLARED = ["roaming"]

retention = nps.features.retention(events, as_of=AS_OF, declared_kinds=DECLARED)
declared = nps.features.compute(events, DEFINITIONS, as_of=AS_OF, declared_kinds=DECLARED)

# An independent check of part of the retention set, written directly in pandas.
past = events[events["time"] < AS_OF]
age = (AS_OF - past["time"]) / DAY


def of(ks, days=None):
    m = past["kind"].isin(ks)
    if days is not None:
        m &= age <= days
    return past[m].groupby("customer")


reference = pd.DataFrame(index=retention.index)
reference["contacts_30d"] = of(["contact_opened"], 30).size()
reference["aht_90d"] = of(["contact_resolved"], 90)["duration"].mean()
reference["lifetime_value"] = of(["payment"])["value"].sum()
reference["days_since_last_contact"] = (AS_OF - of(["contact_opened"])["time"].max()) / DAY
for col in ("contacts_30d", "lifetime_value"):
    reference[col] = reference[col].fillna(0.0)
for col in reference:
    np.testing.assert_allclose(retention[col].to_numpy(), reference[col].to_numpy(), rtol=1e-9, atol=1e-9, err_msg=col)


def cells(values):
    return [None if (v is None or (isinstance(v, float) and math.isnan(v))) else v for v in values]


def frame(f):
    return {"names": list(f.columns), "rows": {str(c): cells(f.loc[c].tolist()) for c in f.index}}


out = {
    "as_of": AS_OF,
    "declared_kinds": DECLARED,
    "events": {"customer": customer.tolist(), "time": time.tolist(), "kind": kind.tolist(), "value": cells(value.tolist()),
               "duration": cells(duration.tolist()), "department": cells(department.tolist()),
               "case": cells(case.tolist()), "flag": cells(flag.tolist())},
    "definitions": DEFINITIONS,
    "retention": frame(retention),
    "declared": frame(declared),
    "pandas": frame(reference),
}
path = Path(__file__).with_name("features.json")
path.write_text(json.dumps(out) + "\n")
print(f"wrote {path}: {len(retention)} customers, {retention.shape[1]} + {declared.shape[1]} features")
