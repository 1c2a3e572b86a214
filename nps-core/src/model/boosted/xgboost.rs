//! XGBoost's JSON model (`Booster.save_raw("json")`, `save_model("m.json")`) read into an
//! [`ImportedModel`] that scores every row as XGBoost's `predict(output_margin=True)` does.
//!
//! A tree is a set of per-node arrays over node ids `0..num_nodes` (root 0): a node whose
//! `left_children` is −1 is a leaf whose value is its `split_conditions` entry; a split goes
//! left when `(x as f32) < split_condition`, a missing value to the `default_left` side, and
//! XGBoost's predictor takes the right child to be `left + 1`. We renumber the nodes reached
//! from the root into our split and leaf arenas (pruned, unreachable nodes drop out).
//!
//! A categorical split (`split_type` 1) lists, through `categories_nodes`,
//! `categories_segments` and `categories_sizes`, the codes that go *right*; everything else
//! that is a code, and a value that is none (negative, 2²⁴ and up), goes left. Ours lists
//! the codes that go left, so such a node is stored with its children swapped (and the
//! default side flipped), which sends every value where XGBoost sends it.
//!
//! `base_score` is the intercept as the user sees it (a probability for `binary:logistic`,
//! a margin otherwise), a string: `"[5E-1]"` from 3.x, `"5E-1"` from older versions, and one
//! value per class for a 3.x multiclass model. The margin added to the trees is its logit
//! for `binary:logistic`, computed in single precision as XGBoost does, and the value itself
//! otherwise.
use serde_json::Value;

use super::imported::{code_labels, shorten};
use super::{Comparison, Ensemble, ImportedModel, Leaf, Missing, Objective, Split, Tree};
use crate::error::{NpsError, Result};

/// The prefix of every error this reader gives.
const WHAT: &str = "xgboost model";

/// More inputs than this is taken for a corrupted count (it would only allocate names).
const MAX_INPUTS: usize = 1 << 24;

/// XGBoost reads no category code from 2^24 up.
const MAX_CATEGORY: i64 = 1 << 24;

