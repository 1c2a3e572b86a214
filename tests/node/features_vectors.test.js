'use strict'
// tests/vectors/features.json, read here as in Rust and Python: the retention set and a
// declared set using every aggregation, from the same events, to the last bit; part of the
// retention set also equals the generator's pandas reference.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { features } = require('../../nps-node')

const v = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'vectors', 'features.json'), 'utf8'))
const e = v.events
/** A vector's events as columns (times in milliseconds, NaN for a missing number). */
const columnsOf = (e) => ({
  customer: e.customer,
  time: Float64Array.from(e.time, (s) => s * 1000),
  kind: e.kind,
  value: Float64Array.from(e.value, (x) => x ?? NaN),
  duration: Float64Array.from(e.duration, (x) => x ?? NaN),
  department: e.department,
  case: e.case,
  flag: e.flag,
})
const columns = columnsOf(e)
const options = { asOf: v.as_of * 1000, declaredKinds: v.declared_kinds }

/** Each customer's row as the vector holds it (NaN as null). */
function rows(m) {
  const out = {}
  m.customers.forEach((c, i) => {
    out[c] = m.names.map((_, j) => {
      const x = m.values[i * m.names.length + j]
      return Number.isNaN(x) ? null : x
    })
  })
  return out
}

test('the retention set equals Python\'s and Rust\'s to the bit', () => {
  const m = features.retention(columns, options)
  assert.deepEqual(m.names, v.retention.names)
  assert.deepEqual(rows(m), v.retention.rows)
  // The same events as objects give the same matrix, with fields without a value given as
  // null (as an event arrives in JSON) or left out.
  const objects = e.customer.map((customer, i) => ({
    customer, time: e.time[i] * 1000, kind: e.kind[i], value: e.value[i], duration: e.duration[i],
    department: e.department[i], case: e.case[i], flag: e.flag[i],
  }))
  assert.ok(objects.some((o) => o.value === null) && objects.some((o) => o.department === null))
  assert.deepEqual(rows(features.retention(objects, options)), v.retention.rows)
  const leftOut = objects.map((o) => Object.fromEntries(Object.entries(o).filter(([, x]) => x !== null)))
  assert.deepEqual(rows(features.retention(leftOut, options)), v.retention.rows)
  // And part of it equals pandas'.
  const got = rows(m)
  v.pandas.names.forEach((name, j) => {
    const k = m.names.indexOf(name)
    for (const [c, ref] of Object.entries(v.pandas.rows)) {
      const a = got[c][k]
      const b = ref[j]
      assert.ok(a === b || Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)), `${c} ${name}: ${a} vs pandas ${b}`)
    }
  })
})

test('a declared set with every aggregation equals Python\'s and Rust\'s to the bit', () => {
  const m = features.compute(columns, JSON.stringify(v.definitions), options)
  assert.deepEqual(m.names, v.declared.names)
  assert.deepEqual(rows(m), v.declared.rows)
})

test("a feature set's Spark SQL is Python's and Rust's, and the core's features are Spark's bits (tests/vectors/spark_features.json)", () => {
  const s = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'vectors', 'spark_features.json'), 'utf8'))
  const engine = new features.FeatureEngine(JSON.stringify(s.definitions))
  assert.deepEqual(JSON.parse(engine.sparkSqlRanges()).map((c) => c.name).sort(), Object.keys(s.ranges).sort())
  assert.deepEqual(JSON.parse(engine.sparkSql(s.as_of, JSON.stringify(s.ranges))), s.sql)
  assert.throws(() => engine.sparkSql(s.as_of, '{"rows": -1}'),
    (e) => e.code === 'INVALID_PARAMETER' && e.message.startsWith('ranges must be the row of sparkSqlRanges as JSON'))
  const m = features.compute(columnsOf(s.events), JSON.stringify(s.definitions), { asOf: s.as_of * 1000 })
  assert.deepEqual(m.names, s.names)
  const hex = (x) => Buffer.from(new Float64Array([x]).buffer).reverse().toString('hex')
  m.customers.forEach((c, i) => {
    m.names.forEach((name, j) => assert.equal(hex(m.values[i * m.names.length + j]), s.spark[c][j], `${c} ${name}`))
  })
  const spread = new features.FeatureEngine(JSON.stringify(s.unsupported.definitions))
  const { code, message } = s.unsupported.error
  assert.throws(() => spread.sparkSqlRanges(), (e) => e.code === code && e.message === message)
})
