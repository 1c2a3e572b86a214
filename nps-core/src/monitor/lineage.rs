//! A model's lineage: where it comes from (its parent), what it was trained on (the data
//! window), how well it did at training and at promotion, and the promotion decisions
//! taken about it. Kept in the model file (`lineage`), plain data.
//!
//! A model's **id** is a content hash of its model file: [`model_id`] of the text the
//! model's `to_json` writes, `"fnv1a64:"` and 16 hex digits (FNV-1a, 64 bits, over the
//! UTF-8 bytes). The same file gives the same id in every language; any change to the file
//! (a coefficient, a recalibration, the lineage itself) gives another. It names a file, it
//! does not protect one: FNV is not a cryptographic hash.
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::decision::PromotionDecision;
use crate::error::{NpsError, Result};

/// The prefix of a model id.
pub const MODEL_ID_PREFIX: &str = "fnv1a64:";

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// FNV-1a, 64 bits, of `bytes` (Fowler, Noll & Vo: offset basis 14695981039346656037,
/// prime 1099511628211; each byte XORed in, then multiplied).
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(FNV_OFFSET, |h, &b| (h ^ b as u64).wrapping_mul(FNV_PRIME))
}

/// The id of a model file: `"fnv1a64:"` and the 16 hex digits of [`fnv1a64`] of its text.
pub fn model_id(model_file: &str) -> String {
    format!("{MODEL_ID_PREFIX}{:016x}", fnv1a64(model_file.as_bytes()))
}

/// The data a model was trained on: its time window (as the caller writes dates, ISO 8601
/// by convention) and rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct DataWindow {
    /// The first date of the window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// The last date of the window (the features' as-of date, say).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Training rows.
    pub rows: usize,
}

/// Where a model comes from and what was decided about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Lineage {
    /// The id ([`model_id`]) of the model it replaced or was trained to replace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// The data it was trained on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_window: Option<DataWindow>,
    /// Metrics at training (`auc`, `brier`, ... as the trainer recorded them).
    #[serde(default)]
    pub training_metrics: BTreeMap<String, f64>,
    /// Metrics on the window it was promoted on (`auc`, `top_lift`, `brier`, `rows`).
    #[serde(default)]
    pub promotion_metrics: BTreeMap<String, f64>,
    /// The promotion decisions taken with this model as the challenger, oldest first.
    #[serde(default)]
    pub decisions: Vec<PromotionDecision>,
}

impl Lineage {
    /// A lineage of a model trained on `window`.
    pub fn trained_on(window: DataWindow) -> Lineage {
        Lineage { data_window: Some(window), ..Default::default() }
    }

    /// Records a decision taken with this model as the challenger; when it promotes, the
    /// champion becomes the parent and the challenger's metrics on the window those at
    /// promotion.
    pub fn record(&mut self, decision: &PromotionDecision) {
        if decision.promote {
            self.parent = Some(decision.champion_id.clone());
            self.promotion_metrics = decision.challenger.as_metrics(decision.rows);
        }
        self.decisions.push(decision.clone());
    }

    /// As JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a lineage serialises")
    }

    /// Reads one back, checked (see [`Self::validate`]).
    pub fn from_json(text: &str) -> Result<Lineage> {
        let l: Lineage = serde_json::from_str(text).map_err(|e| NpsError::invalid("lineage", e, "a model lineage"))?;
        l.validate()?;
        Ok(l)
    }

    /// Checks the lineage: finite metrics, a parent id of the form [`model_id`] writes.
    pub fn validate(&self) -> Result<()> {
        if let Some(p) = &self.parent {
            let hex = p.strip_prefix(MODEL_ID_PREFIX);
            if !hex.is_some_and(|h| h.len() == 16 && h.chars().all(|c| c.is_ascii_hexdigit())) {
                return Err(NpsError::invalid(
                    "lineage.parent",
                    format!("{p:?}"),
                    "a model id (\"fnv1a64:\" and 16 hex digits)",
                ));
            }
        }
        for (field, metrics) in
            [("training_metrics", &self.training_metrics), ("promotion_metrics", &self.promotion_metrics)]
        {
            if let Some((k, v)) = metrics.iter().find(|(_, v)| v.is_infinite()) {
                return Err(NpsError::invalid(&format!("lineage.{field}.{k}"), v, "a finite number"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_matches_the_published_vectors() {
        // The FNV reference test vectors (http://www.isthe.com/chongo/tech/comp/fnv/).
        assert_eq!(fnv1a64(b""), 0xcbf29ce484222325);
        assert_eq!(fnv1a64(b"a"), 0xaf63dc4c8601ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x85944171f73967e8);
        assert_eq!(model_id("a"), "fnv1a64:af63dc4c8601ec8c");
    }

    #[test]
    fn a_bad_parent_is_refused() {
        let l = Lineage { parent: Some("m1".into()), ..Default::default() };
        assert!(l.validate().unwrap_err().to_string().contains("lineage.parent"));
        let l = Lineage { parent: Some(model_id("x")), ..Default::default() };
        l.validate().unwrap();
    }
}
