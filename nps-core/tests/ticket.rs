//! The one call at ticket time against the separate calls it replaces (the same numbers,
//! to the bit), the detractor attribution (baseline + contributions = the log-odds, the
//! coefficients it uses, batch = one customer), and bad input.
use nps_core::action::{playbook, Catalog, Customer, DecideOptions, Factor, FieldValue};
use nps_core::early_warning::{LtrModel, Ticket, TicketLayout, TicketOptions, TicketScorer, SURVEY_ANSWER_FEATURES};
use nps_core::encode::{infer_specs, Cell, Column, RawTable};
use nps_core::features::{compute, retention, CustomerHistory, Event, FeatureEngine};
use nps_core::model::{ChurnModel, ChurnModelOptions};
use nps_core::synth::{customers, BaseConfig, SyntheticBase};
use nps_core::NpsError;

struct Setup {
    base: SyntheticBase,
    churn: ChurnModel,
    ltr: LtrModel,
    engine: FeatureEngine,
}

fn table(names: &[String], values: &ndarray::Array2<f64>, rows: &[usize]) -> RawTable {
    let columns = values.columns().into_iter().map(|c| Column::Numeric(rows.iter().map(|&r| c[r]).collect())).collect();
    RawTable::new(names.to_vec(), columns).unwrap()
}

fn setup() -> Setup {
    let base = customers(&BaseConfig { customers: 1_500, seed: 11, ..Default::default() }).unwrap();
    let m = compute(&base.events, &retention(), base.config.as_of).unwrap();
    let all: Vec<usize> = (0..1_500).collect();
    let t = table(&m.names, &m.values, &all);
    let y: Vec<f64> = base.churned.iter().map(|&c| c as u8 as f64).collect();
    let options = ChurnModelOptions::default();
    let churn = ChurnModel::fit(&t, &y, None, &infer_specs(&t, &[]), &options).unwrap();
    let answered: Vec<usize> = base.surveys.customer.iter().map(|&c| c as usize).collect();
    let train = table(&m.names, &m.values, &answered);
    let scores: Vec<f64> = answered.iter().map(|&c| base.true_score[c] as f64).collect();
    let ltr = LtrModel::fit(&train, &scores, None, &infer_specs(&train, &SURVEY_ANSWER_FEATURES), &options).unwrap();
    let engine = FeatureEngine::new(&retention(), CustomerHistory::new(&[]).kinds()).unwrap();
    Setup { base, churn, ltr, engine }
}

/// Customer `c`'s events before the reference time, as a history.
fn history(b: &SyntheticBase, c: u32) -> CustomerHistory {
    let e = &b.events;
    let mut h = CustomerHistory::new(&[]);
    let cases: Vec<String> = e.case.iter().map(|c| c.to_string()).collect();
    for i in (0..e.len()).filter(|&i| e.customer[i] == c && e.time[i] < b.config.as_of) {
        let some = |v: f64| if v.is_nan() { None } else { Some(v) };
        h.push(&Event {
            time: e.time[i],
            kind: &e.kinds[e.kind[i] as usize],
            value: some(e.value[i]),
            duration: some(e.duration[i]),
            department: e.departments.get(e.department[i] as usize).map(String::as_str),
            case: (e.case[i] != nps_core::features::NONE).then(|| cases[i].as_str()),
            flag: (e.flag[i] < 2).then(|| e.flag[i] == 1),
        })
        .unwrap();
    }
    h
}

/// The playbook's record for fields no feature provides.
fn record(catalog: &Catalog, segment: &str) -> Customer {
    catalog
        .customer(&[
            ("segment", FieldValue::Text(segment.into())),
            ("complained_outage", FieldValue::Bool(false)),
            ("complained_overage", FieldValue::Bool(true)),
            ("monthly_bill", FieldValue::Number(42.0)),
            ("last_nps", FieldValue::Number(7.0)),
            ("payment_trend", FieldValue::Number(1.0)),
            ("usage_trend_30d", FieldValue::Number(1.0)),
            ("tenure_days", FieldValue::Number(0.0)),
        ])
        .unwrap()
}

fn cells(features: &[f64], names: &[String], inputs: &[String]) -> Vec<Cell<'static>> {
    inputs
        .iter()
        .map(|i| {
            let v = features[names.iter().position(|n| n == i).unwrap()];
            if v.is_nan() {
                Cell::Missing
            } else {
                Cell::Number(v)
            }
        })
        .collect()
}

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

