//! The checks every survival estimator runs on its input: durations, event flags, entry
//! times (delayed entry, left truncation), weights and segment labels, each with the row and
//! value of the first bad element.
use crate::error::{NpsError, Result};

/// The observations of a survival estimate: how long each customer was observed, whether the
/// observation ended in the event (churn) or was censored, when the customer entered the
/// observation (left truncation) and how much the customer counts.
#[derive(Debug, Clone, Copy)]
pub struct SurvivalData<'a> {
    /// Time from the origin (e.g. the start of the contract) to the event or censoring.
    pub durations: &'a [f64],
    /// `true` when the observation ended in the event; `None`: every observation did.
    pub events: Option<&'a [bool]>,
    /// Time at which each customer entered the observation (delayed entry); `None`: at 0.
    pub entry: Option<&'a [f64]>,
    /// Weight of each customer; `None`: 1 each.
    pub weights: Option<&'a [f64]>,
}

impl<'a> SurvivalData<'a> {
    /// Durations with event flags, every customer observed from time 0 with weight 1.
    pub fn new(durations: &'a [f64], events: &'a [bool]) -> Self {
        SurvivalData { durations, events: Some(events), entry: None, weights: None }
    }

    /// Number of customers.
    pub fn len(&self) -> usize {
        self.durations.len()
    }

    /// Whether there are no customers.
    pub fn is_empty(&self) -> bool {
        self.durations.is_empty()
    }

    /// Whether customer `i`'s observation ended in the event.
    pub fn event(&self, i: usize) -> bool {
        self.events.is_none_or(|e| e[i])
    }

    /// Customer `i`'s entry time (0 without delayed entry).
    pub fn entry_time(&self, i: usize) -> f64 {
        self.entry.map_or(0.0, |e| e[i])
    }

    /// Customer `i`'s weight (1 without weights).
    pub fn weight(&self, i: usize) -> f64 {
        self.weights.map_or(1.0, |w| w[i])
    }

    /// Checks the input: not empty, aligned lengths, durations finite and non-negative, entry
    /// times finite, non-negative and not after the duration, weights finite and
    /// non-negative with a positive total.
    pub fn check(&self) -> Result<()> {
        let n = self.durations.len();
        if n == 0 {
            return Err(NpsError::Empty { field: "durations".into() });
        }
        check_length("event_observed", self.events.map(|e| e.len()), n)?;
        check_length("entry", self.entry.map(|e| e.len()), n)?;
        check_length("weights", self.weights.map(|w| w.len()), n)?;
        check_times("durations", self.durations)?;
        if let Some(entry) = self.entry {
            check_times("entry", entry)?;
            for (i, (&e, &d)) in entry.iter().zip(self.durations).enumerate() {
                if e > d {
                    return Err(NpsError::OutOfRange {
                        field: "entry".into(),
                        index: i,
                        value: e,
                        range: format!("0..=durations[{i}] = {d} (a customer cannot enter after leaving)"),
                    });
                }
            }
        }
        if let Some(weights) = self.weights {
            check_times("weights", weights)?;
            if weights.iter().sum::<f64>() <= 0.0 {
                return Err(NpsError::Empty { field: "weights (all zero)".into() });
            }
        }
        Ok(())
    }
}

/// `other`'s length must equal the durations'.
pub(crate) fn check_length(field: &str, len: Option<usize>, n: usize) -> Result<()> {
    match len {
        Some(len) if len != n => {
            Err(NpsError::LengthMismatch { field: field.into(), actual: len, other: "durations".into(), expected: n })
        }
        _ => Ok(()),
    }
}

/// Every value finite and non-negative.
pub(crate) fn check_times(field: &str, values: &[f64]) -> Result<()> {
    for (i, &v) in values.iter().enumerate() {
        if v.is_nan() {
            return Err(NpsError::Missing { field: field.into(), index: i });
        }
        if v.is_infinite() {
            return Err(NpsError::OutOfRange {
                field: field.into(),
                index: i,
                value: v,
                range: "finite numbers".into(),
            });
        }
        if v < 0.0 {
            return Err(NpsError::Negative { field: field.into(), index: i, value: v });
        }
    }
    Ok(())
}

/// Distinct labels in sorted order and each row's index into them.
pub(crate) fn label_codes<S: AsRef<str>>(labels: &[S]) -> (Vec<String>, Vec<usize>) {
    let mut distinct: Vec<&str> = labels.iter().map(|s| s.as_ref()).collect();
    distinct.sort_unstable();
    distinct.dedup();
    let codes = labels.iter().map(|s| distinct.binary_search(&s.as_ref()).expect("label is listed")).collect();
    (distinct.into_iter().map(str::to_string).collect(), codes)
}

/// The distinct values of a list of times, increasing, and each value's index among them:
/// a hash table on the values' bits (one pass, in the cache when there are few distinct
/// times, as durations in days are), then a sort of the distinct values only.
pub(crate) fn distinct_times(values: impl Iterator<Item = f64>, len: usize) -> (Vec<f64>, Vec<u32>) {
    let mut slots: Vec<u32> = vec![u32::MAX; 1024];
    let mut keys: Vec<u64> = Vec::new();
    let mut ids: Vec<u32> = Vec::with_capacity(len);
    let mut shift = 64 - 10;
    for v in values {
        // +0.0 turns −0.0 into 0.0, so that equal times share a key.
        let key = (v + 0.0).to_bits();
        if 2 * (keys.len() + 1) > slots.len() {
            // Grow: twice the slots, every key placed again.
            slots = vec![u32::MAX; slots.len() * 2];
            shift -= 1;
            for (id, &k) in keys.iter().enumerate() {
                let mut s = (k.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> shift) as usize;
                while slots[s] != u32::MAX {
                    s = (s + 1) & (slots.len() - 1);
                }
                slots[s] = id as u32;
            }
        }
        let mut s = (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> shift) as usize;
        let id = loop {
            match slots[s] {
                u32::MAX => {
                    slots[s] = keys.len() as u32;
                    keys.push(key);
                    break keys.len() as u32 - 1;
                }
                id if keys[id as usize] == key => break id,
                _ => s = (s + 1) & (slots.len() - 1),
            }
        };
        ids.push(id);
    }
    let mut order: Vec<u32> = (0..keys.len() as u32).collect();
    order.sort_unstable_by(|&a, &b| f64::from_bits(keys[a as usize]).total_cmp(&f64::from_bits(keys[b as usize])));
    let mut rank = vec![0u32; keys.len()];
    for (r, &id) in order.iter().enumerate() {
        rank[id as usize] = r as u32;
    }
    let times = order.iter().map(|&id| f64::from_bits(keys[id as usize])).collect();
    ids.iter_mut().for_each(|id| *id = rank[*id as usize]);
    (times, ids)
}
