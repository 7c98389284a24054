/**
 * loadScenario: the shipped scenarios load; broken scenarios are reported whole, each issue with
 * its file, line and field path; hostile files and map paths are turned down with a UserError in
 * bounded time, never a crash or a hang.
 */
import { execFileSync } from 'node:child_process'
import { constants, promises as fs } from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { UserError } from '../../engine/errors.js'
import {
  districtsMax,
  errorIssuesMax,
  errorMessageCharsMax,
  mapBytesMax,
  mapFeaturesMax,
  mapJsonValuesMax,
  messageIdsMax,
  scenarioBytesMax,
  yamlAliasCountMax,
  yamlDepthMax,
  yamlFlowDepthMax,
  yamlTokensMax,
} from '../../engine/limits.js'
import { loadScenario } from '../../scenarios/loader.js'
import {
  chengduDayFile,
  chengduMapFile,
  chengduPopulation2020,
  escapeRegExp,
  expectUserError,
  lineOf,
  makeTempFolder,
  shenzhenDayFile,
  shenzhenIds,
  shenzhenMapFile,
  shenzhenMapText,
  shenzhenPopulation2020,
  smokeFile,
  smokeText,
  smokeWith,
  suzhouDayFile,
  suzhouMapFile,
  suzhouPopulation2020,
  type TempFolder,
} from './scenarioFiles.js'

let folder: TempFolder
beforeEach(async () => {
  folder = await makeTempFolder()
})
afterEach(async () => {
  await folder.remove()
})

/** Writes `text` as a scenario next to a copy of the Shenzhen map; returns the scenario's path. */
async function scenarioWithMap(text: string | Uint8Array, name = 'scenario.yaml'): Promise<string> {
  await folder.copyMap()
  return folder.write(name, text)
}

/** The n-th (1-based) line of `text` containing `needle`. */
function nthLineOf(text: string, needle: string, occurrence: number): number {
  let seen = 0
  const lines = text.split('\n')
  for (let index = 0; index < lines.length; index++) {
    if (lines[index]?.includes(needle) === true && ++seen === occurrence) return index + 1
  }
  throw new Error(`"${needle}" does not occur ${occurrence} times`)
}

/** Pads `text` with comment lines to exactly `bytes` bytes (the text is ASCII). */
function padTo(text: string, bytes: number): string {
  const line = `#${'-'.repeat(98)}\n`
  const rest = bytes - Buffer.byteLength(text)
  const remainder = rest % line.length
  return (
    text +
    line.repeat(Math.floor(rest / line.length)) +
    (remainder > 0 ? `${'#'.repeat(remainder - 1)}\n` : '')
  )
}

/** A block mapping `maps` levels deep, counting the top level: `deep:` / ` a:` / ... / `b: 1`. */
function nestedBlock(maps: number): { text: string; deepestLine: string; column: number } {
  const keys = maps - 1
  let text = ''
  for (let level = 0; level < keys; level++)
    text += `${' '.repeat(level)}${level === 0 ? 'deep' : 'a'}:\n`
  const deepestLine = `${' '.repeat(keys)}b: 1`
  return { text: `${text}${deepestLine}\n`, deepestLine, column: keys + 4 }
}

/**
 * The classic "billion laughs": `levels` anchors, each a list of `width` aliases of the previous
 * one.
 */
function aliasBomb(levels: number, width: number): string {
  let text = 'a0: &a0 "lol"\n'
  for (let level = 1; level <= levels; level++) {
    text += `a${level}: &a${level} [${Array.from({ length: width }, () => `*a${level - 1}`).join(', ')}]\n`
  }
  return text
}

const issuePattern = /^(?<file>.+?):(?<line>\d+): (?<path>[^:]+): (?<message>.+)$/

describe('the shipped scenarios', () => {
  it.each([
    ['smoke.yaml', smokeFile],
    ['shenzhen-day.yaml', shenzhenDayFile],
  ])(
    '%s loads with the 8 districts of the Shenzhen map and its 2020 census population',
    async (_name, file) => {
      // Proves: a shipped scenario loads, names the 8 map districts, and its populations add up to
      // 17,494,398.
      const loaded = await loadScenario(file)
      expect(loaded.file).toBe(file)
      expect(loaded.mapFile).toBe(await fs.realpath(shenzhenMapFile))
      const districts = loaded.scenario.city.districts
      expect(districts.map((district) => district.id)).toEqual(shenzhenIds)
      expect(districts.reduce((sum, district) => sum + district.population, 0)).toBe(
        shenzhenPopulation2020,
      )
      expect(loaded.map.features.map((feature) => feature.id).sort()).toEqual(
        [...shenzhenIds].sort(),
      )
      expect(loaded.scenario.payments.retail.enabled).toBe(true)
    },
  )

  it.each([
    ['suzhou-day.yaml', suzhouDayFile, suzhouMapFile, 9, suzhouPopulation2020],
    ['chengdu-day.yaml', chengduDayFile, chengduMapFile, 20, chengduPopulation2020],
  ])(
    '%s loads with a district for each of the %i features of its map and its 2020 census population',
    async (_name, file, mapFile, features, population) => {
      // Proves: a city's scenario names each feature of its own map once and nothing else (a
      // district the map lacks is refused, one left out would be missing here), and its
      // populations add up to the city's census total.
      const loaded = await loadScenario(file)
      expect(loaded.mapFile).toBe(await fs.realpath(mapFile))
      const mapIds = loaded.map.features.map((feature) => feature.id).sort()
      expect(mapIds).toHaveLength(features)
      const districts = loaded.scenario.city.districts
      expect(districts.map((district) => district.id).sort()).toEqual(mapIds)
      expect(districts.reduce((sum, district) => sum + district.population, 0)).toBe(population)
      expect(loaded.scenario.scale).toBe(1)
    },
  )

  it('loads a copy of smoke.yaml written into a temp folder next to a copy of the map', async () => {
    // Proves: the harness itself is sound, so every rejection below is caused by the one edit each
    // test makes.
    const file = await scenarioWithMap(smokeWith({}))
    const loaded = await loadScenario(file)
    expect(loaded.scenario.name).toBe('Shenzhen smoke')
    expect(loaded.mapFile).toBe(
      await fs.realpath(path.join(folder.dir, 'maps', 'shenzhen.geojson')),
    )
    expect(loaded.map.features).toHaveLength(8)
  })
})

