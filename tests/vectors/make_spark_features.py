"""Writes tests/vectors/spark_features.json: a feature set that Spark SQL computes
(``FeatureEngine.spark_sql``: sums of two digits and of one, means, minima and maxima with
-0, first and last values, an NPS category, days since, a filter, composites, defaults),
events with values a running sum gets wrong (mixed signs, zeros of both signs, magnitudes
from 1e-9 to 1e7), what one pass over them found (the ranges), the SQL the core wrote, and
each customer's features as **Spark** computed them with it (bits in hex), plus the error of
a set the SQL does not write. The Rust, Python and Node tests must write the same SQL, and
the core's features must equal Spark's bits without Spark.

    .venv/bin/python tests/vectors/make_spark_features.py   (after building the extension; needs Java)
"""

import json
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd

import nps

DEFINITIONS = {"features": [
    {"name": "spend", "kinds": ["payment", "top_up"], "aggregation": "sum", "field": "value"},
    {"name": "mean_spend", "kinds": ["payment"], "aggregation": "mean", "field": "value", "window": {"days": 60}},
    {"name": "handled", "kinds": ["contact_resolved"], "aggregation": "sum", "field": "duration",
     "filter": {"not": {"field": "flag", "equals": True}}},
    {"name": "least", "kinds": ["payment", "top_up"], "aggregation": "min", "field": "value"},
    {"name": "most", "kinds": ["payment", "top_up"], "aggregation": "max", "field": "value", "default": -1},
    {"name": "first", "kinds": ["payment"], "aggregation": "first", "field": "value"},
    {"name": "last", "kinds": ["top_up"], "aggregation": "last", "field": "value"},
    {"name": "billing", "kinds": ["contact_resolved"], "aggregation": "count", "default": 7,
     "filter": {"field": "department", "equals": "billing"}},
    {"name": "answer", "kinds": ["survey_answer"], "aggregation": "nps_category", "field": "value"},
    {"name": "since", "kinds": ["payment"], "aggregation": "days_since_last", "window": {"days": 45.5, "offset_days": 10}},
    {"name": "ratio", "ratio": ["spend", "handled"], "default": 0.5},
    {"name": "gap", "difference": ["most", "least"]}]}
AS_OF = pd.Timestamp("2026-06-15")

rng = np.random.default_rng(20261207)
customers, n = 40, 900
kinds = rng.choice(["payment", "top_up", "contact_resolved", "survey_answer"], n, p=[0.45, 0.25, 0.2, 0.1])
value = rng.choice([0.01, 0.1, 0.3, 1e7, 1e-9, 2.0 ** 40, 1.0, 0.0, -0.0], n) * rng.choice([1, -1, 3, 7], n)
value = np.where(rng.random(n) < 0.3, rng.normal(0, 1e3, n).round(2), value)
value = np.where(rng.random(n) < 0.05, np.nan, value)
value = np.where(kinds == "survey_answer", rng.integers(0, 11, n).astype(float), value)
seconds = int(pd.Timestamp("2026-01-01").timestamp()) + rng.permutation(200 * 86_400)[:n]  # no two alike
events = pd.DataFrame({
    "customer": [f"c{c}" for c in rng.integers(0, customers, n)],
    "time": pd.to_datetime(seconds, unit="s"), "kind": kinds, "value": value,
    "duration": np.where(kinds == "contact_resolved", rng.integers(0, 5_000, n).astype(float), np.nan),
    "department": rng.choice(["billing", "tech", None], n),
    "flag": pd.array(rng.choice([True, False, None], n), dtype=object)})
# A customer whose payments are all -0, and one whose minimum is -0 and maximum 0.
zeros = pd.DataFrame({"customer": ["z0", "z0", "z1", "z1"], "kind": "payment", "value": [-0.0, -0.0, 0.0, -0.0],
                      "time": pd.to_datetime([1777593600, 1777593601, 1777593602, 1777593603], unit="s")})
events = pd.concat([events, zeros], ignore_index=True)
want = nps.features.compute(events, DEFINITIONS, as_of=AS_OF)

os.environ["PYSPARK_PYTHON"] = sys.executable
from pyspark.sql import SparkSession  # noqa: E402

import nps.spark  # noqa: E402

spark = SparkSession.builder.master("local[1]").config("spark.ui.enabled", "false").getOrCreate()
schema = "customer string, time timestamp, kind string, value double, duration double, department string, flag boolean"
df = spark.createDataFrame(events[["customer", "time", "kind", "value", "duration", "department", "flag"]], schema)
engine = nps.features.FeatureEngine(json.dumps(DEFINITIONS))
ranges = df.selectExpr(*[f"{c['expression']} AS {c['name']}" for c in json.loads(engine.spark_sql_ranges())]).first()
got = nps.spark.features(df, DEFINITIONS, as_of=AS_OF).toPandas().set_index("customer").loc[want.index]
spark.stop()
assert got.to_numpy().tobytes() == want.to_numpy().tobytes(), "Spark and the core disagree"
as_of = int(AS_OF.timestamp())
sql = json.loads(engine.spark_sql(as_of, json.dumps(ranges.asDict())))

try:
    nps.features.FeatureEngine(json.dumps({"features": [
        {"name": "spread", "kinds": ["payment"], "aggregation": "std", "field": "value"}]})).spark_sql_ranges()
    raise AssertionError("a standard deviation has no SQL")
except nps.NpsError as e:
    error = {"code": e.code, "message": str(e)}


def cell(v):
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    return v.item() if hasattr(v, "item") else v


out = {
    "about": __doc__.split("\n\n")[0],
    "definitions": DEFINITIONS,
    "as_of": as_of,
    "events": {
        "customer": events["customer"].tolist(),
        "time": (events["time"].astype("datetime64[s]").astype(np.int64)).tolist(),
        "kind": events["kind"].tolist(),
        "value": [cell(v) for v in events["value"]],
        "duration": [cell(v) for v in events["duration"]],
        "department": [cell(v) for v in events["department"]],
        "flag": [cell(v) for v in events["flag"]],
    },
    "ranges": ranges.asDict(),
    "sql": sql,
    "names": list(want.columns),
    "spark": {c: [f"{np.float64(x).view(np.uint64):016x}" for x in got.loc[c]] for c in got.index},
    "unsupported": {"definitions": {"features": [
        {"name": "spread", "kinds": ["payment"], "aggregation": "std", "field": "value"}]}, "error": error},
}
path = Path(__file__).with_name("spark_features.json")
path.write_text(json.dumps(out, indent=None) + "\n")
print(f"wrote {path} ({len(events)} events, {len(got)} customers)")
