//! Arbitration: filter actions by their conditions and contact policies, rank the rest by
//! priority = P × C × V × L and explain every action's fate in a trace.
use std::sync::Arc;

use serde::Serialize;

use super::catalog::{ActionValue, Catalog};
use super::condition::{Cond, Context, MissingField, Node};
use super::{Customer, Factor, Outcome};
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
    /// It passed everything, but the customer is in the control group, which gets no action
    /// ([`Catalog::decide_logged`]).
    ControlGroup {
        /// Its priority.
        priority: f64,
    },
}

impl Verdict {
    /// The verdict's name: `kept`, `not_eligible`, `not_applicable`, `not_suitable`,
    /// `suppressed`, `below_top_n` or `control_group`.
    pub fn status(&self) -> &'static str {
        match self {
            Verdict::Kept { .. } => "kept",
            Verdict::NotEligible { .. } => "not_eligible",
            Verdict::NotApplicable { .. } => "not_applicable",
            Verdict::NotSuitable { .. } => "not_suitable",
            Verdict::Suppressed { .. } => "suppressed",
            Verdict::BelowTopN { .. } => "below_top_n",
            Verdict::ControlGroup { .. } => "control_group",
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
            Verdict::ControlGroup { .. } => "the customer is in the control group".into(),
        }
    }

    /// The priority, for actions that got that far.
    pub fn priority(&self) -> Option<f64> {
        match self {
            Verdict::Kept { priority, .. } | Verdict::BelowTopN { priority } | Verdict::ControlGroup { priority } => {
                Some(*priority)
            }
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

/// One action ranked by [`Catalog::decide_values`]: its catalogue index, priority and value
/// (the compact form of [`RankedAction`], without strings).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Choice {
    /// Its index in [`Catalog::actions`].
    pub index: usize,
    /// P × C × V × L.
    pub priority: f64,
    /// V, the action's value for this customer.
    pub value: f64,
}

/// Buffers reused across decisions, so [`Catalog::decide_into`] and
/// [`Catalog::decide_values`] do not allocate per call once they have grown.
#[derive(Debug, Clone, Default)]
pub struct Scratch {
    values: Vec<f64>,
    contribution: Vec<f64>,
    rank: Vec<usize>,
    blocked: Vec<bool>,
    times: Vec<i64>,
    kept: Vec<Choice>,
    verdicts: Vec<Verdict>,
}

/// The `now` to decide at when a caller may leave it out (the bindings' optional `now`).
///
/// `now` is read only by the contact policies, which count the history's outcomes within a
/// window before it, and by a logged decision, whose entry records it. So it is required
/// (an [`NpsError::InvalidParameter`] naming `now`) with a non-empty `history` or when
/// `logged`; otherwise nothing reads it and 0 is as good as any time. Without this check a
/// forgotten `now` would be 1970, when no outcome is recent, and every policy would pass.
pub fn decision_time(now: Option<i64>, history: &[Outcome], logged: bool) -> Result<i64> {
    match now {
        Some(t) => Ok(t),
        None if !history.is_empty() => Err(NpsError::invalid(
            "now",
            "nothing",
            "given with a history of outcomes (the contact policies count the outcomes within a window before now)",
        )),
        None if logged => {
            Err(NpsError::invalid("now", "nothing", "given for a logged decision (its entry records the time)"))
        }
        None => Ok(0),
    }
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

    /// Decides into `decision`, reusing `scratch`.
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
        self.encode(customer, &mut scratch.values)?;
        check_score(score)?;
        self.factor_ranks(factors, scratch);
        let Scratch { values, contribution, rank, blocked, times, kept, verdicts } = scratch;
        let cx = Context { values, score, band: self.band_index(score), contribution, rank };
        self.arbitrate(&cx, Some(customer), history, now, options, blocked, times, kept, Some(verdicts))?;
        decision
            .trace
            .extend(verdicts.drain(..).zip(&self.actions).map(|(verdict, a)| TraceEntry { id: a.id.clone(), verdict }));
        decision.actions.extend(kept.iter().map(|c| {
            let a = &self.actions[c.index];
            RankedAction {
                index: c.index,
                id: a.id.clone(),
                label: a.label.clone(),
                channel: a.channel.clone(),
                priority: c.priority,
                value: c.value,
            }
        }));
        Ok(())
    }

    /// The fast path: decides for a customer given as a numeric record, without strings.
    ///
    /// `values` has one number per field in [`Catalog::fields`] order (see
    /// [`Catalog::encode`]: bools 0/1, strings as [`Catalog::text_code`], NaN missing);
    /// `contributions` has the log-odds contribution of each factor in [`Catalog::factors`]
    /// order (NaN: not given; an empty slice: none given); the top factors are ranked among
    /// the given ones. The top N actions go to `ranked`, best first; with `trace`, one verdict
    /// per catalogue action, in catalogue order. Same decision as [`Catalog::decide_into`] on
    /// the same customer and factors. Errors as there, plus values or contributions that are
    /// not what their field or factor takes (naming the index and the value).
    #[allow(clippy::too_many_arguments)]
    pub fn decide_values(
        &self,
        values: &[f64],
        score: f64,
        contributions: &[f64],
        history: &[Outcome],
        now: i64,
        options: &DecideOptions,
        scratch: &mut Scratch,
        ranked: &mut Vec<Choice>,
        trace: Option<&mut Vec<Verdict>>,
    ) -> Result<()> {
        ranked.clear();
        self.check_values(values)?;
        check_score(score)?;
        self.value_ranks(contributions, scratch)?;
        let Scratch { contribution, rank, blocked, times, .. } = scratch;
        let contribution = if contributions.is_empty() { contribution.as_slice() } else { contributions };
        let cx = Context { values, score, band: self.band_index(score), contribution, rank };
        self.arbitrate(&cx, None, history, now, options, blocked, times, ranked, trace)
    }

    /// Filters the actions by their conditions and the policies, ranks the rest and keeps the
    /// top N in `kept`; records every action's verdict in `trace` when asked.
    #[allow(clippy::too_many_arguments)]
    fn arbitrate(
        &self,
        cx: &Context,
        customer: Option<&Customer>,
        history: &[Outcome],
        now: i64,
        options: &DecideOptions,
        blocked: &mut Vec<bool>,
        times: &mut Vec<i64>,
        kept: &mut Vec<Choice>,
        mut trace: Option<&mut Vec<Verdict>>,
    ) -> Result<()> {
        blocked.clear();
        for p in &self.policies {
            let b = p.blocks(history, now, times);
            blocked.push(b);
        }
        kept.clear();
        if let Some(t) = trace.as_deref_mut() {
            t.clear();
        }
        for (i, a) in self.actions.iter().enumerate() {
            let failed = if let Some(path) = self.check(i, &a.eligibility, cx, customer)? {
                Some((Stage::Eligibility, path))
            } else if let Some(path) = self.check(i, &a.applicability, cx, customer)? {
                Some((Stage::Applicability, path))
            } else {
                self.check(i, &a.suitability, cx, customer)?.map(|path| (Stage::Suitability, path))
            };
            if let Some((stage, path)) = failed {
                if let Some(t) = trace.as_deref_mut() {
                    let path = path.clone();
                    t.push(match stage {
                        Stage::Eligibility => Verdict::NotEligible { path },
                        Stage::Applicability => Verdict::NotApplicable { path },
                        Stage::Suitability => Verdict::NotSuitable { path },
                    });
                }
                continue;
            }
            if let Some(&p) = a.policies.iter().find(|&&p| blocked[p]) {
                if let Some(t) = trace.as_deref_mut() {
                    t.push(Verdict::Suppressed { policy: p, reason: self.reasons[p].clone() });
                }
                continue;
            }
            let value = match &a.value {
                ActionValue::Fixed(v) => *v,
                ActionValue::Field { field, slot, times } => {
                    let x = cx.values[*slot];
                    if x.is_nan() {
                        return Err(NpsError::invalid(
                            &format!("customer field {field:?} (the value of action {:?})", &*a.id),
                            "missing",
                            "a number",
                        ));
                    }
                    x * times
                }
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
            kept.push(Choice { index: i, priority, value });
            if let Some(t) = trace.as_deref_mut() {
                t.push(Verdict::BelowTopN { priority });
            }
        }
        // Stable: ties stay in catalogue order.
        kept.sort_by(|x, y| y.priority.total_cmp(&x.priority));
        kept.truncate(options.top_n);
        if let Some(t) = trace {
            for (rank, c) in kept.iter().enumerate() {
                t[c.index] = Verdict::Kept { rank, priority: c.priority };
            }
        }
        Ok(())
    }

    /// Evaluates one condition of action `i`, turning a Missing field into an error.
    #[inline(always)]
    fn check<'n>(
        &self,
        i: usize,
        node: &'n Node,
        cx: &Context,
        customer: Option<&Customer>,
    ) -> Result<Option<&'n Arc<str>>> {
        // An absent condition set (the common case) holds without a call.
        if matches!(node.cond, Cond::True) {
            return Ok(None);
        }
        match node.check(cx) {
            Ok(failed) => Ok(failed),
            Err(missing) => Err(self.missing_field(i, missing, cx, customer)),
        }
    }

    /// The error for a Missing field a condition of action `i` needs (off the hot path).
    #[cold]
    #[inline(never)]
    fn missing_field(&self, i: usize, m: MissingField, cx: &Context, customer: Option<&Customer>) -> NpsError {
        let MissingField { slot, path } = m;
        NpsError::invalid(
            &format!(
                "customer field {:?} (needed by action {:?} at {path})",
                self.fields[slot].0, &*self.actions[i].id
            ),
            match customer {
                Some(c) => format!("{:?}", c.values[slot]),
                None => format!("{} (missing)", cx.values[slot]),
            },
            &format!("a {} value", self.fields[slot].1.name()),
        )
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

    /// Checks the contributions of [`Catalog::decide_values`] and fills each declared
    /// factor's rank among the given ones (descending, ties by name).
    fn value_ranks(&self, contributions: &[f64], scratch: &mut Scratch) -> Result<()> {
        let n = self.factors.len();
        if !contributions.is_empty() && contributions.len() != n {
            return Err(NpsError::LengthMismatch {
                field: "contributions".into(),
                actual: contributions.len(),
                other: "the catalogue's factors".into(),
                expected: n,
            });
        }
        for (k, &c) in contributions.iter().enumerate() {
            if c.is_infinite() {
                return Err(NpsError::invalid(
                    &format!("contributions[{k}] (factor {:?})", self.factors[k]),
                    c,
                    "a finite log-odds contribution or NaN (not given)",
                ));
            }
        }
        scratch.rank.clear();
        scratch.rank.resize(n, usize::MAX);
        if contributions.is_empty() {
            scratch.contribution.clear();
            scratch.contribution.resize(n, f64::NAN);
        } else if self.ranks_factors {
            let order = &self.factor_order;
            for (k, &c) in contributions.iter().enumerate() {
                if !c.is_nan() {
                    scratch.rank[k] =
                        contributions.iter().zip(order).filter(|&(&d, &o)| d > c || (d == c && o < order[k])).count();
                }
            }
        }
        Ok(())
    }
}

/// The three condition sets, in the order they are checked.
#[derive(Clone, Copy)]
enum Stage {
    Eligibility,
    Applicability,
    Suitability,
}

fn check_score(score: f64) -> Result<()> {
    if !(0.0..=100.0).contains(&score) {
        return Err(NpsError::invalid("score", score, "a churn score in 0..=100"));
    }
    Ok(())
}
