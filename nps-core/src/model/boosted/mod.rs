//! Gradient-boosted decision trees: histogram training (binary log loss and softmax),
//! exact path-dependent TreeSHAP attribution, and models read from LightGBM and XGBoost.

mod bins;
mod churn;
mod ensemble;
mod grow;
mod histogram;
mod imported;
mod lazy;
mod lightgbm;
mod objective;
mod split_search;
mod train;
mod tree;
mod tree_input;
mod xgboost;

pub use super::file_header::BOOSTED_MODEL_VERSION;
pub use churn::{BoostedChurnModel, BoostedScratch, BoostedTrainingInfo, TreeImportance, BOOSTED_KIND};
pub use ensemble::Ensemble;
pub use imported::ImportedModel;
pub use lightgbm::from_lightgbm;
pub use objective::Objective;
pub use train::{fit_boosted, BoostingOptions, BoostingReport, EvalSet};
pub use tree::{Comparison, Leaf, Missing, Node, Split, Tree};
pub(crate) use tree_input::{
    category_counts, check_model, tree_encoder, tree_row, tree_rows, tree_rows_matrix, typical_values, TREE_ENCODING,
};
pub use xgboost::from_xgboost;
