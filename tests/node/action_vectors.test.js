'use strict'
// The shared decisions of tests/vectors/actions.json (also read by the Rust and Python
// tests): the same actions, priorities, trace (status, detail, condition, values seen) and
// errors. The vector's times are epoch seconds; Node's are milliseconds.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')

const { ActionCatalog } = require('../../nps-node')

const vector = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'vectors', 'actions.json'), 'utf8'))
const custom = JSON.stringify(vector.custom_catalogue)

function decide(c) {
  const catalog = c.catalogue === 'playbook' ? ActionCatalog.playbook() : ActionCatalog.fromJson(custom)
  const options = { top: c.top, ignoreExtra: c.ignore_extra ?? false }
  if (c.now !== undefined) options.now = c.now * 1000
  if (c.score !== undefined) options.score = c.score
  if (c.probability !== undefined) options.probability = c.probability
  if (c.factors !== undefined) options.factors = c.factors
  if (c.uplift !== undefined) options.uplift = c.uplift
  if (c.history !== undefined) options.history = c.history.map((o) => ({ ...o, time: o.time * 1000 }))
  let d
  try {
    d = catalog.decide(c.customer, options)
  } catch (e) {
    return { error: { code: e.code, message: e.message } }
  }
  return {
    actions: d.actions.map((a) => ({ id: a.id, priority: a.priority, value: a.value })),
    // The vector writes absent values as null, as Python's None.
    trace: d.trace.map((t) => ({ id: t.id, status: t.status, detail: t.detail, priority: t.priority ?? null,
      condition: t.condition ?? null, seen: t.seen })),
  }
}

for (const c of vector.cases) {
  test(`actions.json: ${c.name}`, () => {
    assert.deepEqual(decide(c), c.expected)
  })
}

test('actions.json: decisions and errors both', () => {
  const errors = vector.cases.filter((c) => c.expected.error !== undefined)
  assert.ok(errors.length >= 7 && vector.cases.length - errors.length >= 8)
})

test('actions.json: the learner\'s credible interval equals scipy\'s Beta quantiles', () => {
  const { Learner } = require('../../nps-node')
  for (const c of vector.learner_intervals) {
    const learner = new Learner({ prior: c.prior, exploration: 0, rampUp: 0 })
    for (let i = 0; i < c.successes; i++) learner.record('a', 's', true)
    for (let i = 0; i < c.failures; i++) learner.record('a', 's', false)
    const [low, high] = learner.interval('a', 's', c.level)
    assert.ok(Math.abs(low - c.expected[0]) <= 1e-10 * c.expected[0], `${JSON.stringify(c)}: ${low}`)
    assert.ok(Math.abs(high - c.expected[1]) <= 1e-10 * c.expected[1], `${JSON.stringify(c)}: ${high}`)
  }
  assert.throws(() => new Learner().interval('a', 's', 1.5), (e) => e.code === 'INVALID_PARAMETER' && /level must be strictly between 0 and 1, got 1.5/.test(e.message))
})
