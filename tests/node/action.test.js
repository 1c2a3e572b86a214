'use strict'
// Next-best-action from Node: the shipped playbook, the trace, contact policies, errors.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')

const { ActionCatalog, Learner } = require('../../nps-node')

const customer = { tenure_days: 400, segment: 'consumer', complained_outage: true, complained_overage: false,
  monthly_bill: 60, payment_trend: 0.8, usage_trend_30d: 0.6, last_nps: 4 }
const now = Date.UTC(2026, 6, 1)

test('the playbook ranks the same actions as from Python, with a trace for every action', () => {
  const c = ActionCatalog.playbook()
  const d = c.decide(customer, { score: 75, factors: { bill_shock: 0.9 }, now, top: 3 })
  assert.deepEqual(d.actions.map((a) => a.id), ['detractor_callback', 'bill_discount', 'retention_topup'])
  assert.ok(Math.abs(d.actions[1].priority - 36) < 1e-12)
  assert.deepEqual(d.trace.map((t) => t.id), c.actions)
  const thanks = d.trace.find((t) => t.id === 'thank_you')
  assert.equal(thanks.status, 'not_applicable')
  assert.equal(thanks.detail, 'actions[7].applicability: last_nps >= 9 (last_nps = 4)')
  assert.equal(thanks.condition, 'last_nps >= 9')
  assert.equal(thanks.seen, 'last_nps = 4')
  const kept = d.trace.find((t) => t.id === 'bill_discount')
  assert.deepEqual([kept.detail, kept.condition, kept.seen], ['rank 2', undefined, ''])
  const history = [{ action: 'detractor_callback', channel: 'call', group: 'care', time: now - 86400000, kind: 'presented' }]
  const d2 = c.decide(customer, { score: 75, history, now })
  assert.ok(d2.actions.every((a) => a.channel !== 'call'))
  assert.equal(d2.trace.find((t) => t.id === 'bill_discount').status, 'suppressed')
  const again = ActionCatalog.fromJson(c.toJson())
  assert.deepEqual(again.decide(customer, { score: 75, factors: { bill_shock: 0.9 }, now, top: 3 }), d)
  assert.equal(again.toJson(), c.toJson())
})

test('errors name the JSON path or the field', () => {
  assert.throws(() => ActionCatalog.fromJson(JSON.stringify({ fields: { x: 'number' },
    actions: [{ id: 'a', channel: 'sms', group: 'g', eligibility: { field: 'nope', op: '>', value: 1 } }] })),
  (e) => /actions\[0\]\.eligibility/.test(e.message))
  const c = ActionCatalog.playbook()
  assert.throws(() => c.decide({ colour: 'red' }, { score: 10 }), (e) => e.code === 'UNKNOWN_VALUE' && /colour/.test(e.message))
  // A missing field is not an error: the comparisons on it are false, and the trace says so.
  const missing = c.decide({ ...customer, tenure_days: null }, { score: 10 })
  assert.equal(missing.trace.find((t) => t.id === 'loyalty_invite').seen, 'tenure_days missing')
  assert.throws(() => c.decide(customer, { score: 10, history: [{ action: 'a', channel: 'sms', group: 'g', time: 0, kind: 'maybe' }] }), /outcome kind/)
})

test('learning moves the ranking; the same seed gives the same decision', () => {
  const { Learner } = require('../../nps-node')
  const c = ActionCatalog.playbook()
  const learner = new Learner({ prior: [1, 1], exploration: 0, rampUp: 0 })
  for (let i = 0; i < 200; i++) {
    learner.record('retention_topup', 'consumer', true)
    learner.record('detractor_callback', 'consumer', false)
    learner.record('bill_discount', 'consumer', false)
  }
  const options = { score: 75, segment: 'consumer', seed: 5 }
  const d = c.decide(customer, options, learner)
  assert.equal(d.actions[0].id, 'retention_topup')
  assert.deepEqual(c.decide(customer, options, learner), d)
  assert.ok(Math.abs(Learner.fromJson(learner.toJson()).mean('retention_topup', 'consumer') - 201 / 202) < 1e-15)
  assert.throws(() => new Learner({ exploration: 2 }), (e) => e.code === 'INVALID_PARAMETER')
})

