"""Type stubs for nps (NPS statistics; the numbers come from the Rust core)."""

import datetime
import os
from typing import Any, Literal, Mapping, Optional, Sequence, Tuple, Union, final, overload


import numpy as np
import numpy.typing as npt

from . import features as features
from . import metrics as metrics
from .encode import TableEncoder as TableEncoder, read_csv as read_csv
from .model import ChurnModel as ChurnModel, CrossValidation as CrossValidation, cross_validate as cross_validate
from .boosted import BoostedChurnModel as BoostedChurnModel
from .early_warning import BoostedLtrModel as BoostedLtrModel, LtrModel as LtrModel, TicketScorer as TicketScorer, predicted_nps as predicted_nps
from . import synth as synth
from . import value as value
from . import survival as survival
from . import monitor as monitor
from . import uplift as uplift
from . import plot as plot
from . import action as action
from . import store as store
from .store import Store as Store
from .action import Decision as Decision

__version__: str

ArrayLike = Union[Sequence[float], npt.NDArray[Any], Any]  # list, numpy array, pandas Series, pyarrow Array, polars Series
# A table: a pandas DataFrame, a dict of arrays, a 2-D numpy array, a pyarrow Table or
# RecordBatch, a polars DataFrame or any Arrow PyCapsule object. Functions give a DataFrame
# result back as the kind that came in (a pyarrow Table, a polars DataFrame): docs/arrow.md.
Table = Any
IntervalMethodName = Literal["adjusted_wald", "wald", "score", "bayes"]
CompareMethodName = Literal["wald", "adjusted_wald"]
PeriodName = Literal["day", "week", "month", "quarter"]
Prior = Tuple[float, float, float]
# One time: epoch seconds, a numpy datetime64 of any unit, a datetime or pandas Timestamp
# (naive: UTC), a date (midnight UTC) or an ISO 8601 string.
Time = Union[int, float, np.integer, np.floating, np.datetime64, datetime.datetime, datetime.date, str]

class NpsError(ValueError):
    """Bad input or parameters. ``code`` names the kind: 'EMPTY', 'MISSING_VALUE',
    'OUT_OF_RANGE', 'NON_INTEGER', 'NEGATIVE', 'LENGTH_MISMATCH', 'INVALID_PARAMETER',
    'UNKNOWN_VALUE', 'TOO_MANY_CATEGORIES' (the same codes as Node's ``err.code``)."""

    code: str

@final
class Scale:
    """An answer scale: detractors in [min, detractor_max], passives up to passive_max,
    promoters up to max. Default 0-10 with 0-6 / 7-8 / 9-10."""

    def __new__(cls, min: float = 0.0, detractor_max: float = 6.0, passive_max: float = 8.0, max: float = 10.0) -> Scale: ...
    @staticmethod
    def from_breaks(breaks: Sequence[float]) -> Scale:
        """R NPS-package style breaks (b0, b1, b2, b3): [b0, b1], (b1, b2], (b2, b3]."""
    @property
    def min(self) -> float: ...
    @property
    def detractor_max(self) -> float: ...
    @property
    def passive_max(self) -> float: ...
    @property
    def max(self) -> float: ...
    @property
    def breaks(self) -> Tuple[float, float, float, float]: ...
    def category(self, score: float) -> Literal["detractor", "passive", "promoter"]: ...

@final
class Interval:
    """An interval for an NPS (points)."""

    @property
    def method(self) -> IntervalMethodName: ...
    @property
    def level(self) -> float: ...
    @property
    def low(self) -> float: ...
    @property
    def high(self) -> float: ...
    @property
    def center(self) -> float:
        """NPS for wald/score, adjusted NPS for adjusted_wald, posterior mean for bayes."""
    @property
    def se(self) -> float: ...
    @property
    def margin(self) -> float: ...
    def clipped(self) -> Interval:
        """The interval cut to [-100, 100] (wald and adjusted_wald can overshoot)."""
    def contains(self, value: float) -> bool: ...
    def to_dict(self) -> dict: ...

