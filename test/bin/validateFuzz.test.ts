/**
 * `citytwin validate` against generated hostile scenarios and maps. First thousands of them
 * in-process, through validateScenario (exactly what validate calls): every one must be refused
 * with a UserError, never another error, whose message is bounded and holds no raw control
 * character, each within a bounded time, and none may touch Object.prototype. Then the worst of
 * them (the issue's own among them) through the real CLI: exit 2, no stack trace, under 10 s of
 * wall time and 512 MiB of peak RSS each.
 *
 * Every generated case is invalid by construction: each mutation below is enough on its own to
 * make the scenario invalid, and the last one applied is never undone by another. The fuzz seed
 * is fixed so a failure is reproducible; CITYTWIN_FUZZ_SEED tries another.
 */
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse, stringify } from 'yaml'
import { UserError } from '../../engine/errors.js'
import { errorMessageCharsMax, mapBytesMax, scenarioBytesMax } from '../../engine/limits.js'
import { validateScenario } from '../../engine/run/index.js'
import { citytwin } from '../helpers/cli.js'
import { steeringIn } from '../helpers/controls.js'
import type { ProcessUsage } from '../helpers/reportUsage.js'
import { repoRoot } from '../helpers/runs.js'

/**
 * The bounds of the issue: any hostile file is refused within 10 s and 512 MiB, process start
 * included. The time is the child's processor time (user and system), which is what the file
 * costs whoever else shares the cores: on a machine running five test suites at once the wall
 * time of even `citytwin --version` passes 10 s. The wall time only guards against a hang.
 */
const cpuMsMax = 10_000
const rssKibMax = 512 * 1024
const hangMsMax = 90_000
/** In-process, validating one case gets this much processor time: far more than any takes. */
const caseCpuMsMax = 5_000
/** CITYTWIN_FUZZ_RUNS tries more (or fewer). */
const fuzzRuns = Number(process.env.CITYTWIN_FUZZ_RUNS ?? 2_000)

const smokeText = await fs.readFile(path.join(repoRoot, 'scenarios', 'smoke.yaml'), 'utf8')
const smokeIds = ['440303', '440304', '440305', '440306', '440307', '440308', '440310', '440309']

/**
 * A small map with the smoke scenario's eight ids: squares, so each case's own map costs little.
 */
function squaresMap(
  ids: readonly string[],
  ring = (lon: number, lat: number): unknown => [
    [
      [lon, lat],
      [lon + 0.05, lat],
      [lon + 0.05, lat + 0.05],
      [lon, lat + 0.05],
      [lon, lat],
    ],
  ],
): string {
  const features = ids.map((id, index) => ({
    type: 'Feature',
    id,
    properties: { name: `D${index}` },
    geometry: { type: 'Polygon', coordinates: ring(110 + index * 0.1, 22) },
  }))
  return JSON.stringify({ type: 'FeatureCollection', features })
}
const baseMap = squaresMap(smokeIds)

/**
 * What a case writes: the scenario (as an object to stringify, text to append, or raw bytes), its
 * map, its file's name.
 */
interface Draft {
  doc: Record<string, unknown>
  appended: string[]
  raw?: string | Uint8Array
  map?: string
  mapName?: string
  fileName: string
}

interface Mutation {
  readonly label: string
  readonly apply: (draft: Draft) => void
}

function mutation(label: string, apply: (draft: Draft) => void): Mutation {
  return { label, apply, [fc.toStringMethod]: () => label } as Mutation
}

function baseDoc(): Record<string, unknown> {
  const doc = parse(smokeText) as Record<string, unknown>
  ;(doc.city as Record<string, unknown>).map = 'maps/base.geojson'
  return doc
}

type Key = string | number
/** Every path of the smoke scenario's fields, containers and leaves, the top level aside. */
const fieldPaths: Key[][] = []
;(function walk(value: unknown, at: Key[]) {
  if (at.length > 0) fieldPaths.push(at)
  if (Array.isArray(value)) value.forEach((item, index) => walk(item, [...at, index]))
  else if (typeof value === 'object' && value !== null)
    for (const [key, item] of Object.entries(value)) walk(item, [...at, key])
})(baseDoc(), [])
/**
 * Paths of the objects among them, where a key can be added (categories aside: a new key there is a
 * category).
 */
const objectPaths: Key[][] = [
  [],
  ...fieldPaths.filter((at) => {
    const value = at.reduce<unknown>((node, key) => (node as Record<Key, unknown>)[key], baseDoc())
    return (
      typeof value === 'object' &&
      value !== null &&
      !Array.isArray(value) &&
      at.join('.') !== 'merchants.categories'
    )
  }),
]

