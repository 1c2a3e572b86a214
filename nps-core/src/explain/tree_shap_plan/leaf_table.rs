//! One leaf's share of TreeSHAP as a table over the subsets of its path inputs (`B` of the
//! plan's documentation), and the contributions read from it for one subset: the part of
//! Algorithm 2 that does not depend on the row, computed once.
use super::layout::Slot;

/// `B(T)` for every subset `T` of `slots` (bit `k` for slot `k`) into `table` (`2^d`
/// numbers): `value × Σ_k w_k c_k` with `c_k` the coefficient of `t^k` in
/// `Π_{j ∈ T} (z_j + t)` and `w_k = k! (d − 1 − k)! / d!`, the Shapley weight of a coalition
/// of `k` of the `d` path inputs. The full set is never read and holds 0. `poly` is room for
/// `(d + 1)²` numbers.
pub(super) fn fill(table: &mut [f64], slots: &[Slot], value: f64, poly: &mut Vec<f64>) {
    let d = slots.len();
    debug_assert_eq!(table.len(), 1 << d);
    poly.clear();
    poly.resize((d + 1) * (d + 1), 0.0);
    poly[0] = 1.0;
    let weights: Vec<f64> = (0..d).map(|k| factorial(k) * factorial(d - 1 - k) / factorial(d)).collect();
    Filler { slots, weights: &weights, value }.fill(table, poly, 0, 0, 0);
}

/// The contributions of a leaf to each of its slots, for a row that agrees with the slots
/// in `agree` (bit `k` for slot `k`): `credit(k, φ_k)` for every slot, from its `table`
/// ([`fill`]).
///
/// `φ_k = −Z B(agree)` for a slot the row disagrees with, `(1 − z_k) Z B(agree ∖ {k})` for
/// one it agrees with, `Z` the product of the `z` of the slots it disagrees with.
#[inline(always)]
pub(super) fn credit(table: &[f64], slots: &[Slot], agree: u32, mut credit: impl FnMut(usize, f64)) {
    let mut z = 1.0;
    for (k, slot) in slots.iter().enumerate() {
        z *= if agree >> k & 1 == 0 { slot.zero } else { 1.0 };
    }
    let cold = -(z * table[agree as usize]);
    for (k, slot) in slots.iter().enumerate() {
        let bit = 1 << k;
        // Both read, one kept: which side an input is on is a coin toss for the branch
        // predictor, and `agree ^ bit` is a valid index either way.
        let hot = slot.hot * z * table[(agree ^ bit) as usize];
        credit(k, if agree & bit != 0 { hot } else { cold });
    }
}

/// One leaf's table being filled.
struct Filler<'a> {
    slots: &'a [Slot],
    weights: &'a [f64],
    value: f64,
}

impl Filler<'_> {
    /// Fills `B(T)` for `T` = `subset` (of `size` slots, its polynomial in `poly` at level
    /// `size`) and for every superset of it that adds slots from `from` on.
    fn fill(&self, table: &mut [f64], poly: &mut [f64], subset: usize, size: usize, from: usize) {
        let d = self.slots.len();
        let stride = d + 1;
        table[subset] = if size == d {
            0.0
        } else {
            let p = &poly[size * stride..][..=size];
            self.value * p.iter().zip(self.weights).map(|(c, w)| c * w).sum::<f64>()
        };
        for j in from..d {
            // The polynomial of `subset ∪ {j}`, times (z_j + t), into the next level (deeper
            // calls write only below it, so this level stays as it was).
            let (lower, upper) = poly.split_at_mut((size + 1) * stride);
            let (p, next) = (&lower[size * stride..][..=size], &mut upper[..stride]);
            let z = self.slots[j].zero;
            next[0] = z * p[0];
            for k in 1..=size {
                next[k] = z * p[k] + p[k - 1];
            }
            next[size + 1] = p[size];
            self.fill(table, poly, subset | 1 << j, size + 1, j + 1);
        }
    }
}

/// `n!` as a float (exact up to 18!, to rounding beyond).
fn factorial(n: usize) -> f64 {
    (1..=n).map(|k| k as f64).product()
}
