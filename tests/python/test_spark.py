"""nps.spark on a local Spark (PySpark, the optional extra, is in the dev environment): each
result equals the single-machine function on the collected data, the counts exactly, the
statistics to 1e-12, the scores to the bit; bad input stops the job with the core's error."""

import json
import os
import re
import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import nps

pyspark = pytest.importorskip("pyspark") if os.environ.get("CI") != "true" else __import__("pyspark")
import nps.spark  # noqa: E402


JAVA = "Spark needs Java 17 or later: install it (Debian/Ubuntu: apt-get install openjdk-17-jre-headless) or set JAVA_HOME"


def java_or_fail():
    """Spark runs on the JVM: without Java its tests fail in CI, saying what to install, and
    are skipped elsewhere."""
    home = os.environ.get("JAVA_HOME")
    if shutil.which("java") or (home and os.path.exists(os.path.join(home, "bin", "java"))):
        return
    if os.environ.get("CI") == "true":
        pytest.fail(JAVA)
    pytest.skip(JAVA)


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    java_or_fail()
    os.environ["PYSPARK_PYTHON"] = sys.executable
    session = (SparkSession.builder.master("local[2]").appName("nps-tests")
               .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4")
               .config("spark.sql.execution.arrow.maxRecordsPerBatch", "500")  # several batches per partition
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def _answers(n=5_000, seed=3):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "score": rng.integers(0, 11, n).astype(np.int64),
        "region": rng.choice(["north", "south", "east", "west"], n),
        "plan": rng.choice(["prepaid", "postpaid"], n),
        "weight": rng.uniform(0.2, 3.0, n),
        "time": pd.to_datetime(1_767_225_600 + rng.integers(0, 365 * 86_400, n), unit="s"),
    })


def _same(got, want):
    counts = ["n", "detractors", "passives", "promoters", "skipped", "out_of_range"]
    # (nps.breakdown names one key's index "segment"; nps.spark after the key column.)
    assert list(got.index) == list(want.index) or [str(x) for x in got.index] == [str(x) for x in want.index]
    if want.index.nlevels > 1:
        assert got.index.names == want.index.names
    assert (got[counts].to_numpy() == want[counts].to_numpy()).all()
    stats = [c for c in want.columns if c not in counts and want[c].dtype.kind == "f"]
    np.testing.assert_allclose(got[stats].to_numpy(), want[stats].to_numpy(), rtol=0, atol=1e-12)


def test_breakdown_equals_the_collected_breakdown(spark):
    pdf = _answers()
    df = spark.createDataFrame(pdf.drop(columns="time")).repartition(7)
    _same(nps.spark.breakdown(df, "score", "region"), nps.breakdown(pdf["score"], pdf["region"]))
    _same(nps.spark.breakdown(df, "score", ["region", "plan"], weight="weight", method="wald", level=0.9),
          nps.breakdown(pdf["score"], pdf[["region", "plan"]], pdf["weight"], method="wald", level=0.9))
    as_spark = nps.spark.breakdown(df, "score", "region", spark=True).toPandas().set_index("region")
    _same(as_spark, nps.breakdown(pdf["score"], pdf["region"]))


def test_policies_count_what_they_leave_out_and_bad_answers_stop_the_job(spark):
    pdf = _answers(2_000).drop(columns="time")
    pdf["score"] = pdf["score"].astype(float)
    pdf.loc[[5, 77, 1_500], "score"] = [11.0, np.nan, -1.0]
    pdf.loc[[9, 10], "region"] = None
    df = spark.createDataFrame(pdf).repartition(3)
    options = dict(missing="skip", out_of_range="skip")
    for dropna in (True, False):
        got = nps.spark.breakdown(df, "score", "region", dropna=dropna, **options)
        want = nps.breakdown(pdf["score"], pdf["region"], dropna=dropna, **options)
        _same(got, want)
        assert got.attrs["dropped"] == want.attrs["dropped"] == (2 if dropna else 0)
    assert got["out_of_range"].sum() == 2 and got["skipped"].sum() == 1
    with pytest.raises(nps.NpsError) as e:
        nps.spark.breakdown(df, "score", "region", dropna=True)
    assert e.value.code in ("OUT_OF_RANGE", "MISSING_VALUE")
    assert "score (in the row region=" in str(e.value)
    with pytest.raises(nps.NpsError, match="region is missing in a row") as e:
        nps.spark.breakdown(df, "score", "region", **options)
    assert e.value.code == "MISSING_VALUE"
    with pytest.raises(nps.NpsError, match="df has no column 'regio'"):
        nps.spark.breakdown(df, "score", "regio")


