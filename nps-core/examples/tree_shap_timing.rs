//! Times exact TreeSHAP on one row at a time, as a service explaining customer after
//! customer calls it: Algorithm 2 (`explain::ensemble_shap_into`) against the precomputed
//! `TreeShapPlan`, on 300-tree ensembles of 7, 15 and 31 leaves trained on generated data
//! of 27 inputs; and the plan's build time and memory.
//!
//!     cargo run --release -p nps-core --example tree_shap_timing [-- ROWS]
use std::time::Instant;

use ndarray::Array2;
use nps_core::explain::{ensemble_shap_into, TreeShapPlan, TreeShapScratch};
use nps_core::model::boosted::{fit_boosted, BoostingOptions, Ensemble};
use nps_core::synth::Rng;

/// Inputs per row, as the ticket's feature set.
const INPUTS: usize = 27;

fn main() {
    let rows: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(2_000);
    let (x, y) = data(20_000, 1);
    let (explain, _) = data(rows, 2);
    println!("300 trees, {INPUTS} inputs, {rows} rows explained one at a time (µs per row: median, p99)");
    for leaves in [7, 15, 31] {
        let options = BoostingOptions { n_estimators: 300, num_leaves: leaves, ..Default::default() };
        let (ensemble, _) = fit_boosted(x.view(), &y, 2, &[None; INPUTS], None, None, &options).expect("a fit");
        let depth = ensemble.trees.iter().map(|t| t.depth()).max().unwrap_or(0);
        let t = Instant::now();
        let plan = TreeShapPlan::new(&ensemble);
        let build = t.elapsed().as_secs_f64() * 1e3;
        let (algorithm_2, want) =
            time_rows(&explain, |row, out, scratch| ensemble_shap_into(&ensemble, row, out, scratch).expect("a row"));
        let (planned, got) = time_rows(&explain, |row, out, scratch| {
            plan.ensemble_shap_into(&ensemble, row, out, scratch).expect("a row")
        });
        let worst = got.iter().zip(&want).map(|(g, w)| (g - w).abs() / w.abs().max(1.0)).fold(0.0, f64::max);
        println!(
            "{leaves:>2} leaves (depth ≤ {depth:>2}): Algorithm 2 {:>7.1} / {:>7.1}, plan {:>6.1} / {:>6.1} ({:.1}x); \
             plan built in {build:.0} ms, {:.2} MiB, {} trees without tables, {} left to Algorithm 2; \
             largest difference {worst:.1e}",
            algorithm_2.0,
            algorithm_2.1,
            planned.0,
            planned.1,
            algorithm_2.0 / planned.0,
            plan.memory_bytes() as f64 / (1 << 20) as f64,
            plan.trees_without_tables(),
            plan.fallback_trees(),
        );
        check_sum(&ensemble, &explain, &got);
    }
}

/// Generated rows (5% missing) and a churn label that depends on a few inputs nonlinearly.
fn data(n: usize, seed: u64) -> (Array2<f64>, Vec<f64>) {
    let mut rng = Rng::new(seed);
    let mut x = Array2::zeros((n, INPUTS));
    let mut y = vec![0.0; n];
    for i in 0..n {
        for j in 0..INPUTS {
            x[[i, j]] = if rng.bernoulli(0.05) { f64::NAN } else { rng.normal() };
        }
        let v = |j: usize| if x[[i, j]].is_nan() { 0.0 } else { x[[i, j]] };
        let z = v(0) * v(1) + v(2).sin() + 0.5 * v(3) * v(3) - 0.7 * v(4) + 0.3 * v(5) * v(6) - 1.0;
        y[i] = rng.bernoulli(1.0 / (1.0 + (-z).exp())) as u8 as f64;
    }
    (x, y)
}

/// Runs `explain` on every row twice (the first pass warms up), timing each row of the
/// second: (median, p99) in µs, and every row's values.
fn time_rows(x: &Array2<f64>, explain: impl Fn(&[f64], &mut [f64], &mut TreeShapScratch)) -> ((f64, f64), Vec<f64>) {
    let mut scratch = TreeShapScratch::new();
    let mut out = vec![0.0; INPUTS + 1];
    let mut all = Vec::with_capacity(x.nrows() * out.len());
    let mut times = Vec::with_capacity(x.nrows());
    for pass in 0..2 {
        for row in x.rows() {
            let row = row.as_slice().expect("row-major");
            let t = Instant::now();
            explain(row, &mut out, &mut scratch);
            times.push(t.elapsed().as_secs_f64() * 1e6);
            if pass == 1 {
                all.extend_from_slice(&out);
            }
        }
        if pass == 0 {
            times.clear();
        }
    }
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    ((at(0.5), at(0.99)), all)
}

/// The contributions and bias add up to the raw score (a check that the timing timed real work).
fn check_sum(ensemble: &Ensemble, x: &Array2<f64>, values: &[f64]) {
    for (row, v) in x.rows().into_iter().zip(values.chunks(INPUTS + 1)) {
        let raw = ensemble.raw(row.as_slice().expect("row-major"));
        let sum: f64 = v.iter().sum();
        assert!((sum - raw).abs() < 1e-9 * raw.abs().max(1.0), "{sum} against {raw}");
    }
}
