"""Writes tests/vectors/telco_encoding.json: the IBM Telco table encoded with pandas the way
nps's TableEncoder does (mean imputation with a __missing indicator, standardisation with
the population standard deviation, one-hot columns for sorted categories, 0/1 booleans), as
an independent reference for the Rust, Python and Node tests. Needs ../shared/data.

    .venv/bin/python tests/vectors/make_telco_encoding.py
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score

ROOT = Path(__file__).resolve().parents[2]
df = pd.read_csv(ROOT.parent / "shared" / "data" / "telco" / "Telco-Customer-Churn.csv")
df["TotalCharges"] = pd.to_numeric(df["TotalCharges"].str.strip().replace("", np.nan))

NUMERIC = ["SeniorCitizen", "tenure", "MonthlyCharges", "TotalCharges"]  # 0/1 numbers stay numbers
BOOLEAN = ["Partner", "Dependents", "PhoneService", "PaperlessBilling"]
columns, names, kinds = [], [], {}
for col in df.columns:
    if col in ("customerID", "Churn"):
        continue
    x = df[col]
    if col in NUMERIC:
        kinds[col] = "numeric"
        mean, sd = x.mean(), x.std(ddof=0)
        columns.append(((x.fillna(mean) - mean) / sd).to_numpy())
        names.append(col)
        if x.isna().any():
            columns.append(x.isna().astype(float).to_numpy())
            names.append(col + "__missing")
    elif col in BOOLEAN:
        kinds[col] = "boolean"
        columns.append(x.astype(str).isin(["Yes", "1"]).astype(float).to_numpy())
        names.append(col)
    else:
        kinds[col] = "categorical"
        for cat in sorted(x.unique()):
            columns.append((x == cat).astype(float).to_numpy())
            names.append(f"{col}={cat}")
m = np.column_stack(columns)
y = (df["Churn"] == "Yes").astype(float).to_numpy()
lr = LogisticRegression(C=1.0, tol=1e-10, max_iter=10000).fit(m, y)
# lbfgs stops short along the direction the one-hot groups and the intercept share (only
# the penalty pins it down); scikit-learn's Newton solver reaches the exact minimum.
exact = LogisticRegression(C=1.0, tol=1e-12, max_iter=10000, solver="newton-cholesky").fit(m, y)
cv = cross_val_score(LogisticRegression(C=1.0, max_iter=10000), m, y, scoring="roc_auc",
                     cv=StratifiedKFold(5, shuffle=True, random_state=42))
out = {
    "rows": len(df),
    "kinds": kinds,
    "feature_names": names,
    "missing_total_charges_rows": np.flatnonzero(df["TotalCharges"].isna()).tolist(),
    "first_rows": m[:5].tolist(),
    "column_sums": m.sum(axis=0).tolist(),
    "column_sums_of_squares": (m ** 2).sum(axis=0).tolist(),
    "churn_rate": float((df["Churn"] == "Yes").mean()),
    "sklearn_logistic": {"coef": lr.coef_[0].tolist(), "intercept": float(lr.intercept_[0]),
                         "proba_first_rows": lr.predict_proba(m[:5])[:, 1].tolist(),
                         "cv_auc_mean": float(cv.mean()), "cv_auc": cv.tolist()},
    "sklearn_newton_cholesky": {"coef": exact.coef_[0].tolist(), "intercept": float(exact.intercept_[0])},
}
path = Path(__file__).with_name("telco_encoding.json")
path.write_text(json.dumps(out, indent=0) + "\n")
print(f"wrote {path}: {m.shape[1]} columns")