def test_trend_equals_the_collected_trend(spark):
    pdf = _answers()
    df = spark.createDataFrame(pdf).repartition(5)
    for period in ("week", "month", "quarter"):
        got = nps.spark.trend(df, "score", "time", period=period, weight="weight")
        want = nps.trend(pdf["score"], pdf["time"], period=period, weights=pdf["weight"])
        _same(got, want)
        assert (got["start"].to_numpy() == want["start"].to_numpy()).all()
        assert (got["direction"].to_numpy() == want["direction"].to_numpy()).all()
    with pytest.raises(nps.NpsError, match="fortnight"):
        nps.spark.trend(df, "score", "time", period="fortnight")


def test_scores_and_explanations_equal_one_machine_to_the_bit(spark):
    base = nps.synth.generate(customers=1_200, seed=8)
    X = nps.features.retention(base.events, as_of=base.as_of)
    y = base.labels.loc[X.index, "churned"]
    churn = nps.ChurnModel().fit(X, y)
    boosted = nps.BoostedChurnModel(n_estimators=30).fit(X, y)
    frame = X.reset_index()
    df = spark.createDataFrame(frame).repartition(3)
    for model in (churn, boosted):
        got = nps.spark.score(df, model).toPandas().set_index("customer").loc[X.index, "churn_probability"]
        assert got.to_numpy().tobytes() == np.asarray(model.churn_probability(X), dtype=np.float64).tobytes()
    ltr = nps.LtrModel().fit(X.loc[base.surveys["customer"].unique()].drop(columns=["last_nps", "last_nps_category",
                                                                                     "days_since_last_nps",
                                                                                     "interaction_quality_90d",
                                                                                     "worst_interaction_90d",
                                                                                     "last_interaction"]),
                             base.labels.loc[base.surveys["customer"].unique(), "true_score"])
    got = nps.spark.score(df, ltr).toPandas().set_index("customer").loc[X.index]
    want = ltr.predict_proba(X[ltr._model.inputs])
    assert got[["p_detractor", "p_passive", "p_promoter"]].to_numpy().tobytes() == np.ascontiguousarray(want).tobytes()
    for model in (churn, boosted):
        explained = nps.spark.explain(df, model, top=2).toPandas().set_index("customer").loc[X.index[:50]]
        one = model.explain(X.iloc[:50], top=2)
        for customer, row in explained.iterrows():
            mine = one[one["customer"] == customer]
            assert [(f["direction"], f["factor"], f["contribution"]) for f in row["factors"]] == \
                list(zip(mine["direction"], mine["factor"], mine["contribution"]))
            assert row["churn_probability"] == mine["probability"].iloc[0]
    with pytest.raises(nps.NpsError, match="a model input"):
        nps.spark.score(df.drop("tenure_days"), churn)


def test_the_shared_vector_scores_to_spark_s_bits_without_spark():
    """tests/vectors/spark_sql.json: the expression Python wrote and what Spark computed
    with it; the core gives the same probabilities (no Spark needed here)."""
    v = json.loads((Path(__file__).resolve().parents[1] / "vectors" / "spark_sql.json").read_text(encoding="utf-8"))
    model = nps.ChurnModel.from_json(json.dumps(v["model"]))
    assert model.spark_sql() == v["sql"]
    rows = pd.DataFrame(v["rows"], columns=v["inputs"])
    assert model.churn_probability(rows).tobytes() == np.array(v["spark"]).tobytes()
    with pytest.raises(nps.NpsError) as e:
        nps.ChurnModel.from_json(json.dumps(v["recalibrated"])).spark_sql()
    assert (e.value.code, str(e.value)) == (v["error"]["code"], v["error"]["message"])


def test_the_features_vector_is_spark_s_without_spark():
    """tests/vectors/spark_features.json: the SQL the core writes for a feature set is the SQL
    Spark ran, and the core's features of those events are Spark's bits (no Spark here)."""
    v = json.loads((Path(__file__).resolve().parents[1] / "vectors" / "spark_features.json").read_text(encoding="utf-8"))
    engine = nps.features.FeatureEngine(json.dumps(v["definitions"]))
    assert {c["name"] for c in json.loads(engine.spark_sql_ranges())} == set(v["ranges"])
    assert json.loads(engine.spark_sql(v["as_of"], json.dumps(v["ranges"]))) == v["sql"]
    with pytest.raises(nps.NpsError, match="ranges must be the row of spark_sql_ranges as JSON") as err:
        engine.spark_sql(v["as_of"], '{"rows": -1}')
    assert err.value.code == "INVALID_PARAMETER"
    e = v["events"]
    events = pd.DataFrame({**e, "time": pd.to_datetime(e["time"], unit="s"),
                           "value": np.array(e["value"], dtype=float), "duration": np.array(e["duration"], dtype=float)})
    got = nps.features.compute(events, v["definitions"], as_of=v["as_of"])
    assert list(got.columns) == v["names"] and sorted(got.index) == sorted(v["spark"])
    want = np.array([[int(b, 16) for b in v["spark"][c]] for c in got.index], dtype=np.uint64).view(np.float64)
    assert got.to_numpy().tobytes() == want.tobytes()
    with pytest.raises(nps.NpsError) as err:
        nps.features.FeatureEngine(json.dumps(v["unsupported"]["definitions"])).spark_sql_ranges()
    assert (err.value.code, str(err.value)) == (v["unsupported"]["error"]["code"], v["unsupported"]["error"]["message"])


