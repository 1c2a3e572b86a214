//! The logistic fit of a table held in parts (the partitions of a cluster): a driver asks
//! for the sums of every part at one point, merges them and hands them back; Newton's
//! method with a backtracking line search, as [`super::fit_logistic`], reaches the same
//! minimum (to the tolerance) without the rows ever meeting in one place.
use ndarray::{Array1, Array2};

use super::checks::{check_options, class_weights};
use super::newton::newton_step;
use super::sums::LogisticSums;
use super::{ConvergenceReport, LogisticFit, LogisticOptions};
use crate::error::{NpsError, Result};

/// The objective, gradient and Hessian at an accepted point.
#[derive(Debug, Clone)]
struct Evaluation {
    coef: Vec<f64>,
    intercept: f64,
    objective: f64,
    gradient: Array1<f64>,
    hessian: Array2<f64>,
}

/// A logistic fit driven from outside: [`Self::point`] says where to evaluate,
/// [`Self::update`] takes the merged [`LogisticSums`] of every part there, until it
/// returns `true`; then [`Self::fit`] is the fit. Each update costs one pass over the parts.
///
/// The objective is [`super::fit_logistic`]'s, C Σ sᵢ ℓᵢ + ½‖w‖², and so is the stopping
/// rule, so both fits end within the tolerance of the same minimum: at `tol = 1e-10` the
/// coefficients agree with the single-machine fit to 1e-8 (a few 1e-8 apart at the default
/// 1e-8, where either may stop one quadratic step short of the other).
#[derive(Debug, Clone)]
pub struct DistributedFit {
    options: LogisticOptions,
    columns: usize,
    class: Option<[f64; 2]>,
    scale: f64,
    base: Option<Evaluation>,
    direction: Vec<f64>,
    slope: f64,
    step: f64,
    point: (Vec<f64>, f64),
    report: ConvergenceReport,
    rows: [f64; 2],
    column_sum: Vec<f64>,
    done: bool,
}

impl DistributedFit {
    /// A fit of `columns` columns; errors for options [`super::fit_logistic`] refuses.
    pub fn new(columns: usize, options: &LogisticOptions) -> Result<DistributedFit> {
        check_options(options)?;
        Ok(DistributedFit {
            options: *options,
            columns,
            class: None,
            scale: 1.0,
            base: None,
            direction: Vec::new(),
            slope: 0.0,
            step: 1.0,
            point: (vec![0.0; columns], 0.0),
            report: ConvergenceReport {
                iterations: 0,
                gradient_norm: f64::INFINITY,
                objective: f64::INFINITY,
                converged: false,
                solver: "newton-distributed".into(),
            },
            rows: [0.0; 2],
            column_sum: vec![0.0; columns],
            done: false,
        })
    }

    /// Where the parts' sums are needed next: (coef, intercept; None without one).
    pub fn point(&self) -> (&[f64], Option<f64>) {
        (&self.point.0, self.options.fit_intercept.then_some(self.point.1))
    }

    /// Whether the fit has finished.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// Takes the merged sums of every part at [`Self::point`]; returns whether the fit has
    /// finished. Errors: sums of other columns, a class absent from every part, all weights
    /// zero, an update after the end.
    pub fn update(&mut self, sums: &LogisticSums) -> Result<bool> {
        if self.done {
            return Err(NpsError::invalid("update", "after the end", "no update once the fit is done"));
        }
        if (sums.columns, sums.intercept) != (self.columns, self.options.fit_intercept) {
            return Err(NpsError::invalid(
                "sums",
                format!("{} columns", sums.columns),
                &format!("the sums of {} columns at the point asked for", self.columns),
            ));
        }
        let class = match self.class {
            Some(class) => class,
            None => self.resolve_classes(sums)?,
        };
        self.rows = sums.rows;
        self.column_sum.clone_from(&sums.column_sum);
        let evaluation = self.evaluate(sums, class);
        if let Some(base) = &self.base {
            let rounding = -self.slope <= 1e-12 * (1.0 + base.objective.abs());
            if !(rounding || evaluation.objective <= base.objective + 1e-4 * self.step * self.slope) {
                self.step *= 0.5;
                if self.step < 1e-12 {
                    // No decrease along the Newton direction: the minimum to working precision.
                    self.report.converged = self.report.gradient_norm <= self.options.tol.max(1e-12);
                    self.done = true;
                    return Ok(true);
                }
                self.point = self.along(self.step);
                return Ok(false);
            }
            self.report.iterations += 1;
        }
        let gradient_norm = evaluation.gradient.iter().fold(0.0f64, |a, v| a.max(v.abs())) / self.scale;
        self.report.gradient_norm = gradient_norm;
        self.report.objective = evaluation.objective;
        let step = newton_step(&evaluation.hessian, &evaluation.gradient);
        self.slope = evaluation.gradient.iter().zip(step.iter()).map(|(a, b)| a * b).sum();
        self.direction = step.to_vec();
        self.base = Some(evaluation);
        if gradient_norm <= self.options.tol {
            self.report.converged = true;
            self.done = true;
        } else if self.report.iterations >= self.options.max_iter {
            self.done = true;
        } else {
            self.step = 1.0;
            self.point = self.along(1.0);
        }
        Ok(self.done)
    }

