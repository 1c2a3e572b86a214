//! The decision a binding asks for, as plain data: a request per path (a customer by field
//! name, or a numeric record) with every default named here, and one function each that
//! runs the whole orchestration — score or probability, unknown names, contact history and
//! `now`, Thompson draws from a learner and a seed, logging and the control group. Python
//! and Node convert their values into these requests and call one function, so a decision
//! and its errors are the same in every language.
use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::decide::{churn_score, decision_time, Scratch};
use super::decision::{Choice, DecideOptions, Decision, TraceEntry, DEFAULT_TOP};
use super::log::{uplift_with_learner, DecisionLogEntry, Logging, PROPENSITY_DRAWS};
use super::{Catalog, Customer, Factor, FieldValue, Learner, Outcome};
use crate::error::{NpsError, Result};
use crate::rng::Rng;

/// The seed of the Thompson draws unless one is given (the same seed, the same decision).
pub const DEFAULT_SEED: u64 = 0;

/// One customer's decision, as [`Catalog::decide_request`] reads it. Every field has a
/// default (`Default`, and `#[serde(default)]` for a request read from JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DecideRequest {
    /// The churn score, 0–100; or give `probability` (see [`churn_score`]).
    pub score: Option<f64>,
    /// The churn probability, 0–1.
    pub probability: Option<f64>,
    /// Attribution factors, each one the catalogue declares, given once.
    pub factors: Vec<Factor>,
    /// The customer's past outcomes (the contact policies read them).
    pub history: Vec<Outcome>,
    /// The time of the decision (unix seconds); required with a history or a `customer_id`
    /// (see [`decision_time`]).
    pub now: Option<i64>,
    /// How many actions to return ([`DEFAULT_TOP`]).
    pub top: usize,
    /// The customer's segment, for learning and the log.
    pub segment: String,
    /// Seed of the Thompson draws ([`DEFAULT_SEED`]).
    pub seed: u64,
    /// Log the decision for this customer id (see [`Catalog::decide_logged`]).
    pub customer_id: Option<String>,
    /// Share of customers in the control group, which gets no action (0).
    pub control_share: f64,
    /// Salt of the control-group hash ("").
    pub control_salt: String,
    /// Monte Carlo draws to estimate a Thompson-sampled choice's propensity
    /// ([`PROPENSITY_DRAWS`]).
    pub draws: usize,
    /// Leave out fields and factors the catalogue does not declare instead of refusing them
    /// (a whole row of model inputs and its full explanation).
    pub ignore_extra: bool,
    /// Renames the customer's fields and the factors (model input → catalogue name) before
    /// anything else reads them.
    pub mapping: HashMap<String, String>,
    /// Rank by uplift × value: each action's predicted uplift for this customer, by action
    /// id (the gain in retention probability, −1..=1; see [`DecideOptions::uplift`]). Empty:
    /// rank by value. When given, every action of the catalogue needs one; not with a learner.
    pub uplift: HashMap<String, f64>,
}

impl Default for DecideRequest {
    fn default() -> Self {
        DecideRequest {
            score: None,
            probability: None,
            factors: Vec::new(),
            history: Vec::new(),
            now: None,
            top: DEFAULT_TOP,
            segment: String::new(),
            seed: DEFAULT_SEED,
            customer_id: None,
            control_share: 0.0,
            control_salt: String::new(),
            draws: PROPENSITY_DRAWS,
            ignore_extra: false,
            mapping: HashMap::new(),
            uplift: HashMap::new(),
        }
    }
}

/// The answer to a [`DecideRequest`]: the decision and, for a logged one, its log entry.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct DecideResponse {
    /// The actions, best first, and the trace.
    #[serde(flatten)]
    pub decision: Decision,
    /// With [`DecideRequest::customer_id`]: the decision's log entry.
    pub log: Option<DecisionLogEntry>,
}

/// The fast path's request ([`Decider::decide_values`]): what [`DecideRequest`] has but the
/// customer, factors and logging, which the numeric record and contributions carry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ValuesRequest {
    /// The churn score, 0–100; or give `probability`.
    pub score: Option<f64>,
    /// The churn probability, 0–1.
    pub probability: Option<f64>,
    /// The customer's past outcomes.
    pub history: Vec<Outcome>,
    /// The time of the decision (unix seconds); required with a history.
    pub now: Option<i64>,
    /// How many actions to return ([`DEFAULT_TOP`]).
    pub top: usize,
    /// Record every action's fate (it costs more than the decision).
    pub trace: bool,
    /// The customer's segment, for learning.
    pub segment: String,
    /// Seed of the Thompson draws ([`DEFAULT_SEED`]).
    pub seed: u64,
}

