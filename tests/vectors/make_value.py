"""Writes tests/vectors/value.json: lifetimes' (0.11.3) answers on its shipped CDNOW summary
(BG/NBD and Gamma-Gamma parameters, standard errors, log-likelihood, conditional expected
purchases, P(alive), expected purchases of a new customer, expected spend, customer lifetime
value), on the same summary compressed to weighted patterns and with a penalty, and
``summary_data_from_transaction_data`` on generated transactions (same-day purchases, days
and weeks, an observation end before the last purchase). For the shifted-beta-geometric
model: the two cohorts of Fader & Hardie (2007), "How to project customer retention",
Journal of Interactive Marketing 21(1), Table 1 (Regular and High End, 1,000 customers,
years 0-12, fitted on years 0-7), the paper's published estimates (section 4 and
Appendix B: Regular alpha 0.704, beta 1.182; High End alpha 0.668, beta 3.806, LL -1611.2),
and an independent maximum-likelihood fit and DERL by direct summation computed here with
scipy. The Rust, Python and Node tests read this file.

    .venv/bin/python tests/vectors/make_value.py
"""

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import betaln

warnings.simplefilter("ignore")
from lifetimes import BetaGeoFitter, GammaGammaFitter  # noqa: E402
from lifetimes.datasets import load_cdnow_summary_data_with_monetary_value  # noqa: E402
from lifetimes.utils import summary_data_from_transaction_data  # noqa: E402

cdnow = load_cdnow_summary_data_with_monetary_value()
f, r, T, m = (cdnow[c].to_numpy(dtype=float) for c in ("frequency", "recency", "T", "monetary_value"))


def bg_block(fitter, frequency, recency, age, weights=None):
    """Parameters, standard errors and the total log-likelihood (unscaled time, no penalty)."""
    lp = np.log(fitter.params_[["r", "alpha", "a", "b"]].to_numpy())
    w = np.ones_like(frequency) if weights is None else weights
    nll = BetaGeoFitter._negative_log_likelihood(lp, frequency.astype(int), recency, age, w, 0.0)
    return {
        "params": fitter.params_[["r", "alpha", "a", "b"]].tolist(),
        "standard_errors": fitter.standard_errors_[["r", "alpha", "a", "b"]].tolist(),
        "log_likelihood": float(-nll * w.sum()),
    }


bgf = BetaGeoFitter().fit(f, r, T)
horizons = [1.0, 10.0, 39.0, 52.0]
beta_geo = bg_block(bgf, f, r, T)
beta_geo["horizons"] = horizons
beta_geo["conditional_expected_purchases"] = [
    np.asarray(bgf.conditional_expected_number_of_purchases_up_to_time(h, f, r, T)).tolist() for h in horizons]
beta_geo["probability_alive"] = np.asarray(bgf.conditional_probability_alive(f, r, T)).tolist()
new_horizons = [0.5, 1.0, 10.0, 39.0, 100.0]
beta_geo["new_customer_horizons"] = new_horizons
beta_geo["new_customer_expected_purchases"] = [float(bgf.expected_number_of_purchases_up_to_time(h)) for h in new_horizons]

penalized = BetaGeoFitter(penalizer_coef=0.01).fit(f, r, T)
beta_geo_penalized = bg_block(penalized, f, r, T)
beta_geo_penalized["penalizer_coef"] = 0.01

patterns = cdnow.groupby(["frequency", "recency", "T"]).size().reset_index(name="weight")
pf, pr, pT, pw = (patterns[c].to_numpy(dtype=float) for c in ("frequency", "recency", "T", "weight"))
weighted = BetaGeoFitter().fit(pf, pr, pT, weights=pw)
beta_geo_weighted = bg_block(weighted, pf, pr, pT, pw)
beta_geo_weighted.update(frequency=pf.tolist(), recency=pr.tolist(), T=pT.tolist(), weights=pw.tolist())

