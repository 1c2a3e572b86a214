"""Uplift: who is saved by an action, not who is at risk (numbers from the Rust core)."""

from pathlib import Path
from typing import Any, Literal, Mapping, Optional, Union

import numpy as np

OutcomeName = Literal["churned", "retained"]

DEFAULT_CONTACTS: float

def qini_curve(y: Any, treated: Any, score: Any, outcome: OutcomeName = "churned") -> Any:
    """The Qini curve: a DataFrame with targeted, fraction, incremental."""

def uplift_curve(y: Any, treated: Any, score: Any, outcome: OutcomeName = "churned") -> Any:
    """The uplift curve: a DataFrame with targeted, fraction, incremental."""

def qini_coefficient(y: Any, treated: Any, score: Any, outcome: OutcomeName = "churned") -> dict:
    """{"coefficient", "area", "perfect_area"} (scikit-uplift's qini_auc_score)."""

def uplift_at(
    y: Any,
    treated: Any,
    score: Any,
    k: float,
    strategy: Literal["overall", "by_group"] = "overall",
    outcome: OutcomeName = "churned",
) -> float:
    """Treated minus control retention rate among the top fraction k by score."""

def saved_per_contacts(
    y: Any,
    treated: Any,
    score: Any,
    k: float,
    value: Any = None,
    contacts: float = ...,
    outcome: OutcomeName = "churned",
) -> dict:
    """Customers (and value) saved per `contacts` contacts calling the top k, measured."""

def expected_saved(uplift: Any, k: float, value: Any = None, contacts: float = ...) -> dict:
    """Customers (and value) a model expects to save per `contacts` contacts."""

def rank_by_uplift(uplift: Any, value: Any, cost: float = 0.0) -> dict:
    """Customers by predicted uplift x value net of the cost."""

class _UpliftEstimator:
    learner: str
    options: Optional[Mapping[str, Any]]
    kinds: Optional[Mapping[str, str]]
    def __init__(
        self,
        learner: str = ...,
        options: Optional[Mapping[str, Any]] = None,
        kinds: Optional[Mapping[str, str]] = None,
    ) -> None: ...
    def fit(self, X: Any, y: Any, treated: Any) -> "_UpliftEstimator": ...
    def predict(self, X: Any) -> np.ndarray: ...
    def to_json(self) -> str: ...
    def save(self, path: Union[str, Path]) -> None: ...
    def __getstate__(self) -> dict: ...
    def __setstate__(self, state: dict) -> None: ...

class TwoModel(_UpliftEstimator):
    """Two churn models (treated, control); uplift = P(churn | control) - P(churn | called)."""

class ClassTransformation(_UpliftEstimator):
    """One model of the transformed label; uplift = 2 P(z = 1) - 1."""

def load(path_or_json: Union[str, Path]) -> Union[TwoModel, ClassTransformation]:
    """Reads an uplift model file."""
