import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { loadDurationMsMax, loadTpsMax } from '../../../engine/limits.js'
import {
  RateSchedule,
  parseDuration,
  parseProfile,
  parseRate,
  profileNames,
} from '../../../engine/load/index.js'
import { userError } from '../../helpers/userError.js'

describe('rates and durations as written', () => {
  it('reads plain, k and M rates, and ms, s, m and h durations', () => {
    // Proves the units people write scale exactly.
    expect([
      parseRate('200000', 'x'),
      parseRate('200k', 'x'),
      parseRate('1.5M', 'x'),
      parseRate('0', 'x'),
    ]).toEqual([200_000, 200_000, 1_500_000, 0])
    expect([
      parseDuration('500ms', 'x'),
      parseDuration('90s', 'x'),
      parseDuration('2m', 'x'),
      parseDuration('1h', 'x'),
      parseDuration('1.5s', 'x'),
    ]).toEqual([500, 90_000, 120_000, 3_600_000, 1_500])
    expect(parseDuration('0s', 'x', true)).toBe(0)
  })

  it('refuses what is not a rate or a duration, or is beyond the bounds, naming where it came from', () => {
    // Proves every refusal is a user error that starts with the place and quotes the text.
    expect(userError(() => parseRate('fast', '--tps'))).toBe(
      '--tps: "fast" is not a rate (write 200000, 200k or 1.5M transfers per second)',
    )
    expect(userError(() => parseRate('-5', '--tps'))).toContain('--tps: "-5" is not a rate')
    expect(userError(() => parseRate('0.5', '--tps'))).toContain('not a whole number')
    expect(userError(() => parseRate(String(loadTpsMax + 1), '--tps'))).toContain(
      `more than the ${loadTpsMax}`,
    )
    expect(userError(() => parseDuration('60', '--duration'))).toContain(
      '--duration: "60" is not a duration',
    )
    expect(userError(() => parseDuration('0s', '--duration'))).toContain('positive whole number')
    expect(userError(() => parseDuration('0.5ms', '--duration'))).toContain(
      'whole number of milliseconds',
    )
    expect(userError(() => parseDuration(`${loadDurationMsMax + 1}ms`, '--duration'))).toContain(
      'longer than the 24 hours',
    )
  })
})

describe('a rate schedule', () => {
  it('sends a constant rate at evenly spaced times, the n-th at n / rate', () => {
    // Proves the open model's intended times for the simplest profile, exactly: the first at the
    // start, none at the end.
    const schedule = new RateSchedule([{ durationMs: 2_000, fromTps: 1_000, toTps: 1_000 }])
    expect(schedule.transfers).toBe(2_000)
    expect(schedule.sendTimeMs(0)).toBe(0)
    expect(schedule.sendTimeMs(1_000)).toBeCloseTo(1_000, 9)
    expect(schedule.sendTimeMs(1_999)).toBeCloseTo(1_999, 9)
    expect([
      schedule.dueCount(0),
      schedule.dueCount(0.5),
      schedule.dueCount(999.99),
      schedule.dueCount(1_000),
      schedule.dueCount(5_000),
    ]).toEqual([1, 1, 1_000, 1_001, 2_000])
    expect([
      schedule.dueBetween(0, 1_000),
      schedule.dueBetween(1_000, 2_000),
      schedule.dueBetween(2_000, 3_000),
    ]).toEqual([1_000, 1_000, 0])
    expect(schedule.rateAt(1_500)).toBe(1_000)
    expect(schedule.rateAt(2_000)).toBe(0)
  })

  it('ramps: as many transfers as the area under the line, sent faster as the rate climbs', () => {
    // Proves the integral and its inverse on a linear segment: 0 → 1,000/s over 10 s is 5,000
    // transfers, half of them in the last 2.93 s.
    const schedule = new RateSchedule([{ durationMs: 10_000, fromTps: 0, toTps: 1_000 }])
    expect(schedule.transfers).toBe(5_000)
    expect(schedule.dueBy(5_000)).toBeCloseTo(1_250, 9)
    // Transfer 2,500 is due when t²·50 = 2,500: t = √50 s.
    expect(schedule.sendTimeMs(2_500)).toBeCloseTo(Math.sqrt(50) * 1000, 6)
    expect(schedule.rateAt(2_500)).toBeCloseTo(250, 9)
  })

  it('gives every transfer a time at which exactly its count is due, in order, within the schedule', () => {
    // Proves sendTimeMs inverts dueBy for any piecewise-linear schedule: dueBy(sendTimeMs(n)) = n,
    // times never go back, and dueCount agrees.
    const segment = fc.record({
      durationMs: fc.integer({ min: 1, max: 5_000 }),
      fromTps: fc.integer({ min: 0, max: 50_000 }),
      toTps: fc.integer({ min: 0, max: 50_000 }),
    })
    fc.assert(
      fc.property(
        fc.array(segment, { minLength: 1, maxLength: 6 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 20 }),
        (segments, picks) => {
          const schedule = new RateSchedule(segments)
          if (schedule.transfers === 0) return
          const ns = [
            ...new Set(
              picks.map((pick) =>
                Math.min(schedule.transfers - 1, Math.floor(pick * schedule.transfers)),
              ),
            ),
          ].sort((a, b) => a - b)
          let last = 0
          for (const n of ns) {
            const at = schedule.sendTimeMs(n)
            expect(at).toBeGreaterThanOrEqual(last)
            expect(at).toBeLessThanOrEqual(schedule.durationMs)
            expect(Math.abs(schedule.dueBy(at) - n)).toBeLessThan(1e-6 * (n + 1))
            expect(schedule.dueCount(at)).toBeGreaterThanOrEqual(n + 1)
            last = at
          }
        },
      ),
      { numRuns: 500 },
    )
  })
})

