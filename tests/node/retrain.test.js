'use strict'
// Retraining from Node against the shared vector (tests/vectors/retrain.json): model files
// that keep a reference summary, a recalibration and a lineage score to the bit and keep
// their id; drift against the stored reference, the champion-and-challenger decision and the
// retrain advice as Python and Rust give them; older files still read; bad input with the
// core's codes.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')

const { ChurnModel, BoostedChurnModel, monitor } = require('../../nps-node')

const vectors = path.join(__dirname, '..', 'vectors')
const v = JSON.parse(fs.readFileSync(path.join(vectors, 'retrain.json'), 'utf8'))

// The rows as a table: numbers as a Float64Array (null is NaN), text as an array.
function table(inputs, rows) {
  const t = {}
  inputs.forEach((name, j) => {
    const cells = rows.map((r) => r[j])
    t[name] = cells.some((c) => typeof c === 'string') ? cells : new Float64Array(cells.map((c) => (c === null ? NaN : c)))
  })
  return t
}
const window = table(v.inputs, v.rows)
const customer = (i) => Object.fromEntries(v.inputs.map((name, j) => [name, v.rows[i][j]]))
const load = () => [ChurnModel.fromJson(JSON.stringify(v.logistic.model)), BoostedChurnModel.fromJson(JSON.stringify(v.boosted.model))]

test('the model files score to the bit and keep their id', () => {
  const [logistic, boosted] = load()
  for (const [kind, model] of [['logistic', logistic], ['boosted', boosted]]) {
    assert.equal(model.modelId, v[kind].model_id)
    v.rows.forEach((_, i) => assert.equal(model.score(customer(i)), v[kind].probabilities[i], `${kind} row ${i}`))
    assert.ok(model.recalibration !== null && model.referenceSummary !== null)
    assert.deepEqual(model.referenceSummary.inputs, [...v.inputs, 'score'])
    const again = kind === 'logistic' ? ChurnModel.fromJson(model.toJson()) : BoostedChurnModel.fromJson(model.toJson())
    assert.equal(again.toJson(), model.toJson())
    assert.equal(again.modelId, model.modelId)
    assert.equal(JSON.parse(model.toJson()).version, 3)
  }
  assert.equal(logistic.recalibration.method, 'platt')
  assert.equal(boosted.recalibration.method, 'isotonic')
  assert.equal(logistic.lineage.dataWindow.rows, 1000)
  assert.equal(boosted.lineage.decisions.length, 1)
  assert.equal(boosted.lineage.decisions[0].decidedAt, '2026-12-30')
})

test('drift, decision and advice as the vector', () => {
  const [logistic, boosted] = load()
  const report = monitor.drift(logistic, window)
  assert.deepEqual(JSON.parse(report.json), v.drift.report)
  assert.deepEqual(report.drifted, v.drift.drifted)
  assert.deepEqual(JSON.parse(logistic.drift(window).json), v.drift.report)
  const decision = monitor.compare(logistic, boosted, window, v.y, { decidedAt: '2027-01-31' })
  assert.deepEqual(JSON.parse(decision.json), v.decision)
  assert.equal(decision.promote, v.decision.promote)
  assert.equal(decision.champion.auc, v.decision.champion.auc)
  // compare records the decision in the challenger's lineage.
  assert.equal(boosted.lineage.decisions.length, 2)
  assert.notEqual(boosted.modelId, v.boosted.model_id)
  const advice = monitor.retrainPolicy({ drift: report, ageDays: 200 })
  assert.deepEqual(JSON.parse(advice.json), v.advice)
  assert.equal(advice.retrain, v.advice.retrain)
  const calm = monitor.retrainPolicy({ ageDays: 30 })
  assert.equal(calm.retrain, false)
  assert.deepEqual(calm.reasons, [])
})

test('recalibration and lineage can be set, and a promotion writes the parent', () => {
  const [logistic, boosted] = load()
  const raw = v.rows.map((_, i) => v.logistic.probabilities[i])
  const before = logistic.score(customer(0))
  logistic.setRecalibration(null)
  assert.equal(logistic.recalibration, null)
  assert.notEqual(logistic.score(customer(0)), before)
  logistic.recalibrate(v.y, window, 'isotonic')
  assert.equal(logistic.recalibration.method, 'isotonic')
  const fitted = monitor.Recalibrator.fromJson(logistic.recalibration.toJson())
  assert.equal(fitted.method, 'isotonic')
  logistic.recalibrate(v.y, raw)
  assert.equal(logistic.recalibration.method, 'platt')
  logistic.setLineage(null)
  assert.equal(logistic.lineage, null)
  const decision = monitor.compare(boosted, logistic, window, v.y, { aucMargin: 1, brierMargin: 0 })
  if (decision.promote) {
    assert.equal(logistic.lineage.parent, boosted.modelId)
    assert.equal(logistic.lineage.promotionMetrics.auc, decision.challenger.auc)
  }
  assert.equal(logistic.lineage.decisions.length, 1)
  const copy = ChurnModel.fromJson(logistic.toJson())
  assert.equal(copy.lineage.json, logistic.lineage.json)
})

