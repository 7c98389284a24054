import { describe, expect, it } from 'vitest'
import { cumulative, Random } from '../../engine/random/index.js'

describe('Random', () => {
  it('repeats a stream for the same seed and path, and differs for another', () => {
    // Proves streams are derived from (seed, path) only.
    const draw = (random: Random) => Array.from({ length: 5 }, () => random.float())
    expect(draw(new Random(1, 'a', 3))).toEqual(draw(new Random(1, 'a', 3)))
    expect(draw(new Random(1, 'a', 3))).not.toEqual(draw(new Random(1, 'a', 4)))
    expect(draw(new Random(1, 'a', 3))).not.toEqual(draw(new Random(2, 'a', 3)))
  })

  it('draws Poisson counts with the right mean, below and above the normal switch', () => {
    // Proves the count law that sets how many payments a tick makes.
    const random = new Random(9, 'poisson')
    for (const mean of [0.3, 5, 200]) {
      let sum = 0
      const draws = 20_000
      for (let index = 0; index < draws; index++) sum += random.poisson(mean)
      expect(sum / draws).toBeGreaterThan(mean * 0.97)
      expect(sum / draws).toBeLessThan(mean * 1.03)
    }
    expect(random.poisson(0)).toBe(0)
  })

  it('picks by weight', () => {
    // Proves weighted choice, including a zero weight never being chosen.
    const random = new Random(3, 'pick')
    const table = cumulative([1, 0, 3])
    const counts = [0, 0, 0]
    for (let index = 0; index < 40_000; index++) {
      const picked = random.pick(table)
      counts[picked] = (counts[picked] ?? 0) + 1
    }
    expect(counts[1]).toBe(0)
    expect((counts[2] ?? 0) / (counts[0] ?? 1)).toBeGreaterThan(2.7)
    expect((counts[2] ?? 0) / (counts[0] ?? 1)).toBeLessThan(3.3)
  })
})
