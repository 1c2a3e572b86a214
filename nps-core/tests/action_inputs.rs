//! What a new analyst passes to a decision: the score's scale (a probability is not a
//! score), factor names (a misspelt one is an error), customers without a survey answer
//! (missing fields), and the trace that says why a rule failed.
use nps_core::action::{churn_score, playbook, Catalog, DecideOptions, Factor, FieldValue, Verdict};
use proptest::prelude::*;
use serde_json::json;

mod common;
use common::NOW;

fn num(x: f64) -> FieldValue {
    FieldValue::Number(x)
}

/// A playbook customer who never answered a survey (`last_nps` missing).
fn no_answer(c: &Catalog, tenure_days: f64) -> nps_core::action::Customer {
    c.customer(&[
        ("tenure_days", num(tenure_days)),
        ("segment", FieldValue::Text("consumer".into())),
        ("complained_outage", FieldValue::Bool(false)),
        ("complained_overage", FieldValue::Bool(false)),
        ("monthly_bill", num(40.0)),
        ("payment_trend", num(1.0)),
        ("usage_trend_30d", num(1.0)),
        ("last_nps", FieldValue::Missing),
    ])
    .unwrap()
}

#[test]
fn a_probability_is_not_a_score() {
    // 0.856 on the 0–100 scale would be a 0.856 % risk: refused, saying what to do.
    let e = churn_score(Some(0.856), None).unwrap_err();
    assert_eq!(e.code(), "INVALID_PARAMETER");
    let m = e.to_string();
    assert!(m.starts_with("score must be a churn score on the 0–100 scale"), "{m}");
    assert!(m.contains("multiply a probability by 100 or pass it as probability"), "{m}");
    assert!(m.ends_with("got 0.856"), "{m}");
    // Given as a probability, it is the 85.6 score (100 × p, as a ticket computes it).
    assert_eq!(churn_score(None, Some(0.856)), Ok(100.0 * 0.856));
    assert_eq!(churn_score(Some(85.6), None), Ok(85.6));
    assert_eq!(churn_score(Some(0.0), None), Ok(0.0));
    assert_eq!(churn_score(Some(1.0), None), Ok(1.0));
    assert_eq!(churn_score(Some(100.0), None), Ok(100.0));
    // Outside the ranges: the field, the value and the range.
    let m = churn_score(Some(150.0), None).unwrap_err().to_string();
    assert_eq!(
        m,
        "score must be a churn score in 0..=100 (100 × the churn probability: multiply a probability by 100), got 150"
    );
    let m = churn_score(None, Some(85.6)).unwrap_err().to_string();
    assert_eq!(
        m,
        "probability must be a churn probability in [0, 1] (a score on the 0–100 scale is given as score), got 85.6"
    );
    assert_eq!(
        churn_score(None, None).unwrap_err().to_string(),
        "score or probability must be given: score (the churn score, 0–100, 100 × the churn probability) or \
         probability (0–1), got nothing"
    );
    assert_eq!(
        churn_score(Some(50.0), Some(0.5)).unwrap_err().to_string(),
        "score or probability must be given, not both: score (the churn score, 0–100) or probability (0–1), got both"
    );
    assert!(churn_score(Some(f64::NAN), None).is_err() && churn_score(None, Some(f64::NAN)).is_err());
    // The decision itself refuses a score off the scale with the same words.
    let c = playbook();
    let e = c.decide(&no_answer(&c, 400.0), 101.0, &[], &[], NOW, &DecideOptions::default()).unwrap_err();
    assert!(e.to_string().contains("multiply a probability by 100"), "{e}");
}

