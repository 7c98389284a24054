/**
 * Terminal views of a run: a one-line progress bar redrawn in place, and the summary table.
 */
import { thresholdActual } from '../load/threshold.js'
import { printableLines } from '../printable.js'
import { resultCodes, transferKinds } from '../ledger/index.js'
import type { LatencySummary } from '../metrics/latencyHistogram.js'
import type { LoadProgress, RunProgress, RunSummary } from '../run/summary.js'

const barWidth = 28

const phaseNames: Record<RunProgress['phase'], string> = {
  building: 'building the city and its population',
  opening: 'opening accounts, issuing e-CNY, first top-ups',
  running: 'running',
  auditing: 'auditing balances',
}

export function progressLine(progress: RunProgress): string {
  if (progress.phase !== 'running') return `${phaseNames[progress.phase]}…  ${progress.wallSeconds.toFixed(1)} s`
  const done = progress.ticks === 0 ? 1 : progress.tick / progress.ticks
  const filled = Math.round(done * barWidth)
  const bar = '█'.repeat(filled) + '░'.repeat(barWidth - filled)
  const rate = progress.wallSeconds > 0 ? progress.submitted / progress.wallSeconds : 0
  const clock = progress.simulatedAt.slice(0, 16).replace('T', ' ')
  return `${bar} ${(done * 100).toFixed(0).padStart(3)}%  ${clock}  ${compact(progress.submitted)} transfers  ${compact(progress.rejected)} rejected  ${compact(rate)}/s`
}

/** Once a second in a load run: achieved against target, p99, rejections, what is behind, the simulated clock. */
export function loadProgressLine(progress: LoadProgress): string {
  const { window } = progress
  // A steered run (the live map) knows its end only once the city's period is all made.
  const planned = Number.isFinite(progress.plannedSeconds)
  const done = !planned ? 0 : progress.plannedSeconds === 0 ? 1 : Math.min(1, progress.second / progress.plannedSeconds)
  const filled = Math.round(done * 16)
  const bar = planned ? '█'.repeat(filled) + '░'.repeat(16 - filled) : 'live'.padEnd(16)
  const rejectedShare = progress.completed === 0 ? 0 : (progress.rejected / progress.completed) * 100
  return (
    `${bar} ${String(progress.second).padStart(4)}${planned ? `/${Math.ceil(progress.plannedSeconds)}` : ''} s  ` +
    `${compact(window.completedTps)}/s of ${compact(window.targetTps)}/s  p99 ${ms(window.p99Ms)} (run ${ms(progress.p99Ms)})  ` +
    `rejected ${rejectedShare.toFixed(1)}%  ${progress.errors > 0 ? `errors ${compact(progress.errors)}  ` : ''}behind ${compact(progress.behind)}  ` +
    `sim ${window.simulatedAt.slice(5, 16).replace('T', ' ')} ×${progress.speed >= 10 ? progress.speed.toFixed(0) : progress.speed.toFixed(1)}`
  )
}

/** Milliseconds with the digits that matter: 0.35 ms, 12.2 ms, 133 ms. */
export function ms(value: number): string {
  return value >= 100 ? `${value.toFixed(0)} ms` : `${value.toFixed(value >= 10 ? 1 : 2)} ms`
}

/** The load part of the summary: the rate, the drops, latency overall and by kind, the gates. */
function loadLines(summary: RunSummary): string[] {
  const load = summary.load
  if (load === undefined) return []
  const lines: string[] = []
  lines.push(
    `load       ${load.profile}: ${load.durationSeconds.toFixed(1)} s${load.abortedBy === undefined ? '' : ` (stopped early: ${load.abortedBy} failed)`}, ` +
      `target ${grouped(load.targetTps.mean)}/s (peak ${grouped(load.targetTps.peak)}/s), achieved ${grouped(load.achievedTps)}/s, pacing error ${load.pacingErrorPct.toFixed(2)}%`,
  )
  lines.push(
    `sent       ${grouped(load.sent)} of ${grouped(load.intended)} intended, dropped ${grouped(load.dropped)}, errors ${grouped(load.errors)}, unanswered ${grouped(load.unanswered)}, rejected ${grouped(load.rejected)}; late p99 ${ms(load.lateMs.p99Ms)}, max ${ms(load.lateMs.maxMs)}`,
  )
  lines.push(`simulated  ${load.simulated.minutes.toFixed(1)} minutes covered, ${load.simulated.speed.toFixed(1)} simulated seconds per second; ${load.evenings} evening${load.evenings === 1 ? '' : 's'} of the institutions`)
  lines.push('')
  const rows: string[][] = [['latency from intended send', 'count', 'p50', 'p90', 'p99', 'p99.9', 'max']]
  const row = (name: string, figures: LatencySummary) => [name, grouped(figures.count), ms(figures.p50Ms), ms(figures.p90Ms), ms(figures.p99Ms), ms(figures.p999Ms), ms(figures.maxMs)]
  rows.push(row('all', load.latencyMs.overall))
  for (const kind of transferKinds) {
    const figures = load.latencyMs.byKind[kind]
    if (figures !== undefined) rows.push(row(`  ${kind}`, figures))
  }
  lines.push(...table(rows))
  if (load.thresholds.length > 0) {
    lines.push('')
    for (const check of load.thresholds) lines.push(`threshold  ${check.ok ? 'pass' : 'FAIL'}  ${check.threshold}  (${thresholdActual(check)})`)
  }
  lines.push(`valid      ${load.valid ? 'yes: the generator kept the schedule' : `NO: ${load.invalidReasons.join('; ')}`}`)
  lines.push('')
  return lines
}

