'use strict'
// The boosted likelihood-to-recommend model from Node: the shared vector to the bit, the
// file, the ticket with a boosted LTR model, and bad input.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')

const { BoostedLtrModel, LtrModel, ChurnModel, ActionCatalog, TicketScorer, features, synth, predictedNps, detractorAlerts } =
  require('../../nps-node')

const vector = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'vectors', 'boosted_ltr_model.json'), 'utf8'))
const bits = (x) => {
  const b = Buffer.alloc(8)
  b.writeDoubleLE(x)
  return b.readBigUInt64LE()
}

test('BoostedLtrModel: the shared model file scores to the bit', () => {
  const model = BoostedLtrModel.fromJson(JSON.stringify(vector.model))
  assert.deepEqual(model.inputs, vector.inputs)
  assert.equal(model.trainingRows, vector.model.training.rows)
  const all = []
  vector.rows.forEach((row, i) => {
    const customer = Object.fromEntries(vector.inputs.map((n, j) => [n, row[j]]))
    const p = model.score(customer)
    assert.deepEqual(Object.keys(p), ['detractor', 'passive', 'promoter'])
    const want = vector.probabilities[i]
    assert.deepEqual([p.detractor, p.passive, p.promoter].map(bits), want.map(bits), `row ${i}`)
    all.push(p.detractor, p.passive, p.promoter)
    const d = model.explainDetractor(customer, { top: 2 })
    assert.equal(bits(d.probability), bits(p.detractor))
    const sum = Array.from(d.contributions).reduce((a, c) => a + c, d.baseline)
    assert.ok(Math.abs(sum - d.logOdds) < 1e-9, `row ${i}: ${sum} vs ${d.logOdds}`)
    assert.ok(Math.abs(d.logOdds - Math.log(p.detractor / p.promoter)) < 1e-9)
    assert.ok(d.raising.length <= 2 && d.lowering.length <= 2)
  })
  // Its probabilities go to predictedNps as the logistic model's do.
  const r = predictedNps(new Float64Array(all), { trainedOn: model.trainingRows })
  assert.equal(r.n, 20)
  // The file round trip is the same file.
  assert.equal(BoostedLtrModel.fromJson(model.toJson()).toJson(), model.toJson())
})

test('detractorContributions of a table: explainDetractor\'s numbers row by row, to the bit, for both LTR kinds; detractorAlerts ranks them', () => {
  const logistic = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'vectors', 'ltr_model.json'), 'utf8'))
  for (const [kind, v] of [[BoostedLtrModel, vector], [LtrModel, logistic]]) {
    const model = kind.fromJson(JSON.stringify(v.model))
    const table = Object.fromEntries(v.inputs.map((n, j) => [n, v.rows.map((r) => r[j])]))
    const batch = model.detractorContributions(table)
    const d = v.inputs.length
    assert.equal(batch.contributions.length, v.rows.length * d)
    v.rows.forEach((row, i) => {
      const one = model.explainDetractor(Object.fromEntries(v.inputs.map((n, j) => [n, row[j]])))
      assert.deepEqual(Array.from(batch.contributions.subarray(i * d, (i + 1) * d), bits),
        Array.from(one.contributions, bits), `${kind.name} row ${i}`)
      assert.equal(bits(batch.risk[i]), bits(one.probability))
      assert.equal(bits(batch.logOdds[i]), bits(one.logOdds))
      assert.equal(bits(batch.baseline), bits(one.baseline))
    })
    const alerts = detractorAlerts(batch.risk, batch.contributions, { top: 5, factors: 2 })
    const order = Array.from(batch.risk.keys()).sort((a, b) => batch.risk[b] - batch.risk[a] || a - b).slice(0, 5)
    assert.deepEqual(alerts.map((a) => a.row), order)
    assert.throws(() => model.detractorContributions({ [v.inputs[0]]: [1] }), (e) => typeof e.code === 'string')
  }
})

test('BoostedLtrModel: damaged files and the kind each loader takes', () => {
  const text = JSON.stringify(vector.model)
  const bad = (edit) => {
    const f = JSON.parse(text)
    edit(f)
    return JSON.stringify(f)
  }
  assert.throws(() => BoostedLtrModel.fromJson('{'), (e) => e.code === 'INVALID_PARAMETER')
  assert.throws(() => BoostedLtrModel.fromJson(bad((f) => { f.version = 3 })), /newer nps/)
  assert.throws(() => BoostedLtrModel.fromJson(bad((f) => { f.ensemble.outputs = 1 })), /ensemble\.outputs/)
  assert.throws(() => BoostedLtrModel.fromJson(bad((f) => { f.ensemble.trees.pop() })), /trees/)
  assert.throws(() => LtrModel.fromJson(text), /BoostedLtrModel/)
  const model = BoostedLtrModel.fromJson(text)
  assert.throws(() => model.score({ tenure_days: 'x' }), (e) => /tenure_days/.test(e.message))
})

