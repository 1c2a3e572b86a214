//! Node classes and functions for `nps_core::survey` (camelCase twins of the Python API).
use napi::bindgen_prelude::{Either, Float64Array};
use napi::JsDate;
use napi_derive::napi;
use nps_core::stats::DEFAULT_LEVEL;
use nps_core::survey::{
    self as core, CompareMethod, IntervalMethod, MissingPolicy, NonIntegerPolicy, Period, PlanningShares,
    ReportOptions, ScoreOptions as CoreScoreOptions,
};
use nps_core::NpsError;

use crate::convert::{with_numbers, NumericArray};
use crate::error::{IntoNapi, Result};

/// An answer scale: detractors in [min, detractorMax], passives up to passiveMax, promoters
/// up to max.
#[napi(object)]
#[derive(Clone, Copy)]
pub struct Scale {
    pub min: f64,
    pub detractor_max: f64,
    pub passive_max: f64,
    pub max: f64,
}

/// How raw answers are read, and optional weights.
#[napi(object)]
#[derive(Default)]
pub struct ScoreOptions {
    /// One non-negative weight per answer.
    pub weights: Option<Either<Vec<f64>, Float64Array>>,
    /// The answer scale (default 0–10 with 0–6 / 7–8 / 9–10).
    #[napi(ts_type = "Scale")]
    pub scale: Option<crate::convert::Nested<Scale>>,
    /// R NPS-package style breaks [b0, b1, b2, b3], instead of `scale`.
    pub breaks: Option<Vec<f64>>,
    /// Fractional answers: 'error' (default) or 'rightClosed' (6.5 is a passive).
    #[napi(ts_type = "'error' | 'rightClosed'")]
    pub non_integer: Option<String>,
    /// Missing answers (NaN): 'error' (default) or 'skip' (counted in `skipped`).
    #[napi(ts_type = "'error' | 'skip'")]
    pub missing: Option<String>,
    /// Answers off the scale: 'error' (default) or 'skip' (counted in `outOfRange`).
    #[napi(ts_type = "'error' | 'skip'")]
    pub out_of_range: Option<String>,
}

fn score_options(
    scale: Option<Scale>,
    breaks: Option<&[f64]>,
    non_integer: Option<&str>,
    missing: Option<&str>,
    out_of_range: Option<&str>,
) -> nps_core::Result<CoreScoreOptions> {
    let scale = match (scale, breaks) {
        (Some(_), Some(_)) => {
            return Err(NpsError::invalid("scale", "both scale and breaks", "one of scale or breaks"))
        }
        (Some(s), None) => core::Scale::new(s.min, s.detractor_max, s.passive_max, s.max)?,
        (None, Some(b)) => core::Scale::from_breaks(b)?,
        (None, None) => core::Scale::default(),
    };
    Ok(CoreScoreOptions {
        scale,
        non_integer: non_integer.map_or(Ok(NonIntegerPolicy::Error), str::parse)?,
        missing: missing.map_or(Ok(MissingPolicy::Error), str::parse)?,
        out_of_range: out_of_range.map_or(Ok(core::OutOfRangePolicy::Error), str::parse)?,
    })
}

fn weights_vec(w: &Option<Either<Vec<f64>, Float64Array>>) -> Option<&[f64]> {
    w.as_ref().map(|w| match w {
        Either::A(v) => v.as_slice(),
        Either::B(a) => a.as_ref(),
    })
}

/// Interval options.
#[napi(object)]
#[derive(Default)]
pub struct IntervalOptions {
    /// 'adjustedWald' (default), 'wald', 'score' or 'bayes'.
    #[napi(ts_type = "'adjustedWald' | 'wald' | 'score' | 'bayes'")]
    pub method: Option<String>,
    /// Confidence level in (0, 1), default 0.95.
    pub level: Option<f64>,
    /// Dirichlet prior pseudo-counts [detractor, passive, promoter] for 'bayes' (default [1, 1, 1]).
    pub prior: Option<Vec<f64>>,
    /// Cut the interval to [−100, 100] for display (Wald-type intervals can overshoot).
    pub clip: Option<bool>,
}

