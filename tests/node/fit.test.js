// Training in Node (issue 15): the table of tests/vectors/fit.json gives the same model as
// Python's fit, to the bit, and the same mistakes give the same errors word for word; on
// the IBM Telco data, readCsv + inferKinds + TableEncoder encode as pandas does
// (tests/vectors/telco_encoding.json) and ChurnModel.fit matches scikit-learn.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const nps = require('../../nps-node')

const vectors = path.join(__dirname, '..', 'vectors')
const v = JSON.parse(fs.readFileSync(path.join(vectors, 'fit.json'), 'utf8'))

test('inferKinds and TableEncoder read a table as Python does', () => {
  assert.deepEqual(nps.inferKinds(v.table), v.kinds)
  const encoder = nps.TableEncoder.fit(v.table)
  assert.deepEqual(encoder.featureNames, v.logistic.columns)
  assert.deepEqual(encoder.kinds, v.kinds)
  const encoded = encoder.transform(v.table)
  assert.equal(encoded.rows, v.y.length)
  assert.equal(encoded.values.length, v.y.length * v.logistic.columns.length)
  // The file round-trips, and an unseen category is named.
  const back = nps.TableEncoder.fromJson(encoder.toJson())
  assert.deepEqual(back.transform(v.table).values, encoded.values)
  assert.throws(() => encoder.transform({ ...v.table, plan: v.table.plan.map(() => 'weekly') }), (e) => {
    assert.equal(e.code, 'UNKNOWN_VALUE')
    assert.match(e.message, /plan/)
    assert.match(e.message, /weekly/)
    return true
  })
})

test('ChurnModel.fit gives Python\'s coefficients and probabilities to the bit', async () => {
  const model = nps.ChurnModel.fit(v.table, v.y, v.logistic.options)
  assert.deepEqual(model.inputs, v.logistic.inputs)
  assert.deepEqual(model.columns, v.logistic.columns)
  assert.deepEqual(Array.from(model.coef), v.logistic.coef)
  assert.equal(model.intercept, v.logistic.intercept)
  const rows = v.y.map((_, i) => Object.fromEntries(Object.entries(v.table).map(([k, col]) => [k, col[i]])))
  assert.deepEqual(rows.map((r) => model.score(r)), v.logistic.probability)
  // Labels as text or booleans, and off the event loop: the same model.
  const yes = v.y.map((y) => (y === 1 ? 'Yes' : 'No'))
  assert.deepEqual(Array.from(nps.ChurnModel.fit(v.table, yes, v.logistic.options).coef), v.logistic.coef)
  const later = await nps.ChurnModel.fitAsync(v.table, v.y.map(Boolean), v.logistic.options)
  assert.deepEqual(Array.from(later.coef), v.logistic.coef)
  const churned = v.y.map((y) => (y === 1 ? 'churned' : 'stayed'))
  assert.throws(() => nps.ChurnModel.fit(v.table, churned), /pos_label/)
  const named = nps.ChurnModel.fit(v.table, churned, { ...v.logistic.options, posLabel: 'churned' })
  assert.deepEqual(Array.from(named.coef), v.logistic.coef)
})

test('BoostedChurnModel.fit gives Python\'s model to the bit, here or off the event loop', async () => {
  const rows = v.y.map((_, i) => Object.fromEntries(Object.entries(v.table).map(([k, col]) => [k, col[i]])))
  const model = nps.BoostedChurnModel.fit(v.table, v.y, v.boosted.node)
  assert.deepEqual(rows.map((r) => model.score(r)), v.boosted.probability)
  const later = await nps.BoostedChurnModel.fitAsync(v.table, v.y, v.boosted.node)
  assert.equal(later.toJson(), model.toJson())
})

test('the same mistakes give the same code and message as in Python', async () => {
  for (const m of v.mistakes) {
    const check = (e) => {
      assert.equal(e.code, m.code, m.message)
      assert.equal(e.message, m.message)
      return true
    }
    assert.throws(() => nps[m.model].fit(v.table, v.y, m.node), check)
    await assert.rejects(nps[m.model].fitAsync(v.table, v.y, m.node), check)
  }
  // What only JavaScript can get wrong is named too.
  assert.throws(() => nps.ChurnModel.fit({ x: [1, 'a'] }, [0, 1]), (e) => {
    assert.equal(e.code, 'INVALID_PARAMETER')
    assert.match(e.message, /table column "x"\[1\]/)
    return true
  })
  assert.throws(() => nps.ChurnModel.fit({ x: 'abc' }, [0, 1]), /table column "x"/)
  assert.throws(() => nps.ChurnModel.fit(v.table, v.y.slice(1)), (e) => e.code === 'LENGTH_MISMATCH')
  assert.throws(() => nps.ChurnModel.fit(v.table, v.y.map((y, i) => (i === 3 ? 2 : y))), /y\[3\]/)
})

// --- IBM Telco (../shared/data): fails in CI when missing, skips elsewhere -------------------
const telco = path.join(__dirname, '..', '..', '..', 'shared', 'data', 'telco', 'Telco-Customer-Churn.csv')
const haveTelco = fs.existsSync(telco)
if (!haveTelco && process.env.CI === 'true') {
  test('the Telco data is present in CI', () => assert.fail(`CI=true and ${telco} is missing`))
}

test('Telco: readCsv, inferKinds, TableEncoder and ChurnModel.fit against pandas and scikit-learn', { skip: !haveTelco && 'no ../shared/data' }, () => {
  const e = JSON.parse(fs.readFileSync(path.join(vectors, 'telco_encoding.json'), 'utf8'))
  const table = nps.readCsv(telco)
  assert.equal(table.TotalCharges.length, e.rows)
  const missing = [...table.TotalCharges.keys()].filter((i) => Number.isNaN(table.TotalCharges[i]))
  assert.deepEqual(missing, e.missing_total_charges_rows)
  const exclude = ['customerID', 'Churn']
  assert.deepEqual(nps.inferKinds(table, exclude), e.kinds)
  const encoder = nps.TableEncoder.fit(table, { exclude })
  assert.deepEqual(encoder.featureNames, e.feature_names)
  const { values, rows, columns } = encoder.transform(table)
  assert.equal(rows, e.rows)
  const k = columns.length
  e.first_rows.forEach((row, r) => row.forEach((x, j) => {
    assert.ok(Math.abs(values[r * k + j] - x) <= 1e-12 * Math.max(1, Math.abs(x)), `row ${r} ${columns[j]}`)
  }))
  e.column_sums.forEach((x, j) => {
    let sum = 0
    for (let r = 0; r < rows; r++) sum += values[r * k + j]
    assert.ok(Math.abs(sum - x) <= 1e-9 * Math.max(1, Math.abs(x)), `sum of ${columns[j]}: ${sum} vs ${x}`)
  })
  const model = nps.ChurnModel.fit(table, table.Churn, { exclude, tol: 1e-10 })
  assert.ok(Math.abs(model.training.positiveShare - e.churn_rate) < 1e-15)
  // scikit-learn's Newton solver reaches the same minimum (its lbfgs stops 1e-4 short on the
  // intercept, which shares a weakly determined direction with the one-hot groups).
  const exact = e.sklearn_newton_cholesky
  exact.coef.forEach((c, j) => {
    assert.ok(Math.abs(model.coef[j] - c) < 1e-7, `${columns[j]}: ${model.coef[j]} vs scikit-learn ${c}`)
  })
  assert.ok(Math.abs(model.intercept - exact.intercept) < 1e-7, `${model.intercept} vs ${exact.intercept}`)
})
