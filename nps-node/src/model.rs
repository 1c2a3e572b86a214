//! `ChurnModel`: loads a model file (written from any language) and scores customers,
//! one at a time or in batches, with the core's numbers.
use std::collections::HashMap;
use std::sync::Arc;

use napi::bindgen_prelude::{AsyncTask, Either, Either4, Float64Array, Null, Object, ToNapiValue};
use napi::{Env, Task};
use napi_derive::napi;
use nps_core::model as core;

use crate::error::{catch_panic, js_error, IntoNapi, Result};

/// Training metadata of a model.
#[napi(object)]
pub struct TrainingInfo {
    pub rows: u32,
    pub positives: u32,
    pub positive_share: f64,
    pub converged: bool,
    pub iterations: u32,
    /// Evaluation results recorded with the model (e.g. `cv_roc_auc`).
    pub metrics: HashMap<String, f64>,
    /// ISO 8601, if recorded.
    pub trained_at: Option<String>,
}

/// A value as a factor shows it, in its input's type: a number, a boolean (a yes/no input,
/// whatever its spelling), a category's label, or null for missing.
#[napi]
pub type FactorValue = Either4<f64, bool, String, Null>;

/// A factor's value as JavaScript holds it.
pub(crate) fn factor_value(v: core::FactorValue) -> FactorValue {
    match v {
        core::FactorValue::Number(x) => Either4::A(x),
        core::FactorValue::Bool(b) => Either4::B(b),
        core::FactorValue::Text(s) => Either4::C(s),
        core::FactorValue::Missing => Either4::D(Null),
    }
}

/// One value's share of the training data.
#[napi(object)]
pub struct Share {
    /// The value (a category's label, true or false, or null for missing).
    pub value: FactorValue,
    /// Its share of the training rows, in 0..1.
    pub share: f64,
}

/// A factor as an agent reads it.
#[napi(object)]
pub struct Factor {
    /// The input's name.
    pub name: String,
    /// Contribution to the log-odds against the model's baseline (positive raises risk).
    pub contribution: f64,
    /// The customer's value, in the input's type.
    pub value: FactorValue,
    /// The population's typical value: the training mean of a number, the most common
    /// category, the more common boolean.
    pub typical: FactorValue,
    /// For a category or a boolean, the training mix of its values (largest share first),
    /// which the contribution is measured against; absent for a number (measured against
    /// `typical`), as in the ticket's JSON.
    pub mix: Option<Vec<Share>>,
}

/// A customer's churn probability and the factors behind it.
#[napi(object)]
pub struct Explanation {
    pub probability: f64,
    /// baseline + the sum of every input's contribution.
    pub log_odds: f64,
    pub baseline: f64,
    /// The factors raising the risk most, largest first.
    pub raising: Vec<Factor>,
    /// The factors lowering it most, most negative first.
    pub lowering: Vec<Factor>,
}

/// Options of `explain`.
#[napi(object)]
#[derive(Default)]
pub struct ExplainOptions {
    /// Factors each way (3).
    pub top: Option<f64>,
}

/// How many factors `explain` lists each way (3).
pub(crate) fn explain_top(options: Option<ExplainOptions>) -> Result<usize> {
    crate::convert::size(options.and_then(|o| o.top), "top", 0.0, 3)
}

/// Explicit class weights (scikit-learn's `{0: w0, 1: w1}`).
#[napi(object)]
pub struct ClassWeights {
    /// Weight of the class that did not churn.
    pub negative: f64,
    /// Weight of churn.
    pub positive: f64,
}

/// How the classes are weighted: `'none'` (default), `'balanced'` (each class weighs n / (2
/// nₖ)) or explicit weights.
#[napi]
pub type ClassWeightOption = Either<String, ClassWeights>;

pub(crate) fn class_weight(option: Option<ClassWeightOption>) -> Result<core::ClassWeight> {
    match option {
        None => Ok(core::ClassWeight::default()),
        Some(Either::A(name)) => name.parse::<core::ClassWeight>().into_napi(),
        Some(Either::B(w)) => Ok(core::ClassWeight::Custom { negative: w.negative, positive: w.positive }),
    }
}

