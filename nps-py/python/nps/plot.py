"""Plots for analysts (matplotlib, an optional dependency: ``pip install 'nps[plot]'``).

Each function draws what the library already computed (the DataFrames of ``nps.trend``,
``nps.breakdown``, ``nps.metrics.lift_table`` and ``calibration_table``, a ``ChurnByNps``,
a fitted ``ChurnModel``) or computes it from raw inputs through the same functions, takes an
optional ``ax=`` and returns the matplotlib Axes. Every number drawn comes from the Rust
core: the plots only draw (a waterfall's bars start where the previous one ended).

matplotlib is imported when a plot is drawn, so ``import nps`` works without it; a plot
then raises an ImportError that says how to install it.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Optional, Sequence

import numpy as np

from . import _checks
from ._errors import error
from ._nps import DEFAULT_LEVEL, NpsError

__all__ = ["breakdown", "calibration", "churn_by_score", "gain", "lift", "survival", "trend", "waterfall"]

DETRACTOR = "#c0392b"
PASSIVE = "#95a5a6"
PROMOTER = "#27ae60"
MAIN = "#2c6fbb"
RAISES = "#c0392b"
LOWERS = "#27ae60"
TOTAL = "#34495e"


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError as e:
        raise ImportError(
            "nps.plot needs matplotlib, which is not installed: pip install 'nps[plot]' (or pip install matplotlib)"
        ) from e
    return plt


def _draws(plot: Callable) -> Callable:
    """Checks for matplotlib before anything is computed."""

    @functools.wraps(plot)
    def checked(*args: Any, **kwargs: Any) -> Any:
        _pyplot()
        return plot(*args, **kwargs)

    return checked


def _axes(ax: Any, size: tuple) -> Any:
    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=size, layout="constrained")
    return ax


def _percent(axis: Any) -> None:
    from matplotlib.ticker import PercentFormatter

    axis.set_major_formatter(PercentFormatter(xmax=1.0))


def _table(table: Any, raw: dict, compute: Any, what: str) -> Any:
    """The table given, or the one computed from raw inputs (exactly one of the two)."""
    given = {k: v for k, v in raw.items() if v is not None}
    if table is not None and given:
        raise error("INVALID_PARAMETER", f"nps.plot.{what}: pass either a table or {', '.join(raw)}, not both")
    if table is None:
        absent = [k for k in raw if raw[k] is None]
        if absent:
            raise error("INVALID_PARAMETER", f"nps.plot.{what}: pass a table, or {' and '.join(raw)} (missing: {', '.join(absent)})")
        return compute()
    return table


def _columns(table: Any, names: Sequence[str], what: str, source: str) -> list:
    """The named columns of a DataFrame (or dict of columns) as numpy arrays; a clear
    error when one is absent or the table is empty."""
    if not hasattr(table, "__getitem__") or not hasattr(table, "__contains__") or isinstance(table, (str, bytes)):
        raise error("INVALID_PARAMETER", f"nps.plot.{what}: expected the DataFrame that {source} returns, got {type(table).__name__}")
    missing = [n for n in names if n not in table]
    if missing:
        raise error("INVALID_PARAMETER", f"nps.plot.{what}: the table has no column {', '.join(repr(m) for m in missing)} "
                       f"(expected the DataFrame that {source} returns)")
    columns = [np.asarray(table[n]) for n in names]
    if len(columns[0]) == 0:
        raise error("EMPTY", f"nps.plot.{what}: the table is empty")
    return columns


def _labels(table: Any, key: str) -> list:
    if hasattr(table, "index") and not isinstance(table, dict):
        return [str(v) for v in table.index]
    if key not in table:
        raise error("INVALID_PARAMETER", f"nps.plot: a table given as a dict of columns needs its {key!r} column")
    return [str(v) for v in table[key]]


@_draws
def trend(table: Any = None, ax: Any = None, *, scores: Any = None, timestamps: Any = None, period: str = "month",
          title: Optional[str] = None) -> Any:
    """NPS by period with its interval band, and a marker on each period whose change
    against the previous one is significant (▲ up, ▼ down: the ``direction`` column).

    ``table`` is what :func:`nps.trend` returns; or pass ``scores`` and ``timestamps``
    (and ``period``) to compute it."""
    table = _table(table, {"scores": scores, "timestamps": timestamps},
                   lambda: _trend(scores, timestamps, period), "trend")
    start, value, low, high, direction = _columns(table, ["start", "nps", "low", "high", "direction"], "trend",
                                                  "nps.trend")
    ax = _axes(ax, (8, 4))
    ax.fill_between(start, low, high, color=MAIN, alpha=0.18, linewidth=0, label="interval")
    ax.plot(start, value, color=MAIN, marker="o", markersize=4, label="NPS")
    for sign, marker, colour, name in ((1, "^", PROMOTER, "significant rise"), (-1, "v", DETRACTOR, "significant fall")):
        hit = direction == sign
        if hit.any():
            ax.plot(start[hit], value[hit], linestyle="none", marker=marker, markersize=11, color=colour, label=name,
                    zorder=3)
    ax.axhline(0, color="black", linewidth=0.6)
    ax.set_ylabel("NPS (points)")
    ax.set_title(title or "NPS by period, with its interval")
    ax.legend(loc="best", fontsize="small")
    ax.grid(axis="y", alpha=0.3)
    return ax


def _trend(scores: Any, timestamps: Any, period: str) -> Any:
    from .survey import trend as compute

    return compute(scores, timestamps, period)


@_draws
def breakdown(table: Any = None, ax: Any = None, *, scores: Any = None, segments: Any = None,
              title: Optional[str] = None) -> Any:
    """NPS by segment: one bar per segment (in the table's order, top to bottom) with its
    interval as an error bar, and each segment's n in its label.

    ``table`` is what :func:`nps.breakdown` returns; or pass ``scores`` and ``segments``."""
    table = _table(table, {"scores": scores, "segments": segments}, lambda: _breakdown(scores, segments), "breakdown")
    n, value, low, high = _columns(table, ["n", "nps", "low", "high"], "breakdown", "nps.breakdown")
    labels = _labels(table, "segment")
    ax = _axes(ax, (7, 0.9 + 0.45 * len(value)))
    y = np.arange(len(value))
    colours = [PROMOTER if v >= 0 else DETRACTOR for v in value]
    ax.barh(y, value, color=colours, alpha=0.75, height=0.6)
    ax.hlines(y, low, high, color="black", linewidth=1.4, label="_interval")
    ax.plot(low, y, linestyle="none", marker="|", markersize=10, color="black")
    ax.plot(high, y, linestyle="none", marker="|", markersize=10, color="black")
    ax.set_yticks(y, [f"{s} (n={k:,})" for s, k in zip(labels, n)])
    ax.invert_yaxis()
    ax.axvline(0, color="black", linewidth=0.6)
    ax.set_xlabel("NPS (points)")
    ax.set_title(title or "NPS by segment, with intervals")
    ax.grid(axis="x", alpha=0.3)
    return ax


def _breakdown(scores: Any, segments: Any) -> Any:
    from .survey import breakdown as compute

    return compute(scores, segments)


def _lift_table(y: Any, score: Any, bins: int) -> Any:
    from .metrics import lift_table

    return lift_table(y, score, bins)


@_draws
def gain(table: Any = None, ax: Any = None, *, y: Any = None, score: Any = None, bins: int = 10,
         title: Optional[str] = None) -> Any:
    """Cumulative gain by bin (decile by default): the share of all churners found in the
    riskiest bins, against the diagonal of a random ranking.

    ``table`` is what :func:`nps.metrics.lift_table` returns; or pass ``y`` and ``score``."""
    table = _table(table, {"y": y, "score": score}, lambda: _lift_table(y, score, bins), "gain")
    (gains,) = _columns(table, ["cumulative_gain"], "gain", "nps.metrics.lift_table")
    k = len(gains)
    ax = _axes(ax, (6, 4.5))
    x = np.arange(k + 1)
    ax.plot(x, np.concatenate([[0.0], gains]), color=MAIN, marker="o", markersize=4, label="model")
    ax.plot([0, k], [0, 1], color="grey", linestyle="--", label="random")
    ax.set_xticks(x)
    ax.set_xlim(0, k)
    ax.set_ylim(0, 1.02)
    _percent(ax.yaxis)
    ax.set_xlabel(f"bins of customers, riskiest first (of {k})")
    ax.set_ylabel("churners found (cumulative gain)")
    ax.set_title(title or "Cumulative gain")
    ax.legend(loc="lower right")
    ax.grid(alpha=0.3)
    return ax


@_draws
def lift(table: Any = None, ax: Any = None, *, y: Any = None, score: Any = None, bins: int = 10,
         title: Optional[str] = None) -> Any:
    """Lift by bin (decile by default): bars for each bin's churn rate over the base rate,
    a line for the cumulative lift, and 1 (a random ranking) for reference.

    ``table`` is what :func:`nps.metrics.lift_table` returns; or pass ``y`` and ``score``."""
    table = _table(table, {"y": y, "score": score}, lambda: _lift_table(y, score, bins), "lift")
    per_bin, cumulative = _columns(table, ["lift", "cumulative_lift"], "lift", "nps.metrics.lift_table")
    ax = _axes(ax, (6, 4.5))
    x = np.arange(1, len(per_bin) + 1)
    ax.bar(x, per_bin, color=MAIN, alpha=0.7, label="lift of the bin")
    ax.plot(x, cumulative, color=DETRACTOR, marker="o", markersize=4, label="cumulative lift")
    ax.axhline(1.0, color="grey", linestyle="--", label="random")
    ax.set_xticks(x)
    ax.set_xlabel("bin of customers, riskiest first")
    ax.set_ylabel("churn rate / base rate")
    ax.set_title(title or "Lift by bin")
    ax.legend(loc="upper right")
    ax.grid(axis="y", alpha=0.3)
    return ax


@_draws
def calibration(table: Any = None, ax: Any = None, *, y: Any = None, p: Any = None, bins: int = 10,
                title: Optional[str] = None) -> Any:
    """Reliability diagram: the observed churn rate against the mean predicted probability
    in each bin, with the diagonal of perfect calibration.

    ``table`` is what :func:`nps.metrics.calibration_table` returns; or pass ``y`` and ``p``."""
    table = _table(table, {"y": y, "p": p}, lambda: _calibration_table(y, p, bins), "calibration")
    predicted, observed = _columns(table, ["mean_predicted", "observed_rate"], "calibration",
                                   "nps.metrics.calibration_table")
    ax = _axes(ax, (5, 5))
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", label="perfectly calibrated")
    ax.plot(predicted, observed, color=MAIN, marker="o", label="model")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_aspect("equal")
    _percent(ax.xaxis)
    _percent(ax.yaxis)
    ax.set_xlabel("predicted churn probability (bin mean)")
    ax.set_ylabel("observed churn rate")
    ax.set_title(title or "Calibration")
    ax.legend(loc="upper left")
    ax.grid(alpha=0.3)
    return ax


def _calibration_table(y: Any, p: Any, bins: int) -> Any:
    from .metrics import calibration_table

    return calibration_table(y, p, bins)


@_draws
def waterfall(model: Any, X: Any, customer: Any = None, ax: Any = None, *, top: int = 8,
              title: Optional[str] = None) -> Any:
    """One customer's churn score taken apart: from the baseline (the log-odds of the
    training mean) through each factor's exact contribution to the customer's log-odds,
    with the probability it gives. The ``top`` largest factors get a bar each, the rest one
    bar together.

    ``model`` is a fitted :class:`nps.ChurnModel`; ``X`` its inputs (a DataFrame) and
    ``customer`` the index label of the row to show (or None when X has one row)."""
    if not hasattr(model, "contributions") or not hasattr(model, "decision_function"):
        raise error("INVALID_PARAMETER", f"nps.plot.waterfall: model must be a fitted nps.ChurnModel, got {type(model).__name__}")
    if not hasattr(X, "loc"):
        raise error("INVALID_PARAMETER", f"nps.plot.waterfall: X must be a pandas DataFrame of the model's inputs, got {type(X).__name__}")
    top = _checks.whole(top, "nps.plot.waterfall: top", minimum=1)
    if customer is None:
        if len(X) != 1:
            raise error("INVALID_PARAMETER", f"nps.plot.waterfall: X has {len(X)} rows: name the customer to show (customer=...)")
        row = X
    else:
        if customer not in X.index:
            raise error("UNKNOWN_VALUE", f"nps.plot.waterfall: customer {customer!r} is not in X's index")
        row = X.loc[[customer]]
    frame = model.contributions(row)
    names = [str(c) for c in frame.columns]
    contributions = frame.to_numpy()[0]
    baseline = float(frame.attrs["baseline"])
    log_odds = float(model.decision_function(row)[0])
    probability = float(model.churn_probability(row)[0])
    shown = [i for i in np.argsort(-np.abs(contributions), kind="stable")[:top] if contributions[i] != 0]
    picked = set(shown)
    rest = [i for i in range(len(names)) if i not in picked]
    values = {r["factor"]: r["value"] for r in model.explain(row, top=len(names)).to_dict("records")}

    labels = ["baseline (training mean)"]
    lefts, widths, colours = [0.0], [baseline], [TOTAL]
    level = baseline
    for i in shown:
        value = values.get(names[i])
        labels.append(f"{names[i]} = {value}" if value is not None else names[i])
        lefts.append(level)
        widths.append(contributions[i])
        colours.append(RAISES if contributions[i] > 0 else LOWERS)
        level += contributions[i]
    if rest:
        other = float(contributions[rest].sum())
        labels.append(f"{len(rest)} other factors")
        lefts.append(level)
        widths.append(other)
        colours.append(RAISES if other > 0 else LOWERS)
    labels.append("log-odds of churn")
    lefts.append(0.0)
    widths.append(log_odds)
    colours.append(TOTAL)

    ax = _axes(ax, (8, 1.2 + 0.42 * len(labels)))
    y = np.arange(len(labels))
    ax.barh(y, widths, left=lefts, color=colours, height=0.6)
    ends = np.asarray(lefts) + np.asarray(widths)
    for k in range(len(labels) - 1):
        ax.plot([ends[k], ends[k]], [y[k], y[k + 1]], color="grey", linewidth=0.7)
    for k, w in enumerate(widths):
        text = f"{w:+.2f}" if k < len(widths) - 1 else f"{w:+.2f}  ->  P(churn) {probability:.1%}"
        ax.annotate(text, (max(lefts[k], ends[k]), y[k]), xytext=(4, 0), textcoords="offset points",
                    va="center", fontsize="small")
    low_end, high_end = min(0.0, ends.min(), min(lefts)), max(0.0, ends.max(), max(lefts))
    span = high_end - low_end or 1.0
    ax.set_xlim(low_end - 0.05 * span, high_end + 0.35 * span)
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.axvline(0, color="black", linewidth=0.6)
    ax.set_xlabel("log-odds of churn")
    label = row.index[0]
    ax.set_title(title or f"Why customer {label} is at risk: P(churn) = {probability:.1%}")
    ax.grid(axis="x", alpha=0.3)
    return ax


@_draws
def churn_by_score(result: Any = None, ax: Any = None, *, scores: Any = None, churned: Any = None,
                   level: float = DEFAULT_LEVEL, title: Optional[str] = None) -> Any:
    """Churn rate by NPS answer 0-10 with Wilson intervals, bars coloured by category
    (detractors, passives, promoters) and each category's rate as a dashed line; the title
    gives the relative risk of detractors against promoters. Scores nobody gave have no bar.

    ``result`` is what :func:`nps.churn_by_nps` returns; or pass ``scores`` and ``churned``."""
    result = _table(result, {"scores": scores, "churned": churned},
                    lambda: _churn_by_nps(scores, churned, level), "churn_by_score")
    if not hasattr(result, "by_score"):
        raise error("INVALID_PARAMETER", f"nps.plot.churn_by_score: expected the result of nps.churn_by_nps, got {type(result).__name__}")
    rows = result.by_score
    x = np.array([s for s, r in enumerate(rows) if r["customers"] > 0])
    rate = np.array([rows[s]["rate"] for s in x])
    low = np.array([rows[s]["low"] for s in x])
    high = np.array([rows[s]["high"] for s in x])
    colours = [DETRACTOR if s <= 6 else PASSIVE if s <= 8 else PROMOTER for s in x]
    ax = _axes(ax, (8, 4.5))
    ax.bar(x, rate, color=colours, alpha=0.8)
    ax.vlines(x, low, high, color="black", linewidth=1.2, label="_interval")
    ax.plot(x, low, linestyle="none", marker="_", markersize=8, color="black")
    ax.plot(x, high, linestyle="none", marker="_", markersize=8, color="black")
    for group, (a, b), colour, name in ((result.detractors, (-0.4, 6.4), DETRACTOR, "detractors"),
                                        (result.passives, (6.6, 8.4), PASSIVE, "passives"),
                                        (result.promoters, (8.6, 10.4), PROMOTER, "promoters")):
        if group["customers"] > 0:
            ax.hlines(group["rate"], a, b, color=colour, linestyle="--", linewidth=1.5,
                      label=f"{name}: {group['rate']:.1%}")
    ax.set_xticks(range(11))
    ax.set_xlim(-0.6, 10.6)
    _percent(ax.yaxis)
    ax.set_xlabel("answer to 'How likely are you to recommend us?' (0-10)")
    ax.set_ylabel("churn rate")
    rr, (rr_low, rr_high) = result.relative_risk, result.relative_risk_interval
    ax.set_title(title or f"Churn by NPS answer: detractors churn {rr:.2f}x as often as promoters "
                          f"({result.level:.0%} CI {rr_low:.2f}-{rr_high:.2f})", fontsize="medium")
    ax.legend(loc="upper right", fontsize="small")
    ax.grid(axis="y", alpha=0.3)
    return ax


def _churn_by_nps(scores: Any, churned: Any, level: float) -> Any:
    from ._nps import churn_by_nps

    return churn_by_nps(scores, churned, level)


_SEGMENT_COLOURS = {"detractor": DETRACTOR, "detractors": DETRACTOR, "passive": PASSIVE, "passives": PASSIVE,
                    "promoter": PROMOTER, "promoters": PROMOTER}


@_draws
def survival(estimate: Any, ax: Any = None, *, ci: bool = True, title: Optional[str] = None) -> Any:
    """Kaplan-Meier survival curves as steps with their confidence bands: one
    ``nps.survival.KaplanMeier``, or a dict of them (``nps.survival.kaplan_meier_by_segment``;
    NPS categories in their colours), each labelled with its median survival time."""
    curves = estimate if isinstance(estimate, dict) else {getattr(estimate, "label", None) or "KM_estimate": estimate}
    ax = _axes(ax, (8, 4.5))
    for name, km in curves.items():
        if not hasattr(km, "survival_function_"):
            raise error("INVALID_PARAMETER", f"nps.plot.survival: expected a fitted KaplanMeier, got {type(km).__name__}")
        t = km.timeline
        s = km.survival_function_.iloc[:, 0].to_numpy()
        try:
            median = km.median_survival_time_
            label = f"{name} (median {median:g})" if np.isfinite(median) else f"{name} (median not reached)"
        except NpsError:
            label = f"{name} (no events)"
        colour = _SEGMENT_COLOURS.get(str(name).lower())
        line = ax.step(t, s, where="post", label=label, color=colour)[0]
        if ci:
            band = km.confidence_interval_
            ax.fill_between(t, band.iloc[:, 0], band.iloc[:, 1], step="post", alpha=0.2, color=line.get_color())
    ax.set_ylim(0, 1.02)
    _percent(ax.yaxis)
    ax.set_xlabel("time")
    ax.set_ylabel("share still a customer")
    ax.set_title(title or "Survival (Kaplan-Meier)", fontsize="medium")
    ax.legend(loc="lower left", fontsize="small")
    ax.grid(alpha=0.3)
    return ax
