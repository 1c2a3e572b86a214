'use strict'
// Churn scoring and metrics from Node: the shared model file scored to the bit, batches and
// Promises, the shared metric vectors, and bad input.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')

const { ChurnModel, metrics } = require('../../nps-node')

const vectors = (name) => JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'vectors', `${name}.json`), 'utf8'))
const v = vectors('churn_model')
const bits = (x) => Buffer.from(new Float64Array([x]).buffer).toString('hex')

test("a model's Spark SQL is Python's, and its scores are Spark's bits (tests/vectors/spark_sql.json)", () => {
  const s = vectors('spark_sql')
  const model = ChurnModel.fromJson(JSON.stringify(s.model))
  assert.equal(model.sparkSql(), s.sql)
  s.rows.forEach((row, i) => {
    const customer = Object.fromEntries(s.inputs.map((name, j) => [name, row[j]]))
    assert.equal(bits(model.score(customer)), bits(s.spark[i]), `row ${i}`)
  })
  const recalibrated = ChurnModel.fromJson(JSON.stringify(s.recalibrated))
  assert.throws(() => recalibrated.sparkSql(), (e) => e.code === s.error.code && e.message === s.error.message)
})

test('the shared model file scores every customer to the bit', () => {
  const model = ChurnModel.fromJson(JSON.stringify(v.model))
  assert.deepEqual(model.inputs, v.inputs)
  v.rows.forEach((row, i) => {
    const customer = Object.fromEntries(v.inputs.map((name, j) => [name, row[j]]))
    customer.extra = 'ignored'
    assert.equal(bits(model.score(customer)), bits(v.probabilities[i]), `row ${i}`)
  })
  // Saved from Node and read again: the same numbers.
  const again = ChurnModel.fromJson(model.toJson())
  const first = Object.fromEntries(v.inputs.map((name, j) => [name, v.rows[0][j]]))
  assert.equal(bits(again.score(first)), bits(v.probabilities[0]))
  assert.equal(model.training.rows, 2000)
  assert.ok(model.training.converged)
})

test('batches of numeric inputs, also as a Promise, score like single customers', async () => {
  const model = ChurnModel.fromJson(JSON.stringify(v.numeric_model))
  const names = model.inputs
  // Columns in another order than the model's, plus one it does not read.
  const columns = ['unused', ...names.slice().reverse()]
  const values = new Float64Array(v.rows.flatMap((r) => [7, ...columns.slice(1).map((n) => r[v.inputs.indexOf(n)] ?? NaN)]))
  const sync = model.scoreBatch(values, columns)
  const promised = await model.scoreBatchAsync(values, columns)
  v.numeric_probabilities.forEach((p, i) => {
    assert.equal(bits(sync[i]), bits(p), `row ${i}`)
    assert.equal(bits(promised[i]), bits(p), `row ${i} (async)`)
  })
  await assert.rejects(model.scoreBatchAsync(new Float64Array(4), names.slice(0, 2)), (e) => e.code === 'UNKNOWN_VALUE')
  await assert.rejects(model.scoreBatchAsync(new Float64Array(5), names), (e) => e.code === 'INVALID_PARAMETER' && /whole number of rows/.test(e.message))
  const full = ChurnModel.fromJson(JSON.stringify(v.model))
  assert.throws(() => full.score({ tenure_days: 3 }), (e) => e.code === 'INVALID_PARAMETER' && /no field "repeat_contacts_90d"/.test(e.message))
  const odd = Object.fromEntries(v.inputs.map((n) => [n, n === 'plan' ? 'business' : n === 'segment' ? 'family' : 1]))
  assert.throws(() => full.score(odd), (e) => e.code === 'UNKNOWN_VALUE' && /business/.test(e.message))
})

