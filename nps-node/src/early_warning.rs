//! Node functions for `nps_core::early_warning`.
use napi::bindgen_prelude::{
    Either, Float64Array, Float64ArraySlice, FromNapiValue, Function, FunctionRef, JsObjectValue, JsValue, Object,
    Unknown,
};
use napi::Env;
use napi_derive::napi;
use nps_core::action::Customer;
use nps_core::early_warning::{self as core};
use nps_core::model::FactorValue;
use nps_core::stats::DEFAULT_LEVEL;
use nps_core::synth::Rng;
use serde::Serialize;

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

/// The retention features that hold a respondent's survey answer: leave them out of a
/// likelihood-to-recommend model trained on respondents, or it learns the label itself.
#[napi]
pub fn survey_answer_features() -> Vec<String> {
    core::SURVEY_ANSWER_FEATURES.iter().map(|s| s.to_string()).collect()
}

/// Churn by NPS answer: `scores` on the 0–10 scale, `churned` booleans or 0/1.
#[napi(catch_unwind)]
pub fn churn_by_nps(
    scores: NumericArray,
    churned: crate::convert::Flags,
    #[napi(ts_arg_type = "ChurnByNpsOptions | undefined | null")] options: Option<
        crate::convert::Obj<ChurnByNpsOptions>,
    >,
) -> Result<ChurnByNps> {
    let options = options.map(|o| o.0);
    let o = options.unwrap_or_default();
    let churned = booleans(&churned, "churned")?;
    let r = core::churn_by_nps(&floats(&scores), &churned, o.level.unwrap_or(DEFAULT_LEVEL)).into_napi()?;
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

/// Options of `LtrModel.fit`: those of `ChurnModel.fit` that a multinomial model has.
#[napi(object)]
#[derive(Default)]
pub struct LtrFitOptions {
    /// Inverse L2 strength (1).
    pub c: Option<f64>,
    /// Fit an intercept (true).
    pub fit_intercept: Option<bool>,
    /// Newton's stopping tolerance (1e-8).
    pub tol: Option<f64>,
    /// Newton steps, at most (100).
    pub max_iter: Option<f64>,
    /// Kind overrides; the other columns' kinds are inferred (`inferKinds`).
    #[napi(ts_type = "Record<string, ColumnKind>")]
    pub kinds: Option<std::collections::HashMap<String, String>>,
    /// Columns to leave out (ids, the answer).
    pub exclude: Option<Vec<String>>,
    /// A category not seen in training, when scoring: `'error'` (default) or `'ignore'`.
    #[napi(ts_type = "'error' | 'ignore'")]
    pub unseen: Option<String>,
    /// Standardise numeric inputs (true).
    pub standardize: Option<bool>,
    /// One weight per row.
    pub sample_weight: Option<Vec<f64>>,
}

/// The training run of `LtrModel.fit`, its inputs converted on the JavaScript thread.
fn ltr_fit(
    table: &napi::bindgen_prelude::Object<'_>,
    scores: Vec<f64>,
    o: LtrFitOptions,
) -> Result<impl FnOnce() -> nps_core::Result<core::LtrModel> + Send> {
    let data = crate::model::FitData::scores(table, scores, o.kinds.as_ref(), o.exclude.as_deref(), o.sample_weight)?;
    let class_weight = nps_core::model::ClassWeight::None;
    let options = crate::model::model_options(
        o.c,
        o.fit_intercept,
        o.tol,
        o.max_iter,
        class_weight,
        o.unseen.as_deref(),
        o.standardize,
    )?;
    Ok(move || core::LtrModel::fit(&data.table, &data.y, data.sample_weight.as_deref(), &data.specs, &options))
}

crate::model::fit_methods!(
    LtrModel,
    [
        " Trains on respondents: a table of their inputs (`readCsv`'s shape; kinds inferred as",
        " `inferKinds` does) and their 0–10 answers, one per row. The same numbers as Python's",
        " `LtrModel.fit` on the same table."
    ],
    "table: Table, scores: number[], options?: LtrFitOptions",
    "Promise<LtrModel>",
    (table: napi::bindgen_prelude::Object<'_>, scores: Vec<f64>, options: Option<crate::convert::Obj<LtrFitOptions>>)
        => ltr_fit(&table, scores, options.map(|o| o.0).unwrap_or_default()),
    |m| LtrModel { inner: m }
);

#[napi]
impl LtrModel {
    /// Reads a model file (`"nps.ltr_model"`); everything is checked.
    #[napi(factory, catch_unwind)]
    pub fn from_json(text: String) -> Result<LtrModel> {
        Ok(LtrModel { inner: core::LtrModel::from_json(&text).into_napi()? })
    }
}

/// A boosted likelihood-to-recommend model (gradient-boosted trees, a softmax over
/// detractor, passive and promoter): trained here or loaded from its file.
#[napi]
pub struct BoostedLtrModel {
    inner: core::BoostedLtrModel,
}

/// The training run of `BoostedLtrModel.fit`: `BoostedChurnModel.fit`'s options but the
/// binary ones (class weights, monotone constraints, the positive label), which are refused.
fn boosted_ltr_fit(
    table: &napi::bindgen_prelude::Object<'_>,
    scores: Vec<f64>,
    mut o: crate::boosted::BoostedFitOptions,
) -> Result<impl FnOnce() -> nps_core::Result<core::BoostedLtrModel> + Send> {
    for (name, given) in [
        ("classWeight", o.class_weight.is_some()),
        ("monotone", o.monotone.is_some()),
        ("posLabel", o.pos_label.is_some()),
    ] {
        if given {
            return Err(crate::error::to_napi(nps_core::NpsError::invalid(
                name,
                "given",
                "absent: a likelihood-to-recommend model has three categories, not a positive label",
            )));
        }
    }
    let weights = o.sample_weight.take();
    let data = crate::model::FitData::scores(table, scores, o.kinds.as_ref(), o.exclude.as_deref(), weights)?;
    let options = crate::boosted::boosting_options(&o)?;
    Ok(move || {
        core::BoostedLtrModel::fit(&data.table, &data.y, data.sample_weight.as_deref(), &data.specs, None, &options)
    })
}

crate::model::fit_methods!(
    BoostedLtrModel,
    [
        " Trains on respondents: a table of their inputs and their 0–10 answers, with the",
        " options of `BoostedChurnModel.fit` but the binary ones. The same numbers as Python's",
        " `BoostedLtrModel.fit` on the same table."
    ],
    "table: Table, scores: number[], options?: BoostedFitOptions",
    "Promise<BoostedLtrModel>",
    (table: napi::bindgen_prelude::Object<'_>, scores: Vec<f64>, options: Option<crate::convert::Obj<crate::boosted::BoostedFitOptions>>)
        => boosted_ltr_fit(&table, scores, options.map(|o| o.0).unwrap_or_default()),
    |m| BoostedLtrModel { inner: m }
);

#[napi]
impl BoostedLtrModel {
    /// Reads a model file (`"nps.ltr_model"` version 2, kind `boosted_trees`); everything
    /// is checked.
    #[napi(factory, catch_unwind)]
    pub fn from_json(text: String) -> Result<BoostedLtrModel> {
        Ok(BoostedLtrModel { inner: core::BoostedLtrModel::from_json(&text).into_napi()? })
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
    pub trained_on: Option<f64>,
    /// Confidence level (0.95).
    pub level: Option<f64>,
    /// Actual 0–10 answers (NaN where none) for a blended NPS.
    pub answers: Option<Vec<f64>>,
}

/// NPS from row-major (detractor, passive, promoter) probabilities, with an interval.
#[napi(catch_unwind)]
pub fn predicted_nps(
    proba: Float64Array,
    #[napi(ts_arg_type = "PredictedNpsOptions | undefined | null")] options: Option<
        crate::convert::Obj<PredictedNpsOptions>,
    >,
) -> Result<PredictedNps> {
    let options = options.map(|o| o.0);
    let o = options.unwrap_or_default();
    let view = proba_rows(&proba)?;
    let p = core::blended_nps(
        view,
        o.answers.as_deref(),
        crate::convert::size(o.trained_on, "trainedOn", 0.0, 0)?,
        o.level.unwrap_or(DEFAULT_LEVEL),
    )
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

/// The (weighted) share of rows whose most probable category, from row-major (detractor,
/// passive, promoter) probabilities, is the category of their 0–10 answer: Python's
/// `LtrModel.score` (scikit-learn's accuracy). Every row needs an answer.
#[napi(catch_unwind)]
pub fn ltr_accuracy(proba: Float64Array, answers: Vec<f64>, weights: Option<Vec<f64>>) -> Result<f64> {
    core::ltr_accuracy(proba_rows(&proba)?, &answers, weights.as_deref()).into_napi()
}

/// Options of `detractorAlerts`.
#[napi(object)]
#[derive(Default)]
pub struct AlertOptions {
    /// One value per customer (revenue, say; 1 for everyone when absent).
    pub value: Option<Vec<f64>>,
    /// How many customers (100).
    pub top: Option<f64>,
    /// Factors per customer (3).
    pub factors: Option<f64>,
}

/// One customer of `detractorAlerts`.
#[napi(object)]
pub struct DetractorAlert {
    /// The customer's row.
    pub row: u32,
    /// P(detractor).
    pub detractor_risk: f64,
    /// The customer's value (1 without values).
    pub value: f64,
    /// detractorRisk × value: the ranking key.
    pub expected: f64,
    /// The columns of the inputs pushing the customer most towards detractor, largest first.
    pub factors: Vec<u32>,
}

/// The customers to call first: the `top` rows of highest P(detractor) × value (ties in row
/// order), each with its `factors` inputs of largest positive contribution to
/// ln(P(detractor) / P(promoter)). `contributions` is row-major, one row per customer (as many
/// rows as `risk` has numbers). Python's `LtrModel.alerts` ranks with the same core function.
#[napi(
    catch_unwind,
    ts_args_type = "risk: NumericArray, contributions: Float64Array, options?: AlertOptions | undefined | null"
)]
pub fn detractor_alerts(
    risk: crate::convert::NumericArray<'_>,
    contributions: Float64Array,
    options: Option<crate::convert::Obj<AlertOptions>>,
) -> Result<Vec<DetractorAlert>> {
    let o = options.map(|o| o.0).unwrap_or_default();
    let risk = crate::convert::floats(&risk);
    let inputs = match (risk.len(), contributions.len()) {
        (0, 0) => 0,
        (n, len) if n > 0 && len.is_multiple_of(n) => len / n,
        (n, len) => {
            return Err(crate::error::to_napi(nps_core::NpsError::invalid(
                "contributions",
                format!("{len} numbers"),
                &format!("one row of contributions per customer ({n} rows)"),
            )))
        }
    };
    let view = ndarray::ArrayView2::from_shape((risk.len(), inputs), &contributions).expect("checked above");
    let top = crate::convert::size(o.top, "top", 0.0, core::DEFAULT_ALERTS)?;
    let factors = crate::convert::size(o.factors, "factors", 0.0, nps_core::explain::DEFAULT_TOP_FACTORS)?;
    let alerts = core::detractor_alerts(&risk, o.value.as_deref(), view, top, factors).into_napi()?;
    Ok(alerts
        .into_iter()
        .map(|a| DetractorAlert {
            row: a.row as u32,
            detractor_risk: a.detractor_risk,
            value: a.value,
            expected: a.expected,
            factors: a.factors.into_iter().map(|f| f as u32).collect(),
        })
        .collect())
}

/// One factor: an input and its contribution to the log-odds.
#[napi(object)]
pub struct TicketFactor {
    pub name: String,
    /// Positive raises the risk (of churn, or of being a detractor).
    pub contribution: f64,
}

fn named_factors(index: &[usize], names: &[String], contributions: &[f64]) -> Vec<TicketFactor> {
    index.iter().map(|&i| TicketFactor { name: names[i].clone(), contribution: contributions[i] }).collect()
}

/// Detractor risk and the factors behind it: the attribution of
/// ln(P(detractor) / P(promoter)), exact (baseline + every input's contribution = logOdds).
#[napi(object)]
pub struct DetractorRisk {
    /// P(detractor).
    pub probability: f64,
    pub passive: f64,
    pub promoter: f64,
    /// ln(P(detractor) / P(promoter)).
    pub log_odds: f64,
    /// Its value at the training mean.
    pub baseline: f64,
    /// The inputs pushing most towards detractor, largest first.
    pub raising: Vec<TicketFactor>,
    /// Those pushing most towards promoter, most negative first.
    pub lowering: Vec<TicketFactor>,
    /// Every input's contribution, in the LTR model's `inputs` order (from `explainDetractor`,
    /// and from a ticket with `details: true`).
    pub contributions: Option<Float64Array>,
}

fn detractor_risk(
    d: &core::DetractorRisk,
    raising: &[usize],
    lowering: &[usize],
    names: &[String],
    all: bool,
) -> DetractorRisk {
    DetractorRisk {
        probability: d.probabilities[0],
        passive: d.probabilities[1],
        promoter: d.probabilities[2],
        log_odds: d.log_odds,
        baseline: d.baseline,
        raising: named_factors(raising, names, &d.contributions),
        lowering: named_factors(lowering, names, &d.contributions),
        contributions: all.then(|| Float64Array::new(d.contributions.clone())),
    }
}

/// Options of `LtrModel.explainDetractor`.
#[napi(object)]
#[derive(Default)]
pub struct DetractorOptions {
    /// Factors each way (3).
    pub top: Option<f64>,
}

#[napi]
impl LtrModel {
    /// Detractor risk of one customer (named inputs; null = missing) with the factors
    /// behind it: the exact attribution of ln(P(detractor) / P(promoter)).
    #[napi(catch_unwind, ts_args_type = "customer: Record<string, Field>, options?: DetractorOptions")]
    pub fn explain_detractor(
        &self,
        customer: crate::convert::Inputs,
        options: Option<crate::convert::Obj<DetractorOptions>>,
    ) -> Result<DetractorRisk> {
        let options = options.map(|o| o.0);
        let cells = crate::convert::input_cells(&self.inner.inputs, &customer)?;
        let explainer = self.inner.detractor_explainer().into_napi()?;
        let mut d = core::DetractorRisk::default();
        self.inner.detractor_risk_into(&explainer, &cells, &mut Vec::new(), &mut d).into_napi()?;
        let top = detractor_top(options)?;
        let (up, down) = explainer.top(&d.contributions, top);
        let up: Vec<usize> = up.iter().map(|f| f.source).collect();
        let down: Vec<usize> = down.iter().map(|f| f.source).collect();
        Ok(detractor_risk(&d, &up, &down, &self.inner.inputs, true))
    }
}

#[napi]
impl BoostedLtrModel {
    /// Detractor risk of one customer (named inputs; null = missing) with the factors
    /// behind it: the exact attribution of ln(P(detractor) / P(promoter)) by TreeSHAP (the
    /// detractor output's contributions minus the promoter output's; the baseline is the
    /// difference of their expected values). The numbers of a ticket, to the bit.
    #[napi(
        catch_unwind,
        ts_args_type = "customer: Record<string, Field>, options?: DetractorOptions | undefined | null"
    )]
    pub fn explain_detractor(
        &self,
        customer: crate::convert::Inputs,
        options: Option<crate::convert::Obj<DetractorOptions>>,
    ) -> Result<DetractorRisk> {
        let options = options.map(|o| o.0);
        let cells = crate::convert::input_cells(&self.inner.inputs, &customer)?;
        let d = self.inner.detractor_risk(&cells).into_napi()?;
        let top = detractor_top(options)?;
        let (mut up, mut down) = (Vec::new(), Vec::new());
        nps_core::explain::top_indices_into(&d.contributions, top, &mut up, &mut down);
        Ok(detractor_risk(&d, &up, &down, &self.inner.inputs, true))
    }
}

/// The detractor attribution of many customers (Python's `detractor_contributions`).
#[napi(object)]
pub struct DetractorContributions {
    /// Row-major: one row per customer, one column per input (the model's `inputs` order).
    pub contributions: Float64Array,
    /// ln(P(detractor) / P(promoter)) at the training mean (the logistic model), or the
    /// difference of the two outputs' expected values (the boosted one).
    pub baseline: f64,
    /// Each customer's ln(P(detractor) / P(promoter)): baseline + its row.
    pub log_odds: Float64Array,
    /// Each customer's P(detractor): with `contributions`, what `detractorAlerts` ranks.
    pub risk: Float64Array,
}

impl From<core::DetractorContributions> for DetractorContributions {
    fn from(d: core::DetractorContributions) -> Self {
        DetractorContributions {
            contributions: Float64Array::new(d.contributions.iter().copied().collect()),
            baseline: d.baseline,
            log_odds: Float64Array::new(d.log_odds.to_vec()),
            risk: Float64Array::new(d.risk.to_vec()),
        }
    }
}

/// What both likelihood-to-recommend classes answer alike (their cores have the same
/// methods): the file, the inputs, the rows trained on, one customer's probabilities and
/// a table's detractor attribution.
macro_rules! ltr_methods {
    ($class:ident) => {
        #[napi]
        impl $class {
            #[doc = " The model file."]
            #[napi]
            pub fn to_json(&self) -> String {
                self.inner.to_json()
            }

            #[doc = " The inputs a customer must provide."]
            #[napi(getter)]
            pub fn inputs(&self) -> Vec<String> {
                self.inner.inputs.clone()
            }

            #[doc = " Respondents the model was trained on."]
            #[napi(getter)]
            pub fn training_rows(&self) -> u32 {
                self.inner.training.rows as u32
            }

            #[doc = " P(detractor), P(passive), P(promoter) of one customer (named inputs; null = missing)."]
            #[napi(catch_unwind, ts_args_type = "customer: Record<string, Field>")]
            pub fn score(&self, customer: crate::convert::Inputs) -> Result<LtrProbabilities> {
                let cells = crate::convert::input_cells(&self.inner.inputs, &customer)?;
                let p = self.inner.score_cells(&cells, &mut Vec::new()).into_napi()?;
                Ok(LtrProbabilities { detractor: p[0], passive: p[1], promoter: p[2] })
            }

            #[doc = " The detractor attribution of every customer of a table (`readCsv`'s shape, the"]
            #[doc = " model's inputs as columns): the numbers of `explainDetractor`, one row per customer."]
            #[napi(catch_unwind, ts_args_type = "table: Table")]
            pub fn detractor_contributions(
                &self,
                table: napi::bindgen_prelude::Object<'_>,
            ) -> Result<DetractorContributions> {
                let table = crate::encode::table(&table)?;
                Ok(self.inner.detractor_contributions(&table.raw).into_napi()?.into())
            }
        }
    };
}

ltr_methods!(LtrModel);
ltr_methods!(BoostedLtrModel);

/// Options of a `TicketScorer`.
#[napi(object)]
pub struct TicketScorerOptions {
    /// The customer record the rules read for fields no feature provides (by field name;
    /// null = missing). Number fields named like a feature take the feature's value when it
    /// is defined. A ticket may pass its own.
    #[napi(ts_type = "Record<string, Field>")]
    pub customer: Option<crate::convert::Inputs>,
    /// Factors each way (3).
    pub top_factors: Option<f64>,
    /// Actions returned (3).
    pub top_actions: Option<f64>,
}

/// Options of one ticket.
#[napi(object)]
pub struct TicketOptions {
    /// The reference time (a `Date` or epoch milliseconds): features count events strictly
    /// before it. Default: one second after the event.
    #[napi(ts_type = "number | Date")]
    pub now: Option<crate::convert::Time>,
    /// This customer's record, replacing the scorer's (by field name; null = missing).
    #[napi(ts_type = "Record<string, Field>")]
    pub customer: Option<crate::convert::Inputs>,
    /// The customer's past outcomes of offers (contact policies read them).
    pub outcomes: Option<Vec<crate::action::Outcome>>,
    /// Include every action's fate (false).
    pub trace: Option<bool>,
    /// Include the features and every input's contribution (false).
    pub details: Option<bool>,
    /// The customer's segment, for a `learner`.
    pub segment: Option<String>,
    /// Seed of the learner's Thompson draws (0).
    pub seed: Option<f64>,
}

/// What one ticket returns.
#[napi(object)]
pub struct TicketResult {
    /// P(churn).
    pub probability: f64,
    /// 100 × P(churn), the score the rules read.
    pub score: f64,
    /// The churn log-odds: baseline + every input's contribution.
    pub log_odds: f64,
    pub baseline: f64,
    /// The inputs raising the churn risk most, largest first, as `explain` gives them (with
    /// the customer's value and the typical one).
    pub raising: Vec<crate::model::Factor>,
    /// Those lowering it most, most negative first.
    pub lowering: Vec<crate::model::Factor>,
    /// With an LTR model.
    pub detractor: Option<DetractorRisk>,
    /// The next best actions, best first.
    pub actions: Vec<crate::action::RankedAction>,
    /// With `trace: true`.
    pub trace: Option<Vec<crate::action::TraceEntry>>,
    /// With `details: true`: the features (`featureNames` order).
    pub features: Option<Float64Array>,
    /// With `details: true`: every churn input's contribution (`inputs` order).
    pub contributions: Option<Float64Array>,
}

/// Where `ticketValues` writes each number (offsets into its array; the lists have
/// `topFactors` or `topActions` slots from their offset).
#[napi(object)]
pub struct TicketValuesLayout {
    pub top_factors: u32,
    pub top_actions: u32,
    pub probability: u32,
    pub score: u32,
    pub log_odds: u32,
    pub baseline: u32,
    pub raising: u32,
    pub raising_contributions: u32,
    pub lowering: u32,
    pub lowering_contributions: u32,
    pub detractor_probability: u32,
    pub passive_probability: u32,
    pub promoter_probability: u32,
    pub detractor_log_odds: u32,
    pub detractor_baseline: u32,
    pub detractor_raising: u32,
    pub detractor_raising_contributions: u32,
    pub detractor_lowering: u32,
    pub detractor_lowering_contributions: u32,
    pub actions: u32,
    pub priorities: u32,
    pub values: u32,
    /// The array's length.
    pub length: u32,
}

impl From<&core::TicketLayout> for TicketValuesLayout {
    fn from(l: &core::TicketLayout) -> Self {
        let u = |x: usize| x as u32;
        TicketValuesLayout {
            top_factors: u(l.top_factors),
            top_actions: u(l.top_actions),
            probability: u(l.probability),
            score: u(l.score),
            log_odds: u(l.log_odds),
            baseline: u(l.baseline),
            raising: u(l.raising),
            raising_contributions: u(l.raising_contributions),
            lowering: u(l.lowering),
            lowering_contributions: u(l.lowering_contributions),
            detractor_probability: u(l.detractor_probability),
            passive_probability: u(l.passive_probability),
            promoter_probability: u(l.promoter_probability),
            detractor_log_odds: u(l.detractor_log_odds),
            detractor_baseline: u(l.detractor_baseline),
            detractor_raising: u(l.detractor_raising),
            detractor_raising_contributions: u(l.detractor_raising_contributions),
            detractor_lowering: u(l.detractor_lowering),
            detractor_lowering_contributions: u(l.detractor_lowering_contributions),
            actions: u(l.actions),
            priorities: u(l.priorities),
            values: u(l.values),
            length: u(l.length),
        }
    }
}

/// The one call at ticket time: add the event to the customer's history, recompute the
/// features, score churn, attribute it, estimate detractor risk (with an LTR model) and
/// rank the next best actions, with the numbers of the separate calls.
#[napi]
pub struct TicketScorer {
    inner: core::TicketScorer,
    customer: Customer,
    options: core::TicketOptions<'static>,
    ticket: core::Ticket,
    layout: core::TicketLayout,
    outcomes: Vec<nps_core::action::Outcome>,
    /// The learner's draws of the current ticket, when it learns.
    draws: Vec<f64>,
    reply: crate::action::Reply,
    /// [`ASSEMBLE_TICKET`]'s function for this scorer, once compiled.
    assemble: Option<FunctionRef<(), ()>>,
}

/// The customer fields and the core's options of a scorer (the core's defaults where not
/// given).
fn ticket_options(
    options: Option<TicketScorerOptions>,
) -> Result<(Option<crate::convert::Inputs>, core::TicketOptions<'static>)> {
    let d = core::TicketOptions::default();
    let Some(o) = options else { return Ok((None, d)) };
    let options = core::TicketOptions {
        top_factors: crate::convert::size(o.top_factors, "topFactors", 0.0, d.top_factors)?,
        top_actions: crate::convert::size(o.top_actions, "topActions", 0.0, d.top_actions)?,
        propensity: None,
    };
    Ok((o.customer, options))
}

/// How many factors `explainDetractor` lists each way (3).
fn detractor_top(options: Option<DetractorOptions>) -> Result<usize> {
    crate::convert::size(options.and_then(|o| o.top), "top", 0.0, 3)
}

impl TicketScorer {
    /// A scorer with its customer record and options (the core's defaults where not given).
    fn build(inner: core::TicketScorer, customer: Customer, options: core::TicketOptions<'static>) -> Self {
        TicketScorer {
            inner,
            customer,
            options,
            ticket: core::Ticket::default(),
            layout: core::TicketLayout::new(&options),
            outcomes: Vec::new(),
            draws: Vec::new(),
            reply: Default::default(),
            assemble: None,
        }
    }
}

#[napi]
impl TicketScorer {
    /// A scorer from a compiled feature engine, a churn model whose inputs are features, an
    /// action catalogue and optionally a likelihood-to-recommend model, `LtrModel` or
    /// `BoostedLtrModel` (null for none: it adds detractor risk and its factors to each
    /// ticket). Errors name a model input that is not a feature.
    #[napi(
        constructor,
        catch_unwind,
        ts_args_type = "engine: features.FeatureEngine, churn: ChurnModel | BoostedChurnModel, catalog: ActionCatalog, ltr?: LtrModel | BoostedLtrModel | undefined | null, options?: TicketScorerOptions | undefined | null"
    )]
    pub fn new(
        engine: &crate::features::FeatureEngine,
        churn: napi::bindgen_prelude::Either<&crate::model::ChurnModel, &crate::boosted::BoostedChurnModel>,
        catalog: &crate::action::ActionCatalog,
        ltr: Option<napi::bindgen_prelude::Either<&LtrModel, &BoostedLtrModel>>,
        options: Option<crate::convert::Obj<TicketScorerOptions>>,
    ) -> Result<Self> {
        let options = options.map(|o| o.0);
        let ltr: Option<core::AnyLtrModel> = ltr.map(|l| match l {
            napi::bindgen_prelude::Either::A(m) => m.inner.clone().into(),
            napi::bindgen_prelude::Either::B(m) => m.inner.clone().into(),
        });
        let (fields, options) = ticket_options(options)?;
        let customer = crate::action::customer_record(&catalog.inner, &fields.unwrap_or_default())?;
        let churn: nps_core::model::AnyChurnModel = match churn {
            napi::bindgen_prelude::Either::A(m) => (*m.inner).clone().into(),
            napi::bindgen_prelude::Either::B(m) => (*m.inner).clone().into(),
        };
        let inner = core::TicketScorer::new(engine.inner.clone(), churn, ltr, catalog.inner.clone()).into_napi()?;
        Ok(TicketScorer::build(inner, customer, options))
    }

    /// The scorer's file: the feature definitions and kinds, the models' files and the
    /// catalogue, as JSON (`TicketScorer.fromJson` reads it back; the customer record and
    /// the options are given again there, they are not part of the file).
    #[napi]
    pub fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// A scorer from its file (`toJson`), checked part by part (errors name the part:
    /// `ticket scorer catalog: ...`); `options` as in the constructor.
    #[napi(factory, catch_unwind)]
    pub fn from_json(
        text: String,
        #[napi(ts_arg_type = "TicketScorerOptions | undefined | null")] options: Option<
            crate::convert::Obj<TicketScorerOptions>,
        >,
    ) -> Result<TicketScorer> {
        let options = options.map(|o| o.0);
        let inner = core::TicketScorer::from_json(&text).into_napi()?;
        let (fields, options) = ticket_options(options)?;
        let customer = crate::action::customer_record(inner.catalog(), &fields.unwrap_or_default())?;
        Ok(TicketScorer::build(inner, customer, options))
    }

    /// The features, in the order of `details.features`.
    #[napi(getter)]
    pub fn feature_names(&self) -> Vec<String> {
        self.inner.feature_names().to_vec()
    }

    /// The churn model's inputs.
    #[napi(getter)]
    pub fn inputs(&self) -> Vec<String> {
        self.inner.inputs().to_vec()
    }

    /// The LTR model's inputs (empty without one).
    #[napi(getter)]
    pub fn ltr_inputs(&self) -> Vec<String> {
        self.inner.ltr_inputs().to_vec()
    }

    /// Where each number lies in the array `ticketValues` fills (`out[layout.probability]`,
    /// the raising factors' input indices from `out[layout.raising]`, ...): read it once.
    #[napi(getter)]
    pub fn values_layout(&self) -> TicketValuesLayout {
        TicketValuesLayout::from(&self.layout)
    }

    /// The fast path of `ticket` (as `decideValues` is of `decide`): the same ticket with the
    /// scorer's customer record and no past outcomes, its numbers written into `out` (a
    /// `Float64Array` of `valuesLayout.length`, reused from ticket to ticket) at the places
    /// `valuesLayout` gives: factors as indices into `inputs` / `ltrInputs`, actions as
    /// indices into the catalogue's `actions`; unused slots hold -1 and NaN. Nothing is
    /// allocated on the JS heap. Returns the number of actions. `now` as in `ticket`.
    #[napi(
        catch_unwind,
        ts_args_type = "history: features.CustomerHistory, event: HistoryEvent, out: Float64Array, now?: number | Date | undefined | null"
    )]
    pub fn ticket_values(
        &mut self,
        history: &mut crate::features::CustomerHistory,
        event: crate::convert::Obj<crate::features::HistoryEvent>,
        mut out: Float64ArraySlice,
        now: Option<crate::convert::Now>,
    ) -> Result<u32> {
        let event = event.0;
        // SAFETY: the array is only touched here, on the JS thread, during this call.
        let out = unsafe { out.as_mut() };
        self.layout.check_out(out.len()).into_napi()?; // before the event is added
        self.outcomes.clear();
        let now = now.map(|t| t.0.seconds("now")).transpose()?;
        self.score(history, &event, now, None, false)?;
        self.ticket.write_values(&self.layout, out).into_napi()?;
        Ok(self.ticket.decision.actions.len() as u32)
    }

    /// Adds `event` to `history` and scores it into `self.ticket` as of `now` (default: one
    /// second after the event) for `customer` (default: the scorer's) and `self.outcomes`,
    /// with `self.draws` as the actions' propensities when `learning`.
    fn score(
        &mut self,
        history: &mut crate::features::CustomerHistory,
        event: &crate::features::HistoryEvent,
        now: Option<i64>,
        customer: Option<&Customer>,
        learning: bool,
    ) -> Result<()> {
        let index = history.inner.len();
        let customer = customer.unwrap_or(&self.customer);
        let Self { inner, options, ticket, outcomes, draws, .. } = self;
        let options = core::TicketOptions { propensity: learning.then_some(&draws[..]), ..*options };
        event.with_core("event.time", index, |e| {
            let now = now.unwrap_or(e.time.saturating_add(1));
            inner.score_into(&mut history.inner, e, now, customer, outcomes, &options, ticket).into_napi()
        })?
    }

    /// One ticket: pushes `event` into `history` (kept on the Rust side), then scores as of
    /// `options.now` (default: one second after the event). With a `learner`, the actions
    /// are ranked as `decide` ranks them with one: each action's propensity a Thompson draw
    /// for `options.segment`, seeded with `options.seed`. Errors before the event is added:
    /// an event not before `now`, a survey answer that is not a whole 0–10, an unknown kind.
    #[napi(
        catch_unwind,
        ts_args_type = "history: features.CustomerHistory, event: HistoryEvent, options?: TicketOptions | undefined | null, learner?: Learner | undefined | null",
        ts_return_type = "TicketResult"
    )]
    pub fn ticket<'env>(
        &mut self,
        env: &'env Env,
        history: &mut crate::features::CustomerHistory,
        event: crate::convert::Obj<crate::features::HistoryEvent>,
        options: Option<crate::convert::Obj<TicketOptions>>,
        learner: Option<&crate::action::Learner>,
    ) -> Result<Either<Unknown<'env>, TicketResult>> {
        let event = event.0;
        let options = options.map(|o| o.0);
        let (mut trace, mut details, mut now, mut own) = (false, false, None, None);
        let (mut segment, mut seed) = (String::new(), 0);
        self.outcomes.clear();
        if let Some(o) = options {
            segment = o.segment.unwrap_or_default();
            seed = crate::convert::seed(o.seed, "seed", 0)?;
            trace = o.trace.unwrap_or(false);
            details = o.details.unwrap_or(false);
            now = o.now;
            if let Some(c) = &o.customer {
                own = Some(crate::action::customer_record(self.inner.catalog(), c)?);
            }
            for (i, h) in o.outcomes.iter().flatten().enumerate() {
                self.outcomes.push(crate::action::outcome(h, "outcomes", i)?);
            }
        }
        if let Some(l) = learner {
            l.inner.draws_into(self.inner.catalog(), &segment, &mut Rng::new(seed), &mut self.draws);
        }
        let now = now.as_ref().map(|t: &crate::convert::Time| t.seconds("now")).transpose()?;
        self.score(history, &event, now, own.as_ref(), learner.is_some())?;
        if !details {
            let assembled = self.assembled(env)?;
            let t = &self.ticket;
            let json;
            let head = match assembled {
                Some(result) if !trace => return Ok(Either::A(result)),
                Some(result) => crate::action::Head::Object(result),
                // A factor's value in text: the result crosses as JSON (none of its numbers
                // is NaN).
                None => {
                    json = compact(&self.inner, t, trace);
                    crate::action::Head::Json(&json)
                }
            };
            let entries = trace.then_some(t.decision.trace.as_slice());
            return Ok(Either::A(self.reply.send(env, self.inner.catalog(), head, entries)?));
        }
        let t = &self.ticket;
        Ok(Either::B(TicketResult {
            probability: t.probability,
            score: t.score,
            log_odds: t.log_odds,
            baseline: t.baseline,
            raising: t.raising.iter().map(|&i| self.inner.readable_factor(t, i).into()).collect(),
            lowering: t.lowering.iter().map(|&i| self.inner.readable_factor(t, i).into()).collect(),
            detractor: t.detractor.as_ref().map(|d| {
                detractor_risk(d, &t.detractor_raising, &t.detractor_lowering, self.inner.ltr_inputs(), details)
            }),
            actions: crate::action::ranked_actions(&t.decision.actions),
            trace: trace.then(|| t.decision.trace.iter().map(crate::action::trace_entry).collect()),
            features: details.then(|| Float64Array::new(t.features.clone())),
            contributions: details.then(|| Float64Array::new(t.contributions.clone())),
        }))
    }
}

