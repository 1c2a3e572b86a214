//! Which class is positive: labels as a caller holds them (0/1, booleans, "Yes"/"No",
//! "churned"/"stayed") turned into the 0/1 the metrics read, by one rule in every language.
use crate::encode::Cell;
use crate::error::{NpsError, Result};

/// A label as the message shows it: text quoted, numbers without a needless `.0`.
fn show(label: Cell<'_>) -> String {
    match label {
        Cell::Number(x) if x.fract() == 0.0 && x.abs() < 1e15 => format!("{}", x as i64),
        Cell::Number(x) => format!("{x}"),
        Cell::Text(s) => format!("{s:?}"),
        Cell::Bool(b) => b.to_string(),
        Cell::Missing => "missing".into(),
    }
}

/// Whether two labels are the same class: numbers by value, text exactly, and a boolean
/// equal to the number 1 (true) or 0 (false), as numpy compares them.
fn same(a: Cell<'_>, b: Cell<'_>) -> bool {
    match (a, b) {
        (Cell::Number(x), Cell::Number(y)) => x == y,
        (Cell::Text(x), Cell::Text(y)) => x == y,
        (Cell::Bool(x), Cell::Bool(y)) => x == y,
        (Cell::Bool(x), Cell::Number(y)) | (Cell::Number(y), Cell::Bool(x)) => (x as u8 as f64) == y,
        _ => false,
    }
}

/// Text that reads as a boolean: yes/no or true/false, any case.
fn text_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "yes" | "true" => Some(true),
        "no" | "false" => Some(false),
        _ => None,
    }
}

