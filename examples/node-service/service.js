'use strict'
// The ticket service without sockets: per-customer state and `handle(method, url, body)`,
// which answers every request with {status, body} and never throws.
const fs = require('node:fs')
const path = require('node:path')
const { ChurnModel, ActionCatalog, Learner, features } = require('../../nps-node')
const { RequestError, parseBody, readTicket, readEvents, readOutcome, show } = require('./requests')
const { makeScorer } = require('./score')

/** The shipped playbook's text: `ActionCatalog.playbook()` is built from this file. */
const PLAYBOOK_PATH = path.join(__dirname, '..', '..', 'nps-core', 'src', 'action', 'playbook.json')

/**
 * Values of the playbook's fields when neither the tickets nor the features give one: a
 * customer nobody told us about is a consumer with no complaint, neutral trends (1 = no
 * change), a passive's answer (7) and a typical bill.
 */
const PLAYBOOK_DEFAULTS = Object.freeze({
  tenure_days: 0,
  segment: 'consumer',
  complained_outage: false,
  complained_overage: false,
  monthly_bill: 40,
  payment_trend: 1,
  usage_trend_30d: 1,
  last_nps: 7,
})

/** What a contact outcome does to the learner: a success, a failure, or nothing. */
const LEARNED = { accepted: true, retained: true, rejected: false, ignored: false, churned: false }
const CONTACT = new Set(['presented', 'accepted', 'rejected', 'ignored'])

/**
 * A service over a model and a catalogue.
 *
 * options: `model` (model file text), `catalogue` (catalogue JSON text; the shipped playbook
 * when absent), `defaults` (field values, PLAYBOOK_DEFAULTS for the playbook), `learning`
 * (rank with Thompson draws from the outcomes learned so far; off by default), `maxEvents`
 * per POST /events (10,000).
 */
