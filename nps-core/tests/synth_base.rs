//! The synthetic customer base: deterministic, consistent, and its drivers visible in the
//! features and in churn.
use nps_core::features::{compute, retention, FeatureMatrix, BUILT_IN_KINDS};
use nps_core::synth::{customers, BaseConfig, SyntheticBase, DRIVERS, PLANS};

const DAY: i64 = 86_400;

fn base(n: usize, seed: u64) -> SyntheticBase {
    customers(&BaseConfig { customers: n, seed, ..Default::default() }).unwrap()
}

fn column(m: &FeatureMatrix, name: &str) -> Vec<f64> {
    let j = m.names.iter().position(|n| n == name).unwrap();
    m.values.column(j).to_vec()
}

fn with_driver(b: &SyntheticBase, driver: &str, on: bool) -> Vec<usize> {
    (0..b.churned.len()).filter(|&c| b.has_driver(c, driver) == on).collect()
}

fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (s, n) = values.filter(|x| !x.is_nan()).fold((0.0, 0), |(s, n), x| (s + x, n + 1));
    s / n as f64
}

#[test]
fn same_seed_same_base_other_seed_other_base() {
    let a = base(500, 7);
    // (Debug, because NaN values are not equal to themselves.)
    assert_eq!(format!("{a:?}"), format!("{:?}", base(500, 7)));
    let b = base(500, 8);
    assert_ne!(a.events.time, b.events.time);
    assert_eq!(a.customer_ids[0], "C0000001");
    assert_eq!(a.customer_ids[499], "C0000500");
}

#[test]
fn the_history_is_a_valid_time_ordered_log() {
    let b = base(2_000, 1);
    let e = &b.events;
    assert_eq!(e.kinds, BUILT_IN_KINDS);
    assert!(e.time.windows(2).all(|w| w[0] <= w[1]));
    let n = e.len();
    for col in [e.customer.len(), e.kind.len(), e.value.len(), e.duration.len(), e.department.len(), e.case.len()] {
        assert_eq!(col, n);
    }
    assert!(e.customer.iter().all(|&c| c < 2_000));
    assert!(e.duration.iter().all(|d| d.is_nan() || *d >= 0.0));
    // Every customer has a subscription start before the reference time, and events after
    // it only up to the end of the horizon or their churn.
    let as_of = b.config.as_of;
    let end = as_of + b.config.horizon_days as i64 * DAY;
    let mut started = vec![false; 2_000];
    for i in 0..n {
        let c = e.customer[i] as usize;
        if e.kind[i] == 0 {
            started[c] |= e.time[i] < as_of;
        }
        let last = b.churn_time[c].unwrap_or(end);
        assert!(e.time[i] <= last, "event {i} of customer {c} after its end");
    }
    assert!(started.iter().all(|&s| s));
    assert!(e.time.iter().any(|&t| t >= as_of), "the history reaches past the reference time");
    // Churners leave within the horizon, with a subscription end at that moment.
    for c in 0..2_000 {
        match b.churn_time[c] {
            Some(t) => {
                assert!(b.churned[c] && t > as_of && t <= end);
                assert!((0..n).any(|i| e.customer[i] as usize == c && e.kind[i] == 1 && e.time[i] == t));
            }
            None => assert!(!b.churned[c]),
        }
    }
}

#[test]
fn survey_answers_are_the_true_scores_of_a_sixth_of_the_base() {
    let b = base(20_000, 3);
    let s = &b.surveys;
    let share = s.score.len() as f64 / 20_000.0;
    // 0.17 ± 4 standard errors (0.0027 each).
    assert!((share - 0.17).abs() < 0.011, "response share {share}");
    assert!(s.time.windows(2).all(|w| w[0] <= w[1]));
    for i in 0..s.score.len() {
        let c = s.customer[i] as usize;
        assert_eq!(s.score[i], b.true_score[c]);
        assert!(s.time[i] < b.config.as_of);
    }
    assert!(b.true_score.iter().all(|&x| x <= 10));
}

