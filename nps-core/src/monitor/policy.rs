//! When to retrain, and why: a policy over the drift report, the performance history and
//! the model's age, each threshold a named default.
//!
//! The policy says **retrain** when any of these holds, each a reason in the answer:
//!
//! * `drift`: an input (or the score) drifted with `major` severity, or at least
//!   `moderate_inputs` (3) inputs drifted moderately;
//! * `performance`: the AUC of the latest period with an AUC is below the AUC at training
//!   by at least `auc_drop` (0.05);
//! * `calibration`: the last `calibration_periods` (2) periods are all flagged for
//!   calibration drift (one flagged period alone is a `note`: recalibrate, see
//!   [`super::Recalibration`]);
//! * `age`: the model is at least `max_age_days` (180) days old.
//!
//! Moderate drift below the count and a single miscalibrated period are notes: they do
//! not call for retraining on their own. The answer serialises to JSON for a service.
use serde::{Deserialize, Serialize};

use super::drift::{DriftReport, Severity};
use super::performance::PeriodPerformance;
use crate::error::{NpsError, Result};

/// Moderately drifted inputs that call for retraining.
pub const DEFAULT_MODERATE_INPUTS: usize = 3;
/// A drop in AUC from training that calls for retraining.
pub const DEFAULT_AUC_DROP: f64 = 0.05;
/// Consecutive latest periods flagged for calibration drift that call for retraining.
pub const DEFAULT_CALIBRATION_PERIODS: usize = 2;
/// The age (days since training) that calls for retraining.
pub const DEFAULT_MAX_AGE_DAYS: f64 = 180.0;

/// The policy's thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RetrainPolicy {
    /// [`DEFAULT_MODERATE_INPUTS`].
    pub moderate_inputs: usize,
    /// [`DEFAULT_AUC_DROP`].
    pub auc_drop: f64,
    /// [`DEFAULT_CALIBRATION_PERIODS`].
    pub calibration_periods: usize,
    /// [`DEFAULT_MAX_AGE_DAYS`].
    pub max_age_days: f64,
}

impl Default for RetrainPolicy {
    fn default() -> Self {
        RetrainPolicy {
            moderate_inputs: DEFAULT_MODERATE_INPUTS,
            auc_drop: DEFAULT_AUC_DROP,
            calibration_periods: DEFAULT_CALIBRATION_PERIODS,
            max_age_days: DEFAULT_MAX_AGE_DAYS,
        }
    }
}

/// What the policy reads; every part is optional (a part not given gives no reason).
#[derive(Debug, Clone, Copy, Default)]
pub struct RetrainEvidence<'a> {
    /// The drift report of the latest window against the model's reference.
    pub drift: Option<&'a DriftReport>,
    /// Performance per period, oldest first.
    pub performance: Option<&'a [PeriodPerformance]>,
    /// The AUC at training (or at promotion) the latest AUC is compared with.
    pub training_auc: Option<f64>,
    /// Days since the model was trained.
    pub age_days: Option<f64>,
}

/// One reason (or note) of the answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RetrainReason {
    /// `drift`, `performance`, `calibration` or `age`.
    pub kind: String,
    /// In words, with the numbers.
    pub detail: String,
    /// The inputs concerned (drift), else empty.
    #[serde(default)]
    pub inputs: Vec<String>,
    /// The measured value (worst PSI, AUC drop, flagged periods, days).
    pub value: f64,
    /// The threshold it was compared with.
    pub threshold: f64,
}

/// The policy's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RetrainAdvice {
    /// Whether to retrain.
    pub retrain: bool,
    /// Why (empty when not).
    pub reasons: Vec<RetrainReason>,
    /// What was seen that does not call for retraining on its own (a few moderate inputs,
    /// one miscalibrated period: recalibration may do).
    pub notes: Vec<RetrainReason>,
    /// The thresholds applied.
    pub policy: RetrainPolicy,
}

impl RetrainAdvice {
    /// As JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("advice serialises")
    }
}

impl RetrainPolicy {
    /// Checks the thresholds.
    pub fn check(&self) -> Result<()> {
        if !(self.auc_drop >= 0.0 && self.auc_drop.is_finite()) {
            return Err(NpsError::invalid("auc_drop", self.auc_drop, "a finite number at least 0"));
        }
        if self.max_age_days.is_nan() || self.max_age_days < 0.0 {
            return Err(NpsError::invalid("max_age_days", self.max_age_days, "a number of days at least 0"));
        }
        if self.moderate_inputs == 0 {
            return Err(NpsError::invalid("moderate_inputs", 0, "at least 1"));
        }
        if self.calibration_periods == 0 {
            return Err(NpsError::invalid("calibration_periods", 0, "at least 1"));
        }
        Ok(())
    }