/// `ticket`'s result without its details (a trace is added by `action::Reply`) from the
/// numbers `ticketValues` writes: a small JS function, compiled once per scorer with the
/// names, the inputs' profiles and the actions, builds it from object literals out of its
/// own `cells` (laid out as `valuesLayout`, then a (kind, number) pair per churn factor slot
/// for the customer's value: 0 a number, 1 a boolean, 2 missing). No JSON is written or
/// parsed, so the object costs little more than `ticketValues`. The result equals the
/// detailed one built field by field, and the JSON path's ([`compact`]).
const ASSEMBLE_TICKET: &str = r#"(function (tables) {
  'use strict'
  const { inputs, profiles, ltr_inputs: ltrInputs, actions, layout: L } = JSON.parse(tables)
  const k = L.top_factors
  function factors(o, at, atc, atv) {
    const list = []
    for (let i = 0; i < k && o[at + i] >= 0; i++) {
      const s = o[at + i]
      const p = profiles[s]
      const kind = o[atv + 2 * i]
      const x = o[atv + 2 * i + 1]
      const f = { name: inputs[s], contribution: o[atc + i], value: kind === 0 ? x : kind === 1 ? x === 1 : null, typical: p.typical }
      if (p.mix.length > 0) f.mix = p.mix.map((m) => ({ value: m.value, share: m.share }))
      list.push(f)
    }
    return list
  }
  function named(o, at, atc) {
    const list = []
    for (let i = 0; i < k && o[at + i] >= 0; i++) list.push({ name: ltrInputs[o[at + i]], contribution: o[atc + i] })
    return list
  }
  function assembleTicket() {
    const o = assembleTicket.cells
    const result = {
      probability: o[L.probability],
      score: o[L.score],
      logOdds: o[L.log_odds],
      baseline: o[L.baseline],
      raising: factors(o, L.raising, L.raising_contributions, L.length),
      lowering: factors(o, L.lowering, L.lowering_contributions, L.length + 2 * k),
    }
    if (ltrInputs !== null) {
      result.detractor = {
        probability: o[L.detractor_probability],
        passive: o[L.passive_probability],
        promoter: o[L.promoter_probability],
        logOdds: o[L.detractor_log_odds],
        baseline: o[L.detractor_baseline],
        raising: named(o, L.detractor_raising, L.detractor_raising_contributions),
        lowering: named(o, L.detractor_lowering, L.detractor_lowering_contributions),
      }
    }
    const ranked = []
    for (let i = 0; i < L.top_actions && o[L.actions + i] >= 0; i++) {
      const a = actions[o[L.actions + i]]
      ranked.push({ rank: i + 1, id: a.id, label: a.label, channel: a.channel, priority: o[L.priorities + i], value: o[L.values + i] })
    }
    result.actions = ranked
    return result
  }
  assembleTicket.cells = new Float64Array(L.length + 4 * k)
  return assembleTicket
})"#;

