//! Python functions for `nps_core::metrics` (`nps.metrics` builds DataFrames from the
//! tables).
use nps_core::metrics as core;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::convert::{floats, labels, scalar, scalars};
use crate::error::IntoPy;

/// The 0/1 labels of `y` with `pos_label` the positive class (the core's rule when None:
/// 1, True, or text reading yes/true; see `nps_core::metrics::binarize_labels`).
fn binary(y: &Bound<'_, PyAny>, pos_label: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<f64>> {
    let pos_label = pos_label.filter(|p| !p.is_none());
    if pos_label.is_none() {
        // 0/1 numbers and booleans as they are (the core names a NaN).
        let kind: String =
            y.py().import("numpy")?.call_method1("asarray", (y,))?.getattr("dtype")?.getattr("kind")?.extract()?;
        if matches!(kind.as_str(), "b" | "i" | "u" | "f") {
            let v = labels(y, "y")?;
            if v.iter().all(|&x| x == 0.0 || x == 1.0 || x.is_nan()) {
                return Ok(v);
            }
        }
    }
    let values = scalars(y, "y")?;
    let cells: Vec<_> = values.iter().map(|v| v.cell()).collect();
    let pos = pos_label.map(|p| scalar(p, "pos_label")).transpose()?;
    core::binarize_labels(&cells, pos.as_ref().map(|p| p.cell())).py()
}

fn inputs(
    y: &Bound<'_, PyAny>,
    p: &Bound<'_, PyAny>,
    field: &str,
    pos_label: Option<&Bound<'_, PyAny>>,
) -> PyResult<(Vec<f64>, Vec<f64>)> {
    Ok((binary(y, pos_label)?, floats(p, field)?))
}

