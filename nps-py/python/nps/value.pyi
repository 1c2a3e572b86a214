"""Customer value: BG/NBD, Gamma-Gamma, lifetime value, shifted-beta-geometric retention,
the RFM summary, value at risk and the campaign arithmetic."""

from pathlib import Path
from typing import Any, Optional, Union

__all__ = ["BetaGeo", "GammaGamma", "ShiftedBetaGeometric", "discounted_periods", "plan_campaign",
           "summary_from_transactions", "value_at_risk"]


class _ValueModel:
    @property
    def params_(self) -> Any:
        """The fitted parameters (a pandas Series)."""
    @property
    def standard_errors_(self) -> Any:
        """Standard errors of the parameters (lifetimes' convention)."""
    @property
    def log_likelihood_(self) -> float:
        """Total log-likelihood of the fitted data (no penalty)."""
    @property
    def summary(self) -> Any:
        """coef, se(coef) and 95% bounds per parameter (a DataFrame)."""
    def to_json(self) -> str:
        """The model file (``nps.value_model``, version 1)."""
    @classmethod
    def from_json(cls, text: str) -> Any:
        """Reads a model file of this kind."""
    def save(self, path: Union[str, Path]) -> None:
        """Writes the model file."""
    @classmethod
    def load(cls, path: Union[str, Path]) -> Any:
        """Reads a model file."""
    def _repr_html_(self) -> str: ...

class BetaGeo(_ValueModel):
    """The BG/NBD model of repeat purchases (lifetimes' ``BetaGeoFitter``)."""
    penalizer_coef: float
    def __init__(self, penalizer_coef: float = 0.0) -> None: ...
    def fit(self, frequency: Any, recency: Any, T: Any, weights: Any = None) -> "BetaGeo":
        """Fits r, alpha, a, b by maximum likelihood."""
    @classmethod
    def from_params(cls, r: float, alpha: float, a: float, b: float) -> "BetaGeo":
        """The model of given parameters."""
    def conditional_expected_number_of_purchases_up_to_time(self, t: float, frequency: Any, recency: Any,
                                                            T: Any) -> Any:
        """Expected repeat purchases in the next ``t`` time units of each customer."""
    def predict(self, t: float, frequency: Any, recency: Any, T: Any) -> Any:
        """Same as ``conditional_expected_number_of_purchases_up_to_time``."""
    def conditional_probability_alive(self, frequency: Any, recency: Any, T: Any) -> Any:
        """P(alive) of each customer."""
    def expected_number_of_purchases_up_to_time(self, t: Any) -> Any:
        """Expected repeat purchases of a new customer in her first ``t`` time units."""
    def log_likelihood(self, frequency: Any, recency: Any, T: Any, weights: Any = None) -> float:
        """Total log-likelihood of histories at the fitted parameters."""

class GammaGamma(_ValueModel):
    """The Gamma-Gamma model of spend per purchase (lifetimes' ``GammaGammaFitter``)."""
    penalizer_coef: float
    def __init__(self, penalizer_coef: float = 0.0) -> None: ...
    def fit(self, frequency: Any, monetary_value: Any, weights: Any = None) -> "GammaGamma":
        """Fits p, q, v to repeat customers' frequency and mean spend."""
    @classmethod
    def from_params(cls, p: float, q: float, v: float) -> "GammaGamma":
        """The model of given parameters."""
    def conditional_expected_average_profit(self, frequency: Any, monetary_value: Any) -> Any:
        """Expected mean spend per purchase of each customer."""
    def customer_lifetime_value(self, transaction_prediction_model: BetaGeo, frequency: Any, recency: Any, T: Any,
                                monetary_value: Any, time: int = 12, discount_rate: float = 0.01,
                                freq: str = "D") -> Any:
        """Discounted value over the next ``time`` months (lifetimes' discretisation)."""

class ShiftedBetaGeometric(_ValueModel):
    """The shifted-beta-geometric model of contract renewals (Fader & Hardie 2007)."""
    def fit(self, survivors: Any) -> "ShiftedBetaGeometric":
        """Fits alpha, beta to one cohort's survival counts or to a list of cohorts."""
    @classmethod
    def from_params(cls, alpha: float, beta: float) -> "ShiftedBetaGeometric":
        """The model of given parameters."""
    def survival(self, periods: int) -> Any:
        """S(t), t = 0..periods."""
    def churn_probability(self, periods: int) -> Any:
        """P(T = t), t = 1..periods."""
    def retention_rate(self, t: int) -> float:
        """The retention rate of period t."""
    def expected_remaining_lifetime(self, renewals: int = 0) -> float:
        """Expected periods still to be paid (infinite when alpha <= 1)."""
    def discounted_expected_residual_lifetime(self, discount_rate: float, renewals: int = 0) -> float:
        """DERL (Fader & Hardie 2010)."""

def summary_from_transactions(transactions: Any, customer_id_col: str, datetime_col: str,
                              monetary_value_col: Optional[str] = None, observation_period_end: Any = None,
                              freq: str = "D", freq_multiplier: float = 1, include_first_transaction: bool = False) -> Any:
    """frequency, recency, T (and monetary_value) per customer, as lifetimes."""

def discounted_periods(periods: int, discount_rate: float) -> float:
    """The present value of one unit paid at the end of each of the next ``periods`` periods."""

def value_at_risk(churn_probability: Any, residual_value: Any) -> Any:
    """P(churn within the horizon) x expected residual value, per customer."""

def plan_campaign(churn_probability: Any, residual_value: Any, uplift: float, cost: float,
                  acceptance_rate: float = 1.0) -> Any:
    """The campaign arithmetic of a retention action, ranked by net value."""
