//! A feature set written as Spark SQL: the features of every customer computed inside Spark's
//! JVM by one `groupBy("customer").agg(...)`, with the core's numbers to the bit.
//!
//! On Spark, handing the events to a Python worker costs about as much as Spark SQL's whole
//! aggregation, and an aggregation Spark runs itself merges partial states before the
//! shuffle, so it moves one row per customer and input split instead of every event. The
//! aggregations whose result does not depend on the order of the events (counts, sums,
//! means, minima, maxima, the first and last values, the days since the first and last
//! events, the NPS category of the last answer) and the composites of them are written here;
//! a set with any other aggregation (standard deviations, slopes, repeats, gaps, distinct
//! counts, or a field of cases) is refused, and is for the event path.
//!
//! Every step is one Spark performs as the core does: comparisons, `CASE`, integer sums,
//! IEEE additions and divisions. The one that needs care is the sum, which the core adds
//! exactly and rounds once ([`crate::stats::exact_sum`]) while Spark adds doubles in the
//! order its rows come. Here each value `x` is an integer `y = x · 2^-L` (every value is a
//! multiple of `2^L`: 1 for whole numbers, else found from the smallest magnitude among the
//! events), cut into `K` digits of `W` bits, and each digit is summed as a 64-bit integer:
//! exact, whatever the order. After the aggregation the digits' sums are carried into a sign
//! and a magnitude and rounded once: one digit by one conversion, two by one IEEE addition
//! of exact doubles (or one conversion with the low digit as a sticky bit), more as
//! non-overlapping doubles added from the top with the rounding of Python's `math.fsum` (the
//! first inexact addition decides, a tie goes up when anything is left below). `L`, `K` and
//! `W` come from one pass over the events ([`FeatureEngine::spark_sql_ranges`]): the rows,
//! the smallest and largest magnitudes, whether all are whole, whether any is -0.
//!
//! Spark compiles a stage's projections and the inputs its aggregates share into one Java
//! method, which the JVM does not compile past 8,000 bytes of bytecode (it then runs 5 to 10
//! times slower); so the events get one light projection, and each aggregate carries its own
//! condition and digit, which Spark compiles as a method of its own.
//!
//! A row the core would refuse (a missing customer, time or kind, an unknown kind, a value or
//! duration out of range, a survey answer off the scale) stops the job with the core's words
//! and the customer (`RAISE_ERROR`).

use serde::{Deserialize, Serialize};

use super::compute::days_to_seconds;
use super::{Aggregation, FeatureEngine, FeatureRule, Field, Filter, MAX_MAGNITUDE};
use crate::error::{NpsError, Result};
use crate::spark_sql_text::{escape_plain, number, raise_with, text};

/// One column of a Spark SQL step: its name and the expression that computes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SqlColumn {
    /// The column's name (the features' own names in the last step, `_`-prefixed before).
    pub name: String,
    /// A Spark SQL expression over the previous step's columns.
    pub expression: String,
}

/// What the sums need to know of the events, found by the aggregates of
/// [`FeatureEngine::spark_sql_ranges`] (each `None` when no event has such a value).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct EventRanges {
    /// The number of events (a bound on any customer's).
    pub rows: u64,
    /// The smallest magnitude of a non-zero value.
    pub value_least: Option<f64>,
    /// The largest magnitude of a value.
    pub value_greatest: Option<f64>,
    /// The smallest non-zero duration.
    pub duration_least: Option<f64>,
    /// The largest duration.
    pub duration_greatest: Option<f64>,
    /// How many values are not whole numbers (`None`: not counted). With none, every value
    /// is a multiple of 1, and a sum of whole numbers below `2^52` is one integer digit.
    #[serde(default)]
    pub value_fractions: Option<u64>,
    /// How many durations are not whole numbers (`None`: not counted).
    #[serde(default)]
    pub duration_fractions: Option<u64>,
    /// How many values are -0 (`None`: not counted, so there may be some).
    #[serde(default)]
    pub value_negative_zeros: Option<u64>,
    /// How many durations are -0 (`None`: not counted).
    #[serde(default)]
    pub duration_negative_zeros: Option<u64>,
}

impl EventRanges {
    /// Whether `field` may hold a -0 (which sums, minima and maxima must tell from 0).
    fn negative_zeros(&self, field: Field) -> bool {
        let count = if field == Field::Duration { self.duration_negative_zeros } else { self.value_negative_zeros };
        count != Some(0)
    }
}

/// The features as Spark SQL steps: a projection of the events, the aggregates grouped by
/// `customer`, then projections of the aggregates. The events must have the columns
/// `customer`, `time` (a TIMESTAMP), `kind` (a STRING), `value` and `duration` (numbers),
/// `department` (a STRING) and `flag` (a BOOLEAN), the optional ones null when absent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureSql {
    /// The projection of the events (light: the aggregates carry the conditions).
    pub events: Vec<SqlColumn>,
    /// The aggregates, over the projection of the events grouped by `customer`.
    pub aggregates: Vec<SqlColumn>,
    /// Projections of the aggregates (and `customer`), in order; the last gives `customer`
    /// and one DOUBLE per feature, named as the features and in their order.
    pub steps: Vec<Vec<SqlColumn>>,
}

