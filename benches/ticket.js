'use strict'
// The hot path of a ticketing service, from Node: a customer opens a ticket; add the event
// to their history, recompute their features, score churn, explain it and rank the next best
// actions of the shipped playbook. Reports p50/p99
// latency over many customers (no timing assertions: a benchmark, not a test).
//
//   node benches/ticket.js            (after `make node`)
const { performance } = require('node:perf_hooks')
const { synth, features, ChurnModel, ActionCatalog } = require('../nps-node')

const base = synth.generate({ customers: 2000, seed: 7 })
const engine = new features.FeatureEngine(null)
const names = engine.names
const batch = features.retention(base.events, { asOf: base.asOf })

// A model over the retention features, fitted from Python would be the usual source; here a
// fixed file is built from the shared vector's numeric model shape: train-free, so use the
// repository's model file of the demo if present, else a small hand-made one.
const model = ChurnModel.fromJson(JSON.stringify({
  format: 'nps.churn_model', version: 1, inputs: names,
  encoder: { columns: names.map((name) => ({ kind: 'numeric', name, mean: 0, center: 0, scale: 1, indicator: true })), unseen: 'error' },
  features: null,
  columns: names.flatMap((n) => [n, `${n}__missing`]),
  coef: names.flatMap((_, j) => [((j % 5) - 2) / 100, 0.1]), intercept: -1.2,
  column_mean: names.flatMap(() => [0, 0.2]),
  options: { logistic: { c: 1, fit_intercept: true, tol: 1e-8, max_iter: 100, class_weight: 'none' }, encoder: { unseen: 'error', standardize: false } },
  training: { rows: 1, positives: 1, positive_share: 1, convergence: { iterations: 1, gradient_norm: 0, objective: 0, converged: true, solver: 'none' } },
}))

const e = base.events
const histories = new Map()
for (let i = 0; i < e.kind.length; i++) {
  if (e.time[i] >= base.asOf) continue
  let h = histories.get(e.customer[i])
  if (!h) histories.set(e.customer[i], (h = new features.CustomerHistory()))
  h.push({ time: e.time[i], kind: e.kind[i], value: Number.isNaN(e.value[i]) ? undefined : e.value[i],
    duration: Number.isNaN(e.duration[i]) ? undefined : e.duration[i] })
}
const ids = [...histories.keys()]
const times = { update: [], score: [], explain: [], decide: [], total: [] }
const playbook = ActionCatalog.playbook()
const at = (name) => names.indexOf(name)
for (let round = 0; round < 3; round++) {
  ids.forEach((id, k) => {
    const now = base.asOf + round * 86400000 + k
    const t0 = performance.now()
    const h = histories.get(id)
    h.push({ time: now - 1, kind: 'contact_opened', department: 'billing' })
    const f = h.features(engine, now)
    const t1 = performance.now()
    model.scoreValues(f)
    const t2 = performance.now()
    const e = model.explainValues(f, { top: 3 })
    const t3 = performance.now()
    const nan = (x) => (Number.isNaN(x) ? null : x)
    const customer = { tenure_days: nan(f[at('tenure_days')]),
      payment_trend: nan(f[at('payment_trend')]) ?? 1, usage_trend_30d: nan(f[at('usage_trend_30d')]) ?? 1,
      // Rules need every field they read; a service fills the unknown ones explicitly
      // (no answer: a neutral 7, or the LTR model's most likely answer).
      last_nps: nan(f[at('last_nps')]) ?? 7, segment: 'consumer',
      complained_outage: false, complained_overage: false, monthly_bill: 40 }
    const factors = {}
    for (const x of [...e.raising, ...e.lowering]) factors[x.name] = x.contribution
    playbook.decide(customer, { score: 100 * e.probability, factors, now, top: 3 })
    const t4 = performance.now()
    times.update.push((t1 - t0) * 1000)
    times.score.push((t2 - t1) * 1000)
    times.explain.push((t3 - t2) * 1000)
    times.decide.push((t4 - t3) * 1000)
    times.total.push((t4 - t0) * 1000)
  })
}
const q = (v, p) => v.slice().sort((a, b) => a - b)[Math.floor(p * (v.length - 1))]
console.log(`${times.total.length} tickets, ${Math.round(e.kind.length / 2000)} events per customer, ${names.length} features (batch computed ${batch.customers.length} customers)`)
console.log('| step | p50 (µs) | p99 (µs) |\n|---|---:|---:|')
for (const [k, v] of Object.entries(times)) console.log(`| ${k} | ${q(v, 0.5).toFixed(1)} | ${q(v, 0.99).toFixed(1)} |`)
