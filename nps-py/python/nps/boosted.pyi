"""Boosted churn scoring: BoostedChurnModel (scikit-learn conventions), exact TreeSHAP, and
models read from LightGBM and XGBoost.

Tables (``X``, ``events``) may be pandas DataFrames, dicts of arrays, 2-D numpy arrays, pyarrow
Tables or RecordBatches, polars DataFrames or any Arrow PyCapsule object; columns may be
pyarrow Arrays or polars Series. A DataFrame result comes back as a pyarrow Table for Arrow
input and a polars DataFrame for polars input (docs/arrow.md)."""

from pathlib import Path
from typing import Any, Mapping, Optional, Sequence, Union

import numpy as np

class BoostedChurnModel:
    """Gradient-boosted trees for churn; see docs/scoring.md."""

    classes_: np.ndarray
    n_features_in_: int
    feature_names_in_: np.ndarray
    best_iteration_: int
    evals_result_: dict
    def __init__(self, n_estimators: int = 300, learning_rate: float = 0.05, num_leaves: int = 7,
                 max_depth: int = 0, min_data_in_leaf: int = 20, min_sum_hessian_in_leaf: float = 1e-3,
                 lambda_l2: float = 0.0, min_gain_to_split: float = 0.0, max_bin: int = 255,
                 subsample: float = 1.0, colsample: float = 1.0, seed: int = 0,
                 monotone: Optional[Mapping[str, int]] = None, early_stopping_rounds: int = 0,
                 validation_fraction: float = 0.1, class_weight: Any = None, max_cat_to_onehot: int = 4,
                 max_cat_threshold: int = 32, cat_smooth: float = 10.0, cat_l2: float = 10.0,
                 min_data_per_group: int = 100, threads: int = 0,
                 kinds: Optional[Mapping[str, str]] = None) -> None: ...
    def fit(self, X: Any, y: Any, sample_weight: Any = None,
            eval_set: Optional[Sequence[Any]] = None) -> "BoostedChurnModel": ...
    def decision_function(self, X: Any) -> np.ndarray: ...
    def predict_proba(self, X: Any) -> np.ndarray: ...
    def predict(self, X: Any) -> np.ndarray: ...
    def churn_probability(self, X: Any) -> Union[np.ndarray, float]:
        """P(churn) per row: the same to the bit in Rust and Node. X is a table, or one
        customer (a dict {input: value} or a pandas Series such as X.iloc[0]), which gives
        one float. Every scoring and explaining method takes one customer the same way."""
    def get_params(self, deep: bool = True) -> dict: ...
    def set_params(self, **params: Any) -> "BoostedChurnModel": ...
    @property
    def expected_value_(self) -> float: ...
    def contributions(self, X: Any) -> Any:
        """Exact TreeSHAP contributions per input (DataFrame, attrs["baseline"])."""
    def importance(self, X: Any) -> Any:
        """Mean absolute contribution per input, largest first."""
    def interactions(self, X: Any) -> np.ndarray:
        """SHAP interaction values: rows x (inputs + 1) x (inputs + 1)."""
    def explain(self, X: Any, top: int = 3) -> Any:
        """Top factors raising and lowering each row's risk (long DataFrame)."""
    @property
    def feature_importances_(self) -> np.ndarray: ...
    def split_importance(self) -> Any: ...
    @property
    def inputs_(self) -> list: ...
    @property
    def training_(self) -> dict: ...
    def record_metric(self, name: str, value: float) -> "BoostedChurnModel": ...
    def to_json(self) -> str: ...
    def save(self, path: Union[str, Path]) -> None: ...
    @classmethod
    def from_json(cls, text: str) -> "BoostedChurnModel": ...
    @classmethod
    def from_lightgbm(cls, text: str) -> "BoostedChurnModel": ...
    @classmethod
    def from_xgboost(cls, text: Union[str, bytes]) -> "BoostedChurnModel": ...
    @classmethod
    def load(cls, path: Union[str, Path]) -> "BoostedChurnModel": ...
