"""Survival analysis: when customers leave. ``KaplanMeier`` (with censoring, delayed entry
and weights), the log-rank tests (``logrank_test``, ``multivariate_logrank_test``), and
``CoxModel`` (Cox proportional hazards, Efron's ties) with per-customer survival curves and
the probability of churning within a horizon, also conditional on the tenure reached.

The names and numbers are lifelines' (``KaplanMeierFitter``, ``logrank_test``,
``CoxPHFitter``): every number is computed by the Rust core, fits release the GIL, and a
fitted ``CoxModel`` saves to a model file that predicts the same in Rust, Python and Node.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Union

import numpy as np
import pandas as pd

from . import _nps
from . import _html
from ._errors import error, not_fitted

__all__ = ["KaplanMeier", "CoxModel", "LogRankResult", "kaplan_meier_by_segment", "logrank_test",
           "multivariate_logrank_test", "survival_data"]

DEFAULT_ALPHA = _nps.DEFAULT_ALPHA


def _floats(values: Any, field: str) -> np.ndarray:
    """A float64 array of ``values`` (pandas, numpy, lists)."""
    try:
        return np.ascontiguousarray(np.asarray(values, dtype=np.float64).reshape(-1))
    except (TypeError, ValueError) as e:
        raise error("INVALID_PARAMETER", f"{field} must be numbers: {e}") from None


def _optional_floats(values: Any, field: str) -> Optional[np.ndarray]:
    return None if values is None else _floats(values, field)


def _events(values: Any, field: str = "event_observed") -> Optional[np.ndarray]:
    """Event flags as bools: True, 1 (the event) or False, 0 (censored); NaN is an error."""
    if values is None:
        return None
    raw = np.asarray(values).reshape(-1)
    if raw.dtype == bool:
        return np.ascontiguousarray(raw)
    if raw.dtype.kind in "iu":  # integers: no NaN to look for
        flags = raw == 1
        if not (flags | (raw == 0)).all():
            i = int(np.flatnonzero((raw != 0) & (raw != 1))[0])
            raise error("OUT_OF_RANGE", f"{field}[{i}] = {raw[i]} is outside 0 or 1 (censored or event)")
        return flags
    flags = _floats(raw, field)
    bad = np.flatnonzero(np.isnan(flags))
    if bad.size:
        raise error("MISSING_VALUE", f"{field}[{bad[0]}] is missing (NaN)")
    bad = np.flatnonzero((flags != 0) & (flags != 1))
    if bad.size:
        raise error("OUT_OF_RANGE", f"{field}[{bad[0]}] = {flags[bad[0]]:g} is outside 0 or 1 (censored or event)")
    return flags == 1


def _labels(values: Any, field: str) -> List[str]:
    """Group or stratum labels as text (one per row)."""
    out = []
    for i, v in enumerate(np.asarray(values, dtype=object).reshape(-1)):
        if v is None or (isinstance(v, float) and math.isnan(v)):
            raise error("MISSING_VALUE", f"{field}[{i}] is missing (NaN)")
        out.append(_label(v))
    return out


def _label(v: Any) -> str:
    """A label's text: integral numbers without ``.0`` (a stratum 1.0 is "1")."""
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    if isinstance(v, (np.integer, np.bool_)):
        return str(v.item())
    return str(v)