#[test]
fn unknown_factors_are_errors_listing_the_known_ones() {
    let c = playbook();
    let cu = no_answer(&c, 400.0);
    let e = c.decide(&cu, 50.0, &[Factor::new("bill_shok", 5.0)], &[], NOW, &DecideOptions::default()).unwrap_err();
    assert_eq!(e.code(), "UNKNOWN_VALUE");
    // The closest name first, then the others in catalogue order.
    assert_eq!(
        e.to_string(),
        "unknown factor \"bill_shok\"; expected one of bill_shock, repeat_contacts_90d, aht_90d, usage_trend_30d, \
         tenure_days, worst_interaction_90d, device_age_days, dropped_calls_30d"
    );
    let e = c
        .decide(
            &cu,
            50.0,
            &[Factor::new("bill_shock", 0.5), Factor::new("bill_shock", 0.1)],
            &[],
            NOW,
            &DecideOptions::default(),
        )
        .unwrap_err();
    assert_eq!(e.to_string(), "factors[1] must be a factor given once, got \"bill_shock\"");
    // A catalogue without factors says so.
    let bare = Catalog::from_value(&json!({"actions": [{"id": "a", "channel": "call"}]})).unwrap();
    let e =
        bare.decide(&bare.customer(&[]).unwrap(), 50.0, &[Factor::new("x", 1.0)], &[], NOW, &DecideOptions::default());
    assert!(e.unwrap_err().to_string().contains("it declares none"));
    // An unknown customer field lists the closest field first too.
    let e = c.customer(&[("last_np", num(3.0))]).unwrap_err().to_string();
    assert!(e.starts_with("unknown customer field \"last_np\"; expected one of last_nps, "), "{e}");
}

#[test]
fn a_customer_without_a_survey_answer_gets_a_decision() {
    let c = playbook();
    // Low risk, long tenure: the lock-in offer, the feedback survey (no answer yet) and no action.
    let d = c.decide(&no_answer(&c, 400.0), 12.0, &[], &[], NOW, &DecideOptions::default()).unwrap();
    let ids: Vec<&str> = d.actions.iter().map(|a| &*a.id).collect();
    assert_eq!(ids, ["lock_in_12m", "feedback_survey", "no_action"]);
    assert_eq!(d.actions[1].priority, 5.0);
    let by_id = |id: &str| d.trace.iter().find(|t| &*t.id == id).unwrap();
    // The rules on the answer are not applicable, and the trace says the answer is missing.
    assert_eq!(by_id("detractor_callback").verdict, Verdict::NotApplicable { path: "actions[3].applicability".into() });
    assert_eq!(by_id("detractor_callback").detail(), "actions[3].applicability: last_nps <= 6 (last_nps missing)");
    assert_eq!(by_id("thank_you").detail(), "actions[7].applicability: last_nps >= 9 (last_nps missing)");
    // At high risk the retention actions come first and the survey waits.
    let d = c.decide(&no_answer(&c, 400.0), 80.0, &[], &[], NOW, &DecideOptions::default()).unwrap();
    let ids: Vec<&str> = d.actions.iter().map(|a| &*a.id).collect();
    assert_eq!(ids, ["loyalty_invite", "retention_call"]);
    let survey = d.trace.iter().find(|t| &*t.id == "feedback_survey").unwrap();
    assert_eq!(survey.detail(), "actions[11].suitability: band in [low, medium] (score = 80, band high)");
    // With an answer, no survey.
    let mut answered = no_answer(&c, 400.0);
    answered.values[c.field_index("last_nps").unwrap()] = num(3.0);
    let d = c.decide(&answered, 12.0, &[], &[], NOW, &DecideOptions::default()).unwrap();
    let ids: Vec<&str> = d.actions.iter().map(|a| &*a.id).collect();
    assert_eq!(ids, ["lock_in_12m", "detractor_callback", "no_action"]);
    let survey = d.trace.iter().find(|t| &*t.id == "feedback_survey").unwrap();
    assert_eq!(survey.detail(), "actions[11].applicability: last_nps is missing (last_nps = 3)");
}

