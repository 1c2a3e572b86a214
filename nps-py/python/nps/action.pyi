"""Type stubs for nps.action (next best action, the control group, off-policy evaluation, uplift)."""

from typing import Any, Optional, Sequence, TypedDict, Union

import numpy.typing as npt

from . import ActionCatalog as ActionCatalog, Learner as Learner

ArrayLike = Union[Sequence[float], npt.NDArray[Any], Any]

PROPENSITY_DRAWS: int

class Decision(dict):
    """The result of ``ActionCatalog.decide`` (``actions``, ``trace``, ``log``); a table in Jupyter."""

    def _repr_html_(self) -> str: ...

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
