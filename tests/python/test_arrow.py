"""Arrow in, Arrow out (docs/arrow.md): a pyarrow Table or RecordBatch, a polars DataFrame and
any object with the Arrow PyCapsule interface give the pandas results, the numbers read in
Arrow's buffers without a copy; results come back as the kind of table that came in."""

import datetime as dt
import json
import subprocess
import sys
import tracemalloc

import numpy as np
import pandas as pd
import pytest

import nps
from nps import _arrow

pa = pytest.importorskip("pyarrow")
pl = pytest.importorskip("polars")


class Capsule:
    """A third-party Arrow producer: nothing but the PyCapsule stream interface."""

    def __init__(self, data):
        self._data = data

    def __arrow_c_stream__(self, requested_schema=None):
        return self._data.__arrow_c_stream__(requested_schema)


TABLES = ["table", "batch", "polars", "capsule"]
COLUMNS = ["array", "chunked", "polars", "capsule"]


def table_of(frame, kind):
    """A pandas frame (its index left out) as a table of ``kind``."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    if kind == "batch":
        return table.combine_chunks().to_batches()[0]
    if kind == "polars":
        return pl.from_arrow(table)
    return Capsule(table) if kind == "capsule" else table


def column_of(values, kind):
    """A pandas Series or numpy array as one column of ``kind``."""
    array = pa.array(values, from_pandas=True)
    if kind == "chunked":
        return pa.chunked_array([array])
    if kind == "polars":
        return pl.from_arrow(array)
    return Capsule(pa.chunked_array([array])) if kind == "capsule" else array


def frame_of(result, kind, index=None):
    """An Arrow / polars result as the pandas frame it must equal (``index``: its first
    column(s), the pandas result's index)."""
    if kind == "polars":
        assert isinstance(result, pl.DataFrame)
        result = result.to_arrow()
    assert isinstance(result, pa.Table)
    frame = result.to_pandas()
    return frame.set_index(index) if index else frame


def kind_of(table_kind):
    return "polars" if table_kind == "polars" else "arrow"


# -- reading without a copy -------------------------------------------------------------------

def test_numbers_and_times_are_read_in_arrows_buffers():
    n = 1000
    table = pa.table({"x": np.arange(n, dtype=np.float64), "i": np.arange(n, dtype=np.int64),
                      "t": pa.array(np.arange(n) * 1_000_000, pa.timestamp("us", tz="Europe/Paris"))})
    columns = _arrow.read(table)
    for name in ("x", "i", "t"):
        buffer = np.frombuffer(table.column(name).chunk(0).buffers()[1], dtype=np.int64)
        assert np.shares_memory(columns[name], buffer), name
    assert columns["x"].dtype == np.float64 and columns["i"].dtype == np.int64
    assert columns["t"].dtype == np.dtype("datetime64[us]")  # UTC, as pandas' tz_convert("UTC")
    # A slice and a record batch too; a polars frame shares polars' own buffer.
    assert np.shares_memory(_arrow.read(table.slice(10, 20))["x"], columns["x"])
    assert np.shares_memory(_arrow.read(table.to_batches()[0])["x"], columns["x"])
    frame = pl.DataFrame({"x": np.arange(n, dtype=np.float64)})
    assert np.shares_memory(_arrow.read(frame)["x"], frame["x"].to_numpy())
    # Nulls (NaN, NaT) and several chunks: a copy, with the values.
    chunks = pa.chunked_array([[1.0, None], [3.0]])
    assert np.array_equal(_arrow.read(pa.table({"x": chunks}))["x"], [1.0, np.nan, 3.0], equal_nan=True)
    times = _arrow.read(pa.table({"t": pa.array([0, None], pa.timestamp("s"))}))["t"]
    assert times[0] == np.datetime64(0, "s") and np.isnat(times[1])


def test_a_large_float_column_is_not_copied():
    n = 2_000_000  # 16 MB
    table = pa.table({"x": np.random.default_rng(0).random(n)})
    tracemalloc.start()
    columns = _arrow.read(table)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 1_000_000 and np.shares_memory(columns["x"], table.column("x").to_numpy())


def test_features_hand_the_core_arrows_buffers(monkeypatch):
    base = nps.synth.generate(customers=300, seed=1)
    table = pa.Table.from_pandas(base.events, preserve_index=False)
    seen = {}
    compute = nps._nps._compute_features

    def spy(enc, *args):
        seen.update(enc)
        return compute(enc, *args)

    monkeypatch.setattr(nps._nps, "_compute_features", spy)
    value = table.column("value").fill_null(0.0)  # no nulls: read in place
    nps.features.retention(table.drop_columns(["value"]).append_column("value", value), base.as_of)
    assert np.shares_memory(seen["value"], np.frombuffer(value.chunk(0).buffers()[1], dtype=np.float64))
    time = np.frombuffer(table.column("time").chunk(0).buffers()[1], dtype=np.int64)
    assert np.shares_memory(seen["time"], time) and seen["time_ticks"] == 1


def test_without_pyarrow_arrow_data_is_an_error_that_says_what_to_install(monkeypatch):
    frame = pl.DataFrame({"score": [9.0, 3.0]})
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow fails
    with pytest.raises(nps.NpsError, match=r"needs pyarrow: pip install pyarrow") as e:
        nps.breakdown(frame["score"], ["a", "b"])
    assert e.value.code == "INVALID_PARAMETER"
    assert nps.breakdown([9.0, 3.0], ["a", "b"])["n"].tolist() == [1, 1]  # the rest works as before


def test_import_nps_imports_neither_pyarrow_nor_polars():
    # pandas may import pyarrow itself: what nps adds is what counts.
    code = ("import sys, numpy, pandas; before = set(sys.modules); import nps; "
            "print(sorted(m for m in set(sys.modules) - before if m.split('.')[0] in ('pyarrow', 'polars')))")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "[]\n"


# -- NPS --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def answers():
    rng = np.random.default_rng(4)
    n = 3000
    ts = pd.Timestamp("2026-01-01", tz="Europe/Paris") + pd.to_timedelta(rng.integers(0, 200 * 86400, n), unit="s")
    return pd.DataFrame({"score": rng.integers(0, 11, n).astype(float), "region": rng.choice(["north", "south"], n),
                         "plan": rng.choice(["pre", "post", "biz"], n), "weight": rng.random(n) + 0.5, "time": ts})


@pytest.mark.parametrize("kind", TABLES)
def test_breakdown_and_trend_from_a_table(answers, kind):
    t = _arrow.read(table_of(answers, kind))  # the same columns, from each kind of table
    data = table_of(answers, kind)
    columns = data if kind != "capsule" else pa.table(data)
    col = (lambda name: columns[name]) if kind == "polars" else (lambda name: columns.column(name))
    assert set(t) == set(answers.columns)
    out = nps.breakdown(col("score"), col("region"), col("weight"))
    pd.testing.assert_frame_equal(frame_of(out, kind_of(kind), "segment"),
                                  nps.breakdown(answers["score"], answers["region"], answers["weight"]), check_dtype=False)
    # Several keys: a table of key columns, one first column per key.
    keys = table_of(answers[["region", "plan"]], kind)
    out = nps.breakdown(col("score"), keys)
    want = nps.breakdown(answers["score"], answers[["region", "plan"]])
    assert list(frame_of(out, kind_of(kind)).columns[:2]) == ["region", "plan"]
    pd.testing.assert_frame_equal(frame_of(out, kind_of(kind), ["region", "plan"]), want, check_dtype=False)
    # Times with a time zone: UTC, as pandas' tz-aware Series.
    out = nps.trend(col("score"), col("time"), period="week")
    pd.testing.assert_frame_equal(frame_of(out, kind_of(kind), "period"),
                                  nps.trend(answers["score"], answers["time"], period="week"), check_dtype=False)


@pytest.mark.parametrize("kind", COLUMNS)
def test_columns_with_nulls_and_several_chunks(answers, kind):
    scores = answers["score"].copy()
    scores.iloc[[3, 50]] = np.nan
    segments = answers["region"].astype(object).copy()
    segments.iloc[7] = None
    want = nps.breakdown(scores, segments, missing="skip", dropna=True)
    got = nps.breakdown(column_of(scores, kind), column_of(segments, kind), missing="skip", dropna=True)
    pd.testing.assert_frame_equal(frame_of(got, "polars" if kind == "polars" else "arrow", "segment"), want,
                                  check_dtype=False)
    with pytest.raises(nps.NpsError, match=r"^segments\[7\] is missing") as e:
        nps.breakdown(column_of(scores, kind), column_of(segments, kind), missing="skip")
    assert e.value.code == "MISSING_VALUE"
    chunked = pa.chunked_array([pa.array(scores[:1000], from_pandas=True), pa.array(scores[1000:], from_pandas=True)])
    got = frame_of(nps.validate_scores(chunked), "arrow", "index").rename_axis(None)
    want = nps.validate_scores(scores.to_numpy())
    assert got["value"].isna().all() and want["value"].isna().all()  # both missing answers (null in Arrow)
    pd.testing.assert_frame_equal(got.drop(columns="value"), want.drop(columns="value"), check_dtype=False)


def test_trend_reads_dates_and_names_a_missing_time():
    days = [dt.date(2026, 1, 5), dt.date(2026, 2, 5), dt.date(2026, 2, 6)]
    got = nps.trend(pa.array([9.0, 3.0, 10.0]), pa.array(days, pa.date32()))
    pd.testing.assert_frame_equal(frame_of(got, "arrow", "period"),
                                  nps.trend([9.0, 3.0, 10.0], pd.Series(pd.to_datetime(days))), check_dtype=False)
    with pytest.raises(nps.NpsError, match=r"^timestamps\[1\] is missing \(NaT\)") as e:
        nps.trend(pl.Series([1.0, 2.0]), pl.Series([dt.datetime(2026, 1, 1), None]))
    assert e.value.code == "MISSING_VALUE"


# -- features ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def base():
    return nps.synth.generate(customers=800, seed=7)


@pytest.mark.parametrize("kind", TABLES)
def test_features_from_a_table(base, kind):
    # Text columns (polars' categories have an order of their own): every kind alike.
    events = base.events.astype({"customer": str, "kind": str}).assign(
        department=base.events["department"].astype(object).where(base.events["department"].notna(), None))
    want = nps.features.retention(events, base.as_of)
    got = nps.features.retention(table_of(events, kind), base.as_of)
    pd.testing.assert_frame_equal(frame_of(got, kind_of(kind), "customer"), want, check_exact=True, check_dtype=False)
    spec = {"features": [{"name": "contacts_90d", "kinds": ["contact_opened"], "aggregation": "count",
                          "window": {"days": 90}}]}
    pd.testing.assert_frame_equal(frame_of(nps.features.compute(table_of(events, kind), spec, base.as_of), kind_of(kind),
                                           "customer"), nps.features.compute(events, spec, base.as_of), check_dtype=False)


def test_dictionary_columns_several_chunks_and_time_zones(base):
    want = nps.features.retention(base.events, base.as_of)  # categorical columns: every customer, in id order
    table = pa.Table.from_pandas(base.events, preserve_index=False)
    half = table.num_rows // 2
    chunked = pa.concat_tables([table.slice(0, half), table.slice(half)])
    assert chunked.column("value").num_chunks == 2
    got = nps.features.retention(chunked, base.as_of)
    assert got.column_names[0] == "customer" and json.loads(got.schema.metadata[b"nps"])["descriptions"]
    pd.testing.assert_frame_equal(frame_of(got, "arrow", "customer"), want, check_exact=True, check_dtype=False)
    paris = chunked.set_column(1, "time", chunked.column("time").cast(pa.timestamp("ms", tz="Europe/Paris")))
    pd.testing.assert_frame_equal(frame_of(nps.features.retention(paris, base.as_of), "arrow", "customer"), want,
                                  check_exact=True, check_dtype=False)


def test_bad_events_are_the_pandas_errors(base):
    events = base.events.head(50).copy()
    events["time"] = events["time"].astype(object)
    events.loc[events.index[5], "time"] = None
    events["time"] = pd.to_datetime(events["time"])
    with pytest.raises(nps.NpsError) as want:
        nps.features.retention(events, base.as_of)
    with pytest.raises(nps.NpsError) as got:
        nps.features.retention(pl.from_pandas(events), base.as_of)
    assert (got.value.code, str(got.value)) == (want.value.code, str(want.value)) == (
        "MISSING_VALUE", "timestamps[5] is missing (NaT)")
    nested = pa.table({"customer": [1], "time": [0], "kind": [["call"]]})
    with pytest.raises(nps.NpsError, match=r"^column 'kind' has Arrow type list<item: string>, which nps does not "
                                           r"read") as e:
        nps.features.retention(nested, base.as_of)
    assert e.value.code == "INVALID_PARAMETER"


# -- encoders and models ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def training(base):
    X = nps.features.retention(base.events, base.as_of)
    labels = base.labels.reindex(X.index)
    X = X.assign(plan=labels["plan"].astype(str).to_numpy()).reset_index(drop=True)
    X.loc[[3, 9], "plan"] = None
    y = labels["churned"].to_numpy()
    return X, y, labels["true_score"].to_numpy().astype(float)


@pytest.mark.parametrize("kind", TABLES)
def test_encoder_and_churn_models_from_a_table(training, kind):
    X, y, _ = training
    enc = nps.TableEncoder().fit(X)
    assert np.array_equal(nps.TableEncoder().fit(table_of(X, kind)).transform(table_of(X, kind)), enc.transform(X))
    assert nps.encode.infer_kinds(table_of(X, kind)) == nps.encode.infer_kinds(X)
    for cls in (nps.ChurnModel, lambda: nps.BoostedChurnModel(n_estimators=40)):
        want = cls().fit(X, y)
        got = cls().fit(table_of(X, kind), column_of(y, "polars" if kind == "polars" else "array"))
        assert list(got.feature_names_in_) == list(X.columns)
        assert np.array_equal(got.churn_probability(table_of(X, kind)), want.churn_probability(X))
        assert np.array_equal(want.predict_proba(table_of(X, kind)), want.predict_proba(X))
        pd.testing.assert_frame_equal(frame_of(want.contributions(table_of(X, kind)), kind_of(kind)), want.contributions(X))
        # An explanation's value and typical mix numbers and text: two columns each; the
        # training mix of a category is a map.
        explained = want.explain(table_of(X.head(30), kind))
        if kind == "table" and "value_text" in explained.column_names:
            assert pa.types.is_map(explained.schema.field("mix").type)
        got_why = frame_of(explained, kind_of(kind))
        why = want.explain(X.head(30))
        number = why["value"].map(lambda v: isinstance(v, float))
        assert np.array_equal(got_why.loc[number, "value"].to_numpy(float), why.loc[number, "value"].to_numpy(float))
        text = got_why["value_text"] if "value_text" in got_why else pd.Series(None, index=got_why.index)
        assert [None if pd.isna(v) else v for v in text[~number]] == [
            None if v is None else str(v) for v in why.loc[~number, "value"]]
        pd.testing.assert_frame_equal(got_why[["customer", "probability", "direction", "rank", "factor", "contribution"]],
                                      why[["customer", "probability", "direction", "rank", "factor", "contribution"]],
                                      check_dtype=False)


def test_numeric_tables_and_ltr_models(training):
    X, y, answers = training
    numeric = X.drop(columns="plan")
    table = pa.Table.from_pandas(numeric, preserve_index=False)
    for cls in (nps.LtrModel, lambda: nps.BoostedLtrModel(n_estimators=20)):
        want = cls().fit(numeric, answers)
        got = cls().fit(table, pa.array(answers))
        assert np.array_equal(got.predict_proba(numeric), want.predict_proba(numeric))
        assert np.array_equal(want.predict_proba(Capsule(table)), want.predict_proba(numeric))
        pd.testing.assert_frame_equal(frame_of(want.detractor_contributions(pl.from_arrow(table)), "polars"),
                                      want.detractor_contributions(numeric))
        pd.testing.assert_frame_equal(frame_of(want.alerts(table, top=10), "arrow", "customer"), want.alerts(numeric, top=10),
                                      check_dtype=False)
        assert want.evaluate(table, pl.Series(answers)) == want.evaluate(numeric, answers)
    X = X.fillna({"plan": "prepaid"})  # a fold's model has not seen a missing plan
    cv = nps.cross_validate(nps.ChurnModel(), pl.from_pandas(X), pl.Series(y), k=3)
    assert np.array_equal(np.asarray(cv), np.asarray(nps.cross_validate(nps.ChurnModel(), X, y, k=3)))


def test_bad_model_input_is_the_pandas_error(training):
    X, y, _ = training
    model = nps.ChurnModel().fit(X, y)
    bad = X.head(4).assign(plan=["prepaid", "nope", "contract", None])
    with pytest.raises(nps.NpsError) as want:
        model.churn_probability(bad)
    with pytest.raises(nps.NpsError) as got:
        model.churn_probability(table_of(bad, "table"))
    assert (got.value.code, str(got.value)) == (want.value.code, str(want.value))
    assert "plan" in str(got.value) and "nope" in str(got.value)
    nested = pa.table({"tenure_days": pa.array([{"a": 1}])})
    with pytest.raises(nps.NpsError, match=r"^column 'tenure_days' has Arrow type struct<a: int64>") as e:
        model.churn_probability(nested)
    assert e.value.code == "INVALID_PARAMETER"


# -- decisions and metrics --------------------------------------------------------------------

@pytest.mark.parametrize("kind", TABLES)
def test_decide_over_a_table(kind):
    c = nps.ActionCatalog.playbook()
    frame = pd.DataFrame({"tenure_days": [400, 30, 800, 90], "segment": ["consumer", "business", None, "consumer"],
                          "complained_outage": [True, False, None, False], "complained_overage": [False] * 4,
                          "monthly_bill": [60.0, 20.0, 90.0, 35.0], "payment_trend": [0.8, 1.0, 1.1, 0.9],
                          "usage_trend_30d": [0.6, 1.0, 0.9, 1.2], "last_nps": [4, 9, None, 7]})
    p = np.array([0.75, 0.12, 0.25, 0.5])
    want = c.decide(frame, probability=p, top=3)
    got = c.decide(table_of(frame, kind), probability=column_of(p, "polars" if kind == "polars" else "array"), top=3)
    pd.testing.assert_frame_equal(frame_of(got, kind_of(kind)), want)


@pytest.mark.parametrize("kind", COLUMNS)
def test_metrics_take_arrow_columns(kind):
    rng = np.random.default_rng(3)
    y = rng.random(500) < 0.3
    p = np.clip(0.3 + 0.4 * (y - 0.3) + 0.2 * rng.standard_normal(500), 0.01, 0.99)
    Y, P = column_of(y, kind), column_of(p, kind)
    for f in (nps.metrics.roc_auc, nps.metrics.average_precision, nps.metrics.log_loss, nps.metrics.brier):
        assert f(Y, P) == f(y, p), f.__name__
    assert nps.metrics.threshold_metrics(Y, P, 0.4) == nps.metrics.threshold_metrics(y, p, 0.4)
    lift = nps.metrics.lift_table(Y, P)
    pd.testing.assert_frame_equal(frame_of(lift, "polars" if kind == "polars" else "arrow", "bin"),
                                  nps.metrics.lift_table(y, p), check_dtype=False)
    text = column_of(np.where(y, "Yes", "No"), kind)
    assert nps.metrics.roc_auc(text, P) == nps.metrics.roc_auc(y, p)
