//! Python class for `nps_core::model`: the core of `nps.ChurnModel` (the estimator itself,
//! with scikit-learn's conventions, is in `nps/model.py`).
use nps_core::model::{self as core, ChurnModelOptions, ClassWeight, LogisticOptions};
use numpy::{IntoPyArray, PyArray1, PyArray2, PyReadonlyArray1, PyReadonlyArray2, ToPyArray};
use pyo3::prelude::*;
use pyo3::types::PyList;

use crate::encode::{encoder_options, raw_table, specs as parse_specs, PyTableEncoder};
use crate::error::{error, IntoPy};

fn class_weight(value: &Bound<'_, PyAny>) -> PyResult<ClassWeight> {
    if value.is_none() {
        return Ok(ClassWeight::None);
    }
    if let Ok(s) = value.extract::<String>() {
        return s.parse().py();
    }
    let (negative, positive): (f64, f64) = value
        .extract()
        .map_err(|_| error("INVALID_PARAMETER", "class_weight must be None, 'balanced' or {0: w0, 1: w1}".into()))?;
    Ok(ClassWeight::Custom { negative, positive })
}

/// A class weighting (None, a name, or (negative, positive)) as the core's JSON, for the
/// options of the boosted estimators.
#[pyfunction]
fn _class_weight_json(value: &Bound<'_, PyAny>) -> PyResult<String> {
    Ok(serde_json::to_string(&class_weight(value)?).expect("a class weight serialises"))
}

/// The training options the estimators pass in (shared by the churn and LTR models).
#[allow(clippy::too_many_arguments)]
pub(crate) fn model_options(
    c: f64,
    fit_intercept: bool,
    tol: f64,
    max_iter: usize,
    class_weight: ClassWeight,
    unseen: &str,
    standardize: bool,
) -> PyResult<ChurnModelOptions> {
    Ok(ChurnModelOptions {
        logistic: LogisticOptions { c, fit_intercept, tol, max_iter, class_weight },
        encoder: encoder_options(unseen, standardize)?,
        ..ChurnModelOptions::default()
    })
}

/// A trained churn model (see `nps.ChurnModel`).
#[pyclass(module = "nps._nps", name = "_ChurnModel")]
pub struct PyChurnModel(pub core::ChurnModel);