describe('schema errors', () => {
  it('reports every schema error at once, each as file:LINE: path: message on the line of the field', async () => {
    // Proves: four unrelated errors come back together in one UserError, each with the file, the
    // field's own line and its path.
    const text = smokeWith({ 'city.districts[3].population': -5, scale: 2, seed: 'x', bogus: true })
    const file = await scenarioWithMap(text)
    const { error } = await expectUserError(() => loadScenario(file))
    expect(error.message.split('\n')[0]).toBe(`${file}: invalid scenario`)
    expect([...error.issues].sort()).toEqual(
      [
        `${file}:${lineOf(text, 'population: -5')}: city.districts[3].population: must be a positive integer`,
        `${file}:${lineOf(text, 'scale: 2')}: scale: must be at most 1 (the whole population)`,
        `${file}:${lineOf(text, 'seed: x')}: seed: must be a non-negative integer`,
        `${file}:${lineOf(text, 'bogus: true')}: bogus: unknown field`,
      ].sort(),
    )
    for (const issue of error.issues) {
      expect(issue).toMatch(issuePattern)
      expect(error.message).toContain(`  ${issue}`)
    }
  })

  it('names an unknown field inside a list item with its full path and line', async () => {
    // Proves: unknown keys are reported at any depth, e.g. city.districts[1].colour, not only at
    // the top.
    const text = smokeWith({ 'city.districts[1].colour': 'red', 'payments.retail.amountFen': 100 })
    const file = await scenarioWithMap(text)
    const { error } = await expectUserError(() => loadScenario(file))
    expect(error.issues).toContain(
      `${file}:${lineOf(text, 'colour: red')}: city.districts[1].colour: unknown field`,
    )
    expect(error.issues).toContain(
      `${file}:${lineOf(text, 'amountFen: 100')}: payments.retail.amountFen: unknown field`,
    )
    expect(error.issues).toHaveLength(2)
  })

  it('suggests the field meant for a misspelt one, at any depth, and nothing for a far one', async () => {
    // Proves: "did you mean" names the nearest known field of the same object (residents for
    // residnets at the top level, population inside a district), and an unrelated key gets none.
    const text = smokeWith({
      'city.districts[0].populaton': 5,
      'payments.retail.perDya': 1,
      zzzzqqqq: 1,
    })
    const file = await scenarioWithMap(text)
    const { error } = await expectUserError(() => loadScenario(file))
    expect(error.issues).toContain(
      `${file}:${lineOf(text, 'populaton: 5')}: city.districts[0].populaton: unknown field (did you mean "population"?)`,
    )
    expect(error.issues).toContain(
      `${file}:${lineOf(text, 'perDya: 1')}: payments.retail.perDya: unknown field (did you mean "perDay"?)`,
    )
    expect(error.issues).toContain(
      `${file}:${lineOf(text, 'zzzzqqqq: 1')}: zzzzqqqq: unknown field`,
    )
  })

  it('names a missing field by its path, says it is required, with the line of its parent', async () => {
    // Proves: a required field that is absent is reported as required, with its path: name (top
    // level, no line), city.map (line of city), and what it must be.
    const text = smokeWith({ name: undefined, 'city.map': undefined })
    const file = await scenarioWithMap(text)
    const { error } = await expectUserError(() => loadScenario(file))
    expect([...error.issues].sort()).toEqual(
      [
        `${file}: name: required (must be a string)`,
        `${file}:${lineOf(text, 'city:')}: city.map: required (must be a path to a GeoJSON file, relative to the scenario)`,
      ].sort(),
    )
  })

  it('reports a scenario that is not a mapping at the top level', async () => {
    // Proves: a YAML list (or an empty file) gives a UserError about the top level, not a
    // TypeError.
    for (const text of ['- just\n- a list\n', '', '42\n']) {
      const file = await folder.write('scenario.yaml', text)
      const { error } = await expectUserError(() => loadScenario(file))
      expect(error.issues).toHaveLength(1)
      expect(error.issues[0]).toMatch(new RegExp(`^${escapeRegExp(file)}: \\(top level\\): `))
    }
  })

  it('reports a date-time without an offset on the line of period.from', async () => {
    // Proves: period.from must carry a UTC offset; the issue names period.from and its line.
    const text = smokeWith({ 'period.from': '2026-11-23T00:00:00' })
    const file = await scenarioWithMap(text)
    const { error } = await expectUserError(() => loadScenario(file))
    expect(error.issues).toEqual([
      `${file}:${lineOf(text, 'from: ')}: period.from: must be a date-time with an offset, like "2026-11-23T00:00:00+08:00"`,
    ])
  })
})

describe('cross-field errors', () => {
  it('reports tier shares, category shares, period order, duplicate district and tier limits at once, with lines', async () => {
    // Proves: the checks across fields all run and each issue carries the file and the line of the
    // field it names.
    const text = smokeWith({
      'wallets.tiers[0].share': 0.1,
      'merchants.categories.grocery.share': 0.5,
      'period.to': '2026-11-22T00:00:00+08:00',
      'city.districts[2].id': '440303',
      'wallets.tiers[1].perPaymentFen': 2_000_000,
    })
    const file = await scenarioWithMap(text)
    const { error } = await expectUserError(() => loadScenario(file))
    expect(error.message.split('\n')[0]).toBe(`${file}: invalid scenario`)
    expect([...error.issues].sort()).toEqual(
      [
        `${file}:${lineOf(text, 'to: 2026-11-22')}: period.to: must be after period.from`,
        `${file}:${nthLineOf(text, 'id: "440303"', 2)}: city.districts[2].id: "440303" is listed twice`,
        `${file}:${lineOf(text, 'perPaymentFen: 2000000')}: wallets.tiers[1].perPaymentFen: must not exceed perDayFen (1000000, the published limit)`,
        `${file}:${lineOf(text, '  tiers:')}: wallets.tiers: shares must add up to 1 (they add up to 1.05)`,
        `${file}:${lineOf(text, '  categories:')}: merchants.categories: shares must add up to 1 (they add up to 1.25)`,
      ].sort(),
    )
  })

  it('names a district id that is not in the map by its path city.districts[N].id and line', async () => {
    // Proves: every district must be a feature of the map; the issue names the path, the id, the
    // map and the ids it has.
    const text = smokeWith({ 'city.districts[5].id': '440399' })
    const file = await scenarioWithMap(text)
    const { error } = await expectUserError(() => loadScenario(file))
    expect(error.issues).toEqual([
      `${file}:${lineOf(text, '440399')}: city.districts[5].id: "440399" is not a district of maps/shenzhen.geojson (it has ${shenzhenIds.join(', ')})`,
    ])
  })
})

