/**
 * Commands from pages, checked before anything acts on them: shape and bounds by schema, then the
 * token when the server has one (compared in constant time). A refused command is answered to
 * the page that sent it and goes no further; the run never sees it.
 */
import { timingSafeEqual, createHash } from 'node:crypto'
import { z } from 'zod'
import { ledgerSlowdownMsMax, liveSpeedMax, liveTpsMax } from '../../engine/limits.js'
import type { Command } from '../protocol.js'

/** A district's name, as a scenario gives it. */
const districtNameMax = 80
const tokenMax = 256

const commandSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('start') }),
  z.strictObject({ type: z.literal('pause') }),
  z.strictObject({ type: z.literal('resume') }),
  z.strictObject({
    type: z.literal('speed'),
    minutesPerSecond: z.number().positive().max(liveSpeedMax),
  }),
  z.strictObject({ type: z.literal('targetTps'), tps: z.number().int().min(1).max(liveTpsMax) }),
  z.strictObject({
    type: z.literal('slowdown'),
    ms: z.number().int().min(0).max(ledgerSlowdownMsMax),
  }),
  z.strictObject({
    type: z.literal('outage'),
    district: z.string().min(1).max(districtNameMax),
    on: z.boolean(),
  }),
])

const messageSchema = z.strictObject({
  command: commandSchema,
  token: z.string().max(tokenMax).optional(),
})

export type CheckedCommand =
  { readonly ok: true; readonly command: Command } | { readonly ok: false; readonly error: string }

/**
 * `message` as a command this server takes, or why not. `token` is the server's (undefined: none
 * needed).
 */
export function checkCommand(message: unknown, token: string | undefined): CheckedCommand {
  const parsed = messageSchema.safeParse(message)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const where = issue === undefined || issue.path.length === 0 ? 'command' : issue.path.join('.')
    return { ok: false, error: `${where}: ${issue?.message ?? 'not a command'}` }
  }
  if (token !== undefined && !sameSecret(parsed.data.token ?? '', token))
    return {
      ok: false,
      error: 'token: wrong or missing; the controls of this map need the token it was started with',
    }
  return { ok: true, command: parsed.data.command as Command }
}

/**
 * Compares digests, so neither the length nor the content of the secret shows in the time taken.
 */
function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest()
  return timingSafeEqual(digest(given), digest(expected))
}
