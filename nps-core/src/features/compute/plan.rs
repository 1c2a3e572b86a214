//! The plan of each feature: a set compiled against the kinds of a history, each aggregate
//! bound to a view and a reference time, and the aggregation of a customer's events.
use super::event::Ev;
use crate::error::{NpsError, Result};
use crate::features::events::NONE;
use crate::features::view::EventView;
use crate::features::{Aggregation, FeatureRule, FeatureSet, Field, Filter};
use crate::stats::exact_sum::exact_sum;

const DAY: f64 = 86_400.0;

/// A feature set compiled against the event kinds of a history: the plan of each aggregate
/// feature, the aggregates that read each kind (every event is routed only to them), the
/// composites in an order where each comes after those it refers to, and the defaults.
#[derive(Debug, Clone)]
pub(super) struct FeaturePlan {
    /// (column, plan) of each aggregate feature, in column order.
    pub(super) aggregates: Vec<(usize, AggregatePlan)>,
    /// For each event kind, the indices in `aggregates` of those that read it.
    pub(super) by_kind: Vec<Vec<usize>>,
    /// (column, composite), each after the composites it refers to.
    pub(super) composites: Vec<(usize, Composite)>,
    /// Each feature's default.
    pub(super) defaults: Vec<Option<f64>>,
}

impl FeaturePlan {
    /// Validates `set` and compiles it for histories whose kind codes index `kinds`.
    pub(super) fn new(set: &FeatureSet, kinds: &[String]) -> Result<FeaturePlan> {
        let composites = set.composite_order()?;
        let plans = compile(kinds, set)?;
        let composites = composites
            .into_iter()
            .map(|j| {
                let index = |name: &str| set.features.iter().position(|f| f.name == name).expect("validated");
                let c = match &set.features[j].rule {
                    FeatureRule::Ratio { numerator, denominator } => {
                        Composite::Ratio(index(numerator), index(denominator))
                    }
                    FeatureRule::Difference { minuend, subtrahend } => {
                        Composite::Difference(index(minuend), index(subtrahend))
                    }
                    FeatureRule::Aggregate(_) => unreachable!("composite_order lists composites"),
                };
                (j, c)
            })
            .collect();
        // For each event kind, the plans that read it: every event is routed only to them.
        let mut by_kind: Vec<Vec<usize>> = vec![Vec::new(); kinds.len()];
        for (p, (_, plan)) in plans.iter().enumerate() {
            for (k, wanted) in plan.kinds.iter().enumerate() {
                if *wanted {
                    by_kind[k].push(p);
                }
            }
        }
        Ok(FeaturePlan {
            aggregates: plans,
            by_kind,
            composites,
            defaults: set.features.iter().map(|f| f.default).collect(),
        })
    }
}

impl FeaturePlan {
    /// Fills the composites of a row whose aggregates are filled, with their defaults.
    pub(super) fn fill_composites(&self, row: &mut [f64]) {
        for (j, comp) in &self.composites {
            let x = match *comp {
                Composite::Ratio(a, b) => {
                    let d = row[b];
                    if d == 0.0 || d.is_nan() {
                        f64::NAN
                    } else {
                        row[a] / d
                    }
                }
                Composite::Difference(a, b) => row[a] - row[b],
            };
            row[*j] = match self.defaults[*j] {
                Some(d) if x.is_nan() => d,
                _ => x,
            };
        }
    }
}

/// A composite feature: the columns of its two operands.
#[derive(Debug, Clone, Copy)]
pub(super) enum Composite {
    Ratio(usize, usize),
    Difference(usize, usize),
}

/// Buffers reused across customers and features.
#[derive(Debug, Clone, Default)]
pub(super) struct AggregateScratch {
    floats: Vec<f64>,
    codes: Vec<u32>,
    /// An exact sum's partials.
    partials: Vec<f64>,
}

