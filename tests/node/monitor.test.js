'use strict'
// Monitoring from Node against the shared vector (tests/vectors/monitor.json): drift (rows
// and reference summary), performance per period, DeLong, recalibration to the bit, and bad
// input with the core's codes.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')

const { monitor } = require('../../nps-node')

const v = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'vectors', 'monitor.json'), 'utf8'))
const column = (c) =>
  c.kind === 'numeric'
    ? { name: c.name, values: c.values.map((x) => (x === null ? NaN : x)) }
    : { name: c.name, categories: c.values }
const nums = (a) => a.map((x) => (x === null ? NaN : x))
const sameNumber = (a, b, what) => (b === null ? assert.ok(a === null || Number.isNaN(a), what) : assert.equal(a, b, what))

test('drift as the vector, to the bit', () => {
  const d = v.drift
  const report = monitor.drift(d.reference.map(column), d.current.map(column), { bins: d.bins })
  assert.deepEqual(JSON.parse(report.json), d.report)
  for (const input of report.inputs) {
    const e = d.expected[input.input]
    assert.ok(Math.abs(input.psi - e.psi) < 1e-12)
    if (e.ks !== undefined) assert.equal(input.ks, e.ks)
  }
  assert.deepEqual(report.drifted, ['tenure', 'plan'])
  assert.equal(report.worst, 'major')
  const plan = report.inputs.find((i) => i.input === 'plan')
  assert.deepEqual(plan.newCategories, ['family'])
  assert.deepEqual(plan.vanishedCategories, ['legacy'])
  const built = monitor.ReferenceSummary.build(d.reference.map(column))
  assert.deepEqual(JSON.parse(built.toJson()), d.summary)
  const summary = monitor.ReferenceSummary.fromJson(JSON.stringify(d.summary))
  assert.deepEqual(summary.inputs, ['tenure', 'bill', 'plan'])
  const again = summary.compare(d.current.map(column))
  assert.equal(again.ksExact, false)
  assert.deepEqual(JSON.parse(again.json), d.report_from_summary)
})

test('performance per period as the vector', () => {
  const d = v.performance
  const rows = monitor.performance(new Float64Array(d.y), new Float64Array(d.p), d.period)
  assert.equal(rows.length, d.rows.length)
  rows.forEach((r, k) => {
    const want = d.rows[k]
    for (const [key, value] of Object.entries(want)) {
      const camel = key.replace(/_([a-z])/g, (_, c) => c.toUpperCase())
      sameNumber(r[camel], value, `${r.period} ${key}`)
    }
    assert.ok(Math.abs(r.auc - d.expected[r.period].auc) < 1e-12)
  })
  assert.deepEqual(rows.map((r) => r.calibrationDrift), [false, false, true])
})

test('DeLong: the published example and the paired test', () => {
  const h = v.delong.hanley_mcneil
  const r = monitor.aucInterval(h.y, h.score)
  assert.equal(Number(r.auc.toFixed(4)), h.published.auc)
  assert.equal(Number(r.se.toFixed(4)), h.published.se)
  assert.equal(Number(r.lower.toFixed(5)), h.published.lower)
  assert.equal(Number(r.upper.toFixed(5)), h.published.upper)
  assert.equal(r.se, h.core.se)
  const p = v.delong.paired
  const t = monitor.delongTest(p.y, p.score_a, p.score_b)
  assert.deepEqual(
    { auc_a: t.aucA, auc_b: t.aucB, difference: t.difference, se: t.se, z: t.z, p_value: t.pValue },
    p.core
  )
})

test('recalibration as the vector', () => {
  const d = v.recalibration
  const iso = monitor.Recalibrator.fit('isotonic', d.p, d.y, { sampleWeight: d.weights })
  assert.deepEqual(iso.predict(d.new_p), nums(d.isotonic.core))
  assert.equal(iso.method, 'isotonic')
  const platt = monitor.Recalibrator.fit('platt', d.p, d.y)
  assert.deepEqual(JSON.parse(platt.toJson()), d.platt.json)
  assert.deepEqual(monitor.Recalibrator.fromJson(platt.toJson()).predict(d.new_p), nums(d.platt.core))
  const ks = monitor.ks2samp([1, 2, 3, NaN], [2, 3, 4, 5])
  assert.equal(ks.statistic, 0.5)
  assert.equal(monitor.psi([0.5, 0.5], [0.5, 0.5]), 0)
})

test('mistakes carry the core code and name the field', () => {
  const code = (f, c, re) =>
    assert.throws(f, (e) => {
      assert.equal(e.code, c)
      if (re) assert.match(e.message, re)
      return true
    })
  code(() => monitor.performance([], [], []), 'EMPTY')
  code(() => monitor.performance([0, NaN, 1], [0.1, 0.2, 0.3], ['a', 'a', 'a']), 'MISSING_VALUE', /y\[1\]/)
  code(() => monitor.performance([0, 1], [0.1], ['a', 'a']), 'LENGTH_MISMATCH', /^p has 1/)
  code(
    () => monitor.performance([0, 1, 0], [0.1, 0.2, 0.3], ['a', 'b', 'x'], { order: ['a', 'b'] }),
    'UNKNOWN_VALUE',
    /period\[2\]/
  )
  code(() => monitor.drift([{ name: 'x', values: [1, 2] }], [{ name: 'y', values: [1] }]), 'UNKNOWN_VALUE', /"x"/)
  code(() => monitor.drift([{ name: 'x', values: [1] }], [{ name: 'x', values: [1] }], { bins: 0 }), 'INVALID_PARAMETER')
  code(() => monitor.Recalibrator.fit('spline', [0.1, 0.9], [0, 1]), 'UNKNOWN_VALUE')
  code(() => monitor.delongTest([0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4], [0.1, NaN, 0.3, 0.4]), 'MISSING_VALUE', /score_b\[1\]/)
})
