/**
 * The live map's commands as the server checks them: every shape a page may send gets through, and
 * anything else (a type it does not know, a field too many, a wrong type, a value past the engine's
 * bounds, an overlong string, a missing or wrong token) is refused with an error naming the field.
 */
import { describe, expect, it } from 'vitest'
import { ledgerSlowdownMsMax, liveSpeedMax, liveTpsMax } from '../../engine/limits.js'
import { checkCommand } from '../../visualizer/server/commands.js'

/**
 * The error `checkCommand` gives `message` (without a server token), or a failure when it was
 * accepted.
 */
function refusal(message: unknown, token?: string): string {
  const checked = checkCommand(message, token)
  if (checked.ok) throw new Error(`accepted ${JSON.stringify(message)}`)
  return checked.error
}

const validCommands = [
  { type: 'start' },
  { type: 'pause' },
  { type: 'resume' },
  { type: 'speed', minutesPerSecond: 0.01 },
  { type: 'speed', minutesPerSecond: 60 },
  { type: 'speed', minutesPerSecond: liveSpeedMax },
  { type: 'targetTps', tps: 1 },
  { type: 'targetTps', tps: 20_000 },
  { type: 'targetTps', tps: liveTpsMax },
  { type: 'slowdown', ms: 0 },
  { type: 'slowdown', ms: 250 },
  { type: 'slowdown', ms: ledgerSlowdownMsMax },
  { type: 'outage', district: 'Futian', on: true },
  { type: 'outage', district: 'd'.repeat(80), on: false },
] as const

describe('checking a command from a page', () => {
  it('accepts every command shape the protocol has, at its bounds, and hands back the command unchanged', () => {
    // Proves nothing valid is refused: each type, with values at both ends of its range, passes and
    // comes back equal.
    for (const command of validCommands)
      expect(checkCommand({ command }, undefined)).toEqual({ ok: true, command })
  })

  it('refuses a command type it does not know, and a message that is not a command, naming where', () => {
    // Proves an unknown `type` is caught by the discriminator (`command.type`), and that junk
    // (null, a string, no command) names `command`.
    expect(refusal({ command: { type: 'jump' } })).toMatch(/^command\.type: /)
    expect(refusal({ command: { type: 'Pause' } })).toMatch(/^command\.type: /)
    expect(refusal({ command: {} })).toMatch(/^command\.type: /)
    for (const junk of [
      null,
      undefined,
      'pause',
      42,
      [],
      {},
      { command: 'pause' },
      { command: null },
    ])
      expect(refusal(junk)).toMatch(/^command: /)
  })

  it('refuses extra fields, in the command and beside it, naming the field', () => {
    // Proves both objects are strict: a field the protocol does not have is refused, and the error
    // names it.
    expect(refusal({ command: { type: 'pause', tps: 5 } })).toMatch(/^command: .*"tps"/)
    expect(refusal({ command: { type: 'speed', minutesPerSecond: 5, tps: 5 } })).toMatch(
      /^command: .*"tps"/,
    )
    expect(
      refusal({ command: { type: 'outage', district: 'Futian', on: true, until: 5 } }),
    ).toMatch(/^command: .*"until"/)
    expect(refusal({ command: { type: 'pause' }, extra: 1 })).toMatch(/"extra"/)
  })

  it('refuses a field of the wrong type or a missing one, naming the field', () => {
    // Proves each field's type is checked: numbers given as strings, a string as a number, on as a
    // string, fields left out.
    expect(refusal({ command: { type: 'speed', minutesPerSecond: '60' } })).toMatch(
      /^command\.minutesPerSecond: /,
    )
    expect(refusal({ command: { type: 'speed' } })).toMatch(/^command\.minutesPerSecond: /)
    expect(refusal({ command: { type: 'targetTps', tps: '1000' } })).toMatch(/^command\.tps: /)
    expect(refusal({ command: { type: 'slowdown', ms: true } })).toMatch(/^command\.ms: /)
    expect(refusal({ command: { type: 'outage', district: 7, on: true } })).toMatch(
      /^command\.district: /,
    )
    expect(refusal({ command: { type: 'outage', district: 'Futian', on: 'yes' } })).toMatch(
      /^command\.on: /,
    )
    expect(refusal({ command: { type: 'outage', district: 'Futian' } })).toMatch(/^command\.on: /)
    expect(refusal({ command: { type: 'pause' }, token: 5 })).toMatch(/^token: /)
  })

  it('refuses values past the engine’s bounds, or not whole where they must be, naming the field', () => {
    // Proves the bounds are the ones in engine/limits.ts: just past each end of each range is
    // refused, as are NaN and Infinity.
    const speeds = [
      0,
      -1,
      liveSpeedMax + 0.001,
      liveSpeedMax * 2,
      Number.NaN,
      Number.POSITIVE_INFINITY,
    ]
    for (const minutesPerSecond of speeds)
      expect(refusal({ command: { type: 'speed', minutesPerSecond } })).toMatch(
        /^command\.minutesPerSecond: /,
      )
    for (const tps of [0, 0.5, -1, 1.5, liveTpsMax + 1, Number.NaN, Number.POSITIVE_INFINITY])
      expect(refusal({ command: { type: 'targetTps', tps } })).toMatch(/^command\.tps: /)
    for (const ms of [-1, 0.5, ledgerSlowdownMsMax + 1, Number.NaN, Number.POSITIVE_INFINITY])
      expect(refusal({ command: { type: 'slowdown', ms } })).toMatch(/^command\.ms: /)
  })

  it('refuses an empty or overlong district, and an overlong token, naming the field', () => {
    // Proves strings from a page are bounded: a district name over 80 characters or empty, a token
    // over 256.
    expect(refusal({ command: { type: 'outage', district: 'd'.repeat(81), on: true } })).toMatch(
      /^command\.district: /,
    )
    expect(refusal({ command: { type: 'outage', district: '', on: true } })).toMatch(
      /^command\.district: /,
    )
    expect(refusal({ command: { type: 'pause' }, token: 't'.repeat(257) })).toMatch(/^token: /)
    expect(
      checkCommand({ command: { type: 'pause' }, token: 't'.repeat(256) }, 't'.repeat(256)),
    ).toEqual({ ok: true, command: { type: 'pause' } })
  })

  it('with a server token, refuses a message without it or with another, and accepts the right one', () => {
    // Proves the token guards every command: missing, empty, wrong, a prefix of it or longer than
    // it are refused with `token:`, the exact token passes; a malformed command is still refused
    // for its shape whatever the token.
    const token = 's3cret-token'
    for (const given of [undefined, '', 'wrong', 's3cret', `${token}x`, token.toUpperCase()]) {
      const message =
        given === undefined
          ? { command: { type: 'pause' } }
          : { command: { type: 'pause' }, token: given }
      expect(refusal(message, token)).toMatch(/^token: /)
    }
    for (const command of validCommands)
      expect(checkCommand({ command, token }, token)).toEqual({ ok: true, command })
    expect(refusal({ command: { type: 'slowdown', ms: -1 }, token }, token)).toMatch(
      /^command\.ms: /,
    )
  })

  it('without a server token, ignores a token in the message, whatever it says', () => {
    // Proves a server with no token does not hold a page's token against it: any token (or none) is
    // accepted, and is not in the command.
    for (const token of ['', 'anything', 'x'.repeat(256)])
      expect(checkCommand({ command: { type: 'resume' }, token }, undefined)).toEqual({
        ok: true,
        command: { type: 'resume' },
      })
    expect(checkCommand({ command: { type: 'resume' } }, undefined)).toEqual({
      ok: true,
      command: { type: 'resume' },
    })
  })
})
