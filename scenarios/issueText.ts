/**
 * A schema issue in the scenario's own words: what a field must be, "required" for a field left
 * out, "unknown field" with the nearest known one for a misspelling (as the command line does for
 * flags). No message of the schema library reaches the user as it is written.
 */
import type { z } from 'zod'
import { isObject } from '../engine/untrusted.js'

type Issue = z.core.$ZodIssue

/** A key longer than this is not compared with the known ones: nobody mistyped it. */
const suggestedKeyCharsMax = 64

/**
 * The message for one issue (not `unrecognized_keys`: see unknownFieldText). `value` is what the
 * scenario holds at the issue's path (undefined when the field is absent).
 */
export function issueText(issue: Issue, value: unknown): string {
  const own = !isLibraryMessage(issue.message)
  if (value === undefined && issue.code === 'invalid_type')
    return `required (${own ? issue.message : `must be ${typeText(issue.expected)}`})`
  if (own) return issue.message
  if (issue.code === 'invalid_type') return `must be ${typeText(issue.expected)}`
  if (issue.code === 'invalid_value')
    return `must be one of ${issue.values.map((allowed) => JSON.stringify(allowed)).join(', ')}`
  if (issue.code === 'too_small')
    return `must be at least ${String(issue.minimum)}${sizeUnit(issue.origin)}`
  if (issue.code === 'too_big')
    return `must be at most ${String(issue.maximum)}${sizeUnit(issue.origin)}`
  if (issue.code === 'invalid_union') return 'is none of the forms this field takes'
  return 'is not a value this field takes'
}

/** `unknown field`, with the nearest of the `known` keys when one is near enough to be meant. */
export function unknownFieldText(key: string, known: readonly string[]): string {
  const nearest = nearestKey(key, known)
  return nearest === undefined ? 'unknown field' : `unknown field (did you mean "${nearest}"?)`
}

/** The keys the object schema at `path` of `schema` knows, or none where there is no object. */
export function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let node: unknown = unwrapped(schema)
  for (const key of path) {
    const def = defOf(node)
    if (def?.type === 'object' && typeof key === 'string' && isObject(def.shape))
      node = unwrapped(def.shape[key])
    else if (def?.type === 'array' && typeof key === 'number') node = unwrapped(def.element)
    else if (def?.type === 'record') node = unwrapped(def.valueType)
    else return []
  }
  const def = defOf(node)
  return def?.type === 'object' && isObject(def.shape) ? Object.keys(def.shape) : []
}

/** Zod's own messages start with a capital ("Invalid input…", "Too small…"); ours never do. */
function isLibraryMessage(message: string): boolean {
  return /^(Invalid|Too (small|big)|Unrecognized|Expected)/.test(message)
}

function typeText(expected: string): string {
  switch (expected) {
    case 'object':
      return 'a mapping of fields'
    case 'array':
      return 'a list'
    case 'string':
      return 'a string'
    case 'number':
      return 'a number'
    case 'boolean':
      return 'true or false'
    default:
      return `a ${expected}`
  }
}

function sizeUnit(origin: string): string {
  if (origin === 'array' || origin === 'set') return ' items'
  if (origin === 'string') return ' characters'
  return ''
}

/** The schema's definition: where zod keeps an object's shape and a list's element. */
function defOf(node: unknown): Record<string, unknown> | undefined {
  if (!isObject(node) || !isObject(node._zod) || !isObject(node._zod.def)) return undefined
  return node._zod.def
}

/** The schema under optional, default, nullable, readonly and pipe wrappers. */
function unwrapped(node: unknown): unknown {
  for (let depth = 0; depth < 16; depth++) {
    const def = defOf(node)
    if (def === undefined) return node
    if (
      ['optional', 'default', 'nullable', 'readonly', 'prefault', 'catch'].includes(
        String(def.type),
      )
    )
      node = def.innerType
    else if (def.type === 'pipe') node = def.in
    else return node
  }
  return node
}

/** The known key nearest `key` by edit distance, if it is within a third of its length (≥ 1). */
function nearestKey(key: string, known: readonly string[]): string | undefined {
  if (key.length > suggestedKeyCharsMax) return undefined
  const allowed = Math.max(1, Math.floor(key.length / 3))
  let best: string | undefined
  let bestDistance = allowed + 1
  for (const candidate of known) {
    if (candidate.length > suggestedKeyCharsMax) continue
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase())
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  return best
}

/** Levenshtein distance, with one row of memory. */
function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, index) => index)
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] as number
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] as number
      row[j] = Math.min(
        above + 1,
        (row[j - 1] as number) + 1,
        diagonal + (a[i - 1] === b[j - 1] ? 0 : 1),
      )
      diagonal = above
    }
  }
  return row[b.length] as number
}
