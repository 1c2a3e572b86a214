//! Harrell's concordance index of a fitted risk score: among the pairs of customers whose
//! order of leaving is known, the share the score ranks the right way round (ties in the
//! score count one half). As lifelines: a pair is comparable when the first customer's
//! observation ends in the event strictly before the other's ends, or at the same time as
//! the other is censored; two events at the same time are not compared.

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

/// The pair counts of the rows `rows`, with `risk` higher for customers expected to leave
/// sooner (O(n log n): a Fenwick tree over the ranks of the risks of the events seen).
pub(crate) fn pair_counts(durations: &[f64], events: &[bool], risk: &[f64], rows: &[usize]) -> PairCounts {
    let mut order: Vec<usize> = rows.to_vec();
    // Increasing duration; at equal durations the events first, so that a censored customer
    // is compared with the events at its own time.
    order.sort_unstable_by(|&i, &j| durations[i].total_cmp(&durations[j]).then(events[j].cmp(&events[i])));
    let mut levels: Vec<f64> = rows.iter().filter(|&&i| events[i]).map(|&i| risk[i]).collect();
    levels.sort_unstable_by(f64::total_cmp);
    levels.dedup();
    let mut tree = vec![0u64; levels.len() + 1];
    let mut seen = 0u64;
    let mut counts = PairCounts::default();
    let rank = |v: f64| levels.partition_point(|&l| l < v);
    let prefix = |tree: &[u64], mut k: usize| {
        // Events seen with a rank below k.
        let mut s = 0;
        while k > 0 {
            s += tree[k];
            k &= k - 1;
        }
        s
    };
    let mut start = 0;
    while start < order.len() {
        let t = durations[order[start]];
        let mut end = start;
        while end < order.len() && durations[order[end]] == t && events[order[end]] {
            end += 1;
        }
        let mut censored_end = end;
        while censored_end < order.len() && durations[order[censored_end]] == t {
            censored_end += 1;
        }
        // Every customer leaving at t is compared with the events seen strictly before t
        // (the events at t are added after, then the censored at t compared with them too).
        for &i in &order[start..end] {
            compare(&mut counts, &tree, seen, risk[i], &levels, rank, prefix);
        }
        for &i in &order[start..end] {
            let mut k = rank(risk[i]) + 1;
            while k < tree.len() {
                tree[k] += 1;
                k += k & k.wrapping_neg();
            }
            seen += 1;
        }
        for &i in &order[end..censored_end] {
            compare(&mut counts, &tree, seen, risk[i], &levels, rank, prefix);
        }
        start = censored_end;
    }
    counts
}

fn compare(
    counts: &mut PairCounts,
    tree: &[u64],
    seen: u64,
    risk: f64,
    levels: &[f64],
    rank: impl Fn(f64) -> usize,
    prefix: impl Fn(&[u64], usize) -> u64,
) {
    let below = rank(risk);
    let lower = prefix(tree, below);
    let equal = if below < levels.len() && levels[below] == risk { prefix(tree, below + 1) - lower } else { 0 };
    counts.pairs += seen;
    // The earlier events with a risk above this customer's are ranked the right way round.
    counts.concordant += seen - lower - equal;
    counts.tied += equal;
}
