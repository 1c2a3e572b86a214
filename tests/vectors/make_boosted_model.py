"""Writes tests/vectors/boosted_model.json: a boosted churn model file trained on the
synthetic base (numeric features with gaps, two categorical inputs split natively), twenty
customers' inputs and, for each, the churn probability, log-odds and exact contributions
the model gives; and a model on every retention feature, for the ticket scorer. The Rust, Python and Node tests load the file, score and explain the same
customers and must get the same numbers to the last bit.

    .venv/bin/python tests/vectors/make_boosted_model.py
"""

import json
import math
from pathlib import Path


import nps

base = nps.synth.generate(customers=3_000, seed=13)
features = nps.features.retention(base.events, as_of=base.as_of)
X = features[["tenure_days", "repeat_contacts_90d", "aht_90d", "bill_shock", "usage_trend_30d", "last_nps"]].copy()
X["plan"] = base.labels["plan"].astype(str)
X["segment"] = base.labels["segment"].astype(str)
model = nps.BoostedChurnModel(n_estimators=80, num_leaves=15, min_data_per_group=20, max_cat_to_onehot=2,
                              monotone={"repeat_contacts_90d": 1}).fit(X, base.labels["churned"])
text = model.to_json()
trees = json.loads(text)["ensemble"]["trees"]
assert any("categories" in s for t in trees for s in t["splits"]), "no categorical split"
assert any(s["default_left"] for t in trees for s in t["splits"]), "no split sends missing values left"
rows = X.iloc[:20]
assert rows.isna().any().any(), "no missing value among the rows"


def clean(v):
    if isinstance(v, float) and math.isnan(v):
        return None
    return v


# A model whose inputs are every retention feature: a ticket scorer serves it from a history.
feature_model = nps.BoostedChurnModel(n_estimators=40).fit(features, base.labels["churned"])

c = model.contributions(rows)
out = {
    "model": json.loads(text),
    "inputs": list(X.columns),
    "rows": [[clean(v.item() if hasattr(v, "item") else v) for v in row] for row in rows.itertuples(index=False)],
    "probabilities": model.churn_probability(rows).tolist(),
    "log_odds": model.decision_function(rows).tolist(),
    "expected_value": model.expected_value_,
    "contributions": c.to_numpy().tolist(),
    "feature_model": json.loads(feature_model.to_json()),
}
path = Path(__file__).with_name("boosted_model.json")
path.write_text(json.dumps(out, indent=1) + "\n")
print(f"wrote {path}")