/// Options of `ChurnModel.fit`: the model's (scikit-learn's `LogisticRegression` names in
/// camelCase), the columns' (as `TableEncoder.fit`) and the data's. Absent: the core's
/// defaults, as in Python.
#[napi(object)]
#[derive(Default)]
pub struct ChurnFitOptions {
    /// Inverse L2 strength (1).
    pub c: Option<f64>,
    /// Fit an intercept (true).
    pub fit_intercept: Option<bool>,
    /// Newton's stopping tolerance (1e-8).
    pub tol: Option<f64>,
    /// Newton steps, at most (100).
    pub max_iter: Option<f64>,
    pub class_weight: Option<ClassWeightOption>,
    /// Kind overrides; the other columns' kinds are inferred (`inferKinds`).
    #[napi(ts_type = "Record<string, ColumnKind>")]
    pub kinds: Option<HashMap<String, String>>,
    /// Columns to leave out (ids, the label).
    pub exclude: Option<Vec<String>>,
    /// A category not seen in training, when scoring: `'error'` (default) or `'ignore'`.
    #[napi(ts_type = "'error' | 'ignore'")]
    pub unseen: Option<String>,
    /// Standardise numeric inputs (true).
    pub standardize: Option<bool>,
    /// Record the reference summary of the training inputs and score in the model (true).
    pub record_reference: Option<bool>,
    /// One weight per row.
    pub sample_weight: Option<Vec<f64>>,
    /// The label of churn, when the labels are not 0/1, booleans or yes/no text.
    #[napi(ts_type = "Field")]
    pub pos_label: Option<crate::convert::Field>,
}

/// What a fit reads, converted on the JavaScript thread (so that `fitAsync` can train on
/// another one): the table, 0/1 labels (or 0–10 answers), weights and the column specs.
pub(crate) struct FitData {
    pub(crate) table: nps_core::encode::RawTable,
    pub(crate) y: Vec<f64>,
    pub(crate) sample_weight: Option<Vec<f64>>,
    pub(crate) specs: Vec<nps_core::encode::ColumnSpec>,
}

impl FitData {
    /// The table, the labels (`y`: numbers, booleans or text, made 0/1 by the core's rule,
    /// `posLabel` naming churn where needed) and the columns to fit on.
    pub(crate) fn new(
        table: &Object<'_>,
        y: Vec<crate::convert::Field>,
        pos_label: Option<&crate::convert::Field>,
        kinds: Option<&HashMap<String, String>>,
        exclude: Option<&[String]>,
        sample_weight: Option<Vec<f64>>,
    ) -> Result<FitData> {
        let table = crate::encode::table(table)?;
        let specs = crate::encode::fit_specs(&table, kinds, exclude)?;
        let cells = y.iter().enumerate().map(|(i, f)| f.cell(&format!("y[{i}]"))).collect::<Result<Vec<_>>>()?;
        let pos_label = pos_label.map(|p| p.cell("posLabel")).transpose()?;
        let y = nps_core::metrics::binarize_labels(&cells, pos_label).into_napi()?;
        Ok(FitData { table: table.raw, y, sample_weight, specs })
    }

    /// The table and respondents' 0–10 answers, as given (the likelihood-to-recommend
    /// models check them), and the columns to fit on.
    pub(crate) fn scores(
        table: &Object<'_>,
        scores: Vec<f64>,
        kinds: Option<&HashMap<String, String>>,
        exclude: Option<&[String]>,
        sample_weight: Option<Vec<f64>>,
    ) -> Result<FitData> {
        let table = crate::encode::table(table)?;
        let specs = crate::encode::fit_specs(&table, kinds, exclude)?;
        Ok(FitData { table: table.raw, y: scores, sample_weight, specs })
    }
}

