//! A store's content as one versioned JSON document, checked on load like a model file.
use std::collections::BTreeMap;
use std::path::Path;

use nps_core::action::{DecisionLogEntry, Learner};
use nps_core::{NpsError, Result};
use serde::{Deserialize, Serialize};

use crate::records::{CustomerFields, StoredEvent, StoredOutcome};

/// The `format` of a snapshot document.
pub const SNAPSHOT_FORMAT: &str = "nps.store_snapshot";
/// The newest snapshot version read, and the one written.
pub const SNAPSHOT_VERSION: u32 = 1;

/// The state a service keeps, as plain data: every event, decision, outcome, customer's
/// fields and learner. The ticket scorer holds no per-customer state of its own (it is a
/// model, a catalogue and their options): the histories, contact outcomes and learner it
/// reads are rebuilt from this (see [`crate::Store::histories`], [`crate::Store::contacts`],
/// [`crate::rebuild_learner`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    /// [`SNAPSHOT_FORMAT`].
    pub format: String,
    /// [`SNAPSHOT_VERSION`] when written.
    pub version: u32,
    /// Every event, in the order appended.
    pub events: Vec<StoredEvent>,
    /// Every decision, in order.
    pub decisions: Vec<DecisionLogEntry>,
    /// Every outcome, in order.
    pub outcomes: Vec<StoredOutcome>,
    /// Customers' fields.
    pub fields: Vec<CustomerFields>,
    /// Learners by name.
    pub learners: BTreeMap<String, Learner>,
}

impl Snapshot {
    /// A snapshot of the current version holding these rows.
    pub fn new(
        events: Vec<StoredEvent>,
        decisions: Vec<DecisionLogEntry>,
        outcomes: Vec<StoredOutcome>,
        fields: Vec<CustomerFields>,
        learners: BTreeMap<String, Learner>,
    ) -> Self {
        Snapshot {
            format: SNAPSHOT_FORMAT.into(),
            version: SNAPSHOT_VERSION,
            events,
            decisions,
            outcomes,
            fields,
            learners,
        }
    }

    /// The document as JSON text.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a snapshot is plain data")
    }

    /// Reads a snapshot document. Errors: not JSON, another `format`, a newer `version`, a
    /// field that is missing or unknown (each naming what is wrong).
    pub fn from_json(text: &str) -> Result<Snapshot> {
        let head: serde_json::Value =
            serde_json::from_str(text).map_err(|e| NpsError::invalid("snapshot", e, "a JSON document"))?;
        match head.get("format").and_then(|f| f.as_str()) {
            Some(SNAPSHOT_FORMAT) => {}
            other => {
                return Err(NpsError::invalid("snapshot format", format!("{other:?}"), &format!("{SNAPSHOT_FORMAT:?}")))
            }
        }
        match head.get("version").and_then(|v| v.as_u64()) {
            Some(v) if (1..=u64::from(SNAPSHOT_VERSION)).contains(&v) => {}
            other => {
                return Err(NpsError::invalid(
                    "snapshot version",
                    format!("{other:?}"),
                    &format!("1 to {SNAPSHOT_VERSION} (a newer nps wrote it?)"),
                ))
            }
        }
        serde_json::from_value(head).map_err(|e| NpsError::invalid("snapshot", e, "a store snapshot document"))
    }

    /// Writes the document to `path` atomically ([`crate::write_atomic`]).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        crate::write_atomic(path, self.to_json().as_bytes())
    }

    /// Reads a document written by [`Snapshot::save`].
    pub fn load(path: impl AsRef<Path>) -> Result<Snapshot> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| NpsError::Store {
            path: path.display().to_string(),
            table: "file".into(),
            message: e.to_string(),
        })?;
        Snapshot::from_json(&text)
    }
}
