"""Writes tests/vectors/monitor.json: drift, performance, DeLong and recalibration cases with
the reference values of numpy, scipy and scikit-learn, and the core's own answers, which the
Rust, Python and Node tests must reproduce to the bit.

* drift: a reference and a current window (numbers with ties and NaN, categories with
  missing, a new and a vanished category); per input the PSI computed by hand with numpy
  (``np.quantile`` deciles, ``np.searchsorted(side="left")``, NaN a bin, empty shares
  1e-4), scipy's ``ks_2samp`` statistic, and the core's report (from the rows and from the
  reference summary, which is in the file too).
* performance: y, p and a month per row; scikit-learn's ``roc_auc_score`` and
  ``brier_score_loss`` per month; the core's rows.
* delong: Hanley & McNeil's (1982) ratings with the published area, standard error and
  interval (Stata's ``roctab`` on these data), and two correlated scores with the core's
  paired test.
* isotonic: scikit-learn's ``IsotonicRegression(out_of_bounds="clip")`` with ties and
  weights; platt: ``LogisticRegression(C=1e12)`` on logit(p); the core's predictions.

    .venv/bin/python tests/vectors/make_monitor.py   (after building the extension)
"""

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import ks_2samp
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score

import nps

OUT = Path(__file__).with_name("monitor.json")


def nums(values):
    return [None if (v is None or (isinstance(v, float) and math.isnan(v))) else float(v)
            for v in np.asarray(values, dtype=float).tolist()]


def psi_by_hand(ref, cur, bins=10, eps=1e-4):
    """PSI over the reference's quantile bins closed on the right, NaN a bin of its own."""
    r = ref[~np.isnan(ref)]
    edges = np.unique(np.quantile(r, np.arange(1, bins) / bins))
    def shares(x):
        ok = x[~np.isnan(x)]
        counts = np.bincount(np.searchsorted(edges, ok, side="left"), minlength=len(edges) + 1)
        return np.append(counts, np.isnan(x).sum()) / len(x)
    a, b = shares(ref), shares(cur)
    a = np.where(a == 0, eps, a)
    b = np.where(b == 0, eps, b)
    return float(np.sum((b - a) * np.log(b / a)))


def psi_categories(ref, cur, eps=1e-4):
    cats = sorted({c for c in ref if c is not None} | {c for c in cur if c is not None})
    def shares(x):
        return np.array([sum(v == c for v in x) for c in cats] + [sum(v is None for v in x)]) / len(x)
    a, b = shares(ref), shares(cur)
    a = np.where(a == 0, eps, a)
    b = np.where(b == 0, eps, b)
    return float(np.sum((b - a) * np.log(b / a)))


def drift_case():
    rng = np.random.default_rng(19)
    n, m = 600, 450
    tenure = np.round(rng.gamma(2.0, 12.0, n))  # ties
    tenure[rng.choice(n, 30, replace=False)] = np.nan
    tenure_now = np.round(rng.gamma(2.0, 15.0, m))
    tenure_now[rng.choice(m, 60, replace=False)] = np.nan
    bill = rng.normal(60, 15, n)
    bill_now = rng.normal(60, 15, m)
    plan = list(rng.choice(["basic", "plus", "pro", "legacy"], n, p=[0.5, 0.3, 0.15, 0.05]))
    plan_now = list(rng.choice(["basic", "plus", "pro", "family"], m, p=[0.4, 0.3, 0.2, 0.1]))
    plan = [None if i % 40 == 0 else str(v) for i, v in enumerate(plan)]
    plan_now = [None if i % 25 == 0 else str(v) for i, v in enumerate(plan_now)]
    reference = {"tenure": tenure, "bill": bill, "plan": plan}
    current = {"tenure": tenure_now, "bill": bill_now, "plan": plan_now}
    report = nps.monitor.drift(pd.DataFrame(reference), pd.DataFrame(current))
    summary = nps.monitor.reference_summary(pd.DataFrame(reference))
    from_summary = nps.monitor.drift(summary, pd.DataFrame(current))
    expected = {
        "tenure": {"psi": psi_by_hand(tenure, tenure_now),
                   "ks": float(ks_2samp(tenure[~np.isnan(tenure)], tenure_now[~np.isnan(tenure_now)]).statistic)},
        "bill": {"psi": psi_by_hand(bill, bill_now), "ks": float(ks_2samp(bill, bill_now).statistic)},
        "plan": {"psi": psi_categories(plan, plan_now)},
    }
    def cols(d):
        return [{"name": "tenure", "kind": "numeric", "values": nums(d["tenure"])},
                {"name": "bill", "kind": "numeric", "values": nums(d["bill"])},
                {"name": "plan", "kind": "categorical", "values": d["plan"]}]
    return {
        "reference": cols(reference),
        "current": cols(current),
        "bins": 10,
        "expected": expected,
        "report": json.loads(report.to_json()),
        "summary": json.loads(summary.to_json()),
        "report_from_summary": json.loads(from_summary.to_json()),
    }


