"""Churn features from a raw event history, as of a date, with no leakage.

The event history is a pandas DataFrame, a dict of numpy arrays, or an Arrow table (a pyarrow
Table or RecordBatch, a polars DataFrame: see docs/arrow.md) with one row per event and the
columns

========== ============================================================ ==========
column     meaning                                                      required
========== ============================================================ ==========
customer   customer id (any hashable: str, int)                         yes
time       datetime64 / pandas timestamps, or integer epoch seconds     yes
kind       event kind (see ``nps.features.BUILT_IN_KINDS``)              yes
value      amount, megabytes, score (NaN = none)                        no
duration   seconds, e.g. handle time (NaN = none, never negative)      no
department department or channel (None = none)                         no
case       case / ticket id (None = none)                              no
flag       resolved / transferred / accepted (bool, None = none)       no
========== ============================================================ ==========

Rows need not be sorted. Only events strictly before ``as_of`` count. Features come back
as a DataFrame indexed by customer id. The numbers come from the Rust core; this module
only encodes the columns.
"""

from __future__ import annotations

import json
from typing import Any, Iterable, Mapping, Optional, Union

import numpy as np

from . import _nps
from ._arrow import io
from ._errors import error
from ._tables import _is_missing
from .survey import _epoch_second, _epoch_seconds

BUILT_IN_KINDS: tuple = tuple(_nps._built_in_kinds())
#: A feature set compiled once for the histories of a service (the retention set by default).
FeatureEngine = _nps.FeatureEngine
#: One customer's events, added one at a time; features equal to the batch computation.
CustomerHistory = _nps.CustomerHistory
NONE_CODE = 2**32 - 1
REQUIRED = ("customer", "time", "kind")
OPTIONAL = ("value", "duration", "department", "case", "flag")


def _raw(events: Any, name: str) -> Any:
    try:
        return events[name]
    except (KeyError, IndexError):
        return None


def _column(events: Any, name: str) -> Optional[np.ndarray]:
    col = _raw(events, name)
    if col is None:
        return None
    return col.to_numpy() if hasattr(col, "to_numpy") else np.asarray(col)


def _factorize(column: Any, field: str, allow_missing: bool) -> tuple[np.ndarray, Any]:
    """Codes (uint32, NONE_CODE for missing) and labels (a list, an array or an Index): a
    pandas Categorical keeps its own codes; integers over a compact range are coded in
    ascending order; anything else is factorized in first-seen order."""
    if hasattr(column, "cat"):
        codes, labels = column.cat.codes.to_numpy(), column.cat.categories
        if len(codes) and codes.min() < 0:
            if not allow_missing:
                raise error("MISSING_VALUE", f"{field}[{int(np.argmax(codes < 0))}] is missing")
            return np.where(codes < 0, NONE_CODE, codes).astype(np.uint32), labels
        return codes.astype(np.uint32), labels
    values = column.to_numpy() if hasattr(column, "to_numpy") else np.asarray(column)
    dense = _dense_integer_codes(values)
    if dense is not None:
        return dense
    try:
        import pandas as pd

        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        labels = list(uniques)
        codes = codes.astype(np.int64)
    except ImportError:
        labels_map: dict = {}
        codes = np.empty(len(values), dtype=np.int64)
        for i, v in enumerate(values.tolist()):
            codes[i] = -1 if _is_missing(v) else labels_map.setdefault(v, len(labels_map))
        labels = list(labels_map)
    if (codes < 0).any():
        if not allow_missing:
            i = int(np.argmax(codes < 0))
            raise error("MISSING_VALUE", f"{field}[{i}] is missing")
        codes = np.where(codes < 0, NONE_CODE, codes)
    return codes.astype(np.uint32), labels


def _dense_integer_codes(values: np.ndarray) -> Optional[tuple[np.ndarray, np.ndarray]]:
    """Integer ids over a range not much wider than the rows: codes by direct indexing in
    the core (several times faster than hashing), labels (an int64 array) in ascending
    order."""
    if values.dtype.kind not in "iu" or len(values) == 0:
        return None
    if values.dtype.kind == "u" and values.max() > np.iinfo(np.int64).max:
        return None
    dense = _nps._dense_codes(np.ascontiguousarray(values, dtype=np.int64))
    return dense


