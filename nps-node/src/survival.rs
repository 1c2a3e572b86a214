//! Node classes and functions for `nps_core::survival`, under the `survival` namespace:
//! `KaplanMeier`, `logrankTest`, `multivariateLogrankTest` and `CoxModel` (fitted from
//! columns or loaded from its model file). Every number comes from the core.
use std::collections::HashMap;

use napi::bindgen_prelude::{Either, Float64Array};
use napi_derive::napi;
use nps_core::survival::{self as core, CoxCustomers, CoxInput, CoxOptions, SurvivalData};

use crate::convert::{booleans, floats, NumericArray};
use crate::error::{to_napi, IntoNapi, Result};

/// A column of numbers: an array or a `Float64Array`.
type Column = Either<Vec<f64>, Float64Array>;

/// Named columns (`Record<string, number[] | Float64Array>`) as an argument: read through
/// [`crate::convert::Obj`], so that a null, a number or an array is refused with
/// INVALID_PARAMETER naming the argument (the type's name, `Columns` -> `columns`), not
/// V8's `TypeError` without a code.
macro_rules! named_columns {
    ($name:ident) => {
        pub struct $name(HashMap<String, Column>);

        impl napi::bindgen_prelude::TypeName for $name {
            fn type_name() -> &'static str {
                stringify!($name)
            }
            fn value_type() -> napi::ValueType {
                napi::ValueType::Object
            }
        }

        impl napi::bindgen_prelude::FromNapiValue for $name {
            unsafe fn from_napi_value(env: napi::sys::napi_env, value: napi::sys::napi_value) -> napi::Result<Self> {
                HashMap::from_napi_value(env, value).map($name)
            }
        }
    };
}
named_columns!(Columns);
named_columns!(Customers);

fn column_values(c: &Column) -> Vec<f64> {
    match c {
        Either::A(v) => v.clone(),
        Either::B(v) => v.to_vec(),
    }
}

/// Options of `KaplanMeier.fit`.
#[napi(object, namespace = "survival")]
#[derive(Default)]
pub struct KaplanMeierOptions {
    /// Whether each observation ended in the event (default: all did).
    pub event_observed: Option<Vec<bool>>,
    /// Entry times (delayed entry).
    pub entry: Option<Vec<f64>>,
    /// Weights.
    pub weights: Option<Vec<f64>>,
    /// Intervals at level 1 − alpha (default 0.05).
    pub alpha: Option<f64>,
}

/// The life table and the estimate at each time.
#[napi(object, namespace = "survival")]
pub struct SurvivalTable {
    /// Times.
    pub time: Vec<f64>,
    /// Observations ending at the time.
    pub removed: Vec<f64>,
    /// Events at the time.
    pub observed: Vec<f64>,
    /// Censored at the time.
    pub censored: Vec<f64>,
    /// Entering at the time.
    pub entrance: Vec<f64>,
    /// At risk at the time.
    pub at_risk: Vec<f64>,
    /// The estimate.
    pub survival: Vec<f64>,
    /// Lower bound of its confidence interval.
    pub lower: Vec<f64>,
    /// Upper bound.
    pub upper: Vec<f64>,
}

/// A fitted Kaplan–Meier estimate.
#[napi(namespace = "survival")]
pub struct KaplanMeier {
    inner: core::KaplanMeier,
}

#[napi(namespace = "survival")]
impl KaplanMeier {
    /// Fits the estimate to `durations`.
    #[napi(factory, catch_unwind)]
    pub fn fit(
        durations: NumericArray,
        #[napi(ts_arg_type = "survival.KaplanMeierOptions | undefined | null")] options: Option<
            crate::convert::Obj<KaplanMeierOptions>,
        >,
    ) -> Result<KaplanMeier> {
        let options = options.map(|o| o.0);
        let o = options.unwrap_or_default();
        let durations = floats(&durations);
        let data = SurvivalData {
            durations: &durations,
            events: o.event_observed.as_deref(),
            entry: o.entry.as_deref(),
            weights: o.weights.as_deref(),
        };
        Ok(KaplanMeier { inner: core::KaplanMeier::fit(&data, o.alpha.unwrap_or(core::DEFAULT_ALPHA)).into_napi()? })
    }

