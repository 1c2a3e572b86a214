//! Computing a [`FeatureSet`] over an [`EventTable`] as of a reference time.
//!
//! Only events strictly before the reference time are read, so nothing that happens at or
//! after it can change a feature. The events are grouped by customer with a counting sort
//! into one compact array (one pass over the columns, 32 bytes per event), each customer's
//! events are sorted by time (ties in input row order), and one pass over them routes each
//! event to the features that read its kind; each feature then aggregates its selection.
//! Nothing is allocated per event or per customer (the buffers are reused), and nothing is
//! sorted per feature.
use ndarray::{Array2, ArrayView1};
use serde::{Deserialize, Serialize};

use super::definition::{Aggregation, FeatureRule, FeatureSet, Field, Filter};
use super::events::{EventTable, NONE};
use crate::error::{NpsError, Result};

const DAY: f64 = 86_400.0;

/// Features per customer: one row per customer code (0..`customers`), one column per feature
/// in set order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureMatrix {
    /// Feature names, in column order.
    pub names: Vec<String>,
    /// Feature descriptions, in column order.
    pub descriptions: Vec<String>,
    /// Values: rows are customer codes, columns features; NaN where a feature is undefined.
    pub values: Array2<f64>,
}

impl FeatureMatrix {
    /// The column of the feature named `name`, if any.
    pub fn column(&self, name: &str) -> Option<ArrayView1<'_, f64>> {
        self.names.iter().position(|n| n == name).map(|j| self.values.column(j))
    }

    /// The value of feature `name` for customer code `customer`, if both exist.
    pub fn get(&self, customer: u32, name: &str) -> Option<f64> {
        let j = self.names.iter().position(|n| n == name)?;
        self.values.get((customer as usize, j)).copied()
    }
}

/// Computes every feature of `set` for every customer of `events`, as of `as_of` (seconds
/// since the Unix epoch, UTC). Only events with time strictly before `as_of` count.
///
/// Errors: the set fails [`FeatureSet::validate`]; a feature names an event kind the table
/// does not know (the message names the feature and the kind); the table's columns are
/// inconsistent (lengths, a customer code at or above `customers`, a kind code out of range);
/// more than `u32::MAX` events.
///
/// ```
/// use nps_core::features::{compute, EventColumns, EventTable, FeatureSet};
///
/// let day = 86_400;
/// let events = EventTable::new(
///     &EventColumns {
///         customer: &[0, 0, 1, 0],
///         time: &[10 * day, 25 * day, 28 * day, 30 * day],
///         kind: &[0, 0, 0, 0],
///         kind_names: &["contact_opened"],
///         ..Default::default()
///     },
///     &[],
/// )
/// .unwrap();
/// let set = FeatureSet::from_json(
///     r#"{"features": [{"name": "contacts_7d", "kinds": ["contact_opened"], "aggregation": "count", "window": {"days": 7}}]}"#,
/// )
/// .unwrap();
/// // As of day 30: the contact at day 30 itself does not count, the one at day 10 is too old.
/// let m = compute(&events, &set, 30 * day).unwrap();
/// assert_eq!(m.get(0, "contacts_7d"), Some(1.0));
/// assert_eq!(m.get(1, "contacts_7d"), Some(1.0));
/// ```
pub fn compute(events: &EventTable, set: &FeatureSet, as_of: i64) -> Result<FeatureMatrix> {
    FeatureEngine::new(set, &events.kinds)?.compute(events, as_of)
}

/// A feature set compiled against the event kinds of a history: validated and resolved
/// once, then used for every computation, whether over a whole base or for one customer
/// at the moment of a ticket (see [`super::CustomerHistory`]).
#[derive(Debug, Clone)]
pub struct FeatureEngine {
    names: Vec<String>,
    descriptions: Vec<String>,
    kinds: Vec<String>,
    plans: Vec<(usize, Plan)>,
    by_kind: Vec<Vec<usize>>,
    composites: Vec<(usize, Composite)>,
    defaults: Vec<Option<f64>>,
}