fn prior_arg(prior: &Option<Vec<f64>>) -> nps_core::Result<Option<[f64; 3]>> {
    match prior {
        None => Ok(None),
        Some(p) if p.len() == 3 => Ok(Some([p[0], p[1], p[2]])),
        Some(p) => Err(NpsError::invalid("prior", format!("{p:?}"), "three pseudo-counts")),
    }
}

fn interval_method(method: Option<&str>, prior: &Option<Vec<f64>>) -> nps_core::Result<IntervalMethod> {
    IntervalMethod::parse(method.unwrap_or(IntervalMethod::default().name()), prior_arg(prior)?)
}

fn compare_method(method: Option<&str>) -> nps_core::Result<CompareMethod> {
    method.map_or(Ok(CompareMethod::default()), str::parse)
}

/// An interval for an NPS, in points.
#[napi(object)]
pub struct Interval {
    pub method: String,
    pub level: f64,
    pub low: f64,
    pub high: f64,
    /// NPS for wald/score, adjusted NPS for adjustedWald, posterior mean for bayes.
    pub center: f64,
    pub se: f64,
}

impl From<core::Interval> for Interval {
    fn from(i: core::Interval) -> Self {
        Interval {
            method: camel(i.method.name()),
            level: i.level,
            low: i.low,
            high: i.high,
            center: i.center,
            se: i.se,
        }
    }
}

fn camel(name: &str) -> String {
    match name {
        "adjusted_wald" => "adjustedWald".to_string(),
        other => other.to_string(),
    }
}

/// Counts (optionally weighted) of detractors, passives and promoters.
#[napi]
pub struct Tally {
    inner: core::Tally,
}

fn whole_count(field: &str, value: f64) -> nps_core::Result<u64> {
    if value.is_nan() {
        Err(NpsError::Missing { field: field.into(), index: 0 })
    } else if value < 0.0 {
        Err(NpsError::Negative { field: field.into(), index: 0, value })
    } else if value.fract() != 0.0 || !value.is_finite() {
        Err(NpsError::NonInteger { field: field.into(), index: 0, value })
    } else {
        Ok(value as u64)
    }
}

#[napi]
impl Tally {
    /// Tallies raw answers (a number[] or any numeric typed array).
    #[napi(factory, catch_unwind)]
    pub fn from_scores(
        scores: NumericArray,
        #[napi(ts_arg_type = "ScoreOptions | undefined | null")] options: Option<crate::convert::Obj<ScoreOptions>>,
    ) -> Result<Tally> {
        let options = options.map(|o| o.0);
        let o = options.unwrap_or_default();
        let opts = score_options(
            o.scale.map(|s| s.0),
            o.breaks.as_deref(),
            o.non_integer.as_deref(),
            o.missing.as_deref(),
            o.out_of_range.as_deref(),
        )
        .into_napi()?;
        let weights = weights_vec(&o.weights);
        let inner = with_numbers!(scores, |s| match weights {
            None => core::Tally::from_scores(s, &opts),
            Some(w) => core::Tally::from_weighted_scores(s, w, &opts),
        })
        .into_napi()?;
        Ok(Tally { inner })
    }

    /// A tally from counts already made.
    #[napi(factory, catch_unwind)]
    pub fn from_counts(detractors: f64, passives: f64, promoters: f64) -> Result<Tally> {
        let c = (|| {
            Ok::<_, NpsError>([
                whole_count("detractors", detractors)?,
                whole_count("passives", passives)?,
                whole_count("promoters", promoters)?,
            ])
        })()
        .into_napi()?;
        Ok(Tally { inner: core::Tally::from_counts(c[0], c[1], c[2]).into_napi()? })
    }

