'use strict'
// The ticket service on its store (`--db`): killed with SIGKILL in the middle of a load run
// and restarted on the same file, it has every acknowledged event and outcome, and answers
// the rest of the shared script (tests/vectors/service.json, computed by the Python API on a
// service that never stopped) to the bit. A store that cannot be opened stops the start.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { spawn } = require('node:child_process')
const { call } = require('./http')

const root = path.join(__dirname, '..', '..')
const { Store } = require(path.join(root, 'nps-node'))
const vector = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'vectors', 'service.json'), 'utf8'))

/** main.js on a free loopback port with this store (files limited to `fileBlocks` 512-byte blocks by `ulimit -f` if given); resolves to {child, port}. */
function start(modelFile, db, fileBlocks) {
  const args = [path.join(root, 'examples', 'node-service', 'main.js'), '--model', modelFile, '--port', '0', '--db', db]
  const options = { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NPS_TOKEN: '' } }
  const quoted = (a) => `'${a.replace(/'/g, "'\\''")}'`
  const child = fileBlocks === undefined ? spawn(process.execPath, args, options)
    : spawn('sh', ['-c', `ulimit -f ${fileBlocks} && exec ${[process.execPath, ...args].map(quoted).join(' ')}`], options)
  return new Promise((resolve, reject) => {
    let out = ''
    let err = ''
    child.stdout.on('data', (d) => {
      out += d
      const m = out.match(/http:\/\/127\.0\.0\.1:(\d+)/)
      if (m) resolve({ child, port: Number(m[1]) })
    })
    child.stderr.on('data', (d) => { err += d })
    child.on('exit', (code) => reject(new Error(`main.js exited with ${code}: ${err}`)))
  })
}

const post = (port, route, body) => call(port, 'POST', route, body)

test('SIGKILL under load: every acknowledged request is kept, and the answers after the restart are a never-stopped service\'s', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nps-service-store-'))
  const modelFile = path.join(dir, 'model.json')
  fs.writeFileSync(modelFile, JSON.stringify(vector.model))
  const db = path.join(dir, 'state.db')
  const half = 10
  const first = await start(modelFile, db)
  for (const [i, step] of vector.steps.slice(0, half).entries()) {
    const r = await post(first.port, step.route, step.body)
    assert.equal(r.status, 200, `step ${i}`)
    assert.deepEqual(r.body, step.expected, `step ${i}`)
  }
  // Load: other customers' events, eight requests in flight, killed after 150 answers.
  const acked = []
  let next = 0
  let killed = false
  const worker = async () => {
    while (!killed) {
      const n = next++
      const body = { events: [{ customer: `L${n}`, time: 1760000000000 + n * 1000, kind: 'subscription_start' },
        { customer: `L${n}`, time: 1760000500000 + n * 1000, kind: 'outage' }] }
      try {
        const r = await post(first.port, '/events', body)
        if (r.status === 200) acked.push(n)
      } catch {
        return // the connection died with the process
      }
      if (acked.length >= 150 && !killed) {
        killed = true
        first.child.kill('SIGKILL')
      }
    }
  }
  const exited = new Promise((resolve) => first.child.on('exit', resolve))
  await Promise.all(Array.from({ length: 8 }, worker))
  assert.equal(await exited, null) // killed by the signal, not exited

  // On disk: every acknowledged event (read with the library's own Store, the service gone).
  const kept = new Store(db)
  const stored = new Set(kept.customers())
  for (const n of acked) assert.ok(stored.has(`L${n}`), `acknowledged L${n} missing`)
  assert.equal(kept.events(`L${acked[0]}`).length, 2)
  assert.equal(kept.outcomes().length, vector.steps.slice(0, half).filter((s) => s.route === '/outcomes').length)
  assert.equal(kept.decisions().length, vector.steps.slice(0, half).filter((s) => s.route === '/tickets').length)

  // Restarted on the same file: the rest of the script answers as the service that never stopped.
  const second = await start(modelFile, db)
  try {
    for (const [i, step] of vector.steps.slice(half).entries()) {
      const r = await post(second.port, step.route, step.body)
      assert.equal(r.status, 200, `step ${half + i}: ${JSON.stringify(r.body)}`)
      assert.deepEqual(r.body, step.expected, `step ${half + i} after the restart`)
    }
    const health = await (await fetch(`http://127.0.0.1:${second.port}/health`)).json()
    assert.ok(health.customers >= 5 + acked.length, JSON.stringify(health))
    assert.equal(health.store, db)
  } finally {
    second.child.kill('SIGTERM')
  }
})

test('a store file that is not a store stops the start, and is left as it is', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nps-service-store-'))
  const modelFile = path.join(dir, 'model.json')
  fs.writeFileSync(modelFile, JSON.stringify(vector.model))
  const db = path.join(dir, 'state.db')
  fs.writeFileSync(db, 'not a database '.repeat(100))
  await assert.rejects(start(modelFile, db), /not an nps store, or corrupted/)
  assert.equal(fs.readFileSync(db, 'utf8'), 'not a database '.repeat(100))
})