#[test]
fn one_call_equals_the_separate_calls_to_the_bit() {
    let s = setup();
    let catalog = playbook();
    let scorer =
        TicketScorer::new(s.engine.clone(), s.churn.clone(), Some(s.ltr.clone().into()), catalog.clone()).unwrap();
    // The playbook's number fields that are features (the catalogue keeps its fields sorted).
    let filled: Vec<&str> =
        scorer.feature_fields().iter().map(|&(slot, _)| catalog.fields()[slot].0.as_str()).collect();
    assert_eq!(filled, ["last_nps", "payment_trend", "tenure_days", "usage_trend_30d"]);
    let options = TicketOptions::default();
    let mut ticket = Ticket::default();
    let mut kept = 0;
    for c in (0..1_500u32).step_by(37) {
        let mut h1 = history(&s.base, c);
        let mut h2 = h1.clone();
        let now = s.base.config.as_of + 3_600 + c as i64;
        let event = Event { time: now - 60, kind: "contact_opened", department: Some("billing"), ..Default::default() };
        let customer = record(&catalog, if c % 2 == 0 { "postpaid" } else { "prepaid" });
        scorer.score_into(&mut h1, &event, now, &customer, &[], &options, &mut ticket).unwrap();

        // The separate calls.
        h2.push(&event).unwrap();
        let f = h2.features(&s.engine, now).unwrap();
        assert_eq!(bits(&ticket.features), bits(&f), "customer {c}");
        let churn_cells = cells(&f, s.engine.names(), &s.churn.inputs);
        let p = s.churn.score_cells(&churn_cells, &mut Vec::new()).unwrap();
        let e = s.churn.explain_cells(&churn_cells, 3, &mut Vec::new()).unwrap();
        assert_eq!(ticket.probability.to_bits(), p.to_bits());
        assert_eq!(ticket.probability.to_bits(), e.probability.to_bits());
        assert_eq!(ticket.log_odds.to_bits(), e.log_odds.to_bits());
        assert_eq!(ticket.baseline.to_bits(), e.baseline.to_bits());
        assert_eq!(bits(&ticket.contributions), bits(&e.contributions));
        let names = |idx: &[usize]| idx.iter().map(|&i| s.churn.inputs[i].clone()).collect::<Vec<_>>();
        assert_eq!(names(&ticket.raising), e.raising.iter().map(|f| f.name.clone()).collect::<Vec<_>>());
        assert_eq!(names(&ticket.lowering), e.lowering.iter().map(|f| f.name.clone()).collect::<Vec<_>>());
        // Readable as explain gives them: value and typical value too.
        let readable = |idx: &[usize]| idx.iter().map(|&i| scorer.readable_factor(&ticket, i)).collect::<Vec<_>>();
        assert_eq!(readable(&ticket.raising), e.raising);
        assert_eq!(readable(&ticket.lowering), e.lowering);
        // The parts a binding builds a factor from: its value, and the input's profile.
        for (i, f) in ticket.raising.iter().chain(&ticket.lowering).zip(e.raising.iter().chain(&e.lowering)) {
            assert_eq!(scorer.factor_value(&ticket, *i), f.value);
            assert_eq!((&scorer.profiles()[*i].typical, &scorer.profiles()[*i].mix), (&f.typical, &f.mix));
        }

        let ltr_cells = cells(&f, s.engine.names(), &s.ltr.inputs);
        let q = s.ltr.score_cells(&ltr_cells, &mut Vec::new()).unwrap();
        let d = ticket.detractor.as_ref().unwrap();
        assert_eq!(bits(&d.probabilities), bits(&q));
        let separate = s.ltr.detractor_risk(&ltr_cells).unwrap();
        assert_eq!(bits(&d.contributions), bits(&separate.contributions));
        assert_eq!(d.log_odds.to_bits(), separate.log_odds.to_bits());
        let (up, down) = s.ltr.detractor_explainer().unwrap().top(&separate.contributions, 3);
        assert_eq!(ticket.detractor_raising, up.iter().map(|f| f.source).collect::<Vec<_>>());
        assert_eq!(ticket.detractor_lowering, down.iter().map(|f| f.source).collect::<Vec<_>>());

        // The rules see the features where defined, the caller's record elsewhere.
        let mut rec = customer.clone();
        for (slot, (name, _)) in catalog.fields().iter().enumerate() {
            if let Some(j) = s.engine.names().iter().position(|n| n == name) {
                if f[j].is_finite() {
                    rec.values[slot] = FieldValue::Number(f[j]);
                }
            }
        }
        assert_eq!(ticket.customer, rec);
        // Every churn input the catalogue declares as a factor.
        let factors: Vec<Factor> = s
            .churn
            .inputs
            .iter()
            .zip(&e.contributions)
            .filter(|(n, _)| catalog.factor_index(n).is_some())
            .map(|(n, &c)| Factor::new(n, c))
            .collect();
        let decision = catalog.decide(&rec, 100.0 * p, &factors, &[], now, &DecideOptions::default()).unwrap();
        assert_eq!(ticket.decision, decision);
        kept += decision.actions.len();
        assert_eq!(h1.len(), h2.len());
    }
    assert!(kept > 0, "some tickets rank actions");

    // Without an LTR model: no detractor part, the rest unchanged.
    let plain = TicketScorer::new(s.engine.clone(), s.churn.clone(), None, catalog.clone()).unwrap();
    let mut h = history(&s.base, 3);
    let now = s.base.config.as_of + 10;
    let event = Event { time: now - 1, kind: "contact_opened", ..Default::default() };
    let t = plain.score(&mut h, &event, now, &record(&catalog, "postpaid"), &[], &options).unwrap();
    assert!(t.detractor.is_none() && t.detractor_raising.is_empty());
    assert_eq!(plain.ltr_inputs().len(), 0);
    // Reusing a ticket that had a detractor part clears it.
    scorer.score_history_into(&h, now, &record(&catalog, "postpaid"), &[], &options, &mut ticket).unwrap();
    assert_eq!(ticket.probability.to_bits(), t.probability.to_bits());
    plain.score_history_into(&h, now, &record(&catalog, "postpaid"), &[], &options, &mut ticket).unwrap();
    assert!(ticket.detractor.is_none());
}

