//! Numeric array input: a plain `number[]` or any non-BigInt typed array.
//!
//! The `*ArraySlice` types borrow the typed array's memory for the duration of the call
//! (no copy: the core reads each element type directly, see [`with_numbers`]).
//! napi-rs tries the `Either` variants in order; a `*ArraySlice` of the wrong element type
//! fails conversion and the next variant is tried. Anything else (a string, a
//! `BigInt64Array`, an array holding a non-number) is refused by [`NumericArray`]'s
//! conversion with our `code` (`INVALID_PARAMETER`) and the element at fault.
//!
//! The slices must not outlive the call: an `AsyncTask` has to copy (`.into_owned()`).
use napi::bindgen_prelude::{
    Either10, Float32ArraySlice, Float64ArraySlice, Int16ArraySlice, Int32ArraySlice, Int8ArraySlice, Uint16ArraySlice,
    Uint32ArraySlice, Uint8ArraySlice, Uint8ClampedSlice,
};
use napi_derive::napi;

/// A `number[]` or a numeric typed array (any element type but BigInt), read in place.
// In Rust, what a [`NumericArray`] may be, tried in this order.
#[napi(js_name = "NumericArray")]
pub type NumericArrayOf<'a> = Either10<
    Float64ArraySlice<'a>,
    Float32ArraySlice<'a>,
    Int32ArraySlice<'a>,
    Uint32ArraySlice<'a>,
    Int16ArraySlice<'a>,
    Uint16ArraySlice<'a>,
    Int8ArraySlice<'a>,
    Uint8ArraySlice<'a>,
    Uint8ClampedSlice<'a>,
    Vec<f64>,
>;

/// Booleans or 0/1 numbers.
#[napi(js_name = "Flags")]
pub type FlagsOf<'a> = napi::bindgen_prelude::Either<Vec<bool>, NumericArray<'a>>;

/// Labels of two classes: booleans, 0/1 numbers, or text such as `'Yes'`/`'No'`.
#[napi(js_name = "Labels")]
pub type LabelsOf<'a> = napi::bindgen_prelude::Either3<Vec<bool>, NumericArray<'a>, Vec<String>>;

/// An array argument of one of several kinds (`$of`), as napi-rs reads it; anything else
/// is refused with our `code` and a message naming the first element out of place, or
/// saying what was given (napi-rs alone lists its Rust types).
macro_rules! checked_array {
    ($(#[$doc:meta])* $name:ident = $of:ident, $what:literal, $elements:expr, $expected:literal) => {
        $(#[$doc])*
        pub struct $name<'a>(pub $of<'a>);

        impl napi::bindgen_prelude::TypeName for $name<'_> {
            fn type_name() -> &'static str {
                stringify!($name)
            }
            fn value_type() -> napi::ValueType {
                napi::ValueType::Unknown
            }
        }

        impl napi::bindgen_prelude::ValidateNapiValue for $name<'_> {
            unsafe fn validate(
                env: napi::sys::napi_env,
                value: napi::sys::napi_value,
            ) -> napi::Result<napi::sys::napi_value> {
                $of::validate(env, value)
            }
        }

        impl napi::bindgen_prelude::FromNapiValue for $name<'_> {
            unsafe fn from_napi_value(env: napi::sys::napi_env, value: napi::sys::napi_value) -> napi::Result<Self> {
                match $of::from_napi_value(env, value) {
                    Ok(v) => Ok($name(v)),
                    Err(e) if e.status == napi::Status::PendingException => Err(e),
                    Err(_) => Err(thrown(env, out_of_place(env, value, $what, &$elements, $expected)?)),
                }
            }
        }
    };
}

checked_array!(
    /// A `number[]` or a numeric typed array.
    NumericArray = NumericArrayOf,
    "a number array",
    [napi::ValueType::Number],
    "a number[] or a numeric typed array (Float64Array, Int32Array, ...; not BigInt)"
);
checked_array!(
    /// Booleans or 0/1 numbers.
    Flags = FlagsOf,
    "a flag array",
    [napi::ValueType::Boolean, napi::ValueType::Number],
    "a boolean[], a number[] or a numeric typed array"
);
checked_array!(
    /// Labels of two classes: booleans, numbers or text.
    Labels = LabelsOf,
    "a label array",
    [napi::ValueType::Boolean, napi::ValueType::Number, napi::ValueType::String],
    "a boolean[], a number[], a numeric typed array or a string[]"
);

/// Why `value` is not an array of `elements` (all of one type): its first element of
/// another type, or, for anything but an array, what it is.
unsafe fn out_of_place(
    env: napi::sys::napi_env,
    value: napi::sys::napi_value,
    what: &str,
    elements: &[napi::ValueType],
    expected: &str,
) -> napi::Result<nps_core::NpsError> {
    let mut array = false;
    napi::check_status!(napi::sys::napi_is_array(env, value, &mut array))?;
    if array {
        let mut length = 0;
        napi::check_status!(napi::sys::napi_get_array_length(env, value, &mut length))?;
        let mut first = None;
        for i in 0..length {
            let mut element = std::ptr::null_mut();
            napi::check_status!(napi::sys::napi_get_element(env, value, i, &mut element))?;
            let ty = napi::type_of!(env, element)?;
            let want = match first {
                _ if !elements.contains(&ty) => Some(one_of(elements)),
                Some(t) if t != ty => Some(format!("{} like element [0]", kind(t))),
                _ => None,
            };
            if let Some(want) = want {
                let (got, _) = describe(env, element)?;
                return Ok(nps_core::NpsError::invalid(&format!("element [{i}] of {what}"), got, &want));
            }
            first = Some(ty);
        }
    }
    let (got, _) = describe(env, value)?;
    Ok(nps_core::NpsError::invalid(what, got, expected))
}

