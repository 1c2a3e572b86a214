//! Path-dependent TreeSHAP against its definition: Shapley values (and Shapley interaction
//! indices) computed by enumerating every subset of inputs with the cover-weighted value
//! function, on hand-built trees with the awkward cases and on random trees and ensembles;
//! plus the ensemble layout, additivity, batch = single, errors and no allocation per row;
//! and the precomputed [`TreeShapPlan`] against Algorithm 2 on the same trees.
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use ndarray::{Array2, ShapeBuilder};
use nps_core::explain::{
    ensemble_interactions_into, ensemble_shap, ensemble_shap_into, tree_expected_value, tree_shap_into, TreeShapPlan,
    TreeShapScratch, MAX_PATH_INPUTS,
};
use nps_core::model::boosted::{Comparison, Ensemble, Leaf, Missing, Split, Tree};
use proptest::prelude::*;

// ---------------------------------------------------------------------------------------
// The oracle: v(S) by recursion, then the Shapley formulas over all subsets.
// ---------------------------------------------------------------------------------------

/// cover(child) / cover(node), both 0 when the node's cover is 0 (the rule TreeSHAP uses).
fn fractions(tree: &Tree, s: &Split) -> (f64, f64) {
    let cover = |c: i32| if c >= 0 { tree.splits[c as usize].cover } else { tree.leaves[!c as usize].cover };
    if s.cover > 0.0 {
        (cover(s.left) / s.cover, cover(s.right) / s.cover)
    } else {
        (0.0, 0.0)
    }
}

/// E[f(x) | x_S]: the row's side of splits on known inputs (bits of `known`), the
/// cover-weighted average of both sides of the others.
fn value(tree: &Tree, row: &[f64], known: u32, node: i32) -> f64 {
    if node < 0 {
        return tree.leaves[!node as usize].value;
    }
    let s = &tree.splits[node as usize];
    if known & (1 << s.feature) != 0 {
        value(tree, row, known, s.child(row[s.feature]))
    } else {
        let (l, r) = fractions(tree, s);
        l * value(tree, row, known, s.left) + r * value(tree, row, known, s.right)
    }
}

fn tree_value(tree: &Tree, row: &[f64], known: u32) -> f64 {
    value(tree, row, known, if tree.splits.is_empty() { -1 } else { 0 })
}

/// v(S) of output `k` of an ensemble: the base plus each tree's value.
fn ensemble_value(e: &Ensemble, k: usize, row: &[f64], known: u32) -> f64 {
    e.trees.iter().skip(k).step_by(e.outputs).fold(e.base_score[k], |s, t| s + tree_value(t, row, known))
}

fn factorial(n: usize) -> f64 {
    (1..=n).map(|i| i as f64).product()
}

/// φ_i = Σ_{S ⊆ N∖{i}} |S|! (n − |S| − 1)! / n! · (v(S ∪ {i}) − v(S)).
fn shapley(n: usize, v: impl Fn(u32) -> f64) -> Vec<f64> {
    (0..n)
        .map(|i| {
            (0..1u32 << n)
                .filter(|s| s & (1 << i) == 0)
                .map(|s| {
                    let k = s.count_ones() as usize;
                    factorial(k) * factorial(n - k - 1) / factorial(n) * (v(s | 1 << i) - v(s))
                })
                .sum()
        })
        .collect()
}

/// shap's interaction matrix: `[i][j]` half the Shapley interaction index
/// Σ_{S ⊆ N∖{i,j}} |S|! (n − |S| − 2)! / (n − 1)! · (v(S∪{i,j}) − v(S∪{i}) − v(S∪{j}) + v(S)),
/// the diagonal φ_j − Σ_{i≠j} [i][j], the corner v(∅).
fn interaction_matrix(n: usize, v: impl Fn(u32) -> f64) -> Vec<f64> {
    let w = n + 1;
    let mut m = vec![0.0; w * w];
    for i in 0..n {
        for j in (0..n).filter(|&j| j != i) {
            let both = 1 << i | 1 << j;
            m[i * w + j] = (0..1u32 << n)
                .filter(|s| s & both == 0)
                .map(|s| {
                    let k = s.count_ones() as usize;
                    let delta = v(s | both) - v(s | 1 << i) - v(s | 1 << j) + v(s);
                    factorial(k) * factorial(n - k - 2) / factorial(n - 1) * delta
                })
                .sum::<f64>()
                / 2.0;
        }
    }
    let phi = shapley(n, &v);
    for j in 0..n {
        m[j * w + j] = phi[j] - (0..n).filter(|&i| i != j).map(|i| m[i * w + j]).sum::<f64>();
    }
    m[n * w + n] = v(0);
    m
}

