'use strict'
// NPS statistics from Node: the shared vectors, input types and errors.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')

const nps = require('../../nps-node')
const { Tally, compare, probGreater, sampleSize, sampleSizeDifference, breakdown, trend } = nps

const vectors = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'vectors', 'survey.json'), 'utf8'))
const camel = (s) => s.replace(/_([a-z])/g, (_, c) => c.toUpperCase())
const close = (got, want, tol, what) => assert.ok(Math.abs(got - want) <= tol || got === want, `${what}: ${got} vs ${want} ± ${tol}`)

function tallyOf(c) {
  const options = {}
  if (c.breaks) options.breaks = c.breaks
  if (c.weights) options.weights = c.weights
  if (c.non_integer) options.nonInteger = camel(c.non_integer)
  if (c.missing) options.missing = c.missing
  return Tally.fromScores(c.scores.map((x) => (x === null ? NaN : x)), options)
}

test('vector tallies', () => {
  for (const c of vectors.tallies) {
    const t = tallyOf(c)
    assert.deepEqual([t.detractors, t.passives, t.promoters], c.counts, c.name)
    assert.equal(t.skipped, c.skipped)
    close(t.nps, c.nps, c.tol, `${c.name} nps`)
    close(t.se, c.se, c.tol, `${c.name} se`)
    close(t.effectiveN, c.effective_n, c.tol, `${c.name} effectiveN`)
  }
})

test('vector intervals', () => {
  for (const c of vectors.intervals) {
    const i = Tally.fromCounts(...c.counts).interval({ method: camel(c.method), level: c.level, prior: c.prior || undefined })
    for (const [field, want] of Object.entries(c.expect)) close(i[field], want, c.tol, `${c.name} ${field}`)
  }
})

test('vector comparisons and probabilities', () => {
  for (const c of vectors.comparisons) {
    const r = compare(Tally.fromCounts(...c.a), Tally.fromCounts(...c.b), { method: camel(c.method), level: c.level })
    for (const [field, want] of Object.entries(c.expect)) close(r[camel(field)], want, c.tol, `${c.name} ${field}`)
  }
  for (const c of vectors.prob_greater) {
    close(probGreater(Tally.fromCounts(...c.a), Tally.fromCounts(...c.b), { prior: c.prior }), c.expect, c.tol, c.name)
  }
})

test('vector sample sizes', () => {
  for (const c of vectors.sample_sizes) {
    const shares = c.shares ? { promoter: c.shares[0], detractor: c.shares[1] } : undefined
    assert.equal(sampleSize(c.margin, { level: c.level, shares, population: c.population }), c.expect, c.name)
  }
  for (const c of vectors.sample_sizes_difference) {
    assert.equal(sampleSizeDifference(c.difference, { level: c.level, power: c.power }), c.expect, c.name)
  }
})

test('vector errors carry a code and a message naming index and value', () => {
  for (const c of vectors.errors) {
    assert.throws(() => tallyOf(c), (e) => e instanceof Error && e.code === c.code && e.message.startsWith(c.message), c.name)
  }
  const t = Tally.fromCounts(1, 2, 3)
  for (const level of vectors.bad_levels) {
    assert.throws(() => t.interval({ level }), { code: 'INVALID_PARAMETER', message: /^level must be strictly between 0 and 1/ })
  }
})

test('every typed array gives the same tally', () => {
  const values = [0, 7, 7, 9, 9, 9, 10, 3]
  const want = [2, 2, 4]
  for (const T of [Array, Float64Array, Float32Array, Int32Array, Uint32Array, Int16Array, Uint16Array, Int8Array, Uint8Array, Uint8ClampedArray]) {
    const t = Tally.fromScores(T.from(values))
    assert.deepEqual([t.detractors, t.passives, t.promoters], want, T.name)
  }
  const view = new Uint8Array([99, 0, 9, 10, 99]).subarray(1, 4)
  assert.equal(Tally.fromScores(view).n, 3)
})

test('bad input in Node', () => {
  assert.throws(() => Tally.fromScores(new Uint8Array([9, 11])), { code: 'OUT_OF_RANGE', message: 'scores[1] = 11 is outside the scale 0..=10' })
  assert.throws(() => Tally.fromScores(new Int8Array([9, -1])), { code: 'OUT_OF_RANGE', message: /scores\[1\] = -1/ })
  assert.throws(() => Tally.fromScores([]), { code: 'EMPTY' })
  assert.throws(() => Tally.fromScores([9, 'a']), { code: 'INVALID_PARAMETER', message: 'element [1] of a number array must be a number, got "a"' })
  assert.throws(() => Tally.fromScores('9'), { code: 'INVALID_PARAMETER', message: /^a number array must be a number\[\] or a numeric typed array .*, got "9"$/ })
  assert.throws(() => Tally.fromScores(new BigInt64Array(1)), { code: 'INVALID_PARAMETER', message: /not BigInt\), got a typed array$/ })
  assert.throws(() => Tally.fromCounts(-1, 0, 1), { code: 'NEGATIVE', message: 'detractors[0] = -1 is negative' })
  assert.throws(() => Tally.fromCounts(1.5, 0, 1), { code: 'NON_INTEGER' })
  assert.throws(() => Tally.fromScores([1], { missing: 'drop' }), { code: 'UNKNOWN_VALUE', message: /unknown missing policy "drop"/ })
  assert.throws(() => Tally.fromScores([1], { breaks: [0, 8, 6, 10] }), { code: 'INVALID_PARAMETER' })
  assert.throws(() => Tally.fromCounts(1, 1, 1).interval({ method: 'exact' }), { code: 'UNKNOWN_VALUE' })
  assert.throws(() => Tally.fromCounts(1, 1, 1).interval({ method: 'wald', prior: [1, 1, 1] }), { code: 'INVALID_PARAMETER' })
  assert.throws(() => breakdown([1, 2], ['a']), { code: 'LENGTH_MISMATCH', message: 'segments has 1 elements but scores has 2' })
  assert.throws(() => trend([1, 2], [0, NaN]), { code: 'OUT_OF_RANGE', message: /timestamps\[1\]/ })
  assert.throws(() => trend([1], [0], { period: 'year' }), { code: 'UNKNOWN_VALUE' })
})

