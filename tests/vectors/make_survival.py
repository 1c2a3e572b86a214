"""Writes tests/vectors/survival.json: lifelines' numbers on its shipped ``rossi`` data set
and on a generated data set with ties, heavy censoring, delayed entry, weights and strata:
Kaplan-Meier tables, medians and their intervals, survival at given times, log-rank tests
(two groups and several), and Cox models (summary, log-likelihood, concordance, baseline
survival, per-customer survival curves, also conditional on tenure, and the probability of
churning within a horizon). The data sets themselves are in the file, so the Rust and Node
tests need no lifelines. ``model_file`` is a Cox model file written by nps with the
predictions it gives, which every language must reproduce to the bit.

    .venv/bin/python tests/vectors/make_survival.py
"""

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
from lifelines import CoxPHFitter, KaplanMeierFitter
from lifelines.datasets import load_rossi
from lifelines.statistics import logrank_test, multivariate_logrank_test
from lifelines.utils import median_survival_times


def number(v):
    """A JSON number; infinity (a median never reached) is null."""
    v = float(v)
    return None if math.isinf(v) or math.isnan(v) else v


def numbers(values):
    return [number(v) for v in np.asarray(values, dtype=float).ravel()]


def generated(n=400, seed=7):
    """Integer durations (many ties), about 70% censored, delayed entry for a third of the
    customers, integer weights, two strata and three covariates."""
    rng = np.random.default_rng(seed)
    x1 = rng.normal(size=n)
    x2 = rng.integers(0, 2, size=n).astype(float)
    x3 = rng.uniform(0, 10, size=n)
    stratum = np.where(rng.uniform(size=n) < 0.4, "north", "south")
    rate = 0.02 * np.exp(0.5 * x1 - 0.7 * x2 + 0.05 * x3) * np.where(stratum == "north", 1.5, 1.0)
    event_time = rng.exponential(1 / rate)
    censor_time = rng.exponential(30, size=n)
    duration = np.ceil(np.minimum(event_time, censor_time))
    event = (event_time <= censor_time).astype(int)
    entry = np.where(rng.uniform(size=n) < 1 / 3, np.floor(rng.uniform(0, 1, size=n) * duration), 0.0)
    weight = rng.integers(1, 4, size=n).astype(float)
    return pd.DataFrame({"duration": duration, "event": event, "entry": entry, "weight": weight, "x1": x1,
                         "x2": x2, "x3": x3, "stratum": stratum})


rossi = load_rossi()
rossi["prio_group"] = np.minimum(rossi["prio"], 3)  # three or more priors: one group
gen = generated()
datasets = {"rossi": rossi, "generated": gen}
AT_TIMES = [0.0, 0.5, 1.0, 7.0, 10.5, 20.0, 35.0, 52.0, 60.0]


def km_case(name, dataset, duration, event=None, entry=None, weights=None, alpha=0.05):
    df = datasets[dataset]
    kmf = KaplanMeierFitter(alpha=alpha).fit(
        df[duration], None if event is None else df[event], entry=None if entry is None else df[entry],
        weights=None if weights is None else df[weights])
    table = kmf.event_table
    ci = kmf.confidence_interval_
    median_ci = median_survival_times(ci)
    return {
        "name": name, "dataset": dataset, "duration": duration, "event": event, "entry": entry, "weights": weights,
        "alpha": alpha,
        "time": numbers(table.index), "removed": numbers(table["removed"]), "observed": numbers(table["observed"]),
        "censored": numbers(table["censored"]), "entrance": numbers(table["entrance"]),
        "at_risk": numbers(table["at_risk"]),
        "survival": numbers(kmf.survival_function_.iloc[:, 0]),
        "greenwood": numbers(kmf._cumulative_sq_),
        "lower": numbers(ci.iloc[:, 0]), "upper": numbers(ci.iloc[:, 1]),
        "median": number(kmf.median_survival_time_),
        "median_lower": number(median_ci.iloc[0, 0]), "median_upper": number(median_ci.iloc[0, 1]),
        "at_times": AT_TIMES, "survival_at": numbers(kmf.survival_function_at_times(AT_TIMES)),
    }


def log_rank_case(name, dataset, duration, event, group):
    df = datasets[dataset]
    labels = df[group].astype(str)
    result = multivariate_logrank_test(df[duration], labels, df[event])
    case = {"name": name, "dataset": dataset, "duration": duration, "event": event, "group": group,
            "test_statistic": float(result.test_statistic), "p_value": float(result.p_value),
            "degrees_of_freedom": int(result.degrees_of_freedom)}
    if labels.nunique() == 2:
        a, b = sorted(labels.unique())
        two = logrank_test(df[duration][labels == a], df[duration][labels == b], df[event][labels == a],
                           df[event][labels == b])
        case["two_group"] = {"a": a, "b": b, "test_statistic": float(two.test_statistic),
                             "p_value": float(two.p_value)}
    return case