    /// The fit, once [`Self::update`] has returned `true`.
    pub fn fit(&self) -> Result<LogisticFit> {
        let base = match (&self.base, self.done) {
            (Some(base), true) => base,
            _ => return Err(NpsError::invalid("fit", "not finished", "update until it returns true")),
        };
        Ok(LogisticFit { coef: base.coef.clone(), intercept: base.intercept, report: self.report.clone() })
    }

    /// Rows of class 0 and 1 (of positive weight) in the parts.
    pub fn rows(&self) -> [f64; 2] {
        self.rows
    }

    /// The mean of each column over the rows (of positive weight).
    pub fn column_mean(&self) -> Vec<f64> {
        let n = self.rows[0] + self.rows[1];
        self.column_sum.iter().map(|s| s / n).collect()
    }

    fn resolve_classes(&mut self, sums: &LogisticSums) -> Result<[f64; 2]> {
        let class = class_weights(sums.rows, self.options.class_weight)?;
        let total = class[0] * sums.weight[0] + class[1] * sums.weight[1];
        if total <= 0.0 {
            return Err(NpsError::invalid("sample_weight", "all zero", "some positive weight"));
        }
        self.scale = self.options.c * total;
        self.class = Some(class);
        Ok(class)
    }

    fn evaluate(&self, sums: &LogisticSums, class: [f64; 2]) -> Evaluation {
        let (p, c) = (self.columns, self.options.c);
        let m = p + self.options.fit_intercept as usize;
        let (coef, intercept) = self.point.clone();
        let loss = class[0] * sums.loss[0] + class[1] * sums.loss[1];
        let objective = c * loss + 0.5 * coef.iter().map(|v| v * v).sum::<f64>();
        let mut gradient =
            Array1::from_shape_fn(m, |j| c * (class[0] * sums.gradient[0][j] + class[1] * sums.gradient[1][j]));
        let mut hessian = Array2::from_shape_fn((m, m), |(i, j)| {
            c * (class[0] * sums.hessian[0][i * m + j] + class[1] * sums.hessian[1][i * m + j])
        });
        for j in 0..p {
            gradient[j] += coef[j];
            hessian[[j, j]] += 1.0;
        }
        Evaluation { coef, intercept, objective, gradient, hessian }
    }

