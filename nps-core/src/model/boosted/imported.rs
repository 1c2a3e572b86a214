//! A model read from another library's file (LightGBM's model text, XGBoost's JSON), with
//! what the file says about its inputs beside the trees.
use super::{Ensemble, Objective};

/// A model read from another library, ready to score in nps.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedModel {
    /// The trees; scoring a row (one value per input, NaN missing, category codes for
    /// categorical inputs) gives the library's raw score.
    pub ensemble: Ensemble,
    /// One name per input: from the file, or `f0..f{n-1}` when it has none.
    pub feature_names: Vec<String>,
    /// Per input: `Some(labels)` for a categorical input, label `i` the category of code
    /// `i` (from the file's category lists when it has them, else the codes themselves as
    /// text); `None` for a numeric input.
    pub categorical: Vec<Option<Vec<String>>>,
    /// What the raw scores mean.
    pub objective: Objective,
    /// The library, and the version the file names (`"lightgbm v4"`, `"xgboost 3.2.0"`).
    pub source: String,
}

/// Labels for a categorical input whose file names no categories: the codes `0..=max` as
/// text, `max` the largest code the file mentions.
pub(crate) fn code_labels(max_code: Option<u32>) -> Vec<String> {
    max_code.map_or_else(Vec::new, |max| (0..=max).map(|c| c.to_string()).collect())
}

/// A value cut short for an error message (a whole corrupted line helps nobody).
pub(crate) fn shorten(s: &str) -> String {
    const MAX: usize = 40;
    match s.char_indices().nth(MAX) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None if s.is_empty() => "an empty value".to_string(),
        None => s.to_string(),
    }
}
