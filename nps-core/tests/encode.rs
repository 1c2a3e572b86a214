//! Tabular encoding: CSV reading, the encoder by hand, on the Telco file against pandas,
//! bad input, and invariants.
use ndarray::Array2;
use nps_core::encode::{
    binary_labels, fit_specs, infer_specs, read_csv, read_csv_path, Cell, Column, ColumnKind, ColumnSpec,
    EncoderOptions, RawTable, TableEncoder, UnseenPolicy,
};
use nps_core::NpsError;
use proptest::prelude::*;
use serde_json::Value;

#[test]
fn csv_quotes_crlf_blanks_and_types() {
    let t = read_csv(
        "id,name,amount,note\r\n1,\"Smith, J\",12.5,\"say \"\"hi\"\"\"\r\n2,Lee, ,\r\n3,\"multi\nline\",7,x\r\n",
    )
    .unwrap();
    assert_eq!(t.names, ["id", "name", "amount", "note"]);
    assert_eq!(t.len(), 3);
    assert_eq!(t.column("id").unwrap(), &Column::Numeric(vec![1.0, 2.0, 3.0]));
    let Column::Numeric(amount) = t.column("amount").unwrap() else { panic!("amount is numeric") };
    assert_eq!(amount[0], 12.5);
    assert!(amount[1].is_nan(), "a blank cell is missing, not zero");
    assert_eq!(
        t.column("name").unwrap(),
        &Column::Text(vec![Some("Smith, J".into()), Some("Lee".into()), Some("multi\nline".into())])
    );
    assert_eq!(t.column("note").unwrap(), &Column::Text(vec![Some("say \"hi\"".into()), None, Some("x".into())]));
    let e = read_csv("a,b\n1,2\n3\n").unwrap_err().to_string();
    assert!(e.contains("csv line 3") && e.contains("1 fields"), "{e}");
    assert!(read_csv("a\n\"open\n").unwrap_err().to_string().contains("unterminated"));
    assert!(read_csv("").unwrap_err().to_string().contains("csv is empty"));
    assert!(t.column("nope").unwrap_err().to_string().contains("nope"));
}

fn small() -> RawTable {
    read_csv("x,plan,paid,label\n1,prepaid,yes,1\n3,contract,no,0\n,contract,yes,1\n8,,no,0\n").unwrap()
}

#[test]
fn fit_specs_infers_then_applies_booleans_and_overrides() {
    let t = small();
    let kinds = |specs: Vec<ColumnSpec>| specs.into_iter().map(|s| (s.name, s.kind.name())).collect::<Vec<_>>();
    let inferred = fit_specs(&t, &[], &["label"], &[]).unwrap();
    assert_eq!(kinds(inferred), [("x".into(), "numeric"), ("plan".into(), "categorical"), ("paid".into(), "boolean")]);
    // A boolean dtype in the caller's table, and an override that wins over both.
    let specs = fit_specs(&t, &[("x".into(), ColumnKind::Categorical)], &[], &["label"]).unwrap();
    assert_eq!(kinds(specs)[0], ("x".into(), "categorical"));
    assert_eq!(kinds(fit_specs(&t, &[], &[], &["label"]).unwrap())[3], ("label".into(), "boolean"));
    // An unknown column in the overrides names the closest column first.
    let err = fit_specs(&t, &[("plann".into(), ColumnKind::Numeric)], &[], &[]).unwrap_err();
    assert_eq!(err.code(), "UNKNOWN_VALUE");
    assert_eq!(err.to_string(), "unknown column in kinds \"plann\"; expected one of plan, x, paid, label");
}

