//! Customer lifetime value: the BG/NBD model's expected purchases month by month times the
//! Gamma-Gamma model's expected spend, discounted (lifetimes' `customer_lifetime_value`,
//! with its discretisation: `months` steps of a month, the purchases expected between
//! consecutive month ends, each month discounted at `discount_rate`).
use serde::{Deserialize, Serialize};

use super::beta_geo::BetaGeo;
use super::gamma_gamma::GammaGamma;
use super::input::{check_finite, check_history};
use crate::error::check_lengths;
use crate::error::{NpsError, Result};

/// The `freq` names of the data's time unit for lifetime value, as lifetimes spells them.
pub const LIFETIME_VALUE_UNITS: [&str; 4] = ["H", "D", "W", "M"];

/// How a lifetime value is counted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LifetimeValueOptions {
    /// Months ahead (lifetimes' `time`): 12.
    pub months: u32,
    /// Discount rate per month: 0.01.
    pub discount_rate: f64,
    /// The time unit of recency and T (lifetimes' `freq`): `"D"` (a month is 30 days), `"W"`
    /// (4.345 weeks), `"H"` (720 hours) or `"M"`.
    pub freq: String,
}

impl Default for LifetimeValueOptions {
    fn default() -> Self {
        LifetimeValueOptions { months: 12, discount_rate: 0.01, freq: "D".into() }
    }
}

/// Time units per month of a `freq` name (lifetimes' factors).
pub fn units_per_month(freq: &str) -> Result<f64> {
    match freq {
        "W" => Ok(4.345),
        "M" => Ok(1.0),
        "D" => Ok(30.0),
        "H" => Ok(720.0),
        _ => Err(NpsError::unknown("freq", freq, &LIFETIME_VALUE_UNITS)),
    }
}

/// The discounted value of each customer over the next `options.months` months: for month
/// k = 1..=months, (expected purchases by the end of month k − by the end of month k − 1)
/// × expected spend / (1 + discount_rate)^k.
pub fn customer_lifetime_value(
    purchases: &BetaGeo,
    spend: &GammaGamma,
    frequency: &[f64],
    recency: &[f64],
    t: &[f64],
    monetary_value: &[f64],
    options: &LifetimeValueOptions,
) -> Result<Vec<f64>> {
    check_history(frequency, recency, t)?;
    check_lengths("monetary_value", monetary_value.len(), "frequency", frequency.len())?;
    check_finite("monetary_value", monetary_value)?;
    if !(options.discount_rate.is_finite() && options.discount_rate > -1.0) {
        return Err(NpsError::invalid("discount_rate", options.discount_rate, "a finite rate > -1"));
    }
    let factor = units_per_month(&options.freq)?;
    use rayon::prelude::*;
    let values: Vec<f64> = (0..frequency.len())
        .into_par_iter()
        .with_min_len(1_024)
        .map(|i| {
            let (x, tx, age) = (frequency[i], recency[i], t[i]);
            let adjusted = spend.expected_spend_one(x, monetary_value[i]);
            let mut value = 0.0;
            for k in 1..=options.months {
                let end = f64::from(k) * factor;
                let bought = purchases.expected_purchases_one(end, x, tx, age)
                    - purchases.expected_purchases_one(end - factor, x, tx, age);
                value += adjusted * bought / (1.0 + options.discount_rate).powf(end / factor);
            }
            value
        })
        .collect();
    super::beta_geo::series_reached(values, "months", options.months)
}

/// Σ_{k=1}^{periods} (1 + discount_rate)^−k: the present value of one unit paid at the end of
/// each of the next `periods` periods (an annuity factor). Twelve months' revenue at 1% a
/// month is 11.26 months' revenue today.
pub fn discounted_periods(periods: u32, discount_rate: f64) -> Result<f64> {
    if !(discount_rate.is_finite() && discount_rate > -1.0) {
        return Err(NpsError::invalid("discount_rate", discount_rate, "a finite rate > -1"));
    }
    Ok((1..=periods).map(|k| (1.0 + discount_rate).powi(-(k as i32))).sum())
}