/// The widest sums written: digits of up to 52 bits, at most 16 of them.
const MOST_DIGITS: u32 = 16;

impl FeatureEngine {
    /// The aggregates over the events (the columns of [`FeatureSql`]) that give the
    /// [`EventRanges`] the sums of [`FeatureEngine::spark_sql`] need, named as its fields;
    /// empty when no feature sums (then no pass is needed).
    ///
    /// Errors: a feature whose aggregation or field is not written as Spark SQL (those that
    /// are: counts, sums, means, minima, maxima, first and last values, days since the first
    /// or last event, NPS categories, of the value, the duration or the department, and
    /// ratios and differences of them).
    pub fn spark_sql_ranges(&self) -> Result<Vec<SqlColumn>> {
        let mut out = Vec::new();
        let (mut summed, mut signed) = (Vec::new(), Vec::new());
        for (j, f) in self.set().features.iter().enumerate() {
            if let FeatureRule::Aggregate(a) = &f.rule {
                supported(j, &f.name, a.aggregation, a.field)?;
                let field = numeric_field(a.field);
                let (sums, zeros) = match a.aggregation {
                    Aggregation::Sum | Aggregation::Mean => (true, true),
                    Aggregation::Min | Aggregation::Max => (false, true),
                    _ => (false, false),
                };
                if sums && !summed.contains(&field) {
                    summed.push(field);
                }
                if zeros && !signed.contains(&field) {
                    signed.push(field);
                }
            }
        }
        if summed.is_empty() {
            return Ok(out);
        }
        out.push(column("rows", "COUNT(*)".into()));
        for field in [Field::Value, Field::Duration] {
            let (x, name) = (format!("CAST(`{}` AS DOUBLE)", field.name()), field.name());
            if summed.contains(&field) {
                out.push(column(
                    &format!("{name}_least"),
                    format!("MIN(CASE WHEN {x} <> 0.0D AND NOT ISNAN({x}) THEN ABS({x}) END)"),
                ));
                out.push(column(
                    &format!("{name}_greatest"),
                    format!("MAX(CASE WHEN NOT ISNAN({x}) THEN ABS({x}) END)"),
                ));
                out.push(column(
                    &format!("{name}_fractions"),
                    format!("COUNT_IF(NOT ISNAN({x}) AND {x} % 1.0D <> 0.0D)"),
                ));
            }
            if signed.contains(&field) {
                out.push(column(&format!("{name}_negative_zeros"), format!("COUNT_IF({})", zero_of_sign(&x, "-0.0"))));
            }
        }
        Ok(out)
    }

