//! LightGBM's model text (`Booster.model_to_string()`, `save_model`) read into an
//! [`ImportedModel`] that scores every row as LightGBM's `predict(raw_score=True)` does.
//!
//! The text is a header of `key=value` lines; one block of per-node arrays per tree (`Tree=i`
//! up to a blank line); `end of trees`; then feature importances, the training parameters
//! and, from the Python package, `pandas_categorical:` with the category lists of the pandas
//! category columns. A tree's arrays are already laid out as ours (split nodes
//! `0..num_leaves-1`, children `n ≥ 0` a split and `!leaf` a leaf), so reading one is mostly
//! checking it. Each node's `decision_type` packs three things: bit 0 categorical, bit 1
//! default left, bits 2–3 the missing type (0 none, 1 zero, 2 NaN). A categorical node's
//! threshold indexes its category set, a bitset slice `cat_threshold[cat_boundaries[i] ..
//! cat_boundaries[i + 1]]` of the codes that go left; NaN always goes right there.
//!
//! Everything up to `end of trees` is checked strictly (a truncated or edited text is an
//! error naming the tree and field); what follows only labels the inputs: a `parameters:`
//! section must be closed and a `pandas_categorical` line must be JSON.
use std::collections::HashMap;
use std::str::FromStr;

use super::imported::{code_labels, shorten};
use super::{Comparison, Ensemble, ImportedModel, Leaf, Missing, Objective, Split, Tree};
use crate::error::{NpsError, Result};

/// The prefix of every error this reader gives.
const WHAT: &str = "lightgbm model";

