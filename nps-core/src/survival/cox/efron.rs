//! Efron's partial log-likelihood of the Cox model with its gradient and Hessian: the
//! quantities each Newton step of the fit needs. Ties share the risk set as Efron proposed;
//! with weights, each tied event counts the tie group's average weight (lifelines'
//! convention). With delayed entry a customer is at risk at `t` when `entry < t ≤ duration`.
use rayon::prelude::*;

use super::risk_sums::{dot, fill_scores, RiskSums};

/// The data of a fit in the form the sweep reads: covariates centred and scaled
/// (row-major), rows of each stratum in decreasing duration.
pub(crate) struct Design {
    /// Number of covariates.
    pub d: usize,
    /// Scaled covariates, row-major.
    pub x: Vec<f64>,
    /// Durations.
    pub durations: Vec<f64>,
    /// Event flags.
    pub events: Vec<bool>,
    /// Weights.
    pub weights: Vec<f64>,
    /// Entry times, when the observation of some customers starts after 0.
    pub entry: Option<Vec<f64>>,
    /// For each stratum, its rows in decreasing duration.
    pub by_duration: Vec<Vec<usize>>,
    /// For each stratum, its rows in decreasing entry time (with delayed entry).
    pub by_entry: Vec<Vec<usize>>,
}

/// The partial log-likelihood and its derivatives at one point.
#[derive(Debug, Clone)]
pub(crate) struct Derivatives {
    /// Log-likelihood.
    pub log_likelihood: f64,
    /// Gradient.
    pub gradient: Vec<f64>,
    /// Hessian (row-major, negative semi-definite).
    pub hessian: Vec<f64>,
}

impl Derivatives {
    fn zero(d: usize) -> Self {
        Derivatives { log_likelihood: 0.0, gradient: vec![0.0; d], hessian: vec![0.0; d * d] }
    }

    fn add(&mut self, other: &Derivatives) {
        self.log_likelihood += other.log_likelihood;
        self.gradient.iter_mut().zip(&other.gradient).for_each(|(a, b)| *a += b);
        self.hessian.iter_mut().zip(&other.hessian).for_each(|(a, b)| *a += b);
    }
}

/// Rows at or above which a stratum without delayed entry is swept in parallel chunks.
const PARALLEL_ROWS: usize = 200_000;
/// The most numbers the per-time sums of [`Design::sweep_grouped`] may hold (160 MB).
const GROUPED_SUMS_LIMIT: usize = 20_000_000;
/// Rows per parallel task when computing the scores.
const SCORE_BLOCK: usize = 16_384;
/// The number of chunks (fixed, so the sums and thus the fit are the same on any machine).
const CHUNKS: usize = 16;

impl Design {
    /// The scores φ = w exp(xᵀβ) of every row.
    fn scores(&self, beta: &[f64]) -> Vec<f64> {
        let d = self.d;
        let mut scores = vec![0.0; self.weights.len()];
        scores.par_chunks_mut(SCORE_BLOCK).zip(self.weights.par_chunks(SCORE_BLOCK)).enumerate().for_each(
            |(b, (out, weights))| {
                let first = b * SCORE_BLOCK;
                fill_scores(&self.x[first * d..(first + out.len()) * d], Some(weights), beta, out);
            },
        );
        scores
    }

    /// The partial log-likelihood, gradient and Hessian at `beta`.
    pub(crate) fn derivatives(&self, beta: &[f64]) -> Derivatives {
        // The per-time sums compute their rows' scores themselves (while the rows are in
        // the cache); the other sweeps read them from here, computed when first needed.
        let mut scores = None;
        let mut total = Derivatives::zero(self.d);
        for (s, rows) in self.by_duration.iter().enumerate() {
            let parallel = self.entry.is_none() && rows.len() >= PARALLEL_ROWS;
            let part = match parallel.then(|| self.sweep_grouped(rows, beta)).flatten() {
                Some(part) => part,
                None => {
                    let scores = scores.get_or_insert_with(|| self.scores(beta));
                    if parallel {
                        self.sweep_parallel(rows, scores, beta)
                    } else {
                        let by_entry = self.by_entry.get(s).map(|v| v.as_slice());
                        self.sweep(rows, by_entry, scores, beta, RiskSums::zero(self.d))
                    }
                }
            };
            total.add(&part);
        }
        let d = self.d;
        for a in 0..d {
            for b in 0..a {
                total.hessian[a * d + b] = total.hessian[b * d + a];
            }
        }
        total
    }

    fn row(&self, i: usize) -> &[f64] {
        &self.x[i * self.d..(i + 1) * self.d]
    }

