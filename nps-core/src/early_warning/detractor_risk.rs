//! Detractor risk with its factors: the exact attribution of the likelihood-to-recommend
//! model's detractor log-odds to its inputs.
//!
//! Which log-odds: **detractor against promoter**, ln(P(detractor) / P(promoter)). Under the
//! softmax model it is linear in the encoded row, (b₀ − b₂) + (w₀ − w₂) · x, so its
//! attribution is exact in the same way as the churn model's: each encoded column
//! contributes (w₀ⱼ − w₂ⱼ)(xⱼ − training meanⱼ), the columns of one source (one-hot
//! categories, a value and its missing indicator) summed back to it, and the baseline (the
//! value at the training mean) plus the contributions is the customer's log-odds. It is the
//! quantity NPS itself weighs (promoters minus detractors); P(detractor) against the other
//! two is not linear in the inputs and has no exact additive attribution.
use ndarray::{Array1, Array2, ArrayView2};

use super::ltr_model::LtrModel;
use crate::encode::{Cell, RawTable};
use crate::error::{NpsError, Result};
use crate::explain::LinearExplainer;
use crate::model::{class_scores, softmax_in_place};

/// Index of the detractor class in the probability columns.
const DETRACTOR: usize = 0;
/// Index of the promoter class.
const PROMOTER: usize = 2;

/// The detractor attribution of many customers.
#[derive(Debug, Clone, PartialEq)]
pub struct DetractorContributions {
    /// One row per customer, one column per input ([`LtrModel::inputs`] order).
    pub contributions: Array2<f64>,
    /// ln(P(detractor) / P(promoter)) at the training mean.
    pub baseline: f64,
    /// Each customer's ln(P(detractor) / P(promoter)): baseline + its row of contributions.
    pub log_odds: Array1<f64>,
    /// Each customer's P(detractor).
    pub risk: Array1<f64>,
}

/// One customer's detractor risk and its attribution.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DetractorRisk {
    /// P(detractor), P(passive), P(promoter), as [`LtrModel::score_cells`] gives them.
    pub probabilities: [f64; 3],
    /// ln(P(detractor) / P(promoter)).
    pub log_odds: f64,
    /// Its value at the training mean.
    pub baseline: f64,
    /// Each input's contribution (positive pushes towards detractor), in
    /// [`LtrModel::inputs`] order; baseline + Σ = `log_odds`.
    pub contributions: Vec<f64>,
}

impl LtrModel {
    /// The exact attribution of ln(P(detractor) / P(promoter)) to the inputs (see the
    /// module doc). Errors when the model file has no `column_mean` (written before it was
    /// recorded: retrain or refit to explain).
    pub fn detractor_explainer(&self) -> Result<LinearExplainer> {
        if self.column_mean.is_empty() {
            return Err(NpsError::Empty {
                field: "column_mean (the model file predates attribution; refit it)".into(),
            });
        }
        let coef: Vec<f64> = self.coef[DETRACTOR].iter().zip(&self.coef[PROMOTER]).map(|(d, p)| d - p).collect();
        LinearExplainer::new(
            &coef,
            self.intercept[DETRACTOR] - self.intercept[PROMOTER],
            &self.column_mean,
            &self.encoder.column_sources(),
            self.inputs.clone(),
        )
    }

    /// The detractor attribution of every row of a table of inputs.
    pub fn detractor_contributions(&self, table: &RawTable) -> Result<DetractorContributions> {
        self.detractor_contributions_encoded(self.encoder.transform(table)?.view())
    }

    /// The same for a numeric matrix whose columns are the inputs named `names`.
    pub fn detractor_contributions_matrix(
        &self,
        x: ArrayView2<'_, f64>,
        names: &[String],
    ) -> Result<DetractorContributions> {
        self.detractor_contributions_encoded(self.encoder.transform_matrix(x, names)?.view())
    }

    fn detractor_contributions_encoded(&self, x: ArrayView2<'_, f64>) -> Result<DetractorContributions> {
        let explainer = self.detractor_explainer()?;
        let contributions = explainer.contributions(x)?;
        let mut z = [0.0; 3];
        let (mut log_odds, mut risk) = (Vec::with_capacity(x.nrows()), Vec::with_capacity(x.nrows()));
        for row in x.rows() {
            class_scores(&self.coef, &self.intercept, row.iter().copied(), &mut z);
            log_odds.push(z[DETRACTOR] - z[PROMOTER]);
            softmax_in_place(&mut z);
            risk.push(z[DETRACTOR]);
        }
        Ok(DetractorContributions {
            contributions,
            baseline: explainer.baseline,
            log_odds: Array1::from(log_odds),
            risk: Array1::from(risk),
        })
    }

    /// One customer's detractor risk and attribution, given one cell per input, with an
    /// explainer from [`Self::detractor_explainer`] (built once and reused); `scratch`
    /// receives the encoded row, `out` the result (its buffers are reused).
    pub fn detractor_risk_into(
        &self,
        explainer: &LinearExplainer,
        cells: &[Cell<'_>],
        scratch: &mut Vec<f64>,
        out: &mut DetractorRisk,
    ) -> Result<()> {
        scratch.resize(self.columns.len(), 0.0);
        self.encoder.encode_row(cells, 0, scratch)?;
        let mut z = [0.0; 3];
        class_scores(&self.coef, &self.intercept, scratch.iter().copied(), &mut z);
        out.log_odds = z[DETRACTOR] - z[PROMOTER];
        softmax_in_place(&mut z);
        out.probabilities = z;
        out.baseline = explainer.baseline;
        out.contributions.resize(self.inputs.len(), 0.0);
        explainer.contributions_into(ndarray::ArrayView1::from(&scratch[..]), &mut out.contributions)
    }

    /// One customer's detractor risk and attribution (see [`Self::detractor_risk_into`]).
    pub fn detractor_risk(&self, cells: &[Cell<'_>]) -> Result<DetractorRisk> {
        let mut out = DetractorRisk::default();
        self.detractor_risk_into(&self.detractor_explainer()?, cells, &mut Vec::new(), &mut out)?;
        Ok(out)
    }
}
