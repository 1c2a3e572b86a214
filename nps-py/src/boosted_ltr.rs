//! Python class for `nps_core::early_warning::BoostedLtrModel`: the core of
//! `nps.BoostedLtrModel` (the estimator, with scikit-learn's conventions, is in
//! `nps/early_warning.py`). Options cross as the core's `BoostingOptions` in JSON, as for
//! `nps.BoostedChurnModel`.
use nps_core::early_warning::BoostedLtrModel;
use numpy::{PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;
use pyo3::types::PyList;

use crate::boosted::options;
use crate::encode::{raw_table, specs as parse_specs};
use crate::error::IntoPy;

/// A trained boosted likelihood-to-recommend model (see `nps.BoostedLtrModel`).
#[pyclass(module = "nps._nps", name = "_BoostedLtrModel")]
pub struct PyBoostedLtrModel(pub BoostedLtrModel);

crate::early_warning::ltr_pymethods!(PyBoostedLtrModel {
    /// Trains on a table of respondents (`names`, `columns`, `specs` as the logistic
    /// model's) and their 0–10 `scores`, with an optional evaluation table and its answers
    /// for early stopping.
    #[staticmethod]
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (names, columns, scores, sample_weight, specs, eval_columns, eval_scores, options_json))]
    fn fit(
        py: Python<'_>,
        names: Vec<String>,
        columns: &Bound<'_, PyList>,
        scores: PyReadonlyArray1<'_, f64>,
        sample_weight: Option<PyReadonlyArray1<'_, f64>>,
        specs: Vec<(String, String)>,
        eval_columns: Option<&Bound<'_, PyList>>,
        eval_scores: Option<PyReadonlyArray1<'_, f64>>,
        options_json: &str,
    ) -> PyResult<Self> {
        let eval_table = eval_columns.map(|c| raw_table(names.clone(), c)).transpose()?;
        let table = raw_table(names, columns)?;
        let specs = parse_specs(specs)?;
        let options = options(options_json)?;
        let s = scores.as_slice()?;
        let w = sample_weight.as_ref().map(|w| w.as_slice()).transpose()?;
        let es = eval_scores.as_ref().map(|e| e.as_slice()).transpose()?;
        let eval = eval_table.as_ref().zip(es);
        Ok(PyBoostedLtrModel(py.detach(|| BoostedLtrModel::fit(&table, s, w, &specs, eval, &options)).py()?))
    }

    /// Trains on a numeric matrix whose columns are named `names` (NaN missing).
    #[staticmethod]
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (x, names, scores, sample_weight, eval_x, eval_scores, options_json))]
    fn fit_matrix(
        py: Python<'_>,
        x: PyReadonlyArray2<'_, f64>,
        names: Vec<String>,
        scores: PyReadonlyArray1<'_, f64>,
        sample_weight: Option<PyReadonlyArray1<'_, f64>>,
        eval_x: Option<PyReadonlyArray2<'_, f64>>,
        eval_scores: Option<PyReadonlyArray1<'_, f64>>,
        options_json: &str,
    ) -> PyResult<Self> {
        let options = options(options_json)?;
        let (x, s) = (x.as_array(), scores.as_slice()?);
        let w = sample_weight.as_ref().map(|w| w.as_slice()).transpose()?;
        let eval = match (&eval_x, &eval_scores) {
            (Some(ex), Some(es)) => Some((ex.as_array(), es.as_slice()?)),
            _ => None,
        };
        Ok(PyBoostedLtrModel(py.detach(|| BoostedLtrModel::fit_matrix(x, &names, s, w, eval, &options)).py()?))
    }

    /// ln(P(detractor) / P(promoter)) before any input is known (the attribution's baseline).
    #[getter]
    fn detractor_baseline(&self) -> f64 {
        self.0.detractor_baseline()
    }

    /// The training options (the core's `BoostingOptions`) as JSON.
    #[getter]
    fn options_json(&self) -> String {
        serde_json::to_string(&self.0.options).expect("options serialise")
    }

    /// The training metadata as JSON.
    #[getter]
    fn training_json(&self) -> String {
        serde_json::to_string(&self.0.training).expect("plain data")
    }

    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        Ok(PyBoostedLtrModel(BoostedLtrModel::from_json(text).py()?))
    }
});

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyBoostedLtrModel>()?;
    Ok(())
}
