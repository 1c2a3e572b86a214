//! Exact path-dependent TreeSHAP with tables built once per ensemble (Fast TreeSHAP v2,
//! Yang 2021, carried one step further): a service explaining customer after customer with
//! one model pays the subset sums of Algorithm 2 once instead of at every row.
//!
//! Why it works: in the game [`super::tree_shap_into`] explains, a leaf of value `v` whose
//! path splits on the distinct inputs `D` (`d` of them) weighs each input `j ∈ D` by `z_j`
//! (the product of the cover fractions of the path's steps on `j`) when `j` is unknown and
//! by `o_j` (1 if the row takes every one of those steps, else 0) when it is known. With `S`
//! the inputs the row agrees with (`o_j = 1`), the leaf's Shapley values are
//!
//! * `φ_i = −Z(S) B(S)` for `i ∉ S` (one number for all of them), and
//! * `φ_i = (1 − z_i) Z(S) B(S ∖ {i})` for `i ∈ S`,
//!
//! where `Z(S) = Π_{j ∉ S} z_j` and `B(T) = v Σ_k w_k c_k`, `w_k = k! (d − 1 − k)! / d!`,
//! `c_k` the coefficient of `t^k` in `Π_{j ∈ T} (z_j + t)` (see [`leaf_table`]). `B` depends
//! on the leaf alone, and the row only through which side of each split it takes. So the
//! plan tabulates, once:
//!
//! * for a subtree whose splits and distinct ancestor inputs number at most
//!   8 (a whole tree of 7 leaves, the lower parts of larger ones), the summed
//!   contributions of all its leaves for every combination of the row's sides at its
//!   splits and its agreement with each ancestor input: a row then reads one table row and
//!   adds it (a *block*);
//! * for a leaf deeper than that, `B` for every subset of its path inputs: a row then costs
//!   `O(d)` (a *leaf*).
//!
//! A row costs, per tree, one test of each split, then per block or leaf a few bit tests
//! and one addition per input on it. The cover conventions are those of Algorithm 2 (a
//! child with cover 0 gets the fraction 0, a node with cover 0 passes 0 to both children),
//! and the values equal its values up to rounding.
//!
//! The tables grow as `2^d`: a tree with a path of more than 12 distinct inputs, or whose
//! tables would take the plan past the memory cap [`MAX_PLAN_BYTES`], is explained without
//! tables in O(nodes × d) per row ([`linear`]; slower than tables, faster than Algorithm 2
//! and, on deep paths, more precise), and a tree with a path of more than
//! [`MAX_PATH_INPUTS`] distinct inputs, or past the cap even so, keeps Algorithm 2.
use std::mem::size_of;

use ndarray::{Array2, ArrayView2};

use super::tree_shap::{check_row, shap_rows, tree_shap_into};
use super::TreeShapScratch;
use crate::error::{check_lengths, NpsError, Result};
use crate::model::boosted::{Ensemble, Split};

mod build;
mod layout;
mod leaf_table;
mod linear;

use layout::{Check, Kind, Limits, Planned, Slot, TreePlan, Unit};
pub use layout::{TreeShapPlan, MAX_PATH_INPUTS, MAX_PLAN_BYTES};

impl TreeShapPlan {
    /// The tables of an ensemble whose trees are valid ([`Ensemble::validate`]); a tree that
    /// is not is left to Algorithm 2. Takes at most [`MAX_PLAN_BYTES`].
    pub fn new(ensemble: &Ensemble) -> TreeShapPlan {
        TreeShapPlan::with_limits(ensemble, Limits::default())
    }

    /// [`Self::new`] with other limits (each capped as [`Limits`] says).
    pub(crate) fn with_limits(ensemble: &Ensemble, limits: Limits) -> TreeShapPlan {
        let limits = Limits {
            path_inputs: limits.path_inputs.min(MAX_PATH_INPUTS),
            table_path_inputs: limits.table_path_inputs.min(24),
            block_bits: limits.block_bits.min(16),
            ..limits
        };
        build::plan(ensemble, limits)
    }

