//! A tree ensemble: the raw score (log-odds, or one score per class) as a base plus the sum
//! of its trees' outputs, whoever trained the trees.
use serde::{Deserialize, Serialize};

use super::tree::Tree;
use crate::error::{NpsError, Result};

/// Trees whose outputs add up to one raw score per output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ensemble {
    /// Number of inputs a row has (the width trees index into).
    pub inputs: usize,
    /// Raw scores per row: 1 for a binary model (the log-odds), one per class for softmax.
    pub outputs: usize,
    /// The raw score before any tree, per output.
    pub base_score: Vec<f64>,
    /// The trees, round by round: tree `i` adds to output `i % outputs`.
    pub trees: Vec<Tree>,
}

impl Ensemble {
    /// Rounds of boosting (trees per output).
    pub fn rounds(&self) -> usize {
        self.trees.len() / self.outputs.max(1)
    }

    /// The raw scores of one row (one value per input, NaN missing) into `out` (one per
    /// output): the base, then each tree's output added in tree order.
    #[inline]
    pub fn raw_into(&self, row: &[f64], out: &mut [f64]) {
        out.copy_from_slice(&self.base_score);
        for (i, tree) in self.trees.iter().enumerate() {
            out[i % self.outputs] += tree.predict(row);
        }
    }

    /// The raw score of one row of a single-output ensemble.
    #[inline]
    pub fn raw(&self, row: &[f64]) -> f64 {
        debug_assert_eq!(self.outputs, 1);
        self.trees.iter().fold(self.base_score[0], |s, t| s + t.predict(row))
    }

    /// Checks every tree and the shape (see [`Tree::validate`]).
    pub fn validate(&self) -> Result<()> {
        if self.outputs == 0 {
            return Err(NpsError::invalid("outputs", 0, "at least 1"));
        }
        if self.base_score.len() != self.outputs {
            return Err(NpsError::LengthMismatch {
                field: "base_score".into(),
                actual: self.base_score.len(),
                other: "outputs".into(),
                expected: self.outputs,
            });
        }
        if let Some(k) = self.base_score.iter().position(|b| !b.is_finite()) {
            return Err(NpsError::invalid(&format!("base_score[{k}]"), self.base_score[k], "a finite number"));
        }
        if !self.trees.len().is_multiple_of(self.outputs) {
            return Err(NpsError::invalid(
                "trees",
                self.trees.len(),
                &format!("a multiple of the {} outputs (one tree per output per round)", self.outputs),
            ));
        }
        for (i, t) in self.trees.iter().enumerate() {
            t.validate(self.inputs, &format!("trees[{i}]"))?;
        }
        Ok(())
    }
}
