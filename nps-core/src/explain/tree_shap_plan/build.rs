//! Building a [`TreeShapPlan`]: each tree cut into blocks (subtrees small enough to tabulate
//! whole) and leaves (deeper ones, tabulated alone), or left to Algorithm 2 when a path has
//! too many distinct inputs or the tables would not fit in the memory cap.
use std::mem::{size_of, take};

use super::layout::{Check, Kind, Limits, Planned, Slot, TreePlan, TreeShapPlan, Unit};
use super::{leaf_table, linear};
use crate::explain::tree_shap::{fractions, root, tree_expected_value};
use crate::model::boosted::{Ensemble, Split, Tree};

/// Quadrature points kept for 1 to this many points (paths of up to 64 distinct inputs).
const MAX_POINTS: usize = 32;

/// The plan of `ensemble` under `limits` (see [`TreeShapPlan::with_limits`]).
pub(super) fn plan(ensemble: &Ensemble, limits: Limits) -> TreeShapPlan {
    let mut plan = TreeShapPlan {
        inputs: ensemble.inputs,
        outputs: ensemble.outputs,
        trees: Vec::with_capacity(ensemble.trees.len()),
        splits: Vec::new(),
        units: Vec::new(),
        checks: Vec::new(),
        features: Vec::new(),
        slots: Vec::new(),
        table: Vec::new(),
        nodes: Vec::new(),
        coefficients: Vec::new(),
        points: (1..=MAX_POINTS).flat_map(linear::points).collect(),
        words: 0,
        linear_values: 0,
        linear_nodes: 0,
    };
    let mut builder = Builder {
        max_path_inputs: limits.table_path_inputs.min(limits.path_inputs),
        block_bits: limits.block_bits,
        ..Default::default()
    };
    let mut used = plan.memory_bytes() + ensemble.trees.len() * size_of::<TreePlan>();
    for tree in &ensemble.trees {
        // A tree that is not valid (which a validated ensemble never has) could loop or
        // read out of range: Algorithm 2 keeps it, as it always did.
        let room = limits.bytes.saturating_sub(used);
        let (kind, bytes) = if tree.validate(ensemble.inputs, "tree").is_err() {
            (Kind::Algorithm2, 0)
        } else if let Some((planned, bytes)) = builder.tree(&mut plan, tree, room.min(limits.tree_table_bytes)) {
            (Kind::Tables(planned), bytes)
        } else if let Some(planned) = linear_tree(&mut plan, tree, limits.path_inputs, room) {
            planned
        } else {
            (Kind::Algorithm2, 0)
        };
        used += bytes;
        plan.trees.push(TreePlan { expected: tree_expected_value(tree), splits: tree.splits.len(), kind });
    }
    plan.splits.shrink_to_fit();
    plan.units.shrink_to_fit();
    plan.checks.shrink_to_fit();
    plan.features.shrink_to_fit();
    plan.slots.shrink_to_fit();
    plan.table.shrink_to_fit();
    plan.nodes.shrink_to_fit();
    plan.coefficients.shrink_to_fit();
    plan
}

/// Plans `tree` (it has splits) without tables, if its paths have at most `path_inputs`
/// distinct inputs and it takes at most `room` bytes: its kind and bytes.
fn linear_tree(plan: &mut TreeShapPlan, tree: &Tree, path_inputs: usize, room: usize) -> Option<(Kind, usize)> {
    let start = plan.nodes.len();
    let widest = linear::build(tree, &mut plan.nodes);
    let len = plan.nodes.len() - start;
    let bytes = size_of::<Split>() * tree.splits.len()
        + tree.splits.iter().map(split_heap_bytes).sum::<usize>()
        + size_of::<linear::Node>() * len;
    let q = widest.div_ceil(2).max(1);
    if widest > path_inputs || q > MAX_POINTS || bytes + 24 * len * q > room || u32::try_from(len).is_err() {
        plan.nodes.truncate(start);
        return None;
    }
    let points = q * (q - 1) / 2;
    let coefs = plan.coefficients.len();
    let count = linear::coefficients(&mut plan.nodes[start..], &plan.points[points..][..q], &mut plan.coefficients);
    let bytes = bytes + size_of::<f64>() * count;
    let splits = plan.splits.len();
    plan.splits.extend_from_slice(&tree.splits);
    plan.words = plan.words.max(tree.splits.len().div_ceil(64));
    plan.linear_values = plan.linear_values.max(3 * len * q);
    plan.linear_nodes = plan.linear_nodes.max(len);
    Some((Kind::Linear { splits, nodes: start, len, points, q, coefs, coef_len: count }, bytes))
}

