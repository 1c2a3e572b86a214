"""Writes tests/vectors/boosted_import.json: small LightGBM and XGBoost models as their own
libraries save them (`Booster.model_to_string()`, `Booster.save_raw("json")`), forty rows to
score, and each library's raw scores and per-feature contributions for those rows, so that the
model loaders must score every row as the library does (and TreeSHAP can later be checked
against the libraries' own attributions).

    .venv/bin/python tests/vectors/make_boosted_import.py

Rows are lists of numbers, one per model input, `null` for a missing value. A categorical
input holds the integer code of its category: the position of the label in the model's
category list (pandas `cat.codes`), so `null` is a missing category; a few rows carry codes
the model never saw (past the last category, negative, fractional) to pin how each library
routes them.

Each case: `name`, `library` ("lightgbm" | "xgboost"), `library_version`, `objective`
("binary" | "multiclass"), `outputs` (1, or one per class), `feature_names`, `categorical`
(indices of the categorical inputs), `model` (the text the library wrote), `rows`
(rows × inputs), `raw` (rows × outputs: `predict(raw_score=True)` / `output_margin=True`),
`probability` (rows × outputs: `predict()`, the positive class's for a binary model; the
sigmoid of `raw` for `binary:logitraw`, whose `predict()` is the margin), `contrib` (rows × outputs × (inputs + 1): `pred_contrib=True` / `pred_contribs=True`, the last
entry of each the expected value), and, where given, `shap` (rows × outputs × inputs) with
`shap_expected` (one per output) from `shap.TreeExplainer(model)`.

LightGBM's random forest (`lightgbm_random_forest`, `average_output` in the file) averages its
trees only in `predict()`: its `raw` and `contrib` are the unaveraged sums, `rounds` times the
log-odds whose sigmoid is `probability`.

`refused`: real files the loaders must refuse (`name`, `library`, `model`, and `error`, a
phrase the error message must contain).
"""

import json
import math
import re
import warnings
from pathlib import Path

import lightgbm as lgb
import numpy as np
import pandas as pd
import shap
import xgboost as xgb

ROWS = 40
warnings.filterwarnings("ignore", message="LightGBM binary classifier with TreeExplainer")


def clean(v):
    """JSON for nested lists of numbers: NaN becomes null, floats keep all their digits."""
    if isinstance(v, (list, tuple, np.ndarray)):
        return [clean(x) for x in v]
    if isinstance(v, (float, np.floating)):
        v = float(v)
        return None if math.isnan(v) else v
    if isinstance(v, (np.integer,)):
        return int(v)
    return v


def edge_rows(base, thresholds, rng, n):
    """Rows that sit exactly on a split threshold, or one step either side of it."""
    out = []
    picks = rng.choice(len(thresholds), size=min(n, len(thresholds)), replace=False)
    for k, i in enumerate(picks):
        f, t = thresholds[i]
        row = base[k % len(base)].copy()
        row[f] = [t, np.nextafter(t, np.inf), np.nextafter(t, -np.inf)][k % 3]
        out.append(row)
    return out


def lgb_thresholds(model):
    df = model.trees_to_dataframe()
    df = df[df.decision_type == "<="]
    names = list(model.feature_name())
    return [(names.index(f), float(t)) for f, t in zip(df.split_feature, df.threshold)]


def xgb_thresholds(booster):
    out = []
    for tree in json.loads(booster.save_raw("json"))["learner"]["gradient_booster"]["model"]["trees"]:
        for left, f, t, kind in zip(tree["left_children"], tree["split_indices"], tree["split_conditions"],
                                    tree["split_type"]):
            if left != -1 and kind == 0:
                out.append((f, float(np.float32(t))))
    return out


def decision_types(text):
    out = set()
    for line in text.splitlines():
        if line.startswith("decision_type="):
            out.update(int(v) for v in line[len("decision_type="):].split())
    return out