    /// The features as of `as_of` (seconds since the Unix epoch) as Spark SQL (see
    /// [`FeatureSql`]), equal to [`FeatureEngine::compute`] on the same events to the bit, but
    /// for ties: of two events of a customer at the same second, which is the first or the
    /// last is Spark's choice.
    ///
    /// Errors: those of [`FeatureEngine::spark_sql_ranges`]; values whose magnitudes span
    /// more than the widest sum written (`ranges`: from `2^-1022` to about `2^(16 · 52)`
    /// times the smallest).
    pub fn spark_sql(&self, as_of: i64, ranges: &EventRanges) -> Result<FeatureSql> {
        let set = self.set();
        // One light projection (see the module documentation on Java's method size).
        let events = vec![
            column("customer", "`customer`".into()),
            column("_t", "UNIX_SECONDS(`time`)".into()),
            column("_v", "CAST(`value` AS DOUBLE)".into()),
            column("_d", "CAST(`duration` AS DOUBLE)".into()),
            column("kind", "`kind`".into()),
            column("department", "`department`".into()),
            column("flag", "`flag`".into()),
        ];
        // Every row is checked, in an aggregate of its own; the last step reads it (an
        // aggregate nothing reads would be pruned), through `customer`.
        let mut aggregates = vec![column("_check", format!("MAX({})", self.check()))];
        let mut sums = Vec::new();
        for (j, f) in set.features.iter().enumerate() {
            let FeatureRule::Aggregate(a) = &f.rule else { continue };
            supported(j, &f.name, a.aggregation, a.field)?;
            let accepted = acceptance(a, as_of);
            let field = numeric_field(a.field);
            let x = field_column(field);
            let when = |then: &str| format!("CASE WHEN {accepted} THEN {then} END");
            let zeros = ranges.negative_zeros(field);
            // The number of events, where the empty case is not told by a null (a sum of
            // none is 0, as is the feature's empty value without a default and -0s).
            let counted = match a.aggregation {
                Aggregation::Count | Aggregation::Mean => true,
                Aggregation::Sum => f.default.is_some() || zeros,
                _ => false,
            };
            if counted {
                aggregates.push(column(&format!("_n{j}"), format!("COUNT_IF({accepted})")));
            }
            match a.aggregation {
                Aggregation::Count => {}
                Aggregation::Sum | Aggregation::Mean => {
                    let (least, greatest, fractions) = match field {
                        Field::Duration => (ranges.duration_least, ranges.duration_greatest, ranges.duration_fractions),
                        _ => (ranges.value_least, ranges.value_greatest, ranges.value_fractions),
                    };
                    let digits = Digits::covering(least, greatest, fractions == Some(0), ranges.rows, &f.name)?;
                    for k in 0..digits.count {
                        aggregates.push(column(
                            &format!("_s{j}_{k}"),
                            format!("SUM(CASE WHEN {accepted} THEN {} ELSE 0 END)", digits.digit(x, k)),
                        ));
                    }
                    if zeros {
                        // Terms other than -0: with none, the exact sum is -0 (as the core's is).
                        aggregates.push(column(
                            &format!("_z{j}"),
                            format!("COUNT_IF({accepted} AND NOT {})", zero_of_sign(x, "-0.0")),
                        ));
                    }
                    sums.push((j, digits));
                }
                Aggregation::Min | Aggregation::Max => {
                    // Spark's MIN and MAX take -0 and 0 as equal; the core orders them.
                    let (extreme, zero) =
                        if a.aggregation == Aggregation::Min { ("MIN", "-0.0") } else { ("MAX", "0.0") };
                    aggregates.push(column(&format!("_x{j}"), format!("{extreme}({})", when(x))));
                    if zeros {
                        aggregates.push(column(
                            &format!("_z{j}"),
                            format!("COUNT_IF({accepted} AND {})", zero_of_sign(x, zero)),
                        ));
                    }
                }
                Aggregation::First | Aggregation::Last | Aggregation::NpsCategory => {
                    let by = if a.aggregation == Aggregation::First { "MIN_BY" } else { "MAX_BY" };
                    aggregates.push(column(&format!("_x{j}"), format!("{by}({}, {})", when(x), when("_t"))));
                }
                Aggregation::DaysSinceFirst | Aggregation::DaysSinceLast => {
                    let extreme = if a.aggregation == Aggregation::DaysSinceFirst { "MIN" } else { "MAX" };
                    aggregates.push(column(&format!("_o{j}"), format!("{extreme}({})", when("_t"))));
                }
                _ => unreachable!("refused by supported()"),
            }
        }

        let mut steps = Steps::new(aggregates.iter().map(|c| c.name.clone()).chain(["customer".into()]).collect());
        round_sums(&mut steps, &sums);
        let mut finals = Vec::new();
        for (j, f) in set.features.iter().enumerate() {
            let FeatureRule::Aggregate(a) = &f.rule else { continue };
            let empty = number(f.default.unwrap_or_else(|| a.aggregation.empty_value()));
            let zeros = ranges.negative_zeros(numeric_field(a.field));
            // -0 is written -ABS() of a zero, never as a literal: Spark's optimizer takes the
            // literals -0.0 and 0.0 as equal and folds a CASE that chooses between them.
            let sum =
                if zeros { format!("CASE WHEN _z{j} = 0 THEN -ABS(_r{j}) ELSE _r{j} END") } else { format!("_r{j}") };
            let (value, none) = match a.aggregation {
                Aggregation::Count if f.default.is_none() => (format!("CAST(_n{j} AS DOUBLE)"), None), // empty: 0
                Aggregation::Count => (format!("CAST(_n{j} AS DOUBLE)"), Some(format!("_n{j} = 0"))),
                Aggregation::Sum if f.default.is_some() || zeros => (sum, Some(format!("_n{j} = 0"))),
                Aggregation::Sum => (sum, None), // no events: digits of 0, the sum 0 (the empty value)
                Aggregation::Mean => (format!("({sum}) / CAST(_n{j} AS DOUBLE)"), Some(format!("_n{j} = 0"))),
                Aggregation::Min | Aggregation::Max if zeros => {
                    let (with, without) =
                        if a.aggregation == Aggregation::Min { ("-ABS", "ABS") } else { ("ABS", "-ABS") };
                    let value = format!(
                        "CASE WHEN _x{j} = 0.0D THEN (CASE WHEN _z{j} > 0 THEN {with}(_x{j}) ELSE {without}(_x{j}) END) \
                         ELSE _x{j} END"
                    );
                    (value, Some(format!("_x{j} IS NULL")))
                }
                Aggregation::Min | Aggregation::Max | Aggregation::First | Aggregation::Last => {
                    (format!("_x{j}"), Some(format!("_x{j} IS NULL")))
                }
                Aggregation::NpsCategory => (
                    format!(
                        "CASE WHEN _x{j} < 0.0D OR _x{j} > 10.0D THEN {} WHEN _x{j} < 7.0D THEN 0.0D \
                         WHEN _x{j} < 9.0D THEN 1.0D ELSE 2.0D END",
                        number(f64::NAN)
                    ),
                    Some(format!("_x{j} IS NULL")),
                ),
                Aggregation::DaysSinceFirst | Aggregation::DaysSinceLast => {
                    (format!("CAST({as_of} - _o{j} AS DOUBLE) / 86400.0D"), Some(format!("_o{j} IS NULL")))
                }
                _ => unreachable!("refused by supported()"),
            };
            let value = match none {
                Some(none) => format!("CASE WHEN {none} THEN {empty} ELSE {value} END"),
                None => value,
            };
            finals.push(column(&format!("_f{j}"), value));
        }
        steps.step(finals);
        let index = |name: &str| set.features.iter().position(|f| f.name == name).expect("validated");
        for j in set.composite_order()? {
            let f = &set.features[j];
            let x = match &f.rule {
                FeatureRule::Ratio { numerator, denominator } => {
                    let (a, b) = (index(numerator), index(denominator));
                    format!("CASE WHEN _f{b} = 0.0D OR ISNAN(_f{b}) THEN {} ELSE _f{a} / _f{b} END", number(f64::NAN))
                }
                FeatureRule::Difference { minuend, subtrahend } => {
                    format!("_f{} - _f{}", index(minuend), index(subtrahend))
                }
                FeatureRule::Aggregate(_) => unreachable!("composite_order lists composites"),
            };
            let x = match f.default {
                Some(d) => format!("CASE WHEN ISNAN({x}) THEN {} ELSE {x} END", number(d)),
                None => x,
            };
            steps.step(vec![column(&format!("_f{j}"), x)]);
        }
        let last = std::iter::once(column("customer", "CASE WHEN _check = 0 THEN customer END".into()))
            .chain(set.features.iter().enumerate().map(|(j, f)| column(&f.name, format!("_f{j}"))))
            .collect();
        steps.steps.push(last);
        Ok(FeatureSql { events, aggregates, steps: steps.steps })
    }

