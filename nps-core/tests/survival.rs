#![allow(clippy::needless_range_loop)]
//! Survival analysis against lifelines (tests/vectors/survival.json, written by
//! tests/vectors/make_survival.py): Kaplan–Meier, the log-rank test and Cox models on
//! lifelines' rossi data and on generated data with ties, heavy censoring, delayed entry,
//! weights and strata; the model file to the bit; invariants (proptest); errors.
use ndarray::Array2;
use nps_core::survival::{
    kaplan_meier_by_segment, log_rank_test, multivariate_log_rank_test, CoxCustomers, CoxInput, CoxModel, CoxOptions,
    KaplanMeier, SurvivalData,
};
use nps_core::NpsError;
use proptest::prelude::*;
use serde_json::Value;

fn vectors() -> Value {
    serde_json::from_str(include_str!("../../tests/vectors/survival.json")).unwrap()
}

/// A JSON number (null: infinity).
fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::INFINITY)
}

fn nums(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(num).collect()
}

fn column(v: &Value, dataset: &Value, key: &str) -> Option<Vec<f64>> {
    v[key].as_str().map(|c| nums(&v["__data"][dataset.as_str().unwrap()][c]))
}

struct Case {
    durations: Vec<f64>,
    events: Option<Vec<bool>>,
    entry: Option<Vec<f64>>,
    weights: Option<Vec<f64>>,
}

impl Case {
    fn read(all: &Value, case: &Value) -> Case {
        let data = &all["datasets"][case["dataset"].as_str().unwrap()];
        let col = |key: &str| case[key].as_str().map(|c| nums(&data[c]));
        Case {
            durations: col("duration").unwrap(),
            events: col("event").map(|e| e.iter().map(|&v| v != 0.0).collect()),
            entry: col("entry"),
            weights: col("weights"),
        }
    }

    fn data(&self) -> SurvivalData<'_> {
        SurvivalData {
            durations: &self.durations,
            events: self.events.as_deref(),
            entry: self.entry.as_deref(),
            weights: self.weights.as_deref(),
        }
    }
}

fn close(actual: &[f64], expected: &[f64], tolerance: f64, what: &str) -> f64 {
    assert_eq!(actual.len(), expected.len(), "{what}: lengths");
    let mut worst: f64 = 0.0;
    for (i, (a, e)) in actual.iter().zip(expected).enumerate() {
        if a.is_infinite() || e.is_infinite() {
            assert_eq!(a, e, "{what}[{i}]");
            continue;
        }
        let delta = (a - e).abs();
        worst = worst.max(delta);
        assert!(delta <= tolerance, "{what}[{i}]: {a} vs lifelines {e} (delta {delta:e})");
    }
    worst
}

#[test]
fn kaplan_meier_equals_lifelines() {
    let all = vectors();
    let _ = column;
    for case in all["kaplan_meier"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let input = Case::read(&all, case);
        let km = KaplanMeier::fit(&input.data(), case["alpha"].as_f64().unwrap()).unwrap();
        let t = &km.table;
        close(&t.time, &nums(&case["time"]), 0.0, &format!("{name} time"));
        close(&t.at_risk, &nums(&case["at_risk"]), 1e-9, &format!("{name} at_risk"));
        close(&t.observed, &nums(&case["observed"]), 1e-9, &format!("{name} observed"));
        close(&t.censored, &nums(&case["censored"]), 1e-9, &format!("{name} censored"));
        close(&t.entrance, &nums(&case["entrance"]), 1e-9, &format!("{name} entrance"));
        close(&km.survival, &nums(&case["survival"]), 1e-12, &format!("{name} survival"));
        close(&km.greenwood, &nums(&case["greenwood"]), 1e-12, &format!("{name} greenwood"));
        close(&km.lower, &nums(&case["lower"]), 1e-12, &format!("{name} lower"));
        close(&km.upper, &nums(&case["upper"]), 1e-12, &format!("{name} upper"));
        assert_eq!(km.median().unwrap(), num(&case["median"]), "{name} median");
        let (lo, hi) = km.median_interval().unwrap();
        assert_eq!((lo, hi), (num(&case["median_lower"]), num(&case["median_upper"])), "{name} median interval");
        let at = km.survival_at(&nums(&case["at_times"])).unwrap();
        close(&at, &nums(&case["survival_at"]), 1e-12, &format!("{name} survival_at"));
    }
}

