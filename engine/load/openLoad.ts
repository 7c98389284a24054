/**
 * The open model: transfers go to the ledger when the schedule says, whatever has come back.
 * Each transfer has an intended send time; its latency is measured from that time, not from when
 * it was actually sent, so a ledger that stalls shows its stall in the percentiles instead of
 * quietly lowering the rate (no coordinated omission). When the sender cannot keep up (the
 * source or the event loop is slow, or `inFlightMax` calls are outstanding), transfers go out
 * late and the lateness is measured; what is still unsent when the schedule ends is dropped and
 * counted, never absorbed.
 *
 *   intended:   |  |  |  |  |  |  |  |      (the schedule: RateSchedule.sendTimeMs)
 *   sent:       |  |  |     |||  |  |       lateness = sent − intended
 *   completed:     |  |  |       |||  |     latency  = completed − intended
 *
 * Time and waiting are passed in (`now`, `pause`): tests drive it with a fake clock.
 */
import { assert } from '../assert.js'
import { ResultCode, resultCodeCount, type LedgerCore, type TransferBatch } from '../ledger/index.js'
import { transferBatchMax } from '../limits.js'
import { LatencyByKind, LatencyHistogram } from '../metrics/latencyHistogram.js'
import type { NowMs } from '../time/index.js'
import type { RateSchedule } from './rateSchedule.js'

const gracefulStopMsDefault = 30_000
const coalesceMsDefault = 0.5
/** While draining, how long a pause may wait between looks. */
const drainPollMs = 1

/** Transfers [from, to) of the stream, as a batch the ledger may keep until its call settles. */
export type LoadSource = (from: number, to: number) => TransferBatch

export interface OpenLoadOptions {
  readonly schedule: RateSchedule
  readonly ledger: LedgerCore
  readonly source: LoadSource
  readonly now: NowMs
  /**
   * Yields to the event loop (so results can arrive), and may wait up to `waitMs`, the time until
   * the next send: sleeping rather than spinning leaves the other core to the ledger and the
   * collector. (`wallClockPause` is the one for real time.)
   */
  readonly pause: (waitMs: number) => Promise<void>
  /** Calls outstanding at most; beyond it, due transfers wait (and grow late). */
  readonly inFlightMax: number
  /** Transfers per call at most. */
  readonly batchMax?: number
  /** How long after the schedule ends calls still outstanding may take; default 30 s. */
  readonly gracefulStopMs?: number
  /**
   * Due transfers wait at most this long to be sent together (default 0.5 ms): at a million a
   * second, each pass of the loop would otherwise send one or two, and calls, not transfers,
   * would become the limit. It bounds the lateness it adds.
   */
  readonly coalesceMs?: number
}

/** One second of wall time since the start. */
export interface LoadWindow {
  readonly second: number
  /** What the schedule wanted sent in this second. */
  readonly target: number
  readonly sent: number
  readonly completed: number
}

export interface OpenLoadResult {
  readonly intended: number
  readonly sent: number
  readonly dropped: number
  readonly completed: number
  /** Transfers whose call failed (the ledger gave no result). */
  readonly errors: number
  /** Transfers whose call was still unanswered `gracefulStopMs` after the schedule ended. */
  readonly unanswered: number
  /** Transfers with a result code other than ok. */
  readonly rejected: number
  /** Transfers by result code (indexed by ResultCode). */
  readonly byCode: readonly number[]
  /** From intended send time to result, by kind. The caller destroys it. */
  readonly latency: LatencyByKind
  /** From intended to actual send time. The caller destroys it. */
  readonly lateness: LatencyHistogram
  readonly windows: readonly LoadWindow[]
  readonly wallMs: number
}

