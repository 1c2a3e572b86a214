//! Python inputs to slices: lists, numpy arrays of any numeric dtype (borrowed without a
//! copy where the dtype allows) and pandas Series.
use numpy::PyReadonlyArray1;
use pyo3::prelude::*;
use pyo3::types::PyAnyMethods;

use crate::error::error;

/// A one-dimensional numeric array borrowed from Python, in its own dtype.
pub(crate) enum Numbers<'py> {
    U8(PyReadonlyArray1<'py, u8>),
    U16(PyReadonlyArray1<'py, u16>),
    U32(PyReadonlyArray1<'py, u32>),
    U64(PyReadonlyArray1<'py, u64>),
    I8(PyReadonlyArray1<'py, i8>),
    I16(PyReadonlyArray1<'py, i16>),
    I32(PyReadonlyArray1<'py, i32>),
    I64(PyReadonlyArray1<'py, i64>),
    F32(PyReadonlyArray1<'py, f32>),
    F64(PyReadonlyArray1<'py, f64>),
}

/// Runs `$body` with `$slice` bound to the array's data as a slice of its own type.
macro_rules! with_slice {
    ($numbers:expr, |$slice:ident| $body:expr) => {
        match &$numbers {
            $crate::convert::Numbers::U8(a) => {
                let $slice = a.as_slice().expect("contiguous");
                $body
            }
            $crate::convert::Numbers::U16(a) => {
                let $slice = a.as_slice().expect("contiguous");
                $body
            }
            $crate::convert::Numbers::U32(a) => {
                let $slice = a.as_slice().expect("contiguous");
                $body
            }
            $crate::convert::Numbers::U64(a) => {
                let $slice = a.as_slice().expect("contiguous");
                $body
            }
            $crate::convert::Numbers::I8(a) => {
                let $slice = a.as_slice().expect("contiguous");
                $body
            }
            $crate::convert::Numbers::I16(a) => {
                let $slice = a.as_slice().expect("contiguous");
                $body
            }
            $crate::convert::Numbers::I32(a) => {
                let $slice = a.as_slice().expect("contiguous");
                $body
            }
            $crate::convert::Numbers::I64(a) => {
                let $slice = a.as_slice().expect("contiguous");
                $body
            }
            $crate::convert::Numbers::F32(a) => {
                let $slice = a.as_slice().expect("contiguous");
                $body
            }
            $crate::convert::Numbers::F64(a) => {
                let $slice = a.as_slice().expect("contiguous");
                $body
            }
        }
    };
}
pub(crate) use with_slice;

/// Reads any array-like of numbers. Missing values (None, NaN, pandas NA) become NaN;
/// anything that is not a number is an error naming `field`, the index and the value.
pub(crate) fn numbers<'py>(obj: &Bound<'py, PyAny>, field: &str) -> PyResult<Numbers<'py>> {
    let py = obj.py();
    let np = py.import("numpy")?;
    // numpy arrays as they are; pandas Series / Index through to_numpy(); the rest
    // (lists, tuples, ...) through numpy.asarray.
    let ndarray = is_ndarray(obj);
    let listed = !ndarray && !obj.hasattr("to_numpy")?;
    let arr = if ndarray {
        obj.clone()
    } else if !listed {
        obj.call_method0("to_numpy")?
    } else {
        np.call_method1("asarray", (obj,))?
    };
    let mut arr = if is_ndarray(&arr) { arr } else { np.call_method1("asarray", (arr,))? };
    let ndim: usize = arr.getattr("ndim")?.extract()?;
    if ndim != 1 {
        return Err(error("INVALID_PARAMETER", format!("{field} must be one-dimensional, got {ndim} dimensions")));
    }
    let kind: String = arr.getattr("dtype")?.getattr("kind")?.extract()?;
    arr = match kind.as_str() {
        "u" | "i" | "f" => arr,
        "O" => object_to_f64(&arr, field)?,
        // Strings: element by element, so the error names the first non-number; a list's
        // own elements, as numpy turns [0.1, "a"] into two strings.
        "U" | "S" if listed => {
            let kw = pyo3::types::PyDict::new(py);
            kw.set_item("dtype", "object")?;
            object_to_f64(&np.call_method("asarray", (obj,), Some(&kw))?, field)?
        }
        "U" | "S" => object_to_f64(&arr.call_method1("astype", ("object",))?, field)?,
        _ => {
            let dtype = arr.getattr("dtype")?.str()?.to_string();
            return Err(error("INVALID_PARAMETER", format!("{field} must hold numbers, got dtype {dtype}")));
        }
    };
    arr = np.call_method1("ascontiguousarray", (arr,))?;
    macro_rules! try_as {
        ($($variant:ident: $t:ty),*) => {$(
            if let Ok(a) = arr.extract::<PyReadonlyArray1<'py, $t>>() {
                return Ok(Numbers::$variant(a));
            }
        )*};
    }
    try_as!(U8: u8, U16: u16, U32: u32, U64: u64, I8: i8, I16: i16, I32: i32, I64: i64, F32: f32, F64: f64);
    // Other numeric dtypes (float16, longdouble, ...) go through float64.
    let a = arr.call_method1("astype", ("float64",))?;
    Ok(Numbers::F64(a.extract::<PyReadonlyArray1<'py, f64>>()?))
}

/// Reads an array-like as float64 (copying when it has another dtype).
pub(crate) fn floats(obj: &Bound<'_, PyAny>, field: &str) -> PyResult<Vec<f64>> {
    let n = numbers(obj, field)?;
    #[allow(clippy::unnecessary_cast)] // the macro instantiates the cast for every dtype
    Ok(with_slice!(n, |s| s.iter().map(|x| *x as f64).collect()))
}

fn is_ndarray(obj: &Bound<'_, PyAny>) -> bool {
    obj.get_type().name().map(|n| n == "ndarray").unwrap_or(false)
}

/// Object arrays (lists with None, pandas nullable dtypes): element by element.
fn object_to_f64<'py>(arr: &Bound<'py, PyAny>, field: &str) -> PyResult<Bound<'py, PyAny>> {
    let py = arr.py();
    let len = arr.len()?;
    let mut out = Vec::with_capacity(len);
    for i in 0..len {
        let item = arr.get_item(i)?;
        if item.is_none() || item.get_type().name()? == "NAType" {
            out.push(f64::NAN);
        } else if item.is_instance_of::<pyo3::types::PyBool>() {
            return Err(error("INVALID_PARAMETER", format!("{field}[{i}] = {} is not a number", item.repr()?)));
        } else {
            match item.extract::<f64>() {
                Ok(v) => out.push(v),
                Err(_) => {
                    return Err(error("INVALID_PARAMETER", format!("{field}[{i}] = {} is not a number", item.repr()?)));
                }
            }
        }
    }
    Ok(numpy::PyArray1::from_vec(py, out).into_any())
}

/// Reads 0/1 labels (bool, integer or float arrays) as booleans; anything else is an error
/// naming the index and value.
pub(crate) fn booleans(obj: &Bound<'_, PyAny>, field: &str) -> PyResult<Vec<bool>> {
    let arr = obj.py().import("numpy")?.call_method1("asarray", (obj,))?;
    if arr.getattr("dtype")?.getattr("kind")?.extract::<String>()? == "b" {
        if let Ok(a) = arr.call_method1("astype", ("bool",))?.extract::<PyReadonlyArray1<'_, bool>>() {
            return Ok(a.as_slice()?.to_vec());
        }
    }
    floats(obj, field)?
        .into_iter()
        .enumerate()
        .map(|(i, v)| match v {
            0.0 => Ok(false),
            1.0 => Ok(true),
            _ => Err(error("OUT_OF_RANGE", format!("{field}[{i}] = {v} is not 0 or 1 (false or true)"))),
        })
        .collect()
}

/// Reads labels as float64: booleans become 0/1, numbers stay as they are (the core checks
/// they are 0 or 1 and names the index of any other).
pub(crate) fn labels(obj: &Bound<'_, PyAny>, field: &str) -> PyResult<Vec<f64>> {
    let arr = obj.py().import("numpy")?.call_method1("asarray", (obj,))?;
    if arr.getattr("dtype")?.getattr("kind")?.extract::<String>()? == "b" {
        return Ok(booleans(obj, field)?.into_iter().map(|b| b as u8 as f64).collect());
    }
    floats(obj, field)
}

/// Seconds since the epoch (UTC, rounded down) of one time, as `nps.survey._epoch_second`
/// converts it: epoch seconds (int or float), a numpy datetime64 of any unit, a datetime or
/// pandas Timestamp (naive: UTC), a date or an ISO 8601 string; errors (`nps.NpsError`)
/// name `field`. A Python int is read here; every other type goes to that one function.
pub(crate) fn epoch_seconds(t: &Bound<'_, PyAny>, field: &str) -> PyResult<i64> {
    if let Ok(int) = t.cast_exact::<pyo3::types::PyInt>() {
        if let Ok(seconds) = int.extract::<i64>() {
            return Ok(seconds);
        }
    }
    static CONVERT: pyo3::sync::PyOnceLock<Py<PyAny>> = pyo3::sync::PyOnceLock::new();
    CONVERT.import(t.py(), "nps.survey", "_epoch_second")?.call1((t, field))?.extract()
}

/// One Python value as a catalogue field value (see [`scalar`]); errors name
/// `customer field "<field>"`. Every binding function that takes a customer's field by field
/// reads it here.
pub(crate) fn field_value(v: &Bound<'_, PyAny>, field: &str) -> PyResult<nps_core::action::FieldValue> {
    use nps_core::action::FieldValue;
    Ok(match scalar(v, &format!("customer field {field:?}"))? {
        Scalar::Missing => FieldValue::Missing,
        Scalar::Bool(b) => FieldValue::Bool(b),
        Scalar::Number(x) => FieldValue::Number(x),
        Scalar::Text(s) => FieldValue::Text(s),
    })
}

/// One value read from Python (see [`scalar`]).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Scalar {
    Missing,
    Bool(bool),
    Number(f64),
    Text(String),
}

impl Scalar {
    /// As the core's cell (a label, a table value).
    pub(crate) fn cell(&self) -> nps_core::encode::Cell<'_> {
        use nps_core::encode::Cell;
        match self {
            Scalar::Missing => Cell::Missing,
            Scalar::Bool(b) => Cell::Bool(*b),
            Scalar::Number(x) => Cell::Number(*x),
            Scalar::Text(s) => Cell::Text(s),
        }
    }
}

/// One Python value, whatever Python type holds it: `None`, NaN, pandas `NA` and `NaT` are
/// missing; `bool` and `numpy.bool_` are booleans; `int`, `float`, numpy integers and floats
/// (and 0-d arrays of them) are numbers; `str` and `numpy.str_` are text. Anything else is an
/// error naming `what`, the value and its type (never the core's internal names).
pub(crate) fn scalar(v: &Bound<'_, PyAny>, what: &str) -> PyResult<Scalar> {
    if v.is_none() {
        return Ok(Scalar::Missing);
    }
    if let Ok(b) = v.cast::<pyo3::types::PyBool>() {
        return Ok(Scalar::Bool(b.is_true()));
    }
    if let Ok(s) = v.cast::<pyo3::types::PyString>() {
        return Ok(Scalar::Text(s.to_cow()?.into_owned()));
    }
    let type_name = v.get_type().name()?.to_string();
    if type_name == "NAType" || type_name == "NaTType" {
        return Ok(Scalar::Missing);
    }
    let number = |x: f64| if x.is_nan() { Scalar::Missing } else { Scalar::Number(x) };
    // numpy scalars and 0-d arrays, by dtype kind (numpy.bool_ is not a Python bool, and
    // would otherwise read as the number 0 or 1).
    if let Ok(dtype) = v.getattr("dtype") {
        let ndim: usize = v.getattr("ndim").and_then(|n| n.extract()).unwrap_or(0);
        if ndim != 0 {
            let shape = v.getattr("shape")?.str()?.to_string();
            return Err(error("INVALID_PARAMETER", format!("{what} must be one value, got an array of shape {shape}")));
        }
        let kind: String = dtype.getattr("kind")?.extract()?;
        match kind.as_str() {
            "b" => return Ok(Scalar::Bool(v.is_truthy()?)),
            "i" | "u" | "f" => return Ok(number(v.call_method0("__float__")?.extract()?)),
            "U" | "S" => return Ok(Scalar::Text(v.str()?.to_string())),
            _ => {}
        }
    } else if let Ok(x) = v.extract::<f64>() {
        // int, float, Decimal, Fraction: anything Python reads as a real number.
        return Ok(number(x));
    }
    Err(error(
        "INVALID_PARAMETER",
        format!("{what} must be a number, a string, a bool or None, got {} ({type_name})", short_repr(v)),
    ))
}

/// Labels as a caller holds them (numbers, booleans, text, None for missing; a numpy array
/// of any dtype, a pandas Series, a list), one [`Scalar`] each; errors name `field[i]`.
pub(crate) fn scalars(obj: &Bound<'_, PyAny>, field: &str) -> PyResult<Vec<Scalar>> {
    let np = obj.py().import("numpy")?;
    let arr = if obj.hasattr("to_numpy")? { obj.call_method0("to_numpy")? } else { obj.clone() };
    let arr = np.call_method1("asarray", (arr,))?;
    let ndim: usize = arr.getattr("ndim")?.extract()?;
    if ndim != 1 {
        return Err(error("INVALID_PARAMETER", format!("{field} must be one-dimensional, got {ndim} dimensions")));
    }
    match arr.getattr("dtype")?.getattr("kind")?.extract::<String>()?.as_str() {
        "b" => Ok(arr.extract::<Vec<bool>>()?.into_iter().map(Scalar::Bool).collect()),
        "i" | "u" | "f" => Ok(floats(&arr, field)?
            .into_iter()
            .map(|x| if x.is_nan() { Scalar::Missing } else { Scalar::Number(x) })
            .collect()),
        _ => arr
            .call_method0("tolist")?
            .try_iter()?
            .enumerate()
            .map(|(i, v)| scalar(&v?, &format!("{field}[{i}]")))
            .collect(),
    }
}

/// `repr(v)`, cut to 60 characters, for messages.
pub(crate) fn short_repr(v: &Bound<'_, PyAny>) -> String {
    let r = v.repr().map(|r| r.to_string()).unwrap_or_else(|_| "?".into());
    if r.chars().count() > 60 {
        format!("{}...", r.chars().take(57).collect::<String>())
    } else {
        r
    }
}