    /// With few distinct durations: the sums of each duration's rows in parallel (each
    /// time's rows in order, so the sums do not depend on the threads), then one pass over
    /// the times. `None` when the per-time sums would take too much memory.
    fn sweep_grouped(&self, rows: &[usize], beta: &[f64]) -> Option<Derivatives> {
        let d = self.d;
        let mut bounds = vec![0];
        for k in 1..rows.len() {
            if self.durations[rows[k]] != self.durations[rows[k - 1]] {
                bounds.push(k);
            }
        }
        bounds.push(rows.len());
        let times = bounds.len() - 1;
        if times * (d * (d + 1) + 2 * d + 4) > GROUPED_SUMS_LIMIT {
            return None;
        }
        struct TimeSums {
            all: RiskSums,
            tie: RiskSums,
            x_death_sum: Vec<f64>,
            tied: usize,
            tie_weight: f64,
        }
        let sums: Vec<TimeSums> = bounds
            .par_windows(2)
            .map(|w| {
                let mut t = TimeSums {
                    all: RiskSums::zero(d),
                    tie: RiskSums::zero(d),
                    x_death_sum: vec![0.0; d],
                    tied: 0,
                    tie_weight: 0.0,
                };
                // The censored rows go to `all`, the events to `tie`, then `all` gets `tie`:
                // each row is added once, in runs of consecutive rows (the fit puts each
                // time's events before its censored rows, so a time has two runs).
                let mut scores = Vec::new();
                let mut k = w[0];
                while k < w[1] {
                    let (first, event) = (rows[k], self.events[rows[k]]);
                    let mut end = k + 1;
                    while end < w[1] && rows[end] == first + (end - k) && self.events[rows[end]] == event {
                        end += 1;
                    }
                    let count = end - k;
                    let x = &self.x[first * d..(first + count) * d];
                    scores.resize(count, 0.0);
                    fill_scores(x, Some(&self.weights[first..first + count]), beta, &mut scores);
                    if event {
                        t.tie.add_rows(x, d, &scores);
                        for i in first..first + count {
                            let wi = self.weights[i];
                            t.x_death_sum.iter_mut().zip(self.row(i)).for_each(|(s, v)| *s += wi * v);
                            t.tie_weight += wi;
                        }
                        t.tied += count;
                    } else {
                        t.all.add_rows(x, d, &scores);
                    }
                    k = end;
                }
                t.all.add_sums(&t.tie);
                t
            })
            .collect();
        let mut out = Derivatives::zero(d);
        let mut risk = RiskSums::zero(d);
        for t in &sums {
            risk.add_sums(&t.all);
            if t.tied > 0 {
                add_tie_terms(&mut out, &risk, &t.tie, &t.x_death_sum, t.tied, t.tie_weight, beta);
            }
        }
        Some(out)
    }

    /// Cuts `rows` (decreasing duration) into chunks that end at a change of duration; each
    /// chunk's sweep starts from the sums of the rows before it.
    fn sweep_parallel(&self, rows: &[usize], scores: &[f64], beta: &[f64]) -> Derivatives {
        let mut bounds = vec![0];
        for c in 1..CHUNKS {
            let mut at = rows.len() * c / CHUNKS;
            while at < rows.len() && at > 0 && self.durations[rows[at]] == self.durations[rows[at - 1]] {
                at += 1;
            }
            if at > *bounds.last().expect("bounds start at 0") && at < rows.len() {
                bounds.push(at);
            }
        }
        bounds.push(rows.len());
        let chunks: Vec<&[usize]> = bounds.windows(2).map(|w| &rows[w[0]..w[1]]).collect();
        let totals: Vec<RiskSums> = chunks
            .par_iter()
            .map(|chunk| {
                let mut sums = RiskSums::zero(self.d);
                chunk.iter().for_each(|&i| sums.add(self.row(i), scores[i], 1.0));
                sums
            })
            .collect();
        let mut starts = Vec::with_capacity(chunks.len());
        let mut running = RiskSums::zero(self.d);
        for t in &totals {
            starts.push(running.clone());
            running.add_sums(t);
        }
        let parts: Vec<Derivatives> =
            chunks.par_iter().zip(starts).map(|(chunk, start)| self.sweep(chunk, None, scores, beta, start)).collect();
        let mut total = Derivatives::zero(self.d);
        parts.iter().for_each(|p| total.add(p));
        total
    }

