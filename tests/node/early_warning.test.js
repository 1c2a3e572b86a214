'use strict'
// NPS and churn from Node: the shared scipy vectors and bad input.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')

const { churnByNps, surveyAnswerFeatures } = require('../../nps-node')

const vectors = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'vectors', 'churn_link.json'), 'utf8'))

function close(actual, expected, what) {
  if (expected === null) return assert.ok(Number.isNaN(actual) || !Number.isFinite(actual), what)
  const tol = 1e-12 * Math.abs(expected) + 1e-15
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected}`)
}

for (const c of vectors.cases) {
  test(`churnByNps matches scipy: ${c.name}`, () => {
    const r = churnByNps(c.scores, c.churned.map(Boolean), { level: c.level })
    const e = c.expected
    for (const name of ['detractors', 'passives', 'promoters']) {
      assert.equal(r[name].customers, e[name].customers)
      assert.equal(r[name].churned, e[name].churned)
      for (const k of ['rate', 'low', 'high']) close(r[name][k], e[name][k], `${name}.${k}`)
    }
    r.byScore.forEach((g, s) => {
      assert.equal(g.customers, e.by_score[s].customers)
      for (const k of ['rate', 'low', 'high']) close(g[k], e.by_score[s][k], `score ${s} ${k}`)
    })
    close(r.relativeRisk, e.relative_risk, 'rr')
    close(r.relativeRiskLow, e.relative_risk_low, 'rr low')
    close(r.relativeRiskHigh, e.relative_risk_high, 'rr high')
    close(r.chiSquare, e.chi_square.statistic, 'chi2')
    close(r.pValue, e.chi_square.p_value, 'p')
    assert.equal(r.chiSquareDf, e.chi_square.df)
    close(r.reduction.churnersAvoided, e.reduction_25.churners_avoided, 'avoided')
    close(r.reduction.churnRateAfter, e.reduction_25.churn_rate_after, 'after')
  })
}

test('typed arrays, 0/1 labels and errors', () => {
  const r = churnByNps(new Uint8Array([0, 10, 9, 3]), new Uint8Array([1, 0, 0, 1]), { reductionShare: 1 })
  assert.equal(r.detractors.rate, 1)
  assert.ok(Number.isNaN(r.reduction.churnersAvoided)) // no passives: their churn rate is unknown
  assert.throws(() => churnByNps([1, 11], [false, true]), (e) => e.code === 'OUT_OF_RANGE' && /scores\[1\] = 11/.test(e.message))
  assert.throws(() => churnByNps([1, 2], [0, 2]), (e) => e.code === 'OUT_OF_RANGE' && /churned\[1\] = 2/.test(e.message))
  assert.throws(() => churnByNps([1, 2], [true]), (e) => e.code === 'LENGTH_MISMATCH')
  assert.throws(() => churnByNps([1, 2], [true, 0]), { code: 'INVALID_PARAMETER', message: 'element [1] of a flag array must be a boolean like element [0], got 0' })
  assert.throws(() => churnByNps([1, 2], ['yes', 'no']), { code: 'INVALID_PARAMETER', message: 'element [0] of a flag array must be a boolean or a number, got "yes"' })
  assert.throws(() => churnByNps([], []), (e) => e.code === 'EMPTY')
})

const { LtrModel, predictedNps, evaluateLtr, ltrAccuracy, detractorAlerts, features, synth } = require('../../nps-node')
const bits = (x) => Buffer.from(new Float64Array([x]).buffer).toString('hex')

test('the shared LTR model file scores to the bit; predicted NPS', () => {
  const v = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'vectors', 'ltr_model.json'), 'utf8'))
  const model = LtrModel.fromJson(JSON.stringify(v.model))
  const proba = []
  v.rows.forEach((row, i) => {
    const p = model.score(Object.fromEntries(v.inputs.map((n, j) => [n, row[j]])))
    assert.deepEqual([bits(p.detractor), bits(p.passive), bits(p.promoter)], v.probabilities[i].map(bits), `row ${i}`)
    proba.push(p.detractor, p.passive, p.promoter)
  })
  const r = predictedNps(new Float64Array(proba), { trainedOn: model.trainingRows })
  assert.equal(r.n, 20)
  assert.ok(r.low < r.nps && r.nps < r.high)
  assert.throws(() => predictedNps(new Float64Array([0.2, 0.3])), (e) => e.code === 'INVALID_PARAMETER')
  assert.throws(() => LtrModel.fromJson('{"format": "nps.churn_model"}'), (e) => e.code === 'INVALID_PARAMETER')
})

test('LtrModel.fit on the respondents of the generated base is Python\'s fit to the bit (tests/vectors/ltr_model.json)', async () => {
  // The vector's script: 3,000 customers (seed 13), their retention features, the respondents
  // in the order of their answers, C = 0.5.
  const v = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'vectors', 'ltr_model.json'), 'utf8'))
  const b = synth.generate({ customers: 3000, seed: 13 })
  const m = features.retention(b.events, { asOf: b.asOf })
  const rows = b.surveys.customer.map((c) => m.customers.indexOf(c))
  const table = Object.fromEntries(v.inputs.map((n) => [n, rows.map((k) => m.values[k * m.names.length + m.names.indexOf(n)])]))
  const model = LtrModel.fit(table, b.surveys.score, { c: 0.5 })
  const file = JSON.parse(model.toJson())
  assert.deepEqual([file.coef, file.intercept, file.inputs], [v.model.coef, v.model.intercept, v.model.inputs])
  assert.equal(model.trainingRows, v.model.training.rows)
  v.rows.forEach((row, i) => {
    const p = model.score(Object.fromEntries(v.inputs.map((n, j) => [n, row[j]])))
    assert.deepEqual([p.detractor, p.passive, p.promoter], v.probabilities[i], `row ${i}`)
  })
  const later = await LtrModel.fitAsync(table, b.surveys.score, { c: 0.5 })
  assert.deepEqual(JSON.parse(later.toJson()).coef, v.model.coef)
  // Bad answers and mismatched lengths are refused by name, in both.
  const bad = [...b.surveys.score]
  bad[3] = 11
  assert.throws(() => LtrModel.fit(table, bad), (e) => e.code === 'OUT_OF_RANGE' && /\[3\] = 11/.test(e.message))
  await assert.rejects(LtrModel.fitAsync(table, b.surveys.score.slice(1)), (e) => e.code === 'LENGTH_MISMATCH')
  assert.throws(() => LtrModel.fit(table, b.surveys.score, 'c'), (e) => e.code === 'INVALID_PARAMETER' && /options must be an object/.test(e.message))
})

test('a customer history grown one event at a time equals the batch features', () => {
  const b = synth.generate({ customers: 30, seed: 4 })
  const batch = features.retention(b.events, { asOf: b.asOf })
  const engine = new features.FeatureEngine(null)
  assert.deepEqual(engine.names, batch.names)
  const e = b.events
  for (const id of ['C0000001', 'C0000017']) {
    const rows = e.customer.map((c, i) => (c === id ? i : -1)).filter((i) => i >= 0).reverse() // newest first
    const h = new features.CustomerHistory()
    for (const i of rows) {
      h.push({ time: e.time[i], kind: e.kind[i], value: Number.isNaN(e.value[i]) ? undefined : e.value[i],
        duration: Number.isNaN(e.duration[i]) ? undefined : e.duration[i], department: e.department[i] ?? undefined,
        case: e.case[i] ?? undefined, flag: e.flag[i] ?? undefined })
    }
    assert.equal(h.length, rows.length)
    const got = h.features(engine, b.asOf)
    const k = batch.customers.indexOf(id)
    const want = batch.values.slice(k * batch.names.length, (k + 1) * batch.names.length)
    assert.deepEqual(Array.from(got, bits), Array.from(want, bits), id)
  }
  const h = new features.CustomerHistory()
  assert.throws(() => h.push({ time: 0, kind: 'teleport' }), (err) => err.code === 'UNKNOWN_VALUE' && /teleport/.test(err.message))
  assert.throws(() => h.push({ time: 0, kind: 'contact_resolved', duration: -1 }), (err) => err.code === 'NEGATIVE')
  // A survey answer off the 0-10 scale or not whole is refused (as in the batch features);
  // one without a value (the score question skipped) is a survey taken, not a score.
  for (const bad of [11, -1, 7.5]) {
    assert.throws(() => h.push({ time: 0, kind: 'survey_answer', value: bad }),
      (err) => err.code === 'OUT_OF_RANGE' && /survey answer\)\[0\] = /.test(err.message))
  }
  assert.equal(h.length, 0)
  h.push({ time: 0, kind: 'survey_answer', value: 8 })
  h.push({ time: 1000, kind: 'survey_answer' })
  // A field given as null (as JSON carries a missing value) is a field left out.
  h.push({ time: 1000, kind: 'survey_answer', value: null, duration: null, department: null, case: null, flag: null })
  assert.equal(h.length, 3)
  const f = h.features(new features.FeatureEngine(null), 86_401_000)
  const names = new features.FeatureEngine(null).names
  assert.equal(f[names.indexOf('last_nps')], 8)
  assert.equal(f[names.indexOf('days_since_last_nps')], 86_400 / 86_400)
  assert.throws(() => features.retention([{ customer: 'a', time: 0, kind: 'usage', value: 3 }, { customer: 'b', time: 0, kind: 'survey_answer', value: 12 }], { asOf: 1000 }),
    { code: 'OUT_OF_RANGE', message: 'value (a survey answer)[1] = 12 is outside whole answers on the scale 0..=10' })
})

test('a customer history written to JSON and read back; damaged files are refused', () => {
  const b = synth.generate({ customers: 200, seed: 3 })
  const engine = new features.FeatureEngine(null, { declaredKinds: ['fax'] })
  const h = new features.CustomerHistory({ declaredKinds: ['fax'] })
  for (let i = 0; i < b.events.kind.length; i++) {
    if (b.events.customer[i] !== b.events.customer[0]) continue
    h.push({ time: b.events.time[i], kind: b.events.kind[i], value: Number.isNaN(b.events.value[i]) ? undefined : b.events.value[i] })
  }
  h.push({ time: b.asOf - 5000, kind: 'fax', department: 'billing', case: 'T-1', flag: true })
  const back = features.CustomerHistory.fromJson(h.toJson())
  assert.equal(back.toJson(), h.toJson())
  assert.equal(back.length, h.length)
  assert.deepEqual(Array.from(back.features(engine, b.asOf), bits), Array.from(h.features(engine, b.asOf), bits))
  const file = JSON.parse(h.toJson())
  assert.deepEqual(file.declared_kinds, ['fax'])
  file.events[0] = { time: 0, kind: 'survey_answer', value: 12 }
  assert.throws(() => features.CustomerHistory.fromJson(JSON.stringify(file)),
    { code: 'OUT_OF_RANGE', message: 'value (a survey answer)[0] = 12 is outside whole answers on the scale 0..=10' })
  assert.throws(() => features.CustomerHistory.fromJson('{"format":"nps.churn_model"}'), (e) => e.code === 'INVALID_PARAMETER')
})

test('evaluating LTR predictions against answers', () => {
  const e = evaluateLtr(new Float64Array([0.7, 0.2, 0.1, 0.1, 0.3, 0.6, 0.3, 0.3, 0.4]), [3, 10, NaN], 0.5)
  assert.equal(e.answered, 2)
  assert.equal(e.detractorAuc, 1)
  assert.ok(Math.abs(e.logLoss + (Math.log(0.7) + Math.log(0.6)) / 2) < 1e-15)
  assert.throws(() => evaluateLtr(new Float64Array([0.5, 0.5, 0]), [12]), (err) => err.code === 'OUT_OF_RANGE')
})

test('ltrAccuracy equals scikit-learn on the shared vectors (tests/vectors/ltr_ranking.json)', () => {
  const v = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'vectors', 'ltr_ranking.json'), 'utf8'))
  const floats = (xs) => xs.map((x) => (x === null ? NaN : x))
  for (const c of v.accuracy) {
    const got = ltrAccuracy(new Float64Array(c.proba), floats(c.answers), c.weights ?? undefined)
    assert.ok(Math.abs(got - c.accuracy) <= 1e-12 * Math.max(1, c.accuracy), `${c.name}: ${got} vs ${c.accuracy}`)
  }
  const proba = new Float64Array(v.accuracy[0].proba.slice(0, 9))
  for (const bad of v.accuracy_errors) {
    assert.throws(() => ltrAccuracy(proba, floats(bad.answers)), (e) => e.code === bad.code && e.message.startsWith(bad.message))
  }
})

test('detractorAlerts equals pandas\' stable order on the shared vectors; a missing value names its row', () => {
  const v = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'vectors', 'ltr_ranking.json'), 'utf8'))
  for (const c of v.alerts) {
    const alerts = detractorAlerts(c.risk, new Float64Array(c.contributions),
      { value: c.value ?? undefined, top: c.top, factors: c.factors })
    assert.deepEqual(alerts.map((a) => [a.row, a.value, a.expected, a.factors]),
      c.alerts.map((a) => [a.row, a.value, a.expected, a.factors]), c.name)
    alerts.forEach((a) => assert.equal(a.detractorRisk, c.risk[a.row]))
  }
  const c = v.alerts[0]
  const bad = v.alerts_errors[0]
  const value = c.value.slice()
  value[bad.value_nan_at] = NaN
  assert.throws(() => detractorAlerts(c.risk, new Float64Array(c.contributions), { value, top: 5 }),
    (e) => e.code === bad.code && e.message === bad.message)
  assert.throws(() => detractorAlerts([0.5, 0.2], new Float64Array(3)), (e) => e.code === 'INVALID_PARAMETER' && /contributions/.test(e.message))
  // The defaults: the core's 100 customers and 3 factors.
  const many = detractorAlerts(new Float64Array(150).fill(0.5), new Float64Array(600).fill(1))
  assert.equal(many.length, 100)
  assert.deepEqual(many[0].factors, [0, 1, 2])
})

test('ltrAccuracy: the most probable category against the answer, weighted; every row needs an answer', () => {
  // Predicted: detractor, promoter, detractor (a tie goes to the first), passive.
  const proba = new Float64Array([0.7, 0.2, 0.1, 0.1, 0.3, 0.6, 0.4, 0.2, 0.4, 0.2, 0.5, 0.3])
  assert.equal(ltrAccuracy(proba, [3, 10, 9, 7]), 3 / 4)
  assert.equal(ltrAccuracy(proba, [3, 10, 9, 7], [1, 1, 2, 0]), 2 / 4)
  const cases = [
    [[3, 10, NaN, 7], undefined, 'MISSING_VALUE', /scores\[2\] is missing/],
    [[3, 10, 11, 7], undefined, 'OUT_OF_RANGE', /scores\[2\] = 11/],
    [[3, 10, 6.5, 7], undefined, 'NON_INTEGER', /scores\[2\] = 6.5/],
    [[3, 10, 9], undefined, 'LENGTH_MISMATCH', /scores has 3 elements/],
    // A negative weight is reported as the fits report it.
    [[3, 10, 9, 7], [1, -1, 1, 1], 'NEGATIVE', /sample_weight\[1\] = -1 is negative/],
    [[3, 10, 9, 7], [1, NaN, 1, 1], 'MISSING_VALUE', /sample_weight\[1\] is missing/],
    [[3, 10, 9, 7], [0, 0, 0, 0], 'INVALID_PARAMETER', /sample_weight/],
  ]
  for (const [answers, weights, code, message] of cases) {
    assert.throws(() => ltrAccuracy(proba, answers, weights), (e) => e.code === code && message.test(e.message), String(answers))
  }
})

// -- detractor risk and the one call at ticket time -----------------------------------------

const { ChurnModel, ActionCatalog, TicketScorer } = require('../../nps-node')

const logistic = { c: 1, fit_intercept: true, tol: 1e-8, max_iter: 100, class_weight: 'none' }
const convergence = { iterations: 1, gradient_norm: 0, objective: 0, converged: true, solver: 'none' }

/** Model files over named inputs, standardised with the given means and scales. */
function encoderOf(names, stats) {
  return { columns: names.map((name, j) => ({ kind: 'numeric', name, mean: stats[j].mean, center: stats[j].mean, scale: stats[j].scale, indicator: true })), unseen: 'error' }
}
function churnFile(names, stats) {
  return JSON.stringify({
    format: 'nps.churn_model', version: 1, inputs: names, encoder: encoderOf(names, stats), features: null,
    columns: names.flatMap((n) => [n, `${n}__missing`]),
    coef: names.flatMap((_, j) => [((j % 5) - 2) / 3, 0.1 * ((j % 3) - 1)]), intercept: -1.1,
    column_mean: names.flatMap((_, j) => [0.01 * j, 0.2]),
    options: { logistic, encoder: { unseen: 'error', standardize: true } },
    training: { rows: 1, positives: 1, positive_share: 1, convergence },
  })
}
function ltrFile(names, stats) {
  return JSON.stringify({
    format: 'nps.ltr_model', version: 1, inputs: names, encoder: encoderOf(names, stats),
    columns: names.flatMap((n) => [n, `${n}__missing`]),
    coef: [0, 1, 2].map((k) => names.flatMap((_, j) => [(((j + k) % 7) - 3) / 5, 0.05 * (k - 1)])),
    intercept: [-0.4, 0.1, 0.3], column_mean: names.flatMap((_, j) => [-0.02 * j, 0.3]),
    options: { logistic, encoder: { unseen: 'error', standardize: true } },
    training: { rows: 1, class_counts: [1, 1, 1], convergence },
  })
}

test('detractor risk: the attribution of ln(P(detractor) / P(promoter)), by hand', () => {
  const names = ['bill_shock', 'aht_90d']
  const stats = [{ mean: 1, scale: 0.5 }, { mean: 600, scale: 300 }]
  const file = JSON.parse(ltrFile(names, stats))
  const m = LtrModel.fromJson(JSON.stringify(file))
  const r = m.explainDetractor({ bill_shock: 1.8, aht_90d: null }, { top: 1 })
  const w = file.coef[0].map((c, j) => c - file.coef[2][j])
  const mean = file.column_mean
  // bill_shock: (1.8 - 1) / 0.5, present; aht_90d: missing, imputed at its mean (0), indicator 1.
  const x = [(1.8 - 1) / 0.5, 0, 0, 1]
  const expected = [w[0] * (x[0] - mean[0]) + w[1] * (x[1] - mean[1]), w[2] * (x[2] - mean[2]) + w[3] * (x[3] - mean[3])]
  const baseline = file.intercept[0] - file.intercept[2] + w.reduce((s, wj, j) => s + wj * mean[j], 0)
  assert.ok(Math.abs(r.baseline - baseline) < 1e-14)
  Array.from(r.contributions).forEach((c, k) => assert.ok(Math.abs(c - expected[k]) < 1e-14, `input ${k}`))
  assert.ok(Math.abs(r.baseline + r.contributions[0] + r.contributions[1] - r.logOdds) < 1e-14)
  const p = m.score({ bill_shock: 1.8, aht_90d: null })
  assert.equal(r.probability, p.detractor)
  assert.ok(Math.abs(r.logOdds - Math.log(p.detractor / p.promoter)) < 1e-12)
  const top = expected[0] > expected[1] ? 0 : 1
  if (expected[top] > 0) assert.deepEqual(r.raising.map((f) => f.name), [names[top]])
  // A file without column_mean scores but does not explain.
  delete file.column_mean
  const old = LtrModel.fromJson(JSON.stringify(file))
  assert.ok(old.score({ bill_shock: 1, aht_90d: 1 }).detractor > 0)
  assert.throws(() => old.explainDetractor({ bill_shock: 1, aht_90d: 1 }), (e) => e.code === 'EMPTY' && /column_mean/.test(e.message))
})

function setup() {
  const b = synth.generate({ customers: 400, seed: 12 })
  const engine = new features.FeatureEngine(null)
  const names = engine.names
  const batch = features.retention(b.events, { asOf: b.asOf })
  const stats = names.map((_, j) => {
    const v = []
    for (let i = j; i < batch.values.length; i += names.length) if (Number.isFinite(batch.values[i])) v.push(batch.values[i])
    const mean = v.reduce((a, c) => a + c, 0) / Math.max(v.length, 1)
    const sd = Math.sqrt(v.reduce((a, c) => a + (c - mean) ** 2, 0) / Math.max(v.length, 1))
    return { mean, scale: sd > 0 ? sd : 1 }
  })
  const ltrNames = names.filter((n) => !['last_nps', 'last_nps_category'].includes(n))
  const churn = ChurnModel.fromJson(churnFile(names, stats))
  const ltr = LtrModel.fromJson(ltrFile(ltrNames, ltrNames.map((n) => stats[names.indexOf(n)])))
  const histories = () => {
    const hs = new Map()
    const e = b.events
    for (let i = 0; i < e.kind.length; i++) {
      if (e.time[i] >= b.asOf) continue
      let h = hs.get(e.customer[i])
      if (!h) hs.set(e.customer[i], (h = new features.CustomerHistory()))
      h.push({ time: e.time[i], kind: e.kind[i], value: Number.isNaN(e.value[i]) ? undefined : e.value[i],
        duration: Number.isNaN(e.duration[i]) ? undefined : e.duration[i], department: e.department[i] ?? undefined,
        case: e.case[i] ?? undefined, flag: e.flag[i] ?? undefined })
    }
    return hs
  }
  return { b, engine, names, churn, ltr, ltrNames, histories }
}

const defaults = { segment: 'postpaid', complained_outage: false, complained_overage: true, monthly_bill: 42,
  last_nps: 7, payment_trend: 1, usage_trend_30d: 1, tenure_days: 0 }

test('TicketScorer.ticket equals the separate calls to the bit', () => {
  const { b, engine, names, churn, ltr, ltrNames, histories } = setup()
  const playbook = ActionCatalog.playbook()
  const scorer = new TicketScorer(engine, churn, playbook, ltr, { customer: defaults })
  assert.deepEqual(scorer.inputs, names)
  assert.deepEqual(scorer.ltrInputs, ltrNames)
  const one = histories()
  const two = histories()
  let ranked = 0
  let riskiest = null
  const bands = new Set()
  for (const id of [...one.keys()].filter((_, k) => k % 20 === 0)) {
    const now = b.asOf + 3_600_000
    const event = { time: now - 60_000, kind: 'contact_opened', department: 'billing' }
    const t = scorer.ticket(one.get(id), event, { now, trace: true, details: true })
    // The separate calls.
    const h = two.get(id)
    h.push(event)
    const f = h.features(engine, now)
    assert.deepEqual(Array.from(t.features, bits), Array.from(f, bits), id)
    const p = churn.scoreValues(f)
    const x = churn.explainValues(f, { top: 3 })
    assert.equal(bits(t.probability), bits(p))
    assert.equal(bits(t.logOdds), bits(x.logOdds))
    assert.equal(bits(t.baseline), bits(x.baseline))
    // Readable as explain gives them: name, contribution, the value and the typical one.
    assert.deepEqual(t.raising, x.raising)
    assert.deepEqual(t.lowering, x.lowering)
    const sum = Array.from(t.contributions).reduce((a, c) => a + c, t.baseline)
    assert.ok(Math.abs(sum - t.logOdds) < 1e-12 * (1 + Math.abs(t.logOdds)))
    const inputs = Object.fromEntries(ltrNames.map((n) => [n, f[names.indexOf(n)]]))
    const d = ltr.explainDetractor(inputs, { top: 3 })
    assert.equal(bits(t.detractor.probability), bits(d.probability))
    assert.equal(bits(t.detractor.promoter), bits(d.promoter))
    assert.equal(bits(t.detractor.logOdds), bits(d.logOdds))
    assert.deepEqual(Array.from(t.detractor.contributions, bits), Array.from(d.contributions, bits))
    assert.deepEqual(t.detractor.raising, d.raising)
    assert.deepEqual(t.detractor.lowering, d.lowering)
    const customer = { ...defaults }
    for (const field of ['tenure_days', 'payment_trend', 'usage_trend_30d', 'last_nps']) {
      const v = f[names.indexOf(field)]
      if (Number.isFinite(v)) customer[field] = v
    }
    const factors = Object.fromEntries(names.map((n, j) => [n, t.contributions[j]]))
    const decision = playbook.decide(customer, { probability: p, factors, now, top: 3, ignoreExtra: true })
    assert.deepEqual(t.actions, decision.actions)
    assert.deepEqual(t.trace, decision.trace)
    assert.equal(t.score, 100 * p)
    ranked += t.actions.length
    if (!riskiest || t.score > riskiest.score) riskiest = { id, score: t.score }
    bands.add(t.score < 30 ? 'low' : t.score < 60 ? 'medium' : 'high')
  }
  assert.ok(ranked > 0)
  assert.ok(bands.size >= 2, [...bands].join())
  // Compact by default: no trace, no features; `now` defaults to one second after the event.
  const [id, h] = [...one.entries()][0]
  const t = scorer.ticket(h, { time: b.asOf + 7_200_000, kind: 'outage' })
  assert.equal(t.trace, undefined)
  assert.equal(t.features, undefined)
  assert.equal(t.detractor.contributions, undefined)
  const h2 = two.get(id)
  h2.push({ time: b.asOf + 7_200_000, kind: 'outage' })
  assert.equal(bits(t.probability), bits(churn.scoreValues(h2.features(engine, b.asOf + 7_201_000))))
  const x2 = churn.explainValues(h2.features(engine, b.asOf + 7_201_000), { top: 3 })
  assert.deepEqual([t.raising, t.lowering], [x2.raising, x2.lowering]) // the compact result's factors too
  // Past outcomes reach the contact policies: two SMS this week suppress the SMS actions,
  // as in `decide` with the same history; a customer record per ticket replaces the default.
  const sms = [1, 2].map((d) => ({ action: 'bonus_data', channel: 'sms', group: 'retention', time: b.asOf + 7_200_000 - d * 86_400_000, kind: 'presented' }))
  const later = b.asOf + 8_000_000
  const hr = one.get(riskiest.id) // a score of 30 or more: bonus data by SMS passes its conditions
  const withOutcomes = scorer.ticket(hr, { time: later - 1000, kind: 'outage' }, { now: later, outcomes: sms, trace: true,
    customer: { ...defaults, segment: 'family' } })
  const h3 = two.get(riskiest.id)
  h3.push({ time: later - 1000, kind: 'outage' })
  const f3 = h3.features(engine, later)
  const p3 = churn.scoreValues(f3)
  const customer3 = { ...defaults, segment: 'family' }
  for (const field of ['tenure_days', 'payment_trend', 'usage_trend_30d', 'last_nps']) {
    const v = f3[names.indexOf(field)]
    if (Number.isFinite(v)) customer3[field] = v
  }
  const x3 = churn.explainValues(f3, { top: 30 })
  const factors3 = Object.fromEntries([...x3.raising, ...x3.lowering].map((f) => [f.name, f.contribution]))
  const d3 = playbook.decide(customer3, { probability: p3, factors: factors3, now: later, top: 3, history: sms, ignoreExtra: true })
  assert.deepEqual(withOutcomes.trace, d3.trace)
  assert.ok(riskiest.score >= 30, `${riskiest.score}`)
  assert.ok(withOutcomes.trace.filter((e) => e.status === 'suppressed').length > 0)
  assert.throws(() => scorer.ticket(h, { time: later, kind: 'outage' }, { outcomes: [{ ...sms[0], kind: 'clicked' }] }),
    (e) => e.code === 'UNKNOWN_VALUE' && /outcomes\[0\]\.kind/.test(e.message))
  // Without an LTR model: no detractor part.
  const plain = new TicketScorer(engine, churn, playbook, null, { customer: defaults })
  assert.equal(plain.ticket(h, { time: b.asOf + 9_000_000, kind: 'outage' }).detractor, undefined)
})

test('TicketScorer.ticketValues: the same ticket in one reused Float64Array', () => {
  const { b, engine, names, churn, ltr, ltrNames, histories } = setup()
  const playbook = ActionCatalog.playbook()
  for (const [model, topFactors, topActions] of [[ltr, 3, 3], [null, 2, 5]]) {
    const scorer = new TicketScorer(engine, churn, playbook, model, { customer: defaults, topFactors, topActions })
    const L = scorer.valuesLayout
    assert.equal(L.topFactors, topFactors)
    assert.equal(L.topActions, topActions)
    assert.equal(L.length, 9 + 8 * topFactors + 3 * topActions)
    const out = new Float64Array(L.length)
    const one = histories()
    const two = histories()
    let actions = 0
    for (const id of [...one.keys()].filter((_, k) => k % 25 === 0)) {
      const now = b.asOf + 3_600_000
      const event = { time: now - 60_000, kind: 'contact_opened', department: 'billing' }
      const n = scorer.ticketValues(one.get(id), event, out, now)
      const t = scorer.ticket(two.get(id), event, { now })
      assert.equal(one.get(id).length, two.get(id).length)
      assert.equal(n, t.actions.length)
      actions += n
      assert.equal(bits(out[L.probability]), bits(t.probability))
      assert.equal(bits(out[L.score]), bits(t.score))
      assert.equal(bits(out[L.logOdds]), bits(t.logOdds))
      assert.equal(bits(out[L.baseline]), bits(t.baseline))
      const factors = (at, atC, list, inputs) => {
        for (let i = 0; i < topFactors; i++) {
          if (i < list.length) {
            assert.equal(inputs[out[at + i]], list[i].name)
            assert.equal(bits(out[atC + i]), bits(list[i].contribution))
          } else {
            assert.equal(out[at + i], -1)
            assert.ok(Number.isNaN(out[atC + i]))
          }
        }
      }
      factors(L.raising, L.raisingContributions, t.raising, names)
      factors(L.lowering, L.loweringContributions, t.lowering, names)
      if (model) {
        assert.equal(bits(out[L.detractorProbability]), bits(t.detractor.probability))
        assert.equal(bits(out[L.passiveProbability]), bits(t.detractor.passive))
        assert.equal(bits(out[L.promoterProbability]), bits(t.detractor.promoter))
        assert.equal(bits(out[L.detractorLogOdds]), bits(t.detractor.logOdds))
        assert.equal(bits(out[L.detractorBaseline]), bits(t.detractor.baseline))
        factors(L.detractorRaising, L.detractorRaisingContributions, t.detractor.raising, ltrNames)
        factors(L.detractorLowering, L.detractorLoweringContributions, t.detractor.lowering, ltrNames)
      } else {
        assert.equal(t.detractor, undefined)
        for (let i = L.detractorProbability; i <= L.detractorBaseline; i++) assert.ok(Number.isNaN(out[i]))
        factors(L.detractorRaising, L.detractorRaisingContributions, [], ltrNames)
      }
      for (let i = 0; i < topActions; i++) {
        const a = t.actions[i]
        if (a) {
          assert.equal(playbook.actions[out[L.actions + i]], a.id)
          assert.equal(out[L.priorities + i], a.priority)
          assert.equal(out[L.values + i], a.value)
        } else {
          assert.equal(out[L.actions + i], -1)
          assert.ok(Number.isNaN(out[L.priorities + i]))
        }
      }
    }
    assert.ok(actions > 0)
    // Without `now`: one second after the event, as `ticket`.
    const [id, h] = [...one.entries()][1]
    scorer.ticketValues(h, { time: b.asOf + 7_200_000, kind: 'outage' }, out)
    const t = scorer.ticket(two.get(id), { time: b.asOf + 7_200_000, kind: 'outage' })
    assert.equal(bits(out[L.probability]), bits(t.probability))
    // Bad input: the wrong length of `out` or a bad event, before the event is added.
    const before = h.length
    assert.throws(() => scorer.ticketValues(h, { time: b.asOf + 8_000_000, kind: 'outage' }, new Float64Array(3)),
      (e) => e.code === 'LENGTH_MISMATCH' && /out/.test(e.message) && new RegExp(`${L.length}`).test(e.message))
    assert.throws(() => scorer.ticketValues(h, { time: b.asOf + 8_000_000, kind: 'survey_answer', value: 12 }, out),
      (e) => e.code === 'OUT_OF_RANGE')
    assert.throws(() => scorer.ticketValues(h, { time: b.asOf + 8_000_000, kind: 'outage' }, out, b.asOf),
      (e) => e.code === 'INVALID_PARAMETER' && /before now/.test(e.message))
    assert.equal(h.length, before)
  }
})

test('TicketScorer.ticket: the result built from numbers is the detailed one without its arrays, traced or not', () => {
  // Inputs of every kind: numbers, a boolean (0/1 read as false/true, other counts stay
  // numbers) and a category read from a number (its label is text: that ticket crosses as
  // JSON); what each shows beside the value (typical, mix) comes from the file.
  const { b, engine, names, ltr, histories } = setup()
  const kinds = { churned_subscriptions: 'boolean', last_nps_category: 'categorical' }
  const columns = []
  const encoder = { unseen: 'error', columns: names.map((name) => {
    if (kinds[name] === 'boolean') {
      columns.push(name)
      return { kind: 'boolean', name }
    }
    if (kinds[name] === 'categorical') {
      columns.push(...['0', '1', '2', '__missing'].map((c) => `${name}=${c}`))
      return { kind: 'categorical', name, categories: ['0', '1', '2'], missing: true }
    }
    columns.push(name, `${name}__missing`)
    return { kind: 'numeric', name, mean: 1, center: 1, scale: 2, indicator: true }
  }) }
  const churn = ChurnModel.fromJson(JSON.stringify({
    format: 'nps.churn_model', version: 1, inputs: names, encoder, features: null, columns,
    coef: columns.map((c, j) => (c.includes('=') ? [3, -3, 2, -2][j % 4] : ((j % 7) - 3) / 4)), intercept: -0.8,
    column_mean: columns.map((c, j) => (c.includes('=') ? [0.2, 0.3, 0.4, 0.1][j % 4] : c === 'churned_subscriptions' ? 0.3 : 0.01 * j)),
    options: { logistic, encoder: { unseen: 'error', standardize: true } },
    training: { rows: 1, positives: 1, positive_share: 1, convergence },
  }))
  const seen = new Set()
  for (const [model, topFactors] of [[ltr, 3], [null, 5]]) {
    const scorer = new TicketScorer(engine, churn, ActionCatalog.playbook(), model, { customer: defaults, topFactors })
    const one = histories()
    const two = histories()
    const three = histories()
    let previous = null
    for (const id of [...one.keys()].filter((_, k) => k % 7 === 0)) {
      const now = b.asOf + 3_600_000
      const event = { time: now - 60_000, kind: 'contact_opened', department: 'billing' }
      const t = scorer.ticket(one.get(id), event, { now })
      const traced = scorer.ticket(two.get(id), event, { now, trace: true })
      // The detailed result is built field by field on the Rust side: the reference.
      const detailed = scorer.ticket(three.get(id), event, { now, details: true })
      assert.ok(Array.isArray(traced.trace))
      delete traced.trace
      for (const o of [detailed, detailed.detractor ?? {}]) for (const k of ['features', 'contributions']) delete o[k]
      assert.deepEqual(t, detailed, id)
      assert.deepEqual(Object.keys(t), ['probability', 'score', 'logOdds', 'baseline', 'raising', 'lowering',
        ...(model ? ['detractor'] : []), 'actions'])
      assert.equal(JSON.stringify(t), JSON.stringify(traced), id) // same keys, same order, same numbers
      for (const f of [...t.raising, ...t.lowering]) {
        seen.add(f.value === null ? 'missing' : typeof f.value)
        if (f.mix) seen.add('mix')
      }
      // Each result is its own: changing one changes no other.
      if (previous && previous.raising[0]?.mix) previous.raising[0].mix[0].share = -1
      if (previous) previous.actions.length = 0
      previous = t
    }
  }
  assert.deepEqual([...seen].sort(), ['boolean', 'missing', 'mix', 'number', 'string'])
})

test('TicketScorer.ticket with a learner ranks as decide with it', () => {
  const { b, engine, names, churn, histories } = setup()
  const { Learner } = require('../../nps-node')
  const playbook = ActionCatalog.playbook()
  const scorer = new TicketScorer(engine, churn, playbook, null, { customer: defaults })
  const learner = new Learner({ prior: [1, 1], exploration: 0, rampUp: 0 })
  playbook.actions.forEach((id, i) => {
    for (let k = 0; k < 20; k++) learner.record(id, 'consumer', (k + i) % 3 === 0)
  })
  const one = histories()
  const two = histories()
  let differs = 0
  for (const [k, id] of [...one.keys()].filter((_, k) => k % 30 === 0).entries()) {
    const now = b.asOf + 3_600_000
    const event = { time: now - 60_000, kind: 'contact_opened' }
    const t = scorer.ticket(one.get(id), event, { now, details: true, segment: 'consumer', seed: k }, learner)
    const plain = scorer.ticket(two.get(id), event, { now, details: true })
    const customer = { ...defaults }
    for (const field of ['tenure_days', 'payment_trend', 'usage_trend_30d', 'last_nps']) {
      const v = t.features[names.indexOf(field)]
      if (Number.isFinite(v)) customer[field] = v
    }
    const factors = Object.fromEntries(names.map((n, j) => [n, t.contributions[j]]))
    const d = playbook.decide(customer, { probability: t.probability, factors, now, top: 3, segment: 'consumer', seed: k, ignoreExtra: true }, learner)
    assert.deepEqual(t.actions, d.actions)
    if (JSON.stringify(plain.actions) !== JSON.stringify(t.actions)) differs++
  }
  assert.ok(differs > 0, 'the draws change some rankings')
})

test('TicketScorer: bad input', () => {
  const { b, engine, churn, ltr, histories } = setup()
  const playbook = ActionCatalog.playbook()
  const scorer = new TicketScorer(engine, churn, playbook, ltr, { customer: defaults })
  const h = [...histories().values()][0]
  const n = h.length
  const now = b.asOf + 1_000_000
  // A survey answer outside 0-10 or not whole: rejected before it is added.
  assert.throws(() => scorer.ticket(h, { time: now - 1000, kind: 'survey_answer', value: 11 }, { now }),
    (e) => e.code === 'OUT_OF_RANGE' && /survey answer.* = 11/.test(e.message))
  assert.throws(() => scorer.ticket(h, { time: now - 1000, kind: 'survey_answer', value: 6.5 }, { now }),
    (e) => e.code === 'OUT_OF_RANGE')
  // An event not before `now` would not count.
  assert.throws(() => scorer.ticket(h, { time: now, kind: 'contact_opened' }, { now }),
    (e) => e.code === 'INVALID_PARAMETER' && /before now/.test(e.message))
  assert.throws(() => scorer.ticket(h, { time: now - 1000, kind: 'fax' }, { now }), (e) => e.code === 'UNKNOWN_VALUE')
  assert.equal(h.length, n, 'nothing was added')
  // An event older than the latest is taken in its place in time.
  const a = [...histories().values()][0]
  const c = [...histories().values()][0]
  const old = { time: b.asOf - 50 * 86_400_000, kind: 'complaint' }
  const recent = { time: now - 5000, kind: 'contact_opened' }
  a.push(old)
  const ta = scorer.ticket(a, recent, { now, details: true })
  c.push(recent)
  const tc = scorer.ticket(c, old, { now, details: true })
  assert.deepEqual(Array.from(ta.features, bits), Array.from(tc.features, bits))
  assert.equal(bits(ta.probability), bits(tc.probability))
  // A customer with no events: features at their empty values (counts 0, the rest NaN,
  // which the models' missing indicators take); the first ticket scores.
  const fresh = new features.CustomerHistory()
  const empty = fresh.features(engine, now)
  assert.equal(empty[engine.names.indexOf('contacts_90d')], 0)
  assert.ok(Number.isNaN(empty[engine.names.indexOf('tenure_days')]))
  const t = scorer.ticket(fresh, { time: now - 1000, kind: 'contact_opened' }, { now, details: true })
  assert.ok(t.probability > 0 && t.probability < 1)
  assert.equal(t.features[engine.names.indexOf('contacts_7d')], 1)
  // A record field of the wrong type, a model input that is not a feature.
  assert.throws(() => new TicketScorer(engine, churn, playbook, null, { customer: { segment: 3 } }), (e) => e.code === 'INVALID_PARAMETER')
  const odd = JSON.parse(churn.toJson())
  odd.inputs[0] = 'shoe_size'
  odd.encoder.columns[0].name = 'shoe_size'
  odd.columns[0] = 'shoe_size'
  odd.columns[1] = 'shoe_size__missing'
  assert.throws(() => new TicketScorer(engine, ChurnModel.fromJson(JSON.stringify(odd)), playbook),
    (e) => e.code === 'UNKNOWN_VALUE' && /shoe_size/.test(e.message))
})

test('surveyAnswerFeatures: the retention features that hold the survey answer', () => {
  const leaks = ['last_nps', 'last_nps_category', 'days_since_last_nps', 'interaction_quality_90d',
    'worst_interaction_90d', 'last_interaction']
  assert.deepEqual(surveyAnswerFeatures(), leaks)
  const names = new features.FeatureEngine(null).names
  assert.ok(leaks.every((n) => names.includes(n)))
})

test('TicketScorer.toJson / fromJson: the same tickets to the bit, the same file as Python writes', () => {
  const { b, engine, churn, ltr, histories } = setup()
  const scorer = new TicketScorer(engine, churn, ActionCatalog.playbook(), ltr, { customer: defaults, topActions: 4 })
  const text = scorer.toJson()
  assert.equal(JSON.parse(text).format, 'nps-ticket-scorer')
  const back = TicketScorer.fromJson(text, { customer: defaults, topActions: 4 })
  assert.equal(back.toJson(), text)
  assert.deepEqual(back.valuesLayout, scorer.valuesLayout)
  const one = histories()
  const two = histories()
  for (const id of [...one.keys()].filter((_, k) => k % 50 === 0)) {
    const now = b.asOf + 3_600_000
    const event = { time: now - 60_000, kind: 'contact_opened', department: 'billing' }
    const a = scorer.ticket(one.get(id), event, { now, details: true })
    const r = back.ticket(two.get(id), event, { now, details: true })
    assert.deepEqual(r, a)
  }
  const damaged = JSON.parse(text)
  damaged.catalog.actions[0].channel = 5
  assert.throws(() => TicketScorer.fromJson(JSON.stringify(damaged)),
    (e) => e.code === 'INVALID_PARAMETER' && e.message.startsWith('ticket scorer catalog: '))
  damaged.version = 9
  assert.throws(() => TicketScorer.fromJson(JSON.stringify(damaged)), (e) => /ticket scorer version/.test(e.message))
})
