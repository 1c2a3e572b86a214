"""NPS by segment and by period, as pandas DataFrames.

The numbers come from the Rust core (``nps._nps``); this module only turns segment labels
into integer codes and back, timestamps into epoch seconds, and columns into a DataFrame
(or a dict of columns when pandas is not installed).
"""

from __future__ import annotations

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
