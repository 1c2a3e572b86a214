'use strict'
// Options from Node as given (issue 20, "Hostile input"): a whole-number option is taken as
// the JS number it is and checked against the core field's range (never wrapped to 32 bits
// first: 2**40 used to become 0, -1 4294967295, 2.5 2), so a bad one is an Error with code
// INVALID_PARAMETER naming the option and showing the value as it was given; and an options
// argument (or an event, evidence, ...) that is not an object is refused, not ignored.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')

const nps = require('../../nps-node')
const { features, metrics, monitor, survival, synth, uplift, value } = nps

const vectors = (name) => JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'vectors', `${name}.json`), 'utf8'))
const fit = vectors('fit')
const boostedVector = vectors('boosted_model')
const ltrVector = vectors('boosted_ltr_model')
const valueFiles = vectors('value').model_files
const betaGeo = () => value.BetaGeo.fromJson(JSON.stringify(valueFiles.beta_geo))
const gammaGamma = () => value.GammaGamma.fromJson(JSON.stringify(valueFiles.gamma_gamma))

// Beyond a u32 field (2**40) and beyond a usize field (2**60: 2**40 is a valid count there).
const U32_HUGE = 2 ** 40
const SIZE_HUGE = 2 ** 60
const bad = (huge) => [huge, -1, 2.5, NaN, 'x']
// A plain number argument (not an option): napi-rs refuses a string before our code runs,
// with its own code (NumberExpected); the numbers are ours.
const badNumber = (huge) => [huge, -1, 2.5, NaN, Infinity]
const shown = (x) => (typeof x === 'string' ? JSON.stringify(x) : String(x))

function refused (call, name, x) {
  assert.throws(call, (e) => {
    assert.ok(e instanceof Error)
    assert.equal(e.code, 'INVALID_PARAMETER', `${name} = ${shown(x)}: ${e.message}`)
    assert.ok(e.message.includes(name), `${name} in: ${e.message}`)
    assert.ok(e.message.includes(shown(x)), `${shown(x)} in: ${e.message}`)
    return true
  })
}

const lowRisk = () => new Float64Array([0.2, 0.3, 0.5, 0.1, 0.2, 0.7, 0.6, 0.3, 0.1])
const y = [0, 1, 0, 1, 1, 0, 1, 0, 0, 1]
const score = [0.1, 0.9, 0.3, 0.8, 0.6, 0.2, 0.7, 0.4, 0.35, 0.65]
const sbgSurvivors = [1000, 869, 743, 653, 593, 551, 517, 491]

test('action: Learner rampUp (u32)', () => {
  for (const x of bad(U32_HUGE)) refused(() => new nps.Learner({ rampUp: x }), 'rampUp', x)
  // Shown as JavaScript prints them.
  for (const x of [1e21, -1e300, 1e-7, 4294967296]) refused(() => new nps.Learner({ rampUp: x }), 'rampUp', x)
  assert.equal(new nps.Learner({ rampUp: 5 }).toJson(), new nps.Learner().toJson())
  assert.notEqual(new nps.Learner({ rampUp: 7 }).toJson(), new nps.Learner().toJson())
})

test('action: decide top and draws (usize), seed (u64)', () => {
  const catalog = nps.ActionCatalog.playbook()
  const request = { score: 50, segment: 'postpaid' }
  for (const x of bad(SIZE_HUGE)) {
    refused(() => catalog.decide({}, { ...request, top: x }), 'top', x)
    refused(() => catalog.decide({}, { ...request, draws: x }), 'draws', x)
    refused(() => catalog.decide({}, { ...request, seed: x }), 'seed', x)
  }
  const plain = catalog.decide({}, request)
  assert.deepEqual(catalog.decide({}, { ...request, top: plain.actions.length === 0 ? 3 : 3 }), catalog.decide({}, { ...request, top: 3 }))
  assert.deepEqual(catalog.decide({}, { ...request, seed: 0 }), plain)
})