    /// The life table with the estimate and its interval.
    #[napi(getter)]
    pub fn table(&self) -> SurvivalTable {
        let (k, t) = (&self.inner, &self.inner.table);
        SurvivalTable {
            time: t.time.clone(),
            removed: t.removed.clone(),
            observed: t.observed.clone(),
            censored: t.censored.clone(),
            entrance: t.entrance.clone(),
            at_risk: t.at_risk.clone(),
            survival: k.survival.clone(),
            lower: k.lower.clone(),
            upper: k.upper.clone(),
        }
    }

    /// The median survival time (`Infinity` if the estimate never reaches 0.5); throws when
    /// no customer had the event.
    #[napi(catch_unwind)]
    pub fn median(&self) -> Result<f64> {
        self.inner.median().into_napi()
    }

    /// The median's confidence interval `[lower, upper]`.
    #[napi(catch_unwind)]
    pub fn median_interval(&self) -> Result<Vec<f64>> {
        let (lo, hi) = self.inner.median_interval().into_napi()?;
        Ok(vec![lo, hi])
    }

    /// The estimate at each of `times`.
    #[napi(catch_unwind)]
    pub fn survival_at(&self, times: Vec<f64>) -> Result<Float64Array> {
        Ok(Float64Array::new(self.inner.survival_at(&times).into_napi()?))
    }
}

/// The result of a log-rank test.
#[napi(object, namespace = "survival")]
pub struct LogRankResult {
    /// The groups, in label order.
    pub groups: Vec<String>,
    /// Events observed per group.
    pub observed: Vec<f64>,
    /// Events expected per group under equal survival.
    pub expected: Vec<f64>,
    /// The chi-square statistic.
    pub test_statistic: f64,
    /// Its degrees of freedom.
    pub degrees_of_freedom: u32,
    /// The p-value.
    pub p_value: f64,
}

impl From<core::LogRankTest> for LogRankResult {
    fn from(t: core::LogRankTest) -> Self {
        LogRankResult {
            groups: t.groups,
            observed: t.observed,
            expected: t.expected,
            test_statistic: t.test_statistic,
            degrees_of_freedom: t.degrees_of_freedom as u32,
            p_value: t.p_value,
        }
    }
}

fn flags(values: Option<crate::convert::Flags>, field: &str) -> Result<Option<Vec<bool>>> {
    values.map(|v| booleans(&v, field)).transpose()
}

/// The log-rank test between groups A and B.
#[napi(namespace = "survival", catch_unwind)]
pub fn logrank_test(
    durations_a: NumericArray,
    durations_b: NumericArray,
    event_observed_a: Option<crate::convert::Flags>,
    event_observed_b: Option<crate::convert::Flags>,
) -> Result<LogRankResult> {
    let (da, db) = (floats(&durations_a), floats(&durations_b));
    let (ea, eb) = (flags(event_observed_a, "event_observed_A")?, flags(event_observed_b, "event_observed_B")?);
    let a = SurvivalData { durations: &da, events: ea.as_deref(), entry: None, weights: None };
    let b = SurvivalData { durations: &db, events: eb.as_deref(), entry: None, weights: None };
    Ok(core::log_rank_test(&a, &b).into_napi()?.into())
}

/// The log-rank test between the groups of `groups` (two or more).
#[napi(namespace = "survival", catch_unwind)]
pub fn multivariate_logrank_test(
    durations: NumericArray,
    groups: Vec<String>,
    event_observed: Option<crate::convert::Flags>,
) -> Result<LogRankResult> {
    let d = floats(&durations);
    let e = flags(event_observed, "event_observed")?;
    let data = SurvivalData { durations: &d, events: e.as_deref(), entry: None, weights: None };
    Ok(core::multivariate_log_rank_test(&data, &groups).into_napi()?.into())
}

/// Options of `CoxModel.fit`.
#[napi(object, namespace = "survival")]
pub struct CoxFitOptions {
    /// The column of durations.
    pub duration_col: String,
    /// The column of event flags (1: the event, 0: censored); default: all events.
    pub event_col: Option<String>,
    /// The column of entry times (delayed entry).
    pub entry_col: Option<String>,
    /// The column of weights.
    pub weights_col: Option<String>,
    /// The covariates, in order (default: every other column, in name order).
    pub covariates: Option<Vec<String>>,
    /// Each customer's stratum label.
    pub strata: Option<Vec<String>>,
    /// L2 penalty (lifelines' `penalizer`).
    pub penalizer: Option<f64>,
    /// Intervals at level 1 − alpha.
    pub alpha: Option<f64>,
}

