/**
 * A run's verdict in one line, for the live page's finished state: whether the load test measured
 * what it set out to, its thresholds, anything that shaped the figures (a stop, faults asked for),
 * and the audit.
 */
import type { RunSummary } from '../run/summary.js'
import { faultsAsked } from './runEvents.js'

export function runVerdictLine(summary: RunSummary): string {
  const parts: string[] = []
  const load = summary.load
  if (load !== undefined) {
    parts.push(load.valid ? 'valid load test' : 'NOT a valid load test: the generator fell behind')
    const failed = load.thresholds.filter((check) => !check.ok).length
    if (load.thresholds.length > 0)
      parts.push(
        failed === 0
          ? `thresholds: all ${load.thresholds.length} passed`
          : `thresholds: ${failed} of ${load.thresholds.length} FAILED`,
      )
    if (faultsAsked(load.events ?? []) !== undefined) parts.push('faults injected on purpose')
  }
  if (summary.stoppedEarly !== undefined) parts.push(summary.stoppedEarly.reason)
  const audited = summary.conservation.ok && summary.doubleEntry.ok
  parts.push(audited ? 'money conserved, entries balanced' : 'the audit FAILED')
  return parts.join(' · ')
}
