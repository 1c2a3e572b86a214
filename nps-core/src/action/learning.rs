//! Learning which actions work: a Beta-Bernoulli model per action and segment, sampled by
//! Thompson sampling to give arbitration its propensity P.
//!
//! Each outcome (accepted or retained: a success; rejected, ignored or churned: a failure)
//! updates the counts of its action in its segment. At decision time each action's
//! propensity is a draw from Beta(α + successes, β + failures): actions that work are
//! offered more, uncertain ones still get tried. A minimum exploration share draws some
//! propensities uniformly, and an action with fewer than `ramp_up` outcomes in a segment
//! draws from the prior, so a new action is tried before its first results can bury it.
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Catalog, Customer, DecideOptions, Decision, Factor, Outcome};
use crate::error::{check_level, NpsError, Result};
use crate::rng::Rng;
use crate::stats::proportion::Bounds;
use crate::stats::special::beta_inc_inv;

/// The prior of a new learner unless one is given: Beta(1, 1), uniform.
pub const DEFAULT_PRIOR: [f64; 2] = [1.0, 1.0];

/// The exploration share of a new learner unless one is given.
pub const DEFAULT_EXPLORATION: f64 = 0.05;

/// The outcomes an arm needs before its own counts are used, unless given.
pub const DEFAULT_RAMP_UP: u32 = 5;

/// The learned state: plain data, saved and restored by the caller (the library stores
/// nothing).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Learner {
    /// Prior successes and failures (α, β) of every arm.
    pub prior: [f64; 2],
    /// Share of decisions whose propensities are drawn uniformly (exploration).
    pub exploration: f64,
    /// Outcomes an arm needs before its own counts are used.
    pub ramp_up: u32,
    /// Successes and failures by `action` then `segment`.
    pub arms: BTreeMap<String, BTreeMap<String, [f64; 2]>>,
}

impl Learner {
    /// A learner with prior Beta(`prior[0]`, `prior[1]`). Errors: a prior that is not
    /// positive, an exploration share outside [0, 1].
    pub fn new(prior: [f64; 2], exploration: f64, ramp_up: u32) -> Result<Learner> {
        for (name, v) in [("prior[0]", prior[0]), ("prior[1]", prior[1])] {
            if !(v > 0.0 && v.is_finite()) {
                return Err(NpsError::invalid(name, v, "a positive number"));
            }
        }
        if !(0.0..=1.0).contains(&exploration) {
            return Err(NpsError::invalid("exploration", exploration, "a share between 0 and 1"));
        }
        Ok(Learner { prior, exploration, ramp_up, arms: BTreeMap::new() })
    }

    /// Records one outcome of `action` in `segment`.
    pub fn record(&mut self, action: &str, segment: &str, success: bool) {
        let arm = self.arms.entry(action.to_string()).or_default().entry(segment.to_string()).or_insert([0.0, 0.0]);
        arm[usize::from(!success)] += 1.0;
    }

    /// Successes and failures recorded for `action` in `segment`.
    pub fn counts(&self, action: &str, segment: &str) -> [f64; 2] {
        self.arms.get(action).and_then(|s| s.get(segment)).copied().unwrap_or([0.0, 0.0])
    }

    /// The posterior mean success rate.
    pub fn mean(&self, action: &str, segment: &str) -> f64 {
        let [s, f] = self.counts(action, segment);
        (self.prior[0] + s) / (self.prior[0] + self.prior[1] + s + f)
    }

    /// The equal-tailed credible interval of the success rate of `action` in `segment` at
    /// `level` (0.95: the 2.5 % and 97.5 % quantiles of its posterior, Beta(α + successes,
    /// β + failures)); the prior's interval before any outcome. Error: a level outside (0, 1).
    pub fn interval(&self, action: &str, segment: &str, level: f64) -> Result<Bounds> {
        check_level(level)?;
        let [s, f] = self.counts(action, segment);
        let (a, b) = (self.prior[0] + s, self.prior[1] + f);
        let tail = (1.0 - level) / 2.0;
        Ok(Bounds { low: beta_inc_inv(a, b, tail), high: beta_inc_inv(a, b, 1.0 - tail) })
    }

