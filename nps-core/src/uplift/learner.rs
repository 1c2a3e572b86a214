//! The churn learner an uplift model is built on, and the customers' inputs it reads: the
//! library's logistic [`ChurnModel`] or its boosted trees [`BoostedChurnModel`], on a
//! numeric matrix or a table.
use ndarray::{ArrayView2, Axis};
use serde::{Deserialize, Serialize};

use crate::encode::{ColumnSpec, RawTable};
use crate::error::{NpsError, Result};
use crate::model::boosted::{BoostedChurnModel, BoostingOptions};
use crate::model::{AnyChurnModel, ChurnModel, ChurnModelOptions};

/// The learners' names, as a caller spells them.
pub const UPLIFT_LEARNERS: [&str; 2] = ["logistic", "boosted"];

/// The learner by default.
pub const DEFAULT_UPLIFT_LEARNER: &str = "logistic";

/// Which churn model an uplift model fits, with its training options.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "learner", content = "options", rename_all = "snake_case")]
pub enum UpliftLearner {
    /// L2-regularised logistic regression ([`ChurnModel`]).
    Logistic(ChurnModelOptions),
    /// Gradient-boosted trees ([`BoostedChurnModel`]).
    Boosted(BoostingOptions),
}

impl Default for UpliftLearner {
    fn default() -> Self {
        UpliftLearner::Logistic(ChurnModelOptions::default())
    }
}

impl UpliftLearner {
    /// The learner named `name` (one of [`UPLIFT_LEARNERS`]) with its options as JSON (the
    /// learner's option struct; absent fields take their defaults; `None`: all defaults).
    pub fn named(name: &str, options: Option<&str>) -> Result<UpliftLearner> {
        let options = options.unwrap_or("{}");
        let parse = |what: &str| NpsError::invalid("options", options, what);
        match name {
            "logistic" => serde_json::from_str(options)
                .map(UpliftLearner::Logistic)
                .map_err(|e| parse(&format!("the logistic learner's options ({e})"))),
            "boosted" => serde_json::from_str(options)
                .map(UpliftLearner::Boosted)
                .map_err(|e| parse(&format!("the boosted learner's options ({e})"))),
            other => Err(NpsError::unknown_closest("learner", other, &UPLIFT_LEARNERS)),
        }
    }
}

/// Customers' inputs: a numeric matrix with named columns (NaN missing), or a table with
/// the spec of each column.
#[derive(Debug, Clone, Copy)]
pub enum UpliftInputs<'a> {
    /// A matrix read in place: rows customers, columns the inputs named `names`.
    Matrix {
        /// The values.
        x: ArrayView2<'a, f64>,
        /// The columns' names.
        names: &'a [String],
    },
    /// A table; `specs` say how each input is read (used in training only).
    Table {
        /// The table.
        table: &'a RawTable,
        /// The inputs' specs.
        specs: &'a [ColumnSpec],
    },
}

impl UpliftInputs<'_> {
    /// Rows.
    pub fn rows(&self) -> usize {
        match self {
            UpliftInputs::Matrix { x, .. } => x.nrows(),
            UpliftInputs::Table { table, .. } => table.len(),
        }
    }
}

/// Fits `learner` on the rows `rows` of `inputs` (all with `None`) with labels `y` (one
/// per selected row) and optional weights.
pub(crate) fn fit_churn(
    learner: &UpliftLearner,
    inputs: &UpliftInputs<'_>,
    rows: Option<&[usize]>,
    y: &[f64],
    weight: Option<&[f64]>,
) -> Result<AnyChurnModel> {
    match inputs {
        UpliftInputs::Matrix { x, names } => {
            let selected = rows.map(|r| x.select(Axis(0), r));
            let x = selected.as_ref().map_or(*x, |s| s.view());
            Ok(match learner {
                UpliftLearner::Logistic(o) => ChurnModel::fit_matrix(x, names, y, weight, o)?.into(),
                UpliftLearner::Boosted(o) => BoostedChurnModel::fit_matrix(x, names, y, weight, None, o)?.into(),
            })
        }
        UpliftInputs::Table { table, specs } => {
            let selected = rows.map(|r| table.select(r));
            let table = selected.as_ref().unwrap_or(table);
            Ok(match learner {
                UpliftLearner::Logistic(o) => ChurnModel::fit(table, y, weight, specs, o)?.into(),
                UpliftLearner::Boosted(o) => BoostedChurnModel::fit(table, y, weight, specs, None, o)?.into(),
            })
        }
    }
}

/// P(label 1) of a fitted churn model for each row of `inputs`.
pub(crate) fn probability(model: &AnyChurnModel, inputs: &UpliftInputs<'_>) -> Result<Vec<f64>> {
    let p = match (model, inputs) {
        (AnyChurnModel::Logistic(m), UpliftInputs::Matrix { x, names }) => m.predict_proba_matrix(*x, names)?,
        (AnyChurnModel::Boosted(m), UpliftInputs::Matrix { x, names }) => m.predict_proba_matrix(*x, names)?,
        (AnyChurnModel::Logistic(m), UpliftInputs::Table { table, .. }) => m.predict_proba(table)?,
        (AnyChurnModel::Boosted(m), UpliftInputs::Table { table, .. }) => m.predict_proba(table)?,
    };
    Ok(p.to_vec())
}

/// Checks churn labels and an assignment against `rows` rows, and splits the rows into
/// (treated, control), each not empty.
pub(crate) fn split_groups(rows: usize, y: &[f64], treated: &[f64]) -> Result<(Vec<usize>, Vec<usize>)> {
    if rows == 0 {
        return Err(NpsError::Empty { field: "X".into() });
    }
    super::outcome::check_binary("y", y, rows, "the rows of X")?;
    super::outcome::check_campaign(y, treated)?;
    let t: Vec<usize> = (0..rows).filter(|&i| treated[i] == 1.0).collect();
    let c: Vec<usize> = (0..rows).filter(|&i| treated[i] == 0.0).collect();
    Ok((t, c))
}

/// A churn model as a JSON value inside another file.
pub(crate) fn embedded(model: &AnyChurnModel) -> serde_json::Value {
    serde_json::from_str(&model.to_json()).expect("a model file is JSON")
}

/// A churn model read from a JSON value inside another file (`field` names it in errors).
pub(crate) fn from_embedded(value: &serde_json::Value, field: &str) -> Result<AnyChurnModel> {
    AnyChurnModel::from_json(&value.to_string()).map_err(|e| e.within(field))
}
