//! Times the one call at ticket time in Rust alone (`TicketScorer::score_into`: push the
//! event, 27 features, churn score and attribution, detractor risk, the playbook's
//! decision), the core's share of `benches/ticket.js`.
//!
//!     cargo run --release -p nps-core --example ticket_timing
use std::time::Instant;

use nps_core::action::{playbook, FieldValue};
use nps_core::early_warning::{LtrModel, Ticket, TicketOptions, TicketScorer};
use nps_core::encode::{infer_specs, Column, RawTable};
use nps_core::features::{compute, retention, CustomerHistory, Event, FeatureEngine};
use nps_core::model::{ChurnModel, ChurnModelOptions};
use nps_core::synth::{customers, BaseConfig};

fn main() {
    let n = 2_000;
    let base = customers(&BaseConfig { customers: n, seed: 7, ..Default::default() }).expect("valid");
    let m = compute(&base.events, &retention(), base.config.as_of).expect("valid events");
    let columns: Vec<Column> = m.values.columns().into_iter().map(|c| Column::Numeric(c.to_vec())).collect();
    let table = RawTable::new(m.names.clone(), columns).expect("a table");
    let y: Vec<f64> = base.churned.iter().map(|&c| c as u8 as f64).collect();
    let options = ChurnModelOptions::default();
    let churn = ChurnModel::fit(&table, &y, None, &infer_specs(&table, &[]), &options).expect("a fit");
    // The LTR model on everyone's true answer (a timing, not an evaluation).
    let scores: Vec<f64> = base.true_score.iter().map(|&s| s as f64).collect();
    let ltr = LtrModel::fit(&table, &scores, None, &infer_specs(&table, &["last_nps", "last_nps_category"]), &options)
        .expect("a fit");
    let catalog = playbook();
    let customer = catalog
        .customer(&[
            ("segment", FieldValue::Text("consumer".into())),
            ("complained_outage", FieldValue::Bool(false)),
            ("complained_overage", FieldValue::Bool(false)),
            ("monthly_bill", FieldValue::Number(40.0)),
            ("last_nps", FieldValue::Number(7.0)),
            ("payment_trend", FieldValue::Number(1.0)),
            ("usage_trend_30d", FieldValue::Number(1.0)),
            ("tenure_days", FieldValue::Number(0.0)),
        ])
        .expect("a record");
    let e = &base.events;
    let mut histories: Vec<CustomerHistory> = (0..n).map(|_| CustomerHistory::new(&[])).collect();
    for i in (0..e.len()).filter(|&i| e.time[i] < base.config.as_of) {
        let kind = &e.kinds[e.kind[i] as usize];
        let some = |v: f64| (!v.is_nan()).then_some(v);
        histories[e.customer[i] as usize]
            .push(&Event {
                time: e.time[i],
                kind,
                value: some(e.value[i]),
                duration: some(e.duration[i]),
                ..Default::default()
            })
            .expect("valid");
    }
    let engine = FeatureEngine::new(&retention(), histories[0].kinds()).expect("the built-in kinds");
    for (label, ltr) in [("without LTR", None), ("with LTR", Some(ltr))] {
        let scorer =
            TicketScorer::new(engine.clone(), churn.clone(), ltr.map(Into::into), catalog.clone()).expect("a scorer");
        let mut hs = histories.clone();
        let mut ticket = Ticket::default();
        let mut times = Vec::new();
        for round in 0..3 {
            for (c, h) in hs.iter_mut().enumerate() {
                let now = base.config.as_of + round * 86_400 + c as i64;
                let event =
                    Event { time: now - 1, kind: "contact_opened", department: Some("billing"), ..Default::default() };
                let t = Instant::now();
                scorer
                    .score_into(h, &event, now, &customer, &[], &TicketOptions::default(), &mut ticket)
                    .expect("scores");
                times.push(t.elapsed().as_secs_f64() * 1e6);
            }
        }
        times.sort_by(f64::total_cmp);
        let q = |p: f64| times[(p * (times.len() - 1) as f64) as usize];
        println!("ticket {label}: {} tickets, p50 {:.1} µs, p99 {:.1} µs", times.len(), q(0.5), q(0.99));
    }
}