/// A compiled aggregate feature.
#[derive(Debug, Clone)]
pub(super) struct AggregatePlan {
    kinds: Vec<bool>,
    /// Seconds before the reference time where the window starts and ends; `None`: the
    /// whole history.
    window: Option<(i64, i64)>,
    filter: Option<Filter>,
    aggregation: Aggregation,
    field: Option<Field>,
    empty: f64,
}

/// A plan bound to a table and a reference time: the window in absolute seconds and the
/// filter with the table's department codes.
#[derive(Debug, Clone)]
pub(super) struct Bound {
    lo: i64,
    hi: i64,
    filter: Option<CompiledFilter>,
}

#[derive(Debug, Clone)]
enum CompiledFilter {
    /// Department code; `None` (a name the table does not know) matches nothing.
    Department(Option<u32>),
    Flag(u8),
    Range {
        field: Field,
        min: f64,
        max: f64,
    },
    All(Vec<CompiledFilter>),
    Any(Vec<CompiledFilter>),
    Not(Box<CompiledFilter>),
}

impl CompiledFilter {
    fn new(f: &Filter, t: &EventView<'_>) -> CompiledFilter {
        match f {
            Filter::Department(name) => {
                CompiledFilter::Department(t.departments.iter().position(|d| d == name).map(|p| p as u32))
            }
            Filter::Flag(b) => CompiledFilter::Flag(*b as u8),
            Filter::Range { field, min, max } => CompiledFilter::Range {
                field: *field,
                min: min.unwrap_or(f64::NEG_INFINITY),
                max: max.unwrap_or(f64::INFINITY),
            },
            Filter::All(list) => CompiledFilter::All(list.iter().map(|f| CompiledFilter::new(f, t)).collect()),
            Filter::Any(list) => CompiledFilter::Any(list.iter().map(|f| CompiledFilter::new(f, t)).collect()),
            Filter::Not(f) => CompiledFilter::Not(Box::new(CompiledFilter::new(f, t))),
        }
    }

    fn matches(&self, e: &Ev, t: &EventView<'_>) -> bool {
        match self {
            CompiledFilter::Department(code) => code.is_some_and(|c| t.department(e.row as usize) == c),
            CompiledFilter::Flag(b) => e.flag == *b,
            CompiledFilter::Range { field, min, max } => {
                let x = numeric(e, *field);
                x >= *min && x <= *max // false for NaN
            }
            CompiledFilter::All(list) => list.iter().all(|f| f.matches(e, t)),
            CompiledFilter::Any(list) => list.iter().any(|f| f.matches(e, t)),
            CompiledFilter::Not(f) => !f.matches(e, t),
        }
    }
}

#[inline]
fn numeric(e: &Ev, field: Field) -> f64 {
    match field {
        Field::Duration => e.duration,
        _ => e.value,
    }
}

#[inline]
fn code(e: &Ev, field: Field, t: &EventView<'_>) -> u32 {
    match field {
        Field::Case => t.case(e.row as usize),
        _ => t.department(e.row as usize),
    }
}

pub(crate) fn days_to_seconds(days: f64) -> i64 {
    // Saturating float-to-int conversion; windows beyond the i64 range are unbounded anyway.
    (days * DAY).round() as i64
}

fn compile(table_kinds: &[String], set: &FeatureSet) -> Result<Vec<(usize, AggregatePlan)>> {
    let mut plans = Vec::new();
    for (j, f) in set.features.iter().enumerate() {
        let FeatureRule::Aggregate(a) = &f.rule else { continue };
        let mut kinds = vec![false; table_kinds.len()];
        for (k, name) in a.kinds.iter().enumerate() {
            match table_kinds.iter().position(|t| t == name) {
                Some(code) => kinds[code] = true,
                None => {
                    return Err(NpsError::Unknown {
                        field: format!("event kind in feature {:?} (features[{j}].kinds[{k}])", f.name),
                        value: name.clone(),
                        expected: format!("the kinds of the event table ({})", table_kinds.join(", ")),
                    })
                }
            }
        }
        let window = a.window.map(|w| (days_to_seconds(w.offset_days + w.days), days_to_seconds(w.offset_days)));
        plans.push((
            j,
            AggregatePlan {
                kinds,
                window,
                filter: a.filter.clone(),
                aggregation: a.aggregation,
                field: a.field,
                empty: f.default.unwrap_or_else(|| a.aggregation.empty_value()),
            },
        ));
    }
    Ok(plans)
}

