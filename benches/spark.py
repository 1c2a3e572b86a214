"""nps on Apache Spark (issue 17): features and scoring at scale on a local Spark, each against
what a PySpark user would write without nps, side by side in one run and one session.

    .venv/bin/python benches/spark.py [--events 10000000] [--customers 1000000] [--rows 10000000]
        [--rounds 2] [--skip-features] [--skip-retention] [--skip-score] [--skip-memory]

- Features: 10 million generated events (nps.synth, the columns of nps.features) for 1
  million customers, as of the generator's reference time, with ``nps.spark.features`` and
  with the same twelve features written as idiomatic Spark SQL (one ``groupBy("customer")
  .agg(...)`` of conditional counts, sums, means, ``max_by``...). Both are checked equal on
  a sample of customers (exactly where the arithmetic is the same, to 1e-9 relative for the
  sums, which Spark adds in another order), then timed writing to the noop sink, taking
  turns for ``--rounds`` rounds. The built-in retention set (27 features) is timed for
  nps alone.
- Scoring: 10 million rows of a churn model's ten numeric inputs with ``nps.spark.score``
  against a pandas UDF calling scikit-learn's ``predict_proba`` (a ``StandardScaler`` and a
  ``LogisticRegression`` given nps's centres, scales and coefficients; the probabilities
  checked to 1e-12 on a sample).
- Memory: the features on a skewed copy of the events (one customer holding ``--skew`` of
  them) and on the events as generated, while a thread reads the peak resident memory
  (VmHWM, reset before each job through /proc/PID/clear_refs) of every Python worker
  Spark forks, against the Arrow size of the largest customer's events and of one batch.

The data are written once to Parquet under target/bench/ (kept for the next run). Spark
runs on ``local[2]`` with the Python of this process. Prints markdown for
docs/benchmarks.md.
"""

import argparse
import json
import math
import os
import platform
import sys
import threading
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
AS_OF = np.datetime64("2026-07-01T00:00:00", "s")  # the generator's default reference time
DAY = 86_400
INPUTS = [f"x{j}" for j in range(10)]

# The features both sides compute (those of benches/features.py that Spark SQL expresses
# directly, plus a mean over the whole history).
BENCH_SET = {"features": [
    {"name": "contacts_30d", "kinds": ["contact_opened"], "aggregation": "count", "window": {"days": 30}},
    {"name": "contacts_90d", "kinds": ["contact_opened"], "aggregation": "count", "window": {"days": 90}},
    {"name": "lifetime_value", "kinds": ["payment"], "aggregation": "sum", "field": "value"},
    {"name": "aht_90d", "kinds": ["contact_resolved"], "aggregation": "mean", "field": "duration", "window": {"days": 90}},
    {"name": "worst_90d", "kinds": ["contact_resolved", "survey_answer"], "aggregation": "min", "field": "value",
     "window": {"days": 90}},
    {"name": "usage_30d", "kinds": ["usage"], "aggregation": "sum", "field": "value", "window": {"days": 30}},
    {"name": "usage_prev_30d", "kinds": ["usage"], "aggregation": "sum", "field": "value",
     "window": {"days": 30, "offset_days": 30}},
    {"name": "usage_trend_30d", "ratio": ["usage_30d", "usage_prev_30d"]},
    {"name": "outages_30d", "kinds": ["outage"], "aggregation": "count", "window": {"days": 30}},
    {"name": "mean_bill", "kinds": ["bill"], "aggregation": "mean", "field": "value"},
    {"name": "last_nps", "kinds": ["survey_answer"], "aggregation": "last", "field": "value"},
    {"name": "days_since_last_contact", "kinds": ["contact_opened"], "aggregation": "days_since_last"},
    {"name": "tenure_days", "kinds": ["subscription_start"], "aggregation": "days_since_first"},
]}
# Columns compared exactly (same arithmetic on both sides) and to a tolerance (sums of
# doubles, added in another order by Spark).
EXACT = ["contacts_30d", "contacts_90d", "worst_90d", "outages_30d", "last_nps", "days_since_last_contact", "tenure_days"]
ADDED = ["lifetime_value", "aht_90d", "usage_30d", "usage_prev_30d", "usage_trend_30d", "mean_bill"]


