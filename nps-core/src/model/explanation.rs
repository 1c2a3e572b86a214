//! One customer's score explained: the factors that raise and lower the risk, readable.
//!
//! A factor shows the customer's value and the population's typical value in the input's
//! own type (a number, a boolean, a category), and, for a category or a boolean, the
//! training mix its contribution is measured against: a one-hot category's contribution is
//! the customer's category against the mix of all of them, not against the most common one,
//! so "Contract = Month-to-month raises the risk" can hold for a customer whose contract is
//! the typical one.
use std::fmt;

use serde::{Deserialize, Serialize};

use super::churn_model::ChurnModel;
use super::logistic::sigmoid;
use crate::encode::cells::{label, parse_bool};
use crate::encode::{Cell, ColumnKind, EncodedColumn};
use crate::error::Result;

/// A value as a factor shows it, in its input's type: numbers stay numbers (exact, not
/// rounded), a boolean input's value is a boolean whatever spelling the data used ("Yes",
/// 1, true), a category is its label. JSON: a number, a boolean, a string or null.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FactorValue {
    /// A number.
    Number(f64),
    /// A boolean.
    Bool(bool),
    /// A category's label.
    Text(String),
    /// No value.
    Missing,
}

/// For reading: "missing", numbers with a few significant digits (24721, 857.6, 1.12,
/// 0.398), text as it is, true/false.
impl fmt::Display for FactorValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FactorValue::Missing => f.write_str("missing"),
            FactorValue::Number(x) => f.write_str(&display(Cell::Number(*x))),
            FactorValue::Text(s) => f.write_str(s),
            FactorValue::Bool(b) => write!(f, "{b}"),
        }
    }
}

/// One value's share of the training data (a category's, a boolean's, or missing).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Share {
    /// The value (a category's label, true or false, or missing).
    pub value: FactorValue,
    /// Its share of the training rows (weighted as the model was fitted), in 0..=1.
    pub share: f64,
}

/// What a factor shows beside a customer's value of one input, learned from the training
/// data: the input's kind, its typical value and, for a category or a boolean, the mix of
/// its values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputProfile {
    /// How the input is read.
    pub kind: ColumnKind,
    /// The typical value: the training mean of a number, the most common category, the
    /// more common boolean (missing when every training value was).
    pub typical: FactorValue,
    /// The shares of a category's or a boolean's values in training, largest first (ties in
    /// category order); empty for a number.
    pub mix: Vec<Share>,
}

impl InputProfile {
    /// A profile from a number's typical value alone.
    pub fn numeric(mean: Option<f64>) -> InputProfile {
        InputProfile {
            kind: ColumnKind::Numeric,
            typical: mean.map_or(FactorValue::Missing, FactorValue::Number),
            mix: Vec::new(),
        }
    }

    /// A boolean's profile from the share of true.
    pub fn boolean(true_share: f64) -> InputProfile {
        InputProfile {
            kind: ColumnKind::Boolean,
            typical: FactorValue::Bool(true_share > 0.5),
            mix: sorted_mix(vec![
                Share { value: FactorValue::Bool(true), share: true_share },
                Share { value: FactorValue::Bool(false), share: 1.0 - true_share },
            ]),
        }
    }

    /// A category's profile from the shares of `categories` (in order) and of missing
    /// values; the typical value is the most common category (the first of equals), or
    /// missing when no category has a share.
    pub fn categorical(categories: &[String], shares: &[f64], missing_share: Option<f64>) -> InputProfile {
        let best = (0..categories.len()).fold(None, |b: Option<usize>, k| match b {
            Some(b) if shares[b] >= shares[k] => Some(b),
            _ if shares[k] > 0.0 => Some(k),
            _ => b,
        });
        let mut mix: Vec<Share> = categories
            .iter()
            .zip(shares)
            .map(|(c, &share)| Share { value: FactorValue::Text(c.clone()), share })
            .collect();
        if let Some(share) = missing_share {
            mix.push(Share { value: FactorValue::Missing, share });
        }
        InputProfile {
            kind: ColumnKind::Categorical,
            typical: best.map_or(FactorValue::Missing, |k| FactorValue::Text(categories[k].clone())),
            mix: sorted_mix(mix),
        }
    }

    /// A profile from a typical value written as text (model files written before profiles
    /// were kept): numbers and booleans parsed, "missing" and "unknown" missing; no mix.
    pub fn from_typical_text(kind: ColumnKind, typical: &str) -> InputProfile {
        let typical = match (kind, typical) {
            (_, "missing" | "unknown") => FactorValue::Missing,
            (ColumnKind::Numeric, t) => t.parse().map_or(FactorValue::Missing, FactorValue::Number),
            (ColumnKind::Boolean, t) => parse_bool(t).map_or(FactorValue::Missing, FactorValue::Bool),
            (ColumnKind::Categorical, t) => FactorValue::Text(t.to_string()),
        };
        InputProfile { kind, typical, mix: Vec::new() }
    }

