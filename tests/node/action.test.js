'use strict'
// Next-best-action from Node: the shipped playbook, the trace, contact policies, errors.
const test = require('node:test')
const assert = require('node:assert/strict')

const { ActionCatalog } = require('../../nps-node')

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
  assert.equal(thanks.detail, 'actions[7].applicability')
  const history = [{ action: 'detractor_callback', channel: 'call', group: 'care', time: now - 86400000, kind: 'presented' }]
  const d2 = c.decide(customer, { score: 75, history, now })
  assert.ok(d2.actions.every((a) => a.channel !== 'call'))
  assert.equal(d2.trace.find((t) => t.id === 'bill_discount').status, 'suppressed')
})

test('errors name the JSON path or the field', () => {
  assert.throws(() => ActionCatalog.fromJson(JSON.stringify({ fields: { x: 'number' },
    actions: [{ id: 'a', channel: 'sms', group: 'g', eligibility: { field: 'nope', op: '>', value: 1 } }] })),
  (e) => /actions\[0\]\.eligibility/.test(e.message))
  const c = ActionCatalog.playbook()
  assert.throws(() => c.decide({ colour: 'red' }, { score: 10 }), (e) => e.code === 'UNKNOWN_VALUE' && /colour/.test(e.message))
  assert.throws(() => c.decide({ ...customer, tenure_days: null }, { score: 10 }), /tenure_days/)
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
