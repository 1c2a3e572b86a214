//! One interface over every kind of churn model: what the ticket scorer, early warning and
//! next-best-action use, so that a logistic model and a boosted one serve alike.
//!
//! [`AnyChurnModel`] is a model file of either kind (read by its `kind`); a
//! [`ChurnScorer`] is one prepared for scoring customer after customer (the logistic
//! model's explainer and each kind's typical values resolved once).
use super::boosted::{BoostedChurnModel, BoostedScratch, BOOSTED_KIND};
use super::churn_model::ChurnModel;
use super::explanation::{Explanation, InputProfile};
use super::logistic::linear;
use crate::encode::Cell;
use crate::error::{NpsError, Result};
use crate::explain::LinearExplainer;

/// A churn model file of any kind.
// A model is loaded once and scored many times: its size is no concern, an indirection on
// every score would be.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum AnyChurnModel {
    /// Logistic regression ([`ChurnModel`]).
    Logistic(ChurnModel),
    /// Gradient-boosted trees ([`BoostedChurnModel`]).
    Boosted(BoostedChurnModel),
}

impl From<ChurnModel> for AnyChurnModel {
    fn from(m: ChurnModel) -> Self {
        AnyChurnModel::Logistic(m)
    }
}

impl From<BoostedChurnModel> for AnyChurnModel {
    fn from(m: BoostedChurnModel) -> Self {
        AnyChurnModel::Boosted(m)
    }
}

impl AnyChurnModel {
    /// Reads a churn model file of either kind (by its `kind`: absent or `logistic`,
    /// `boosted_trees`), checked as that kind's `from_json` checks it.
    pub fn from_json(text: &str) -> Result<AnyChurnModel> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| NpsError::invalid("model file", e, "a JSON document"))?;
        match value.get("kind").and_then(|k| k.as_str()) {
            None | Some("logistic") => ChurnModel::from_json(text).map(AnyChurnModel::Logistic),
            Some(BOOSTED_KIND) => BoostedChurnModel::from_json(text).map(AnyChurnModel::Boosted),
            Some(other) => Err(NpsError::unknown("model kind", other, &["logistic", BOOSTED_KIND])),
        }
    }

    /// The model file.
    pub fn to_json(&self) -> String {
        match self {
            AnyChurnModel::Logistic(m) => m.to_json(),
            AnyChurnModel::Boosted(m) => m.to_json(),
        }
    }

    /// `logistic` or `boosted_trees`.
    pub fn kind(&self) -> &'static str {
        match self {
            AnyChurnModel::Logistic(_) => "logistic",
            AnyChurnModel::Boosted(_) => BOOSTED_KIND,
        }
    }

    /// The named inputs.
    pub fn inputs(&self) -> &[String] {
        match self {
            AnyChurnModel::Logistic(m) => &m.inputs,
            AnyChurnModel::Boosted(m) => &m.inputs,
        }
    }

    /// The feature definitions the inputs are computed with, if recorded.
    pub fn features(&self) -> Option<&serde_json::Value> {
        match self {
            AnyChurnModel::Logistic(m) => m.features.as_ref(),
            AnyChurnModel::Boosted(m) => m.features.as_ref(),
        }
    }
}

/// Buffers a [`ChurnScorer`] reuses from one customer to the next.
#[derive(Debug, Clone, Default)]
pub struct ScorerScratch {
    encoded: Vec<f64>,
    boosted: BoostedScratch,
}

/// A churn model of any kind, prepared to score and explain one customer after another.
#[derive(Debug, Clone)]
pub struct ChurnScorer {
    model: AnyChurnModel,
    /// The logistic model's explainer (built once, not per customer).
    explainer: Option<LinearExplainer>,
    profiles: Vec<InputProfile>,
    baseline: f64,
}

impl ChurnScorer {
    /// Prepares a model.
    pub fn new(model: impl Into<AnyChurnModel>) -> Result<ChurnScorer> {
        let model = model.into();
        let (explainer, profiles, baseline) = match &model {
            AnyChurnModel::Logistic(m) => {
                let e = m.explainer()?;
                let b = e.baseline;
                (Some(e), m.profiles(), b)
            }
            AnyChurnModel::Boosted(m) => (None, m.profiles.clone(), m.expected_value),
        };
        Ok(ChurnScorer { model, explainer, profiles, baseline })
    }

    /// The model.
    pub fn model(&self) -> &AnyChurnModel {
        &self.model
    }

    /// The named inputs, in cell and contribution order.
    pub fn inputs(&self) -> &[String] {
        self.model.inputs()
    }

    /// What a factor of each input shows beside a customer's value (typical value and
    /// training mix), in [`Self::inputs`] order.
    pub fn profiles(&self) -> &[InputProfile] {
        &self.profiles
    }

    /// The log-odds all attribution starts from (the logistic model's log-odds at the
    /// training mean; the boosted model's expected value).
    pub fn baseline(&self) -> f64 {
        self.baseline
    }

    /// The log-odds of one customer (cells in [`Self::inputs`] order) and each input's
    /// exact contribution into `contributions`: baseline + Σ contributions = log-odds. The
    /// numbers of the model's own `explain_cells`, to the bit.
    pub fn attribute_cells(
        &self,
        cells: &[Cell<'_>],
        scratch: &mut ScorerScratch,
        contributions: &mut [f64],
    ) -> Result<f64> {
        match (&self.model, &self.explainer) {
            (AnyChurnModel::Logistic(m), Some(e)) => {
                scratch.encoded.resize(m.coef.len(), 0.0);
                m.encoder.encode_row(cells, 0, &mut scratch.encoded)?;
                e.contributions_into(ndarray::ArrayView1::from(&scratch.encoded[..]), contributions)?;
                Ok(linear(scratch.encoded.iter().copied(), &m.coef, m.intercept))
            }
            (AnyChurnModel::Boosted(m), _) => m.attribute_cells(cells, &mut scratch.boosted, contributions),
            (AnyChurnModel::Logistic(_), None) => unreachable!("a logistic scorer has its explainer"),
        }
    }

    /// P(churn) of one customer.
    pub fn score_cells(&self, cells: &[Cell<'_>], scratch: &mut ScorerScratch) -> Result<f64> {
        match &self.model {
            AnyChurnModel::Logistic(m) => m.score_cells(cells, &mut scratch.encoded),
            AnyChurnModel::Boosted(m) => m.score_cells(cells, &mut scratch.encoded),
        }
    }

    /// One customer explained: probability, contributions, the `top` factors each way.
    pub fn explain_cells(&self, cells: &[Cell<'_>], top: usize, scratch: &mut ScorerScratch) -> Result<Explanation> {
        let mut contributions = vec![0.0; self.inputs().len()];
        let log_odds = self.attribute_cells(cells, scratch, &mut contributions)?;
        Ok(Explanation::from_contributions(
            log_odds,
            self.baseline,
            contributions,
            top,
            self.inputs(),
            cells,
            &self.profiles,
        ))
    }
}
