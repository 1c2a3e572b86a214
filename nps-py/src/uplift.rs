//! Python functions for `nps_core::uplift` (the core of `nps.uplift`): curves, the Qini
//! coefficient, uplift at k, customers saved, targeting by uplift × value, and the uplift
//! models. Arrays cross as float64 numpy arrays read in place; names as the core spells them.
use nps_core::uplift::{self as core, Outcome, UpliftInputs, UpliftLearner, UpliftModel, UpliftStrategy};
use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::encode::{raw_table, specs as parse_specs};
use crate::error::IntoPy;

fn curve<'py>(py: Python<'py>, c: core::UpliftCurve) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("targeted", c.targeted.into_pyarray(py))?;
    d.set_item("fraction", c.fraction.into_pyarray(py))?;
    d.set_item("incremental", c.incremental.into_pyarray(py))?;
    Ok(d)
}

/// The Qini curve (dict of arrays: targeted, fraction, incremental).
#[pyfunction]
fn _qini_curve<'py>(
    py: Python<'py>,
    y: PyReadonlyArray1<'py, f64>,
    treated: PyReadonlyArray1<'py, f64>,
    score: PyReadonlyArray1<'py, f64>,
    outcome: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let outcome = Outcome::named(outcome).py()?;
    curve(py, core::qini_curve(y.as_slice()?, treated.as_slice()?, score.as_slice()?, outcome).py()?)
}

/// The uplift curve (dict of arrays: targeted, fraction, incremental).
#[pyfunction]
fn _uplift_curve<'py>(
    py: Python<'py>,
    y: PyReadonlyArray1<'py, f64>,
    treated: PyReadonlyArray1<'py, f64>,
    score: PyReadonlyArray1<'py, f64>,
    outcome: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let outcome = Outcome::named(outcome).py()?;
    curve(py, core::uplift_curve(y.as_slice()?, treated.as_slice()?, score.as_slice()?, outcome).py()?)
}

/// The Qini coefficient: (coefficient, area, perfect_area).
#[pyfunction]
fn _qini_coefficient(
    y: PyReadonlyArray1<'_, f64>,
    treated: PyReadonlyArray1<'_, f64>,
    score: PyReadonlyArray1<'_, f64>,
    outcome: &str,
) -> PyResult<(f64, f64, f64)> {
    let outcome = Outcome::named(outcome).py()?;
    let q = core::qini_coefficient(y.as_slice()?, treated.as_slice()?, score.as_slice()?, outcome).py()?;
    Ok((q.coefficient, q.area, q.perfect_area))
}

/// The difference in retention rate between treated and control in the top k.
#[pyfunction]
fn _uplift_at(
    y: PyReadonlyArray1<'_, f64>,
    treated: PyReadonlyArray1<'_, f64>,
    score: PyReadonlyArray1<'_, f64>,
    k: f64,
    strategy: &str,
    outcome: &str,
) -> PyResult<f64> {
    let (strategy, outcome) = (UpliftStrategy::named(strategy).py()?, Outcome::named(outcome).py()?);
    core::uplift_at(y.as_slice()?, treated.as_slice()?, score.as_slice()?, k, strategy, outcome).py()
}

fn saved<'py>(py: Python<'py>, s: core::SavedPerContacts) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("k", s.k)?;
    d.set_item("contacts", s.contacts)?;
    d.set_item("targeted", s.targeted)?;
    d.set_item("uplift", s.uplift)?;
    d.set_item("customers", s.customers)?;
    d.set_item("value", s.value)?;
    Ok(d)
}

/// Customers (and value) saved per `contacts` contacts, measured on a campaign.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn _saved_per_contacts<'py>(
    py: Python<'py>,
    y: PyReadonlyArray1<'py, f64>,
    treated: PyReadonlyArray1<'py, f64>,
    score: PyReadonlyArray1<'py, f64>,
    k: f64,
    value: Option<PyReadonlyArray1<'py, f64>>,
    contacts: f64,
    outcome: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let outcome = Outcome::named(outcome).py()?;
    let v = value.as_ref().map(|v| v.as_slice()).transpose()?;
    let s = core::saved_per_contacts(y.as_slice()?, treated.as_slice()?, score.as_slice()?, k, v, contacts, outcome);
    saved(py, s.py()?)
}

/// Customers (and value) a model expects to save per `contacts` contacts.
#[pyfunction]
fn _expected_saved<'py>(
    py: Python<'py>,
    uplift: PyReadonlyArray1<'py, f64>,
    value: Option<PyReadonlyArray1<'py, f64>>,
    k: f64,
    contacts: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let v = value.as_ref().map(|v| v.as_slice()).transpose()?;
    saved(py, core::expected_saved(uplift.as_slice()?, v, k, contacts).py()?)
}

