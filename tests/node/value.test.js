'use strict'
// Customer value from Node against tests/vectors/value.json (lifetimes 0.11.3 on CDNOW, the
// paper's sBG cohorts): fits, predictions, lifetime value, the RFM summary, value at risk,
// model files written by Python predicting to the bit, and bad input.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')

const { value, ActionCatalog } = require('../../nps-node')

const v = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'vectors', 'value.json'), 'utf8'))
const bits = (x) => Buffer.from(new Float64Array([x]).buffer).toString('hex')
const maxRel = (a, b) => Math.max(...a.map((x, i) => Math.abs(x - b[i]) / Math.max(Math.abs(b[i]), 1e-12)))
const { frequency: f, recency: r, T, monetary_value: m } = v.cdnow
const pick = (xs, rows) => rows.map((i) => xs[i])

test('BG/NBD equals lifetimes on CDNOW', () => {
  const model = value.BetaGeo.fit(f, r, T)
  const p = model.params
  assert.ok(maxRel([p.r, p.alpha, p.a, p.b], v.beta_geo.params) < 1e-6)
  assert.ok(maxRel(model.fitSummary.standardErrors, v.beta_geo.standard_errors) < 1e-4)
  v.beta_geo.horizons.forEach((h, k) => {
    const e = model.conditionalExpectedNumberOfPurchasesUpToTime(h, new Float64Array(f), r, T)
    assert.ok(maxRel(e, v.beta_geo.conditional_expected_purchases[k]) < 1e-5, `t = ${h}`)
  })
  assert.ok(maxRel(model.conditionalProbabilityAlive(f, r, T), v.beta_geo.probability_alive) < 1e-5)
  const fresh = model.expectedNumberOfPurchasesUpToTime(v.beta_geo.new_customer_horizons)
  assert.ok(maxRel(fresh, v.beta_geo.new_customer_expected_purchases) < 1e-5)
  const penalized = value.BetaGeo.fit(f, r, T, { penalizerCoef: 0.01 }).params
  assert.ok(maxRel([penalized.r, penalized.alpha, penalized.a, penalized.b], v.beta_geo_penalized.params) < 1e-5)
})

test('Gamma-Gamma and lifetime value equal lifetimes', () => {
  const rows = f.map((x, i) => i).filter((i) => f[i] > 0)
  const [rf, rr, rT, rm] = [f, r, T, m].map((xs) => pick(xs, rows))
  const spend = value.GammaGamma.fit(rf, rm)
  const p = spend.params
  assert.ok(maxRel([p.p, p.q, p.v], v.gamma_gamma.params) < 1e-6)
  assert.ok(maxRel(spend.conditionalExpectedAverageProfit(rf, rm), v.gamma_gamma.expected_average_profit) < 1e-6)
  const purchases = value.BetaGeo.fit(f, r, T)
  assert.ok(maxRel(spend.customerLifetimeValue(purchases, rf, rr, rT, rm), v.gamma_gamma.clv_days) < 1e-5)
  const weeks = spend.customerLifetimeValue(purchases, rf, rr, rT, rm, { time: 6, discountRate: 0.02, freq: 'W' })
  assert.ok(maxRel(weeks, v.gamma_gamma.clv_weeks) < 1e-5)
})

test('the RFM summary equals lifetimes on generated transactions', () => {
  const labels = [...new Set(v.transactions.customer)].sort()
  const codes = v.transactions.customer.map((c) => labels.indexOf(c))
  for (const [name, e] of Object.entries(v.summaries)) {
    const s = value.summaryFromTransactions(codes, v.transactions.time, {
      amount: v.transactions.amount, observationEnd: e.observation_end ?? undefined, freq: e.freq,
      freqMultiplier: e.freq_multiplier, includeFirstTransaction: e.include_first_transaction,
    })
    assert.deepEqual(s.customer.map((c) => labels[c]), e.customer, name)
    assert.deepEqual(s.frequency, e.frequency, name)
    assert.deepEqual(s.recency, e.recency, name)
    assert.deepEqual(s.t, e.T, name)
    assert.ok(maxRel(s.monetaryValue, e.monetary_value) < 1e-12, name)
  }
})

