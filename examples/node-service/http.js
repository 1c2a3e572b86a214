'use strict'
// The service on a socket: checks the bearer token, reads the body (bounded), hands it to
// `service.handle`, writes JSON. Every limit a client hits is answered with the right status
// and a JSON {error, code}; none stops the service or changes its state.
const http = require('node:http')
const crypto = require('node:crypto')

/** Largest body read (1 MiB): a bigger one is refused with 413 before it is buffered. */
const MAX_BODY = 1 << 20
/** Longest time to receive a whole request, headers and body (30 s): a slower one gets 408. */
const REQUEST_TIMEOUT = 30_000
/** Longest time to receive the headers (10 s): a client that trickles them gets 408. */
const HEADERS_TIMEOUT = 10_000
/** Open connections at once: Node closes the ones beyond as they arrive. */
const MAX_CONNECTIONS = 1024
/** The shortest token accepted: a short one can be guessed. */
const MIN_TOKEN = 16

/** Hosts only this machine can reach: the only ones the service listens on without a token. */
const isLoopback = (host) => host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host)

function send(res, status, body, headers = {}) {
  // Already answered (a 408 or a 413 first): the request is over, whatever else arrives.
  if (res.headersSent) return
  // A text body (the console's pages and assets) goes as it is, with the content type it names.
  const text = typeof body === 'string' ? body : JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers })
  res.end(text)
}

/** Answers before the body is read: the rest of the upload is discarded, a client that keeps sending dropped. */
function refuse(req, res, status, body, headers = {}) {
  send(res, status, body, { connection: 'close', ...headers })
  req.resume()
  setTimeout(() => req.socket.destroy(), 1000).unref()
}

const tooLarge = (req, res, maxBody) => refuse(req, res, 413, { error: `body larger than ${maxBody} bytes`, code: 'BODY_TOO_LARGE' })

/**
 * Whether the `authorization` header carries the token (its sha256 is `expected`). Both
 * sides are hashed so that `timingSafeEqual` compares equal lengths and neither the time nor
 * an early exit tells how much of a guess, or how long the token, was right.
 */
function authorized(header, expected) {
  const m = /^Bearer +([^\s]+) *$/i.exec(header ?? '')
  const given = crypto.createHash('sha256').update(m ? m[1] : '').digest()
  return crypto.timingSafeEqual(given, expected) && m !== null
}

/** The cookie a browser carries the token in, once it opened the console with `?token=`. */
const TOKEN_COOKIE = 'nps_token'

/** The token of the console's cookie as an `authorization` header would carry it (or undefined). */
function cookieBearer(header) {
  for (const part of String(header ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=')
    if (name !== TOKEN_COOKIE) continue
    try {
      return `Bearer ${decodeURIComponent(value.join('='))}`
    } catch {
      return undefined
    }
  }
  return undefined
}

/**
 * A browser opening the console with `?token=`: the right token is set as an HttpOnly,
 * SameSite=Strict cookie (scripts cannot read it, other sites cannot send it) and the
 * browser sent to the same page without it, so that the token leaves the address bar.
 * Answers and returns true when it did; false for any other request.
 */
function consoleLogin(req, res, expected) {
  if (req.method !== 'GET' || !/^\/console(\/|\?|$)/.test(req.url)) return false
  const url = new URL(req.url, 'http://console')
  const token = url.searchParams.get('token')
  if (token === null || !authorized(`Bearer ${token}`, expected)) return false
  req.resume()
  url.searchParams.delete('token')
  res.writeHead(303, { location: url.pathname + url.search, 'content-length': 0, 'cache-control': 'no-store',
    'set-cookie': `${TOKEN_COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict` })
  res.end()
  return true
}

/** The 401 of a console page: a page that says how to open it, rather than JSON. */
function consoleRefused(req, res) {
  const text = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Token required</title></head><body><main>' +
    '<h1>This console needs the service\'s token</h1><p>Open it once as <code>/console?token=&lt;token&gt;</code>: ' +
    'the browser keeps it in a cookie for this site; or send <code>Authorization: Bearer &lt;token&gt;</code>.</p></main></body></html>'
  refuse(req, res, 401, text, { 'content-type': 'text/html; charset=utf-8', 'www-authenticate': 'Bearer' })
}

/** A whole number of at least `min`, or the option's name and value in the error. */
function positive(name, value, min = 1) {
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} = ${value}: expected a whole number of at least ${min}`)
  return value
}

/** The options, checked: every one a whole number, the token required beyond loopback. */
function limits(o) {
  const host = o.host ?? '127.0.0.1'
  const token = o.token === '' ? undefined : o.token
  if (token === undefined && !isLoopback(host)) {
    throw new Error(`refusing to listen on ${host} without a token: beyond loopback every client must authenticate; ` +
      'set NPS_TOKEN (or --token) and send "Authorization: Bearer <token>"')
  }
  if (token !== undefined && (typeof token !== 'string' || token.length < MIN_TOKEN || !/^[\x21-\x7e]+$/.test(token))) {
    throw new Error(`the token must be at least ${MIN_TOKEN} printable ASCII characters without spaces (e.g. \`openssl rand -hex 32\`)`)
  }
  const requestTimeout = positive('requestTimeout', o.requestTimeout ?? REQUEST_TIMEOUT)
  const headersTimeout = positive('headersTimeout', o.headersTimeout ?? Math.min(HEADERS_TIMEOUT, requestTimeout))
  if (headersTimeout > requestTimeout) throw new Error(`headersTimeout = ${headersTimeout} is longer than requestTimeout = ${requestTimeout}`)
  return {
    host, port: o.port ?? 0, token, requestTimeout, headersTimeout,
    maxBody: positive('maxBody', o.maxBody ?? MAX_BODY),
    maxEvents: o.maxEvents === undefined ? undefined : positive('maxEvents', o.maxEvents),
    maxConnections: positive('maxConnections', o.maxConnections ?? MAX_CONNECTIONS),
  }
}