test('boosted: fit options (usize), checked before training', () => {
  const names = ['nEstimators', 'numLeaves', 'maxDepth', 'minDataInLeaf', 'maxBin', 'earlyStoppingRounds',
    'maxCatToOnehot', 'maxCatThreshold', 'minDataPerGroup', 'threads', 'seed']
  for (const name of names) {
    for (const x of bad(SIZE_HUGE)) refused(() => nps.BoostedChurnModel.fit(fit.table, fit.y, { [name]: x }), name, x)
  }
  // The core's own lower bounds are said up front.
  refused(() => nps.BoostedChurnModel.fit(fit.table, fit.y, { nEstimators: 0 }), 'nEstimators', 0)
  const small = { nEstimators: 20 }
  const base = nps.BoostedChurnModel.fit(fit.table, fit.y, small).toJson()
  // Values equal to the defaults give the same model.
  const same = { ...small, numLeaves: 7, maxDepth: 0, minDataInLeaf: 20, maxBin: 255, seed: 0, threads: 0 }
  assert.equal(nps.BoostedChurnModel.fit(fit.table, fit.y, same).toJson(), base)
  assert.notEqual(nps.BoostedChurnModel.fit(fit.table, fit.y, { ...small, numLeaves: 3 }).toJson(), base)
  // A monotone constraint of 0.5 is refused, not truncated to 0 (none) on its way in.
  const input = Object.keys(fit.table)[0]
  for (const x of [0.5, -0.5, 2, NaN]) {
    refused(() => nps.BoostedChurnModel.fit(fit.table, fit.y, { ...small, monotone: { [input]: x } }), `monotone[${input}]`, x)
  }
})

test('early warning: predictedNps trainedOn, explainDetractor top (usize)', () => {
  for (const x of bad(SIZE_HUGE)) refused(() => nps.predictedNps(lowRisk(), { trainedOn: x }), 'trainedOn', x)
  assert.deepEqual(nps.predictedNps(lowRisk(), { trainedOn: 0 }), nps.predictedNps(lowRisk()))
  const ltr = nps.BoostedLtrModel.fromJson(JSON.stringify(ltrVector.model))
  const customer = Object.fromEntries(ltr.inputs.map((n, j) => [n, ltrVector.rows ? ltrVector.rows[0][j] : 0]))
  for (const x of bad(SIZE_HUGE)) refused(() => ltr.explainDetractor(customer, { top: x }), 'top', x)
  assert.deepEqual(ltr.explainDetractor(customer, { top: 3 }), ltr.explainDetractor(customer))
})

test('early warning: TicketScorer topFactors, topActions (usize) and a ticket seed (u64)', () => {
  const model = nps.BoostedChurnModel.fromJson(JSON.stringify(boostedVector.feature_model))
  const engine = new features.FeatureEngine(null)
  const customer = { segment: 'postpaid', complained_outage: false, complained_overage: true, monthly_bill: 42,
    last_nps: 7, payment_trend: 1, usage_trend_30d: 1, tenure_days: 0 }
  const make = (o) => new nps.TicketScorer(engine, model, nps.ActionCatalog.playbook(), null, { customer, ...o })
  for (const x of bad(SIZE_HUGE)) {
    refused(() => make({ topFactors: x }), 'topFactors', x)
    refused(() => make({ topActions: x }), 'topActions', x)
  }
  const scorer = make({})
  const event = { time: Date.UTC(2026, 0, 1), kind: 'contact_opened', department: 'billing' }
  for (const x of bad(SIZE_HUGE)) {
    refused(() => scorer.ticket(new features.CustomerHistory(), event, { seed: x }), 'seed', x)
  }
  const one = make({ topFactors: 3, topActions: 3 }).ticket(new features.CustomerHistory(), event)
  assert.deepEqual(one, make({}).ticket(new features.CustomerHistory(), event))
})

