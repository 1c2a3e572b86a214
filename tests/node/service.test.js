'use strict'
// The ticket service (examples/node-service) over real HTTP on a loopback port: its answers
// equal the Python API's for the same customers (tests/vectors/service.json, to the bit), and
// every bad request gets a 4xx with a JSON {error, code} naming the field and value, leaving
// the service's state unchanged and the service running.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const net = require('node:net')
const path = require('node:path')
const { spawn } = require('node:child_process')
const { call } = require('./http')

const root = path.join(__dirname, '..', '..')
const { createService, listen, PLAYBOOK_DEFAULTS, MAX_BODY } = require(path.join(root, 'examples', 'node-service'))
const { ActionCatalog } = require(path.join(root, 'nps-node'))

const vector = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'vectors', 'service.json'), 'utf8'))
const modelText = JSON.stringify(vector.model)

/** A fresh service on 127.0.0.1, a free port; closed after the test. */
async function started(t, options = {}) {
  const service = createService({ model: modelText, ...options })
  const server = await listen(service, { port: 0, host: '127.0.0.1' })
  t.after(() => server.shutdown())
  assert.equal(server.address().address, '127.0.0.1')
  return { service, port: server.port }
}

const bits = (x) => Buffer.from(new Float64Array([x]).buffer).toString('hex')

test('the service uses the defaults and the playbook the Python expectations were computed with', () => {
  assert.deepEqual({ ...PLAYBOOK_DEFAULTS }, vector.defaults)
  const service = createService({ model: modelText })
  assert.deepEqual(service.defaults, vector.defaults)
  // The catalogue file the service reads is the shipped playbook.
  const { PLAYBOOK_PATH } = require(path.join(root, 'examples', 'node-service'))
  assert.deepEqual(ActionCatalog.fromJson(fs.readFileSync(PLAYBOOK_PATH, 'utf8')).actions, ActionCatalog.playbook().actions)
})

test('over HTTP, every answer equals the Python API\'s for the same customers, to the bit', async (t) => {
  const { port } = await started(t)
  let tickets = 0
  for (const [i, step] of vector.steps.entries()) {
    const r = await call(port, 'POST', step.route, step.body)
    assert.equal(r.status, 200, `step ${i} ${step.route}: ${JSON.stringify(r.body)}`)
    // JSON numbers are written in their shortest round-trip form by both languages, so equal
    // parsed objects mean bit-equal probabilities, scores, contributions and priorities.
    assert.deepEqual(r.body, step.expected, `step ${i} ${step.route} ${step.body.customer}`)
    if (step.route === '/tickets') {
      tickets++
      assert.equal(bits(r.body.probability), bits(step.expected.probability))
      assert.equal(r.body.score, 100 * r.body.probability)
      assert.ok(r.body.factors.raising.length <= 3 && r.body.factors.lowering.length <= 3)
    }
  }
  assert.ok(tickets >= 10)
  // The script exercises what it should: a contact policy that changes an answer, and actions.
  const answers = vector.steps.filter((s) => s.route === '/tickets').map((s) => s.expected)
  assert.ok(answers.some((a) => a.actions.length === 3) && answers.some((a) => a.actions.length === 0))
  const h = await call(port, 'GET', '/health')
  assert.equal(h.status, 200)
  assert.equal(h.body.status, 'ok')
  assert.equal(h.body.customers, vector.customers.length)
  assert.equal(h.body.tickets, tickets)
  assert.equal(h.body.outcomes, vector.steps.filter((s) => s.route === '/outcomes').length)
})

test('the same answers from handle() without a socket', () => {
  const service = createService({ model: modelText })
  // A method Node's parser would refuse, and an inherited name as a method.
  assert.deepEqual(service.handle('TOSTRING', '/health').body, { error: 'TOSTRING not allowed on /health; use GET', code: 'METHOD_NOT_ALLOWED' })
  assert.equal(service.handle('constructor', '/tickets').status, 405)
  for (const step of vector.steps) {
    const r = service.handle('POST', step.route, JSON.stringify(step.body))
    assert.equal(r.status, 200)
    assert.deepEqual(r.body, step.expected)
  }
})

test('ISO 8601 times are the same instants as epoch milliseconds', () => {
  const service = createService({ model: modelText })
  for (const step of vector.steps) {
    const iso = (e) => ({ ...e, time: new Date(e.time).toISOString() })
    const body = step.route === '/events' ? { events: step.body.events.map(iso) } : iso(step.body)
    const r = service.handle('POST', step.route, JSON.stringify(body))
    assert.deepEqual(r.body, step.expected)
  }
})

