'use strict'
// Load test of the ticket service over HTTP, loopback only: the service runs in its own
// process (examples/node-service/main.js on 127.0.0.1, a free port); this process seeds the
// histories of a generated base through POST /events, then N keep-alive clients send
// POST /tickets, each client for its own customers in time order, until `--requests`
// tickets are answered or `--seconds` have passed, whichever comes first. Reports
// requests/s and p50/p99 latency per round (no timing assertions: a benchmark, not a test).
//
//   node benches/service.js [--clients 8] [--requests 20000] [--seconds 20] [--rounds 3]
//                           [--customers 2000] [--model FILE]      (after `make node`)
// The model defaults to the one in tests/vectors/service.json (written from Python).
const http = require('node:http')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { spawn } = require('node:child_process')
const { performance } = require('node:perf_hooks')
const { synth } = require('../nps-node')

const args = { clients: 8, requests: 20000, seconds: 20, rounds: 3, customers: 2000, model: null }
for (let i = 2; i < process.argv.length; i += 2) {
  const key = process.argv[i].replace(/^--/, '')
  if (!(key in args) || process.argv[i + 1] === undefined) throw new Error(`unknown option ${process.argv[i]}; options: ${Object.keys(args).map((k) => `--${k}`).join(', ')}`)
  args[key] = key === 'model' ? process.argv[i + 1] : Number(process.argv[i + 1])
}
args.requests = Math.min(args.requests, 1e6) // bounded, whatever the command line says
args.seconds = Math.min(args.seconds, 120)

const root = path.join(__dirname, '..')
let modelFile = args.model
if (!modelFile) {
  const vector = JSON.parse(fs.readFileSync(path.join(root, 'tests', 'vectors', 'service.json'), 'utf8'))
  modelFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'nps-service-bench-')), 'model.json')
  fs.writeFileSync(modelFile, JSON.stringify(vector.model))
}

/** Starts the service in a child process; resolves to {port, child} once it listens. */
function startService() {
  const child = spawn(process.execPath, [path.join(root, 'examples', 'node-service', 'main.js'), '--model', modelFile, '--port', '0', '--host', '127.0.0.1', '--db', path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'nps-db-')), 'state.db')],
    // No token on loopback: a NPS_TOKEN in the caller's shell would turn every request into a 401.
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NPS_TOKEN: '' } })
  return new Promise((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (d) => {
      out += d
      const m = /http:\/\/127\.0\.0\.1:(\d+)/.exec(out)
      if (m) resolve({ port: Number(m[1]), child })
    })
    child.once('exit', (code) => reject(new Error(`the service exited (${code}) before listening`)))
  })
}

function post(agent, port, route, body) {
  const text = JSON.stringify(body)
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: route, method: 'POST', agent,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) } }, (res) => {
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString() }))
    })
    req.on('error', reject)
    req.end(text)
  })
}

