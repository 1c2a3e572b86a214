//! Grouping the events before the reference time by customer (partitioned by bucket of
//! customers, then sorted within each bucket) and filling each customer's row of features.
use super::event::{Ev, BLANK};
use super::plan::{AggregateScratch, Bound, FeaturePlan};
use crate::features::view::{CustomerColumn, EventView};

/// Customers per bucket: a bucket's events fit in cache while they are sorted by customer,
/// and a customer's place in its bucket fits in the byte [`Ev::slot`].
pub(super) const BUCKET: usize = 256;

/// What every customer's row is computed from: the plan bound to a view and a time.
pub(super) struct Rows<'a> {
    pub(super) view: &'a EventView<'a>,
    pub(super) plan: &'a FeaturePlan,
    pub(super) bounds: Vec<Bound>,
    pub(super) as_of: i64,
}

/// The events before the reference time of one range of rows, partitioned by bucket:
/// bucket `b`'s events are `events[starts[b]..starts[b + 1]]`, in row order.
struct Partition {
    starts: Vec<usize>,
    events: Vec<Ev>,
}

/// Buffers one thread reuses across buckets and customers.
struct Work {
    bucket: Vec<Ev>,
    selections: Vec<Vec<u32>>,
    scratch: AggregateScratch,
}

impl Rows<'_> {
    /// Fills the rows of all `customers` into `out` (`width` values per row) with `threads`
    /// threads.
    pub(super) fn fill_all(&self, out: &mut [f64], customers: usize, width: usize, threads: usize) {
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
                selections: vec![Vec::new(); self.plan.aggregates.len()],
                scratch: AggregateScratch::default(),
            };
            let first = b * buckets_per_thread;
            for (k, bucket_out) in block_out.chunks_mut(BUCKET * width).enumerate() {
                self.each_in_bucket(
                    partitions,
                    first + k,
                    bucket_out.len() / width,
                    &mut work,
                    |c, evs, sel, scratch| {
                        self.fill_row(&mut bucket_out[c * width..(c + 1) * width], evs, sel, scratch)
                    },
                );
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

    /// Each customer of a range of rows, in code order, with their events before the
    /// reference time sorted by time and the selection of every aggregate (single-threaded:
    /// for the small batches a part of a distributed job holds).
    pub(super) fn each_customer_of(
        &self,
        customers: usize,
        mut each: impl FnMut(usize, &[Ev], &[Vec<u32>], &mut AggregateScratch),
    ) {
        let buckets = customers.div_ceil(BUCKET);
        let partitions = [self.partition(0, self.view.len(), buckets)];
        let mut work = Work {
            bucket: Vec::new(),
            selections: vec![Vec::new(); self.plan.aggregates.len()],
            scratch: AggregateScratch::default(),
        };
        for b in 0..buckets {
            let in_bucket = BUCKET.min(customers - b * BUCKET);
            self.each_in_bucket(&partitions, b, in_bucket, &mut work, |c, evs, sel, scratch| {
                each(b * BUCKET + c, evs, sel, scratch)
            });
        }
    }

    /// Sorts bucket `b`'s events by customer (then row) and hands each of its first
    /// `customers` customers to `each` (see [`Rows::each_customer`]).
    fn each_in_bucket(
        &self,
        partitions: &[Partition],
        b: usize,
        customers: usize,
        work: &mut Work,
        each: impl FnMut(usize, &[Ev], &[Vec<u32>], &mut AggregateScratch),
    ) {
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
        let Work { bucket, selections, scratch } = work;
        self.each_customer(&starts[..=customers], bucket, selections, scratch, each);
    }

    /// Fills the rows of a block of customers: `starts` are the offsets of each customer's
    /// events in `sorted` (one more than the customers), `out` the block's rows.
    pub(super) fn fill(
        &self,
        starts: &[u32],
        sorted: &mut [Ev],
        out: &mut [f64],
        width: usize,
        selections: &mut [Vec<u32>],
        scratch: &mut AggregateScratch,
    ) {
        self.each_customer(starts, sorted, selections, scratch, |c, evs, sel, scratch| {
            self.fill_row(&mut out[c * width..(c + 1) * width], evs, sel, scratch)
        });
    }

    /// Hands each customer of a block to `each`: its place in the block, its events sorted
    /// by time, and which of them each aggregate accepts (`starts` are the offsets of each
    /// customer's events in `sorted`, one more than the customers).
    fn each_customer(
        &self,
        starts: &[u32],
        sorted: &mut [Ev],
        selections: &mut [Vec<u32>],
        scratch: &mut AggregateScratch,
        mut each: impl FnMut(usize, &[Ev], &[Vec<u32>], &mut AggregateScratch),
    ) {
        let (plans, view) = (&self.plan.aggregates, self.view);
        for c in 0..starts.len() - 1 {
            let evs = &mut sorted[starts[c] as usize..starts[c + 1] as usize];
            sort_by_time(evs);
            let evs = &*evs;
            for sel in selections.iter_mut() {
                sel.clear();
            }
            for (i, e) in evs.iter().enumerate() {
                for &p in &self.plan.by_kind[e.kind as usize] {
                    if plans[p].1.accepts(&self.bounds[p], e, view) {
                        selections[p].push(i as u32);
                    }
                }
            }
            each(c, evs, selections, scratch);
        }
    }

    /// One customer's row: each aggregate over its selection, then the composites.
    fn fill_row(&self, row: &mut [f64], evs: &[Ev], selections: &[Vec<u32>], scratch: &mut AggregateScratch) {
        for ((j, plan), sel) in self.plan.aggregates.iter().zip(selections) {
            row[*j] = plan.aggregate(self.view, evs, sel, self.as_of, scratch);
        }
        self.plan.fill_composites(row);
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