/// The single action of a catalogue whose eligibility is `cond`, for a customer whose
/// tenure is missing and segment "family": kept or not, and the trace's detail.
fn on_missing(cond: serde_json::Value) -> (bool, String) {
    let c = Catalog::from_value(&json!({
        "fields": {"tenure_days": "number", "segment": "string", "complained_outage": "bool"},
        "factors": ["bill_shock"],
        "actions": [{"id": "a", "channel": "call", "eligibility": cond}]
    }))
    .unwrap();
    let cu = c.customer(&[("segment", FieldValue::Text("family".into()))]).unwrap();
    let d = c.decide(&cu, 50.0, &[], &[], NOW, &DecideOptions::default()).unwrap();
    (matches!(d.trace[0].verdict, Verdict::Kept { .. }), d.trace[0].detail())
}

#[test]
fn comparisons_on_a_missing_field_are_false() {
    for op in ["<", "<=", ">", ">=", "==", "!="] {
        let (kept, detail) = on_missing(json!({"field": "tenure_days", "op": op, "value": 90}));
        assert!(!kept, "{op}");
        assert_eq!(detail, format!("actions[0].eligibility: tenure_days {op} 90 (tenure_days missing)"));
    }
    assert!(!on_missing(json!({"field": "tenure_days", "op": "in", "value": [1, 2]})).0);
    assert!(!on_missing(json!({"field": "complained_outage", "op": "!=", "value": true})).0);
    assert!(!on_missing(json!({"field": "complained_outage", "op": "==", "value": false})).0);
    // `not` of a false comparison holds: write the comparison you mean.
    assert!(on_missing(json!({"not": {"field": "tenure_days", "op": "<", "value": 90}})).0);
    // The missingness condition.
    assert!(on_missing(json!({"field": "tenure_days", "missing": true})).0);
    assert!(on_missing(json!({"field": "complained_outage", "missing": true})).0);
    let (kept, detail) = on_missing(json!({"field": "tenure_days", "missing": false}));
    assert!(!kept);
    assert_eq!(detail, "actions[0].eligibility: tenure_days is present (tenure_days missing)");
    let (kept, detail) = on_missing(json!({"field": "segment", "missing": true}));
    assert!(!kept);
    assert_eq!(detail, "actions[0].eligibility: segment is missing (segment = \"family\")");
    // Either: answered above 6, or never asked.
    let either =
        json!({"any": [{"field": "tenure_days", "op": ">", "value": 6}, {"field": "tenure_days", "missing": true}]});
    assert!(on_missing(either).0);
}

#[test]
fn the_missing_condition_is_checked_at_load() {
    let load = |cond: serde_json::Value| {
        Catalog::from_value(&json!({
            "fields": {"tenure_days": "number"},
            "actions": [{"id": "a", "channel": "call", "eligibility": cond}]
        }))
        .unwrap_err()
        .to_string()
    };
    assert_eq!(
        load(json!({"field": "tenure_days", "missing": "yes"})),
        "actions[0].eligibility.missing must be true (the field is missing) or false (it is present), got \"yes\""
    );
    let e = load(json!({"field": "tenure", "missing": true}));
    assert!(e.starts_with("unknown actions[0].eligibility.field \"tenure\""), "{e}");
    let e = load(json!({"field": "tenure_days", "missing": true, "op": "<"}));
    assert!(e.contains("actions[0].eligibility.op"), "{e}");
}

