'use strict'
// The console (examples/node-service/console/) driven as a person would, in headless
// Chromium (Debian's `chromium`, installed by `make chromium`): after the shared service
// vectors are posted, the numbers on both pages equal the API's answers and the library's,
// an outcome button records the outcome and the learned rate on the page changes, a
// keyboard reaches the buttons, a hostile customer id is only ever text, and the token is
// enforced. Screenshots of both views at two window sizes go to target/console-screenshots/.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { call } = require('./http')

const root = path.join(__dirname, '..', '..')
const { createService, listen } = require(path.join(root, 'examples', 'node-service'))
const { Tally, LtrModel, predictedNps, trend, features } = require(path.join(root, 'nps-node'))

const CHROMIUM = '/usr/bin/chromium'
// Without these, Chromium's background connections (updates, sync, QUIC) fail on a closed network.
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync']
const MISSING = `${CHROMIUM} not found: install Debian's chromium with \`make chromium\` ` +
  '(apt-get install -y --no-install-recommends chromium)'

const vector = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'vectors', 'service.json'), 'utf8'))
const ltrText = JSON.stringify(JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'vectors', 'ltr_model.json'), 'utf8')).model)
const TOKEN = 'console-test-token-0123456789abcdef'
const auth = { authorization: `Bearer ${TOKEN}` }
const SHOTS = path.join(root, 'target', 'console-screenshots')
// A customer id that would run script if it were written into the page as markup.
const HOSTILE = '<img src=x onerror="window.__pwned=1">"\'&<script>window.__pwned=2</script>'

/** The number a page shows as text ("−12.5" → -12.5). */
const shownNumber = (text) => Number(text.trim().replace('−', '-').replace(/[,\s%]/g, ''))

/** The service with the vectors posted: its port, the service, and the last ticket answer of each customer. */
async function posted(t) {
  const service = createService({ model: JSON.stringify(vector.model), ltr: ltrText, ltrSource: 'tests/vectors/ltr_model.json' })
  const server = await listen(service, { port: 0, host: '127.0.0.1', token: TOKEN })
  t.after(() => server.shutdown())
  const answers = new Map()
  for (const step of vector.steps) {
    const r = await call(server.port, 'POST', step.route, step.body, auth)
    assert.equal(r.status, 200, JSON.stringify(r.body))
    if (step.route === '/tickets') answers.set(r.body.customer, r.body)
  }
  return { service, port: server.port, answers }
}

/** Every event the vectors post, tickets included, per customer, in the order posted. */
function postedEvents() {
  const byCustomer = new Map()
  for (const step of vector.steps) {
    const list = step.route === '/events' ? step.body.events : step.route === '/tickets' ? [step.body] : []
    for (const { fields, ...e } of list) {
      if (!byCustomer.has(e.customer)) byCustomer.set(e.customer, [])
      byCustomer.get(e.customer).push(e)
    }
  }
  return byCustomer
}

async function browser(t) {
  // A dev dependency of nps-node (pinned in its package.json), where `npm ci` installs it.
  const { chromium } = require(require.resolve('playwright-core', { paths: [path.join(root, 'nps-node')] }))
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nps-console-chromium-'))
  const context = await chromium.launchPersistentContext(dir, { executablePath: CHROMIUM, headless: true, args: ARGS,
    viewport: { width: 1280, height: 800 } })
  t.after(async () => {
    await context.close()
    fs.rmSync(dir, { recursive: true, force: true })
  })
  return context
}

async function screenshots(page, name) {
  fs.mkdirSync(SHOTS, { recursive: true })
  for (const [size, viewport] of [['wide', { width: 1280, height: 800 }], ['narrow', { width: 390, height: 844 }]]) {
    await page.setViewportSize(viewport)
    await page.screenshot({ path: path.join(SHOTS, `console-${name}-${size}.png`) })
  }
  await page.setViewportSize({ width: 1280, height: 800 })
}

const available = fs.existsSync(CHROMIUM)
if (!available && process.env.CI === 'true') {
  test('chromium is installed', () => assert.fail(MISSING))
}

