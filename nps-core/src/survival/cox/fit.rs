//! Fitting a Cox model: checks, standardised covariates, Newton's method with step halving
//! on Efron's partial likelihood (with lifelines' L2 penalty), then the standard errors,
//! Breslow's baseline and the concordance.
use ndarray::ArrayView2;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::disjoint::DisjointWriter;
use crate::error::{NpsError, Result};
use crate::pages;

use super::baseline::BaselineHazard;
use super::concordance::{pair_counts, PairCounts};
use super::efron::{Derivatives, Design};
use super::risk_sums::fill_scores;
use super::CoxModel;
use crate::survival::data::{check_length, distinct_times, label_codes, SurvivalData};
use crate::survival::dense;
use crate::survival::kaplan_meier::DEFAULT_ALPHA;

/// The training data of a Cox model.
#[derive(Debug, Clone, Copy)]
pub struct CoxInput<'a> {
    /// Covariates: one row per customer, one column per covariate.
    pub x: ArrayView2<'a, f64>,
    /// The covariates' names, one per column of `x`.
    pub covariates: &'a [String],
    /// Durations, events, entry times and weights.
    pub data: SurvivalData<'a>,
    /// Each customer's stratum (a baseline hazard per stratum), if any.
    pub strata: Option<&'a [String]>,
}

/// The options of a Cox fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CoxOptions {
    /// L2 penalty: the fit maximises the log-likelihood less
    /// `penalizer · n / 2 · Σ (β_j s_j)²`, with `n` the number of customers and `s_j` the
    /// standard deviation of covariate j (lifelines' `penalizer` with `l1_ratio = 0`, which
    /// penalises the coefficients of the standardised covariates).
    pub penalizer: f64,
    /// Intervals at level 1 − alpha.
    pub alpha: f64,
    /// The most Newton steps before the fit is declared not converging.
    pub max_iterations: usize,
}

impl Default for CoxOptions {
    fn default() -> Self {
        CoxOptions { penalizer: 0.0, alpha: DEFAULT_ALPHA, max_iterations: 100 }
    }
}

/// A Newton step this small ends the fit without another evaluation: Newton's method
/// converges quadratically, so the coefficients after it are within about the square of
/// the step of the optimum, and the Hessian (standard errors) and log-likelihood of the
/// point before it differ from those after it by about the step (relative); lifelines,
/// too, reports its last evaluation's. It saves one evaluation of the likelihood (of five
/// on a typical fit).
const FINAL_STEP: f64 = 1e-9;

/// A standardised coefficient this large (a hazard ratio of e^25 per standard deviation)
/// only grows when the events are separated.
const SEPARATION: f64 = 25.0;

