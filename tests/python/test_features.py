"""Churn features from Python: hand-written histories, agreement with the same features
written in pandas on a generated history, input types and errors."""

import datetime
import json

import numpy as np
import pandas as pd
import pytest

import nps

AS_OF = pd.Timestamp("2026-07-01")
DAY = pd.Timedelta(days=1)


def random_history(n_customers=300, n_events=20_000, seed=4):
    """A random event history with every kind the checks below need."""
    rng = np.random.default_rng(seed)
    kinds = np.array(["contact_opened", "contact_resolved", "payment", "usage", "outage", "survey_answer", "subscription_start", "bill"])
    kind = kinds[rng.integers(0, len(kinds), n_events)]
    # Times spread over 200 days before and 20 days after the reference time, to the second.
    time = AS_OF + pd.to_timedelta(rng.integers(-200 * 86400, 20 * 86400, n_events), unit="s")
    value = np.where(kind == "survey_answer", rng.integers(0, 11, n_events), rng.gamma(2.0, 20.0, n_events).round(2))
    value = np.where(kind == "contact_opened", np.nan, value)
    duration = np.where(kind == "contact_resolved", rng.gamma(3.0, 200.0, n_events).round(), np.nan)
    return pd.DataFrame({
        "customer": rng.integers(0, n_customers, n_events),
        "time": time,
        "kind": kind,
        "value": value,
        "duration": duration,
    })


def pandas_reference(ev, as_of):
    """The same built-in features, written directly in pandas."""
    past = ev[ev["time"] < as_of]
    age = (as_of - past["time"]) / DAY

    def of(kinds, days=None, offset=0):
        m = past["kind"].isin(kinds)
        if days is not None:
            m &= (age > offset) & (age <= offset + days)
        return past[m]

    out = pd.DataFrame(index=pd.Index(sorted(ev["customer"].unique()), name="customer"))
    g = lambda frame: frame.groupby("customer")
    out["tenure_days"] = ((as_of - g(of(["subscription_start"]))["time"].min()) / DAY)
    out["lifetime_value"] = g(of(["payment"]))["value"].sum()
    out["contacts_30d"] = g(of(["contact_opened"], 30)).size()
    out["contacts_90d"] = g(of(["contact_opened"], 90)).size()
    out["aht_90d"] = g(of(["contact_resolved"], 90))["duration"].mean()
    out["interaction_quality_90d"] = g(of(["contact_resolved", "survey_answer"], 90))["value"].mean()
    out["worst_interaction_90d"] = g(of(["contact_resolved", "survey_answer"], 90))["value"].min()
    out["days_since_last_contact"] = (as_of - g(of(["contact_opened"]))["time"].max()) / DAY
    out["usage_30d"] = g(of(["usage"], 30))["value"].sum()
    out["usage_prev_30d"] = g(of(["usage"], 30, 30))["value"].sum()
    out["outages_30d"] = g(of(["outage"], 30)).size()
    out["payments_90d"] = g(of(["payment"], 90)).size()
    surveys = of(["survey_answer"]).sort_values("time", kind="stable")
    out["last_nps"] = g(surveys)["value"].last()
    out["days_since_last_nps"] = (as_of - g(surveys)["time"].max()) / DAY
    for col in ("lifetime_value", "contacts_30d", "contacts_90d", "usage_30d", "usage_prev_30d", "outages_30d", "payments_90d"):
        out[col] = out[col].fillna(0.0)
    out["usage_trend_30d"] = np.where(out["usage_prev_30d"] > 0, out["usage_30d"] / out["usage_prev_30d"].where(out["usage_prev_30d"] > 0), np.nan)
    return out


def test_retention_matches_pandas_on_a_generated_history():
    ev = random_history()
    ours = nps.features.retention(ev, as_of=AS_OF)
    ref = pandas_reference(ev, AS_OF)
    ours = ours.loc[ref.index]
    for col in ref.columns:
        np.testing.assert_allclose(ours[col].to_numpy(float), ref[col].to_numpy(float), rtol=1e-12, atol=1e-9, equal_nan=True, err_msg=col)


def test_no_event_at_or_after_as_of_counts():
    ev = random_history(n_events=5_000)
    before = ev[ev["time"] < AS_OF]
    a = nps.features.retention(ev, as_of=AS_OF)
    b = nps.features.retention(before, as_of=AS_OF)
    pd.testing.assert_frame_equal(a.loc[b.index], b)


