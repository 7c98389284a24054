/**
 * The http client's deadlines against services that hold their callers on purpose: one that
 * dribbles its answer a byte at a time, one that never ends it. An attempt ends at its deadline
 * however the bytes come, a call (every attempt and pause) at its own, and a closed client makes no
 * further attempt. Deadlines are shortened for the test through the client's settings.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { RunFailed } from '../../../../engine/errors.js'
import { HttpLedger, type LedgerOptions } from '../../../../engine/ledger/index.js'
import { wallClock } from '../../../../engine/time/index.js'
import { testLedgerToken as token, tiers, utcOffsetMinutes } from '../conformance/harness.js'
import { slowService, type SlowService } from '../../../helpers/slowLedger.js'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const options: LedgerOptions = { accountsMax: 16, tiers, utcOffsetMinutes }

async function service(sort: 'dribble' | 'endless'): Promise<SlowService> {
  const started = await slowService(sort, 20)
  cleanups.push(() => started.close())
  return started
}

/** How long `promise` took to settle, ms, and how it did. */
async function timed(promise: Promise<unknown>): Promise<{ ms: number; error: unknown }> {
  const startedMs = wallClock.nowMs()
  try {
    await promise
    return { ms: wallClock.nowMs() - startedMs, error: undefined }
  } catch (error) {
    return { ms: wallClock.nowMs() - startedMs, error }
  }
}

describe("the http client's deadlines", () => {
  it.each([
    ['dribbles its answer a byte at a time', 'dribble'],
    ['never ends its answer', 'endless'],
  ] as const)(
    "fails a call to a service that %s once the call's deadline has passed, each attempt cut at its own",
    async (_, sort) => {
      // Proves a slow loris cannot hold a call: attempts of 500 ms at most, the call 2 s in all; a
      // byte every 20 ms (or none) never makes a whole answer, and the call fails, naming its
      // deadline, soon after 2 s.
      const slow = await service(sort)
      const client = new HttpLedger(options, slow.url, {
        token,
        attemptMsMax: 500,
        callMsMax: 2_000,
        retryPauseMs: 20,
      })
      cleanups.push(() => client.close())
      const { ms, error } = await timed(client.open())
      expect(error).toBeInstanceOf(RunFailed)
      expect(String(error)).toMatch(
        /the http ledger at http:\/\/127\.0\.0\.1:\d+ did not answer a call within 2 s, its deadline, --ledger-timeout \(\d+ attempts, the last: timeout: /,
      )
      expect(ms).toBeGreaterThanOrEqual(1_900)
      // Generous for a busy machine, and far below what a dribbling answer would take.
      expect(ms).toBeLessThan(2_000 + 2_500)
      // Every attempt was cut at its deadline, then retried: several reached the service.
      expect(client.health().faults.timeout).toBeGreaterThanOrEqual(3)
      expect(slow.requests()).toBeGreaterThanOrEqual(3)
      // The ledger has failed for good: a later call fails at once.
      const later = await timed(client.totals())
      expect(later.error).toBeInstanceOf(RunFailed)
      expect(later.ms).toBeLessThan(500)
    },
    30_000,
  )

  it('ends an attempt at its deadline even with no call deadline to stop it', async () => {
    // Proves the attempt's own deadline is total, not idle: with bytes every 20 ms the connection
    // is never silent, and still each attempt ends at 300 ms; two attempts then fail the call.
    const slow = await service('dribble')
    const client = new HttpLedger(options, slow.url, {
      token,
      attemptMsMax: 300,
      callMsMax: 60_000,
      attemptsMax: 2,
      retryPauseMs: 20,
    })
    cleanups.push(() => client.close())
    const { ms, error } = await timed(client.open())
    expect(String(error)).toMatch(/failed 2 times \(timeout: no whole answer within 300 ms\)/)
    expect(ms).toBeLessThan(2 * 300 + 2_500)
  }, 30_000)

  it('makes no further attempt once closed: close ends a call that is retrying, at once', async () => {
    // Proves closing a client is prompt: with long deadlines a call to a service that never answers
    // would go on for a minute; closed after half a second, the call fails and close returns within
    // a second or two.
    const slow = await service('endless')
    const client = new HttpLedger(options, slow.url, {
      token,
      attemptMsMax: 200,
      callMsMax: 60_000,
      attemptsMax: 1_000,
      retryPauseMs: 20,
    })
    const opening = timed(client.open())
    await new Promise((resolve) => setTimeout(resolve, 500))
    const closing = await timed(client.close())
    const opened = await opening
    expect(opened.error).toBeInstanceOf(RunFailed)
    expect(closing.ms).toBeLessThan(2_000)
    expect(opened.ms).toBeLessThan(500 + 2_000)
  }, 30_000)
})