test('TicketScorer takes a boosted LTR model: the detractor numbers are its own, to the bit', () => {
  const b = synth.generate({ customers: 300, seed: 12 })
  const engine = new features.FeatureEngine(null)
  const names = engine.names
  const churn = ChurnModel.fromJson(JSON.stringify({
    format: 'nps.churn_model', version: 1, inputs: ['tenure_days'],
    encoder: { columns: [{ kind: 'numeric', name: 'tenure_days', mean: 400, center: 400, scale: 300, indicator: true }], unseen: 'error' },
    features: null, columns: ['tenure_days', 'tenure_days__missing'], coef: [-0.5, 0.1], intercept: -1.1, column_mean: [0, 0],
    options: { logistic: { c: 1, fit_intercept: true, tol: 1e-8, max_iter: 100, class_weight: 'none' }, encoder: { unseen: 'error', standardize: true } },
    training: { rows: 1, positives: 1, positive_share: 1, convergence: { iterations: 1, gradient_norm: 0, objective: 0, converged: true, solver: 'none' } },
  }))
  const ltr = BoostedLtrModel.fromJson(JSON.stringify(vector.model))
  const defaults = { segment: 'postpaid', complained_outage: false, complained_overage: true, monthly_bill: 42,
    last_nps: 7, payment_trend: 1, usage_trend_30d: 1, tenure_days: 0 }
  const scorer = new TicketScorer(engine, churn, ActionCatalog.playbook(), ltr, { customer: defaults })
  assert.deepEqual(scorer.ltrInputs, ltr.inputs)
  const e = b.events
  const hs = new Map()
  for (let i = 0; i < e.kind.length; i++) {
    if (e.time[i] >= b.asOf) continue
    let h = hs.get(e.customer[i])
    if (!h) hs.set(e.customer[i], (h = new features.CustomerHistory()))
    h.push({ time: e.time[i], kind: e.kind[i], value: Number.isNaN(e.value[i]) ? undefined : e.value[i],
      duration: Number.isNaN(e.duration[i]) ? undefined : e.duration[i], department: e.department[i] ?? undefined,
      case: e.case[i] ?? undefined, flag: e.flag[i] ?? undefined })
  }
  let n = 0
  for (const [id, h] of [...hs.entries()].filter((_, k) => k % 15 === 0)) {
    const now = b.asOf + 3_600_000
    const t = scorer.ticket(h, { time: now - 60_000, kind: 'contact_opened', department: 'billing' }, { now, details: true })
    const inputs = Object.fromEntries(ltr.inputs.map((n) => [n, t.features[names.indexOf(n)]]))
    const d = ltr.explainDetractor(inputs, { top: 3 })
    assert.equal(bits(t.detractor.probability), bits(d.probability), id)
    assert.equal(bits(t.detractor.passive), bits(d.passive))
    assert.equal(bits(t.detractor.promoter), bits(d.promoter))
    assert.equal(bits(t.detractor.logOdds), bits(d.logOdds))
    assert.equal(bits(t.detractor.baseline), bits(d.baseline))
    assert.deepEqual(Array.from(t.detractor.contributions, bits), Array.from(d.contributions, bits))
    assert.deepEqual(t.detractor.raising, d.raising)
    assert.deepEqual(t.detractor.lowering, d.lowering)
    n++
  }
  assert.ok(n > 5)
})

test('BoostedLtrModel.fit on the vector\'s respondents is Python\'s fit to the bit; binary options refused', async () => {
  // The vector's script: 3,000 customers (seed 13), the respondents in the order of their
  // answers, 40 rounds of 5 leaves.
  const b = synth.generate({ customers: 3000, seed: 13 })
  const m = features.retention(b.events, { asOf: b.asOf })
  const rows = b.surveys.customer.map((c) => m.customers.indexOf(c))
  const table = Object.fromEntries(vector.inputs.map((n) => [n, rows.map((k) => m.values[k * m.names.length + m.names.indexOf(n)])]))
  const model = BoostedLtrModel.fit(table, b.surveys.score, { nEstimators: 40, numLeaves: 5 })
  const { training: ours, ...file } = JSON.parse(model.toJson())
  const { training: theirs, ...expected } = vector.model
  assert.deepEqual(file, expected)
  assert.equal(ours.rows, theirs.rows)
  vector.rows.forEach((row, i) => {
    const p = model.score(Object.fromEntries(vector.inputs.map((n, j) => [n, row[j]])))
    assert.deepEqual([p.detractor, p.passive, p.promoter].map(bits), vector.probabilities[i].map(bits), `row ${i}`)
  })
  const later = await BoostedLtrModel.fitAsync(table, b.surveys.score, { nEstimators: 40, numLeaves: 5 })
  assert.equal(later.toJson(), model.toJson())
  for (const [name, options] of [['classWeight', { classWeight: 'balanced' }], ['monotone', { monotone: { aht_90d: 1 } }], ['posLabel', { posLabel: 1 }]]) {
    assert.throws(() => BoostedLtrModel.fit(table, b.surveys.score, options), (e) => e.code === 'INVALID_PARAMETER' && e.message.startsWith(`${name} must be absent`), name)
  }
  assert.throws(() => BoostedLtrModel.fit(table, b.surveys.score, { nEstimators: 2.5 }), (e) => e.code === 'INVALID_PARAMETER' && /nEstimators/.test(e.message))
})