#[test]
fn detractor_attribution_adds_up_and_uses_detractor_minus_promoter() {
    let s = setup();
    let m = compute(&s.base.events, &retention(), s.base.config.as_of).unwrap();
    let rows: Vec<usize> = (0..200).collect();
    let t = table(&m.names, &m.values, &rows);
    let batch = s.ltr.detractor_contributions(&t).unwrap();
    let proba = s.ltr.predict_proba(&t).unwrap();
    let explainer = s.ltr.detractor_explainer().unwrap();
    // The coefficients of ln(P(detractor) / P(promoter)), and its value at the training mean.
    for j in 0..s.ltr.columns.len() {
        assert_eq!(explainer.coef[j], s.ltr.coef[0][j] - s.ltr.coef[2][j]);
    }
    let at_mean: f64 = s.ltr.intercept[0] - s.ltr.intercept[2]
        + (0..s.ltr.columns.len()).map(|j| (s.ltr.coef[0][j] - s.ltr.coef[2][j]) * s.ltr.column_mean[j]).sum::<f64>();
    assert!((batch.baseline - at_mean).abs() < 1e-12);
    for r in 0..rows.len() {
        let row = batch.contributions.row(r);
        let z = batch.log_odds[r];
        // baseline + Σ contributions = the customer's log-odds (to rounding).
        let scale = batch.baseline.abs() + row.iter().map(|c| c.abs()).sum::<f64>();
        assert!((batch.baseline + row.sum() - z).abs() <= 1e-13 * scale.max(1.0), "row {r}");
        // ... which is ln(P(detractor) / P(promoter)).
        assert!((z - (proba[[r, 0]] / proba[[r, 2]]).ln()).abs() < 1e-10, "row {r}");
        assert_eq!(batch.risk[r].to_bits(), proba[[r, 0]].to_bits());
        // One customer at a time gives the batch's numbers.
        let c: Vec<Cell> = (0..s.ltr.inputs.len())
            .map(|k| {
                let v = t.column(&s.ltr.inputs[k]).unwrap().cell(r);
                if matches!(v, Cell::Number(x) if x.is_nan()) {
                    Cell::Missing
                } else {
                    v
                }
            })
            .collect();
        let one = s.ltr.detractor_risk(&c).unwrap();
        assert_eq!(bits(&one.contributions), bits(row.as_slice().unwrap()));
        assert_eq!(one.log_odds.to_bits(), z.to_bits());
    }
    // The mean contribution over the training rows is 0 for every input (the baseline is
    // the training mean).
    let answered: Vec<usize> = s.base.surveys.customer.iter().map(|&c| c as usize).collect();
    let train = s.ltr.detractor_contributions(&table(&m.names, &m.values, &answered)).unwrap();
    for k in 0..s.ltr.inputs.len() {
        assert!(train.contributions.column(k).mean().unwrap().abs() < 1e-9, "input {k}");
    }
    // The file keeps the means; a file without them scores but does not explain.
    let back = LtrModel::from_json(&s.ltr.to_json()).unwrap();
    assert_eq!(back.column_mean, s.ltr.column_mean);
    let mut old: serde_json::Value = serde_json::from_str(&s.ltr.to_json()).unwrap();
    old.as_object_mut().unwrap().remove("column_mean");
    let old = LtrModel::from_json(&old.to_string()).unwrap();
    assert!(old.predict_proba(&t).is_ok());
    let err = old.detractor_explainer().unwrap_err().to_string();
    assert!(err.contains("column_mean"), "{err}");
    let mut short: serde_json::Value = serde_json::from_str(&s.ltr.to_json()).unwrap();
    short["column_mean"] = serde_json::json!([0.0]);
    assert!(matches!(LtrModel::from_json(&short.to_string()), Err(NpsError::LengthMismatch { .. })));
}

