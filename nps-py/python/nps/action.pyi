"""Type stubs for nps.action (next best action, the control group, off-policy evaluation, uplift)."""

from typing import Any, Mapping, Optional, Sequence, TypedDict, Union

import numpy.typing as npt

from . import ActionCatalog as ActionCatalog, Learner as Learner

ArrayLike = Union[Sequence[float], npt.NDArray[Any], Any]

PROPENSITY_DRAWS: int

class Decision(dict):
    """The result of ``ActionCatalog.decide`` (``actions``, ``trace``, ``log``); a table in Jupyter."""

    def _repr_html_(self) -> str: ...

class TraceEntry(TypedDict):
    """One catalogue action's fate: ``detail`` says what decided it (for a failed condition: its JSON
    path, the condition in words and the values it read); ``condition`` and ``seen`` are None and ""
    unless a condition removed the action."""
    id: str
    status: str
    detail: str
    priority: Optional[float]
    condition: Optional[str]
    seen: str

def decide_frame(catalog: ActionCatalog, frame: Any, *, score: Union[None, str, float, ArrayLike] = None,
                 probability: Union[None, str, float, ArrayLike] = None, factors: Optional[Any] = None,
                 top: int = 3, ignore_extra: bool = False, mapping: Optional[Mapping[str, str]] = None,
                 uplift: Optional[Any] = None) -> Any:
    """The next best actions of every row of ``frame`` (one customer per row): a DataFrame with the frame's
    index and ``action_k``, ``priority_k`` for k = 1..``top`` (missing when fewer actions passed). The risk is
    ``probability`` (0–1) or ``score`` (0–100): a column name, one value per row or one for all; ``factors`` a
    DataFrame of contributions with the frame's index; ``mapping`` renames model inputs to catalogue names;
    ``ignore_extra`` leaves out columns and factors the catalogue does not declare. ``frame`` and ``factors``
    may be pyarrow Tables or RecordBatches or polars DataFrames: the actions come back as a table of that
    kind (docs/arrow.md)."""

class LogEntry(TypedDict, total=False):
    customer: str
    action: Optional[str]
    propensity: float
    segment: str
    control: bool
    time: int
    reward: Optional[float]

def in_control_group(customer_id: str, share: float, salt: str = "") -> bool:
    """Whether the customer is in the control group (a stable hash of ``salt`` and the id)."""

def off_policy(log: list[LogEntry], target: list[Optional[str]], q_target: ArrayLike, q_logged: ArrayLike) -> dict:
    """{"n", "matches", "ips", "snips", "doubly_robust"}: the new policy's estimated mean reward."""

def uplift(treated_retained: ArrayLike, control_retained: ArrayLike, level: float = 0.95) -> dict:
    """{"treated_rate", "control_rate", "uplift", "low", "high"}: retention uplift with a Wald interval."""
