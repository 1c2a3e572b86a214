//! Gradient-boosted decision trees: histogram training (binary log loss and softmax),
//! exact path-dependent TreeSHAP attribution, and models read from LightGBM and XGBoost.

mod ensemble;
mod tree;

pub use ensemble::Ensemble;
pub use tree::{Comparison, Leaf, Missing, Node, Split, Tree};
