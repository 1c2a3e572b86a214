//! Likelihood to recommend for the customers who never answer: a multinomial model of the
//! NPS category (detractor, passive, promoter), trained on respondents and applied to
//! everyone, with the predicted NPS of any group and a blended NPS of the whole base.
use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::encode::{Cell, ColumnSpec, RawTable, TableEncoder};
use crate::error::{check_lengths, check_level, check_sample_weights, NpsError, Result};
use crate::model::{
    class_probabilities, class_scores, fit_multinomial, ChurnModelOptions, ConvergenceReport, MultinomialFit,
};
use crate::stats::normal;

/// The `format` field of a likelihood-to-recommend model file.
pub const LTR_FORMAT: &str = "nps.ltr_model";

/// The newest file version read and the one written.
pub const LTR_VERSION: u32 = 1;

/// The three classes, in probability-column order.
pub const CATEGORIES: [&str; 3] = ["detractor", "passive", "promoter"];

/// What a model was trained on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LtrTraining {
    /// Respondents trained on.
    pub rows: usize,
    /// Detractors, passives and promoters among them.
    pub class_counts: [usize; 3],
    /// How the fit ended.
    pub convergence: ConvergenceReport,
    /// When it was trained (ISO 8601), if recorded.
    #[serde(default)]
    pub trained_at: Option<String>,
}

/// A likelihood-to-recommend model: P(category | inputs) = softmax(b + W · encode(inputs)).
/// Its file shares the conventions of the churn model's (versioned, checked on load, the
/// same probabilities to the bit in every language).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LtrModel {
    /// Always [`LTR_FORMAT`].
    pub format: String,
    /// File format version.
    pub version: u32,
    /// The named inputs.
    pub inputs: Vec<String>,
    /// How inputs become columns.
    pub encoder: TableEncoder,
    /// Encoded column names.
    pub columns: Vec<String>,
    /// One coefficient row per category (detractor, passive, promoter).
    pub coef: Vec<Vec<f64>>,
    /// One intercept per category.
    pub intercept: Vec<f64>,
    /// Training options.
    pub options: ChurnModelOptions,
    /// Training metadata.
    pub training: LtrTraining,
    /// Training mean of each encoded column: the baseline of the detractor attribution
    /// (see [`LtrModel::detractor_explainer`]). Empty in files written before it was
    /// recorded; such a model scores but does not explain.
    #[serde(default)]
    pub column_mean: Vec<f64>,
}

/// The retention features that hold a respondent's survey answer (or mix it with contact
/// scores): a likelihood-to-recommend model trained on respondents must leave them out, or
/// it learns the label itself and predicts nothing for those who never answered.
pub const SURVEY_ANSWER_FEATURES: [&str; 6] = [
    "last_nps",
    "last_nps_category",
    "days_since_last_nps",
    "interaction_quality_90d",
    "worst_interaction_90d",
    "last_interaction",
];

/// The NPS category of a 0–10 answer (0 detractor, 1 passive, 2 promoter).
pub(super) fn category(score: f64, index: usize) -> Result<usize> {
    Ok(match super::churn_link::whole_answer(score, index)? {
        0..=6 => 0,
        7..=8 => 1,
        _ => 2,
    })
}

/// Checks that the answers hold every category: a model of the three cannot learn one no
/// respondent gave. The error names the category missing and its answers.
pub(super) fn every_category(counts: &[usize; 3]) -> Result<()> {
    const RANGES: [&str; 3] = ["detractor answer (0–6)", "passive answer (7–8)", "promoter answer (9–10)"];
    match counts.iter().position(|&c| c == 0) {
        Some(k) => Err(NpsError::invalid(
            "scores",
            format!("no {}", RANGES[k]),
            "answers of every class: detractors (0–6), passives (7–8) and promoters (9–10)",
        )),
        None => Ok(()),
    }
}

impl LtrModel {
    /// Trains on respondents: `scores` are their 0–10 answers. Errors name the row and value.
    pub fn fit(
        table: &RawTable,
        scores: &[f64],
        sample_weight: Option<&[f64]>,
        specs: &[ColumnSpec],
        options: &ChurnModelOptions,
    ) -> Result<LtrModel> {
        if let Some(keep) = crate::model::zero_weight_rows_left_out(sample_weight, table.len(), scores.len())? {
            TableEncoder::fit(table, specs, &options.encoder)?; // errors name the caller's rows
            let w: Vec<f64> = keep.iter().map(|&r| sample_weight.expect("weights")[r]).collect();
            let s: Vec<f64> = keep.iter().map(|&r| scores[r]).collect();
            return LtrModel::fit(&table.select(&keep), &s, Some(&w), specs, options);
        }
        let encoder = TableEncoder::fit_weighted(table, specs, &options.encoder, sample_weight)?;
        let x = encoder.transform(table)?;
        LtrModel::fit_encoded(encoder, x, scores, sample_weight, options)
    }