test('the console in headless Chromium: numbers equal the API\'s, outcomes learned, keyboard, escaping, token',
  { skip: available ? false : MISSING }, async (t) => {
    const { service, port, answers } = await posted(t)
    const base = `http://127.0.0.1:${port}`
    const context = await browser(t)
    const page = await context.newPage()
    const errors = []
    page.on('pageerror', (e) => errors.push(e.message))

    // The token: a page without it is refused; opened once with ?token=, the browser keeps
    // it in an HttpOnly cookie and the address bar loses it.
    const refused = await page.goto(`${base}/console`)
    assert.equal(refused.status(), 401)
    assert.match(await page.textContent('h1'), /token/)
    assert.equal((await page.goto(`${base}/console?token=wrong-token-0123456789abcdef`)).status(), 401)
    const opened = await page.goto(`${base}/console?token=${TOKEN}`)
    assert.equal(opened.status(), 200)
    assert.equal(new URL(page.url()).search, '')
    assert.equal(await page.evaluate(() => document.cookie), '', 'the token cookie is HttpOnly')
    const cookie = (await context.cookies()).find((c) => c.name === 'nps_token')
    assert.equal(cookie.httpOnly, true)
    assert.equal(cookie.sameSite, 'Strict')

    // Manager view: NPS of the respondents = the library's NPS of each respondent's latest answer.
    const events = postedEvents()
    const latest = []
    for (const list of events.values()) {
      const answered = list.filter((e) => e.kind === 'survey_answer').sort((a, b) => a.time - b.time)
      if (answered.length > 0) latest.push(answered.at(-1).value)
    }
    const tally = Tally.fromScores(latest)
    assert.equal(Number(await page.getAttribute('#nps', 'data-value')), tally.nps)
    assert.equal(shownNumber(await page.textContent('#nps')), Number(tally.nps.toFixed(1)))
    assert.equal(Number(await page.getAttribute('#respondents', 'data-value')), latest.length)
    // Predicted NPS: the LTR model on every customer's features one second after their latest event.
    const ltr = LtrModel.fromJson(ltrText)
    const engine = new features.FeatureEngine(null)
    const proba = []
    for (const id of service.customers.keys()) {
      const h = new features.CustomerHistory()
      for (const { customer, ...e } of events.get(id)) h.push(e)
      const f = h.features(engine, Math.max(...events.get(id).map((e) => e.time)) + 1000)
      const x = Object.fromEntries(ltr.inputs.map((name) => [name, Number.isNaN(f[engine.names.indexOf(name)]) ? null : f[engine.names.indexOf(name)]]))
      const p = ltr.score(x)
      proba.push(p.detractor, p.passive, p.promoter)
    }
    const predicted = predictedNps(new Float64Array(proba), { trainedOn: ltr.trainingRows })
    assert.equal(Number(await page.getAttribute('#predicted', 'data-value')), predicted.nps)
    assert.ok(await page.isVisible('#blended'))
    // Week by week: the library's trend of every posted answer, its flags on the page.
    const answered = [...events.values()].flat().filter((e) => e.kind === 'survey_answer')
    const weeks = trend(answered.map((e) => e.value), answered.map((e) => e.time), { period: 'week', compare: 'adjustedWald' })
    const shownWeeks = await page.$$eval('#weeks tbody tr', (trs) => trs.map((tr) => [tr.querySelector('th').textContent,
      Number(tr.querySelector('td[data-value]').dataset.value), /significantly up/.test(tr.textContent) ? 1 : /significantly down/.test(tr.textContent) ? -1 : 0]))
    assert.deepEqual(shownWeeks, weeks.map((w) => [w.period, w.nps, w.direction]))
    // The riskiest customers: each risk = the score of the customer's latest ticket answer, highest first.
    const rows = await page.$$eval('#risk-table tbody tr', (trs) => trs.map((tr) => [tr.querySelector('th').textContent, Number(tr.querySelector('td').dataset.value)]))
    assert.equal(rows.length, answers.size)
    for (const [id, score] of rows) assert.equal(score, answers.get(id).score, id)
    assert.deepEqual(rows.map((r) => r[1]), rows.map((r) => r[1]).sort((a, b) => b - a))
    // Sorted by customer through its heading's link.
    await page.click('#risk-table thead a:text("Customer")')
    const ids = await page.$$eval('#risk-table tbody th', (ths) => ths.map((th) => th.textContent))
    assert.deepEqual(ids, [...ids].sort())
    await page.goto(`${base}/console`)
    await screenshots(page, 'manager')

    // Customer view of every customer: the risk and the actions' order are the ticket answer's.
    for (const [id, answer] of answers) {
      const r = await page.goto(`${base}/console/customers/${encodeURIComponent(id)}`)
      assert.equal(r.status(), 200)
      assert.equal(Number(await page.getAttribute('#risk', 'data-value')), answer.score, id)
      assert.equal(shownNumber(await page.textContent('#risk')), Number(answer.score.toFixed(1)))
      const order = await page.$$eval('#actions > li', (lis) => lis.map((li) => li.dataset.action))
      assert.deepEqual(order, answer.actions.map((a) => a.id), id)
    }

    // An outcome recorded from the page, by keyboard: Tab to the first button, Enter.
    const id = 'C0001293'
    const answer = answers.get(id)
    const action = answer.actions[0].id
    await page.goto(`${base}/console/customers/${id}`)
    await screenshots(page, 'customer')
    const rate = `[data-rate-for="${action}"]`
    const before = Number(await page.getAttribute(rate, 'data-value'))
    let focused = null
    for (let i = 0; i < 60 && focused === null; i++) {
      await page.keyboard.press('Tab')
      focused = await page.evaluate(() => (document.activeElement.matches('button.outcome') ? document.activeElement.dataset.kind : null))
    }
    assert.equal(focused, 'accepted', 'Tab reaches the first outcome button')
    await page.keyboard.press('Enter')
    await page.waitForFunction(() => /Recorded/.test(document.getElementById('outcome-status').textContent))
    const segment = service.customers.get(id).fields.segment
    const after = Number(await page.getAttribute(rate, 'data-value'))
    assert.equal(after, service.learner.mean(action, segment))
    assert.ok(after > before, `${before} -> ${after}`)
    // Declined (a click): a failure for the learner, and the rate goes down.
    await page.click(`li[data-action="${action}"] button[data-kind="rejected"]`)
    await page.waitForFunction(([sel, x]) => Number(document.querySelector(sel).dataset.value) < x, [rate, after])
    assert.equal(Number(await page.getAttribute(rate, 'data-value')), service.learner.mean(action, segment))
    assert.deepEqual(service.learner.counts(action, segment), [1, 1])
    assert.match(await page.textContent(`[data-counts-for="${action}"]`), /1 of 2/)
    // The manager's table of learned rates shows it too.
    await page.goto(`${base}/console`)
    const learned = await page.getAttribute(`#rates tr[data-action="${action}"][data-segment="${segment}"] td[data-value]`, 'data-value')
    assert.equal(Number(learned), service.learner.mean(action, segment))
    const cell = `#rates tr[data-action="${action}"][data-segment="${segment}"] td[data-low]`
    assert.deepEqual([Number(await page.getAttribute(cell, 'data-low')), Number(await page.getAttribute(cell, 'data-high'))],
      service.learner.interval(action, segment))

    // A hostile customer id: text on the page, never markup or script.
    const h = await call(port, 'POST', '/events', { events: [{ customer: HOSTILE, time: Date.UTC(2026, 5, 1), kind: 'subscription_start' }] }, auth)
    assert.equal(h.status, 200)
    assert.equal((await page.goto(`${base}/console/customers/${encodeURIComponent(HOSTILE)}`)).status(), 200)
    assert.equal(await page.textContent('[data-customer]'), HOSTILE)
    const unknown = await page.goto(`${base}/console/customers/${encodeURIComponent(`${HOSTILE}-unknown`)}`)
    assert.equal(unknown.status(), 404)
    assert.match(await page.textContent('main'), /No customer/)
    await page.goto(`${base}/console`)
    assert.ok((await page.$$eval('#risk-table tbody th', (ths) => ths.map((th) => th.textContent))).includes(HOSTILE))
    assert.equal(await page.evaluate(() => window.__pwned), undefined)
    assert.equal(await page.$$eval('main img, main script', (els) => els.length), 0)
    assert.deepEqual(errors, [])
  })

