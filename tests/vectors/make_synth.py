"""Writes tests/vectors/synth.json: a fingerprint of one generated base and of its retention
features, which the Rust, Python and Node tests all compare against (same seed, same data,
same numbers in every language). Regenerate after an intended change to the generator:
    .venv/bin/python tests/vectors/make_synth.py
"""

import json
import math
from pathlib import Path


import nps

CONFIG = {"customers": 300, "seed": 5}
CHECKED = ["C0000001", "C0000002", "C0000003", "C0000150", "C0000300"]


def clean(x):
    return None if isinstance(x, float) and math.isnan(x) else x


b = nps.synth.generate(**CONFIG)
f = nps.features.retention(b.events, as_of=b.as_of)
out = {
    "config": CONFIG,
    "events": len(b.events),
    "first_times": (b.events["time"].iloc[:5].astype("int64")).tolist(),
    "time_sum": int(b.events["time"].astype("int64").sum()),
    "churned": b.labels.index[b.labels["churned"]].tolist(),
    "survey_customers": b.surveys["customer"].tolist()[:10],
    "survey_scores": b.surveys["score"].astype(int).tolist()[:10],
    "true_scores": b.labels["true_score"].astype(int).tolist()[:20],
    "drivers": {c: [d for d in b.drivers.columns if b.drivers.loc[c, d]] for c in CHECKED},
    "feature_names": list(f.columns),
    "features": {c: [clean(float(x)) for x in f.loc[c]] for c in CHECKED},
}
path = Path(__file__).with_name("synth.json")
path.write_text(json.dumps(out, indent=1) + "\n")
print(f"wrote {path}")
