//! `Store` and `store.writeAtomic`: the durable store of `nps-store` for Node (mirrors
//! `nps-py/src/store.rs`). Rows are the store's records as plain objects, times in unix
//! seconds; every check and every write is the store's.
use std::sync::Mutex;

use napi_derive::napi;
use nps_core::NpsError;
use nps_store as core;
use serde_json::Value;

use crate::action::Learner;
use crate::error::{to_napi, IntoNapi, Result};

/// One of the store's records from a JS value, naming what it is on an error.
fn record<T: serde::de::DeserializeOwned>(value: Value, what: &str) -> Result<T> {
    serde_json::from_value(value).map_err(|e| to_napi(NpsError::invalid(what, e.to_string(), "a store record")))
}

fn value<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).expect("plain data")
}

/// A store file, open: events per customer, decisions with their propensities, outcomes,
/// customers' fields and learner state in one SQLite file (see docs/store.md). Every write
/// is one transaction, on disk when the call returns.
#[napi]
pub struct Store {
    inner: Mutex<core::Store>,
}

impl Store {
    fn with<T>(&self, f: impl FnOnce(&mut core::Store) -> nps_core::Result<T>) -> Result<T> {
        let mut s = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut s).into_napi()
    }
}

#[napi]
impl Store {
    /// Opens (or creates) the store at `path`. A file that is not an nps store, is corrupted
    /// or was written by a newer version throws (code `STORE`) and is left as it is.
    #[napi(constructor, catch_unwind)]
    pub fn new(path: String) -> Result<Self> {
        Ok(Store { inner: Mutex::new(core::Store::open(&path).into_napi()?) })
    }

    /// The file's path.
    #[napi(getter)]
    pub fn path(&self) -> Result<String> {
        self.with(|s| Ok(s.path().display().to_string()))
    }

    /// Writes what one accepted request changes in one transaction (all of it or none):
    /// `{ events?, decisions?, outcomes?, fields?: { customer: fields } }`, and a learner saved
    /// under the default name.
    #[napi(
        catch_unwind,
        ts_args_type = "batch: { events?: StoreEvent[], decisions?: StoreDecision[], outcomes?: StoreOutcome[], fields?: Record<string, Record<string, unknown>> }, learner?: Learner"
    )]
    pub fn commit(&self, batch: Value, learner: Option<&Learner>) -> Result<()> {
        let Value::Object(mut o) = batch else {
            return Err(to_napi(NpsError::invalid("batch", "not an object", "an object")));
        };
        let fields = match o.remove("fields") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Object(f)) => f
                .into_iter()
                .map(|(customer, fields)| match fields {
                    Value::Object(fields) => Ok(core::CustomerFields { customer, fields }),
                    _ => Err(to_napi(NpsError::invalid(&format!("fields.{customer}"), "not an object", "an object"))),
                })
                .collect::<Result<_>>()?,
            Some(_) => return Err(to_napi(NpsError::invalid("fields", "not an object", "customer id to fields"))),
        };
        let mut b: core::Batch = record(Value::Object(o), "batch")?;
        b.fields = fields;
        b.learner = learner.map(|l| l.inner.clone());
        self.with(|s| s.commit(&b))
    }

    /// Appends events (any customers, in the order given).
    #[napi(catch_unwind, ts_args_type = "events: StoreEvent[]")]
    pub fn append_events(&self, events: Value) -> Result<()> {
        let events: Vec<core::StoredEvent> = record(events, "events")?;
        self.with(|s| s.append_events(&events))
    }

    /// Logs one decision; returns its id (for `setReward`).
    #[napi(catch_unwind, ts_args_type = "decision: StoreDecision")]
    pub fn record_decision(&self, decision: Value) -> Result<i64> {
        let d = record(decision, "decision")?;
        self.with(|s| s.record_decision(&d))
    }

    /// Sets the reward of a logged decision once the outcome is known.
    #[napi(catch_unwind)]
    pub fn set_reward(&self, id: i64, reward: f64) -> Result<()> {
        self.with(|s| s.set_reward(id, reward))
    }

    /// Records one outcome (`kind`: presented, accepted, rejected, ignored, retained, churned).
    #[napi(catch_unwind, ts_args_type = "outcome: StoreOutcome")]
    pub fn record_outcome(&self, outcome: Value) -> Result<()> {
        let o = record(outcome, "outcome")?;
        self.with(|s| s.record_outcome(&o))
    }

    /// Sets a customer's fields (replacing what was there).
    #[napi(catch_unwind, ts_args_type = "customer: string, fields: Record<string, unknown>")]
    pub fn set_fields(&self, customer: String, fields: Value) -> Result<()> {
        let Value::Object(fields) = fields else {
            return Err(to_napi(NpsError::invalid("fields", "not an object", "an object")));
        };
        self.with(|s| s.set_fields(&core::CustomerFields { customer, fields }))
    }

    /// Saves a learner's state under `name` (default `"default"`).
    #[napi(catch_unwind)]
    pub fn save_learner(&self, learner: &Learner, name: Option<String>) -> Result<()> {
        let name = name.unwrap_or_else(|| core::DEFAULT_LEARNER.to_string());
        self.with(|s| s.save_learner(&name, &learner.inner))
    }

    /// The learner saved under `name` (default `"default"`), or null.
    #[napi(catch_unwind)]
    pub fn load_learner(&self, name: Option<String>) -> Result<Option<Learner>> {
        let name = name.unwrap_or_else(|| core::DEFAULT_LEARNER.to_string());
        Ok(self.with(|s| s.load_learner(&name))?.map(|inner| Learner { inner }))
    }

    /// `base` with every stored outcome replayed in order.
    #[napi(catch_unwind)]
    pub fn rebuild_learner(&self, base: &Learner) -> Result<Learner> {
        let outcomes = self.with(|s| s.outcomes())?;
        Ok(Learner { inner: core::rebuild_learner(base.inner.clone(), &outcomes) })
    }

    /// The events of `customer` (or of everyone), in the order appended.
    #[napi(catch_unwind, ts_return_type = "StoreEvent[]")]
    pub fn events(&self, customer: Option<String>) -> Result<Value> {
        let events = self.with(|s| match &customer {
            Some(c) => s.events(c),
            None => s.all_events(),
        })?;
        Ok(value(&events))
    }

    /// The customers with events, in the order of their first event.
    #[napi(catch_unwind)]
    pub fn customers(&self) -> Result<Vec<String>> {
        self.with(|s| s.customers())
    }

    /// Every logged decision, in order, each with its `id`.
    #[napi(catch_unwind, ts_return_type = "Array<StoreDecision & { id: number }>")]
    pub fn decisions(&self) -> Result<Value> {
        let rows = self.with(|s| s.decisions())?;
        Ok(Value::Array(
            rows.into_iter()
                .map(|(id, d)| {
                    let mut v = value(&d);
                    v["id"] = Value::from(id);
                    v
                })
                .collect(),
        ))
    }

    /// Every outcome, in the order recorded.
    #[napi(catch_unwind, ts_return_type = "StoreOutcome[]")]
    pub fn outcomes(&self) -> Result<Value> {
        Ok(value(&self.with(|s| s.outcomes())?))
    }

    /// Every customer's fields, by customer id.
    #[napi(catch_unwind, ts_return_type = "Record<string, Record<string, unknown>>")]
    pub fn fields(&self) -> Result<Value> {
        let rows = self.with(|s| s.fields())?;
        Ok(Value::Object(rows.into_iter().map(|f| (f.customer, Value::Object(f.fields))).collect()))
    }

    /// Rows in each table.
    #[napi(
        catch_unwind,
        ts_return_type = "Record<'events' | 'decisions' | 'outcomes' | 'fields' | 'learners', number>"
    )]
    pub fn counts(&self) -> Result<Value> {
        let counts = self.with(|s| s.counts())?;
        Ok(Value::Object(core::TABLES.iter().zip(counts).map(|(t, n)| (t.to_string(), Value::from(n))).collect()))
    }

    /// Everything in the store as one versioned JSON document (`nps.store_snapshot`).
    #[napi(catch_unwind)]
    pub fn snapshot(&self) -> Result<String> {
        Ok(self.with(|s| s.snapshot())?.to_json())
    }

    /// Writes the snapshot to `path` atomically (temporary file, fsync, rename).
    #[napi(catch_unwind)]
    pub fn save_snapshot(&self, path: String) -> Result<()> {
        let snap = self.with(|s| s.snapshot())?;
        core::write_atomic(&path, snap.to_json().as_bytes()).into_napi()
    }

    /// Replaces everything in the store by a snapshot document (checked first).
    #[napi(catch_unwind)]
    pub fn restore(&self, snapshot: String) -> Result<()> {
        let snap = core::Snapshot::from_json(&snapshot).into_napi()?;
        self.with(|s| s.restore(&snap))
    }
}