/// One row of a Cox model's summary (lifelines' columns).
#[napi(object, namespace = "survival")]
pub struct CoefficientSummary {
    /// The covariate.
    pub covariate: String,
    /// `coef`.
    pub coef: f64,
    /// `exp(coef)`.
    pub hazard_ratio: f64,
    /// `se(coef)`.
    pub se: f64,
    /// `coef lower 95%`.
    pub coef_lower: f64,
    /// `coef upper 95%`.
    pub coef_upper: f64,
    /// `exp(coef) lower 95%`.
    pub hazard_ratio_lower: f64,
    /// `exp(coef) upper 95%`.
    pub hazard_ratio_upper: f64,
    /// `z`.
    pub z: f64,
    /// `p`.
    pub p: f64,
}

/// Options of the predictions.
#[napi(object, namespace = "survival")]
#[derive(Default)]
pub struct CoxPredictOptions {
    /// Times of the curves (default: the training durations).
    pub times: Option<Vec<f64>>,
    /// Tenure already reached by each customer.
    pub conditional_after: Option<Vec<f64>>,
    /// Each customer's stratum (required when the model has strata).
    pub strata: Option<Vec<String>>,
}

/// Survival curves: `survival[i][k]` is customer i's survival at `times[k]`.
#[napi(object, namespace = "survival")]
pub struct SurvivalCurves {
    /// The times.
    pub times: Vec<f64>,
    /// One curve per customer.
    pub survival: Vec<Vec<f64>>,
}

/// The baseline survival per stratum.
#[napi(object, namespace = "survival")]
pub struct BaselineSurvival {
    /// The training durations.
    pub times: Vec<f64>,
    /// The strata (empty without strata).
    pub strata: Vec<String>,
    /// One curve per stratum.
    pub survival: Vec<Vec<f64>>,
}

/// A Cox proportional hazards model.
#[napi(namespace = "survival")]
pub struct CoxModel {
    inner: core::CoxModel,
}

fn customer_matrix(model: &core::CoxModel, columns: &HashMap<String, Column>) -> Result<(Vec<f64>, usize)> {
    let d = model.covariates.len();
    let mut values: Vec<Vec<f64>> = Vec::with_capacity(d);
    for name in &model.covariates {
        let c = columns.get(name).ok_or_else(|| {
            let names: Vec<&str> = model.covariates.iter().map(String::as_str).collect();
            to_napi(nps_core::NpsError::unknown("missing covariate column", name, &names))
        })?;
        values.push(column_values(c));
    }
    let n = values.first().map_or(0, Vec::len);
    if let Some((j, c)) = values.iter().enumerate().find(|(_, c)| c.len() != n) {
        return Err(to_napi(nps_core::NpsError::LengthMismatch {
            field: format!("column {:?}", model.covariates[j]),
            actual: c.len(),
            other: format!("column {:?}", model.covariates[0]),
            expected: n,
        }));
    }
    let mut x = Vec::with_capacity(n * d);
    for i in 0..n {
        x.extend(values.iter().map(|c| c[i]));
    }
    Ok((x, n))
}

