//! Value at risk: what each customer's churn would cost, P(churn within the horizon) ×
//! expected residual value, and the arithmetic of a retention campaign on it. The churn
//! probability comes from any model (a churn model's score, a survival model's
//! probability of churning within the horizon); the residual value from this module's
//! lifetime value (or any other). The `value_at_risk` of a customer can be the value term
//! of next-best-action: a catalogue action with `"value": {"field": "value_at_risk",
//! "times": 1}`.
use serde::{Deserialize, Serialize};

use super::input::check_finite;
use crate::error::check_lengths;
use crate::error::{NpsError, Result};

/// A retention action as the campaign arithmetic sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionAction {
    /// Absolute reduction of the churn probability for a customer who accepts (0.2: from
    /// 0.5 to 0.3), never more than her churn probability.
    pub uplift: f64,
    /// Cost per customer contacted (the offer's cost, the call).
    pub cost: f64,
    /// Share of contacted customers who accept: 1.
    #[serde(default = "one")]
    pub acceptance_rate: f64,
}

fn one() -> f64 {
    1.0
}

/// The campaign arithmetic per customer, and the customers ranked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignPlan {
    /// P(churn) × residual value of each customer.
    pub value_at_risk: Vec<f64>,
    /// Expected value saved by the action: acceptance_rate × min(uplift, P(churn)) ×
    /// residual value.
    pub saved_value: Vec<f64>,
    /// Saved value − cost.
    pub net_value: Vec<f64>,
    /// Customers (indices) by net value, highest first (ties by index).
    pub order: Vec<usize>,
    /// Customers whose net value is positive: the ones worth the action.
    pub worth_contacting: usize,
    /// Total net value of contacting exactly those.
    pub total_net_value: f64,
}

/// Checks churn probabilities (in 0..=1) and residual values (finite, ≥ 0) of equal length.
fn check_inputs(churn_probability: &[f64], residual_value: &[f64]) -> Result<()> {
    check_lengths("residual_value", residual_value.len(), "churn_probability", churn_probability.len())?;
    check_finite("churn_probability", churn_probability)?;
    check_finite("residual_value", residual_value)?;
    for (i, &p) in churn_probability.iter().enumerate() {
        if !(0.0..=1.0).contains(&p) {
            return Err(NpsError::OutOfRange {
                field: "churn_probability".into(),
                index: i,
                value: p,
                range: "0..=1".into(),
            });
        }
    }
    if let Some(i) = residual_value.iter().position(|&v| v < 0.0) {
        return Err(NpsError::Negative { field: "residual_value".into(), index: i, value: residual_value[i] });
    }
    Ok(())
}

/// P(churn within the horizon) × expected residual value, per customer.
pub fn value_at_risk(churn_probability: &[f64], residual_value: &[f64]) -> Result<Vec<f64>> {
    check_inputs(churn_probability, residual_value)?;
    Ok(churn_probability.iter().zip(residual_value).map(|(p, v)| p * v).collect())
}

/// Indices of `values` from the highest to the lowest (ties by index).
pub fn rank_descending(values: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&i, &j| values[j].total_cmp(&values[i]).then(i.cmp(&j)));
    order
}

/// The campaign arithmetic of `action` for each customer: value at risk, expected saved
/// value, net of the cost, and the customers ranked by net value.
pub fn plan_campaign(
    churn_probability: &[f64],
    residual_value: &[f64],
    action: &RetentionAction,
) -> Result<CampaignPlan> {
    check_inputs(churn_probability, residual_value)?;
    for (name, v) in [("uplift", action.uplift), ("acceptance_rate", action.acceptance_rate)] {
        if !(0.0..=1.0).contains(&v) {
            return Err(NpsError::invalid(name, v, "a share in 0..=1"));
        }
    }
    if !(action.cost.is_finite() && action.cost >= 0.0) {
        return Err(NpsError::invalid("cost", action.cost, "a finite cost >= 0"));
    }
    let at_risk: Vec<f64> = churn_probability.iter().zip(residual_value).map(|(p, v)| p * v).collect();
    let saved: Vec<f64> = churn_probability
        .iter()
        .zip(residual_value)
        .map(|(&p, &v)| action.acceptance_rate * action.uplift.min(p) * v)
        .collect();
    let net: Vec<f64> = saved.iter().map(|s| s - action.cost).collect();
    let order = rank_descending(&net);
    let worth: Vec<usize> = order.iter().copied().filter(|&i| net[i] > 0.0).collect();
    let total_net_value = worth.iter().map(|&i| net[i]).sum();
    Ok(CampaignPlan {
        value_at_risk: at_risk,
        saved_value: saved,
        net_value: net,
        worth_contacting: worth.len(),
        order,
        total_net_value,
    })
}