def _mixed_inputs(n=3_000, seed=5):
    """Numbers with gaps, whole numbers, categories with gaps, quotes, a backslash and
    accents, booleans."""
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({
        "tenure": rng.integers(0, 2_000, n).astype(np.int64),
        "bill": np.where(rng.random(n) < 0.1, np.nan, rng.normal(50, 20, n)),
        "plan": pd.array(rng.choice(["pre'paid", "post\\paid", "bündle", None], n), dtype=object),
        "autopay": rng.random(n) < 0.5,
        "region": rng.choice(["north", "south", "éast"], n),
    })
    y = (rng.random(n) < 0.3 + 0.2 * X["autopay"]).astype(int)
    return X, y


def test_a_logistic_model_scores_in_sql_to_the_bit(spark):
    """A logistic churn model runs in the JVM as one Spark SQL expression (no Python worker)
    and gives the core's probabilities to the bit, and the core's words for a bad row."""
    X, y = _mixed_inputs()
    df = spark.createDataFrame(X.assign(id=np.arange(len(X)))).repartition(3)
    for unseen in ("error", "ignore"):
        model = nps.ChurnModel(unseen=unseen).fit(X, y)
        assert nps.spark._sql_scorer(df, model) == model.spark_sql()
        scored = nps.spark.score(df, model)
        assert "Python" not in scored._jdf.queryExecution().executedPlan().toString()  # no Python worker
        got = scored.toPandas().set_index("id").sort_index()["churn_probability"]
        assert got.to_numpy().tobytes() == model.churn_probability(X).tobytes()
    model = nps.ChurnModel().fit(X, y)
    for column, value, words in [("region", "west", 'unknown category of region "west"; expected one of a category '
                                                   'seen in training: north, south, éast'),
                                 ("bill", float("inf"), "bill must be a finite number, got Infinity"),
                                 ("autopay", None, "autopay is missing (null) in a row")]:
        bad = X.head(4).astype({column: object})
        bad.loc[2, column] = value
        with pytest.raises(nps.NpsError):
            model.churn_probability(bad)
        with pytest.raises(Exception, match=re.escape(words)) as e:
            nps.spark.score(spark.createDataFrame(bad, schema=df.drop("id").schema), model).collect()
        assert "USER_RAISED_EXCEPTION" in str(e.value)
    # Trained without gaps in tenure, the model refuses one, in SQL as in the core.
    with pytest.raises(Exception, match=r"tenure is missing \(null or NaN\) in a row"):
        frame = X.head(3).astype({"tenure": float})
        frame.loc[1, "tenure"] = np.nan
        nps.spark.score(spark.createDataFrame(frame), model).collect()


def test_other_churn_models_and_columns_score_through_python(spark):
    """A recalibrated model, or inputs of another type than the SQL reads, take the Arrow
    path: the same numbers."""
    X, y = _mixed_inputs(n=1_500)
    model = nps.ChurnModel().fit(X, y)
    recalibrated = nps.ChurnModel().fit(X, y).recalibrate(y, X)
    with pytest.raises(nps.NpsError, match="recalibration"):
        recalibrated.spark_sql()
    as_text = X.astype({"tenure": str})  # a numeric input held as text: read by the core, not by the SQL
    for m, frame in ((recalibrated, X), (model, as_text)):
        df = spark.createDataFrame(frame.assign(id=np.arange(len(frame))))
        assert nps.spark._sql_scorer(df, m) is None
        got = nps.spark.score(df, m).toPandas().set_index("id").sort_index()["churn_probability"]
        assert got.to_numpy().tobytes() == m.churn_probability(frame).tobytes()


def test_a_collated_string_column_is_not_read_by_the_sql(spark):
    """A category column with a case-insensitive collation would compare "North" equal to
    "north": the SQL is not used there (the core compares labels byte for byte)."""
    from pyspark.sql import functions as F

    X, y = _mixed_inputs(n=500)
    model = nps.ChurnModel().fit(X, y)
    df = spark.createDataFrame(X)
    assert nps.spark._sql_scorer(df, model) is not None
    collated = df.withColumn("region", F.expr("collate(region, 'UTF8_LCASE')"))
    assert nps.spark._sql_scorer(collated, model) is None


