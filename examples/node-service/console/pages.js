'use strict'
// The console's two pages, server-rendered from the numbers data.js gathered: formatting
// only. Every value from a request or the state goes through `html`, which escapes it.
const { html, raw, num, pct, when, day, shown, bar, lineChart } = require('./html')

/** A page: one stylesheet, one script, no other origin (the service sends a CSP to keep it so). */
function layout(title, body) {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · nps console</title>
<link rel="stylesheet" href="/console/console.css">
<script src="/console/console.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top"><nav aria-label="Console"><a href="/console">Overview</a></nav><span class="brand">nps console</span></header>
<main id="main">
${body}
</main>
</body>
</html>
`.text
}

const customerHref = (id) => `/console/customers/${encodeURIComponent(id)}`

/** A condition of the catalogue in words (as the trace writes a failed one). */
function words(c) {
  if (c === undefined || c === null) return ''
  const list = (v) => (Array.isArray(v) ? `in [${v.join(', ')}]` : String(v))
  if (c.all) return c.all.map(words).join(' and ')
  if (c.any) return `(${c.any.map(words).join(' or ')})`
  if (c.not) return `not ${words(c.not)}`
  if (c.field !== undefined && c.missing !== undefined) return `${c.field} ${c.missing ? 'missing' : 'given'}`
  if (c.field !== undefined) return `${c.field} ${c.op} ${Array.isArray(c.value) ? `[${c.value.join(', ')}]` : c.value}`
  if (c.score !== undefined) return `score ${c.score} ${c.value}`
  if (c.band !== undefined) return `band ${list(c.band)}`
  if (c.segment !== undefined) return `segment ${list(c.segment)}`
  if (c.factor !== undefined && c.in_top !== undefined) return `${c.factor} in the top ${c.in_top} factors`
  if (c.factor !== undefined) return `${c.factor} raises the risk by more than ${c.raises_more_than}`
  return JSON.stringify(c)
}

/** What each status of the trace means to an agent. */
const FATE = {
  kept: 'offered', not_eligible: 'not eligible', not_applicable: 'does not apply', not_suitable: 'does not suit',
  suppressed: 'held back by a contact policy', below_top_n: 'ranked below the ones offered', control_group: 'control group: no action',
}

/** Why an action was chosen: the catalogue's conditions it met, and its priority. */
function reason(spec, a) {
  const held = [['eligibility', 'eligible'], ['applicability', 'applies'], ['suitability', 'suits']]
    .filter(([k]) => spec[k] !== undefined).map(([k, what]) => `${what}: ${words(spec[k])}`)
  return `${held.length > 0 ? held.join('; ') : 'no condition'}. Priority ${num(a.priority, 1)} (P × C × V × L; value ${num(a.value, 1)}).`
}

function factorList(view, list, kind, describe) {
  if (list.length === 0) return html`<p>None.</p>`
  const max = Math.max(...list.map((g) => Math.abs(g.contribution)))
  return html`<ul class="factors">${list.map((g) => {
    const numeric = typeof g.value === 'number' && typeof g.typical === 'number'
    const scale = numeric ? Math.max(Math.abs(g.value), Math.abs(g.typical)) : 0
    return html`<li>
<div class="fname">${describe(g.name)} <code>${g.name}</code></div>
<div class="frow"><span class="flabel">Effect</span>${bar(Math.abs(g.contribution), max, kind)}<span class="fnum" data-contribution="${g.contribution}">${kind === 'raising' ? '+' : '−'}${num(Math.abs(g.contribution), 2)} log-odds</span></div>
<div class="frow"><span class="flabel">Customer</span>${numeric ? bar(Math.abs(g.value), scale, 'value') : ''}<span class="fnum">${shown(g.value)}</span></div>
<div class="frow"><span class="flabel">Typical</span>${numeric ? bar(Math.abs(g.typical), scale, 'typical') : ''}<span class="fnum">${shown(g.typical)}</span></div>
</li>`
  })}</ul>`
}

function customerPage(c, ctx) {
  const { describe, spec, bands } = ctx
  const specs = new Map(spec.actions.map((a) => [a.id, a]))
  const rules = (bands ?? []).filter((b) => b.below !== undefined).map((b) => ({ y: b.below, label: `${b.name} below ${b.below}` }))
  const points = c.scores.map((p, i) => ({ x: i, y: p.score, label: day(p.time) }))
  const events = [...c.recent].reverse()
  const marker = (e) => [e === c.peak ? 'peak' : '', e === c.end ? 'end' : ''].filter(Boolean)
  const offered = new Set(c.actions.map((a) => a.id))
  const body = html`
<h1>Customer <span data-customer>${c.id}</span></h1>
<section aria-labelledby="risk-h" class="card risk">
<h2 id="risk-h">Churn risk</h2>
<p class="big"><span id="risk" data-value="${c.score}">${num(c.score, 1)}</span><span class="of"> / 100</span>
<span class="band band-${c.band}" id="band">${c.band} risk</span></p>
<p class="note">${c.source === 'ticket' ? `As answered to the ticket of ${when(c.time)} UTC` : `Scored from the events up to ${when(c.time)} UTC (no ticket since)`};
segment ${c.segment || '–'}. Probability of churn <span data-value="${c.probability}">${pct(c.probability, 1)}</span>.</p>
</section>
<section aria-labelledby="trend-h" class="card">
<h2 id="trend-h">Score over the recent events</h2>
${points.length > 1
    ? lineChart({ points, yMin: 0, yMax: 100, rules, title: `Churn score of customer ${c.id}`,
      desc: `Score after each of the last ${points.length} event times, from ${num(points[0].y)} to ${num(points.at(-1).y)}.` })
    : html`<p>One event time so far: score ${num(c.score)}.</p>`}
</section>
<div class="two">
<section aria-labelledby="up-h" class="card"><h2 id="up-h">What raises the risk</h2>${factorList(c, c.raising, 'raising', describe)}</section>
<section aria-labelledby="down-h" class="card"><h2 id="down-h">What lowers the risk</h2>${factorList(c, c.lowering, 'lowering', describe)}</section>
</div>
<section aria-labelledby="act-h" class="card">
<h2 id="act-h">Next best actions</h2>
${c.learning && c.source === 'ticket' ? html`<p class="note">Ranked with the learned success rates (Thompson sampling).</p>` : ''}
${c.actions.length === 0 ? html`<p>No action for this customer now: the reasons are below.</p>` : ''}
<ol class="actions" id="actions">
${c.actions.map((a) => {
    const r = c.rates[a.id]
    return html`<li data-action="${a.id}">
<h3>${a.rank}. ${a.label} <span class="channel">${a.channel}</span></h3>
<p>${reason(specs.get(a.id) ?? {}, a)}</p>
<p>Learned success rate in segment ${c.segment || '–'}: <strong class="rate" data-rate-for="${a.id}" data-value="${r.mean}">${pct(r.mean, 1)}</strong>
<span class="counts" data-counts-for="${a.id}">(${r.n === 0 ? 'no outcome yet: the prior' : `${r.successes} of ${r.n} outcomes succeeded`})</span></p>
<div class="buttons" role="group" aria-label="Record the outcome of ${a.label}">
<button type="button" class="outcome" data-customer="${c.id}" data-action="${a.id}" data-kind="accepted">Accepted</button>
<button type="button" class="outcome" data-customer="${c.id}" data-action="${a.id}" data-kind="rejected">Declined</button>
</div>
</li>`
  })}
</ol>
<p role="status" aria-live="polite" id="outcome-status" class="status"></p>
<details><summary>Why not the other actions</summary>
<table><caption>Every action of the catalogue and its fate</caption>
<thead><tr><th scope="col">Action</th><th scope="col">Fate</th><th scope="col">Because</th></tr></thead>
<tbody>${c.trace.filter((t) => !offered.has(t.id)).map((t) => html`<tr><th scope="row">${specs.get(t.id)?.label ?? t.id}</th><td>${FATE[t.status] ?? t.status}</td><td>${t.condition ? `${t.condition} (${t.seen})` : t.detail}</td></tr>`)}</tbody>
</table></details>
</section>
<section aria-labelledby="tl-h" class="card">
<h2 id="tl-h">Recent events</h2>
<p class="note">The peak (worst contact score or survey answer of the last 90 days: ${shown(Number.isNaN(c.worst) ? null : c.worst)}) and the end (the latest one: ${shown(Number.isNaN(c.last) ? null : c.last)}) are what a customer remembers.</p>
${timeline(c)}
<ol class="timeline" reversed>
${events.map((e) => html`<li class="${marker(e).join(' ')}"><time datetime="${new Date(e.time).toISOString()}">${when(e.time)}</time> <span class="kind">${e.kind.replaceAll('_', ' ')}</span>
${e.value !== undefined ? html` <span class="detail">value ${shown(e.value)}</span>` : ''}${e.department ? html` <span class="detail">${e.department}</span>` : ''}${e.duration !== undefined ? html` <span class="detail">${num(e.duration, 0)} s</span>` : ''}
${marker(e).map((m) => html` <strong class="marker ${m}">${m}</strong>`)}</li>`)}
</ol>
</section>`
  return layout(`Customer ${c.id}`, body)
}

/** The recent events on a time axis, the peak and the end marked. */
function timeline(c) {
  const events = c.recent
  if (events.length === 0) return ''
  const width = 640
  const t0 = events[0].time
  const t1 = events.at(-1).time
  const px = (t) => 16 + (t1 === t0 ? (width - 32) / 2 : ((t - t0) / (t1 - t0)) * (width - 32))
  return html`<svg class="chart timeline-chart" viewBox="0 0 ${width} 70" role="img" aria-labelledby="tl-t" >
<title id="tl-t">${events.length} recent events from ${day(t0)} to ${day(t1)}${c.peak ? `; peak on ${day(c.peak.time)}` : ''}${c.end ? `; end on ${day(c.end.time)}` : ''}</title>
<line class="grid" x1="16" x2="${width - 16}" y1="40" y2="40"/>
${events.map((e) => html`<circle class="ev ${e.kind}" cx="${px(e.time)}" cy="40" r="4"/>`)}
${c.peak ? html`<circle class="point peak" cx="${px(c.peak.time)}" cy="40" r="8"/><text class="marktext" x="${px(c.peak.time)}" y="22" text-anchor="middle">peak</text>` : ''}
${c.end ? html`<circle class="point end" cx="${px(c.end.time)}" cy="40" r="8"/><text class="marktext" x="${px(c.end.time)}" y="${c.peak && Math.abs(px(c.peak.time) - px(c.end.time)) < 40 ? 10 : 22}" text-anchor="middle">end</text>` : ''}
<text class="axis" x="16" y="66">${day(t0)}</text><text class="axis" x="${width - 16}" y="66" text-anchor="end">${day(t1)}</text>
</svg>`
}

function interval(i) {
  return html`<span class="ci">95 % interval <span data-low="${i.low}">${num(i.low)}</span> to <span data-high="${i.high}">${num(i.high)}</span></span>`
}

/** A link that sorts the riskiest list by `key` (the other order when it is sorted so already). */
function sortLink(list, key, label) {
  const order = list.sort === key ? (list.order === 'asc' ? 'desc' : 'asc') : key === 'score' ? 'desc' : 'asc'
  const state = list.sort === key ? (list.order === 'asc' ? 'ascending' : 'descending') : 'none'
  return html`<th scope="col" aria-sort="${state}"><a href="/console?sort=${key}&amp;order=${order}#riskiest">${label}${list.sort === key ? (list.order === 'asc' ? ' ▲' : ' ▼') : ''}</a></th>`
}

function managerPage(m, ctx) {
  const { describe } = ctx
  const labels = new Map(ctx.spec.actions.map((a) => [a.id, a.label]))
  const list = m.list
  const pageHref = (p) => `/console?sort=${list.sort}&order=${list.order}&page=${p}#riskiest`
  const weeks = m.weeks.map((w, i) => ({ x: i, y: w.nps, low: w.low, high: w.high, label: w.period, mark: w.direction > 0 ? 'up' : w.direction < 0 ? 'down' : undefined }))
  const body = html`
<h1>Customer experience overview</h1>
<p class="note">${m.customers} customers with events.</p>
<div class="three">
<section aria-labelledby="nps-h" class="card">
<h2 id="nps-h">NPS of the respondents</h2>
${m.respondents === null ? html`<p>No survey answers yet.</p>` : html`
<p class="big"><span id="nps" data-value="${m.respondents.nps}">${num(m.respondents.nps)}</span></p>
<p>${interval(m.respondents.interval)}; <span id="respondents" data-value="${m.respondents.n}">${m.respondents.n}</span> respondents (latest answer each):
${m.respondents.promoters} promoters, ${m.respondents.passives} passives, ${m.respondents.detractors} detractors.</p>`}
</section>
<section aria-labelledby="pred-h" class="card">
<h2 id="pred-h">Predicted NPS, all customers</h2>
${m.predicted === null ? html`<p id="ltr-missing">${m.ltrWhy}</p>` : html`
<p class="big"><span id="predicted" data-value="${m.predicted.all.nps}">${num(m.predicted.all.nps)}</span></p>
<p>${interval(m.predicted.all)}; ${m.predicted.all.n} customers, from the likelihood-to-recommend model.</p>`}
</section>
<section aria-labelledby="blend-h" class="card">
<h2 id="blend-h">Blended NPS</h2>
${m.predicted === null ? html`<p>Needs the likelihood-to-recommend model.</p>` : html`
<p class="big"><span id="blended" data-value="${m.predicted.blended.nps}">${num(m.predicted.blended.nps)}</span></p>
<p>${interval(m.predicted.blended)}; answers where given, predictions for the silent majority.</p>`}
</section>
</div>
<section aria-labelledby="week-h" class="card">
<h2 id="week-h">NPS week by week</h2>
${weeks.length > 1 ? lineChart({ points: weeks, yMin: -100, yMax: 100, title: 'NPS of the survey answers by ISO week',
    desc: `${weeks.length} weeks; ▲ and ▼ mark a significant change from the week before.` }) : ''}
${m.weeks.length === 0 ? html`<p>No survey answers yet.</p>` : html`
<table id="weeks"><caption>Survey answers by week; a change is flagged when the adjusted Wald test against the week before is significant (5 %)</caption>
<thead><tr><th scope="col">Week</th><th scope="col">Answers</th><th scope="col">NPS</th><th scope="col">95 % interval</th><th scope="col">Change (adjusted)</th><th scope="col">p-value</th><th scope="col">Flag</th></tr></thead>
<tbody>${m.weeks.map((w) => html`<tr><th scope="row">${w.period}</th><td>${w.n}</td><td data-value="${w.nps}">${num(w.nps)}</td><td>${num(w.low)} to ${num(w.high)}</td><td>${num(w.diff)}</td><td>${num(w.pValue, 3)}</td>
<td>${w.direction > 0 ? html`<strong class="up">▲ significantly up</strong>` : w.direction < 0 ? html`<strong class="down">▼ significantly down</strong>` : ''}</td></tr>`)}</tbody>
</table>`}
</section>
<section aria-labelledby="base-h" class="card">
<h2 id="base-h">The whole base week by week</h2>
${m.base.length === 0 ? html`<p>No customers yet.</p>` : html`
${m.base.length > 1 ? lineChart({ points: m.base.map((w, i) => ({ x: i, y: 100 * w.meanRisk, label: day(w.end) })), yMin: 0, yMax: 100,
    title: 'Mean churn risk of the base at the end of each week', desc: `${m.base.length} weeks, risk 0 to 100` }) : ''}
${m.base.length > 1 && m.base.every((w) => w.predicted !== null) ? lineChart({ points: m.base.map((w, i) => ({ x: i, y: w.predicted.all.nps, low: w.predicted.all.low, high: w.predicted.all.high, label: day(w.end) })),
    yMin: -100, yMax: 100, title: 'Predicted NPS of the base at the end of each week', desc: `${m.base.length} weeks, with 95 % intervals` }) : ''}
<table id="base-weeks"><caption>At the end of each week (Monday 00:00 UTC), the customers who had started: their churn risk as the model scores them on the events up to then, and the NPS the likelihood-to-recommend model predicts for all of them and blends with the answers given by then${m.predicted === null ? ` (${m.ltrWhy})` : ''}</caption>
<thead><tr><th scope="col">Week ending</th><th scope="col">Customers</th><th scope="col">Mean risk</th>${(ctx.spec.bands ?? []).map((b) => html`<th scope="col">${b.name} risk</th>`)}<th scope="col">Predicted NPS</th><th scope="col">Blended NPS</th></tr></thead>
<tbody>${m.base.map((w) => html`<tr data-end="${w.end}"><th scope="row">${day(w.end)}</th><td>${w.customers}</td><td data-value="${w.meanRisk}">${num(100 * w.meanRisk)}</td>${(ctx.spec.bands ?? []).map((b) => html`<td>${pct(w.share[b.name], 0)}</td>`)}
<td${w.predicted ? html` data-value="${w.predicted.all.nps}"` : ''}>${w.predicted ? html`${num(w.predicted.all.nps)} (${num(w.predicted.all.low)} to ${num(w.predicted.all.high)})` : '–'}</td>
<td${w.predicted ? html` data-value="${w.predicted.blended.nps}"` : ''}>${w.predicted ? html`${num(w.predicted.blended.nps)} (${num(w.predicted.blended.low)} to ${num(w.predicted.blended.high)})` : '–'}</td></tr>`)}</tbody>
</table>
<p class="note">Significance flags are given for the survey answers above; the weekly predictions share their customers and their model, so consecutive weeks are not independent samples and their difference is not tested.</p>`}
</section>
<section aria-labelledby="riskiest" class="card">
<h2 id="riskiest">Riskiest customers</h2>
<table id="risk-table"><caption>Page ${list.page} of ${list.pages}, ${list.total} customers; sort by a column's heading</caption>
<thead><tr>${sortLink(list, 'customer', 'Customer')}${sortLink(list, 'score', 'Risk')}<th scope="col">Band</th>${sortLink(list, 'factor', 'Top factor')}<th scope="col">First action</th></tr></thead>
<tbody>${list.rows.map((r) => html`<tr><th scope="row"><a href="${customerHref(r.id)}">${r.id}</a></th><td class="n" data-value="${r.score}">${num(r.score)}</td><td><span class="band band-${r.band}">${r.band}</span></td>
<td>${r.raising[0] ? describe(r.raising[0].name) : '–'}</td><td>${r.actions[0]?.label ?? 'none'}</td></tr>`)}</tbody>
</table>
<nav aria-label="Pages of the riskiest customers" class="pages">
${list.page > 1 ? html`<a href="${pageHref(list.page - 1)}" rel="prev">Previous</a>` : ''}
<span>Page ${list.page} of ${list.pages}</span>
${list.page < list.pages ? html`<a href="${pageHref(list.page + 1)}" rel="next">Next</a>` : ''}
</nav>
</section>
<section aria-labelledby="seg-h" class="card">
<h2 id="seg-h">Campaign segments</h2>
<table><caption>Customers by risk band and top factor, with the action the rules pick first most often</caption>
<thead><tr><th scope="col">Band</th><th scope="col">Top factor</th><th scope="col">Customers</th><th scope="col">Mean risk</th><th scope="col">Action</th><th scope="col">Share</th></tr></thead>
<tbody>${m.segments.map((g) => html`<tr><th scope="row"><span class="band band-${g.band}">${g.band}</span></th><td>${g.topFactor === 'none' ? 'none' : describe(g.topFactor)}</td><td>${g.customers}</td><td>${num(g.meanScore)}</td><td>${labels.get(g.action) ?? g.action}</td><td>${pct(g.actionShare)}</td></tr>`)}</tbody>
</table>
</section>
<section aria-labelledby="learn-h" class="card">
<h2 id="learn-h">What works: learned success rates</h2>
${m.rates.length === 0 ? html`<p>No outcomes recorded yet.</p>` : html`
<table id="rates"><caption>Per action and segment: the learner's estimate, the outcomes counted and the 95 % credible interval of the success rate (the learner's Beta posterior)${m.learning ? '' : ' (the service ranks without them unless started with --learn)'}</caption>
<thead><tr><th scope="col">Action</th><th scope="col">Segment</th><th scope="col">Learned rate</th><th scope="col">Successes</th><th scope="col">Outcomes</th><th scope="col">95 % interval</th></tr></thead>
<tbody>${m.rates.map((r) => html`<tr data-action="${r.action}" data-segment="${r.segment}"><th scope="row">${labels.get(r.action) ?? r.action}</th><td>${r.segment}</td><td data-value="${r.mean}">${pct(r.mean, 1)}</td><td>${r.successes}</td><td>${r.n}</td><td data-low="${r.low}" data-high="${r.high}">${pct(r.low, 1)} to ${pct(r.high, 1)}</td></tr>`)}</tbody>
</table>`}
</section>`
  return layout('Overview', body)
}

function notFoundPage(what) {
  return layout('Not found', html`<h1>Not found</h1><p>${what}</p><p><a href="/console">Back to the overview</a></p>`)
}

module.exports = { customerPage, managerPage, notFoundPage, words, raw }