/// Heap bytes a split holds (its categories).
pub(super) fn split_heap_bytes(split: &Split) -> usize {
    split.categories.as_ref().map_or(0, |c| c.capacity() * size_of::<u32>())
}

/// One step of a path: the split and whether it goes left.
type Step = (usize, bool);

/// Buffers reused from tree to tree while planning; one tree's units, checks, inputs, slots
/// and tables are gathered here (with ranges from the tree's start) until they are known to
/// fit.
#[derive(Debug, Default)]
struct Builder {
    max_path_inputs: usize,
    block_bits: usize,
    /// Numbers the tree's tables may take (what is left of the budget).
    table_room: usize,
    /// The path from the root to the node being planned.
    path: Vec<Step>,
    /// The number of splits in the subtree of each split (itself included).
    size: Vec<usize>,
    blocks: Vec<Unit>,
    leaves: Vec<Unit>,
    checks: Vec<Check>,
    features: Vec<u32>,
    slots: Vec<Slot>,
    table: Vec<f64>,
    /// A block's distinct ancestor inputs, the splits under its root (preorder) and the
    /// index bit of each of those (by split).
    ancestors: Vec<usize>,
    inner: Vec<usize>,
    bit_of: Vec<usize>,
    /// A leaf of a block: its path below the block's root, slots, table, and for each slot
    /// the index bits that must read (mask, want) for the row to agree, and its column in the
    /// block's rows.
    below: Vec<Step>,
    leaf_slots: Vec<Slot>,
    leaf_table: Vec<f64>,
    poly: Vec<f64>,
    need: Vec<(u32, u32)>,
    column: Vec<usize>,
}

impl Builder {
    /// Appends `tree`'s tables to `plan` and returns its ranges and bytes, or returns `None`
    /// (leaving `plan` as it was) when a path has too many distinct inputs or the tree takes
    /// more than `budget` bytes.
    fn tree(&mut self, plan: &mut TreeShapPlan, tree: &Tree, budget: usize) -> Option<(Planned, usize)> {
        self.blocks.clear();
        self.leaves.clear();
        self.checks.clear();
        self.features.clear();
        self.slots.clear();
        self.table.clear();
        self.path.clear();
        self.table_room = budget / size_of::<f64>();
        if !tree.splits.is_empty() {
            self.size.clear();
            self.size.resize(tree.splits.len(), 0);
            self.bit_of.clear();
            self.bit_of.resize(tree.splits.len(), 0);
            subtree_sizes(tree, root(tree), &mut self.size);
            self.unit(tree, root(tree))?;
        }
        let bytes = size_of::<Split>() * tree.splits.len()
            + tree.splits.iter().map(split_heap_bytes).sum::<usize>()
            + size_of::<Unit>() * (self.blocks.len() + self.leaves.len())
            + size_of::<Check>() * self.checks.len()
            + size_of::<u32>() * self.features.len()
            + size_of::<Slot>() * self.slots.len()
            + size_of::<f64>() * self.table.len();
        let offset = |base: usize, len: usize| u32::try_from(base + len).ok().map(|_| base as u32);
        let (checks, features, slots, table) = (
            offset(plan.checks.len(), self.checks.len())?,
            offset(plan.features.len(), self.features.len())?,
            offset(plan.slots.len(), self.slots.len())?,
            offset(plan.table.len(), self.table.len())?,
        );
        if bytes > budget {
            return None;
        }
        let units = plan.units.len();
        let planned = Planned {
            splits: plan.splits.len(),
            units,
            leaves: units + self.blocks.len(),
            end: units + self.blocks.len() + self.leaves.len(),
        };
        let moved = |u: &Unit, inputs: u32| Unit {
            checks: u.checks + checks,
            inputs: u.inputs + inputs,
            table: u.table + table,
            ..*u
        };
        plan.units.extend(self.blocks.iter().map(|u| moved(u, features)));
        plan.units.extend(self.leaves.iter().map(|u| moved(u, slots)));
        plan.splits.extend_from_slice(&tree.splits);
        plan.checks.extend_from_slice(&self.checks);
        plan.features.extend_from_slice(&self.features);
        plan.slots.extend_from_slice(&self.slots);
        plan.table.extend_from_slice(&self.table);
        plan.words = plan.words.max(tree.splits.len().div_ceil(64));
        Some((planned, bytes))
    }