test('monitor: drift bins, performance liftBins, retrainPolicy counts (usize), ReferenceSummary.build bins', () => {
  const reference = [{ name: 'x', values: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] }]
  const current = [{ name: 'x', values: [2, 3, 4, 5, 6, 7, 8, 9, 10, 11] }]
  for (const x of bad(SIZE_HUGE)) {
    refused(() => monitor.drift(reference, current, { bins: x }), 'bins', x)
    refused(() => monitor.performance(y, score, y.map(() => 'a'), { liftBins: x }), 'liftBins', x)
    refused(() => monitor.retrainPolicy({ ageDays: 10 }, { moderateInputs: x }), 'moderateInputs', x)
    refused(() => monitor.retrainPolicy({ ageDays: 10 }, { calibrationPeriods: x }), 'calibrationPeriods', x)
  }
  for (const x of badNumber(SIZE_HUGE)) refused(() => monitor.ReferenceSummary.build(reference, x), 'bins', x)
  assert.deepEqual(monitor.drift(reference, current, { bins: 10 }), monitor.drift(reference, current))
  assert.equal(monitor.ReferenceSummary.build(reference, 10).toJson(), monitor.ReferenceSummary.build(reference).toJson())
  assert.deepEqual(monitor.retrainPolicy({ ageDays: 10 }, { moderateInputs: 3 }), monitor.retrainPolicy({ ageDays: 10 }))
})

test('metrics: liftTable and calibrationTable bins (usize)', () => {
  for (const x of badNumber(SIZE_HUGE)) {
    refused(() => metrics.liftTable(y, score, x), 'bins', x)
    refused(() => metrics.calibrationTable(y, score, x), 'bins', x)
  }
  assert.throws(() => metrics.liftTable(y, score, 'x'), (e) => e instanceof Error && e.code === 'NumberExpected')
  refused(() => metrics.liftTable(y, score, 0), 'bins', 0)
  assert.deepEqual(metrics.liftTable(y, score, 10), metrics.liftTable(y, score))
  assert.deepEqual(metrics.calibrationTable(y, score, 10), metrics.calibrationTable(y, score))
})

test('model: ChurnModel maxIter and explain top (usize)', () => {
  for (const x of bad(SIZE_HUGE)) refused(() => nps.ChurnModel.fit(fit.table, fit.y, { maxIter: x }), 'maxIter', x)
  const model = nps.ChurnModel.fit(fit.table, fit.y)
  const row = Object.fromEntries(Object.entries(fit.table).map(([k, col]) => [k, col[0]]))
  for (const x of bad(SIZE_HUGE)) refused(() => model.explain(row, { top: x }), 'top', x)
  assert.deepEqual(model.explain(row, { top: 3 }), model.explain(row))
  assert.equal(nps.ChurnModel.fit(fit.table, fit.y, { maxIter: 100 }).toJson(), model.toJson())
})

test('synth: historyDays (u32), customers (usize), seeds (u64)', () => {
  for (const x of bad(U32_HUGE)) refused(() => synth.generate({ customers: 10, historyDays: x }), 'historyDays', x)
  for (const x of bad(SIZE_HUGE)) {
    refused(() => synth.generate({ customers: x }), 'customers', x)
    refused(() => synth.generate({ customers: 10, seed: x }), 'seed', x)
    refused(() => synth.campaign({ base: { customers: 10 }, campaignSeed: x }), 'campaignSeed', x)
  }
  assert.deepEqual(synth.generate({ customers: 50, historyDays: 365 }), synth.generate({ customers: 50 }))
  // A seed beyond 32 bits is the core's u64 seed, as from Python.
  assert.equal(synth.generate({ customers: 5, seed: 2 ** 40 }).customers.id.length, 5)
})

test('value: lifetime time and the sBG periods, t and renewals (u32)', () => {
  const sbg = value.ShiftedBetaGeometric.fit(sbgSurvivors)
  for (const x of badNumber(U32_HUGE)) {
    refused(() => value.discountedPeriods(x, 0.01), 'periods', x)
    refused(() => sbg.survival(x), 'periods', x)
    refused(() => sbg.churnProbability(x), 'periods', x)
    refused(() => sbg.retentionRate(x), 't', x)
    refused(() => sbg.expectedRemainingLifetime(x), 'renewals', x)
    refused(() => sbg.discountedExpectedResidualLifetime(0.1, x), 'renewals', x)
  }
  for (const x of bad(U32_HUGE)) {
    refused(() => gammaGamma().customerLifetimeValue(betaGeo(), [1], [5], [10], [20], { time: x }), 'time', x)
  }
  const clv = (o) => gammaGamma().customerLifetimeValue(betaGeo(), [1, 3], [5, 20], [10, 30], [20, 35], o)
  assert.deepEqual(clv({ time: 12 }), clv())
  assert.notDeepEqual(clv({ time: 24 }), clv())
  assert.equal(sbg.expectedRemainingLifetime(0), sbg.expectedRemainingLifetime())
  assert.equal(sbg.discountedExpectedResidualLifetime(0.1, 0), sbg.discountedExpectedResidualLifetime(0.1))
  assert.deepEqual(sbg.survival(3).length, 4)
  assert.ok(Math.abs(value.discountedPeriods(12, 0.01) - 11.2551) < 1e-3)
})