/// Reads XGBoost's JSON model (`gbtree` booster; objectives `binary:logistic`,
/// `binary:logitraw`, `multi:softprob`, `multi:softmax`). Refused, with an error saying so:
/// other objectives, the `dart` and `gblinear` boosters, multi-target models and
/// multi-output trees, and the binary UBJSON format.
///
/// Inputs are read as XGBoost reads them: NaN missing, categorical inputs as category codes
/// (pandas `cat.codes`, NaN for a missing category).
pub fn from_xgboost(text: &str) -> Result<ImportedModel> {
    let root: Value = serde_json::from_str(text)
        .map_err(|e| NpsError::invalid(WHAT, e, "a JSON document (Booster.save_raw(\"json\"))"))?;
    let learner = member(&root, "learner", "")?;
    let param = member(learner, "learner_model_param", "learner")?;
    let at = "learner.learner_model_param";
    let inputs = count(member(param, "num_feature", at)?, &format!("{at}.num_feature"))?;
    if inputs > MAX_INPUTS {
        return Err(invalid(&format!("{at}.num_feature"), inputs, &format!("at most {MAX_INPUTS}")));
    }
    let classes = count(member(param, "num_class", at)?, &format!("{at}.num_class"))?;
    if let Some(targets) = param.get("num_target") {
        let targets = count(targets, &format!("{at}.num_target"))?;
        if targets > 1 {
            return Err(invalid(&format!("{at}.num_target"), targets, "1 (multi-target models are not supported)"));
        }
    }
    let name = text_of(
        member(member(learner, "objective", "learner")?, "name", "learner.objective")?,
        "learner.objective.name",
    )?;
    let objective = match name {
        "binary:logistic" | "binary:logitraw" if classes <= 1 => Objective::Binary,
        "multi:softprob" | "multi:softmax" if classes >= 2 => Objective::Multiclass { classes },
        "binary:logistic" | "binary:logitraw" | "multi:softprob" | "multi:softmax" => {
            return Err(invalid(&format!("{at}.num_class"), classes, &format!("a class count that fits {name}")))
        }
        _ => {
            return Err(NpsError::unknown(
                &format!("{WHAT}, learner.objective.name"),
                name,
                &["binary:logistic", "binary:logitraw", "multi:softprob", "multi:softmax"],
            ))
        }
    };
    let outputs = objective.outputs();
    let base_score = base_score(member(param, "base_score", at)?, name == "binary:logistic", outputs)?;

    let booster = member(learner, "gradient_booster", "learner")?;
    let at = "learner.gradient_booster";
    let kind = text_of(member(booster, "name", at)?, &format!("{at}.name"))?;
    if kind != "gbtree" {
        return Err(invalid(&format!("{at}.name"), shorten(kind), "\"gbtree\" (dart and gblinear are not supported)"));
    }
    let model = member(booster, "model", at)?;
    let at = "learner.gradient_booster.model";
    let listed = array_of(member(model, "trees", at)?, &format!("{at}.trees"))?;
    let stated = count(
        member(member(model, "gbtree_model_param", at)?, "num_trees", &format!("{at}.gbtree_model_param"))?,
        &format!("{at}.gbtree_model_param.num_trees"),
    )?;
    if stated != listed.len() {
        return Err(invalid(
            &format!("{at}.gbtree_model_param.num_trees"),
            stated,
            &format!("the number of trees listed ({})", listed.len()),
        ));
    }
    let tree_info = integers(member(model, "tree_info", at)?, &format!("{at}.tree_info"))?;
    if tree_info.len() != listed.len() {
        return Err(invalid(
            &format!("{at}.tree_info"),
            format!("{} entries", tree_info.len()),
            &format!("one per tree ({})", listed.len()),
        ));
    }

    let feature_names = names(learner, inputs)?;
    let mut categorical: Vec<bool> = feature_types(learner, inputs)?;
    let mut max_code: Vec<Option<u32>> = vec![None; inputs];
    let mut by_class: Vec<Vec<Tree>> = vec![Vec::new(); outputs];
    for (t, (json, &class)) in listed.iter().zip(&tree_info).enumerate() {
        let at = format!("{at}.trees[{t}]");
        let tree = read_tree(json, &at)?;
        tree.validate(inputs, &format!("{WHAT}, {at}"))?;
        for split in &tree.splits {
            if let Some(set) = &split.categories {
                categorical[split.feature] = true;
                max_code[split.feature] = max_code[split.feature].max(set.last().copied());
            }
        }
        let class = usize::try_from(class)
            .ok()
            .filter(|&c| c < outputs)
            .ok_or_else(|| invalid(&format!("{at} tree_info"), class, &format!("a class below {outputs}")))?;
        by_class[class].push(tree);
    }
    let rounds = by_class[0].len();
    if let Some(k) = by_class.iter().position(|trees| trees.len() != rounds) {
        return Err(invalid(
            &format!("{at}.tree_info"),
            format!("{} trees of class {k}", by_class[k].len()),
            &format!("as many per class as class 0 has ({rounds})"),
        ));
    }
    // Ours adds tree i to output i % outputs: lay the classes' trees out round by round.
    let mut per_class: Vec<_> = by_class.into_iter().map(Vec::into_iter).collect();
    let mut trees = Vec::with_capacity(listed.len());
    for _ in 0..rounds {
        for class in per_class.iter_mut() {
            trees.extend(class.next());
        }
    }

    let mut labels = category_labels(model, inputs)?;
    let categorical = (0..inputs)
        .map(|f| {
            categorical[f]
                .then(|| labels[f].take().filter(|l| !l.is_empty()).unwrap_or_else(|| code_labels(max_code[f])))
        })
        .collect();
    let ensemble = Ensemble { inputs, outputs, base_score, trees };
    ensemble.validate()?;
    let source = match root.get("version").and_then(Value::as_array) {
        Some(v) => format!("xgboost {}", v.iter().map(Value::to_string).collect::<Vec<_>>().join(".")),
        None => "xgboost".to_string(),
    };
    Ok(ImportedModel { ensemble, feature_names, categorical, objective, source })
}

