"""Churn-model metrics, each equal to scikit-learn's on the same inputs.

``y`` holds two classes: 0/1, booleans, or any two labels ("Yes"/"No", "churned"/"stayed").
``pos_label`` names the positive class (churn); without it the positive class is 1, True, or
the text that reads as yes/true (any case), the class ``fit`` makes churn; other labels
need ``pos_label``.

Labels, scores and weights may be pyarrow Arrays or ChunkedArrays or polars Series; the tables
(``lift_table``, ``calibration_table``) then come back as a pyarrow Table or a polars DataFrame
(docs/arrow.md)."""

from typing import Any, Optional, Tuple

Label = Any  # a number, a bool or a str (numpy scalars too)

def roc_auc(y: Any, score: Any, sample_weight: Optional[Any] = None, *, pos_label: Optional[Label] = None) -> float:
    """Area under the ROC curve (ties count one half)."""
def average_precision(y: Any, score: Any, sample_weight: Optional[Any] = None, *,
                      pos_label: Optional[Label] = None) -> float:
    """Step-wise area under the precision-recall curve."""
def log_loss(y: Any, p: Any, sample_weight: Optional[Any] = None, *, pos_label: Optional[Label] = None) -> float:
    """Mean log loss, p (the probability of the positive class) clipped to [eps, 1 - eps]."""
def brier(y: Any, p: Any, sample_weight: Optional[Any] = None, *, pos_label: Optional[Label] = None) -> float:
    """Mean squared difference between probability and outcome."""
def roc_curve(y: Any, score: Any, sample_weight: Optional[Any] = None, *,
              pos_label: Optional[Label] = None) -> Tuple[list, list, list]:
    """(fpr, tpr, thresholds) at every distinct score; the first threshold is inf."""
def threshold_metrics(y: Any, p: Any, threshold: float = 0.5, *, pos_label: Optional[Label] = None) -> dict:
    """tp, fp, tn, fn, accuracy, precision, recall, f1 with rows positive at p >= threshold."""
def lift_table(y: Any, score: Any, bins: int = 10, *, pos_label: Optional[Label] = None) -> Any:
    """Lift and cumulative gain by bins of descending score (DataFrame indexed by bin)."""
def calibration_table(y: Any, p: Any, bins: int = 10, *, pos_label: Optional[Label] = None) -> Any:
    """Mean predicted against observed rate in uniform bins (DataFrame)."""