test('without the LTR model the predicted NPS panel says so; pages without a browser', async () => {
  const service = createService({ model: JSON.stringify(vector.model), ltrSource: 'target/nps-demo/ltr_model.json not found' })
  for (const step of vector.steps) assert.equal(service.handle('POST', step.route, JSON.stringify(step.body)).status, 200)
  const r = service.handle('GET', '/console')
  assert.equal(r.status, 200)
  assert.match(r.headers['content-type'], /^text\/html/)
  assert.match(r.headers['content-security-policy'], /script-src 'self'/)
  assert.match(r.body, /<p id="ltr-missing">target\/nps-demo\/ltr_model.json not found<\/p>/)
  assert.equal(service.handle('POST', '/console', '{}').status, 405)
  assert.equal(service.handle('GET', '/console/nothing').status, 404)
  const escaped = service.handle('GET', `/console/customers/${encodeURIComponent('<b>x</b>')}`)
  assert.equal(escaped.status, 404)
  assert.ok(escaped.body.includes('&lt;b&gt;x&lt;/b&gt;') && !escaped.body.includes('<b>x</b>'))
  // The API's routes answer as before.
  assert.equal(service.handle('GET', '/health').status, 200)
  assert.equal(service.handle('GET', '/consoles').status, 404)
})

test('after a restart the console scores each customer again, with the numbers of their latest ticket answer', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nps-console-store-'))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  const store = path.join(dir, 'service.db')
  const first = createService({ model: JSON.stringify(vector.model), store })
  const answers = new Map()
  for (const step of vector.steps) {
    const r = first.handle('POST', step.route, JSON.stringify(step.body))
    if (step.route === '/tickets') answers.set(r.body.customer, r.body)
  }
  // The answers are kept in memory only: the restarted service scores from the events.
  const again = createService({ model: JSON.stringify(vector.model), store })
  for (const [id, answer] of answers) {
    for (const [service, source] of [[first, /As answered to the ticket/], [again, /Scored from the events/]]) {
      const page = service.handle('GET', `/console/customers/${id}`).body
      assert.match(page, source)
      assert.equal(Number(/id="risk" data-value="([^"]+)"/.exec(page)[1]), answer.score, id)
      assert.deepEqual([...page.matchAll(/<li data-action="([^"]+)"/g)].map((m) => m[1]), answer.actions.map((a) => a.id), id)
    }
  }
})

