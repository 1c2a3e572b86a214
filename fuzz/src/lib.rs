//! What each fuzz target checks, as plain functions of the input bytes, so that the same
//! checks run under libFuzzer (`fuzz_targets/`, nightly and cargo-fuzz) and as a replay of
//! the corpus on stable (`tests/replay.rs`).
//!
//! Every check is the same shape: parse; an error is a fine answer (the parser refused the
//! input), a panic is a bug. When the input parses, it is used as a caller would use it
//! (a fixed row scored, a fixed customer decided, a fixed history computed), written back
//! and read again: the second reading must succeed and write the same text, and score the
//! same to the bit.
use std::sync::OnceLock;

use nps_core::action::{playbook, Catalog, Customer, DecideOptions, FieldValue};
use nps_core::early_warning::{AnyLtrModel, BoostedLtrModel, LtrModel, TicketOptions, TicketScorer};
use nps_core::encode::{read_csv, Cell, Column, RawTable};
use nps_core::features::{retention, CustomerHistory, Event, FeatureEngine, FeatureSet};
use nps_core::model::boosted::BoostedChurnModel;
use nps_core::model::{AnyChurnModel, ChurnModel};
use nps_core::survey::{ScoreOptions, Tally};
use nps_core::uplift::{UpliftInputs, UpliftModel};
use serde_json::Value;

/// The service vector: a churn model on the retention features, the defaults of a customer
/// record, requests.
pub const SERVICE_VECTOR: &str = include_str!("../../tests/vectors/service.json");

/// The targets, by name (the names of `fuzz_targets/*.rs` and of the corpus directories).
pub const TARGETS: [(&str, fn(&[u8])); 10] = [
    ("logistic_model", logistic_model),
    ("boosted_model", boosted_model),
    ("ltr_model", ltr_model),
    ("uplift_model", uplift_model),
    ("ticket_file", ticket_file),
    ("catalog", catalog),
    ("feature_definitions", feature_definitions),
    ("history", history),
    ("survey_csv", survey_csv),
    ("service_request", service_request),
];

/// The fixed rows a parsed model scores: every input a number, missing, a text, a boolean,
/// and a mix.
fn rows(inputs: usize) -> Vec<Vec<Cell<'static>>> {
    let mixed = (0..inputs)
        .map(|i| match i % 4 {
            0 => Cell::Number(i as f64 - 1.5),
            1 => Cell::Missing,
            2 => Cell::Text("Month-to-month"),
            _ => Cell::Bool(true),
        })
        .collect();
    vec![
        vec![Cell::Number(1.0); inputs],
        vec![Cell::Missing; inputs],
        vec![Cell::Text("Yes"); inputs],
        vec![Cell::Bool(false); inputs],
        mixed,
    ]
}

fn bits<const N: usize>(r: nps_core::Result<[f64; N]>) -> Option<[u64; N]> {
    r.ok().map(|v| v.map(f64::to_bits))
}

fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}

/// Written back and read again: the same text, or the writer wrote what its reader refuses.
fn round_trip<T>(what: &str, written: String, read: impl Fn(&str) -> nps_core::Result<T>, write: impl Fn(&T) -> String) -> T {
    let again = read(&written).unwrap_or_else(|e| panic!("{what}: its own file is refused: {e}\n{written}"));
    assert_eq!(write(&again), written, "{what}: the file changes on a second round trip");
    again
}

/// The logistic churn model file (`ChurnModel::from_json`), and `AnyChurnModel` on the same text.
pub fn logistic_model(data: &[u8]) {
    let Some(text) = text(data) else { return };
    let _ = AnyChurnModel::from_json(text);
    let Ok(model) = ChurnModel::from_json(text) else { return };
    let again = round_trip("churn model", model.to_json(), ChurnModel::from_json, ChurnModel::to_json);
    let mut scratch = Vec::new();
    for row in rows(model.inputs.len()) {
        let a = model.score_cells(&row, &mut scratch).map(|p| [p]);
        let b = again.score_cells(&row, &mut scratch).map(|p| [p]);
        assert_eq!(bits(a), bits(b), "churn model: the re-read model scores differently");
    }
    let _ = model.explainer();
    let _ = model.id();
}