/// Reads LightGBM's model text (binary or multiclass softmax; random-forest averaging
/// folded into the leaves). Refused, with an error saying so: other objectives (regression,
/// ranking, one-vs-all, cross-entropy), a binary `sigmoid` other than 1, and linear trees.
///
/// Inputs are read as LightGBM reads them: NaN missing, categorical inputs as category
/// codes (pandas `cat.codes`, NaN for a missing category).
pub fn from_lightgbm(text: &str) -> Result<ImportedModel> {
    let mut lines = text.lines().peekable();
    let first = lines.find(|l| !l.trim().is_empty()).unwrap_or("");
    if first.trim() != "tree" {
        return Err(NpsError::invalid(
            &format!("{WHAT}, first line"),
            shorten(first),
            "\"tree\" (a LightGBM model text)",
        ));
    }
    let mut header = HashMap::new();
    while let Some(line) = lines.next_if(|l| !l.starts_with("Tree=") && l.trim_end() != "end of trees") {
        let line = line.trim_end();
        if !line.is_empty() {
            let (key, value) = line.split_once('=').unwrap_or((line, ""));
            header.insert(key, value);
        }
    }
    let blocks = tree_blocks(&mut lines)?;
    let tail = Tail::read(lines)?;

    let get = |key: &str| {
        header.get(key).copied().ok_or_else(|| NpsError::invalid(&format!("{WHAT}, {key}"), "nothing", "present"))
    };
    let classes: usize = scalar(get("num_class")?, &format!("{WHAT}, num_class"), "a positive integer")?;
    let per_round: usize = match header.get("num_tree_per_iteration") {
        Some(v) => scalar(v, &format!("{WHAT}, num_tree_per_iteration"), "a positive integer")?,
        None => classes,
    };
    let objective = objective(get("objective")?, classes)?;
    if per_round != objective.outputs() {
        return Err(NpsError::invalid(
            &format!("{WHAT}, num_tree_per_iteration"),
            per_round,
            &format!("{} (one tree per class per round)", objective.outputs()),
        ));
    }
    let max_feature: usize =
        scalar(get("max_feature_idx")?, &format!("{WHAT}, max_feature_idx"), "a non-negative integer")?;
    let inputs = max_feature.saturating_add(1);
    let feature_names: Vec<String> = get("feature_names")?.split_whitespace().map(str::to_string).collect();
    if feature_names.len() != inputs {
        return Err(NpsError::invalid(
            &format!("{WHAT}, feature_names"),
            format!("{} names", feature_names.len()),
            &format!("one name per input ({inputs}, max_feature_idx + 1)"),
        ));
    }
    let infos: Vec<&str> = get("feature_infos")?.split_whitespace().collect();
    if infos.len() != inputs {
        return Err(NpsError::invalid(
            &format!("{WHAT}, feature_infos"),
            format!("{} entries", infos.len()),
            &format!("one entry per input ({inputs})"),
        ));
    }
    // Per input: `None` numeric, `Some(largest code seen)` categorical.
    let mut codes: Vec<Option<Option<u32>>> =
        infos.iter().enumerate().map(|(f, info)| info_codes(info, f)).collect::<Result<_>>()?;
    for f in tail.categorical_feature.iter().copied().filter(|&f| f < inputs) {
        codes[f] = Some(codes[f].flatten());
    }

    if let Some(sizes) = header.get("tree_sizes") {
        let sizes = sizes.split_whitespace().count();
        if sizes != blocks.len() {
            return Err(NpsError::invalid(
                &format!("{WHAT}, tree_sizes"),
                format!("{sizes} sizes"),
                &format!("one size per tree ({} trees follow)", blocks.len()),
            ));
        }
    }
    if !blocks.len().is_multiple_of(per_round) {
        return Err(NpsError::invalid(
            &format!("{WHAT}, trees"),
            blocks.len(),
            &format!("a multiple of num_tree_per_iteration ({per_round})"),
        ));
    }
    let mut trees = Vec::with_capacity(blocks.len());
    for (t, block) in blocks.iter().enumerate() {
        let tree = read_tree(block, &format!("{WHAT}, trees[{t}]"))?;
        tree.validate(inputs, &format!("{WHAT}, trees[{t}]"))?;
        for split in &tree.splits {
            if let Some(set) = &split.categories {
                let seen = codes[split.feature].flatten();
                codes[split.feature] = Some(seen.max(set.last().copied()));
            }
        }
        trees.push(tree);
    }
    if header.contains_key("average_output") {
        // Random forest: LightGBM divides the summed trees by the rounds; dividing each leaf
        // gives the same scores (and contributions) to rounding.
        let rounds = (trees.len() / per_round).max(1) as f64;
        for leaf in trees.iter_mut().flat_map(|t| t.leaves.iter_mut()) {
            leaf.value /= rounds;
        }
    }

    let categorical = labels(codes, tail.pandas_categorical);
    let outputs = objective.outputs();
    let ensemble = Ensemble { inputs, outputs, base_score: vec![0.0; outputs], trees };
    ensemble.validate()?;
    let source = header.get("version").map_or_else(|| "lightgbm".to_string(), |v| format!("lightgbm {}", v.trim()));
    Ok(ImportedModel { ensemble, feature_names, categorical, objective, source })
}

/// One tree's `key=value` lines.
type Block<'a> = HashMap<&'a str, &'a str>;

/// The `Tree=i` blocks up to `end of trees`, in order.
fn tree_blocks<'a>(lines: &mut std::iter::Peekable<std::str::Lines<'a>>) -> Result<Vec<Block<'a>>> {
    let mut blocks = Vec::new();
    loop {
        let Some(line) = lines.next() else {
            return Err(NpsError::invalid(
                &format!("{WHAT} text"),
                format!("its end after {} trees", blocks.len()),
                "an \"end of trees\" line after the last tree (is the text cut short?)",
            ));
        };
        let line = line.trim_end();
        if line.is_empty() {
            continue;
        }
        if line == "end of trees" {
            return Ok(blocks);
        }
        let at = format!("{WHAT}, line before trees[{}]", blocks.len());
        let index = line
            .strip_prefix("Tree=")
            .ok_or_else(|| NpsError::invalid(&at, shorten(line), "\"Tree=<index>\" or \"end of trees\""))?;
        if index.parse::<usize>().ok() != Some(blocks.len()) {
            return Err(NpsError::invalid(&at, shorten(line), &format!("\"Tree={}\" (trees in order)", blocks.len())));
        }
        let mut block = Block::new();
        while let Some(line) =
            lines.next_if(|l| !l.trim().is_empty() && !l.starts_with("Tree=") && l.trim_end() != "end of trees")
        {
            let (key, value) = line.trim_end().split_once('=').ok_or_else(|| {
                NpsError::invalid(&format!("{WHAT}, trees[{}] line", blocks.len()), shorten(line), "\"key=values\"")
            })?;
            block.insert(key, value);
        }
        blocks.push(block);
    }
}

