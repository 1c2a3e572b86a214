//! The Qini and uplift curves, the Qini coefficient and the uplift at the top k, as
//! scikit-uplift defines them (`qini_curve`, `uplift_curve`, `qini_auc_score`,
//! `uplift_at_k`), in retention terms (see [`Outcome`]).
//!
//! Customers are ranked by score, highest first. scikit-uplift sorts with numpy's stable
//! `argsort` and reverses it, so among equal scores the *later* row comes first; the curves
//! only have points where the score changes (after the last row of each run of equal
//! scores), so ties do not change them, but they decide which rows of a tie fall inside
//! the top k of [`uplift_at`]: here too the later row first, as scikit-uplift.
use serde::{Deserialize, Serialize};

use super::outcome::{check_k, check_scored, Outcome};
use crate::error::{NpsError, Result};

/// A curve over the number of customers targeted, highest scores first: one point per
/// distinct score, after a first point at (0, 0).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UpliftCurve {
    /// Customers targeted (the x of scikit-uplift's curves).
    pub targeted: Vec<f64>,
    /// The same as a fraction of all customers.
    pub fraction: Vec<f64>,
    /// The incremental retained customers: for the Qini curve, retained treated minus
    /// retained control scaled to the treated count (R_t − R_c · N_t / N_c); for the uplift
    /// curve, the difference in retention rates times the customers targeted
    /// ((R_t / N_t − R_c / N_c) · (N_t + N_c)), a rate of an empty group read as 0.
    pub incremental: Vec<f64>,
}

/// The Qini coefficient and the areas it is made of (trapezoids over the customers
/// targeted, as `sklearn.metrics.auc`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct QiniCoefficient {
    /// area / perfect_area: scikit-uplift's `qini_auc_score` (1 for the perfect ranking,
    /// about 0 for a random one, negative for one worse than random).
    pub coefficient: f64,
    /// The area between the score's Qini curve and the random line (the straight line from
    /// (0, 0) to the curve's end): the un-normalised Qini coefficient, in customers ×
    /// customers.
    pub area: f64,
    /// The same area for the perfect ranking (scikit-uplift's `perfect_qini_curve` with
    /// `negative_effect=True`: retained treated first, retained control last).
    pub perfect_area: f64,
}

/// How [`uplift_at`] takes the top k.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum UpliftStrategy {
    /// The top ⌊k·n⌋ customers of all, and the two groups within them (scikit-uplift's
    /// `strategy="overall"`).
    #[default]
    Overall,
    /// The top ⌊k·n_t⌋ treated and the top ⌊k·n_c⌋ control customers, each ranked within
    /// its group (`strategy="by_group"`).
    ByGroup,
}

/// The names of [`UpliftStrategy`]'s values.
pub const UPLIFT_STRATEGIES: [&str; 2] = ["overall", "by_group"];

impl UpliftStrategy {
    /// The strategy named `name` (one of [`UPLIFT_STRATEGIES`]).
    pub fn named(name: &str) -> Result<UpliftStrategy> {
        match name {
            "overall" => Ok(UpliftStrategy::Overall),
            "by_group" => Ok(UpliftStrategy::ByGroup),
            other => Err(NpsError::unknown_closest("strategy", other, &UPLIFT_STRATEGIES)),
        }
    }
}

/// Row indices from the highest score to the lowest, equal scores the later row first
/// (numpy's stable ascending sort, reversed).
pub(crate) fn ranking(score: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..score.len()).collect();
    order.sort_by(|&i, &j| score[j].partial_cmp(&score[i]).expect("scores are checked").then(j.cmp(&i)));
    order
}

/// Cumulative counts at each distinct score: (targeted, treated, retained treated,
/// retained control), at the last row of each run of equal scores.
struct Cumulative {
    all: Vec<f64>,
    treated: Vec<f64>,
    y_treated: Vec<f64>,
    y_control: Vec<f64>,
}

