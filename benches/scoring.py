"""Churn scoring: training and batch scoring, nps against scikit-learn side by side in one
run, on the Telco data (encoded as in the features issue) and on a generated
1,000,000 x 50 matrix. Prints markdown for docs/benchmarks.md.

    .venv/bin/python benches/scoring.py [--rows 1000000] [--cols 50]
"""

import argparse
import platform
import time
from pathlib import Path

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression

import nps

TELCO = Path(__file__).resolve().parents[2] / "shared" / "data" / "telco" / "Telco-Customer-Churn.csv"


def best(fn, repeat):
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def training_rows(label, x, y, repeat):
    rows = []
    t_nps, ours = best(lambda: nps.ChurnModel(standardize=False, tol=1e-8).fit(x, y), repeat)
    for tol in (1e-4, 1e-8):
        t_sk, sk = best(lambda tol=tol: LogisticRegression(C=1.0, tol=tol, max_iter=10000).fit(x, y), repeat)
        diff = np.abs(sk.coef_ - ours.coef_).max()
        rows.append((label, f"scikit-learn lbfgs, tol {tol:g}", t_sk, t_sk / t_nps, f"{diff:.1e}", int(sk.n_iter_[0])))
    rows.insert(0, (label, "nps (Newton, tol 1e-8)", t_nps, 1.0, "-", ours.convergence_["iterations"]))
    return rows, ours


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--cols", type=int, default=50)
    a = ap.parse_args()
    print(f"Python {platform.python_version()}, numpy {np.__version__}, scikit-learn {sklearn.__version__}, nps {nps.__version__}\n")

    rows = []
    if TELCO.exists():
        df = nps.read_csv(TELCO)
        y = (df.pop("Churn") == "Yes").to_numpy()
        x = nps.TableEncoder(exclude=["customerID"]).fit_transform(df)
        r, _ = training_rows(f"Telco {x.shape[0]:,} x {x.shape[1]}", x, y, 5)
        rows += r
    rng = np.random.default_rng(1)
    x = rng.standard_normal((a.rows, a.cols))
    beta = ((np.arange(a.cols) % 7) - 3) / 10
    y = (rng.random(a.rows) < 1 / (1 + np.exp(-(-1.0 + x @ beta)))).astype(float)
    r, model = training_rows(f"generated {a.rows:,} x {a.cols}", x, y, 2)
    rows += r
    print("Training (best of 5 on Telco, of 2 on the generated matrix); coefficient difference is the largest absolute difference from nps's:\n")
    print("| data | implementation | time (s) | time / nps | max coef diff | iterations |")
    print("|---|---|---:|---:|---:|---:|")
    for label, impl, t, ratio, diff, it in rows:
        print(f"| {label} | {impl} | {t:.3f} | {ratio:.2f}x | {diff} | {it} |")

    sk = LogisticRegression(C=1.0, tol=1e-8, max_iter=10000).fit(x, y)
    t_nps, p = best(lambda: model.churn_probability(x), 5)
    t_sk, q = best(lambda: sk.predict_proba(x)[:, 1], 5)
    print(f"\nBatch scoring {a.rows:,} rows x {a.cols} (best of 5); largest probability difference {np.abs(p - q).max():.1e}:\n")
    print("| implementation | time (ms) | rows/s | time / nps |")
    print("|---|---:|---:|---:|")
    for impl, t in (("nps `ChurnModel.churn_probability`", t_nps), ("scikit-learn `predict_proba`", t_sk)):
        print(f"| {impl} | {t * 1e3:.1f} | {a.rows / t:,.0f} | {t / t_nps:.2f}x |")


if __name__ == "__main__":
    main()
