//! `nps.NpsError`: the core error as a Python `ValueError` with a `code` attribute.
use pyo3::create_exception;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

create_exception!(nps, NpsError, PyValueError, "Bad input or parameters; `code` names the kind (e.g. 'OUT_OF_RANGE').");

/// Builds a Python `NpsError` with the message and a `code` attribute.
pub(crate) fn error(code: &str, message: String) -> PyErr {
    Python::attach(|py| {
        let err = NpsError::new_err(message);
        // Setting an attribute on a fresh exception instance cannot fail in practice; if it
        // did, the message still carries everything.
        let _ = err.value(py).setattr("code", code);
        err
    })
}

/// Converts a core error. The advice in a message is Python's where the core's would name
/// a Rust function (a text column of numbers: `nps.read_csv` or `pd.to_numeric`).
pub(crate) fn to_py(e: nps_core::NpsError) -> PyErr {
    let message = match &e {
        nps_core::NpsError::TooManyCategories { column, distinct, rows, numeric, limit } => {
            nps_core::error::too_many_categories_message(
                column,
                *distinct,
                *rows,
                *numeric,
                *limit,
                &format!(
                    "use nps.read_csv (blank cells are missing) or pd.to_numeric(X[{column:?}], errors=\"coerce\"), or \
                     declare it kinds={{{column:?}: \"numeric\"}}"
                ),
                "leave it out of X",
            )
        }
        _ => e.to_string(),
    };
    error(e.code(), message)
}

/// `.py()` turns a core `Result` into a `PyResult`.
pub(crate) trait IntoPy<T> {
    fn py(self) -> PyResult<T>;
}

impl<T> IntoPy<T> for nps_core::Result<T> {
    fn py(self) -> PyResult<T> {
        self.map_err(to_py)
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("NpsError", m.py().get_type::<NpsError>())
}
