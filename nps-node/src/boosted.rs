//! `BoostedChurnModel`: a boosted-tree model file (written by nps in any language, or read
//! from LightGBM or XGBoost) that scores and explains customers with the core's numbers.
use std::sync::Arc;

use std::collections::HashMap;

use napi::bindgen_prelude::{AsyncTask, Float64Array, Object};
use napi::{Env, Task};
use napi_derive::napi;
use nps_core::model::boosted as core;

use crate::error::{catch_panic, js_error, IntoNapi, Result};
use crate::model::FitData;
use nps_core::NpsError;

/// Gain and split counts of each input.
#[napi(object)]
pub struct TreeImportance {
    /// Input names.
    pub inputs: Vec<String>,
    /// Total loss reduction of the splits on each input.
    pub gain: Vec<f64>,
    /// Number of splits on each input.
    pub splits: Vec<u32>,
}

/// A boosted churn model, loaded from its file.
#[napi]
pub struct BoostedChurnModel {
    pub(crate) inner: Arc<core::BoostedChurnModel>,
}

/// Options of `BoostedChurnModel.fit`: LightGBM's meanings, Python's names in camelCase
/// (`nEstimators`, `learningRate`, ...), the core's defaults where absent; then the columns'
/// and the data's.
#[napi(object)]
#[derive(Default, serde::Serialize)]
pub struct BoostedFitOptions {
    /// Boosting rounds, at most (300).
    #[serde(skip)] // checked and added by `boosted_fit`
    pub n_estimators: Option<f64>,
    /// Shrinkage of each tree (0.05).
    pub learning_rate: Option<f64>,
    /// Leaves per tree, at most (7).
    #[serde(skip)] // checked and added by `boosted_fit`
    pub num_leaves: Option<f64>,
    /// Splits on any path, at most (0: no limit).
    #[serde(skip)] // checked and added by `boosted_fit`
    pub max_depth: Option<f64>,
    /// Rows in a leaf, at least (20).
    #[serde(skip)] // checked and added by `boosted_fit`
    pub min_data_in_leaf: Option<f64>,
    /// Sum of hessians in a leaf, at least (1e-3).
    pub min_sum_hessian_in_leaf: Option<f64>,
    /// L2 penalty on leaf outputs (0).
    pub lambda_l2: Option<f64>,
    /// Loss reduction a split must exceed (0).
    pub min_gain_to_split: Option<f64>,
    /// Bins per numeric input, at most (255).
    #[serde(skip)] // checked and added by `boosted_fit`
    pub max_bin: Option<f64>,
    /// Share of rows each round trains on (1).
    pub subsample: Option<f64>,
    /// Share of inputs each tree may split on (1).
    pub colsample: Option<f64>,
    /// Seed of every random draw (0); the same seed gives the same model file.
    #[serde(skip)] // checked and added by `boosted_fit`
    pub seed: Option<f64>,
    /// Stop when the validation loss has not improved for this many rounds (0: never).
    #[serde(skip)] // checked and added by `boosted_fit`
    pub early_stopping_rounds: Option<f64>,
    /// Share of rows held out for early stopping (0.1).
    pub validation_fraction: Option<f64>,
    /// Categories up to this many split one against the rest (4).
    #[serde(skip)] // checked and added by `boosted_fit`
    pub max_cat_to_onehot: Option<f64>,
    /// Categories on the left of a split, at most (32).
    #[serde(skip)] // checked and added by `boosted_fit`
    pub max_cat_threshold: Option<f64>,
    /// Smoothing of categories ordered by mean gradient (10).
    pub cat_smooth: Option<f64>,
    /// Extra L2 penalty on categorical splits (10).
    pub cat_l2: Option<f64>,
    /// Rows a category needs to be placed by a many-category split (100).
    #[serde(skip)] // checked and added by `boosted_fit`
    pub min_data_per_group: Option<f64>,
    /// Threads (0: one per core); the model does not depend on it.
    #[serde(skip)] // checked and added by `boosted_fit`
    pub threads: Option<f64>,
    /// Per input: +1 if the score may never fall as it rises, -1 if never rise.
    #[serde(skip)]
    pub monotone: Option<HashMap<String, f64>>,
    #[serde(skip)]
    pub class_weight: Option<crate::model::ClassWeightOption>,
    /// Kind overrides; the other columns' kinds are inferred (`inferKinds`).
    #[napi(ts_type = "Record<string, ColumnKind>")]
    #[serde(skip)]
    pub kinds: Option<HashMap<String, String>>,
    /// Columns to leave out (ids, the label).
    #[serde(skip)]
    pub exclude: Option<Vec<String>>,
    /// One weight per row.
    #[serde(skip)]
    pub sample_weight: Option<Vec<f64>>,
    /// The label of churn, when the labels are not 0/1, booleans or yes/no text.
    #[napi(ts_type = "Field")]
    #[serde(skip)]
    pub pos_label: Option<crate::convert::Field>,
}

