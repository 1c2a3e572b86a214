//! Computing a [`FeatureSet`] over an [`EventTable`] as of a reference time.
//!
//! Only events strictly before the reference time are read, so nothing that happens at or
//! after it can change a feature. The events are grouped by customer in two cache-friendly
//! steps: each thread takes a range of rows and partitions its events (32 bytes each) into
//! buckets of 256 consecutive customers, writing a few thousand streams at once instead of
//! scattering each event to a random place; then each thread takes a block of buckets and,
//! bucket by bucket, sorts the bucket's events by customer (a counting sort within a
//! buffer that stays in cache). Each customer's events are sorted by time (ties in input row
//! order), and one pass over them routes each event to the features that read its kind;
//! each feature then aggregates its selection. Nothing is allocated per event or per
//! customer (the buffers are reused), and nothing is sorted per feature.
use ndarray::{Array2, ArrayView1};
use serde::{Deserialize, Serialize};

use super::definition::{Aggregation, FeatureRule, FeatureSet, Field, Filter};
use super::events::{EventTable, NONE};
use super::view::{check_table, CustomerColumn, EventView};
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

/// [`compute`] over columns the caller keeps (an [`EventView`]), without copying them: the
/// same features, to the bit, as over the same events in an [`EventTable`].
///
/// ```
/// use nps_core::features::{compute_view, EventColumns, EventView, FeatureSet};
///
/// let day_ns = 86_400 * 1_000_000_000_i64; // datetime64[ns] ticks in a day
/// let time = [10 * day_ns, 25 * day_ns, 28 * day_ns, 30 * day_ns];
/// let columns = EventColumns {
///     customer: &[0, 0, 1, 0],
///     time: &time,
///     kind: &[0, 0, 0, 0],
///     kind_names: &["contact_opened"],
///     ..Default::default()
/// };
/// let events = EventView::new(&columns, &[], 1_000_000_000).unwrap();
/// let set = FeatureSet::from_json(
///     r#"{"features": [{"name": "contacts_7d", "kinds": ["contact_opened"], "aggregation": "count", "window": {"days": 7}}]}"#,
/// )
/// .unwrap();
/// let m = compute_view(&events, &set, 30 * 86_400).unwrap();
/// assert_eq!(m.get(0, "contacts_7d"), Some(1.0));
/// ```
pub fn compute_view(events: &EventView<'_>, set: &FeatureSet, as_of: i64) -> Result<FeatureMatrix> {
    FeatureEngine::new(set, events.kinds())?.compute_view(events, as_of)
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
        self.check_kinds(&events.kinds)?;
        if self.names.is_empty() || events.customers == 0 {
            check_table(events)?;
            return Ok(self.matrix(Array2::zeros((events.customers as usize, self.names.len()))));
        }
        self.compute_view(&events.view()?, as_of)
    }

    /// Every feature for every customer of a view, as of `as_of` (see [`compute_view`]).
    pub fn compute_view(&self, events: &EventView<'_>, as_of: i64) -> Result<FeatureMatrix> {
        self.check_kinds(&events.kinds)?;
        let customers = events.customers as usize;
        let width = self.names.len();
        let mut values = Array2::<f64>::zeros((customers, width));
        if width > 0 && customers > 0 {
            // Customers are independent and each one's events keep their row order, so the
            // result does not depend on the number of threads.
            let threads =
                std::thread::available_parallelism().map_or(1, |n| n.get()).min(8).min(customers / 8_192).max(1);
            let out = values.as_slice_mut().expect("a new array is contiguous");
            self.rows(events, as_of).fill_all(out, customers, width, threads);
        }
        Ok(self.matrix(values))
    }

    fn matrix(&self, values: Array2<f64>) -> FeatureMatrix {
        FeatureMatrix { names: self.names.clone(), descriptions: self.descriptions.clone(), values }
    }

    /// The features of a one-customer history's table, into `out` (one value per feature),
    /// with `scratch`'s buffers: kept between calls, they make the steady state allocate
    /// nothing but the department names. The table is trusted to be consistent (every event
    /// of a [`super::CustomerHistory`] is checked as it is added); its kinds must be those the
    /// engine was compiled for. The same arithmetic as the batch computation, in the same
    /// order, so the same bits.
    pub(crate) fn history_row(
        &self,
        events: &EventTable,
        as_of: i64,
        out: &mut [f64],
        scratch: &mut RowScratch,
    ) -> Result<()> {
        self.check_kinds(&events.kinds)?;
        if out.len() != self.names.len() {
            return Err(NpsError::LengthMismatch {
                field: "out".into(),
                actual: out.len(),
                other: "the features".into(),
                expected: self.names.len(),
            });
        }
        if out.is_empty() {
            return Ok(());
        }
        let view = EventView::of_checked_table(events);
        let RowScratch { events: evs, bounds, selections, scratch } = scratch;
        evs.clear();
        for (row, &time) in view.time.iter().enumerate() {
            if time < as_of {
                evs.push(Ev::of(&view, row, time, 0));
            }
        }
        bounds.clear();
        bounds.extend(self.plans.iter().map(|(_, plan)| plan.bind(&view, as_of)));
        selections.resize_with(self.plans.len(), Vec::new);
        let rows = Rows { view: &view, engine: self, bounds: std::mem::take(bounds), as_of };
        let starts = [0, evs.len() as u32];
        rows.fill(&starts, evs, out, out.len(), selections, scratch);
        *bounds = rows.bounds;
        Ok(())
    }

    fn check_kinds(&self, kinds: &[String]) -> Result<()> {
        if kinds != self.kinds {
            return Err(NpsError::invalid(
                "events.kinds",
                kinds.join(", "),
                &format!("the kinds the features were compiled for ({})", self.kinds.join(", ")),
            ));
        }
        Ok(())
    }

    /// Binds the plans to a view and a reference time.
    fn rows<'a>(&'a self, view: &'a EventView<'a>, as_of: i64) -> Rows<'a> {
        let bounds = self.plans.iter().map(|(_, plan)| plan.bind(view, as_of)).collect();
        Rows { view, engine: self, bounds, as_of }
    }
}

