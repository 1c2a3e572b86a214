//! Interval estimates of the NPS.
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::posterior::NpsPosterior;
use super::score_interval::tango_score_interval;
use super::tally::Tally;
use crate::error::{check_level, NpsError, Result};
use crate::stats::normal;

/// Pseudo-counts the adjusted-Wald interval adds to detractors, passives and promoters
/// (Rocks 2016): 3 respondents in all, split ¼, ½, ¼.
pub const ADJUSTED_WALD_PSEUDO_COUNTS: [f64; 3] = [0.75, 1.5, 0.75];

/// How to compute an interval for an NPS.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "method")]
pub enum IntervalMethod {
    /// Normal approximation around the estimate: NPS ± z·SE. Simple, but too narrow for
    /// small samples and extreme shares, and it can leave [−100, 100].
    Wald,
    /// Wald after adding 0.75 / 1.5 / 0.75 pseudo-respondents to detractors / passives /
    /// promoters (Rocks 2016). Good coverage down to small samples; the default. It can
    /// (rarely, for tiny samples) leave [−100, 100].
    #[default]
    AdjustedWald,
    /// The score interval (Tango 1998 type): every NPS value not rejected by the score
    /// test at the level. Always inside [−100, 100]; found by bisection.
    Score,
    /// Equal-tailed credible interval of the Dirichlet posterior with the given prior
    /// pseudo-counts (detractor, passive, promoter), computed by deterministic numerical
    /// integration. Always inside [−100, 100].
    Bayes {
        /// Dirichlet prior; `[1, 1, 1]` (uniform) by default.
        prior: [f64; 3],
    },
}

impl IntervalMethod {
    /// The uniform-prior Bayesian method.
    pub const BAYES: IntervalMethod = IntervalMethod::Bayes { prior: [1.0, 1.0, 1.0] };

    /// The method's name as used in the bindings (`"adjusted_wald"`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            IntervalMethod::Wald => "wald",
            IntervalMethod::AdjustedWald => "adjusted_wald",
            IntervalMethod::Score => "score",
            IntervalMethod::Bayes { .. } => "bayes",
        }
    }

    /// Parses a method name; `bayes` takes `prior` (uniform when `None`), the others
    /// reject one.
    pub fn parse(name: &str, prior: Option<[f64; 3]>) -> Result<Self> {
        let method = match name {
            "wald" => IntervalMethod::Wald,
            "adjusted_wald" | "adjustedWald" => IntervalMethod::AdjustedWald,
            "score" => IntervalMethod::Score,
            "bayes" => IntervalMethod::Bayes { prior: prior.unwrap_or([1.0; 3]) },
            _ => return Err(NpsError::unknown("interval method", name, &["wald", "adjusted_wald", "score", "bayes"])),
        };
        if let (Some(p), false) = (prior, matches!(method, IntervalMethod::Bayes { .. })) {
            return Err(NpsError::invalid("prior", format!("{p:?}"), "given only with method \"bayes\""));
        }
        if let IntervalMethod::Bayes { prior } = method {
            check_prior(prior)?;
        }
        Ok(method)
    }
}

impl FromStr for IntervalMethod {
    type Err = NpsError;
    fn from_str(s: &str) -> Result<Self> {
        IntervalMethod::parse(s, None)
    }
}

impl fmt::Display for IntervalMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

pub(crate) fn check_prior(prior: [f64; 3]) -> Result<()> {
    if prior.iter().all(|a| a.is_finite() && *a > 0.0) {
        Ok(())
    } else {
        Err(NpsError::invalid("prior", format!("{prior:?}"), "three finite pseudo-counts greater than 0"))
    }
}

/// An interval estimate of the NPS, in points.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// The method that produced it.
    pub method: IntervalMethod,
    /// Confidence (or credible) level, in (0, 1).
    pub level: f64,
    /// Lower end.
    pub low: f64,
    /// Upper end.
    pub high: f64,
    /// The point the method centres on: the NPS for Wald and score, the adjusted NPS for
    /// adjusted Wald, the posterior mean for Bayes.
    pub center: f64,
    /// Standard error that goes with `center` (posterior standard deviation for Bayes).
    pub se: f64,
}

impl Interval {
    /// The interval cut to [−100, 100], for display. Wald and adjusted-Wald intervals can
    /// overshoot for small or extreme samples; score and Bayes intervals never do.
    pub fn clipped(&self) -> Interval {
        Interval { low: self.low.clamp(-100.0, 100.0), high: self.high.clamp(-100.0, 100.0), ..*self }
    }

    /// Whether `value` (points) lies in the interval.
    pub fn contains(&self, value: f64) -> bool {
        self.low <= value && value <= self.high
    }

    /// Half the width, in points.
    pub fn margin(&self) -> f64 {
        (self.high - self.low) / 2.0
    }
}

