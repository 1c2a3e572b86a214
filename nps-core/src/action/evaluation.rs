//! Evaluating decisions: off-policy estimates of a new catalogue or policy from a log of past
//! decisions, and retention uplift against the control group ([`super::in_control_group`]).
use serde::{Deserialize, Serialize};

use super::DecisionLogEntry;
use crate::error::{check_level, NpsError, Result};
use crate::stats::normal;

/// Off-policy estimates of the mean reward a new policy would have earned.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct OffPolicyEstimate {
    /// Logged decisions used.
    pub n: usize,
    /// Decisions where the new policy agrees with the logged choice.
    pub matches: usize,
    /// Inverse propensity scoring: mean of 1\[agree\] r / p.
    pub ips: f64,
    /// Self-normalised IPS: Σ 1\[agree\] r / p over Σ 1\[agree\] / p (NaN without agreement).
    pub snips: f64,
    /// Doubly robust: mean of q̂(new) + 1\[agree\] (r − q̂(logged)) / p, with a reward model q̂.
    pub doubly_robust: f64,
}

/// Estimates the mean reward of a new policy that would have chosen `target[i]` (`None`: no
/// action) for logged decision `i`, from the log's actions, propensities and rewards.
/// `q_target[i]` and `q_logged[i]` are a reward model's predictions for the target's and the
/// logged choice (used by the doubly robust estimate). Errors, naming the index and the
/// value: an empty log, mismatched lengths, a propensity outside (0, 1] (NaN included), a
/// reward not yet observed or not finite, a prediction that is not finite.
pub fn off_policy(
    log: &[DecisionLogEntry],
    target: &[Option<&str>],
    q_target: &[f64],
    q_logged: &[f64],
) -> Result<OffPolicyEstimate> {
    let n = log.len();
    if n == 0 {
        return Err(NpsError::Empty { field: "log".into() });
    }
    for (field, len) in [("target", target.len()), ("q_target", q_target.len()), ("q_logged", q_logged.len())] {
        if len != n {
            return Err(NpsError::LengthMismatch {
                field: field.into(),
                actual: len,
                other: "log".into(),
                expected: n,
            });
        }
    }
    let (mut ips, mut weights, mut dr, mut matches) = (0.0, 0.0, 0.0, 0);
    for (i, d) in log.iter().enumerate() {
        if !(d.propensity > 0.0 && d.propensity <= 1.0) {
            return Err(NpsError::OutOfRange {
                field: "log.propensity".into(),
                index: i,
                value: d.propensity,
                range: "(0, 1]".into(),
            });
        }
        let reward = match d.reward {
            Some(r) if r.is_finite() => r,
            Some(r) => return Err(NpsError::invalid(&format!("log.reward[{i}]"), r, "a finite reward")),
            None => return Err(NpsError::Missing { field: "log.reward".into(), index: i }),
        };
        for (field, q) in [("q_target", q_target[i]), ("q_logged", q_logged[i])] {
            if !q.is_finite() {
                return Err(NpsError::invalid(&format!("{field}[{i}]"), q, "a finite predicted reward"));
            }
        }
        let agree = target[i] == d.action.as_deref();
        dr += q_target[i];
        if agree {
            matches += 1;
            ips += reward / d.propensity;
            weights += 1.0 / d.propensity;
            dr += (reward - q_logged[i]) / d.propensity;
        }
    }
    let nf = n as f64;
    Ok(OffPolicyEstimate {
        n,
        matches,
        ips: ips / nf,
        snips: if weights > 0.0 { ips / weights } else { f64::NAN },
        doubly_robust: dr / nf,
    })
}

/// Retention uplift of treated customers over the control group.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Uplift {
    /// Retention rate of the treated.
    pub treated_rate: f64,
    /// Retention rate of the control group.
    pub control_rate: f64,
    /// treated − control.
    pub uplift: f64,
    /// Lower end of its Wald interval.
    pub low: f64,
    /// Upper end.
    pub high: f64,
}

/// The difference in retention between treated customers and the control group, with a
/// Wald interval for a difference of proportions.
pub fn uplift(treated_retained: &[bool], control_retained: &[bool], level: f64) -> Result<Uplift> {
    check_level(level)?;
    for (field, v) in [("treated_retained", treated_retained), ("control_retained", control_retained)] {
        if v.is_empty() {
            return Err(NpsError::Empty { field: field.into() });
        }
    }
    let rate = |v: &[bool]| v.iter().filter(|&&r| r).count() as f64 / v.len() as f64;
    let (t, c) = (rate(treated_retained), rate(control_retained));
    let se = (t * (1.0 - t) / treated_retained.len() as f64 + c * (1.0 - c) / control_retained.len() as f64).sqrt();
    let z = normal::two_sided_z(level);
    Ok(Uplift { treated_rate: t, control_rate: c, uplift: t - c, low: t - c - z * se, high: t - c + z * se })
}
