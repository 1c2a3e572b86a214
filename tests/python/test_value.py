"""nps.value against lifetimes 0.11.3, side by side on its shipped CDNOW summary and on
generated transactions, and against tests/vectors/value.json (shared with Rust and Node):
BG/NBD, Gamma-Gamma, lifetime value, the RFM summary, the shifted-beta-geometric model on
Fader & Hardie's cohorts, value at risk, model files, pickling and errors."""

import json
import pickle
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import nps
from nps.value import BetaGeo, GammaGamma, ShiftedBetaGeometric

warnings.simplefilter("ignore")
lifetimes = pytest.importorskip("lifetimes")
from lifetimes.datasets import load_cdnow_summary_data_with_monetary_value  # noqa: E402
from lifetimes.utils import summary_data_from_transaction_data  # noqa: E402

VECTORS = json.loads((Path(__file__).parents[1] / "vectors" / "value.json").read_text())


def rel(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-12)))


@pytest.fixture(scope="module")
def cdnow():
    return load_cdnow_summary_data_with_monetary_value()


@pytest.fixture(scope="module")
def fitted(cdnow):
    ours = BetaGeo().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    theirs = lifetimes.BetaGeoFitter().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    return ours, theirs


def test_beta_geo_equals_lifetimes_side_by_side(cdnow, fitted):
    ours, theirs = fitted
    f, r, T = cdnow["frequency"], cdnow["recency"], cdnow["T"]
    assert rel(ours.params_, theirs.params_[["r", "alpha", "a", "b"]]) < 1e-6
    assert list(ours.params_.index) == ["r", "alpha", "a", "b"]
    assert rel(ours.summary["se(coef)"], theirs.summary["se(coef)"]) < 1e-4
    assert rel(ours.summary["lower 95% bound"], theirs.summary["lower 95% bound"]) < 1e-4
    for t in (1, 10, 52):
        e = ours.conditional_expected_number_of_purchases_up_to_time(t, f, r, T)
        assert isinstance(e, pd.Series) and e.index.equals(cdnow.index)
        assert rel(e, theirs.conditional_expected_number_of_purchases_up_to_time(t, f, r, T)) < 1e-5
    assert rel(ours.conditional_probability_alive(f, r, T), theirs.conditional_probability_alive(f, r, T)) < 1e-5
    for t in (1.0, 30.0):
        assert abs(ours.expected_number_of_purchases_up_to_time(t) / theirs.expected_number_of_purchases_up_to_time(t)
                   - 1) < 1e-5
    # numpy in, numpy out
    e = ours.predict(10, f.to_numpy(), r.to_numpy(), T.to_numpy())
    assert isinstance(e, np.ndarray)


def test_beta_geo_log_likelihood_and_penalty_equal_the_vectors(cdnow):
    e = VECTORS["beta_geo"]
    ours = BetaGeo().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    assert abs(ours.log_likelihood_ / e["log_likelihood"] - 1) < 1e-9
    p = VECTORS["beta_geo_penalized"]
    penalized = BetaGeo(penalizer_coef=0.01).fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    assert rel(penalized.params_, p["params"]) < 1e-5
    w = VECTORS["beta_geo_weighted"]
    weighted = BetaGeo().fit(w["frequency"], w["recency"], w["T"], weights=w["weights"])
    assert rel(weighted.params_, w["params"]) < 1e-6


def test_gamma_gamma_and_clv_equal_lifetimes_side_by_side(cdnow, fitted):
    bg, their_bg = fitted
    repeat = cdnow[cdnow["frequency"] > 0]
    ours = GammaGamma().fit(repeat["frequency"], repeat["monetary_value"])
    theirs = lifetimes.GammaGammaFitter().fit(repeat["frequency"], repeat["monetary_value"])
    assert rel(ours.params_, theirs.params_[["p", "q", "v"]]) < 1e-6
    assert rel(ours.standard_errors_, theirs.standard_errors_[["p", "q", "v"]]) < 1e-4
    assert rel(ours.conditional_expected_average_profit(repeat["frequency"], repeat["monetary_value"]),
               theirs.conditional_expected_average_profit(repeat["frequency"], repeat["monetary_value"])) < 1e-6
    args = (repeat["frequency"], repeat["recency"], repeat["T"], repeat["monetary_value"])
    for kw in ({}, {"time": 6, "discount_rate": 0.02, "freq": "W"}):
        clv = ours.customer_lifetime_value(bg, *args, **kw)
        assert rel(clv, theirs.customer_lifetime_value(their_bg, *args, **kw)) < 1e-5
        assert clv.index.equals(repeat.index)


