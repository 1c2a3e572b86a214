//! Features computed in parts and merged: each part of the events (a Spark partition, a
//! file of a day's logs) is aggregated apart into one state per customer, the states of a
//! customer are merged, and the merged state gives the features, to the bit those of all the
//! events at once. This holds for the aggregations whose result does not depend on how
//! the events are split: counts, exact sums and means, minima and maxima, the first and
//! last values and the days since the first and last events. (Standard deviations, slopes,
//! repeats, gaps and distinct counts need the events themselves.)
//!
//! A state is written as floats (an Arrow list of doubles, say): for each aggregate, in
//! column order, the number of events it accepted, then a count has nothing more, a sum or
//! mean the number of its exact partials and the partials, a minimum or maximum the value,
//! a first or last value the event time (an integer's bits) and the value, days since the
//! first or last event the time.
use super::event::Ev;
use super::plan::{days_between, greatest, least, nps_category, AggregatePlan};
use crate::error::{NpsError, Result};
use crate::features::Aggregation;
use crate::stats::exact_sum::ExactSum;

/// The states of some customers' parts: row `i`'s floats are
/// `words[offsets[i] as usize..offsets[i + 1] as usize]` (Arrow's list layout).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FeatureParts {
    /// One more than the rows; row `i` ends where row `i + 1` starts.
    pub offsets: Vec<i32>,
    /// Every row's floats, one after the other.
    pub words: Vec<f64>,
}

/// How an aggregation's state merges.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Merge {
    Count,
    Sum,
    Least,
    Greatest,
    /// The earliest event's time and value (ties: the first part's).
    Earliest,
    /// The latest event's time and value (ties: the last part's).
    Latest,
    /// The earliest event's time.
    EarliestTime,
    /// The latest event's time.
    LatestTime,
}

impl Merge {
    fn of(a: Aggregation) -> Option<Merge> {
        Some(match a {
            Aggregation::Count => Merge::Count,
            Aggregation::Sum | Aggregation::Mean => Merge::Sum,
            Aggregation::Min => Merge::Least,
            Aggregation::Max => Merge::Greatest,
            Aggregation::First => Merge::Earliest,
            Aggregation::Last | Aggregation::NpsCategory => Merge::Latest,
            Aggregation::DaysSinceFirst => Merge::EarliestTime,
            Aggregation::DaysSinceLast => Merge::LatestTime,
            Aggregation::Std
            | Aggregation::DistinctCount
            | Aggregation::Slope
            | Aggregation::RepeatCount { .. }
            | Aggregation::LastOverMeanPrevious { .. }
            | Aggregation::GapRatio => return None,
        })
    }
}

/// Whether an aggregation can be computed in parts (see the module documentation).
pub(super) fn mergeable(a: Aggregation) -> bool {
    Merge::of(a).is_some()
}

/// One aggregate's state over a part of a customer's events.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Part {
    n: u64,
    sum: ExactSum,
    time: i64,
    value: f64,
}

impl Part {
    /// The state of no events for an aggregation merged as `merge`.
    fn empty(merge: Merge) -> Part {
        let (time, value) = match merge {
            Merge::Least => (0, f64::INFINITY),
            Merge::Greatest => (0, f64::NEG_INFINITY),
            Merge::Earliest | Merge::EarliestTime => (i64::MAX, f64::NAN),
            Merge::Latest | Merge::LatestTime => (i64::MIN, f64::NAN),
            Merge::Count | Merge::Sum => (0, f64::NAN),
        };
        Part { n: 0, sum: ExactSum::new(), time, value }
    }

    /// Adds `other`, the state of events that come after this state's in the caller's order.
    fn merge(&mut self, other: &Part, merge: Merge) {
        if other.n == 0 {
            return;
        }
        let take = self.n == 0
            || match merge {
                Merge::Count | Merge::Sum | Merge::Least | Merge::Greatest => false,
                Merge::Earliest | Merge::EarliestTime => other.time < self.time,
                Merge::Latest | Merge::LatestTime => other.time >= self.time,
            };
        match merge {
            Merge::Sum => self.sum.merge(&other.sum),
            Merge::Least => self.value = least(self.value, other.value),
            Merge::Greatest => self.value = greatest(self.value, other.value),
            _ if take => (self.time, self.value) = (other.time, other.value),
            _ => {}
        }
        self.n += other.n;
    }

