//! `ActionCatalog`: next-best-action rules of `nps_core::action`.
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use napi::bindgen_prelude::{
    Either, Float64Array, Float64ArraySlice, FnArgs, FromNapiValue, Function, FunctionRef, JsObjectValue, JsValue,
    Null, Object, Unknown,
};
use napi::{Env, JsString};
use napi_derive::napi;
use nps_core::action::{self as core, Factor, FieldValue, OutcomeKind};
use nps_core::stats::DEFAULT_LEVEL;
use nps_core::NpsError;

use crate::error::{to_napi, IntoNapi, Result};

/// A past outcome of the customer (the caller stores them; contact policies read them).
#[napi(object)]
pub struct Outcome {
    pub action: String,
    pub channel: String,
    pub group: String,
    /// A `Date` or epoch milliseconds.
    #[napi(ts_type = "number | Date")]
    pub time: crate::convert::Time,
    /// 'presented', 'accepted', 'rejected' or 'ignored'.
    #[napi(ts_type = "'presented' | 'accepted' | 'rejected' | 'ignored'")]
    pub kind: String,
}

/// Options of a `Learner`.
#[napi(object)]
#[derive(Default)]
pub struct LearnerOptions {
    /// Prior successes and failures ([1, 1]).
    pub prior: Option<Vec<f64>>,
    /// Share of decisions with uniform propensities (0.05).
    pub exploration: Option<f64>,
    /// Outcomes an action needs in a segment before its own counts are used (5).
    pub ramp_up: Option<f64>,
}

/// Learning which actions work: a Beta-Bernoulli model per action and segment, sampled by
/// Thompson sampling. Plain data: save it with `toJson`.
#[napi]
pub struct Learner {
    pub(crate) inner: core::Learner,
}

#[napi]
impl Learner {
    #[napi(constructor, catch_unwind)]
    pub fn new(
        #[napi(ts_arg_type = "LearnerOptions | undefined | null")] options: Option<crate::convert::Obj<LearnerOptions>>,
    ) -> Result<Self> {
        let options = options.map(|o| o.0);
        let o = options.unwrap_or_default();
        let prior = match o.prior.as_deref() {
            None => core::DEFAULT_PRIOR,
            Some([a, b]) => [*a, *b],
            Some(other) => {
                return Err(to_napi(NpsError::invalid(
                    "prior",
                    format!("{} numbers", other.len()),
                    "[successes, failures]",
                )))
            }
        };
        let inner = core::Learner::new(
            prior,
            o.exploration.unwrap_or(core::DEFAULT_EXPLORATION),
            crate::convert::size32(o.ramp_up, "rampUp", 0.0, core::DEFAULT_RAMP_UP)?,
        )
        .into_napi()?;
        Ok(Learner { inner })
    }

    /// Records one outcome (accepted or retained: true).
    #[napi]
    pub fn record(&mut self, action: String, segment: String, success: bool) {
        self.inner.record(&action, &segment, success);
    }

    /// The posterior mean success rate.
    #[napi]
    pub fn mean(&self, action: String, segment: String) -> f64 {
        self.inner.mean(&action, &segment)
    }

    /// The equal-tailed credible interval of the success rate at `level` (0.95): the
    /// quantiles of its Beta posterior (the prior's before any outcome).
    #[napi(catch_unwind, ts_return_type = "[number, number]")]
    pub fn interval(&self, action: String, segment: String, level: Option<f64>) -> Result<Vec<f64>> {
        let b = self.inner.interval(&action, &segment, level.unwrap_or(DEFAULT_LEVEL)).into_napi()?;
        Ok(vec![b.low, b.high])
    }

    /// `[successes, failures]` recorded.
    #[napi(ts_return_type = "[number, number]")]
    pub fn counts(&self, action: String, segment: String) -> Vec<f64> {
        self.inner.counts(&action, &segment).to_vec()
    }

    #[napi]
    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.inner).expect("plain data")
    }

    #[napi(factory, catch_unwind)]
    pub fn from_json(text: String) -> Result<Learner> {
        serde_json::from_str(&text)
            .map(|inner| Learner { inner })
            .map_err(|e| to_napi(NpsError::invalid("learner", e, "a learner's JSON")))
    }
}

