'use strict'
// The hot path of a ticketing service, from Node: a customer opens a ticket; add the event
// to their history, recompute their features, score churn, explain it and rank the next best
// actions of the shipped playbook. Two ways, in the same run: the separate calls
// (`CustomerHistory.push`, `.features`, `ChurnModel.scoreValues`, `.explainValues`,
// `ActionCatalog.decide`), and the one call `TicketScorer.ticket` (with and without detractor
// risk from an LTR model). Reports p50/p99 latency over many customers and the machine's
// load (no timing assertions: a benchmark, not a test).
//
//   node benches/ticket.js            (after `make node`)
const { performance } = require('node:perf_hooks')
const os = require('node:os')
const { synth, features, ChurnModel, LtrModel, ActionCatalog, TicketScorer } = require('../nps-node')

const CUSTOMERS = 2000
const ROUNDS = 3
const base = synth.generate({ customers: CUSTOMERS, seed: 7 })
const engine = new features.FeatureEngine(null)
const names = engine.names

// Models over all 27 retention features, as files (a service loads files trained in Python;
// the coefficients do not change the work done per ticket), standardised with the base's
// means and standard deviations so that scores spread over the bands.
const batch = features.retention(base.events, { asOf: base.asOf })
const stats = names.map((_, j) => {
  const v = []
  for (let i = j; i < batch.values.length; i += names.length) if (Number.isFinite(batch.values[i])) v.push(batch.values[i])
  const mean = v.reduce((a, b) => a + b, 0) / Math.max(v.length, 1)
  const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(v.length, 1))
  return { mean, scale: sd > 0 ? sd : 1 }
})
const logistic = { c: 1, fit_intercept: true, tol: 1e-8, max_iter: 100, class_weight: 'none' }
const encoder = { columns: names.map((name, j) => ({ kind: 'numeric', name, mean: stats[j].mean, center: stats[j].mean, scale: stats[j].scale, indicator: true })), unseen: 'error' }
const columns = names.flatMap((n) => [n, `${n}__missing`])
const convergence = { iterations: 1, gradient_norm: 0, objective: 0, converged: true, solver: 'none' }
const model = ChurnModel.fromJson(JSON.stringify({
  format: 'nps.churn_model', version: 1, inputs: names, encoder, features: null, columns,
  coef: names.flatMap((_, j) => [((j % 5) - 2) / 4, 0.1]), intercept: -1.2,
  column_mean: names.flatMap(() => [0, 0.2]),
  options: { logistic, encoder: { unseen: 'error', standardize: false } },
  training: { rows: 1, positives: 1, positive_share: 1, convergence },
}))
const ltr = LtrModel.fromJson(JSON.stringify({
  format: 'nps.ltr_model', version: 1, inputs: names, encoder, columns,
  coef: [0, 1, 2].map((k) => names.flatMap((_, j) => [(((j + k) % 7) - 3) / 10, 0.05 * (k - 1)])),
  intercept: [-0.4, 0.1, 0.3], column_mean: names.flatMap(() => [0, 0.2]),
  options: { logistic, encoder: { unseen: 'error', standardize: false } },
  training: { rows: 1, class_counts: [1, 1, 1], convergence },
}))
const playbook = ActionCatalog.playbook()
// Rules need every field they read; a service fills those no feature gives (no answer: a
// neutral 7, or the LTR model's most likely answer). Features override them when defined.
const defaults = { tenure_days: 0, payment_trend: 1, usage_trend_30d: 1, last_nps: 7, segment: 'consumer',
  complained_outage: false, complained_overage: false, monthly_bill: 40 }
const scorer = new TicketScorer(engine, model, playbook, null, { customer: defaults })
const scorerLtr = new TicketScorer(engine, model, playbook, ltr, { customer: defaults })

