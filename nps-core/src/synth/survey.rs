//! A synthetic NPS survey: answers with a segment and a time, with known true shares.
use serde::{Deserialize, Serialize};

use crate::error::{NpsError, Result};
use crate::rng::Rng;

/// The segments of the synthetic survey and their true (detractor, passive, promoter)
/// shares in the first month.
pub const SURVEY_SEGMENTS: [(&str, [f64; 3]); 3] =
    [("prepaid", [0.34, 0.36, 0.30]), ("contract", [0.22, 0.38, 0.40]), ("business", [0.15, 0.35, 0.50])];

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SurveyConfig {
    /// Number of answers.
    pub respondents: usize,
    /// Random seed.
    pub seed: u64,
    /// First second of the survey period (Unix seconds, UTC).
    pub start: i64,
    /// Number of 30-day months the answers spread over.
    pub months: u32,
}

impl Default for SurveyConfig {
    /// 5,000 answers over 12 months from 2026-01-01, seed 42.
    fn default() -> Self {
        SurveyConfig { respondents: 5_000, seed: 42, start: 1_767_225_600, months: 12 }
    }
}

/// Columns of a generated survey, one element per answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyntheticSurvey {
    /// Answer on the 0–10 scale.
    pub scores: Vec<u8>,
    /// Segment name (one of [`SURVEY_SEGMENTS`]).
    pub segments: Vec<String>,
    /// Time of the answer (Unix seconds, UTC), in increasing order.
    pub timestamps: Vec<i64>,
}

/// Generates a survey. From the seventh month on, a service fix moves six points of
/// detractors to promoters (an NPS rise of about 12 points that the trend report should
/// flag), and each category's answers spread
/// over its score range as real surveys do (more 8s than 7s, more 10s than 9s among
/// promoters, a long tail of detractors).
pub fn survey(config: &SurveyConfig) -> Result<SyntheticSurvey> {
    if config.respondents == 0 {
        return Err(NpsError::invalid("respondents", 0, "at least 1"));
    }
    if config.months == 0 {
        return Err(NpsError::invalid("months", 0, "at least 1"));
    }
    let mut rng = Rng::new(config.seed);
    let span = config.months as i64 * 30 * 86_400;
    let mut timestamps: Vec<i64> =
        (0..config.respondents).map(|_| config.start + rng.below(span as u64) as i64).collect();
    timestamps.sort_unstable();
    let mut scores = Vec::with_capacity(config.respondents);
    let mut segments = Vec::with_capacity(config.respondents);
    for t in &timestamps {
        let s = rng.choose(&[0.45, 0.40, 0.15]);
        let (name, shares) = SURVEY_SEGMENTS[s];
        let month = ((t - config.start) / (30 * 86_400)) as f64;
        let lift = if month >= 6.0 { 0.06 } else { 0.0 };
        let shares = [shares[0] - lift, shares[1], shares[2] + lift];
        let score = match rng.choose(&shares) {
            0 => [0u8, 1, 2, 3, 4, 5, 6][rng.choose(&[0.08, 0.05, 0.08, 0.12, 0.14, 0.25, 0.28])],
            1 => [7u8, 8][rng.choose(&[0.45, 0.55])],
            _ => [9u8, 10][rng.choose(&[0.45, 0.55])],
        };
        scores.push(score);
        segments.push(name.to_string());
    }
    Ok(SyntheticSurvey { scores, segments, timestamps })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::survey::{ScoreOptions, Tally};

    #[test]
    fn deterministic_and_close_to_truth() {
        let cfg = SurveyConfig { respondents: 60_000, months: 6, ..Default::default() };
        let a = survey(&cfg).unwrap();
        assert_eq!(a, survey(&cfg).unwrap());
        assert!(a.timestamps.windows(2).all(|w| w[0] <= w[1]));
        // Over the first six months the truth is the weighted mix of segment shares.
        let truth: f64 =
            [0.45, 0.40, 0.15].iter().zip(SURVEY_SEGMENTS).map(|(w, (_, s))| w * (s[2] - s[0]) * 100.0).sum();
        let t = Tally::from_scores(&a.scores, &ScoreOptions::default()).unwrap();
        assert!((t.nps() - truth).abs() < 4.0 * t.se(), "nps {} truth {truth}", t.nps());
    }

    #[test]
    fn rejects_empty() {
        assert!(survey(&SurveyConfig { respondents: 0, ..Default::default() }).is_err());
    }
}
