"""What every estimator checks of its inputs before the core sees them, with scikit-learn's
conventions (its ``check_estimator`` holds the estimators to them): sparse and complex input
refused with a message that says so, a 1-D X refused with "Reshape your data", empty data,
a missing y, a continuous y, sample weights of any array-like (the wrong shape or all zero
refused), a column-vector y accepted with scikit-learn's warning, and at prediction the
number of features a model was fitted with. Messages are ``nps.NpsError`` (a
``ValueError``) with a code, in the package's words, containing the phrases scikit-learn's
tools look for.

The estimators' tags (``__sklearn_tags__``) say what they do not support: ``tags_for``."""

from __future__ import annotations

import operator
import warnings
from typing import Any, Optional

import numpy as np

from ._errors import error


def whole(value: Any, name: str, minimum: Optional[int] = None) -> int:
    """``value`` as an ``int`` when it is a whole number (an int, a numpy integer or a float
    without a fraction) and at least ``minimum``, if given; anything else is an
    ``INVALID_PARAMETER`` error naming ``name``: ``int()`` would truncate 2.5 to 2 without a
    word. Where the core takes the number, its range is the core's to check."""
    try:
        number = int(operator.index(value))
    except TypeError:
        if not (isinstance(value, (float, np.floating)) and float(value).is_integer()):
            raise error("INVALID_PARAMETER", f"{name} must be a whole number, got {value!r}") from None
        number = int(value)
    if minimum is not None and number < minimum:
        raise error("INVALID_PARAMETER", f"{name} must be at least {minimum}, got {value!r}")
    return number


def _is_sparse(x: Any) -> bool:
    return type(x).__module__.startswith("scipy.sparse") or hasattr(x, "tocsr") and hasattr(x, "nnz")


def _is_table(x: Any) -> bool:
    """A pandas DataFrame (or a frame-like with columns and iloc) or a dict of columns."""
    return isinstance(x, dict) or (hasattr(x, "columns") and hasattr(x, "iloc"))


def table(est: Any, X: Any, *, fit: bool) -> Any:
    """X checked as a table: a DataFrame or a dict of columns as it is; anything else as a
    numpy array (lists, array-likes), which must be 2-D, not sparse, not complex, and, after
    fitting, as wide as the training data."""
    name = type(est).__name__
    if _is_sparse(X):
        raise error("INVALID_PARAMETER",
                    f"X is a sparse matrix: sparse input is not supported by {name} (every value is read); "
                    "pass X.toarray() or a DataFrame")
    if _is_table(X):
        return X
    if isinstance(X, (str, bytes)) or X is None:
        raise error("INVALID_PARAMETER", f"X must be a table (a DataFrame, a dict of columns or a 2-D array), "
                                         f"got {type(X).__name__}")
    a = np.asarray(X)
    if a.dtype.kind == "c":
        raise error("INVALID_PARAMETER", f"Complex data not supported: X holds complex numbers ({a.dtype})")
    if a.ndim == 1:
        raise error("INVALID_PARAMETER",
                    f"X must be 2-D (rows are customers), got a 1-D array of {a.shape[0]} values. Reshape your data "
                    "with X.reshape(-1, 1) for one input or X.reshape(1, -1) for one customer (or pass one customer "
                    "as a dict or a Series)")
    if a.ndim != 2:
        raise error("INVALID_PARAMETER", f"X must be 2-D (rows are customers), got {a.ndim} dimensions")
    if a.dtype.kind == "O":
        for (i, j), v in np.ndenumerate(a):
            if not (v is None or isinstance(v, (str, bytes, int, float, bool, np.generic))
                    or type(v).__name__ in ("NAType", "NaTType")):
                raise TypeError(f"X[{i}, {j}]: argument must be a string or a number, not {type(v).__name__!r} ({v!r})")
    if fit:
        if a.shape[0] == 0:
            raise error("EMPTY", f"X has 0 rows (shape={a.shape}): nothing to fit")
        if a.shape[1] == 0:
            raise error("EMPTY", f"X has 0 feature(s) (shape={a.shape}) while a minimum of 1 is required. "
                                 "There is no input to learn from")
    else:
        expected = getattr(est, "n_features_in_", None)
        if expected is not None and a.shape[1] != expected:
            raise error("LENGTH_MISMATCH",
                        f"X has {a.shape[1]} features, but {name} is expecting {expected} features as input")
    return a