#[test]
fn the_trace_says_which_condition_failed_and_what_it_saw() {
    let c = playbook();
    let cu = c
        .customer(&[
            ("tenure_days", num(120.0)),
            ("segment", FieldValue::Text("prepaid".into())),
            ("complained_outage", FieldValue::Bool(false)),
            ("complained_overage", FieldValue::Bool(false)),
            ("monthly_bill", num(40.0)),
            ("payment_trend", num(0.8)),
            ("usage_trend_30d", num(1.2)),
            ("last_nps", num(8.0)),
        ])
        .unwrap();
    let factors = [Factor::new("bill_shock", 0.6), Factor::new("device_age_days", 0.2), Factor::new("aht_90d", 0.3)];
    let d =
        c.decide(&cu, 45.0, &factors, &[], NOW, &DecideOptions { top_n: 100, propensity: None, uplift: None }).unwrap();
    let detail: Vec<(&str, String)> = d.trace.iter().map(|t| (&*t.id, t.detail())).collect();
    assert_eq!(
        detail,
        [
            (
                "bill_discount",
                "actions[0].eligibility: complained_outage == true (complained_outage = false)".to_string()
            ),
            ("early_renewal_phone", "actions[1].eligibility: tenure_days >= 180 (tenure_days = 120)".into()),
            ("bonus_data", "actions[2].applicability: complained_overage == true (complained_overage = false)".into()),
            ("detractor_callback", "actions[3].applicability: last_nps <= 6 (last_nps = 8)".into()),
            ("loyalty_invite", "actions[4].eligibility: tenure_days >= 365 (tenure_days = 120)".into()),
            ("upsell", "actions[5].applicability: band low (score = 45, band medium)".into()),
            ("no_action", "actions[6].applicability: band low (score = 45, band medium)".into()),
            ("thank_you", "actions[7].applicability: last_nps >= 9 (last_nps = 8)".into()),
            ("lock_in_12m", "actions[8].applicability.all[0]: score < 20 (score = 45)".into()),
            ("retention_call", "actions[9].applicability: band high (score = 45, band medium)".into()),
            ("retention_topup", "actions[10].applicability.all[0]: score >= 60 (score = 45)".into()),
            ("feedback_survey", "actions[11].applicability: last_nps is missing (last_nps = 8)".into()),
        ]
    );
    // Factors: their rank among the given ones, or that they were not given.
    let old = c.customer(&[("tenure_days", num(400.0)), ("segment", FieldValue::Text("prepaid".into()))]).unwrap();
    let d = c.decide(&old, 45.0, &factors, &[], NOW, &DecideOptions::default()).unwrap();
    assert_eq!(
        d.trace[1].condition.as_deref(),
        Some("any(device_age_days in the top 2 factors, dropped_calls_30d in the top 2 factors)")
    );
    assert_eq!(d.trace[1].seen, "device_age_days rank 3 (0.2); dropped_calls_30d not given");
    // Kept and suppressed actions have no condition.
    assert!(d
        .trace
        .iter()
        .filter(|t| t.verdict.status() == "kept")
        .all(|t| t.condition.is_none() && t.seen.is_empty()));
}

/// Customers whose fields may be missing (never the monthly bill, which values read).
fn sparse_customer() -> impl Strategy<Value = nps_core::action::Customer> {
    let c = playbook();
    let bill = c.field_index("monthly_bill").unwrap();
    common::typed_customer().prop_flat_map(move |cu| {
        let n = cu.values.len();
        (Just(cu), prop::collection::vec(any::<bool>(), n)).prop_map(move |(mut cu, gone)| {
            for (slot, g) in gone.into_iter().enumerate() {
                if g && slot != bill {
                    cu.values[slot] = FieldValue::Missing;
                }
            }
            cu
        })
    })
}