fn cumulative(r: &[f64], treated: &[f64], score: &[f64]) -> Cumulative {
    let order = ranking(score);
    let mut c = Cumulative { all: vec![], treated: vec![], y_treated: vec![], y_control: vec![] };
    let (mut nt, mut yt, mut yc) = (0.0, 0.0, 0.0);
    for (pos, &i) in order.iter().enumerate() {
        nt += treated[i];
        yt += r[i] * treated[i];
        yc += r[i] * (1.0 - treated[i]);
        let last = pos + 1 == order.len() || score[order[pos + 1]] != score[i];
        if last {
            c.all.push((pos + 1) as f64);
            c.treated.push(nt);
            c.y_treated.push(yt);
            c.y_control.push(yc);
        }
    }
    c
}

fn retention(y: &[f64], outcome: Outcome) -> Vec<f64> {
    y.iter().map(|&v| outcome.retained(v)).collect()
}

fn curve(c: &Cumulative, n: usize, value: impl Fn(f64, f64, f64, f64) -> f64) -> UpliftCurve {
    let mut out = UpliftCurve { targeted: vec![0.0], fraction: vec![0.0], incremental: vec![0.0] };
    for p in 0..c.all.len() {
        let nc = c.all[p] - c.treated[p];
        out.targeted.push(c.all[p]);
        out.fraction.push(c.all[p] / n as f64);
        out.incremental.push(value(c.treated[p], c.y_treated[p], nc, c.y_control[p]));
    }
    out
}

fn qini_value(nt: f64, yt: f64, nc: f64, yc: f64) -> f64 {
    yt - yc * if nc != 0.0 { nt / nc } else { 0.0 }
}

fn qini_of_retention(r: &[f64], treated: &[f64], score: &[f64]) -> UpliftCurve {
    curve(&cumulative(r, treated, score), r.len(), qini_value)
}

/// The Qini curve of `score` (higher: target first) on a campaign with outcomes `y` (see
/// [`Outcome`]) and assignment `treated` (1 called, 0 control): scikit-uplift's
/// `qini_curve` on the retention outcome. Errors: empty or mismatched inputs, a NaN, a `y`
/// or `treated` other than 0/1, no treated or no control row.
///
/// ```
/// use nps_core::uplift::{qini_curve, Outcome};
/// // Churn labels: the two treated customers stayed, one of the two controls left.
/// let churned = [0.0, 0.0, 1.0, 0.0];
/// let treated = [1.0, 1.0, 0.0, 0.0];
/// let c = qini_curve(&churned, &treated, &[0.9, 0.8, 0.3, 0.1], Outcome::Churned).unwrap();
/// assert_eq!(c.targeted, [0.0, 1.0, 2.0, 3.0, 4.0]);
/// assert_eq!(c.incremental, [0.0, 1.0, 2.0, 2.0, 1.0]);
/// ```
pub fn qini_curve(y: &[f64], treated: &[f64], score: &[f64], outcome: Outcome) -> Result<UpliftCurve> {
    check_scored(y, treated, score)?;
    Ok(qini_of_retention(&retention(y, outcome), treated, score))
}

/// The uplift curve: scikit-uplift's `uplift_curve` on the retention outcome (see
/// [`UpliftCurve::incremental`]; errors as [`qini_curve`]).
pub fn uplift_curve(y: &[f64], treated: &[f64], score: &[f64], outcome: Outcome) -> Result<UpliftCurve> {
    check_scored(y, treated, score)?;
    let r = retention(y, outcome);
    Ok(curve(&cumulative(&r, treated, score), r.len(), |nt, yt, nc, yc| {
        let rate_t = if nt != 0.0 { yt / nt } else { 0.0 };
        let rate_c = if nc != 0.0 { yc / nc } else { 0.0 };
        (rate_t - rate_c) * (nt + nc)
    }))
}

/// The area under a curve by trapezoids, as `sklearn.metrics.auc` (`x` ascending).
pub(crate) fn trapezoid(x: &[f64], y: &[f64]) -> f64 {
    (1..x.len()).map(|i| (x[i] - x[i - 1]) * (y[i] + y[i - 1]) / 2.0).sum()
}

