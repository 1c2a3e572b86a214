//! TreeSHAP of a tree too large to tabulate, in one pass down and one pass up the tree with
//! no table (Linear TreeSHAP, Yu et al. 2022, here with Gauss–Legendre quadrature).
//!
//! Why: a leaf's Shapley value for input `i` is `v (o_i − z_i) ∫₀¹ Π_{j ≠ i} F_j(t) dt` with
//! `F_j(t) = z_j (1 − t) + o_j t` (the Shapley weights `k! (d − 1 − k)! / d!` are that Beta
//! integral). The integrand is a polynomial of degree below `d`, so `q = ⌈d / 2⌉`
//! Gauss–Legendre points give it exactly, with positive weights and positive factors (no
//! cancellation). At each point the products `P = Π_j F_j` are shared down the tree (a step
//! on an input already on the path replaces its factor), the leaves' `v P` are summed up the
//! tree (`S`), and a step on input `i` credits `i` with
//! `(o − z) / F × (S − the S of the next steps on i below it)`: the leaves whose last step
//! on `i` it is. A step whose `z` and `o` are both 0 weighs nothing below it (as Algorithm
//! 2 prunes it). A row costs O(nodes × q) per tree.
use crate::explain::tree_shap::fractions;
use crate::model::boosted::Tree;

/// "No earlier step on the same input".
const NONE: u32 = u32::MAX;

/// One node of a tree in preorder (the root first), with the step into it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Node {
    /// The split the step leaves (its decision bit), and the side it takes.
    split: u32,
    left: bool,
    /// A leaf (else a split, whose left child is the next node).
    leaf: bool,
    feature: u32,
    /// The nearest step above on the same input, the parent, and the node after the subtree.
    prev: u32,
    parent: u32,
    end: u32,
    /// `z` of the input over the path down to here (this step included).
    zero: f64,
    /// A leaf's value.
    value: f64,
    /// `z / z` of the step before on the input (the factor's ratio when the row takes
    /// neither), 0 when that `z` is 0.
    ratio: f64,
    /// Where its numbers start in the tree's coefficients ([`coefficients`]).
    coef: u32,
}

/// A quadrature point on [0, 1]: `t`, `1 − t`, the weight `α`, and `−α / (1 − t)` (what a
/// step the row does not take credits per unit of `S`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Point {
    t: f64,
    u: f64,
    alpha: f64,
    cold: f64,
}

/// The `q` Gauss–Legendre points and weights on [0, 1] (exact for polynomials of degree
/// below `2q`), by Newton's method on the Legendre polynomial.
pub(super) fn points(q: usize) -> Vec<Point> {
    (0..q)
        .map(|i| {
            let mut x = (std::f64::consts::PI * (i as f64 + 0.75) / (q as f64 + 0.5)).cos();
            let mut derivative = 1.0;
            for _ in 0..100 {
                let (mut p0, mut p1) = (1.0, x);
                for k in 2..=q {
                    let k = k as f64;
                    (p0, p1) = (p1, ((2.0 * k - 1.0) * x * p1 - (k - 1.0) * p0) / k);
                }
                let (p, previous) = if q == 1 { (x, 1.0) } else { (p1, p0) };
                derivative = q as f64 * (x * p - previous) / (x * x - 1.0);
                let dx = p / derivative;
                x -= dx;
                if dx.abs() < 1e-16 {
                    break;
                }
            }
            let weight = 2.0 / ((1.0 - x * x) * derivative * derivative);
            let t = 0.5 * (1.0 + x);
            let alpha = 0.5 * weight;
            Point { t, u: 1.0 - t, alpha, cold: -alpha / (1.0 - t) }
        })
        .collect()
}

/// A step on the walk's path: its input, `z` down to it, and its node.
struct Step {
    feature: usize,
    zero: f64,
    at: usize,
}

