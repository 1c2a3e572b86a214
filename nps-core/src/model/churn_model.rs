//! The churn model and its file: one versioned JSON document that scores identically in
//! Rust, Python and Node.
//!
//! The file holds everything scoring needs: the encoder that turns the named inputs into
//! the model's columns, the coefficients, and the training metadata. Every language scores
//! through the same core code (encode the row, sum b + Σ wⱼxⱼ in column order, apply the
//! logistic function), and JSON numbers are written and read back exactly, so a model saved
//! anywhere gives the same probabilities, to the last bit, everywhere.
use std::collections::BTreeMap;

use ndarray::{Array1, ArrayView2};
use serde::{Deserialize, Serialize};

use super::design::Design;
use super::file_header::{check_header, MODEL_FORMAT};
use super::logistic::{fit_design, linear, sigmoid, ConvergenceReport, LogisticFit, LogisticOptions};
use crate::encode::{Cell, ColumnSpec, EncodedColumn, EncoderOptions, RawTable, TableEncoder};
use crate::error::{NpsError, Result};
use crate::explain::LinearExplainer;
use crate::features::FeatureSet;
use crate::monitor::{
    calibrate, calibrate_one, drift_from_reference, matrix_reference, model_id, table_reference, DriftOptions,
    DriftReport, ModelMonitoring, DEFAULT_RECORD_REFERENCE,
};

/// The newest model file version this library reads and the one it writes.
pub const MODEL_VERSION: u32 = 1;

/// How to train.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChurnModelOptions {
    /// The logistic regression.
    pub logistic: LogisticOptions,
    /// The input encoding (standardisation on by default: it makes the penalty treat every
    /// input alike and the predictions independent of each input's unit).
    pub encoder: EncoderOptions,
    /// Whether the fit records the reference summary of the training inputs and score in
    /// the model ([`DEFAULT_RECORD_REFERENCE`]: on). An instruction to the fit, not part of
    /// the file (not written, so a file's `options` are as before).
    #[serde(skip)]
    pub record_reference: bool,
}

impl Default for ChurnModelOptions {
    fn default() -> Self {
        ChurnModelOptions {
            logistic: LogisticOptions::default(),
            encoder: EncoderOptions::default(),
            record_reference: DEFAULT_RECORD_REFERENCE,
        }
    }
}

/// What a model was trained on and how well it did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingInfo {
    /// Training rows.
    pub rows: usize,
    /// Positive (churned) rows among them.
    pub positives: usize,
    /// positives / rows.
    pub positive_share: f64,
    /// How the fit ended.
    pub convergence: ConvergenceReport,
    /// Evaluation results the trainer chose to record (e.g. `cv_roc_auc`).
    #[serde(default)]
    pub metrics: BTreeMap<String, f64>,
    /// When it was trained (ISO 8601), if the trainer recorded it.
    #[serde(default)]
    pub trained_at: Option<String>,
}

/// A churn model: P(churn within the horizon | inputs) = σ(b + w · encode(inputs)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChurnModel {
    /// Always [`MODEL_FORMAT`].
    pub format: String,
    /// File format version.
    pub version: u32,
    /// The named inputs, as the caller provides them.
    pub inputs: Vec<String>,
    /// How inputs become columns.
    pub encoder: TableEncoder,
    /// The feature definitions the inputs are computed with, when they come from an event
    /// history (see [`crate::features`]).
    #[serde(default)]
    pub features: Option<serde_json::Value>,
    /// Encoded column names, in coefficient order.
    pub columns: Vec<String>,
    /// Coefficients.
    pub coef: Vec<f64>,
    /// Intercept.
    pub intercept: f64,
    /// Training mean of each encoded column: the baseline of attribution.
    pub column_mean: Vec<f64>,
    /// The training options.
    pub options: ChurnModelOptions,
    /// Training metadata.
    pub training: TrainingInfo,
    /// The reference summary, recalibration and lineage (absent in older files), at the
    /// top level of the file.
    #[serde(flatten)]
    pub monitoring: ModelMonitoring,
}

/// The rows of positive weight when some weight is zero (`None` when all are positive or
/// there are no weights): a model is fitted on those alone, so that a zero weight is the
/// row left out. Weights and labels of another length than the rows are left to the fit to
/// name.
pub(crate) fn zero_weight_rows_left_out(w: Option<&[f64]>, rows: usize, labels: usize) -> Result<Option<Vec<usize>>> {
    match w {
        Some(w) if w.len() == rows && labels == rows && w.contains(&0.0) => {
            let keep: Vec<usize> = (0..rows).filter(|&r| w[r] > 0.0 || w[r].is_nan() || w[r] < 0.0).collect();
            Ok((keep.iter().any(|&r| w[r] > 0.0)).then_some(keep))
        }
        _ => Ok(None),
    }
}

