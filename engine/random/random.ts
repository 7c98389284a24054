/**
 * The only module that imports seedrandom. Every stream is derived from the one root seed and a
 * path naming its use (`population`, segment 12, chunk 3), so a stream never depends on how many
 * threads run or in which order they ask for work.
 */
import seedrandom from 'seedrandom'
import { assert } from '../assert.js'

export class Random {
  private readonly prng: seedrandom.PRNG
  /** A spare standard normal from the last Box–Muller pair. */
  private spareNormal = Number.NaN

  constructor(rootSeed: number, ...path: readonly (string | number)[]) {
    assert(Number.isInteger(rootSeed) && rootSeed >= 0, 'the root seed is a non-negative integer')
    this.prng = seedrandom.alea(`citytwin/${rootSeed}/${path.join('/')}`)
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.prng()
  }

  /** Uniform integer in [0, n). */
  below(n: number): number {
    assert(n > 0 && Number.isInteger(n), 'below(n) needs a positive integer n')
    return Math.floor(this.prng() * n)
  }

  chance(probability: number): boolean {
    return this.prng() < probability
  }

  /** Index drawn from cumulative weights (the last entry is the total). */
  pick(cumulative: ArrayLike<number>): number {
    const last = cumulative.length - 1
    assert(last >= 0, 'pick needs at least one weight')
    const target = this.prng() * (cumulative[last] as number)
    let low = 0
    let high = last
    while (low < high) {
      const middle = (low + high) >>> 1
      if ((cumulative[middle] as number) > target) high = middle
      else low = middle + 1
    }
    return low
  }

  /** Standard normal, Box–Muller; the second value of each pair is kept for the next call. */
  normal(): number {
    if (!Number.isNaN(this.spareNormal)) {
      const value = this.spareNormal
      this.spareNormal = Number.NaN
      return value
    }
    const u = 1 - this.prng() // (0, 1]: log stays finite
    const v = this.prng()
    const radius = Math.sqrt(-2 * Math.log(u))
    this.spareNormal = radius * Math.sin(2 * Math.PI * v)
    return radius * Math.cos(2 * Math.PI * v)
  }

  /** Poisson count with the given mean: exact below `poissonNormalMean`, normal above it. */
  poisson(mean: number): number {
    assert(mean >= 0 && Number.isFinite(mean), 'a Poisson mean is finite and >= 0')
    if (mean === 0) return 0
    if (mean < poissonNormalMean) {
      const limit = Math.exp(-mean)
      let count = 0
      let product = this.prng()
      while (product > limit) {
        count += 1
        product *= this.prng()
      }
      return count
    }
    return Math.max(0, Math.round(mean + Math.sqrt(mean) * this.normal()))
  }

  /** Log-normal around a median: `median * exp(sigma * N(0,1))`. */
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal())
  }
}

/** Above this mean the normal approximation is within a fraction of a percent and far cheaper. */
const poissonNormalMean = 40

/** Cumulative sums of weights, for `Random.pick`. */
export function cumulative(weights: readonly number[]): Float64Array {
  const out = new Float64Array(weights.length)
  let sum = 0
  weights.forEach((weight, index) => {
    assert(weight >= 0 && Number.isFinite(weight), 'weights are finite and >= 0')
    sum += weight
    out[index] = sum
  })
  assert(sum > 0, 'at least one weight is positive')
  return out
}
