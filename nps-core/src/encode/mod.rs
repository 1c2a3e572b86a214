//! Tabular encoding: data that already comes as a table (one row per customer, like the
//! IBM Telco and Orange files) turned into the numeric matrix a model reads.
//!
//! A [`TableEncoder`] is learned from training data and saved with the model: numeric
//! columns are mean-imputed (with a `__missing` indicator when training had gaps) and
//! standardised; categorical columns are one-hot encoded with an explicit policy for
//! categories not seen in training; boolean columns become 0/1. Every encoded column keeps
//! the name of its source (`Contract=Month-to-month`, `TotalCharges__missing`) so that
//! attribution can sum contributions back to what an agent reads.

pub(crate) mod cells;
mod csv;
mod encoder;
mod fit;
mod infer;
mod summary;
mod table;

pub use csv::{read_csv, read_csv_path};
pub use encoder::{ColumnKind, ColumnSpec, EncodedColumn, EncoderOptions, TableEncoder, UnseenPolicy};
pub use fit::max_categories;
pub use infer::{binary_labels, fit_specs, infer_specs};
pub use summary::{ColumnSummary, EncoderSummary};
pub use table::{Cell, Column, RawTable};
