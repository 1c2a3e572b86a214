//! `monitor` namespace: `nps_core::monitor` for Node, mirroring `nps-py/src/monitor.rs`:
//! `drift`, `ReferenceSummary`, `performance`, `delongTest`, `aucInterval`, `ks2samp`,
//! `psi` and `Recalibrator`. Every number comes from the core; options left out take the
//! core's defaults.
use napi_derive::napi;
use nps_core::monitor::{self as core, Column};

use crate::convert::{floats, NumericArray};
use crate::error::{IntoNapi, Result};

/// One input: `values` (numbers, NaN or null missing) or `categories` (text, null
/// missing).
#[napi(object, namespace = "monitor")]
pub struct MonitorColumn {
    /// The input's name.
    pub name: String,
    /// A numeric input's values.
    pub values: Option<Vec<Option<f64>>>,
    /// A categorical input's values.
    pub categories: Option<Vec<Option<String>>>,
}

enum Owned {
    Numeric(Vec<f64>),
    Categorical(Vec<Option<String>>),
}

fn owned(cols: &[MonitorColumn]) -> Result<Vec<Owned>> {
    cols.iter()
        .map(|c| match (&c.values, &c.categories) {
            (Some(v), None) => Ok(Owned::Numeric(v.iter().map(|x| x.unwrap_or(f64::NAN)).collect())),
            (None, Some(v)) => Ok(Owned::Categorical(v.clone())),
            _ => Err(nps_core::NpsError::invalid(
                &format!("column {:?}", c.name),
                "values and categories both or neither",
                "one of values (numbers) or categories (text)",
            ))
            .into_napi(),
        })
        .collect()
}

fn columns<'a>(cols: &'a [MonitorColumn], values: &'a [Owned]) -> Vec<Column<'a>> {
    cols.iter()
        .zip(values)
        .map(|(c, v)| match v {
            Owned::Numeric(v) => Column::numeric(&c.name, v),
            Owned::Categorical(v) => Column::categorical(&c.name, v),
        })
        .collect()
}

/// Options of `drift` and `ReferenceSummary.compare`.
#[napi(object, namespace = "monitor")]
#[derive(Default)]
pub struct DriftOptions {
    /// Quantile bins of a numeric input (default 10, deciles).
    pub bins: Option<u32>,
    /// PSI from which drift is moderate (default 0.1).
    pub moderate: Option<f64>,
    /// PSI from which drift is major (default 0.25).
    pub major: Option<f64>,
}

fn drift_options(o: Option<DriftOptions>) -> core::DriftOptions {
    let o = o.unwrap_or_default();
    let d = core::DriftOptions::default();
    core::DriftOptions {
        bins: o.bins.map_or(d.bins, |b| b as usize),
        moderate: o.moderate.unwrap_or(d.moderate),
        major: o.major.unwrap_or(d.major),
    }
}

/// One bin (or category) with its share on each side.
#[napi(object, namespace = "monitor")]
pub struct DriftBin {
    /// `(a, b]`, the category, or `missing`.
    pub label: String,
    /// Share of the reference rows.
    pub reference_share: f64,
    /// Share of the current rows.
    pub current_share: f64,
}

/// The drift of one input.
#[napi(object, namespace = "monitor")]
pub struct InputDrift {
    /// The input.
    pub input: String,
    /// `numeric` or `categorical`.
    pub kind: String,
    /// Population stability index.
    pub psi: f64,
    /// Two-sample Kolmogorov–Smirnov statistic (numeric inputs).
    pub ks: Option<f64>,
    /// Its asymptotic p-value.
    pub ks_p_value: Option<f64>,
    /// Reference rows.
    pub reference_rows: u32,
    /// Current rows.
    pub current_rows: u32,
    /// Share of reference rows missing.
    pub reference_missing_rate: f64,
    /// Share of current rows missing.
    pub current_missing_rate: f64,
    /// current − reference missing rate.
    pub missing_rate_change: f64,
    /// Categories new in the current window.
    pub new_categories: Vec<String>,
    /// Categories of the reference absent now.
    pub vanished_categories: Vec<String>,
    /// `none`, `moderate` or `major`.
    pub severity: String,
    /// The bins.
    pub bins: Vec<DriftBin>,
}

