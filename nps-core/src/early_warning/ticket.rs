//! One call at the moment a customer opens a ticket: add the event to their history,
//! recompute their features, score churn, attribute the score, estimate detractor risk and
//! rank the next best actions.
//!
//! A [`TicketScorer`] is built once per service from a compiled [`FeatureEngine`], a
//! churn model of any kind ([`AnyChurnModel`]: logistic or boosted trees), optionally a
//! likelihood-to-recommend model of any kind ([`AnyLtrModel`]: [`LtrModel`] or
//! [`BoostedLtrModel`]), and an action [`Catalog`]: everything the
//! call needs is resolved then (each model input's feature, the explainers and their
//! baselines, which catalogue fields and factors come from which features), so
//! [`TicketScorer::score_into`] does no name look-ups and, reusing a [`Ticket`], no
//! allocation in the steady state. The numbers are those of the separate calls
//! ([`CustomerHistory::push`], [`CustomerHistory::features`], [`crate::model::ChurnModel::score_cells`],
//! [`crate::model::ChurnModel::explain_cells`], [`LtrModel::detractor_risk`] or
//! [`BoostedLtrModel::detractor_risk`]
//! and [`Catalog::decide_into`]), to the bit.
//!
//! [`LtrModel`]: super::LtrModel
//! [`LtrModel::detractor_risk`]: super::LtrModel::detractor_risk
//! [`BoostedLtrModel`]: super::BoostedLtrModel
//! [`BoostedLtrModel::detractor_risk`]: super::BoostedLtrModel::detractor_risk
use crate::action::{Catalog, Customer, DecideOptions, Decision, Factor, FieldType, FieldValue, Outcome, Scratch};
use crate::encode::Cell;
use crate::error::{NpsError, Result};
use crate::explain::top_indices_into;
use crate::features::{CustomerHistory, Event, FeatureEngine, RowScratch};
use crate::model::{sigmoid, AnyChurnModel, ChurnScorer, FactorValue, InputProfile, ReadableFactor, ScorerScratch};
use serde::Serialize;

use super::any_ltr_model::{AnyLtrModel, LtrScorer, LtrScratch};
use super::detractor_risk::DetractorRisk;

/// How many factors and actions a ticket returns, and whether the decision learns.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TicketOptions<'a> {
    /// Factors each way (raising, lowering) for churn and for detractor risk (3).
    pub top_factors: usize,
    /// Actions returned (3).
    pub top_actions: usize,
    /// Each action's propensity P, by catalogue index: Thompson draws from a
    /// [`crate::action::Learner`] ([`crate::action::Learner::draws_into`]) for a decision
    /// that learns which actions work, as [`Catalog::decide_learning`] makes it. `None`
    /// (the default): learning off, P = 1.
    pub propensity: Option<&'a [f64]>,
}

impl Default for TicketOptions<'_> {
    fn default() -> Self {
        TicketOptions {
            top_factors: crate::explain::DEFAULT_TOP_FACTORS,
            top_actions: crate::action::DEFAULT_TOP,
            propensity: None,
        }
    }
}

/// The result of one ticket; reuse it across calls so its buffers are kept.
#[derive(Debug, Clone, Default)]
pub struct Ticket {
    /// The customer's features after the event, as of `now`, in [`TicketScorer::feature_names`] order.
    pub features: Vec<f64>,
    /// P(churn).
    pub probability: f64,
    /// The churn score handed to the rules: 100 × P(churn).
    pub score: f64,
    /// The churn log-odds: `baseline` + Σ `contributions`.
    pub log_odds: f64,
    /// The churn log-odds at the training mean.
    pub baseline: f64,
    /// Each churn model input's contribution to the log-odds, in [`TicketScorer::inputs`] order.
    pub contributions: Vec<f64>,
    /// The inputs (indices into `contributions`) that raise the risk most, largest first.
    pub raising: Vec<usize>,
    /// The inputs that lower it most, most negative first.
    pub lowering: Vec<usize>,
    /// Detractor risk and its attribution, when the scorer has an LTR model.
    pub detractor: Option<DetractorRisk>,
    /// The LTR inputs (indices into `detractor.contributions`) that push most towards detractor.
    pub detractor_raising: Vec<usize>,
    /// Those that push most towards promoter.
    pub detractor_lowering: Vec<usize>,
    /// The ranked actions and the trace.
    pub decision: Decision,
    /// The customer record the rules saw: the caller's, with feature-backed fields filled.
    pub customer: Customer,
    ltr_scratch: LtrScratch,
    churn_scratch: ScorerScratch,
    cells: Vec<Cell<'static>>,
    factors: Vec<Factor>,
    scratch: Scratch,
    rows: RowScratch,
}