    #[napi(getter)]
    pub fn detractors(&self) -> f64 {
        self.inner.counts[0] as f64
    }
    #[napi(getter)]
    pub fn passives(&self) -> f64 {
        self.inner.counts[1] as f64
    }
    #[napi(getter)]
    pub fn promoters(&self) -> f64 {
        self.inner.counts[2] as f64
    }
    #[napi(getter)]
    pub fn n(&self) -> f64 {
        self.inner.n() as f64
    }
    #[napi(getter)]
    pub fn skipped(&self) -> f64 {
        self.inner.skipped as f64
    }
    /// Answers off the scale left out under `outOfRange: 'skip'`.
    #[napi(getter)]
    pub fn out_of_range(&self) -> f64 {
        self.inner.out_of_range as f64
    }
    #[napi(getter)]
    pub fn total_weight(&self) -> f64 {
        self.inner.total_weight()
    }
    #[napi(getter)]
    pub fn is_weighted(&self) -> bool {
        self.inner.is_weighted()
    }
    #[napi(getter)]
    pub fn detractor_share(&self) -> f64 {
        self.inner.detractor_share()
    }
    #[napi(getter)]
    pub fn passive_share(&self) -> f64 {
        self.inner.passive_share()
    }
    #[napi(getter)]
    pub fn promoter_share(&self) -> f64 {
        self.inner.promoter_share()
    }
    /// Net Promoter Score in points (−100..100).
    #[napi(getter)]
    pub fn nps(&self) -> f64 {
        self.inner.nps()
    }
    /// Variance of the NPS in points² (linearised when weighted).
    #[napi(getter)]
    pub fn variance(&self) -> f64 {
        self.inner.variance()
    }
    /// Standard error of the NPS in points.
    #[napi(getter)]
    pub fn se(&self) -> f64 {
        self.inner.se()
    }
    /// Kish effective sample size.
    #[napi(getter)]
    pub fn effective_n(&self) -> f64 {
        self.inner.effective_n()
    }

    /// An interval for the NPS.
    #[napi(catch_unwind)]
    pub fn interval(
        &self,
        #[napi(ts_arg_type = "IntervalOptions | undefined | null")] options: Option<
            crate::convert::Obj<IntervalOptions>,
        >,
    ) -> Result<Interval> {
        let options = options.map(|o| o.0);
        let o = options.unwrap_or_default();
        let method = interval_method(o.method.as_deref(), &o.prior).into_napi()?;
        let i = self.inner.interval(method, o.level.unwrap_or(DEFAULT_LEVEL)).into_napi()?;
        Ok(if o.clip.unwrap_or(false) { i.clipped() } else { i }.into())
    }

    /// The tally of the union of two disjoint samples.
    #[napi]
    pub fn merge(&self, other: &Tally) -> Tally {
        Tally { inner: self.inner.merge(&other.inner) }
    }

    /// A plain object with the counts and estimates.
    #[napi(js_name = "toJSON")]
    pub fn to_json(&self) -> TallySummary {
        let t = &self.inner;
        TallySummary {
            detractors: t.counts[0] as f64,
            passives: t.counts[1] as f64,
            promoters: t.counts[2] as f64,
            n: t.n() as f64,
            skipped: t.skipped as f64,
            out_of_range: t.out_of_range as f64,
            nps: t.nps(),
            se: t.se(),
            effective_n: t.effective_n(),
        }
    }
}

/// A tally as a plain object.
#[napi(object)]
pub struct TallySummary {
    pub detractors: f64,
    pub passives: f64,
    pub promoters: f64,
    pub n: f64,
    pub skipped: f64,
    /// Answers off the scale left out under `outOfRange: 'skip'`.
    pub out_of_range: f64,
    pub nps: f64,
    pub se: f64,
    pub effective_n: f64,
}

/// Comparison options.
#[napi(object)]
#[derive(Default)]
pub struct CompareOptions {
    /// 'wald' (default) or 'adjustedWald'.
    #[napi(ts_type = "'wald' | 'adjustedWald'")]
    pub method: Option<String>,
    /// Confidence level in (0, 1), default 0.95.
    pub level: Option<f64>,
}

/// A minus B, in points.
#[napi(object)]
pub struct Comparison {
    pub method: String,
    pub level: f64,
    pub diff: f64,
    pub se: f64,
    pub z: f64,
    pub p_value: f64,
    pub low: f64,
    pub high: f64,
    /// +1 significantly up, −1 significantly down, 0 not significant.
    pub direction: i32,
}

impl From<core::Comparison> for Comparison {
    fn from(c: core::Comparison) -> Self {
        Comparison {
            method: camel(c.method.name()),
            level: c.level,
            diff: c.diff,
            se: c.se,
            z: c.z,
            p_value: c.p_value,
            low: c.low,
            high: c.high,
            direction: c.direction as i32,
        }
    }
}

