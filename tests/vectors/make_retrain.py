"""Writes tests/vectors/retrain.json: two model files (logistic and boosted) that carry
everything monitoring and retraining keep in them (the reference summary recorded at fit, a
recalibration, a lineage with a promotion decision), rows scored by each (probabilities
through the recalibration and raw ones), the drift of a drifted window against the
logistic model's stored reference, a champion-and-challenger decision between the two files
and a retrain advice. Every number is the core's: the Rust, Python and Node tests read the
files back and must give the same numbers, ids and JSON to the bit.

    .venv/bin/python tests/vectors/make_retrain.py   (after building the extension)
"""

import json
import math
from pathlib import Path

import numpy as np

import nps
from nps import monitor

OUT = Path(__file__).with_name("retrain.json")
NUMERIC = ["tenure_days", "contacts_30d", "aht_90d", "bill_shock", "outages_30d", "last_nps"]
INPUTS = NUMERIC + ["plan", "segment"]
ROWS = 300


def table(base):
    X = nps.features.retention(base.events, as_of=base.as_of)[NUMERIC].copy()
    X["plan"] = base.labels["plan"].astype(str).to_numpy()
    X["segment"] = base.labels["segment"].astype(str).to_numpy()
    return X, base.labels["churned"].astype(int).to_numpy()


def cell(v):
    if isinstance(v, str):
        return v
    return None if math.isnan(v) else float(v)


def rows(X):
    return [[cell(v) for v in r] for r in X.itertuples(index=False)]


def main():
    X, y = table(nps.synth.generate(customers=1_000, seed=19))
    later, later_y = table(nps.synth.generate_drifted(customers=1_000, seed=20))
    logistic = nps.ChurnModel().fit(X, y)
    boosted = nps.BoostedChurnModel(n_estimators=25).fit(X, y)
    logistic.recalibrate(later_y[ROWS:], later.iloc[ROWS:], method="platt")
    boosted.recalibrate(later_y[ROWS:], later.iloc[ROWS:], method="isotonic")
    logistic.lineage = {"data_window": {"from": "2025-07-01", "to": "2026-07-01", "rows": len(y)},
                        "training_metrics": {"auc": 0.75}}
    # The boosted model challenged the logistic one once: the decision is in its lineage.
    monitor.compare(logistic, boosted, later.iloc[ROWS:], later_y[ROWS:], decided_at="2026-12-30")

    window, window_y = later.iloc[:ROWS], later_y[:ROWS]
    files = {"logistic": logistic.to_json(), "boosted": boosted.to_json()}
    models = {"logistic": nps.ChurnModel.from_json(files["logistic"]),
              "boosted": nps.BoostedChurnModel.from_json(files["boosted"])}
    out = {"inputs": INPUTS, "rows": rows(window), "y": window_y.tolist()}
    for kind, m in models.items():
        names, columns = m._columns(window)
        out[kind] = {
            "model": json.loads(files[kind]),
            "model_id": m.model_id,
            "probabilities": np.asarray(m.churn_probability(window)).tolist(),
            "raw_probabilities": m._model.raw_proba(names, columns).tolist(),
        }
    report = monitor.drift(models["logistic"], window)
    out["drift"] = {"report": json.loads(report.to_json()), "drifted": report.drifted}
    decision = monitor.compare(models["logistic"], models["boosted"], window, window_y, decided_at="2027-01-31",
                               record=False)
    out["decision"] = json.loads(decision.to_json())
    out["advice"] = json.loads(monitor.retrain_policy(report, age_days=200.0).to_json())
    OUT.write_text(json.dumps(out) + "\n")
    print(f"wrote {OUT}: drifted {report.drifted}, promote {decision.promote} ({decision.clause})")


if __name__ == "__main__":
    main()