async function main() {
  const base = synth.generate({ customers: args.customers, seed: 7 })
  const e = base.events
  const seedEvents = []
  for (let i = 0; i < e.kind.length; i++) {
    if (e.time[i] >= base.asOf) continue
    const ev = { customer: e.customer[i], time: e.time[i], kind: e.kind[i] }
    if (!Number.isNaN(e.value[i])) ev.value = e.value[i]
    if (!Number.isNaN(e.duration[i])) ev.duration = e.duration[i]
    if (e.department[i] != null) ev.department = e.department[i]
    if (e.case[i] != null) ev.case = e.case[i]
    if (e.flag[i] != null) ev.flag = e.flag[i]
    seedEvents.push(ev)
  }
  const ids = base.customers.id
  const { port, child } = await startService()
  const agent = new http.Agent({ keepAlive: true, maxSockets: args.clients })
  try {
    for (let k = 0; k < seedEvents.length; k += 2000) {
      const r = await post(agent, port, '/events', { events: seedEvents.slice(k, k + 2000) })
      if (r.status !== 200) throw new Error(`seeding failed: ${r.status} ${r.text}`)
    }
    console.log(`service on 127.0.0.1:${port}; seeded ${seedEvents.length} events of ${ids.length} customers; ` +
      `${args.clients} keep-alive clients, at most ${args.requests} tickets or ${args.seconds} s per round`)
    console.log('| round | tickets | seconds | tickets/s | p50 (ms) | p99 (ms) | non-200 |\n|---:|---:|---:|---:|---:|---:|---:|')
    let clock = base.asOf // every ticket is later than the last: per customer, times only grow
    const departments = ['billing', 'network', 'sales']
    const rows = []
    for (let round = 1; round <= args.rounds; round++) {
      const latencies = []
      let sent = 0
      let failed = 0
      const start = performance.now()
      const deadline = start + args.seconds * 1000
      // Each client owns the customers k ≡ c (mod clients) and sends their tickets one
      // after the other, so a customer's tickets arrive in time order.
      const client = async (c) => {
        const own = ids.filter((_, k) => k % args.clients === c)
        for (let j = 0; ; j++) {
          if (sent >= args.requests || performance.now() >= deadline) return
          sent++
          clock += 1000
          const id = own[(j * 7919) % own.length]
          const body = { customer: id, time: clock, kind: 'contact_opened', department: departments[j % 3], case: `T-${round}-${c}-${j}` }
          const t0 = performance.now()
          const r = await post(agent, port, '/tickets', body)
          latencies.push(performance.now() - t0)
          if (r.status !== 200) {
            failed++
            if (failed === 1) console.error(`first non-200: ${r.status} ${r.text}`)
          }
        }
      }
      await Promise.all(Array.from({ length: args.clients }, (_, c) => client(c)))
      const seconds = (performance.now() - start) / 1000
      latencies.sort((a, b) => a - b)
      const q = (p) => latencies[Math.floor(p * (latencies.length - 1))]
      const row = { round, n: latencies.length, seconds, rate: latencies.length / seconds, p50: q(0.5), p99: q(0.99), failed }
      rows.push(row)
      console.log(`| ${round} | ${row.n} | ${seconds.toFixed(2)} | ${row.rate.toFixed(0)} | ${row.p50.toFixed(2)} | ${row.p99.toFixed(2)} | ${failed} |`)
    }
    // The same tickets answered in this process by handle(), without HTTP: the service's
    // own share of a request (parsing, state, features, scoring, the answer as an object).
    const { createService } = require('../examples/node-service')
    const local = createService({ model: fs.readFileSync(modelFile, 'utf8') })
    for (let k = 0; k < seedEvents.length; k += 2000) local.handle('POST', '/events', JSON.stringify({ events: seedEvents.slice(k, k + 2000) }))
    const inProcess = []
    const n = Math.min(args.requests, 20000)
    for (let j = 0; j < n; j++) {
      const body = JSON.stringify({ customer: ids[(j * 7919) % ids.length], time: base.asOf + (j + 1) * 1000, kind: 'contact_opened', department: departments[j % 3] })
      const t0 = performance.now()
      const r = local.handle('POST', '/tickets', body)
      JSON.stringify(r.body)
      inProcess.push(performance.now() - t0)
      if (r.status !== 200) throw new Error(`in-process ticket failed: ${JSON.stringify(r.body)}`)
    }
    inProcess.sort((a, b) => a - b)
    const iq = (p) => (1000 * inProcess[Math.floor(p * (inProcess.length - 1))]).toFixed(0)
    console.log(`in-process handle() without HTTP, ${n} tickets: p50 ${iq(0.5)} µs, p99 ${iq(0.99)} µs`)
    const best = rows.reduce((a, b) => (b.rate > a.rate ? b : a))
    console.log(`best round: ${best.rate.toFixed(0)} tickets/s, p50 ${best.p50.toFixed(2)} ms, p99 ${best.p99.toFixed(2)} ms; load: ${os.loadavg().map((x) => x.toFixed(2)).join(', ')} (${os.cpus().length} cores)`)
  } finally {
    agent.destroy()
    child.kill('SIGTERM')
  }
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