/// Writes `text` to `path` so that a crash leaves the old file or the new one, never a
/// half-written one (temporary file beside it, fsync, rename).
#[napi(namespace = "store", catch_unwind)]
pub fn write_atomic(path: String, text: String) -> Result<()> {
    core::write_atomic(&path, text.as_bytes()).into_napi()
}

// The records' TypeScript shapes (the values cross as plain objects, read by the store's serde).

/// An event as the store keeps it.
#[napi(object)]
#[allow(dead_code)] // a TypeScript shape: the values are read by the store's serde
pub struct StoreEvent {
    /// The customer's id.
    pub customer: String,
    /// Unix seconds (UTC).
    pub time: f64,
    /// Event kind.
    pub kind: String,
    /// Amount, megabytes, score.
    pub value: Option<f64>,
    /// Seconds (handle time).
    pub duration: Option<f64>,
    /// Department or channel.
    pub department: Option<String>,
    /// Case or ticket id.
    pub case: Option<String>,
    /// Resolved / transferred / accepted.
    pub flag: Option<bool>,
}

/// A logged decision as the store keeps it.
#[napi(object)]
#[allow(dead_code)] // a TypeScript shape: the values are read by the store's serde
pub struct StoreDecision {
    /// The customer's id.
    pub customer: String,
    /// The action chosen (null: none).
    pub action: Option<String>,
    /// The probability the policy chose it with (for off-policy evaluation).
    pub propensity: f64,
    /// The learner's segment.
    pub segment: String,
    /// In the control group.
    pub control: bool,
    /// Unix seconds (UTC).
    pub time: f64,
    /// The reward once known.
    pub reward: Option<f64>,
}

/// An outcome as the store keeps it.
#[napi(object)]
#[allow(dead_code)] // a TypeScript shape: the values are read by the store's serde
pub struct StoreOutcome {
    /// The customer's id.
    pub customer: String,
    /// The learner's segment.
    pub segment: String,
    /// The action id.
    pub action: String,
    /// The channel it went through.
    pub channel: String,
    /// The action's group.
    pub group: String,
    /// Unix seconds (UTC).
    pub time: f64,
    /// presented, accepted, rejected, ignored, retained or churned.
    pub kind: String,
}