def test_hand_written_history():
    ev = pd.DataFrame({
        "customer": ["c1", "c1", "c1", "c1", "c2", "c1"],
        "time": pd.to_datetime(["2026-01-01", "2026-06-01", "2026-06-05", "2026-06-30 23:59:59", "2026-06-15", "2026-07-01"], format="ISO8601"),
        "kind": ["subscription_start", "contact_opened", "contact_opened", "contact_opened", "survey_answer", "contact_opened"],
        "value": [np.nan, np.nan, np.nan, np.nan, 3, np.nan],
        "case": [None, "k1", "k2", "k3", None, "k4"],
    })
    f = nps.features.retention(ev, as_of="2026-07-01")
    c1, c2 = f.loc["c1"], f.loc["c2"]
    assert c1["tenure_days"] == 181                      # Jan 1 to Jul 1
    assert c1["contacts_30d"] == 3                        # a window includes its first second: Jun 1 00:00 is 30 days before
    assert c1["contacts_90d"] == 3                        # the event at the reference time is excluded
    assert c1["repeat_contacts_90d"] == 1                 # Jun 5 is within 7 days of Jun 1
    assert c1["cases_90d"] == 3
    assert c1["days_since_last_contact"] == pytest.approx(1 / 86400)
    assert c2["last_nps"] == 3 and c2["last_nps_category"] == 0 and c2["days_since_last_nps"] == 16
    assert np.isnan(c2["tenure_days"]) and c2["contacts_90d"] == 0


def test_declarative_definitions_and_errors():
    ev = pd.DataFrame({
        "customer": [1, 1, 2],
        "time": [100, 200, 150],                            # integer epoch seconds
        "kind": ["contact_opened", "roaming", "contact_opened"],
        "department": ["billing", None, "technical"],
    })
    defs = [{"name": "billing", "kinds": ["contact_opened"], "aggregation": "count", "filter": {"field": "department", "equals": "billing"}},
            {"name": "roaming", "kinds": ["roaming"], "aggregation": "count"}]
    f = nps.features.compute(ev, defs, as_of=1000, declared_kinds=["roaming"])
    assert f.loc[1].tolist() == [1, 1] and f.loc[2].tolist() == [0, 0]
    assert nps.features.compute(ev, json.dumps({"features": defs}), as_of=1000, declared_kinds=["roaming"]).equals(f)
    with pytest.raises(nps.NpsError, match='unknown event kind \\(kind\\[1\\]\\) "roaming"'):
        nps.features.compute(ev, defs[:1], as_of=1000)
    with pytest.raises(nps.NpsError, match=r"features\[0\]"):
        nps.features.compute(ev, [{"name": "x", "kinds": ["contact_opened"], "aggregation": "median"}], as_of=1000, declared_kinds=["roaming"])
    with pytest.raises(nps.NpsError, match="events is missing the column\\(s\\) kind"):
        nps.features.retention(ev.drop(columns="kind"), as_of=1000)
    with pytest.raises(nps.NpsError, match=r"duration\[0\] = -5 is negative"):
        nps.features.retention(ev.assign(duration=[-5.0, 1.0, 1.0]), as_of=1000, declared_kinds=["roaming"])
    with pytest.raises(nps.NpsError, match=r"timestamps\[1\] is missing"):
        nps.features.retention(ev.assign(time=pd.to_datetime(["2026-01-01", None, "2026-01-02"])), as_of=1000, declared_kinds=["roaming"])


def test_dict_of_arrays_input_and_definitions_roundtrip():
    ev = {"customer": np.array(["a", "b", "a"]), "time": np.array(["2026-06-01", "2026-06-02", "2026-06-03"], dtype="datetime64[s]"),
          "kind": np.array(["outage", "outage", "outage"])}
    f = nps.features.retention(ev, as_of=np.datetime64("2026-06-10"))
    assert f.loc["a", "outages_30d"] == 2 and f.loc["b", "outages_30d"] == 1
    defs = nps.features.retention_definitions()
    assert [d["name"] for d in defs["features"]][:2] == ["tenure_days", "lifetime_value"]
    assert nps.features.compute(ev, defs, as_of="2026-06-10").equals(f)


def _all_features(ev, **kw):
    return nps.features.retention(ev, as_of=AS_OF, **kw)


