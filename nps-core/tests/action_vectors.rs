//! The shared decisions of `tests/vectors/actions.json` (also read by the Python and Node
//! tests): the same actions, priorities, trace (status, detail, condition, values seen) and
//! errors in every language.
use nps_core::action::{playbook, Catalog, DecideRequest, Factor, FieldValue, Outcome, OutcomeKind};
use nps_core::NpsError;
use serde_json::Value;

fn vectors() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/actions.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("tests/vectors/actions.json")).unwrap()
}

/// The decision of one case as the JSON the vector holds, or its error: the request the
/// bindings send ([`Catalog::decide_request`]).
fn decide(catalog: &Catalog, c: &Value) -> Result<Value, NpsError> {
    let fields: Vec<(&str, FieldValue)> = c["customer"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(name, v)| {
            let value = match v {
                Value::Null => FieldValue::Missing,
                Value::Bool(b) => FieldValue::Bool(*b),
                Value::Number(x) => FieldValue::Number(x.as_f64().unwrap()),
                Value::String(s) => FieldValue::Text(s.clone()),
                other => panic!("{other}"),
            };
            (name.as_str(), value)
        })
        .collect();
    let history = c["history"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(i, o)| {
            Ok(Outcome {
                action: o["action"].as_str().unwrap().into(),
                channel: o["channel"].as_str().unwrap().into(),
                group: o["group"].as_str().unwrap().into(),
                time: o["time"].as_i64().unwrap(),
                kind: OutcomeKind::named(o["kind"].as_str().unwrap(), &format!("history[{i}].kind"))?,
            })
        })
        .collect::<Result<Vec<_>, NpsError>>()?;
    let request = DecideRequest {
        score: c["score"].as_f64(),
        probability: c["probability"].as_f64(),
        factors: c["factors"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(name, x)| Factor::new(name, x.as_f64().unwrap()))
            .collect(),
        history,
        now: c["now"].as_i64(),
        top: c["top"].as_u64().unwrap() as usize,
        ignore_extra: c["ignore_extra"].as_bool().unwrap_or(false),
        uplift: c["uplift"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(id, u)| (id.clone(), u.as_f64().unwrap()))
            .collect(),
        ..Default::default()
    };
    let d = catalog.decide_request(&fields, &request, None)?.decision;
    Ok(serde_json::json!({
        "actions": d.actions.iter().map(|a| serde_json::json!({"id": &*a.id, "priority": a.priority, "value": a.value}))
            .collect::<Vec<_>>(),
        "trace": d.trace.iter().map(|t| serde_json::json!({
            "id": &*t.id, "status": t.verdict.status(), "detail": t.detail(), "priority": t.verdict.priority(),
            "condition": t.condition.as_deref(), "seen": t.seen,
        })).collect::<Vec<_>>(),
    }))
}

#[test]
fn every_case_decides_as_the_vector_says() {
    let v = vectors();
    let custom = Catalog::from_value(&v["custom_catalogue"]).unwrap();
    let book = playbook();
    let cases = v["cases"].as_array().unwrap();
    assert!(cases.len() >= 15);
    let (mut decided, mut refused) = (0, 0);
    for c in cases {
        let catalog = if c["catalogue"] == "playbook" { &book } else { &custom };
        let name = c["name"].as_str().unwrap();
        match decide(catalog, c) {
            Ok(got) => {
                assert_eq!(got, c["expected"], "{name}");
                decided += 1;
            }
            Err(e) => {
                let want = &c["expected"]["error"];
                assert_eq!(
                    (e.code(), e.to_string().as_str()),
                    (want["code"].as_str().unwrap(), want["message"].as_str().unwrap()),
                    "{name}"
                );
                refused += 1;
            }
        }
    }
    assert!(decided >= 8 && refused >= 7, "{decided} decided, {refused} refused");
}

/// The learner's credible interval against scipy's Beta quantiles (the vector's
/// `learner_intervals`, also read by Python and Node).
#[test]
fn learner_intervals_equal_scipy() {
    use nps_core::action::Learner;
    for c in vectors()["learner_intervals"].as_array().unwrap() {
        let prior = [c["prior"][0].as_f64().unwrap(), c["prior"][1].as_f64().unwrap()];
        let mut learner = Learner::new(prior, 0.0, 0).unwrap();
        for _ in 0..c["successes"].as_u64().unwrap() {
            learner.record("a", "s", true);
        }
        for _ in 0..c["failures"].as_u64().unwrap() {
            learner.record("a", "s", false);
        }
        let b = learner.interval("a", "s", c["level"].as_f64().unwrap()).unwrap();
        for (got, want) in [b.low, b.high].into_iter().zip(c["expected"].as_array().unwrap()) {
            let want = want.as_f64().unwrap();
            assert!((got - want).abs() <= 1e-10 * want.max(1e-300), "{c}: {got} vs {want}");
        }
        assert!(b.low <= learner.mean("a", "s") && learner.mean("a", "s") <= b.high);
    }
    let err = Learner::new([1.0, 1.0], 0.0, 0).unwrap().interval("a", "s", 1.0).unwrap_err();
    assert!(err.to_string().contains("level must be strictly between 0 and 1, got 1"), "{err}");
}
