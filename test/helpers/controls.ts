/**
 * What a terminal acts on, written out by code point (not with the \p classes the code under test
 * uses).
 */

/**
 * C0 and C1 controls, DEL, the bidi marks, embeddings, overrides and isolates, and U+2028/U+2029.
 */
export function isSteering(code: number): boolean {
  return (
    code <= 0x1f ||
    (code >= 0x7f && code <= 0x9f) ||
    code === 0x061c ||
    code === 0x200e ||
    code === 0x200f ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069) ||
    code === 0x2028 ||
    code === 0x2029
  )
}

/**
 * The first steering character of `text` other than a line break, as U+XXXX, or undefined when
 * there is none.
 */
export function steeringIn(text: string): string | undefined {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index)
    if (code !== 0x0a && isSteering(code))
      return `U+${code.toString(16).padStart(4, '0')} at ${index}`
  }
  return undefined
}
