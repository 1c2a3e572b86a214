//! The core's `unsafe` code on small inputs, for Miri (`cargo +nightly miri test -p nps-core
//! --test unsafe_paths`; docs/reliability.md#concurrency): batch scoring (`model/batch.rs`:
//! unchecked gathers, the AVX2 path where the processor has it), boosted training's shared
//! score writer (`model/boosted/train.rs`, rows written from rayon's threads), the
//! histogram prefetch hint (`model/boosted/histogram.rs`) and the Cox fit's scatter and sums
//! (`survival/cox/`). Under `cargo test` these are plain equality tests: batch scores equal
//! single scores to the bit, a column-major Cox fit equals the row-major one.
use nps_core::encode::Cell;
use nps_core::model::boosted::{BoostedChurnModel, BoostingOptions};
use nps_core::model::ChurnModel;

fn model() -> ChurnModel {
    // Compiled in: Miri's isolation allows no file access.
    let text = include_str!("../../tests/vectors/service.json");
    let v: serde_json::Value = serde_json::from_str(text).unwrap();
    ChurnModel::from_json(&v["model"].to_string()).unwrap()
}

#[test]
fn batch_scores_equal_single_scores() {
    let m = model();
    let n = m.inputs.len();
    // 40 rows: two full tiles of sixteen and a remainder.
    let x = ndarray::Array2::from_shape_fn((40, n), |(r, i)| ((r * 31 + i * 7) % 50) as f64);
    let batch = m.raw_proba_matrix(x.view(), &m.inputs).unwrap();
    let mut scratch = Vec::new();
    for r in 0..40 {
        let cells: Vec<Cell> =
            x.row(r).iter().map(|&v| if v.is_nan() { Cell::Missing } else { Cell::Number(v) }).collect();
        let one = m.raw_proba_matrix(x.slice(ndarray::s![r..r + 1, ..]), &m.inputs).unwrap()[0];
        if cfg!(miri) {
            // Miri perturbs `exp` and friends by a few ulps on purpose (floating-point
            // non-determinism): equal to rounding there, to the bit natively.
            assert!((one - batch[r]).abs() <= 1e-12 * one.abs(), "row {r}");
        } else {
            assert_eq!(one.to_bits(), batch[r].to_bits(), "row {r}");
        }
        if let Ok(p) = m.score_cells(&cells, &mut scratch) {
            assert!(p.is_finite());
        }
    }
}

#[test]
fn a_small_boosted_fit_writes_scores_from_threads() {
    let names: Vec<String> = (0..3).map(|i| format!("x{i}")).collect();
    let x = ndarray::Array2::from_shape_fn((48, 3), |(r, i)| ((r * 13 + i * 5) % 17) as f64);
    let y: Vec<f64> = (0..48).map(|r| ((r * 7) % 5 < 2) as u8 as f64).collect();
    let options = BoostingOptions { n_estimators: 3, ..Default::default() };
    let m = BoostedChurnModel::fit_matrix(x.view(), &names, &y, None, None, &options).unwrap();
    let raw = m.raw_scores(x.view()).unwrap();
    assert!(raw.iter().all(|v| v.is_finite()));
}

/// The Cox fit's scatter of a column-major matrix into its design (`survival/cox/fit.rs`:
/// rows copied from rayon's tasks through a `DisjointWriter`) and its risk-set sums
/// (`survival/cox/risk_sums.rs`: the AVX2 and FMA paths natively, the portable one under
/// Miri): a column-major and a row-major copy of the same covariates fit the same model.
#[test]
fn a_small_cox_fit_scatters_a_column_major_matrix() {
    use ndarray::{Array2, ShapeBuilder};
    use nps_core::survival::{CoxInput, CoxModel, CoxOptions, SurvivalData};

    let (n, d) = (150, 3);
    let value = |i: usize, j: usize| (((i * 37 + j * 11) % 17) as f64 - 8.0) / 5.0;
    let rows = Array2::from_shape_fn((n, d), |(i, j)| value(i, j));
    let mut columns = Array2::zeros((n, d).f());
    columns.assign(&rows);
    let durations: Vec<f64> = (0..n).map(|i| ((i * 7919) % 40 + 1) as f64).collect();
    let events: Vec<bool> = (0..n).map(|i| i % 3 != 0).collect();
    let names: Vec<String> = (0..d).map(|j| format!("x{j}")).collect();
    let fit = |x| {
        let input = CoxInput { x, covariates: &names, data: SurvivalData::new(&durations, &events), strata: None };
        CoxModel::fit(&input, &CoxOptions::default()).unwrap()
    };
    let (a, b) = (fit(rows.view()), fit(columns.view()));
    if cfg!(miri) {
        // Miri perturbs exp by a few ulps on purpose, so equal risks (rows alike here) come
        // out unequal at random: the coefficients agree to rounding, the concordance not.
        for (x, y) in a.coefficients.iter().zip(&b.coefficients).chain(a.standard_errors.iter().zip(&b.standard_errors))
        {
            assert!((x - y).abs() <= 1e-9 * x.abs().max(1.0), "{x} vs {y}");
        }
    } else {
        assert_eq!(a, b);
    }
    assert!(a.coefficients.iter().all(|c| c.is_finite()) && a.iterations > 0);
}
