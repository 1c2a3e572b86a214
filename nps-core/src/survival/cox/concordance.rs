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
/// customers expected to leave sooner. O(n log n): the distinct risks of the events sorted
/// once, each row's rank among them found through a [`LevelIndex`] (in parallel), then a Fenwick tree
/// over the ranks of the events seen, in increasing duration.
pub(crate) fn pair_counts(durations: &[f64], events: &[bool], risk: &[f64], rows: &[usize]) -> PairCounts {
    let mut levels: Vec<f64> = rows.iter().filter(|&&i| events[i]).map(|&i| risk[i]).collect();
    levels.par_sort_unstable_by(f64::total_cmp);
    levels.dedup();
    // For each row: the number of distinct event risks below its own, and whether an event
    // has its risk exactly.
    let index = LevelIndex::new(&levels);
    let ranks: Vec<(u32, bool)> = rows.par_iter().map(|&i| index.rank(risk[i])).collect();
    // The rows of the longer durations (positions before `half`, at a change of duration)
    // are counted on their own, in parallel with the others, with what the others' events
    // add to their comparisons (the events with a rank below each rank) tallied beforehand.
    let mut half = rows.len() / 2;
    while half > 0 && half < rows.len() && durations[rows[half]] == durations[rows[half - 1]] {
        half += 1;
    }
    let (late, early) = rayon::join(
        || {
            let mut below = vec![0u32; levels.len() + 1];
            for p in half..rows.len() {
                if events[rows[p]] {
                    below[ranks[p].0 as usize + 1] += 1;
                }
            }
            for k in 1..below.len() {
                below[k] += below[k - 1];
            }
            count_pairs(durations, events, rows, &ranks, 0..half, levels.len(), Some(&below))
        },
        || count_pairs(durations, events, rows, &ranks, half..rows.len(), levels.len(), None),
    );
    let mut counts = early;
    counts.add(late);
    counts
}

/// The pair counts of the comparisons made at the positions `range` of `rows` (`levels`
/// ranks), given the earlier events (of shorter durations, after `range`) as `before`: the
/// number of them with a rank below each rank, `levels + 1` counts.
fn count_pairs(
    durations: &[f64],
    events: &[bool],
    rows: &[usize],
    ranks: &[(u32, bool)],
    range: std::ops::Range<usize>,
    levels: usize,
    before: Option<&[u32]>,
) -> PairCounts {
    let before_below = |b: usize| before.map_or(0, |c| u64::from(c[b]));
    let before_total = before_below(levels);
    let mut seen_events = RankCounts::new(levels);
    let mut counts = PairCounts::default();
    let compare = |counts: &mut PairCounts, seen: &RankCounts, p: usize| {
        let (b, on_level) = (ranks[p].0 as usize, ranks[p].1);
        let lower = before_below(b) + seen.below(b);
        let equal = if on_level { before_below(b + 1) - before_below(b) + seen.at(b) } else { 0 };
        let total = before_total + seen.total;
        counts.pairs += total;
        // The earlier events with a risk above this customer's are ranked the right way round.
        counts.concordant += total - lower - equal;
        counts.tied += equal;
    };
    // Positions from the last (shortest duration) to the first; at each duration the events
    // are compared with the events before it, then added, then the censored compared.
    let mut end = range.end;
    while end > range.start {
        let t = durations[rows[end - 1]];
        let mut start = end - 1;
        while start > range.start && durations[rows[start - 1]] == t {
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

/// Distinct levels per range of a [`LevelIndex`], on average.
const LEVELS_PER_RANGE: usize = 4;

/// Where a number falls among sorted distinct levels, without a search through them: the
/// numbers' bits (in an order that follows the numbers') are cut into ranges of equal width,
/// with the first level of each range at hand, so that a rank reads the table and a few
/// neighbouring levels (one or two cache lines) rather than a bisection's path through
/// memory. A range with many levels is bisected.
struct LevelIndex<'a> {
    levels: &'a [f64],
    /// The first level of each range (and the number of levels, at the end).
    starts: Vec<u32>,
    /// The key of the first level.
    low: u64,
    /// A key's range: (key − low) >> shift.
    shift: u32,
}

/// The bits of a number as an integer in the order of the numbers (−0 as +0).
fn order_key(v: f64) -> u64 {
    let bits = (v + 0.0).to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | 1 << 63
    }
}

impl<'a> LevelIndex<'a> {
    /// `levels`: increasing, distinct, no NaN.
    fn new(levels: &'a [f64]) -> Self {
        let (Some(&first), Some(&last)) = (levels.first(), levels.last()) else {
            return LevelIndex { levels, starts: vec![0, 0], low: 0, shift: 63 };
        };
        let (low, span) = (order_key(first), order_key(last) - order_key(first));
        let ranges = (levels.len() / LEVELS_PER_RANGE).max(1) as u64;
        let shift = (0..64).find(|&s| span >> s < ranges).unwrap_or(63);
        let mut starts = vec![0u32; (span >> shift) as usize + 2];
        for &v in levels {
            starts[((order_key(v) - low) >> shift) as usize + 1] += 1;
        }
        for k in 1..starts.len() {
            starts[k] += starts[k - 1];
        }
        LevelIndex { levels, starts, low, shift }
    }

    /// The number of levels below `r`, and whether `r` is a level.
    fn rank(&self, r: f64) -> (u32, bool) {
        let key = order_key(r);
        let below = if key < self.low {
            0
        } else {
            let range = (((key - self.low) >> self.shift) as usize).min(self.starts.len() - 2);
            let (from, to) = (self.starts[range] as usize, self.starts[range + 1] as usize);
            from + self.levels[from..to].partition_point(|&v| v < r)
        };
        (below as u32, self.levels.get(below) == Some(&r))
    }
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

    /// Tied durations, tied risks, more distinct event risks than the ranges of the index,
    /// risks above and below every event's: the counts of every pair.
    #[test]
    fn counts_every_comparable_pair() {
        let mut rng = Rng::new(7);
        for (n, distinct_risks) in [(2, 2), (50, 5), (700, 300), (1_500, 1_000_000)] {
            let mut durations: Vec<f64> = (0..n).map(|_| (rng.uniform() * 40.0).ceil()).collect();
            durations.sort_by(|a, b| b.total_cmp(a));
            let events: Vec<bool> = (0..n).map(|_| rng.bernoulli(0.4)).collect();
            // Negative and positive, ±0, infinite, and spread over many magnitudes.
            let risk: Vec<f64> = (0..n)
                .map(|_| match rng.below(20) {
                    0 => f64::INFINITY,
                    1 => -0.0,
                    2 => (rng.normal() * 30.0).exp(),
                    _ => rng.below(distinct_risks) as f64 - (distinct_risks / 2) as f64,
                })
                .collect();
            let rows: Vec<usize> = (0..n).collect();
            assert_eq!(pair_counts(&durations, &events, &risk, &rows), by_pairs(&durations, &events, &risk), "n = {n}");
        }
    }
}
