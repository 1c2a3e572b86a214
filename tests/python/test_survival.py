"""nps.survival against lifelines, side by side and through the shared vectors
(tests/vectors/survival.json): Kaplan-Meier, the log-rank tests, Cox models (summary,
log-likelihood, concordance, baseline, predictions), the model file to the bit, pickling,
display, and the errors."""

import math
import pickle

import numpy as np
import pandas as pd
import pytest

import nps
from nps.survival import CoxModel, KaplanMeier, kaplan_meier_by_segment, logrank_test, multivariate_logrank_test

from conftest import vectors

lifelines = pytest.importorskip("lifelines")
from lifelines import CoxPHFitter, KaplanMeierFitter  # noqa: E402
from lifelines.datasets import load_rossi  # noqa: E402
from lifelines.statistics import logrank_test as ll_logrank, multivariate_logrank_test as ll_multi  # noqa: E402
from lifelines.utils import median_survival_times  # noqa: E402

V = vectors("survival")
ROSSI = load_rossi()
COVARIATES = ["fin", "age", "race", "wexp", "mar", "paro", "prio"]


def frame(name):
    return pd.DataFrame(V["datasets"][name])


def inf(v):
    return math.inf if v is None else v


def column(df, name):
    return None if name is None else df[name]


# -- Kaplan-Meier ---------------------------------------------------------------------------

@pytest.mark.parametrize("case", V["kaplan_meier"], ids=lambda c: c["name"])
def test_kaplan_meier_vectors(case):
    df = frame(case["dataset"])
    km = KaplanMeier(alpha=case["alpha"]).fit(df[case["duration"]], column(df, case["event"]),
                                              entry=column(df, case["entry"]), weights=column(df, case["weights"]))
    np.testing.assert_array_equal(km.timeline, case["time"])
    np.testing.assert_allclose(km.event_table["at_risk"], case["at_risk"], atol=1e-9)
    np.testing.assert_allclose(km.survival_function_.iloc[:, 0], case["survival"], atol=1e-12)
    np.testing.assert_allclose(km.confidence_interval_.iloc[:, 0], case["lower"], atol=1e-12)
    np.testing.assert_allclose(km.confidence_interval_.iloc[:, 1], case["upper"], atol=1e-12)
    assert km.median_survival_time_ == inf(case["median"])
    ci = km.median_confidence_interval_
    assert (ci.iloc[0, 0], ci.iloc[0, 1]) == (inf(case["median_lower"]), inf(case["median_upper"]))
    np.testing.assert_allclose(km.survival_function_at_times(case["at_times"]), case["survival_at"], atol=1e-12)


def test_kaplan_meier_side_by_side_with_lifelines():
    ours = KaplanMeier().fit(ROSSI["week"], ROSSI["arrest"], label="rossi")
    theirs = KaplanMeierFitter().fit(ROSSI["week"], ROSSI["arrest"], label="rossi")
    pd.testing.assert_frame_equal(ours.survival_function_, theirs.survival_function_, atol=1e-12, rtol=0)
    pd.testing.assert_frame_equal(ours.confidence_interval_, theirs.confidence_interval_, atol=1e-12, rtol=0,
                                  check_names=False)
    assert ours.median_survival_time_ == theirs.median_survival_time_
    np.testing.assert_array_equal(ours.median_confidence_interval_.to_numpy(),
                                  median_survival_times(theirs.confidence_interval_).to_numpy())
    pd.testing.assert_frame_equal(ours.event_table, theirs.event_table[ours.event_table.columns], check_dtype=False)


def test_kaplan_meier_by_segment_matches_a_fit_per_segment():
    segments = np.where(ROSSI["prio"] >= 3, "many", "few")
    parts = kaplan_meier_by_segment(ROSSI["week"], ROSSI["arrest"], segments)
    assert list(parts) == ["few", "many"]
    for label, km in parts.items():
        rows = segments == label
        theirs = KaplanMeierFitter().fit(ROSSI["week"][rows], ROSSI["arrest"][rows])
        np.testing.assert_allclose(km.survival_function_.iloc[:, 0], theirs.survival_function_.iloc[:, 0], atol=1e-12)
        assert km.median_survival_time_ == theirs.median_survival_time_


# -- log-rank -------------------------------------------------------------------------------

@pytest.mark.parametrize("case", V["log_rank"], ids=lambda c: c["name"])
def test_log_rank_vectors(case):
    df = frame(case["dataset"])
    result = multivariate_logrank_test(df[case["duration"]], df[case["group"]], df[case["event"]])
    assert result.test_statistic == pytest.approx(case["test_statistic"], rel=1e-9)
    assert result.p_value == pytest.approx(case["p_value"], rel=1e-9, abs=1e-14)
    assert result.degrees_of_freedom == case["degrees_of_freedom"]


