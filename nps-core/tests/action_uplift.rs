//! Ranking by uplift × value ([`DecideOptions::uplift`], [`DecideRequest::uplift`]): the
//! priority is the predicted uplift times what value ranking gives, actions that would not
//! keep the customer are removed with a reason, and mistakes name the action and the value.
use std::collections::HashMap;

use nps_core::action::{playbook, DecideOptions, DecideRequest, Learner, Verdict};

mod common;

/// An uplift for every playbook action: `base` for all but the ones given.
fn uplift(base: f64, some: &[(&str, f64)]) -> HashMap<String, f64> {
    let c = playbook();
    let mut u: HashMap<String, f64> = c.actions().iter().map(|a| (a.id.to_string(), base)).collect();
    for (id, x) in some {
        u.insert(id.to_string(), *x);
    }
    u
}

#[test]
fn uplift_multiplies_the_value_priority_and_can_reorder() {
    let c = playbook();
    let by_value = DecideRequest { score: Some(75.0), top: 12, ..Default::default() };
    let v = c.decide_request(&common::unhappy_fields(), &by_value, None).unwrap().decision;
    assert!(v.actions.len() >= 3, "{:?}", v.actions);
    let (first, second) = (&v.actions[0], &v.actions[1]);
    // A uniform uplift scales every priority and keeps the order.
    let uniform = DecideRequest { uplift: uplift(0.1, &[]), ..by_value.clone() };
    let u = c.decide_request(&common::unhappy_fields(), &uniform, None).unwrap().decision;
    assert_eq!(
        u.actions.iter().map(|a| &a.id).collect::<Vec<_>>(),
        v.actions.iter().map(|a| &a.id).collect::<Vec<_>>()
    );
    for (a, b) in u.actions.iter().zip(&v.actions) {
        assert!((a.priority - 0.1 * b.priority).abs() <= 1e-12 * b.priority, "{} {}", a.priority, b.priority);
        assert_eq!(a.value, b.value);
    }
    // The value leader saves little, the runner-up much: the runner-up comes first.
    let flip = DecideRequest { uplift: uplift(0.1, &[(&first.id, 0.01), (&second.id, 0.5)]), ..by_value.clone() };
    let f = c.decide_request(&common::unhappy_fields(), &flip, None).unwrap().decision;
    assert_eq!(f.actions[0].id, second.id);
    assert_eq!(f.actions[0].priority, 0.5 * second.priority);
    let leader = f.actions.iter().find(|a| a.id == first.id).unwrap();
    assert_eq!(leader.priority, 0.01 * first.priority);
}

#[test]
fn an_action_that_would_not_keep_the_customer_is_removed_with_a_reason() {
    let c = playbook();
    let by_value = DecideRequest { score: Some(75.0), top: 12, ..Default::default() };
    let v = c.decide_request(&common::unhappy_fields(), &by_value, None).unwrap().decision;
    let first = v.actions[0].id.clone();
    let harm = DecideRequest { uplift: uplift(0.1, &[(&first, -0.05)]), ..by_value.clone() };
    let d = c.decide_request(&common::unhappy_fields(), &harm, None).unwrap().decision;
    assert!(d.actions.iter().all(|a| a.id != first));
    assert_eq!(d.actions.len(), v.actions.len() - 1);
    let entry = d.trace.iter().find(|t| t.id == first).unwrap();
    assert_eq!(entry.verdict, Verdict::NoUplift { uplift: -0.05 });
    assert_eq!(entry.verdict.status(), "no_uplift");
    assert_eq!(entry.detail(), "predicted uplift -0.05: the action would not keep the customer");
    assert_eq!(entry.verdict.priority(), None);
    // Zero uplift removes too: a call that changes nothing is not worth making.
    let zero = DecideRequest { uplift: uplift(0.1, &[(&first, 0.0)]), ..by_value };
    let z = c.decide_request(&common::unhappy_fields(), &zero, None).unwrap().decision;
    assert!(z.actions.iter().all(|a| a.id != first));
}