/// Whether the labels have a default positive class: numbers 0/1 (or -1/1), booleans, or
/// text that reads as yes/no or true/false.
fn has_default(labels: &[Cell<'_>]) -> bool {
    labels.iter().all(|l| match *l {
        Cell::Number(x) => x == 0.0 || x == 1.0 || x == -1.0,
        Cell::Bool(_) => true,
        Cell::Text(s) => text_bool(s).is_some(),
        Cell::Missing => false,
    })
}

/// Whether a label is the default positive class (see [`binarize_labels`]).
fn is_default_positive(label: Cell<'_>) -> bool {
    match label {
        Cell::Number(x) => x == 1.0,
        Cell::Bool(b) => b,
        Cell::Text(s) => text_bool(s) == Some(true),
        Cell::Missing => false,
    }
}

/// The 0/1 labels the metrics read (1 = the positive class), from labels of two classes at
/// most, as a caller holds them.
///
/// With `pos_label`, 1 where the label equals it (a boolean equals the number 1 or 0, as in
/// numpy), 0 for the other class. Without it, the positive class is the one `fit` makes
/// churn for such labels: 1 (of 0/1, or of -1/1), `true`, or the text that reads as yes or
/// true (`"Yes"`, `"TRUE"`; any case). Any other labels (`"churned"`/`"stayed"`, 1/2) must
/// name the positive class: guessing from the sort order would silently swap the classes
/// of some label pairs (scikit-learn refuses them too).
///
/// Errors, naming the index and the labels: a missing label, a third class, a `pos_label`
/// that is not a label of `y`, labels that need a `pos_label` without one.
///
/// ```
/// use nps_core::encode::Cell;
/// use nps_core::metrics::binarize_labels;
/// let y = [Cell::Text("No"), Cell::Text("Yes"), Cell::Text("Yes")];
/// assert_eq!(binarize_labels(&y, None).unwrap(), vec![0.0, 1.0, 1.0]);
/// assert_eq!(binarize_labels(&y, Some(Cell::Text("No"))).unwrap(), vec![1.0, 0.0, 0.0]);
/// let y = [Cell::Text("churned"), Cell::Text("stayed")];
/// assert!(binarize_labels(&y, None).unwrap_err().to_string().contains("unless pos_label names the positive class"));
/// ```
pub fn binarize_labels(y: &[Cell<'_>], pos_label: Option<Cell<'_>>) -> Result<Vec<f64>> {
    // The distinct classes, in order of appearance (two at most).
    let mut classes: Vec<Cell<'_>> = Vec::with_capacity(2);
    for (index, &label) in y.iter().enumerate() {
        if matches!(label, Cell::Missing) || matches!(label, Cell::Number(x) if x.is_nan()) {
            return Err(NpsError::Missing { field: "y".into(), index });
        }
        if !classes.iter().any(|&c| same(c, label)) {
            if classes.len() == 2 {
                return Err(NpsError::invalid(
                    &format!("y[{index}]"),
                    show(label),
                    &format!(
                        "one of two classes ({} and {}): the metrics are for binary labels",
                        show(classes[0]),
                        show(classes[1])
                    ),
                ));
            }
            classes.push(label);
        }
    }
    let labels = || {
        let mut shown: Vec<String> = classes.iter().map(|&c| show(c)).collect();
        shown.sort();
        shown.join(" and ")
    };
    match pos_label {
        Some(Cell::Missing) => Err(NpsError::invalid("pos_label", "missing", "one of y's labels")),
        Some(p) => {
            if !y.is_empty() && !classes.iter().any(|&c| same(c, p)) {
                return Err(NpsError::invalid("pos_label", show(p), &format!("one of y's labels ({})", labels())));
            }
            Ok(y.iter().map(|&l| same(l, p) as u8 as f64).collect())
        }
        None => {
            if !has_default(&classes) {
                let index = y.iter().position(|&l| !has_default(&[l])).expect("a label without a default");
                let unless = format!("unless pos_label names the positive class (y holds {})", labels());
                return Err(match y[index] {
                    Cell::Number(value) => {
                        NpsError::OutOfRange { field: "y".into(), index, value, range: format!("{{0, 1}} ({unless})") }
                    }
                    other => NpsError::invalid(
                        &format!("y[{index}]"),
                        show(other),
                        &format!("0 or 1, a boolean, or yes/no or true/false text, {unless}"),
                    ),
                });
            }
            Ok(y.iter().map(|&l| is_default_positive(l) as u8 as f64).collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_positive_class_is_the_one_fit_makes_churn() {
        let t = |s: &'static str| Cell::Text(s);
        assert_eq!(binarize_labels(&[t("No"), t("Yes")], None).unwrap(), vec![0.0, 1.0]);
        assert_eq!(binarize_labels(&[t("true"), t("FALSE")], None).unwrap(), vec![1.0, 0.0]);
        assert_eq!(binarize_labels(&[Cell::Bool(true), Cell::Bool(false)], None).unwrap(), vec![1.0, 0.0]);
        assert_eq!(binarize_labels(&[Cell::Number(-1.0), Cell::Number(1.0)], None).unwrap(), vec![0.0, 1.0]);
        // One class only is still labels (the metric says whether it is defined).
        assert_eq!(binarize_labels(&[t("No"), t("No")], None).unwrap(), vec![0.0, 0.0]);
    }

    #[test]
    fn a_named_positive_class_is_compared_as_numpy_compares() {
        let y = [Cell::Bool(true), Cell::Bool(false), Cell::Bool(true)];
        assert_eq!(binarize_labels(&y, Some(Cell::Number(0.0))).unwrap(), vec![0.0, 1.0, 0.0]);
        let y = [Cell::Number(1.0), Cell::Number(2.0)];
        assert_eq!(binarize_labels(&y, Some(Cell::Number(2.0))).unwrap(), vec![0.0, 1.0]);
    }

    #[test]
    fn errors_name_the_index_and_the_labels() {
        let t = |s: &'static str| Cell::Text(s);
        let e = binarize_labels(&[t("stayed"), t("churned")], None).unwrap_err().to_string();
        assert_eq!(
            e,
            "y[0] must be 0 or 1, a boolean, or yes/no or true/false text, unless pos_label names the positive \
             class (y holds \"churned\" and \"stayed\"), got \"stayed\""
        );
        let e = binarize_labels(&[t("Yes"), t("No")], Some(t("yes"))).unwrap_err().to_string();
        assert_eq!(e, "pos_label must be one of y's labels (\"No\" and \"Yes\"), got \"yes\"");
        let e = binarize_labels(&[t("a"), t("b"), t("c")], Some(t("a"))).unwrap_err().to_string();
        assert!(e.starts_with("y[2] must be one of two classes (\"a\" and \"b\")"), "{e}");
        let e = binarize_labels(&[t("No"), Cell::Missing], None).unwrap_err();
        assert_eq!(e, NpsError::Missing { field: "y".into(), index: 1 });
        let e = binarize_labels(&[Cell::Number(1.0), Cell::Number(2.0)], None).unwrap_err().to_string();
        assert_eq!(e, "y[1] = 2 is outside {0, 1} (unless pos_label names the positive class (y holds 1 and 2))");
    }
}