test('decideValues: the fast path decides as decide does, indices back, the trace on request', () => {
  const c = ActionCatalog.playbook()
  assert.deepEqual(c.factors.slice(0, 2), ['bill_shock', 'repeat_contacts_90d'])
  // Fields in alphabetical order; bools 0/1; strings as their code (any unmentioned string
  // shares the last code).
  assert.deepEqual(c.fields, ['complained_outage', 'complained_overage', 'last_nps', 'monthly_bill',
    'payment_trend', 'segment', 'tenure_days', 'usage_trend_30d'])
  assert.equal(c.textCode('segment', 'postpaid'), 0)
  assert.equal(c.textCode('segment', 'family'), 1)
  assert.equal(c.textCode('segment', 'consumer'), 2)
  assert.equal(c.textCode('segment', 'anything else'), 2)
  const values = c.encode(customer)
  assert.deepEqual([...values], [1, 0, 4, 60, 0.8, 2, 400, 0.6])
  const contributions = new Float64Array(c.factors.length).fill(NaN)
  contributions[0] = 0.9
  const r = c.decideValues(values, 75, contributions, { now, top: 3 })
  assert.deepEqual(r.actions.map((i) => c.actions[i]), ['detractor_callback', 'bill_discount', 'retention_topup'])
  assert.deepEqual(r.priorities, [40, 36, 30])
  assert.equal(r.trace, undefined)
  const d = c.decide(customer, { score: 75, factors: { bill_shock: 0.9 }, now, top: 3 })
  const withTrace = c.decideValues(values, 75, contributions, { now, top: 3, trace: true })
  assert.deepEqual(withTrace.trace, d.trace)
  // The ranked actions cross as numbers and are named on the JS side: the same keys in the
  // same order as ever, the playbook's labels and channels.
  assert.deepEqual(Object.keys(withTrace), ['actions', 'priorities', 'trace'])
  assert.deepEqual([withTrace.actions, withTrace.priorities], [r.actions, r.priorities])
  assert.deepEqual(Object.keys(d), ['actions', 'trace'])
  const book = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'nps-core', 'src', 'action', 'playbook.json'), 'utf8'))
  const byId = new Map(book.actions.map((a) => [a.id, a]))
  assert.deepEqual(d.actions, r.actions.map((i, k) => ({ rank: k + 1, id: c.actions[i], label: byId.get(c.actions[i]).label,
    channel: byId.get(c.actions[i]).channel, priority: r.priorities[k], value: d.actions[k].value })))
  assert.deepEqual(d.actions.map((a) => Object.keys(a).join()), d.actions.map(() => 'rank,id,label,channel,priority,value'))
  // The history and its contact policies apply as in decide.
  const history = [{ action: 'detractor_callback', channel: 'call', group: 'care', time: now - 86400000, kind: 'presented' }]
  const r2 = c.decideValues(values, 75, undefined, { history, now, trace: true })
  assert.ok(r2.actions.every((i) => c.actions[i] !== 'bill_discount' && c.actions[i] !== 'detractor_callback'))
  assert.equal(r2.trace[0].status, 'suppressed')
  // Many customers: the same ranking as decide.
  for (let k = 0; k < 300; k++) {
    const cu = { ...customer, tenure_days: (k * 37) % 900, last_nps: k % 11, complained_outage: k % 3 === 0,
      segment: ['postpaid', 'family', 'prepaid'][k % 3], payment_trend: 0.5 + (k % 7) / 7 }
    const f = { device_age_days: ((k % 5) - 2) / 3, dropped_calls_30d: ((k % 7) - 3) / 4, bill_shock: ((k % 3) - 1) / 2 }
    const contrib = new Float64Array(c.factors.length).fill(NaN)
    for (const [name, x] of Object.entries(f)) contrib[c.factors.indexOf(name)] = x
    const score = (k * 13) % 101
    const a = c.decide(cu, { score, factors: f, now, top: 4 })
    const b = c.decideValues(c.encode(cu), score, contrib, { now, top: 4, trace: true })
    assert.deepEqual(b.actions.map((i) => c.actions[i]), a.actions.map((x) => x.id))
    // The same trace, but that the record holds a string no rule names as a code only.
    const unnamed = (i) => /a string no rule names/.test(b.trace[i].seen)
    const plain = (t, i) => (unnamed(i) ? { ...t, seen: '', detail: '' } : t)
    assert.deepEqual(b.trace.map(plain), a.trace.map(plain))
    for (const [i, t] of b.trace.entries()) {
      if (/a string no rule names/.test(t.seen)) assert.equal(a.trace[i].seen, `segment = "${cu.segment}"`)
    }
  }
})

