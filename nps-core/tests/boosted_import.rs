//! LightGBM and XGBoost models read into our trees score every row as the libraries do
//! (`tests/vectors/boosted_import.json`, written by `make_boosted_import.py`), and corrupted
//! or unsupported files are errors that say what is wrong, never panics.
use std::sync::OnceLock;

use nps_core::model::boosted::{from_lightgbm, from_xgboost, ImportedModel, Objective};
use nps_core::Result;
use proptest::prelude::*;
use serde_json::Value;

fn vectors() -> &'static Value {
    static V: OnceLock<Value> = OnceLock::new();
    V.get_or_init(|| {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/boosted_import.json");
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    })
}

fn case(name: &str) -> &'static Value {
    vectors()["cases"].as_array().unwrap().iter().find(|c| c["name"] == name).unwrap()
}

fn model_text(name: &str) -> &'static str {
    case(name)["model"].as_str().unwrap()
}

fn load(library: &str, text: &str) -> Result<ImportedModel> {
    match library {
        "lightgbm" => from_lightgbm(text),
        _ => from_xgboost(text),
    }
}

fn row(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap_or(f64::NAN)).collect()
}

/// Every row's raw scores against the library's, within `tol` relative to max(1, |score|),
/// and the probabilities they give against the library's.
fn assert_scores(name: &str, model: &ImportedModel, c: &Value, tol: f64) {
    let e = &model.ensemble;
    // LightGBM's random forest averages its trees in `predict()` only, not in its raw score.
    let rounds = c["rounds"].as_f64().unwrap_or(1.0);
    let mut out = vec![0.0; e.outputs];
    let rows = c["rows"]
        .as_array()
        .unwrap()
        .iter()
        .zip(c["raw"].as_array().unwrap())
        .zip(c["probability"].as_array().unwrap());
    for (i, ((x, want), p)) in rows.enumerate() {
        e.raw_into(&row(x), &mut out);
        for (k, (&got, want)) in out.iter().zip(row(want)).enumerate() {
            let got = got * rounds;
            assert!((got - want).abs() <= tol * want.abs().max(1.0), "{name} row {i} output {k}: {got} vs {want}");
        }
        let probability: Vec<f64> = if e.outputs == 1 {
            vec![1.0 / (1.0 + (-out[0]).exp())]
        } else {
            let top = out.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let total: f64 = out.iter().map(|s| (s - top).exp()).sum();
            out.iter().map(|s| (s - top).exp() / total).collect()
        };
        for (k, (got, want)) in probability.iter().zip(row(p)).enumerate() {
            assert!((got - want).abs() <= tol, "{name} row {i} probability {k}: {got} vs {want}");
        }
    }
}