describe('reading the scenario file', () => {
  it('turns down a missing file with a message naming it and saying "no such file"', async () => {
    // Proves: ENOENT becomes a UserError that names the file, not a raw fs error.
    const file = path.join(folder.dir, 'missing.yaml')
    const { error } = await expectUserError(() => loadScenario(file))
    expect(error.message).toBe(`${file}: cannot read the scenario file (no such file)`)
  })

  it('turns down a folder given instead of a file', async () => {
    // Proves: a directory is refused as "not a regular file" instead of failing later with EISDIR.
    const dir = path.join(folder.dir, 'looks-like.yaml')
    await fs.mkdir(dir)
    const { error } = await expectUserError(() => loadScenario(dir))
    expect(error.message).toBe(`${dir}: the scenario file is not a regular file`)
  })

  it('loads a file of exactly scenarioBytesMax bytes and turns down one byte more, quickly, naming the limit', async () => {
    // Proves: the size bound is exact (no off-by-one) and a too-big file is refused fast, with the
    // limit in the message.
    const atLimit = padTo(smokeText, scenarioBytesMax)
    expect(Buffer.byteLength(atLimit)).toBe(scenarioBytesMax)
    await folder.copyMap()
    const fits = await folder.write('fits.yaml', atLimit)
    expect((await loadScenario(fits)).scenario.name).toBe('Shenzhen smoke')

    const tooBig = await folder.write('too-big.yaml', padTo(smokeText, scenarioBytesMax + 1))
    const { error, ms } = await expectUserError(() => loadScenario(tooBig))
    expect(error.message).toBe(
      `${tooBig}: the scenario file is ${scenarioBytesMax + 1} bytes, more than the limit of ${scenarioBytesMax}`,
    )
    expect(ms).toBeLessThan(500)
  })

  it('turns down a huge (sparse, 1 GiB) scenario file without reading it', async () => {
    // Proves: the size is checked before reading, so a giant file costs nothing.
    const file = path.join(folder.dir, 'huge.yaml')
    await fs.writeFile(file, '')
    await fs.truncate(file, 1024 ** 3)
    const { error, ms } = await expectUserError(() => loadScenario(file))
    expect(error.message).toContain(`more than the limit of ${scenarioBytesMax}`)
    expect(ms).toBeLessThan(500)
  })

  it.each([
    [
      'an unclosed quote',
      smokeText.replace('name: Shenzhen smoke', 'name: "Shenzhen smoke'),
      'name: "Shenzhen',
      22,
      /quote/,
    ],
    [
      'a tab as indentation',
      smokeText.replace('  riderShare', '\triderShare'),
      '\triderShare',
      1,
      /Tabs/,
    ],
    ['a duplicate key', `${smokeText}seed: 8\n`, 'seed: 8', 1, /unique/],
    [
      'an unclosed flow list',
      smokeText.replace('utilities: [power, water, gas, telecoms]', 'utilities: [power, water'),
      'utilities: [',
      null,
      /./,
    ],
  ])('reports invalid YAML (%s) as file:line:col', async (_what, text, needle, column, message) => {
    // Proves: a YAML syntax error is a UserError whose issues point at the file, line and column of
    // the problem.
    const file = await scenarioWithMap(text)
    const { error } = await expectUserError(() => loadScenario(file))
    expect(error.message.split('\n')[0]).toBe(`${file}: not valid YAML`)
    expect(error.issues.length).toBeGreaterThan(0)
    const first = error.issues[0] ?? ''
    const match = new RegExp(`^${escapeRegExp(file)}:(\\d+):(\\d+): (.+)$`).exec(first)
    expect(match, first).not.toBeNull()
    expect(Number(match?.[1])).toBeGreaterThanOrEqual(lineOf(text, needle))
    if (column !== null) {
      expect(Number(match?.[1])).toBe(lineOf(text, needle))
      expect(Number(match?.[2])).toBe(column)
    }
    expect(error.issues.join('\n')).toMatch(message)
  })

  it('turns down a file that is not UTF-8 (a Latin-1 byte, a stray 0xFF)', async () => {
    // Proves: bytes that are not UTF-8 are refused up front instead of being read as replacement
    // characters.
    const latin1 = Buffer.from(smokeText.replace("Bao'an", 'Baoàn'), 'latin1')
    const stray = Buffer.concat([Buffer.from(smokeText), Buffer.from([0xff, 0xfe, 0x0a])])
    for (const bytes of [latin1, stray]) {
      const file = await scenarioWithMap(bytes)
      const { error } = await expectUserError(() => loadScenario(file))
      expect(error.message).toBe(`${file}: the scenario file is not valid UTF-8 text`)
    }
  })

  it('accepts a valid UTF-8 file that contains the character U+FFFD', async () => {
    // Proves: the UTF-8 check decodes strictly rather than looking for the replacement character in
    // the text.
    const text = smokeWith({
      description: 'A replacement character \uFFFD, spelled correctly in UTF-8',
    })
    const bytes = Buffer.from(text, 'utf8')
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).not.toThrow()
    const file = await scenarioWithMap(bytes)
    const loaded = await loadScenario(file)
    expect(loaded.scenario.description).toContain('\uFFFD')
  })
})