#[napi(namespace = "survival")]
impl CoxModel {
    /// Fits the model on named columns of numbers.
    #[napi(
        factory,
        catch_unwind,
        ts_args_type = "columns: Record<string, number[] | Float64Array>, options: CoxFitOptions"
    )]
    pub fn fit(columns: crate::convert::Obj<Columns>, options: crate::convert::Obj<CoxFitOptions>) -> Result<CoxModel> {
        let columns = columns.0 .0;
        let options = options.0;
        let get = |name: &str| -> Result<Vec<f64>> {
            columns.get(name).map(column_values).ok_or_else(|| {
                let mut names: Vec<&str> = columns.keys().map(String::as_str).collect();
                names.sort_unstable();
                to_napi(nps_core::NpsError::unknown("column", name, &names))
            })
        };
        let durations = get(&options.duration_col)?;
        let events = options
            .event_col
            .as_deref()
            .map(|c| {
                get(c)?
                    .into_iter()
                    .enumerate()
                    .map(|(i, v)| match v {
                        0.0 => Ok(false),
                        1.0 => Ok(true),
                        _ => Err(to_napi(nps_core::NpsError::OutOfRange {
                            field: format!("column {c:?}"),
                            index: i,
                            value: v,
                            range: "0 or 1 (censored or event)".into(),
                        })),
                    })
                    .collect::<Result<Vec<bool>>>()
            })
            .transpose()?;
        let entry = options.entry_col.as_deref().map(get).transpose()?;
        let weights = options.weights_col.as_deref().map(get).transpose()?;
        let used: Vec<&str> = [
            Some(options.duration_col.as_str()),
            options.event_col.as_deref(),
            options.entry_col.as_deref(),
            options.weights_col.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect();
        let covariates = options.covariates.clone().unwrap_or_else(|| {
            let mut names: Vec<String> = columns.keys().filter(|k| !used.contains(&k.as_str())).cloned().collect();
            names.sort_unstable();
            names
        });
        let values: Vec<Vec<f64>> = covariates.iter().map(|c| get(c)).collect::<Result<_>>()?;
        let n = durations.len();
        for (j, c) in values.iter().enumerate() {
            if c.len() != n {
                return Err(to_napi(nps_core::NpsError::LengthMismatch {
                    field: format!("column {:?}", covariates[j]),
                    actual: c.len(),
                    other: "durations".into(),
                    expected: n,
                }));
            }
        }
        let mut x = Vec::with_capacity(n * covariates.len());
        for i in 0..n {
            x.extend(values.iter().map(|c| c[i]));
        }
        let view = ndarray::ArrayView2::from_shape((n, covariates.len()), &x).expect("the shape is the data's");
        let data = SurvivalData {
            durations: &durations,
            events: events.as_deref(),
            entry: entry.as_deref(),
            weights: weights.as_deref(),
        };
        let input = CoxInput { x: view, covariates: &covariates, data, strata: options.strata.as_deref() };
        let fit_options = CoxOptions {
            penalizer: options.penalizer.unwrap_or(0.0),
            alpha: options.alpha.unwrap_or(core::DEFAULT_ALPHA),
            ..CoxOptions::default()
        };
        Ok(CoxModel { inner: core::CoxModel::fit(&input, &fit_options).into_napi()? })
    }

    /// Reads a model file (written in any language).
    #[napi(factory, catch_unwind)]
    pub fn from_json(text: String) -> Result<CoxModel> {
        Ok(CoxModel { inner: core::CoxModel::from_json(&text).into_napi()? })
    }

    /// The model file.
    #[napi]
    pub fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// The covariates, in order.
    #[napi(getter)]
    pub fn covariates(&self) -> Vec<String> {
        self.inner.covariates.clone()
    }

    /// One row per covariate.
    #[napi(getter)]
    pub fn summary(&self) -> Vec<CoefficientSummary> {
        self.inner
            .summary()
            .into_iter()
            .map(|r| CoefficientSummary {
                covariate: r.covariate,
                coef: r.coef,
                hazard_ratio: r.hazard_ratio,
                se: r.se,
                coef_lower: r.coef_lower,
                coef_upper: r.coef_upper,
                hazard_ratio_lower: r.hazard_ratio_lower,
                hazard_ratio_upper: r.hazard_ratio_upper,
                z: r.z,
                p: r.p,
            })
            .collect()
    }

    /// The partial log-likelihood.
    #[napi(getter)]
    pub fn log_likelihood(&self) -> f64 {
        self.inner.log_likelihood
    }

    /// Harrell's concordance index on the training data.
    #[napi(getter)]
    pub fn concordance_index(&self) -> f64 {
        self.inner.concordance
    }

    /// The baseline survival per stratum.
    #[napi(getter)]
    pub fn baseline_survival(&self) -> BaselineSurvival {
        let b = &self.inner.baseline;
        BaselineSurvival {
            times: b.times.clone(),
            strata: b.strata.clone(),
            survival: (0..b.cumulative_hazard.len()).map(|s| b.survival(s)).collect(),
        }
    }

    /// Each customer's survival curve; `customers` holds a column per covariate.
    #[napi(
        catch_unwind,
        ts_args_type = "customers: Record<string, number[] | Float64Array>, options?: CoxPredictOptions"
    )]
    pub fn predict_survival(
        &self,
        customers: crate::convert::Obj<Customers>,
        options: Option<crate::convert::Obj<CoxPredictOptions>>,
    ) -> Result<SurvivalCurves> {
        let customers = customers.0 .0;
        let options = options.map(|o| o.0);
        let o = options.unwrap_or_default();
        let (x, n) = customer_matrix(&self.inner, &customers)?;
        let view = ndarray::ArrayView2::from_shape((n, self.inner.covariates.len()), &x).expect("shape");
        let times = o.times.unwrap_or_else(|| self.inner.timeline().to_vec());
        let c =
            CoxCustomers { x: view, strata: o.strata.as_deref(), conditional_after: o.conditional_after.as_deref() };
        let s = self.inner.survival_function(&c, &times).into_napi()?;
        Ok(SurvivalCurves { times, survival: s.rows().into_iter().map(|r| r.to_vec()).collect() })
    }

    /// Each customer's probability of churning within `horizon`.
    #[napi(
        catch_unwind,
        ts_args_type = "customers: Record<string, number[] | Float64Array>, horizon: number, options?: CoxPredictOptions"
    )]
    pub fn predict_churn_within(
        &self,
        customers: crate::convert::Obj<Customers>,
        horizon: f64,
        options: Option<crate::convert::Obj<CoxPredictOptions>>,
    ) -> Result<Float64Array> {
        let customers = customers.0 .0;
        let options = options.map(|o| o.0);
        let o = options.unwrap_or_default();
        let (x, n) = customer_matrix(&self.inner, &customers)?;
        let view = ndarray::ArrayView2::from_shape((n, self.inner.covariates.len()), &x).expect("shape");
        let c =
            CoxCustomers { x: view, strata: o.strata.as_deref(), conditional_after: o.conditional_after.as_deref() };
        Ok(Float64Array::new(self.inner.churn_within(&c, horizon).into_napi()?))
    }
}

