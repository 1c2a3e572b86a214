//! Next best action: declarative rules that pick and rank what an agent should offer a customer.
//!
//! A [`Catalog`] is loaded once from JSON (format in `docs/actions.md`): a schema of customer
//! fields, the attribution factors it may refer to, score bands, levers, contact policies and
//! actions with Pega-style eligibility, applicability and suitability conditions. Loading
//! compiles every condition to field slots, so [`Catalog::decide`] does no name look-ups per
//! action. Errors at load name the JSON path of the culprit, e.g.
//! `unknown actions[3].eligibility.all[1].op "~"; expected one of <, <=, >, >=, ==, !=, in`.
//!
//! At decision time the caller passes the churn score, its factors, the customer and the
//! customer's outcome history (the library stores nothing). Actions that pass their three
//! conditions and no contact policy suppresses are ranked by priority = P × C × V × L
//! (propensity, context weight, value, levers); the top N are returned together with a trace
//! that says, for every action in the catalogue, why it was kept or removed.
//!
//! [`Catalog::decide_values`] is the fast path: the customer as a numeric record
//! ([`Catalog::encode`]), dense factor contributions, indices back and the trace on request.
//! [`Learner`] learns which actions work (Thompson sampling); [`Catalog::decide_logged`] logs
//! each decision with the probability its action was chosen ([`DecisionLogEntry`]) and keeps
//! a control group; [`off_policy`] and [`uplift`] evaluate a log.
//!
//! [`playbook`] is a shipped telco retention catalogue.

mod catalog;
mod condition;
mod control_group;
mod decide;
mod decider;
mod decision;
mod evaluation;
mod json;
mod learning;
mod log;
mod playbook;
mod policy;
mod segments;

use serde::{Deserialize, Serialize};

use crate::error::{NpsError, Result};

pub use catalog::{Action, ActionValue, Band, Catalog, FieldType, Lever};
pub use control_group::in_control_group;
pub use decide::{churn_score, decision_time, Scratch};
pub use decider::{DecideRequest, DecideResponse, Decider, ValuesRequest, DEFAULT_SEED};
pub use decision::{Choice, DecideOptions, Decision, RankedAction, TraceEntry, Verdict, DEFAULT_TOP};
pub use evaluation::{off_policy, uplift, OffPolicyEstimate, Uplift};
pub use learning::{beta, Learner, DEFAULT_EXPLORATION, DEFAULT_PRIOR, DEFAULT_RAMP_UP};
pub use log::{DecisionLogEntry, Logging, PROPENSITY_DRAWS};
pub use playbook::{playbook, PLAYBOOK_JSON};
pub use policy::{Policy, Scope};
pub use segments::CampaignSegment;

/// One attribution factor behind a churn score: a log-odds contribution (positive raises risk).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Factor {
    /// The factor's name, as declared in the catalogue's `factors`.
    pub name: String,
    /// Its log-odds contribution to the score.
    pub contribution: f64,
}

impl Factor {
    /// A factor from a name and a contribution.
    pub fn new(name: &str, contribution: f64) -> Self {
        Factor { name: name.to_string(), contribution }
    }
}

/// One customer field value; `Missing` is a value the customer does not have.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FieldValue {
    /// A number field.
    Number(f64),
    /// A string field.
    Text(String),
    /// A boolean field.
    Bool(bool),
    /// No value: a comparison on it is false, `{"field": f, "missing": true}` holds (an
    /// action's value read from it is an error).
    Missing,
}

impl std::fmt::Display for FieldValue {
    /// The value as a catalogue or a JSON request spells it: `3.5`, `"gold"`, `true`,
    /// `missing`, so that an error shows what the caller passed, not this type.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FieldValue::Number(x) => write!(f, "{x}"),
            FieldValue::Text(s) => write!(f, "{s:?}"),
            FieldValue::Bool(b) => write!(f, "{b}"),
            FieldValue::Missing => f.write_str("missing"),
        }
    }
}

/// A customer as a record in the catalogue's schema: one value per field, in slot order
/// ([`Catalog::fields`]). Build it by name with [`Catalog::customer`].
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Customer {
    /// The values, in the catalogue's field order.
    pub values: Vec<FieldValue>,
}

/// What happened when an action was offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeKind {
    /// The action was presented to the customer.
    Presented,
    /// The customer accepted it.
    Accepted,
    /// The customer rejected it.
    Rejected,
    /// The customer did not respond.
    Ignored,
}

impl OutcomeKind {
    /// Every kind, as requests spell them.
    pub const NAMES: [&'static str; 4] = ["presented", "accepted", "rejected", "ignored"];

    /// A kind by its name, an unknown one an error naming `field` (`history[2].kind`) and
    /// listing the names.
    pub fn named(text: &str, field: &str) -> Result<Self> {
        text.parse().map_err(|_| NpsError::unknown(&format!("{field} (outcome kind)"), text, &Self::NAMES))
    }
}

impl std::str::FromStr for OutcomeKind {
    type Err = NpsError;

    /// A kind by its name (`"accepted"`); an unknown one is an error listing the names.
    fn from_str(s: &str) -> Result<Self> {
        Ok(match s {
            "presented" => OutcomeKind::Presented,
            "accepted" => OutcomeKind::Accepted,
            "rejected" => OutcomeKind::Rejected,
            "ignored" => OutcomeKind::Ignored,
            other => return Err(NpsError::unknown("outcome kind", other, &Self::NAMES)),
        })
    }
}

/// One past outcome of the customer, as the caller recorded it; contact policies read these.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// The action id.
    pub action: String,
    /// The channel it went through.
    pub channel: String,
    /// The action's group.
    pub group: String,
    /// When it happened (unix seconds).
    pub time: i64,
    /// What happened.
    pub kind: OutcomeKind,
}
