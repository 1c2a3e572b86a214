//! Exact path-dependent TreeSHAP for tree ensembles (Lundberg, Erion and Lee 2018,
//! Algorithm 2): the Shapley values of the game whose value for a set `S` of known inputs is
//! the tree's output averaged over the unknown ones the way the training data split,
//!
//! `v(S)` = at a split on an input in `S`, the child the row goes to; on any other input,
//! both children weighted by `cover(child) / cover(node)`.
//!
//! The algorithm walks every root-to-leaf path once and keeps, for the distinct inputs on
//! the path, the share of each subset size (`extend`); a leaf then credits each input its
//! weight with that input taken out of the path again (`unwound_sum`). An input split on
//! twice on one path is one player: its earlier step is taken out (`unwind`) and folded
//! into the later one. The cost is O(leaves × depth²) per tree and row, with no
//! allocation once the scratch buffers have grown to the deepest tree.
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

use crate::error::{NpsError, Result};
use crate::model::boosted::{Ensemble, Split, Tree};

/// Reusable buffers so that explaining one row allocates nothing after the first call.
///
/// One per thread; it holds nothing between calls that changes a result.
#[derive(Debug, Clone, Default)]
pub struct TreeShapScratch {
    /// The path of every level of the walk, one segment per level, each a copy of its
    /// parent's extended by one step (so that going back up needs no undo).
    path: Vec<PathElement>,
    /// Interactions: the contributions with one input known, and unknown.
    on: Vec<f64>,
    off: Vec<f64>,
    /// Interactions: the SHAP values, from which the diagonal is taken.
    diag: Vec<f64>,
    /// Interactions: the distinct inputs one tree splits on, and the marks that find them.
    features: Vec<usize>,
    seen: Vec<bool>,
}