    /// Trains on a numeric matrix whose columns are named `names`, read in place.
    pub fn fit_matrix(
        x: ArrayView2<'_, f64>,
        names: &[String],
        scores: &[f64],
        sample_weight: Option<&[f64]>,
        options: &ChurnModelOptions,
    ) -> Result<LtrModel> {
        if let Some(keep) = crate::model::zero_weight_rows_left_out(sample_weight, x.nrows(), scores.len())? {
            TableEncoder::fit_matrix(x, names, &options.encoder)?; // errors name the caller's rows
            let w: Vec<f64> = keep.iter().map(|&r| sample_weight.expect("weights")[r]).collect();
            let s: Vec<f64> = keep.iter().map(|&r| scores[r]).collect();
            let x = x.select(ndarray::Axis(0), &keep);
            return LtrModel::fit_matrix(x.view(), names, &s, Some(&w), options);
        }
        let encoder = TableEncoder::fit_matrix_weighted(x, names, &options.encoder, sample_weight)?;
        let encoded = encoder.transform_matrix(x, names)?;
        LtrModel::fit_encoded(encoder, encoded, scores, sample_weight, options)
    }

    fn fit_encoded(
        encoder: TableEncoder,
        x: Array2<f64>,
        scores: &[f64],
        sample_weight: Option<&[f64]>,
        options: &ChurnModelOptions,
    ) -> Result<LtrModel> {
        let y: Vec<usize> = scores.iter().enumerate().map(|(i, &s)| category(s, i)).collect::<Result<_>>()?;
        let mut counts = [0; 3];
        for &c in &y {
            counts[c] += 1;
        }
        if !y.is_empty() {
            every_category(&counts)?;
        }
        let fit: MultinomialFit = fit_multinomial(x.view(), &y, 3, sample_weight, &options.logistic)?;
        let column_mean = x.mean_axis(ndarray::Axis(0)).expect("rows checked by the fit").to_vec();
        let mut class_counts = [0; 3];
        for &c in &y {
            class_counts[c] += 1;
        }
        Ok(LtrModel {
            format: LTR_FORMAT.into(),
            version: LTR_VERSION,
            inputs: encoder.sources(),
            columns: encoder.feature_names(),
            encoder,
            coef: fit.coef,
            intercept: fit.intercept,
            options: *options,
            training: LtrTraining { rows: y.len(), class_counts, convergence: fit.report, trained_at: None },
            column_mean,
        })
    }

    /// P(detractor), P(passive), P(promoter) for each row of a table of inputs.
    pub fn predict_proba(&self, table: &RawTable) -> Result<Array2<f64>> {
        class_probabilities(&self.coef, &self.intercept, self.encoder.transform(table)?.view())
    }

    /// The same for a numeric matrix whose columns are the inputs named `names`.
    pub fn predict_proba_matrix(&self, x: ArrayView2<'_, f64>, names: &[String]) -> Result<Array2<f64>> {
        class_probabilities(&self.coef, &self.intercept, self.encoder.transform_matrix(x, names)?.view())
    }

    /// The three probabilities of one customer given one cell per input.
    pub fn score_cells(&self, cells: &[Cell<'_>], scratch: &mut Vec<f64>) -> Result<[f64; 3]> {
        scratch.resize(self.columns.len(), 0.0);
        self.encoder.encode_row(cells, 0, scratch)?;
        let mut out = [0.0; 3];
        class_scores(&self.coef, &self.intercept, scratch.iter().copied(), &mut out);
        crate::model::softmax_in_place(&mut out);
        Ok(out)
    }

    /// The model file.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a model serialises")
    }

