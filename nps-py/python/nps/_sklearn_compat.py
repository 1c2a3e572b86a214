"""Minimal stand-ins for scikit-learn's base classes, used when scikit-learn is not
installed: parameters from ``__init__``'s signature, and ``fit_transform``."""

from __future__ import annotations

import inspect
from typing import Any


class BaseEstimator:
    """``get_params`` / ``set_params`` from the ``__init__`` signature."""

    @classmethod
    def _get_param_names(cls) -> list:
        sig = inspect.signature(cls.__init__)
        return sorted(p for p in sig.parameters if p != "self")

    def get_params(self, deep: bool = True) -> dict:
        return {name: getattr(self, name) for name in self._get_param_names()}

    def set_params(self, **params: Any) -> "BaseEstimator":
        valid = self._get_param_names()
        for name, value in params.items():
            if name not in valid:
                raise ValueError(f"invalid parameter {name!r} for {type(self).__name__}; valid: {', '.join(valid)}")
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"


class TransformerMixin:
    def fit_transform(self, X: Any, y: Any = None, **fit_params: Any) -> Any:
        return self.fit(X, y, **fit_params).transform(X)  # type: ignore[attr-defined]


class ClassifierMixin:
    _estimator_type = "classifier"

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        import numpy as np

        pred = self.predict(X)  # type: ignore[attr-defined]
        y = np.asarray(y)
        w = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        return float(np.sum(w * (pred == y)) / np.sum(w))
