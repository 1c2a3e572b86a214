//! The control group: a stable share of customers who get no action, so that the uplift of
//! the actions can be measured against them.
use crate::error::{NpsError, Result};

/// Whether a customer belongs to the control group (which gets no action): a stable hash
/// (64-bit FNV-1a, finished with MurmurHash3's mixer) of `salt` and the customer id, so a customer stays in or out across
/// decisions, sessions and languages, and `share` of customers are in.
pub fn in_control_group(customer_id: &str, share: f64, salt: &str) -> Result<bool> {
    if !(0.0..=1.0).contains(&share) {
        return Err(NpsError::invalid("share", share, "a share between 0 and 1"));
    }
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in salt.bytes().chain(std::iter::once(0)).chain(customer_id.bytes()) {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    // FNV's high bits are poorly mixed for short, similar ids: finish with MurmurHash3's
    // 64-bit mixer before reading them.
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^= h >> 33;
    // The top 53 bits as a uniform number in [0, 1).
    Ok(((h >> 11) as f64 / (1u64 << 53) as f64) < share)
}