test('the overview keeps each customer\'s numbers until the customer changes: a new ticket shows at once', () => {
  const service = createService({ model: JSON.stringify(vector.model) })
  const tickets = vector.steps.filter((s) => s.route === '/tickets')
  for (const step of vector.steps) assert.equal(service.handle('POST', step.route, JSON.stringify(step.body)).status, 200)
  const scoreOf = (page, id) => Number(new RegExp(`${id}</a></th><td class="n" data-value="([^"]+)"`).exec(page)[1])
  const last = tickets.at(-1).body
  const before = service.handle('GET', '/console').body
  assert.equal(service.handle('GET', '/console').body, before) // nothing changed: the same page
  // A later ticket of the same customer: the overview shows that ticket's answer.
  const later = { ...last, time: new Date(last.time).getTime() + 86400000, kind: 'outage' }
  const answer = service.handle('POST', '/tickets', JSON.stringify(later)).body
  const after = service.handle('GET', '/console').body
  assert.equal(scoreOf(after, last.customer), answer.score)
  assert.notEqual(scoreOf(before, last.customer), answer.score)
})

test('the base week by week: risk and predicted NPS at each week end equal the library\'s on the events before it', () => {
  const service = createService({ model: JSON.stringify(vector.model), ltr: ltrText })
  for (const step of vector.steps) assert.equal(service.handle('POST', step.route, JSON.stringify(step.body)).status, 200)
  const page = service.handle('GET', '/console').body
  const rows = [...page.matchAll(/<tr data-end="(\d+)"><th scope="row">[^<]*<\/th><td>(\d+)<\/td><td data-value="([^"]+)">[\s\S]*?<td data-value="([^"]+)">[^<]*<\/td>\s*<td data-value="([^"]+)">/g)]
  assert.ok(rows.length >= 2, `${rows.length} weeks`)
  // The same numbers from the library directly: each customer's events (as posted) in a new
  // history, features as of the week end, the churn model's probability and the LTR model's.
  const { ChurnModel } = require(path.join(root, 'nps-node'))
  const model = ChurnModel.fromJson(JSON.stringify(vector.model))
  const ltr = LtrModel.fromJson(ltrText)
  const engine = new features.FeatureEngine(null)
  const names = engine.names
  const histories = [...postedEvents().values()].map((events) => {
    const h = new features.CustomerHistory()
    for (const e of [...events].sort((a, b) => new Date(a.time) - new Date(b.time))) {
      const { customer, ...event } = e
      h.push(event)
    }
    return { h, first: Math.min(...events.map((e) => new Date(e.time).getTime())) }
  })
  const inputs = (f, list) => Object.fromEntries(list.map((n) => [n, Number.isNaN(f[names.indexOf(n)]) ? null : f[names.indexOf(n)]]))
  for (const [, end, customers, risk, predicted, blended] of rows) {
    const t = Number(end)
    const active = histories.filter((c) => c.first < t).map((c) => c.h.features(engine, t))
    assert.equal(Number(customers), active.length, `week ending ${t}`)
    const mean = active.reduce((s, f) => s + model.score(inputs(f, model.inputs)), 0) / active.length
    assert.ok(Math.abs(Number(risk) - mean) < 1e-15, `${risk} vs ${mean}`)
    const proba = new Float64Array(active.flatMap((f) => { const p = ltr.score(inputs(f, ltr.inputs)); return [p.detractor, p.passive, p.promoter] }))
    const answers = active.map((f) => f[names.indexOf('last_nps')])
    // The customers in another order than the service's: the sums differ in the last bits.
    const near = (a, b) => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`)
    near(Number(predicted), predictedNps(proba, { trainedOn: ltr.trainingRows }).nps)
    near(Number(blended), predictedNps(proba, { trainedOn: ltr.trainingRows, answers }).nps)
  }
})