def test_summary_equals_lifetimes_on_generated_transactions():
    tx = VECTORS["transactions"]
    frame = pd.DataFrame({"customer": tx["customer"], "date": pd.to_datetime(tx["time"], unit="s"),
                          "amount": tx["amount"]})
    for freq in ("D", "W"):
        for end in (None, "2025-11-30 12:00"):
            ours = nps.value.summary_from_transactions(frame, "customer", "date", "amount", end, freq=freq)
            theirs = summary_data_from_transaction_data(frame, "customer", "date", monetary_value_col="amount",
                                                        observation_period_end=end, freq=freq)
            assert list(ours.index) == list(theirs.index)
            for c in ("frequency", "recency", "T"):
                np.testing.assert_array_equal(ours[c].to_numpy(), theirs[c].to_numpy())
            np.testing.assert_allclose(ours["monetary_value"], theirs["monetary_value"], rtol=1e-12)
    plain = nps.value.summary_from_transactions(frame, "customer", "date")
    assert list(plain.columns) == ["frequency", "recency", "T"]
    # lifetimes' other arguments: exact days from hours, the first purchase included.
    for freq, multiplier, first in (("h", 24, False), ("D", 1, True), ("W", 7, True)):
        ours = nps.value.summary_from_transactions(frame, "customer", "date", "amount", "2025-11-30 12:00", freq=freq,
                                                   freq_multiplier=multiplier, include_first_transaction=first)
        theirs = summary_data_from_transaction_data(frame, "customer", "date", monetary_value_col="amount",
                                                    observation_period_end="2025-11-30 12:00", freq=freq,
                                                    freq_multiplier=multiplier, include_first_transaction=first)
        for c in ("frequency", "recency", "T"):
            np.testing.assert_array_equal(ours[c].to_numpy(), theirs[c].to_numpy())
        np.testing.assert_allclose(ours["monetary_value"], theirs["monetary_value"], rtol=1e-12)
    with pytest.raises(nps.NpsError, match="freq_multiplier must be a positive, finite number, got 0"):
        nps.value.summary_from_transactions(frame, "customer", "date", freq_multiplier=0)


def test_summary_equals_the_shared_vectors():
    tx = VECTORS["transactions"]
    frame = pd.DataFrame({"customer": tx["customer"], "date": pd.to_datetime(tx["time"], unit="s"),
                          "amount": tx["amount"]})
    for name, e in VECTORS["summaries"].items():
        end = None if e["observation_end"] is None else pd.Timestamp(e["observation_end"], unit="s")
        s = nps.value.summary_from_transactions(frame, "customer", "date", "amount", end, freq=e["freq"],
                                                freq_multiplier=e["freq_multiplier"],
                                                include_first_transaction=e["include_first_transaction"])
        assert list(s.index) == e["customer"], name
        for c in ("frequency", "recency", "T"):
            assert s[c].tolist() == e[c], name
        np.testing.assert_allclose(s["monetary_value"], e["monetary_value"], rtol=1e-12, err_msg=name)


def test_shifted_beta_geometric_reproduces_the_paper():
    for name, e in VECTORS["shifted_beta_geometric"].items():
        model = ShiftedBetaGeometric().fit(e["survivors"][:8])
        assert abs(model.params_["alpha"] - e["published"]["alpha"]) < 5e-4, name
        assert abs(model.params_["beta"] - e["published"]["beta"]) < 5e-4, name
        assert rel(model.params_, [e["alpha"], e["beta"]]) < 1e-6
        assert rel(model.survival(12), e["survival"]) < 1e-6
        for key, derl in e["derl"].items():
            d, n = key.split("_")
            assert abs(model.discounted_expected_residual_lifetime(float(d), int(n)) / derl - 1) < 1e-6
    pooled = ShiftedBetaGeometric().fit([[1000, 631, 468], [800, 500]])
    assert pooled._model.fit_summary.customers == 1800


def test_value_at_risk_and_campaign():
    p = pd.Series([0.5, 0.1, 0.9, 0.0], index=list("abcd"))
    v = [100.0, 1000.0, 10.0, 50.0]
    var = nps.value.value_at_risk(p, v)
    assert var.tolist() == [50.0, 100.0, 9.0, 0.0] and list(var.index) == list("abcd")
    plan = nps.value.plan_campaign(p, v, uplift=0.2, cost=5.0, acceptance_rate=0.5)
    assert list(plan.index) == ["b", "a", "c", "d"]
    assert plan["net_value"].tolist() == [45.0, 5.0, -4.0, -5.0]
    assert plan.attrs["worth_contacting"] == 2 and plan.attrs["total_net_value"] == 50.0


def test_model_files_pickles_and_display(tmp_path, cdnow):
    bg = BetaGeo().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    path = tmp_path / "bg.json"
    bg.save(path)
    back = BetaGeo.load(path)
    f, r, T = cdnow["frequency"], cdnow["recency"], cdnow["T"]
    np.testing.assert_array_equal(back.predict(10, f, r, T), bg.predict(10, f, r, T))
    header = json.loads(path.read_text())
    assert (header["format"], header["version"], header["kind"]) == ("nps.value_model", 1, "beta_geo")
    clone = pickle.loads(pickle.dumps(bg))
    np.testing.assert_array_equal(clone.params_, bg.params_)
    assert "BetaGeo" in bg._repr_html_() and "alpha" in bg._repr_html_()
    assert "fitted with 2,357 customers" in repr(bg)
    sbg = ShiftedBetaGeometric().fit([1000, 631, 468, 382])
    with pytest.raises(nps.NpsError, match="kind"):
        BetaGeo.from_json(sbg.to_json())
    assert ShiftedBetaGeometric.from_json(sbg.to_json()).params_.equals(sbg.params_)
    with pytest.raises(nps.NpsError) as e:
        _ = BetaGeo().params_
    assert e.value.code == "NOT_FITTED"