    /// Reads a model file and checks it (format, version, shapes, finite numbers).
    pub fn from_json(text: &str) -> Result<LtrModel> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| NpsError::invalid("model file", e, "a JSON document"))?;
        match value.get("format").and_then(|f| f.as_str()) {
            Some(LTR_FORMAT) => {}
            other => return Err(NpsError::invalid("format", format!("{other:?}"), &format!("\"{LTR_FORMAT}\""))),
        }
        match value.get("kind").and_then(|k| k.as_str()) {
            None | Some("logistic") => {}
            Some(kind) => return Err(NpsError::invalid(
                "kind",
                format!("{kind:?}"),
                "\"logistic\" (load a boosted_trees LTR model with BoostedLtrModel, or either kind with AnyLtrModel)",
            )),
        }
        match value.get("version").and_then(|v| v.as_u64()) {
            Some(v) if (1..=LTR_VERSION as u64).contains(&v) => {}
            Some(v) if v > LTR_VERSION as u64 => {
                return Err(NpsError::invalid(
                    "version",
                    v,
                    &format!("at most {LTR_VERSION} (the file was written by a newer nps; upgrade to read it)"),
                ))
            }
            other => return Err(NpsError::invalid("version", format!("{other:?}"), "a positive integer")),
        }
        let model: LtrModel =
            serde_json::from_value(value).map_err(|e| NpsError::invalid("model file", e, "a valid LTR model"))?;
        model.encoder.validate()?;
        if model.columns != model.encoder.feature_names() || model.inputs != model.encoder.sources() {
            return Err(NpsError::invalid("columns", model.columns.join(", "), "the encoder's columns"));
        }
        if model.coef.len() != 3 || model.intercept.len() != 3 {
            return Err(NpsError::invalid("coef", model.coef.len(), "three rows (detractor, passive, promoter)"));
        }
        for (k, row) in model.coef.iter().enumerate() {
            check_lengths(&format!("coef[{k}]"), row.len(), "columns", model.columns.len())?;
            if let Some(j) = row.iter().position(|v| !v.is_finite()) {
                return Err(NpsError::invalid(&format!("coef[{k}][{j}]"), row[j], "a finite number"));
            }
        }
        if let Some(k) = model.intercept.iter().position(|v| !v.is_finite()) {
            return Err(NpsError::invalid(&format!("intercept[{k}]"), model.intercept[k], "a finite number"));
        }
        if !model.column_mean.is_empty() {
            check_lengths("column_mean", model.column_mean.len(), "columns", model.columns.len())?;
            if let Some(j) = model.column_mean.iter().position(|v| !v.is_finite()) {
                return Err(NpsError::invalid(&format!("column_mean[{j}]"), model.column_mean[j], "a finite number"));
            }
        }
        Ok(model)
    }
}

/// A predicted NPS with its interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PredictedNps {
    /// Customers.
    pub n: usize,
    /// 100 × (mean P(promoter) − mean P(detractor)), or for a blend, the answers where
    /// they exist and that elsewhere.
    pub nps: f64,
    /// Standard error (see [`predicted_nps`] for what it counts).
    pub se: f64,
    /// Lower end of the interval.
    pub low: f64,
    /// Upper end.
    pub high: f64,
    /// Confidence level.
    pub level: f64,
}

/// The predicted NPS of a group from its rows of (P(detractor), P(passive), P(promoter)),
/// with an interval for the NPS the group would show if everyone answered. Two sources of
/// uncertainty are counted: each customer's answer is a draw from their predicted
/// probabilities (variance Σ [p₊ + p₋ − (p₊ − p₋)²] / n²), and the model's overall level was
/// estimated from `trained_on` respondents (variance [p̄₊ + p̄₋ − (p̄₊ − p̄₋)²] / trained_on,
/// the sampling variance of the respondents' own NPS, which the model's intercepts
/// reproduce). Pass 0 to count the first only. The uncertainty of the slopes is not counted.
pub fn predicted_nps(proba: ArrayView2<'_, f64>, trained_on: usize, level: f64) -> Result<PredictedNps> {
    blended_nps(proba, None, trained_on, level)
}

/// The NPS of a whole base that uses actual answers where they exist (`answers[i]` a 0–10
/// score, NaN for a customer who did not answer) and predictions elsewhere; the interval
/// counts the uncertainty of the predicted customers only (see [`predicted_nps`]).
pub fn blended_nps(
    proba: ArrayView2<'_, f64>,
    answers: Option<&[f64]>,
    trained_on: usize,
    level: f64,
) -> Result<PredictedNps> {
    check_level(level)?;
    let n = proba.nrows();
    if n == 0 {
        return Err(NpsError::Empty { field: "proba".into() });
    }
    three_columns(proba)?;
    if let Some(a) = answers {
        check_lengths("answers", a.len(), "proba's rows", n)?;
    }
    let (mut sum, mut var, mut predicted, mut pro, mut det) = (0.0, 0.0, 0usize, 0.0, 0.0);
    for (i, r) in proba.rows().into_iter().enumerate() {
        if let Some(j) = r.iter().position(|v| !(0.0..=1.0).contains(v)) {
            return Err(NpsError::OutOfRange {
                field: format!("proba[{i}]"),
                index: j,
                value: r[j],
                range: "[0, 1]".into(),
            });
        }
        match answers.map(|a| a[i]).filter(|s| !s.is_nan()) {
            Some(s) => sum += [-1.0, 0.0, 1.0][category(s, i)?],
            None => {
                let d = r[2] - r[0];
                sum += d;
                var += r[2] + r[0] - d * d;
                predicted += 1;
                pro += r[2];
                det += r[0];
            }
        }
    }
    let nf = n as f64;
    let mut variance = var / (nf * nf);
    if trained_on > 0 && predicted > 0 {
        let (mp, md) = (pro / predicted as f64, det / predicted as f64);
        let share = predicted as f64 / nf;
        variance += share * share * (mp + md - (mp - md).powi(2)) / trained_on as f64;
    }
    let nps = 100.0 * sum / nf;
    let se = 100.0 * variance.max(0.0).sqrt();
    let z = normal::two_sided_z(level);
    Ok(PredictedNps { n, nps, se, low: nps - z * se, high: nps + z * se, level })
}