#[test]
fn log_rank_equals_lifelines() {
    let all = vectors();
    for case in all["log_rank"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let input = Case::read(&all, case);
        let data = &all["datasets"][case["dataset"].as_str().unwrap()];
        let g = &data[case["group"].as_str().unwrap()];
        let groups: Vec<String> = g
            .as_array()
            .unwrap()
            .iter()
            .map(|v| match v {
                Value::String(s) => s.clone(),
                v => format!("{}", v.as_f64().unwrap() as i64),
            })
            .collect();
        let test = multivariate_log_rank_test(&input.data(), &groups).unwrap();
        let expected = case["test_statistic"].as_f64().unwrap();
        assert!((test.test_statistic - expected).abs() < 1e-9 * expected.max(1.0), "{name}: {test:?} vs {expected}");
        assert!((test.p_value - case["p_value"].as_f64().unwrap()).abs() < 1e-12, "{name} p");
        assert_eq!(test.degrees_of_freedom as u64, case["degrees_of_freedom"].as_u64().unwrap());
        if let Some(two) = case.get("two_group") {
            let pick = |label: &str| -> Case {
                let rows: Vec<usize> = (0..groups.len()).filter(|&i| groups[i] == label).collect();
                Case {
                    durations: rows.iter().map(|&i| input.durations[i]).collect(),
                    events: input.events.as_ref().map(|e| rows.iter().map(|&i| e[i]).collect()),
                    entry: None,
                    weights: None,
                }
            };
            let (a, b) = (pick(two["a"].as_str().unwrap()), pick(two["b"].as_str().unwrap()));
            let test = log_rank_test(&a.data(), &b.data()).unwrap();
            let reversed = log_rank_test(&b.data(), &a.data()).unwrap();
            let expected = two["test_statistic"].as_f64().unwrap();
            assert!((test.test_statistic - expected).abs() < 1e-9 * expected.max(1.0), "{name} two groups");
            assert!((reversed.test_statistic - expected).abs() < 1e-9 * expected.max(1.0), "{name} reversed");
            assert!((test.p_value - two["p_value"].as_f64().unwrap()).abs() < 1e-12, "{name} two groups p");
        }
    }
}

struct CoxCase {
    input: Case,
    x: Array2<f64>,
    covariates: Vec<String>,
    strata: Option<Vec<String>>,
}

fn cox_case(all: &Value, case: &Value) -> CoxCase {
    let data = &all["datasets"][case["dataset"].as_str().unwrap()];
    let covariates: Vec<String> =
        case["covariates"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_string()).collect();
    let input = Case::read(all, case);
    let n = input.durations.len();
    let mut x = Array2::zeros((n, covariates.len()));
    for (j, c) in covariates.iter().enumerate() {
        for (i, v) in nums(&data[c]).into_iter().enumerate() {
            x[[i, j]] = v;
        }
    }
    let strata = case["strata"].as_str().map(|s| {
        data[s]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| match v {
                Value::String(s) => s.clone(),
                v => format!("{}", v.as_f64().unwrap() as i64),
            })
            .collect()
    });
    CoxCase { input, x, covariates, strata }
}

fn fit_case(case: &Value, c: &CoxCase) -> CoxModel {
    let options = CoxOptions { penalizer: case["penalizer"].as_f64().unwrap(), ..CoxOptions::default() };
    let input =
        CoxInput { x: c.x.view(), covariates: &c.covariates, data: c.input.data(), strata: c.strata.as_deref() };
    CoxModel::fit(&input, &options).unwrap()
}

