"""Writes tests/vectors/logistic.json: L2 logistic regressions fitted by scikit-learn
(lbfgs, tol 1e-10, max_iter 10000) on seeded design matrices, for the Rust, Python and Node
tests to match.

    .venv/bin/python tests/vectors/make_logistic.py
"""

import json
from pathlib import Path

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression


def design(rng, n, p, shift, separation=1.0):
    cov = 0.5 ** np.abs(np.subtract.outer(np.arange(p), np.arange(p)))
    x = rng.multivariate_normal(np.zeros(p), cov, size=n) * rng.uniform(0.5, 3.0, p) + rng.normal(0, 1, p)
    beta = rng.normal(0, 1, p) * separation
    z = shift + (x - x.mean(0)) @ beta / np.sqrt(p)
    y = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(float)
    return np.round(x, 6), y


def case(name, x, y, C=1.0, weights=None, class_weight=None, fit_intercept=True):
    m = LogisticRegression(C=C, tol=1e-10, max_iter=10000, class_weight=class_weight, fit_intercept=fit_intercept)
    m.fit(x, y, sample_weight=weights)
    cw = {"balanced": "balanced", None: "none"}[class_weight] if not isinstance(class_weight, dict) else \
        {"custom": {"negative": class_weight[0], "positive": class_weight[1]}}
    return {
        "name": name,
        "x": x.tolist(),
        "y": y.tolist(),
        "sample_weight": None if weights is None else weights.tolist(),
        "options": {"c": C, "fit_intercept": fit_intercept, "class_weight": cw},
        "coef": m.coef_[0].tolist(),
        "intercept": float(m.intercept_[0]) if fit_intercept else 0.0,
        "proba": m.predict_proba(x[:10])[:, 1].tolist(),
    }


rng = np.random.default_rng(2026)
x, y = design(rng, 400, 6, -0.8)
xw, yw = design(rng, 300, 4, 0.3)
xb, yb = design(rng, 500, 5, -2.2)
xs, ys = design(rng, 200, 3, 0.0, separation=6.0)
cases = [
    case("correlated_C1", x, y),
    case("correlated_C0.05", x, y, C=0.05),
    case("correlated_C100", x, y, C=100.0),
    case("sample_weights", xw, yw, weights=np.round(rng.uniform(0.2, 3.0, len(yw)), 3)),
    case("balanced", xb, yb, class_weight="balanced"),
    case("custom_class_weight", xb, yb, class_weight={0: 1.0, 1: 3.5}),
    case("nearly_separable", xs, ys),
    case("no_intercept", xw, yw, fit_intercept=False),
]
path = Path(__file__).with_name("logistic.json")
path.write_text(json.dumps({"sklearn": sklearn.__version__, "cases": cases}) + "\n")
print(f"wrote {path} ({path.stat().st_size // 1024} KB)")
