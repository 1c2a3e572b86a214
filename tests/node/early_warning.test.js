'use strict'
// NPS and churn from Node: the shared scipy vectors and bad input.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')

const { churnByNps } = require('../../nps-node')

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
  assert.throws(() => churnByNps([], []), (e) => e.code === 'EMPTY')
})

const { LtrModel, predictedNps, evaluateLtr, features, synth } = require('../../nps-node')
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
})

test('evaluating LTR predictions against answers', () => {
  const e = evaluateLtr(new Float64Array([0.7, 0.2, 0.1, 0.1, 0.3, 0.6, 0.3, 0.3, 0.4]), [3, 10, NaN], 0.5)
  assert.equal(e.answered, 2)
  assert.equal(e.detractorAuc, 1)
  assert.ok(Math.abs(e.logLoss + (Math.log(0.7) + Math.log(0.6)) / 2) < 1e-15)
  assert.throws(() => evaluateLtr(new Float64Array([0.5, 0.5, 0]), [12]), (err) => err.code === 'OUT_OF_RANGE')
})