#[test]
fn cox_equals_lifelines() {
    let all = vectors();
    for case in all["cox"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let c = cox_case(&all, case);
        let model = fit_case(case, &c);
        let coef = close(&model.coefficients, &nums(&case["coef"]), 1e-6, &format!("{name} coef"));
        let se = close(&model.standard_errors, &nums(&case["se"]), 1e-5, &format!("{name} se"));
        // lifelines with its default stopping rule: within 1e-6 but where it stops early.
        let coef_default =
            close(&model.coefficients, &nums(&case["coef_default"]), 1e-5, &format!("{name} coef (default)"));
        let se_default =
            close(&model.standard_errors, &nums(&case["se_default"]), 1e-5, &format!("{name} se (default)"));
        let summary = model.summary();
        let col = |f: fn(&nps_core::survival::CoefficientSummary) -> f64| summary.iter().map(f).collect::<Vec<_>>();
        close(&col(|s| s.hazard_ratio), &nums(&case["hazard_ratio"]), 1e-5, &format!("{name} exp(coef)"));
        close(&col(|s| s.coef_lower), &nums(&case["coef_lower"]), 1e-5, &format!("{name} lower"));
        close(&col(|s| s.coef_upper), &nums(&case["coef_upper"]), 1e-5, &format!("{name} upper"));
        close(&col(|s| s.z), &nums(&case["z"]), 1e-4, &format!("{name} z"));
        close(&col(|s| s.p), &nums(&case["p"]), 1e-5, &format!("{name} p"));
        let ll = case["log_likelihood"].as_f64().unwrap();
        assert!((model.log_likelihood - ll).abs() < 1e-8, "{name} log-likelihood {} vs {ll}", model.log_likelihood);
        let concordance = case["concordance"].as_f64().unwrap();
        assert!(
            (model.concordance - concordance).abs() < 1e-12,
            "{name} concordance {} vs {concordance}",
            model.concordance
        );
        close(&model.baseline.times, &nums(&case["baseline_times"]), 0.0, &format!("{name} baseline times"));
        let strata: Vec<String> =
            case["baseline_strata"].as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect();
        if !strata.is_empty() {
            assert_eq!(model.baseline.strata, strata);
        }
        for (s, expected) in case["baseline_survival"].as_array().unwrap().iter().enumerate() {
            close(&model.baseline.survival(s), &nums(expected), 1e-6, &format!("{name} baseline survival {s}"));
        }
        let rows = case["rows"].as_u64().unwrap() as usize;
        let x = c.x.slice(ndarray::s![..rows, ..]);
        let row_strata = c.strata.as_ref().map(|s| s[..rows].to_vec());
        let after = nums(&case["conditional_after"]);
        let times = nums(&case["times"]);
        let plain = CoxCustomers { x, strata: row_strata.as_deref(), conditional_after: None };
        let conditional = CoxCustomers { conditional_after: Some(&after), ..plain };
        let survival = model.survival_function(&plain, &times).unwrap();
        let survival_after = model.survival_function(&conditional, &times).unwrap();
        for i in 0..rows {
            close(&survival.row(i).to_vec(), &nums(&case["survival"][i]), 1e-6, &format!("{name} survival {i}"));
            close(
                &survival_after.row(i).to_vec(),
                &nums(&case["survival_conditional"][i]),
                1e-6,
                &format!("{name} conditional survival {i}"),
            );
        }
        let within = model.churn_within(&conditional, case["horizon"].as_f64().unwrap()).unwrap();
        close(&within, &nums(&case["churn_within"]), 1e-6, &format!("{name} churn within"));
        println!(
            "{name}: max |coef delta| {coef:.2e}, max |se delta| {se:.2e} (lifelines' default stopping: {coef_default:.2e}, {se_default:.2e}), {} Newton steps",
            model.iterations
        );
    }
}