/// How well predicted categories match the answers of those who answered.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LtrEvaluation {
    /// Rows with an answer (the rows evaluated).
    pub answered: usize,
    /// Share of all rows with a prediction (finite probabilities): how much of the base the
    /// model covers.
    pub coverage: f64,
    /// Mean multiclass log loss over the answered rows (probabilities clipped to
    /// [ε, 1 − ε], as scikit-learn).
    pub log_loss: f64,
    /// ROC AUC of P(detractor) for detractor against the rest.
    pub detractor_auc: f64,
    /// The threshold on P(detractor) for the next two.
    pub threshold: f64,
    /// Precision of "P(detractor) ≥ threshold" as a detractor alert (0 with no alert).
    pub precision: f64,
    /// Its recall: the share of detractors alerted.
    pub recall: f64,
}

/// Checks that `proba` has the three categories' columns.
fn three_columns(proba: ArrayView2<'_, f64>) -> Result<()> {
    match proba.ncols() {
        3 => Ok(()),
        k => Err(NpsError::invalid("proba", format!("{k} columns"), "3 columns (detractor, passive, promoter)")),
    }
}

/// The (weighted) share of rows whose most probable category (detractor, passive, promoter;
/// the first of equal probabilities) is the category of their 0–10 answer (`answers`, named
/// `scores` in errors as in the fit): scikit-learn's `score` of a classifier of the three
/// categories. Every row needs an answer: a NaN, a number off the scale or with a fraction
/// is an error naming it, as are mismatched lengths, a weight that is missing, negative or
/// infinite (as the fit reports it) and weights summing to 0.
pub fn ltr_accuracy(proba: ArrayView2<'_, f64>, answers: &[f64], weights: Option<&[f64]>) -> Result<f64> {
    let n = proba.nrows();
    check_lengths("scores", answers.len(), "proba's rows", n)?;
    three_columns(proba)?;
    if let Some(w) = weights {
        check_sample_weights(w, "proba's rows", n)?;
    }
    let (mut right, mut total) = (0.0, 0.0);
    for (i, r) in proba.rows().into_iter().enumerate() {
        // A NaN answer is missing (evaluate_ltr skips it; here every row is scored).
        let truth = category(answers[i], i)?;
        let predicted = (1..3).fold(0, |best, k| if r[k] > r[best] { k } else { best });
        let w = weights.map_or(1.0, |w| w[i]);
        total += w;
        if predicted == truth {
            right += w;
        }
    }
    if total == 0.0 {
        return Err(NpsError::invalid("sample_weight", "a sum of 0", "weights with a positive sum"));
    }
    Ok(right / total)
}

/// Evaluates (detractor, passive, promoter) probabilities against 0–10 `answers` (NaN for
/// rows without an answer, which count only towards coverage). Errors: mismatched lengths,
/// an answer outside the scale, no answered row with a finite prediction, or answers of one
/// kind only (detractor against the rest needs both).
pub fn evaluate_ltr(proba: ArrayView2<'_, f64>, answers: &[f64], threshold: f64) -> Result<LtrEvaluation> {
    let n = proba.nrows();
    check_lengths("answers", answers.len(), "proba's rows", n)?;
    three_columns(proba)?;
    let (mut covered, mut loss) = (0usize, 0.0);
    let (mut y, mut risk) = (Vec::new(), Vec::new());
    for (i, r) in proba.rows().into_iter().enumerate() {
        let predicted = r.iter().all(|v| v.is_finite());
        covered += predicted as usize;
        if answers[i].is_nan() || !predicted {
            continue;
        }
        let k = category(answers[i], i)?;
        loss -= r[k].clamp(f64::EPSILON, 1.0 - f64::EPSILON).ln();
        y.push((k == 0) as u8 as f64);
        risk.push(r[0]);
    }
    if y.is_empty() {
        return Err(NpsError::Empty { field: "answered rows with a prediction".into() });
    }
    let alert = crate::metrics::threshold_metrics(&y, &risk, threshold)?;
    Ok(LtrEvaluation {
        answered: y.len(),
        coverage: covered as f64 / n as f64,
        log_loss: loss / y.len() as f64,
        detractor_auc: crate::metrics::roc_auc(&y, &risk, None)?,
        threshold,
        precision: alert.precision,
        recall: alert.recall,
    })
}
