//! The event history: one row per thing that happened to a customer, in columns.
//!
//! Operators keep churn signals in separate systems (billing, CRM, network, surveys). The
//! library takes them as one long table of events, dictionary-encoded so that ten million
//! rows stay compact: customers, kinds and departments are small integer codes into
//! label lists the caller keeps (Python factorizes its columns; [`Dictionary`] does it in
//! Rust). Rows need not be sorted.
use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;

use serde::{Deserialize, Serialize};

use crate::error::{NpsError, Result};

/// The largest magnitude an event's value or duration may have (a larger one, or an infinite
/// one, is an error naming it): sums of up to 2^32 of them stay finite, so that a sum
/// feature, added exactly, does not depend on the order of the events or on how they were
/// split (across Spark partitions, say).
pub const MAX_MAGNITUDE: f64 = 1e290;

/// The event kinds every history may use. Other kinds must be declared by the caller.
pub const BUILT_IN_KINDS: [&str; 14] = [
    "subscription_start", // a line or product starts (value: monthly fee, optional)
    "subscription_end",   // a line or product ends
    "bill",               // value: amount billed
    "payment",            // value: amount paid
    "top_up",             // prepaid top-up; value: amount
    "usage",              // value: megabytes (or units) used
    "contact_opened",     // support contact opened; department = channel or queue, case = case id
    "contact_resolved",   // contact closed; duration = handle time in seconds, value = contact score
    "transfer",           // the case moved between departments
    "outage",             // the customer experienced a network or service outage
    "survey_answer",      // value: answer on the 0–10 scale
    "offer_made",         // a retention or sales offer; department = channel
    "offer_outcome",      // flag: accepted (true) or not
    "complaint",          // a formal complaint; department = topic
];

/// The kind whose value is an answer on the 0–10 scale (its index in [`BUILT_IN_KINDS`]).
pub(crate) const SURVEY_ANSWER: u16 = 10;

/// A survey answer must be a whole number on the 0–10 scale: an 11 or a 7.5 is a data
/// error that would otherwise flow into `last_nps` and the NPS category unnoticed. An
/// answer without a value (NaN: the score question skipped) is kept as such: it counts as a
/// survey taken, not as a score. `index` is the event's row.
pub(crate) fn check_survey_answer(value: f64, index: usize) -> Result<()> {
    if !value.is_nan() && (!(0.0..=10.0).contains(&value) || value.fract() != 0.0) {
        return Err(NpsError::OutOfRange {
            field: "value (a survey answer)".into(),
            index,
            value,
            range: "whole answers on the scale 0..=10".into(),
        });
    }
    Ok(())
}

/// Marks an absent department or case.
pub const NONE: u32 = u32::MAX;

/// A columnar, dictionary-encoded event history. All columns have one element per event.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct EventTable {
    /// Customer of each event: an index into the caller's customer labels, below `customers`.
    pub customer: Vec<u32>,
    /// Number of distinct customers (codes run from 0 to `customers − 1`).
    pub customers: u32,
    /// Time of each event, seconds since the Unix epoch (UTC).
    pub time: Vec<i64>,
    /// Kind of each event: an index into `kinds`.
    pub kind: Vec<u16>,
    /// Kind names: the built-in ones first, in [`BUILT_IN_KINDS`] order, then declared ones.
    pub kinds: Vec<String>,
    /// Numeric value (amount, megabytes, score); NaN when absent.
    pub value: Vec<f64>,
    /// Duration in seconds (handle time); NaN when absent, never negative.
    pub duration: Vec<f64>,
    /// Department or channel: an index into `departments`, or [`NONE`].
    pub department: Vec<u32>,
    /// Department names.
    pub departments: Vec<String>,
    /// Case (ticket) identifier code, or [`NONE`].
    pub case: Vec<u32>,
    /// Resolved / transferred / accepted flag: 0 false, 1 true, 2 absent.
    pub flag: Vec<u8>,
}

/// Columns as a caller holds them, before validation; optional columns may be empty
/// (meaning absent for every row).
#[derive(Debug, Clone, Copy, Default)]
pub struct EventColumns<'a> {
    /// Customer codes (see [`EventTable::customer`]).
    pub customer: &'a [u32],
    /// Event times, seconds since the Unix epoch (UTC).
    pub time: &'a [i64],
    /// Kind of each event, as an index into `kind_names`.
    pub kind: &'a [u32],
    /// The kind names the `kind` codes refer to (any order; each must be built in or declared).
    pub kind_names: &'a [&'a str],
    /// Values (NaN = absent), or empty.
    pub value: &'a [f64],
    /// Durations in seconds (NaN = absent), or empty.
    pub duration: &'a [f64],
    /// Department codes into `department_names` ([`NONE`] = absent), or empty.
    pub department: &'a [u32],
    /// The department names.
    pub department_names: &'a [&'a str],
    /// Case codes ([`NONE`] = absent), or empty.
    pub case: &'a [u32],
    /// Flags (0, 1, 2 = absent), or empty.
    pub flag: &'a [u8],
}