test('merge, scale, weights and plain-object results', () => {
  const a = Tally.fromCounts(1, 2, 3)
  const m = a.merge(Tally.fromCounts(4, 5, 6))
  assert.deepEqual([m.detractors, m.passives, m.promoters], [5, 7, 9])
  const five = Tally.fromScores([1, 2, 3, 4, 5, 5], { scale: { min: 1, detractorMax: 3, passiveMax: 4, max: 5 } })
  assert.deepEqual([five.detractors, five.passives, five.promoters], [3, 1, 2])
  const w = Tally.fromScores(new Uint8Array([0, 9, 10, 7]), { weights: new Float64Array([2, 1, 1, 4]) })
  assert.equal(w.isWeighted, true)
  close(w.se, 100 * Math.sqrt(6 / 64), 1e-9, 'weighted se')
  const json = JSON.parse(JSON.stringify(Tally.fromCounts(20, 30, 50)))
  assert.deepEqual(Object.keys(json).sort(), ['detractors', 'effectiveN', 'n', 'nps', 'outOfRange', 'passives', 'promoters', 'se', 'skipped'])
  const i = Tally.fromCounts(20, 30, 50).interval({ method: 'adjustedWald' })
  assert.equal(i.method, 'adjustedWald')
  assert.deepEqual(Object.keys(i).sort(), ['center', 'high', 'level', 'low', 'method', 'se'])
})

test('breakdown and trend', () => {
  const scores = new Uint8Array([9, 10, 3, 7, 9, 0, 8, 10])
  const rows = breakdown(scores, ['b', 'b', 'a', 'a', 'b', 'c', 'b', 'c'])
  assert.deepEqual(rows.map((r) => r.segment), ['a', 'b', 'c'])
  assert.equal(rows[1].nps, 75)
  const want = Tally.fromCounts(0, 1, 3).interval()
  close(rows[1].low, want.low, 1e-12, 'row interval')
  const day = 86400000
  const stamps = [0, day, 2 * day, 40 * day, 41 * day, 42 * day, 70 * day, 71 * day].map((ms) => new Date(ms))
  const months = trend(scores, stamps, { period: 'month' })
  assert.deepEqual(months.map((m) => m.period), ['1970-01', '1970-02', '1970-03'])
  assert.equal(months[1].start, Date.UTC(1970, 1, 1))
  assert.ok(Number.isNaN(months[0].diff) && months[0].direction === 0)
  close(months[1].diff, months[1].nps - months[0].nps, 1e-12, 'diff')
  const asNumbers = trend(scores, stamps.map(Number), { period: 'quarter' })
  assert.equal(asNumbers.length, 1)
  assert.equal(asNumbers[0].period, '1970-Q1')
})

test('validateScores reports every bad answer at once; outOfRange: skip drops them deliberately and counts them', () => {
  const { validateScores } = require('../../nps-node')
  const answers = [9, 11, NaN, 6.5, 10, -1, 3]
  assert.throws(() => Tally.fromScores(answers), { code: 'OUT_OF_RANGE', message: 'scores[1] = 11 is outside the scale 0..=10' })
  const bad = validateScores(answers)
  assert.deepEqual(bad.map((b) => [b.index, b.problem]),
    [[1, 'out_of_range'], [2, 'missing'], [3, 'non_integer'], [5, 'out_of_range']])
  assert.equal(bad[3].message, 'scores[5] = -1 is outside the scale 0..=10')
  assert.ok(Number.isNaN(bad[1].value))
  assert.deepEqual(validateScores(answers, { nonInteger: 'rightClosed' }).map((b) => b.index), [1, 2, 5])
  assert.deepEqual(validateScores(new Uint8Array([0, 5, 10])), [])
  const t = Tally.fromScores(answers, { missing: 'skip', outOfRange: 'skip', nonInteger: 'rightClosed' })
  assert.deepEqual([t.n, t.skipped, t.outOfRange], [4, 1, 2])
  assert.equal(t.toJSON().outOfRange, 2)
  assert.equal(Tally.fromScores(new Int32Array([9, 99, 3]), { outOfRange: 'skip' }).outOfRange, 1)
  assert.throws(() => Tally.fromScores([1], { outOfRange: 'drop' }), { code: 'UNKNOWN_VALUE' })
  const rows = breakdown([9, 11, 3, 12, 10], ['a', 'a', 'b', 'b', 'b'], { outOfRange: 'skip' })
  assert.deepEqual(rows.map((r) => [r.n, r.outOfRange]), [[1, 1], [2, 1]])
})
