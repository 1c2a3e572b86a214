//! The two-sample Kolmogorov–Smirnov statistic and its asymptotic p-value.
use super::bins::{key, Sorted};

/// Samples up to this size get scipy's exact statistic (`ks_2samp`'s `method="auto"` is
/// exact for samples of at most 10,000): the rational h / lcm(n₁, n₂) rounded once.
const EXACT_MAX_N: usize = 10_000;

/// The two-sample statistic D = supₓ |F₁(x) − F₂(x)| over the numbers that are not missing,
/// as `scipy.stats.ks_2samp(a, b).statistic` gives it, to the bit: for samples of at most
/// 10,000 the exact fraction h / lcm(n₁, n₂) (counted in integers), above that the largest
/// |i/n₁ − j/n₂| in floating point. NaN when either side has no number.
pub(crate) fn statistic(a: &Sorted, b: &Sorted) -> f64 {
    let (x, y) = (&a.keys, &b.keys);
    let (n1, n2) = (x.len(), y.len());
    if n1 == 0 || n2 == 0 {
        return f64::NAN;
    }
    let (f1, f2) = (n1 as f64, n2 as f64);
    let (mut i, mut j, mut d) = (0, 0, 0.0f64);
    let mut h: u128 = 0; // max |i·n₂ − j·n₁|
    while i < n1 && j < n2 {
        let v = x[i].min(y[j]);
        while i < n1 && x[i] == v {
            i += 1;
        }
        while j < n2 && y[j] == v {
            j += 1;
        }
        d = d.max((i as f64 / f1 - j as f64 / f2).abs());
        h = h.max((i as u128 * n2 as u128).abs_diff(j as u128 * n1 as u128));
    }
    // Past the end of one side the distance only shrinks towards 0.
    if n1.max(n2) <= EXACT_MAX_N {
        let g = gcd(n1, n2) as u128;
        let lcm = (n1 as u128 / g) * n2 as u128;
        (h / g) as f64 / lcm as f64
    } else {
        d
    }
}

fn gcd(mut a: usize, mut b: usize) -> usize {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// The statistic against a reference known only at points: `points` ascending, with the
/// reference's share at most and below each point. The largest gap at the points and just
/// below them: a lower bound of the exact statistic, short of it by at most the reference's
/// share strictly between two neighbouring points.
pub(crate) fn statistic_at_points(points: &[f64], at_most: &[f64], below: &[f64], current: &Sorted) -> f64 {
    let n = current.keys.len() as f64;
    if current.keys.is_empty() || points.is_empty() {
        return f64::NAN;
    }
    let mut d = 0.0f64;
    for (k, &x) in points.iter().enumerate() {
        let kx = key(x);
        let cur_le = current.keys.partition_point(|&v| v <= kx) as f64 / n;
        let cur_lt = current.keys.partition_point(|&v| v < kx) as f64 / n;
        d = d.max((at_most[k] - cur_le).abs()).max((below[k] - cur_lt).abs());
    }
    d
}

/// The asymptotic two-sided p-value of a two-sample statistic `d` from samples of `n1` and
/// `n2`: Kolmogorov's limiting distribution at λ = d √(n₁n₂/(n₁+n₂)),
/// `scipy.stats.kstwobign.sf(λ)` (good for large samples, which a monitoring window is;
/// scipy's `ks_2samp` uses an exact distribution for samples of at most 10,000).
pub(crate) fn p_value(d: f64, n1: usize, n2: usize) -> f64 {
    if d.is_nan() || n1 == 0 || n2 == 0 {
        return f64::NAN;
    }
    let en = (n1 as f64 * n2 as f64) / (n1 as f64 + n2 as f64);
    kolmogorov_sf(d * en.sqrt())
}

/// P(K > λ) for Kolmogorov's distribution: 2 Σ (−1)^(k−1) e^(−2k²λ²) for λ ≥ 1, and
/// 1 − √(2π)/λ Σ e^(−(2k−1)²π²/(8λ²)) below (both series converge fast where used).
pub(crate) fn kolmogorov_sf(lambda: f64) -> f64 {
    if lambda <= 0.0 {
        return 1.0;
    }
    if lambda < 1.0 {
        let pi2 = std::f64::consts::PI * std::f64::consts::PI;
        let mut sum = 0.0;
        for k in 1..=20 {
            let odd = (2 * k - 1) as f64;
            sum += (-odd * odd * pi2 / (8.0 * lambda * lambda)).exp();
        }
        1.0 - (2.0 * std::f64::consts::PI).sqrt() / lambda * sum
    } else {
        let mut sum = 0.0;
        for k in 1..=100 {
            let term = (-2.0 * (k * k) as f64 * lambda * lambda).exp();
            sum += if k % 2 == 1 { term } else { -term };
            if term < 1e-300 {
                break;
            }
        }
        (2.0 * sum).clamp(0.0, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brute(a: &[f64], b: &[f64]) -> f64 {
        let cdf = |s: &[f64], x: f64| s.iter().filter(|&&v| v <= x).count() as f64 / s.len() as f64;
        a.iter().chain(b).map(|&x| (cdf(a, x) - cdf(b, x)).abs()).fold(0.0, f64::max)
    }

    #[test]
    fn statistic_equals_the_definition() {
        let a = [1.0, 2.0, 2.0, 3.0, 7.0, f64::NAN];
        let b = [0.5, 2.0, 4.0, 4.0, 9.0, 9.0, 10.0];
        let d = statistic(&Sorted::new(&a), &Sorted::new(&b));
        assert!((d - brute(&a[..5], &b)).abs() < 1e-15);
        assert_eq!(statistic(&Sorted::new(&a), &Sorted::new(&a)), 0.0);
    }

    #[test]
    fn kolmogorov_values() {
        // scipy.stats.kstwobign.sf: 0.5 → 0.9639452436648751, 1.0 → 0.26999967167735456,
        // 1.36 → 0.049485876755377876, 2 → 0.0006709252557796953.
        for (l, want) in [
            (0.5, 0.9639452436648751),
            (1.0, 0.26999967167735456),
            (1.36, 0.049_485_876_755_377_876),
            (2.0, 0.000_670_925_255_779_695_3),
        ] {
            assert!((kolmogorov_sf(l) - want).abs() < 1e-12, "{l}: {}", kolmogorov_sf(l));
        }
        // The two series agree where they meet.
        let below = 1.0
            - (2.0 * std::f64::consts::PI).sqrt()
                * (1..=20)
                    .map(|k| (-((2 * k - 1) as f64).powi(2) * std::f64::consts::PI.powi(2) / 8.0).exp())
                    .sum::<f64>();
        assert!((below - kolmogorov_sf(1.0)).abs() < 1e-14);
    }
}