/**
 * The summary as the terminal shows it. It quotes input (the scenario's name, the profile and
 * thresholds as written), so every line is made printable: the table has no controls of its own.
 */
export function summaryTable(summary: RunSummary): string {
  const lines: string[] = []
  const { transfers, conservation } = summary
  lines.push(`${summary.scenario}  ·  seed ${summary.seed}  ·  ${summary.ledger} ledger  ·  ${summary.workers} worker${summary.workers === 1 ? '' : 's'}`)
  lines.push(`simulated  ${summary.simulated.from} → ${summary.simulated.to}`)
  if (summary.stoppedEarly !== undefined) lines.push(`STOPPED    ${summary.stoppedEarly.reason}: the figures below cover that part only`)
  lines.push(
    `agents     ${grouped(summary.agents.residents)} residents (${grouped(summary.agents.adopted)} with e-CNY, ${grouped(summary.agents.riders)} riders), ${grouped(summary.agents.merchants)} merchants, ${summary.agents.institutions} institutions`,
  )
  lines.push('')
  lines.push(...loadLines(summary))
  const rows: string[][] = [['kind', 'submitted', 'accepted', 'rejected', 'accepted ¥']]
  for (const kind of transferKinds) {
    const figures = transfers.byKind[kind]
    if (figures.submitted === 0) continue
    rows.push([kind, grouped(figures.submitted), grouped(figures.accepted), grouped(figures.rejected), yuan(figures.amountFen)])
  }
  rows.push(['total', grouped(transfers.submitted), grouped(transfers.accepted), grouped(transfers.rejected), ''])
  lines.push(...table(rows))
  const reasons = resultCodes.filter((code) => (transfers.byReason[code] ?? 0) > 0)
  if (reasons.length > 0) {
    lines.push('')
    lines.push('rejected by reason')
    for (const reason of reasons) lines.push(`  ${reason.padEnd(20)} ${grouped(transfers.byReason[reason] ?? 0).padStart(12)}`)
  }
  lines.push('')
  lines.push(`demand     ${sparkline(summary.demand.perHour)}  payments per simulated hour`)
  lines.push(`peak       ${grouped(summary.demand.peakPerMinute)} payments in the minute from ${summary.demand.peakAt.slice(0, 16).replace('T', ' ')}`)
  lines.push(
    `wall       ${summary.wallSeconds.toFixed(1)} s (synthesis ${summary.phases.synthesisSeconds.toFixed(1)} s, simulation ${summary.phases.simulationSeconds.toFixed(1)} s), ${grouped(summary.throughput.transfersPerSecond)} transfers/s`,
  )
  lines.push(`money      ${moneyVerdict(summary)}: issued ${yuan(conservation.issuedFen)} − returned to the central bank ${yuan(conservation.redeemedFen)} = balances ${yuan(conservation.balancesFen)}${conservation.negativeBalances > 0 ? `, ${conservation.negativeBalances} negative balances` : ''}`)
  if (summary.ledgerHealth !== undefined) {
    const { faults, recovered, longestRecoveryMs } = summary.ledgerHealth
    const failed = Object.entries(faults).filter(([, count]) => count > 0)
    lines.push(
      `ledger     ${failed.length === 0 ? 'no faults' : `faults ${failed.map(([fault, count]) => `${fault} ${grouped(count)}`).join(', ')}; ${recovered === 0 ? 'no call recovered' : `${grouped(recovered)} call${recovered === 1 ? '' : 's'} recovered, the longest after ${ms(longestRecoveryMs)}`}`}`,
    )
  }
  lines.push(`entries    ${summary.doubleEntry.ok ? 'balanced' : 'NOT BALANCED'}: debits = credits = accepted for every kind`)
  lines.push(`digest     ${summary.digest}`)
  return printableLines(lines.join('\n'))
}

/**
 * What the audit says of the money. Balances that add up are not conservation when the ledger's
 * own entries disagree with what it accepted: money moved that the results do not account for (or
 * the other way), and the sums only happen to meet. Only both checks together say "conserved".
 */
function moneyVerdict(summary: Pick<RunSummary, 'conservation' | 'doubleEntry'>): string {
  if (!summary.conservation.ok) return 'NOT CONSERVED'
  if (!summary.doubleEntry.ok) return "NOT ACCOUNTED FOR (the balances add up, the ledger's entries do not: see entries)"
  return 'conserved'
}

const sparks = '▁▂▃▄▅▆▇█'

/** One character per value, scaled to the largest; long series are folded to at most 48 marks. */
function sparkline(values: readonly number[]): string {
  const fold = Math.ceil(values.length / 48)
  const folded: number[] = []
  for (let index = 0; index < values.length; index += fold) {
    folded.push(values.slice(index, index + fold).reduce((a, b) => a + b, 0))
  }
  const top = Math.max(1, ...folded)
  return folded.map((value) => sparks[Math.min(sparks.length - 1, Math.floor((value / top) * sparks.length))]).join('')
}

function table(rows: readonly string[][]): string[] {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? []
  return rows.map((row) =>
    row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join('   '),
  )
}

export function grouped(value: number): string {
  return Math.round(value).toLocaleString('en-US')
}

/** Fen as yuan with two decimals, by integer arithmetic: no float ever holds the money. */
export function yuan(fen: number): string {
  const sign = fen < 0 ? '-' : ''
  const absolute = Math.abs(fen)
  const whole = Math.floor(absolute / 100)
  const cents = String(absolute % 100).padStart(2, '0')
  return `¥${sign}${whole.toLocaleString('en-US')}.${cents}`
}

function compact(value: number): string {
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)}M`
  if (value >= 1e3) return `${(value / 1e3).toFixed(1)}k`
  return value.toFixed(0)
}
