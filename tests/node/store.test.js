'use strict'
// Store (the nps-store crate) from Node: what is written is there after reopening; a batch
// is all or nothing; a corrupted or foreign file throws (code STORE) and is left byte for
// byte; snapshots round-trip; the learner rebuilt from stored outcomes equals one that
// counted them live; writeAtomic leaves no temporary file. The same cases as
// tests/python/test_store.py.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const { Store, Learner, store } = require('../../nps-node')

const T0 = 1_700_000_000
const EVENTS = [
  { customer: 'C1', time: T0, kind: 'subscription_start', department: 'web' },
  { customer: 'C2', time: T0 + 5, kind: 'bill', value: 42.5 },
  { customer: 'C1', time: T0 + 10, kind: 'contact_opened', department: 'billing', case: 'K1' },
  { customer: 'C1', time: T0 + 70, kind: 'contact_resolved', duration: 600, case: 'K1', flag: true },
]
const OUTCOMES = ['presented', 'accepted', 'rejected', 'retained', 'churned'].map((kind) => ({
  customer: 'C1', segment: 'consumer', action: 'bonus_data', channel: 'sms', group: '', time: T0 + 100, kind,
}))
const dir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'nps-store-'))

test('a reopened store keeps everything', () => {
  const file = path.join(dir(), 'state.db')
  const s = new Store(file)
  s.commit({ events: EVENTS.slice(0, 2), fields: { C1: { plan: 'contract', bill: 40 } } })
  s.appendEvents(EVENTS.slice(2))
  const id = s.recordDecision({ customer: 'C1', action: 'bonus_data', propensity: 0.25, segment: 'consumer', control: false, time: T0 + 90 })
  s.recordDecision({ customer: 'C2', action: null, propensity: 1, segment: 'consumer', control: true, time: T0 + 91 })
  s.setReward(id, 1)
  for (const o of OUTCOMES) s.recordOutcome(o)

  const again = new Store(file)
  assert.equal(again.path, file)
  assert.deepEqual(again.counts(), { events: 4, decisions: 2, outcomes: 5, fields: 1, learners: 0 })
  assert.deepEqual(again.events(), EVENTS)
  assert.deepEqual(again.events('C1').map((e) => e.kind), ['subscription_start', 'contact_opened', 'contact_resolved'])
  assert.deepEqual(again.customers(), ['C1', 'C2'])
  const d = again.decisions()
  assert.equal(d[0].id, id)
  assert.equal(d[0].propensity, 0.25)
  assert.equal(d[0].reward, 1)
  assert.equal(d[1].action, null)
  assert.deepEqual(again.outcomes(), OUTCOMES)
  assert.deepEqual(again.fields(), { C1: { plan: 'contract', bill: 40 } })
})

test('a batch is all or nothing; bad records name the field', () => {
  const s = new Store(path.join(dir(), 's.db'))
  assert.throws(() => s.commit({ events: EVENTS, outcomes: [OUTCOMES[0], { ...OUTCOMES[0], kind: 'maybe' }] }),
    (e) => e.code === 'UNKNOWN_VALUE' && /outcomes\[1\]\.kind/.test(e.message) && /maybe/.test(e.message))
  assert.deepEqual(s.counts(), { events: 0, decisions: 0, outcomes: 0, fields: 0, learners: 0 })
  assert.throws(() => s.appendEvents([{ customer: 'C1', time: T0, kind: 'outage', colour: 'red' }]),
    (e) => e.code === 'INVALID_PARAMETER' && /colour/.test(e.message))
  assert.throws(() => s.commit('events'), (e) => e.code === 'INVALID_PARAMETER' && /batch/.test(e.message))
  assert.throws(() => s.commit({ fields: { C1: 3 } }), (e) => e.code === 'INVALID_PARAMETER' && /fields\.C1/.test(e.message))
  assert.throws(() => s.setReward(99, 1), (e) => e.code === 'STORE' && /99/.test(e.message))
  assert.equal(s.counts().events, 0)
})