#[test]
fn the_request_and_the_options_decide_alike_and_logging_keeps_the_ranking() {
    let c = playbook();
    let u = uplift(0.2, &[("retention_call", 0.6), ("bill_discount", -0.1)]);
    let request = DecideRequest { score: Some(80.0), uplift: u.clone(), ..Default::default() };
    let r = c.decide_request(&common::unhappy_fields(), &request, None).unwrap();
    let by_index = c.uplift_by_action(&u).unwrap().unwrap();
    let record = c.customer(&common::unhappy_fields()).unwrap();
    let options = DecideOptions { uplift: Some(&by_index), ..Default::default() };
    assert_eq!(r.decision, c.decide(&record, 80.0, &[], &[], 0, &options).unwrap());
    let logged = DecideRequest { customer_id: Some("C1".into()), now: Some(1_782_864_000), ..request };
    let l = c.decide_request(&common::unhappy_fields(), &logged, None).unwrap();
    assert_eq!(l.decision, r.decision);
    let entry = l.log.unwrap();
    assert_eq!(entry.action.as_deref(), Some(&*r.decision.actions[0].id));
    assert_eq!(entry.propensity, 1.0);
}

#[test]
fn mistakes_name_the_action_and_the_value() {
    let c = playbook();
    let base = DecideRequest { score: Some(75.0), ..Default::default() };
    let err = |u: HashMap<String, f64>, learner: Option<&Learner>| {
        c.decide_request(&common::unhappy_fields(), &DecideRequest { uplift: u, ..base.clone() }, learner)
            .unwrap_err()
            .to_string()
    };
    let unknown = err(uplift(0.1, &[("free_pony", 0.3)]), None);
    assert!(unknown.contains("free_pony") && unknown.contains("bill_discount"), "{unknown}");
    let mut missing = uplift(0.1, &[]);
    missing.remove("thank_you");
    let m = err(missing, None);
    assert!(m.contains("uplift[\"thank_you\"]") && m.contains("missing"), "{m}");
    let out = err(uplift(0.1, &[("upsell", 1.5)]), None);
    assert!(out.contains("upsell") && out.contains("1.5") && out.contains("-1..=1"), "{out}");
    let nan = err(uplift(0.1, &[("upsell", f64::NAN)]), None);
    assert!(nan.contains("upsell") && nan.contains("NaN"), "{nan}");
    let learner = Learner::new([1.0, 1.0], 0.0, 0).unwrap();
    let both = err(uplift(0.1, &[]), Some(&learner));
    assert!(both.contains("uplift") && both.contains("learner"), "{both}");
    let short = c.decide(
        &c.customer(&common::unhappy_fields()).unwrap(),
        75.0,
        &[],
        &[],
        0,
        &DecideOptions { uplift: Some(&[0.1, 0.2]), ..Default::default() },
    );
    let s = short.unwrap_err().to_string();
    assert!(s.contains("uplift has 2 elements") && s.contains("12"), "{s}");
}

#[test]
fn many_rows_rank_by_their_own_uplift() {
    let c = playbook();
    let record = c.customer(&common::unhappy_fields()).unwrap();
    let mut values = Vec::new();
    c.encode(&record, &mut values).unwrap();
    let a = c.actions().len();
    let rows = [uplift(0.1, &[("retention_call", 0.9)]), uplift(0.3, &[("upsell", -0.2)])];
    let mut table = Vec::new();
    for u in &rows {
        table.extend(c.uplift_by_action(u).unwrap().unwrap());
    }
    let both: Vec<f64> = values.iter().chain(&values).copied().collect();
    let name = |i: usize| format!("row {i}");
    let ranked = c.decide_rows(&both, &[70.0, 70.0], &[], &table, 3, &name).unwrap();
    for (i, u) in rows.iter().enumerate() {
        let one = DecideRequest { score: Some(70.0), uplift: u.clone(), ..Default::default() };
        let d = c.decide_request(&common::unhappy_fields(), &one, None).unwrap().decision;
        let ids: Vec<&str> = ranked[i].iter().map(|x| &*c.actions()[x.index].id).collect();
        assert_eq!(ids, d.actions.iter().map(|x| &*x.id).collect::<Vec<_>>());
        assert_eq!(
            ranked[i].iter().map(|x| x.priority).collect::<Vec<_>>(),
            d.actions.iter().map(|x| x.priority).collect::<Vec<_>>()
        );
    }
    let e = c.decide_rows(&both, &[70.0, 70.0], &[], &table[1..], 3, &name).unwrap_err().to_string();
    assert!(e.contains(&format!("uplift has {} elements", 2 * a - 1)) && e.contains("2 rows"), "{e}");
    let mut bad = table.clone();
    bad[a + 2] = 2.0;
    let e = c.decide_rows(&both, &[70.0, 70.0], &[], &bad, 3, &name).unwrap_err().to_string();
    assert!(e.contains("row 1") && e.contains("2"), "{e}");
}