proptest! {
    /// With fields missing, a decision is made (never an error), and the fast path makes
    /// the same one with the same trace.
    #[test]
    fn missing_fields_decide_the_same_both_ways(cu in sparse_customer(), score in 0.0f64..=100.0) {
        let c = playbook();
        let d = c.decide(&cu, score, &[], &[], NOW, &DecideOptions::default()).unwrap();
        let mut values = Vec::new();
        c.encode(&cu, &mut values).unwrap();
        let (mut ranked, mut trace, mut scratch) = (Vec::new(), Vec::new(), nps_core::action::Scratch::default());
        c.decide_values(&values, score, &[], &[], NOW, &DecideOptions::default(), &mut scratch, &mut ranked, Some(&mut trace)).unwrap();
        prop_assert_eq!(ranked.iter().map(|r| r.index).collect::<Vec<_>>(), d.actions.iter().map(|a| a.index).collect::<Vec<_>>());
        for (fast, slow) in trace.iter().zip(&d.trace) {
            prop_assert_eq!(&fast.verdict, &slow.verdict);
            prop_assert_eq!(&fast.condition, &slow.condition);
        }
        // A customer without an answer below the high band is asked for one.
        let no_answer = matches!(cu.values[c.field_index("last_nps").unwrap()], FieldValue::Missing);
        let survey = d.trace.iter().find(|t| &*t.id == "feedback_survey").unwrap();
        prop_assert_eq!(survey.verdict.priority().is_some(), no_answer && score < 60.0);
    }
}

#[test]
fn many_customers_at_once_decide_as_one_at_a_time() {
    let c = playbook();
    let customers = [no_answer(&c, 400.0), no_answer(&c, 50.0), {
        let mut cu = no_answer(&c, 400.0);
        cu.values[c.field_index("last_nps").unwrap()] = num(3.0);
        cu
    }];
    let scores = [12.0, 45.0, 80.0];
    let k = c.factors().len();
    let mut contributions = vec![f64::NAN; 3 * k];
    contributions[k + c.factor_index("bill_shock").unwrap()] = 0.4;
    contributions[2 * k + c.factor_index("device_age_days").unwrap()] = 0.9;
    let mut values = Vec::new();
    for cu in &customers {
        let mut v = Vec::new();
        c.encode(cu, &mut v).unwrap();
        values.extend(v);
    }
    let name = |i: usize| format!("row {:?}", ["A", "B", "C"][i]);
    let rows = c.decide_rows(&values, &scores, &contributions, &[], 3, &name).unwrap();
    assert_eq!(rows.len(), 3);
    let (mut scratch, mut one) = (nps_core::action::Scratch::default(), Vec::new());
    let f = c.fields().len();
    for i in 0..3 {
        c.decide_values(
            &values[i * f..(i + 1) * f],
            scores[i],
            &contributions[i * k..(i + 1) * k],
            &[],
            NOW,
            &DecideOptions::default(),
            &mut scratch,
            &mut one,
            None,
        )
        .unwrap();
        assert_eq!(rows[i], one, "row {i}");
    }
    let ids: Vec<Vec<&str>> = rows.iter().map(|r| r.iter().map(|x| &*c.actions()[x.index].id).collect()).collect();
    assert_eq!(ids[0], ["lock_in_12m", "feedback_survey", "no_action"]);
    assert_eq!(ids[2][..2], ["early_renewal_phone", "detractor_callback"]);
    // Errors say which row, or that the lengths do not fit the rows.
    let e = c.decide_rows(&values, &[12.0, 101.0, 5.0], &contributions, &[], 3, &name).unwrap_err().to_string();
    assert!(e.starts_with("row \"B\": score must be a churn score in 0..=100"), "{e}");
    let e = c.decide_rows(&values[1..], &scores, &[], &[], 3, &name).unwrap_err().to_string();
    assert_eq!(e, format!("values has {} elements but 3 rows × {f} fields has {}", 3 * f - 1, 3 * f));
    let e = c.decide_rows(&values, &scores, &contributions[1..], &[], 3, &name).unwrap_err().to_string();
    assert!(e.starts_with("contributions has"), "{e}");
    let mut no_bill = values.clone();
    no_bill[f + c.field_index("monthly_bill").unwrap()] = f64::NAN;
    let outage = c.field_index("complained_outage").unwrap();
    no_bill[f + outage] = 1.0;
    let e = c.decide_rows(&no_bill, &[12.0, 80.0, 80.0], &[], &[], 3, &name).unwrap_err().to_string();
    assert!(e.starts_with("row \"B\": customer field \"monthly_bill\" (the value of action \"bill_discount\")"), "{e}");
}
