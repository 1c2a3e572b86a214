"""nps.plot: each plot is rendered to PNG (Agg) and its Axes hold exactly the numbers of the
table it was given (which come from the core); bad input errors clearly; without matplotlib
``import nps`` works and a plot says what to install."""

import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.image
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection
from matplotlib.patches import Rectangle
from scipy.stats import binomtest

import nps
import nps.plot


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def base():
    return nps.synth.generate(customers=4_000, seed=5)


@pytest.fixture(scope="module")
def scored(base):
    X = nps.features.retention(base.events, as_of=base.as_of)
    y = base.labels["churned"]
    model = nps.ChurnModel().fit(X, y)
    return X, y, model, model.churn_probability(X)


def rendered(ax, tmp_path, name):
    """Saves the figure as PNG and checks it is a real picture (not blank)."""
    path = tmp_path / f"{name}.png"
    ax.figure.savefig(path, dpi=60)
    image = matplotlib.image.imread(path)
    assert image.ndim == 3 and image.shape[0] > 100 and image.shape[1] > 100
    assert image.std() > 0.05, "the picture is blank"
    return image


def bars(ax):
    return [p for p in ax.patches if isinstance(p, Rectangle)]


def line(ax, label):
    found = [ln for ln in ax.get_lines() if ln.get_label() == label]
    assert len(found) == 1, [ln.get_label() for ln in ax.get_lines()]
    return found[0]


def interval_segments(ax):
    """(position, low, high) of each segment of the interval LineCollection."""
    collections = [c for c in ax.collections if isinstance(c, LineCollection) and c.get_label() == "_interval"]
    assert len(collections) == 1
    return [tuple(s) for s in collections[0].get_segments()]


def shifting_survey():
    """Three months: middling, then clearly better (significant rise), then clearly worse
    (significant fall), then the same (no marker)."""
    months = pd.to_datetime(["2026-01-15", "2026-02-15", "2026-03-15", "2026-04-15"])
    blocks = [[0] * 30 + [8] * 40 + [10] * 30, [0] * 10 + [8] * 30 + [10] * 60,
              [0] * 45 + [8] * 30 + [10] * 25, [0] * 44 + [8] * 31 + [10] * 25]
    scores = np.concatenate(blocks)
    times = np.repeat(months.values, [len(b) for b in blocks])
    return scores, times


def test_trend_line_band_and_significance_markers(tmp_path):
    scores, times = shifting_survey()
    t = nps.trend(scores, times, "month")
    assert t["direction"].tolist() == [0, 1, -1, 0]
    ax = nps.plot.trend(t)
    rendered(ax, tmp_path, "trend")
    main = line(ax, "NPS")
    np.testing.assert_array_equal(main.get_ydata(), t["nps"].to_numpy())
    np.testing.assert_array_equal(np.asarray(main.get_xdata(), dtype="datetime64[s]"), t["start"].to_numpy())
    # The band's polygon runs along the interval columns: its y-values are exactly low and high.
    band = [c for c in ax.collections if c.get_label() == "interval"]
    assert len(band) == 1
    ys = band[0].get_paths()[0].vertices[:, 1]
    expected = np.concatenate([t["low"], t["high"]])
    assert set(np.round(ys, 9)) == set(np.round(expected, 9))
    up, down = line(ax, "significant rise"), line(ax, "significant fall")
    assert list(up.get_ydata()) == [t["nps"].iloc[1]] and up.get_marker() == "^"
    assert list(down.get_ydata()) == [t["nps"].iloc[2]] and down.get_marker() == "v"
    assert ax.get_ylabel() == "NPS (points)"
    # Raw inputs draw the same frame.
    again = nps.plot.trend(scores=scores, timestamps=times)
    np.testing.assert_array_equal(line(again, "NPS").get_ydata(), t["nps"].to_numpy())


def test_trend_without_significant_changes_has_no_markers(base):
    s = base.surveys
    t = nps.trend(s["score"], s["time"], "month")
    ax = nps.plot.trend(t)
    labels = [ln.get_label() for ln in ax.get_lines()]
    assert ("significant rise" in labels) == bool((t["direction"] == 1).any())
    assert ("significant fall" in labels) == bool((t["direction"] == -1).any())


def test_breakdown_bars_and_interval_error_bars(base, tmp_path):
    s = base.surveys
    segments = base.labels.loc[s["customer"], "segment"].to_numpy()
    b = nps.breakdown(s["score"], segments)
    ax = nps.plot.breakdown(b)
    rendered(ax, tmp_path, "breakdown")
    rects = bars(ax)
    assert len(rects) == len(b) == 3
    np.testing.assert_array_equal([r.get_width() for r in rects], b["nps"].to_numpy())
    segs = interval_segments(ax)
    np.testing.assert_array_equal([s[0][0] for s in segs], b["low"].to_numpy())
    np.testing.assert_array_equal([s[1][0] for s in segs], b["high"].to_numpy())
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == [f"{seg} (n={n:,})" for seg, n in zip(b.index, b["n"])]
    assert ax.yaxis_inverted()  # the table's first segment on top
    raw = nps.plot.breakdown(scores=s["score"], segments=segments)
    np.testing.assert_array_equal([r.get_width() for r in bars(raw)], b["nps"].to_numpy())


