/** A column of the same type with room for `capacity` values, holding the first `used` of `old`. */
export function grown<T extends Uint32Array | Uint16Array | Uint8Array | Int32Array | Float64Array>(
  old: T,
  capacity: number,
  used: number,
): T {
  const next = new (old.constructor as new (length: number) => T)(capacity)
  next.set(old.subarray(0, used))
  return next
}