impl ChurnModel {
    /// Trains on a table: `specs` say how each input column is encoded (see
    /// [`crate::encode::infer_specs`] for a default), `y` is 0/1 churn. Errors name the field, row and
    /// value (see [`TableEncoder::fit`] and [`fit_logistic`](crate::model::fit_logistic)).
    pub fn fit(
        table: &RawTable,
        y: &[f64],
        sample_weight: Option<&[f64]>,
        specs: &[ColumnSpec],
        options: &ChurnModelOptions,
    ) -> Result<ChurnModel> {
        if specs.is_empty() {
            return Err(NpsError::Empty { field: "specs".into() });
        }
        if let Some(keep) = zero_weight_rows_left_out(sample_weight, table.len(), y.len())? {
            // A row of weight zero is as if it were not there, for the encoder too.
            TableEncoder::fit(table, specs, &options.encoder)?; // errors name the caller's rows
            let w: Vec<f64> = keep.iter().map(|&r| sample_weight.expect("weights")[r]).collect();
            let y: Vec<f64> = keep.iter().map(|&r| y[r]).collect();
            return ChurnModel::fit(&table.select(&keep), &y, Some(&w), specs, options);
        }
        let encoder = TableEncoder::fit_weighted(table, specs, &options.encoder, sample_weight)?;
        let x = encoder.transform(table)?;
        let mut model = ChurnModel::fit_encoded(encoder, x.view(), y, sample_weight, options)?;
        if options.record_reference {
            let score = model.decision_function(x.view())?.mapv(sigmoid);
            model.monitoring.reference_summary =
                Some(table_reference(table, &model.inputs, score.as_slice().expect("contiguous"))?);
            model.version = model.file_version();
        }
        Ok(model)
    }

    /// Trains on a numeric matrix whose columns are named `names`, read in place (every
    /// input numeric; see [`ChurnModel::fit`]). Without missing values the fit reads the
    /// matrix itself (standardised on the fly), in any layout: no encoded copy is made.
    pub fn fit_matrix(
        x: ArrayView2<'_, f64>,
        names: &[String],
        y: &[f64],
        sample_weight: Option<&[f64]>,
        options: &ChurnModelOptions,
    ) -> Result<ChurnModel> {
        if let Some(keep) = zero_weight_rows_left_out(sample_weight, x.nrows(), y.len())? {
            TableEncoder::fit_matrix(x, names, &options.encoder)?; // errors name the caller's rows
            let w: Vec<f64> = keep.iter().map(|&r| sample_weight.expect("weights")[r]).collect();
            let y: Vec<f64> = keep.iter().map(|&r| y[r]).collect();
            let x = x.select(ndarray::Axis(0), &keep);
            return ChurnModel::fit_matrix(x.view(), names, &y, Some(&w), options);
        }
        let mut model = ChurnModel::fit_matrix_unrecorded(x, names, y, sample_weight, options)?;
        if options.record_reference {
            let score = model.raw_proba_matrix(x, names)?;
            model.monitoring.reference_summary =
                Some(matrix_reference(x, names, &model.inputs, score.as_slice().expect("contiguous"))?);
            model.version = model.file_version();
        }
        Ok(model)
    }

    fn fit_matrix_unrecorded(
        x: ArrayView2<'_, f64>,
        names: &[String],
        y: &[f64],
        sample_weight: Option<&[f64]>,
        options: &ChurnModelOptions,
    ) -> Result<ChurnModel> {
        let encoder = TableEncoder::fit_matrix_weighted(x, names, &options.encoder, sample_weight)?;
        // Each column is then (x − center) / scale, exactly as the encoder computes it.
        let affine: Option<(Vec<f64>, Vec<f64>)> = encoder
            .columns
            .iter()
            .map(|c| match c {
                EncodedColumn::Numeric { center, scale, indicator: false, .. } => Some((*center, *scale)),
                _ => None,
            })
            .collect();
        match affine {
            Some(affine) => {
                let (center, scale) = affine;
                let design = Design::standardized(x, center, scale);
                ChurnModel::fit_design(encoder, &design, y, sample_weight, options)
            }
            None => {
                let encoded = encoder.transform_matrix(x, names)?;
                ChurnModel::fit_design(encoder, &Design::new(encoded.view()), y, sample_weight, options)
            }
        }
    }

    fn fit_encoded(
        encoder: TableEncoder,
        x: ArrayView2<'_, f64>,
        y: &[f64],
        sample_weight: Option<&[f64]>,
        options: &ChurnModelOptions,
    ) -> Result<ChurnModel> {
        ChurnModel::fit_design(encoder, &Design::new(x), y, sample_weight, options)
    }

