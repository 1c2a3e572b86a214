//! The answer scale and how answers map to detractor, passive and promoter.
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{NpsError, Result};

/// The three NPS categories, in the order every array in this crate uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Unlikely to recommend (0–6 on the standard scale).
    Detractor = 0,
    /// Satisfied but unenthusiastic (7–8).
    Passive = 1,
    /// Likely to recommend (9–10).
    Promoter = 2,
}

impl Category {
    /// The category's name in lower case.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Detractor => "detractor",
            Category::Passive => "passive",
            Category::Promoter => "promoter",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An answer scale with its category breaks.
///
/// Answers in `min..=detractor_max` are detractors, in `(detractor_max, passive_max]`
/// passives and in `(passive_max, max]` promoters. The default is the standard 0–10 scale
/// with detractors 0–6, passives 7–8 and promoters 9–10.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Scale {
    /// Lowest valid answer (inclusive).
    pub min: f64,
    /// Highest answer that is a detractor (inclusive).
    pub detractor_max: f64,
    /// Highest answer that is a passive (inclusive).
    pub passive_max: f64,
    /// Highest valid answer (inclusive).
    pub max: f64,
}

impl Default for Scale {
    fn default() -> Self {
        Scale { min: 0.0, detractor_max: 6.0, passive_max: 8.0, max: 10.0 }
    }
}

impl Scale {
    /// A scale from its four bounds; they must be finite and strictly increasing.
    pub fn new(min: f64, detractor_max: f64, passive_max: f64, max: f64) -> Result<Self> {
        let b = [min, detractor_max, passive_max, max];
        if b.iter().any(|x| !x.is_finite())
            || !(min < detractor_max && detractor_max < passive_max && passive_max < max)
        {
            return Err(NpsError::invalid(
                "scale breaks",
                format!("{b:?}"),
                "four finite, strictly increasing numbers (min, detractor max, passive max, max)",
            ));
        }
        Ok(Scale { min, detractor_max, passive_max, max })
    }

    /// A scale from R NPS-package style breaks `(b0, b1, b2, b3)`: detractors in
    /// `[b0, b1]`, passives in `(b1, b2]`, promoters in `(b2, b3]` (R's `cut` with
    /// `include.lowest = TRUE`). `(0, 6, 8, 10)` is the standard scale.
    pub fn from_breaks(breaks: &[f64]) -> Result<Self> {
        match breaks {
            [a, b, c, d] => Scale::new(*a, *b, *c, *d),
            _ => Err(NpsError::invalid("scale breaks", format!("{breaks:?}"), "exactly four numbers")),
        }
    }

    /// The four bounds `(min, detractor_max, passive_max, max)`.
    pub fn breaks(&self) -> [f64; 4] {
        [self.min, self.detractor_max, self.passive_max, self.max]
    }

    /// The category of an answer known to lie on the scale.
    #[inline]
    pub fn category(&self, score: f64) -> Category {
        if score <= self.detractor_max {
            Category::Detractor
        } else if score <= self.passive_max {
            Category::Passive
        } else {
            Category::Promoter
        }
    }

    /// Whether all four bounds are whole numbers (allows the counting fast path).
    pub(crate) fn is_integral(&self) -> bool {
        self.breaks().iter().all(|b| b.fract() == 0.0)
    }

    pub(crate) fn describe(&self) -> String {
        format!("the scale {}..={}", self.min, self.max)
    }
}

/// What to do with an answer that is not a whole number, such as 6.5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NonIntegerPolicy {
    /// Reject it with [`NpsError::NonInteger`] (the default: a 6.5 on a 0–10 survey is
    /// usually a data error).
    #[default]
    Error,
    /// Bin it into the right-closed category intervals, so 6.5 is a passive and 8.5 a
    /// promoter (R's `cut`).
    RightClosed,
}

/// What to do with a missing answer (NaN, `None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MissingPolicy {
    /// Reject it with [`NpsError::Missing`] (the default).
    #[default]
    Error,
    /// Leave it out and count it in [`Tally::skipped`](crate::survey::Tally::skipped).
    Skip,
}

/// What to do with an answer off the scale (an 11 on a 0–10 survey, a -1 for "no answer").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutOfRangePolicy {
    /// Reject it with [`NpsError::OutOfRange`] (the default: it is a data error until
    /// someone decides otherwise).
    #[default]
    Error,
    /// Leave it out, deliberately, and count it in
    /// [`Tally::out_of_range`](crate::survey::Tally::out_of_range), so that a report can say
    /// how many were dropped.
    Skip,
}

impl FromStr for OutOfRangePolicy {
    type Err = NpsError;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "error" => Ok(OutOfRangePolicy::Error),
            "skip" => Ok(OutOfRangePolicy::Skip),
            _ => Err(NpsError::unknown("out-of-range policy", s, &["error", "skip"])),
        }
    }
}

impl FromStr for NonIntegerPolicy {
    type Err = NpsError;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "error" => Ok(NonIntegerPolicy::Error),
            "right_closed" | "rightClosed" => Ok(NonIntegerPolicy::RightClosed),
            _ => Err(NpsError::unknown("non-integer policy", s, &["error", "right_closed"])),
        }
    }
}

impl FromStr for MissingPolicy {
    type Err = NpsError;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "error" => Ok(MissingPolicy::Error),
            "skip" => Ok(MissingPolicy::Skip),
            _ => Err(NpsError::unknown("missing policy", s, &["error", "skip"])),
        }
    }
}

/// How raw answers are read: the scale and the policies for fractional, missing and
/// out-of-range answers (each an error by default; an out-of-range answer is dropped only
/// when asked, and counted).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct ScoreOptions {
    /// The answer scale.
    pub scale: Scale,
    /// Policy for fractional answers.
    pub non_integer: NonIntegerPolicy,
    /// Policy for missing answers.
    pub missing: MissingPolicy,
    /// Policy for answers off the scale.
    #[serde(default)]
    pub out_of_range: OutOfRangePolicy,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_scale_categories() {
        let s = Scale::default();
        let cats: Vec<Category> = (0..=10).map(|x| s.category(x as f64)).collect();
        assert_eq!(cats.iter().filter(|c| **c == Category::Detractor).count(), 7);
        assert_eq!(cats.iter().filter(|c| **c == Category::Passive).count(), 2);
        assert_eq!(cats.iter().filter(|c| **c == Category::Promoter).count(), 2);
        assert_eq!(s.category(6.5), Category::Passive);
        assert_eq!(s.category(8.5), Category::Promoter);
    }

    #[test]
    fn breaks_must_increase() {
        assert!(Scale::from_breaks(&[0.0, 6.0, 8.0, 15.0]).is_ok());
        assert!(Scale::from_breaks(&[0.0, 8.0, 6.0, 10.0]).is_err());
        assert!(Scale::from_breaks(&[0.0, 6.0, 8.0]).is_err());
        assert!(Scale::new(0.0, 6.0, 8.0, f64::NAN).is_err());
    }

    #[test]
    fn policies_parse() {
        assert_eq!("skip".parse::<MissingPolicy>().unwrap(), MissingPolicy::Skip);
        assert_eq!("right_closed".parse::<NonIntegerPolicy>().unwrap(), NonIntegerPolicy::RightClosed);
        let e = "drop".parse::<MissingPolicy>().unwrap_err();
        assert_eq!(e.code(), "UNKNOWN_VALUE");
        assert!(e.to_string().contains("\"drop\""));
    }
}