# ---------------------------------------------------------------------------------------
# Data, written once.

# The memory bound is the event path's (customers through Python workers): BENCH_SET alone
# runs as Spark SQL, so the memory job adds an aggregation the SQL does not write.
EVENT_PATH_SET = {"features": BENCH_SET["features"] + [
    {"name": "bill_spread", "kinds": ["bill"], "aggregation": "std", "field": "value"}]}


def generate_events(events, customers, seed=7):
    """About ``events`` events of ``customers`` customers from the project's generator (the
    history long enough, then cut to ``events`` rows: the latest go), as Arrow columns.
    A customer's events at the same second are moved a second apart, so that "last" has
    one answer (Spark and one machine order ties differently: see nps.spark.features)."""
    import pandas as pd
    import pyarrow as pa

    import nps

    days = max(1, round(36 * events / (10 * customers)))
    while True:
        base = nps.synth.generate(customers=customers, seed=seed, history_days=days, horizon_days=1)
        if len(base.events) >= events:
            break
        days = math.ceil(days * 1.1 * events / len(base.events))
    ev = base.events.iloc[:events]
    customer = ev["customer"].cat.codes.to_numpy().astype(np.int64)
    seconds = ev["time"].to_numpy().astype("datetime64[s]").view(np.int64).copy()
    order = np.lexsort((seconds, customer))
    c, s = customer[order], seconds[order]
    for _ in range(100):  # a tie moved a second can meet the next event: repeat until none
        tie = np.flatnonzero((c[1:] == c[:-1]) & (s[1:] <= s[:-1])) + 1
        if not len(tie):
            break
        s[tie] = s[tie - 1] + 1
    seconds[order] = s
    kind = ev["kind"].astype(str).to_numpy()
    department = ev["department"].astype(object).where(ev["department"].notna(), None).to_numpy()
    table = pa.table({
        "customer": customer,
        "time": pa.array(seconds * 1_000_000, type=pa.timestamp("us", tz="UTC")),
        "kind": pa.array(kind, type=pa.string()),
        "value": pa.array(ev["value"].to_numpy(), from_pandas=True),
        "duration": pa.array(ev["duration"].to_numpy(), from_pandas=True),
        "department": pa.array(department, type=pa.string()),
        "case": pa.array(ev["case"].to_numpy(dtype="float64", na_value=np.nan), from_pandas=True).cast(pa.int64()),
        "flag": pa.array(ev["flag"].to_numpy(dtype=object, na_value=None), type=pa.bool_()),
    })
    del pd
    return table, days


def skewed(table, share, seed=3):
    """The same events with a random ``share`` of them given to customer 0."""
    import pyarrow as pa

    rng = np.random.default_rng(seed)
    customer = table.column("customer").to_numpy().copy()
    customer[rng.random(len(customer)) < share] = 0
    return table.set_column(0, "customer", pa.array(customer))


def score_rows(rows, seed=1, chunk=1_000_000):
    """Chunks of (id, x0..x9): normals of different means and scales, and a churn label drawn
    from a known logistic model (for the fit only)."""
    rng = np.random.default_rng(seed)
    means = np.linspace(-2, 5, len(INPUTS))
    scales = np.linspace(0.5, 30, len(INPUTS))
    beta = ((np.arange(len(INPUTS)) % 5) - 2) / 4 / scales
    for start in range(0, rows, chunk):
        n = min(chunk, rows - start)
        x = rng.standard_normal((n, len(INPUTS))) * scales + means
        y = rng.random(n) < 1 / (1 + np.exp(-(-1.0 + (x - means) @ beta)))
        yield start, x, y


