"""NPS statistics from Python: the shared vectors, input types, errors, and agreement with
pandas/numpy computed side by side."""

import math
import pickle

import numpy as np
import pandas as pd
import pytest

import nps


def options(case):
    kw = {}
    if case.get("breaks"):
        kw["scale"] = nps.Scale.from_breaks(case["breaks"])
    for key in ("non_integer", "missing"):
        if key in case:
            kw[key] = case[key]
    return kw


def tally(case):
    return nps.Tally.from_scores(case["scores"], case.get("weights"), **options(case))


def test_vector_tallies(survey_vectors):
    for case in survey_vectors["tallies"]:
        t = tally(case)
        assert list(t.counts) == case["counts"], case["name"]
        assert t.skipped == case["skipped"]
        for field in ("nps", "se", "effective_n"):
            assert getattr(t, field) == pytest.approx(case[field], abs=case["tol"]), (case["name"], field)


def test_vector_intervals(survey_vectors):
    for case in survey_vectors["intervals"]:
        t = nps.Tally.from_counts(*case["counts"])
        prior = tuple(case["prior"]) if case.get("prior") else None
        i = t.interval(method=case["method"], level=case["level"], prior=prior)
        for field, want in case["expect"].items():
            assert getattr(i, field) == pytest.approx(want, abs=case["tol"]), (case["name"], field)


def test_vector_comparisons(survey_vectors):
    for case in survey_vectors["comparisons"]:
        c = nps.compare(nps.Tally.from_counts(*case["a"]), nps.Tally.from_counts(*case["b"]), method=case["method"], level=case["level"])
        for field, want in case["expect"].items():
            assert getattr(c, field) == pytest.approx(want, abs=case["tol"]), (case["name"], field)
    for case in survey_vectors["prob_greater"]:
        p = nps.prob_greater(nps.Tally.from_counts(*case["a"]), nps.Tally.from_counts(*case["b"]), prior=tuple(case["prior"]))
        assert p == pytest.approx(case["expect"], abs=case["tol"]), case["name"]


def test_vector_sample_sizes(survey_vectors):
    for case in survey_vectors["sample_sizes"]:
        shares = nps.PlanningShares(*case["shares"]) if case.get("shares") else None
        assert nps.sample_size(case["margin"], level=case["level"], shares=shares, population=case.get("population")) == case["expect"]
    for case in survey_vectors["sample_sizes_difference"]:
        assert nps.sample_size_difference(case["difference"], level=case["level"], power=case["power"]) == case["expect"]


def test_vector_errors(survey_vectors):
    for case in survey_vectors["errors"]:
        with pytest.raises(nps.NpsError) as err:
            tally(case)
        assert str(err.value).startswith(case["message"]), case["name"]
        assert err.value.code == case["code"]
        assert isinstance(err.value, ValueError)
    t = nps.Tally.from_counts(1, 2, 3)
    for level in survey_vectors["bad_levels"]:
        with pytest.raises(nps.NpsError, match="level must be strictly between 0 and 1"):
            t.interval(level=level)


@pytest.mark.parametrize("dtype", ["uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64", "float16", "float32", "float64"])
def test_every_numeric_dtype(dtype):
    scores = np.array([0, 7, 7, 9, 9, 9, 10, 3], dtype=dtype)
    assert nps.Tally.from_scores(scores).counts == (2, 2, 4)


def test_lists_series_and_strided_arrays():
    base = nps.Tally.from_scores([0, 7, 9, 10])
    assert nps.Tally.from_scores(pd.Series([0, 7, 9, 10])) == base
    assert nps.Tally.from_scores(pd.Series([0, 7, 9, 10], dtype="Int64")) == base
    assert nps.Tally.from_scores(np.array([0, 99, 7, 99, 9, 99, 10, 99], dtype=np.uint8)[::2]) == base
    assert nps.Tally.from_scores((0, 7, 9, 10)) == base
    skipped = nps.Tally.from_scores(pd.Series([0, None, 7, 9, 10], dtype="Int64"), missing="skip")
    assert skipped.counts == base.counts and skipped.skipped == 1