impl TreeShapScratch {
    /// Empty buffers; they grow on first use.
    pub fn new() -> TreeShapScratch {
        TreeShapScratch::default()
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
    shap_walk(tree, row, phi, &mut scratch.path, Condition::Free);
}

/// Contributions of a whole ensemble for one row, in LightGBM's `pred_contrib` layout: for
/// each output `k`, the inputs' contributions then the expected value (bias) last, so
/// `out.len() == outputs × (inputs + 1)` and `out[k × (inputs + 1) + inputs]` is
/// `base_score[k]` plus the [`tree_expected_value`] of each tree of output `k`, in tree order.
///
/// For every output the `inputs + 1` entries sum to the raw score
/// ([`Ensemble::raw_into`]) up to rounding. `out` is overwritten.
pub fn ensemble_shap_into(
    ensemble: &Ensemble,
    row: &[f64],
    out: &mut [f64],
    scratch: &mut TreeShapScratch,
) -> Result<()> {
    check_row(ensemble, row)?;
    let width = ensemble.inputs + 1;
    check_len("out", out.len(), "outputs × (inputs + 1)", ensemble.outputs * width)?;
    out.fill(0.0);
    for (block, &base) in out.chunks_exact_mut(width).zip(&ensemble.base_score) {
        block[ensemble.inputs] = base;
    }
    for (i, tree) in ensemble.trees.iter().enumerate() {
        let block = &mut out[(i % ensemble.outputs) * width..][..width];
        let (phi, bias) = block.split_at_mut(ensemble.inputs);
        bias[0] += shap_walk(tree, row, phi, &mut scratch.path, Condition::Free);
    }
    Ok(())
}

/// Contributions of every row of a row-major matrix (`n × inputs`): an `n × outputs ×
/// (inputs + 1)` matrix whose rows are [`ensemble_shap_into`]'s. Rows are spread over
/// rayon's threads, each computed exactly as alone, so a row's values do not depend on
/// the batch it came in (to the bit).
pub fn ensemble_shap(ensemble: &Ensemble, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
    check_shape(ensemble)?;
    check_len("x columns", x.ncols(), "the model's inputs", ensemble.inputs)?;
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
            ensemble_shap_into(ensemble, row, o, scratch)
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
/// Costs about `2 × (distinct inputs per tree)` times [`ensemble_shap_into`].
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
    check_len("out", out.len(), "(inputs + 1)²", width * width)?;
    out.fill(0.0);
    let TreeShapScratch { path, on, off, diag, features, seen } = scratch;
    for buffer in [&mut *on, &mut *off, &mut *diag] {
        buffer.clear();
        buffer.resize(m, 0.0);
    }
    seen.clear();
    seen.resize(m, false);
    let mut bias = ensemble.base_score[output];
    for tree in ensemble.trees.iter().skip(output).step_by(ensemble.outputs) {
        bias += shap_walk(tree, row, diag, path, Condition::Free);
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
            shap_walk(tree, row, on, path, Condition::On(i));
            shap_walk(tree, row, off, path, Condition::Off(i));
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
fn shap_walk(tree: &Tree, row: &[f64], phi: &mut [f64], path: &mut Vec<PathElement>, condition: Condition) -> f64 {
    if tree.leaves.is_empty() {
        return 0.0;
    }
    let mut walk = Walk { tree, row, phi, path, condition, expected: 0.0 };
    walk.visit(root(tree), 0, 0, Step { zero: 1.0, one: 1.0, feature: NO_FEATURE, fraction: 1.0, reach: 1.0 });
    walk.expected
}

/// The root as a child reference.
fn root(tree: &Tree) -> i32 {
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
fn fractions(tree: &Tree, split: &Split) -> (f64, f64) {
    let c = split.cover;
    if c > 0.0 {
        (cover(tree, split.left) / c, cover(tree, split.right) / c)
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
    path: &'a mut Vec<PathElement>,
    condition: Condition,
    expected: f64,
}

impl Walk<'_> {
    /// Visits `node`, whose parent's path is `path[from..from + len]`.
    fn visit(&mut self, node: i32, from: usize, len: usize, step: Step) {
        // This level's segment follows the parent's; it grows only for a deeper tree.
        let start = from + len;
        if self.path.len() < start + len + 1 {
            self.path.resize(start + len + 1, PathElement::default());
        }
        self.path.copy_within(from..start, start);
        let mut len = len;
        if !self.condition.holds(step.feature) {
            extend(&mut self.path[start..=start + len], step.zero, step.one, step.feature);
            len += 1;
        }
        if node < 0 {
            let value = self.tree.leaves[!node as usize].value;
            self.expected += step.reach * value;
            let path = &self.path[start..start + len];
            let scale = value * step.fraction;
            for (i, e) in path.iter().enumerate().skip(1) {
                self.phi[e.feature] += unwound_sum(path, i) * (e.one - e.zero) * scale;
            }
            return;
        }
        let tree = self.tree;
        let split = &tree.splits[node as usize];
        let feature = split.feature;
        let left_hot = split.goes_left(self.row[feature]);
        let (left_zero, right_zero) = fractions(tree, split);
        // An input already on the path: take its step out and fold it into this one.
        let (mut zero, mut one) = (1.0, 1.0);
        if let Some(k) = self.path[start + 1..start + len].iter().position(|e| e.feature == feature) {
            let e = self.path[start + 1 + k];
            (zero, one) = (e.zero, e.one);
            unwind(&mut self.path[start..start + len], k + 1);
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
}

/// Adds an input to a path of `path.len() - 1` elements (the last slot is free): each
/// subset-size share splits into the part without the input (× `zero`) and with it
/// (× `one`, one size up), renormalised to the Shapley weights of the longer path.
#[inline]
fn extend(path: &mut [PathElement], zero: f64, one: f64, feature: usize) {
    let len = path.len() - 1;
    path[len] = PathElement { feature, zero, one, weight: if len == 0 { 1.0 } else { 0.0 } };
    let n = (len + 1) as f64;
    for i in (0..len).rev() {
        let w = path[i].weight;
        path[i + 1].weight += one * w * (i + 1) as f64 / n;
        path[i].weight = zero * w * (len - i) as f64 / n;
    }
}

/// Removes the element `i` from a path, undoing its [`extend`] (the weights do not depend
/// on the order the elements came in). The path keeps its first `path.len() - 1` elements.
#[inline]
fn unwind(path: &mut [PathElement], i: usize) {
    let last = path.len() - 1;
    let PathElement { zero, one, .. } = path[i];
    let n = (last + 1) as f64;
    if one != 0.0 {
        let mut next = path[last].weight;
        for j in (0..last).rev() {
            let w = next * n / ((j + 1) as f64 * one);
            next = path[j].weight - w * zero * (last - j) as f64 / n;
            path[j].weight = w;
        }
    } else {
        for j in (0..last).rev() {
            path[j].weight = path[j].weight * n / (zero * (last - j) as f64);
        }
    }
    for j in i..last {
        let e = path[j + 1];
        path[j] = PathElement { weight: path[j].weight, ..e };
    }
}

/// The total weight of the path with element `i` unwound, without changing the path.
/// A `zero` of 0 with a `one` of 0 never reaches here (such a subtree is skipped).
#[inline]
fn unwound_sum(path: &[PathElement], i: usize) -> f64 {
    let last = path.len() - 1;
    let PathElement { zero, one, .. } = path[i];
    let n = (last + 1) as f64;
    let mut total = 0.0;
    if one != 0.0 {
        let mut next = path[last].weight;
        for j in (0..last).rev() {
            let w = next * n / ((j + 1) as f64 * one);
            total += w;
            next = path[j].weight - w * zero * (last - j) as f64 / n;
        }
        total
    } else {
        for j in (0..last).rev() {
            total += path[j].weight / (last - j) as f64;
        }
        total * n / zero
    }
}

/// The ensemble's shape, as far as these functions read it.
fn check_shape(ensemble: &Ensemble) -> Result<()> {
    if ensemble.outputs == 0 {
        return Err(NpsError::invalid("outputs", 0, "at least 1"));
    }
    check_len("base_score", ensemble.base_score.len(), "outputs", ensemble.outputs)
}

/// The shape, and a row of one value per input.
fn check_row(ensemble: &Ensemble, row: &[f64]) -> Result<()> {
    check_shape(ensemble)?;
    check_len("row", row.len(), "the model's inputs", ensemble.inputs)
}

fn check_len(field: &str, actual: usize, other: &str, expected: usize) -> Result<()> {
    if actual == expected {
        Ok(())
    } else {
        Err(NpsError::LengthMismatch { field: field.into(), actual, other: other.into(), expected })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Unwinding an element restores the weights the path had without it.
    #[test]
    fn unwind_undoes_extend() {
        let mut a = vec![PathElement::default(); 4];
        extend(&mut a[..1], 1.0, 1.0, NO_FEATURE);
        extend(&mut a[..2], 0.3, 1.0, 0);
        extend(&mut a[..3], 0.6, 0.0, 1);
        let mut b = a.clone();
        extend(&mut b[..4], 0.25, 1.0, 2);
        let sum = unwound_sum(&b, 3);
        unwind(&mut b, 3);
        for (x, y) in a[..3].iter().zip(&b[..3]) {
            assert!((x.weight - y.weight).abs() < 1e-15, "{x:?} {y:?}");
            assert_eq!(x.feature, y.feature);
        }
        assert!((sum - a[..3].iter().map(|e| e.weight).sum::<f64>()).abs() < 1e-15);
        // Unwinding a middle element (a cold one, `one` = 0) keeps the others in order.
        let mut c = b.clone();
        extend(&mut c[..4], 0.5, 1.0, 2);
        unwind(&mut c, 2);
        assert_eq!([c[1].feature, c[2].feature], [0, 2]);
    }
}