/// Compares A with B: difference, SE, z, two-sided p-value, interval and direction.
#[napi(catch_unwind)]
pub fn compare(
    a: &Tally,
    b: &Tally,
    #[napi(ts_arg_type = "CompareOptions | undefined | null")] options: Option<crate::convert::Obj<CompareOptions>>,
) -> Result<Comparison> {
    let options = options.map(|o| o.0);
    let o = options.unwrap_or_default();
    let method = compare_method(o.method.as_deref()).into_napi()?;
    Ok(core::compare(&a.inner, &b.inner, method, o.level.unwrap_or(DEFAULT_LEVEL)).into_napi()?.into())
}

/// Options of `probGreater`.
#[napi(object)]
#[derive(Default)]
pub struct ProbGreaterOptions {
    /// Dirichlet prior [detractor, passive, promoter], default [1, 1, 1].
    pub prior: Option<Vec<f64>>,
}

/// Posterior probability that A's NPS exceeds B's.
#[napi(catch_unwind)]
pub fn prob_greater(
    a: &Tally,
    b: &Tally,
    #[napi(ts_arg_type = "ProbGreaterOptions | undefined | null")] options: Option<
        crate::convert::Obj<ProbGreaterOptions>,
    >,
) -> Result<f64> {
    let options = options.map(|o| o.0);
    let prior = prior_arg(&options.unwrap_or_default().prior).into_napi()?.unwrap_or([1.0; 3]);
    core::prob_greater(&a.inner, &b.inner, prior).into_napi()
}

/// Planned shares (fractions).
#[napi(object)]
#[derive(Clone, Copy)]
pub struct Shares {
    pub promoter: f64,
    pub detractor: f64,
}

fn shares(s: Option<Shares>) -> PlanningShares {
    s.map_or_else(PlanningShares::default, |s| PlanningShares { promoter: s.promoter, detractor: s.detractor })
}

/// Options of `sampleSize`.
#[napi(object)]
#[derive(Default)]
pub struct SampleSizeOptions {
    pub level: Option<f64>,
    /// Planned shares; the worst case (0.5, 0.5) by default.
    #[napi(ts_type = "Shares")]
    pub shares: Option<crate::convert::Nested<Shares>>,
    /// Population size for the finite-population correction.
    pub population: Option<f64>,
}

/// Respondents needed for a margin of ± `margin` points.
#[napi(catch_unwind)]
pub fn sample_size(
    margin: f64,
    #[napi(ts_arg_type = "SampleSizeOptions | undefined | null")] options: Option<
        crate::convert::Obj<SampleSizeOptions>,
    >,
) -> Result<f64> {
    let options = options.map(|o| o.0);
    let o = options.unwrap_or_default();
    let population = o.population.map(|p| whole_count("population", p)).transpose().into_napi()?;
    Ok(core::sample_size(margin, o.level.unwrap_or(DEFAULT_LEVEL), shares(o.shares.map(|s| s.0)), population)
        .into_napi()? as f64)
}

/// Options of `sampleSizeDifference`.
#[napi(object)]
#[derive(Default)]
pub struct SampleSizeDifferenceOptions {
    pub level: Option<f64>,
    /// Power of the test, default 0.8.
    pub power: Option<f64>,
    #[napi(ts_type = "Shares")]
    pub shares_a: Option<crate::convert::Nested<Shares>>,
    #[napi(ts_type = "Shares")]
    pub shares_b: Option<crate::convert::Nested<Shares>>,
}

/// Respondents needed per group to detect a difference of `difference` points.
#[napi(catch_unwind)]
pub fn sample_size_difference(
    difference: f64,
    #[napi(ts_arg_type = "SampleSizeDifferenceOptions | undefined | null")] options: Option<
        crate::convert::Obj<SampleSizeDifferenceOptions>,
    >,
) -> Result<f64> {
    let options = options.map(|o| o.0);
    let o = options.unwrap_or_default();
    let n = core::sample_size_difference(
        difference,
        o.level.unwrap_or(DEFAULT_LEVEL),
        o.power.unwrap_or(core::DEFAULT_POWER),
        shares(o.shares_a.map(|s| s.0)),
        shares(o.shares_b.map(|s| s.0)),
    );
    Ok(n.into_napi()? as f64)
}

