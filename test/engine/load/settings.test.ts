/**
 * What a load run is asked to do: the scenario's `load:` section and the flags together
 * (loadSettings), the realistic profile's spec, and the scenario loader's checks of the section.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { loadInFlightDefault } from '../../../engine/limits.js'
import {
  loadSettings,
  parseAnyProfile,
  type AnyLoadProfile,
  type LoadSettings,
} from '../../../engine/load/index.js'
import { loadScenario } from '../../../scenarios/loader.js'
import {
  expectUserError,
  lineOf,
  makeTempFolder,
  smokeWith,
  type TempFolder,
} from '../../scenarios/scenarioFiles.js'
import { userError } from '../../helpers/userError.js'

const file = 'city.yaml'

function settled(settings: LoadSettings | undefined): LoadSettings {
  expect(settings).toBeDefined()
  return settings as LoadSettings
}

/** The rate schedule of a rate profile (fails the test for a realistic one). */
function rateOf(profile: AnyLoadProfile) {
  if (profile.sort !== 'rate') throw new Error(`expected a rate profile, got ${profile.text}`)
  return profile.schedule
}

describe('flags and the scenario together', () => {
  it('lets a flag profile override the scenario profile, and keeps the thresholds of both', () => {
    // Proves the precedence: --profile wins over load.profile (and says so in `where`), while a
    // scenario's gates stay in force beside the flag's, the scenario's first.
    const settings = settled(
      loadSettings(
        { profile: 'constant:1k/10s', thresholds: ['p99<50ms', 'errors<=0'] },
        { profile: 'ramp:0..2k/4s', threshold: ['max<1s'] },
        file,
      ),
    )
    expect(settings.profile.text).toBe('ramp:0..2k/4s')
    expect(settings.where).toBe('--profile')
    expect(rateOf(settings.profile).transfers).toBe(4_000)
    expect(settings.thresholds.map((threshold) => threshold.text)).toEqual([
      'p99<50ms',
      'errors<=0',
      'max<1s',
    ])
  })

  it('uses the scenario profile, or its tps and duration, when no flag gives one', () => {
    // Proves the scenario's own load section drives a run on its own, and errors later can name the
    // scenario field.
    const fromProfile = settled(loadSettings({ profile: 'steps:1k/1s,2k/1s' }, {}, file))
    expect([fromProfile.profile.text, fromProfile.where]).toEqual([
      'steps:1k/1s,2k/1s',
      `${file}: load.profile`,
    ])
    const fromTps = settled(loadSettings({ tps: '2k', duration: '5s' }, {}, file))
    expect([fromTps.profile.text, fromTps.where]).toEqual(['constant:2k/5s', `${file}: load.tps`])
    expect(rateOf(fromTps.profile).transfers).toBe(10_000)
    const numeric = settled(loadSettings({ tps: 300 }, {}, file))
    expect(rateOf(numeric.profile).durationMs).toBe(60_000)
    expect(rateOf(numeric.profile).transfers).toBe(18_000)
  })

  it('lets --tps override a scenario profile, and --in-flight and --abort-on-fail override the scenario', () => {
    // Proves every flag wins over its scenario field, and that the scenario's values hold when no
    // flag is given.
    const scenario = { profile: 'constant:1k/10s', inFlight: 8, abortOnFail: true }
    const flagged = settled(
      loadSettings(scenario, { tps: '500', inFlight: 128, abortOnFail: false }, file),
    )
    expect([flagged.profile.text, flagged.where, flagged.inFlightMax, flagged.abortOnFail]).toEqual(
      ['constant:500/60s', '--tps', 128, false],
    )
    const unflagged = settled(loadSettings(scenario, {}, file))
    expect([unflagged.inFlightMax, unflagged.abortOnFail]).toEqual([8, true])
  })

  it('makes --tps without --duration a 60 s constant run, with 64 calls in flight and no abort by default', () => {
    // Proves the defaults: --tps 2k alone is constant:2k/60s (120,000 transfers), inFlight 64,
    // abortOnFail off, no thresholds.
    const settings = settled(loadSettings(undefined, { tps: '2k' }, file))
    expect(settings.profile.text).toBe('constant:2k/60s')
    expect(rateOf(settings.profile).durationMs).toBe(60_000)
    expect(rateOf(settings.profile).transfers).toBe(120_000)
    expect(settings.inFlightMax).toBe(loadInFlightDefault)
    expect(loadInFlightDefault).toBe(64)
    expect(settings.abortOnFail).toBe(false)
    expect(settings.thresholds).toEqual([])
    expect(
      rateOf(settled(loadSettings(undefined, { tps: '2k', duration: '2s' }, file)).profile)
        .transfers,
    ).toBe(4_000)
  })

  it('returns undefined, a flat-out run, when no profile is given anywhere', () => {
    // Proves the absence of a load run is not an error: no flags and no section, or a section with
    // gates only (they wait for a flag's profile), both mean flat-out.
    expect(loadSettings(undefined, {}, file)).toBeUndefined()
    expect(loadSettings({}, {}, file)).toBeUndefined()
    expect(loadSettings({ thresholds: ['p99<50ms'], inFlight: 8 }, {}, file)).toBeUndefined()
  })

  it('refuses flags that do not go together, naming the flag', () => {
    // Proves each misuse of the flags is a UserError that starts with the flag to fix.
    expect(userError(() => loadSettings(undefined, { duration: '10s' }, file))).toMatch(
      /^--duration: /,
    )
    expect(userError(() => loadSettings(undefined, { inFlight: 4 }, file))).toMatch(
      /^--in-flight: /,
    )
    // A scenario rate does not make --duration meaningful: it goes with the flag --tps only.
    expect(userError(() => loadSettings({ tps: 1000 }, { duration: '10s' }, file))).toMatch(
      /^--duration: /,
    )
    expect(
      userError(() => loadSettings(undefined, { profile: 'constant:1k/1s', tps: '1k' }, file)),
    ).toMatch(/^--profile and --tps: /)
    expect(userError(() => loadSettings(undefined, { threshold: ['p99<50ms'] }, file))).toMatch(
      /^--threshold: /,
    )
    expect(userError(() => loadSettings(undefined, { abortOnFail: true }, file))).toMatch(
      /^--abort-on-fail: /,
    )
    expect(userError(() => loadSettings(undefined, { tps: '0' }, file))).toBe(
      '--tps: the rate must be above 0',
    )
    expect(userError(() => loadSettings(undefined, { tps: 'fast' }, file))).toMatch(
      /^--tps: "fast" is not a rate/,
    )
    expect(userError(() => loadSettings(undefined, { tps: '1k', duration: '10' }, file))).toMatch(
      /^--duration: "10" is not a duration/,
    )
  })

  it('names the scenario field when the scenario section is what is wrong', () => {
    // Proves a bad profile, rate or threshold in the scenario is reported against file:
    // load.<field>, a bad flag against the flag.
    expect(userError(() => loadSettings({ profile: 'wobble:1k/1s' }, {}, file))).toMatch(
      /^city\.yaml: load\.profile: unknown profile "wobble"/,
    )
    expect(userError(() => loadSettings({ tps: 'lots' }, {}, file))).toMatch(
      /^city\.yaml: load\.tps: "lots" is not a rate/,
    )
    expect(userError(() => loadSettings({ tps: 10, duration: 'ever' }, {}, file))).toMatch(
      /^city\.yaml: load\.duration: "ever" is not a duration/,
    )
    expect(
      userError(() =>
        loadSettings({ profile: 'constant:1k/1s', thresholds: ['p99<fast'] }, {}, file),
      ),
    ).toMatch(/^city\.yaml: load\.thresholds: "p99<fast"/)
    expect(
      userError(() =>
        loadSettings({ profile: 'constant:1k/1s' }, { threshold: ['p99<fast'] }, file),
      ),
    ).toMatch(/^--threshold: "p99<fast"/)
  })
})

