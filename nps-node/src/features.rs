//! Node functions for `nps_core::features`, under the `features` namespace
//! (`require('nps-node').features.retention(events, { asOf })`).
use napi::bindgen_prelude::{Either, Float64Array};
use napi_derive::napi;
use nps_core::features::{self as core, FeatureSet};

use crate::convert::epoch_seconds;
use crate::error::{IntoNapi, Result};

/// One event as a plain object.
#[napi(object)]
pub struct Event {
    /// Customer id.
    pub customer: Either<String, f64>,
    /// Time: a `Date` or epoch milliseconds.
    #[napi(ts_type = "number | Date")]
    pub time: crate::convert::Time,
    /// Event kind (a built-in kind or one declared in the options).
    pub kind: String,
    /// Amount, megabytes, score.
    pub value: Option<Option<f64>>,
    /// Seconds (handle time); never negative.
    pub duration: Option<Option<f64>>,
    /// Department or channel.
    pub department: Option<Option<String>>,
    /// Case or ticket id.
    pub case: Option<Option<Either<String, f64>>>,
    /// Resolved / transferred / accepted.
    pub flag: Option<Option<bool>>,
}

/// The same history in columns (one element per event; optional columns may be omitted).
#[napi(object, js_name = "EventColumns")]
pub struct EventColumnsJs {
    pub customer: Vec<Either<String, f64>>,
    /// Epoch milliseconds.
    pub time: Either<Float64Array, Vec<f64>>,
    pub kind: Vec<String>,
    pub value: Option<Either<Float64Array, Vec<f64>>>,
    pub duration: Option<Either<Float64Array, Vec<f64>>>,
    pub department: Option<Vec<Option<String>>>,
    pub case: Option<Vec<Option<Either<String, f64>>>>,
    pub flag: Option<Vec<Option<bool>>>,
}

/// Options of `features.compute` and `features.retention`.
#[napi(object)]
pub struct FeatureOptions {
    /// Reference time (a `Date` or epoch milliseconds): only events strictly before it count.
    #[napi(ts_type = "number | Date")]
    pub as_of: crate::convert::Time,
    /// Event kinds beyond the built-in ones that the history may use.
    pub declared_kinds: Option<Vec<String>>,
}

/// Features, one row per customer.
#[napi(object)]
pub struct FeatureMatrix {
    /// Customer ids, in row order (first appearance in the history).
    pub customers: Vec<String>,
    /// Feature names, in column order.
    pub names: Vec<String>,
    /// One-line description of each feature.
    pub descriptions: Vec<String>,
    /// Values, row-major (customers × features); NaN where a feature is undefined.
    pub values: Float64Array,
}

/// An id as the core reads it.
fn id(id: &Either<String, f64>) -> core::Id<'_> {
    match id {
        Either::A(s) => core::Id::Text(s),
        Either::B(x) => core::Id::Number(*x),
    }
}

/// An id as a label (a number as Rust writes it: `42`, `2.5`).
pub(crate) fn label(x: &Either<String, f64>) -> String {
    id(x).label().into_owned()
}

/// The events of either input form, coded by the core's builder.
pub(crate) fn builder(events: &Either<Vec<Event>, EventColumnsJs>) -> Result<core::EventTableBuilder> {
    let mut b = core::EventTableBuilder::new();
    match events {
        Either::A(objects) => {
            for (i, e) in objects.iter().enumerate() {
                let case = e.case.as_ref().and_then(|c| c.as_ref()).map(label);
                let event = core::Event {
                    time: e.time.seconds_at("time", i)?,
                    kind: &e.kind,
                    value: e.value.flatten(),
                    duration: e.duration.flatten(),
                    department: e.department.as_ref().and_then(|d| d.as_deref()),
                    case: case.as_deref(),
                    flag: e.flag.flatten(),
                };
                b.push(id(&e.customer), &event);
            }
        }
        Either::B(c) => {
            let time: &[f64] = match &c.time {
                Either::A(a) => a,
                Either::B(v) => v,
            };
            let floats = |v: &Option<Either<Float64Array, Vec<f64>>>, i: usize| -> Option<f64> {
                let x = match v.as_ref()? {
                    Either::A(a) => *a.get(i)?,
                    Either::B(v) => *v.get(i)?,
                };
                (!x.is_nan()).then_some(x)
            };
            let n = c.customer.len();
            let len = |v: &Option<Either<Float64Array, Vec<f64>>>| {
                v.as_ref().map(|v| match v {
                    Either::A(a) => a.len(),
                    Either::B(v) => v.len(),
                })
            };
            let lengths = [
                ("time", Some(time.len())),
                ("kind", Some(c.kind.len())),
                ("value", len(&c.value)),
                ("duration", len(&c.duration)),
                ("department", c.department.as_ref().map(Vec::len)),
                ("case", c.case.as_ref().map(Vec::len)),
                ("flag", c.flag.as_ref().map(Vec::len)),
            ];
            if let Some((field, Some(actual))) = lengths.into_iter().find(|(_, l)| l.is_some_and(|l| l != n)) {
                return Err(crate::error::to_napi(nps_core::NpsError::LengthMismatch {
                    field: field.into(),
                    actual,
                    other: "customer".into(),
                    expected: n,
                }));
            }
            for (i, customer) in c.customer.iter().enumerate() {
                let case = c.case.as_ref().and_then(|cs| cs.get(i)?.as_ref().map(label));
                let event = core::Event {
                    time: epoch_seconds(&Either::A(time.get(i).copied().unwrap_or(f64::NAN)), "time", i)?,
                    kind: c.kind.get(i).map_or("", String::as_str),
                    value: floats(&c.value, i),
                    duration: floats(&c.duration, i),
                    department: c.department.as_ref().and_then(|d| d.get(i)?.as_deref()),
                    case: case.as_deref(),
                    flag: c.flag.as_ref().and_then(|f| *f.get(i)?),
                };
                b.push(id(customer), &event);
            }
        }
    }
    Ok(b)
}

