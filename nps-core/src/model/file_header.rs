//! The header every churn model file begins with, whatever the model's kind (`format`,
//! `version`, `kind`), checked the same way when a file of any kind is read.
use crate::error::{NpsError, Result};

/// The `format` field of a churn model file.
pub const MODEL_FORMAT: &str = "nps.churn_model";

/// The file version that introduced model kinds (a logistic file of version 1 has none).
pub const BOOSTED_MODEL_VERSION: u32 = 2;

/// Checks a model file's `format`, `version` and `kind` (a version-1 file has no kind and
/// is logistic).
pub(crate) fn check_header(value: &serde_json::Value, kind: &str) -> Result<()> {
    match value.get("format").and_then(|f| f.as_str()) {
        Some(MODEL_FORMAT) => {}
        other => return Err(NpsError::invalid("format", format!("{other:?}"), &format!("\"{MODEL_FORMAT}\""))),
    }
    match value.get("version").and_then(|v| v.as_u64()) {
        Some(v) if (1..=BOOSTED_MODEL_VERSION as u64).contains(&v) => {}
        Some(v) if v > BOOSTED_MODEL_VERSION as u64 => {
            return Err(NpsError::invalid(
                "version",
                v,
                &format!("at most {BOOSTED_MODEL_VERSION} (the file was written by a newer nps; upgrade to read it)"),
            ))
        }
        other => return Err(NpsError::invalid("version", format!("{other:?}"), "a positive integer")),
    }
    let found = value.get("kind").and_then(|k| k.as_str()).unwrap_or("logistic");
    if found != kind {
        return Err(NpsError::invalid(
            "kind",
            format!("{found:?}"),
            &format!("{kind:?} (load a {found} model with the class of that kind, or with load_churn_model)"),
        ));
    }
    Ok(())
}