/** The container at `at`, or undefined when an earlier mutation replaced it with something else. */
function objectAt(
  doc: Record<string, unknown>,
  at: readonly Key[],
): Record<Key, unknown> | undefined {
  let node: unknown = doc
  for (const key of at) {
    if (typeof node !== 'object' || node === null) return undefined
    node = (node as Record<Key, unknown>)[key]
  }
  return typeof node === 'object' && node !== null ? (node as Record<Key, unknown>) : undefined
}

/**
 * Sets `at` to `value`; when its parent is gone, adds an unknown top-level key instead (still
 * invalid).
 */
function setAt(doc: Record<string, unknown>, at: readonly Key[], value: unknown): void {
  const parent = objectAt(doc, at.slice(0, -1))
  const last = at[at.length - 1] as Key
  if (parent === undefined)
    Object.defineProperty(doc, 'kOrphan', {
      value,
      enumerable: true,
      configurable: true,
      writable: true,
    })
  else
    Object.defineProperty(parent, last, {
      value,
      enumerable: true,
      configurable: true,
      writable: true,
    })
}

// --- Hostile pieces.

const controlCharacters = [
  '\x1b',
  '\x07',
  '\x00',
  '\r',
  '\x08',
  '\x7f',
  '\x9b',
  '\u202e',
  '\u2066',
  '\u200f',
  '\u2028',
  '\x1b]0;pwned\x07',
  '\x1b[2J',
  '\x1b[31m',
]
const controlArb = fc.constantFrom(...controlCharacters)
/** Text with at least one control character in it. */
const withControls = fc
  .tuple(fc.string({ maxLength: 12 }), controlArb, fc.string({ unit: 'binary', maxLength: 12 }))
  .map(([a, control, b]) => `${a}${control}${b}`)
/** Any text, odd code points and controls included. */
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  withControls,
  fc.string({ maxLength: 40 }),
)
/** Text of a length drawn mostly small, sometimes huge. */
const sizedText = (min: number, max: number) =>
  fc
    .tuple(
      fc.integer({ min, max }),
      fc.oneof(
        fc.constant('x'),
        withControls,
        fc.string({ unit: 'binary', minLength: 1, maxLength: 4 }),
      ),
    )
    .map(([length, unit]) =>
      unit.repeat(Math.ceil(length / unit.length)).slice(0, Math.max(min, length)),
    )
/**
 * A count, mostly up to `small`, one time in thirty up to `large`: huge files are slow to write
 * and parse, and the worst of them go through the CLI below anyway.
 */
const bigCount = (small: number, large: number) =>
  fc.oneof(
    { arbitrary: fc.integer({ min: 1, max: small }), weight: 29 },
    { arbitrary: fc.integer({ min: small, max: large }), weight: 1 },
  )

/** File names a shell could be given: ordinary, with escape codes, bidi, long. No '/' or NUL. */
const fileNameArb = fc
  .oneof(
    { arbitrary: fc.constant('case.yaml'), weight: 3 },
    {
      arbitrary: fc
        .tuple(withControls, fc.constantFrom('.yaml', '.yml', ''))
        .map(([name, ext]) => `${name.replace(/[/\0]/g, '_')}${ext}`),
      weight: 2,
    },
    {
      arbitrary: fc
        .integer({ min: 100, max: 200 })
        .map((length) => `${'长'.repeat(Math.floor(length / 3))}.yaml`),
      weight: 1,
    },
  )
  .filter((name) => name !== '' && name !== '.' && name !== '..' && Buffer.byteLength(name) <= 255)

/**
 * Values of the wrong type for any field: no field takes an object with a key "zz", a list of
 * objects, NaN or infinities.
 */
const wrongValueArb = fc.oneof(
  fc.record({ zz: fc.jsonValue({ maxDepth: 2 }) }),
  fc.array(fc.oneof(fc.constant({}), fc.record({ zz: fc.jsonValue({ maxDepth: 1 }) })), {
    minLength: 1,
    maxLength: 5,
  }),
  bigCount(50, 30_000).map((count) => Array.from({ length: count }, () => ({}))),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -1e308),
)

// --- Mutations, each enough on its own to make the scenario invalid.

const unknownKey = fc
  .tuple(
    fc.constantFrom(...objectPaths),
    fc.oneof(
      fc.constantFrom('__proto__', 'constructor', 'prototype'),
      anyText.map((text) => `k${text}`),
    ),
    fc.jsonValue({ maxDepth: 3 }),
  )
  .map(([at, key, value]) =>
    mutation(`unknown key ${JSON.stringify(key)} at ${at.join('.') || '(top)'}`, (draft) => {
      const target = objectAt(draft.doc, at) ?? draft.doc
      Object.defineProperty(target, key, {
        value,
        enumerable: true,
        configurable: true,
        writable: true,
      })
    }),
  )

