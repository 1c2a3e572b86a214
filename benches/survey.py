"""Tallying 10 million survey answers from Python: nps against numpy.bincount and pandas
(pd.cut + value_counts), side by side in one run on the same uint8 array.

    make bench            (or: .venv/bin/python benches/survey.py [--n 10000000] [--repeat 7])

Prints a markdown table of best-of-N times and ratios for docs/benchmarks.md.
"""

import argparse
import platform
import time

import numpy as np
import pandas as pd

import nps


def best(fn, repeat):
    fn()  # warm up
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10_000_000)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    scores = np.random.default_rng(1).integers(0, 11, args.n, dtype=np.uint8)

    def with_nps():
        return nps.Tally.from_scores(scores).counts

    def with_numpy():
        b = np.bincount(scores, minlength=11)
        if b.size > 11:
            raise ValueError("out of range")
        return int(b[:7].sum()), int(b[7:9].sum()), int(b[9:].sum())

    def with_pandas():
        cats = pd.cut(pd.Series(scores), bins=[-1, 6, 8, 10], labels=["d", "p", "q"])
        v = cats.value_counts()
        return int(v["d"]), int(v["p"]), int(v["q"])

    assert with_nps() == with_numpy() == with_pandas()
    rows = [("nps.Tally.from_scores", best(with_nps, args.repeat)),
            ("numpy.bincount + sums", best(with_numpy, args.repeat)),
            ("pandas pd.cut + value_counts", best(with_pandas, args.repeat))]
    base = rows[0][1]
    print(f"{args.n:,} uint8 answers; best of {args.repeat}; Python {platform.python_version()}, numpy {np.__version__}, pandas {pd.__version__}, nps {nps.__version__}\n")
    print("| implementation | time (ms) | throughput (MB/s) | time / nps |")
    print("|---|---:|---:|---:|")
    for name, t in rows:
        print(f"| {name} | {t * 1e3:.2f} | {args.n / t / 1e6:.0f} | {t / base:.1f}× |")


if __name__ == "__main__":
    main()
