/**
 * city.metro in a scenario: the network file is read like the district map (inside the folder,
 * links resolved, bounded, each problem naming the file and the feature or field), its lines left
 * out on request, refused when they do not join up; the fare rule's bands and the bus checked.
 */
import { readFileSync, promises as fs } from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { metroNetworkBytesMax, metroNetworkJsonValuesMax } from '../../engine/limits.js'
import { loadScenario } from '../../scenarios/loader.js'
import {
  expectUserError,
  lineOf,
  makeTempFolder,
  repoRoot,
  shenzhenDayFile,
  smokeWith,
  type TempFolder,
} from './scenarioFiles.js'

const networkText = readFileSync(
  path.join(repoRoot, 'scenarios', 'maps', 'shenzhen-metro.geojson'),
  'utf8',
)
const skyShuttle = '坪山云巴1号线'

/** Shenzhen's rule, as shenzhen-day.yaml writes it. */
const fare = {
  baseFen: 200,
  baseKm: 4,
  bands: [
    { upToKm: 12, everyKm: 4, addFen: 100 },
    { upToKm: 24, everyKm: 6, addFen: 100 },
    { everyKm: 8, addFen: 100 },
  ],
}
const metro = { network: 'maps/metro.geojson', leaveOutLines: [skyShuttle], fare }

let folder: TempFolder
beforeEach(async () => {
  folder = await makeTempFolder()
  await folder.copyMap()
})
afterEach(async () => {
  await folder.remove()
})

/** The smoke scenario with `city.metro` (and other edits), beside the network file `network`. */
async function scenarioWith(
  edits: Record<string, unknown>,
  network: string = networkText,
): Promise<{ file: string; text: string }> {
  await folder.write(path.join('maps', 'metro.geojson'), network)
  const text = smokeWith({ 'city.metro': structuredClone(metro), ...edits })
  return { file: await folder.write('scenario.yaml', text), text }
}

