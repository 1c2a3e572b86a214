'use strict'
// The ticket service's limits over real HTTP on loopback: the bearer token, body size, events
// per request, request time and open connections. Every violation gets its status and a JSON
// {error, code}; the service keeps serving, its state unchanged; and what it logs holds no
// customer data and never the token.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const net = require('node:net')
const path = require('node:path')
const { spawn } = require('node:child_process')
const { call } = require('./http')

const root = path.join(__dirname, '..', '..')
const { createService, listen, MAX_EVENTS } = require(path.join(root, 'examples', 'node-service'))
const { parseArgs } = require(path.join(root, 'examples', 'node-service', 'main.js'))

const vector = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'vectors', 'service.json'), 'utf8'))
const modelText = JSON.stringify(vector.model)
const TOKEN = 'a3f9c2e17b5d4e08b6a1c9d2e3f40517'
const t0 = Date.UTC(2026, 0, 1)

/** A fresh service on a free port with these `listen` options; closed after the test. */
async function started(t, options = {}) {
  const service = createService({ model: modelText })
  const server = await listen(service, { port: 0, host: '127.0.0.1', ...options })
  t.after(() => server.shutdown())
  return { service, server, port: server.port }
}

const events = (n, customer = 'L1') => ({ events: Array.from({ length: n }, (_, i) => ({ customer, time: t0 + i * 1000, kind: 'usage', value: 1 })) })

/** What a raw socket gets back after writing `text` (and waiting), until the server closes it. */
function raw(port, text) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(text))
    let reply = ''
    socket.on('data', (d) => (reply += d))
    socket.on('close', () => resolve(reply))
    socket.on('error', (e) => (e.code === 'ECONNRESET' ? resolve(reply) : reject(e)))
  })
}

test('with a token, every request needs "Authorization: Bearer <token>": else 401 UNAUTHORIZED, nothing kept', async (t) => {
  const { port } = await started(t, { token: TOKEN })
  const refusals = [{}, { authorization: `Bearer ${TOKEN}x` }, { authorization: `Bearer ${TOKEN.slice(0, -1)}` },
    { authorization: `Basic ${TOKEN}` }, { authorization: TOKEN }, { authorization: 'Bearer ' }, { authorization: `Bearer ${TOKEN} extra` }]
  for (const headers of refusals) {
    for (const [method, route, body] of [['GET', '/health'], ['POST', '/events', events(3)]]) {
      const r = await call(port, method, route, body, headers)
      assert.equal(r.status, 401, JSON.stringify(headers))
      assert.equal(r.body.code, 'UNAUTHORIZED')
      assert.match(r.body.error, /bearer token/)
      assert.equal(r.headers.get('www-authenticate'), 'Bearer')
      assert.ok(!r.body.error.includes(TOKEN))
    }
  }
  const ok = { authorization: `Bearer ${TOKEN}` }
  const h = await call(port, 'GET', '/health', undefined, ok)
  assert.equal(h.status, 200)
  assert.equal(h.body.events, 0, 'no refused request was kept')
  // The scheme's name is case-insensitive (RFC 7235).
  assert.equal((await call(port, 'POST', '/events', events(3), { authorization: `bearer ${TOKEN}` })).status, 200)
  assert.equal((await call(port, 'GET', '/health', undefined, ok)).body.events, 3)
})

test('beyond loopback a token is required: refused at start with a clear message; weak tokens refused', async (t) => {
  const service = createService({ model: modelText })
  for (const host of ['0.0.0.0', '::', '192.0.2.1']) {
    await assert.rejects(listen(service, { port: 0, host }), new RegExp(`refusing to listen on ${host.replace(/\./g, '\\.')} without a token.*NPS_TOKEN`))
  }
  await assert.rejects(listen(service, { port: 0, host: '0.0.0.0', token: '' }), /without a token/)
  await assert.rejects(listen(service, { port: 0, host: '0.0.0.0', token: 'short' }), /at least 16 printable/)
  await assert.rejects(listen(service, { port: 0, token: 'sixteen chars but spaces' }), /without spaces/)
  for (const [name, value] of [['maxBody', 0], ['maxEvents', -1], ['requestTimeout', 1.5], ['maxConnections', NaN]]) {
    await assert.rejects(listen(service, { port: 0, [name]: value }), new RegExp(`${name} = ${value}: expected a whole number`))
  }
  await assert.rejects(listen(service, { port: 0, requestTimeout: 100, headersTimeout: 200 }), /headersTimeout = 200 is longer than requestTimeout = 100/)
  // With a token, on every interface: reachable on loopback, with the token only.
  const server = await listen(service, { port: 0, host: '0.0.0.0', token: TOKEN })
  t.after(() => server.shutdown())
  assert.equal((await call(server.port, 'GET', '/health')).status, 401)
  assert.equal((await call(server.port, 'GET', '/health', undefined, { authorization: `Bearer ${TOKEN}` })).status, 200)
})