/// What follows the trees that matters here.
struct Tail {
    /// The Python package's category lists, one per pandas category column.
    pandas_categorical: Option<Vec<Vec<String>>>,
    /// The `categorical_feature` training parameter, when it lists input indices.
    categorical_feature: Vec<usize>,
}

impl Tail {
    fn read<'a>(lines: impl Iterator<Item = &'a str>) -> Result<Tail> {
        let mut tail = Tail { pandas_categorical: None, categorical_feature: Vec::new() };
        let mut in_parameters = false;
        for line in lines.map(str::trim_end) {
            if line == "parameters:" {
                in_parameters = true;
            } else if line == "end of parameters" {
                in_parameters = false;
            } else if let Some(list) = line.strip_prefix("[categorical_feature: ").and_then(|l| l.strip_suffix(']')) {
                tail.categorical_feature =
                    list.split(',').map(|f| f.trim().parse()).collect::<Result<_, _>>().unwrap_or_default();
            } else if let Some(json) = line.strip_prefix("pandas_categorical:") {
                tail.pandas_categorical = pandas_categorical(json)?;
            }
        }
        if in_parameters {
            return Err(NpsError::invalid(
                &format!("{WHAT}, parameters"),
                "no \"end of parameters\" line",
                "closed (is the text cut short?)",
            ));
        }
        Ok(tail)
    }
}

/// The `pandas_categorical:` JSON: `null`, or one list of labels per pandas category column.
fn pandas_categorical(json: &str) -> Result<Option<Vec<Vec<String>>>> {
    let bad = |got: String| {
        NpsError::invalid(&format!("{WHAT}, pandas_categorical"), got, "JSON: null or a list of category lists")
    };
    let value: serde_json::Value = serde_json::from_str(json).map_err(|e| bad(e.to_string()))?;
    let lists = match value {
        serde_json::Value::Null => return Ok(None),
        serde_json::Value::Array(lists) => lists,
        other => return Err(bad(shorten(&other.to_string()))),
    };
    lists
        .into_iter()
        .map(|list| match list {
            serde_json::Value::Array(labels) => Ok(labels
                .into_iter()
                .map(|l| match l {
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                })
                .collect()),
            other => Err(bad(shorten(&other.to_string()))),
        })
        .collect::<Result<_>>()
        .map(Some)
}

/// An input's `feature_infos` entry: `[min:max]` numeric, `none` unused, else the category
/// codes seen in training joined by `:` (categorical; `-1` stands for none of them).
fn info_codes(info: &str, f: usize) -> Result<Option<Option<u32>>> {
    if info == "none" || info.starts_with('[') {
        return Ok(None);
    }
    let mut max = None;
    for code in info.split(':') {
        let code: i64 = code.parse().map_err(|_| {
            NpsError::invalid(&format!("{WHAT}, feature_infos[{f}]"), shorten(info), "\"[min:max]\", \"none\" or codes")
        })?;
        if let Ok(code) = u32::try_from(code) {
            max = max.max(Some(code));
        }
    }
    Ok(Some(max))
}

/// Labels per input: the pandas lists in order of the categorical inputs when there is one
/// per categorical input (the usual case: every pandas category column became one), else
/// the codes as text.
fn labels(codes: Vec<Option<Option<u32>>>, pandas: Option<Vec<Vec<String>>>) -> Vec<Option<Vec<String>>> {
    let categorical = codes.iter().filter(|c| c.is_some()).count();
    let mut pandas = pandas.filter(|p| p.len() == categorical).map(Vec::into_iter);
    codes
        .into_iter()
        .map(|c| c.map(|max| pandas.as_mut().and_then(Iterator::next).unwrap_or_else(|| code_labels(max))))
        .collect()
}

