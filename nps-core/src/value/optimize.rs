//! The maximum-likelihood fits' minimiser: quasi-Newton (BFGS) steps on the
//! log-parameters with a backtracking line search, finished by Newton steps on a
//! finite-difference Hessian of the analytic gradient, so that the optimum is found to
//! the last digits the objective resolves (not just to a loose gradient tolerance).
#![allow(clippy::needless_range_loop)] // index loops over small matrices and aligned columns read best
use crate::error::{NpsError, Result};

/// The most BFGS iterations before a fit reports that it did not converge.
pub const MAX_ITERATIONS: usize = 1_000;

/// The gradient size (largest component) under which the minimum is reached.
pub const GRADIENT_TOLERANCE: f64 = 1e-9;

/// The largest log-parameter (in size) of a fit that converged: beyond it (a parameter above
/// 8.9 × 10⁶ or below 1.1 × 10⁻⁷) the likelihood has no maximum at finite parameters.
pub const MAX_LOG_PARAMETER: f64 = 16.0;

/// A minimum found by [`minimize`].
#[derive(Debug, Clone, PartialEq)]
pub struct Minimum {
    /// Where the minimum is.
    pub x: Vec<f64>,
    /// The objective there.
    pub value: f64,
    /// The Hessian there (finite differences of the gradient, symmetrised).
    pub hessian: Vec<Vec<f64>>,
    /// BFGS iterations taken.
    pub iterations: usize,
}

fn inf_norm(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |m, g| m.max(g.abs()))
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Minimises `objective` (value and gradient at a point) from `start`, over the logarithms of
/// the parameters `names`. `model` names the fit in the error when it does not converge
/// (non-finite objective at the start, no progress within [`MAX_ITERATIONS`], or a
/// parameter running off to 0 or infinity).
pub fn minimize<F>(objective: F, start: &[f64], model: &str, names: &[&str]) -> Result<Minimum>
where
    F: Fn(&[f64]) -> (f64, Vec<f64>),
{
    let n = start.len();
    let not_converged = |reason: String| {
        NpsError::invalid(
            &format!("{model} fit"),
            format!("no convergence: {reason}"),
            "a converging fit (check the data, or add a penalizer_coef)",
        )
    };
    let mut x = start.to_vec();
    let (mut f, mut g) = objective(&x);
    if !f.is_finite() || g.iter().any(|v| !v.is_finite()) {
        return Err(not_converged(format!("the log-likelihood is not finite at the start {start:?}")));
    }
    // Inverse Hessian approximation, identity at first.
    let mut h: Vec<Vec<f64>> = (0..n).map(|i| (0..n).map(|j| f64::from(u8::from(i == j))).collect()).collect();
    let mut iterations = 0;
    let mut stalled = 0;
    while inf_norm(&g) > GRADIENT_TOLERANCE {
        if iterations == MAX_ITERATIONS {
            return Err(not_converged(format!(
                "{MAX_ITERATIONS} iterations, gradient still {:.3e} at log-parameters {x:?}",
                inf_norm(&g)
            )));
        }
        iterations += 1;
        let mut direction: Vec<f64> = h.iter().map(|row| -dot(row, &g)).collect();
        let mut slope = dot(&direction, &g);
        if slope >= 0.0 {
            // Not a descent direction: restart from steepest descent.
            h = (0..n).map(|i| (0..n).map(|j| f64::from(u8::from(i == j))).collect()).collect();
            direction = g.iter().map(|v| -v).collect();
            slope = dot(&direction, &g);
        }
        // Keep the step in log-parameters moderate: exp of a large step overflows.
        let largest = inf_norm(&direction);
        let mut step = if largest > 5.0 { 5.0 / largest } else { 1.0 };
        let mut accepted = None;
        for _ in 0..60 {
            let trial: Vec<f64> = x.iter().zip(&direction).map(|(xi, d)| xi + step * d).collect();
            let (ft, gt) = objective(&trial);
            if ft.is_finite() && gt.iter().all(|v| v.is_finite()) && ft <= f + 1e-4 * step * slope {
                accepted = Some((trial, ft, gt));
                break;
            }
            step *= 0.5;
        }
        let Some((x_new, f_new, g_new)) = accepted else {
            // No decrease along the direction: at the resolution of the objective.
            if stalled > 0 {
                break;
            }
            stalled += 1;
            h = (0..n).map(|i| (0..n).map(|j| f64::from(u8::from(i == j))).collect()).collect();
            continue;
        };
        stalled = 0;
        let s: Vec<f64> = x_new.iter().zip(&x).map(|(a, b)| a - b).collect();
        let y: Vec<f64> = g_new.iter().zip(&g).map(|(a, b)| a - b).collect();
        let sy = dot(&s, &y);
        if sy > 1e-300 {
            // H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ
            let rho = 1.0 / sy;
            let hy: Vec<f64> = h.iter().map(|row| dot(row, &y)).collect();
            let yhy = dot(&y, &hy);
            for i in 0..n {
                for j in 0..n {
                    h[i][j] += -rho * (hy[i] * s[j] + s[i] * hy[j]) + (rho * rho * yhy + rho) * s[i] * s[j];
                }
            }
        }
        let small_change = (f - f_new).abs() <= 1e-16 * f.abs().max(1.0);
        x = x_new;
        f = f_new;
        g = g_new;
        if small_change && inf_norm(&g) < 1e-6 {
            break;
        }
    }
    // Newton polish on the finite-difference Hessian (quadratic convergence near the optimum).
    let mut hessian = hessian_of(&objective, &x);
    for _ in 0..5 {
        if inf_norm(&g) <= 1e-13 {
            break;
        }
        let Some(step) = solve(&hessian, &g) else { break };
        let trial: Vec<f64> = x.iter().zip(&step).map(|(xi, d)| xi - d).collect();
        let (ft, gt) = objective(&trial);
        if !(ft.is_finite() && inf_norm(&gt) < inf_norm(&g)) {
            break;
        }
        x = trial;
        f = ft;
        g = gt;
        hessian = hessian_of(&objective, &x);
    }
    if let Some(i) = x.iter().position(|v| v.abs() > MAX_LOG_PARAMETER) {
        return Err(not_converged(format!(
            "{} ran off to {:.3e} (the data do not pin the model down)",
            names.get(i).copied().unwrap_or("a parameter"),
            x[i].exp()
        )));
    }
    if inf_norm(&g) > 1e-5 {
        return Err(not_converged(format!(
            "the gradient is still {:.3e} at log-parameters {x:?} after {iterations} iterations",
            inf_norm(&g)
        )));
    }
    Ok(Minimum { x, value: f, hessian, iterations })
}