impl FeatureEngine {
    /// Compiles `set` for histories whose kind codes index `kinds`.
    ///
    /// Errors: the set fails [`FeatureSet::validate`]; a feature names a kind not in `kinds`
    /// (the message names the feature and the kind).
    pub fn new(set: &FeatureSet, kinds: &[String]) -> Result<FeatureEngine> {
        let composites = set.composite_order()?;
        let plans = compile(kinds, set)?;
        let composites = composites
            .into_iter()
            .map(|j| {
                let index = |name: &str| set.features.iter().position(|f| f.name == name).expect("validated");
                let c = match &set.features[j].rule {
                    FeatureRule::Ratio { numerator, denominator } => {
                        Composite::Ratio(index(numerator), index(denominator))
                    }
                    FeatureRule::Difference { minuend, subtrahend } => {
                        Composite::Difference(index(minuend), index(subtrahend))
                    }
                    FeatureRule::Aggregate(_) => unreachable!("composite_order lists composites"),
                };
                (j, c)
            })
            .collect();
        // For each event kind, the plans that read it: every event is routed only to them.
        let mut by_kind: Vec<Vec<usize>> = vec![Vec::new(); kinds.len()];
        for (p, (_, plan)) in plans.iter().enumerate() {
            for (k, wanted) in plan.kinds.iter().enumerate() {
                if *wanted {
                    by_kind[k].push(p);
                }
            }
        }
        Ok(FeatureEngine {
            names: set.features.iter().map(|f| f.name.clone()).collect(),
            descriptions: set.features.iter().map(|f| f.description.clone()).collect(),
            kinds: kinds.to_vec(),
            plans,
            by_kind,
            composites,
            defaults: set.features.iter().map(|f| f.default).collect(),
        })
    }

    /// Feature names, in column order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Every feature for every customer of `events`, as of `as_of` (see [`compute`]).
    pub fn compute(&self, events: &EventTable, as_of: i64) -> Result<FeatureMatrix> {
        self.check_kinds(events)?;
        check_table(events)?;
        let customers = events.customers as usize;
        let width = self.names.len();
        let mut values = Array2::<f64>::zeros((customers, width));
        let (names, descriptions) = (self.names.clone(), self.descriptions.clone());
        if width == 0 || customers == 0 {
            return Ok(FeatureMatrix { names, descriptions, values });
        }
        check_codes(events)?;
        let rows = self.rows(events, as_of);
        let out = values.as_slice_mut().expect("a new array is contiguous");
        // Customers are independent: contiguous blocks of them go to threads, each grouping
        // its own customers' events and writing its own rows, so the result does not depend
        // on the number of threads.
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8).min(customers / 8_192).max(1);
        if threads == 1 {
            rows.block(0, customers, out, width);
        } else {
            let block = customers.div_ceil(threads);
            std::thread::scope(|scope| {
                let rows = &rows;
                for (b, block_out) in out.chunks_mut(block * width).enumerate() {
                    let first = b * block;
                    let end = (first + block).min(customers);
                    scope.spawn(move || rows.block(first, end, block_out, width));
                }
            });
        }
        Ok(FeatureMatrix { names, descriptions, values })
    }

    /// The features of customer code 0 of a one-customer table, into `out` (one value per
    /// feature).
    pub(crate) fn row(&self, events: &EventTable, as_of: i64, out: &mut [f64]) -> Result<()> {
        self.check_kinds(events)?;
        check_table(events)?;
        check_codes(events)?;
        if out.len() != self.names.len() {
            return Err(NpsError::LengthMismatch {
                field: "out".into(),
                actual: out.len(),
                other: "the features".into(),
                expected: self.names.len(),
            });
        }
        if !out.is_empty() {
            self.rows(events, as_of).block(0, 1, out, out.len());
        }
        Ok(())
    }

    fn check_kinds(&self, events: &EventTable) -> Result<()> {
        if events.kinds != self.kinds {
            return Err(NpsError::invalid(
                "events.kinds",
                events.kinds.join(", "),
                &format!("the kinds the features were compiled for ({})", self.kinds.join(", ")),
            ));
        }
        Ok(())
    }

    /// Binds the plans to a table and a reference time.
    fn rows<'a>(&'a self, table: &'a EventTable, as_of: i64) -> Rows<'a> {
        let bounds = self.plans.iter().map(|(_, plan)| plan.bind(table, as_of)).collect();
        Rows { table, engine: self, bounds, as_of }
    }
}

