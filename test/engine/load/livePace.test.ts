/**
 * How a live run starts and ends (liveStart): the pace serve derives from its flags and the
 * scenario.
 */
import { describe, expect, it } from 'vitest'
import { cityRhythmProfile, liveSpeedDefault, liveStart } from '../../../engine/load/index.js'
import { userError } from '../../helpers/userError.js'

const file = 'city.yaml'

describe('the live pace without one given', () => {
  it('follows the city at two simulated minutes a second, for the whole period', () => {
    // Proves the default: a day in 12 minutes, each simulated minute 500 ms of wall time, no end
    // set.
    expect(liveSpeedDefault).toBe(2)
    expect(cityRhythmProfile(liveSpeedDefault)).toBe('realistic:1d/720000ms')
    const start = liveStart(undefined, {}, file)
    expect(start.pace).toEqual({ sort: 'clock', tickMs: 500 })
    expect(start.limitMs).toBe(Infinity)
    expect(start.settings.where).toBe('--profile')
  })

  it('follows the city at --speed', () => {
    // Proves --speed sets the clock: 4 minutes a second is 250 ms a simulated minute; 0.5 is 2 s.
    expect(liveStart(undefined, { speed: 4 }, file).pace).toEqual({ sort: 'clock', tickMs: 250 })
    expect(liveStart(undefined, { speed: 0.5 }, file).pace).toEqual({ sort: 'clock', tickMs: 2000 })
    expect(liveStart(undefined, { speed: 4 }, file).limitMs).toBe(Infinity)
  })
})

describe('the live pace given by a flag', () => {
  it('starts --tps at its rate and runs the whole period, unless --duration ends it', () => {
    // Proves --tps alone sets no end (its default 60 s is for `citytwin run`), and --duration does.
    expect(liveStart(undefined, { tps: '20k' }, file)).toMatchObject({
      pace: { sort: 'rate', tps: 20_000 },
      limitMs: Infinity,
    })
    expect(liveStart(undefined, { tps: '20k', duration: '30s' }, file).limitMs).toBe(30_000)
  })

  it('ends a profile after its own duration', () => {
    // Proves a constant profile starts at its rate and a realistic one at its clock, each ending
    // when it says.
    expect(liveStart(undefined, { profile: 'constant:5k/10s' }, file)).toMatchObject({
      pace: { sort: 'rate', tps: 5000 },
      limitMs: 10_000,
    })
    const realistic = liveStart(undefined, { profile: 'realistic:1d/10m' }, file)
    expect(realistic.pace).toEqual({ sort: 'clock', tickMs: 600_000 / 1440 })
    expect(realistic.limitMs).toBe(600_000)
  })

  it('refuses a profile whose rate changes on a plan of its own, naming the flag', () => {
    // Proves a ramp is refused: the map's controls steer the rate, a ramp would fight them.
    const message = userError(() => liveStart(undefined, { profile: 'ramp:1k..10k/60s' }, file))
    expect(message).toMatch(/^--profile: the live map starts at a constant rate/)
    expect(message).toContain('ramp profiles are for `citytwin run`')
  })
})

describe('the live pace given by the scenario', () => {
  it('takes load.tps for the whole period, and load.duration as its end', () => {
    // Proves the scenario's pace is used when no flag gives one, with the same ends as the flags'.
    expect(liveStart({ tps: 1000 }, {}, file)).toMatchObject({
      pace: { sort: 'rate', tps: 1000 },
      limitMs: Infinity,
    })
    expect(liveStart({ tps: 1000, duration: '45s' }, {}, file).limitMs).toBe(45_000)
    expect(liveStart({ profile: 'constant:2k/20s' }, {}, file).limitMs).toBe(20_000)
  })

  it("lets a flag override the scenario, with the flag's end", () => {
    // Proves --tps wins over load.profile, and the scenario's duration does not end a flag's rate.
    const start = liveStart({ profile: 'constant:2k/20s' }, { tps: '3k' }, file)
    expect(start.pace).toEqual({ sort: 'rate', tps: 3000 })
    expect(start.limitMs).toBe(Infinity)
    expect(start.settings.where).toBe('--tps')
  })

  it('refuses a scenario ramp, naming the scenario field', () => {
    // Proves the message points at the file's load.profile, where the ramp was given.
    const message = userError(() => liveStart({ profile: 'ramp:1k..10k/60s' }, {}, file))
    expect(message).toMatch(/^city\.yaml: load\.profile: the live map starts at a constant rate/)
  })
})
