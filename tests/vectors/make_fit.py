"""Writes tests/vectors/fit.json: a small table with gaps (numbers, categories with a missing
value, yes/no text), churn labels, and what Python's nps gives when it trains on it: the
logistic model's coefficients and probabilities, a boosted model's probabilities (with
options that draw random numbers and a monotone constraint), and the error code and message
of each of a list of mistakes. The Rust, Python and Node tests train on the same table and
must get the same numbers to the last bit and the same errors, word for word.

    .venv/bin/python tests/vectors/make_fit.py
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd

import nps

rng = np.random.default_rng(7)
n = 240
tenure = rng.integers(0, 72, n).astype(float)
tenure[rng.random(n) < 0.08] = np.nan
charges = np.round(rng.normal(65, 20, n), 2)
plan = rng.choice(["monthly", "annual", "two_year"], n, p=[0.5, 0.3, 0.2]).astype(object)
plan[rng.random(n) < 0.05] = None
paperless = rng.choice(["Yes", "No"], n)
logit = -0.5 - 0.04 * np.nan_to_num(tenure, nan=30) + 0.02 * (charges - 65) + 1.2 * (plan == "monthly") \
    + 0.4 * (paperless == "Yes")
y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
X = pd.DataFrame({"tenure": tenure, "charges": charges, "plan": plan, "paperless": paperless})

logistic = nps.ChurnModel(tol=1e-10).fit(X, y)
boosted_params = dict(n_estimators=25, num_leaves=5, min_data_in_leaf=8, subsample=0.8, colsample=0.75, seed=3,
                      monotone={"tenure": -1})
boosted = nps.BoostedChurnModel(**boosted_params).fit(X, y)

# The same mistake in each language: Python's parameters and Node's options (camelCase).
MISTAKES = [
    ("ChurnModel", {"kinds": {"plann": "numeric"}}, None),
    ("ChurnModel", {"kinds": {"plan": "text"}}, None),
    ("ChurnModel", {"class_weight": "Balanced"}, None),
    ("ChurnModel", {"unseen": "skip"}, None),
    ("ChurnModel", {}, [1.0] * 5 + [-1.0] + [1.0] * (n - 6)),
    ("BoostedChurnModel", {"monotone": {"tenur": -1}}, None),
    ("BoostedChurnModel", {"class_weight": "balance"}, None),
    ("BoostedChurnModel", {"monotone": {"tenure": 1000}}, None),
]
CAMEL = {"class_weight": "classWeight"}
mistakes = []
for model, params, weights in MISTAKES:
    try:
        getattr(nps, model)(**params).fit(X, y, sample_weight=weights)
        raise SystemExit(f"no error for {model} {params}")
    except nps.NpsError as e:
        options = {CAMEL.get(k, k): v for k, v in params.items()}
        if weights is not None:
            options["sampleWeight"] = weights
        mistakes.append({"model": model, "python": params, "python_sample_weight": weights, "node": options,
                         "code": e.code, "message": str(e)})


def column(values):
    return [None if (v is None or (isinstance(v, float) and np.isnan(v))) else v for v in values]


out = {
    "table": {"tenure": column(tenure.tolist()), "charges": charges.tolist(), "plan": column(plan.tolist()),
              "paperless": paperless.tolist()},
    "y": y.tolist(),
    "kinds": nps.encode.infer_kinds(X),
    "logistic": {
        "options": {"tol": 1e-10},
        "inputs": list(logistic._model.inputs),
        "columns": list(logistic._model.columns),
        "coef": logistic.coef_[0].tolist(),
        "intercept": float(logistic.intercept_[0]),
        "probability": logistic.predict_proba(X)[:, 1].tolist(),
    },
    "boosted": {
        "python": boosted_params,
        "node": {"nEstimators": 25, "numLeaves": 5, "minDataInLeaf": 8, "subsample": 0.8, "colsample": 0.75, "seed": 3,
                 "monotone": {"tenure": -1}},
        "probability": boosted.predict_proba(X)[:, 1].tolist(),
    },
    "mistakes": mistakes,
}
path = Path(__file__).with_name("fit.json")
path.write_text(json.dumps(out, indent=1) + "\n")
print(f"wrote {path} ({len(mistakes)} mistakes)")