def _events_with_a_heavy_customer(customers=400, seed=11):
    """A generated history, one customer with a large share of the events (many contacts
    and usage records), nulls in the optional columns (as generated)."""
    base = nps.synth.generate(customers=customers, seed=seed)
    events = base.events.copy()
    for c in ("customer", "kind", "department"):
        events[c] = events[c].astype(object).where(events[c].notna(), None)
    heavy = events[events["customer"] == events["customer"].iloc[0]]
    rng = np.random.default_rng(seed)
    extra = heavy.sample(n=3 * len(events) // 4, replace=True, random_state=seed).copy()
    extra["time"] = extra["time"] + pd.to_timedelta(rng.integers(1, 3_000_000, len(extra)), unit="s")
    events = pd.concat([events, extra], ignore_index=True).sample(frac=1.0, random_state=seed).reset_index(drop=True)
    events["case"] = events["case"].astype(float)
    events["flag"] = events["flag"].astype(object).where(events["flag"].notna(), None)
    return base, events


def _unique_times(events):
    """One machine takes a customer's events at the same second in the frame's order and
    Spark in its own: the generated history is made free of such ties (see features' doc)."""
    events = events.sort_values(["customer", "time"], kind="stable").copy()
    step = events.groupby(["customer", "time"]).cumcount()
    events["time"] = events["time"] + pd.to_timedelta(step, unit="s")
    return events.sample(frac=1.0, random_state=1).reset_index(drop=True)


def test_features_equal_one_machine_to_the_bit(spark):
    base, events = _events_with_a_heavy_customer()
    events = _unique_times(events)
    assert events["customer"].value_counts().iloc[0] > 0.4 * len(events)  # a skewed customer
    df = spark.createDataFrame(events)
    want = nps.features.retention(events, as_of=base.as_of)
    for partitions in (1, 7, 64):  # 64 partitions: many of them empty or one customer
        got = nps.spark.features(df, as_of=base.as_of, partitions=partitions).toPandas().set_index("customer")
        assert sorted(got.index) == sorted(want.index)
        got = got.loc[want.index, list(want.columns)]
        assert got.to_numpy().tobytes() == want.to_numpy(dtype=np.float64).tobytes()
    definitions = {"features": [{"name": "bills", "kinds": ["bill"], "aggregation": "count", "window": {"days": 90}},
                                {"name": "last_bill", "kinds": ["bill"], "aggregation": "last", "field": "value"}]}
    got = nps.spark.features(df, definitions, as_of="2026-06-01").toPandas().set_index("customer")
    want = nps.features.compute(events, definitions, as_of="2026-06-01")
    got = got.loc[want.index, list(want.columns)]
    assert got.to_numpy().tobytes() == want.to_numpy(dtype=np.float64).tobytes()
    # Numeric customer ids keep their type.
    numbered = events.assign(customer=events["customer"].str[1:].astype(np.int64))
    got = nps.spark.features(spark.createDataFrame(numbered), definitions, as_of="2026-06-01").toPandas()
    assert got["customer"].dtype.kind == "i"
    want = nps.features.compute(numbered, definitions, as_of="2026-06-01")
    assert got.set_index("customer").loc[want.index].to_numpy().tobytes() == want.to_numpy().tobytes()


SUMS_AND_LASTS = {"features": [
    {"name": "contacts_30d", "kinds": ["contact_opened"], "aggregation": "count", "window": {"days": 30}},
    {"name": "lifetime_value", "kinds": ["payment"], "aggregation": "sum", "field": "value"},
    {"name": "usage_30d", "kinds": ["usage"], "aggregation": "sum", "field": "value", "window": {"days": 30}},
    {"name": "usage_prev_30d", "kinds": ["usage"], "aggregation": "sum", "field": "value",
     "window": {"days": 30, "offset_days": 30}},
    {"name": "usage_trend", "ratio": ["usage_30d", "usage_prev_30d"]},
    {"name": "aht_90d", "kinds": ["contact_resolved"], "aggregation": "mean", "field": "duration", "window": {"days": 90}},
    {"name": "worst_90d", "kinds": ["contact_resolved", "survey_answer"], "aggregation": "min", "field": "value",
     "window": {"days": 90}},
    {"name": "top_bill", "kinds": ["bill"], "aggregation": "max", "field": "value", "default": 0},
    {"name": "first_bill", "kinds": ["bill"], "aggregation": "first", "field": "value"},
    {"name": "last_nps", "kinds": ["survey_answer"], "aggregation": "last", "field": "value"},
    {"name": "nps_category", "kinds": ["survey_answer"], "aggregation": "nps_category", "field": "value"},
    {"name": "billing_contacts", "kinds": ["contact_opened"], "aggregation": "count",
     "filter": {"field": "department", "equals": "billing"}},
    {"name": "days_since_last_contact", "kinds": ["contact_opened"], "aggregation": "days_since_last"},
    {"name": "tenure_days", "kinds": ["subscription_start"], "aggregation": "days_since_first"}]}


def test_features_of_scattered_events_equal_one_machine_to_the_bit(spark):
    """Events scattered over many partitions (each customer's in several), sums of values a
    running total rounds differently in different orders (the core adds exactly), extremes,
    first and last values: the one machine's features to the bit."""
    base, events = _events_with_a_heavy_customer(customers=300, seed=8)
    events = _unique_times(events)
    rng = np.random.default_rng(3)
    paid = events["kind"].isin(["payment", "usage", "bill"]).to_numpy()
    events.loc[paid, "value"] = events.loc[paid, "value"] * 0.1 + rng.uniform(0, 1e-3, paid.sum())
    want = nps.features.compute(events, SUMS_AND_LASTS, as_of=base.as_of)
    assert want["lifetime_value"].gt(0).sum() > 100 and want["last_nps"].notna().sum() > 50
    df = spark.createDataFrame(events).repartition(9)  # round robin: every customer in several splits
    for partitions in (None, 5):
        got = nps.spark.features(df, SUMS_AND_LASTS, as_of=base.as_of, partitions=partitions).toPandas().set_index("customer")
        assert sorted(got.index) == sorted(want.index)
        got = got.loc[want.index, list(want.columns)]
        assert got.to_numpy().tobytes() == want.to_numpy(dtype=np.float64).tobytes(), partitions


def test_features_errors_name_the_customer_and_definitions_fail_on_the_driver(spark):
    base, events = _events_with_a_heavy_customer(customers=60)
    events.loc[events.index[3], "duration"] = -5.0
    df = spark.createDataFrame(events)
    with pytest.raises(Exception, match="an event of customer"):
        nps.spark.features(df, as_of=base.as_of).collect()
    with pytest.raises(nps.NpsError, match="aggregation"):
        nps.spark.features(df, {"features": [{"name": "x", "kinds": ["bill"], "aggregation": "median"}]}, as_of=base.as_of)
    with pytest.raises(nps.NpsError, match="as_of is required"):
        nps.spark.features(df)
    with pytest.raises(nps.NpsError, match="missing the column"):
        nps.spark.features(df.drop("kind"), as_of=base.as_of)


def test_decisions_equal_one_machine(spark):
    base = nps.synth.generate(customers=800, seed=5)
    X = nps.features.retention(base.events, as_of=base.as_of)
    y = base.labels.loc[X.index, "churned"]
    catalog = nps.ActionCatalog.playbook()
    rng = np.random.default_rng(2)
    frame = X.reset_index()
    frame["complained_outage"] = rng.choice([True, False, None], len(frame))
    frame["complained_overage"] = rng.choice([True, False], len(frame))
    frame["bill"] = rng.uniform(10, 90, len(frame))
    frame["segment"] = rng.choice(["consumer", "business"], len(frame))
    df = spark.createDataFrame(frame).repartition(4)
    for model in (nps.ChurnModel().fit(X, y), nps.BoostedChurnModel(n_estimators=20).fit(X, y)):
        got = nps.spark.decide(df, model, catalog, top=2, mapping={"bill": "monthly_bill"}, trace=True)
        got = got.toPandas().set_index("customer").loc[X.index]
        p = model.churn_probability(X)
        assert got["churn_probability"].to_numpy().tobytes() == np.asarray(p, dtype=np.float64).tobytes()
        fields = frame.set_index("customer").rename(columns={"bill": "monthly_bill"})[[f for f, _ in catalog.fields]]
        factors = model.contributions(X)[[f for f in catalog.factors if f in X.columns]]
        want = catalog.decide(fields, probability=p, factors=factors, top=2)
        for k in (1, 2):
            assert got[f"action_{k}"].tolist() == [None if v is None else v for v in want[f"action_{k}"].tolist()]
            np.testing.assert_array_equal(got[f"priority_{k}"].to_numpy(), want[f"priority_{k}"].to_numpy())
        one = X.index[7]
        record = {k: (None if v is None or v != v else v) for k, v in fields.loc[one].items()}
        d = catalog.decide(record, probability=float(p[7]),
                           factors={k: float(v) for k, v in factors.loc[one].items()}, top=2)
        assert [(t["id"], t["status"], t["detail"]) for t in got.loc[one, "trace"]] == \
            [(t["id"], t["status"], t["detail"]) for t in d["trace"]]
        assert got.loc[one, "action_1"] == (d["actions"][0]["id"] if d["actions"] else None)
    with pytest.raises(nps.NpsError, match="monthly_bill"):
        nps.spark.decide(df, model, catalog)


def _telco_like(n=3_000, seed=4):
    rng = np.random.default_rng(seed)
    tenure = rng.integers(0, 72, n).astype(float)
    plan = rng.choice(["prepaid", "postpaid", "business"], n).astype(object)
    paperless = rng.choice(["Yes", "No"], n)
    senior = rng.uniform(size=n) < 0.2
    bill = rng.uniform(10, 120, n)
    z = 0.8 - 0.04 * tenure + np.where(plan == "prepaid", 0.9, 0.0) + 0.01 * bill + np.where(senior, 0.4, 0.0)
    churned = np.where(rng.uniform(size=n) < 1 / (1 + np.exp(-z)), "Yes", "No")
    tenure[rng.uniform(size=n) < 0.05] = np.nan
    plan[rng.uniform(size=n) < 0.03] = None
    return pd.DataFrame({"tenure": tenure, "plan": plan, "paperless": paperless, "senior": senior, "bill": bill,
                         "weight": np.where(rng.uniform(size=n) < 0.05, 0.0, rng.uniform(0.5, 2.0, n)),
                         "churned": churned})


def test_logistic_training_over_the_partitions_equals_one_machine(spark):
    frame = _telco_like()
    df = spark.createDataFrame(frame).repartition(6)
    X, y = frame.drop(columns=["churned", "weight"]), frame["churned"]
    for options, weighted in (({"tol": 1e-10}, False), ({"tol": 1e-10, "C": 0.1, "class_weight": "balanced"}, True)):
        want = nps.ChurnModel(**options).fit(X, y, sample_weight=frame["weight"] if weighted else None)
        got = nps.spark.fit(df if weighted else df.drop("weight"), "churned", nps.ChurnModel(**options),
                            sample_weight="weight" if weighted else None)
        assert list(got.classes_) == list(want.classes_) == ["No", "Yes"]
        assert got._model.columns == want._model.columns
        np.testing.assert_allclose(got.coef_, want.coef_, rtol=0, atol=1e-8)
        np.testing.assert_allclose(got.intercept_, want.intercept_, rtol=0, atol=1e-8)
        gj, wj = json.loads(got.to_json()), json.loads(want.to_json())
        assert gj["training"]["rows"] == wj["training"]["rows"] and gj["training"]["positives"] == wj["training"]["positives"]
        for g, w in zip(gj["encoder"]["columns"], wj["encoder"]["columns"]):
            assert g.keys() == w.keys() and g.get("categories") == w.get("categories")
            for k in ("mean", "center", "scale"):
                if k in w:
                    assert g[k] == pytest.approx(w[k], rel=1e-13)
        np.testing.assert_allclose(got.churn_probability(X), want.churn_probability(X), rtol=0, atol=1e-9)
    # Other kinds train on a stratified sample collected to the driver.
    boosted = nps.spark.fit(df.drop("weight"), "churned", nps.BoostedChurnModel(n_estimators=10), sample_rows=2_000)
    assert boosted.churn_probability(X).shape == (len(X),)
    sample = nps.spark.stratified_sample(df, "churned", rows=1_000, seed=1)
    assert 700 < len(sample) < 1_300
    assert abs((sample["churned"] == "Yes").mean() - (frame["churned"] == "Yes").mean()) < 0.05
    with pytest.raises(nps.NpsError, match="exactly two classes"):
        nps.spark.fit(df.withColumn("churned", df["plan"]), "churned")
    with pytest.raises(nps.NpsError, match="no label column"):
        nps.spark.fit(df, "churn")

def test_features_read_every_column_type_as_one_machine(spark):
    """The event columns Spark hands over (integer, text or float cases with nulls, nullable
    flags, a departments filter) and times as epoch seconds (read through pandas): the same
    numbers as nps.features.compute on the collected events."""
    base, events = _events_with_a_heavy_customer(customers=120, seed=4)
    events = _unique_times(events)
    events["customer"] = events["customer"].str[1:].astype(np.int64)
    definitions = {"features": [
        {"name": "cases_90d", "kinds": ["contact_opened"], "aggregation": "distinct_count", "field": "case",
         "window": {"days": 90}},
        {"name": "billing_contacts", "kinds": ["contact_opened"], "aggregation": "count",
         "filter": {"field": "department", "equals": "billing"}},
        {"name": "resolved", "kinds": ["contact_resolved"], "aggregation": "count", "filter": {"field": "flag", "equals": True}},
        {"name": "aht", "kinds": ["contact_resolved"], "aggregation": "mean", "field": "duration"},
        {"name": "last_nps", "kinds": ["survey_answer"], "aggregation": "last", "field": "value"}]}
    cases = {"float": events["case"], "int": events["case"].astype("Int64"),
             "text": events["case"].map(lambda c: None if c != c else f"K{c:.0f}")}
    for label, case in cases.items():
        frame = events.assign(case=case)
        want = nps.features.compute(frame, definitions, as_of=base.as_of)
        assert want["cases_90d"].max() > 1 and want["billing_contacts"].max() > 0
        got = nps.spark.features(spark.createDataFrame(frame), definitions, as_of=base.as_of).toPandas()
        got = got.set_index("customer").loc[want.index, list(want.columns)]
        assert got.to_numpy().tobytes() == want.to_numpy().tobytes(), label
    seconds = events.assign(time=events["time"].astype("datetime64[s]").astype(np.int64))
    want = nps.features.retention(seconds, as_of=base.as_of)
    got = nps.spark.features(spark.createDataFrame(seconds), as_of=base.as_of, partitions=3).toPandas()
    got = got.set_index("customer").loc[want.index, list(want.columns)]
    assert got.to_numpy().tobytes() == want.to_numpy().tobytes()
    # Columns the definitions do not read stay in the JVM only when no value could fail the
    # checks: a flag column of numbers is still read, and a bad flag still stops the job.
    aht = {"features": [definitions["features"][3]]}
    numbers = events.assign(flag=events["flag"].map(lambda f: np.nan if f is None else float(f)).astype(np.float64))
    assert nps.spark.features(spark.createDataFrame(numbers), aht, as_of=base.as_of).count() == len(want)
    numbers.loc[numbers.index[5], "flag"] = 5.0
    with pytest.raises(nps.NpsError, match="not a boolean"):
        nps.features.compute(numbers, aht, as_of=base.as_of)
    with pytest.raises(Exception, match="not a boolean"):
        nps.spark.features(spark.createDataFrame(numbers), aht, as_of=base.as_of).collect()


def _in_the_jvm(df):
    """Whether a DataFrame runs without a Python worker."""
    plan = df._jdf.queryExecution().executedPlan().toString()
    return "ArrowEvalPython" not in plan and "MapInArrow" not in plan and "PythonUDF" not in plan


HARD_SUMS = {"features": [
    {"name": "spend", "kinds": ["payment", "top_up"], "aggregation": "sum", "field": "value"},
    {"name": "mean_spend", "kinds": ["payment", "top_up"], "aggregation": "mean", "field": "value", "window": {"days": 60}},
    {"name": "older_spend", "kinds": ["payment", "top_up"], "aggregation": "sum", "field": "value",
     "window": {"days": 45.5, "offset_days": 10}},
    {"name": "least", "kinds": ["payment", "top_up"], "aggregation": "min", "field": "value"},
    {"name": "most", "kinds": ["payment", "top_up"], "aggregation": "max", "field": "value", "default": -1},
    {"name": "first", "kinds": ["payment"], "aggregation": "first", "field": "value"},
    {"name": "last", "kinds": ["top_up"], "aggregation": "last", "field": "value"},
    {"name": "handled", "kinds": ["contact_resolved"], "aggregation": "sum", "field": "duration",
     "filter": {"not": {"field": "flag", "equals": True}}},
    {"name": "mid", "kinds": ["payment"], "aggregation": "count",
     "filter": {"any": [{"field": "value", "min": -1, "max": 1}, {"all": [{"field": "department", "equals": "nowhere"}]}]}},
    {"name": "billing", "kinds": ["contact_resolved"], "aggregation": "count", "default": 7,
     "filter": {"field": "department", "equals": "billing"}},
    {"name": "answers", "kinds": ["survey_answer"], "aggregation": "nps_category", "field": "value"},
    {"name": "since", "kinds": ["payment"], "aggregation": "days_since_last"},
    {"name": "ratio", "ratio": ["spend", "older_spend"], "default": 0.5},
    {"name": "gap", "difference": ["most", "least"]}]}


def _hard_events(customers=150, seed=21):
    """Values a sum in any order gets wrong (mixed signs, zeros of both signs, cancellations,
    magnitudes from 1e-9 to 1e7, halfway cases), nulls, and customers with only later events."""
    rng = np.random.default_rng(seed)
    n = customers * 40
    kinds = rng.choice(["payment", "top_up", "contact_resolved", "survey_answer"], n, p=[0.45, 0.25, 0.2, 0.1])
    value = rng.choice([0.01, 0.1, 0.3, 1e7, 1e-9, 2.0 ** 53, 1.0, 0.0, -0.0], n) * rng.choice([1, -1, 3, 7], n)
    value = np.where(rng.random(n) < 0.3, rng.normal(0, 1e3, n).round(2), value)
    value = np.where(rng.random(n) < 0.05, np.nan, value)
    value = np.where(kinds == "survey_answer", rng.integers(0, 11, n).astype(float), value)
    when = pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 200 * 86_400, n), unit="s")
    events = pd.DataFrame({
        "customer": rng.integers(0, customers, n), "time": when, "kind": kinds, "value": value,
        "duration": np.where(kinds == "contact_resolved", rng.integers(0, 5_000, n) + rng.choice([0, 0.5, 1e-6], n), np.nan),
        "department": rng.choice(["billing", "tech", None], n),
        "flag": pd.array(rng.choice([True, False, None], n), dtype=object)})
    late = pd.DataFrame({"customer": [customers + 1], "time": [pd.Timestamp("2027-01-01")], "kind": ["payment"],
                         "value": [5.0], "duration": [np.nan], "department": [None], "flag": [None]})
    return _unique_times(pd.concat([events, late], ignore_index=True))