#[test]
fn the_model_file_predicts_to_the_bit() {
    let all = vectors();
    let file = &all["model_file"];
    let model = CoxModel::from_json(file["json"].as_str().unwrap()).unwrap();
    let rows: Vec<Vec<f64>> = file["x"].as_array().unwrap().iter().map(nums).collect();
    let x = Array2::from_shape_fn((rows.len(), rows[0].len()), |(i, j)| rows[i][j]);
    let after = nums(&file["conditional_after"]);
    let customers = CoxCustomers { x: x.view(), strata: None, conditional_after: Some(&after) };
    let survival = model.survival_function(&customers, &nums(&file["times"])).unwrap();
    let hex = |v: f64| format!("{v:?}");
    let _ = hex;
    for i in 0..rows.len() {
        let expected: Vec<f64> =
            file["survival"][i].as_array().unwrap().iter().map(|h| from_hex(h.as_str().unwrap())).collect();
        for (k, e) in expected.iter().enumerate() {
            assert_eq!(survival[[i, k]].to_bits(), e.to_bits(), "row {i} time {k}");
        }
    }
    let within = model.churn_within(&customers, 26.0).unwrap();
    for (i, h) in file["churn_within_26"].as_array().unwrap().iter().enumerate() {
        assert_eq!(within[i].to_bits(), from_hex(h.as_str().unwrap()).to_bits(), "churn within, row {i}");
    }
    // Written again, the file is the same.
    assert_eq!(CoxModel::from_json(&model.to_json()).unwrap(), model);
}

/// Python's `float.hex()` back to a float.
fn from_hex(text: &str) -> f64 {
    let (sign, rest) = match text.strip_prefix('-') {
        Some(r) => (-1.0, r),
        None => (1.0, text),
    };
    let rest = rest.strip_prefix("0x").unwrap();
    let (mantissa, exponent) = rest.split_once('p').unwrap();
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let mut value = u64::from_str_radix(whole, 16).unwrap() as f64;
    let mut scale = 1.0 / 16.0;
    for ch in fraction.chars() {
        value += ch.to_digit(16).unwrap() as f64 * scale;
        scale /= 16.0;
    }
    sign * value * 2f64.powi(exponent.parse().unwrap())
}

#[test]
fn kaplan_meier_by_segment_fits_each_segment() {
    let durations = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
    let events = [true, true, false, true, false, false];
    let segments = ["promoter", "detractor", "promoter", "detractor", "passive", "passive"];
    let data = SurvivalData::new(&durations, &events);
    let parts = kaplan_meier_by_segment(&data, &segments, 0.05).unwrap();
    let labels: Vec<&str> = parts.iter().map(|p| p.segment.as_str()).collect();
    assert_eq!(labels, ["detractor", "passive", "promoter"]);
    assert_eq!(parts[0].estimate.median().unwrap(), 2.0);
    // The passives never churned: no median, an error naming the reason.
    let err = parts[1].estimate.median().unwrap_err();
    assert!(err.to_string().contains("no events"), "{err}");
}

/// Kaplan–Meier's life table the plain way (a sorted map of times, row by row), to check the
/// parallel tally on more rows than one of its chunks.
#[test]
fn the_life_table_of_many_rows_equals_a_plain_count() {
    let n = 200_003;
    let mut state = 7u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let durations: Vec<f64> = (0..n).map(|_| (next() % 400 + 1) as f64 / 2.0).collect();
    let events: Vec<bool> = (0..n).map(|_| next() % 3 > 0).collect();
    let entry: Vec<f64> = durations.iter().map(|&d| if next() % 4 == 0 { (d / 3.0).floor() } else { 0.0 }).collect();
    let weights: Vec<f64> = (0..n).map(|_| (next() % 5 + 1) as f64 * 0.25).collect();
    for (entry, weights) in [(None, None), (Some(&entry[..]), Some(&weights[..]))] {
        let data = SurvivalData { durations: &durations, events: Some(&events), entry, weights };
        let km = KaplanMeier::fit(&data, 0.05).unwrap();
        // time -> [removed, observed, entrance]
        let mut plain = std::collections::BTreeMap::<u64, [f64; 3]>::new();
        let key = |t: f64| (t * 2.0) as u64;
        for i in 0..n {
            let w = weights.map_or(1.0, |w| w[i]);
            let row = plain.entry(key(durations[i])).or_default();
            row[0] += w;
            row[1] += if events[i] { w } else { 0.0 };
            plain.entry(key(entry.map_or(0.0, |e| e[i]))).or_default()[2] += w;
        }
        let times: Vec<f64> = plain.keys().map(|&k| k as f64 / 2.0).collect();
        assert_eq!(km.table.time, times);
        for (k, row) in plain.values().enumerate() {
            for (got, want) in [km.table.removed[k], km.table.observed[k], km.table.entrance[k]].into_iter().zip(row) {
                assert!((got - want).abs() <= 1e-9 * want.abs().max(1.0), "time {}: {got} vs {want}", times[k]);
            }
        }
    }
    // A bad duration in a later chunk is named by its row.
    let mut bad = durations.clone();
    bad[150_001] = f64::NAN;
    let err = KaplanMeier::fit(&SurvivalData::new(&bad, &events), 0.05).unwrap_err();
    assert_eq!(err, NpsError::Missing { field: "durations".into(), index: 150_001 });
}