def test_bad_inputs_name_index_and_value():
    cases = [
        ([], "scores is empty"),
        ([9, float("nan")], r"scores\[1\] is missing"),
        ([9, -1], r"scores\[1\] = -1 is outside the scale 0..=10"),
        (np.array([9, 11], dtype=np.uint8), r"scores\[1\] = 11 is outside"),
        ([6.5], r"scores\[0\] = 6.5 is not a whole number"),
        (["a", 9], r"scores\[0\] = 'a' is not a number"),
        ([[1, 2]], "one-dimensional"),
    ]
    for scores, message in cases:
        with pytest.raises(nps.NpsError, match=message):
            nps.Tally.from_scores(scores)
    with pytest.raises(nps.NpsError, match="weights has 1 elements but scores has 2"):
        nps.Tally.from_scores([1, 2], [1.0])
    with pytest.raises(nps.NpsError, match=r"weights\[1\] = -2 is negative"):
        nps.Tally.from_scores([1, 2], [1.0, -2.0])
    with pytest.raises(nps.NpsError, match='unknown interval method "exact"'):
        nps.Tally.from_counts(1, 1, 1).interval(method="exact")
    with pytest.raises(nps.NpsError, match='unknown missing policy "drop"'):
        nps.Tally.from_scores([1], missing="drop")


def test_scale_policies_and_merge():
    five = nps.Scale(1, 3, 4, 5)
    assert nps.Tally.from_scores([1, 2, 3, 4, 5, 5], scale=five).counts == (3, 1, 2)
    assert nps.Tally.from_scores([6.5, 8.5], non_integer="right_closed").counts == (0, 1, 1)
    assert five.category(4) == "passive"
    a, b = nps.Tally.from_counts(1, 2, 3), nps.Tally.from_counts(4, 5, 6)
    assert (a + b).counts == (5, 7, 9) == a.merge(b).counts


def test_results_are_immutable_picklable_and_readable():
    t = nps.Tally.from_scores([0, 9, 10], [1.0, 2.0, 0.5])
    assert pickle.loads(pickle.dumps(t)) == t
    assert pickle.loads(pickle.dumps(nps.Scale(1, 3, 4, 5))) == nps.Scale(1, 3, 4, 5)
    with pytest.raises(AttributeError):
        t.nps = 3
    assert repr(nps.Tally.from_counts(20, 30, 50)) == "Tally(detractors=20, passives=30, promoters=50, nps=30.00, se=7.81)"
    i = nps.Tally.from_counts(20, 30, 50).interval("wald")
    assert i.to_dict() == {"method": "wald", "level": 0.95, "low": i.low, "high": i.high, "center": 30.0, "se": i.se}
    assert i.clipped().low == i.low and nps.Tally.from_counts(0, 0, 3).interval().clipped().high == 100.0
    c = nps.compare(nps.Tally.from_counts(20, 30, 50), nps.Tally.from_counts(30, 30, 40))
    assert c.to_dict()["direction"] == 0 and "p_value=0.0794" in repr(c)


def test_weighted_matches_numpy_linearisation():
    rng = np.random.default_rng(3)
    s = rng.integers(0, 11, 5000)
    w = rng.gamma(2.0, 1.0, 5000)
    y = np.where(s <= 6, -1.0, np.where(s <= 8, 0.0, 1.0))
    ybar = np.sum(w * y) / w.sum()
    se = np.sqrt(np.sum(w**2 * (y - ybar) ** 2)) / w.sum()
    t = nps.Tally.from_scores(s, w)
    assert t.nps == pytest.approx(100 * ybar, abs=1e-9)
    assert t.se == pytest.approx(100 * se, abs=1e-9)
    assert t.effective_n == pytest.approx(w.sum() ** 2 / np.sum(w**2), rel=1e-12)


def test_breakdown_matches_pandas_groupby():
    rng = np.random.default_rng(5)
    df = pd.DataFrame({"score": rng.integers(0, 11, 3000), "region": rng.choice(["north", "south", "east"], 3000)})
    out = nps.breakdown(df["score"], df["region"])
    cat = pd.cut(df["score"], [-1, 6, 8, 10], labels=["d", "p", "q"])
    counts = pd.crosstab(df["region"], cat)
    expected = 100 * (counts["q"] - counts["d"]) / counts.sum(axis=1)
    assert list(out.index) == ["east", "north", "south"]
    assert np.allclose(out.loc[expected.index, "nps"], expected, atol=1e-12)
    assert (out["detractors"] == counts["d"]).all() and (out["n"] == counts.sum(axis=1)).all()
    for row in out.itertuples():
        i = nps.Tally.from_counts(row.detractors, row.passives, row.promoters).interval()
        assert (row.low, row.high) == pytest.approx((i.low, i.high), abs=1e-12)
    with pytest.raises(nps.NpsError, match="segments has 2 elements but scores has 3"):
        nps.breakdown([1, 2, 3], ["a", "b"])
    with pytest.raises(nps.NpsError, match=r"segments\[1\] is missing"):
        nps.breakdown([1, 2], ["a", None])