#[test]
fn every_driver_raises_churn_and_shows_in_its_feature() {
    let b = base(30_000, 11);
    let m = compute(&b.events, &retention(), b.config.as_of).unwrap();
    let churn = |ids: &[usize]| ids.iter().filter(|&&c| b.churned[c]).count() as f64 / ids.len() as f64;
    let overall = churn(&(0..30_000).collect::<Vec<_>>());
    assert!((0.15..0.30).contains(&overall), "churn rate {overall}");
    for d in DRIVERS {
        let (on, off) = (with_driver(&b, d, true), with_driver(&b, d, false));
        assert!(on.len() > 1_500, "{d}: {} customers", on.len());
        assert!(churn(&on) > churn(&off) + 0.1, "{d}: {} vs {}", churn(&on), churn(&off));
    }
    // Each driver moves the feature that measures it (means over customers with and without).
    let feature_gap = |driver: &str, feature: &str| {
        let v = column(&m, feature);
        let on = mean(with_driver(&b, driver, true).iter().map(|&c| v[c]));
        let off = mean(with_driver(&b, driver, false).iter().map(|&c| v[c]));
        (on, off)
    };
    let (on, off) = feature_gap("repeat_contacts", "repeat_contacts_90d");
    assert!(on > 2.5 && off < 0.6, "repeat contacts {on} vs {off}");
    let (on, off) = feature_gap("long_handle_time", "aht_90d");
    assert!(on > 1_500.0 && off < 1_000.0, "handle time {on} vs {off}");
    let (on, off) = feature_gap("bill_shock", "bill_shock");
    assert!(on > 1.6 && off < 1.1, "bill shock {on} vs {off}");
    let (on, off) = feature_gap("falling_usage", "usage_trend_30d");
    assert!(on < 0.6 && off > 0.9, "usage trend {on} vs {off}");
    let (on, off) = feature_gap("bad_last_interaction", "worst_interaction_90d");
    assert!(on < 2.0 && off > 6.0, "worst interaction {on} vs {off}");
    // Short tenure is exactly a tenure under 180 days.
    let tenure = column(&m, "tenure_days");
    for (c, t) in tenure.iter().enumerate() {
        assert_eq!(b.has_driver(c, "short_tenure"), *t < 180.0, "customer {c} tenure {t}");
    }
    // A bad last interaction is scored 0–3 within the last 30 days.
    let worst = column(&m, "worst_interaction_90d");
    for c in with_driver(&b, "bad_last_interaction", true) {
        assert!(worst[c] <= 3.0, "customer {c}: worst {}", worst[c]);
    }
}

#[test]
fn detractors_churn_more_and_prepaid_has_no_bills() {
    let b = base(30_000, 5);
    let rate = |f: &dyn Fn(u8) -> bool| {
        let ids: Vec<usize> = (0..30_000).filter(|&c| f(b.true_score[c])).collect();
        ids.iter().filter(|&&c| b.churned[c]).count() as f64 / ids.len() as f64
    };
    let detractors = rate(&|s| s <= 6);
    let promoters = rate(&|s| s >= 9);
    assert!(detractors > 1.8 * promoters, "detractors {detractors} promoters {promoters}");
    let prepaid = PLANS.iter().position(|p| *p == "prepaid").unwrap() as u8;
    let e = &b.events;
    for i in 0..e.len() {
        let c = e.customer[i] as usize;
        if b.plan[c] == prepaid {
            assert!(e.kind[i] != 2 && e.kind[i] != 3, "prepaid customer {c} has a bill or payment");
        } else {
            assert!(e.kind[i] != 4, "contract customer {c} tops up");
        }
    }
    // The churn probability the generator used is calibrated against the outcomes.
    let expected: f64 = b.churn_probability.iter().sum();
    let observed = b.churned.iter().filter(|&&c| c).count() as f64;
    let sd = b.churn_probability.iter().map(|p| p * (1.0 - p)).sum::<f64>().sqrt();
    assert!((observed - expected).abs() < 4.0 * sd, "observed {observed} expected {expected}");
}

#[test]
fn bad_configurations_are_errors() {
    for (config, field) in [
        (BaseConfig { customers: 0, ..Default::default() }, "customers"),
        (BaseConfig { history_days: 0, ..Default::default() }, "history_days"),
        (BaseConfig { horizon_days: 0, ..Default::default() }, "horizon_days"),
        (BaseConfig { respond_rate: 1.5, ..Default::default() }, "respond_rate"),
        (BaseConfig { respond_rate: f64::NAN, ..Default::default() }, "respond_rate"),
    ] {
        let e = customers(&config).unwrap_err();
        assert!(e.to_string().contains(field), "{e}");
    }
}

