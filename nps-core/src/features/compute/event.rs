//! One event copied from the columns into customer order: what partitioning moves and
//! aggregation reads.
use crate::features::view::EventView;

/// One event, copied from the columns into customer order: 32 bytes, so that the copy is
/// one aligned write. Department and case, which few features read, stay in the columns and
/// are looked up by row.
#[derive(Debug, Clone, Copy)]
pub(super) struct Ev {
    /// Seconds since the epoch.
    pub(super) time: i64,
    pub(super) value: f64,
    pub(super) duration: f64,
    pub(super) row: u32,
    pub(super) kind: u16,
    pub(super) flag: u8,
    /// The customer's place in its bucket of [`BUCKET`](super::partition::BUCKET) customers.
    pub(super) slot: u8,
}

impl Ev {
    /// Event `row` of a view at `time` (seconds), its customer in place `slot` of its bucket.
    #[inline]
    pub(super) fn of(view: &EventView<'_>, row: usize, time: i64, slot: u8) -> Ev {
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

pub(super) const BLANK: Ev = Ev { time: 0, value: 0.0, duration: 0.0, row: 0, kind: 0, flag: 2, slot: 0 };
