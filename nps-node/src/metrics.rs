//! `metrics` namespace: churn-model metrics of `nps_core::metrics`.
use napi::bindgen_prelude::Either;
use napi_derive::napi;
use nps_core::metrics as core;

use crate::convert::{floats, NumericArray};
use crate::error::{IntoNapi, Result};

/// Labels as 0/1 floats (booleans or numbers; the core checks the numbers).
fn labels(y: &Either<Vec<bool>, NumericArray>) -> Vec<f64> {
    match y {
        Either::A(b) => b.iter().map(|&v| v as u8 as f64).collect(),
        Either::B(n) => floats(n),
    }
}

/// Options of the weighted metrics.
#[napi(object)]
#[derive(Default)]
pub struct MetricOptions {
    /// One non-negative weight per row.
    pub weights: Option<Vec<f64>>,
}

/// Area under the ROC curve (ties count one half), as scikit-learn's `roc_auc_score`.
#[napi(namespace = "metrics", catch_unwind)]
pub fn roc_auc(y: Either<Vec<bool>, NumericArray>, score: NumericArray, options: Option<MetricOptions>) -> Result<f64> {
    let w = options.and_then(|o| o.weights);
    core::roc_auc(&labels(&y), &floats(&score), w.as_deref()).into_napi()
}

/// Average precision (step-wise), as scikit-learn's `average_precision_score`.
#[napi(namespace = "metrics", catch_unwind)]
pub fn average_precision(
    y: Either<Vec<bool>, NumericArray>,
    score: NumericArray,
    options: Option<MetricOptions>,
) -> Result<f64> {
    let w = options.and_then(|o| o.weights);
    core::average_precision(&labels(&y), &floats(&score), w.as_deref()).into_napi()
}

/// Mean log loss, probabilities clipped to [ε, 1 − ε].
#[napi(namespace = "metrics", catch_unwind)]
pub fn log_loss(y: Either<Vec<bool>, NumericArray>, p: NumericArray, options: Option<MetricOptions>) -> Result<f64> {
    let w = options.and_then(|o| o.weights);
    core::log_loss(&labels(&y), &floats(&p), w.as_deref()).into_napi()
}

/// Mean squared difference between probability and outcome.
#[napi(namespace = "metrics", catch_unwind)]
pub fn brier(y: Either<Vec<bool>, NumericArray>, p: NumericArray, options: Option<MetricOptions>) -> Result<f64> {
    let w = options.and_then(|o| o.weights);
    core::brier(&labels(&y), &floats(&p), w.as_deref()).into_napi()
}

/// The ROC curve at every distinct score (the first threshold is Infinity).
#[napi(object)]
pub struct RocCurve {
    pub fpr: Vec<f64>,
    pub tpr: Vec<f64>,
    pub thresholds: Vec<f64>,
}

/// The ROC curve, as scikit-learn's `roc_curve(drop_intermediate=False)`.
#[napi(namespace = "metrics", catch_unwind)]
pub fn roc_curve(
    y: Either<Vec<bool>, NumericArray>,
    score: NumericArray,
    options: Option<MetricOptions>,
) -> Result<RocCurve> {
    let w = options.and_then(|o| o.weights);
    let r = core::roc_curve(&labels(&y), &floats(&score), w.as_deref()).into_napi()?;
    Ok(RocCurve { fpr: r.fpr, tpr: r.tpr, thresholds: r.thresholds })
}

/// The confusion matrix at a threshold and its rates.
#[napi(object)]
pub struct ThresholdMetrics {
    pub threshold: f64,
    pub tp: f64,
    pub fp: f64,
    pub tn: f64,
    #[napi(js_name = "fn")]
    pub fn_: f64,
    pub accuracy: f64,
    /// 0 when nothing is predicted positive.
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

/// Rows positive at p ≥ `threshold` (default 0.5).
#[napi(namespace = "metrics", catch_unwind)]
pub fn threshold_metrics(
    y: Either<Vec<bool>, NumericArray>,
    p: NumericArray,
    threshold: Option<f64>,
) -> Result<ThresholdMetrics> {
    let t = core::threshold_metrics(&labels(&y), &floats(&p), threshold.unwrap_or(0.5)).into_napi()?;
    Ok(ThresholdMetrics {
        threshold: t.threshold,
        tp: t.tp as f64,
        fp: t.fp as f64,
        tn: t.tn as f64,
        fn_: t.fn_ as f64,
        accuracy: t.accuracy,
        precision: t.precision,
        recall: t.recall,
        f1: t.f1,
    })
}

/// One bin of the lift table (bin 1 = highest scores).
#[napi(object)]
pub struct LiftRow {
    pub bin: u32,
    pub customers: u32,
    pub positives: u32,
    pub rate: f64,
    pub lift: f64,
    pub cumulative_customers: u32,
    pub cumulative_positives: u32,
    pub cumulative_gain: f64,
    pub cumulative_lift: f64,
}

/// The lift table and its base rate.
#[napi(object)]
pub struct LiftTable {
    pub base_rate: f64,
    pub rows: Vec<LiftRow>,
}

/// Lift and cumulative gain by `bins` (default 10) bins of descending score.
#[napi(namespace = "metrics", catch_unwind)]
pub fn lift_table(y: Either<Vec<bool>, NumericArray>, score: NumericArray, bins: Option<u32>) -> Result<LiftTable> {
    let t = core::lift_table(&labels(&y), &floats(&score), bins.unwrap_or(10) as usize).into_napi()?;
    let rows = t
        .rows
        .iter()
        .map(|r| LiftRow {
            bin: r.bin as u32,
            customers: r.customers as u32,
            positives: r.positives as u32,
            rate: r.rate,
            lift: r.lift,
            cumulative_customers: r.cumulative_customers as u32,
            cumulative_positives: r.cumulative_positives as u32,
            cumulative_gain: r.cumulative_gain,
            cumulative_lift: r.cumulative_lift,
        })
        .collect();
    Ok(LiftTable { base_rate: t.base_rate, rows })
}

/// One non-empty bin of the calibration table.
#[napi(object)]
pub struct CalibrationRow {
    pub lower: f64,
    pub upper: f64,
    pub count: u32,
    pub mean_predicted: f64,
    pub observed_rate: f64,
}

/// Predicted against observed in `bins` (default 10) uniform bins.
#[napi(namespace = "metrics", catch_unwind)]
pub fn calibration_table(
    y: Either<Vec<bool>, NumericArray>,
    p: NumericArray,
    bins: Option<u32>,
) -> Result<Vec<CalibrationRow>> {
    let rows = core::calibration_table(&labels(&y), &floats(&p), bins.unwrap_or(10) as usize).into_napi()?;
    Ok(rows
        .iter()
        .map(|r| CalibrationRow {
            lower: r.lower,
            upper: r.upper,
            count: r.count as u32,
            mean_predicted: r.mean_predicted,
            observed_rate: r.observed_rate,
        })
        .collect())
}
