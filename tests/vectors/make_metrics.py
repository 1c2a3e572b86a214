"""Writes tests/vectors/metrics.json: churn-model metrics with expected values from
scikit-learn 1.9 (roc_auc_score, roc_curve, average_precision_score, log_loss,
brier_score_loss, accuracy/precision/recall/f1 at a threshold, calibration_curve) and the
lift table from numpy (array_split over a stable descending sort). Read by the Rust, Python
and Node tests.

    .venv/bin/python tests/vectors/make_metrics.py
"""

import json
from pathlib import Path

import numpy as np
from sklearn import metrics
from sklearn.calibration import calibration_curve


def lift(y, s, bins):
    order = np.argsort(-s, kind="stable")
    base = y.mean()
    rows, cn, cp = [], 0, 0
    for b, idx in enumerate(np.array_split(order, bins)):
        pos = int(y[idx].sum())
        cn += len(idx)
        cp += pos
        rows.append({"bin": b + 1, "customers": len(idx), "positives": pos, "rate": pos / len(idx),
                     "lift": pos / len(idx) / base, "cumulative_customers": cn, "cumulative_positives": cp,
                     "cumulative_gain": cp / y.sum(), "cumulative_lift": cp / cn / base})
    return {"base_rate": base, "rows": rows}


def case(name, y, p, w=None, threshold=0.5, bins=10, lift_bins=10):
    y, p = np.asarray(y, float), np.asarray(p, float)
    fpr, tpr, thr = metrics.roc_curve(y, p, sample_weight=w, drop_intermediate=False)
    pred = (p >= threshold).astype(float)
    prob_true, prob_pred = calibration_curve(y, p, n_bins=bins, strategy="uniform")
    return {
        "name": name, "y": y.tolist(), "p": p.tolist(), "weights": None if w is None else np.asarray(w).tolist(),
        "threshold": threshold, "bins": bins, "lift_bins": lift_bins,
        "roc_auc": metrics.roc_auc_score(y, p, sample_weight=w),
        "roc_curve": {"fpr": fpr.tolist(), "tpr": tpr.tolist(), "thresholds": [None if np.isinf(t) else t for t in thr]},
        "average_precision": metrics.average_precision_score(y, p, sample_weight=w),
        "log_loss": metrics.log_loss(y, p, sample_weight=w),
        "brier": metrics.brier_score_loss(y, p, sample_weight=w),
        "accuracy": metrics.accuracy_score(y, pred),
        "precision": metrics.precision_score(y, pred, zero_division=0),
        "recall": metrics.recall_score(y, pred, zero_division=0),
        "f1": metrics.f1_score(y, pred, zero_division=0),
        "calibration": {"observed_rate": prob_true.tolist(), "mean_predicted": prob_pred.tolist()},
        "lift": lift(y, p, lift_bins),
    }


rng = np.random.default_rng(7)
n = 2000
y = (rng.random(n) < 0.27).astype(float)
p = np.clip(np.round(1 / (1 + np.exp(-(rng.normal(-1.2, 1.0, n) + 1.6 * y))), 2), 0, 1)
wy = (rng.random(500) < 0.3).astype(float)
wp = np.round(rng.beta(2, 4, 500) + 0.2 * wy, 3).clip(0, 1)
cases = [
    case("hand_ties", [0, 0, 1, 1, 0, 1], [0.1, 0.4, 0.35, 0.8, 0.4, 0.4], threshold=0.4, bins=4, lift_bins=4),
    case("tied_2000", y, p),
    case("weighted_500", wy, wp, w=np.round(rng.uniform(0.1, 4.0, 500), 2), threshold=0.3, bins=5, lift_bins=7),
    case("extremes", [0, 1, 1, 0, 1, 0, 0, 1], [0.0, 1.0, 0.9, 1.0, 0.0, 0.3, 0.1, 0.7], threshold=0.7, bins=3, lift_bins=3),
    case("edges", [0, 1, 0, 1, 1, 0, 1, 0], [3 / 7, 0.2, 0.3, 0.7, 6 / 7, 0.6, 0.6, 5 / 7], bins=7, lift_bins=3),
]
path = Path(__file__).with_name("metrics.json")
path.write_text(json.dumps({"cases": cases}) + "\n")
print(f"wrote {path} ({path.stat().st_size // 1024} KB)")
