//! Arbitration: filter actions by their conditions and contact policies, rank the rest by
//! priority = P × C × V × L and explain every action's fate in a trace.
use std::fmt::Write as _;
use std::sync::Arc;

use super::catalog::{ActionValue, Catalog, FieldType};
use super::condition::{Cond, Context, Node};
use super::decision::{Choice, DecideOptions, Decision, RankedAction, TraceEntry, Verdict};
use super::{Customer, Factor, FieldValue, Outcome};
use crate::decimal_text::push_f64;
use crate::error::{NpsError, Result};

/// Buffers reused across decisions, so [`Catalog::decide_into`] and
/// [`Catalog::decide_values`] do not allocate per call once they have grown.
#[derive(Debug, Clone, Default)]
pub struct Scratch {
    values: Vec<f64>,
    contribution: Vec<f64>,
    given: Vec<bool>,
    rank: Vec<usize>,
    blocked: Vec<bool>,
    times: Vec<i64>,
    kept: Vec<Choice>,
}

/// The churn score a decision reads, from what a caller gave: `score` on the catalogue's
/// 0–100 scale, or `probability` in [0, 1] (the score is then 100 × `probability`). The
/// bindings' `decide` and `decide_values` take either, and apply this rule.
///
/// Errors (an [`NpsError::InvalidParameter`] naming the argument, its value and its range):
/// neither or both given; a probability outside [0, 1]; a score outside [0, 100]; a score
/// strictly between 0 and 1, refused as a probability passed by mistake (0.856 would
/// otherwise read as a 0.856 % risk: multiply a probability by 100, or pass it as
/// `probability`; a risk under 1 % is given as a probability).
pub fn churn_score(score: Option<f64>, probability: Option<f64>) -> Result<f64> {
    match (score, probability) {
        (Some(_), Some(_)) => Err(NpsError::invalid(
            "score or probability",
            "both",
            "given, not both: score (the churn score, 0–100) or probability (0–1)",
        )),
        (None, None) => Err(NpsError::invalid(
            "score or probability",
            "nothing",
            "given: score (the churn score, 0–100, 100 × the churn probability) or probability (0–1)",
        )),
        (None, Some(p)) if (0.0..=1.0).contains(&p) => Ok(100.0 * p),
        (None, Some(p)) => Err(NpsError::invalid(
            "probability",
            p,
            "a churn probability in [0, 1] (a score on the 0–100 scale is given as score)",
        )),
        (Some(s), None) if s > 0.0 && s < 1.0 => Err(NpsError::invalid(
            "score",
            s,
            "a churn score on the 0–100 scale (100 × the churn probability), not a probability: multiply a \
             probability by 100 or pass it as probability (a score strictly between 0 and 1 is refused as a \
             likely probability; give a risk under 1 % as a probability)",
        )),
        (Some(s), None) => {
            check_score(s)?;
            Ok(s)
        }
    }
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
    /// `score` is the churn score in 0..=100 (100 × the churn probability; see
    /// [`churn_score`] for the rule the bindings apply); `factors` its attribution, each a
    /// factor the catalogue declares, given once (the top factors are ranked among them);
    /// `history` the customer's past outcomes; `now` unix seconds. A condition on a Missing
    /// field is false (see the module docs). Errors: a customer record of the wrong length, a
    /// score outside 0..=100, a factor the catalogue does not declare (listing the declared
    /// ones, the closest first) or one given twice, a Missing field an action's value reads
    /// (naming the action and the field), a negative value or an invalid propensity.
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
        self.encode(customer, &mut scratch.values)?;
        check_score(score)?;
        self.factor_ranks(factors, scratch)?;
        let Scratch { values, contribution, rank, blocked, times, kept, .. } = scratch;
        let cx = Context { values, score, band: self.band_index(score), contribution, rank };
        let done =
            self.arbitrate(&cx, Some(customer), history, now, options, blocked, times, kept, Some(&mut decision.trace));
        if let Err(e) = done {
            decision.trace.clear();
            return Err(e);
        }
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
    /// per catalogue action, in catalogue order (the trace's `seen` names a string no rule
    /// mentions as such, where [`Catalog::decide_into`] shows the customer's text). Same
    /// decision as [`Catalog::decide_into`] on the same customer and factors. Errors as
    /// there, plus values or contributions that are not what their field or factor takes
    /// (naming the index and the value).
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
        trace: Option<&mut Vec<TraceEntry>>,
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

    /// Decides for many customers at once (a campaign list, a scored table): row `i` is the
    /// numeric record `values[i * F..(i + 1) * F]` (F = [`Catalog::fields`]`.len()`, see
    /// [`Catalog::encode`]) with the churn score `scores[i]` (0–100) and the contributions
    /// `contributions[i * K..(i + 1) * K]` (K = [`Catalog::factors`]`.len()`; an empty slice:
    /// none given). No contact history is read (batch decisions precede contacts), so `now`
    /// is not needed. `uplift`, when not empty, holds each row's predicted uplift per action,
    /// `uplift[i * A..(i + 1) * A]` (A = the catalogue's actions, in its order): the rows are
    /// then ranked by uplift × value ([`DecideOptions::uplift`]). Returns each row's top N,
    /// as [`Catalog::decide_values`] ranks them.
    ///
    /// Errors: lengths that do not fit the rows (naming them), and the errors of
    /// [`Catalog::decide_values`] for a row, placed by `row_name(i)` (`row "C0042": ...`,
    /// see [`NpsError::within`]).
    pub fn decide_rows(
        &self,
        values: &[f64],
        scores: &[f64],
        contributions: &[f64],
        uplift: &[f64],
        top_n: usize,
        row_name: &dyn Fn(usize) -> String,
    ) -> Result<Vec<Vec<Choice>>> {
        let (f, k, n, a) = (self.fields.len(), self.factors.len(), scores.len(), self.actions.len());
        let mismatch = |field: &str, actual: usize, expected: usize, other: String| NpsError::LengthMismatch {
            field: field.into(),
            actual,
            other,
            expected,
        };
        if values.len() != n * f {
            return Err(mismatch("values", values.len(), n * f, format!("{n} rows × {f} fields")));
        }
        if !contributions.is_empty() && contributions.len() != n * k {
            return Err(mismatch("contributions", contributions.len(), n * k, format!("{n} rows × {k} factors")));
        }
        if !uplift.is_empty() && uplift.len() != n * a {
            return Err(mismatch("uplift", uplift.len(), n * a, format!("{n} rows × {a} actions")));
        }
        let (mut scratch, mut ranked) = (Scratch::default(), Vec::new());
        let mut out = Vec::with_capacity(n);
        for (i, &score) in scores.iter().enumerate() {
            let row = &values[i * f..(i + 1) * f];
            let c = if contributions.is_empty() { &[][..] } else { &contributions[i * k..(i + 1) * k] };
            let u = if uplift.is_empty() { None } else { Some(&uplift[i * a..(i + 1) * a]) };
            let options = DecideOptions { top_n, propensity: None, uplift: u };
            self.decide_values(row, score, c, &[], 0, &options, &mut scratch, &mut ranked, None)
                .map_err(|e| e.within(&row_name(i)))?;
            out.push(ranked.clone());
        }
        Ok(out)
    }

    /// Filters the actions by their conditions and the policies, ranks the rest and keeps the
    /// top N in `kept`; records every action's fate in `trace` when asked (its entries are
    /// reused, so a trace of the same catalogue allocates nothing once grown).
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
        mut trace: Option<&mut Vec<TraceEntry>>,
    ) -> Result<()> {
        if let Some(u) = options.uplift {
            self.check_uplift(u)?;
        }
        blocked.clear();
        for p in &self.policies {
            let b = p.blocks(history, now, times);
            blocked.push(b);
        }
        kept.clear();
        if let Some(t) = trace.as_deref_mut() {
            self.reset_trace(t);
        }
        for (i, a) in self.actions.iter().enumerate() {
            let failed = if let Some(node) = check(&a.eligibility, cx) {
                Some((Stage::Eligibility, node))
            } else if let Some(node) = check(&a.applicability, cx) {
                Some((Stage::Applicability, node))
            } else {
                check(&a.suitability, cx).map(|node| (Stage::Suitability, node))
            };
            if let Some((stage, node)) = failed {
                if let Some(t) = trace.as_deref_mut() {
                    let path = node.path.clone();
                    let e = &mut t[i];
                    e.verdict = match stage {
                        Stage::Eligibility => Verdict::NotEligible { path },
                        Stage::Applicability => Verdict::NotApplicable { path },
                        Stage::Suitability => Verdict::NotSuitable { path },
                    };
                    e.condition = Some(node.text.clone());
                    self.seen(node, cx, customer, &mut e.seen);
                }
                continue;
            }
            if let Some(&p) = a.policies.iter().find(|&&p| blocked[p]) {
                if let Some(t) = trace.as_deref_mut() {
                    t[i].verdict = Verdict::Suppressed { policy: p, reason: self.reasons[p].clone() };
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
            let u = match options.uplift {
                None => 1.0,
                Some(u) => u[i],
            };
            if u <= 0.0 {
                if let Some(t) = trace.as_deref_mut() {
                    t[i].verdict = Verdict::NoUplift { uplift: u };
                }
                continue;
            }
            let priority = u * p * a.weight * value * a.lever;
            kept.push(Choice { index: i, priority, value });
            if let Some(t) = trace.as_deref_mut() {
                t[i].verdict = Verdict::BelowTopN { priority };
            }
        }
        // Stable: ties stay in catalogue order.
        kept.sort_by(|x, y| y.priority.total_cmp(&x.priority));
        kept.truncate(options.top_n);
        if let Some(t) = trace {
            for (rank, c) in kept.iter().enumerate() {
                t[c.index].verdict = Verdict::Kept { rank, priority: c.priority };
            }
        }
        Ok(())
    }

    /// An uplift per action, each a finite number in −1..=1.
    fn check_uplift(&self, uplift: &[f64]) -> Result<()> {
        if uplift.len() != self.actions.len() {
            return Err(NpsError::LengthMismatch {
                field: "uplift".into(),
                actual: uplift.len(),
                other: "the catalogue's actions".into(),
                expected: self.actions.len(),
            });
        }
        if let Some(i) = uplift.iter().position(|u| !(-1.0..=1.0).contains(u)) {
            return Err(NpsError::invalid(
                &format!("the uplift of action {:?}", &*self.actions[i].id),
                uplift[i],
                "a finite number in -1..=1 (a gain in retention probability)",
            ));
        }
        Ok(())
    }

    /// One entry per action, in catalogue order, with no condition and nothing seen (the
    /// entries of a previous decision are reused).
    fn reset_trace(&self, trace: &mut Vec<TraceEntry>) {
        trace.truncate(self.actions.len());
        for (e, a) in trace.iter_mut().zip(&self.actions) {
            if !Arc::ptr_eq(&e.id, &a.id) {
                e.id = a.id.clone();
            }
            e.condition = None;
            e.seen.clear();
        }
        for a in &self.actions[trace.len()..] {
            trace.push(TraceEntry {
                id: a.id.clone(),
                verdict: Verdict::BelowTopN { priority: f64::NAN },
                condition: None,
                seen: String::new(),
            });
        }
    }

    /// Writes what a failing condition read into `out` (`last_nps = 4`, `last_nps missing`,
    /// several separated by `; `, each once): for the trace, off the decision's hot path.
    #[cold]
    fn seen(&self, node: &Node, cx: &Context, customer: Option<&Customer>, out: &mut String) {
        // A factor's rank for `in_top`, its contribution for `raises_more_than`.
        let factor = |out: &mut String, k: usize, ranked: bool| {
            out.push_str(&self.factors[k]);
            let c = cx.contribution[k];
            if c.is_nan() {
                out.push_str(" not given");
            } else if ranked {
                let _ = write!(out, " rank {} (", cx.rank[k] + 1);
                push_f64(out, c);
                out.push(')');
            } else {
                out.push_str(" = ");
                push_f64(out, c);
            }
        };
        // Each part is written at the end of `out`, then taken back if an earlier part says
        // the same.
        let start = out.len();
        if start > 0 {
            out.push_str("; ");
        }
        let part = out.len();
        match &node.cond {
            Cond::True => {}
            Cond::All(list) | Cond::Any(list) => {
                out.truncate(start);
                for c in list {
                    self.seen(c, cx, customer, out);
                }
                return;
            }
            Cond::Not(inner) => {
                out.truncate(start);
                return self.seen(inner, cx, customer, out);
            }
            Cond::Number { slot, .. }
            | Cond::NumberIn { slot, .. }
            | Cond::Code { slot, .. }
            | Cond::CodeIn { slot, .. }
            | Cond::Missing { slot, .. } => self.field_seen(*slot, cx, customer, out),
            Cond::Score { .. } => {
                out.push_str("score = ");
                push_f64(out, cx.score);
            }
            Cond::Band(_) => {
                out.push_str("score = ");
                push_f64(out, cx.score);
                out.push_str(", band ");
                out.push_str(self.bands.get(cx.band).map_or("none", |b| b.name.as_str()));
            }
            Cond::FactorTop { factor: k, .. } => factor(out, *k, true),
            Cond::FactorRaises { factor: k, .. } => factor(out, *k, false),
        }
        if out.len() == part || said_before(&out[..start], &out[part..]) {
            out.truncate(start);
        }
    }

    /// `name = value` or `name missing` for field `slot`.
    fn field_seen(&self, slot: usize, cx: &Context, customer: Option<&Customer>, part: &mut String) {
        let (name, ty) = &self.fields[slot];
        let x = cx.values[slot];
        part.push_str(name);
        if x.is_nan() {
            part.push_str(" missing");
            return;
        }
        part.push_str(" = ");
        match ty {
            FieldType::Number => push_f64(part, x),
            FieldType::Bool => part.push_str(if x == 1.0 { "true" } else { "false" }),
            FieldType::String => match (customer.map(|c| &c.values[slot]), self.vocabulary[slot].get(x as usize)) {
                (Some(FieldValue::Text(t)), _) | (_, Some(t)) => {
                    let _ = write!(part, "{t:?}");
                }
                _ => part.push_str("a string no rule names"),
            },
        }
    }

    /// Fills the contribution and rank of each declared factor from the caller's factors:
    /// each must be declared and given once.
    fn factor_ranks(&self, factors: &[Factor], scratch: &mut Scratch) -> Result<()> {
        let n = self.factors.len();
        scratch.contribution.clear();
        scratch.contribution.resize(n, f64::NAN);
        scratch.given.clear();
        scratch.given.resize(n, false);
        for (i, f) in factors.iter().enumerate() {
            let Some(k) = self.factor_index(&f.name) else { return Err(self.unknown_factor(&f.name)) };
            if std::mem::replace(&mut scratch.given[k], true) {
                return Err(NpsError::invalid(
                    &format!("factors[{i}]"),
                    format!("{:?}", f.name),
                    "a factor given once",
                ));
            }
            scratch.contribution[k] = f.contribution;
        }
        let Scratch { contribution, rank, .. } = scratch;
        self.rank_into(contribution, rank);
        Ok(())
    }

    /// The error for a factor the catalogue does not declare (off the hot path).
    #[cold]
    #[inline(never)]
    fn unknown_factor(&self, name: &str) -> NpsError {
        if self.factors.is_empty() {
            return NpsError::invalid(
                &format!("factor {name:?}"),
                "given",
                "a factor the catalogue declares (it declares none: add it to \"factors\")",
            );
        }
        let known: Vec<&str> = self.factors.iter().map(String::as_str).collect();
        NpsError::unknown_closest("factor", name, &known)
    }

    /// Each declared factor's rank among the given ones (descending contributions, ties by
    /// name; `usize::MAX` when not given), when a condition reads ranks.
    fn rank_into(&self, contributions: &[f64], rank: &mut Vec<usize>) {
        let n = self.factors.len();
        rank.clear();
        rank.resize(n, usize::MAX);
        if !self.ranks_factors || contributions.is_empty() {
            return;
        }
        let order = &self.factor_order;
        for (k, &c) in contributions.iter().enumerate() {
            if !c.is_nan() {
                rank[k] = contributions.iter().zip(order).filter(|&(&d, &o)| d > c || (d == c && o < order[k])).count();
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
        if contributions.is_empty() {
            scratch.contribution.clear();
            scratch.contribution.resize(n, f64::NAN);
        }
        self.rank_into(contributions, &mut scratch.rank);
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

/// Whether `part` is one of the `; `-separated parts of `said`.
fn said_before(said: &str, part: &str) -> bool {
    let (said, part) = (said.as_bytes(), part.as_bytes());
    let mut from = 0;
    for i in 0..=said.len() {
        if i == said.len() || (said[i] == b';' && said.get(i + 1) == Some(&b' ')) {
            if &said[from..i] == part {
                return true;
            }
            from = i + 2;
        }
    }
    false
}

/// Evaluates one condition set: `None` when it holds, else the first failing condition.
#[inline(always)]
fn check<'n>(node: &'n Node, cx: &Context) -> Option<&'n Node> {
    // An absent condition set (the common case) holds without a call.
    if matches!(node.cond, Cond::True) {
        return None;
    }
    node.check(cx)
}

fn check_score(score: f64) -> Result<()> {
    if !(0.0..=100.0).contains(&score) {
        return Err(NpsError::invalid(
            "score",
            score,
            "a churn score in 0..=100 (100 × the churn probability: multiply a probability by 100)",
        ));
    }
    Ok(())
}
