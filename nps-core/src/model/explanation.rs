//! One customer's score explained: the factors that raise and lower the risk, readable.
use serde::{Deserialize, Serialize};

use super::churn_model::ChurnModel;
use super::logistic::sigmoid;
use crate::encode::{Cell, EncodedColumn};
use crate::error::Result;

/// A factor as an agent reads it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReadableFactor {
    /// The input (source feature) name, e.g. `Contract` or `repeat_contacts_90d`.
    pub name: String,
    /// Contribution to the log-odds against the training-mean baseline (positive raises the
    /// risk). The contributions of all inputs sum, with the baseline, to the log-odds.
    pub contribution: f64,
    /// The customer's value (`Month-to-month`, `3`, `missing`).
    pub value: String,
    /// The population's typical value: the training mean of a number, the most common
    /// category, the more common boolean.
    pub typical: String,
}

/// A customer's churn probability and the factors behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    /// P(churn).
    pub probability: f64,
    /// The log-odds: `baseline` plus the sum of all inputs' contributions.
    pub log_odds: f64,
    /// The log-odds of the training mean.
    pub baseline: f64,
    /// The factors that raise the risk most, largest first (at most `top`).
    pub raising: Vec<ReadableFactor>,
    /// The factors that lower it most, most negative first (at most `top`).
    pub lowering: Vec<ReadableFactor>,
    /// Every input's contribution, in [`ChurnModel::inputs`] order.
    pub contributions: Vec<f64>,
}

impl Explanation {
    /// An explanation from a model's log-odds, baseline and per-input contributions (in
    /// `inputs` order): the `top` factors each way (as [`crate::explain::top_indices_into`]
    /// ranks them) with the customer's value from `cells` and the `typical` one. Every model
    /// kind explains through this, so a factor reads the same whoever computed it.
    pub fn from_contributions(
        log_odds: f64,
        baseline: f64,
        contributions: Vec<f64>,
        top: usize,
        inputs: &[String],
        cells: &[Cell<'_>],
        typical: &[String],
    ) -> Explanation {
        let (mut up, mut down) = (Vec::new(), Vec::new());
        crate::explain::top_indices_into(&contributions, top, &mut up, &mut down);
        let readable = |s: usize| ReadableFactor {
            name: inputs[s].clone(),
            contribution: contributions[s],
            value: display(cells[s]),
            typical: typical[s].clone(),
        };
        Explanation {
            probability: sigmoid(log_odds),
            log_odds,
            baseline,
            raising: up.into_iter().map(readable).collect(),
            lowering: down.into_iter().map(readable).collect(),
            contributions,
        }
    }
}

/// A value as an agent reads it (see [`ReadableFactor::value`]).
pub(crate) fn display(cell: Cell<'_>) -> String {
    match cell {
        Cell::Missing => "missing".into(),
        Cell::Number(x) if x.fract() == 0.0 && x.abs() < 1e15 => format!("{}", x as i64),
        // Enough digits to read, not to reproduce: 24721, 857.6, 1.12, 0.398.
        Cell::Number(x) => {
            let digits = if x.abs() >= 1000.0 {
                0
            } else if x.abs() >= 100.0 {
                1
            } else if x.abs() >= 1.0 {
                2
            } else {
                3
            };
            let s = format!("{x:.digits$}");
            if s.contains('.') {
                s.trim_end_matches('0').trim_end_matches('.').to_string()
            } else {
                s
            }
        }
        Cell::Text(s) => s.to_string(),
        Cell::Bool(b) => b.to_string(),
    }
}

impl ChurnModel {
    /// The typical value of each input, for display next to a customer's.
    pub fn typical_values(&self) -> Vec<String> {
        let mut j = 0;
        self.encoder
            .columns
            .iter()
            .map(|c| {
                let means = &self.column_mean[j..j + c.width()];
                j += c.width();
                match c {
                    EncodedColumn::Numeric { mean, .. } => display(Cell::Number(*mean)),
                    EncodedColumn::Categorical { categories, .. } => {
                        let (k, _) =
                            means.iter().enumerate().fold((0, f64::MIN), |b, (k, &m)| if m > b.1 { (k, m) } else { b });
                        categories.get(k).cloned().unwrap_or_else(|| "missing".into())
                    }
                    EncodedColumn::Boolean { .. } => (means[0] >= 0.5).to_string(),
                }
            })
            .collect()
    }

    /// Explains one customer given as one cell per input (in [`Self::inputs`] order):
    /// the probability, the exact contributions and the `top` factors each way.
    pub fn explain_cells(&self, cells: &[Cell<'_>], top: usize, scratch: &mut Vec<f64>) -> Result<Explanation> {
        scratch.resize(self.coef.len(), 0.0);
        self.encoder.encode_row(cells, 0, scratch)?;
        let explainer = self.explainer()?;
        let mut contributions = vec![0.0; self.inputs.len()];
        explainer.contributions_into(ndarray::ArrayView1::from(&scratch[..]), &mut contributions)?;
        let log_odds = super::logistic::linear(scratch.iter().copied(), &self.coef, self.intercept);
        Ok(Explanation::from_contributions(
            log_odds,
            explainer.baseline,
            contributions,
            top,
            &self.inputs,
            cells,
            &self.typical_values(),
        ))
    }
}