test('decideValues: bad records name the index, the field and the value', () => {
  const c = ActionCatalog.playbook()
  const values = c.encode(customer)
  assert.throws(() => c.decideValues(values.subarray(0, 3), 50), (e) => e.code === 'LENGTH_MISMATCH' && /values has 3/.test(e.message))
  const bad = Float64Array.from(values)
  bad[0] = 2
  assert.throws(() => c.decideValues(bad, 50), (e) => e.code === 'INVALID_PARAMETER' && /values\[0\] \(field "complained_outage"\)/.test(e.message) && /got 2/.test(e.message))
  bad[0] = 1
  bad[5] = 7
  assert.throws(() => c.decideValues(bad, 50), /values\[5\] \(field "segment"\).*got 7/)
  bad[5] = 0
  bad[6] = NaN // tenure_days missing: not an error, the comparisons on it are false
  assert.equal(c.decideValues(bad, 50, undefined, { trace: true }).trace.find((t) => t.id === 'loyalty_invite').seen, 'tenure_days missing')
  assert.throws(() => c.decideValues(values, 120), /score/)
  assert.throws(() => c.decideValues(values, 50, new Float64Array(2)), (e) => e.code === 'LENGTH_MISMATCH' && /contributions/.test(e.message))
  const inf = new Float64Array(c.factors.length).fill(NaN)
  inf[2] = Infinity
  assert.throws(() => c.decideValues(values, 50, inf), /contributions\[2\] \(factor "aht_90d"\)/)
  assert.throws(() => c.textCode('colour', 'red'), (e) => e.code === 'UNKNOWN_VALUE')
})

test('logged decisions: propensity, control group, reproducible Monte Carlo', () => {
  const { Learner } = require('../../nps-node')
  const c = ActionCatalog.playbook()
  const d = c.decide(customer, { score: 75, now, customerId: 'C7', segment: 'consumer' })
  assert.deepEqual(d.log, { customer: 'C7', action: 'detractor_callback', propensity: 1, segment: 'consumer',
    control: false, time: now, reward: null })
  assert.equal(c.decide(customer, { score: 75 }).log, undefined)
  const ctl = c.decide(customer, { score: 75, now, customerId: 'C7', controlShare: 1, controlSalt: 'q3' })
  assert.deepEqual(ctl.actions, [])
  assert.equal(ctl.log.control, true)
  assert.equal(ctl.log.action, null)
  assert.deepEqual(ctl.trace.filter((t) => t.status === 'control_group').map((t) => t.id),
    ['bill_discount', 'detractor_callback', 'loyalty_invite', 'retention_call', 'retention_topup'])
  const learner = new Learner({ exploration: 0.1, rampUp: 1000 })
  const options = { score: 75, now, customerId: 'C8', segment: 'consumer', seed: 3, draws: 4000 }
  const a = c.decide(customer, options, learner)
  assert.deepEqual(c.decide(customer, options, learner), a)
  assert.ok(a.log.propensity > 0 && a.log.propensity < 1)
  assert.equal(a.log.action, a.actions[0].id)
  assert.throws(() => c.decide(customer, { ...options, controlShare: 2 }), /share/)
})

// The control-group hash by hand: 64-bit FNV-1a over salt, a zero byte and the id, finished
// with MurmurHash3's mixer; the top 53 bits as a uniform number.
const controlHash = (id, share, salt) => {
  const m = (1n << 64n) - 1n
  let h = 0xcbf29ce484222325n
  for (const b of [...Buffer.from(salt), 0, ...Buffer.from(id)]) h = ((h ^ BigInt(b)) * 0x100000001b3n) & m
  h ^= h >> 33n
  h = (h * 0xff51afd7ed558ccdn) & m
  h ^= h >> 33n
  h = (h * 0xc4ceb9fe1a85ec53n) & m
  h ^= h >> 33n
  return Number(h >> 11n) / 2 ** 53 < share
}

