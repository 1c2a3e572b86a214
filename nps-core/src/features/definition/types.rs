//! The feature definitions as data: a set, its features, their rules, aggregations, fields,
//! windows and filters.
use serde::Serialize;

/// A list of feature definitions, computed together into one matrix (columns in this order).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FeatureSet {
    /// The features, in column order.
    pub features: Vec<FeatureDefinition>,
}

impl FeatureSet {
    /// The feature named `name`, if any.
    pub fn get(&self, name: &str) -> Option<&FeatureDefinition> {
        self.features.iter().find(|f| f.name == name)
    }
}

/// One feature: a named aggregate of events or a composite of two other features.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureDefinition {
    /// Column name, unique in its set.
    pub name: String,
    /// One line for people reading the matrix (may be empty).
    pub description: String,
    /// How the feature is computed.
    pub rule: FeatureRule,
    /// The value when no event matches (aggregates) or when the result is NaN (composites).
    pub default: Option<f64>,
}

impl FeatureDefinition {
    /// An aggregate feature without window, filter or default.
    pub fn aggregate(
        name: &str,
        description: &str,
        kinds: &[&str],
        aggregation: Aggregation,
        field: Option<Field>,
    ) -> Self {
        FeatureDefinition {
            name: name.into(),
            description: description.into(),
            rule: FeatureRule::Aggregate(Aggregate {
                kinds: kinds.iter().map(|k| k.to_string()).collect(),
                aggregation,
                field,
                window: None,
                filter: None,
            }),
            default: None,
        }
    }

    /// For composites, the JSON key ("ratio" or "difference") and the two operand names.
    pub(crate) fn operands(&self) -> Option<(&'static str, [&String; 2])> {
        match &self.rule {
            FeatureRule::Aggregate(_) => None,
            FeatureRule::Ratio { numerator, denominator } => Some(("ratio", [numerator, denominator])),
            FeatureRule::Difference { minuend, subtrahend } => Some(("difference", [minuend, subtrahend])),
        }
    }
}

/// How a feature is computed.
#[derive(Debug, Clone, PartialEq)]
pub enum FeatureRule {
    /// An aggregation over the customer's matching events.
    Aggregate(Aggregate),
    /// `numerator / denominator`; NaN when the denominator is zero or NaN.
    Ratio {
        /// Name of the feature on top.
        numerator: String,
        /// Name of the feature below.
        denominator: String,
    },
    /// `minuend − subtrahend`.
    Difference {
        /// Name of the feature subtracted from.
        minuend: String,
        /// Name of the feature subtracted.
        subtrahend: String,
    },
}

/// An aggregation over the events of some kinds, in a window, passing a filter.
#[derive(Debug, Clone, PartialEq)]
pub struct Aggregate {
    /// Event kind names (checked against the event table at compute time).
    pub kinds: Vec<String>,
    /// What to compute.
    pub aggregation: Aggregation,
    /// The field aggregated, for aggregations that read one.
    pub field: Option<Field>,
    /// The time window; `None` is the whole history before the reference time.
    pub window: Option<Window>,
    /// Which events count; `None` is all of the kinds.
    pub filter: Option<Filter>,
}

/// The aggregations (see the [features module documentation](crate::features) for their exact meaning).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Aggregation {
    /// Number of events.
    Count,
    /// Sum of the field.
    Sum,
    /// Mean of the field.
    Mean,
    /// Minimum of the field.
    Min,
    /// Maximum of the field.
    Max,
    /// Sample standard deviation of the field (ddof = 1).
    Std,
    /// The field of the earliest event.
    First,
    /// The field of the latest event.
    Last,
    /// Number of distinct cases or departments.
    DistinctCount,
    /// Days from the latest event to the reference time.
    DaysSinceLast,
    /// Days from the earliest event to the reference time.
    DaysSinceFirst,
    /// Least-squares slope of the field per day.
    Slope,
    /// Events that come at most `within_days` after the previous one.
    RepeatCount {
        /// The largest gap, in days, that makes an event a repeat.
        within_days: f64,
    },
    /// The last value over the mean of the `previous` values before it.
    LastOverMeanPrevious {
        /// How many earlier values make the baseline (at least 1).
        previous: u32,
    },
    /// Days since the last event over the median gap between events.
    GapRatio,
    /// NPS category of the last value: 0 detractor, 1 passive, 2 promoter.
    NpsCategory,
}

