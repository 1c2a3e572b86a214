"""Writes tests/vectors/ltr_ranking.json: the likelihood-to-recommend model's accuracy
(``LtrModel.score``) with expected values from scikit-learn 1.9's ``accuracy_score`` of the
most probable category (numpy's argmax: ties to the first), and detractor alerts ranked by
pandas' stable sort of P(detractor) x value, each with its inputs of largest positive
contribution (numpy's stable argsort), plus the mistakes each must refuse with their codes.
Read by the Rust, Python and Node tests.

    .venv/bin/python tests/vectors/make_ltr_ranking.py
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score


def categories(answers):
    return np.where(answers <= 6, 0, np.where(answers <= 8, 1, 2))


def accuracy_case(name, rng, n, weighted, ties=False):
    proba = rng.dirichlet([1, 1, 1], size=n)
    if ties:  # rows whose two largest probabilities are equal
        proba[::3, 1] = proba[::3, 0] = 0.4
        proba[::3, 2] = 0.2
    answers = rng.integers(0, 11, size=n).astype(float)
    w = rng.uniform(0.1, 3, size=n) if weighted else None
    expected = accuracy_score(categories(answers), proba.argmax(axis=1), sample_weight=w)
    return {"name": name, "proba": proba.ravel().tolist(), "answers": answers.tolist(),
            "weights": None if w is None else w.tolist(), "accuracy": expected}


def alerts_case(name, rng, n, d, top, factors, with_value=True):
    risk = rng.uniform(0.01, 0.99, size=n)
    c = np.where(rng.random((n, d)) < 0.2, 0.0, rng.normal(size=(n, d)))
    value = np.round(rng.uniform(1, 5, size=n)) if with_value else None  # whole values: ties
    v = value if with_value else np.ones(n)
    expected = pd.Series(risk * v).sort_values(ascending=False, kind="stable")
    rows = expected.index[:top].tolist()
    ranked = []
    for i in rows:
        up = [int(j) for j in np.argsort(-c[i], kind="stable") if c[i, j] > 0][:factors]
        ranked.append({"row": i, "value": float(v[i]), "expected": float(risk[i] * v[i]), "factors": up})
    return {"name": name, "risk": risk.tolist(), "value": None if value is None else value.tolist(),
            "contributions": c.ravel().tolist(), "inputs": d, "top": top, "factors": factors, "alerts": ranked}


def main():
    rng = np.random.default_rng(20261207)
    out = {
        "accuracy": [accuracy_case("plain_200", rng, 200, False), accuracy_case("weighted_200", rng, 200, True),
                     accuracy_case("ties_90", rng, 90, True, ties=True)],
        "accuracy_errors": [  # over the rows of "proba" of the first case: three rows
            {"answers": [3, 10, None], "code": "MISSING_VALUE", "message": "scores[2] is missing (NaN)"},
            {"answers": [3, 10, 11], "code": "OUT_OF_RANGE", "message": "scores[2] = 11 is outside the scale 0..=10"},
            {"answers": [3, 10, 6.5], "code": "NON_INTEGER", "message": "scores[2] = 6.5"},
        ],
        "alerts": [alerts_case("valued_300", rng, 300, 6, 25, 3), alerts_case("unvalued_50", rng, 50, 4, 50, 2, False),
                   alerts_case("top_0", rng, 10, 3, 0, 3)],
        "alerts_errors": [
            {"value_nan_at": 4, "code": "MISSING_VALUE", "message": "value[4] is missing (NaN)"},
        ],
    }
    path = Path(__file__).with_name("ltr_ranking.json")
    path.write_text(json.dumps(out, indent=1, allow_nan=False) + "\n")  # null: a missing answer
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
