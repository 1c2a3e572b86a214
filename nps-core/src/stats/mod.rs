//! Distributions and special functions used by the statistics modules.

/// The confidence level of every interval the library gives by default (95%).
pub const DEFAULT_LEVEL: f64 = 0.95;

/// The significance level by default, as `alpha` (the complement of [`DEFAULT_LEVEL`],
/// written out: 1 − 0.95 is not 0.05 in binary), as lifelines and scipy take it.
pub const DEFAULT_ALPHA: f64 = 0.05;

pub mod exact_sum;
pub mod exp;
pub mod normal;
pub mod proportion;
pub mod special;