#[test]
fn bad_input_at_ticket_time() {
    let s = setup();
    let catalog = playbook();
    let scorer =
        TicketScorer::new(s.engine.clone(), s.churn.clone(), Some(s.ltr.clone().into()), catalog.clone()).unwrap();
    let options = TicketOptions::default();
    let customer = record(&catalog, "postpaid");
    let now = s.base.config.as_of + 100;
    let mut h = history(&s.base, 5);
    let before = h.len();

    // A survey answer outside 0-10, or not whole: rejected before it is added.
    for bad in [11.0, -1.0, 7.5] {
        let answer = Event { time: now - 1, kind: "survey_answer", value: Some(bad), ..Default::default() };
        let err = scorer.score(&mut h, &answer, now, &customer, &[], &options).unwrap_err();
        assert!(matches!(err, NpsError::OutOfRange { value, .. } if value == bad), "{err}");
        assert!(err.to_string().contains("survey answer"), "{err}");
    }
    // An event at or after `now` would not count: an error, not a silent miss.
    let late = Event { time: now, kind: "contact_opened", ..Default::default() };
    let err = scorer.score(&mut h, &late, now, &customer, &[], &options).unwrap_err().to_string();
    assert!(err.contains("event.time") && err.contains("before now"), "{err}");
    // An unknown kind: the history's own error.
    let odd = Event { time: now - 1, kind: "fax", ..Default::default() };
    assert!(matches!(scorer.score(&mut h, &odd, now, &customer, &[], &options), Err(NpsError::Unknown { .. })));
    assert_eq!(h.len(), before, "nothing was added");
    // An answer without a value (the score question skipped) is a survey taken, not a score:
    // the last answer stays the last one given.
    let last_nps = s.engine.names().iter().position(|n| n == "last_nps").unwrap();
    let given = scorer
        .score(
            &mut h,
            &Event { time: now - 3, kind: "survey_answer", value: Some(4.0), ..Default::default() },
            now,
            &customer,
            &[],
            &options,
        )
        .unwrap();
    let none = Event { time: now - 2, kind: "survey_answer", ..Default::default() };
    let skipped = scorer.score(&mut h, &none, now, &customer, &[], &options).unwrap();
    assert_eq!((given.features[last_nps], skipped.features[last_nps]), (4.0, 4.0));
    assert_eq!(h.len(), before + 2);

    // A customer with no events: their features are the empty values (counts 0, the rest
    // missing); an input the model never saw missing has no imputation, so the first ticket
    // of a customer without a subscription start is an error naming it. The event is taken
    // back: the history is as it was, and the ticket can be sent again once the history is.
    let mut fresh = CustomerHistory::new(&[]);
    let first = Event { time: now - 1, kind: "contact_opened", department: Some("billing"), ..Default::default() };
    let err = scorer.score(&mut fresh, &first, now, &customer, &[], &options).unwrap_err();
    assert!(matches!(&err, NpsError::Missing { field, .. } if field == "tenure_days"), "{err}");
    assert_eq!(fresh.len(), 0);
    assert!(fresh.table().departments.is_empty(), "the department only that event named is forgotten");
    fresh.push(&first).unwrap();
    // With a subscription start it scores, the same as the separate calls.
    let start = Event { time: now - 2, kind: "subscription_start", ..Default::default() };
    let t = scorer.score(&mut fresh, &start, now, &customer, &[], &options).unwrap();
    let names = s.engine.names();
    assert_eq!(t.features[names.iter().position(|n| n == "contacts_7d").unwrap()], 1.0);
    assert_eq!(t.features[names.iter().position(|n| n == "tenure_days").unwrap()], 2.0 / 86_400.0);
    assert!(t.features[names.iter().position(|n| n == "bill_shock").unwrap()].is_nan());
    let mut separate = CustomerHistory::new(&[]);
    separate.push(&first).unwrap();
    separate.push(&start).unwrap();
    let f = separate.features(&s.engine, now).unwrap();
    let p = s.churn.score_cells(&cells(&f, names, &s.churn.inputs), &mut Vec::new()).unwrap();
    assert_eq!(t.probability.to_bits(), p.to_bits());
    // usage_trend_30d is missing (no usage), so the rules see the caller's value.
    assert_eq!(t.customer.values[catalog.field_index("usage_trend_30d").unwrap()], FieldValue::Number(1.0));
    // An empty history scored as it is: every feature at its empty value.
    let empty = CustomerHistory::new(&[]);
    let mut ticket = Ticket::default();
    assert!(scorer.score_history_into(&empty, now, &customer, &[], &options, &mut ticket).is_err());
    assert_eq!(ticket.features[names.iter().position(|n| n == "contacts_90d").unwrap()], 0.0);
    assert!(ticket.features[names.iter().position(|n| n == "last_nps").unwrap()].is_nan());

    // An event older than the history's latest is taken in its place in time: the same
    // features as when the events arrive in time order.
    let mut in_order = history(&s.base, 5);
    let mut late_first = history(&s.base, 5);
    let old = Event { time: s.base.config.as_of - 200 * 86_400, kind: "contact_opened", ..Default::default() };
    let recent = Event { time: now - 1, kind: "outage", ..Default::default() };
    in_order.push(&old).unwrap();
    scorer.score(&mut in_order, &recent, now, &customer, &[], &options).unwrap();
    late_first.push(&recent).unwrap();
    let a = scorer.score(&mut late_first, &Event { time: old.time, ..old }, now, &customer, &[], &options).unwrap();
    scorer.score_history_into(&in_order, now, &customer, &[], &options, &mut ticket).unwrap();
    assert_eq!(bits(&a.features), bits(&ticket.features));
    assert_eq!(a.probability.to_bits(), ticket.probability.to_bits());

    // A record of the wrong length, a model input that is not a feature.
    let short = Customer { values: vec![FieldValue::Missing; 2] };
    let e = Event { time: now - 1, kind: "contact_opened", ..Default::default() };
    assert!(matches!(scorer.score(&mut h, &e, now, &short, &[], &options), Err(NpsError::LengthMismatch { .. })));
    let mut renamed = s.churn.clone();
    renamed.inputs[0] = "shoe_size".into();
    let err = TicketScorer::new(s.engine.clone(), renamed, None, catalog.clone()).unwrap_err().to_string();
    assert!(err.contains("shoe_size") && err.contains("churn model input"), "{err}");
}

