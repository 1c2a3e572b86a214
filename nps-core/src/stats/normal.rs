//! The standard normal distribution.
use super::special::gamma_q;

/// Φ(x), the standard normal distribution function, accurate in both tails
/// (through erfc(z) = Q(½, z²)).
pub fn cdf(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    let tail = 0.5 * gamma_q(0.5, 0.5 * x * x); // P(Z > |x|)
    if x < 0.0 {
        tail
    } else {
        1.0 - tail
    }
}

/// 1 − Φ(x), the upper tail, without cancellation for large x.
pub fn sf(x: f64) -> f64 {
    cdf(-x)
}

/// Density of the standard normal.
pub fn pdf(x: f64) -> f64 {
    (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

/// Φ⁻¹(p): Acklam's rational approximation polished by one Halley step on [`cdf`], to full
/// double precision. NaN outside [0, 1]; ∓∞ at 0 and 1.
pub fn quantile(p: f64) -> f64 {
    if !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    const A: [f64; 6] = [
        -3.969683028665376e1,
        2.209460984245205e2,
        -2.759285104469687e2,
        1.38357751867269e2,
        -3.066479806614716e1,
        2.506628277459239,
    ];
    const B: [f64; 5] =
        [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
    const C: [f64; 6] = [
        -7.784894002430293e-3,
        -3.223964580411365e-1,
        -2.400758277161838,
        -2.549732539343734,
        4.374664141464968,
        2.938163982698783,
    ];
    const D: [f64; 4] = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
    const LOW: f64 = 0.02425;
    let x = if p < LOW {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - LOW {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        let q = (-2.0 * (1.0 - p).ln()).sqrt();
        -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    // Halley refinement; above the median work with the upper tail to keep precision.
    let e = if x < 0.0 { cdf(x) - p } else { (1.0 - p) - sf(x) };
    let u = e / pdf(x);
    x - u / (1.0 + 0.5 * x * u)
}

/// The two-sided critical value z with P(|Z| ≤ z) = `level` (1.959964 at 0.95).
pub fn two_sided_z(level: f64) -> f64 {
    quantile(0.5 + 0.5 * level)
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    // Reference values: scipy.stats.norm.
    #[test]
    fn distribution_function() {
        assert_relative_eq!(cdf(-1.0), 0.15865525393145707, max_relative = 1e-14);
        assert_relative_eq!(cdf(1.5), 0.9331927987311419, max_relative = 1e-14);
        assert_relative_eq!(cdf(-8.0), 6.22096057427174e-16, max_relative = 1e-12);
        assert_relative_eq!(cdf(-30.0), 4.906713927147908e-198, max_relative = 1e-10);
        assert_eq!(cdf(0.0), 0.5);
    }

    #[test]
    fn quantiles() {
        assert_relative_eq!(quantile(0.975), 1.959963984540054, max_relative = 1e-15);
        assert_relative_eq!(two_sided_z(0.95), 1.959963984540054, max_relative = 1e-15);
        assert_relative_eq!(quantile(0.3), -0.5244005127080409, max_relative = 1e-14);
        assert_relative_eq!(quantile(1e-10), -6.361340902404056, max_relative = 1e-13);
        assert!(quantile(1.5).is_nan());
        assert_eq!(quantile(0.0), f64::NEG_INFINITY);
        for p in [1e-8, 0.01, 0.2, 0.5, 0.77, 0.99, 1.0 - 1e-9] {
            assert_relative_eq!(cdf(quantile(p)), p, max_relative = 1e-12);
        }
    }
}
