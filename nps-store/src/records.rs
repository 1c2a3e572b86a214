//! The rows of the store as plain values, and their conversion to the core's types.
use nps_core::action::{Outcome, OutcomeKind};
use nps_core::features::Event;
use serde::{Deserialize, Serialize};

/// Every outcome kind a store keeps: the contact outcomes the catalogue's policies read
/// ([`OutcomeKind`]) and the final ones the learner also counts (`retained`, `churned`).
pub const OUTCOME_KINDS: [&str; 6] = ["presented", "accepted", "rejected", "ignored", "retained", "churned"];

/// What an outcome teaches the learner: a success (`accepted`, `retained`), a failure
/// (`rejected`, `ignored`, `churned`) or nothing (`presented`, or a kind it does not know).
pub fn learned(kind: &str) -> Option<bool> {
    match kind {
        "accepted" | "retained" => Some(true),
        "rejected" | "ignored" | "churned" => Some(false),
        _ => None,
    }
}

/// One event of one customer, owned: the core's [`Event`] with the customer's id.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoredEvent {
    /// The customer's id.
    pub customer: String,
    /// Seconds since the Unix epoch (UTC).
    pub time: i64,
    /// Event kind (built in or declared).
    pub kind: String,
    /// Amount, megabytes, score (finite; absent is `None`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// Seconds (handle time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<f64>,
    /// Department or channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// Case or ticket id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case: Option<String>,
    /// Resolved / transferred / accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flag: Option<bool>,
}

impl StoredEvent {
    /// The stored form of a core event of `customer`.
    pub fn from_event(customer: &str, e: &Event<'_>) -> Self {
        StoredEvent {
            customer: customer.to_string(),
            time: e.time,
            kind: e.kind.to_string(),
            value: e.value,
            duration: e.duration,
            department: e.department.map(str::to_string),
            case: e.case.map(str::to_string),
            flag: e.flag,
        }
    }

    /// The core's event (borrowing this one), as [`nps_core::features::CustomerHistory::push`] takes it.
    pub fn event(&self) -> Event<'_> {
        Event {
            time: self.time,
            kind: &self.kind,
            value: self.value,
            duration: self.duration,
            department: self.department.as_deref(),
            case: self.case.as_deref(),
            flag: self.flag,
        }
    }
}

/// What a customer did with an action, as a service records it: the core's [`Outcome`]
/// (action, channel, group, time, kind) with the customer and the segment the learner
/// counted it in. `kind` is one of [`OUTCOME_KINDS`].
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoredOutcome {
    /// The customer's id.
    pub customer: String,
    /// The learner's segment.
    pub segment: String,
    /// The action id.
    pub action: String,
    /// The channel it went through.
    pub channel: String,
    /// The action's group.
    pub group: String,
    /// When it happened (unix seconds).
    pub time: i64,
    /// What happened (see [`OUTCOME_KINDS`]).
    pub kind: String,
}

impl StoredOutcome {
    /// The contact outcome the catalogue's policies read, for a contact kind (`presented`,
    /// `accepted`, `rejected`, `ignored`); `None` for `retained` and `churned`.
    pub fn contact(&self) -> Option<Outcome> {
        let kind: OutcomeKind = self.kind.parse().ok()?;
        Some(Outcome {
            action: self.action.clone(),
            channel: self.channel.clone(),
            group: self.group.clone(),
            time: self.time,
            kind,
        })
    }
}

/// The fields a customer's tickets gave (a JSON object: name to value), the latest wins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerFields {
    /// The customer's id.
    pub customer: String,
    /// The fields, a JSON object.
    pub fields: serde_json::Map<String, serde_json::Value>,
}

/// What one accepted request writes, committed in one transaction by [`crate::Store::commit`]:
/// all of it is on disk when `commit` returns, or none of it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Batch {
    /// Events to append.
    pub events: Vec<StoredEvent>,
    /// Decisions to log.
    pub decisions: Vec<nps_core::action::DecisionLogEntry>,
    /// Outcomes to record.
    pub outcomes: Vec<StoredOutcome>,
    /// Customers' fields to set (replacing what was there).
    pub fields: Vec<CustomerFields>,
    /// The learner's state to save, if any.
    pub learner: Option<nps_core::action::Learner>,
}
