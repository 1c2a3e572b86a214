//! The feature engine: a set compiled once, computed over whole histories or for one customer.
use ndarray::{Array2, ArrayView1};
use serde::{Deserialize, Serialize};

use super::event::Ev;
use super::part::{self, FeatureParts, PartWriter};
use super::partition::Rows;
use super::plan::{AggregateScratch, Bound, FeaturePlan};
use crate::error::{NpsError, Result};
use crate::features::events::EventTable;
use crate::features::view::{check_table, EventView};
use crate::features::FeatureSet;

/// What a [`FeatureEngine`] is written as.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct EngineFile {
    definitions: serde_json::Value,
    kinds: Vec<String>,
}

impl Serialize for FeatureEngine {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        EngineFile { definitions: self.set.to_value(), kinds: self.kinds.clone() }.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for FeatureEngine {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let file = EngineFile::deserialize(deserializer)?;
        let set = FeatureSet::from_value(&file.definitions).map_err(serde::de::Error::custom)?;
        FeatureEngine::new(&set, &file.kinds).map_err(serde::de::Error::custom)
    }
}

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
/// at the moment of a ticket (see [`CustomerHistory`](crate::features::CustomerHistory)).
///
/// It serialises as what it was compiled from (`{"definitions": <the set>, "kinds": [..]}`)
/// and is compiled again when read, with the set's checks.
#[derive(Debug, Clone)]
pub struct FeatureEngine {
    set: FeatureSet,
    names: Vec<String>,
    descriptions: Vec<String>,
    kinds: Vec<String>,
    plan: FeaturePlan,
}

impl FeatureEngine {
    /// Compiles `set` for histories whose kind codes index `kinds`.
    ///
    /// Errors: the set fails [`FeatureSet::validate`]; a feature names a kind not in `kinds`
    /// (the message names the feature and the kind).
    pub fn new(set: &FeatureSet, kinds: &[String]) -> Result<FeatureEngine> {
        let plan = FeaturePlan::new(set, kinds)?;
        Ok(FeatureEngine {
            set: set.clone(),
            names: set.features.iter().map(|f| f.name.clone()).collect(),
            descriptions: set.features.iter().map(|f| f.description.clone()).collect(),
            kinds: kinds.to_vec(),
            plan,
        })
    }

    /// Feature names, in column order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The set it was compiled from.
    pub fn set(&self) -> &FeatureSet {
        &self.set
    }