def test_features_in_spark_sql_equal_one_machine_to_the_bit(spark):
    events = _hard_events()
    as_of = "2026-06-15"
    want = nps.features.compute(events, HARD_SUMS, as_of=as_of)
    assert (want["spend"] != want["spend"].round(2)).sum() > 10 and np.signbit(want["least"]).sum() > 10
    df = spark.createDataFrame(events).repartition(7)
    got = nps.spark.features(df, HARD_SUMS, as_of=as_of)
    assert _in_the_jvm(got)
    got = got.toPandas().set_index("customer")
    assert sorted(got.index) == sorted(want.index)
    got = got.loc[want.index, list(want.columns)]
    assert got.to_numpy().tobytes() == want.to_numpy(dtype=np.float64).tobytes()
    # Whole numbers (one digit per sum), text customers, and a set with an aggregation the
    # SQL does not write (the event path).
    whole = events.assign(value=events["value"].round(), duration=events["duration"].round())
    zeros = pd.DataFrame({"customer": [500, 500, 501, 501], "kind": "payment", "value": [-0.0, -0.0, 0.0, -0.0],
                          "time": pd.Timestamp("2026-05-01") + pd.to_timedelta([0, 1, 2, 3], unit="s")})
    whole = pd.concat([whole, zeros], ignore_index=True)
    want = nps.features.compute(whole, HARD_SUMS, as_of=as_of)
    negative_zero = lambda c: ((want[c] == 0) & np.signbit(want[c])).sum()  # noqa: E731
    assert negative_zero("least") > 1 and negative_zero("spend") == 1 and negative_zero("most") == 1
    got = nps.spark.features(spark.createDataFrame(whole), HARD_SUMS, as_of=as_of)
    assert _in_the_jvm(got)
    got = got.toPandas().set_index("customer").loc[want.index, list(want.columns)]
    assert got.to_numpy().tobytes() == want.to_numpy(dtype=np.float64).tobytes()
    text = events.assign(customer="C" + events["customer"].astype(str))
    spread = {"features": HARD_SUMS["features"][:2] + [
        {"name": "spread", "kinds": ["payment"], "aggregation": "std", "field": "value"}]}
    for frame, definitions, jvm in ((text, HARD_SUMS, True), (events, spread, False)):
        want = nps.features.compute(frame, definitions, as_of=as_of)
        got = nps.spark.features(spark.createDataFrame(frame), definitions, as_of=as_of)
        assert _in_the_jvm(got) == jvm
        got = got.toPandas().set_index("customer").loc[want.index, list(want.columns)]
        assert got.to_numpy().tobytes() == want.to_numpy(dtype=np.float64).tobytes()