const wrongType = fc
  .tuple(fc.constantFrom(...fieldPaths), wrongValueArb)
  .map(([at, value]) =>
    mutation(`wrong type at ${at.join('.')}`, (draft) => setAt(draft.doc, at, value)),
  )

const unknownDistricts = fc
  .tuple(
    fc.oneof(
      { arbitrary: fc.integer({ min: 1, max: 40 }), weight: 20 },
      { arbitrary: fc.constant(255), weight: 2 },
      { arbitrary: fc.integer({ min: 256, max: 4_000 }), weight: 1 },
    ),
    anyText,
  )
  .map(([count, id]) =>
    mutation(`${count} districts not in the map`, (draft) => {
      setAt(
        draft.doc,
        ['city', 'districts'],
        Array.from({ length: count }, (_, index) => ({
          id: `zz${index}${id}`.slice(0, 40),
          name: 'D',
          population: 1,
        })),
      )
    }),
  )

const longString = fc
  .tuple(
    fc.constantFrom<Key[]>(
      ['name'],
      ['description'],
      ['city', 'districts', 0, 'id'],
      ['city', 'districts', 1, 'name'],
      ['banks', 'names', 0],
      ['utilities', 0],
      ['city', 'map'],
    ),
    fc.oneof(
      { arbitrary: sizedText(2_001, 5_000), weight: 9 },
      { arbitrary: sizedText(5_000, 400_000), weight: 1 },
    ),
  )
  .map(([at, text]) =>
    mutation(`${text.length} characters at ${at.join('.')}`, (draft) => setAt(draft.doc, at, text)),
  )

const controlsInText = fc
  .tuple(
    fc.constantFrom<Key[]>(
      ['name'],
      ['description'],
      ['city', 'districts', 2, 'name'],
      ['city', 'districts', 3, 'id'],
      ['banks', 'names', 1],
      ['utilities', 1],
    ),
    withControls,
  )
  .map(([at, text]) =>
    mutation(`control characters at ${at.join('.')}: ${JSON.stringify(text)}`, (draft) => {
      // A description may hold line breaks and tabs: the control put in it is another one.
      setAt(draft.doc, at, `${text.replace(/[\n\t]/g, '')}\x1b[2J`)
    }),
  )

const planTooLarge = fc.constant(
  // Transfer ids (below 2^53) no longer bound a schema-valid plan: its money does.
  mutation('a plan far too large for one run', (draft) => {
    setAt(draft.doc, ['scale'], 1)
    setAt(draft.doc, ['banks', 'issuancePerResidentFen'], 4_294_967_295)
  }),
)

const deepNesting = fc.oneof(
  fc
    .tuple(fc.integer({ min: 25, max: 100_000 }), fc.constantFrom(['[', ']'], ['{a: ', '}']))
    .map(([depth, [open, close]]) =>
      mutation(`flow nesting ${depth} deep`, (draft) =>
        draft.appended.push(
          `deep: ${(open as string).repeat(depth)}1${(close as string).repeat(depth)}\n`,
        ),
      ),
    ),
  fc
    .integer({ min: 25, max: 400 })
    .map((depth) =>
      mutation(`block nesting ${depth} deep`, (draft) =>
        draft.appended.push(
          `deep:\n${Array.from({ length: depth }, (_, level) => `${' '.repeat(level + 1)}a:\n`).join('')}${' '.repeat(depth + 1)}b: 1\n`,
        ),
      ),
    ),
  fc
    .tuple(
      bigCount(200, 100_000).map((depth) => depth + 24),
      fc.constantFrom('- ', '? ', '- a: '),
    )
    .map(([depth, indicator]) =>
      mutation(`"${indicator}" ${depth} times on a line`, (draft) =>
        draft.appended.push(`deep:\n  ${indicator.repeat(depth)}x\n`),
      ),
    ),
)

/** Appends YAML text: each text given here holds an unknown key or breaks the YAML. */
function appending(label: string, text: string): Mutation {
  return mutation(label, (draft) => draft.appended.push(text))
}

/** The "billion laughs": `levels` anchors, each a list of `width` aliases of the one before. */
function aliasBomb(levels: number, width: number): Mutation {
  let text = 'bomb:\n  a0: &a0 "lol"\n'
  for (let level = 1; level <= levels; level++)
    text += `  a${level}: &a${level} [${Array.from({ length: width }, () => `*a${level - 1}`).join(', ')}]\n`
  return appending(`alias bomb ${levels} x ${width}`, text)
}

const aliases = fc.oneof(
  fc
    .tuple(fc.integer({ min: 2, max: 12 }), fc.integer({ min: 2, max: 12 }))
    .map(([levels, width]) => aliasBomb(levels, width)),
  bigCount(100, 20_000).map((count) =>
    mutation(`${count} anchors and aliases`, (draft) =>
      draft.appended.push(
        `anchors: [${Array.from({ length: count }, (_, index) => `&a${index} ${index}`).join(', ')}]\naliases: [${Array.from({ length: count }, (_, index) => `*a${index}`).join(', ')}]\n`,
      ),
    ),
  ),
)

