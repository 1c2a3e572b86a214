"""Churn features from a raw event history, as of a date, with no leakage.

Tables (``X``, ``events``) may be pandas DataFrames, dicts of arrays, 2-D numpy arrays, pyarrow
Tables or RecordBatches, polars DataFrames or any Arrow PyCapsule object; columns may be
pyarrow Arrays or polars Series. A DataFrame result comes back as a pyarrow Table for Arrow
input and a polars DataFrame for polars input (docs/arrow.md)."""

from typing import Any, Iterable, Mapping, Optional, Union, final

import numpy as np

BUILT_IN_KINDS: tuple
#: The code of a missing label in encoded events (the largest uint32).
NONE_CODE: int
#: The columns every events table has, and those it may have.
REQUIRED: tuple[str, ...]
OPTIONAL: tuple[str, ...]
Definitions = Union[str, Mapping[str, Any], Iterable[Mapping[str, Any]]]

def encode_events(events: Any) -> dict:
    """The event history as dictionary-encoded columns (advanced use): codes and labels for
    customers, kinds and departments, ``time`` in epoch seconds (rounded down)."""

def compute(events: Any, definitions: Definitions, as_of: Any, declared_kinds: Iterable[str] = ()) -> Any:
    """Features defined declaratively (JSON text, a dict {"features": [...]} or a list of
    definitions), one row per customer (a pandas DataFrame indexed by customer), as of
    ``as_of`` (``nps.Time``: epoch seconds, a date, datetime, datetime64, pandas Timestamp
    or ISO 8601 string; naive times are UTC). Only events strictly before ``as_of`` count.
    Raises NpsError naming the column and row of bad input, or the JSON path of a bad
    definition."""

def retention(events: Any, as_of: Any, declared_kinds: Iterable[str] = ()) -> Any:
    """The built-in retention feature set, one row per customer, as of ``as_of``; the
    one-line description of each column is in ``frame.attrs["descriptions"]``."""

def retention_definitions() -> dict:
    """The built-in retention feature set as its JSON definitions."""


@final
class FeatureEngine:
    """A feature set compiled once (the retention set when definitions is None); pickles as
    its arguments."""
    def __new__(cls, definitions: Optional[str] = None, declared_kinds: Iterable[str] = ()) -> FeatureEngine: ...
    @property
    def names(self) -> list: ...
    def spark_sql_ranges(self) -> str:
        """The aggregates of the one pass over the events that ``spark_sql`` needs, as JSON
        ([{name, expression}], empty when no feature sums); raises when a feature is not
        written as Spark SQL."""
    def spark_sql(self, as_of: int, ranges: str) -> str:
        """The features as of ``as_of`` (epoch seconds) as Spark SQL steps, given the pass's
        row as JSON: {events, aggregates, steps}, each step a list of {name, expression}."""

@final
class CustomerHistory:
    """One customer's events, added one at a time (any order); features equal the batch."""
    def __new__(cls, declared_kinds: Iterable[str] = ()) -> CustomerHistory: ...
    def push(self, time: Any, kind: str, value: Optional[float] = None, duration: Optional[float] = None,
             department: Optional[str] = None, case: Any = None, flag: Optional[bool] = None) -> None: ...
    def features(self, engine: FeatureEngine, as_of: Any) -> np.ndarray: ...
    @property
    def last_time(self) -> Optional[int]: ...
    @property
    def kinds(self) -> list: ...
    def __len__(self) -> int: ...
    def truncate(self, length: int) -> None:
        """Removes the events added after the history held ``length`` of them (the latest added)."""
    def to_json(self) -> str:
        """The history as JSON (declared kinds, every event in the order added)."""
    @staticmethod
    def from_json(text: str) -> "CustomerHistory":
        """A history written by ``to_json``; every event is checked again."""
