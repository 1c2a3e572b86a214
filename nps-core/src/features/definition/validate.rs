//! The checks of a feature set beyond its JSON structure: names, kinds, fields that fit their
//! aggregations, windows and parameters in range, composites without unknown names or cycles.
use std::collections::HashMap;

use super::types::{Aggregation, FeatureDefinition, FeatureRule, FeatureSet, Field, FieldUse, Filter};
use crate::error::{NpsError, Result};
use crate::json_path::missing;

impl FeatureSet {
    /// Checks what [`FeatureSet::from_json`] checks beyond the JSON structure, for sets built
    /// in code: names non-empty and unique, kinds given, fields fitting their aggregations,
    /// windows and parameters in range, composites referring to existing features without cycles.
    pub fn validate(&self) -> Result<()> {
        self.composite_order().map(|_| ())
    }

    /// Validates the set and returns the indices of its composite features in an order where
    /// each comes after the composites it refers to.
    pub(crate) fn composite_order(&self) -> Result<Vec<usize>> {
        let mut index: HashMap<&str, usize> = HashMap::with_capacity(self.features.len());
        for (i, f) in self.features.iter().enumerate() {
            let path = format!("features[{i}]");
            f.validate(&path)?;
            if let Some(first) = index.insert(f.name.as_str(), i) {
                let expected = format!("unique (features[{first}] has the same name)");
                return Err(NpsError::invalid(&format!("{path}.name"), format!("{:?}", f.name), &expected));
            }
        }
        // Resolve references.
        let mut refs: Vec<Option<[usize; 2]>> = Vec::with_capacity(self.features.len());
        for (i, f) in self.features.iter().enumerate() {
            refs.push(match f.operands() {
                None => None,
                Some((key, operands)) => {
                    let mut pair = [0; 2];
                    for (k, name) in operands.iter().enumerate() {
                        pair[k] = *index.get(name.as_str()).ok_or_else(|| NpsError::Unknown {
                            field: format!("feature in features[{i}].{key}[{k}]"),
                            value: name.to_string(),
                            expected: self.features.iter().map(|f| f.name.as_str()).collect::<Vec<_>>().join(", "),
                        })?;
                    }
                    Some(pair)
                }
            });
        }
        // Depth-first post-order over composites; 0 unvisited, 1 on the stack, 2 done.
        let mut state = vec![0u8; self.features.len()];
        let mut order = Vec::new();
        for start in 0..self.features.len() {
            if refs[start].is_none() || state[start] == 2 {
                continue;
            }
            // Explicit stack of (feature, next operand to visit).
            let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
            state[start] = 1;
            while let Some(&mut (node, ref mut next)) = stack.last_mut() {
                let pair = refs[node].expect("only composites are pushed");
                if *next == 2 {
                    state[node] = 2;
                    order.push(node);
                    stack.pop();
                    continue;
                }
                let child = pair[*next];
                *next += 1;
                if refs[child].is_none() || state[child] == 2 {
                    continue;
                }
                if state[child] == 1 {
                    let at = stack.iter().position(|&(n, _)| n == child).expect("on the stack");
                    let mut cycle: Vec<&str> =
                        stack[at..].iter().map(|&(n, _)| self.features[n].name.as_str()).collect();
                    cycle.push(&self.features[child].name);
                    let (key, _) = self.features[node].operands().expect("composite");
                    return Err(NpsError::invalid(
                        &format!("features[{node}].{key}"),
                        format!("the cycle {}", cycle.join(" → ")),
                        "a pair of features that do not depend on this one",
                    ));
                }
                state[child] = 1;
                stack.push((child, 0));
            }
        }
        Ok(order)
    }
}