/// A model class's `fit` and `fitAsync` (`Class in "namespace"` for a class of a
/// namespace), from the arguments both take, the expression that converts them into a
/// training run on the JavaScript thread (a `Result` of a closure returning the core's
/// model), and the class made from the core's model: `fit` trains there, `fitAsync` on the
/// pool. The doc of `fit` is given as string literals, a line each (napi-rs copies a doc
/// comment passed through a macro into index.d.ts as a raw string).
macro_rules! fit_methods {
    (
        $class:ident $(in $namespace:literal)?, [$($doc:literal),+], $ts_args:literal, $promise:literal,
        ($($arg:ident: $ty:ty),* $(,)?) => $prepare:expr, |$model:ident| $wrap:expr
    ) => {
        #[napi($(namespace = $namespace)?)]
        impl $class {
            $(#[doc = $doc])+
            #[napi(factory, catch_unwind, ts_args_type = $ts_args)]
            pub fn fit($($arg: $ty),*) -> $crate::error::Result<$class> {
                use $crate::error::IntoNapi;
                let fit = $prepare?;
                let $model = fit().into_napi()?;
                Ok($wrap)
            }

            #[doc = "`fit` off the event loop: resolves to the model."]
            #[napi(catch_unwind, ts_args_type = $ts_args, ts_return_type = $promise)]
            pub fn fit_async(
                $($arg: $ty),*
            ) -> napi::bindgen_prelude::AsyncTask<$crate::model::FitTask<$class>> {
                $crate::model::FitTask::new($prepare.map(|fit| move || fit().map(|$model| $wrap)))
            }
        }
    };
}
pub(crate) use fit_methods;

/// A training run off the event loop (`fitAsync`): resolves to the model, or rejects with
/// the error of the conversion (a bad table or label) or of the training.
pub struct FitTask<T> {
    fit: Option<Result<Training<T>>>,
}

/// A training run, its inputs converted: run once, on any thread.
type Training<T> = Box<dyn FnOnce() -> nps_core::Result<T> + Send>;

impl<T> FitTask<T> {
    /// The task of a fit prepared by `prepare` (whose error rejects the promise).
    pub(crate) fn new<F: FnOnce() -> nps_core::Result<T> + Send + 'static>(prepare: Result<F>) -> AsyncTask<Self>
    where
        Self: Task,
    {
        let fit = prepare.map(|f| Box::new(f) as Training<T>);
        AsyncTask::new(FitTask { fit: Some(fit) })
    }
}

impl<T: ToNapiValue + napi::bindgen_prelude::TypeName + Send + 'static> Task for FitTask<T> {
    type Output = Result<T>;
    type JsValue = T;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        match self.fit.take().expect("a fit task runs once") {
            Ok(fit) => catch_panic(std::panic::AssertUnwindSafe(fit)).map(IntoNapi::into_napi),
            Err(e) => Ok(Err(e)),
        }
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<T> {
        output.map_err(|e| napi::Error::from(napi::bindgen_prelude::JsError::from(e).into_unknown(env)))
    }
}

/// A churn model: trained here or loaded from its file.
#[napi]
pub struct ChurnModel {
    pub(crate) inner: Arc<core::ChurnModel>,
}

impl From<core::ReadableFactor> for Factor {
    fn from(f: core::ReadableFactor) -> Self {
        Factor {
            name: f.name,
            contribution: f.contribution,
            value: factor_value(f.value),
            typical: factor_value(f.typical),
            mix: (!f.mix.is_empty())
                .then(|| f.mix.into_iter().map(|s| Share { value: factor_value(s.value), share: s.share }).collect()),
        }
    }
}

pub(crate) fn explanation(e: core::Explanation) -> Explanation {
    let factors = |f: Vec<core::ReadableFactor>| f.into_iter().map(Factor::from).collect();
    Explanation {
        probability: e.probability,
        log_odds: e.log_odds,
        baseline: e.baseline,
        raising: factors(e.raising),
        lowering: factors(e.lowering),
    }
}

