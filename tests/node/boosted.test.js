'use strict'
// Boosted churn models from Node: the shared model file scored and explained to the bit,
// batches and Promises, LightGBM and XGBoost files scored as their libraries score them, the
// ticket scorer serving a boosted model, and bad input.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')

const { BoostedChurnModel, ChurnModel, TicketScorer, ActionCatalog, features, synth } = require('../../nps-node')

const vectors = (name) => JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'vectors', `${name}.json`), 'utf8'))
const v = vectors('boosted_model')
const bits = (x) => Buffer.from(new Float64Array([x]).buffer).toString('hex')

test('the shared boosted model file scores and explains every customer to the bit', () => {
  const model = BoostedChurnModel.fromJson(JSON.stringify(v.model))
  assert.deepEqual(model.inputs, v.inputs)
  assert.equal(bits(model.expectedValue), bits(v.expected_value))
  v.rows.forEach((row, i) => {
    const customer = Object.fromEntries(v.inputs.map((name, j) => [name, row[j]]))
    assert.equal(bits(model.score(customer)), bits(v.probabilities[i]), `row ${i}`)
    assert.deepEqual(Array.from(model.contributions(customer), bits), v.contributions[i].map(bits), `row ${i}`)
    const e = model.explain(customer, { top: 2 })
    assert.equal(bits(e.logOdds), bits(v.log_odds[i]))
    assert.equal(bits(e.baseline), bits(v.expected_value))
    assert.ok(e.raising.length <= 2 && e.raising.every((f) => f.contribution > 0))
  })
  // Saved from Node and read again: the same numbers.
  const again = BoostedChurnModel.fromJson(model.toJson())
  const first = Object.fromEntries(v.inputs.map((name, j) => [name, v.rows[0][j]]))
  assert.equal(bits(again.score(first)), bits(v.probabilities[0]))
  const imp = model.importance()
  assert.deepEqual(imp.inputs, v.inputs)
  assert.ok(imp.splits.reduce((a, b) => a + b, 0) > 0)
})

test('batches, also as Promises, score and explain like single customers', async () => {
  const model = BoostedChurnModel.fromJson(JSON.stringify(v.feature_model))
  const names = model.inputs
  const b = synth.generate({ customers: 300, seed: 5 })
  const batch = features.retention(b.events, { asOf: b.asOf })
  const sync = model.scoreBatch(batch.values, batch.names)
  const promised = await model.scoreBatchAsync(batch.values, batch.names)
  const contrib = await model.contributionsBatchAsync(batch.values, batch.names)
  assert.deepEqual(Array.from(model.contributionsBatch(batch.values, batch.names), bits), Array.from(contrib, bits))
  const w = names.length + 1
  for (let i = 0; i < 300; i += 29) {
    const row = batch.values.slice(i * names.length, (i + 1) * names.length)
    assert.equal(bits(sync[i]), bits(model.scoreValues(row)), `row ${i}`)
    assert.equal(bits(promised[i]), bits(sync[i]))
    const one = model.explainValues(row)
    const c = contrib.slice(i * w, (i + 1) * w)
    const sum = c.reduce((a, x) => a + x, 0)
    assert.ok(Math.abs(sum - one.logOdds) < 1e-9, `${sum} vs ${one.logOdds}`)
  }
  await assert.rejects(model.scoreBatchAsync(new Float64Array(5), names), (e) => e.code === 'INVALID_PARAMETER')
})

test('LightGBM and XGBoost files score and explain as their libraries do', () => {
  const cases = vectors('boosted_import').cases
  for (const name of ['lightgbm_binary_nan', 'xgboost_binary_nan']) {
    const c = cases.find((x) => x.name === name)
    const model = c.library === 'lightgbm' ? BoostedChurnModel.fromLightgbm(c.model) : BoostedChurnModel.fromXgboost(c.model)
    const tol = c.library === 'lightgbm' ? 1e-9 : 1e-5
    assert.deepEqual(model.inputs, c.feature_names)
    const values = new Float64Array(c.rows.flatMap((r) => r.map((x) => x ?? NaN)))
    const p = model.scoreBatch(values, c.feature_names)
    const contrib = model.contributionsBatch(values, c.feature_names)
    const w = c.feature_names.length + 1
    c.rows.forEach((_, i) => {
      assert.ok(Math.abs(p[i] - c.probability[i][0]) <= tol, `${name} row ${i}`)
      c.contrib[i][0].forEach((want, j) => {
        assert.ok(Math.abs(contrib[i * w + j] - want) <= tol * Math.max(1, Math.abs(want)), `${name} row ${i} input ${j}`)
      })
    })
  }
  assert.throws(() => BoostedChurnModel.fromLightgbm('tree\nversion=v4\n'), (e) => typeof e.code === 'string' && e instanceof Error)
  const text = cases[0].model
  assert.throws(() => BoostedChurnModel.fromLightgbm(text.slice(0, text.length / 2)), (e) => /tree/i.test(e.message))
})

test('corrupted files and bad customers are errors with a code', () => {
  const text = JSON.stringify(v.model)
  assert.throws(() => BoostedChurnModel.fromJson(text.replace('"feature":1', '"feature":99')), (e) => e.code === 'INVALID_PARAMETER' && /feature/.test(e.message))
  assert.throws(() => BoostedChurnModel.fromJson(text.slice(0, 100)), (e) => e.code === 'INVALID_PARAMETER')
  assert.throws(() => ChurnModel.fromJson(text), (e) => /kind/.test(e.message))
  const model = BoostedChurnModel.fromJson(text)
  const odd = Object.fromEntries(v.inputs.map((n, j) => [n, v.rows[0][j]]))
  odd.plan = 'business'
  assert.throws(() => model.score(odd), (e) => e.code === 'UNKNOWN_VALUE' && /business/.test(e.message))
  assert.throws(() => model.score({ tenure_days: 1 }), (e) => e.code === 'INVALID_PARAMETER' && /no field/.test(e.message))
})

test('the ticket scorer serves a boosted model with its own numbers', () => {
  const model = BoostedChurnModel.fromJson(JSON.stringify(v.feature_model))
  const engine = new features.FeatureEngine(null)
  const defaults = { segment: 'postpaid', complained_outage: false, complained_overage: true, monthly_bill: 42,
    last_nps: 7, payment_trend: 1, usage_trend_30d: 1, tenure_days: 0 }
  const scorer = new TicketScorer(engine, model, ActionCatalog.playbook(), null, { customer: defaults })
  assert.deepEqual(scorer.inputs, model.inputs)
  const history = new features.CustomerHistory()
  const start = Date.UTC(2026, 0, 1)
  history.push({ time: start, kind: 'contact_opened', department: 'billing' })
  history.push({ time: start + 86_400_000, kind: 'bill', value: 80 })
  const now = start + 10 * 86_400_000
  const t = scorer.ticket(history, { time: now - 60_000, kind: 'contact_opened', department: 'billing' }, { now, details: true })
  const x = model.explainValues(t.features.length === model.inputs.length ? t.features : new Float64Array(t.features))
  assert.equal(bits(t.probability), bits(x.probability))
  assert.equal(bits(t.baseline), bits(model.expectedValue))
  assert.deepEqual(t.raising, x.raising)
})
