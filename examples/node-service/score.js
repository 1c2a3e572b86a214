'use strict'
// The scoring step of a ticket, in one place: features -> churn probability -> factors ->
// the customer record the rules read -> ranked actions. It is the only code that calls the
// model and the catalogue, so a one-call scorer in the binding can replace it.

/**
 * The largest `k` of the catalogue's `{"factor": f, "in_top": k}` conditions (0 without
 * any), or Infinity when a `raises_more_than` condition needs every factor's contribution.
 */
function factorsNeeded(condition) {
  if (Array.isArray(condition)) return condition.reduce((m, c) => Math.max(m, factorsNeeded(c)), 0)
  if (condition === null || typeof condition !== 'object') return 0
  if ('raises_more_than' in condition) return Infinity
  let m = typeof condition.in_top === 'number' ? condition.in_top : 0
  for (const v of Object.values(condition)) m = Math.max(m, factorsNeeded(v))
  return m
}

/**
 * Builds the scoring function for a model, a catalogue and the feature engine.
 *
 * - The model's inputs are read from the engine's features by name (an input the engine
 *   does not compute is an error at start).
 * - The largest contributions go to the rules as factors, as many as the catalogue's
 *   conditions need to decide as with all of them (`spec`, the catalogue's JSON; all of
 *   them without it); the answer shows the `top` raising and lowering ones.
 * - The customer record of the rules takes each catalogue field from, in order: the
 *   fields the tickets gave, the feature of the same name (when defined), the defaults.
 */
function makeScorer({ model, catalog, spec, engine, defaults, top = 3, maxActions = 3 }) {
  const names = engine.names
  const inputs = model.inputs
  const slots = inputs.map((name) => {
    const j = names.indexOf(name)
    if (j < 0) throw new Error(`the model's input "${name}" is not a feature of the engine (${names.join(', ')})`)
    return j
  })
  const fieldNames = catalog.fields
  const fieldSlots = fieldNames.map((name) => names.indexOf(name))
  const values = new Float64Array(inputs.length)
  // Attributing a few factors is much cheaper than all of them (each comes with its value
  // and typical value as text). The rules rank a factor among all of them (ties by name),
  // so `in_top: k` conditions need the k + 1 largest, and more when a tie may straddle the
  // cut; without the catalogue, or with `raises_more_than`, every factor.
  const ranked = spec ? factorsNeeded(spec.actions) : Infinity
  const few = Math.min(inputs.length, Math.max(top, ranked + 1))

  /**
   * Scores one customer from their current features (`engine.names` order).
   * `state`: {fields, outcomes}; `options`: {now (ms), learner?, segment?, seed?}.
   */
  return function score(features, state, options) {
    for (let k = 0; k < slots.length; k++) values[k] = features[slots[k]]
    let all = model.explainValues(values, { top: few })
    const r = all.raising
    // Exact when at least `ranked` factors raise the risk (so no lowering one is in a top)
    // and the last one attributed is strictly below the ranked-th (so nothing left out ties
    // with those in a top); otherwise attribute every input.
    const k = ranked
    if (few < inputs.length && k > 0 && (r.length < k || (r.length === few && r[few - 1].contribution === r[k - 1].contribution))) {
      all = model.explainValues(values, { top: inputs.length })
    }
    const factors = {}
    for (const f of all.raising) factors[f.name] = f.contribution
    for (const f of all.lowering) factors[f.name] = f.contribution
    const customer = {}
    fieldNames.forEach((name, k) => {
      const given = state.fields[name]
      const feature = fieldSlots[k] >= 0 ? features[fieldSlots[k]] : NaN
      customer[name] = given ?? (Number.isNaN(feature) ? defaults[name] ?? null : feature)
    })
    const scoreValue = 100 * all.probability
    const decideOptions = { score: scoreValue, factors, history: state.outcomes, now: options.now, top: maxActions }
    let decision
    if (options.learner) {
      decideOptions.segment = options.segment
      decideOptions.seed = options.seed
      decision = catalog.decide(customer, decideOptions, options.learner)
    } else {
      decision = catalog.decide(customer, decideOptions)
    }
    return {
      probability: all.probability,
      score: scoreValue,
      factors: { raising: all.raising.slice(0, top), lowering: all.lowering.slice(0, top) },
      actions: decision.actions,
      customer,
    }
  }
}

module.exports = { makeScorer, factorsNeeded }