test('features: CustomerHistory.truncate length (usize)', () => {
  const history = new features.CustomerHistory()
  history.push({ time: 0, kind: 'bill', value: 1 })
  history.push({ time: 1000, kind: 'bill', value: 2 })
  for (const x of badNumber(SIZE_HUGE)) refused(() => history.truncate(x), 'length', x)
  history.truncate(1)
  assert.equal(history.length, 1)
})

// Every function taking an options object (or an event, evidence, ...), with arguments of
// the right types before it; `arg` is the name the message gives.
function objectArguments () {
  const tally = nps.Tally.fromScores([10, 9, 0, 5])
  const model = nps.ChurnModel.fit(fit.table, fit.y)
  const boosted = nps.BoostedChurnModel.fromJson(JSON.stringify(boostedVector.feature_model))
  const ltr = nps.BoostedLtrModel.fromJson(JSON.stringify(ltrVector.model))
  const catalog = nps.ActionCatalog.playbook()
  const engine = new features.FeatureEngine(null)
  const scorer = new nps.TicketScorer(engine, boosted, catalog, null)
  const history = () => new features.CustomerHistory()
  const reference = monitor.ReferenceSummary.build([{ name: 'x', values: [1, 2, 3] }])
  const cox = survival.CoxModel.fit({ duration: [1, 2, 3, 4, 5, 6], event: [1, 0, 1, 1, 0, 1], x: [0, 1, 0, 1, 1, 0] }, { durationCol: 'duration', eventCol: 'event' })
  const values = new Float64Array(model.inputs.length)
  const f = new Float64Array([0, 1])
  return [
    ['new Learner', 'options', (o) => new nps.Learner(o)],
    ['ActionCatalog#decideValues', 'options', (o) => catalog.decideValues(new Float64Array(catalog.fields.length), 50, null, o)],
    ['ActionCatalog#decide', 'options', (o) => catalog.decide({}, o)],
    ['BoostedChurnModel.fit', 'options', (o) => nps.BoostedChurnModel.fit(fit.table, fit.y, o)],
    ['BoostedChurnModel#drift', 'options', (o) => boosted.drift({}, o)],
    ['BoostedChurnModel#explain', 'options', (o) => boosted.explain({}, o)],
    ['BoostedChurnModel#explainValues', 'options', (o) => boosted.explainValues(new Float64Array(boosted.inputs.length), o)],
    ['BoostedChurnModel#recordDecision', 'decision', (o) => boosted.recordDecision(o)],
    ['ChurnModel.fit', 'options', (o) => nps.ChurnModel.fit(fit.table, fit.y, o)],
    ['ChurnModel#drift', 'options', (o) => model.drift({}, o)],
    ['ChurnModel#explain', 'options', (o) => model.explain({}, o)],
    ['ChurnModel#explainValues', 'options', (o) => model.explainValues(values, o)],
    ['ChurnModel#recordDecision', 'decision', (o) => model.recordDecision(o)],
    ['churnByNps', 'options', (o) => nps.churnByNps([10, 0], [true, false], o)],
    ['predictedNps', 'options', (o) => nps.predictedNps(new Float64Array(3), o)],
    ['BoostedLtrModel#explainDetractor', 'options', (o) => ltr.explainDetractor({}, o)],
    ['new TicketScorer', 'options', (o) => new nps.TicketScorer(engine, boosted, catalog, null, o)],
    ['TicketScorer.fromJson', 'options', (o) => nps.TicketScorer.fromJson(scorer.toJson(), o)],
    ['TicketScorer#ticket (event)', 'event', (o) => scorer.ticket(history(), o)],
    ['TicketScorer#ticket', 'options', (o) => scorer.ticket(history(), { time: 0, kind: 'bill' }, o)],
    ['TicketScorer#ticketValues', 'event', (o) => scorer.ticketValues(history(), o, new Float64Array(scorer.valuesLayout.length))],
    ['TableEncoder.fit', 'options', (o) => nps.TableEncoder.fit(fit.table, o)],
    ['features.compute', 'options', (o) => features.compute([], '[]', o)],
    ['features.retention', 'options', (o) => features.retention([], o)],
    ['new FeatureEngine', 'options', (o) => new features.FeatureEngine(null, o)],
    ['new CustomerHistory', 'options', (o) => new features.CustomerHistory(o)],
    ['CustomerHistory#push', 'event', (o) => history().push(o)],
    ['metrics.rocAuc', 'options', (o) => metrics.rocAuc(y, score, o)],
    ['metrics.averagePrecision', 'options', (o) => metrics.averagePrecision(y, score, o)],
    ['metrics.logLoss', 'options', (o) => metrics.logLoss(y, score, o)],
    ['metrics.brier', 'options', (o) => metrics.brier(y, score, o)],
    ['metrics.rocCurve', 'options', (o) => metrics.rocCurve(y, score, o)],
    ['metrics.thresholdMetrics', 'options', (o) => metrics.thresholdMetrics(y, score, 0.5, o)],
    ['metrics.liftTable', 'options', (o) => metrics.liftTable(y, score, 10, o)],
    ['metrics.calibrationTable', 'options', (o) => metrics.calibrationTable(y, score, 10, o)],
    ['monitor.drift', 'options', (o) => monitor.drift([{ name: 'x', values: [1, 2] }], [{ name: 'x', values: [1, 2] }], o)],
    ['monitor.ReferenceSummary#compare', 'options', (o) => reference.compare([{ name: 'x', values: [1, 2] }], o)],
    ['monitor.performance', 'options', (o) => monitor.performance(y, score, y.map(() => 'a'), o)],
    ['monitor.Recalibrator.fit', 'options', (o) => monitor.Recalibrator.fit('platt', score, y, o)],
    ['monitor.compare', 'options', (o) => monitor.compare(model, nps.ChurnModel.fit(fit.table, fit.y), fit.table, fit.y, o)],
    ['monitor.retrainPolicy (evidence)', 'evidence', (o) => monitor.retrainPolicy(o)],
    ['monitor.retrainPolicy', 'options', (o) => monitor.retrainPolicy({}, o)],
    ['Tally.fromScores', 'options', (o) => nps.Tally.fromScores([10, 0], o)],
    ['Tally#interval', 'options', (o) => tally.interval(o)],
    ['compare', 'options', (o) => nps.compare(tally, tally, o)],
    ['probGreater', 'options', (o) => nps.probGreater(tally, tally, o)],
    ['sampleSize', 'options', (o) => nps.sampleSize(0.05, o)],
    ['sampleSizeDifference', 'options', (o) => nps.sampleSizeDifference(0.05, o)],
    ['breakdown', 'options', (o) => nps.breakdown([10, 0], ['a', 'b'], o)],
    ['trend', 'options', (o) => nps.trend([10, 0], [0, 1], o)],
    ['validateScores', 'options', (o) => nps.validateScores([10, 0], o)],
    ['survival.KaplanMeier.fit', 'options', (o) => survival.KaplanMeier.fit([1, 2, 3], o)],
    ['survival.CoxModel.fit', 'options', (o) => survival.CoxModel.fit({ a: [1] }, o)],
    ['survival.CoxModel#predictSurvival', 'options', (o) => cox.predictSurvival({ x: [0] }, o)],
    ['survival.CoxModel#predictChurnWithin', 'options', (o) => cox.predictChurnWithin({ x: [0] }, 2, o)],
    ['survival.survivalData', 'options', (o) => survival.survivalData([], o)],
    ['synth.generate', 'options', (o) => synth.generate(o)],
    ['synth.generateDrifted', 'options', (o) => synth.generateDrifted(o)],
    ['synth.campaign', 'options', (o) => synth.campaign(o)],
    ['uplift.qiniCurve', 'options', (o) => uplift.qiniCurve(y, y, score, o)],
    ['uplift.upliftCurve', 'options', (o) => uplift.upliftCurve(y, y, score, o)],
    ['uplift.qiniCoefficient', 'options', (o) => uplift.qiniCoefficient(y, y, score, o)],
    ['uplift.upliftAt', 'options', (o) => uplift.upliftAt(y, y, score, 2, o)],
    ['uplift.savedPerContacts', 'options', (o) => uplift.savedPerContacts(y, y, score, 2, o)],
    ['uplift.expectedSaved', 'options', (o) => uplift.expectedSaved(score, 2, o)],
    ['uplift.UpliftModel.fit', 'options', (o) => uplift.UpliftModel.fit('t_learner', fit.table, fit.y, fit.y, o)],
    ['value.BetaGeo.fit', 'options', (o) => value.BetaGeo.fit(f, f, f, o)],
    ['value.GammaGamma.fit', 'options', (o) => value.GammaGamma.fit(f, f, o)],
    ['value.GammaGamma#customerLifetimeValue', 'options', (o) => gammaGamma().customerLifetimeValue(betaGeo(), f, f, f, f, o)],
    ['value.summaryFromTransactions', 'options', (o) => value.summaryFromTransactions([1], [0], o)],
    ['value.planCampaign', 'action', (o) => value.planCampaign(f, f, o)],
  ]
}