fn run(events: Either<Vec<Event>, EventColumnsJs>, set: &FeatureSet, options: FeatureOptions) -> Result<FeatureMatrix> {
    let b = builder(&events)?;
    let declared: Vec<&str> = options.declared_kinds.iter().flatten().map(String::as_str).collect();
    let table = b.table(&declared).into_napi()?;
    let as_of = options.as_of.seconds("asOf")?;
    let m = core::compute(&table, set, as_of).into_napi()?;
    let values: Vec<f64> = m.values.iter().copied().collect();
    Ok(FeatureMatrix {
        customers: b.customers().to_vec(),
        names: m.names,
        descriptions: m.descriptions,
        values: Float64Array::new(values),
    })
}

/// Features from declarative definitions (JSON text), one row per customer, as of `asOf`.
#[napi(namespace = "features", catch_unwind)]
pub fn compute(
    events: Either<Vec<Event>, EventColumnsJs>,
    definitions: String,
    #[napi(ts_arg_type = "FeatureOptions")] options: crate::convert::Obj<FeatureOptions>,
) -> Result<FeatureMatrix> {
    let options = options.0;
    let set = FeatureSet::from_json(&definitions).into_napi()?;
    run(events, &set, options)
}

/// The built-in retention feature set, one row per customer, as of `asOf`.
#[napi(namespace = "features", catch_unwind)]
pub fn retention(
    events: Either<Vec<Event>, EventColumnsJs>,
    #[napi(ts_arg_type = "FeatureOptions")] options: crate::convert::Obj<FeatureOptions>,
) -> Result<FeatureMatrix> {
    let options = options.0;
    run(events, &core::retention(), options)
}

/// The built-in retention feature set as JSON definitions.
#[napi(namespace = "features")]
pub fn retention_definitions() -> String {
    core::RETENTION_JSON.to_string()
}

/// The built-in event kinds.
#[napi(namespace = "features")]
pub fn built_in_kinds() -> Vec<String> {
    core::BUILT_IN_KINDS.iter().map(|k| k.to_string()).collect()
}

/// One event of one customer's history (`CustomerHistory.push`).
#[napi(object)]
pub struct HistoryEvent {
    /// A `Date` or epoch milliseconds.
    #[napi(ts_type = "number | Date")]
    pub time: crate::convert::Time,
    pub kind: String,
    pub value: Option<Option<f64>>,
    pub duration: Option<Option<f64>>,
    pub department: Option<Option<String>>,
    pub case: Option<Option<Either<String, f64>>>,
    pub flag: Option<Option<bool>>,
}

impl HistoryEvent {
    /// Calls `f` with the event as the core reads it; a bad time is an error naming
    /// `time_field` and event `index`.
    pub(crate) fn with_core<R>(
        &self,
        time_field: &str,
        index: usize,
        f: impl FnOnce(&core::Event<'_>) -> R,
    ) -> Result<R> {
        let case = self.case.as_ref().and_then(|c| c.as_ref()).map(label);
        Ok(f(&core::Event {
            time: self.time.seconds_at(time_field, index)?,
            kind: &self.kind,
            value: self.value.flatten(),
            duration: self.duration.flatten(),
            department: self.department.as_ref().and_then(|d| d.as_deref()),
            case: case.as_deref(),
            flag: self.flag.flatten(),
        }))
    }
}

/// Options of `FeatureEngine` and `CustomerHistory`.
#[napi(object)]
#[derive(Default)]
pub struct HistoryOptions {
    /// Event kinds beyond the built-in ones.
    pub declared_kinds: Option<Vec<String>>,
}

fn kinds_of(options: &Option<HistoryOptions>) -> Vec<String> {
    options.as_ref().and_then(|o| o.declared_kinds.clone()).unwrap_or_default()
}

/// A feature set compiled once (the retention set when `definitions` is null), for
/// histories with the built-in kinds plus `declaredKinds`.
#[napi(namespace = "features")]
pub struct FeatureEngine {
    pub(crate) inner: core::FeatureEngine,
}

#[napi(namespace = "features")]
impl FeatureEngine {
    #[napi(constructor, catch_unwind)]
    pub fn new(
        definitions: Option<String>,
        #[napi(ts_arg_type = "HistoryOptions | undefined | null")] options: Option<crate::convert::Obj<HistoryOptions>>,
    ) -> Result<Self> {
        let options = options.map(|o| o.0);
        let set = match definitions {
            Some(text) => FeatureSet::from_json(&text).into_napi()?,
            None => core::retention(),
        };
        let declared = kinds_of(&options);
        let declared: Vec<&str> = declared.iter().map(String::as_str).collect();
        let kinds = core::CustomerHistory::new(&declared).kinds().to_vec();
        Ok(FeatureEngine { inner: core::FeatureEngine::new(&set, &kinds).into_napi()? })
    }

