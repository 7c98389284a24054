/**
 * A command read from the controls, checked against Hello.bounds before it is sent, so the usual
 * mistakes are explained at once. The server checks again (visualizer/server/commands.ts) and has
 * the last word. No DOM here: the checks are plain functions of numbers.
 */
import type { Command } from '../protocol.js'
import { formatInteger } from './format.js'

/** A command, or why the inputs do not make one. */
export type Checked =
  { readonly ok: true; readonly command: Command } | { readonly ok: false; readonly error: string }

export const refuse = (error: string): Checked => ({ ok: false, error })
export const accept = (command: Command): Checked => ({ ok: true, command })

export interface NumberRange {
  readonly max: number
  /** A slowdown of 0 ends it; a speed or a rate of 0 is not a pace (Pause is). */
  readonly zeroAllowed: boolean
}

/** `value` is NaN when the field is empty or not a number (HTMLInputElement.valueAsNumber). */
export function fromNumber(
  value: number,
  what: string,
  range: NumberRange,
  command: (value: number) => Command,
): Checked {
  if (!Number.isFinite(value)) return refuse(`${what}: enter a number`)
  if (value > range.max) return refuse(`${what}: at most ${formatInteger(range.max)}`)
  if (range.zeroAllowed ? value < 0 : value <= 0)
    return refuse(`${what}: ${range.zeroAllowed ? 'at least 0' : 'more than 0'}`)
  return accept(command(value))
}