/// The boosted churn model file (`BoostedChurnModel::from_json`).
pub fn boosted_model(data: &[u8]) {
    let Some(text) = text(data) else { return };
    let Ok(model) = BoostedChurnModel::from_json(text) else { return };
    let again =
        round_trip("boosted model", model.to_json(), BoostedChurnModel::from_json, BoostedChurnModel::to_json);
    let mut scratch = Vec::new();
    for row in rows(model.inputs.len()) {
        let a = model.score_cells(&row, &mut scratch).map(|p| [p]);
        let b = again.score_cells(&row, &mut scratch).map(|p| [p]);
        assert_eq!(bits(a), bits(b), "boosted model: the re-read model scores differently");
        let mut out = vec![0.0; model.inputs.len()];
        let _ = model.tree_row(&row, 0, &mut out);
    }
    let _ = model.importance();
    let _ = AnyChurnModel::from_json(text).map(|m| nps_core::model::ChurnScorer::new(m));
}

/// The LTR model files: logistic (`LtrModel`), boosted (`BoostedLtrModel`) and either (`AnyLtrModel`).
pub fn ltr_model(data: &[u8]) {
    let Some(text) = text(data) else { return };
    if let Ok(model) = LtrModel::from_json(text) {
        round_trip("ltr model", model.to_json(), LtrModel::from_json, LtrModel::to_json);
    }
    if let Ok(model) = BoostedLtrModel::from_json(text) {
        round_trip("boosted ltr model", model.to_json(), BoostedLtrModel::from_json, BoostedLtrModel::to_json);
    }
    let Ok(model) = AnyLtrModel::from_json(text) else { return };
    let again = round_trip("any ltr model", model.to_json(), AnyLtrModel::from_json, AnyLtrModel::to_json);
    let mut scratch = Vec::new();
    for row in rows(model.inputs().len()) {
        let a = model.score_cells(&row, &mut scratch);
        let b = again.score_cells(&row, &mut scratch);
        assert_eq!(bits(a), bits(b), "ltr model: the re-read model scores differently");
        let _ = model.detractor_risk(&row);
    }
    let _ = nps_core::early_warning::LtrScorer::new(model);
}

/// The uplift model file (`UpliftModel::from_json`).
pub fn uplift_model(data: &[u8]) {
    let Some(text) = text(data) else { return };
    let Ok(model) = UpliftModel::from_json(text) else { return };
    let again = round_trip("uplift model", model.to_json(), UpliftModel::from_json, UpliftModel::to_json);
    let names = model.inputs().to_vec();
    for fill in [0.0, 1.0, f64::NAN, -3.5] {
        let x = ndarray::Array2::from_elem((2, names.len()), fill);
        let inputs = UpliftInputs::Matrix { x: x.view(), names: &names };
        let a = model.predict(&inputs).map(|v| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>());
        let b = again.predict(&inputs).map(|v| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>());
        assert_eq!(a.ok(), b.ok(), "uplift model: the re-read model predicts differently");
    }
}

/// The parts every ticket check shares: the service vector's churn model, the retention
/// features, the shipped playbook, a customer record from the vector's defaults.
pub struct Fixture {
    /// A scorer built from the parts.
    pub scorer: TicketScorer,
    /// The vector's default record, as the playbook's customer.
    pub customer: Customer,
}