/// Appends `tree`'s nodes (it has splits) in preorder to `nodes` and returns the most
/// distinct inputs on a path.
pub(super) fn build(tree: &Tree, nodes: &mut Vec<Node>) -> usize {
    let start = nodes.len();
    let mut widest = 0;
    visit(tree, 0, None, NONE, start, nodes, &mut Vec::new(), &mut widest);
    widest
}

/// Appends the subtree of `node` (entered by `step` from the node at `parent`).
#[allow(clippy::too_many_arguments)]
fn visit(
    tree: &Tree,
    node: i32,
    step: Option<(usize, bool)>,
    parent: u32,
    start: usize,
    nodes: &mut Vec<Node>,
    path: &mut Vec<Step>,
    widest: &mut usize,
) {
    let at = nodes.len();
    let mut entry = Node {
        split: 0,
        left: false,
        leaf: node < 0,
        feature: 0,
        prev: NONE,
        parent,
        end: 0,
        zero: 1.0,
        value: 0.0,
        ratio: 0.0,
        coef: 0,
    };
    let pushed = if let Some((s, left)) = step {
        let split = &tree.splits[s];
        let (l, r) = fractions(tree, split);
        let fraction = if left { l } else { r };
        (entry.prev, entry.zero) = match path.iter().rev().find(|e| e.feature == split.feature) {
            Some(e) => ((e.at - start) as u32, e.zero * fraction),
            None => (NONE, fraction),
        };
        (entry.split, entry.left, entry.feature) = (s as u32, left, split.feature as u32);
        path.push(Step { feature: split.feature, zero: entry.zero, at });
        true
    } else {
        false
    };
    if node < 0 {
        entry.value = tree.leaves[!node as usize].value;
        let mut distinct: Vec<usize> = path.iter().map(|e| e.feature).collect();
        distinct.sort_unstable();
        distinct.dedup();
        *widest = (*widest).max(distinct.len());
    }
    nodes.push(entry);
    if node >= 0 {
        let split = &tree.splits[node as usize];
        let here = (at - start) as u32;
        visit(tree, split.left, Some((node as usize, true)), here, start, nodes, path, widest);
        visit(tree, split.right, Some((node as usize, false)), here, start, nodes, path, widest);
    }
    nodes[at].end = (nodes.len() - start) as u32;
    if pushed {
        path.pop();
    }
}

/// Appends to `coefficients` what the pass reads of a tree's `nodes` at the points
/// `points` (so that it divides nothing), and sets each node's offset: per node, `q`
/// numbers `α (1 − z) / F` (its credit per unit of `S` when the row takes its steps, `F`
/// then being `z (1 − t) + t`), and for a step after another on its input, `q` ratios
/// `F / F_before` with the row taking the step before but not this one, then `q` with the
/// row taking both.
pub(super) fn coefficients(nodes: &mut [Node], points: &[Point], coefficients: &mut Vec<f64>) -> usize {
    let start = coefficients.len();
    for i in 1..nodes.len() {
        let node = nodes[i];
        nodes[i].coef = (coefficients.len() - start) as u32;
        let hot = 1.0 - node.zero;
        coefficients.extend(points.iter().map(|p| p.alpha * hot / (node.zero * p.u + p.t)));
        if node.prev != NONE {
            let before = nodes[node.prev as usize].zero;
            nodes[i].ratio = if before > 0.0 { node.zero / before } else { 0.0 };
            let f_before = |p: &Point| before * p.u + p.t;
            coefficients.extend(points.iter().map(|p| node.zero * p.u / f_before(p)));
            coefficients.extend(points.iter().map(|p| (node.zero * p.u + p.t) / f_before(p)));
        }
    }
    coefficients.len() - start
}

/// Flags of a node during a row: the row takes every step on its input down to it, and the
/// node is reached with some weight.
const ONE: u8 = 1;
const LIVE: u8 = 2;