/// What every customer's row is computed from: the engine bound to a table and a time.
struct Rows<'a> {
    table: &'a EventTable,
    engine: &'a FeatureEngine,
    bounds: Vec<Bound>,
    as_of: i64,
}

impl Rows<'_> {
    /// Fills the rows of customers `first..end` into `out`.
    fn block(&self, first: usize, end: usize, out: &mut [f64], width: usize) {
        let (starts, mut sorted) = group_by_customer(self.table, self.as_of, first, end);
        self.fill(&starts, &mut sorted, out, width);
    }

    /// Fills the rows of a block of customers: `starts` are the offsets of each customer's
    /// events in `sorted` (one more than the customers), `out` the block's rows.
    fn fill(&self, starts: &[u32], sorted: &mut [Ev], out: &mut [f64], width: usize) {
        let (plans, table, as_of) = (&self.engine.plans, self.table, self.as_of);
        let mut selections: Vec<Vec<u32>> = vec![Vec::new(); plans.len()];
        let mut scratch = Scratch::default();
        for (c, row) in out.chunks_exact_mut(width).enumerate() {
            let evs = &mut sorted[starts[c] as usize..starts[c + 1] as usize];
            sort_by_time(evs);
            let evs = &*evs;
            for sel in selections.iter_mut() {
                sel.clear();
            }
            for (i, e) in evs.iter().enumerate() {
                for &p in &self.engine.by_kind[e.kind as usize] {
                    if plans[p].1.accepts(&self.bounds[p], e, table) {
                        selections[p].push(i as u32);
                    }
                }
            }
            for ((j, plan), sel) in plans.iter().zip(&selections) {
                row[*j] = plan.aggregate(table, evs, sel, as_of, &mut scratch);
            }
            for (j, comp) in &self.engine.composites {
                let x = match *comp {
                    Composite::Ratio(a, b) => {
                        let d = row[b];
                        if d == 0.0 || d.is_nan() {
                            f64::NAN
                        } else {
                            row[a] / d
                        }
                    }
                    Composite::Difference(a, b) => row[a] - row[b],
                };
                row[*j] = match self.engine.defaults[*j] {
                    Some(d) if x.is_nan() => d,
                    _ => x,
                };
            }
        }
    }
}

/// Sorts one customer's events by time, ties in input row order.
fn sort_by_time(evs: &mut [Ev]) {
    if evs.windows(2).all(|w| w[0].time <= w[1].time) {
        return; // already sorted, and grouping kept row order within ties
    }
    if evs.len() <= 32 {
        // Insertion sort: stable, no allocation.
        for i in 1..evs.len() {
            let e = evs[i];
            let mut j = i;
            while j > 0 && evs[j - 1].time > e.time {
                evs[j] = evs[j - 1];
                j -= 1;
            }
            evs[j] = e;
        }
    } else {
        // Rows are unique, so the unstable sort is deterministic (and allocates nothing).
        evs.sort_unstable_by_key(|e| (e.time, e.row));
    }
}

#[derive(Debug, Clone, Copy)]
enum Composite {
    Ratio(usize, usize),
    Difference(usize, usize),
}

/// One event, copied from the columns into customer order: 32 bytes, so that the copy is
/// one aligned write. Department and case, which few features read, stay in the table and
/// are looked up by row.
#[derive(Debug, Clone, Copy)]
struct Ev {
    time: i64,
    value: f64,
    duration: f64,
    row: u32,
    kind: u16,
    flag: u8,
}

fn check_table(t: &EventTable) -> Result<()> {
    let n = t.time.len();
    let lengths = [
        ("customer", t.customer.len()),
        ("kind", t.kind.len()),
        ("value", t.value.len()),
        ("duration", t.duration.len()),
        ("department", t.department.len()),
        ("case", t.case.len()),
        ("flag", t.flag.len()),
    ];
    for (field, len) in lengths {
        if len != n {
            return Err(NpsError::LengthMismatch {
                field: field.into(),
                actual: len,
                other: "time".into(),
                expected: n,
            });
        }
    }
    if n > u32::MAX as usize {
        return Err(NpsError::invalid("events", n, "at most 4294967295 rows"));
    }
    Ok(())
}

