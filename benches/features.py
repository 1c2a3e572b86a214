"""Churn features from 10 million events for 1 million customers: nps against the same
aggregations written in pandas and in polars, side by side in one run, each in its own
process so that peak memory can be read.

    .venv/bin/python benches/features.py [--customers 1000000] [--history-days 36]

The events come from the project's own generator (nps.synth): 36 days of history before
the reference time give about ten events per customer.

The comparison uses BENCH_SET, twelve features that pandas and polars express directly
(counts, sums, means, minimum, last value, days since, ratio of two windows); the full
built-in retention set (27 features) is timed for nps alone. Prints markdown for
docs/benchmarks.md.
"""

import argparse
import json
import platform
import resource
import subprocess
import sys
import time

import numpy as np

AS_OF = np.datetime64("2026-07-01T00:00:00", "us")  # the generator's default reference time
BENCH_SET = {"features": [
    {"name": "contacts_30d", "kinds": ["contact_opened"], "aggregation": "count", "window": {"days": 30}},
    {"name": "contacts_90d", "kinds": ["contact_opened"], "aggregation": "count", "window": {"days": 90}},
    {"name": "lifetime_value", "kinds": ["payment"], "aggregation": "sum", "field": "value"},
    {"name": "aht_90d", "kinds": ["contact_resolved"], "aggregation": "mean", "field": "duration", "window": {"days": 90}},
    {"name": "worst_90d", "kinds": ["contact_resolved", "survey_answer"], "aggregation": "min", "field": "value", "window": {"days": 90}},
    {"name": "usage_30d", "kinds": ["usage"], "aggregation": "sum", "field": "value", "window": {"days": 30}},
    {"name": "usage_prev_30d", "kinds": ["usage"], "aggregation": "sum", "field": "value", "window": {"days": 30, "offset_days": 30}},
    {"name": "usage_trend_30d", "ratio": ["usage_30d", "usage_prev_30d"]},
    {"name": "outages_30d", "kinds": ["outage"], "aggregation": "count", "window": {"days": 30}},
    {"name": "last_nps", "kinds": ["survey_answer"], "aggregation": "last", "field": "value"},
    {"name": "days_since_last_contact", "kinds": ["contact_opened"], "aggregation": "days_since_last"},
    {"name": "tenure_days", "kinds": ["subscription_start"], "aggregation": "days_since_first"},
]}


def history(customers, history_days):
    """The project's synthetic base, as plain columns (customer codes, times, kind names)."""
    import nps

    base = nps.synth.generate(customers=customers, seed=7, history_days=history_days, horizon_days=1)
    ev = base.events
    return {
        "customer": ev["customer"].cat.codes.to_numpy().astype(np.int64),
        "time": ev["time"].to_numpy().astype("datetime64[us]"),
        "kind": ev["kind"].astype(str).to_numpy(),
        "value": ev["value"].to_numpy(),
        "duration": ev["duration"].to_numpy(),
    }


def input_bytes(h):
    # customer int64, time int64, kind as one byte code, value and duration float64
    return len(h["customer"]) * (8 + 8 + 1 + 8 + 8)


def run_nps(h, full):
    import pandas as pd

    import nps

    df = pd.DataFrame(h)
    df["kind"] = df["kind"].astype("category")
    t0 = time.perf_counter()
    out = nps.features.retention(df, as_of=AS_OF) if full else nps.features.compute(df, BENCH_SET, as_of=AS_OF)
    return time.perf_counter() - t0, out.shape


def run_pandas(h):
    import pandas as pd

    df = pd.DataFrame(h)
    df["kind"] = df["kind"].astype("category")
    t0 = time.perf_counter()
    past = df[df["time"] < AS_OF]
    age = (AS_OF - past["time"]).dt.total_seconds() / 86400
    out = pd.DataFrame(index=pd.Index(np.unique(df["customer"]), name="customer"))

    def of(kinds, days=None, offset=0):
        m = past["kind"].isin(kinds)
        if days is not None:
            m &= (age >= offset) & (age <= offset + days) if offset else (age <= days)
        return past[m].groupby("customer")

    out["contacts_30d"] = of(["contact_opened"], 30).size()
    out["contacts_90d"] = of(["contact_opened"], 90).size()
    out["lifetime_value"] = of(["payment"])["value"].sum()
    out["aht_90d"] = of(["contact_resolved"], 90)["duration"].mean()
    out["worst_90d"] = of(["contact_resolved", "survey_answer"], 90)["value"].min()
    out["usage_30d"] = of(["usage"], 30)["value"].sum()
    out["usage_prev_30d"] = of(["usage"], 30, 30)["value"].sum()
    out = out.fillna({c: 0 for c in ["contacts_30d", "contacts_90d", "lifetime_value", "usage_30d", "usage_prev_30d"]})
    out["usage_trend_30d"] = out["usage_30d"] / out["usage_prev_30d"].where(out["usage_prev_30d"] > 0)
    out["outages_30d"] = of(["outage"], 30).size()
    out["last_nps"] = past[past["kind"] == "survey_answer"].sort_values("time", kind="stable").groupby("customer")["value"].last()
    out["days_since_last_contact"] = (AS_OF - of(["contact_opened"])["time"].max()).dt.total_seconds() / 86400
    out["tenure_days"] = (AS_OF - of(["subscription_start"])["time"].min()).dt.total_seconds() / 86400
    return time.perf_counter() - t0, out.shape


