"""How good a churn score is, each metric equal to scikit-learn's on the same inputs.

Ranking: ``roc_auc`` (ties count one half), ``roc_curve``, ``average_precision``.
Probabilities: ``log_loss`` (clipped to [eps, 1 - eps] as scikit-learn 1.9), ``brier``,
``calibration_table``. Decisions: ``threshold_metrics`` (positive at p >= threshold).
The trade's view: ``lift_table`` (lift and cumulative gain by decile; the first row's
``lift`` is the top-decile lift). The numbers come from the Rust core.

Which class is positive: ``y`` holds two classes, as 0/1, booleans or any two labels
("Yes"/"No", "churned"/"stayed"); every metric takes ``pos_label``, the positive class
(churn). Without it the positive class is 1, True, or the text that reads as yes or true
(any case): the class ``ChurnModel.fit`` makes churn (``classes_[1]``) for such labels.
Other labels ("churned"/"stayed", 1/2) must name it; guessing from the sort order would
swap the classes of some pairs (scikit-learn refuses them too).

Every argument of labels, scores or weights may be a numpy array, a list, a pandas Series, a
pyarrow Array or ChunkedArray or a polars Series (docs/arrow.md).
"""

from __future__ import annotations

from typing import Any

from . import _nps
from ._arrow import io

# The core's metrics, taking Arrow and polars columns too (docs/arrow.md).
_COLUMNS = ("y", "score", "p", "sample_weight")
average_precision = io(*_COLUMNS)(_nps.average_precision)
brier = io(*_COLUMNS)(_nps.brier)
log_loss = io(*_COLUMNS)(_nps.log_loss)
roc_auc = io(*_COLUMNS)(_nps.roc_auc)
roc_curve = io(*_COLUMNS)(_nps.roc_curve)
threshold_metrics = io(*_COLUMNS)(_nps.threshold_metrics)

__all__ = [
    "average_precision",
    "brier",
    "calibration_table",
    "lift_table",
    "log_loss",
    "roc_auc",
    "roc_curve",
    "threshold_metrics",
]


def _frame(columns: dict, index: str) -> Any:
    try:
        import pandas as pd
    except ImportError:
        return columns
    return pd.DataFrame(columns).set_index(index)


@io("y", "score")
def lift_table(y: Any, score: Any, bins: int = 10, *, pos_label: Any = None) -> Any:
    """Customers ranked by descending score (ties in input order), cut into ``bins`` bins as
    ``numpy.array_split`` cuts them; per bin: customers, positives, rate, lift over the base
    rate, and the cumulative customers, positives, gain (share of all positives captured)
    and lift. A DataFrame indexed by bin (1 = highest scores) with ``attrs["base_rate"]``.
    ``pos_label``: the positive class (see the module docstring)."""
    columns, base_rate = _nps._lift_table(y, score, bins, pos_label=pos_label)
    frame = _frame(columns, "bin")
    if hasattr(frame, "attrs"):
        frame.attrs["base_rate"] = base_rate
    return frame


@io("y", "p")
def calibration_table(y: Any, p: Any, bins: int = 10, *, pos_label: Any = None) -> Any:
    """Predicted probability against observed rate in ``bins`` uniform bins on [0, 1]
    (empty bins left out; ``mean_predicted`` and ``observed_rate`` are scikit-learn's
    ``calibration_curve`` ``prob_pred`` and ``prob_true``). ``pos_label``: the positive class
    (see the module docstring)."""
    return _frame(_nps._calibration_table(y, p, bins, pos_label=pos_label), "lower")