@pytest.mark.parametrize("call, code, parts", [
    (lambda: BetaGeo().fit([1, -1], [1, 0], [2, 2]), "NEGATIVE", ["frequency[1]"]),
    (lambda: BetaGeo().fit([1, 1], [1, 3], [2, 2]), "OUT_OF_RANGE", ["recency[1] = 3", "T[1] = 2"]),
    (lambda: BetaGeo().fit([0, 1], [1, 1], [2, 2]), "OUT_OF_RANGE", ["recency[0] = 1", "frequency[0] = 0"]),
    (lambda: BetaGeo().fit([1, np.nan], [1, 1], [2, 2]), "MISSING_VALUE", ["frequency[1]"]),
    (lambda: BetaGeo().fit([1, 1], [1], [2, 2]), "LENGTH_MISMATCH", ["recency has 1"]),
    (lambda: BetaGeo().fit([5, 5, 5], [10, 10, 10], [10, 10, 10]), "INVALID_PARAMETER", ["no convergence"]),
    (lambda: GammaGamma().fit([1, 2], [10, 0]), "OUT_OF_RANGE", ["monetary_value[1] = 0"]),
    (lambda: ShiftedBetaGeometric().fit([1000, 600, 650]), "OUT_OF_RANGE", ["survivors[2] = 650"]),
    (lambda: nps.value.value_at_risk([0.5, 1.5], [1, 1]), "OUT_OF_RANGE", ["churn_probability[1] = 1.5"]),
    (lambda: BetaGeo.from_params(1, 1, 1, 1).predict([1, 2], [1], [1], [2]), "INVALID_PARAMETER", ["t must be"]),
    (lambda: BetaGeo.from_params(0.243, 4.414, 0.793, 2.426).conditional_expected_number_of_purchases_up_to_time(
        1e12, [0, 2], [0, 30], [39, 39]), "INVALID_PARAMETER", ["t must be a shorter horizon for customer 0"]),
    (lambda: ShiftedBetaGeometric.from_params(0.7, 1.2).discounted_expected_residual_lifetime(1e-9),
     "INVALID_PARAMETER", ["discount_rate", "1e-5"]),
])
def test_errors_name_the_field_and_row(call, code, parts):
    with pytest.raises(nps.NpsError) as e:
        call()
    assert e.value.code == code
    for p in parts:
        assert p in str(e.value)


def test_fit_releases_the_gil(cdnow):
    import threading

    results = []
    threads = [threading.Thread(target=lambda: results.append(
        BetaGeo().fit(cdnow["frequency"], cdnow["recency"], cdnow["T"]).params_)) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 2 and results[0].equals(results[1])


def test_model_files_in_the_vectors_predict_to_the_bit():
    mf = VECTORS["model_files"]
    c = VECTORS["cdnow"]
    f, r, T, m = (np.asarray(c[k]) for k in ("frequency", "recency", "T", "monetary_value"))
    rows, rep = np.asarray(mf["rows"]), np.asarray(mf["repeat_rows"])
    bg = BetaGeo.from_json(json.dumps(mf["beta_geo"]))
    np.testing.assert_array_equal(bg.predict(10.0, f[rows], r[rows], T[rows]), mf["expected_purchases_10"])
    np.testing.assert_array_equal(bg.conditional_probability_alive(f[rows], r[rows], T[rows]), mf["probability_alive"])
    gg = GammaGamma.from_json(json.dumps(mf["gamma_gamma"]))
    np.testing.assert_array_equal(gg.customer_lifetime_value(bg, f[rep], r[rep], T[rep], m[rep]), mf["clv"])
    sbg = ShiftedBetaGeometric.from_json(json.dumps(mf["shifted_beta_geometric"]))
    np.testing.assert_array_equal(sbg.survival(12), mf["survival_12"])
    assert sbg.discounted_expected_residual_lifetime(0.1, 2) == mf["derl_0.1_2"]


def test_one_customer_as_numbers_like_lifetimes(fitted):
    ours, theirs = fitted
    assert abs(ours.predict(10, 2, 30.43, 38.86) / theirs.predict(10, 2, 30.43, 38.86) - 1) < 1e-5
    curve = ours.predict(np.array([1.0, 10.0, 52.0]), 2, 30.43, 38.86)
    assert curve.shape == (3,) and (np.diff(curve) > 0).all()
    assert abs(ours.conditional_probability_alive(2, 30.43, 38.86)
               / float(np.asarray(theirs.conditional_probability_alive(2, 30.43, 38.86))[0]) - 1) < 1e-5
    assert isinstance(ours.conditional_probability_alive(0, 0, 10), float)