/// NPS (points) and its standard error (points) from category counts, for Wald-type use.
pub(crate) fn wald_parts(counts: [f64; 3]) -> (f64, f64) {
    let n: f64 = counts.iter().sum();
    let (pd, pp) = (counts[0] / n, counts[2] / n);
    let d = pp - pd;
    let var = (pp + pd - d * d).max(0.0) / n;
    (100.0 * d, 100.0 * var.sqrt())
}

/// Adds the adjusted-Wald pseudo-counts.
pub(crate) fn adjusted_counts(counts: [f64; 3]) -> [f64; 3] {
    let a = ADJUSTED_WALD_PSEUDO_COUNTS;
    [counts[0] + a[0], counts[1] + a[1], counts[2] + a[2]]
}

impl Tally {
    /// An interval for the NPS at `level` (e.g. 0.95).
    ///
    /// Weighted tallies use the linearised standard error for Wald and the effective
    /// counts (shares × Kish effective n) for the other methods.
    ///
    /// ```
    /// use nps_core::survey::{IntervalMethod, Tally};
    /// let t = Tally::from_counts(20, 30, 50).unwrap();
    /// let i = t.interval(IntervalMethod::Wald, 0.95).unwrap();
    /// assert!((i.low - 14.69).abs() < 0.01 && (i.high - 45.31).abs() < 0.01);
    /// ```
    pub fn interval(&self, method: IntervalMethod, level: f64) -> Result<Interval> {
        check_level(level)?;
        if self.n() == 0 || self.total_weight() <= 0.0 {
            return Err(NpsError::Empty { field: "tally".into() });
        }
        let z = normal::two_sided_z(level);
        let counts = self.effective_counts();
        let (low, high, center, se) = match method {
            IntervalMethod::Wald => {
                let (c, se) = (self.nps(), self.se());
                (c - z * se, c + z * se, c, se)
            }
            IntervalMethod::AdjustedWald => {
                let (c, se) = wald_parts(adjusted_counts(counts));
                (c - z * se, c + z * se, c, se)
            }
            IntervalMethod::Score => {
                let (lo, hi) = tango_score_interval(counts[0], counts[1], counts[2], z);
                (100.0 * lo, 100.0 * hi, self.nps(), self.se())
            }
            IntervalMethod::Bayes { prior } => {
                check_prior(prior)?;
                let post = NpsPosterior::new(counts, prior);
                let (lo, hi) = post.interval(level);
                (100.0 * lo, 100.0 * hi, 100.0 * post.mean(), 100.0 * post.sd())
            }
        };
        Ok(Interval { method, level, low, high, center, se })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    #[test]
    fn published_intervals() {
        let t = Tally::from_counts(20, 30, 50).unwrap();
        let w = t.interval(IntervalMethod::Wald, 0.95).unwrap();
        assert_abs_diff_eq!(w.low, 14.69, epsilon = 0.005);
        assert_abs_diff_eq!(w.high, 45.31, epsilon = 0.005);
        let a = t.interval(IntervalMethod::AdjustedWald, 0.95).unwrap();
        assert_abs_diff_eq!(a.center, 29.13, epsilon = 0.005);
        assert_abs_diff_eq!(a.low, 14.05, epsilon = 0.005);
        assert_abs_diff_eq!(a.high, 44.20, epsilon = 0.005);
        let s = t.interval(IntervalMethod::Score, 0.95).unwrap();
        assert_abs_diff_eq!(s.low, 13.96, epsilon = 0.005);
        assert_abs_diff_eq!(s.high, 44.34, epsilon = 0.005);
        let b = t.interval(IntervalMethod::BAYES, 0.95).unwrap();
        assert_abs_diff_eq!(b.center, 29.126, epsilon = 0.0005);
        assert_abs_diff_eq!(b.low, 13.68, epsilon = 0.005);
        assert_abs_diff_eq!(b.high, 43.77, epsilon = 0.005);
    }

    #[test]
    fn bad_levels_and_methods() {
        let t = Tally::from_counts(1, 1, 1).unwrap();
        for level in [0.0, 1.0, -0.5, f64::NAN] {
            assert_eq!(t.interval(IntervalMethod::Wald, level).unwrap_err().code(), "INVALID_PARAMETER");
        }
        assert_eq!("exact".parse::<IntervalMethod>().unwrap_err().code(), "UNKNOWN_VALUE");
        assert!(IntervalMethod::parse("wald", Some([1.0; 3])).is_err());
        assert!(IntervalMethod::parse("bayes", Some([0.0, 1.0, 1.0])).is_err());
        assert_eq!(Tally::empty().interval(IntervalMethod::Wald, 0.9).unwrap_err().code(), "EMPTY");
    }

    #[test]
    fn clipping() {
        let t = Tally::from_counts(0, 0, 3).unwrap();
        let a = t.interval(IntervalMethod::AdjustedWald, 0.95).unwrap();
        assert!(a.high > 100.0);
        assert_eq!(a.clipped().high, 100.0);
        assert_eq!(a.clipped().low, a.low);
    }
}