describe('the realistic profile', () => {
  it('reads a simulated span and a wall-clock duration: realistic:1d/10m is 1,440 minutes in 600,000 ms', () => {
    // Proves the spec's units: days, hours and minutes of simulated time, and the wall duration in
    // any duration unit.
    expect(parseAnyProfile('realistic:1d/10m', '--profile')).toEqual({
      sort: 'realistic',
      name: 'realistic',
      text: 'realistic:1d/10m',
      simulatedMinutes: 1_440,
      durationMs: 600_000,
    })
    expect(parseAnyProfile('realistic:12h/90s', '--profile')).toMatchObject({
      simulatedMinutes: 720,
      durationMs: 90_000,
    })
    expect(parseAnyProfile('realistic:90m/500ms', '--profile')).toMatchObject({
      simulatedMinutes: 90,
      durationMs: 500,
    })
    expect(parseAnyProfile('realistic:2d/1h', '--profile')).toMatchObject({
      simulatedMinutes: 2_880,
      durationMs: 3_600_000,
    })
    // Through the settings, from a flag or the scenario.
    const settings = settled(loadSettings({ profile: 'realistic:1d/10m' }, {}, file))
    expect(settings.profile).toMatchObject({
      sort: 'realistic',
      simulatedMinutes: 1_440,
      durationMs: 600_000,
    })
    expect(settings.where).toBe(`${file}: load.profile`)
  })

  it('refuses bad spans and durations, naming the flag and quoting the profile', () => {
    // Proves every malformed realistic spec is a UserError that starts with where it came from.
    expect(userError(() => parseAnyProfile('realistic:1x/10m', '--profile'))).toMatch(
      /^--profile "realistic:1x\/10m": "1x" is not a simulated span/,
    )
    expect(userError(() => parseAnyProfile('realistic:1.5d/10m', '--profile'))).toMatch(
      /^--profile "realistic:1\.5d\/10m": "1\.5d" is not a simulated span/,
    )
    expect(userError(() => parseAnyProfile('realistic:0m/10s', '--profile'))).toMatch(
      /^--profile "realistic:0m\/10s": the simulated span must be at least a minute/,
    )
    expect(userError(() => parseAnyProfile('realistic:1d', '--profile'))).toMatch(
      /^--profile "realistic:1d": write realistic:<simulated span>\/<duration>/,
    )
    expect(userError(() => parseAnyProfile('realistic:1d/10m/2', '--profile'))).toMatch(
      /^--profile "realistic:1d\/10m\/2": write /,
    )
    expect(userError(() => parseAnyProfile('realistic:1d/10', '--profile'))).toMatch(
      /^--profile "realistic:1d\/10": "10" is not a duration/,
    )
    expect(userError(() => parseAnyProfile('realistic', '--profile'))).toMatch(
      /^--profile: write realistic:<simulated span>\/<duration>/,
    )
    expect(userError(() => loadSettings(undefined, { profile: 'realistic:1w/10m' }, file))).toMatch(
      /^--profile "realistic:1w\/10m": "1w" is not a simulated span/,
    )
  })
})