/// Options of `breakdown` and `trend`.
#[napi(object, js_name = "ReportOptions")]
#[derive(Default)]
pub struct ReportOptionsJs {
    pub weights: Option<Either<Vec<f64>, Float64Array>>,
    #[napi(ts_type = "Scale")]
    pub scale: Option<crate::convert::Nested<Scale>>,
    pub breaks: Option<Vec<f64>>,
    #[napi(ts_type = "'error' | 'rightClosed'")]
    pub non_integer: Option<String>,
    #[napi(ts_type = "'error' | 'skip'")]
    pub missing: Option<String>,
    /// Answers off the scale: 'error' (default) or 'skip' (counted in each row's `outOfRange`).
    #[napi(ts_type = "'error' | 'skip'")]
    pub out_of_range: Option<String>,
    /// Interval method of each row (default 'adjustedWald').
    #[napi(ts_type = "'adjustedWald' | 'wald' | 'score' | 'bayes'")]
    pub method: Option<String>,
    pub prior: Option<Vec<f64>>,
    /// Test for the change between periods (trend only; default 'wald').
    #[napi(ts_type = "'wald' | 'adjustedWald'")]
    pub compare: Option<String>,
    pub level: Option<f64>,
    /// Trend period: 'day', 'week' (ISO), 'month' (default) or 'quarter', in UTC.
    #[napi(ts_type = "'day' | 'week' | 'month' | 'quarter'")]
    pub period: Option<String>,
}

fn report_options(o: &ReportOptionsJs) -> nps_core::Result<ReportOptions> {
    Ok(ReportOptions {
        scores: score_options(
            o.scale.as_ref().map(|s| s.0),
            o.breaks.as_deref(),
            o.non_integer.as_deref(),
            o.missing.as_deref(),
            o.out_of_range.as_deref(),
        )?,
        interval: interval_method(o.method.as_deref(), &o.prior)?,
        compare: compare_method(o.compare.as_deref())?,
        level: o.level.unwrap_or(DEFAULT_LEVEL),
    })
}

/// One segment of a breakdown.
#[napi(object)]
pub struct SegmentRow {
    pub segment: String,
    pub n: f64,
    pub detractors: f64,
    pub passives: f64,
    pub promoters: f64,
    pub skipped: f64,
    /// Answers off the scale left out under `outOfRange: 'skip'`.
    pub out_of_range: f64,
    pub nps: f64,
    pub se: f64,
    /// Interval ends (NaN when every answer of the segment was skipped).
    pub low: f64,
    pub high: f64,
}

/// NPS by segment, one row per distinct segment in sorted order.
#[napi(catch_unwind)]
pub fn breakdown(
    scores: NumericArray,
    segments: Vec<String>,
    #[napi(ts_arg_type = "ReportOptions | undefined | null")] options: Option<crate::convert::Obj<ReportOptionsJs>>,
) -> Result<Vec<SegmentRow>> {
    let options = options.map(|o| o.0);
    let o = options.unwrap_or_default();
    let opts = report_options(&o).into_napi()?;
    let weights = weights_vec(&o.weights);
    let rows = with_numbers!(scores, |s| core::breakdown(s, &segments, weights, &opts)).into_napi()?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let t = r.tally;
            SegmentRow {
                segment: r.segment,
                n: t.n() as f64,
                detractors: t.counts[0] as f64,
                passives: t.counts[1] as f64,
                promoters: t.counts[2] as f64,
                skipped: t.skipped as f64,
                out_of_range: t.out_of_range as f64,
                nps: t.nps(),
                se: t.se(),
                low: r.interval.map_or(f64::NAN, |i| i.low),
                high: r.interval.map_or(f64::NAN, |i| i.high),
            }
        })
        .collect())
}

/// One period of a trend.
#[napi(object)]
pub struct TrendRow {
    /// Label: '2026-03-05', '2026-W10', '2026-03' or '2026-Q1'.
    pub period: String,
    /// First instant of the period, epoch milliseconds (UTC).
    pub start: f64,
    pub n: f64,
    pub detractors: f64,
    pub passives: f64,
    pub promoters: f64,
    pub skipped: f64,
    /// Answers off the scale left out under `outOfRange: 'skip'`.
    pub out_of_range: f64,
    pub nps: f64,
    pub se: f64,
    pub low: f64,
    pub high: f64,
    /// Change against the previous period (NaN for the first).
    pub diff: f64,
    pub diff_se: f64,
    pub p_value: f64,
    /// +1 significantly up, −1 significantly down, 0 otherwise.
    pub direction: i32,
}

