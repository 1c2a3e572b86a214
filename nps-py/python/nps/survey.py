"""NPS by segment and by period, as pandas DataFrames.

The numbers come from the Rust core (``nps._nps``); this module only turns segment labels
into integer codes and back, timestamps into epoch seconds, and columns into a DataFrame
(or a dict of columns when pandas is not installed). It also holds the package's two time
conversions: a column of times (``_epoch_seconds``) and one time (``_epoch_second``).
Arrow and polars columns and tables are read by ``nps._arrow`` (see docs/arrow.md).
"""

from __future__ import annotations

import datetime
import math
from typing import Any, Mapping, Optional

import numpy as np

from . import _nps
from ._arrow import io
from ._errors import error
from ._nps import NpsError


def _frame(columns: dict, index: Optional[str] = None) -> Any:
    try:
        import pandas as pd
    except ImportError:  # pandas is optional
        return columns
    frame = pd.DataFrame(columns)
    return frame.set_index(index) if index else frame


def _missing_label(v: Any) -> bool:
    return v is None or (isinstance(v, float) and v != v) or type(v).__name__ in ("NAType", "NaTType")


def _keys(segments: Any, n: int) -> tuple[list, list]:
    """(key columns as lists, their names) of one key (a Series, an array, a list) or of
    several (a DataFrame, a dict of columns, or a list or tuple of Series / arrays)."""
    if hasattr(segments, "columns") and hasattr(segments, "iloc"):  # a DataFrame: one key per column
        columns = [segments[c] for c in segments.columns]
        names = [str(c) for c in segments.columns]
    elif isinstance(segments, Mapping):  # a dict of columns (an Arrow table read by nps._arrow)
        columns, names = list(segments.values()), [str(c) for c in segments]
    elif isinstance(segments, (list, tuple)) and segments and all(np.ndim(k) == 1 and not isinstance(k, str)
                                                                   for k in segments):
        columns = list(segments)
        names = [getattr(k, "name", None) or f"segment{j}" for j, k in enumerate(columns)]
    else:
        columns, names = [segments], [None]  # type: ignore[list-item]
    keys = []
    for j, column in enumerate(columns):
        values = column.to_numpy() if hasattr(column, "to_numpy") else np.asarray(column, dtype=object)
        field = "segments" if len(columns) == 1 else f"segments[{names[j]!r}]"
        if values.ndim != 1:
            raise error("INVALID_PARAMETER", f"{field} must be one-dimensional, got {values.ndim} dimensions")
        if len(values) != n:
            raise error("LENGTH_MISMATCH", f"{field} has {len(values)} elements but scores has {n}")
        keys.append(values.tolist())
    return keys, names


def _codes(segments: Any, n: int, dropna: Optional[bool] = None) -> tuple[np.ndarray, list, list, np.ndarray]:
    """(integer codes, the distinct labels in sorted order where comparable, missing labels
    last, the key names, the rows kept). A label is a value for one key and a tuple for
    several. A missing key (None, NaN, NA) is an error (``dropna=None``), drops the row
    (``dropna=True``) or is a group of its own, labelled NaN (``dropna=False``)."""
    keys, names = _keys(segments, n)
    several = len(keys) > 1
    labels: dict = {}
    codes = np.empty(n, dtype=np.int64)
    keep = np.ones(n, dtype=bool)
    for i in range(n):
        values = tuple(k[i] for k in keys)
        gaps = [j for j, v in enumerate(values) if _missing_label(v)]
        if gaps:
            if dropna is None:
                where = "segments" if not several else f"segments[{names[gaps[0]]!r}]"
                raise error("MISSING_VALUE", f"{where}[{i}] is missing (dropna=False keeps the missing segments as a "
                                             "group, dropna=True leaves their answers out)")
            if dropna:
                keep[i] = False
                codes[i] = -1
                continue
            values = tuple(np.nan if j in gaps else v for j, v in enumerate(values))
        label = values if several else values[0]
        codes[i] = labels.setdefault(label, len(labels))
    ordered = list(labels)

    def sort_key(label: Any) -> tuple:
        parts = label if several else (label,)
        return tuple((_missing_label(v), 0 if _missing_label(v) else v) for v in parts)

    try:
        order = sorted(range(len(ordered)), key=lambda k: sort_key(ordered[k]))
    except TypeError:  # mixed label types: keep first-seen order
        order = list(range(len(ordered)))
    remap = np.empty(len(ordered), dtype=np.int64)
    remap[order] = np.arange(len(ordered))
    codes[keep] = remap[codes[keep]]
    return codes, [ordered[k] for k in order], names, keep


