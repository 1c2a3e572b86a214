"""Arrow in, Arrow out (see docs/arrow.md).

A pyarrow Table or RecordBatch, a polars DataFrame, or any object with the Arrow PyCapsule
interface (``__arrow_c_stream__`` / ``__arrow_c_array__``) is read as a dict of columns the
rest of the package already reads (:class:`Columns`); a pyarrow Array or ChunkedArray and a
polars Series as one column. Numbers and times without nulls in one chunk are numpy arrays
viewing Arrow's buffers (no copy). A function decorated with :func:`io` gives a DataFrame
result back as a pyarrow Table (Arrow in) or a polars DataFrame (polars in), a meaningful
index as its first column(s). pyarrow and polars are imported only when such data is met.
"""

from __future__ import annotations

import functools
import inspect
import json
from typing import Any, Callable, Optional

import numpy as np

from ._errors import error

_READS = "numbers, booleans, text, dictionary (categorical) columns, timestamps and dates"


def flavor(x: Any) -> Optional[str]:
    """'polars' for a polars DataFrame or Series, 'arrow' for pyarrow data and any other object
    with the Arrow PyCapsule interface; None for everything else (pandas, numpy, dicts, lists)."""
    module = type(x).__module__
    if module.startswith("polars"):
        return "polars" if hasattr(x, "to_arrow") else None
    # pandas (and its subclasses) export the interface too: their own path reads them.
    if module.startswith(("pandas", "numpy")) or hasattr(x, "iloc"):
        return None
    return "arrow" if hasattr(x, "__arrow_c_stream__") or hasattr(x, "__arrow_c_array__") else None


def _pa() -> Any:
    try:
        import pyarrow
    except ImportError:
        raise error("INVALID_PARAMETER", "reading Arrow data (pyarrow, polars or an Arrow PyCapsule object) needs "
                                         "pyarrow: pip install pyarrow") from None
    return pyarrow


def arrow(x: Any) -> Any:
    """``x`` as a pyarrow Table (a table) or a pyarrow Array / ChunkedArray (one column), without
    copying: a stream of record batches is a table, any other stream or array one column."""
    pa = _pa()
    if isinstance(x, (pa.Table, pa.ChunkedArray, pa.Array)):
        return x
    if isinstance(x, pa.RecordBatch):
        return pa.Table.from_batches([x])
    if type(x).__module__.startswith("polars"):
        return x.to_arrow()
    try:
        return pa.table(x)
    except (TypeError, ValueError, NotImplementedError):
        return pa.chunked_array(x) if hasattr(x, "__arrow_c_stream__") else pa.array(x)


def column(data: Any, where: str) -> Any:
    """One Arrow column as the package reads it. Numbers and timestamps without nulls: a
    numpy array viewing Arrow's buffer (one chunk; several are combined first); with nulls:
    float64 with NaN, datetime64 with NaT (a time zone is dropped: Arrow holds UTC, as
    pandas' ``tz_convert("UTC")``); dates: datetime64[D]; booleans: numpy bools (float64 1, 0,
    NaN with nulls); text: an object array of str and None; a dictionary column: a pandas
    categorical Series (decoded text without pandas). Any other type is an error naming
    ``where`` (``column 'x'``, or the argument) and the type."""
    pa = _pa()
    t, types = data.type, pa.types
    if types.is_dictionary(t):
        try:
            import pandas  # noqa: F401 - the categorical needs it
        except ImportError:
            return column(data.cast(t.value_type), where)
        return data.to_pandas()
    if isinstance(data, pa.ChunkedArray):
        data = data.chunk(0) if data.num_chunks == 1 else data.combine_chunks()
    if types.is_null(t):
        return np.full(len(data), None, dtype=object)
    if types.is_boolean(t) and data.null_count:
        data = data.cast(pa.float64())
    elif types.is_decimal(t):
        data = data.cast(pa.float64())
    elif not (types.is_boolean(t) or types.is_integer(t) or types.is_floating(t) or types.is_timestamp(t)
              or types.is_date(t) or types.is_string(t) or types.is_large_string(t) or types.is_string_view(t)):
        raise error("INVALID_PARAMETER", f"{where} has Arrow type {t}, which nps does not read "
                                         f"(it reads {_READS})")
    # No copy for numbers and timestamps without nulls; NaN / NaT / None for nulls.
    return data.to_numpy(zero_copy_only=False)


class Columns(dict):
    """An Arrow table read as ``{name: column}`` (see :func:`column`): what the package reads
    as a dict of columns. ``columns`` are the names (as a DataFrame's); ``booleans`` the
    boolean columns with nulls (read as float64 1, 0, NaN)."""

    booleans: frozenset = frozenset()

    @property
    def columns(self) -> list:
        return list(self)

    def take(self, rows: np.ndarray) -> "Columns":
        """The rows ``rows`` (positions) of every column."""
        out = Columns({n: c.iloc[rows].reset_index(drop=True) if hasattr(c, "iloc") else c[rows]
                       for n, c in self.items()})
        out.booleans = self.booleans
        return out

    def matrix(self) -> Optional[np.ndarray]:
        """The columns as one float64 matrix (Fortran order: one copy, column by column) when
        every column holds numbers, else None."""
        if self.booleans or not self or not all(isinstance(c, np.ndarray) and c.dtype.kind in "fiu"
                                                for c in self.values()):
            return None
        out = np.empty((len(next(iter(self.values()))), len(self)), order="F")
        for j, c in enumerate(self.values()):
            out[:, j] = c
        return out


