"""Writes tests/vectors/uplift.json: uplift evaluation cases with scikit-uplift's values and
the core's own answers, which the Rust, Python and Node tests must reproduce (the core's to
the bit, scikit-uplift's to 1e-12), and the mistakes with their error code and message.

* cases: outcomes with scikit-uplift's convention (1 = retained; the core reads them with
  ``outcome="retained"``), an assignment and a score with ties; scikit-uplift's
  ``qini_curve``, ``uplift_curve``, ``qini_auc_score`` and ``uplift_at_k`` (``overall`` and
  ``by_group``) at k = 0.3, and the core's curves, coefficient, uplift at k and saved per
  1,000 contacts.
* mistakes: empty, NaN, mismatched lengths, no control row, k out of (0, 1], an unknown
  outcome: the code and message every language gives.

    .venv/bin/python tests/vectors/make_uplift.py   (after building the extension)
"""

import json
from pathlib import Path

import numpy as np
from sklift.metrics import qini_auc_score, qini_curve, uplift_at_k, uplift_curve

import nps

OUT = Path(__file__).with_name("uplift.json")
K = 0.3


def case(name, y, t, s):
    y, t, s = np.asarray(y, float), np.asarray(t, float), np.asarray(s, float)
    yi, ti = y.astype(int), t.astype(int)
    qx, qy = qini_curve(yi, s, ti)
    ux, uy = uplift_curve(yi, s, ti)
    qc = nps.uplift.qini_curve(y, t, s, outcome="retained")
    uc = nps.uplift.uplift_curve(y, t, s, outcome="retained")
    coef = nps.uplift.qini_coefficient(y, t, s, outcome="retained")
    saved = nps.uplift.saved_per_contacts(y, t, s, K, value=np.arange(len(y)) % 7 * 10.0, outcome="retained")
    return {
        "name": name,
        "y": y.tolist(), "treated": t.tolist(), "score": s.tolist(), "k": K,
        "value": (np.arange(len(y)) % 7 * 10.0).tolist(),
        "sklift": {
            "qini_x": np.asarray(qx, float).tolist(), "qini_y": np.asarray(qy, float).tolist(),
            "uplift_x": np.asarray(ux, float).tolist(), "uplift_y": np.asarray(uy, float).tolist(),
            "qini_auc_score": float(qini_auc_score(yi, s, ti)),
            "uplift_at_k_overall": float(uplift_at_k(yi, s, ti, strategy="overall", k=K)),
            "uplift_at_k_by_group": float(uplift_at_k(yi, s, ti, strategy="by_group", k=K)),
        },
        "core": {
            "qini_targeted": qc["targeted"].tolist(), "qini_fraction": qc["fraction"].tolist(),
            "qini_incremental": qc["incremental"].tolist(),
            "uplift_incremental": uc["incremental"].tolist(),
            "qini_coefficient": coef["coefficient"], "qini_area": coef["area"], "perfect_area": coef["perfect_area"],
            "uplift_at_overall": nps.uplift.uplift_at(y, t, s, K, outcome="retained"),
            "uplift_at_by_group": nps.uplift.uplift_at(y, t, s, K, strategy="by_group", outcome="retained"),
            "saved_customers": saved["customers"], "saved_value": saved["value"],
        },
    }


def main():
    rng = np.random.default_rng(19)
    cases = []
    n = 60
    t = rng.integers(0, 2, n)
    s = np.round(rng.normal(size=n), 1)  # many ties
    y = rng.binomial(1, 0.3 + 0.3 * t * (s > 0))
    cases.append(case("ties", y, t, s))
    n = 500
    t = (rng.uniform(size=n) < 0.3).astype(int)
    s = rng.uniform(-0.2, 0.3, n)
    y = rng.binomial(1, np.clip(0.5 + t * s, 0, 1))
    cases.append(case("thirty_percent_treated", y, t, s))
    y3 = [1, 0, 1, 1, 0, 0, 1, 0, 1, 1]
    t3 = [1, 1, 0, 0, 1, 0, 1, 0, 1, 0]
    cases.append(case("small", y3, t3, [0.9, 0.8, 0.7, 0.7, 0.5, 0.4, 0.3, 0.2, 0.2, 0.1]))

    base = {"y": [1.0, 0.0, 1.0, 0.0], "treated": [1.0, 0.0, 1.0, 0.0], "score": [0.4, 0.3, 0.2, 0.1], "k": 0.5,
            "outcome": "churned"}
    variants = [
        {"y": [], "treated": [], "score": []},
        {"y": [1.0, float("nan"), 1.0, 0.0]},
        {"y": [1.0, 2.0, 1.0, 0.0]},
        {"treated": [1.0, 0.0, 1.0]},
        {"treated": [1.0, 1.0, 1.0, 1.0]},
        {"score": [0.4, 0.3, float("nan"), 0.1]},
        {"k": 0.0},
        {"k": 1.5},
        {"k": 0.2},
        {"outcome": "retaind"},
    ]
    mistakes = []
    for v in variants:
        args = {**base, **v}
        try:
            nps.uplift.uplift_at(args["y"], args["treated"], args["score"], args["k"], outcome=args["outcome"])
        except nps.NpsError as e:
            args = {key: [None if isinstance(x, float) and np.isnan(x) else x for x in val] if isinstance(val, list)
                    else val for key, val in args.items()}
            mistakes.append({**args, "code": e.code, "message": str(e)})
        else:
            raise AssertionError(f"no error for {v}")
    OUT.write_text(json.dumps({"cases": cases, "mistakes": mistakes}, indent=1) + "\n")


if __name__ == "__main__":
    main()
