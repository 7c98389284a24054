/**
 * Reads a scenario file and the map it names. Both are untrusted: sizes, nesting, aliases,
 * keys and paths are bounded before anything is built from them. Every problem found is
 * reported at once, each with the file, the line where known, and the field path.
 */
import { promises as fs } from 'node:fs'
import path from 'node:path'
import {
  CST,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  Lexer,
  LineCounter,
  parseDocument,
  type Document,
  type Node,
} from 'yaml'
import { parseDistrictMap, type DistrictMap } from '../engine/city/districtMap.js'
import {
  parseMetroMap,
  unreachableStations,
  withoutLines,
  type MetroMap,
} from '../engine/city/metroMap.js'
import { UserError } from '../engine/errors.js'
import { describeFsError, isObject, readBoundedText } from '../engine/untrusted.js'
import {
  districtIdCharsMax,
  errorIssuesMax,
  mapBytesMax,
  mapJsonValuesMax,
  mapVerticesMax,
  messageIdsMax,
  metroNetworkBytesMax,
  metroNetworkJsonValuesMax,
  scenarioBytesMax,
  yamlAliasCountMax,
  yamlDepthMax,
  yamlFlowDepthMax,
  yamlScanDepthMax,
  yamlTokensMax,
} from '../engine/limits.js'
import { crossFieldIssues, scenarioSchema, type Scenario } from './schema.js'
import { issueText, knownKeysAt, unknownFieldText } from './issueText.js'

export interface LoadedScenario {
  /** The scenario file as the user named it. */
  readonly file: string
  readonly scenario: Scenario
  readonly map: DistrictMap
  /** The map file, resolved inside the scenario's folder. */
  readonly mapFile: string
  /**
   * The metro network of city.metro: its file, resolved inside the scenario's folder, and its
   * stations and lines, those of city.metro.leaveOutLines taken away; connected.
   */
  readonly metro?: { readonly file: string; readonly map: MetroMap }
  /**
   * A rollout's sampled day only (never from a file): each adopter's share of their own payments
   * made in e-CNY, per district and adoption level (district * adoptionLevels + level).
   */
  readonly habitByLevel?: readonly number[]
}

const forbiddenKeys = new Set(['__proto__', 'constructor', 'prototype'])

export async function loadScenario(file: string): Promise<LoadedScenario> {
  const text = await readBoundedText(file, scenarioBytesMax, 'scenario')
  const raw = parseYaml(text, file)
  // Every check runs, whatever the others found: the user sees all the errors at once. An issue
  // is written out (its line looked up) only if the error lists it: a file can hold thousands.
  const issues: (() => string)[] = []
  const parsed = scenarioSchema.safeParse(raw.value)
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const at = [...issue.path]
      if (issue.code === 'unrecognized_keys') {
        const known = knownKeysAt(scenarioSchema, at)
        issues.push(
          ...issue.keys.map(
            (key) => () => `${where(raw, [...at, key])}: ${unknownFieldText(key, known)}`,
          ),
        )
      } else issues.push(() => `${where(raw, at)}: ${issueText(issue, valueAt(raw.value, at))}`)
    }
  }
  const crossField = crossFieldIssues(raw.value)
  const city = isObject(raw.value) && isObject(raw.value.city) ? raw.value.city : {}
  const fileErrors: UserError[] = []
  let map: DistrictMap | null = null
  let mapFile: string | null = null
  if (typeof city.map === 'string') {
    mapFile = await resolveInside(file, city.map, crossField, 'city.map')
    if (mapFile !== null) map = await orFileError(() => loadMap(mapFile as string), fileErrors)
  }
  const metro = await readMetro(file, city, crossField, fileErrors)
  issues.push(...crossField.map((issue) => () => lineOf(raw, issue)))
  // A broken file alone is reported as the file's own error; with other problems, among them.
  if (issues.length === 0 && fileErrors.length === 1) throw fileErrors[0] as UserError
  for (const { message, issues: fileIssues } of fileErrors) {
    issues.push(
      () => message.split('\n')[0] ?? message,
      ...fileIssues.map((issue) => () => `  ${issue}`),
    )
  }
  if (map !== null && Array.isArray(city.districts)) {
    const mapIds = new Set(map.features.map((feature) => feature.id))
    // Written once, and a few ids at most: a message listing every id of the map, once for each
    // district missing from it, grows with the product of the two.
    const has = listed([...mapIds], messageIdsMax)
    city.districts.forEach((district: unknown, index) => {
      const id = isObject(district) ? district.id : undefined
      // A longer id cannot be in the map, and the schema has said so.
      if (typeof id === 'string' && id.length <= districtIdCharsMax && !mapIds.has(id)) {
        issues.push(
          () =>
            `${where(raw, ['city', 'districts', index, 'id'])}: "${id}" is not a district of ${String(city.map)} (it has ${has})`,
        )
      }
    })
  }
  if (issues.length > 0 || !parsed.success || map === null || mapFile === null) {
    throw new UserError(
      `${file}: invalid scenario`,
      issues.slice(0, errorIssuesMax).map((issue) => issue()),
      Math.max(0, issues.length - errorIssuesMax),
    )
  }
  return { file, scenario: parsed.data, map, mapFile, ...(metro === null ? {} : { metro }) }
}

