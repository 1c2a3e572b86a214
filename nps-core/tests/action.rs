//! Next-best-action: catalogue loading, conditions, contact policies, arbitration, the trace
//! and the shipped playbook.
use nps_core::action::{
    decision_time, playbook, Catalog, Customer, DecideOptions, Decision, Factor, FieldValue, Outcome, OutcomeKind,
    Verdict,
};
use proptest::prelude::*;
use serde_json::{json, Value};

mod common;
use common::{history, typed_customer, DAY, NOW};

fn num(x: f64) -> FieldValue {
    FieldValue::Number(x)
}
fn text(s: &str) -> FieldValue {
    FieldValue::Text(s.into())
}

/// A catalogue with the example schema and the given actions, policies and levers.
fn catalog(actions: Value, policies: Value, levers: Value) -> Catalog {
    Catalog::from_value(&base(actions, policies, levers)).unwrap()
}

fn base(actions: Value, policies: Value, levers: Value) -> Value {
    json!({
        "fields": {"tenure_days": "number", "segment": "string", "complained_outage": "bool", "monthly_bill": "number"},
        "factors": ["bill_shock", "repeat_contacts_90d", "aht_90d", "usage_trend_30d", "tenure_days", "worst_interaction_90d"],
        "bands": [{"name": "low", "below": 30}, {"name": "medium", "below": 60}, {"name": "high"}],
        "levers": levers,
        "policies": policies,
        "actions": actions
    })
}

/// One action whose eligibility is `cond`.
fn with_condition(cond: Value) -> Catalog {
    catalog(json!([{"id": "a", "channel": "call", "eligibility": cond}]), json!([]), json!([]))
}

fn customer(c: &Catalog) -> Customer {
    c.customer(&[
        ("tenure_days", num(400.0)),
        ("segment", text("family")),
        ("complained_outage", FieldValue::Bool(true)),
        ("monthly_bill", num(50.0)),
    ])
    .unwrap()
}

fn factors() -> Vec<Factor> {
    vec![
        Factor::new("bill_shock", 0.5),
        Factor::new("repeat_contacts_90d", 0.3),
        Factor::new("aht_90d", 0.3),
        Factor::new("usage_trend_30d", -0.2),
        Factor::new("tenure_days", 0.1),
    ]
}

fn decide(c: &Catalog, cu: &Customer, score: f64, history: &[Outcome]) -> Decision {
    c.decide(cu, score, &factors(), history, NOW, &DecideOptions::default()).unwrap()
}

