"""The synthetic customer base from Python, and every built-in retention feature on it
checked against the same feature written in pandas."""

import numpy as np
import pandas as pd
import pytest

import nps

DAY = pd.Timedelta(days=1)


@pytest.fixture(scope="module")
def base():
    return nps.synth.generate(customers=4_000, seed=17)


def test_generate_is_deterministic_and_well_formed(base):
    again = nps.synth.generate(customers=4_000, seed=17)
    pd.testing.assert_frame_equal(base.events, again.events)
    pd.testing.assert_frame_equal(base.labels, again.labels)
    other = nps.synth.generate(customers=4_000, seed=18)
    assert not base.events["time"].equals(other.events["time"])

    assert list(base.events.columns) == ["customer", "time", "kind", "value", "duration", "department", "case", "flag"]
    assert base.events["time"].is_monotonic_increasing
    assert list(base.labels.index[:2]) == ["C0000001", "C0000002"]
    assert base.labels.index.equals(base.drivers.index)
    assert list(base.drivers.columns) == [
        "repeat_contacts", "long_handle_time", "bill_shock", "falling_usage", "bad_last_interaction", "short_tenure",
    ]
    assert set(base.labels["plan"].unique()) == {"prepaid", "contract"}
    # About 17 % answer the survey, with the score every customer would give.
    share = base.surveys["customer"].nunique() / len(base.labels)
    assert abs(share - 0.17) < 0.025
    answers = base.surveys.set_index("customer")["score"]
    np.testing.assert_array_equal(answers.to_numpy(), base.labels.loc[answers.index, "true_score"].to_numpy())
    # Churn happens in the horizon after as_of, and only for churners.
    as_of = pd.Timestamp(base.as_of)
    t = base.labels["churn_time"]
    assert ((t > as_of) & (t <= as_of + 120 * DAY)).eq(base.labels["churned"]).all()
    assert 0.15 < base.labels["churned"].mean() < 0.30


def test_bad_configuration_is_an_nps_error():
    with pytest.raises(nps.NpsError, match="respond_rate"):
        nps.synth.generate(customers=10, respond_rate=1.5)
    with pytest.raises(nps.NpsError, match="customers"):
        nps.synth.generate(customers=0)


def pandas_retention(ev, as_of):
    """All 27 built-in retention features, written directly in pandas."""
    ev = ev.assign(customer=ev["customer"].astype(str), kind=ev["kind"].astype(str))
    past = ev[ev["time"] < as_of]
    age = (as_of - past["time"]) / DAY
    ids = pd.Index(sorted(ev["customer"].unique()), name="customer")

    def of(kinds, days=None, offset=0, field=None):
        m = past["kind"].isin(kinds)
        if days is not None:
            m &= (age > offset) & (age <= offset + days)
        if field is not None:
            m &= past[field].notna()
        return past[m]

    def by(frame):
        return frame.groupby("customer", sort=False)

    def ratio(a, b):
        return (a / b.where(b != 0)).astype(float)

    def count(kinds, days=None, offset=0):
        return by(of(kinds, days, offset)).size().reindex(ids, fill_value=0).astype(float)

    def days_since(times):
        return ((as_of - times) / DAY).reindex(ids)

    out = pd.DataFrame(index=ids)
    out["tenure_days"] = days_since(by(of(["subscription_start"]))["time"].min())
    out["lifetime_value"] = by(of(["payment"], field="value"))["value"].sum().reindex(ids, fill_value=0.0)
    out["churned_subscriptions"] = count(["subscription_end"])
    for d in (7, 30, 90):
        out[f"contacts_{d}d"] = count(["contact_opened"], d)
    opened = of(["contact_opened"], 90)
    repeat = by(opened)["time"].diff() <= 7 * DAY
    out["repeat_contacts_90d"] = repeat.groupby(opened["customer"]).sum().reindex(ids, fill_value=0).astype(float)
    out["transfers_90d"] = count(["transfer"], 90)
    out["cases_90d"] = by(of(["contact_opened"], 90, field="case"))["case"].nunique().reindex(ids, fill_value=0).astype(float)
    out["transfers_per_case_90d"] = ratio(out["transfers_90d"], out["cases_90d"])
    out["aht_90d"] = by(of(["contact_resolved"], 90, field="duration"))["duration"].mean().reindex(ids)
    scored = ["contact_resolved", "survey_answer"]
    out["interaction_quality_90d"] = by(of(scored, 90, field="value"))["value"].mean().reindex(ids)
    out["worst_interaction_90d"] = by(of(scored, 90, field="value"))["value"].min().reindex(ids)
    out["last_interaction"] = by(of(scored, field="value"))["value"].last().reindex(ids)
    out["days_since_last_contact"] = days_since(by(of(["contact_opened"]))["time"].max())
    out["usage_30d"] = by(of(["usage"], 30, field="value"))["value"].sum().reindex(ids, fill_value=0.0)
    out["usage_prev_30d"] = by(of(["usage"], 30, 30, field="value"))["value"].sum().reindex(ids, fill_value=0.0)
    out["usage_trend_30d"] = ratio(out["usage_30d"], out["usage_prev_30d"])

    def shock(values):
        v = values.to_numpy()
        return v[-1] / v[-4:-1].mean() if len(v) >= 4 and v[-4:-1].mean() != 0 else np.nan

    out["bill_shock"] = by(of(["bill"], field="value"))["value"].apply(shock).reindex(ids)
    out["payments_90d"] = count(["payment"], 90)
    out["payments_prev_90d"] = count(["payment"], 90, 90)
    out["payment_trend"] = ratio(out["payments_90d"], out["payments_prev_90d"])

    def gap_ratio(times):
        if len(times) < 2:
            return np.nan
        gaps = times.diff().dropna() / DAY
        median = gaps.median()
        return (as_of - times.iloc[-1]) / DAY / median if median != 0 else np.nan

    out["topup_gap_ratio"] = by(of(["top_up"]))["time"].apply(gap_ratio).reindex(ids)
    out["outages_30d"] = count(["outage"], 30)
    answers = by(of(["survey_answer"], field="value"))
    out["last_nps"] = answers["value"].last().reindex(ids)
    out["last_nps_category"] = pd.cut(out["last_nps"], [-0.5, 6.5, 8.5, 10.5], labels=False)
    out["days_since_last_nps"] = days_since(answers["time"].max())
    return out


