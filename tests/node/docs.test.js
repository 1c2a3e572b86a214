// Runs every ```js block of the guides in docs/ (documentation examples are tests).
// console.assert only prints, so the blocks run with an assert that throws.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const Module = require('node:module')

const docs = path.join(__dirname, '..', '..', 'docs')
const requireFromNode = Module.createRequire(path.join(__dirname, '..', '..', 'nps-node', 'index.js'))

for (const page of fs.readdirSync(docs).filter((f) => f.endsWith('.md')).sort()) {
  const text = fs.readFileSync(path.join(docs, page), 'utf8')
  const blocks = [...text.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1])
  blocks.forEach((code, i) => {
    test(`${page}:${i + 1}`, () => {
      const strictConsole = { ...console, assert: (ok, ...msg) => assert.ok(ok, msg.join(' ') || 'console.assert failed') }
      const req = (name) => (name === 'nps-node' ? requireFromNode('./index.js') : requireFromNode(name))
      new Function('require', 'console', '__dirname', code)(req, strictConsole, docs)
    })
  })
}
