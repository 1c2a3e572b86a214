//! A dense Cholesky solve for the Newton steps of the model fits (a few hundred unknowns
//! at most, so a textbook factorisation is the right tool).
use ndarray::{Array1, Array2};

/// Solves `a x = b` for a symmetric positive-definite `a` (only its lower triangle is read)
/// by Cholesky factorisation. Returns `None` if `a` is not positive definite (to working
/// precision).
pub(crate) fn cholesky_solve(a: &Array2<f64>, b: &Array1<f64>) -> Option<Array1<f64>> {
    let n = b.len();
    let mut l = Array2::<f64>::zeros((n, n));
    for j in 0..n {
        let mut d = a[[j, j]];
        for k in 0..j {
            d -= l[[j, k]] * l[[j, k]];
        }
        if d.is_nan() || d <= 0.0 {
            return None;
        }
        let d = d.sqrt();
        l[[j, j]] = d;
        for i in j + 1..n {
            let mut s = a[[i, j]];
            for k in 0..j {
                s -= l[[i, k]] * l[[j, k]];
            }
            l[[i, j]] = s / d;
        }
    }
    // Forward then back substitution: L y = b, Lᵀ x = y.
    let mut y = b.clone();
    for i in 0..n {
        for k in 0..i {
            y[i] -= l[[i, k]] * y[k];
        }
        y[i] /= l[[i, i]];
    }
    for i in (0..n).rev() {
        for k in i + 1..n {
            y[i] -= l[[k, i]] * y[k];
        }
        y[i] /= l[[i, i]];
    }
    Some(y)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn solves_a_small_system_and_refuses_an_indefinite_one() {
        let a = array![[4.0, 2.0, 0.6], [2.0, 5.0, 1.0], [0.6, 1.0, 3.0]];
        let x = array![1.0, -2.0, 0.5];
        let b = a.dot(&x);
        let got = cholesky_solve(&a, &b).unwrap();
        for (g, w) in got.iter().zip(&x) {
            assert!((g - w).abs() < 1e-14, "{g} vs {w}");
        }
        assert!(cholesky_solve(&array![[1.0, 2.0], [2.0, 1.0]], &array![1.0, 1.0]).is_none());
    }
}