test('a contact outcome changes the next answer: the weekly call limit', () => {
  const service = createService({ model: modelText })
  const [seedA, seedB, first] = vector.steps
  service.handle('POST', '/events', JSON.stringify(seedA.body))
  service.handle('POST', '/events', JSON.stringify(seedB.body))
  const a = service.handle('POST', '/tickets', JSON.stringify(first.body)).body
  assert.equal(a.actions[0].channel, 'call')
  const later = { ...first.body, time: first.body.time + 3600000, fields: undefined }
  const before = service.handle('POST', '/tickets', JSON.stringify(later)).body
  assert.equal(before.actions[0].id, a.actions[0].id) // nothing presented yet: the same call
  service.handle('POST', '/outcomes', JSON.stringify({ customer: first.body.customer, time: later.time, action: a.actions[0].id, kind: 'presented' }))
  const after = service.handle('POST', '/tickets', JSON.stringify({ ...later, time: later.time + 1000 })).body
  assert.ok(after.actions.every((x) => x.channel !== 'call'), JSON.stringify(after.actions))
})

test('outcomes feed the learner: the posterior mean of a Beta(1, 1) prior', async (t) => {
  const { port } = await started(t)
  const time = Date.UTC(2026, 6, 1)
  const send = (kind) => call(port, 'POST', '/outcomes', { customer: 'L1', time, action: 'bonus_data', kind })
  assert.equal((await send('accepted')).body.learner.mean, 2 / 3)
  assert.equal((await send('rejected')).body.learner.mean, 2 / 4)
  const r = await send('presented') // a contact, not a result: the learner is unchanged
  assert.equal(r.body.learner.mean, 2 / 4)
  assert.equal(r.body.contactHistory, 3)
  const churned = await send('churned') // a result, not a contact
  assert.equal(churned.body.learner.mean, 2 / 5)
  assert.equal(churned.body.contactHistory, 3)
})

test('with learning on, the same actions pass the rules, ranked by Thompson draws (seeded)', () => {
  const a = createService({ model: modelText, learning: true })
  const b = createService({ model: modelText, learning: true })
  for (const step of vector.steps) {
    const r = a.handle('POST', step.route, JSON.stringify(step.body))
    assert.equal(r.status, 200)
    assert.deepEqual(b.handle('POST', step.route, JSON.stringify(step.body)), r) // reproducible
    if (step.route !== '/tickets') continue
    assert.equal(r.body.probability, step.expected.probability)
    // A drawn propensity is at most 1, the propensity without learning.
    const plain = new Map(step.expected.actions.map((x) => [x.id, x.priority]))
    for (const x of r.body.actions) if (plain.has(x.id)) assert.ok(x.priority <= plain.get(x.id), x.id)
    // Fewer than three returned means every action that passed the rules was returned.
    const ids = (list) => list.map((x) => x.id).sort()
    if (step.expected.actions.length < 3) assert.deepEqual(ids(r.body.actions), ids(step.expected.actions))
  }
})

