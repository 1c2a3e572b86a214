"""nps.monitor against numpy, scipy and scikit-learn, the shared vector
(tests/vectors/monitor.json) to the bit, an injected drift, and bad input."""

import json
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import ks_2samp
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

import nps
from nps import monitor

VECTORS = json.loads((Path(__file__).parents[1] / "vectors" / "monitor.json").read_text())


def _column(c):
    if c["kind"] == "numeric":
        return np.array([np.nan if v is None else v for v in c["values"]], dtype=float)
    return pd.Series(c["values"], dtype=object)


def _frame(cols):
    return pd.DataFrame({c["name"]: _column(c) for c in cols})


def psi_by_hand(ref, cur, bins=10, eps=1e-4):
    r = ref[~np.isnan(ref)]
    edges = np.unique(np.quantile(r, np.arange(1, bins) / bins))

    def shares(x):
        ok = x[~np.isnan(x)]
        counts = np.bincount(np.searchsorted(edges, ok, side="left"), minlength=len(edges) + 1)
        return np.append(counts, np.isnan(x).sum()) / len(x)

    a, b = shares(ref), shares(cur)
    a, b = np.where(a == 0, eps, a), np.where(b == 0, eps, b)
    return float(np.sum((b - a) * np.log(b / a)))


# ---------------------------------------------------------------- drift


def test_vector_drift_to_the_bit():
    v = VECTORS["drift"]
    report = monitor.drift(_frame(v["reference"]), _frame(v["current"]), bins=v["bins"])
    assert json.loads(report.to_json()) == v["report"]
    summary = monitor.ReferenceSummary.from_json(json.dumps(v["summary"]))
    assert json.loads(monitor.drift(summary, _frame(v["current"])).to_json()) == v["report_from_summary"]
    for name, e in v["expected"].items():
        assert report.loc[name, "psi"] == pytest.approx(e["psi"], abs=1e-12)
        if "ks" in e:
            assert report.loc[name, "ks"] == e["ks"]  # scipy's statistic, to the bit


def test_psi_by_hand_and_ks_against_scipy():
    rng = np.random.default_rng(5)
    ref = np.round(rng.lognormal(3, 1, 20_000), 1)
    ref[rng.choice(ref.size, 500, replace=False)] = np.nan
    cur = np.round(rng.lognormal(3.1, 1.1, 15_000), 1)
    cur[:1200] = np.nan
    for bins in (5, 10, 20):
        r = monitor.drift(pd.DataFrame({"x": ref}), pd.DataFrame({"x": cur}), bins=bins)
        assert r.loc["x", "psi"] == pytest.approx(psi_by_hand(ref, cur, bins), rel=1e-12, abs=1e-15)
        want = ks_2samp(ref[~np.isnan(ref)], cur[~np.isnan(cur)])
        assert r.loc["x", "ks"] == want.statistic
    assert r.loc["x", "missing_rate_change"] == pytest.approx(1200 / 15_000 - 500 / 20_000, abs=1e-15)
    d, p = monitor.ks_2samp(ref, cur)
    assert d == ks_2samp(ref[~np.isnan(ref)], cur[~np.isnan(cur)]).statistic
    from scipy.stats import kstwobign

    n1, n2 = (~np.isnan(ref)).sum(), (~np.isnan(cur)).sum()
    assert p == pytest.approx(kstwobign.sf(d * np.sqrt(n1 * n2 / (n1 + n2))), rel=1e-10)


def test_identical_windows_and_categories():
    df = pd.DataFrame({"x": [1.0, 2.0, np.nan, 4.0] * 10, "c": ["a", "b", None, "a"] * 10})
    r = monitor.drift(df, df)
    assert (r["psi"] == 0).all() and r.loc["x", "ks"] == 0 and r.worst == "none" and r.drifted == []
    cur = pd.DataFrame({"x": [1.0] * 8, "c": ["a", "z", None, None, "a", "a", "z", "a"]})
    r = monitor.drift(df, cur)
    assert r.loc["c", "new_categories"] == ["z"] and r.loc["c", "vanished_categories"] == ["b"]
    a = np.array([0.5, 0.25, 0.25])  # a, b, missing; then z
    b = np.array([4 / 8, 0, 2 / 8])
    ref = np.append(a, 0)
    now = np.append(b, 2 / 8)
    ref, now = np.where(ref == 0, 1e-4, ref), np.where(now == 0, 1e-4, now)
    assert r.loc["c", "psi"] == pytest.approx(np.sum((now - ref) * np.log(now / ref)), abs=1e-14)
    bins = r.bins("c")
    assert list(bins.index) == ["a", "b", "z", "missing"]
    assert monitor.psi([0.5, 0.5], [0.5, 0.5]) == 0.0