/// Options of `decide`.
#[napi(object)]
#[derive(Default)]
pub struct DecideOptions {
    /// The churn score, 0–100 (100 × the churn probability); or give `probability`. A score
    /// strictly between 0 and 1 is refused as a likely probability.
    pub score: Option<f64>,
    /// The churn probability, 0–1 (the score is then 100 × it); or give `score`.
    pub probability: Option<f64>,
    /// Attribution factors: name → log-odds contribution; each a factor the catalogue
    /// declares (an unknown name is an error listing the declared ones).
    #[napi(ts_type = "Record<string, number>")]
    pub factors: Option<crate::convert::Named<f64>>,
    /// The customer's past outcomes.
    pub history: Option<Vec<Outcome>>,
    /// The time of the decision (a `Date` or epoch milliseconds). Required with a `history`
    /// (the contact policies count the outcomes within a window before it) and with a
    /// `customerId` (the log entry records it); otherwise nothing reads it.
    #[napi(ts_type = "number | Date")]
    pub now: Option<crate::convert::Time>,
    /// How many actions to return (3).
    pub top: Option<f64>,
    /// The customer's segment, for learning.
    pub segment: Option<String>,
    /// Seed of the Thompson draws (0).
    pub seed: Option<f64>,
    /// Log the decision for this customer id (the result's `log`).
    pub customer_id: Option<String>,
    /// Share of customers in the control group, which gets no action (0).
    pub control_share: Option<f64>,
    /// Salt of the control-group hash ('').
    pub control_salt: Option<String>,
    /// Monte Carlo draws to estimate a Thompson-sampled choice's propensity (1000).
    pub draws: Option<f64>,
    /// Leave out customer fields and factors the catalogue does not declare instead of
    /// refusing them (false): say, a whole row of model inputs and its full explanation.
    pub ignore_extra: Option<bool>,
    /// Rank by uplift × value instead of value: action id → the customer's predicted uplift
    /// for that action (the gain in retention probability, -1..1, as an `uplift` model
    /// predicts it), one for every action of the catalogue. An action whose uplift is not
    /// positive is removed (status `no_uplift`). Not with a learner.
    pub uplift: Option<HashMap<String, f64>>,
}

/// One logged decision: what was chosen and with what probability (`offPolicy` reads a log
/// of them once `reward` is filled in).
#[napi(object)]
pub struct DecisionLogEntry {
    /// The customer's id.
    pub customer: Option<String>,
    /// The action chosen; null when none was given (control group, or nothing passed).
    #[napi(ts_type = "string | null")]
    pub action: Option<Either<String, Null>>,
    /// The probability it was chosen with, in (0, 1].
    pub propensity: f64,
    /// The customer's segment.
    pub segment: Option<String>,
    /// Whether the customer is in the control group.
    pub control: Option<bool>,
    /// When the decision was made (epoch milliseconds).
    pub time: Option<f64>,
    /// The reward observed later (null until then).
    #[napi(ts_type = "number | null")]
    pub reward: Option<Either<f64, Null>>,
}

/// An optional value that JS may give as null or leave out.
fn nullable<T>(v: Option<Either<T, Null>>) -> Option<T> {
    match v {
        Some(Either::A(x)) => Some(x),
        _ => None,
    }
}

/// A returned action.
#[napi(object)]
pub struct RankedAction {
    /// 1 = best.
    pub rank: u32,
    pub id: String,
    pub label: String,
    pub channel: String,
    /// P × C × V × L.
    pub priority: f64,
    pub value: f64,
}

/// Every catalogue action's fate.
#[napi(object)]
pub struct TraceEntry {
    pub id: String,
    /// 'kept', 'not_eligible', 'not_applicable', 'not_suitable', 'suppressed', 'below_top_n'
    /// or 'control_group'.
    pub status: String,
    /// What decided it: for a failed condition its JSON path, the condition and the values it
    /// read (`actions[7].applicability: last_nps >= 9 (last_nps = 4)`); else the policy in
    /// words, or the rank.
    pub detail: String,
    pub priority: Option<f64>,
    /// The failed condition in words (`last_nps >= 9`); absent otherwise.
    pub condition: Option<String>,
    /// The values the failed condition read (`last_nps = 4`, `last_nps missing`); '' otherwise.
    pub seen: String,
}

/// The ranked actions and the trace (and the log entry of a logged decision).
#[napi(object)]
#[allow(dead_code)] // the type of `decide`'s result, which crosses as JSON (see `DecisionJson`)
pub struct Decision {
    pub actions: Vec<RankedAction>,
    pub trace: Vec<TraceEntry>,
    /// With `options.customerId`: the decision's log entry.
    pub log: Option<DecisionLogEntry>,
}

/// One campaign segment.
#[napi(object)]
pub struct CampaignSegment {
    pub band: String,
    pub top_factor: String,
    pub customers: u32,
    pub mean_score: f64,
    /// The action the rules pick first most often ('none' when none).
    pub action: String,
    pub action_share: f64,
}

