'use strict'
// The scoring step of a ticket, in one place: features -> churn probability -> factors ->
// the customer record the rules read -> ranked actions. It is the only code that calls the
// model and the catalogue, so a one-call scorer in the binding can replace it.

/**
 * How many factors each way the catalogue's rules can tell apart: `{"factor": f, "in_top": k}`
 * needs the k + 1 largest (one more, for a tie at the edge, broken by name), and
 * `raises_more_than` needs every factor (Infinity). Attribution with fewer factors is much
 * cheaper (no text for the others) and gives the same decision.
 */
function factorsNeeded(condition) {
  if (Array.isArray(condition)) return condition.reduce((m, c) => Math.max(m, factorsNeeded(c)), 0)
  if (condition === null || typeof condition !== 'object') return 0
  if ('raises_more_than' in condition) return Infinity
  let m = typeof condition.in_top === 'number' ? condition.in_top + 1 : 0
  for (const v of Object.values(condition)) m = Math.max(m, factorsNeeded(v))
  return m
}

/**
 * Builds the scoring function for a model, a catalogue and the feature engine.
 *
 * - The model's inputs are read from the engine's features by name (an input the engine
 *   does not compute is an error at start).
 * - The largest contributions go to the rules as factors, as many as the catalogue's
 *   conditions can tell apart (`spec`, the catalogue's JSON; all of them without it); the
 *   answer shows the `top` raising and lowering ones.
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
  // Factors each way for the rules and the answer (all of them when the catalogue is unknown).
  const explainTop = Math.min(inputs.length, Math.max(top, spec ? factorsNeeded(spec.actions) : Infinity))

  /**
   * Scores one customer from their current features (`engine.names` order).
   * `state`: {fields, outcomes}; `options`: {now (ms), learner?, segment?, seed?}.
   */
  return function score(features, state, options) {
    for (let k = 0; k < slots.length; k++) values[k] = features[slots[k]]
    const all = model.explainValues(values, { top: explainTop })
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
