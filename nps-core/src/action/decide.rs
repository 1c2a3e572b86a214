//! Arbitration: filter actions by their conditions and contact policies, rank the rest by
//! priority = P × C × V × L and explain every action's fate in a trace.
use std::sync::Arc;

use serde::Serialize;

use super::catalog::{ActionValue, Catalog};
use super::condition::{Context, MissingField, Node};
use super::{Customer, Factor, FieldValue, Outcome};
use crate::error::{NpsError, Result};

/// Options of a decision.
#[derive(Clone, Copy)]
pub struct DecideOptions<'a> {
    /// How many actions to return (default 3).
    pub top_n: usize,
    /// Propensity P of each action, by catalogue index; `None` (learning off) is P = 1.
    pub propensity: Option<&'a dyn Fn(usize) -> f64>,
}

impl Default for DecideOptions<'_> {
    fn default() -> Self {
        DecideOptions { top_n: 3, propensity: None }
    }
}

impl std::fmt::Debug for DecideOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DecideOptions")
            .field("top_n", &self.top_n)
            .field("learning", &self.propensity.is_some())
            .finish()
    }
}

/// One action returned, best first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RankedAction {
    /// Its index in the catalogue.
    pub index: usize,
    /// Its id.
    pub id: Arc<str>,
    /// What the agent reads.
    pub label: Arc<str>,
    /// The channel to use.
    pub channel: Arc<str>,
    /// P × C × V × L.
    pub priority: f64,
    /// V, the action's value for this customer.
    pub value: f64,
}

/// Why an action was kept or removed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Returned at this rank (0 is the best).
    Kept {
        /// Position in [`Decision::actions`].
        rank: usize,
        /// Its priority.
        priority: f64,
    },
    /// The eligibility condition failed at `path` (the first failing condition).
    NotEligible {
        /// JSON path of the first failing condition.
        path: Arc<str>,
    },
    /// The applicability condition failed at `path`.
    NotApplicable {
        /// JSON path of the first failing condition.
        path: Arc<str>,
    },
    /// The suitability condition failed at `path`.
    NotSuitable {
        /// JSON path of the first failing condition.
        path: Arc<str>,
    },
    /// A contact policy (by index in [`Catalog::policies`]) suppressed it.
    Suppressed {
        /// Index of the first policy that suppressed it.
        policy: usize,
        /// The policy in words.
        reason: Arc<str>,
    },
    /// It passed everything but ranked below the top N.
    BelowTopN {
        /// Its priority.
        priority: f64,
    },
}

impl Verdict {
    /// The verdict's name: `kept`, `not_eligible`, `not_applicable`, `not_suitable`,
    /// `suppressed` or `below_top_n`.
    pub fn status(&self) -> &'static str {
        match self {
            Verdict::Kept { .. } => "kept",
            Verdict::NotEligible { .. } => "not_eligible",
            Verdict::NotApplicable { .. } => "not_applicable",
            Verdict::NotSuitable { .. } => "not_suitable",
            Verdict::Suppressed { .. } => "suppressed",
            Verdict::BelowTopN { .. } => "below_top_n",
        }
    }

    /// What removed it (the failing condition's JSON path or the policy in words), or the
    /// rank (1 = best) of a kept action.
    pub fn detail(&self) -> String {
        match self {
            Verdict::Kept { rank, .. } => format!("rank {}", rank + 1),
            Verdict::NotEligible { path } | Verdict::NotApplicable { path } | Verdict::NotSuitable { path } => {
                path.to_string()
            }
            Verdict::Suppressed { policy, reason } => format!("policies[{policy}]: {reason}"),
            Verdict::BelowTopN { .. } => "below the top N".into(),
        }
    }

    /// The priority, for actions that got that far.
    pub fn priority(&self) -> Option<f64> {
        match self {
            Verdict::Kept { priority, .. } | Verdict::BelowTopN { priority } => Some(*priority),
            _ => None,
        }
    }
}

/// One catalogue action's fate in a decision.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TraceEntry {
    /// The action's id.
    pub id: Arc<str>,
    /// Kept or removed, and why.
    pub verdict: Verdict,
}

/// The result of a decision: the actions, best first, and a trace with one entry per
/// catalogue action, in catalogue order.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Decision {
    /// The top N actions, by priority (ties in catalogue order).
    pub actions: Vec<RankedAction>,
    /// One entry per catalogue action, in catalogue order.
    pub trace: Vec<TraceEntry>,
}

/// Buffers reused across decisions, so [`Catalog::decide_into`] does not allocate per call.
#[derive(Debug, Clone, Default)]
pub struct Scratch {
    contribution: Vec<f64>,
    rank: Vec<usize>,
    blocked: Vec<bool>,
    times: Vec<i64>,
    kept: Vec<(usize, f64, f64)>,
}

impl Catalog {
    /// Decides the next best actions for a customer (see [`Catalog::decide_into`]).
    pub fn decide(
        &self,
        customer: &Customer,
        score: f64,
        factors: &[Factor],
        history: &[Outcome],
        now: i64,
        options: &DecideOptions,
    ) -> Result<Decision> {
        let mut decision = Decision::default();
        self.decide_into(customer, score, factors, history, now, options, &mut Scratch::default(), &mut decision)?;
        Ok(decision)
    }