    /// Whether to retrain and why (see the module's text). Errors: bad thresholds, a
    /// training AUC outside [0, 1], a negative or NaN age.
    pub fn advise(&self, evidence: &RetrainEvidence<'_>) -> Result<RetrainAdvice> {
        self.check()?;
        if let Some(a) = evidence.training_auc {
            if !(0.0..=1.0).contains(&a) {
                return Err(NpsError::invalid("training_auc", a, "an AUC between 0 and 1"));
            }
        }
        if let Some(d) = evidence.age_days {
            if d.is_nan() || d < 0.0 {
                return Err(NpsError::invalid("age_days", d, "a number of days at least 0"));
            }
        }
        let (mut reasons, mut notes) = (Vec::new(), Vec::new());
        if let Some(report) = evidence.drift {
            let at = |s: Severity| -> Vec<&super::drift::InputDrift> {
                report.inputs.iter().filter(|i| i.severity == s).collect()
            };
            let (major, moderate) = (at(Severity::Major), at(Severity::Moderate));
            let names = |v: &[&super::drift::InputDrift]| v.iter().map(|i| i.input.clone()).collect::<Vec<_>>();
            let worst = report.inputs.iter().map(|i| i.psi).fold(0.0, f64::max);
            if !major.is_empty() {
                reasons.push(RetrainReason {
                    kind: "drift".into(),
                    detail: format!(
                        "major drift (PSI at least {}) in {}: {}",
                        report.options.major,
                        major.len(),
                        names(&major).join(", ")
                    ),
                    inputs: names(&major),
                    value: worst,
                    threshold: report.options.major,
                });
            } else if moderate.len() >= self.moderate_inputs {
                reasons.push(RetrainReason {
                    kind: "drift".into(),
                    detail: format!(
                        "moderate drift in {} inputs (at least {}): {}",
                        moderate.len(),
                        self.moderate_inputs,
                        names(&moderate).join(", ")
                    ),
                    inputs: names(&moderate),
                    value: moderate.len() as f64,
                    threshold: self.moderate_inputs as f64,
                });
            } else if !moderate.is_empty() {
                notes.push(RetrainReason {
                    kind: "drift".into(),
                    detail: format!(
                        "moderate drift in {} input(s), fewer than {}: {}",
                        moderate.len(),
                        self.moderate_inputs,
                        names(&moderate).join(", ")
                    ),
                    inputs: names(&moderate),
                    value: moderate.len() as f64,
                    threshold: self.moderate_inputs as f64,
                });
            }
        }
        if let Some(rows) = evidence.performance {
            if let (Some(trained), Some(latest)) = (evidence.training_auc, rows.iter().rev().find(|r| r.auc.is_some()))
            {
                let auc = latest.auc.expect("found with an AUC");
                let drop = trained - auc;
                if drop >= self.auc_drop {
                    reasons.push(RetrainReason {
                        kind: "performance".into(),
                        detail: format!(
                            "AUC {auc:.4} in {} against {trained:.4} at training: a drop of {drop:.4} (at least {})",
                            latest.period, self.auc_drop
                        ),
                        inputs: Vec::new(),
                        value: drop,
                        threshold: self.auc_drop,
                    });
                }
            }
            let flagged = rows.iter().rev().take_while(|r| r.calibration_drift).count();
            let reason = |detail: String| RetrainReason {
                kind: "calibration".into(),
                detail,
                inputs: Vec::new(),
                value: flagged as f64,
                threshold: self.calibration_periods as f64,
            };
            if flagged >= self.calibration_periods {
                reasons.push(reason(format!(
                    "calibration drift flagged in the last {flagged} periods (at least {})",
                    self.calibration_periods
                )));
            } else if flagged > 0 {
                notes.push(reason(format!(
                    "calibration drift flagged in the last {flagged} period(s), fewer than {}: recalibration may do",
                    self.calibration_periods
                )));
            }
        }
        if let Some(days) = evidence.age_days {
            if days >= self.max_age_days {
                reasons.push(RetrainReason {
                    kind: "age".into(),
                    detail: format!("trained {days} days ago (retrain from {} days)", self.max_age_days),
                    inputs: Vec::new(),
                    value: days,
                    threshold: self.max_age_days,
                });
            }
        }
        Ok(RetrainAdvice { retrain: !reasons.is_empty(), reasons, notes, policy: *self })
    }
}

/// [`RetrainPolicy::advise`] with the default thresholds.
pub fn retrain_policy(evidence: &RetrainEvidence<'_>) -> Result<RetrainAdvice> {
    RetrainPolicy::default().advise(evidence)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitor::{drift, Column, DriftOptions};

    #[test]
    fn each_reason_and_none() {
        let r: Vec<f64> = (0..1000).map(|i| (i % 100) as f64).collect();
        let c: Vec<f64> = r.iter().map(|x| x + 30.0).collect();
        let report =
            drift(&[Column::numeric("bill", &r)], &[Column::numeric("bill", &c)], &DriftOptions::default()).unwrap();
        let a = retrain_policy(&RetrainEvidence { drift: Some(&report), ..Default::default() }).unwrap();
        assert!(a.retrain);
        assert_eq!(a.reasons[0].kind, "drift");
        assert_eq!(a.reasons[0].inputs, vec!["bill".to_string()]);
        let same =
            drift(&[Column::numeric("bill", &r)], &[Column::numeric("bill", &r)], &DriftOptions::default()).unwrap();
        let a = retrain_policy(&RetrainEvidence { drift: Some(&same), age_days: Some(30.0), ..Default::default() })
            .unwrap();
        assert!(!a.retrain && a.reasons.is_empty() && a.notes.is_empty());
        let a = retrain_policy(&RetrainEvidence { age_days: Some(180.0), ..Default::default() }).unwrap();
        assert!(a.retrain && a.reasons[0].kind == "age" && a.reasons[0].value == 180.0);
        assert!(a.to_json().contains("\"retrain\":true"));
        let e = retrain_policy(&RetrainEvidence { age_days: Some(-1.0), ..Default::default() }).unwrap_err();
        assert!(e.to_string().contains("age_days"));
    }
}