/// The names of the aggregations, as written in JSON.
pub const AGGREGATIONS: [&str; 16] = [
    "count",
    "sum",
    "mean",
    "min",
    "max",
    "std",
    "first",
    "last",
    "distinct_count",
    "days_since_last",
    "days_since_first",
    "slope",
    "repeat_count",
    "last_over_mean_previous",
    "gap_ratio",
    "nps_category",
];

/// What field an aggregation reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FieldUse {
    None,
    Numeric,
    Code,
}

impl Aggregation {
    /// The name as written in JSON.
    pub fn name(&self) -> &'static str {
        match self {
            Aggregation::Count => "count",
            Aggregation::Sum => "sum",
            Aggregation::Mean => "mean",
            Aggregation::Min => "min",
            Aggregation::Max => "max",
            Aggregation::Std => "std",
            Aggregation::First => "first",
            Aggregation::Last => "last",
            Aggregation::DistinctCount => "distinct_count",
            Aggregation::DaysSinceLast => "days_since_last",
            Aggregation::DaysSinceFirst => "days_since_first",
            Aggregation::Slope => "slope",
            Aggregation::RepeatCount { .. } => "repeat_count",
            Aggregation::LastOverMeanPrevious { .. } => "last_over_mean_previous",
            Aggregation::GapRatio => "gap_ratio",
            Aggregation::NpsCategory => "nps_category",
        }
    }

    /// The value of the aggregation over no events, without a `default`.
    pub fn empty_value(&self) -> f64 {
        match self {
            Aggregation::Count | Aggregation::Sum | Aggregation::DistinctCount | Aggregation::RepeatCount { .. } => 0.0,
            _ => f64::NAN,
        }
    }

    pub(crate) fn field_use(&self) -> FieldUse {
        match self {
            Aggregation::Count
            | Aggregation::DaysSinceLast
            | Aggregation::DaysSinceFirst
            | Aggregation::RepeatCount { .. }
            | Aggregation::GapRatio => FieldUse::None,
            Aggregation::DistinctCount => FieldUse::Code,
            _ => FieldUse::Numeric,
        }
    }
}

/// An event field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// The numeric value (amount, megabytes, score).
    Value,
    /// The duration in seconds.
    Duration,
    /// The case code.
    Case,
    /// The department code.
    Department,
}

impl Field {
    /// The name as written in JSON.
    pub fn name(&self) -> &'static str {
        match self {
            Field::Value => "value",
            Field::Duration => "duration",
            Field::Case => "case",
            Field::Department => "department",
        }
    }
}

/// A time window before the reference time: as_of − (offset_days + days) ≤ t < as_of − offset_days.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Window {
    /// Length in days (positive, may be fractional).
    pub days: f64,
    /// How many days before the reference time the window ends (non-negative).
    #[serde(skip_serializing_if = "is_zero")]
    pub offset_days: f64,
}

fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

impl Window {
    /// The last `days` days before the reference time.
    pub fn days(days: f64) -> Window {
        Window { days, offset_days: 0.0 }
    }
}

/// Which events count.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    /// The event's department has this name (`{"field": "department", "equals": "billing"}`).
    Department(String),
    /// The event's flag is present and equals this (`{"field": "flag", "equals": true}`).
    Flag(bool),
    /// The field (`value` or `duration`) is present and within the inclusive bounds
    /// (`{"field": "value", "min": 0, "max": 6}`).
    Range {
        /// `Field::Value` or `Field::Duration`.
        field: Field,
        /// Inclusive lower bound.
        min: Option<f64>,
        /// Inclusive upper bound.
        max: Option<f64>,
    },
    /// Every filter passes (`{"all": [..]}`; true when empty).
    All(Vec<Filter>),
    /// Some filter passes (`{"any": [..]}`; false when empty).
    Any(Vec<Filter>),
    /// The filter fails (`{"not": {..}}`).
    Not(Box<Filter>),
}
