//! What a boosted ensemble's raw scores mean: the log-odds of the positive class, or one
//! softmax score per class. Read from LightGBM and XGBoost files and set by our trainer.
use serde::{Deserialize, Serialize};

/// The loss an ensemble was trained for, which says how its raw scores become probabilities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Objective {
    /// Binary log loss: one raw score, the log-odds of the positive class.
    Binary,
    /// Softmax log loss: one raw score per class, probabilities their softmax.
    Multiclass {
        /// Number of classes (at least 2).
        classes: usize,
    },
}

impl Objective {
    /// Raw scores per row: 1 for [`Objective::Binary`], one per class otherwise.
    pub fn outputs(&self) -> usize {
        match self {
            Objective::Binary => 1,
            Objective::Multiclass { classes } => *classes,
        }
    }
}
