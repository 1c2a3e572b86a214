//! A boosted likelihood-to-recommend model: gradient-boosted trees with a softmax over the
//! three NPS categories (detractor, passive, promoter), trained on respondents like
//! [`LtrModel`] and scoring the same way (rows × 3 probabilities, same column order), so
//! [`super::predicted_nps`], [`super::blended_nps`] and [`super::evaluate_ltr`] take its
//! probabilities unchanged.
//!
//! Its file is an `nps.ltr_model` of version 2 and `kind: boosted_trees`. Inputs reach the
//! trees as they reach the boosted churn model's (a number as itself, NaN missing; a
//! category as its code; a boolean as 0/1).
//!
//! Detractor risk is attributed as the logistic model's is, on ln(P(detractor) /
//! P(promoter)): under the softmax that is raw_detractor − raw_promoter, and since
//! TreeSHAP is linear in the trees, each input's contribution is its TreeSHAP value on the
//! detractor output minus that on the promoter output, exactly; the baseline is the
//! difference of the two outputs' expected values.
use ndarray::{Array1, Array2, ArrayView2};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::detractor_risk::{DetractorContributions, DetractorRisk};
use super::ltr_model::{category, LTR_FORMAT};
use crate::encode::{Cell, ColumnSpec, RawTable, TableEncoder};
use crate::error::{NpsError, Result};
use crate::explain::{ensemble_shap, ensemble_shap_into, tree_expected_value, TreeShapScratch};
use crate::model::boosted::{
    category_counts, check_model, fit_boosted, tree_encoder, tree_row, tree_rows, tree_rows_matrix, typical_values,
    BoostingOptions, BoostingReport, Ensemble, EvalSet, BOOSTED_KIND, TREE_ENCODING,
};
use crate::model::softmax_in_place;

/// The file version of a boosted likelihood-to-recommend model (the version that
/// introduced model kinds; a logistic file of version 1 has none).
pub const BOOSTED_LTR_VERSION: u32 = 2;

/// Index of the detractor output.
const DETRACTOR: usize = 0;
/// Index of the promoter output.
const PROMOTER: usize = 2;

/// What a boosted LTR model was trained on and how training went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct BoostedLtrTraining {
    /// Respondents trained on.
    pub rows: usize,
    /// Detractors, passives and promoters among them.
    pub class_counts: [usize; 3],
    /// Rounds kept and the validation loss by round.
    pub boosting: BoostingReport,
    /// When it was trained (ISO 8601), if recorded.
    #[serde(default)]
    pub trained_at: Option<String>,
}

/// A boosted likelihood-to-recommend model: P(category | inputs) = softmax(base + Σ trees),
/// one raw score per category (tree `i` adds to category `i % 3`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoostedLtrModel {
    /// Always [`LTR_FORMAT`].
    pub format: String,
    /// File format version ([`BOOSTED_LTR_VERSION`]).
    pub version: u32,
    /// Always [`BOOSTED_KIND`].
    pub kind: String,
    /// The named inputs, as the caller provides them.
    pub inputs: Vec<String>,
    /// Each input's kind and categories (not standardised: trees need no scaling).
    pub encoder: TableEncoder,
    /// The trees, over one value per input, three raw scores (detractor, passive,
    /// promoter).
    pub ensemble: Ensemble,
    /// Each category's expected raw score (its base plus each of its trees' cover-weighted
    /// mean leaf: TreeSHAP's bias). Recomputed from the trees whenever a file is read.
    #[serde(default)]
    pub expected_value: Vec<f64>,
    /// Each input's typical value, for display (the training mean of a number, the most
    /// common category, the more common boolean).
    pub typical: Vec<String>,
    /// The training options.
    pub options: BoostingOptions,
    /// Training metadata.
    pub training: BoostedLtrTraining,
}

/// Buffers that scoring and explaining one customer reuse (the tree row and TreeSHAP's
/// paths), so that a service allocates nothing in the steady state.
#[derive(Debug, Clone, Default)]
pub struct BoostedLtrScratch {
    row: Vec<f64>,
    shap: Vec<f64>,
    tree: TreeShapScratch,
}

/// The categories of 0–10 answers, as class codes, with their counts. Errors name the row
/// and value (as [`super::LtrModel::fit`]), or the category no row has.
fn labels(scores: &[f64]) -> Result<(Vec<f64>, [usize; 3])> {
    let mut counts = [0; 3];
    let y = scores
        .iter()
        .enumerate()
        .map(|(i, &s)| {
            let k = category(s, i)?;
            counts[k] += 1;
            Ok(k as f64)
        })
        .collect::<Result<Vec<f64>>>()?;
    if !y.is_empty() {
        super::ltr_model::every_category(&counts)?;
    }
    Ok((y, counts))
}