def test_log_rank_side_by_side_with_lifelines():
    a, b = ROSSI[ROSSI["fin"] == 0], ROSSI[ROSSI["fin"] == 1]
    ours = logrank_test(a["week"], b["week"], a["arrest"], b["arrest"])
    theirs = ll_logrank(a["week"], b["week"], a["arrest"], b["arrest"])
    assert ours.test_statistic == pytest.approx(theirs.test_statistic, rel=1e-10)
    assert ours.p_value == pytest.approx(theirs.p_value, rel=1e-10)
    ours = multivariate_logrank_test(ROSSI["week"], ROSSI["prio"].clip(upper=4), ROSSI["arrest"])
    theirs = ll_multi(ROSSI["week"], ROSSI["prio"].clip(upper=4), ROSSI["arrest"])
    assert ours.test_statistic == pytest.approx(theirs.test_statistic, rel=1e-10)
    assert ours.degrees_of_freedom == theirs.degrees_of_freedom == 4
    assert ours.groups_table["observed"].sum() == ROSSI["arrest"].sum()
    assert "chi-square" in ours._repr_html_()


# -- Cox ------------------------------------------------------------------------------------

def cox_frame(case):
    df = frame(case["dataset"])
    cols = [case["duration"], case["event"], *case["covariates"]]
    cols += [c for c in (case["strata"], case["entry"], case["weights"]) if c]
    return df[cols]


def fit_case(case):
    return CoxModel(penalizer=case["penalizer"]).fit(cox_frame(case), case["duration"], case["event"],
                                                    strata=case["strata"], entry_col=case["entry"],
                                                    weights_col=case["weights"])


@pytest.mark.parametrize("case", V["cox"], ids=lambda c: c["name"])
def test_cox_vectors(case):
    model = fit_case(case)
    s = model.summary
    np.testing.assert_allclose(s["coef"], case["coef"], atol=1e-6, rtol=0)
    np.testing.assert_allclose(s["se(coef)"], case["se"], atol=1e-5, rtol=0)
    np.testing.assert_allclose(s["exp(coef)"], case["hazard_ratio"], atol=1e-5, rtol=0)
    np.testing.assert_allclose(s["coef lower 95%"], case["coef_lower"], atol=1e-5, rtol=0)
    np.testing.assert_allclose(s["p"], case["p"], atol=1e-6, rtol=0)
    assert model.log_likelihood_ == pytest.approx(case["log_likelihood"], abs=1e-8)
    assert model.concordance_index_ == pytest.approx(case["concordance"], abs=1e-12)
    np.testing.assert_allclose(model.baseline_survival_.to_numpy().T, case["baseline_survival"], atol=1e-6)
    rows = case["rows"]
    X = cox_frame(case).iloc[:rows]
    curves = model.predict_survival_function(X, times=case["times"])
    np.testing.assert_allclose(curves.to_numpy().T, case["survival"], atol=1e-6)
    after = np.array(case["conditional_after"])
    curves = model.predict_survival_function(X, times=case["times"], conditional_after=after)
    np.testing.assert_allclose(curves.to_numpy().T, case["survival_conditional"], atol=1e-6)
    within = model.predict_churn_within(X, case["horizon"], conditional_after=after)
    np.testing.assert_allclose(within, case["churn_within"], atol=1e-6)


def test_cox_side_by_side_with_lifelines_on_rossi():
    ours = CoxModel().fit(ROSSI[["week", "arrest", *COVARIATES]], "week", "arrest")
    theirs = CoxPHFitter().fit(ROSSI[["week", "arrest", *COVARIATES]], "week", "arrest")
    np.testing.assert_allclose(ours.params_, theirs.params_, atol=1e-6, rtol=0)
    np.testing.assert_allclose(ours.standard_errors_, theirs.standard_errors_, atol=1e-5, rtol=0)
    assert list(ours.summary.columns) == [c for c in theirs.summary.columns if c in ours.summary.columns]
    assert set(ours.summary.columns) >= {"coef", "exp(coef)", "se(coef)", "coef lower 95%", "coef upper 95%", "z",
                                         "p"}
    assert ours.log_likelihood_ == pytest.approx(theirs.log_likelihood_, abs=1e-8)
    assert ours.concordance_index_ == pytest.approx(theirs.concordance_index_, abs=1e-12)
    X = ROSSI[COVARIATES].iloc[:20]
    pd.testing.assert_frame_equal(ours.predict_survival_function(X), theirs.predict_survival_function(X),
                                  atol=1e-6, rtol=0, check_index_type=False, check_column_type=False)
    np.testing.assert_allclose(ours.predict_partial_hazard(X), theirs.predict_partial_hazard(X), rtol=1e-6)