/// Customers per bucket: a bucket's events fit in cache while they are sorted by customer,
/// and a customer's place in its bucket fits in the byte [`Ev::slot`].
const BUCKET: usize = 256;

/// What every customer's row is computed from: the engine bound to a view and a time.
struct Rows<'a> {
    view: &'a EventView<'a>,
    engine: &'a FeatureEngine,
    bounds: Vec<Bound>,
    as_of: i64,
}

/// The events before the reference time of one range of rows, partitioned by bucket:
/// bucket `b`'s events are `events[starts[b]..starts[b + 1]]`, in row order.
struct Partition {
    starts: Vec<usize>,
    events: Vec<Ev>,
}

/// Buffers for one customer's features computed again and again (at each of their
/// tickets): kept between calls, so that the steady state allocates nothing.
#[derive(Debug, Clone, Default)]
pub(crate) struct RowScratch {
    events: Vec<Ev>,
    bounds: Vec<Bound>,
    selections: Vec<Vec<u32>>,
    scratch: Scratch,
}

/// Buffers one thread reuses across buckets and customers.
struct Work {
    bucket: Vec<Ev>,
    selections: Vec<Vec<u32>>,
    scratch: Scratch,
}

impl Rows<'_> {
    /// Fills the rows of all `customers` into `out` (`width` values per row) with `threads`
    /// threads.
    fn fill_all(&self, out: &mut [f64], customers: usize, width: usize, threads: usize) {
        let n = self.view.len();
        let buckets = customers.div_ceil(BUCKET);
        let rows_per_thread = n.div_ceil(threads).max(1);
        let partitions: Vec<Partition> = if threads == 1 {
            vec![self.partition(0, n, buckets)]
        } else {
            std::thread::scope(|scope| {
                let handles: Vec<_> = (0..n)
                    .step_by(rows_per_thread)
                    .map(|first| scope.spawn(move || self.partition(first, (first + rows_per_thread).min(n), buckets)))
                    .collect();
                handles.into_iter().map(|h| h.join().expect("a partition thread panicked")).collect()
            })
        };
        let buckets_per_thread = buckets.div_ceil(threads);
        let rows_per_block = buckets_per_thread * BUCKET * width;
        let partitions = &partitions;
        let block = |b: usize, block_out: &mut [f64]| {
            let mut work = Work {
                bucket: Vec::new(),
                selections: vec![Vec::new(); self.engine.plans.len()],
                scratch: Scratch::default(),
            };
            let first = b * buckets_per_thread;
            for (k, bucket_out) in block_out.chunks_mut(BUCKET * width).enumerate() {
                self.fill_bucket(partitions, first + k, bucket_out, width, &mut work);
            }
        };
        if threads == 1 {
            block(0, out);
        } else {
            std::thread::scope(|scope| {
                for (b, block_out) in out.chunks_mut(rows_per_block).enumerate() {
                    scope.spawn(move || block(b, block_out));
                }
            });
        }
    }

    /// Partitions the events of rows `first..end` that come before the reference time into
    /// `buckets` buckets of customers.
    fn partition(&self, first: usize, end: usize, buckets: usize) -> Partition {
        // Times are compared in the caller's ticks: an event counts when its time rounded
        // down to seconds is before `as_of`, that is when its ticks are at most `last`.
        let ticks = self.view.ticks_per_second;
        let last = (self.as_of as i128 * ticks as i128 - 1).clamp(i64::MIN as i128 - 1, i64::MAX as i128);
        if last < i64::MIN as i128 {
            return Partition { starts: vec![0; buckets + 1], events: Vec::new() };
        }
        let last = last as i64;
        match self.view.customer {
            CustomerColumn::Codes(codes) => self.partition_in(first, end, buckets, last, |row| codes[row]),
            CustomerColumn::Offsets { ids, first: id0 } => {
                self.partition_in(first, end, buckets, last, |row| ids[row].wrapping_sub(id0) as u32)
            }
        }
    }

    /// [`Rows::partition`] with the customer code of each row from `customer`.
    fn partition_in(
        &self,
        first: usize,
        end: usize,
        buckets: usize,
        last: i64,
        customer: impl Fn(usize) -> u32,
    ) -> Partition {
        let ticks = self.view.ticks_per_second;
        match ticks {
            1 => self.partition_with(first, end, buckets, last, customer, |t| t),
            1_000 => self.partition_with(first, end, buckets, last, customer, |t| t.div_euclid(1_000)),
            1_000_000 => self.partition_with(first, end, buckets, last, customer, |t| t.div_euclid(1_000_000)),
            1_000_000_000 => self.partition_with(first, end, buckets, last, customer, |t| t.div_euclid(1_000_000_000)),
            _ => self.partition_with(first, end, buckets, last, customer, |t| t.div_euclid(ticks)),
        }
    }

    /// [`Rows::partition`] with times turned into seconds by `seconds` (a constant divisor
    /// for the common units, so that the division is a multiplication).
    fn partition_with(
        &self,
        first: usize,
        end: usize,
        buckets: usize,
        last: i64,
        customer: impl Fn(usize) -> u32,
        seconds: impl Fn(i64) -> i64,
    ) -> Partition {
        let v = self.view;
        let time = &v.time[first..end];
        let mut starts = vec![0usize; buckets + 1];
        for (i, &t) in time.iter().enumerate() {
            if t <= last {
                starts[customer(first + i) as usize / BUCKET + 1] += 1;
            }
        }
        for b in 0..buckets {
            starts[b + 1] += starts[b];
        }
        let mut next = starts[..buckets].to_vec();
        // Not filled beforehand: writing 32 bytes per event twice (a blank, then the event)
        // costs more than the rest of the pass.
        let mut events: Vec<Ev> = Vec::with_capacity(starts[buckets]);
        let spare = &mut events.spare_capacity_mut()[..starts[buckets]];
        for (i, &t) in time.iter().enumerate() {
            if t <= last {
                let row = first + i;
                let c = customer(row);
                let slot = &mut next[c as usize / BUCKET];
                spare[*slot].write(Ev::of(v, row, seconds(t), (c as usize % BUCKET) as u8));
                *slot += 1;
            }
        }
        // Bucket b's events fill starts[b]..starts[b + 1] from its start, one after the other:
        // when every bucket has reached its end, every element has been written.
        assert!(next.iter().zip(&starts[1..]).all(|(n, end)| n == end), "every bucket filled");
        // SAFETY: the first starts[buckets] elements are initialised (checked just above).
        unsafe { events.set_len(starts[buckets]) };
        Partition { starts, events }
    }

    /// Sorts bucket `b`'s events by customer (then row) and fills its customers' rows.
    fn fill_bucket(&self, partitions: &[Partition], b: usize, out: &mut [f64], width: usize, work: &mut Work) {
        let mut starts = [0u32; BUCKET + 1];
        let parts = || partitions.iter().flat_map(|p| &p.events[p.starts[b]..p.starts[b + 1]]);
        for e in parts() {
            starts[e.slot as usize + 1] += 1;
        }
        for s in 0..BUCKET {
            starts[s + 1] += starts[s];
        }
        work.bucket.clear();
        work.bucket.resize(starts[BUCKET] as usize, BLANK);
        let mut next = starts;
        for e in parts() {
            let slot = &mut next[e.slot as usize];
            work.bucket[*slot as usize] = *e;
            *slot += 1;
        }
        let customers = out.len() / width;
        let Work { bucket, selections, scratch } = work;
        self.fill(&starts[..=customers], bucket, out, width, selections, scratch);
    }

    /// Fills the rows of a block of customers: `starts` are the offsets of each customer's
    /// events in `sorted` (one more than the customers), `out` the block's rows.
    fn fill(
        &self,
        starts: &[u32],
        sorted: &mut [Ev],
        out: &mut [f64],
        width: usize,
        selections: &mut [Vec<u32>],
        scratch: &mut Scratch,
    ) {
        let (plans, view, as_of) = (&self.engine.plans, self.view, self.as_of);
        for (c, row) in out.chunks_exact_mut(width).enumerate() {
            let evs = &mut sorted[starts[c] as usize..starts[c + 1] as usize];
            sort_by_time(evs);
            let evs = &*evs;
            for sel in selections.iter_mut() {
                sel.clear();
            }
            for (i, e) in evs.iter().enumerate() {
                for &p in &self.engine.by_kind[e.kind as usize] {
                    if plans[p].1.accepts(&self.bounds[p], e, view) {
                        selections[p].push(i as u32);
                    }
                }
            }
            for ((j, plan), sel) in plans.iter().zip(selections.iter()) {
                row[*j] = plan.aggregate(view, evs, sel, as_of, scratch);
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
/// one aligned write. Department and case, which few features read, stay in the columns and
/// are looked up by row.
#[derive(Debug, Clone, Copy)]
struct Ev {
    /// Seconds since the epoch.
    time: i64,
    value: f64,
    duration: f64,
    row: u32,
    kind: u16,
    flag: u8,
    /// The customer's place in its bucket of [`BUCKET`] customers.
    slot: u8,
}

impl Ev {
    /// Event `row` of a view at `time` (seconds), its customer in place `slot` of its bucket.
    #[inline]
    fn of(view: &EventView<'_>, row: usize, time: i64, slot: u8) -> Ev {
        Ev {
            time,
            value: view.value(row),
            duration: view.duration(row),
            row: row as u32,
            kind: view.kind(row),
            flag: view.flag(row),
            slot,
        }
    }
}

const BLANK: Ev = Ev { time: 0, value: 0.0, duration: 0.0, row: 0, kind: 0, flag: 2, slot: 0 };

/// Buffers reused across customers and features.
#[derive(Debug, Clone, Default)]
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
#[derive(Debug, Clone)]
struct Bound {
    lo: i64,
    hi: i64,
    filter: Option<CompiledFilter>,
}

#[derive(Debug, Clone)]
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
    fn new(f: &Filter, t: &EventView<'_>) -> CompiledFilter {
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

    fn matches(&self, e: &Ev, t: &EventView<'_>) -> bool {
        match self {
            CompiledFilter::Department(code) => code.is_some_and(|c| t.department(e.row as usize) == c),
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
fn code(e: &Ev, field: Field, t: &EventView<'_>) -> u32 {
    match field {
        Field::Case => t.case(e.row as usize),
        _ => t.department(e.row as usize),
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
    fn bind(&self, t: &EventView<'_>, as_of: i64) -> Bound {
        let (lo, hi) = match self.window {
            None => (i64::MIN, as_of),
            Some((start, end)) => (as_of.saturating_sub(start), as_of.saturating_sub(end)),
        };
        Bound { lo, hi, filter: self.filter.as_ref().map(|f| CompiledFilter::new(f, t)) }
    }

    /// Whether an event of one of the plan's kinds is in the window, passes the filter and
    /// has the field the aggregation reads.
    #[inline]
    fn accepts(&self, b: &Bound, e: &Ev, t: &EventView<'_>) -> bool {
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
    fn aggregate(&self, t: &EventView<'_>, evs: &[Ev], sel: &[u32], as_of: i64, s: &mut Scratch) -> f64 {
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
    match to.checked_sub(from) {
        Some(seconds) => seconds as f64 / DAY,
        None => (to as i128 - from as i128) as f64 / DAY, // beyond ±292 billion years
    }
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
