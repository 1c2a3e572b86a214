//! The same model, ticket scorer, catalogue and learner used from many threads at once give
//! the same results as serial use, to the bit (issue 20; docs/reliability.md#concurrency).
//! Every core type is plain data: shared references are read-only, so this holds by
//! construction; the test keeps it so (a hidden cache or interior mutability would break it).
use std::thread;

use nps_core::action::{playbook, DecideOptions, Factor, Learner, DEFAULT_EXPLORATION, DEFAULT_PRIOR, DEFAULT_RAMP_UP};
use nps_core::early_warning::{Ticket, TicketOptions, TicketScorer};
use nps_core::encode::Cell;
use nps_core::features::{retention, CustomerHistory, Event, FeatureEngine};
use nps_core::model::boosted::{BoostedChurnModel, BoostingOptions};
use nps_core::model::ChurnModel;
use nps_core::synth::Rng;

const THREADS: usize = 8;

fn service_model() -> ChurnModel {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/service.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    ChurnModel::from_json(&v["model"].to_string()).unwrap()
}

/// Customer `c`'s events: a subscription, then bills, usage, contacts and answers.
fn events(c: usize) -> Vec<Event<'static>> {
    let day = 86_400;
    let start = 1_700_000_000 + c as i64 * 3_600;
    let mut out = vec![Event { time: start, kind: "subscription_start", value: Some(30.0), ..Default::default() }];
    for k in 0..(5 + c % 7) as i64 {
        let t = start + (k + 1) * 9 * day;
        out.push(Event { time: t, kind: "bill", value: Some(40.0 + (c % 5) as f64 * k as f64), ..Default::default() });
        out.push(Event { time: t + day, kind: "usage", value: Some(1000.0 * (k + 1) as f64), ..Default::default() });
        if (c + k as usize).is_multiple_of(3) {
            out.push(Event {
                time: t + 2 * day,
                kind: "contact_opened",
                duration: Some(120.0 * (k + 1) as f64),
                department: Some(if k % 2 == 0 { "billing" } else { "tech" }),
                ..Default::default()
            });
        }
    }
    out.push(Event {
        time: start + 120 * day,
        kind: "survey_answer",
        value: Some((c % 11) as f64),
        ..Default::default()
    });
    out
}

/// Every ticket of customers `0..n`, as (probability bits, ranked action ids).
fn tickets(scorer: &TicketScorer, n: usize) -> Vec<(u64, Vec<String>)> {
    let customer = scorer.catalog().customer(&[]).unwrap();
    let mut out = Vec::new();
    let mut ticket = Ticket::default();
    for c in 0..n {
        let mut history = CustomerHistory::new(&[]);
        for e in events(c) {
            let now = e.time + 1;
            scorer.score_into(&mut history, &e, now, &customer, &[], &TicketOptions::default(), &mut ticket).unwrap();
            let ids = ticket.decision.actions.iter().map(|a| a.id.to_string()).collect();
            out.push((ticket.probability.to_bits(), ids));
        }
    }
    out
}

#[test]
fn a_ticket_scorer_shared_by_threads_scores_as_serially() {
    let engine = FeatureEngine::new(&retention(), CustomerHistory::new(&[]).kinds()).unwrap();
    let scorer = TicketScorer::new(engine, service_model(), None, playbook()).unwrap();
    let serial = tickets(&scorer, 24);
    assert!(serial.len() > 200);
    let shared = &scorer;
    let runs: Vec<_> = thread::scope(|s| {
        let handles: Vec<_> = (0..THREADS).map(|_| s.spawn(move || tickets(shared, 24))).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for run in runs {
        assert_eq!(run, serial);
    }
}

#[test]
fn models_shared_by_threads_score_as_serially() {
    let logistic = service_model();
    let n = logistic.inputs.len();
    let rows: Vec<Vec<Cell<'static>>> =
        (0..200).map(|r| (0..n).map(|i| Cell::Number(((r * 31 + i * 7) % 50) as f64)).collect()).collect();
    // A boosted model fitted here (its batch scoring spreads rows over rayon's threads too).
    let x = ndarray::Array2::from_shape_fn((300, n), |(r, i)| ((r * 13 + i * 5) % 17) as f64);
    let y: Vec<f64> = (0..300).map(|r| ((r * 7) % 5 < 2) as u8 as f64).collect();
    let options = BoostingOptions { n_estimators: 20, ..Default::default() };
    let boosted = BoostedChurnModel::fit_matrix(x.view(), &logistic.inputs, &y, None, None, &options).unwrap();
    let score = |rows: &[Vec<Cell<'static>>]| {
        let mut scratch = Vec::new();
        let mut out = Vec::new();
        for row in rows {
            out.push(logistic.score_cells(row, &mut scratch).unwrap().to_bits());
            out.push(boosted.score_cells(row, &mut scratch).unwrap().to_bits());
        }
        out.extend(boosted.raw_scores(x.view()).unwrap().iter().map(|v| v.to_bits()));
        out
    };
    let serial = score(&rows);
    let runs: Vec<_> = thread::scope(|s| {
        let handles: Vec<_> = (0..THREADS).map(|_| s.spawn(|| score(&rows))).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for run in runs {
        assert_eq!(run, serial);
    }
}

#[test]
fn a_learner_and_catalogue_shared_by_threads_decide_as_serially() {
    let catalog = playbook();
    let mut learner = Learner::new(DEFAULT_PRIOR, DEFAULT_EXPLORATION, DEFAULT_RAMP_UP).unwrap();
    for (i, action) in catalog.actions().iter().enumerate() {
        for k in 0..(i * 3 + 4) {
            learner.record(&action.id, "consumer", k % (i + 2) == 0);
        }
    }
    let customer = catalog.customer(&[]).unwrap();
    let factors: Vec<Factor> = catalog.factors().iter().map(|f| Factor::new(f, 0.4)).collect();
    let decide = || {
        let mut out = Vec::new();
        for seed in 0..100u64 {
            let mut rng = Rng::new(seed);
            let mut draws = Vec::new();
            learner.draws_into(&catalog, "consumer", &mut rng, &mut draws);
            out.extend(draws.iter().map(|d| d.to_bits()));
            let mut rng = Rng::new(seed);
            let d = catalog
                .decide_learning(&customer, 60.0, &factors, &[], 1_700_000_000, 3, &learner, "consumer", &mut rng)
                .unwrap();
            let plain =
                catalog.decide(&customer, 60.0, &factors, &[], 1_700_000_000, &DecideOptions::default()).unwrap();
            out.push(d.actions.len() as u64);
            out.push(plain.actions.len() as u64);
        }
        out
    };
    let serial = decide();
    let runs: Vec<_> = thread::scope(|s| {
        let handles: Vec<_> = (0..THREADS).map(|_| s.spawn(decide)).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for run in runs {
        assert_eq!(run, serial);
    }
}

/// The core's shared types can be shared: a compile-time check.
#[test]
fn the_shared_types_are_send_and_sync() {
    fn both<T: Send + Sync>() {}
    both::<ChurnModel>();
    both::<BoostedChurnModel>();
    both::<TicketScorer>();
    both::<Learner>();
    both::<nps_core::action::Catalog>();
    both::<FeatureEngine>();
    both::<CustomerHistory>();
}
