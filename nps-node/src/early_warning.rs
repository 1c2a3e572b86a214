//! Node functions for `nps_core::early_warning`.
use napi::bindgen_prelude::{Either, Float64Array};
use napi_derive::napi;
use nps_core::early_warning::{self as core};

use crate::convert::{booleans, floats, NumericArray};
use crate::error::{IntoNapi, Result};

/// Churn in one group of customers, with the Wilson interval of its rate.
#[napi(object)]
pub struct GroupChurn {
    pub customers: u32,
    pub churned: u32,
    /// NaN for an empty group.
    pub rate: f64,
    pub low: f64,
    pub high: f64,
}

impl From<&core::GroupChurn> for GroupChurn {
    fn from(g: &core::GroupChurn) -> Self {
        GroupChurn { customers: g.customers as u32, churned: g.churned as u32, rate: g.rate, low: g.low, high: g.high }
    }
}

/// What moving a share of detractors to passives would do (simple arithmetic on the
/// observed rates, not a causal estimate).
#[napi(object)]
pub struct ChurnReduction {
    pub share: f64,
    pub customers_moved: f64,
    pub churners_avoided: f64,
    pub churn_rate_before: f64,
    pub churn_rate_after: f64,
}

/// Churn by NPS category and score.
#[napi(object)]
pub struct ChurnByNps {
    pub level: f64,
    pub detractors: GroupChurn,
    pub passives: GroupChurn,
    pub promoters: GroupChurn,
    /// One group per score 0–10.
    pub by_score: Vec<GroupChurn>,
    /// Detractors' churn rate over promoters', with its Katz log interval.
    pub relative_risk: f64,
    pub relative_risk_low: f64,
    pub relative_risk_high: f64,
    /// Pearson's chi-square test of independence (category × churn).
    pub chi_square: f64,
    pub chi_square_df: u32,
    pub p_value: f64,
    /// The what-if for `options.reductionShare` (default 0.25) of detractors.
    pub reduction: ChurnReduction,
}

/// Options of `churnByNps`.
#[napi(object)]
#[derive(Default)]
pub struct ChurnByNpsOptions {
    /// Confidence level (0.95).
    pub level: Option<f64>,
    /// Share of detractors in the what-if (0.25).
    pub reduction_share: Option<f64>,
}

/// Churn by NPS answer: `scores` on the 0–10 scale, `churned` booleans or 0/1.
#[napi(catch_unwind)]
pub fn churn_by_nps(
    scores: NumericArray,
    churned: Either<Vec<bool>, NumericArray>,
    options: Option<ChurnByNpsOptions>,
) -> Result<ChurnByNps> {
    let o = options.unwrap_or_default();
    let churned = booleans(&churned, "churned")?;
    let r = core::churn_by_nps(&floats(&scores), &churned, o.level.unwrap_or(0.95)).into_napi()?;
    let red = r.reduction(o.reduction_share.unwrap_or(0.25)).into_napi()?;
    Ok(ChurnByNps {
        level: r.level,
        detractors: (&r.detractors).into(),
        passives: (&r.passives).into(),
        promoters: (&r.promoters).into(),
        by_score: r.by_score.iter().map(Into::into).collect(),
        relative_risk: r.relative_risk,
        relative_risk_low: r.relative_risk_low,
        relative_risk_high: r.relative_risk_high,
        chi_square: r.chi_square.statistic,
        chi_square_df: r.chi_square.df,
        p_value: r.chi_square.p_value,
        reduction: ChurnReduction {
            share: red.share,
            customers_moved: red.customers_moved,
            churners_avoided: red.churners_avoided,
            churn_rate_before: red.churn_rate_before,
            churn_rate_after: red.churn_rate_after,
        },
    })
}

/// A likelihood-to-recommend model, loaded from its file.
#[napi]
pub struct LtrModel {
    inner: core::LtrModel,
}

/// The three probabilities of one customer.
#[napi(object)]
pub struct LtrProbabilities {
    pub detractor: f64,
    pub passive: f64,
    pub promoter: f64,
}

