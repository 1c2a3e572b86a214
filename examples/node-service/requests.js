'use strict'
// Reading request bodies: every field checked, every error a 4xx naming the field and value.
// The service only ever sees plain objects this module has vetted.

/** A client error: the HTTP status, a stable `code` and a message naming the field and value. */
class RequestError extends Error {
  constructor(status, code, message) {
    super(message)
    this.status = status
    this.code = code
  }
}

const bad = (code, message) => new RequestError(400, code, message)

/** A value as it appears in a message: JSON, shortened. */
function show(value) {
  let text
  try {
    text = JSON.stringify(value)
  } catch {
    text = String(value)
  }
  if (text === undefined) text = String(value)
  return text.length > 60 ? `${text.slice(0, 57)}...` : text
}

const isObject = (x) => x !== null && typeof x === 'object' && !Array.isArray(x)

/** Parses a JSON body that must be an object. */
function parseBody(text) {
  if (text.length === 0) throw bad('BAD_JSON', 'empty body: expected a JSON object')
  let body
  try {
    body = JSON.parse(text)
  } catch (e) {
    throw bad('BAD_JSON', `malformed JSON: ${e.message}`)
  }
  if (!isObject(body)) throw bad('WRONG_TYPE', `body = ${show(body)}: expected a JSON object`)
  return body
}

/** Rejects keys outside `allowed`, naming the first one. */
function onlyKeys(obj, allowed, where) {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      throw bad('UNKNOWN_FIELD', `unknown field ${where}${key} = ${show(obj[key])}; expected one of ${allowed.join(', ')}`)
    }
  }
}

function wrongType(name, value, expected) {
  return bad('WRONG_TYPE', `${name} = ${show(value)}: expected ${expected}`)
}

function required(obj, key, where) {
  if (obj[key] === undefined || obj[key] === null) throw bad('MISSING_FIELD', `missing field ${where}${key}`)
  return obj[key]
}

function customerId(obj, where) {
  const id = required(obj, 'customer', where)
  if (typeof id !== 'string' || id.length === 0) throw wrongType(`${where}customer`, id, 'a non-empty string')
  return id
}

/** The range of a JavaScript `Date`, in epoch milliseconds (±100,000,000 days). */
const MAX_TIME = 8.64e15

/** Epoch milliseconds from a number (epoch ms) or an ISO 8601 string. */
function time(obj, where) {
  const t = required(obj, 'time', where)
  if (typeof t === 'number' && Math.abs(t) <= MAX_TIME) return t
  if (typeof t === 'string' && /^[+-]?\d{4,6}-\d{2}-\d{2}/.test(t)) {
    const ms = Date.parse(t)
    if (Number.isFinite(ms)) return ms
  }
  throw wrongType(`${where}time`, t, `epoch milliseconds (within ±${MAX_TIME}) or an ISO 8601 date`)
}

function optional(obj, key, where, check, expected) {
  const v = obj[key]
  if (v === undefined || v === null) return undefined
  if (!check(v)) throw wrongType(`${where}${key}`, v, expected)
  return v
}

const EVENT_KEYS = ['customer', 'time', 'kind', 'value', 'duration', 'department', 'case', 'flag']

