'use strict'
// What the service tests share: one HTTP call to the service on loopback.
const assert = require('node:assert/strict')

/** `method route` with a JSON body (an object, or a string sent as it is); the answer must be JSON. */
async function call(port, method, route, body, headers = {}) {
  const init = { method, headers: { 'content-type': 'application/json', ...headers } }
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body)
  const res = await fetch(`http://127.0.0.1:${port}${route}`, init)
  const text = await res.text()
  assert.match(res.headers.get('content-type'), /^application\/json/)
  return { status: res.status, body: JSON.parse(text), headers: res.headers }
}

module.exports = { call }
