"""Customer value: ``BetaGeo`` (BG/NBD) for future purchases and the probability of being
alive, ``GammaGamma`` for the spend per purchase and the customer lifetime value,
``ShiftedBetaGeometric`` for contractual retention, ``summary_from_transactions`` for the
frequency/recency/T/monetary summary, and ``value_at_risk`` / ``plan_campaign`` for what a
customer's churn would cost and what saving her is worth.

The classes follow lifetimes' (``BetaGeoFitter``, ``GammaGammaFitter``) names and conventions
and give its numbers; fits release the GIL; models save to a versioned JSON file that Rust
and Node read and predict from to the bit; they pickle and display in Jupyter.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional, Union

import numpy as np

from . import _nps
from ._errors import error, not_fitted
from . import _checks, _html

_LIFETIMES_Z = 1.96


def _pd() -> Any:
    import pandas as pd

    return pd


def _index(*arrays: Any) -> Any:
    """The index of the first pandas argument, if any."""
    for a in arrays:
        if hasattr(a, "index") and hasattr(a, "to_numpy"):
            return a.index
    return None


def _out(values: np.ndarray, index: Any, name: str) -> Any:
    """A Series on ``index`` when the inputs were pandas, else the array."""
    if index is None:
        return values
    return _pd().Series(values, index=index, name=name)


def _histories(*columns: Any) -> tuple:
    """The columns as given, or as one-element arrays when they are all numbers (one
    customer, as lifetimes allows); and whether they were."""
    if all(np.ndim(c) == 0 for c in columns):
        return tuple(np.atleast_1d(np.asarray(c, dtype=float)) for c in columns), True
    return columns, False


def _scalar_time(t: Any, field: str = "t") -> float:
    if isinstance(t, (int, float, np.integer, np.floating)) and not isinstance(t, bool):
        return float(t)
    raise error("INVALID_PARAMETER", f"{field} must be a number (a time ahead), got {t!r}")


class _ValueModel:
    """What the three models share: parameters as a Series, a summary frame, the model file,
    pickling and display."""

    _core: Any
    _names: tuple

    def _fitted(self) -> Any:
        if not hasattr(self, "_model"):
            raise not_fitted(f"this {type(self).__name__} is not fitted yet: call fit first")
        return self._model

    @property
    def params_(self) -> Any:
        """The fitted parameters (a pandas Series)."""
        return _pd().Series(self._fitted().params, index=list(self._names), dtype=float)

    @property
    def standard_errors_(self) -> Any:
        """Standard errors of the parameters (lifetimes' convention)."""
        return _pd().Series(self._fitted().fit_summary.standard_errors, index=list(self._names), dtype=float)

    @property
    def log_likelihood_(self) -> float:
        """Total log-likelihood of the fitted data (no penalty)."""
        return self._fitted().fit_summary.log_likelihood

    @property
    def summary(self) -> Any:
        """coef, se(coef) and 95% bounds (coef ± 1.96 se, as lifetimes) per parameter."""
        params, se = self.params_, self.standard_errors_
        return _pd().DataFrame({"coef": params, "se(coef)": se, "lower 95% bound": params - _LIFETIMES_Z * se,
                                "upper 95% bound": params + _LIFETIMES_Z * se})

    def to_json(self) -> str:
        """The model file (``nps.value_model``, version 1)."""
        return self._fitted().to_json()

    @classmethod
    def from_json(cls, text: str) -> Any:
        """Reads a model file of this kind."""
        obj = cls.__new__(cls)
        obj._model = cls._core.from_json(text)
        obj.penalizer_coef = obj._model.fit_summary.penalizer_coef
        return obj

    def save(self, path: Union[str, Path]) -> None:
        """Writes the model file."""
        _nps._write_atomic(str(path), self.to_json())  # a crash leaves the old file or the new

    @classmethod
    def load(cls, path: Union[str, Path]) -> Any:
        """Reads a model file (see ``from_json``)."""
        return cls.from_json(Path(path).read_text(encoding="utf-8"))

    def __getstate__(self) -> dict:
        state = {k: v for k, v in self.__dict__.items() if k != "_model"}
        if hasattr(self, "_model"):
            state["_model_json"] = self._model.to_json()
        return state

    def __setstate__(self, state: dict) -> None:
        text = state.pop("_model_json", None)
        self.__dict__.update(state)
        if text is not None:
            self._model = self._core.from_json(text)

    def __repr__(self) -> str:
        if not hasattr(self, "_model"):
            return f"<nps.value.{type(self).__name__}: not fitted>"
        params = ", ".join(f"{k}: {v:.2f}" for k, v in zip(self._names, self._model.params))
        return f"<nps.value.{type(self).__name__}: fitted with {self._model.fit_summary.customers:,.0f} customers, {params}>"

    def _repr_html_(self) -> str:
        if not hasattr(self, "_model"):
            return _html.block(type(self).__name__, "not fitted")
        m, fit = self._model, self._model.fit_summary
        rows = [[_html.esc(k), _html.num(v, 4), _html.num(s, 4)] for k, v, s in zip(self._names, m.params, fit.standard_errors)]
        headline = f"{_html.num(fit.customers, 0)} customers &middot; log-likelihood {_html.num(fit.log_likelihood, 2)}"
        return _html.block(type(self).__name__, headline, _html.table(["parameter", "coef", "se(coef)"], rows))


class BetaGeo(_ValueModel):
    """The BG/NBD model of repeat purchases (lifetimes' ``BetaGeoFitter``): purchase rates
    Gamma(r, alpha) across customers, a drop-out chance after each purchase Beta(a, b).

    Parameters
    ----------
    penalizer_coef : float
        L2 penalty on the parameters, as lifetimes applies it.
    """

    _core = _nps._BetaGeo
    _names = ("r", "alpha", "a", "b")

    def __init__(self, penalizer_coef: float = 0.0):
        self.penalizer_coef = penalizer_coef

    def fit(self, frequency: Any, recency: Any, T: Any, weights: Any = None) -> "BetaGeo":
        """Fits r, alpha, a, b by maximum likelihood to each customer's repeat purchases
        (``frequency``), time from first to last purchase (``recency``) and age (``T``);
        ``weights``: customers sharing each history."""
        self._model = _nps._BetaGeo.fit(frequency, recency, T, weights, float(self.penalizer_coef))
        return self

    @classmethod
    def from_params(cls, r: float, alpha: float, a: float, b: float) -> "BetaGeo":
        """The model of given parameters (e.g. published ones)."""
        obj = cls()
        obj._model = _nps._BetaGeo.from_params(r, alpha, a, b)
        return obj

    def conditional_expected_number_of_purchases_up_to_time(self, t: float, frequency: Any, recency: Any,
                                                            T: Any) -> Any:
        """Expected repeat purchases in the next ``t`` time units of each customer. One
        customer given as numbers gives a number; with an array of ``t``, an array (one per
        horizon)."""
        (f, r, age), one = _histories(frequency, recency, T)
        model = self._fitted()
        if one and np.ndim(t) == 1:
            return np.array([model.conditional_expected(_scalar_time(h), f, r, age)[0] for h in np.asarray(t).tolist()])
        values = model.conditional_expected(_scalar_time(t), f, r, age)
        return float(values[0]) if one else _out(values, _index(frequency, recency, T), "expected_purchases")

    predict = conditional_expected_number_of_purchases_up_to_time

    def conditional_probability_alive(self, frequency: Any, recency: Any, T: Any) -> Any:
        """P(alive) of each customer (1 without repeat purchases); a number for one customer
        given as numbers."""
        (f, r, age), one = _histories(frequency, recency, T)
        values = self._fitted().probability_alive(f, r, age)
        return float(values[0]) if one else _out(values, _index(frequency, recency, T), "probability_alive")

    def expected_number_of_purchases_up_to_time(self, t: Any) -> Any:
        """Expected repeat purchases of a new customer in her first ``t`` time units (a
        number for a number, an array for an array)."""
        scalar = np.ndim(t) == 0
        values = self._fitted().expected_new(np.atleast_1d(np.asarray(t, dtype=float)))
        return float(values[0]) if scalar else _out(values, _index(t), "expected_purchases")

    def log_likelihood(self, frequency: Any, recency: Any, T: Any, weights: Any = None) -> float:
        """Total log-likelihood of histories at the fitted parameters."""
        return self._fitted().log_likelihood_of(frequency, recency, T, weights)


class GammaGamma(_ValueModel):
    """The Gamma-Gamma model of spend per purchase (lifetimes' ``GammaGammaFitter``), and the
    customer lifetime value with a BG/NBD model.

    Parameters
    ----------
    penalizer_coef : float
        L2 penalty on the parameters, as lifetimes applies it.
    """

    _core = _nps._GammaGamma
    _names = ("p", "q", "v")

    def __init__(self, penalizer_coef: float = 0.0):
        self.penalizer_coef = penalizer_coef

    def fit(self, frequency: Any, monetary_value: Any, weights: Any = None) -> "GammaGamma":
        """Fits p, q, v to repeat customers' frequency (>= 1) and mean spend (> 0)."""
        self._model = _nps._GammaGamma.fit(frequency, monetary_value, weights, float(self.penalizer_coef))
        return self

    @classmethod
    def from_params(cls, p: float, q: float, v: float) -> "GammaGamma":
        """The model of given parameters."""
        obj = cls()
        obj._model = _nps._GammaGamma.from_params(p, q, v)
        return obj

    def conditional_expected_average_profit(self, frequency: Any, monetary_value: Any) -> Any:
        """Expected mean spend per purchase of each customer (a number for one customer given
        as numbers)."""
        (f, m), one = _histories(frequency, monetary_value)
        values = self._fitted().expected_average_profit(f, m)
        return float(values[0]) if one else _out(values, _index(frequency, monetary_value), "expected_average_profit")

    def customer_lifetime_value(self, transaction_prediction_model: BetaGeo, frequency: Any, recency: Any, T: Any,
                                monetary_value: Any, time: int = 12, discount_rate: float = 0.01,
                                freq: str = "D") -> Any:
        """Discounted value over the next ``time`` months (lifetimes' discretisation:
        purchases expected month by month, a month being 30 days, 4.345 weeks or 720 hours
        of the data's unit ``freq``, each month discounted at ``discount_rate``)."""
        if not isinstance(transaction_prediction_model, BetaGeo):
            raise error("INVALID_PARAMETER", "transaction_prediction_model must be a fitted nps.value.BetaGeo, got "
                        f"{type(transaction_prediction_model).__name__}")
        values = self._fitted().customer_lifetime_value(transaction_prediction_model._fitted(), frequency, recency, T,
                                                        monetary_value, int(time), float(discount_rate), str(freq))
        return _out(values, _index(frequency, recency, T, monetary_value), "clv")


class ShiftedBetaGeometric(_ValueModel):
    """The shifted-beta-geometric model of contract renewals (Fader & Hardie 2007): each
    customer renews with her own constant probability, churn probabilities Beta(alpha, beta)
    across customers."""

    _core = _nps._ShiftedBetaGeometric
    _names = ("alpha", "beta")

    def fit(self, survivors: Any) -> "ShiftedBetaGeometric":
        """Fits alpha, beta to one cohort's survival counts (the cohort's size, then those
        still active at the end of each period) or to a list of cohorts (pooled)."""
        if isinstance(survivors, (list, tuple)) and survivors and np.ndim(survivors[0]) == 1:
            cohorts = list(survivors)
        else:
            cohorts = [survivors]
        self._model = _nps._ShiftedBetaGeometric.fit(cohorts)
        return self

    @classmethod
    def from_params(cls, alpha: float, beta: float) -> "ShiftedBetaGeometric":
        """The model of given parameters (e.g. published ones)."""
        obj = cls()
        obj._model = _nps._ShiftedBetaGeometric.from_params(alpha, beta)
        return obj

    def survival(self, periods: int) -> Any:
        """S(t), t = 0..periods: the share of a new cohort still active after t periods."""
        periods = _checks.whole(periods, "periods")
        return _pd().Series(self._fitted().survival(periods), name="survival").rename_axis("period")

    def churn_probability(self, periods: int) -> Any:
        """P(T = t), t = 1..periods: the share of a new cohort lost at the end of period t."""
        periods = _checks.whole(periods, "periods")
        values = self._fitted().churn_probability(periods)
        return _pd().Series(values, index=_pd().RangeIndex(1, periods + 1, name="period"), name="churn")

    def retention_rate(self, t: int) -> float:
        """The share of those active after period t - 1 who renew at the end of period t."""
        return self._fitted().retention_rate(int(t))

    def expected_remaining_lifetime(self, renewals: int = 0) -> float:
        """Expected periods still to be paid by a customer who has renewed ``renewals``
        times (infinite when alpha <= 1)."""
        return self._fitted().expected_remaining_lifetime(int(renewals))

    def discounted_expected_residual_lifetime(self, discount_rate: float, renewals: int = 0) -> float:
        """DERL (Fader & Hardie 2010): the discounted payments still expected from a
        customer who has renewed ``renewals`` times; times the margin per period, her
        residual value."""
        return self._fitted().discounted_expected_residual_lifetime(float(discount_rate), int(renewals))


def summary_from_transactions(transactions: Any, customer_id_col: str, datetime_col: str,
                              monetary_value_col: Optional[str] = None, observation_period_end: Any = None,
                              freq: str = "D", freq_multiplier: float = 1, include_first_transaction: bool = False) -> Any:
    """frequency, recency, T (and monetary_value) per customer, as lifetimes'
    ``summary_data_from_transaction_data``: purchases in the same period (``freq``: "D",
    "W" or "H") count once, the first purchase is left out of the frequency and the monetary
    value (unless ``include_first_transaction``: not for the BG/NBD and Gamma-Gamma fits),
    purchases after ``observation_period_end`` (default: the last purchase) are left out,
    recency and T are divided by ``freq_multiplier`` (``freq="H", freq_multiplier=24``:
    exact days). A DataFrame indexed by customer id."""
    pd = _pd()
    from .survey import _epoch_seconds, _epoch_second

    ids = transactions[customer_id_col]
    codes, labels = pd.factorize(ids, sort=True)
    if (codes < 0).any():
        raise error("MISSING_VALUE", f"{customer_id_col}[{int(np.argmax(codes < 0))}] is missing")
    times = _epoch_seconds(transactions[datetime_col])
    amount = None
    if monetary_value_col is not None:
        amount = np.ascontiguousarray(pd.to_numeric(transactions[monetary_value_col]).to_numpy(dtype=float))
    end = None if observation_period_end is None else _epoch_second(observation_period_end, "observation_period_end")
    who, f, r, t, m = _nps._value_summary(np.ascontiguousarray(codes, dtype=np.uint32),
                                          np.ascontiguousarray(times, dtype=np.int64), amount, end, freq,
                                          float(freq_multiplier), bool(include_first_transaction))
    out = pd.DataFrame({"frequency": f, "recency": r, "T": t}, index=pd.Index(np.asarray(labels)[who], name=customer_id_col))
    if monetary_value_col is not None:
        out["monetary_value"] = m
    return out


def discounted_periods(periods: int, discount_rate: float) -> float:
    """The present value of one unit paid at the end of each of the next ``periods``
    periods at ``discount_rate`` per period (12 months at 1%: 11.26)."""
    return _nps.discounted_periods(_checks.whole(periods, "periods"), float(discount_rate))


def value_at_risk(churn_probability: Any, residual_value: Any) -> Any:
    """P(churn within the horizon) x expected residual value, per customer (a Series when an
    input is one)."""
    values = _nps._value_at_risk(churn_probability, residual_value)
    return _out(values, _index(churn_probability, residual_value), "value_at_risk")


def plan_campaign(churn_probability: Any, residual_value: Any, uplift: float, cost: float,
                  acceptance_rate: float = 1.0) -> Any:
    """The campaign arithmetic of a retention action: per customer the value at risk, the
    expected saved value (acceptance_rate x min(uplift, P(churn)) x residual value) and the
    net value (saved - cost), ranked by net value (highest first). A DataFrame whose
    ``attrs`` hold ``worth_contacting`` (customers with a positive net value) and
    ``total_net_value`` (contacting exactly those)."""
    pd = _pd()
    at_risk, saved, net, order, worth, total = _nps._plan_campaign(churn_probability, residual_value, float(uplift),
                                                                  float(cost), float(acceptance_rate))
    index = _index(churn_probability, residual_value)
    frame = pd.DataFrame({"churn_probability": np.asarray(churn_probability, dtype=float),
                          "residual_value": np.asarray(residual_value, dtype=float), "value_at_risk": at_risk,
                          "saved_value": saved, "net_value": net}, index=index)
    frame = frame.iloc[order]
    frame["worth_contacting"] = frame["net_value"] > 0
    frame.attrs["worth_contacting"] = worth
    frame.attrs["total_net_value"] = total
    return frame


__all__ = ["BetaGeo", "GammaGamma", "ShiftedBetaGeometric", "discounted_periods", "plan_campaign", "summary_from_transactions",
           "value_at_risk"]