test('disk full (a file-size limit): the request that cannot be written gets 503 STORE, nothing of it is kept, the service goes on', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nps-service-store-'))
  const modelFile = path.join(dir, 'model.json')
  fs.writeFileSync(modelFile, JSON.stringify(vector.model))
  const db = path.join(dir, 'state.db')
  const limited = await start(modelFile, db, 400) // 200 KiB per file
  const acked = []
  const refused = []
  try {
    for (let n = 0; n < 2000 && refused.length < 3; n++) {
      const events = Array.from({ length: 20 }, (_, k) => ({ customer: `L${n}`, time: 1760000000000 + k * 1000, kind: 'usage', value: k }))
      const r = await post(limited.port, '/events', { events })
      if (r.status === 200) acked.push(n)
      else {
        assert.equal(r.status, 503, JSON.stringify(r.body))
        assert.equal(r.body.code, 'STORE')
        assert.match(r.body.error, /the request was not kept/)
        refused.push(n)
      }
    }
    assert.ok(acked.length > 5 && refused.length === 3, `${acked.length} kept, ${refused.length} refused`)
    const health = await (await fetch(`http://127.0.0.1:${limited.port}/health`)).json()
    assert.equal(health.events, 20 * acked.length) // nothing of a refused request in memory either
  } finally {
    limited.child.kill('SIGTERM')
    await new Promise((resolve) => limited.child.on('exit', resolve))
  }
  // Room again: the file holds every acknowledged request and nothing of the refused ones.
  const kept = new Store(db)
  assert.deepEqual(kept.customers(), acked.map((n) => `L${n}`))
  assert.equal(kept.counts().events, 20 * acked.length)
})

/** The shared script's steps on a service (in process), answers in order. */
const play = (service, steps) => steps.map((step) => service.handle('POST', step.route, JSON.stringify(step.body)))

test('every ticket logs its decision with the propensity it was chosen with, in the ticket\'s transaction', () => {
  const { createService } = require(path.join(root, 'examples', 'node-service', 'service'))
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nps-service-store-'))
  const db = path.join(dir, 'state.db')
  const answers = play(createService({ model: JSON.stringify(vector.model), store: db }), vector.steps)
  const tickets = vector.steps.map((s, i) => [s, answers[i]]).filter(([s]) => s.route === '/tickets')
  const log = new Store(db).decisions()
  assert.equal(log.length, tickets.length)
  const segment = new Map() // the latest segment a ticket gave for the customer (the learner's)
  for (const [k, [step, answer]] of tickets.entries()) {
    if (step.body.fields && 'segment' in step.body.fields) segment.set(step.body.customer, step.body.fields.segment)
    assert.equal(answer.status, 200)
    const d = log[k]
    // Without learning the ranking is deterministic: the first action, propensity 1, at the
    // time the rules read (one second after the ticket).
    assert.deepEqual({ customer: d.customer, action: d.action ?? null, propensity: d.propensity, control: d.control, time: d.time },
      { customer: step.body.customer, action: answer.body.actions[0]?.id ?? null, propensity: 1, control: false,
        time: Math.floor(new Date(step.body.time).getTime() / 1000) + 1 })
    assert.equal(d.segment, segment.get(step.body.customer) ?? 'consumer')
  }
})

test('with learning, a restart on the store goes on with the draws of a service that never stopped; each decision\'s propensity is the library\'s estimate', () => {
  const { createService } = require(path.join(root, 'examples', 'node-service', 'service'))
  const { action } = require(path.join(root, 'nps-node'))
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nps-service-store-'))
  const db = path.join(dir, 'state.db')
  const model = JSON.stringify(vector.model)
  const never = play(createService({ model, learning: true }), vector.steps)
  const half = 12
  const first = play(createService({ model, learning: true, store: db }), vector.steps.slice(0, half))
  const second = play(createService({ model, learning: true, store: db }), vector.steps.slice(half))
  assert.deepEqual([...first, ...second], never)
  const log = new Store(db).decisions()
  const tickets = never.filter((_, i) => vector.steps[i].route === '/tickets')
  assert.equal(log.length, tickets.length)
  for (const [k, d] of log.entries()) {
    assert.equal(d.action ?? null, tickets[k].body.actions[0]?.id ?? null)
    assert.ok(d.propensity > 0 && d.propensity <= 1, `${d.propensity}`)
    // One action through the rules: chosen for sure.
    if (tickets[k].body.actions.length === 1) assert.equal(d.propensity, 1)
  }
  assert.ok(log.some((d) => d.propensity < 1), 'some choice was a draw')
  // The log is what off-policy evaluation reads: the logging policy evaluated on its own log
  // (rewards filled in) gives the logged mean reward by inverse propensity scoring.
  const rewarded = log.map((d, i) => ({ ...d, time: d.time * 1000, reward: i % 2 }))
  const target = rewarded.map((d) => d.action ?? null)
  const zeros = rewarded.map(() => 0)
  const estimate = action.offPolicy(rewarded, target, zeros, zeros)
  const ips = rewarded.reduce((s, d) => s + d.reward / d.propensity, 0) / rewarded.length
  assert.ok(Math.abs(estimate.ips - ips) < 1e-12, `${estimate.ips} vs ${ips}`)
})