describe('hostile YAML', () => {
  afterEach(() => {
    // Whatever a test fed the loader, the shared prototype must stay clean.
    expect(Object.prototype).not.toHaveProperty('polluted')
  })

  it('turns down a "billion laughs" alias bomb (9 levels x 9 aliases) quickly', async () => {
    // Proves: an exponential alias bomb is counted and refused before it is expanded.
    const text = aliasBomb(9, 9)
    const file = await folder.write('bomb.yaml', text)
    const { error } = await expectUserError(() => loadScenario(file))
    expect(error.message.split('\n')[0]).toBe(`${file}: rejected`)
    expect(error.issues).toHaveLength(1)
    expect(error.issues[0]).toMatch(
      new RegExp(`^${escapeRegExp(file)}:\\d+:\\d+: more than ${yamlAliasCountMax} aliases$`),
    )
  })

  it('turns down an alias bomb that stays under the alias count (6 levels x 10 aliases) quickly', async () => {
    // Proves: even with few aliases (60 <= 64), the exponential expansion is caught, not built.
    const text = aliasBomb(6, 10)
    expect(text.match(/\*a/g)?.length).toBeLessThanOrEqual(yamlAliasCountMax)
    const file = await folder.write('bomb.yaml', text)
    const { error } = await expectUserError(() => loadScenario(file))
    expect(error.message).toMatch(new RegExp(`^${escapeRegExp(file)}: rejected \\(.*alias`))
  })

  it('allows yamlAliasCountMax aliases and turns down one more, naming the limit', async () => {
    // Proves: the alias count bound is exact: 64 distinct aliases pass the alias check, 65 do not.
    const anchorsAndAliases = (count: number) =>
      `anchors: [${Array.from({ length: count }, (_, index) => `&a${index} ${index}`).join(', ')}]\n` +
      `aliases: [${Array.from({ length: count }, (_, index) => `*a${index}`).join(', ')}]\n`
    const atLimit = await scenarioWithMap(
      smokeText + anchorsAndAliases(yamlAliasCountMax),
      'at-limit.yaml',
    )
    const passed = await expectUserError(() => loadScenario(atLimit))
    expect(passed.error.message.split('\n')[0]).toBe(`${atLimit}: invalid scenario`)
    expect(passed.error.issues.map((issue) => issue.replace(/^.*?: /, ''))).toEqual([
      'anchors: unknown field',
      'aliases: unknown field',
    ])

    const text = smokeText + anchorsAndAliases(yamlAliasCountMax + 1)
    const over = await scenarioWithMap(text, 'over.yaml')
    const { error } = await expectUserError(() => loadScenario(over))
    const line = lineOf(text, 'aliases: [')
    const column = (text.split('\n')[line - 1] ?? '').indexOf(`*a${yamlAliasCountMax}]`) + 1
    expect(error.issues).toEqual([
      `${over}:${line}:${column}: more than ${yamlAliasCountMax} aliases`,
    ])
  })

  it.each([
    ['at the top level', `${smokeText}__proto__: { polluted: true }\n`, '__proto__: {'],
    ['quoted', `${smokeText}"__proto__": { polluted: true }\n`, '"__proto__"'],
    [
      'inside city',
      smokeText.replace('city:\n', 'city:\n  __proto__:\n    polluted: true\n'),
      '  __proto__:',
    ],
    [
      'as a merchant category',
      smokeText.replace(
        '  categories:\n',
        '  categories:\n    __proto__: { share: 0.1, ticketFen: 1, polluted: true }\n',
      ),
      '    __proto__:',
    ],
  ])(
    'turns down a __proto__ key %s and leaves Object.prototype clean',
    async (_where, text, needle) => {
      // Proves: a __proto__ key is refused with its line and column, and nothing reaches
      // Object.prototype.
      const file = await scenarioWithMap(text)
      const { error } = await expectUserError(() => loadScenario(file))
      expect(error.issues).toEqual([
        `${file}:${lineOf(text, needle)}:${needle.indexOf(needle.trim()) + 1}: the key "__proto__" is not allowed`,
      ])
      expect(({} as Record<string, unknown>).polluted).toBeUndefined()
      expect(Object.prototype).not.toHaveProperty('polluted')
    },
  )

  it.each([
    ['constructor', `${smokeText}constructor: { prototype: { polluted: true } }\n`],
    ['prototype', smokeText.replace('adoption:\n', 'adoption:\n  prototype: { polluted: true }\n')],
    [
      'constructor',
      smokeText.replace(
        '  categories:\n',
        '  categories:\n    constructor: { share: 0.1, ticketFen: 1 }\n',
      ),
    ],
  ])('turns down a "%s" key', async (key, text) => {
    // Proves: the other prototype-related keys are refused too, each named in the issue.
    const file = await scenarioWithMap(text)
    const { error } = await expectUserError(() => loadScenario(file))
    expect(error.issues).toEqual([
      `${file}:${lineOf(text, `${key}:`)}:${(text.split('\n')[lineOf(text, `${key}:`) - 1] ?? '').indexOf(key) + 1}: the key "${key}" is not allowed`,
    ])
  })

  it.each([
    ['a flow list as a key', `${smokeText}? [a, b]\n: 1\n`],
    ['an alias as a key', `${smokeText}x: &k name\n*k : 1\n`],
  ])('turns down %s', async (_what, text) => {
    // Proves: only plain scalar keys are accepted, so no key can turn into an object or smuggle a
    // name through an alias.
    const file = await scenarioWithMap(text)
    const { error } = await expectUserError(() => loadScenario(file))
    expect(error.issues).toHaveLength(1)
    expect(error.issues[0]).toMatch(/:\d+:\d+: keys must be plain words$/)
  })

  it('turns down a file of several YAML documents', async () => {
    // Proves: a second document after `---` is not silently ignored.
    const file = await scenarioWithMap(`${smokeText}---\nseed: 8\n`)
    const { error } = await expectUserError(() => loadScenario(file))
    expect(error.message.split('\n')[0]).toBe(`${file}: not valid YAML`)
  })

  it('allows block nesting of yamlDepthMax levels and turns down one more, at the line of the deepest value', async () => {
    // Proves: the block depth bound is exact and the issue points at the too-deep value.
    const fits = nestedBlock(yamlDepthMax)
    const fitsFile = await scenarioWithMap(smokeText + fits.text, 'fits.yaml')
    const passed = await expectUserError(() => loadScenario(fitsFile))
    expect(passed.error.issues).toEqual([
      `${fitsFile}:${lineOf(smokeText + fits.text, 'deep:')}: deep: unknown field`,
    ])

    const deep = nestedBlock(yamlDepthMax + 1)
    const text = smokeText + deep.text
    const file = await scenarioWithMap(text)
    const { error } = await expectUserError(() => loadScenario(file))
    expect(error.message.split('\n')[0]).toBe(`${file}: rejected`)
    expect(error.issues).toEqual([
      `${file}:${lineOf(text, deep.deepestLine)}:${deep.column}: nesting is deeper than the limit of ${yamlDepthMax} levels`,
    ])
  })

  it('turns down block nesting far beyond yamlDepthMax (200 levels) quickly', async () => {
    // Proves: a deeply indented file is refused by the depth bound, not by running out of stack.
    const deep = nestedBlock(200)
    const file = await folder.write('deep.yaml', deep.text)
    const { error } = await expectUserError(() => loadScenario(file))
    expect(error.issues).toHaveLength(1)
    expect(error.issues[0]).toContain(`nesting is deeper than the limit of ${yamlDepthMax} levels`)
  })

  it.each([
    ['[', ']', '[[[...]]]'],
    ['{a: ', '}', '{a: {a: ...}}'],
  ])(
    'turns down flow nesting 10,000 levels deep (%s) before parsing, naming yamlFlowDepthMax',
    async (open, close) => {
      // Proves: deep flow nesting is caught by the cheap scan before the parser recurses into it.
      const levels = 10_000
      const file = await folder.write(
        'flow.yaml',
        `nested: ${open.repeat(levels)}1${close.repeat(levels)}\n`,
      )
      const { error } = await expectUserError(() => loadScenario(file))
      expect(error.message).toBe(
        `${file}: nesting is ${levels} levels deep, more than the limit of ${yamlFlowDepthMax}`,
      )
    },
  )

  it('turns down a scenario-sized (1 MB) flow nesting bomb quickly', async () => {
    // Proves: the largest flow-nesting file that passes the size bound is still refused fast.
    const levels = Math.floor((scenarioBytesMax - 20) / 2)
    const file = await folder.write(
      'flow.yaml',
      `nested: ${'['.repeat(levels)}${']'.repeat(levels)}\n`,
    )
    const { error } = await expectUserError(() => loadScenario(file))
    expect(error.message).toContain(`more than the limit of ${yamlFlowDepthMax}`)
  })

  it('lets yamlFlowDepthMax flow levels through the scan and stops one more', async () => {
    // Proves: the flow scan bound is exact; 64 levels fall to the (smaller) block depth bound
    // instead.
    const at = await folder.write(
      'at.yaml',
      `nested: ${'['.repeat(yamlFlowDepthMax)}${']'.repeat(yamlFlowDepthMax)}\n`,
    )
    const passed = await expectUserError(() => loadScenario(at))
    expect(passed.error.message).not.toContain(`limit of ${yamlFlowDepthMax}`)
    expect(passed.error.issues[0]).toContain(`limit of ${yamlDepthMax} levels`)

    const over = await folder.write(
      'over.yaml',
      `nested: ${'['.repeat(yamlFlowDepthMax + 1)}${']'.repeat(yamlFlowDepthMax + 1)}\n`,
    )
    const { error } = await expectUserError(() => loadScenario(over))
    expect(error.message).toBe(
      `${over}: nesting is ${yamlFlowDepthMax + 1} levels deep, more than the limit of ${yamlFlowDepthMax}`,
    )
  })

  it("keeps scanning flow nesting after an apostrophe in a plain scalar (smoke.yaml's Bao'an)", async () => {
    // Proves: an apostrophe inside a word does not open a quote, so the yamlFlowDepthMax guard
    // still fires after it.
    const deepList = `nested: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`
    const file = await folder.write('bypass.yaml', smokeText + deepList)
    expect(smokeText).toContain("Bao'an")
    const { error } = await expectUserError(() => loadScenario(file))
    expect(error.message).toBe(
      `${file}: nesting is 10000 levels deep, more than the limit of ${yamlFlowDepthMax}`,
    )
  })

  it('keeps scanning flow nesting after a # inside a plain scalar', async () => {
    // Proves: a # that does not follow a space is text, not a comment that hides the rest of the
    // line from the guard.
    const file = await folder.write(
      'hash.yaml',
      `nested: [a#${'['.repeat(10_000)}${']'.repeat(10_000)}]\n`,
    )
    const { error } = await expectUserError(() => loadScenario(file))
    expect(error.message).toContain(`more than the limit of ${yamlFlowDepthMax}`)
  })

  it.each([
    ['- ', 'compact sequences'],
    ['? ', 'compact complex keys'],
  ])(
    'refuses compact block nesting ("%s" 10,000 times on one line, %s) before parsing',
    async (indicator) => {
      // Proves: one-line block nesting is bounded before the recursive parser sees it, with the
      // depth limit named.
      const file = await folder.write('dashes.yaml', `${indicator.repeat(10_000)}x\n`)
      const { error } = await expectUserError(() => loadScenario(file))
      expect(error.issues).toEqual([
        `${file}:1: nesting is deeper than the limit of ${yamlDepthMax} levels`,
      ])
    },
  )
})