    fn fit_design(
        encoder: TableEncoder,
        x: &Design<'_>,
        y: &[f64],
        sample_weight: Option<&[f64]>,
        options: &ChurnModelOptions,
    ) -> Result<ChurnModel> {
        let (fit, column_mean) = fit_design(x, y, sample_weight, &options.logistic)?;
        let positives = y.iter().filter(|&&v| v == 1.0).count();
        ChurnModel::from_parts(encoder, fit, column_mean, [y.len() - positives, positives], options)
    }

    /// A model from a fit made elsewhere: the encoder (say of an
    /// [`EncoderSummary`](crate::encode::EncoderSummary)), the logistic fit of the encoded
    /// columns (say a [`DistributedFit`](crate::model::DistributedFit)), their means and
    /// the rows of each class. Errors: a fit or means of another width than the encoder's.
    pub fn from_parts(
        encoder: TableEncoder,
        fit: LogisticFit,
        column_mean: Vec<f64>,
        rows: [usize; 2],
        options: &ChurnModelOptions,
    ) -> Result<ChurnModel> {
        for (field, actual) in [("coef", fit.coef.len()), ("column_mean", column_mean.len())] {
            if actual != encoder.width() {
                return Err(NpsError::LengthMismatch {
                    field: field.into(),
                    actual,
                    other: "the encoder's columns".into(),
                    expected: encoder.width(),
                });
            }
        }
        let total = rows[0] + rows[1];
        Ok(ChurnModel {
            format: MODEL_FORMAT.into(),
            version: MODEL_VERSION,
            inputs: encoder.sources(),
            columns: encoder.feature_names(),
            encoder,
            features: None,
            coef: fit.coef,
            intercept: fit.intercept,
            column_mean,
            options: *options,
            training: TrainingInfo {
                rows: total,
                positives: rows[1],
                positive_share: rows[1] as f64 / total as f64,
                convergence: fit.report,
                metrics: BTreeMap::new(),
                trained_at: None,
            },
            monitoring: ModelMonitoring::default(),
        })
    }

    /// Records the feature definitions the inputs are computed with.
    pub fn with_features(mut self, set: &FeatureSet) -> Result<ChurnModel> {
        self.features = Some(serde_json::from_str(&set.to_json()).expect("a set serialises to JSON"));
        self.validate()?;
        Ok(self)
    }

    /// The columns of a table: the model's inputs, encoded.
    pub fn encode(&self, table: &RawTable) -> Result<ndarray::Array2<f64>> {
        self.encoder.transform(table)
    }

    /// b + w · x for each row of an encoded matrix (columns as [`Self::columns`]).
    pub fn decision_function(&self, x: ArrayView2<'_, f64>) -> Result<Array1<f64>> {
        super::logistic::check_width(x, self.coef.len())?;
        x.rows()
            .into_iter()
            .enumerate()
            .map(|(i, r)| match r.iter().position(|v| !v.is_finite()) {
                Some(j) => Err(NpsError::invalid(&format!("x[{i}, {j}]"), r[j], "a finite number")),
                None => Ok(linear(r.iter().copied(), &self.coef, self.intercept)),
            })
            .collect()
    }

    /// The churn probability of each row of a table of inputs (through the
    /// [recalibration](crate::monitor::ModelMonitoring::recalibration) when the model has one).
    pub fn predict_proba(&self, table: &RawTable) -> Result<Array1<f64>> {
        calibrate(self.monitoring.recalibration.as_ref(), self.raw_proba(table)?)
    }

    /// σ(b + w · x) of each row of a table, before any recalibration.
    pub fn raw_proba(&self, table: &RawTable) -> Result<Array1<f64>> {
        Ok(self.decision_function(self.encode(table)?.view())?.mapv(sigmoid))
    }

    /// [`Self::raw_proba`] of a numeric matrix (see [`Self::predict_proba_matrix`]).
    pub fn raw_proba_matrix(&self, x: ArrayView2<'_, f64>, names: &[String]) -> Result<Array1<f64>> {
        let index = self.encoder.matrix_index(x, names)?;
        Ok(Array1::from(super::batch::probabilities(&self.encoder, &self.coef, self.intercept, x, &index)?))
    }

