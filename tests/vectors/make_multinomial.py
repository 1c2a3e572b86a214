"""Writes tests/vectors/multinomial.json: three-class L2 logistic regressions fitted by
scikit-learn (lbfgs, tol 1e-10) and its exact Newton solver, for the tests to match.

    .venv/bin/python tests/vectors/make_multinomial.py
"""

import json
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

rng = np.random.default_rng(31)


def case(name, n, p, C, weighted=False):
    x = np.round(rng.normal(0, 1, (n, p)) * rng.uniform(0.5, 2, p), 5)
    beta = rng.normal(0, 1, (3, p))
    z = x @ beta.T + np.array([0.3, 0.0, -0.2])
    prob = np.exp(z - z.max(1, keepdims=True))
    prob /= prob.sum(1, keepdims=True)
    y = np.array([rng.choice(3, p=row) for row in prob])
    w = np.round(rng.uniform(0.2, 3, n), 3) if weighted else None
    exact = LogisticRegression(C=C, tol=1e-12, max_iter=10000, solver="newton-cholesky").fit(x, y, sample_weight=w)
    return {"name": name, "x": x.tolist(), "y": y.tolist(), "sample_weight": None if w is None else w.tolist(), "c": C,
            "coef": exact.coef_.tolist(), "intercept": (exact.intercept_ - exact.intercept_.mean()).tolist(),
            "proba": exact.predict_proba(x[:10]).tolist()}


cases = [case("c1", 400, 4, 1.0), case("c0.1_weighted", 300, 5, 0.1, True), case("c50", 500, 3, 50.0)]
path = Path(__file__).with_name("multinomial.json")
path.write_text(json.dumps({"cases": cases}) + "\n")
print(f"wrote {path}")