/// Checks that every customer and kind code is in range (before any thread starts).
fn check_codes(t: &EventTable) -> Result<()> {
    let customers = t.customers as usize;
    if let Some(row) = t.customer.iter().position(|&c| c as usize >= customers) {
        return Err(NpsError::OutOfRange {
            field: "customer".into(),
            index: row,
            value: t.customer[row] as f64,
            range: format!("the customer codes 0..{customers}"),
        });
    }
    let kinds = t.kinds.len();
    if let Some(row) = t.kind.iter().position(|&k| k as usize >= kinds) {
        return Err(NpsError::OutOfRange {
            field: "kind".into(),
            index: row,
            value: t.kind[row] as f64,
            range: format!("the {kinds} kind names of the table"),
        });
    }
    Ok(())
}

/// Groups the events before `as_of` of customers `first..end` by customer with a counting
/// sort (input row order within a customer). Returns the start of each customer's slice
/// (plus the end) and the events.
fn group_by_customer(t: &EventTable, as_of: i64, first: usize, end: usize) -> (Vec<u32>, Vec<Ev>) {
    let customers = end - first;
    let mine = |c: u32, time: i64| time < as_of && (first..end).contains(&(c as usize));
    let mut starts = vec![0u32; customers + 1];
    for (&c, &time) in t.customer.iter().zip(&t.time) {
        if mine(c, time) {
            starts[c as usize - first + 1] += 1;
        }
    }
    for c in 0..customers {
        starts[c + 1] += starts[c];
    }
    let blank = Ev { time: 0, value: 0.0, duration: 0.0, row: 0, kind: 0, flag: 2 };
    let mut sorted = vec![blank; starts[customers] as usize];
    let mut next: Vec<u32> = starts[..customers].to_vec();
    for (row, (&c, &time)) in t.customer.iter().zip(&t.time).enumerate() {
        if mine(c, time) {
            let slot = &mut next[c as usize - first];
            sorted[*slot as usize] = Ev {
                time,
                value: t.value[row],
                duration: t.duration[row],
                row: row as u32,
                kind: t.kind[row],
                flag: t.flag[row],
            };
            *slot += 1;
        }
    }
    (starts, sorted)
}

/// Buffers reused across customers and features.
#[derive(Default)]
struct Scratch {
    floats: Vec<f64>,
    codes: Vec<u32>,
}

/// A compiled aggregate feature.
#[derive(Debug, Clone)]
struct Plan {
    kinds: Vec<bool>,
    /// Seconds before the reference time where the window starts and ends; `None`: the
    /// whole history.
    window: Option<(i64, i64)>,
    filter: Option<Filter>,
    aggregation: Aggregation,
    field: Option<Field>,
    empty: f64,
}

/// A plan bound to a table and a reference time: the window in absolute seconds and the
/// filter with the table's department codes.
struct Bound {
    lo: i64,
    hi: i64,
    filter: Option<CompiledFilter>,
}

enum CompiledFilter {
    /// Department code; `None` (a name the table does not know) matches nothing.
    Department(Option<u32>),
    Flag(u8),
    Range {
        field: Field,
        min: f64,
        max: f64,
    },
    All(Vec<CompiledFilter>),
    Any(Vec<CompiledFilter>),
    Not(Box<CompiledFilter>),
}

impl CompiledFilter {
    fn new(f: &Filter, t: &EventTable) -> CompiledFilter {
        match f {
            Filter::Department(name) => {
                CompiledFilter::Department(t.departments.iter().position(|d| d == name).map(|p| p as u32))
            }
            Filter::Flag(b) => CompiledFilter::Flag(*b as u8),
            Filter::Range { field, min, max } => CompiledFilter::Range {
                field: *field,
                min: min.unwrap_or(f64::NEG_INFINITY),
                max: max.unwrap_or(f64::INFINITY),
            },
            Filter::All(list) => CompiledFilter::All(list.iter().map(|f| CompiledFilter::new(f, t)).collect()),
            Filter::Any(list) => CompiledFilter::Any(list.iter().map(|f| CompiledFilter::new(f, t)).collect()),
            Filter::Not(f) => CompiledFilter::Not(Box::new(CompiledFilter::new(f, t))),
        }
    }

