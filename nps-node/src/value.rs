//! `value`: customer value from Node (BG/NBD, Gamma-Gamma, lifetime value,
//! shifted-beta-geometric retention, the RFM summary, value at risk and the campaign
//! arithmetic), the same names as Python's `nps.value` in camelCase. Every number comes
//! from the core; model files written in any language load and predict to the bit.
use napi_derive::napi;
use nps_core::value as core;

use crate::convert::{floats, size32, NumericArray};
use crate::error::{IntoNapi, Result};
use nps_core::NpsError;

/// How a model was fitted.
#[napi(object)]
pub struct ValueFit {
    /// Total log-likelihood of the fitted data (no penalty).
    pub log_likelihood: f64,
    /// Standard error of each parameter, in the model's parameter order.
    pub standard_errors: Vec<f64>,
    /// Customers fitted (the sum of the weights).
    pub customers: f64,
    /// The L2 penalty on the parameters.
    pub penalizer_coef: f64,
    /// Quasi-Newton iterations taken.
    pub iterations: u32,
}

fn fit_of(f: &core::FitSummary) -> ValueFit {
    ValueFit {
        log_likelihood: f.log_likelihood,
        standard_errors: f.standard_errors.clone(),
        customers: f.customers,
        penalizer_coef: f.penalizer_coef,
        iterations: f.iterations as u32,
    }
}

/// Options of a fit.
#[napi(object)]
#[derive(Default)]
pub struct ValueFitOptions {
    /// Customers sharing each history (default: one each).
    pub weights: Option<Vec<f64>>,
    /// L2 penalty on the parameters, as lifetimes' `penalizer_coef` (default 0).
    pub penalizer_coef: Option<f64>,
}

/// The BG/NBD model of repeat purchases (lifetimes' `BetaGeoFitter`).
#[napi(namespace = "value")]
pub struct BetaGeo {
    pub(crate) inner: core::BetaGeo,
}

#[napi(namespace = "value")]
impl BetaGeo {
    /// Fits r, alpha, a, b to each customer's frequency (repeat purchases), recency and T.
    #[napi(factory, catch_unwind)]
    pub fn fit(
        frequency: NumericArray,
        recency: NumericArray,
        t: NumericArray,
        #[napi(ts_arg_type = "ValueFitOptions | undefined | null")] options: Option<
            crate::convert::Obj<ValueFitOptions>,
        >,
    ) -> Result<BetaGeo> {
        let options = options.map(|o| o.0);
        let o = options.unwrap_or_default();
        let (f, r, t) = (floats(&frequency), floats(&recency), floats(&t));
        let inner =
            core::BetaGeo::fit(&f, &r, &t, o.weights.as_deref(), o.penalizer_coef.unwrap_or(0.0)).into_napi()?;
        Ok(BetaGeo { inner })
    }

    /// The model of given parameters.
    #[napi(factory, catch_unwind)]
    pub fn from_params(r: f64, alpha: f64, a: f64, b: f64) -> Result<BetaGeo> {
        Ok(BetaGeo { inner: core::BetaGeo::from_params(r, alpha, a, b).into_napi()? })
    }

    /// Reads a model file of kind `beta_geo`.
    #[napi(factory, catch_unwind)]
    pub fn from_json(text: String) -> Result<BetaGeo> {
        Ok(BetaGeo { inner: core::BetaGeo::from_json(&text).into_napi()? })
    }

    /// The model file.
    #[napi]
    pub fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// `{ r, alpha, a, b }`.
    #[napi(getter)]
    pub fn params(&self) -> BetaGeoParams {
        BetaGeoParams { r: self.inner.r, alpha: self.inner.alpha, a: self.inner.a, b: self.inner.b }
    }

    /// How the model was fitted.
    #[napi(getter)]
    pub fn fit_summary(&self) -> ValueFit {
        fit_of(&self.inner.fit)
    }