/// The `objective=` line: `binary sigmoid:1` or `multiclass num_class:K`.
fn objective(line: &str, classes: usize) -> Result<Objective> {
    let name = line.split_whitespace().next().unwrap_or("");
    let param = |key: &str| line.split_whitespace().find_map(|w| w.strip_prefix(key)?.strip_prefix(':'));
    match name {
        "binary" => {
            if let Some(s) = param("sigmoid") {
                if s.parse::<f64>().ok() != Some(1.0) {
                    return Err(NpsError::invalid(
                        &format!("{WHAT}, objective sigmoid"),
                        shorten(s),
                        "1 (a scaled sigmoid is not supported)",
                    ));
                }
            }
            if classes != 1 {
                return Err(NpsError::invalid(&format!("{WHAT}, num_class"), classes, "1 for a binary objective"));
            }
            Ok(Objective::Binary)
        }
        "multiclass" => {
            let stated = param("num_class").and_then(|k| k.parse::<usize>().ok());
            if classes < 2 || stated != Some(classes) {
                return Err(NpsError::invalid(
                    &format!("{WHAT}, num_class"),
                    classes,
                    "at least 2, and the objective's num_class",
                ));
            }
            Ok(Objective::Multiclass { classes })
        }
        _ => Err(NpsError::unknown(&format!("{WHAT}, objective"), &shorten(name), &["binary", "multiclass"])),
    }
}

/// Parses one value.
fn scalar<T: FromStr>(value: &str, name: &str, expected: &str) -> Result<T> {
    value.trim().parse().map_err(|_| NpsError::invalid(name, shorten(value), expected))
}

/// A tree's field, present.
fn field<'a>(block: &Block<'a>, at: &str, key: &str) -> Result<&'a str> {
    block.get(key).copied().ok_or_else(|| NpsError::invalid(&format!("{at}.{key}"), "nothing", "present"))
}

/// A tree's array of exactly `n` values (`count` says what `n` is, for the message).
fn array<T: FromStr>(block: &Block, at: &str, key: &str, n: usize, count: &str, kind: &str) -> Result<Vec<T>> {
    let values = field(block, at, key)?
        .split_whitespace()
        .enumerate()
        .map(|(i, v)| v.parse().map_err(|_| NpsError::invalid(&format!("{at}.{key}[{i}]"), shorten(v), kind)))
        .collect::<Result<Vec<T>>>()?;
    if values.len() != n {
        return Err(NpsError::invalid(
            &format!("{at}.{key}"),
            format!("{} values", values.len()),
            &format!("{n} values ({count})"),
        ));
    }
    Ok(values)
}

