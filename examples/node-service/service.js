'use strict'
// The ticket service without sockets: per-customer state and `handle(method, url, body)`,
// which answers every request with {status, body} and never throws.
const fs = require('node:fs')
const path = require('node:path')
const { ChurnModel, BoostedChurnModel, ActionCatalog, Learner, TicketScorer, features, Store } = require('../../nps-node')
const { RequestError, parseBody, readTicket, readEvents, readOutcome, show } = require('./requests')
const { createConsole } = require('./console')

/** The shipped playbook's text: `ActionCatalog.playbook()` is built from this file. */
const PLAYBOOK_PATH = path.join(__dirname, '..', '..', 'nps-core', 'src', 'action', 'playbook.json')

/**
 * Values of the playbook's fields when neither the tickets nor the features give one: a
 * customer nobody told us about is a consumer with no complaint, neutral trends (1 = no
 * change) and a typical bill. `last_nps` has no default: a customer who never answered a
 * survey (most of them) has no answer, and the playbook's rules say what to do then.
 */
const PLAYBOOK_DEFAULTS = Object.freeze({
  tenure_days: 0,
  segment: 'consumer',
  complained_outage: false,
  complained_overage: false,
  monthly_bill: 40,
  payment_trend: 1,
  usage_trend_30d: 1,
})

/** What a contact outcome does to the learner: a success, a failure, or nothing. */
const LEARNED = { accepted: true, retained: true, rejected: false, ignored: false, churned: false }
const CONTACT = new Set(['presented', 'accepted', 'rejected', 'ignored'])

/** Events per POST /events unless `maxEvents` says otherwise: a bigger batch is refused with 413. */
const MAX_EVENTS = 10000

/** Factors shown each way, and actions returned. */
const TOP = 3

/** The model file as JSON (`{}` for a text that is not: the model's reader says what is wrong). */
function modelFile(text) {
  try {
    const file = JSON.parse(text)
    return file !== null && typeof file === 'object' ? file : {}
  } catch {
    return {}
  }
}

/**
 * A service over a model and a catalogue.
 *
 * options: `model` (model file text), `catalogue` (catalogue JSON text; the shipped playbook
 * when absent), `defaults` (field values, PLAYBOOK_DEFAULTS for the playbook), `learning`
 * (rank with Thompson draws from the outcomes learned so far; off by default), `maxEvents`
 * per POST /events (10,000), `store` (a `Store` or its file: every accepted request is
 * written to it in one transaction before it is answered, and the service starts from
 * what it holds), `ltr` (a likelihood-to-recommend model file's text, for the console's
 * predicted NPS; `ltrSource` says where it came from, or why there is none).
 *
 * A model input that is one of the retention features is computed from the customer's
 * events; any other (a Telco-style model's `Contract`, `plan`, ...) is a customer field the
 * tickets give (`fields`), kept like the catalogue's fields.
 */
