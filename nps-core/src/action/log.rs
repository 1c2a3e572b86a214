//! The decision log: every decision with the probability its action was chosen with, so a
//! new catalogue or policy can be evaluated offline ([`super::off_policy`]), and a control
//! group that gets no action, so retention uplift can be measured ([`super::uplift`]).
//!
//! With learning off, a decision is deterministic: the top action's propensity is 1. With
//! Thompson sampling, the top action is the one whose drawn propensity times its base
//! priority (C × V × L) is largest, and the probability of that has no closed form in
//! general (it integrates a product of Beta distribution functions). It is estimated by
//! Monte Carlo: [`Logging::draws`] more rounds of draws (default [`PROPENSITY_DRAWS`]) from
//! the same random source, counting the rounds in which the chosen action comes first, the
//! decision's own round included: (1 + wins) / (1 + draws), which is never 0 for an action
//! that was chosen. Its standard error is at most 0.5 / √draws (0.016 for 1,000 draws). It
//! is exact (1) when only one action passed the rules.
use serde::{Deserialize, Serialize};

use super::{in_control_group, Catalog, Customer, DecideOptions, Decision, Factor, Learner, Outcome, Verdict};
use crate::error::{NpsError, Result};
use crate::rng::Rng;

/// Monte Carlo draws used by default to estimate the propensity of a Thompson-sampled choice.
pub const PROPENSITY_DRAWS: usize = 1000;

/// One logged decision. The caller stores it and fills in `reward` once the outcome is known
/// (e.g. 1 retained, 0 churned); [`super::off_policy`] reads a log of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionLogEntry {
    /// The customer's id.
    pub customer: String,
    /// The action chosen (the top one), `None` when no action was given (the control group,
    /// or no action passed the rules).
    pub action: Option<String>,
    /// The probability with which the logging policy chose `action`, in (0, 1].
    pub propensity: f64,
    /// The customer's segment (the learner's arms are per segment).
    pub segment: String,
    /// Whether the customer is in the control group.
    pub control: bool,
    /// When the decision was made (unix seconds).
    pub time: i64,
    /// The reward observed later; `None` until then.
    #[serde(default)]
    pub reward: Option<f64>,
}

/// How [`Catalog::decide_logged`] logs a decision.
#[derive(Debug, Clone, Copy)]
pub struct Logging<'a> {
    /// The customer's id (the control group is a hash of it).
    pub customer_id: &'a str,
    /// The customer's segment (for the learner and the log).
    pub segment: &'a str,
    /// The share of customers in the control group (0: none).
    pub control_share: f64,
    /// The salt of the control-group hash (change it to draw a new control group).
    pub control_salt: &'a str,
    /// Monte Carlo draws to estimate a Thompson-sampled choice's propensity.
    pub draws: usize,
}

impl<'a> Logging<'a> {
    /// Logging for a customer and segment, without a control group, with
    /// [`PROPENSITY_DRAWS`] draws.
    pub fn new(customer_id: &'a str, segment: &'a str) -> Self {
        Logging { customer_id, segment, control_share: 0.0, control_salt: "", draws: PROPENSITY_DRAWS }
    }
}

/// The error for a decision given both a learner and uplifts: Thompson draws and predicted
/// uplifts are two ways to rank; a decision uses one.
pub(super) fn uplift_with_learner() -> NpsError {
    NpsError::invalid(
        "uplift",
        "given with a learner",
        "absent when a learner draws the propensities (rank by one or the other)",
    )
}