/// What both churn model classes answer alike, one customer at a time: P(churn) and its
/// explanation, from named inputs or from values in `inputs` order (their cores have the
/// same methods, each with its own scratch). Needs `napi` and `Float64Array` in scope.
macro_rules! scoring_methods {
    ($class:ident) => {
        #[napi]
        impl $class {
            #[doc = " P(churn) of one customer given as an object of named inputs (extra fields are"]
            #[doc = " ignored; null is a missing value; a missing input is an error)."]
            #[napi(catch_unwind, ts_args_type = "customer: Record<string, Field>")]
            pub fn score(&self, customer: $crate::convert::Inputs) -> $crate::error::Result<f64> {
                use $crate::error::IntoNapi;
                let cells = $crate::convert::input_cells(&self.inner.inputs, &customer)?;
                self.inner.score_cells(&cells, &mut Default::default()).into_napi()
            }

            #[doc = " P(churn) from the inputs' values in `inputs` order (NaN = missing; a category as"]
            #[doc = " its code in the model's categories): the fast path for features straight from"]
            #[doc = " `CustomerHistory.features`."]
            #[napi(catch_unwind)]
            pub fn score_values(&self, values: Float64Array) -> $crate::error::Result<f64> {
                use $crate::error::IntoNapi;
                let cells = $crate::convert::value_cells(&values, self.inner.inputs.len())?;
                self.inner.score_cells(&cells, &mut Default::default()).into_napi()
            }

            #[doc = " The customer's probability and the `top` factors raising and lowering it (exact"]
            #[doc = " contributions: the baseline + all inputs' contributions = the log-odds)."]
            #[napi(catch_unwind, ts_args_type = "customer: Record<string, Field>, options?: ExplainOptions")]
            pub fn explain(
                &self,
                customer: $crate::convert::Inputs,
                options: Option<$crate::convert::Obj<$crate::model::ExplainOptions>>,
            ) -> $crate::error::Result<$crate::model::Explanation> {
                use $crate::error::IntoNapi;
                let cells = $crate::convert::input_cells(&self.inner.inputs, &customer)?;
                let top = $crate::model::explain_top(options.map(|o| o.0))?;
                let e = self.inner.explain_cells(&cells, top, &mut Default::default()).into_napi()?;
                Ok($crate::model::explanation(e))
            }

            #[doc = " `explain` from the inputs' values in `inputs` order (NaN = missing)."]
            #[napi(catch_unwind)]
            pub fn explain_values(
                &self,
                values: Float64Array,
                #[napi(ts_arg_type = "ExplainOptions | undefined | null")] options: Option<
                    $crate::convert::Obj<$crate::model::ExplainOptions>,
                >,
            ) -> $crate::error::Result<$crate::model::Explanation> {
                use $crate::error::IntoNapi;
                let cells = $crate::convert::value_cells(&values, self.inner.inputs.len())?;
                let top = $crate::model::explain_top(options.map(|o| o.0))?;
                let e = self.inner.explain_cells(&cells, top, &mut Default::default()).into_napi()?;
                Ok($crate::model::explanation(e))
            }
        }
    };
}
pub(crate) use scoring_methods;

scoring_methods!(ChurnModel);

/// The training of `ChurnModel.fit`, its inputs converted and checked, ready to run.
fn churn_fit(
    table: &Object<'_>,
    y: Vec<crate::convert::Field>,
    o: ChurnFitOptions,
) -> Result<impl FnOnce() -> nps_core::Result<core::ChurnModel> + Send> {
    let data = FitData::new(table, y, o.pos_label.as_ref(), o.kinds.as_ref(), o.exclude.as_deref(), o.sample_weight)?;
    let options = core::ChurnModelOptions {
        record_reference: o.record_reference.unwrap_or(nps_core::monitor::DEFAULT_RECORD_REFERENCE),
        ..model_options(
            o.c,
            o.fit_intercept,
            o.tol,
            o.max_iter,
            class_weight(o.class_weight)?,
            o.unseen.as_deref(),
            o.standardize,
        )?
    };
    Ok(move || core::ChurnModel::fit(&data.table, &data.y, data.sample_weight.as_deref(), &data.specs, &options))
}

/// A logistic model's options from the ones given (the core's defaults for the others), as
/// Python's `model_options`: shared by `ChurnModel.fit` and `LtrModel.fit`.
pub(crate) fn model_options(
    c: Option<f64>,
    fit_intercept: Option<bool>,
    tol: Option<f64>,
    max_iter: Option<f64>,
    class_weight: core::ClassWeight,
    unseen: Option<&str>,
    standardize: Option<bool>,
) -> Result<core::ChurnModelOptions> {
    let default = core::LogisticOptions::default();
    Ok(core::ChurnModelOptions {
        logistic: core::LogisticOptions {
            c: c.unwrap_or(default.c),
            fit_intercept: fit_intercept.unwrap_or(default.fit_intercept),
            tol: tol.unwrap_or(default.tol),
            max_iter: crate::convert::size(max_iter, "maxIter", 0.0, default.max_iter)?,
            class_weight,
        },
        encoder: crate::encode::encoder_options(unseen, standardize)?,
        ..core::ChurnModelOptions::default()
    })
}

/// Scores a row-major batch whose columns are named `columns` (the core reads it in
/// place; the numbers agree to the bit with scoring one customer at a time).
fn score_batch(model: &core::ChurnModel, values: &[f64], columns: &[String]) -> nps_core::Result<Vec<f64>> {
    Ok(model.predict_proba_matrix(crate::convert::batch_view(values, columns)?, columns)?.to_vec())
}

