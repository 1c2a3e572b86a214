//! Probability quality: log loss and Brier score.
use super::{check, weight};
use crate::error::Result;

/// Mean (weighted) log loss, −[y ln p + (1 − y) ln(1 − p)], with p clipped to
/// [ε, 1 − ε] (ε the f64 machine epsilon) as scikit-learn 1.9 does, so a confident wrong
/// answer costs about 36 rather than infinity.
pub fn log_loss(y: &[f64], p: &[f64], weights: Option<&[f64]>) -> Result<f64> {
    check(y, p, weights, true)?;
    let eps = f64::EPSILON;
    let (mut total, mut wsum) = (0.0, 0.0);
    for i in 0..y.len() {
        let w = weight(weights, i);
        let q = if y[i] == 1.0 { p[i] } else { 1.0 - p[i] };
        total += w * -q.clamp(eps, 1.0 - eps).ln();
        wsum += w;
    }
    Ok(total / wsum)
}

/// Mean (weighted) squared difference between the probability and the outcome.
pub fn brier(y: &[f64], p: &[f64], weights: Option<&[f64]>) -> Result<f64> {
    check(y, p, weights, true)?;
    let (mut total, mut wsum) = (0.0, 0.0);
    for i in 0..y.len() {
        let w = weight(weights, i);
        total += w * (y[i] - p[i]).powi(2);
        wsum += w;
    }
    Ok(total / wsum)
}
