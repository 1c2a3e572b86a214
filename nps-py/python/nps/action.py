"""Next best action (``nps_core::action``): the catalogue and its decisions, learning which
actions work, the control group, off-policy evaluation of a decision log and retention
uplift. See docs/actions.md.

``ActionCatalog`` and ``Learner`` are also at the top of the package (``nps.ActionCatalog``).
"""

from __future__ import annotations

import html
from typing import Any, Mapping, Optional

from ._nps import (
    DEFAULT_TOP_ACTIONS,
    PROPENSITY_DRAWS,
    ActionCatalog,
    Learner,
    in_control_group,
    off_policy,
    uplift,
)
from ._arrow import io as _io
from ._errors import error as _error

__all__ = [
    "PROPENSITY_DRAWS",
    "ActionCatalog",
    "Decision",
    "Learner",
    "decide_frame",
    "in_control_group",
    "off_policy",
    "uplift",
]


def _names(names, first: Optional[str] = None) -> str:
    """Names for a message, the one closest to ``first`` (a likely misspelling) first."""
    import difflib

    names = list(names)
    close = difflib.get_close_matches(first, names, n=1, cutoff=0.6) if first is not None else []
    return ", ".join(close + [n for n in names if n not in close])


def _show(value: Any) -> str:
    """A value as a message shows it: Python's repr of numpy scalars' plain value (1, not np.int64(1))."""
    if hasattr(value, "item") and getattr(value, "ndim", None) == 0:
        value = value.item()
    r = repr(value)
    return r if len(r) <= 60 else r[:57] + "..."


def _column(catalog: ActionCatalog, col, field: str, kind: str, label: str):
    """One frame column as the numeric record's column for ``field``: numbers as they are,
    bools 0/1, strings as their code, missing (None, NaN, NA) as NaN; anything else is an
    error naming the column, the first bad row and its value."""
    import numpy as np
    import pandas as pd
    from pandas.api import types

    where = f"column {label!r} (catalogue field {field!r}, a {kind})"

    def bad(mask, expected):
        at = np.flatnonzero(np.asarray(mask))[0]
        return _error("INVALID_PARAMETER", f"{where} at row {col.index[at]!r} = {_show(col.iloc[at])}: expected {expected}")

    missing = col.isna().to_numpy()
    if kind == "string":
        if types.is_numeric_dtype(col.dtype) or types.is_bool_dtype(col.dtype):
            raise bad(~missing, "a string or missing (the column holds numbers)")
        text = col.astype(object)
        is_text = np.array([isinstance(v, str) for v in text], dtype=bool)
        if (~is_text & ~missing).any():
            raise bad(~is_text & ~missing, "a string or missing")
        codes = {v: catalog.text_code(field, v) for v in pd.unique(text[is_text])}
        out = np.full(len(col), np.nan)
        out[is_text] = [codes[v] for v in text[is_text]]
        return out
    if types.is_bool_dtype(col.dtype):
        if kind == "number":
            raise bad(~missing, "a number or missing (the column holds booleans)")
        return col.to_numpy(dtype=float, na_value=np.nan)
    if types.is_numeric_dtype(col.dtype) and not types.is_complex_dtype(col.dtype):
        out = col.to_numpy(dtype=float, na_value=np.nan)
    else:
        def number(v):
            """The value as a float, NaN when missing, None when it is not one."""
            if v is None or v is pd.NA or (isinstance(v, (float, np.floating)) and np.isnan(v)):
                return np.nan
            if isinstance(v, (bool, np.bool_)):
                return float(v) if kind == "bool" else None
            if isinstance(v, (int, float, np.integer, np.floating)):
                return float(v)
            return None

        values = [number(v) for v in col.astype(object)]
        ok = np.array([v is not None for v in values], dtype=bool)
        if not ok.all():
            expected = "a number or missing" if kind == "number" else "true, false (or 1, 0) or missing"
            hint = " (numbers stored as text? read the file with nps.read_csv, or convert the column with pd.to_numeric)"
            raise bad(~ok, expected + (hint if kind == "number" and any(isinstance(v, str) for v in col) else ""))
        out = np.array(values, dtype=float)
    if kind == "number" and np.isinf(out).any():
        raise bad(np.isinf(out), "a finite number or missing")
    if kind == "bool" and (~np.isnan(out) & (out != 0) & (out != 1)).any():
        raise bad(~np.isnan(out) & (out != 0) & (out != 1), "true, false (or 1, 0) or missing")
    return out


