/**
 * SIGINT and SIGTERM, handled one way by every command: a long command ends on the first, and a
 * second quits at once with 128 + the signal's number, taking away first what is half-written.
 */
import { signalExit } from './exitCodes.js'

/** Calls `handler` on each SIGINT and SIGTERM until the returned function is called. */
function onSignals(handler: (signal: NodeJS.Signals) => void): () => void {
  process.on('SIGINT', handler)
  process.on('SIGTERM', handler)
  return () => {
    process.off('SIGINT', handler)
    process.off('SIGTERM', handler)
  }
}

/**
 * The name of the first SIGINT or SIGTERM to come. Only the first is caught: a second while the
 * command closes ends the process as the signal does by default.
 */
export function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const release = onSignals((signal) => {
      release()
      resolve(signal)
    })
  })
}

/**
 * Signals handled until `release`: `signal` aborted by the first (its reason: the signal's name).
 */
export interface SignalStop {
  readonly signal: AbortSignal
  /** Resolves with the first signal's name. */
  readonly stopped: Promise<string>
  release(): void
}

/** What `run` and `capacity` say on a first signal. */
function runStopping(signal: string): string {
  return `\nstopping (${signal}): the run ends at its next step, is audited and its files written (Ctrl-C again to quit at once, keeping nothing)\n`
}

/**
 * SIGINT and SIGTERM during `run`, `capacity` and `serve`, handled as a Ctrl-C on the live map: the
 * first aborts `signal` (a run stops going at its next step, then is settled, audited and its
 * files written, marked as stopped early) and writes `told(signal)` on stderr, if anything; a
 * second quits at once, `abandon` first taking the staging folders away, so nothing half-written
 * is left. Held until `release`, after the files.
 */
export function stopOnSignals(
  abandon: () => void,
  told: (signal: string) => string | undefined = runStopping,
): SignalStop {
  const controller = new AbortController()
  let stop: (signal: string) => void = () => undefined
  const stopped = new Promise<string>((resolve) => (stop = resolve))
  const release = onSignals((signal) => {
    if (controller.signal.aborted) {
      abandon()
      process.exit(signalExit(signal))
    }
    controller.abort(signal)
    const line = told(signal)
    if (line !== undefined) process.stderr.write(line)
    stop(signal)
  })
  return { signal: controller.signal, stopped, release }
}