/// `a boolean, a number or a string`.
fn one_of(types: &[napi::ValueType]) -> String {
    let names: Vec<&str> = types.iter().map(|&t| kind(t)).collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => names.join(""),
    }
}

/// A JS type as a message names it.
fn kind(t: napi::ValueType) -> &'static str {
    match t {
        napi::ValueType::Boolean => "a boolean",
        napi::ValueType::Number => "a number",
        napi::ValueType::String => "a string",
        _ => "a value of another type",
    }
}

/// Runs `$body` with `$slice` bound to the values as a slice of their own element type,
/// so the core's per-type fast paths (one-byte answers, integers) apply without a copy.
macro_rules! with_numbers {
    ($values:expr, |$slice:ident| $body:expr) => {{
        use napi::bindgen_prelude::Either10;
        match &$values.0 {
            Either10::A(v) => {
                let $slice: &[f64] = v.as_ref();
                $body
            }
            Either10::B(v) => {
                let $slice: &[f32] = v.as_ref();
                $body
            }
            Either10::C(v) => {
                let $slice: &[i32] = v.as_ref();
                $body
            }
            Either10::D(v) => {
                let $slice: &[u32] = v.as_ref();
                $body
            }
            Either10::E(v) => {
                let $slice: &[i16] = v.as_ref();
                $body
            }
            Either10::F(v) => {
                let $slice: &[u16] = v.as_ref();
                $body
            }
            Either10::G(v) => {
                let $slice: &[i8] = v.as_ref();
                $body
            }
            Either10::H(v) => {
                let $slice: &[u8] = v.as_ref();
                $body
            }
            Either10::I(v) => {
                let $slice: &[u8] = v.as_ref();
                $body
            }
            Either10::J(v) => {
                let $slice: &[f64] = v.as_slice();
                $body
            }
        }
    }};
}
pub(crate) use with_numbers;

/// The values as `f64` (copied).
#[allow(clippy::unnecessary_cast)] // the macro instantiates the cast for every type
pub(crate) fn floats(values: &NumericArray<'_>) -> Vec<f64> {
    with_numbers!(values, |s| s.iter().map(|x| *x as f64).collect())
}

/// Labels given as `boolean[]` or as 0/1 numbers; anything else is an error naming the
/// index and value.
pub(crate) fn booleans(values: &Flags<'_>, field: &str) -> crate::error::Result<Vec<bool>> {
    use napi::bindgen_prelude::Either;
    match &values.0 {
        Either::A(b) => Ok(b.clone()),
        Either::B(n) => floats(n)
            .into_iter()
            .enumerate()
            .map(|(i, v)| match v {
                0.0 => Ok(false),
                1.0 => Ok(true),
                _ => Err(crate::error::to_napi(nps_core::NpsError::OutOfRange {
                    field: field.into(),
                    index: i,
                    value: v,
                    range: "{0, 1} (false or true)".into(),
                })),
            })
            .collect(),
    }
}

/// One value of a customer record as JavaScript gives it. Read by its JS type, so a value
/// of any other type (an array, an object, a `BigInt`) reaches our code and its error names
/// the field (`customer field "x" must be ..., got an array`), not napi-rs's Rust types.
#[derive(Debug, Clone, PartialEq)]
pub enum Field {
    /// `null`, `undefined` or `NaN`.
    Missing,
    /// A number.
    Number(f64),
    /// A string.
    Text(String),
    /// A boolean.
    Bool(bool),
    /// Anything else, described for the error ("an array", "an object", "a bigint").
    Other(&'static str),
}

/// One value of a customer record: a number, a string, a boolean; `null`, `undefined` or
/// `NaN` when the customer has none. (The Rust side reads it as [`Field`].)
#[napi(js_name = "Field")]
#[allow(dead_code)] // read by the d.ts generator only
pub type FieldType = Option<napi::bindgen_prelude::Either3<f64, String, bool>>;

impl napi::bindgen_prelude::TypeName for Field {
    fn type_name() -> &'static str {
        "number | string | boolean | null"
    }
    fn value_type() -> napi::ValueType {
        napi::ValueType::Unknown
    }
}