/// The fixture, built once.
pub fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let vector: Value = serde_json::from_str(SERVICE_VECTOR).expect("the service vector is JSON");
        let churn = ChurnModel::from_json(&vector["model"].to_string()).expect("the vector's model reads");
        let engine = FeatureEngine::new(&retention(), CustomerHistory::new(&[]).kinds()).expect("retention compiles");
        let catalog = playbook();
        let customer = record(&catalog, &vector["defaults"]);
        let scorer = TicketScorer::new(engine, churn, None, catalog).expect("the fixture's scorer builds");
        Fixture { scorer, customer }
    })
}

/// A customer record for `catalog` from a JSON object of field values (fields it does not
/// know, or of the wrong type, are left out).
pub fn record(catalog: &Catalog, values: &Value) -> Customer {
    let mut pairs = Vec::new();
    if let Some(map) = values.as_object() {
        for (k, v) in map {
            let value = match v {
                Value::Number(n) => FieldValue::Number(n.as_f64().unwrap_or(f64::NAN)),
                Value::String(s) => FieldValue::Text(s.clone()),
                Value::Bool(b) => FieldValue::Bool(*b),
                _ => FieldValue::Missing,
            };
            pairs.push((k.as_str(), value));
        }
    }
    let mut customer = Customer { values: vec![FieldValue::Missing; catalog.fields().len()] };
    for pair in pairs {
        if let Ok(one) = catalog.customer(std::slice::from_ref(&pair)) {
            let slot = catalog.field_index(pair.0).expect("a known field");
            customer.values[slot] = one.values[slot].clone();
        }
    }
    customer
}

/// A fixed history: a subscription, bills, usage, a contact and a survey answer.
pub fn fixed_events() -> Vec<Event<'static>> {
    let day = 86_400;
    let start = 1_700_000_000;
    vec![
        Event { time: start, kind: "subscription_start", value: Some(30.0), ..Default::default() },
        Event { time: start + 10 * day, kind: "bill", value: Some(42.5), ..Default::default() },
        Event { time: start + 20 * day, kind: "usage", value: Some(1500.0), ..Default::default() },
        Event {
            time: start + 25 * day,
            kind: "contact_opened",
            duration: Some(300.0),
            department: Some("billing"),
            case: Some("K1"),
            flag: Some(false),
            ..Default::default()
        },
        Event { time: start + 30 * day, kind: "survey_answer", value: Some(6.0), ..Default::default() },
    ]
}

/// The ticket scorer's file (`early_warning/ticket_file.rs`).
pub fn ticket_file(data: &[u8]) {
    let Some(text) = text(data) else { return };
    let Ok(scorer) = TicketScorer::from_json(text) else { return };
    let again = round_trip("ticket scorer", scorer.to_json(), TicketScorer::from_json, TicketScorer::to_json);
    let kinds: Vec<&str> = scorer.engine().kinds().iter().map(String::as_str).collect();
    let customer = record(scorer.catalog(), &serde_json::json!({"segment": "consumer", "monthly_bill": 40}));
    let events = fixed_events();
    let now = events.last().map_or(0, |e| e.time) + 86_400;
    let (mut h1, mut h2) = (CustomerHistory::new(&kinds), CustomerHistory::new(&kinds));
    for event in &events {
        let a = scorer.score(&mut h1, event, now, &customer, &[], &TicketOptions::default());
        let b = again.score(&mut h2, event, now, &customer, &[], &TicketOptions::default());
        let a = a.map(|t| t.probability.to_bits());
        let b = b.map(|t| t.probability.to_bits());
        assert_eq!(a.ok(), b.ok(), "ticket scorer: the re-read scorer scores differently");
    }
}

