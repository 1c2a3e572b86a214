//! Learning, the decision log and the fast path: properties of Thompson sampling (posterior,
//! reproducibility, exploration share), of arbitration with learning (the trace, policies),
//! of the logged propensity (against exact values), and `decide_values` = `decide`.
use nps_core::action::{
    playbook, Catalog, Choice, Customer, DecideOptions, Decision, DecisionLogEntry, Factor, FieldValue, Learner,
    Logging, Scratch, Verdict, PROPENSITY_DRAWS,
};
use nps_core::synth::Rng;
use proptest::prelude::*;
use serde_json::json;

mod common;
use common::{history, typed_customer, NOW};

/// Factors the playbook declares, each at most once, with contributions that may tie.
fn declared_factors() -> impl Strategy<Value = Vec<Factor>> {
    let names = playbook().factors().to_vec();
    let n = names.len();
    prop::collection::vec(prop::option::of(prop_oneof![(-8i32..8).prop_map(|k| k as f64 / 4.0), -2.0f64..2.0]), n)
        .prop_map(move |v| v.into_iter().zip(&names).filter_map(|(c, name)| c.map(|c| Factor::new(name, c))).collect())
}

/// A learner with random counts for the playbook's actions in segment "s".
fn learner() -> impl Strategy<Value = Learner> {
    let ids: Vec<String> = playbook().actions().iter().map(|a| a.id.to_string()).collect();
    (prop::collection::vec((0u32..30, 0u32..30), ids.len()), 0.0f64..0.5, 0u32..10).prop_map(
        move |(counts, exploration, ramp_up)| {
            let mut l = Learner::new([1.0, 1.0], exploration, ramp_up).unwrap();
            for (id, (s, f)) in ids.iter().zip(counts) {
                for k in 0..s + f {
                    l.record(id, "s", k < s);
                }
            }
            l
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Recording outcomes moves the posterior mean from the prior mean toward the observed
    /// success rate: it lands between the two, at (α + s) / (α + β + n).
    #[test]
    fn posterior_mean_moves_toward_the_success_rate(a in 0.1f64..10.0, b in 0.1f64..10.0,
                                                    outcomes in prop::collection::vec(any::<bool>(), 1..200)) {
        let mut l = Learner::new([a, b], 0.0, 0).unwrap();
        for &o in &outcomes {
            l.record("x", "s", o);
        }
        let s = outcomes.iter().filter(|&&o| o).count() as f64;
        let n = outcomes.len() as f64;
        let (prior, rate, mean) = (a / (a + b), s / n, l.mean("x", "s"));
        prop_assert!((mean - (a + s) / (a + b + n)).abs() < 1e-12);
        prop_assert!(mean >= prior.min(rate) - 1e-12 && mean <= prior.max(rate) + 1e-12);
        // Closer to the rate than the prior was (strictly, unless they already agree).
        prop_assert!((mean - rate).abs() <= (prior - rate).abs() + 1e-12);
        prop_assert_eq!(l.counts("x", "s"), [s, n - s]);
        prop_assert_eq!(l.counts("x", "other segment"), [0.0, 0.0]);
    }

    /// With learning, the same seed gives the same decision; the trace still has one entry
    /// per action, in catalogue order; a policy-suppressed action is never returned; returned
    /// actions are the Kept ones at their rank.
    #[test]
    fn thompson_decisions(cu in typed_customer(), score in 0.0f64..=100.0, factors in declared_factors(),
                          history in history(), top_n in 0usize..12, l in learner(), seed in any::<u64>()) {
        let c = playbook();
        let d = c.decide_learning(&cu, score, &factors, &history, NOW, top_n, &l, "s", &mut Rng::new(seed)).unwrap();
        let again = c.decide_learning(&cu, score, &factors, &history, NOW, top_n, &l, "s", &mut Rng::new(seed)).unwrap();
        prop_assert_eq!(&d, &again);
        prop_assert_eq!(d.trace.len(), c.actions().len());
        for (t, a) in d.trace.iter().zip(c.actions()) {
            prop_assert_eq!(&t.id, &a.id);
        }
        prop_assert!(d.actions.len() <= top_n);
        for (rank, a) in d.actions.iter().enumerate() {
            prop_assert_eq!(&d.trace[a.index].verdict, &Verdict::Kept { rank, priority: a.priority });
        }
        // Policies do not depend on learning: what learning-off suppresses stays out.
        let off = c.decide(&cu, score, &factors, &history, NOW, &DecideOptions { top_n, propensity: None, uplift: None }).unwrap();
        for (t, o) in d.trace.iter().zip(&off.trace) {
            prop_assert_eq!(t.verdict.status() == "suppressed", o.verdict.status() == "suppressed");
            if t.verdict.status() == "suppressed" {
                prop_assert!(d.actions.iter().all(|a| a.id != t.id));
            }
        }
        // The logged decision is the same decision, its propensity in (0, 1].
        let logging = Logging { draws: 50, ..Logging::new("C42", "s") };
        let (logged, entry) =
            c.decide_logged(&cu, score, &factors, &history, NOW, &DecideOptions { top_n, ..Default::default() }, Some((&l, &mut Rng::new(seed))), &logging).unwrap();
        prop_assert_eq!(&logged, &d);
        prop_assert_eq!(entry.action.as_deref(), d.actions.first().map(|a| &*a.id));
        prop_assert!(entry.propensity > 0.0 && entry.propensity <= 1.0);
        let (_, entry2) =
            c.decide_logged(&cu, score, &factors, &history, NOW, &DecideOptions { top_n, ..Default::default() }, Some((&l, &mut Rng::new(seed))), &logging).unwrap();
        prop_assert_eq!(entry, entry2);
    }

    /// The fast path decides as the object path: same actions, same trace, for customers
    /// encoded as numeric records and factors given as dense contributions.
    #[test]
    fn decide_values_equals_decide(cu in typed_customer(), score in 0.0f64..=100.0, factors in declared_factors(),
                                   history in history(), top_n in 0usize..12) {
        let c = playbook();
        let options = DecideOptions { top_n, propensity: None, uplift: None };
        let d = c.decide(&cu, score, &factors, &history, NOW, &options).unwrap();
        let mut values = Vec::new();
        c.encode(&cu, &mut values).unwrap();
        let mut contributions = vec![f64::NAN; c.factors().len()];
        for f in &factors {
            contributions[c.factor_index(&f.name).unwrap()] = f.contribution;
        }
        let (mut ranked, mut trace) = (Vec::<Choice>::new(), Vec::new());
        let mut scratch = Scratch::default();
        c.decide_values(&values, score, &contributions, &history, NOW, &options, &mut scratch, &mut ranked, Some(&mut trace))
            .unwrap();
        let expected: Vec<Choice> =
            d.actions.iter().map(|a| Choice { index: a.index, priority: a.priority, value: a.value }).collect();
        prop_assert_eq!(&ranked, &expected);
        // The same trace, but for the text of a string no rule names (the record has its code only).
        prop_assert_eq!(trace.len(), d.trace.len());
        for (fast, slow) in trace.iter().zip(&d.trace) {
            prop_assert_eq!(&fast.verdict, &slow.verdict);
            prop_assert_eq!(&fast.condition, &slow.condition);
            if !fast.seen.contains("a string no rule names") {
                prop_assert_eq!(&fast.seen, &slow.seen);
            }
        }
        // Without the trace, the same ranking.
        c.decide_values(&values, score, &contributions, &history, NOW, &options, &mut scratch, &mut ranked, None).unwrap();
        prop_assert_eq!(&ranked, &expected);
    }
}

fn any_number() -> impl Strategy<Value = f64> {
    prop_oneof![
        -5.0f64..2000.0,
        (0u8..4).prop_map(f64::from),
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(0.5),
    ]
}

proptest! {
    /// Whatever the record, contributions and score, the fast path returns a decision or an
    /// error, never panics; a decision has one verdict per action.
    #[test]
    fn decide_values_never_panics(values in prop::collection::vec(any_number(), 0..10),
                                  contributions in prop::collection::vec(any_number(), 0..10),
                                  score in any_number(), top_n in 0usize..12) {
        let c = playbook();
        let (mut ranked, mut trace, mut scratch) = (Vec::new(), Vec::new(), Scratch::default());
        let options = DecideOptions { top_n, propensity: None, uplift: None };
        if c.decide_values(&values, score, &contributions, &[], NOW, &options, &mut scratch, &mut ranked, Some(&mut trace)).is_ok() {
            prop_assert_eq!(trace.len(), c.actions().len());
            prop_assert!(ranked.len() <= top_n);
        }
    }
}

/// The exploration share is respected: an arm with 10,000 successes draws below 0.99 only
/// when it explores (a uniform draw, below 0.99 with probability 0.99), so the share of such
/// draws is 0.99 × exploration, within five standard errors over 40,000 draws.
#[test]
fn exploration_share_in_frequency() {
    for (k, exploration) in [0.0, 0.05, 0.2, 0.5].into_iter().enumerate() {
        let mut l = Learner::new([1.0, 1.0], exploration, 5).unwrap();
        for _ in 0..10_000 {
            l.record("sure", "s", true);
        }
        let mut rng = Rng::new(100 + k as u64);
        let n = 40_000;
        let low = (0..n).filter(|_| l.sample("sure", "s", &mut rng) < 0.99).count() as f64 / n as f64;
        let p = 0.99 * exploration;
        let se = (p * (1.0 - p) / n as f64).sqrt();
        assert!(
            (low - p).abs() <= 5.0 * se + 1e-4,
            "exploration {exploration}: {low} of draws below 0.99, expected {p}"
        );
    }
}

/// Before `ramp_up` outcomes an arm draws from the prior (mean 1/2 for Beta(1, 1)), not from
/// its four failures (posterior mean 1/6).
#[test]
fn ramp_up_draws_from_the_prior() {
    let mut l = Learner::new([1.0, 1.0], 0.0, 5).unwrap();
    for _ in 0..4 {
        l.record("new", "s", false);
    }
    let mut rng = Rng::new(9);
    let n = 40_000;
    let mean = (0..n).map(|_| l.sample("new", "s", &mut rng)).sum::<f64>() / n as f64;
    // Uniform draws: standard error sqrt(1/12 / n) = 0.0014.
    assert!((mean - 0.5).abs() < 0.01, "{mean}");
    l.record("new", "s", false);
    let mean = (0..n).map(|_| l.sample("new", "s", &mut rng)).sum::<f64>() / n as f64;
    assert!((mean - 1.0 / 7.0).abs() < 0.01, "{mean}");
}

/// Two actions that always pass, `big` (value 40) and `small` (value 30), and a customer.
fn two_actions() -> (Catalog, Customer) {
    let c = Catalog::from_value(&json!({
        "fields": {"tenure_days": "number"},
        "actions": [{"id": "big", "channel": "call", "value": 40}, {"id": "small", "channel": "sms", "value": 30}]
    }))
    .unwrap();
    let cu = c.customer(&[("tenure_days", FieldValue::Number(10.0))]).unwrap();
    (c, cu)
}

/// The top action of `c` for `cu` at score 50 drawn by Thompson sampling, and its log entry.
fn thompson_top(
    c: &Catalog,
    cu: &Customer,
    l: &Learner,
    rng: &mut Rng,
    logging: &Logging,
) -> (Decision, DecisionLogEntry) {
    let top = DecideOptions { top_n: 1, ..Default::default() };
    c.decide_logged(cu, 50.0, &[], &[], NOW, &top, Some((l, rng)), logging).unwrap()
}

/// Two actions that always pass, with base priorities 40 and 30, and a learner whose arms
/// draw uniformly (ramp-up not reached): the first comes first when 40 U₁ > 30 U₂, with
/// probability 1 − (30/40)/2 = 0.625 (by hand: P(U₁ < r U₂) = r/2 for r ≤ 1).
#[test]
fn logged_propensity_matches_the_exact_probability() {
    let (c, cu) = two_actions();
    let l = Learner::new([1.0, 1.0], 0.1, 1_000).unwrap();
    let exact = [("big", 0.625), ("small", 0.375)];
    let logging = Logging { draws: 20_000, ..Logging::new("C1", "s") };
    let mut chosen_big = 0;
    let seeds = 400;
    for seed in 0..seeds {
        let mut rng = Rng::new(seed);
        let (d, entry) = thompson_top(&c, &cu, &l, &mut rng, &logging);
        let id = entry.action.clone().unwrap();
        assert_eq!(&*d.actions[0].id, id);
        let p = exact.iter().find(|(a, _)| *a == id).unwrap().1;
        // Standard error of the estimate: sqrt(p (1 − p) / 20,000) = 0.0034.
        assert!((entry.propensity - p).abs() < 0.02, "seed {seed}: {} for {id}, exact {p}", entry.propensity);
        chosen_big += usize::from(id == "big");
    }
    // The decisions themselves follow the same probability (standard error 0.024).
    let share = chosen_big as f64 / seeds as f64;
    assert!((share - 0.625).abs() < 0.1, "big chosen in {share} of decisions");
}

/// With learning off the top action's propensity is 1; a control-group customer gets no
/// action, the trace says why, and the log records it; the log round-trips through JSON.
#[test]
fn decision_log_without_learning_and_control_group() {
    let c = playbook();
    let cu = common::unhappy_consumer();
    let (d, entry) = c
        .decide_logged(
            &cu,
            75.0,
            &[],
            &[],
            NOW,
            &DecideOptions { top_n: 3, ..Default::default() },
            None,
            &Logging::new("C7", "consumer"),
        )
        .unwrap();
    assert_eq!(&*d.actions[0].id, "detractor_callback");
    assert_eq!(entry.action.as_deref(), Some("detractor_callback"));
    assert_eq!((entry.propensity, entry.control, entry.time, entry.reward), (1.0, false, NOW, None));
    assert_eq!((entry.customer.as_str(), entry.segment.as_str()), ("C7", "consumer"));
    assert_eq!(PROPENSITY_DRAWS, 1000);

    // Everyone is in a control group of share 1: no action, the kept ones are marked.
    let all = Logging { control_share: 1.0, control_salt: "q3", ..Logging::new("C7", "consumer") };
    let l = Learner::new([1.0, 1.0], 0.05, 5).unwrap();
    let (d, entry) = c
        .decide_logged(
            &cu,
            75.0,
            &[],
            &[],
            NOW,
            &DecideOptions { top_n: 3, ..Default::default() },
            Some((&l, &mut Rng::new(1))),
            &all,
        )
        .unwrap();
    assert!(d.actions.is_empty());
    assert!(entry.control && entry.action.is_none() && entry.propensity == 1.0);
    let marked: Vec<&str> =
        d.trace.iter().filter(|t| matches!(t.verdict, Verdict::ControlGroup { .. })).map(|t| &*t.id).collect();
    assert_eq!(marked, ["bill_discount", "detractor_callback", "loyalty_invite", "retention_call", "retention_topup"]);
    assert_eq!(d.trace[0].verdict.status(), "control_group");
    assert!(c
        .decide_logged(
            &cu,
            75.0,
            &[],
            &[],
            NOW,
            &DecideOptions { top_n: 3, ..Default::default() },
            None,
            &Logging { control_share: 2.0, ..all }
        )
        .is_err());

    let text = serde_json::to_string(&entry).unwrap();
    let back: DecisionLogEntry = serde_json::from_str(&text).unwrap();
    assert_eq!(back, entry);
    // A stored entry without a reward yet reads back as None.
    let bare = r#"{"customer":"C1","action":"upsell","propensity":0.5,"segment":"s","control":false,"time":0}"#;
    let e: DecisionLogEntry = serde_json::from_str(bare).unwrap();
    assert_eq!((e.action.as_deref(), e.reward), (Some("upsell"), None));
}

/// Off-policy evaluation of a logged Thompson policy: the log's propensities make IPS
/// unbiased. Target "always big" on the two-action catalogue above, reward 1 for big and 0
/// for small: its true value is 1, and IPS over 2,000 logged decisions lands near it.
#[test]
fn ips_on_a_logged_thompson_policy_is_unbiased() {
    use nps_core::action::off_policy;
    let (c, cu) = two_actions();
    let l = Learner::new([1.0, 1.0], 0.0, 1_000).unwrap();
    let logging = Logging { draws: 2_000, ..Logging::new("C1", "s") };
    let mut rng = Rng::new(3);
    let log: Vec<_> = (0..2_000)
        .map(|_| {
            let (_, mut e) = thompson_top(&c, &cu, &l, &mut rng, &logging);
            e.reward = Some(if e.action.as_deref() == Some("big") { 1.0 } else { 0.0 });
            e
        })
        .collect();
    let n = log.len();
    let e = off_policy(&log, &vec![Some("big"); n], &vec![0.0; n], &vec![0.0; n]).unwrap();
    // IPS: mean of 1[big] / p(big) with p ≈ 0.625; its standard error is about
    // sqrt((1/0.625 − 1) / 2,000) = 0.017.
    assert!((e.ips - 1.0).abs() < 0.08, "IPS {}", e.ips);
    assert!((e.snips - 1.0).abs() < 1e-12, "SNIPS {}", e.snips);
    // A missing reward is an error naming the index.
    let mut unobserved = log.clone();
    unobserved[7].reward = None;
    let err = off_policy(&unobserved, &vec![Some("big"); n], &vec![0.0; n], &vec![0.0; n]).unwrap_err();
    assert!(err.to_string().contains("log.reward[7]"), "{err}");
    let err = off_policy(&log, &vec![Some("big"); n], &vec![f64::NAN; n], &vec![0.0; n]).unwrap_err();
    assert!(err.to_string().contains("q_target[0]"), "{err}");
}
