"""The durable store (Rust crate ``nps-store``): what a retention loop must not lose, in one
SQLite file: events per customer, decisions with their propensities, outcomes, customers'
fields and learner state. Every write is one transaction, on disk when the call returns;
a file that is not an nps store, is corrupted or was written by a newer version raises
:class:`nps.NpsError` (code ``STORE``) and is left as it is. See docs/store.md.

Rows are the store's records, with times in unix seconds (UTC; a datetime, ``Timestamp`` or
``datetime64`` is converted as everywhere in the package)::

    event    {customer, time, kind, value?, duration?, department?, case?, flag?}
    decision {customer, action (None: no action), propensity, segment, control, time, reward?}
    outcome  {customer, segment, action, channel, group, time, kind}
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional, Union

import numpy as np

from . import _nps
from ._errors import error
from ._nps import Learner
from .survey import _epoch_second

#: The store's tables, in the order :meth:`Store.counts` and snapshots list them.
TABLES: tuple = tuple(_nps.STORE_TABLES)
#: The name a learner is saved under unless another is given.
DEFAULT_LEARNER: str = _nps.DEFAULT_LEARNER


def _rows(rows: Any, what: str) -> list:
    """A list of records from a list of dicts or a DataFrame (missing cells left out; ``time``
    through the package's one time conversion, so a frame of :meth:`Store.events` goes back in)."""
    if hasattr(rows, "to_dict") and hasattr(rows, "columns"):
        rows = rows.to_dict("records")
    out = []
    for r in rows:
        where = f"{what}[{len(out)}]"
        if not isinstance(r, Mapping):
            raise error("INVALID_PARAMETER", f"{where}: each row must be a dict, got {type(r).__name__}")
        row = {}
        for k, v in r.items():
            if k == "time":
                row[k] = _epoch_second(v, f"{where}.time")
            elif not _missing(v):
                v = v.item() if isinstance(v, np.generic) else v
                if isinstance(v, float) and not math.isfinite(v):
                    raise error("INVALID_PARAMETER", f"{where}.{k} = {v}: expected a finite number")
                row[k] = v
        out.append(row)
    return out


def _path(path: Any) -> str:
    """A file path from a str or an os.PathLike, refused otherwise (not str()-ed into a name)."""
    if not isinstance(path, (str, os.PathLike)) or not os.fspath(path):
        raise error("INVALID_PARAMETER", f"path must be a non-empty str or os.PathLike, got {path!r:.80}")
    return os.fspath(path)


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and v != v)


def _dumps(value: Any) -> str:
    try:
        return json.dumps(value, allow_nan=False)
    except TypeError as e:  # a value JSON has no form for (a set, an object)
        raise error("INVALID_PARAMETER", f"a store record holds a value that is not JSON: {e}") from None