    /// Decides into `decision`, reusing `scratch` (the fast path for many decisions).
    ///
    /// `score` is the churn score in 0..=100; `factors` its attribution (names the catalogue
    /// does not declare still count when ranking the top factors); `history` the customer's
    /// past outcomes; `now` unix seconds. Errors: a customer record of the wrong length, a score
    /// outside 0..=100, a Missing field a condition or value needs (naming the action, the
    /// condition path and the field), a negative value or an invalid propensity.
    #[allow(clippy::too_many_arguments)]
    pub fn decide_into(
        &self,
        customer: &Customer,
        score: f64,
        factors: &[Factor],
        history: &[Outcome],
        now: i64,
        options: &DecideOptions,
        scratch: &mut Scratch,
        decision: &mut Decision,
    ) -> Result<()> {
        decision.actions.clear();
        decision.trace.clear();
        if customer.values.len() != self.fields.len() {
            return Err(NpsError::LengthMismatch {
                field: "customer.values".into(),
                actual: customer.values.len(),
                other: "the catalogue's fields".into(),
                expected: self.fields.len(),
            });
        }
        if !(0.0..=100.0).contains(&score) {
            return Err(NpsError::invalid("score", score, "a churn score in 0..=100"));
        }
        self.factor_ranks(factors, scratch);
        scratch.blocked.clear();
        for p in &self.policies {
            let b = p.blocks(history, now, &mut scratch.times);
            scratch.blocked.push(b);
        }
        let cx = Context {
            customer,
            score,
            band: self.band_index(score),
            contribution: &scratch.contribution,
            rank: &scratch.rank,
        };
        scratch.kept.clear();
        for (i, a) in self.actions.iter().enumerate() {
            let verdict = if let Some(path) = self.check(i, &a.eligibility, &cx)? {
                Verdict::NotEligible { path }
            } else if let Some(path) = self.check(i, &a.applicability, &cx)? {
                Verdict::NotApplicable { path }
            } else if let Some(path) = self.check(i, &a.suitability, &cx)? {
                Verdict::NotSuitable { path }
            } else if let Some(&p) = a.policies.iter().find(|&&p| scratch.blocked[p]) {
                Verdict::Suppressed { policy: p, reason: self.reasons[p].clone() }
            } else {
                let value = match &a.value {
                    ActionValue::Fixed(v) => *v,
                    ActionValue::Field { field, slot, times } => match customer.values[*slot] {
                        FieldValue::Number(x) => x * times,
                        _ => {
                            return Err(NpsError::invalid(
                                &format!("customer field {field:?} (the value of action {:?})", &*a.id),
                                "missing",
                                "a number",
                            ))
                        }
                    },
                };
                if value.is_nan() || value < 0.0 {
                    return Err(NpsError::invalid(&format!("the value of action {:?}", &*a.id), value, "non-negative"));
                }
                let p = match options.propensity {
                    None => 1.0,
                    Some(f) => f(i),
                };
                if !(p.is_finite() && p >= 0.0) {
                    return Err(NpsError::invalid(
                        &format!("the propensity of action {:?}", &*a.id),
                        p,
                        "finite and non-negative",
                    ));
                }
                let priority = p * a.weight * value * a.lever;
                scratch.kept.push((i, priority, value));
                Verdict::BelowTopN { priority }
            };
            decision.trace.push(TraceEntry { id: a.id.clone(), verdict });
        }
        scratch.kept.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
        for (rank, &(i, priority, value)) in scratch.kept.iter().take(options.top_n).enumerate() {
            let a = &self.actions[i];
            decision.trace[i].verdict = Verdict::Kept { rank, priority };
            decision.actions.push(RankedAction {
                index: i,
                id: a.id.clone(),
                label: a.label.clone(),
                channel: a.channel.clone(),
                priority,
                value,
            });
        }
        Ok(())
    }

    /// Evaluates one condition of action `i`, turning a Missing field into an error.
    fn check(&self, i: usize, node: &Node, cx: &Context) -> Result<Option<Arc<str>>> {
        match node.check(cx) {
            Ok(r) => Ok(r.cloned()),
            Err(MissingField { slot, path }) => Err(NpsError::invalid(
                &format!(
                    "customer field {:?} (needed by action {:?} at {path})",
                    self.fields[slot].0, &*self.actions[i].id
                ),
                format!("{:?}", cx.customer.values[slot]),
                &format!("a {} value", self.fields[slot].1.name()),
            )),
        }
    }

    /// Fills the contribution and rank of each declared factor from the caller's factors.
    fn factor_ranks(&self, factors: &[Factor], scratch: &mut Scratch) {
        let n = self.factors.len();
        scratch.contribution.clear();
        scratch.contribution.resize(n, f64::NAN);
        scratch.rank.clear();
        scratch.rank.resize(n, usize::MAX);
        for (k, name) in self.factors.iter().enumerate() {
            let Some(f) = factors.iter().find(|f| f.name == *name) else { continue };
            let c = f.contribution;
            scratch.contribution[k] = c;
            if self.ranks_factors && !c.is_nan() {
                // Descending contributions, ties by name.
                scratch.rank[k] =
                    factors.iter().filter(|g| g.contribution > c || (g.contribution == c && g.name < f.name)).count();
            }
        }
    }
}
