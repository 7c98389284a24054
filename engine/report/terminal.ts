/**
 * Terminal views of a run: a one-line progress bar redrawn in place, and the summary table.
 * Numbers read as format.ts says, as they do in report.html and on the live page.
 */
import { thresholdActual } from '../load/threshold.js'
import { printableLines } from '../printable.js'
import { resultCodes, transferKinds } from '../ledger/index.js'
import type { LatencySummary } from '../metrics/latencyHistogram.js'
import {
  formatCount,
  formatDuration,
  formatFen,
  formatInteger,
  formatMs,
  formatPercent,
  formatPercentOf,
  formatRate,
} from './format.js'
import type { LoadProgress, RunProgress, RunSummary } from '../run/summary.js'
import { eventsLine, faultsAsked } from './runEvents.js'

/** What callers outside the report know these by: counts in full, and integer fen as yuan. */
export { formatInteger as grouped, formatFen as yuan } from './format.js'

const barWidth = 28
const msPerSecond = 1_000
const msPerMinute = 60_000

const phaseNames: Record<RunProgress['phase'], string> = {
  building: 'building the city and its population',
  opening: 'opening accounts, issuing e-CNY, first top-ups',
  running: 'running',
  auditing: 'auditing balances',
}

export function progressLine(progress: RunProgress): string {
  if (progress.phase !== 'running')
    return `${phaseNames[progress.phase]}…  ${formatDuration(progress.wallSeconds * msPerSecond)}`
  const done = progress.ticks === 0 ? 1 : progress.tick / progress.ticks
  const filled = Math.round(done * barWidth)
  const bar = '█'.repeat(filled) + '░'.repeat(barWidth - filled)
  const rate = progress.wallSeconds > 0 ? progress.submitted / progress.wallSeconds : 0
  const clock = progress.simulatedAt.slice(0, 16).replace('T', ' ')
  return `${bar} ${(done * 100).toFixed(0).padStart(3)}%  ${clock}  ${formatCount(progress.submitted)} transfers  ${formatCount(progress.rejected)} rejected  ${formatRate(rate)}/s`
}

/**
 * Once a second in a load run: achieved against target, p99, rejections, what is behind, the
 * simulated clock.
 */
export function loadProgressLine(progress: LoadProgress): string {
  const { window } = progress
  // A steered run (the live map) knows its end only once the city's period is all made.
  const planned = Number.isFinite(progress.plannedSeconds)
  const done = !planned
    ? 0
    : progress.plannedSeconds === 0
      ? 1
      : Math.min(1, progress.second / progress.plannedSeconds)
  const filled = Math.round(done * 16)
  const bar = planned ? '█'.repeat(filled) + '░'.repeat(16 - filled) : 'live'.padEnd(16)
  const rejectedShare =
    progress.completed === 0 ? 0 : (progress.rejected / progress.completed) * 100
  return (
    `${bar} ${String(progress.second).padStart(4)}${planned ? `/${Math.ceil(progress.plannedSeconds)}` : ''} s  ` +
    `${formatRate(window.completedTps)}/s of ${formatRate(window.targetTps)}/s  p99 ${formatMs(window.p99Ms)} (run ${formatMs(progress.p99Ms)})  ` +
    `rejected ${formatPercent(rejectedShare)}  ${progress.errors > 0 ? `errors ${formatCount(progress.errors)}  ` : ''}behind ${formatCount(progress.behind)}  ` +
    `sim ${window.simulatedAt.slice(5, 16).replace('T', ' ')} ×${formatRate(progress.speed)}`
  )
}

