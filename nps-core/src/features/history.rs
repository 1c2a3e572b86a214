//! One customer's history, grown one event at a time: the state a ticketing service keeps
//! to score a customer the moment they open a ticket.
//!
//! Features are computed from it by the same code as the batch computation over the same
//! events, so they are equal to it for any order in which the events arrive (an event
//! older than the latest one is taken in its place in time, not rejected).
use super::compute::RowScratch;
use super::events::{check_survey_answer, Dictionary, EventTable, BUILT_IN_KINDS, NONE, SURVEY_ANSWER};
use super::FeatureEngine;
use crate::error::{NpsError, Result};

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
        if let Some(v) = event.value.filter(|v| v.is_infinite()) {
            return Err(NpsError::OutOfRange {
                field: "value".into(),
                index,
                value: v,
                range: "finite numbers".into(),
            });
        }
        if let Some(d) = event.duration {
            if d.is_infinite() {
                return Err(NpsError::OutOfRange {
                    field: "duration".into(),
                    index,
                    value: d,
                    range: "finite numbers".into(),
                });
            }
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

    /// The features of `engine` as of `as_of`, one per definition, computed by the same
    /// code as the batch computation. A customer without events gets each feature's empty
    /// value (0 for counts and sums, NaN for the rest).
    pub fn features(&self, engine: &FeatureEngine, as_of: i64) -> Result<Vec<f64>> {
        let mut out = vec![0.0; engine.names().len()];
        engine.history_row(&self.table, as_of, &mut out, &mut RowScratch::default())?;
        Ok(out)
    }
}