const prototypeText = fc
  .constantFrom(
    '__proto__: { polluted: true }\n',
    '"__proto__": { polluted: true }\n',
    'constructor: { prototype: { polluted: true } }\n',
    'x: &p { polluted: true }\n__proto__: *p\n',
    '? __proto__\n: { polluted: true }\n',
  )
  .map((text) => appending(`prototype key ${JSON.stringify(text)}`, text))

/**
 * A flow list (or, for `key: value` items, a flow mapping) of `count` items, as many as fit the
 * scenario's size bound.
 */
function flowList(count: number, item: string): Mutation {
  return mutation(`a list of ${count} × ${JSON.stringify(item)}`, (draft) => {
    const bytesLeft = scenarioBytesMax - Buffer.byteLength(stringify(draft.doc)) - 64
    const fits = Math.max(1, Math.min(count, Math.floor(bytesLeft / (Buffer.byteLength(item) + 2))))
    draft.appended.push(
      item.includes(':')
        ? `junk: {${`${item}, `.repeat(fits)}}\n`
        : `junk: [${`${item},`.repeat(fits)}]\n`,
    )
  })
}

function blockList(count: number): Mutation {
  return appending(
    `a block list of ${count}`,
    `junk:\n${'- 1\n'.repeat(Math.min(count, Math.floor((scenarioBytesMax - 4096) / 4)))}`,
  )
}

const hugeList = fc
  .tuple(bigCount(500, 500_000), fc.constantFrom('1', '{}', '[]', '"x"', 'a: 1', '~', 'x\x1b'))
  .map(([count, item]) => flowList(count, item))
const blockLists = bigCount(500, 250_000).map(blockList)

const yamlOddities = fc
  .constantFrom(
    'odd: !!binary AAAA\n',
    'odd: !!js/function "function () {}"\n',
    'odd: !!python/object:os.system ls\n',
    'odd: !custom 1\n',
    '%YAML 1.1\n---\nodd: 1\n',
    '---\nseed: 8\n',
    'seed: 9\n',
    'odd:\n\t- tab\n',
    '? [a, b]\n: 1\n',
    'odd: "unterminated\n',
    'odd: \ufeff1\n',
    'odd: [1, 2\n',
    `${'---\n'.repeat(50_000)}`,
    'odd: |\n  block\n   \x1b[2J\n',
  )
  .map((text) => appending(`YAML oddity ${JSON.stringify(text.slice(0, 40))}`, text))

const garbage = fc.oneof(
  fc
    .string({ unit: 'binary', maxLength: 2_000 })
    .map((text) => mutation(`garbage text of ${text.length}`, (draft) => void (draft.raw = text))),
  fc
    .uint8Array({ maxLength: 2_000 })
    .map((bytes) =>
      mutation(`garbage bytes of ${bytes.length}`, (draft) => void (draft.raw = bytes)),
    ),
  fc
    .tuple(
      fc.uint8Array({ minLength: 1, maxLength: 16 }),
      fc.integer({ min: 10_000, max: scenarioBytesMax }),
    )
    .map(([unit, length]) =>
      mutation(`${length} bytes repeating ${unit.length}`, (draft) => {
        const bytes = new Uint8Array(length)
        for (let index = 0; index < length; index++)
          bytes[index] = unit[index % unit.length] as number
        draft.raw = bytes
      }),
    ),
)

// Maps, each broken on its own: the scenario is pointed at it (under a name that may itself be
// hostile).
const ring = (count: number, lon = 114, lat = 22) =>
  `[${`[${lon},${lat}],`.repeat(count - 1)}[${lon},${lat}]]`
const mapOf = (features: readonly string[], extra = '') =>
  `{"type":"FeatureCollection"${extra},"features":[${features.join(',')}]}`
const featureOf = (id: string, geometry: string, properties = '{"name":"D"}') =>
  `{"type":"Feature","id":${id},"properties":${properties},"geometry":${geometry}}`
const polygon = (rings: string) => `{"type":"Polygon","coordinates":[${rings}]}`