/// The Qini coefficient of `score`: scikit-uplift's `qini_auc_score` (with its default
/// `negative_effect=True`) on the retention outcome, with the un-normalised area. Errors
/// as [`qini_curve`]; the coefficient is NaN when the perfect ranking does no better than
/// the random line (no retained treated and no churned... nothing to rank).
pub fn qini_coefficient(y: &[f64], treated: &[f64], score: &[f64], outcome: Outcome) -> Result<QiniCoefficient> {
    check_scored(y, treated, score)?;
    let r = retention(y, outcome);
    let actual = qini_of_retention(&r, treated, score);
    // The perfect score: retained treated +1, retained control −1, the rest 0.
    let perfect_score: Vec<f64> = r.iter().zip(treated).map(|(&r, &t)| r * t - r * (1.0 - t)).collect();
    let perfect = qini_of_retention(&r, treated, &perfect_score);
    let (xe, ye) = (*perfect.targeted.last().expect("a point"), *perfect.incremental.last().expect("a point"));
    let baseline = trapezoid(&[0.0, xe], &[0.0, ye]);
    let perfect_area = trapezoid(&perfect.targeted, &perfect.incremental) - baseline;
    let area = trapezoid(&actual.targeted, &actual.incremental) - baseline;
    Ok(QiniCoefficient { coefficient: area / perfect_area, area, perfect_area })
}

/// The difference in retention rate between treated and control customers among the top
/// fraction `k` by score (scikit-uplift's `uplift_at_k` on the retention outcome; see
/// [`UpliftStrategy`] for how the top is taken, ⌊k·n⌋ rows as `int(n * k)`): the customers
/// saved per customer targeted there. Errors: as [`qini_curve`], `k` outside (0, 1], a top
/// k without a treated or a control row.
///
/// ```
/// use nps_core::uplift::{uplift_at, Outcome, UpliftStrategy};
/// let churned = [0.0, 0.0, 1.0, 0.0];
/// let treated = [1.0, 1.0, 0.0, 0.0];
/// let all = uplift_at(&churned, &treated, &[0.9, 0.8, 0.3, 0.1], 1.0, UpliftStrategy::Overall, Outcome::Churned);
/// assert_eq!(all.unwrap(), 0.5); // treated retained 2/2, control 1/2
/// ```
pub fn uplift_at(
    y: &[f64],
    treated: &[f64],
    score: &[f64],
    k: f64,
    strategy: UpliftStrategy,
    outcome: Outcome,
) -> Result<f64> {
    let (rt, nt, rc, nc) = top_k_groups(y, treated, score, k, strategy, outcome, None)?;
    Ok(rt / nt - rc / nc)
}

/// Sums over the top k: (Σ retained·weight over treated, treated count, the same over
/// control, control count), weight 1 without `weight`.
pub(crate) fn top_k_groups(
    y: &[f64],
    treated: &[f64],
    score: &[f64],
    k: f64,
    strategy: UpliftStrategy,
    outcome: Outcome,
    weight: Option<&[f64]>,
) -> Result<(f64, f64, f64, f64)> {
    check_scored(y, treated, score)?;
    check_k(k)?;
    let n = y.len();
    let order = ranking(score);
    let w = |i: usize| weight.map_or(1.0, |w| w[i]);
    let (mut rt, mut nt, mut rc, mut nc) = (0.0, 0.0, 0.0, 0.0);
    match strategy {
        UpliftStrategy::Overall => {
            let size = (n as f64 * k) as usize;
            for &i in &order[..size] {
                let r = outcome.retained(y[i]) * w(i);
                if treated[i] == 1.0 {
                    (rt, nt) = (rt + r, nt + 1.0);
                } else {
                    (rc, nc) = (rc + r, nc + 1.0);
                }
            }
        }
        UpliftStrategy::ByGroup => {
            let n_t = treated.iter().filter(|&&t| t == 1.0).count();
            let (size_t, size_c) = ((n_t as f64 * k) as usize, ((n - n_t) as f64 * k) as usize);
            for &i in &order {
                let r = outcome.retained(y[i]) * w(i);
                if treated[i] == 1.0 && (nt as usize) < size_t {
                    (rt, nt) = (rt + r, nt + 1.0);
                } else if treated[i] == 0.0 && (nc as usize) < size_c {
                    (rc, nc) = (rc + r, nc + 1.0);
                }
            }
        }
    }
    for (count, group) in [(nt, "treated"), (nc, "control")] {
        if count == 0.0 {
            return Err(NpsError::invalid(
                "k",
                k,
                &format!("a fraction whose top rows by score hold a {group} row (they hold none)"),
            ));
        }
    }
    Ok((rt, nt, rc, nc))
}