test('random scripts: every ticket is the separate calls\' answer (push, features, explain, decide), to the bit', () => {
  // The service's semantics written as the separate calls: features as of one second after
  // the ticket; the rules read the fields tickets gave, else the feature of the same name,
  // else the defaults, every input's contribution, and the contact outcomes as of the
  // ticket's own time.
  const { ChurnModel, features } = require(path.join(root, 'nps-node'))
  const model = ChurnModel.fromJson(modelText)
  const catalog = ActionCatalog.playbook()
  const spec = JSON.parse(fs.readFileSync(path.join(root, 'nps-core', 'src', 'action', 'playbook.json'), 'utf8'))
  const engine = new features.FeatureEngine(null)
  const names = engine.names
  const slots = model.inputs.map((n) => names.indexOf(n))
  const info = new Map(spec.actions.map((a) => [a.id, a]))
  const means = new Map(vector.model.encoder.columns.map((c) => [c.name, c.mean]))
  const ref = new Map() // customer -> {history, fields, outcomes}
  const state = (c) => ref.get(c) ?? ref.set(c, { history: new features.CustomerHistory(), fields: {}, outcomes: [] }).get(c)
  const expected = (body) => {
    const s = state(body.customer)
    const { customer, fields, ...event } = body
    s.history.push(event)
    Object.assign(s.fields, fields ?? {})
    const f = s.history.features(engine, body.time + 1000)
    const x = Float64Array.from(slots, (j) => f[j])
    const all = model.explainValues(x, { top: model.inputs.length })
    const shown = model.explainValues(x, { top: 3 })
    const factors = {}
    for (const g of [...all.raising, ...all.lowering]) if (catalog.factors.includes(g.name)) factors[g.name] = g.contribution
    const record = {}
    for (const name of Object.keys(spec.fields)) {
      const j = names.indexOf(name)
      const feature = j >= 0 ? f[j] : NaN
      record[name] = s.fields[name] ?? (Number.isNaN(feature) ? PLAYBOOK_DEFAULTS[name] ?? null : feature)
    }
    const decide = (now) => catalog.decide(record, { probability: all.probability, factors, history: s.outcomes, now, top: 3 }).actions
    const actions = decide(body.time)
    const overridden = Object.keys(s.fields).some((n) => s.fields[n] != null && names.includes(n) && Number.isFinite(f[names.indexOf(n)]) && f[names.indexOf(n)] !== s.fields[n])
    // Factors with numbers: the customer's value (null when missing) and the training mean.
    const numeric = (g) => ({ name: g.name, contribution: g.contribution,
      value: Number.isNaN(x[model.inputs.indexOf(g.name)]) ? null : x[model.inputs.indexOf(g.name)], typical: means.get(g.name) })
    return { answer: { customer, time: body.time, probability: all.probability, score: 100 * all.probability,
      factors: { raising: shown.raising.map(numeric), lowering: shown.lowering.map(numeric) }, actions },
    overridden, boundary: JSON.stringify(decide(body.time + 1000)) !== JSON.stringify(actions) }
  }
  const service = createService({ model: modelText })
  for (const step of vector.steps.slice(0, 2)) {
    assert.equal(service.handle('POST', step.route, JSON.stringify(step.body)).status, 200)
    for (const e of step.body.events) {
      const { customer, ...event } = e
      state(customer).history.push(event)
    }
  }
  let seed = 2024
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648)
  const pick = (list) => list[Math.floor(random() * list.length)]
  const day = 86400000
  const latest = new Map(vector.customers.map((c) => [c, vector.steps.find((s) => s.route === '/tickets').body.time]))
  const seen = { overridden: 0, boundary: 0, actions: 0, none: 0 }
  for (let i = 0; i < 800; i++) {
    const c = pick(vector.customers)
    const t = latest.get(c) + pick([0, 1000, 3600000, day, 6 * day, 7 * day]) + pick([0, 0, 0, 250])
    latest.set(c, t)
    if (random() < 0.35) {
      // An outcome near the edge of a policy's window (7, 30 or 60 days), or after the ticket.
      const action = pick(spec.actions).id
      const kind = pick(['presented', 'presented', 'rejected', 'accepted', 'ignored'])
      const at = t + pick([-7 * day, -7 * day + 1000, -7 * day - 1000, -60 * day + 1000, -60 * day, 0, 1000, 1500, -500])
      const r = service.handle('POST', '/outcomes', JSON.stringify({ customer: c, time: at, action, kind }))
      assert.equal(r.status, 200)
      const a = info.get(action)
      state(c).outcomes.push({ action, channel: a.channel, group: a.group ?? '', time: at, kind })
    }
    const body = { customer: c, time: t, kind: pick(['contact_opened', 'complaint', 'survey_answer', 'usage']) }
    if (body.kind === 'survey_answer') body.value = Math.floor(11 * random())
    if (body.kind === 'usage') body.value = Math.floor(5000 * random())
    if (random() < 0.4) {
      body.fields = {}
      for (let k = 0; k < 2; k++) {
        const name = pick(['last_nps', 'tenure_days', 'payment_trend', 'usage_trend_30d', 'segment', 'complained_outage', 'monthly_bill'])
        const v = { last_nps: pick([2, 6, 9, null]), tenure_days: pick([30, 400, null]), payment_trend: pick([0.5, 1, null]),
          usage_trend_30d: pick([0.4, 2, null]), segment: pick(['family', 'business']), complained_outage: pick([true, false]),
          monthly_bill: pick([25, 90, null]) }[name]
        body.fields[name] = v
      }
    }
    const want = expected(body)
    const r = service.handle('POST', '/tickets', JSON.stringify(body))
    assert.equal(r.status, 200, JSON.stringify(r.body))
    assert.deepEqual(r.body, want.answer, `ticket ${i}: ${JSON.stringify(body)}`)
    assert.equal(bits(r.body.probability), bits(want.answer.probability))
    seen.overridden += want.overridden
    seen.boundary += want.boundary
    seen[r.body.actions.length > 0 ? 'actions' : 'none']++
  }
  // The script reaches what differs from the one call alone: a field a ticket gave over a
  // feature, and outcomes at the edge of a window (the scorer reads rules a second later);
  // and tickets with no action (fewer since the playbook asks non-respondents for feedback).
  assert.ok(seen.overridden > 20 && seen.boundary > 5 && seen.actions > 50 && seen.none > 10, JSON.stringify(seen))
})