const brokenMap = fc
  .oneof(
    fc
      .tuple(
        fc.integer({ min: 1, max: 255 }),
        fc.oneof(
          { arbitrary: fc.integer({ min: 33, max: 2_000 }), weight: 19 },
          { arbitrary: fc.integer({ min: 2_000, max: 60_000 }), weight: 1 },
        ),
      )
      .map(([count, length]) => ({
        label: `${count} features with ids of ${length} characters`,
        map: () =>
          mapOf(
            Array.from({ length: count }, (_, index) =>
              featureOf(JSON.stringify(`${index}-${'i'.repeat(length)}`), polygon(ring(5))),
            ),
          ),
      })),
    fc.integer({ min: 256, max: 3_000 }).map((count) => ({
      label: `${count} features`,
      map: () =>
        mapOf(
          Array.from({ length: count }, (_, index) => featureOf(`"f${index}"`, polygon(ring(4)))),
        ),
    })),
    fc
      .tuple(bigCount(10_000, 1_600_000), fc.integer({ min: 1, max: 20 }))
      .map(([positions, rings]) => ({
        label: `${positions} positions in ${rings} rings`,
        map: () =>
          mapOf([
            featureOf(
              '"440303"',
              `{"type":"MultiPolygon","coordinates":[${Array.from({ length: rings }, () => `[${ring(Math.max(4, Math.ceil(positions / rings)), 1, 2)}]`).join(',')}]}`,
            ),
          ]),
      })),
    fc
      .constantFrom('1e999', '-1e999', '"NaN"', 'null', '1e400', '91', '-90.5', 'true', '[]', '{}')
      .map((bad) => ({
        label: `a latitude ${bad}`,
        map: () =>
          mapOf(
            smokeIds.map((id, index) =>
              featureOf(
                `"${id}"`,
                polygon(index === 3 ? `[[114,22],[114.05,${bad}],[114.1,22.1],[114,22]]` : ring(4)),
              ),
            ),
          ),
      })),
    fc
      .constantFrom(
        '{"type":"Point","coordinates":[114,22]}',
        '{"type":"LineString","coordinates":[[114,22],[115,23]]}',
        '{"type":"GeometryCollection","geometries":[]}',
        'null',
        '"Polygon"',
        '{"type":"Polygon","coordinates":[[[114,22],[115,22],[114,22]]]}',
        '{"type":"Polygon","coordinates":[]}',
        '{"type":"MultiPolygon","coordinates":[[[]]]}',
        '{"type":"Polygon","coordinates":"[[114,22]]"}',
      )
      .map((geometry) => ({
        label: `a geometry ${geometry}`,
        map: () =>
          mapOf(
            smokeIds.map((id, index) =>
              featureOf(`"${id}"`, index === 5 ? geometry : polygon(ring(4))),
            ),
          ),
      })),
    fc
      .tuple(bigCount(10_000, 4_000_000), fc.constantFrom('coordinates', 'features', 'top'))
      .map(([depth, where]) => ({
        label: `lists ${depth} deep in ${where}`,
        map: () => {
          const deep = `${'['.repeat(Math.min(depth, mapBytesMax / 2 - 200))}${']'.repeat(Math.min(depth, mapBytesMax / 2 - 200))}`
          if (where === 'coordinates')
            return mapOf([featureOf('"440303"', `{"type":"Polygon","coordinates":${deep}}`)])
          if (where === 'features') return `{"type":"FeatureCollection","features":${deep}}`
          return deep
        },
      })),
    fc
      .tuple(bigCount(10_000, 5_000_000), fc.constantFrom('{}', '[]', '0', '"a"', '1.5e3'))
      .map(([count, item]) => ({
        // A feature that is not one keeps the map broken when the junk is small enough to parse.
        label: `${count} × ${item} beside a broken feature`,
        map: () => {
          const fits = Math.min(count, Math.floor((mapBytesMax - 4096) / (item.length + 1)))
          return mapOf(
            ['{"bad":1}', ...smokeIds.map((id) => featureOf(`"${id}"`, polygon(ring(4))))],
            `,"junk":[${`${item},`.repeat(fits - 1)}${item}]`,
          )
        },
      })),
    fc.tuple(fc.constantFrom(...smokeIds), withControls).map(([id, text]) => ({
      label: `an id with controls ${JSON.stringify(text)}`,
      map: () =>
        mapOf(
          smokeIds.map((other) =>
            featureOf(JSON.stringify(other === id ? `${id}${text}` : other), polygon(ring(4))),
          ),
        ),
    })),
    fc.constant({
      label: 'two features with one id',
      map: () => mapOf([...smokeIds, '440303'].map((id) => featureOf(`"${id}"`, polygon(ring(4))))),
    }),
    fc
      .tuple(fc.integer({ min: 81, max: 100_000 }), fc.constantFrom('n', '\x1b[2J', '名'))
      .map(([length, unit]) => ({
        label: `a name of ${length} × ${JSON.stringify(unit)}`,
        map: () =>
          mapOf(
            smokeIds.map((id, index) =>
              featureOf(
                `"${id}"`,
                polygon(ring(4)),
                index === 0 ? JSON.stringify({ name: unit.repeat(length) }) : '{}',
              ),
            ),
          ),
      })),
    fc
      .constantFrom(
        '',
        '{',
        '[',
        'null',
        '"a"',
        '\ufeff{}',
        '{"type":"FeatureCollection","features":[]}',
        '{"type":"FeatureCollection","features":{}}',
        'NaN',
        '{"a":1,}',
      )
      .map((text) => ({ label: `a map ${JSON.stringify(text)}`, map: () => text })),
  )
  .chain((broken) =>
    fc
      .oneof(
        fc.constant('broken.geojson'),
        withControls.map((name) => `m${name.replace(/[/\0]/g, '_')}.geojson`),
      )
      .map((mapName) =>
        mutation(`map ${JSON.stringify(mapName)}: ${broken.label}`, (draft) => {
          draft.map = broken.map()
          draft.mapName = mapName
          setAt(draft.doc, ['city', 'map'], `maps/${mapName}`)
        }),
      ),
  )