crate::model::fit_methods!(
    ChurnModel,
    [
        " Trains a logistic churn model on a table (`readCsv`'s shape; kinds inferred as",
        " `inferKinds` does) and labels `y` (one per row: 0/1, booleans, yes/no text, or any",
        " two labels with `posLabel`). The same numbers as Python's `ChurnModel.fit`."
    ],
    "table: Table, y: Field[], options?: ChurnFitOptions",
    "Promise<ChurnModel>",
    (table: Object<'_>, y: Vec<crate::convert::Field>, options: Option<crate::convert::Obj<ChurnFitOptions>>)
        => churn_fit(&table, y, options.map(|o| o.0).unwrap_or_default()),
    |m| ChurnModel { inner: Arc::new(m) }
);

#[napi]
impl ChurnModel {
    /// Reads a model file; everything is checked (the error says what is wrong).
    #[napi(factory, catch_unwind)]
    pub fn from_json(text: String) -> Result<ChurnModel> {
        Ok(ChurnModel { inner: Arc::new(core::ChurnModel::from_json(&text).into_napi()?) })
    }

    /// The model file.
    #[napi]
    pub fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// The model as one Spark SQL expression over its input columns: P(churn), equal to
    /// `score` to the bit (numeric inputs numeric columns, categorical ones strings, boolean
    /// ones booleans or 0/1). A recalibrated model has none (an error).
    #[napi(catch_unwind)]
    pub fn spark_sql(&self) -> Result<String> {
        Ok(self.inner.spark_sql().into_napi()?.expression)
    }

    /// The inputs a customer must provide.
    #[napi(getter)]
    pub fn inputs(&self) -> Vec<String> {
        self.inner.inputs.clone()
    }

    /// The encoded columns, in coefficient order.
    #[napi(getter)]
    pub fn columns(&self) -> Vec<String> {
        self.inner.columns.clone()
    }

    #[napi(getter)]
    pub fn coef(&self) -> Float64Array {
        Float64Array::new(self.inner.coef.clone())
    }

    #[napi(getter)]
    pub fn intercept(&self) -> f64 {
        self.inner.intercept
    }

    #[napi(getter)]
    pub fn training(&self) -> TrainingInfo {
        let t = &self.inner.training;
        TrainingInfo {
            rows: t.rows as u32,
            positives: t.positives as u32,
            positive_share: t.positive_share,
            converged: t.convergence.converged,
            iterations: t.convergence.iterations as u32,
            metrics: t.metrics.iter().map(|(k, v)| (k.clone(), *v)).collect(),
            trained_at: t.trained_at.clone(),
        }
    }

    /// Every input's contribution to one customer's log-odds, in `inputs` order (the numbers
    /// `explain` ranks; add the baseline for the log-odds), as `BoostedChurnModel.contributions`
    /// gives them.
    #[napi(catch_unwind, ts_args_type = "customer: Record<string, Field>")]
    pub fn contributions(&self, customer: crate::convert::Inputs) -> Result<Float64Array> {
        let cells = crate::convert::input_cells(&self.inner.inputs, &customer)?;
        Ok(Float64Array::new(self.inner.explain_cells(&cells, 0, &mut Vec::new()).into_napi()?.contributions))
    }

    /// P(churn) of each row of a row-major batch of numeric inputs named `columns`.
    #[napi(catch_unwind)]
    pub fn score_batch(&self, values: Float64Array, columns: Vec<String>) -> Result<Float64Array> {
        Ok(Float64Array::new(score_batch(&self.inner, &values, &columns).into_napi()?))
    }

    /// `scoreBatch` off the event loop: resolves to the probabilities.
    #[napi(ts_return_type = "Promise<Float64Array>")]
    pub fn score_batch_async(&self, values: Float64Array, columns: Vec<String>) -> AsyncTask<ScoreBatchTask> {
        AsyncTask::new(ScoreBatchTask { model: self.inner.clone(), values: values.to_vec(), columns })
    }
}

/// The work of `scoreBatchAsync`, on a libuv thread.
pub struct ScoreBatchTask {
    model: Arc<core::ChurnModel>,
    values: Vec<f64>,
    columns: Vec<String>,
}

impl Task for ScoreBatchTask {
    type Output = nps_core::Result<Vec<f64>>;
    type JsValue = Float64Array;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let (model, values, columns) = (&self.model, &self.values, &self.columns);
        catch_panic(std::panic::AssertUnwindSafe(|| score_batch(model, values, columns)))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Float64Array> {
        output.map(Float64Array::new).map_err(|e| js_error(&env, e))
    }
}

crate::monitor::monitored_model_methods!(ChurnModel);