    /// Plans the subtree of `node` (below `self.path`): one block if its index fits in
    /// `block_bits`, else each child's subtree, a leaf alone at the bottom.
    fn unit(&mut self, tree: &Tree, node: i32) -> Option<()> {
        let ancestors = distinct_features(tree, &self.path);
        let inner = if node >= 0 { self.size[node as usize] } else { 0 };
        if ancestors + inner <= self.block_bits {
            return self.block(tree, node);
        }
        if node < 0 {
            return self.leaf(tree, node);
        }
        let split = &tree.splits[node as usize];
        for (child, left) in [(split.left, true), (split.right, false)] {
            self.path.push((node as usize, left));
            self.unit(tree, child)?;
            self.path.pop();
        }
        Some(())
    }

    /// A leaf planned alone: its slots, the checks that tell which of them the row agrees
    /// with, and its table.
    fn leaf(&mut self, tree: &Tree, node: i32) -> Option<()> {
        let mut slots = take(&mut self.leaf_slots);
        path_slots(tree, &self.path, self.max_path_inputs, &mut slots)?;
        let d = slots.len();
        let at = self.table.len();
        if at + (1 << d) > self.table_room {
            return None;
        }
        let checks = self.checks.len();
        for &(s, left) in &self.path {
            let k = slots.iter().position(|slot| slot.feature == tree.splits[s].feature).unwrap_or(0);
            add_check(&mut self.checks, checks, k, s, left);
        }
        self.leaves.push(Unit {
            checks: u32::try_from(checks).ok()?,
            inputs: u32::try_from(self.slots.len()).ok()?,
            table: u32::try_from(at).ok()?,
            check_count: u16::try_from(self.checks.len() - checks).ok()?,
            bits: d as u8,
            width: d as u8,
        });
        self.table.resize(at + (1 << d), 0.0);
        leaf_table::fill(&mut self.table[at..], &slots, tree.leaves[!node as usize].value, &mut self.poly);
        self.slots.extend_from_slice(&slots);
        self.leaf_slots = slots;
        Some(())
    }

    /// A block: the subtree of `node`, its index the row's agreement with each distinct
    /// ancestor input then its side at each split of the subtree, its rows the summed
    /// contributions of the subtree's leaves to the ancestors' and the subtree's inputs.
    fn block(&mut self, tree: &Tree, node: i32) -> Option<()> {
        // The index bits: first the ancestors' inputs, then the splits below (preorder).
        self.ancestors.clear();
        for &(s, _) in &self.path {
            let f = tree.splits[s].feature;
            if !self.ancestors.contains(&f) {
                self.ancestors.push(f);
            }
        }
        self.inner.clear();
        preorder(tree, node, &mut self.inner);
        let a = self.ancestors.len();
        let bits = a + self.inner.len();
        let checks = self.checks.len();
        for &(s, left) in &self.path {
            let k = self.ancestors.iter().position(|&f| f == tree.splits[s].feature).unwrap_or(0);
            add_check(&mut self.checks, checks, k, s, left);
        }
        for (i, &s) in self.inner.iter().enumerate() {
            self.bit_of[s] = a + i;
            add_check(&mut self.checks, checks, a + i, s, true);
        }
        // The inputs of a row: the ancestors', then the new ones below.
        let features = self.features.len();
        for f in self.ancestors.iter().copied().chain(self.inner.iter().map(|&s| tree.splits[s].feature)) {
            let f = u32::try_from(f).ok()?;
            if !self.features[features..].contains(&f) {
                self.features.push(f);
            }
        }
        let width = self.features.len() - features;
        let at = self.table.len();
        if at + (width << bits) > self.table_room {
            return None;
        }
        self.blocks.push(Unit {
            checks: u32::try_from(checks).ok()?,
            inputs: u32::try_from(features).ok()?,
            table: u32::try_from(at).ok()?,
            check_count: u16::try_from(self.checks.len() - checks).ok()?,
            bits: bits as u8,
            width: width as u8,
        });
        self.table.resize(at + (width << bits), 0.0);
        // Every leaf below, in the order Algorithm 2 meets them (left first).
        let mut below = take(&mut self.below);
        below.clear();
        let mut stack = vec![(node, 0, None)];
        while let Some((n, depth, step)) = stack.pop() {
            below.truncate(depth);
            below.extend(step);
            if n >= 0 {
                let split = &tree.splits[n as usize];
                stack.push((split.right, below.len(), Some((n as usize, false))));
                stack.push((split.left, below.len(), Some((n as usize, true))));
                continue;
            }
            self.block_leaf(tree, n, &below, at, width, bits, features)?;
        }
        self.below = below;
        Some(())
    }