#[test]
fn kinds_policies_and_class_weights_parse_by_name() {
    for kind in ColumnKind::NAMES {
        assert_eq!(kind.parse::<ColumnKind>().unwrap().name(), kind);
    }
    let err = "text".parse::<ColumnKind>().unwrap_err();
    assert_eq!(err.to_string(), "unknown column kind \"text\"; expected one of numeric, categorical, boolean");
    assert_eq!("ignore".parse::<UnseenPolicy>().unwrap(), UnseenPolicy::Ignore);
    assert_eq!("skip".parse::<UnseenPolicy>().unwrap_err().code(), "UNKNOWN_VALUE");
    use nps_core::model::ClassWeight;
    assert_eq!("balanced".parse::<ClassWeight>().unwrap(), ClassWeight::Balanced);
    assert_eq!("none".parse::<ClassWeight>().unwrap(), ClassWeight::None);
    assert!("Balanced".parse::<ClassWeight>().unwrap_err().to_string().contains("expected one of none, balanced"));
}

#[test]
fn encoder_by_hand() {
    let mut t = small();
    let y = binary_labels(&t.remove("label").unwrap(), "1").unwrap();
    assert_eq!(y, [1.0, 0.0, 1.0, 0.0]);
    let specs = infer_specs(&t, &[]);
    assert_eq!(
        specs,
        [
            ColumnSpec::new("x", ColumnKind::Numeric),
            ColumnSpec::new("plan", ColumnKind::Categorical),
            ColumnSpec::new("paid", ColumnKind::Boolean)
        ]
    );
    let e = TableEncoder::fit(&t, &specs, &EncoderOptions::default()).unwrap();
    assert_eq!(e.feature_names(), ["x", "x__missing", "plan=contract", "plan=prepaid", "plan=__missing", "paid"]);
    assert_eq!(e.column_sources(), [0, 0, 1, 1, 1, 2]);
    // x: mean of 1, 3, 8 = 4; population sd = sqrt((9 + 1 + 16) / 3).
    let sd = (26.0f64 / 3.0).sqrt();
    let m = e.transform(&t).unwrap();
    let want = [
        [(1.0 - 4.0) / sd, 0.0, 0.0, 1.0, 0.0, 1.0],
        [(3.0 - 4.0) / sd, 0.0, 1.0, 0.0, 0.0, 0.0],
        [0.0, 1.0, 1.0, 0.0, 0.0, 1.0],
        [(8.0 - 4.0) / sd, 0.0, 0.0, 0.0, 1.0, 0.0],
    ];
    for (r, row) in want.iter().enumerate() {
        for (j, v) in row.iter().enumerate() {
            assert!((m[[r, j]] - v).abs() < 1e-15, "[{r}, {j}] {} vs {v}", m[[r, j]]);
        }
    }
    // One customer, field by field, encodes exactly like the table row.
    let mut out = vec![0.0; e.width()];
    e.encode_row(&[Cell::Number(8.0), Cell::Missing, Cell::Bool(false)], 0, &mut out).unwrap();
    assert_eq!(out, m.row(3).to_vec());
    // Serialised and read back, it encodes identically; corrupted, it is refused.
    let back = TableEncoder::from_json(&e.to_json()).unwrap();
    assert_eq!(back.transform(&t).unwrap(), m);
    let bad = e.to_json().replace(&format!("\"scale\":{}", sd), "\"scale\":-1.0");
    assert!(TableEncoder::from_json(&bad).unwrap_err().to_string().contains("scale"), "{bad}");
    assert!(TableEncoder::from_json("{\"columns\": 3}").is_err());
}

