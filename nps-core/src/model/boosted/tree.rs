//! One decision tree of a boosted ensemble, as plain data: split nodes in an arena, leaves
//! apart, children addressed as LightGBM addresses them (`n ≥ 0` a split node, `!n` the
//! leaf `n`, so `-1` is leaf 0).
//!
//! The same structure holds trees trained here and trees read from LightGBM and XGBoost
//! files; the few ways those libraries route a value differ (`≤` against `<` in single
//! precision, zero as missing, NaN as zero) and are kept per node so that a loaded model
//! scores exactly as its trainer scores it.
use serde::{Deserialize, Serialize};

/// How a split node compares a value with its threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Comparison {
    /// Left when `x ≤ threshold` (ours and LightGBM's).
    #[default]
    LessOrEqual,
    /// Left when `(x as f32) < (threshold as f32)` (XGBoost, which stores single precision).
    LessF32,
}

/// Which values a numeric split treats as missing (sent to the default side).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Missing {
    /// NaN is missing (ours, XGBoost's, LightGBM's `missing_type=NaN`).
    #[default]
    Nan,
    /// NaN and zero are missing (LightGBM's `missing_type=Zero`).
    Zero,
    /// Nothing is missing: NaN is read as 0 and compared (LightGBM's `missing_type=None`).
    None,
}

/// A split node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Split {
    /// The input (column of the model's input row) it reads.
    pub feature: usize,
    /// Numeric split: the threshold. Ignored by a categorical split.
    #[serde(default)]
    pub threshold: f64,
    /// Categorical split: the category codes that go left (sorted); every other code, and
    /// a missing or negative value, goes right unless `default_left` says otherwise for a
    /// missing one. `None` for a numeric split.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub categories: Option<Vec<u32>>,
    /// The side a missing value goes to.
    pub default_left: bool,
    /// What counts as missing (numeric splits).
    #[serde(default, skip_serializing_if = "is_default")]
    pub missing: Missing,
    /// How the value is compared (numeric splits).
    #[serde(default, skip_serializing_if = "is_default")]
    pub comparison: Comparison,
    /// Left child: `n ≥ 0` the split node `n`, negative `!leaf` a leaf.
    pub left: i32,
    /// Right child, as `left`.
    pub right: i32,
    /// The loss reduction of the split (for gain importance).
    #[serde(default)]
    pub gain: f64,
    /// Training weight that reached the node (row count, or sum of hessians for XGBoost):
    /// the weights path-dependent TreeSHAP averages with.
    pub cover: f64,
}

fn is_default<T: Default + PartialEq>(t: &T) -> bool {
    *t == T::default()
}

/// A leaf.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Leaf {
    /// Added to the raw score of a row that reaches it.
    pub value: f64,
    /// Training weight that reached it (see [`Split::cover`]).
    pub cover: f64,
}

/// A decision tree. A tree of one leaf has no splits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tree {
    /// Split nodes; the root is `splits[0]` when there is one.
    pub splits: Vec<Split>,
    /// Leaves.
    pub leaves: Vec<Leaf>,
}

/// A child reference: a split node or a leaf.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Node {
    /// `splits[n]`.
    Split(usize),
    /// `leaves[n]`.
    Leaf(usize),
}

impl Node {
    /// Decodes a child reference (see [`Split::left`]).
    pub fn from_child(child: i32) -> Node {
        if child >= 0 {
            Node::Split(child as usize)
        } else {
            Node::Leaf(!child as usize)
        }
    }
}

impl Split {
    /// Whether `x` goes left.
    #[inline]
    pub fn goes_left(&self, x: f64) -> bool {
        if let Some(categories) = &self.categories {
            if x.is_nan() {
                return self.default_left;
            }
            if x < 0.0 || x >= u32::MAX as f64 {
                return false;
            }
            return categories.binary_search(&(x as u32)).is_ok();
        }
        let x = match self.missing {
            Missing::Nan if x.is_nan() => return self.default_left,
            Missing::Zero if x.is_nan() || is_zero(x) => return self.default_left,
            Missing::None if x.is_nan() => 0.0,
            _ => x,
        };
        match self.comparison {
            Comparison::LessOrEqual => x <= self.threshold,
            Comparison::LessF32 => (x as f32) < (self.threshold as f32),
        }
    }