impl Default for ValuesRequest {
    fn default() -> Self {
        ValuesRequest {
            score: None,
            probability: None,
            history: Vec::new(),
            now: None,
            top: DEFAULT_TOP,
            trace: false,
            segment: String::new(),
            seed: DEFAULT_SEED,
        }
    }
}

impl Catalog {
    /// One customer's decision from fields by name: the customer record is built from
    /// `fields` (renamed by the request's mapping; undeclared names refused, or left out with
    /// `ignore_extra`), the score from `score` or `probability`, `now` checked against the
    /// history and logging; with a `learner`, each action's propensity is a Thompson draw for
    /// the segment from a source seeded with `seed`; with a `customer_id`, the decision is
    /// logged (see [`Catalog::decide_logged`]). A caller deciding again and again uses
    /// [`Decider::decide_request`], which reuses its buffers.
    pub fn decide_request(
        &self,
        fields: &[(&str, FieldValue)],
        request: &DecideRequest,
        learner: Option<&Learner>,
    ) -> Result<DecideResponse> {
        let mut decider = Decider::default();
        let log = decider.decide_request(self, fields, request, learner)?;
        Ok(DecideResponse { decision: decider.decision, log })
    }
}

impl Catalog {
    /// The uplift of each action, in catalogue order, from a map by action id (`None` for an
    /// empty map). Errors: an id the catalogue does not have (listing its actions), an action
    /// without an uplift.
    pub fn uplift_by_action(&self, uplift: &HashMap<String, f64>) -> Result<Option<Vec<f64>>> {
        if uplift.is_empty() {
            return Ok(None);
        }
        let ids: Vec<&str> = self.actions.iter().map(|a| &*a.id).collect();
        let mut given: Vec<&String> = uplift.keys().collect();
        given.sort();
        if let Some(unknown) = given.into_iter().find(|id| !ids.contains(&id.as_str())) {
            return Err(NpsError::Unknown { field: "uplift".into(), value: unknown.clone(), expected: ids.join(", ") });
        }
        ids.iter()
            .map(|id| {
                uplift.get(*id).copied().ok_or_else(|| {
                    NpsError::invalid(
                        &format!("uplift[{id:?}]"),
                        "missing",
                        "an uplift for every action of the catalogue",
                    )
                })
            })
            .collect::<Result<Vec<f64>>>()
            .map(Some)
    }
}

/// The reusable state of repeated decisions ([`Decider::decide_values`] and, by name,
/// [`Decider::decide_request`]): the scratch buffers, the ranked actions, the trace, the
/// Thompson draws and the last named decision, which grow once and are then reused, so a
/// fast-path decision allocates nothing. One per thread (the bindings keep
/// one per catalogue object).
#[derive(Debug, Clone, Default)]
pub struct Decider {
    scratch: Scratch,
    ranked: Vec<Choice>,
    trace: Vec<TraceEntry>,
    draws: Vec<f64>,
    /// The last decision by name ([`Decider::decide_request`]).
    decision: Decision,
}

impl Decider {
    /// A decision on the numeric record `values` ([`Catalog::encode`]) with the factors'
    /// `contributions` in [`Catalog::factors`] order (NaN: not given; empty: none), as
    /// [`Catalog::decide_values`] makes it; with a `learner`, each action's propensity is a
    /// Thompson draw for the request's segment, seeded with its seed (the same draws as
    /// [`Catalog::decide_request`] makes). Read the result with [`Decider::ranked`] and
    /// [`Decider::trace`].
    pub fn decide_values(
        &mut self,
        catalog: &Catalog,
        values: &[f64],
        contributions: &[f64],
        request: &ValuesRequest,
        learner: Option<&Learner>,
    ) -> Result<()> {
        let score = churn_score(request.score, request.probability)?;
        let now = decision_time(request.now, &request.history, false)?;
        let Decider { scratch, ranked, trace, draws, .. } = self;
        draws.clear();
        if let Some(l) = learner {
            l.draws_into(catalog, &request.segment, &mut Rng::new(request.seed), draws);
        }
        let draws: &[f64] = draws;
        let propensity = |i: usize| draws[i];
        let options = DecideOptions {
            top_n: request.top,
            propensity: if learner.is_some() { Some(&propensity) } else { None },
            uplift: None,
        };
        if !request.trace {
            trace.clear();
        }
        let trace = if request.trace { Some(trace) } else { None };
        catalog.decide_values(values, score, contributions, &request.history, now, &options, scratch, ranked, trace)
    }