/// The training of `BoostedChurnModel.fit`, its inputs converted and checked, ready to run.
fn boosted_fit(
    table: &Object<'_>,
    y: Vec<crate::convert::Field>,
    mut o: BoostedFitOptions,
) -> Result<impl FnOnce() -> nps_core::Result<core::BoostedChurnModel> + Send> {
    let w = o.sample_weight.take();
    let data = FitData::new(table, y, o.pos_label.as_ref(), o.kinds.as_ref(), o.exclude.as_deref(), w)?;
    let mut options = boosting_options(&o)?;
    options.class_weight = crate::model::class_weight(o.class_weight)?;
    let names: Vec<String> = data.specs.iter().map(|s| s.name.clone()).collect();
    // The numbers as given (an i64 on the way would truncate 0.5 to 0): the core checks them.
    let named: Vec<(String, f64)> = o.monotone.into_iter().flatten().collect();
    options.monotone = core::BoostingOptions::monotone_by_name(&names, &named).into_napi()?;
    Ok(move || {
        core::BoostedChurnModel::fit(&data.table, &data.y, data.sample_weight.as_deref(), &data.specs, None, &options)
    })
}

/// The core's boosting options from the numbers given, by the core's names (the others keep
/// the core's defaults); class weights and monotone constraints are the caller's.
pub(crate) fn boosting_options(o: &BoostedFitOptions) -> Result<core::BoostingOptions> {
    let mut given = serde_json::to_value(o).expect("options serialise");
    if let serde_json::Value::Object(m) = &mut given {
        m.retain(|_, v| !v.is_null());
        // Whole numbers as given (a JS number, checked here, not wrapped to 32 bits first).
        let whole = [
            ("n_estimators", "nEstimators", 1.0, o.n_estimators),
            ("num_leaves", "numLeaves", 2.0, o.num_leaves),
            ("max_depth", "maxDepth", 0.0, o.max_depth),
            ("min_data_in_leaf", "minDataInLeaf", 1.0, o.min_data_in_leaf),
            ("max_bin", "maxBin", 2.0, o.max_bin),
            ("early_stopping_rounds", "earlyStoppingRounds", 0.0, o.early_stopping_rounds),
            ("max_cat_to_onehot", "maxCatToOnehot", 0.0, o.max_cat_to_onehot),
            ("max_cat_threshold", "maxCatThreshold", 0.0, o.max_cat_threshold),
            ("min_data_per_group", "minDataPerGroup", 0.0, o.min_data_per_group),
            ("threads", "threads", 0.0, o.threads),
            ("seed", "seed", 0.0, o.seed),
        ];
        for (key, js, min, value) in whole {
            if let Some(n) = crate::convert::whole(value, js, min, crate::convert::MAX_SAFE)? {
                m.insert(key.into(), n.into());
            }
        }
    }
    serde_json::from_value(given)
        .map_err(|e| NpsError::invalid("options", e.to_string(), "options within their ranges"))
        .into_napi()
}

fn contributions_batch(
    model: &core::BoostedChurnModel,
    values: &[f64],
    columns: &[String],
) -> nps_core::Result<Vec<f64>> {
    let rows = model.tree_rows_matrix(crate::convert::batch_view(values, columns)?, columns)?;
    Ok(model.contributions(rows.view())?.into_raw_vec_and_offset().0)
}

fn score_batch(model: &core::BoostedChurnModel, values: &[f64], columns: &[String]) -> nps_core::Result<Vec<f64>> {
    Ok(model.predict_proba_matrix(crate::convert::batch_view(values, columns)?, columns)?.to_vec())
}