def _floats(values: Optional[np.ndarray], field: str) -> np.ndarray:
    if values is None:
        return np.empty(0, dtype=np.float64)
    if values.dtype.kind == "O":
        out = np.empty(len(values), dtype=np.float64)
        for i, v in enumerate(values.tolist()):
            if _is_missing(v):
                out[i] = np.nan
            else:
                try:
                    out[i] = float(v)
                except (TypeError, ValueError):
                    raise error("INVALID_PARAMETER", f"{field}[{i}] = {v!r} is not a number") from None
        return out
    if values.dtype.kind not in "iuf":
        raise error("INVALID_PARAMETER", f"{field} must hold numbers, got dtype {values.dtype}")
    return np.ascontiguousarray(values, dtype=np.float64)


def _flags(values: Optional[np.ndarray]) -> np.ndarray:
    """Flags as the core reads them: 0 false, 1 true, 2 absent."""
    if values is None:
        return np.empty(0, dtype=np.uint8)
    if values.dtype.kind == "b":
        return values.astype(np.uint8)
    if values.dtype.kind in "iuf":
        missing = np.isnan(values) if values.dtype.kind == "f" else np.zeros(len(values), dtype=bool)
        bad = ~missing & (values != 0) & (values != 1)
        if bad.any():
            i = int(np.argmax(bad))
            raise error("INVALID_PARAMETER", f"flag[{i}] = {values[i].item()!r} is not a boolean")
        return np.where(missing, 2, values == 1).astype(np.uint8)
    out = np.empty(len(values), dtype=np.uint8)
    for i, v in enumerate(values.tolist()):
        if _is_missing(v):
            out[i] = 2
        elif v in (True, 1) or v is True:
            out[i] = 1
        elif v in (False, 0):
            out[i] = 0
        else:
            raise error("INVALID_PARAMETER", f"flag[{i}] = {v!r} is not a boolean")
    return out


# Ticks per second of the datetime64 units the core reads without converting them.
_TICKS = {"s": 1, "ms": 10**3, "us": 10**6, "ns": 10**9}


def _event_times(timestamps: Any) -> tuple[np.ndarray, int]:
    """Event times as int64 ticks and the ticks per second: datetime64 in s, ms, us or ns is
    read in place (the core rounds down to seconds, as a datetime64[s] cast does); other
    times are converted to epoch seconds."""
    if hasattr(timestamps, "dt") and getattr(timestamps.dt, "tz", None) is not None:
        timestamps = timestamps.dt.tz_convert("UTC").dt.tz_localize(None)
    values = timestamps.to_numpy() if hasattr(timestamps, "to_numpy") else np.asarray(timestamps)
    if values.dtype.kind == "M":
        unit, count = np.datetime_data(values.dtype)
        if unit in _TICKS and count == 1:
            missing = np.isnat(values)
            if missing.any():
                raise error("MISSING_VALUE", f"timestamps[{int(np.argmax(missing))}] is missing (NaT)")
            return np.ascontiguousarray(values).view(np.int64), _TICKS[unit]
    return _epoch_seconds(values), 1


def _encode(events: Any) -> dict:
    """The columns the core reads; ``time`` in ``time_ticks`` ticks per second."""
    missing = [c for c in REQUIRED if _raw(events, c) is None]
    if missing:
        raise error("INVALID_PARAMETER", f"events is missing the column(s) {', '.join(missing)} (required: customer, time, kind)")
    customer, customer_labels, customer_first = _customers(_raw(events, "customer"))
    kind, kind_names = _kinds(_raw(events, "kind"))
    dep = _raw(events, "department")
    department, department_names = _factorize(dep, "department", True) if dep is not None else (np.empty(0, np.uint32), [])
    case = _raw(events, "case")
    case_codes = _factorize(case, "case", True)[0] if case is not None else np.empty(0, np.uint32)
    time, ticks = _event_times(_raw(events, "time"))
    flag = _raw(events, "flag")
    if str(getattr(flag, "dtype", "")) == "boolean":  # pandas' nullable booleans, without a pass per row
        flag = flag.to_numpy(dtype=np.float64, na_value=np.nan)
    enc = dict(
        customer=customer,
        customer_labels=customer_labels,
        time=time,
        time_ticks=ticks,
        kind=kind,
        kind_names=[str(k) for k in kind_names],
        value=_floats(_column(events, "value"), "value"),
        duration=_floats(_column(events, "duration"), "duration"),
        department=department,
        department_names=[str(d) for d in department_names],
        case=case_codes,
        flag=_flags(None if flag is None else flag.to_numpy() if hasattr(flag, "to_numpy") else np.asarray(flag)),
    )
    if customer_first is not None:
        enc["customer_first"] = customer_first
    return enc