def test_every_retention_feature_equals_pandas_on_the_generated_base(base):
    ours = nps.features.retention(base.events, as_of=base.as_of)
    ref = pandas_retention(base.events, pd.Timestamp(base.as_of))
    assert list(ours.columns) == list(ref.columns)
    assert ours.index.equals(base.labels.index)
    ours = ours.loc[ref.index]
    for col in ref.columns:
        np.testing.assert_allclose(
            ours[col].to_numpy(float), ref[col].to_numpy(float), rtol=1e-12, atol=1e-9, equal_nan=True, err_msg=col
        )
    # The features see each customer's drivers.
    d = base.drivers
    assert ours.loc[d["repeat_contacts"], "repeat_contacts_90d"].mean() > 2.5
    assert ours.loc[d["long_handle_time"], "aht_90d"].mean() > 1500
    assert ours.loc[d["bill_shock"], "bill_shock"].mean() > 1.6
    assert ours.loc[d["falling_usage"], "usage_trend_30d"].mean() < 0.6
    assert (ours.loc[d["bad_last_interaction"], "worst_interaction_90d"] <= 3).all()
    assert ((ours["tenure_days"] < 180) == d["short_tenure"]).all()


def test_matches_the_shared_vector():
    """The same base and features as the Rust and Node tests (tests/vectors/synth.json)."""
    import json
    from pathlib import Path

    v = json.loads((Path(__file__).parents[1] / "vectors" / "synth.json").read_text())
    b = nps.synth.generate(**v["config"])
    assert len(b.events) == v["events"]
    times = b.events["time"].astype("int64")
    assert times.iloc[:5].tolist() == v["first_times"]
    assert int(times.sum()) == v["time_sum"]
    assert b.labels.index[b.labels["churned"]].tolist() == v["churned"]
    assert b.labels["true_score"].iloc[:20].tolist() == v["true_scores"]
    assert b.surveys["customer"].iloc[:10].tolist() == v["survey_customers"]
    f = nps.features.retention(b.events, as_of=b.as_of)
    assert list(f.columns) == v["feature_names"]
    for c, row in v["features"].items():
        assert [d for d in b.drivers.columns if b.drivers.loc[c, d]] == v["drivers"][c]
        expected = np.array([np.nan if x is None else x for x in row])
        np.testing.assert_array_equal(f.loc[c].to_numpy(float), expected, err_msg=c)