/// Where each number of a [`Ticket`] lies in one flat array of `f64` (see
/// [`Ticket::write_values`]): for services that read a ticket without building objects
/// (Node's `ticketValues` writes into a `Float64Array` the caller reuses, so a ticket
/// creates no garbage). Each field is an offset into the array; the lists (`raising`,
/// `actions`, ...) have `top_factors` or `top_actions` slots from their offset.
///
/// A factor slot holds the input's index (in [`TicketScorer::inputs`] or
/// [`TicketScorer::ltr_inputs`] order) and its contribution; an action slot the action's
/// index in [`Catalog::actions`], its priority and its value. Unused slots hold index −1
/// and NaN, as does the detractor block of a scorer without an LTR model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TicketLayout {
    /// Factor slots per list.
    pub top_factors: usize,
    /// Action slots.
    pub top_actions: usize,
    /// P(churn).
    pub probability: usize,
    /// 100 × P(churn).
    pub score: usize,
    /// The churn log-odds.
    pub log_odds: usize,
    /// The churn log-odds at the training mean.
    pub baseline: usize,
    /// Inputs raising the churn risk most (indices), largest first.
    pub raising: usize,
    /// Their contributions.
    pub raising_contributions: usize,
    /// Inputs lowering it most (indices), most negative first.
    pub lowering: usize,
    /// Their contributions.
    pub lowering_contributions: usize,
    /// P(detractor).
    pub detractor_probability: usize,
    /// P(passive).
    pub passive_probability: usize,
    /// P(promoter).
    pub promoter_probability: usize,
    /// ln P(detractor)/P(promoter).
    pub detractor_log_odds: usize,
    /// The same at the training mean.
    pub detractor_baseline: usize,
    /// LTR inputs pushing most towards detractor (indices).
    pub detractor_raising: usize,
    /// Their contributions.
    pub detractor_raising_contributions: usize,
    /// LTR inputs pushing most towards promoter (indices).
    pub detractor_lowering: usize,
    /// Their contributions.
    pub detractor_lowering_contributions: usize,
    /// The next best actions (catalogue indices), best first.
    pub actions: usize,
    /// Their priorities.
    pub priorities: usize,
    /// Their values.
    pub values: usize,
    /// The array's length.
    pub length: usize,
}

impl TicketLayout {
    /// Checks that an array of `len` values can hold a ticket (a caller checks it before
    /// the event is added, so that a wrong array changes nothing).
    pub fn check_out(&self, len: usize) -> Result<()> {
        if len != self.length {
            return Err(NpsError::LengthMismatch {
                field: "out".into(),
                actual: len,
                other: "the ticket layout's length".into(),
                expected: self.length,
            });
        }
        Ok(())
    }

    /// The layout of tickets scored with `options`.
    pub fn new(options: &TicketOptions) -> Self {
        let (f, a) = (options.top_factors, options.top_actions);
        // Four numbers, the churn factor lists, five detractor numbers, its lists, the actions.
        let d = 9 + 4 * f;
        TicketLayout {
            top_factors: f,
            top_actions: a,
            probability: 0,
            score: 1,
            log_odds: 2,
            baseline: 3,
            raising: 4,
            raising_contributions: 4 + f,
            lowering: 4 + 2 * f,
            lowering_contributions: 4 + 3 * f,
            detractor_probability: 4 + 4 * f,
            passive_probability: 5 + 4 * f,
            promoter_probability: 6 + 4 * f,
            detractor_log_odds: 7 + 4 * f,
            detractor_baseline: 8 + 4 * f,
            detractor_raising: d,
            detractor_raising_contributions: d + f,
            detractor_lowering: d + 2 * f,
            detractor_lowering_contributions: d + 3 * f,
            actions: d + 4 * f,
            priorities: d + 4 * f + a,
            values: d + 4 * f + 2 * a,
            length: d + 4 * f + 3 * a,
        }
    }
}

