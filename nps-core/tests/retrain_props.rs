//! Invariants of the champion-and-challenger decision and of the lineage's id.
use nps_core::monitor::{compare_scores, fnv1a64, model_id, PromotionRule};
use proptest::prelude::*;

fn window() -> impl Strategy<Value = (Vec<f64>, Vec<f64>, Vec<f64>)> {
    (20usize..120).prop_flat_map(|n| {
        (
            proptest::collection::vec(prop::bool::ANY, n),
            proptest::collection::vec(0.0f64..=1.0, n),
            proptest::collection::vec(0.0f64..=1.0, n),
        )
            .prop_map(|(y, a, b)| {
                let mut y: Vec<f64> = y.into_iter().map(|v| v as u8 as f64).collect();
                // Both classes present.
                y[0] = 0.0;
                y[1] = 1.0;
                (y, a, b)
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Swapping the two models swaps the one-sided p-values and the differences, and the
    /// rule never promotes both ways on ranking.
    #[test]
    fn swapping_champion_and_challenger_mirrors_the_evidence((y, a, b) in window()) {
        let rule = PromotionRule::default();
        let ab = compare_scores(&y, &a, &b, "a", "b", &rule).unwrap();
        let ba = compare_scores(&y, &b, &a, "b", "a", &rule).unwrap();
        prop_assert!((ab.p_challenger_better - ba.p_champion_better).abs() < 1e-12);
        prop_assert!((ab.delong.difference + ba.delong.difference).abs() < 1e-12);
        prop_assert!((ab.brier_difference + ba.brier_difference).abs() < 1e-12);
        prop_assert!(!(ab.clause == "better_auc" && ba.clause == "better_auc"));
        prop_assert!((0.0..=1.0).contains(&ab.p_challenger_better));
        // A model against itself is never promoted.
        let same = compare_scores(&y, &a, &a, "a", "a", &rule).unwrap();
        prop_assert!(!same.promote);
    }

    /// The id is a function of the file's text: 16 hex digits after the prefix, changing
    /// with any appended byte.
    #[test]
    fn ids_name_the_text(text in ".{0,200}", extra in any::<u8>()) {
        let id = model_id(&text);
        prop_assert_eq!(id.len(), "fnv1a64:".len() + 16);
        let mut bytes = text.clone().into_bytes();
        bytes.push(extra);
        prop_assert_ne!(fnv1a64(&bytes), fnv1a64(text.as_bytes()));
    }
}
