//! Gradient-boosted decision trees: histogram training (binary log loss and softmax),
//! exact path-dependent TreeSHAP attribution, and models read from LightGBM and XGBoost.

mod ensemble;
mod imported;
mod lightgbm;
mod objective;
mod tree;
mod xgboost;

pub use ensemble::Ensemble;
pub use imported::ImportedModel;
pub use lightgbm::from_lightgbm;
pub use objective::Objective;
pub use tree::{Comparison, Leaf, Missing, Node, Split, Tree};
pub use xgboost::from_xgboost;