/// The flat array of a ticket holds its numbers where the layout says, -1 and NaN in the
/// slots a ticket does not fill, and nothing overlaps.
#[test]
fn values_follow_the_layout() {
    let s = setup();
    let catalog = playbook();
    for (ltr, top_factors, top_actions) in [(Some(s.ltr.clone()), 3, 3), (None, 2, 5), (Some(s.ltr.clone()), 0, 1)] {
        let options = TicketOptions { top_factors, top_actions, ..Default::default() };
        let layout = TicketLayout::new(&options);
        // Every slot is named exactly once.
        let mut slots = vec![
            layout.probability,
            layout.score,
            layout.log_odds,
            layout.baseline,
            layout.detractor_probability,
            layout.passive_probability,
            layout.promoter_probability,
            layout.detractor_log_odds,
            layout.detractor_baseline,
        ];
        for list in [
            layout.raising,
            layout.raising_contributions,
            layout.lowering,
            layout.lowering_contributions,
            layout.detractor_raising,
            layout.detractor_raising_contributions,
            layout.detractor_lowering,
            layout.detractor_lowering_contributions,
        ] {
            slots.extend(list..list + top_factors);
        }
        for list in [layout.actions, layout.priorities, layout.values] {
            slots.extend(list..list + top_actions);
        }
        slots.sort_unstable();
        assert_eq!(slots, (0..layout.length).collect::<Vec<_>>());

        let with_ltr = ltr.is_some();
        let scorer =
            TicketScorer::new(s.engine.clone(), s.churn.clone(), ltr.map(Into::into), catalog.clone()).unwrap();
        let mut ticket = Ticket::default();
        let mut out = vec![0.0; layout.length];
        for c in (0..1_500u32).step_by(97) {
            let mut h = history(&s.base, c);
            let now = s.base.config.as_of + 60;
            let event = Event { time: now - 1, kind: "contact_opened", ..Default::default() };
            let customer = record(&catalog, "postpaid");
            scorer.score_into(&mut h, &event, now, &customer, &[], &options, &mut ticket).unwrap();
            ticket.write_values(&layout, &mut out).unwrap();
            assert_eq!(out[layout.probability].to_bits(), ticket.probability.to_bits());
            assert_eq!(out[layout.score].to_bits(), ticket.score.to_bits());
            assert_eq!(out[layout.log_odds].to_bits(), ticket.log_odds.to_bits());
            assert_eq!(out[layout.baseline].to_bits(), ticket.baseline.to_bits());
            let list = |at: usize, at_c: usize, index: &[usize], c: &[f64]| {
                for i in 0..top_factors {
                    match index.get(i) {
                        Some(&j) => assert_eq!((out[at + i], out[at_c + i].to_bits()), (j as f64, c[j].to_bits())),
                        None => assert!(out[at + i] == -1.0 && out[at_c + i].is_nan()),
                    }
                }
            };
            list(layout.raising, layout.raising_contributions, &ticket.raising, &ticket.contributions);
            list(layout.lowering, layout.lowering_contributions, &ticket.lowering, &ticket.contributions);
            match &ticket.detractor {
                Some(d) => {
                    assert!(with_ltr);
                    assert_eq!(out[layout.detractor_probability], d.probabilities[0]);
                    assert_eq!(out[layout.passive_probability], d.probabilities[1]);
                    assert_eq!(out[layout.promoter_probability], d.probabilities[2]);
                    assert_eq!(out[layout.detractor_log_odds], d.log_odds);
                    assert_eq!(out[layout.detractor_baseline], d.baseline);
                    let (dr, drc) = (layout.detractor_raising, layout.detractor_raising_contributions);
                    list(dr, drc, &ticket.detractor_raising, &d.contributions);
                    let (dl, dlc) = (layout.detractor_lowering, layout.detractor_lowering_contributions);
                    list(dl, dlc, &ticket.detractor_lowering, &d.contributions);
                }
                None => {
                    assert!(!with_ltr);
                    assert!(out[layout.detractor_probability..=layout.detractor_baseline].iter().all(|x| x.is_nan()));
                    list(layout.detractor_raising, layout.detractor_raising_contributions, &[], &[]);
                    list(layout.detractor_lowering, layout.detractor_lowering_contributions, &[], &[]);
                }
            }
            for i in 0..top_actions {
                match ticket.decision.actions.get(i) {
                    Some(a) => {
                        assert_eq!(catalog.actions()[a.index].id, a.id);
                        assert_eq!(
                            (out[layout.actions + i], out[layout.priorities + i], out[layout.values + i]),
                            (a.index as f64, a.priority, a.value)
                        );
                    }
                    None => assert!(out[layout.actions + i] == -1.0 && out[layout.priorities + i].is_nan()),
                }
            }
        }
    }
    let layout = TicketLayout::new(&TicketOptions::default());
    let err = Ticket::default().write_values(&layout, &mut [0.0; 3]).unwrap_err().to_string();
    assert!(err.contains("out") && err.contains(&layout.length.to_string()), "{err}");
}

