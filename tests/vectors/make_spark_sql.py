"""Writes tests/vectors/spark_sql.json: a logistic churn model fitted in Python on numbers
with gaps, whole numbers, categories (with a quote, a backslash, accents and gaps) and
booleans; its Spark SQL expression (``model.spark_sql()``); rows, some far outside the
training data so that the log-odds reach hundreds and the exponential underflows; and each
row's probability as **Spark** computes it (the expression evaluated by a local Spark, on
Java's ``StrictMath.exp``). The Rust, Python and Node tests must write the same expression
and score every row to Spark's bits without Spark. Also a recalibrated model file and the
error its ``spark_sql`` gives.

    .venv/bin/python tests/vectors/make_spark_sql.py   (after building the extension; needs Java)
"""

import json
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd

import nps


def inputs(n, rng):
    return pd.DataFrame({
        "tenure": rng.integers(0, 2_000, n).astype(np.int64),
        "bill": np.where(rng.random(n) < 0.1, np.nan, rng.normal(50, 20, n)),
        "plan": pd.array(rng.choice(["pre'paid", "post\\paid", "bündle", None], n), dtype=object),
        "autopay": rng.random(n) < 0.5,
        "region": rng.choice(["north", "south", "éast"], n),
    })


rng = np.random.default_rng(20261207)
X = inputs(2_000, rng)
y = (rng.random(len(X)) < 0.2 + 0.3 * X["autopay"] + 0.2 * (X["region"] == "north")).astype(int)
model = nps.ChurnModel().fit(X, y)

rows = inputs(300, rng)
# Far outside training: log-odds in the hundreds either way (e^-|z| down to subnormal and zero).
far = rng.choice(len(rows), 60, replace=False)
rows.loc[far, "tenure"] = rng.choice([-1, 1], 60) * rng.integers(10_000, 3_000_000, 60)
rows.loc[far[:20], "bill"] = rng.choice([-1, 1], 20) * rng.uniform(1e3, 1e5, 20)
probabilities = model.churn_probability(rows)

os.environ["PYSPARK_PYTHON"] = sys.executable
from pyspark.sql import SparkSession  # noqa: E402
from pyspark.sql import functions as F  # noqa: E402

spark = SparkSession.builder.master("local[1]").config("spark.ui.enabled", "false").getOrCreate()
df = spark.createDataFrame(rows.assign(row=np.arange(len(rows))))
spark_p = df.select("row", F.expr(model.spark_sql()).alias("p")).toPandas().sort_values("row")["p"].to_numpy()
spark.stop()
assert spark_p.tobytes() == probabilities.tobytes(), "Spark and the core disagree"

recalibrated = nps.ChurnModel().fit(X, y).recalibrate(y, X)
try:
    recalibrated.spark_sql()
    raise AssertionError("a recalibrated model has no SQL")
except nps.NpsError as e:
    error = {"code": e.code, "message": str(e)}


def cell(v):
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    return v.item() if hasattr(v, "item") else v


out = {
    "about": __doc__.split("\n\n")[0],
    "model": json.loads(model.to_json()),
    "sql": model.spark_sql(),
    "inputs": list(X.columns),
    "rows": [[cell(v) for v in row] for row in rows.itertuples(index=False)],
    "spark": spark_p.tolist(),
    "recalibrated": json.loads(recalibrated.to_json()),
    "error": error,
}
path = Path(__file__).with_name("spark_sql.json")
path.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n")
print(f"wrote {path}: {len(rows)} rows, log-odds {model.decision_function(rows).min():.0f} to "
      f"{model.decision_function(rows).max():.0f}")
