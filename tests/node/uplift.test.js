'use strict'
// Uplift from Node against the shared vector (tests/vectors/uplift.json): curves, the Qini
// coefficient, uplift at k and customers saved to the bit (the vector holds scikit-uplift's
// values too), the mistakes with the same code and message as Python, the learners on the
// generated campaign and their file.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')

const { uplift, synth } = require('../../nps-node')

const v = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'vectors', 'uplift.json'), 'utf8'))
const nums = (a) => new Float64Array(a.map((x) => (x === null ? NaN : x)))

for (const c of v.cases) {
  test(`the vector to the bit: ${c.name}`, () => {
    const [y, t, s] = [nums(c.y), nums(c.treated), nums(c.score)]
    const o = { outcome: 'retained' }
    const q = uplift.qiniCurve(y, t, s, o)
    assert.deepEqual(Array.from(q.targeted), c.sklift.qini_x)
    assert.deepEqual(Array.from(q.incremental), c.core.qini_incremental)
    assert.deepEqual(Array.from(q.fraction), c.core.qini_fraction)
    for (let i = 0; i < q.incremental.length; i++) assert.ok(Math.abs(q.incremental[i] - c.sklift.qini_y[i]) <= 1e-12)
    assert.deepEqual(Array.from(uplift.upliftCurve(y, t, s, o).incremental), c.core.uplift_incremental)
    const qc = uplift.qiniCoefficient(y, t, s, o)
    assert.equal(qc.coefficient, c.core.qini_coefficient)
    assert.equal(qc.area, c.core.qini_area)
    assert.equal(qc.perfectArea, c.core.perfect_area)
    assert.ok(Math.abs(qc.coefficient - c.sklift.qini_auc_score) <= 1e-12)
    assert.equal(uplift.upliftAt(y, t, s, c.k, o), c.core.uplift_at_overall)
    assert.equal(uplift.upliftAt(y, t, s, c.k, { ...o, strategy: 'by_group' }), c.core.uplift_at_by_group)
    const saved = uplift.savedPerContacts(y, t, s, c.k, { ...o, value: c.value })
    assert.equal(saved.customers, c.core.saved_customers)
    assert.equal(saved.value, c.core.saved_value)
    // Churn labels (the default) read as retention: the same curve.
    const churned = y.map((x) => 1 - x)
    assert.deepEqual(Array.from(uplift.qiniCurve(churned, t, s).incremental), c.core.qini_incremental)
  })
}

test('mistakes give the code and message Python gives', () => {
  for (const m of v.mistakes) {
    assert.throws(
      () => uplift.upliftAt(nums(m.y), nums(m.treated), nums(m.score), m.k, { outcome: m.outcome }),
      (e) => e.code === m.code && e.message === m.message,
      m.message
    )
  }
})

test('the learners find who is saved on the generated campaign', async () => {
  const table = (n, seed) => {
    const base = synth.generate({ customers: n, seed })
    const c = synth.campaign({ base: { customers: n, seed }, campaignSeed: seed + 100 })
    // Two categorical inputs (enough for the binding: the fit, the file and the errors).
    const plan = base.customers.plan
    const segment = base.customers.segment
    return { c, x: { plan, segment }, base }
  }
  const train = table(3000, 5)
  assert.equal(train.c.id.length, 3000)
  assert.deepEqual(new Set(train.c.customerType), new Set(['persuadable', 'sure_thing', 'lost_cause', 'sleeping_dog']))
  const y = new Float64Array(train.c.churned.map(Number))
  const t = new Float64Array(train.c.treated.map(Number))
  for (const kind of ['two_model', 'class_transformation']) {
    const model = uplift.UpliftModel.fit(kind, train.x, y, t)
    assert.equal(model.kind, kind)
    const u = model.predict(train.x)
    assert.equal(u.length, 3000)
    const again = uplift.UpliftModel.fromJson(model.toJson())
    assert.deepEqual(Array.from(again.predict(train.x)), Array.from(u))
  }
  assert.throws(() => uplift.UpliftModel.fit('two_models', train.x, y, t), (e) => e.code === 'UNKNOWN_VALUE')
  const plan = uplift.rankByUplift(new Float64Array([0.1, -0.05, 0.3]), new Float64Array([500, 800, 100]), 10)
  assert.deepEqual(plan.order, [0, 2, 1])
  assert.equal(plan.worthContacting, 2)
  const e = uplift.expectedSaved(new Float64Array([0.1, 0.3, -0.1, 0.2]), 0.5)
  assert.ok(Math.abs(e.customers - 250) < 1e-9)
  // Off the event loop: the same model file; errors reject with the core's code.
  const sync = uplift.UpliftModel.fit('class_transformation', train.x, y, t, { learner: 'boosted', options: '{"n_estimators": 20}' })
  const done = await uplift.UpliftModel.fitAsync('class_transformation', train.x, y, t, { learner: 'boosted', options: '{"n_estimators": 20}' })
  assert.equal(done.toJson(), sync.toJson())
  await assert.rejects(uplift.UpliftModel.fitAsync('two_model', train.x, y, t.slice(1)), (e) => e.code === 'LENGTH_MISMATCH')
  await assert.rejects(uplift.UpliftModel.fitAsync('two_models', train.x, y, t), (e) => e.code === 'UNKNOWN_VALUE')
})
