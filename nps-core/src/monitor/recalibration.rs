//! Recalibration without retraining: a map from a model's probability to a calibrated one,
//! fitted on recent outcomes. Platt scaling (a logistic regression of the outcome on the
//! probability's log-odds) and isotonic regression (pool-adjacent-violators, scikit-learn's
//! `IsotonicRegression(out_of_bounds="clip")`). Plain data, saved as JSON.
use serde::{Deserialize, Serialize};

use crate::error::{check_lengths, check_sample_weights, NpsError, Result};
use crate::metrics::check;

/// Probabilities are clipped to [ε, 1 − ε] before their log-odds are taken (ε = 1e-12), so
/// that 0 and 1 have finite log-odds.
pub const LOGIT_EPSILON: f64 = 1e-12;

/// Newton steps of a Platt fit at most.
pub const PLATT_MAX_ITER: usize = 100;

/// log(p / (1 − p)) of p clipped to [`LOGIT_EPSILON`], 1 − [`LOGIT_EPSILON`].
pub fn logit(p: f64) -> f64 {
    let p = p.clamp(LOGIT_EPSILON, 1.0 - LOGIT_EPSILON);
    (p / (1.0 - p)).ln()
}

fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// Platt scaling: calibrated p = σ(intercept + slope · logit(p)). A slope of 1 and an
/// intercept of 0 leave the probabilities as they are; the fitted slope is the calibration
/// slope (below 1: the model is overconfident).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PlattScaling {
    /// The intercept.
    pub intercept: f64,
    /// The slope on the log-odds.
    pub slope: f64,
    /// Standard error of the intercept (inverse of the information at the fit).
    pub intercept_se: f64,
    /// Standard error of the slope.
    pub slope_se: f64,
    /// Newton steps taken.
    pub iterations: usize,
    /// Whether the gradient reached 1e-10 (false for separable outcomes).
    pub converged: bool,
}

impl PlattScaling {
    /// Fits by Newton's method the unpenalised logistic regression of `y` (0/1) on logit(p)
    /// with optional weights (scikit-learn's `LogisticRegression(C=inf)` on the column
    /// logit(p)). Errors: the metrics' input errors (empty, NaN, p outside [0, 1], lengths),
    /// one class only.
    pub fn fit(y: &[f64], p: &[f64], weights: Option<&[f64]>) -> Result<PlattScaling> {
        check(y, p, weights, true)?;
        let w = |i: usize| weights.map_or(1.0, |w| w[i]);
        let (pos, total): (f64, f64) = (0..y.len()).fold((0.0, 0.0), |(a, b), i| (a + w(i) * y[i], b + w(i)));
        if pos <= 0.0 || pos >= total {
            return Err(NpsError::invalid("y", "one class only", "both classes (a calibration needs both outcomes)"));
        }
        let x: Vec<f64> = p.iter().map(|&v| logit(v)).collect();
        let (mut a, mut b) = (0.0f64, 1.0f64);
        let (mut iterations, mut converged) = (0, false);
        let mut info = [0.0; 3];
        for it in 0..=PLATT_MAX_ITER {
            let (mut g0, mut g1) = (0.0, 0.0);
            info = [0.0; 3];
            for i in 0..y.len() {
                let q = sigmoid(a + b * x[i]);
                let r = w(i) * (y[i] - q);
                let h = w(i) * q * (1.0 - q);
                g0 += r;
                g1 += r * x[i];
                info[0] += h;
                info[1] += h * x[i];
                info[2] += h * x[i] * x[i];
            }
            iterations = it;
            if g0.abs().max(g1.abs()) <= 1e-10 * total.max(1.0) {
                converged = true;
                break;
            }
            if it == PLATT_MAX_ITER {
                break;
            }
            let det = info[0] * info[2] - info[1] * info[1];
            if det.is_nan() || det <= 0.0 {
                break;
            }
            let (d0, d1) = ((info[2] * g0 - info[1] * g1) / det, (info[0] * g1 - info[1] * g0) / det);
            // Halve a step that would lower the likelihood (a far start on separable data).
            let loglik = |a: f64, b: f64| -> f64 {
                (0..y.len())
                    .map(|i| {
                        let z = a + b * x[i];
                        // log σ(z) = −log(1 + e^(−z)), log(1 − σ(z)) = −log(1 + e^z)
                        let l = if y[i] == 1.0 { -(-z).exp().ln_1p() } else { -(z.exp().ln_1p()) };
                        w(i) * if l.is_finite() { l } else { z.min(-z) }
                    })
                    .sum()
            };
            let before = loglik(a, b);
            let mut t = 1.0;
            while t > 1e-8 && loglik(a + t * d0, b + t * d1) < before - 1e-12 * before.abs() {
                t *= 0.5;
            }
            a += t * d0;
            b += t * d1;
        }
        let det = info[0] * info[2] - info[1] * info[1];
        let (intercept_se, slope_se) =
            if det > 0.0 { ((info[2] / det).sqrt(), (info[0] / det).sqrt()) } else { (f64::NAN, f64::NAN) };
        Ok(PlattScaling { intercept: a, slope: b, intercept_se, slope_se, iterations, converged })
    }