/** The load part of the summary: the rate, the drops, latency overall and by kind, the gates. */
function loadLines(summary: RunSummary): string[] {
  const load = summary.load
  if (load === undefined) return []
  const lines: string[] = []
  lines.push(
    `load       ${load.profile}: ${formatDuration(load.durationSeconds * msPerSecond)}${load.abortedBy === undefined ? '' : ` (stopped early: ${load.abortedBy} failed)`}, ` +
      `target ${formatInteger(load.targetTps.mean)}/s (peak ${formatInteger(load.targetTps.peak)}/s), achieved ${formatInteger(load.achievedTps)}/s, pacing error ${formatPercent(load.pacingErrorPct)}`,
  )
  lines.push(
    `sent       ${formatInteger(load.sent)} of ${formatInteger(load.intended)} intended, dropped ${formatInteger(load.dropped)}, errors ${formatInteger(load.errors)}, unanswered ${formatInteger(load.unanswered)}, rejected ${formatInteger(load.rejected)}; late p99 ${formatMs(load.lateMs.p99Ms)}, max ${formatMs(load.lateMs.maxMs)}`,
  )
  lines.push(
    `simulated  ${formatDuration(load.simulated.minutes * msPerMinute)} covered, ${formatRate(load.simulated.speed)} simulated seconds per second; ${formatInteger(load.evenings)} evening${load.evenings === 1 ? '' : 's'} of the institutions`,
  )
  lines.push('')
  const rows: string[][] = [
    ['latency from intended send', 'count', 'p50', 'p90', 'p99', 'p99.9', 'max'],
  ]
  const row = (name: string, figures: LatencySummary) => [
    name,
    formatInteger(figures.count),
    formatMs(figures.p50Ms),
    formatMs(figures.p90Ms),
    formatMs(figures.p99Ms),
    formatMs(figures.p999Ms),
    formatMs(figures.maxMs),
  ]
  rows.push(row('all', load.latencyMs.overall))
  for (const kind of transferKinds) {
    const figures = load.latencyMs.byKind[kind]
    if (figures !== undefined) rows.push(row(`  ${kind}`, figures))
  }
  lines.push(...table(rows))
  if (load.thresholds.length > 0) {
    lines.push('')
    for (const check of load.thresholds)
      lines.push(
        `threshold  ${check.ok ? 'pass' : 'FAIL'}  ${check.threshold}  (${thresholdActual(check)})`,
      )
  }
  lines.push(
    `valid      ${load.valid ? 'yes: the generator kept the schedule' : `NO: ${load.invalidReasons.join('; ')}`}`,
  )
  lines.push('')
  return lines
}

/** A stop before the end, the run's events and the faults asked for, each a line when there. */
function steeredLines(summary: RunSummary): string[] {
  const lines: string[] = []
  if (summary.stoppedEarly !== undefined)
    lines.push(`STOPPED    ${summary.stoppedEarly.reason}: the figures below cover that part only`)
  const events = summary.load?.events ?? []
  if (events.length > 0) lines.push(`events     ${eventsLine(events, summary.load?.eventsDropped)}`)
  const faults = faultsAsked(events)
  if (faults !== undefined) lines.push(`FAULTS     ${faults}`)
  return lines
}

/**
 * The summary as the terminal shows it. It quotes input (the scenario's name, the profile and
 * thresholds as written), so every line is made printable: the table has no controls of its own.
 */
export function summaryTable(summary: RunSummary): string {
  const lines: string[] = []
  const { transfers, conservation } = summary
  lines.push(
    `${summary.scenario}  ·  seed ${summary.seed}  ·  ${summary.ledger} ledger  ·  ${summary.workers} worker${summary.workers === 1 ? '' : 's'}`,
  )
  lines.push(`simulated  ${summary.simulated.from} → ${summary.simulated.to}`)
  lines.push(...steeredLines(summary))
  lines.push(
    `agents     ${formatInteger(summary.agents.residents)} residents (${formatInteger(summary.agents.adopted)} with e-CNY, ${formatInteger(summary.agents.riders)} riders), ${formatInteger(summary.agents.merchants)} merchants, ${formatInteger(summary.agents.institutions)} institutions`,
  )
  lines.push('')
  lines.push(...loadLines(summary))
  const rows: string[][] = [['kind', 'submitted', 'accepted', 'rejected', 'accepted ¥']]
  for (const kind of transferKinds) {
    const figures = transfers.byKind[kind]
    if (figures.submitted === 0) continue
    rows.push([
      kind,
      formatInteger(figures.submitted),
      formatInteger(figures.accepted),
      formatInteger(figures.rejected),
      formatFen(figures.amountFen),
    ])
  }
  rows.push([
    'total',
    formatInteger(transfers.submitted),
    formatInteger(transfers.accepted),
    formatInteger(transfers.rejected),
    '',
  ])
  lines.push(...table(rows))
  const reasons = resultCodes.filter((code) => (transfers.byReason[code] ?? 0) > 0)
  if (reasons.length > 0) {
    lines.push('')
    lines.push('rejected by reason')
    for (const reason of reasons)
      lines.push(
        `  ${reason.padEnd(20)} ${formatInteger(transfers.byReason[reason] ?? 0).padStart(12)}`,
      )
  }
  lines.push(...mixLines(summary))
  lines.push('')
  lines.push(`demand     ${sparkline(summary.demand.perHour)}  payments per simulated hour`)
  lines.push(
    `peak       ${formatInteger(summary.demand.peakPerMinute)} payments in the minute from ${summary.demand.peakAt.slice(0, 16).replace('T', ' ')}`,
  )
  lines.push(
    `wall       ${formatDuration(summary.wallSeconds * msPerSecond)} (synthesis ${formatDuration(summary.phases.synthesisSeconds * msPerSecond)}, simulation ${formatDuration(summary.phases.simulationSeconds * msPerSecond)}), ${formatInteger(summary.throughput.transfersPerSecond)} transfers/s`,
  )
  lines.push(
    `money      ${moneyVerdict(summary)}: issued ${formatFen(conservation.issuedFen)} − returned to the central bank ${formatFen(conservation.redeemedFen)} = balances ${formatFen(conservation.balancesFen)}${conservation.negativeBalances > 0 ? `, ${formatInteger(conservation.negativeBalances)} negative balances` : ''}`,
  )
  lines.push(...depositLines(summary))
  if (summary.ledgerHealth !== undefined) {
    const { faults, recovered, longestRecoveryMs } = summary.ledgerHealth
    const failed = Object.entries(faults).filter(([, count]) => count > 0)
    lines.push(
      `ledger     ${failed.length === 0 ? 'no faults' : `faults ${failed.map(([fault, count]) => `${fault} ${formatInteger(count)}`).join(', ')}; ${recovered === 0 ? 'no call recovered' : `${formatInteger(recovered)} call${recovered === 1 ? '' : 's'} recovered, the longest after ${formatDuration(longestRecoveryMs)}`}`}`,
    )
  }
  const held = summary.doubleEntry.pendingHeld ?? 0
  lines.push(
    `entries    ${summary.doubleEntry.ok ? 'balanced' : 'NOT BALANCED'}: debits = credits = what accepted transfers posted, for every kind${held > 0 ? `; ${formatInteger(held)} reservations hold ${formatFen(summary.doubleEntry.pendingFen)}, as the results say` : ''}`,
  )
  lines.push(`digest     ${summary.digest}`)
  return printableLines(lines.join('\n'))
}