    /// Feature names, in the order `CustomerHistory.features` returns them.
    #[napi(getter)]
    pub fn names(&self) -> Vec<String> {
        self.inner.names().to_vec()
    }

    /// The aggregates over the events that give what `sparkSql` needs to know of them, as
    /// JSON (a list of {name, expression}; empty when no feature sums). Throws when a
    /// feature is not written as Spark SQL.
    #[napi(catch_unwind)]
    pub fn spark_sql_ranges(&self) -> Result<String> {
        Ok(serde_json::to_string(&self.inner.spark_sql_ranges().into_napi()?).expect("plain data serialises"))
    }

    /// The features as of `asOf` (epoch seconds) as Spark SQL steps, given the row of the
    /// `sparkSqlRanges` aggregates as JSON: a JSON object with `events` (a projection),
    /// `aggregates` (grouped by customer) and `steps` (projections), each column a
    /// {name, expression}.
    #[napi(catch_unwind)]
    pub fn spark_sql(&self, as_of: i64, ranges: String) -> Result<String> {
        let ranges: core::EventRanges = serde_json::from_str(&ranges)
            .map_err(|e| nps_core::NpsError::invalid("ranges", e, "the row of sparkSqlRanges as JSON"))
            .into_napi()?;
        Ok(serde_json::to_string(&self.inner.spark_sql(as_of, &ranges).into_napi()?).expect("plain data serialises"))
    }
}

/// One customer's events, added one at a time (in any order), with features equal to the
/// batch computation: the state a ticketing service keeps per customer.
#[napi(namespace = "features")]
pub struct CustomerHistory {
    pub(crate) inner: core::CustomerHistory,
}

#[napi(namespace = "features")]
impl CustomerHistory {
    #[napi(constructor)]
    pub fn new(
        #[napi(ts_arg_type = "HistoryOptions | undefined | null")] options: Option<crate::convert::Obj<HistoryOptions>>,
    ) -> Self {
        let options = options.map(|o| o.0);
        let declared = kinds_of(&options);
        let declared: Vec<&str> = declared.iter().map(String::as_str).collect();
        CustomerHistory { inner: core::CustomerHistory::new(&declared) }
    }

    /// Adds one event; errors name the field and value (unknown kind, negative duration, a
    /// survey answer that is not a whole number on 0–10).
    #[napi(catch_unwind)]
    pub fn push(
        &mut self,
        #[napi(ts_arg_type = "HistoryEvent")] event: crate::convert::Obj<HistoryEvent>,
    ) -> Result<()> {
        let event = event.0;
        let index = self.inner.len();
        event.with_core("time", index, |e| self.inner.push(e).into_napi())?
    }

    /// Number of events.
    #[napi(getter)]
    pub fn length(&self) -> u32 {
        self.inner.len() as u32
    }

    /// Removes the events added after the history held `length` of them (the latest added),
    /// so that it is as it was then; a `length` at or above `history.length` changes nothing.
    #[napi]
    pub fn truncate(&mut self, length: f64) -> Result<()> {
        self.inner.truncate(crate::convert::size(Some(length), "length", 0.0, 0)?);
        Ok(())
    }

    /// The history as JSON (the declared kinds and every event, in the order added), to keep
    /// a customer's state across restarts; `CustomerHistory.fromJson` reads it back.
    #[napi]
    pub fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// A history written by `toJson`; every event is checked again as it is added, so a
    /// damaged file throws naming the event.
    #[napi(factory, catch_unwind)]
    pub fn from_json(text: String) -> Result<CustomerHistory> {
        Ok(CustomerHistory { inner: core::CustomerHistory::from_json(&text).into_napi()? })
    }

    /// The features as of `asOf` (a `Date` or epoch milliseconds), in `engine.names` order.
    #[napi(catch_unwind)]
    pub fn features(
        &self,
        engine: &FeatureEngine,
        #[napi(ts_arg_type = "number | Date")] as_of: crate::convert::AsOf,
    ) -> Result<Float64Array> {
        let as_of = as_of.0.seconds("asOf")?;
        Ok(Float64Array::new(self.inner.features(&engine.inner, as_of).into_napi()?))
    }
}