/// Whether the single action of a `with_condition` catalogue is kept.
fn holds(cond: Value, score: f64) -> bool {
    let c = with_condition(cond);
    let d = decide(&c, &customer(&c), score, &[]);
    match &d.trace[0].verdict {
        Verdict::Kept { .. } => true,
        Verdict::NotEligible { .. } => false,
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn every_condition_type() {
    // Comparisons on numbers.
    assert!(holds(json!({"field": "tenure_days", "op": ">", "value": 90}), 50.0));
    assert!(!holds(json!({"field": "tenure_days", "op": "<", "value": 400}), 50.0));
    assert!(holds(json!({"field": "tenure_days", "op": "<=", "value": 400}), 50.0));
    assert!(holds(json!({"field": "tenure_days", "op": ">=", "value": 400}), 50.0));
    assert!(holds(json!({"field": "tenure_days", "op": "==", "value": 400}), 50.0));
    assert!(!holds(json!({"field": "tenure_days", "op": "!=", "value": 400}), 50.0));
    assert!(holds(json!({"field": "tenure_days", "op": "in", "value": [1, 400]}), 50.0));
    assert!(!holds(json!({"field": "tenure_days", "op": "in", "value": [1, 2]}), 50.0));
    // Strings and bools.
    assert!(holds(json!({"field": "segment", "op": "==", "value": "family"}), 50.0));
    assert!(holds(json!({"field": "segment", "op": "!=", "value": "prepaid"}), 50.0));
    assert!(holds(json!({"field": "segment", "op": "in", "value": ["prepaid", "family"]}), 50.0));
    assert!(!holds(json!({"field": "segment", "op": "in", "value": ["prepaid"]}), 50.0));
    assert!(holds(json!({"field": "complained_outage", "op": "==", "value": true}), 50.0));
    assert!(!holds(json!({"field": "complained_outage", "op": "!=", "value": true}), 50.0));
    // Score and bands (low < 30 <= medium < 60 <= high).
    assert!(holds(json!({"score": ">=", "value": 60}), 60.0));
    assert!(!holds(json!({"score": ">=", "value": 60}), 59.9));
    assert!(holds(json!({"band": "high"}), 60.0));
    assert!(!holds(json!({"band": "high"}), 59.9));
    assert!(holds(json!({"band": ["low", "medium"]}), 29.9));
    assert!(holds(json!({"band": "medium"}), 30.0));
    // Segment membership.
    assert!(holds(json!({"segment": ["prepaid", "family"]}), 50.0));
    assert!(!holds(json!({"segment": ["prepaid"]}), 50.0));
    // Factors: bill_shock 0.5 first; repeat_contacts_90d and aht_90d tie at 0.3 (aht_90d first by name).
    assert!(holds(json!({"factor": "bill_shock", "in_top": 1}), 50.0));
    assert!(holds(json!({"factor": "aht_90d", "in_top": 2}), 50.0));
    assert!(!holds(json!({"factor": "repeat_contacts_90d", "in_top": 2}), 50.0));
    assert!(holds(json!({"factor": "repeat_contacts_90d", "in_top": 3}), 50.0));
    assert!(!holds(json!({"factor": "worst_interaction_90d", "in_top": 6}), 50.0), "absent factor");
    assert!(holds(json!({"factor": "bill_shock", "raises_more_than": 0.2}), 50.0));
    assert!(!holds(json!({"factor": "usage_trend_30d", "raises_more_than": 0.0}), 50.0));
    // Combinators.
    let yes = json!({"score": ">", "value": 0});
    let no = json!({"score": "<", "value": 0});
    assert!(holds(json!({"all": [yes, yes]}), 50.0));
    assert!(!holds(json!({"all": [yes, no]}), 50.0));
    assert!(holds(json!({"any": [no, yes]}), 50.0));
    assert!(!holds(json!({"any": [no, no]}), 50.0));
    assert!(holds(json!({"not": no}), 50.0));
    assert!(!holds(json!({"not": yes}), 50.0));
    assert!(holds(json!({"all": []}), 50.0));
}

#[test]
fn first_failing_condition_path() {
    let c = catalog(
        json!([{"id": "a", "channel": "call",
            "applicability": {"all": [{"score": ">", "value": 0}, {"not": {"band": "medium"}}]}}]),
        json!([]),
        json!([]),
    );
    let d = decide(&c, &customer(&c), 50.0, &[]);
    assert_eq!(d.trace[0].verdict, Verdict::NotApplicable { path: "actions[0].applicability.all[1]".into() });
    let c = catalog(
        json!([{"id": "a", "channel": "call", "suitability": {"any": [{"score": "<", "value": 0}]}}]),
        json!([]),
        json!([]),
    );
    let d = decide(&c, &customer(&c), 50.0, &[]);
    assert_eq!(d.trace[0].verdict, Verdict::NotSuitable { path: "actions[0].suitability".into() });
}

fn load_error(actions: Value) -> String {
    Catalog::from_value(&base(actions, json!([]), json!([]))).unwrap_err().to_string()
}

fn assert_contains(message: String, part: &str) {
    assert!(message.contains(part), "{message:?} does not contain {part:?}");
}

#[test]
fn load_errors_name_the_json_path() {
    let ok = json!({"score": ">", "value": 0});
    let act = |cond: Value| json!([{"id": "x", "channel": "call"}, {"id": "a", "channel": "call", "eligibility": {"all": [ok, cond]}}]);
    assert_contains(
        load_error(act(json!({"field": "colour", "op": "==", "value": "red"}))),
        "actions[1].eligibility.all[1].field",
    );
    assert_contains(load_error(act(json!({"field": "colour", "op": "==", "value": "red"}))), "colour");
    assert_contains(
        load_error(act(json!({"field": "tenure_days", "op": "~", "value": 1}))),
        "actions[1].eligibility.all[1].op",
    );
    assert_contains(
        load_error(act(json!({"field": "segment", "op": "==", "value": 3}))),
        "actions[1].eligibility.all[1].value",
    );
    assert_contains(
        load_error(act(json!({"field": "tenure_days", "op": "==", "value": "long"}))),
        "actions[1].eligibility.all[1].value",
    );
    assert_contains(
        load_error(act(json!({"field": "segment", "op": "<", "value": "a"}))),
        "actions[1].eligibility.all[1].op",
    );
    assert_contains(
        load_error(act(json!({"field": "tenure_days", "op": "in", "value": 3}))),
        "actions[1].eligibility.all[1].value",
    );
    assert_contains(load_error(act(json!({"factor": "mood", "in_top": 3}))), "actions[1].eligibility.all[1].factor");
    assert_contains(
        load_error(act(json!({"factor": "bill_shock", "in_top": 0}))),
        "actions[1].eligibility.all[1].in_top",
    );
    assert_contains(load_error(act(json!({"band": "extreme"}))), "actions[1].eligibility.all[1].band");
    assert_contains(load_error(act(json!({"score": "~", "value": 1}))), "actions[1].eligibility.all[1].score");
    assert_contains(load_error(act(json!({"colour": "red"}))), "actions[1].eligibility.all[1].colour");
    assert_contains(load_error(act(json!({"not": 3}))), "actions[1].eligibility.all[1].not");
    assert_contains(load_error(json!([{"id": "a", "channel": "call", "value": -1}])), "actions[0].value");
    assert_contains(
        load_error(json!([{"id": "a", "channel": "call", "value": {"field": "monthly_bill", "times": -0.5}}])),
        "actions[0].value.times",
    );
    assert_contains(
        load_error(json!([{"id": "a", "channel": "call", "value": {"field": "segment"}}])),
        "actions[0].value.field",
    );
    assert_contains(load_error(json!([{"id": "a", "channel": "call", "weight": -2}])), "actions[0].weight");
    assert_contains(
        load_error(json!([{"id": "a", "channel": "call"}, {"id": "a", "channel": "sms"}])),
        "actions[1].id",
    );
    assert_contains(load_error(json!([{"id": "a"}])), "actions[0].channel");
    assert_contains(load_error(json!([{"id": "a", "channel": "call", "colour": 1}])), "actions[0].colour");
    let lever = Catalog::from_value(&base(
        json!([{"id": "a", "channel": "call"}]),
        json!([]),
        json!([{"name": "x", "percent": -5, "group": "g"}]),
    ));
    assert_contains(lever.unwrap_err().to_string(), "levers[0].percent");
    let policy = Catalog::from_value(&base(
        json!([]),
        json!([{"channel_limit": {"channel": "sms", "max": -1, "within_days": 7}}]),
        json!([]),
    ));
    assert_contains(policy.unwrap_err().to_string(), "policies[0].channel_limit.max");
    let policy = Catalog::from_value(&base(
        json!([]),
        json!([{"suppress": {"group": "g", "after": 2, "outcome": "bored", "within_days": 7, "for_days": 1}}]),
        json!([]),
    ));
    assert_contains(policy.unwrap_err().to_string(), "policies[0].suppress.outcome");
    let mut bad_bands = base(json!([]), json!([]), json!([]));
    bad_bands["bands"] = json!([{"name": "low", "below": 30}, {"name": "mid", "below": 20}, {"name": "high"}]);
    assert_contains(Catalog::from_value(&bad_bands).unwrap_err().to_string(), "bands[1].below");
    let mut bad_field = base(json!([]), json!([]), json!([]));
    bad_field["fields"]["age"] = json!("integer");
    assert_contains(Catalog::from_value(&bad_field).unwrap_err().to_string(), "fields.age");
    assert_contains(Catalog::from_json("{\"actions\": [").unwrap_err().to_string(), "line 1");
}

#[test]
fn customers_by_name() {
    let c = with_condition(json!({"score": ">", "value": 0}));
    let e = c.customer(&[("colour", text("red"))]).unwrap_err().to_string();
    assert_contains(e, "colour");
    let e = c.customer(&[("tenure_days", text("long"))]).unwrap_err().to_string();
    assert_contains(e.clone(), "tenure_days");
    assert_contains(e, "long");
    let cu = c.customer(&[("segment", text("family"))]).unwrap();
    assert_eq!(cu.values[c.field_index("segment").unwrap()], text("family"));
    assert_eq!(cu.values[c.field_index("tenure_days").unwrap()], FieldValue::Missing);
}

#[test]
fn missing_field_at_decision_time() {
    // A comparison on a Missing field is false (it is not an error): the action that needs
    // tenure is not applicable, and the trace says why.
    let c = catalog(
        json!([{"id": "ok", "channel": "call"},
               {"id": "needs_tenure", "channel": "call",
                "applicability": {"any": [{"score": "<", "value": 0}, {"field": "tenure_days", "op": ">", "value": 90}]}}]),
        json!([]),
        json!([]),
    );
    let cu = c.customer(&[("segment", text("family"))]).unwrap();
    let d = c.decide(&cu, 50.0, &[], &[], NOW, &DecideOptions::default()).unwrap();
    assert_eq!(d.actions.iter().map(|a| &*a.id).collect::<Vec<_>>(), ["ok"]);
    assert_eq!(d.trace[1].verdict, Verdict::NotApplicable { path: "actions[1].applicability".into() });
    assert_eq!(
        d.trace[1].detail(),
        "actions[1].applicability: any(score < 0, tenure_days > 90) (score = 50; tenure_days missing)"
    );
    // A value read from a Missing field is still an error, naming the action and the field.
    let c = catalog(json!([{"id": "v", "channel": "call", "value": {"field": "monthly_bill"}}]), json!([]), json!([]));
    let e = c.decide(&cu, 50.0, &[], &[], NOW, &DecideOptions::default()).unwrap_err().to_string();
    assert_contains(e.clone(), "monthly_bill");
    assert_contains(e, "\"v\"");
}

fn outcome(action: &str, channel: &str, group: &str, days_ago: f64, kind: OutcomeKind) -> Outcome {
    Outcome {
        action: action.into(),
        channel: channel.into(),
        group: group.into(),
        time: NOW - (days_ago * DAY as f64) as i64,
        kind,
    }
}

#[test]
fn decision_time_is_required_when_it_is_read() {
    let presented = outcome("x", "sms", "g", 1.0, OutcomeKind::Presented);
    assert_eq!(decision_time(Some(NOW), std::slice::from_ref(&presented), true), Ok(NOW));
    // Nothing reads the time without a history or a log: any time will do.
    assert_eq!(decision_time(None, &[], false), Ok(0));
    let e = decision_time(None, &[presented], false).unwrap_err();
    assert_eq!(e.code(), "INVALID_PARAMETER");
    assert_eq!(
        e.to_string(),
        "now must be given with a history of outcomes (the contact policies count the outcomes within a window \
         before now), got nothing"
    );
    let e = decision_time(None, &[], true).unwrap_err();
    assert_eq!(e.to_string(), "now must be given for a logged decision (its entry records the time), got nothing");
}

#[test]
fn channel_limit() {
    let c = catalog(
        json!([{"id": "text", "channel": "sms"}, {"id": "phone", "channel": "call"}]),
        json!([{"channel_limit": {"channel": "sms", "max": 2, "within_days": 7}}]),
        json!([]),
    );
    let cu = customer(&c);
    let p = |days: f64| outcome("x", "sms", "g", days, OutcomeKind::Presented);
    // One presentation: limit not reached.
    let d = decide(&c, &cu, 50.0, &[p(1.0)]);
    assert!(matches!(d.trace[0].verdict, Verdict::Kept { .. }));
    // Two within 7 days: reached, sms suppressed, call untouched.
    let d = decide(&c, &cu, 50.0, &[p(1.0), p(6.9)]);
    assert!(matches!(d.trace[0].verdict, Verdict::Suppressed { policy: 0, .. }), "{:?}", d.trace[0]);
    assert!(matches!(d.trace[1].verdict, Verdict::Kept { .. }));
    assert!(d.actions.iter().all(|a| &*a.id != "text"));
    // Exactly 7 days old no longer counts; rejected or other channels do not count.
    let d = decide(&c, &cu, 50.0, &[p(1.0), p(7.0)]);
    assert!(matches!(d.trace[0].verdict, Verdict::Kept { .. }));
    let d = decide(
        &c,
        &cu,
        50.0,
        &[
            p(1.0),
            outcome("x", "sms", "g", 1.0, OutcomeKind::Rejected),
            outcome("x", "call", "g", 1.0, OutcomeKind::Presented),
        ],
    );
    assert!(matches!(d.trace[0].verdict, Verdict::Kept { .. }));
}

#[test]
fn suppression_windows() {
    let c = catalog(
        json!([{"id": "offer", "channel": "call", "group": "retention"},
               {"id": "other", "channel": "call", "group": "retention"},
               {"id": "care", "channel": "call", "group": "care"}]),
        json!([{"suppress": {"group": "retention", "after": 2, "outcome": "rejected", "within_days": 30, "for_days": 60}},
               {"suppress": {"action": "care", "after": 1, "outcome": "ignored", "within_days": 1, "for_days": 10}}]),
        json!([]),
    );
    let cu = customer(&c);
    let r = |days: f64| outcome("offer", "call", "retention", days, OutcomeKind::Rejected);
    let kept = |d: &Decision, i: usize| matches!(d.trace[i].verdict, Verdict::Kept { .. });
    // One rejection: nothing.
    assert!(kept(&decide(&c, &cu, 50.0, &[r(5.0)]), 0));
    // Two rejections 29 days apart, last 59 days ago: the whole group suppressed.
    let d = decide(&c, &cu, 50.0, &[r(59.0), r(88.0)]);
    assert!(matches!(d.trace[0].verdict, Verdict::Suppressed { policy: 0, .. }));
    assert!(matches!(d.trace[1].verdict, Verdict::Suppressed { policy: 0, .. }));
    assert!(kept(&d, 2));
    // Suppression over: the triggering rejection is exactly 60 days old.
    assert!(kept(&decide(&c, &cu, 50.0, &[r(60.0), r(89.0)]), 0));
    // Two rejections exactly 30 days apart are not within 30 days.
    assert!(kept(&decide(&c, &cu, 50.0, &[r(10.0), r(40.0)]), 0));
    // Outcomes in the future are ignored.
    assert!(kept(&decide(&c, &cu, 50.0, &[r(-1.0), r(-2.0)]), 0));
    // Action scope.
    let d = decide(&c, &cu, 50.0, &[outcome("care", "call", "care", 9.9, OutcomeKind::Ignored)]);
    let Verdict::Suppressed { policy: 1, reason } = &d.trace[2].verdict else { panic!("{:?}", d.trace[2]) };
    assert_eq!(&**reason, "action care suppressed for 10 days after 1 ignored outcome(s) within 1 days");
    assert!(kept(&d, 0));
    assert!(kept(&decide(&c, &cu, 50.0, &[outcome("care", "call", "care", 10.0, OutcomeKind::Ignored)]), 2));
}

#[test]
fn priority_is_p_c_v_l() {
    let c = catalog(
        json!([{"id": "fixed", "channel": "call", "group": "retention", "value": 10, "weight": 2},
               {"id": "by_bill", "channel": "call", "group": "growth", "value": {"field": "monthly_bill", "times": 0.5}, "weight": 0.5},
               {"id": "plain", "channel": "email"}]),
        json!([]),
        json!([{"name": "push", "percent": 20, "group": "retention"},
               {"name": "extra", "percent": 5, "action": "fixed"},
               {"name": "grow", "percent": 50, "group": "growth"}]),
    );
    assert_eq!(c.actions()[0].lever, 1.25);
    let cu = customer(&c); // monthly_bill 50
    let d = decide(&c, &cu, 50.0, &[]);
    // fixed: 1 × 2 × 10 × 1.25 = 25; by_bill: 1 × 0.5 × 25 × 1.5 = 18.75; plain: 1.
    let got: Vec<(&str, f64, f64)> = d.actions.iter().map(|a| (&*a.id, a.priority, a.value)).collect();
    assert_eq!(got, vec![("fixed", 25.0, 10.0), ("by_bill", 18.75, 25.0), ("plain", 1.0, 1.0)]);
    // With a propensity per action.
    let p = |i: usize| [0.1, 0.8, 0.5][i];
    let options = DecideOptions { top_n: 3, propensity: Some(&p), uplift: None };
    let d = c.decide(&cu, 50.0, &[], &[], NOW, &options).unwrap();
    let got: Vec<(&str, f64)> = d.actions.iter().map(|a| (&*a.id, a.priority)).collect();
    assert_eq!(got, vec![("by_bill", 15.0), ("fixed", 2.5), ("plain", 0.5)]);
    // A negative propensity is an error naming the action.
    let bad = |_: usize| -1.0;
    let e = c
        .decide(&cu, 50.0, &[], &[], NOW, &DecideOptions { top_n: 3, propensity: Some(&bad), uplift: None })
        .unwrap_err();
    assert_contains(e.to_string(), "fixed");
    // A negative field value makes a negative V: an error naming the action.
    let neg = c.customer(&[("monthly_bill", num(-4.0))]).unwrap();
    let mut neg = neg;
    neg.values[c.field_index("tenure_days").unwrap()] = num(1.0);
    let e = c.decide(&neg, 50.0, &[], &[], NOW, &DecideOptions::default()).unwrap_err();
    assert_contains(e.to_string(), "by_bill");
}

#[test]
fn top_n_ties_and_trace() {
    let c = catalog(
        json!([{"id": "a", "channel": "call", "value": 5},
               {"id": "b", "channel": "call", "value": 7},
               {"id": "c", "channel": "call", "value": 5},
               {"id": "d", "channel": "call", "value": 5, "eligibility": {"band": "high"}},
               {"id": "e", "channel": "sms", "value": 9},
               {"id": "f", "channel": "call", "value": 5}]),
        json!([{"channel_limit": {"channel": "sms", "max": 0, "within_days": 1}}]),
        json!([]),
    );
    let cu = customer(&c);
    let d = c.decide(&cu, 10.0, &[], &[], NOW, &DecideOptions { top_n: 2, propensity: None, uplift: None }).unwrap();
    let ids: Vec<&str> = d.actions.iter().map(|a| &*a.id).collect();
    assert_eq!(ids, vec!["b", "a"]);
    let Verdict::Suppressed { reason, .. } = d.trace[4].verdict.clone() else { panic!("{:?}", d.trace[4]) };
    let trace: Vec<(&str, Verdict)> = d.trace.iter().map(|t| (&*t.id, t.verdict.clone())).collect();
    assert_eq!(
        trace,
        vec![
            ("a", Verdict::Kept { rank: 1, priority: 5.0 }),
            ("b", Verdict::Kept { rank: 0, priority: 7.0 }),
            ("c", Verdict::BelowTopN { priority: 5.0 }),
            ("d", Verdict::NotEligible { path: "actions[3].eligibility".into() }),
            ("e", Verdict::Suppressed { policy: 0, reason: reason.clone() }),
            ("f", Verdict::BelowTopN { priority: 5.0 }),
        ]
    );
    assert_contains(reason.to_string(), "sms");
    // Default top N is 3: c is third (ties by catalogue order).
    let d = decide(&c, &cu, 10.0, &[]);
    let ids: Vec<&str> = d.actions.iter().map(|a| &*a.id).collect();
    assert_eq!(ids, vec!["b", "a", "c"]);
}

// ---------------------------------------------------------------------------------------
// The playbook, rule by rule.

struct Telco {
    tenure_days: f64,
    segment: &'static str,
    complained_outage: bool,
    complained_overage: bool,
    monthly_bill: f64,
    payment_trend: f64,
    usage_trend_30d: f64,
    last_nps: f64,
}

const STEADY: Telco = Telco {
    tenure_days: 400.0,
    segment: "prepaid",
    complained_outage: false,
    complained_overage: false,
    monthly_bill: 40.0,
    payment_trend: 1.0,
    usage_trend_30d: 1.0,
    last_nps: 7.0,
};

/// The verdict of playbook action `id` for a customer, score and factors (all actions returned).
fn playbook_verdict(t: &Telco, score: f64, factors: &[Factor], id: &str) -> Verdict {
    let c = playbook();
    let cu = c
        .customer(&[
            ("tenure_days", num(t.tenure_days)),
            ("segment", text(t.segment)),
            ("complained_outage", FieldValue::Bool(t.complained_outage)),
            ("complained_overage", FieldValue::Bool(t.complained_overage)),
            ("monthly_bill", num(t.monthly_bill)),
            ("payment_trend", num(t.payment_trend)),
            ("usage_trend_30d", num(t.usage_trend_30d)),
            ("last_nps", num(t.last_nps)),
        ])
        .unwrap();
    let d =
        c.decide(&cu, score, factors, &[], NOW, &DecideOptions { top_n: 100, propensity: None, uplift: None }).unwrap();
    d.trace.into_iter().find(|e| &*e.id == id).unwrap().verdict
}

fn gets(t: &Telco, score: f64, factors: &[Factor], id: &str) -> bool {
    matches!(playbook_verdict(t, score, factors, id), Verdict::Kept { .. })
}

#[test]
fn playbook_lock_in_offer() {
    // Score below 20 with more than 3 months' tenure.
    assert!(gets(&Telco { tenure_days: 91.0, ..STEADY }, 19.9, &[], "lock_in_12m"));
    assert!(!gets(&Telco { tenure_days: 90.0, ..STEADY }, 19.9, &[], "lock_in_12m"));
    assert!(!gets(&Telco { tenure_days: 400.0, ..STEADY }, 20.0, &[], "lock_in_12m"));
}

#[test]
fn playbook_retention_topup() {
    let falling = Telco { payment_trend: 0.8, usage_trend_30d: 0.7, ..STEADY };
    assert!(gets(&falling, 60.0, &[], "retention_topup"));
    assert!(!gets(&falling, 59.9, &[], "retention_topup"));
    assert!(!gets(&Telco { payment_trend: 1.0, ..falling }, 80.0, &[], "retention_topup"));
    assert!(!gets(&Telco { usage_trend_30d: 1.0, ..falling }, 80.0, &[], "retention_topup"));
}

#[test]
fn playbook_bill_discount() {
    let outage = Telco { complained_outage: true, ..STEADY };
    assert!(gets(&outage, 70.0, &[], "bill_discount"));
    assert!(!gets(&outage, 50.0, &[], "bill_discount"));
    assert!(!gets(&STEADY, 70.0, &[], "bill_discount"));
    // V = monthly bill × 0.5, L = 1.2 (retention push).
    let Verdict::Kept { priority, .. } = playbook_verdict(&outage, 70.0, &[], "bill_discount") else { panic!() };
    assert!((priority - 40.0 * 0.5 * 1.2).abs() < 1e-12);
}

#[test]
fn playbook_early_renewal() {
    let device = [Factor::new("device_age_days", 0.9), Factor::new("bill_shock", 0.4), Factor::new("aht_90d", 0.1)];
    let connectivity =
        [Factor::new("bill_shock", 0.9), Factor::new("dropped_calls_30d", 0.4), Factor::new("aht_90d", 0.1)];
    let billing = [Factor::new("bill_shock", 0.9), Factor::new("aht_90d", 0.4), Factor::new("device_age_days", 0.1)];
    assert!(gets(&STEADY, 50.0, &device, "early_renewal_phone"));
    assert!(gets(&STEADY, 50.0, &connectivity, "early_renewal_phone"));
    assert!(!gets(&STEADY, 50.0, &billing, "early_renewal_phone"));
    assert!(!gets(&STEADY, 20.0, &device, "early_renewal_phone"), "low risk");
    assert!(!gets(&Telco { tenure_days: 100.0, ..STEADY }, 50.0, &device, "early_renewal_phone"), "too new");
}

#[test]
fn playbook_bonus_data() {
    let overage = Telco { complained_overage: true, ..STEADY };
    assert!(gets(&overage, 40.0, &[], "bonus_data"));
    assert!(!gets(&overage, 10.0, &[], "bonus_data"));
    assert!(!gets(&STEADY, 40.0, &[], "bonus_data"));
}

#[test]
fn playbook_detractor_callback_and_thank_you() {
    assert!(gets(&Telco { last_nps: 6.0, ..STEADY }, 40.0, &[], "detractor_callback"));
    assert!(!gets(&Telco { last_nps: 7.0, ..STEADY }, 40.0, &[], "detractor_callback"));
    assert!(gets(&Telco { last_nps: 9.0, ..STEADY }, 10.0, &[], "thank_you"));
    assert!(!gets(&Telco { last_nps: 8.0, ..STEADY }, 10.0, &[], "thank_you"));
    assert!(!gets(&Telco { last_nps: 10.0, ..STEADY }, 40.0, &[], "thank_you"), "not while at risk");
}

#[test]
fn playbook_loyalty_upsell_no_action() {
    assert!(gets(&STEADY, 40.0, &[], "loyalty_invite"));
    assert!(!gets(&Telco { tenure_days: 300.0, ..STEADY }, 40.0, &[], "loyalty_invite"));
    assert!(!gets(&STEADY, 10.0, &[], "loyalty_invite"));
    assert!(gets(&Telco { segment: "family", ..STEADY }, 10.0, &[], "upsell"));
    assert!(!gets(&Telco { segment: "prepaid", ..STEADY }, 10.0, &[], "upsell"));
    assert!(!gets(&Telco { segment: "family", ..STEADY }, 40.0, &[], "upsell"));
    assert!(gets(&STEADY, 10.0, &[], "no_action"));
    assert!(!gets(&STEADY, 30.0, &[], "no_action"));
}

#[test]
fn catalog_round_trips_through_serde() {
    let c = playbook();
    let text = serde_json::to_string(&c).unwrap();
    let back: Catalog = serde_json::from_str(&text).unwrap();
    assert_eq!(back.actions().len(), c.actions().len());
}

// ---------------------------------------------------------------------------------------
// Properties on the playbook with random customers.

fn field_value() -> impl Strategy<Value = FieldValue> {
    prop_oneof![
        (-10.0f64..2000.0).prop_map(FieldValue::Number),
        prop::sample::select(vec!["prepaid", "postpaid", "family", "x"]).prop_map(|s| FieldValue::Text(s.into())),
        any::<bool>().prop_map(FieldValue::Bool),
        Just(FieldValue::Missing),
    ]
}

/// Declared factors, each at most once (a name given twice is an error).
fn factor_list() -> impl Strategy<Value = Vec<Factor>> {
    let names = playbook().factors().to_vec();
    prop::collection::vec((prop::sample::select(names), -2.0f64..2.0), 0..8).prop_map(|v| {
        let mut out: Vec<Factor> = Vec::new();
        for (n, c) in v {
            if !out.iter().any(|f| f.name == n) {
                out.push(Factor { name: n, contribution: c });
            }
        }
        out
    })
}

proptest! {
    #[test]
    fn decide_never_panics(values in prop::collection::vec(field_value(), 8), score in -10.0f64..110.0,
                           factors in factor_list(), history in history(), top_n in 0usize..12) {
        let c = playbook();
        let cu = Customer { values };
        let _ = c.decide(&cu, score, &factors, &history, NOW, &DecideOptions { top_n, propensity: None, uplift: None });
    }

    #[test]
    fn trace_ranking_and_policies(cu in typed_customer(), score in 0.0f64..=100.0, factors in factor_list(),
                                  history in history(), top_n in 0usize..12) {
        let c = playbook();
        let options = DecideOptions { top_n, propensity: None, uplift: None };
        let d = c.decide(&cu, score, &factors, &history, NOW, &options).unwrap();
        // One trace entry per action, in catalogue order.
        prop_assert_eq!(d.trace.len(), c.actions().len());
        for (t, a) in d.trace.iter().zip(c.actions()) {
            prop_assert_eq!(&t.id, &a.id);
        }
        // Suppressed actions are never returned; returned ones are kept at their rank.
        for a in &d.actions {
            let suppressed = matches!(d.trace[a.index].verdict, Verdict::Suppressed { .. });
            prop_assert!(!suppressed);
        }
        for (rank, a) in d.actions.iter().enumerate() {
            prop_assert_eq!(&d.trace[a.index].verdict, &Verdict::Kept { rank, priority: a.priority });
        }
        prop_assert!(d.actions.len() <= top_n);
        // Sorted by priority, ties in catalogue order; nothing below the top N beats the last one.
        for w in d.actions.windows(2) {
            prop_assert!(w[0].priority > w[1].priority || (w[0].priority == w[1].priority && w[0].index < w[1].index));
        }
        for t in &d.trace {
            if let (Verdict::BelowTopN { priority }, Some(last)) = (&t.verdict, d.actions.last()) {
                prop_assert!(*priority <= last.priority);
            }
        }
        // Deterministic.
        let again = c.decide(&cu, score, &factors, &history, NOW, &options).unwrap();
        prop_assert_eq!(d, again);
    }
}

#[test]
fn more_load_errors_and_bands() {
    let no_segment = json!({"fields": {"tenure_days": "number"},
        "actions": [{"id": "a", "channel": "call", "suitability": {"segment": ["family"]}}]});
    assert_contains(Catalog::from_value(&no_segment).unwrap_err().to_string(), "actions[0].suitability.segment");
    assert_contains(
        load_error(json!([{"id": "a", "channel": "call",
            "applicability": {"field": "complained_outage", "op": "in", "value": [true]}}])),
        "actions[0].applicability.op",
    );
    assert_contains(
        load_error(json!([{"id": "a", "channel": "call", "eligibility": {"band": 3}}])),
        "actions[0].eligibility.band",
    );
    let c = with_condition(json!({"score": ">", "value": 0}));
    assert_eq!(c.band(0.0), Some("low"));
    assert_eq!(c.band(30.0), Some("medium"));
    assert_eq!(c.band(100.0), Some("high"));
    assert_eq!(c.factor_index("aht_90d"), Some(2));
    // A score outside 0..=100 and a record of the wrong length are errors.
    let cu = customer(&c);
    assert!(c.decide(&cu, 101.0, &[], &[], NOW, &DecideOptions::default()).is_err());
    assert!(c.decide(&cu, f64::NAN, &[], &[], NOW, &DecideOptions::default()).is_err());
    assert!(c.decide(&Customer::default(), 50.0, &[], &[], NOW, &DecideOptions::default()).is_err());
}

/// Thompson sampling learns which action works: in a simulated campaign where one action is
/// accepted 30 % of the time and another 10 %, the better one ends up chosen most, and with
/// learning the ranking still comes from the same catalogue rules.
#[test]
fn thompson_sampling_learns_the_better_action() {
    use nps_core::action::Learner;
    use nps_core::synth::Rng;
    let mut learner = Learner::new([1.0, 1.0], 0.05, 5).unwrap();
    let mut rng = Rng::new(11);
    let rates = [("good", 0.30), ("poor", 0.10)];
    let mut chosen_good = 0;
    for round in 0..3_000 {
        let draws: Vec<f64> = rates.iter().map(|(a, _)| learner.sample(a, "consumer", &mut rng)).collect();
        let pick = if draws[0] >= draws[1] { 0 } else { 1 };
        if round >= 2_000 && pick == 0 {
            chosen_good += 1;
        }
        let success = rng.uniform() < rates[pick].1;
        learner.record(rates[pick].0, "consumer", success);
    }
    assert!(chosen_good > 850, "the better action was chosen {chosen_good} times of the last 1,000");
    assert!((learner.mean("good", "consumer") - 0.30).abs() < 0.05);
    // Segments learn separately; an unseen arm has the prior mean.
    assert_eq!(learner.mean("good", "business"), 0.5);
    // The state is plain data.
    let back: Learner = serde_json::from_str(&serde_json::to_string(&learner).unwrap()).unwrap();
    assert_eq!(back, learner);
    assert!(Learner::new([0.0, 1.0], 0.1, 0).is_err());
    assert!(Learner::new([1.0, 1.0], 1.5, 0).is_err());
}

/// With learning, the propensity comes from the learner: an action that keeps being
/// accepted climbs the ranking; the same seed gives the same decision.
#[test]
fn decisions_with_learning_follow_the_outcomes() {
    use nps_core::action::{playbook, Learner};
    use nps_core::synth::Rng;
    let c = playbook();
    let customer = common::unhappy_consumer();
    let mut learner = Learner::new([1.0, 1.0], 0.0, 0).unwrap();
    for _ in 0..200 {
        learner.record("retention_topup", "consumer", true);
        learner.record("detractor_callback", "consumer", false);
        learner.record("bill_discount", "consumer", false);
    }
    let decide =
        |seed| c.decide_learning(&customer, 75.0, &[], &[], 0, 3, &learner, "consumer", &mut Rng::new(seed)).unwrap();
    let d = decide(5);
    assert_eq!(&*d.actions[0].id, "retention_topup");
    assert_eq!(d, decide(5));
    assert_eq!(d.trace.len(), c.actions().len());
}

/// The control group is stable and of the stated size; off-policy estimates and uplift by
/// hand.
#[test]
fn control_group_off_policy_and_uplift() {
    use nps_core::action::{in_control_group, off_policy, uplift, DecisionLogEntry};
    let ids: Vec<String> = (0..20_000).map(|i| format!("C{i:07}")).collect();
    let inside = ids.iter().filter(|id| in_control_group(id, 0.1, "2026-q3").unwrap()).count();
    assert!((inside as f64 / 20_000.0 - 0.1).abs() < 0.01, "{inside} in the control group");
    assert_eq!(
        in_control_group("C0000042", 0.1, "2026-q3").unwrap(),
        in_control_group("C0000042", 0.1, "2026-q3").unwrap()
    );
    assert!(in_control_group("x", 1.5, "").is_err());

    // Three logged decisions; the new policy agrees on the first and the third.
    let entry = |action: &str, propensity: f64, reward: f64| DecisionLogEntry {
        customer: "C1".into(),
        action: Some(action.into()),
        propensity,
        segment: "consumer".into(),
        control: false,
        time: 0,
        reward: Some(reward),
    };
    let log = vec![entry("a", 0.5, 1.0), entry("b", 0.25, 0.0), entry("a", 0.8, 0.0)];
    let target = [Some("a"); 3];
    let e = off_policy(&log, &target, &[0.6, 0.6, 0.6], &[0.6, 0.3, 0.6]).unwrap();
    assert_eq!(e.matches, 2);
    assert!((e.ips - (1.0 / 0.5) / 3.0).abs() < 1e-15);
    assert!((e.snips - 2.0 / (2.0 + 1.25)).abs() < 1e-15);
    let dr = (0.6 * 3.0 + (1.0 - 0.6) / 0.5 + (0.0 - 0.6) / 0.8) / 3.0;
    assert!((e.doubly_robust - dr).abs() < 1e-15);
    let bad = vec![entry("a", 0.0, 1.0)];
    assert!(off_policy(&bad, &target[..1], &[0.0], &[0.0]).unwrap_err().to_string().contains("log.propensity[0] = 0"));

    let u = uplift(&[true, true, true, false], &[true, false], 0.95).unwrap();
    assert_eq!((u.treated_rate, u.control_rate, u.uplift), (0.75, 0.5, 0.25));
    let se = (0.75f64 * 0.25 / 4.0 + 0.25 / 2.0).sqrt();
    assert!((u.high - u.uplift - 1.959963984540054 * se).abs() < 1e-12);
}

#[test]
fn campaign_segments_group_by_band_and_top_factor() {
    let c = nps_core::action::playbook();
    let scores = [80.0, 75.0, 90.0, 10.0, 12.0, 45.0];
    let factors = ["bill_shock", "bill_shock", "aht_90d", "tenure_days", "tenure_days", "bill_shock"];
    let actions = [
        Some("bill_discount"),
        Some("bill_discount"),
        Some("detractor_callback"),
        Some("upsell"),
        None,
        Some("loyalty_invite"),
    ];
    let s = c.campaign_segments(&scores, &factors, &actions).unwrap();
    assert_eq!(s.len(), 4);
    assert_eq!((s[0].band.as_str(), s[0].top_factor.as_str(), s[0].customers), ("high", "bill_shock", 2));
    assert_eq!((s[0].mean_score, s[0].action.as_str(), s[0].action_share), (77.5, "bill_discount", 1.0));
    let low = s.iter().find(|g| g.band == "low").unwrap();
    assert_eq!((low.customers, low.action_share), (2, 0.5));
    assert_eq!(s.iter().map(|g| g.customers).sum::<usize>(), 6);
    assert!(c.campaign_segments(&[120.0], &["x"], &[None]).unwrap_err().to_string().contains("scores[0] = 120"));
    assert!(c.campaign_segments(&[1.0], &[], &[None]).is_err());
}