def performance_case():
    rng = np.random.default_rng(23)
    n = 1500
    months = np.array(["2024-01", "2024-02", "2024-03"])[rng.integers(0, 3, n)]
    x = rng.normal(size=n)
    p = 1 / (1 + np.exp(-(-1.5 + 1.2 * x)))
    shift = np.where(months == "2024-03", 0.9, 0.0)  # March churns more than predicted
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-(-1.5 + shift + 1.2 * x)))).astype(float)
    expected = {mo: {"auc": float(roc_auc_score(y[months == mo], p[months == mo])),
                     "brier": float(brier_score_loss(y[months == mo], p[months == mo]))}
                for mo in sorted(set(months))}
    core = json.loads(nps._nps._performance(y, p, list(months), None, 0.95, 10, 0.05, 0.02, 0.8, 1.25))
    return {"y": nums(y), "p": nums(p), "period": [str(v) for v in months], "expected": expected, "rows": core}


def delong_case():
    ratings, labels = [], []
    for rating, (normal, abnormal) in enumerate([(33, 3), (6, 2), (6, 2), (11, 11), (2, 33)], start=1):
        ratings += [rating] * (normal + abnormal)
        labels += [0] * normal + [1] * abnormal
    rng = np.random.default_rng(29)
    n = 300
    y = (rng.uniform(size=n) < 0.3).astype(float)
    a = y * 1.0 + rng.normal(size=n)
    b = 0.6 * a + y * 0.3 + rng.normal(size=n)
    t = nps.monitor.delong_test(y, a, b)
    return {
        "hanley_mcneil": {"y": nums(labels), "score": nums(ratings),
                          "published": {"auc": 0.8932, "se": 0.0307, "lower": 0.83295, "upper": 0.95339},
                          "core": nps.monitor.auc_interval(np.array(labels, float), np.array(ratings, float))},
        "paired": {"y": nums(y), "score_a": nums(a), "score_b": nums(b),
                   "sklearn_auc_a": float(roc_auc_score(y, a)), "sklearn_auc_b": float(roc_auc_score(y, b)),
                   "core": t},
    }


def recalibration_case():
    rng = np.random.default_rng(31)
    n = 400
    p = np.round(rng.beta(2, 5, n), 2)  # ties
    y = (rng.uniform(size=n) < np.clip(p * 1.4, 0, 1)).astype(float)
    w = rng.integers(0, 4, n).astype(float)
    new = np.concatenate([np.linspace(-0.1, 1.1, 25), p[:25]])
    new_p = np.clip(new, 0, 1)
    iso = IsotonicRegression(out_of_bounds="clip").fit(p, y, sample_weight=w)
    logit = np.log(np.clip(p, 1e-12, 1 - 1e-12) / (1 - np.clip(p, 1e-12, 1 - 1e-12)))
    lr = LogisticRegression(C=1e12, tol=1e-12, max_iter=10_000).fit(logit[:, None], y)
    iso_core = nps.monitor.Recalibrator("isotonic").fit(p, y, sample_weight=w)
    platt_core = nps.monitor.Recalibrator("platt").fit(p, y)
    return {
        "p": nums(p), "y": nums(y), "weights": nums(w), "new_p": nums(new_p),
        "isotonic": {"sklearn": nums(iso.predict(new_p)), "core": nums(iso_core.predict(new_p)),
                     "json": json.loads(iso_core.to_json())},
        "platt": {"sklearn_intercept": float(lr.intercept_[0]), "sklearn_slope": float(lr.coef_[0, 0]),
                  "core": nums(platt_core.predict(new_p)), "json": json.loads(platt_core.to_json())},
    }


def main():
    doc = {"drift": drift_case(), "performance": performance_case(), "delong": delong_case(),
           "recalibration": recalibration_case()}
    OUT.write_text(json.dumps(doc, allow_nan=False) + "\n")


if __name__ == "__main__":
    main()
