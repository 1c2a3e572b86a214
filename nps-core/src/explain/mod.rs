//! Factor attribution: for each customer, the few factors that drove the score.
//!
//! For a logistic model the attribution is exact: each encoded column contributes
//! coef × (x − training mean) to the log-odds, relative to the baseline log-odds of the
//! training mean (SHAP's interventional values with the whole training set as background,
//! which for a linear model need no sampling). Columns that come from one source feature
//! (the one-hot columns of a category, a value and its missing indicator) are summed back to
//! it, so an agent reads "Contract = Month-to-month" and not three indicator columns.
//!
//! For a tree ensemble it is exact too, in polynomial time: path-dependent TreeSHAP, whose
//! background is the training data as the trees split it (each node's cover), with
//! LightGBM's `pred_contrib` layout and shap's interaction values; a [`TreeShapPlan`] built once
//! per ensemble gives the same values in O(leaves × depth) per tree and row.

mod linear;
mod tree_shap;
mod tree_shap_plan;

pub use linear::{top_indices_into, ExplainedFactor, LinearExplainer};

/// How many factors raising (and lowering) a score an explanation lists unless asked
/// otherwise: the few an agent reads.
pub const DEFAULT_TOP_FACTORS: usize = 3;
pub use tree_shap::{
    ensemble_interactions_into, ensemble_shap, ensemble_shap_into, tree_expected_value, tree_shap_into, TreeShapScratch,
};
pub use tree_shap_plan::{TreeShapPlan, MAX_PATH_INPUTS, MAX_PLAN_BYTES};