#[test]
fn unseen_categories_missing_values_and_bad_cells() {
    let t = small();
    let specs = infer_specs(&t, &["label"]);
    let strict = TableEncoder::fit(&t, &specs, &EncoderOptions::default()).unwrap();
    let new = read_csv("x,plan,paid\n2,business,yes\n").unwrap();
    let e = strict.transform(&new).unwrap_err().to_string();
    assert!(e.contains("business") && e.contains("row 0") && e.contains("plan"), "{e}");
    let lenient = TableEncoder::fit(&t, &specs, &EncoderOptions { unseen: UnseenPolicy::Ignore, ..Default::default() });
    let m = lenient.unwrap().transform(&new).unwrap();
    assert_eq!(m.row(0).to_vec()[2..5], [0.0, 0.0, 0.0]);
    // Booleans are not imputed; text that is not a boolean is named.
    assert!(strict
        .transform(&read_csv("x,plan,paid\n2,prepaid,\n").unwrap())
        .unwrap_err()
        .to_string()
        .contains("paid[0]"));
    let e = strict.transform(&read_csv("x,plan,paid\n2,prepaid,maybe\n").unwrap()).unwrap_err().to_string();
    assert!(e.contains("paid[0]") && e.contains("maybe"), "{e}");
    // A numeric column without missing values in training refuses one later.
    let full = read_csv("x,plan\n1,a\n2,b\n").unwrap();
    let enc = TableEncoder::fit(&full, &infer_specs(&full, &[]), &EncoderOptions::default()).unwrap();
    assert!(enc.transform(&read_csv("x,plan\n,a\n").unwrap()).unwrap_err().to_string().contains("x[0] is missing"));
    // A missing source column is named.
    assert!(enc.transform(&read_csv("plan\na\n").unwrap()).unwrap_err().to_string().contains("\"x\""));
    assert!(binary_labels(&Column::Text(vec![Some("Yes".into()), Some("No".into()), Some("Maybe".into())]), "Yes")
        .unwrap_err()
        .to_string()
        .contains("labels[2]"));
}

fn telco_path() -> Option<std::path::PathBuf> {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/telco/Telco-Customer-Churn.csv");
    if path.exists() {
        return Some(path);
    }
    assert!(std::env::var("CI").as_deref() != Ok("true"), "CI=true and the Telco data is missing at {path:?}");
    eprintln!("skipping: {path:?} not found (the shared data sits beside the project)");
    None
}

#[test]
fn telco_encodes_like_pandas() {
    let Some(path) = telco_path() else { return };
    let v: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/telco_encoding.json")).unwrap(),
    )
    .unwrap();
    let mut t = read_csv_path(&path).unwrap();
    assert_eq!((t.len(), t.names.len()), (7043, 21));
    let total = t.column("TotalCharges").unwrap();
    assert!(matches!(total, Column::Numeric(_)), "TotalCharges reads as numbers with 11 missing");
    let missing: Vec<usize> = (0..t.len()).filter(|&r| total.cell(r) == Cell::Missing).collect();
    assert_eq!(serde_json::json!(missing), v["missing_total_charges_rows"]);
    let Column::Numeric(tenure) = t.column("tenure").unwrap() else { panic!() };
    assert!(missing.iter().all(|&r| tenure[r] == 0.0), "the blank TotalCharges are the new customers");
    let y = binary_labels(&t.remove("Churn").unwrap(), "Yes").unwrap();
    assert!((y.iter().sum::<f64>() / y.len() as f64 - v["churn_rate"].as_f64().unwrap()).abs() < 1e-15);
    let specs = infer_specs(&t, &["customerID"]);
    for s in &specs {
        let kind = serde_json::to_value(s.kind).unwrap();
        assert_eq!(kind, v["kinds"][&s.name], "{}", s.name);
    }
    let e = TableEncoder::fit(&t, &specs, &EncoderOptions::default()).unwrap();
    assert_eq!(serde_json::json!(e.feature_names()), v["feature_names"]);
    let m = e.transform(&t).unwrap();
    for (r, row) in v["first_rows"].as_array().unwrap().iter().enumerate() {
        for (j, x) in row.as_array().unwrap().iter().enumerate() {
            let x = x.as_f64().unwrap();
            assert!(
                (m[[r, j]] - x).abs() <= 1e-12 * x.abs().max(1.0),
                "row {r} {}: {} vs {x}",
                e.feature_names()[j],
                m[[r, j]]
            );
        }
    }
    for (key, f) in [("column_sums", 1), ("column_sums_of_squares", 2)] {
        for (j, x) in v[key].as_array().unwrap().iter().enumerate() {
            let got: f64 = m.column(j).iter().map(|a| a.powi(f)).sum();
            let x = x.as_f64().unwrap();
            assert!((got - x).abs() <= 1e-9 * x.abs().max(1.0), "{key} {}: {got} vs {x}", e.feature_names()[j]);
        }
    }
}