/// Off-policy estimates of the mean reward a new policy would have earned.
#[napi(object)]
pub struct OffPolicyEstimate {
    pub n: u32,
    /// Decisions where the new policy agrees with the logged one.
    pub matches: u32,
    /// Inverse propensity scoring.
    pub ips: f64,
    /// Self-normalised IPS (NaN without agreement).
    pub snips: f64,
    /// Doubly robust.
    pub doubly_robust: f64,
}

/// Retention uplift over the control group, with a Wald interval.
#[napi(object)]
pub struct Uplift {
    pub treated_rate: f64,
    pub control_rate: f64,
    pub uplift: f64,
    pub low: f64,
    pub high: f64,
}

/// Whether a customer is in the control group (which gets no action): a stable hash of
/// `salt` and the id, the same in every session and language; `share` of customers are in.
#[napi(namespace = "action", catch_unwind)]
pub fn in_control_group(customer_id: String, share: f64, salt: Option<String>) -> Result<bool> {
    core::in_control_group(&customer_id, share, salt.as_deref().unwrap_or("")).into_napi()
}

/// Off-policy estimates on a decision log (`action`, `propensity` in (0, 1], `reward` of
/// each entry): `target[i]` is the new policy's action for entry i (null: none),
/// `qTarget`/`qLogged` a reward model's predictions for the target's and the logged action.
#[napi(namespace = "action", catch_unwind)]
pub fn off_policy(
    log: Vec<DecisionLogEntry>,
    target: Vec<Option<String>>,
    q_target: Vec<f64>,
    q_logged: Vec<f64>,
) -> Result<OffPolicyEstimate> {
    let entries: Vec<core::DecisionLogEntry> = log
        .into_iter()
        .map(|e| core::DecisionLogEntry {
            customer: e.customer.unwrap_or_default(),
            action: nullable(e.action),
            propensity: e.propensity,
            segment: e.segment.unwrap_or_default(),
            control: e.control.unwrap_or(false),
            time: e.time.map_or(0, |t| (t / 1000.0).floor() as i64),
            reward: nullable(e.reward),
        })
        .collect();
    let target: Vec<Option<&str>> = target.iter().map(|t| t.as_deref()).collect();
    let e = core::off_policy(&entries, &target, &q_target, &q_logged).into_napi()?;
    Ok(OffPolicyEstimate {
        n: e.n as u32,
        matches: e.matches as u32,
        ips: e.ips,
        snips: e.snips,
        doubly_robust: e.doubly_robust,
    })
}

/// Retention uplift of treated customers over the control group (true: retained), with a
/// Wald interval at `level` (0.95).
#[napi(namespace = "action", catch_unwind)]
pub fn uplift(treated_retained: Vec<bool>, control_retained: Vec<bool>, level: Option<f64>) -> Result<Uplift> {
    let u = core::uplift(&treated_retained, &control_retained, level.unwrap_or(DEFAULT_LEVEL)).into_napi()?;
    Ok(Uplift {
        treated_rate: u.treated_rate,
        control_rate: u.control_rate,
        uplift: u.uplift,
        low: u.low,
        high: u.high,
    })
}

/// Options of `decideValues`.
#[napi(object)]
#[derive(Default)]
pub struct DecideValuesOptions {
    /// The churn probability, 0–1, when the `score` argument is null or undefined.
    pub probability: Option<f64>,
    /// The customer's past outcomes.
    pub history: Option<Vec<Outcome>>,
    /// The time of the decision (a `Date` or epoch milliseconds). Required with a `history`
    /// (the contact policies count the outcomes within a window before it); otherwise
    /// nothing reads it.
    #[napi(ts_type = "number | Date")]
    pub now: Option<crate::convert::Time>,
    /// How many actions to return (3).
    pub top: Option<f64>,
    /// Return the trace too (false: it costs more than the decision).
    pub trace: Option<bool>,
    /// The customer's segment, for learning.
    pub segment: Option<String>,
    /// Seed of the Thompson draws (0).
    pub seed: Option<f64>,
}

/// The compact result of `decideValues`: catalogue indices (ids: `catalog.actions[i]`).
#[napi(object)]
pub struct RankedIndices {
    /// Catalogue indices of the returned actions, best first.
    pub actions: Vec<u32>,
    /// Their priorities P × C × V × L.
    pub priorities: Vec<f64>,
    /// With `trace: true`: every action's fate, in catalogue order.
    pub trace: Option<Vec<TraceEntry>>,
}

/// A next-best-action catalogue, checked when loaded.
#[napi]
pub struct ActionCatalog {
    pub(crate) inner: core::Catalog,
    /// The fast path's reusable state (one JS thread uses a catalogue at a time).
    decider: RefCell<core::Decider>,
    /// How results cross back to JS.
    reply: RefCell<Reply>,
}