// Each bad request: [what, method, route, body, status, code, a pattern the message must match].
const t0 = Date.UTC(2026, 6, 1)
const ticket = { customer: 'B1', time: t0, kind: 'contact_opened', department: 'billing' }
const badRequests = [
  ['malformed JSON', 'POST', '/tickets', '{"customer": "B1", ', 400, 'BAD_JSON', /malformed JSON/],
  ['an empty body', 'POST', '/tickets', '', 400, 'BAD_JSON', /empty body/],
  ['a body that is not an object', 'POST', '/tickets', '[1, 2]', 400, 'WRONG_TYPE', /body = \[1,2\]: expected a JSON object/],
  ['an unknown field', 'POST', '/tickets', { ...ticket, colour: 'red' }, 400, 'UNKNOWN_FIELD', /unknown field colour = "red"/],
  ['an unknown customer field', 'POST', '/tickets', { ...ticket, fields: { shoe_size: 44 } }, 400, 'UNKNOWN_FIELD', /fields\.shoe_size = 44/],
  ['fields not an object', 'POST', '/tickets', { ...ticket, fields: [1] }, 400, 'WRONG_TYPE', /fields = \[1\]/],
  ['a customer field of the wrong type', 'POST', '/tickets', { ...ticket, fields: { monthly_bill: 'lots' } }, 400, 'WRONG_TYPE', /fields\.monthly_bill = "lots": expected a finite number/],
  ['a string field given a number', 'POST', '/tickets', { ...ticket, fields: { segment: 3 } }, 400, 'WRONG_TYPE', /fields\.segment = 3: expected a string/],
  ['a bool field given a string', 'POST', '/tickets', { ...ticket, fields: { complained_outage: 'yes' } }, 400, 'WRONG_TYPE', /fields\.complained_outage = "yes": expected true or false/],
  ['a numeric customer id', 'POST', '/tickets', { ...ticket, customer: 42 }, 400, 'WRONG_TYPE', /customer = 42: expected a non-empty string/],
  ['no customer', 'POST', '/tickets', { time: t0, kind: 'usage' }, 400, 'MISSING_FIELD', /missing field customer/],
  ['no kind', 'POST', '/tickets', { customer: 'B1', time: t0 }, 400, 'MISSING_FIELD', /missing field kind/],
  ['a time that is not a time', 'POST', '/tickets', { ...ticket, time: 'yesterday' }, 400, 'WRONG_TYPE', /time = "yesterday": expected epoch milliseconds \(within ±8640000000000000\) or an ISO 8601 date/],
  ['a time beyond any date', 'POST', '/tickets', { ...ticket, time: 1e300 }, 400, 'WRONG_TYPE', /time = 1e\+300: expected epoch milliseconds/],
  ['an impossible ISO date', 'POST', '/tickets', { ...ticket, time: '2026-13-45T00:00:00Z' }, 400, 'WRONG_TYPE', /time = "2026-13-45T00:00:00Z"/],
  ['a value that is a string', 'POST', '/tickets', { ...ticket, value: '12' }, 400, 'WRONG_TYPE', /value = "12": expected a finite number/],
  ['a negative duration', 'POST', '/tickets', { ...ticket, duration: -5 }, 400, 'WRONG_TYPE', /duration = -5: expected a non-negative number of seconds/],
  ['a flag that is not a bool', 'POST', '/tickets', { ...ticket, flag: 'yes' }, 400, 'WRONG_TYPE', /flag = "yes": expected true or false/],
  ['a survey answer off the scale', 'POST', '/tickets', { ...ticket, kind: 'survey_answer', value: 11 }, 400, 'OUT_OF_RANGE', /^value = 11: a survey answer is a whole number from 0 to 10$/],
  ['a survey answer that is not whole', 'POST', '/tickets', { ...ticket, kind: 'survey_answer', value: 7.5 }, 400, 'OUT_OF_RANGE', /^value = 7\.5: a survey answer/],
  ['a survey answer without its value', 'POST', '/tickets', { ...ticket, kind: 'survey_answer' }, 400, 'MISSING_FIELD', /^missing field value \(the answer of a survey_answer\)$/],
  ['a survey answer off the scale, in a batch', 'POST', '/events', { events: [{ customer: 'B2', time: t0, kind: 'survey_answer', value: -1 }] }, 400, 'OUT_OF_RANGE', /^events\[0\]\.value = -1: a survey answer/],
  ['a case that is an object', 'POST', '/tickets', { ...ticket, case: { id: 1 } }, 400, 'WRONG_TYPE', /case = \{"id":1\}: expected a string or a number/],
  ['an unknown event kind', 'POST', '/tickets', { ...ticket, kind: 'teleport' }, 400, 'UNKNOWN_VALUE', /kind = "teleport": unknown event kind; expected one of .*contact_opened/],
  ['an event older than the customer\'s last', 'POST', '/tickets', { ...ticket, time: t0 - 1000 }, 400, 'OUT_OF_ORDER', /time = 1782863999000 \(2026-06-30T23:59:59\.000Z\) is before customer "B1"'s latest event \(2026-07-01T00:00:00\.000Z\)/],
  ['events not a list', 'POST', '/events', { events: 3 }, 400, 'WRONG_TYPE', /events = 3: expected an array of events/],
  ['a bad event in a batch', 'POST', '/events', { events: [{ customer: 'B2', time: t0, kind: 'usage' }, { customer: 'B2', time: t0, kind: 'warp' }] }, 400, 'UNKNOWN_VALUE', /events\[1\]\.kind = "warp"/],
  ['an event older than the customer\'s last, in a batch', 'POST', '/events', { events: [{ customer: 'B2', time: t0, kind: 'usage' }, { customer: 'B1', time: t0 - 5000, kind: 'usage' }] }, 400, 'OUT_OF_ORDER', /events\[1\]\.time = 1782863995000/],
  ['an unknown action', 'POST', '/outcomes', { customer: 'B1', time: t0, action: 'free_pony', kind: 'accepted' }, 400, 'UNKNOWN_VALUE', /action = "free_pony": not an action of the catalogue/],
  ['an unknown outcome kind', 'POST', '/outcomes', { customer: 'B1', time: t0, action: 'bonus_data', kind: 'delighted' }, 400, 'UNKNOWN_VALUE', /kind = "delighted": unknown outcome kind/],
  ['an inherited name as a customer field', 'POST', '/tickets', '{"customer": "B1", "time": 0, "kind": "usage", "fields": {"__proto__": {"x": 1}}}', 400, 'UNKNOWN_FIELD', /fields\.__proto__ = \{"x":1\}/],
  ['another inherited name', 'POST', '/tickets', { ...ticket, fields: { toString: 'x' } }, 400, 'UNKNOWN_FIELD', /fields\.toString = "x"/],
  ['an unknown route', 'GET', '/scores', undefined, 404, 'NOT_FOUND', /no route GET "\/scores"/],
  ['an inherited name as a route', 'GET', '/__proto__', undefined, 404, 'NOT_FOUND', /no route GET "\/__proto__"/],
  ['a wrong method', 'GET', '/tickets', undefined, 405, 'METHOD_NOT_ALLOWED', /GET not allowed on \/tickets; use POST/],
]

test('every bad request: a 4xx with {error, code} naming the field and value; nothing changes', async (t) => {
  const { port } = await started(t)
  const start = { customer: 'B1', time: t0 - 400 * 86400000, kind: 'subscription_start' }
  assert.equal((await call(port, 'POST', '/events', { events: [start] })).status, 200)
  assert.equal((await call(port, 'POST', '/tickets', ticket)).status, 200)
  const before = (await call(port, 'GET', '/health')).body
  for (const [what, method, route, body, status, code, message] of badRequests) {
    const r = await call(port, method, route, body)
    assert.equal(r.status, status, `${what}: ${JSON.stringify(r.body)}`)
    assert.deepEqual(Object.keys(r.body).sort(), ['code', 'error'], what)
    assert.equal(r.body.code, code, what)
    assert.match(r.body.error, message, what)
  }
  assert.equal((await call(port, 'GET', '/tickets')).headers.get('allow'), 'POST')
  assert.deepEqual((await call(port, 'GET', '/health')).body, before) // nothing was added
  // And the customer's next ticket is answered as if nothing had happened.
  const next = await call(port, 'POST', '/tickets', { ...ticket, time: t0 + 1000 })
  assert.equal(next.status, 200)
})

test('a customer the model cannot score: 422 naming the input, the ticket not kept, and the history sent late is accepted', async (t) => {
  const { port } = await started(t)
  const before = (await call(port, 'GET', '/health')).body
  // The model was trained on customers who all had a subscription start; this one has none.
  const ticket = { customer: 'N1', time: t0, kind: 'contact_opened', department: 'billing', case: 'T-7' }
  const r = await call(port, 'POST', '/tickets', ticket)
  assert.equal(r.status, 422)
  assert.deepEqual(r.body, { error: 'cannot score customer "N1": tenure_days[0] is missing (NaN)', code: 'MISSING_VALUE' })
  // The rejected ticket is not kept: no customer, event or ticket was added.
  assert.deepEqual((await call(port, 'GET', '/health')).body, before)
  // So the customer's history, all older than the rejected ticket, is not out of order.
  const day = 86400000
  const history = { events: [{ customer: 'N1', time: t0 - 400 * day, kind: 'subscription_start' },
    { customer: 'N1', time: t0 - 3 * day, kind: 'outage' }] }
  const sent = await call(port, 'POST', '/events', history)
  assert.deepEqual([sent.status, sent.body], [200, { accepted: 2, customers: 1 }])
  // And the ticket sent again is scored as if it had come after the history in the first place.
  const again = await call(port, 'POST', '/tickets', ticket)
  assert.equal(again.status, 200)
  const { ChurnModel, features } = require(path.join(root, 'nps-node'))
  const h = new features.CustomerHistory()
  for (const e of history.events) h.push({ time: e.time, kind: e.kind })
  h.push({ time: t0, kind: 'contact_opened', department: 'billing', case: 'T-7' })
  const engine = new features.FeatureEngine(null)
  const f = h.features(engine, t0 + 1000)
  const model = ChurnModel.fromJson(modelText)
  const p = model.scoreValues(Float64Array.from(model.inputs, (n) => f[engine.names.indexOf(n)]))
  assert.equal(again.body.probability, p)
  const health = (await call(port, 'GET', '/health')).body
  assert.deepEqual([health.customers - before.customers, health.events - before.events, health.tickets - before.tickets], [1, 3, 1])
})

test('a model trained on a table: its inputs from the tickets\' fields, the same answers as Python, factor values as numbers', async (t) => {
  const table = vector.table
  const catalogue = fs.readFileSync(path.join(root, 'examples', 'catalogues', 'telco.json'), 'utf8')
  const { service, port } = await started(t, { model: JSON.stringify(table.model), catalogue })
  // No input is a feature of the events: every one is a customer field the tickets give.
  assert.deepEqual(service.health().model.fieldInputs, table.model.inputs)
  assert.equal(table.model.inputs.length, 8)
  for (const [i, body] of table.tickets.entries()) {
    const r = await call(port, 'POST', '/tickets', body)
    assert.equal(r.status, 200, JSON.stringify(r.body))
    assert.deepEqual(r.body, table.expected[i], `ticket ${i}`)
    assert.equal(bits(r.body.probability), bits(table.expected[i].probability))
    for (const f of [...r.body.factors.raising, ...r.body.factors.lowering]) {
      const number = ['tenure_months', 'monthly_bill', 'SeniorCitizen'].includes(f.name)
      assert.equal(typeof f.typical, number ? 'number' : 'string', f.name)
      assert.ok(number ? typeof f.value === 'number' || f.value === null : typeof f.value === 'string', f.name)
    }
  }
  // The same numbers as the separate calls in Node: the model on the fields, the catalogue's decision.
  const { ChurnModel } = require(path.join(root, 'nps-node'))
  const model = ChurnModel.fromJson(JSON.stringify(table.model))
  const fields = table.tickets[1].fields
  assert.equal(table.expected[1].probability, model.score(fields))
  const telco = ActionCatalog.fromJson(catalogue)
  const c = model.contributions(fields)
  const factors = Object.fromEntries(model.inputs.map((n, k) => [n, c[k]]).filter(([n]) => telco.factors.includes(n)))
  const d = telco.decide(fields, { probability: model.score(fields), factors, now: table.tickets[1].time + 1000, ignoreExtra: true })
  assert.deepEqual(d.actions, table.expected[1].actions)
  // Bad fields: a typo lists what the fields may be (the catalogue's and the model's), a
  // wrong type names the expected one; a customer without an input the model needs gets a
  // 422 naming it, and nothing is kept.
  const before = service.health()
  const t0 = table.tickets[0].time + 30 * 86400000
  const typo = await call(port, 'POST', '/tickets', { customer: 'N1', time: t0, kind: 'contact_opened', fields: { Contrat: 'One year' } })
  assert.equal(typo.status, 400)
  assert.equal(typo.body.code, 'UNKNOWN_FIELD')
  assert.match(typo.body.error, /^unknown customer field fields\.Contrat = "One year"; expected one of .*Contract/)
  const wrong = await call(port, 'POST', '/tickets', { customer: 'N1', time: t0, kind: 'contact_opened', fields: { tenure_months: 'long' } })
  assert.deepEqual(wrong.body, { error: 'fields.tenure_months = "long": expected a finite number', code: 'WRONG_TYPE' })
  const partial = { ...table.tickets[0].fields, tenure_months: null }
  const unscorable = await call(port, 'POST', '/tickets', { customer: 'N1', time: t0, kind: 'contact_opened', fields: partial })
  assert.equal(unscorable.status, 422)
  assert.equal(unscorable.body.code, 'MISSING_VALUE')
  assert.match(unscorable.body.error, /^cannot score customer "N1": tenure_months/)
  assert.deepEqual(service.health(), before)
  // Sent again with the field, the ticket is answered.
  const again = await call(port, 'POST', '/tickets', { customer: 'N1', time: t0, kind: 'contact_opened', fields: table.tickets[0].fields })
  assert.equal(again.status, 200)
  assert.equal(again.body.probability, table.expected[0].probability)
})

test('a model reading features and customer fields: the features from the events, the rest from the tickets\' fields', () => {
  const { ChurnModel, BoostedChurnModel, features } = require(path.join(root, 'nps-node'))
  for (const [file, Model] of [['churn_model.json', ChurnModel], ['boosted_model.json', BoostedChurnModel]]) {
    const text = JSON.stringify(JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'vectors', file), 'utf8')).model)
    const model = Model.fromJson(text)
    const service = createService({ model: text })
    assert.deepEqual(service.health().model.fieldInputs, ['plan', 'segment'], file)
    const day = 86400000
    const events = [{ time: t0 - 700 * day, kind: 'subscription_start' }, { time: t0 - 3 * day, kind: 'survey_answer', value: 4 },
      { time: t0 - 2 * day, kind: 'contact_opened', department: 'billing', case: 'T-1' }]
    assert.equal(service.handle('POST', '/events', JSON.stringify({ events: events.map((e) => ({ customer: 'M1', ...e })) })).status, 200)
    const r = service.handle('POST', '/tickets', JSON.stringify({ customer: 'M1', time: t0, kind: 'contact_opened',
      fields: { plan: 'prepaid', segment: 'family' } }))
    assert.equal(r.status, 200, JSON.stringify(r.body))
    const h = new features.CustomerHistory()
    for (const e of [...events, { time: t0, kind: 'contact_opened' }]) h.push(e)
    const engine = new features.FeatureEngine(null)
    const f = h.features(engine, t0 + 1000)
    const x = Object.fromEntries(model.inputs.map((n) => [n, engine.names.includes(n) ? f[engine.names.indexOf(n)] : null]))
    Object.assign(x, { plan: 'prepaid', segment: 'family' })
    for (const n of Object.keys(x)) if (Number.isNaN(x[n])) x[n] = null
    assert.equal(r.body.probability, model.score(x), file)
    const e = model.explain(x, { top: 3 })
    assert.deepEqual(r.body.factors.raising.map((g) => [g.name, g.contribution, g.value]), e.raising.map((g) => [g.name, g.contribution, x[g.name]]))
    assert.ok(r.body.factors.raising.concat(r.body.factors.lowering).every((g) => g.value === null || typeof g.value === typeof x[g.name]))
    // The segment is a customer field of the playbook too: the rules read it (family: the upsell).
    assert.ok(r.body.actions.some((a) => a.id === 'upsell') || r.body.score >= 30, file)
    // A plan the model never saw (its encoder refuses unseen categories): 422 naming it, nothing kept.
    if (file === 'churn_model.json') {
      const before = service.health()
      const no = service.handle('POST', '/tickets', JSON.stringify({ customer: 'M1', time: t0 + 1000, kind: 'contact_opened',
        fields: { plan: 'basic' } }))
      assert.equal(no.status, 422)
      assert.equal(no.body.code, 'UNKNOWN_VALUE')
      assert.match(no.body.error, /^cannot score customer "M1": unknown category of plan .*"basic"/)
      assert.deepEqual(service.health(), before)
      assert.equal(service.customers.get('M1').history.length, 4)
      assert.equal(service.customers.get('M1').fields.plan, 'prepaid')
    }
  }
})