proptest! {
    /// Standardised numeric columns have mean 0 and population sd 1 on the training data
    /// (or are only centred when constant), and transforming the training data again gives
    /// the same matrix.
    #[test]
    fn standardised_columns_are_centred_and_scaled(cols in prop::collection::vec(prop::collection::vec(-1e3f64..1e3, 12), 1..4)) {
        let names: Vec<String> = (0..cols.len()).map(|i| format!("c{i}")).collect();
        let table = RawTable::new(names.clone(), cols.iter().cloned().map(Column::Numeric).collect()).unwrap();
        let specs: Vec<ColumnSpec> = names.iter().map(|n| ColumnSpec::new(n, ColumnKind::Numeric)).collect();
        let e = TableEncoder::fit(&table, &specs, &EncoderOptions::default()).unwrap();
        let m: Array2<f64> = e.transform(&table).unwrap();
        for (j, col) in cols.iter().enumerate() {
            let x = m.column(j);
            let mean = x.sum() / 12.0;
            prop_assert!(mean.abs() < 1e-9);
            let sd = (x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / 12.0).sqrt();
            let constant = col.iter().all(|v| *v == col[0]);
            prop_assert!(constant || (sd - 1.0).abs() < 1e-9, "sd {}", sd);
        }
        prop_assert_eq!(&e.transform(&table).unwrap(), &m);
    }
}

/// The parity bar: on the Telco data encoded as above, the coefficients match
/// scikit-learn's `LogisticRegression(C=1.0, tol=1e-10, max_iter=10000)` on the same matrix
/// within 1e-4, and 5-fold stratified cross-validated ROC AUC is at least 0.84.
#[test]
fn telco_logistic_regression_matches_scikit_learn() {
    use nps_core::metrics::roc_auc;
    use nps_core::model::{cross_validate, fit_logistic, LogisticOptions};
    let Some(path) = telco_path() else { return };
    let v: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/telco_encoding.json")).unwrap(),
    )
    .unwrap();
    let mut t = read_csv_path(&path).unwrap();
    let y = binary_labels(&t.remove("Churn").unwrap(), "Yes").unwrap();
    let e = TableEncoder::fit(&t, &infer_specs(&t, &["customerID"]), &EncoderOptions::default()).unwrap();
    let x = e.transform(&t).unwrap();
    let fit = fit_logistic(x.view(), &y, None, &LogisticOptions { tol: 1e-10, ..Default::default() }).unwrap();
    assert!(fit.report.converged, "{:?}", fit.report);
    let sk = &v["sklearn_logistic"];
    let mut worst: f64 = 0.0;
    for (j, (a, b)) in fit.coef.iter().zip(sk["coef"].as_array().unwrap()).enumerate() {
        let d = (a - b.as_f64().unwrap()).abs();
        assert!(d < 1e-4, "{}: {a} vs scikit-learn {b}", e.feature_names()[j]);
        worst = worst.max(d);
    }
    // The intercept shares a weakly determined direction with the one-hot groups, where
    // lbfgs stops short (1e-4 here); against scikit-learn's Newton solver, which reaches
    // the minimum, everything agrees to 1e-7.
    let di = (fit.intercept - sk["intercept"].as_f64().unwrap()).abs();
    assert!(di < 1e-3, "intercept {} vs scikit-learn {}", fit.intercept, sk["intercept"]);
    let exact = &v["sklearn_newton_cholesky"];
    assert!((fit.intercept - exact["intercept"].as_f64().unwrap()).abs() < 1e-7);
    for (a, b) in fit.coef.iter().zip(exact["coef"].as_array().unwrap()) {
        assert!((a - b.as_f64().unwrap()).abs() < 1e-7, "{a} vs newton-cholesky {b}");
    }
    eprintln!("largest coefficient difference from scikit-learn: {worst:.2e}");
    let auc = cross_validate(x.view(), &y, 5, 42, &LogisticOptions::default(), |y, p| roc_auc(y, p, None)).unwrap();
    let mean = auc.iter().sum::<f64>() / 5.0;
    eprintln!("5-fold ROC AUC {mean:.4} ({auc:?}); scikit-learn {}", sk["cv_auc_mean"]);
    assert!(mean >= 0.84, "cross-validated AUC {mean}");
}