/** The raw 408 for a client still sending its headers: there is no response object yet. */
function rawAnswer(socket, status, reason, body) {
  const text = JSON.stringify(body)
  socket.end(`HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`)
}

/**
 * Listens on `host` (127.0.0.1) and `port` (0 = any free port). Resolves to the server;
 * `server.port` is the port, `server.shutdown()` stops accepting, lets requests in flight
 * finish, closes idle keep-alive connections and resolves when all are closed.
 *
 * Options (defaults in docs/service.md, "Limits and authentication"): `token` (required
 * beyond loopback), `maxBody` bytes, `maxEvents` per POST /events (the service's own when
 * absent), `requestTimeout` and `headersTimeout` in ms, `maxConnections`.
 */
function listen(service, options = {}) {
  let o
  try {
    o = limits(options)
  } catch (e) {
    return Promise.reject(e)
  }
  const expected = o.token === undefined ? null : crypto.createHash('sha256').update(o.token).digest()
  const handleLimits = o.maxEvents === undefined ? {} : { maxEvents: o.maxEvents }
  // Each request still being received: its response, through which a timeout answers, and
  // how to stop it (what arrives after the 408 is neither counted nor handled).
  const receiving = new WeakMap()
  // Node checks the timeouts every `connectionsCheckingInterval` (30 s by default, longer than
  // short limits): often enough that a timeout fires within a quarter of it late.
  const connectionsCheckingInterval = Math.max(50, Math.min(1000, Math.floor(o.headersTimeout / 4)))
  const server = http.createServer({ requestTimeout: o.requestTimeout, headersTimeout: o.headersTimeout, connectionsCheckingInterval }, (req, res) => {
    if (expected !== null && consoleLogin(req, res, expected)) return
    if (expected !== null && !authorized(req.headers.authorization, expected) && !authorized(cookieBearer(req.headers.cookie), expected)) {
      if (req.method === 'GET' && /^\/console(\/|\?|$)/.test(req.url)) return consoleRefused(req, res)
      return refuse(req, res, 401, { error: 'missing or wrong bearer token: send "Authorization: Bearer <token>"', code: 'UNAUTHORIZED' },
        { 'www-authenticate': 'Bearer' })
    }
    const declared = Number(req.headers['content-length'])
    if (declared > o.maxBody) return tooLarge(req, res, o.maxBody)
    const chunks = []
    let size = 0
    let done = false
    receiving.set(req.socket, { res, stop: () => (done = true) })
    req.on('data', (chunk) => {
      if (done) return
      size += chunk.length
      if (size > o.maxBody) {
        done = true
        receiving.delete(req.socket)
        return tooLarge(req, res, o.maxBody)
      }
      chunks.push(chunk)
    })
    req.on('end', () => {
      if (done) return
      done = true
      receiving.delete(req.socket)
      const r = service.handle(req.method, req.url, Buffer.concat(chunks).toString('utf8'), handleLimits)
      send(res, r.status, r.body, r.headers)
    })
    req.on('error', () => req.socket.destroy())
  })
  server.keepAliveTimeout = 5000
  server.maxConnections = o.maxConnections
  server.on('clientError', (err, socket) => {
    if (!socket.writable) return socket.destroy()
    if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      // Too slow: headers or body not complete in time. Answered once, then closed.
      const body = { error: `request not received within ${o.requestTimeout} ms (headers within ${o.headersTimeout} ms)`, code: 'REQUEST_TIMEOUT' }
      const pending = receiving.get(socket)
      receiving.delete(socket)
      if (pending === undefined) return rawAnswer(socket, 408, 'Request Timeout', body)
      pending.stop()
      if (pending.res.headersSent) return socket.destroy()
      send(pending.res, 408, body, { connection: 'close' })
      return setTimeout(() => socket.destroy(), 1000).unref()
    }
    if (err.code === 'HPE_HEADER_OVERFLOW') {
      // Headers over Node's limit (16 KiB, `--max-http-header-size`): refused before they are kept.
      return rawAnswer(socket, 431, 'Request Header Fields Too Large', { error: `headers larger than ${http.maxHeaderSize} bytes`, code: 'HEADERS_TOO_LARGE' })
    }
    // Not HTTP at all (or a method the parser does not know): a JSON 400 too, then close.
    rawAnswer(socket, 400, 'Bad Request', { error: `not a valid HTTP request: ${err.code ?? err.message}`, code: 'BAD_HTTP' })
  })
  server.shutdown = () =>
    new Promise((resolve) => {
      server.close(() => resolve())
      server.closeIdleConnections()
    })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(o.port, o.host, () => {
      server.port = server.address().port
      resolve(server)
    })
  })
}

module.exports = { listen, isLoopback, TOKEN_COOKIE, MAX_BODY, REQUEST_TIMEOUT, HEADERS_TIMEOUT, MAX_CONNECTIONS, MIN_TOKEN }