describe('the scenario loader on a load section', () => {
  let folder: TempFolder
  beforeEach(async () => {
    folder = await makeTempFolder()
    await folder.copyMap()
  })
  afterEach(async () => {
    await folder.remove()
  })

  it('loads a good load section as written', async () => {
    // Proves the harness: the smoke scenario with a valid load section loads, so each rejection
    // below is its one edit's doing.
    const scenarioFile = await folder.write(
      'scenario.yaml',
      smokeWith({
        load: {
          profile: 'realistic:1d/10m',
          thresholds: ['p99<50ms', 'errors<0.1%'],
          inFlight: 32,
          abortOnFail: true,
        },
      }),
    )
    const loaded = await loadScenario(scenarioFile)
    expect(loaded.scenario.load).toEqual({
      profile: 'realistic:1d/10m',
      thresholds: ['p99<50ms', 'errors<0.1%'],
      inFlight: 32,
      abortOnFail: true,
    })
  })

  it('rejects a bad profile with the file, the line and load.profile', async () => {
    // Proves the profile is checked when the scenario loads, not when the run starts, and reported
    // on its own line.
    const text = smokeWith({ load: { profile: 'realistic:1x/10m' } })
    const scenarioFile = await folder.write('scenario.yaml', text)
    const { error } = await expectUserError(() => loadScenario(scenarioFile))
    expect(error.issues).toEqual([
      `${scenarioFile}:${lineOf(text, 'profile: realistic:1x/10m')}: load.profile: "1x" is not a simulated span (write whole minutes, hours or days: 90m, 12h, 1d)`,
    ])
  })

  it('rejects a bad threshold with the file, the line of that list item and load.thresholds[1]', async () => {
    // Proves a list item is found by its index: the second threshold is the one named, on its own
    // line.
    const text = smokeWith({
      load: { profile: 'constant:1k/1s', thresholds: ['p99<50ms', 'p99<fast'] },
    })
    const scenarioFile = await folder.write('scenario.yaml', text)
    const { error } = await expectUserError(() => loadScenario(scenarioFile))
    expect(error.issues).toHaveLength(1)
    expect(error.issues[0]).toMatch(
      new RegExp(
        `^${escape(scenarioFile)}:${lineOf(text, 'p99<fast')}: load\\.thresholds\\[1\\]: "p99<fast" is not a threshold`,
      ),
    )
  })

  it('rejects both a profile and tps, on the line of load.tps', async () => {
    // Proves the two ways of giving a rate are exclusive in a scenario as on the command line.
    const text = smokeWith({ load: { profile: 'constant:1k/1s', tps: 2000 } })
    const scenarioFile = await folder.write('scenario.yaml', text)
    const { error } = await expectUserError(() => loadScenario(scenarioFile))
    expect(error.issues).toEqual([
      `${scenarioFile}:${lineOf(text, 'tps: 2000')}: load.tps: give either load.profile or load.tps, not both`,
    ])
  })

  it('reports every problem of the section at once', async () => {
    // Proves the section's checks all run: a duration without tps, a zero-length duration and an
    // unknown field come back together.
    const text = smokeWith({ load: { duration: '0s', thresholds: ['dropped<1.5'], speed: 2 } })
    const scenarioFile = await folder.write('scenario.yaml', text)
    const { error } = await expectUserError(() => loadScenario(scenarioFile))
    expect([...error.issues].sort()).toEqual(
      [
        `${scenarioFile}:${lineOf(text, 'speed: 2')}: load.speed: unknown field`,
        `${scenarioFile}:${lineOf(text, 'duration: 0s')}: load.duration: goes with load.tps (a profile carries its own duration)`,
        `${scenarioFile}:${lineOf(text, 'duration: 0s')}: load.duration: "0s" must be a positive whole number of milliseconds`,
        `${scenarioFile}:${lineOf(text, 'dropped<1.5')}: load.thresholds[0]: "dropped<1.5": a count of transfers is a whole number`,
      ].sort(),
    )
  })
})

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