/// Adds one tree's contributions for the row whose split decisions are `words` into `phi`.
/// `coefs` are the tree's [`coefficients`]; `values` is room for `3 × nodes × q` numbers and
/// `flags` for `nodes`.
pub(super) fn add(
    nodes: &[Node],
    points: &[Point],
    coefs: &[f64],
    words: &[u64],
    phi: &mut [f64],
    values: &mut [f64],
    flags: &mut [u8],
) {
    let (n, q) = (nodes.len(), points.len());
    let (p, rest) = values[..3 * n * q].split_at_mut(n * q);
    let (s, sub) = rest.split_at_mut(n * q);
    p[..q].fill(1.0);
    flags[0] = LIVE | ONE;
    // Down: the product of the path's factors at each node.
    let mut i = 1;
    while i < n {
        let node = &nodes[i];
        let went = (words[node.split as usize / 64] >> (node.split % 64) & 1 != 0) == node.left;
        let one_before = node.prev == NONE || flags[node.prev as usize] & ONE != 0;
        let one = went && one_before;
        if !one && node.zero == 0.0 {
            // No weight below: nothing to credit in the subtree.
            flags[i..node.end as usize].fill(0);
            i = node.end as usize;
            continue;
        }
        flags[i] = LIVE | u8::from(one);
        let (done, here) = p.split_at_mut(i * q);
        let (parent, product) = (&done[node.parent as usize * q..][..q], &mut here[..q]);
        if node.prev == NONE {
            let t = if one { 1.0 } else { 0.0 };
            for ((x, &y), point) in product.iter_mut().zip(parent).zip(points) {
                *x = y * (node.zero * point.u + t * point.t);
            }
        } else if !one_before {
            for (x, &y) in product.iter_mut().zip(parent) {
                *x = y * node.ratio;
            }
        } else {
            let ratios = &coefs[node.coef as usize + q * (1 + usize::from(one))..][..q];
            for ((x, &y), &r) in product.iter_mut().zip(parent).zip(ratios) {
                *x = y * r;
            }
        }
        sub[i * q..][..q].fill(0.0);
        i += 1;
    }
    // Up: the sums of the leaves below, and each step's credit.
    for i in (1..n).rev() {
        if flags[i] & LIVE == 0 {
            continue;
        }
        let node = &nodes[i];
        if node.leaf {
            for m in 0..q {
                s[i * q + m] = node.value * p[i * q + m];
            }
        } else {
            let (left, right) = (i + 1, nodes[i + 1].end as usize);
            let (l, r) = (flags[left] & LIVE != 0, flags[right] & LIVE != 0);
            for m in 0..q {
                let a = if l { s[left * q + m] } else { 0.0 };
                let b = if r { s[right * q + m] } else { 0.0 };
                s[i * q + m] = a + b;
            }
        }
        let (sums, below) = (&s[i * q..][..q], &sub[i * q..][..q]);
        let mut credit = 0.0;
        if flags[i] & ONE != 0 {
            for ((&c, &x), &y) in coefs[node.coef as usize..][..q].iter().zip(sums).zip(below) {
                credit += c * (x - y);
            }
        } else {
            for ((point, &x), &y) in points.iter().zip(sums).zip(below) {
                credit += point.cold * (x - y);
            }
        }
        phi[node.feature as usize] += credit;
        if node.prev != NONE {
            let at = node.prev as usize * q;
            for m in 0..q {
                sub[at + m] += s[i * q + m];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `q` points integrate `t^k` exactly for `k < 2q`.
    #[test]
    fn quadrature_is_exact_to_degree_2q_minus_1() {
        for q in 1..=32 {
            let points = points(q);
            for k in 0..2 * q {
                let integral: f64 = points.iter().map(|p| p.alpha * p.t.powi(k as i32)).sum();
                let want = 1.0 / (k as f64 + 1.0);
                assert!((integral - want).abs() < 1e-14, "q {q} k {k}: {integral} against {want}");
            }
        }
    }
}