fn assert_close(what: &str, got: &[f64], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len(), "{what}");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!((g - w).abs() <= tol * (1.0 + w.abs()), "{what}[{i}]: {g} against {w}\n got {got:?}\nwant {want:?}");
    }
}

// ---------------------------------------------------------------------------------------
// Hand-built trees.
// ---------------------------------------------------------------------------------------

fn split(feature: usize, threshold: f64, left: i32, right: i32, cover: f64) -> Split {
    Split {
        feature,
        threshold,
        categories: None,
        default_left: true,
        missing: Missing::Nan,
        comparison: Comparison::LessOrEqual,
        left,
        right,
        gain: 1.0,
        cover,
    }
}

fn leaves(values_covers: &[(f64, f64)]) -> Vec<Leaf> {
    values_covers.iter().map(|&(value, cover)| Leaf { value, cover }).collect()
}

/// Input 0 split on three times along one path (and twice along another, compared in
/// single precision), a categorical split, NaN sent right by `default_left = false`.
fn repeated() -> Tree {
    let mut root = split(0, 0.5, 1, 2, 20.0);
    root.default_left = false;
    let mut cat = split(2, 0.0, !1, 4, 8.0);
    cat.categories = Some(vec![1, 3]);
    let mut f32_split = split(0, 0.9, !4, !5, 5.0);
    f32_split.comparison = Comparison::LessF32;
    Tree {
        splits: vec![
            root,
            split(1, 2.0, 3, !0, 12.0),
            cat,
            split(0, 0.2, 5, !3, 7.0),
            f32_split,
            split(0, 0.1, !2, !6, 4.0),
        ],
        leaves: leaves(&[(0.4, 5.0), (-1.2, 3.0), (2.0, 1.0), (-0.5, 3.0), (0.7, 2.0), (1.5, 3.0), (-0.8, 3.0)]),
    }
}

/// Two inputs alternating down one path (0, 1, 0, 1), so that unwinding takes out an
/// element from the middle of the path.
fn alternating() -> Tree {
    Tree {
        splits: vec![
            split(0, 1.0, 1, !0, 16.0),
            split(1, 1.0, 2, !1, 12.0),
            split(0, 0.0, 3, !2, 9.0),
            split(1, 0.0, !3, !4, 5.0),
        ],
        leaves: leaves(&[(1.0, 4.0), (-2.0, 3.0), (0.5, 4.0), (3.0, 2.0), (-1.0, 3.0)]),
    }
}

/// A leaf no training row reached, a split no training row reached (cover 0 all the way
/// down), LightGBM's zero-as-missing and no-missing splits.
fn zero_covers() -> Tree {
    let mut zero_missing = split(4, 0.5, !1, 2, 6.0);
    zero_missing.missing = Missing::Zero;
    zero_missing.default_left = false;
    let mut no_missing = split(3, 5.0, !2, !3, 0.0);
    no_missing.missing = Missing::None;
    Tree {
        splits: vec![split(3, 1.0, !0, 1, 6.0), zero_missing, no_missing],
        leaves: leaves(&[(3.0, 0.0), (-2.0, 6.0), (1.0, 0.0), (4.0, 0.0)]),
    }
}

/// A tree no training row reached at all (root cover 0): its expected value is 0.
fn zero_root() -> Tree {
    Tree {
        splits: vec![split(1, 0.0, !0, 1, 0.0), split(2, 2.0, !1, !2, 0.0)],
        leaves: leaves(&[(1.0, 0.0), (2.0, 0.0), (-3.0, 0.0)]),
    }
}

fn hand_trees() -> Vec<(&'static str, Tree)> {
    vec![
        ("repeated", repeated()),
        ("alternating", alternating()),
        ("zero_covers", zero_covers()),
        ("zero_root", zero_root()),
        ("single_leaf", Tree::leaf(0.75, 10.0)),
        ("single_leaf_no_cover", Tree::leaf(-0.25, 0.0)),
    ]
}