    /// The calibrated probability of each of `p`.
    pub fn apply(&self, p: &[f64]) -> Result<Vec<f64>> {
        check_probabilities(p)?;
        Ok(p.iter().map(|&v| sigmoid(self.intercept + self.slope * logit(v))).collect())
    }
}

/// Isotonic regression: the non-decreasing step function of p closest to the outcomes in
/// (weighted) squared error, interpolated linearly between its points and clipped to the
/// fitted range, as scikit-learn's `IsotonicRegression(out_of_bounds="clip")`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IsotonicCalibration {
    /// The fitted points' probabilities, ascending (scikit-learn's `X_thresholds_`).
    pub x: Vec<f64>,
    /// The calibrated value at each (`y_thresholds_`), non-decreasing.
    pub y: Vec<f64>,
}

impl IsotonicCalibration {
    /// Fits on `y` (any numbers; 0/1 outcomes for a calibration) against `p`, with optional
    /// weights (rows of weight 0 left out). Equal p values are one point, their mean outcome
    /// weighted by their total weight (scikit-learn's ties); pool-adjacent-violators then
    /// averages every decreasing run. Errors: empty, NaN, lengths, negative weights.
    pub fn fit(y: &[f64], p: &[f64], weights: Option<&[f64]>) -> Result<IsotonicCalibration> {
        check_finite(y, p, weights)?;
        let w = |i: usize| weights.map_or(1.0, |w| w[i]);
        let mut order: Vec<usize> = (0..y.len()).filter(|&i| w(i) > 0.0).collect();
        if order.is_empty() {
            return Err(NpsError::invalid("sample_weight", "all zero", "some positive weight"));
        }
        order.sort_by(|&a, &b| p[a].total_cmp(&p[b]).then(y[a].total_cmp(&y[b])));
        // Ties of p (within numpy's float64 resolution, 1e-15, as scikit-learn merges).
        let (mut xs, mut sums, mut ws): (Vec<f64>, Vec<f64>, Vec<f64>) = (Vec::new(), Vec::new(), Vec::new());
        for &i in &order {
            match xs.last() {
                Some(&last) if p[i] - last < 1e-15 => {
                    *sums.last_mut().expect("a point") += y[i] * w(i);
                    *ws.last_mut().expect("a point") += w(i);
                }
                _ => {
                    xs.push(p[i]);
                    sums.push(y[i] * w(i));
                    ws.push(w(i));
                }
            }
        }
        let means: Vec<f64> = sums.iter().zip(&ws).map(|(s, w)| s / w).collect();
        let fitted = pool_adjacent_violators(&means, &ws);
        // Keep the ends of each flat run only (the interpolation is the same).
        let n = xs.len();
        let keep = |k: usize| k == 0 || k + 1 == n || fitted[k] != fitted[k - 1] || fitted[k] != fitted[k + 1];
        let (x, y) = (0..n).filter(|&k| keep(k)).map(|k| (xs[k], fitted[k])).unzip();
        Ok(IsotonicCalibration { x, y })
    }