@final
class Tally:
    """Counts (optionally weighted) of detractors, passives and promoters. Immutable;
    ``a + b`` merges tallies of disjoint samples."""

    @staticmethod
    def from_scores(
        scores: ArrayLike,
        weights: Optional[ArrayLike] = None,
        *,
        scale: Union[Scale, Sequence[float], None] = None,
        non_integer: Literal["error", "right_closed"] = "error",
        missing: Literal["error", "skip"] = "error",
        out_of_range: Literal["error", "skip"] = "error",
    ) -> Tally:
        """Tallies raw answers (list, numpy array of any numeric dtype, pandas Series).
        Raises NpsError naming the index and value of an empty, missing, out-of-range or
        (strict policy) fractional answer, or a bad weight (``validate_scores`` lists every
        bad answer at once). ``missing="skip"`` and ``out_of_range="skip"`` leave those
        answers out deliberately and count them (``skipped``, ``out_of_range``)."""
    @staticmethod
    def from_counts(detractors: int, passives: int, promoters: int) -> Tally: ...
    @property
    def detractors(self) -> int: ...
    @property
    def passives(self) -> int: ...
    @property
    def promoters(self) -> int: ...
    @property
    def counts(self) -> Tuple[int, int, int]: ...
    @property
    def weights(self) -> Tuple[float, float, float]: ...
    @property
    def n(self) -> int: ...
    @property
    def skipped(self) -> int:
        """Missing answers left out under ``missing="skip"``."""
    @property
    def out_of_range(self) -> int:
        """Answers off the scale left out under ``out_of_range="skip"``."""
    @property
    def total_weight(self) -> float: ...
    @property
    def is_weighted(self) -> bool: ...
    @property
    def detractor_share(self) -> float: ...
    @property
    def passive_share(self) -> float: ...
    @property
    def promoter_share(self) -> float: ...
    @property
    def nps(self) -> float:
        """Net Promoter Score in points (-100..100)."""
    @property
    def variance(self) -> float: ...
    @property
    def se(self) -> float:
        """Standard error in points (linearised when weighted)."""
    @property
    def effective_n(self) -> float:
        """Kish effective sample size."""
    def interval(self, method: IntervalMethodName = "adjusted_wald", level: float = 0.95, prior: Optional[Prior] = None) -> Interval: ...
    def merge(self, other: Tally) -> Tally: ...
    def __add__(self, other: Tally, /) -> Tally: ...
    def __radd__(self, other: Any, /) -> Tally:
        """``sum(tallies)``: 0 + a tally is the tally."""
    def to_dict(self) -> dict: ...
    def _repr_html_(self) -> str:
        """HTML for Jupyter."""

@final
class Comparison:
    """A minus B, in points."""

    @property
    def method(self) -> CompareMethodName: ...
    @property
    def level(self) -> float: ...
    @property
    def diff(self) -> float: ...
    @property
    def se(self) -> float: ...
    @property
    def z(self) -> float: ...
    @property
    def p_value(self) -> float: ...
    @property
    def low(self) -> float: ...
    @property
    def high(self) -> float: ...
    @property
    def direction(self) -> int:
        """+1 significantly up, -1 significantly down, 0 not significant."""
    @property
    def is_significant(self) -> bool: ...
    def to_dict(self) -> dict: ...
    def _repr_html_(self) -> str:
        """HTML for Jupyter."""

@final
class PlanningShares:
    """Expected promoter and detractor shares (fractions); default is the worst case 0.5/0.5."""

    def __new__(cls, promoter: float = 0.5, detractor: float = 0.5) -> PlanningShares: ...
    @property
    def promoter(self) -> float: ...
    @property
    def detractor(self) -> float: ...

def compare(a: Tally, b: Tally, method: CompareMethodName = "wald", level: float = 0.95) -> Comparison: ...
def prob_greater(a: Tally, b: Tally, prior: Prior = (1.0, 1.0, 1.0)) -> float:
    """Posterior probability that A's NPS exceeds B's (deterministic integration)."""