repeat = f > 0
ggf = GammaGammaFitter().fit(f[repeat], m[repeat])
x, mv = f[repeat], m[repeat]
lp = np.log(ggf.params_[["p", "q", "v"]].to_numpy())
gg_nll = GammaGammaFitter._negative_log_likelihood(lp, x, mv, np.ones_like(x), 0.0) * len(x)
idx = pd.Index(np.arange(len(x)))
series = [pd.Series(a, index=idx) for a in (x, r[repeat], T[repeat], mv)]
gamma_gamma = {
    "params": ggf.params_[["p", "q", "v"]].tolist(),
    "standard_errors": ggf.standard_errors_[["p", "q", "v"]].tolist(),
    "log_likelihood": float(-gg_nll),
    "expected_average_profit": np.asarray(ggf.conditional_expected_average_profit(x, mv)).tolist(),
    "clv_days": ggf.customer_lifetime_value(bgf, *series, time=12, discount_rate=0.01, freq="D").tolist(),
    "clv_weeks": ggf.customer_lifetime_value(bgf, *series, time=6, discount_rate=0.02, freq="W").tolist(),
}

# Generated transactions: 300 customers, first purchases over a year, Poisson-ish repeats,
# several purchases on the same day, amounts with cents.
rng = np.random.default_rng(18)
start = pd.Timestamp("2025-01-01")
rows = []
for c in range(300):
    first = start + pd.Timedelta(seconds=int(rng.integers(0, 300 * 86400)))
    n = int(rng.poisson(rng.gamma(0.8, 4.0)))
    times = [first] + [first + pd.Timedelta(seconds=int(s)) for s in rng.integers(0, 200 * 86400, size=n)]
    for t in times:
        rows.append((f"c{c:03d}", t, round(float(rng.gamma(2.0, 15.0)), 2)))
        if rng.random() < 0.1:  # a second purchase the same day
            rows.append((f"c{c:03d}", t + pd.Timedelta(minutes=5), round(float(rng.gamma(2.0, 15.0)), 2)))
tx = pd.DataFrame(rows, columns=["customer", "date", "amount"]).sort_values(["date", "customer"]).reset_index(drop=True)
end = pd.Timestamp("2025-11-30 12:00")
summaries = {}
# (freq, observation end, freq_multiplier, include_first_transaction): lifetimes' arguments.
cases = {f"{freq}_{label}": (freq, obs, 1, False) for freq in ("D", "W") for label, obs in (("end", end), ("last", None))}
cases["D_end_first"] = ("D", end, 1, True)
cases["H_end_days"] = ("h", end, 24, False)
for name, (freq, obs, multiplier, first) in cases.items():
        s = summary_data_from_transaction_data(tx, "customer", "date", monetary_value_col="amount",
                                               observation_period_end=obs, freq=freq, freq_multiplier=multiplier,
                                               include_first_transaction=first)
        summaries[name] = {
            "freq": freq.upper(),
            "freq_multiplier": multiplier,
            "include_first_transaction": first,
            "observation_end": None if obs is None else int(obs.timestamp()),
            "customer": s.index.tolist(),
            "frequency": s["frequency"].tolist(),
            "recency": s["recency"].tolist(),
            "T": s["T"].tolist(),
            "monetary_value": s["monetary_value"].tolist(),
        }
generated = s = summaries["D_end"]
gen_bgf = BetaGeoFitter(penalizer_coef=0.001).fit(np.array(s["frequency"]), np.array(s["recency"]), np.array(s["T"]))
generated_fit = bg_block(gen_bgf, np.array(s["frequency"]), np.array(s["recency"]), np.array(s["T"]))
generated_fit["penalizer_coef"] = 0.001

# The shifted-beta-geometric model on the paper's cohorts.
cohorts = {
    "regular": [1000, 631, 468, 382, 326, 289, 262, 241, 223, 207, 194, 183, 173],
    "high_end": [1000, 869, 743, 653, 593, 551, 517, 491, 468, 445, 427, 409, 394],
}
published = {"regular": {"alpha": 0.704, "beta": 1.182}, "high_end": {"alpha": 0.668, "beta": 3.806, "log_likelihood": -1611.2}}