    /// base + t · direction.
    fn along(&self, t: f64) -> (Vec<f64>, f64) {
        let base = self.base.as_ref().expect("a base point before a step");
        let coef = base.coef.iter().zip(&self.direction).map(|(w, d)| w + t * d).collect();
        let intercept =
            if self.options.fit_intercept { base.intercept + t * self.direction[self.columns] } else { 0.0 };
        (coef, intercept)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{fit_logistic, ClassWeight};
    use ndarray::{s, Array2};

    fn data(n: usize, p: usize) -> (Array2<f64>, Vec<f64>, Vec<f64>) {
        let mut state = 7u64;
        let mut next = || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let x = Array2::from_shape_fn((n, p), |(_, j)| next() * (j + 1) as f64 - 0.5);
        let y = (0..n)
            .map(|i| {
                let z = 0.3 + x.row(i).iter().enumerate().map(|(j, v)| v * (0.7 - 0.3 * j as f64)).sum::<f64>();
                f64::from(next() < 1.0 / (1.0 + (-z).exp()))
            })
            .collect();
        let w = (0..n).map(|i| if i % 17 == 0 { 0.0 } else { 0.5 + (i % 3) as f64 }).collect();
        (x, y, w)
    }

    fn distributed(x: &Array2<f64>, y: &[f64], w: Option<&[f64]>, options: &LogisticOptions) -> (LogisticFit, usize) {
        let cuts = [0, 1, 400, 401, 1_300, x.nrows()];
        let mut driver = DistributedFit::new(x.ncols(), options).unwrap();
        let mut passes = 0;
        loop {
            let (coef, intercept) = driver.point();
            let (coef, intercept) = (coef.to_vec(), intercept);
            let mut merged = LogisticSums::zero(x.ncols(), options.fit_intercept);
            for part in cuts.windows(2) {
                let (a, b) = (part[0], part[1]);
                let sums = LogisticSums::of(x.slice(s![a..b, ..]), &y[a..b], w.map(|w| &w[a..b]), &coef, intercept);
                merged.merge(&sums.unwrap()).unwrap();
            }
            let round_trip = LogisticSums::from_vec(x.ncols(), options.fit_intercept, &merged.to_vec()).unwrap();
            assert_eq!(round_trip, merged);
            passes += 1;
            if driver.update(&merged).unwrap() {
                return (driver.fit().unwrap(), passes);
            }
        }
    }

    #[test]
    fn the_parts_reach_the_single_machine_fit() {
        let (x, y, w) = data(2_000, 5);
        let zero: Vec<usize> = (0..2_000).filter(|i| w[*i] > 0.0).collect();
        // Both fits stop within the tolerance of the same minimum: at the default 1e-8 the
        // coefficients can differ by a few 1e-8, at 1e-10 they agree to 1e-8 (measured 1e-11).
        let tight = LogisticOptions { tol: 1e-10, ..Default::default() };
        for (options, weighted) in [
            (tight, false),
            (LogisticOptions { c: 0.05, class_weight: ClassWeight::Balanced, ..tight }, true),
            (LogisticOptions { fit_intercept: false, ..tight }, false),
            (LogisticOptions { class_weight: ClassWeight::Custom { negative: 1.0, positive: 3.0 }, ..tight }, true),
            (LogisticOptions::default(), true),
        ] {
            let (got, passes) = distributed(&x, &y, weighted.then_some(&w[..]), &options);
            // One machine leaves rows of weight zero out before the class counts.
            let want = if weighted {
                let xs = x.select(ndarray::Axis(0), &zero);
                let ys: Vec<f64> = zero.iter().map(|&i| y[i]).collect();
                let ws: Vec<f64> = zero.iter().map(|&i| w[i]).collect();
                fit_logistic(xs.view(), &ys, Some(&ws), &options).unwrap()
            } else {
                fit_logistic(x.view(), &y, None, &options).unwrap()
            };
            assert!(got.report.converged && passes < 20, "{:?}", got.report);
            let epsilon = if options.tol < 1e-8 { 1e-8 } else { 1e-7 };
            for (a, b) in got.coef.iter().zip(&want.coef) {
                approx::assert_abs_diff_eq!(a, b, epsilon = epsilon);
            }
            approx::assert_abs_diff_eq!(got.intercept, want.intercept, epsilon = epsilon);
        }
    }

    #[test]
    fn one_class_and_misuse_are_errors() {
        let (x, _, _) = data(50, 2);
        let ones = vec![1.0; 50];
        let mut driver = DistributedFit::new(2, &LogisticOptions::default()).unwrap();
        let sums = LogisticSums::of(x.view(), &ones, None, &[0.0, 0.0], Some(0.0)).unwrap();
        assert!(driver.update(&sums).unwrap_err().to_string().contains("only class 1"));
        assert!(driver.fit().is_err());
        let mut bad = ones.clone();
        bad[3] = 2.0;
        let e = LogisticSums::of(x.view(), &bad, None, &[0.0, 0.0], Some(0.0)).unwrap_err().to_string();
        assert!(e.contains("y") && e.contains('3'), "{e}");
        let e = LogisticSums::of(x.view(), &ones, None, &[0.0], Some(0.0)).unwrap_err().to_string();
        assert!(e.contains("coef"), "{e}");
        let other = LogisticSums::zero(3, true);
        assert!(driver.update(&other).is_err());
        assert!(DistributedFit::new(2, &LogisticOptions { c: 0.0, ..Default::default() }).is_err());
    }
}
