//! The boosted churn model and its file: the same versioned document as the logistic
//! model (`format: nps.churn_model`), of `kind: boosted_trees`, scoring identically in
//! Rust, Python and Node.
//!
//! Inputs reach the trees as they are: a number as itself (NaN missing, routed by each
//! split's learned side), a category as its code in the training categories (split
//! natively, a set of categories against the rest), a boolean as 0/1. The table encoder
//! saved with the model holds that schema and its checks.
use std::collections::BTreeMap;

use ndarray::{Array1, Array2, ArrayView2};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::ensemble::Ensemble;
use super::imported::ImportedModel;
use super::lazy::Lazy;
use super::objective::Objective;
use super::train::{fit_boosted, BoostingOptions, BoostingReport};
use super::tree_input;
use crate::encode::{Cell, ColumnSpec, EncodedColumn, RawTable, TableEncoder, UnseenPolicy};
use crate::error::{NpsError, Result};
use crate::explain::{ensemble_interactions_into, tree_expected_value, TreeShapPlan, TreeShapScratch};
use crate::features::FeatureSet;
use crate::model::file_header::{check_header, BOOSTED_MODEL_VERSION, MODEL_FORMAT};
use crate::model::{sigmoid, Explanation, InputProfile};
use crate::monitor::{
    calibrate, calibrate_one, drift_from_reference, matrix_reference, model_id, stored_reference, table_reference,
    DriftOptions, DriftReport, ModelMonitoring,
};

/// The `kind` of a boosted model file.
pub const BOOSTED_KIND: &str = "boosted_trees";

/// What a boosted model was trained on and how training went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct BoostedTrainingInfo {
    /// Training rows.
    pub rows: usize,
    /// Positive (churned) rows among them.
    pub positives: usize,
    /// positives / rows.
    pub positive_share: f64,
    /// Rounds kept and the validation loss by round.
    pub boosting: BoostingReport,
    /// Evaluation results the trainer chose to record (e.g. `cv_roc_auc`).
    #[serde(default)]
    pub metrics: BTreeMap<String, f64>,
    /// Where the trees come from: `nps`, or the library a model was read from.
    #[serde(default)]
    pub source: String,
}

/// A boosted churn model: P(churn | inputs) = σ(base + Σ trees(inputs)).
///
/// Its exact attributions come from a [`TreeShapPlan`] of the trees, built at the first
/// explanation (milliseconds) and kept with the model (and its clones): a model whose
/// `ensemble` is changed after it has explained must be read again (or rebuilt from its
/// fields) to explain the new trees.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoostedChurnModel {
    /// Always [`MODEL_FORMAT`].
    pub format: String,
    /// File format version ([`BOOSTED_MODEL_VERSION`]).
    pub version: u32,
    /// Always [`BOOSTED_KIND`].
    pub kind: String,
    /// The named inputs, as the caller provides them.
    pub inputs: Vec<String>,
    /// Each input's kind and categories (not standardised: trees need no scaling).
    pub encoder: TableEncoder,
    /// The feature definitions the inputs are computed with, when they come from an event
    /// history (see [`crate::features`]).
    #[serde(default)]
    pub features: Option<serde_json::Value>,
    /// The trees, over one value per input.
    pub ensemble: Ensemble,
    /// The log-odds every attribution starts from: the base score plus each tree's
    /// cover-weighted mean leaf (TreeSHAP's expected value). Recomputed from the trees
    /// whenever a file is read.
    #[serde(default)]
    pub expected_value: f64,
    /// Each input's typical value, for display next to a customer's (the training mean of a
    /// number, the most common category, the more common boolean).
    pub typical: Vec<String>,
    /// What a factor of each input shows beside a customer's value: its typical value in
    /// its own type and the training mix of a category's or a boolean's values (see
    /// [`InputProfile`]). Files written before it was kept read it from `typical`, without
    /// the mix.
    #[serde(default)]
    pub profiles: Vec<InputProfile>,
    /// The training options.
    pub options: BoostingOptions,
    /// Training metadata.
    pub training: BoostedTrainingInfo,
    /// The reference summary, recalibration and lineage (absent in older files), at the
    /// top level of the file.
    #[serde(flatten)]
    pub monitoring: ModelMonitoring,
    /// TreeSHAP's tables for `ensemble`, built on first use (not in the file, not compared).
    #[serde(skip)]
    shap_plan: Lazy<TreeShapPlan>,
}

