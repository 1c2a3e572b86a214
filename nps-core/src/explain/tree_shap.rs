//! Exact path-dependent TreeSHAP for tree ensembles (Lundberg, Erion and Lee 2018,
//! Algorithm 2): the Shapley values of the game whose value for a set `S` of known inputs is
//! the tree's output averaged over the unknown ones the way the training data split,
//!
//! `v(S)` = at a split on an input in `S`, the child the row goes to; on any other input,
//! both children weighted by `cover(child) / cover(node)`.
//!
//! The algorithm walks every root-to-leaf path once and keeps, for the distinct inputs on
//! the path, the share of each subset size (`extend`); a leaf then credits each input its
//! weight with that input taken out of the path again (`unwound_sums`). An input split on
//! twice on one path is one player: its earlier step is taken out (`unwind`) and folded
//! into the later one. The cost is O(leaves × depth²) per tree and row, with no
//! allocation once the scratch buffers have grown to the deepest tree. Two things keep the
//! constant small: divisions by path lengths are multiplications by a table of `1 / k`,
//! and at a leaf the inputs on the row's side (each a chain of dependent products) are
//! unwound side by side, so that the chains overlap instead of waiting on each other;
//! the inputs on the other side share one sum.
//!
//! Covers of zero: a child that no training weight reached gets the fraction 0, and a node
//! that none reached passes the fraction 0 to both children (the average over nothing is
//! taken as 0). The expected value is computed with those same fractions, so the
//! contributions and the expected value always add up to the raw score.
//!
//! Interactions condition the same walk on one input being known (`On`) or unknown (`Off`)
//! and take half the difference, as shap's `TreeExplainer.shap_interaction_values` does.
use ndarray::{Array2, ArrayView2};
use rayon::prelude::*;

use crate::error::{check_lengths, NpsError, Result};
use crate::model::boosted::{Ensemble, Split, Tree};

/// Reusable buffers so that explaining one row allocates nothing after the first call.
///
/// One per thread; it holds nothing between calls that changes a result.
#[derive(Debug, Clone, Default)]
pub struct TreeShapScratch {
    /// What one walk down a tree uses.
    paths: Paths,
    /// Interactions: the contributions with one input known, and unknown.
    on: Vec<f64>,
    off: Vec<f64>,
    /// Interactions: the SHAP values, from which the diagonal is taken.
    diag: Vec<f64>,
    /// Interactions: the distinct inputs one tree splits on, and the marks that find them.
    features: Vec<usize>,
    seen: Vec<bool>,
    /// [`super::TreeShapPlan`]: one tree's split decisions for the row, a bit per split,
    /// and the numbers and flags of its pass through a tree without tables.
    pub(super) words: Vec<u64>,
    pub(super) values: Vec<f64>,
    pub(super) flags: Vec<u8>,
}

impl TreeShapScratch {
    /// Empty buffers; they grow on first use.
    pub fn new() -> TreeShapScratch {
        TreeShapScratch::default()
    }
}

/// The buffers of one walk, grown to the longest path seen.
#[derive(Debug, Clone, Default)]
struct Paths {
    /// The path of every level of the walk, one segment per level, each a copy of its
    /// parent's extended by one step (so that going back up needs no undo).
    path: Vec<PathElement>,
    /// `1 / k` for `k` up to the longest path + 1: the walk multiplies where the
    /// algorithm divides by path lengths and positions.
    inverse: Vec<f64>,
    /// At a leaf, for each element on the row's side: its `zero` and its unwound sum
    /// (see [`unwound_sums`]).
    hot_zero: Vec<f64>,
    hot_total: Vec<f64>,
}

impl Paths {
    /// Room for a level starting at `start` of a parent path of `len` elements.
    #[inline]
    fn reserve(&mut self, start: usize, len: usize) {
        if self.path.len() < start + len + 1 {
            self.path.resize(start + len + 1, PathElement::default());
        }
        if self.inverse.len() < len + 2 {
            let k = self.inverse.len();
            self.inverse.extend((k..len + 2).map(|k| 1.0 / k as f64));
            for v in [&mut self.hot_zero, &mut self.hot_total] {
                v.resize(len + 2, 0.0);
            }
        }
    }
}