#[test]
fn scores_as_the_libraries_do() {
    for c in vectors()["cases"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        let library = c["library"].as_str().unwrap();
        let model = load(library, c["model"].as_str().unwrap()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let outputs = c["outputs"].as_u64().unwrap() as usize;
        let inputs = c["rows"][0].as_array().unwrap().len();
        assert_eq!(model.ensemble.inputs, inputs, "{name}");
        assert_eq!(model.ensemble.outputs, outputs, "{name}");
        let objective = if outputs == 1 { Objective::Binary } else { Objective::Multiclass { classes: outputs } };
        assert_eq!(model.objective, objective, "{name}");
        assert!(model.source.starts_with(library), "{name}: {}", model.source);
        if let Some(names) = c["feature_names"].as_array() {
            let names: Vec<&str> = names.iter().map(|n| n.as_str().unwrap()).collect();
            assert_eq!(model.feature_names, names, "{name}");
        }
        let categorical: Vec<usize> =
            c["categorical"].as_array().unwrap().iter().map(|i| i.as_u64().unwrap() as usize).collect();
        let found: Vec<usize> = (0..inputs).filter(|&f| model.categorical[f].is_some()).collect();
        assert_eq!(found, categorical, "{name}");
        // The file's own numbers hang together: contributions add up to the raw score.
        for (x, (want, contrib)) in c["rows"]
            .as_array()
            .unwrap()
            .iter()
            .zip(c["raw"].as_array().unwrap().iter().zip(c["contrib"].as_array().unwrap()))
        {
            assert_eq!(contrib.as_array().unwrap().len(), outputs, "{name}");
            assert_eq!(x.as_array().unwrap().len(), inputs, "{name}");
            for (w, per_output) in row(want).iter().zip(contrib.as_array().unwrap()) {
                let sum: f64 = row(per_output).iter().sum();
                assert!((sum - w).abs() < 1e-4 * w.abs().max(1.0), "{name}: contributions {sum} vs raw {w}");
            }
        }
        let tol = if library == "lightgbm" { 1e-9 } else { 1e-5 };
        assert_scores(name, &model, c, tol);
    }
}

#[test]
fn category_labels_come_from_the_file() {
    let plans = ["basic", "plus", "pro", "team", "enterprise", "legacy", "trial"];
    for name in ["lightgbm_binary_category", "xgboost_category"] {
        let c = case(name);
        let model = load(c["library"].as_str().unwrap(), model_text(name)).unwrap();
        assert_eq!(model.categorical[1].as_deref(), Some(&plans.map(String::from)[..]), "{name}");
        assert_eq!(model.categorical[0], None);
    }
    // No labels in the file (numpy codes, feature_types "c"): the codes up to the largest used.
    let model = from_xgboost(model_text("xgboost_category_onehot")).unwrap();
    let labels = model.categorical[1].as_ref().unwrap();
    assert!(!labels.is_empty() && labels.iter().enumerate().all(|(i, l)| *l == i.to_string()), "{labels:?}");
    assert_eq!(model.feature_names, ["tenure", "plan", "contacts"]);
    let model = from_xgboost(model_text("xgboost_binary_logitraw")).unwrap();
    assert_eq!(model.feature_names, ["f0", "f1", "f2", "f3", "f4"]);
    assert_eq!(model.ensemble.base_score, [f64::from(0.3f32)]);
    assert_eq!(model.source, "xgboost 3.2.0");
    assert_eq!(from_lightgbm(model_text("lightgbm_multiclass")).unwrap().source, "lightgbm v4");
}

#[test]
fn unsupported_models_are_refused_by_name() {
    for r in vectors()["refused"].as_array().unwrap() {
        let name = r["name"].as_str().unwrap();
        let e =
            load(r["library"].as_str().unwrap(), r["model"].as_str().unwrap()).map(|_| ()).expect_err(name).to_string();
        assert!(e.contains(r["error"].as_str().unwrap()), "{name}: {e}");
    }
}

/// `text` with line `key=` of tree `tree` given `value`.
fn edit_tree(text: &str, tree: usize, key: &str, value: impl Fn(&str) -> String) -> String {
    let start = text.find(&format!("\nTree={tree}\n")).unwrap();
    let at = start + text[start..].find(&format!("\n{key}=")).unwrap() + key.len() + 2;
    let end = at + text[at..].find('\n').unwrap();
    format!("{}{}{}", &text[..at], value(&text[at..end]), &text[end..])
}

fn lightgbm_error(text: &str) -> String {
    from_lightgbm(text).map(|_| ()).expect_err("an error").to_string()
}

fn xgboost_error(edit: impl Fn(&mut Value), name: &str) -> String {
    let mut json: Value = serde_json::from_str(model_text(name)).unwrap();
    edit(&mut json);
    from_xgboost(&json.to_string()).map(|_| ()).expect_err("an error").to_string()
}

fn tree_mut(json: &mut Value, t: usize) -> &mut Value {
    &mut json["learner"]["gradient_booster"]["model"]["trees"][t]
}

#[test]
fn corrupted_lightgbm_text_is_named() {
    let text = model_text("lightgbm_binary_nan");
    let replace_first = |v: &str, with: &str| {
        let mut w: Vec<String> = v.split(' ').map(String::from).collect();
        w[0] = with.to_string();
        w.join(" ")
    };
    let e = lightgbm_error(&edit_tree(text, 3, "leaf_value", |v| replace_first(v, "abc")));
    assert!(e.contains("lightgbm model, trees[3].leaf_value[0]") && e.contains("abc"), "{e}");
    let e = lightgbm_error(&edit_tree(text, 3, "threshold", |v| replace_first(v, "1.5.2")));
    assert!(e.contains("trees[3].threshold[0]") && e.contains("a number"), "{e}");
    let e = lightgbm_error(&edit_tree(text, 2, "left_child", |v| replace_first(v, "99")));
    assert!(e.contains("trees[2].splits[0] child") && e.contains("99"), "{e}");
    let e = lightgbm_error(&edit_tree(text, 2, "right_child", |v| replace_first(v, "0")));
    assert!(e.contains("trees[2].splits[0]") && e.contains("reached twice"), "{e}");
    let e = lightgbm_error(&edit_tree(text, 2, "split_feature", |v| replace_first(v, "7")));
    assert!(e.contains("trees[2].splits[0].feature") && e.contains("below the model's 5 inputs"), "{e}");
    let e = lightgbm_error(&edit_tree(text, 4, "left_child", |v| v.rsplit_once(' ').unwrap().0.to_string()));
    assert!(e.contains("trees[4].left_child must be 7 values (num_leaves - 1), got 6 values"), "{e}");
    let e = lightgbm_error(&edit_tree(text, 4, "decision_type", |v| replace_first(v, "14")));
    assert!(e.contains("trees[4].decision_type[0]") && e.contains("missing type"), "{e}");
    let e = lightgbm_error(&edit_tree(text, 0, "is_linear", |_| "1".into()));
    assert!(e.contains("trees[0].is_linear") && e.contains("linear trees are not supported"), "{e}");
    let e = lightgbm_error(&text.replace("objective=binary sigmoid:1", "objective=lambdarank"));
    assert!(e.contains("unknown lightgbm model, objective \"lambdarank\""), "{e}");
    let e = lightgbm_error(&text.replace("objective=binary sigmoid:1", "objective=binary sigmoid:2"));
    assert!(e.contains("sigmoid") && e.contains("not supported"), "{e}");
    let e = lightgbm_error(&text.replace("\nobjective=binary sigmoid:1", ""));
    assert!(e.contains("lightgbm model, objective must be present"), "{e}");
    let e = lightgbm_error(&text.replacen("tree\n", "booster\n", 1));
    assert!(e.contains("lightgbm model, first line"), "{e}");
    assert!(lightgbm_error("").contains("first line"));
    // A tree too few or too many.
    let start = text.find("\nTree=29\n").unwrap();
    let end = text.find("\nend of trees").unwrap();
    let e = lightgbm_error(&format!("{}{}", &text[..start + 1], &text[end + 1..]));
    assert!(e.contains("lightgbm model, tree_sizes must be one size per tree (29 trees follow), got 30 sizes"), "{e}");
    let e = lightgbm_error(&text.replacen("\nTree=7\n", "\nTree=8\n", 1));
    assert!(e.contains("line before trees[7]"), "{e}");
    let multi = model_text("lightgbm_multiclass");
    let start = multi.find("\nTree=29\n").unwrap();
    let end = multi.find("\nend of trees").unwrap();
    let sizes = multi.lines().find(|l| l.starts_with("tree_sizes=")).unwrap();
    let fewer =
        format!("{}{}", &multi[..start + 1], &multi[end + 1..]).replace(sizes, sizes.rsplit_once(' ').unwrap().0);
    let e = lightgbm_error(&fewer);
    assert!(e.contains("lightgbm model, trees must be a multiple of num_tree_per_iteration (3), got 29"), "{e}");
    // Categorical sets.
    let cat = model_text("lightgbm_binary_category");
    let block = |t: usize| {
        let start = cat.find(&format!("\nTree={t}\n")).unwrap();
        &cat[start..start + cat[start + 1..].find("\nTree=").unwrap_or(cat.len() - start - 1)]
    };
    let t = (0..25).find(|&t| block(t).contains("\nnum_cat=1\n")).unwrap();
    let e = lightgbm_error(&edit_tree(cat, t, "cat_boundaries", |_| "0 7".into()));
    assert!(e.contains(&format!("trees[{t}].cat_threshold must be 7 values")), "{e}");
    let e = lightgbm_error(&edit_tree(cat, t, "num_cat", |_| "0".into()));
    assert!(e.contains(&format!("trees[{t}].threshold[")) && e.contains("category set index"), "{e}");
    let e = lightgbm_error(&cat.replace("pandas_categorical:[[", "pandas_categorical:[{"));
    assert!(e.contains("lightgbm model, pandas_categorical must be JSON"), "{e}");
}

#[test]
fn truncated_lightgbm_text_is_an_error_until_the_trees_end() {
    for name in ["lightgbm_binary_category", "lightgbm_multiclass"] {
        let text = model_text(name);
        let trees_end = text.find("end of trees").unwrap() + "end of trees".len();
        let parameters_end = text.find("end of parameters").unwrap();
        let step = (text.len() / 300).max(1);
        for cut in (0..text.len()).step_by(step).chain([trees_end - 1, parameters_end]) {
            let Some(cut_text) = text.get(..cut) else { continue };
            match from_lightgbm(cut_text) {
                Err(e) => assert!(e.to_string().contains("lightgbm model"), "{e}"),
                // Cut after the trees: only labels can be lost, never a score.
                Ok(model) => {
                    assert!(cut >= trees_end, "{name} cut at {cut} of {} read", text.len());
                    assert_scores(name, &model, case(name), 1e-9);
                }
            }
        }
        let e = lightgbm_error(&text[..parameters_end]);
        assert!(e.contains("lightgbm model, parameters must be closed"), "{e}");
    }
}

#[test]
fn corrupted_xgboost_json_is_named() {
    let name = "xgboost_binary_nan";
    let e = xgboost_error(|j| tree_mut(j, 3)["split_conditions"][0] = "abc".into(), name);
    assert!(
        e.contains(
            "xgboost model, learner.gradient_booster.model.trees[3].split_conditions[0] must be a number, got \"abc\""
        ),
        "{e}"
    );
    let e = xgboost_error(|j| tree_mut(j, 2)["left_children"][0] = 99.into(), name);
    assert!(e.contains("trees[2].left_children[0] must be a node id in 1..") && e.contains("got 99"), "{e}");
    let e = xgboost_error(|j| tree_mut(j, 2)["right_children"][0] = 5.into(), name);
    assert!(e.contains("trees[2].right_children[0] must be left + 1"), "{e}");
    let e = xgboost_error(
        |j| {
            let t = tree_mut(j, 2);
            t["left_children"][2] = 1.into();
            t["right_children"][2] = 2.into();
        },
        name,
    );
    assert!(e.contains("trees[2] node") && e.contains("reached twice"), "{e}");
    let e = xgboost_error(|j| tree_mut(j, 1)["split_indices"][0] = 9.into(), name);
    assert!(e.contains("trees[1].splits[0].feature must be below the model's 5 inputs, got 9"), "{e}");
    let e = xgboost_error(|j| tree_mut(j, 1)["sum_hessian"].as_array_mut().unwrap().truncate(3), name);
    assert!(e.contains("trees[1].sum_hessian must be one per node"), "{e}");
    let e = xgboost_error(
        |j| j["learner"]["gradient_booster"]["model"]["gbtree_model_param"]["num_trees"] = "29".into(),
        name,
    );
    assert!(e.contains("num_trees must be the number of trees listed (30), got 29"), "{e}");
    let e = xgboost_error(
        |j| {
            j["learner"]["gradient_booster"]["model"]["tree_info"].as_array_mut().unwrap().pop();
        },
        name,
    );
    assert!(e.contains("tree_info must be one per tree (30), got 29 entries"), "{e}");
    let e = xgboost_error(|j| j["learner"]["objective"]["name"] = "binary:hinge".into(), name);
    assert!(e.contains("unknown xgboost model, learner.objective.name \"binary:hinge\""), "{e}");
    let e = xgboost_error(|j| j["learner"]["learner_model_param"]["base_score"] = "[1.5E0]".into(), name);
    assert!(e.contains("base_score must be a probability"), "{e}");
    let e = xgboost_error(|j| j["learner"]["learner_model_param"]["base_score"] = "[abc]".into(), name);
    assert!(e.contains("base_score must be a number or a list"), "{e}");
    let e = xgboost_error(|j| j["learner"]["learner_model_param"]["num_target"] = "2".into(), name);
    assert!(e.contains("multi-target models are not supported"), "{e}");
    let e = xgboost_error(|j| tree_mut(j, 0)["tree_param"]["size_leaf_vector"] = "3".into(), name);
    assert!(e.contains("multi-output trees are not supported"), "{e}");
    let e =
        xgboost_error(|j| j["learner"].as_object_mut().unwrap().remove("gradient_booster").map(|_| ()).unwrap(), name);
    assert!(e.contains("xgboost model, learner.gradient_booster must be present"), "{e}");
    let multi = "xgboost_multiclass";
    let e = xgboost_error(|j| j["learner"]["gradient_booster"]["model"]["tree_info"][4] = 0.into(), multi);
    assert!(e.contains("tree_info must be as many per class as class 0 has (11), got 9 trees of class 1"), "{e}");
    let e = xgboost_error(|j| j["learner"]["gradient_booster"]["model"]["tree_info"][4] = 3.into(), multi);
    assert!(e.contains("trees[4] tree_info must be a class below 3, got 3"), "{e}");
    let cat = "xgboost_category";
    let e = xgboost_error(|j| tree_mut(j, 0)["categories"][0] = (-3).into(), cat);
    assert!(e.contains("trees[0].categories (node") && e.contains("got -3"), "{e}");
    let e = xgboost_error(|j| tree_mut(j, 0)["categories_sizes"][0] = 999.into(), cat);
    assert!(e.contains("trees[0].categories_segments[0] must be a range within"), "{e}");
    let e = xgboost_error(|j| tree_mut(j, 0)["split_type"][0] = 2.into(), cat);
    assert!(e.contains("trees[0].split_type[0] must be 0 (numeric) or 1 (categorical), got 2"), "{e}");
    assert!(from_xgboost("").unwrap_err().to_string().starts_with("xgboost model must be a JSON document"));
    assert!(from_xgboost("[1, 2]").unwrap_err().to_string().contains("xgboost model, document must be an object"));
}

#[test]
fn truncated_xgboost_json_is_an_error() {
    let text = model_text("xgboost_category");
    let step = (text.len() / 300).max(1);
    for cut in (0..text.len()).step_by(step) {
        let e = from_xgboost(&text[..cut]).map(|_| ()).expect_err("a cut document");
        assert!(e.to_string().starts_with("xgboost model"), "{e}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Flip a byte anywhere, and maybe cut anywhere: an error or a model that scores, never a
    /// panic.
    #[test]
    fn mangled_files_never_panic(
        which in 0usize..11,
        cut in prop::option::of(0.0f64..1.0),
        flip in 0.0f64..1.0,
        byte in any::<u8>(),
    ) {
        let c = &vectors()["cases"][which];
        let mut bytes = c["model"].as_str().unwrap().as_bytes().to_vec();
        let at = (flip * bytes.len() as f64) as usize;
        bytes[at] ^= byte;
        if let Some(cut) = cut {
            bytes.truncate((cut * bytes.len() as f64) as usize);
        }
        let text = String::from_utf8_lossy(&bytes);
        if let Ok(model) = load(c["library"].as_str().unwrap(), &text) {
            let e = &model.ensemble;
            let mut out = vec![0.0; e.outputs];
            for x in c["rows"].as_array().unwrap() {
                let mut x = row(x);
                x.resize(e.inputs, f64::NAN);
                e.raw_into(&x, &mut out);
            }
            prop_assert_eq!(model.feature_names.len(), e.inputs);
            prop_assert_eq!(model.categorical.len(), e.inputs);
        }
    }
}

/// TreeSHAP on a loaded model equals the library's own `pred_contrib` / `pred_contribs`
/// (and shap's TreeExplainer where the vectors have it): within 1e-9 for LightGBM, 1e-5 for
/// XGBoost (single precision), relative to max(1, |value|).
#[test]
fn contributions_equal_the_libraries() {
    use nps_core::explain::{ensemble_shap_into, TreeShapScratch};
    let mut scratch = TreeShapScratch::new();
    let mut checked = 0;
    for c in vectors()["cases"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        let library = c["library"].as_str().unwrap();
        let tol = if library == "lightgbm" { 1e-9 } else { 1e-5 };
        let model = load(library, c["model"].as_str().unwrap()).unwrap();
        let e = &model.ensemble;
        let rounds = c["rounds"].as_f64().unwrap_or(1.0);
        let mut out = vec![0.0; e.outputs * (e.inputs + 1)];
        for (i, (x, want)) in c["rows"].as_array().unwrap().iter().zip(c["contrib"].as_array().unwrap()).enumerate() {
            ensemble_shap_into(e, &row(x), &mut out, &mut scratch).unwrap();
            let want: Vec<f64> = want.as_array().unwrap().iter().flat_map(row).collect();
            assert_eq!(want.len(), out.len(), "{name}");
            for (j, (&got, &want)) in out.iter().zip(&want).enumerate() {
                let got = got * rounds;
                assert!((got - want).abs() <= tol * want.abs().max(1.0), "{name} row {i} entry {j}: {got} vs {want}");
            }
            checked += 1;
        }
        if let Some(shap) = c.get("shap").and_then(Value::as_array) {
            let expected = row(&c["shap_expected"])[0];
            for (x, want) in c["rows"].as_array().unwrap().iter().zip(shap) {
                ensemble_shap_into(e, &row(x), &mut out, &mut scratch).unwrap();
                let want: Vec<f64> = want.as_array().unwrap().iter().flat_map(row).collect();
                assert_eq!(want.len(), e.inputs, "{name}");
                for (got, want) in out.iter().zip(want) {
                    assert!((got - want).abs() <= 1e-9 * want.abs().max(1.0), "{name} shap: {got} vs {want}");
                }
                assert!((out[e.inputs] - expected).abs() <= 1e-9 * expected.abs().max(1.0));
            }
        }
    }
    assert!(checked >= 400, "{checked}");
}
