//! Python functions for `nps_core::monitor` (the core of `nps.monitor`): drift, the
//! reference summary, performance per period, DeLong, recalibration. Columns cross as
//! (name, values): a float64 numpy array read in place, or a list of str/None; reports cross
//! as the core's JSON, which `nps.monitor` turns into frames.
use nps_core::monitor::{self as core, Column, DriftOptions, PerformanceOptions, Recalibration, ReferenceSummary};
use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::convert::{floats, labels};
use crate::error::IntoPy;

/// One input as Python passes it: a float64 array (numeric) or a list of str/None.
#[derive(FromPyObject)]
enum PyValues<'py> {
    Numeric(PyReadonlyArray1<'py, f64>),
    Categorical(Vec<Option<String>>),
}

type PyColumns<'py> = Vec<(String, PyValues<'py>)>;

/// The core's columns borrowing the Python arrays.
fn columns<'a>(cols: &'a PyColumns<'_>) -> PyResult<Vec<Column<'a>>> {
    cols.iter()
        .map(|(name, v)| {
            Ok(match v {
                PyValues::Numeric(a) => Column::numeric(name, a.as_slice()?),
                PyValues::Categorical(c) => Column::categorical(name, c),
            })
        })
        .collect()
}

/// The drift report (JSON) of `current` against the `reference` rows.
#[pyfunction]
#[pyo3(signature = (reference, current, bins, moderate, major))]
fn _drift(
    py: Python<'_>,
    reference: PyColumns<'_>,
    current: PyColumns<'_>,
    bins: usize,
    moderate: f64,
    major: f64,
) -> PyResult<String> {
    let (r, c) = (columns(&reference)?, columns(&current)?);
    let options = DriftOptions { bins, moderate, major };
    Ok(py.detach(|| core::drift(&r, &c, &options)).py()?.to_json())
}

/// The drift report (JSON) of `current` against a reference summary (JSON).
#[pyfunction]
#[pyo3(signature = (summary, current, moderate, major))]
fn _drift_from_summary(
    py: Python<'_>,
    summary: &str,
    current: PyColumns<'_>,
    moderate: f64,
    major: f64,
) -> PyResult<String> {
    let s = ReferenceSummary::from_json(summary).py()?;
    let c = columns(&current)?;
    let options = DriftOptions { moderate, major, ..DriftOptions::default() };
    Ok(py.detach(|| s.compare(&c, &options)).py()?.to_json())
}

/// The reference summary (JSON) of `reference`.
#[pyfunction]
#[pyo3(signature = (reference, bins))]
fn _reference_summary(py: Python<'_>, reference: PyColumns<'_>, bins: usize) -> PyResult<String> {
    let r = columns(&reference)?;
    Ok(py.detach(|| ReferenceSummary::build(&r, bins)).py()?.to_json())
}

/// Checks a reference summary (JSON) and gives it back as the core writes it.
#[pyfunction]
fn _check_reference_summary(summary: &str) -> PyResult<String> {
    Ok(ReferenceSummary::from_json(summary).py()?.to_json())
}

/// Performance per period (JSON rows).
#[pyfunction]
#[allow(clippy::too_many_arguments)]
#[pyo3(signature = (y, p, period, order, level, lift_bins, alpha, citl_tolerance, slope_low, slope_high))]
fn _performance(
    py: Python<'_>,
    y: &Bound<'_, PyAny>,
    p: &Bound<'_, PyAny>,
    period: Vec<String>,
    order: Option<Vec<String>>,
    level: f64,
    lift_bins: usize,
    alpha: f64,
    citl_tolerance: f64,
    slope_low: f64,
    slope_high: f64,
) -> PyResult<String> {
    let (y, p) = (labels(y, "y")?, floats(p, "p")?);
    let options = PerformanceOptions { level, lift_bins, alpha, citl_tolerance, slope_low, slope_high };
    let rows = py.detach(|| core::performance(&y, &p, &period, order.as_deref(), &options)).py()?;
    Ok(serde_json::to_string(&rows).expect("rows serialise"))
}

/// DeLong's paired test of two scores' AUCs.
#[pyfunction]
#[pyo3(signature = (y, score_a, score_b))]
fn _delong_test<'py>(
    py: Python<'py>,
    y: &Bound<'py, PyAny>,
    score_a: &Bound<'py, PyAny>,
    score_b: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyDict>> {
    let (y, a, b) = (labels(y, "y")?, floats(score_a, "score_a")?, floats(score_b, "score_b")?);
    let t = py.detach(|| core::delong_test(&y, &a, &b)).py()?;
    let d = PyDict::new(py);
    d.set_item("auc_a", t.auc_a)?;
    d.set_item("auc_b", t.auc_b)?;
    d.set_item("difference", t.difference)?;
    d.set_item("se", t.se)?;
    d.set_item("z", t.z)?;
    d.set_item("p_value", t.p_value)?;
    Ok(d)
}