/// One distinct input on the current path.
#[derive(Debug, Clone, Copy, Default)]
struct PathElement {
    /// The input, or [`NO_FEATURE`] for the path's root element.
    feature: usize,
    /// Product of the cover fractions of the steps on this input: the weight that goes
    /// this way when the input is unknown.
    zero: f64,
    /// 1 if the row itself goes this way at every step on this input, else 0: the weight
    /// when the input is known.
    one: f64,
    /// Share of the subsets of the path's size `i` (for the element at position `i`).
    weight: f64,
}

/// The feature of the element every path starts with (no input has this index).
const NO_FEATURE: usize = usize::MAX;

/// Which input, if any, the walk holds known or unknown (for interactions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Condition {
    /// Plain SHAP values.
    Free,
    /// The input is known: only the row's side of its splits counts.
    On(usize),
    /// The input is unknown: both sides of its splits count, weighted by cover.
    Off(usize),
}

impl Condition {
    /// Whether `feature` is the held input (which then never enters the path).
    #[inline]
    fn holds(self, feature: usize) -> bool {
        matches!(self, Condition::On(f) | Condition::Off(f) if f == feature)
    }
}

/// Expected value (cover-weighted mean leaf value) of one tree: sum(leaf.value × leaf.cover)
/// / root cover, the mean output over the training weight and the value of the empty set in
/// the game TreeSHAP explains.
///
/// It is computed down the tree as the products of `cover(child) / cover(node)`, which
/// telescope to `leaf.cover / root cover` but stay defined where a node's cover is 0: such a
/// node passes no weight on (so a tree whose root cover is 0 has expected value 0, and its
/// whole output goes to the inputs). A single leaf's expected value is its value.
pub fn tree_expected_value(tree: &Tree) -> f64 {
    fn walk(tree: &Tree, node: i32, reach: f64, sum: &mut f64) {
        if node < 0 {
            *sum += reach * tree.leaves[!node as usize].value;
            return;
        }
        let split = &tree.splits[node as usize];
        let (left, right) = fractions(tree, split);
        walk(tree, split.left, reach * left, sum);
        walk(tree, split.right, reach * right, sum);
    }
    if tree.leaves.is_empty() {
        return 0.0;
    }
    let mut sum = 0.0;
    walk(tree, root(tree), 1.0, &mut sum);
    sum
}

/// Path-dependent TreeSHAP (Lundberg, Erion, Lee 2018, Algorithm 2, polynomial time) of one
/// tree for one row (one value per input, NaN = missing), ADDED into `phi` (len = inputs).
///
/// The values sum to the tree's output for the row minus [`tree_expected_value`]. Inputs the
/// tree does not split on get nothing.
///
/// # Panics
///
/// If `row` or `phi` is shorter than an input the tree splits on (a validated tree of a
/// validated [`Ensemble`] never reads past `inputs`; [`ensemble_shap_into`] checks lengths).
pub fn tree_shap_into(tree: &Tree, row: &[f64], phi: &mut [f64], scratch: &mut TreeShapScratch) {
    shap_walk(tree, row, phi, &mut scratch.paths, Condition::Free);
}

/// Contributions of a whole ensemble for one row, in LightGBM's `pred_contrib` layout: for
/// each output `k`, the inputs' contributions then the expected value (bias) last, so
/// `out.len() == outputs × (inputs + 1)` and `out[k × (inputs + 1) + inputs]` is
/// `base_score[k]` plus the [`tree_expected_value`] of each tree of output `k`, in tree order.
///
/// For every output the `inputs + 1` entries sum to the raw score
/// ([`Ensemble::raw_into`]) up to rounding. `out` is overwritten.
///
/// Errors when `row`, `out` or `base_score` has the wrong length or `outputs` is 0. The
/// trees themselves are taken as valid ([`Ensemble::validate`], which the trainer and the
/// loaders run once): they are not checked per row, and one that splits on an input past
/// `inputs` panics.
pub fn ensemble_shap_into(
    ensemble: &Ensemble,
    row: &[f64],
    out: &mut [f64],
    scratch: &mut TreeShapScratch,
) -> Result<()> {
    check_row(ensemble, row)?;
    let width = ensemble.inputs + 1;
    check_lengths("out", out.len(), "outputs × (inputs + 1)", ensemble.outputs * width)?;
    out.fill(0.0);
    for (block, &base) in out.chunks_exact_mut(width).zip(&ensemble.base_score) {
        block[ensemble.inputs] = base;
    }
    for (i, tree) in ensemble.trees.iter().enumerate() {
        let block = &mut out[(i % ensemble.outputs) * width..][..width];
        let (phi, bias) = block.split_at_mut(ensemble.inputs);
        bias[0] += shap_walk(tree, row, phi, &mut scratch.paths, Condition::Free);
    }
    Ok(())
}