/// NPS by period; timestamps are `Date`s or epoch milliseconds.
#[napi(catch_unwind)]
pub fn trend(
    scores: NumericArray,
    timestamps: Vec<Either<f64, JsDate>>,
    #[napi(ts_arg_type = "ReportOptions | undefined | null")] options: Option<crate::convert::Obj<ReportOptionsJs>>,
) -> Result<Vec<TrendRow>> {
    let options = options.map(|o| o.0);
    let o = options.unwrap_or_default();
    let opts = report_options(&o).into_napi()?;
    let period = o.period.as_deref().map_or(Ok(Period::Month), str::parse).into_napi()?;
    let seconds = timestamps
        .iter()
        .enumerate()
        .map(|(index, t)| crate::convert::epoch_seconds(t, "timestamps", index))
        .collect::<Result<Vec<_>>>()?;
    let weights = weights_vec(&o.weights);
    let rows = with_numbers!(scores, |s| core::trend(s, &seconds, period, weights, &opts)).into_napi()?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let t = r.tally;
            let c = r.change;
            TrendRow {
                period: r.period.label(),
                start: r.period.start as f64 * 1000.0,
                n: t.n() as f64,
                detractors: t.counts[0] as f64,
                passives: t.counts[1] as f64,
                promoters: t.counts[2] as f64,
                skipped: t.skipped as f64,
                out_of_range: t.out_of_range as f64,
                nps: t.nps(),
                se: t.se(),
                low: r.interval.map_or(f64::NAN, |i| i.low),
                high: r.interval.map_or(f64::NAN, |i| i.high),
                diff: c.map_or(f64::NAN, |c| c.diff),
                diff_se: c.map_or(f64::NAN, |c| c.se),
                p_value: c.map_or(f64::NAN, |c| c.p_value),
                direction: c.map_or(0, |c| c.direction as i32),
            }
        })
        .collect())
}

/// Options of `validateScores`.
#[napi(object)]
#[derive(Default)]
pub struct ValidateOptions {
    /// The answer scale (default 0–10).
    #[napi(ts_type = "Scale")]
    pub scale: Option<crate::convert::Nested<Scale>>,
    /// R NPS-package style breaks [b0, b1, b2, b3], instead of `scale`.
    pub breaks: Option<Vec<f64>>,
    /// Fractional answers: 'error' (default: reported) or 'rightClosed' (binned, not reported).
    #[napi(ts_type = "'error' | 'rightClosed'")]
    pub non_integer: Option<String>,
}

/// One bad answer.
#[napi(object)]
pub struct BadAnswer {
    /// Its position.
    pub index: u32,
    /// Its value (NaN when missing).
    pub value: f64,
    #[napi(ts_type = "'missing' | 'out_of_range' | 'non_integer'")]
    pub problem: String,
    /// The message a tally would throw for it.
    pub message: String,
}

/// Every bad answer at once, in order: missing, off the scale, and fractional unless
/// `nonInteger: 'rightClosed'` (`nps_core::survey::validate_scores`); empty when every
/// answer counts.
#[napi(catch_unwind)]
pub fn validate_scores(
    scores: NumericArray,
    #[napi(ts_arg_type = "ValidateOptions | undefined | null")] options: Option<crate::convert::Obj<ValidateOptions>>,
) -> Result<Vec<BadAnswer>> {
    let options = options.map(|o| o.0);
    let o = options.unwrap_or_default();
    let opts =
        score_options(o.scale.map(|s| s.0), o.breaks.as_deref(), o.non_integer.as_deref(), None, None).into_napi()?;
    let bad = with_numbers!(scores, |s| core::validate_scores(s, &opts));
    Ok(bad
        .iter()
        .map(|b| BadAnswer {
            index: b.index as u32,
            value: b.value,
            problem: b.problem.as_str().to_string(),
            message: b.error(&opts).to_string(),
        })
        .collect())
}