def test_injected_drift_is_flagged_and_stable_inputs_are_not():
    rng = np.random.default_rng(11)
    n = 50_000

    def window(shifted):
        return pd.DataFrame({
            "tenure": rng.gamma(2, 12, n) * (1.5 if shifted else 1.0),
            "bill": rng.normal(60, 15, n),
            "calls": rng.poisson(2 + (2 if shifted else 0), n).astype(float),
            "support": rng.poisson(1, n).astype(float),
            "plan": rng.choice(["basic", "plus", "pro"], n, p=[0.2, 0.3, 0.5] if shifted else [0.5, 0.3, 0.2]),
            "region": rng.choice(["n", "s", "e", "w"], n),
            "score": rng.beta(2, 5, n),
        })

    ref, cur = window(False), window(True)
    r = monitor.drift(ref, cur)
    assert set(r.drifted) == {"tenure", "calls", "plan"}
    assert r.loc["tenure", "severity"] in ("moderate", "major") and r.loc["calls", "severity"] == "major"
    for stable in ("bill", "support", "region", "score"):
        assert r.loc[stable, "severity"] == "none" and r.loc[stable, "psi"] < 0.01
    # The same from a saved summary.
    s = monitor.reference_summary(ref)
    again = monitor.drift(monitor.ReferenceSummary.from_json(s.to_json()), cur)
    assert set(again.drifted) == set(r.drifted) and not again.ks_exact
    assert np.allclose(again["psi"], r["psi"], rtol=0, atol=0)
    assert (r["ks"] - again["ks"]).abs().max() <= 0.011
    html = r._repr_html_()
    assert "Drift report" in html and "tenure" in html and "major" in html
    doc = json.loads(r.to_json())
    assert doc["inputs"][0]["input"] == "tenure" and doc["ks_exact"] is True
    # The report is a DataFrame indexed by input; what is cut from it is a plain one.
    assert isinstance(r, pd.DataFrame) and r.index.name == "input"
    assert list(r.index) == list(ref.columns) and {"psi", "ks", "severity"} <= set(r.columns)
    top = r.sort_values("psi", ascending=False).head(3)
    assert type(top) is pd.DataFrame and set(top.index) == {"calls", "plan", "tenure"}
    assert type(r[r["severity"] != "none"]) is pd.DataFrame
    assert json.loads(r.to_json(orient="index"))["bill"]["severity"] == "none"   # pandas' own, when asked
    again = pickle.loads(pickle.dumps(r))
    assert again.drifted == r.drifted and again.to_json() == r.to_json()


def test_thresholds_are_options():
    rng = np.random.default_rng(2)
    ref = pd.DataFrame({"x": rng.normal(size=10_000)})
    cur = pd.DataFrame({"x": rng.normal(0.2, size=10_000)})
    r = monitor.drift(ref, cur)
    psi = r.loc["x", "psi"]
    assert monitor.drift(ref, cur, moderate=psi / 2, major=psi * 2).loc["x", "severity"] == "moderate"
    assert monitor.drift(ref, cur, moderate=psi / 3, major=psi / 2).loc["x", "severity"] == "major"


# ---------------------------------------------------------------- performance and DeLong


def test_vector_performance_to_the_bit():
    v = VECTORS["performance"]
    frame = monitor.performance(np.array(v["y"]), np.array(v["p"]), v["period"])
    rows = {r["period"]: r for r in v["rows"]}
    for period, row in frame.iterrows():
        want = rows[period]
        for k, val in row.items():
            got = want[k]
            assert (val == got) or (got is None and np.isnan(val)), (period, k)
        assert row["auc"] == pytest.approx(v["expected"][period]["auc"], abs=1e-12)
        assert row["brier"] == pytest.approx(v["expected"][period]["brier"], abs=1e-15)
    assert list(frame.index) == ["2024-01", "2024-02", "2024-03"]
    assert frame["calibration_drift"].tolist() == [False, False, True]  # March churns more than predicted