test('an argument that must be an object refuses a string, a number, a boolean or an array', () => {
  const problems = []
  for (const [label, arg, call] of objectArguments()) {
    for (const x of ['x', 5, true, [], [1, 2], new Float64Array(2)]) {
      try {
        call(x)
        problems.push(`${label}(${shown(x)}): accepted`)
      } catch (e) {
        const ok = e instanceof Error && e.code === 'INVALID_PARAMETER' &&
          e.message.startsWith(`${arg} must be an object`)
        if (!ok) problems.push(`${label}(${shown(x)}): ${e && e.code} ${e && e.message}`)
      }
    }
  }
  assert.deepEqual(problems, [])
})

test('a required object argument refuses null and undefined by name', () => {
  const required = [
    ['features.retention', 'options', (o) => features.retention([], o)],
    ['survival.survivalData', 'options', (o) => survival.survivalData([], o)],
    ['survival.CoxModel.fit', 'options', (o) => survival.CoxModel.fit({ a: [1] }, o)],
    ['CustomerHistory#push', 'event', (o) => new features.CustomerHistory().push(o)],
    ['monitor.retrainPolicy', 'evidence', (o) => monitor.retrainPolicy(o)],
  ]
  for (const [label, arg, call] of required) {
    for (const x of [null, undefined]) {
      assert.throws(() => call(x), (e) => e.code === 'INVALID_PARAMETER' && e.message === `${arg} must be an object (${e.message.match(/\(([A-Za-z]+)\)/)[1]}), got ${x}`, label)
    }
  }
})