test('action.inControlGroup matches the hash by hand', () => {
  const { action } = require('../../nps-node')
  const ids = Array.from({ length: 3000 }, (_, i) => `C${String(i).padStart(7, '0')}`).concat(['', 'é-ü'])
  for (const [salt, share] of [['', 0.1], ['2026-q3', 0.25]]) {
    const got = ids.map((id) => action.inControlGroup(id, share, salt))
    assert.deepEqual(got, ids.map((id) => controlHash(id, share, salt)))
    assert.ok(Math.abs(got.slice(0, 3000).filter(Boolean).length / 3000 - share) < 0.03)
  }
  assert.equal(action.inControlGroup('C1', 1), true)
  assert.throws(() => action.inControlGroup('C1', 1.5), (e) => e.code === 'INVALID_PARAMETER' && /share/.test(e.message))
})

test('action.offPolicy and action.uplift by hand; bad input names the index and value', () => {
  const { action } = require('../../nps-node')
  const log = [
    { customer: 'C1', action: 'a', propensity: 0.5, reward: 1 },
    { action: 'b', propensity: 0.25, reward: 0 },
    { action: 'a', propensity: 0.8, reward: 0 },
    { action: null, propensity: 1, reward: 1 },
  ]
  const e = action.offPolicy(log, ['a', 'a', 'a', null], [0.6, 0.6, 0.6, 0.5], [0.6, 0.3, 0.6, 0.5])
  assert.equal(e.n, 4)
  assert.equal(e.matches, 3)
  const close = (x, y) => assert.ok(Math.abs(x - y) < 1e-14, `${x} vs ${y}`)
  close(e.ips, (1 / 0.5 + 1 / 1) / 4)
  close(e.snips, (2 + 1) / (2 + 1.25 + 1))
  close(e.doublyRobust, (0.6 * 3 + 0.5 + (1 - 0.6) / 0.5 + (0 - 0.6) / 0.8 + (1 - 0.5) / 1) / 4)
  assert.throws(() => action.offPolicy([], [], [], []), (x) => x.code === 'EMPTY' && /log is empty/.test(x.message))
  for (const [p, shown] of [[0, '= 0 '], [1.5, '= 1.5 '], [NaN, '= NaN ']]) {
    assert.throws(() => action.offPolicy([log[0], { ...log[0], propensity: p }], ['a', 'a'], [0, 0], [0, 0]),
      (x) => x.code === 'OUT_OF_RANGE' && x.message.includes(`log.propensity[1] ${shown}`))
  }
  assert.throws(() => action.offPolicy([{ action: 'a', propensity: 0.5 }], ['a'], [0], [0]), /log\.reward\[0\] is missing/)
  assert.throws(() => action.offPolicy([log[0]], ['a', 'b'], [0], [0]), (x) => x.code === 'LENGTH_MISMATCH' && /target has 2/.test(x.message))
  assert.throws(() => action.offPolicy([log[0]], ['a'], [NaN], [0]), /q_target\[0\].*got NaN/)

  const u = action.uplift([true, true, true, false], [true, false])
  assert.deepEqual([u.treatedRate, u.controlRate, u.uplift], [0.75, 0.5, 0.25])
  const se = Math.sqrt(0.75 * 0.25 / 4 + 0.25 / 2)
  close(u.high - u.uplift, 1.959963984540054 * se)
  close(u.uplift - u.low, 1.959963984540054 * se)
  const u90 = action.uplift([true, false], [false, false], 0.9)
  close(u90.high - u90.uplift, 1.6448536269514722 * Math.sqrt(0.25 / 2))
  assert.throws(() => action.uplift([true], []), (x) => x.code === 'EMPTY' && /control_retained/.test(x.message))
  assert.throws(() => action.uplift([true], [false], 1.5), /level/)
})

test('campaignSegments groups by band and top factor', () => {
  const c = ActionCatalog.playbook()
  const s = c.campaignSegments([80, 75, 90, 10, 12, 45],
    ['bill_shock', 'bill_shock', 'aht_90d', 'tenure_days', 'tenure_days', 'bill_shock'],
    ['bill_discount', 'bill_discount', 'detractor_callback', 'upsell', null, 'loyalty_invite'])
  assert.equal(s.length, 4)
  assert.deepEqual(s[0], { band: 'high', topFactor: 'bill_shock', customers: 2, meanScore: 77.5, action: 'bill_discount', actionShare: 1 })
  const low = s.find((g) => g.band === 'low')
  assert.deepEqual([low.customers, low.actionShare], [2, 0.5])
  assert.throws(() => c.campaignSegments([120], ['x'], [null]), (e) => e.code === 'OUT_OF_RANGE' && /scores\[0\] = 120/.test(e.message))
  assert.throws(() => c.campaignSegments([1], [], [null]), (e) => e.code === 'LENGTH_MISMATCH')
})