/// Customers ranked by predicted uplift × value net of the cost (dict of arrays and totals).
#[pyfunction]
fn _rank_by_uplift<'py>(
    py: Python<'py>,
    uplift: PyReadonlyArray1<'py, f64>,
    value: PyReadonlyArray1<'py, f64>,
    cost: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let p = core::rank_by_uplift(uplift.as_slice()?, value.as_slice()?, cost).py()?;
    let d = PyDict::new(py);
    d.set_item("saved_value", p.saved_value.into_pyarray(py))?;
    d.set_item("net_value", p.net_value.into_pyarray(py))?;
    d.set_item("order", p.order.into_pyarray(py))?;
    d.set_item("worth_contacting", p.worth_contacting)?;
    d.set_item("total_net_value", p.total_net_value)?;
    Ok(d)
}

/// A fitted uplift model (see `nps.uplift.TwoModel`, `nps.uplift.ClassTransformation`).
#[pyclass(module = "nps._nps", name = "_UpliftModel")]
pub struct PyUpliftModel(core::UpliftModel);

#[pymethods]
impl PyUpliftModel {
    #[staticmethod]
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (kind, x, names, y, treated, learner, options))]
    fn fit_matrix(
        py: Python<'_>,
        kind: &str,
        x: PyReadonlyArray2<'_, f64>,
        names: Vec<String>,
        y: PyReadonlyArray1<'_, f64>,
        treated: PyReadonlyArray1<'_, f64>,
        learner: &str,
        options: Option<&str>,
    ) -> PyResult<Self> {
        let learner = UpliftLearner::named(learner, options).py()?;
        let (x, y, t) = (x.as_array(), y.as_slice()?, treated.as_slice()?);
        let inputs = UpliftInputs::Matrix { x, names: &names };
        Ok(PyUpliftModel(py.detach(|| UpliftModel::fit(kind, &inputs, y, t, &learner)).py()?))
    }

    #[staticmethod]
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (kind, names, columns, y, treated, specs, learner, options))]
    fn fit(
        py: Python<'_>,
        kind: &str,
        names: Vec<String>,
        columns: &Bound<'_, PyList>,
        y: PyReadonlyArray1<'_, f64>,
        treated: PyReadonlyArray1<'_, f64>,
        specs: Vec<(String, String)>,
        learner: &str,
        options: Option<&str>,
    ) -> PyResult<Self> {
        let learner = UpliftLearner::named(learner, options).py()?;
        let table = raw_table(names, columns)?;
        let specs = parse_specs(specs)?;
        let (y, t) = (y.as_slice()?, treated.as_slice()?);
        let inputs = UpliftInputs::Table { table: &table, specs: &specs };
        Ok(PyUpliftModel(py.detach(|| UpliftModel::fit(kind, &inputs, y, t, &learner)).py()?))
    }

    fn predict_matrix<'py>(
        &self,
        py: Python<'py>,
        x: PyReadonlyArray2<'py, f64>,
        names: Vec<String>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let x = x.as_array();
        let u = py.detach(|| self.0.predict(&UpliftInputs::Matrix { x, names: &names })).py()?;
        Ok(u.into_pyarray(py))
    }

    fn predict<'py>(
        &self,
        py: Python<'py>,
        names: Vec<String>,
        columns: &Bound<'py, PyList>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let table = raw_table(names, columns)?;
        let u = py.detach(|| self.0.predict(&UpliftInputs::Table { table: &table, specs: &[] })).py()?;
        Ok(u.into_pyarray(py))
    }

    #[getter]
    fn kind(&self) -> &'static str {
        self.0.kind()
    }

    #[getter]
    fn inputs(&self) -> Vec<String> {
        self.0.inputs().to_vec()
    }

    fn to_json(&self) -> String {
        self.0.to_json()
    }

    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        Ok(PyUpliftModel(UpliftModel::from_json(text).py()?))
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_qini_curve, m)?)?;
    m.add_function(wrap_pyfunction!(_uplift_curve, m)?)?;
    m.add_function(wrap_pyfunction!(_qini_coefficient, m)?)?;
    m.add_function(wrap_pyfunction!(_uplift_at, m)?)?;
    m.add_function(wrap_pyfunction!(_saved_per_contacts, m)?)?;
    m.add_function(wrap_pyfunction!(_expected_saved, m)?)?;
    m.add_function(wrap_pyfunction!(_rank_by_uplift, m)?)?;
    m.add_class::<PyUpliftModel>()?;
    m.add("UPLIFT_DEFAULT_CONTACTS", core::DEFAULT_CONTACTS)?;
    m.add("UPLIFT_DEFAULT_LEARNER", core::DEFAULT_UPLIFT_LEARNER)?;
    Ok(())
}