    /// The churn probability of each row of a numeric matrix whose columns are the inputs
    /// named `names` (any order; extra columns are ignored; NaN is missing).
    ///
    /// The matrix is read in place (any layout), in blocks of rows spread over threads, and
    /// each row's log-odds accumulate column by column in the model's column order: the
    /// same arithmetic, in the same order, as [`Self::score_cells`], so the numbers agree to
    /// the bit with scoring one customer at a time (sixteen rows at once, one SIMD lane
    /// each).
    pub fn predict_proba_matrix(&self, x: ArrayView2<'_, f64>, names: &[String]) -> Result<Array1<f64>> {
        calibrate(self.monitoring.recalibration.as_ref(), self.raw_proba_matrix(x, names)?)
    }

    /// The churn probability of one customer given as one cell per input (in
    /// [`Self::inputs`] order); `scratch` receives the encoded row.
    pub fn score_cells(&self, cells: &[Cell<'_>], scratch: &mut Vec<f64>) -> Result<f64> {
        scratch.resize(self.coef.len(), 0.0);
        self.encoder.encode_row(cells, 0, scratch)?;
        calibrate_one(
            self.monitoring.recalibration.as_ref(),
            sigmoid(linear(scratch.iter().copied(), &self.coef, self.intercept)),
        )
    }

    /// The file version this model is written with: [`crate::model::MONITORED_MODEL_VERSION`] when it
    /// carries a reference summary, a recalibration or a lineage, else [`MODEL_VERSION`].
    pub fn file_version(&self) -> u32 {
        self.monitoring.file_version(MODEL_VERSION)
    }

    /// The model's id: [`model_id`] of its file ([`Self::to_json`]).
    pub fn id(&self) -> String {
        model_id(&self.to_json())
    }

    /// Drift of a window (a table holding the model's inputs) from the reference summary
    /// recorded at fit, the score (before recalibration) included. Errors: a model without
    /// a stored reference, a missing input, the table's errors.
    pub fn drift(&self, table: &RawTable, options: &DriftOptions) -> Result<DriftReport> {
        crate::monitor::stored_reference(self.monitoring.reference_summary.as_ref())?;
        let score = self.raw_proba(table)?;
        drift_from_reference(
            self.monitoring.reference_summary.as_ref(),
            table,
            &self.inputs,
            score.as_slice().expect("contiguous"),
            options,
        )
    }

    /// The exact attribution of this model's log-odds to its inputs.
    pub fn explainer(&self) -> Result<LinearExplainer> {
        LinearExplainer::new(
            &self.coef,
            self.intercept,
            &self.column_mean,
            &self.encoder.column_sources(),
            self.inputs.clone(),
        )
    }

    /// The model file (of [`Self::file_version`]).
    pub fn to_json(&self) -> String {
        let version = self.file_version();
        if version == self.version {
            serde_json::to_string_pretty(self).expect("a model serialises")
        } else {
            serde_json::to_string_pretty(&ChurnModel { version, ..self.clone() }).expect("a model serialises")
        }
    }

    /// Reads a model file and checks everything: the format and version, the encoder, that
    /// columns, coefficients and means agree in number and names, that no number is NaN
    /// or infinite. Each error says what is wrong and where.
    pub fn from_json(text: &str) -> Result<ChurnModel> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| NpsError::invalid("model file", e, "a JSON document"))?;
        check_header(&value, "logistic")?;
        let model: ChurnModel =
            serde_json::from_value(value).map_err(|e| NpsError::invalid("model file", e, "a valid churn model"))?;
        model.validate()?;
        Ok(model)
    }

    /// Checks a model (see [`Self::from_json`]).
    pub fn validate(&self) -> Result<()> {
        self.encoder.validate()?;
        let names = self.encoder.feature_names();
        if self.columns != names {
            let at = self.columns.iter().zip(&names).position(|(a, b)| a != b).unwrap_or(names.len());
            return Err(NpsError::invalid(
                &format!("columns[{at}]"),
                format!("{:?}", self.columns.get(at)),
                &format!("{:?}, as the encoder produces ({} columns)", names.get(at), names.len()),
            ));
        }
        if self.inputs != self.encoder.sources() {
            return Err(NpsError::invalid("inputs", self.inputs.join(", "), "the encoder's source columns"));
        }
        for (field, values) in [("coef", &self.coef), ("column_mean", &self.column_mean)] {
            if values.len() != names.len() {
                return Err(NpsError::LengthMismatch {
                    field: field.into(),
                    actual: values.len(),
                    other: "columns".into(),
                    expected: names.len(),
                });
            }
            if let Some(j) = values.iter().position(|v| !v.is_finite()) {
                return Err(NpsError::invalid(&format!("{field}[{j}] ({})", names[j]), values[j], "a finite number"));
            }
        }
        if !self.intercept.is_finite() {
            return Err(NpsError::invalid("intercept", self.intercept, "a finite number"));
        }
        self.monitoring.validate()?;
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
        Ok(())
    }
}