impl EventTable {
    /// Number of events.
    pub fn len(&self) -> usize {
        self.time.len()
    }

    /// Whether there are no events.
    pub fn is_empty(&self) -> bool {
        self.time.is_empty()
    }

    /// The code of a kind name, if the table knows it.
    pub fn kind_code(&self, name: &str) -> Option<u16> {
        self.kinds.iter().position(|k| k == name).map(|p| p as u16)
    }
}

/// Codes for integer ids that lie in a range not much wider than their number (at most
/// twice the rows plus 1,024): code = rank of the id among the distinct ids, found by direct
/// indexing rather than hashing, which is several times faster on millions of rows.
/// Returns the codes and the distinct ids in ascending order, or `None` when the range is
/// too wide (then a [`Dictionary`] is the tool).
pub fn dense_integer_codes(ids: &[i64]) -> Option<(Vec<u32>, Vec<i64>)> {
    let (&lo, &hi) = (ids.iter().min()?, ids.iter().max()?);
    let span = (hi as i128 - lo as i128) as u128;
    if span > 2 * ids.len() as u128 + 1_024 || ids.len() > u32::MAX as usize {
        return None;
    }
    let mut seen = vec![false; span as usize + 1];
    for &id in ids {
        seen[id.wrapping_sub(lo) as usize] = true;
    }
    if seen.iter().all(|&s| s) {
        // Every id of the range occurs (the common case of ids numbered from some base):
        // the rank is the offset, and no table is needed.
        let codes = ids.iter().map(|&id| id.wrapping_sub(lo) as u32).collect();
        return Some((codes, (0..=span as u64).map(|o| lo.wrapping_add(o as i64)).collect()));
    }
    let mut rank = vec![0u32; seen.len()];
    let mut labels = Vec::new();
    for (offset, (r, &s)) in rank.iter_mut().zip(&seen).enumerate() {
        if s {
            *r = labels.len() as u32;
            labels.push(lo.wrapping_add(offset as i64));
        }
    }
    Some((ids.iter().map(|&id| rank[id.wrapping_sub(lo) as usize]).collect(), labels))
}

/// The first and last of integer ids when every id between them occurs (and there are at
/// most `u32::MAX` of them): the ids can then be read as codes `id − first` in place
/// ([`super::CustomerColumn::Offsets`]), without a coding pass or a copy. `None` otherwise.
pub fn dense_integer_range(ids: &[i64]) -> Option<(i64, i64)> {
    let (&lo, &hi) = (ids.iter().min()?, ids.iter().max()?);
    let span = (hi as i128 - lo as i128) as u128;
    if span > ids.len() as u128 || span >= u32::MAX as u128 {
        return None; // more ids in the range than rows: some are missing
    }
    let mut seen = vec![false; span as usize + 1];
    for &id in ids {
        seen[id.wrapping_sub(lo) as usize] = true;
    }
    seen.iter().all(|&s| s).then_some((lo, hi))
}

/// Assigns dense codes 0, 1, 2, ... to labels in order of first appearance, for callers
/// that hold customer ids, kind names or departments as labels.
#[derive(Debug, Clone, Default)]
pub struct Dictionary<K> {
    codes: HashMap<K, u32>,
    labels: Vec<K>,
}

impl<K: Hash + Eq + Clone> Dictionary<K> {
    /// An empty dictionary.
    pub fn new() -> Self {
        Dictionary { codes: HashMap::new(), labels: Vec::new() }
    }