/// An error naming a place in the file.
fn invalid(path: &str, value: impl std::fmt::Display, expected: &str) -> NpsError {
    NpsError::invalid(&format!("{WHAT}, {path}"), value, expected)
}

/// What kind of JSON value this is, for messages.
fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// `v[key]`, `v` an object at `path`.
fn member<'a>(v: &'a Value, key: &str, path: &str) -> Result<&'a Value> {
    let at = if path.is_empty() { key.to_string() } else { format!("{path}.{key}") };
    match v {
        Value::Object(map) => map.get(key).ok_or_else(|| invalid(&at, "nothing", "present")),
        other => Err(invalid(if path.is_empty() { "document" } else { path }, kind(other), "an object")),
    }
}

/// A string.
fn text_of<'a>(v: &'a Value, path: &str) -> Result<&'a str> {
    v.as_str().ok_or_else(|| invalid(path, kind(v), "a string"))
}

/// An array.
fn array_of<'a>(v: &'a Value, path: &str) -> Result<&'a [Value]> {
    v.as_array().map(Vec::as_slice).ok_or_else(|| invalid(path, kind(v), "an array"))
}

/// A count, which XGBoost writes as a string (`"3"`) in its parameters.
fn count(v: &Value, path: &str) -> Result<usize> {
    let parsed = match v {
        Value::String(s) => s.trim().parse().ok(),
        Value::Number(n) => n.as_u64().and_then(|n| usize::try_from(n).ok()),
        _ => None,
    };
    parsed.ok_or_else(|| invalid(path, shorten(&v.to_string()), "a non-negative integer"))
}

/// An array of integers (node ids, indices, codes).
fn integers(v: &Value, path: &str) -> Result<Vec<i64>> {
    array_of(v, path)?
        .iter()
        .enumerate()
        .map(|(i, x)| x.as_i64().ok_or_else(|| invalid(&format!("{path}[{i}]"), shorten(&x.to_string()), "an integer")))
        .collect()
}

/// An array of numbers (thresholds, leaf values, gains, covers).
fn numbers(v: &Value, path: &str) -> Result<Vec<f64>> {
    array_of(v, path)?
        .iter()
        .enumerate()
        .map(|(i, x)| x.as_f64().ok_or_else(|| invalid(&format!("{path}[{i}]"), shorten(&x.to_string()), "a number")))
        .collect()
}

/// 0/1 flags (booleans in the oldest JSON models).
fn flags(v: &Value, path: &str) -> Result<Vec<bool>> {
    array_of(v, path)?
        .iter()
        .enumerate()
        .map(|(i, x)| match x {
            Value::Bool(b) => Ok(*b),
            Value::Number(n) if n.as_u64() == Some(0) => Ok(false),
            Value::Number(n) if n.as_u64() == Some(1) => Ok(true),
            other => Err(invalid(&format!("{path}[{i}]"), shorten(&other.to_string()), "0 or 1")),
        })
        .collect()
}

/// Checks a per-node array has one entry per node.
fn per_node<T>(values: Vec<T>, n: usize, path: &str) -> Result<Vec<T>> {
    if values.len() != n {
        return Err(invalid(path, format!("{} entries", values.len()), &format!("one per node ({n}, num_nodes)")));
    }
    Ok(values)
}