/// Each output's expected raw score: its base plus the expected value of each of its trees,
/// in tree order.
fn expected_values(ensemble: &Ensemble) -> Vec<f64> {
    let mut out = ensemble.base_score.clone();
    for (i, t) in ensemble.trees.iter().enumerate() {
        out[i % ensemble.outputs] += tree_expected_value(t);
    }
    out
}

impl BoostedLtrModel {
    /// Trains on respondents: `scores` are their 0–10 answers; `specs` say how each input
    /// is read (numeric, categorical split natively, boolean); `eval` a held-out table and
    /// its answers for early stopping. Errors name the field, row and value.
    pub fn fit(
        table: &RawTable,
        scores: &[f64],
        sample_weight: Option<&[f64]>,
        specs: &[ColumnSpec],
        eval: Option<(&RawTable, &[f64])>,
        options: &BoostingOptions,
    ) -> Result<BoostedLtrModel> {
        if specs.is_empty() {
            return Err(NpsError::Empty { field: "specs".into() });
        }
        let (y, counts) = labels(scores)?;
        let encoder = tree_encoder(TableEncoder::fit(table, specs, &TREE_ENCODING)?);
        let x = tree_rows(&encoder, table)?;
        let ev = eval.map(|(t, s)| Ok::<_, NpsError>((tree_rows(&encoder, t)?, labels(s)?.0))).transpose()?;
        let eval = ev.as_ref().map(|(x, y)| EvalSet { x: x.view(), y, sample_weight: None });
        Self::fit_rows(encoder, x.view(), &y, counts, sample_weight, eval, options)
    }