    /// 0 for a row the core accepts; the core's refusal of the row otherwise.
    fn check(&self) -> String {
        // The message, with `value` (an expression) between its two texts.
        let refuse = |before: &str, value: &str, after: &str| {
            format!(
                "RAISE_ERROR(CONCAT('{}', CAST({value} AS STRING), '{} (an event of customer ', \
                 CAST(`customer` AS STRING), ')'))",
                escape_plain(before),
                escape_plain(after)
            )
        };
        let (v, d) = ("_v", "_d");
        let kinds: Vec<String> = self.kinds().iter().map(|k| text(k)).collect();
        let outside = format!(" is outside finite numbers of magnitude at most {MAX_MAGNITUDE:e}");
        format!(
            "CASE WHEN `customer` IS NULL THEN {} \
             WHEN _t IS NULL THEN {} \
             WHEN `kind` IS NULL THEN {} \
             WHEN `kind` NOT IN ({}) THEN {} \
             WHEN NOT ISNAN({v}) AND ABS({v}) > {max} THEN {} \
             WHEN NOT ISNAN({d}) AND ABS({d}) > {max} THEN {} \
             WHEN {d} < 0.0D THEN {} \
             WHEN `kind` = 'survey_answer' AND NOT ISNAN({v}) AND ({v} < 0.0D OR {v} > 10.0D OR {v} % 1.0D <> 0.0D) \
             THEN {} \
             ELSE 0 END",
            raise_with("customer is missing (null) in an event at (epoch seconds) ", "_t"),
            refuse("time is missing (null) in an event of kind ", "`kind`", ""),
            refuse("kind is missing (null) in an event at (epoch seconds) ", "_t", ""),
            kinds.join(", "),
            refuse(
                "unknown event kind ",
                "`kind`",
                &format!(
                    "; expected one of a built-in kind or one declared by the caller ({})",
                    self.kinds().join(", ")
                ),
            ),
            refuse("value = ", v, &outside),
            refuse("duration = ", d, &outside),
            refuse("duration = ", d, " is negative"),
            refuse("value (a survey answer) = ", v, " is outside whole answers on the scale 0..=10"),
            max = number(MAX_MAGNITUDE),
        )
    }
}

fn column(name: &str, expression: String) -> SqlColumn {
    SqlColumn { name: name.into(), expression }
}

/// The numeric field an aggregation reads (the value unless it names the duration).
fn numeric_field(field: Option<Field>) -> Field {
    match field {
        Some(Field::Duration) => Field::Duration,
        _ => Field::Value,
    }
}

/// Refuses what is not written as Spark SQL (see the module documentation).
fn supported(j: usize, name: &str, aggregation: Aggregation, field: Option<Field>) -> Result<()> {
    let written = matches!(
        aggregation,
        Aggregation::Count
            | Aggregation::Sum
            | Aggregation::Mean
            | Aggregation::Min
            | Aggregation::Max
            | Aggregation::First
            | Aggregation::Last
            | Aggregation::DaysSinceFirst
            | Aggregation::DaysSinceLast
            | Aggregation::NpsCategory
    );
    if !written || field == Some(Field::Case) {
        let what = match field {
            Some(Field::Case) => format!("{} of the case", aggregation.name()),
            _ => aggregation.name().to_string(),
        };
        return Err(NpsError::invalid(
            &format!("features[{j}] ({name:?})"),
            what,
            "an aggregation written as Spark SQL (count, sum, mean, min, max, first, last, days_since_first, \
             days_since_last, nps_category; of the value, the duration or the department)",
        ));
    }
    Ok(())
}

/// Whether an event counts for aggregate `a`: the kind, the window, the filter, the field
/// present.
fn acceptance(a: &super::Aggregate, as_of: i64) -> String {
    let (lo, hi) = match a.window {
        None => (i64::MIN, as_of),
        Some(w) => (
            as_of.saturating_sub(days_to_seconds(w.offset_days + w.days)),
            as_of.saturating_sub(days_to_seconds(w.offset_days)),
        ),
    };
    let kinds: Vec<String> = a.kinds.iter().map(|k| text(k)).collect();
    let mut all = vec![format!("kind IN ({})", kinds.join(", ")), format!("_t < {hi}")];
    if lo != i64::MIN {
        all.push(format!("_t >= {lo}"));
    }
    if let Some(f) = &a.filter {
        all.push(filter(f));
    }
    match a.field {
        None => {}
        Some(Field::Department) => all.push("department IS NOT NULL".into()),
        Some(f) => all.push(present(field_column(f))),
    }
    format!("({})", all.join(" AND "))
}

