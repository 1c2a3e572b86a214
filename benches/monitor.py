"""Drift report: nps.monitor.drift against the same computations in numpy and scipy, in one
run on the same data (default 1,000,000 reference rows and 1,000,000 current rows x 50
numeric inputs, 1% missing, half of the inputs shifted). Per input both sides compute the
reference's decile edges (np.quantile), the shares of both windows in them with missing a
bin (np.searchsorted + np.bincount), the PSI, the missing rates and the two-sample KS
statistic (scipy.stats.ks_2samp). Prints markdown for docs/benchmarks.md with the times, the
ratio and the largest differences between the two results.

    .venv/bin/python benches/monitor.py [--rows 1000000] [--cols 50]
"""

import argparse
import os
import platform
import time

import numpy as np
import pandas as pd
from scipy.stats import ks_2samp

from nps import monitor


def timed(fn, repeat=1):
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def data(rows, cols, seed=1):
    rng = np.random.default_rng(seed)

    def window(shift):
        x = rng.normal(size=(rows, cols)) + shift * (np.arange(cols) % 2)
        x[rng.uniform(size=x.shape) < 0.01] = np.nan
        return pd.DataFrame(x, columns=[f"x{j}" for j in range(cols)])

    return window(0.0), window(0.5)


def numpy_scipy(ref, cur, bins=10, eps=1e-4):
    out = {}
    for name in ref.columns:
        r, c = ref[name].to_numpy(), cur[name].to_numpy()
        rm, cm = np.isnan(r), np.isnan(c)
        r_ok, c_ok = r[~rm], c[~cm]
        edges = np.unique(np.quantile(r_ok, np.arange(1, bins) / bins))

        def shares(x, ok, missing, edges=edges):
            counts = np.bincount(np.searchsorted(edges, ok, side="left"), minlength=len(edges) + 1)
            return np.append(counts, missing.sum()) / len(x)

        a, b = shares(r, r_ok, rm), shares(c, c_ok, cm)
        a, b = np.where(a == 0, eps, a), np.where(b == 0, eps, b)
        out[name] = (float(np.sum((b - a) * np.log(b / a))), float(ks_2samp(r_ok, c_ok).statistic),
                     cm.mean() - rm.mean())
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--cols", type=int, default=50)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    ref, cur = data(args.rows, args.cols)
    t_nps, report = timed(lambda: monitor.drift(ref, cur), args.repeat)
    t_np, base = timed(lambda: numpy_scipy(ref, cur), 1)
    psi_diff = max(abs(report.loc[k, "psi"] - v[0]) for k, v in base.items())
    ks_diff = max(abs(report.loc[k, "ks"] - v[1]) for k, v in base.items())
    miss_diff = max(abs(report.loc[k, "missing_rate_change"] - v[2]) for k, v in base.items())
    print(f"drift report, {args.rows:,} + {args.rows:,} rows x {args.cols} inputs "
          f"({platform.processor() or platform.machine()}, {os.cpu_count()} cores)\n")
    print("| | nps | numpy + scipy | ratio |")
    print("|---|---|---|---|")
    print(f"| drift (PSI, KS, missing rates) | {t_nps:.2f} s | {t_np:.2f} s | {t_np / t_nps:.1f}x |")
    print(f"\nlargest difference: PSI {psi_diff:.1e}, KS {ks_diff:.1e}, missing-rate change {miss_diff:.1e}; "
          f"drifted: {len(report.drifted)} of {args.cols} (the shifted half)")


if __name__ == "__main__":
    main()
