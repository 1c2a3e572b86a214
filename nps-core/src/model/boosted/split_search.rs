//! The best split of one leaf, read off its histogram: a threshold for a numeric input
//! (with the side missing values take, tried both ways), a set of categories for a
//! categorical one (ordered by gradient statistics, as LightGBM orders them).
use rayon::prelude::*;

use super::bins::BinMap;
use super::histogram::{BinSum, Layout};

/// What constrains a split (the trainer's options, resolved).
#[derive(Debug, Clone)]
pub(crate) struct SplitRules {
    pub(crate) lambda_l2: f64,
    pub(crate) min_data_in_leaf: u32,
    pub(crate) min_sum_hessian_in_leaf: f64,
    pub(crate) min_gain_to_split: f64,
    /// Per input: +1 (the score never falls as it rises), −1, or 0.
    pub(crate) monotone: Vec<i8>,
    pub(crate) max_cat_to_onehot: usize,
    pub(crate) max_cat_threshold: usize,
    pub(crate) cat_smooth: f64,
    pub(crate) cat_l2: f64,
    pub(crate) min_data_per_group: u32,
}

/// A leaf's output bounds (from monotone constraints above it).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bounds {
    pub(crate) lo: f64,
    pub(crate) hi: f64,
}

impl Bounds {
    pub(crate) const NONE: Bounds = Bounds { lo: f64::NEG_INFINITY, hi: f64::INFINITY };
}

/// A candidate split.
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    pub(crate) feature: usize,
    pub(crate) gain: f64,
    /// Numeric: bins `1..=threshold_bin` go left.
    pub(crate) threshold_bin: usize,
    /// Categorical: the bins that go left, sorted.
    pub(crate) left_bins: Option<Vec<u8>>,
    pub(crate) default_left: bool,
    pub(crate) left: BinSum,
    pub(crate) right: BinSum,
    pub(crate) left_output: f64,
    pub(crate) right_output: f64,
}

/// The output of a leaf (before the learning rate): −G / (H + λ), within its bounds.
#[inline]
pub(crate) fn leaf_output(g: f64, h: f64, lambda: f64, b: Bounds) -> f64 {
    (-g / (h + lambda)).clamp(b.lo, b.hi)
}

/// The loss reduction of giving a leaf output `w`: −(2Gw + (H + λ)w²), which is
/// G² / (H + λ) at the unconstrained optimum.
#[inline]
fn gain_given_output(g: f64, h: f64, lambda: f64, w: f64) -> f64 {
    -(2.0 * g * w + (h + lambda) * w * w)
}

/// The best split of a leaf with sums `total`, histogram `hist`, over the inputs `active`;
/// `None` when no split gains more than `min_gain_to_split`. Ties go to the lower input.
pub(crate) fn best_split(
    maps: &[BinMap],
    layout: &Layout,
    active: &[usize],
    hist: &[BinSum],
    total: BinSum,
    bounds: Bounds,
    rules: &SplitRules,
) -> Option<Candidate> {
    let parent_output = leaf_output(total.g, total.h, rules.lambda_l2, bounds);
    let parent_gain = gain_given_output(total.g, total.h, rules.lambda_l2, parent_output);
    let one = |&f: &usize| {
        let h = &hist[layout.range(f)];
        match &maps[f] {
            BinMap::Numeric { .. } => numeric(f, h, bounds, rules, parent_gain),
            BinMap::Categorical { .. } => categorical(f, h, bounds, rules, parent_gain),
        }
    };
    // Each input's best, then the best of those in input order: the first of equal gains
    // wins, whatever the threads.
    let candidates: Vec<Option<Candidate>> =
        if active.len() * 64 < 4096 { active.iter().map(one).collect() } else { active.par_iter().map(one).collect() };
    candidates.into_iter().flatten().fold(None, |best: Option<Candidate>, c| match best {
        Some(b) if !better(c.gain, b.gain) => Some(b),
        _ => Some(c),
    })
}

/// Whether gain `a` beats `b` by more than rounding: gains equal in exact arithmetic, summed
/// in another order (rows permuted, a weight of 2 for a repeated row), count as equal, so
/// the choice between them does not depend on the order of the rows.
#[inline]
pub(crate) fn better(a: f64, b: f64) -> bool {
    a > b + 1e-10 * b.abs()
}