crate::monitor::churn_pymethods!(PyChurnModel {
    #[staticmethod]
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (names, columns, y, sample_weight, specs, c, fit_intercept, tol, max_iter, class_weight, unseen, standardize,
                        record_reference=nps_core::monitor::DEFAULT_RECORD_REFERENCE))]
    fn fit(
        py: Python<'_>,
        names: Vec<String>,
        columns: &Bound<'_, PyList>,
        y: PyReadonlyArray1<'_, f64>,
        sample_weight: Option<PyReadonlyArray1<'_, f64>>,
        specs: Vec<(String, String)>,
        c: f64,
        fit_intercept: bool,
        tol: f64,
        max_iter: usize,
        class_weight: &Bound<'_, PyAny>,
        unseen: &str,
        standardize: bool,
        record_reference: bool,
    ) -> PyResult<Self> {
        let table = raw_table(names, columns)?;
        let options = ChurnModelOptions {
            record_reference,
            ..model_options(c, fit_intercept, tol, max_iter, self::class_weight(class_weight)?, unseen, standardize)?
        };
        let specs = parse_specs(specs)?;
        let y = y.as_slice()?;
        let w = sample_weight.as_ref().map(|w| w.as_slice()).transpose()?;
        Ok(PyChurnModel(py.detach(|| core::ChurnModel::fit(&table, y, w, &specs, &options)).py()?))
    }

    #[staticmethod]
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (x, names, y, sample_weight, c, fit_intercept, tol, max_iter, class_weight, unseen, standardize,
                        record_reference=nps_core::monitor::DEFAULT_RECORD_REFERENCE))]
    fn fit_matrix(
        py: Python<'_>,
        x: PyReadonlyArray2<'_, f64>,
        names: Vec<String>,
        y: PyReadonlyArray1<'_, f64>,
        sample_weight: Option<PyReadonlyArray1<'_, f64>>,
        c: f64,
        fit_intercept: bool,
        tol: f64,
        max_iter: usize,
        class_weight: &Bound<'_, PyAny>,
        unseen: &str,
        standardize: bool,
        record_reference: bool,
    ) -> PyResult<Self> {
        let options = ChurnModelOptions {
            record_reference,
            ..model_options(c, fit_intercept, tol, max_iter, self::class_weight(class_weight)?, unseen, standardize)?
        };
        let (x, y) = (x.as_array(), y.as_slice()?);
        let w = sample_weight.as_ref().map(|w| w.as_slice()).transpose()?;
        Ok(PyChurnModel(py.detach(|| core::ChurnModel::fit_matrix(x, &names, y, w, &options)).py()?))
    }

    fn decision_function<'py>(
        &self,
        py: Python<'py>,
        names: Vec<String>,
        columns: &Bound<'py, PyList>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let table = raw_table(names, columns)?;
        let z = py.detach(|| self.0.encode(&table).and_then(|x| self.0.decision_function(x.view()))).py()?;
        Ok(z.to_pyarray(py))
    }

    fn encode<'py>(
        &self,
        py: Python<'py>,
        names: Vec<String>,
        columns: &Bound<'py, PyList>,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let table = raw_table(names, columns)?;
        Ok(py.detach(|| self.0.encode(&table)).py()?.to_pyarray(py))
    }

    /// (contributions per input: rows × inputs, baseline log-odds, log-odds per row).
    #[allow(clippy::type_complexity)]
    fn contributions<'py>(
        &self,
        py: Python<'py>,
        names: Vec<String>,
        columns: &Bound<'py, PyList>,
    ) -> PyResult<(Bound<'py, PyArray2<f64>>, f64, Bound<'py, PyArray1<f64>>)> {
        let table = raw_table(names, columns)?;
        let (c, baseline, z) = py
            .detach(|| -> nps_core::Result<_> {
                let x = self.0.encode(&table)?;
                let e = self.0.explainer()?;
                Ok((e.contributions(x.view())?, e.baseline, self.0.decision_function(x.view())?))
            })
            .py()?;
        Ok((c.to_pyarray(py), baseline, z.to_pyarray(py)))
    }

    /// Per row: (probability, log-odds, baseline, [(name, contribution, value, typical,
    /// mix)] of the `top` factors raising the risk, the same for those lowering it).
    fn explain(
        &self,
        py: Python<'_>,
        names: Vec<String>,
        columns: &Bound<'_, PyList>,
        top: usize,
    ) -> PyResult<Vec<ExplanationTuple>> {
        let table = raw_table(names, columns)?;
        explain_rows(py, &self.0.inputs, &table, Vec::new(), |cells, scratch| self.0.explain_cells(cells, top, scratch))
    }

    #[getter]
    fn columns(&self) -> Vec<String> {
        self.0.columns.clone()
    }

    #[getter]
    fn coef<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.0.coef.to_pyarray(py)
    }

    #[getter]
    fn intercept(&self) -> f64 {
        self.0.intercept
    }

    #[getter]
    fn column_mean<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.0.column_mean.to_pyarray(py)
    }

    #[getter]
    fn column_sources(&self) -> Vec<usize> {
        self.0.encoder.column_sources()
    }

    fn set_trained_at(&mut self, when: String) {
        self.0.training.trained_at = Some(when);
    }

    /// (the model as one Spark SQL expression, [(input, kind)] as the expression reads them).
    fn spark_sql(&self) -> PyResult<(String, Vec<(String, String)>)> {
        let sql = self.0.spark_sql().py()?;
        Ok((sql.expression, sql.inputs.into_iter().map(|c| (c.name, c.kind.name().to_string())).collect()))
    }

    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        Ok(PyChurnModel(core::ChurnModel::from_json(text).py()?))
    }
});

/// One factor as Python reads it: (name, contribution, value, typical, mix), the values as
/// Python numbers, bools, str or None and the mix as [(value, share)], largest first.
pub(crate) type FactorTuple = (String, f64, Py<PyAny>, Py<PyAny>, Vec<(Py<PyAny>, f64)>);

/// One explanation as Python reads it: (probability, log-odds, baseline, raising factors,
/// lowering factors).
pub(crate) type ExplanationTuple = (f64, f64, f64, Vec<FactorTuple>, Vec<FactorTuple>);