fn catalog(inner: core::Catalog) -> ActionCatalog {
    ActionCatalog { inner, decider: RefCell::default(), reply: RefCell::default() }
}

fn history(outcomes: &[Outcome]) -> Result<Vec<core::Outcome>> {
    outcomes.iter().enumerate().map(|(i, o)| outcome(o, "history", i)).collect()
}

/// A past outcome as the core reads it; errors name the list and entry.
pub(crate) fn outcome(o: &Outcome, list: &str, index: usize) -> Result<core::Outcome> {
    Ok(core::Outcome {
        action: o.action.clone(),
        channel: o.channel.clone(),
        group: o.group.clone(),
        time: o.time.seconds_at(&format!("{list}.time"), index)?,
        kind: OutcomeKind::named(&o.kind, &format!("{list}[{index}].kind")).into_napi()?,
    })
}

/// `now` (a `Date` or epoch milliseconds) in epoch seconds.
fn seconds(now: Option<&crate::convert::Time>) -> Result<Option<i64>> {
    now.map(|t| t.seconds("now")).transpose()
}

/// A customer's fields by name as the core reads them (null or NaN = missing).
fn fields(customer: &crate::convert::Inputs) -> Result<Vec<(&str, FieldValue)>> {
    customer.iter().map(|(k, v)| Ok((k.as_str(), v.field_value(k)?))).collect()
}

/// A customer record in the catalogue's schema from fields by name (null or NaN = missing).
pub(crate) fn customer_record(catalog: &core::Catalog, customer: &crate::convert::Inputs) -> Result<core::Customer> {
    catalog.customer(&fields(customer)?).into_napi()
}

/// The ranked actions as JS reads them (rank 1 = best).
pub(crate) fn ranked_actions(actions: &[core::RankedAction]) -> Vec<RankedAction> {
    actions
        .iter()
        .enumerate()
        .map(|(i, a)| RankedAction {
            rank: i as u32 + 1,
            id: a.id.to_string(),
            label: a.label.to_string(),
            channel: a.channel.to_string(),
            priority: a.priority,
            value: a.value,
        })
        .collect()
}

/// A returned action as JSON (see [`crate::convert::parse_json`]), as [`RankedAction`].
#[derive(serde::Serialize)]
pub(crate) struct ActionJson<'a> {
    rank: u32,
    id: &'a str,
    label: &'a str,
    channel: &'a str,
    priority: f64,
    value: f64,
}

/// The ranked actions as JSON (rank 1 = best).
pub(crate) fn actions_json(actions: &[core::RankedAction]) -> Vec<ActionJson<'_>> {
    actions
        .iter()
        .enumerate()
        .map(|(i, a)| ActionJson {
            rank: i as u32 + 1,
            id: &a.id,
            label: &a.label,
            channel: &a.channel,
            priority: a.priority,
            value: a.value,
        })
        .collect()
}

/// Where a result's trace goes in its JSON: `null`, replaced by the entries [`Reply`]
/// builds (so the property keeps its place in the object).
#[derive(serde::Serialize)]
pub(crate) struct TraceSlot;

/// A result crossing back to JS. The ranked actions of `decide` and `decideValues` cross as
/// numbers (catalogue index, priority, value) that a small JS function turns into objects
/// with the ids, labels and channels it was compiled with; any other result without its
/// trace crosses as JSON text that V8 parses: much cheaper than building nested objects
/// property by property through N-API, and serde writes every f64 so that it parses back
/// to the same bits. The trace (one entry per catalogue action, mostly text) crosses as one
/// string and one array of numbers that the same function cuts into entries: V8 then
/// builds them from object literals without scanning or escaping any text (the trace costs
/// a quarter of what its JSON did). The function is compiled once per object, with the
/// catalogue's actions and the status names, which then cross as numbers.
#[derive(Default)]
pub(crate) struct Reply {
    json: Vec<u8>,
    /// Every entry's detail, condition and what it read, one after another.
    text: String,
    /// Per entry: its status (in `Verdict::STATUSES`), the end (in UTF-16 units of
    /// `text`) of its detail, its priority (NaN: none), the end of its condition (-1: none)
    /// and of what it read.
    cells: Vec<f64>,
    /// The JS half.
    assemble: Option<Assembler>,
}

/// [`ASSEMBLE`]'s function and the ids it was compiled with.
struct Assembler {
    function: FunctionRef<(), ()>,
    ids: Vec<Arc<str>>,
}

/// [`ASSEMBLE`] itself: given the ids, labels and channels and the status names, the
/// function.
type AssemblerFactory<'env> =
    Function<'env, FnArgs<(Vec<&'env str>, Vec<&'env str>, Vec<&'env str>, Vec<&'static str>)>, Function<'env, (), ()>>;

