/**
 * Text from input made safe to print on a terminal. A scenario's name, a field name, a value, a
 * file name: any of them may hold escape codes that set the window title, clear the screen or
 * rewrite a line, or bidi controls that show text in another order than it is. They are shown
 * visibly instead (ESC as `\x1b`, U+202E as `\u202e`), so what a message quotes is what the
 * input holds. No imports: errors.ts uses it, and everything uses errors.ts.
 */

/**
 * Controls (C0, DEL, C1: `\p{Cc}`), the bidi marks, embeddings, overrides and isolates
 * (`\p{Bidi_Control}`) and the line and paragraph separators, which some terminals break lines on.
 */
const unprintable = /[\p{Cc}\p{Bidi_Control}\u2028\u2029]/gu
const unprintableOne = /[\p{Cc}\p{Bidi_Control}\u2028\u2029]/u

/** True when `text` holds a character `printable` would escape. */
export function hasUnprintable(text: string): boolean {
  return unprintableOne.test(text)
}

/** One line of text with every control shown as an escape: `\x1b`, `\x0a`, `\u202e`. */
export function printable(text: string): string {
  return text.replace(unprintable, (character) => {
    const code = character.charCodeAt(0)
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`
  })
}

/** Lines of text: each line as `printable` shows it, the line breaks kept. */
export function printableLines(text: string): string {
  return text.split('\n').map(printable).join('\n')
}

/**
 * At most `charsMax` characters of `text`: a longer text is cut and ends in "…". A cut never
 * splits a surrogate pair.
 */
export function clipped(text: string, charsMax: number): string {
  if (text.length <= charsMax) return text
  let end = Math.max(0, charsMax - 1)
  const last = text.charCodeAt(end - 1)
  if (last >= 0xd800 && last <= 0xdbff) end -= 1
  return `${text.slice(0, end)}…`
}