/// Contributions of every row of a row-major matrix (`n × inputs`): an `n × outputs ×
/// (inputs + 1)` matrix whose rows are [`ensemble_shap_into`]'s. Rows are spread over
/// rayon's threads, each computed exactly as alone, so a row's values do not depend on
/// the batch it came in (to the bit). A row that is not contiguous (a column-major view) is
/// copied first. Errors as [`ensemble_shap_into`], and on the column count.
pub fn ensemble_shap(ensemble: &Ensemble, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
    shap_rows(ensemble, x, |row, out, scratch| ensemble_shap_into(ensemble, row, out, scratch))
}

/// The batch behind [`ensemble_shap`] and [`super::TreeShapPlan::ensemble_shap`]: `row_into`
/// (one row's contributions into its slice of the output) over every row, rows spread over
/// rayon's threads with a scratch each, a non-contiguous row copied first.
pub(super) fn shap_rows(
    ensemble: &Ensemble,
    x: ArrayView2<'_, f64>,
    row_into: impl Fn(&[f64], &mut [f64], &mut TreeShapScratch) -> Result<()> + Sync,
) -> Result<Array2<f64>> {
    check_shape(ensemble)?;
    check_lengths("x columns", x.ncols(), "the model's inputs", ensemble.inputs)?;
    let width = ensemble.outputs * (ensemble.inputs + 1);
    let mut out = vec![0.0; x.nrows() * width];
    out.par_chunks_mut(width).enumerate().try_for_each_init(
        || (TreeShapScratch::new(), Vec::new()),
        |(scratch, copy), (i, o)| {
            let row = x.row(i);
            let row = match row.to_slice() {
                Some(row) => row,
                None => {
                    // A column-major or strided view: one contiguous copy of the row.
                    copy.clear();
                    copy.extend(row.iter().copied());
                    copy.as_slice()
                }
            };
            row_into(row, o, scratch)
        },
    )?;
    Ok(Array2::from_shape_vec((x.nrows(), width), out).expect("n × width values"))
}

/// SHAP interaction values of one row for output `output` (as shap's
/// `TreeExplainer.shap_interaction_values`, `tree_path_dependent`): an `(inputs + 1) ×
/// (inputs + 1)` row-major matrix into `out` (overwritten).
///
/// Off the diagonal, `[i][j]` is half the Shapley interaction index of `i` and `j`: half the
/// change in `j`'s contribution when `i` is known rather than unknown (symmetric up to
/// rounding, so the pair's interaction is split half and half between `[i][j]` and
/// `[j][i]`). The diagonal holds the main effects, `[j][j] = φ_j − Σ_{i≠j} [i][j]`, so that
/// each column, and up to rounding each row, sums to the input's SHAP value; `[inputs]
/// [inputs]` is the expected value (the bias of [`ensemble_shap_into`]) and the rest of the
/// last row and column is 0.
///
/// Costs about `2 × (distinct inputs per tree)` times [`ensemble_shap_into`]. Errors as
/// [`ensemble_shap_into`], and on an `output` past the model's.
pub fn ensemble_interactions_into(
    ensemble: &Ensemble,
    row: &[f64],
    output: usize,
    out: &mut [f64],
    scratch: &mut TreeShapScratch,
) -> Result<()> {
    check_row(ensemble, row)?;
    if output >= ensemble.outputs {
        return Err(NpsError::invalid("output", output, &format!("below the model's {} outputs", ensemble.outputs)));
    }
    let m = ensemble.inputs;
    let width = m + 1;
    check_lengths("out", out.len(), "(inputs + 1)²", width * width)?;
    out.fill(0.0);
    let TreeShapScratch { paths, on, off, diag, features, seen, .. } = scratch;
    for buffer in [&mut *on, &mut *off, &mut *diag] {
        buffer.clear();
        buffer.resize(m, 0.0);
    }
    seen.clear();
    seen.resize(m, false);
    let mut bias = ensemble.base_score[output];
    for tree in ensemble.trees.iter().skip(output).step_by(ensemble.outputs) {
        bias += shap_walk(tree, row, diag, paths, Condition::Free);
        features.clear();
        for split in &tree.splits {
            if !std::mem::replace(&mut seen[split.feature], true) {
                features.push(split.feature);
            }
        }
        for &i in features.iter() {
            seen[i] = false;
            for &j in features.iter() {
                on[j] = 0.0;
                off[j] = 0.0;
            }
            shap_walk(tree, row, on, paths, Condition::On(i));
            shap_walk(tree, row, off, paths, Condition::Off(i));
            for &j in features.iter().filter(|&&j| j != i) {
                let half = (on[j] - off[j]) / 2.0;
                out[i * width + j] += half;
                diag[j] -= half;
            }
        }
    }
    for (j, &d) in diag.iter().enumerate() {
        out[j * width + j] = d;
    }
    out[m * width + m] = bias;
    Ok(())
}