test('older files read as before', () => {
  for (const [name, Cls] of [['churn_model.json', ChurnModel], ['boosted_model.json', BoostedChurnModel]]) {
    const old = JSON.parse(fs.readFileSync(path.join(vectors, name), 'utf8'))
    const model = Cls.fromJson(JSON.stringify(old.model))
    old.rows.forEach((row, i) => {
      const c = Object.fromEntries(old.inputs.map((n, j) => [n, row[j]]))
      assert.equal(model.score(c), old.probabilities[i], `${name} row ${i}`)
    })
    assert.equal(model.referenceSummary, null)
    assert.equal(model.lineage, null)
    assert.equal(JSON.parse(model.toJson()).version, old.model.version)
    assert.throws(
      () => monitor.drift(model, table(old.inputs, old.rows)),
      (e) => e.code === 'INVALID_PARAMETER' && /reference_summary/.test(e.message),
    )
  }
})

test('bad input names the field and value', () => {
  const [logistic, boosted] = load()
  assert.throws(() => logistic.recalibrate(v.y, window, 'nope'), (e) => e.code === 'UNKNOWN_VALUE' && /nope/.test(e.message))
  assert.throws(() => logistic.recalibrate(v.y, [0.1, 0.2]), (e) => e.code === 'LENGTH_MISMATCH')
  assert.throws(() => monitor.compare(logistic, boosted, window, v.y.slice(0, 10)), (e) => e.code === 'LENGTH_MISMATCH' && /champion/.test(e.message))
  assert.throws(() => monitor.retrainPolicy({ ageDays: -1 }), (e) => e.code === 'INVALID_PARAMETER' && /age_days/.test(e.message))
  assert.throws(() => logistic.setLineage('{"parent": "m1"}'), (e) => e.code === 'INVALID_PARAMETER' && /lineage.parent/.test(e.message))
})

test('synth.generateDrifted gives the drifted base Python wrote the vector from', () => {
  const { synth, features } = require('../../nps-node')
  // make_retrain.py: generate_drifted(customers=1_000, seed=20), its first rows are the window.
  const d = synth.generateDrifted({ base: { customers: 1000, seed: 20 } })
  const day = 86400000
  assert.equal(d.base.asOf, synth.generate({ customers: 1 }).asOf + 182 * day)
  assert.equal(d.driftFrom, d.base.asOf - 45 * day)
  assert.deepEqual([...d.driftedKinds].sort(), ['bill', 'contact_opened', 'contact_resolved', 'outage', 'payment'])
  const hit = d.networkHit.filter(Boolean).length
  assert.ok(hit > 180 && hit < 320, `network hit ${hit} of 1000 (share 0.25)`)
  const m = features.retention(d.base.events, { asOf: d.base.asOf })
  const numeric = v.inputs.slice(0, 6)
  v.rows.forEach((row, r) => {
    const id = d.base.customers.id[r]
    const i = m.customers.indexOf(id)
    numeric.forEach((name, j) => {
      const x = m.values[i * m.names.length + m.names.indexOf(name)]
      assert.equal(Number.isNaN(x) ? null : x, row[j], `${id} ${name}`)
    })
    assert.deepEqual([d.base.customers.plan[r], d.base.customers.segment[r]], row.slice(6), id)
  })
  // No drift: generate's base.
  const asOf = new Date(Date.UTC(2026, 6, 1))
  const none = synth.generateDrifted({ base: { customers: 200, seed: 3, asOf }, priceChange: 1, networkShare: 0 })
  assert.deepEqual(none.base.events.time, synth.generate({ customers: 200, seed: 3, asOf }).events.time)
  assert.throws(() => synth.generateDrifted({ networkShare: 2 }), (e) => e.code === 'INVALID_PARAMETER' && /network_share/.test(e.message))
  assert.throws(() => synth.generateDrifted({ priceChange: 0 }), (e) => e.code === 'INVALID_PARAMETER' && /price_change/.test(e.message))
})
