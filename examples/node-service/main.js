'use strict'
// Starts the ticket service: node examples/node-service/main.js [--model FILE] [--actions FILE]
// [--defaults FILE] [--port N] [--host ADDR] [--learn] [--token TOKEN] and the limits
// [--max-body BYTES] [--max-events N] [--request-timeout MS] [--headers-timeout MS]
// [--max-connections N] [--db FILE] [--ltr FILE]. These can also come from the environment (NPS_MODEL,
// NPS_ACTIONS, NPS_DEFAULTS, PORT, HOST, NPS_LEARN=1, NPS_TOKEN, NPS_DB, NPS_LTR); NPS_TOKEN is the better
// way to pass the token, since a command line is visible to every user of the machine.
const fs = require('node:fs')
const path = require('node:path')
const { createService } = require('./service')
const { listen } = require('./http')

/** Where `make demo` writes its model file (run from the repository root; NPS_DEMO_DIR moves it). */
const DEMO_MODEL = path.join(process.env.NPS_DEMO_DIR ?? path.join(__dirname, '..', '..', 'target', 'nps-demo'), 'churn_model.json')
/** The LTR model of the console's predicted NPS, also written by `make demo`. */
const DEMO_LTR = path.join(path.dirname(DEMO_MODEL), 'ltr_model.json')
/** The store when neither --db nor NPS_DB names one: every accepted request is kept there. */
const DEFAULT_DB = path.join(__dirname, '..', '..', 'target', 'nps-service.db')

function parseArgs(argv, env) {
  const o = { model: env.NPS_MODEL ?? DEMO_MODEL, actions: env.NPS_ACTIONS, defaults: env.NPS_DEFAULTS,
    port: Number(env.PORT ?? 8080), host: env.HOST ?? '127.0.0.1', learn: env.NPS_LEARN === '1', token: env.NPS_TOKEN || undefined,
    db: env.NPS_DB || DEFAULT_DB, ltr: env.NPS_LTR || DEMO_LTR }
  // The limits: whole numbers, checked by listen(), which names the option of a wrong one.
  const limits = { '--max-body': 'maxBody', '--max-events': 'maxEvents', '--request-timeout': 'requestTimeout',
    '--headers-timeout': 'headersTimeout', '--max-connections': 'maxConnections' }
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${flag} needs a value`)
      return argv[++i]
    }
    if (flag === '--model') o.model = value()
    else if (flag === '--actions') o.actions = value()
    else if (flag === '--defaults') o.defaults = value()
    else if (flag === '--port') o.port = Number(value())
    else if (flag === '--host') o.host = value()
    else if (flag === '--learn') o.learn = true
    else if (flag === '--token') o.token = value()
    else if (flag === '--db') o.db = value()
    else if (flag === '--ltr') o.ltr = value()
    else if (Object.hasOwn(limits, flag)) o[limits[flag]] = Number(value())
    else throw new Error(`unknown option ${flag}; options: --model, --actions, --defaults, --port, --host, --learn, --token, --db, --ltr, ${Object.keys(limits).join(', ')}`)
  }
  if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) throw new Error(`--port = ${o.port}: expected 0-65535`)
  return o
}

function read(file, what) {
  try {
    return fs.readFileSync(file, 'utf8')
  } catch (e) {
    throw new Error(`cannot read the ${what} ${file}: ${e.message}${what === 'model file' ? ' (run `make demo` to write one, or pass --model)' : ''}`)
  }
}

/**
 * The LTR model's text, or why there is none: a missing file is no error (the console's
 * predicted NPS panel says so); a file that is there but unreadable or not a model is.
 */
function ltrModel(file) {
  if (!fs.existsSync(file)) return { ltrSource: `no likelihood-to-recommend model: ${file} not found (run \`make demo\`, or pass --ltr FILE)` }
  return { ltr: read(file, 'LTR model file'), ltrSource: file }
}

async function main() {
  const o = parseArgs(process.argv.slice(2), process.env)
  fs.mkdirSync(path.dirname(path.resolve(o.db)), { recursive: true })
  const service = createService({
    model: read(o.model, 'model file'),
    catalogue: o.actions === undefined ? undefined : read(o.actions, 'action catalogue'),
    defaults: o.defaults === undefined ? undefined : JSON.parse(read(o.defaults, 'defaults file')),
    learning: o.learn,
    store: o.db,
    ...ltrModel(o.ltr),
  })
  const { port, host, token, maxBody, maxEvents, requestTimeout, headersTimeout, maxConnections } = o
  const server = await listen(service, { port, host, token, maxBody, maxEvents, requestTimeout, headersTimeout, maxConnections })
  // Never the token itself, nor anything a client sent: only whether a token is required.
  console.log(`nps ticket service on http://${o.host}:${server.port} (model ${o.model}, ${o.actions ?? 'the shipped playbook'}, store ${o.db}` +
    `${o.token === undefined ? '' : ', bearer token required'})`)
  const stop = (signal) => {
    console.log(`${signal}: closing`)
    server.shutdown().then(() => process.exit(0))
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  // Over a file-size limit (`ulimit -f`) the system sends SIGXFSZ, which would kill the
  // process; handled, the write fails instead and the request gets a 503 STORE.
  process.on('SIGXFSZ', () => {})
}

if (require.main === module) {
  main().catch((e) => {
    console.error(`nps ticket service: ${e.message}`)
    process.exit(1)
  })
}

module.exports = { parseArgs, DEMO_MODEL, DEMO_LTR }
