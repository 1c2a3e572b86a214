'use strict'
// The scoring step of a ticket, in one place: features -> churn probability -> factors ->
// the customer record the rules read -> ranked actions. It is the only code that calls the
// model and the catalogue, so a one-call scorer in the binding can replace it.

/**
 * Builds the scoring function for a model, a catalogue and the feature engine.
 *
 * - The model's inputs are read from the engine's features by name (an input the engine
 *   does not compute is an error at start).
 * - Every input's contribution goes to the rules as a factor (a catalogue ranks factors
 *   among all of them); the answer shows the `top` raising and lowering ones.
 * - The customer record of the rules takes each catalogue field from, in order: the
 *   fields the tickets gave, the feature of the same name (when defined), the defaults.
 */
function makeScorer({ model, catalog, engine, defaults, top = 3, maxActions = 3 }) {
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

  /**
   * Scores one customer from their current features (`engine.names` order).
   * `state`: {fields, outcomes}; `options`: {now (ms), learner?, segment?, seed?}.
   */
  return function score(features, state, options) {
    for (let k = 0; k < slots.length; k++) values[k] = features[slots[k]]
    const all = model.explainValues(values, { top: inputs.length })
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

module.exports = { makeScorer }