    /// Expected repeat purchases in the next `t` time units of each customer.
    #[napi(catch_unwind)]
    pub fn conditional_expected_number_of_purchases_up_to_time(
        &self,
        t: f64,
        frequency: NumericArray,
        recency: NumericArray,
        age: NumericArray,
    ) -> Result<Vec<f64>> {
        let (f, r, a) = (floats(&frequency), floats(&recency), floats(&age));
        self.inner.conditional_expected_number_of_purchases_up_to_time(t, &f, &r, &a).into_napi()
    }

    /// P(alive) of each customer (1 without repeat purchases).
    #[napi(catch_unwind)]
    pub fn conditional_probability_alive(
        &self,
        frequency: NumericArray,
        recency: NumericArray,
        age: NumericArray,
    ) -> Result<Vec<f64>> {
        let (f, r, a) = (floats(&frequency), floats(&recency), floats(&age));
        self.inner.conditional_probability_alive(&f, &r, &a).into_napi()
    }

    /// Expected repeat purchases of a new customer in her first `t` time units, per `t`.
    #[napi(catch_unwind)]
    pub fn expected_number_of_purchases_up_to_time(&self, t: NumericArray) -> Result<Vec<f64>> {
        self.inner.expected_number_of_purchases_up_to_time(&floats(&t)).into_napi()
    }
}

/// BG/NBD parameters.
#[napi(object)]
pub struct BetaGeoParams {
    /// Shape of the purchase rates' Gamma distribution.
    pub r: f64,
    /// Scale of the purchase rates' Gamma distribution.
    pub alpha: f64,
    /// First shape of the drop-out probabilities' Beta distribution.
    pub a: f64,
    /// Second shape of the drop-out probabilities' Beta distribution.
    pub b: f64,
}

/// Gamma-Gamma parameters.
#[napi(object)]
pub struct GammaGammaParams {
    /// Shape of a customer's transaction values.
    pub p: f64,
    /// Shape of the customers' rate parameters.
    pub q: f64,
    /// Scale of the customers' rate parameters.
    pub v: f64,
}

/// Shifted-beta-geometric parameters.
#[napi(object)]
pub struct ShiftedBetaGeometricParams {
    /// First shape of the churn probabilities' Beta distribution.
    pub alpha: f64,
    /// Second shape of the churn probabilities' Beta distribution.
    pub beta: f64,
}

/// Options of a lifetime value (lifetimes' defaults).
#[napi(object)]
#[derive(Default)]
pub struct LifetimeValueOptions {
    /// Months ahead (default 12).
    pub time: Option<f64>,
    /// Discount rate per month (default 0.01).
    pub discount_rate: Option<f64>,
    /// Time unit of recency and T: 'D' (default), 'W', 'H' or 'M'.
    pub freq: Option<String>,
}

/// The Gamma-Gamma model of spend per purchase (lifetimes' `GammaGammaFitter`).
#[napi(namespace = "value")]
pub struct GammaGamma {
    pub(crate) inner: core::GammaGamma,
}

#[napi(namespace = "value")]
impl GammaGamma {
    /// Fits p, q, v to repeat customers' frequency (>= 1) and mean spend (> 0).
    #[napi(factory, catch_unwind)]
    pub fn fit(
        frequency: NumericArray,
        monetary_value: NumericArray,
        #[napi(ts_arg_type = "ValueFitOptions | undefined | null")] options: Option<
            crate::convert::Obj<ValueFitOptions>,
        >,
    ) -> Result<GammaGamma> {
        let options = options.map(|o| o.0);
        let o = options.unwrap_or_default();
        let (f, m) = (floats(&frequency), floats(&monetary_value));
        let inner = core::GammaGamma::fit(&f, &m, o.weights.as_deref(), o.penalizer_coef.unwrap_or(0.0)).into_napi()?;
        Ok(GammaGamma { inner })
    }

    /// The model of given parameters.
    #[napi(factory, catch_unwind)]
    pub fn from_params(p: f64, q: f64, v: f64) -> Result<GammaGamma> {
        Ok(GammaGamma { inner: core::GammaGamma::from_params(p, q, v).into_napi()? })
    }

    /// Reads a model file of kind `gamma_gamma`.
    #[napi(factory, catch_unwind)]
    pub fn from_json(text: String) -> Result<GammaGamma> {
        Ok(GammaGamma { inner: core::GammaGamma::from_json(&text).into_napi()? })
    }

