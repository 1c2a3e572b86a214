//! Fitted value models as versioned JSON files: `{"format": "nps.value_model", "version": 1,
//! "kind": "beta_geo" | "gamma_gamma" | "shifted_beta_geometric", "model": {...}}`, read
//! back to the bit (Rust, Python and Node read the same file and predict the same numbers).
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::beta_geo::BetaGeo;
use super::gamma_gamma::GammaGamma;
use super::shifted_beta_geometric::ShiftedBetaGeometric;
use crate::error::{NpsError, Result};
use crate::model::check_file_header;

/// The `format` field of a value model file.
pub const VALUE_MODEL_FORMAT: &str = "nps.value_model";

/// The newest file version this library writes and reads.
pub const VALUE_MODEL_VERSION: u32 = 1;

/// The model kinds a value model file may hold.
pub const VALUE_MODEL_KINDS: [&str; 3] = ["beta_geo", "gamma_gamma", "shifted_beta_geometric"];

/// Any fitted value model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ValueModel {
    /// BG/NBD.
    BetaGeo(BetaGeo),
    /// Gamma-Gamma.
    GammaGamma(GammaGamma),
    /// Shifted-beta-geometric.
    ShiftedBetaGeometric(ShiftedBetaGeometric),
}

impl ValueModel {
    /// The file kind of the model.
    pub fn kind(&self) -> &'static str {
        match self {
            ValueModel::BetaGeo(_) => "beta_geo",
            ValueModel::GammaGamma(_) => "gamma_gamma",
            ValueModel::ShiftedBetaGeometric(_) => "shifted_beta_geometric",
        }
    }

    /// The model file's text (numbers written so that they read back to the bit).
    pub fn to_json(&self) -> String {
        let model = match self {
            ValueModel::BetaGeo(m) => serde_json::to_value(m),
            ValueModel::GammaGamma(m) => serde_json::to_value(m),
            ValueModel::ShiftedBetaGeometric(m) => serde_json::to_value(m),
        }
        .expect("plain structs serialise");
        let file = json!({
            "format": VALUE_MODEL_FORMAT,
            "version": VALUE_MODEL_VERSION,
            "kind": self.kind(),
            "model": model,
        });
        serde_json::to_string_pretty(&file).expect("JSON values serialise")
    }

    /// Reads a model file of any kind.
    pub fn from_json(text: &str) -> Result<Self> {
        let value: Value = serde_json::from_str(text)
            .map_err(|e| NpsError::invalid("value model file", format!("not JSON ({e})"), "a JSON object"))?;
        let kind = value.get("kind").and_then(Value::as_str).unwrap_or("").to_string();
        if !VALUE_MODEL_KINDS.contains(&kind.as_str()) {
            // The header check names format and version problems first.
            check_file_header(&value, VALUE_MODEL_FORMAT, VALUE_MODEL_VERSION, &kind, &kind)?;
            return Err(NpsError::unknown("kind", &kind, &VALUE_MODEL_KINDS));
        }
        Self::read_kind(&value, &kind)
    }

    /// Reads a model file that must hold a model of `kind`.
    pub fn from_json_of_kind(text: &str, kind: &str) -> Result<Self> {
        let value: Value = serde_json::from_str(text)
            .map_err(|e| NpsError::invalid("value model file", format!("not JSON ({e})"), "a JSON object"))?;
        Self::read_kind(&value, kind)
    }

    fn read_kind(value: &Value, kind: &str) -> Result<Self> {
        // Format and version first (the found kind passes), then the kind, with the way to
        // read a model of the kind found.
        let found = value.get("kind").and_then(Value::as_str).unwrap_or("").to_string();
        check_file_header(value, VALUE_MODEL_FORMAT, VALUE_MODEL_VERSION, &found, &found)?;
        if found != kind {
            return Err(NpsError::invalid(
                "kind",
                format!("{found:?}"),
                &format!("{kind:?} (read a {found} model with the class of that kind, or any value model with ValueModel::from_json)"),
            ));
        }
        let model = value.get("model").cloned().unwrap_or(Value::Null);
        let bad =
            |e: serde_json::Error| NpsError::invalid("model", format!("unreadable ({e})"), &format!("a {kind} model"));
        Ok(match kind {
            "beta_geo" => ValueModel::BetaGeo(serde_json::from_value(model).map_err(bad)?),
            "gamma_gamma" => ValueModel::GammaGamma(serde_json::from_value(model).map_err(bad)?),
            _ => ValueModel::ShiftedBetaGeometric(serde_json::from_value(model).map_err(bad)?),
        })
    }
}

impl BetaGeo {
    /// The model file's text.
    pub fn to_json(&self) -> String {
        ValueModel::BetaGeo(self.clone()).to_json()
    }

    /// Reads a BG/NBD model file.
    pub fn from_json(text: &str) -> Result<Self> {
        match ValueModel::from_json_of_kind(text, "beta_geo")? {
            ValueModel::BetaGeo(m) => Ok(m),
            _ => unreachable!("read as beta_geo"),
        }
    }
}

impl GammaGamma {
    /// The model file's text.
    pub fn to_json(&self) -> String {
        ValueModel::GammaGamma(self.clone()).to_json()
    }

    /// Reads a Gamma-Gamma model file.
    pub fn from_json(text: &str) -> Result<Self> {
        match ValueModel::from_json_of_kind(text, "gamma_gamma")? {
            ValueModel::GammaGamma(m) => Ok(m),
            _ => unreachable!("read as gamma_gamma"),
        }
    }
}

impl ShiftedBetaGeometric {
    /// The model file's text.
    pub fn to_json(&self) -> String {
        ValueModel::ShiftedBetaGeometric(self.clone()).to_json()
    }

    /// Reads a shifted-beta-geometric model file.
    pub fn from_json(text: &str) -> Result<Self> {
        match ValueModel::from_json_of_kind(text, "shifted_beta_geometric")? {
            ValueModel::ShiftedBetaGeometric(m) => Ok(m),
            _ => unreachable!("read as shifted_beta_geometric"),
        }
    }
}
