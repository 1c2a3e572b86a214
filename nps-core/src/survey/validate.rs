//! Every bad answer of a survey at once, rather than the first one an error stops at.
use serde::{Deserialize, Serialize};

use super::scale::{NonIntegerPolicy, ScoreOptions};
use super::tally::Score;
use crate::error::NpsError;

/// What is wrong with an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerProblem {
    /// No value (NaN).
    Missing,
    /// Off the scale.
    OutOfRange,
    /// Not a whole number (under [`NonIntegerPolicy::Error`]).
    NonInteger,
}

impl AnswerProblem {
    /// The problem's name: `missing`, `out_of_range` or `non_integer`.
    pub fn as_str(self) -> &'static str {
        match self {
            AnswerProblem::Missing => "missing",
            AnswerProblem::OutOfRange => "out_of_range",
            AnswerProblem::NonInteger => "non_integer",
        }
    }
}

/// One bad answer: where it is, its value and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BadAnswer {
    /// Its position in the answers.
    pub index: usize,
    /// Its value (NaN when missing).
    pub value: f64,
    /// What is wrong.
    pub problem: AnswerProblem,
}

impl BadAnswer {
    /// The error a tally would raise for it (its message names the index, the value and
    /// the scale; its `code` is the problem's: `MISSING_VALUE`, `OUT_OF_RANGE`,
    /// `NON_INTEGER`).
    pub fn error(&self, options: &ScoreOptions) -> NpsError {
        let (field, index, value) = ("scores".to_string(), self.index, self.value);
        match self.problem {
            AnswerProblem::Missing => NpsError::Missing { field, index },
            AnswerProblem::OutOfRange => NpsError::OutOfRange {
                field,
                index,
                value,
                range: format!("the scale {}..={}", options.scale.min, options.scale.max),
            },
            AnswerProblem::NonInteger => NpsError::NonInteger { field, index, value },
        }
    }
}

/// Every answer a tally with `options`' scale would not count as it is, in order: missing
/// answers, answers off the scale, and fractional answers when `options.non_integer` is
/// [`NonIntegerPolicy::Error`] (right-closed binning counts them). The missing and
/// out-of-range policies do not matter here: skipped answers are listed too, so a report
/// can say what a policy drops. An empty list means every answer counts.
///
/// ```
/// use nps_core::survey::{validate_scores, AnswerProblem, ScoreOptions};
/// let bad = validate_scores(&[9.0, 11.0, f64::NAN, 6.5, 10.0, -1.0], &ScoreOptions::default());
/// let found: Vec<(usize, AnswerProblem)> = bad.iter().map(|b| (b.index, b.problem)).collect();
/// assert_eq!(found, [(1, AnswerProblem::OutOfRange), (2, AnswerProblem::Missing),
///                    (3, AnswerProblem::NonInteger), (5, AnswerProblem::OutOfRange)]);
/// ```
pub fn validate_scores<T: Score>(scores: &[T], options: &ScoreOptions) -> Vec<BadAnswer> {
    let scale = &options.scale;
    scores
        .iter()
        .enumerate()
        .filter_map(|(index, s)| {
            let value = s.to_f64();
            let problem = if value.is_nan() {
                AnswerProblem::Missing
            } else if !(value >= scale.min && value <= scale.max) {
                AnswerProblem::OutOfRange
            } else if options.non_integer == NonIntegerPolicy::Error && value.fract() != 0.0 {
                AnswerProblem::NonInteger
            } else {
                return None;
            };
            Some(BadAnswer { index, value, problem })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::survey::{MissingPolicy, OutOfRangePolicy, Tally};

    #[test]
    fn every_bad_answer_is_the_error_a_tally_raises_for_it() {
        let scores = [9.0, 11.0, f64::NAN, 6.5, 10.0, -1.0, 3.0];
        let options = ScoreOptions::default();
        let bad = validate_scores(&scores, &options);
        assert_eq!(bad.len(), 4);
        // The first is what the tally stops at.
        let first = Tally::from_scores(&scores, &options).unwrap_err();
        assert_eq!(bad[0].error(&options), first);
        assert_eq!(bad[0].error(&options).to_string(), "scores[1] = 11 is outside the scale 0..=10");
        // With the policies that skip them, the tally counts what the report lists.
        let lenient = ScoreOptions {
            missing: MissingPolicy::Skip,
            out_of_range: OutOfRangePolicy::Skip,
            non_integer: NonIntegerPolicy::RightClosed,
            ..Default::default()
        };
        let t = Tally::from_scores(&scores, &lenient).unwrap();
        assert_eq!((t.n(), t.skipped, t.out_of_range), (4, 1, 2));
        assert!(validate_scores(&scores, &lenient).iter().all(|b| b.problem != AnswerProblem::NonInteger));
        assert!(validate_scores(&[0u8, 10, 7], &options).is_empty());
        // Integer answers: the histogram paths skip and count as the general one does.
        let t = Tally::from_scores(&[0u8, 10, 200, 7], &lenient).unwrap();
        assert_eq!((t.counts, t.out_of_range), ([1, 1, 1], 1));
        let t = Tally::from_scores(&[0i64, 10, -3, 7, 11], &lenient).unwrap();
        assert_eq!((t.counts, t.out_of_range), ([1, 1, 1], 2));
        let e = Tally::from_scores(&[11.0, 12.0], &lenient).unwrap_err();
        assert_eq!(e.to_string(), "scores (after skipping answers off the scale) is empty");
    }
}