/// The one walk behind every public function: adds the (conditioned) contributions of
/// `tree` for `row` into `phi` and returns the tree's expected value (meaningful for
/// [`Condition::Free`]).
fn shap_walk(tree: &Tree, row: &[f64], phi: &mut [f64], paths: &mut Paths, condition: Condition) -> f64 {
    if tree.leaves.is_empty() {
        return 0.0;
    }
    let mut walk = Walk { tree, row, phi, paths, condition, expected: 0.0 };
    walk.visit(root(tree), 0, 0, Step { zero: 1.0, one: 1.0, feature: NO_FEATURE, fraction: 1.0, reach: 1.0 });
    walk.expected
}

/// The root as a child reference.
pub(super) fn root(tree: &Tree) -> i32 {
    if tree.splits.is_empty() {
        -1
    } else {
        0
    }
}

/// The training weight of a child reference.
#[inline]
fn cover(tree: &Tree, child: i32) -> f64 {
    if child >= 0 {
        tree.splits[child as usize].cover
    } else {
        tree.leaves[!child as usize].cover
    }
}

/// The share of a split's weight each child received: `cover(child) / cover(node)`, both 0
/// when the node's cover is 0 (or not a number).
#[inline]
pub(super) fn fractions(tree: &Tree, split: &Split) -> (f64, f64) {
    let c = split.cover;
    if c > 0.0 {
        let inverse = 1.0 / c;
        (cover(tree, split.left) * inverse, cover(tree, split.right) * inverse)
    } else {
        (0.0, 0.0)
    }
}

/// The step into a node: what extends its parent's path, and the weights carried along.
#[derive(Debug, Clone, Copy)]
struct Step {
    zero: f64,
    one: f64,
    feature: usize,
    /// Interactions: the share of the held input's weight that reaches the node.
    fraction: f64,
    /// Product of every cover fraction from the root: the node's weight in the expected value.
    reach: f64,
}

/// One walk down one tree.
struct Walk<'a> {
    tree: &'a Tree,
    row: &'a [f64],
    phi: &'a mut [f64],
    paths: &'a mut Paths,
    condition: Condition,
    expected: f64,
}

