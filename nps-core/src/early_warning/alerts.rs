//! Detractor alerts: the customers to call first, ranked by what a detractor among them
//! would cost, P(detractor) × value, each with the inputs that push them towards detractor.
use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

use crate::error::{check_lengths, NpsError, Result};
use crate::explain::top_indices_into;

/// How many customers [`detractor_alerts`] returns unless asked otherwise.
pub const DEFAULT_ALERTS: usize = 100;

/// One customer of [`detractor_alerts`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DetractorAlert {
    /// The customer's row in the inputs.
    pub row: usize,
    /// P(detractor).
    pub detractor_risk: f64,
    /// The customer's value (1 when no values are given).
    pub value: f64,
    /// `detractor_risk × value`: the ranking key.
    pub expected: f64,
    /// The inputs pushing the customer most towards detractor (columns of the
    /// contributions), the largest contribution first; only positive ones.
    pub factors: Vec<usize>,
}

/// The `top` customers with the highest P(detractor) × value (ties in row order), each with
/// its `factors` inputs of largest positive contribution to ln(P(detractor) / P(promoter))
/// (ties in input order, as [`top_indices_into`] ranks them). `risk` and the rows of
/// `contributions` come from one detractor attribution ([`super::DetractorContributions`]);
/// `value` (revenue, say) is one finite number per customer, or 1 for everyone.
pub fn detractor_alerts(
    risk: &[f64],
    value: Option<&[f64]>,
    contributions: ArrayView2<'_, f64>,
    top: usize,
    factors: usize,
) -> Result<Vec<DetractorAlert>> {
    let n = risk.len();
    check_lengths("contributions (rows)", contributions.nrows(), "detractor_risk", n)?;
    if let Some(v) = value {
        check_lengths("value", v.len(), "detractor_risk", n)?;
        if let Some(i) = v.iter().position(|x| !x.is_finite()) {
            return Err(match v[i].is_nan() {
                true => NpsError::Missing { field: "value".into(), index: i },
                false => NpsError::OutOfRange {
                    field: "value".into(),
                    index: i,
                    value: v[i],
                    range: "finite numbers".into(),
                },
            });
        }
    }
    let value_of = |i: usize| value.map_or(1.0, |v| v[i]);
    let expected: Vec<f64> = (0..n).map(|i| risk[i] * value_of(i)).collect();
    let mut order: Vec<usize> = (0..n).collect();
    // Stable: equal expected losses (0 and −0 included) keep their row order.
    order.sort_by(|&a, &b| expected[b].partial_cmp(&expected[a]).unwrap_or(std::cmp::Ordering::Equal));
    order.truncate(top);
    let (mut up, mut down) = (Vec::new(), Vec::new());
    let mut row = Vec::new();
    Ok(order
        .into_iter()
        .map(|i| {
            row.clear();
            row.extend(contributions.row(i).iter().copied());
            top_indices_into(&row, factors, &mut up, &mut down);
            DetractorAlert {
                row: i,
                detractor_risk: risk[i],
                value: value_of(i),
                expected: expected[i],
                factors: up.clone(),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn ranked_by_expected_loss_ties_in_row_order_factors_largest_first() {
        let risk = [0.2, 0.5, 0.4, 0.5];
        let value = [10.0, 2.0, 5.0, 2.0];
        let c = array![[0.3, -0.1, 0.5], [0.0, 0.2, 0.2], [-0.4, -0.1, 0.0], [0.1, 0.0, 0.0]];
        let alerts = detractor_alerts(&risk, Some(&value), c.view(), 3, 2).unwrap();
        // Expected: 2.0, 1.0, 2.0, 1.0: rows 0 and 2 tie (row order), then row 1.
        assert_eq!(alerts.iter().map(|a| a.row).collect::<Vec<_>>(), [0, 2, 1]);
        assert_eq!(alerts[0].factors, [2, 0]);
        assert_eq!(alerts[1].factors, Vec::<usize>::new());
        assert_eq!(alerts[2].factors, [1, 2]);
        assert_eq!(alerts[2].expected, 0.5 * 2.0);
        let without = detractor_alerts(&risk, None, c.view(), 10, 1).unwrap();
        assert_eq!(without.iter().map(|a| a.row).collect::<Vec<_>>(), [1, 3, 2, 0]);
        assert!(without.iter().all(|a| a.value == 1.0 && a.factors.len() <= 1));
    }

    #[test]
    fn bad_values_and_lengths_name_the_field() {
        let c = array![[0.1], [0.2]];
        let e = detractor_alerts(&[0.1, 0.2], Some(&[1.0, f64::NAN]), c.view(), 1, 1).unwrap_err();
        assert_eq!(e.to_string(), "value[1] is missing (NaN)");
        let e = detractor_alerts(&[0.1, 0.2], Some(&[f64::INFINITY, 1.0]), c.view(), 1, 1).unwrap_err();
        assert_eq!(e.to_string(), "value[0] = inf is outside finite numbers");
        let e = detractor_alerts(&[0.1, 0.2], Some(&[1.0]), c.view(), 1, 1).unwrap_err();
        assert_eq!(e.to_string(), "value has 1 elements but detractor_risk has 2");
        let e = detractor_alerts(&[0.1], None, c.view(), 1, 1).unwrap_err();
        assert_eq!(e.code(), "LENGTH_MISMATCH");
    }
}
