'use strict'
// What the console shows, every number from the library (the nps-node binding) or from the
// service's own answers: this module gathers them; pages.js only formats them.
const { LtrModel, BoostedLtrModel, Tally, predictedNps, trend, features } = require('../../../nps-node')

/** Events on a customer's timeline and points of their score trend: the most recent ones. */
const RECENT = 30
/** Weeks of the base's trend (risk, predicted and blended NPS), ending on Mondays 00:00 UTC. */
const BASE_WEEKS = 8
const DAY = 86400000

/**
 * The last `BASE_WEEKS` week ends at or before `latest`: Mondays 00:00 UTC, each the end of
 * an ISO week (1970-01-01 was a Thursday: day d is a Monday when (d + 3) % 7 is 0).
 */
function weekEnds(latest) {
  const d = Math.floor(latest / DAY)
  const monday = (d - ((d + 3) % 7)) * DAY
  return Array.from({ length: BASE_WEEKS }, (_, k) => monday - (BASE_WEEKS - 1 - k) * 7 * DAY)
}

/** Customers per page of the riskiest list. */
const PAGE_SIZE = 10
/** The window of the peak (worst_interaction_90d) and the kinds the peak and the end read. */
const PEAK_DAYS = 90
const INTERACTION_KINDS = new Set(['contact_resolved', 'survey_answer'])

/** The retention features' descriptions, the plain words a factor is shown with. */
const DESCRIPTIONS = Object.fromEntries(JSON.parse(features.retentionDefinitions()).features
  .map((f) => [f.name, f.description ?? f.name]))

/** An LTR model from its file's text (either kind, by its `kind`), or why there is none. */
function loadLtr(text, source) {
  if (text === undefined || text === null) return { model: null, why: source ?? 'no LTR model given (--ltr FILE)' }
  try {
    const kind = JSON.parse(text).kind
    const model = kind === 'boosted_trees' ? BoostedLtrModel.fromJson(text) : LtrModel.fromJson(text)
    return { model, why: null, source }
  } catch (e) {
    throw new Error(`the LTR model ${source ?? ''}: ${e.message}`)
  }
}

/**
 * The console's reader over the service's state (`s`: see createService). Every function
 * reads; none changes the service.
 */
