//! Decisions at a threshold: the confusion matrix and the rates built on it.
use serde::{Deserialize, Serialize};

use super::check;
use crate::error::{NpsError, Result};

/// The confusion matrix at a threshold and its rates.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ThresholdMetrics {
    /// A row is predicted positive when its probability is at least this.
    pub threshold: f64,
    /// True positives.
    pub tp: u64,
    /// False positives.
    pub fp: u64,
    /// True negatives.
    pub tn: u64,
    /// False negatives.
    pub fn_: u64,
    /// (tp + tn) / n.
    pub accuracy: f64,
    /// tp / (tp + fp); 0 when nothing is predicted positive (scikit-learn's default).
    pub precision: f64,
    /// tp / (tp + fn); 0 without positives.
    pub recall: f64,
    /// Harmonic mean of precision and recall; 0 when both are 0.
    pub f1: f64,
}

/// The confusion matrix with rows predicted positive at p ≥ `threshold`.
pub fn threshold_metrics(y: &[f64], p: &[f64], threshold: f64) -> Result<ThresholdMetrics> {
    check(y, p, None, false)?;
    if threshold.is_nan() {
        return Err(NpsError::invalid("threshold", threshold, "a number"));
    }
    let (mut tp, mut fp, mut tn, mut fn_) = (0u64, 0u64, 0u64, 0u64);
    for (&yi, &pi) in y.iter().zip(p) {
        match (pi >= threshold, yi == 1.0) {
            (true, true) => tp += 1,
            (true, false) => fp += 1,
            (false, false) => tn += 1,
            (false, true) => fn_ += 1,
        }
    }
    let ratio = |a: u64, b: u64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let precision = ratio(tp, tp + fp);
    let recall = ratio(tp, tp + fn_);
    let f1 = ratio(2 * tp, 2 * tp + fp + fn_);
    Ok(ThresholdMetrics {
        threshold,
        tp,
        fp,
        tn,
        fn_,
        accuracy: (tp + tn) as f64 / y.len() as f64,
        precision,
        recall,
        f1,
    })
}