/// A ticket that learns ranks as `decide_learning` with the same learner, segment and seed;
/// propensities of the wrong length are refused before the event is added.
#[test]
fn a_learning_ticket_ranks_as_decide_learning() {
    use nps_core::action::Learner;
    use nps_core::synth::Rng;
    let s = setup();
    let catalog = playbook();
    let scorer = TicketScorer::new(s.engine.clone(), s.churn.clone(), None, catalog.clone()).unwrap();
    let mut learner = Learner::new([1.0, 1.0], 0.0, 0).unwrap();
    for (i, a) in catalog.actions().iter().enumerate() {
        for k in 0..20 {
            learner.record(&a.id, "postpaid", (k + i) % 3 == 0);
        }
    }
    let mut draws = Vec::new();
    let mut differs = 0;
    for c in (0..1_500u32).step_by(61) {
        let mut h = history(&s.base, c);
        let now = s.base.config.as_of + 60;
        let event = Event { time: now - 1, kind: "contact_opened", ..Default::default() };
        let customer = record(&catalog, "postpaid");
        learner.draws_into(&catalog, "postpaid", &mut Rng::new(c as u64), &mut draws);
        let options = TicketOptions { propensity: Some(&draws), ..Default::default() };
        let t = scorer.score(&mut h, &event, now, &customer, &[], &options).unwrap();
        let mut plain = Ticket::default();
        scorer.score_history_into(&h, now, &customer, &[], &TicketOptions::default(), &mut plain).unwrap();
        let factors: Vec<Factor> = s
            .churn
            .inputs
            .iter()
            .zip(&t.contributions)
            .filter(|(n, _)| catalog.factor_index(n).is_some())
            .map(|(n, &c)| Factor::new(n, c))
            .collect();
        let want = catalog
            .decide_learning(&t.customer, t.score, &factors, &[], now, 3, &learner, "postpaid", &mut Rng::new(c as u64))
            .unwrap();
        assert_eq!(t.decision, want);
        differs += (plain.decision.actions != t.decision.actions) as usize;
    }
    assert!(differs > 0, "the draws change some rankings");
    let mut h = history(&s.base, 3);
    let n = h.len();
    let short = [0.5; 2];
    let options = TicketOptions { propensity: Some(&short), ..Default::default() };
    let now = s.base.config.as_of + 60;
    let err = scorer
        .score(
            &mut h,
            &Event { time: now - 1, kind: "outage", ..Default::default() },
            now,
            &record(&catalog, "postpaid"),
            &[],
            &options,
        )
        .unwrap_err();
    assert!(matches!(err, NpsError::LengthMismatch { actual: 2, .. }), "{err}");
    assert_eq!(h.len(), n);
}

