//! Distributions and special functions used by the statistics modules.