function createService(options = {}) {
  // Either kind of churn model file, by its kind: logistic or boosted trees (a file that is
  // not JSON goes to the logistic reader, whose error says what is wrong).
  const file = modelFile(options.model)
  const kind = file.kind ?? 'logistic'
  const model = kind === 'boosted_trees' ? BoostedChurnModel.fromJson(options.model) : ChurnModel.fromJson(options.model)
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
  const featureNames = engine.names
  const kinds = features.builtInKinds()
  const inputs = model.inputs
  // Each input's kind in the model's encoder ('numeric', 'categorical', 'boolean') and, for a
  // number, its training mean: the typical value a factor is shown against.
  const columns = new Map((file.encoder?.columns ?? []).map((c) => [c.name, c]))
  const inputKinds = Object.fromEntries(inputs.map((name) => [name, columns.get(name)?.kind ?? 'numeric']))
  // The inputs no feature gives: customer fields the tickets give.
  const givenInputs = inputs.filter((name) => !featureNames.includes(name))
  // The one call per ticket (push, features, score, attribution, decision) when every input
  // is a feature; the rules' record of a customer no ticket told us about is the defaults.
  const scorer = givenInputs.length === 0
    ? new TicketScorer(engine, model, catalog, null, { customer: defaults, topFactors: TOP, topActions: TOP })
    : null
  // The catalogue's fields named like a feature: [name, feature index, filled by the scorer
  // (a number field)].
  const featureFields = Object.keys(fieldTypes)
    .map((name) => [name, featureNames.indexOf(name), fieldTypes[name] === 'number'])
    .filter(([, j]) => j >= 0)
  // What a ticket's `fields` may hold: the catalogue's fields and the inputs no feature gives.
  const inputTypes = Object.fromEntries(givenInputs.map((name) => [name,
    { numeric: 'number', categorical: 'string', boolean: 'bool' }[inputKinds[name]] ?? 'number']))
  for (const [name, type] of Object.entries(inputTypes)) {
    if (Object.hasOwn(fieldTypes, name) && fieldTypes[name] !== type) {
      throw new Error(`model input "${name}" is a ${type} but the catalogue's field "${name}" is a ${fieldTypes[name]}`)
    }
  }
  const customerFields = { ...inputTypes, ...fieldTypes }
  // The model inputs the catalogue declares as factors: [name, input index].
  const declared = new Set(catalog.factors)
  const factorInputs = inputs.map((name, k) => [name, k]).filter(([name]) => declared.has(name))
  const learner = new Learner()
  const learning = !!options.learning
  const maxEvents = options.maxEvents ?? MAX_EVENTS
  const customers = new Map()
  const counts = { events: 0, tickets: 0, outcomes: 0 }

  const store = typeof options.store === 'string' ? new Store(options.store) : options.store ?? null

  const newState = () => ({ history: new features.CustomerHistory(), latest: -Infinity, fields: {}, record: undefined, outcomes: [] })

  function customerState(id) {
    let s = customers.get(id)
    if (!s) {
      s = newState()
      customers.set(id, s)
    }
    return s
  }

  /** An event as the store keeps it (unix seconds; a case id as text). */
  function stored(customer, event) {
    const e = { customer, time: Math.floor(event.time / 1000), kind: event.kind }
    for (const k of ['value', 'duration', 'department', 'flag']) if (event[k] !== undefined) e[k] = event[k]
    if (event.case !== undefined) e.case = String(event.case)
    return e
  }

  /**
   * Writes what an accepted request changes, in one transaction, before it is answered: an
   * answer means it is on disk. A store that cannot write answers 503 (nothing kept).
   */
  function persist(batch) {
    if (store === null) return
    try {
      store.commit(batch)
    } catch (e) {
      throw new RequestError(503, 'STORE', `the request was not kept: ${e.message}`)
    }
  }

  /**
   * A ticket's event and the fields it gave, persisted once the event is in the history
   * (which takes it back if the store cannot keep it).
   */
  function persistTicket(state, customer, event, given, decision) {
    try {
      persist({ events: [stored(customer, event)], decisions: [decision], fields: given === state.fields ? {} : { [customer]: given } })
    } catch (e) {
      state.history.truncate(state.history.length - 1)
      throw e
    }
  }

  /**
   * The state the store holds, replayed as the requests built it: histories, fields,
   * outcomes, learner, and the number of tickets (one logged decision each), which seeds the
   * next ticket's Thompson draws as if the service had never stopped.
   */
  function replay() {
    counts.tickets = store.counts().decisions
    for (const e of store.events()) {
      const state = customerState(e.customer)
      const { customer, ...event } = e
      event.time = e.time * 1000
      state.history.push(event)
      state.latest = Math.max(state.latest, event.time)
      counts.events++
    }
    for (const [customer, fields] of Object.entries(store.fields())) {
      const state = customerState(customer)
      state.fields = fields
      state.record = recordOf(fields)
    }
    for (const o of store.outcomes()) {
      const state = customerState(o.customer)
      if (CONTACT.has(o.kind)) state.outcomes.push({ action: o.action, channel: o.channel, group: o.group, time: o.time * 1000 + 1000, kind: o.kind })
      if (o.kind in LEARNED) learner.record(o.action, o.segment, LEARNED[o.kind])
      counts.outcomes++
    }
  }

  /** An event older than the customer's latest would rewrite answers already given. */
  function checkOrder(id, t, latest, where) {
    if (t < latest) {
      throw new RequestError(400, 'OUT_OF_ORDER',
        `${where}time = ${show(t)} (${new Date(t).toISOString()}) is before customer ${show(id)}'s latest event (${new Date(latest).toISOString()})`)
    }
  }

  /** The learner's segment of a customer with these fields. */
  const segmentOf = (fields) => fields.segment ?? defaults.segment ?? ''

  /** The record the scorer reads: the catalogue fields tickets gave (null forgets one), else the defaults. */
  function recordOf(fields) {
    const record = { ...defaults }
    for (const [name, v] of Object.entries(fields)) if (v !== null && Object.hasOwn(fieldTypes, name)) record[name] = v
    return record
  }

  /**
   * A factor as the service answers it: its name, its contribution, the customer's value and
   * the typical one as numbers for a number input (null: missing), as text for a category,
   * as true or false for a yes/no input. `shown` is the library's factor (its `typical` names
   * a category's most common value).
   */
  function factor(shown, value) {
    const column = columns.get(shown.name)
    const typical = inputKinds[shown.name] === 'numeric' && Number.isFinite(column?.mean) ? column.mean
      : inputKinds[shown.name] === 'boolean' ? shown.typical === 'true' : shown.typical
    const plain = value === undefined || (typeof value === 'number' && Number.isNaN(value)) ? null : value
    return { name: shown.name, contribution: shown.contribution, value: plain, typical }
  }

  /**
   * Whether the rules must see another record than the scorer gave them: the service takes
   * a field a ticket gave before the feature of the same name, the scorer a number field's
   * feature whenever it is finite.
   */
  function givenOverFeature(state, f) {
    for (const [name, j, filled] of featureFields) {
      const given = state.fields[name] ?? null
      const x = f[j]
      const ours = given ?? (Number.isNaN(x) ? defaults[name] ?? null : x)
      const its = filled && Number.isFinite(x) ? x : given ?? defaults[name] ?? null
      if (ours !== its) return true
    }
    return false
  }

  /**
   * What the rules read of a customer with these fields, features and contributions: the
   * record (the fields tickets gave, else the feature of the same name, else the defaults)
   * and the contribution of every input the catalogue declares as a factor (as the scorer
   * reads them).
   */
  function ruleInputs(fields, features, contributions) {
    const customer = {}
    for (const name of Object.keys(fieldTypes)) customer[name] = fields[name] ?? defaults[name] ?? null
    for (const [name, j] of featureFields) {
      if (fields[name] == null && !Number.isNaN(features[j])) customer[name] = features[j]
    }
    const factors = {}
    for (const [name, k] of factorInputs) factors[name] = contributions[k]
    return { customer, factors }
  }

  /**
   * The decision as a separate call, for what the scorer does not do: read a field a
   * ticket gave over a feature, or rank with the learner (and log the propensity).
   */
  function decideHere(state, t, now, id) {
    const { customer, factors } = ruleInputs(state.fields, t.features, t.contributions)
    const segment = segmentOf(state.fields)
    const o = { probability: t.probability, factors, history: state.outcomes, now, top: TOP, customerId: id, segment }
    return learning ? catalog.decide(customer, { ...o, seed: counts.tickets + 1 }, learner) : catalog.decide(customer, o)
  }

  /**
   * A decision as the store logs it (unix seconds): the action given first (null: none) and
   * the probability the policy chose it with, which off-policy evaluation reads. Without
   * learning the ranking is deterministic (propensity 1, as the library logs it); with
   * learning it is the library's estimate for the Thompson draws (`catalog.decide`'s log).
   */
  function logged(customer, segment, actions, now, log) {
    if (log) return { customer, action: log.action ?? undefined, propensity: log.propensity, segment: log.segment, control: log.control, time: Math.floor(log.time / 1000) }
    return { customer, action: actions[0]?.id, propensity: 1, segment, control: false, time: Math.floor(now / 1000) }
  }

  /**
   * A ticket for a model that reads inputs no feature gives, in separate calls: the event
   * added, the features as of one second after it, the model's inputs (features, and the
   * fields tickets gave for the others), its explanation and every input's contribution,
   * and the decision. Nothing is kept when a step fails.
   */
  function tableTicket(state, id, event, given) {
    const before = state.history.length
    try {
      state.history.push(event)
    } catch (e) {
      throw typeof e.code === 'string' ? new RequestError(400, e.code, e.message) : e
    }
    try {
      const now = event.time + 1000
      const f = state.history.features(engine, now)
      const x = {}
      for (const name of inputs) {
        const j = featureNames.indexOf(name)
        x[name] = j >= 0 ? (Number.isNaN(f[j]) ? null : f[j]) : given[name] ?? null
      }
      const e = model.explain(x, { top: TOP })
      const t = { features: f, probability: e.probability, score: 100 * e.probability, contributions: model.contributions(x) }
      const d = decideHere({ ...state, fields: given }, t, now, id)
      return { t, actions: d.actions, log: d.log, raising: e.raising.map((g) => factor(g, x[g.name])), lowering: e.lowering.map((g) => factor(g, x[g.name])) }
    } catch (e) {
      state.history.truncate(before)
      throw e
    }
  }

  /** An nps error of the scorer or the rules: the customer's data does not fit the model or the rules. */
  const unscorable = (customer, e) => (typeof e.code === 'string' && !(e instanceof RequestError)
    ? new RequestError(422, e.code, `cannot score customer ${show(customer)}: ${e.message}`) : e)

  function ticket(body) {
    const { customer, event, fields } = readTicket(body, kinds, customerFields)
    const known = customers.get(customer)
    if (known) checkOrder(customer, event.time, known.latest, '')
    const state = known ?? newState()
    const given = Object.keys(fields).length > 0 ? { ...state.fields, ...fields } : state.fields
    const record = given === state.fields ? state.record : recordOf(given)
    const keep = () => {
      if (!known) customers.set(customer, state)
      state.latest = event.time
      state.fields = given
      state.record = record
      counts.events++
      counts.tickets++
    }
    if (scorer === null) {
      let answer
      try {
        answer = tableTicket(state, customer, event, given)
      } catch (e) {
        throw unscorable(customer, e)
      }
      const { t, actions, log, raising, lowering } = answer
      persistTicket(state, customer, event, given, logged(customer, segmentOf(given), actions, event.time + 1000, log))
      keep()
      return { customer, time: event.time, probability: t.probability, score: t.score, factors: { raising, lowering }, actions }
    }
    let t
    try {
      // Features as of one second after the ticket (times are whole seconds), so that it
      // counts; the outcomes are kept one second late to be read at that time (see outcome()).
      // Learning: the rules rank with the learner's draws in a separate decision (below),
      // which also estimates the propensity the store logs.
      t = scorer.ticket(state.history, event, { customer: record, outcomes: state.outcomes, details: true })
    } catch (e) {
      // Nothing was kept: the scorer refuses a bad event before adding it, and takes the
      // event back when the customer cannot be scored (say, a history without the
      // subscription start a model trained without gaps needs: a 422; send the history,
      // then the ticket again).
      throw unscorable(customer, e)
    }
    let decision
    try {
      decision = learning || givenOverFeature({ fields: given }, t.features)
        ? decideHere({ ...state, fields: given }, t, event.time + 1000, customer) : { actions: t.actions }
    } catch (e) {
      // The rules could not decide on the fields the ticket gave: the ticket is not kept.
      state.history.truncate(state.history.length - 1)
      throw unscorable(customer, e)
    }
    const { actions } = decision
    persistTicket(state, customer, event, given, logged(customer, segmentOf(given), actions, event.time + 1000, decision.log))
    keep()
    const valued = (g) => factor(g, t.features[featureNames.indexOf(g.name)])
    return { customer, time: event.time, probability: t.probability, score: t.score,
      factors: { raising: t.raising.map(valued), lowering: t.lowering.map(valued) }, actions }
  }

  function seed(body, limits) {
    const list = readEvents(body, kinds, limits.maxEvents ?? maxEvents)
    // Checked as a whole before anything is added, in time order per customer.
    const order = list.map((e, i) => i).sort((a, b) => list[a].event.time - list[b].event.time || a - b)
    const latest = new Map()
    for (const i of order) {
      const { customer, event } = list[i]
      const last = latest.get(customer) ?? customers.get(customer)?.latest ?? -Infinity
      checkOrder(customer, event.time, last, `events[${i}].`)
      latest.set(customer, event.time)
    }
    // Kept in the order the histories take them, so that a replay adds them the same way.
    persist({ events: order.map((i) => stored(list[i].customer, list[i].event)) })
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
    const { channel, group } = actionInfo.get(o.action)
    const segment = segmentOf(customers.get(o.customer)?.fields ?? {})
    persist({ outcomes: [{ customer: o.customer, segment, action: o.action, channel, group, time: Math.floor(o.time / 1000), kind: o.kind }] })
    // Kept one second late: a ticket's rules are read as of one second after it (when its
    // features are computed), so each outcome is as old at that time as it is at the ticket's
    // time, and one that comes after the ticket is still after it.
    const state = customerState(o.customer)
    if (CONTACT.has(o.kind)) state.outcomes.push({ action: o.action, channel, group, time: o.time + 1000, kind: o.kind })
    if (o.kind in LEARNED) learner.record(o.action, segment, LEARNED[o.kind])
    counts.outcomes++
    return { customer: o.customer, recorded: o.kind, contactHistory: state.outcomes.length,
      learner: { action: o.action, segment, mean: learner.mean(o.action, segment) } }
  }

  function health() {
    return { status: 'ok', customers: customers.size, ...counts, store: store === null ? null : store.path,
      model: { kind, inputs: model.inputs.length, fieldInputs: givenInputs, trainingRows: model.training?.rows ?? null },
      catalogue: { actions: catalog.actions.length, learning } }
  }

  if (store !== null) replay()

  // The console (examples/node-service/console/) reads the state through this view and the
  // latest ticket answer of each customer (in memory only: after a restart it scores again).
  const answers = new Map()
  function answered(answer) {
    answers.set(answer.customer, answer)
    return answer
  }
  const consoleView = createConsole({ model, kind, catalog, spec, engine, inputs, ruleInputs, segmentOf,
    defaults, customers, learner, learning, factor, answers, top: TOP }, { ltr: options.ltr, ltrSource: options.ltrSource })

  const routes = {
    '/health': { GET: health },
    '/tickets': { POST: (body) => answered(ticket(body)) },
    '/events': { POST: seed },
    '/outcomes': { POST: outcome },
  }

  /**
   * Answers one request: {status, body, headers?}; never throws. `limits.maxEvents` (from
   * `listen`) overrides the service's own limit of events per POST /events.
   */
  function handle(method, url, text = '', limits = {}) {
    try {
      if (consoleView.owns(url)) return consoleView.handle(method, url)
      const route = Object.hasOwn(routes, String(url).split('?')[0]) ? routes[String(url).split('?')[0]] : undefined
      if (!route) return { status: 404, body: { error: `no route ${method} ${show(String(url))}; routes: GET /health, POST /tickets, POST /events, POST /outcomes`, code: 'NOT_FOUND' } }
      const run = Object.hasOwn(route, method) ? route[method] : undefined
      if (!run) {
        const allow = Object.keys(route).join(', ')
        return { status: 405, headers: { allow }, body: { error: `${method} not allowed on ${url}; use ${allow}`, code: 'METHOD_NOT_ALLOWED' } }
      }
      return { status: 200, body: method === 'GET' ? run() : run(parseBody(text), limits ?? {}) }
    } catch (e) {
      if (e instanceof RequestError) return { status: e.status, body: { error: e.message, code: e.code } }
      if (e && typeof e.code === 'string') return { status: 400, body: { error: e.message, code: e.code } }
      return { status: 500, body: { error: `internal error: ${e && e.message}`, code: 'INTERNAL' } }
    }
  }

  return { handle, health, learner, customers, defaults }
}

module.exports = { createService, PLAYBOOK_DEFAULTS, PLAYBOOK_PATH, MAX_EVENTS }
