//! A ticket scorer as a file: what it was built from — the feature engine's definitions and
//! kinds, the churn model's file, the LTR model's file, the catalogue — so a service can
//! snapshot it and a Python session pickle it without keeping the parts aside. Reading it
//! builds the scorer again through [`TicketScorer::new`], with every check of the parts.
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::any_ltr_model::AnyLtrModel;
use super::ticket::TicketScorer;
use crate::action::Catalog;
use crate::error::{NpsError, Result};
use crate::features::FeatureEngine;
use crate::model::AnyChurnModel;

/// The `format` a ticket scorer's file declares.
pub const TICKET_SCORER_FORMAT: &str = "nps-ticket-scorer";

/// The version of the ticket scorer's file this library writes and reads.
pub const TICKET_SCORER_VERSION: u32 = 1;

#[derive(Serialize)]
struct TicketScorerFile<'a> {
    format: &'static str,
    version: u32,
    engine: &'a FeatureEngine,
    churn: Value,
    ltr: Option<Value>,
    catalog: &'a Catalog,
}

fn parsed(text: String) -> Value {
    serde_json::from_str(&text).expect("a model file is JSON")
}

impl Serialize for TicketScorer {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        TicketScorerFile {
            format: TICKET_SCORER_FORMAT,
            version: TICKET_SCORER_VERSION,
            engine: self.engine(),
            churn: parsed(self.churn_model().to_json()),
            ltr: self.ltr_model().map(|m| parsed(m.to_json())),
            catalog: self.catalog(),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for TicketScorer {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        TicketScorer::from_value(&Value::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

impl TicketScorer {
    /// The scorer's file (see the module docs): JSON text that [`TicketScorer::from_json`]
    /// reads back into a scorer that scores every ticket to the bit as this one.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("plain data")
    }

    /// A scorer from its file. Errors name the part: malformed JSON, another format or
    /// version, and each part's own errors, placed (`ticket scorer churn: ...`).
    pub fn from_json(text: &str) -> Result<TicketScorer> {
        let value: Value = serde_json::from_str(text).map_err(|e| {
            NpsError::invalid("ticket scorer", format!("an error at line {}: {e}", e.line()), "valid JSON")
        })?;
        TicketScorer::from_value(&value)
    }

    fn from_value(value: &Value) -> Result<TicketScorer> {
        let Some(map) = value.as_object() else {
            return Err(NpsError::invalid("ticket scorer", "not an object", "a ticket scorer's file"));
        };
        let known = ["format", "version", "engine", "churn", "ltr", "catalog"];
        if let Some(k) = map.keys().find(|k| !known.contains(&k.as_str())) {
            return Err(NpsError::unknown("ticket scorer key", k, &known));
        }
        if map.get("format").and_then(Value::as_str) != Some(TICKET_SCORER_FORMAT) {
            let got = map.get("format").map_or("nothing".to_string(), Value::to_string);
            return Err(NpsError::invalid("ticket scorer format", got, &format!("{TICKET_SCORER_FORMAT:?}")));
        }
        let version = map.get("version").and_then(Value::as_u64);
        if version != Some(u64::from(TICKET_SCORER_VERSION)) {
            let got = map.get("version").map_or("nothing".to_string(), Value::to_string);
            return Err(NpsError::invalid("ticket scorer version", got, &TICKET_SCORER_VERSION.to_string()));
        }
        let part = |name: &str| {
            map.get(name).ok_or_else(|| NpsError::invalid(&format!("ticket scorer {name}"), "nothing", "given"))
        };
        let engine = FeatureEngine::deserialize(part("engine")?)
            .map_err(|e| NpsError::invalid("ticket scorer engine", e, "a feature engine"))?;
        let churn =
            AnyChurnModel::from_json(&part("churn")?.to_string()).map_err(|e| e.within("ticket scorer churn"))?;
        let ltr = match map.get("ltr") {
            None | Some(Value::Null) => None,
            Some(v) => Some(AnyLtrModel::from_json(&v.to_string()).map_err(|e| e.within("ticket scorer ltr"))?),
        };
        let catalog = Catalog::from_value(part("catalog")?).map_err(|e| e.within("ticket scorer catalog"))?;
        TicketScorer::new(engine, churn, ltr, catalog)
    }
}
