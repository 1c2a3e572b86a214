//! `uplift` namespace: `nps_core::uplift` for Node, mirroring `nps-py/src/uplift.rs`:
//! `qiniCurve`, `upliftCurve`, `qiniCoefficient`, `upliftAt`, `savedPerContacts`,
//! `expectedSaved`, `rankByUplift` and `UpliftModel`. Every number comes from the core;
//! options left out take the core's defaults.
use std::collections::HashMap;

use napi::bindgen_prelude::*;
use napi_derive::napi;
use nps_core::uplift::{self as core, Outcome, UpliftInputs, UpliftLearner, UpliftStrategy};

use crate::convert::{floats, NumericArray};
use crate::error::{IntoNapi, Result};

/// A curve over the customers targeted, highest scores first.
#[napi(object, namespace = "uplift")]
pub struct UpliftCurve {
    /// Customers targeted.
    pub targeted: Float64Array,
    /// The same as a fraction of all customers.
    pub fraction: Float64Array,
    /// Incremental retained customers.
    pub incremental: Float64Array,
}

fn curve(c: core::UpliftCurve) -> UpliftCurve {
    UpliftCurve {
        targeted: Float64Array::new(c.targeted),
        fraction: Float64Array::new(c.fraction),
        incremental: Float64Array::new(c.incremental),
    }
}

/// Options of the evaluation functions.
#[napi(object, namespace = "uplift")]
#[derive(Default)]
pub struct UpliftOptions {
    /// What `y` holds: `churned` (default; 1 = left) or `retained` (1 = stayed).
    #[napi(ts_type = "'churned' | 'retained'")]
    pub outcome: Option<String>,
    /// How `upliftAt` takes the top k: `overall` (default) or `by_group`.
    #[napi(ts_type = "'overall' | 'by_group'")]
    pub strategy: Option<String>,
    /// Value per customer (`savedPerContacts`, `expectedSaved`).
    pub value: Option<Vec<f64>>,
    /// Contacts the savings are counted per (default 1,000).
    pub contacts: Option<f64>,
}

fn outcome(o: &UpliftOptions) -> Result<Outcome> {
    o.outcome.as_deref().map_or(Ok(Outcome::default()), Outcome::named).into_napi()
}

/// The Qini curve of `score` on a campaign (`y`, `treated` 1 called / 0 control).
#[napi(namespace = "uplift", catch_unwind)]
pub fn qini_curve(
    y: NumericArray,
    treated: NumericArray,
    score: NumericArray,
    #[napi(ts_arg_type = "uplift.UpliftOptions | undefined | null")] options: Option<
        crate::convert::Obj<UpliftOptions>,
    >,
) -> Result<UpliftCurve> {
    let options = options.map(|o| o.0);
    let o = options.unwrap_or_default();
    Ok(curve(core::qini_curve(&floats(&y), &floats(&treated), &floats(&score), outcome(&o)?).into_napi()?))
}

/// The uplift curve of `score` on a campaign.
#[napi(namespace = "uplift", catch_unwind)]
pub fn uplift_curve(
    y: NumericArray,
    treated: NumericArray,
    score: NumericArray,
    #[napi(ts_arg_type = "uplift.UpliftOptions | undefined | null")] options: Option<
        crate::convert::Obj<UpliftOptions>,
    >,
) -> Result<UpliftCurve> {
    let options = options.map(|o| o.0);
    let o = options.unwrap_or_default();
    Ok(curve(core::uplift_curve(&floats(&y), &floats(&treated), &floats(&score), outcome(&o)?).into_napi()?))
}

/// The Qini coefficient and its areas.
#[napi(object, namespace = "uplift")]
pub struct QiniCoefficient {
    /// Area over the random line / the perfect ranking's (scikit-uplift's `qini_auc_score`).
    pub coefficient: f64,
    /// The un-normalised area between the Qini curve and the random line.
    pub area: f64,
    /// The same area for the perfect ranking.
    pub perfect_area: f64,
}