/// The drift of every input (`JSON.stringify` it for a service; `toJson` of the core's
/// report is `json`).
#[napi(object, namespace = "monitor")]
pub struct DriftReport {
    /// One per reference input.
    pub inputs: Vec<InputDrift>,
    /// True when the reference was rows (exact KS).
    pub ks_exact: bool,
    /// Inputs whose severity is moderate or major.
    pub drifted: Vec<String>,
    /// The highest severity.
    pub worst: String,
    /// The core's report as JSON (the same text Python's `to_json()` gives).
    pub json: String,
}

fn report(r: core::DriftReport) -> DriftReport {
    DriftReport {
        ks_exact: r.ks_exact,
        drifted: r.drifted().into_iter().map(String::from).collect(),
        worst: r.worst().as_str().to_string(),
        json: r.to_json(),
        inputs: r
            .inputs
            .into_iter()
            .map(|i| InputDrift {
                input: i.input,
                kind: i.kind,
                psi: i.psi,
                ks: i.ks,
                ks_p_value: i.ks_p_value,
                reference_rows: i.reference_rows as u32,
                current_rows: i.current_rows as u32,
                reference_missing_rate: i.reference_missing_rate,
                current_missing_rate: i.current_missing_rate,
                missing_rate_change: i.missing_rate_change,
                new_categories: i.new_categories,
                vanished_categories: i.vanished_categories,
                severity: i.severity.as_str().to_string(),
                bins: i
                    .bins
                    .into_iter()
                    .map(|b| DriftBin {
                        label: b.label,
                        reference_share: b.reference_share,
                        current_share: b.current_share,
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// Drift of `current` from the `reference` rows, input by input (matched by name).
#[napi(namespace = "monitor", catch_unwind)]
pub fn drift(
    reference: Vec<MonitorColumn>,
    current: Vec<MonitorColumn>,
    options: Option<DriftOptions>,
) -> Result<DriftReport> {
    let (r, c) = (owned(&reference)?, owned(&current)?);
    let o = drift_options(options);
    Ok(report(core::drift(&columns(&reference, &r), &columns(&current, &c), &o).into_napi()?))
}

/// What drift is measured against, without the reference rows (JSON, kept with a model).
#[napi(namespace = "monitor")]
pub struct ReferenceSummary {
    inner: core::ReferenceSummary,
}

#[napi(namespace = "monitor")]
impl ReferenceSummary {
    /// Summarises the reference window (`bins` quantile bins, default 10).
    #[napi(factory, catch_unwind)]
    pub fn build(reference: Vec<MonitorColumn>, bins: Option<u32>) -> Result<ReferenceSummary> {
        let r = owned(&reference)?;
        let bins = bins.map_or(core::DEFAULT_BINS, |b| b as usize);
        Ok(ReferenceSummary { inner: core::ReferenceSummary::build(&columns(&reference, &r), bins).into_napi()? })
    }

    /// Reads a summary, checking it.
    #[napi(factory, catch_unwind)]
    pub fn from_json(text: String) -> Result<ReferenceSummary> {
        Ok(ReferenceSummary { inner: core::ReferenceSummary::from_json(&text).into_napi()? })
    }

    /// The summary as JSON.
    #[napi(catch_unwind)]
    pub fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// Drift of `current` from this summary (KS at the reference's percentiles).
    #[napi(catch_unwind)]
    pub fn compare(&self, current: Vec<MonitorColumn>, options: Option<DriftOptions>) -> Result<DriftReport> {
        let c = owned(&current)?;
        Ok(report(self.inner.compare(&columns(&current, &c), &drift_options(options)).into_napi()?))
    }

    /// The inputs summarised.
    #[napi(getter)]
    pub fn inputs(&self) -> Vec<String> {
        self.inner.inputs.iter().map(|i| i.name().to_string()).collect()
    }
}

/// Options of `performance`; each left out takes the core's default.
#[napi(object, namespace = "monitor")]
#[derive(Default)]
pub struct PerformanceOptions {
    /// The periods in order (every row's period must be one).
    pub order: Option<Vec<String>>,
    /// Confidence level of the AUC interval (0.95).
    pub level: Option<f64>,
    /// Bins of the lift (10).
    pub lift_bins: Option<u32>,
    /// Significance level of the calibration tests (0.05).
    pub alpha: Option<f64>,
    /// |observed − predicted| from which a significant difference is drift (0.02).
    pub citl_tolerance: Option<f64>,
    /// Slope below which a significant slope is drift (0.8).
    pub slope_low: Option<f64>,
    /// Slope above which a significant slope is drift (1.25).
    pub slope_high: Option<f64>,
}

/// One period's performance (undefined numbers are null).
#[napi(object, namespace = "monitor")]
pub struct PeriodPerformance {
    /// The period.
    pub period: String,
    /// Rows.
    pub count: u32,
    /// Positive outcomes.
    pub events: u32,
    /// Observed rate.
    pub event_rate: f64,
    /// Mean predicted probability.
    pub mean_predicted: f64,
    /// Observed − predicted.
    pub calibration_in_the_large: f64,
    /// Its z statistic.
    pub citl_z: Option<f64>,
    /// ROC AUC.
    pub auc: Option<f64>,
    /// DeLong's standard error.
    pub auc_se: Option<f64>,
    /// Lower end of the AUC interval.
    pub auc_lower: Option<f64>,
    /// Upper end.
    pub auc_upper: Option<f64>,
    /// Lift of the top bin.
    pub top_lift: Option<f64>,
    /// Brier score.
    pub brier: f64,
    /// Calibration intercept.
    pub calibration_intercept: Option<f64>,
    /// Calibration slope.
    pub calibration_slope: Option<f64>,
    /// Its standard error.
    pub calibration_slope_se: Option<f64>,
    /// Whether calibration drifted (the core's rule).
    pub calibration_drift: bool,
}

/// Performance per period: `y` outcomes (0/1), `p` probabilities, `period` labels.
#[napi(namespace = "monitor", catch_unwind)]
pub fn performance(
    y: NumericArray,
    p: NumericArray,
    period: Vec<String>,
    options: Option<PerformanceOptions>,
) -> Result<Vec<PeriodPerformance>> {
    let o = options.unwrap_or_default();
    let d = core::PerformanceOptions::default();
    let opts = core::PerformanceOptions {
        level: o.level.unwrap_or(d.level),
        lift_bins: o.lift_bins.map_or(d.lift_bins, |b| b as usize),
        alpha: o.alpha.unwrap_or(d.alpha),
        citl_tolerance: o.citl_tolerance.unwrap_or(d.citl_tolerance),
        slope_low: o.slope_low.unwrap_or(d.slope_low),
        slope_high: o.slope_high.unwrap_or(d.slope_high),
    };
    let rows = core::performance(&floats(&y), &floats(&p), &period, o.order.as_deref(), &opts).into_napi()?;
    Ok(rows
        .into_iter()
        .map(|r| PeriodPerformance {
            period: r.period,
            count: r.count as u32,
            events: r.events as u32,
            event_rate: r.event_rate,
            mean_predicted: r.mean_predicted,
            calibration_in_the_large: r.calibration_in_the_large,
            citl_z: r.citl_z,
            auc: r.auc,
            auc_se: r.auc_se,
            auc_lower: r.auc_lower,
            auc_upper: r.auc_upper,
            top_lift: r.top_lift,
            brier: r.brier,
            calibration_intercept: r.calibration_intercept,
            calibration_slope: r.calibration_slope,
            calibration_slope_se: r.calibration_slope_se,
            calibration_drift: r.calibration_drift,
        })
        .collect())
}

/// DeLong's paired test of two scores' AUCs.
#[napi(object, namespace = "monitor")]
pub struct DelongTest {
    /// AUC of score A.
    pub auc_a: f64,
    /// AUC of score B.
    pub auc_b: f64,
    /// aucA − aucB.
    pub difference: f64,
    /// Its standard error.
    pub se: f64,
    /// difference / se.
    pub z: f64,
    /// Two-sided p-value.
    pub p_value: f64,
}

/// DeLong's paired test of the AUCs of `scoreA` and `scoreB` on the same rows.
#[napi(namespace = "monitor", catch_unwind)]
pub fn delong_test(y: NumericArray, score_a: NumericArray, score_b: NumericArray) -> Result<DelongTest> {
    let t = core::delong_test(&floats(&y), &floats(&score_a), &floats(&score_b)).into_napi()?;
    Ok(DelongTest { auc_a: t.auc_a, auc_b: t.auc_b, difference: t.difference, se: t.se, z: t.z, p_value: t.p_value })
}

/// The AUC with DeLong's standard error and interval.
#[napi(object, namespace = "monitor")]
pub struct AucInterval {
    /// The AUC.
    pub auc: f64,
    /// DeLong's standard error.
    pub se: f64,
    /// Lower end (clipped to 0).
    pub lower: f64,
    /// Upper end (clipped to 1).
    pub upper: f64,
}

/// The AUC of `score` with DeLong's interval at `level` (default 0.95).
#[napi(namespace = "monitor", catch_unwind)]
pub fn auc_interval(y: NumericArray, score: NumericArray, level: Option<f64>) -> Result<AucInterval> {
    let r = core::auc_interval(&floats(&y), &floats(&score), level.unwrap_or(core::DEFAULT_LEVEL)).into_napi()?;
    Ok(AucInterval { auc: r.auc, se: r.se, lower: r.lower, upper: r.upper })
}

/// A two-sample Kolmogorov–Smirnov result.
#[napi(object, namespace = "monitor")]
pub struct KsResult {
    /// scipy's `ks_2samp` statistic.
    pub statistic: f64,
    /// Asymptotic p-value (Kolmogorov's distribution).
    pub p_value: f64,
}

/// The two-sample KS statistic of `a` and `b` (NaN values left out).
#[napi(namespace = "monitor", js_name = "ks2samp", catch_unwind)]
pub fn ks_2samp(a: NumericArray, b: NumericArray) -> KsResult {
    let (statistic, p_value) = core::ks_2samp(&floats(&a), &floats(&b));
    KsResult { statistic, p_value }
}

/// The PSI of two aligned share vectors.
#[napi(namespace = "monitor", catch_unwind)]
pub fn psi(reference: Vec<f64>, current: Vec<f64>) -> Result<f64> {
    if reference.len() != current.len() {
        return Err(nps_core::NpsError::LengthMismatch {
            field: "current".into(),
            actual: current.len(),
            other: "reference".into(),
            expected: reference.len(),
        })
        .into_napi();
    }
    Ok(core::psi(&reference, &current))
}

/// Options of `Recalibrator.fit`.
#[napi(object, namespace = "monitor")]
#[derive(Default)]
pub struct RecalibratorOptions {
    /// One non-negative weight per row.
    pub sample_weight: Option<Vec<f64>>,
}

/// Recalibration without retraining: Platt scaling or isotonic regression.
#[napi(namespace = "monitor")]
pub struct Recalibrator {
    inner: core::Recalibration,
}

#[napi(namespace = "monitor")]
impl Recalibrator {
    /// Fits `method` (`platt` or `isotonic`) on probabilities `p` and outcomes `y`.
    #[napi(factory, catch_unwind)]
    pub fn fit(
        method: String,
        p: NumericArray,
        y: NumericArray,
        options: Option<RecalibratorOptions>,
    ) -> Result<Recalibrator> {
        let o = options.unwrap_or_default();
        let inner =
            core::Recalibration::fit(&method, &floats(&y), &floats(&p), o.sample_weight.as_deref()).into_napi()?;
        Ok(Recalibrator { inner })
    }

    /// Reads a saved recalibration.
    #[napi(factory, catch_unwind)]
    pub fn from_json(text: String) -> Result<Recalibrator> {
        Ok(Recalibrator { inner: core::Recalibration::from_json(&text).into_napi()? })
    }

    /// The calibrated probabilities.
    #[napi(catch_unwind)]
    pub fn predict(&self, p: NumericArray) -> Result<Vec<f64>> {
        self.inner.apply(&floats(&p)).into_napi()
    }

    /// As JSON.
    #[napi(catch_unwind)]
    pub fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// `platt` or `isotonic`.
    #[napi(getter)]
    pub fn method(&self) -> String {
        self.inner.method().to_string()
    }
}