def sample_size(margin: float, level: float = 0.95, shares: Optional[PlanningShares] = None, population: Optional[int] = None) -> int: ...
def sample_size_difference(
    difference: float,
    level: float = 0.95,
    power: float = 0.8,
    shares_a: Optional[PlanningShares] = None,
    shares_b: Optional[PlanningShares] = None,
) -> int: ...
def breakdown(
    scores: ArrayLike,
    segments: Any,
    weights: Optional[ArrayLike] = None,
    *,
    method: IntervalMethodName = "adjusted_wald",
    level: float = 0.95,
    prior: Optional[Prior] = None,
    scale: Union[Scale, Sequence[float], None] = None,
    non_integer: Literal["error", "right_closed"] = "error",
    missing: Literal["error", "skip"] = "error",
    out_of_range: Literal["error", "skip"] = "error",
    dropna: Optional[bool] = None,
) -> Any:
    """NPS by segment: a pandas DataFrame indexed by segment (a dict of columns without
    pandas) with n, detractors, passives, promoters, skipped, out_of_range, nps, se, low,
    high. ``segments``: one key, or several (a DataFrame of key columns or a list of
    Series: a MultiIndex, one row per combination). A missing key is an error;
    ``dropna=True`` leaves those answers out (``attrs["dropped"]``), ``dropna=False`` keeps
    them as a group labelled NaN. Arrow or polars columns and tables give a pyarrow Table or
    polars DataFrame, the segment key(s) as first column(s) (docs/arrow.md)."""
def validate_scores(
    scores: Any,
    *,
    scale: Union[Scale, Sequence[float], None] = None,
    non_integer: Literal["error", "right_closed"] = "error",
) -> Any:
    """Every bad answer at once: a DataFrame indexed by the answers' labels with position,
    value, problem ('missing', 'out_of_range', 'non_integer', 'not_a_number') and the
    message a tally would raise; empty when every answer counts; attrs["n"]."""
def trend(
    scores: ArrayLike,
    timestamps: ArrayLike,
    period: PeriodName = "month",
    weights: Optional[ArrayLike] = None,
    *,
    method: IntervalMethodName = "adjusted_wald",
    compare: CompareMethodName = "wald",
    level: float = 0.95,
    prior: Optional[Prior] = None,
    scale: Union[Scale, Sequence[float], None] = None,
    non_integer: Literal["error", "right_closed"] = "error",
    missing: Literal["error", "skip"] = "error",
    out_of_range: Literal["error", "skip"] = "error",
) -> Any:
    """NPS by UTC period, indexed by label ('2026-03', '2026-W10', '2026-Q1', '2026-03-05'),
    with start, counts, nps, se, low, high and the change against the previous period
    (diff, diff_se, p_value, direction). Timestamps: datetimes, datetime64, epoch seconds
    (integers) or ISO 8601 strings (naive: UTC), or an Arrow timestamp or date column (a
    pyarrow Table or polars DataFrame comes back, ``period`` first: docs/arrow.md)."""

@final
class ChurnByNps:
    """Churn by NPS category and score (Wilson intervals), the relative risk of detractors
    against promoters (Katz log interval) and Pearson's chi-square test of independence.
    Groups are dicts with customers, churned, rate, low, high."""

    @property
    def level(self) -> float: ...
    @property
    def detractors(self) -> dict: ...
    @property
    def passives(self) -> dict: ...
    @property
    def promoters(self) -> dict: ...
    @property
    def by_score(self) -> list[dict]: ...
    @property
    def relative_risk(self) -> float: ...
    @property
    def relative_risk_interval(self) -> Tuple[float, float]: ...
    @property
    def chi_square(self) -> float: ...
    @property
    def chi_square_df(self) -> int: ...
    @property
    def p_value(self) -> float: ...
    def reduction(self, share: float) -> dict:
        """Churn avoided if ``share`` of detractors became passives (simple arithmetic on
        observed rates, not a causal estimate)."""
    def _repr_html_(self) -> str:
        """HTML for Jupyter."""

def churn_by_nps(scores: ArrayLike, churned: ArrayLike, level: float = 0.95) -> ChurnByNps:
    """Churn by NPS answer: ``scores`` on the 0-10 scale, ``churned`` booleans or 0/1."""

