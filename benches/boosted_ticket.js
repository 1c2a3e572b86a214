'use strict'
// A ticket scored and explained with 300-tree boosted models (7, 15 and 31 leaves) from Node: the one call
// (`TicketScorer.ticket` and `ticketValues`: push, 27 features, score, TreeSHAP over every
// input, top factors, the playbook's decision), p50/p99 over many customers, and the load.
// The model file comes from benches/boosted.py (run it first).
//
//   node benches/boosted_ticket.js            (after `make node` and benches/boosted.py)
const { performance } = require('node:perf_hooks')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { synth, features, BoostedChurnModel, ActionCatalog, TicketScorer } = require('../nps-node')

const CUSTOMERS = 2000
const ROUNDS = 3
const base = synth.generate({ customers: CUSTOMERS, seed: 7 })
const engine = new features.FeatureEngine(null)
const defaults = { tenure_days: 0, payment_trend: 1, usage_trend_30d: 1, last_nps: 7, segment: 'consumer',
  complained_outage: false, complained_overage: false, monthly_bill: 40 }
const e = base.events
const q = (v, p) => v.slice().sort((a, b) => a - b)[Math.floor(p * (v.length - 1))]
console.log(`load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`)
console.log('| model | call | p50 (µs) | p99 (µs) |\n|---|---|---:|---:|')
for (const leaves of [7, 15, 31]) {
  const file = path.join(__dirname, '..', 'target', 'bench', `boosted_ticket_${leaves}.json`)
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run .venv/bin/python benches/boosted.py first`)
  const model = BoostedChurnModel.fromJson(fs.readFileSync(file, 'utf8'))
  const scorer = new TicketScorer(engine, model, ActionCatalog.playbook(), null, { customer: defaults })
  const histories = [new Map(), new Map()]
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
  const out = new Float64Array(scorer.valuesLayout.length)
  const times = { ticket: [], values: [] }
  let round = 0
  for (const [key, map, call] of [
    ['ticket', histories[0], (h, ev) => scorer.ticket(h, ev)],
    ['values', histories[1], (h, ev) => scorer.ticketValues(h, ev, out)],
  ]) {
    for (let r = 0; r < ROUNDS; r++, round++) {
      ids.forEach((id, k) => {
        const now = base.asOf + round * 86400000 + k * 1000
        const t0 = performance.now()
        call(map.get(id), { time: now - 1000, kind: 'contact_opened', department: 'billing' })
        times[key].push((performance.now() - t0) * 1000)
      })
    }
  }
  const name = `${model.rounds} trees, ${leaves} leaves`
  console.log(`| ${name} | \`ticket\` (object) | ${q(times.ticket, 0.5).toFixed(1)} | ${q(times.ticket, 0.99).toFixed(1)} |`)
  console.log(`| ${name} | \`ticketValues\` (reused Float64Array) | ${q(times.values, 0.5).toFixed(1)} | ${q(times.values, 0.99).toFixed(1)} |`)
}