fn hand_rows() -> Vec<Vec<f64>> {
    let nan = f64::NAN;
    vec![
        vec![0.3, 1.0, 3.0, nan, 0.0],
        vec![nan, nan, 1.0, 7.0, 2.0],
        vec![0.15, 2.5, -1.0, 0.5, nan],
        vec![0.05, -3.0, 2.0, 6.0, 0.0],
        vec![0.9, 0.0, nan, 1.0, -1.0],
        vec![0.9000000001, 1.0, 3.0, 2.0, 0.25],
        vec![-1.0, 0.5, 0.0, 3.0, 1.0],
    ]
}

#[test]
fn stump_by_hand() {
    // E = (−1·1 + 3·3) / 4 = 2; a row going left gets −1 − 2 = −3 on input 0.
    let t = Tree { splits: vec![split(0, 0.0, !0, !1, 4.0)], leaves: leaves(&[(-1.0, 1.0), (3.0, 3.0)]) };
    assert_eq!(tree_expected_value(&t), 2.0);
    let mut scratch = TreeShapScratch::new();
    let mut phi = [10.0, 0.0];
    tree_shap_into(&t, &[-1.0, 5.0], &mut phi, &mut scratch);
    assert_eq!(phi, [7.0, 0.0], "added to what was there");
    let mut phi = [0.0, 0.0];
    tree_shap_into(&t, &[f64::NAN, 5.0], &mut phi, &mut scratch);
    assert_eq!(phi, [-3.0, 0.0], "NaN goes to the default (left) side");
    let mut phi = [0.0, 0.0];
    tree_shap_into(&t, &[0.5, 5.0], &mut phi, &mut scratch);
    assert_eq!(phi, [1.0, 0.0]);

    // Two inputs, x0 ≤ 0 then x1 ≤ 0 on the left: leaves 4 (cover 1), 0 (cover 1), 2 (cover 2).
    // E = (4 + 0 + 4) / 4 = 2. For x = (−1, −1), f = 4:
    //   v({0}) = (4 + 0)/2 = 2, v({1}) = ½·4 + ½·2 = 3, v({0,1}) = 4.
    //   φ0 = ½(2 − 2) + ½(4 − 3) = 0.5, φ1 = ½(3 − 2) + ½(4 − 2) = 1.5.
    let t = Tree {
        splits: vec![split(0, 0.0, 1, !2, 4.0), split(1, 0.0, !0, !1, 2.0)],
        leaves: leaves(&[(4.0, 1.0), (0.0, 1.0), (2.0, 2.0)]),
    };
    let mut phi = [0.0, 0.0];
    tree_shap_into(&t, &[-1.0, -1.0], &mut phi, &mut scratch);
    assert_close("two-level", &phi, &[0.5, 1.5], 1e-15);
    assert_eq!(tree_expected_value(&t), 2.0);
}

#[test]
fn hand_trees_equal_the_subset_enumeration() {
    let mut scratch = TreeShapScratch::new();
    for (name, tree) in hand_trees() {
        tree.validate(5, name).unwrap();
        let expected = tree_expected_value(&tree);
        assert_close(&format!("{name} expected value"), &[expected], &[tree_value(&tree, &[0.0; 5], 0)], 1e-15);
        for row in hand_rows() {
            let mut phi = vec![0.0; 5];
            tree_shap_into(&tree, &row, &mut phi, &mut scratch);
            let want = shapley(5, |s| tree_value(&tree, &row, s));
            assert_close(&format!("{name} {row:?}"), &phi, &want, 1e-12);
            let total = expected + phi.iter().sum::<f64>();
            assert_close(&format!("{name} {row:?} sum"), &[total], &[tree.predict(&row)], 1e-12);
        }
    }
}

#[test]
fn expected_values_are_cover_weighted_means() {
    for tree in [repeated(), alternating()] {
        let root = tree.splits[0].cover;
        let mean = tree.leaves.iter().map(|l| l.value * l.cover).sum::<f64>() / root;
        assert_close("mean leaf value", &[tree_expected_value(&tree)], &[mean], 1e-15);
    }
    // repeated(): (0.4·5 − 1.2·3 + 2·1 − 0.5·3 + 0.7·2 + 1.5·3 − 0.8·3) / 20 = 2.4 / 20.
    assert_close("by hand", &[tree_expected_value(&repeated())], &[0.12], 1e-15);
    // The zero-cover leaf (3) and subtree (1, 4) weigh nothing: only −2 · 6/6 is left.
    assert_eq!(tree_expected_value(&zero_covers()), -2.0);
    assert_eq!(tree_expected_value(&zero_root()), 0.0);
    assert_eq!(tree_expected_value(&Tree::leaf(-0.25, 0.0)), -0.25);
}

