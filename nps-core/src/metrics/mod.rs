//! How good a churn score is: ranking (ROC AUC, average precision), probability quality
//! (log loss, Brier score, calibration), decisions at a threshold, and the lift and
//! cumulative gain by decile that churn models are judged by in the trade.
//!
//! Each metric equals scikit-learn's on the same inputs (ties and sample weights included);
//! the shared vectors in `tests/vectors/metrics.json` hold every language to it.

mod calibration;
mod labels;
mod lift;
mod loss;
mod ranking;
mod threshold;

pub use calibration::{calibration_table, CalibrationRow};
pub use labels::binarize_labels;
pub use lift::{lift_table, LiftRow, LiftTable};
pub use loss::{brier, log_loss};
pub use ranking::{average_precision, roc_auc, roc_curve, RocCurve};
pub use threshold::{threshold_metrics, ThresholdMetrics};

use crate::error::{NpsError, Result};

/// Checks labels (0 or 1), scores (not NaN; within [0, 1] when `probabilities`) and
/// optional weights (non-negative, some positive), all of one length and not empty.
pub(crate) fn check(y: &[f64], score: &[f64], weights: Option<&[f64]>, probabilities: bool) -> Result<()> {
    let field = if probabilities { "p" } else { "score" };
    if y.is_empty() {
        return Err(NpsError::Empty { field: "y".into() });
    }
    let same = |name: &str, len: usize| {
        if len == y.len() {
            Ok(())
        } else {
            Err(NpsError::LengthMismatch { field: name.into(), actual: len, other: "y".into(), expected: y.len() })
        }
    };
    same(field, score.len())?;
    for (index, &v) in y.iter().enumerate() {
        if v.is_nan() {
            return Err(NpsError::Missing { field: "y".into(), index });
        }
        if v != 0.0 && v != 1.0 {
            return Err(NpsError::OutOfRange { field: "y".into(), index, value: v, range: "{0, 1}".into() });
        }
    }
    for (index, &v) in score.iter().enumerate() {
        if v.is_nan() {
            return Err(NpsError::Missing { field: field.into(), index });
        }
        if probabilities && !(0.0..=1.0).contains(&v) {
            return Err(NpsError::OutOfRange { field: field.into(), index, value: v, range: "[0, 1]".into() });
        }
        if v.is_infinite() {
            return Err(NpsError::OutOfRange { field: field.into(), index, value: v, range: "finite numbers".into() });
        }
    }
    if let Some(w) = weights {
        same("weights", w.len())?;
        for (index, &v) in w.iter().enumerate() {
            if v.is_nan() {
                return Err(NpsError::Missing { field: "weights".into(), index });
            }
            if v < 0.0 || v.is_infinite() {
                return Err(NpsError::Negative { field: "weights".into(), index, value: v });
            }
        }
        if w.iter().sum::<f64>() <= 0.0 {
            return Err(NpsError::invalid("weights", "all zero", "some positive weight"));
        }
    }
    Ok(())
}

/// The weight of row `i` (1 without weights).
#[inline]
pub(crate) fn weight(weights: Option<&[f64]>, i: usize) -> f64 {
    weights.map_or(1.0, |w| w[i])
}
