'use strict'
// Survival analysis from Node against lifelines (tests/vectors/survival.json): Kaplan–Meier,
// the log-rank tests, Cox models fitted from columns, the shared model file to the bit, and
// bad input.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')

const { survival } = require('../../nps-node')

const v = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'vectors', 'survival.json'), 'utf8'))
const bits = (x) => Buffer.from(new Float64Array([x]).buffer).toString('hex')
const fromHex = (h) => {
  // Python's float.hex(): [-]0x1.<hex>p<exp>
  const m = /^(-?)0x([0-9a-f]+)(?:\.([0-9a-f]*))?p([+-]?\d+)$/.exec(h)
  let value = parseInt(m[2], 16)
  let scale = 1 / 16
  for (const ch of m[3] || '') {
    value += parseInt(ch, 16) * scale
    scale /= 16
  }
  return (m[1] ? -1 : 1) * value * 2 ** Number(m[4])
}
const inf = (x) => (x === null ? Infinity : x)
const close = (actual, expected, tolerance, what) => {
  assert.equal(actual.length, expected.length, `${what}: lengths`)
  actual.forEach((a, i) => {
    const e = inf(expected[i])
    if (!Number.isFinite(e)) return assert.equal(a, e, `${what}[${i}]`)
    assert.ok(Math.abs(a - e) <= tolerance, `${what}[${i}]: ${a} vs lifelines ${e}`)
  })
}
const data = (name) => v.datasets[name]
const labels = (values) => values.map((x) => (typeof x === 'number' ? String(Math.trunc(x)) : x))

test('Kaplan–Meier equals lifelines', () => {
  for (const c of v.kaplan_meier) {
    const d = data(c.dataset)
    const km = survival.KaplanMeier.fit(d[c.duration], {
      eventObserved: c.event ? d[c.event].map((e) => e === 1) : undefined,
      entry: c.entry ? d[c.entry] : undefined,
      weights: c.weights ? d[c.weights] : undefined,
      alpha: c.alpha,
    })
    const t = km.table
    assert.deepEqual(t.time, c.time)
    close(t.atRisk, c.at_risk, 1e-9, `${c.name} at risk`)
    close(t.survival, c.survival, 1e-12, `${c.name} survival`)
    close(t.lower, c.lower, 1e-12, `${c.name} lower`)
    close(t.upper, c.upper, 1e-12, `${c.name} upper`)
    assert.equal(km.median(), inf(c.median), `${c.name} median`)
    assert.deepEqual(km.medianInterval(), [inf(c.median_lower), inf(c.median_upper)])
    close(Array.from(km.survivalAt(c.at_times)), c.survival_at, 1e-12, `${c.name} survival at`)
  }
})

test('the log-rank tests equal lifelines', () => {
  for (const c of v.log_rank) {
    const d = data(c.dataset)
    const groups = labels(d[c.group])
    const events = d[c.event].map((e) => e === 1)
    const r = survival.multivariateLogrankTest(d[c.duration], groups, events)
    assert.ok(Math.abs(r.testStatistic - c.test_statistic) < 1e-9 * Math.max(1, c.test_statistic), c.name)
    assert.ok(Math.abs(r.pValue - c.p_value) < 1e-12, c.name)
    assert.equal(r.degreesOfFreedom, c.degrees_of_freedom)
    if (c.two_group) {
      const pick = (label, values) => values.filter((_, i) => groups[i] === label)
      const { a, b } = c.two_group
      const two = survival.logrankTest(pick(a, d[c.duration]), pick(b, d[c.duration]), pick(a, events), pick(b, events))
      assert.ok(Math.abs(two.testStatistic - c.two_group.test_statistic) < 1e-9 * Math.max(1, c.test_statistic))
    }
  }
})

test('Cox models fitted from columns equal lifelines', () => {
  for (const c of v.cox) {
    const d = data(c.dataset)
    const columns = { [c.duration]: d[c.duration], [c.event]: d[c.event] }
    for (const name of c.covariates) columns[name] = new Float64Array(d[name])
    if (c.entry) columns[c.entry] = d[c.entry]
    if (c.weights) columns[c.weights] = d[c.weights]
    const strata = c.strata ? labels(d[c.strata]) : undefined
    const model = survival.CoxModel.fit(columns, {
      durationCol: c.duration,
      eventCol: c.event,
      entryCol: c.entry || undefined,
      weightsCol: c.weights || undefined,
      covariates: c.covariates,
      strata,
      penalizer: c.penalizer,
    })
    const s = model.summary
    assert.deepEqual(s.map((r) => r.covariate), c.covariates)
    close(s.map((r) => r.coef), c.coef, 1e-6, `${c.name} coef`)
    close(s.map((r) => r.se), c.se, 1e-5, `${c.name} se`)
    close(s.map((r) => r.p), c.p, 1e-6, `${c.name} p`)
    assert.ok(Math.abs(model.logLikelihood - c.log_likelihood) < 1e-8, c.name)
    assert.ok(Math.abs(model.concordanceIndex - c.concordance) < 1e-12, c.name)
    model.baselineSurvival.survival.forEach((curve, k) => close(curve, c.baseline_survival[k], 1e-6, `${c.name} baseline`))
    const rows = {}
    for (const name of c.covariates) rows[name] = d[name].slice(0, c.rows)
    const options = { times: c.times, strata: strata && strata.slice(0, c.rows) }
    const curves = model.predictSurvival(rows, options)
    curves.survival.forEach((curve, i) => close(curve, c.survival[i], 1e-6, `${c.name} survival ${i}`))
    const after = { ...options, conditionalAfter: c.conditional_after }
    model.predictSurvival(rows, after).survival.forEach((curve, i) => close(curve, c.survival_conditional[i], 1e-6, `${c.name} conditional ${i}`))
    close(Array.from(model.predictChurnWithin(rows, c.horizon, after)), c.churn_within, 1e-6, `${c.name} churn within`)
  }
})