    fn write(&self, merge: Merge, out: &mut Vec<f64>) {
        out.push(self.n as f64);
        match merge {
            Merge::Count => {}
            Merge::Sum => {
                out.push(self.sum.partials().len() as f64);
                out.extend_from_slice(self.sum.partials());
            }
            Merge::Least | Merge::Greatest => out.push(self.value),
            Merge::Earliest | Merge::Latest => out.extend([f64::from_bits(self.time as u64), self.value]),
            Merge::EarliestTime | Merge::LatestTime => out.push(f64::from_bits(self.time as u64)),
        }
    }

    /// Reads a state written by [`Part::write`] from the start of `words`; the rest of
    /// `words` is returned. `None`: not such a state.
    fn read(merge: Merge, words: &[f64]) -> Option<(Part, &[f64])> {
        let (&n, rest) = words.split_first()?;
        if !(n >= 0.0 && n.fract() == 0.0 && n < 2f64.powi(63)) {
            return None;
        }
        let mut part = Part::empty(merge);
        part.n = n as u64;
        let time = |w: f64| w.to_bits() as i64;
        let rest = match merge {
            Merge::Count => rest,
            Merge::Sum => {
                let (&k, rest) = rest.split_first()?;
                if !(k >= 0.0 && k.fract() == 0.0 && k as usize <= rest.len()) {
                    return None;
                }
                let (partials, rest) = rest.split_at(k as usize);
                part.sum = ExactSum::from_partials(partials)?;
                rest
            }
            Merge::Least | Merge::Greatest => {
                let (&v, rest) = rest.split_first()?;
                part.value = v;
                rest
            }
            Merge::Earliest | Merge::Latest => {
                let [t, v, rest @ ..] = rest else { return None };
                (part.time, part.value) = (time(*t), *v);
                rest
            }
            Merge::EarliestTime | Merge::LatestTime => {
                let (&t, rest) = rest.split_first()?;
                part.time = time(t);
                rest
            }
        };
        Some((part, rest))
    }
}

impl AggregatePlan {
    fn merge_kind(&self) -> Merge {
        Merge::of(self.aggregation()).expect("parts are computed for mergeable plans only")
    }

    /// The state of the accepted events `sel` (indices into `evs`, one customer's events
    /// sorted by time): the same arithmetic as [`AggregatePlan::aggregate`] in parts.
    pub(super) fn part(&self, evs: &[Ev], sel: &[u32]) -> Part {
        let merge = self.merge_kind();
        let mut part = Part::empty(merge);
        let (Some(&first), Some(&last)) = (sel.first(), sel.last()) else {
            return part;
        };
        let num = |i: u32| self.numeric(&evs[i as usize]);
        part.n = sel.len() as u64;
        match merge {
            Merge::Count => {}
            Merge::Sum => sel.iter().for_each(|&i| part.sum.add(num(i))),
            Merge::Least => part.value = sel.iter().map(|&i| num(i)).fold(f64::INFINITY, least),
            Merge::Greatest => part.value = sel.iter().map(|&i| num(i)).fold(f64::NEG_INFINITY, greatest),
            Merge::Earliest | Merge::EarliestTime => (part.time, part.value) = (evs[first as usize].time, num(first)),
            Merge::Latest | Merge::LatestTime => (part.time, part.value) = (evs[last as usize].time, num(last)),
        }
        part
    }

    /// The feature from a merged state: what [`AggregatePlan::aggregate`] gives over all
    /// the events the parts held.
    pub(super) fn finish(&self, part: &Part, as_of: i64) -> f64 {
        if part.n == 0 {
            return self.empty();
        }
        match self.aggregation() {
            Aggregation::Count => part.n as f64,
            Aggregation::Sum => part.sum.value(),
            Aggregation::Mean => part.sum.value() / part.n as f64,
            Aggregation::Min | Aggregation::Max | Aggregation::First | Aggregation::Last => part.value,
            Aggregation::NpsCategory => nps_category(part.value),
            Aggregation::DaysSinceFirst | Aggregation::DaysSinceLast => days_between(part.time, as_of),
            _ => unreachable!("parts are computed for mergeable plans only"),
        }
    }
}