impl napi::bindgen_prelude::FromNapiValue for Field {
    unsafe fn from_napi_value(env: napi::sys::napi_env, value: napi::sys::napi_value) -> napi::Result<Self> {
        use napi::ValueType;
        Ok(match napi::type_of!(env, value)? {
            ValueType::Null | ValueType::Undefined => Field::Missing,
            ValueType::Number => match f64::from_napi_value(env, value)? {
                x if x.is_nan() => Field::Missing,
                x => Field::Number(x),
            },
            ValueType::String => Field::Text(String::from_napi_value(env, value)?),
            ValueType::Boolean => Field::Bool(bool::from_napi_value(env, value)?),
            ValueType::Object => {
                let mut array = false;
                napi::check_status!(napi::sys::napi_is_array(env, value, &mut array))?;
                Field::Other(if array { "an array" } else { "an object" })
            }
            ValueType::BigInt => Field::Other("a bigint"),
            ValueType::Symbol => Field::Other("a symbol"),
            ValueType::Function => Field::Other("a function"),
            _ => Field::Other("a value of another type"),
        })
    }
}

impl napi::bindgen_prelude::ToNapiValue for Field {
    unsafe fn to_napi_value(env: napi::sys::napi_env, value: Self) -> napi::Result<napi::sys::napi_value> {
        use napi::bindgen_prelude::Null;
        match value {
            Field::Number(x) => f64::to_napi_value(env, x),
            Field::Text(s) => String::to_napi_value(env, s),
            Field::Bool(b) => bool::to_napi_value(env, b),
            Field::Missing | Field::Other(_) => Null::to_napi_value(env, Null),
        }
    }
}

impl Field {
    /// As the action catalogue's value; [`Field::Other`] is an error naming `field`.
    pub(crate) fn field_value(&self, field: &str) -> crate::error::Result<nps_core::action::FieldValue> {
        use nps_core::action::FieldValue;
        Ok(match self {
            Field::Missing => FieldValue::Missing,
            Field::Number(x) => FieldValue::Number(*x),
            Field::Text(s) => FieldValue::Text(s.clone()),
            Field::Bool(b) => FieldValue::Bool(*b),
            Field::Other(what) => return Err(not_a_field(field, what)),
        })
    }

    /// As a model's input cell; [`Field::Other`] is an error naming `field`.
    pub(crate) fn cell(&self, field: &str) -> crate::error::Result<nps_core::encode::Cell<'_>> {
        use nps_core::encode::Cell;
        Ok(match self {
            Field::Missing => Cell::Missing,
            Field::Number(x) => Cell::Number(*x),
            Field::Text(s) => Cell::Text(s),
            Field::Bool(b) => Cell::Bool(*b),
            Field::Other(what) => return Err(not_a_field(field, what)),
        })
    }
}

fn not_a_field(field: &str, what: &str) -> napi::Error<crate::error::ErrorCode> {
    crate::error::to_napi(nps_core::NpsError::invalid(
        &format!("customer field {field:?}"),
        what,
        "a number, a string, a boolean or null",
    ))
}

/// A customer's named inputs, as JavaScript gives them: numbers, text, booleans, or null.
pub type Inputs = Named<Field>;

/// An object's properties by name, each read as a `T`.
///
/// A plain object of finite numbers, strings, booleans and nulls (the common case) crosses
/// in one N-API call instead of a handful per property: a small JS function
/// ([`PLAIN_FIELDS`]) sends the names and strings as one string and the numbers as they are
/// in an array it keeps, so no number is written as text and read back (`encode` of eight
/// fields, result included: 8.2 µs property by property, 4.7-7 µs as JSON, 6.0 µs of CPU
/// this way on a slower day than those; docs/benchmarks.md). Anything else (NaN, a `Date`, an array, a class instance, a value
/// that is not a `T`) is read property by property, as before, so its errors are the same.
#[derive(Debug)]
pub struct Named<T>(std::collections::HashMap<String, T>);

impl<T> Default for Named<T> {
    fn default() -> Self {
        Named(Default::default())
    }
}

impl<T> std::ops::Deref for Named<T> {
    type Target = std::collections::HashMap<String, T>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl<T> IntoIterator for Named<T> {
    type Item = (String, T);
    type IntoIter = std::collections::hash_map::IntoIter<String, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

/// The JS half of [`Named`]: the object's names and strings as one string, its fields'
/// kinds, numbers and lengths in `plainFields.cells` (see [`plain_fields`]); undefined when
/// a value is not plain.
const PLAIN_FIELDS: &str = r#"(function plainFields(o) {
  'use strict'
  if (typeof o !== 'object' || o === null) return undefined
  const proto = Object.getPrototypeOf(o)
  if (proto !== Object.prototype && proto !== null) return undefined
  let cells = plainFields.cells
  let text = ''
  let n = 1
  for (const k in o) {
    const v = o[k]
    const t = typeof v
    if (n + 4 > cells.length) {
      const grown = new Float64Array(2 * cells.length)
      grown.set(cells)
      cells = plainFields.cells = grown
    }
    if (t === 'number') {
      if (v - v !== 0) return undefined
      cells[n] = 0
      cells[n + 1] = v
    } else if (t === 'string') {
      cells[n] = 1
      cells[n + 3] = v.length
    } else if (t === 'boolean') {
      cells[n] = 2
      cells[n + 1] = v ? 1 : 0
    } else if (v === null) {
      cells[n] = 3
    } else {
      return undefined
    }
    cells[n + 2] = k.length
    text += t === 'string' ? k + v : k
    n += 4
  }
  cells[0] = (n - 1) / 4
  return text
})"#;