def _customers(column: Any) -> tuple[np.ndarray, Any, Optional[int]]:
    """Customer codes and labels, and the first id when the codes are integer ids read in
    place (every id of a range occurs: the core reads id - first as the code)."""
    if not hasattr(column, "cat"):
        values = column.to_numpy() if hasattr(column, "to_numpy") else np.asarray(column)
        if values.dtype.kind in "iu" and len(values) and (values.dtype.kind == "i" or values.max() <= np.iinfo(np.int64).max):
            ids = np.ascontiguousarray(values, dtype=np.int64)
            span = _nps._dense_range(ids)
            if span is not None:
                return ids, np.arange(span[0], span[1] + 1, dtype=np.int64), span[0]
    codes, labels = _factorize(column, "customer", allow_missing=False)
    return codes, labels, None


def _kinds(column: Any) -> tuple[np.ndarray, Any]:
    """Kind codes and names; a categorical's one-byte codes are read in place."""
    if hasattr(column, "cat"):
        codes = column.cat.codes.to_numpy()
        if codes.dtype == np.int8 and (len(codes) == 0 or codes.min() >= 0):
            return codes.view(np.uint8), column.cat.categories
    return _factorize(column, "kind", allow_missing=False)


@io("events")
def encode_events(events: Any) -> dict:
    """The event history as the dictionary-encoded columns the core reads (advanced use);
    ``time`` in epoch seconds."""
    enc = _encode(events)
    enc["time"] = enc["time"] // enc.pop("time_ticks")
    if "customer_first" in enc:
        enc["customer"] = (enc["customer"] - enc.pop("customer_first")).astype(np.uint32)
    enc["kind"] = enc["kind"].astype(np.uint32)
    enc["customer_labels"] = list(enc["customer_labels"])
    return enc


def _definitions_json(definitions: Union[str, Mapping, Iterable]) -> str:
    if isinstance(definitions, str):
        return definitions
    if isinstance(definitions, Mapping):
        return json.dumps(definitions)
    return json.dumps({"features": list(definitions)})


def _compute(events: Any, definitions: Optional[str], as_of: Any, declared_kinds: Iterable[str]) -> Any:
    enc = _encode(events)
    labels = enc.pop("customer_labels")
    names, descriptions, values = _nps._compute_features(
        enc, definitions, _epoch_second(as_of, "as_of"), [str(k) for k in declared_kinds]
    )
    labels = labels[: values.shape[0]]  # unused trailing categories of a categorical column
    try:
        import pandas as pd
    except ImportError:
        return {"customer": list(labels), **{n: values[:, j] for j, n in enumerate(names)}}
    # The values are a new array of the core's: the frame takes it as it is (copying a
    # million rows into pandas' own layout would take longer than computing them).
    frame = pd.DataFrame(values, columns=names, index=pd.Index(labels, name="customer"), copy=False)
    frame.attrs["descriptions"] = dict(zip(names, descriptions))
    return frame


@io("events")
def compute(events: Any, definitions: Union[str, Mapping, Iterable], as_of: Any, declared_kinds: Iterable[str] = ()) -> Any:
    """Features defined declaratively (JSON text, a dict ``{"features": [...]}`` or a list of
    definitions), one row per customer, as of ``as_of`` (epoch seconds, a date, a datetime, a
    datetime64, a pandas Timestamp or an ISO 8601 string: naive times are UTC).
    See docs/features.md for the definition format."""
    return _compute(events, _definitions_json(definitions), as_of, declared_kinds)


@io("events")
def retention(events: Any, as_of: Any, declared_kinds: Iterable[str] = ()) -> Any:
    """The built-in retention feature set (tenure, contacts, repeat contacts, handle time,
    bill shock, usage trend, top-up gap, last NPS, ...), one row per customer, as of
    ``as_of``. Each column's one-line description is in ``frame.attrs["descriptions"]``."""
    return _compute(events, None, as_of, declared_kinds)


def retention_definitions() -> dict:
    """The built-in retention feature set as its JSON definitions."""
    return json.loads(_nps._retention_json())