test('the shifted-beta-geometric model reproduces Fader & Hardie (2007)', () => {
  for (const [name, e] of Object.entries(v.shifted_beta_geometric)) {
    const model = value.ShiftedBetaGeometric.fit(e.survivors.slice(0, 8))
    assert.ok(Math.abs(model.params.alpha - e.published.alpha) < 5e-4, name)
    assert.ok(Math.abs(model.params.beta - e.published.beta) < 5e-4, name)
    assert.ok(maxRel(model.survival(12), e.survival) < 1e-6)
    for (const [key, derl] of Object.entries(e.derl)) {
      const [d, n] = key.split('_').map(Number)
      assert.ok(Math.abs(model.discountedExpectedResidualLifetime(d, n) / derl - 1) < 1e-6, `${name} ${key}`)
    }
    assert.equal(model.expectedRemainingLifetime(0), Infinity)
  }
})

test('model files written by Python predict to the bit', () => {
  const mf = v.model_files
  const bg = value.BetaGeo.fromJson(JSON.stringify(mf.beta_geo))
  const rows = mf.rows
  const [hf, hr, hT] = [f, r, T].map((xs) => pick(xs, rows))
  assert.deepEqual(bg.conditionalExpectedNumberOfPurchasesUpToTime(10, hf, hr, hT).map(bits), mf.expected_purchases_10.map(bits))
  assert.deepEqual(bg.conditionalProbabilityAlive(hf, hr, hT).map(bits), mf.probability_alive.map(bits))
  const gg = value.GammaGamma.fromJson(JSON.stringify(mf.gamma_gamma))
  const rep = mf.repeat_rows
  const clv = gg.customerLifetimeValue(bg, ...[f, r, T, m].map((xs) => pick(xs, rep)))
  assert.deepEqual(clv.map(bits), mf.clv.map(bits))
  const sbg = value.ShiftedBetaGeometric.fromJson(JSON.stringify(mf.shifted_beta_geometric))
  assert.deepEqual(sbg.survival(12).map(bits), mf.survival_12.map(bits))
  assert.equal(bits(sbg.discountedExpectedResidualLifetime(0.1, 2)), bits(mf['derl_0.1_2']))
  // Saved from Node and read again.
  assert.equal(value.BetaGeo.fromJson(bg.toJson()).toJson(), bg.toJson())
  assert.throws(() => value.BetaGeo.fromJson(sbg.toJson()), (e) => e.code === 'INVALID_PARAMETER' && /kind/.test(e.message))
})

test('value at risk, the campaign and next-best-action', () => {
  assert.deepEqual(value.valueAtRisk([0.5, 0.1, 0.9, 0], [100, 1000, 10, 50]), [50, 100, 9, 0])
  const plan = value.planCampaign([0.5, 0.1, 0.9, 0], [100, 1000, 10, 50], { uplift: 0.2, cost: 5, acceptanceRate: 0.5 })
  assert.deepEqual(plan.netValue, [5, 45, -4, -5])
  assert.deepEqual(plan.order, [1, 0, 2, 3])
  assert.equal(plan.worthContacting, 2)
  assert.equal(plan.totalNetValue, 50)
  const catalog = ActionCatalog.fromJson(JSON.stringify({
    fields: { value_at_risk: 'number' },
    actions: [
      { id: 'save_call', channel: 'call', value: { field: 'value_at_risk', times: 0.3 } },
      { id: 'letter', channel: 'mail', value: 5 },
    ],
  }))
  const [high, low] = value.valueAtRisk([0.6, 0.02], [400, 400])
  assert.equal(catalog.decide({ value_at_risk: high }, { score: 50 }).actions[0].id, 'save_call')
  assert.equal(catalog.decide({ value_at_risk: low }, { score: 50 }).actions[0].id, 'letter')
})

