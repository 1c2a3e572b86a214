//! `BoostedChurnModel`: a boosted-tree model file (written by nps in any language, or read
//! from LightGBM or XGBoost) that scores and explains customers with the core's numbers.
use std::collections::HashMap;
use std::sync::Arc;

use napi::bindgen_prelude::{AsyncTask, Either3, Float64Array};
use napi::{Env, Task};
use napi_derive::napi;
use nps_core::encode::Cell;
use nps_core::model::boosted as core;
use nps_core::NpsError;

use crate::error::{catch_panic, js_error, to_napi, IntoNapi, Result};

/// A customer's inputs: numbers, text (categories), booleans, or null for missing.
type Value = Option<Either3<f64, String, bool>>;

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
        if values.len() != self.inner.inputs.len() {
            return Err(to_napi(NpsError::LengthMismatch {
                field: "values".into(),
                actual: values.len(),
                other: "the model's inputs".into(),
                expected: self.inner.inputs.len(),
            }));
        }
        Ok(values.iter().map(|&v| if v.is_nan() { Cell::Missing } else { Cell::Number(v) }).collect())
    }
}

/// The tree rows of a row-major batch whose columns are named `columns`.
fn batch_rows(
    model: &core::BoostedChurnModel,
    values: &[f64],
    columns: &[String],
) -> nps_core::Result<ndarray::Array2<f64>> {
    let k = columns.len();
    if k == 0 || !values.len().is_multiple_of(k) {
        return Err(NpsError::invalid(
            "values",
            format!("{} numbers", values.len()),
            &format!("a whole number of rows of the {k} columns"),
        ));
    }
    let x = ndarray::ArrayView2::from_shape((values.len() / k, k), values).expect("the shape divides the length");
    model.tree_rows_matrix(x, columns)
}

fn score_batch(model: &core::BoostedChurnModel, values: &[f64], columns: &[String]) -> nps_core::Result<Vec<f64>> {
    let k = columns.len();
    if k == 0 || !values.len().is_multiple_of(k) {
        return Err(NpsError::invalid(
            "values",
            format!("{} numbers", values.len()),
            &format!("a whole number of rows of the {k} columns"),
        ));
    }
    let x = ndarray::ArrayView2::from_shape((values.len() / k, k), values).expect("the shape divides the length");
    Ok(model.predict_proba_matrix(x, columns)?.to_vec())
}

#[napi]
impl BoostedChurnModel {
    /// Reads an nps model file of kind `boosted_trees`; everything is checked.
    #[napi(factory, catch_unwind)]
    pub fn from_json(text: String) -> Result<BoostedChurnModel> {
        Ok(BoostedChurnModel { inner: Arc::new(core::BoostedChurnModel::from_json(&text).into_napi()?) })
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
    #[napi(catch_unwind, ts_args_type = "customer: Record<string, number | string | boolean | null | undefined>")]
    pub fn score(&self, customer: HashMap<String, Value>) -> Result<f64> {
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
        }))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Float64Array> {
        output.map(Float64Array::new).map_err(|e| js_error(&env, e))
    }
}