test('now is required with a history (and for a logged decision), as a Date or epoch milliseconds', () => {
  const { Learner } = require('../../nps-node')
  const c = ActionCatalog.playbook()
  // One call presented 7 days less a second before now: the weekly call limit holds at now
  // and is lifted one second later.
  const history = [{ action: 'detractor_callback', channel: 'call', group: 'care', time: now - 7 * 86400000 + 1000,
    kind: 'presented' }]
  const callback = (d) => d.trace.find((t) => t.id === 'detractor_callback').status
  const expected = c.decide(customer, { score: 75, history, now })
  assert.equal(callback(expected), 'suppressed')
  assert.equal(callback(c.decide(customer, { score: 75, history, now: now + 1000 })), 'kept')
  for (const at of [new Date(now), now + 999, new Date(now + 999)]) {
    assert.deepEqual(c.decide(customer, { score: 75, history, now: at }), expected)
  }
  const dated = [{ ...history[0], time: new Date(history[0].time) }]
  assert.deepEqual(c.decide(customer, { score: 75, history: dated, now: new Date(now) }), expected)
  const values = c.encode(customer)
  assert.deepEqual(c.decideValues(values, 75, undefined, { history, now: new Date(now), trace: true }).trace, expected.trace)
  // Forgetting now with a history is an error naming it (it used to be 1970, when no outcome
  // is recent and every contact policy passes), with or without a learner, in both entry points.
  const learner = new Learner()
  const forgotten = [
    () => c.decide(customer, { score: 75, history }),
    () => c.decide(customer, { score: 75, history, segment: 'consumer' }, learner),
    () => c.decideValues(values, 75, undefined, { history }),
    () => c.decideValues(values, 75, undefined, { history }, learner),
  ]
  for (const call of forgotten) {
    assert.throws(call, (e) => e.code === 'INVALID_PARAMETER' &&
      /^now must be given with a history of outcomes .*window before now/.test(e.message))
  }
  for (const call of [() => c.decide(customer, { score: 75, customerId: 'C9' }),
    () => c.decide(customer, { score: 75, customerId: 'C9', segment: 'consumer' }, learner)]) {
    assert.throws(call, (e) => e.code === 'INVALID_PARAMETER' && /^now must be given for a logged decision/.test(e.message))
  }
  assert.throws(() => c.decide(customer, { score: 75, history, now: NaN }), (e) => e.code === 'OUT_OF_RANGE' && /now/.test(e.message))
  // Without a history nothing reads now: leaving it out gives the same decision.
  assert.deepEqual(c.decide(customer, { score: 75, factors: { bill_shock: 0.9 } }),
    c.decide(customer, { score: 75, factors: { bill_shock: 0.9 }, history: [], now }))
  assert.deepEqual(c.decideValues(values, 75).actions, c.decideValues(values, 75, undefined, { history: [], now }).actions)
  assert.equal(c.decide(customer, { score: 75, customerId: 'C9', now: new Date(now) }).log.time, now)
})

test('a probability is not a score: refused as a score, taken as a probability', () => {
  const c = ActionCatalog.playbook()
  assert.throws(() => c.decide(customer, { score: 0.856 }),
    (e) => e.code === 'INVALID_PARAMETER' && /multiply a probability by 100 or pass it as probability/.test(e.message) && /got 0\.856$/.test(e.message))
  assert.deepEqual(c.decide(customer, { probability: 0.856 }), c.decide(customer, { score: 85.6 }))
  assert.throws(() => c.decide(customer, { probability: 85.6 }), /^Error: probability must be a churn probability in \[0, 1\]/)
  assert.throws(() => c.decide(customer, { score: 85.6, probability: 0.856 }), /not both/)
  assert.throws(() => c.decide(customer, {}), /score or probability must be given/)
  const values = c.encode(customer)
  assert.deepEqual(c.decideValues(values, null, undefined, { probability: 0.856 }).actions, c.decideValues(values, 85.6).actions)
  assert.throws(() => c.decideValues(values, 0.856), /got 0\.856/)
})