    /// Contributions of the ensemble for one row, as [`super::ensemble_shap_into`] gives
    /// them (LightGBM's `pred_contrib` layout, the bias to the bit) up to rounding.
    ///
    /// Errors as [`super::ensemble_shap_into`] does, and when `ensemble` is not of the shape
    /// the plan was built for (inputs, outputs, trees and their splits). Allocates nothing
    /// once `scratch` has served a row of this plan.
    pub fn ensemble_shap_into(
        &self,
        ensemble: &Ensemble,
        row: &[f64],
        out: &mut [f64],
        scratch: &mut TreeShapScratch,
    ) -> Result<()> {
        self.check(ensemble)?;
        check_row(ensemble, row)?;
        let width = ensemble.inputs + 1;
        check_lengths("out", out.len(), "outputs × (inputs + 1)", ensemble.outputs * width)?;
        out.fill(0.0);
        for (block, &base) in out.chunks_exact_mut(width).zip(&ensemble.base_score) {
            block[ensemble.inputs] = base;
        }
        if scratch.words.len() < self.words {
            scratch.words.resize(self.words, 0);
        }
        if scratch.values.len() < self.linear_values {
            scratch.values.resize(self.linear_values, 0.0);
            scratch.flags.resize(self.linear_nodes, 0);
        }
        for (i, (plan, tree)) in self.trees.iter().zip(&ensemble.trees).enumerate() {
            let block = &mut out[(i % ensemble.outputs) * width..][..width];
            let (phi, bias) = block.split_at_mut(ensemble.inputs);
            match plan.kind {
                Kind::Tables(planned) => {
                    decide(&self.splits[planned.splits..][..plan.splits], row, &mut scratch.words);
                    self.add_tables(planned, phi, &scratch.words);
                }
                Kind::Linear { splits, nodes, len, points, q, coefs, coef_len } => {
                    decide(&self.splits[splits..][..plan.splits], row, &mut scratch.words);
                    let (nodes, points) = (&self.nodes[nodes..][..len], &self.points[points..][..q]);
                    let coefs = &self.coefficients[coefs..][..coef_len];
                    linear::add(nodes, points, coefs, &scratch.words, phi, &mut scratch.values, &mut scratch.flags);
                }
                Kind::Algorithm2 => tree_shap_into(tree, row, phi, scratch),
            }
            bias[0] += plan.expected;
        }
        Ok(())
    }

    /// Contributions of every row of a matrix (`n × inputs`), as [`super::ensemble_shap`]
    /// lays them out: rows spread over rayon's threads, each equal to
    /// [`Self::ensemble_shap_into`]'s to the bit. Errors as that.
    pub fn ensemble_shap(&self, ensemble: &Ensemble, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        self.check(ensemble)?;
        shap_rows(ensemble, x, |row, out, scratch| self.ensemble_shap_into(ensemble, row, out, scratch))
    }

    /// The bytes the plan takes (its tables, what they test, the splits).
    pub fn memory_bytes(&self) -> usize {
        size_of::<TreeShapPlan>()
            + self.trees.capacity() * size_of::<TreePlan>()
            + self.splits.capacity() * size_of::<Split>()
            + self.splits.iter().map(build::split_heap_bytes).sum::<usize>()
            + self.units.capacity() * size_of::<Unit>()
            + self.checks.capacity() * size_of::<Check>()
            + self.features.capacity() * size_of::<u32>()
            + self.slots.capacity() * size_of::<Slot>()
            + self.table.capacity() * size_of::<f64>()
            + self.nodes.capacity() * size_of::<linear::Node>()
            + self.coefficients.capacity() * size_of::<f64>()
            + self.points.capacity() * size_of::<linear::Point>()
    }

    /// How many trees are not planned (a path past [`MAX_PATH_INPUTS`] distinct inputs, or
    /// past the memory cap) and are explained by Algorithm 2.
    pub fn fallback_trees(&self) -> usize {
        self.trees.iter().filter(|t| matches!(t.kind, Kind::Algorithm2)).count()
    }

    /// How many trees are explained without tables (see the module documentation).
    pub fn trees_without_tables(&self) -> usize {
        self.trees.iter().filter(|t| matches!(t.kind, Kind::Linear { .. })).count()
    }

    /// The ensemble is of the plan's shape (so that nothing reads past the plan's ranges).
    fn check(&self, ensemble: &Ensemble) -> Result<()> {
        let same = ensemble.inputs == self.inputs
            && ensemble.outputs == self.outputs
            && ensemble.trees.len() == self.trees.len()
            && ensemble.trees.iter().zip(&self.trees).all(|(t, p)| t.splits.len() == p.splits);
        if same {
            Ok(())
        } else {
            Err(NpsError::invalid("ensemble", "another ensemble", "the ensemble the TreeSHAP plan was built from"))
        }
    }

    /// Adds the contributions of a tree with tables into `phi`, for the row whose split
    /// decisions are `words`.
    #[inline]
    fn add_tables(&self, planned: Planned, phi: &mut [f64], words: &[u64]) {
        for unit in &self.units[planned.units..planned.leaves] {
            let index = self.agreement(unit, words) as usize;
            let width = unit.width as usize;
            let values = &self.table[unit.table as usize + index * width..][..width];
            for (&f, &v) in self.features[unit.inputs as usize..][..width].iter().zip(values) {
                phi[f as usize] += v;
            }
        }
        for unit in &self.units[planned.leaves..planned.end] {
            let agree = self.agreement(unit, words);
            let slots = &self.slots[unit.inputs as usize..][..unit.width as usize];
            let table = &self.table[unit.table as usize..][..1 << slots.len()];
            leaf_table::credit(table, slots, agree, |k, v| phi[slots[k].feature] += v);
        }
    }