impl Catalog {
    /// Decides for one customer and logs the decision. With `learning` (a learner and the
    /// random source of its draws), propensities are Thompson draws for `logging.segment`
    /// as in [`Catalog::decide_learning`], and the log's propensity is estimated as the
    /// module docs say; without, the decision is [`Catalog::decide`]'s with `options` and the
    /// propensity 1 (the options' own propensity and uplift, if any, rank the actions, and
    /// the choice is deterministic). `options.top_n` is the number of actions either way; a
    /// learner with an uplift in `options` is refused (give one or the other).
    /// A customer in the control group gets no action: the trace shows the actions that
    /// passed the rules as [`Verdict::ControlGroup`] and the log has no action, with
    /// propensity 1. Errors: those of [`Catalog::decide`], a control share outside [0, 1].
    #[allow(clippy::too_many_arguments)]
    pub fn decide_logged(
        &self,
        customer: &Customer,
        score: f64,
        factors: &[Factor],
        history: &[Outcome],
        now: i64,
        options: &DecideOptions,
        learning: Option<(&Learner, &mut Rng)>,
        logging: &Logging,
    ) -> Result<(Decision, DecisionLogEntry)> {
        if learning.is_some() && (options.uplift.is_some() || options.propensity.is_some()) {
            return Err(uplift_with_learner());
        }
        let top_n = options.top_n;
        let control = in_control_group(logging.customer_id, logging.control_share, logging.control_salt)?;
        let mut entry = DecisionLogEntry {
            customer: logging.customer_id.to_string(),
            action: None,
            propensity: 1.0,
            segment: logging.segment.to_string(),
            control,
            time: now,
            reward: None,
        };
        let mut decision = match (learning, control) {
            (Some((learner, rng)), false) => {
                let d =
                    self.decide_learning(customer, score, factors, history, now, top_n, learner, logging.segment, rng)?;
                if let Some(top) = d.actions.first() {
                    entry.propensity = self.choice_propensity(
                        customer,
                        score,
                        factors,
                        history,
                        now,
                        top.index,
                        learner,
                        logging.segment,
                        logging.draws,
                        rng,
                    )?;
                }
                d
            }
            _ => self.decide(customer, score, factors, history, now, options)?,
        };
        if control {
            decision.actions.clear();
            for t in &mut decision.trace {
                if let Verdict::Kept { priority, .. } | Verdict::BelowTopN { priority } = t.verdict {
                    t.verdict = Verdict::ControlGroup { priority };
                }
            }
        } else {
            entry.action = decision.actions.first().map(|a| a.id.to_string());
        }
        Ok((decision, entry))
    }

    /// The probability that Thompson sampling puts action `chosen` first for this customer,
    /// estimated from `draws` more rounds of draws (see the module docs).
    #[allow(clippy::too_many_arguments)]
    fn choice_propensity(
        &self,
        customer: &Customer,
        score: f64,
        factors: &[Factor],
        history: &[Outcome],
        now: i64,
        chosen: usize,
        learner: &Learner,
        segment: &str,
        draws: usize,
        rng: &mut Rng,
    ) -> Result<f64> {
        // The actions that pass the rules and their priorities with P = 1 (C × V × L): the
        // rules do not depend on the draws, only the order does.
        let base = self.decide(
            customer,
            score,
            factors,
            history,
            now,
            &DecideOptions { top_n: usize::MAX, propensity: None, uplift: None },
        )?;
        if base.actions.len() <= 1 {
            return Ok(1.0);
        }
        // Catalogue order, so that ties go to the earlier action as in arbitration.
        let mut arms: Vec<(usize, f64, [f64; 2])> =
            base.actions.iter().map(|a| (a.index, a.priority, learner.counts(&a.id, segment))).collect();
        arms.sort_by_key(|a| a.0);
        let mut wins = 0usize;
        for _ in 0..draws {
            let mut best = (usize::MAX, f64::NEG_INFINITY);
            for &(index, base, counts) in &arms {
                let priority = learner.sample_counts(counts, rng) * base;
                if priority > best.1 {
                    best = (index, priority);
                }
            }
            wins += usize::from(best.0 == chosen);
        }
        let p = (1 + wins) as f64 / (1 + draws) as f64;
        if !(p > 0.0 && p <= 1.0) {
            return Err(NpsError::invalid("the estimated propensity", p, "in (0, 1]"));
        }
        Ok(p)
    }
}