    /// Adds the contributions of the leaf `node` (reached by `below` from the block's root)
    /// to every row of the block whose table starts at `at`.
    #[allow(clippy::too_many_arguments)]
    fn block_leaf(
        &mut self,
        tree: &Tree,
        node: i32,
        below: &[Step],
        at: usize,
        width: usize,
        bits: usize,
        features: usize,
    ) -> Option<()> {
        let mut slots = take(&mut self.leaf_slots);
        let mut path = take(&mut self.path);
        let depth = path.len();
        path.extend_from_slice(below);
        let found = path_slots(tree, &path, self.max_path_inputs, &mut slots);
        path.truncate(depth);
        self.path = path;
        found?;
        let d = slots.len();
        // When the row agrees with slot k: the index bits of its ancestor input and of its
        // steps below read as the path goes.
        self.need.clear();
        self.column.clear();
        for slot in &slots {
            let (mut mask, mut want) = (0u32, 0u32);
            if let Some(k) = self.ancestors.iter().position(|&f| f == slot.feature) {
                mask |= 1 << k;
                want |= 1 << k;
            }
            for &(s, left) in below.iter().filter(|&&(s, _)| tree.splits[s].feature == slot.feature) {
                mask |= 1 << self.bit_of[s];
                want |= u32::from(left) << self.bit_of[s];
            }
            self.need.push((mask, want));
            let column = self.features[features..].iter().position(|&f| f as usize == slot.feature).unwrap_or(0);
            self.column.push(column);
        }
        self.leaf_table.clear();
        self.leaf_table.resize(1 << d, 0.0);
        leaf_table::fill(&mut self.leaf_table, &slots, tree.leaves[!node as usize].value, &mut self.poly);
        for index in 0..1usize << bits {
            let index = index as u32;
            let agree =
                self.need.iter().enumerate().fold(0, |a, (k, &(mask, want))| a | u32::from(index & mask == want) << k);
            let row = &mut self.table[at + index as usize * width..][..width];
            leaf_table::credit(&self.leaf_table, &slots, agree, |k, v| row[self.column[k]] += v);
        }
        self.leaf_slots = slots;
        Some(())
    }
}

/// The splits of the subtree of `node`, in preorder, into `out`.
fn preorder(tree: &Tree, node: i32, out: &mut Vec<usize>) {
    if node >= 0 {
        let split = &tree.splits[node as usize];
        out.push(node as usize);
        preorder(tree, split.left, out);
        preorder(tree, split.right, out);
    }
}

/// Fills `size` with the number of splits under each split (itself included) of the
/// subtree of `node`, and returns that number for `node`.
fn subtree_sizes(tree: &Tree, node: i32, size: &mut [usize]) -> usize {
    if node < 0 {
        return 0;
    }
    let split = &tree.splits[node as usize];
    let n = 1 + subtree_sizes(tree, split.left, size) + subtree_sizes(tree, split.right, size);
    size[node as usize] = n;
    n
}

/// The number of distinct inputs split on along `path`.
fn distinct_features(tree: &Tree, path: &[Step]) -> usize {
    (0..path.len())
        .filter(|&i| path[..i].iter().all(|&(s, _)| tree.splits[s].feature != tree.splits[path[i].0].feature))
        .count()
}

/// The distinct inputs of `path` in order of first appearance, each with the product of
/// the cover fractions of its steps (`z`) and `1 − z`, into `slots`; `None` past `max`.
fn path_slots(tree: &Tree, path: &[Step], max: usize, slots: &mut Vec<Slot>) -> Option<()> {
    slots.clear();
    for &(s, left) in path {
        let split = &tree.splits[s];
        let (l, r) = fractions(tree, split);
        let fraction = if left { l } else { r };
        // An input met again: its steps multiply (one player whose `z` is their product).
        match slots.iter().position(|slot| slot.feature == split.feature) {
            Some(k) => slots[k].zero *= fraction,
            None if slots.len() == max => return None,
            None => slots.push(Slot { feature: split.feature, zero: fraction, hot: 0.0 }),
        }
    }
    for slot in slots.iter_mut() {
        slot.hot = 1.0 - slot.zero;
    }
    Some(())
}

/// Adds the test "the row goes `left` at split `s`" to bit `bit`'s checks in `checks`.
fn add_check(checks: &mut Vec<Check>, from: usize, bit: usize, s: usize, left: bool) {
    let word = (s / 64) as u32;
    let at = match checks[from..].iter().position(|c| c.bit == bit as u32 && c.word == word) {
        Some(k) => from + k,
        None => {
            checks.push(Check { word, bit: bit as u32, mask: 0, want: 0 });
            checks.len() - 1
        }
    };
    checks[at].mask |= 1 << (s % 64);
    checks[at].want |= u64::from(left) << (s % 64);
}