fn field_column(f: Field) -> &'static str {
    match f {
        Field::Duration => "_d",
        _ => "_v",
    }
}

/// A number present: not null, not NaN (Spark takes NaN as greater than every number).
fn present(x: &str) -> String {
    format!("({x} IS NOT NULL AND NOT ISNAN({x}))")
}

/// A filter as a condition that is never null (the core's `Not` of a missing flag is true).
fn filter(f: &Filter) -> String {
    match f {
        Filter::Department(name) => format!("COALESCE(department = {}, FALSE)", text(name)),
        Filter::Flag(b) => format!("COALESCE(flag = {}, FALSE)", if *b { "TRUE" } else { "FALSE" }),
        Filter::Range { field, min, max } => {
            let x = field_column(*field);
            let mut all = vec![present(x)];
            if let Some(m) = min {
                all.push(format!("{x} >= {}", number(*m)));
            }
            if let Some(m) = max {
                all.push(format!("{x} <= {}", number(*m)));
            }
            format!("({})", all.join(" AND "))
        }
        Filter::All(list) if list.is_empty() => "TRUE".into(),
        Filter::Any(list) if list.is_empty() => "FALSE".into(),
        Filter::All(list) => format!("({})", list.iter().map(filter).collect::<Vec<_>>().join(" AND ")),
        Filter::Any(list) => format!("({})", list.iter().map(filter).collect::<Vec<_>>().join(" OR ")),
        Filter::Not(f) => format!("(NOT {})", filter(f)),
    }
}

/// `x` is a zero of the sign of `zero` ("-0.0" or "0.0"): Spark's `=` takes -0 and 0 as
/// equal, its text does not.
fn zero_of_sign(x: &str, zero: &str) -> String {
    format!("({x} = 0.0D AND CAST({x} AS STRING) = '{zero}')")
}

/// How the values of a sum are cut into integer digits (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Digits {
    /// `L`: every value is a multiple of `2^low`.
    pub(crate) low: i32,
    /// `W`: bits per digit (a digit's sum over every row stays below `2^62`).
    pub(crate) width: u32,
    /// `K`: digits per value.
    pub(crate) count: u32,
}

impl Digits {
    /// The digits of values whose non-zero magnitudes lie between `least` and `greatest`
    /// (clamped to [`MAX_MAGNITUDE`]: a larger value stops the job), `whole` numbers or
    /// not, summed over at most `rows` values.
    pub(crate) fn covering(
        least: Option<f64>,
        greatest: Option<f64>,
        whole: bool,
        rows: u64,
        name: &str,
    ) -> Result<Digits> {
        let bits = 64 - rows.max(1).leading_zeros();
        let width = 52.min(62 - bits);
        let clamp = |x: Option<f64>| x.filter(|x| *x > 0.0).map(|x| x.min(MAX_MAGNITUDE));
        let Some(least) = clamp(least) else {
            return Ok(Digits { low: 0, width, count: 1 }); // only zeros
        };
        let greatest = clamp(greatest).unwrap_or(least).max(least);
        // The lowest bit any value can have: 1 for whole numbers, else the least's last
        // significand bit.
        let low = if whole {
            0
        } else if least < f64::MIN_POSITIVE {
            -1074
        } else {
            exponent(least) - 52
        };
        let span = (exponent(greatest) + 1 - low) as u32;
        let count = span.div_ceil(width).max(1);
        if low < -1022 || count > MOST_DIGITS {
            return Err(NpsError::invalid(
                &format!("the values summed by feature {name:?}"),
                format!("magnitudes from {least:e} to {greatest:e}"),
                "magnitudes of at least 2^-970 spanning at most 2^700 (beyond, the sums are for the event path)",
            ));
        }
        Ok(Digits { low, width, count })
    }

    /// The signed digit `k` (of weight `2^(low + width · k)`) of the value `x`, a BIGINT.
    fn digit(&self, x: &str, k: u32) -> String {
        let y = format!("(LEAST(ABS({x}), {}) * {})", number(MAX_MAGNITUDE), power(-self.low));
        let scaled = if k == 0 { y } else { format!("({y} * {})", power(-((self.width * k) as i32))) };
        let digit = if k + 1 == self.count {
            format!("FLOOR({scaled})")
        } else {
            format!("FLOOR({scaled} % {})", power(self.width as i32))
        };
        format!("(CASE WHEN {x} < 0.0D THEN -1 ELSE 1 END) * {digit}")
    }
}

/// The exponent of a positive normal double (`x` in `[2^e, 2^(e+1))`).
fn exponent(x: f64) -> i32 {
    ((x.to_bits() >> 52) & 0x7ff) as i32 - 1023
}

/// `2^e` as a literal.
fn power(e: i32) -> String {
    number(2f64.powi(e))
}