    fn matches(&self, e: &Ev, t: &EventTable) -> bool {
        match self {
            CompiledFilter::Department(code) => code.is_some_and(|c| t.department[e.row as usize] == c),
            CompiledFilter::Flag(b) => e.flag == *b,
            CompiledFilter::Range { field, min, max } => {
                let x = numeric(e, *field);
                x >= *min && x <= *max // false for NaN
            }
            CompiledFilter::All(list) => list.iter().all(|f| f.matches(e, t)),
            CompiledFilter::Any(list) => list.iter().any(|f| f.matches(e, t)),
            CompiledFilter::Not(f) => !f.matches(e, t),
        }
    }
}

#[inline]
fn numeric(e: &Ev, field: Field) -> f64 {
    match field {
        Field::Duration => e.duration,
        _ => e.value,
    }
}

#[inline]
fn code(e: &Ev, field: Field, t: &EventTable) -> u32 {
    match field {
        Field::Case => t.case[e.row as usize],
        _ => t.department[e.row as usize],
    }
}

fn days_to_seconds(days: f64) -> i64 {
    // Saturating float-to-int conversion; windows beyond the i64 range are unbounded anyway.
    (days * DAY).round() as i64
}

fn compile(table_kinds: &[String], set: &FeatureSet) -> Result<Vec<(usize, Plan)>> {
    let mut plans = Vec::new();
    for (j, f) in set.features.iter().enumerate() {
        let FeatureRule::Aggregate(a) = &f.rule else { continue };
        let mut kinds = vec![false; table_kinds.len()];
        for (k, name) in a.kinds.iter().enumerate() {
            match table_kinds.iter().position(|t| t == name) {
                Some(code) => kinds[code] = true,
                None => {
                    return Err(NpsError::Unknown {
                        field: format!("event kind in feature {:?} (features[{j}].kinds[{k}])", f.name),
                        value: name.clone(),
                        expected: format!("the kinds of the event table ({})", table_kinds.join(", ")),
                    })
                }
            }
        }
        let window = a.window.map(|w| (days_to_seconds(w.offset_days + w.days), days_to_seconds(w.offset_days)));
        plans.push((
            j,
            Plan {
                kinds,
                window,
                filter: a.filter.clone(),
                aggregation: a.aggregation,
                field: a.field,
                empty: f.default.unwrap_or_else(|| a.aggregation.empty_value()),
            },
        ));
    }
    Ok(plans)
}

impl Plan {
    fn bind(&self, t: &EventTable, as_of: i64) -> Bound {
        let (lo, hi) = match self.window {
            None => (i64::MIN, as_of),
            Some((start, end)) => (as_of.saturating_sub(start), as_of.saturating_sub(end)),
        };
        Bound { lo, hi, filter: self.filter.as_ref().map(|f| CompiledFilter::new(f, t)) }
    }

    /// Whether an event of one of the plan's kinds is in the window, passes the filter and
    /// has the field the aggregation reads.
    #[inline]
    fn accepts(&self, b: &Bound, e: &Ev, t: &EventTable) -> bool {
        if e.time < b.lo || e.time >= b.hi {
            return false;
        }
        if let Some(f) = &b.filter {
            if !f.matches(e, t) {
                return false;
            }
        }
        match self.field {
            None => true,
            Some(f @ (Field::Value | Field::Duration)) => !numeric(e, f).is_nan(),
            Some(f) => code(e, f, t) != NONE,
        }
    }

