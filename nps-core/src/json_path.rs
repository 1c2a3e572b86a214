//! Walking a parsed JSON document while keeping the path of each part (`features[3].window`,
//! `actions[0].when.all[1]`), so that every error names its culprit: the one walker of the
//! feature definitions, the action catalogue and the contact policies.
use serde_json::{Map, Value};

use crate::error::{NpsError, Result};

/// `path.key`, or `key` at the top.
pub(crate) fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// A JSON value cut short for a message.
pub(crate) fn show(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(57).collect::<String>())
    } else {
        s
    }
}

/// The error for an absent value at `path`.
pub(crate) fn missing(path: &str, expected: &str) -> NpsError {
    NpsError::invalid(path, "nothing", expected)
}

/// The value as an object, or an error naming `path` and what was `expected`.
pub(crate) fn object<'a>(v: &'a Value, path: &str, expected: &str) -> Result<&'a Map<String, Value>> {
    v.as_object().ok_or_else(|| NpsError::invalid(path, show(v), expected))
}

/// The value as an array, or an error naming `path` and what was `expected`.
pub(crate) fn array<'a>(v: &'a Value, path: &str, expected: &str) -> Result<&'a Vec<Value>> {
    v.as_array().ok_or_else(|| NpsError::invalid(path, show(v), expected))
}

/// An error for the first key of `map` that is not `allowed`.
pub(crate) fn check_keys(map: &Map<String, Value>, path: &str, allowed: &[&str]) -> Result<()> {
    match map.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(NpsError::unknown("field", &join(path, k), allowed)),
        None => Ok(()),
    }
}

/// The value as a string.
pub(crate) fn string(v: &Value, path: &str) -> Result<String> {
    v.as_str().map(str::to_string).ok_or_else(|| NpsError::invalid(path, show(v), "a string"))
}

/// The value as a number (a JSON number is always finite).
pub(crate) fn number(v: &Value, path: &str) -> Result<f64> {
    match v.as_f64() {
        Some(x) if x.is_finite() => Ok(x),
        _ => Err(NpsError::invalid(path, show(v), "a number")),
    }
}

/// The value as a number of at least zero.
pub(crate) fn non_negative(v: &Value, path: &str) -> Result<f64> {
    let x = number(v, path)?;
    if x < 0.0 {
        return Err(NpsError::invalid(path, x, "a non-negative number"));
    }
    Ok(x)
}

/// The value of `key` in `m`, or an error naming `path.key` and what was `expected`.
pub(crate) fn required<'a>(m: &'a Map<String, Value>, path: &str, key: &str, expected: &str) -> Result<&'a Value> {
    m.get(key).ok_or_else(|| missing(&join(path, key), expected))
}