def test_trend_matches_pandas_resample_and_flags_changes():
    rng = np.random.default_rng(9)
    n = 4000
    ts = pd.Timestamp("2026-01-01", tz="UTC") + pd.to_timedelta(rng.integers(0, 180 * 86400, n), unit="s")
    month = ts.tz_convert(None).to_period("M")
    score = np.where(month.month >= 4, rng.integers(5, 11, n), rng.integers(0, 11, n))
    out = nps.trend(score, pd.Series(ts), period="month")
    y = pd.Series(np.where(score <= 6, -1.0, np.where(score <= 8, 0.0, 1.0)))
    expected = 100 * y.groupby(month.astype(str)).mean()
    assert list(out.index) == list(expected.index)
    assert np.allclose(out["nps"], expected.values, atol=1e-12)
    assert math.isnan(out["diff"].iloc[0]) and out["direction"].iloc[0] == 0
    # April's jump is significant upwards; nothing else changes.
    assert out.loc["2026-04", "direction"] == 1
    assert (out.drop(index="2026-04")["direction"] == 0).all()
    c = nps.compare(
        nps.Tally.from_counts(*out.loc["2026-04", ["detractors", "passives", "promoters"]]),
        nps.Tally.from_counts(*out.loc["2026-03", ["detractors", "passives", "promoters"]]),
    )
    assert out.loc["2026-04", "p_value"] == pytest.approx(c.p_value, abs=1e-15)
    assert out["start"].iloc[0] == np.datetime64("2026-01-01T00:00:00")
    weeks = nps.trend(score, ts.tz_convert(None).values, period="week")
    assert weeks.index[0] == "2026-W01" and weeks["n"].sum() == n
    with pytest.raises(nps.NpsError, match=r"timestamps\[1\] is missing"):
        nps.trend([1, 2], pd.Series(pd.to_datetime(["2026-01-01", None])))
    with pytest.raises(nps.NpsError, match='unknown period "year"'):
        nps.trend([1], [0], period="year")


def test_dict_of_columns_without_pandas(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_pandas(name, *args, **kwargs):
        if name == "pandas":
            raise ImportError("pandas hidden for this test")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pandas)
    out = nps.breakdown(np.array([9, 10, 3, 7], dtype=np.uint8), np.array(["web", "web", "shop", "shop"]))
    assert isinstance(out, dict)
    assert out["segment"] == ["shop", "web"] and out["nps"] == [-50.0, 100.0]
    out = nps.trend([9, 3], np.array(["2026-01-05", "2026-02-05"], dtype="datetime64[s]"))
    assert out["period"] == ["2026-01", "2026-02"]


def test_validate_scores_reports_every_bad_answer_at_once():
    answers = pd.Series([9, 11, None, 6.5, "n/a", 10, -1, 3], index=[f"r{i}" for i in range(8)], dtype=object)
    with pytest.raises(nps.NpsError, match=r"scores\[1\] = 11 is outside the scale 0..=10"):
        nps.Tally.from_scores(pd.to_numeric(answers, errors="coerce"))  # the first one only
    report = nps.validate_scores(answers)
    assert list(report.index) == ["r1", "r2", "r3", "r4", "r6"]
    assert list(report["position"]) == [1, 2, 3, 4, 6]
    assert list(report["problem"]) == ["out_of_range", "missing", "non_integer", "not_a_number", "out_of_range"]
    assert report["value"].iloc[0] == 11.0 and pd.isna(report["value"].iloc[1]) and report["value"].iloc[3] == "n/a"
    assert report.loc["r6", "message"] == "scores[6] = -1 is outside the scale 0..=10"
    assert report.loc["r4", "message"] == "scores[4] = 'n/a' is not a number"
    assert report.attrs["n"] == 8
    # Binning fractions, 6.5 is no longer a problem; a clean column reports nothing.
    assert "non_integer" not in set(nps.validate_scores(answers, non_integer="right_closed")["problem"])
    assert len(nps.validate_scores(np.array([0, 5, 10], dtype=np.uint8))) == 0
    assert list(nps.validate_scores([3, 12], scale=nps.Scale(1, 6, 8, 10))["position"]) == [1]