/// The steps that turn the digits' sums `_s{j}_{k}` of each sum into `_r{j}`, the exact sum
/// rounded once (see the module documentation).
fn round_sums(steps: &mut Steps, sums: &[(usize, Digits)]) {
    let wide: Vec<&(usize, Digits)> = sums.iter().filter(|(_, d)| d.count > 2).collect();
    // One digit: a 64-bit integer, which CAST rounds once.
    let narrow = sums
        .iter()
        .filter(|(_, d)| d.count == 1)
        .map(|(j, d)| column(&format!("_r{j}"), format!("CAST(_s{j}_0 AS DOUBLE) * {}", power(d.low))));
    steps.step(narrow.collect());
    let pairs: Vec<&(usize, Digits)> = sums.iter().filter(|(_, d)| d.count == 2).collect();
    round_pairs(steps, &pairs);
    if wide.is_empty() {
        return;
    }
    // Carries, for the sum and for its negation: one of the two has a top that is not negative.
    let mut carried = Vec::new();
    for &&(j, d) in &wide {
        let mask = (1u64 << d.width) - 1;
        for (sign, tag) in [("", "p"), ("-", "m")] {
            let mut u = format!("({sign}_s{j}_0)");
            for k in 1..d.count {
                carried.push(column(&format!("_c{j}_{}{tag}", k - 1), format!("({u} & {mask})")));
                u = format!("({sign}_s{j}_{k} + SHIFTRIGHT({u}, {}))", d.width);
            }
            carried.push(column(&format!("_top{j}{tag}"), u));
        }
    }
    steps.step(carried);
    let mut magnitude = Vec::new();
    for &&(j, d) in &wide {
        magnitude.push(column(&format!("_g{j}"), format!("_top{j}p < 0")));
        magnitude.push(column(&format!("_top{j}"), format!("CASE WHEN _top{j}p < 0 THEN _top{j}m ELSE _top{j}p END")));
        for k in 0..d.count - 1 {
            magnitude.push(column(
                &format!("_c{j}_{k}"),
                format!("CASE WHEN _top{j}p < 0 THEN _c{j}_{k}m ELSE _c{j}_{k}p END"),
            ));
        }
    }
    steps.step(magnitude);
    // Non-overlapping doubles, largest first: the top in two halves, then each digit.
    let mut parts = Vec::new();
    for &&(j, d) in &wide {
        let top = (d.width * (d.count - 1)) as i32;
        let mut p = vec![
            format!("CAST(SHIFTRIGHT(_top{j}, 31) AS DOUBLE) * {}", power(top + 31)),
            format!("CAST(_top{j} & 2147483647 AS DOUBLE) * {}", power(top)),
        ];
        for k in (0..d.count - 1).rev() {
            p.push(format!("CAST(_c{j}_{k} AS DOUBLE) * {}", power((d.width * k) as i32)));
        }
        for (i, e) in p.iter().enumerate() {
            parts.push(column(&format!("_p{j}_{i}"), e.clone()));
        }
        parts.push(column(&format!("_h{j}"), p[0].clone()));
        parts.push(column(&format!("_l{j}"), "0.0D".into()));
        parts.push(column(&format!("_q{j}"), "FALSE".into()));
    }
    steps.step(parts);
    // Added from the top until the first inexact addition (its error kept in _l, and in _q
    // whether anything is left below).
    let most = wide.iter().map(|(_, d)| d.count).max().expect("non-empty");
    for i in 1..=most as usize {
        let mut add = Vec::new();
        for &&(j, d) in &wide {
            let parts = d.count as usize + 1;
            if i >= parts {
                continue;
            }
            let below: Vec<String> = (i + 1..parts).map(|b| format!("_p{j}_{b} > 0.0D")).collect();
            let below = if below.is_empty() { "FALSE".into() } else { below.join(" OR ") };
            let done = format!("_l{j} <> 0.0D");
            add.push(column(&format!("_h{j}"), format!("CASE WHEN {done} THEN _h{j} ELSE _h{j} + _p{j}_{i} END")));
            add.push(column(
                &format!("_l{j}"),
                format!("CASE WHEN {done} THEN _l{j} ELSE _p{j}_{i} - ((_h{j} + _p{j}_{i}) - _h{j}) END"),
            ));
            add.push(column(&format!("_q{j}"), format!("CASE WHEN {done} THEN _q{j} ELSE ({below}) END")));
        }
        steps.step(add);
    }
    // A rounding error of exactly half an ulp with something left below: round up.
    let mut rounded = Vec::new();
    for &&(j, _) in &wide {
        rounded.push(column(
            &format!("_m{j}"),
            format!(
                "CASE WHEN _l{j} > 0.0D AND _q{j} AND _l{j} * 2.0D = (_h{j} + _l{j} * 2.0D) - _h{j} \
                 THEN _h{j} + _l{j} * 2.0D ELSE _h{j} END"
            ),
        ));
    }
    steps.step(rounded);
    let signed = wide
        .iter()
        .map(|&&(j, d)| {
            column(&format!("_r{j}"), format!("(CASE WHEN _g{j} THEN -_m{j} ELSE _m{j} END) * {}", power(d.low)))
        })
        .collect();
    steps.step(signed);
}

