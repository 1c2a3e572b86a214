'use strict'
// HTML escaping, number formatting and the SVG charts of the console. Every value goes into
// a page through `html`, which escapes it unless it is markup this module made (`raw`).

class Raw {
  constructor(text) {
    this.text = text
  }
}

/** Markup made here, put in a page as it is. */
const raw = (text) => new Raw(text)

const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }
/** Text safe in an element and in a quoted attribute. */
const escape = (text) => String(text).replace(/[&<>"']/g, (c) => ESCAPES[c])

function render(value) {
  if (value instanceof Raw) return value.text
  if (Array.isArray(value)) return value.map(render).join('')
  if (value === null || value === undefined || value === false) return ''
  return escape(value)
}

/** A template whose every interpolated value is escaped (arrays joined, `raw` kept). */
function html(strings, ...values) {
  let out = strings[0]
  values.forEach((v, i) => {
    out += render(v) + strings[i + 1]
  })
  return raw(out)
}

/** A number for reading: `digits` decimals, a true minus sign, "–" for none. */
function num(x, digits = 1) {
  if (x === null || x === undefined || Number.isNaN(x)) return '–'
  if (typeof x !== 'number') return String(x)
  const text = Math.abs(x) >= 1000 ? x.toLocaleString('en-US', { maximumFractionDigits: digits }) : x.toFixed(digits)
  return text.replace(/^-/, '−')
}

/** A share (0–1) as a percentage. */
const pct = (x, digits = 0) => (Number.isNaN(x) ? '–' : `${num(100 * x, digits)} %`)

/** A time (epoch ms) as the agent reads it, in UTC. */
const when = (t) => new Date(t).toISOString().slice(0, 16).replace('T', ' ')
const day = (t) => new Date(t).toISOString().slice(0, 10)

/** A value as a factor shows it: a number, yes/no, a category, or missing. */
function shown(v) {
  if (v === null || v === undefined) return 'missing'
  if (typeof v === 'boolean') return v ? 'yes' : 'no'
  if (typeof v === 'number') return num(v, Math.abs(v) >= 100 || Number.isInteger(v) ? 0 : 2)
  return String(v)
}

/**
 * A horizontal bar of `value` on a scale of `max` (both ≥ 0), `width` pixels at most; the
 * text next to it says the number, so the bar is decoration for screen readers.
 */
function bar(value, max, cls, width = 160) {
  const w = max > 0 ? Math.max(1, Math.round((width * Math.min(value, max)) / max)) : 0
  return html`<svg class="bar ${cls}" width="${width}" height="12" viewBox="0 0 ${width} 12" aria-hidden="true" focusable="false"><rect x="0" y="1" width="${width}" height="10" class="track"/><rect x="0" y="1" width="${w}" height="10"/></svg>`
}

/**
 * A line chart: `points` [{x, y, label?}] (x any increasing number), y from `yMin` to `yMax`,
 * optional horizontal `rules` [{y, label}], interval whiskers (`low`, `high` on a point) and
 * marked points (`mark`: 'up', 'down', 'peak', ...). `title` and `desc` name it for
 * screen readers (role img); the page gives the same numbers in a table or list.
 */
function lineChart({ points, yMin, yMax, rules = [], title, desc, width = 640, height = 200, yLabel = '' }) {
  const pad = { left: 44, right: 12, top: 24, bottom: 28 }
  const xs = points.map((p) => p.x)
  const x0 = Math.min(...xs)
  const x1 = Math.max(...xs)
  const px = (x) => pad.left + (x1 === x0 ? (width - pad.left - pad.right) / 2 : ((x - x0) / (x1 - x0)) * (width - pad.left - pad.right))
  const py = (y) => pad.top + ((yMax - Math.max(yMin, Math.min(yMax, y))) / (yMax - yMin)) * (height - pad.top - pad.bottom)
  const path = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(' ')
  const ticks = [yMin, (yMin + yMax) / 2, yMax]
  const id = `c${Math.abs(hash(title + desc))}`
  return html`<svg class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="${id}-t ${id}-d">
<title id="${id}-t">${title}</title><desc id="${id}-d">${desc}</desc>
${ticks.map((t) => html`<line class="grid" x1="${pad.left}" x2="${width - pad.right}" y1="${py(t)}" y2="${py(t)}"/><text class="axis" x="${pad.left - 6}" y="${py(t) + 4}" text-anchor="end">${num(t, 0)}</text>`)}
${yLabel ? html`<text class="axis" x="4" y="${pad.top - 2}">${yLabel}</text>` : ''}
${rules.map((r) => html`<line class="rule" x1="${pad.left}" x2="${width - pad.right}" y1="${py(r.y)}" y2="${py(r.y)}"/><text class="axis" x="${width - pad.right}" y="${py(r.y) - 3}" text-anchor="end">${r.label}</text>`)}
${points.filter((p) => p.low !== undefined && !Number.isNaN(p.low)).map((p) => html`<line class="whisker" x1="${px(p.x)}" x2="${px(p.x)}" y1="${py(p.low)}" y2="${py(p.high)}"/>`)}
<path class="line" d="${path}"/>
${points.map((p) => html`<circle class="point ${p.mark ?? ''}" cx="${px(p.x)}" cy="${py(p.y)}" r="${p.mark ? 6 : 3.5}"/>${p.mark ? html`<text class="marktext" x="${px(p.x)}" y="${py(p.y) - 10}" text-anchor="middle">${MARKS[p.mark] ?? ''}</text>` : ''}`)}
${points.length > 0 ? html`<text class="axis" x="${pad.left}" y="${height - 8}">${points[0].label ?? ''}</text><text class="axis" x="${width - pad.right}" y="${height - 8}" text-anchor="end">${points.at(-1).label ?? ''}</text>` : ''}
</svg>`
}

const MARKS = { up: '▲', down: '▼', peak: 'peak', end: 'end' }

/** A small stable hash, for element ids that do not collide on one page. */
function hash(text) {
  let h = 0
  for (let i = 0; i < text.length; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0
  return h
}

module.exports = { html, raw, escape, num, pct, when, day, shown, bar, lineChart }