/// [`ASSEMBLE`]'s function: (json, text, trace numbers, head kind, given head) -> result.
type AssemblerFunction<'env> =
    Function<'env, FnArgs<(&'env str, JsString<'env>, f64, f64, Option<Unknown<'env>>)>, Unknown<'env>>;

/// What a result holds besides its trace.
pub(crate) enum Head<'a, 'env> {
    /// Anything, written as JSON with a [`TraceSlot`] where the trace goes.
    Json(&'a dyn ErasedJson),
    /// `{ actions, trace }`: the ranked actions as `decide` returns them.
    Actions(&'a [core::RankedAction]),
    /// `{ actions, priorities, trace }`: catalogue indices, as `decideValues` returns them.
    Indices(&'a [core::Choice]),
    /// A JS object built already (its trace is added last).
    Object(Unknown<'env>),
}

/// A result that writes itself as JSON ([`Head::Json`]; serde's trait is not object safe).
pub(crate) trait ErasedJson {
    /// The JSON text, at the end of `out`.
    fn write_json(&self, out: &mut Vec<u8>);
}

impl<T: serde::Serialize> ErasedJson for T {
    fn write_json(&self, out: &mut Vec<u8>) {
        serde_json::to_writer(out, self).expect("plain data serialises");
    }
}

/// Numbers per trace entry in [`Reply::cells`].
const CELLS: usize = 5;

/// `Reply`'s JS half, a factory given the actions' ids, labels and channels and the status
/// names once: its function makes the result's head (`kind` 0: parses `json`; 1 and 2: the
/// ranked actions as `decide` and `decideValues` return them, from their count and their
/// (index, priority, value) triples after the trace's numbers; 3: `given`) and puts in its
/// `trace` slot the entries cut from `text` by the first `n` numbers of the function's own
/// `cells` (which `Reply` fills, laid out as [`Reply::cells`]).
const ASSEMBLE: &str = r#"(function (ids, labels, channels, statuses) {
  'use strict'
  function head(json, kind, cells, at, given) {
    if (kind === 0) return JSON.parse(json)
    if (kind === 3) return given
    const m = cells[at]
    const actions = []
    if (kind === 1) {
      for (let i = 0, k = at + 1; i < m; i++, k += 3) {
        const a = cells[k]
        actions.push({ rank: i + 1, id: ids[a], label: labels[a], channel: channels[a], priority: cells[k + 1], value: cells[k + 2] })
      }
      return { actions, trace: null }
    }
    const priorities = []
    for (let i = 0, k = at + 1; i < m; i++, k += 3) {
      actions.push(cells[k])
      priorities.push(cells[k + 1])
    }
    return { actions, priorities, trace: null }
  }
  function assembleTrace(json, text, n, kind, given) {
    const cells = assembleTrace.cells
    const result = head(json, kind, cells, n, given)
    const trace = new Array(n / 5)
    let at = 0
    for (let i = 0, k = 0; k < n; i++, k += 5) {
      const entry = { id: ids[i], status: statuses[cells[k] | 0], detail: text.slice(at, cells[k + 1]) }
      at = cells[k + 1]
      if (cells[k + 2] === cells[k + 2]) entry.priority = cells[k + 2]
      if (cells[k + 3] >= 0) {
        entry.condition = text.slice(at, cells[k + 3])
        at = cells[k + 3]
      }
      entry.seen = text.slice(at, cells[k + 4])
      at = cells[k + 4]
      trace[i] = entry
    }
    result.trace = trace
    return result
  }
  assembleTrace.cells = new Float64Array(0)
  return assembleTrace
})"#;

impl Reply {
    /// A result of `catalog`'s decisions as a JS value: `head` with, when given, the entries
    /// of `trace` in its trace slot.
    pub(crate) fn send<'env>(
        &mut self,
        env: &'env Env,
        catalog: &core::Catalog,
        head: Head<'_, 'env>,
        trace: Option<&[core::TraceEntry]>,
    ) -> Result<Unknown<'env>> {
        self.json.clear();
        let Some(trace) = trace else {
            let Head::Json(result) = head else { unreachable!("ranked actions cross with their trace") };
            result.write_json(&mut self.json);
            return crate::convert::parse_json(env, &self.json);
        };
        self.text.clear();
        self.cells.clear();
        // Ends in bytes first; in UTF-16 units (JS's) below if the text is not all ASCII.
        let (text, cells) = (&mut self.text, &mut self.cells);
        let end = |text: &String| text.len() as f64;
        for entry in trace {
            cells.push(entry.verdict.code() as f64);
            entry.write_detail(text);
            cells.push(end(text));
            cells.push(entry.verdict.priority().unwrap_or(f64::NAN));
            cells.push(match &entry.condition {
                Some(condition) => {
                    text.push_str(condition);
                    end(text)
                }
                None => -1.0,
            });
            text.push_str(&entry.seen);
            cells.push(end(text));
        }
        let ascii = text.is_ascii();
        if !ascii {
            let (mut bytes, mut units) = (0, 0);
            for (k, cell) in cells.iter_mut().enumerate() {
                if matches!(k % CELLS, 1 | 3 | 4) && *cell >= 0.0 {
                    let to = *cell as usize;
                    units += text[bytes..to].encode_utf16().count();
                    bytes = to;
                    *cell = units as f64;
                }
            }
        }
        // The head's numbers follow the trace's: a count, then (index, priority, value).
        let n = self.cells.len();
        let mut given = None;
        let kind = match head {
            Head::Json(result) => {
                result.write_json(&mut self.json);
                0.0
            }
            Head::Object(object) => {
                given = Some(object);
                3.0
            }
            Head::Actions(actions) => {
                self.cells.push(actions.len() as f64);
                self.cells.extend(actions.iter().flat_map(|a| [a.index as f64, a.priority, a.value]));
                1.0
            }
            Head::Indices(ranked) => {
                self.cells.push(ranked.len() as f64);
                self.cells.extend(ranked.iter().flat_map(|c| [c.index as f64, c.priority, c.value]));
                2.0
            }
        };
        // The trace lists the catalogue's actions in its order (checked: the function
        // reads ids, labels and channels by position).
        let same_ids =
            |ids: &[Arc<str>]| ids.len() == trace.len() && ids.iter().zip(trace).all(|(a, e)| Arc::ptr_eq(a, &e.id));
        if !self.assemble.as_ref().is_some_and(|a| same_ids(&a.ids)) {
            let actions = catalog.actions();
            let ids: Vec<Arc<str>> = actions.iter().map(|a| a.id.clone()).collect();
            assert!(same_ids(&ids), "a trace lists the catalogue's actions in its order");
            let factory: AssemblerFactory = env.run_script(ASSEMBLE).into_napi()?;
            let names = |f: fn(&core::Action) -> &str| actions.iter().map(f).collect::<Vec<&str>>();
            let tables =
                (names(|a| &a.id), names(|a| &a.label), names(|a| &a.channel), core::Verdict::STATUSES.to_vec());
            let f = factory.call(FnArgs::from(tables)).into_napi()?;
            self.assemble = Some(Assembler { function: f.create_ref().into_napi()?, ids });
        }
        let f = self.assemble.as_ref().expect("compiled above").function.borrow_back(env).into_napi()?;
        // The numbers go into the function's own array (grown as needed), not a new one.
        let mut holder = Object::from_raw(env.raw(), f.raw());
        let mut cells: Float64ArraySlice = holder.get_named_property_unchecked("cells").into_napi()?;
        if cells.len() < self.cells.len() {
            cells = Float64ArraySlice::from_data(env, vec![0.0; self.cells.len().max(32 * CELLS)]).into_napi()?;
            holder.set_named_property("cells", cells).into_napi()?;
        }
        // SAFETY: JS is not running (this is its thread, in a call from it), and the array
        // is the function's own, which only it reads.
        let own = unsafe { cells.as_mut() };
        own[..self.cells.len()].copy_from_slice(&self.cells);
        // SAFETY: the same function, typed with the arguments it takes.
        let f: AssemblerFunction = unsafe { Function::from_napi_value(env.raw(), f.raw()) }.into_napi()?;
        let json = std::str::from_utf8(&self.json).expect("JSON is UTF-8");
        // ASCII is Latin-1, which V8 copies as it is (UTF-8 it decodes).
        let text = match ascii {
            true => env.create_string_latin1(self.text.as_bytes()),
            false => env.create_string(&self.text),
        };
        f.call(FnArgs::from((json, text.into_napi()?, n as f64, kind, given))).into_napi()
    }
}