def lgb_case(name, params, X, y, rounds, rows, categorical=(), frame=None, with_shap=False):
    params = dict(params, num_threads=1, deterministic=True, force_col_wise=True, seed=7, verbose=-1)
    data = lgb.Dataset(frame if frame is not None else X, y, categorical_feature=list(categorical) or "auto",
                       free_raw_data=False)
    model = lgb.train(params, data, rounds)
    rng = np.random.default_rng(len(name))
    rows = np.array(rows[:ROWS - 8] + edge_rows(rows, lgb_thresholds(model), rng, 8), dtype=float)
    raw = np.asarray(model.predict(rows, raw_score=True))
    probability = np.asarray(model.predict(rows))
    contrib = np.asarray(model.predict(rows, pred_contrib=True))
    k = 1 if raw.ndim == 1 else raw.shape[1]
    case = {
        "name": name, "library": "lightgbm", "library_version": lgb.__version__,
        "objective": "binary" if k == 1 else "multiclass", "outputs": k,
        "feature_names": model.feature_name(), "categorical": list(categorical),
        "model": model.model_to_string(), "rows": clean(rows),
        "raw": clean(raw.reshape(len(rows), k)), "probability": clean(probability.reshape(len(rows), k)),
        "contrib": clean(contrib.reshape(len(rows), k, -1)),
    }
    if with_shap:
        explainer = shap.TreeExplainer(model)
        values = np.asarray(explainer.shap_values(rows)).reshape(len(rows), k, -1)
        case["shap"] = clean(values)
        case["shap_expected"] = clean(np.atleast_1d(explainer.expected_value))
    return case, model


def xgb_case(name, params, X, y, rounds, rows, feature_names, feature_types=None, frame=None):
    params = dict(params, nthread=1, seed=7, tree_method="hist")
    train = xgb.DMatrix(frame if frame is not None else X, y, feature_names=feature_names,
                        feature_types=None if frame is not None else feature_types,
                        enable_categorical=frame is not None or feature_types is not None)
    booster = xgb.train(params, train, rounds)
    rng = np.random.default_rng(len(name))
    rows = np.array(rows[:ROWS - 8] + edge_rows(rows, xgb_thresholds(booster), rng, 8), dtype=float)
    types = feature_types
    if frame is not None:
        types = ["c" if isinstance(t, pd.CategoricalDtype) else "float" for t in frame.dtypes]
    test = xgb.DMatrix(rows, feature_names=feature_names, feature_types=types, enable_categorical=types is not None)
    raw = np.asarray(booster.predict(test, output_margin=True))
    probability = np.asarray(booster.predict(test))
    contrib = np.asarray(booster.predict(test, pred_contribs=True))
    k = 1 if raw.ndim == 1 else raw.shape[1]
    categorical = [i for i, t in enumerate(types or []) if t == "c"]
    return {
        "name": name, "library": "xgboost", "library_version": xgb.__version__,
        "objective": "binary" if k == 1 else "multiclass", "outputs": k,
        "feature_names": feature_names, "categorical": categorical,
        "model": booster.save_raw("json").decode(), "rows": clean(rows),
        "raw": clean(raw.reshape(len(rows), k)), "probability": clean(probability.reshape(len(rows), k)),
        "contrib": clean(contrib.reshape(len(rows), k, -1)),
    }


rng = np.random.default_rng(2024)
cases = []


def numeric(n, p, nan_share, zero_share=0.0):
    X = np.round(rng.normal(0, 1, (n, p)), 4)
    X[rng.random((n, p)) < zero_share] = 0.0
    X[rng.random((n, p)) < nan_share] = np.nan
    return X


def binary_label(X):
    z = np.nan_to_num(X[:, 0], nan=1.0) - 0.8 * np.nan_to_num(X[:, 1]) + 0.5 * np.nan_to_num(X[:, 2]) ** 2
    return (z + rng.normal(0, 0.7, len(X)) > 0.4).astype(int)


# (a) LightGBM binary, numeric inputs with NaN (missing_type NaN), SHAP values too.
X = numeric(400, 5, 0.12)
X[:, 4] = np.round(rng.normal(0, 1, 400), 4)  # no NaN while training: missing_type None
rows = numeric(ROWS, 5, 0.15).tolist()
case, _ = lgb_case("lightgbm_binary_nan", {"objective": "binary", "num_leaves": 8, "learning_rate": 0.2,
                                           "min_data_in_leaf": 10}, X, binary_label(X), 30, rows, with_shap=True)
assert {t >> 2 & 3 for t in decision_types(case["model"])} >= {0, 2}, "missing types NaN and None"
cases.append(case)

