//! The Dirichlet posterior of the NPS, integrated deterministically.
//!
//! With (p_D, p_Pa, p_P) ~ Dirichlet(α_D, α_Pa, α_P), the detractor share is
//! Beta(α_D, α_Pa + α_P) and, given p_D = y, p_P / (1 − y) is Beta(α_P, α_Pa). So
//!
//! P(p_P − p_D ≤ t) = ∫₀¹ I_{(t + y)/(1 − y)}(α_P, α_Pa) dF_D(y)
//!                  = ∫₀¹ I_{(t + Q_D(u))/(1 − Q_D(u))}(α_P, α_Pa) du,
//!
//! where Q_D is the quantile function of p_D. The second form has a bounded integrand on a
//! fixed interval whatever the sample size. Near u = 0 and 1, Q_D is steep (like u^{1/α}),
//! so the integral is taken over s with u = Φ(s): the integrand g(Q_D(Φ(s))) φ(s) is smooth
//! and decays like a Gaussian, where the trapezoidal rule on fixed nodes converges
//! exponentially. The nodes Q_D(Φ(s_k)) are computed once per posterior. No sampling: the
//! same answer on every run and platform.

use crate::stats::normal;
use crate::stats::special::{beta_inc, beta_inc_inv};

/// Integration nodes per posterior, over s in [−S_MAX, S_MAX].
const NODES: usize = 1201;
/// Half-width of the integration range in standard-normal units (Φ(−8.5) ≈ 1e−17).
const S_MAX: f64 = 8.5;
/// Grid points for the probability that one NPS exceeds another.
const GRID: usize = 400;

/// The posterior of the NPS (fraction scale) under a Dirichlet prior.
#[derive(Debug, Clone)]
pub(crate) struct NpsPosterior {
    /// Dirichlet parameters: detractor, passive, promoter.
    alpha: [f64; 3],
    /// Quantiles of the detractor share at the integration nodes.
    detractor_nodes: Vec<f64>,
    /// Trapezoidal weights of the nodes (summing to 1).
    weights: Vec<f64>,
}

impl NpsPosterior {
    /// The posterior after observing `counts` (detractor, passive, promoter; effective
    /// counts may be fractional) under the prior pseudo-counts `prior`.
    pub(crate) fn new(counts: [f64; 3], prior: [f64; 3]) -> Self {
        let alpha = [counts[0] + prior[0], counts[1] + prior[1], counts[2] + prior[2]];
        let (a, b) = (alpha[0], alpha[1] + alpha[2]);
        let step = 2.0 * S_MAX / (NODES - 1) as f64;
        let s: Vec<f64> = (0..NODES).map(|k| -S_MAX + k as f64 * step).collect();
        let detractor_nodes = s.iter().map(|&s| beta_inc_inv(a, b, normal::cdf(s))).collect();
        let mut weights: Vec<f64> = s.iter().map(|&s| normal::pdf(s)).collect();
        let total: f64 = weights.iter().sum();
        weights.iter_mut().for_each(|w| *w /= total);
        NpsPosterior { alpha, detractor_nodes, weights }
    }

    /// Posterior mean (α_P − α_D)/α₀.
    pub(crate) fn mean(&self) -> f64 {
        (self.alpha[2] - self.alpha[0]) / self.alpha.iter().sum::<f64>()
    }

    /// Posterior standard deviation, in closed form from the Dirichlet moments.
    pub(crate) fn sd(&self) -> f64 {
        let [d, _, p] = self.alpha;
        let a0: f64 = self.alpha.iter().sum();
        ((p * (a0 - p) + d * (a0 - d) + 2.0 * p * d) / (a0 * a0 * (a0 + 1.0))).sqrt()
    }

    /// P(NPS ≤ t), t on the fraction scale.
    pub(crate) fn cdf(&self, t: f64) -> f64 {
        if t <= -1.0 {
            return 0.0;
        }
        if t >= 1.0 {
            return 1.0;
        }
        let (a, b) = (self.alpha[2], self.alpha[1]);
        self.detractor_nodes
            .iter()
            .zip(&self.weights)
            .map(|(&y, &w)| {
                let rest = 1.0 - y;
                let x = if rest > 0.0 { (t + y) / rest } else { f64::INFINITY };
                w * beta_inc(a, b, x.clamp(0.0, 1.0))
            })
            .sum()
    }

    /// The p-quantile of the NPS (fraction scale), by the Illinois variant of regula falsi
    /// on a bracket seeded by the normal approximation.
    pub(crate) fn quantile(&self, p: f64) -> f64 {
        let f = |t: f64| self.cdf(t) - p;
        let (mean, sd) = (self.mean(), self.sd());
        let guess = mean + sd * normal::quantile(p);
        let (mut lo, mut hi) = ((guess - 2.0 * sd).max(-1.0), (guess + 2.0 * sd).min(1.0));
        let (mut flo, mut fhi) = (f(lo), f(hi));
        if flo > 0.0 {
            (lo, flo) = (-1.0, -p);
        }
        if fhi < 0.0 {
            (hi, fhi) = (1.0, 1.0 - p);
        }
        let mut side = 0i8;
        for _ in 0..100 {
            if hi - lo < 1e-11 {
                break;
            }
            let mut t = (lo * fhi - hi * flo) / (fhi - flo);
            if !(t > lo && t < hi) {
                t = 0.5 * (lo + hi);
            }
            let ft = f(t);
            if ft == 0.0 {
                return t;
            }
            if ft < 0.0 {
                (lo, flo) = (t, ft);
                if side == -1 {
                    fhi *= 0.5;
                }
                side = -1;
            } else {
                (hi, fhi) = (t, ft);
                if side == 1 {
                    flo *= 0.5;
                }
                side = 1;
            }
        }
        0.5 * (lo + hi)
    }