/// What the addon keeps per JS environment (`napi_set_instance_data`).
struct Instance {
    plain_fields: napi::bindgen_prelude::FunctionRef<napi::bindgen_prelude::Unknown<'static>, Option<String>>,
}

/// A value of a plain object as [`PLAIN_FIELDS`] sends it.
pub(crate) trait FromPlain: Sized {
    /// The value from its kind (0 a number `x`, 1 the string `text`, 2 a boolean `x == 1`,
    /// 3 null); `None` for one the type does not take (then read property by property, for
    /// the error).
    fn from_plain(kind: f64, x: f64, text: &str) -> Option<Self>;
}

impl FromPlain for f64 {
    fn from_plain(kind: f64, x: f64, _: &str) -> Option<f64> {
        (kind == 0.0).then_some(x)
    }
}

impl FromPlain for Field {
    fn from_plain(kind: f64, x: f64, text: &str) -> Option<Field> {
        Some(match kind as u8 {
            0 => Field::Number(x),
            1 => Field::Text(text.to_string()),
            2 => Field::Bool(x == 1.0),
            _ => Field::Missing,
        })
    }
}

/// `value`'s fields if it is a plain object of finite numbers, strings, booleans and nulls
/// ([`PLAIN_FIELDS`]): their names and strings come as one string, their count and, per
/// field, its kind, number and lengths (in UTF-16 units) in the function's own array.
fn plain_fields<T: FromPlain>(
    env: &napi::Env,
    value: napi::sys::napi_value,
) -> napi::Result<Option<std::collections::HashMap<String, T>>> {
    use napi::bindgen_prelude::{Float64ArraySlice, FromNapiValue, Function, JsObjectValue, Object, Unknown};
    use napi::JsValue;
    if env.get_instance_data::<Instance>()?.is_none() {
        let f: Function<Unknown<'static>, Option<String>> = env.run_script(PLAIN_FIELDS)?;
        let mut holder = Object::from_raw(env.raw(), f.raw());
        holder.set_named_property("cells", Float64ArraySlice::from_data(env, vec![0.0; 64])?)?;
        // The reference goes with the environment itself (one released while the
        // environment is torn down would be released twice).
        env.set_instance_data(Instance { plain_fields: f.create_ref()? }, (), |c| std::mem::forget(c.value))?;
    }
    let instance = env.get_instance_data::<Instance>()?.expect("set above");
    let f = instance.plain_fields.borrow_back(env)?;
    // SAFETY: `value` is a live value of this call.
    let Some(text) = f.call(unsafe { Unknown::from_napi_value(env.raw(), value)? })? else {
        return Ok(None);
    };
    let holder = Object::from_raw(env.raw(), f.raw());
    let cells: Float64ArraySlice = holder.get_named_property_unchecked("cells")?;
    let mut fields = std::collections::HashMap::with_capacity(8);
    let mut rest = text.as_str();
    // The first `units` UTF-16 units of `rest`, taken off it.
    let mut take = |units: f64| {
        let mut end = 0;
        let mut counted = 0.0;
        for c in rest.chars() {
            if counted >= units {
                break;
            }
            counted += c.len_utf16() as f64;
            end += c.len_utf8();
        }
        let (head, tail) = rest.split_at(end);
        rest = tail;
        head
    };
    let count = cells[0] as usize;
    for cell in cells[1..1 + 4 * count].chunks_exact(4) {
        let name = take(cell[2]);
        let text = if cell[0] == 1.0 { take(cell[3]) } else { "" };
        match T::from_plain(cell[0], cell[1], text) {
            Some(v) => fields.insert(name.to_string(), v),
            None => return Ok(None),
        };
    }
    Ok(Some(fields))
}

/// Reads a [`Named`]: through [`PLAIN_FIELDS`] when every value is plain, else property by
/// property.
impl<T> napi::bindgen_prelude::FromNapiValue for Named<T>
where
    T: FromPlain + napi::bindgen_prelude::FromNapiValue,
{
    unsafe fn from_napi_value(env: napi::sys::napi_env, value: napi::sys::napi_value) -> napi::Result<Self> {
        if let Some(fields) = plain_fields(&napi::Env::from_raw(env), value)? {
            return Ok(Named(fields));
        }
        std::collections::HashMap::from_napi_value(env, value).map(Named)
    }
}

impl<T: napi::bindgen_prelude::ToNapiValue> napi::bindgen_prelude::ToNapiValue for Named<T> {
    unsafe fn to_napi_value(env: napi::sys::napi_env, value: Self) -> napi::Result<napi::sys::napi_value> {
        std::collections::HashMap::to_napi_value(env, value.0)
    }
}

impl<T> napi::bindgen_prelude::TypeName for Named<T> {
    fn type_name() -> &'static str {
        "Record<string, T>"
    }
    fn value_type() -> napi::ValueType {
        napi::ValueType::Object
    }
}

impl<T> napi::bindgen_prelude::ValidateNapiValue for Named<T> {}