describe('the map path (city.map)', () => {
  let scenarioDir: string
  let outsideMap: string
  beforeEach(async () => {
    // The scenario lives in <temp>/scenario; a perfectly valid map sits outside it in <temp>.
    scenarioDir = path.join(folder.dir, 'scenario')
    await folder.copyMap(path.join('scenario', 'maps', 'shenzhen.geojson'))
    outsideMap = await folder.write('outside.geojson', shenzhenMapText)
  })

  async function writeScenario(map: string): Promise<{ file: string; text: string }> {
    const text = smokeWith({ 'city.map': map })
    return { file: await folder.write(path.join('scenario', 'scenario.yaml'), text), text }
  }

  const cases: [string, () => Promise<string>, RegExp][] = [
    [
      'a parent path ../outside.geojson',
      async () => '../outside.geojson',
      /must be a path inside the scenario's folder$/,
    ],
    [
      'an absolute path outside the folder',
      async () => outsideMap,
      /must be a path inside the scenario's folder$/,
    ],
    [
      'an absolute path to the map inside the folder',
      async () => path.join(scenarioDir, 'maps', 'shenzhen.geojson'),
      /must be a path inside the scenario's folder$/,
    ],
    [
      'a path that climbs out and back in elsewhere',
      async () => 'maps/../../outside.geojson',
      /must be a path inside the scenario's folder$/,
    ],
    [
      'a symlink inside the folder to a map outside it',
      async () => {
        await fs.symlink(outsideMap, path.join(scenarioDir, 'maps', 'link.geojson'))
        return 'maps/link.geojson'
      },
      /leads outside the scenario's folder through a link$/,
    ],
    [
      'a symlinked folder leading outside',
      async () => {
        await fs.symlink(folder.dir, path.join(scenarioDir, 'up'))
        return 'up/outside.geojson'
      },
      /leads outside the scenario's folder through a link$/,
    ],
    [
      'a map file with a .txt extension',
      async () => {
        await folder.write(path.join('scenario', 'maps', 'shenzhen.txt'), shenzhenMapText)
        return 'maps/shenzhen.txt'
      },
      /must be a \.geojson or \.json file$/,
    ],
    [
      'a map file with no extension',
      async () => 'maps/shenzhen',
      /must be a \.geojson or \.json file$/,
    ],
    [
      'a missing map file',
      async () => 'maps/missing.geojson',
      /cannot read "maps\/missing\.geojson" \(no such file\)$/,
    ],
  ]

  it.each(cases)('turns down %s, naming city.map on its line', async (_what, arrange, message) => {
    // Proves: a map path that leaves the scenario's folder, has the wrong extension or is missing
    // is refused with the city.map path.
    const map = await arrange()
    const { file, text } = await writeScenario(map)
    const { error } = await expectUserError(() => loadScenario(file))
    expect(error.message.split('\n')[0]).toBe(`${file}: invalid scenario`)
    expect(error.issues).toHaveLength(1)
    const issue = error.issues[0] ?? ''
    expect(issue.startsWith(`${file}:${lineOf(text, '  map: ')}: city.map: `)).toBe(true)
    expect(issue).toContain(JSON.stringify(map))
    expect(issue).toMatch(message)
  })

  it.each([
    ['a symlink that stays inside the folder', 'maps/inside-link.geojson'],
    ['a path that climbs out of maps/ and back in', 'maps/../maps/shenzhen.geojson'],
    ['a .json extension', 'maps/shenzhen.json'],
  ])('accepts %s', async (_what, map) => {
    // Proves: the path checks are not over-eager: links and ".." that stay inside, and .json maps,
    // are fine.
    await fs.symlink(
      path.join(scenarioDir, 'maps', 'shenzhen.geojson'),
      path.join(scenarioDir, 'maps', 'inside-link.geojson'),
    )
    await folder.write(path.join('scenario', 'maps', 'shenzhen.json'), shenzhenMapText)
    const { file } = await writeScenario(map)
    const loaded = await loadScenario(file)
    expect(loaded.map.features).toHaveLength(8)
    expect(loaded.mapFile.startsWith(await fs.realpath(scenarioDir))).toBe(true)
  })

  it('turns down a folder named like a map', async () => {
    // Proves: a directory called *.geojson is refused as not a regular file, naming it.
    await fs.mkdir(path.join(scenarioDir, 'maps', 'folder.geojson'))
    const { file } = await writeScenario('maps/folder.geojson')
    const { error } = await expectUserError(() => loadScenario(file))
    expect(error.message).toBe(
      `${await fs.realpath(path.join(scenarioDir, 'maps', 'folder.geojson'))}: the map file is not a regular file`,
    )
  })

  it('accepts a map inside the folder whose name starts with ".."', async () => {
    // Proves: "escapes the folder" means a parent path segment, not any name that begins with two
    // dots.
    await folder.write(path.join('scenario', '..shenzhen.geojson'), shenzhenMapText)
    expect(path.relative(scenarioDir, path.resolve(scenarioDir, '..shenzhen.geojson'))).toBe(
      '..shenzhen.geojson',
    )
    const { file } = await writeScenario('..shenzhen.geojson')
    const loaded = await loadScenario(file)
    expect(loaded.mapFile).toBe(await fs.realpath(path.join(scenarioDir, '..shenzhen.geojson')))
  })
})