def test_time_units_read_in_place_give_the_same_features():
    """datetime64 in ns, us, ms and s (read in place by the core, rounded down to the
    second) and integer epoch seconds give identical features; times in a coarser unit
    (days) are converted first."""
    ev = random_history(n_customers=200, n_events=5_000, seed=11)
    # Sub-second parts, including events a fraction of a second before and after as_of.
    ns = ev["time"].to_numpy().astype("datetime64[ns]") + np.random.default_rng(1).integers(0, 10**9, len(ev)).astype("timedelta64[ns]")
    ns[:3] = [np.datetime64(AS_OF, "ns") - np.timedelta64(1, "ns"), np.datetime64(AS_OF, "ns"), np.datetime64(AS_OF, "ns") + np.timedelta64(999, "ms")]
    seconds = ns.astype("datetime64[s]")
    expected = _all_features(ev.assign(time=seconds))
    for unit in ("ns", "us", "ms"):
        got = _all_features(ev.assign(time=ns.astype(f"datetime64[{unit}]")))
        pd.testing.assert_frame_equal(got, expected, check_exact=True)
    got = _all_features(ev.assign(time=seconds.astype(np.int64)))
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    # Timezone-aware times are taken in UTC.
    aware = pd.Series(ns, index=ev.index).dt.tz_localize("UTC").dt.tz_convert("Europe/Paris")
    pd.testing.assert_frame_equal(_all_features(ev.assign(time=aware)), expected, check_exact=True)
    # The event 1 ns before as_of counts, those at and just after it do not.
    first = ev.iloc[:3].assign(time=ns[:3], kind="outage")
    f = nps.features.compute(first, [{"name": "n", "kinds": ["outage"], "aggregation": "count"}], as_of=AS_OF)
    per_customer = first.groupby("customer").size()
    assert f["n"].sum() == 1 and f.loc[first["customer"].iloc[0], "n"] == 1, (f, per_customer)
    days = ev.assign(time=ev["time"].to_numpy().astype("datetime64[D]"))
    pd.testing.assert_frame_equal(_all_features(days), _all_features(days.assign(time=days["time"].to_numpy().astype("datetime64[s]"))), check_exact=True)
    with pytest.raises(nps.NpsError, match=r"timestamps\[2\] is missing \(NaT\)"):
        _all_features(ev.assign(time=np.where(np.arange(len(ev)) == 2, np.datetime64("NaT", "ns"), ns)))