/// The cells of `inputs` in the order a model reads them; a missing field is an error that
/// lists what the model reads, null and NaN are missing values.
pub(crate) fn input_cells<'a>(
    names: &[String],
    customer: &'a Inputs,
) -> crate::error::Result<Vec<nps_core::encode::Cell<'a>>> {
    names
        .iter()
        .map(|name| match customer.get(name) {
            Some(value) => value.cell(name),
            None => Err(crate::error::to_napi(nps_core::NpsError::invalid(
                "customer",
                format!("no field {name:?}"),
                &format!("an object with the model's inputs ({})", names.join(", ")),
            ))),
        })
        .collect()
}

/// Seconds since the epoch (floored) of a `Date` or epoch milliseconds; a NaN or infinite
/// time is an error naming `field` and `index`.
pub(crate) fn epoch_seconds(
    t: &napi::bindgen_prelude::Either<f64, napi::JsDate<'_>>,
    field: &str,
    index: usize,
) -> crate::error::Result<i64> {
    use crate::error::IntoNapi;
    let ms = match t {
        napi::bindgen_prelude::Either::A(ms) => *ms,
        napi::bindgen_prelude::Either::B(d) => d.value_of().into_napi()?,
    };
    ms_seconds(ms, field, index)
}

/// The largest time a JavaScript `Date` holds: 8.64e15 ms (100,000,000 days) either side of
/// 1970. Beyond it a number of milliseconds is no time (it would saturate on its way to an
/// i64 number of seconds).
const DATE_RANGE_MS: f64 = 8.64e15;

fn ms_seconds(ms: f64, field: &str, index: usize) -> crate::error::Result<i64> {
    if ms.is_nan() || ms.abs() > DATE_RANGE_MS {
        return Err(crate::error::to_napi(nps_core::NpsError::OutOfRange {
            field: field.into(),
            index,
            value: ms,
            range: format!("valid times (a Date's range: epoch milliseconds at most {DATE_RANGE_MS:e} in size)"),
        }));
    }
    Ok((ms / 1000.0).floor() as i64)
}

/// A number of epoch seconds, floored (a core time), where a number crosses as seconds
/// rather than milliseconds: napi would make NaN 0 and saturate ±Infinity on its way to an
/// i64. NaN is missing; beyond 2**53 seconds is out of range.
pub(crate) fn epoch_second(t: f64, field: &str, index: usize) -> nps_core::Result<i64> {
    match t {
        t if t.is_nan() => Err(nps_core::NpsError::Missing { field: field.into(), index }),
        t if t.abs() <= MAX_SAFE => Ok(t.floor() as i64),
        t => Err(nps_core::NpsError::OutOfRange {
            field: field.into(),
            index,
            value: t,
            range: "epoch seconds (finite, at most 2**53 in size)".into(),
        }),
    }
}

/// A time option (`now`, `asOf`): a `Date` or epoch milliseconds. Unlike napi's
/// `Either<f64, JsDate>`, anything else — `null` above all — is refused with what is
/// expected; [`Obj`], around every options object holding a time, names the option and
/// shows the value given (`asOf must be a Date or epoch milliseconds, got null`), with
/// `code` `INVALID_PARAMETER`.
pub struct Time(f64);

impl napi::bindgen_prelude::TypeName for Time {
    fn type_name() -> &'static str {
        "number | Date"
    }
    fn value_type() -> napi::ValueType {
        napi::ValueType::Unknown
    }
}

impl napi::bindgen_prelude::ValidateNapiValue for Time {}

impl napi::bindgen_prelude::FromNapiValue for Time {
    unsafe fn from_napi_value(env: napi::sys::napi_env, value: napi::sys::napi_value) -> napi::Result<Self> {
        use napi::ValueType;
        match napi::type_of!(env, value)? {
            ValueType::Number => return Ok(Time(f64::from_napi_value(env, value)?)),
            ValueType::Object => {
                let mut date = false;
                napi::check_status!(napi::sys::napi_is_date(env, value, &mut date))?;
                if date {
                    let mut ms = 0.0;
                    napi::check_status!(napi::sys::napi_get_date_value(env, value, &mut ms))?;
                    return Ok(Time(ms));
                }
            }
            _ => {}
        }
        Err(napi::Error::new(napi::Status::InvalidArg, "a Date or epoch milliseconds".to_string()))
    }
}

/// A time argument (not an option): a [`Time`], refused by its name with INVALID_PARAMETER
/// (`asOf must be a Date or epoch milliseconds, got null`). The TypeScript type is set where
/// it is used (`number | Date`).
macro_rules! time_argument {
    ($name:ident, $js:literal) => {
        pub struct $name(pub Time);

        impl napi::bindgen_prelude::TypeName for $name {
            fn type_name() -> &'static str {
                "number | Date"
            }
            fn value_type() -> napi::ValueType {
                napi::ValueType::Unknown
            }
        }

        impl napi::bindgen_prelude::FromNapiValue for $name {
            unsafe fn from_napi_value(env: napi::sys::napi_env, value: napi::sys::napi_value) -> napi::Result<Self> {
                match Time::from_napi_value(env, value) {
                    Ok(t) => Ok($name(t)),
                    Err(e) => {
                        let (got, _) = describe(env, value)?;
                        Err(thrown(env, nps_core::NpsError::invalid($js, got, &e.reason)))
                    }
                }
            }
        }
    };
}
time_argument!(AsOf, "asOf");
time_argument!(Now, "now");

