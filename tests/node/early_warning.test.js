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