/// The AUC with DeLong's standard error and interval: (auc, se, lower, upper).
#[pyfunction]
#[pyo3(signature = (y, score, level))]
fn _auc_interval(y: &Bound<'_, PyAny>, score: &Bound<'_, PyAny>, level: f64) -> PyResult<(f64, f64, f64, f64)> {
    let r = core::auc_interval(&labels(y, "y")?, &floats(score, "score")?, level).py()?;
    Ok((r.auc, r.se, r.lower, r.upper))
}

/// The two-sample KS statistic and its asymptotic p-value (NaN values left out).
#[pyfunction]
#[pyo3(signature = (a, b))]
fn _ks_2samp(a: &Bound<'_, PyAny>, b: &Bound<'_, PyAny>) -> PyResult<(f64, f64)> {
    Ok(core::ks_2samp(&floats(a, "a")?, &floats(b, "b")?))
}

/// The PSI of two aligned share vectors.
#[pyfunction]
#[pyo3(signature = (reference, current))]
fn _psi(reference: Vec<f64>, current: Vec<f64>) -> PyResult<f64> {
    if reference.len() != current.len() {
        return Err(nps_core::NpsError::LengthMismatch {
            field: "current".into(),
            actual: current.len(),
            other: "reference".into(),
            expected: reference.len(),
        })
        .py();
    }
    Ok(core::psi(&reference, &current))
}

/// The champion-and-challenger decision (JSON) from both models' probabilities on the
/// same labelled rows.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
#[pyo3(signature = (y, champion, challenger, champion_id, challenger_id, alpha, auc_margin, brier_margin, lift_bins, decided_at))]
fn _compare_scores(
    py: Python<'_>,
    y: &Bound<'_, PyAny>,
    champion: &Bound<'_, PyAny>,
    challenger: &Bound<'_, PyAny>,
    champion_id: &str,
    challenger_id: &str,
    alpha: f64,
    auc_margin: f64,
    brier_margin: f64,
    lift_bins: usize,
    decided_at: Option<String>,
) -> PyResult<String> {
    let (y, a, b) = (labels(y, "y")?, floats(champion, "champion")?, floats(challenger, "challenger")?);
    let rule = core::PromotionRule { alpha, auc_margin, brier_margin, lift_bins };
    let mut d = py.detach(|| core::compare_scores(&y, &a, &b, champion_id, challenger_id, &rule)).py()?;
    d.decided_at = decided_at;
    Ok(d.to_json())
}

/// The retrain advice (JSON) from a drift report and performance rows (both as the core
/// writes them), the AUC at training and the model's age.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
#[pyo3(signature = (drift, performance, training_auc, age_days, moderate_inputs, auc_drop, calibration_periods, max_age_days))]
fn _retrain_policy(
    drift: Option<&str>,
    performance: Option<&str>,
    training_auc: Option<f64>,
    age_days: Option<f64>,
    moderate_inputs: usize,
    auc_drop: f64,
    calibration_periods: usize,
    max_age_days: f64,
) -> PyResult<String> {
    let report: Option<core::DriftReport> = drift
        .map(serde_json::from_str)
        .transpose()
        .map_err(|e| nps_core::NpsError::invalid("drift", e, "a drift report (DriftReport.to_json())"))
        .py()?;
    let rows: Option<Vec<core::PeriodPerformance>> = performance
        .map(serde_json::from_str)
        .transpose()
        .map_err(|e| nps_core::NpsError::invalid("performance", e, "performance rows (monitor.performance)"))
        .py()?;
    let policy = core::RetrainPolicy { moderate_inputs, auc_drop, calibration_periods, max_age_days };
    let evidence =
        core::RetrainEvidence { drift: report.as_ref(), performance: rows.as_deref(), training_auc, age_days };
    Ok(policy.advise(&evidence).py()?.to_json())
}

/// A fitted recalibration (see `nps.monitor.Recalibrator`).
#[pyclass(module = "nps._nps", name = "_Recalibration", frozen)]
pub struct PyRecalibration(pub Recalibration);

#[pymethods]
impl PyRecalibration {
    /// Fits `method` ("platt" or "isotonic") from outcomes `y` and probabilities `p`.
    #[staticmethod]
    #[pyo3(signature = (method, y, p, sample_weight))]
    fn fit(
        py: Python<'_>,
        method: &str,
        y: &Bound<'_, PyAny>,
        p: &Bound<'_, PyAny>,
        sample_weight: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let (y, p) = (labels(y, "y")?, floats(p, "p")?);
        let w = sample_weight.map(|w| floats(w, "sample_weight")).transpose()?;
        Ok(PyRecalibration(py.detach(|| Recalibration::fit(method, &y, &p, w.as_deref())).py()?))
    }