# (b) LightGBM binary with a pandas category column (categorical splits, pandas_categorical).
n = 400
labels = ["basic", "plus", "pro", "team", "enterprise", "legacy", "trial"]
plan = rng.choice(len(labels), n)
frame = pd.DataFrame({
    "tenure": np.round(rng.gamma(2, 12, n), 2),
    "plan": pd.Categorical.from_codes(plan, labels),
    "contacts": rng.poisson(1.5, n).astype(float),
})
frame.loc[rng.random(n) < 0.08, "plan"] = np.nan
frame.loc[rng.random(n) < 0.08, "tenure"] = np.nan
z = np.isin(plan, [1, 3, 4]) * 1.4 - 0.03 * frame.tenure.fillna(20) + 0.4 * frame.contacts
y = (z + rng.normal(0, 0.6, n) > 0.2).astype(int)
codes = frame.plan.cat.codes.to_numpy().astype(float)
codes[codes < 0] = np.nan
Xc = np.column_stack([frame.tenure, codes, frame.contacts])
rows = Xc[:ROWS - 8].tolist()
rows[0][1], rows[1][1], rows[2][1], rows[3][1], rows[4][1] = 9.0, -1.0, -0.5, 2.5, 4.99999999  # odd codes
case, _ = lgb_case("lightgbm_binary_category", {"objective": "binary", "num_leaves": 8, "learning_rate": 0.2,
                                                "min_data_in_leaf": 10, "min_data_per_group": 5, "cat_smooth": 1,
                                                "max_cat_to_onehot": 2}, Xc, y, 25, rows, categorical=[1],
                   frame=frame)
assert "pandas_categorical:[[" in case["model"] and any(t & 1 for t in decision_types(case["model"]))
cases.append(case)

# (b) LightGBM zero_as_missing (missing_type Zero).
X = numeric(400, 4, 0.05, zero_share=0.2)
rows = numeric(ROWS, 4, 0.1, zero_share=0.2).tolist()
rows[0][0], rows[1][0], rows[2][0] = 1e-36, -1e-36, 1.00000001e-35  # zero to LightGBM (|x| ≤ 1e-35f)
case, _ = lgb_case("lightgbm_binary_zero_as_missing", {"objective": "binary", "num_leaves": 8,
                                                       "learning_rate": 0.2, "min_data_in_leaf": 10,
                                                       "zero_as_missing": True}, X, binary_label(X), 25, rows)
assert {t >> 2 & 3 for t in decision_types(case["model"])} >= {1}, "missing type Zero"
cases.append(case)

# (b) LightGBM trained without any NaN (missing_type None everywhere), scored with NaN.
X = numeric(300, 3, 0.0)
rows = numeric(ROWS, 3, 0.25).tolist()
case, _ = lgb_case("lightgbm_binary_no_missing", {"objective": "binary", "num_leaves": 6, "learning_rate": 0.2,
                                                  "min_data_in_leaf": 10}, X, binary_label(X), 20, rows)
assert {t >> 2 & 3 for t in decision_types(case["model"])} == {0}, "missing type None only"
cases.append(case)

# (c) LightGBM multiclass, three classes.
X = numeric(450, 4, 0.1)
score = np.column_stack([np.nan_to_num(X[:, 0]), np.nan_to_num(X[:, 1]) - 0.3, 0.4 * np.nan_to_num(X[:, 2])])
y3 = np.argmax(score + rng.gumbel(0, 0.5, score.shape), axis=1)
rows = numeric(ROWS, 4, 0.15).tolist()
case, _ = lgb_case("lightgbm_multiclass", {"objective": "multiclass", "num_class": 3, "num_leaves": 6,
                                           "learning_rate": 0.2, "min_data_in_leaf": 10}, X, y3, 10, rows)
cases.append(case)

# LightGBM random forest (average_output).
X = numeric(300, 4, 0.1)
rows = numeric(ROWS, 4, 0.1).tolist()
case, _ = lgb_case("lightgbm_random_forest", {"objective": "binary", "boosting": "rf", "num_leaves": 6,
                                              "bagging_freq": 1, "bagging_fraction": 0.7,
                                              "feature_fraction": 0.8, "min_data_in_leaf": 10},
                   X, binary_label(X), 20, rows)
assert "\naverage_output\n" in case["model"]
case["rounds"] = 20
cases.append(case)

# (d) XGBoost binary:logistic with NaN, hist.
X = numeric(400, 5, 0.12)
rows = numeric(ROWS, 5, 0.15).tolist()
cases.append(xgb_case("xgboost_binary_nan", {"objective": "binary:logistic", "max_depth": 3, "eta": 0.3},
                      X, binary_label(X), 30, rows, [f"x{i}" for i in range(5)]))

