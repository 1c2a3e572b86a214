//! The uplift model and its file: one versioned JSON document (`nps.uplift_model`) holding
//! the learner's churn model files, which scores identically in Rust, Python and Node.
//!
//! ```json
//! {"format": "nps.uplift_model", "version": 1, "kind": "two_model",
//!  "treated": {<a churn model file>}, "control": {<a churn model file>}}
//! {"format": "nps.uplift_model", "version": 1, "kind": "class_transformation",
//!  "treated_share": 0.5, "model": {<a churn model file>}}
//! ```
use serde::{Deserialize, Serialize};

use super::class_transformation::{ClassTransformation, ClassTransformationFile};
use super::learner::{UpliftInputs, UpliftLearner};
use super::two_model::{TwoModel, TwoModelFile};
use crate::error::{NpsError, Result};
use crate::model::check_file_header;

/// The `format` field of an uplift model file.
pub const UPLIFT_MODEL_FORMAT: &str = "nps.uplift_model";

/// The newest uplift model file version this library reads and the one it writes.
pub const UPLIFT_MODEL_VERSION: u32 = 1;

/// The kinds of uplift model, as a caller spells them.
pub const UPLIFT_KINDS: [&str; 2] = ["two_model", "class_transformation"];

/// An uplift model of either kind.
// A model is fitted or loaded once and used many times: its size is no concern.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum UpliftModel {
    /// [`TwoModel`].
    TwoModel(TwoModel),
    /// [`ClassTransformation`].
    ClassTransformation(ClassTransformation),
}

#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Body {
    TwoModel(TwoModelFile),
    ClassTransformation(ClassTransformationFile),
}

#[derive(Serialize, Deserialize)]
struct File {
    format: String,
    version: u32,
    #[serde(flatten)]
    body: Body,
}

impl UpliftModel {
    /// Fits an uplift model of kind `kind` (one of [`UPLIFT_KINDS`]) with `learner` on
    /// churn labels `y` (1 = churned) and the assignment `treated` (1 = called, 0 = control).
    pub fn fit(
        kind: &str,
        inputs: &UpliftInputs<'_>,
        y: &[f64],
        treated: &[f64],
        learner: &UpliftLearner,
    ) -> Result<UpliftModel> {
        match kind {
            "two_model" => TwoModel::fit(inputs, y, treated, learner).map(UpliftModel::TwoModel),
            "class_transformation" => {
                ClassTransformation::fit(inputs, y, treated, learner).map(UpliftModel::ClassTransformation)
            }
            other => Err(NpsError::unknown_closest("uplift kind", other, &UPLIFT_KINDS)),
        }
    }

    /// The predicted uplift in retention of each row (positive: the call saves).
    pub fn predict(&self, inputs: &UpliftInputs<'_>) -> Result<Vec<f64>> {
        match self {
            UpliftModel::TwoModel(m) => m.predict(inputs),
            UpliftModel::ClassTransformation(m) => m.predict(inputs),
        }
    }

    /// `two_model` or `class_transformation`.
    pub fn kind(&self) -> &'static str {
        match self {
            UpliftModel::TwoModel(_) => UPLIFT_KINDS[0],
            UpliftModel::ClassTransformation(_) => UPLIFT_KINDS[1],
        }
    }

    /// The named inputs (those of the first churn model).
    pub fn inputs(&self) -> &[String] {
        match self {
            UpliftModel::TwoModel(m) => m.treated.inputs(),
            UpliftModel::ClassTransformation(m) => m.model.inputs(),
        }
    }

    /// The model file.
    pub fn to_json(&self) -> String {
        let body = match self {
            UpliftModel::TwoModel(m) => Body::TwoModel(m.to_file()),
            UpliftModel::ClassTransformation(m) => Body::ClassTransformation(m.to_file()),
        };
        let file = File { format: UPLIFT_MODEL_FORMAT.into(), version: UPLIFT_MODEL_VERSION, body };
        serde_json::to_string_pretty(&file).expect("an uplift model serialises")
    }

    /// Reads an uplift model file: the header (format, version, kind), then each churn
    /// model as its own `from_json` checks it; errors name the part.
    pub fn from_json(text: &str) -> Result<UpliftModel> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| NpsError::invalid("model file", e, "a JSON document"))?;
        let kind = value.get("kind").and_then(|k| k.as_str()).unwrap_or("");
        if !UPLIFT_KINDS.contains(&kind) {
            return Err(NpsError::unknown("uplift kind", kind, &UPLIFT_KINDS));
        }
        check_file_header(&value, UPLIFT_MODEL_FORMAT, UPLIFT_MODEL_VERSION, kind, kind)?;
        let file: File =
            serde_json::from_value(value).map_err(|e| NpsError::invalid("model file", e, "a valid uplift model"))?;
        match &file.body {
            Body::TwoModel(f) => TwoModel::from_file(f).map(UpliftModel::TwoModel),
            Body::ClassTransformation(f) => {
                if !(f.treated_share > 0.0 && f.treated_share < 1.0) {
                    return Err(NpsError::invalid("treated_share", f.treated_share, "strictly between 0 and 1"));
                }
                ClassTransformation::from_file(f).map(UpliftModel::ClassTransformation)
            }
        }
    }
}