test('corrupted and foreign files are refused and left alone', () => {
  const d = dir()
  const garbage = path.join(d, 'garbage.db')
  fs.writeFileSync(garbage, 'this is not a database at all, just text '.repeat(200))
  const before = fs.readFileSync(garbage)
  assert.throws(() => new Store(garbage), (e) => e.code === 'STORE' && e.message.includes(garbage) && /not an nps store, or corrupted/.test(e.message))
  assert.deepEqual(fs.readFileSync(garbage), before)

  const broken = path.join(d, 'broken.db')
  const s = new Store(broken)
  // Enough rows (more than SQLite's 1,000-page auto-checkpoint) that the main file holds them.
  s.appendEvents(Array.from({ length: 20000 }, () => EVENTS).flat())
  const copy = path.join(d, 'copy.json')
  s.saveSnapshot(copy)
  // Overwrite pages in the middle of the main file (the WAL may still hold the newest pages:
  // either way the store must refuse, not reset).
  const bytes = fs.readFileSync(broken)
  assert.ok(bytes.length > 100 * 4096, `main file ${bytes.length} bytes`)
  bytes.fill(0xff, 4096 * 20, 4096 * 40)
  fs.writeFileSync(broken, bytes)
  fs.rmSync(broken + '-wal', { force: true })
  const kept = fs.readFileSync(broken)
  assert.throws(() => new Store(broken), (e) => e.code === 'STORE' && /corrupted/.test(e.message))
  assert.deepEqual(fs.readFileSync(broken), kept)
  assert.equal(JSON.parse(fs.readFileSync(copy, 'utf8')).events.length, 80000)
})

test('snapshots round-trip and the learner is rebuilt from outcomes', () => {
  const d = dir()
  const s = new Store(path.join(d, 'a.db'))
  const live = new Learner()
  s.commit({ events: EVENTS, outcomes: OUTCOMES, fields: { C2: { plan: 'prepaid' } } }, live)
  for (const o of OUTCOMES) {
    if (o.kind !== 'presented') live.record(o.action, o.segment, o.kind === 'accepted' || o.kind === 'retained')
  }
  const rebuilt = s.rebuildLearner(new Learner())
  assert.equal(rebuilt.toJson(), live.toJson())
  assert.deepEqual(rebuilt.counts('bonus_data', 'consumer'), [2, 2])
  assert.equal(s.loadLearner().toJson(), new Learner().toJson())
  s.saveLearner(live, 'after')
  assert.equal(s.loadLearner('after').toJson(), live.toJson())
  assert.equal(s.loadLearner('nobody'), null)

  const snap = s.snapshot()
  const doc = JSON.parse(snap)
  assert.equal(doc.format, 'nps.store_snapshot')
  assert.equal(doc.version, 1)
  const other = new Store(path.join(d, 'b.db'))
  other.appendEvents(EVENTS.slice(0, 1))
  other.restore(snap)
  assert.deepEqual(other.counts(), s.counts())
  assert.equal(other.snapshot(), snap)
  assert.throws(() => other.restore(JSON.stringify({ ...doc, version: 7 })), (e) => typeof e.code === 'string' && /version/.test(e.message))
  assert.throws(() => other.restore('{not json'), (e) => typeof e.code === 'string')
  assert.equal(other.snapshot(), snap)
})

test('writeAtomic replaces a file whole and leaves no temporary file', () => {
  const d = dir()
  const file = path.join(d, 'model.json')
  fs.writeFileSync(file, 'old')
  store.writeAtomic(file, '{"new": true}')
  assert.equal(fs.readFileSync(file, 'utf8'), '{"new": true}')
  assert.deepEqual(fs.readdirSync(d), ['model.json'])
  assert.throws(() => store.writeAtomic(path.join(d, 'no', 'such', 'x.txt'), 'x'), (e) => typeof e.code === 'string')
})