impl CoxModel {
    /// Fits the model.
    pub fn fit(input: &CoxInput<'_>, options: &CoxOptions) -> Result<CoxModel> {
        let data = &input.data;
        data.check()?;
        if !(options.alpha > 0.0 && options.alpha < 1.0) {
            return Err(NpsError::invalid("alpha", options.alpha, "strictly between 0 and 1"));
        }
        if !(options.penalizer >= 0.0 && options.penalizer.is_finite()) {
            return Err(NpsError::invalid("penalizer", options.penalizer, "a finite number ≥ 0"));
        }
        let (n, d) = input.x.dim();
        check_length("x (rows)", Some(n), data.len())?;
        if input.covariates.len() != d {
            return Err(NpsError::LengthMismatch {
                field: "covariates".into(),
                actual: input.covariates.len(),
                other: "x (columns)".into(),
                expected: d,
            });
        }
        if let Some(strata) = input.strata {
            check_length("strata", Some(strata.len()), n)?;
        }
        if n < 2 {
            return Err(NpsError::invalid("durations", format!("{n} customer"), "at least 2 customers"));
        }
        let (means, scales) = column_moments(input)?;
        let events: Vec<bool> = (0..n).map(|i| data.event(i)).collect();
        let weights: Vec<f64> = (0..n).map(|i| data.weight(i)).collect();
        let total_events: f64 = (0..n).filter(|&i| events[i]).map(|i| weights[i]).sum();
        if total_events <= 0.0 {
            return Err(NpsError::invalid(
                "event_observed",
                "no events",
                "at least one event (every customer is censored: nothing to fit)",
            ));
        }
        let (strata, codes) = match input.strata {
            Some(s) => {
                let (labels, codes) = label_codes(s);
                (labels, codes)
            }
            None => (Vec::new(), vec![0; n]),
        };
        let groups = strata.len().max(1);
        let by_duration = rows_by_decreasing_duration(data.durations, &events, &codes, groups);
        // The design holds the rows in sweep order (each stratum's rows by decreasing
        // duration, one stratum after another), so that the sweeps read memory in sequence.
        let order: Vec<usize> = by_duration.iter().flatten().copied().collect();
        let mut sweep_rows = Vec::with_capacity(groups);
        let mut offset = 0;
        for rows in &by_duration {
            sweep_rows.push((offset..offset + rows.len()).collect::<Vec<usize>>());
            offset += rows.len();
        }
        let entry_sorted: Option<Vec<f64>> = data.entry.map(|e| order.iter().map(|&i| e[i]).collect());
        let by_entry: Vec<Vec<usize>> = match &entry_sorted {
            Some(entry) => sweep_rows
                .iter()
                .map(|rows| {
                    let mut r = rows.clone();
                    r.sort_by(|&i, &j| entry[j].total_cmp(&entry[i]));
                    r
                })
                .collect(),
            None => Vec::new(),
        };
        let x = gather_scaled(input.x, &order, &means, &scales);
        let design = Design {
            d,
            x,
            durations: order.par_iter().map(|&i| data.durations[i]).collect(),
            events: order.par_iter().map(|&i| events[i]).collect(),
            weights: order.par_iter().map(|&i| weights[i]).collect(),
            entry: entry_sorted,
            by_duration: sweep_rows,
            by_entry,
        };
        let penalty = options.penalizer * n as f64;
        let evaluate = |beta: &[f64]| {
            let mut at = design.derivatives(beta);
            if penalty > 0.0 {
                for (j, b) in beta.iter().enumerate() {
                    at.log_likelihood -= 0.5 * penalty * b * b;
                    at.gradient[j] -= penalty * b;
                    at.hessian[j * d + j] -= penalty;
                }
            }
            at
        };
        let mut beta = vec![0.0; d];
        let mut at = evaluate(&beta);
        // At β = 0 the penalty is 0: the null log-likelihood is the first evaluation's.
        let log_likelihood_null = at.log_likelihood;
        let mut iterations = 0;
        if d > 0 {
            loop {
                iterations += 1;
                let l = factor(&at, d, input.covariates)?;
                let delta = dense::cholesky_solve(&l, d, &at.gradient);
                if delta.iter().all(|s| s.abs() < FINAL_STEP) {
                    // The last step, taken without evaluating the likelihood after it.
                    beta.iter_mut().zip(&delta).for_each(|(b, s)| *b += s);
                    break;
                }
                let (next_beta, next) = halve_until_better(&evaluate, &beta, &delta, &at, input.covariates)?;
                let moved =
                    delta.iter().zip(&next_beta).zip(&beta).map(|((_, a), b)| (a - b).abs()).fold(0.0, f64::max);
                let change = (next.log_likelihood - at.log_likelihood).abs();
                beta = next_beta;
                at = next;
                if moved < 1e-11 || (moved < 1e-7 && change <= 1e-15 * at.log_likelihood.abs()) {
                    break;
                }
                if let Some(j) = (0..d).find(|&j| beta[j].abs() > SEPARATION) {
                    return Err(separated(&input.covariates[j], iterations));
                }
                if iterations >= options.max_iterations {
                    let j = (0..d).max_by(|&a, &b| beta[a].abs().total_cmp(&beta[b].abs())).expect("d > 0");
                    return Err(NpsError::invalid(
                        "fit",
                        format!("no convergence after {iterations} Newton steps (largest step {moved:e})"),
                        &format!(
                            "convergence; the coefficient of covariate {:?} moves the most: check it for separation or collinearity, or set a penalizer",
                            input.covariates[j]
                        ),
                    ));
                }
            }
        }
        // Covariance of the standardised coefficients: the inverse of the negative Hessian.
        let l = factor(&at, d, input.covariates)?;
        let inverse = dense::cholesky_inverse(&l, d);
        let mut variance = vec![0.0; d * d];
        for a in 0..d {
            for b in 0..d {
                variance[a * d + b] = inverse[a * d + b] / (scales[a] * scales[b]);
            }
        }
        let coefficients: Vec<f64> = beta.iter().zip(&scales).map(|(b, s)| b / s).collect();
        let standard_errors = (0..d).map(|j| variance[j * d + j].sqrt()).collect();
        // exp((x − mean)ᵀβ) of each row, in the design's order (read in sequence).
        let mut partial_hazard = vec![0.0; n];
        partial_hazard.par_chunks_mut(GATHER_BLOCK).enumerate().for_each(|(b, out)| {
            let first = b * GATHER_BLOCK;
            fill_scores(&design.x[first * d..(first + out.len()) * d], None, &beta, out);
        });
        let mut pairs = PairCounts::default();
        for rows in &design.by_duration {
            pairs.add(pair_counts(&design.durations, &design.events, &partial_hazard, rows));
        }
        let baseline = BaselineHazard::breslow(
            &design.durations,
            &design.events,
            &design.weights,
            &partial_hazard,
            strata,
            &design.by_duration,
        );
        Ok(CoxModel {
            covariates: input.covariates.to_vec(),
            coefficients,
            standard_errors,
            variance,
            means,
            scales,
            log_likelihood: at.log_likelihood,
            log_likelihood_null,
            concordance: pairs.index(),
            penalizer: options.penalizer,
            alpha: options.alpha,
            observations: n,
            events: total_events,
            iterations,
            baseline,
            strata_columns: Vec::new(),
        })
    }
}