describe.skipIf(process.platform === 'win32')('named pipes (FIFOs)', () => {
  const unblock = async (fifo: string) => {
    // Opening the write end lets a reader blocked in open() go on; with O_NONBLOCK this never
    // blocks the test.
    try {
      const handle = await fs.open(fifo, constants.O_WRONLY | constants.O_NONBLOCK)
      await handle.close()
    } catch {
      // ENXIO: nobody is reading, nothing to unblock.
    }
  }

  const settleWithin = async <T>(promise: Promise<T>, ms: number): Promise<T | 'pending'> => {
    let timer: NodeJS.Timeout | undefined
    const pending = new Promise<'pending'>((resolve) => {
      timer = setTimeout(() => resolve('pending'), ms)
    })
    const outcome = await Promise.race([promise, pending])
    clearTimeout(timer)
    return outcome
  }

  it.each([['the map'], ['the scenario']])(
    'refuses %s when it is a named pipe nobody writes to, without waiting for a writer',
    async (which) => {
      // Proves: the file is opened without blocking and refused as not a regular file, within a
      // second.
      await folder.copyMap()
      const fifo = path.join(folder.dir, which === 'the map' ? 'maps/pipe.geojson' : 'pipe.yaml')
      execFileSync('mkfifo', [fifo])
      const file =
        which === 'the map'
          ? await folder.write('scenario.yaml', smokeWith({ 'city.map': 'maps/pipe.geojson' }))
          : fifo
      const load = loadScenario(file).then(
        () => 'loaded',
        (error: unknown) => error,
      )
      let outcome: unknown
      try {
        outcome = await settleWithin(load, 1000)
      } finally {
        await unblock(fifo)
      }
      expect(outcome).toBeInstanceOf(UserError)
      expect((outcome as UserError).message).toMatch(
        /pipe\.(geojson|yaml): the (map|scenario) file is not a regular file$/,
      )
    },
  )
})