/// The base margin per output from `base_score` (see the module notes).
fn base_score(v: &Value, logistic: bool, outputs: usize) -> Result<Vec<f64>> {
    let path = "learner.learner_model_param.base_score";
    let bad = || invalid(path, shorten(&v.to_string()), "a number or a list of numbers (\"[5E-1]\")");
    let values: Vec<f32> = match v {
        Value::String(s) => {
            let s = s.trim();
            let inner = s.strip_prefix('[').and_then(|s| s.strip_suffix(']')).unwrap_or(s);
            inner.split(',').map(|x| x.trim().parse::<f32>()).collect::<Result<_, _>>().map_err(|_| bad())?
        }
        Value::Number(n) => vec![n.as_f64().ok_or_else(bad)? as f32],
        _ => return Err(bad()),
    };
    let values = match values.len() {
        1 => vec![values[0]; outputs],
        n if n == outputs => values,
        n => return Err(invalid(path, format!("{n} values"), &format!("1 or one per output ({outputs})"))),
    };
    values
        .into_iter()
        .map(|b| {
            if logistic {
                if !(0.0..=1.0).contains(&b) {
                    return Err(invalid(path, b, "a probability in [0, 1] (binary:logistic)"));
                }
                // XGBoost's ProbToMargin: clamp away from 0 and 1, then the logit, in f32.
                let p = b.clamp(1e-6, 1.0 - 1e-6);
                Ok(f64::from(-(1.0f32 / p - 1.0).ln()))
            } else if b.is_finite() {
                Ok(f64::from(b))
            } else {
                Err(invalid(path, b, "a finite number"))
            }
        })
        .collect()
}

/// Feature names, or `f0..f{n-1}` when the file has none.
fn names(learner: &Value, inputs: usize) -> Result<Vec<String>> {
    let listed = match learner.get("feature_names") {
        Some(v) => array_of(v, "learner.feature_names")?,
        None => &[],
    };
    if listed.is_empty() {
        return Ok((0..inputs).map(|i| format!("f{i}")).collect());
    }
    if listed.len() != inputs {
        return Err(invalid(
            "learner.feature_names",
            format!("{} names", listed.len()),
            &format!("one per input ({inputs}, num_feature)"),
        ));
    }
    listed
        .iter()
        .enumerate()
        .map(|(i, v)| text_of(v, &format!("learner.feature_names[{i}]")).map(str::to_string))
        .collect()
}

/// Which inputs `feature_types` calls categorical (`"c"`).
fn feature_types(learner: &Value, inputs: usize) -> Result<Vec<bool>> {
    let listed = match learner.get("feature_types") {
        Some(v) => array_of(v, "learner.feature_types")?,
        None => &[],
    };
    if listed.is_empty() {
        return Ok(vec![false; inputs]);
    }
    if listed.len() != inputs {
        return Err(invalid(
            "learner.feature_types",
            format!("{} types", listed.len()),
            &format!("one per input ({inputs}, num_feature)"),
        ));
    }
    listed.iter().enumerate().map(|(i, v)| Ok(text_of(v, &format!("learner.feature_types[{i}]"))? == "c")).collect()
}

/// The category labels XGBoost 3.1+ keeps for inputs trained from pandas categories
/// (`model.cats.enc`: per input, UTF-8 bytes with offsets, or numbers); `None` where absent.
fn category_labels(model: &Value, inputs: usize) -> Result<Vec<Option<Vec<String>>>> {
    let path = "learner.gradient_booster.model.cats.enc";
    let Some(enc) = model.get("cats").and_then(|c| c.get("enc")) else { return Ok(vec![None; inputs]) };
    let enc = array_of(enc, path)?;
    if enc.is_empty() {
        return Ok(vec![None; inputs]);
    }
    if enc.len() != inputs {
        return Err(invalid(path, format!("{} entries", enc.len()), &format!("one per input ({inputs})")));
    }
    enc.iter()
        .enumerate()
        .map(|(f, column)| {
            let at = format!("{path}[{f}]");
            let values = member(column, "values", &at)?;
            match column.get("offsets") {
                Some(offsets) => {
                    let offsets = integers(offsets, &format!("{at}.offsets"))?;
                    let bytes = integers(values, &format!("{at}.values"))?
                        .into_iter()
                        .map(|b| u8::try_from(b).or_else(|_| i8::try_from(b).map(|b| b as u8)))
                        .collect::<Result<Vec<u8>, _>>()
                        .map_err(|_| invalid(&format!("{at}.values"), "a value", "bytes"))?;
                    offsets
                        .windows(2)
                        .map(|w| match (usize::try_from(w[0]), usize::try_from(w[1])) {
                            (Ok(start), Ok(end)) if start <= end && end <= bytes.len() => {
                                Ok(String::from_utf8_lossy(&bytes[start..end]).into_owned())
                            }
                            _ => Err(invalid(
                                &format!("{at}.offsets"),
                                format!("{}..{}", w[0], w[1]),
                                &format!("offsets within the {} bytes", bytes.len()),
                            )),
                        })
                        .collect::<Result<Vec<_>>>()
                        .map(Some)
                }
                None => Ok(Some(array_of(values, &format!("{at}.values"))?.iter().map(Value::to_string).collect())),
            }
        })
        .collect()
}