def cox_case(name, dataset, duration, event, covariates, strata=None, entry=None, weights=None, penalizer=0.0,
             rows=8, times=(1.0, 5.0, 10.0, 12.5, 20.0, 30.0, 52.0), horizon=20.0):
    df = datasets[dataset]
    columns = [duration, event, *covariates] + ([strata] if strata else []) + ([entry] if entry else []) + (
        [weights] if weights else [])
    frame = df[columns].copy()
    if strata:
        frame[strata] = frame[strata].astype(str)
    fit = dict(duration_col=duration, event_col=event, strata=[strata] if strata else None, entry_col=entry,
               weights_col=weights)
    # Newton's method run to convergence: lifelines' default stopping rule (a relative change
    # of the log-likelihood below 1e-9) can stop while its damped steps (0.95 of Newton's at
    # first) are still 1e-5 away from the maximum (the penalised rossi fit); nps iterates to
    # the maximum. The default fit's coefficients are kept too (`coef_default`).
    cph = CoxPHFitter(penalizer=penalizer).fit(frame, **fit, fit_options=dict(precision=1e-13, r_precision=1e-16))
    default = CoxPHFitter(penalizer=penalizer).fit(frame, **fit)
    s = cph.summary
    X = frame.iloc[:rows].drop(columns=[duration, event] + ([entry] if entry else []) + ([weights] if weights else []))
    after = np.arange(rows, dtype=float) * 2.0
    # With strata lifelines orders the columns by stratum: back to the rows' order.
    survival = cph.predict_survival_function(X, times=list(times))[list(X.index)]
    conditional = cph.predict_survival_function(X, times=list(times), conditional_after=after)[list(X.index)]
    within = 1 - cph.predict_survival_function(X, times=[horizon], conditional_after=after)[list(X.index)].iloc[0]
    baseline = cph.baseline_survival_
    return {
        "name": name, "dataset": dataset, "duration": duration, "event": event, "covariates": covariates,
        "strata": strata, "entry": entry, "weights": weights, "penalizer": penalizer,
        "coef": numbers(s["coef"]), "coef_default": numbers(default.params_), "se_default": numbers(default.standard_errors_), "hazard_ratio": numbers(s["exp(coef)"]), "se": numbers(s["se(coef)"]),
        "coef_lower": numbers(s["coef lower 95%"]), "coef_upper": numbers(s["coef upper 95%"]),
        "hazard_ratio_lower": numbers(s["exp(coef) lower 95%"]),
        "hazard_ratio_upper": numbers(s["exp(coef) upper 95%"]),
        "z": numbers(s["z"]), "p": numbers(s["p"]),
        "log_likelihood": float(cph.log_likelihood_), "concordance": float(cph.concordance_index_),
        "baseline_times": numbers(baseline.index),
        "baseline_strata": [str(c) for c in baseline.columns] if strata else [],
        "baseline_survival": [numbers(baseline[c]) for c in baseline.columns],
        "rows": rows, "times": list(times),
        "survival": [numbers(survival.iloc[:, i]) for i in range(rows)],
        "conditional_after": numbers(after),
        "survival_conditional": [numbers(conditional.iloc[:, i]) for i in range(rows)],
        "horizon": horizon, "churn_within": numbers(within),
    }


ROSSI_COVARIATES = ["fin", "age", "race", "wexp", "mar", "paro", "prio"]
vectors = {
    "datasets": {
        "rossi": {c: numbers(rossi[c]) for c in rossi.columns},
        "generated": {**{c: numbers(gen[c]) for c in gen.columns if c != "stratum"},
                      "stratum": gen["stratum"].tolist()},
    },
    "kaplan_meier": [
        km_case("rossi", "rossi", "week", "arrest"),
        km_case("rossi_alpha_10", "rossi", "week", "arrest", alpha=0.1),
        km_case("rossi_all_events", "rossi", "week"),
        km_case("generated", "generated", "duration", "event"),
        km_case("generated_entry", "generated", "duration", "event", entry="entry"),
        km_case("generated_weights", "generated", "duration", "event", weights="weight"),
    ],
    "log_rank": [
        log_rank_case("rossi_fin", "rossi", "week", "arrest", "fin"),
        log_rank_case("rossi_prio_capped", "rossi", "week", "arrest", "prio_group"),
        log_rank_case("generated_stratum", "generated", "duration", "event", "stratum"),
    ],
    "cox": [],
}
vectors["cox"] = [
    cox_case("rossi", "rossi", "week", "arrest", ROSSI_COVARIATES),
    cox_case("rossi_penalized", "rossi", "week", "arrest", ROSSI_COVARIATES, penalizer=0.1),
    cox_case("rossi_strata", "rossi", "week", "arrest", ["fin", "age", "wexp", "mar", "paro", "prio"], strata="race"),
    cox_case("generated_ties", "generated", "duration", "event", ["x1", "x2", "x3"]),
    cox_case("generated_weights", "generated", "duration", "event", ["x1", "x2", "x3"], weights="weight"),
    cox_case("generated_entry", "generated", "duration", "event", ["x1", "x2", "x3"], entry="entry"),
    cox_case("generated_strata", "generated", "duration", "event", ["x1", "x2", "x3"], strata="stratum",
             penalizer=0.05),
]

# A model file written by nps and what it predicts: every language must give these bits.
try:
    import nps.survival

    model = nps.survival.CoxModel().fit(rossi[["week", "arrest", *ROSSI_COVARIATES]], "week", "arrest")
    X = rossi[ROSSI_COVARIATES].iloc[:10]
    after = np.arange(10, dtype=float) * 3.0
    curves = model.predict_survival_function(X, times=[5.0, 10.0, 26.0, 52.0], conditional_after=after)
    vectors["model_file"] = {
        "json": model.to_json(), "x": [numbers(r) for r in X.to_numpy()], "times": [5.0, 10.0, 26.0, 52.0],
        "conditional_after": numbers(after),
        "survival": [[float(v).hex() for v in curves.iloc[:, i]] for i in range(10)],
        "churn_within_26": [float(v).hex() for v in model.predict_churn_within(X, 26.0, conditional_after=after)],
    }
except ImportError:  # the first run, before the extension has survival
    pass

path = Path(__file__).with_name("survival.json")
path.write_text(json.dumps(vectors, indent=1) + "\n")
print(f"wrote {path}")