def rows(X: Any) -> int:
    """The number of rows of a checked table."""
    if isinstance(X, dict):
        return len(next(iter(X.values()))) if X else 0
    return len(X)


def target(est: Any, X: Any, y: Any, *, classifier: bool = True) -> np.ndarray:
    """y checked against X: given, one value per row, 1-D (a column vector is raveled with
    scikit-learn's DataConversionWarning), not continuous; a classifier's labels, or
    (``classifier=False``) the 0-10 answers an LTR model learns from, numbers."""
    name = type(est).__name__
    if y is None:
        raise error("INVALID_PARAMETER", f"{name} requires y to be passed, but the target y is None")
    y = np.asarray(y.to_numpy() if hasattr(y, "to_numpy") else y)
    if y.ndim == 2 and y.shape[1] == 1:
        try:
            from sklearn.exceptions import DataConversionWarning
        except ImportError:  # pragma: no cover - exercised only without scikit-learn
            DataConversionWarning = UserWarning
        warnings.warn("A column-vector y was passed when a 1d array was expected; y is raveled to one label per row",
                      DataConversionWarning, stacklevel=3)
        y = y.ravel()
    n = rows(X)
    if y.ndim != 1 or len(y) != n:
        raise error("LENGTH_MISMATCH", f"y must be one label per row of X ({n}), got shape {y.shape}")
    wanted = "two classes, e.g. 0/1, True/False or 'Yes'/'No'" if classifier else "the 0-10 answers (whole numbers)"
    if y.dtype.kind == "f":
        finite = y[np.isfinite(y)]
        if len(finite) and np.any(finite != np.round(finite)):
            example = finite[finite != np.round(finite)][0]
            raise error("INVALID_PARAMETER",
                        f"Unknown label type: continuous (y holds numbers such as {example!r}); y must be {wanted}")
    if not classifier and y.dtype.kind not in "biuf":
        if y.dtype.kind == "O":
            try:
                y = y.astype(np.float64)
            except (TypeError, ValueError):
                pass
        if y.dtype.kind not in "biuf":
            example = next((v for v in y.tolist() if not isinstance(v, (int, float))), y[0])
            raise error("INVALID_PARAMETER", f"Unknown label type: y holds {example!r}; y must be {wanted}")
    if n == 1:
        raise error("INVALID_PARAMETER", f"X has 1 sample (n_samples = 1): {name} needs customers of every class")
    return y


def weights(sample_weight: Any, n: int) -> Optional[np.ndarray]:
    """Sample weights of any array-like (a list, a Series): one non-negative number per row,
    not all zero (the core names a negative or NaN weight)."""
    if sample_weight is None:
        return None
    w = np.asarray(sample_weight.to_numpy() if hasattr(sample_weight, "to_numpy") else sample_weight,
                   dtype=np.float64)
    if w.ndim != 1 or w.shape[0] != n:
        raise error("LENGTH_MISMATCH", f"sample_weight must be one weight per row of X ({n}), got shape {w.shape}")
    if n and not np.any(w != 0):
        raise error("INVALID_PARAMETER", "sample_weight: every weight is zero (nothing to fit)")
    return np.ascontiguousarray(w)


def tags_for(est: Any, tags: Any, *, allow_nan: bool = True, binary: bool = False) -> Any:
    """The estimators' honest tags on top of scikit-learn's defaults: NaN is allowed (imputed
    by the logistic models and the encoder, routed by the trees; infinity is refused), input
    is dense (no sparse matrices), a churn model's target is binary."""
    tags.input_tags.allow_nan = allow_nan
    tags.input_tags.sparse = False
    if binary and tags.classifier_tags is not None:
        tags.classifier_tags.multi_class = False
    return tags
