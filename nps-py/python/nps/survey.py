"""NPS by segment and by period, as pandas DataFrames.

The numbers come from the Rust core (``nps._nps``); this module only turns segment labels
into integer codes and back, timestamps into epoch seconds, and columns into a DataFrame
(or a dict of columns when pandas is not installed). It also holds the package's two time
conversions: a column of times (``_epoch_seconds``) and one time (``_epoch_second``).
"""

from __future__ import annotations

import datetime
import math
from typing import Any, Optional

import numpy as np

from . import _nps
from ._nps import NpsError


def _frame(columns: dict, index: Optional[str] = None) -> Any:
    try:
        import pandas as pd
    except ImportError:  # pandas is optional
        return columns
    frame = pd.DataFrame(columns)
    return frame.set_index(index) if index else frame


def _codes(segments: Any, n: int) -> tuple[np.ndarray, list]:
    """Integer codes and the distinct labels, in sorted order where labels are comparable."""
    values = segments.to_numpy() if hasattr(segments, "to_numpy") else np.asarray(segments, dtype=object)
    if values.ndim != 1:
        raise NpsError(f"segments must be one-dimensional, got {values.ndim} dimensions")
    if len(values) != n:
        raise NpsError(f"segments has {len(values)} elements but scores has {n}")
    labels: dict = {}
    codes = np.empty(len(values), dtype=np.int64)
    for i, v in enumerate(values.tolist()):
        if v is None or (isinstance(v, float) and v != v) or type(v).__name__ == "NAType":
            raise NpsError(f"segments[{i}] is missing")
        codes[i] = labels.setdefault(v, len(labels))
    ordered = list(labels)
    try:
        order = sorted(range(len(ordered)), key=lambda k: ordered[k])
    except TypeError:  # mixed label types: keep first-seen order
        order = list(range(len(ordered)))
    remap = np.empty(len(ordered), dtype=np.int64)
    remap[order] = np.arange(len(ordered))
    return remap[codes], [ordered[k] for k in order]


def _epoch_seconds(timestamps: Any) -> np.ndarray:
    """Seconds since the Unix epoch (UTC) from datetime64 values, datetimes or integers
    (taken as epoch seconds)."""
    if hasattr(timestamps, "dt") and getattr(timestamps.dt, "tz", None) is not None:
        timestamps = timestamps.dt.tz_convert("UTC").dt.tz_localize(None)
    values = timestamps.to_numpy() if hasattr(timestamps, "to_numpy") else np.asarray(timestamps)
    if values.dtype.kind == "O":
        values = np.asarray(values.tolist(), dtype="datetime64[ns]")
    if values.dtype.kind == "M":
        missing = np.isnat(values)
        if missing.any():
            raise NpsError(f"timestamps[{int(np.argmax(missing))}] is missing (NaT)")
        return values.astype("datetime64[s]").astype(np.int64)
    if values.dtype.kind in "iu":
        return values.astype(np.int64)
    if values.dtype.kind == "f":
        bad = ~np.isfinite(values)
        if bad.any():
            i = int(np.argmax(bad))
            raise NpsError(f"timestamps[{i}] = {values[i]} is not a time")
        return np.floor(values).astype(np.int64)
    raise NpsError(f"timestamps must be datetimes or epoch seconds, got dtype {values.dtype}")


_EPOCH = datetime.datetime(1970, 1, 1)
_EPOCH_UTC = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
_SECOND = datetime.timedelta(seconds=1)
_INT64 = (-(2**63), 2**63 - 1)
_TIME_TYPES = (
    "epoch seconds (int or float), a datetime, a date, a numpy datetime64, a pandas Timestamp or an ISO 8601 string"
)


def _time_error(code: str, message: str) -> NpsError:
    e = NpsError(message)
    e.code = code
    return e


