//! Churn features from raw customer history, as of a date, with no leakage.

mod events;

pub use events::{Dictionary, EventColumns, EventTable, BUILT_IN_KINDS, NONE};
