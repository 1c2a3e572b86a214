// The generated TypeScript declarations (nps-node/index.d.ts) type-check, and a typed use of
// the API compiles against them: a TypeScript service gets real types, not `any`.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { execFileSync } = require('node:child_process')

const pkg = path.join(__dirname, '..', '..', 'nps-node')
const tsc = path.join(pkg, 'node_modules', 'typescript', 'bin', 'tsc')

function check(files) {
  try {
    execFileSync(process.execPath, [tsc, '--noEmit', '--strict', ...files], {
      cwd: pkg,
      encoding: 'utf8',
    })
    return ''
  } catch (e) {
    return `${e.stdout}${e.stderr}`
  }
}

test('index.d.ts type-checks', () => {
  assert.equal(check(['index.d.ts']), '')
})

test('a typed ticket service compiles; a wrong type does not', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nps-types-'))
  const good = path.join(dir, 'good.ts')
  fs.writeFileSync(good, `
import { ActionCatalog, ChurnModel, TicketScorer, Tally, features, HistoryEvent, TicketResult } from ${JSON.stringify(pkg)}
declare const modelText: string
const engine: features.FeatureEngine = new features.FeatureEngine(null)
const history = new features.CustomerHistory()
const event: HistoryEvent = { time: Date.now(), kind: 'contact_opened', department: 'billing' }
history.push(event)
const scorer = new TicketScorer(engine, ChurnModel.fromJson(modelText), ActionCatalog.playbook(), null)
const r: TicketResult = scorer.ticket(history, event, { now: Date.now() + 1000 })
const p: number = r.probability
const nps: number = Tally.fromScores(new Uint8Array([9, 10, 3])).nps
export { p, nps }
`)
  assert.equal(check([good]), '')
  const bad = path.join(dir, 'bad.ts')
  fs.writeFileSync(bad, `
import { features } from ${JSON.stringify(pkg)}
const history = new features.CustomerHistory()
history.push({ time: 'yesterday', kind: 'contact_opened' })
`)
  assert.match(check([bad]), /bad\.ts\(4,\d+\): error TS2322: Type 'string' is not assignable to type 'number \| Date'/)
  fs.rmSync(dir, { recursive: true, force: true })
})
