"""nps.spark on a local Spark (PySpark, the optional extra, is in the dev environment): each
result equals the single-machine function on the collected data, the counts exactly, the
statistics to 1e-12, the scores to the bit; bad input stops the job with the core's error."""

import os
import sys

import numpy as np
import pandas as pd
import pytest

import nps

pyspark = pytest.importorskip("pyspark") if os.environ.get("CI") != "true" else __import__("pyspark")
import nps.spark  # noqa: E402


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

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
    explained = nps.spark.explain(df, churn, top=2).toPandas().set_index("customer").loc[X.index[:50]]
    one = churn.explain(X.iloc[:50], top=2)
    for customer, row in explained.iterrows():
        mine = one[one["customer"] == customer]
        assert [(f["direction"], f["factor"], f["contribution"]) for f in row["factors"]] == \
            list(zip(mine["direction"], mine["factor"], mine["contribution"]))
        assert row["churn_probability"] == mine["probability"].iloc[0]
    with pytest.raises(nps.NpsError, match="a model input"):
        nps.spark.score(df.drop("tenure_days"), churn)