export async function runOpenLoad(options: OpenLoadOptions): Promise<OpenLoadResult> {
  const { schedule, ledger, source, now, pause } = options
  const batchMax = options.batchMax ?? transferBatchMax
  assert(batchMax >= 1 && batchMax <= transferBatchMax, 'a call holds 1..transferBatchMax transfers')
  assert(Number.isInteger(options.inFlightMax) && options.inFlightMax >= 1, 'at least one call may be outstanding')
  const latency = new LatencyByKind()
  const lateness = new LatencyHistogram()
  const windowCount = Math.ceil(schedule.durationMs / 1000)
  const sentBySecond = new Float64Array(windowCount)
  const completedBySecond = new Float64Array(windowCount + 1)
  const byCode = new Array<number>(resultCodeCount).fill(0)
  const total = schedule.transfers
  let next = 0
  let inFlight = 0
  let completed = 0
  let errors = 0
  let stopped = false
  const outstanding = new Map<Promise<void>, number>()
  const startMs = now()

  const send = (from: number, to: number) => {
    const batch = source(from, to)
    assert(batch.count === to - from, 'the source gives the transfers asked for')
    const intendedMs = new Float64Array(batch.count)
    const sentMs = now() - startMs
    for (let index = 0; index < batch.count; index++) {
      const intended = schedule.sendTimeMs(from + index)
      intendedMs[index] = intended
      lateness.record((sentMs - intended) * 1000)
    }
    const second = Math.min(windowCount - 1, Math.floor(sentMs / 1000))
    sentBySecond[second] = (sentBySecond[second] as number) + batch.count
    inFlight += 1
    const call = ledger.submit(batch).then(
      (results) => {
        if (stopped) return
        const doneMs = now() - startMs
        for (let index = 0; index < batch.count; index++) {
          latency.record(batch.kind[index] as number, (doneMs - (intendedMs[index] as number)) * 1000)
          const code = results.code[index] as number
          byCode[code] = (byCode[code] as number) + 1
        }
        completed += batch.count
        const doneSecond = Math.min(windowCount, Math.floor(doneMs / 1000))
        completedBySecond[doneSecond] = (completedBySecond[doneSecond] as number) + batch.count
      },
      () => {
        if (!stopped) errors += batch.count
      },
    )
    const settled = call.finally(() => {
      inFlight -= 1
      outstanding.delete(settled)
    })
    outstanding.set(settled, batch.count)
  }

  const coalesceMs = options.coalesceMs ?? coalesceMsDefault
  assert(coalesceMs >= 0, 'coalescing waits a non-negative time')
  const sendDue = (elapsedMs: number, final = false) => {
    const due = schedule.dueCount(elapsedMs)
    if (next >= due) return
    // Wait for company unless the oldest due transfer has waited long enough or a full call is due.
    if (!final && due - next < batchMax && schedule.sendTimeMs(next) > elapsedMs - coalesceMs) return
    while (next < due && inFlight < options.inFlightMax) {
      const to = Math.min(due, next + batchMax)
      send(next, to)
      next = to
    }
  }

  for (let elapsedMs = now() - startMs; elapsedMs < schedule.durationMs; elapsedMs = now() - startMs) {
    sendDue(elapsedMs)
    const nextMs = next < total ? Math.min(schedule.durationMs, schedule.sendTimeMs(next) + coalesceMs) : schedule.durationMs
    await pause(Math.max(0, nextMs - (now() - startMs)))
  }
  // Everything is due by the end (the last transfer's time is below the duration).
  sendDue(schedule.durationMs, true)
  const sent = next
  // Results still due come in as time goes on (pausing, not blocking: a fake clock moves this way too),
  // for `gracefulStopMs` at most: a ledger that never answers does not hold the run forever.
  const stopAtMs = schedule.durationMs + (options.gracefulStopMs ?? gracefulStopMsDefault)
  while (outstanding.size > 0 && now() - startMs < stopAtMs) await pause(drainPollMs)
  stopped = true
  let unanswered = 0
  for (const count of outstanding.values()) unanswered += count
  const wallMs = now() - startMs

  const windows: LoadWindow[] = Array.from({ length: windowCount }, (_, second) => ({
    second,
    target: schedule.dueBetween(second * 1000, (second + 1) * 1000),
    sent: sentBySecond[second] as number,
    completed: completedBySecond[second] as number,
  }))
  return {
    intended: total,
    sent,
    dropped: total - sent,
    completed,
    errors,
    unanswered,
    rejected: completed - (byCode[ResultCode.ok] as number),
    byCode,
    latency,
    lateness,
    windows,
    wallMs,
  }
}

/**
 * A pause for wall-clock runs: sleeps with a timer when the next send is more than `spinMs` away
 * (timers wake late by a millisecond or so), and otherwise only yields a turn of the event loop.
 */
export function wallClockPause(spinMs = 2): (waitMs: number) => Promise<void> {
  return (waitMs) =>
    new Promise<void>((resolve) => {
      if (waitMs > spinMs) setTimeout(resolve, Math.min(waitMs - spinMs, 50))
      else setImmediate(resolve)
    })
}

/**
 * The largest miss of the sending rate in any whole second after the first, as a percentage of
 * that second's target (the first second is left out: the sender starts inside it).
 */
export function pacingErrorPct(windows: readonly LoadWindow[]): number {
  let worst = 0
  for (const window of windows.slice(1)) {
    if (window.target === 0) continue
    worst = Math.max(worst, (Math.abs(window.sent - window.target) / window.target) * 100)
  }
  return worst
}
