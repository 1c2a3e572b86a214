//! Customers (and value) saved per so many contacts when the top k by a score are called:
//! the number a retention programme is run on.
use serde::{Deserialize, Serialize};

use super::outcome::{check_finite, check_k, Outcome};
use super::qini::{ranking, top_k_groups, UpliftStrategy};
use crate::error::{NpsError, Result};

/// Contacts the savings are counted per by default: per 1,000 contacts.
pub const DEFAULT_CONTACTS: f64 = 1_000.0;

/// What calling the top k by a score saves, per [`SavedPerContacts::contacts`] contacts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SavedPerContacts {
    /// The fraction of customers targeted.
    pub k: f64,
    /// The contacts the figures are per.
    pub contacts: f64,
    /// Customers in the top k.
    pub targeted: usize,
    /// Customers saved per contact: the retention rate of the treated minus that of the
    /// control group in the top k ([`uplift_at`](super::uplift_at), overall), or the mean
    /// predicted uplift there ([`expected_saved`]).
    pub uplift: f64,
    /// Customers saved per `contacts` contacts: `uplift × contacts`.
    pub customers: f64,
    /// Value saved per `contacts` contacts, when a value per customer is given: the mean
    /// retained value of the treated minus that of the control group in the top k (or the
    /// mean of predicted uplift × value), times `contacts`.
    pub value: Option<f64>,
}

fn check_contacts(contacts: f64) -> Result<()> {
    if contacts > 0.0 && contacts.is_finite() {
        Ok(())
    } else {
        Err(NpsError::invalid("contacts", contacts, "a positive number"))
    }
}

/// Customers (and, with `value`, value) saved per `contacts` contacts when the top
/// fraction `k` by `score` is called, measured on a logged campaign with a control group
/// (`y` and `treated` as [`qini_curve`](super::qini_curve); the top k taken overall, as
/// [`uplift_at`](super::uplift_at)). Errors as `uplift_at`, and a `value` of another
/// length or not finite, `contacts` not positive.
pub fn saved_per_contacts(
    y: &[f64],
    treated: &[f64],
    score: &[f64],
    k: f64,
    value: Option<&[f64]>,
    contacts: f64,
    outcome: Outcome,
) -> Result<SavedPerContacts> {
    check_contacts(contacts)?;
    let (rt, nt, rc, nc) = top_k_groups(y, treated, score, k, UpliftStrategy::Overall, outcome, None)?;
    let uplift = rt / nt - rc / nc;
    let value = match value {
        Some(v) => {
            check_finite("value", v, y.len(), "y")?;
            let (vt, nt, vc, nc) = top_k_groups(y, treated, score, k, UpliftStrategy::Overall, outcome, Some(v))?;
            Some((vt / nt - vc / nc) * contacts)
        }
        None => None,
    };
    Ok(SavedPerContacts { k, contacts, targeted: (nt + nc) as usize, uplift, customers: uplift * contacts, value })
}

/// The customers (and value) a model expects to save per `contacts` contacts when the top
/// fraction `k` by its predicted `uplift` is called: the mean predicted uplift of the top
/// ⌊k·n⌋ (equal predictions the later row first, as scikit-uplift), and of uplift × value.
/// Errors: empty or non-finite inputs, mismatched lengths, `k` outside (0, 1] or too small
/// for one row.
pub fn expected_saved(uplift: &[f64], value: Option<&[f64]>, k: f64, contacts: f64) -> Result<SavedPerContacts> {
    if uplift.is_empty() {
        return Err(NpsError::Empty { field: "uplift".into() });
    }
    check_finite("uplift", uplift, uplift.len(), "uplift")?;
    if let Some(v) = value {
        check_finite("value", v, uplift.len(), "uplift")?;
    }
    check_k(k)?;
    check_contacts(contacts)?;
    let size = (uplift.len() as f64 * k) as usize;
    if size == 0 {
        return Err(NpsError::invalid("k", k, "a fraction whose top rows hold at least one row"));
    }
    let top = &ranking(uplift)[..size];
    let mean = top.iter().map(|&i| uplift[i]).sum::<f64>() / size as f64;
    let value = value.map(|v| top.iter().map(|&i| uplift[i] * v[i]).sum::<f64>() / size as f64 * contacts);
    Ok(SavedPerContacts { k, contacts, targeted: size, uplift: mean, customers: mean * contacts, value })
}
