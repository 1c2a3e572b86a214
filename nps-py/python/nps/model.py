"""Churn scoring: ``ChurnModel``, an L2-regularised logistic regression with
scikit-learn's estimator conventions, whose model file scores identically in Rust, Python
and Node.

It takes a pandas DataFrame (numeric, boolean and categorical columns; NaN allowed in
numeric ones), a dict of arrays, or a 2-D numpy array. With ``standardize=True`` (the
default) it learns a :class:`nps.TableEncoder` of its inputs (imputation with missing
indicators, standardisation, one-hot categories) and saves it in the model file, so a
service scores raw inputs; with ``standardize=False`` numeric inputs are used as given, and
the fit equals scikit-learn's ``LogisticRegression`` on the same matrix. Training and
scoring release the GIL.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping, Optional, Union

import numpy as np

from . import _nps
from ._errors import error, not_fitted
from . import _checks
from ._arrow import Columns, io
from ._tables import bool_columns, one_row, to_columns
from .encode import _specs

try:
    from sklearn.base import BaseEstimator, ClassifierMixin
except ImportError:  # pragma: no cover - exercised only without scikit-learn
    from ._sklearn_compat import BaseEstimator, ClassifierMixin


class _CoreModel:
    """What the estimators share: the core model behind them (``_model``), its file, and
    pickling through that file."""

    _core: Any = None  # the core class, with from_json

    def to_json(self) -> str:
        """The model file (versioned JSON), readable from Rust, Python and Node."""
        return self._fitted()._model.to_json()

    def save(self, path: Union[str, Path]) -> None:
        """Writes the model file."""
        _nps._write_atomic(str(path), self.to_json())  # a crash leaves the old file or the new

    @classmethod
    def load(cls, path: Union[str, Path]) -> Any:
        """Reads a model file (see ``from_json``)."""
        return cls.from_json(Path(path).read_text(encoding="utf-8"))

    def _fitted(self) -> Any:
        if not hasattr(self, "_model"):
            raise not_fitted(f"this {type(self).__name__} is not fitted yet: call fit first")
        return self

    def _input(self, X: Any) -> tuple:
        """(X as a table the model reads, whether it was one customer): the model is
        fitted, one customer (a dict, a Series) is a one-row table, and X is checked as
        scikit-learn checks it (2-D, dense, real, as wide as the training data)."""
        self._fitted()
        X, one = one_row(X)
        return _checks.table(self, X, fit=False), one

    # -- monitoring and retraining: what the model file keeps --------------------------------

    @property
    def reference_summary(self) -> Any:
        """The :class:`nps.monitor.ReferenceSummary` of the training inputs and score (the
        probability before any recalibration, as the input ``score``) recorded at fit, or
        None (a model read from an older file). ``nps.monitor.drift(model, recent)``
        compares a window with it. Set it to a summary (or None) to replace it."""
        from .monitor import ReferenceSummary

        text = self._fitted()._model.reference_summary_json
        return None if text is None else ReferenceSummary(text)

    @reference_summary.setter
    def reference_summary(self, summary: Any) -> None:
        m = self._fitted()._model
        text = None if summary is None else (summary if isinstance(summary, str) else summary.to_json())
        m.set_monitoring(text, m.recalibration_json, m.lineage_json)

    @property
    def recalibration(self) -> Any:
        """The :class:`nps.monitor.Recalibrator` applied to every probability the model
        returns (``predict_proba``, ``churn_probability``), or None. Explanations
        (contributions, log-odds) stay on the raw score. Set a fitted Recalibrator (or None),
        or use :meth:`recalibrate`."""
        from .monitor import Recalibrator

        text = self._fitted()._model.recalibration_json
        return None if text is None else Recalibrator.from_json(text)

    @recalibration.setter
    def recalibration(self, recalibrator: Any) -> None:
        m = self._fitted()._model
        text = None if recalibrator is None else (recalibrator if isinstance(recalibrator, str)
                                                  else recalibrator.to_json())
        m.set_monitoring(m.reference_summary_json, text, m.lineage_json)

    def recalibrate(self, y: Any, p_or_X: Any, method: str = _nps.DEFAULT_RECALIBRATION) -> Any:
        """Fits a recalibration (``"platt"`` or ``"isotonic"``) on recent outcomes ``y`` and
        keeps it in the model (and its file): ``p_or_X`` is either the model's raw
        probabilities of those customers (a 1-D array) or their inputs (a table), scored
        here before any recalibration. Returns the model."""
        m = self._fitted()._model
        if isinstance(p_or_X, (list, tuple)) or getattr(p_or_X, "ndim", None) == 1:
            p = np.asarray(p_or_X, dtype=np.float64)
        else:
            X, _ = self._input(p_or_X)
            names, columns = self._columns(X)
            p = m.raw_proba(names, columns)
        y01 = np.asarray(y, dtype=np.float64) if not hasattr(self, "classes_") else _as_01(y, self.classes_)
        m.recalibrate(method, y01, p)
        return self

    @property
    def lineage(self) -> Optional[dict]:
        """Where the model comes from: ``parent`` (the id of the model it replaced),
        ``data_window`` (``from``, ``to``, ``rows``), ``training_metrics``,
        ``promotion_metrics`` and the promotion ``decisions`` taken with it as the
        challenger; None when nothing was recorded. Set a dict of those keys (or None)."""
        text = self._fitted()._model.lineage_json
        return None if text is None else json.loads(text)

    @lineage.setter
    def lineage(self, value: Optional[Mapping[str, Any]]) -> None:
        m = self._fitted()._model
        m.set_monitoring(m.reference_summary_json, m.recalibration_json,
                         None if value is None else json.dumps(dict(value)))

    @property
    def model_id(self) -> str:
        """The model's id: ``"fnv1a64:"`` and the 16 hex digits of the FNV-1a hash of its
        file (``to_json()``); the same file has the same id in every language."""
        return self._fitted()._model.model_id

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        if "_model" in state:
            state["_model"] = state["_model"].to_json()
        return state

    def __setstate__(self, state: dict) -> None:
        if "_model" in state:
            state["_model"] = type(self)._core.from_json(state["_model"])
        self.__dict__.update(state)


class ChurnModel(_CoreModel, ClassifierMixin, BaseEstimator):
    """L2-regularised logistic regression for churn (scikit-learn conventions: ``fit``,
    ``predict_proba``, ``predict``, ``decision_function``, ``get_params``/``set_params``,
    ``classes_``, ``coef_``, ``intercept_``; works in ``Pipeline`` and
    ``cross_val_score``, and pickles).

    Parameters
    ----------
    C : float
        Inverse regularisation strength, scikit-learn's meaning (larger is weaker); the
        intercept is not penalised.
    class_weight : None, "balanced" or {0: w0, 1: w1}
        Class weights ("balanced": n / (2 n_k)).
    fit_intercept : bool
    tol : float
        Stop when the largest absolute gradient of the objective over C times the total
        weight is at most ``tol`` (Newton's method gets there in a handful of iterations).
    max_iter : int
        Newton iterations at most; ``convergence_["converged"]`` says whether it sufficed.
    standardize : bool
        Learn and save an input encoder (see the module docstring).
    kinds : dict, optional
        Column kind overrides for the encoder (``"numeric"``, ``"categorical"``,
        ``"boolean"``).
    unseen : {"error", "ignore"}
        A category not seen in training at scoring time.
    record_reference : bool
        Keep a summary of the training inputs and score in the model (``reference_summary``)
        so that ``nps.monitor.drift(model, X_now)`` needs no training rows (docs/monitoring.md);
        the coefficients do not depend on it.
    """

    _core = _nps._ChurnModel

    def __init__(self, C: float = 1.0, class_weight: Any = None, fit_intercept: bool = True, tol: float = 1e-8,
                 max_iter: int = 100, standardize: bool = True, kinds: Optional[Mapping[str, str]] = None,
                 unseen: str = "error", record_reference: bool = True):
        self.C = C
        self.class_weight = class_weight
        self.fit_intercept = fit_intercept
        self.tol = tol
        self.max_iter = max_iter
        self.standardize = standardize
        self.kinds = kinds
        self.unseen = unseen
        self.record_reference = record_reference

    # -- training ---------------------------------------------------------------------------

    @io("X", "y", "sample_weight")
    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> "ChurnModel":
        """Fits on X (rows are customers) and y (two classes; ``classes_[1]`` is churn)."""
        X = _checks.table(self, X, fit=True)
        y = _checks.target(self, X, y)
        w = _checks.weights(sample_weight, _checks.rows(X))
        width = np.shape(X)[1] if isinstance(X, np.ndarray) else 0
        # Numbers throughout (a float matrix or an all-numeric DataFrame): read in place by
        # the core; anything else goes column by column.
        matrix = None if self.kinds else _numeric_matrix(X, [f"x{j}" for j in range(width)])
        names, columns = (matrix[1], None) if matrix is not None else to_columns(X)
        classes, y01 = _binary_target(X, y)
        cw = self.class_weight
        if isinstance(cw, Mapping):
            cw = (float(cw.get(classes[0], cw.get(0, 1.0))), float(cw.get(classes[1], cw.get(1, 1.0))))
        options = (float(self.C), bool(self.fit_intercept), float(self.tol), _checks.whole(self.max_iter, "max_iter"), cw, self.unseen,
                   bool(self.standardize))
        record = bool(self.record_reference)
        if matrix is not None:
            self._model = _nps._ChurnModel.fit_matrix(matrix[0], names, y01, w, *options, record_reference=record)
        else:
            specs = _specs(names, columns, self.kinds, (), bool_columns(X))
            self._model = _nps._ChurnModel.fit(names, columns, y01, w, specs, *options, record_reference=record)
        self._model.set_trained_at(datetime.now(timezone.utc).isoformat(timespec="seconds"))
        self.classes_ = classes
        self._set_fitted_attributes(names if hasattr(X, "columns") else None, len(names))
        return self

    def _set_fitted_attributes(self, names: Optional[list], n_inputs: int) -> None:
        self.coef_ = self._model.coef[None, :]
        self.intercept_ = np.array([self._model.intercept])
        self.n_features_in_ = n_inputs
        if names is not None:
            self.feature_names_in_ = np.array(names, dtype=object)
        training = json.loads(self._model.to_json())["training"]
        self.n_iter_ = np.array([training["convergence"]["iterations"]])

    # -- scoring ----------------------------------------------------------------------------

    def _columns(self, X: Any) -> tuple[list, list]:
        self._fitted()
        if hasattr(X, "columns") or isinstance(X, dict):
            return to_columns(X)
        return to_columns(X, self._model.inputs)

    @io("X")
    def decision_function(self, X: Any) -> np.ndarray:
        """Log-odds of churn per row (X: a table, or one customer as a dict or a Series)."""
        names, columns = self._columns(self._input(X)[0])
        return self._model.decision_function(names, columns)

    @io("X")
    def predict_proba(self, X: Any) -> np.ndarray:
        """Probabilities, one column per class in ``classes_`` order (the second is churn)."""
        p = self.churn_probability(self._input(X)[0])
        return np.column_stack([1.0 - p, p])

    @io("X")
    def predict(self, X: Any) -> np.ndarray:
        """The more likely class of each row (churn where the log-odds are positive)."""
        z = self.decision_function(X)
        return self.classes_[(z > 0).astype(int)]

    @io("X")
    def churn_probability(self, X: Any) -> Union[np.ndarray, float]:
        """P(churn) per row: the core's number, the same to the bit in Rust and Node. One
        customer (a dict ``{input: value}`` or a Series such as ``X.iloc[0]``) gives one
        float."""
        self._fitted()
        X, one = self._input(X)
        matrix = _numeric_matrix(X, self._model.inputs)
        if matrix is not None:  # read in place by the core, no per-column copies
            p = self._model.predict_proba_matrix(*matrix)
        else:
            names, columns = self._columns(X)
            p = self._model.predict_proba(names, columns)
        return float(p[0]) if one else p

    # -- why: factor attribution ------------------------------------------------------------

    def spark_sql(self) -> str:
        """The model as one Spark SQL expression over its input columns: P(churn), equal to
        ``churn_probability`` to the bit when numeric inputs are numeric columns, categorical
        ones strings and boolean ones booleans or 0/1 (``df.select(F.expr(sql))``; the core
        takes its exponential from Java's ``StrictMath.exp``, as Spark's ``exp`` does). A row
        the core would refuse stops the job with the core's words. ``nps.spark.score`` uses
        it. A recalibrated model has none (``nps.NpsError``)."""
        return self._fitted()._model.spark_sql()[0]

    @io("X")
    def contributions(self, X: Any) -> Any:
        """Each input's exact contribution to each row's log-odds, against the baseline of
        the training mean (``attrs["baseline"]``): baseline + row sum = log-odds. Columns of
        one source (one-hot categories, a value and its missing indicator) are summed back
        to it. A DataFrame (rows as X's, one column per input) or an array without pandas."""
        X, _ = self._input(X)
        names, columns = self._columns(X)
        c, baseline, _ = self._model.contributions(names, columns)
        return _contribution_frame(c, self._model.inputs, baseline, X)

    @io("X")
    def importance(self, X: Any) -> Any:
        """Global importance: the mean absolute contribution of each input over X, largest
        first."""
        c = self.contributions(X)
        return c.abs().mean().sort_values(ascending=False) if hasattr(c, "abs") else np.abs(c).mean(axis=0)

    @io("X")
    def explain(self, X: Any, top: int = _nps.DEFAULT_TOP_FACTORS) -> Any:
        """The ``top`` factors raising and lowering each row's risk, as an agent reads them:
        one row per (customer, factor) with the direction, the contribution to the log-odds,
        the customer's value and the population's typical value, plus the probability.
        X: a table, or one customer as a dict or a Series (``X.iloc[0]``)."""
        X, _ = self._input(X)
        names, columns = self._columns(X)
        return _explanation_frame(self._model.explain(names, columns, _checks.whole(top, "top")), X)

    # -- the model file ---------------------------------------------------------------------

    @property
    def feature_names_(self) -> list:
        """Names of the encoded columns, in ``coef_`` order."""
        return self._fitted()._model.columns

    @property
    def inputs_(self) -> list:
        """Names of the inputs the model reads."""
        return self._fitted()._model.inputs

    @property
    def training_(self) -> dict:
        """Training metadata: rows, positives, convergence, metrics, trained_at."""
        return json.loads(self._fitted()._model.to_json())["training"]

    @property
    def convergence_(self) -> dict:
        """Iterations, final gradient, objective, converged flag."""
        return self.training_["convergence"]

    def record_metric(self, name: str, value: float) -> "ChurnModel":
        """Stores an evaluation result (e.g. ``cv_roc_auc``) in the model file."""
        self._fitted()._model.set_metric(name, float(value))
        return self

    @classmethod
    def from_json(cls, text: str) -> "ChurnModel":
        """A model from its file; everything is checked (``NpsError`` says what is wrong).
        ``classes_`` are 0 and 1."""
        core = _nps._ChurnModel.from_json(text)
        options = json.loads(text)["options"]
        lo, enc = options["logistic"], options["encoder"]
        cw = lo["class_weight"]
        cw = None if cw == "none" else ("balanced" if cw == "balanced" else {0: cw["custom"]["negative"], 1: cw["custom"]["positive"]})
        model = cls(C=lo["c"], class_weight=cw, fit_intercept=lo["fit_intercept"], tol=lo["tol"], max_iter=lo["max_iter"],
                    standardize=enc["standardize"], unseen=enc["unseen"])
        model._model = core
        model.classes_ = np.array([0, 1])
        model._set_fitted_attributes(core.inputs, len(core.inputs))
        return model

    def __sklearn_tags__(self) -> Any:
        """scikit-learn's tags: a binary classifier (two classes), NaN allowed (imputed),
        dense input only."""
        return _checks.tags_for(self, super().__sklearn_tags__(), binary=True)

    def _repr_html_(self) -> str:
        """A summary for Jupyter: training rows and churners, convergence, recorded
        metrics and the largest coefficients (or the parameters when not fitted)."""
        from . import _html

        return _html.churn_model(self)

    def _repr_mimebundle_(self, **kwargs: Any) -> dict:
        """Jupyter shows this summary, not scikit-learn's estimator diagram (which
        ``BaseEstimator`` offers through this method, ahead of ``_repr_html_``)."""
        return {"text/plain": repr(self), "text/html": self._repr_html_()}



def _as_01(y: Any, classes: Any) -> np.ndarray:
    """Outcomes as 0/1 floats: the second of ``classes`` is churn (0/1 and booleans pass)."""
    values = np.asarray(y)
    if values.dtype.kind in "biuf":
        return values.astype(np.float64)  # the core checks that they are 0/1
    return (values == classes[1]).astype(np.float64)


def _contribution_frame(c: np.ndarray, inputs: list, baseline: float, X: Any) -> Any:
    """Contributions as a DataFrame (rows as X's, one column per input, the baseline in
    ``attrs``), or the array without pandas."""
    try:
        import pandas as pd
    except ImportError:
        return c
    frame = pd.DataFrame(c, columns=inputs, index=getattr(X, "index", None))
    frame.attrs["baseline"] = baseline
    return frame


def _explanation_frame(rows: list, X: Any) -> Any:
    """The core's explanations as one row per (customer, factor), the same for every model
    kind: direction, rank, contribution, the customer's value and the typical value in the
    input's own type (a float for a number, a bool for a yes/no input, the label of a
    category, None for missing), and ``mix``: for a category or a boolean, the training
    share of each value ({value: share}, largest first), which is what the contribution is
    measured against; None for a number (measured against its typical value, the mean)."""
    index = list(getattr(X, "index", range(len(rows))))
    records = []
    for label, (p, _z, _baseline, up, down) in zip(index, rows):
        for direction, factors in (("raises", up), ("lowers", down)):
            for rank, (name, contribution, value, typical, mix) in enumerate(factors, 1):
                records.append({"customer": label, "probability": p, "direction": direction, "rank": rank,
                                "factor": name, "contribution": contribution, "value": value, "typical": typical,
                                "mix": dict(mix) if mix else None})
    try:
        import pandas as pd
    except ImportError:
        return records
    columns = ["customer", "probability", "direction", "rank", "factor", "contribution", "value", "typical", "mix"]
    frame = pd.DataFrame.from_records(records, columns=columns)
    # Each value keeps its type (a float, a bool, a str, None), whatever the others are.
    for c in ("value", "typical", "mix"):
        frame[c] = pd.Series([r[c] for r in records], index=frame.index, dtype=object)
    return frame


def _binary_target(X: Any, y: Any) -> tuple:
    """(classes, 0/1 floats) of a churn label: one per row of X, no NaN, two classes
    (``classes[1]``, the larger, is churn)."""
    y = np.asarray(y)
    n = _checks.rows(X)
    if y.ndim != 1 or len(y) != n:
        raise error("LENGTH_MISMATCH", f"y must be one label per row of X ({n}), got shape {y.shape}")
    if y.dtype.kind == "f" and np.isnan(y).any():
        raise error("MISSING_VALUE", f"y[{int(np.argmax(np.isnan(y)))}] is missing (NaN)")
    classes = _classes(y)
    if len(classes) != 2:
        more = " Only binary classification is supported." if len(classes) > 2 else ""
        raise error("INVALID_PARAMETER", f"y must hold exactly two classes (churn and not), got {len(classes)} "
                                         f"class{'' if len(classes) == 1 else 'es'}: {classes[:5].tolist()}.{more}")
    return classes, (y == classes[1]).astype(np.float64)


def _classes(y: np.ndarray) -> np.ndarray:
    """``np.unique(y)``; for numbers with exactly two values, found in two linear passes
    instead of a sort (a sort of a million labels costs as much as scoring them)."""
    if y.dtype.kind in "biuf" and len(y):
        lo, hi = y.min(), y.max()
        if lo != hi and not np.any((y != lo) & (y != hi)):
            return np.array([lo, hi], dtype=y.dtype)
    return np.unique(y)


def _numeric_matrix(X: Any, inputs: list) -> Optional[tuple]:
    """(float64 matrix, column names) when X is numeric throughout, else None. A float64
    matrix in C or Fortran order is passed as it is: the core reads it in place."""
    if isinstance(X, np.ndarray) and X.ndim == 2 and X.dtype.kind in "fiu":
        if X.dtype == np.float64 and (X.flags.c_contiguous or X.flags.f_contiguous):
            return X, list(inputs)
        return np.ascontiguousarray(X, dtype=np.float64), list(inputs)
    if isinstance(X, Columns):  # an Arrow table: its number columns gathered once
        m = X.matrix()
        return None if m is None else (m, list(X))
    if hasattr(X, "columns") and hasattr(X, "dtypes") and all(getattr(d, "kind", "O") in "fiu" for d in X.dtypes):
        return X.to_numpy(dtype=np.float64, na_value=np.nan), [str(c) for c in X.columns]
    return None


#: The metrics ``cross_validate`` knows by name (scikit-learn's scorer names; ``log_loss``
#: and ``brier`` are the losses themselves, ``neg_*`` their negatives as scikit-learn scores
#: them, larger is better).
METRICS = ("roc_auc", "average_precision", "log_loss", "neg_log_loss", "brier", "neg_brier_score")


def _metric(name: str) -> Any:
    from . import metrics

    table = {"roc_auc": metrics.roc_auc, "average_precision": metrics.average_precision,
             "log_loss": metrics.log_loss, "neg_log_loss": lambda y, p: -metrics.log_loss(y, p),
             "brier": metrics.brier, "neg_brier_score": lambda y, p: -metrics.brier(y, p)}
    if not isinstance(name, str) or name not in table:
        raise error("UNKNOWN_VALUE", f"unknown metric {name!r}; expected one of {', '.join(METRICS)} or a callable "
                                     "metric(y, p) -> float (y 0/1 with 1 for churn, p the probability of churn)")
    return table[name]


def _metrics(metric: Any) -> dict:
    """{name: function(y01, p)} from a name, a callable, a list of them or a dict."""
    if metric is None:
        metric = "roc_auc"
    if isinstance(metric, Mapping):
        items = list(metric.items())
    elif isinstance(metric, (list, tuple)):
        items = [(m if isinstance(m, str) else getattr(m, "__name__", f"metric{i}"), m) for i, m in enumerate(metric)]
    else:
        items = [(metric if isinstance(metric, str) else getattr(metric, "__name__", "metric"), metric)]
    if not items:
        raise error("EMPTY", "metric is empty: give a name, a callable or a list of them")
    out = {}
    for name, m in items:
        out[str(name)] = m if callable(m) else _metric(m)
    return out


class CrossValidation:
    """The result of :func:`cross_validate`.

    ``scores``: a DataFrame with one row per fold (0..k-1) and one column per metric.
    ``predictions``: each row's out-of-fold P(churn), from the model fitted on the other
    folds (a Series indexed like X for a DataFrame, else an array). ``folds``: each row's
    fold. The result also reads as the per-fold scores of its first metric, as
    ``cross_val_score`` returns them: ``result.mean()``, ``result.std()``,
    ``np.asarray(result)``, ``result[i]``; ``result["average_precision"]`` is a metric's
    scores.
    """

    def __init__(self, scores: Any, predictions: Any, folds: np.ndarray, metrics: list):
        self.scores = scores
        self.predictions = predictions
        self.folds = folds
        self.metrics = metrics

    def _first(self) -> np.ndarray:
        return self[self.metrics[0]]

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            if key not in self.metrics:
                raise error("UNKNOWN_VALUE", f"unknown metric {key!r}; this result holds {', '.join(self.metrics)}")
            column = self.scores[key]
            return column.to_numpy() if hasattr(column, "to_numpy") else np.asarray(column)
        return self._first()[key]

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        a = self._first()
        return a if dtype is None else a.astype(dtype)

    def __len__(self) -> int:
        return len(self._first())

    def __iter__(self) -> Any:
        return iter(self._first())

    def mean(self) -> float:
        """The first metric's mean over the folds."""
        return float(np.mean(self._first()))

    def std(self) -> float:
        """The first metric's (population) standard deviation over the folds, as numpy's."""
        return float(np.std(self._first()))

    def __repr__(self) -> str:
        means = ", ".join(f"{m}={np.mean(self[m]):.4f}" for m in self.metrics)
        return f"CrossValidation(k={len(self)}, {means})"


@io("X", "y")
def cross_validate(model: Any, X: Any, y: Any, k: int = 5, seed: int = 42, metric: Any = None, *,
                   scoring: Any = None) -> CrossValidation:
    """Out-of-fold evaluation over ``k`` stratified folds, seeded: each class is shuffled and
    dealt round-robin, so every fold keeps the class balance. Each fold is scored by a
    fresh copy of ``model`` (same parameters) fitted on the other folds.

    ``metric`` (or ``scoring``, scikit-learn's name for it): a name from :data:`METRICS`
    (``"roc_auc"``, the default, ``"average_precision"``, ``"log_loss"``, ``"brier"``,
    ``"neg_log_loss"``, ``"neg_brier_score"``), a callable ``metric(y, p) -> float`` (y 0/1
    with 1 for churn, the class ``fit`` makes churn; p the probability of churn), or a list or
    a dict ``{column: name or callable}`` of them. Returns a :class:`CrossValidation`: the
    scores per fold and metric, and the out-of-fold predictions of every row.

    Unlike scikit-learn's ``cross_validate`` (which takes ``cv=`` and returns a dict of
    ``test_<name>`` arrays and times), it uses the library's own seeded folds and keeps the
    predictions; inside scikit-learn's tools the estimators work as any other."""
    if metric is not None and scoring is not None:
        raise error("INVALID_PARAMETER", "give metric and scoring not both (scoring is scikit-learn's name for metric)")
    functions = _metrics(metric if metric is not None else scoring)
    classes, y01 = _binary_target(X, y)
    k = _checks.whole(k, "k")
    folds = np.asarray(_nps._stratified_folds(y01, k, _checks.whole(seed, "seed")))
    take = (lambda idx: X.iloc[idx]) if hasattr(X, "iloc") else X.take if isinstance(X, Columns) else (
        lambda idx: np.asarray(X)[idx])
    y = np.asarray(y)
    oof = np.full(len(y01), np.nan)
    rows = []
    for f in range(k):
        train, test = np.flatnonzero(folds != f), np.flatnonzero(folds == f)
        fitted = type(model)(**model.get_params()).fit(take(train), y[train])
        p = np.asarray(fitted.churn_probability(take(test)), dtype=np.float64)
        oof[test] = p
        rows.append({name: float(fn(y01[test], p)) for name, fn in functions.items()})
    names = list(functions)
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is a test dependency
        scores = {n: np.array([r[n] for r in rows]) for n in names}
        return CrossValidation(scores, oof, folds, names)
    scores = pd.DataFrame(rows, columns=names, index=pd.RangeIndex(k, name="fold"))
    predictions = pd.Series(oof, index=X.index, name="churn_probability") if hasattr(X, "index") else oof
    return CrossValidation(scores, predictions, folds, names)
