//! The built-in retention feature set: the churn indicators operators and the churn
//! literature rely on, defined in `retention.json` in the same format any operator uses.
use super::definition::FeatureSet;

/// The JSON text of the built-in retention set.
pub const RETENTION_JSON: &str = include_str!("retention.json");

/// The built-in retention feature set (27 features; names and one-line descriptions in
/// `retention.json`): tenure, lifetime value, churned subscriptions, support contacts in 7, 30
/// and 90 days, repeat contacts, transfers per case, average handle time, interaction quality
/// (mean, worst and last contact score or survey answer), days since the last contact, usage
/// and its trend, bill shock, payment-frequency trend, top-up gap ratio, outages, and the last
/// NPS answer with its category and age.
///
/// ```
/// let set = nps_core::features::retention();
/// assert_eq!(set.features[0].name, "tenure_days");
/// ```
pub fn retention() -> FeatureSet {
    FeatureSet::from_json(RETENTION_JSON).expect("the built-in retention set is valid")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_with_descriptions() {
        let set = retention();
        assert_eq!(set.features.len(), 27);
        assert!(set.features.iter().all(|f| !f.description.is_empty()));
    }

    #[test]
    fn round_trips_through_json() {
        let set = retention();
        assert_eq!(FeatureSet::from_json(&set.to_json()).unwrap(), set);
        let text = serde_json::to_string(&set).unwrap();
        assert_eq!(serde_json::from_str::<FeatureSet>(&text).unwrap(), set);
    }
}
