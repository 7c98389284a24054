/**
 * The terminal summary: what it quotes from input (the scenario's name, the profile and the
 * thresholds as written) reaches the terminal with its controls escaped.
 */
import { describe, expect, it } from 'vitest'
import { steeringIn } from '../../helpers/controls.js'
import { summaryTable } from '../../../engine/report/index.js'
import { loadSummary } from '../../helpers/summaries.js'


describe('summaryTable', () => {
  it('shows a scenario name, profile and threshold holding escape codes with the codes made visible', () => {
    // Proves: a name that would set the window title and clear the screen prints as text (\x1b), not as codes.
    const name = 'Shenzhen\x1b]0;pwned\x07\x1b[2J\u202e'
    const table = summaryTable({
      ...loadSummary,
      scenario: name,
      load: { ...(loadSummary.load as NonNullable<typeof loadSummary.load>), profile: 'constant:1k/1s\x1b[31m', thresholds: [{ threshold: 'p99<50ms\r\x1b[K', actual: 1, unit: 'ms', ok: true }] },
    })
    expect(steeringIn(table)).toBeUndefined()
    expect(table).toContain('Shenzhen\\x1b]0;pwned\\x07\\x1b[2J\\u202e')
    expect(table).toContain('constant:1k/1s\\x1b[31m')
    expect(table).toContain('p99<50ms\\x0d\\x1b[K')
  })
})