@_io("frame", "factors", "score", "probability", pandas=("frame", "factors"))
def decide_frame(catalog: ActionCatalog, frame, *, score=None, probability=None, factors=None, top: int = DEFAULT_TOP_ACTIONS,
                 ignore_extra: bool = False, mapping: Optional[Mapping[str, str]] = None, uplift=None):
    """The next best actions of every customer of a pandas DataFrame (one row per customer),
    as ``ActionCatalog.decide`` decides for one: ``catalog.decide(frame, ...)`` calls this.
    An Arrow table (a pyarrow Table or RecordBatch, a polars DataFrame) is read as pandas reads
    it and the actions come back as a table of its kind (docs/arrow.md).

    - ``frame``: one column per catalogue field (named as the catalogue names it, or renamed by
      ``mapping``, e.g. ``{"tenure": "tenure_months"}`` from a model input to a catalogue
      field); None, NaN or NA is missing (the rules' comparisons on it are false). A column
      that is no field is an error listing the fields, or left out with ``ignore_extra=True``;
      a field without a column is an error (add a column of None for a field you do not have).
    - ``probability`` (0–1) or ``score`` (0–100): a column name of ``frame``, or one value per
      row (an array, a list or a Series with the frame's index), or one value for all rows.
    - ``factors``: None, or a DataFrame of log-odds contributions with the frame's index and
      one column per factor (as ``ChurnModel.contributions`` gives them; renamed by
      ``mapping``; NaN: not given). A column that is no declared factor is an error, or left
      out with ``ignore_extra=True``.
    - ``uplift``: None (rank by value), or a DataFrame with the frame's index and one column
      per catalogue action (its id) of predicted uplifts (-1..1, as an ``nps.uplift`` model
      predicts them): each row is ranked by uplift × value, and an action whose uplift is not
      positive is left out for that row (docs/actions.md, "Ranking by uplift").
    - No contact history is read: a table is decided as a campaign list is.

    Returns a DataFrame with the frame's index and, for rank k = 1..``top``, the columns
    ``action_k`` (the action id, None when fewer actions passed the rules) and
    ``priority_k``. Errors name the column, the row and the value.
    """
    import numpy as np
    import pandas as pd

    if not isinstance(frame, pd.DataFrame):
        raise _error("INVALID_PARAMETER", "customer must be a dict (one customer) or a pandas DataFrame (one row per "
                                          f"customer), got {type(frame).__name__}")
    mapping = dict(mapping or {})
    fields = dict(catalog.fields)
    declared = set(catalog.factors)
    for source, target in mapping.items():
        if target not in fields and target not in declared:
            raise _error("UNKNOWN_VALUE", f"mapping[{source!r}] = {target!r} is neither a field nor a factor of the "
                                          f"catalogue; expected one of {_names(list(fields) + catalog.factors, target)}")
    n = len(frame)

    def per_row(v, what):
        if v is None:
            return None
        if isinstance(v, str):
            if v not in frame.columns:
                raise _error("UNKNOWN_VALUE", f"{what} = {v!r} is not a column of the frame; expected one of "
                                              f"{_names(map(str, frame.columns), v)} (or one value per row)")
            v = frame[v]
        if isinstance(v, pd.Series) and not v.index.equals(frame.index):
            raise _error("INVALID_PARAMETER", f"{what}'s index does not match the frame's: give it the frame's index, "
                                              "or a plain array in the frame's row order")
        try:
            a = np.asarray(v, dtype=float)
        except (TypeError, ValueError):
            raise _error("INVALID_PARAMETER", f"{what} must hold numbers, got {_show(v)}") from None
        if a.ndim == 0:
            a = np.full(n, float(a))
        if a.ndim != 1 or len(a) != n:
            raise _error("LENGTH_MISMATCH", f"{what} has {a.size} elements but the frame has {n} rows")
        return np.ascontiguousarray(a)

    scores, probabilities = per_row(score, "score"), per_row(probability, "probability")
    taken = {c for c in (score, probability) if isinstance(c, str)}
    named = {}
    for column in frame.columns:
        if column in taken:
            continue
        name = mapping.get(column, column)
        if name in named:
            raise _error("INVALID_PARAMETER", f"columns {named[name]!r} and {column!r} both give catalogue field {name!r}")
        named[name] = column
    absent = [f for f in fields if f not in named]
    if absent:
        hint = _names(map(str, frame.columns), absent[0])
        raise _error("MISSING_VALUE", f"the frame has no column for catalogue field(s) {', '.join(absent)} (columns: "
                                      f"{hint}): rename one with mapping=, or add a column of None for a field you "
                                      "do not have")
    extra = [str(c) for name, c in named.items() if name not in fields]
    if extra and not ignore_extra:
        raise _error("UNKNOWN_VALUE", f"column(s) {', '.join(map(repr, extra))} of the frame are not fields of the "
                                      f"catalogue; expected {_names(fields, extra[0])} (ignore_extra=True leaves them "
                                      "out; mapping= renames a column to a field)")
    values = np.empty((n, len(fields)))
    for j, (field, kind) in enumerate(catalog.fields):
        values[:, j] = _column(catalog, frame[named[field]], field, kind, str(named[field]))
    contributions = None
    if factors is not None:
        if not isinstance(factors, pd.DataFrame):
            raise _error("INVALID_PARAMETER", "factors must be a DataFrame of contributions (one row per customer, one "
                                              f"column per factor) for a frame of customers, got {type(factors).__name__}")
        if not factors.index.equals(frame.index):
            raise _error("INVALID_PARAMETER", "factors' index does not match the frame's: one row of contributions "
                                              "per customer, with the frame's index")
        contributions = np.full((n, len(catalog.factors)), np.nan)
        for column in factors.columns:
            name = mapping.get(column, column)
            if name not in declared:
                if ignore_extra:
                    continue
                raise _error("UNKNOWN_VALUE", f"factors column {column!r} is not a factor of the catalogue; expected "
                                              f"one of {_names(catalog.factors, name)} (ignore_extra=True leaves it out)")
            contributions[:, catalog.factors.index(name)] = _column(catalog, factors[column], name, "number", str(column))
    uplifts = None
    if uplift is not None:
        if not isinstance(uplift, pd.DataFrame):
            raise _error("INVALID_PARAMETER", "uplift must be a DataFrame of predicted uplifts (one row per customer, one "
                                              f"column per action) for a frame of customers, got {type(uplift).__name__}")
        if not uplift.index.equals(frame.index):
            raise _error("INVALID_PARAMETER", "uplift's index does not match the frame's: one row of uplifts per "
                                              "customer, with the frame's index")
        actions = catalog.actions
        for column in uplift.columns:
            if column not in actions:
                raise _error("UNKNOWN_VALUE", f"uplift column {column!r} is not an action of the catalogue; expected "
                                              f"one of {_names(actions, str(column))}")
        absent = [a for a in actions if a not in uplift.columns]
        if absent:
            raise _error("MISSING_VALUE", f"uplift has no column for action(s) {', '.join(absent)}: give every action "
                                          "of the catalogue its predicted uplift")
        try:
            uplifts = uplift[actions].to_numpy(dtype=float)
        except (TypeError, ValueError):
            bad = [str(c) for c in actions if not pd.api.types.is_numeric_dtype(uplift[c].dtype)]
            raise _error("INVALID_PARAMETER", "uplift must hold numbers (predicted uplifts, -1..1); column(s) "
                                              f"{', '.join(map(repr, bad))} do not") from None
    rows = [str(r) for r in frame.index]
    index, priority = catalog._decide_rows(np.ascontiguousarray(values), rows, score=scores, probability=probabilities,
                                           contributions=contributions, top=top, uplift=uplifts)
    ids = np.array(catalog.actions + [None], dtype=object)
    out = {}
    for k in range(top):
        out[f"action_{k + 1}"] = ids[index[:, k]]
        out[f"priority_{k + 1}"] = priority[:, k]
    return pd.DataFrame(out, index=frame.index)


class Decision(dict):
    """The result of ``ActionCatalog.decide``: a dict with ``actions`` (best first),
    ``trace`` (one entry per catalogue action) and, for a logged decision, ``log``. Jupyter
    shows it as a table of the ranked actions."""

    def _repr_html_(self) -> str:
        rows = []
        for a in self.get("actions", []):
            cells = [str(a["rank"]), a["id"], a["label"], a["channel"], f"{a['priority']:.4g}", f"{a['value']:.4g}"]
            rows.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
        if not rows:
            rows.append('<tr><td colspan="6">no action</td></tr>')
        head = "".join(f"<th>{h}</th>" for h in ("rank", "id", "label", "channel", "priority", "value"))
        return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