    /// [`Catalog::decide_request`] into this decider: the same decision (read it with
    /// [`Decider::decision`]; empty after an error) and, for a logged one, its log entry.
    /// An unlogged decision without a learner reuses the decider's scratch and trace.
    pub fn decide_request(
        &mut self,
        catalog: &Catalog,
        fields: &[(&str, FieldValue)],
        request: &DecideRequest,
        learner: Option<&Learner>,
    ) -> Result<Option<DecisionLogEntry>> {
        // A decision that fails leaves nothing behind.
        let mut decide = || -> Result<Option<DecisionLogEntry>> {
            let score = churn_score(request.score, request.probability)?;
            // Names as given unless a mapping renames them or undeclared ones are left out.
            let as_given = request.mapping.is_empty() && !request.ignore_extra;
            let renamed =
                |name: &str| -> String { request.mapping.get(name).cloned().unwrap_or_else(|| name.to_string()) };
            let customer: Customer = if as_given {
                catalog.customer(fields)?
            } else {
                let declared_field = |name: &str| !request.ignore_extra || catalog.field_index(name).is_some();
                let fields: Vec<(String, FieldValue)> = fields
                    .iter()
                    .map(|(name, value)| (renamed(name), value.clone()))
                    .filter(|(name, _)| declared_field(name))
                    .collect();
                let named: Vec<(&str, FieldValue)> = fields.iter().map(|(n, v)| (n.as_str(), v.clone())).collect();
                catalog.customer(&named)?
            };
            let renamed_factors: Vec<Factor>;
            let factors: &[Factor] = if as_given {
                &request.factors
            } else {
                renamed_factors = (request.factors.iter())
                    .map(|f| Factor { name: renamed(&f.name), contribution: f.contribution })
                    .filter(|f| !request.ignore_extra || catalog.factor_index(&f.name).is_some())
                    .collect();
                &renamed_factors
            };
            let now = decision_time(request.now, &request.history, request.customer_id.is_some())?;
            let (top, history, segment) = (request.top, &request.history, request.segment.as_str());
            let uplift = catalog.uplift_by_action(&request.uplift)?;
            let options = DecideOptions { top_n: top, propensity: None, uplift: uplift.as_deref() };
            if learner.is_some() && options.uplift.is_some() {
                return Err(uplift_with_learner());
            }
            let mut rng = Rng::new(request.seed);
            match (&request.customer_id, learner) {
                (Some(id), _) => {
                    let logging = Logging {
                        customer_id: id,
                        segment,
                        control_share: request.control_share,
                        control_salt: &request.control_salt,
                        draws: request.draws,
                    };
                    let learning = learner.map(|l| (l, &mut rng));
                    let (decision, entry) =
                        catalog.decide_logged(&customer, score, factors, history, now, &options, learning, &logging)?;
                    self.decision = decision;
                    Ok(Some(entry))
                }
                (None, None) => {
                    let Decider { scratch, decision, .. } = self;
                    catalog.decide_into(&customer, score, factors, history, now, &options, scratch, decision)?;
                    Ok(None)
                }
                (None, Some(l)) => {
                    self.decision =
                        catalog.decide_learning(&customer, score, factors, history, now, top, l, segment, &mut rng)?;
                    Ok(None)
                }
            }
        };
        let done = decide();
        if done.is_err() {
            self.decision.actions.clear();
            self.decision.trace.clear();
        }
        done
    }

    /// The last decision by name ([`Decider::decide_request`]).
    pub fn decision(&self) -> &Decision {
        &self.decision
    }

    /// The actions of the last decision, best first (catalogue indices and priorities).
    pub fn ranked(&self) -> &[Choice] {
        &self.ranked
    }

    /// Every action's fate in the last decision, in catalogue order; empty unless the
    /// request asked for the trace.
    pub fn trace(&self) -> &[TraceEntry] {
        &self.trace
    }
}
