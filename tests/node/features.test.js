'use strict'
// Churn features from Node: both input forms, no leakage, declared kinds and errors.
const test = require('node:test')
const assert = require('node:assert/strict')

const { features } = require('../../nps-node')

const day = 86400000
const asOf = Date.UTC(2026, 6, 1)
const events = [
  { customer: 'c1', time: new Date(Date.UTC(2026, 0, 1)), kind: 'subscription_start' },
  { customer: 'c1', time: asOf - 30 * day, kind: 'contact_opened', case: 'k1', department: 'billing' },
  { customer: 'c1', time: asOf - 26 * day, kind: 'contact_opened', case: 'k2' },
  { customer: 'c1', time: asOf - 1000, kind: 'contact_opened', case: 'k3' },
  { customer: 'c2', time: asOf - 16 * day, kind: 'survey_answer', value: 3 },
  { customer: 'c1', time: asOf, kind: 'contact_opened', case: 'k4' },
]

function row(m, customer) {
  const i = m.customers.indexOf(customer)
  const out = {}
  m.names.forEach((n, j) => { out[n] = m.values[i * m.names.length + j] })
  return out
}

test('retention features from event objects', () => {
  const m = features.retention(events, { asOf: new Date(asOf) })
  assert.deepEqual(m.customers, ['c1', 'c2'])
  assert.equal(m.values.length, 2 * m.names.length)
  const c1 = row(m, 'c1')
  assert.equal(c1.tenure_days, 181)
  assert.equal(c1.contacts_30d, 3)
  assert.equal(c1.repeat_contacts_90d, 1)
  assert.equal(c1.cases_90d, 3)
  const c2 = row(m, 'c2')
  assert.equal(c2.last_nps, 3)
  assert.equal(c2.last_nps_category, 0)
  assert.ok(Number.isNaN(c2.tenure_days))
  assert.equal(m.descriptions[m.names.indexOf('contacts_30d')], 'Support contacts opened in the last 30 days')
})

test('columnar input gives the same matrix, and later events change nothing', () => {
  const columns = {
    customer: events.map((e) => e.customer),
    time: Float64Array.from(events, (e) => Number(e.time)),
    kind: events.map((e) => e.kind),
    value: Float64Array.from(events, (e) => e.value ?? NaN),
    case: events.map((e) => e.case ?? null),
    department: events.map((e) => e.department ?? null),
  }
  const a = features.retention(events, { asOf })
  const b = features.retention(columns, { asOf })
  assert.deepEqual([...b.values].map(String), [...a.values].map(String))
  const later = features.retention(events.concat([{ customer: 'c2', time: asOf + day, kind: 'outage' }]), { asOf })
  assert.deepEqual([...later.values].map(String), [...a.values].map(String))
})

test('declarative definitions, declared kinds and errors', () => {
  const defs = JSON.stringify({ features: [{ name: 'roaming', kinds: ['roaming'], aggregation: 'count' }] })
  const ev = [{ customer: 1, time: 0, kind: 'roaming' }]
  assert.equal(features.compute(ev, defs, { asOf: 1000, declaredKinds: ['roaming'] }).values[0], 1)
  assert.throws(() => features.compute(ev, defs, { asOf: 1000 }), { code: 'UNKNOWN_VALUE', message: /unknown event kind \(kind\[0\]\) "roaming"/ })
  assert.throws(() => features.compute(ev, '{"features": [{"name": "x", "kinds": ["outage"], "aggregation": "median"}]}', { asOf: 1000, declaredKinds: ['roaming'] }), { message: /features\[0\]/ })
  assert.throws(() => features.retention([{ customer: 'a', time: 0, kind: 'contact_resolved', duration: -5 }], { asOf: 1000 }), { code: 'NEGATIVE', message: 'duration[0] = -5 is negative' })
  assert.throws(() => features.retention([{ customer: 'a', time: NaN, kind: 'outage' }], { asOf: 1000 }), { code: 'OUT_OF_RANGE', message: /time\[0\]/ })
  // Beyond a Date's range a number of milliseconds is no time (it saturated silently before).
  assert.throws(() => features.retention([{ customer: 'a', time: 1e300, kind: 'outage' }], { asOf: 1000 }), { code: 'OUT_OF_RANGE', message: /time\[0\] = 1\d{300} is outside valid times/ })
  assert.throws(() => features.retention([{ customer: 'a', time: 0, kind: 'outage' }], { asOf: -9e15 }), { code: 'OUT_OF_RANGE', message: /asOf/ })
  assert.equal(features.retention([{ customer: 'a', time: 8.64e15, kind: 'outage' }], { asOf: 8.64e15 }).customers.length, 1)
  assert.ok(JSON.parse(features.retentionDefinitions()).features.length > 20)
  assert.ok(features.builtInKinds().includes('top_up'))
})

test('columns of different lengths are an error naming the column; ids as numbers or text are one customer', () => {
  assert.throws(() => features.retention({ customer: ['a', 'b'], time: [1, 2], kind: ['bill'] }, { asOf: 10 }),
    (e) => e.code === 'LENGTH_MISMATCH' && e.message === 'kind has 1 elements but customer has 2')
  assert.throws(() => features.retention({ customer: ['a'], time: [1], kind: ['bill'], value: [1, 2] }, { asOf: 10 }),
    (e) => e.code === 'LENGTH_MISMATCH' && /^value has 2/.test(e.message))
  const m = features.retention({ customer: [42, '42', 'b'], time: [1000, 2000, 3000], kind: ['bill', 'bill', 'bill'] },
    { asOf: 1e7 })
  assert.deepEqual(m.customers, ['42', 'b'])
})