impl napi::bindgen_prelude::ToNapiValue for Time {
    unsafe fn to_napi_value(env: napi::sys::napi_env, value: Self) -> napi::Result<napi::sys::napi_value> {
        f64::to_napi_value(env, value.0)
    }
}

impl Time {
    /// Epoch seconds (floored); NaN or infinite is an error naming `field`.
    pub(crate) fn seconds(&self, field: &str) -> crate::error::Result<i64> {
        ms_seconds(self.0, field, 0)
    }

    /// Epoch seconds (floored); NaN or infinite is an error naming `field` and `index`.
    pub(crate) fn seconds_at(&self, field: &str, index: usize) -> crate::error::Result<i64> {
        ms_seconds(self.0, field, index)
    }
}

/// A whole number option (a count, a size, a seed), taken as the JS number it is and checked
/// here, so that a value out of range is reported as given (`customers = 1099511627776`)
/// rather than truncated to 32 bits first.
pub(crate) fn whole(value: Option<f64>, field: &str, min: f64, max: f64) -> crate::error::Result<Option<u64>> {
    match value {
        None => Ok(None),
        Some(x) if x.fract() == 0.0 && x >= min && x <= max => Ok(Some(x as u64)),
        Some(x) => Err(crate::error::to_napi(nps_core::NpsError::invalid(
            field,
            js_number(x),
            &format!("a whole number from {min} to {max}"),
        ))),
    }
}

/// A whole-number option for a `usize` field of the core (up to 2**53), or `default`.
pub(crate) fn size(value: Option<f64>, field: &str, min: f64, default: usize) -> crate::error::Result<usize> {
    Ok(whole(value, field, min, MAX_SAFE)?.map_or(default, |x| x as usize))
}

/// A whole-number option for a `u32` field of the core, or `default`.
pub(crate) fn size32(value: Option<f64>, field: &str, min: f64, default: u32) -> crate::error::Result<u32> {
    Ok(whole(value, field, min, U32_MAX)?.map_or(default, |x| x as u32))
}

/// A seed for a `u64` field of the core (up to 2**53), or `default`.
pub(crate) fn seed(value: Option<f64>, field: &str, default: u64) -> crate::error::Result<u64> {
    Ok(whole(value, field, 0.0, MAX_SAFE)?.unwrap_or(default))
}

/// The largest whole number a JS number holds exactly (2**53): the bound of `usize` options.
pub(crate) const MAX_SAFE: f64 = 9007199254740992.0;

/// The bound of `u32` options.
pub(crate) const U32_MAX: f64 = u32::MAX as f64;

/// A number as JavaScript prints it (`NaN`, `Infinity`, `1099511627776`, `2.5`, `1e+21`,
/// `1e-7`): both print the shortest digits that read back to the same number.
pub(crate) fn js_number(x: f64) -> String {
    match x {
        x if x.is_nan() => "NaN".into(),
        f64::INFINITY => "Infinity".into(),
        f64::NEG_INFINITY => "-Infinity".into(),
        x if x != 0.0 && (x.abs() >= 1e21 || x.abs() < 1e-6) => {
            let e = format!("{x:e}");
            if e.contains("e-") {
                e
            } else {
                e.replace('e', "e+")
            }
        }
        x => x.to_string(),
    }
}

/// An object argument (an options object, an event, evidence): `Obj<GenerateOptions>` in
/// place of `GenerateOptions`, `Option<Obj<..>>` where it may be left out. napi-rs reads
/// the fields of anything it is given (a string, a number, an array: every field then
/// missing, the argument silently ignored; `null` where one is required: V8's `TypeError`
/// without a `code`). This refuses what is not a plain object, and turns napi-rs's error
/// about a field (`Failed to convert napi value String into rust type f64 on
/// GenerateOptions.customers`) into ours, naming the option and showing the value as given
/// (`customers must be a number, got "x"`); both with `code` `INVALID_PARAMETER`.
///
/// The argument is named after the last word of its type (`GenerateOptions` -> `options`,
/// `HistoryEvent` -> `event`), as every such argument of this crate is. The TypeScript type
/// stays the struct's: each use sets it (`#[napi(ts_arg_type = "..")]` or the function's
/// `ts_args_type`).
pub struct Obj<T>(pub T);

impl<T: napi::bindgen_prelude::TypeName> napi::bindgen_prelude::TypeName for Obj<T> {
    fn type_name() -> &'static str {
        T::type_name()
    }
    fn value_type() -> napi::ValueType {
        napi::ValueType::Object
    }
}

/// Accepts everything: should a function be marked `strict`, its check leaves the refusal
/// (with our `code` and the argument's name) to `from_napi_value`.
impl<T: napi::bindgen_prelude::TypeName> napi::bindgen_prelude::ValidateNapiValue for Obj<T> {
    unsafe fn validate(
        _env: napi::sys::napi_env,
        _value: napi::sys::napi_value,
    ) -> napi::Result<napi::sys::napi_value> {
        Ok(std::ptr::null_mut())
    }
}