def run_polars(h):
    import polars as pl

    df = pl.DataFrame(h).with_columns(pl.col("kind").cast(pl.Categorical))
    t0 = time.perf_counter()
    age = (pl.lit(AS_OF) - pl.col("time")).dt.total_seconds() / 86400
    past = df.filter(pl.col("time") < AS_OF).with_columns(age=age)

    def within(kinds, days=None, offset=0):
        m = pl.col("kind").is_in(kinds)
        if days is not None:
            m = m & (pl.col("age") <= offset + days) & (pl.col("age") >= offset if offset else pl.lit(True))
        return m

    out = past.group_by("customer").agg(
        within(["contact_opened"], 30).sum().alias("contacts_30d"),
        within(["contact_opened"], 90).sum().alias("contacts_90d"),
        pl.col("value").filter(within(["payment"])).sum().alias("lifetime_value"),
        pl.col("duration").filter(within(["contact_resolved"], 90)).mean().alias("aht_90d"),
        pl.col("value").filter(within(["contact_resolved", "survey_answer"], 90)).min().alias("worst_90d"),
        pl.col("value").filter(within(["usage"], 30)).sum().alias("usage_30d"),
        pl.col("value").filter(within(["usage"], 30, 30)).sum().alias("usage_prev_30d"),
        within(["outage"], 30).sum().alias("outages_30d"),
        pl.col("value").filter(within(["survey_answer"])).sort_by(pl.col("time").filter(within(["survey_answer"]))).last().alias("last_nps"),
        pl.col("age").filter(within(["contact_opened"])).min().alias("days_since_last_contact"),
        pl.col("age").filter(within(["subscription_start"])).max().alias("tenure_days"),
    ).with_columns((pl.col("usage_30d") / pl.when(pl.col("usage_prev_30d") > 0).then(pl.col("usage_prev_30d"))).alias("usage_trend_30d"))
    return time.perf_counter() - t0, out.shape


def child(which, customers, history_days):
    h = history(customers, history_days)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    fn = {"nps": lambda: run_nps(h, False), "nps-retention": lambda: run_nps(h, True), "pandas": lambda: run_pandas(h), "polars": lambda: run_polars(h)}[which]
    best = min(fn()[0] for _ in range(3))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"events": len(h["time"]), "seconds": best, "extra_mib": (peak - before) / 1024, "input_mib": input_bytes(h) / 2**20}))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--history-days", type=int, default=36, help="36 days give about 10 events per customer")
    ap.add_argument("--child")
    a = ap.parse_args()
    if a.child:
        return child(a.child, a.customers, a.history_days)
    import pandas
    import polars

    rows = {}
    for which in ("nps", "pandas", "polars", "nps-retention"):
        out = subprocess.run([sys.executable, __file__, "--child", which, "--customers", str(a.customers), "--history-days", str(a.history_days)],
                             check=True, capture_output=True, text=True).stdout
        rows[which] = json.loads(out.strip().splitlines()[-1])
    base = rows["nps"]["seconds"]
    print(f"{rows['nps']['events']:,} events, {a.customers:,} customers (nps.synth, seed 7, {a.history_days} days of history); best of 3, each in its own process; Python {platform.python_version()}, "
          f"pandas {pandas.__version__}, polars {polars.__version__}; input {rows['nps']['input_mib']:.0f} MiB\n")
    print("| implementation | features | time (s) | time / nps | peak extra memory (MiB) |")
    print("|---|---:|---:|---:|---:|")
    for which, n in (("nps", 12), ("pandas", 12), ("polars", 12), ("nps-retention", 27)):
        r = rows[which]
        print(f"| {which} | {n} | {r['seconds']:.2f} | {r['seconds'] / base:.1f}× | {r['extra_mib']:.0f} |")


if __name__ == "__main__":
    main()