/// Per customer of an event history: the inputs of a survival estimate.
#[napi(object, namespace = "survival")]
pub struct CustomerSurvival {
    /// Customer ids, in the order of first appearance in the history (as `features.retention`).
    pub customers: Vec<String>,
    /// Days from the first subscription start to the departure or to `asOf`; NaN without a start.
    pub tenure_days: Float64Array,
    /// Whether the customer left before `asOf` (the event; otherwise censored at `asOf`).
    pub churned: Vec<bool>,
    /// The first subscription start (epoch milliseconds); NaN without one.
    pub start: Float64Array,
    /// When the customer left (epoch milliseconds); NaN when not before `asOf`.
    pub churn_time: Float64Array,
}

/// Tenure and departures from the event history (the events `features.retention` reads), as
/// of `asOf`: only events before it count, as for the churn features.
#[napi(namespace = "survival", catch_unwind)]
pub fn survival_data(
    events: Either<Vec<crate::features::Event>, crate::features::EventColumnsJs>,
    #[napi(ts_arg_type = "FeatureOptions")] options: crate::convert::Obj<crate::features::FeatureOptions>,
) -> Result<CustomerSurvival> {
    let options = options.0;
    let b = crate::features::builder(&events)?;
    let declared: Vec<&str> = options.declared_kinds.iter().flatten().map(String::as_str).collect();
    let table = b.table(&declared).into_napi()?;
    let as_of = options.as_of.seconds("asOf")?;
    let s = nps_core::features::survival_data(&table.view().into_napi()?, as_of);
    let millis =
        |v: &[Option<i64>]| Float64Array::new(v.iter().map(|t| t.map_or(f64::NAN, |t| t as f64 * 1000.0)).collect());
    Ok(CustomerSurvival {
        customers: b.customers().to_vec(),
        tenure_days: Float64Array::new(s.tenure_days),
        churned: s.churned,
        start: millis(&s.start),
        churn_time: millis(&s.churn_time),
    })
}