    /// The calibrated probabilities.
    fn apply<'py>(&self, py: Python<'py>, p: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyArray1<f64>>> {
        Ok(self.0.apply(&floats(p, "p")?).py()?.into_pyarray(py))
    }

    /// Reads a saved recalibration.
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        Ok(PyRecalibration(Recalibration::from_json(text).py()?))
    }

    /// As JSON.
    fn to_json(&self) -> String {
        self.0.to_json()
    }

    /// "platt" or "isotonic".
    #[getter]
    fn method(&self) -> &'static str {
        self.0.method()
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("MONITOR_DEFAULT_BINS", core::DEFAULT_BINS)?;
    m.add("MONITOR_MODERATE_PSI", core::DEFAULT_MODERATE_PSI)?;
    m.add("MONITOR_MAJOR_PSI", core::DEFAULT_MAJOR_PSI)?;
    m.add("MONITOR_PSI_EPSILON", core::PSI_EPSILON)?;
    m.add("MONITOR_LIFT_BINS", core::DEFAULT_LIFT_BINS)?;
    m.add("MONITOR_CITL_TOLERANCE", core::DEFAULT_CITL_TOLERANCE)?;
    m.add("MONITOR_SLOPE_LOW", core::DEFAULT_SLOPE_LOW)?;
    m.add("MONITOR_SLOPE_HIGH", core::DEFAULT_SLOPE_HIGH)?;
    m.add("MONITOR_PROMOTION_ALPHA", core::DEFAULT_PROMOTION_ALPHA)?;
    m.add("MONITOR_AUC_MARGIN", core::DEFAULT_AUC_MARGIN)?;
    m.add("MONITOR_BRIER_MARGIN", core::DEFAULT_BRIER_MARGIN)?;
    m.add("MONITOR_PROMOTION_LIFT_BINS", core::DEFAULT_PROMOTION_LIFT_BINS)?;
    m.add("MONITOR_MODERATE_INPUTS", core::DEFAULT_MODERATE_INPUTS)?;
    m.add("MONITOR_AUC_DROP", core::DEFAULT_AUC_DROP)?;
    m.add("MONITOR_CALIBRATION_PERIODS", core::DEFAULT_CALIBRATION_PERIODS)?;
    m.add("MONITOR_MAX_AGE_DAYS", core::DEFAULT_MAX_AGE_DAYS)?;
    m.add_function(wrap_pyfunction!(_compare_scores, m)?)?;
    m.add_function(wrap_pyfunction!(_retrain_policy, m)?)?;
    m.add_function(wrap_pyfunction!(_drift, m)?)?;
    m.add_function(wrap_pyfunction!(_drift_from_summary, m)?)?;
    m.add_function(wrap_pyfunction!(_reference_summary, m)?)?;
    m.add_function(wrap_pyfunction!(_check_reference_summary, m)?)?;
    m.add_function(wrap_pyfunction!(_performance, m)?)?;
    m.add_function(wrap_pyfunction!(_delong_test, m)?)?;
    m.add_function(wrap_pyfunction!(_auc_interval, m)?)?;
    m.add_function(wrap_pyfunction!(_ks_2samp, m)?)?;
    m.add_function(wrap_pyfunction!(_psi, m)?)?;
    m.add_class::<PyRecalibration>()?;
    Ok(())
}

