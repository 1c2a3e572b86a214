//! Campaign segments: a scored base grouped by score band and top factor, for proactive
//! offers.
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Catalog;
use crate::error::{NpsError, Result};

/// One campaign segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignSegment {
    /// The score band (see the catalogue's `bands`).
    pub band: String,
    /// The factor that raises these customers' risk most.
    pub top_factor: String,
    /// Customers in the segment.
    pub customers: usize,
    /// Their mean churn score (0–100).
    pub mean_score: f64,
    /// The action the rules pick first most often for them (`none` when nothing was picked).
    pub action: String,
    /// The share of the segment for which it was picked first.
    pub action_share: f64,
}

/// Customers, the sum of their scores and how often each action was picked first.
type Group = (usize, f64, BTreeMap<String, usize>);

impl Catalog {
    /// Groups customers by score band and top factor: `scores` (0–100), `top_factors` the
    /// name of each customer's strongest risk-raising factor, `actions` the action the
    /// rules ranked first for them (`None` when none). Largest segments first (ties by band
    /// then factor). Errors: mismatched lengths, a score outside 0–100.
    pub fn campaign_segments(
        &self,
        scores: &[f64],
        top_factors: &[&str],
        actions: &[Option<&str>],
    ) -> Result<Vec<CampaignSegment>> {
        for (field, len) in [("top_factors", top_factors.len()), ("actions", actions.len())] {
            if len != scores.len() {
                return Err(NpsError::LengthMismatch {
                    field: field.into(),
                    actual: len,
                    other: "scores".into(),
                    expected: scores.len(),
                });
            }
        }
        let mut groups: BTreeMap<(String, String), Group> = BTreeMap::new();
        for (i, &s) in scores.iter().enumerate() {
            if !(0.0..=100.0).contains(&s) {
                return Err(NpsError::OutOfRange {
                    field: "scores".into(),
                    index: i,
                    value: s,
                    range: "0..=100".into(),
                });
            }
            let band = self.band(s).unwrap_or("unbanded").to_string();
            let g = groups.entry((band, top_factors[i].to_string())).or_default();
            g.0 += 1;
            g.1 += s;
            *g.2.entry(actions[i].unwrap_or("none").to_string()).or_default() += 1;
        }
        let mut out: Vec<CampaignSegment> = groups
            .into_iter()
            .map(|((band, top_factor), (n, sum, picks))| {
                let (action, count) =
                    picks.into_iter().fold((String::new(), 0), |best, (a, c)| if c > best.1 { (a, c) } else { best });
                CampaignSegment {
                    band,
                    top_factor,
                    customers: n,
                    mean_score: sum / n as f64,
                    action,
                    action_share: count as f64 / n as f64,
                }
            })
            .collect();
        out.sort_by_key(|g| std::cmp::Reverse(g.customers));
        Ok(out)
    }
}