test('a field of the wrong type names the option and shows the value', () => {
  assert.throws(() => synth.generate({ customers: 'x' }), { code: 'INVALID_PARAMETER', message: 'customers must be a number, got "x"' })
  assert.throws(() => synth.generate({ customers: 10, respondRate: true }), { code: 'INVALID_PARAMETER', message: 'respondRate must be a number, got true' })
  assert.throws(() => nps.sampleSize(0.05, { level: [] }), (e) => e.code === 'INVALID_PARAMETER' && /^level must be a number, got an array/.test(e.message))
  assert.throws(() => new features.CustomerHistory().push({ kind: 'bill' }), (e) => e.code === 'INVALID_PARAMETER' && /event\.time/.test(e.message))
})

test('an object nested in the options refuses what is not an object, by its place', () => {
  const described = (x) => (Array.isArray(x) ? 'an array' : shown(x))
  const nested = [
    ['base', 'GenerateOptions', (x) => synth.campaign({ base: x })],
    ['base', 'GenerateOptions', (x) => synth.generateDrifted({ base: x })],
    ['shares', 'Shares', (x) => nps.sampleSize(0.05, { shares: x })],
    ['sharesA', 'Shares', (x) => nps.sampleSizeDifference(0.05, { sharesA: x })],
    ['scale', 'Scale', (x) => nps.Tally.fromScores([10, 0], { scale: x })],
    ['scale', 'Scale', (x) => nps.validateScores([10, 0], { scale: x })],
    ['scale', 'Scale', (x) => nps.breakdown([10, 0], ['a', 'b'], { scale: x })],
  ]
  for (const [name, type, call] of nested) {
    for (const x of ['x', 5, true, []]) {
      assert.throws(() => call(x), { code: 'INVALID_PARAMETER', message: `${name} must be an object (${type}), got ${described(x)}` })
    }
  }
  // A field missing in an element of a list of objects is named by its place.
  const catalog = nps.ActionCatalog.playbook()
  assert.throws(() => catalog.decide({}, { score: 50, history: [{ time: 0 }] }), { code: 'INVALID_PARAMETER', message: 'history[].action must be given, got nothing' })
  // A field of a nested object is named by its path.
  assert.throws(() => synth.campaign({ base: { customers: 'x' } }), { code: 'INVALID_PARAMETER', message: 'base.customers must be a number, got "x"' })
  refused(() => synth.campaign({ base: { customers: 10, historyDays: 2 ** 40 } }), 'historyDays', 2 ** 40)
  // And a nested object given works as before.
  const shares = { promoter: 0.5, detractor: 0.2 }
  assert.ok(nps.sampleSize(0.05, { shares }) < nps.sampleSize(0.05))
  const scale = { min: 1, detractorMax: 3, passiveMax: 4, max: 5 }
  assert.equal(nps.Tally.fromScores([5, 1, 4], { scale }).n, 3)
})

