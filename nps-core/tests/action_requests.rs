//! The decision requests the bindings send ([`DecideRequest`], [`ValuesRequest`] through a
//! [`Decider`]) decide exactly as the lower-level calls they orchestrate, with the defaults
//! they name, and read from JSON with those defaults.
use nps_core::action::{
    playbook, DecideOptions, DecideRequest, Decider, FieldValue, Learner, Logging, Outcome, OutcomeKind, ValuesRequest,
    DEFAULT_TOP,
};
use nps_core::synth::Rng;

mod common;

fn history() -> Vec<Outcome> {
    vec![Outcome {
        action: "detractor_callback".into(),
        channel: "call".into(),
        group: "care".into(),
        time: 1_782_864_000 - 86_400,
        kind: OutcomeKind::Presented,
    }]
}

#[test]
fn a_request_decides_as_the_calls_it_orchestrates() {
    let c = playbook();
    let record = c.customer(&common::unhappy_fields()).unwrap();
    let factors = vec![nps_core::action::Factor::new("bill_shock", 0.9)];
    let now = 1_782_864_000;
    let request = DecideRequest {
        score: Some(75.0),
        factors: factors.clone(),
        history: history(),
        now: Some(now),
        ..Default::default()
    };
    let plain = c.decide_request(&common::unhappy_fields(), &request, None).unwrap();
    let expected = c.decide(&record, 75.0, &factors, &history(), now, &DecideOptions::default()).unwrap();
    assert_eq!(plain.decision, expected);
    assert_eq!(plain.log, None);
    let bare = DecideRequest { score: Some(75.0), ..Default::default() };
    assert_eq!(c.decide_request(&common::unhappy_fields(), &bare, None).unwrap().decision.actions.len(), DEFAULT_TOP);

    // Learning: the draws come from a source seeded with the request's seed.
    let mut learner = Learner::new([1.0, 1.0], 0.0, 0).unwrap();
    for _ in 0..20 {
        learner.record("bill_discount", "s", false);
    }
    let learning = DecideRequest { segment: "s".into(), seed: 7, ..request.clone() };
    let learned = c.decide_request(&common::unhappy_fields(), &learning, Some(&learner)).unwrap();
    let by_hand = c
        .decide_learning(&record, 75.0, &factors, &history(), now, DEFAULT_TOP, &learner, "s", &mut Rng::new(7))
        .unwrap();
    assert_eq!(learned.decision, by_hand);

    // Logging, with a control group.
    let logged = DecideRequest { customer_id: Some("C1".into()), control_share: 0.5, ..learning.clone() };
    let r = c.decide_request(&common::unhappy_fields(), &logged, Some(&learner)).unwrap();
    let logging = Logging { control_share: 0.5, ..Logging::new("C1", "s") };
    let (d, entry) = c
        .decide_logged(
            &record,
            75.0,
            &factors,
            &history(),
            now,
            &DecideOptions::default(),
            Some((&learner, &mut Rng::new(7))),
            &logging,
        )
        .unwrap();
    assert_eq!((r.decision, r.log), (d, Some(entry)));
}

#[test]
fn mapping_and_ignore_extra_apply_to_fields_and_factors() {
    let c = playbook();
    let mut renamed: Vec<(&str, FieldValue)> = common::unhappy_fields()
        .into_iter()
        .map(|(n, v)| (if n == "monthly_bill" { "MonthlyCharges" } else { n }, v))
        .collect();
    renamed.push(("gender", FieldValue::Text("Female".into())));
    let request = DecideRequest {
        score: Some(75.0),
        factors: vec![nps_core::action::Factor::new("shock", 0.9), nps_core::action::Factor::new("Contract", 2.0)],
        mapping: [("MonthlyCharges", "monthly_bill"), ("shock", "bill_shock")]
            .into_iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect(),
        ignore_extra: true,
        ..Default::default()
    };
    let wide = c.decide_request(&renamed, &request, None).unwrap();
    let narrow = DecideRequest {
        score: Some(75.0),
        factors: vec![nps_core::action::Factor::new("bill_shock", 0.9)],
        ..Default::default()
    };
    assert_eq!(wide, c.decide_request(&common::unhappy_fields(), &narrow, None).unwrap());
    let strict = DecideRequest { ignore_extra: false, ..request };
    let e = c.decide_request(&renamed, &strict, None).unwrap_err().to_string();
    assert!(e.starts_with("unknown customer field \"gender\""), "{e}");
}