impl<T: napi::bindgen_prelude::FromNapiValue + napi::bindgen_prelude::TypeName> napi::bindgen_prelude::FromNapiValue
    for Obj<T>
{
    unsafe fn from_napi_value(env: napi::sys::napi_env, value: napi::sys::napi_value) -> napi::Result<Self> {
        let ty = T::type_name();
        let arg = arg_name(ty);
        let (got, plain) = describe(env, value)?;
        if !plain {
            let e = nps_core::NpsError::invalid(&arg, got, &format!("an object ({ty})"));
            return Err(thrown(env, e));
        }
        match T::from_napi_value(env, value) {
            Ok(v) => Ok(Obj(v)),
            // A JS exception (a getter that threw) goes on as it is.
            Err(e) if e.status == napi::Status::PendingException => Err(e),
            Err(e) => Err(thrown(env, field_error(env, value, &arg, e))),
        }
    }
}

/// An object nested in an options object (`base` of `synth.campaign`, `shares`, `scale`):
/// `Option<Nested<Shares>>` in place of `Option<Shares>`, with `#[napi(ts_type = "Shares")]`.
/// What is not a plain object is refused rather than read as an object with every field
/// missing; the error is napi-rs's kind (so that napi-rs adds the field's place, `on
/// SampleSizeOptions.shares`), which [`Obj`] around the options turns into ours (`shares
/// must be an object (Shares), got "x"`).
pub struct Nested<T>(pub T);

impl<T: napi::bindgen_prelude::TypeName> napi::bindgen_prelude::TypeName for Nested<T> {
    fn type_name() -> &'static str {
        T::type_name()
    }
    fn value_type() -> napi::ValueType {
        napi::ValueType::Object
    }
}

impl<T: napi::bindgen_prelude::TypeName> napi::bindgen_prelude::ValidateNapiValue for Nested<T> {}

impl<T: napi::bindgen_prelude::FromNapiValue + napi::bindgen_prelude::TypeName> napi::bindgen_prelude::FromNapiValue
    for Nested<T>
{
    unsafe fn from_napi_value(env: napi::sys::napi_env, value: napi::sys::napi_value) -> napi::Result<Self> {
        if !describe(env, value)?.1 {
            return Err(napi::Error::new(napi::Status::InvalidArg, format!("an object ({})", T::type_name())));
        }
        T::from_napi_value(env, value).map(Nested)
    }
}

impl<T: napi::bindgen_prelude::ToNapiValue> napi::bindgen_prelude::ToNapiValue for Nested<T> {
    unsafe fn to_napi_value(env: napi::sys::napi_env, value: Self) -> napi::Result<napi::sys::napi_value> {
        T::to_napi_value(env, value.0)
    }
}

/// `GenerateOptions` -> `options`, `ReportOptionsJs` -> `options`, `HistoryEvent` -> `event`.
fn arg_name(ty: &str) -> String {
    let ty = ty.strip_suffix("Js").unwrap_or(ty);
    let start = ty.rfind(|c: char| c.is_ascii_uppercase()).unwrap_or(0);
    ty[start..].to_ascii_lowercase()
}

/// A JS value as a message shows it (`"x"`, `2.5`, `null`, `an array`), and whether it is a
/// plain object (not an array, a typed array or a Buffer).
unsafe fn describe(env: napi::sys::napi_env, value: napi::sys::napi_value) -> napi::Result<(String, bool)> {
    use napi::bindgen_prelude::FromNapiValue;
    use napi::ValueType;
    Ok(match napi::type_of!(env, value)? {
        ValueType::Undefined => ("undefined".into(), false),
        ValueType::Null => ("null".into(), false),
        ValueType::Boolean => (bool::from_napi_value(env, value)?.to_string(), false),
        ValueType::Number => (js_number(f64::from_napi_value(env, value)?), false),
        ValueType::String => {
            let s = String::from_napi_value(env, value)?;
            let short: String = s.chars().take(40).collect();
            (if short.len() < s.len() { format!("{short:?}...") } else { format!("{s:?}") }, false)
        }
        ValueType::Object => {
            let (mut array, mut typed) = (false, false);
            napi::check_status!(napi::sys::napi_is_array(env, value, &mut array))?;
            napi::check_status!(napi::sys::napi_is_typedarray(env, value, &mut typed))?;
            match (array, typed) {
                (true, _) => ("an array".into(), false),
                (_, true) => ("a typed array".into(), false),
                _ => ("an object".into(), true),
            }
        }
        ValueType::BigInt => ("a bigint".into(), false),
        ValueType::Symbol => ("a symbol".into(), false),
        ValueType::Function => ("a function".into(), false),
        _ => ("a value of another type".into(), false),
    })
}