/**
 * What the audit says of the money. Balances that add up are not conservation when the ledger's
 * own entries disagree with what it accepted: money moved that the results do not account for (or
 * the other way), and the sums only happen to meet. Only both checks together say "conserved".
 */
/** The payments' channels and providers, largest first, and the reserved ones by kind. */
function mixLines(summary: RunSummary): string[] {
  const mix = summary.mix
  if (mix === undefined) return []
  const shares = <N extends string>(figures: Record<N, { payments: number }>) => {
    const entries = Object.entries(figures) as [N, { payments: number }][]
    const total = entries.reduce((sum, [, one]) => sum + one.payments, 0)
    return entries
      .filter(([, one]) => one.payments > 0)
      .sort((a, b) => b[1].payments - a[1].payments)
      .map(([name, one]) => `${name} ${formatPercentOf(one.payments, total)}`)
      .join(' · ')
  }
  const lines = ['', `channels   ${shares(mix.byChannel)}`, `providers  ${shares(mix.byProvider)}`]
  const riders = summary.ridership
  if (riders !== undefined) {
    const busiest = [...riders.stations]
      .sort((a, b) => b.tapIns + b.tapOuts - (a.tapIns + a.tapOuts))
      .slice(0, 3)
      .map((station) => `${station.station} ${formatInteger(station.tapIns + station.tapOuts)}`)
    lines.push(
      `ridership  ${formatInteger(riders.metroRides)} metro rides, ${formatInteger(riders.busRides)} by bus; busiest stations (taps) ${busiest.join(' · ')}`,
    )
  }
  const guests = mix.visitors
  if (guests !== undefined) {
    lines.push(
      `visitors   ${formatInteger(guests.arrived)} arrived and topped up ${formatFen(guests.topupFen)} from foreign cards; ${formatInteger(guests.payments)} payments, ${formatInteger(guests.accepted)} accepted, ${formatFen(guests.amountFen)}`,
    )
  }
  for (const [kind, figures] of Object.entries(mix.twoPhase)) {
    if (figures === undefined) continue
    lines.push(
      `${kind.padEnd(10)} ${formatInteger(figures.reserved)} reserved, ${formatInteger(figures.posted)} posted, ${formatInteger(figures.voided)} voided, ${formatInteger(figures.held)} held at the end`,
    )
  }
  return lines
}

/** The deposit book's line, in summaries that have one. */
function depositLines(summary: RunSummary): string[] {
  const book = summary.conservation.deposits
  if (book === undefined) return []
  return [
    `deposits   ${book.ok ? 'kept' : 'NOT KEPT'}: ${formatFen(book.openedFen)} at the start − ${formatFen(book.toEcnyFen)} into e-CNY + ${formatFen(book.toDepositsFen)} back = ${formatFen(book.heldFen)} held`,
  ]
}

function moneyVerdict(summary: Pick<RunSummary, 'conservation' | 'doubleEntry'>): string {
  if (!summary.conservation.ok) return 'NOT CONSERVED'
  if (!summary.doubleEntry.ok)
    return "NOT ACCOUNTED FOR (the balances add up, the ledger's entries do not: see entries)"
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
  return folded
    .map((value) => sparks[Math.min(sparks.length - 1, Math.floor((value / top) * sparks.length))])
    .join('')
}

function table(rows: readonly string[][]): string[] {
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? []
  return rows.map((row) =>
    row
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
      )
      .join('   '),
  )
}
