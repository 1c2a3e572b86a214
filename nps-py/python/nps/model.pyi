"""Churn scoring: ChurnModel (scikit-learn conventions) and its model file."""

from pathlib import Path
from typing import Any, Callable, Mapping, Optional, Union

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

def cross_validate(model: ChurnModel, X: Any, y: Any, k: int = 5, seed: int = 42,
                   metric: Optional[Callable[[Any, Any], float]] = None) -> np.ndarray:
    """Out-of-fold metric (default ROC AUC) over k seeded stratified folds."""