    /// The model file.
    #[napi]
    pub fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// `{ p, q, v }`.
    #[napi(getter)]
    pub fn params(&self) -> GammaGammaParams {
        GammaGammaParams { p: self.inner.p, q: self.inner.q, v: self.inner.v }
    }

    /// How the model was fitted.
    #[napi(getter)]
    pub fn fit_summary(&self) -> ValueFit {
        fit_of(&self.inner.fit)
    }

    /// Expected mean spend per purchase of each customer.
    #[napi(catch_unwind)]
    pub fn conditional_expected_average_profit(
        &self,
        frequency: NumericArray,
        monetary_value: NumericArray,
    ) -> Result<Vec<f64>> {
        self.inner.conditional_expected_average_profit(&floats(&frequency), &floats(&monetary_value)).into_napi()
    }

    /// Discounted value over the next months (lifetimes' `customer_lifetime_value`).
    #[napi(catch_unwind)]
    pub fn customer_lifetime_value(
        &self,
        transaction_prediction_model: &BetaGeo,
        frequency: NumericArray,
        recency: NumericArray,
        age: NumericArray,
        monetary_value: NumericArray,
        #[napi(ts_arg_type = "LifetimeValueOptions | undefined | null")] options: Option<
            crate::convert::Obj<LifetimeValueOptions>,
        >,
    ) -> Result<Vec<f64>> {
        let options = options.map(|o| o.0);
        let o = options.unwrap_or_default();
        let d = core::LifetimeValueOptions::default();
        let options = core::LifetimeValueOptions {
            months: size32(o.time, "time", 0.0, d.months)?,
            discount_rate: o.discount_rate.unwrap_or(d.discount_rate),
            freq: o.freq.unwrap_or(d.freq),
        };
        let (f, r, a, m) = (floats(&frequency), floats(&recency), floats(&age), floats(&monetary_value));
        core::customer_lifetime_value(&transaction_prediction_model.inner, &self.inner, &f, &r, &a, &m, &options)
            .into_napi()
    }
}

/// The shifted-beta-geometric model of contract renewals (Fader & Hardie 2007).
#[napi(namespace = "value")]
pub struct ShiftedBetaGeometric {
    pub(crate) inner: core::ShiftedBetaGeometric,
}

#[napi(namespace = "value")]
impl ShiftedBetaGeometric {
    /// Fits alpha, beta to one cohort's survival counts (its size, then those still active
    /// after each period).
    #[napi(factory, catch_unwind)]
    pub fn fit(survivors: NumericArray) -> Result<ShiftedBetaGeometric> {
        Ok(ShiftedBetaGeometric { inner: core::ShiftedBetaGeometric::fit(&floats(&survivors)).into_napi()? })
    }

    /// Fits one alpha, beta to several cohorts (pooled).
    #[napi(factory, catch_unwind)]
    pub fn fit_cohorts(cohorts: Vec<Vec<f64>>) -> Result<ShiftedBetaGeometric> {
        let slices: Vec<&[f64]> = cohorts.iter().map(Vec::as_slice).collect();
        Ok(ShiftedBetaGeometric { inner: core::ShiftedBetaGeometric::fit_cohorts(&slices).into_napi()? })
    }

    /// The model of given parameters.
    #[napi(factory, catch_unwind)]
    pub fn from_params(alpha: f64, beta: f64) -> Result<ShiftedBetaGeometric> {
        Ok(ShiftedBetaGeometric { inner: core::ShiftedBetaGeometric::from_params(alpha, beta).into_napi()? })
    }

    /// Reads a model file of kind `shifted_beta_geometric`.
    #[napi(factory, catch_unwind)]
    pub fn from_json(text: String) -> Result<ShiftedBetaGeometric> {
        Ok(ShiftedBetaGeometric { inner: core::ShiftedBetaGeometric::from_json(&text).into_napi()? })
    }

    /// The model file.
    #[napi]
    pub fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// `{ alpha, beta }`.
    #[napi(getter)]
    pub fn params(&self) -> ShiftedBetaGeometricParams {
        ShiftedBetaGeometricParams { alpha: self.inner.alpha, beta: self.inner.beta }
    }

