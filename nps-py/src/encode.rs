//! Python classes for `nps_core::encode`: the table arrives as names and columns (float64
//! arrays, or lists of str/None), prepared by `nps.encode`.
use nps_core::encode::{self as core, Column, ColumnSpec, EncoderOptions, RawTable};
use numpy::{PyArray2, PyReadonlyArray1, ToPyArray};
use pyo3::prelude::*;
use pyo3::types::PyList;

use crate::error::{error, IntoPy};

/// A raw table from names and columns.
pub(crate) fn raw_table(names: Vec<String>, columns: &Bound<'_, PyList>) -> PyResult<RawTable> {
    let columns = columns
        .iter()
        .zip(&names)
        .map(|(c, name)| {
            if let Ok(a) = c.extract::<PyReadonlyArray1<'_, f64>>() {
                return Ok(Column::Numeric(a.as_array().to_vec()));
            }
            c.extract::<Vec<Option<String>>>().map(Column::Text).map_err(|_| {
                error("INVALID_PARAMETER", format!("column {name:?} must hold numbers or text (str or None)"))
            })
        })
        .collect::<PyResult<Vec<_>>>()?;
    RawTable::new(names, columns).py()
}

pub(crate) fn encoder_options(unseen: &str, standardize: bool) -> PyResult<EncoderOptions> {
    Ok(EncoderOptions { unseen: unseen.parse().py()?, standardize })
}

pub(crate) fn specs(specs: Vec<(String, String)>) -> PyResult<Vec<ColumnSpec>> {
    specs.into_iter().map(|(name, k)| Ok(ColumnSpec { name, kind: k.parse().py()? })).collect()
}

/// The (name, kind) of each column to fit on (`nps_core::encode::fit_specs`).
#[pyfunction]
fn _fit_specs(
    names: Vec<String>,
    columns: &Bound<'_, PyList>,
    kinds: Vec<(String, String)>,
    exclude: Vec<String>,
    booleans: Vec<String>,
) -> PyResult<Vec<(String, &'static str)>> {
    let table = raw_table(names, columns)?;
    let kinds = kinds.into_iter().map(|(name, k)| Ok((name, k.parse().py()?))).collect::<PyResult<Vec<_>>>()?;
    let (exclude, booleans): (Vec<&str>, Vec<&str>) =
        (exclude.iter().map(String::as_str).collect(), booleans.iter().map(String::as_str).collect());
    let specs = core::fit_specs(&table, &kinds, &exclude, &booleans).py()?;
    Ok(specs.into_iter().map(|s| (s.name, s.kind.name())).collect())
}

/// A learned table encoding (the core of `nps.TableEncoder`).
#[pyclass(module = "nps._nps", name = "_TableEncoder", frozen)]
pub struct PyTableEncoder(pub core::TableEncoder);

#[pymethods]
impl PyTableEncoder {
    #[staticmethod]
    fn fit(
        py: Python<'_>,
        names: Vec<String>,
        columns: &Bound<'_, PyList>,
        specs: Vec<(String, String)>,
        unseen: &str,
        standardize: bool,
    ) -> PyResult<Self> {
        let table = raw_table(names, columns)?;
        let (specs, options) = (self::specs(specs)?, encoder_options(unseen, standardize)?);
        Ok(PyTableEncoder(py.detach(|| core::TableEncoder::fit(&table, &specs, &options)).py()?))
    }

    fn transform<'py>(
        &self,
        py: Python<'py>,
        names: Vec<String>,
        columns: &Bound<'py, PyList>,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let table = raw_table(names, columns)?;
        let m = py.detach(|| self.0.transform(&table)).py()?;
        Ok(m.to_pyarray(py))
    }

    fn feature_names(&self) -> Vec<String> {
        self.0.feature_names()
    }

    fn sources(&self) -> Vec<String> {
        self.0.sources()
    }

    fn column_sources(&self) -> Vec<usize> {
        self.0.column_sources()
    }

    fn specs(&self) -> Vec<(String, &'static str)> {
        self.0.specs().into_iter().map(|s| (s.name, s.kind.name())).collect()
    }

    fn to_json(&self) -> String {
        self.0.to_json()
    }

    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        Ok(PyTableEncoder(core::TableEncoder::from_json(text).py()?))
    }
}

/// What fitting an encoder needs to know of some rows (see `nps_core::encode::EncoderSummary`):
/// summaries of the parts of a table merge into the encoder of the whole (`nps.spark.fit`).
#[pyclass(module = "nps._nps", name = "_EncoderSummary")]
#[derive(Clone)]
pub struct PyEncoderSummary(core::EncoderSummary);

#[pymethods]
impl PyEncoderSummary {
    #[staticmethod]
    #[pyo3(signature = (names, columns, specs, sample_weight=None))]
    fn observe(
        py: Python<'_>,
        names: Vec<String>,
        columns: &Bound<'_, PyList>,
        specs: Vec<(String, String)>,
        sample_weight: Option<PyReadonlyArray1<'_, f64>>,
    ) -> PyResult<Self> {
        let table = raw_table(names, columns)?;
        let specs = self::specs(specs)?;
        let w = sample_weight.as_ref().map(|w| w.as_slice()).transpose()?;
        Ok(PyEncoderSummary(py.detach(|| core::EncoderSummary::observe(&table, &specs, w)).py()?))
    }

    fn merge(&mut self, other: &Self) -> PyResult<()> {
        self.0.merge(&other.0).py()
    }

    /// The encoder of the summarised rows.
    fn encoder(&self, unseen: &str, standardize: bool) -> PyResult<PyTableEncoder> {
        Ok(PyTableEncoder(self.0.encoder(&encoder_options(unseen, standardize)?).py()?))
    }

    #[getter]
    fn rows(&self) -> usize {
        self.0.rows
    }

    fn to_json(&self) -> String {
        serde_json::to_string(&self.0).expect("plain data")
    }

    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        serde_json::from_str(text)
            .map(PyEncoderSummary)
            .map_err(|e| error("INVALID_PARAMETER", format!("an encoder summary's JSON: {e}")))
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (String,))> {
        Ok((slf.get_type().getattr("from_json")?, (slf.borrow().to_json(),)))
    }
}

/// Reads a CSV file: names and columns (float64 arrays or lists of str/None), blank cells
/// missing.
#[pyfunction]
fn _read_csv(py: Python<'_>, path: std::path::PathBuf) -> PyResult<(Vec<String>, Vec<Py<PyAny>>)> {
    let table = py.detach(|| core::read_csv_path(&path)).py()?;
    let columns = table
        .columns
        .into_iter()
        .map(|c| match c {
            Column::Numeric(v) => Ok(numpy::PyArray1::from_vec(py, v).into_any().unbind()),
            Column::Text(v) => Ok(v.into_pyobject(py)?.into_any().unbind()),
        })
        .collect::<PyResult<_>>()?;
    Ok((table.names, columns))
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyTableEncoder>()?;
    m.add_class::<PyEncoderSummary>()?;
    m.add_function(wrap_pyfunction!(_fit_specs, m)?)?;
    m.add_function(wrap_pyfunction!(_read_csv, m)?)?;
    Ok(())
}