impl Ticket {
    /// Writes the ticket's numbers into `out` at the places `layout` gives (see
    /// [`TicketLayout`]); `layout` must be that of the options the ticket was scored with.
    /// Errors: `out` is not `layout.length` long.
    pub fn write_values(&self, layout: &TicketLayout, out: &mut [f64]) -> Result<()> {
        layout.check_out(out.len())?;
        out[layout.probability] = self.probability;
        out[layout.score] = self.score;
        out[layout.log_odds] = self.log_odds;
        out[layout.baseline] = self.baseline;
        let k = layout.top_factors;
        let factors = |out: &mut [f64], at: usize, at_c: usize, index: &[usize], c: &[f64]| {
            for i in 0..k {
                let s = index.get(i);
                out[at + i] = s.map_or(-1.0, |&s| s as f64);
                out[at_c + i] = s.map_or(f64::NAN, |&s| c[s]);
            }
        };
        factors(out, layout.raising, layout.raising_contributions, &self.raising, &self.contributions);
        factors(out, layout.lowering, layout.lowering_contributions, &self.lowering, &self.contributions);
        let (up, down, d): (&[usize], &[usize], &[f64]) = match &self.detractor {
            Some(d) => {
                out[layout.detractor_probability] = d.probabilities[0];
                out[layout.passive_probability] = d.probabilities[1];
                out[layout.promoter_probability] = d.probabilities[2];
                out[layout.detractor_log_odds] = d.log_odds;
                out[layout.detractor_baseline] = d.baseline;
                (&self.detractor_raising, &self.detractor_lowering, &d.contributions)
            }
            None => {
                out[layout.detractor_probability..=layout.detractor_baseline].fill(f64::NAN);
                (&[], &[], &[])
            }
        };
        factors(out, layout.detractor_raising, layout.detractor_raising_contributions, up, d);
        factors(out, layout.detractor_lowering, layout.detractor_lowering_contributions, down, d);
        for i in 0..layout.top_actions {
            let a = self.decision.actions.get(i);
            out[layout.actions + i] = a.map_or(-1.0, |a| a.index as f64);
            out[layout.priorities + i] = a.map_or(f64::NAN, |a| a.priority);
            out[layout.values + i] = a.map_or(f64::NAN, |a| a.value);
        }
        Ok(())
    }
}

/// The likelihood-to-recommend part of a scorer.
#[derive(Debug, Clone)]
struct LtrPart {
    scorer: LtrScorer,
    features: Vec<usize>,
}

/// Everything a ticket needs, resolved once (see the module doc).
#[derive(Debug, Clone)]
pub struct TicketScorer {
    engine: FeatureEngine,
    churn: ChurnScorer,
    churn_features: Vec<usize>,
    ltr: Option<LtrPart>,
    catalog: Catalog,
    field_features: Vec<(usize, usize)>,
    /// The churn inputs the catalogue declares as factors (indices into `inputs`).
    factor_inputs: Vec<usize>,
}

/// For each input, the index of the feature of the same name.
fn feature_indices(engine: &FeatureEngine, inputs: &[String], what: &str) -> Result<Vec<usize>> {
    let names = engine.names();
    inputs
        .iter()
        .map(|i| {
            names
                .iter()
                .position(|n| n == i)
                .ok_or_else(|| NpsError::unknown(what, i, &names.iter().map(String::as_str).collect::<Vec<_>>()))
        })
        .collect()
}

fn fill_cells(features: &[f64], index: &[usize], cells: &mut Vec<Cell<'static>>) {
    cells.clear();
    cells.extend(index.iter().map(|&f| {
        let v = features[f];
        if v.is_nan() {
            Cell::Missing
        } else {
            Cell::Number(v)
        }
    }));
}

impl TicketScorer {
    /// A scorer. Every input of `churn` (and of `ltr`) must be a feature of `engine`
    /// (errors name the input and list the features); the catalogue's number fields named
    /// like a feature are filled from it. `ltr` is a likelihood-to-recommend model of either
    /// kind (`Some(model.into())`); a logistic one without `column_mean` (a file that
    /// predates attribution) is an error.
    pub fn new(
        engine: FeatureEngine,
        churn: impl Into<AnyChurnModel>,
        ltr: Option<AnyLtrModel>,
        catalog: Catalog,
    ) -> Result<Self> {
        let churn = ChurnScorer::new(churn)?;
        let churn_features = feature_indices(&engine, churn.inputs(), "churn model input")?;
        let ltr = match ltr {
            None => None,
            Some(model) => Some(LtrPart {
                features: feature_indices(&engine, model.inputs(), "LTR model input")?,
                scorer: LtrScorer::new(model)?,
            }),
        };
        let field_features = catalog
            .fields()
            .iter()
            .enumerate()
            .filter(|(_, (_, ty))| *ty == FieldType::Number)
            .filter_map(|(slot, (name, _))| engine.names().iter().position(|n| n == name).map(|f| (slot, f)))
            .collect();
        let factor_inputs = churn
            .inputs()
            .iter()
            .enumerate()
            .filter(|(_, n)| catalog.factor_index(n).is_some())
            .map(|(i, _)| i)
            .collect();
        Ok(TicketScorer { engine, churn, churn_features, ltr, catalog, field_features, factor_inputs })
    }

