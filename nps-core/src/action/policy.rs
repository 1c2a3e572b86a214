//! Contact policies: limits on how often a channel is used and suppression after repeated
//! outcomes, read from the outcome history the caller passes (the library stores nothing).
use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;

use super::json::{join, keys, missing, non_negative, object, required, show, string};
use super::{Outcome, OutcomeKind};
use crate::error::{NpsError, Result};

const DAY: f64 = 86_400.0;

/// What a suppression policy applies to.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// One action, by id.
    Action(String),
    /// Every action of a group.
    Group(String),
}

/// One contact policy (see `docs/actions.md`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Policy {
    /// At most `max` actions presented on `channel` within the last `within_days`.
    ChannelLimit {
        /// The channel limited.
        channel: String,
        /// How many presentations the window allows.
        max: u32,
        /// The window, in days.
        within_days: f64,
    },
    /// Suppress the scope for `for_days` after `after` outcomes of `outcome` within `within_days`.
    Suppress {
        /// The action or group suppressed.
        scope: Scope,
        /// How many outcomes trigger the suppression.
        after: u32,
        /// The kind of outcome counted.
        outcome: OutcomeKind,
        /// The span, in days, the outcomes must fall in.
        within_days: f64,
        /// How long the suppression lasts after the triggering outcome, in days.
        for_days: f64,
    },
}

impl Policy {
    /// Whether the policy concerns an action with this id, channel and group.
    pub(super) fn applies(&self, id: &str, channel: &str, group: &str) -> bool {
        match self {
            Policy::ChannelLimit { channel: c, .. } => c == channel,
            Policy::Suppress { scope: Scope::Action(a), .. } => a == id,
            Policy::Suppress { scope: Scope::Group(g), .. } => g == group,
        }
    }

    /// The sentence a trace shows when the policy suppresses an action.
    pub(super) fn reason(&self) -> Arc<str> {
        match self {
            Policy::ChannelLimit { channel, max, within_days } => {
                format!("channel {channel} already presented {max} action(s) within {within_days} days").into()
            }
            Policy::Suppress { scope, after, outcome, within_days, for_days } => {
                let what = match scope {
                    Scope::Action(a) => format!("action {a}"),
                    Scope::Group(g) => format!("group {g}"),
                };
                let kind = match outcome {
                    OutcomeKind::Presented => "presented",
                    OutcomeKind::Accepted => "accepted",
                    OutcomeKind::Rejected => "rejected",
                    OutcomeKind::Ignored => "ignored",
                };
                format!(
                    "{what} suppressed for {for_days} days after {after} {kind} outcome(s) within {within_days} days"
                )
                .into()
            }
        }
    }

    /// Whether the policy blocks at `now`, given the history. Outcomes after `now` are ignored;
    /// an outcome counts in a window of D days when it is less than D days old.
    pub(super) fn blocks(&self, history: &[Outcome], now: i64, times: &mut Vec<i64>) -> bool {
        match self {
            Policy::ChannelLimit { channel, max, within_days } => {
                let n = history
                    .iter()
                    .filter(|o| {
                        o.kind == OutcomeKind::Presented
                            && o.time <= now
                            && ((now - o.time) as f64) < within_days * DAY
                            && o.channel == *channel
                    })
                    .count();
                n >= *max as usize
            }
            Policy::Suppress { scope, after, outcome, within_days, for_days } => {
                times.clear();
                times.extend(
                    history
                        .iter()
                        .filter(|o| {
                            o.kind == *outcome
                                && o.time <= now
                                && match scope {
                                    Scope::Action(a) => o.action == *a,
                                    Scope::Group(g) => o.group == *g,
                                }
                        })
                        .map(|o| o.time),
                );
                let after = *after as usize;
                if after == 0 {
                    return true;
                }
                if times.len() < after {
                    return false;
                }
                times.sort_unstable();
                // The after-th outcome of a run that spans less than within_days triggers it.
                (after - 1..times.len()).any(|i| {
                    ((times[i] - times[i + 1 - after]) as f64) < within_days * DAY
                        && ((now - times[i]) as f64) < for_days * DAY
                })
            }
        }
    }
}

fn days(m: &serde_json::Map<String, Value>, path: &str, key: &str) -> Result<f64> {
    let p = join(path, key);
    let d = non_negative(required(m, path, key, "a number of days")?, &p)?;
    if d == 0.0 {
        return Err(NpsError::invalid(&p, d, "a positive number of days"));
    }
    Ok(d)
}

fn count(m: &serde_json::Map<String, Value>, path: &str, key: &str) -> Result<u32> {
    let v = required(m, path, key, "a whole number")?;
    v.as_u64()
        .filter(|&n| n <= u32::MAX as u64)
        .map(|n| n as u32)
        .ok_or_else(|| NpsError::invalid(&join(path, key), show(v), "a non-negative whole number"))
}

/// Parses the policy at `path`.
pub(super) fn parse(v: &Value, path: &str) -> Result<Policy> {
    let shapes = "{\"channel_limit\": {..}} or {\"suppress\": {..}}";
    let m = object(v, path, shapes)?;
    keys(m, path, &["channel_limit", "suppress"])?;
    if m.len() != 1 {
        return Err(NpsError::invalid(path, show(v), shapes));
    }
    if let Some(c) = m.get("channel_limit") {
        let p = join(path, "channel_limit");
        let c = object(c, &p, "an object {\"channel\", \"max\", \"within_days\"}")?;
        keys(c, &p, &["channel", "max", "within_days"])?;
        let channel = string(required(c, &p, "channel", "a channel name")?, &join(&p, "channel"))?;
        return Ok(Policy::ChannelLimit {
            channel,
            max: count(c, &p, "max")?,
            within_days: days(c, &p, "within_days")?,
        });
    }
    let p = join(path, "suppress");
    let s = object(&m["suppress"], &p, "an object {\"action\" | \"group\", \"after\", \"outcome\", ..}")?;
    keys(s, &p, &["action", "group", "after", "outcome", "within_days", "for_days"])?;
    let scope = match (s.get("action"), s.get("group")) {
        (Some(a), None) => Scope::Action(string(a, &join(&p, "action"))?),
        (None, Some(g)) => Scope::Group(string(g, &join(&p, "group"))?),
        (None, None) => return Err(missing(&join(&p, "action"), "an action id or a \"group\"")),
        (Some(_), Some(_)) => return Err(NpsError::invalid(&p, "both \"action\" and \"group\"", "one of them")),
    };
    let op = join(&p, "outcome");
    let kind = string(required(s, &p, "outcome", "an outcome kind")?, &op)?;
    let outcome = match kind.as_str() {
        "presented" => OutcomeKind::Presented,
        "accepted" => OutcomeKind::Accepted,
        "rejected" => OutcomeKind::Rejected,
        "ignored" => OutcomeKind::Ignored,
        _ => return Err(NpsError::unknown(&op, &kind, &["presented", "accepted", "rejected", "ignored"])),
    };
    Ok(Policy::Suppress {
        scope,
        after: count(s, &p, "after")?,
        outcome,
        within_days: days(s, &p, "within_days")?,
        for_days: days(s, &p, "for_days")?,
    })
}
