//! The score interval for an NPS (Tango 1998 type).
//!
//! The NPS is the difference Δ = p_P − p_D of two proportions of one multinomial sample,
//! as in Tango's paired design. For a hypothesised Δ the restricted maximum-likelihood
//! estimate of p_D maximises P ln(x + Δ) + D ln x + Pa ln(1 − 2x − Δ); setting the
//! derivative to zero gives 2n x² + W x − DΔ(1 − Δ) = 0 with
//! W = −P − D + (2n − P + D)Δ. The score statistic is
//! Z(Δ) = (P − D − nΔ) / √(n (2x + Δ(1 − Δ))), and the interval is every Δ with
//! |Z(Δ)| ≤ z. Z decreases in Δ, so each end is found by bisection.

/// The score statistic at `delta` (fraction scale) for counts (D, Pa, P).
fn score_statistic(d: f64, p: f64, n: f64, delta: f64) -> f64 {
    let numerator = p - d - n * delta;
    if numerator == 0.0 {
        return 0.0;
    }
    let w = -p - d + (2.0 * n - p + d) * delta;
    let x = ((w * w + 8.0 * n * d * delta * (1.0 - delta)).max(0.0).sqrt() - w) / (4.0 * n);
    let variance = 2.0 * x + delta * (1.0 - delta);
    if variance > 0.0 {
        numerator / (n * variance).sqrt()
    } else {
        numerator.signum() * f64::INFINITY
    }
}

/// The score interval (low, high) on the fraction scale for counts (detractors, passives,
/// promoters) at critical value `z`. Always inside [−1, 1]; the end at ±1 is exact when
/// every respondent is a promoter (detractor).
pub(crate) fn tango_score_interval(detractors: f64, passives: f64, promoters: f64, z: f64) -> (f64, f64) {
    let (d, p) = (detractors, promoters);
    let n = detractors + passives + promoters;
    let estimate = (p - d) / n;
    // Z(Δ) − target changes sign once on each side of the estimate.
    let solve = |mut lo: f64, mut hi: f64, target: f64| {
        for _ in 0..200 {
            let mid = 0.5 * (lo + hi);
            if mid <= lo || mid >= hi {
                break;
            }
            if score_statistic(d, p, n, mid) > target {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        0.5 * (lo + hi)
    };
    let low = if estimate <= -1.0 { -1.0 } else { solve(-1.0, estimate, z) };
    let high = if estimate >= 1.0 { 1.0 } else { solve(estimate, 1.0, -z) };
    (low, high)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_value() {
        let (lo, hi) = tango_score_interval(20.0, 30.0, 50.0, 1.959964);
        assert!((lo - 0.1396).abs() < 5e-5 && (hi - 0.4434).abs() < 5e-5, "{lo} {hi}");
    }

    #[test]
    fn statistic_is_zero_at_the_estimate_and_decreasing() {
        let (d, p, n) = (12.0, 9.0, 61.0);
        assert_eq!(score_statistic(d, p, n, (p - d) / n), 0.0);
        let mut last = f64::INFINITY;
        for k in -99..100 {
            let z = score_statistic(d, p, n, k as f64 / 100.0);
            assert!(z < last);
            last = z;
        }
    }

    #[test]
    fn extremes_stay_inside() {
        assert_eq!(tango_score_interval(0.0, 0.0, 5.0, 1.96).1, 1.0);
        assert_eq!(tango_score_interval(5.0, 0.0, 0.0, 1.96).0, -1.0);
        let (lo, hi) = tango_score_interval(0.0, 1.0, 0.0, 1.96);
        assert!(lo > -1.0 && hi < 1.0 && lo < 0.0 && hi > 0.0);
    }
}