def test_out_of_range_skip_is_deliberate_and_counted():
    scores = np.array([9, 11, 10, -1, 3, 7, 99], dtype=np.int64)
    with pytest.raises(nps.NpsError, match=r"scores\[1\] = 11 is outside") as e:
        nps.Tally.from_scores(scores)
    assert e.value.code == "OUT_OF_RANGE"
    for s in (scores, scores.astype(np.uint8).clip(0, 200), scores.astype(float), list(scores)):
        t = nps.Tally.from_scores(s, out_of_range="skip")
        assert t.counts == (1, 1, 2) and t.out_of_range == 3 and t.to_dict()["out_of_range"] == 3
    t = nps.Tally.from_scores([9.0, np.nan, 12.0], missing="skip", out_of_range="skip")
    assert (t.n, t.skipped, t.out_of_range) == (1, 1, 1)
    assert pickle.loads(pickle.dumps(t)) == t and pickle.loads(pickle.dumps(t)).out_of_range == 1
    with pytest.raises(nps.NpsError, match="after skipping answers off the scale"):
        nps.Tally.from_scores([11, 12], out_of_range="skip")
    with pytest.raises(nps.NpsError, match=r'unknown out-of-range policy "drop"'):
        nps.Tally.from_scores([1], out_of_range="drop")
    by = nps.breakdown([9, 11, 3, 12, 10], ["a", "a", "b", "b", "b"], out_of_range="skip")
    assert list(by["out_of_range"]) == [1, 1] and list(by["n"]) == [1, 2]
    dates = pd.to_datetime(["2026-01-03", "2026-01-04", "2026-02-01"])
    assert list(nps.trend([9, 11, 3], dates, out_of_range="skip")["out_of_range"]) == [1, 0]


def test_breakdown_by_several_keys_and_missing_segments_on_request():
    df = pd.DataFrame({
        "score": [9, 10, 3, 7, 9, 0, 8, 10, 6],
        "plan": ["prepaid", "prepaid", "contract", "contract", "prepaid", "contract", None, "contract", np.nan],
        "region": ["north", "south", "north", "north", "north", "south", "south", "south", "north"],
    })
    with pytest.raises(nps.NpsError, match=r"segments\[6\] is missing \(dropna=False keeps") as e:
        nps.breakdown(df["score"], df["plan"])
    assert e.value.code == "MISSING_VALUE"
    kept = nps.breakdown(df["score"], df["plan"], dropna=False)
    assert kept.index.name == "segment" and list(kept.index[:2]) == ["contract", "prepaid"] and pd.isna(kept.index[2])
    assert list(kept["n"]) == [4, 3, 2] and kept["nps"].iloc[2] == -50.0   # 8 and 6: a passive and a detractor
    dropped = nps.breakdown(df["score"], df["plan"], dropna=True)
    assert list(dropped.index) == ["contract", "prepaid"] and dropped.attrs["dropped"] == 2
    # Several keys: one row per combination, as pandas' groupby.
    both = nps.breakdown(df["score"], df[["plan", "region"]], dropna=False)
    assert both.index.names == ["plan", "region"]
    want = df.assign(plan=df["plan"].astype(object)).groupby(["plan", "region"], dropna=False)["score"].agg(
        lambda s: 100 * ((s >= 9).mean() - (s <= 6).mean()))
    assert len(both) == len(want)
    for key, nps_value in want.items():
        got = both.loc[[k for k in both.index if all((a == b) or (pd.isna(a) and pd.isna(b)) for a, b in zip(k, key))][0]]
        assert got["nps"] == pytest.approx(nps_value, abs=1e-9)
    same = nps.breakdown(df["score"], [df["plan"], df["region"]], dropna=True)
    assert same.index.names == ["plan", "region"] and len(same) == 4 and same["n"].sum() == 7


def test_trend_takes_iso_strings_as_features_md_promises():
    scores = [9, 10, 3, 7, 9, 0]
    iso = ["2026-01-03", "2026-01-20T12:00:00", "2026-01-31T23:30:00-02:00", "2026-02-02", "2026-02-10T08:00:00Z",
           "2026-03-01"]
    by_month = nps.trend(scores, iso)
    # The offset moves 31 January 23:30 at -02:00 to 1 February UTC.
    assert list(by_month.index) == ["2026-01", "2026-02", "2026-03"] and list(by_month["n"]) == [2, 3, 1]
    same = nps.trend(scores, pd.Series(iso), period="month")
    assert same.equals(by_month)
    mixed = nps.trend(scores, [pd.Timestamp("2026-01-03"), *iso[1:]])
    assert list(mixed["n"]) == [2, 3, 1]
    with pytest.raises(nps.NpsError, match=r"timestamps\[2\] = 'soon' is not a time") as e:
        nps.trend([1, 2, 3], ["2026-01-01", "2026-01-02", "soon"])
    assert e.value.code == "INVALID_PARAMETER"
    with pytest.raises(nps.NpsError, match=r"timestamps\[1\] is missing"):
        nps.trend([1, 2], ["2026-01-01", None])