/// Global importance of each input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TreeImportance {
    /// Total loss reduction of the splits on each input.
    pub gain: Vec<f64>,
    /// Number of splits on each input.
    pub splits: Vec<usize>,
}

impl BoostedChurnModel {
    /// Trains on a table: `specs` say how each input is read (numeric, categorical split
    /// natively, boolean), `y` is 0/1 churn; `eval` a held-out table and labels for early
    /// stopping. Errors name the field, row and value.
    pub fn fit(
        table: &RawTable,
        y: &[f64],
        sample_weight: Option<&[f64]>,
        specs: &[ColumnSpec],
        eval: Option<(&RawTable, &[f64])>,
        options: &BoostingOptions,
    ) -> Result<BoostedChurnModel> {
        if specs.is_empty() {
            return Err(NpsError::Empty { field: "specs".into() });
        }
        let encoder = tree_input::tree_encoder(TableEncoder::fit(table, specs, &tree_input::TREE_ENCODING)?);
        let x = tree_input::tree_rows(&encoder, table)?;
        let ex = eval.map(|(t, _)| tree_input::tree_rows(&encoder, t)).transpose()?;
        let profiles = tree_input::profiles(&encoder, x.view());
        let eval =
            ex.as_ref().zip(eval).map(|(ex, (_, ey))| super::EvalSet { x: ex.view(), y: ey, sample_weight: None });
        let mut model = Self::fit_rows(encoder, x.view(), profiles, y, sample_weight, eval, options)?;
        if options.record_reference {
            let score = model.raw_scores(x.view())?.mapv(sigmoid);
            model.monitoring.reference_summary =
                Some(table_reference(table, &model.inputs, score.as_slice().expect("contiguous"))?);
            model.version = model.file_version();
        }
        Ok(model)
    }

    /// Trains on a numeric matrix whose columns are named `names` (every input numeric, NaN
    /// missing), read in place.
    pub fn fit_matrix(
        x: ArrayView2<'_, f64>,
        names: &[String],
        y: &[f64],
        sample_weight: Option<&[f64]>,
        eval: Option<super::EvalSet<'_>>,
        options: &BoostingOptions,
    ) -> Result<BoostedChurnModel> {
        if let Some((i, j)) = x.indexed_iter().find(|(_, v)| v.is_infinite()).map(|(ij, _)| ij) {
            return Err(NpsError::invalid(&format!("x[{i}, {j}]"), x[[i, j]], "a finite number or NaN (missing)"));
        }
        let encoder = tree_input::tree_encoder(TableEncoder::fit_matrix(x, names, &tree_input::TREE_ENCODING)?);
        let profiles = tree_input::profiles(&encoder, x);
        let mut model = Self::fit_rows(encoder, x, profiles, y, sample_weight, eval, options)?;
        if options.record_reference {
            let score = model.raw_proba_matrix(x, names)?;
            model.monitoring.reference_summary =
                Some(matrix_reference(x, names, &model.inputs, score.as_slice().expect("contiguous"))?);
            model.version = model.file_version();
        }
        Ok(model)
    }

    fn fit_rows(
        encoder: TableEncoder,
        x: ArrayView2<'_, f64>,
        profiles: Vec<InputProfile>,
        y: &[f64],
        sample_weight: Option<&[f64]>,
        eval: Option<super::EvalSet<'_>>,
        options: &BoostingOptions,
    ) -> Result<BoostedChurnModel> {
        let categories = tree_input::category_counts(&encoder);
        let (ensemble, report) = fit_boosted(x, y, 2, &categories, sample_weight, eval, options)?;
        let positives = y.iter().filter(|&&v| v == 1.0).count();
        let expected_value = expected_value(&ensemble);
        Ok(BoostedChurnModel {
            format: MODEL_FORMAT.into(),
            version: BOOSTED_MODEL_VERSION,
            kind: BOOSTED_KIND.into(),
            inputs: encoder.sources(),
            encoder,
            features: None,
            ensemble,
            expected_value,
            typical: profiles.iter().map(|p| p.typical.to_string()).collect(),
            profiles,
            options: options.clone(),
            training: BoostedTrainingInfo {
                rows: y.len(),
                positives,
                positive_share: positives as f64 / y.len() as f64,
                boosting: report,
                metrics: BTreeMap::new(),
                source: "nps".into(),
            },
            monitoring: ModelMonitoring::default(),
            shap_plan: Lazy::default(),
        })
    }