function createData(s, options = {}) {
  const ltr = loadLtr(options.ltr, options.ltrSource)
  const featureNames = s.engine.names
  const at = (name) => featureNames.indexOf(name)
  // The LTR model's inputs must be features: there is no field for them in a ticket.
  const ltrMissing = ltr.model === null ? [] : ltr.model.inputs.filter((name) => at(name) < 0)

  /** A customer's events, oldest first, with times in epoch milliseconds. */
  function eventsOf(state) {
    const events = JSON.parse(state.history.toJson()).events.map((e) => ({ ...e, time: e.time * 1000 }))
    return events.map((e, i) => [e, i]).sort((a, b) => a[0].time - b[0].time || a[1] - b[1]).map(([e]) => e)
  }

  /** The features as of `asOf` and the model's inputs from them (and the fields tickets gave). */
  function inputsAt(state, asOf) {
    const f = state.history.features(s.engine, asOf)
    const x = {}
    for (const name of s.inputs) {
      const j = at(name)
      x[name] = j >= 0 ? (Number.isNaN(f[j]) ? null : f[j]) : state.fields[name] ?? null
    }
    return { f, x }
  }

  /**
   * The decision with its trace, on the record the service decides with: the fields tickets
   * gave, else the feature of the same name, else the defaults; the outcomes up to `now`.
   */
  function decision(state, f, contributions, probability, now) {
    const { customer, factors } = s.ruleInputs(state.fields, f, contributions)
    const history = state.outcomes.filter((o) => new Date(o.time).getTime() <= now)
    return s.catalog.decide(customer, { probability, factors, history, now, top: s.top })
  }

  /** The catalogue's band of a score: the first whose `below` it is under. */
  function band(score) {
    for (const b of s.spec.bands ?? []) if (b.below === undefined || score < b.below) return b.name
    return ''
  }

  /**
   * A customer as of their latest event: the service's answer to their latest ticket when
   * nothing came after it, else scored again through the library as a ticket would be (one
   * second after the latest event). With the decision's trace either way.
   */
  function assess(id) {
    const state = s.customers.get(id)
    if (state === undefined || state.history.length === 0) return null
    // Kept until the customer changes: a new event, outcome, fields or ticket answer (the
    // overview reads every customer on each request).
    const answer = s.answers.get(id)
    const kept = assessed.get(id)
    if (kept !== undefined && kept.latest === state.latest && kept.events === state.history.length
      && kept.outcomes === state.outcomes.length && kept.fields === state.fields && kept.answer === answer) return kept.value
    const value = assessNow(id, state, answer)
    assessed.set(id, { latest: state.latest, events: state.history.length, outcomes: state.outcomes.length, fields: state.fields, answer, value })
    return value
  }

  /** What `assess` keeps per customer, with what it was computed from. */
  const assessed = new Map()

  function assessNow(id, state, answer) {
    const now = state.latest + 1000
    const { f, x } = inputsAt(state, now)
    const contributions = s.model.contributions(x)
    let a
    if (answer !== undefined && answer.time === state.latest) {
      a = { source: 'ticket', probability: answer.probability, score: answer.score, raising: answer.factors.raising,
        lowering: answer.factors.lowering, actions: answer.actions }
    } else {
      const e = s.model.explain(x, { top: s.top })
      a = { source: 'events', probability: e.probability, score: 100 * e.probability,
        raising: e.raising.map((g) => s.factor(g, x[g.name])), lowering: e.lowering.map((g) => s.factor(g, x[g.name])) }
    }
    const d = decision(state, f, contributions, a.probability, now)
    if (a.actions === undefined) a.actions = d.actions
    // What the overview reads of each customer: the survey answers, and the LTR model's
    // probabilities of the features.
    const events = eventsOf(state)
    const surveys = events.filter((e) => e.kind === 'survey_answer').map((e) => ({ value: e.value, time: e.time }))
    return { id, state, time: state.latest, now, f, x, band: band(a.score), segment: s.segmentOf(state.fields), trace: d.trace,
      surveys, first: events[0].time, ltrProbabilities: ltrOf(f), ...a }
  }

  /** The learner's posterior mean of an action's success rate in a segment, its counts and its 95 % credible interval. */
  function learned(action, segment) {
    const [successes, failures] = s.learner.counts(action, segment)
    const [low, high] = s.learner.interval(action, segment)
    return { action, segment, mean: s.learner.mean(action, segment), successes, failures, n: successes + failures, low, high }
  }

  /** The customer view's numbers. */
  function customer(id) {
    const a = assess(id)
    if (a === null) return null
    const events = eventsOf(a.state)
    // The score as of one second after each recent event, as a ticket then would have read it.
    const times = [...new Set(events.map((e) => e.time))].slice(-RECENT)
    const scores = times.map((t) => ({ time: t, score: 100 * s.model.score(inputsAt(a.state, t + 1000).x) }))
    const recent = events.slice(-RECENT)
    // Peak and end of peak-end: the events the features worst_interaction_90d and last_interaction read.
    const worst = a.f[at('worst_interaction_90d')]
    const last = a.f[at('last_interaction')]
    const interactions = events.filter((e) => INTERACTION_KINDS.has(e.kind))
    const end = interactions.length > 0 && interactions.at(-1).value === last ? interactions.at(-1) : null
    const peak = interactions.filter((e) => e.time >= a.now - PEAK_DAYS * 86400000 && e.value === worst).at(-1) ?? null
    const rates = Object.fromEntries(s.catalog.actions.map((action) => [action, learned(action, a.segment)]))
    return { ...a, events, recent, scores, peak, end, worst, last, rates, learning: s.learning }
  }

  /**
   * A customer as of week end `t` (features count the events before it): churn probability
   * and LTR probabilities, or null before their first event. Kept until the customer's
   * events or fields change.
   */
  const asOfWeek = new Map()
  function weekAssessment(a, t, oldest) {
    if (t <= a.first) return null
    let kept = asOfWeek.get(a.id)
    if (kept === undefined || kept.fields !== a.state.fields || kept.events !== a.state.history.length) {
      kept = { fields: a.state.fields, events: a.state.history.length, weeks: new Map() }
      asOfWeek.set(a.id, kept)
    }
    let value = kept.weeks.get(t)
    if (value === undefined) {
      // A new week end: the weeks no longer shown are dropped then.
      for (const week of kept.weeks.keys()) if (week < oldest) kept.weeks.delete(week)
      const { f, x } = inputsAt(a.state, t)
      value = { probability: s.model.score(x), ltr: ltrOf(f), answer: f[at('last_nps')] }
      kept.weeks.set(t, value)
    }
    return value
  }

  /**
   * The base week by week: at each week end the customers who had started, their mean churn
   * probability and the share in each band, and the predicted and blended NPS (the library's
   * `predictedNps`) of the same customers with the answers given by then.
   */
  function baseWeeks(rows) {
    if (rows.length === 0) return []
    const latest = Math.max(...rows.map((r) => r.state.latest))
    const bands = (s.spec.bands ?? []).map((b) => b.name)
    const weeks = []
    const ends = weekEnds(latest)
    for (const t of ends) {
      const active = rows.map((r) => weekAssessment(r, t, ends[0])).filter((w) => w !== null)
      if (active.length === 0) continue
      const share = Object.fromEntries(bands.map((b) => [b, active.filter((w) => band(100 * w.probability) === b).length / active.length]))
      const week = { end: t, customers: active.length, meanRisk: active.reduce((sum, w) => sum + w.probability, 0) / active.length, share, predicted: null }
      if (active.every((w) => w.ltr !== null)) {
        const proba = new Float64Array(3 * active.length)
        active.forEach((w, i) => proba.set(w.ltr, 3 * i))
        const trainedOn = ltr.model.trainingRows
        week.predicted = { all: predictedNps(proba, { trainedOn }), blended: predictedNps(proba, { trainedOn, answers: active.map((w) => w.answer) }) }
      }
      weeks.push(week)
    }
    return weeks
  }

  /** The LTR model's probabilities (detractor, passive, promoter) of features `f`, or null without the model. */
  function ltrOf(f) {
    if (ltr.model === null || ltrMissing.length > 0) return null
    const input = {}
    for (const name of ltr.model.inputs) input[name] = Number.isNaN(f[at(name)]) ? null : f[at(name)]
    const p = ltr.model.score(input)
    return [p.detractor, p.passive, p.promoter]
  }

  /** Every customer with events, assessed (the manager view's base). */
  function everyone() {
    const rows = []
    for (const id of s.customers.keys()) {
      const a = assess(id)
      if (a !== null) rows.push(a)
    }
    return rows
  }

  /** The riskiest list: sorted by `sort` (score, customer, factor), `order`, one page of it. */
  function riskiest(rows, query) {
    const sort = ['score', 'customer', 'factor'].includes(query.sort) ? query.sort : 'score'
    const order = query.order === 'asc' || query.order === 'desc' ? query.order : sort === 'score' ? 'desc' : 'asc'
    const key = { score: (r) => r.score, customer: (r) => r.id, factor: (r) => r.raising[0]?.name ?? '' }[sort]
    const sign = order === 'asc' ? 1 : -1
    const sorted = [...rows].sort((a, b) => (key(a) < key(b) ? -sign : key(a) > key(b) ? sign : a.id < b.id ? -1 : 1))
    const pages = Math.max(1, Math.ceil(sorted.length / PAGE_SIZE))
    const page = Math.min(pages, Math.max(1, Number.parseInt(query.page, 10) || 1))
    return { sort, order, page, pages, total: sorted.length, rows: sorted.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE) }
  }

  /** The manager view's numbers. */
  function manager(query) {
    const rows = everyone()
    const lastNps = at('last_nps')
    const answers = rows.map((r) => r.f[lastNps])
    const given = answers.filter((v) => !Number.isNaN(v))
    // NPS of the respondents: each one's latest answer.
    const tally = given.length > 0 ? Tally.fromScores(given) : null
    const respondents = tally === null ? null
      : { n: tally.n, nps: tally.nps, detractors: tally.detractors, passives: tally.passives, promoters: tally.promoters, interval: tally.interval() }
    // Predicted NPS of every customer, and blended with the answers of those who gave one.
    let predicted = null
    let ltrWhy = ltr.why
    if (ltr.model !== null && ltrMissing.length > 0) ltrWhy = `the LTR model reads inputs no feature gives: ${ltrMissing.join(', ')}`
    else if (ltr.model !== null && rows.length > 0) {
      const proba = new Float64Array(3 * rows.length)
      rows.forEach((r, i) => proba.set(r.ltrProbabilities, 3 * i))
      const trainedOn = ltr.model.trainingRows
      predicted = { all: predictedNps(proba, { trainedOn }), blended: predictedNps(proba, { trainedOn, answers }), source: ltr.source }
    } else if (ltr.model !== null) ltrWhy = 'no customers yet'
    // Every survey answer with its time, week by week, with the library's test of each change.
    const scores = []
    const times = []
    for (const r of rows) {
      for (const e of r.surveys) {
        scores.push(e.value)
        times.push(e.time)
      }
    }
    // Changes tested with the adjusted Wald test: a week of a few answers, all alike, has a
    // plain Wald SE of 0 and would flag any change as significant.
    const weeks = scores.length > 0 ? trend(scores, times, { period: 'week', compare: 'adjustedWald' }) : []
    const segments = rows.length > 0
      ? s.catalog.campaignSegments(rows.map((r) => r.score), rows.map((r) => r.raising[0]?.name ?? 'none'), rows.map((r) => r.actions[0]?.id ?? null))
      : []
    const segmentNames = [...new Set([s.defaults.segment ?? '', ...rows.map((r) => r.segment)])].sort()
    const rates = []
    for (const action of s.catalog.actions) {
      for (const segment of segmentNames) {
        const l = learned(action, segment)
        if (l.n > 0) rates.push(l)
      }
    }
    return { customers: rows.length, respondents, predicted, ltrWhy, weeks, base: baseWeeks(rows), list: riskiest(rows, query), segments, rates, learning: s.learning }
  }

  return { customer, manager, band, describe: (name) => DESCRIPTIONS[name] ?? name }
}

module.exports = { createData, weekEnds, PAGE_SIZE, RECENT, BASE_WEEKS }
