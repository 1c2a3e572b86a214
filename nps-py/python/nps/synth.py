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


@dataclass(frozen=True)
class SyntheticBase:
    """A generated customer base (pandas DataFrames)."""

    events: Any
    """One row per event: customer, time, kind, value, duration, department, case, flag."""
    labels: Any
    """Indexed by customer: churned (within the horizon after as_of), churn_time, plan,
    segment, true_score (the 0-10 answer each customer would give)."""
    surveys: Any
    """Answers of the customers who responded: customer, time, score."""
    drivers: Any
    """Indexed by customer: one boolean column per true churn driver."""
    as_of: np.datetime64
    """The reference time the base was generated around."""


def generate(
    customers: int = 10_000,
    seed: int = 42,
    as_of: Any = DEFAULT_AS_OF,
    history_days: int = 540,
    horizon_days: int = 120,
    respond_rate: float = 0.17,
) -> SyntheticBase:
    """Generates a customer base (needs pandas)."""
    import pandas as pd

    from .features import _as_of_seconds

    seconds = _as_of_seconds(as_of)
    c = _nps._synth_customers(customers, seed, seconds, history_days, horizon_days, respond_rate)
    ids = pd.Index(c["customer_ids"], name="customer")
    none = 2**32 - 1
    department = pd.Categorical.from_codes(np.where(c["department"] == none, -1, c["department"]).astype(np.int64), c["departments"])
    case = pd.array(np.where(c["case"] == none, 0, c["case"]).astype(np.int64), dtype="Int64")
    case[c["case"] == none] = pd.NA
    flag = pd.array(c["flag"] == 1, dtype="boolean")
    flag[c["flag"] == 2] = pd.NA
    events = pd.DataFrame(
        {
            "customer": ids.take(c["customer"].astype(np.int64)),
            "time": c["time"].astype("datetime64[s]"),
            "kind": pd.Categorical.from_codes(c["kind"].astype(np.int64), c["kinds"]),
            "value": c["value"],
            "duration": c["duration"],
            "department": department,
            "case": case,
            "flag": flag,
        }
    )
    churn_time = c["churn_time"].astype("datetime64[s]").astype("datetime64[ns]")
    churn_time[c["churn_time"] == np.iinfo(np.int64).min] = np.datetime64("NaT")
    labels = pd.DataFrame(
        {
            "churned": c["churned"],
            "churn_time": churn_time,
            "plan": c["plan"],
            "segment": c["segment"],
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
    names = c["driver_names"]
    drivers = pd.DataFrame({n: [n in d for d in c["drivers"]] for n in names}, index=ids)
    return SyntheticBase(events, labels, surveys, drivers, np.datetime64(seconds, "s"))