fn weights(w: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Vec<f64>>> {
    w.map(|w| floats(w, "weights")).transpose()
}

/// A metric of 0/1 outcomes `y` and one number per customer (`score` or `p`), optionally
/// weighted: the four below differ only in their name, their second argument and their doc.
macro_rules! outcome_metric {
    ($(#[$doc:meta])* $name:ident($x:ident)) => {
        $(#[$doc])*
        #[pyfunction]
        #[pyo3(signature = (y, $x, sample_weight=None, *, pos_label=None))]
        fn $name(
            y: &Bound<'_, PyAny>,
            $x: &Bound<'_, PyAny>,
            sample_weight: Option<&Bound<'_, PyAny>>,
            pos_label: Option<&Bound<'_, PyAny>>,
        ) -> PyResult<f64> {
            let (y, x) = inputs(y, $x, stringify!($x), pos_label)?;
            core::$name(&y, &x, weights(sample_weight)?.as_deref()).py()
        }
    };
}

outcome_metric!(
    /// Area under the ROC curve (ties count one half).
    roc_auc(score)
);
outcome_metric!(
    /// Average precision (step-wise area under the precision-recall curve).
    average_precision(score)
);
outcome_metric!(
    /// Mean log loss (probabilities clipped to [eps, 1 - eps]).
    log_loss(p)
);
outcome_metric!(
    /// Mean squared difference between probability and outcome.
    brier(p)
);

/// The ROC curve: (fpr, tpr, thresholds), the first threshold +inf.
#[pyfunction]
#[pyo3(signature = (y, score, sample_weight=None, *, pos_label=None))]
#[allow(clippy::type_complexity)]
fn roc_curve(
    y: &Bound<'_, PyAny>,
    score: &Bound<'_, PyAny>,
    sample_weight: Option<&Bound<'_, PyAny>>,
    pos_label: Option<&Bound<'_, PyAny>>,
) -> PyResult<(Vec<f64>, Vec<f64>, Vec<f64>)> {
    let (y, s) = inputs(y, score, "score", pos_label)?;
    let r = core::roc_curve(&y, &s, weights(sample_weight)?.as_deref()).py()?;
    Ok((r.fpr, r.tpr, r.thresholds))
}

/// Confusion matrix and rates with rows positive at p >= threshold.
#[pyfunction]
#[pyo3(signature = (y, p, threshold=0.5, *, pos_label=None))]
fn threshold_metrics<'py>(
    py: Python<'py>,
    y: &Bound<'py, PyAny>,
    p: &Bound<'py, PyAny>,
    threshold: f64,
    pos_label: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let (y, p) = inputs(y, p, "p", pos_label)?;
    let t = core::threshold_metrics(&y, &p, threshold).py()?;
    let d = PyDict::new(py);
    d.set_item("threshold", t.threshold)?;
    d.set_item("tp", t.tp)?;
    d.set_item("fp", t.fp)?;
    d.set_item("tn", t.tn)?;
    d.set_item("fn", t.fn_)?;
    d.set_item("accuracy", t.accuracy)?;
    d.set_item("precision", t.precision)?;
    d.set_item("recall", t.recall)?;
    d.set_item("f1", t.f1)?;
    Ok(d)
}

/// The lift table as columns, and the base rate.
#[pyfunction]
#[pyo3(signature = (y, score, bins=10, *, pos_label=None))]
fn _lift_table<'py>(
    py: Python<'py>,
    y: &Bound<'py, PyAny>,
    score: &Bound<'py, PyAny>,
    bins: usize,
    pos_label: Option<&Bound<'py, PyAny>>,
) -> PyResult<(Bound<'py, PyDict>, f64)> {
    let (y, s) = inputs(y, score, "score", pos_label)?;
    let t = core::lift_table(&y, &s, bins).py()?;
    let d = PyDict::new(py);
    let r = &t.rows;
    d.set_item("bin", r.iter().map(|x| x.bin).collect::<Vec<_>>())?;
    d.set_item("customers", r.iter().map(|x| x.customers).collect::<Vec<_>>())?;
    d.set_item("positives", r.iter().map(|x| x.positives).collect::<Vec<_>>())?;
    d.set_item("rate", r.iter().map(|x| x.rate).collect::<Vec<_>>())?;
    d.set_item("lift", r.iter().map(|x| x.lift).collect::<Vec<_>>())?;
    d.set_item("cumulative_customers", r.iter().map(|x| x.cumulative_customers).collect::<Vec<_>>())?;
    d.set_item("cumulative_positives", r.iter().map(|x| x.cumulative_positives).collect::<Vec<_>>())?;
    d.set_item("cumulative_gain", r.iter().map(|x| x.cumulative_gain).collect::<Vec<_>>())?;
    d.set_item("cumulative_lift", r.iter().map(|x| x.cumulative_lift).collect::<Vec<_>>())?;
    Ok((d, t.base_rate))
}

/// The calibration table as columns (non-empty uniform bins).
#[pyfunction]
#[pyo3(signature = (y, p, bins=10, *, pos_label=None))]
fn _calibration_table<'py>(
    py: Python<'py>,
    y: &Bound<'py, PyAny>,
    p: &Bound<'py, PyAny>,
    bins: usize,
    pos_label: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let (y, p) = inputs(y, p, "p", pos_label)?;
    let rows = core::calibration_table(&y, &p, bins).py()?;
    let d = PyDict::new(py);
    d.set_item("lower", rows.iter().map(|x| x.lower).collect::<Vec<_>>())?;
    d.set_item("upper", rows.iter().map(|x| x.upper).collect::<Vec<_>>())?;
    d.set_item("count", rows.iter().map(|x| x.count).collect::<Vec<_>>())?;
    d.set_item("mean_predicted", rows.iter().map(|x| x.mean_predicted).collect::<Vec<_>>())?;
    d.set_item("observed_rate", rows.iter().map(|x| x.observed_rate).collect::<Vec<_>>())?;
    Ok(d)
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(roc_auc, m)?)?;
    m.add_function(wrap_pyfunction!(average_precision, m)?)?;
    m.add_function(wrap_pyfunction!(log_loss, m)?)?;
    m.add_function(wrap_pyfunction!(brier, m)?)?;
    m.add_function(wrap_pyfunction!(roc_curve, m)?)?;
    m.add_function(wrap_pyfunction!(threshold_metrics, m)?)?;
    m.add_function(wrap_pyfunction!(_lift_table, m)?)?;
    m.add_function(wrap_pyfunction!(_calibration_table, m)?)?;
    Ok(())
}
