//! One interface over every kind of likelihood-to-recommend model, for the ticket scorer
//! and the bindings: a logistic [`LtrModel`] and a [`BoostedLtrModel`] serve alike.
//!
//! [`AnyLtrModel`] is a model file of either kind (read by its `kind`); an [`LtrScorer`] is
//! one prepared to score and explain customer after customer (the logistic model's
//! explainer built once).
use ndarray::{Array2, ArrayView2};

use super::boosted_ltr::{BoostedLtrModel, BoostedLtrScratch};
use super::detractor_risk::DetractorRisk;
use super::ltr_model::LtrModel;
use crate::encode::{Cell, RawTable};
use crate::error::{NpsError, Result};
use crate::explain::LinearExplainer;
use crate::model::boosted::BOOSTED_KIND;

/// A likelihood-to-recommend model file of any kind.
#[derive(Debug, Clone, PartialEq)]
pub enum AnyLtrModel {
    /// Multinomial logistic regression ([`LtrModel`]).
    Logistic(LtrModel),
    /// Gradient-boosted trees ([`BoostedLtrModel`]).
    Boosted(BoostedLtrModel),
}

impl From<LtrModel> for AnyLtrModel {
    fn from(m: LtrModel) -> Self {
        AnyLtrModel::Logistic(m)
    }
}

impl From<BoostedLtrModel> for AnyLtrModel {
    fn from(m: BoostedLtrModel) -> Self {
        AnyLtrModel::Boosted(m)
    }
}

impl AnyLtrModel {
    /// Reads an LTR model file of either kind (by its `kind`: absent or `logistic`,
    /// `boosted_trees`), checked as that kind's `from_json` checks it.
    pub fn from_json(text: &str) -> Result<AnyLtrModel> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| NpsError::invalid("model file", e, "a JSON document"))?;
        match value.get("kind").and_then(|k| k.as_str()) {
            None | Some("logistic") => LtrModel::from_json(text).map(AnyLtrModel::Logistic),
            Some(BOOSTED_KIND) => BoostedLtrModel::from_json(text).map(AnyLtrModel::Boosted),
            Some(other) => Err(NpsError::unknown("model kind", other, &["logistic", BOOSTED_KIND])),
        }
    }

    /// The model file.
    pub fn to_json(&self) -> String {
        match self {
            AnyLtrModel::Logistic(m) => m.to_json(),
            AnyLtrModel::Boosted(m) => m.to_json(),
        }
    }

    /// `logistic` or `boosted_trees`.
    pub fn kind(&self) -> &'static str {
        match self {
            AnyLtrModel::Logistic(_) => "logistic",
            AnyLtrModel::Boosted(_) => BOOSTED_KIND,
        }
    }

    /// The named inputs, in cell and contribution order.
    pub fn inputs(&self) -> &[String] {
        match self {
            AnyLtrModel::Logistic(m) => &m.inputs,
            AnyLtrModel::Boosted(m) => &m.inputs,
        }
    }

    /// Respondents the model was trained on (the `trained_on` of [`super::predicted_nps`]).
    pub fn training_rows(&self) -> usize {
        match self {
            AnyLtrModel::Logistic(m) => m.training.rows,
            AnyLtrModel::Boosted(m) => m.training.rows,
        }
    }

    /// P(detractor), P(passive), P(promoter) for each row of a table of inputs.
    pub fn predict_proba(&self, table: &RawTable) -> Result<Array2<f64>> {
        match self {
            AnyLtrModel::Logistic(m) => m.predict_proba(table),
            AnyLtrModel::Boosted(m) => m.predict_proba(table),
        }
    }

    /// The same for a numeric matrix whose columns are the inputs named `names`.
    pub fn predict_proba_matrix(&self, x: ArrayView2<'_, f64>, names: &[String]) -> Result<Array2<f64>> {
        match self {
            AnyLtrModel::Logistic(m) => m.predict_proba_matrix(x, names),
            AnyLtrModel::Boosted(m) => m.predict_proba_matrix(x, names),
        }
    }

    /// The three probabilities of one customer given one cell per input (`scratch`
    /// receives the encoded or tree row): the model's own `score_cells`, to the bit.
    pub fn score_cells(&self, cells: &[Cell<'_>], scratch: &mut Vec<f64>) -> Result<[f64; 3]> {
        match self {
            AnyLtrModel::Logistic(m) => m.score_cells(cells, scratch),
            AnyLtrModel::Boosted(m) => m.score_cells(cells, scratch),
        }
    }

    /// One customer's detractor risk and attribution: the model's own `detractor_risk`.
    /// Building the logistic model's explainer each time, it is for one-off calls; an
    /// [`LtrScorer`] scores customer after customer.
    pub fn detractor_risk(&self, cells: &[Cell<'_>]) -> Result<DetractorRisk> {
        match self {
            AnyLtrModel::Logistic(m) => m.detractor_risk(cells),
            AnyLtrModel::Boosted(m) => m.detractor_risk(cells),
        }
    }
}

/// Buffers an [`LtrScorer`] reuses from one customer to the next.
#[derive(Debug, Clone, Default)]
pub struct LtrScratch {
    encoded: Vec<f64>,
    boosted: BoostedLtrScratch,
}

/// An LTR model of any kind, prepared to score and explain one customer after another.
#[derive(Debug, Clone)]
pub struct LtrScorer {
    model: AnyLtrModel,
    /// The logistic model's explainer (built once, not per customer).
    explainer: Option<LinearExplainer>,
}

impl LtrScorer {
    /// Prepares a model. Errors: a logistic model without `column_mean` (a file that
    /// predates attribution).
    pub fn new(model: impl Into<AnyLtrModel>) -> Result<LtrScorer> {
        let model = model.into();
        let explainer = match &model {
            AnyLtrModel::Logistic(m) => Some(m.detractor_explainer()?),
            AnyLtrModel::Boosted(_) => None,
        };
        Ok(LtrScorer { model, explainer })
    }

    /// The model.
    pub fn model(&self) -> &AnyLtrModel {
        &self.model
    }

    /// The named inputs, in cell and contribution order.
    pub fn inputs(&self) -> &[String] {
        self.model.inputs()
    }

    /// One customer's three probabilities (see [`AnyLtrModel::score_cells`]).
    pub fn score_cells(&self, cells: &[Cell<'_>], scratch: &mut LtrScratch) -> Result<[f64; 3]> {
        self.model.score_cells(cells, &mut scratch.encoded)
    }

    /// One customer's detractor risk and its exact attribution into `out` (buffers
    /// reused): the numbers of the model's own `detractor_risk`, to the bit.
    pub fn detractor_risk_into(
        &self,
        cells: &[Cell<'_>],
        scratch: &mut LtrScratch,
        out: &mut DetractorRisk,
    ) -> Result<()> {
        match (&self.model, &self.explainer) {
            (AnyLtrModel::Logistic(m), Some(e)) => m.detractor_risk_into(e, cells, &mut scratch.encoded, out),
            (AnyLtrModel::Boosted(m), _) => m.detractor_risk_into(cells, &mut scratch.boosted, out),
            (AnyLtrModel::Logistic(_), None) => unreachable!("a logistic scorer has its explainer"),
        }
    }
}
