//! What a decision takes and gives: its options, the ranked actions and the trace that says
//! what became of every action of the catalogue ([`Catalog::decide`](super::Catalog::decide) makes them).
use std::fmt::Write as _;
use std::sync::Arc;

use serde::Serialize;

/// How many actions a decision returns unless asked otherwise.
pub const DEFAULT_TOP: usize = 3;

/// Options of a decision.
#[derive(Clone, Copy)]
pub struct DecideOptions<'a> {
    /// How many actions to return ([`DEFAULT_TOP`]).
    pub top_n: usize,
    /// Propensity P of each action, by catalogue index; `None` (learning off) is P = 1.
    pub propensity: Option<&'a dyn Fn(usize) -> f64>,
    /// Predicted uplift of each action for this customer, by catalogue index (the gain in
    /// retention probability the action brings, −1..=1; see [`crate::uplift`]). When given,
    /// an action's priority is uplift × C × V × L (× P when a propensity is also given)
    /// instead of C × V × L: arbitration ranks by the value the action *saves*, not the value
    /// at risk. An action whose uplift is not positive is removed ([`Verdict::NoUplift`]):
    /// calling that customer would not keep them, or would drive them away.
    pub uplift: Option<&'a [f64]>,
}

impl Default for DecideOptions<'_> {
    fn default() -> Self {
        DecideOptions { top_n: DEFAULT_TOP, propensity: None, uplift: None }
    }
}

impl std::fmt::Debug for DecideOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DecideOptions")
            .field("top_n", &self.top_n)
            .field("learning", &self.propensity.is_some())
            .field("uplift", &self.uplift)
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
    /// A contact policy (by index in [`Catalog::policies`](super::Catalog::policies)) suppressed it.
    Suppressed {
        /// Index of the first policy that suppressed it.
        policy: usize,
        /// The policy in words.
        reason: Arc<str>,
    },
    /// Ranking by uplift ([`DecideOptions::uplift`]), the action's predicted uplift for this
    /// customer is not positive: it would not keep them.
    NoUplift {
        /// The predicted uplift.
        uplift: f64,
    },
    /// It passed everything but ranked below the top N.
    BelowTopN {
        /// Its priority.
        priority: f64,
    },
    /// It passed everything, but the customer is in the control group, which gets no action
    /// ([`Catalog::decide_logged`](super::Catalog::decide_logged)).
    ControlGroup {
        /// Its priority.
        priority: f64,
    },
}

impl Verdict {
    /// Every verdict's name, in the order of [`Verdict::code`].
    pub const STATUSES: [&'static str; 8] = [
        "kept",
        "not_eligible",
        "not_applicable",
        "not_suitable",
        "suppressed",
        "no_uplift",
        "below_top_n",
        "control_group",
    ];

    /// The verdict's name: `kept`, `not_eligible`, `not_applicable`, `not_suitable`,
    /// `suppressed`, `no_uplift`, `below_top_n` or `control_group`.
    pub fn status(&self) -> &'static str {
        Self::STATUSES[self.code()]
    }

    /// The verdict's place in [`Verdict::STATUSES`] (a binding sends the number, not the
    /// name).
    pub fn code(&self) -> usize {
        match self {
            Verdict::Kept { .. } => 0,
            Verdict::NotEligible { .. } => 1,
            Verdict::NotApplicable { .. } => 2,
            Verdict::NotSuitable { .. } => 3,
            Verdict::Suppressed { .. } => 4,
            Verdict::NoUplift { .. } => 5,
            Verdict::BelowTopN { .. } => 6,
            Verdict::ControlGroup { .. } => 7,
        }
    }

    /// What removed it (the failing condition's JSON path or the policy in words), or the
    /// rank (1 = best) of a kept action.
    pub fn detail(&self) -> String {
        let mut out = String::new();
        self.write_detail(&mut out);
        out
    }

    /// [`Verdict::detail`] written at the end of `out` (no allocation of its own).
    pub fn write_detail(&self, out: &mut String) {
        let _ = match self {
            Verdict::Kept { rank, .. } => write!(out, "rank {}", rank + 1),
            Verdict::NotEligible { path } | Verdict::NotApplicable { path } | Verdict::NotSuitable { path } => {
                out.write_str(path)
            }
            Verdict::Suppressed { policy, reason } => write!(out, "policies[{policy}]: {reason}"),
            Verdict::NoUplift { uplift } => {
                write!(out, "predicted uplift {uplift}: the action would not keep the customer")
            }
            Verdict::BelowTopN { .. } => out.write_str("below the top N"),
            Verdict::ControlGroup { .. } => out.write_str("the customer is in the control group"),
        };
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
    /// For an action a condition removed: that condition in words, e.g. `last_nps >= 9` or
    /// `any(device_age_days in the top 2 factors, dropped_calls_30d in the top 2 factors)`;
    /// `None` otherwise.
    pub condition: Option<Arc<str>>,
    /// For an action a condition removed: the values the condition read, e.g. `last_nps = 4`,
    /// `last_nps missing`, `score = 42, band medium`, `device_age_days not given` (several
    /// separated by `; `); empty otherwise.
    pub seen: String,
}

impl TraceEntry {
    /// What decided the action's fate, in words: for an action a condition removed, the
    /// condition's JSON path, the condition and the values it read
    /// (`actions[7].applicability: last_nps >= 9 (last_nps = 4)`); else
    /// [`Verdict::detail`] (the policy in words, the rank, ...).
    pub fn detail(&self) -> String {
        let mut out = String::new();
        self.write_detail(&mut out);
        out
    }

    /// [`TraceEntry::detail`] written at the end of `out` (no allocation of its own).
    pub fn write_detail(&self, out: &mut String) {
        match (&self.verdict, &self.condition) {
            (
                Verdict::NotEligible { path } | Verdict::NotApplicable { path } | Verdict::NotSuitable { path },
                Some(c),
            ) => {
                for text in [&**path, ": ", c, " (", &self.seen, ")"] {
                    out.push_str(text);
                }
            }
            (v, _) => v.write_detail(out),
        }
    }
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

/// One action ranked by [`Catalog::decide_values`](super::Catalog::decide_values): its catalogue index, priority and value
/// (the compact form of [`RankedAction`], without strings).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Choice {
    /// Its index in [`Catalog::actions`](super::Catalog::actions).
    pub index: usize,
    /// P × C × V × L.
    pub priority: f64,
    /// V, the action's value for this customer.
    pub value: f64,
}