/// The sums of two digits, `N = top · 2^W + low` (`low` the low digit carried): as a sign
/// and a magnitude `T · 2^W + R` (`0 <= R < 2^W`), rounded in one step. Below `2^53`, `T`
/// and `R` are exact doubles and one IEEE addition rounds their sum once; above, the bits of
/// `R` below the rounding point only say whether it is zero, which is or-ed into the lowest
/// bit of `2T` (at least two bits below the rounding point), and one conversion rounds.
fn round_pairs(steps: &mut Steps, pairs: &[&(usize, Digits)]) {
    if pairs.is_empty() {
        return;
    }
    let w = |d: &Digits| d.width;
    steps.step(
        pairs
            .iter()
            .flat_map(|&&(j, d)| {
                [
                    column(&format!("_top{j}"), format!("_s{j}_1 + SHIFTRIGHT(_s{j}_0, {})", w(&d))),
                    column(&format!("_low{j}"), format!("_s{j}_0 & {}", (1u64 << w(&d)) - 1)),
                ]
            })
            .collect(),
    );
    steps.step(
        pairs
            .iter()
            .flat_map(|&&(j, d)| {
                [
                    column(&format!("_g{j}"), format!("_top{j} < 0")),
                    column(
                        &format!("_mt{j}"),
                        format!("CASE WHEN _top{j} < 0 THEN -_top{j} - (CASE WHEN _low{j} > 0 THEN 1 ELSE 0 END) ELSE _top{j} END"),
                    ),
                    column(
                        &format!("_mr{j}"),
                        format!("CASE WHEN _top{j} < 0 AND _low{j} > 0 THEN {} - _low{j} ELSE _low{j} END", 1u64 << w(&d)),
                    ),
                ]
            })
            .collect(),
    );
    steps.step(
        pairs
            .iter()
            .map(|&&(j, d)| {
                let sticky = format!("(CASE WHEN _mr{j} > 0 THEN 1 ELSE 0 END)");
                let m = format!(
                    "CASE WHEN _mt{j} < {two53} THEN CAST(_mt{j} AS DOUBLE) * {pw} + CAST(_mr{j} AS DOUBLE) \
                     WHEN _mt{j} < {two61} THEN CAST(SHIFTLEFT(_mt{j}, 1) | {sticky} AS DOUBLE) * {pw1} \
                     ELSE CAST(_mt{j} | {sticky} AS DOUBLE) * {pw} END",
                    two53 = 1u64 << 53,
                    two61 = 1u64 << 61,
                    pw = power(d.width as i32),
                    pw1 = power(d.width as i32 - 1),
                );
                column(
                    &format!("_r{j}"),
                    format!("(CASE WHEN _g{j} THEN -1.0D ELSE 1.0D END) * ({m}) * {}", power(d.low)),
                )
            })
            .collect(),
    );
}

/// Projections built one after the other, each carrying the columns before it that it does
/// not replace.
#[derive(Debug, Default)]
struct Steps {
    live: Vec<String>,
    steps: Vec<Vec<SqlColumn>>,
}

impl Steps {
    fn new(live: Vec<String>) -> Steps {
        Steps { live, steps: Vec::new() }
    }