    /// How the model was fitted.
    #[napi(getter)]
    pub fn fit_summary(&self) -> ValueFit {
        fit_of(&self.inner.fit)
    }

    /// S(t), t = 0..periods.
    #[napi]
    pub fn survival(&self, periods: f64) -> Result<Vec<f64>> {
        Ok(self.inner.survival(size32(Some(periods), "periods", 0.0, 0)?))
    }

    /// P(T = t), t = 1..periods.
    #[napi]
    pub fn churn_probability(&self, periods: f64) -> Result<Vec<f64>> {
        Ok(self.inner.churn_probability(size32(Some(periods), "periods", 0.0, 0)?))
    }

    /// The retention rate of period t.
    #[napi]
    pub fn retention_rate(&self, t: f64) -> Result<f64> {
        Ok(self.inner.retention_rate(size32(Some(t), "t", 0.0, 0)?))
    }

    /// Expected periods still to be paid by a customer who has renewed `renewals` times
    /// (Infinity when alpha <= 1).
    #[napi]
    pub fn expected_remaining_lifetime(&self, renewals: Option<f64>) -> Result<f64> {
        Ok(self.inner.expected_remaining_lifetime(size32(renewals, "renewals", 0.0, 0)?))
    }

    /// DERL (Fader & Hardie 2010) of a customer who has renewed `renewals` times.
    #[napi(catch_unwind)]
    pub fn discounted_expected_residual_lifetime(&self, discount_rate: f64, renewals: Option<f64>) -> Result<f64> {
        let renewals = size32(renewals, "renewals", 0.0, 0)?;
        self.inner.discounted_expected_residual_lifetime(discount_rate, renewals).into_napi()
    }
}

/// The RFM summary: one row per customer with a purchase up to the observation end.
#[napi(object)]
pub struct RfmSummary {
    /// Customer codes (ascending).
    pub customer: Vec<u32>,
    /// Repeat purchases.
    pub frequency: Vec<f64>,
    /// Periods from the first purchase to the last.
    pub recency: Vec<f64>,
    /// Periods from the first purchase to the observation end.
    pub t: Vec<f64>,
    /// Mean amount of the repeat periods (0 without).
    pub monetary_value: Vec<f64>,
}

/// Options of the RFM summary.
#[napi(object)]
#[derive(Default)]
pub struct SummaryOptions {
    /// One amount per purchase.
    pub amount: Option<Vec<f64>>,
    /// Epoch seconds (a fraction is floored); purchases after its period are left out
    /// (default: the last purchase).
    pub observation_end: Option<f64>,
    /// 'D' (default), 'W' or 'H'.
    pub freq: Option<String>,
    /// Recency and T are divided by it (1; `freq: 'H', freqMultiplier: 24`: exact days).
    pub freq_multiplier: Option<f64>,
    /// Count the first period in frequency and monetary value (false; not for the fits).
    pub include_first_transaction: Option<bool>,
}

/// frequency, recency, T and monetary value per customer (lifetimes'
/// `summary_data_from_transaction_data`): `customer` codes (whole numbers from 0 to
/// 2**32 − 1), `time` in epoch seconds (a fraction is floored, as times in milliseconds are
/// elsewhere).
#[napi(namespace = "value", catch_unwind)]
pub fn summary_from_transactions(
    customer: Vec<f64>,
    time: Vec<f64>,
    #[napi(ts_arg_type = "SummaryOptions | undefined | null")] options: Option<crate::convert::Obj<SummaryOptions>>,
) -> Result<RfmSummary> {
    let customer = customer.iter().enumerate().map(|(i, &c)| code(c, i)).collect::<nps_core::Result<Vec<u32>>>();
    let time = time
        .iter()
        .enumerate()
        .map(|(i, &t)| crate::convert::epoch_second(t, "time", i))
        .collect::<nps_core::Result<Vec<i64>>>();
    let (customer, time) = (customer.into_napi()?, time.into_napi()?);
    let options = options.map(|o| o.0);
    let o = options.unwrap_or_default();
    let d = core::SummaryOptions::default();
    let summary = core::SummaryOptions {
        observation_end: o
            .observation_end
            .map(|t| crate::convert::epoch_second(t, "observationEnd", 0))
            .transpose()
            .into_napi()?,
        unit: o.freq.as_deref().map_or(Ok(d.unit), core::TimeUnit::parse).into_napi()?,
        freq_multiplier: o.freq_multiplier.unwrap_or(d.freq_multiplier),
        include_first_transaction: o.include_first_transaction.unwrap_or(d.include_first_transaction),
    };
    let s = core::summary_from_transactions(&customer, &time, o.amount.as_deref(), &summary).into_napi()?;
    Ok(RfmSummary {
        customer: s.customer,
        frequency: s.frequency,
        recency: s.recency,
        t: s.t,
        monetary_value: s.monetary_value,
    })
}