    /// A churn model from a binary model read from another library ([`from_lightgbm`],
    /// [`from_xgboost`]): its inputs by the file's feature names, categorical inputs with
    /// the file's category labels (a customer gives the label; codes are renumbered to the
    /// labels' sorted order, as the trees of a model trained here number them). Errors: a
    /// multiclass model, duplicate names or labels.
    ///
    /// [`from_lightgbm`]: super::from_lightgbm
    /// [`from_xgboost`]: super::from_xgboost
    pub fn from_imported(imported: ImportedModel) -> Result<BoostedChurnModel> {
        let ImportedModel { mut ensemble, feature_names, categorical, objective, source } = imported;
        if objective != Objective::Binary {
            return Err(NpsError::invalid(
                "objective",
                format!("{objective:?}"),
                "binary (a churn model has one score; read a multiclass model as an ensemble)",
            ));
        }
        let mut columns = Vec::with_capacity(feature_names.len());
        for (f, (name, labels)) in feature_names.iter().zip(&categorical).enumerate() {
            columns.push(match labels {
                None => {
                    EncodedColumn::Numeric { name: name.clone(), mean: 0.0, center: 0.0, scale: 1.0, indicator: false }
                }
                Some(labels) => {
                    let mut sorted = labels.clone();
                    sorted.sort_unstable();
                    sorted.dedup();
                    if sorted.len() != labels.len() {
                        return Err(NpsError::invalid(
                            &format!("categories of {name}"),
                            labels.join(", "),
                            "distinct labels",
                        ));
                    }
                    // Code c (the file's) is now the label's place in sorted order.
                    let code: Vec<u32> = labels.iter().map(|l| sorted.binary_search(l).unwrap() as u32).collect();
                    for tree in &mut ensemble.trees {
                        for split in tree.splits.iter_mut().filter(|s| s.feature == f) {
                            if let Some(set) = &mut split.categories {
                                // Codes beyond the labels can never be given: they drop out.
                                let mut mapped: Vec<u32> =
                                    set.iter().filter_map(|&c| code.get(c as usize).copied()).collect();
                                mapped.sort_unstable();
                                *set = mapped;
                            }
                        }
                    }
                    EncodedColumn::Categorical { name: name.clone(), categories: sorted, missing: false }
                }
            });
        }
        let encoder = TableEncoder { columns, unseen: UnseenPolicy::Error };
        let model = BoostedChurnModel {
            expected_value: expected_value(&ensemble),
            format: MODEL_FORMAT.into(),
            version: BOOSTED_MODEL_VERSION,
            kind: BOOSTED_KIND.into(),
            inputs: encoder.sources(),
            typical: vec!["unknown".into(); feature_names.len()],
            profiles: encoder.columns.iter().map(|c| InputProfile::from_typical_text(c.kind(), "unknown")).collect(),
            encoder,
            features: None,
            ensemble,
            options: BoostingOptions::default(),
            training: BoostedTrainingInfo { source, ..Default::default() },
            monitoring: ModelMonitoring::default(),
            shap_plan: Lazy::default(),
        };
        model.validate()?;
        Ok(model)
    }

    /// A churn model from LightGBM's model text (`Booster.model_to_string()`, a binary
    /// model): raw scores equal LightGBM's within 1e-9.
    pub fn from_lightgbm(text: &str) -> Result<BoostedChurnModel> {
        Self::from_imported(super::from_lightgbm(text)?)
    }

    /// A churn model from XGBoost's JSON model (`Booster.save_raw("json")`, a binary
    /// model): raw scores equal XGBoost's within 1e-5 (it computes in single precision).
    pub fn from_xgboost(text: &str) -> Result<BoostedChurnModel> {
        Self::from_imported(super::from_xgboost(text)?)
    }

    /// Records the feature definitions the inputs are computed with.
    pub fn with_features(mut self, set: &FeatureSet) -> Result<BoostedChurnModel> {
        self.features = Some(serde_json::from_str(&set.to_json()).expect("a set serialises to JSON"));
        self.validate()?;
        Ok(self)
    }

