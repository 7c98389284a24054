/**
 * printable: every character that can steer a terminal (C0, DEL, C1, bidi controls, line
 * separators) comes out as a visible escape; everything else, Chinese names included, as it is.
 */
import { describe, expect, it } from 'vitest'
import { isSteering } from '../helpers/controls.js'
import { clipped, hasUnprintable, printable, printableLines } from '../../engine/printable.js'

describe('printable', () => {
  it('shows ESC, BEL, CR, NUL, DEL and C1 CSI as \\xNN escapes', () => {
    // Proves: a window-title sequence and a clear-screen arrive as visible text, not as codes.
    expect(printable('a\x1b]0;pwned\x07\x1b[2Jb')).toBe('a\\x1b]0;pwned\\x07\\x1b[2Jb')
    expect(printable('over\rwrite\x00\x7f\x9b31m')).toBe('over\\x0dwrite\\x00\\x7f\\x9b31m')
    expect(printable('two\nlines\ttab')).toBe('two\\x0alines\\x09tab')
  })

  it('shows bidi overrides, isolates and marks and the line separators as \\uNNNN escapes', () => {
    // Proves: text cannot be shown in another order than it is stored ("Trojan source").
    expect(printable('x\u202ey\u2066z\u2069\u200f\u061c\u2028\u2029')).toBe(
      'x\\u202ey\\u2066z\\u2069\\u200f\\u061c\\u2028\\u2029',
    )
  })

  it('leaves ordinary text alone, Chinese, emoji and backslashes included', () => {
    // Proves: only steering characters change; a name like 罗湖区 or "C:\\maps" prints as written.
    for (const text of [
      '罗湖区 Luohu',
      "Bao'an",
      'C:\\maps\\x1b (already escaped)',
      '🙂 ¥12.00 — “quoted”',
      '',
    ]) {
      expect(printable(text)).toBe(text)
      expect(hasUnprintable(text)).toBe(false)
    }
  })

  it('escapes every code point in the steering ranges, and its output holds none of them', () => {
    // Proves: the escape covers whole ranges, not a few well-known codes.
    for (let code = 0; code <= 0x2070; code++) {
      const character = String.fromCharCode(code)
      const shown = printable(character)
      expect(
        [...shown].some((c) => isSteering(c.charCodeAt(0))),
        `U+${code.toString(16)}`,
      ).toBe(false)
      expect(hasUnprintable(character)).toBe(isSteering(code))
      if (!isSteering(code)) expect(shown).toBe(character)
    }
  })

  it('is idempotent: escaping twice changes nothing more', () => {
    // Proves: an error message made printable when built can be made printable again when printed.
    const once = printable('\x1b[2J\u202e')
    expect(printable(once)).toBe(once)
  })
})

describe('printableLines', () => {
  it('keeps line breaks and escapes the rest on every line', () => {
    // Proves: a multi-line error keeps its shape while each line is defused.
    expect(printableLines('file: invalid\n  a\x1b[2J: unknown\r\n')).toBe(
      'file: invalid\n  a\\x1b[2J: unknown\\x0d\n',
    )
  })
})

describe('clipped', () => {
  it('cuts a long text to the bound with an ellipsis, never splitting a surrogate pair', () => {
    // Proves: the cut text is at most the bound and still valid UTF-16.
    expect(clipped('abcdef', 6)).toBe('abcdef')
    expect(clipped('abcdefg', 6)).toBe('abcde…')
    const cut = clipped('abcd🙂🙂', 6)
    expect(cut.length).toBeLessThanOrEqual(6)
    expect(cut).toBe('abcd…')
  })
})