impl AggregatePlan {
    /// What the plan computes.
    pub(super) fn aggregation(&self) -> Aggregation {
        self.aggregation
    }

    /// The value over no events (the feature's default, or the aggregation's own).
    pub(super) fn empty(&self) -> f64 {
        self.empty
    }

    /// The numeric field the plan reads, of event `e`.
    #[inline]
    pub(super) fn numeric(&self, e: &Ev) -> f64 {
        numeric(e, self.field.unwrap_or(Field::Value))
    }

    pub(super) fn bind(&self, t: &EventView<'_>, as_of: i64) -> Bound {
        let (lo, hi) = match self.window {
            None => (i64::MIN, as_of),
            Some((start, end)) => (as_of.saturating_sub(start), as_of.saturating_sub(end)),
        };
        Bound { lo, hi, filter: self.filter.as_ref().map(|f| CompiledFilter::new(f, t)) }
    }

    /// Whether an event of one of the plan's kinds is in the window, passes the filter and
    /// has the field the aggregation reads.
    #[inline]
    pub(super) fn accepts(&self, b: &Bound, e: &Ev, t: &EventView<'_>) -> bool {
        if e.time < b.lo || e.time >= b.hi {
            return false;
        }
        if let Some(f) = &b.filter {
            if !f.matches(e, t) {
                return false;
            }
        }
        match self.field {
            None => true,
            Some(f @ (Field::Value | Field::Duration)) => !numeric(e, f).is_nan(),
            Some(f) => code(e, f, t) != NONE,
        }
    }

    /// The feature over the accepted events `sel` (indices into `evs`, one customer's events
    /// sorted by time, all before `as_of`).
    pub(super) fn aggregate(
        &self,
        t: &EventView<'_>,
        evs: &[Ev],
        sel: &[u32],
        as_of: i64,
        s: &mut AggregateScratch,
    ) -> f64 {
        if sel.is_empty() {
            return self.empty;
        }
        let num = |i: u32| numeric(&evs[i as usize], self.field.unwrap_or(Field::Value));
        let time = |i: u32| evs[i as usize].time;
        let last = *sel.last().expect("non-empty");
        let n = sel.len() as f64;
        match self.aggregation {
            Aggregation::Count => n,
            // Sums are exact, and minima and maxima order their zeros (-0 < 0), so that
            // these features do not depend on the order of the events: parts of a customer's
            // events aggregated apart and merged give the same bits (see `super::part`).
            Aggregation::Sum => exact_sum(sel.iter().map(|&i| num(i)), &mut s.partials),
            Aggregation::Mean => exact_sum(sel.iter().map(|&i| num(i)), &mut s.partials) / n,
            Aggregation::Min => sel.iter().map(|&i| num(i)).fold(f64::INFINITY, least),
            Aggregation::Max => sel.iter().map(|&i| num(i)).fold(f64::NEG_INFINITY, greatest),
            Aggregation::Std => {
                if sel.len() < 2 {
                    return f64::NAN;
                }
                let mean = sel.iter().map(|&i| num(i)).sum::<f64>() / n;
                let ss: f64 = sel.iter().map(|&i| (num(i) - mean).powi(2)).sum();
                (ss / (n - 1.0)).sqrt()
            }
            Aggregation::First => num(sel[0]),
            Aggregation::Last => num(last),
            Aggregation::DistinctCount => {
                let field = self.field.unwrap_or(Field::Case);
                let codes = &mut s.codes;
                codes.clear();
                codes.extend(sel.iter().map(|&i| code(&evs[i as usize], field, t)));
                codes.sort_unstable();
                codes.dedup();
                codes.len() as f64
            }
            Aggregation::DaysSinceLast => days_between(time(last), as_of),
            Aggregation::DaysSinceFirst => days_between(time(sel[0]), as_of),
            Aggregation::Slope => {
                if time(sel[0]) == time(last) {
                    return f64::NAN; // fewer than 2 distinct times
                }
                let x = |i: u32| days_between(as_of, time(i)); // ≤ 0, small magnitudes
                let mx = sel.iter().map(|&i| x(i)).sum::<f64>() / n;
                let my = sel.iter().map(|&i| num(i)).sum::<f64>() / n;
                let (mut sxy, mut sxx) = (0.0, 0.0);
                for &i in sel {
                    let dx = x(i) - mx;
                    sxy += dx * (num(i) - my);
                    sxx += dx * dx;
                }
                sxy / sxx
            }
            Aggregation::RepeatCount { within_days } => {
                let within = days_to_seconds(within_days);
                sel.windows(2).filter(|w| time(w[1]) - time(w[0]) <= within).count() as f64
            }
            Aggregation::LastOverMeanPrevious { previous } => {
                let p = previous as usize;
                if sel.len() < p + 1 {
                    return f64::NAN;
                }
                let before = &sel[sel.len() - 1 - p..sel.len() - 1];
                let mean = before.iter().map(|&i| num(i)).sum::<f64>() / p as f64;
                if mean == 0.0 {
                    f64::NAN
                } else {
                    num(last) / mean
                }
            }
            Aggregation::GapRatio => {
                if sel.len() < 2 {
                    return f64::NAN;
                }
                let gaps = &mut s.floats;
                gaps.clear();
                gaps.extend(sel.windows(2).map(|w| days_between(time(w[0]), time(w[1]))));
                let median = median(gaps);
                if median == 0.0 {
                    f64::NAN
                } else {
                    days_between(time(last), as_of) / median
                }
            }
            Aggregation::NpsCategory => nps_category(num(last)),
        }
    }
}

