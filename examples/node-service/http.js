'use strict'
// The service on a socket: reads the body (bounded), hands it to `service.handle`, writes JSON.
const http = require('node:http')

/** Largest body read (1 MiB): a bigger one is refused with 413 before it is buffered. */
const MAX_BODY = 1 << 20

function send(res, status, body, headers = {}) {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers })
  res.end(text)
}

function tooLarge(req, res, maxBody) {
  send(res, 413, { error: `body larger than ${maxBody} bytes`, code: 'BODY_TOO_LARGE' }, { connection: 'close' })
  // Discard the rest of the upload, and drop a client that keeps sending.
  req.resume()
  setTimeout(() => req.socket.destroy(), 1000).unref()
}

/**
 * Listens on `host` (127.0.0.1) and `port` (0 = any free port). Resolves to the server;
 * `server.port` is the port, `server.shutdown()` stops accepting, lets requests in flight
 * finish, closes idle keep-alive connections and resolves when all are closed.
 */
function listen(service, { port = 0, host = '127.0.0.1', maxBody = MAX_BODY } = {}) {
  const server = http.createServer((req, res) => {
    const declared = Number(req.headers['content-length'])
    if (declared > maxBody) return tooLarge(req, res, maxBody)
    const chunks = []
    let size = 0
    let done = false
    req.on('data', (chunk) => {
      if (done) return
      size += chunk.length
      if (size > maxBody) {
        done = true
        return tooLarge(req, res, maxBody)
      }
      chunks.push(chunk)
    })
    req.on('end', () => {
      if (done) return
      done = true
      const r = service.handle(req.method, req.url, Buffer.concat(chunks).toString('utf8'))
      send(res, r.status, r.body, r.headers)
    })
    req.on('error', () => req.socket.destroy())
  })
  server.keepAliveTimeout = 5000
  // Not HTTP at all (or a method the parser does not know): a JSON 400 too, then close.
  server.on('clientError', (err, socket) => {
    if (!socket.writable) return socket.destroy()
    const text = JSON.stringify({ error: `not a valid HTTP request: ${err.code ?? err.message}`, code: 'BAD_HTTP' })
    socket.end(`HTTP/1.1 400 Bad Request\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`)
  })
  server.shutdown = () =>
    new Promise((resolve) => {
      server.close(() => resolve())
      server.closeIdleConnections()
    })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.port = server.address().port
      resolve(server)
    })
  })
}

module.exports = { listen, MAX_BODY }