    /// One customer's cells (in [`Self::inputs`] order) as the trees read them, into `out`
    /// (one value per input). `row` names the row in errors.
    pub fn tree_row(&self, cells: &[Cell<'_>], row: usize, out: &mut [f64]) -> Result<()> {
        tree_input::tree_row(&self.encoder, cells, row, out)
    }

    /// The log-odds of one customer given as cells; `scratch` receives the tree row.
    pub fn raw_score_cells(&self, cells: &[Cell<'_>], scratch: &mut Vec<f64>) -> Result<f64> {
        scratch.resize(self.inputs.len(), 0.0);
        self.tree_row(cells, 0, scratch)?;
        Ok(self.ensemble.raw(scratch))
    }

    /// The churn probability of one customer given as cells (see [`Self::raw_score_cells`];
    /// through the [recalibration](crate::monitor::ModelMonitoring::recalibration) when the model has one).
    pub fn score_cells(&self, cells: &[Cell<'_>], scratch: &mut Vec<f64>) -> Result<f64> {
        calibrate_one(self.monitoring.recalibration.as_ref(), sigmoid(self.raw_score_cells(cells, scratch)?))
    }

    /// The file version this model is written with: [`crate::model::MONITORED_MODEL_VERSION`] when it
    /// carries a reference summary, a recalibration or a lineage, else
    /// [`BOOSTED_MODEL_VERSION`].
    pub fn file_version(&self) -> u32 {
        self.monitoring.file_version(BOOSTED_MODEL_VERSION)
    }

    /// The model's id: [`model_id`] of its file ([`Self::to_json`]).
    pub fn id(&self) -> String {
        model_id(&self.to_json())
    }

    /// σ(log-odds) of each row of a table, before any recalibration.
    pub fn raw_proba(&self, table: &RawTable) -> Result<Array1<f64>> {
        Ok(self.raw_scores(self.tree_rows(table)?.view())?.mapv(sigmoid))
    }

    /// σ(log-odds) of each row of a numeric matrix, before any recalibration.
    pub fn raw_proba_matrix(&self, x: ArrayView2<'_, f64>, names: &[String]) -> Result<Array1<f64>> {
        Ok(self.raw_scores(self.tree_rows_matrix(x, names)?.view())?.mapv(sigmoid))
    }

    /// Drift of a window (a table holding the model's inputs) from the reference summary
    /// recorded at fit, the score (before recalibration) included. Errors: a model without
    /// a stored reference, a missing input, the table's errors.
    pub fn drift(&self, table: &RawTable, options: &DriftOptions) -> Result<DriftReport> {
        stored_reference(self.monitoring.reference_summary.as_ref())?;
        let score = self.raw_proba(table)?;
        drift_from_reference(
            self.monitoring.reference_summary.as_ref(),
            table,
            &self.inputs,
            score.as_slice().expect("contiguous"),
            options,
        )
    }

    /// The rows of a table as the trees read them (rows × inputs).
    pub fn tree_rows(&self, table: &RawTable) -> Result<Array2<f64>> {
        tree_input::tree_rows(&self.encoder, table)
    }

    /// The rows of a numeric matrix whose columns are named `names` (any order, extra
    /// columns ignored) as the trees read them.
    pub fn tree_rows_matrix(&self, x: ArrayView2<'_, f64>, names: &[String]) -> Result<Array2<f64>> {
        tree_input::tree_rows_matrix(&self.encoder, x, names)
    }

    /// The log-odds of each row of tree rows (see [`Self::tree_rows`]), rows spread over
    /// threads, each summed as [`Ensemble::raw`] sums one row.
    pub fn raw_scores(&self, rows: ArrayView2<'_, f64>) -> Result<Array1<f64>> {
        check_width(rows, self.inputs.len())?;
        let standard = rows.as_standard_layout();
        let m = self.inputs.len().max(1);
        let flat = standard.as_slice().expect("a standard-layout array is contiguous");
        let mut out = vec![0.0; rows.nrows()];
        const CHUNK: usize = 4096;
        out.par_chunks_mut(CHUNK)
            .zip(flat.par_chunks(CHUNK * m))
            .for_each(|(out, rows)| self.ensemble.raw_rows(rows, out));
        Ok(Array1::from(out))
    }

    /// The churn probability of each row of a table (through the [recalibration](crate::monitor::ModelMonitoring::recalibration)
    /// when the model has one).
    pub fn predict_proba(&self, table: &RawTable) -> Result<Array1<f64>> {
        calibrate(self.monitoring.recalibration.as_ref(), self.raw_proba(table)?)
    }

    /// The churn probability of each row of a numeric matrix whose columns are the inputs
    /// named `names` (any order; extra columns are ignored; NaN is missing), through the
    /// recalibration when the model has one.
    pub fn predict_proba_matrix(&self, x: ArrayView2<'_, f64>, names: &[String]) -> Result<Array1<f64>> {
        calibrate(self.monitoring.recalibration.as_ref(), self.raw_proba_matrix(x, names)?)
    }

    /// Gain and split-count importance of each input.
    pub fn importance(&self) -> TreeImportance {
        let mut imp = TreeImportance { gain: vec![0.0; self.inputs.len()], splits: vec![0; self.inputs.len()] };
        for t in &self.ensemble.trees {
            for s in &t.splits {
                imp.gain[s.feature] += s.gain;
                imp.splits[s.feature] += 1;
            }
        }
        imp
    }

    /// The model file (of [`Self::file_version`]).
    pub fn to_json(&self) -> String {
        let version = self.file_version();
        if version == self.version {
            serde_json::to_string(self).expect("a model serialises")
        } else {
            serde_json::to_string(&BoostedChurnModel { version, ..self.clone() }).expect("a model serialises")
        }
    }

    /// Reads a boosted model file and checks everything (format, version, kind, the
    /// encoder, every tree). Each error says what is wrong and where.
    pub fn from_json(text: &str) -> Result<BoostedChurnModel> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| NpsError::invalid("model file", e, "a JSON document"))?;
        check_header(&value, BOOSTED_KIND)?;
        let mut model: BoostedChurnModel = serde_json::from_value(value)
            .map_err(|e| NpsError::invalid("model file", e, "a valid boosted churn model"))?;
        model.validate()?;
        model.expected_value = expected_value(&model.ensemble);
        if model.profiles.is_empty() {
            model.profiles = model
                .encoder
                .columns
                .iter()
                .zip(&model.typical)
                .map(|(c, t)| InputProfile::from_typical_text(c.kind(), t))
                .collect();
        }
        Ok(model)
    }

    /// Checks a model (see [`Self::from_json`]).
    pub fn validate(&self) -> Result<()> {
        tree_input::check_model(
            &self.encoder,
            &self.inputs,
            &self.ensemble,
            &self.typical,
            1,
            "1 (a churn model has one score)",
        )?;
        if !self.profiles.is_empty() && self.profiles.len() != self.inputs.len() {
            return Err(NpsError::LengthMismatch {
                field: "profiles".into(),
                actual: self.profiles.len(),
                other: "inputs".into(),
                expected: self.inputs.len(),
            });
        }
        if let Some(features) = &self.features {
            let set = FeatureSet::from_json(&features.to_string())?;
            if let Some(missing) = self.inputs.iter().find(|i| set.get(i).is_none()) {
                return Err(NpsError::unknown(
                    "input feature",
                    missing,
                    &set.features.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(),
                ));
            }
        }
        self.monitoring.validate()?;
        Ok(())
    }
}

/// The base score plus each tree's expected value, in tree order (the bias of
/// [`crate::explain::ensemble_shap_into`] and of [`TreeShapPlan::ensemble_shap_into`]).
fn expected_value(ensemble: &Ensemble) -> f64 {
    ensemble.trees.iter().fold(ensemble.base_score.first().copied().unwrap_or(0.0), |s, t| s + tree_expected_value(t))
}

/// Buffers that explaining one customer reuses (the tree row and TreeSHAP's paths), so that
/// a service explaining customer after customer allocates nothing.
#[derive(Debug, Clone, Default)]
pub struct BoostedScratch {
    row: Vec<f64>,
    shap: Vec<f64>,
    tree: TreeShapScratch,
}

impl BoostedChurnModel {
    /// The TreeSHAP tables of the trees, built on first use. Every attribution of the model
    /// (one customer or a batch, so a ticket and an explanation alike) goes through them,
    /// so that they agree to the bit.
    fn shap_plan(&self) -> &TreeShapPlan {
        self.shap_plan.get_or_init(|| TreeShapPlan::new(&self.ensemble))
    }