/// Scores a partition into `left` and `right` (the sums of the whole leaf minus left), or
/// `None` when it breaks a constraint or gains too little.
#[allow(clippy::too_many_arguments)]
#[inline]
fn evaluate(
    left: BinSum,
    right: BinSum,
    lambda: f64,
    monotone: i8,
    bounds: Bounds,
    rules: &SplitRules,
    parent_gain: f64,
) -> Option<(f64, f64, f64)> {
    if left.n < rules.min_data_in_leaf
        || right.n < rules.min_data_in_leaf
        || left.h < rules.min_sum_hessian_in_leaf
        || right.h < rules.min_sum_hessian_in_leaf
    {
        return None;
    }
    let wl = leaf_output(left.g, left.h, lambda, bounds);
    let wr = leaf_output(right.g, right.h, lambda, bounds);
    if (monotone > 0 && wl > wr) || (monotone < 0 && wl < wr) {
        return None;
    }
    let gain =
        gain_given_output(left.g, left.h, lambda, wl) + gain_given_output(right.g, right.h, lambda, wr) - parent_gain;
    (gain > rules.min_gain_to_split && gain > 0.0).then_some((gain, wl, wr))
}

fn numeric(f: usize, h: &[BinSum], bounds: Bounds, rules: &SplitRules, parent_gain: f64) -> Option<Candidate> {
    let missing = h[0];
    let mut all = BinSum::default();
    for s in h {
        all.add(s);
    }
    let monotone = rules.monotone[f];
    let mut best: Option<Candidate> = None;
    // With no missing value here, one scan; the default side is chosen after.
    let sides: &[bool] = if missing.n > 0 { &[false, true] } else { &[false] };
    for &default_left in sides {
        let mut left = if default_left { missing } else { BinSum::default() };
        for (t, bin) in h.iter().enumerate().take(h.len() - 1).skip(1) {
            left.add(bin);
            let right = all.minus(&left);
            if right.n < rules.min_data_in_leaf {
                break;
            }
            if let Some((gain, wl, wr)) = evaluate(left, right, rules.lambda_l2, monotone, bounds, rules, parent_gain) {
                if best.as_ref().is_none_or(|b| better(gain, b.gain)) {
                    best = Some(Candidate {
                        feature: f,
                        gain,
                        threshold_bin: t,
                        left_bins: None,
                        default_left,
                        left,
                        right,
                        left_output: wl,
                        right_output: wr,
                    });
                }
            }
        }
    }
    if let Some(b) = best.as_mut() {
        if missing.n == 0 {
            // Missing values unseen at this node follow the majority.
            b.default_left = b.left.n >= b.right.n;
        }
    }
    best
}

fn categorical(f: usize, h: &[BinSum], bounds: Bounds, rules: &SplitRules, parent_gain: f64) -> Option<Candidate> {
    let mut all = BinSum::default();
    for s in h {
        all.add(s);
    }
    let mut best: Option<Candidate> = None;
    let mut consider = |left_bins: Vec<u8>, left: BinSum, lambda: f64| {
        let right = all.minus(&left);
        if let Some((gain, wl, wr)) = evaluate(left, right, lambda, 0, bounds, rules, parent_gain) {
            if best.as_ref().is_none_or(|b| better(gain, b.gain)) {
                let mut left_bins = left_bins;
                left_bins.sort_unstable();
                best = Some(Candidate {
                    feature: f,
                    gain,
                    threshold_bin: 0,
                    left_bins: Some(left_bins),
                    default_left: false,
                    left,
                    right,
                    left_output: wl,
                    right_output: wr,
                });
            }
        }
    };
    let categories = h.len() - 1;
    if categories <= rules.max_cat_to_onehot {
        // One category against the rest.
        for (b, s) in h.iter().enumerate().skip(1) {
            if s.n > 0 {
                consider(vec![b as u8], *s, rules.lambda_l2);
            }
        }
        return best;
    }
    // Categories with enough rows, ordered by smoothed mean gradient; the best prefix from
    // either end (at most max_cat_threshold categories) goes left.
    let mut used: Vec<usize> = (1..h.len()).filter(|&b| h[b].n >= rules.min_data_per_group).collect();
    used.sort_by(|&a, &b| {
        let ka = h[a].g / (h[a].h + rules.cat_smooth);
        let kb = h[b].g / (h[b].h + rules.cat_smooth);
        ka.total_cmp(&kb).then(a.cmp(&b))
    });
    let max_take = rules.max_cat_threshold.min(used.len().div_ceil(2)).max(1);
    let lambda = rules.lambda_l2 + rules.cat_l2;
    for reverse in [false, true] {
        let mut left = BinSum::default();
        let mut bins = Vec::new();
        let order: Box<dyn Iterator<Item = &usize>> =
            if reverse { Box::new(used.iter().rev()) } else { Box::new(used.iter()) };
        for &b in order.take(max_take) {
            left.add(&h[b]);
            bins.push(b as u8);
            if bins.len() < used.len() {
                consider(bins.clone(), left, lambda);
            }
        }
    }
    best
}