/// Each row of a table explained by `explain` (one model kind's `explain_cells`, reusing
/// `scratch`), the GIL released, as Python's explain reads them.
pub(crate) fn explain_rows<S: Send>(
    py: Python<'_>,
    inputs: &[String],
    table: &nps_core::encode::RawTable,
    mut scratch: S,
    explain: impl Fn(&[nps_core::encode::Cell<'_>], &mut S) -> nps_core::Result<core::Explanation> + Sync,
) -> PyResult<Vec<ExplanationTuple>> {
    let out = py
        .detach(|| -> nps_core::Result<_> {
            let sources: Vec<&nps_core::encode::Column> =
                inputs.iter().map(|n| table.column(n)).collect::<nps_core::Result<_>>()?;
            (0..table.len())
                .map(|row| {
                    let cells: Vec<_> = sources.iter().map(|c| c.cell(row)).collect();
                    explain(&cells, &mut scratch)
                })
                .collect::<nps_core::Result<Vec<_>>>()
        })
        .py()?;
    out.into_iter().map(|e| explanation_tuple(py, e)).collect()
}

/// A factor's value as Python holds it: float, bool, str or None.
pub(crate) fn factor_value(py: Python<'_>, v: &core::FactorValue) -> PyResult<Py<PyAny>> {
    Ok(match v {
        core::FactorValue::Number(x) => x.into_pyobject(py)?.into_any().unbind(),
        core::FactorValue::Bool(b) => pyo3::types::PyBool::new(py, *b).to_owned().into_any().unbind(),
        core::FactorValue::Text(s) => s.into_pyobject(py)?.into_any().unbind(),
        core::FactorValue::Missing => py.None(),
    })
}

/// One factor as Python reads it (see [`FactorTuple`]).
pub(crate) fn factor_tuple(py: Python<'_>, f: core::ReadableFactor) -> PyResult<FactorTuple> {
    let mix = f.mix.iter().map(|s| Ok((factor_value(py, &s.value)?, s.share))).collect::<PyResult<_>>()?;
    Ok((f.name, f.contribution, factor_value(py, &f.value)?, factor_value(py, &f.typical)?, mix))
}

/// One explanation as Python's explain reads it (see [`ExplanationTuple`]). Every model
/// kind's explain returns this.
pub(crate) fn explanation_tuple(py: Python<'_>, e: core::Explanation) -> PyResult<ExplanationTuple> {
    let factors = |f: Vec<core::ReadableFactor>| f.into_iter().map(|f| factor_tuple(py, f)).collect::<PyResult<_>>();
    Ok((e.probability, e.log_odds, e.baseline, factors(e.raising)?, factors(e.lowering)?))
}

/// Stratified fold numbers (0..k) for 0/1 labels, seeded.
#[pyfunction]
fn _stratified_folds(y: PyReadonlyArray1<'_, f64>, k: usize, seed: u64) -> PyResult<Vec<usize>> {
    core::stratified_folds(y.as_slice()?, k, seed).py()
}

/// The sums of some rows at the point (coef, intercept) of a distributed logistic fit
/// (`nps_core::model::LogisticSums`), as one vector: the rows encoded by `encoder`, labels
/// 0/1, optional weights.
#[pyfunction]
#[pyo3(signature = (encoder, names, columns, y, sample_weight, coef, intercept))]
#[allow(clippy::too_many_arguments)]
fn _logistic_sums<'py>(
    py: Python<'py>,
    encoder: &PyTableEncoder,
    names: Vec<String>,
    columns: &Bound<'py, PyList>,
    y: PyReadonlyArray1<'py, f64>,
    sample_weight: Option<PyReadonlyArray1<'py, f64>>,
    coef: PyReadonlyArray1<'py, f64>,
    intercept: Option<f64>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let table = raw_table(names, columns)?;
    let (y, coef) = (y.as_slice()?, coef.as_slice()?);
    let w = sample_weight.as_ref().map(|w| w.as_slice()).transpose()?;
    let sums = py.detach(|| {
        let x = encoder.0.transform(&table)?;
        core::LogisticSums::of(x.view(), y, w, coef, intercept)
    });
    Ok(sums.py()?.to_vec().into_pyarray(py))
}

/// A logistic fit driven over the parts of a table (`nps_core::model::DistributedFit`),
/// with the options of the churn model it makes.
#[pyclass(module = "nps._nps", name = "_DistributedFit")]
pub struct PyDistributedFit(core::DistributedFit, ChurnModelOptions, usize);

#[pymethods]
impl PyDistributedFit {
    #[new]
    #[allow(clippy::too_many_arguments)]
    fn new(
        columns: usize,
        c: f64,
        fit_intercept: bool,
        tol: f64,
        max_iter: usize,
        class_weight: &Bound<'_, PyAny>,
        unseen: &str,
        standardize: bool,
    ) -> PyResult<Self> {
        let options =
            model_options(c, fit_intercept, tol, max_iter, self::class_weight(class_weight)?, unseen, standardize)?;
        Ok(PyDistributedFit(core::DistributedFit::new(columns, &options.logistic).py()?, options, columns))
    }

    /// Where the parts' sums are needed next: (coef, intercept or None).
    fn point<'py>(&self, py: Python<'py>) -> (Bound<'py, PyArray1<f64>>, Option<f64>) {
        let (coef, intercept) = self.0.point();
        (coef.to_pyarray(py), intercept)
    }

    /// Takes the sums of every part (`_logistic_sums`) at the point; whether the fit is done.
    fn update(&mut self, parts: Vec<PyReadonlyArray1<'_, f64>>) -> PyResult<bool> {
        let intercept = self.1.logistic.fit_intercept;
        let mut merged = core::LogisticSums::zero(self.2, intercept);
        for part in &parts {
            merged.merge(&core::LogisticSums::from_vec(self.2, intercept, part.as_slice()?).py()?).py()?;
        }
        self.0.update(&merged).py()
    }

    /// The churn model of the finished fit, with the encoder of the parts.
    fn model(&self, encoder: &PyTableEncoder) -> PyResult<PyChurnModel> {
        let rows = self.0.rows();
        let fit = self.0.fit().py()?;
        let model = core::ChurnModel::from_parts(
            encoder.0.clone(),
            fit,
            self.0.column_mean(),
            [rows[0] as usize, rows[1] as usize],
            &self.1,
        );
        Ok(PyChurnModel(model.py()?))
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_class_weight_json, m)?)?;
    m.add_class::<PyChurnModel>()?;
    m.add_class::<PyDistributedFit>()?;
    m.add_function(wrap_pyfunction!(_logistic_sums, m)?)?;
    m.add_function(wrap_pyfunction!(_stratified_folds, m)?)?;
    Ok(())
}
