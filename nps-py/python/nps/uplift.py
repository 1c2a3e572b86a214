"""Uplift: who is saved by an action, not who is at risk. Every number comes from the Rust
core (``nps_core::uplift``); this module converts arrays and frames.

Outcomes count customers *saved*: ``y`` is the churn label by default (1 = left, the label
the rest of the library uses; ``outcome="churned"``) and is read as retention (1 - y), so
every curve, coefficient and uplift is positive when the action helps. With
``outcome="retained"`` ``y`` is taken as given (1 = stayed), scikit-uplift's convention of
1 = the outcome the action aims for: the numbers then equal scikit-uplift's to the last bits.

* ``qini_curve(y, treated, score)`` and ``uplift_curve``: a DataFrame with ``targeted``
  (customers, highest scores first), ``fraction`` and ``incremental`` (retained customers
  gained), one row per distinct score after a first row at 0 (scikit-uplift's ``qini_curve``
  and ``uplift_curve``). Equal scores: the later row ranks first, as scikit-uplift's
  reversed stable sort; the curves only have points where the score changes.
* ``qini_coefficient``: scikit-uplift's ``qini_auc_score`` (``negative_effect=True``), with
  the un-normalised area between the curve and the random line.
* ``uplift_at(y, treated, score, k)``: treated minus control retention rate among the top
  fraction k (``uplift_at_k``, ``strategy="overall"`` or ``"by_group"``; k may be 1).
* ``saved_per_contacts``: customers (and value) saved per 1,000 contacts calling the top k,
  measured on a campaign; ``expected_saved``: as a model's predicted uplift expects it.
* ``TwoModel`` and ``ClassTransformation``: uplift learners on ``nps.ChurnModel``'s logistic
  regression or the boosted trees (``learner="boosted"``), ``fit(X, y, treated)`` /
  ``predict(X)`` returning the uplift in retention probability.
* ``rank_by_uplift(uplift, value, cost)``: customers by predicted uplift x value.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Mapping, Optional, Union

import numpy as np

from . import _nps
from ._errors import not_fitted
from ._tables import bool_columns, to_columns
from .encode import _specs
from .model import _numeric_matrix

__all__ = [
    "DEFAULT_CONTACTS",
    "ClassTransformation",
    "TwoModel",
    "expected_saved",
    "load",
    "qini_coefficient",
    "qini_curve",
    "rank_by_uplift",
    "saved_per_contacts",
    "uplift_at",
    "uplift_curve",
]

#: Contacts the savings are counted per by default.
DEFAULT_CONTACTS: float = _nps.UPLIFT_DEFAULT_CONTACTS


def _floats(x: Any) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(x, dtype=np.float64).ravel())


def _curve(d: dict) -> Any:
    import pandas as pd

    return pd.DataFrame({"targeted": d["targeted"], "fraction": d["fraction"], "incremental": d["incremental"]})


def qini_curve(y: Any, treated: Any, score: Any, outcome: str = "churned") -> Any:
    """The Qini curve of ``score`` (higher: call first) as a DataFrame: ``targeted``,
    ``fraction``, ``incremental`` = retained treated - retained control x N_t / N_c."""
    return _curve(_nps._qini_curve(_floats(y), _floats(treated), _floats(score), outcome))


def uplift_curve(y: Any, treated: Any, score: Any, outcome: str = "churned") -> Any:
    """The uplift curve as a DataFrame: ``incremental`` = (retention rate of the treated -
    of the control) x customers targeted."""
    return _curve(_nps._uplift_curve(_floats(y), _floats(treated), _floats(score), outcome))


def qini_coefficient(y: Any, treated: Any, score: Any, outcome: str = "churned") -> dict:
    """``{"coefficient", "area", "perfect_area"}``: the area between the Qini curve and the
    random line, normalised by the perfect ranking's (scikit-uplift's ``qini_auc_score``)."""
    c, a, p = _nps._qini_coefficient(_floats(y), _floats(treated), _floats(score), outcome)
    return {"coefficient": c, "area": a, "perfect_area": p}


def uplift_at(y: Any, treated: Any, score: Any, k: float, strategy: str = "overall",
              outcome: str = "churned") -> float:
    """Treated minus control retention rate among the top fraction ``k`` (in (0, 1]) by
    score: customers saved per customer called there."""
    return _nps._uplift_at(_floats(y), _floats(treated), _floats(score), float(k), strategy, outcome)


def saved_per_contacts(y: Any, treated: Any, score: Any, k: float, value: Any = None,
                       contacts: float = DEFAULT_CONTACTS, outcome: str = "churned") -> dict:
    """Customers (and, with a ``value`` per customer, value) saved per ``contacts`` contacts
    when the top fraction ``k`` by score is called, measured on a campaign with a control
    group: ``{"k", "contacts", "targeted", "uplift", "customers", "value"}``."""
    v = None if value is None else _floats(value)
    return _nps._saved_per_contacts(_floats(y), _floats(treated), _floats(score), float(k), v, float(contacts),
                                    outcome)


def expected_saved(uplift: Any, k: float, value: Any = None, contacts: float = DEFAULT_CONTACTS) -> dict:
    """Customers (and value) a model expects to save per ``contacts`` contacts calling the
    top fraction ``k`` by its predicted ``uplift`` (same keys as ``saved_per_contacts``)."""
    v = None if value is None else _floats(value)
    return _nps._expected_saved(_floats(uplift), v, float(k), float(contacts))


def rank_by_uplift(uplift: Any, value: Any, cost: float = 0.0) -> dict:
    """Customers by predicted uplift x value net of ``cost``: ``saved_value``,
    ``net_value``, ``order`` (highest first), ``worth_contacting``, ``total_net_value``."""
    return _nps._rank_by_uplift(_floats(uplift), _floats(value), float(cost))


class _UpliftEstimator:
    """What the two learners share: fit on (X, y, treated), predict the uplift, the file."""

    _kind = ""

    def __init__(self, learner: str = _nps.UPLIFT_DEFAULT_LEARNER, options: Optional[Mapping[str, Any]] = None,
                 kinds: Optional[Mapping[str, str]] = None):
        self.learner = learner
        self.options = options
        self.kinds = kinds

    def fit(self, X: Any, y: Any, treated: Any) -> "_UpliftEstimator":
        """Fits on X (rows are customers; a DataFrame, a dict of arrays or a 2-D array),
        churn labels ``y`` (1 = left) and the assignment ``treated`` (1 = called, 0 = control)."""
        options = None if self.options is None else json.dumps(dict(self.options))
        yy, tt = _floats(y), _floats(treated)
        width = np.shape(X)[1] if isinstance(X, np.ndarray) else 0
        matrix = None if self.kinds else _numeric_matrix(X, [f"x{j}" for j in range(width)])
        if matrix is not None:
            self._model = _nps._UpliftModel.fit_matrix(self._kind, matrix[0], matrix[1], yy, tt, self.learner, options)
        else:
            names, columns = to_columns(X)
            specs = _specs(names, columns, self.kinds, (), bool_columns(X))
            self._model = _nps._UpliftModel.fit(self._kind, names, columns, yy, tt, specs, self.learner, options)
        return self

    def _fitted(self) -> Any:
        if not hasattr(self, "_model"):
            raise not_fitted(f"this {type(self).__name__} is not fitted yet: call fit first")
        return self._model

    def predict(self, X: Any) -> np.ndarray:
        """The predicted uplift in retention probability of each row (positive: the call
        saves the customer; negative: it drives them away)."""
        model = self._fitted()
        matrix = _numeric_matrix(X, model.inputs)
        if matrix is not None:
            return model.predict_matrix(*matrix)
        names, columns = to_columns(X) if hasattr(X, "columns") or isinstance(X, dict) else to_columns(X, model.inputs)
        return model.predict(names, columns)

    def to_json(self) -> str:
        """The uplift model file (``nps.uplift_model``), readable from Rust, Python and Node."""
        return self._fitted().to_json()

    def save(self, path: Union[str, Path]) -> None:
        """Writes the model file."""
        _nps._write_atomic(str(path), self.to_json())  # a crash leaves the old file or the new

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        if "_model" in state:
            state["_model"] = state["_model"].to_json()
        return state

    def __setstate__(self, state: dict) -> None:
        if "_model" in state:
            state["_model"] = _nps._UpliftModel.from_json(state["_model"])
        self.__dict__.update(state)


class TwoModel(_UpliftEstimator):
    """Two churn models, one on the treated and one on the control customers; the uplift is
    P(churn | not called) - P(churn | called). ``learner``: ``"logistic"`` (``nps.ChurnModel``)
    or ``"boosted"`` (the boosted trees), with ``options`` the core's training options
    (``{"logistic": {"c": 0.5}}``, ``{"n_estimators": 200}``)."""

    _kind = "two_model"


class ClassTransformation(_UpliftEstimator):
    """One model of the transformed label z = 1 for a treated customer who stayed or a
    control customer who left; uplift = 2 P(z = 1) - 1 (Jaskowski and Jaroszewicz). For a
    treated share other than 1/2 the rows are weighted to a 50/50 split so that it holds."""

    _kind = "class_transformation"


def load(path_or_json: Union[str, Path]) -> Union[TwoModel, ClassTransformation]:
    """Reads an uplift model file (a path, or the JSON text itself)."""
    text = str(path_or_json)
    if not text.lstrip().startswith("{"):
        text = Path(path_or_json).read_text(encoding="utf-8")
    core = _nps._UpliftModel.from_json(text)
    est: Union[TwoModel, ClassTransformation] = TwoModel() if core.kind == "two_model" else ClassTransformation()
    est._model = core
    return est
