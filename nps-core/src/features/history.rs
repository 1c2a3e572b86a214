//! One customer's history, grown one event at a time: the state a ticketing service keeps
//! to score a customer the moment they open a ticket.
//!
//! Features are computed from it by the same code as the batch computation over the same
//! events, so they are equal to it for any order in which the events arrive (an event
//! older than the latest one is taken in its place in time, not rejected).
use super::compute::RowScratch;
use super::events::{check_survey_answer, Dictionary, EventTable, BUILT_IN_KINDS, NONE, SURVEY_ANSWER};
use super::view::check_magnitude;
use super::FeatureEngine;
use serde::{Deserialize, Serialize};

use crate::error::{NpsError, Result};

/// The `format` field of a customer history file.
pub const HISTORY_FORMAT: &str = "nps.customer_history";
/// The newest history file version read and the one written.
pub const HISTORY_VERSION: u32 = 1;

/// A history as a file: the declared kinds and every event, in the order they were added.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct HistoryFile {
    format: String,
    version: u32,
    declared_kinds: Vec<String>,
    events: Vec<EventRecord>,
}

/// One event of a history file (absent fields are left out).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct EventRecord {
    time: i64,
    kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    value: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    duration: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    department: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    case: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    flag: Option<bool>,
}

/// One event as a service receives it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Event<'a> {
    /// Seconds since the Unix epoch (UTC).
    pub time: i64,
    /// Event kind: built in, or declared when the history was created.
    pub kind: &'a str,
    /// Amount, megabytes, score.
    pub value: Option<f64>,
    /// Seconds (handle time); never negative.
    pub duration: Option<f64>,
    /// Department or channel.
    pub department: Option<&'a str>,
    /// Case or ticket id.
    pub case: Option<&'a str>,
    /// Resolved / transferred / accepted.
    pub flag: Option<bool>,
}

/// The events of one customer, in the columns the feature computation reads.
#[derive(Debug, Clone)]
pub struct CustomerHistory {
    table: EventTable,
    departments: Dictionary<String>,
    cases: Dictionary<String>,
}

impl CustomerHistory {
    /// An empty history that accepts the built-in kinds and `declared_kinds`.
    pub fn new(declared_kinds: &[&str]) -> Self {
        let mut kinds: Vec<String> = BUILT_IN_KINDS.iter().map(|k| k.to_string()).collect();
        for k in declared_kinds {
            if !kinds.iter().any(|x| x == k) {
                kinds.push(k.to_string());
            }
        }
        CustomerHistory {
            table: EventTable { customers: 1, kinds, ..Default::default() },
            departments: Dictionary::new(),
            cases: Dictionary::new(),
        }
    }

    /// Adds one event. Errors name the field and value: an unknown kind, a negative or
    /// non-finite duration, a non-finite value, a survey answer that is not a whole number
    /// on the 0–10 scale (one without a value is a skipped question, kept). Nothing is
    /// added on an error.
    pub fn push(&mut self, event: &Event<'_>) -> Result<()> {
        let index = self.table.len();
        let kind = self.table.kind_code(event.kind).ok_or_else(|| NpsError::Unknown {
            field: format!("event kind (event {index})"),
            value: event.kind.to_string(),
            expected: format!("a built-in kind ({}) or one declared by the caller", BUILT_IN_KINDS.join(", ")),
        })?;
        if kind == SURVEY_ANSWER {
            check_survey_answer(event.value.unwrap_or(f64::NAN), index)?;
        }
        if let Some(v) = event.value {
            check_magnitude(v, "value", index)?;
        }
        if let Some(d) = event.duration {
            check_magnitude(d, "duration", index)?;
            if d < 0.0 {
                return Err(NpsError::Negative { field: "duration".into(), index, value: d });
            }
        }
        let t = &mut self.table;
        t.customer.push(0);
        t.time.push(event.time);
        t.kind.push(kind);
        t.value.push(event.value.unwrap_or(f64::NAN));
        t.duration.push(event.duration.unwrap_or(f64::NAN));
        let department = event.department.map_or(NONE, |d| self.departments.code(d));
        if department != NONE && department as usize == t.departments.len() {
            t.departments.push(event.department.unwrap_or_default().to_string());
        }
        t.department.push(department);
        t.case.push(event.case.map_or(NONE, |c| self.cases.code(c)));
        t.flag.push(event.flag.map_or(2, u8::from));
        Ok(())
    }

    /// Number of events.
    pub fn len(&self) -> usize {
        self.table.len()
    }