/// The Qini coefficient of `score` on a campaign.
#[napi(namespace = "uplift", catch_unwind)]
pub fn qini_coefficient(
    y: NumericArray,
    treated: NumericArray,
    score: NumericArray,
    #[napi(ts_arg_type = "uplift.UpliftOptions | undefined | null")] options: Option<
        crate::convert::Obj<UpliftOptions>,
    >,
) -> Result<QiniCoefficient> {
    let options = options.map(|o| o.0);
    let o = options.unwrap_or_default();
    let q = core::qini_coefficient(&floats(&y), &floats(&treated), &floats(&score), outcome(&o)?).into_napi()?;
    Ok(QiniCoefficient { coefficient: q.coefficient, area: q.area, perfect_area: q.perfect_area })
}

/// Treated minus control retention rate among the top fraction `k` by score.
#[napi(namespace = "uplift", catch_unwind)]
pub fn uplift_at(
    y: NumericArray,
    treated: NumericArray,
    score: NumericArray,
    k: f64,
    #[napi(ts_arg_type = "uplift.UpliftOptions | undefined | null")] options: Option<
        crate::convert::Obj<UpliftOptions>,
    >,
) -> Result<f64> {
    let options = options.map(|o| o.0);
    let o = options.unwrap_or_default();
    let strategy = o.strategy.as_deref().map_or(Ok(UpliftStrategy::default()), UpliftStrategy::named).into_napi()?;
    core::uplift_at(&floats(&y), &floats(&treated), &floats(&score), k, strategy, outcome(&o)?).into_napi()
}

/// What calling the top k saves, per `contacts` contacts.
#[napi(object, namespace = "uplift")]
pub struct SavedPerContacts {
    /// The fraction targeted.
    pub k: f64,
    /// The contacts the figures are per.
    pub contacts: f64,
    /// Customers in the top k.
    pub targeted: u32,
    /// Customers saved per contact.
    pub uplift: f64,
    /// Customers saved per `contacts` contacts.
    pub customers: f64,
    /// Value saved per `contacts` contacts, when a value is given.
    pub value: Option<f64>,
}

fn saved(s: core::SavedPerContacts) -> SavedPerContacts {
    SavedPerContacts {
        k: s.k,
        contacts: s.contacts,
        targeted: s.targeted as u32,
        uplift: s.uplift,
        customers: s.customers,
        value: s.value,
    }
}

/// Customers (and value) saved per `contacts` contacts calling the top k, measured on a
/// campaign with a control group.
#[napi(namespace = "uplift", catch_unwind)]
pub fn saved_per_contacts(
    y: NumericArray,
    treated: NumericArray,
    score: NumericArray,
    k: f64,
    #[napi(ts_arg_type = "uplift.UpliftOptions | undefined | null")] options: Option<
        crate::convert::Obj<UpliftOptions>,
    >,
) -> Result<SavedPerContacts> {
    let options = options.map(|o| o.0);
    let o = options.unwrap_or_default();
    let contacts = o.contacts.unwrap_or(core::DEFAULT_CONTACTS);
    let s = core::saved_per_contacts(
        &floats(&y),
        &floats(&treated),
        &floats(&score),
        k,
        o.value.as_deref(),
        contacts,
        outcome(&o)?,
    );
    Ok(saved(s.into_napi()?))
}

/// Customers (and value) a model expects to save per `contacts` contacts calling the top k
/// by its predicted uplift.
#[napi(namespace = "uplift", catch_unwind)]
pub fn expected_saved(
    uplift: NumericArray,
    k: f64,
    #[napi(ts_arg_type = "uplift.UpliftOptions | undefined | null")] options: Option<
        crate::convert::Obj<UpliftOptions>,
    >,
) -> Result<SavedPerContacts> {
    let options = options.map(|o| o.0);
    let o = options.unwrap_or_default();
    let contacts = o.contacts.unwrap_or(core::DEFAULT_CONTACTS);
    Ok(saved(core::expected_saved(&floats(&uplift), o.value.as_deref(), k, contacts).into_napi()?))
}

/// Customers ranked by what calling them saves.
#[napi(object, namespace = "uplift")]
pub struct UpliftPlan {
    /// Predicted uplift × value.
    pub saved_value: Float64Array,
    /// Saved value − cost.
    pub net_value: Float64Array,
    /// Customers by net value, highest first.
    pub order: Vec<u32>,
    /// Customers worth the call (net value > 0).
    pub worth_contacting: u32,
    /// Net value of calling exactly those.
    pub total_net_value: f64,
}