/** Enough alone to refuse the scenario. */
const invalidating = fc.oneof(
  { arbitrary: unknownKey, weight: 3 },
  { arbitrary: wrongType, weight: 4 },
  { arbitrary: unknownDistricts, weight: 2 },
  { arbitrary: longString, weight: 2 },
  { arbitrary: controlsInText, weight: 3 },
  { arbitrary: planTooLarge, weight: 1 },
  { arbitrary: deepNesting, weight: 2 },
  { arbitrary: aliases, weight: 2 },
  { arbitrary: prototypeText, weight: 2 },
  { arbitrary: hugeList, weight: 1 },
  { arbitrary: blockLists, weight: 1 },
  { arbitrary: yamlOddities, weight: 2 },
  { arbitrary: garbage, weight: 2 },
  { arbitrary: brokenMap, weight: 3 },
)

/** Hostile but not always invalid: applied first, so an invalidating mutation always comes last. */
const extra = fc.oneof(
  fc
    .record(
      {
        profile: anyText,
        tps: fc.oneof(anyText, fc.double()),
        duration: anyText,
        thresholds: fc.array(anyText, { maxLength: 70 }),
        lateTolerance: anyText,
      },
      { requiredKeys: [] },
    )
    .map((load) =>
      mutation(`load ${JSON.stringify(load)}`, (draft) => setAt(draft.doc, ['load'], load)),
    ),
  fc.constant(
    mutation('a "__proto__" key in the map', (draft) => {
      draft.map = baseMap.replace(
        '{"type":"FeatureCollection",',
        '{"type":"FeatureCollection","__proto__":{"polluted":true},',
      )
      draft.mapName = 'proto.geojson'
      setAt(draft.doc, ['city', 'map'], 'maps/proto.geojson')
    }),
  ),
)

const hostileCase = fc.record({
  fileName: fileNameArb,
  // One case in three carries an extra: they cost a valid map to load each time.
  extras: fc.oneof(
    { arbitrary: fc.constant([]), weight: 2 },
    { arbitrary: fc.array(extra, { minLength: 1, maxLength: 2 }), weight: 1 },
  ),
  mutations: fc.array(invalidating, { minLength: 1, maxLength: 3 }),
})

/**
 * One folder for all cases: the base map once in maps/, each case's files under names of their own.
 */
let root = ''
let caseCount = 0
beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'citytwin-fuzz-'))
  await fs.mkdir(path.join(root, 'maps'))
  await fs.writeFile(path.join(root, 'maps', 'base.geojson'), baseMap)
})
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true })
})

interface WrittenCase {
  readonly file: string
  readonly remove: () => Promise<void>
}

/** Writes a case's scenario (and its own map, if any) and returns its file. */
async function writeCase(draft: Draft): Promise<WrittenCase> {
  const prefix = `c${++caseCount}-`
  const written: string[] = []
  const write = async (name: string, content: string | Uint8Array) => {
    const file = path.join(root, name)
    await fs.writeFile(file, content)
    written.push(file)
    return file
  }
  if (draft.map !== undefined && draft.mapName !== undefined) {
    // Renamed for this case, unless a later mutation has pointed city.map elsewhere.
    const mapName = `${prefix}${draft.mapName}`
    const city = objectAt(draft.doc, ['city'])
    if (city?.map === `maps/${draft.mapName}`) city.map = `maps/${mapName}`
    await write(path.join('maps', mapName), draft.map)
  }
  const file = await write(
    `${prefix}${draft.fileName}`,
    draft.raw ?? `${stringify(draft.doc)}${draft.appended.join('')}`,
  )
  return {
    file,
    remove: async () =>
      void (await Promise.all(written.map((each) => fs.rm(each, { force: true })))),
  }
}

function draftOf(fileName: string, mutations: readonly Mutation[]): Draft {
  const draft: Draft = { doc: baseDoc(), appended: [], fileName }
  for (const each of mutations) each.apply(draft)
  return draft
}