/// One tree block as our tree (not yet validated).
fn read_tree(block: &Block, at: &str) -> Result<Tree> {
    if let Some(linear) = block.get("is_linear") {
        if linear.trim() != "0" {
            return Err(NpsError::invalid(
                &format!("{at}.is_linear"),
                shorten(linear),
                "0 (linear trees are not supported)",
            ));
        }
    }
    let n: usize = scalar(field(block, at, "num_leaves")?, &format!("{at}.num_leaves"), "a positive integer")?;
    if n == 0 {
        return Err(NpsError::invalid(&format!("{at}.num_leaves"), 0, "a positive integer"));
    }
    let values: Vec<f64> = array(block, at, "leaf_value", n, "num_leaves", "a number")?;
    if n == 1 {
        let cover = match block.get("leaf_count") {
            Some(_) => array::<f64>(block, at, "leaf_count", 1, "num_leaves", "a count")?[0],
            None => 0.0,
        };
        return Ok(Tree::leaf(values[0], cover));
    }
    let m = n - 1;
    let nodes = "num_leaves - 1";
    let features: Vec<usize> = array(block, at, "split_feature", m, nodes, "an input index")?;
    let thresholds: Vec<f64> = array(block, at, "threshold", m, nodes, "a number")?;
    let decisions: Vec<i32> = match block.get("decision_type") {
        Some(_) => array(block, at, "decision_type", m, nodes, "a decision type")?,
        None => vec![0; m],
    };
    let lefts: Vec<i32> = array(block, at, "left_child", m, nodes, "a child index")?;
    let rights: Vec<i32> = array(block, at, "right_child", m, nodes, "a child index")?;
    let gains: Vec<f64> = match block.get("split_gain") {
        Some(_) => array(block, at, "split_gain", m, nodes, "a number")?,
        None => vec![0.0; m],
    };
    let internal_counts: Vec<f64> = array(block, at, "internal_count", m, nodes, "a count")?;
    let leaf_counts: Vec<f64> = array(block, at, "leaf_count", n, "num_leaves", "a count")?;
    let num_cat: usize = scalar(field(block, at, "num_cat")?, &format!("{at}.num_cat"), "a non-negative integer")?;
    let (bounds, words): (Vec<usize>, Vec<u32>) = if num_cat > 0 {
        let bounds: Vec<usize> =
            array(block, at, "cat_boundaries", num_cat.saturating_add(1), "num_cat + 1", "an offset")?;
        let total = bounds.last().copied().unwrap_or(0);
        let words = array(block, at, "cat_threshold", total, "the last cat_boundaries", "a 32-bit word")?;
        (bounds, words)
    } else {
        (Vec::new(), Vec::new())
    };

    let mut splits = Vec::with_capacity(m);
    for i in 0..m {
        let decision = decisions[i];
        if !(0..16).contains(&decision) {
            return Err(NpsError::invalid(&format!("{at}.decision_type[{i}]"), decision, "a decision type in 0..=15"));
        }
        let missing = match (decision >> 2) & 3 {
            0 => Missing::None,
            1 => Missing::Zero,
            2 => Missing::Nan,
            _ => {
                return Err(NpsError::invalid(
                    &format!("{at}.decision_type[{i}]"),
                    decision,
                    "a missing type (bits 2-3) of 0, 1 or 2",
                ))
            }
        };
        let mut split = Split {
            feature: features[i],
            threshold: thresholds[i],
            categories: None,
            default_left: decision & 2 != 0,
            missing,
            comparison: Comparison::LessOrEqual,
            left: lefts[i],
            right: rights[i],
            gain: gains[i],
            cover: internal_counts[i],
        };
        if decision & 1 != 0 {
            split.categories = Some(category_set(&bounds, &words, thresholds[i], &format!("{at}.threshold[{i}]"))?);
            // LightGBM sends NaN right at a categorical split, whatever the flag says.
            split.default_left = false;
            split.missing = Missing::Nan;
            split.threshold = 0.0;
        }
        splits.push(split);
    }
    let leaves = values.iter().zip(&leaf_counts).map(|(&value, &cover)| Leaf { value, cover }).collect();
    Ok(Tree { splits, leaves })
}

/// The sorted codes of category set `index` (a categorical node's threshold).
fn category_set(bounds: &[usize], words: &[u32], index: f64, at: &str) -> Result<Vec<u32>> {
    let sets = bounds.len().saturating_sub(1);
    if !(index >= 0.0 && index < sets as f64 && index.fract() == 0.0) {
        return Err(NpsError::invalid(at, index, &format!("a category set index below num_cat ({sets})")));
    }
    let i = index as usize;
    let (start, end) = (bounds[i], bounds[i + 1]);
    if start > end || end > words.len() {
        return Err(NpsError::invalid(
            &format!("{at} cat_boundaries[{i}..={}]", i + 1),
            format!("{start}..{end}"),
            &format!("a range within cat_threshold's {} words", words.len()),
        ));
    }
    let mut codes = Vec::new();
    for (w, &word) in words[start..end].iter().enumerate() {
        for bit in (0..32).filter(|b| word >> b & 1 == 1) {
            let code =
                u32::try_from(w * 32 + bit).map_err(|_| NpsError::invalid(at, "a category set", "codes below 2^32"))?;
            codes.push(code);
        }
    }
    Ok(codes)
}