test('model files are checked when loaded', () => {
  const bad = (doc, code, pattern) => assert.throws(() => ChurnModel.fromJson(JSON.stringify(doc)), (e) => e.code === code && pattern.test(e.message))
  bad({ ...v.model, version: 9 }, 'INVALID_PARAMETER', /newer nps/)
  bad({ ...v.model, coef: v.model.coef.slice(1) }, 'LENGTH_MISMATCH', /coef has/)
  bad({ ...v.model, format: 'x' }, 'INVALID_PARAMETER', /format/)
  assert.throws(() => ChurnModel.fromJson('{'), (e) => e.code === 'INVALID_PARAMETER')
})

for (const c of vectors('metrics').cases) {
  test(`metrics match scikit-learn: ${c.name}`, () => {
    const close = (a, b, what) => assert.ok(Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`)
    const opts = c.weights ? { weights: c.weights } : undefined
    close(metrics.rocAuc(c.y, c.p, opts), c.roc_auc, 'auc')
    close(metrics.averagePrecision(c.y, c.p, opts), c.average_precision, 'ap')
    close(metrics.logLoss(c.y, c.p, opts), c.log_loss, 'log loss')
    close(metrics.brier(c.y, c.p, opts), c.brier, 'brier')
    const t = metrics.thresholdMetrics(c.y, c.p, c.threshold)
    for (const k of ['accuracy', 'precision', 'recall', 'f1']) close(t[k], c[k], k)
    const lift = metrics.liftTable(c.y.map(Boolean), new Float64Array(c.p), c.lift_bins)
    lift.rows.forEach((r, i) => {
      assert.equal(r.positives, c.lift.rows[i].positives)
      close(r.lift, c.lift.rows[i].lift, 'lift')
    })
    const cal = metrics.calibrationTable(c.y, c.p, c.bins)
    cal.forEach((r, i) => close(r.observedRate, c.calibration.observed_rate[i], 'calibration'))
  })
}

test('metric errors name the field, index and value', () => {
  assert.throws(() => metrics.rocAuc([0, 2], [0.1, 0.2]), (e) => e.code === 'OUT_OF_RANGE' && /y\[1\] = 2/.test(e.message))
  assert.throws(() => metrics.rocAuc([1, 1], [0.1, 0.2]), /only class 1/)
  assert.throws(() => metrics.logLoss([0, 1], [0.5, 1.5]), /p\[1\] = 1.5/)
  // Arrays of the wrong JS types name the element (napi-rs alone listed its Rust types).
  const bad = (f, message) => assert.throws(f, (e) => e.code === 'INVALID_PARAMETER' && e.message === message)
  bad(() => metrics.rocAuc([0, 1], [0.1, 'a']), 'element [1] of a number array must be a number, got "a"')
  bad(() => metrics.rocAuc([0, 'x'], [0.1, 0.2]), 'element [1] of a label array must be a number like element [0], got "x"')
  bad(() => metrics.rocAuc([null, 1], [0.1, 0.2]), 'element [0] of a label array must be a boolean, a number or a string, got null')
  bad(() => metrics.rocAuc({ y: [0, 1] }, [0.1, 0.2]), 'a label array must be a boolean[], a number[], a numeric typed array or a string[], got an object')
})

test('metrics take the labels a model is fitted on, with posLabel', () => {
  // 'Yes'/'No' as the Telco file holds them: 'Yes' is positive by default (the class fit
  // makes churn); posLabel names another; labels without a default must name it.
  const close = (a, b, what) => assert.ok(Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`)
  const c = vectors('metrics').cases[0]
  const text = c.y.map((x) => (x === 1 ? 'Yes' : 'No'))
  const labels = c.y.map((x) => (x === 1 ? 'churned' : 'stayed'))
  const opts = c.weights ? { weights: c.weights } : {}
  close(metrics.rocAuc(text, c.p, opts), c.roc_auc, 'auc')
  close(metrics.averagePrecision(labels, c.p, { ...opts, posLabel: 'churned' }), c.average_precision, 'ap')
  close(metrics.logLoss(c.y.map(Boolean), c.p, { ...opts, posLabel: true }), c.log_loss, 'log loss')
  close(metrics.brier(c.y, c.p.map((p) => 1 - p), { ...opts, posLabel: 0 }),
    metrics.brier(c.y.map((x) => 1 - x), c.p.map((p) => 1 - p), opts), 'brier')
  assert.deepEqual(metrics.thresholdMetrics(labels, c.p, c.threshold, { posLabel: 'churned' }),
    metrics.thresholdMetrics(c.y, c.p, c.threshold))
  assert.deepEqual(metrics.liftTable(text, c.p, c.lift_bins), metrics.liftTable(c.y, c.p, c.lift_bins))
  assert.deepEqual(metrics.calibrationTable(labels, c.p, c.bins, { posLabel: 'churned' }),
    metrics.calibrationTable(c.y, c.p, c.bins))
  assert.deepEqual(metrics.rocCurve(labels, c.p, { posLabel: 'churned' }), metrics.rocCurve(c.y, c.p))
  assert.throws(() => metrics.rocAuc(['stayed', 'churned'], [0.1, 0.2]), (e) => e.code === 'INVALID_PARAMETER' &&
    e.message === 'y[0] must be 0 or 1, a boolean, or yes/no or true/false text, unless pos_label names the ' +
      'positive class (y holds "churned" and "stayed"), got "stayed"')
  assert.throws(() => metrics.rocAuc(['No', 'Yes'], [0.1, 0.2], { posLabel: 'yes' }),
    /pos_label must be one of y's labels \("No" and "Yes"\), got "yes"/)
})

test('explanations: exact contributions, readable factors', () => {
  const model = ChurnModel.fromJson(JSON.stringify(v.model))
  const customer = Object.fromEntries(v.inputs.map((name, j) => [name, v.rows[0][j]]))
  const e = model.explain(customer, { top: 2 })
  assert.equal(bits(e.probability), bits(v.probabilities[0]))
  assert.ok(e.raising.length <= 2 && e.lowering.length <= 2)
  assert.ok(e.raising.every((f) => f.contribution > 0) && e.lowering.every((f) => f.contribution < 0))
  for (const f of [...e.raising, ...e.lowering]) assert.ok(v.inputs.includes(f.name))
  // Every input: values in their input's type; a category carries the training mix its
  // contribution is measured against.
  const all = model.explain(customer, { top: v.inputs.length })
  const factors = [...all.raising, ...all.lowering]
  assert.ok(factors.length >= 6)
  for (const f of factors) {
    const x = customer[f.name]
    if (typeof x === 'string') {
      assert.equal(f.value, x)
      assert.equal(typeof f.typical, 'string')
      assert.ok(f.mix.length >= 2 && f.mix.some((s) => s.value === f.typical), f.name)
      assert.ok(f.mix.every((s, i) => i === 0 || f.mix[i - 1].share >= s.share), 'largest first')
      assert.ok(Math.abs(f.mix.reduce((a, s) => a + s.share, 0) - 1) < 1e-12)
    } else {
      assert.equal(f.value, x ?? null, f.name)
      assert.equal(typeof f.typical, 'number')
      assert.equal(f.mix, undefined)
    }
  }
  assert.ok(Math.abs(1 / (1 + Math.exp(-e.logOdds)) - e.probability) < 1e-15)
  assert.throws(() => model.explain({}), (err) => err.code === 'INVALID_PARAMETER')
})

test('scoreValues and explainValues equal score and explain on the same customer', () => {
  const model = ChurnModel.fromJson(JSON.stringify(v.numeric_model))
  v.rows.slice(0, 5).forEach((row, i) => {
    const values = new Float64Array(model.inputs.map((n) => row[v.inputs.indexOf(n)] ?? NaN))
    const customer = Object.fromEntries(model.inputs.map((n, j) => [n, Number.isNaN(values[j]) ? null : values[j]]))
    assert.equal(bits(model.scoreValues(values)), bits(v.numeric_probabilities[i]))
    assert.deepEqual(model.explainValues(values, { top: 2 }), model.explain(customer, { top: 2 }))
  })
  assert.throws(() => model.scoreValues(new Float64Array(2)), (e) => e.code === 'LENGTH_MISMATCH')
})