    /// Equal-tailed credible interval at `level`.
    pub(crate) fn interval(&self, level: f64) -> (f64, f64) {
        let tail = 0.5 * (1.0 - level);
        (self.quantile(tail), self.quantile(1.0 - tail))
    }
}

/// P(NPS_A > NPS_B) for independent posteriors.
///
/// A Stieltjes sum over a grid spanning the narrower posterior (mean ± 10 sd): the mass of
/// the narrower one in each cell times the other's distribution function at the cell's
/// midpoint, which is smooth on that scale.
pub(crate) fn prob_greater(a: &NpsPosterior, b: &NpsPosterior) -> f64 {
    let (narrow, wide, a_is_narrow) = if a.sd() <= b.sd() { (a, b, true) } else { (b, a, false) };
    let (lo, hi) = ((narrow.mean() - 10.0 * narrow.sd()).max(-1.0), (narrow.mean() + 10.0 * narrow.sd()).min(1.0));
    let step = (hi - lo) / GRID as f64;
    // E_narrow[F_wide(X_narrow)], with the mass outside the grid at its ends.
    let mut previous = narrow.cdf(lo);
    let mut expectation = previous * wide.cdf(lo);
    for j in 0..GRID {
        let right = lo + (j + 1) as f64 * step;
        let current = narrow.cdf(right);
        expectation += (current - previous) * wide.cdf(right - 0.5 * step);
        previous = current;
    }
    expectation += (1.0 - previous) * wide.cdf(hi);
    // E_A[F_B(X_A)] = P(X_B ≤ X_A); E_B[F_A(X_B)] = P(X_A ≤ X_B).
    if a_is_narrow {
        expectation
    } else {
        1.0 - expectation
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn published_values() {
        let post = NpsPosterior::new([20.0, 30.0, 50.0], [1.0; 3]);
        assert!((post.mean() - 0.29126).abs() < 5e-6);
        let (lo, hi) = post.interval(0.95);
        assert!((lo - 0.1368).abs() < 5e-5 && (hi - 0.4377).abs() < 5e-5, "{lo} {hi}");
        let other = NpsPosterior::new([30.0, 30.0, 40.0], [1.0; 3]);
        let p = prob_greater(&post, &other);
        assert!((p - 0.958).abs() < 0.002, "{p}");
        assert!((prob_greater(&other, &post) - (1.0 - p)).abs() < 1e-4);
    }

    // Reference values from Monte Carlo with numpy (10⁷ Dirichlet draws, seed 1); the
    // tolerance covers its error.
    #[test]
    fn against_monte_carlo() {
        let big = NpsPosterior::new([20_000.0, 30_000.0, 50_000.0], [1.0; 3]);
        let (lo, hi) = big.interval(0.95);
        assert!((lo - MC_BIG.0).abs() < 5e-5 && (hi - MC_BIG.1).abs() < 5e-5, "{lo} {hi}");
        let tiny = NpsPosterior::new([0.0, 0.0, 1.0], [0.5; 3]);
        let (lo, hi) = tiny.interval(0.9);
        assert!((lo - MC_TINY.0).abs() < 2e-3 && (hi - MC_TINY.1).abs() < 2e-3, "{lo} {hi}");
        let uneven = prob_greater(
            &NpsPosterior::new([3.0, 1.0, 4.0], [1.0; 3]),
            &NpsPosterior::new([300.0, 200.0, 500.0], [1.0; 3]),
        );
        assert!((uneven - MC_UNEVEN).abs() < 2e-3, "{uneven}");
    }

    const MC_BIG: (f64, f64) = (0.29514731, 0.30482757);
    const MC_TINY: (f64, f64) = (-0.42811411, 0.95245005);
    const MC_UNEVEN: f64 = 0.3508597;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(40))]
        #[test]
        fn interval_contains_mean_and_stays_in_bounds(d in 0u32..200, pa in 0u32..200, p in 0u32..200, prior in 0.5f64..2.0) {
            let post = NpsPosterior::new([d as f64, pa as f64, p as f64], [prior; 3]);
            let (lo, hi) = post.interval(0.95);
            prop_assert!((-1.0..=1.0).contains(&lo) && (-1.0..=1.0).contains(&hi));
            prop_assert!(lo <= post.mean() && post.mean() <= hi, "{} {} {}", lo, post.mean(), hi);
        }
    }
}
