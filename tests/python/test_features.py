"""Churn features from Python: hand-written histories, agreement with the same features
written in pandas on a generated history, input types and errors."""

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