def test_performance_against_scikit_learn():
    rng = np.random.default_rng(3)
    n = 3000
    period = rng.choice(["q1", "q2", "q3", "q4"], n)
    p = rng.uniform(0.01, 0.99, n)
    y = (rng.uniform(size=n) < p).astype(int)
    f = monitor.performance(y, p, period, order=["q4", "q3", "q2", "q1"])
    assert list(f.index) == ["q4", "q3", "q2", "q1"]
    for q in f.index:
        m = period == q
        assert f.loc[q, "auc"] == pytest.approx(roc_auc_score(y[m], p[m]), abs=1e-12)
        assert f.loc[q, "count"] == m.sum() and f.loc[q, "events"] == y[m].sum()
        lr = LogisticRegression(C=1e12, tol=1e-12, max_iter=10_000).fit(np.log(p[m] / (1 - p[m]))[:, None], y[m])
        assert f.loc[q, "calibration_slope"] == pytest.approx(lr.coef_[0, 0], abs=1e-6)
        assert f.loc[q, "auc_lower"] < f.loc[q, "auc"] < f.loc[q, "auc_upper"]
        top = np.argsort(-p[m], kind="stable")[: int(np.ceil(m.sum() / 10))]
        assert f.loc[q, "top_lift"] == pytest.approx(y[m][top].mean() / y[m].mean(), rel=1e-12)
    # The documented rule, by hand (q3's 3.1 points at z = 2.1 is a chance flag of a calibrated model).
    z = 1.959963984540054
    citl = (f["citl_z"].abs() > z) & (f["calibration_in_the_large"].abs() >= 0.02)
    slope = ((f["calibration_slope"] - 1).abs() / f["calibration_slope_se"] > z) & (
        (f["calibration_slope"] < 0.8) | (f["calibration_slope"] > 1.25))
    assert (f["calibration_drift"] == (citl | slope)).all()
    assert f["calibration_drift"].tolist() == [False, True, False, False]


def test_delong_published_example_and_brute_force():
    h = VECTORS["delong"]["hanley_mcneil"]
    r = monitor.auc_interval(np.array(h["y"]), np.array(h["score"]))
    # Hanley & McNeil (1982) ratings; Stata [R] roctab example 1: 0.8932, 0.0307, 0.83295-0.95339.
    for k, digits in (("auc", 4), ("se", 4), ("lower", 5), ("upper", 5)):
        assert round(r[k], digits) == h["published"][k]
        assert r[k] == h["core"][k]
    v = VECTORS["delong"]["paired"]
    y, a, b = (np.array(v[k]) for k in ("y", "score_a", "score_b"))
    t = monitor.delong_test(y, a, b)
    assert t == v["core"]
    assert t["auc_a"] == pytest.approx(roc_auc_score(y, a), abs=1e-15)
    # Brute force: placement values pair by pair, DeLong's covariance matrix.
    pos, neg = y == 1, y == 0

    def place(s):
        x, z = s[pos][:, None], s[neg][None, :]
        psi = (x > z) + 0.5 * (x == z)
        return psi.mean(axis=1), psi.mean(axis=0)

    (a10, a01), (b10, b01) = place(a), place(b)
    s10 = np.cov(np.vstack([a10, b10]))
    s01 = np.cov(np.vstack([a01, b01]))
    s = s10 / pos.sum() + s01 / neg.sum()
    se = np.sqrt(s[0, 0] + s[1, 1] - 2 * s[0, 1])
    assert t["se"] == pytest.approx(se, rel=1e-12)
    assert t["z"] == pytest.approx((a10.mean() - b10.mean()) / se, rel=1e-12)
    from scipy.stats import norm

    assert t["p_value"] == pytest.approx(2 * norm.sf(abs(t["z"])), rel=1e-10)


# ---------------------------------------------------------------- recalibration


def test_isotonic_against_scikit_learn():
    v = VECTORS["recalibration"]
    p, y, w, new = (np.array(v[k]) for k in ("p", "y", "weights", "new_p"))
    ours = monitor.Recalibrator("isotonic").fit(p, y, sample_weight=w)
    assert ours.predict(new).tolist() == v["isotonic"]["core"]
    assert np.allclose(ours.predict(new), v["isotonic"]["sklearn"], rtol=0, atol=1e-12)
    rng = np.random.default_rng(8)
    for _ in range(5):
        p = np.round(rng.uniform(size=300), 2)
        y = (rng.uniform(size=300) < p).astype(float)
        w = rng.uniform(0, 2, 300)
        sk = IsotonicRegression(out_of_bounds="clip").fit(p, y, sample_weight=w)
        ours = monitor.Recalibrator("isotonic").fit(p, y, sample_weight=w)
        grid = np.linspace(-0.2, 1.2, 97)
        assert np.allclose(ours.predict(np.clip(grid, 0, 1)), sk.predict(np.clip(grid, 0, 1)), atol=1e-12)
        assert np.all(np.diff(ours.predict(np.linspace(0, 1, 101))) >= 0)
        assert np.allclose(ours.X_thresholds_, sk.X_thresholds_) and np.allclose(ours.y_thresholds_, sk.y_thresholds_)