/// NPS category of an answer: 0 detractor, 1 passive, 2 promoter; NaN off the scale.
pub(super) fn nps_category(v: f64) -> f64 {
    if !(0.0..=10.0).contains(&v) {
        f64::NAN
    } else if v < 7.0 {
        0.0
    } else if v < 9.0 {
        1.0
    } else {
        2.0
    }
}

/// The lesser of two numbers (not NaN), -0 below 0.
#[inline]
pub(super) fn least(a: f64, b: f64) -> f64 {
    if b < a || (b == a && b.is_sign_negative()) {
        b
    } else {
        a
    }
}

/// The greater of two numbers (not NaN), 0 above -0.
#[inline]
pub(super) fn greatest(a: f64, b: f64) -> f64 {
    if b > a || (b == a && b.is_sign_positive()) {
        b
    } else {
        a
    }
}

/// Days from `from` to `to` (seconds), as a float.
#[inline]
pub(super) fn days_between(from: i64, to: i64) -> f64 {
    match to.checked_sub(from) {
        Some(seconds) => seconds as f64 / DAY,
        None => (to as i128 - from as i128) as f64 / DAY, // beyond ±292 billion years
    }
}

/// Median of a non-empty buffer (reordered in place).
fn median(x: &mut [f64]) -> f64 {
    let n = x.len();
    let mid = n / 2;
    let (_, &mut upper, _) = x.select_nth_unstable_by(mid, f64::total_cmp);
    if n % 2 == 1 {
        upper
    } else {
        let lower = x[..mid].iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (lower + upper) / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), 2.5);
        assert_eq!(median(&mut [5.0]), 5.0);
    }

    #[test]
    fn windows_convert_days_to_seconds() {
        assert_eq!(days_to_seconds(1.0), 86_400);
        assert_eq!(days_to_seconds(0.5), 43_200);
        assert_eq!(days_to_seconds(f64::MAX), i64::MAX);
    }
}