def _epoch_second(t: Any, field: str = "time") -> int:
    """Seconds since the Unix epoch (UTC), rounded down, of one time: epoch seconds (an int or
    a float), a numpy datetime64 of any unit, a ``datetime.datetime`` or pandas ``Timestamp``
    (naive: taken as UTC; aware: converted to UTC), a ``datetime.date`` (midnight UTC) or an
    ISO 8601 string. The one conversion of a single time in the package: ``as_of`` of the
    batch features, an event pushed to a ``CustomerHistory``, ``now`` and outcome times of
    decisions and tickets (the bindings call it). Errors name ``field``: None, NaN and NaT
    are missing (MISSING_VALUE), an infinite time or one beyond int64 seconds is out of
    range (OUT_OF_RANGE), a bool or anything else is not a time (INVALID_PARAMETER)."""
    if isinstance(t, np.ndarray) and t.ndim == 0:
        t = t[()]
    if isinstance(t, (bool, np.bool_)):
        raise _time_error("INVALID_PARAMETER", f"{field} must be a time ({_TIME_TYPES}), got a bool")
    if isinstance(t, (int, np.integer)):
        seconds = int(t)
    elif isinstance(t, (float, np.floating)):
        if math.isnan(t):
            raise _time_error("MISSING_VALUE", f"{field} is missing (NaN)")
        if math.isinf(t):
            raise _time_error("OUT_OF_RANGE", f"{field} = {t} is not a time")
        seconds = math.floor(t)
    elif t is None:
        raise _time_error("MISSING_VALUE", f"{field} is missing (None)")
    elif isinstance(t, np.datetime64):
        if np.isnat(t):
            raise _time_error("MISSING_VALUE", f"{field} is missing (NaT)")
        return int(t.astype("datetime64[s]").astype(np.int64))
    elif isinstance(t, str):
        try:
            import pandas as pd
        except ImportError:  # pandas is optional: numpy reads ISO 8601 without an offset
            pd = None
        try:
            parsed = pd.Timestamp(t) if pd is not None else np.datetime64(t)
        except ValueError as e:
            raise _time_error("INVALID_PARAMETER", f"{field} = {t!r} is not a time ({e})") from None
        return _epoch_second(parsed, field)
    elif isinstance(t, datetime.datetime):  # pandas' Timestamp and NaT are datetimes too
        if t != t:
            raise _time_error("MISSING_VALUE", f"{field} is missing (NaT)")
        seconds = None
        if type(t) is not datetime.datetime:
            try:  # a pandas Timestamp: its nanoseconds since the epoch (UTC), the quick way
                seconds = t.value // 1_000_000_000
            except (AttributeError, OverflowError):  # beyond int64 nanoseconds, or another subclass
                pass
        if seconds is None:  # whole seconds by floor division of the exact difference
            seconds = (t - (_EPOCH if t.tzinfo is None else _EPOCH_UTC)) // _SECOND
    elif isinstance(t, datetime.date):
        seconds = (t - _EPOCH.date()).days * 86_400
    else:
        raise _time_error("INVALID_PARAMETER", f"{field} must be a time ({_TIME_TYPES}), got {type(t).__name__}")
    if not _INT64[0] <= seconds <= _INT64[1]:
        raise _time_error("OUT_OF_RANGE", f"{field} = {t} is beyond the epoch seconds an int64 holds")
    return seconds


def breakdown(
    scores: Any,
    segments: Any,
    weights: Any = None,
    *,
    method: str = "adjusted_wald",
    level: float = 0.95,
    prior: Optional[tuple] = None,
    scale: Any = None,
    non_integer: str = "error",
    missing: str = "error",
) -> Any:
    """NPS by segment: a DataFrame indexed by segment with n, counts, skipped, nps, se and
    the interval (low, high) of each segment."""
    n = len(scores)
    codes, labels = _codes(segments, n)
    cols = _nps._breakdown(scores, codes, weights, scale, non_integer, missing, method, prior, level)
    cols = {"segment": [labels[c] for c in cols.pop("code")], **cols}
    return _frame(cols, "segment")


def trend(
    scores: Any,
    timestamps: Any,
    period: str = "month",
    weights: Any = None,
    *,
    method: str = "adjusted_wald",
    compare: str = "wald",
    level: float = 0.95,
    prior: Optional[tuple] = None,
    scale: Any = None,
    non_integer: str = "error",
    missing: str = "error",
) -> Any:
    """NPS by period ("day", "week", "month" or "quarter", UTC): a DataFrame indexed by
    period label with its start, n, counts, nps, se, interval, and the change against the
    previous period (diff, diff_se, p_value, direction: +1 up, -1 down, 0 not significant)."""
    seconds = _epoch_seconds(timestamps)
    cols = _nps._trend(scores, seconds, period, weights, scale, non_integer, missing, method, prior, compare, level)
    cols["start"] = np.asarray(cols["start"], dtype="datetime64[s]")
    return _frame(cols, "period")
