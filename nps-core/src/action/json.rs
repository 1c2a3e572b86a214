//! Small helpers to walk a JSON value while keeping the path of each part for error messages.
use serde_json::{Map, Value};

use crate::error::{NpsError, Result};

pub(super) fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// A JSON value cut short for a message.
pub(super) fn show(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(57).collect::<String>())
    } else {
        s
    }
}

pub(super) fn missing(path: &str, expected: &str) -> NpsError {
    NpsError::invalid(path, "nothing", expected)
}

pub(super) fn object<'a>(v: &'a Value, path: &str, expected: &str) -> Result<&'a Map<String, Value>> {
    v.as_object().ok_or_else(|| NpsError::invalid(path, show(v), expected))
}

pub(super) fn array<'a>(v: &'a Value, path: &str, expected: &str) -> Result<&'a Vec<Value>> {
    v.as_array().ok_or_else(|| NpsError::invalid(path, show(v), expected))
}

pub(super) fn keys(map: &Map<String, Value>, path: &str, allowed: &[&str]) -> Result<()> {
    match map.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(NpsError::unknown("field", &join(path, k), allowed)),
        None => Ok(()),
    }
}

pub(super) fn string(v: &Value, path: &str) -> Result<String> {
    v.as_str().map(str::to_string).ok_or_else(|| NpsError::invalid(path, show(v), "a string"))
}

pub(super) fn number(v: &Value, path: &str) -> Result<f64> {
    match v.as_f64() {
        Some(x) if x.is_finite() => Ok(x),
        _ => Err(NpsError::invalid(path, show(v), "a number")),
    }
}

pub(super) fn non_negative(v: &Value, path: &str) -> Result<f64> {
    let x = number(v, path)?;
    if x < 0.0 {
        return Err(NpsError::invalid(path, x, "a non-negative number"));
    }
    Ok(x)
}

pub(super) fn required<'a>(m: &'a Map<String, Value>, path: &str, key: &str, expected: &str) -> Result<&'a Value> {
    m.get(key).ok_or_else(|| missing(&join(path, key), expected))
}
