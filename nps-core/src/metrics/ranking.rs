//! Ranking quality: ROC curve and its area, and average precision.
use serde::{Deserialize, Serialize};

use super::{check, weight};
use crate::error::{NpsError, Result};

/// Cumulative (weighted) true and false positives at each distinct score, highest first:
/// scikit-learn's `_binary_clf_curve`.
struct Curve {
    thresholds: Vec<f64>,
    tps: Vec<f64>,
    fps: Vec<f64>,
}

fn curve(y: &[f64], score: &[f64], weights: Option<&[f64]>) -> Curve {
    let mut order: Vec<usize> = (0..y.len()).collect();
    order.sort_by(|&a, &b| score[b].total_cmp(&score[a]));
    let (mut tp, mut fp) = (0.0, 0.0);
    let mut c = Curve { thresholds: Vec::new(), tps: Vec::new(), fps: Vec::new() };
    for (k, &i) in order.iter().enumerate() {
        let w = weight(weights, i);
        tp += y[i] * w;
        fp += (1.0 - y[i]) * w;
        if k + 1 == order.len() || score[order[k + 1]] != score[i] {
            c.thresholds.push(score[i]);
            c.tps.push(tp);
            c.fps.push(fp);
        }
    }
    c
}

fn both_classes(c: &Curve) -> Result<()> {
    let (p, n) = (*c.tps.last().expect("not empty"), *c.fps.last().expect("not empty"));
    if p <= 0.0 || n <= 0.0 {
        let only = if p <= 0.0 { 0 } else { 1 };
        return Err(NpsError::invalid(
            "y",
            format!("only class {only} (with positive weight)"),
            "both classes: the ROC AUC is undefined with one",
        ));
    }
    Ok(())
}

/// The area under the ROC curve: the probability that a random positive scores above a
/// random negative, ties counting one half (the trapezoidal area over distinct scores, as
/// scikit-learn's `roc_auc_score`). Errors if only one class is present.
pub fn roc_auc(y: &[f64], score: &[f64], weights: Option<&[f64]>) -> Result<f64> {
    check(y, score, weights, false)?;
    let c = curve(y, score, weights);
    both_classes(&c)?;
    let (mut area, mut tp0, mut fp0) = (0.0, 0.0, 0.0);
    for (&tp, &fp) in c.tps.iter().zip(&c.fps) {
        area += (fp - fp0) * (tp + tp0) / 2.0;
        tp0 = tp;
        fp0 = fp;
    }
    Ok(area / (tp0 * fp0))
}

/// The ROC curve at every distinct score, from (0, 0): scikit-learn's
/// `roc_curve(drop_intermediate=False)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RocCurve {
    /// False positive rate.
    pub fpr: Vec<f64>,
    /// True positive rate.
    pub tpr: Vec<f64>,
    /// Score threshold (a row is positive at score ≥ threshold); the first is +∞.
    pub thresholds: Vec<f64>,
}

/// The ROC curve (see [`RocCurve`]). Errors if only one class is present.
pub fn roc_curve(y: &[f64], score: &[f64], weights: Option<&[f64]>) -> Result<RocCurve> {
    check(y, score, weights, false)?;
    let c = curve(y, score, weights);
    both_classes(&c)?;
    let (p, n) = (*c.tps.last().expect("not empty"), *c.fps.last().expect("not empty"));
    let mut r = RocCurve { fpr: vec![0.0], tpr: vec![0.0], thresholds: vec![f64::INFINITY] };
    for k in 0..c.thresholds.len() {
        r.fpr.push(c.fps[k] / n);
        r.tpr.push(c.tps[k] / p);
        r.thresholds.push(c.thresholds[k]);
    }
    Ok(r)
}

/// Average precision: Σ (Rₖ − Rₖ₋₁) Pₖ over distinct scores, highest first (the step-wise
/// area under the precision-recall curve, not interpolated, as scikit-learn's
/// `average_precision_score`). Errors if there is no positive.
pub fn average_precision(y: &[f64], score: &[f64], weights: Option<&[f64]>) -> Result<f64> {
    check(y, score, weights, false)?;
    let c = curve(y, score, weights);
    let p = *c.tps.last().expect("not empty");
    if p <= 0.0 {
        return Err(NpsError::invalid("y", "no positive (with positive weight)", "at least one positive"));
    }
    let (mut ap, mut tp0) = (0.0, 0.0);
    for (&tp, &fp) in c.tps.iter().zip(&c.fps) {
        if tp + fp > 0.0 {
            ap += (tp - tp0) / p * (tp / (tp + fp));
        }
        tp0 = tp;
    }
    Ok(ap)
}