/** What `read` gives, or null with its UserError kept in `errors`; any other error is thrown. */
async function orFileError<T>(read: () => Promise<T>, errors: UserError[]): Promise<T | null> {
  try {
    return await read()
  } catch (error) {
    if (!(error instanceof UserError)) throw error
    errors.push(error)
    return null
  }
}

/**
 * The network city.metro names, read and checked: inside the folder, a usable network file, the
 * lines to leave out among its lines, and connected once they are left out. Problems of the file
 * itself go to `fileErrors`, those of the scenario's fields to `issues` (`field: message`).
 */
async function readMetro(
  file: string,
  city: Record<string, unknown>,
  issues: string[],
  fileErrors: UserError[],
): Promise<{ file: string; map: MetroMap } | null> {
  const metro = isObject(city.metro) ? city.metro : undefined
  if (metro === undefined || typeof metro.network !== 'string') return null
  const named = metro.network
  const networkFile = await resolveInside(file, named, issues, 'city.metro.network')
  if (networkFile === null) return null
  const whole = await orFileError(() => loadMetroNetwork(networkFile), fileErrors)
  if (whole === null) return null
  const leaveOut = Array.isArray(metro.leaveOutLines) ? (metro.leaveOutLines as unknown[]) : []
  const lineNames = whole.lines.map((line) => line.name)
  const missing = leaveOut.flatMap((name, index) =>
    typeof name === 'string' && !lineNames.includes(name)
      ? [
          `city.metro.leaveOutLines[${index}]: "${name}" is not a line of ${named} (it has ${listed(lineNames, messageIdsMax)})`,
        ]
      : [],
  )
  issues.push(...missing)
  if (missing.length > 0) return null
  const map = withoutLines(whole, new Set(leaveOut.filter((name) => typeof name === 'string')))
  const unreached = unreachableStations(map)
  if (unreached.length > 0) {
    issues.push(`city.metro.network: ${disconnected(named, map, unreached)}`)
    return null
  }
  return { file: networkFile, map }
}

/** What a disconnected network's error says: which stations, on which lines, and what to do. */
function disconnected(named: string, map: MetroMap, unreached: readonly number[]): string {
  const first = map.stations[0]?.name ?? ''
  const names = unreached.map((station) => map.stations[station]?.name ?? '')
  const cut = new Set(unreached)
  const lines = map.lines
    .filter((line) => line.stations.every((station) => cut.has(station)))
    .map((line) => line.name)
  const on = lines.length === 0 ? '' : ` (all of ${listed(lines, messageIdsMax)})`
  return (
    `the lines of ${named} do not join up: ${unreached.length} stations cannot be reached from ${first}: ` +
    `${listed(names, messageIdsMax)}${on}; leave their lines out with city.metro.leaveOutLines, or join them in the file`
  )
}

async function loadMetroNetwork(networkFile: string): Promise<MetroMap> {
  const text = await readBoundedText(networkFile, metroNetworkBytesMax, 'metro network')
  const crowdedLine = lineOverValueBound(text, metroNetworkJsonValuesMax)
  if (crowdedLine > 0) {
    throw new UserError(`${networkFile}: not a usable metro network`, [
      `${networkFile}:${crowdedLine}: more than ${metroNetworkJsonValuesMax} JSON values`,
    ])
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new UserError(`${networkFile}: not valid JSON (${(error as Error).message})`)
  }
  const result = parseMetroMap(json)
  if (result.map === null)
    throw new UserError(`${networkFile}: not a usable metro network`, result.issues)
  return result.map
}