    /// A customer's value of this input as a factor shows it (see [`FactorValue`]): a
    /// number for a numeric input, a boolean for a boolean one (`"Yes"` and 1 are `true`),
    /// the label of a category; text that does not read as the input's kind stays text.
    pub fn value(&self, cell: Cell<'_>) -> FactorValue {
        match (self.kind, cell) {
            (_, Cell::Missing) => FactorValue::Missing,
            (_, Cell::Number(x)) if x.is_nan() => FactorValue::Missing,
            (ColumnKind::Numeric, Cell::Number(x)) => FactorValue::Number(x),
            (ColumnKind::Numeric, Cell::Bool(b)) => FactorValue::Number(b as u8 as f64),
            (ColumnKind::Numeric, Cell::Text(s)) if s.trim().is_empty() => FactorValue::Missing,
            (ColumnKind::Numeric, Cell::Text(s)) => {
                s.trim().parse().map_or_else(|_| FactorValue::Text(s.to_string()), FactorValue::Number)
            }
            (ColumnKind::Boolean, Cell::Bool(b)) => FactorValue::Bool(b),
            (ColumnKind::Boolean, Cell::Number(x)) if x == 0.0 || x == 1.0 => FactorValue::Bool(x == 1.0),
            (ColumnKind::Boolean, Cell::Text(s)) => {
                parse_bool(s).map_or_else(|| FactorValue::Text(s.to_string()), FactorValue::Bool)
            }
            (ColumnKind::Boolean, Cell::Number(x)) => FactorValue::Number(x),
            (ColumnKind::Categorical, c) => label(c).map_or(FactorValue::Missing, FactorValue::Text),
        }
    }
}

/// Largest share first, ties in the given order.
fn sorted_mix(mut mix: Vec<Share>) -> Vec<Share> {
    mix.sort_by(|a, b| b.share.total_cmp(&a.share));
    mix
}

/// A factor as an agent reads it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReadableFactor {
    /// The input (source feature) name, e.g. `Contract` or `repeat_contacts_90d`.
    pub name: String,
    /// Contribution to the log-odds against the model's baseline (positive raises the
    /// risk). The contributions of all inputs sum, with the baseline, to the log-odds.
    pub contribution: f64,
    /// The customer's value, in the input's type (`Month-to-month`, `3.0`, `true`, missing).
    pub value: FactorValue,
    /// The population's typical value: the training mean of a number, the most common
    /// category, the more common boolean.
    pub typical: FactorValue,
    /// What the contribution of a category or a boolean is measured against: the training
    /// mix of its values, largest share first (the customer's value against that mix, not
    /// against `typical`). Empty for a number, whose contribution is measured against the
    /// training mean (`typical`) for the logistic model and the training data's average for
    /// trees.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mix: Vec<Share>,
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
    /// ranks them) with the customer's value from `cells` read by each input's profile,
    /// and its typical value and mix. Every model kind explains through this, so a factor
    /// reads the same whoever computed it.
    pub fn from_contributions(
        log_odds: f64,
        baseline: f64,
        contributions: Vec<f64>,
        top: usize,
        inputs: &[String],
        cells: &[Cell<'_>],
        profiles: &[InputProfile],
    ) -> Explanation {
        let (mut up, mut down) = (Vec::new(), Vec::new());
        crate::explain::top_indices_into(&contributions, top, &mut up, &mut down);
        let readable = |s: usize| profiles[s].factor(&inputs[s], contributions[s], cells[s]);
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

impl InputProfile {
    /// The factor of input `name` with `contribution` for a customer whose value is `cell`.
    pub fn factor(&self, name: &str, contribution: f64, cell: Cell<'_>) -> ReadableFactor {
        ReadableFactor {
            name: name.to_string(),
            contribution,
            value: self.value(cell),
            typical: self.typical.clone(),
            mix: self.mix.clone(),
        }
    }
}

/// A value as an agent reads it (see [`FactorValue`]'s `Display`).
fn display(cell: Cell<'_>) -> String {
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
    /// What a factor of each input shows beside a customer's value (see [`InputProfile`]):
    /// the training mean of a number; the shares of a category's and a boolean's values,
    /// which are the training means of their encoded columns (the baseline the
    /// contributions are measured against), and the most common one.
    pub fn profiles(&self) -> Vec<InputProfile> {
        let mut j = 0;
        self.encoder
            .columns
            .iter()
            .map(|c| {
                let means = &self.column_mean[j..j + c.width()];
                j += c.width();
                match c {
                    EncodedColumn::Numeric { mean, .. } => InputProfile::numeric(Some(*mean)),
                    EncodedColumn::Categorical { categories, missing, .. } => {
                        let k = categories.len();
                        InputProfile::categorical(categories, &means[..k], missing.then(|| means[k]))
                    }
                    EncodedColumn::Boolean { .. } => InputProfile::boolean(means[0]),
                }
            })
            .collect()
    }

    /// The typical value of each input as text, for display next to a customer's (see
    /// [`Self::profiles`]).
    pub fn typical_values(&self) -> Vec<String> {
        self.profiles().iter().map(|p| p.typical.to_string()).collect()
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
            &self.profiles(),
        ))
    }
}
