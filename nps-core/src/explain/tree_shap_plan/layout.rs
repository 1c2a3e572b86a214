//! The layout of a [`TreeShapPlan`]: what is tabulated where, and what a plan may spend.
use super::linear;
use crate::model::boosted::Split;

/// Distinct inputs on a path, at most, for a planned tree; a tree with a longer path keeps
/// Algorithm 2.
pub const MAX_PATH_INPUTS: usize = 64;

/// The memory a plan may take, at most (64 MiB; 300 trees over 27 inputs take about 1 MiB
/// with 7 leaves, 7 MiB with 15 and 30 MiB with 31); the trees whose tables would go past it
/// are explained without tables, or by Algorithm 2.
pub const MAX_PLAN_BYTES: usize = 64 << 20;

/// What a plan may spend (see [`TreeShapPlan::with_limits`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Limits {
    /// Distinct inputs on a path, at most, for a planned tree (at most 64).
    pub path_inputs: usize,
    /// Distinct inputs on a path, at most, for a tree with tables (`2^12` numbers, 32 KiB,
    /// for a leaf alone; at most 24).
    pub table_path_inputs: usize,
    /// Index bits of a block, at most: `2^8` rows of at most 8 numbers, 16 KiB (at most 16;
    /// 0 tabulates every leaf alone).
    pub block_bits: usize,
    /// A tree's tables, at most: past it, the tree is explained without tables (no limit by
    /// default: on 300 trees of 31 leaves, tables are about 1.5 times as fast).
    pub tree_table_bytes: usize,
    /// The whole plan, at most.
    pub bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            path_inputs: MAX_PATH_INPUTS,
            table_path_inputs: 12,
            block_bits: 8,
            tree_table_bytes: usize::MAX,
            bytes: MAX_PLAN_BYTES,
        }
    }
}

/// An ensemble's TreeSHAP tables, built once; explaining a row then costs O(trees × leaves
/// × depth) at most instead of Algorithm 2's O(trees × leaves × depth²), with the same values
/// up to rounding (see the module documentation).
///
/// Built from a validated [`Ensemble`](crate::model::boosted::Ensemble) and used with that ensemble.
#[derive(Debug, Clone)]
pub struct TreeShapPlan {
    pub(super) inputs: usize,
    pub(super) outputs: usize,
    /// One per tree, in tree order.
    pub(super) trees: Vec<TreePlan>,
    /// The splits of the planned trees, tree after tree (each tree's in arena order).
    pub(super) splits: Vec<Split>,
    /// The blocks and leaves of the planned trees, tree after tree (blocks first).
    pub(super) units: Vec<Unit>,
    /// What each unit tests of the split decisions.
    pub(super) checks: Vec<Check>,
    /// The inputs of each block's table rows.
    pub(super) features: Vec<u32>,
    /// The distinct path inputs of each leaf.
    pub(super) slots: Vec<Slot>,
    /// Block rows and leaf tables.
    pub(super) table: Vec<f64>,
    /// The nodes of the trees without tables, and their coefficients, tree after tree.
    pub(super) nodes: Vec<linear::Node>,
    pub(super) coefficients: Vec<f64>,
    /// The quadrature points for 1 to 32 points, one set after another.
    pub(super) points: Vec<linear::Point>,
    /// Words of split decisions of the largest planned tree.
    pub(super) words: usize,
    /// The numbers and nodes of the largest tree without tables, as its pass needs them.
    pub(super) linear_values: usize,
    pub(super) linear_nodes: usize,
}

/// One tree of the plan.
#[derive(Debug, Clone, Copy)]
pub(super) struct TreePlan {
    /// [`tree_expected_value`](crate::explain::tree_expected_value), added to the bias in tree order.
    pub(super) expected: f64,
    /// The tree's split count, to tell a plan used with another ensemble.
    pub(super) splits: usize,
    /// How it is explained.
    pub(super) kind: Kind,
}

/// How a tree is explained.
#[derive(Debug, Clone, Copy)]
pub(super) enum Kind {
    /// By its tables.
    Tables(Planned),
    /// Without tables: its splits from `splits`, its nodes `nodes[nodes..][..len]`, its
    /// quadrature points `points[points..][..q]`, its coefficients
    /// `coefficients[coefs..][..coef_len]`.
    Linear { splits: usize, nodes: usize, len: usize, points: usize, q: usize, coefs: usize, coef_len: usize },
    /// By Algorithm 2.
    Algorithm2,
}

/// A tree with tables: its ranges in the plan.
#[derive(Debug, Clone, Copy)]
pub(super) struct Planned {
    pub(super) splits: usize,
    /// Its blocks are `units[units..leaves]`, its leaves `units[leaves..end]`.
    pub(super) units: usize,
    pub(super) leaves: usize,
    pub(super) end: usize,
}

/// A block or a leaf: ranges into the plan (32-bit, as the memory cap keeps them).
#[derive(Debug, Clone, Copy)]
pub(super) struct Unit {
    pub(super) checks: u32,
    /// A block's first input in `features`, a leaf's first slot in `slots`.
    pub(super) inputs: u32,
    pub(super) table: u32,
    pub(super) check_count: u16,
    /// A block's index bits (its table has `2^bits` rows), a leaf's slots.
    pub(super) bits: u8,
    /// A block's inputs (numbers in a table row), a leaf's slots.
    pub(super) width: u8,
}

/// Part of a unit's test of one index bit (block) or slot (leaf): the bit is 0 unless, in
/// word `word` of the split decisions (bit `n % 64` of word `n / 64` set when the row goes
/// left at split `n`), the bits of `mask` read `want`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Check {
    pub(super) word: u32,
    pub(super) bit: u32,
    pub(super) mask: u64,
    pub(super) want: u64,
}

/// A distinct input on a leaf's path.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Slot {
    pub(super) feature: usize,
    /// `z`: the product of the cover fractions of the path's steps on the input.
    pub(super) zero: f64,
    /// `1 − z`.
    pub(super) hot: f64,
}