test('null in a time option names the option, for each function taking a time', () => {
  const catalog = nps.ActionCatalog.playbook()
  const boosted = nps.BoostedChurnModel.fromJson(JSON.stringify(boostedVector.feature_model))
  const scorer = new nps.TicketScorer(new features.FeatureEngine(null), boosted, catalog, null)
  const event = { time: 0, kind: 'bill', value: 1 }
  const calls = [
    ['asOf', () => synth.generate({ customers: 10, asOf: null })],
    ['driftFrom', () => synth.generateDrifted({ base: { customers: 10 }, driftFrom: null })],
    ['now', () => catalog.decide({}, { score: 50, now: null })],
    ['now', () => catalog.decideValues(new Float64Array(catalog.fields.length), 50, null, { now: null })],
    ['now', () => scorer.ticket(new features.CustomerHistory(), event, { now: null })],
    ['asOf', () => features.retention([], { asOf: null })],
  ]
  for (const [name, call] of calls) {
    assert.throws(call, (e) => e.code === 'INVALID_PARAMETER' && e.message.startsWith(`${name} must be a Date or epoch milliseconds`) && /got null$/.test(e.message), name)
  }
  // A time in an event, an outcome, and the time argument of CustomerHistory#features.
  const history = new features.CustomerHistory()
  assert.throws(() => history.push({ time: null, kind: 'bill' }), { code: 'INVALID_PARAMETER', message: 'event.time must be a Date or epoch milliseconds, got null' })
  assert.throws(() => history.push({ time: '2026-01-01', kind: 'bill' }), { code: 'INVALID_PARAMETER', message: 'event.time must be a Date or epoch milliseconds, got "2026-01-01"' })
  assert.throws(() => history.features(new features.FeatureEngine(null), null), { code: 'INVALID_PARAMETER', message: 'asOf must be a Date or epoch milliseconds, got null' })
  const out = new Float64Array(scorer.valuesLayout.length)
  assert.throws(() => scorer.ticketValues(new features.CustomerHistory(), event, out, 'today'), { code: 'INVALID_PARAMETER', message: 'now must be a Date or epoch milliseconds, got "today"' })
  // null is a left-out now (the event's time), as documented.
  scorer.ticketValues(new features.CustomerHistory(), event, out, null)
  const withNull = Array.from(out)
  scorer.ticketValues(new features.CustomerHistory(), event, out)
  assert.deepEqual(withNull, Array.from(out))
  assert.equal(history.features(new features.FeatureEngine(null), new Date(Date.UTC(2026, 0, 1))).length, new features.FeatureEngine(null).names.length)
  const outcome = { time: null, action: 'a', channel: 'c', group: 'g', kind: 'accepted' }
  assert.throws(() => catalog.decide({}, { score: 50, history: [outcome] }), (e) => e.code === 'INVALID_PARAMETER' && e.message.startsWith('history[].time must be a Date or epoch milliseconds'))
})