    /// Whether no event has been added.
    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    /// Removes the events added after the history held `len` of them (the latest added
    /// first), with the department and case names only they used: the history is then as it
    /// was when it held `len` events. A `len` at or above [`Self::len`] changes nothing.
    /// [`crate::early_warning::TicketScorer::score_into`] takes a ticket's event back this
    /// way when the ticket cannot be scored.
    pub fn truncate(&mut self, len: usize) {
        if len >= self.table.len() {
            return;
        }
        let t = &mut self.table;
        t.customer.truncate(len);
        t.time.truncate(len);
        t.kind.truncate(len);
        t.value.truncate(len);
        t.duration.truncate(len);
        t.department.truncate(len);
        t.case.truncate(len);
        t.flag.truncate(len);
        // Codes are given in order of first use, so the names the remaining events use are
        // the first (largest code used + 1).
        let used = |codes: &[u32]| codes.iter().filter(|&&c| c != NONE).map(|&c| c as usize + 1).max().unwrap_or(0);
        let departments = used(&t.department);
        t.departments.truncate(departments);
        self.departments.truncate(departments);
        self.cases.truncate(used(&t.case));
    }

    /// The time of the latest event, if any.
    pub fn last_time(&self) -> Option<i64> {
        self.table.time.iter().copied().max()
    }

    /// The events as a one-customer table.
    pub fn table(&self) -> &EventTable {
        &self.table
    }

    /// The event kinds the history accepts (built in, then declared): compile a
    /// [`FeatureEngine`] for them once and use it for every customer.
    pub fn kinds(&self) -> &[String] {
        &self.table.kinds
    }

    /// The history as JSON (format `nps.customer_history`, version 1): the declared kinds and
    /// every event in the order it was added, so that a service can keep its customers'
    /// state across restarts. [`Self::from_json`] reads it back.
    pub fn to_json(&self) -> String {
        let t = &self.table;
        let some = |x: f64| (!x.is_nan()).then_some(x);
        let label = |labels: &[String], code: u32| (code != NONE).then(|| labels[code as usize].clone());
        let file = HistoryFile {
            format: HISTORY_FORMAT.into(),
            version: HISTORY_VERSION,
            declared_kinds: t.kinds[BUILT_IN_KINDS.len()..].to_vec(),
            events: (0..t.len())
                .map(|i| EventRecord {
                    time: t.time[i],
                    kind: t.kinds[t.kind[i] as usize].clone(),
                    value: some(t.value[i]),
                    duration: some(t.duration[i]),
                    department: label(&t.departments, t.department[i]),
                    case: label(self.cases.labels(), t.case[i]),
                    flag: (t.flag[i] != 2).then_some(t.flag[i] == 1),
                })
                .collect(),
        };
        serde_json::to_string(&file).expect("a history serialises")
    }

    /// Reads a history written by [`Self::to_json`]. Every event is added again through
    /// [`Self::push`], so a damaged or edited file gets the errors a service would get, naming
    /// the event's position (a survey answer of 11, a negative duration, an unknown kind);
    /// besides: not JSON, another format, a newer version, an unknown field.
    pub fn from_json(text: &str) -> Result<Self> {
        let file: HistoryFile =
            serde_json::from_str(text).map_err(|e| NpsError::invalid("history file", e, "a customer history"))?;
        if file.format != HISTORY_FORMAT {
            return Err(NpsError::invalid("format", format!("{:?}", file.format), &format!("\"{HISTORY_FORMAT}\"")));
        }
        if !(1..=HISTORY_VERSION).contains(&file.version) {
            return Err(NpsError::invalid(
                "version",
                file.version,
                &format!("1 to {HISTORY_VERSION} (a newer version was written by a newer nps; upgrade to read it)"),
            ));
        }
        let declared: Vec<&str> = file.declared_kinds.iter().map(String::as_str).collect();
        let mut history = CustomerHistory::new(&declared);
        for e in &file.events {
            history.push(&Event {
                time: e.time,
                kind: &e.kind,
                value: e.value,
                duration: e.duration,
                department: e.department.as_deref(),
                case: e.case.as_deref(),
                flag: e.flag,
            })?;
        }
        Ok(history)
    }

    /// The features of `engine` as of `as_of`, one per definition, computed by the same
    /// code as the batch computation. A customer without events gets each feature's empty
    /// value (0 for counts and sums, NaN for the rest).
    pub fn features(&self, engine: &FeatureEngine, as_of: i64) -> Result<Vec<f64>> {
        let mut out = vec![0.0; engine.names().len()];
        engine.history_row(&self.table, as_of, &mut out, &mut RowScratch::default())?;
        Ok(out)
    }
}