    /// The history kinds it was compiled for (kind codes index them).
    pub fn kinds(&self) -> &[String] {
        &self.kinds
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

    /// Whether every aggregate of the set can be computed in parts and merged (counts,
    /// sums, means, minima, maxima, first and last values, days since the first or last
    /// event, NPS category; see [`FeatureEngine::parts`]).
    pub fn mergeable(&self) -> bool {
        self.plan.aggregates.iter().all(|(_, plan)| part::mergeable(plan.aggregation()))
    }

    /// Each customer's part of the features over the events of `events` (one row per
    /// customer code, in code order): a state of every aggregate that
    /// [`FeatureEngine::merge_parts`] merges with the states of the same customer's other
    /// events, held elsewhere. The features of the merged states equal [`compute`]'s over all
    /// the events together, to the bit, however the events were split (ties in time taken in
    /// the order of the parts). So a distributed job aggregates where the events are and
    /// moves only one state per customer and part.
    ///
    /// Errors: as [`FeatureEngine::compute_view`]; a feature whose aggregation needs the
    /// events themselves (standard deviation, slope, repeats, gaps, distinct counts: the
    /// message names the first such feature); more than 2^31 floats of states.
    ///
    /// ```
    /// use nps_core::features::{EventColumns, EventView, FeatureEngine, FeatureSet};
    ///
    /// let day = 86_400;
    /// let set = FeatureSet::from_json(
    ///     r#"{"features": [{"name": "spend", "kinds": ["payment"], "aggregation": "sum", "field": "value"}]}"#,
    /// )
    /// .unwrap();
    /// let table = |time: &[i64], value: &[f64]| {
    ///     let columns = EventColumns { customer: &[0, 0], time, kind: &[0, 0], kind_names: &["payment"], value, ..Default::default() };
    ///     EventView::new(&columns, &[], 1).unwrap().to_table()
    /// };
    /// // Customer 0's payments, in two files: 0.1 + 0.2 in one, 0.3 + 0.6 in the other.
    /// let (first, second) = (table(&[day, 2 * day], &[0.1, 0.2]), table(&[3 * day, 4 * day], &[0.3, 0.6]));
    /// let engine = FeatureEngine::new(&set, &first.kinds).unwrap();
    /// let a = engine.parts(&first.view().unwrap(), 5 * day).unwrap();
    /// let b = engine.parts(&second.view().unwrap(), 5 * day).unwrap();
    /// let offsets = [0, a.words.len() as i32, (a.words.len() + b.words.len()) as i32];
    /// let words = [a.words, b.words].concat();
    /// let merged = engine.merge_parts(&[0, 0], &offsets, &words, 1, 5 * day).unwrap();
    /// assert_eq!(merged.get(0, "spend"), Some(1.2)); // exact (a running sum gives 1.2000000000000002)
    /// ```
    pub fn parts(&self, events: &EventView<'_>, as_of: i64) -> Result<FeatureParts> {
        self.check_kinds(&events.kinds)?;
        self.check_mergeable()?;
        let mut writer = PartWriter::new(&self.plan.aggregates);
        let mut failed = Ok(());
        self.rows(events, as_of).each_customer_of(events.customers as usize, |_, evs, selections, _| {
            if failed.is_ok() {
                failed = writer.push(evs, selections);
            }
        });
        failed?;
        Ok(writer.finish())
    }

    /// The features of customers from their parts (see [`FeatureEngine::parts`]): row `i`
    /// of the parts (`words[offsets[i]..offsets[i + 1]]`) belongs to customer code
    /// `customer[i]`, below `customers`; a customer's rows are merged in row order (which
    /// only decides ties in time between parts). A customer without a row gets the features
    /// of no events. `as_of` must be the one the parts were computed as of.
    ///
    /// Errors: a feature that is not mergeable; `offsets` not one longer than `customer`; a
    /// customer code at or above `customers`; a row that is not a state of this feature set
    /// (the message names the row).
    pub fn merge_parts(
        &self,
        customer: &[u32],
        offsets: &[i32],
        words: &[f64],
        customers: usize,
        as_of: i64,
    ) -> Result<FeatureMatrix> {
        self.check_mergeable()?;
        let width = self.names.len();
        let mut values = Array2::<f64>::zeros((customers, width));
        let out = values.as_slice_mut().expect("a new array is contiguous");
        part::merge_rows(&self.plan.aggregates, customer, (offsets, words), customers, as_of, out, width)?;
        if width > 0 {
            for row in out.chunks_exact_mut(width) {
                self.plan.fill_composites(row);
            }
        }
        Ok(self.matrix(values))
    }

    fn check_mergeable(&self) -> Result<()> {
        match self.plan.aggregates.iter().find(|(_, plan)| !part::mergeable(plan.aggregation())) {
            None => Ok(()),
            Some((j, plan)) => Err(NpsError::invalid(
                &format!("features[{j}].aggregation (feature {:?})", self.names[*j]),
                plan.aggregation().name(),
                "an aggregation computed in parts: count, sum, mean, min, max, first, last, days_since_first, \
                 days_since_last or nps_category (the others need all of a customer's events at once)",
            )),
        }
    }

    fn matrix(&self, values: Array2<f64>) -> FeatureMatrix {
        FeatureMatrix { names: self.names.clone(), descriptions: self.descriptions.clone(), values }
    }

    /// The features of a one-customer history's table, into `out` (one value per feature),
    /// with `scratch`'s buffers: kept between calls, they make the steady state allocate
    /// nothing but the department names. The table is trusted to be consistent (every event
    /// of a [`CustomerHistory`](crate::features::CustomerHistory) is checked as it is added); its kinds must be those the
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
        bounds.extend(self.plan.aggregates.iter().map(|(_, plan)| plan.bind(&view, as_of)));
        selections.resize_with(self.plan.aggregates.len(), Vec::new);
        let rows = Rows { view: &view, plan: &self.plan, bounds: std::mem::take(bounds), as_of };
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
        let bounds = self.plan.aggregates.iter().map(|(_, plan)| plan.bind(view, as_of)).collect();
        Rows { view, plan: &self.plan, bounds, as_of }
    }
}

/// Buffers for one customer's features computed again and again (at each of their
/// tickets): kept between calls, so that the steady state allocates nothing.
#[derive(Debug, Clone, Default)]
pub(crate) struct RowScratch {
    events: Vec<Ev>,
    bounds: Vec<Bound>,
    selections: Vec<Vec<u32>>,
    scratch: AggregateScratch,
}