test('random bodies never get a 500 and never stop the service', async (t) => {
  const { service, port } = await started(t)
  let seed = 99
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648)
  const pick = (list) => list[Math.floor(random() * list.length)]
  const values = [null, true, false, 0, -1, 1.5, 1e300, -0, 'x', '', '2026-07-01', 'contact_opened', 'bonus_data', 'accepted',
    [], [1], {}, { a: 1 }, Date.UTC(2026, 6, 1), 'C1', '__proto__', 'segment']
  const keys = ['customer', 'time', 'kind', 'value', 'duration', 'department', 'case', 'flag', 'fields', 'events',
    'action', 'extra', '__proto__', 'constructor']
  const statuses = new Map()
  for (let i = 0; i < 3000; i++) {
    const body = {}
    const n = Math.floor(random() * 6)
    for (let j = 0; j < n; j++) body[pick(keys)] = pick(values)
    if (random() < 0.5) Object.assign(body, { customer: 'C1', time: Date.UTC(2026, 6, 1) + i * 1000, kind: pick(['contact_opened', 'usage', 'nope']) })
    if (body.fields !== undefined && random() < 0.5) body.fields = { [pick(['segment', 'monthly_bill', 'complained_outage', 'x'])]: pick(values) }
    if (body.events !== undefined && random() < 0.5) body.events = [{ ...body, events: undefined }]
    const text = random() < 0.05 ? JSON.stringify(body).slice(0, -1) : JSON.stringify(body)
    const route = pick(['/tickets', '/events', '/outcomes', '/health', '/x'])
    const r = service.handle(pick(['POST', 'POST', 'GET']), route, text)
    statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1)
    assert.ok([200, 400, 404, 405, 422].includes(r.status), `${r.status} ${JSON.stringify(r.body)} for ${text}`)
    if (r.status !== 200) assert.equal(typeof r.body.error, 'string')
  }
  assert.ok(statuses.get(200) > 50 && statuses.get(400) > 500, JSON.stringify([...statuses]))
  assert.equal((await call(port, 'GET', '/health')).status, 200)
})