/// napi-rs's error about a field of `object` (its reason ends in ` on Struct.field`, once
/// per level) as ours: the option's name (`asOf`, `shares.detractors`), the value given
/// and what is expected.
unsafe fn field_error(
    env: napi::sys::napi_env,
    object: napi::sys::napi_value,
    arg: &str,
    e: napi::Error,
) -> nps_core::NpsError {
    use napi::Status;
    let mut reason = e.reason.as_str();
    let mut path = Vec::new();
    // napi-rs appends the outer place last: read from the end, the path runs outside in.
    while let Some((rest, place)) = reason.rsplit_once(" on ") {
        match place.split_once('.') {
            Some((s, f)) if !s.is_empty() && !f.is_empty() && !place.contains(' ') => path.push(f.to_string()),
            _ => break,
        }
        reason = rest;
    }
    let missing = reason.strip_prefix("Missing field `").and_then(|r| r.strip_suffix('`'));
    // An option goes by its own name (`customers`, as the checks of the values name it); a
    // field of another object by its place in the argument (`event.time`).
    let prefix = if arg == "options" { String::new() } else { format!("{arg}.") };
    if path.is_empty() {
        if let Some(field) = missing {
            return nps_core::NpsError::invalid(&format!("{prefix}{field}"), "nothing", "given");
        }
        return nps_core::NpsError::invalid(arg, reason, "an object of the expected fields");
    }
    // The option's name and the value at its place, when each step is a field of a plain
    // object; a step into a list (whose element napi-rs does not say) is written `[]`.
    let (mut name, mut value) = (prefix, Some(object));
    for (i, f) in path.iter().enumerate() {
        if i > 0 {
            name.push('.');
        }
        name.push_str(f);
        value = value.and_then(|v| property(env, v, f));
        let inner = i + 1 < path.len();
        if inner && value.is_some_and(|v| describe(env, v).is_ok_and(|(d, _)| d == "an array")) {
            name.push_str("[]");
            value = None;
        }
    }
    let got = value.and_then(|v| describe(env, v).ok()).map(|(d, _)| d);
    if let Some(field) = missing {
        // A required field missing in a nested object, or in an element of a list of them.
        let list = if got.as_deref() == Some("an array") { "[]" } else { "" };
        return nps_core::NpsError::invalid(&format!("{name}{list}.{field}"), "nothing", "given");
    }
    let got = got.unwrap_or_else(|| "a value of the wrong type".into());
    let expected = match e.status {
        Status::NumberExpected => "a number",
        Status::StringExpected => "a string",
        Status::BooleanExpected => "a boolean",
        Status::ObjectExpected => "an object",
        Status::ArrayExpected => "an array",
        Status::BigintExpected => "a bigint",
        Status::DateExpected => "a Date",
        _ => reason,
    };
    nps_core::NpsError::invalid(&name, got, expected)
}

/// The property `name` of `value` if `value` is a plain object.
unsafe fn property(
    env: napi::sys::napi_env,
    value: napi::sys::napi_value,
    name: &str,
) -> Option<napi::sys::napi_value> {
    let Ok((_, true)) = describe(env, value) else { return None };
    let name = std::ffi::CString::new(name).ok()?;
    let mut out = std::ptr::null_mut();
    (napi::sys::napi_get_named_property(env, value, name.as_ptr(), &mut out) == napi::sys::Status::napi_ok)
        .then_some(out)
}

/// The error as the JS `Error` (with its `code`) that napi-rs throws as it is.
unsafe fn thrown(env: napi::sys::napi_env, e: nps_core::NpsError) -> napi::Error {
    let env = napi::Env::from_raw(env);
    napi::Error::from(napi::bindgen_prelude::JsError::from(crate::error::to_napi(e)).into_unknown(env))
}

/// Values in a model's `inputs` order as cells (NaN is missing); a wrong count is an error.
pub(crate) fn value_cells(values: &[f64], inputs: usize) -> crate::error::Result<Vec<nps_core::encode::Cell<'static>>> {
    use nps_core::encode::Cell;
    if values.len() != inputs {
        return Err(crate::error::to_napi(nps_core::NpsError::LengthMismatch {
            field: "values".into(),
            actual: values.len(),
            other: "the model's inputs".into(),
            expected: inputs,
        }));
    }
    Ok(values.iter().map(|&v| if v.is_nan() { Cell::Missing } else { Cell::Number(v) }).collect())
}

/// A row-major batch of numbers whose columns are named `columns`, as a matrix view.
pub(crate) fn batch_view<'a>(values: &'a [f64], columns: &[String]) -> nps_core::Result<ndarray::ArrayView2<'a, f64>> {
    let k = columns.len();
    if k == 0 || !values.len().is_multiple_of(k) {
        return Err(nps_core::NpsError::invalid(
            "values",
            format!("{} numbers", values.len()),
            &format!("a whole number of rows of the {k} columns"),
        ));
    }
    Ok(ndarray::ArrayView2::from_shape((values.len() / k, k), values).expect("the shape divides the length"))
}

/// JSON text (written by serde) as the JS value V8 parses from it: a result with many
/// strings crosses much faster this way than built property by property through N-API,
/// and serde writes every f64 so that it parses back to the same bits.
pub(crate) fn parse_json<'env>(
    env: &'env napi::Env,
    text: &[u8],
) -> crate::error::Result<napi::bindgen_prelude::Unknown<'env>> {
    use crate::error::IntoNapi;
    use napi::bindgen_prelude::{Function, JsObjectValue, Unknown};
    let text = std::str::from_utf8(text).expect("JSON is UTF-8");
    let json: napi::JSON = env.get_global().into_napi()?.get_named_property_unchecked("JSON").into_napi()?;
    let parse: Function<&str, Unknown> = json.get_named_property_unchecked("parse").into_napi()?;
    parse.call(text).into_napi()
}