class KaplanMeier:
    """The Kaplan-Meier estimate of a survival function (lifelines' ``KaplanMeierFitter``).

    Parameters
    ----------
    alpha : float
        Confidence intervals at level ``1 - alpha`` (log-log, "exponential Greenwood").
    label : str, optional
        Name of the estimate's column (default ``"KM_estimate"``).
    """

    def __init__(self, alpha: float = DEFAULT_ALPHA, label: Optional[str] = None) -> None:
        self.alpha = alpha
        self.label = label
        self._core: Any = None

    def fit(self, durations: Any, event_observed: Any = None, entry: Any = None, weights: Any = None,
            label: Optional[str] = None) -> "KaplanMeier":
        """Fits the estimate: ``durations`` until the event or censoring, ``event_observed``
        (1 or True: the event; default all), ``entry`` times (delayed entry), ``weights``."""
        self._core = _nps._KaplanMeier.fit(_floats(durations, "durations"), _events(event_observed),
                                           _optional_floats(entry, "entry"), _optional_floats(weights, "weights"),
                                           float(self.alpha))
        self.label = label if label is not None else (self.label or "KM_estimate")
        return self

    @classmethod
    def _from_core(cls, core: Any, label: str) -> "KaplanMeier":
        km = cls(alpha=core.alpha, label=label)
        km._core = core
        return km

    def _fitted(self) -> Any:
        if self._core is None:
            raise not_fitted("this KaplanMeier is not fitted yet: call fit(durations, event_observed) first")
        return self._core

    @property
    def timeline(self) -> np.ndarray:
        """The times of the estimate (every duration and entry time, and 0)."""
        return self._fitted().table()[0]

    @property
    def event_table(self) -> pd.DataFrame:
        """The life table: removed, observed, censored, entrance, at_risk per time."""
        time, removed, observed, censored, entrance, at_risk = self._fitted().table()
        return pd.DataFrame({"removed": removed, "observed": observed, "censored": censored, "entrance": entrance,
                             "at_risk": at_risk}, index=pd.Index(time, name="event_at"))

    @property
    def survival_function_(self) -> pd.DataFrame:
        """The estimate at each time of the timeline."""
        survival = self._fitted().curves()[0]
        return pd.DataFrame({self.label: survival}, index=pd.Index(self.timeline, name="timeline"))

    @property
    def confidence_interval_(self) -> pd.DataFrame:
        """The log-log confidence interval at each time (lifelines' column names)."""
        _, lower, upper, _ = self._fitted().curves()
        level = f"{1 - self.alpha:g}"
        return pd.DataFrame({f"{self.label}_lower_{level}": lower, f"{self.label}_upper_{level}": upper},
                            index=pd.Index(self.timeline, name="timeline"))

    @property
    def median_survival_time_(self) -> float:
        """The first time the estimate is at or below 0.5 (``inf`` if never); an
        ``NpsError`` when no customer had the event."""
        return self._fitted().median()

    @property
    def median_confidence_interval_(self) -> pd.DataFrame:
        """The median's confidence interval (lifelines'
        ``median_survival_times(confidence_interval_)``)."""
        lower, upper = self._fitted().median_interval()
        return pd.DataFrame([[lower, upper]], index=[0.5], columns=list(self.confidence_interval_.columns))

    def survival_function_at_times(self, times: Any) -> pd.Series:
        """The estimate at each of ``times`` (the step function's value)."""
        t = np.atleast_1d(_floats(times, "times"))
        return pd.Series(self._fitted().survival_at(t), index=t, name=self.label)

    def plot(self, ax: Any = None, ci: bool = True, **kwargs: Any) -> Any:
        """Draws the estimate (``nps.plot.survival``)."""
        from . import plot

        return plot.survival(self, ax=ax, ci=ci, **kwargs)

    def __repr__(self) -> str:
        if self._core is None:
            return f"KaplanMeier(alpha={self.alpha})"
        return f"<KaplanMeier {self.label!r}: {len(self.timeline)} times, {self._core.events:g} events>"

    def _repr_html_(self) -> str:
        core = self._fitted()
        try:
            median = _html.num(core.median(), 1)
        except _nps.NpsError:
            median = "&ndash; (no events)"
        table = self.event_table.join(self.survival_function_.set_axis(self.event_table.index))
        rows = [[_html.num(t, 2), _html.num(r["at_risk"], 0), _html.num(r["observed"], 0),
                 _html.num(r["censored"], 0), _html.num(r[self.label], 4)]
                for t, r in table.head(12).iterrows()]
        return _html.block("KaplanMeier", f"{_html.esc(self.label)}: median survival time {median}",
                           _html.table(["time", "at risk", "events", "censored", "survival"], rows))