    /// The feature over the accepted events `sel` (indices into `evs`, one customer's events
    /// sorted by time, all before `as_of`).
    fn aggregate(&self, t: &EventTable, evs: &[Ev], sel: &[u32], as_of: i64, s: &mut Scratch) -> f64 {
        if sel.is_empty() {
            return self.empty;
        }
        let num = |i: u32| numeric(&evs[i as usize], self.field.unwrap_or(Field::Value));
        let time = |i: u32| evs[i as usize].time;
        let last = *sel.last().expect("non-empty");
        let n = sel.len() as f64;
        match self.aggregation {
            Aggregation::Count => n,
            Aggregation::Sum => sel.iter().map(|&i| num(i)).sum(),
            Aggregation::Mean => sel.iter().map(|&i| num(i)).sum::<f64>() / n,
            Aggregation::Min => sel.iter().map(|&i| num(i)).fold(f64::INFINITY, f64::min),
            Aggregation::Max => sel.iter().map(|&i| num(i)).fold(f64::NEG_INFINITY, f64::max),
            Aggregation::Std => {
                if sel.len() < 2 {
                    return f64::NAN;
                }
                let mean = sel.iter().map(|&i| num(i)).sum::<f64>() / n;
                let ss: f64 = sel.iter().map(|&i| (num(i) - mean).powi(2)).sum();
                (ss / (n - 1.0)).sqrt()
            }
            Aggregation::First => num(sel[0]),
            Aggregation::Last => num(last),
            Aggregation::DistinctCount => {
                let field = self.field.unwrap_or(Field::Case);
                let codes = &mut s.codes;
                codes.clear();
                codes.extend(sel.iter().map(|&i| code(&evs[i as usize], field, t)));
                codes.sort_unstable();
                codes.dedup();
                codes.len() as f64
            }
            Aggregation::DaysSinceLast => days_between(time(last), as_of),
            Aggregation::DaysSinceFirst => days_between(time(sel[0]), as_of),
            Aggregation::Slope => {
                if time(sel[0]) == time(last) {
                    return f64::NAN; // fewer than 2 distinct times
                }
                let x = |i: u32| days_between(as_of, time(i)); // ≤ 0, small magnitudes
                let mx = sel.iter().map(|&i| x(i)).sum::<f64>() / n;
                let my = sel.iter().map(|&i| num(i)).sum::<f64>() / n;
                let (mut sxy, mut sxx) = (0.0, 0.0);
                for &i in sel {
                    let dx = x(i) - mx;
                    sxy += dx * (num(i) - my);
                    sxx += dx * dx;
                }
                sxy / sxx
            }
            Aggregation::RepeatCount { within_days } => {
                let within = days_to_seconds(within_days);
                sel.windows(2).filter(|w| time(w[1]) - time(w[0]) <= within).count() as f64
            }
            Aggregation::LastOverMeanPrevious { previous } => {
                let p = previous as usize;
                if sel.len() < p + 1 {
                    return f64::NAN;
                }
                let before = &sel[sel.len() - 1 - p..sel.len() - 1];
                let mean = before.iter().map(|&i| num(i)).sum::<f64>() / p as f64;
                if mean == 0.0 {
                    f64::NAN
                } else {
                    num(last) / mean
                }
            }
            Aggregation::GapRatio => {
                if sel.len() < 2 {
                    return f64::NAN;
                }
                let gaps = &mut s.floats;
                gaps.clear();
                gaps.extend(sel.windows(2).map(|w| days_between(time(w[0]), time(w[1]))));
                let median = median(gaps);
                if median == 0.0 {
                    f64::NAN
                } else {
                    days_between(time(last), as_of) / median
                }
            }
            Aggregation::NpsCategory => {
                let v = num(last);
                if !(0.0..=10.0).contains(&v) {
                    f64::NAN
                } else if v < 7.0 {
                    0.0
                } else if v < 9.0 {
                    1.0
                } else {
                    2.0
                }
            }
        }
    }
}

/// Days from `from` to `to` (seconds), as a float.
#[inline]
fn days_between(from: i64, to: i64) -> f64 {
    (to as i128 - from as i128) as f64 / DAY
}

/// Median of a non-empty buffer (reordered in place).
fn median(x: &mut [f64]) -> f64 {
    let n = x.len();
    let mid = n / 2;
    let (_, &mut upper, _) = x.select_nth_unstable_by(mid, f64::total_cmp);
    if n % 2 == 1 {
        upper
    } else {
        let lower = x[..mid].iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (lower + upper) / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), 2.5);
        assert_eq!(median(&mut [5.0]), 5.0);
    }

    #[test]
    fn windows_convert_days_to_seconds() {
        assert_eq!(days_to_seconds(1.0), 86_400);
        assert_eq!(days_to_seconds(0.5), 43_200);
        assert_eq!(days_to_seconds(f64::MAX), i64::MAX);
    }
}