/// One tree as ours (not yet validated), its nodes renumbered from the root.
fn read_tree(json: &Value, at: &str) -> Result<Tree> {
    let param = member(json, "tree_param", at)?;
    let n = count(member(param, "num_nodes", &format!("{at}.tree_param"))?, &format!("{at}.tree_param.num_nodes"))?;
    if n == 0 || n > i32::MAX as usize {
        return Err(invalid(&format!("{at}.tree_param.num_nodes"), n, "at least 1 (and below 2^31)"));
    }
    if let Some(size) = param.get("size_leaf_vector") {
        let size = count(size, &format!("{at}.tree_param.size_leaf_vector"))?;
        if size > 1 {
            return Err(invalid(
                &format!("{at}.tree_param.size_leaf_vector"),
                size,
                "0 or 1 (multi-output trees are not supported)",
            ));
        }
    }
    let field = |key: &str| member(json, key, at);
    let path = |key: &str| format!("{at}.{key}");
    let lefts = per_node(integers(field("left_children")?, &path("left_children"))?, n, &path("left_children"))?;
    let rights = per_node(integers(field("right_children")?, &path("right_children"))?, n, &path("right_children"))?;
    let features = per_node(integers(field("split_indices")?, &path("split_indices"))?, n, &path("split_indices"))?;
    let conditions =
        per_node(numbers(field("split_conditions")?, &path("split_conditions"))?, n, &path("split_conditions"))?;
    let defaults = per_node(flags(field("default_left")?, &path("default_left"))?, n, &path("default_left"))?;
    let gains = per_node(numbers(field("loss_changes")?, &path("loss_changes"))?, n, &path("loss_changes"))?;
    let covers = per_node(numbers(field("sum_hessian")?, &path("sum_hessian"))?, n, &path("sum_hessian"))?;
    let types = match json.get("split_type") {
        Some(v) => per_node(integers(v, &path("split_type"))?, n, &path("split_type"))?,
        None => vec![0; n],
    };
    let sets = if types.contains(&1) { category_sets(json, n, at)? } else { vec![None; n] };

    // Renumber breadth-first from the root: `ours[node]` is our child reference to it.
    let mut ours: Vec<Option<i32>> = vec![None; n];
    let (mut split_nodes, mut leaf_nodes) = (Vec::new(), Vec::new());
    let mut take = |node: usize, split_nodes: &mut Vec<usize>| -> i32 {
        if lefts[node] == -1 {
            leaf_nodes.push(node);
            !(leaf_nodes.len() as i32 - 1)
        } else {
            split_nodes.push(node);
            split_nodes.len() as i32 - 1
        }
    };
    ours[0] = Some(take(0, &mut split_nodes));
    let mut next = 0;
    while let Some(&node) = split_nodes.get(next) {
        next += 1;
        let (left, right) = (lefts[node], rights[node]);
        let child = |c: i64, side: &str| {
            usize::try_from(c).ok().filter(|&c| c > 0 && c < n).ok_or_else(|| {
                invalid(&format!("{at}.{side}_children[{node}]"), c, &format!("a node id in 1..{n} or -1 (a leaf)"))
            })
        };
        let (l, r) = (child(left, "left")?, child(right, "right")?);
        if r != l + 1 {
            return Err(invalid(
                &format!("{at}.right_children[{node}]"),
                right,
                &format!("left + 1 ({}), as XGBoost's predictor takes it", l + 1),
            ));
        }
        for c in [l, r] {
            if ours[c].is_some() {
                return Err(invalid(&format!("{at} node {c}"), "reached twice", "a tree (no cycle, no shared child)"));
            }
            ours[c] = Some(take(c, &mut split_nodes));
        }
    }
    let reference = |node: usize| ours[node].unwrap_or(0);

    let mut splits = Vec::with_capacity(split_nodes.len());
    for &node in &split_nodes {
        let (l, r) = (lefts[node] as usize, rights[node] as usize);
        let feature = usize::try_from(features[node])
            .map_err(|_| invalid(&format!("{at}.split_indices[{node}]"), features[node], "an input index"))?;
        let mut split = Split {
            feature,
            threshold: f64::from(conditions[node] as f32),
            categories: None,
            default_left: defaults[node],
            missing: Missing::Nan,
            comparison: Comparison::LessF32,
            left: reference(l),
            right: reference(r),
            gain: gains[node],
            cover: covers[node],
        };
        match types[node] {
            0 => {}
            1 => {
                let set = sets[node].clone().ok_or_else(|| {
                    invalid(
                        &format!("{at}.categories_nodes"),
                        format!("no entry for node {node}"),
                        "one per categorical split",
                    )
                })?;
                // XGBoost sends the listed codes right; ours lists the codes that go left.
                split.categories = Some(set);
                split.threshold = 0.0;
                split.default_left = !defaults[node];
                std::mem::swap(&mut split.left, &mut split.right);
            }
            other => return Err(invalid(&format!("{at}.split_type[{node}]"), other, "0 (numeric) or 1 (categorical)")),
        }
        splits.push(split);
    }
    let leaves = leaf_nodes
        .iter()
        .map(|&node| Leaf { value: f64::from(conditions[node] as f32), cover: covers[node] })
        .collect();
    Ok(Tree { splits, leaves })
}