test('events per request: 413 TOO_MANY_EVENTS naming the count and the limit; nothing kept; a batch within it accepted', async (t) => {
  const { port } = await started(t, { maxEvents: 5 })
  const r = await call(port, 'POST', '/events', events(6))
  assert.equal(r.status, 413)
  assert.deepEqual(r.body, { error: 'events has 6 entries; at most 5 per request (send them in several requests)', code: 'TOO_MANY_EVENTS' })
  assert.equal((await call(port, 'GET', '/health')).body.events, 0)
  assert.deepEqual((await call(port, 'POST', '/events', events(5))).body, { accepted: 5, customers: 1 })
  // Without the option, the service's own limit (10,000 by default).
  assert.equal(MAX_EVENTS, 10000)
  const service = createService({ model: modelText, maxEvents: 2 })
  assert.equal(service.handle('POST', '/events', JSON.stringify(events(3))).body.code, 'TOO_MANY_EVENTS')
  assert.equal(service.handle('POST', '/events', JSON.stringify(events(3)), { maxEvents: 3 }).status, 200)
})

test('body size: a configured maxBody refuses with 413 BODY_TOO_LARGE, and the service keeps serving', async (t) => {
  const { port } = await started(t, { maxBody: 200 })
  const body = JSON.stringify(events(5))
  assert.ok(Buffer.byteLength(body) > 200)
  const r = await call(port, 'POST', '/events', body)
  assert.equal(r.status, 413)
  assert.deepEqual(r.body, { error: 'body larger than 200 bytes', code: 'BODY_TOO_LARGE' })
  assert.equal((await call(port, 'POST', '/events', events(1))).status, 200)
  assert.equal((await call(port, 'GET', '/health')).body.events, 1)
})

test('request time: headers or a body too slow get 408 REQUEST_TIMEOUT as JSON, then the service answers', async (t) => {
  const { port } = await started(t, { requestTimeout: 400, headersTimeout: 200, maxBody: 1000 })
  const started_ = Date.now()
  // Headers never finished.
  const slowHeaders = await raw(port, 'POST /events HTTP/1.1\r\nhost: x\r\n')
  assert.match(slowHeaders, /^HTTP\/1\.1 408 /)
  assert.match(slowHeaders, /\r\n\r\n\{"error":"request not received within 400 ms \(headers within 200 ms\)","code":"REQUEST_TIMEOUT"\}$/)
  // Headers in time, the body never finished.
  const slowBody = await raw(port, 'POST /events HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"events": [')
  assert.match(slowBody, /^HTTP\/1\.1 408 /)
  assert.match(slowBody, /"code":"REQUEST_TIMEOUT"/)
  assert.ok(Date.now() - started_ < 5000)
  // The rest of a body arriving after its 408 is neither handled nor counted (and does not
  // crash the service), even if it then goes over the body limit.
  const late = await new Promise((resolve, reject) => {
    const body = JSON.stringify(events(2))
    const socket = net.connect(port, '127.0.0.1', () => socket.write(`POST /events HTTP/1.1\r\nhost: x\r\ncontent-length: ${body.length}\r\n\r\n${body.slice(0, 10)}`))
    let reply = ''
    socket.on('data', (d) => {
      reply += d
      socket.write(body.slice(10))
      socket.write('x'.repeat(2000), () => {})
    })
    socket.on('close', () => resolve(reply))
    socket.on('error', (e) => (e.code === 'ECONNRESET' || e.code === 'EPIPE' ? resolve(reply) : reject(e)))
  })
  assert.match(late, /^HTTP\/1\.1 408 /)
  assert.equal((await call(port, 'GET', '/health')).body.events, 0)
  assert.equal((await call(port, 'POST', '/events', events(2))).status, 200)
})

test('headers over Node\'s limit: 431 HEADERS_TOO_LARGE as JSON, then the service answers', async (t) => {
  const { port } = await started(t, { token: TOKEN })
  const reply = await raw(port, `GET /health HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(20000)}\r\n\r\n`)
  assert.match(reply, /^HTTP\/1\.1 431 /)
  assert.match(reply, /\r\n\r\n\{"error":"headers larger than \d+ bytes","code":"HEADERS_TOO_LARGE"\}$/)
  assert.equal((await call(port, 'GET', '/health', undefined, { authorization: `Bearer ${TOKEN}` })).status, 200)
})

