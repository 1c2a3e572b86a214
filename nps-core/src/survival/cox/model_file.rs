//! The Cox model file: versioned JSON (`format` "nps.survival_model", `version` 1, `kind`
//! "cox") holding everything a prediction needs, read back and checked in every language so
//! that a model predicts the same numbers, to the bit, in Rust, Python and Node.
use serde::{Deserialize, Serialize};

use crate::error::{NpsError, Result};
use crate::model::check_file_header;

use super::CoxModel;

/// The `format` field of a survival model file.
pub const SURVIVAL_MODEL_FORMAT: &str = "nps.survival_model";
/// The newest version of the survival model file.
pub const SURVIVAL_MODEL_VERSION: u32 = 1;
/// The `kind` of a Cox model file.
pub const COX_KIND: &str = "cox";

#[derive(Serialize)]
struct FileOut<'a> {
    format: &'static str,
    version: u32,
    kind: &'static str,
    #[serde(flatten)]
    model: &'a CoxModel,
}

#[derive(Deserialize)]
struct FileIn {
    #[serde(flatten)]
    model: CoxModel,
}

impl CoxModel {
    /// The model file (pretty-printed JSON).
    pub fn to_json(&self) -> String {
        let file =
            FileOut { format: SURVIVAL_MODEL_FORMAT, version: SURVIVAL_MODEL_VERSION, kind: COX_KIND, model: self };
        serde_json::to_string_pretty(&file).expect("a Cox model serialises")
    }

    /// Reads a model file and checks it: the header, that the covariates, coefficients,
    /// means and baseline agree in size, that every number is finite.
    pub fn from_json(text: &str) -> Result<CoxModel> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| NpsError::invalid("model file", e, "a JSON document"))?;
        check_file_header(&value, SURVIVAL_MODEL_FORMAT, SURVIVAL_MODEL_VERSION, COX_KIND, COX_KIND)?;
        let file: FileIn =
            serde_json::from_value(value).map_err(|e| NpsError::invalid("model file", e, "a valid Cox model"))?;
        file.model.validate()?;
        Ok(file.model)
    }

    /// Checks that the parts of a model agree.
    pub fn validate(&self) -> Result<()> {
        let d = self.covariates.len();
        let sized = |field: &str, len: usize, expected: usize, other: &str| {
            if len == expected {
                Ok(())
            } else {
                Err(NpsError::LengthMismatch { field: field.into(), actual: len, other: other.into(), expected })
            }
        };
        sized("coefficients", self.coefficients.len(), d, "covariates")?;
        sized("standard_errors", self.standard_errors.len(), d, "covariates")?;
        sized("means", self.means.len(), d, "covariates")?;
        sized("scales", self.scales.len(), d, "covariates")?;
        sized("variance", self.variance.len(), d * d, "covariates²")?;
        let b = &self.baseline;
        if b.times.is_empty() {
            return Err(NpsError::Empty { field: "baseline.times".into() });
        }
        let strata = b.strata.len().max(1);
        sized("baseline.cumulative_hazard", b.cumulative_hazard.len(), strata, "baseline.strata")?;
        sized("baseline.hazard", b.hazard.len(), strata, "baseline.strata")?;
        for s in 0..strata {
            sized(
                &format!("baseline.cumulative_hazard[{s}]"),
                b.cumulative_hazard[s].len(),
                b.times.len(),
                "baseline.times",
            )?;
            sized(&format!("baseline.hazard[{s}]"), b.hazard[s].len(), b.times.len(), "baseline.times")?;
        }
        if b.times.windows(2).any(|w| w[0] >= w[1] || w[0].is_nan()) {
            return Err(NpsError::invalid("baseline.times", "not increasing", "strictly increasing times"));
        }
        let numbers = [&self.coefficients, &self.standard_errors, &self.means, &self.scales, &b.times]
            .into_iter()
            .zip(["coefficients", "standard_errors", "means", "scales", "baseline.times"])
            .chain(b.cumulative_hazard.iter().map(|c| (c, "baseline.cumulative_hazard")));
        for (values, field) in numbers {
            if let Some(i) = values.iter().position(|v| !v.is_finite()) {
                return Err(NpsError::OutOfRange {
                    field: field.into(),
                    index: i,
                    value: values[i],
                    range: "finite numbers".into(),
                });
            }
        }
        Ok(())
    }
}