/// A customer code: napi would truncate 0.5 to 0 and wrap −1 to 4294967295 on its way to
/// a u32.
fn code(c: f64, index: usize) -> nps_core::Result<u32> {
    match c {
        c if c.is_nan() => Err(NpsError::Missing { field: "customer".into(), index }),
        c if c.fract() == 0.0 && (0.0..=crate::convert::U32_MAX).contains(&c) => Ok(c as u32),
        c => Err(NpsError::OutOfRange {
            field: "customer".into(),
            index,
            value: c,
            range: "whole numbers from 0 to 4294967295 (customer codes)".into(),
        }),
    }
}

/// The present value of one unit paid at the end of each of the next `periods` periods at
/// `discountRate` per period (12 months at 1%: 11.26).
#[napi(namespace = "value", catch_unwind)]
pub fn discounted_periods(periods: f64, discount_rate: f64) -> Result<f64> {
    core::discounted_periods(size32(Some(periods), "periods", 0.0, 0)?, discount_rate).into_napi()
}

/// P(churn within the horizon) × expected residual value, per customer.
#[napi(namespace = "value", catch_unwind)]
pub fn value_at_risk(churn_probability: NumericArray, residual_value: NumericArray) -> Result<Vec<f64>> {
    core::value_at_risk(&floats(&churn_probability), &floats(&residual_value)).into_napi()
}

/// A retention action for the campaign arithmetic.
#[napi(object)]
pub struct RetentionAction {
    /// Absolute reduction of the churn probability for a customer who accepts.
    pub uplift: f64,
    /// Cost per customer contacted.
    pub cost: f64,
    /// Share of contacted customers who accept (default 1).
    pub acceptance_rate: Option<f64>,
}

/// The campaign arithmetic per customer, and the customers ranked by net value.
#[napi(object)]
pub struct CampaignPlan {
    /// P(churn) × residual value.
    pub value_at_risk: Vec<f64>,
    /// acceptanceRate × min(uplift, P(churn)) × residual value.
    pub saved_value: Vec<f64>,
    /// Saved value − cost.
    pub net_value: Vec<f64>,
    /// Customer indices by net value, highest first.
    pub order: Vec<u32>,
    /// Customers with a positive net value.
    pub worth_contacting: u32,
    /// Total net value of contacting exactly those.
    pub total_net_value: f64,
}

/// The campaign arithmetic of a retention action.
#[napi(namespace = "value", catch_unwind)]
pub fn plan_campaign(
    churn_probability: NumericArray,
    residual_value: NumericArray,
    #[napi(ts_arg_type = "RetentionAction")] action: crate::convert::Obj<RetentionAction>,
) -> Result<CampaignPlan> {
    let action = action.0;
    let action = core::RetentionAction {
        uplift: action.uplift,
        cost: action.cost,
        acceptance_rate: action.acceptance_rate.unwrap_or(1.0),
    };
    let p = core::plan_campaign(&floats(&churn_probability), &floats(&residual_value), &action).into_napi()?;
    Ok(CampaignPlan {
        value_at_risk: p.value_at_risk,
        saved_value: p.saved_value,
        net_value: p.net_value,
        order: p.order.into_iter().map(|i| i as u32).collect(),
        worth_contacting: p.worth_contacting as u32,
        total_net_value: p.total_net_value,
    })
}