    /// The feature engine.
    pub fn engine(&self) -> &FeatureEngine {
        &self.engine
    }

    /// The churn model.
    pub fn churn_model(&self) -> &AnyChurnModel {
        self.churn.model()
    }

    /// The likelihood-to-recommend model, if any.
    pub fn ltr_model(&self) -> Option<&AnyLtrModel> {
        self.ltr.as_ref().map(|l| l.scorer.model())
    }

    /// The feature names, in [`Ticket::features`] order.
    pub fn feature_names(&self) -> &[String] {
        self.engine.names()
    }

    /// The churn model's inputs, in [`Ticket::contributions`] order.
    pub fn inputs(&self) -> &[String] {
        self.churn.inputs()
    }

    /// The LTR model's inputs (empty without one), in detractor-contribution order.
    pub fn ltr_inputs(&self) -> &[String] {
        self.ltr.as_ref().map_or(&[], |l| l.scorer.inputs())
    }

    /// Churn input `input` (an index into [`Self::inputs`], as in [`Ticket::raising`]) of a
    /// ticket this scorer scored, as an agent reads it: the same name, contribution, value
    /// and typical value as [`crate::model::ChurnModel::explain_cells`] gives.
    pub fn readable_factor(&self, ticket: &Ticket, input: usize) -> ReadableFactor {
        let (name, contribution) = (&self.churn.inputs()[input], ticket.contributions[input]);
        self.churn.profiles()[input].factor(name, contribution, self.cell(ticket, input))
    }

    /// The customer's value of churn input `input` as its factor shows it: the `value` of
    /// [`Self::readable_factor`] without the rest (a binding that has the names and the
    /// [`Self::profiles`] already builds the factor from this and the ticket's numbers).
    pub fn factor_value(&self, ticket: &Ticket, input: usize) -> FactorValue {
        self.churn.profiles()[input].value(self.cell(ticket, input))
    }

    /// What each churn input's factor shows beside the customer's value (its typical value
    /// and mix), in [`Self::inputs`] order.
    pub fn profiles(&self) -> &[InputProfile] {
        self.churn.profiles()
    }

