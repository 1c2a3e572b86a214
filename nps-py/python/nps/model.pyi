"""Churn scoring: ChurnModel (scikit-learn conventions) and its model file.

Tables (``X``, ``events``) may be pandas DataFrames, dicts of arrays, 2-D numpy arrays, pyarrow
Tables or RecordBatches, polars DataFrames or any Arrow PyCapsule object; columns may be
pyarrow Arrays or polars Series. A DataFrame result comes back as a pyarrow Table for Arrow
input and a polars DataFrame for polars input (docs/arrow.md)."""

from pathlib import Path
from typing import Any, Callable, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

class ChurnModel:
    """L2-regularised logistic regression for churn; see docs/scoring.md."""

    classes_: np.ndarray
    coef_: np.ndarray
    intercept_: np.ndarray
    n_features_in_: int
    feature_names_in_: np.ndarray
    n_iter_: np.ndarray
    def __init__(self, C: float = 1.0, class_weight: Any = None, fit_intercept: bool = True, tol: float = 1e-8,
                 max_iter: int = 100, standardize: bool = True, kinds: Optional[Mapping[str, str]] = None,
                 unseen: str = "error") -> None: ...
    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> "ChurnModel": ...
    def decision_function(self, X: Any) -> np.ndarray: ...
    def predict_proba(self, X: Any) -> np.ndarray: ...
    def predict(self, X: Any) -> np.ndarray: ...
    def churn_probability(self, X: Any) -> Union[np.ndarray, float]:
        """P(churn) per row: the same to the bit in Rust and Node. X is a table, or one
        customer (a dict {input: value} or a pandas Series such as X.iloc[0]), which gives
        one float. Every scoring and explaining method takes one customer the same way."""
    def get_params(self, deep: bool = True) -> dict: ...
    def set_params(self, **params: Any) -> "ChurnModel": ...
    def contributions(self, X: Any) -> Any:
        """Exact contributions per input (DataFrame, attrs["baseline"])."""
    def importance(self, X: Any) -> Any:
        """Mean absolute contribution per input, largest first."""
    def explain(self, X: Any, top: int = 3) -> Any:
        """Top factors raising and lowering each row's risk (long DataFrame)."""
    @property
    def feature_names_(self) -> list: ...
    @property
    def inputs_(self) -> list: ...
    @property
    def training_(self) -> dict: ...
    @property
    def convergence_(self) -> dict: ...
    def record_metric(self, name: str, value: float) -> "ChurnModel": ...
    def to_json(self) -> str: ...
    def save(self, path: Union[str, Path]) -> None: ...
    @classmethod
    def from_json(cls, text: str) -> "ChurnModel": ...
    @classmethod
    def load(cls, path: Union[str, Path]) -> "ChurnModel": ...

METRICS: Tuple[str, ...]
"""The metrics cross_validate knows by name: roc_auc, average_precision, log_loss,
neg_log_loss, brier, neg_brier_score."""

Metric = Union[str, Callable[[np.ndarray, np.ndarray], float]]

class CrossValidation:
    """Per-fold scores (``scores``: DataFrame, one row per fold, one column per metric),
    out-of-fold predictions (``predictions``: a Series indexed like X, or an array) and each
    row's fold (``folds``); reads as the first metric's per-fold scores (mean, std, numpy)."""

    scores: Any
    predictions: Any
    folds: np.ndarray
    metrics: List[str]
    def __init__(self, scores: Any, predictions: Any, folds: np.ndarray, metrics: List[str]) -> None: ...
    def __getitem__(self, key: Union[str, int]) -> Any: ...
    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray: ...
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[float]: ...
    def mean(self) -> float: ...
    def std(self) -> float: ...

def cross_validate(model: Any, X: Any, y: Any, k: int = 5, seed: int = 42,
                   metric: Union[Metric, Sequence[Metric], Mapping[str, Metric], None] = None, *,
                   scoring: Union[Metric, Sequence[Metric], Mapping[str, Metric], None] = None) -> CrossValidation:
    """Out-of-fold scores and predictions over k seeded stratified folds (default metric:
    ROC AUC); metric names are scikit-learn's scorer names, or callables metric(y, p)."""