/// Each covariate's mean and standard deviation (n − 1 in the denominator, as pandas'); an
/// error names a covariate with a missing value or one that does not vary (the first in
/// row order). A column-major matrix (a pandas frame's block) is read one column per task,
/// each column summed in eight interleaved lanes; a row-major one row by row.
fn column_moments(input: &CoxInput<'_>) -> Result<(Vec<f64>, Vec<f64>)> {
    let (n, d) = input.x.dim();
    let moments: Vec<std::result::Result<(f64, f64), usize>> = if column_major(input.x) {
        (0..d)
            .into_par_iter()
            .map(|j| {
                let column = input.x.column(j);
                let column = column.as_slice().expect("a column of a column-major matrix is contiguous");
                if let Some(i) = column.iter().position(|v| !v.is_finite()) {
                    return Err(i);
                }
                let mean = lane_sum(column, |v| v) / n as f64;
                Ok((mean, lane_sum(column, |v| (v - mean) * (v - mean))))
            })
            .collect()
    } else {
        // Row i goes to lane i % 8 (the last n % 8 rows to a running rest), as `lane_sum`
        // adds a column: the same sums whatever the layout.
        let full = n / 8 * 8;
        let lanes = |f: &dyn Fn(usize, f64) -> f64| {
            let (mut lanes, mut rest) = (vec![[0.0; 8]; d], vec![0.0; d]);
            for (i, row) in input.x.rows().into_iter().enumerate() {
                for (j, &v) in row.iter().enumerate() {
                    if i < full {
                        lanes[j][i % 8] += f(j, v);
                    } else {
                        rest[j] += f(j, v);
                    }
                }
            }
            lanes.iter().zip(rest).map(|(l, r)| combine_lanes(l, r)).collect::<Vec<f64>>()
        };
        let sums = lanes(&|_, v| v);
        let means: Vec<f64> = sums.iter().map(|s| s / n as f64).collect();
        let squares = lanes(&|j, v| (v - means[j]) * (v - means[j]));
        let mut bad = vec![None; d];
        for (i, row) in input.x.rows().into_iter().enumerate() {
            for (j, v) in row.iter().enumerate() {
                if !v.is_finite() && bad[j].is_none() {
                    bad[j] = Some(i);
                }
            }
        }
        (0..d).map(|j| bad[j].map_or(Ok((means[j], squares[j])), Err)).collect()
    };
    // The first missing or infinite value in row order, as a reader scanning the table finds it.
    let first_bad = moments.iter().enumerate().filter_map(|(j, m)| m.err().map(|i| (i, j))).min();
    if let Some((i, j)) = first_bad {
        let name = &input.covariates[j];
        let v = input.x[[i, j]];
        return Err(if v.is_nan() {
            NpsError::Missing { field: format!("covariate {name:?}"), index: i }
        } else {
            NpsError::OutOfRange {
                field: format!("covariate {name:?}"),
                index: i,
                value: v,
                range: "finite numbers".into(),
            }
        });
    }
    let (mut means, mut scales) = (vec![0.0; d], vec![0.0; d]);
    for (j, m) in moments.into_iter().enumerate() {
        let (mean, squares) = m.expect("errors returned above");
        let sd = (squares / (n as f64 - 1.0)).sqrt();
        if sd == 0.0 || !sd.is_finite() {
            let name = &input.covariates[j];
            return Err(NpsError::invalid(
                &format!("covariate {name:?}"),
                format!("constant ({} in every row)", input.x[[0, j]]),
                "a covariate that varies (a constant one makes the Hessian singular: drop it)",
            ));
        }
        means[j] = mean;
        scales[j] = sd;
    }
    Ok((means, scales))
}

