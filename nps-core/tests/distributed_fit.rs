//! A churn model trained on a table held in parts (encoder summaries merged, the logistic
//! fit driven over the parts' sums) equals the model trained on the whole table.
use nps_core::encode::{Column, ColumnKind, ColumnSpec, EncoderSummary, RawTable};
use nps_core::model::{ChurnModel, ChurnModelOptions, DistributedFit, LogisticOptions, LogisticSums};

fn table(n: usize) -> (RawTable, Vec<f64>, Vec<f64>) {
    let mut state = 11u64;
    let mut next = || {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut tenure = Vec::new();
    let mut plan = Vec::new();
    let mut y = Vec::new();
    for i in 0..n {
        let t = (next() * 72.0).floor();
        let p = ["prepaid", "postpaid", "business"][(next() * 3.0) as usize];
        let z = 1.0 - 0.05 * t + if p == "prepaid" { 0.8 } else { 0.0 };
        y.push(f64::from(next() < 1.0 / (1.0 + (-z).exp())));
        tenure.push(if i % 13 == 4 { f64::NAN } else { t });
        plan.push(if i % 29 == 7 { None } else { Some(p.to_string()) });
    }
    let weights = (0..n).map(|i| if i % 31 == 0 { 0.0 } else { 1.0 + (i % 3) as f64 }).collect();
    let table = RawTable::new(vec!["tenure".into(), "plan".into()], vec![Column::Numeric(tenure), Column::Text(plan)]);
    (table.unwrap(), y, weights)
}

#[test]
fn a_model_trained_in_parts_equals_the_model_trained_whole() {
    let (whole, y, w) = table(3_000);
    let specs = [ColumnSpec::new("tenure", ColumnKind::Numeric), ColumnSpec::new("plan", ColumnKind::Categorical)];
    let options =
        ChurnModelOptions { logistic: LogisticOptions { tol: 1e-10, ..Default::default() }, ..Default::default() };
    let parts: Vec<(RawTable, Vec<f64>, Vec<f64>)> = [0..700, 700..701, 701..701, 701..3_000]
        .into_iter()
        .map(|r| (whole.select(&r.clone().collect::<Vec<_>>()), y[r.clone()].to_vec(), w[r].to_vec()))
        .collect();
    for weighted in [false, true] {
        let weights = |part: &(RawTable, Vec<f64>, Vec<f64>)| weighted.then(|| part.2.clone());
        let want = ChurnModel::fit(&whole, &y, weighted.then_some(&w[..]), &specs, &options).unwrap();
        let mut summary = EncoderSummary::observe(&parts[0].0, &specs, weights(&parts[0]).as_deref()).unwrap();
        for part in &parts[1..] {
            summary.merge(&EncoderSummary::observe(&part.0, &specs, weights(part).as_deref()).unwrap()).unwrap();
        }
        let encoder = summary.encoder(&options.encoder).unwrap();
        let encoded: Vec<_> = parts.iter().map(|p| encoder.transform(&p.0).unwrap()).collect();
        let mut driver = DistributedFit::new(encoder.width(), &options.logistic).unwrap();
        loop {
            let (coef, intercept) = driver.point();
            let (coef, intercept) = (coef.to_vec(), intercept);
            let mut sums = LogisticSums::zero(encoder.width(), true);
            for (x, part) in encoded.iter().zip(&parts) {
                let w = weights(part);
                sums.merge(&LogisticSums::of(x.view(), &part.1, w.as_deref(), &coef, intercept).unwrap()).unwrap();
            }
            if driver.update(&sums).unwrap() {
                break;
            }
        }
        let rows = driver.rows();
        let got = ChurnModel::from_parts(
            encoder,
            driver.fit().unwrap(),
            driver.column_mean(),
            [rows[0] as usize, rows[1] as usize],
            &options,
        )
        .unwrap();
        assert_eq!(got.columns, want.columns);
        assert_eq!((got.training.rows, got.training.positives), (want.training.rows, want.training.positives));
        for (a, b) in got.coef.iter().zip(&want.coef).chain([(&got.intercept, &want.intercept)]) {
            approx::assert_abs_diff_eq!(a, b, epsilon = 1e-8);
        }
        for (a, b) in got.column_mean.iter().zip(&want.column_mean) {
            approx::assert_abs_diff_eq!(a, b, epsilon = 1e-12);
        }
    }
}
