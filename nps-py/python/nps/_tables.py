"""Tables in, the core's columns out: a pandas DataFrame, a dict of arrays or a 2-D numpy
array becomes column names and columns (float64 arrays for numbers and booleans, lists of
str/None for everything else). Arrow and polars tables arrive here as the dict of columns
``nps._arrow`` reads them into."""

from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence

import numpy as np

from ._errors import error


def _is_missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and v != v) or type(v).__name__ in ("NAType", "NaTType")


def _column(values: Any) -> Any:
    """float64 for numbers and booleans (missing as NaN); a list of str/None otherwise."""
    if hasattr(values, "dtype") and getattr(values.dtype, "kind", "O") in "biuf":
        if hasattr(values, "to_numpy"):
            return np.ascontiguousarray(values.to_numpy(dtype=np.float64, na_value=np.nan))
        return np.ascontiguousarray(values, dtype=np.float64)
    values = values.tolist() if hasattr(values, "tolist") else list(values)
    if all(isinstance(v, (int, float, np.number)) and not isinstance(v, bool) for v in values):
        return np.asarray(values, dtype=np.float64)
    return [None if _is_missing(v) else str(v) for v in values]


_WHAT_TO_PASS = ("a table (a pandas DataFrame, a dict of columns or a 2-D array, rows are customers) or one "
                 "customer: a dict {input: value} or a pandas Series such as X.iloc[0]")


def _is_series(x: Any) -> bool:
    return hasattr(x, "to_frame") and hasattr(x, "index") and getattr(x, "ndim", 0) == 1


def one_row(x: Any) -> tuple[Any, bool]:
    """(x as a table, whether it was one customer): a dict of single values, or a pandas
    Series (a row of a frame, named by its index label), becomes a one-row table (a
    DataFrame with pandas); a table is returned as it is. A 1-D array or list, or anything
    that is not a table, is an error that says what to pass."""
    if isinstance(x, Mapping) and x and all(np.ndim(v) == 0 for v in x.values()):
        row = {str(k): (v.item() if isinstance(v, np.generic) else v) for k, v in x.items()}
        try:
            import pandas as pd
        except ImportError:  # pragma: no cover - pandas is a test dependency
            return {k: np.asarray([v]) for k, v in row.items()}, True
        return pd.DataFrame([row]), True
    if _is_series(x):
        import pandas as pd

        row = {str(k): (v.item() if isinstance(v, np.generic) else v) for k, v in x.items()}
        return pd.DataFrame([row], index=[x.name if x.name is not None else 0]), True
    if isinstance(x, Mapping) or (hasattr(x, "columns") and hasattr(x, "iloc")):
        return x, False
    if hasattr(x, "__array__") and not isinstance(x, np.ndarray):  # array-likes: as numpy reads them
        x = np.asarray(x)
    if isinstance(x, (str, bytes)) or not hasattr(x, "__len__"):
        raise error("INVALID_PARAMETER", f"X must be {_WHAT_TO_PASS}; got {type(x).__name__}")
    if np.ndim(x) == 1:
        raise error("INVALID_PARAMETER",
                    f"X must be {_WHAT_TO_PASS}; got a 1-D array of {len(x)} values. Reshape your data: "
                    "X.reshape(1, -1) for one customer by position")
    return x, False


def to_columns(x: Any, names: Optional[Sequence[str]] = None) -> tuple[list, list]:
    """(names, columns) of a DataFrame, a dict of 1-D arrays, or a 2-D array (whose columns
    are named ``names``, or x0, x1, ... when not given)."""
    if hasattr(x, "columns") and hasattr(x, "iloc"):  # pandas DataFrame
        cols = [str(c) for c in x.columns]
        return cols, [_column(x[c]) for c in x.columns]
    if isinstance(x, dict):
        return [str(k) for k in x], [_column(np.asarray(v) if isinstance(v, (list, tuple)) else v) for v in x.values()]
    a = np.asarray(x)
    if a.ndim != 2:
        raise error("INVALID_PARAMETER", f"X must be {_WHAT_TO_PASS}; got an array of {a.ndim} dimension(s)")
    names = list(names) if names is not None else [f"x{j}" for j in range(a.shape[1])]
    if len(names) != a.shape[1]:
        raise error("LENGTH_MISMATCH", f"X has {a.shape[1]} columns but the model was fitted with {len(names)}")
    return names, [_column(a[:, j]) for j in range(a.shape[1])]


def bool_columns(x: Any) -> list:
    """Names of the columns of a DataFrame or dict whose dtype is bool (encoded as booleans
    rather than as numbers), and the boolean columns with nulls of an Arrow table."""
    if hasattr(x, "dtypes") and hasattr(x, "columns"):
        return [str(c) for c, d in zip(x.columns, x.dtypes) if getattr(d, "kind", "") == "b"]
    if isinstance(x, dict):
        nullable = getattr(x, "booleans", ())
        return [str(k) for k, v in x.items() if getattr(getattr(v, "dtype", None), "kind", "") == "b" or k in nullable]
    return []