/// All the hand trees as an ensemble of `outputs` outputs (tree `i` to output `i % outputs`).
fn hand_ensemble(outputs: usize) -> Ensemble {
    let mut trees: Vec<Tree> = hand_trees().into_iter().map(|(_, t)| t).collect();
    while !trees.len().is_multiple_of(outputs) {
        trees.push(Tree::leaf(0.5, 3.0));
    }
    let e = Ensemble { inputs: 5, outputs, base_score: (0..outputs).map(|k| 0.1 - 0.3 * k as f64).collect(), trees };
    e.validate().unwrap();
    e
}

#[test]
fn ensemble_layout_bias_and_sums() {
    let mut scratch = TreeShapScratch::new();
    for outputs in [1, 3] {
        let e = hand_ensemble(outputs);
        let (m, w) = (e.inputs, e.inputs + 1);
        let mut out = vec![f64::NAN; outputs * w];
        let mut raw = vec![0.0; outputs];
        for row in hand_rows() {
            ensemble_shap_into(&e, &row, &mut out, &mut scratch).unwrap();
            e.raw_into(&row, &mut raw);
            for k in 0..outputs {
                let block = &out[k * w..(k + 1) * w];
                // The bias: the base plus each tree's expected value, in tree order, to the bit.
                let bias =
                    e.trees.iter().skip(k).step_by(outputs).fold(e.base_score[k], |b, t| b + tree_expected_value(t));
                assert_eq!(block[m].to_bits(), bias.to_bits(), "output {k}");
                assert_close(&format!("output {k} sum {row:?}"), &[block.iter().sum()], &[raw[k]], 1e-12);
                let want = shapley(m, |s| ensemble_value(&e, k, &row, s));
                assert_close(&format!("output {k} {row:?}"), &block[..m], &want, 1e-12);
            }
        }
    }
}

#[test]
fn interactions_equal_the_subset_enumeration() {
    let mut scratch = TreeShapScratch::new();
    for outputs in [1, 3] {
        let e = hand_ensemble(outputs);
        let (m, w) = (e.inputs, e.inputs + 1);
        let mut out = vec![f64::NAN; w * w];
        let mut shap = vec![0.0; outputs * w];
        for row in hand_rows() {
            ensemble_shap_into(&e, &row, &mut shap, &mut scratch).unwrap();
            for k in 0..outputs {
                ensemble_interactions_into(&e, &row, k, &mut out, &mut scratch).unwrap();
                let want = interaction_matrix(m, |s| ensemble_value(&e, k, &row, s));
                assert_close(&format!("output {k} {row:?}"), &out, &want, 1e-12);
                let phi = &shap[k * w..(k + 1) * w];
                for i in 0..w {
                    let row_sum: f64 = out[i * w..(i + 1) * w].iter().sum();
                    let column_sum: f64 = (0..w).map(|j| out[j * w + i]).sum();
                    assert_close("row sum", &[row_sum], &[phi[i]], 1e-12);
                    assert_close("column sum", &[column_sum], &[phi[i]], 1e-12);
                    for j in 0..w {
                        assert_close("symmetry", &[out[i * w + j]], &[out[j * w + i]], 1e-12);
                    }
                }
                assert_eq!(out[m * w + m], phi[m], "the corner is the bias");
            }
        }
    }
    // The alternating tree's two inputs do interact.
    let e = Ensemble { inputs: 2, outputs: 1, base_score: vec![0.0], trees: vec![alternating()] };
    let mut out = vec![0.0; 9];
    ensemble_interactions_into(&e, &[-1.0, -1.0], 0, &mut out, &mut scratch).unwrap();
    assert!(out[1].abs() > 0.1, "{out:?}");
}