    /// Churn input `input`'s value in a ticket's features.
    fn cell(&self, ticket: &Ticket, input: usize) -> Cell<'static> {
        let x = ticket.features[self.churn_features[input]];
        if x.is_nan() {
            Cell::Missing
        } else {
            Cell::Number(x)
        }
    }

    /// One propensity per catalogue action, when given.
    fn check_options(&self, options: &TicketOptions<'_>) -> Result<()> {
        match options.propensity {
            Some(p) if p.len() != self.catalog.actions().len() => Err(NpsError::LengthMismatch {
                field: "propensity".into(),
                actual: p.len(),
                other: "the catalogue's actions".into(),
                expected: self.catalog.actions().len(),
            }),
            _ => Ok(()),
        }
    }

    /// The catalogue.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The catalogue fields filled from features: (field slot, feature index).
    pub fn feature_fields(&self) -> &[(usize, usize)] {
        &self.field_features
    }

    /// One ticket (see [`Self::score_into`]).
    #[allow(clippy::too_many_arguments)]
    pub fn score(
        &self,
        history: &mut CustomerHistory,
        event: &Event<'_>,
        now: i64,
        customer: &Customer,
        outcomes: &[Outcome],
        options: &TicketOptions,
    ) -> Result<Ticket> {
        let mut ticket = Ticket::default();
        self.score_into(history, event, now, customer, outcomes, options, &mut ticket)?;
        Ok(ticket)
    }

    /// Adds `event` to `history`, then, as of `now` (unix seconds), computes the features,
    /// the churn probability and its attribution, detractor risk and its attribution (with
    /// an LTR model) and the next best actions for `customer` (a record in the catalogue's
    /// field order; each number field named like a feature takes the feature's value when
    /// it is defined, the record's value otherwise) given the customer's past `outcomes`.
    ///
    /// Checked before the event is added (nothing changes on these errors): the event must
    /// be before `now` (features count events strictly before their reference time), and
    /// pass [`CustomerHistory::push`]'s checks (a known kind, finite values, a survey answer
    /// whole on the 0–10 scale or absent). An event older than
    /// the history's latest is taken in its place in time (features equal the batch
    /// computation for any arrival order). If a later step fails (say a model trained on
    /// customers who all had a `subscription_start` gets one without), the event is taken
    /// back ([`CustomerHistory::truncate`]): on any error the history is as it was.
    #[allow(clippy::too_many_arguments)]
    pub fn score_into(
        &self,
        history: &mut CustomerHistory,
        event: &Event<'_>,
        now: i64,
        customer: &Customer,
        outcomes: &[Outcome],
        options: &TicketOptions,
        ticket: &mut Ticket,
    ) -> Result<()> {
        check_event(event, now)?;
        self.check_options(options)?;
        let before = history.len();
        history.push(event)?;
        let scored = self.score_checked(history, now, customer, outcomes, options, ticket);
        if scored.is_err() {
            history.truncate(before);
        }
        scored
    }

    /// The same without adding an event: scores `history` as it is, as of `now`.
    pub fn score_history_into(
        &self,
        history: &CustomerHistory,
        now: i64,
        customer: &Customer,
        outcomes: &[Outcome],
        options: &TicketOptions,
        ticket: &mut Ticket,
    ) -> Result<()> {
        self.check_options(options)?;
        self.score_checked(history, now, customer, outcomes, options, ticket)
    }

    /// [`Self::score_history_into`] once `options` are checked.
    fn score_checked(
        &self,
        history: &CustomerHistory,
        now: i64,
        customer: &Customer,
        outcomes: &[Outcome],
        options: &TicketOptions,
        ticket: &mut Ticket,
    ) -> Result<()> {
        let t = ticket;
        t.features.resize(self.engine.names().len(), 0.0);
        self.engine.history_row(history.table(), now, &mut t.features, &mut t.rows)?;

        // Churn: the log-odds and its attribution in one pass, as the model scores alone.
        fill_cells(&t.features, &self.churn_features, &mut t.cells);
        t.contributions.resize(self.churn.inputs().len(), 0.0);
        let z = self.churn.attribute_cells(&t.cells, &mut t.churn_scratch, &mut t.contributions)?;
        t.log_odds = z;
        t.probability = sigmoid(z);
        t.score = 100.0 * t.probability;
        t.baseline = self.churn.baseline();
        top_indices_into(&t.contributions, options.top_factors, &mut t.raising, &mut t.lowering);

        match &self.ltr {
            None => {
                t.detractor = None;
                t.detractor_raising.clear();
                t.detractor_lowering.clear();
            }
            Some(l) => {
                fill_cells(&t.features, &l.features, &mut t.cells);
                let d = t.detractor.get_or_insert_with(DetractorRisk::default);
                l.scorer.detractor_risk_into(&t.cells, &mut t.ltr_scratch, d)?;
                top_indices_into(
                    &d.contributions,
                    options.top_factors,
                    &mut t.detractor_raising,
                    &mut t.detractor_lowering,
                );
            }
        }

        // The rules: the caller's record with the feature-backed fields, every churn input
        // the catalogue declares as a factor.
        t.customer.values.clone_from(&customer.values);
        if t.customer.values.len() == self.catalog.fields().len() {
            for &(slot, f) in &self.field_features {
                let v = t.features[f];
                if v.is_finite() {
                    t.customer.values[slot] = FieldValue::Number(v);
                }
            }
        }
        let inputs = self.churn.inputs();
        if t.factors.len() != self.factor_inputs.len()
            || t.factors.iter().zip(&self.factor_inputs).any(|(f, &i)| f.name != inputs[i])
        {
            t.factors = self.factor_inputs.iter().map(|&i| Factor::new(&inputs[i], 0.0)).collect();
        }
        for (f, &i) in t.factors.iter_mut().zip(&self.factor_inputs) {
            f.contribution = t.contributions[i];
        }
        let propensity = options.propensity.map(|p| move |i: usize| p[i]);
        let decide = DecideOptions {
            top_n: options.top_actions,
            propensity: propensity.as_ref().map(|p| p as &dyn Fn(usize) -> f64),
            uplift: None,
        };
        self.catalog.decide_into(
            &t.customer,
            t.score,
            &t.factors,
            outcomes,
            now,
            &decide,
            &mut t.scratch,
            &mut t.decision,
        )
    }
}

/// The check made before an event is added (see [`TicketScorer::score_into`]); the
/// history checks the rest (kind, values, a survey answer's scale) before it adds anything.
fn check_event(event: &Event<'_>, now: i64) -> Result<()> {
    if event.time >= now {
        return Err(NpsError::invalid(
            "event.time",
            event.time,
            &format!("before now ({now}): features count events strictly before their reference time"),
        ));
    }
    Ok(())
}
