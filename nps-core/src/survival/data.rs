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
        self.check_shape()?;
        check_times("durations", self.durations)?;
        self.check_entry_and_weights()
    }

    /// Not empty, and every other column as long as the durations.
    fn check_shape(&self) -> Result<()> {
        let n = self.durations.len();
        if n == 0 {
            return Err(NpsError::Empty { field: "durations".into() });
        }
        check_length("event_observed", self.events.map(|e| e.len()), n)?;
        check_length("entry", self.entry.map(|e| e.len()), n)?;
        check_length("weights", self.weights.map(|w| w.len()), n)
    }

    /// Entry times and weights as [`SurvivalData::check`] says.
    fn check_entry_and_weights(&self) -> Result<()> {
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
    len.map_or(Ok(()), |len| crate::error::check_lengths(field, len, "durations", n))
}

/// Every value finite and non-negative.
pub(crate) fn check_times(field: &str, values: &[f64]) -> Result<()> {
    // One pass the compiler vectorises; the culprit is looked for only when there is one.
    if all_times(values) {
        return Ok(());
    }
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

/// Whether every value is finite and non-negative (NaN fails both tests).
fn all_times(values: &[f64]) -> bool {
    values.iter().fold(true, |ok, &v| ok & (0.0..f64::INFINITY).contains(&v))
}

/// Distinct labels in sorted order and each row's index into them.
pub(crate) fn label_codes<S: AsRef<str>>(labels: &[S]) -> (Vec<String>, Vec<usize>) {
    let mut distinct: Vec<&str> = labels.iter().map(|s| s.as_ref()).collect();
    distinct.sort_unstable();
    distinct.dedup();
    let codes = labels.iter().map(|s| distinct.binary_search(&s.as_ref()).expect("label is listed")).collect();
    (distinct.into_iter().map(str::to_string).collect(), codes)
}

/// Whole times below this (durations in days up to eleven years) find their id in a
/// direct table, without hashing.
const DIRECT_TIMES: usize = 4096;

/// A hash table from a time's bits to its id (the order of first sight): one probe per row,
/// in the cache when there are few distinct times, as durations in days are; whole times
/// below [`DIRECT_TIMES`] are looked up by their value first (the same ids).
struct TimeIndex {
    slots: Vec<u32>,
    keys: Vec<u64>,
    shift: u32,
    direct: Vec<u32>,
}

impl TimeIndex {
    fn new() -> Self {
        TimeIndex {
            slots: vec![u32::MAX; 1024],
            keys: Vec::new(),
            shift: 64 - 10,
            direct: vec![u32::MAX; DIRECT_TIMES],
        }
    }

    fn slot(&self, key: u64) -> usize {
        (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize
    }

    /// The id of time `v` (+0.0 turns −0.0 into 0.0, so that equal times share one).
    fn id(&mut self, v: f64) -> u32 {
        // A whole number in range: its own slot (−0.0 lands on 0's; NaN and negative
        // times fail the comparison and are hashed).
        let whole = v as u32;
        if (whole as usize) < DIRECT_TIMES && f64::from(whole) == v {
            let id = self.direct[whole as usize];
            if id != u32::MAX {
                return id;
            }
            let id = self.hashed(v);
            self.direct[whole as usize] = id;
            return id;
        }
        self.hashed(v)
    }

    fn hashed(&mut self, v: f64) -> u32 {
        let key = (v + 0.0).to_bits();
        if 2 * (self.keys.len() + 1) > self.slots.len() {
            // Grow: twice the slots, every key placed again.
            self.slots = vec![u32::MAX; self.slots.len() * 2];
            self.shift -= 1;
            for id in 0..self.keys.len() {
                let mut s = self.slot(self.keys[id]);
                while self.slots[s] != u32::MAX {
                    s = (s + 1) & (self.slots.len() - 1);
                }
                self.slots[s] = id as u32;
            }
        }
        let mut s = self.slot(key);
        loop {
            match self.slots[s] {
                u32::MAX => {
                    self.slots[s] = self.keys.len() as u32;
                    self.keys.push(key);
                    return self.keys.len() as u32 - 1;
                }
                id if self.keys[id as usize] == key => return id,
                _ => s = (s + 1) & (self.slots.len() - 1),
            }
        }
    }

    /// The times in increasing order, and the rank of each id among them.
    fn ranks(&self) -> (Vec<f64>, Vec<u32>) {
        let keys = &self.keys;
        let mut order: Vec<u32> = (0..keys.len() as u32).collect();
        order.sort_unstable_by(|&a, &b| f64::from_bits(keys[a as usize]).total_cmp(&f64::from_bits(keys[b as usize])));
        let mut rank = vec![0u32; keys.len()];
        for (r, &id) in order.iter().enumerate() {
            rank[id as usize] = r as u32;
        }
        (order.iter().map(|&id| f64::from_bits(keys[id as usize])).collect(), rank)
    }
}

/// The distinct values of a list of times, increasing, and each value's index among them:
/// a hash table on the values' bits (one pass), then a sort of the distinct values only.
pub(crate) fn distinct_times(values: impl Iterator<Item = f64>, len: usize) -> (Vec<f64>, Vec<u32>) {
    let mut index = TimeIndex::new();
    let mut ids: Vec<u32> = Vec::with_capacity(len);
    ids.extend(values.map(|v| index.id(v)));
    let (times, rank) = index.ranks();
    ids.iter_mut().for_each(|id| *id = rank[*id as usize]);
    (times, ids)
}

/// Rows a [`TimeTally`] is built on at a time: a fixed size, so that the sums (added chunk
/// by chunk, in order) do not depend on the number of threads.
const TALLY_CHUNK: usize = 1 << 16;

/// Per distinct time, the weight of the rows ending there (`removed`), of their events
/// (`observed`) and of the rows entering there (`entrance`): Kaplan–Meier's life table
/// without an index per row.
pub(crate) struct TimeTally {
    /// The distinct times, increasing.
    pub time: Vec<f64>,
    pub removed: Vec<f64>,
    pub observed: Vec<f64>,
    pub entrance: Vec<f64>,
}

impl TimeTally {
    /// The tally of `data`, chunks of rows counted in parallel and merged in order. Without
    /// entry times everyone enters at 0 (a time of the table). The data are checked as
    /// [`SurvivalData::check`] checks them, the durations while each chunk is counted (a
    /// million durations are read from memory once, not twice).
    pub(crate) fn of(data: &SurvivalData<'_>) -> Result<Self> {
        use rayon::prelude::*;
        data.check_shape()?;
        let n = data.len();
        let chunks: Vec<Option<(TimeIndex, [Vec<f64>; 3])>> = (0..n.div_ceil(TALLY_CHUNK))
            .into_par_iter()
            .map(|c| chunk_tally(data, c * TALLY_CHUNK..((c + 1) * TALLY_CHUNK).min(n)))
            .collect();
        if chunks.iter().any(Option::is_none) {
            check_times("durations", data.durations)?;
        }
        data.check_entry_and_weights()?;
        let (mut index, mut sums) = (TimeIndex::new(), [Vec::new(), Vec::new(), Vec::new()]);
        if data.entry.is_none() {
            let total = data.weights.map_or(n as f64, |w| w.iter().sum());
            add(&mut index, &mut sums, 0.0, [0.0, 0.0, total]);
        }
        for (chunk, chunk_sums) in chunks.iter().flatten() {
            for (id, &key) in chunk.keys.iter().enumerate() {
                let value = [chunk_sums[0][id], chunk_sums[1][id], chunk_sums[2][id]];
                add(&mut index, &mut sums, f64::from_bits(key), value);
            }
        }
        let (time, rank) = index.ranks();
        let [removed, observed, entrance] = sums.map(|column| {
            let mut sorted = vec![0.0; column.len()];
            for (id, v) in column.into_iter().enumerate() {
                sorted[rank[id] as usize] = v;
            }
            sorted
        });
        Ok(TimeTally { time, removed, observed, entrance })
    }
}

/// The tally of the rows `rows`: each duration's id first (a tight loop), then the sums;
/// `None` when a duration is not a time (negative, infinite or NaN).
fn chunk_tally(data: &SurvivalData<'_>, rows: std::ops::Range<usize>) -> Option<(TimeIndex, [Vec<f64>; 3])> {
    if !all_times(&data.durations[rows.clone()]) {
        return None;
    }
    let mut index = TimeIndex::new();
    let ids: Vec<u32> = data.durations[rows.clone()].iter().map(|&d| index.id(d)).collect();
    let k = index.keys.len();
    let (mut removed, mut observed) = (vec![0.0; k], vec![0.0; k]);
    match (data.events, data.weights) {
        (Some(events), None) => {
            for (&id, &e) in ids.iter().zip(&events[rows.clone()]) {
                removed[id as usize] += 1.0;
                observed[id as usize] += f64::from(u8::from(e));
            }
        }
        _ => {
            for (&id, i) in ids.iter().zip(rows.clone()) {
                let w = data.weight(i);
                removed[id as usize] += w;
                if data.event(i) {
                    observed[id as usize] += w;
                }
            }
        }
    }
    let mut sums = [removed, observed, vec![0.0; k]];
    if let Some(entry) = data.entry {
        for i in rows {
            add(&mut index, &mut sums, entry[i], [0.0, 0.0, data.weight(i)]);
        }
    }
    Some((index, sums))
}

/// Adds `value` to the sums of time `t`.
fn add(index: &mut TimeIndex, sums: &mut [Vec<f64>; 3], t: f64, value: [f64; 3]) {
    let id = index.id(t) as usize;
    if id == sums[0].len() {
        sums.iter_mut().for_each(|s| s.push(0.0));
    }
    for (s, v) in sums.iter_mut().zip(value) {
        s[id] += v;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The direct table gives the ids the hash gives: the order of first sight, −0.0 and 0.0
    /// one time, fractions and times past the table hashed alongside.
    #[test]
    fn whole_times_and_hashed_times_share_one_numbering() {
        let times = [3.0, 0.0, 4095.0, 4096.0, 2.5, -0.0, 3.0, 1e9, 2.5, 4095.0, 0.0, 7.0, 4096.0];
        let mut index = TimeIndex::new();
        let ids: Vec<u32> = times.iter().map(|&t| index.id(t)).collect();
        assert_eq!(ids, [0, 1, 2, 3, 4, 1, 0, 5, 4, 2, 1, 6, 3]);
        let mut hashed = TimeIndex::new();
        assert_eq!(times.iter().map(|&t| hashed.hashed(t)).collect::<Vec<_>>(), ids);
        let (sorted, rank) = index.ranks();
        assert_eq!(sorted, [0.0, 2.5, 3.0, 7.0, 4095.0, 4096.0, 1e9]);
        assert_eq!(rank, [2, 0, 4, 5, 1, 6, 3]);
    }
}
