//! One tree grown leaf by leaf: at each step the leaf whose best split gains most is split,
//! until the tree has `num_leaves` leaves or no split gains enough (LightGBM's leaf-wise
//! growth). Rows are kept grouped by leaf in one index array, each leaf a range of it.
use rayon::prelude::*;

use super::bins::{BinMap, Binned, LANES};
use super::histogram::{self, BinSum, Layout};
use super::split_search::{best_split, better, leaf_output, Bounds, Candidate, SplitRules};
use super::tree::{Leaf, Split, Tree};

/// How a tree grows (the trainer's options, resolved).
pub(crate) struct GrowRules {
    pub(crate) split: SplitRules,
    pub(crate) num_leaves: usize,
    /// 0: no limit.
    pub(crate) max_depth: usize,
    pub(crate) learning_rate: f64,
}

/// A split as bins: how the trainer routes its own binned rows.
#[derive(Debug, Clone)]
pub(crate) struct BinSplit {
    pub(crate) feature: usize,
    pub(crate) threshold_bin: usize,
    /// 256 flags, one per bin, for a categorical split.
    pub(crate) left_bins: Option<Box<[bool; 256]>>,
    pub(crate) default_left: bool,
    pub(crate) left: i32,
    pub(crate) right: i32,
}

impl BinSplit {
    #[inline]
    pub(crate) fn goes_left(&self, bin: u8) -> bool {
        match &self.left_bins {
            Some(set) => set[bin as usize],
            None if bin == 0 => self.default_left,
            None => (bin as usize) <= self.threshold_bin,
        }
    }
}

/// A grown tree, as the file keeps it and as bins.
pub(crate) struct Grown {
    pub(crate) tree: Tree,
    pub(crate) bin_splits: Vec<BinSplit>,
    /// Each leaf's range in `rows` (the index array, grouped by leaf).
    pub(crate) leaf_ranges: Vec<(usize, usize)>,
}

struct LeafState {
    start: usize,
    end: usize,
    total: BinSum,
    depth: usize,
    bounds: Bounds,
    output: f64,
    hist: Option<Vec<BinSum>>,
    best: Option<Candidate>,
    /// The split that points at this leaf, and on which side.
    parent: Option<(usize, bool)>,
}

/// Buffers a tree's growth reuses from one tree to the next.
pub(crate) struct GrowScratch {
    og: Vec<f64>,
    oh: Vec<f64>,
    part: Vec<u32>,
    spare: Vec<Vec<BinSum>>,
}

impl GrowScratch {
    pub(crate) fn new() -> Self {
        GrowScratch { og: Vec::new(), oh: Vec::new(), part: Vec::new(), spare: Vec::new() }
    }

    fn hist(&mut self, len: usize) -> Vec<BinSum> {
        let mut h = self.spare.pop().unwrap_or_default();
        h.resize(len, BinSum::default());
        h
    }
}