def _epoch_seconds(timestamps: Any) -> np.ndarray:
    """Seconds since the Unix epoch (UTC) from datetime64 values, datetimes or integers
    (taken as epoch seconds)."""
    if hasattr(timestamps, "dt") and getattr(timestamps.dt, "tz", None) is not None:
        timestamps = timestamps.dt.tz_convert("UTC").dt.tz_localize(None)
    values = timestamps.to_numpy() if hasattr(timestamps, "to_numpy") else np.asarray(timestamps)
    if values.dtype.kind in "OUS":
        return _text_times(values)
    if values.dtype.kind == "M":
        missing = np.isnat(values)
        if missing.any():
            raise error("MISSING_VALUE", f"timestamps[{int(np.argmax(missing))}] is missing (NaT)")
        return values.astype("datetime64[s]").astype(np.int64)
    if values.dtype.kind in "iu":
        return values.astype(np.int64)
    if values.dtype.kind == "f":
        bad = ~np.isfinite(values)
        if bad.any():
            i = int(np.argmax(bad))
            raise error("OUT_OF_RANGE", f"timestamps[{i}] = {values[i]} is not a time")
        return np.floor(values).astype(np.int64)
    raise error("INVALID_PARAMETER", f"timestamps must be datetimes or epoch seconds, got dtype {values.dtype}")


def _text_times(values: np.ndarray) -> np.ndarray:
    """Epoch seconds of ISO 8601 strings (naive: UTC; with an offset: converted to UTC) or of
    a mix of times as :func:`_epoch_second` reads them; errors name the index."""
    items = values.tolist()
    if all(isinstance(v, str) for v in items):
        try:
            import pandas as pd

            parsed = pd.to_datetime(pd.Series(items, dtype=object), utc=True, format="ISO8601")
            return (parsed.dt.tz_localize(None).to_numpy().astype("datetime64[s]").astype(np.int64))
        except (ImportError, ValueError, TypeError, OverflowError):
            pass  # one at a time below, so that the error names the value
    return np.array([_epoch_second(v, f"timestamps[{i}]") for i, v in enumerate(items)], dtype=np.int64)


_EPOCH = datetime.datetime(1970, 1, 1)
_EPOCH_UTC = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
_SECOND = datetime.timedelta(seconds=1)
_INT64 = (-(2**63), 2**63 - 1)
_TIME_TYPES = (
    "epoch seconds (int or float), a datetime, a date, a numpy datetime64, a pandas Timestamp or an ISO 8601 string"
)


def _time_error(code: str, message: str) -> NpsError:
    return error(code, message)


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
        quick: Optional[int] = None
        if type(t) is not datetime.datetime:
            try:  # a pandas Timestamp: its nanoseconds since the epoch (UTC), the quick way
                quick = t.value // 1_000_000_000  # type: ignore[attr-defined]
            except (AttributeError, OverflowError):  # beyond int64 nanoseconds, or another subclass
                pass
        # otherwise whole seconds by floor division of the exact difference
        seconds = quick if quick is not None else (t - (_EPOCH if t.tzinfo is None else _EPOCH_UTC)) // _SECOND
    elif isinstance(t, datetime.date):
        seconds = (t - _EPOCH.date()).days * 86_400
    else:
        raise _time_error("INVALID_PARAMETER", f"{field} must be a time ({_TIME_TYPES}), got {type(t).__name__}")
    if not _INT64[0] <= seconds <= _INT64[1]:
        raise _time_error("OUT_OF_RANGE", f"{field} = {t} is beyond the epoch seconds an int64 holds")
    return seconds


@io("segments", "scores", "weights")
def breakdown(
    scores: Any,
    segments: Any,
    weights: Any = None,
    *,
    method: str = _nps.DEFAULT_INTERVAL_METHOD,
    level: float = _nps.DEFAULT_LEVEL,
    prior: Optional[tuple] = None,
    scale: Any = None,
    non_integer: str = "error",
    missing: str = "error",
    out_of_range: str = "error",
    dropna: Optional[bool] = None,
) -> Any:
    """NPS by segment: a DataFrame indexed by segment with n, counts, skipped (missing
    answers), out_of_range (answers off the scale left out under ``out_of_range="skip"``),
    nps, se and the interval (low, high) of each segment.

    ``segments``: one key (a Series, an array, a list) or several (a DataFrame of key
    columns, or a list of Series / arrays): several keys give one row per combination that
    occurs, indexed by a MultiIndex named after the keys, as ``DataFrame.groupby`` does. A
    missing key is an error by default; ``dropna=True`` leaves those answers out (their
    number in ``attrs["dropped"]``), ``dropna=False`` keeps them as a group of their own,
    labelled NaN and sorted last (pandas' ``groupby(dropna=False)``)."""
    n = len(scores)
    codes, labels, names, keep = _codes(segments, n, dropna)
    dropped = int((~keep).sum())
    if dropped:
        scores = np.asarray(scores.to_numpy() if hasattr(scores, "to_numpy") else scores)[keep]
        codes = codes[keep]
        if weights is not None:
            weights = np.asarray(weights.to_numpy() if hasattr(weights, "to_numpy") else weights)[keep]
    cols = _nps._breakdown(scores, codes, weights, scale, non_integer, missing, out_of_range, method, prior, level)
    segment = [labels[c] for c in cols.pop("code")]
    try:
        import pandas as pd
    except ImportError:  # pandas is optional
        return {"segment": segment, **cols}
    if len(names) > 1:
        index = pd.MultiIndex.from_tuples(segment, names=names)
    else:
        index = pd.Index(segment, name="segment" if names[0] is None else names[0])
    frame = pd.DataFrame(cols, index=index)
    frame.attrs["dropped"] = dropped
    return frame