// Three copies of every customer's history (one per way), events before the reference time.
const e = base.events
const ways = ['separate', 'one call', 'one call + LTR']
const histories = ways.map(() => new Map())
for (let i = 0; i < e.kind.length; i++) {
  if (e.time[i] >= base.asOf) continue
  const ev = { time: e.time[i], kind: e.kind[i], value: Number.isNaN(e.value[i]) ? undefined : e.value[i],
    duration: Number.isNaN(e.duration[i]) ? undefined : e.duration[i] }
  for (const m of histories) {
    let h = m.get(e.customer[i])
    if (!h) m.set(e.customer[i], (h = new features.CustomerHistory()))
    h.push(ev)
  }
}
const ids = [...histories[0].keys()]
const at = (name) => names.indexOf(name)
const nan = (x) => (Number.isNaN(x) ? null : x)
const times = { update: [], score: [], explain: [], decide: [], total: [], one: [], oneTrace: [], oneLtr: [] }
for (let round = 0; round < ROUNDS; round++) {
  ids.forEach((id, k) => {
    const now = base.asOf + round * 86400000 + k * 1000
    const ticket = { time: now - 1000, kind: 'contact_opened', department: 'billing' }
    // The separate calls.
    const t0 = performance.now()
    const h = histories[0].get(id)
    h.push(ticket)
    const f = h.features(engine, now)
    const t1 = performance.now()
    model.scoreValues(f)
    const t2 = performance.now()
    const x = model.explainValues(f, { top: 3 })
    const t3 = performance.now()
    const customer = { ...defaults, tenure_days: nan(f[at('tenure_days')]) ?? 0,
      payment_trend: nan(f[at('payment_trend')]) ?? 1, usage_trend_30d: nan(f[at('usage_trend_30d')]) ?? 1,
      last_nps: nan(f[at('last_nps')]) ?? 7 }
    const factors = {}
    for (const y of [...x.raising, ...x.lowering]) factors[y.name] = y.contribution
    // The explanation's factors the playbook does not declare are left out, as the one call leaves them.
    playbook.decide(customer, { probability: x.probability, factors, now, top: 3, ignoreExtra: true })
    const t4 = performance.now()
    // The one call: the same work, the history and the buffers on the Rust side.
    const r = scorer.ticket(histories[1].get(id), ticket) // now: one second after the event
    const t5 = performance.now()
    scorerLtr.ticket(histories[2].get(id), { ...ticket, time: now - 2000 }, { now, trace: true })
    const t6 = performance.now()
    const withLtr = scorerLtr.ticket(histories[2].get(id), ticket)
    const t7 = performance.now()
    if (round === 0 && k === 0) console.log('one result:', JSON.stringify({ ...r, detractor: withLtr.detractor }).slice(0, 400), '...')
    times.update.push((t1 - t0) * 1000)
    times.score.push((t2 - t1) * 1000)
    times.explain.push((t3 - t2) * 1000)
    times.decide.push((t4 - t3) * 1000)
    times.total.push((t4 - t0) * 1000)
    times.one.push((t5 - t4) * 1000)
    times.oneTrace.push((t6 - t5) * 1000)
    times.oneLtr.push((t7 - t6) * 1000)
  })
}
// The one call alone, as a service that uses only it runs it: three more rounds over every
// customer per way, without the separate calls' garbage collections landing in its timings
// (above, the ways are interleaved ticket by ticket). `ticket` returns an object;
// `ticketValues` writes into one Float64Array reused by every ticket (the service maps its
// indices to names it read once). Also the CPU time per ticket of the first, which other
// jobs on the machine do not inflate as they do the wall-clock latency.
let nextRound = ROUNDS
function alone(key, call, map) {
  times[key] = []
  const first = nextRound
  nextRound += ROUNDS
  for (let round = first; round < first + ROUNDS; round++) {
    ids.forEach((id, k) => {
      const now = base.asOf + round * 86400000 + k * 1000
      const t0 = performance.now()
      call(map.get(id), { time: now - 1000, kind: 'contact_opened', department: 'billing' })
      times[key].push((performance.now() - t0) * 1000)
    })
  }
}
const cpu0 = process.cpuUsage()
const wall0 = performance.now()
alone('alone', (h, ev) => scorer.ticket(h, ev), histories[1])
const cpu = process.cpuUsage(cpu0)
const wall = performance.now() - wall0
alone('aloneLtr', (h, ev) => scorerLtr.ticket(h, ev), histories[2])
const out = new Float64Array(scorer.valuesLayout.length)
const cpuValues0 = process.cpuUsage()
const wallValues0 = performance.now()
alone('values', (h, ev) => scorer.ticketValues(h, ev, out), histories[1])
const cpuValues = process.cpuUsage(cpuValues0)
const wallValues = performance.now() - wallValues0
const outLtr = new Float64Array(scorerLtr.valuesLayout.length)
alone('valuesLtr', (h, ev) => scorerLtr.ticketValues(h, ev, outLtr), histories[2])
const perTicket = (x) => (x / (ROUNDS * ids.length)).toFixed(1)
const q = (v, p) => v.slice().sort((a, b) => a - b)[Math.floor(p * (v.length - 1))]
const label = {
  update: 'separate: update (push + 27 features)', score: 'separate: score', explain: 'separate: explain',
  decide: 'separate: decide (playbook, with trace)', total: 'separate: total',
  one: '**one call** `ticket` (update + score + explain + decide)', oneTrace: 'one call + LTR, trace returned',
  oneLtr: 'one call + LTR (detractor risk and factors)',
  alone: '**one call alone** (its own loop, as a service runs it)', aloneLtr: 'one call + LTR alone',
  values: '**`ticketValues` alone** (the one call into a reused Float64Array)', valuesLtr: '`ticketValues` + LTR alone',
}
console.log(`${times.total.length} tickets per way, ${Math.round(e.kind.length / CUSTOMERS)} events per customer, ${names.length} features; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`)
console.log('| step | p50 (µs) | p99 (µs) |\n|---|---:|---:|')
for (const [k, v] of Object.entries(times)) console.log(`| ${label[k]} | ${q(v, 0.5).toFixed(1)} | ${q(v, 0.99).toFixed(1)} |`)
console.log(`one call, ${ROUNDS * ids.length} more tickets back to back: mean ${perTicket(wall * 1000)} µs wall, ${perTicket(cpu.user + cpu.system)} µs CPU per ticket`)
console.log(`ticketValues, ${ROUNDS * ids.length} more tickets back to back: mean ${perTicket(wallValues * 1000)} µs wall, ${perTicket(cpuValues.user + cpuValues.system)} µs CPU per ticket`)
