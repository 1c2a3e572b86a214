"""Monitoring a churn model after it ships: drift of its inputs and score, performance as
outcomes arrive, and recalibration without retraining. Every number comes from the Rust core
(``nps_core::monitor``); this module converts frames and arrays.

* ``drift(reference, current, bins=10)``: per input the population stability index over the
  reference's quantile bins (deciles; missing values a bin of their own; a bin empty on one
  side counts as a share of ``PSI_EPSILON`` = 1e-4), the two-sample Kolmogorov-Smirnov
  statistic (``scipy.stats.ks_2samp``'s), new and vanished categories, the change in missing
  rate and a severity (PSI below 0.1 ``none``, from 0.1 ``moderate``, from 0.25 ``major``).
  The reference may be the training rows or a saved ``ReferenceSummary``.
* ``performance(y, p, period)``: per period the count, event rate, ROC AUC with DeLong's
  interval, top-decile lift, Brier score, calibration in the large and slope, and a
  calibration-drift flag. ``delong_test`` compares two scores' AUCs on the same rows.
* ``Recalibrator("platt" | "isotonic")``: ``fit(p, y)``, ``predict(p)``, saved as JSON, or
  kept in the model file (``model.recalibrate(y, X)``, ``model.recalibration``).

Retraining:

* ``drift(model, current)``: against the reference summary the model recorded at fit, its
  score included.
* ``compare(champion, challenger, X, y)``: both models on the latest labelled window (AUC,
  DeLong's one-sided test, top-decile lift, Brier) and the promotion rule's
  :class:`PromotionDecision`, recorded in the challenger's ``lineage``.
* ``retrain_policy(drift, performance, training_auc, age_days)``: whether to retrain and
  why (:class:`RetrainAdvice`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import pandas as pd

from . import _checks, _html, _nps
from ._errors import not_fitted

__all__ = [
    "DEFAULT_BINS",
    "DriftReport",
    "MAJOR_PSI",
    "MODERATE_PSI",
    "PSI_EPSILON",
    "PromotionDecision",
    "Recalibrator",
    "ReferenceSummary",
    "RetrainAdvice",
    "auc_interval",
    "compare",
    "delong_test",
    "drift",
    "ks_2samp",
    "performance",
    "psi",
    "reference_summary",
    "retrain_policy",
]

#: Quantile bins of a numeric input by default (deciles).
DEFAULT_BINS: int = _nps.MONITOR_DEFAULT_BINS
#: The PSI from which drift is moderate by default.
MODERATE_PSI: float = _nps.MONITOR_MODERATE_PSI
#: The PSI from which drift is major by default.
MAJOR_PSI: float = _nps.MONITOR_MAJOR_PSI
#: The share a bin empty on one side counts as in the PSI.
PSI_EPSILON: float = _nps.MONITOR_PSI_EPSILON

_COLUMNS = ["kind", "psi", "ks", "ks_p_value", "severity", "reference_rows", "current_rows",
            "reference_missing_rate", "current_missing_rate", "missing_rate_change", "new_categories",
            "vanished_categories"]


def _frame(data: Any, what: str) -> pd.DataFrame:
    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, pd.Series):
        return data.to_frame()
    return pd.DataFrame(data)


def _columns(data: Any, what: str) -> List[Tuple[str, Any]]:
    """Each column as (name, float64 array) when numeric (booleans as 0/1, missing NaN), else
    (name, list of str or None)."""
    frame = _frame(data, what)
    out: List[Tuple[str, Any]] = []
    for name in frame.columns:
        col = frame[name]
        if col.dtype.kind in "biuf":
            values = np.ascontiguousarray(col.to_numpy(dtype=np.float64, na_value=np.nan))
            out.append((str(name), values))
        else:
            missing = col.isna().to_numpy()
            text = [None if m else str(v) for v, m in zip(col.tolist(), missing)]
            out.append((str(name), text))
    return out


class ReferenceSummary:
    """What drift is measured against, without the reference's rows: per input the quantile
    bin edges and shares, the category shares and the missing rate (and, for the KS
    statistic, the percentiles). Build it once from the training data
    (:func:`reference_summary`), save it with the model, compare recent windows to it with
    :func:`drift`. Against a summary the KS statistic is measured at the reference's
    percentiles: within about 0.01 of the exact one (``DriftReport.ks_exact`` is False)."""

    def __init__(self, text: str) -> None:
        self._json = _nps._check_reference_summary(text)
        self._doc = json.loads(self._json)

    @property
    def bins(self) -> int:
        """The quantile bins asked for."""
        return int(self._doc["bins"])

    @property
    def inputs(self) -> List[str]:
        """The inputs summarised, in order."""
        return [i["name"] for i in self._doc["inputs"]]

    def to_json(self) -> str:
        """The summary as JSON (``format`` ``nps.monitor_reference``)."""
        return self._json

    @classmethod
    def from_json(cls, text: str) -> "ReferenceSummary":
        """Reads a summary, checking it."""
        return cls(text)

    def save(self, path: Union[str, Path]) -> None:
        """Writes the JSON to ``path``."""
        _nps._write_atomic(str(path), self._json)  # a crash leaves the old file or the new

    @classmethod
    def load(cls, path: Union[str, Path]) -> "ReferenceSummary":
        """Reads a summary saved with :meth:`save`."""
        return cls(Path(path).read_text(encoding="utf-8"))

    def __repr__(self) -> str:
        return f"ReferenceSummary(inputs={len(self.inputs)}, bins={self.bins})"


def reference_summary(reference: Any, bins: int = DEFAULT_BINS) -> ReferenceSummary:
    """The :class:`ReferenceSummary` of a DataFrame (numeric columns by ``bins`` quantile
    bins, other columns by category)."""
    return ReferenceSummary(_nps._reference_summary(_columns(reference, "reference"), bins))


class DriftReport(pd.DataFrame):
    """The drift of every input: a pandas DataFrame indexed by input with ``kind``, ``psi``,
    ``ks``, ``ks_p_value``, ``severity``, rows, missing rates and their change, and new and
    vanished categories (``report["psi"]``, ``report.loc["tenure"]``; a slice or a computed
    frame is a plain DataFrame). On top of the frame: ``drifted`` and ``worst``,
    ``bins(input)`` one input's shares bin by bin, and ``to_json()`` / ``to_dict()``, which
    give the core's whole report (for a service) rather than pandas' rendering of the frame.
    In Jupyter it shows as a table, drifted inputs first."""

    _metadata = ["_json"]

    @property
    def _constructor(self) -> Any:
        return pd.DataFrame

    def __init__(self, text: str) -> None:
        rows = json.loads(text)["inputs"]
        super().__init__(
            {c: [_nan(r[c]) for r in rows] for c in _COLUMNS},
            index=pd.Index([r["input"] for r in rows], name="input"),
        )
        self._json = text

    @property
    def _doc(self) -> Dict[str, Any]:
        return json.loads(self._json)

    @property
    def frame(self) -> pd.DataFrame:
        """The report as a plain DataFrame."""
        return pd.DataFrame(self)

    @property
    def ks_exact(self) -> bool:
        """True when the reference was rows (exact KS), False for a summary."""
        return bool(self._doc["ks_exact"])

    @property
    def drifted(self) -> List[str]:
        """The inputs whose severity is moderate or major."""
        return [r["input"] for r in self._doc["inputs"] if r["severity"] != "none"]

    @property
    def worst(self) -> str:
        """The highest severity: ``none``, ``moderate`` or ``major``."""
        order = ["none", "moderate", "major"]
        return max((r["severity"] for r in self._doc["inputs"]), key=order.index, default="none")

    def bins(self, input: str) -> pd.DataFrame:
        """One input's bins (``label``) with the reference's and the current share."""
        for r in self._doc["inputs"]:
            if r["input"] == input:
                return pd.DataFrame(r["bins"]).set_index("label")
        raise KeyError(input)

    def to_json(self, *args: Any, **kwargs: Any) -> str:  # type: ignore[override]
        """The report as the core writes it (JSON); with pandas' arguments, pandas' JSON of
        the frame."""
        if args or kwargs:
            return pd.DataFrame(self).to_json(*args, **kwargs)
        return self._json

    def to_dict(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        """The report as plain Python data; with pandas' arguments, pandas' dict of the frame."""
        if args or kwargs:
            return pd.DataFrame(self).to_dict(*args, **kwargs)
        return json.loads(self._json)

    def __repr__(self) -> str:
        return f"DriftReport(worst={self.worst!r}, drifted={self.drifted!r})\n{pd.DataFrame(self)!r}"

    def _repr_html_(self) -> str:
        order = {"major": 0, "moderate": 1, "none": 2}
        rows = sorted(self._doc["inputs"], key=lambda r: (order[r["severity"]], -r["psi"]))
        body = []
        for r in rows:
            cats = ""
            if r["new_categories"] or r["vanished_categories"]:
                cats = _html.esc(f"new {r['new_categories']} / vanished {r['vanished_categories']}")
            body.append([_html.esc(r["input"]), _html.esc(r["severity"]), _html.num(r["psi"], 3),
                         _html.num(r["ks"], 3), _html.pct(r["reference_missing_rate"]),
                         _html.pct(r["current_missing_rate"]), cats])
        o = self._doc["options"]
        headline = (f"{len(self.drifted)} of {len(rows)} inputs drifted (worst: {_html.esc(self.worst)}; "
                    f"PSI moderate from {_html.num(o['moderate'])}, major from {_html.num(o['major'])})")
        table = _html.table(["input", "severity", "PSI", "KS", "missing (ref)", "missing (now)", "categories"], body)
        return _html.block("Drift report", headline, table)


def _nan(v: Any) -> Any:
    return float("nan") if v is None else v


def drift(reference: Any, current: Any, bins: int = DEFAULT_BINS, *, moderate: float = MODERATE_PSI,
          major: float = MAJOR_PSI) -> DriftReport:
    """Drift of ``current`` (a DataFrame) from ``reference``: a DataFrame of the training
    window, a :class:`ReferenceSummary`, a summary's JSON, or a fitted model (``ChurnModel``,
    ``BoostedChurnModel``), compared with the summary it recorded at fit: its inputs and its
    score (``score``, the probability before any recalibration, computed here on
    ``current``). Every reference input must be a column of ``current`` (other columns are
    left alone). Numeric columns: PSI over the reference's ``bins`` quantile bins (closed on
    the right) and the exact KS statistic; other columns: PSI over the categories. See
    :class:`DriftReport`. A model without a stored summary raises ``NpsError``."""
    if hasattr(reference, "_core") and hasattr(reference, "reference_summary"):
        model = reference._fitted()
        X, _ = model._input(current)
        names, columns = model._columns(X)
        return DriftReport(model._model.drift(names, columns, moderate, major))
    cur = _columns(current, "current")
    if isinstance(reference, str):
        reference = ReferenceSummary(reference)
    if isinstance(reference, ReferenceSummary):
        return DriftReport(_nps._drift_from_summary(reference.to_json(), cur, moderate, major))
    return DriftReport(_nps._drift(_columns(reference, "reference"), cur, bins, moderate, major))


def _labels(values: Any) -> List[str]:
    return [str(v) for v in (values.tolist() if hasattr(values, "tolist") else list(values))]


def performance(y: Any, p: Any, period: Any, *, order: Optional[Sequence[Any]] = None,
                level: float = _nps.DEFAULT_LEVEL, lift_bins: int = _nps.MONITOR_LIFT_BINS,
                alpha: float = _nps.DEFAULT_ALPHA, citl_tolerance: float = _nps.MONITOR_CITL_TOLERANCE,
                slope_low: float = _nps.MONITOR_SLOPE_LOW,
                slope_high: float = _nps.MONITOR_SLOPE_HIGH) -> pd.DataFrame:
    """Performance per period: ``y`` the outcomes (0/1), ``p`` the model's probabilities,
    ``period`` each row's period (month, cohort; compared as text). A DataFrame indexed by
    period (sorted, or in ``order``, which must hold every period) with ``count``,
    ``events``, ``event_rate``, ``mean_predicted``, ``calibration_in_the_large`` (observed
    minus predicted), ``citl_z``, ``auc`` with DeLong's ``auc_se``, ``auc_lower``,
    ``auc_upper``, ``top_lift``, ``brier``, ``calibration_intercept``, ``calibration_slope``
    (and its ``calibration_slope_se``) and ``calibration_drift``. Numbers a period cannot
    define (the AUC of one class) are NaN. Drift is flagged when observed and predicted
    differ significantly (``alpha``) by at least ``citl_tolerance``, or the slope differs
    significantly from 1 and lies outside [``slope_low``, ``slope_high``]."""
    text = _nps._performance(y, p, _labels(period), None if order is None else _labels(order), level, lift_bins,
                             alpha, citl_tolerance, slope_low, slope_high)
    rows = json.loads(text)
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    for c in frame.columns:
        if c not in ("period", "calibration_drift", "count", "events"):
            frame[c] = frame[c].astype("float64")
    frame = frame.set_index("period")
    frame.attrs["json"] = text  # the core's rows, for retrain_policy
    return frame


def delong_test(y: Any, score_a: Any, score_b: Any) -> Dict[str, float]:
    """DeLong's paired test of two scores' ROC AUCs on the same rows: ``auc_a``, ``auc_b``,
    ``difference``, its ``se`` (both variances and their covariance), ``z`` and the
    two-sided ``p_value``."""
    return dict(_nps._delong_test(y, score_a, score_b))


def auc_interval(y: Any, score: Any, level: float = _nps.DEFAULT_LEVEL) -> Dict[str, float]:
    """The ROC AUC with DeLong's standard error and a ``level`` interval (clipped to
    [0, 1]): ``auc``, ``se``, ``lower``, ``upper``."""
    auc, se, lower, upper = _nps._auc_interval(y, score, level)
    return {"auc": auc, "se": se, "lower": lower, "upper": upper}


def ks_2samp(a: Any, b: Any) -> Tuple[float, float]:
    """The two-sample Kolmogorov-Smirnov statistic (scipy's ``ks_2samp(a, b).statistic``; NaN
    values left out) and its asymptotic p-value (Kolmogorov's distribution)."""
    return _nps._ks_2samp(a, b)


def psi(reference: Sequence[float], current: Sequence[float]) -> float:
    """The population stability index of two aligned share vectors (a zero share read as
    ``PSI_EPSILON``)."""
    return _nps._psi([float(v) for v in reference], [float(v) for v in current])


class Recalibrator:
    """Recalibration without retraining, scikit-learn style: ``method="platt"`` (a logistic
    regression of the outcome on logit(p), probabilities clipped to [1e-12, 1 - 1e-12]) or
    ``"isotonic"`` (scikit-learn's ``IsotonicRegression(out_of_bounds="clip")``: ties
    averaged, sample weights). ``fit(p, y)``, then ``predict(p)`` (or ``transform``) gives
    calibrated probabilities. Saved with ``to_json``; the JSON can sit in a model file."""

    def __init__(self, method: str = "isotonic") -> None:
        self.method = method

    def get_params(self, deep: bool = True) -> Dict[str, Any]:
        return {"method": self.method}

    def set_params(self, **params: Any) -> "Recalibrator":
        for k, v in params.items():
            setattr(self, k, v)
        return self

    def fit(self, p: Any, y: Any, sample_weight: Any = None) -> "Recalibrator":
        """Fits on probabilities ``p`` and outcomes ``y`` (0/1)."""
        self._fitted = _nps._Recalibration.fit(self.method, y, p, sample_weight)
        self._set_attributes()
        return self

    def _set_attributes(self) -> None:
        doc = json.loads(self._fitted.to_json())
        self.method = doc["method"]
        if self.method == "platt":
            self.intercept_ = doc["intercept"]
            self.slope_ = doc["slope"]
        else:
            self.X_thresholds_ = np.asarray(doc["x"], dtype=np.float64)
            self.y_thresholds_ = np.asarray(doc["y"], dtype=np.float64)

    def _model(self) -> Any:
        model = getattr(self, "_fitted", None)
        if model is None:
            raise not_fitted("this Recalibrator is not fitted yet: call fit(p, y) first")
        return model

    def predict(self, p: Any) -> np.ndarray:
        """The calibrated probabilities of ``p``."""
        return self._model().apply(p)

    def transform(self, p: Any) -> np.ndarray:
        """The same as :meth:`predict`."""
        return self.predict(p)

    def fit_transform(self, p: Any, y: Any, sample_weight: Any = None) -> np.ndarray:
        """``fit`` then ``transform`` on the same probabilities."""
        return self.fit(p, y, sample_weight).transform(p)

    def to_json(self) -> str:
        """The fitted recalibration as JSON (``{"method": ..., ...}``)."""
        return self._model().to_json()

    @classmethod
    def from_json(cls, text: str) -> "Recalibrator":
        """Reads a recalibration saved with :meth:`to_json`."""
        fitted = _nps._Recalibration.from_json(text)
        r = cls(fitted.method)
        r._fitted = fitted
        r._set_attributes()
        return r

    def __repr__(self) -> str:
        return f"Recalibrator(method={self.method!r})"



# -- retraining --------------------------------------------------------------------------------

#: The one-sided significance level a better-ranking challenger needs.
PROMOTION_ALPHA: float = _nps.MONITOR_PROMOTION_ALPHA
#: How far below the champion's AUC a better-calibrated challenger's may be.
AUC_MARGIN: float = _nps.MONITOR_AUC_MARGIN
#: How much lower a better-calibrated challenger's Brier score must be.
BRIER_MARGIN: float = _nps.MONITOR_BRIER_MARGIN
#: Moderately drifted inputs that call for retraining.
MODERATE_INPUTS: int = _nps.MONITOR_MODERATE_INPUTS
#: The drop in AUC from training that calls for retraining.
AUC_DROP: float = _nps.MONITOR_AUC_DROP
#: Consecutive latest periods flagged for calibration drift that call for retraining.
CALIBRATION_PERIODS: int = _nps.MONITOR_CALIBRATION_PERIODS
#: The age in days that calls for retraining.
MAX_AGE_DAYS: float = _nps.MONITOR_MAX_AGE_DAYS


class PromotionDecision:
    """A recorded champion-and-challenger decision: ``promote``, the ``clause`` that
    decided (``better_auc``, ``better_calibrated`` or ``champion_stays``), the ``reason`` in
    words, each model's ``auc``, ``top_lift``, ``brier`` (``champion``, ``challenger``),
    DeLong's test (``delong``), the one-sided p-values, the differences in lift and Brier,
    and the rule applied. ``to_json()`` for a log; in Jupyter a table."""

    def __init__(self, text: str) -> None:
        self._json = text
        self._doc: Dict[str, Any] = json.loads(text)

    @property
    def promote(self) -> bool:
        """Whether the challenger replaces the champion."""
        return bool(self._doc["promote"])

    @property
    def clause(self) -> str:
        """``better_auc``, ``better_calibrated`` or ``champion_stays``."""
        return str(self._doc["clause"])

    @property
    def reason(self) -> str:
        """The reason in words, with the numbers."""
        return str(self._doc["reason"])

    @property
    def champion(self) -> Dict[str, float]:
        """The champion's ``auc``, ``top_lift``, ``brier``, ``mean_predicted`` on the window."""
        return dict(self._doc["champion"])

    @property
    def challenger(self) -> Dict[str, float]:
        """The challenger's numbers on the window."""
        return dict(self._doc["challenger"])

    @property
    def delong(self) -> Dict[str, float]:
        """DeLong's paired test, A the challenger: ``auc_a``, ``auc_b``, ``difference``,
        ``se``, ``z``, two-sided ``p_value``."""
        return dict(self._doc["delong"])

    def __getitem__(self, key: str) -> Any:
        return self._doc[key]

    def to_json(self) -> str:
        """The decision as the core writes it (JSON)."""
        return self._json

    def to_dict(self) -> Dict[str, Any]:
        """The decision as plain Python data."""
        return json.loads(self._json)

    def __repr__(self) -> str:
        return f"PromotionDecision(promote={self.promote}, clause={self.clause!r})"

    def _repr_html_(self) -> str:
        d = self._doc
        body = []
        for name in ("champion", "challenger"):
            m = d[name]
            body.append([name, _html.esc(d[f"{name}_id"]), _html.num(m["auc"], 4), _html.num(m["top_lift"], 2),
                         _html.num(m["brier"], 4), _html.pct(m["mean_predicted"])])
        table = _html.table(["model", "id", "AUC", "top-decile lift", "Brier", "mean predicted"], body)
        verdict = "promote the challenger" if d["promote"] else "keep the champion"
        headline = (f"{_html.esc(verdict)} ({_html.esc(d['clause'])}): {_html.esc(d['reason'])}; "
                    f"{d['rows']} customers, {d['events']} churners")
        return _html.block("Champion and challenger", headline, table)


def compare(champion: Any, challenger: Any, X: Any, y: Any, *, alpha: float = PROMOTION_ALPHA,
            auc_margin: float = AUC_MARGIN, brier_margin: float = BRIER_MARGIN,
            lift_bins: int = _nps.MONITOR_PROMOTION_LIFT_BINS, decided_at: Optional[str] = None,
            record: bool = True) -> PromotionDecision:
    """Champion against challenger (fitted models of any kind: ``ChurnModel``,
    ``BoostedChurnModel``) on the latest labelled window ``X``, ``y`` (0/1): each model's
    probabilities (its recalibration applied), AUC, top-decile lift and Brier score,
    DeLong's paired test, and the promotion rule: promote when the challenger's AUC is higher
    with a one-sided p-value below ``alpha``, or when it is at most ``auc_margin`` lower (and
    not significantly) with a Brier score lower by at least ``brier_margin``. With
    ``record`` the decision goes into the challenger's ``lineage`` (when promoted, the
    champion's ``model_id`` becomes its parent and its numbers the metrics at promotion)."""
    p_a = np.asarray(champion.churn_probability(X), dtype=np.float64)
    p_b = np.asarray(challenger.churn_probability(X), dtype=np.float64)
    y01 = y.to_numpy() if hasattr(y, "to_numpy") else y
    text = _nps._compare_scores(y01, p_a, p_b, champion.model_id, challenger.model_id, float(alpha),
                                float(auc_margin), float(brier_margin), _checks.whole(lift_bins, "lift_bins"), decided_at)
    if record:
        challenger._fitted()._model.record_decision(text)
    return PromotionDecision(text)


class RetrainAdvice:
    """The retrain policy's answer: ``retrain`` (bool), the ``reasons`` (each a dict:
    ``kind`` of ``drift``, ``performance``, ``calibration`` or ``age``, ``detail`` in words,
    the ``inputs`` concerned, the measured ``value`` and the ``threshold``), ``notes`` (what
    was seen that does not call for retraining on its own) and the ``policy`` applied.
    ``to_json()`` for a service."""

    def __init__(self, text: str) -> None:
        self._json = text
        self._doc: Dict[str, Any] = json.loads(text)

    @property
    def retrain(self) -> bool:
        """Whether to retrain."""
        return bool(self._doc["retrain"])

    @property
    def reasons(self) -> List[Dict[str, Any]]:
        """Why (empty when not)."""
        return list(self._doc["reasons"])

    @property
    def notes(self) -> List[Dict[str, Any]]:
        """What was seen that does not call for retraining on its own."""
        return list(self._doc["notes"])

    def __bool__(self) -> bool:
        return self.retrain

    def to_json(self) -> str:
        """The advice as the core writes it (JSON)."""
        return self._json

    def to_dict(self) -> Dict[str, Any]:
        """The advice as plain Python data."""
        return json.loads(self._json)

    def __repr__(self) -> str:
        return f"RetrainAdvice(retrain={self.retrain}, reasons={[r['kind'] for r in self.reasons]})"

    def _repr_html_(self) -> str:
        rows = [[_html.esc(kind), _html.esc(r["kind"]), _html.esc(r["detail"])]
                for kind, items in (("reason", self.reasons), ("note", self.notes)) for r in items]
        table = _html.table(["", "kind", "detail"], rows)
        headline = "retrain" if self.retrain else "no need to retrain"
        return _html.block("Retrain policy", _html.esc(headline), table)


def retrain_policy(drift: Any = None, performance: Any = None, training_auc: Optional[float] = None,
                   age_days: Optional[float] = None, *, moderate_inputs: int = MODERATE_INPUTS,
                   auc_drop: float = AUC_DROP, calibration_periods: int = CALIBRATION_PERIODS,
                   max_age_days: float = MAX_AGE_DAYS) -> RetrainAdvice:
    """Whether to retrain and why, from any of: a :class:`DriftReport` (or its JSON) of the
    latest window against the model's reference (``major`` drift anywhere, or at least
    ``moderate_inputs`` moderate inputs); the :func:`performance` frame (or its JSON rows),
    oldest period first, with the ``training_auc`` it is compared with (the latest AUC lower
    by at least ``auc_drop``; the last ``calibration_periods`` periods all flagged for
    calibration drift); the model's ``age_days`` (at least ``max_age_days``). Parts not given
    give no reason. See :class:`RetrainAdvice`."""
    drift_json = drift if drift is None or isinstance(drift, str) else drift.to_json()
    if performance is None or isinstance(performance, str):
        perf_json = performance
    elif isinstance(performance, pd.DataFrame):
        perf_json = performance.attrs.get("json")
        if perf_json is None:
            frame = performance.reset_index()
            perf_json = frame.to_json(orient="records")
    else:
        perf_json = json.dumps(list(performance))
    return RetrainAdvice(_nps._retrain_policy(drift_json, perf_json, None if training_auc is None else float(training_auc),
                                              None if age_days is None else float(age_days),
                                              _checks.whole(moderate_inputs, "moderate_inputs"),
                                              float(auc_drop), _checks.whole(calibration_periods, "calibration_periods"),
                                              float(max_age_days)))