/// The Hessian at `x` by central differences of the analytic gradient, symmetrised.
pub fn hessian_of<F>(objective: &F, x: &[f64]) -> Vec<Vec<f64>>
where
    F: Fn(&[f64]) -> (f64, Vec<f64>),
{
    let n = x.len();
    let mut hessian = vec![vec![0.0; n]; n];
    for j in 0..n {
        let h = 1e-5 * x[j].abs().max(1.0);
        let mut plus = x.to_vec();
        plus[j] += h;
        let mut minus = x.to_vec();
        minus[j] -= h;
        let (_, gp) = objective(&plus);
        let (_, gm) = objective(&minus);
        for i in 0..n {
            hessian[i][j] = (gp[i] - gm[i]) / (2.0 * h);
        }
    }
    for i in 0..n {
        for j in 0..i {
            let m = 0.5 * (hessian[i][j] + hessian[j][i]);
            hessian[i][j] = m;
            hessian[j][i] = m;
        }
    }
    hessian
}

/// Solves `a x = b` by Gaussian elimination with partial pivoting; `None` when `a` is
/// singular.
pub fn solve(a: &[Vec<f64>], b: &[f64]) -> Option<Vec<f64>> {
    let n = b.len();
    let mut m: Vec<Vec<f64>> = a.iter().zip(b).map(|(row, bi)| row.iter().copied().chain([*bi]).collect()).collect();
    for col in 0..n {
        let pivot = (col..n).max_by(|&i, &j| m[i][col].abs().total_cmp(&m[j][col].abs()))?;
        if m[pivot][col].abs() < 1e-300 || !m[pivot][col].is_finite() {
            return None;
        }
        m.swap(col, pivot);
        for row in col + 1..n {
            let factor = m[row][col] / m[col][col];
            for k in col..=n {
                m[row][k] -= factor * m[col][k];
            }
        }
    }
    let mut x = vec![0.0; n];
    for row in (0..n).rev() {
        let tail: f64 = (row + 1..n).map(|k| m[row][k] * x[k]).sum();
        x[row] = (m[row][n] - tail) / m[row][row];
    }
    Some(x)
}

/// The inverse of a symmetric positive-definite matrix (the Hessian at a minimum), column
/// by column; `None` when singular.
pub fn inverse(a: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let n = a.len();
    let mut columns = Vec::with_capacity(n);
    for j in 0..n {
        let e: Vec<f64> = (0..n).map(|i| f64::from(u8::from(i == j))).collect();
        columns.push(solve(a, &e)?);
    }
    Some((0..n).map(|i| (0..n).map(|j| columns[j][i]).collect()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_minimum_of_rosenbrock() {
        let f = |x: &[f64]| {
            let (a, b) = (x[0], x[1]);
            let v = (1.0 - a).powi(2) + 100.0 * (b - a * a).powi(2);
            let g = vec![-2.0 * (1.0 - a) - 400.0 * a * (b - a * a), 200.0 * (b - a * a)];
            (v, g)
        };
        let m = minimize(f, &[-1.2, 1.0], "test", &["a", "b"]).unwrap();
        assert!((m.x[0] - 1.0).abs() < 1e-8 && (m.x[1] - 1.0).abs() < 1e-8, "{:?}", m.x);
    }
}