#[test]
fn shape_errors_name_the_input() {
    let e = hand_ensemble(3);
    let mut scratch = TreeShapScratch::new();
    let mut out = vec![0.0; 18];
    let err = ensemble_shap_into(&e, &[0.0; 4], &mut out, &mut scratch).unwrap_err().to_string();
    assert_eq!(err, "row has 4 elements but the model's inputs has 5");
    let err = ensemble_shap_into(&e, &[0.0; 5], &mut out[..17], &mut scratch).unwrap_err().to_string();
    assert_eq!(err, "out has 17 elements but outputs × (inputs + 1) has 18");
    let err = ensemble_interactions_into(&e, &[0.0; 5], 3, &mut [0.0; 36], &mut scratch).unwrap_err().to_string();
    assert_eq!(err, "output must be below the model's 3 outputs, got 3");
    let err = ensemble_interactions_into(&e, &[0.0; 5], 0, &mut [0.0; 35], &mut scratch).unwrap_err().to_string();
    assert!(err.contains("out has 35 elements"), "{err}");
    let err = ensemble_shap(&e, Array2::zeros((2, 4)).view()).unwrap_err().to_string();
    assert!(err.contains("x columns has 4 elements"), "{err}");
    let mut bad = e.clone();
    bad.base_score.pop();
    assert!(ensemble_shap_into(&bad, &[0.0; 5], &mut out, &mut scratch)
        .unwrap_err()
        .to_string()
        .contains("base_score"));
    bad.outputs = 0;
    assert!(ensemble_shap(&bad, Array2::zeros((2, 5)).view()).unwrap_err().to_string().contains("outputs"));
}

// ---------------------------------------------------------------------------------------
// No allocation per row: a counting allocator (per thread, so other tests do not count).
// ---------------------------------------------------------------------------------------

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn a_row_allocates_nothing_after_the_first() {
    let e = hand_ensemble(3);
    let rows = hand_rows();
    let mut scratch = TreeShapScratch::new();
    let mut out = vec![0.0; 18];
    let mut inter = vec![0.0; 36];
    let plan = TreeShapPlan::new(&e);
    ensemble_shap_into(&e, &rows[0], &mut out, &mut scratch).unwrap();
    ensemble_interactions_into(&e, &rows[0], 0, &mut inter, &mut scratch).unwrap();
    plan.ensemble_shap_into(&e, &rows[0], &mut out, &mut scratch).unwrap();
    let before = ALLOCATIONS.with(Cell::get);
    for row in &rows {
        ensemble_shap_into(&e, row, &mut out, &mut scratch).unwrap();
        plan.ensemble_shap_into(&e, row, &mut out, &mut scratch).unwrap();
        for k in 0..3 {
            ensemble_interactions_into(&e, row, k, &mut inter, &mut scratch).unwrap();
        }
    }
    assert_eq!(ALLOCATIONS.with(Cell::get), before);
}

// ---------------------------------------------------------------------------------------
// Random trees and ensembles.
// ---------------------------------------------------------------------------------------

/// SplitMix64: the random trees are a function of one proptest seed.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}

const GRID: [f64; 9] = [-1.5, -1.0, 0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0];

/// A random tree of depth ≤ `max_depth`: random inputs (so often repeated on a path),
/// thresholds on the rows' grid, categorical splits, every missing rule and comparison,
/// covers that mostly add up, sometimes not, sometimes 0.
fn random_tree(g: &mut Gen, inputs: usize, max_depth: usize) -> Tree {
    fn grow(g: &mut Gen, t: &mut Tree, inputs: usize, depth: usize) -> (i32, f64) {
        if depth == 0 || g.chance(0.2) {
            let cover = if g.chance(0.1) { 0.0 } else { (1.0 + 9.0 * g.unit()).round() };
            t.leaves.push(Leaf { value: 4.0 * g.unit() - 2.0, cover });
            return (!(t.leaves.len() as i32 - 1), cover);
        }
        let at = t.splits.len();
        let mut s = split(g.below(inputs), GRID[g.below(GRID.len())], 0, 0, 0.0);
        if g.chance(0.2) {
            s.categories = Some((0..5).filter(|_| g.chance(0.4)).collect());
        }
        s.default_left = g.chance(0.5);
        s.missing = [Missing::Nan, Missing::Zero, Missing::None][g.below(3)];
        s.comparison = [Comparison::LessOrEqual, Comparison::LessF32][g.below(2)];
        t.splits.push(s);
        let (left, cl) = grow(g, t, inputs, depth - 1);
        let (right, cr) = grow(g, t, inputs, depth - 1);
        let mut cover = cl + cr;
        if g.chance(0.1) {
            cover *= 0.5 + g.unit();
        }
        if g.chance(0.05) {
            cover = 0.0;
        }
        let s = &mut t.splits[at];
        (s.left, s.right, s.cover) = (left, right, cover);
        (at as i32, cover)
    }
    let mut t = Tree { splits: Vec::new(), leaves: Vec::new() };
    grow(g, &mut t, inputs, max_depth);
    t.validate(inputs, "random").unwrap();
    t
}

