//! Calibration: predicted probability against observed rate, in uniform bins.
use serde::{Deserialize, Serialize};

use super::check;
use crate::error::{NpsError, Result};

/// One non-empty bin of the calibration table.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CalibrationRow {
    /// Lower edge of the bin.
    pub lower: f64,
    /// Upper edge.
    pub upper: f64,
    /// Customers in the bin.
    pub count: usize,
    /// Mean predicted probability.
    pub mean_predicted: f64,
    /// Observed positive rate.
    pub observed_rate: f64,
}

/// `bins` uniform bins on [0, 1]; a probability on an inner edge goes to the bin below
/// it, and empty bins are left out, exactly as scikit-learn's
/// `calibration_curve(strategy="uniform")` (whose `prob_pred` and `prob_true` are the
/// `mean_predicted` and `observed_rate` columns).
pub fn calibration_table(y: &[f64], p: &[f64], bins: usize) -> Result<Vec<CalibrationRow>> {
    check(y, p, None, true)?;
    if bins == 0 {
        return Err(NpsError::invalid("bins", 0, "at least 1"));
    }
    // k × (1 / bins), as numpy.linspace computes them (k / bins differs in the last bit
    // for some k, and a probability on an edge would change bins).
    let step = 1.0 / bins as f64;
    let mut edges: Vec<f64> = (0..=bins).map(|k| k as f64 * step).collect();
    edges[bins] = 1.0;
    let inner = &edges[1..bins];
    let mut sums = vec![(0usize, 0.0, 0.0); bins];
    for (&yi, &pi) in y.iter().zip(p) {
        let b = inner.partition_point(|&e| e < pi);
        sums[b].0 += 1;
        sums[b].1 += pi;
        sums[b].2 += yi;
    }
    Ok(sums
        .iter()
        .enumerate()
        .filter(|(_, s)| s.0 > 0)
        .map(|(b, &(count, sp, sy))| CalibrationRow {
            lower: edges[b],
            upper: edges[b + 1],
            count,
            mean_predicted: sp / count as f64,
            observed_rate: sy / count as f64,
        })
        .collect())
}