/// Grows one tree on the rows `rows` (ascending; reordered in place, grouped by leaf) with
/// gradients `g` and hessians `h` over the inputs `active`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn grow(
    data: &Binned,
    layout: &Layout,
    active: &[usize],
    rows: &mut [u32],
    all_rows: bool,
    g: &[f64],
    h: &[f64],
    rules: &GrowRules,
    scratch: &mut GrowScratch,
) -> Grown {
    let can_split = |s: &LeafState| {
        s.total.n >= 2 * rules.split.min_data_in_leaf.max(1) && (rules.max_depth == 0 || s.depth < rules.max_depth)
    };
    // The root.
    let mut root_hist = scratch.hist(layout.total);
    let total = if all_rows {
        histogram::build(data, layout, active, None, g, h, &mut root_hist);
        sum_rows(g, h, None)
    } else {
        gather(rows, g, h, scratch);
        histogram::build(data, layout, active, Some(rows), &scratch.og, &scratch.oh, &mut root_hist);
        sum_rows(&scratch.og, &scratch.oh, Some(rows.len()))
    };
    let bounds = Bounds::NONE;
    let mut root = LeafState {
        start: 0,
        end: rows.len(),
        total,
        depth: 0,
        bounds,
        output: leaf_output(total.g, total.h, rules.split.lambda_l2, bounds),
        hist: Some(root_hist),
        best: None,
        parent: None,
    };
    if can_split(&root) {
        root.best = best_split(&data.maps, layout, active, root.hist.as_ref().unwrap(), total, bounds, &rules.split);
    }
    let mut leaves = vec![root];
    let mut splits: Vec<Split> = Vec::new();
    let mut bin_splits: Vec<BinSplit> = Vec::new();
    while leaves.len() < rules.num_leaves {
        // The leaf whose split gains most (the lowest leaf on a tie).
        let Some(l) =
            (0..leaves.len()).filter(|&l| leaves[l].best.is_some()).fold(None, |b: Option<usize>, l| match b {
                Some(b) if !better(leaves[l].best.as_ref().unwrap().gain, leaves[b].best.as_ref().unwrap().gain) => {
                    Some(b)
                }
                _ => Some(l),
            })
        else {
            break;
        };
        let c = leaves[l].best.take().unwrap();
        let (start, end) = (leaves[l].start, leaves[l].end);
        let bin_split = BinSplit {
            feature: c.feature,
            threshold_bin: c.threshold_bin,
            left_bins: c.left_bins.as_ref().map(|bins| {
                let mut set = Box::new([false; 256]);
                for &b in bins {
                    set[b as usize] = true;
                }
                set
            }),
            default_left: c.default_left,
            left: !(l as i32),
            right: !(leaves.len() as i32),
        };
        let mid = partition(&mut rows[start..end], data, &bin_split, &mut scratch.part) + start;
        debug_assert_eq!(mid - start, c.left.n as usize);
        // The split node replaces the leaf in its parent.
        let s = splits.len();
        if let Some((p, left)) = leaves[l].parent {
            if left {
                splits[p].left = s as i32;
                bin_splits[p].left = s as i32;
            } else {
                splits[p].right = s as i32;
                bin_splits[p].right = s as i32;
            }
        }
        splits.push(Split {
            feature: c.feature,
            threshold: match (&data.maps[c.feature], c.left_bins.is_some()) {
                (BinMap::Numeric { upper }, false) => upper[c.threshold_bin - 1],
                _ => 0.0,
            },
            categories: c.left_bins.as_ref().map(|b| b.iter().map(|&b| b as u32 - 1).collect()),
            default_left: c.default_left,
            missing: Default::default(),
            comparison: Default::default(),
            left: bin_split.left,
            right: bin_split.right,
            gain: c.gain,
            cover: leaves[l].total.n as f64,
        });
        bin_splits.push(bin_split);
        // Child bounds: a monotone split caps each side at the midpoint of the two outputs.
        let parent = &leaves[l];
        let (mut lb, mut rb) = (parent.bounds, parent.bounds);
        let m = if c.left_bins.is_none() { rules.split.monotone[c.feature] } else { 0 };
        if m != 0 {
            let mid = (c.left_output + c.right_output) / 2.0;
            if m > 0 {
                lb.hi = lb.hi.min(mid);
                rb.lo = rb.lo.max(mid);
            } else {
                lb.lo = lb.lo.max(mid);
                rb.hi = rb.hi.min(mid);
            }
        }
        let depth = parent.depth + 1;
        let parent_hist = leaves[l].hist.take();
        let mut left = LeafState {
            start,
            end: mid,
            total: c.left,
            depth,
            bounds: lb,
            output: c.left_output,
            hist: None,
            best: None,
            parent: Some((s, true)),
        };
        let mut right = LeafState {
            start: mid,
            end,
            total: c.right,
            depth,
            bounds: rb,
            output: c.right_output,
            hist: None,
            best: None,
            parent: Some((s, false)),
        };
        let (ls, rs) = (can_split(&left), can_split(&right));
        if ls || rs {
            // The smaller child reads its rows; the larger is the parent minus it.
            let left_smaller = left.total.n <= right.total.n;
            let (small, large) = if left_smaller { (&mut left, &mut right) } else { (&mut right, &mut left) };
            let mut small_hist = scratch.hist(layout.total);
            let small_rows = &rows[small.start..small.end];
            gather(small_rows, g, h, scratch);
            histogram::build(data, layout, active, Some(small_rows), &scratch.og, &scratch.oh, &mut small_hist);
            let large_needed = if left_smaller { rs } else { ls };
            if large_needed {
                let parent_hist = parent_hist.expect("a leaf with a split has its histogram");
                let mut large_hist = scratch.hist(layout.total);
                histogram::subtract(layout, active, &parent_hist, &small_hist, &mut large_hist);
                scratch.spare.push(parent_hist);
                large.hist = Some(large_hist);
            } else if let Some(p) = parent_hist {
                scratch.spare.push(p);
            }
            small.hist = Some(small_hist);
            for (child, ok) in [(&mut left, ls), (&mut right, rs)] {
                if ok {
                    let hist = child.hist.as_ref().unwrap();
                    child.best = best_split(&data.maps, layout, active, hist, child.total, child.bounds, &rules.split);
                }
                if !ok || child.best.is_none() {
                    if let Some(h) = child.hist.take() {
                        scratch.spare.push(h);
                    }
                }
            }
        } else if let Some(p) = parent_hist {
            scratch.spare.push(p);
        }
        leaves[l] = left;
        leaves.push(right);
    }
    for leaf in &mut leaves {
        if let Some(h) = leaf.hist.take() {
            scratch.spare.push(h);
        }
    }
    let tree = Tree {
        leaves: leaves
            .iter()
            .map(|s| Leaf { value: s.output * rules.learning_rate, cover: s.total.n as f64 })
            .collect(),
        splits,
    };
    Grown { tree, bin_splits, leaf_ranges: leaves.iter().map(|s| (s.start, s.end)).collect() }
}