def read(x: Any, name: str = "values") -> Any:
    """Arrow data as the package reads it: a table as :class:`Columns`, one column as
    :func:`column` reads it (``name`` in messages)."""
    pa = _pa()
    data = arrow(x)
    if not isinstance(data, pa.Table):
        return column(data, name)
    out = Columns()
    for n, c in zip(data.column_names, data.columns):
        if str(n) in out:
            raise error("INVALID_PARAMETER", f"the table has two columns named {str(n)!r}")
        out[str(n)] = column(c, f"column {str(n)!r}")
    out.booleans = frozenset(str(n) for n, c in zip(data.column_names, data.columns)
                             if pa.types.is_boolean(c.type) and c.null_count)
    return out


def to_pandas(x: Any) -> Any:
    """Arrow data as pandas reads it (pyarrow's ``to_pandas``): for code written for a
    DataFrame, which copies the values anyway."""
    return arrow(x).to_pandas()


def _array(values: Any) -> list:
    """[(name suffix, Arrow array)] of one result column: as pyarrow reads the pandas column
    (NaN and None are null); an object column of dicts as a map<string, double>; one mixing
    numbers and text (an explanation's value and typical) as two, the numbers and the text
    (``_text``), as nps.spark.explain gives them."""
    pa = _pa()
    items = values.tolist() if values.dtype == object else None
    if items and any(isinstance(v, dict) for v in items) and all(v is None or isinstance(v, dict) for v in items):
        return [("", pa.array([None if v is None else [(str(k), float(s)) for k, s in v.items()] for v in items],
                              type=pa.map_(pa.string(), pa.float64())))]
    try:
        return [("", pa.array(values, from_pandas=True))]
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        items = values.tolist()

    def number(v: Any) -> bool:
        return isinstance(v, (int, float, np.number)) and not isinstance(v, (bool, np.bool_))

    def missing(v: Any) -> bool:
        return v is None or type(v).__name__ in ("NAType", "NaTType") or (number(v) and v != v)

    return [("", pa.array([float(v) if number(v) and not missing(v) else None for v in items], type=pa.float64())),
            ("_text", pa.array([None if missing(v) or number(v) else str(v) for v in items], type=pa.string()))]


def _plain(v: Any) -> Any:
    return v.tolist() if isinstance(v, (np.ndarray, np.generic)) else str(v)


def give(result: Any, kind: Optional[str]) -> Any:
    """A pandas DataFrame result as a pyarrow Table (``kind`` "arrow") or a polars DataFrame
    ("polars"): its index as the first column(s) unless it is the plain 0..n-1 one, its
    ``attrs`` as JSON in the schema metadata under ``nps`` (pyarrow only). Anything else,
    and every result for ``kind`` None, as it is."""
    if kind is None or type(result).__name__ != "DataFrame" or not type(result).__module__.startswith("pandas"):
        return result
    import pandas as pd

    pa = _pa()
    frame, index = result, result.index
    if not (isinstance(index, pd.RangeIndex) and index.name is None and index.start == 0 and index.step == 1):
        frame = frame.reset_index()
    names, arrays = [], []
    for name in frame.columns:
        for suffix, array in _array(frame[name]):
            names.append(f"{name}{suffix}")
            arrays.append(array)
    table = pa.Table.from_arrays(arrays, names=names)
    if result.attrs:
        table = table.replace_schema_metadata({"nps": json.dumps(result.attrs, default=_plain)})
    if kind == "polars":
        import polars as pl

        return pl.from_arrow(table)
    return table


def io(*names: str, pandas: tuple = ()) -> Callable:
    """Decorates a function taking tables or columns: its arguments ``names`` that are Arrow
    or polars data are read (:func:`read`; :func:`to_pandas` for those in ``pandas``), and a
    DataFrame result comes back (:func:`give`) as the kind of the first of ``names`` that is a
    pandas, Arrow or polars object; any other call runs as it is."""

    def wrap(f: Callable) -> Callable:
        signature = inspect.signature(f)

        @functools.wraps(f)
        def call(*args: Any, **kwargs: Any) -> Any:
            if not any(flavor(a) for a in (*args, *kwargs.values())):
                return f(*args, **kwargs)
            bound = signature.bind(*args, **kwargs)
            kind = None
            decided = False
            for name in names:
                value = bound.arguments.get(name)
                k = flavor(value)
                if not decided and (k or type(value).__module__.startswith("pandas")):
                    kind, decided = k, True
                if k:
                    bound.arguments[name] = to_pandas(value) if name in pandas else read(value, name)
            return give(f(*bound.args, **bound.kwargs), kind)

        return call

    return wrap
