/**
 * How a run drives the ledger from the city stream. Two executors, one file each, chosen once
 * from the run's settings (index.ts): flat out (every tick as fast as the ledger takes it) and the
 * open model (each payment at its intended send time, whatever has come back). Both take their
 * payments from the run's one city stream, send them through the counting ledger's payments side
 * and leave the evenings to the run's Evening.
 */
import type { CountingLedger } from '../../counting/countingLedger.js'
import type { CityStream, CityStreamOptions } from '../../stream/cityStream.js'
import type { Demand } from '../../stream/demand.js'
import type { TransferIds } from '../../stream/transferIds.js'
import type { Plan } from '../../plan/index.js'
import type { RunTelemetry, SenderPosition } from '../../telemetry/index.js'
import type { NowMs } from '../../time/index.js'
import type { Evening } from '../evening.js'
import type { LoadSection, RunProgress } from '../summary.js'

export interface ExecutorContext {
  readonly plan: Plan
  /** Opens the run's one city stream, cut to what the executor needs (once). */
  readonly openStream: (options: Omit<CityStreamOptions, 'ids'>) => CityStream
  readonly counting: CountingLedger
  readonly evening: Evening
  readonly ids: TransferIds
  readonly telemetry: RunTelemetry
  /** Where the sender is, for the run's looks (flat out: nowhere to show). */
  readonly showPosition: (position: () => SenderPosition) => void
  /** Publishes the run's progress at `tick`. */
  readonly progress: (phase: RunProgress['phase'], tick: number) => void
  readonly now: NowMs
  /**
   * Once aborted, the run ends early: flat out before its next tick, under load as its next second
   * closes.
   */
  readonly stop?: AbortSignal | undefined
}

export interface ExecutorOutcome {
  readonly demand: Demand
  /** How far the simulated clock got. */
  readonly simulated: { readonly to: string; readonly minutes: number }
  /** Set when the stop signal ended the run before its schedule did. */
  readonly stoppedEarly?: { readonly by: string; readonly reason: string }
  /** The open model's figures. */
  readonly load?: LoadSection
  /** When the executor started (the opening done), for the simulation's share of the wall time. */
  readonly startedMs: number
}

export interface Executor {
  readonly mode: 'flat-out' | 'load'
  run(context: ExecutorContext): Promise<ExecutorOutcome>
}

/** What stopped a run, from its stop signal's reason: a signal's name, or 'a stop request'. */
export function stopReason(stop: AbortSignal | undefined): string {
  const reason: unknown = stop?.reason
  return typeof reason === 'string' && reason !== '' ? reason : 'a stop request'
}