def test_categorical_string_and_integer_columns_give_the_same_features():
    ev = random_history(n_customers=200, n_events=5_000, seed=12)
    ids = ev["customer"].to_numpy()
    expected = _all_features(ev)
    as_cat = ev.assign(kind=ev["kind"].astype("category"), customer=pd.Categorical(ids, categories=np.arange(ids.max() + 1)))
    pd.testing.assert_frame_equal(_all_features(as_cat), expected, check_exact=True, check_index_type=False)
    # Strings and sparse integer ids: the same rows, labelled by those ids.
    # (ids * 2: a compact range with gaps, coded by rank in the core; ids * 1_000_003: hashed.)
    for labels, back in ((np.char.add("c", ids.astype(str)), lambda i: i.str[1:].astype(np.int64)), (ids * 1_000_003, lambda i: i // 1_000_003),
                         (ids * 2, lambda i: i // 2)):
        got = _all_features(ev.assign(customer=labels))
        got.index = back(got.index)
        np.testing.assert_array_equal(got.loc[expected.index].to_numpy(), expected.to_numpy())
    # Ids offset far from zero (every id of a range present: codes are offsets).
    got = _all_features(ev.assign(customer=ids + 2**40))
    assert got.index.tolist() == (expected.index + 2**40).tolist()
    np.testing.assert_array_equal(got.to_numpy(), expected.to_numpy())
    # More than 127 categories: two-byte codes, converted rather than read in place.
    wide = pd.Categorical(ev["kind"], categories=list(ev["kind"].unique()) + [f"unused_{i}" for i in range(300)])
    pd.testing.assert_frame_equal(_all_features(ev.assign(kind=wide)), expected, check_exact=True)
    # A categorical kind with a missing value names its row.
    bad = ev.assign(kind=ev["kind"].astype("category"))
    bad.loc[7, "kind"] = np.nan
    with pytest.raises(nps.NpsError, match=r"kind\[7\] is missing"):
        _all_features(bad)


def test_flag_columns_of_any_type_give_the_same_features():
    ev = pd.DataFrame({
        "customer": [1, 1, 1, 2, 2],
        "time": pd.to_datetime(["2026-06-01", "2026-06-02", "2026-06-03", "2026-06-04", "2026-06-05"]),
        "kind": ["offer_outcome"] * 5,
    })
    defs = [{"name": "accepted", "kinds": ["offer_outcome"], "aggregation": "count", "filter": {"field": "flag", "equals": True}},
            {"name": "refused", "kinds": ["offer_outcome"], "aggregation": "count", "filter": {"field": "flag", "equals": False}}]
    flags = [True, None, False, True, True]
    expected = {1: [1, 1], 2: [2, 0]}
    for column in (pd.array(flags, dtype="boolean"), np.array(flags, dtype=object), np.array([1.0, np.nan, 0.0, 1.0, 1.0]),
                   np.array([1.0, np.nan, 0.0, 1.0, 1.0], dtype=np.float32)):
        f = nps.features.compute(ev.assign(flag=column), defs, as_of=AS_OF)
        assert {c: f.loc[c].tolist() for c in (1, 2)} == expected, column
    f = nps.features.compute(ev.assign(flag=np.array([True, False, False, True, True])), defs, as_of=AS_OF)
    assert {c: f.loc[c].tolist() for c in (1, 2)} == {1: [1, 2], 2: [2, 0]}
    f = nps.features.compute(ev.assign(flag=np.array([1, 0, 0, 1, 1], dtype=np.int64)), defs, as_of=AS_OF)
    assert {c: f.loc[c].tolist() for c in (1, 2)} == {1: [1, 2], 2: [2, 0]}
    for bad, shown in ((np.array([1.0, 0.5, 0, 1, 1]), "0.5"), (np.array([1, 0, 3, 1, 1]), "3"), (np.array([True, "yes", False, True, True], dtype=object), "'yes'")):
        with pytest.raises(nps.NpsError, match=rf"flag\[\d\] = {shown} is not a boolean"):
            nps.features.compute(ev.assign(flag=bad), defs, as_of=AS_OF)


# One time, as every entry point takes it (as_of of the batch features and of a history, an
# event pushed to a history, now of a decision): one conversion in nps.survey._epoch_second.
ONE_TIMES = [  # (time, its epoch seconds)
    (1_782_864_000, 1_782_864_000),
    (np.int64(1_782_864_000), 1_782_864_000),
    (1_782_864_000.9, 1_782_864_000),                                          # a float rounds down
    (np.float64(-1.5), -2),
    (datetime.datetime(2026, 7, 1, 12, 30, 5, 999_999), 1_782_909_005),        # naive: UTC
    (datetime.datetime(2026, 7, 1, 12, tzinfo=datetime.timezone(datetime.timedelta(hours=2))), 1_782_900_000),
    (datetime.datetime(1969, 12, 31, 23, 59, 59, 500_000), -1),                 # before 1970 rounds down too
    (datetime.date(2026, 7, 1), 1_782_864_000),                                # midnight UTC
    (pd.Timestamp("2026-07-01 12:00:00.999999999"), 1_782_907_200),
    (pd.Timestamp("2026-07-01 12:00", tz="Europe/Paris"), 1_782_900_000),      # summer time: UTC+2
    (pd.Timestamp("2026-07-01 12:00", tz="UTC").as_unit("s"), 1_782_907_200),
    (pd.Timestamp("3000-01-01").as_unit("s"), 32_503_680_000),                # beyond int64 nanoseconds
    (np.datetime64("2026-07-01"), 1_782_864_000),                              # days
    (np.datetime64("2026-07"), 1_782_864_000),                                 # months
    (np.datetime64("2026-07-01T05", "h"), 1_782_882_000),
    (np.datetime64(1_782_864_000_123, "ms"), 1_782_864_000),
    (np.datetime64("2026-07-01T00:00:00.999999999", "ns"), 1_782_864_000),
    (np.datetime64(-1, "ns"), -1),
    ("2026-07-01", 1_782_864_000),                                             # ISO 8601
    ("2026-07-01T00:00+02:00", 1_782_856_800),
]


@pytest.mark.parametrize("t, seconds", ONE_TIMES, ids=[f"{type(t).__name__}-{i}" for i, (t, _) in enumerate(ONE_TIMES)])
def test_one_time_in_every_accepted_type(t, seconds):
    from nps.survey import _epoch_second

    assert _epoch_second(t, "as_of") == seconds
    # An event pushed one at a time.
    h = nps.features.CustomerHistory()
    h.push(t, "subscription_start")
    assert h.last_time == seconds
    # as_of of a history and of the batch features: tenure_days reads it to the second.
    start = seconds - 100_000
    h = nps.features.CustomerHistory()
    h.push(start, "subscription_start")
    engine = nps.features.FeatureEngine()
    tenure = engine.names.index("tenure_days")
    assert h.features(engine, t)[tenure] == 100_000 / 86_400
    ev = pd.DataFrame({"customer": ["a"], "time": [start], "kind": ["subscription_start"]})
    assert nps.features.retention(ev, as_of=t).loc["a", "tenure_days"] == 100_000 / 86_400


BAD_TIMES = [  # (time, error code, message)
    (None, "MISSING_VALUE", "is missing (None)"),
    (float("nan"), "MISSING_VALUE", "is missing (NaN)"),
    (np.datetime64("NaT"), "MISSING_VALUE", "is missing (NaT)"),
    (np.datetime64("NaT", "ns"), "MISSING_VALUE", "is missing (NaT)"),
    (pd.NaT, "MISSING_VALUE", "is missing (NaT)"),
    (float("inf"), "OUT_OF_RANGE", "= inf is not a time"),
    (2**63, "OUT_OF_RANGE", "beyond the epoch seconds an int64 holds"),
    (True, "INVALID_PARAMETER", "must be a time (epoch seconds"),
    ("next tuesday", "INVALID_PARAMETER", "= 'next tuesday' is not a time"),
    (object(), "INVALID_PARAMETER", "got object"),
]


@pytest.mark.parametrize("t, code, message", BAD_TIMES, ids=[f"{c}-{i}" for i, (_, c, _) in enumerate(BAD_TIMES)])
def test_a_bad_time_is_an_error_naming_the_argument(t, code, message):
    ev = pd.DataFrame({"customer": ["a"], "time": [0], "kind": ["subscription_start"]})
    h = nps.features.CustomerHistory()
    engine = nps.features.FeatureEngine()
    catalog = nps.ActionCatalog.playbook()
    customer = {"tenure_days": 400, "segment": "consumer", "complained_outage": True, "complained_overage": False,
                "monthly_bill": 60.0, "payment_trend": 0.8, "usage_trend_30d": 0.6, "last_nps": 4}
    outcome = {"action": "detractor_callback", "channel": "call", "group": "care", "time": 0, "kind": "presented"}
    calls = [
        ("as_of", lambda: nps.features.retention(ev, as_of=t)),
        ("as_of", lambda: h.features(engine, t)),
        ("time (event 0)", lambda: h.push(t, "outage")),
        ("history[0].time", lambda: catalog.decide(customer, score=50, history=[dict(outcome, time=t)], now=10)),
    ]
    if t is not None:  # now=None is left out: see test_action.py
        calls.append(("now", lambda: catalog.decide(customer, score=50, history=[outcome], now=t)))
    for field, call in calls:
        with pytest.raises(nps.NpsError) as e:
            call()
        assert str(e.value).startswith(field) and message in str(e.value), (field, str(e.value))
        assert e.value.code == code
    assert len(h) == 0


def test_feature_engine_pickles():
    import pickle

    defs = json.dumps({"features": [{"name": "roaming_30d", "kinds": ["roaming"], "aggregation": "count", "window": {"days": 30}}]})
    for kinds, engine in (([], nps.features.FeatureEngine()), (["roaming"], nps.features.FeatureEngine(defs, ["roaming"]))):
        again = pickle.loads(pickle.dumps(engine))
        assert type(again) is nps.features.FeatureEngine and again.names == engine.names
        h = nps.features.CustomerHistory(declared_kinds=kinds)
        for t, k in [(100, "subscription_start"), (5_000, (kinds or ["outage"])[0]), (9_000, "contact_opened")]:
            h.push(t, k)
        np.testing.assert_array_equal(h.features(again, 10_000), h.features(engine, 10_000))
    assert again.names == ["roaming_30d"] and h.features(again, 10_000)[0] == 1
