//! A retention campaign on a [`SyntheticBase`], logged with a random control group, whose
//! effect differs by customer type and is known: the truth an uplift model is judged by.
//!
//! Each customer is assigned at random to the call (with probability
//! [`CampaignConfig::treated_share`]) or to the control group, and the outcome under that
//! assignment is drawn. A control customer's outcome is the base's own (`churned`, drawn
//! from `churn_probability` without any action). A treated customer's outcome depends on
//! the customer's type ([`CUSTOMER_TYPES`]), decided by the customer's drivers, plan and
//! contract term:
//!
//! | type | who | what the call does | true uplift |
//! |---|---|---|---|
//! | `persuadable` | `bill_shock` or `bad_last_interaction` (the drivers an offer fixes), without a service problem (`falling_usage`, `repeat_contacts`, `long_handle_time`) | saves each would-be churner with probability [`PERSUADABLE_SAVE`] × (1 − p) (a customer who has all but decided is harder to win back) | `PERSUADABLE_SAVE` · p · (1 − p) |
//! | `lost_cause` | any other driver (a service problem, or only a short tenure: nothing an offer fixes) | nothing | 0 |
//! | `sleeping_dog` | a contract customer without drivers whose term ends in 61 to [`SLEEPING_DOG_DAYS`] days (not yet in the renewal window): the call reminds them of it | drives each would-be stayer away with probability [`SLEEPING_DOG_CHURN`] | −`SLEEPING_DOG_CHURN` · (1 − p) |
//! | `sure_thing` | everyone else (no driver) | nothing | 0 |
//!
//! where p is the customer's `churn_probability`. The true uplift is in retention: the
//! probability of staying when called minus when not (positive: the call saves the
//! customer), which is what an uplift model predicts. Treated outcomes are coupled to the
//! base's: a treated persuadable churns only if the base says so and the call does not
//! save them, a treated sleeping dog stays only if the base says so and the call does not
//! drive them away. Deterministic in the seed; the base is not changed.
use serde::{Deserialize, Serialize};

use super::customers::{SyntheticBase, CONTRACT_TERM_DAYS, RENEWAL_WINDOW_DAYS};
use crate::error::{NpsError, Result};
use crate::rng::Rng;

/// Customer type names, indexed by [`SyntheticCampaign::customer_type`].
pub const CUSTOMER_TYPES: [&str; 4] = ["persuadable", "sure_thing", "lost_cause", "sleeping_dog"];

/// The treated share by default: a 50/50 split.
pub const DEFAULT_TREATED_SHARE: f64 = 0.5;

/// The campaign's seed by default.
pub const DEFAULT_CAMPAIGN_SEED: u64 = 7;

/// The most a call saves of a persuadable would-be churner, scaled by 1 − p.
pub const PERSUADABLE_SAVE: f64 = 0.9;

/// The share of sleeping dogs' would-be stayers the call drives away.
pub const SLEEPING_DOG_CHURN: f64 = 0.15;

/// A contract customer without drivers whose term ends within this many days after the
/// reference time (but after the renewal window) is a sleeping dog.
pub const SLEEPING_DOG_DAYS: f64 = 180.0;

/// Drivers (bits of [`SyntheticBase::drivers`]) an offer fixes: `bill_shock`,
/// `bad_last_interaction`.
const FIXABLE: u8 = 1 << 2 | 1 << 4;
/// Drivers no offer fixes, which make a customer a lost cause whatever else holds:
/// `falling_usage`, `repeat_contacts`, `long_handle_time`.
const UNFIXABLE: u8 = 1 << 3 | 1 << 0 | 1 << 1;

const DAY: f64 = 86_400.0;

/// How the campaign is run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CampaignConfig {
    /// Random seed of the assignment and the outcomes ([`DEFAULT_CAMPAIGN_SEED`]).
    pub seed: u64,
    /// Share of customers called, the rest the control group ([`DEFAULT_TREATED_SHARE`]).
    pub treated_share: f64,
}

impl Default for CampaignConfig {
    fn default() -> Self {
        CampaignConfig { seed: DEFAULT_CAMPAIGN_SEED, treated_share: DEFAULT_TREATED_SHARE }
    }
}

/// A logged campaign: one element per customer of the base, in its order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyntheticCampaign {
    /// The configuration it was run with.
    pub config: CampaignConfig,
    /// Whether the customer was called (else in the control group).
    pub treated: Vec<bool>,
    /// Whether the customer left within the horizon, under the assignment.
    pub churned: Vec<bool>,
    /// The customer's type: an index into [`CUSTOMER_TYPES`].
    pub customer_type: Vec<u8>,
    /// P(churn) if not called: the base's `churn_probability`.
    pub churn_if_control: Vec<f64>,
    /// P(churn) if called.
    pub churn_if_treated: Vec<f64>,
    /// The true individual uplift in retention: `churn_if_control − churn_if_treated`
    /// (positive: the call saves the customer).
    pub true_uplift: Vec<f64>,
}