class Store:
    """A store file, opened (created with its schema when it does not exist or is empty).

    >>> store = Store(path)                     # doctest: +SKIP
    >>> store.append_events([{"customer": "C1", "time": 1_700_000_000, "kind": "outage"}])
    """

    def __init__(self, path: Union[str, Path]) -> None:
        self._store = _nps._Store(_path(path))

    @property
    def path(self) -> str:
        """The file's path."""
        return self._store.path

    def commit(
        self,
        events: Iterable[Mapping] = (),
        decisions: Iterable[Mapping] = (),
        outcomes: Iterable[Mapping] = (),
        fields: Optional[Mapping[str, Mapping]] = None,
        learner: Optional[Learner] = None,
    ) -> None:
        """Writes what one accepted request changes in one transaction: all of it, or (on an
        error) none of it. ``fields``: customer id to that customer's fields (replacing
        theirs); ``learner``: saved under :data:`DEFAULT_LEARNER`."""
        batch = {
            "events": _rows(events, "events"),
            "decisions": _rows(decisions, "decisions"),
            "outcomes": _rows(outcomes, "outcomes"),
            "fields": [{"customer": c, "fields": dict(f)} for c, f in (fields or {}).items()],
        }
        self._store.commit(_dumps(batch), learner)

    def append_events(self, events: Any) -> None:
        """Appends events (a list of dicts or a DataFrame with the event's columns)."""
        self._store.append_events(_dumps(_rows(events, "events")))

    def record_decision(self, decision: Mapping) -> int:
        """Logs one decision; returns its id (for :meth:`set_reward`)."""
        return self._store.record_decision(_dumps(_rows([decision], "decision")[0]))

    def set_reward(self, id: int, reward: float) -> None:
        """Sets the reward of a logged decision once the outcome is known."""
        self._store.set_reward(id, reward)

    def record_outcome(self, outcome: Mapping) -> None:
        """Records one outcome (``kind`` one of presented, accepted, rejected, ignored,
        retained, churned)."""
        self._store.record_outcome(_dumps(_rows([outcome], "outcome")[0]))

    def set_fields(self, customer: str, fields: Mapping) -> None:
        """Sets a customer's fields (replacing what was there)."""
        self._store.set_fields(_dumps({"customer": customer, "fields": dict(fields)}))

    def save_learner(self, learner: Learner, name: str = DEFAULT_LEARNER) -> None:
        """Saves a learner's state under ``name``."""
        self._store.save_learner(name, learner)

    def load_learner(self, name: str = DEFAULT_LEARNER) -> Optional[Learner]:
        """The learner saved under ``name``, or None."""
        return self._store.load_learner(name)

    def rebuild_learner(self, base: Learner) -> Learner:
        """``base`` with every stored outcome replayed in order (successes: accepted,
        retained; failures: rejected, ignored, churned)."""
        return self._store.rebuild_learner(base)

    def events(self, customer: Optional[str] = None) -> Any:
        """The events of ``customer`` (or of everyone) in the order appended, as a DataFrame
        with ``time`` as datetime64 (UTC, seconds)."""
        return self._frame(json.loads(self._store.events(customer)), ["customer", "time", "kind", "value",
                                                                     "duration", "department", "case", "flag"])

    def customers(self) -> list:
        """The customers with events, in the order of their first event."""
        return self._store.customers()

    def decisions(self) -> Any:
        """Every logged decision, in order, indexed by its id."""
        rows = [dict(entry, id=i) for i, entry in json.loads(self._store.decisions())]
        frame = self._frame(rows, ["id", "customer", "action", "propensity", "segment", "control", "time", "reward"])
        return frame.set_index("id")

    def outcomes(self) -> Any:
        """Every outcome, in the order recorded."""
        return self._frame(json.loads(self._store.outcomes()),
                           ["customer", "segment", "action", "channel", "group", "time", "kind"])

    def fields(self) -> dict:
        """Every customer's fields, by customer id."""
        return {f["customer"]: f["fields"] for f in json.loads(self._store.fields())}

    def counts(self) -> dict:
        """Rows in each table."""
        return self._store.counts()

    def snapshot(self) -> str:
        """Everything in the store as one versioned JSON document (``nps.store_snapshot``)."""
        return self._store.snapshot()

    def save_snapshot(self, path: Union[str, Path]) -> None:
        """Writes the snapshot to ``path`` atomically (temporary file, fsync, rename)."""
        _nps._write_atomic(_path(path), self.snapshot())

    def restore(self, snapshot: str) -> None:
        """Replaces everything in the store by a snapshot's content (checked first; one
        transaction)."""
        self._store.restore(snapshot)

    @staticmethod
    def _frame(rows: list, columns: list) -> Any:
        import pandas as pd

        frame = pd.DataFrame(rows, columns=columns)
        frame["time"] = pd.to_datetime(frame["time"], unit="s")
        return frame

    def __repr__(self) -> str:
        counts = ", ".join(f"{t} {n:,}" for t, n in self.counts().items())
        return f"Store({self.path!r}: {counts})"


def write_atomic(path: Union[str, Path], text: str) -> None:
    """Writes ``text`` to ``path`` so that a crash leaves the old file or the new one, never a
    half-written one (temporary file beside it, fsync, rename)."""
    if not isinstance(text, str):
        raise error("INVALID_PARAMETER", f"text must be a str, got {type(text).__name__}")
    _nps._write_atomic(_path(path), text)


__all__ = ["Store", "TABLES", "DEFAULT_LEARNER", "write_atomic"]