    /// The child `x` goes to.
    #[inline]
    pub fn child(&self, x: f64) -> i32 {
        if self.goes_left(x) {
            self.left
        } else {
            self.right
        }
    }
}

/// LightGBM's zero test (`kZeroThreshold`).
#[inline]
fn is_zero(x: f64) -> bool {
    x.abs() <= 1e-35
}

impl Tree {
    /// A tree of one leaf.
    pub fn leaf(value: f64, cover: f64) -> Tree {
        Tree { splits: Vec::new(), leaves: vec![Leaf { value, cover }] }
    }

    /// The root node.
    pub fn root(&self) -> Node {
        if self.splits.is_empty() {
            Node::Leaf(0)
        } else {
            Node::Split(0)
        }
    }

    /// The leaf a row (one value per input) reaches.
    #[inline]
    pub fn leaf_index(&self, row: &[f64]) -> usize {
        if self.splits.is_empty() {
            return 0;
        }
        let mut n = 0i32;
        loop {
            let s = &self.splits[n as usize];
            n = s.child(row[s.feature]);
            if n < 0 {
                return !n as usize;
            }
        }
    }

    /// The tree's output for a row.
    #[inline]
    pub fn predict(&self, row: &[f64]) -> f64 {
        self.leaves[self.leaf_index(row)].value
    }

    /// The deepest path's number of splits.
    pub fn depth(&self) -> usize {
        fn go(t: &Tree, n: Node) -> usize {
            match n {
                Node::Leaf(_) => 0,
                Node::Split(s) => {
                    1 + go(t, Node::from_child(t.splits[s].left)).max(go(t, Node::from_child(t.splits[s].right)))
                }
            }
        }
        go(self, self.root())
    }