/// Σ f(v) over `values` in eight interleaved running sums added at the end: the same
/// order on every machine, and eight additions in flight rather than one chain.
fn lane_sum(values: &[f64], f: impl Fn(f64) -> f64) -> f64 {
    let mut lanes = [0.0; 8];
    let mut chunks = values.chunks_exact(8);
    for chunk in &mut chunks {
        lanes.iter_mut().zip(chunk).for_each(|(s, &v)| *s += f(v));
    }
    let rest = chunks.remainder().iter().fold(0.0, |s, &v| s + f(v));
    combine_lanes(&lanes, rest)
}

fn combine_lanes(lanes: &[f64; 8], rest: f64) -> f64 {
    ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7])) + rest
}

/// Whether each column of `x` is contiguous (a Fortran-order array, as pandas hands out).
fn column_major(x: ArrayView2<'_, f64>) -> bool {
    x.ncols() > 0 && x.column(0).as_slice().is_some() && x.nrows() > 1
}

/// Rows of the design gathered per parallel task (about 640 kB of output with 20 covariates).
const GATHER_BLOCK: usize = 4096;
/// Rows turned from columns into rows at a time by the gather of a column-major matrix.
const SCATTER_ROWS: usize = 128;

/// The covariates centred and scaled, row-major, with the rows in `order` (a permutation of
/// the rows), on huge pages where the system grants them (the design is the fit's largest
/// buffer). A row-major input is gathered block by block of output rows, each row read
/// whole. A column-major input is scattered instead: a few input rows at a time are read one
/// column at a time in sequence, turned into rows in the cache, and each row copied whole to
/// its place in `order`, so that each output row is written once, in one piece.
fn gather_scaled(x: ArrayView2<'_, f64>, order: &[usize], means: &[f64], scales: &[f64]) -> Vec<f64> {
    let (n, d) = x.dim();
    let mut out = pages::zeroed(order.len() * d);
    if d == 0 {
        return out;
    }
    if column_major(x) {
        let mut place = vec![usize::MAX; n];
        order.iter().enumerate().for_each(|(p, &i)| place[i] = p);
        assert!(order.len() == n && !place.contains(&usize::MAX), "the sweep order is a permutation of the rows");
        let writer = DisjointWriter::new(&mut out);
        place.par_chunks(GATHER_BLOCK).enumerate().for_each(|(b, places)| {
            // A few rows at a time: scaled column by column (whole vectors), turned into
            // rows in the cache, then each row copied whole to its place.
            let (mut scaled, mut rows) = (vec![0.0; SCATTER_ROWS], vec![0.0; SCATTER_ROWS * d]);
            for (c, places) in places.chunks(SCATTER_ROWS).enumerate() {
                let first = b * GATHER_BLOCK + c * SCATTER_ROWS;
                let len = places.len();
                for j in 0..d {
                    let column = x.column(j);
                    let column = column.as_slice().expect("a column of a column-major matrix is contiguous");
                    let (m, s) = (means[j], scales[j]);
                    scaled[..len].iter_mut().zip(&column[first..first + len]).for_each(|(o, v)| *o = (v - m) / s);
                    rows.chunks_exact_mut(d).zip(&scaled[..len]).for_each(|(row, v)| row[j] = *v);
                }
                for (&p, row) in places.iter().zip(rows.chunks_exact(d)) {
                    // SAFETY: `place` is a permutation (checked above), so output row p
                    // belongs to one input row alone, which only this task's block holds.
                    unsafe { writer.copy(p * d, row) };
                }
            }
        });
        return out;
    }
    out.par_chunks_mut(GATHER_BLOCK * d).zip(order.par_chunks(GATHER_BLOCK)).for_each(|(block, rows)| {
        for (out, &i) in block.chunks_exact_mut(d).zip(rows) {
            for (((o, v), m), s) in out.iter_mut().zip(x.row(i)).zip(means).zip(scales) {
                *o = (v - m) / s;
            }
        }
    });
    out
}