def test_features_in_spark_sql_without_ansi_mode(spark):
    """Spark 3's default (ANSI off: overflows and divisions by zero give null instead of
    failing) computes the same bits: the SQL never relies on either."""
    events = _hard_events(customers=40, seed=5)
    want = nps.features.compute(events, HARD_SUMS, as_of="2026-06-15")
    spark.conf.set("spark.sql.ansi.enabled", "false")
    try:
        got = nps.spark.features(spark.createDataFrame(events), HARD_SUMS, as_of="2026-06-15")
        assert _in_the_jvm(got)
        got = got.toPandas().set_index("customer").loc[want.index, list(want.columns)]
    finally:
        spark.conf.unset("spark.sql.ansi.enabled")
    assert got.to_numpy().tobytes() == want.to_numpy(dtype=np.float64).tobytes()


def test_sums_too_wide_for_spark_sql_go_through_the_core(spark):
    events = _hard_events(customers=30)
    events.loc[events.index[:5], "value"] = [1e-300, 3e-299, 1e250, -1e-310, 5.0]
    want = nps.features.compute(events, HARD_SUMS, as_of="2026-06-15")
    got = nps.spark.features(spark.createDataFrame(events), HARD_SUMS, as_of="2026-06-15")
    assert not _in_the_jvm(got)
    got = got.toPandas().set_index("customer").loc[want.index, list(want.columns)]
    assert got.to_numpy().tobytes() == want.to_numpy(dtype=np.float64).tobytes()


@pytest.mark.parametrize("column, value, words", [
    ("duration", -5.0, "duration = -5.0 is negative (an event of customer 3)"),
    # Too large for the sums' digits: the event path refuses it, in the same words.
    ("value", 1e300, "is outside finite numbers of magnitude at most 1e290 (an event of customer 3)"),
    ("kind", "teleport", 'unknown event kind teleport; expected one of a built-in kind'),
    ("survey", 11.0, "value (a survey answer) = 11.0 is outside whole answers on the scale 0..=10"),
    ("time", None, "time is missing (null) in an event of kind"),
])
def test_a_refused_event_stops_spark_sql_with_the_core_s_words(spark, column, value, words):
    events = _hard_events(customers=20)
    row = events.index[events["customer"] == 3][0]
    if column == "survey":
        events.loc[row, ["kind", "value"]] = ["survey_answer", value]
    else:
        events[column] = events[column].astype(object)
        events.loc[row, column] = value
    schema = "customer long, time timestamp, kind string, value double, duration double, department string, flag boolean"
    with pytest.raises(Exception, match=re.escape(words)):  # local data: raised while Spark plans
        nps.spark.features(spark.createDataFrame(events, schema), HARD_SUMS, as_of="2026-06-15").collect()