/// `#[pymethods] impl $class { … }` of a churn model class (`ChurnModel`,
/// `BoostedChurnModel`): the class's own methods, given, then those both answer alike,
/// written once: P(churn) of a table or a matrix, the inputs, the file, and the monitoring
/// methods (the reference summary, recalibration, lineage and id, drift, the raw
/// probabilities). pyo3 takes one `#[pymethods]` block per class, so the block is built
/// here around the class's own methods; Node's `model::scoring_methods!` and
/// `monitor::monitored_model_methods!` are the same lists. Each class wraps its core model
/// as `self.0`.
macro_rules! churn_pymethods {
    ($class:ident { $($own:tt)* }) => {
        #[pyo3::pymethods]
        impl $class {
            $($own)*

            /// P(churn) of each row of a table.
            fn predict_proba<'py>(
                &self,
                py: Python<'py>,
                names: Vec<String>,
                columns: &Bound<'py, pyo3::types::PyList>,
            ) -> PyResult<Bound<'py, numpy::PyArray1<f64>>> {
                let table = $crate::encode::raw_table(names, columns)?;
                let p = py.detach(|| self.0.predict_proba(&table)).py()?;
                Ok(numpy::IntoPyArray::into_pyarray(p, py))
            }

            /// P(churn) of each row of a float64 matrix whose columns are `names` (read in
            /// place, C or Fortran order), returned without a copy.
            fn predict_proba_matrix<'py>(
                &self,
                py: Python<'py>,
                x: numpy::PyReadonlyArray2<'py, f64>,
                names: Vec<String>,
            ) -> PyResult<Bound<'py, numpy::PyArray1<f64>>> {
                let view = x.as_array();
                let p = py.detach(|| self.0.predict_proba_matrix(view, &names)).py()?;
                Ok(numpy::IntoPyArray::into_pyarray(p, py))
            }

            /// The named inputs.
            #[getter]
            fn inputs(&self) -> Vec<String> {
                self.0.inputs.clone()
            }

            fn set_metric(&mut self, name: String, value: f64) {
                self.0.training.metrics.insert(name, value);
            }

            fn to_json(&self) -> String {
                self.0.to_json()
            }

            /// The reference summary recorded at fit (JSON), or None.
            #[getter]
            fn reference_summary_json(&self) -> Option<String> {
                self.0.monitoring.reference_summary.as_ref().map(|s| s.to_json())
            }

            /// The recalibration applied to the probabilities (JSON), or None.
            #[getter]
            fn recalibration_json(&self) -> Option<String> {
                self.0.monitoring.recalibration.as_ref().map(|r| r.to_json())
            }

            /// The lineage (JSON), or None.
            #[getter]
            fn lineage_json(&self) -> Option<String> {
                self.0.monitoring.lineage.as_ref().map(|l| l.to_json())
            }

            /// The model's id (a content hash of its file).
            #[getter]
            fn model_id(&self) -> String {
                self.0.id()
            }

            /// Sets (or removes, with None) the reference summary, the recalibration and the
            /// lineage, each as JSON, checked by the core.
            #[pyo3(signature = (reference_summary, recalibration, lineage))]
            fn set_monitoring(
                &mut self,
                reference_summary: Option<&str>,
                recalibration: Option<&str>,
                lineage: Option<&str>,
            ) -> pyo3::PyResult<()> {
                use nps_core::monitor::{Lineage, ModelMonitoring, Recalibration, ReferenceSummary};
                use $crate::error::IntoPy;
                let r = reference_summary.map(ReferenceSummary::from_json).transpose().py()?;
                let c = recalibration.map(Recalibration::from_json).transpose().py()?;
                let l = lineage.map(Lineage::from_json).transpose().py()?;
                let next = ModelMonitoring { reference_summary: r, recalibration: c, lineage: l };
                self.0.monitoring.set(next).py()
            }

            /// Fits and keeps a recalibration of raw probabilities `p` to outcomes `y`.
            fn recalibrate(
                &mut self,
                method: &str,
                y: &pyo3::Bound<'_, pyo3::PyAny>,
                p: &pyo3::Bound<'_, pyo3::PyAny>,
            ) -> pyo3::PyResult<()> {
                use $crate::error::IntoPy;
                let (y, p) = ($crate::convert::labels(y, "y")?, $crate::convert::floats(p, "p")?);
                self.0.monitoring.recalibrate(method, &y, &p).py()
            }

            /// Records a promotion decision (JSON) in the lineage.
            fn record_decision(&mut self, decision: &str) -> pyo3::PyResult<()> {
                use $crate::error::IntoPy;
                self.0.monitoring.record_decision(&nps_core::monitor::PromotionDecision::from_json(decision).py()?);
                Ok(())
            }

            /// The drift report (JSON) of a table against the stored reference summary.
            fn drift(
                &self,
                py: pyo3::Python<'_>,
                names: Vec<String>,
                columns: &pyo3::Bound<'_, pyo3::types::PyList>,
                moderate: f64,
                major: f64,
            ) -> pyo3::PyResult<String> {
                use $crate::error::IntoPy;
                let table = $crate::encode::raw_table(names, columns)?;
                let options = nps_core::monitor::DriftOptions { moderate, major, ..Default::default() };
                Ok(py.detach(|| self.0.drift(&table, &options)).py()?.to_json())
            }

            /// The probabilities before any recalibration.
            fn raw_proba<'py>(
                &self,
                py: pyo3::Python<'py>,
                names: Vec<String>,
                columns: &pyo3::Bound<'py, pyo3::types::PyList>,
            ) -> pyo3::PyResult<pyo3::Bound<'py, numpy::PyArray1<f64>>> {
                use numpy::IntoPyArray;
                use $crate::error::IntoPy;
                let table = $crate::encode::raw_table(names, columns)?;
                let p = py.detach(|| self.0.raw_proba(&table)).py()?;
                Ok(p.into_pyarray(py))
            }
        }
    };
}
pub(crate) use churn_pymethods;