    /// The bits of a unit's index (block) or subset (leaf) for the split decisions `words`.
    #[inline]
    fn agreement(&self, unit: &Unit, words: &[u64]) -> u32 {
        let mut disagree = 0u32;
        for c in &self.checks[unit.checks as usize..][..unit.check_count as usize] {
            disagree |= u32::from(words[c.word as usize] & c.mask != c.want) << c.bit;
        }
        !disagree & ((1 << unit.bits) - 1)
    }
}

/// A tree's split decisions for `row` into `words`: bit `n % 64` of word `n / 64` is 1 when
/// the row goes left at split `n`. Each split is tested once.
#[inline]
fn decide(splits: &[Split], row: &[f64], words: &mut [u64]) {
    for (word, chunk) in words.iter_mut().zip(splits.chunks(64)) {
        let mut bits = 0;
        for (b, split) in chunk.iter().enumerate() {
            bits |= u64::from(split.goes_left(row[split.feature])) << b;
        }
        *word = bits;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explain::ensemble_shap_into;
    use crate::model::boosted::{Comparison, Leaf, Missing, Tree};

    /// SplitMix64.
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
    }

    /// A random tree: repeated inputs, categorical and every missing rule, covers that
    /// sometimes do not add up and sometimes are 0.
    fn tree(g: &mut Gen, inputs: usize, depth: usize) -> Tree {
        fn grow(g: &mut Gen, t: &mut Tree, inputs: usize, depth: usize) -> (i32, f64) {
            if depth == 0 || g.unit() < 0.15 {
                let cover = if g.unit() < 0.1 { 0.0 } else { (1.0 + 9.0 * g.unit()).round() };
                t.leaves.push(Leaf { value: 4.0 * g.unit() - 2.0, cover });
                return (!(t.leaves.len() as i32 - 1), cover);
            }
            let at = t.splits.len();
            t.splits.push(Split {
                feature: g.below(inputs),
                threshold: g.below(5) as f64 - 2.0,
                categories: (g.unit() < 0.2).then(|| (0..4).filter(|_| g.unit() < 0.5).collect()),
                default_left: g.unit() < 0.5,
                missing: [Missing::Nan, Missing::Zero, Missing::None][g.below(3)],
                comparison: [Comparison::LessOrEqual, Comparison::LessF32][g.below(2)],
                left: 0,
                right: 0,
                gain: 1.0,
                cover: 0.0,
            });
            let (left, cl) = grow(g, t, inputs, depth - 1);
            let (right, cr) = grow(g, t, inputs, depth - 1);
            let mut cover = cl + cr;
            if g.unit() < 0.1 {
                cover *= 0.5 + g.unit();
            }
            if g.unit() < 0.05 {
                cover = 0.0;
            }
            let s = &mut t.splits[at];
            (s.left, s.right, s.cover) = (left, right, cover);
            (at as i32, cover)
        }
        let mut t = Tree { splits: Vec::new(), leaves: Vec::new() };
        grow(g, &mut t, inputs, depth);
        t
    }

    fn ensemble(g: &mut Gen, inputs: usize, outputs: usize, trees: usize, depth: usize) -> Ensemble {
        let trees = (0..outputs * trees)
            .map(|_| {
                let depth = g.below(depth + 1);
                tree(g, inputs, depth)
            })
            .collect();
        let e = Ensemble { inputs, outputs, base_score: (0..outputs).map(|k| k as f64 - 0.5).collect(), trees };
        e.validate().unwrap();
        e
    }

    fn row(g: &mut Gen, inputs: usize) -> Vec<f64> {
        (0..inputs).map(|_| if g.unit() < 0.15 { f64::NAN } else { g.below(5) as f64 - 2.0 + 0.5 * g.unit() }).collect()
    }

    /// The plan against Algorithm 2: values within 1e-12 of max(1, |value|), bias to the bit.
    fn assert_equal(what: &str, e: &Ensemble, plan: &TreeShapPlan, row: &[f64]) {
        let mut scratch = TreeShapScratch::new();
        let width = e.outputs * (e.inputs + 1);
        let (mut want, mut got) = (vec![0.0; width], vec![0.0; width]);
        ensemble_shap_into(e, row, &mut want, &mut scratch).unwrap();
        plan.ensemble_shap_into(e, row, &mut got, &mut scratch).unwrap();
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            if i % (e.inputs + 1) == e.inputs {
                assert_eq!(g.to_bits(), w.to_bits(), "{what}: bias {i}");
            } else {
                assert!((g - w).abs() <= 1e-12 * w.abs().max(1.0), "{what}[{i}]: {g} against {w}");
            }
        }
    }

    /// Blocks of every size, leaves alone, paths past the limit and memory caps: the values
    /// stay Algorithm 2's.
    #[test]
    fn every_way_of_planning_equals_algorithm_2() {
        let d = Limits::default();
        let limits = [
            d,
            Limits { block_bits: 0, ..d },
            Limits { block_bits: 3, ..d },
            Limits { block_bits: 10, ..d },
            Limits { table_path_inputs: 24, block_bits: 0, tree_table_bytes: usize::MAX, ..d },
            Limits { table_path_inputs: 3, ..d },
            Limits { table_path_inputs: 0, ..d },
            Limits { tree_table_bytes: 0, ..d },
            Limits { path_inputs: 3, ..d },
            Limits { path_inputs: 0, ..d },
            Limits { bytes: 20_000, ..d },
            Limits { bytes: 0, ..d },
        ];
        for seed in 0..60 {
            let mut g = Gen(seed);
            let (inputs, outputs) = (3 + g.below(8), [1, 3][g.below(2)]);
            let rounds = 1 + g.below(5);
            let e = ensemble(&mut g, inputs, outputs, rounds, 8);
            let rows: Vec<Vec<f64>> = (0..4).map(|_| row(&mut g, inputs)).collect();
            for limits in limits {
                let plan = TreeShapPlan::with_limits(&e, limits);
                for row in &rows {
                    assert_equal(&format!("seed {seed} {limits:?}"), &e, &plan, row);
                }
            }
        }
    }

    /// Trees past the limits are left to Algorithm 2 (then equal to it to the bit); the
    /// others are planned.
    #[test]
    fn limits_send_trees_to_algorithm_2() {
        let mut g = Gen(3);
        let e = ensemble(&mut g, 6, 1, 40, 7);
        let with_splits = e.trees.iter().filter(|t| !t.splits.is_empty()).count();
        assert!(with_splits > 20);
        assert_eq!(TreeShapPlan::new(&e).fallback_trees(), 0);
        // No input allowed on a path: every tree with a split falls back, to the bit.
        let d = Limits::default();
        // Trees without tables, all of them.
        let plan = TreeShapPlan::with_limits(&e, Limits { tree_table_bytes: 0, ..d });
        assert_eq!((plan.trees_without_tables(), plan.fallback_trees()), (with_splits, 0));
        let plan = TreeShapPlan::with_limits(&e, Limits { path_inputs: 0, ..d });
        assert_eq!(plan.fallback_trees(), with_splits);
        let mut scratch = TreeShapScratch::new();
        let (mut want, mut got) = (vec![0.0; 7], vec![0.0; 7]);
        for _ in 0..10 {
            let row = row(&mut g, 6);
            ensemble_shap_into(&e, &row, &mut want, &mut scratch).unwrap();
            plan.ensemble_shap_into(&e, &row, &mut got, &mut scratch).unwrap();
            assert_eq!(
                want.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                got.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
            );
        }
        // Two inputs per path: the trees with a path of three distinct inputs fall back.
        let plan = TreeShapPlan::with_limits(&e, Limits { path_inputs: 2, ..d });
        let wide = e.trees.iter().filter(|t| widest_path(t, 0, &mut Vec::new()) > 2).count();
        assert!(wide > 0 && wide < with_splits, "{wide}");
        assert_eq!(plan.fallback_trees(), wide);
        // A memory cap: the trees that come after it is reached fall back.
        let full = TreeShapPlan::new(&e).memory_bytes();
        let plan = TreeShapPlan::with_limits(&e, Limits { bytes: full / 2, ..d });
        assert!(plan.fallback_trees() > 0 && plan.fallback_trees() < with_splits);
        assert!(plan.memory_bytes() <= full / 2);
    }

    /// The most distinct inputs on one path of the subtree of `node`.
    fn widest_path(tree: &Tree, node: i32, path: &mut Vec<usize>) -> usize {
        if node < 0 || tree.splits.is_empty() {
            let mut distinct = path.clone();
            distinct.sort_unstable();
            distinct.dedup();
            return distinct.len();
        }
        let split = &tree.splits[node as usize];
        path.push(split.feature);
        let widest = widest_path(tree, split.left, path).max(widest_path(tree, split.right, path));
        path.pop();
        widest
    }
}