/** What every refusal must be: a UserError, bounded, printable. */
function expectBoundedUserError(error: unknown, label: string): void {
  if (!(error instanceof UserError))
    throw new Error(`${label}: refused with ${String(error)}, not a UserError`, { cause: error })
  expect(error.message.length, label).toBeLessThanOrEqual(errorMessageCharsMax)
  expect(
    steeringIn(error.message),
    `${label}: a raw control character in the message`,
  ).toBeUndefined()
}

describe('validate, in-process, on generated hostile scenarios', () => {
  it('validates the base every case starts from', async () => {
    // Proves: the unmutated case is valid, so each refusal below is caused by its mutations.
    const { file } = await writeCase(draftOf('case.yaml', []))
    const { loaded } = await validateScenario(file)
    expect(loaded.map.features).toHaveLength(smokeIds.length)
  })

  it(`refuses ${fuzzRuns} of them, each with a bounded, printable UserError in bounded time`, async () => {
    // Proves: no generated file gets through, crashes the loader with another error, floods the
    // message or pollutes Object.prototype.
    const seed = Number(process.env.CITYTWIN_FUZZ_SEED ?? 20_261_123)
    await fc.assert(
      fc.asyncProperty(hostileCase, async ({ fileName, extras: before, mutations }) => {
        const label = [...before, ...mutations].map((each) => each.label).join(' + ')
        const { file, remove } = await writeCase(draftOf(fileName, [...before, ...mutations]))
        const startedMs = performance.now()
        const startedCpu = process.cpuUsage()
        let outcome: unknown = 'accepted'
        try {
          await validateScenario(file)
        } catch (error) {
          outcome = error
        }
        const cpu = process.cpuUsage(startedCpu)
        const ms = performance.now() - startedMs
        expect(outcome, `${label}: must be refused`).not.toBe('accepted')
        expectBoundedUserError(outcome, label)
        expect(
          (cpu.user + cpu.system) / 1000,
          `${label}: refused in bounded processor time`,
        ).toBeLessThan(caseCpuMsMax)
        expect(ms, `${label}: refused, not hung`).toBeLessThan(hangMsMax)
        expect(Object.prototype, label).not.toHaveProperty('polluted')
        await remove()
      }),
      { numRuns: fuzzRuns, seed, endOnFailure: true },
    )
  }, 240_000)
})

// --- The worst cases, through the real CLI.

interface WorstCase {
  readonly name: string
  readonly draft: () => Draft
  /** A word the refusal must contain. */
  readonly says: RegExp
}

const worst: WorstCase[] = [
  {
    name: 'the issue: a 1 MiB flow list of half a million items',
    draft: () => draftOf('flat.yaml', [flowList(500_000, '1')]),
    says: /YAML tokens/,
  },
  {
    name: 'the issue: a map of a million coordinates',
    draft: () =>
      draftOf('million.yaml', [
        mapMutation(
          mapOf([
            featureOf(
              '"440303"',
              `{"type":"MultiPolygon","coordinates":[${Array.from({ length: 10 }, () => `[${ring(100_001)}]`).join(',')}]}`,
            ),
          ]),
        ),
      ]),
    says: /JSON values/,
  },
  {
    name: 'the issue: 255 districts missing from a map of 255 ids of 60,000 characters',
    draft: () =>
      draftOf('amplify.yaml', [
        mapMutation(
          mapOf(
            Array.from({ length: 255 }, (_, index) =>
              featureOf(JSON.stringify(`${index}-${'i'.repeat(60_000)}`), polygon(ring(5))),
            ),
          ),
        ),
        districtsNotInMap(255),
      ]),
    says: /must be 1 to 32 characters/,
  },
  {
    name: '255 districts missing from a map of 255 ids of 32 characters',
    draft: () =>
      draftOf('amplify32.yaml', [
        mapMutation(
          mapOf(
            Array.from({ length: 255 }, (_, index) =>
              featureOf(
                JSON.stringify(`${String(index).padStart(3, '0')}${'i'.repeat(29)}`),
                polygon(ring(5)),
              ),
            ),
          ),
        ),
        districtsNotInMap(255),
      ]),
    says: /and 245 more/,
  },
  {
    name: 'a map of five million empty lists',
    draft: () =>
      draftOf('lists.yaml', [
        mapMutation(
          `{"type":"FeatureCollection","junk":[${'[],'.repeat(5_000_000)}[]],"features":[]}`,
        ),
      ]),
    says: /JSON values/,
  },
  {
    name: 'a map nested eight million lists deep',
    draft: () =>
      draftOf('deepmap.yaml', [
        mapMutation(`${'['.repeat(mapBytesMax / 2 - 1)}${']'.repeat(mapBytesMax / 2 - 1)}`),
      ]),
    says: /JSON values/,
  },
  {
    name: 'a map whose one id is a 16 MB string',
    draft: () =>
      draftOf('bigid.yaml', [
        mapMutation(mapOf([featureOf(`"${'i'.repeat(mapBytesMax - 200)}"`, polygon(ring(4)))])),
      ]),
    says: /must be 1 to 32 characters/,
  },
  {
    name: 'a line of "- a: " errors just under the token bound',
    draft: () =>
      draftOf('errors.yaml', [appending('errors', `deep:\n  ${'- a: '.repeat(3_240)}x\n`)]),
    says: /not valid YAML/,
  },
  {
    name: 'fifty thousand YAML documents',
    draft: () => draftOf('docs.yaml', [appending('documents', '---\n'.repeat(50_000))]),
    says: /./,
  },
  {
    name: 'a file name and a scenario name that set the window title and clear the screen',
    draft: () =>
      draftOf('evil\x1b]0;pwned\x07\x1b[2J.yaml', [
        setMutation(['name'], 'Shenzhen\x1b]0;pwned\x07\x1b[2J\x1b[3J'),
        setMutation(['seed'], 'x'),
      ]),
    says: /evil\\x1b\]0;pwned\\x07\\x1b\[2J\.yaml/,
  },
  {
    name: 'a thousand unknown keys of 1,000 characters with escape codes',
    draft: () => ({
      doc: {},
      appended: [],
      fileName: 'keys.yaml',
      raw: `${smokeText}${Array.from({ length: 1000 }, (_, index) => `"k${index}\\e[2J${'k'.repeat(1000)}": 1\n`).join('')}`,
    }),
    says: /and \d+ more/,
  },
  {
    name: 'a name of a hundred thousand escape codes',
    draft: () => ({
      doc: {},
      appended: [],
      fileName: 'escapes.yaml',
      raw: smokeText.replace('name: Shenzhen smoke', `name: "${'\\e[2J'.repeat(100_000)}"`),
    }),
    says: /name: must be at most 80 characters/,
  },
]