def kaplan_meier_by_segment(durations: Any, event_observed: Any, segments: Any, entry: Any = None,
                            weights: Any = None, alpha: float = DEFAULT_ALPHA) -> Dict[str, KaplanMeier]:
    """One Kaplan-Meier estimate per segment (e.g. NPS category), in label order."""
    parts = _nps.kaplan_meier_by_segment(_floats(durations, "durations"), _events(event_observed),
                                         _optional_floats(entry, "entry"), _optional_floats(weights, "weights"),
                                         _labels(segments, "segments"), float(alpha))
    return {label: KaplanMeier._from_core(core, label) for label, _, core in parts}


class LogRankResult:
    """The result of a log-rank test: ``test_statistic``, ``p_value``,
    ``degrees_of_freedom``, and per group the ``observed`` and ``expected`` events."""

    def __init__(self, result: tuple, test_name: str) -> None:
        groups, observed, expected, statistic, dof, p = result
        self.groups: List[str] = list(groups)
        self.observed = np.asarray(observed)
        self.expected = np.asarray(expected)
        self.test_statistic = float(statistic)
        self.degrees_of_freedom = int(dof)
        self.p_value = float(p)
        self.test_name = test_name

    @property
    def summary(self) -> pd.DataFrame:
        """``test_statistic``, ``p`` and ``-log2(p)`` (lifelines' columns)."""
        return pd.DataFrame({"test_statistic": [self.test_statistic], "p": [self.p_value],
                             "-log2(p)": [-math.log2(self.p_value) if self.p_value > 0 else math.inf]})

    @property
    def groups_table(self) -> pd.DataFrame:
        """Observed and expected events per group."""
        return pd.DataFrame({"observed": self.observed, "expected": self.expected},
                            index=pd.Index(self.groups, name="group"))

    def __repr__(self) -> str:
        return (f"<LogRankResult {self.test_name}: statistic {self.test_statistic:.4f}, "
                f"df {self.degrees_of_freedom}, p {self.p_value:.4g}>")

    def _repr_html_(self) -> str:
        rows = [[_html.esc(g), _html.num(o, 1), _html.num(e, 1)] for g, o, e in
                zip(self.groups, self.observed, self.expected)]
        return _html.block("LogRankResult", f"{_html.esc(self.test_name)}: chi-square "
                           f"{_html.num(self.test_statistic, 3)} on {self.degrees_of_freedom} df, "
                           f"p = {self.p_value:.3g}", _html.table(["group", "observed", "expected"], rows))


def logrank_test(durations_A: Any, durations_B: Any, event_observed_A: Any = None, event_observed_B: Any = None,
                 weights_A: Any = None, weights_B: Any = None) -> LogRankResult:
    """The log-rank test of equal survival between groups A and B (lifelines'
    ``logrank_test``)."""
    result = _nps.log_rank_test(_floats(durations_A, "durations_A"), _floats(durations_B, "durations_B"),
                                _events(event_observed_A, "event_observed_A"),
                                _events(event_observed_B, "event_observed_B"),
                                _optional_floats(weights_A, "weights_A"), _optional_floats(weights_B, "weights_B"))
    return LogRankResult(result, "logrank_test")


def multivariate_logrank_test(event_durations: Any, groups: Any, event_observed: Any = None,
                              weights: Any = None) -> LogRankResult:
    """The log-rank test of equal survival between the groups of ``groups`` (two or more;
    lifelines' ``multivariate_logrank_test``)."""
    result = _nps.multivariate_log_rank_test(_floats(event_durations, "event_durations"), _events(event_observed),
                                             _optional_floats(weights, "weights"), _labels(groups, "groups"))
    return LogRankResult(result, "multivariate_logrank_test")