test('open connections: those beyond maxConnections are closed by Node, and the service keeps serving', async (t) => {
  const { server, port } = await started(t, { maxConnections: 2 })
  const open = await Promise.all([0, 1].map(() => new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s))
    s.on('error', reject)
  })))
  const count = () => new Promise((resolve, reject) => server.getConnections((e, n) => (e ? reject(e) : resolve(n))))
  while ((await count()) < 2) await new Promise((r) => setTimeout(r, 10))
  // The third connection: accepted by the kernel, closed at once without an answer.
  const third = await raw(port, 'GET /health HTTP/1.1\r\nhost: x\r\n\r\n')
  assert.equal(third, '')
  // One of the two goes away: a request gets through again.
  open[0].destroy()
  while ((await count()) >= 2) await new Promise((r) => setTimeout(r, 10))
  // The same bytes as the refused connection's now get an answer.
  assert.match(await raw(port, 'GET /health HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n'), /^HTTP\/1\.1 200 /)
  const h = await call(port, 'GET', '/health')
  assert.equal(h.status, 200)
  assert.equal(h.body.events, 0)
  open[1].destroy()
})

test('main.js: the flags reach listen(); beyond loopback without a token it exits with the message', async () => {
  const o = parseArgs(['--token', TOKEN, '--max-body', '1000', '--max-events', '7', '--request-timeout', '5000',
    '--headers-timeout', '2000', '--max-connections', '9'], {})
  assert.deepEqual([o.token, o.maxBody, o.maxEvents, o.requestTimeout, o.headersTimeout, o.maxConnections], [TOKEN, 1000, 7, 5000, 2000, 9])
  assert.equal(parseArgs([], { NPS_TOKEN: TOKEN }).token, TOKEN)
  assert.equal(parseArgs([], { NPS_TOKEN: '' }).token, undefined)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nps-limits-test-'))
  const file = path.join(dir, 'model.json')
  fs.writeFileSync(file, modelText)
  const child = spawn(process.execPath, [path.join(root, 'examples', 'node-service', 'main.js'), '--model', file, '--host', '0.0.0.0', '--port', '0', '--db', path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'nps-db-')), 'state.db')],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NPS_TOKEN: '' } })
  let err = ''
  child.stderr.on('data', (d) => (err += d))
  assert.equal(await new Promise((resolve) => child.once('exit', resolve)), 1)
  assert.match(err, /nps ticket service: refusing to listen on 0\.0\.0\.0 without a token/)
})

test('logs: main.js writes no customer data beyond the id, no bodies, no field values, never the token', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nps-limits-test-'))
  const file = path.join(dir, 'model.json')
  fs.writeFileSync(file, modelText)
  const child = spawn(process.execPath, [path.join(root, 'examples', 'node-service', 'main.js'), '--model', file, '--port', '0', '--max-events', '3', '--db', path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'nps-db-')), 'state.db')],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NPS_TOKEN: TOKEN } })
  let out = ''
  child.stdout.on('data', (d) => (out += d))
  child.stderr.on('data', (d) => (out += d))
  const port = await new Promise((resolve, reject) => {
    child.stdout.on('data', () => {
      const m = /http:\/\/127\.0\.0\.1:(\d+)/.exec(out)
      if (m) resolve(Number(m[1]))
    })
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)))
  })
  const auth = { authorization: `Bearer ${TOKEN}` }
  // Values that must never appear in a log: a field value, a department, a bad body.
  const step = vector.steps.find((s) => s.route === '/tickets' && s.body.customer === vector.customers[4])
  await call(port, 'POST', '/events', { events: [{ customer: 'LOGCUST', time: step.body.time - 1e10, kind: 'subscription_start', department: 'SECRET_DEPT' }] }, auth)
  await call(port, 'POST', '/tickets', { ...step.body, customer: 'LOGCUST', fields: { monthly_bill: 987654.321 } }, auth)
  await call(port, 'POST', '/tickets', { customer: 'LOGCUST', time: 'SECRET_TIME', kind: 'contact_opened' }, auth)
  await call(port, 'POST', '/events', events(4, 'SECRET_OVER_LIMIT'), auth)
  await call(port, 'POST', '/tickets', '{"customer": "SECRET_BROKEN', auth)
  await call(port, 'GET', '/health', undefined, { authorization: 'Bearer SECRET_WRONG_TOKEN_12345' })
  assert.equal(await new Promise((resolve) => {
    child.once('exit', resolve)
    child.kill('SIGTERM')
  }), 0)
  for (const secret of [TOKEN, 'SECRET', '987654', 'LOGCUST']) assert.ok(!out.includes(secret), `${secret} in the log:\n${out}`)
  assert.match(out, /bearer token required/)
})
