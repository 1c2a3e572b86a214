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
    pub bins: Option<f64>,
    /// PSI from which drift is moderate (default 0.1).
    pub moderate: Option<f64>,
    /// PSI from which drift is major (default 0.25).
    pub major: Option<f64>,
}

fn drift_options(o: Option<DriftOptions>) -> Result<core::DriftOptions> {
    let o = o.unwrap_or_default();
    let d = core::DriftOptions::default();
    Ok(core::DriftOptions {
        bins: crate::convert::size(o.bins, "bins", 1.0, d.bins)?,
        moderate: o.moderate.unwrap_or(d.moderate),
        major: o.major.unwrap_or(d.major),
    })
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

/// Drift of `current` from `reference`, input by input (matched by name): the reference
/// rows (columns), or a model (`ChurnModel`, `BoostedChurnModel`) compared with the summary
/// it recorded at fit, `current` then a table of its inputs (the score included).
#[napi(
    namespace = "monitor",
    catch_unwind,
    ts_args_type = "reference: Array<monitor.MonitorColumn> | ChurnModel | BoostedChurnModel, current: Array<monitor.MonitorColumn> | Table, options?: monitor.DriftOptions"
)]
pub fn drift(
    reference: napi::bindgen_prelude::Either3<
        Vec<MonitorColumn>,
        &crate::model::ChurnModel,
        &crate::boosted::BoostedChurnModel,
    >,
    current: napi::bindgen_prelude::Either<Vec<MonitorColumn>, napi::bindgen_prelude::Object>,
    options: Option<crate::convert::Obj<DriftOptions>>,
) -> Result<DriftReport> {
    let options = options.map(|o| o.0);
    use napi::bindgen_prelude::{Either, Either3};
    match (reference, current) {
        (Either3::A(reference), Either::A(current)) => {
            let (r, c) = (owned(&reference)?, owned(&current)?);
            let o = drift_options(options)?;
            Ok(report(core::drift(&columns(&reference, &r), &columns(&current, &c), &o).into_napi()?))
        }
        (Either3::B(m), Either::B(table)) => model_drift(&*m.inner, &table, options),
        (Either3::C(m), Either::B(table)) => model_drift(&*m.inner, &table, options),
        (Either3::A(_), Either::B(_)) => Err(nps_core::NpsError::invalid(
            "current",
            "a table",
            "columns ([{name, values}]) against reference columns",
        ))
        .into_napi(),
        (_, Either::A(_)) => Err(nps_core::NpsError::invalid(
            "current",
            "columns",
            "a table of the model's inputs ({input: values}) against a model",
        ))
        .into_napi(),
    }
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
    pub fn build(reference: Vec<MonitorColumn>, bins: Option<f64>) -> Result<ReferenceSummary> {
        let r = owned(&reference)?;
        let bins = crate::convert::size(bins, "bins", 1.0, core::DEFAULT_BINS)?;
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
    pub fn compare(
        &self,
        current: Vec<MonitorColumn>,
        #[napi(ts_arg_type = "monitor.DriftOptions | undefined | null")] options: Option<
            crate::convert::Obj<DriftOptions>,
        >,
    ) -> Result<DriftReport> {
        let options = options.map(|o| o.0);
        let c = owned(&current)?;
        Ok(report(self.inner.compare(&columns(&current, &c), &drift_options(options)?).into_napi()?))
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
    pub lift_bins: Option<f64>,
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
    #[napi(ts_arg_type = "monitor.PerformanceOptions | undefined | null")] options: Option<
        crate::convert::Obj<PerformanceOptions>,
    >,
) -> Result<Vec<PeriodPerformance>> {
    let options = options.map(|o| o.0);
    let o = options.unwrap_or_default();
    let d = core::PerformanceOptions::default();
    let opts = core::PerformanceOptions {
        level: o.level.unwrap_or(d.level),
        lift_bins: crate::convert::size(o.lift_bins, "liftBins", 1.0, d.lift_bins)?,
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
        #[napi(ts_arg_type = "monitor.RecalibratorOptions | undefined | null")] options: Option<
            crate::convert::Obj<RecalibratorOptions>,
        >,
    ) -> Result<Recalibrator> {
        let options = options.map(|o| o.0);
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

// -- retraining: what a model file keeps, champion and challenger, the retrain policy -----

/// What Node reads and writes of a model of either kind for monitoring and retraining.
pub(crate) trait Monitored {
    fn monitoring(&self) -> &core::ModelMonitoring;
    fn monitoring_mut(&mut self) -> &mut core::ModelMonitoring;
    fn id(&self) -> String;
    fn drift(&self, table: &nps_core::encode::RawTable, o: &core::DriftOptions) -> nps_core::Result<core::DriftReport>;
    fn raw(&self, table: &nps_core::encode::RawTable) -> nps_core::Result<Vec<f64>>;
}

macro_rules! monitored {
    ($t:ty) => {
        impl Monitored for $t {
            fn monitoring(&self) -> &core::ModelMonitoring {
                &self.monitoring
            }
            fn monitoring_mut(&mut self) -> &mut core::ModelMonitoring {
                &mut self.monitoring
            }
            fn id(&self) -> String {
                <$t>::id(self)
            }
            fn drift(
                &self,
                table: &nps_core::encode::RawTable,
                o: &core::DriftOptions,
            ) -> nps_core::Result<core::DriftReport> {
                <$t>::drift(self, table, o)
            }
            fn raw(&self, table: &nps_core::encode::RawTable) -> nps_core::Result<Vec<f64>> {
                Ok(self.raw_proba(table)?.to_vec())
            }
        }
    };
}
monitored!(nps_core::model::ChurnModel);
monitored!(nps_core::model::boosted::BoostedChurnModel);

/// A model's stored reference summary as the `ReferenceSummary` class.
pub(crate) fn reference_of(m: &impl Monitored) -> Option<ReferenceSummary> {
    m.monitoring().reference_summary.as_ref().map(|s| ReferenceSummary { inner: s.clone() })
}

/// A model's recalibration as the `Recalibrator` class.
pub(crate) fn recalibration_of(m: &impl Monitored) -> Option<Recalibrator> {
    m.monitoring().recalibration.as_ref().map(|r| Recalibrator { inner: r.clone() })
}

/// Sets a model's reference summary (or removes it with null).
pub(crate) fn set_reference(m: &mut impl Monitored, s: Option<&ReferenceSummary>) -> Result<()> {
    let reference_summary = s.map(|s| s.inner.clone());
    let next = core::ModelMonitoring { reference_summary, ..m.monitoring().clone() };
    m.monitoring_mut().set(next).into_napi()
}

/// Sets a model's recalibration (or removes it with null).
pub(crate) fn set_recalibration(m: &mut impl Monitored, r: Option<&Recalibrator>) -> Result<()> {
    let recalibration = r.map(|r| r.inner.clone());
    let next = core::ModelMonitoring { recalibration, ..m.monitoring().clone() };
    m.monitoring_mut().set(next).into_napi()
}

/// Sets a model's lineage from its JSON (or removes it with null).
pub(crate) fn set_lineage(m: &mut impl Monitored, text: Option<String>) -> Result<()> {
    let l = text.map(|t| core::Lineage::from_json(&t)).transpose().into_napi()?;
    let next = core::ModelMonitoring { lineage: l, ..m.monitoring().clone() };
    m.monitoring_mut().set(next).into_napi()
}

/// Fits and keeps a recalibration from outcomes and raw probabilities (or a table scored
/// before recalibration).
pub(crate) fn recalibrate(
    m: &mut impl Monitored,
    y: &NumericArray,
    p_or_table: napi::bindgen_prelude::Either<NumericArray, napi::bindgen_prelude::Object>,
    method: Option<String>,
) -> Result<()> {
    let p = match p_or_table {
        napi::bindgen_prelude::Either::A(p) => floats(&p),
        napi::bindgen_prelude::Either::B(t) => m.raw(&crate::encode::table(&t)?.raw).into_napi()?,
    };
    m.monitoring_mut().recalibrate(method.as_deref().unwrap_or(core::DEFAULT_RECALIBRATION), &floats(y), &p).into_napi()
}

/// Drift of a table from a model's stored reference summary (its score included).
pub(crate) fn model_drift(
    m: &impl Monitored,
    table: &napi::bindgen_prelude::Object,
    options: Option<DriftOptions>,
) -> Result<DriftReport> {
    let t = crate::encode::table(table)?;
    Ok(report(m.drift(&t.raw, &drift_options(options)?).into_napi()?))
}

/// A model's lineage.
pub(crate) fn lineage_of(m: &impl Monitored) -> Option<Lineage> {
    m.monitoring().lineage.as_ref().map(lineage)
}

/// Records a decision (the object `compare` returns) in a model's lineage.
pub(crate) fn record(m: &mut impl Monitored, decision: &PromotionDecision) -> Result<()> {
    m.monitoring_mut().record_decision(&core::PromotionDecision::from_json(&decision.json).into_napi()?);
    Ok(())
}

/// A model's numbers on the window of a decision.
#[napi(object, namespace = "monitor")]
pub struct ModelEvidence {
    /// ROC AUC.
    pub auc: f64,
    /// Lift of the top decile.
    pub top_lift: f64,
    /// Brier score.
    pub brier: f64,
    /// Mean probability.
    pub mean_predicted: f64,
}

/// A recorded champion-and-challenger decision (`json` is the core's, for a log).
#[napi(object, namespace = "monitor")]
pub struct PromotionDecision {
    /// Whether the challenger replaces the champion.
    pub promote: bool,
    /// `better_auc`, `better_calibrated` or `champion_stays`.
    pub clause: String,
    /// The reason in words.
    pub reason: String,
    /// The champion's model id.
    pub champion_id: String,
    /// The challenger's model id.
    pub challenger_id: String,
    /// Rows of the window.
    pub rows: u32,
    /// Churners among them.
    pub events: u32,
    /// The champion's numbers.
    pub champion: ModelEvidence,
    /// The challenger's numbers.
    pub challenger: ModelEvidence,
    /// DeLong's paired test, A the challenger.
    pub delong: DelongTest,
    /// One-sided p-value of the challenger ranking better.
    pub p_challenger_better: f64,
    /// One-sided p-value of the champion ranking better.
    pub p_champion_better: f64,
    /// Challenger's top-decile lift minus the champion's.
    pub lift_difference: f64,
    /// Challenger's Brier score minus the champion's.
    pub brier_difference: f64,
    /// When it was decided, as given.
    pub decided_at: Option<String>,
    /// The decision as the core writes it (JSON).
    pub json: String,
}

fn evidence(e: &core::ModelEvidence) -> ModelEvidence {
    ModelEvidence { auc: e.auc, top_lift: e.top_lift, brier: e.brier, mean_predicted: e.mean_predicted }
}

fn decision(d: &core::PromotionDecision) -> PromotionDecision {
    let t = &d.delong;
    PromotionDecision {
        promote: d.promote,
        clause: d.clause.clone(),
        reason: d.reason.clone(),
        champion_id: d.champion_id.clone(),
        challenger_id: d.challenger_id.clone(),
        rows: d.rows as u32,
        events: d.events as u32,
        champion: evidence(&d.champion),
        challenger: evidence(&d.challenger),
        delong: DelongTest {
            auc_a: t.auc_a,
            auc_b: t.auc_b,
            difference: t.difference,
            se: t.se,
            z: t.z,
            p_value: t.p_value,
        },
        p_challenger_better: d.p_challenger_better,
        p_champion_better: d.p_champion_better,
        lift_difference: d.lift_difference,
        brier_difference: d.brier_difference,
        decided_at: d.decided_at.clone(),
        json: d.to_json(),
    }
}

/// The data a model was trained on.
#[napi(object, namespace = "monitor")]
pub struct DataWindow {
    /// First date.
    pub from: Option<String>,
    /// Last date.
    pub to: Option<String>,
    /// Rows.
    pub rows: u32,
}

/// Where a model comes from (`json` is the core's).
#[napi(object, namespace = "monitor")]
pub struct Lineage {
    /// The id of the model it replaced.
    pub parent: Option<String>,
    /// The data it was trained on.
    pub data_window: Option<DataWindow>,
    /// Metrics at training.
    pub training_metrics: std::collections::HashMap<String, f64>,
    /// Metrics at promotion.
    pub promotion_metrics: std::collections::HashMap<String, f64>,
    /// The decisions taken with it as the challenger, oldest first.
    pub decisions: Vec<PromotionDecision>,
    /// The lineage as the core writes it (JSON; `setLineage` reads it).
    pub json: String,
}

fn lineage(l: &core::Lineage) -> Lineage {
    Lineage {
        parent: l.parent.clone(),
        data_window: l.data_window.as_ref().map(|w| DataWindow {
            from: w.from.clone(),
            to: w.to.clone(),
            rows: w.rows as u32,
        }),
        training_metrics: l.training_metrics.clone().into_iter().collect(),
        promotion_metrics: l.promotion_metrics.clone().into_iter().collect(),
        decisions: l.decisions.iter().map(decision).collect(),
        json: l.to_json(),
    }
}

/// Options of `compare`: the promotion rule's thresholds (the core's defaults where absent)
/// and when the decision is taken.
#[napi(object, namespace = "monitor")]
#[derive(Default)]
pub struct CompareOptions {
    /// One-sided significance level (0.05).
    pub alpha: Option<f64>,
    /// How far below the champion's AUC a better-calibrated challenger's may be (0.005).
    pub auc_margin: Option<f64>,
    /// How much lower its Brier score must be (0.001).
    pub brier_margin: Option<f64>,
    /// Bins of the lift (10).
    pub lift_bins: Option<f64>,
    /// When the decision is taken (kept as written).
    pub decided_at: Option<String>,
}

type AnyModel<'a> = napi::bindgen_prelude::Either<&'a crate::model::ChurnModel, &'a crate::boosted::BoostedChurnModel>;
type AnyModelMut<'a> =
    napi::bindgen_prelude::Either<&'a mut crate::model::ChurnModel, &'a mut crate::boosted::BoostedChurnModel>;

fn any(m: &AnyModel<'_>) -> nps_core::model::AnyChurnModel {
    match m {
        napi::bindgen_prelude::Either::A(m) => (*m.inner).clone().into(),
        napi::bindgen_prelude::Either::B(m) => (*m.inner).clone().into(),
    }
}

/// Champion against challenger (models of either kind) on the latest labelled window
/// (`table`, `y` 0/1): AUC, DeLong's one-sided test, top-decile lift, Brier and the promotion
/// rule; the decision is recorded in the challenger's lineage.
#[napi(
    namespace = "monitor",
    catch_unwind,
    ts_args_type = "champion: ChurnModel | BoostedChurnModel, challenger: ChurnModel | BoostedChurnModel, table: Table, y: NumericArray, options?: monitor.CompareOptions"
)]
pub fn compare(
    champion: AnyModel<'_>,
    challenger: AnyModelMut<'_>,
    table: napi::bindgen_prelude::Object,
    y: NumericArray,
    options: Option<crate::convert::Obj<CompareOptions>>,
) -> Result<PromotionDecision> {
    let options = options.map(|o| o.0);
    let o = options.unwrap_or_default();
    let d = core::PromotionRule::default();
    let rule = core::PromotionRule {
        alpha: o.alpha.unwrap_or(d.alpha),
        auc_margin: o.auc_margin.unwrap_or(d.auc_margin),
        brier_margin: o.brier_margin.unwrap_or(d.brier_margin),
        lift_bins: crate::convert::size(o.lift_bins, "liftBins", 1.0, d.lift_bins)?,
    };
    let t = crate::encode::table(&table)?;
    let champion = any(&champion);
    let (mut model, slot) = match challenger {
        napi::bindgen_prelude::Either::A(m) => (nps_core::model::AnyChurnModel::from((*m.inner).clone()), Slot::A(m)),
        napi::bindgen_prelude::Either::B(m) => (nps_core::model::AnyChurnModel::from((*m.inner).clone()), Slot::B(m)),
    };
    let made =
        core::challenge(&champion, &mut model, &t.raw, &floats(&y), &rule, o.decided_at.as_deref()).into_napi()?;
    match (slot, model) {
        (Slot::A(m), nps_core::model::AnyChurnModel::Logistic(x)) => m.inner = std::sync::Arc::new(x),
        (Slot::B(m), nps_core::model::AnyChurnModel::Boosted(x)) => m.inner = std::sync::Arc::new(x),
        _ => unreachable!("the challenger keeps its kind"),
    }
    Ok(decision(&made))
}

enum Slot<'a> {
    A(&'a mut crate::model::ChurnModel),
    B(&'a mut crate::boosted::BoostedChurnModel),
}

/// What `retrainPolicy` reads; each part is optional.
#[napi(object, namespace = "monitor")]
pub struct RetrainEvidence {
    /// The drift report of the latest window against the model's reference.
    pub drift: Option<DriftReport>,
    /// Performance per period, oldest first (as `performance` gives it).
    pub performance: Option<Vec<PeriodPerformance>>,
    /// The AUC at training the latest AUC is compared with.
    pub training_auc: Option<f64>,
    /// Days since the model was trained.
    pub age_days: Option<f64>,
}

/// The policy's thresholds (the core's defaults where absent).
#[napi(object, namespace = "monitor")]
#[derive(Default)]
pub struct RetrainPolicyOptions {
    /// Moderately drifted inputs that call for retraining (3).
    pub moderate_inputs: Option<f64>,
    /// A drop in AUC from training that calls for retraining (0.05).
    pub auc_drop: Option<f64>,
    /// Consecutive latest periods flagged for calibration drift (2).
    pub calibration_periods: Option<f64>,
    /// The age in days that calls for retraining (180).
    pub max_age_days: Option<f64>,
}

/// One reason (or note) of the advice.
#[napi(object, namespace = "monitor")]
pub struct RetrainReason {
    /// `drift`, `performance`, `calibration` or `age`.
    pub kind: String,
    /// In words.
    pub detail: String,
    /// The inputs concerned (drift).
    pub inputs: Vec<String>,
    /// The measured value.
    pub value: f64,
    /// The threshold.
    pub threshold: f64,
}

/// The retrain policy's answer (`json` is the core's, for a service).
#[napi(object, namespace = "monitor")]
pub struct RetrainAdvice {
    /// Whether to retrain.
    pub retrain: bool,
    /// Why.
    pub reasons: Vec<RetrainReason>,
    /// What was seen that does not call for retraining on its own.
    pub notes: Vec<RetrainReason>,
    /// The advice as JSON.
    pub json: String,
}

fn period_row(r: &PeriodPerformance) -> core::PeriodPerformance {
    core::PeriodPerformance {
        period: r.period.clone(),
        count: r.count as usize,
        events: r.events as usize,
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
    }
}

/// Whether to retrain and why, from drift, performance and age (see the core's policy).
#[napi(namespace = "monitor", catch_unwind)]
pub fn retrain_policy(
    #[napi(ts_arg_type = "monitor.RetrainEvidence")] evidence: crate::convert::Obj<RetrainEvidence>,
    #[napi(ts_arg_type = "monitor.RetrainPolicyOptions | undefined | null")] options: Option<
        crate::convert::Obj<RetrainPolicyOptions>,
    >,
) -> Result<RetrainAdvice> {
    let evidence = evidence.0;
    let options = options.map(|o| o.0);
    let o = options.unwrap_or_default();
    let d = core::RetrainPolicy::default();
    let policy = core::RetrainPolicy {
        moderate_inputs: crate::convert::size(o.moderate_inputs, "moderateInputs", 0.0, d.moderate_inputs)?,
        auc_drop: o.auc_drop.unwrap_or(d.auc_drop),
        calibration_periods: crate::convert::size(
            o.calibration_periods,
            "calibrationPeriods",
            0.0,
            d.calibration_periods,
        )?,
        max_age_days: o.max_age_days.unwrap_or(d.max_age_days),
    };
    let report: Option<core::DriftReport> = evidence
        .drift
        .as_ref()
        .map(|r| serde_json::from_str(&r.json))
        .transpose()
        .map_err(|e| nps_core::NpsError::invalid("drift", e, "a drift report"))
        .into_napi()?;
    let rows: Option<Vec<core::PeriodPerformance>> =
        evidence.performance.as_ref().map(|rows| rows.iter().map(period_row).collect());
    let e = core::RetrainEvidence {
        drift: report.as_ref(),
        performance: rows.as_deref(),
        training_auc: evidence.training_auc,
        age_days: evidence.age_days,
    };
    let a = policy.advise(&e).into_napi()?;
    let reason = |r: &core::RetrainReason| RetrainReason {
        kind: r.kind.clone(),
        detail: r.detail.clone(),
        inputs: r.inputs.clone(),
        value: r.value,
        threshold: r.threshold,
    };
    Ok(RetrainAdvice {
        retrain: a.retrain,
        reasons: a.reasons.iter().map(reason).collect(),
        notes: a.notes.iter().map(reason).collect(),
        json: a.to_json(),
    })
}

/// The monitoring methods of a churn model class (`ChurnModel`, `BoostedChurnModel`): its
/// reference summary, recalibration, lineage, id and drift, written once for both (each
/// class's `inner` is an `Arc` of a core model implementing `Monitored`).
macro_rules! monitored_model_methods {
    ($class:ident) => {
        #[napi]
        impl $class {
            /// The reference summary of the training inputs and score recorded at fit, or null
            /// (a model read from an older file).
            #[napi(getter, ts_return_type = "monitor.ReferenceSummary | null")]
            pub fn reference_summary(&self) -> Option<crate::monitor::ReferenceSummary> {
                crate::monitor::reference_of(&*self.inner)
            }

            /// Replaces (or removes, with null) the reference summary.
            #[napi(catch_unwind, ts_args_type = "summary: monitor.ReferenceSummary | null")]
            pub fn set_reference_summary(&mut self, summary: Option<&crate::monitor::ReferenceSummary>) -> Result<()> {
                crate::monitor::set_reference(std::sync::Arc::make_mut(&mut self.inner), summary)
            }

            /// The recalibration applied to every probability the model returns, or null
            /// (explanations stay on the raw score).
            #[napi(getter, ts_return_type = "monitor.Recalibrator | null")]
            pub fn recalibration(&self) -> Option<crate::monitor::Recalibrator> {
                crate::monitor::recalibration_of(&*self.inner)
            }

            /// Sets (or removes, with null) the recalibration kept in the model.
            #[napi(catch_unwind, ts_args_type = "recalibrator: monitor.Recalibrator | null")]
            pub fn set_recalibration(&mut self, recalibrator: Option<&crate::monitor::Recalibrator>) -> Result<()> {
                crate::monitor::set_recalibration(std::sync::Arc::make_mut(&mut self.inner), recalibrator)
            }

            /// Fits a recalibration (`method` `platt`, the default, or `isotonic`) on outcomes `y`
            /// and the model's raw probabilities of those customers (or a table of their inputs,
            /// scored before recalibration), and keeps it in the model.
            #[napi(
                catch_unwind,
                ts_args_type = "y: NumericArray, pOrTable: NumericArray | Table, method?: 'platt' | 'isotonic'"
            )]
            pub fn recalibrate(
                &mut self,
                y: crate::convert::NumericArray,
                p_or_table: napi::bindgen_prelude::Either<crate::convert::NumericArray, napi::bindgen_prelude::Object>,
                method: Option<String>,
            ) -> Result<()> {
                crate::monitor::recalibrate(std::sync::Arc::make_mut(&mut self.inner), &y, p_or_table, method)
            }

            /// Where the model comes from: parent id, data window, metrics at training and at
            /// promotion, the promotion decisions; null when nothing was recorded.
            #[napi(getter, ts_return_type = "monitor.Lineage | null")]
            pub fn lineage(&self) -> Option<crate::monitor::Lineage> {
                crate::monitor::lineage_of(&*self.inner)
            }

            /// Sets the lineage from its JSON (a lineage's `json`), or removes it with null.
            #[napi(catch_unwind)]
            pub fn set_lineage(&mut self, json: Option<String>) -> Result<()> {
                crate::monitor::set_lineage(std::sync::Arc::make_mut(&mut self.inner), json)
            }

            /// Records a decision of `monitor.compare` in the lineage.
            #[napi(catch_unwind, ts_args_type = "decision: monitor.PromotionDecision")]
            pub fn record_decision(
                &mut self,
                decision: crate::convert::Obj<crate::monitor::PromotionDecision>,
            ) -> Result<()> {
                let decision = decision.0;
                crate::monitor::record(std::sync::Arc::make_mut(&mut self.inner), &decision)
            }

            /// The model's id: `fnv1a64:` and the FNV-1a hash of its file, the same in every
            /// language.
            #[napi(getter)]
            pub fn model_id(&self) -> String {
                crate::monitor::Monitored::id(&*self.inner)
            }

            /// Drift of a table of the model's inputs from the reference summary recorded at fit.
            #[napi(
                catch_unwind,
                ts_args_type = "table: Table, options?: monitor.DriftOptions",
                ts_return_type = "monitor.DriftReport"
            )]
            pub fn drift(
                &self,
                table: napi::bindgen_prelude::Object,
                options: Option<crate::convert::Obj<crate::monitor::DriftOptions>>,
            ) -> Result<crate::monitor::DriftReport> {
                let options = options.map(|o| o.0);
                crate::monitor::model_drift(&*self.inner, &table, options)
            }
        }
    };
}
pub(crate) use monitored_model_methods;