#[test]
fn errors_name_the_row_and_the_reason() {
    let events = [true, false, true];
    let err = KaplanMeier::fit(&SurvivalData::new(&[1.0, -2.0, 3.0], &events), 0.05).unwrap_err();
    assert_eq!(err, NpsError::Negative { field: "durations".into(), index: 1, value: -2.0 });
    let err = KaplanMeier::fit(&SurvivalData::new(&[1.0, f64::NAN, 3.0], &events), 0.05).unwrap_err();
    assert_eq!(err, NpsError::Missing { field: "durations".into(), index: 1 });
    let err = KaplanMeier::fit(&SurvivalData::new(&[1.0, 3.0], &events), 0.05).unwrap_err();
    assert_eq!(err.code(), "LENGTH_MISMATCH");
    let entry = [0.0, 5.0, 0.0];
    let data = SurvivalData { durations: &[1.0, 2.0, 3.0], events: Some(&events), entry: Some(&entry), weights: None };
    let err = KaplanMeier::fit(&data, 0.05).unwrap_err();
    assert!(err.to_string().starts_with("entry[1] = 5 is outside"), "{err}");

    // Cox: a constant covariate, a separating covariate, collinear covariates.
    let durations: Vec<f64> = (1..=40).map(f64::from).collect();
    let events: Vec<bool> = (0..40).map(|i| i % 3 != 0).collect();
    let names = vec!["plan".to_string(), "tenure".to_string()];
    let fit = |x: &Array2<f64>| {
        CoxModel::fit(
            &CoxInput { x: x.view(), covariates: &names, data: SurvivalData::new(&durations, &events), strata: None },
            &CoxOptions::default(),
        )
    };
    let constant = Array2::from_shape_fn((40, 2), |(i, j)| if j == 0 { 1.0 } else { (i % 7) as f64 });
    let err = fit(&constant).unwrap_err();
    assert!(err.to_string().contains("covariate \"plan\"") && err.to_string().contains("constant"), "{err}");
    // Risk falls with the duration itself: the covariate orders the events perfectly.
    let separating = Array2::from_shape_fn((40, 2), |(i, j)| if j == 0 { -(i as f64) } else { (i % 5) as f64 });
    let err = fit(&separating).unwrap_err();
    assert!(err.to_string().contains("\"plan\"") && err.to_string().contains("no convergence"), "{err}");
    let collinear = Array2::from_shape_fn((40, 2), |(i, _)| (i % 7) as f64);
    let err = fit(&collinear).unwrap_err();
    assert!(err.to_string().contains("singular Hessian at covariate \"tenure\""), "{err}");
    let none = vec![false; 40];
    let mixed = Array2::from_shape_fn((40, 2), |(i, j)| ((i * (j + 2)) % 7) as f64);
    let err = CoxModel::fit(
        &CoxInput { x: mixed.view(), covariates: &names, data: SurvivalData::new(&durations, &none), strata: None },
        &CoxOptions::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("no events"), "{err}");
}