test('bad input throws errors naming the field and row', () => {
  const cases = [
    [() => value.BetaGeo.fit([1, -1], [1, 0], [2, 2]), 'NEGATIVE', /frequency\[1\]/],
    [() => value.BetaGeo.fit([1, 1], [1, 3], [2, 2]), 'OUT_OF_RANGE', /recency\[1\] = 3.*T\[1\] = 2/],
    [() => value.BetaGeo.fit([0, 1], [1, 1], [2, 2]), 'OUT_OF_RANGE', /recency\[0\] = 1/],
    [() => value.BetaGeo.fit([1, NaN], [1, 1], [2, 2]), 'MISSING_VALUE', /frequency\[1\]/],
    [() => value.BetaGeo.fit([1, 1], [1], [2, 2]), 'LENGTH_MISMATCH', /recency has 1/],
    [() => value.BetaGeo.fit([5, 5, 5], [10, 10, 10], [10, 10, 10]), 'INVALID_PARAMETER', /no convergence/],
    [() => value.GammaGamma.fit([1, 2], [10, 0]), 'OUT_OF_RANGE', /monetary_value\[1\] = 0/],
    [() => value.ShiftedBetaGeometric.fit([1000, 600, 650]), 'OUT_OF_RANGE', /survivors\[2\] = 650/],
    [() => value.valueAtRisk([0.5, 1.5], [1, 1]), 'OUT_OF_RANGE', /churn_probability\[1\] = 1.5/],
    [() => value.summaryFromTransactions([0], [0], { freq: 'Q' }), 'UNKNOWN_VALUE', /freq/],
    [() => value.BetaGeo.fromParams(0.243, 4.414, 0.793, 2.426).conditionalExpectedNumberOfPurchasesUpToTime(1e12, [0, 2], [0, 30], [39, 39]), 'INVALID_PARAMETER', /t must be a shorter horizon for customer 0/],
    [() => value.ShiftedBetaGeometric.fromParams(0.7, 1.2).discountedExpectedResidualLifetime(1e-9), 'INVALID_PARAMETER', /discount_rate.*1e-5/],
    [() => value.summaryFromTransactions([0], [0], { freqMultiplier: 0 }), 'INVALID_PARAMETER', /freq_multiplier must be a positive, finite number, got 0/],
    // Codes and times that napi would have truncated, wrapped or zeroed on the way in.
    [() => value.summaryFromTransactions([0, 0.5], [0, 86400]), 'OUT_OF_RANGE', /customer\[1\] = 0.5/],
    [() => value.summaryFromTransactions([0, -1], [0, 86400]), 'OUT_OF_RANGE', /customer\[1\] = -1/],
    [() => value.summaryFromTransactions([NaN], [0]), 'MISSING_VALUE', /customer\[0\]/],
    [() => value.summaryFromTransactions([0, 0], [0, NaN]), 'MISSING_VALUE', /time\[1\]/],
    [() => value.summaryFromTransactions([0, 0], [0, Infinity]), 'OUT_OF_RANGE', /time\[1\] = inf/],
    [() => value.summaryFromTransactions([0, 0], [0, 1e300]), 'OUT_OF_RANGE', /time\[1\]/],
    [() => value.summaryFromTransactions([0, 0], [0, 86400], { observationEnd: NaN }), 'MISSING_VALUE', /observationEnd/],
  ]
  for (const [call, code, message] of cases) {
    assert.throws(call, (e) => e.code === code && message.test(e.message), String(call))
  }
  // A fraction of a second is floored, as times in milliseconds are elsewhere.
  const floored = value.summaryFromTransactions([0, 0, 1], [0, 86400.9, 5], { observationEnd: 2 * 86400 + 0.5 })
  assert.deepEqual(floored, value.summaryFromTransactions([0, 0, 1], [0, 86400, 5], { observationEnd: 2 * 86400 }))
})
