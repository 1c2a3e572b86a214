//! The header every model file begins with, whatever the model's kind (`format`, `version`,
//! `kind`), checked the same way when a file of any format or kind is read.
use crate::error::{NpsError, Result};

/// The `format` field of a churn model file.
pub const MODEL_FORMAT: &str = "nps.churn_model";

/// The file version that introduced model kinds (a logistic file of version 1 has none).
pub const BOOSTED_MODEL_VERSION: u32 = 2;

/// The file version of a churn model (of either kind) that carries what monitoring and
/// retraining keep with it: a reference summary, a recalibration or a lineage. A file
/// without them keeps its version (1 logistic, 2 boosted) and its bytes, so that older
/// readers still read it; a reader that does not know version 3 refuses such a file rather
/// than ignore a recalibration it would not apply.
pub const MONITORED_MODEL_VERSION: u32 = 3;

/// Checks a churn model file's `format`, `version` and `kind` (a version-1 file has no kind
/// and is logistic).
pub(crate) fn check_header(value: &serde_json::Value, kind: &str) -> Result<()> {
    check_file_header(value, MODEL_FORMAT, MONITORED_MODEL_VERSION, kind, "logistic")
}

/// Checks the header of a model file of any format: `format` must be `format`, `version`
/// between 1 and `max_version`, and `kind` (or `default_kind` when the file has none) must be
/// `kind`. Survival and value model files have their own formats and share this check.
pub(crate) fn check_file_header(
    value: &serde_json::Value,
    format: &str,
    max_version: u32,
    kind: &str,
    default_kind: &str,
) -> Result<()> {
    match value.get("format").and_then(|f| f.as_str()) {
        Some(f) if f == format => {}
        other => return Err(NpsError::invalid("format", format!("{other:?}"), &format!("\"{format}\""))),
    }
    match value.get("version").and_then(|v| v.as_u64()) {
        Some(v) if (1..=max_version as u64).contains(&v) => {}
        Some(v) if v > max_version as u64 => {
            return Err(NpsError::invalid(
                "version",
                v,
                &format!("at most {max_version} (the file was written by a newer nps; upgrade to read it)"),
            ))
        }
        other => return Err(NpsError::invalid("version", format!("{other:?}"), "a positive integer")),
    }
    let found = value.get("kind").and_then(|k| k.as_str()).unwrap_or(default_kind);
    if found != kind {
        return Err(NpsError::invalid(
            "kind",
            format!("{found:?}"),
            &format!("{kind:?} (load a {found} model with the class of that kind, or with load_churn_model)"),
        ));
    }
    Ok(())
}