/// A column-major matrix (as pandas hands out a frame's block) is read by columns; the
/// model and the errors are the same as from the row-major copy, to the bit.
#[test]
fn cox_reads_row_and_column_major_covariates_alike() {
    let n = 3_005; // not a multiple of the eight lanes of the column sums
    let mut rng = nps_core::synth::Rng::new(11);
    let rows = Array2::from_shape_fn((n, 3), |_| rng.normal());
    let columns = rows.t().as_standard_layout().into_owned().reversed_axes();
    assert!(columns.column(0).as_slice().is_some() && rows.column(0).as_slice().is_none());
    let durations: Vec<f64> = (0..n).map(|i| (30.0 * rng.uniform() / (1.0 + rows[[i, 0]].abs())).ceil()).collect();
    let events: Vec<bool> = (0..n).map(|_| rng.bernoulli(0.5)).collect();
    let names = vec!["a".to_string(), "b".to_string(), "c".to_string()];
    let fit = |x: ndarray::ArrayView2<f64>| {
        CoxModel::fit(
            &CoxInput { x, covariates: &names, data: SurvivalData::new(&durations, &events), strata: None },
            &CoxOptions::default(),
        )
    };
    assert_eq!(fit(rows.view()).unwrap(), fit(columns.view()).unwrap());
    let (mut bad_rows, mut bad_columns) = (rows.clone(), columns.to_owned());
    for x in [&mut bad_rows, &mut bad_columns] {
        x[[17, 2]] = f64::NAN;
        x[[40, 0]] = f64::INFINITY;
    }
    let err = fit(bad_columns.view()).unwrap_err();
    assert_eq!(err, fit(bad_rows.view()).unwrap_err());
    assert_eq!(err, NpsError::Missing { field: "covariate \"c\"".into(), index: 17 });
}

fn curve_strategy() -> impl Strategy<Value = (Vec<f64>, Vec<bool>)> {
    prop::collection::vec((0u32..30, any::<bool>()), 1..60)
        .prop_map(|v| (v.iter().map(|p| f64::from(p.0)).collect(), v.iter().map(|p| p.1).collect()))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn kaplan_meier_curves_are_non_increasing_in_0_1((durations, events) in curve_strategy()) {
        let km = KaplanMeier::fit(&SurvivalData::new(&durations, &events), 0.05).unwrap();
        for w in km.survival.windows(2) {
            prop_assert!(w[1] <= w[0]);
        }
        for (s, (lo, hi)) in km.survival.iter().zip(km.lower.iter().zip(&km.upper)) {
            prop_assert!((0.0..=1.0).contains(s));
            prop_assert!((0.0..=1.0).contains(lo) && (0.0..=1.0).contains(hi));
        }
    }

    #[test]
    fn log_rank_is_symmetric_in_group_order(
        (durations, events) in curve_strategy(),
        flips in prop::collection::vec(any::<bool>(), 60),
    ) {
        let groups: Vec<&str> = (0..durations.len()).map(|i| if flips[i] { "a" } else { "b" }).collect();
        let swapped: Vec<&str> = groups.iter().map(|g| if *g == "a" { "b" } else { "a" }).collect();
        let data = SurvivalData::new(&durations, &events);
        let (one, two) = (multivariate_log_rank_test(&data, &groups), multivariate_log_rank_test(&data, &swapped));
        if let (Ok(one), Ok(two)) = (one, two) {
            prop_assert!((one.test_statistic - two.test_statistic).abs() <= 1e-9 * one.test_statistic.max(1.0));
        }
    }

    #[test]
    fn cox_coefficients_do_not_move_when_a_covariate_is_shifted(shift in -1000.0f64..1000.0, seed in 0u64..1000) {
        let n = 80;
        let mut rng = nps_core::synth::Rng::new(seed);
        let x = Array2::from_shape_fn((n, 2), |_| rng.uniform() * 4.0);
        let durations: Vec<f64> = (0..n).map(|i| (1.0 + 10.0 * rng.uniform() / (1.0 + x[[i, 0]])).ceil()).collect();
        let events: Vec<bool> = (0..n).map(|_| rng.bernoulli(0.6)).collect();
        let names = vec!["a".to_string(), "b".to_string()];
        let mut shifted = x.clone();
        shifted.column_mut(1).mapv_inplace(|v| v + shift);
        let fit = |x: &Array2<f64>| CoxModel::fit(
            &CoxInput { x: x.view(), covariates: &names, data: SurvivalData::new(&durations, &events), strata: None },
            &CoxOptions::default(),
        ).unwrap();
        let (one, two) = (fit(&x), fit(&shifted));
        for j in 0..2 {
            prop_assert!((one.coefficients[j] - two.coefficients[j]).abs() < 1e-8);
        }
    }
}

