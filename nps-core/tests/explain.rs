//! Exact attribution for linear models: by hand, grouping, top factors, and the property
//! that the baseline plus the contributions is the log-odds.
use approx::assert_relative_eq;
use ndarray::{array, Array2};
use nps_core::explain::{top_indices_into, LinearExplainer};
use proptest::prelude::*;

fn explainer() -> LinearExplainer {
    // Columns: tenure (source 0), contract=month (1), contract=year (1), bill shock (2).
    let names = vec!["tenure".to_string(), "contract".to_string(), "bill_shock".to_string()];
    LinearExplainer::new(&[-0.5, 0.8, -0.6, 1.2], -1.0, &[0.0, 0.55, 0.45, 0.1], &[0, 1, 1, 2], names).unwrap()
}

#[test]
fn contributions_by_hand_and_grouped_by_source() {
    let e = explainer();
    assert_relative_eq!(e.baseline, -1.0 + 0.8 * 0.55 - 0.6 * 0.45 + 1.2 * 0.1, max_relative = 1e-15);
    let x = array![[-1.2, 1.0, 0.0, 1.0]];
    let c = e.contributions(x.view()).unwrap();
    assert_relative_eq!(c[[0, 0]], -0.5 * -1.2, max_relative = 1e-15);
    assert_relative_eq!(c[[0, 1]], 0.8 * (1.0 - 0.55) - 0.6 * (0.0 - 0.45), max_relative = 1e-15);
    assert_relative_eq!(c[[0, 2]], 1.2 * 0.9, max_relative = 1e-15);
    let log_odds = -1.0 - 0.5 * -1.2 + 0.8 + 1.2;
    assert_relative_eq!(e.baseline + c.row(0).sum(), log_odds, max_relative = 1e-14);

    let (up, down) = e.top(c.row(0).as_slice().unwrap(), 2);
    assert_eq!(up.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(), ["bill_shock", "contract"]); // 1.08, 0.63 (tenure 0.60)
    assert!(down.is_empty());
    let (_, down) = e.top(&[0.1, -0.3, -0.3], 3);
    assert_eq!(down.iter().map(|f| f.source).collect::<Vec<_>>(), [1, 2], "ties keep source order");

    let imp = e.importance(array![[1.0, 1.0, 0.0, 0.0], [-1.0, 0.0, 1.0, 0.0]].view()).unwrap();
    assert_relative_eq!(imp[0], 0.5, max_relative = 1e-15);
    assert_relative_eq!(imp[2], 1.2 * 0.1, max_relative = 1e-15);
}

#[test]
fn bad_shapes_and_values_are_errors() {
    let names = || vec!["a".to_string()];
    let e = LinearExplainer::new(&[1.0, 2.0], 0.0, &[0.0], &[0, 0], names()).unwrap_err();
    assert!(e.to_string().contains("mean has 1 elements but coef has 2"), "{e}");
    let e = LinearExplainer::new(&[1.0], 0.0, &[0.0], &[1], names()).unwrap_err();
    assert!(e.to_string().contains("column_source[0] = 1"), "{e}");
    let e = LinearExplainer::new(&[f64::NAN], 0.0, &[0.0], &[0], names()).unwrap_err();
    assert!(e.to_string().contains("coef[0] = NaN"), "{e}");
    let ex = explainer();
    assert!(ex.contributions(Array2::zeros((1, 3)).view()).unwrap_err().to_string().contains("row has 3"));
    assert!(ex.importance(Array2::zeros((0, 4)).view()).is_err());
}

proptest! {
    /// baseline + Σ contributions = intercept + coef · x, for any model and row.
    #[test]
    fn contributions_sum_to_the_log_odds(
        cols in prop::collection::vec((-5.0f64..5.0, -3.0f64..3.0, -4.0f64..4.0, 0usize..4), 1..12),
        intercept in -3.0f64..3.0,
    ) {
        let coef: Vec<f64> = cols.iter().map(|c| c.0).collect();
        let mean: Vec<f64> = cols.iter().map(|c| c.1).collect();
        let x: Vec<f64> = cols.iter().map(|c| c.2).collect();
        let source: Vec<usize> = cols.iter().map(|c| c.3).collect();
        let names = (0..4).map(|i| format!("f{i}")).collect();
        let e = LinearExplainer::new(&coef, intercept, &mean, &source, names).unwrap();
        let row = Array2::from_shape_vec((1, x.len()), x.clone()).unwrap();
        let c = e.contributions(row.view()).unwrap();
        let log_odds = intercept + coef.iter().zip(&x).map(|(a, b)| a * b).sum::<f64>();
        let scale = 1.0 + coef.iter().zip(&x).map(|(a, b)| (a * b).abs() + (a * 3.0).abs()).sum::<f64>();
        prop_assert!((e.baseline + c.row(0).sum() - log_odds).abs() <= 1e-13 * scale);
        // A source with no columns contributes nothing.
        for s in 0..4 {
            if !source.contains(&s) {
                prop_assert_eq!(c[[0, s]], 0.0);
            }
        }
    }
}

proptest! {
    /// The top factors are those of a stable sort of the whole input (largest positive
    /// first, most negative first, ties in input order), cut at k; zeros and NaN in neither.
    #[test]
    fn top_indices_are_a_stable_sort_cut_at_k(
        c in prop::collection::vec(prop_oneof![(-3i32..=3).prop_map(f64::from), Just(f64::NAN), -2.0f64..2.0], 0..20),
        k in 0usize..6,
    ) {
        let mut up_want: Vec<usize> = (0..c.len()).filter(|&s| c[s] > 0.0).collect();
        up_want.sort_by(|&a, &b| c[b].total_cmp(&c[a]));
        up_want.truncate(k);
        let mut down_want: Vec<usize> = (0..c.len()).filter(|&s| c[s] < 0.0).collect();
        down_want.sort_by(|&a, &b| c[a].total_cmp(&c[b]));
        down_want.truncate(k);
        let (mut up, mut down) = (vec![99], vec![98]); // stale entries are cleared
        top_indices_into(&c, k, &mut up, &mut down);
        prop_assert_eq!(up, up_want);
        prop_assert_eq!(down, down_want);
    }
}