def test_gain_curve_is_the_cumulative_gain_column(scored, tmp_path):
    _, y, _, p = scored
    table = nps.metrics.lift_table(y, p)
    ax = nps.plot.gain(table)
    rendered(ax, tmp_path, "gain")
    model = line(ax, "model")
    np.testing.assert_array_equal(model.get_ydata(), np.concatenate([[0.0], table["cumulative_gain"]]))
    np.testing.assert_array_equal(model.get_xdata(), np.arange(11))
    assert list(line(ax, "random").get_ydata()) == [0, 1]
    quintiles = nps.plot.gain(y=y, score=p, bins=5)
    np.testing.assert_array_equal(line(quintiles, "model").get_ydata()[1:],
                                  nps.metrics.lift_table(y, p, 5)["cumulative_gain"].to_numpy())


def test_lift_bars_and_cumulative_line(scored, tmp_path):
    _, y, _, p = scored
    table = nps.metrics.lift_table(y, p)
    ax = nps.plot.lift(table)
    rendered(ax, tmp_path, "lift")
    rects = bars(ax)
    assert len(rects) == 10
    np.testing.assert_array_equal([r.get_height() for r in rects], table["lift"].to_numpy())
    np.testing.assert_array_equal(line(ax, "cumulative lift").get_ydata(), table["cumulative_lift"].to_numpy())
    assert list(line(ax, "random").get_ydata()) == [1.0, 1.0]
    assert rects[0].get_height() > 2  # a useful model: the riskiest decile churns at twice the base rate


def test_calibration_points_and_diagonal(scored, tmp_path):
    _, y, _, p = scored
    table = nps.metrics.calibration_table(y, p)
    ax = nps.plot.calibration(table)
    rendered(ax, tmp_path, "calibration")
    model = line(ax, "model")
    np.testing.assert_array_equal(model.get_xdata(), table["mean_predicted"].to_numpy())
    np.testing.assert_array_equal(model.get_ydata(), table["observed_rate"].to_numpy())
    diagonal = line(ax, "perfectly calibrated")
    assert list(diagonal.get_xdata()) == [0, 1] and list(diagonal.get_ydata()) == [0, 1]
    assert ax.get_xlim() == (0, 1) and ax.get_ylim() == (0, 1)
    raw = nps.plot.calibration(y=y, p=p, bins=5)
    np.testing.assert_array_equal(line(raw, "model").get_ydata(),
                                  nps.metrics.calibration_table(y, p, 5)["observed_rate"].to_numpy())


def test_waterfall_goes_from_baseline_through_contributions_to_the_log_odds(scored, tmp_path):
    X, _, model, p = scored
    customer = X.index[int(np.argmax(p))]
    ax = nps.plot.waterfall(model, X, customer, top=5)
    rendered(ax, tmp_path, "waterfall")
    rects = bars(ax)
    assert len(rects) == 1 + 5 + 1 + 1  # baseline, five factors, the others, the log-odds
    c = model.contributions(X.loc[[customer]])
    row = c.iloc[0]
    largest = row.reindex(row.abs().sort_values(ascending=False, kind="stable").index)
    widths = [r.get_width() for r in rects]
    assert widths[0] == c.attrs["baseline"] and rects[0].get_x() == 0
    np.testing.assert_array_equal(widths[1:6], largest.iloc[:5].to_numpy())
    assert widths[6] == pytest.approx(largest.iloc[5:].sum(), abs=1e-12)
    z = model.decision_function(X.loc[[customer]])[0]
    assert widths[-1] == z and rects[-1].get_x() == 0
    # Each bar starts where the previous ended; the last factor ends at the core's log-odds.
    for before, after in zip(rects[:-2], rects[1:-1]):
        assert after.get_x() == pytest.approx(before.get_x() + before.get_width(), abs=1e-12)
    assert rects[-2].get_x() + rects[-2].get_width() == pytest.approx(z, abs=1e-9)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0].startswith("baseline") and labels[-1] == "log-odds of churn"
    assert labels[1].startswith(largest.index[0] + " = ")
    assert labels[6] == f"{len(row) - 5} other factors"
    probability = model.churn_probability(X.loc[[customer]])[0]
    assert f"{probability:.1%}" in ax.get_title() and str(customer) in ax.get_title()
    assert any(f"P(churn) {probability:.1%}" in t.get_text() for t in ax.texts)
    # Raising factors are drawn red, lowering ones green.
    for r, w in zip(rects[1:6], widths[1:6]):
        assert matplotlib.colors.to_hex(r.get_facecolor()) == (nps.plot.RAISES if w > 0 else nps.plot.LOWERS)