def sbg_ll(params, survivors):
    a, b = np.exp(params)
    s = np.asarray(survivors, dtype=float)
    t = np.arange(1, len(s))
    lost = s[:-1] - s[1:]
    ln_p = betaln(a + 1, b + t - 1) - betaln(a, b)
    ln_s = betaln(a, b + t[-1]) - betaln(a, b)
    return float((lost * ln_p).sum() + s[-1] * ln_s)


sbg = {}
for name, survivors in cohorts.items():
    calibration = survivors[:8]
    res = minimize(lambda p, c=calibration: -sbg_ll(p, c), x0=[0.0, 0.0], method="Nelder-Mead",
                   options={"xatol": 1e-12, "fatol": 1e-14, "maxiter": 20000})
    a, b = np.exp(res.x)
    t = np.arange(0, 13)
    survival = np.exp(betaln(a, b + t) - betaln(a, b))
    derl = {}
    for d in (0.1, 0.05):
        for renewals in (0, 1, 4):
            n = renewals + 1
            k = np.arange(n, n + 20000)
            # sum_{t>=n} S(t)/S(n-1)/(1+d)^(t-n), S by the beta function
            terms = np.exp(betaln(a, b + k) - betaln(a, b + n - 1)) / (1 + d) ** (k - n)
            derl[f"{d}_{renewals}"] = float(terms.sum())
    sbg[name] = {
        "survivors": survivors,
        "calibration_periods": 7,
        "published": published[name],
        "alpha": float(a),
        "beta": float(b),
        "log_likelihood": sbg_ll(res.x, calibration),
        "survival": survival.tolist(),
        "derl": derl,
    }

# Model files written by nps (Python) and what they predict: Rust and Node read the files and
# must predict the same numbers to the last bit.
import nps  # noqa: E402

head = slice(0, 40)
nps_bg = nps.value.BetaGeo().fit(f, r, T)
rep = np.flatnonzero(repeat)[:40]
nps_gg = nps.value.GammaGamma().fit(f[repeat], m[repeat])
nps_sbg = nps.value.ShiftedBetaGeometric().fit(cohorts["high_end"][:8])
model_files = {
    "beta_geo": json.loads(nps_bg.to_json()),
    "gamma_gamma": json.loads(nps_gg.to_json()),
    "shifted_beta_geometric": json.loads(nps_sbg.to_json()),
    "rows": list(range(40)),
    "expected_purchases_10": nps_bg.predict(10.0, f[head], r[head], T[head]).tolist(),
    "probability_alive": nps_bg.conditional_probability_alive(f[head], r[head], T[head]).tolist(),
    "repeat_rows": rep.tolist(),
    "clv": nps_gg.customer_lifetime_value(nps_bg, f[rep], r[rep], T[rep], m[rep]).tolist(),
    "survival_12": nps_sbg.survival(12).tolist(),
    "derl_0.1_2": nps_sbg.discounted_expected_residual_lifetime(0.1, 2),
}

out = {
    "source": "lifetimes 0.11.3 (CDNOW summary), scipy (sBG), Fader & Hardie (2007) Table 1, section 4, Appendix B",
    "cdnow": {"frequency": f.tolist(), "recency": r.tolist(), "T": T.tolist(), "monetary_value": m.tolist()},
    "beta_geo": beta_geo,
    "beta_geo_penalized": beta_geo_penalized,
    "beta_geo_weighted": beta_geo_weighted,
    "gamma_gamma": gamma_gamma,
    "transactions": {
        "customer": tx["customer"].tolist(),
        "time": [int(t.timestamp()) for t in tx["date"]],
        "amount": tx["amount"].tolist(),
    },
    "summaries": summaries,
    "generated_fit": generated_fit,
    "shifted_beta_geometric": sbg,
    "model_files": model_files,
}
path = Path(__file__).with_name("value.json")
path.write_text(json.dumps(out) + "\n")
print(f"wrote {path}")
