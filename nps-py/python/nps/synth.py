"""A seeded synthetic telco customer base, for demos, tests and benchmarks.

``generate(customers=10_000, seed=42)`` returns a :class:`SyntheticBase` with the event
history (``events``), the churn labels and customer attributes (``labels``), the survey
answers of the ~17 % who respond (``surveys``) and the true churn drivers of each customer
(``drivers``). Same seed, same data, in every language.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from . import _nps

DEFAULT_AS_OF = "2026-07-01"
"""The default reference time of a generated base."""

_NONE = np.iinfo(np.uint32).max


@dataclass(frozen=True)
class SyntheticBase:
    """A generated customer base (pandas DataFrames)."""

    events: Any
    """One row per event, in time order: customer, time, kind, value, duration, department,
    case, flag. ``customer`` is categorical over all customer ids, so feature frames computed
    from it have one row per customer in id order."""
    labels: Any
    """Indexed by customer: churned (within the horizon after ``as_of``), churn_time, plan,
    segment, churn_probability (the generator's truth) and true_score (the 0-10 answer each
    customer would give, known for non-respondents too)."""
    surveys: Any
    """Answers of the customers who responded: customer, time, score."""
    drivers: Any
    """Indexed by customer: one boolean column per true churn driver."""
    as_of: np.datetime64
    """The reference time the base was generated around."""
    drifted_kinds: tuple = ()
    """For a drifted base (:func:`generate_drifted`): the event kinds whose distribution
    moved from ``drift_from`` on; empty otherwise."""
    network_hit: Any = None
    """For a drifted base: per customer (indexed as ``labels``), whether the network problem
    hit them; None otherwise."""
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
    """Generates a customer base (needs pandas).

    The history runs from ``history_days`` before ``as_of`` to the end of the horizon, so it
    also holds events after ``as_of``: features computed as of ``as_of`` must not see them.
    """

    from .survey import _epoch_second

    seconds = _epoch_second(as_of, "as_of")
    c = _nps._synth_customers(customers, seed, seconds, history_days, horizon_days, respond_rate)
    return _base(c, seconds)


#: The default price change of a drifted base (contract bills and payments times this).
PRICE_CHANGE: float = _nps.SYNTH_PRICE_CHANGE
#: The default share of customers a drifted base's network problem hits.
NETWORK_SHARE: float = _nps.SYNTH_NETWORK_SHARE
#: The default extra churn log-odds of a customer the network problem hits.
NETWORK_CHURN_EFFECT: float = _nps.SYNTH_NETWORK_CHURN_EFFECT


def generate_drifted(
    customers: int = 10_000,
    seed: int = 42,
    as_of: Any = None,
    drift_from: Any = None,
    *,
    price_change: float = PRICE_CHANGE,
    network_share: float = NETWORK_SHARE,
    network_churn_effect: float = NETWORK_CHURN_EFFECT,
    history_days: int = 365,
    horizon_days: int = 120,
    respond_rate: float = 0.17,
) -> SyntheticBase:
    """The base as of a later date (``as_of``; by default half a year after
    ``DEFAULT_AS_OF``) in which, from ``drift_from`` on (by default 45 days before
    ``as_of``), contract prices rose by ``price_change`` and a network problem hit a share
    ``network_share`` of the customers (outages, long technical contacts, and churn log-odds
    up by ``network_churn_effect``). Usage, top-ups, subscriptions and surveys are untouched.
    ``drifted_kinds`` names the event kinds that moved, ``network_hit`` who was hit. With
    ``price_change=1`` and ``network_share=0`` it is :func:`generate`'s base."""
    import pandas as pd

    from .survey import _epoch_second

    seconds = None if as_of is None else _epoch_second(as_of, "as_of")
    start = None if drift_from is None else _epoch_second(drift_from, "drift_from")
    c = _nps._synth_drifted(customers, seed, seconds, history_days, horizon_days, respond_rate, start,
                            float(price_change), float(network_share), float(network_churn_effect))
    base = _base(c, c["as_of"])
    hit = pd.Series(c["network_hit"], index=base.labels.index, name="network_hit")
    return SyntheticBase(base.events, base.labels, base.surveys, base.drivers, base.as_of,
                         tuple(c["drifted_kinds"]), hit, np.datetime64(c["drift_from"], "s"))