class CoxModel:
    """Cox proportional hazards with Efron's ties (lifelines' ``CoxPHFitter``).

    Parameters
    ----------
    penalizer : float
        L2 penalty, lifelines' ``penalizer`` with ``l1_ratio=0``: the log-likelihood less
        ``penalizer * n / 2 * sum((coef * std)**2)`` (the coefficients of the standardised
        covariates; ``n`` customers).
    alpha : float
        Intervals at level ``1 - alpha``.
    """

    def __init__(self, penalizer: float = 0.0, alpha: float = DEFAULT_ALPHA) -> None:
        self.penalizer = penalizer
        self.alpha = alpha
        self._core: Any = None
        self.strata: Optional[List[str]] = None
        self.duration_col: Optional[str] = None
        self.event_col: Optional[str] = None

    def fit(self, df: pd.DataFrame, duration_col: str, event_col: Optional[str] = None,
            strata: Union[None, str, Sequence[str]] = None, penalizer: Optional[float] = None,
            entry_col: Optional[str] = None, weights_col: Optional[str] = None) -> "CoxModel":
        """Fits the model on ``df``: every column but the duration, event, strata, entry and
        weights columns is a covariate (numbers or booleans)."""
        if not isinstance(df, pd.DataFrame):
            raise error("INVALID_PARAMETER", f"df must be a pandas DataFrame, got {type(df).__name__}")
        if penalizer is not None:
            self.penalizer = penalizer
        strata_cols = [strata] if isinstance(strata, str) else (list(strata) if strata is not None else None)
        used = [duration_col, event_col, entry_col, weights_col, *(strata_cols or [])]
        for col in used:
            if col is not None and col not in df.columns:
                raise error("UNKNOWN_VALUE", f"unknown column {col!r}; expected one of {', '.join(map(str, df.columns))}")
        covariates = [c for c in df.columns if c not in used]
        x = _covariate_matrix(df, covariates)
        self._core = _nps._CoxModel.fit(
            x, [str(c) for c in covariates], _floats(df[duration_col], "durations"),
            None if event_col is None else _events(df[event_col], f"column {event_col!r}"),
            None if entry_col is None else _floats(df[entry_col], "entry"),
            None if weights_col is None else _floats(df[weights_col], "weights"),
            None if strata_cols is None else _strata_labels(df, strata_cols), [str(c) for c in strata_cols or []],
            float(self.penalizer),
            float(self.alpha))
        self.strata, self.duration_col, self.event_col = strata_cols, duration_col, event_col
        return self

    def _fitted(self) -> Any:
        if self._core is None:
            raise not_fitted("this CoxModel is not fitted yet: call fit(df, duration_col, event_col) first")
        return self._core

    # -- results --------------------------------------------------------------------------
    @property
    def params_(self) -> pd.Series:
        """The coefficients."""
        return pd.Series(self._fitted().summary()[0], index=self._index(), name="coef")

    @property
    def hazard_ratios_(self) -> pd.Series:
        """exp(coef)."""
        return pd.Series(self._fitted().summary()[1], index=self._index(), name="exp(coef)")

    @property
    def standard_errors_(self) -> pd.Series:
        """Standard errors of the coefficients."""
        return pd.Series(self._fitted().summary()[2], index=self._index(), name="se")

    @property
    def variance_matrix_(self) -> pd.DataFrame:
        """Covariance matrix of the coefficients."""
        return pd.DataFrame(self._fitted().variance, index=self._index(), columns=self._index())

    @property
    def summary(self) -> pd.DataFrame:
        """One row per covariate, lifelines' columns: coef, exp(coef), se(coef), coef lower
        95%, coef upper 95%, exp(coef) lower 95%, exp(coef) upper 95%, z, p."""
        cols = self._fitted().summary()
        ci = f"{100 * (1 - self._core.alpha):g}%"
        names = ["coef", "exp(coef)", "se(coef)", f"coef lower {ci}", f"coef upper {ci}", f"exp(coef) lower {ci}",
                 f"exp(coef) upper {ci}", "z", "p"]
        return pd.DataFrame(dict(zip(names, cols)), index=self._index())

    def _index(self) -> pd.Index:
        return pd.Index(self._fitted().covariates, name="covariate")

    @property
    def log_likelihood_(self) -> float:
        """The partial log-likelihood at the coefficients (less the penalty, if any)."""
        return self._fitted().log_likelihood

    @property
    def concordance_index_(self) -> float:
        """Harrell's concordance index on the training data."""
        return self._fitted().concordance

    def _baseline(self, which: int, name: str) -> pd.DataFrame:
        core = self._fitted()
        columns = core.baseline_strata or [name]
        values = {c: parts[which] for c, parts in zip(columns, core.baseline())}
        return pd.DataFrame(values, index=pd.Index(core.baseline_times))

    @property
    def baseline_hazard_(self) -> pd.DataFrame:
        """Breslow's baseline hazard at each training duration (one column per stratum)."""
        return self._baseline(0, "baseline hazard")

    @property
    def baseline_cumulative_hazard_(self) -> pd.DataFrame:
        """The baseline cumulative hazard."""
        return self._baseline(1, "baseline cumulative hazard")

    @property
    def baseline_survival_(self) -> pd.DataFrame:
        """The baseline survival (a customer at the covariates' means)."""
        return np.exp(-self._baseline(1, "baseline survival"))

    # -- predictions ----------------------------------------------------------------------
    def _customers(self, X: Any) -> tuple:
        core = self._fitted()
        if isinstance(X, pd.Series):
            X = X.to_frame().T
        if isinstance(X, pd.DataFrame):
            missing = [c for c in core.covariates if c not in X.columns]
            if missing:
                raise error("UNKNOWN_VALUE", f"X has no column {missing[0]!r}; the model's covariates are "
                            f"{', '.join(core.covariates)}")
            strata = None
            if core.baseline_strata:
                if not self.strata or any(c not in X.columns for c in self.strata):
                    raise error("INVALID_PARAMETER", f"X must have the strata columns {self.strata}")
                strata = _strata_labels(X, self.strata)
            return _covariate_matrix(X, core.covariates), strata, list(X.index)
        x = np.ascontiguousarray(np.atleast_2d(np.asarray(X, dtype=np.float64)))
        return x, None, list(range(x.shape[0]))

    def predict_log_partial_hazard(self, X: Any) -> pd.Series:
        """(x - mean)' coef per customer."""
        x, _, index = self._customers(X)
        return pd.Series(self._core.log_partial_hazard(x), index=index)

    def predict_partial_hazard(self, X: Any) -> pd.Series:
        """exp((x - mean)' coef) per customer."""
        return np.exp(self.predict_log_partial_hazard(X))

    def predict_survival_function(self, X: Any, times: Any = None, conditional_after: Any = None) -> pd.DataFrame:
        """Each customer's survival curve (a column per customer, a row per time; default
        times: the training durations). With ``conditional_after`` (tenure already reached
        per customer) the curve is the survival over the *remaining* time."""
        x, strata, index = self._customers(X)
        t = self._fitted().baseline_times if times is None else np.atleast_1d(_floats(times, "times"))
        after = _optional_floats(conditional_after, "conditional_after")
        s = self._core.survival_function(x, strata, t, after)
        return pd.DataFrame(s.T, index=t, columns=index)

    def predict_churn_within(self, X: Any, horizon: float, conditional_after: Any = None) -> pd.Series:
        """P(churn within ``horizon``) per customer (after the tenure in
        ``conditional_after``, if given)."""
        x, strata, index = self._customers(X)
        after = _optional_floats(conditional_after, "conditional_after")
        return pd.Series(self._core.churn_within(x, strata, float(horizon), after), index=index,
                         name=f"churn_within_{horizon:g}")

    # -- files ----------------------------------------------------------------------------
    def to_json(self) -> str:
        """The model file (versioned JSON; loads in Rust, Python and Node)."""
        return self._fitted().to_json()

    @classmethod
    def from_json(cls, text: str) -> "CoxModel":
        """Reads a model file."""
        model = cls()
        model._core = _nps._CoxModel.from_json(text)
        model.penalizer, model.alpha = model._core.penalizer, model._core.alpha
        model.strata = list(model._core.strata_columns) or None
        return model

    def save(self, path: Union[str, Path]) -> None:
        """Writes the model file."""
        _nps._write_atomic(str(path), self.to_json())  # a crash leaves the old file or the new

    @classmethod
    def load(cls, path: Union[str, Path]) -> "CoxModel":
        """Reads a model file."""
        return cls.from_json(Path(path).read_text())

    def __getstate__(self) -> dict:
        state = {k: v for k, v in self.__dict__.items() if k != "_core"}
        state["_model_file"] = None if self._core is None else self._core.to_json()
        return state

    def __setstate__(self, state: dict) -> None:
        text = state.pop("_model_file")
        self.__dict__.update(state)
        self._core = None if text is None else _nps._CoxModel.from_json(text)

    def __repr__(self) -> str:
        if self._core is None:
            return f"CoxModel(penalizer={self.penalizer})"
        return (f"<CoxModel: {len(self._core.covariates)} covariates, {self._core.observations} customers, "
                f"{self._core.events:g} events, concordance {self._core.concordance:.3f}>")

    def _repr_html_(self) -> str:
        s = self.summary
        rows = [[_html.esc(name), _html.num(r.iloc[0], 4), _html.num(r.iloc[1], 3), _html.num(r.iloc[2], 4),
                 _html.num(r.iloc[7], 2), f"{r.iloc[8]:.3g}"] for name, r in s.iterrows()]
        core = self._core
        return _html.block("CoxModel", f"{core.observations:,} customers, {core.events:,.0f} events, "
                           f"log-likelihood {_html.num(core.log_likelihood, 2)}, concordance "
                           f"{_html.num(core.concordance, 3)}",
                           _html.table(["covariate", "coef", "exp(coef)", "se(coef)", "z", "p"], rows))