describe('profiles', () => {
  it('reads constant, ramp, steps and spike into their segments', () => {
    // Proves each profile kind's spec, with the rates and durations it names.
    expect(profileNames).toEqual(['constant', 'ramp', 'steps', 'spike', 'realistic'])
    expect(parseProfile('constant:200k/60s', '--profile').schedule.segments).toEqual([
      { durationMs: 60_000, fromTps: 200_000, toTps: 200_000 },
    ])
    expect(parseProfile('ramp:10000..500000/120s', '--profile').schedule.segments).toEqual([
      { durationMs: 120_000, fromTps: 10_000, toTps: 500_000 },
    ])
    expect(parseProfile('steps:10k/30s,50k/30s,100k/1m', '--profile').schedule.segments).toEqual([
      { durationMs: 30_000, fromTps: 10_000, toTps: 10_000 },
      { durationMs: 30_000, fromTps: 50_000, toTps: 50_000 },
      { durationMs: 60_000, fromTps: 100_000, toTps: 100_000 },
    ])
    expect(parseProfile('spike:50k..500k/60s@20s+5s', '--profile').schedule.segments).toEqual([
      { durationMs: 20_000, fromTps: 50_000, toTps: 50_000 },
      { durationMs: 5_000, fromTps: 500_000, toTps: 500_000 },
      { durationMs: 35_000, fromTps: 50_000, toTps: 50_000 },
    ])
    expect(parseProfile('spike:1k..9k/10s@0s+10s', '--profile').schedule.segments).toEqual([
      { durationMs: 10_000, fromTps: 9_000, toTps: 9_000 },
    ])
    const ramped = parseProfile('ramp:0..1k/10s', '--profile')
    expect([ramped.name, ramped.text, ramped.schedule.transfers]).toEqual([
      'ramp',
      'ramp:0..1k/10s',
      5_000,
    ])
  })

  it('refuses unknown and malformed profiles with the usage of the kind, naming where they came from', () => {
    // Proves the errors a user sees: the flag, the text, and how to write it.
    expect(userError(() => parseProfile('sine:1k/10s', '--profile'))).toBe(
      '--profile: unknown profile "sine" (known: constant:<tps>/<duration>; ramp:<from tps>..<to tps>/<duration>; steps:<tps>/<duration>,<tps>/<duration>,...; spike:<base tps>..<peak tps>/<duration>@<spike start>+<spike length>; realistic:<simulated span>/<duration>)',
    )
    expect(userError(() => parseProfile('ramp', '--profile'))).toBe(
      '--profile: write ramp:<from tps>..<to tps>/<duration>',
    )
    expect(userError(() => parseProfile('ramp:10k/60s', '--profile'))).toContain(
      '--profile "ramp:10k/60s": write ramp:',
    )
    expect(userError(() => parseProfile('constant:200k/soon', '--profile'))).toContain(
      '"soon" is not a duration',
    )
    expect(userError(() => parseProfile('steps:10k/30s,lots/30s', '--profile'))).toContain(
      'step 2: "lots" is not a rate',
    )
    expect(userError(() => parseProfile('spike:50k..500k/60s@50s+20s', '--profile'))).toContain(
      'must end within the 60s',
    )
    expect(userError(() => parseProfile('constant:0/60s', '--profile'))).toContain(
      'sends no transfer at all',
    )
    expect(
      userError(() =>
        parseProfile(`steps:${Array.from({ length: 300 }, () => '1/1s').join(',')}`, '--profile'),
      ),
    ).toContain('at most 256 steps')
    expect(userError(() => parseProfile(`constant:${'1'.repeat(5000)}/1s`, '--profile'))).toContain(
      'at most 4096 characters',
    )
  })
})

describe('a schedule with a pause', () => {
  it('agrees with itself at the edge of a zero-rate step: the transfer due as the pause begins is sent then', async () => {
    // Proves dueCount and sendTimeMs use one definition (transfer n is due when the rate's integral
    // reaches n) at a boundary into a pause: 10k/s for 1 s, nothing for 10 s, 10k/s for 1 s.
    const { RateSchedule } = await import('../../../engine/load/index.js')
    const schedule = new RateSchedule([
      { durationMs: 1_000, fromTps: 10_000, toTps: 10_000 },
      { durationMs: 10_000, fromTps: 0, toTps: 0 },
      { durationMs: 1_000, fromTps: 10_000, toTps: 10_000 },
    ])
    expect(schedule.transfers).toBe(20_000)
    expect(schedule.dueCount(1_000)).toBe(10_001)
    expect(schedule.sendTimeMs(10_000)).toBe(1_000)
    expect(schedule.sendTimeMs(10_001)).toBeCloseTo(11_000.1, 6)
    expect(schedule.dueCount(10_999)).toBe(10_001)
    for (const n of [0, 1, 9_999, 10_000, 10_001, 19_999])
      expect(schedule.dueCount(schedule.sendTimeMs(n))).toBeGreaterThan(n)
  })
})