test('the shared Cox model file predicts to the bit', () => {
  const f = v.model_file
  const model = survival.CoxModel.fromJson(f.json)
  const customers = Object.fromEntries(model.covariates.map((name, j) => [name, f.x.map((row) => row[j])]))
  const curves = model.predictSurvival(customers, { times: f.times, conditionalAfter: f.conditional_after })
  curves.survival.forEach((curve, i) => assert.deepEqual(curve.map(bits), f.survival[i].map((h) => bits(fromHex(h))), `row ${i}`))
  const within = model.predictChurnWithin(customers, 26, { conditionalAfter: f.conditional_after })
  assert.deepEqual(Array.from(within, bits), f.churn_within_26.map((h) => bits(fromHex(h))))
  assert.equal(survival.CoxModel.fromJson(model.toJson()).toJson(), model.toJson())
})

test('bad input throws errors that name the row and the reason', () => {
  const code = (f, expected, message) => {
    assert.throws(f, (e) => {
      assert.equal(e.code, expected)
      if (message) assert.match(e.message, message)
      return true
    })
  }
  code(() => survival.KaplanMeier.fit([1, -2, 3]), 'NEGATIVE', /durations\[1\] = -2 is negative/)
  code(() => survival.KaplanMeier.fit([1, NaN]), 'MISSING_VALUE', /durations\[1\] is missing/)
  code(() => survival.KaplanMeier.fit([1, 2], { entry: [0, 3] }), 'OUT_OF_RANGE', /entry\[1\] = 3 is outside/)
  code(() => survival.KaplanMeier.fit([1, 2], { eventObserved: [true] }), 'LENGTH_MISMATCH')
  code(() => survival.KaplanMeier.fit([1, 2], { eventObserved: [false, false] }).median(), 'INVALID_PARAMETER', /no events/)
  code(() => survival.multivariateLogrankTest([1, 2, 3], ['a', 'a', 'a']), 'INVALID_PARAMETER', /at least 2 distinct groups/)
  const t = Array.from({ length: 40 }, (_, i) => i + 1)
  const e = t.map((_, i) => (i % 3 === 0 ? 0 : 1))
  code(() => survival.CoxModel.fit({ t, e, x: t.map((i) => -i) }, { durationCol: 't', eventCol: 'e' }), 'INVALID_PARAMETER', /no convergence.*"x"/)
  code(() => survival.CoxModel.fit({ t, e, x: t.map(() => 1), y: t.map((i) => i % 7) }, { durationCol: 't', eventCol: 'e' }), 'INVALID_PARAMETER', /covariate "x".*constant/)
  code(() => survival.CoxModel.fit({ t, e, x: t.map((i) => i % 7), y: t.map((i) => (i % 7) * 2) }, { durationCol: 't', eventCol: 'e' }), 'INVALID_PARAMETER', /singular Hessian at covariate "y"/)
  code(() => survival.CoxModel.fit({ t, e }, { durationCol: 'week' }), 'UNKNOWN_VALUE', /week/)
  code(() => survival.CoxModel.fromJson('{"format": "nps.churn_model", "version": 1}'), 'INVALID_PARAMETER', /format/)
})

test('survivalData: tenure and departures from the event history as of a date', () => {
  const day = 86400000
  const t0 = Date.UTC(2024, 0, 1)
  const events = [
    { customer: 'a', time: t0, kind: 'subscription_start' },
    { customer: 'a', time: t0 + 30 * day, kind: 'bill', value: 20 },
    { customer: 'a', time: t0 + 40 * day, kind: 'subscription_end' },
    { customer: 'b', time: t0 + 10 * day, kind: 'subscription_start' },
    { customer: 'c', time: t0 + 5 * day, kind: 'bill', value: 9 },
    // After asOf: not seen (no leakage from the future).
    { customer: 'b', time: t0 + 200 * day, kind: 'subscription_end' },
  ]
  const s = survival.survivalData(events, { asOf: new Date(t0 + 100 * day) })
  assert.deepEqual(s.customers, ['a', 'b', 'c'])
  assert.deepEqual(Array.from(s.tenureDays.slice(0, 2)), [40, 90])
  assert.ok(Number.isNaN(s.tenureDays[2]))
  assert.deepEqual(s.churned, [true, false, false])
  assert.deepEqual(Array.from(s.start.slice(0, 2)), [t0, t0 + 10 * day])
  assert.equal(s.churnTime[0], t0 + 40 * day)
  assert.ok(Number.isNaN(s.churnTime[1]) && Number.isNaN(s.start[2]))
  // The same in columns; a mistake names the field.
  const columns = {
    customer: events.map((e) => e.customer),
    time: events.map((e) => e.time),
    kind: events.map((e) => e.kind),
  }
  const same = survival.survivalData(columns, { asOf: t0 + 100 * day })
  assert.deepEqual(same.churned, s.churned)
  assert.throws(() => survival.survivalData([{ customer: 'a', time: t0, kind: 'teleport' }], { asOf: t0 }),
    (e) => e.code === 'UNKNOWN_VALUE' && /teleport/.test(e.message))
})