/// The days from the reference time to the end of the customer's current contract term,
/// from the first subscription start in the history (kind code 0).
fn days_to_term_end(base: &SyntheticBase) -> Vec<f64> {
    let n = base.customer_ids.len();
    let mut start = vec![i64::MAX; n];
    for i in 0..base.events.len() {
        if base.events.kind[i] == 0 {
            let c = base.events.customer[i] as usize;
            start[c] = start[c].min(base.events.time[i]);
        }
    }
    start
        .iter()
        .map(|&s| {
            let tenure = (base.config.as_of - s) as f64 / DAY;
            CONTRACT_TERM_DAYS - tenure.rem_euclid(CONTRACT_TERM_DAYS)
        })
        .collect()
}

/// Runs a campaign on `base` (see the module documentation for the truth). Errors: a
/// treated share outside (0, 1).
pub fn campaign(base: &SyntheticBase, config: &CampaignConfig) -> Result<SyntheticCampaign> {
    if !(config.treated_share > 0.0 && config.treated_share < 1.0) {
        return Err(NpsError::invalid("treated_share", config.treated_share, "strictly between 0 and 1"));
    }
    let n = base.customer_ids.len();
    let to_end = days_to_term_end(base);
    let mut rng = Rng::new(config.seed);
    let mut out = SyntheticCampaign {
        config: *config,
        treated: Vec::with_capacity(n),
        churned: Vec::with_capacity(n),
        customer_type: Vec::with_capacity(n),
        churn_if_control: Vec::with_capacity(n),
        churn_if_treated: Vec::with_capacity(n),
        true_uplift: Vec::with_capacity(n),
    };
    for (c, &to_end) in to_end.iter().enumerate() {
        let p = base.churn_probability[c];
        let drivers = base.drivers[c];
        let kind = if drivers & FIXABLE != 0 && drivers & UNFIXABLE == 0 {
            0
        } else if drivers != 0 {
            2
        } else if base.plan[c] == 1 && to_end > RENEWAL_WINDOW_DAYS && to_end <= SLEEPING_DOG_DAYS {
            3
        } else {
            1
        };
        // Draws in a fixed order for every customer, used or not.
        let treated = rng.bernoulli(config.treated_share);
        let u = rng.uniform();
        let (p_treated, churned_if_treated) = match kind {
            0 => {
                let save = PERSUADABLE_SAVE * (1.0 - p);
                (p * (1.0 - save), base.churned[c] && u >= save)
            }
            3 => (p + SLEEPING_DOG_CHURN * (1.0 - p), base.churned[c] || u < SLEEPING_DOG_CHURN),
            _ => (p, base.churned[c]),
        };
        out.treated.push(treated);
        out.churned.push(if treated { churned_if_treated } else { base.churned[c] });
        out.customer_type.push(kind);
        out.churn_if_control.push(p);
        out.churn_if_treated.push(p_treated);
        out.true_uplift.push(p - p_treated);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::{customers, BaseConfig};

    #[test]
    fn deterministic_and_true_to_its_types() {
        let base = customers(&BaseConfig { customers: 4_000, seed: 3, ..Default::default() }).unwrap();
        let a = campaign(&base, &CampaignConfig::default()).unwrap();
        assert_eq!(a, campaign(&base, &CampaignConfig::default()).unwrap());
        let b = campaign(&base, &CampaignConfig { seed: 8, ..Default::default() }).unwrap();
        assert_ne!(a.treated, b.treated);
        let share = a.treated.iter().filter(|&&t| t).count() as f64 / 4_000.0;
        assert!((share - 0.5).abs() < 0.03, "{share}");
        for c in 0..4_000 {
            // Control rows keep the base's outcome; the uplift's sign follows the type.
            if !a.treated[c] {
                assert_eq!(a.churned[c], base.churned[c]);
            }
            let u = a.true_uplift[c];
            match a.customer_type[c] {
                0 => assert!(u >= 0.0),
                1 | 2 => assert_eq!(u, 0.0),
                _ => assert!(u < 0.0),
            }
        }
        // Every type occurs.
        for (t, name) in CUSTOMER_TYPES.iter().enumerate() {
            assert!(a.customer_type.iter().filter(|&&k| k as usize == t).count() > 100, "{name}");
        }
        let err = campaign(&base, &CampaignConfig { treated_share: 1.0, ..Default::default() }).unwrap_err();
        assert_eq!(err.to_string(), "treated_share must be strictly between 0 and 1, got 1");
    }
}
