/**
 * Flat out: the period's ticks in order, each as fast as the ledger takes it. While the ledger
 * applies one tick the next is taken from the stream; at a day's last tick the evening runs before
 * the next. The order the ledger sees depends only on tick and segment, so the outcome, and the
 * digest over it, is the same whatever the number of workers.
 */
import { ticksPerChunk } from '../../limits.js'
import { isoMinute } from '../../time/index.js'
import { sendBatch } from '../evening.js'
import {
  stopReason,
  type Executor,
  type ExecutorContext,
  type ExecutorOutcome,
} from './executor.js'

/** Ticks whose calls may be unanswered at once. */
const ticksInFlight = 2

export class FlatOutExecutor implements Executor {
  readonly mode = 'flat-out'

  async run(context: ExecutorContext): Promise<ExecutorOutcome> {
    const { plan, stop } = context
    const startedMs = context.now()
    const stream = context.openStream({ ticks: plan.clock.ticks })
    let ticksRun = 0
    try {
      ticksRun = await this.ticks(context, stream)
    } finally {
      // Nothing is left running in the workers when the run goes on to its audit (or its failure).
      await stream.finish()
    }
    const stopped = ticksRun < plan.clock.ticks
    const by = stopReason(stop)
    return {
      demand: stream.demand,
      simulated: { to: isoMinute(plan.clock, ticksRun), minutes: ticksRun },
      startedMs,
      ...(stopped
        ? {
            stoppedEarly: {
              by,
              reason: `stopped by ${by} at ${isoMinute(plan.clock, ticksRun)} (simulated), after ${ticksRun} of the period's ${plan.clock.ticks} minutes`,
            },
          }
        : {}),
    }
  }

  /** Runs the ticks until the stream ends or the stop signal says so; the ticks run. */
  private async ticks(
    context: ExecutorContext,
    stream: ReturnType<ExecutorContext['openStream']>,
  ): Promise<number> {
    const { counting, evening, ids, stop } = context
    const inFlight: Promise<void>[] = Array.from({ length: ticksInFlight }, () => Promise.resolve())
    let ticksRun = 0
    for (;;) {
      if (stop?.aborted === true) break
      const turn = ticksRun % ticksInFlight
      await inFlight[turn]
      const made = await stream.nextTick()
      if (made === undefined) break
      const sent = sendBatch(counting.payments, ids, made.batch, made.minute)
      // Awaited in its turn or below; this only keeps it from being reported unhandled meanwhile.
      sent.catch(() => undefined)
      inFlight[turn] = sent
      ticksRun = made.tick + 1
      if (made.endsDay) await evening.run(made.tick)
      if (ticksRun % ticksPerChunk === 0) context.progress('running', ticksRun)
    }
    await Promise.all(inFlight)
    context.progress('running', ticksRun)
    return ticksRun
  }
}
