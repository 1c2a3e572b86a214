//! Targeting by uplift × value: who is worth a call because the call *saves* value, not
//! because the value is at risk.
//!
//! [`plan_campaign`](crate::value::plan_campaign) ranks by risk × value with one uplift
//! for every customer; [`rank_by_uplift`] takes each customer's predicted uplift (an
//! [`UpliftModel`](super::UpliftModel)'s prediction) instead. Its `saved_value` per
//! customer can also be the value term of a next-best-action catalogue action (a customer
//! field, `"value": {"field": "uplift_value", "times": 1}`), so that arbitration weighs the
//! saved value rather than the value at risk; no decision changes unless a catalogue says so.
use serde::{Deserialize, Serialize};

use super::outcome::check_finite;
use crate::error::{NpsError, Result};
use crate::value::rank_descending;

/// Customers ranked by what calling them saves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UpliftPlan {
    /// Expected value saved by the call: predicted uplift × value (negative for a customer
    /// the call drives away).
    pub saved_value: Vec<f64>,
    /// Saved value − cost.
    pub net_value: Vec<f64>,
    /// Customers (indices) by net value, highest first (ties by index).
    pub order: Vec<usize>,
    /// Customers whose net value is positive: the ones worth the call.
    pub worth_contacting: usize,
    /// Total net value of calling exactly those.
    pub total_net_value: f64,
}

/// Ranks customers by predicted uplift (in retention probability, −1..=1) × value (≥ 0,
/// residual value or any value per customer), net of the `cost` of a contact. Errors:
/// mismatched lengths, a NaN or infinite number, an uplift outside −1..=1, a negative
/// value or cost.
///
/// ```
/// use nps_core::uplift::rank_by_uplift;
/// let plan = rank_by_uplift(&[0.10, -0.05, 0.30], &[500.0, 800.0, 100.0], 10.0).unwrap();
/// assert_eq!(plan.saved_value, [50.0, -40.0, 30.0]);
/// assert_eq!(plan.order, [0, 2, 1]);
/// assert_eq!(plan.worth_contacting, 2);
/// ```
pub fn rank_by_uplift(uplift: &[f64], value: &[f64], cost: f64) -> Result<UpliftPlan> {
    check_finite("uplift", uplift, uplift.len(), "uplift")?;
    check_finite("value", value, uplift.len(), "uplift")?;
    if let Some(i) = uplift.iter().position(|u| !(-1.0..=1.0).contains(u)) {
        return Err(NpsError::OutOfRange {
            field: "uplift".into(),
            index: i,
            value: uplift[i],
            range: "-1..=1".into(),
        });
    }
    if let Some(i) = value.iter().position(|&v| v < 0.0) {
        return Err(NpsError::Negative { field: "value".into(), index: i, value: value[i] });
    }
    if !(cost.is_finite() && cost >= 0.0) {
        return Err(NpsError::invalid("cost", cost, "a finite cost >= 0"));
    }
    let saved: Vec<f64> = uplift.iter().zip(value).map(|(u, v)| u * v).collect();
    let net: Vec<f64> = saved.iter().map(|s| s - cost).collect();
    let order = rank_descending(&net);
    let worth: Vec<usize> = order.iter().copied().filter(|&i| net[i] > 0.0).collect();
    let total_net_value = worth.iter().map(|&i| net[i]).sum();
    Ok(UpliftPlan { saved_value: saved, net_value: net, worth_contacting: worth.len(), order, total_net_value })
}
