/**
 * Assertions for the page. A broken promise between server and page (a snapshot whose arrays do
 * not match the city) is a programmer error: it throws, and errorBanner.ts puts it on screen.
 */

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`assertion failed: ${message}`)
}

/** The end of an exhaustive switch: reaching it means a case was added and not handled. */
export function unreachable(value: never): never {
  throw new Error(`unreachable: ${String(value)}`)
}