/// What [`ASSEMBLE_TICKET`] is compiled with.
#[derive(Serialize)]
struct TicketTables<'a> {
    inputs: &'a [String],
    profiles: &'a [nps_core::model::InputProfile],
    /// Null without an LTR model (and so without detractor risk).
    ltr_inputs: Option<&'a [String]>,
    actions: Vec<ActionNames<'a>>,
    layout: &'a core::TicketLayout,
}

/// How an action shows in a result.
#[derive(Serialize)]
struct ActionNames<'a> {
    id: &'a str,
    label: &'a str,
    channel: &'a str,
}

impl TicketScorer {
    /// The scored ticket as [`ASSEMBLE_TICKET`] builds it; `None` when a factor's value is
    /// text (a category read from a number: rare), which then crosses as JSON.
    fn assembled<'env>(&mut self, env: &'env Env) -> Result<Option<Unknown<'env>>> {
        if self.assemble.is_none() {
            let (inner, layout) = (&self.inner, &self.layout);
            let tables = TicketTables {
                inputs: inner.inputs(),
                profiles: inner.profiles(),
                ltr_inputs: inner.ltr_model().map(|_| inner.ltr_inputs()),
                actions: (inner.catalog().actions().iter())
                    .map(|a| ActionNames { id: &a.id, label: &a.label, channel: &a.channel })
                    .collect(),
                layout,
            };
            let tables = serde_json::to_string(&tables).expect("plain data serialises");
            let factory: Function<&str, Function<(), ()>> = env.run_script(ASSEMBLE_TICKET).into_napi()?;
            self.assemble = Some(factory.call(&tables).into_napi()?.create_ref().into_napi()?);
        }
        let f = self.assemble.as_ref().expect("compiled above").borrow_back(env).into_napi()?;
        let holder = Object::from_raw(env.raw(), f.raw());
        let mut cells: Float64ArraySlice = holder.get_named_property_unchecked("cells").into_napi()?;
        // SAFETY: JS is not running (this is its thread, in a call from it), and the array
        // is the function's own, which only it reads.
        let own = unsafe { cells.as_mut() };
        let (t, layout) = (&self.ticket, &self.layout);
        let (values, kinds) = own.split_at_mut(layout.length);
        t.write_values(layout, values).into_napi()?;
        // A (kind, number) pair per factor slot: the raising list's, then the lowering's.
        let slots =
            t.raising.iter().enumerate().chain(t.lowering.iter().enumerate().map(|(i, s)| (layout.top_factors + i, s)));
        for (slot, &input) in slots {
            let (kind, x) = match self.inner.factor_value(t, input) {
                FactorValue::Number(x) => (0.0, x),
                FactorValue::Bool(b) => (1.0, b as u8 as f64),
                FactorValue::Missing => (2.0, f64::NAN),
                FactorValue::Text(_) => return Ok(None),
            };
            kinds[2 * slot] = kind;
            kinds[2 * slot + 1] = x;
        }
        // SAFETY: the same function, typed with what it returns.
        let f: Function<(), Unknown> = unsafe { Function::from_napi_value(env.raw(), f.raw()) }.into_napi()?;
        Ok(Some(f.call(()).into_napi()?))
    }
}

