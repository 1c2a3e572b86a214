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

/// Levels per block of the two-step search for a risk's rank.
const LEVEL_BLOCK: usize = 64;

/// The pair counts of the rows `rows` (in decreasing duration), with `risk` higher for
/// customers expected to leave sooner. O(n log n): the distinct risks of the events sorted
/// once, each row's rank among them found by bisection (in parallel), then a Fenwick tree
/// over the ranks of the events seen, in increasing duration.
pub(crate) fn pair_counts(durations: &[f64], events: &[bool], risk: &[f64], rows: &[usize]) -> PairCounts {
    let mut levels: Vec<f64> = rows.iter().filter(|&&i| events[i]).map(|&i| risk[i]).collect();
    levels.par_sort_unstable_by(f64::total_cmp);
    levels.dedup();
    // For each row: the number of distinct event risks below its own, and whether an event
    // has its risk exactly.
    // Bisection first among every LEVEL_BLOCK-th level (a table that stays in the cache),
    // then within one block: two short searches rather than one long one through memory.
    let tops: Vec<f64> = levels.chunks(LEVEL_BLOCK).map(|block| block[block.len() - 1]).collect();
    let ranks: Vec<(u32, bool)> = rows
        .par_iter()
        .map(|&i| {
            let r = risk[i];
            let first = (tops.partition_point(|&v| v < r) * LEVEL_BLOCK).min(levels.len());
            let block = &levels[first..(first + LEVEL_BLOCK).min(levels.len())];
            let below = first + block.partition_point(|&v| v < r);
            (below as u32, levels.get(below) == Some(&r))
        })
        .collect();
    let mut seen_events = RankCounts::new(levels.len());
    let mut counts = PairCounts::default();
    let compare = |counts: &mut PairCounts, seen: &RankCounts, p: usize| {
        let (b, on_level) = (ranks[p].0 as usize, ranks[p].1);
        let lower = seen.below(b);
        let equal = if on_level { seen.at(b) } else { 0 };
        counts.pairs += seen.total;
        // The earlier events with a risk above this customer's are ranked the right way round.
        counts.concordant += seen.total - lower - equal;
        counts.tied += equal;
    };
    // Positions from the last (shortest duration) to the first; at each duration the events
    // are compared with the events before it, then added, then the censored compared.
    let mut end = rows.len();
    while end > 0 {
        let t = durations[rows[end - 1]];
        let mut start = end - 1;
        while start > 0 && durations[rows[start - 1]] == t {
            start -= 1;
        }
        for p in start..end {
            if events[rows[p]] {
                compare(&mut counts, &seen_events, p);
            }
        }
        for p in start..end {
            if events[rows[p]] {
                seen_events.add(ranks[p].0 as usize);
            }
        }
        for p in start..end {
            if !events[rows[p]] {
                compare(&mut counts, &seen_events, p);
            }
        }
        end = start;
    }
    counts
}

/// Levels per block of [`RankCounts`].
const COUNT_BLOCK: usize = 64;

/// How many of the events seen so far sit at each rank, with the counts below a rank at
/// hand: a Fenwick tree over blocks of COUNT_BLOCK ranks (small enough to stay in the
/// nearest cache) and the count of each rank, so that a query reads the tree and one
/// stretch of a block rather than a path through a tree of every rank.
struct RankCounts {
    /// Fenwick tree (1-based) of the counts per block.
    blocks: Vec<u32>,
    /// The count at each rank. Counts as u32: a stratum has fewer than 2³² rows.
    at: Vec<u32>,
    /// All the counts.
    total: u64,
}

impl RankCounts {
    fn new(ranks: usize) -> Self {
        RankCounts { blocks: vec![0; ranks.div_ceil(COUNT_BLOCK) + 1], at: vec![0; ranks], total: 0 }
    }

    fn add(&mut self, rank: usize) {
        self.at[rank] += 1;
        self.total += 1;
        let mut k = rank / COUNT_BLOCK + 1;
        while k < self.blocks.len() {
            self.blocks[k] += 1;
            k += k & k.wrapping_neg();
        }
    }

    /// The count at `rank`.
    fn at(&self, rank: usize) -> u64 {
        u64::from(self.at[rank])
    }

    /// The count at the ranks below `rank`.
    fn below(&self, rank: usize) -> u64 {
        let block = rank / COUNT_BLOCK;
        let (mut sum, mut k) = (0u64, block);
        while k > 0 {
            sum += u64::from(self.blocks[k]);
            k &= k - 1;
        }
        sum + self.at[block * COUNT_BLOCK..rank].iter().map(|&c| u64::from(c)).sum::<u64>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    /// Every pair looked at, by the definition in the module's comment.
    fn by_pairs(durations: &[f64], events: &[bool], risk: &[f64]) -> PairCounts {
        let mut counts = PairCounts::default();
        for i in 0..durations.len() {
            for j in 0..durations.len() {
                let comparable =
                    events[i] && (durations[i] < durations[j] || (durations[i] == durations[j] && !events[j]));
                if comparable {
                    counts.pairs += 1;
                    if risk[i] > risk[j] {
                        counts.concordant += 1;
                    } else if risk[i] == risk[j] {
                        counts.tied += 1;
                    }
                }
            }
        }
        counts
    }

    /// Tied durations, tied risks, and more distinct event risks than one block of the
    /// searches (risks above and below every event's, too): the counts of every pair.
    #[test]
    fn counts_every_comparable_pair() {
        let mut rng = Rng::new(7);
        for (n, distinct_risks) in [(2, 2), (50, 5), (700, 300), (1_500, 1_000_000)] {
            let mut durations: Vec<f64> = (0..n).map(|_| (rng.uniform() * 40.0).ceil()).collect();
            durations.sort_by(|a, b| b.total_cmp(a));
            let events: Vec<bool> = (0..n).map(|_| rng.bernoulli(0.4)).collect();
            let risk: Vec<f64> = (0..n).map(|_| rng.below(distinct_risks) as f64).collect();
            let rows: Vec<usize> = (0..n).collect();
            assert_eq!(pair_counts(&durations, &events, &risk, &rows), by_pairs(&durations, &events, &risk), "n = {n}");
        }
    }
}
