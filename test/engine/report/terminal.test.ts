/**
 * The terminal summary: what it quotes from input (the scenario's name, the profile and the
 * thresholds as written) reaches the terminal with its controls escaped; the progress lines read
 * their figures as the report does.
 */
import { describe, expect, it } from 'vitest'
import { steeringIn } from '../../helpers/controls.js'
import {
  loadProgressLine,
  progressLine,
  summaryTable,
  type LoadSecond,
} from '../../../engine/report/index.js'
import { loadSeconds, loadSummary } from '../../helpers/summaries.js'

describe('summaryTable', () => {
  it('shows a scenario name, profile and threshold holding escape codes with the codes made visible', () => {
    // Proves: a name that would set the window title and clear the screen prints as text (\x1b),
    // not as codes.
    const name = 'Shenzhen\x1b]0;pwned\x07\x1b[2J\u202e'
    const table = summaryTable({
      ...loadSummary,
      scenario: name,
      load: {
        ...(loadSummary.load as NonNullable<typeof loadSummary.load>),
        profile: 'constant:1k/1s\x1b[31m',
        thresholds: [{ threshold: 'p99<50ms\r\x1b[K', actual: 1, unit: 'ms', ok: true }],
      },
    })
    expect(steeringIn(table)).toBeUndefined()
    expect(table).toContain('Shenzhen\\x1b]0;pwned\\x07\\x1b[2J\\u202e')
    expect(table).toContain('constant:1k/1s\\x1b[31m')
    expect(table).toContain('p99<50ms\\x0d\\x1b[K')
  })
})

describe('progress lines', () => {
  it('read their counts, rates, latency and time as the report does', () => {
    // Proves the terminal shares the one format: 5k/s (not 5.0k/s), p99 in ms, a phase's wall time
    // as a duration (12m 05s, not 725.0 s).
    const running = progressLine({
      phase: 'running',
      tick: 540,
      ticks: 1_080,
      simulatedAt: '2025-03-03T15:00:00+08:00',
      submitted: 1_234_567,
      accepted: 1_200_000,
      rejected: 34_567,
      wallSeconds: 100,
    })
    expect(running).toContain(' 50%  2025-03-03 15:00  1.23M transfers  34.6k rejected  12.3k/s')
    expect(
      progressLine({
        phase: 'building',
        tick: 0,
        ticks: 1,
        simulatedAt: '',
        submitted: 0,
        accepted: 0,
        rejected: 0,
        wallSeconds: 725,
      }),
    ).toBe('building the city and its population…  12m 05s')
    const second = loadSeconds()[99] as LoadSecond
    const load = loadProgressLine({
      second: 100,
      plannedSeconds: 120,
      window: second,
      p99Ms: 21.7,
      completed: 392_950,
      rejected: 4_410,
      errors: 0,
      behind: 27_000,
      speed: 210,
    })
    // The line's fields are two spaces apart.
    expect(load.split('  ').slice(1)).toEqual([
      '100/120 s',
      expect.stringMatching(/^[\d.]+k\/s of 5k\/s$/),
      expect.stringMatching(/^p99 [\d.]+ ms \(run 21\.7 ms\)$/),
      'rejected 1.1%',
      'behind 27k',
      expect.stringMatching(/^sim 03-03 \d\d:\d\d ×210$/),
    ])
  })
})