#[test]
fn events_from_the_horizon_do_not_change_the_features() {
    let b = base(3_000, 9);
    let as_of = b.config.as_of;
    let mut past = b.events.clone();
    let keep: Vec<usize> = (0..past.len()).filter(|&i| past.time[i] < as_of).collect();
    assert!(keep.len() < past.len());
    macro_rules! take {
        ($($col:ident),*) => { $( past.$col = keep.iter().map(|&i| b.events.$col[i]).collect(); )* };
    }
    take!(customer, time, kind, value, duration, department, case, flag);
    let full = compute(&b.events, &retention(), as_of).unwrap();
    let cut = compute(&past, &retention(), as_of).unwrap();
    let bits = |m: &FeatureMatrix| m.values.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&full), bits(&cut));
}

/// The shared fingerprint (`tests/vectors/synth.json`), also checked from Python and Node.
#[test]
fn matches_the_shared_vector() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/synth.json");
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let b = base(v["config"]["customers"].as_u64().unwrap() as usize, v["config"]["seed"].as_u64().unwrap());
    assert_eq!(b.events.len() as u64, v["events"].as_u64().unwrap());
    let first: Vec<i64> = v["first_times"].as_array().unwrap().iter().map(|t| t.as_i64().unwrap()).collect();
    assert_eq!(b.events.time[..5], first[..]);
    assert_eq!(b.events.time.iter().sum::<i64>(), v["time_sum"].as_i64().unwrap());
    let churned: Vec<&str> = (0..b.churned.len()).filter(|&c| b.churned[c]).map(|c| &b.customer_ids[c][..]).collect();
    assert_eq!(serde_json::json!(churned), v["churned"]);
    let scores: Vec<u8> = b.true_score[..20].to_vec();
    assert_eq!(serde_json::json!(scores), v["true_scores"]);
    let survey_scores: Vec<u8> = b.surveys.score[..10].to_vec();
    assert_eq!(serde_json::json!(survey_scores), v["survey_scores"]);
    let m = compute(&b.events, &retention(), b.config.as_of).unwrap();
    assert_eq!(serde_json::json!(m.names), v["feature_names"]);
    for (id, expected) in v["features"].as_object().unwrap() {
        let c = b.customer_ids.iter().position(|x| x == id).unwrap();
        let drivers = serde_json::json!(b.driver_names(c));
        assert_eq!(drivers, v["drivers"][id], "{id}");
        for (j, e) in expected.as_array().unwrap().iter().enumerate() {
            let x = m.values[[c, j]];
            match e.as_f64() {
                Some(e) => assert_eq!(x, e, "{id} {}", m.names[j]),
                None => assert!(x.is_nan(), "{id} {}: {x}", m.names[j]),
            }
        }
    }
}

/// Large tables are computed in blocks of customers on several threads; the rows are the
/// same as computing each half of the customers on its own (one thread each).
#[test]
fn blocks_of_customers_give_the_same_rows() {
    let b = base(20_000, 4);
    let as_of = b.config.as_of;
    let full = compute(&b.events, &retention(), as_of).unwrap();
    for (lo, hi) in [(0u32, 8_000u32), (8_000, 20_000)] {
        let mut part = b.events.clone();
        let keep: Vec<usize> = (0..part.len()).filter(|&i| (lo..hi).contains(&b.events.customer[i])).collect();
        macro_rules! take {
            ($($col:ident),*) => { $( part.$col = keep.iter().map(|&i| b.events.$col[i]).collect(); )* };
        }
        take!(time, kind, value, duration, department, case, flag);
        part.customer = keep.iter().map(|&i| b.events.customer[i] - lo).collect();
        part.customers = hi - lo;
        let m = compute(&part, &retention(), as_of).unwrap();
        for c in 0..(hi - lo) as usize {
            let (x, y) = (m.values.row(c), full.values.row(c + lo as usize));
            assert!(x.iter().zip(y).all(|(a, b)| a.to_bits() == b.to_bits()), "customer {}", c + lo as usize);
        }
    }
}