def _base(c: dict, seconds: int) -> SyntheticBase:
    """The frames of the core's columns."""
    import pandas as pd

    ids = pd.Index(c["customer_ids"], name="customer")

    def categorical(codes: np.ndarray, names: list) -> Any:
        codes = np.where(codes == _NONE, -1, codes.astype(np.int64))
        return pd.Categorical.from_codes(codes, categories=names)

    def nullable(values: pd.api.extensions.ExtensionArray, absent: np.ndarray) -> Any:
        values[absent] = pd.NA
        return values

    events = pd.DataFrame(
        {
            "customer": categorical(c["customer"], list(ids)),
            "time": c["time"].astype("datetime64[s]"),
            "kind": categorical(c["kind"].astype(np.uint32), c["kinds"]),
            "value": c["value"],
            "duration": c["duration"],
            "department": categorical(c["department"], c["departments"]),
            "case": nullable(pd.array(c["case"].astype(np.int64), dtype="Int64"), c["case"] == _NONE),
            "flag": nullable(pd.array(c["flag"] == 1, dtype="boolean"), c["flag"] == 2),
        }
    )
    churn_time = c["churn_time"].astype("datetime64[s]")
    churn_time[c["churn_time"] == np.iinfo(np.int64).min] = np.datetime64("NaT")
    labels = pd.DataFrame(
        {
            "churned": c["churned"],
            "churn_time": churn_time,
            "plan": categorical(c["plan"].astype(np.uint32), c["plans"]),
            "segment": categorical(c["segment"].astype(np.uint32), c["segments"]),
            "churn_probability": c["churn_probability"],
            "true_score": c["true_score"],
        },
        index=ids,
    )
    surveys = pd.DataFrame(
        {
            "customer": ids.take(c["survey_customer"].astype(np.int64)),
            "time": c["survey_time"].astype("datetime64[s]"),
            "score": c["survey_score"],
        }
    )
    bits = c["drivers"]
    drivers = pd.DataFrame({n: (bits >> i) & 1 == 1 for i, n in enumerate(c["driver_names"])}, index=ids)
    return SyntheticBase(events, labels, surveys, drivers, np.datetime64(seconds, "s"))


DEFAULT_CAMPAIGN_SEED: int = _nps.SYNTH_DEFAULT_CAMPAIGN_SEED
"""The campaign's seed by default."""
DEFAULT_TREATED_SHARE: float = _nps.SYNTH_DEFAULT_TREATED_SHARE
"""The treated share of a campaign by default (a 50/50 split)."""


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
    """A retention campaign with a random control group on the base ``generate`` makes with
    the same arguments: a DataFrame indexed by customer with ``treated``, ``churned`` (under
    the assignment), ``customer_type`` (persuadable, sure_thing, lost_cause, sleeping_dog),
    ``churn_if_control``, ``churn_if_treated`` and ``true_uplift`` (the truth: retention
    probability gained by the call; see the Rust docs of ``nps_core::synth::campaign``)."""
    import pandas as pd

    from .survey import _epoch_second

    seconds = _epoch_second(as_of, "as_of")
    c = _nps._synth_campaign(customers, seed, seconds, history_days, horizon_days, respond_rate, campaign_seed,
                             treated_share)
    ids = pd.Index([f"C{i:07d}" for i in range(1, customers + 1)], name="customer")
    return pd.DataFrame(
        {
            "treated": c["treated"],
            "churned": c["churned"],
            "customer_type": pd.Categorical.from_codes(c["customer_type"].astype(np.int64), c["customer_types"]),
            "churn_if_control": c["churn_if_control"],
            "churn_if_treated": c["churn_if_treated"],
            "true_uplift": c["true_uplift"],
        },
        index=ids,
    )
