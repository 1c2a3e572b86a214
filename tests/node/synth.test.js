'use strict'
// The synthetic customer base from Node: the shared fingerprint, features on it, errors.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')

const { synth, features } = require('../../nps-node')

const v = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'vectors', 'synth.json'), 'utf8'))

test('the same base and features as Rust and Python', () => {
  const b = synth.generate(v.config)
  const e = b.events
  assert.equal(e.kind.length, v.events)
  assert.deepEqual(Array.from(e.time.slice(0, 5), (ms) => ms / 1000), v.first_times)
  assert.equal(e.time.reduce((s, ms) => s + ms / 1000, 0), v.time_sum)
  assert.deepEqual(b.customers.id.filter((_, i) => b.customers.churned[i]), v.churned)
  assert.deepEqual(b.customers.trueScore.slice(0, 20), v.true_scores)
  assert.deepEqual(b.surveys.customer.slice(0, 10), v.survey_customers)
  assert.deepEqual(b.surveys.score.slice(0, 10), v.survey_scores)
  const m = features.retention(e, { asOf: b.asOf })
  assert.deepEqual(m.names, v.feature_names)
  for (const [id, row] of Object.entries(v.features)) {
    assert.deepEqual(b.customers.drivers[b.customers.id.indexOf(id)], v.drivers[id])
    const i = m.customers.indexOf(id)
    const got = Array.from(m.values.slice(i * m.names.length, (i + 1) * m.names.length), (x) => (Number.isNaN(x) ? null : x))
    assert.deepEqual(got, row, id)
  }
})

test('defaults, dates and errors', () => {
  const b = synth.generate({ customers: 50, asOf: new Date(Date.UTC(2025, 0, 1)) })
  assert.equal(b.customers.id.length, 50)
  assert.equal(b.asOf, Date.UTC(2025, 0, 1))
  assert.ok(b.customers.churnTime.every((t, i) => (t === null) === !b.customers.churned[i]))
  assert.throws(() => synth.generate({ customers: 0 }), (err) => err.code === 'INVALID_PARAMETER' && /customers/.test(err.message))
  assert.throws(() => synth.generate({ respondRate: 2 }), /respond_rate/)
})
