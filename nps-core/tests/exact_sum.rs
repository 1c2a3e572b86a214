//! The exact sum: correctly rounded (against an integer reference) and independent of the
//! order and grouping of its terms, bit for bit.
use nps_core::stats::exact_sum::{exact_sum, ExactSum};
use proptest::prelude::*;

/// Terms m * 2^e with |m| < 2^53 and -40 <= e <= 10: exact as integers times 2^-40.
fn terms() -> impl Strategy<Value = Vec<(i64, i32)>> {
    prop::collection::vec((-(1i64 << 53) + 1..(1i64 << 53), -40i32..=10), 0..60)
}

fn float(m: i64, e: i32) -> f64 {
    m as f64 * 2f64.powi(e)
}

proptest! {
    #[test]
    fn rounded_once_from_the_exact_sum(terms in terms()) {
        let exact: i128 = terms.iter().map(|&(m, e)| (m as i128) << (e + 40)).sum();
        let expected = exact as f64 * 2f64.powi(-40); // `as` rounds to nearest, ties to even
        let got = exact_sum(terms.iter().map(|&(m, e)| float(m, e)), &mut Vec::new());
        prop_assert_eq!(got.to_bits(), expected.to_bits(), "terms {:?}", terms);
    }

    #[test]
    fn parts_merged_in_any_order_give_the_same_bits(
        terms in terms(),
        seed in any::<u64>(),
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..4),
    ) {
        let xs: Vec<f64> = terms.iter().map(|&(m, e)| float(m, e)).collect();
        let whole = exact_sum(xs.iter().copied(), &mut Vec::new());
        // Shuffle (a seeded Fisher-Yates), cut into parts, sum each, merge last part first.
        let mut shuffled = xs.clone();
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            shuffled.swap(i, (state % (i as u64 + 1)) as usize);
        }
        let mut ends: Vec<usize> = cuts.iter().map(|c| c.index(shuffled.len() + 1)).collect();
        ends.push(shuffled.len());
        ends.sort_unstable();
        let mut parts = Vec::new();
        let mut start = 0;
        for end in ends {
            let mut part = ExactSum::new();
            for &x in &shuffled[start..end] {
                part.add(x);
            }
            // What a part writes down is read back as it was.
            parts.push(ExactSum::from_partials(part.partials()).expect("partials of a sum are accepted"));
            start = end;
        }
        let mut merged = ExactSum::new();
        for part in parts.iter().rev() {
            merged.merge(part);
        }
        prop_assert_eq!(merged.value().to_bits(), whole.to_bits());
    }
}