@final
class ActionCatalog:
    """A next-best-action catalogue (rules, levers, contact policies), checked when loaded;
    see docs/actions.md. Pickles as its JSON."""

    @staticmethod
    def from_json(text: str) -> "ActionCatalog": ...
    def to_json(self) -> str:
        """The catalogue as JSON text, as ``from_json`` reads it."""
    @staticmethod
    def load(path: Union[str, "os.PathLike[str]"]) -> "ActionCatalog":
        """Reads a catalogue file (as ``ChurnModel.load`` reads a model); errors name the file and the JSON path."""
    @staticmethod
    def playbook() -> "ActionCatalog":
        """The shipped telco retention playbook."""
    @property
    def fields(self) -> list[Tuple[str, str]]: ...
    @property
    def factors(self) -> list[str]: ...
    @property
    def actions(self) -> list[str]: ...
    @overload
    def decide(self, customer: dict, score: Optional[float] = None, factors: Optional[dict] = None,
               history: Optional[list] = None, now: Optional[Time] = None, top: int = 3,
               learner: Optional["Learner"] = None, segment: str = "", seed: int = 0, customer_id: Optional[str] = None,
               control_share: float = 0.0, control_salt: str = "", draws: int = 1000, probability: Optional[float] = None,
               ignore_extra: bool = False, mapping: Optional[Mapping[str, str]] = None,
               uplift: Optional[Mapping[str, float]] = None) -> Decision:
        """One customer (None or NaN: missing). The risk as ``score`` (0–100) or ``probability`` (0–1), exactly
        one; a score strictly between 0 and 1 is refused as a likely probability. ``factors`` names declared
        factors (an unknown name is an error listing them; ``ignore_extra=True`` leaves unknown fields and
        factors out); ``mapping`` renames model inputs to the catalogue's names.
        {"actions": [...best first], "trace": [one per catalogue action: id, status, detail, priority,
        condition, seen]}, plus "log" (customer, action, propensity, segment, control, time, reward) with a
        ``customer_id``. ``now`` (any ``Time``) is required with a ``history`` and with a ``customer_id``.
        ``uplift`` ({action id: predicted uplift}, every action) ranks by uplift × value; an action whose
        uplift is not positive is removed (status ``no_uplift``); not with a ``learner``."""
    @overload
    def decide(self, customer: Table, score: Union[None, str, float, ArrayLike] = None,
               factors: Optional[Table] = None, *, top: int = 3,
               probability: Union[None, str, float, ArrayLike] = None, ignore_extra: bool = False,
               mapping: Optional[Mapping[str, str]] = None, uplift: Optional[Any] = None) -> Any:
        """One row per customer (see ``nps.action.decide_frame``): a DataFrame with the frame's index and
        ``action_k``, ``priority_k`` for k = 1..``top`` (a pyarrow Table or a polars DataFrame for such a
        table: docs/arrow.md)."""
    def text_code(self, field: str, text: str) -> float:
        """The code of a string value of ``field`` in the numeric record of ``decide_values``."""
    def encode(self, customer: dict) -> npt.NDArray[np.float64]:
        """The customer as the numeric record ``decide_values`` reads (``fields`` order, NaN missing)."""
    def decide_values(self, values: ArrayLike, score: Optional[float] = None, contributions: Optional[ArrayLike] = None,
                      history: Optional[list] = None, now: Optional[Time] = None, top: int = 3, trace: bool = False,
                      learner: Optional["Learner"] = None, segment: str = "", seed: int = 0,
                      probability: Optional[float] = None) -> dict:
        """The fast path: {"actions": [catalogue indices, best first], "priorities": [...]} (+ "trace");
        ``score`` or ``probability`` as in ``decide``; ``now`` is required with a ``history``."""
    def campaign_segments(self, scores: Any, top_factors: list[str], actions: list[Optional[str]]) -> list[dict]:
        """Customers grouped by score band and top factor (largest first)."""

@final
class Learner:
    """Beta-Bernoulli model per action and segment, sampled by Thompson sampling."""

    def __new__(cls, prior: Tuple[float, float] = (1.0, 1.0), exploration: float = 0.05, ramp_up: int = 5) -> Learner: ...
    def record(self, action: str, segment: str, success: bool) -> None: ...
    def mean(self, action: str, segment: str) -> float: ...
    def interval(self, action: str, segment: str, level: float = 0.95) -> Tuple[float, float]:
        """The equal-tailed credible interval (low, high) of the success rate: quantiles of
        its Beta posterior (the prior's before any outcome)."""
    def counts(self, action: str, segment: str) -> Tuple[float, float]: ...
    def to_json(self) -> str: ...
    @staticmethod
    def from_json(text: str) -> "Learner": ...
