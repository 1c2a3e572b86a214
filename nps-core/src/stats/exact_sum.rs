//! Sums of floats that do not depend on the order of the terms: the exact sum, kept as
//! non-overlapping partials (Shewchuk's expansions, the method of Python's `math.fsum`),
//! rounded once at the end. Two parts of a sum computed apart (on two machines, in two
//! partitions) and merged give the same bits as the whole in any order, which a plain
//! running sum cannot promise.
//!
//! Exact while no partial overflows: the terms' absolute values must add up to less than
//! `f64::MAX` (callers bound their terms; see [`crate::features`]).

/// An exact running sum of finite floats.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExactSum {
    /// Non-overlapping, increasing in magnitude; their exact sum is the sum of the terms.
    partials: Vec<f64>,
}

impl ExactSum {
    /// The sum of no terms.
    pub fn new() -> ExactSum {
        ExactSum::default()
    }

    /// Adds one term, exactly.
    pub fn add(&mut self, x: f64) {
        add_into(&mut self.partials, x);
    }

    /// Adds the terms of another sum, exactly: the same as adding its terms one by one.
    pub fn merge(&mut self, other: &ExactSum) {
        for &p in &other.partials {
            add_into(&mut self.partials, p);
        }
    }

    /// The exact sum rounded to the nearest float (ties to even): a function of the exact
    /// sum alone, so of the terms and not of their order.
    pub fn value(&self) -> f64 {
        rounded(&self.partials)
    }

    /// The partials (non-overlapping, increasing in magnitude), to be written down and read
    /// back with [`ExactSum::from_partials`].
    pub fn partials(&self) -> &[f64] {
        &self.partials
    }

    /// A sum from partials written by [`ExactSum::partials`]; `None` when they are not
    /// non-overlapping and increasing (not written by an `ExactSum`).
    pub fn from_partials(partials: &[f64]) -> Option<ExactSum> {
        // Below the top (which is zero when the terms cancelled), each partial is non-zero
        // and below the lowest bit of the next.
        let ordered = partials.iter().all(|p| p.is_finite())
            && partials.windows(2).all(|w| w[0] != 0.0 && (w[1] == 0.0 || w[0].abs() < lowest_bit(w[1])));
        ordered.then(|| ExactSum { partials: partials.to_vec() })
    }
}

/// The value of the lowest set bit of a non-zero finite float's significand.
fn lowest_bit(x: f64) -> f64 {
    let bits = x.abs().to_bits();
    let exponent = (bits >> 52) as i32;
    let significand = (bits & ((1 << 52) - 1)) | if exponent > 0 { 1 << 52 } else { 0 };
    let power = exponent.max(1) - 1075 + significand.trailing_zeros() as i32;
    if power >= -1022 {
        f64::from_bits(((power + 1023) as u64) << 52)
    } else {
        f64::from_bits(1 << (power + 1074))
    }
}

/// The exact sum of `terms` rounded once (see [`ExactSum::value`]), with `partials` as the
/// buffer (cleared first), so that a caller summing again and again allocates nothing.
pub fn exact_sum(terms: impl IntoIterator<Item = f64>, partials: &mut Vec<f64>) -> f64 {
    partials.clear();
    for x in terms {
        add_into(partials, x);
    }
    rounded(partials)
}

/// Adds `x` to the expansion `partials`: each partial in turn is added to the running
/// value with its rounding error kept (Knuth's two-sum: exact in any order of magnitude,
/// without a branch), the non-zero errors are the new partials.
#[inline]
fn add_into(partials: &mut Vec<f64>, mut x: f64) {
    let n = partials.len();
    let mut kept = 0;
    for i in 0..n {
        let y = partials[i];
        let hi = x + y;
        let b = hi - x;
        let lo = (x - (hi - b)) + (y - b);
        if lo != 0.0 {
            partials[kept] = lo;
            kept += 1;
        }
        x = hi;
    }
    if kept < n {
        partials[kept] = x;
        partials.truncate(kept + 1);
    } else {
        partials.push(x);
    }
}