test('a body over the limit is refused with 413, declared or streamed', async (t) => {
  const { port } = await started(t)
  const big = JSON.stringify({ events: Array.from({ length: 30000 }, (_, i) => ({ customer: `C${i}`, time: t0, kind: 'usage', value: 1 })) })
  assert.ok(Buffer.byteLength(big) > MAX_BODY)
  const declared = await call(port, 'POST', '/events', big)
  assert.equal(declared.status, 413)
  assert.deepEqual(declared.body, { error: `body larger than ${MAX_BODY} bytes`, code: 'BODY_TOO_LARGE' })
  // Chunked, with no length declared: counted as it arrives.
  const stream = new ReadableStream({
    start(controller) {
      for (let k = 0; k < big.length; k += 65536) controller.enqueue(new TextEncoder().encode(big.slice(k, k + 65536)))
      controller.close()
    },
  })
  const res = await fetch(`http://127.0.0.1:${port}/events`, { method: 'POST', body: stream, duplex: 'half' }).catch((e) => e)
  if (!(res instanceof Error)) { // the server may close the upload before the client reads the answer
    assert.equal(res.status, 413)
    assert.equal((await res.json()).code, 'BODY_TOO_LARGE')
  }
  const h = await call(port, 'GET', '/health')
  assert.equal(h.status, 200)
  assert.equal(h.body.events, 0)
})

