"""Early warning: likelihood to recommend for customers who never answer.

Tables (``X``, ``events``) may be pandas DataFrames, dicts of arrays, 2-D numpy arrays, pyarrow
Tables or RecordBatches, polars DataFrames or any Arrow PyCapsule object; columns may be
pyarrow Arrays or polars Series. A DataFrame result comes back as a pyarrow Table for Arrow
input and a polars DataFrame for polars input (docs/arrow.md)."""

from pathlib import Path
from typing import Any, Mapping, Optional, Union, final

import numpy as np

CATEGORIES: np.ndarray

SURVEY_ANSWER_FEATURES: tuple[str, ...]

SKLEARN_TARGET_REASON: str
SKLEARN_EXPECTED_FAILED_CHECKS: dict[str, str]
"""scikit-learn's estimator checks an LTR model fails only because they train on class
labels, not 0-10 answers: check_estimator(model, expected_failed_checks=...)."""

class LtrModel:
    classes_: np.ndarray
    n_features_in_: int
    def __init__(self, C: float = 1.0, fit_intercept: bool = True, tol: float = 1e-8, max_iter: int = 100,
                 standardize: bool = True, kinds: Optional[Mapping[str, str]] = None, unseen: str = "error") -> None: ...
    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> "LtrModel": ...
    def predict_proba(self, X: Any) -> np.ndarray:  # X: a table, or one respondent (a dict or a Series)
        """Columns: detractor, passive, promoter."""
    def predict(self, X: Any) -> np.ndarray: ...
    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Share of respondents whose predicted category is their answer's category."""
    def detractor_risk(self, X: Any) -> np.ndarray: ...
    def predicted_nps(self, X: Any, level: float = 0.95) -> dict: ...
    def evaluate(self, X: Any, answers: Any, threshold: float = 0.5) -> dict:
        """log_loss, detractor_auc, precision, recall, coverage."""
    def detractor_contributions(self, X: Any) -> Any:
        """Contributions to ln(P(detractor) / P(promoter)); attrs baseline, log_odds, risk."""
    def explain_detractor(self, X: Any, top: int = 3) -> Any:
        """The inputs pushing each row most towards detractor and towards promoter."""
    def alerts(self, X: Any, value: Any = None, top: int = 100, factors: int = 3) -> Any:
        """Customers ranked by P(detractor) x value, with their top detractor factors."""
    def get_params(self, deep: bool = True) -> dict: ...
    def set_params(self, **params: Any) -> "LtrModel": ...
    @property
    def inputs_(self) -> list: ...
    def to_json(self) -> str: ...
    def save(self, path: Union[str, Path]) -> None: ...
    @classmethod
    def from_json(cls, text: str) -> "LtrModel": ...
    @classmethod
    def load(cls, path: Union[str, Path]) -> "LtrModel": ...