/** What `value` holds at `path`: undefined where a field on the way is absent. */
function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let node = value
  for (const key of path) {
    if (Array.isArray(node) && typeof key === 'number') node = node[key]
    else if (isObject(node) && typeof key === 'string' && Object.hasOwn(node, key)) node = node[key]
    else return undefined
  }
  return node
}

/** `a, b, c`, or with more than `max` items, the first `max` and how many more. */
function listed(items: readonly string[], max: number): string {
  if (items.length <= max) return items.join(', ')
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`
}

async function loadMap(mapFile: string): Promise<DistrictMap> {
  const text = await readBoundedText(mapFile, mapBytesMax, 'map')
  // JSON.parse builds every value before the map's own bounds can look at them.
  const crowdedLine = lineOverValueBound(text, mapJsonValuesMax)
  if (crowdedLine > 0) {
    throw new UserError(`${mapFile}: not a usable district map`, [
      `${mapFile}:${crowdedLine}: more than ${mapJsonValuesMax} JSON values (a map of ${mapVerticesMax} positions has about ${3 * mapVerticesMax})`,
    ])
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new UserError(`${mapFile}: not valid JSON (${(error as Error).message})`)
  }
  const result = parseDistrictMap(json)
  if (result.map === null)
    throw new UserError(`${mapFile}: not a usable district map`, result.issues)
  return result.map
}

/**
 * Counts the values of a JSON text as it goes, an opening bracket or brace or a comma outside
 * strings each (every value but a container's first follows a comma), and returns the line
 * where the count passes `valuesMax`, or 0 when it does not.
 */
function lineOverValueBound(text: string, valuesMax: number): number {
  let values = 0
  let line = 1
  let inString = false
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index)
    if (inString) {
      if (code === backslash) index += 1
      else if (code === quote) inString = false
    } else if (code === quote) inString = true
    else if (code === newline) line += 1
    else if ((code === comma || code === openBracket || code === openBrace) && ++values > valuesMax)
      return line
  }
  return 0
}

const [backslash, quote, newline, comma, openBracket, openBrace] = [
  '\\',
  '"',
  '\n',
  ',',
  '[',
  '{',
].map((character) => character.charCodeAt(0)) as [number, number, number, number, number, number]

interface RawScenario {
  readonly file: string
  readonly document: Document.Parsed
  readonly lines: LineCounter
  readonly value: unknown
}

/** Parses a scenario's YAML text into a document and its plain value, refusing hostile input. */
function parseYaml(text: string, file: string): RawScenario {
  checkTextBounds(text, file)
  const lines = new LineCounter()
  const document = parseDocument(text, {
    lineCounter: lines,
    prettyErrors: false,
    uniqueKeys: true,
    merge: false,
    schema: 'core',
    version: '1.2',
    strict: true,
  })
  const located = (position: number, message: string) => {
    const { line, col } = lines.linePos(position)
    return `${file}:${line}:${col}: ${message}`
  }
  if (document.errors.length > 0) {
    throw new UserError(
      `${file}: not valid YAML`,
      document.errors.map((error) =>
        located(error.pos[0], error.message.split('\n')[0] ?? error.message),
      ),
    )
  }
  const hostile = hostileNodes(document, located)
  if (hostile.length > 0) throw new UserError(`${file}: rejected`, hostile)

  let value: unknown
  try {
    // The alias bound also caps how far aliases can expand (a "billion laughs" file).
    value = document.toJS({ maxAliasCount: yamlAliasCountMax })
  } catch (error) {
    throw new UserError(`${file}: rejected (${(error as Error).message})`)
  }
  return { file, document, lines, value }
}

/** Refuses a text nested too deep or with too many tokens, before the parser spends on it. */
function checkTextBounds(text: string, file: string): void {
  // The parser recurses on nesting: bound it before parsing, in one pass over the text.
  const flowDepth = maxFlowDepth(text)
  if (flowDepth > yamlFlowDepthMax) {
    throw new UserError(
      `${file}: nesting is ${flowDepth} levels deep, more than the limit of ${yamlFlowDepthMax}`,
    )
  }
  // A cheap over-estimate with a looser bound; the exact bound applies to the parsed document.
  const blockDepth = maxBlockDepth(text)
  if (blockDepth.depth > yamlScanDepthMax) {
    throw new UserError(`${file}: rejected`, [
      `${file}:${blockDepth.line}: nesting is deeper than the limit of ${yamlDepthMax} levels`,
    ])
  }
  // The document costs about a kilobyte a token: count them first, with the lexer, which builds
  // nothing.
  const crowdedLine = lineOverTokenBound(text)
  if (crowdedLine > 0) {
    throw new UserError(`${file}: rejected`, [
      `${file}:${crowdedLine}: more than ${yamlTokensMax} YAML tokens (keys, values, dashes, commas); a scenario needs a few thousand`,
    ])
  }
}

/**
 * What makes a parsed document hostile, located: nesting past the bound, too many aliases, a
 * forbidden or non-scalar key. The walk stops at the first finding.
 */
function hostileNodes(
  document: Document.Parsed,
  located: (position: number, message: string) => string,
): string[] {
  const hostile: string[] = []
  let aliases = 0
  const visit = (node: unknown, depth: number): void => {
    if (hostile.length > 0) return
    if (depth > yamlDepthMax) {
      const position = (node as Node).range?.[0] ?? 0
      hostile.push(located(position, `nesting is deeper than the limit of ${yamlDepthMax} levels`))
      return
    }
    if (isAlias(node)) {
      aliases += 1
      if (aliases > yamlAliasCountMax) {
        hostile.push(located(node.range?.[0] ?? 0, `more than ${yamlAliasCountMax} aliases`))
      }
      return
    }
    if (isMap(node)) {
      for (const pair of node.items) {
        if (isScalar(pair.key) && forbiddenKeys.has(String(pair.key.value))) {
          hostile.push(
            located(pair.key.range?.[0] ?? 0, `the key "${String(pair.key.value)}" is not allowed`),
          )
          return
        }
        if (!isScalar(pair.key)) {
          hostile.push(
            located((pair.key as Node | null)?.range?.[0] ?? 0, 'keys must be plain words'),
          )
          return
        }
        visit(pair.value, depth + 1)
      }
      return
    }
    if (isSeq(node)) {
      for (const item of node.items) visit(item, depth + 1)
      return
    }
    if (isPair(node)) visit(node.value, depth + 1)
  }
  visit(document.contents, 0)
  return hostile
}

/**
 * Counts the tokens of a YAML text with the parser's own lexer (spaces, line breaks and comments
 * aside) and returns the line where the count passes yamlTokensMax, or 0 when it does not.
 */
function lineOverTokenBound(text: string): number {
  let tokens = 0
  let offset = 0
  for (const token of new Lexer().lex(text)) {
    const type = CST.tokenType(token)
    // The lexer's mode markers are not in the text; every other token is the next slice of it.
    if (type === 'doc-mode' || type === 'scalar' || type === 'flow-error-end') continue
    offset += token.length
    if (type === 'space' || type === 'newline' || type === 'comment' || type === 'byte-order-mark')
      continue
    if (++tokens > yamlTokensMax) return lineAtOffset(text, offset - token.length)
  }
  return 0
}

/** The 1-based line of the character at `offset`. */
function lineAtOffset(text: string, offset: number): number {
  let line = 1
  for (
    let index = text.indexOf('\n');
    index !== -1 && index < offset;
    index = text.indexOf('\n', index + 1)
  )
    line += 1
  return line
}

/**
 * Deepest nesting of [ and { outside quoted scalars and comments. As in YAML, a quote opens a
 * scalar only where a token starts (after a space, a line start or one of `[{,:`), so the
 * apostrophe in `Bao'an` is text; a `#` starts a comment only after a space or a line start.
 */
function maxFlowDepth(text: string): number {
  let depth = 0
  let deepest = 0
  let quote = ''
  let comment = false
  let previous = '\n'
  for (let index = 0; index < text.length; index++) {
    const char = text[index] as string
    if (comment) {
      if (char === '\n') comment = false
    } else if (quote !== '') {
      if (char === quote) quote = ''
      else if (char === '\\' && quote === '"') index += 1
    } else if ((char === '"' || char === "'") && tokenStarts.has(previous)) quote = char
    else if (char === '#' && (previous === ' ' || previous === '\t' || previous === '\n'))
      comment = true
    else if (char === '[' || char === '{') deepest = Math.max(deepest, ++depth)
    else if (char === ']' || char === '}') depth = Math.max(0, depth - 1)
    previous = char
  }
  return deepest
}

const tokenStarts = new Set([' ', '\t', '\n', '\r', '[', '{', ',', ':'])

/**
 * Deepest block nesting, estimated line by line: the stack of indentations (a deeper line opens
 * a level, a shallower one closes levels) plus compact indicators at a line's start
 * (`- - - x`, `? ? x`, `- a: - b`). Over-counts only odd layouts, never under-counts.
 */
function maxBlockDepth(text: string): { depth: number; line: number } {
  const indents: number[] = []
  let deepest = { depth: 0, line: 0 }
  let lineNumber = 0
  for (const line of text.split('\n')) {
    lineNumber += 1
    const indent = line.length - line.trimStart().length
    const rest = line.slice(indent)
    if (rest === '' || rest.startsWith('#') || rest === '\r') continue
    while (indents.length > 0 && (indents[indents.length - 1] as number) >= indent) indents.pop()
    indents.push(indent)
    const compact = compactIndicators.exec(rest)?.[0].replace(/\s+/g, '').length ?? 0
    const depth = indents.length + compact
    if (depth > deepest.depth) deepest = { depth, line: lineNumber }
  }
  return deepest
}

/** Leading `- `, `? ` and `: ` indicators, each opening a level on the same line. */
const compactIndicators = /^(?:[-?:](?:\s+|$))*/

/** `file:line field.path[3].name`, with the line of the field when it is in the file. */
function where(raw: RawScenario, at: readonly PropertyKey[]): string {
  const fieldPath = formatPath(at)
  let node: unknown = raw.document.contents
  let found: unknown = null
  for (const key of at) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && item.key.value === key)
      if (pair === undefined) break
      found = pair.key
      node = pair.value
    } else if (isSeq(node) && typeof key === 'number') {
      node = node.items[key]
      found = node
    } else break
  }
  const position = (found as Node | null)?.range?.[0]
  if (position === undefined) return `${raw.file}: ${fieldPath || '(top level)'}`
  return `${raw.file}:${raw.lines.linePos(position).line}: ${fieldPath || '(top level)'}`
}