crate::model::fit_methods!(
    BoostedChurnModel,
    [
        " Trains gradient-boosted trees on a table (`readCsv`'s shape) and labels `y`, as",
        " `ChurnModel.fit` does; the same model file as Python's `BoostedChurnModel.fit` with",
        " the same options."
    ],
    "table: Table, y: Field[], options?: BoostedFitOptions",
    "Promise<BoostedChurnModel>",
    (table: Object<'_>, y: Vec<crate::convert::Field>, options: Option<crate::convert::Obj<BoostedFitOptions>>)
        => boosted_fit(&table, y, options.map(|o| o.0).unwrap_or_default()),
    |m| BoostedChurnModel { inner: Arc::new(m) }
);

#[napi]
impl BoostedChurnModel {
    /// Reads an nps model file of kind `boosted_trees`; everything is checked.
    #[napi(factory, catch_unwind)]
    pub fn from_json(text: String) -> Result<BoostedChurnModel> {
        Ok(BoostedChurnModel { inner: Arc::new(core::BoostedChurnModel::from_json(&text).into_napi()?) })
    }

    /// Reads LightGBM's model text (`booster.model_to_string()`, a binary model): scores
    /// and contributions equal LightGBM's within 1e-9, with no LightGBM at run time.
    #[napi(factory, catch_unwind)]
    pub fn from_lightgbm(text: String) -> Result<BoostedChurnModel> {
        Ok(BoostedChurnModel { inner: Arc::new(core::BoostedChurnModel::from_lightgbm(&text).into_napi()?) })
    }

    /// Reads XGBoost's JSON model (`booster.save_raw("json")`, a binary model): within 1e-5
    /// (XGBoost computes in single precision).
    #[napi(factory, catch_unwind)]
    pub fn from_xgboost(text: String) -> Result<BoostedChurnModel> {
        Ok(BoostedChurnModel { inner: Arc::new(core::BoostedChurnModel::from_xgboost(&text).into_napi()?) })
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

    /// Boosting rounds kept (trees).
    #[napi(getter)]
    pub fn rounds(&self) -> u32 {
        self.inner.ensemble.rounds() as u32
    }

    /// The log-odds every attribution starts from (TreeSHAP's expected value).
    #[napi(getter)]
    pub fn expected_value(&self) -> f64 {
        self.inner.expected_value
    }

    /// Gain and split counts of each input.
    #[napi]
    pub fn importance(&self) -> TreeImportance {
        let imp = self.inner.importance();
        TreeImportance {
            inputs: self.inner.inputs.clone(),
            gain: imp.gain,
            splits: imp.splits.into_iter().map(|s| s as u32).collect(),
        }
    }

    /// Every input's contribution to one customer's log-odds, in `inputs` order (add
    /// `expectedValue` for the log-odds).
    #[napi(catch_unwind, ts_args_type = "customer: Record<string, Field>")]
    pub fn contributions(&self, customer: crate::convert::Inputs) -> Result<Float64Array> {
        let cells = crate::convert::input_cells(&self.inner.inputs, &customer)?;
        let mut out = vec![0.0; self.inner.inputs.len()];
        self.inner.attribute_cells(&cells, &mut Default::default(), &mut out).into_napi()?;
        Ok(Float64Array::new(out))
    }

    /// Contributions of each row of a row-major batch of numeric inputs named `columns`:
    /// row-major, `inputs.length + 1` values a row, the expected value last (LightGBM's
    /// `pred_contrib` layout).
    #[napi(catch_unwind)]
    pub fn contributions_batch(&self, values: Float64Array, columns: Vec<String>) -> Result<Float64Array> {
        Ok(Float64Array::new(contributions_batch(&self.inner, &values, &columns).into_napi()?))
    }

    /// `contributionsBatch` off the event loop.
    #[napi(ts_return_type = "Promise<Float64Array>")]
    pub fn contributions_batch_async(&self, values: Float64Array, columns: Vec<String>) -> AsyncTask<BoostedBatchTask> {
        AsyncTask::new(BoostedBatchTask {
            model: self.inner.clone(),
            values: values.to_vec(),
            columns,
            kind: Batch::Contributions,
        })
    }

    /// P(churn) of each row of a row-major batch of numeric inputs named `columns`.
    #[napi(catch_unwind)]
    pub fn score_batch(&self, values: Float64Array, columns: Vec<String>) -> Result<Float64Array> {
        Ok(Float64Array::new(score_batch(&self.inner, &values, &columns).into_napi()?))
    }

    /// `scoreBatch` off the event loop: resolves to the probabilities.
    #[napi(ts_return_type = "Promise<Float64Array>")]
    pub fn score_batch_async(&self, values: Float64Array, columns: Vec<String>) -> AsyncTask<BoostedBatchTask> {
        AsyncTask::new(BoostedBatchTask {
            model: self.inner.clone(),
            values: values.to_vec(),
            columns,
            kind: Batch::Score,
        })
    }
}

/// What a batch task computes.
#[derive(Clone, Copy)]
enum Batch {
    Score,
    Contributions,
}

/// The work of the `*Async` batch methods, on a libuv thread.
pub struct BoostedBatchTask {
    model: Arc<core::BoostedChurnModel>,
    values: Vec<f64>,
    columns: Vec<String>,
    kind: Batch,
}

impl Task for BoostedBatchTask {
    type Output = nps_core::Result<Vec<f64>>;
    type JsValue = Float64Array;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let (model, values, columns) = (&self.model, &self.values, &self.columns);
        let kind = self.kind;
        catch_panic(std::panic::AssertUnwindSafe(|| match kind {
            Batch::Score => score_batch(model, values, columns),
            Batch::Contributions => contributions_batch(model, values, columns),
        }))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Float64Array> {
        output.map(Float64Array::new).map_err(|e| js_error(&env, e))
    }
}

crate::monitor::monitored_model_methods!(BoostedChurnModel);
crate::model::scoring_methods!(BoostedChurnModel);