#[test]
fn the_fast_path_decides_as_a_request() {
    let c = playbook();
    let record = c.customer(&common::unhappy_fields()).unwrap();
    let mut values = Vec::new();
    c.encode(&record, &mut values).unwrap();
    let mut learner = Learner::new([1.0, 1.0], 0.0, 0).unwrap();
    learner.record("retention_topup", "s", true);
    let mut decider = Decider::default();
    let request =
        ValuesRequest { probability: Some(0.75), trace: true, segment: "s".into(), seed: 3, ..Default::default() };
    decider.decide_values(&c, &values, &[], &request, Some(&learner)).unwrap();
    let full = DecideRequest { probability: Some(0.75), segment: "s".into(), seed: 3, ..Default::default() };
    let d = c.decide_request(&common::unhappy_fields(), &full, Some(&learner)).unwrap().decision;
    assert_eq!(
        decider.ranked().iter().map(|x| x.index).collect::<Vec<_>>(),
        d.actions.iter().map(|a| a.index).collect::<Vec<_>>()
    );
    assert_eq!(decider.trace().len(), c.actions().len());
    // Without the trace, none is left from the last call.
    decider.decide_values(&c, &values, &[], &ValuesRequest { score: Some(75.0), ..Default::default() }, None).unwrap();
    assert!(decider.trace().is_empty());
    // Its errors are the request's.
    let e = decider.decide_values(&c, &values, &[], &ValuesRequest::default(), None).unwrap_err().to_string();
    assert!(e.contains("score or probability"), "{e}");
}

#[test]
fn one_decider_reused_decides_as_fresh_requests() {
    // A binding keeps one decider per catalogue: whatever came before (another customer, a
    // learner, a log, an error), its next decision is the fresh request's.
    let c = playbook();
    let mut learner = Learner::new([1.0, 1.0], 0.0, 0).unwrap();
    learner.record("retention_topup", "s", true);
    let now = 1_782_864_000;
    let mut decider = Decider::default();
    for k in 0..60u32 {
        let mut fields = common::unhappy_fields();
        for (name, value) in fields.iter_mut() {
            match (*name, k % 4) {
                ("tenure_days", _) => *value = FieldValue::Number(f64::from((k * 37) % 900)),
                ("last_nps", _) => *value = FieldValue::Number(f64::from(k % 11)),
                ("segment", 1) => *value = FieldValue::Text("family".into()),
                ("complained_outage", 2) => *value = FieldValue::Bool(false),
                _ => {}
            }
        }
        let factors = vec![
            nps_core::action::Factor::new("bill_shock", f64::from(k % 5) / 4.0 - 0.5),
            nps_core::action::Factor::new("repeat_contacts_90d", f64::from(k % 3) / 2.0),
        ];
        let request = DecideRequest {
            score: Some(f64::from((k * 13) % 101)),
            factors,
            history: if k % 3 == 0 { history() } else { Vec::new() },
            now: Some(now),
            top: 1 + (k % 4) as usize,
            segment: "s".into(),
            seed: u64::from(k),
            customer_id: (k % 5 == 0).then(|| format!("C{k}")),
            ..Default::default()
        };
        let learner = (k % 7 == 0).then_some(&learner);
        let bad = k % 11 == 5; // a factor given twice: an error, after which the next decides as ever
        let request = match bad {
            true => DecideRequest { factors: vec![nps_core::action::Factor::new("bill_shock", 1.0); 2], ..request },
            false => request,
        };
        let fresh = c.decide_request(&fields, &request, learner);
        let reused = decider.decide_request(&c, &fields, &request, learner);
        match (fresh, reused) {
            (Ok(fresh), Ok(log)) => {
                assert_eq!(&fresh.decision, decider.decision(), "request {k}");
                assert_eq!(fresh.log, log, "request {k}");
            }
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
            (a, b) => panic!("request {k}: {a:?} vs {b:?}"),
        }
        assert_eq!(bad, decider.decision().trace.is_empty());
    }
}

#[test]
fn requests_read_from_json_with_their_defaults_and_refuse_unknown_keys() {
    let r: DecideRequest = serde_json::from_str(
        r#"{"score": 75, "history": [{"action": "a", "channel": "sms",
        "group": "g", "time": 5, "kind": "accepted"}]}"#,
    )
    .unwrap();
    assert_eq!(
        r,
        DecideRequest {
            score: Some(75.0),
            history: vec![Outcome {
                action: "a".into(),
                channel: "sms".into(),
                group: "g".into(),
                time: 5,
                kind: OutcomeKind::Accepted
            }],
            ..Default::default()
        }
    );
    assert_eq!((r.top, r.seed, r.draws), (DEFAULT_TOP, 0, nps_core::action::PROPENSITY_DRAWS));
    let e = serde_json::from_str::<DecideRequest>(r#"{"scor": 75}"#).unwrap_err().to_string();
    assert!(e.contains("unknown field `scor`"), "{e}");
    let v: ValuesRequest = serde_json::from_str(r#"{"probability": 0.5, "trace": true}"#).unwrap();
    assert_eq!(v, ValuesRequest { probability: Some(0.5), trace: true, ..Default::default() });
}

#[test]
fn outcome_kinds_parse_by_name_and_name_the_field() {
    for (name, kind) in OutcomeKind::NAMES.iter().zip([
        OutcomeKind::Presented,
        OutcomeKind::Accepted,
        OutcomeKind::Rejected,
        OutcomeKind::Ignored,
    ]) {
        assert_eq!(name.parse::<OutcomeKind>().unwrap(), kind);
    }
    let e = OutcomeKind::named("maybe", "history[2].kind").unwrap_err().to_string();
    assert_eq!(
        e,
        "unknown history[2].kind (outcome kind) \"maybe\"; expected one of presented, accepted, rejected, ignored"
    );
}