test('garbage on the socket gets 400 and the service keeps serving', async (t) => {
  const { port } = await started(t)
  const reply = await new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write('NOT HTTP AT ALL\r\n\r\n'))
    let text = ''
    socket.on('data', (d) => (text += d))
    socket.on('end', () => resolve(text))
    socket.on('error', reject)
  })
  assert.match(reply, /^HTTP\/1\.1 400/)
  assert.match(reply, /\r\n\r\n\{"error":"not a valid HTTP request: HPE_[A-Z_]+","code":"BAD_HTTP"\}$/)
  assert.equal((await call(port, 'GET', '/health')).status, 200)
})

test('bad configuration fails at start with a message naming it', () => {
  assert.throws(() => createService({ model: '{"format": "nps.churn_model"' }), (e) => typeof e.code === 'string')
  assert.throws(() => createService({ model: modelText, defaults: { shoe_size: 44 } }), /default for "shoe_size"/)
  assert.throws(() => createService({ model: modelText, catalogue: '{"fields": {}, "actions": [{"id": 1}]}' }), (e) => typeof e.code === 'string')
})

test('main.js: starts from a model file on a free loopback port, answers, and closes on SIGTERM', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nps-service-test-'))
  const file = path.join(dir, 'model.json')
  fs.writeFileSync(file, modelText)
  const child = spawn(process.execPath, [path.join(root, 'examples', 'node-service', 'main.js'), '--model', file, '--port', '0', '--db', path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'nps-db-')), 'state.db')],
    { stdio: ['ignore', 'pipe', 'pipe'] })
  const port = await new Promise((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (d) => {
      out += d
      const m = /http:\/\/127\.0\.0\.1:(\d+)/.exec(out)
      if (m) resolve(Number(m[1]))
    })
    child.once('exit', (code) => reject(new Error(`exited ${code}`)))
  })
  const step = vector.steps.find((s) => s.route === '/tickets' && s.body.customer === vector.customers[4])
  const seeded = await call(port, 'POST', '/events', { events: [{ customer: 'M1', time: step.body.time - 1e10, kind: 'subscription_start' }] })
  assert.deepEqual(seeded.body, { accepted: 1, customers: 1 })
  const r = await call(port, 'POST', '/tickets', { ...step.body, customer: 'M1', fields: undefined })
  assert.equal(r.status, 200)
  assert.ok(r.body.probability > 0 && r.body.probability < 1)
  const code = await new Promise((resolve) => {
    child.once('exit', (c) => resolve(c))
    child.kill('SIGTERM')
  })
  assert.equal(code, 0)
  const missing = spawn(process.execPath, [path.join(root, 'examples', 'node-service', 'main.js'), '--model', path.join(dir, 'nope.json')], { stdio: ['ignore', 'pipe', 'pipe'] })
  let err = ''
  missing.stderr.on('data', (d) => (err += d))
  assert.equal(await new Promise((resolve) => missing.once('exit', resolve)), 1)
  assert.match(err, /cannot read the model file .*nope\.json/)
})

