"""Survival analysis: Kaplan-Meier and a Cox model (Efron ties) on generated customers
(default 1,000,000 customers x 20 covariates, integer durations in days so that many times
are tied, about 60% censored), nps against lifelines 0.30.0 side by side in one run on the
same data (lifelines computes the concordance index on its first access, nps during the
fit: the last row adds that access to lifelines' fit). Prints markdown for
docs/benchmarks.md with the times, the ratios and the largest differences between the two
results.

    .venv/bin/python benches/survival.py [--rows 1000000] [--cols 20]
"""

import argparse
import os
import platform
import time
import warnings

import numpy as np
import pandas as pd
from lifelines import CoxPHFitter, KaplanMeierFitter

from nps.survival import CoxModel, KaplanMeier


def timed(fn, repeat=1):
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def data(rows, cols, seed=1):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, cols))
    beta = np.linspace(-0.3, 0.3, cols)
    hazard = 0.002 * np.exp(x @ beta)
    event = rng.exponential(1 / hazard)
    censor = rng.uniform(0, 720, size=rows)
    frame = pd.DataFrame(x, columns=[f"x{j}" for j in range(cols)])
    frame["days"] = np.ceil(np.minimum(event, censor))
    frame["churned"] = (event <= censor).astype(int)
    return frame


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--cols", type=int, default=20)
    a = ap.parse_args()
    warnings.simplefilter("ignore")
    df = data(a.rows, a.cols)
    print(f"{a.rows:,} customers x {a.cols} covariates, {df['days'].nunique()} distinct durations, "
          f"{1 - df['churned'].mean():.0%} censored; {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} cores")

    # A fit of a few milliseconds: best of 20 each, so that one pause of the machine does not
    # decide the row.
    t_km_ll, km_ll = timed(lambda: KaplanMeierFitter().fit(df["days"], df["churned"]), repeat=20)
    t_km, km = timed(lambda: KaplanMeier().fit(df["days"], df["churned"]), repeat=20)
    km_delta = np.abs(km.survival_function_.to_numpy() - km_ll.survival_function_.to_numpy()).max()

    t_cox, cox = timed(lambda: CoxModel().fit(df, "days", "churned"), repeat=3)
    t_cox_ll, cox_ll = timed(lambda: CoxPHFitter().fit(df, "days", "churned"), repeat=3)
    coef_delta = np.abs(cox.params_.to_numpy() - cox_ll.params_.to_numpy()).max()
    se_delta = np.abs(cox.standard_errors_.to_numpy() - cox_ll.standard_errors_.to_numpy()).max()
    # lifelines computes the concordance index on its first access, nps during the fit:
    # the second Cox row times lifelines' fit and that access against nps's fit.
    t_c_ll, c_ll = timed(lambda: cox_ll.concordance_index_)
    c_delta = abs(cox.concordance_index_ - c_ll)

    print()
    print("| | lifelines | nps | nps faster | largest difference |")
    print("|---|---|---|---|---|")
    print(f"| Kaplan-Meier (best of 20) | {t_km_ll:.3f} s | {t_km:.3f} s | {t_km_ll / t_km:.1f}x | "
          f"survival {km_delta:.1e} |")
    print(f"| Cox, Efron ties ({cox._core.iterations} Newton steps, best of 3) | {t_cox_ll:.2f} s | {t_cox:.2f} s | "
          f"{t_cox_ll / t_cox:.1f}x | coef {coef_delta:.1e}, se {se_delta:.1e} |")
    print(f"| Cox fit and its concordance index | {t_cox_ll + t_c_ll:.2f} s | {t_cox:.2f} s | "
          f"{(t_cox_ll + t_c_ll) / t_cox:.1f}x | concordance {c_delta:.1e} |")


if __name__ == "__main__":
    main()