#[test]
fn survival_data_from_the_event_history_matches_the_generated_churn_and_does_not_leak() {
    use nps_core::features::survival_data;
    use nps_core::synth::{customers, BaseConfig};

    let config = BaseConfig { customers: 2_000, seed: 5, ..BaseConfig::default() };
    let base = customers(&config).unwrap();
    let view = base.events.view().unwrap();
    let day = 86_400;
    // As of the end of the horizon: every departure of the horizon is seen.
    let end = config.as_of + i64::from(config.horizon_days) * day;
    let s = survival_data(&view, end);
    for c in 0..2_000 {
        assert_eq!(s.churned[c], base.churned[c] && base.churn_time[c].unwrap() < end, "customer {c}");
        if s.churned[c] {
            assert_eq!(s.churn_time[c], base.churn_time[c]);
        }
        let start = s.start[c].unwrap();
        let expected = (s.churn_time[c].unwrap_or(end) - start) as f64 / day as f64;
        assert_eq!(s.tenure_days[c], expected);
    }
    // As of the base's reference time the events after it change nothing: the same as the
    // history cut at that time.
    let before = survival_data(&view, config.as_of);
    let t = &base.events;
    let keep: Vec<usize> = (0..t.time.len()).filter(|&r| t.time[r] < config.as_of).collect();
    let kind: Vec<u32> = keep.iter().map(|&r| u32::from(t.kind[r])).collect();
    let (customer, time): (Vec<u32>, Vec<i64>) = keep.iter().map(|&r| (t.customer[r], t.time[r])).unzip();
    let names: Vec<&str> = t.kinds.iter().map(String::as_str).collect();
    let cut = nps_core::features::EventColumns {
        customer: &customer,
        time: &time,
        kind: &kind,
        kind_names: &names,
        ..Default::default()
    };
    let cut = survival_data(&nps_core::features::EventView::new(&cut, &[], 1).unwrap(), config.as_of);
    assert_eq!(cut.churned, before.churned[..cut.churned.len()].to_vec());
    assert_eq!(cut.start, before.start[..cut.start.len()].to_vec());
    // Every generated customer is active at the reference time; the few seen leaving are those
    // whose second line ended with nothing after it yet.
    let early = before.churned.iter().filter(|&&c| c).count();
    assert!(early <= 10, "{early} customers seen leaving before the reference time");
}

#[test]
fn a_line_that_ends_while_another_is_active_is_not_a_departure() {
    use nps_core::features::{survival_data, EventColumns, EventView};

    let day = 86_400;
    let columns = EventColumns {
        customer: &[0, 0, 0, 0, 1, 1],
        time: &[0, 10 * day, 20 * day, 50 * day, 5 * day, 300 * day],
        kind: &[0, 0, 1, 1, 0, 1],
        kind_names: &["subscription_start", "subscription_end"],
        ..Default::default()
    };
    let view = EventView::new(&columns, &[], 1).unwrap();
    let s = survival_data(&view, 100 * day);
    assert_eq!((s.churned[0], s.tenure_days[0], s.churn_time[0]), (true, 50.0, Some(50 * day)));
    // Customer 1 leaves after as_of: censored at 95 days.
    assert_eq!((s.churned[1], s.tenure_days[1]), (false, 95.0));
}
