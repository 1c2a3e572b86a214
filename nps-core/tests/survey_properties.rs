//! Invariants of the NPS statistics, checked on random inputs.
use nps_core::survey::{IntervalMethod, ScoreOptions, Tally};
use proptest::prelude::*;

fn tally(scores: &[u8]) -> Tally {
    Tally::from_scores(scores, &ScoreOptions::default()).unwrap()
}

fn answers() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(0u8..=10, 1..200)
}

proptest! {
    #[test]
    fn merging_is_associative_commutative_and_equals_concatenation(a in answers(), b in answers(), c in answers()) {
        let (ta, tb, tc) = (tally(&a), tally(&b), tally(&c));
        prop_assert_eq!(ta.merge(&tb), tb.merge(&ta));
        prop_assert_eq!(ta.merge(&tb).merge(&tc), ta.merge(&tb.merge(&tc)));
        let all: Vec<u8> = a.iter().chain(&b).chain(&c).copied().collect();
        prop_assert_eq!(ta + tb + tc, tally(&all));
    }

    #[test]
    fn weighted_merge_matches_concatenation(
        a in prop::collection::vec((0u8..=10, 0.0f64..5.0), 1..100),
        b in prop::collection::vec((0u8..=10, 0.0f64..5.0), 1..100),
    ) {
        let t = |v: &[(u8, f64)]| {
            let (s, w): (Vec<u8>, Vec<f64>) = v.iter().copied().unzip();
            Tally::from_weighted_scores(&s, &w, &ScoreOptions::default())
        };
        prop_assume!(t(&a).is_ok() && t(&b).is_ok());
        let all: Vec<(u8, f64)> = a.iter().chain(&b).copied().collect();
        let (merged, whole) = (t(&a).unwrap().merge(&t(&b).unwrap()), t(&all).unwrap());
        prop_assert_eq!(merged.counts, whole.counts);
        prop_assert!((merged.nps() - whole.nps()).abs() < 1e-9);
        prop_assert!((merged.se() - whole.se()).abs() < 1e-9);
    }

    #[test]
    fn nps_stays_in_bounds(a in answers()) {
        let n = tally(&a).nps();
        prop_assert!((-100.0..=100.0).contains(&n));
    }

    #[test]
    fn unit_weights_give_the_unweighted_answer(a in answers()) {
        let w = vec![1.0; a.len()];
        let weighted = Tally::from_weighted_scores(&a, &w, &ScoreOptions::default()).unwrap();
        prop_assert_eq!(weighted, tally(&a));
        prop_assert_eq!(weighted.se(), tally(&a).se());
    }

}

proptest! {
    // Each case computes two Bayesian intervals (numerical integration): fewer cases.
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn intervals_contain_their_centre(d in 0u64..300, p in 0u64..300, q in 0u64..300, level in 0.8f64..0.995) {
        prop_assume!(d + p + q > 0);
        let t = Tally::from_counts(d, p, q).unwrap();
        for method in [IntervalMethod::Wald, IntervalMethod::AdjustedWald, IntervalMethod::Score, IntervalMethod::BAYES] {
            let i = t.interval(method, level).unwrap();
            prop_assert!(i.low <= i.center && i.center <= i.high, "{:?}", i);
            let c = i.clipped();
            prop_assert!(c.low >= -100.0 && c.high <= 100.0);
        }
        for method in [IntervalMethod::Score, IntervalMethod::BAYES] {
            let i = t.interval(method, level).unwrap();
            prop_assert!(i.low >= -100.0 && i.high <= 100.0, "{:?}", i);
        }
    }
}