    fn step(&mut self, new: Vec<SqlColumn>) {
        if new.is_empty() {
            return;
        }
        let mut step: Vec<SqlColumn> = self
            .live
            .iter()
            .filter(|name| !new.iter().any(|c| &c.name == *name))
            .map(|name| column(name, name.clone()))
            .collect();
        for c in new {
            if !self.live.contains(&c.name) {
                self.live.push(c.name.clone());
            }
            step.push(c);
        }
        self.steps.push(step);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::exact_sum::exact_sum;
    use proptest::prelude::*;

    /// The steps of the SQL done with Rust's integers and doubles (Java's, operation for
    /// operation): the digits of each value, their sums, the carries, the rounding (in one
    /// step for two digits, from the parts for more).
    fn sum_as_sql(xs: &[f64], d: Digits) -> f64 {
        let mut sums = vec![0i64; d.count as usize];
        for &x in xs {
            let y = x.abs().min(MAX_MAGNITUDE) * 2f64.powi(-d.low);
            let sign = if x < 0.0 { -1 } else { 1 };
            for k in 0..d.count {
                let scaled = y * 2f64.powi(-((d.width * k) as i32));
                let digit =
                    if k + 1 == d.count { scaled.floor() } else { (scaled % 2f64.powi(d.width as i32)).floor() };
                sums[k as usize] += sign * digit as i64;
            }
        }
        if d.count == 1 {
            return sums[0] as f64 * 2f64.powi(d.low);
        }
        let mask = (1i64 << d.width) - 1;
        let carry = |sign: i64| {
            let mut digits = Vec::new();
            let mut u = sign * sums[0];
            for &s in &sums[1..] {
                digits.push(u & mask);
                u = sign * s + (u >> d.width);
            }
            (u, digits)
        };
        if d.count == 2 {
            let (top, low) = (sums[1] + (sums[0] >> d.width), sums[0] & mask);
            let (t, r) = if top < 0 {
                (-top - (low > 0) as i64, if low > 0 { (1i64 << d.width) - low } else { low })
            } else {
                (top, low)
            };
            let sticky = (r > 0) as i64;
            let m = if t < 1 << 53 {
                t as f64 * 2f64.powi(d.width as i32) + r as f64
            } else if t < 1 << 61 {
                ((t << 1) | sticky) as f64 * 2f64.powi(d.width as i32 - 1)
            } else {
                (t | sticky) as f64 * 2f64.powi(d.width as i32)
            };
            return if top < 0 { -1.0 } else { 1.0 } * m * 2f64.powi(d.low);
        }
        let (plus, minus) = (carry(1), carry(-1));
        let negative = plus.0 < 0;
        let (top, digits) = if negative { minus } else { plus };
        let high = (d.width * (d.count - 1)) as i32;
        let mut parts = vec![(top >> 31) as f64 * 2f64.powi(high + 31), (top & 2147483647) as f64 * 2f64.powi(high)];
        for k in (0..d.count as usize - 1).rev() {
            parts.push(digits[k] as f64 * 2f64.powi(d.width as i32 * k as i32));
        }
        let (mut h, mut l, mut q) = (parts[0], 0.0, false);
        for i in 1..parts.len() {
            if l != 0.0 {
                continue;
            }
            let s = h + parts[i];
            l = parts[i] - (s - h);
            q = parts[i + 1..].iter().any(|p| *p > 0.0);
            h = s;
        }
        if l > 0.0 && q && l * 2.0 == (h + l * 2.0) - h {
            h += l * 2.0;
        }
        (if negative { -h } else { h }) * 2f64.powi(d.low)
    }

    fn digits_for(xs: &[f64]) -> Digits {
        let nonzero = || xs.iter().filter(|x| **x != 0.0).map(|x| x.abs());
        let least = nonzero().fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.min(x))));
        let greatest = xs.iter().map(|x| x.abs()).fold(None, |m: Option<f64>, x| Some(m.map_or(x, |m| m.max(x))));
        let whole = xs.iter().all(|x| x.fract() == 0.0);
        Digits::covering(least, greatest, whole, xs.len() as u64, "f").unwrap()
    }

    fn value() -> impl Strategy<Value = f64> {
        prop_oneof![
            (-1_000_000i64..1_000_000).prop_map(|c| c as f64 / 100.0),
            (any::<i64>(), -60i32..60).prop_map(|(m, e)| (m >> 11) as f64 * 2f64.powi(e)),
            (-1e6f64..1e6),
            Just(0.0),
            Just(-0.0),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn the_sum_steps_give_the_exact_sum(xs in prop::collection::vec(value(), 1..40)) {
            let d = digits_for(&xs);
            let got = sum_as_sql(&xs, d);
            let want = exact_sum(xs.iter().copied(), &mut Vec::new());
            prop_assert!(got == want || (got == 0.0 && want == 0.0), "{xs:?}: {got:e} vs {want:e} with {d:?}");
        }
    }

    proptest! {
        /// Two digits whose top sum passes 2^53 (where the low digit is only a sticky bit).
        #[test]
        fn two_digits_with_a_large_top(terms in prop::collection::vec((-(1i64 << 53) + 1..(1i64 << 53), 0i32..51), 1..40), big in prop::collection::vec((1i64 << 52..1i64 << 53, 47i32..51), 4..12)) {
            let terms: Vec<(i64, i32)> = terms.into_iter().chain(big).collect();
            let xs: Vec<f64> = terms.iter().map(|&(m, e)| m as f64 * 2f64.powi(e)).collect();
            let d = Digits { low: 0, width: 52, count: 2 };
            let want = exact_sum(xs.iter().copied(), &mut Vec::new());
            prop_assert_eq!(sum_as_sql(&xs, d), want, "{:?}", xs);
        }
    }

    #[test]
    fn ties_round_to_even_unless_something_is_left_below() {
        // 2^53 + 1 is a tie between 2^53 and 2^53 + 2; 2^-20 below breaks it upwards.
        for xs in [
            vec![9007199254740992.0, 1.0],
            vec![9007199254740992.0, 1.0, 2f64.powi(-20)],
            vec![9007199254740992.0, 3.0, -2f64.powi(-20)],
            vec![-9007199254740992.0, -1.0, -2f64.powi(-30)],
            vec![1e16, 1.0, -1e16],
            vec![0.1, 0.2, 0.3, -0.6],
        ] {
            let d = digits_for(&xs);
            assert_eq!(sum_as_sql(&xs, d), exact_sum(xs.iter().copied(), &mut Vec::new()), "{xs:?} {d:?}");
        }
    }

    #[test]
    fn the_digits_cover_the_magnitudes_or_refuse() {
        let d = Digits::covering(Some(0.01), Some(1e5), false, 10_000_000, "f").unwrap();
        assert_eq!((d.low, d.width, d.count), (-59, 38, 2));
        let whole = Digits::covering(Some(1.0), Some(17_991.0), true, 10_000_000, "f").unwrap();
        assert_eq!((whole.low, whole.count), (0, 1));
        assert_eq!(Digits::covering(None, Some(0.0), false, 5, "f").unwrap().count, 1);
        let e = Digits::covering(Some(1e-300), Some(1.0), false, 5, "spend").unwrap_err();
        assert!(e.to_string().contains("\"spend\""), "{e}");
        assert!(Digits::covering(Some(1e-10), Some(1e290), false, 5, "f").is_err());
    }
}