def write_data(a, out):
    """The Parquet files (made when absent) and what the report needs to know of them."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    out.mkdir(parents=True, exist_ok=True)
    events_path = out / f"spark-events-{a.events}-{a.customers}.parquet"
    skewed_path = out / f"spark-events-{a.events}-{a.customers}-skew{a.skew:g}.parquet"
    rows_path = out / f"spark-score-{a.rows}.parquet"
    info_path = out / f"spark-events-{a.events}-{a.customers}.json"
    if not (events_path.exists() and skewed_path.exists() and info_path.exists()):
        t0 = time.perf_counter()
        table, days = generate_events(a.events, a.customers)
        pq.write_table(table, events_path, row_group_size=1 << 20)
        heavy = skewed(table, a.skew)
        pq.write_table(heavy, skewed_path, row_group_size=1 << 20)
        counts = np.bincount(table.column("customer").to_numpy())
        heavy_rows = int((heavy.column("customer").to_numpy() == 0).sum())
        info = {"events": table.num_rows, "customers": int((counts > 0).sum()), "history_days": days,
                "bytes_per_event": table.nbytes / table.num_rows, "largest_group": int(counts.max()),
                "skewed_group": heavy_rows, "seconds": time.perf_counter() - t0}
        info_path.write_text(json.dumps(info))
        print(f"(wrote {events_path.name} and {skewed_path.name} in {info['seconds']:.0f} s)", file=sys.stderr)
    info = json.loads(info_path.read_text())
    if a.skip_score:
        return events_path, skewed_path, None, info
    if not rows_path.exists():
        schema = pa.schema([("id", pa.int64())] + [(c, pa.float64()) for c in INPUTS])
        with pq.ParquetWriter(rows_path, schema) as w:
            for start, x, _ in score_rows(a.rows):
                cols = [pa.array(np.arange(start, start + len(x), dtype=np.int64))] + [pa.array(x[:, j]) for j in
                                                                                       range(x.shape[1])]
                w.write_table(pa.Table.from_arrays(cols, schema=schema), row_group_size=1 << 20)
    return events_path, skewed_path, rows_path, info


# ---------------------------------------------------------------------------------------
# The same features in Spark SQL.

def spark_sql_features(events, as_of_seconds):
    """BENCH_SET as one groupBy: each feature a conditional aggregate of the events before
    as_of in its window (as_of - (offset + days) <= t < as_of - offset, in whole seconds,
    as the core reads them)."""
    from pyspark.sql import functions as F

    t = F.unix_seconds("time")
    kind = F.col("kind")

    def within(kinds, days=None, offset=0, field=None):
        cond = kind.isin(kinds) & (t < as_of_seconds - offset * DAY)
        if days is not None:
            cond &= t >= as_of_seconds - (offset + days) * DAY
        if field is not None:
            cond &= F.col(field).isNotNull() & ~F.isnan(field)
        return cond

    def of(cond, column):
        return F.when(cond, F.col(column) if isinstance(column, str) else column)

    def days_to(seconds):
        return (F.lit(as_of_seconds) - seconds).cast("double") / float(DAY)

    resolved_90 = within(["contact_resolved"], 90, field="duration")
    survey = within(["survey_answer"], field="value")
    out = events.groupBy("customer").agg(
        F.count(of(within(["contact_opened"], 30), F.lit(1))).cast("double").alias("contacts_30d"),
        F.count(of(within(["contact_opened"], 90), F.lit(1))).cast("double").alias("contacts_90d"),
        F.coalesce(F.sum(of(within(["payment"], field="value"), "value")), F.lit(0.0)).alias("lifetime_value"),
        F.avg(of(resolved_90, "duration")).alias("aht_90d"),
        F.min(of(within(["contact_resolved", "survey_answer"], 90, field="value"), "value")).alias("worst_90d"),
        F.coalesce(F.sum(of(within(["usage"], 30, field="value"), "value")), F.lit(0.0)).alias("usage_30d"),
        F.coalesce(F.sum(of(within(["usage"], 30, 30, field="value"), "value")), F.lit(0.0)).alias("usage_prev_30d"),
        F.count(of(within(["outage"], 30), F.lit(1))).cast("double").alias("outages_30d"),
        F.avg(of(within(["bill"], field="value"), "value")).alias("mean_bill"),
        F.max_by(of(survey, "value"), of(survey, t)).alias("last_nps"),
        days_to(F.max(of(within(["contact_opened"]), t))).alias("days_since_last_contact"),
        days_to(F.min(of(within(["subscription_start"]), t))).alias("tenure_days"),
    )
    trend = F.when(F.col("usage_prev_30d") != 0, F.col("usage_30d") / F.col("usage_prev_30d"))
    names = [f["name"] for f in BENCH_SET["features"]]
    return out.withColumn("usage_trend_30d", trend).select("customer", *names)


def check_features(spark, events, as_of, every):
    """nps.spark.features and the Spark SQL features on every ``every``-th customer, and
    nps.features.compute on the same events collected: the same numbers."""
    import pandas as pd
    from pyspark.sql import functions as F

    import nps
    import nps.spark

    sample = events.filter(F.col("customer") % every == 0)
    ours = nps.spark.features(sample, BENCH_SET, as_of).toPandas().set_index("customer").sort_index()
    sql = spark_sql_features(sample, int(as_of.astype(np.int64))).toPandas().set_index("customer").sort_index()
    sql = sql.astype("float64").fillna(np.nan)
    collected = sample.toPandas()
    one = nps.features.compute(collected, BENCH_SET, as_of).sort_index()
    assert list(ours.index) == list(sql.index) == list(one.index), "not the same customers"
    assert ours.to_numpy().tobytes() == one[list(ours.columns)].to_numpy().tobytes(), "nps.spark differs from nps"
    exact = ours[EXACT].to_numpy().tobytes() == sql[EXACT].to_numpy().tobytes()
    assert exact, "Spark SQL differs: " + str((ours[EXACT] - sql[EXACT]).abs().max())
    a, b = ours[ADDED].to_numpy(), sql[ADDED].to_numpy()
    assert (np.isnan(a) == np.isnan(b)).all()
    rel = np.nanmax(np.abs(a - b) / np.maximum(np.abs(b), 1e-300), initial=0.0)
    assert rel <= 1e-9, rel
    del pd
    return len(ours), len(collected), float(rel)


# ---------------------------------------------------------------------------------------
# Scoring: the nps model and its scikit-learn twin.

def fit_model(n=200_000):
    import nps

    _, x, y = next(score_rows(n, chunk=n))
    import pandas as pd

    return nps.ChurnModel().fit(pd.DataFrame(x, columns=INPUTS), y)


def sklearn_twin(model):
    """A StandardScaler + LogisticRegression pipeline holding nps's centres, scales and
    coefficients."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    columns = json.loads(model._model.to_json())["encoder"]["columns"]
    assert [c["name"] for c in columns] == INPUTS and not any(c["indicator"] for c in columns)
    scaler = StandardScaler()
    scaler.mean_ = np.array([c["center"] for c in columns])
    scaler.scale_ = np.array([c["scale"] for c in columns])
    scaler.var_ = scaler.scale_ ** 2
    scaler.n_features_in_ = len(columns)
    scaler.n_samples_seen_ = 1
    lr = LogisticRegression()
    lr.coef_ = np.asarray(model.coef_, dtype=np.float64).reshape(1, -1)
    lr.intercept_ = np.asarray(model.intercept_, dtype=np.float64)
    lr.classes_ = np.array([0, 1])
    lr.n_features_in_ = len(columns)
    return make_pipeline(scaler, lr)