def test_the_model_file_predicts_to_the_bit_and_pickles(tmp_path):
    file = V["model_file"]
    model = CoxModel.from_json(file["json"])
    X = pd.DataFrame(file["x"], columns=COVARIATES)
    curves = model.predict_survival_function(X, times=file["times"], conditional_after=file["conditional_after"])
    for i in range(len(X)):
        assert [v.hex() for v in curves.iloc[:, i]] == file["survival"][i]
    within = model.predict_churn_within(X, 26.0, conditional_after=file["conditional_after"])
    assert [v.hex() for v in within] == file["churn_within_26"]
    model.save(tmp_path / "cox.json")
    again = CoxModel.load(tmp_path / "cox.json")
    assert again.to_json() == model.to_json()
    copy = pickle.loads(pickle.dumps(model))
    pd.testing.assert_frame_equal(copy.summary, model.summary)
    assert "concordance" in model._repr_html_()


def test_strata_survive_the_model_file():
    df = ROSSI[["week", "arrest", "fin", "age", "race"]]
    model = CoxModel().fit(df, "week", "arrest", strata="race")
    loaded = CoxModel.from_json(model.to_json())
    pd.testing.assert_frame_equal(loaded.predict_survival_function(df.iloc[:5]), model.predict_survival_function(df.iloc[:5]))


# -- errors ---------------------------------------------------------------------------------

def test_errors_name_the_row_and_the_reason():
    with pytest.raises(nps.NpsError, match=r"durations\[1\] = -2 is negative") as e:
        KaplanMeier().fit([1.0, -2.0, 3.0], [1, 0, 1])
    assert e.value.code == "NEGATIVE"
    with pytest.raises(nps.NpsError, match=r"durations\[2\] is missing") as e:
        KaplanMeier().fit([1.0, 2.0, float("nan")])
    assert e.value.code == "MISSING_VALUE"
    with pytest.raises(nps.NpsError, match=r"entry\[0\] = 4 is outside") as e:
        KaplanMeier().fit([1.0, 2.0], [1, 1], entry=[4.0, 0.0])
    with pytest.raises(nps.NpsError) as e:
        KaplanMeier().fit([1.0, 2.0], [1, 1, 0])
    assert e.value.code == "LENGTH_MISMATCH"
    with pytest.raises(nps.NpsError, match=r"event_observed\[1\] is missing"):
        KaplanMeier().fit([1.0, 2.0], [1, float("nan")])
    km = KaplanMeier().fit([1.0, 2.0], [0, 0])
    with pytest.raises(nps.NpsError, match="no events"):
        _ = km.median_survival_time_
    with pytest.raises(nps.NpsError) as e:
        _ = KaplanMeier().survival_function_
    assert e.value.code == "NOT_FITTED"

    df = ROSSI[["week", "arrest", "fin", "age"]].assign(one=1.0)
    with pytest.raises(nps.NpsError, match=r'covariate "one" must be a covariate that varies .*got constant'):
        CoxModel().fit(df, "week", "arrest")
    separating = pd.DataFrame({"t": np.arange(1.0, 41.0), "e": np.arange(40) % 3 != 0, "x": -np.arange(40.0)})
    with pytest.raises(nps.NpsError, match=r'no convergence.*"x"'):
        CoxModel().fit(separating, "t", "e")
    collinear = ROSSI[["week", "arrest", "fin", "age"]].assign(age2=ROSSI["age"] * 2 + 1)
    with pytest.raises(nps.NpsError, match=r'singular Hessian at covariate "age2"'):
        CoxModel().fit(collinear, "week", "arrest")
    with pytest.raises(nps.NpsError, match=r'covariate "age"\[3\] is missing'):
        CoxModel().fit(ROSSI[["week", "arrest", "fin", "age"]].astype(float).assign(
            age=ROSSI["age"].where(ROSSI.index != 3)), "week", "arrest")
    model = CoxModel().fit(ROSSI[["week", "arrest", "fin", "age", "race"]], "week", "arrest", strata="race")
    with pytest.raises(nps.NpsError) as e:
        model.predict_survival_function(pd.DataFrame({"fin": [0], "age": [30], "race": [7]}))
    assert e.value.code == "UNKNOWN_VALUE"
    with pytest.raises(nps.NpsError, match="model file"):
        CoxModel.from_json('{"format": "nps.survival_model", "version": 1, "kind": "cox"}')
    with pytest.raises(nps.NpsError, match="version"):
        CoxModel.from_json('{"format": "nps.survival_model", "version": 9, "kind": "cox"}')


def test_plot_draws_curves_by_segment():
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    parts = kaplan_meier_by_segment(ROSSI["week"], ROSSI["arrest"], np.where(ROSSI["fin"] == 1, "promoter", "detractor"))
    ax = nps.plot.survival(parts)
    assert len(ax.get_lines()) == 2
    assert "median" in ax.get_legend().get_texts()[0].get_text()
    assert KaplanMeier().fit(ROSSI["week"], ROSSI["arrest"]).plot() is not None