def _covariate_matrix(df: pd.DataFrame, covariates: Sequence[Any]) -> np.ndarray:
    """The covariates as a float64 matrix; a column of text is an error naming it."""
    for c in covariates:
        kind = df[c].dtype.kind
        if kind not in "biuf":
            raise error("INVALID_PARAMETER", f"covariate {str(c)!r} must be numbers or booleans, got {df[c].dtype} "
                        "(one-hot encode a category, or pass it as strata)")
    # Any layout: a frame's block comes column-major, and the core reads it by columns.
    return df[list(covariates)].to_numpy(dtype=np.float64)


def _strata_labels(df: pd.DataFrame, columns: Sequence[str]) -> List[str]:
    if len(columns) == 1:
        return _labels(df[columns[0]], f"column {columns[0]!r}")
    parts = [_labels(df[c], f"column {c!r}") for c in columns]
    return [", ".join(p) for p in zip(*parts)]


def survival_data(events: Any, as_of: Any) -> pd.DataFrame:
    """Per customer of the event history (the table ``nps.features.retention`` reads), as of
    ``as_of``: ``tenure_days`` (from the first ``subscription_start`` to the departure or to
    ``as_of``; NaN without a start), ``churned`` (left before ``as_of``: the event; otherwise
    censored), ``start`` and ``churn_time``. Only events before ``as_of`` count, as for the
    churn features, so nothing after it leaks in. A customer leaves at a ``subscription_end``
    that closes the last open subscription, or at the last ``subscription_end`` when nothing
    follows it before ``as_of``."""
    from .features import encode_events
    from .survey import _epoch_second

    enc = encode_events(events)
    start, churn_time, tenure, churned = _nps._survival_data(
        np.ascontiguousarray(enc["customer"], dtype=np.uint32), np.ascontiguousarray(enc["time"], dtype=np.int64),
        np.ascontiguousarray(enc["kind"], dtype=np.uint32), [str(k) for k in enc["kind_names"]],
        _epoch_second(as_of, "as_of"))
    labels = list(enc["customer_labels"])[: len(tenure)]

    def times(seconds: np.ndarray) -> np.ndarray:
        out = np.full(seconds.shape, np.datetime64("NaT"), dtype="datetime64[s]")
        known = ~np.isnan(seconds)
        out[known] = seconds[known].astype(np.int64).astype("datetime64[s]")
        return out

    return pd.DataFrame({"tenure_days": tenure, "churned": churned, "start": times(start),
                         "churn_time": times(churn_time)}, index=pd.Index(labels, name="customer"))