test('a boosted model file serves tickets with its own numbers', async (t) => {
  const { BoostedChurnModel, features } = require(path.join(root, 'nps-node'))
  const file = JSON.parse(fs.readFileSync(path.join(root, 'tests', 'vectors', 'boosted_model.json'), 'utf8'))
  const text = JSON.stringify(file.feature_model)
  const { port } = await started(t, { model: text })
  const h = await call(port, 'GET', '/health')
  assert.equal(h.body.model.kind, 'boosted_trees')
  const start = Date.UTC(2026, 0, 1)
  const events = [{ customer: 'B1', time: start, kind: 'contact_opened', department: 'billing' },
    { customer: 'B1', time: start + 86_400_000, kind: 'bill', value: 80 }]
  assert.equal((await call(port, 'POST', '/events', { events })).status, 200)
  const ticket = { customer: 'B1', time: start + 10 * 86_400_000, kind: 'contact_opened', department: 'billing' }
  const r = await call(port, 'POST', '/tickets', ticket)
  assert.equal(r.status, 200)
  // The model alone, on the same history as of one second after the ticket.
  const model = BoostedChurnModel.fromJson(text)
  const history = new features.CustomerHistory()
  for (const e of [...events, ticket]) history.push({ time: e.time, kind: e.kind, value: e.value, department: e.department })
  const f = history.features(new features.FeatureEngine(null), ticket.time + 1000)
  assert.equal(bits(r.body.probability), bits(model.scoreValues(f)))
})