/// The action catalogue (and the playbook, which is one).
pub fn catalog(data: &[u8]) {
    let Some(text) = text(data) else { return };
    let Ok(catalog) = Catalog::from_json(text) else { return };
    let written = catalog.to_value().to_string();
    let again = Catalog::from_json(&written).unwrap_or_else(|e| panic!("catalog: its own value is refused: {e}"));
    assert_eq!(again.to_value(), catalog.to_value(), "catalog: changes on a round trip");
    let customers = [
        Customer { values: vec![FieldValue::Missing; catalog.fields().len()] },
        record(&catalog, &serde_json::json!({"segment": "consumer", "monthly_bill": 40, "tenure_days": 100})),
    ];
    let factors: Vec<nps_core::action::Factor> =
        catalog.factors().iter().map(|f| nps_core::action::Factor::new(f, 0.5)).collect();
    for customer in &customers {
        for score in [0.0, 50.0, 100.0] {
            let a = catalog.decide(customer, score, &factors, &[], 1_700_000_000, &DecideOptions::default());
            let b = again.decide(customer, score, &factors, &[], 1_700_000_000, &DecideOptions::default());
            assert_eq!(a.ok(), b.ok(), "catalog: the re-read catalogue decides differently");
        }
        let mut out = Vec::new();
        let _ = catalog.encode(customer, &mut out);
    }
    let _ = catalog.band(50.0);
}

/// Feature definitions (`FeatureSet::from_json`), compiled and computed on a fixed history.
pub fn feature_definitions(data: &[u8]) {
    let Some(text) = text(data) else { return };
    let Ok(set) = FeatureSet::from_json(text) else { return };
    let again = round_trip("feature set", set.to_json(), FeatureSet::from_json, FeatureSet::to_json);
    assert_eq!(again, set, "feature set: changes on a round trip");
    let history = fixed_history(&["login", "refund"]);
    let Ok(engine) = FeatureEngine::new(&set, history.kinds()) else { return };
    for as_of in [0, 1_700_000_000, 1_700_000_000 + 40 * 86_400, i64::MAX / 2] {
        let _ = history.features(&engine, as_of);
    }
}

fn fixed_history(declared: &[&str]) -> CustomerHistory {
    let mut history = CustomerHistory::new(declared);
    for event in fixed_events() {
        history.push(&event).expect("the fixed events are valid");
    }
    history
}

/// A customer history file (`CustomerHistory::from_json`), features computed from it.
pub fn history(data: &[u8]) {
    let Some(text) = text(data) else { return };
    let Ok(history) = CustomerHistory::from_json(text) else { return };
    let again = round_trip("history", history.to_json(), CustomerHistory::from_json, CustomerHistory::to_json);
    let engine = &fixture().scorer.engine();
    let Ok(engine) = FeatureEngine::new(engine.set(), history.kinds()) else { return };
    let as_of = history.last_time().map_or(0, |t| t.saturating_add(1));
    let a = history.features(&engine, as_of).map(|v| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>());
    let b = again.features(&engine, as_of).map(|v| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>());
    assert_eq!(a.ok(), b.ok(), "history: the re-read history computes differently");
}

