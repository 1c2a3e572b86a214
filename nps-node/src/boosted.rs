//! `BoostedChurnModel`: a boosted-tree model file (written by nps in any language, or read
//! from LightGBM or XGBoost) that scores and explains customers with the core's numbers.
use std::sync::Arc;

use napi::bindgen_prelude::{AsyncTask, Float64Array};
use napi::{Env, Task};
use napi_derive::napi;
use nps_core::encode::Cell;
use nps_core::model::boosted as core;

use crate::error::{catch_panic, js_error, IntoNapi, Result};
use crate::model::{explanation, ExplainOptions, Explanation};

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

impl BoostedChurnModel {
    /// Values in `inputs` order as cells (NaN is missing).
    fn value_cells(&self, values: &[f64]) -> Result<Vec<Cell<'static>>> {
        crate::convert::value_cells(values, self.inner.inputs.len())
    }
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

    /// P(churn) of one customer given as an object of named inputs (extra fields are
    /// ignored; null is a missing value; a missing input is an error).
    #[napi(catch_unwind, ts_args_type = "customer: Record<string, Field>")]
    pub fn score(&self, customer: crate::convert::Inputs) -> Result<f64> {
        let cells = crate::convert::input_cells(&self.inner.inputs, &customer)?;
        self.inner.score_cells(&cells, &mut Vec::new()).into_napi()
    }

    /// P(churn) from the inputs' values in `inputs` order (NaN = missing; a category as
    /// its code in the model's categories).
    #[napi(catch_unwind)]
    pub fn score_values(&self, values: Float64Array) -> Result<f64> {
        let cells = self.value_cells(&values)?;
        self.inner.score_cells(&cells, &mut Vec::new()).into_napi()
    }

    /// The customer's probability and the `top` factors raising and lowering it (exact
    /// TreeSHAP contributions: expected value + all inputs' contributions = the log-odds).
    #[napi(catch_unwind, ts_args_type = "customer: Record<string, Field>, options?: ExplainOptions")]
    pub fn explain(&self, customer: crate::convert::Inputs, options: Option<ExplainOptions>) -> Result<Explanation> {
        let cells = crate::convert::input_cells(&self.inner.inputs, &customer)?;
        let top = options.and_then(|o| o.top).unwrap_or(3) as usize;
        Ok(explanation(self.inner.explain_cells(&cells, top, &mut Default::default()).into_napi()?))
    }

    /// `explain` from the inputs' values in `inputs` order (NaN = missing).
    #[napi(catch_unwind)]
    pub fn explain_values(&self, values: Float64Array, options: Option<ExplainOptions>) -> Result<Explanation> {
        let cells = self.value_cells(&values)?;
        let top = options.and_then(|o| o.top).unwrap_or(3) as usize;
        Ok(explanation(self.inner.explain_cells(&cells, top, &mut Default::default()).into_napi()?))
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
