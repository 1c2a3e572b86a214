//! Factor attribution: for each customer, the few factors that drove the score.
//!
//! For a logistic model the attribution is exact: each encoded column contributes
//! coef × (x − training mean) to the log-odds, relative to the baseline log-odds of the
//! training mean (SHAP's interventional values with the whole training set as background,
//! which for a linear model need no sampling). Columns that come from one source feature
//! (the one-hot columns of a category, a value and its missing indicator) are summed back to
//! it, so an agent reads "Contract = Month-to-month" and not three indicator columns.

mod linear;

pub use linear::{top_indices_into, Factor, LinearExplainer};
