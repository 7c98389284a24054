/** How many worker threads make the city when none are asked for. */
import { describe, expect, it } from 'vitest'
import { workersMax } from '../../../engine/limits.js'
import { defaultWorkers } from '../../../engine/run/index.js'

describe('the default worker count', () => {
  it('takes every core flat out', () => {
    // Proves flat out uses one worker a core, up to the most a run may have.
    expect(defaultWorkers('flat-out', 1)).toBe(1)
    expect(defaultWorkers('flat-out', 8)).toBe(8)
    expect(defaultWorkers('flat-out', 200)).toBe(workersMax)
  })

  it('leaves two cores to the sender and the ledger under load, keeping at least one worker', () => {
    // Proves the load default: 8 cores give 6 workers; 2 or 1 core still give one.
    expect(defaultWorkers('load', 8)).toBe(6)
    expect(defaultWorkers('load', 3)).toBe(1)
    expect(defaultWorkers('load', 2)).toBe(1)
    expect(defaultWorkers('load', 1)).toBe(1)
    expect(defaultWorkers('load', 200)).toBe(workersMax)
  })
})