    /// The calibrated value of each of `p`: clipped to the fitted range, then interpolated
    /// linearly between the fitted points (`numpy.interp`).
    pub fn apply(&self, p: &[f64]) -> Result<Vec<f64>> {
        if let Some(i) = p.iter().position(|v| v.is_nan()) {
            return Err(NpsError::Missing { field: "p".into(), index: i });
        }
        let (x, y) = (&self.x, &self.y);
        Ok(p.iter()
            .map(|&v| {
                let v = v.clamp(x[0], x[x.len() - 1]);
                let j = x.partition_point(|&e| e <= v);
                if j == 0 {
                    y[0]
                } else if j == x.len() || x[j - 1] == v {
                    y[j - 1]
                } else {
                    let slope = (y[j] - y[j - 1]) / (x[j] - x[j - 1]);
                    slope * (v - x[j - 1]) + y[j - 1]
                }
            })
            .collect())
    }
}

/// The non-decreasing sequence closest to `values` in weighted squared error: adjacent
/// blocks that violate the order are pooled into their weighted mean, a stack of blocks
/// merged backwards as soon as a violation appears (one pass).
pub fn pool_adjacent_violators(values: &[f64], weights: &[f64]) -> Vec<f64> {
    // Each block: (weighted sum, weight, length).
    let mut blocks: Vec<(f64, f64, usize)> = Vec::with_capacity(values.len());
    for (&v, &w) in values.iter().zip(weights) {
        let mut block = (v * w, w, 1usize);
        while let Some(&(s, bw, len)) = blocks.last() {
            if s / bw >= block.0 / block.1 {
                blocks.pop();
                block = (block.0 + s, block.1 + bw, block.2 + len);
            } else {
                break;
            }
        }
        blocks.push(block);
    }
    let mut out = Vec::with_capacity(values.len());
    for (s, w, len) in blocks {
        out.extend(std::iter::repeat_n(s / w, len));
    }
    out
}

fn check_probabilities(p: &[f64]) -> Result<()> {
    for (index, &v) in p.iter().enumerate() {
        if v.is_nan() {
            return Err(NpsError::Missing { field: "p".into(), index });
        }
        if !(0.0..=1.0).contains(&v) {
            return Err(NpsError::OutOfRange { field: "p".into(), index, value: v, range: "[0, 1]".into() });
        }
    }
    Ok(())
}

fn check_finite(y: &[f64], p: &[f64], weights: Option<&[f64]>) -> Result<()> {
    if y.is_empty() {
        return Err(NpsError::Empty { field: "y".into() });
    }
    check_lengths("p", p.len(), "y", y.len())?;
    for (field, values) in [("y", y), ("p", p)] {
        for (index, &v) in values.iter().enumerate() {
            if v.is_nan() {
                return Err(NpsError::Missing { field: field.into(), index });
            }
            if v.is_infinite() {
                return Err(NpsError::OutOfRange {
                    field: field.into(),
                    index,
                    value: v,
                    range: "finite numbers".into(),
                });
            }
        }
    }
    match weights {
        Some(w) => check_sample_weights(w, "y", y.len()),
        None => Ok(()),
    }
}

/// A fitted recalibration of either method, as saved (`{"method": "platt", ...}` or
/// `{"method": "isotonic", ...}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Recalibration {
    /// Platt scaling.
    Platt(PlattScaling),
    /// Isotonic regression.
    Isotonic(IsotonicCalibration),
}

/// The method a model's `recalibrate` uses when none is named: Platt scaling keeps the
/// scores' order and needs few outcomes.
pub const DEFAULT_RECALIBRATION: &str = "platt";

/// The methods by name, for the bindings.
pub const RECALIBRATION_METHODS: [&str; 2] = ["platt", "isotonic"];

impl Recalibration {
    /// Fits the method named `method` (`"platt"` or `"isotonic"`).
    pub fn fit(method: &str, y: &[f64], p: &[f64], weights: Option<&[f64]>) -> Result<Recalibration> {
        match method {
            "platt" => Ok(Recalibration::Platt(PlattScaling::fit(y, p, weights)?)),
            "isotonic" => Ok(Recalibration::Isotonic(IsotonicCalibration::fit(y, p, weights)?)),
            other => Err(NpsError::unknown("method", other, &RECALIBRATION_METHODS)),
        }
    }

