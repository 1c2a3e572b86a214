//! The Kaplan–Meier estimate of each segment of the customers (for example by NPS category:
//! detractors, passives, promoters), each with its median survival time.
use serde::{Deserialize, Serialize};

use crate::error::Result;

use super::data::{check_length, label_codes, SurvivalData};
use super::kaplan_meier::KaplanMeier;

/// The estimate of one segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentSurvival {
    /// The segment's label.
    pub segment: String,
    /// Customers in the segment.
    pub customers: usize,
    /// The segment's estimate.
    pub estimate: KaplanMeier,
}

/// One Kaplan–Meier estimate per distinct label of `segments` (aligned with the data), in
/// label order. An error in a segment names it.
pub fn kaplan_meier_by_segment<S: AsRef<str>>(
    data: &SurvivalData<'_>,
    segments: &[S],
    alpha: f64,
) -> Result<Vec<SegmentSurvival>> {
    data.check()?;
    check_length("segments", Some(segments.len()), data.len())?;
    let (labels, codes) = label_codes(segments);
    labels
        .into_iter()
        .enumerate()
        .map(|(g, segment)| {
            let rows: Vec<usize> = (0..data.len()).filter(|&i| codes[i] == g).collect();
            let pick = |v: &[f64]| rows.iter().map(|&i| v[i]).collect::<Vec<f64>>();
            let durations = pick(data.durations);
            let events: Option<Vec<bool>> = data.events.map(|e| rows.iter().map(|&i| e[i]).collect());
            let entry = data.entry.map(pick);
            let weights = data.weights.map(pick);
            let part = SurvivalData {
                durations: &durations,
                events: events.as_deref(),
                entry: entry.as_deref(),
                weights: weights.as_deref(),
            };
            let estimate = KaplanMeier::fit(&part, alpha).map_err(|e| e.within(&format!("segment {segment:?}")))?;
            Ok(SegmentSurvival { segment, customers: rows.len(), estimate })
        })
        .collect()
}