impl Walk<'_> {
    /// Visits `node`, whose parent's path is `path[from..from + len]`.
    fn visit(&mut self, node: i32, from: usize, len: usize, step: Step) {
        // This level's segment follows the parent's.
        let start = from + len;
        self.paths.reserve(start, len);
        let Paths { path, inverse, .. } = &mut *self.paths;
        let (parents, below) = path.split_at_mut(start);
        let (parent, child) = (&parents[from..], &mut below[..=len]);
        let mut len = len;
        if self.condition.holds(step.feature) {
            child[..len].copy_from_slice(parent);
        } else {
            extend(parent, child, step.zero, step.one, step.feature, inverse);
            len += 1;
        }
        if node < 0 {
            let value = self.tree.leaves[!node as usize].value;
            self.expected += step.reach * value;
            self.credit(start, len, value * step.fraction);
            return;
        }
        let tree = self.tree;
        let split = &tree.splits[node as usize];
        let feature = split.feature;
        let left_hot = split.goes_left(self.row[feature]);
        let (left_zero, right_zero) = fractions(tree, split);
        // An input already on the path: take its step out and fold it into this one.
        let (mut zero, mut one) = (1.0, 1.0);
        if let Some(k) = path[start + 1..start + len].iter().position(|e| e.feature == feature) {
            let e = path[start + 1 + k];
            (zero, one) = (e.zero, e.one);
            unwind(&mut path[start..start + len], k + 1, inverse);
            len -= 1;
        }
        for (child, child_zero, hot) in [(split.left, left_zero, left_hot), (split.right, right_zero, !left_hot)] {
            let fraction = match self.condition {
                Condition::On(f) if f == feature && !hot => 0.0,
                Condition::Off(f) if f == feature => step.fraction * child_zero,
                _ => step.fraction,
            };
            let next = Step {
                zero: child_zero * zero,
                one: if hot { one } else { 0.0 },
                feature,
                fraction,
                reach: step.reach * child_zero,
            };
            // No weight either way: the subtree adds nothing to any value.
            if fraction == 0.0 || (next.zero == 0.0 && next.one == 0.0) {
                continue;
            }
            self.visit(child, start, len, next);
        }
    }

    /// At a leaf whose path is `path[start..start + len]`: adds to each input on the path
    /// its unwound weight × (`one` − `zero`) × `scale` (the leaf value, conditioned).
    #[inline]
    fn credit(&mut self, start: usize, len: usize, scale: f64) {
        let Paths { path, inverse, hot_zero, hot_total } = &mut *self.paths;
        let path = &path[start..start + len];
        // Which side an element is on is a coin toss for the branch predictor: both passes
        // select rather than branch.
        let mut hot = 0;
        for e in &path[1..] {
            debug_assert!(e.one == 0.0 || e.one == 1.0, "unwound_sums takes `one` = 1 on the row's side");
            hot_zero[hot] = e.zero;
            hot += usize::from(e.one != 0.0);
        }
        let cold = unwound_sums(path, inverse, &hot_zero[..hot], &mut hot_total[..hot]);
        let mut h = 0;
        for e in &path[1..] {
            let is_hot = e.one != 0.0;
            // A cold element's unwound sum is `cold / zero`, times (0 − zero).
            let credit = if is_hot { hot_total[h] * (e.one - e.zero) } else { -cold };
            self.phi[e.feature] += credit * scale;
            h += usize::from(is_hot);
        }
    }
}

/// `child` = `parent` (a path) with one more input: each subset-size share splits into
/// the part without the input (× `zero`) and with it (× `one`, one size up), renormalised
/// to the Shapley weights of the longer path. `inverse[k]` is `1 / k`.
///
/// Written as a copy (each new weight from two old ones) rather than in place, so that
/// copying the parent's path into the level below costs nothing more.
#[inline]
fn extend(parent: &[PathElement], child: &mut [PathElement], zero: f64, one: f64, feature: usize, inverse: &[f64]) {
    let len = parent.len();
    let (zero_n, one_n) = (zero * inverse[len + 1], one * inverse[len + 1]);
    let child = &mut child[..=len];
    if len == 0 {
        child[0] = PathElement { feature, zero, one, weight: 1.0 };
        return;
    }
    child[len] = PathElement { feature, zero, one, weight: one_n * parent[len - 1].weight * len as f64 };
    for i in 1..len {
        let weight = zero_n * parent[i].weight * (len - i) as f64 + one_n * parent[i - 1].weight * i as f64;
        child[i] = PathElement { weight, ..parent[i] };
    }
    child[0] = PathElement { weight: zero_n * parent[0].weight * len as f64, ..parent[0] };
}

/// Removes the element `i` from a path, undoing its [`extend`] (the weights do not depend
/// on the order the elements came in). The path keeps its first `path.len() - 1` elements.
#[inline]
fn unwind(path: &mut [PathElement], i: usize, inverse: &[f64]) {
    let last = path.len() - 1;
    let PathElement { zero, one, .. } = path[i];
    let n = path.len() as f64;
    if one != 0.0 {
        let (n_one, zero_n) = (n / one, zero * inverse[path.len()]);
        let mut next = path[last].weight;
        for j in (0..last).rev() {
            let w = next * n_one * inverse[j + 1];
            next = path[j].weight - w * zero_n * (last - j) as f64;
            path[j].weight = w;
        }
    } else {
        let n_zero = n / zero;
        for j in (0..last).rev() {
            path[j].weight *= n_zero * inverse[last - j];
        }
    }
    for j in i..last {
        let e = path[j + 1];
        path[j] = PathElement { weight: path[j].weight, ..e };
    }
}