/// The Cholesky factor of the negative Hessian, or the error naming the covariate at which
/// it is singular.
fn factor(at: &Derivatives, d: usize, covariates: &[String]) -> Result<Vec<f64>> {
    if at.hessian.iter().any(|v| !v.is_finite()) || !at.log_likelihood.is_finite() {
        return Err(NpsError::invalid(
            "fit",
            "a Hessian with infinite or NaN values",
            "finite values (overflow: check for extreme covariate values)",
        ));
    }
    let negative: Vec<f64> = at.hessian.iter().map(|v| -v).collect();
    dense::cholesky(&negative, d).map_err(|j| {
        NpsError::invalid(
            "fit",
            format!("a singular Hessian at covariate {:?}", covariates[j]),
            "covariates that are not linear combinations of each other (drop it or one it depends on, or set a penalizer)",
        )
    })
}

/// The Newton step, halved until the log-likelihood does not fall.
fn halve_until_better(
    evaluate: &impl Fn(&[f64]) -> Derivatives,
    beta: &[f64],
    delta: &[f64],
    at: &Derivatives,
    covariates: &[String],
) -> Result<(Vec<f64>, Derivatives)> {
    let mut step = 1.0;
    for _ in 0..40 {
        let next: Vec<f64> = beta.iter().zip(delta).map(|(b, s)| b + step * s).collect();
        let value = evaluate(&next);
        let tolerance = 1e-12 * at.log_likelihood.abs().max(1.0);
        if value.log_likelihood.is_finite() && value.log_likelihood >= at.log_likelihood - tolerance {
            return Ok((next, value));
        }
        step /= 2.0;
    }
    let j = (0..beta.len()).max_by(|&a, &b| delta[a].abs().total_cmp(&delta[b].abs())).unwrap_or(0);
    Err(separated(&covariates[j], 0))
}

fn separated(covariate: &str, iterations: usize) -> NpsError {
    NpsError::invalid(
        "fit",
        format!("no convergence (after {iterations} Newton steps the coefficient of covariate {covariate:?} grows without bound)"),
        &format!(
            "covariates that do not separate the events: covariate {covariate:?} predicts who churns (almost) perfectly; drop it or set a penalizer"
        ),
    )
}

/// Each stratum's rows by decreasing duration, at each duration the events first, then the
/// censored rows, each in row order (so the sweeps add each kind in one run): a counting
/// sort on the ranks of the distinct durations (a comparison sort when strata × distinct
/// durations would make the counts too large).
fn rows_by_decreasing_duration(durations: &[f64], events: &[bool], codes: &[usize], groups: usize) -> Vec<Vec<usize>> {
    let n = durations.len();
    let (times, rank) = distinct_times(durations.iter().copied(), n);
    let mut by_duration: Vec<Vec<usize>> = vec![Vec::new(); groups];
    if groups.saturating_mul(times.len()) > 10_000_000 {
        (0..n).for_each(|i| by_duration[codes[i]].push(i));
        for rows in &mut by_duration {
            rows.sort_by(|&i, &j| durations[j].total_cmp(&durations[i]).then(events[j].cmp(&events[i])));
        }
        return by_duration;
    }
    // Slot of a row: its duration's place from the longest, events before censored.
    let slots = 2 * times.len();
    let slot = |i: usize| 2 * (times.len() - 1 - rank[i] as usize) + usize::from(!events[i]);
    let mut counts = vec![vec![0usize; slots + 1]; groups];
    for i in 0..n {
        counts[codes[i]][slot(i) + 1] += 1;
    }
    for (g, rows) in by_duration.iter_mut().enumerate() {
        let starts = &mut counts[g];
        for k in 1..starts.len() {
            starts[k] += starts[k - 1];
        }
        *rows = vec![0; starts[slots]];
    }
    for i in 0..n {
        let at = &mut counts[codes[i]][slot(i)];
        by_duration[codes[i]][*at] = i;
        *at += 1;
    }
    by_duration
}
