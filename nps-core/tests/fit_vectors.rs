//! `tests/vectors/fit.json`, read here as in Python and Node: training on its table gives the
//! model Python's fit recorded, to the bit, and each mistake the recorded error.
use nps_core::encode::{fit_specs, Column, ColumnKind, RawTable};
use nps_core::model::boosted::{BoostedChurnModel, BoostingOptions};
use nps_core::model::{ChurnModel, ChurnModelOptions, ClassWeight, LogisticOptions};
use serde_json::Value;

fn vector() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/fit.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The vector's table: numbers (null = missing) or text (null = missing), in its key order.
fn table(v: &Value) -> RawTable {
    let t = v["table"].as_object().unwrap();
    let (names, columns) = ["tenure", "charges", "plan", "paperless"]
        .iter()
        .map(|&name| {
            let cells = t[name].as_array().unwrap();
            let column = if cells.iter().any(Value::is_string) {
                Column::Text(cells.iter().map(|c| c.as_str().map(str::to_string)).collect())
            } else {
                Column::Numeric(cells.iter().map(|c| c.as_f64().unwrap_or(f64::NAN)).collect())
            };
            (name.to_string(), column)
        })
        .unzip();
    RawTable::new(names, columns).unwrap()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
}

#[test]
fn logistic_and_boosted_fits_are_the_models_python_recorded() {
    let v = vector();
    let (t, y) = (table(&v), floats(&v["y"]));
    let specs = fit_specs(&t, &[], &[], &[]).unwrap();
    for s in &specs {
        assert_eq!(v["kinds"][&s.name], s.kind.name(), "{}", s.name);
    }
    let options = ChurnModelOptions {
        logistic: LogisticOptions { tol: v["logistic"]["options"]["tol"].as_f64().unwrap(), ..Default::default() },
        ..Default::default()
    };
    let m = ChurnModel::fit(&t, &y, None, &specs, &options).unwrap();
    assert_eq!(m.coef, floats(&v["logistic"]["coef"]));
    assert_eq!(m.intercept, v["logistic"]["intercept"].as_f64().unwrap());
    let p = m.predict_proba(&t).unwrap();
    assert_eq!(p.to_vec(), floats(&v["logistic"]["probability"]));

    let b = &v["boosted"]["python"];
    let mut options: BoostingOptions = serde_json::from_value(serde_json::json!({
        "n_estimators": b["n_estimators"], "num_leaves": b["num_leaves"], "min_data_in_leaf": b["min_data_in_leaf"],
        "subsample": b["subsample"], "colsample": b["colsample"], "seed": b["seed"],
    }))
    .unwrap();
    let names: Vec<String> = specs.iter().map(|s| s.name.clone()).collect();
    options.monotone = BoostingOptions::monotone_by_name(&names, &[("tenure".into(), -1.0)]).unwrap();
    let boosted = BoostedChurnModel::fit(&t, &y, None, &specs, None, &options).unwrap();
    assert_eq!(boosted.predict_proba(&t).unwrap().to_vec(), floats(&v["boosted"]["probability"]));
}

#[test]
fn the_mistakes_python_and_node_make_give_the_recorded_errors() {
    let v = vector();
    let t = table(&v);
    let message = |i: usize| v["mistakes"][i]["message"].as_str().unwrap().to_string();
    let specs = fit_specs(&t, &[], &[], &[]).unwrap();
    let names: Vec<String> = specs.iter().map(|s| s.name.clone()).collect();
    let errors = [
        fit_specs(&t, &[("plann".into(), ColumnKind::Numeric)], &[], &[]).unwrap_err(),
        "text".parse::<ColumnKind>().unwrap_err(),
        "Balanced".parse::<ClassWeight>().unwrap_err(),
        "skip".parse::<nps_core::encode::UnseenPolicy>().unwrap_err(),
    ];
    for (i, e) in errors.iter().enumerate() {
        assert_eq!(e.to_string(), message(i));
    }
    let mut w = vec![1.0; t.len()];
    w[5] = -1.0;
    let y = floats(&v["y"]);
    let e = ChurnModel::fit(&t, &y, Some(&w), &specs, &ChurnModelOptions::default()).unwrap_err();
    assert_eq!(e.to_string(), message(4));
    let e = BoostingOptions::monotone_by_name(&names, &[("tenur".into(), -1.0)]).unwrap_err();
    assert_eq!(e.to_string(), message(5));
    assert_eq!("balance".parse::<ClassWeight>().unwrap_err().to_string(), message(6));
    let e = BoostingOptions::monotone_by_name(&names, &[("tenure".into(), 1000.0)]).unwrap_err();
    assert_eq!(e.to_string(), message(7));
}