/// Per node, the sorted category codes a categorical split sends right.
fn category_sets(json: &Value, n: usize, at: &str) -> Result<Vec<Option<Vec<u32>>>> {
    let path = |key: &str| format!("{at}.{key}");
    let nodes = integers(member(json, "categories_nodes", at)?, &path("categories_nodes"))?;
    let starts = integers(member(json, "categories_segments", at)?, &path("categories_segments"))?;
    let sizes = integers(member(json, "categories_sizes", at)?, &path("categories_sizes"))?;
    let codes = integers(member(json, "categories", at)?, &path("categories"))?;
    if starts.len() != nodes.len() || sizes.len() != nodes.len() {
        return Err(invalid(
            &path("categories_segments"),
            format!("{} segments and {} sizes", starts.len(), sizes.len()),
            &format!("one of each per categorical node ({})", nodes.len()),
        ));
    }
    let mut sets = vec![None; n];
    for (j, ((&node, &start), &size)) in nodes.iter().zip(&starts).zip(&sizes).enumerate() {
        let node = usize::try_from(node)
            .ok()
            .filter(|&v| v < n)
            .ok_or_else(|| invalid(&format!("{at}.categories_nodes[{j}]"), node, &format!("a node id below {n}")))?;
        let range = usize::try_from(start).ok().zip(usize::try_from(size).ok()).and_then(|(s, z)| {
            let end = s.checked_add(z)?;
            (end <= codes.len()).then_some(s..end)
        });
        let range = range.ok_or_else(|| {
            invalid(
                &format!("{at}.categories_segments[{j}]"),
                format!("{start} + {size}"),
                &format!("a range within the {} categories", codes.len()),
            )
        })?;
        let mut set = codes[range]
            .iter()
            .map(|&c| {
                u32::try_from(c)
                    .ok()
                    .filter(|_| c < MAX_CATEGORY)
                    .ok_or_else(|| invalid(&format!("{at}.categories (node {node})"), c, "a category code in 0..2^24"))
            })
            .collect::<Result<Vec<u32>>>()?;
        set.sort_unstable();
        set.dedup();
        sets[node] = Some(set);
    }
    Ok(sets)
}