/// A logged decision as JSON, as [`Decision`] (the log's time in epoch milliseconds).
#[derive(serde::Serialize)]
struct DecisionJson<'a> {
    actions: Vec<ActionJson<'a>>,
    trace: TraceSlot,
    log: LogJson<'a>,
}

#[derive(serde::Serialize)]
struct LogJson<'a> {
    customer: &'a str,
    action: Option<&'a str>,
    propensity: f64,
    segment: &'a str,
    control: bool,
    time: f64,
    reward: Option<f64>,
}

/// One action's fate as JS reads it.
pub(crate) fn trace_entry(entry: &core::TraceEntry) -> TraceEntry {
    TraceEntry {
        id: entry.id.to_string(),
        status: entry.verdict.status().into(),
        detail: entry.detail(),
        priority: entry.verdict.priority(),
        condition: entry.condition.as_deref().map(str::to_string),
        seen: entry.seen.clone(),
    }
}

#[napi]
impl ActionCatalog {
    /// Loads a catalogue; errors name the JSON path.
    #[napi(factory, catch_unwind)]
    pub fn from_json(text: String) -> Result<ActionCatalog> {
        Ok(catalog(core::Catalog::from_json(&text).into_napi()?))
    }

    /// The shipped telco retention playbook.
    #[napi(factory)]
    pub fn playbook() -> ActionCatalog {
        catalog(core::playbook())
    }