#[napi]
impl LtrModel {
    /// Reads a model file (`"nps.ltr_model"`); everything is checked.
    #[napi(factory, catch_unwind)]
    pub fn from_json(text: String) -> Result<LtrModel> {
        Ok(LtrModel { inner: core::LtrModel::from_json(&text).into_napi()? })
    }

    /// The model file.
    #[napi]
    pub fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// The inputs a customer must provide.
    #[napi(getter)]
    pub fn inputs(&self) -> Vec<String> {
        self.inner.inputs.clone()
    }

    /// Respondents the model was trained on.
    #[napi(getter)]
    pub fn training_rows(&self) -> u32 {
        self.inner.training.rows as u32
    }

    /// P(detractor), P(passive), P(promoter) of one customer (named inputs; null = missing).
    #[napi(catch_unwind, ts_args_type = "customer: Record<string, number | string | boolean | null | undefined>")]
    pub fn score(&self, customer: crate::convert::Inputs) -> Result<LtrProbabilities> {
        let cells = crate::convert::input_cells(&self.inner.inputs, &customer)?;
        let p = self.inner.score_cells(&cells, &mut Vec::new()).into_napi()?;
        Ok(LtrProbabilities { detractor: p[0], passive: p[1], promoter: p[2] })
    }
}

/// Row-major (detractor, passive, promoter) probabilities as rows of three.
fn proba_rows(proba: &[f64]) -> Result<ndarray::ArrayView2<'_, f64>> {
    if !proba.len().is_multiple_of(3) {
        return Err(crate::error::to_napi(nps_core::NpsError::invalid(
            "proba",
            format!("{} numbers", proba.len()),
            "rows of 3 (detractor, passive, promoter)",
        )));
    }
    Ok(ndarray::ArrayView2::from_shape((proba.len() / 3, 3), proba).expect("divisible by 3"))
}

/// A predicted NPS with its interval.
#[napi(object)]
pub struct PredictedNps {
    pub n: u32,
    pub nps: f64,
    pub se: f64,
    pub low: f64,
    pub high: f64,
    pub level: f64,
}

/// Options of `predictedNps`.
#[napi(object)]
#[derive(Default)]
pub struct PredictedNpsOptions {
    /// Respondents the model was trained on (counts the uncertainty of its level).
    pub trained_on: Option<u32>,
    /// Confidence level (0.95).
    pub level: Option<f64>,
    /// Actual 0–10 answers (NaN where none) for a blended NPS.
    pub answers: Option<Vec<f64>>,
}

/// NPS from row-major (detractor, passive, promoter) probabilities, with an interval.
#[napi(catch_unwind)]
pub fn predicted_nps(proba: Float64Array, options: Option<PredictedNpsOptions>) -> Result<PredictedNps> {
    let o = options.unwrap_or_default();
    let view = proba_rows(&proba)?;
    let p = core::blended_nps(view, o.answers.as_deref(), o.trained_on.unwrap_or(0) as usize, o.level.unwrap_or(0.95))
        .into_napi()?;
    Ok(PredictedNps { n: p.n as u32, nps: p.nps, se: p.se, low: p.low, high: p.high, level: p.level })
}

/// How well predicted categories match the answers.
#[napi(object)]
pub struct LtrEvaluation {
    pub answered: u32,
    pub coverage: f64,
    pub log_loss: f64,
    pub detractor_auc: f64,
    pub threshold: f64,
    pub precision: f64,
    pub recall: f64,
}

/// Multiclass log loss, detractor-vs-rest AUC, precision/recall of detractor alerts at
/// `threshold` (0.5) and coverage, from row-major (detractor, passive, promoter)
/// probabilities and 0–10 answers (NaN where none).
#[napi(catch_unwind)]
pub fn evaluate_ltr(proba: Float64Array, answers: Vec<f64>, threshold: Option<f64>) -> Result<LtrEvaluation> {
    let view = proba_rows(&proba)?;
    let e = core::evaluate_ltr(view, &answers, threshold.unwrap_or(0.5)).into_napi()?;
    Ok(LtrEvaluation {
        answered: e.answered as u32,
        coverage: e.coverage,
        log_loss: e.log_loss,
        detractor_auc: e.detractor_auc,
        threshold: e.threshold,
        precision: e.precision,
        recall: e.recall,
    })
}
