//! Harrell's concordance index of a fitted risk score: among the pairs of customers whose
//! order of leaving is known, the share the score ranks the right way round (ties in the
//! score count one half). As lifelines: a pair is comparable when the first customer's
//! observation ends in the event strictly before the other's ends, or at the same time as
//! the other is censored; two events at the same time are not compared.

use rayon::prelude::*;

/// Counts of the comparable pairs.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct PairCounts {
    /// Pairs where the customer who left first has the higher risk.
    pub concordant: u64,
    /// Pairs with equal risks.
    pub tied: u64,
    /// Comparable pairs.
    pub pairs: u64,
}

impl PairCounts {
    /// Adds the counts of another set of customers (another stratum).
    pub fn add(&mut self, other: PairCounts) {
        self.concordant += other.concordant;
        self.tied += other.tied;
        self.pairs += other.pairs;
    }

    /// The index: (concordant + tied / 2) / pairs; 0.5 when no pair is comparable.
    pub fn index(&self) -> f64 {
        if self.pairs == 0 {
            0.5
        } else {
            (self.concordant as f64 + self.tied as f64 / 2.0) / self.pairs as f64
        }
    }
}

/// The pair counts of the rows `rows` (in decreasing duration), with `risk` higher for
/// customers expected to leave sooner. O(n log n): the risks ranked once (a parallel sort
/// whose ranks do not depend on the threads), then a Fenwick tree over the ranks of the
/// events seen, in increasing duration.
pub(crate) fn pair_counts(durations: &[f64], events: &[bool], risk: &[f64], rows: &[usize]) -> PairCounts {
    let m = rows.len();
    let mut by_risk: Vec<(f64, u32)> = rows.iter().enumerate().map(|(p, &i)| (risk[i], p as u32)).collect();
    by_risk.par_sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    // For each row: the number of distinct event risks below its own, and whether an event
    // has its risk exactly.
    let (mut below, mut on_level) = (vec![0u32; m], vec![false; m]);
    let (mut levels, mut k) = (0u32, 0);
    while k < m {
        let v = by_risk[k].0;
        let mut e = k;
        let mut event = false;
        while e < m && by_risk[e].0 == v {
            event |= events[rows[by_risk[e].1 as usize]];
            e += 1;
        }
        for &(_, p) in &by_risk[k..e] {
            below[p as usize] = levels;
            on_level[p as usize] = event;
        }
        levels += u32::from(event);
        k = e;
    }
    // Counts as u32 (a stratum has fewer than 2³² rows, as the u32 positions above): half
    // the memory of u64, so more of the tree stays in the cache.
    let mut tree = vec![0u32; levels as usize + 1];
    let prefix = |tree: &[u32], mut k: usize| {
        let mut s = 0u64;
        while k > 0 {
            s += u64::from(tree[k]);
            k &= k - 1;
        }
        s
    };
    let mut counts = PairCounts::default();
    let mut seen = 0u64;
    let compare = |counts: &mut PairCounts, tree: &[u32], seen: u64, p: usize| {
        let b = below[p] as usize;
        let lower = prefix(tree, b);
        let equal = if on_level[p] { prefix(tree, b + 1) - lower } else { 0 };
        counts.pairs += seen;
        // The earlier events with a risk above this customer's are ranked the right way round.
        counts.concordant += seen - lower - equal;
        counts.tied += equal;
    };
    // Positions from the last (shortest duration) to the first; at each duration the events
    // are compared with the events before it, then added, then the censored compared.
    let mut end = m;
    while end > 0 {
        let t = durations[rows[end - 1]];
        let mut start = end - 1;
        while start > 0 && durations[rows[start - 1]] == t {
            start -= 1;
        }
        for p in start..end {
            if events[rows[p]] {
                compare(&mut counts, &tree, seen, p);
            }
        }
        for p in start..end {
            if events[rows[p]] {
                let mut k = below[p] as usize + 1;
                while k < tree.len() {
                    tree[k] += 1;
                    k += k & k.wrapping_neg();
                }
                seen += 1;
            }
        }
        for p in start..end {
            if !events[rows[p]] {
                compare(&mut counts, &tree, seen, p);
            }
        }
        end = start;
    }
    counts
}
