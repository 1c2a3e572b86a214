//! Churn features from raw customer history, as of a date, with no leakage.

mod events;
mod view;

pub use events::{
    dense_integer_codes, dense_integer_range, Dictionary, EventColumns, EventTable, BUILT_IN_KINDS, MAX_MAGNITUDE, NONE,
};
pub use view::{CustomerColumn, EventView, KindColumn};

mod compute;
mod definition;
mod event_table_builder;
mod history;
mod retention;
mod spark_sql;
mod survival_data;

pub(crate) use compute::RowScratch;
pub use compute::{compute, compute_view, FeatureEngine, FeatureMatrix, FeatureParts};
pub use definition::{
    Aggregate, Aggregation, FeatureDefinition, FeatureRule, FeatureSet, Field, Filter, Window, AGGREGATIONS,
};
pub use event_table_builder::{EventTableBuilder, Id};
pub use history::{CustomerHistory, Event, HISTORY_FORMAT, HISTORY_VERSION};
pub use retention::{retention, RETENTION_JSON};
pub use spark_sql::{EventRanges, FeatureSql, SqlColumn};
pub use survival_data::{survival_data, CustomerSurvival};