describe('the map file', () => {
  let mapFile: string
  beforeEach(async () => {
    mapFile = await folder.copyMap()
  })

  /**
   * Writes the smoke scenario and, in place of the map, `map` (JSON-encoded unless it is text or
   * bytes).
   */
  async function withMap(map: unknown): Promise<string> {
    await fs.rm(mapFile)
    await folder.write(
      path.join('maps', 'shenzhen.geojson'),
      typeof map === 'string' || map instanceof Uint8Array ? map : JSON.stringify(map),
    )
    return folder.write('scenario.yaml', smokeText)
  }

  const shenzhen = () =>
    JSON.parse(shenzhenMapText) as {
      type: string
      features: { id: string; geometry: { type: string; coordinates: unknown } | null }[]
    }

  it('turns down a map that is not JSON, naming the map file', async () => {
    // Proves: a JSON syntax error in the map is a UserError that names the map, not the scenario.
    const file = await withMap('{"type": "FeatureCollection", "features": [')
    const { error } = await expectUserError(() => loadScenario(file))
    expect(error.message).toMatch(
      new RegExp(`^${escapeRegExp(await fs.realpath(mapFile))}: not valid JSON \\(`),
    )
  })

  it.each([
    ['a single Feature', () => ({ ...shenzhen().features[0], type: 'Feature' })],
    ['a list', () => shenzhen().features],
    ['a collection without features', () => ({ type: 'FeatureCollection' })],
    ['null', () => null],
  ])('turns down a map that is not a FeatureCollection (%s)', async (_what, map) => {
    // Proves: the map must be a GeoJSON FeatureCollection; the error names the map file.
    const file = await withMap(map())
    const { error } = await expectUserError(() => loadScenario(file))
    expect(error.message.split('\n')[0]).toBe(
      `${await fs.realpath(mapFile)}: not a usable district map`,
    )
    expect(error.issues).toEqual(['must be a GeoJSON FeatureCollection with a "features" list'])
  })

  it('turns down a map with a feature whose geometry is not a polygon, naming the feature', async () => {
    // Proves: a Point (or missing) geometry is reported with the feature's index in the map file.
    const map = shenzhen()
    const [, , third, fourth] = map.features
    if (third === undefined || fourth === undefined)
      throw new Error('the Shenzhen map has 8 features')
    third.geometry = { type: 'Point', coordinates: [114.1, 22.5] }
    fourth.geometry = null
    const file = await withMap(map)
    const { error } = await expectUserError(() => loadScenario(file))
    expect(error.message.split('\n')[0]).toBe(
      `${await fs.realpath(mapFile)}: not a usable district map`,
    )
    expect(error.issues).toEqual([
      'features[2].geometry: must be a Polygon or MultiPolygon with coordinates',
      'features[3].geometry: must be a Polygon or MultiPolygon',
    ])
  })

  it.each([
    ['a longitude over 180', [214.1, 22.5]],
    ['a latitude under -90', [114.1, -95]],
    ['a position that is text', ['114.1', '22.5']],
  ])('turns down a map with %s', async (_what, position) => {
    // Proves: every position is checked to be [longitude, latitude] in degrees; the issue names the
    // feature and polygon.
    const map = shenzhen()
    const first = map.features[0]
    if (first === undefined) throw new Error('the Shenzhen map has features')
    const rings = first.geometry?.coordinates as unknown[][][]
    rings[0]?.splice(3, 1, position)
    const file = await withMap(map)
    const { error } = await expectUserError(() => loadScenario(file))
    expect(error.message.split('\n')[0]).toBe(
      `${await fs.realpath(mapFile)}: not a usable district map`,
    )
    expect(error.issues).toEqual([
      'features[0].geometry.coordinates[0]: each position must be [longitude, latitude] in degrees',
    ])
  })

  it('turns down a map over mapBytesMax quickly, naming the map and the limit', async () => {
    // Proves: the map's size is bounded before it is read (a sparse file one byte over the limit).
    const file = await withMap('')
    await fs.truncate(mapFile, mapBytesMax + 1)
    const { error, ms } = await expectUserError(() => loadScenario(file))
    expect(error.message).toBe(
      `${await fs.realpath(mapFile)}: the map file is ${mapBytesMax + 1} bytes, more than the limit of ${mapBytesMax}`,
    )
    expect(ms).toBeLessThan(500)
  })

  it('turns down a map that is not UTF-8', async () => {
    // Proves: the map's bytes are checked like the scenario's.
    const file = await withMap(
      Buffer.concat([Buffer.from(shenzhenMapText.slice(0, 100)), Buffer.from([0xff])]),
    )
    const { error } = await expectUserError(() => loadScenario(file))
    expect(error.message).toBe(
      `${await fs.realpath(mapFile)}: the map file is not valid UTF-8 text`,
    )
  })

  it('does not let a "__proto__" key in the map pollute Object.prototype', async () => {
    // Proves: JSON.parse keeps "__proto__" as an own key; loading such a map leaves
    // Object.prototype clean.
    const text = shenzhenMapText.replace(
      '{"type":"FeatureCollection",',
      '{"type":"FeatureCollection","__proto__":{"polluted":true},',
    )
    expect(text).not.toBe(shenzhenMapText)
    const file = await withMap(text)
    const loaded = await loadScenario(file)
    expect(loaded.map.features).toHaveLength(8)
    expect(Object.prototype).not.toHaveProperty('polluted')
  })
})

describe('every error at once', () => {
  it('reports schema, cross-field and map-path errors of one file together', async () => {
    // Proves: a user fixing a scenario sees all its errors in one go, not one kind per attempt.
    const text = smokeWith({
      seed: 'seven',
      'wallets.tiers[0].share': 0.5,
      'city.map': '../../elsewhere.geojson',
    })
    const file = await scenarioWithMap(text, 'many.yaml')
    const { error } = await expectUserError(() => loadScenario(file))
    const report = error.issues.join('\n')
    expect(report).toMatch(/seed: must be a non-negative integer/)
    expect(report).toMatch(/wallets\.tiers: shares must add up to 1 \(they add up to 1\.45\)/)
    expect(report).toMatch(
      /city\.map: "\.\.\/\.\.\/elsewhere\.geojson" must be a path inside the scenario's folder/,
    )
  })

  it('reports a district missing from the map together with schema errors', async () => {
    // Proves: the map is read even when fields elsewhere are wrong, so unknown district ids show up
    // too.
    const text = smokeWith({ scale: 5, 'city.districts[2].id': '999999' })
    const file = await scenarioWithMap(text, 'ids.yaml')
    const { error } = await expectUserError(() => loadScenario(file))
    const report = error.issues.join('\n')
    expect(report).toMatch(/scale: must be at most 1/)
    expect(report).toMatch(
      /city\.districts\[2\]\.id: "999999" is not a district of maps\/shenzhen\.geojson/,
    )
  })
})

/** A map of `ids.length` small square districts, one per id, side by side. */
function squaresMap(ids: readonly string[]): string {
  const features = ids.map((id, index) => {
    const lon = 100 + (index % 50) * 0.1
    const lat = 20 + Math.floor(index / 50) * 0.1
    const ring = [
      [lon, lat],
      [lon + 0.05, lat],
      [lon + 0.05, lat + 0.05],
      [lon, lat + 0.05],
      [lon, lat],
    ]
    return {
      type: 'Feature',
      id,
      properties: { name: `D${index}` },
      geometry: { type: 'Polygon', coordinates: [ring] },
    }
  })
  return JSON.stringify({ type: 'FeatureCollection', features })
}

/**
 * The smoke scenario with its map and districts replaced: one district per id, each of population
 * 1000.
 */
function scenarioOf(map: string, ids: readonly string[]): string {
  const districts = ids
    .map(
      (id, index) =>
        `    - id: "${id}"\n      name: D${index}\n      population: 1000\n      jobs: 500\n      adoption: 0.5\n`,
    )
    .join('')
  const text = smokeText
    .replace('maps/shenzhen.geojson', map)
    .replace(/ {2}districts:\n(?: {4}- .*\n(?: {6,}.*\n)*)+/, `  districts:\n${districts}`)
  if (!text.includes(districts))
    throw new Error('smoke.yaml no longer lists its districts one to an entry')
  return text
}