/// A boosted churn model serves the ticket through the same interface: the ticket's
/// probability, log-odds, baseline and contributions are the model's own, to the bit, and
/// the factors handed to the rules are those contributions.
#[test]
fn a_boosted_model_serves_the_ticket() {
    use nps_core::model::boosted::{BoostedChurnModel, BoostingOptions};
    let s = setup();
    let m = compute(&s.base.events, &retention(), s.base.config.as_of).unwrap();
    let all: Vec<usize> = (0..1_500).collect();
    let t = table(&m.names, &m.values, &all);
    let y: Vec<f64> = s.base.churned.iter().map(|&c| c as u8 as f64).collect();
    let options = BoostingOptions { n_estimators: 60, ..Default::default() };
    let boosted = BoostedChurnModel::fit(&t, &y, None, &infer_specs(&t, &[]), None, &options).unwrap();
    let catalog = playbook();
    let scorer = TicketScorer::new(s.engine.clone(), boosted.clone(), None, catalog.clone()).unwrap();
    assert_eq!(scorer.inputs(), &boosted.inputs[..]);
    let mut ticket = Ticket::default();
    let mut scratch = nps_core::model::boosted::BoostedScratch::default();
    for c in (0..1_500u32).step_by(53) {
        let mut h = history(&s.base, c);
        let now = s.base.config.as_of + 3_600;
        let event = Event { time: now - 60, kind: "contact_opened", department: Some("billing"), ..Default::default() };
        let customer = record(&catalog, "postpaid");
        scorer.score_into(&mut h, &event, now, &customer, &[], &TicketOptions::default(), &mut ticket).unwrap();
        let cells = cells(&ticket.features, s.engine.names(), &boosted.inputs);
        let e = boosted.explain_cells(&cells, 3, &mut scratch).unwrap();
        assert_eq!(ticket.probability.to_bits(), e.probability.to_bits(), "customer {c}");
        assert_eq!(ticket.log_odds.to_bits(), e.log_odds.to_bits());
        assert_eq!(ticket.baseline.to_bits(), boosted.expected_value.to_bits());
        assert_eq!(bits(&ticket.contributions), bits(&e.contributions));
        let sum: f64 = ticket.baseline + ticket.contributions.iter().sum::<f64>();
        assert!((sum - ticket.log_odds).abs() < 1e-9, "{sum} {}", ticket.log_odds);
        let raising: Vec<&str> = ticket.raising.iter().map(|&i| boosted.inputs[i].as_str()).collect();
        let named: Vec<&str> = e.raising.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(raising, named);
    }
}

