//! Monitoring a churn model after it ships: drift of its inputs and score from the
//! training window, its performance as outcomes arrive, and recalibration without
//! retraining.
//!
//! * [`drift`] / [`ReferenceSummary::compare`]: population stability index over the
//!   reference's quantile bins (missing values a bin of their own, empty bins read as
//!   [`PSI_EPSILON`]), the two-sample Kolmogorov–Smirnov statistic (scipy's `ks_2samp`),
//!   new and vanished categories, the change in missing rate, and a [`Severity`] per input
//!   from [`DriftOptions`]' thresholds (PSI 0.1 moderate, 0.25 major), in one
//!   [`DriftReport`]. A [`ReferenceSummary`] keeps what the comparison needs from the
//!   training data (bins, shares, categories, missing rates, percentiles) as JSON.
//! * [`performance`]: per period the count, event rate, ROC AUC with DeLong's interval,
//!   top-decile lift, Brier score, calibration in the large and slope, and a calibration
//!   drift flag; [`delong_test`] compares two scores' AUCs on the same rows.
//! * [`Recalibration`]: Platt scaling and isotonic regression fitted from (y, p) and
//!   applied to new probabilities; a model can carry one in its file.
//!
//! Retraining (kept here because it is judged with the same evidence: drift, DeLong,
//! calibration; the model files carry the results):
//!
//! * [`Lineage`] and [`model_id`]: a model file's content-hash id, its parent, data window,
//!   metrics at training and at promotion, and the decisions about it.
//! * [`compare_scores`] / [`challenge`]: champion against challenger on the latest labelled
//!   window (AUC, DeLong's one-sided test, top-decile lift, Brier) under a
//!   [`PromotionRule`], a recorded [`PromotionDecision`] written into the challenger's
//!   lineage.
//! * [`RetrainPolicy`]: whether and why to retrain from drift, performance and age.

mod bins;
mod challenger;
mod decision;
mod delong;
mod drift;
mod ks;
mod lineage;
mod model_monitoring;
mod model_reference;
mod performance;
mod policy;
mod recalibration;
mod summary;

pub use bins::{psi, DEFAULT_BINS, PSI_EPSILON};
pub use challenger::{any_model_id, challenge, model_probabilities, record_decision};
pub use decision::{
    compare_scores, ModelEvidence, PromotionDecision, PromotionRule, DEFAULT_AUC_MARGIN, DEFAULT_BRIER_MARGIN,
    DEFAULT_PROMOTION_ALPHA, DEFAULT_PROMOTION_LIFT_BINS,
};
pub use delong::{auc_interval, delong_test, AucInterval, DelongTest, DEFAULT_LEVEL};
pub use drift::{
    drift, DriftBin, DriftOptions, DriftReport, InputDrift, Severity, DEFAULT_MAJOR_PSI, DEFAULT_MODERATE_PSI,
};
pub use lineage::{fnv1a64, model_id, DataWindow, Lineage, MODEL_ID_PREFIX};
pub use model_monitoring::ModelMonitoring;
pub use model_reference::{
    calibrate, calibrate_one, drift_from_reference, matrix_reference, score_input, stored_reference, table_columns,
    table_reference, DEFAULT_RECORD_REFERENCE, REFERENCE_BINS, SCORE_INPUT, SCORE_INPUT_FALLBACK,
};
pub use performance::{
    performance, PerformanceOptions, PeriodPerformance, DEFAULT_ALPHA, DEFAULT_CITL_TOLERANCE, DEFAULT_LIFT_BINS,
    DEFAULT_SLOPE_HIGH, DEFAULT_SLOPE_LOW,
};
pub use policy::{
    retrain_policy, RetrainAdvice, RetrainEvidence, RetrainPolicy, RetrainReason, DEFAULT_AUC_DROP,
    DEFAULT_CALIBRATION_PERIODS, DEFAULT_MAX_AGE_DAYS, DEFAULT_MODERATE_INPUTS,
};
pub use recalibration::{
    logit, pool_adjacent_violators, IsotonicCalibration, PlattScaling, Recalibration, DEFAULT_RECALIBRATION,
    LOGIT_EPSILON, PLATT_MAX_ITER, RECALIBRATION_METHODS,
};
pub use summary::{
    CategoricalSummary, Column, ColumnValues, InputSummary, NumericSummary, ReferenceSummary, KS_POINTS,
    REFERENCE_FORMAT, REFERENCE_VERSION,
};

/// The two-sample Kolmogorov–Smirnov statistic of two samples (NaN values left out), as
/// `scipy.stats.ks_2samp(a, b).statistic`, and its asymptotic two-sided p-value
/// (Kolmogorov's limiting distribution). NaN when a sample has no number.
pub fn ks_2samp(a: &[f64], b: &[f64]) -> (f64, f64) {
    let (sa, sb) = (bins::Sorted::new(a), bins::Sorted::new(b));
    let d = ks::statistic(&sa, &sb);
    (d, ks::p_value(d, sa.keys.len(), sb.keys.len()))
}