def sklearn_udf(twin):
    import pandas as pd
    from pyspark.sql.functions import pandas_udf

    @pandas_udf("double")
    def churn_probability(*columns: pd.Series) -> pd.Series:
        x = np.column_stack([c.to_numpy(dtype=np.float64) for c in columns])
        return pd.Series(twin.predict_proba(x)[:, 1])

    return churn_probability


def swallow(batches):
    """Reads every batch, returns nothing: the cost of handing the events to Python."""
    for _ in batches:
        pass
    return iter(())


def zeros_udf():
    """A scalar Arrow UDF that returns zeros: what any model scored in a Python worker pays
    for the round trip (rows to Arrow, to the worker and back) before computing anything."""
    import pyarrow as pa
    from pyspark.sql.functions import arrow_udf

    @arrow_udf("double")
    def zeros(*columns: pa.Array) -> pa.Array:
        return pa.array(np.zeros(len(columns[0])))

    return zeros


# ---------------------------------------------------------------------------------------
# The peak memory of Spark's Python workers (Linux /proc, no extra package).

def _status(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            fields = dict(line.split(":", 1) for line in f)
        return int(fields["VmHWM"].split()[0]) * 1024, int(fields["VmRSS"].split()[0]) * 1024, int(fields["PPid"])
    except (OSError, KeyError, ValueError):
        return None


def _python_workers():
    """pid -> True for a daemon, False for a worker: the processes running pyspark.daemon
    that descend from this process (Spark's JVM starts the daemon, the daemon forks the
    workers)."""
    ppid = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                if b"pyspark.daemon" not in f.read():
                    continue
        except OSError:
            continue
        s = _status(entry)
        if s is not None:
            ppid[int(entry)] = s[2]
    me, found = os.getpid(), {}
    for pid, parent in ppid.items():
        daemon = parent not in ppid
        p = parent if daemon else ppid.get(parent, 0)
        for _ in range(4):  # from the daemon up to this process (the JVM, maybe a shell, this)
            if p == me:
                found[pid] = daemon
                break
            s = _status(p) if p > 1 else None
            if s is None:
                break
            p = s[2]
    return found


class WorkerPeaks:
    """Reads the peak resident memory of every Python worker while a job runs: the peaks of
    the workers alive (idle, after a warm-up) are reset (clear_refs 5) before it, their
    resident memory then is their idle size; workers forked during the job are picked up
    every 50 ms (their idle size taken as the smallest of the others'), and each one's
    VmHWM read until the job ends."""

    def __init__(self):
        self.peaks, self.idle, self.new, self._stop = {}, {}, set(), threading.Event()

    def _workers(self):
        return [pid for pid, daemon in _python_workers().items() if not daemon]

    def _poll(self):
        for pid in self._workers():
            s = _status(pid)
            if s is None:
                continue
            if pid not in self.idle:
                self.new.add(pid)
                self.idle[pid] = s[1]
            self.peaks[pid] = max(self.peaks.get(pid, 0), s[0])

    def __enter__(self):
        for pid in self._workers():
            try:
                with open(f"/proc/{pid}/clear_refs", "w") as f:
                    f.write("5")
            except OSError:
                continue
            s = _status(pid)
            if s is not None:
                self.idle[pid], self.peaks[pid] = s[1], s[0]

        def loop():
            while not self._stop.wait(0.05):
                self._poll()

        self._thread = threading.Thread(target=loop, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self._poll()

    def summary(self):
        if not self.peaks:
            return {"workers": 0, "new": 0, "peak_mib": float("nan"), "extra_mib": float("nan")}
        warm = [self.idle[p] for p in self.idle if p not in self.new]
        idle = {p: (min(warm) if p in self.new and warm else self.idle[p]) for p in self.peaks}
        pid = max(self.peaks, key=lambda p: self.peaks[p] - idle[p])
        return {"workers": len(self.peaks), "new": len(self.new), "peak_mib": max(self.peaks.values()) / 2**20,
                "extra_mib": (self.peaks[pid] - idle[pid]) / 2**20, "idle_mib": idle[pid] / 2**20}


def warm_up(spark):
    """Two Python workers started and idle, nps imported: a job of two tasks that overlap."""
    def wait(batches):
        import nps.features  # noqa: F401
        import nps.spark  # noqa: F401

        time.sleep(2.0)
        yield from batches

    spark.range(0, 2, 1, 2).mapInArrow(wait, "id long").collect()


# ---------------------------------------------------------------------------------------

def noop(df):
    t0 = time.perf_counter()
    df.write.format("noop").mode("overwrite").save()
    return time.perf_counter() - t0


def take_turns(jobs, rounds):
    """Each job's time: building its DataFrame (nps.spark.features makes one pass over the
    events there when it sums) and writing it to the noop sink."""
    times = {name: [] for name in jobs}
    for _ in range(rounds):
        for name, job in jobs.items():
            t0 = time.perf_counter()
            df = job()
            times[name].append(time.perf_counter() - t0 + noop(df))
            print(f"  {name}: {times[name][-1]:.1f} s", file=sys.stderr, flush=True)
    return times


def session(a):
    from pyspark.sql import SparkSession

    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    local = ROOT / "target" / "bench" / "spark-local"
    local.mkdir(parents=True, exist_ok=True)
    spark = (SparkSession.builder.master("local[2]").appName("nps-bench")
             .config("spark.ui.enabled", "false")
             .config("spark.ui.showConsoleProgress", "false")
             .config("spark.driver.memory", a.driver_memory)
             .config("spark.local.dir", str(local))
             .config("spark.sql.session.timeZone", "UTC")
             .config("spark.python.worker.reuse", "true")
             .config("spark.sql.execution.arrow.pyspark.enabled", "true")
             .config("spark.sql.execution.arrow.maxRecordsPerBatch", str(a.batch))
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--events", type=int, default=10_000_000)
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--rows", type=int, default=10_000_000, help="rows scored")
    ap.add_argument("--rounds", type=int, default=2, help="timed runs of each implementation, taking turns")
    ap.add_argument("--skew", type=float, default=0.2, help="share of the events of the heavy customer")
    ap.add_argument("--batch", type=int, default=10_000, help="spark.sql.execution.arrow.maxRecordsPerBatch")
    ap.add_argument("--driver-memory", default="6g")
    ap.add_argument("--check-every", type=int, default=50, help="the equality check takes every n-th customer")
    ap.add_argument("--data", default=str(ROOT / "target" / "bench"))
    for part in ("features", "retention", "score", "memory"):
        ap.add_argument(f"--skip-{part}", action="store_true")
    a = ap.parse_args()
    warnings.filterwarnings("ignore", message=".*pandas.*")  # PySpark 4.3 on pandas 3: a notice, not a fault

    import pandas
    import pyarrow
    import pyspark
    import sklearn

    import nps
    import nps.spark

    events_path, skewed_path, rows_path, info = write_data(a, Path(a.data))
    spark = session(a)
    events = spark.read.parquet(str(events_path))
    as_of = AS_OF
    as_of_seconds = int(as_of.astype(np.int64))
    loads = [os.getloadavg()[0]]
    report = []
    java = spark.sparkContext._jvm.java.lang.System.getProperty("java.version")
    report.append(f"Command: `.venv/bin/python {' '.join(['benches/spark.py'] + sys.argv[1:])}`; "
                  f"{time.strftime('%Y-%m-%d %H:%M')}; Spark {pyspark.__version__} `local[2]`, Java {java}, "
                  f"Python {platform.python_version()}, pyarrow {pyarrow.__version__}, pandas {pandas.__version__}, "
                  f"scikit-learn {sklearn.__version__}, nps {nps.__version__}; driver memory {a.driver_memory}, "
                  f"Arrow batches of {a.batch:,} rows, {os.cpu_count()} cores.\n")
    report.append(f"Events: {info['events']:,} events of {info['customers']:,} customers (nps.synth, seed 7, "
                  f"{info['history_days']} days of history), {info['bytes_per_event']:.0f} bytes per event in Arrow; "
                  f"largest customer {info['largest_group']:,} events.\n")

    if not a.skip_features:
        n_customers, n_events, rel = check_features(spark, events, as_of, a.check_every)
        report.append(f"Checked on every {a.check_every}th customer ({n_customers:,} customers, {n_events:,} events): "
                      f"nps.spark.features equals nps.features.compute to the bit; Spark SQL gives the same counts, "
                      f"minimum, last value and days exactly, and the sums and means to {rel:.1e} relative.\n")
        jobs = {"nps.spark.features": lambda: nps.spark.features(events, BENCH_SET, as_of),
                "Spark SQL groupBy": lambda: spark_sql_features(events, as_of_seconds)}
        if not a.skip_retention:
            jobs["nps.spark.features, retention set"] = lambda: nps.spark.features(events, None, as_of)
        # For the analysis: the shuffle and sort nps.spark.features asks of Spark (the five
        # columns these features read), without Python.
        read = ["customer", "time", "kind", "value", "duration"]
        sorted_events = lambda: events.select(*read).repartition("customer").sortWithinPartitions("customer")
        jobs["(Spark alone: the events repartitioned by customer and sorted, no Python)"] = sorted_events
        jobs["(the same, and its Arrow batches sent to Python, which returns nothing)"] = lambda: sorted_events(
        ).mapInArrow(swallow, "customer long")
        times = take_turns(jobs, a.rounds)
        loads.append(os.getloadavg()[0])
        base = min(times["Spark SQL groupBy"])
        report.append(f"| features, {info['events']:,} events | features | best (s) | all runs (s) | events/s | time / Spark SQL |")
        report.append("|---|---:|---:|---|---:|---:|")
        for name, t in times.items():
            n = 27 if "retention" in name else 0 if name.startswith("(") else len(BENCH_SET["features"])
            report.append(f"| {name} | {n or '-'} | {min(t):.1f} | {', '.join(f'{x:.1f}' for x in t)} | "
                          f"{info['events'] / min(t):,.0f} | {min(t) / base:.2f}× |")
        report.append("")

    if not a.skip_score:
        model = fit_model()
        twin = sklearn_twin(model)
        rows = spark.read.parquet(str(rows_path))
        udf = sklearn_udf(twin)
        sample = rows.filter(rows["id"] % 1000 == 0)
        ours = nps.spark.score(sample, model).toPandas().set_index("id").sort_index()
        theirs = sample.withColumn("churn_probability", udf(*INPUTS)).toPandas().set_index("id").sort_index()
        diff = float(np.abs(ours["churn_probability"] - theirs["churn_probability"]).max())
        one = model.churn_probability(ours[INPUTS])
        assert one.tobytes() == ours["churn_probability"].to_numpy().tobytes()
        assert diff <= 1e-12, diff
        zeros = zeros_udf()
        times = take_turns({"nps.spark.score": lambda: nps.spark.score(rows, model),
                            "pandas UDF, scikit-learn predict_proba": lambda: rows.withColumn(
                                "churn_probability", udf(*INPUTS)),
                            "(an Arrow UDF returning zeros: the round trip to Python alone)": lambda: rows.withColumn(
                                "churn_probability", zeros(*INPUTS)),
                            "(reading the rows, no Python)": lambda: rows}, a.rounds)
        loads.append(os.getloadavg()[0])
        report.append(f"Scoring: {a.rows:,} rows (id and ten float inputs); a ChurnModel fitted on 200,000 of them; "
                      f"checked on every 1000th row: nps.spark.score equals model.churn_probability to the bit, "
                      f"scikit-learn differs by at most {diff:.1e}.\n")
        base = min(times["nps.spark.score"])
        report.append(f"| scoring, {a.rows:,} rows | best (s) | all runs (s) | rows/s | time / nps |")
        report.append("|---|---:|---|---:|---:|")
        for name, t in times.items():
            report.append(f"| {name} | {min(t):.1f} | {', '.join(f'{x:.1f}' for x in t)} | {a.rows / min(t):,.0f} | "
                          f"{min(t) / base:.2f}× |")
        report.append("")

    if not a.skip_memory:
        import pyarrow.parquet as pq

        heavy = spark.read.parquet(str(skewed_path))
        # The events as they reach Python: the five columns these features read.
        sample = pq.ParquetFile(events_path).read_row_group(0, columns=["customer", "time", "kind", "value", "duration"])
        per_event = sample.nbytes / sample.num_rows
        batch_mib = a.batch * per_event / 2**20
        rows_out = []
        for label, df, group in (("as generated", events, info["largest_group"]),
                                 (f"skewed: customer 0 holds {a.skew:.0%} of the events", heavy, info["skewed_group"])):
            noop(nps.spark.features(df.filter(df["customer"] % 1000 == 1), EVENT_PATH_SET, as_of, partitions=2))
            warm_up(spark)
            with WorkerPeaks() as peaks:
                t = noop(nps.spark.features(df, EVENT_PATH_SET, as_of))
            s = peaks.summary()
            group_mib = group * per_event / 2**20
            workers = f"{s['workers']}" + (f" ({s['new']} new)" if s["new"] else "")
            rows_out.append(f"| {label} | {group:,} | {group_mib:.1f} | {batch_mib:.1f} | {workers} | "
                            f"{s['peak_mib']:.0f} | {s['extra_mib']:.0f} | {t:.1f} |")
        loads.append(os.getloadavg()[0])
        report.append(f"Memory: {info['events']:,} events through the Python workers, {per_event:.0f} bytes per event "
                      "in Arrow (the five columns read).\n")
        report.append("| features (BENCH_SET and a standard deviation: the event path) | largest customer (events) | its events in Arrow (MiB) | one batch (MiB) | "
                      "Python workers | peak RSS of a worker (MiB) | peak above idle (MiB) | time (s) |")
        report.append("|---|---:|---:|---:|---:|---:|---:|---:|")
        report += rows_out
        report.append("")
    report.append(f"1-minute load average {min(loads):.1f} to {max(loads):.1f}.")
    print("\n".join(report))
    spark.stop()


if __name__ == "__main__":
    main()