/// A boosted likelihood-to-recommend model serves the ticket through the same interface:
/// the ticket's detractor numbers are the model's own `detractor_risk`, to the bit, and its
/// attribution sums to the log-odds.
#[test]
fn a_boosted_ltr_model_serves_the_ticket() {
    use nps_core::early_warning::BoostedLtrModel;
    use nps_core::model::boosted::BoostingOptions;
    let s = setup();
    let m = compute(&s.base.events, &retention(), s.base.config.as_of).unwrap();
    let answered: Vec<usize> = s.base.surveys.customer.iter().map(|&c| c as usize).collect();
    let train = table(&m.names, &m.values, &answered);
    let scores: Vec<f64> = answered.iter().map(|&c| s.base.true_score[c] as f64).collect();
    let options = BoostingOptions { n_estimators: 40, ..Default::default() };
    let specs = infer_specs(&train, &SURVEY_ANSWER_FEATURES);
    let ltr = BoostedLtrModel::fit(&train, &scores, None, &specs, None, &options).unwrap();
    let catalog = playbook();
    let scorer =
        TicketScorer::new(s.engine.clone(), s.churn.clone(), Some(ltr.clone().into()), catalog.clone()).unwrap();
    assert_eq!(scorer.ltr_inputs(), &ltr.inputs[..]);
    let mut ticket = Ticket::default();
    for c in (0..1_500u32).step_by(61) {
        let mut h = history(&s.base, c);
        let now = s.base.config.as_of + 3_600;
        let event = Event { time: now - 60, kind: "contact_opened", department: Some("billing"), ..Default::default() };
        let customer = record(&catalog, "postpaid");
        scorer.score_into(&mut h, &event, now, &customer, &[], &TicketOptions::default(), &mut ticket).unwrap();
        let cells = cells(&ticket.features, s.engine.names(), &ltr.inputs);
        let want = ltr.detractor_risk(&cells).unwrap();
        let d = ticket.detractor.as_ref().unwrap();
        assert_eq!(bits(&d.probabilities), bits(&want.probabilities), "customer {c}");
        assert_eq!(d.log_odds.to_bits(), want.log_odds.to_bits());
        assert_eq!(d.baseline.to_bits(), want.baseline.to_bits());
        assert_eq!(bits(&d.contributions), bits(&want.contributions));
        let sum: f64 = d.baseline + d.contributions.iter().sum::<f64>();
        assert!((sum - d.log_odds).abs() < 1e-9, "{sum} {}", d.log_odds);
        let p = ltr.score_cells(&cells, &mut Vec::new()).unwrap();
        assert_eq!(bits(&p), bits(&d.probabilities));
    }
}

/// A scorer written to its file and read back scores every ticket to the bit, with both
/// model kinds; a damaged file is an error naming the part.
#[test]
fn a_scorer_round_trips_through_its_file() {
    use nps_core::model::boosted::{BoostedChurnModel, BoostingOptions};
    let s = setup();
    let m = compute(&s.base.events, &retention(), s.base.config.as_of).unwrap();
    let all: Vec<usize> = (0..1_500).collect();
    let t = table(&m.names, &m.values, &all);
    let y: Vec<f64> = s.base.churned.iter().map(|&c| c as u8 as f64).collect();
    let options = BoostingOptions { n_estimators: 20, ..Default::default() };
    let boosted = BoostedChurnModel::fit(&t, &y, None, &infer_specs(&t, &[]), None, &options).unwrap();
    let catalog = playbook();
    let scorers = [
        TicketScorer::new(s.engine.clone(), s.churn.clone(), Some(s.ltr.clone().into()), catalog.clone()).unwrap(),
        TicketScorer::new(s.engine.clone(), boosted, None, catalog.clone()).unwrap(),
    ];
    for scorer in &scorers {
        let text = scorer.to_json();
        let back = TicketScorer::from_json(&text).unwrap();
        assert_eq!(back.to_json(), text);
        let via_serde: TicketScorer = serde_json::from_str(&serde_json::to_string(scorer).unwrap()).unwrap();
        assert_eq!(via_serde.to_json(), text);
        let (mut a, mut b) = (Ticket::default(), Ticket::default());
        for c in (0..1_500u32).step_by(97) {
            let (mut h1, mut h2) = (history(&s.base, c), history(&s.base, c));
            let now = s.base.config.as_of + 3_600;
            let event = Event { time: now - 60, kind: "contact_opened", ..Default::default() };
            let customer = record(&catalog, "postpaid");
            scorer.score_into(&mut h1, &event, now, &customer, &[], &TicketOptions::default(), &mut a).unwrap();
            back.score_into(&mut h2, &event, now, &customer, &[], &TicketOptions::default(), &mut b).unwrap();
            assert_eq!(a.probability.to_bits(), b.probability.to_bits(), "customer {c}");
            assert_eq!(bits(&a.contributions), bits(&b.contributions));
            assert_eq!(
                a.detractor.as_ref().map(|d| d.log_odds.to_bits()),
                b.detractor.as_ref().map(|d| d.log_odds.to_bits())
            );
            assert_eq!(a.decision, b.decision);
        }
    }
    let text = scorers[0].to_json();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["version"] = 2.into();
    let e = TicketScorer::from_json(&v.to_string()).unwrap_err().to_string();
    assert!(e.contains("ticket scorer version") && e.contains("got 2"), "{e}");
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["catalog"]["actions"][0]["channel"] = 5.into();
    let e = TicketScorer::from_json(&v.to_string()).unwrap_err().to_string();
    assert!(e.starts_with("ticket scorer catalog: "), "{e}");
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["churn"]["coef"] = serde_json::json!([1.0]);
    let e = TicketScorer::from_json(&v.to_string()).unwrap_err().to_string();
    assert!(e.contains("ticket scorer churn"), "{e}");
    assert!(TicketScorer::from_json("{").unwrap_err().to_string().contains("valid JSON"));
}