    /// The log-odds of one customer given as cells, and each input's exact contribution
    /// (path-dependent TreeSHAP) into `contributions` (one per input):
    /// [`Self::expected_value`] + Σ contributions = the log-odds within 1e-9. The log-odds is
    /// [`Self::raw_score_cells`]'s, to the bit.
    pub fn attribute_cells(
        &self,
        cells: &[Cell<'_>],
        scratch: &mut BoostedScratch,
        contributions: &mut [f64],
    ) -> Result<f64> {
        let m = self.inputs.len();
        if contributions.len() != m {
            return Err(NpsError::LengthMismatch {
                field: "contributions".into(),
                actual: contributions.len(),
                other: "the model's inputs".into(),
                expected: m,
            });
        }
        scratch.row.resize(m, 0.0);
        self.tree_row(cells, 0, &mut scratch.row)?;
        scratch.shap.resize(m + 1, 0.0);
        self.shap_plan().ensemble_shap_into(&self.ensemble, &scratch.row, &mut scratch.shap, &mut scratch.tree)?;
        contributions.copy_from_slice(&scratch.shap[..m]);
        Ok(self.ensemble.raw(&scratch.row))
    }

    /// Explains one customer given as cells: the probability, the exact contributions and
    /// the `top` factors each way, as [`crate::model::ChurnModel::explain_cells`] gives
    /// them for the logistic model.
    pub fn explain_cells(&self, cells: &[Cell<'_>], top: usize, scratch: &mut BoostedScratch) -> Result<Explanation> {
        let mut contributions = vec![0.0; self.inputs.len()];
        let log_odds = self.attribute_cells(cells, scratch, &mut contributions)?;
        Ok(Explanation::from_contributions(
            log_odds,
            self.expected_value,
            contributions,
            top,
            &self.inputs,
            cells,
            &self.profiles,
        ))
    }

    /// Each row's contributions (rows of tree rows, see [`Self::tree_rows`]): rows ×
    /// (inputs + 1), the expected value last (LightGBM's `pred_contrib` layout), rows spread
    /// over threads, each as [`Self::attribute_cells`] computes it.
    pub fn contributions(&self, rows: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        check_width(rows, self.inputs.len())?;
        self.shap_plan().ensemble_shap(&self.ensemble, rows)
    }

    /// SHAP interaction values of one tree row: (inputs + 1) × (inputs + 1), main effects on
    /// the diagonal, the expected value last (shap's `shap_interaction_values` layout).
    pub fn interactions(&self, row: &[f64]) -> Result<Array2<f64>> {
        let w = self.inputs.len() + 1;
        let mut out = vec![0.0; w * w];
        ensemble_interactions_into(&self.ensemble, row, 0, &mut out, &mut TreeShapScratch::new())?;
        Ok(Array2::from_shape_vec((w, w), out).expect("w × w values"))
    }

    /// [`Self::interactions`] of every tree row: rows × (inputs + 1) × (inputs + 1), rows
    /// spread over threads.
    pub fn interactions_rows(&self, rows: ArrayView2<'_, f64>) -> Result<ndarray::Array3<f64>> {
        check_width(rows, self.inputs.len())?;
        let w = self.inputs.len() + 1;
        let mut out = vec![0.0; rows.nrows() * w * w];
        out.par_chunks_mut(w * w).enumerate().try_for_each_init(
            || (TreeShapScratch::new(), Vec::new()),
            |(scratch, row), (i, o)| {
                row.clear();
                row.extend(rows.row(i).iter().copied());
                ensemble_interactions_into(&self.ensemble, row, 0, o, scratch)
            },
        )?;
        Ok(ndarray::Array3::from_shape_vec((rows.nrows(), w, w), out).expect("n × w × w values"))
    }
}

fn check_width(x: ArrayView2<'_, f64>, width: usize) -> Result<()> {
    if x.ncols() != width {
        return Err(NpsError::LengthMismatch {
            field: "x's columns".into(),
            actual: x.ncols(),
            other: "the model's inputs".into(),
            expected: width,
        });
    }
    Ok(())
}