    /// The method's name.
    pub fn method(&self) -> &'static str {
        match self {
            Recalibration::Platt(_) => "platt",
            Recalibration::Isotonic(_) => "isotonic",
        }
    }

    /// The calibrated probabilities.
    pub fn apply(&self, p: &[f64]) -> Result<Vec<f64>> {
        match self {
            Recalibration::Platt(m) => m.apply(p),
            Recalibration::Isotonic(m) => m.apply(p),
        }
    }

    /// As JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a recalibration serialises")
    }

    /// Reads one back, checking it (finite numbers; isotonic points ascending, values
    /// non-decreasing, as many of each, at least one).
    pub fn from_json(text: &str) -> Result<Recalibration> {
        let r: Recalibration =
            serde_json::from_str(text).map_err(|e| NpsError::invalid("recalibration", e, "a saved recalibration"))?;
        r.validate()?;
        Ok(r)
    }

    /// Checks a recalibration (see [`Self::from_json`]).
    pub fn validate(&self) -> Result<()> {
        match self {
            Recalibration::Platt(m) => {
                if !(m.intercept.is_finite() && m.slope.is_finite()) {
                    return Err(NpsError::invalid("slope", m.slope, "finite intercept and slope"));
                }
            }
            Recalibration::Isotonic(m) => {
                if m.x.is_empty() {
                    return Err(NpsError::Empty { field: "x".into() });
                }
                if m.x.len() != m.y.len() {
                    return Err(NpsError::LengthMismatch {
                        field: "y".into(),
                        actual: m.y.len(),
                        other: "x".into(),
                        expected: m.x.len(),
                    });
                }
                if m.x.windows(2).any(|w| w[0] >= w[1]) || m.x.iter().any(|v| !v.is_finite()) {
                    return Err(NpsError::invalid("x", "not ascending", "ascending finite numbers"));
                }
                if m.y.windows(2).any(|w| w[0] > w[1]) || m.y.iter().any(|v| !v.is_finite()) {
                    return Err(NpsError::invalid("y", "decreasing", "non-decreasing finite numbers"));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pava_pools_violators() {
        let out = pool_adjacent_violators(&[1.0, 3.0, 2.0, 4.0, 0.0], &[1.0, 1.0, 1.0, 1.0, 3.0]);
        assert_eq!(out, vec![1.0, 1.5, 1.5, 1.5, 1.5]);
        // weights: (3·1 + 2·3)/4
        let out = pool_adjacent_violators(&[3.0, 2.0], &[1.0, 3.0]);
        assert_eq!(out, vec![2.25, 2.25]);
    }

    #[test]
    fn isotonic_ties_and_clipping() {
        let p = [0.1, 0.2, 0.2, 0.4, 0.9];
        let y = [0.0, 1.0, 0.0, 0.0, 1.0];
        let m = IsotonicCalibration::fit(&y, &p, None).unwrap();
        // ties at 0.2 → 0.5; 0.5 then 0 at 0.4 pool to (0.5·2 + 0)/3 = 1/3.
        assert_eq!(m.x, vec![0.1, 0.2, 0.4, 0.9]);
        assert!((m.y[1] - 1.0 / 3.0).abs() < 1e-15 && m.y[1] == m.y[2]);
        let out = m.apply(&[0.0, 0.3, 1.0]).unwrap();
        assert_eq!(out[0], 0.0);
        assert!((out[1] - 1.0 / 3.0).abs() < 1e-15);
        assert_eq!(out[2], 1.0);
    }

    #[test]
    fn platt_recovers_a_known_map() {
        // Outcomes drawn as σ(−0.5 + 0.8·logit p), as expected counts on a grid.
        let (mut y, mut p, mut w) = (Vec::new(), Vec::new(), Vec::new());
        for k in 1..50 {
            let pk = k as f64 / 50.0;
            let q = sigmoid(-0.5 + 0.8 * logit(pk));
            y.extend([1.0, 0.0]);
            p.extend([pk, pk]);
            w.extend([q, 1.0 - q]);
        }
        let m = PlattScaling::fit(&y, &p, Some(&w)).unwrap();
        assert!(m.converged);
        assert!((m.intercept + 0.5).abs() < 1e-9 && (m.slope - 0.8).abs() < 1e-9, "{m:?}");
        let r = Recalibration::Platt(m);
        assert_eq!(Recalibration::from_json(&r.to_json()).unwrap(), r);
        assert_eq!(Recalibration::fit("nope", &y, &p, None).unwrap_err().code(), "UNKNOWN_VALUE");
    }
}