    /// The catalogue as JSON text, as `fromJson` reads it.
    #[napi]
    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.inner).expect("plain data")
    }

    /// Reads a catalogue file (JSON, as `fromJson` reads it); errors name the file and, for
    /// a bad catalogue, the JSON path (code `INVALID_PARAMETER` for a file that cannot be read).
    #[napi(factory, catch_unwind)]
    pub fn load(path: String) -> Result<ActionCatalog> {
        let text = std::fs::read_to_string(&path)
            .map_err(|e| to_napi(NpsError::invalid("path", format!("{path:?} ({e})"), "a readable catalogue file")))?;
        let place = format!("catalogue file {path}");
        Ok(catalog(core::Catalog::from_json(&text).map_err(|e| e.within(&place)).into_napi()?))
    }

    /// Action ids, in catalogue order.
    #[napi(getter)]
    pub fn actions(&self) -> Vec<String> {
        self.inner.actions().iter().map(|a| a.id.to_string()).collect()
    }

    /// The customer fields the rules read, in the order `decideValues` takes them.
    #[napi(getter)]
    pub fn fields(&self) -> Vec<String> {
        self.inner.fields().iter().map(|(n, _)| n.clone()).collect()
    }

    /// The factors the rules may refer to, in the order `decideValues` takes their
    /// contributions.
    #[napi(getter)]
    pub fn factors(&self) -> Vec<String> {
        self.inner.factors().to_vec()
    }

    /// The code of a string value of field `field` in the numeric record of `decideValues`
    /// (any string no rule mentions has the same code).
    #[napi(catch_unwind)]
    pub fn text_code(&self, field: String, text: String) -> Result<f64> {
        let slot = self.slot(&field)?;
        Ok(self.inner.text_code(slot, &text))
    }

    /// A customer given by field name (null = missing) as the numeric record `decideValues`
    /// reads: numbers as they are, booleans 0/1, strings as their `textCode`, NaN missing.
    /// Prepare it once per customer, reuse it for every decision.
    #[napi(catch_unwind, ts_args_type = "customer: Record<string, Field>")]
    pub fn encode(&self, customer: crate::convert::Inputs) -> Result<Float64Array> {
        let record = customer_record(&self.inner, &customer)?;
        let mut values = Vec::new();
        self.inner.encode(&record, &mut values).into_napi()?;
        Ok(Float64Array::new(values))
    }

    /// The fast path of `decide`: the customer as a numeric record in `fields` order (see
    /// `encode`, `textCode`), factor contributions in `factors` order (NaN: not given), the
    /// actions returned as catalogue indices and the trace only when `options.trace`.
    /// Same decision as `decide`; with a `learner`, each action's propensity is a Thompson
    /// draw for `options.segment`, seeded with `options.seed`. `score` is 0–100 (as in
    /// `decide`); null with `options.probability` (0–1) instead.
    #[napi(catch_unwind, ts_return_type = "RankedIndices")]
    pub fn decide_values<'env>(
        &self,
        env: &'env Env,
        values: Float64Array,
        score: Option<f64>,
        contributions: Option<Float64Array>,
        #[napi(ts_arg_type = "DecideValuesOptions | undefined | null")] options: Option<
            crate::convert::Obj<DecideValuesOptions>,
        >,
        learner: Option<&Learner>,
    ) -> Result<Either<RankedIndices, Unknown<'env>>> {
        let options = options.map(|o| o.0);
        let options = options.unwrap_or_default();
        let d = core::ValuesRequest::default();
        let request = core::ValuesRequest {
            score,
            probability: options.probability,
            history: history(options.history.as_deref().unwrap_or_default())?,
            now: seconds(options.now.as_ref())?,
            top: crate::convert::size(options.top, "top", 0.0, d.top)?,
            trace: options.trace.unwrap_or(d.trace),
            segment: options.segment.unwrap_or(d.segment),
            seed: crate::convert::seed(options.seed, "seed", d.seed)?,
        };
        let contributions: &[f64] = contributions.as_deref().unwrap_or(&[]);
        let mut decider = self.decider.borrow_mut();
        decider.decide_values(&self.inner, &values, contributions, &request, learner.map(|l| &l.inner)).into_napi()?;
        if request.trace {
            let head = Head::Indices(decider.ranked());
            return Ok(Either::B(self.reply.borrow_mut().send(env, &self.inner, head, Some(decider.trace()))?));
        }
        Ok(Either::A(RankedIndices {
            actions: decider.ranked().iter().map(|c| c.index as u32).collect(),
            priorities: decider.ranked().iter().map(|c| c.priority).collect(),
            trace: None,
        }))
    }

    /// Ranks the actions for one customer (fields by name; null = missing). With a
    /// `learner`, each action's propensity is a Thompson draw for `options.segment`, seeded
    /// with `options.seed`.
    #[napi(
        catch_unwind,
        ts_args_type = "customer: Record<string, Field>, options: DecideOptions, learner?: Learner",
        ts_return_type = "Decision"
    )]
    pub fn decide<'env>(
        &self,
        env: &'env Env,
        customer: crate::convert::Inputs,
        options: crate::convert::Obj<DecideOptions>,
        learner: Option<&Learner>,
    ) -> Result<Unknown<'env>> {
        let options = options.0;
        let d = core::DecideRequest::default();
        let request = core::DecideRequest {
            score: options.score,
            probability: options.probability,
            factors: options
                .factors
                .unwrap_or_default()
                .into_iter()
                .map(|(name, contribution)| Factor { name, contribution })
                .collect(),
            history: history(options.history.as_deref().unwrap_or_default())?,
            now: seconds(options.now.as_ref())?,
            top: crate::convert::size(options.top, "top", 0.0, d.top)?,
            segment: options.segment.unwrap_or(d.segment),
            seed: crate::convert::seed(options.seed, "seed", d.seed)?,
            customer_id: options.customer_id,
            control_share: options.control_share.unwrap_or(d.control_share),
            control_salt: options.control_salt.unwrap_or(d.control_salt),
            draws: crate::convert::size(options.draws, "draws", 0.0, d.draws)?,
            ignore_extra: options.ignore_extra.unwrap_or(d.ignore_extra),
            mapping: d.mapping,
            uplift: options.uplift.unwrap_or_default(),
        };
        let mut decider = self.decider.borrow_mut();
        let log = decider.decide_request(&self.inner, &fields(&customer)?, &request, learner.map(|l| &l.inner));
        let (log, decision) = (log.into_napi()?, decider.decision());
        let mut reply = self.reply.borrow_mut();
        let Some(e) = &log else {
            return reply.send(env, &self.inner, Head::Actions(&decision.actions), Some(&decision.trace));
        };
        let result = DecisionJson {
            actions: actions_json(&decision.actions),
            trace: TraceSlot,
            log: LogJson {
                customer: &e.customer,
                action: e.action.as_deref(),
                propensity: e.propensity,
                segment: &e.segment,
                control: e.control,
                time: e.time as f64 * 1000.0,
                reward: e.reward,
            },
        };
        reply.send(env, &self.inner, Head::Json(&result), Some(&decision.trace))
    }

    /// Campaign segments: customers grouped by score band and top factor, with size, mean
    /// score and the action the rules pick first most often (`actions[i]` null when none),
    /// largest first.
    #[napi(catch_unwind)]
    pub fn campaign_segments(
        &self,
        scores: Vec<f64>,
        top_factors: Vec<String>,
        actions: Vec<Option<String>>,
    ) -> Result<Vec<CampaignSegment>> {
        let factors: Vec<&str> = top_factors.iter().map(String::as_str).collect();
        let actions: Vec<Option<&str>> = actions.iter().map(|a| a.as_deref()).collect();
        let segments = self.inner.campaign_segments(&scores, &factors, &actions).into_napi()?;
        Ok(segments
            .into_iter()
            .map(|g| CampaignSegment {
                band: g.band,
                top_factor: g.top_factor,
                customers: g.customers as u32,
                mean_score: g.mean_score,
                action: g.action,
                action_share: g.action_share,
            })
            .collect())
    }
}

impl ActionCatalog {
    /// The slot of a field, or an error listing the fields.
    fn slot(&self, field: &str) -> Result<usize> {
        self.inner.field_index(field).ok_or_else(|| {
            let known: Vec<&str> = self.inner.fields().iter().map(|(n, _)| n.as_str()).collect();
            to_napi(NpsError::unknown("field", field, &known))
        })
    }
}