/// Rows per task when a leaf's rows are gathered or partitioned on several threads.
const ROW_BLOCK: usize = 32 * 1024;

/// The rows' gradients and hessians, in the rows' order, into the scratch (blocks of rows
/// on several threads).
fn gather(rows: &[u32], g: &[f64], h: &[f64], scratch: &mut GrowScratch) {
    scratch.og.resize(rows.len(), 0.0);
    scratch.oh.resize(rows.len(), 0.0);
    scratch
        .og
        .par_chunks_mut(ROW_BLOCK)
        .zip(scratch.oh.par_chunks_mut(ROW_BLOCK))
        .zip(rows.par_chunks(ROW_BLOCK))
        .for_each(|((og, oh), rows)| {
            for ((a, b), &i) in og.iter_mut().zip(oh.iter_mut()).zip(rows) {
                *a = g[i as usize];
                *b = h[i as usize];
            }
        });
}

fn sum_rows(g: &[f64], h: &[f64], n: Option<usize>) -> BinSum {
    let n = n.unwrap_or(g.len());
    BinSum { g: g[..n].iter().sum(), h: h[..n].iter().sum(), n: n as u32 }
}

/// Stable partition of `rows` by the split: those going left first. Returns how many.
/// A large leaf is cut in blocks partitioned on several threads, then the blocks' left
/// rows and right rows laid out in block order: the same result as one pass.
fn partition(rows: &mut [u32], data: &Binned, split: &BinSplit, buffer: &mut Vec<u32>) -> usize {
    let (group, lane) = (data.group(split.feature / LANES), split.feature % LANES);
    // One block: left rows from its start, right rows from its end of `out` (reversed).
    let block = |rows: &[u32], out: &mut [u32]| -> usize {
        let (mut l, mut r) = (0, out.len());
        for (k, &row) in rows.iter().enumerate() {
            if let Some(&ahead) = rows.get(k + histogram::PREFETCH) {
                histogram::prefetch(&group[ahead as usize]);
            }
            if split.goes_left(group[row as usize][lane]) {
                out[l] = row;
                l += 1;
            } else {
                r -= 1;
                out[r] = row;
            }
        }
        l
    };
    buffer.resize(rows.len(), 0);
    let lefts: Vec<usize> = if rows.len() <= ROW_BLOCK {
        vec![block(rows, buffer)]
    } else {
        rows.par_chunks(ROW_BLOCK).zip(buffer.par_chunks_mut(ROW_BLOCK)).map(|(r, o)| block(r, o)).collect()
    };
    // Left rows of every block, then right rows of every block (each block's right rows
    // were written backwards).
    let mut at = 0;
    for (b, &l) in lefts.iter().enumerate() {
        let start = b * ROW_BLOCK;
        rows[at..at + l].copy_from_slice(&buffer[start..start + l]);
        at += l;
    }
    let left = at;
    for (b, &l) in lefts.iter().enumerate() {
        let start = b * ROW_BLOCK;
        let end = (start + ROW_BLOCK).min(buffer.len());
        for &row in buffer[start + l..end].iter().rev() {
            rows[at] = row;
            at += 1;
        }
    }
    left
}

/// The leaf a binned row reaches.
#[inline]
pub(crate) fn leaf_of(splits: &[BinSplit], data: &Binned, row: usize) -> usize {
    if splits.is_empty() {
        return 0;
    }
    let mut n = 0i32;
    loop {
        let s = &splits[n as usize];
        let b = data.bin(s.feature, row);
        n = if s.goes_left(b) { s.left } else { s.right };
        if n < 0 {
            return !n as usize;
        }
    }
}
