//! Durable state for nps: the I/O tier beside the pure core.
//!
//! `nps-core` computes and never writes; a retention service must still not lose what its
//! loop learns. This crate keeps it in one embedded SQLite file (compiled in: no system
//! library): events per customer, decisions with their propensities (for off-policy
//! evaluation), outcomes, customers' fields and learner state ([`Store`]); rebuilds the
//! core's per-customer state from it ([`Store::histories`], [`Store::contacts`],
//! [`rebuild_learner`]); snapshots it as a versioned document ([`Snapshot`]); and writes
//! files atomically ([`write_atomic`]). Errors are the core's [`nps_core::NpsError`]
//! (its `Store` variant names the file and the table).
//!
//! ```
//! use nps_store::{Store, StoredEvent, StoredOutcome, rebuild_learner};
//! use nps_core::action::Learner;
//!
//! let dir = std::env::temp_dir().join(format!("nps-store-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).unwrap();
//! let path = dir.join("state.db");
//! # let _ = std::fs::remove_file(&path);
//! let mut store = Store::open(&path)?;
//! let start = StoredEvent { customer: "C1".into(), time: 1_700_000_000, kind: "subscription_start".into(), ..Default::default() };
//! store.append_events(&[start.clone()])?;
//! store.record_outcome(&StoredOutcome { customer: "C1".into(), segment: "consumer".into(), action: "bonus_data".into(),
//!     channel: "sms".into(), group: "".into(), time: 1_700_000_100, kind: "accepted".into() })?;
//! drop(store);
//! let store = Store::open(&path)?;                       // reopened: nothing lost
//! assert_eq!(store.events("C1")?, vec![start]);
//! let histories = store.histories(&[])?;
//! assert_eq!(histories["C1"].len(), 1);
//! let learner = rebuild_learner(Learner::new([1.0, 1.0], 0.05, 5)?, &store.outcomes()?);
//! assert_eq!(learner.counts("bonus_data", "consumer"), [1.0, 0.0]);
//! # std::fs::remove_dir_all(&dir).unwrap();
//! # Ok::<(), nps_core::NpsError>(())
//! ```
#![warn(missing_docs)]

mod atomic;
mod records;
mod snapshot;
mod store;

pub use atomic::write_atomic;
pub use records::{learned, Batch, CustomerFields, StoredEvent, StoredOutcome, OUTCOME_KINDS};
pub use snapshot::{Snapshot, SNAPSHOT_FORMAT, SNAPSHOT_VERSION};
pub use store::{Store, BUSY_TIMEOUT_MS, DEFAULT_LEARNER, STORE_FORMAT, STORE_VERSION, TABLES};

/// The Rust example of the guide (`docs/store.md`) runs as a doctest.
#[cfg(doctest)]
mod guide {
    #[doc = include_str!("../../docs/store.md")]
    struct Store;
}

/// The learner `base` (its prior, exploration and counts so far) with every outcome replayed
/// in order: each success or failure ([`learned`]) counted for its action in its segment,
/// as a service counts them when they come in.
pub fn rebuild_learner(base: nps_core::action::Learner, outcomes: &[StoredOutcome]) -> nps_core::action::Learner {
    let mut learner = base;
    for o in outcomes {
        if let Some(success) = learned(&o.kind) {
            learner.record(&o.action, &o.segment, success);
        }
    }
    learner
}