fn random_row(g: &mut Gen, inputs: usize) -> Vec<f64> {
    (0..inputs)
        .map(
            |_| {
                if g.chance(0.15) {
                    f64::NAN
                } else {
                    GRID[g.below(GRID.len())] + if g.chance(0.3) { 0.25 } else { 0.0 }
                }
            },
        )
        .collect()
}

fn random_ensemble(g: &mut Gen, inputs: usize, outputs: usize, rounds: usize, max_depth: usize) -> Ensemble {
    let trees = (0..outputs * rounds)
        .map(|_| {
            let depth = g.below(max_depth + 1);
            random_tree(g, inputs, depth)
        })
        .collect();
    let base_score = (0..outputs).map(|_| 2.0 * g.unit() - 1.0).collect();
    let e = Ensemble { inputs, outputs, base_score, trees };
    e.validate().unwrap();
    e
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// One random tree against the subset enumeration: SHAP values and interactions.
    #[test]
    fn random_trees_equal_the_subset_enumeration(seed in any::<u64>(), inputs in 4usize..=8, depth in 0usize..=6) {
        let mut g = Gen(seed);
        let tree = random_tree(&mut g, inputs, depth);
        let e = Ensemble { inputs, outputs: 1, base_score: vec![0.0], trees: vec![tree] };
        let mut scratch = TreeShapScratch::new();
        let mut phi = vec![0.0; inputs];
        let mut inter = vec![0.0; (inputs + 1) * (inputs + 1)];
        for _ in 0..3 {
            let row = random_row(&mut g, inputs);
            phi.fill(0.0);
            tree_shap_into(&e.trees[0], &row, &mut phi, &mut scratch);
            let want = shapley(inputs, |s| tree_value(&e.trees[0], &row, s));
            assert_close(&format!("{row:?}"), &phi, &want, 1e-10);
            ensemble_interactions_into(&e, &row, 0, &mut inter, &mut scratch).unwrap();
            let want = interaction_matrix(inputs, |s| tree_value(&e.trees[0], &row, s));
            assert_close(&format!("interactions {row:?}"), &inter, &want, 1e-10);
        }
    }

    /// Random ensembles of 1 or 3 outputs: contributions and bias add up to the raw score,
    /// the batch equals row by row to the bit (row-major or not), and interaction rows and
    /// columns add up to the SHAP values.
    #[test]
    fn random_ensembles_add_up(
        seed in any::<u64>(),
        inputs in 4usize..=8,
        outputs in prop::sample::select(vec![1usize, 3]),
        rounds in 1usize..=8,
        column_major in any::<bool>(),
    ) {
        let mut g = Gen(seed);
        let e = random_ensemble(&mut g, inputs, outputs, rounds, 6);
        let n = 5;
        let values: Vec<f64> = (0..n).flat_map(|_| random_row(&mut g, inputs)).collect();
        let x = if column_major {
            let mut x = Array2::zeros((n, inputs).f());
            x.assign(&Array2::from_shape_vec((n, inputs), values).unwrap());
            x
        } else {
            Array2::from_shape_vec((n, inputs), values).unwrap()
        };
        let batch = ensemble_shap(&e, x.view()).unwrap();
        prop_assert_eq!(batch.dim(), (n, outputs * (inputs + 1)));
        let w = inputs + 1;
        let mut scratch = TreeShapScratch::new();
        let mut out = vec![0.0; outputs * w];
        let mut raw = vec![0.0; outputs];
        let mut inter = vec![0.0; w * w];
        for (i, row) in x.rows().into_iter().enumerate() {
            let row = row.to_vec();
            ensemble_shap_into(&e, &row, &mut out, &mut scratch).unwrap();
            let single: Vec<u64> = out.iter().map(|v| v.to_bits()).collect();
            let batched: Vec<u64> = batch.row(i).iter().map(|v| v.to_bits()).collect();
            prop_assert_eq!(single, batched);
            e.raw_into(&row, &mut raw);
            for k in 0..outputs {
                let block = &out[k * w..(k + 1) * w];
                let sum: f64 = block.iter().sum();
                prop_assert!((sum - raw[k]).abs() <= 1e-9 * (1.0 + raw[k].abs()), "output {}: {} against {}", k, sum, raw[k]);
                ensemble_interactions_into(&e, &row, k, &mut inter, &mut scratch).unwrap();
                for a in 0..w {
                    let row_sum: f64 = inter[a * w..(a + 1) * w].iter().sum();
                    let column_sum: f64 = (0..w).map(|b| inter[b * w + a]).sum();
                    prop_assert!((row_sum - block[a]).abs() <= 1e-9 * (1.0 + block[a].abs()), "row {}: {} against {}", a, row_sum, block[a]);
                    prop_assert!((column_sum - block[a]).abs() <= 1e-9 * (1.0 + block[a].abs()));
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// The plan (precomputed tables) against Algorithm 2.
// ---------------------------------------------------------------------------------------

/// The plan's values against Algorithm 2's for one row: within 1e-12 of max(1, |value|),
/// the bias entries to the bit.
fn assert_plan_equals_algorithm_2(what: &str, e: &Ensemble, plan: &TreeShapPlan, row: &[f64]) {
    let w = e.inputs + 1;
    let mut scratch = TreeShapScratch::new();
    let (mut want, mut got) = (vec![0.0; e.outputs * w], vec![0.0; e.outputs * w]);
    ensemble_shap_into(e, row, &mut want, &mut scratch).unwrap();
    plan.ensemble_shap_into(e, row, &mut got, &mut scratch).unwrap();
    for (i, (g, v)) in got.iter().zip(&want).enumerate() {
        if i % w == e.inputs {
            assert_eq!(g.to_bits(), v.to_bits(), "{what}: bias of output {}", i / w);
        } else {
            assert!(
                (g - v).abs() <= 1e-12 * v.abs().max(1.0),
                "{what}[{i}]: {g} against {v}\n got {got:?}\nwant {want:?}"
            );
        }
    }
}

#[test]
fn the_plan_equals_algorithm_2_on_hand_trees() {
    for outputs in [1, 3] {
        let e = hand_ensemble(outputs);
        let plan = TreeShapPlan::new(&e);
        assert_eq!(plan.fallback_trees(), 0);
        let mut scratch = TreeShapScratch::new();
        let mut out = vec![0.0; outputs * (e.inputs + 1)];
        for row in hand_rows() {
            assert_plan_equals_algorithm_2(&format!("{outputs} outputs {row:?}"), &e, &plan, &row);
            // And against the definition, tree by tree.
            plan.ensemble_shap_into(&e, &row, &mut out, &mut scratch).unwrap();
            for k in 0..outputs {
                let want = shapley(e.inputs, |s| ensemble_value(&e, k, &row, s));
                let w = e.inputs + 1;
                assert_close(&format!("output {k} {row:?}"), &out[k * w..k * w + e.inputs], &want, 1e-12);
            }
        }
    }
    // Each hand tree alone, the single leaves included.
    for (name, tree) in hand_trees() {
        let e = Ensemble { inputs: 5, outputs: 1, base_score: vec![0.25], trees: vec![tree] };
        let plan = TreeShapPlan::new(&e);
        for row in hand_rows() {
            assert_plan_equals_algorithm_2(&format!("{name} {row:?}"), &e, &plan, &row);
        }
    }
}

/// A chain of splits on `n` distinct inputs, each going left to the next, the right to a
/// leaf: the deepest leaf's path has `n` distinct inputs.
fn chain(n: usize) -> Tree {
    let mut t = Tree { splits: Vec::new(), leaves: Vec::new() };
    for f in 0..n {
        let cover = (2 * (n - f)) as f64;
        let left = if f + 1 < n { f as i32 + 1 } else { !(n as i32) };
        t.splits.push(split(f, 0.5 * f as f64 - 1.0, left, !(f as i32), cover));
        t.leaves.push(Leaf { value: (f as f64).sin(), cover: cover - 2.0 + if f + 1 < n { 0.0 } else { 1.0 } });
    }
    t.leaves.push(Leaf { value: 1.5, cover: 1.0 });
    t.validate(n, "chain").unwrap();
    t
}

/// A path of 20 distinct inputs (too many for tables: planned without them) and one past
/// [`MAX_PATH_INPUTS`] (left to Algorithm 2). Deeper paths are not compared: Algorithm 2's
/// unwinding loses digits with depth (1e-14 at 20 distinct inputs, 1e-3 at 64), where the
/// plan's sums of positive terms do not.
#[test]
fn a_tree_past_the_path_limit_falls_back_and_stays_exact() {
    let n = MAX_PATH_INPUTS + 2;
    let e =
        Ensemble { inputs: n, outputs: 1, base_score: vec![0.5], trees: vec![chain(20), chain(n), repeated_wide(n)] };
    e.validate().unwrap();
    let plan = TreeShapPlan::new(&e);
    assert_eq!(plan.fallback_trees(), 1, "only the chain of {n} inputs");
    assert_eq!(plan.trees_without_tables(), 1, "the chain of 20 inputs");
    let mut g = Gen(7);
    for _ in 0..20 {
        let row: Vec<f64> = (0..n).map(|_| if g.chance(0.1) { f64::NAN } else { 4.0 * g.unit() - 2.0 }).collect();
        assert_plan_equals_algorithm_2("chains", &e, &plan, &row);
    }
}

/// [`repeated`] over `inputs` inputs (it reads the first 3).
fn repeated_wide(inputs: usize) -> Tree {
    let t = repeated();
    t.validate(inputs, "repeated").unwrap();
    t
}

#[test]
fn the_plan_checks_shapes_and_its_ensemble() {
    let e = hand_ensemble(3);
    let plan = TreeShapPlan::new(&e);
    let mut scratch = TreeShapScratch::new();
    let mut out = vec![0.0; 18];
    let err = plan.ensemble_shap_into(&e, &[0.0; 4], &mut out, &mut scratch).unwrap_err().to_string();
    assert_eq!(err, "row has 4 elements but the model's inputs has 5");
    let err = plan.ensemble_shap_into(&e, &[0.0; 5], &mut out[..17], &mut scratch).unwrap_err().to_string();
    assert_eq!(err, "out has 17 elements but outputs × (inputs + 1) has 18");
    let err = plan.ensemble_shap(&e, Array2::zeros((2, 4)).view()).unwrap_err().to_string();
    assert!(err.contains("x columns has 4 elements"), "{err}");
    // Another ensemble: fewer trees, or a tree of another shape.
    let mut other = e.clone();
    other.trees.truncate(3);
    let err = plan.ensemble_shap_into(&other, &[0.0; 5], &mut out, &mut scratch).unwrap_err().to_string();
    assert!(err.contains("TreeSHAP plan"), "{err}");
    let mut other = e.clone();
    other.trees[0] = alternating();
    assert!(plan.ensemble_shap(&other, Array2::zeros((2, 5)).view()).is_err());
    assert!(plan.memory_bytes() > 0);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Random ensembles of 1 or 3 outputs and depths up to 8: the plan equals Algorithm 2,
    /// and its batch equals its single rows to the bit (row-major or not).
    #[test]
    fn the_plan_equals_algorithm_2_on_random_ensembles(
        seed in any::<u64>(),
        inputs in 3usize..=12,
        outputs in prop::sample::select(vec![1usize, 3]),
        rounds in 1usize..=6,
        column_major in any::<bool>(),
    ) {
        let mut g = Gen(seed);
        let e = random_ensemble(&mut g, inputs, outputs, rounds, 8);
        let plan = TreeShapPlan::new(&e);
        prop_assert_eq!(plan.fallback_trees(), 0);
        let n = 6;
        let values: Vec<f64> = (0..n).flat_map(|_| random_row(&mut g, inputs)).collect();
        let x = if column_major {
            let mut x = Array2::zeros((n, inputs).f());
            x.assign(&Array2::from_shape_vec((n, inputs), values).unwrap());
            x
        } else {
            Array2::from_shape_vec((n, inputs), values).unwrap()
        };
        let batch = plan.ensemble_shap(&e, x.view()).unwrap();
        let mut scratch = TreeShapScratch::new();
        let mut out = vec![0.0; outputs * (inputs + 1)];
        for (i, row) in x.rows().into_iter().enumerate() {
            let row = row.to_vec();
            assert_plan_equals_algorithm_2(&format!("seed {seed} row {i}"), &e, &plan, &row);
            plan.ensemble_shap_into(&e, &row, &mut out, &mut scratch).unwrap();
            let single: Vec<u64> = out.iter().map(|v| v.to_bits()).collect();
            let batched: Vec<u64> = batch.row(i).iter().map(|v| v.to_bits()).collect();
            prop_assert_eq!(single, batched);
        }
    }
}
