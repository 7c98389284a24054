/** Shape tests for parsed, untrusted input (YAML, JSON) before a schema has vouched for it. */

/** A plain object: not null, not an array. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