describe('bounds on what a file can make the loader build and say', () => {
  it('refuses a map of long feature ids named wrongly by every district with a bounded message (the amplification case)', async () => {
    // Proves: 255 districts missing from a map of 255 long ids no longer make 255 messages each
    // listing every id (65 MB).
    const mapIds = Array.from(
      { length: mapFeaturesMax },
      (_, index) => `${index}-${'x'.repeat(1000)}`,
    )
    await folder.write('maps/long.geojson', squaresMap(mapIds))
    const file = await folder.write(
      'amplify.yaml',
      scenarioOf(
        'maps/long.geojson',
        Array.from({ length: districtsMax }, (_, index) => `d${index}`),
      ),
    )
    const { error } = await expectUserError(() => loadScenario(file))
    expect(error.message.length).toBeLessThanOrEqual(errorMessageCharsMax)
    expect(error.issues.length).toBeLessThanOrEqual(errorIssuesMax + 1)
    expect(error.message).toContain('features[0].id: must be 1 to 32 characters')
    expect(error.message).not.toContain('x'.repeat(1000))
  })

  it("lists a few of the map's ids, then how many more, once per district missing from it, and at most errorIssuesMax of them", async () => {
    // Proves: with ids of a size the map allows, each "is not a district of" names messageIdsMax
    // ids and counts the rest, and the issues are counted past errorIssuesMax.
    const mapIds = Array.from(
      { length: mapFeaturesMax },
      (_, index) => `feature-${String(index).padStart(3, '0')}-${'y'.repeat(20)}`,
    )
    await folder.write('maps/many.geojson', squaresMap(mapIds))
    const text = scenarioOf(
      'maps/many.geojson',
      Array.from({ length: districtsMax }, (_, index) => `d${index}`),
    )
    const file = await folder.write('many.yaml', text)
    const { error } = await expectUserError(() => loadScenario(file))
    const has = `${mapIds.slice(0, messageIdsMax).join(', ')} and ${mapIds.length - messageIdsMax} more`
    expect(error.issues[0]).toBe(
      `${file}:${lineOf(text, 'id: "d0"')}: city.districts[0].id: "d0" is not a district of maps/many.geojson (it has ${has})`,
    )
    expect(error.issues).toHaveLength(errorIssuesMax + 1)
    expect(error.issues[errorIssuesMax]).toBe(`… and ${districtsMax - errorIssuesMax} more`)
    expect(error.message.length).toBeLessThanOrEqual(errorMessageCharsMax)
  })

  it('loads the largest scenario the schema allows: 255 districts with every field written, one a line each', async () => {
    // Proves: the token bound leaves room for any real scenario (this one has about 6,000 tokens of
    // the 20,000 allowed).
    const ids = Array.from(
      { length: districtsMax },
      (_, index) => `4403${String(index).padStart(3, '0')}`,
    )
    await folder.write('maps/full.geojson', squaresMap(ids))
    const file = await folder.write('full.yaml', scenarioOf('maps/full.geojson', ids))
    const loaded = await loadScenario(file)
    expect(loaded.scenario.city.districts).toHaveLength(districtsMax)
    expect(loaded.map.features).toHaveLength(districtsMax)
  })

  it.each([
    [
      'a flow list of half a million items (1 MiB)',
      (count: number) => `junk: [${Array(count).fill('1').join(',')}]\n`,
      500_000,
    ],
    [
      'a block list of a quarter million items',
      (count: number) => `junk:\n${'- 1\n'.repeat(count)}`,
      250_000,
    ],
    [
      'a mapping of eighty thousand keys',
      (count: number) =>
        `junk: {${Array.from({ length: count }, (_, index) => `k${index}: 1`).join(', ')}}\n`,
      80_000,
    ],
  ])(
    'refuses %s before parsing it, naming the line where it passes yamlTokensMax',
    async (_what, junk, count) => {
      // Proves: a file within the size bound but of huge lists is refused by counting tokens, not
      // after building a document of them (600 MiB).
      const text = smokeText + junk(count)
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(scenarioBytesMax)
      const file = await scenarioWithMap(text)
      const { error } = await expectUserError(() => loadScenario(file))
      expect(error.message.split('\n')[0]).toBe(`${file}: rejected`)
      expect(error.issues).toHaveLength(1)
      const match = new RegExp(
        `^${escapeRegExp(file)}:(\\d+): more than ${yamlTokensMax} YAML tokens`,
      ).exec(error.issues[0] ?? '')
      expect(match, error.issues[0]).not.toBeNull()
      expect(Number(match?.[1])).toBeGreaterThanOrEqual(lineOf(text, 'junk:'))
    },
  )

  it('refuses a map of a million positions before JSON.parse builds them, naming the line', async () => {
    // Proves: a map within mapBytesMax but of a million coordinates is refused by counting values
    // first (was 220 MiB and 4.6 s).
    const ring = `[${Array.from({ length: 1_000_000 }, (_, index) => `[${100 + (index % 7)},${20 + (index % 5)}]`).join(',')}]`
    const map = `{"type":"FeatureCollection","features":[\n{"type":"Feature","id":"440303","geometry":{"type":"Polygon","coordinates":[\n${ring}]}}]}`
    expect(Buffer.byteLength(map)).toBeLessThanOrEqual(mapBytesMax)
    await folder.write('maps/million.geojson', map)
    const file = await folder.write(
      'scenario.yaml',
      smokeWith({ 'city.map': 'maps/million.geojson' }),
    )
    const { error } = await expectUserError(() => loadScenario(file))
    const mapFile = await fs.realpath(path.join(folder.dir, 'maps', 'million.geojson'))
    expect(error.message.split('\n')[0]).toBe(`${mapFile}: not a usable district map`)
    expect(error.issues).toEqual([
      `${mapFile}:3: more than ${mapJsonValuesMax} JSON values (a map of 200000 positions has about 600000)`,
    ])
  })

  it('refuses a map of millions of empty lists and objects next to its features', async () => {
    // Proves: values the map does not use are counted too: they cost memory when parsed whatever
    // they are.
    const junk = Array.from({ length: 3_000_000 }, (_, index) =>
      index % 2 === 0 ? '[]' : '{}',
    ).join(',')
    const map = shenzhenMapText.replace(
      '{"type":"FeatureCollection",',
      `{"type":"FeatureCollection","junk":[${junk}],`,
    )
    expect(map).not.toBe(shenzhenMapText)
    await folder.write('maps/shenzhen.geojson', map)
    const file = await folder.write('scenario.yaml', smokeText)
    const { error } = await expectUserError(() => loadScenario(file))
    expect(error.issues[0]).toContain(`more than ${mapJsonValuesMax} JSON values`)
  })

  it('counts no commas or brackets inside JSON strings', async () => {
    // Proves: the count before parsing follows JSON's strings (and their escapes), so a long name
    // full of commas is one value.
    const map = JSON.parse(shenzhenMapText) as {
      features: { properties: Record<string, unknown> }[]
    }
    const first = map.features[0]
    if (first === undefined) throw new Error('the Shenzhen map has features')
    first.properties.note = `\\"${',[{'.repeat(400_000)}\\"`
    await folder.write('maps/shenzhen.geojson', JSON.stringify(map))
    const loaded = await loadScenario(await folder.write('scenario.yaml', smokeText))
    expect(loaded.map.features).toHaveLength(8)
  })
})
