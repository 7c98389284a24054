/**
 * A run's events (what an operator did to it, and a stop) as the reports tell them: in one line
 * for the terminal, and the sentence the verdict adds when the figures were shaped on purpose, so
 * a run slowed from the live map is not read as a slow ledger.
 */
import type { RunEvent } from '../run/runCommand.js'
import { formatRunTime } from './format.js'

/** Events named in the terminal's line; the report lists them all. */
const eventsInLineMax = 6

/** "paused at 0:32, resumed at 0:45, …" (the first few, then how many more). */
export function eventsLine(events: readonly RunEvent[], dropped = 0): string {
  const named = events
    .slice(0, eventsInLineMax)
    .map((event) => `${event.label} at ${formatRunTime(event.second)}`)
  const more = events.length - named.length + dropped
  return more > 0 ? `${named.join(', ')} and ${more} more` : named.join(', ')
}

/**
 * The faults an operator asked for (a slower ledger, districts cut off), as a sentence for the
 * verdict; undefined when none was.
 */
export function faultsAsked(events: readonly RunEvent[]): string | undefined {
  const faults = events.filter(
    (event) =>
      (event.kind === 'slowdown' && !event.label.endsWith('ended')) ||
      (event.kind === 'outage' && event.label.endsWith('cut off')),
  )
  if (faults.length === 0) return undefined
  const first = faults[0] as RunEvent
  return `Faults were injected on purpose (${eventsLine(faults)}): latency, rejections and errors from ${formatRunTime(first.second)} on are those of the faults asked for, not the ledger's own.`
}