@io("scores")
def validate_scores(scores: Any, *, scale: Any = None, non_integer: str = "error") -> Any:
    """Every bad answer at once, where ``Tally.from_scores`` stops at the first: one row per
    answer a tally would not count as it is (missing, off the scale, not a whole number when
    ``non_integer="error"``, or not a number at all), in order, with its position, its
    value, the problem (``missing``, ``out_of_range``, ``non_integer``, ``not_a_number``)
    and the message the tally would raise. Indexed by the answers' labels (a Series' index,
    else positions); empty when every answer counts. ``attrs["n"]`` is the number of
    answers. The policies that skip answers (``missing="skip"``, ``out_of_range="skip"``)
    drop exactly the rows reported as missing and out of range."""
    values = scores.to_numpy() if hasattr(scores, "to_numpy") else np.asarray(scores)
    labels = list(scores.index) if hasattr(scores, "index") and hasattr(scores, "to_numpy") else None
    if values.ndim != 1:
        raise error("INVALID_PARAMETER", f"scores must be one-dimensional, got {values.ndim} dimensions")
    text = {}
    if values.dtype.kind in "OUSb":  # answers of mixed types: the numbers, and what is not one
        numbers = np.full(len(values), np.nan)
        for i, v in enumerate(values.tolist()):
            if _missing_label(v):
                continue
            if isinstance(v, (int, float, np.number)) and not isinstance(v, (bool, np.bool_)):
                numbers[i] = float(v)
            else:  # text ("9" too: a tally takes numbers), a bool
                text[i] = v
        values = numbers
    positions, bad_values, problems, messages = _nps._validate_scores(values, scale, non_integer)
    rows = [r for r in zip(positions, bad_values, problems, messages) if r[0] not in text]
    rows += [(i, v, "not_a_number", f"scores[{i}] = {v!r} is not a number") for i, v in text.items()]
    rows.sort(key=lambda r: r[0])
    columns = {"position": [r[0] for r in rows], "value": [r[1] for r in rows], "problem": [r[2] for r in rows],
               "message": [r[3] for r in rows]}
    try:
        import pandas as pd
    except ImportError:  # pandas is optional
        return columns
    index = [labels[i] for i in columns["position"]] if labels is not None else columns["position"]
    frame = pd.DataFrame(columns, index=pd.Index(index, dtype=object if labels is not None else np.int64))
    frame["value"] = pd.Series(columns["value"], index=frame.index, dtype=object)
    frame.attrs["n"] = len(values)
    return frame


@io("scores", "timestamps", "weights")
def trend(
    scores: Any,
    timestamps: Any,
    period: str = "month",
    weights: Any = None,
    *,
    method: str = _nps.DEFAULT_INTERVAL_METHOD,
    compare: str = _nps.DEFAULT_COMPARE_METHOD,
    level: float = _nps.DEFAULT_LEVEL,
    prior: Optional[tuple] = None,
    scale: Any = None,
    non_integer: str = "error",
    missing: str = "error",
    out_of_range: str = "error",
) -> Any:
    """NPS by period ("day", "week", "month" or "quarter", UTC): a DataFrame indexed by
    period label with its start, n, counts, nps, se, interval, and the change against the
    previous period (diff, diff_se, p_value, direction: +1 up, -1 down, 0 not significant).
    ``timestamps``: datetime64 values, datetimes, pandas Series (time-zone aware ones are
    converted to UTC), epoch seconds, or ISO 8601 strings ("2026-03-05",
    "2026-03-05T10:00:00+01:00"; naive ones are UTC), as every time in the package."""
    seconds = _epoch_seconds(timestamps)
    cols = _nps._trend(scores, seconds, period, weights, scale, non_integer, missing, out_of_range, method, prior,
                       compare, level)
    cols["start"] = np.asarray(cols["start"], dtype="datetime64[s]")
    return _frame(cols, "period")