function mapMutation(map: string, mapName = 'worst.geojson'): Mutation {
  return mutation(`map ${mapName}`, (draft) => {
    draft.map = map
    draft.mapName = mapName
    setAt(draft.doc, ['city', 'map'], `maps/${mapName}`)
  })
}

function setMutation(at: Key[], value: unknown): Mutation {
  return mutation(`${at.join('.')} = …`, (draft) => setAt(draft.doc, at, value))
}

function districtsNotInMap(count: number): Mutation {
  return setMutation(
    ['city', 'districts'],
    Array.from({ length: count }, (_, index) => ({ id: `d${index}`, name: 'D', population: 1 })),
  )
}

const preload = path.join(repoRoot, 'test', 'helpers', 'reportUsage.ts')
/** Two CLIs at a time: one per core. */
let running = 0
const waiting: (() => void)[] = []
async function slot<T>(work: () => Promise<T>): Promise<T> {
  if (running >= 2) await new Promise<void>((resolve) => waiting.push(resolve))
  running += 1
  try {
    return await work()
  } finally {
    running -= 1
    waiting.shift()?.()
  }
}

describe.concurrent('validate, through the CLI, on the worst of them', () => {
  it.each(worst)(
    'refuses $name: exit 2, no stack trace, < 10 s, < 512 MiB',
    async ({ draft, says }) => {
      // Proves: the process as a user runs it stays within the issue's bounds on this file.
      const { file } = await writeCase(draft())
      const usageFile = `${file}.usage.json`
      const { result, ms } = await slot(async () => {
        const startedMs = performance.now()
        const result = await citytwin(['validate', file], {
          nodeArgs: ['--import', preload],
          env: { CITYTWIN_TEST_USAGE_FILE: usageFile },
          timeoutMs: hangMsMax,
        })
        return { result, ms: performance.now() - startedMs }
      })
      expect(result.code, result.stderr.slice(0, 2000)).toBe(2)
      expect(result.stdout).toBe('')
      expect(result.stderr).toMatch(/^citytwin: /)
      expect(result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/)
      expect(result.stderr).not.toContain('internal error')
      expect(steeringIn(result.stderr)).toBeUndefined()
      expect(result.stderr.length).toBeLessThanOrEqual(errorMessageCharsMax + 100)
      expect(result.stderr).toMatch(says)
      expect(ms, 'not hung').toBeLessThan(hangMsMax)
      const usage = JSON.parse(await fs.readFile(usageFile, 'utf8')) as ProcessUsage
      expect(usage.maxRssKib).toBeGreaterThan(0)
      expect(usage.maxRssKib, 'peak RSS, KiB').toBeLessThan(rssKibMax)
      expect(usage.cpuMs, 'processor time, ms').toBeLessThan(cpuMsMax)
    },
  )
})