    /// Trains on a numeric matrix whose columns are named `names` (every input numeric, NaN
    /// missing), read in place; `eval` a held-out matrix with the same columns and its
    /// answers.
    pub fn fit_matrix(
        x: ArrayView2<'_, f64>,
        names: &[String],
        scores: &[f64],
        sample_weight: Option<&[f64]>,
        eval: Option<(ArrayView2<'_, f64>, &[f64])>,
        options: &BoostingOptions,
    ) -> Result<BoostedLtrModel> {
        if let Some((i, j)) = x.indexed_iter().find(|(_, v)| v.is_infinite()).map(|(ij, _)| ij) {
            return Err(NpsError::invalid(&format!("x[{i}, {j}]"), x[[i, j]], "a finite number or NaN (missing)"));
        }
        let (y, counts) = labels(scores)?;
        let encoder = tree_encoder(TableEncoder::fit_matrix(x, names, &TREE_ENCODING)?);
        let rows = tree_rows_matrix(&encoder, x, names)?;
        let ev = eval
            .map(|(ex, s)| Ok::<_, NpsError>((tree_rows_matrix(&encoder, ex, names)?, labels(s)?.0)))
            .transpose()?;
        let eval = ev.as_ref().map(|(x, y)| EvalSet { x: x.view(), y, sample_weight: None });
        Self::fit_rows(encoder, rows.view(), &y, counts, sample_weight, eval, options)
    }

    fn fit_rows(
        encoder: TableEncoder,
        x: ArrayView2<'_, f64>,
        y: &[f64],
        class_counts: [usize; 3],
        sample_weight: Option<&[f64]>,
        eval: Option<EvalSet<'_>>,
        options: &BoostingOptions,
    ) -> Result<BoostedLtrModel> {
        let (ensemble, report) = fit_boosted(x, y, 3, &category_counts(&encoder), sample_weight, eval, options)?;
        Ok(BoostedLtrModel {
            format: LTR_FORMAT.into(),
            version: BOOSTED_LTR_VERSION,
            kind: BOOSTED_KIND.into(),
            inputs: encoder.sources(),
            typical: typical_values(&encoder, x),
            encoder,
            expected_value: expected_values(&ensemble),
            ensemble,
            options: options.clone(),
            training: BoostedLtrTraining { rows: y.len(), class_counts, boosting: report, trained_at: None },
        })
    }

    /// One customer's cells (in [`Self::inputs`] order) as the trees read them, into `out`
    /// (one value per input). `row` names the row in errors.
    pub fn tree_row(&self, cells: &[Cell<'_>], row: usize, out: &mut [f64]) -> Result<()> {
        tree_row(&self.encoder, cells, row, out)
    }

    /// The rows of a table as the trees read them (rows × inputs).
    pub fn tree_rows(&self, table: &RawTable) -> Result<Array2<f64>> {
        tree_rows(&self.encoder, table)
    }

    /// The rows of a numeric matrix whose columns are named `names` (any order, extra
    /// columns ignored, NaN missing) as the trees read them.
    pub fn tree_rows_matrix(&self, x: ArrayView2<'_, f64>, names: &[String]) -> Result<Array2<f64>> {
        tree_rows_matrix(&self.encoder, x, names)
    }

    /// P(detractor), P(passive), P(promoter) of each tree row (see [`Self::tree_rows`]):
    /// the softmax of the three raw scores, rows spread over threads, each as
    /// [`Self::score_cells`] computes it.
    pub fn proba_rows(&self, rows: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        if rows.ncols() != self.inputs.len() {
            return Err(NpsError::LengthMismatch {
                field: "x's columns".into(),
                actual: rows.ncols(),
                other: "the model's inputs".into(),
                expected: self.inputs.len(),
            });
        }
        let standard = rows.as_standard_layout();
        let m = self.inputs.len().max(1);
        let flat = standard.as_slice().expect("a standard-layout array is contiguous");
        let mut out = vec![0.0; rows.nrows() * 3];
        out.par_chunks_mut(3).zip(flat.par_chunks(m)).for_each(|(o, row)| {
            self.ensemble.raw_into(row, o);
            softmax_in_place(o);
        });
        Ok(Array2::from_shape_vec((rows.nrows(), 3), out).expect("rows × 3 values"))
    }

    /// P(detractor), P(passive), P(promoter) for each row of a table of inputs.
    pub fn predict_proba(&self, table: &RawTable) -> Result<Array2<f64>> {
        self.proba_rows(self.tree_rows(table)?.view())
    }

    /// The same for a numeric matrix whose columns are the inputs named `names` (any
    /// order; extra columns are ignored; NaN is missing).
    pub fn predict_proba_matrix(&self, x: ArrayView2<'_, f64>, names: &[String]) -> Result<Array2<f64>> {
        self.proba_rows(self.tree_rows_matrix(x, names)?.view())
    }

    /// The three probabilities of one customer given one cell per input; `scratch`
    /// receives the tree row. The numbers of [`Self::predict_proba`], to the bit.
    pub fn score_cells(&self, cells: &[Cell<'_>], scratch: &mut Vec<f64>) -> Result<[f64; 3]> {
        scratch.resize(self.inputs.len(), 0.0);
        self.tree_row(cells, 0, scratch)?;
        let mut out = [0.0; 3];
        self.ensemble.raw_into(scratch, &mut out);
        softmax_in_place(&mut out);
        Ok(out)
    }

    /// ln(P(detractor) / P(promoter)) before any input is known: the detractor output's
    /// expected raw score minus the promoter output's.
    pub fn detractor_baseline(&self) -> f64 {
        self.expected_value[DETRACTOR] - self.expected_value[PROMOTER]
    }

    /// One customer's detractor risk and its exact attribution, given one cell per input
    /// (see the module doc): baseline + Σ contributions = log-odds within 1e-9. `scratch`
    /// and `out`'s buffers are reused.
    pub fn detractor_risk_into(
        &self,
        cells: &[Cell<'_>],
        scratch: &mut BoostedLtrScratch,
        out: &mut DetractorRisk,
    ) -> Result<()> {
        let m = self.inputs.len();
        scratch.row.resize(m, 0.0);
        self.tree_row(cells, 0, &mut scratch.row)?;
        let mut z = [0.0; 3];
        self.ensemble.raw_into(&scratch.row, &mut z);
        out.log_odds = z[DETRACTOR] - z[PROMOTER];
        softmax_in_place(&mut z);
        out.probabilities = z;
        out.baseline = self.detractor_baseline();
        scratch.shap.resize(3 * (m + 1), 0.0);
        ensemble_shap_into(&self.ensemble, &scratch.row, &mut scratch.shap, &mut scratch.tree)?;
        let (det, prom) = (&scratch.shap[DETRACTOR * (m + 1)..][..m], &scratch.shap[PROMOTER * (m + 1)..][..m]);
        out.contributions.clear();
        out.contributions.extend(det.iter().zip(prom).map(|(d, p)| d - p));
        Ok(())
    }

    /// One customer's detractor risk and attribution (see [`Self::detractor_risk_into`]).
    pub fn detractor_risk(&self, cells: &[Cell<'_>]) -> Result<DetractorRisk> {
        let mut out = DetractorRisk::default();
        self.detractor_risk_into(cells, &mut BoostedLtrScratch::default(), &mut out)?;
        Ok(out)
    }

    /// The detractor attribution of every row of a table of inputs.
    pub fn detractor_contributions(&self, table: &RawTable) -> Result<DetractorContributions> {
        self.detractor_contributions_rows(self.tree_rows(table)?.view())
    }

    /// The same for a numeric matrix whose columns are the inputs named `names`.
    pub fn detractor_contributions_matrix(
        &self,
        x: ArrayView2<'_, f64>,
        names: &[String],
    ) -> Result<DetractorContributions> {
        self.detractor_contributions_rows(self.tree_rows_matrix(x, names)?.view())
    }

    /// The same for tree rows (see [`Self::tree_rows`]); each row's numbers are
    /// [`Self::detractor_risk_into`]'s, to the bit.
    fn detractor_contributions_rows(&self, rows: ArrayView2<'_, f64>) -> Result<DetractorContributions> {
        let m = self.inputs.len();
        let shap = ensemble_shap(&self.ensemble, rows)?;
        let proba = self.proba_rows(rows)?;
        let contributions = Array2::from_shape_fn((rows.nrows(), m), |(i, j)| {
            shap[[i, DETRACTOR * (m + 1) + j]] - shap[[i, PROMOTER * (m + 1) + j]]
        });
        let standard = rows.as_standard_layout();
        let flat = standard.as_slice().expect("a standard-layout array is contiguous");
        let mut z = [0.0; 3];
        let log_odds = flat
            .chunks_exact(m.max(1))
            .take(rows.nrows())
            .map(|r| {
                self.ensemble.raw_into(r, &mut z);
                z[DETRACTOR] - z[PROMOTER]
            })
            .collect::<Vec<f64>>();
        Ok(DetractorContributions {
            contributions,
            baseline: self.detractor_baseline(),
            log_odds: Array1::from(log_odds),
            risk: proba.column(DETRACTOR).to_owned(),
        })
    }

    /// The model file.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a model serialises")
    }

    /// Reads a boosted LTR model file and checks everything (format, version, kind, the
    /// encoder, every tree). Each error says what is wrong and where.
    pub fn from_json(text: &str) -> Result<BoostedLtrModel> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| NpsError::invalid("model file", e, "a JSON document"))?;
        match value.get("format").and_then(|f| f.as_str()) {
            Some(LTR_FORMAT) => {}
            other => return Err(NpsError::invalid("format", format!("{other:?}"), &format!("\"{LTR_FORMAT}\""))),
        }
        let kind = value.get("kind").and_then(|k| k.as_str()).unwrap_or("logistic");
        if kind != BOOSTED_KIND {
            return Err(NpsError::invalid(
                "kind",
                format!("{kind:?}"),
                &format!("{BOOSTED_KIND:?} (load a {kind} LTR model with LtrModel, or either kind with AnyLtrModel)"),
            ));
        }
        match value.get("version").and_then(|v| v.as_u64()) {
            Some(v) if v == BOOSTED_LTR_VERSION as u64 => {}
            Some(v) if v > BOOSTED_LTR_VERSION as u64 => {
                return Err(NpsError::invalid(
                    "version",
                    v,
                    &format!("{BOOSTED_LTR_VERSION} (the file was written by a newer nps; upgrade to read it)"),
                ))
            }
            other => return Err(NpsError::invalid("version", format!("{other:?}"), &format!("{BOOSTED_LTR_VERSION}"))),
        }
        let mut model: BoostedLtrModel = serde_json::from_value(value)
            .map_err(|e| NpsError::invalid("model file", e, "a valid boosted LTR model"))?;
        model.validate()?;
        model.expected_value = expected_values(&model.ensemble);
        Ok(model)
    }

    /// Checks a model (see [`Self::from_json`]).
    pub fn validate(&self) -> Result<()> {
        if self.format != LTR_FORMAT {
            return Err(NpsError::invalid("format", &self.format, &format!("\"{LTR_FORMAT}\"")));
        }
        if self.kind != BOOSTED_KIND {
            return Err(NpsError::invalid("kind", &self.kind, &format!("{BOOSTED_KIND:?}")));
        }
        check_model(&self.encoder, &self.inputs, &self.ensemble, &self.typical, 3, "3 (detractor, passive, promoter)")
    }
}