/// Writes each customer's state (the customer's aggregate states in column order) as one
/// row of `parts`.
pub(super) struct PartWriter<'a> {
    plans: &'a [(usize, AggregatePlan)],
    parts: FeatureParts,
}

impl<'a> PartWriter<'a> {
    pub(super) fn new(plans: &'a [(usize, AggregatePlan)]) -> PartWriter<'a> {
        PartWriter { plans, parts: FeatureParts { offsets: vec![0], words: Vec::new() } }
    }

    /// Writes the next customer's row from its events sorted by time and the selection of
    /// each aggregate.
    pub(super) fn push(&mut self, evs: &[Ev], selections: &[Vec<u32>]) -> Result<()> {
        for ((_, plan), sel) in self.plans.iter().zip(selections) {
            plan.part(evs, sel).write(plan.merge_kind(), &mut self.parts.words);
        }
        let end = i32::try_from(self.parts.words.len()).map_err(|_| {
            NpsError::invalid("events", "too many customers at once", "a batch whose parts fit 2^31 floats")
        })?;
        self.parts.offsets.push(end);
        Ok(())
    }

    pub(super) fn finish(self) -> FeatureParts {
        self.parts
    }
}

/// Merges the rows of `parts` by customer code (`customer[i]` is row `i`'s, below
/// `customers`; rows merged in row order) and writes each customer's features into `out`
/// (`width` per customer, composites and defaults left to the caller).
pub(super) fn merge_rows(
    plans: &[(usize, AggregatePlan)],
    customer: &[u32],
    parts: (&[i32], &[f64]),
    customers: usize,
    as_of: i64,
    out: &mut [f64],
    width: usize,
) -> Result<()> {
    let (offsets, words) = parts;
    if offsets.len() != customer.len() + 1 {
        return Err(NpsError::LengthMismatch {
            field: "parts.offsets".into(),
            actual: offsets.len(),
            other: "customer plus one".into(),
            expected: customer.len() + 1,
        });
    }
    let kinds: Vec<Merge> = plans.iter().map(|(_, p)| p.merge_kind()).collect();
    let mut merged: Vec<Part> = (0..customers).flat_map(|_| kinds.iter().map(|&m| Part::empty(m))).collect();
    let corrupt = |row: usize, why: &str| {
        NpsError::invalid(
            "parts",
            format!("row {row}: {why}"),
            "the parts FeatureEngine::parts writes for this feature set",
        )
    };
    for (row, &c) in customer.iter().enumerate() {
        if c as usize >= customers {
            return Err(NpsError::OutOfRange {
                field: "customer".into(),
                index: row,
                value: c as f64,
                range: format!("codes below {customers}"),
            });
        }
        let (start, end) = (offsets[row], offsets[row + 1]);
        if start < 0 || end < start || end as usize > words.len() {
            return Err(corrupt(row, &format!("offsets {start}..{end} outside the {} floats", words.len())));
        }
        let mut rest = &words[start as usize..end as usize];
        let states = &mut merged[c as usize * kinds.len()..(c as usize + 1) * kinds.len()];
        for (state, &merge) in states.iter_mut().zip(&kinds) {
            let (part, after) = Part::read(merge, rest).ok_or_else(|| corrupt(row, "not a state of these features"))?;
            state.merge(&part, merge);
            rest = after;
        }
        if !rest.is_empty() {
            return Err(corrupt(row, &format!("{} floats beyond the states of these features", rest.len())));
        }
    }
    if width == 0 {
        return Ok(());
    }
    for (c, row) in out.chunks_exact_mut(width).enumerate() {
        for ((j, plan), state) in plans.iter().zip(&merged[c * kinds.len()..]) {
            row[*j] = plan.finish(state, as_of);
        }
    }
    Ok(())
}