/// The expansion's exact value rounded to nearest, ties to even: the largest partials are
/// added from the top until a rounding error appears; when that error is exactly half an
/// ulp and the partials below push the same way, the sum is rounded away from the tie.
fn rounded(partials: &[f64]) -> f64 {
    let Some((&top, rest)) = partials.split_last() else {
        return 0.0;
    };
    let mut hi = top;
    let mut lo = 0.0;
    let mut n = rest.len();
    while n > 0 {
        let x = hi;
        n -= 1;
        let y = rest[n];
        hi = x + y;
        lo = y - (hi - x);
        if lo != 0.0 {
            break;
        }
    }
    if n > 0 && ((lo < 0.0 && rest[n - 1] < 0.0) || (lo > 0.0 && rest[n - 1] > 0.0)) {
        let y = lo * 2.0;
        let x = hi + y;
        if y == x - hi {
            hi = x;
        }
    }
    hi
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sum(terms: &[f64]) -> f64 {
        exact_sum(terms.iter().copied(), &mut Vec::new())
    }

    #[test]
    fn exact_where_a_running_sum_is_not() {
        // Values of Python's math.fsum (CPython's test_math).
        assert_eq!(sum(&[0.1; 10]), 1.0);
        assert_eq!(sum(&[1e100, 1.0, -1e100, 1e-100, 1e50, -1.0, -1e50]), 1e-100);
        assert_eq!(sum(&[2.0f64.powi(53), -0.5, -2.0f64.powi(-54)]), 2.0f64.powi(53) - 1.0);
        assert_eq!(sum(&[2.0f64.powi(53), 1.0, 2.0f64.powi(-100)]), 2.0f64.powi(53) + 2.0);
        assert_eq!(sum(&[2.0f64.powi(53) + 10.0, 1.0, 2.0f64.powi(-100)]), 2.0f64.powi(53) + 12.0);
        assert_eq!(sum(&[2.0f64.powi(53) - 4.0, 0.5, 2.0f64.powi(-54)]), 2.0f64.powi(53) - 3.0);
        assert_eq!(sum(&[1.0, 1e100, 1.0, -1e100]), 2.0);
        // A tie broken by the partial below it, each way.
        assert_eq!(sum(&[1.0, 2.0f64.powi(-53), 2.0f64.powi(-80)]), 1.0 + 2.0f64.powi(-52));
        assert_eq!(sum(&[1.0, 2.0f64.powi(-53), -(2.0f64.powi(-80))]), 1.0);
    }

    #[test]
    fn zeros_keep_their_signs_as_addition_does() {
        assert_eq!(sum(&[]).to_bits(), 0.0f64.to_bits());
        assert_eq!(sum(&[-0.0]).to_bits(), (-0.0f64).to_bits());
        assert_eq!(sum(&[-0.0, -0.0]).to_bits(), (-0.0f64).to_bits());
        assert_eq!(sum(&[-0.0, 0.0]).to_bits(), 0.0f64.to_bits());
        assert_eq!(sum(&[3.5, -3.5]).to_bits(), 0.0f64.to_bits());
    }

    #[test]
    fn merged_parts_equal_the_whole() {
        let terms = [0.1, 1e16, -3.3, 7e-17, 2.5, -1e16, 0.7];
        let mut left = ExactSum::new();
        let mut right = ExactSum::new();
        for (i, &t) in terms.iter().enumerate() {
            if i % 2 == 0 {
                left.add(t)
            } else {
                right.add(t)
            }
        }
        right.merge(&left);
        assert_eq!(right.value(), sum(&terms));
        let back = ExactSum::from_partials(right.partials()).unwrap();
        assert_eq!(back.value(), right.value());
    }

    #[test]
    fn partials_not_written_by_a_sum_are_refused() {
        assert!(ExactSum::from_partials(&[1.0, 0.5]).is_none());
        assert!(ExactSum::from_partials(&[1.0, 1.0]).is_none());
        assert!(ExactSum::from_partials(&[1.0, 3.0]).is_none()); // overlapping bits
        assert!(ExactSum::from_partials(&[0.5, 3.0]).is_some());
        assert!(ExactSum::from_partials(&[2.0f64.powi(-60), 0.0]).is_some()); // cancelled above
        assert_eq!(lowest_bit(6.0), 2.0);
        assert_eq!(lowest_bit(f64::from_bits(3)), f64::from_bits(1));
        assert!(ExactSum::from_partials(&[f64::NAN]).is_none());
        assert!(ExactSum::from_partials(&[2.0f64.powi(-60), 1.0]).is_some());
        assert!(ExactSum::from_partials(&[]).is_some());
    }
}
