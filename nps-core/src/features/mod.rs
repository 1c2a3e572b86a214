//! Churn features from raw customer history, as of a date, with no leakage.

mod events;

pub use events::{dense_integer_codes, Dictionary, EventColumns, EventTable, BUILT_IN_KINDS, NONE};

mod compute;
mod definition;
mod retention;

pub use compute::{compute, FeatureMatrix};
pub use definition::{
    Aggregate, Aggregation, FeatureDefinition, FeatureRule, FeatureSet, Field, Filter, Window, AGGREGATIONS,
};
pub use retention::{retention, RETENTION_JSON};
