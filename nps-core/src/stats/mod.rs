//! Distributions and special functions used by the statistics modules.

pub mod normal;
pub mod proportion;
pub mod special;