    /// The code of `label`, assigning the next one if it is new. `label` may be borrowed
    /// (a `&str` for `String` labels), so that a known label is looked up without a copy.
    pub fn code<Q>(&mut self, label: &Q) -> u32
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        if let Some(c) = self.codes.get(label) {
            return *c;
        }
        let c = self.labels.len() as u32;
        self.codes.insert(label.to_owned(), c);
        self.labels.push(label.to_owned());
        c
    }

    /// The code of `label` if it has one.
    pub fn get<Q>(&self, label: &Q) -> Option<u32>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.codes.get(label).copied()
    }

    /// Labels by code.
    pub fn labels(&self) -> &[K] {
        &self.labels
    }

    /// Forgets the labels of code `len` and above (the latest assigned), so that the next new
    /// label gets code `len`.
    pub fn truncate(&mut self, len: usize) {
        for label in self.labels.drain(len.min(self.labels.len())..) {
            self.codes.remove(&label);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn survey_answer_code_is_the_built_in_kind() {
        assert_eq!(BUILT_IN_KINDS[SURVEY_ANSWER as usize], "survey_answer");
        assert!(check_survey_answer(0.0, 0).is_ok() && check_survey_answer(10.0, 0).is_ok());
        for bad in [-1.0, 10.5, 11.0, f64::INFINITY] {
            assert!(matches!(check_survey_answer(bad, 4), Err(NpsError::OutOfRange { index: 4, .. })));
        }
        assert!(check_survey_answer(f64::NAN, 2).is_ok(), "a skipped score question");
    }

    #[test]
    fn dense_integer_codes_rank_ids_or_decline() {
        let (codes, labels) = dense_integer_codes(&[7, -3, 7, 12, -3]).unwrap();
        assert_eq!(codes, [1, 0, 1, 2, 0]);
        assert_eq!(labels, [-3, 7, 12]);
        assert_eq!(dense_integer_codes(&[]), None);
        assert_eq!(dense_integer_codes(&[0, 10_000]), None); // too sparse: use a Dictionary
        assert_eq!(dense_integer_codes(&[i64::MIN, i64::MAX]), None);
        // Every id of the range present: codes are offsets from the smallest.
        let (codes, labels) = dense_integer_codes(&[i64::MAX, i64::MAX - 2, i64::MAX - 1]).unwrap();
        assert_eq!(codes, [2, 0, 1]);
        assert_eq!(labels, [i64::MAX - 2, i64::MAX - 1, i64::MAX]);
        assert_eq!(dense_integer_range(&[7, 5, 6, 5]), Some((5, 7)));
        assert_eq!(dense_integer_range(&[7, 5, 5]), None); // 6 is missing
        assert_eq!(dense_integer_range(&[i64::MIN, i64::MAX]), None);
        assert_eq!(dense_integer_range(&[]), None);
        let (codes, labels) = dense_integer_codes(&[-5, -4, -5]).unwrap();
        assert_eq!((codes, labels), (vec![0, 1, 0], vec![-5, -4]));
    }

    fn columns<'a>(kind: &'a [u32], names: &'a [&'a str]) -> EventColumns<'a> {
        EventColumns { customer: &[0, 1, 0], time: &[10, 5, 7], kind, kind_names: names, ..Default::default() }
    }

    #[test]
    fn encodes_and_fills_optional_columns() {
        let t = EventTable::new(&columns(&[0, 1, 0], &["payment", "bill"]), &[]).unwrap();
        assert_eq!(t.customers, 2);
        assert_eq!(t.kinds[t.kind[0] as usize], "payment");
        assert_eq!(t.kinds[t.kind[1] as usize], "bill");
        assert!(t.value.iter().all(|v| v.is_nan()));
        assert_eq!(t.department, vec![NONE; 3]);
        assert_eq!(t.flag, vec![2; 3]);
    }

    #[test]
    fn unknown_kinds_need_declaring() {
        let e = EventTable::new(&columns(&[0, 1, 1], &["payment", "roaming"]), &[]).unwrap_err();
        assert_eq!(e.code(), "UNKNOWN_VALUE");
        assert!(e.to_string().starts_with("unknown event kind (kind[1]) \"roaming\""), "{e}");
        let t = EventTable::new(&columns(&[0, 1, 1], &["payment", "roaming"]), &["roaming"]).unwrap();
        assert_eq!(t.kind_code("roaming"), Some(BUILT_IN_KINDS.len() as u16));
    }

    #[test]
    fn bad_columns_name_row_and_value() {
        let mut c = columns(&[0, 0, 0], &["contact_resolved"]);
        c.duration = &[30.0, -2.0, 5.0];
        assert_eq!(EventTable::new(&c, &[]).unwrap_err().to_string(), "duration[1] = -2 is negative");
        c.duration = &[30.0];
        assert_eq!(EventTable::new(&c, &[]).unwrap_err().to_string(), "duration has 1 elements but time has 3");
        c.duration = &[];
        c.flag = &[0, 3, 1];
        assert_eq!(EventTable::new(&c, &[]).unwrap_err().code(), "OUT_OF_RANGE");
    }

    #[test]
    fn dictionary_codes_in_first_seen_order() {
        let mut d = Dictionary::new();
        let codes: Vec<u32> = ["b", "a", "b", "c"].iter().map(|x| d.code(&x.to_string())).collect();
        assert_eq!(codes, [0, 1, 0, 2]);
        assert_eq!(d.labels(), ["b", "a", "c"]);
    }
}