/// Ranks customers by predicted uplift × value, net of the cost of a contact (default 0).
#[napi(namespace = "uplift", catch_unwind)]
pub fn rank_by_uplift(uplift: NumericArray, value: NumericArray, cost: Option<f64>) -> Result<UpliftPlan> {
    let p = core::rank_by_uplift(&floats(&uplift), &floats(&value), cost.unwrap_or(0.0)).into_napi()?;
    Ok(UpliftPlan {
        saved_value: Float64Array::new(p.saved_value),
        net_value: Float64Array::new(p.net_value),
        order: p.order.iter().map(|&i| i as u32).collect(),
        worth_contacting: p.worth_contacting as u32,
        total_net_value: p.total_net_value,
    })
}

/// An uplift fit with its inputs converted (on the calling thread), to run on any thread.
fn uplift_fit(
    kind: String,
    table: &Object<'_>,
    y: &NumericArray,
    treated: &NumericArray,
    o: UpliftFitOptions,
) -> Result<impl FnOnce() -> nps_core::Result<core::UpliftModel> + Send> {
    let learner =
        UpliftLearner::named(o.learner.as_deref().unwrap_or(core::DEFAULT_UPLIFT_LEARNER), o.options.as_deref())
            .into_napi()?;
    let t = crate::encode::table(table)?;
    let specs = crate::encode::fit_specs(&t, o.kinds.as_ref(), None)?;
    let (y, treated) = (floats(y), floats(treated));
    Ok(move || {
        let inputs = UpliftInputs::Table { table: &t.raw, specs: &specs };
        core::UpliftModel::fit(&kind, &inputs, &y, &treated, &learner)
    })
}

/// Options of `UpliftModel.fit`.
#[napi(object, namespace = "uplift")]
#[derive(Default)]
pub struct UpliftFitOptions {
    /// `logistic` (default) or `boosted`.
    #[napi(ts_type = "'logistic' | 'boosted'")]
    pub learner: Option<String>,
    /// The learner's training options as the core's JSON (absent fields: defaults).
    pub options: Option<String>,
    /// Column kind overrides (`numeric`, `categorical`, `boolean`).
    pub kinds: Option<HashMap<String, String>>,
}

/// An uplift model (two-model or class transformation) on the library's churn models.
#[napi(namespace = "uplift")]
pub struct UpliftModel {
    inner: core::UpliftModel,
}

crate::model::fit_methods!(
    UpliftModel in "uplift",
    [
        " Fits an uplift model of `kind` (`two_model` or `class_transformation`) on a table",
        " (`readCsv`'s shape), churn labels `y` (1 = left) and the assignment `treated`."
    ],
    "kind: string, table: Table, y: NumericArray, treated: NumericArray, options?: UpliftFitOptions",
    "Promise<uplift.UpliftModel>",
    (kind: String, table: Object<'_>, y: NumericArray, treated: NumericArray, options: Option<crate::convert::Obj<UpliftFitOptions>>)
        => uplift_fit(kind, &table, &y, &treated, options.map(|o| o.0).unwrap_or_default()),
    |m| UpliftModel { inner: m }
);

#[napi(namespace = "uplift")]
impl UpliftModel {
    /// Reads an uplift model file.
    #[napi(factory, catch_unwind)]
    pub fn from_json(text: String) -> Result<UpliftModel> {
        Ok(UpliftModel { inner: core::UpliftModel::from_json(&text).into_napi()? })
    }

    /// The model file.
    #[napi]
    pub fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// `two_model` or `class_transformation`.
    #[napi(getter)]
    pub fn kind(&self) -> String {
        self.inner.kind().to_string()
    }

    /// The named inputs.
    #[napi(getter)]
    pub fn inputs(&self) -> Vec<String> {
        self.inner.inputs().to_vec()
    }

    /// The predicted uplift in retention of each row of a table (positive: the call saves).
    #[napi(catch_unwind, ts_args_type = "table: Table")]
    pub fn predict(&self, table: Object<'_>) -> Result<Float64Array> {
        let t = crate::encode::table(&table)?;
        let u = self.inner.predict(&UpliftInputs::Table { table: &t.raw, specs: &[] }).into_napi()?;
        Ok(Float64Array::new(u))
    }
}
