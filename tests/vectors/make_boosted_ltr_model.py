"""Writes tests/vectors/boosted_ltr_model.json: a boosted likelihood-to-recommend model
trained from Python on the synthetic base's respondents, twenty customers' inputs (some
missing) and their three probabilities, which the Rust and Node tests must reproduce to the
last bit.

    .venv/bin/python tests/vectors/make_boosted_ltr_model.py
"""

import json
import math
from pathlib import Path

import nps

base = nps.synth.generate(customers=3_000, seed=13)
features = nps.features.retention(base.events, as_of=base.as_of)
X = features[["tenure_days", "repeat_contacts_90d", "aht_90d", "bill_shock", "usage_trend_30d", "outages_30d"]]
answers = base.surveys.set_index("customer")["score"]
model = nps.BoostedLtrModel(n_estimators=40, num_leaves=5).fit(X.loc[answers.index], answers)
rows = X.iloc[:20]
out = {
    "model": json.loads(model.to_json()),
    "inputs": list(X.columns),
    "rows": [[None if math.isnan(v) else v for v in r] for r in rows.itertuples(index=False)],
    "probabilities": model.predict_proba(rows).tolist(),
}
path = Path(__file__).with_name("boosted_ltr_model.json")
path.write_text(json.dumps(out, indent=1) + "\n")
print(f"wrote {path}")
