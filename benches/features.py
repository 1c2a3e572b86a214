"""Churn features from 10 million events for 1 million customers: nps against the same
aggregations written in pandas and in polars, side by side in one run, each in its own
process so that peak memory can be read.

    .venv/bin/python benches/features.py [--customers 1000000] [--history-days 36] [--rounds 5]

The events come from the project's own generator (nps.synth): 36 days of history before
the reference time give about ten events per customer. They are generated once and handed
to one worker process per implementation; each worker builds its DataFrame, then the
workers take turns, one run each per round, so that every implementation sees the same
load on a shared machine. Each reports its best time and its peak memory above what it
held before its first run.

The comparison uses BENCH_SET, twelve features that pandas and polars express directly
(counts, sums, means, minimum, last value, days since, ratio of two windows); the full
built-in retention set (27 features) is timed for nps alone. Prints markdown for
docs/benchmarks.md.
"""

import argparse
import gc
import json
import os
import platform
import subprocess
import sys
import tempfile
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
    """The project's synthetic base, as plain columns: integer customer ids, datetime64[us]
    times, and the kinds as one-byte codes into their names."""
    import pandas as pd

    import nps

    base = nps.synth.generate(customers=customers, seed=7, history_days=history_days, horizon_days=1)
    ev = base.events
    kind = pd.Categorical(ev["kind"])
    return {
        "customer": ev["customer"].cat.codes.to_numpy().astype(np.int64),
        "time": ev["time"].to_numpy().astype("datetime64[us]"),
        "kind_code": kind.codes.astype(np.int8),
        "kind_names": np.asarray(kind.categories, dtype=str),
        "value": ev["value"].to_numpy(),
        "duration": ev["duration"].to_numpy(),
    }


def input_bytes(h):
    """customer int64, time int64, value and duration float64 (the kind adds one byte)."""
    return sum(h[k].nbytes for k in ("customer", "time", "value", "duration"))


def run_nps(df, full):
    import nps

    t0 = time.perf_counter()
    out = nps.features.retention(df, as_of=AS_OF) if full else nps.features.compute(df, BENCH_SET, as_of=AS_OF)
    return time.perf_counter() - t0, out.shape


def run_pandas(df):
    import pandas as pd

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


def run_polars(df):
    import polars as pl

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


def worker(which, path):
    """Loads the events, builds the implementation's input, then runs it once per line read
    from stdin, printing the seconds; on EOF prints the peak extra memory."""
    import pandas as pd

    with np.load(path, allow_pickle=False) as z:
        h = {k: z[k] for k in z.files}
    codes, kind_names = h.pop("kind_code"), h.pop("kind_names")
    if which == "polars":
        import polars as pl

        data = pl.DataFrame(h).with_columns(pl.Series("kind", kind_names).gather(codes).cast(pl.Categorical))
        fn = run_polars
    else:
        data = pd.DataFrame(h)
        data["kind"] = pd.Categorical.from_codes(codes, kind_names)
        fn = {"nps": lambda d: run_nps(d, False), "nps-retention": lambda d: run_nps(d, True), "pandas": run_pandas}[which]
    n_events = len(h["time"])
    input_mib = (input_bytes(h) + n_events) / 2**20  # plus the one-byte kind
    del h
    gc.collect()
    before = reset_peak_rss()
    print(json.dumps({"ready": True}), flush=True)
    for _ in sys.stdin:
        seconds, shape = fn(data)
        print(json.dumps({"seconds": seconds, "shape": list(shape)}), flush=True)
    print(json.dumps({"events": n_events, "extra_mib": (peak_rss() - before) / 2**20, "input_mib": input_mib}), flush=True)


def peak_rss():
    """The process's peak resident memory in bytes since the last reset (Linux)."""
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmHWM:"))


def reset_peak_rss():
    """Sets the peak to the current resident memory (so that building the input does not
    count) and returns it."""
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    return peak_rss()


def load():
    return os.getloadavg()[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--history-days", type=int, default=36, help="36 days give about 10 events per customer")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--worker")
    ap.add_argument("--data")
    a = ap.parse_args()
    if a.worker:
        return worker(a.worker, a.data)
    import pandas
    import polars

    h = history(a.customers, a.history_days)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "events.npz")
        np.savez(path, **h)
        del h
        names = ("nps", "pandas", "polars", "nps-retention")
        workers = {}
        for which in names:
            workers[which] = subprocess.Popen([sys.executable, __file__, "--worker", which, "--data", path],
                                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            json.loads(workers[which].stdout.readline())  # ready
        times = {which: [] for which in names}
        loads = [load()]
        for _ in range(a.rounds):
            for which in names:
                w = workers[which]
                w.stdin.write("run\n")
                w.stdin.flush()
                times[which].append(json.loads(w.stdout.readline())["seconds"])
            loads.append(load())
        rows = {}
        for which in names:
            out, _ = workers[which].communicate("")
            rows[which] = json.loads(out.strip().splitlines()[-1])
    base = min(times["nps"])
    print(f"{rows['nps']['events']:,} events, {a.customers:,} customers (nps.synth, seed 7, {a.history_days} days of history); "
          f"best of {a.rounds} rounds (the implementations take turns, each in its own process); Python {platform.python_version()}, "
          f"pandas {pandas.__version__}, polars {polars.__version__}; input {rows['nps']['input_mib']:.0f} MiB; "
          f"1-minute load average {min(loads):.1f} to {max(loads):.1f} on {os.cpu_count()} cores\n")
    print("| implementation | features | time (s) | time / nps | peak extra memory (MiB) |")
    print("|---|---:|---:|---:|---:|")
    for which, n in (("nps", 12), ("pandas", 12), ("polars", 12), ("nps-retention", 27)):
        best = min(times[which])
        print(f"| {which} | {n} | {best:.2f} | {best / base:.1f}× | {rows[which]['extra_mib']:.0f} |")
    print("\nall times (s):", json.dumps({k: [round(t, 3) for t in v] for k, v in times.items()}))


if __name__ == "__main__":
    main()