class BoostedLtrModel:
    """Likelihood to recommend by gradient-boosted trees (softmax over detractor, passive,
    promoter); the conventions and methods of LtrModel, the parameters of BoostedChurnModel."""
    classes_: np.ndarray
    n_features_in_: int
    best_iteration_: int
    evals_result_: dict
    def __init__(self, n_estimators: int = 300, learning_rate: float = 0.05, num_leaves: int = 7, max_depth: int = 0,
                 min_data_in_leaf: int = 20, min_sum_hessian_in_leaf: float = 1e-3, lambda_l2: float = 0.0,
                 min_gain_to_split: float = 0.0, max_bin: int = 255, subsample: float = 1.0, colsample: float = 1.0,
                 seed: int = 0, early_stopping_rounds: int = 0, validation_fraction: float = 0.1,
                 max_cat_to_onehot: int = 4, max_cat_threshold: int = 32, cat_smooth: float = 10.0,
                 cat_l2: float = 10.0, min_data_per_group: int = 100, threads: int = 0,
                 kinds: Optional[Mapping[str, str]] = None) -> None: ...
    def fit(self, X: Any, y: Any, sample_weight: Any = None, eval_set: Optional[Any] = None) -> "BoostedLtrModel": ...
    def predict_proba(self, X: Any) -> np.ndarray:  # X: a table, or one respondent (a dict or a Series)
        """Columns: detractor, passive, promoter."""
    def predict(self, X: Any) -> np.ndarray: ...
    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Share of respondents whose predicted category is their answer's category."""
    def detractor_risk(self, X: Any) -> np.ndarray: ...
    def predicted_nps(self, X: Any, level: float = 0.95) -> dict: ...
    def evaluate(self, X: Any, answers: Any, threshold: float = 0.5) -> dict:
        """log_loss, detractor_auc, precision, recall, coverage."""
    def detractor_contributions(self, X: Any) -> Any:
        """TreeSHAP contributions to ln(P(detractor) / P(promoter)); attrs baseline, log_odds, risk."""
    def explain_detractor(self, X: Any, top: int = 3) -> Any: ...
    def alerts(self, X: Any, value: Any = None, top: int = 100, factors: int = 3) -> Any: ...
    def get_params(self, deep: bool = True) -> dict: ...
    def set_params(self, **params: Any) -> "BoostedLtrModel": ...
    @property
    def inputs_(self) -> list: ...
    @property
    def training_(self) -> dict: ...
    @property
    def detractor_baseline_(self) -> float: ...
    def to_json(self) -> str: ...
    def save(self, path: Union[str, Path]) -> None: ...
    @classmethod
    def from_json(cls, text: str) -> "BoostedLtrModel": ...
    @classmethod
    def load(cls, path: Union[str, Path]) -> "BoostedLtrModel": ...

def predicted_nps(proba: Any, trained_on: int = 0, level: float = 0.95, answers: Any = None) -> dict:
    """NPS from (detractor, passive, promoter) probabilities, with an interval; blended with
    actual answers when given."""

@final
class TicketScorer:
    """The one call at ticket time: event, features, churn score and factors, detractor
    risk (with an LTR model), next best actions. Pickles (and so copies, and goes through
    joblib) as its parts; the restored scorer gives the same tickets to the bit."""
    def __new__(cls, engine: Any, churn: Any, catalog: Any, ltr: Any = None,
                customer: Optional[Mapping[str, Any]] = None, top_factors: int = 3, top_actions: int = 3) -> TicketScorer: ...
    @staticmethod
    def from_json(text: str, customer: Optional[Mapping[str, Any]] = None, top_factors: int = 3,
                  top_actions: int = 3) -> TicketScorer:
        """A scorer from its file (`to_json`), checked part by part; `customer`, `top_factors`
        and `top_actions` as in the constructor."""
    def to_json(self) -> str:
        """The scorer's file: the feature definitions and kinds, the models' files and the
        catalogue, as JSON (the customer record and the options are arguments of `from_json`)."""
    @property
    def feature_names(self) -> list: ...
    @property
    def inputs(self) -> list: ...
    @property
    def ltr_inputs(self) -> list: ...
    def ticket(self, history: Any, time: Any, kind: str, value: Optional[float] = None,
               duration: Optional[float] = None, department: Optional[str] = None, case: Any = None,
               flag: Optional[bool] = None, now: Any = None, customer: Optional[Mapping[str, Any]] = None,
               outcomes: Optional[list] = None, trace: bool = False, details: bool = False,
               learner: Any = None, segment: str = "", seed: int = 0) -> dict:
        """probability, score, log_odds, baseline, raising, lowering, detractor, actions
        (+ trace, features, contributions on request)."""
    @property
    def values_layout(self) -> dict:
        """Offsets into the array ``ticket_values`` returns (``length``: its length)."""
    def ticket_values(self, history: Any, time: Any, kind: str, value: Optional[float] = None,
                      duration: Optional[float] = None, department: Optional[str] = None, case: Any = None,
                      flag: Optional[bool] = None, now: Any = None, out: Any = None) -> Any:
        """The same ticket as one float64 array laid out as ``values_layout`` says (factors and
        actions as indices, -1 and NaN in unused slots); written into ``out`` when given."""