/** Adds the file and line to a `field.path: message` issue from the cross-field checks. */
function lineOf(raw: RawScenario, issue: string): string {
  const colon = issue.indexOf(': ')
  const fieldPath = issue.slice(0, colon)
  const keys = fieldPath
    .split(/\.|\[(\d+)\]/)
    .filter((key) => key !== undefined && key !== '')
    .map((key) => (/^\d+$/.test(key) ? Number(key) : key))
  return `${where(raw, keys)}${issue.slice(colon)}`
}

export function formatPath(at: readonly PropertyKey[]): string {
  let out = ''
  for (const key of at) {
    if (typeof key === 'number') out += `[${key}]`
    else out += out === '' ? String(key) : `.${String(key)}`
  }
  return out
}

/** Resolves `relative` against the scenario's folder and refuses anything that leaves it. */
async function resolveInside(
  scenarioFile: string,
  relative: string,
  issues: string[],
  field: 'city.map' | 'city.metro.network',
): Promise<string | null> {
  const folder = path.dirname(path.resolve(scenarioFile))
  const target = path.resolve(folder, relative)
  const escapes = (from: string, to: string) => {
    const rel = path.relative(from, to)
    return rel === '' || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)
  }
  if (path.isAbsolute(relative) || escapes(folder, target)) {
    issues.push(`${field}: "${relative}" must be a path inside the scenario's folder`)
    return null
  }
  if (!/\.(geo)?json$/i.test(target)) {
    issues.push(`${field}: "${relative}" must be a .geojson or .json file`)
    return null
  }
  try {
    const [realFolder, realTarget] = await Promise.all([fs.realpath(folder), fs.realpath(target)])
    if (escapes(realFolder, realTarget)) {
      issues.push(`${field}: "${relative}" leads outside the scenario's folder through a link`)
      return null
    }
    return realTarget
  } catch (error) {
    issues.push(`${field}: cannot read "${relative}" (${describeFsError(error)})`)
    return null
  }
}
