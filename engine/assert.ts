/**
 * Programmer errors crash. A failed assertion means the engine broke one of its own
 * invariants, never that a user typed something wrong (that is a `UserError`).
 */
export class AssertionError extends Error {
  override readonly name = 'AssertionError'
}

export function assert(condition: unknown, message = 'assertion failed'): asserts condition {
  if (!condition) throw new AssertionError(message)
}

/** Ends an exhaustive `switch`: the compiler proves it unreachable, the runtime checks it. */
export function unreachable(value: never): never {
  throw new AssertionError(`unreachable: ${JSON.stringify(value)}`)
}
