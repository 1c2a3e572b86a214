//! # nps-core
//!
//! Customer-retention analytics as plain functions over plain data.
//!
//! * [`survey`]: Net Promoter Score statistics (tallies, intervals, tests, weights,
//!   breakdowns and trends).
//! * [`stats`]: the distributions and special functions those statistics stand on.
//!
//! Every public number is in NPS points (−100..=100) unless its name says otherwise
//! (`*_share` is a fraction in 0..=1).

pub mod error;
pub mod stats;
pub mod survey;

pub use error::{NpsError, Result};