/// A text column with more distinct values than a category may have (half the rows, at
/// least 50) is refused, naming it and the likely cause; a numeric kind reads its blank
/// cells as missing, as `read_csv` does.
#[test]
fn numbers_stored_as_text_are_refused_as_a_category() {
    let rows = 120;
    let text: Vec<Option<String>> =
        (0..rows).map(|i| Some(if i % 40 == 0 { " ".to_string() } else { format!("{}.5", 10 * i) })).collect();
    let ids: Vec<Option<String>> = (0..rows).map(|i| Some(format!("C-{i:04}"))).collect();
    let table = RawTable::new(
        vec!["total".into(), "id".into(), "x".into()],
        vec![Column::Text(text), Column::Text(ids), Column::Numeric((0..rows).map(|i| i as f64).collect())],
    )
    .unwrap();
    assert_eq!(nps_core::encode::max_categories(rows), 60);
    assert_eq!(nps_core::encode::max_categories(10), 50);
    let specs = infer_specs(&table, &["id"]);
    let e = TableEncoder::fit(&table, &specs, &EncoderOptions::default()).unwrap_err();
    assert_eq!(
        e,
        NpsError::TooManyCategories { column: "total".into(), distinct: 118, rows: 120, numeric: 117, limit: 60 }
    );
    assert_eq!(e.code(), "TOO_MANY_CATEGORIES");
    assert_eq!(
        e.to_string(),
        "column \"total\" is text with 118 distinct values in 120 rows (a category may have at most 60: more than \
         half the rows is not a category); 117 of the values read as numbers: numbers stored as text? e.g. blank \
         cells; read the file with read_csv (blank cells are missing) or convert the column to numbers"
    );
    let e = TableEncoder::fit(&table, &infer_specs(&table, &["total"]), &EncoderOptions::default()).unwrap_err();
    assert!(e.to_string().contains("\"id\" is text with 120 distinct values in 120 rows"), "{e}");
    assert!(e.to_string().contains(": an identifier? leave it out of the inputs; or numbers stored as text?"), "{e}");
    // Declared numeric, the text reads as numbers and the blank cells as missing.
    let numeric = [ColumnSpec::new("total", ColumnKind::Numeric), ColumnSpec::new("x", ColumnKind::Numeric)];
    let enc = TableEncoder::fit(&table, &numeric, &EncoderOptions::default()).unwrap();
    assert_eq!(enc.feature_names(), ["total", "total__missing", "x"]);
    let m = enc.transform(&table).unwrap();
    assert_eq!((m[[0, 1]], m[[1, 1]], m[[40, 1]]), (1.0, 0.0, 1.0));
    // 60 distinct values in 120 rows is still a category.
    let plans: Vec<Option<String>> = (0..rows).map(|i| Some(format!("p{}", i % 60))).collect();
    let ok = RawTable::new(vec!["plan".into()], vec![Column::Text(plans)]).unwrap();
    assert_eq!(TableEncoder::fit(&ok, &infer_specs(&ok, &[]), &EncoderOptions::default()).unwrap().width(), 60);
}