describe('city.metro', () => {
  it('reads the shipped Shenzhen day with its network, the SkyShuttle left out', async () => {
    // Proves shenzhen-day.yaml names a network that loads: its stations and lines, less one line.
    const loaded = await loadScenario(shenzhenDayFile)
    expect(loaded.metro?.map.stations).toHaveLength(324)
    expect(loaded.metro?.map.lines.map((line) => line.name)).not.toContain(skyShuttle)
    expect(loaded.metro?.file).toBe(
      await fs.realpath(path.join(repoRoot, 'scenarios', 'maps', 'shenzhen-metro.geojson')),
    )
    expect(loaded.scenario.city.metro?.busShare).toBeGreaterThan(0)
  })

  it('keeps the district network when the section is left out', async () => {
    // Proves older scenarios read as before: no network, nothing asked of them.
    const text = smokeWith({})
    const loaded = await loadScenario(await folder.write('scenario.yaml', text))
    expect(loaded.metro).toBeUndefined()
    expect(loaded.scenario.city.metro).toBeUndefined()
  })

  it('refuses a network outside the folder, or through a link leading out, naming the field', async () => {
    // Proves the network path gets the district map's checks, under its own field name.
    const outside = await folder.write(
      path.join('..', `${path.basename(folder.dir)}-out.geojson`),
      networkText,
    )
    try {
      for (const network of ['../x.geojson', outside, 'maps/missing.geojson', 'maps/metro.txt']) {
        const { file, text } = await scenarioWith({ 'city.metro.network': network })
        const { error } = await expectUserError(() => loadScenario(file))
        expect(error.issues).toHaveLength(1)
        const issue = error.issues[0] ?? ''
        expect(issue.startsWith(`${file}:${lineOf(text, 'network:')}: city.metro.network: `)).toBe(
          true,
        )
        expect(issue).toContain(JSON.stringify(network))
      }
      await fs.symlink(outside, path.join(folder.dir, 'maps', 'link.geojson'))
      const { file } = await scenarioWith({ 'city.metro.network': 'maps/link.geojson' })
      const { error } = await expectUserError(() => loadScenario(file))
      expect(error.issues[0]).toMatch(
        /city\.metro\.network: .* leads outside the scenario's folder/,
      )
    } finally {
      await fs.rm(outside)
    }
  })

  it('refuses a network whose lines do not join up, naming the stations cut off and their line', async () => {
    // Proves the connectivity check: Shenzhen's file without leaving out the SkyShuttle is eleven
    // stations no path reaches, reported on the line of city.metro.network.
    const { file, text } = await scenarioWith({ 'city.metro.leaveOutLines': [] })
    const { error } = await expectUserError(() => loadScenario(file))
    expect(error.message.split('\n')[0]).toBe(`${file}: invalid scenario`)
    expect(error.issues).toHaveLength(1)
    const issue = error.issues[0] ?? ''
    expect(issue.startsWith(`${file}:${lineOf(text, 'network:')}: city.metro.network: `)).toBe(true)
    expect(issue).toContain('11 stations cannot be reached from 罗湖')
    expect(issue).toContain('坪山高铁站')
    expect(issue).toContain(`(all of ${skyShuttle})`)
    expect(issue).toContain('city.metro.leaveOutLines')
  })

  it('refuses a line to leave out that the file does not have, naming the entry', async () => {
    // Proves a misspelt line is not left out silently.
    const { file, text } = await scenarioWith({ 'city.metro.leaveOutLines': ['99号线'] })
    const { error } = await expectUserError(() => loadScenario(file))
    expect(error.issues[0]).toMatch(
      new RegExp(
        `^${file}:${lineOf(text, '99号线')}: city\\.metro\\.leaveOutLines\\[0\\]: "99号线" is not a line of maps/metro\\.geojson \\(it has 1号线, `,
      ),
    )
  })

  it('refuses a bad network file with the file named and each feature and field at fault', async () => {
    // Proves a broken file is its own error: a line listing a station that does not exist and a
    // colour that is not one, each by feature index.
    const json = JSON.parse(networkText) as {
      features: { properties: Record<string, unknown> }[]
    }
    const lines = json.features.flatMap((feature, index) =>
      feature.properties.kind === 'line' ? [index] : [],
    )
    const [first, second] = lines as [number, number]
    const line = json.features[first]?.properties as { stations: number[] }
    line.stations[3] = 9999
    ;(json.features[second]?.properties as { color: string }).color = 'url(#x)'
    const { file } = await scenarioWith({}, JSON.stringify(json))
    const networkFile = await fs.realpath(path.join(folder.dir, 'maps', 'metro.geojson'))
    const { error } = await expectUserError(() => loadScenario(file))
    expect(error.message.split('\n')[0]).toBe(`${networkFile}: not a usable metro network`)
    expect(error.issues).toEqual([
      `features[${first}].properties.stations[3]: 9999 is not the number of a station`,
      `features[${second}].properties.color: must be a colour like "#00b248"`,
    ])
  })

  it('refuses a network file that is not JSON, or too large, naming the file and the bound', async () => {
    // Proves the file is bounded in bytes and in JSON values before it is parsed.
    const networkFile = path.join(folder.dir, 'maps', 'metro.geojson')
    const notJson = await scenarioWith({}, '{"type": "FeatureCollection", "features": [')
    const broken = await expectUserError(() => loadScenario(notJson.file))
    expect(broken.error.message).toMatch(/metro\.geojson: not valid JSON \(/)
    const crowded = await scenarioWith({}, `[${'0,'.repeat(metroNetworkJsonValuesMax)}0]`)
    const values = await expectUserError(() => loadScenario(crowded.file))
    expect(values.error.issues[0]).toContain(`more than ${metroNetworkJsonValuesMax} JSON values`)
    const large = await scenarioWith({}, ' '.repeat(metroNetworkBytesMax + 1))
    const bytes = await expectUserError(() => loadScenario(large.file))
    expect(bytes.error.message).toBe(
      `${await fs.realpath(networkFile)}: the metro network file is ${metroNetworkBytesMax + 1} bytes, more than the limit of ${metroNetworkBytesMax}`,
    )
  })

  it("checks the fare rule's bands and the bus, each on its field's line", async () => {
    // Proves the rule must read as published: bands further and further out, the last one open;
    // and a bus share needs a bus fare.
    const { file, text } = await scenarioWith({
      'city.metro.fare.bands': [
        { upToKm: 3, everyKm: 4, addFen: 100 },
        { everyKm: 6, addFen: 100 },
        { upToKm: 30, everyKm: 8, addFen: 100 },
      ],
      'city.metro.busShare': 0.3,
    })
    const { error } = await expectUserError(() => loadScenario(file))
    const bands = lineOf(text, 'bands:')
    expect(error.issues).toEqual([
      `${file}:${bands + 1}: city.metro.fare.bands[0].upToKm: must be beyond baseKm (4 km)`,
      `${file}:${bands + 4}: city.metro.fare.bands[1].upToKm: required: only the last band goes on without end`,
      `${file}:${bands + 6}: city.metro.fare.bands[2].upToKm: the last band goes on without end: leave its upToKm out`,
      `${file}:${lineOf(text, 'busShare:')}: city.metro.busShare: needs busFareFen, the bus fare, when above 0`,
    ])
  })

  it('refuses a fare that a 16-bit table cannot hold, and fen that are not whole', async () => {
    // Proves the schema's bounds on fares, with the field named.
    const { file } = await scenarioWith({
      'city.metro.fare.baseFen': 70_000,
      'city.metro.busFareFen': 2.5,
    })
    const { error } = await expectUserError(() => loadScenario(file))
    expect(error.issues.join('\n')).toMatch(/city\.metro\.fare\.baseFen: must be at most 65535 fen/)
    expect(error.issues.join('\n')).toMatch(
      /city\.metro\.busFareFen: must be an integer amount of fen/,
    )
  })
})