    /// A Thompson draw of the success rate of `action` in `segment` (see the module docs).
    pub fn sample(&self, action: &str, segment: &str, rng: &mut Rng) -> f64 {
        self.sample_counts(self.counts(action, segment), rng)
    }

    /// One draw per action of `catalog`, in catalogue order, for `segment`: the propensities
    /// of a learning decision (as [`Catalog::decide_learning`] draws them), into `out`.
    pub fn draws_into(&self, catalog: &Catalog, segment: &str, rng: &mut Rng, out: &mut Vec<f64>) {
        out.clear();
        out.extend(catalog.actions().iter().map(|a| self.sample(&a.id, segment, rng)));
    }

    /// A Thompson draw for an arm with these successes and failures (the look-up done).
    pub(super) fn sample_counts(&self, [s, f]: [f64; 2], rng: &mut Rng) -> f64 {
        if rng.uniform() < self.exploration {
            return rng.uniform();
        }
        if s + f < self.ramp_up as f64 {
            return beta(self.prior[0], self.prior[1], rng);
        }
        beta(self.prior[0] + s, self.prior[1] + f, rng)
    }
}

impl Catalog {
    /// [`Catalog::decide`] with each action's propensity a Thompson draw from `learner` for
    /// the customer's `segment` (one draw per action, made before the rules run, so the same
    /// seed gives the same decision).
    #[allow(clippy::too_many_arguments)]
    pub fn decide_learning(
        &self,
        customer: &Customer,
        score: f64,
        factors: &[Factor],
        history: &[Outcome],
        now: i64,
        top_n: usize,
        learner: &Learner,
        segment: &str,
        rng: &mut Rng,
    ) -> Result<Decision> {
        let mut draws = Vec::new();
        learner.draws_into(self, segment, rng, &mut draws);
        let propensity = |i: usize| draws[i];
        self.decide(
            customer,
            score,
            factors,
            history,
            now,
            &DecideOptions { top_n, propensity: Some(&propensity), uplift: None },
        )
    }
}

/// A standard normal draw (Box–Muller).
fn normal(rng: &mut Rng) -> f64 {
    let u = 1.0 - rng.uniform(); // in (0, 1]
    (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * rng.uniform()).cos()
}

/// A Gamma(shape, 1) draw (Marsaglia and Tsang 2000; shapes below 1 boosted by U^(1/shape)).
fn gamma(shape: f64, rng: &mut Rng) -> f64 {
    if shape < 1.0 {
        let u = 1.0 - rng.uniform();
        return gamma(shape + 1.0, rng) * u.powf(1.0 / shape);
    }
    let d = shape - 1.0 / 3.0;
    let c = 1.0 / (9.0 * d).sqrt();
    loop {
        let x = normal(rng);
        let v = (1.0 + c * x).powi(3);
        if v <= 0.0 {
            continue;
        }
        let u = 1.0 - rng.uniform();
        if u.ln() < 0.5 * x * x + d - d * v + d * v.ln() {
            return d * v;
        }
    }
}

/// A Beta(a, b) draw.
pub fn beta(a: f64, b: f64, rng: &mut Rng) -> f64 {
    let x = gamma(a, rng);
    let y = gamma(b, rng);
    x / (x + y)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beta_draws_have_the_right_mean_and_variance() {
        let mut rng = Rng::new(3);
        for (a, b) in [(2.0, 5.0), (0.5, 0.5), (30.0, 10.0)] {
            let n = 200_000;
            let draws: Vec<f64> = (0..n).map(|_| beta(a, b, &mut rng)).collect();
            let mean = draws.iter().sum::<f64>() / n as f64;
            let var = draws.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
            let (m, v) = (a / (a + b), a * b / ((a + b).powi(2) * (a + b + 1.0)));
            assert!((mean - m).abs() < 5.0 * (v / n as f64).sqrt(), "Beta({a}, {b}) mean {mean} vs {m}");
            assert!((var - v).abs() < 0.02 * v, "Beta({a}, {b}) variance {var} vs {v}");
        }
    }
}