# XGBoost binary:logitraw with a given base score (kept as the margin, no logit).
cases.append(xgb_case("xgboost_binary_logitraw", {"objective": "binary:logitraw", "max_depth": 2, "eta": 0.3,
                                                  "base_score": 0.3}, X, binary_label(X), 8, rows, None))

cases[-1]["probability"] = clean(1 / (1 + np.exp(-np.array(cases[-1]["raw"]))))  # logitraw predicts the margin

# (e) XGBoost with a pandas category column (enable_categorical; partition and one-hot splits).
rows = Xc[:ROWS - 8].tolist()
rows[0][1], rows[1][1], rows[2][1], rows[3][1], rows[4][1] = 9.0, -1.0, -0.5, 2.5, 4.99999999
cases.append(xgb_case("xgboost_category", {"objective": "binary:logistic", "max_depth": 3, "eta": 0.3,
                                           "max_cat_to_onehot": 1}, Xc, y, 25, rows, list(frame.columns),
                      frame=frame))
cases.append(xgb_case("xgboost_category_onehot", {"objective": "binary:logistic", "max_depth": 2, "eta": 0.3,
                                                  "max_cat_to_onehot": 16}, Xc, y, 10, rows,
                      ["tenure", "plan", "contacts"], feature_types=["q", "c", "q"]))

# (f) XGBoost multi:softprob, three classes.
X = numeric(450, 4, 0.1)
score = np.column_stack([np.nan_to_num(X[:, 0]), np.nan_to_num(X[:, 1]) - 0.3, 0.4 * np.nan_to_num(X[:, 2])])
y3 = np.argmax(score + rng.gumbel(0, 0.5, score.shape), axis=1)
rows = numeric(ROWS, 4, 0.15).tolist()
cases.append(xgb_case("xgboost_multiclass", {"objective": "multi:softprob", "num_class": 3, "max_depth": 3,
                                             "eta": 0.3}, X, y3, 10, rows, [f"x{i}" for i in range(4)]))

# Real files the loaders must refuse, each with a phrase its error must contain.
X = numeric(200, 3, 0.05)
y = binary_label(X)
quiet = {"num_threads": 1, "deterministic": True, "verbose": -1, "num_leaves": 4, "min_data_in_leaf": 10}
refused = [
    ("lightgbm_linear_tree", "lightgbm", lgb.train(dict(quiet, objective="binary", linear_tree=True),
                                                   lgb.Dataset(X, y), 3).model_to_string(),
     "linear trees are not supported"),
    ("lightgbm_regression", "lightgbm", lgb.train(dict(quiet, objective="regression"),
                                                  lgb.Dataset(X, np.nan_to_num(X[:, 1])), 3).model_to_string(), "regression"),
    ("lightgbm_multiclassova", "lightgbm", lgb.train(dict(quiet, objective="multiclassova", num_class=3),
                                                     lgb.Dataset(X, y + (X[:, 2] > 0)), 2).model_to_string(),
     "multiclassova"),
    ("xgboost_dart", "xgboost", xgb.train({"booster": "dart", "objective": "binary:logistic", "max_depth": 2,
                                           "nthread": 1, "seed": 7}, xgb.DMatrix(X, y), 3).save_raw("json").decode(),
     "dart"),
    ("xgboost_gblinear", "xgboost", xgb.train({"booster": "gblinear", "objective": "binary:logistic", "nthread": 1},
                                              xgb.DMatrix(X, y), 3).save_raw("json").decode(), "gblinear"),
    ("xgboost_regression", "xgboost", xgb.train({"objective": "reg:squarederror", "max_depth": 2, "nthread": 1},
                                                xgb.DMatrix(X, np.nan_to_num(X[:, 1])), 3).save_raw("json").decode(),
     "reg:squarederror"),
]
assert "is_linear=1" in refused[0][2]
refused = [{"name": n, "library": lib, "model": m, "error": e} for n, lib, m, e in refused]

for c in cases:
    assert re.search(r"nan|inf", json.dumps(c["raw"]) + json.dumps(c["contrib"]), re.I) is None, c["name"]
path = Path(__file__).with_name("boosted_import.json")
path.write_text(json.dumps({"cases": cases, "refused": refused}, allow_nan=False) + "\n")
print(f"wrote {path} ({path.stat().st_size // 1024} KiB, {len(cases)} cases)")
