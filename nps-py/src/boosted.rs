//! Python class for `nps_core::model::boosted`: the core of `nps.BoostedChurnModel` (the
//! estimator, with scikit-learn's conventions, is in `nps/model.py`). Options cross as the
//! core's `BoostingOptions` in JSON, so every default and check is the core's.
use nps_core::model::boosted::{BoostedChurnModel, BoostingOptions, EvalSet};
use numpy::{IntoPyArray, PyArray1, PyArray2, PyArray3, PyReadonlyArray1, PyReadonlyArray2, ToPyArray};
use pyo3::prelude::*;
use pyo3::types::PyList;

use crate::encode::{raw_table, specs as parse_specs};
use crate::error::{error, IntoPy};

pub(crate) fn options(json: &str) -> PyResult<BoostingOptions> {
    serde_json::from_str(json).map_err(|e| error("INVALID_PARAMETER", format!("boosting options: {e}")))
}

/// A trained boosted churn model (see `nps.BoostedChurnModel`).
#[pyclass(module = "nps._nps", name = "_BoostedChurnModel")]
pub struct PyBoostedChurnModel(pub BoostedChurnModel);

crate::monitor::churn_pymethods!(PyBoostedChurnModel {
    /// Trains on a table (`names`, `columns`, `specs` as the logistic model's), with an
    /// optional evaluation table for early stopping.
    #[staticmethod]
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (names, columns, y, sample_weight, specs, eval_columns, eval_y, options_json,
                        record_reference=nps_core::monitor::DEFAULT_RECORD_REFERENCE))]
    fn fit(
        py: Python<'_>,
        names: Vec<String>,
        columns: &Bound<'_, PyList>,
        y: PyReadonlyArray1<'_, f64>,
        sample_weight: Option<PyReadonlyArray1<'_, f64>>,
        specs: Vec<(String, String)>,
        eval_columns: Option<&Bound<'_, PyList>>,
        eval_y: Option<PyReadonlyArray1<'_, f64>>,
        options_json: &str,
        record_reference: bool,
    ) -> PyResult<Self> {
        let table = raw_table(names.clone(), columns)?;
        let eval_table = eval_columns.map(|c| raw_table(names, c)).transpose()?;
        let specs = parse_specs(specs)?;
        let options = BoostingOptions { record_reference, ..options(options_json)? };
        let y = y.as_slice()?;
        let w = sample_weight.as_ref().map(|w| w.as_slice()).transpose()?;
        let ey = eval_y.as_ref().map(|e| e.as_slice()).transpose()?;
        let eval = eval_table.as_ref().zip(ey);
        Ok(PyBoostedChurnModel(py.detach(|| BoostedChurnModel::fit(&table, y, w, &specs, eval, &options)).py()?))
    }

    /// Trains on a float64 matrix whose columns are `names`, read in place.
    #[staticmethod]
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (x, names, y, sample_weight, eval_x, eval_y, options_json,
                        record_reference=nps_core::monitor::DEFAULT_RECORD_REFERENCE))]
    fn fit_matrix(
        py: Python<'_>,
        x: PyReadonlyArray2<'_, f64>,
        names: Vec<String>,
        y: PyReadonlyArray1<'_, f64>,
        sample_weight: Option<PyReadonlyArray1<'_, f64>>,
        eval_x: Option<PyReadonlyArray2<'_, f64>>,
        eval_y: Option<PyReadonlyArray1<'_, f64>>,
        options_json: &str,
        record_reference: bool,
    ) -> PyResult<Self> {
        let options = BoostingOptions { record_reference, ..options(options_json)? };
        let (x, y) = (x.as_array(), y.as_slice()?);
        let w = sample_weight.as_ref().map(|w| w.as_slice()).transpose()?;
        let eval = match (&eval_x, &eval_y) {
            (Some(ex), Some(ey)) => Some(EvalSet { x: ex.as_array(), y: ey.as_slice()?, sample_weight: None }),
            _ => None,
        };
        Ok(PyBoostedChurnModel(py.detach(|| BoostedChurnModel::fit_matrix(x, &names, y, w, eval, &options)).py()?))
    }

    /// The rows of a table as the trees read them (codes for categories, NaN missing).
    fn tree_rows<'py>(
        &self,
        py: Python<'py>,
        names: Vec<String>,
        columns: &Bound<'py, PyList>,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let table = raw_table(names, columns)?;
        Ok(py.detach(|| self.0.tree_rows(&table)).py()?.into_pyarray(py))
    }

    /// The rows of a float64 matrix whose columns are `names` as the trees read them.
    fn tree_rows_matrix<'py>(
        &self,
        py: Python<'py>,
        x: PyReadonlyArray2<'py, f64>,
        names: Vec<String>,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let view = x.as_array();
        Ok(py.detach(|| self.0.tree_rows_matrix(view, &names)).py()?.into_pyarray(py))
    }

    /// Log-odds of each tree row.
    fn raw_scores<'py>(
        &self,
        py: Python<'py>,
        rows: PyReadonlyArray2<'py, f64>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let view = rows.as_array();
        Ok(py.detach(|| self.0.raw_scores(view)).py()?.into_pyarray(py))
    }

    /// Contributions of each tree row: rows × (inputs + 1), the expected value last.
    fn contributions<'py>(
        &self,
        py: Python<'py>,
        rows: PyReadonlyArray2<'py, f64>,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let view = rows.as_array();
        Ok(py.detach(|| self.0.contributions(view)).py()?.into_pyarray(py))
    }

    /// Interaction values of each tree row: rows × (inputs + 1) × (inputs + 1).
    fn interactions<'py>(
        &self,
        py: Python<'py>,
        rows: PyReadonlyArray2<'py, f64>,
    ) -> PyResult<Bound<'py, PyArray3<f64>>> {
        let view = rows.as_array();
        Ok(py.detach(|| self.0.interactions_rows(view)).py()?.into_pyarray(py))
    }

    /// Per row: (probability, log-odds, expected value, [(name, contribution, value,
    /// typical, mix)] of the `top` factors raising the risk, the same for those lowering it).
    fn explain(
        &self,
        py: Python<'_>,
        names: Vec<String>,
        columns: &Bound<'_, PyList>,
        top: usize,
    ) -> PyResult<Vec<crate::model::ExplanationTuple>> {
        let table = raw_table(names, columns)?;
        let scratch = nps_core::model::boosted::BoostedScratch::default();
        crate::model::explain_rows(py, &self.0.inputs, &table, scratch, |cells, scratch| {
            self.0.explain_cells(cells, top, scratch)
        })
    }

    #[getter]
    fn expected_value(&self) -> f64 {
        self.0.expected_value
    }

    /// Gain and split counts per input.
    fn importance<'py>(&self, py: Python<'py>) -> (Bound<'py, PyArray1<f64>>, Vec<usize>) {
        let imp = self.0.importance();
        (imp.gain.to_pyarray(py), imp.splits)
    }

    /// Each input's kind: "numeric", "categorical" or "boolean".
    #[getter]
    fn kinds(&self) -> Vec<&'static str> {
        use nps_core::encode::EncodedColumn;
        self.0
            .encoder
            .columns
            .iter()
            .map(|c| match c {
                EncodedColumn::Numeric { .. } => "numeric",
                EncodedColumn::Categorical { .. } => "categorical",
                EncodedColumn::Boolean { .. } => "boolean",
            })
            .collect()
    }

    #[getter]
    fn options_json(&self) -> String {
        serde_json::to_string(&self.0.options).expect("options serialise")
    }

    #[staticmethod]
    fn from_lightgbm(text: &str) -> PyResult<Self> {
        Ok(PyBoostedChurnModel(BoostedChurnModel::from_lightgbm(text).py()?))
    }

    #[staticmethod]
    fn from_xgboost(text: &str) -> PyResult<Self> {
        Ok(PyBoostedChurnModel(BoostedChurnModel::from_xgboost(text).py()?))
    }

    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        Ok(PyBoostedChurnModel(BoostedChurnModel::from_json(text).py()?))
    }
});

/// The per-input monotone constraints of `named` in `inputs` order
/// (`BoostingOptions::monotone_by_name`).
#[pyfunction]
fn _monotone_by_name(inputs: Vec<String>, named: Vec<(String, f64)>) -> PyResult<Vec<i8>> {
    BoostingOptions::monotone_by_name(&inputs, &named).py()
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyBoostedChurnModel>()?;
    m.add_function(wrap_pyfunction!(_monotone_by_name, m)?)?;
    Ok(())
}
