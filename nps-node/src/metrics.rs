//! `metrics` namespace: churn-model metrics of `nps_core::metrics`. `y` holds two classes
//! (booleans, 0/1 or text); `posLabel` names the positive one (default: 1, `true`, or text
//! reading yes/true).
use napi::bindgen_prelude::Either3;
use napi_derive::napi;
use nps_core::encode::Cell;
use nps_core::metrics as core;

use crate::convert::{floats, Labels, NumericArray};
use crate::error::{IntoNapi, Result};

/// One label: a number, a string or a boolean.
#[napi]
pub type Label = Either3<f64, String, bool>;

/// Labels as 0/1 floats, 1 for the positive class: `pos_label`, or by default 1, `true`
/// or text reading yes/true (`nps_core::metrics::binarize_labels`).
fn labels(y: &Labels<'_>, pos_label: Option<&Label>) -> Result<Vec<f64>> {
    let cells: Vec<Cell<'_>> = match &y.0 {
        Either3::A(b) if pos_label.is_none() => return Ok(b.iter().map(|&v| v as u8 as f64).collect()),
        Either3::A(b) => b.iter().map(|&v| Cell::Bool(v)).collect(),
        Either3::B(n) => {
            let v = floats(n);
            if pos_label.is_none() && v.iter().all(|&x| x == 0.0 || x == 1.0 || x.is_nan()) {
                return Ok(v); // the core names a NaN
            }
            v.into_iter().map(|x| if x.is_nan() { Cell::Missing } else { Cell::Number(x) }).collect()
        }
        Either3::C(s) => s.iter().map(|s| Cell::Text(s)).collect(),
    };
    core::binarize_labels(&cells, pos_label.map(label_cell)).into_napi()
}

fn label_cell(p: &Label) -> Cell<'_> {
    match p {
        Either3::A(x) if x.is_nan() => Cell::Missing,
        Either3::A(x) => Cell::Number(*x),
        Either3::B(s) => Cell::Text(s),
        Either3::C(b) => Cell::Bool(*b),
    }
}

/// Options of the weighted metrics.
#[napi(object)]
#[derive(Default)]
pub struct MetricOptions {
    /// One non-negative weight per row.
    pub weights: Option<Vec<f64>>,
    /// The positive class (churn) of `y`: a label of it. Default: 1, `true`, or the text
    /// that reads as yes or true (`'Yes'`), the class a model's `fit` makes churn; other
    /// labels (`'churned'`/`'stayed'`) must name it.
    pub pos_label: Option<Label>,
}

/// Options of the metrics at a threshold or by bins.
#[napi(object)]
#[derive(Default)]
pub struct LabelOptions {
    /// The positive class of `y` (see `MetricOptions.posLabel`).
    pub pos_label: Option<Label>,
}

/// A metric of 0/1 outcomes `y` and one number per customer (`score` or `p`), optionally
/// weighted: the four below differ only in their name, their second argument and their doc
/// (a string, not a doc comment: napi-rs would write a doc comment passed through a macro
/// into index.d.ts as `r" ..."`).
macro_rules! outcome_metric {
    ($doc:literal, $name:ident($x:ident)) => {
        #[doc = $doc]
        #[napi(namespace = "metrics", catch_unwind)]
        pub fn $name(
            y: Labels,
            $x: NumericArray,
            #[napi(ts_arg_type = "MetricOptions | undefined | null")] options: Option<
                crate::convert::Obj<MetricOptions>,
            >,
        ) -> Result<f64> {
            let options = options.map(|o| o.0);
            let o = options.unwrap_or_default();
            core::$name(&labels(&y, o.pos_label.as_ref())?, &floats(&$x), o.weights.as_deref()).into_napi()
        }
    };
}

outcome_metric!(" Area under the ROC curve (ties count one half), as scikit-learn's `roc_auc_score`.", roc_auc(score));
outcome_metric!(
    " Average precision (step-wise), as scikit-learn's `average_precision_score`.",
    average_precision(score)
);
outcome_metric!(" Mean log loss, probabilities clipped to [ε, 1 − ε].", log_loss(p));
outcome_metric!(" Mean squared difference between probability and outcome.", brier(p));

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
    y: Labels,
    score: NumericArray,
    #[napi(ts_arg_type = "MetricOptions | undefined | null")] options: Option<crate::convert::Obj<MetricOptions>>,
) -> Result<RocCurve> {
    let options = options.map(|o| o.0);
    let o = options.unwrap_or_default();
    let r = core::roc_curve(&labels(&y, o.pos_label.as_ref())?, &floats(&score), o.weights.as_deref()).into_napi()?;
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
    y: Labels,
    p: NumericArray,
    threshold: Option<f64>,
    #[napi(ts_arg_type = "LabelOptions | undefined | null")] options: Option<crate::convert::Obj<LabelOptions>>,
) -> Result<ThresholdMetrics> {
    let options = options.map(|o| o.0);
    let pos_label = options.and_then(|o| o.pos_label);
    let t =
        core::threshold_metrics(&labels(&y, pos_label.as_ref())?, &floats(&p), threshold.unwrap_or(0.5)).into_napi()?;
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
pub fn lift_table(
    y: Labels,
    score: NumericArray,
    bins: Option<f64>,
    #[napi(ts_arg_type = "LabelOptions | undefined | null")] options: Option<crate::convert::Obj<LabelOptions>>,
) -> Result<LiftTable> {
    let options = options.map(|o| o.0);
    let pos_label = options.and_then(|o| o.pos_label);
    let t = core::lift_table(
        &labels(&y, pos_label.as_ref())?,
        &floats(&score),
        crate::convert::size(bins, "bins", 1.0, 10)?,
    )
    .into_napi()?;
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
    y: Labels,
    p: NumericArray,
    bins: Option<f64>,
    #[napi(ts_arg_type = "LabelOptions | undefined | null")] options: Option<crate::convert::Obj<LabelOptions>>,
) -> Result<Vec<CalibrationRow>> {
    let options = options.map(|o| o.0);
    let pos_label = options.and_then(|o| o.pos_label);
    let rows = core::calibration_table(
        &labels(&y, pos_label.as_ref())?,
        &floats(&p),
        crate::convert::size(bins, "bins", 1.0, 10)?,
    )
    .into_napi()?;
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