    /// One sweep over `rows` in decreasing duration, starting from the risk set `risk`.
    fn sweep(
        &self,
        rows: &[usize],
        by_entry: Option<&[usize]>,
        scores: &[f64],
        beta: &[f64],
        mut risk: RiskSums,
    ) -> Derivatives {
        let d = self.d;
        let mut out = Derivatives::zero(d);
        let mut tie = RiskSums::zero(d);
        let mut x_death_sum = vec![0.0; d];
        let mut leaving = 0;
        let mut start = 0;
        while start < rows.len() {
            let t = self.durations[rows[start]];
            let mut end = start;
            let (mut tied, mut tie_weight) = (0usize, 0.0);
            tie.phi = 0.0;
            tie.phi_x.iter_mut().for_each(|v| *v = 0.0);
            tie.phi_xx.iter_mut().for_each(|v| *v = 0.0);
            x_death_sum.iter_mut().for_each(|v| *v = 0.0);
            while end < rows.len() && self.durations[rows[end]] == t {
                let i = rows[end];
                let x = self.row(i);
                risk.add(x, scores[i], 1.0);
                if self.events[i] {
                    tie.add(x, scores[i], 1.0);
                    let w = self.weights[i];
                    x_death_sum.iter_mut().zip(x).for_each(|(s, v)| *s += w * v);
                    tied += 1;
                    tie_weight += w;
                }
                end += 1;
            }
            // Customers who enter at or after t are not at risk at t.
            if let (Some(order), Some(entry)) = (by_entry, &self.entry) {
                while leaving < order.len() && entry[order[leaving]] >= t {
                    let i = order[leaving];
                    risk.add(self.row(i), scores[i], -1.0);
                    leaving += 1;
                }
            }
            if tied > 0 {
                add_tie_terms(&mut out, &risk, &tie, &x_death_sum, tied, tie_weight, beta);
            }
            start = end;
        }
        out
    }
}

/// Adds the terms of one time's tied events (Efron): `risk` holds the risk set's sums (the
/// tied events included), `tie` the tied events' own.
fn add_tie_terms(
    out: &mut Derivatives,
    risk: &RiskSums,
    tie: &RiskSums,
    x_death_sum: &[f64],
    tied: usize,
    tie_weight: f64,
    beta: &[f64],
) {
    let d = x_death_sum.len();
    // Efron's sums over the tied events in closed form: with c_l = l / tied and
    // den_l = Σφ − c_l Σ_tie φ, the terms of the gradient and Hessian are sums of
    // 1/den_l, c_l/den_l, 1/den_l², c_l/den_l², c_l²/den_l² times the risk and
    // tie sums, so a tie group costs O(tied + d²), not O(tied · d²).
    let average_weight = tie_weight / tied as f64;
    let (mut log_sum, mut s0, mut s1, mut q0, mut q1, mut q2) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    for l in 0..tied {
        let share = l as f64 / tied as f64;
        let denom = risk.phi - share * tie.phi;
        let inv = 1.0 / denom;
        log_sum += denom.ln();
        s0 += inv;
        s1 += share * inv;
        q0 += inv * inv;
        q1 += share * inv * inv;
        q2 += share * share * inv * inv;
    }
    out.log_likelihood += dot(x_death_sum, beta) - average_weight * log_sum;
    let (r, t) = (&risk.phi_x, &tie.phi_x);
    for j in 0..d {
        out.gradient[j] += x_death_sum[j] - average_weight * (r[j] * s0 - t[j] * s1);
    }
    let mut k = 0;
    for p in 0..d {
        for q in p..d {
            let outer = r[p] * r[q] * q0 - (r[p] * t[q] + t[p] * r[q]) * q1 + t[p] * t[q] * q2;
            let second = risk.phi_xx[k] * s0 - tie.phi_xx[k] * s1;
            out.hessian[p * d + q] += average_weight * (outer - second);
            k += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    /// The sequential sweep, the per-time sums and the parallel chunks give the same
    /// derivatives (to rounding).
    #[test]
    fn the_three_sweeps_agree() {
        let (n, d) = (5_000, 3);
        let mut rng = Rng::new(3);
        let x: Vec<f64> = (0..n * d).map(|_| rng.normal()).collect();
        let mut durations: Vec<f64> = (0..n).map(|_| (rng.uniform() * 50.0).ceil()).collect();
        durations.sort_by(|a, b| b.total_cmp(a));
        let design = Design {
            d,
            x,
            durations,
            events: (0..n).map(|_| rng.bernoulli(0.4)).collect(),
            weights: (0..n).map(|_| 1.0 + rng.uniform()).collect(),
            entry: None,
            by_duration: vec![(0..n).collect()],
            by_entry: Vec::new(),
        };
        let beta = [0.3, -0.2, 0.1];
        let scores = design.scores(&beta);
        let rows: Vec<usize> = (0..n).collect();
        let one = design.sweep(&rows, None, &scores, &beta, RiskSums::zero(d));
        let grouped = design.sweep_grouped(&rows, &beta).unwrap();
        let chunks = design.sweep_parallel(&rows, &scores, &beta);
        for other in [&grouped, &chunks] {
            assert!((one.log_likelihood - other.log_likelihood).abs() < 1e-9 * one.log_likelihood.abs());
            for (a, b) in one.gradient.iter().zip(&other.gradient).chain(one.hessian.iter().zip(&other.hessian)) {
                assert!((a - b).abs() < 1e-9 * (1.0 + a.abs()), "{a} vs {b}");
            }
        }
    }
}