impl FeatureDefinition {
    /// Semantic checks of one definition; `path` is its JSON path.
    pub(super) fn validate(&self, path: &str) -> Result<()> {
        if self.name.is_empty() {
            return Err(NpsError::invalid(&format!("{path}.name"), "\"\"", "a non-empty string"));
        }
        if let Some(d) = self.default {
            if !d.is_finite() {
                return Err(NpsError::invalid(&format!("{path}.default"), d, "a finite number"));
            }
        }
        let FeatureRule::Aggregate(a) = &self.rule else { return Ok(()) };
        if a.kinds.is_empty() {
            return Err(NpsError::invalid(&format!("{path}.kinds"), "[]", "a non-empty array of event kinds"));
        }
        if let Some(k) = a.kinds.iter().position(|k| k.is_empty()) {
            return Err(NpsError::invalid(&format!("{path}.kinds[{k}]"), "\"\"", "a non-empty event kind"));
        }
        let agg = a.aggregation.name();
        let field_path = format!("{path}.field");
        match (a.aggregation.field_use(), a.field) {
            (FieldUse::None, Some(f)) => {
                return Err(NpsError::invalid(
                    &field_path,
                    format!("{:?}", f.name()),
                    &format!("absent ({agg} reads no field)"),
                ))
            }
            (FieldUse::Numeric, None) => {
                return Err(missing(&field_path, &format!("\"value\" or \"duration\" ({agg} reads a numeric field)")))
            }
            (FieldUse::Numeric, Some(f @ (Field::Case | Field::Department))) => {
                return Err(NpsError::invalid(
                    &field_path,
                    format!("{:?}", f.name()),
                    &format!("\"value\" or \"duration\" for {agg}"),
                ))
            }
            (FieldUse::Code, None) => {
                return Err(missing(&field_path, "\"case\" or \"department\" (distinct_count counts codes)"))
            }
            (FieldUse::Code, Some(f @ (Field::Value | Field::Duration))) => {
                return Err(NpsError::invalid(
                    &field_path,
                    format!("{:?}", f.name()),
                    "\"case\" or \"department\" for distinct_count",
                ))
            }
            _ => {}
        }
        match a.aggregation {
            Aggregation::RepeatCount { within_days } if !(within_days.is_finite() && within_days >= 0.0) => {
                return Err(NpsError::invalid(
                    &format!("{path}.aggregation.repeat_count.within_days"),
                    within_days,
                    "a non-negative number of days",
                ));
            }
            Aggregation::LastOverMeanPrevious { previous: 0 } => {
                return Err(NpsError::invalid(
                    &format!("{path}.aggregation.last_over_mean_previous.previous"),
                    0,
                    "a whole number of at least 1",
                ));
            }
            _ => {}
        }
        if let Some(w) = a.window {
            if !(w.days.is_finite() && w.days > 0.0) {
                return Err(NpsError::invalid(&format!("{path}.window.days"), w.days, "a positive number of days"));
            }
            if !(w.offset_days.is_finite() && w.offset_days >= 0.0) {
                return Err(NpsError::invalid(
                    &format!("{path}.window.offset_days"),
                    w.offset_days,
                    "a non-negative number of days",
                ));
            }
        }
        if let Some(f) = &a.filter {
            f.validate(&format!("{path}.filter"))?;
        }
        Ok(())
    }
}

impl Filter {
    fn validate(&self, path: &str) -> Result<()> {
        match self {
            Filter::Department(_) | Filter::Flag(_) => Ok(()),
            Filter::Range { field, min, max } => {
                if !matches!(field, Field::Value | Field::Duration) {
                    let value = format!("{:?}", field.name());
                    return Err(NpsError::invalid(
                        &format!("{path}.field"),
                        value,
                        "\"value\" or \"duration\" for a range",
                    ));
                }
                for (key, bound) in [("min", min), ("max", max)] {
                    if let Some(b) = bound {
                        if !b.is_finite() {
                            return Err(NpsError::invalid(&format!("{path}.{key}"), b, "a finite number"));
                        }
                    }
                }
                if let (Some(lo), Some(hi)) = (min, max) {
                    if lo > hi {
                        return Err(NpsError::invalid(&format!("{path}.max"), hi, &format!("at least min ({lo})")));
                    }
                }
                Ok(())
            }
            Filter::All(list) => list.iter().enumerate().try_for_each(|(i, f)| f.validate(&format!("{path}.all[{i}]"))),
            Filter::Any(list) => list.iter().enumerate().try_for_each(|(i, f)| f.validate(&format!("{path}.any[{i}]"))),
            Filter::Not(f) => f.validate(&format!("{path}.not")),
        }
    }
}