    /// Checks the structure: every child in range, every node reached exactly once from the
    /// root (no cycle, no orphan), features below `inputs`, finite values and covers.
    /// Errors name the tree (`what`) and node.
    pub fn validate(&self, inputs: usize, what: &str) -> crate::Result<()> {
        use crate::error::NpsError;
        if self.leaves.is_empty() {
            return Err(NpsError::Empty { field: format!("{what}.leaves") });
        }
        if self.splits.len() + 1 != self.leaves.len() {
            return Err(NpsError::invalid(
                &format!("{what}.leaves"),
                self.leaves.len(),
                &format!("one more than its {} splits", self.splits.len()),
            ));
        }
        let mut seen_split = vec![false; self.splits.len()];
        let mut seen_leaf = vec![false; self.leaves.len()];
        let mut stack = vec![self.root()];
        while let Some(node) = stack.pop() {
            match node {
                Node::Leaf(l) => {
                    let leaf = self
                        .leaves
                        .get(l)
                        .ok_or_else(|| NpsError::invalid(&format!("{what} leaf reference"), l, "an existing leaf"))?;
                    if std::mem::replace(&mut seen_leaf[l], true) {
                        return Err(NpsError::invalid(&format!("{what}.leaves[{l}]"), "reached twice", "a tree"));
                    }
                    if !leaf.value.is_finite() || leaf.cover.is_nan() || leaf.cover < 0.0 {
                        return Err(NpsError::invalid(
                            &format!("{what}.leaves[{l}]"),
                            format!("value {} cover {}", leaf.value, leaf.cover),
                            "a finite value and a non-negative cover",
                        ));
                    }
                }
                Node::Split(s) => {
                    let split = self
                        .splits
                        .get(s)
                        .ok_or_else(|| NpsError::invalid(&format!("{what} split reference"), s, "an existing split"))?;
                    if std::mem::replace(&mut seen_split[s], true) {
                        return Err(NpsError::invalid(&format!("{what}.splits[{s}]"), "reached twice", "a tree"));
                    }
                    let at = format!("{what}.splits[{s}]");
                    if split.feature >= inputs {
                        return Err(NpsError::invalid(
                            &format!("{at}.feature"),
                            split.feature,
                            &format!("below the model's {inputs} inputs"),
                        ));
                    }
                    if split.categories.is_none() && split.threshold.is_nan() {
                        return Err(NpsError::invalid(&format!("{at}.threshold"), "NaN", "a number"));
                    }
                    if let Some(c) = &split.categories {
                        if c.windows(2).any(|w| w[0] >= w[1]) {
                            return Err(NpsError::invalid(&format!("{at}.categories"), "unsorted", "sorted codes"));
                        }
                    }
                    if !split.cover.is_finite() || split.cover < 0.0 || !split.gain.is_finite() {
                        return Err(NpsError::invalid(
                            &at,
                            format!("cover {} gain {}", split.cover, split.gain),
                            "a finite gain and a non-negative cover",
                        ));
                    }
                    for child in [split.left, split.right] {
                        let node = Node::from_child(child);
                        match node {
                            Node::Split(c) if c >= self.splits.len() => {
                                return Err(NpsError::invalid(&format!("{at} child"), child, "an existing split"))
                            }
                            Node::Leaf(c) if c >= self.leaves.len() => {
                                return Err(NpsError::invalid(&format!("{at} child"), child, "an existing leaf"))
                            }
                            _ => stack.push(node),
                        }
                    }
                }
            }
        }
        if let Some(s) = seen_split.iter().position(|s| !s) {
            return Err(NpsError::invalid(&format!("{what}.splits[{s}]"), "unreachable", "a node under the root"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stump(comparison: Comparison, missing: Missing) -> Tree {
        Tree {
            splits: vec![Split {
                feature: 0,
                threshold: 0.3,
                categories: None,
                default_left: true,
                missing,
                comparison,
                left: -1,
                right: -2,
                gain: 1.0,
                cover: 2.0,
            }],
            leaves: vec![Leaf { value: -1.0, cover: 1.0 }, Leaf { value: 1.0, cover: 1.0 }],
        }
    }

    #[test]
    fn routes_as_each_trainer_does() {
        let t = stump(Comparison::LessOrEqual, Missing::Nan);
        assert_eq!(t.predict(&[0.3]), -1.0);
        assert_eq!(t.predict(&[0.30000001]), 1.0);
        assert_eq!(t.predict(&[f64::NAN]), -1.0);
        // XGBoost: 0.30000001 rounds to 0.3f32, which is not below 0.3f32.
        let t = stump(Comparison::LessF32, Missing::Nan);
        assert_eq!(t.predict(&[0.30000001]), 1.0);
        assert_eq!(t.predict(&[0.29]), -1.0);
        // LightGBM missing_type None: NaN is 0, which is ≤ 0.3 whatever the default side.
        let mut t = stump(Comparison::LessOrEqual, Missing::None);
        t.splits[0].default_left = false;
        assert_eq!(t.predict(&[f64::NAN]), -1.0);
        let mut t = stump(Comparison::LessOrEqual, Missing::Zero);
        t.splits[0].default_left = false;
        assert_eq!(t.predict(&[0.0]), 1.0);
        assert_eq!(t.predict(&[0.1]), -1.0);
    }

    #[test]
    fn categorical_sets_and_bad_structures() {
        let mut t = stump(Comparison::LessOrEqual, Missing::Nan);
        t.splits[0].categories = Some(vec![1, 4]);
        t.splits[0].default_left = false;
        assert_eq!(t.predict(&[4.0]), -1.0);
        assert_eq!(t.predict(&[2.0]), 1.0);
        assert_eq!(t.predict(&[-1.0]), 1.0);
        assert_eq!(t.predict(&[f64::NAN]), 1.0);
        assert!(t.validate(1, "trees[0]").is_ok());
        let e = t.validate(0, "trees[0]").unwrap_err().to_string();
        assert!(e.contains("trees[0].splits[0].feature"), "{e}");
        t.splits[0].right = 0;
        assert!(t.validate(1, "trees[0]").is_err());
    }
}