def test_platt_against_scikit_learn_and_saved():
    v = VECTORS["recalibration"]
    p, y, new = (np.array(v[k]) for k in ("p", "y", "new_p"))
    ours = monitor.Recalibrator("platt").fit(p, y)
    assert ours.intercept_ == pytest.approx(v["platt"]["sklearn_intercept"], abs=1e-7)
    assert ours.slope_ == pytest.approx(v["platt"]["sklearn_slope"], abs=1e-7)
    assert ours.predict(new).tolist() == v["platt"]["core"]
    back = monitor.Recalibrator.from_json(ours.to_json())
    assert back.predict(new).tolist() == v["platt"]["core"] and back.method == "platt"
    assert json.loads(ours.to_json()) == v["platt"]["json"]


# ---------------------------------------------------------------- mistakes


def _code(excinfo):
    return excinfo.value.code


def test_bad_input_names_field_and_index():
    y = np.array([0.0, 1.0, 0.0, 1.0, 1.0, 0.0])
    p = np.array([0.1, 0.8, 0.3, 0.6, 0.7, 0.2])
    period = ["a"] * 6
    with pytest.raises(nps.NpsError) as e:
        monitor.performance(np.array([]), np.array([]), [])
    assert _code(e) == "EMPTY"
    with pytest.raises(nps.NpsError) as e:
        monitor.performance(np.array([0.0, np.nan, 1.0]), p[:3], period[:3])
    assert _code(e) == "MISSING_VALUE" and "y[1]" in str(e.value)
    with pytest.raises(nps.NpsError) as e:
        monitor.performance(y, p[:5], period)
    assert _code(e) == "LENGTH_MISMATCH" and "p has 5" in str(e.value)
    with pytest.raises(nps.NpsError) as e:
        monitor.performance(y, p, ["a", "b", "c", "a", "b", "x"], order=["a", "b", "c"])
    assert _code(e) == "UNKNOWN_VALUE" and "period[5]" in str(e.value) and '"x"' in str(e.value)
    with pytest.raises(nps.NpsError) as e:
        monitor.delong_test(y, p, np.append(p[:5], np.nan))
    assert _code(e) == "MISSING_VALUE" and "score_b[5]" in str(e.value)
    with pytest.raises(nps.NpsError) as e:
        monitor.drift(pd.DataFrame({"x": [1.0, 2.0]}), pd.DataFrame({"y": [1.0]}))
    assert _code(e) == "UNKNOWN_VALUE" and '"x"' in str(e.value)
    with pytest.raises(nps.NpsError) as e:
        monitor.drift(pd.DataFrame({"x": [1.0, 2.0]}), pd.DataFrame({"x": ["a", "b"]}))
    assert _code(e) == "INVALID_PARAMETER" and 'current["x"]' in str(e.value)
    with pytest.raises(nps.NpsError) as e:
        monitor.drift(pd.DataFrame({"x": [1.0]}), pd.DataFrame({"x": [1.0]}), bins=0)
    assert _code(e) == "INVALID_PARAMETER" and "bins" in str(e.value)
    with pytest.raises(nps.NpsError) as e:
        monitor.Recalibrator("spline").fit(p, y)
    assert _code(e) == "UNKNOWN_VALUE"
    with pytest.raises(nps.NpsError) as e:
        monitor.Recalibrator("platt").predict(p)
    assert _code(e) == "NOT_FITTED"
    with pytest.raises(nps.NpsError) as e:
        monitor.Recalibrator("platt").fit(np.append(p[:5], 1.5), y)
    assert _code(e) == "OUT_OF_RANGE" and "p[5]" in str(e.value)
    with pytest.raises(nps.NpsError) as e:
        monitor.ReferenceSummary.from_json('{"format": "nps.monitor_reference", "version": 9}')
    assert _code(e) == "INVALID_PARAMETER" and "version" in str(e.value)