/** One event: {customer, time, kind, value?, duration?, department?, case?, flag?}. */
function readEvent(obj, kinds, where, extraKeys = []) {
  if (!isObject(obj)) throw wrongType(where.replace(/\.$/, '') || 'body', obj, 'an event object')
  onlyKeys(obj, [...EVENT_KEYS, ...extraKeys], where)
  const customer = customerId(obj, where)
  const t = time(obj, where)
  const kind = required(obj, 'kind', where)
  if (typeof kind !== 'string') throw wrongType(`${where}kind`, kind, 'a string')
  if (!kinds.includes(kind)) {
    throw bad('UNKNOWN_VALUE', `${where}kind = ${show(kind)}: unknown event kind; expected one of ${kinds.join(', ')}`)
  }
  const finite = (x) => typeof x === 'number' && Number.isFinite(x)
  const event = { time: t, kind }
  const value = optional(obj, 'value', where, finite, 'a finite number')
  if (kind === 'survey_answer') {
    // The answer itself: the scorer refuses any other before it reaches the history.
    if (value === undefined) throw bad('MISSING_FIELD', `missing field ${where}value (the answer of a survey_answer)`)
    if (!Number.isInteger(value) || value < 0 || value > 10) {
      throw bad('OUT_OF_RANGE', `${where}value = ${show(value)}: a survey answer is a whole number from 0 to 10`)
    }
  }
  if (value !== undefined) event.value = value
  const duration = optional(obj, 'duration', where, (x) => finite(x) && x >= 0, 'a non-negative number of seconds')
  if (duration !== undefined) event.duration = duration
  const department = optional(obj, 'department', where, (x) => typeof x === 'string', 'a string')
  if (department !== undefined) event.department = department
  const kase = optional(obj, 'case', where, (x) => typeof x === 'string' || finite(x), 'a string or a number')
  if (kase !== undefined) event.case = kase
  const flag = optional(obj, 'flag', where, (x) => typeof x === 'boolean', 'true or false')
  if (flag !== undefined) event.flag = flag
  return { customer, event }
}

/** Customer fields for the action rules: names and types from the catalogue; null clears one. */
function readFields(obj, types, where) {
  if (!isObject(obj)) throw wrongType(where, obj, 'an object of customer fields')
  const out = {}
  for (const [name, v] of Object.entries(obj)) {
    const type = Object.hasOwn(types, name) ? types[name] : undefined
    if (type === undefined) {
      throw bad('UNKNOWN_FIELD', `unknown customer field ${where}.${name} = ${show(v)}; expected one of ${Object.keys(types).join(', ')}`)
    }
    const ok = v === null || (type === 'number' ? typeof v === 'number' && Number.isFinite(v) : typeof v === (type === 'bool' ? 'boolean' : 'string'))
    if (!ok) throw wrongType(`${where}.${name}`, v, type === 'number' ? 'a finite number' : type === 'bool' ? 'true or false' : 'a string')
    out[name] = v
  }
  return out
}

/** POST /tickets: an event plus optional customer fields. */
function readTicket(body, kinds, fieldTypes) {
  const { customer, event } = readEvent(body, kinds, '', ['fields'])
  const fields = body.fields === undefined ? {} : readFields(body.fields, fieldTypes, 'fields')
  return { customer, event, fields }
}

/** POST /events: {events: [event, ...]}. */
function readEvents(body, kinds, maxEvents) {
  onlyKeys(body, ['events'], '')
  const list = required(body, 'events', '')
  if (!Array.isArray(list)) throw wrongType('events', list, 'an array of events')
  // Counted before any event is read: a request over the limit costs nothing more.
  if (list.length > maxEvents) {
    throw new RequestError(413, 'TOO_MANY_EVENTS', `events has ${list.length} entries; at most ${maxEvents} per request (send them in several requests)`)
  }
  return list.map((e, i) => readEvent(e, kinds, `events[${i}].`))
}

const OUTCOME_KINDS = ['presented', 'accepted', 'rejected', 'ignored', 'retained', 'churned']

/** POST /outcomes: {customer, time, action, kind}. */
function readOutcome(body, actions) {
  onlyKeys(body, ['customer', 'time', 'action', 'kind'], '')
  const customer = customerId(body, '')
  const t = time(body, '')
  const action = required(body, 'action', '')
  if (typeof action !== 'string') throw wrongType('action', action, 'a string')
  if (!actions.includes(action)) throw bad('UNKNOWN_VALUE', `action = ${show(action)}: not an action of the catalogue; expected one of ${actions.join(', ')}`)
  const kind = required(body, 'kind', '')
  if (!OUTCOME_KINDS.includes(kind)) throw bad('UNKNOWN_VALUE', `kind = ${show(kind)}: unknown outcome kind; expected one of ${OUTCOME_KINDS.join(', ')}`)
  return { customer, time: t, action, kind }
}

module.exports = { RequestError, parseBody, readTicket, readEvents, readOutcome, show, OUTCOME_KINDS }
