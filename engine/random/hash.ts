/**
 * A pure integer hash, for draws that must be the same every time they are made without being kept
 * anywhere (a resident's usual stations): the same inputs give the same number, in any thread, in
 * any order. Not a random stream: each call stands alone.
 */

/** A 32-bit integer's bits mixed: Chris Wellons's "lowbias32", two multiplies. */
function mix32(value: number): number {
  let h = value >>> 0
  h ^= h >>> 16
  h = Math.imul(h, 0x7feb352d)
  h ^= h >>> 15
  h = Math.imul(h, 0x846ca68b)
  h ^= h >>> 16
  return h >>> 0
}

/** A hash of three unsigned 32-bit integers, uniform in [0, 1). */
export function hashUnit(a: number, b: number, c: number): number {
  const h = mix32(mix32(mix32(a ^ 0x9e3779b9) ^ b) ^ c)
  return h / 0x1_0000_0000
}
