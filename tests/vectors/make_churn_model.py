"""Writes tests/vectors/churn_model.json: a model file trained on the synthetic base (numeric
features with gaps and two categorical inputs), one trained on the numeric inputs only,
twenty customers' inputs and the churn probabilities each model gives them. The Rust, Python and Node tests load the file, score the
same customers and must get the same probabilities to the last bit.

    .venv/bin/python tests/vectors/make_churn_model.py
"""

import json
import math
from pathlib import Path

import nps

base = nps.synth.generate(customers=2_000, seed=11)
features = nps.features.retention(base.events, as_of=base.as_of)
X = features[["tenure_days", "repeat_contacts_90d", "aht_90d", "bill_shock", "usage_trend_30d", "last_nps"]].copy()
X["plan"] = base.labels["plan"].astype(str)
X["segment"] = base.labels["segment"].astype(str)
model = nps.ChurnModel(C=0.5).fit(X, base.labels["churned"])
rows = X.iloc[:20]
p = model.churn_probability(rows)


def clean(v):
    if isinstance(v, float) and math.isnan(v):
        return None
    return v


numeric = X.columns[:6]
numeric_model = nps.ChurnModel(C=0.5).fit(X[numeric], base.labels["churned"])

out = {
    "numeric_model": json.loads(numeric_model.to_json()),
    "numeric_probabilities": numeric_model.churn_probability(rows[numeric]).tolist(),
    "model": json.loads(model.to_json()),
    "inputs": list(X.columns),
    "rows": [[clean(v.item() if hasattr(v, "item") else v) for v in row] for row in rows.itertuples(index=False)],
    "probabilities": p.tolist(),
}
path = Path(__file__).with_name("churn_model.json")
path.write_text(json.dumps(out, indent=1) + "\n")
print(f"wrote {path}")