def test_churn_by_score_bars_with_wilson_intervals(base, tmp_path):
    answered = base.labels.loc[base.surveys["customer"]]
    r = nps.churn_by_nps(answered["true_score"], answered["churned"])
    ax = nps.plot.churn_by_score(r)
    rendered(ax, tmp_path, "churn_by_score")
    present = [s for s, g in enumerate(r.by_score) if g["customers"] > 0]
    rects = bars(ax)
    assert len(rects) == len(present)
    np.testing.assert_array_equal([round(b.get_x() + b.get_width() / 2) for b in rects], present)
    np.testing.assert_array_equal([b.get_height() for b in rects], [r.by_score[s]["rate"] for s in present])
    segs = interval_segments(ax)
    for (low, high), s in zip(segs, present):
        g = r.by_score[s]
        assert (low[1], high[1]) == (g["low"], g["high"])
        # The core's Wilson interval is scipy's.
        ci = binomtest(int(g["churned"]), int(g["customers"])).proportion_ci(0.95, method="wilson")
        assert (low[1], high[1]) == pytest.approx((ci.low, ci.high), abs=1e-12)
    group_lines = {c.get_label(): c for c in ax.collections if c.get_label().startswith(("detractors", "promoters"))}
    assert f"detractors: {r.detractors['rate']:.1%}" in group_lines
    assert f"{r.relative_risk:.2f}x" in ax.get_title()
    raw = nps.plot.churn_by_score(scores=answered["true_score"], churned=answered["churned"])
    assert [b.get_height() for b in bars(raw)] == [b.get_height() for b in rects]


def test_plots_draw_on_the_axes_given(scored):
    _, y, _, p = scored
    fig, (left, right) = plt.subplots(1, 2)
    assert nps.plot.gain(y=y, score=p, ax=left) is left
    assert nps.plot.lift(y=y, score=p, ax=right) is right
    assert len(fig.axes) == 2


def test_plots_take_dicts_of_columns_as_without_pandas():
    scores, times = shifting_survey()
    t = nps.trend(scores, times, "month")
    columns = {k: t[k].to_numpy() for k in t.columns}
    ax = nps.plot.trend(columns)
    np.testing.assert_array_equal(line(ax, "NPS").get_ydata(), t["nps"].to_numpy())
    b = nps.breakdown([0, 9, 10, 7, 3, 9], ["a", "a", "b", "b", "b", "a"])
    ax = nps.plot.breakdown({"segment": list(b.index), **{k: b[k].to_numpy() for k in b.columns}})
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a (n=3)", "b (n=3)"]


def test_bad_input_errors_clearly(scored):
    X, y, model, p = scored
    b = nps.breakdown([0, 9, 10], ["a", "a", "b"])
    with pytest.raises(nps.NpsError, match=r"nps.plot.trend: the table has no column 'start'.*nps.trend"):
        nps.plot.trend(b)
    with pytest.raises(nps.NpsError, match=r"nps.plot.gain: the table has no column 'cumulative_gain'"):
        nps.plot.gain(nps.metrics.calibration_table(y, p))
    with pytest.raises(nps.NpsError, match=r"not both"):
        nps.plot.lift(nps.metrics.lift_table(y, p), y=y, score=p)
    with pytest.raises(nps.NpsError, match=r"y and p \(missing: p\)"):
        nps.plot.calibration(y=y)
    with pytest.raises(nps.NpsError, match=r"empty"):
        nps.plot.breakdown(b.iloc[:0])
    with pytest.raises(nps.NpsError, match=r"expected the DataFrame that nps.trend returns, got int"):
        nps.plot.trend(42)
    with pytest.raises(nps.NpsError, match=r"customer 'nobody' is not in X's index"):
        nps.plot.waterfall(model, X, "nobody")
    with pytest.raises(nps.NpsError, match=r"X has 4000 rows: name the customer"):
        nps.plot.waterfall(model, X)
    with pytest.raises(nps.NpsError, match=r"model must be a fitted nps.ChurnModel"):
        nps.plot.waterfall("model", X, X.index[0])
    with pytest.raises(nps.NpsError, match=r"not fitted"):
        nps.plot.waterfall(nps.ChurnModel(), X, X.index[0])
    with pytest.raises(nps.NpsError, match=r"top must be at least 1"):
        nps.plot.waterfall(model, X, X.index[0], top=0)
    with pytest.raises(nps.NpsError, match=r"expected the result of nps.churn_by_nps, got dict"):
        nps.plot.churn_by_score({"by_score": []})
    with pytest.raises(nps.NpsError, match=r"scores\[1\]"):  # the core's own check of the raw input
        nps.plot.churn_by_score(scores=[3, 11], churned=[True, False])


def test_without_matplotlib_import_works_and_plots_say_what_to_install():
    code = (
        "import sys\n"
        "sys.modules['matplotlib'] = None\n"
        "sys.modules['matplotlib.pyplot'] = None\n"
        "import nps\n"
        "assert nps.Tally.from_scores([9, 10, 0]).nps > 0\n"
        "try:\n"
        "    nps.plot.gain(y=[0, 1, 1, 0], score=[0.1, 0.9, 0.8, 0.3])\n"
        "except ImportError as e:\n"
        "    print(e)\n"
        "else:\n"
        "    raise SystemExit('no ImportError')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "nps.plot needs matplotlib" in out and "pip install 'nps[plot]'" in out