/// A factor as the compact result writes it.
#[derive(Serialize)]
struct FactorJson<'a> {
    name: &'a str,
    contribution: f64,
}

fn factors_json<'a>(index: &[usize], names: &'a [String], contributions: &[f64]) -> Vec<FactorJson<'a>> {
    index.iter().map(|&i| FactorJson { name: &names[i], contribution: contributions[i] }).collect()
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DetractorJson<'a> {
    probability: f64,
    passive: f64,
    promoter: f64,
    log_odds: f64,
    baseline: f64,
    raising: Vec<FactorJson<'a>>,
    lowering: Vec<FactorJson<'a>>,
}

/// [`TicketResult`] without the typed arrays, as JSON.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TicketJson<'a> {
    probability: f64,
    score: f64,
    log_odds: f64,
    baseline: f64,
    raising: Vec<nps_core::model::ReadableFactor>,
    lowering: Vec<nps_core::model::ReadableFactor>,
    #[serde(skip_serializing_if = "Option::is_none")]
    detractor: Option<DetractorJson<'a>>,
    actions: Vec<crate::action::ActionJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    trace: Option<crate::action::TraceSlot>,
}

fn compact<'a>(scorer: &'a core::TicketScorer, t: &'a core::Ticket, trace: bool) -> TicketJson<'a> {
    TicketJson {
        probability: t.probability,
        score: t.score,
        log_odds: t.log_odds,
        baseline: t.baseline,
        raising: t.raising.iter().map(|&i| scorer.readable_factor(t, i)).collect(),
        lowering: t.lowering.iter().map(|&i| scorer.readable_factor(t, i)).collect(),
        detractor: t.detractor.as_ref().map(|d| DetractorJson {
            probability: d.probabilities[0],
            passive: d.probabilities[1],
            promoter: d.probabilities[2],
            log_odds: d.log_odds,
            baseline: d.baseline,
            raising: factors_json(&t.detractor_raising, scorer.ltr_inputs(), &d.contributions),
            lowering: factors_json(&t.detractor_lowering, scorer.ltr_inputs(), &d.contributions),
        }),
        actions: crate::action::actions_json(&t.decision.actions),
        trace: trace.then_some(crate::action::TraceSlot),
    }
}
