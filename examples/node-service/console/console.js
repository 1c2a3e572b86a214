'use strict'
// The console's one script: the outcome buttons of the customer view. A click posts the
// outcome to the service's POST /outcomes (accepted, or rejected for "Declined"), then shows
// the learner's new rate from the answer. The page works without it, buttons aside.
document.addEventListener('click', async (event) => {
  const button = event.target.closest('button.outcome')
  if (!button) return
  const status = document.getElementById('outcome-status')
  const { customer, action, kind } = button.dataset
  const buttons = button.parentElement.querySelectorAll('button')
  buttons.forEach((b) => (b.disabled = true))
  try {
    // Same origin: the browser sends the token's cookie when the console was opened with one.
    const res = await fetch('/outcomes', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      credentials: 'same-origin',
      body: JSON.stringify({ customer, action, kind, time: Date.now() }),
    })
    const answer = await res.json()
    if (!res.ok) throw new Error(answer.error || `status ${res.status}`)
    const mean = answer.learner.mean
    const rate = document.querySelector(`[data-rate-for="${CSS.escape(action)}"]`)
    if (rate) {
      rate.dataset.value = String(mean)
      rate.textContent = `${(100 * mean).toFixed(1)} %`
    }
    // The counts behind the rate, from the page as the service renders it now.
    const fresh = await fetch(location.pathname, { credentials: 'same-origin' })
    if (fresh.ok) {
      const doc = new DOMParser().parseFromString(await fresh.text(), 'text/html')
      const selector = `[data-counts-for="${CSS.escape(action)}"]`
      const counts = document.querySelector(selector)
      const now = doc.querySelector(selector)
      if (counts && now) counts.textContent = now.textContent
    }
    const label = button.closest('li').querySelector('h3').textContent
    status.textContent = `Recorded: ${kind === 'accepted' ? 'accepted' : 'declined'} (${label.trim()}). ` +
      `Learned success rate in segment ${answer.learner.segment || '–'}: ${(100 * mean).toFixed(1)} %.`
  } catch (e) {
    status.textContent = `Not recorded: ${e.message}`
  } finally {
    buttons.forEach((b) => (b.disabled = false))
  }
})
