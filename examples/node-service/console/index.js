'use strict'
// The web console of the ticket service: GET /console (the manager's overview) and
// GET /console/customers/:id (the agent's view of one customer), server-rendered HTML with
// one stylesheet and one small script, no other origin. The numbers come from data.js
// (the library and the service's answers); the pages only format them.
const fs = require('node:fs')
const path = require('node:path')
const { createData } = require('./data')
const { customerPage, managerPage, notFoundPage } = require('./pages')

/** The console's own files, read once: the only assets it serves. */
const ASSETS = {
  '/console/console.css': { type: 'text/css; charset=utf-8', text: fs.readFileSync(path.join(__dirname, 'console.css'), 'utf8') },
  '/console/console.js': { type: 'text/javascript; charset=utf-8', text: fs.readFileSync(path.join(__dirname, 'console.js'), 'utf8') },
}

/**
 * No script, style or connection from anywhere but the service, no inline script, no
 * framing: a value that slipped through escaping could still not run.
 */
const HEADERS = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
}

const page = (status, text) => ({ status, headers: { ...HEADERS, 'content-type': 'text/html; charset=utf-8' }, body: text })

/** The console over the service's state `s` (see createService); `options.ltr` the LTR model file's text. */
function createConsole(s, options = {}) {
  const data = createData(s, options)
  const ctx = { describe: (name) => data.describe(name), spec: s.spec, bands: s.spec.bands }

  /** Whether a URL is the console's. */
  const owns = (url) => /^\/console(\/|\?|$)/.test(String(url))

  function handle(method, url) {
    const u = new URL(String(url), 'http://console')
    if (method !== 'GET') {
      return { status: 405, headers: { allow: 'GET' }, body: { error: `${method} not allowed on ${u.pathname}; use GET`, code: 'METHOD_NOT_ALLOWED' } }
    }
    if (Object.hasOwn(ASSETS, u.pathname)) {
      const a = ASSETS[u.pathname]
      return { status: 200, headers: { ...HEADERS, 'cache-control': 'no-cache', 'content-type': a.type }, body: a.text }
    }
    if (u.pathname === '/console' || u.pathname === '/console/') {
      return page(200, managerPage(data.manager(Object.fromEntries(u.searchParams)), ctx))
    }
    const m = /^\/console\/customers\/([^/]+)$/.exec(u.pathname)
    if (m) {
      let id
      try {
        id = decodeURIComponent(m[1])
      } catch {
        id = m[1]
      }
      const c = data.customer(id)
      if (c === null) return page(404, notFoundPage(`No customer ${JSON.stringify(id)}: the service has no events of them.`))
      return page(200, customerPage(c, ctx))
    }
    return page(404, notFoundPage(`No page ${u.pathname}.`))
  }

  return { owns, handle }
}

module.exports = { createConsole }