/// CSV as written back here: a header, every text cell quoted, numbers in Rust's shortest
/// round-trip form, missing cells as `""` (an empty line would be skipped as no row at all,
/// a one-column table's missing cell included: the first crash the fuzzer found was this
/// writer's, `fuzz/regressions/survey_csv/`).
fn write_csv(table: &RawTable) -> String {
    let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let mut out = table.names.iter().map(|n| quote(n)).collect::<Vec<_>>().join(",");
    out.push('\n');
    for row in 0..table.len() {
        let cells: Vec<String> = table
            .columns
            .iter()
            .map(|c| match c {
                Column::Numeric(v) if v[row].is_nan() => "\"\"".to_string(),
                Column::Numeric(v) => format!("{:?}", v[row]),
                Column::Text(v) => v[row].as_deref().map_or("\"\"".to_string(), quote),
            })
            .collect();
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

/// Survey and tabular CSV (`encode::read_csv`): each numeric column tallied as NPS answers.
pub fn survey_csv(data: &[u8]) {
    let Some(text) = text(data) else { return };
    let Ok(table) = read_csv(text) else { return };
    for column in &table.columns {
        if let Column::Numeric(v) = column {
            let _ = Tally::from_scores(v.as_slice(), &ScoreOptions::default());
        }
    }
    if table.names.len() == 1 && table.names[0].trim().is_empty() {
        return; // a blank header line is no header once written back
    }
    let written = write_csv(&table);
    let again = read_csv(&written).unwrap_or_else(|e| panic!("csv: its own text is refused: {e}\n{written}"));
    assert_eq!(again.names, table.names, "csv: the header changes on a round trip");
    for (a, b) in again.columns.iter().zip(&table.columns) {
        match (a, b) {
            (Column::Numeric(x), Column::Numeric(y)) => {
                let x: Vec<u64> = x.iter().map(|v| if v.is_nan() { 0 } else { v.to_bits() }).collect();
                let y: Vec<u64> = y.iter().map(|v| if v.is_nan() { 0 } else { v.to_bits() }).collect();
                assert_eq!(x, y, "csv: a numeric column changes on a round trip");
            }
            _ => assert_eq!(a.len(), b.len(), "csv: a column changes length on a round trip"),
        }
    }
}

/// The ticket service's request bodies, as far as the core reads them: `{"events": [...]}`
/// (and `/tickets`' single event) with each event's fields taken as the service takes them
/// (times in milliseconds), pushed into per-customer histories and scored by the fixture's
/// scorer; a history is written and read back after each accepted event.
pub fn service_request(data: &[u8]) {
    let Some(text) = text(data) else { return };
    let Ok(body) = serde_json::from_str::<Value>(text) else { return };
    let events: Vec<&Value> = match (&body["events"], &body["event"]) {
        (Value::Array(v), _) => v.iter().collect(),
        (_, e @ Value::Object(_)) => vec![e],
        _ => return,
    };
    let f = fixture();
    let customer = match &body["fields"] {
        fields @ Value::Object(_) => record(f.scorer.catalog(), fields),
        _ => f.customer.clone(),
    };
    let mut histories: Vec<(String, CustomerHistory)> = Vec::new();
    for e in events.into_iter().take(256) {
        let id = e["customer"].as_str().unwrap_or("").to_string();
        let Some(time) = e["time"].as_f64().filter(|t| t.is_finite() && t.abs() < 1e17) else { continue };
        let event = Event {
            time: (time / 1000.0).floor() as i64,
            kind: e["kind"].as_str().unwrap_or(""),
            value: e["value"].as_f64(),
            duration: e["duration"].as_f64(),
            department: e["department"].as_str(),
            case: e["case"].as_str(),
            flag: e["flag"].as_bool(),
        };
        let at = match histories.iter().position(|(c, _)| *c == id) {
            Some(i) => i,
            None => {
                histories.push((id, CustomerHistory::new(&[])));
                histories.len() - 1
            }
        };
        let history = &mut histories[at].1;
        let before = history.len();
        let scored = f.scorer.score(history, &event, event.time.saturating_add(1), &customer, &[], &TicketOptions::default());
        if scored.is_ok() {
            assert_eq!(history.len(), before + 1, "service: an accepted event is kept");
            round_trip("history", history.to_json(), CustomerHistory::from_json, CustomerHistory::to_json);
        } else {
            assert_eq!(history.len(), before, "service: a refused event leaves the history as it was");
        }
    }
}

/// Where a JSON document found in a vector seeds: by its `format` (and `kind`), or by its
/// shape (feature definitions, a catalogue).
fn seed_target(v: &serde_json::Map<String, Value>) -> Option<&'static str> {
    let kind = v.get("kind").and_then(Value::as_str);
    match (v.get("format").and_then(Value::as_str), kind) {
        (Some("nps.churn_model"), Some("boosted_trees")) => Some("boosted_model"),
        (Some("nps.churn_model"), _) => Some("logistic_model"),
        (Some("nps.ltr_model"), _) => Some("ltr_model"),
        (Some(f), _) if f == nps_core::uplift::UPLIFT_MODEL_FORMAT => Some("uplift_model"),
        (Some(f), _) if f == nps_core::features::HISTORY_FORMAT => Some("history"),
        (Some(f), _) if f == nps_core::early_warning::TICKET_SCORER_FORMAT => Some("ticket_file"),
        (Some(_), _) => None,
        (None, _) if v.contains_key("actions") && v.contains_key("fields") => Some("catalog"),
        (None, _) => match v.get("features") {
            Some(Value::Array(a)) if a.iter().any(|f| f.get("aggregation").is_some()) => Some("feature_definitions"),
            _ => None,
        },
    }
}

fn walk(v: &Value, out: &mut Vec<(&'static str, String)>, seen: &mut usize) {
    match v {
        Value::Object(map) => {
            if let Some(t) = seed_target(map) {
                out.push((t, v.to_string()));
            }
            if map.contains_key("events") || map.contains_key("event") {
                out.push(("service_request", v.to_string()));
            }
            for x in map.values() {
                walk(x, out, seen);
            }
        }
        // The first few of a long list: the shapes repeat.
        Value::Array(a) => a.iter().take(8).for_each(|x| walk(x, out, seen)),
        Value::String(s) if s.starts_with('{') => {
            if let Ok(inner) = serde_json::from_str::<Value>(s) {
                walk(&inner, out, seen);
            }
        }
        _ => {}
    }
    *seen += 1;
}

/// The seed corpus, `(target, content)`, from the repository at `root`: every model file,
/// catalogue, feature definition set and request found in `tests/vectors/*.json`; the
/// shipped playbook, retention set and example catalogues; files written by the core
/// (a ticket scorer, histories, an uplift model); small CSV texts.
pub fn seeds(root: &std::path::Path) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let mut seen = 0;
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(root.join("tests/vectors"))
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.push(root.join("examples/catalogues/telco.json"));
    files.sort();
    for path in files.iter().filter(|p| p.extension().is_some_and(|e| e == "json")) {
        let Ok(text) = std::fs::read_to_string(path) else { continue };
        let Ok(value) = serde_json::from_str::<Value>(&text) else { continue };
        walk(&value, &mut out, &mut seen);
    }
    out.push(("catalog", nps_core::action::PLAYBOOK_JSON.to_string()));
    out.push(("feature_definitions", nps_core::features::RETENTION_JSON.to_string()));
    let f = fixture();
    out.push(("ticket_file", f.scorer.to_json()));
    out.push(("history", fixed_history(&[]).to_json()));
    out.push(("history", fixed_history(&["login", "refund"]).to_json()));
    out.push(("history", CustomerHistory::new(&[]).to_json()));
    // An uplift model of each kind, fitted on a small fixed sample.
    let names = vec!["a".to_string(), "b".to_string()];
    let x = ndarray::Array2::from_shape_fn((40, 2), |(i, j)| ((i * 7 + j * 3) % 11) as f64);
    let y: Vec<f64> = (0..40).map(|i| ((i * 5) % 3 == 0) as u8 as f64).collect();
    let treated: Vec<f64> = (0..40).map(|i| (i % 2) as f64).collect();
    let learner = nps_core::uplift::UpliftLearner::Logistic(Default::default());
    for kind in nps_core::uplift::UPLIFT_KINDS {
        let inputs = UpliftInputs::Matrix { x: x.view(), names: &names };
        if let Ok(m) = UpliftModel::fit(kind, &inputs, &y, &treated, &learner) {
            out.push(("uplift_model", m.to_json()));
        }
    }
    for csv in [
        "score\n10\n9\n7\n0\n\n6\n",
        "customer,score,segment\nC1,10,consumer\nC2,3,\"small, business\"\r\nC3,,\"say \"\"hi\"\"\"\n",
        "a,b\n1e3, 2\n-0.5,NaN\n",
    ] {
        out.push(("survey_csv", csv.to_string()));
    }
    out.sort();
    out.dedup();
    out
}