function createService(options = {}) {
  const model = ChurnModel.fromJson(options.model)
  const catalogueText = options.catalogue ?? fs.readFileSync(PLAYBOOK_PATH, 'utf8')
  const catalog = ActionCatalog.fromJson(catalogueText)
  const spec = JSON.parse(catalogueText)
  const fieldTypes = spec.fields ?? {}
  const actionInfo = new Map(spec.actions.map((a) => [a.id, { channel: a.channel, group: a.group ?? '' }]))
  const defaults = options.defaults ?? (options.catalogue === undefined ? PLAYBOOK_DEFAULTS : {})
  for (const name of Object.keys(defaults)) {
    if (!Object.hasOwn(fieldTypes, name)) throw new Error(`default for "${name}", which is not a field of the catalogue (${Object.keys(fieldTypes).join(', ')})`)
  }
  const engine = new features.FeatureEngine(null)
  const kinds = features.builtInKinds()
  const score = makeScorer({ model, catalog, spec, engine, defaults })
  const learner = new Learner()
  const maxEvents = options.maxEvents ?? 10000
  const customers = new Map()
  const counts = { events: 0, tickets: 0, outcomes: 0 }

  function customerState(id) {
    let s = customers.get(id)
    if (!s) {
      s = { history: new features.CustomerHistory(), latest: -Infinity, fields: {}, outcomes: [] }
      customers.set(id, s)
    }
    return s
  }

  /** An event older than the customer's latest would rewrite answers already given. */
  function checkOrder(id, t, latest, where) {
    if (t < latest) {
      throw new RequestError(400, 'OUT_OF_ORDER',
        `${where}time = ${show(t)} (${new Date(t).toISOString()}) is before customer ${show(id)}'s latest event (${new Date(latest).toISOString()})`)
    }
  }

  function ticket(body) {
    const { customer, event, fields } = readTicket(body, kinds, fieldTypes)
    const s = customers.get(customer)
    if (s) checkOrder(customer, event.time, s.latest, '')
    const state = customerState(customer)
    state.history.push(event)
    state.latest = event.time
    Object.assign(state.fields, fields)
    counts.events++
    counts.tickets++
    // As of one second after the ticket (times are whole seconds): the ticket counts.
    const f = state.history.features(engine, event.time + 1000)
    let r
    try {
      const segment = state.fields.segment ?? defaults.segment ?? ''
      r = score(f, state, { now: event.time, learner: options.learning ? learner : null, segment, seed: counts.tickets })
    } catch (e) {
      // The customer's data does not fit the model or the rules (say, a history without
      // the subscription start a model trained without gaps needs): the ticket is kept.
      if (typeof e.code === 'string') throw new RequestError(422, e.code, `cannot score customer ${show(customer)}: ${e.message}`)
      throw e
    }
    return { customer, time: event.time, probability: r.probability, score: r.score, factors: r.factors, actions: r.actions }
  }

  function seed(body) {
    const list = readEvents(body, kinds, maxEvents)
    // Checked as a whole before anything is added, in time order per customer.
    const order = list.map((e, i) => i).sort((a, b) => list[a].event.time - list[b].event.time || a - b)
    const latest = new Map()
    for (const i of order) {
      const { customer, event } = list[i]
      const last = latest.get(customer) ?? customers.get(customer)?.latest ?? -Infinity
      checkOrder(customer, event.time, last, `events[${i}].`)
      latest.set(customer, event.time)
    }
    for (const i of order) {
      const { customer, event } = list[i]
      const state = customerState(customer)
      state.history.push(event)
      state.latest = event.time
    }
    counts.events += list.length
    return { accepted: list.length, customers: latest.size }
  }

  function outcome(body) {
    const o = readOutcome(body, catalog.actions)
    const state = customerState(o.customer)
    const { channel, group } = actionInfo.get(o.action)
    if (CONTACT.has(o.kind)) state.outcomes.push({ action: o.action, channel, group, time: o.time, kind: o.kind })
    const segment = state.fields.segment ?? defaults.segment ?? ''
    if (o.kind in LEARNED) learner.record(o.action, segment, LEARNED[o.kind])
    counts.outcomes++
    return { customer: o.customer, recorded: o.kind, contactHistory: state.outcomes.length,
      learner: { action: o.action, segment, mean: learner.mean(o.action, segment) } }
  }

  function health() {
    const t = model.training
    return { status: 'ok', customers: customers.size, ...counts,
      model: { inputs: model.inputs.length, trainingRows: t.rows }, catalogue: { actions: catalog.actions.length, learning: !!options.learning } }
  }

  const routes = {
    '/health': { GET: health },
    '/tickets': { POST: ticket },
    '/events': { POST: seed },
    '/outcomes': { POST: outcome },
  }

  /** Answers one request: {status, body, headers?}; never throws. */
  function handle(method, url, text = '') {
    try {
      const route = Object.hasOwn(routes, String(url).split('?')[0]) ? routes[String(url).split('?')[0]] : undefined
      if (!route) return { status: 404, body: { error: `no route ${method} ${show(String(url))}; routes: GET /health, POST /tickets, POST /events, POST /outcomes`, code: 'NOT_FOUND' } }
      const run = Object.hasOwn(route, method) ? route[method] : undefined
      if (!run) {
        const allow = Object.keys(route).join(', ')
        return { status: 405, headers: { allow }, body: { error: `${method} not allowed on ${url}; use ${allow}`, code: 'METHOD_NOT_ALLOWED' } }
      }
      return { status: 200, body: method === 'GET' ? run() : run(parseBody(text)) }
    } catch (e) {
      if (e instanceof RequestError) return { status: e.status, body: { error: e.message, code: e.code } }
      if (e && typeof e.code === 'string') return { status: 400, body: { error: e.message, code: e.code } }
      return { status: 500, body: { error: `internal error: ${e && e.message}`, code: 'INTERNAL' } }
    }
  }

  return { handle, health, learner, customers, defaults }
}

module.exports = { createService, PLAYBOOK_DEFAULTS, PLAYBOOK_PATH }
