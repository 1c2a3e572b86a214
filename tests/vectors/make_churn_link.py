"""Writes tests/vectors/churn_link.json: churn by NPS answer with expected values from scipy
(Wilson intervals from binomtest, relative risk from scipy.stats.contingency.relative_risk,
chi-square from chi2_contingency without correction). Read by the Rust, Python and Node tests.

    .venv/bin/python tests/vectors/make_churn_link.py
"""

import json
from pathlib import Path

import numpy as np
from scipy import stats
from scipy.stats.contingency import relative_risk


def case(name, scores, churned, level=0.95):
    scores = np.asarray(scores, dtype=int)
    churned = np.asarray(churned, dtype=bool)

    def group(mask):
        n, k = int(mask.sum()), int((churned & mask).sum())
        if n == 0:
            return {"customers": 0, "churned": 0, "rate": None, "low": None, "high": None}
        ci = stats.binomtest(k, n).proportion_ci(confidence_level=level, method="wilson")
        return {"customers": n, "churned": k, "rate": k / n, "low": ci.low, "high": ci.high}

    cats = [scores <= 6, (scores >= 7) & (scores <= 8), scores >= 9]
    d, p, q = (group(m) for m in cats)
    rr = relative_risk(d["churned"], d["customers"], q["churned"], q["customers"])
    rr_ci = rr.confidence_interval(confidence_level=level)
    table = np.array([[int((m & ~churned).sum()), int((m & churned).sum())] for m in cats])
    table = table[table.sum(axis=1) > 0]
    chi = stats.chi2_contingency(table, correction=False)
    avoided = 0.25 * d["customers"] * (d["rate"] - p["rate"])
    return {
        "name": name,
        "level": level,
        "scores": scores.tolist(),
        "churned": churned.astype(int).tolist(),
        "expected": {
            "detractors": d, "passives": p, "promoters": q,
            "by_score": [group(scores == s) for s in range(11)],
            "relative_risk": rr.relative_risk, "relative_risk_low": rr_ci.low, "relative_risk_high": rr_ci.high,
            "chi_square": {"statistic": chi.statistic, "df": int(chi.dof), "p_value": chi.pvalue},
            "reduction_25": {"churners_avoided": avoided, "churn_rate_after": (churned.sum() - avoided) / len(scores)},
        },
    }


rng = np.random.default_rng(120)
scores = rng.choice(11, size=3000, p=[0.04, 0.02, 0.03, 0.04, 0.05, 0.08, 0.1, 0.14, 0.18, 0.14, 0.18])
p_churn = np.where(scores <= 6, 0.32, np.where(scores <= 8, 0.18, 0.10))
churned = rng.random(3000) < p_churn
small_scores = [0, 3, 6, 6, 7, 8, 9, 10, 10, 10, 5, 9]
small_churn = [1, 1, 0, 1, 0, 1, 0, 0, 0, 1, 1, 0]
cases = [
    case("random_3000", scores, churned),
    case("small_hand", small_scores, small_churn),
    case("small_hand_90", small_scores, small_churn, level=0.90),
]
path = Path(__file__).with_name("churn_link.json")
path.write_text(json.dumps({"cases": cases}) + "\n")
print(f"wrote {path}")
