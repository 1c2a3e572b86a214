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
