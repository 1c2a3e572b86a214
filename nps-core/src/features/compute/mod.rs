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

mod engine;
mod event;
mod part;
mod partition;
mod plan;

pub(crate) use engine::RowScratch;
pub use engine::{compute, compute_view, FeatureEngine, FeatureMatrix};
pub use part::FeatureParts;
pub(crate) use plan::days_to_seconds;