test('unknown factors and fields list the known ones, closest first; ignoreExtra leaves them out', () => {
  const c = ActionCatalog.playbook()
  assert.throws(() => c.decide(customer, { score: 75, factors: { bill_shok: 5 } }),
    (e) => e.code === 'UNKNOWN_VALUE' && e.message.startsWith('unknown factor "bill_shok"; expected one of bill_shock, repeat_contacts_90d, '))
  assert.throws(() => c.decide({ ...customer, monthy_bill: 60 }, { score: 75 }),
    (e) => e.message.startsWith('unknown customer field "monthy_bill"; expected one of monthly_bill, '))
  const wide = c.decide({ ...customer, gender: 'Female', TotalCharges: 1889.5 }, { score: 75, factors: { bill_shock: 0.9, Contract: 2 }, ignoreExtra: true })
  assert.deepEqual(wide, c.decide(customer, { score: 75, factors: { bill_shock: 0.9 } }))
})

test('a customer without a survey answer gets a decision, the trace saying the answer is missing', () => {
  const c = ActionCatalog.playbook()
  const quiet = { ...customer, complained_outage: false }
  const { last_nps: _, ...noKey } = quiet
  for (const cu of [{ ...quiet, last_nps: null }, { ...quiet, last_nps: NaN }, noKey]) {
    const d = c.decide(cu, { score: 12 })
    assert.deepEqual(d.actions.map((a) => a.id), ['lock_in_12m', 'feedback_survey', 'no_action'])
    const cb = d.trace.find((t) => t.id === 'detractor_callback')
    assert.deepEqual([cb.detail, cb.condition, cb.seen], ['actions[3].applicability: last_nps <= 6 (last_nps missing)', 'last_nps <= 6', 'last_nps missing'])
  }
  const r = c.decideValues(c.encode(noKey), 12)
  assert.deepEqual(r.actions.map((i) => c.actions[i]), ['lock_in_12m', 'feedback_survey', 'no_action'])
})

test('ActionCatalog.load reads a catalogue file, errors naming the file', () => {
  const os = require('node:os')
  const file = path.join(__dirname, '..', '..', 'examples', 'catalogues', 'telco.json')
  const telco = ActionCatalog.load(file)
  assert.equal(telco.actions[0], 'contract_offer')
  assert.deepEqual(telco.actions, ActionCatalog.fromJson(fs.readFileSync(file, 'utf8')).actions)
  // A new month-to-month fiber customer at high risk: the contract offer (a month's bill x 1.2 lever) first.
  const d = telco.decide({ tenure_months: 2, Contract: 'Month-to-month', InternetService: 'Fiber optic', TechSupport: 'No',
    OnlineSecurity: 'No', PaymentMethod: 'Mailed check', monthly_bill: 80, SeniorCitizen: 0 }, { probability: 0.8 })
  assert.deepEqual(d.actions.map((a) => [a.id, a.priority]), [['contract_offer', 96], ['tech_support_trial', 18], ['fiber_care_call', 12]])
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nps-catalogue-'))
  const bad = path.join(dir, 'bad.json')
  fs.writeFileSync(bad, JSON.stringify({ fields: { x: 'number' }, actions: [{ id: 'a', channel: 'sms', eligibility: { field: 'y', op: '>', value: 1 } }] }))
  assert.throws(() => ActionCatalog.load(bad), (e) => e.code === 'UNKNOWN_VALUE' && e.message.startsWith(`unknown actions[0].eligibility.field (catalogue file ${bad}) "y"`))
  const absent = path.join(dir, 'absent.json')
  assert.throws(() => ActionCatalog.load(absent), (e) => e.code === 'INVALID_PARAMETER' && e.message.startsWith(`path must be a readable catalogue file, got "${absent}" (`))
  fs.rmSync(dir, { recursive: true })
})

