"""Boosted trees: training, batch scoring and TreeSHAP, nps against LightGBM side by side in
one run, with the same threads, on a generated matrix (default 1,000,000 x 50, 300 trees,
31 leaves, 255 bins, 5 % missing values, a non-linear truth). Prints markdown for
docs/benchmarks.md, and writes a 300-tree model over the 27 retention features to
target/bench/boosted_ticket_{7,15,31}.json (7, 15, 31 leaves) for benches/boosted_ticket.js.

    .venv/bin/python benches/boosted.py [--rows 1000000] [--trees 300] [--threads 2]
"""

import argparse
import os
import platform
import time
from pathlib import Path

import lightgbm as lgb
import numpy as np
from sklearn.metrics import roc_auc_score

import nps

ROOT = Path(__file__).resolve().parents[1]


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def data(rows, cols, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, cols))
    x[rng.random((rows, cols)) < 0.05] = np.nan
    v = np.nan_to_num(x)
    z = v[:, 0] * v[:, 1] + np.sin(2 * v[:, 2]) + 0.5 * v[:, 3] ** 2 - 0.7 * (v[:, 4] > 1) + 0.3 * v[:, 5] - 1.0
    y = (rng.random(rows) < 1 / (1 + np.exp(-z))).astype(np.float64)
    return x, y


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--cols", type=int, default=50)
    ap.add_argument("--trees", type=int, default=300)
    ap.add_argument("--leaves", type=int, default=31)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--shap-rows", type=int, default=100_000)
    a = ap.parse_args()
    x, y = data(a.rows, a.cols, 1)
    xt, yt = data(200_000, a.cols, 2)
    params = dict(n_estimators=a.trees, num_leaves=a.leaves, learning_rate=0.1, max_bin=255, min_child_samples=20,
                  n_jobs=a.threads, verbose=-1, deterministic=True, force_col_wise=True)
    t_lgb, m_lgb = timed(lambda: lgb.LGBMClassifier(**params).fit(x, y))
    t_nps, m_nps = timed(lambda: nps.BoostedChurnModel(n_estimators=a.trees, num_leaves=a.leaves, learning_rate=0.1,
                                                       max_bin=255, threads=a.threads).fit(x, y))
    auc_lgb = roc_auc_score(yt, m_lgb.predict_proba(xt)[:, 1])
    auc_nps = roc_auc_score(yt, m_nps.churn_probability(xt))
    s_lgb, _ = timed(lambda: m_lgb.booster_.predict(x, num_threads=a.threads))
    s_nps, _ = timed(lambda: m_nps.churn_probability(x))
    xs = x[: a.shap_rows]
    c_lgb, cl = timed(lambda: m_lgb.booster_.predict(xs, pred_contrib=True, num_threads=a.threads))
    c_nps, cn = timed(lambda: m_nps.contributions(xs))
    # The same trees from LightGBM's own file: contributions to compare like for like.
    imported = nps.BoostedChurnModel.from_lightgbm(m_lgb.booster_.model_to_string())
    c_imp, ci = timed(lambda: imported.contributions(xs))
    diff = np.abs(ci.to_numpy() - cl[:, :-1]).max()
    print(f"{a.rows:,} x {a.cols}, {a.trees} trees, {a.leaves} leaves, 255 bins, {a.threads} threads; "
          f"LightGBM {lgb.__version__}, numpy {np.__version__}, {platform.processor() or platform.machine()}, "
          f"load {' '.join(f'{load:.2f}' for load in os.getloadavg())}")
    print("| task | nps (s) | LightGBM (s) | nps / LightGBM |\n|---|---:|---:|---:|")
    print(f"| training | {t_nps:.2f} | {t_lgb:.2f} | {t_nps / t_lgb:.2f} |")
    print(f"| batch scoring, {a.rows:,} rows | {s_nps:.3f} | {s_lgb:.3f} | {s_nps / s_lgb:.2f} |")
    print(f"| TreeSHAP, {len(xs):,} rows (own model) | {c_nps:.3f} | {c_lgb:.3f} | {c_nps / c_lgb:.2f} |")
    print(f"| TreeSHAP, {len(xs):,} rows (LightGBM's trees, read) | {c_imp:.3f} | {c_lgb:.3f} | {c_imp / c_lgb:.2f} |")
    print(f"holdout AUC (200,000 rows): nps {auc_nps:.4f}, LightGBM {auc_lgb:.4f}; "
          f"contributions of LightGBM's trees read by nps vs pred_contrib: max |diff| {diff:.1e}")

    # 300-tree models over the retention features (7 leaves: the defaults; 15 and 31), for
    # the Node ticket benchmark.
    base = nps.synth.generate(customers=20_000, seed=7)
    f = nps.features.retention(base.events, as_of=base.as_of)
    for leaves in (7, 15, 31):
        model = nps.BoostedChurnModel(n_estimators=300, num_leaves=leaves).fit(f, base.labels["churned"])
        out = ROOT / "target" / "bench" / f"boosted_ticket_{leaves}.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        model.save(out)
        print(f"wrote {out} ({len(model.to_json()) // 1024} KiB)")


if __name__ == "__main__":
    main()