/// The total weight of the path with one element unwound (the sum of [`unwind`]'s
/// weights), without changing the path, for every element at once.
///
/// Elements on the row's side (`one` = 1, as every such element is in path-dependent
/// TreeSHAP) each need [`unwind`]'s recursion, a chain of dependent products; their
/// `zero`s come in `hot_zero` and their sums go to `total`, [`LANES`] chains advanced
/// together (in registers) so that they overlap. Elements on the other side (`one` = 0)
/// all unwind to one sum divided by their own `zero`: that sum is returned.
#[inline]
fn unwound_sums(path: &[PathElement], inverse: &[f64], hot_zero: &[f64], total: &mut [f64]) -> f64 {
    let last = path.len() - 1;
    let n = path.len() as f64;
    let inv_n = inverse[path.len()];
    let mut cold = 0.0;
    for j in (0..last).rev() {
        cold += path[j].weight * inverse[last - j];
    }
    for (zeros, totals) in hot_zero.chunks(LANES).zip(total.chunks_mut(LANES)) {
        let mut zero = [0.0; LANES];
        zero[..zeros.len()].copy_from_slice(zeros);
        let mut next = [path[last].weight; LANES];
        let mut sum = [0.0; LANES];
        for j in (0..last).rev() {
            let weight = path[j].weight;
            let (a, b) = (n * inverse[j + 1], (last - j) as f64 * inv_n);
            for k in 0..LANES {
                let w = next[k] * a;
                sum[k] += w;
                next[k] = weight - w * (zero[k] * b);
            }
        }
        totals.copy_from_slice(&sum[..totals.len()]);
    }
    cold * n
}

/// How many unwinding chains [`unwound_sums`] runs side by side.
const LANES: usize = 4;

/// The ensemble's shape, as far as these functions read it.
pub(super) fn check_shape(ensemble: &Ensemble) -> Result<()> {
    if ensemble.outputs == 0 {
        return Err(NpsError::invalid("outputs", 0, "at least 1"));
    }
    check_lengths("base_score", ensemble.base_score.len(), "outputs", ensemble.outputs)
}

/// The shape, and a row of one value per input.
pub(super) fn check_row(ensemble: &Ensemble, row: &[f64]) -> Result<()> {
    check_shape(ensemble)?;
    check_lengths("row", row.len(), "the model's inputs", ensemble.inputs)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Unwinding an element restores the weights the path had without it.
    #[test]
    fn unwind_undoes_extend() {
        let inv: Vec<f64> = (0..6).map(|k| 1.0 / k as f64).collect();
        let grow = |parent: &[PathElement], zero, one, feature| {
            let mut child = vec![PathElement::default(); parent.len() + 1];
            extend(parent, &mut child, zero, one, feature, &inv);
            child
        };
        let a = grow(&grow(&grow(&[], 1.0, 1.0, NO_FEATURE), 0.3, 1.0, 0), 0.6, 0.0, 1);
        let mut b = grow(&a, 0.25, 1.0, 2);
        let mut total = [0.0; 2];
        let cold = unwound_sums(&b, &inv, &[0.3, 0.25], &mut total) / b[2].zero;
        let sum = total[1];
        let mut without_cold = b.clone();
        unwind(&mut without_cold, 2, &inv);
        assert!((cold - without_cold[..3].iter().map(|e| e.weight).sum::<f64>()).abs() < 1e-15);
        unwind(&mut b, 3, &inv);
        for (x, y) in a[..3].iter().zip(&b[..3]) {
            assert!((x.weight - y.weight).abs() < 1e-15, "{x:?} {y:?}");
            assert_eq!(x.feature, y.feature);
        }
        assert!((sum - a[..3].iter().map(|e| e.weight).sum::<f64>()).abs() < 1e-15);
        // Unwinding a middle element (a cold one, `one` = 0) keeps the others in order.
        let mut c = grow(&b[..3], 0.5, 1.0, 2);
        unwind(&mut c, 2, &inv);
        assert_eq!([c[1].feature, c[2].feature], [0, 2]);
    }
}