test('a value of the wrong type names the field and the value, never an internal type', () => {
  const c = ActionCatalog.playbook()
  const customer = { tenure_days: 400, segment: 'consumer', complained_outage: true, monthly_bill: 60 }
  const check = (value, field, got) => assert.throws(() => c.decide({ ...customer, [field]: value }, { score: 75 }), (e) =>
    e.code === 'INVALID_PARAMETER' && e.message.startsWith(`customer field "${field}" must be `) && e.message.endsWith(`got ${got}`) &&
    !/f64|String|Number\(|Either/.test(e.message))
  check(1, 'complained_outage', '1')
  check('x', 'tenure_days', '"x"')
  check([1, 2], 'tenure_days', 'an array')
  check({ a: 1 }, 'segment', 'an object')
  check(10n, 'monthly_bill', 'a bigint')
  // Models read their inputs the same way.
  const { ChurnModel } = require('../../nps-node')
  const model = ChurnModel.fromJson(JSON.stringify(require('../vectors/churn_model.json').model))
  const input = model.inputs[0]
  assert.throws(() => model.score({ [input]: [1] }), (e) => e.code === 'INVALID_PARAMETER' && e.message === `customer field "${input}" must be a number, a string, a boolean or null, got an array`)
})

test('uplift ranks by saved value; its mistakes name the action and the value', () => {
  const c = ActionCatalog.fromJson(JSON.stringify({
    fields: { value: 'number' },
    actions: [{ id: 'save_call', channel: 'call', value: { field: 'value', times: 1 } },
      { id: 'discount', channel: 'sms', value: { field: 'value', times: 0.5 } }],
  }))
  const d = c.decide({ value: 100 }, { score: 50, uplift: { save_call: 0.1, discount: 0.3 } })
  assert.deepEqual(d.actions.map((a) => [a.id, a.priority]), [['discount', 0.3 * 50], ['save_call', 0.1 * 100]])
  assert.throws(() => c.decide({ value: 100 }, { score: 50, uplift: { save_call: 0.1 } }),
    { code: 'INVALID_PARAMETER', message: /uplift\["discount"\] must be an uplift for every action/ })
  assert.throws(() => c.decide({ value: 100 }, { score: 50, uplift: { call: 0.1, save_call: 0.1, discount: 0.1 } }),
    { code: 'UNKNOWN_VALUE', message: /unknown uplift "call"; expected one of save_call, discount/ })
  assert.throws(() => c.decide({ value: 100 }, { score: 50, uplift: { save_call: 0.1, discount: -3 } }),
    { code: 'INVALID_PARAMETER', message: /the uplift of action "discount" must be a finite number in -1..=1/ })
  assert.throws(() => c.decide({ value: 100 }, { score: 50, uplift: { save_call: 0.1, discount: 0.1 } }, new Learner()),
    { code: 'INVALID_PARAMETER', message: /given with a learner/ })
})

test('a trace with text beyond ASCII crosses whole, each entry cut where it ends', () => {
  // The trace crosses as one string cut by offsets in UTF-16 units: an action id, a value and
  // a condition with accents or an emoji must not shift the entries after them.
  const c = ActionCatalog.fromJson(JSON.stringify({
    fields: { ville: 'string', n: 'number' },
    actions: [
      { id: 'remise_été', label: 'Remise d’été', channel: 'sms', group: 'g', eligibility: { field: 'ville', op: '==', value: 'Genève' } },
      { id: 'appel_📞', label: 'Appel', channel: 'call', group: 'g', eligibility: { field: 'n', op: '>', value: 10 } },
      { id: 'merci', label: 'Merci', channel: 'sms', group: 'g', eligibility: { field: 'ville', op: '==', value: 'Zürich' } },
    ],
  }))
  const customer = { ville: 'Zürich', n: 5 }
  const expected = [
    { id: 'remise_été', status: 'not_eligible', detail: 'actions[0].eligibility: ville == "Genève" (ville = "Zürich")', condition: 'ville == "Genève"', seen: 'ville = "Zürich"' },
    { id: 'appel_📞', status: 'not_eligible', detail: 'actions[1].eligibility: n > 10 (n = 5)', condition: 'n > 10', seen: 'n = 5' },
    { id: 'merci', status: 'kept', detail: 'rank 1', priority: 1, seen: '' },
  ]
  assert.deepEqual(c.decide(customer, { score: 50 }).trace, expected)
  assert.deepEqual(c.decideValues(c.encode(customer), 50, undefined, { trace: true }).trace, expected)
})

test('a plain customer object and the same fields read one by one give the same record, or the same error', () => {
  // A plain object of numbers, strings, booleans and nulls crosses in one call (names and
  // strings as one string, numbers as they are); any other object (here: one whose
  // prototype is not Object.prototype) property by property. Both must read the same.
  const c = ActionCatalog.playbook()
  const slow = (o) => Object.assign(Object.create({ inherited: undefined }), o)
  const base = { tenure_days: 400, segment: 'prepaid', complained_outage: false, complained_overage: true,
    monthly_bill: 55.5, payment_trend: 1.1, usage_trend_30d: 0.9, last_nps: 7 }
  const variants = [base, { ...base, segment: 'unheard of' }, { ...base, last_nps: null }, { ...base, last_nps: NaN },
    { ...base, last_nps: undefined }, { ...base, tenure_days: Infinity }, { ...base, monthly_bill: -0 },
    { ...base, tenure_days: 1e308 * 10 }, { ...base, segment: 'é 📞 "quoted" \\ \n' }, { ...base, colour: 'red' },
    { ...base, when: new Date(0) }, { ...base, tags: ['a'] }, { ...base, n: 10n }, { ...base, monthly_bill: '55' },
    { tenure_days: 5 }, {}]
  const outcome = (f) => { try { return Array.from(f()) } catch (e) { return `${e.code}: ${e.message}` } }
  for (const v of variants) {
    const fast = outcome(() => c.encode(v))
    assert.deepEqual(fast, outcome(() => c.encode(slow(v))), require('node:util').inspect(v))
  }
  assert.deepEqual(outcome(() => c.encode({ ...base, colour: 'red' })).slice(0, 14), 'UNKNOWN_VALUE:')
  // Every double crosses to the bit.
  let state = 12345
  const next = () => { state = (state * 1103515245 + 12345) % 2147483648; return state / 2147483648 }
  const doubles = [5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, 2 ** 64, 2 ** 53 + 2, 0.1 + 0.2, -1e-300]
  for (let i = 0; i < 500; i++) doubles.push((next() - 0.5) * 10 ** Math.floor(next() * 40 - 20))
  for (const x of doubles) {
    const v = { ...base, monthly_bill: x, tenure_days: -x }
    assert.deepEqual(c.encode(v), c.encode(slow(v)), String(x))
    assert.ok(Object.is(c.encode(v)[3], x), String(x))
  }
  // Names and strings of any characters (lengths in UTF-16 units: accents, a surrogate
  // pair, a NUL, an empty name), and more fields than the first array holds.
  const wide = { 'é📞': 1, ...base, segment: 'naïve 📞\0x', '': 2 }
  for (let i = 0; i < 40; i++) wide[`extra_${i}_📞`] = i % 2 ? `v${i}é` : i
  const wideFactors = { ...wide, bill_shock: 0.5 }
  for (const k of Object.keys(wideFactors)) if (typeof wideFactors[k] !== 'number') delete wideFactors[k]
  const seen = (o, f) => outcome(() => c.decide(o, { score: 50, factors: f, now: 0, ignoreExtra: true }).trace.map((t) => t.seen))
  assert.deepEqual(seen(wide, wideFactors), seen(slow(wide), slow(wideFactors)))
  assert.match(seen(wide, wideFactors).join('|'), /last_nps = 7/)
  // The names and strings arrive whole: the errors show them.
  const echo = (o) => outcome(() => c.encode(o))
  assert.match(echo({ 'é📞\0k': 1, ...base }), /customer field "é📞\\0k"/)
  assert.match(echo({ ...base, monthly_bill: 'naïve 📞\0x' }), /naïve 📞\\0x/)
  assert.deepEqual(echo({ 'é📞\0k': 1, ...base }), echo(slow({ 'é📞\0k': 1, ...base })))
  assert.deepEqual(echo({ ...base, monthly_bill: 'naïve 📞\0x' }), echo(slow({ ...base, monthly_bill: 'naïve 📞\0x' })))
  // Factors too: a plain object of numbers in one call, anything else one by one.
  const factors = { bill_shock: 0.5, repeat_contacts_90d: -0.25 }
  const decide = (f) => outcome(() => c.decide(base, { score: 50, factors: f, now: 0 }).actions.map((a) => a.id))
  assert.deepEqual(decide(factors), decide(slow(factors)))
  assert.deepEqual(decide({ bill_shock: NaN }), decide(slow({ bill_shock: NaN })))
  assert.deepEqual(decide({ nope: 1 }), decide(slow({ nope: 1 })))
  assert.match(String(decide({ nope: 1 })), /nope/)
})
