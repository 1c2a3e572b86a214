"""A seeded synthetic telco customer base, for demos, tests and benchmarks."""

from dataclasses import dataclass
from typing import Any

import numpy as np

DEFAULT_AS_OF: str

@dataclass(frozen=True)
class SyntheticBase:
    events: Any
    """One row per event, in time order (customer is categorical over all customer ids)."""
    labels: Any
    """Indexed by customer: churned, churn_time, plan, segment, churn_probability, true_score."""
    surveys: Any
    """Answers of those who responded: customer, time, score."""
    drivers: Any
    """Indexed by customer: one boolean column per true churn driver."""
    as_of: np.datetime64
    drifted_kinds: tuple = ()
    """For a drifted base: the event kinds that moved from ``drift_from`` on."""
    network_hit: Any = None
    """For a drifted base: per customer, whether the network problem hit them."""
    drift_from: Any = None
    """For a drifted base: when the drift started."""

def generate(
    customers: int = 10_000,
    seed: int = 42,
    as_of: Any = DEFAULT_AS_OF,
    history_days: int = 365,
    horizon_days: int = 120,
    respond_rate: float = 0.17,
) -> SyntheticBase:
    """Generates a customer base (pandas DataFrames); the same seed gives the same base in
    every language. Raises NpsError for a bad configuration."""

DEFAULT_CAMPAIGN_SEED: int
DEFAULT_TREATED_SHARE: float

def campaign(
    customers: int = 10_000,
    seed: int = 42,
    as_of: Any = DEFAULT_AS_OF,
    history_days: int = 365,
    horizon_days: int = 120,
    respond_rate: float = 0.17,
    campaign_seed: int = DEFAULT_CAMPAIGN_SEED,
    treated_share: float = DEFAULT_TREATED_SHARE,
) -> Any:
    """A retention campaign with a random control group on the generated base: a DataFrame
    indexed by customer with treated, churned, customer_type, churn_if_control,
    churn_if_treated and true_uplift (the truth)."""

PRICE_CHANGE: float
NETWORK_SHARE: float
NETWORK_CHURN_EFFECT: float

def generate_drifted(
    customers: int = 10_000,
    seed: int = 42,
    as_of: Any = None,
    drift_from: Any = None,
    *,
    price_change: float = ...,
    network_share: float = ...,
    network_churn_effect: float = ...,
    history_days: int = 365,
    horizon_days: int = 120,
    respond_rate: float = 0.17,
) -> SyntheticBase:
    """The base as of a later date with a price change and a network problem from
    ``drift_from`` on; ``drifted_kinds`` and ``network_hit`` hold the truth."""
