/**
 * What `citytwin capacity` reports: the knee (the highest rate that held the SLO over a sustained
 * window) with its evidence, every trial's rate against its latency, pass or fail and why; as a
 * terminal table, capacity.json and capacity.html (a table and a rate-vs-latency chart). The page
 * is written with the `html` tag (markup.ts): the scenario's name and the SLO as typed read as
 * text.
 */
import { parseThreshold, thresholdActual } from '../load/threshold.js'
import path from 'node:path'
import type { CapacityResult, CapacityTrial, Threshold } from '../load/index.js'
import type { Plan } from '../plan/plan.js'
import { printable, printableLines } from '../printable.js'
import { chartCss, lineChart, type Point, type Rule } from './charts.js'
import {
  formatDuration,
  formatInteger,
  formatMs,
  formatMsNumber,
  formatPercent,
  formatRate,
} from './format.js'
import { html, type Html } from './markup.js'
import type { RunFolder } from './runFolder.js'
import type { RunSummary } from '../run/summary.js'

export const capacityJsonFile = 'capacity.json'
export const capacityHtmlFile = 'capacity.html'

export interface CapacityTrialFigures extends CapacityTrial {
  readonly p50Ms: number
  readonly p999Ms: number
  readonly maxMs: number
  readonly lateP99Ms: number
  readonly dropped: number
  readonly rejectedPct: number
  /** Why the trial failed: each failed SLO threshold, and the reasons the load was invalid. */
  readonly failed: readonly string[]
  /**
   * The trial failed only because the scenario's period ran out of payments: a limit of the
   * scenario, not of the ledger.
   */
  readonly periodRanOut: boolean
  /**
   * The city's busiest minute in the simulated time the trial covered (its payments, and when),
   * and how far into the period the trial went. Absent in reports written before them.
   */
  readonly peakPerMinute?: number
  readonly peakAt?: string
  readonly simulatedTo?: string
}

export interface CapacityReport {
  readonly scenario: string
  readonly seed: number
  readonly ledger: string
  readonly residents: number
  readonly slo: readonly string[]
  readonly windowSeconds: number
  /** Each trial ran this long at its rate before the judged window. */
  readonly warmupSeconds: number
  /**
   * interrupted: a signal stopped the search; `kneeTps` and `failedTps` are what the trials so far
   * showed.
   */
  readonly outcome: CapacityResult['outcome'] | 'interrupted'
  /** What interrupted the search (a signal's name), when one did. */
  readonly interrupted?: string
  readonly kneeTps: number
  /** The lowest rate that failed; null when none did. */
  readonly failedTps: number | null
  readonly trials: readonly CapacityTrialFigures[]
  /** The city's scale: its residents over the real population (1: the whole city). */
  readonly scale?: number
  /**
   * The rate the scenario's period could supply a trial at most, when that, not --max, capped the
   * search.
   */
  readonly periodCapTps?: number
}

/**
 * A trial's figures from its run: it holds when every SLO threshold passed and the load was valid.
 */
export function capacityTrial(tps: number, summary: RunSummary): CapacityTrialFigures {
  const load = summary.load
  if (load === undefined) throw new Error('a capacity trial is a load run')
  const failed = [
    ...load.thresholds
      .filter((check) => !check.ok)
      .map((check) => `${check.threshold} (was ${thresholdActual(check)})`),
    ...load.invalidReasons,
  ]
  const overall = load.latencyMs.overall
  return {
    tps,
    ok: failed.length === 0,
    achievedTps: load.achievedTps,
    p99Ms: overall.p99Ms,
    p50Ms: overall.p50Ms,
    p999Ms: overall.p999Ms,
    maxMs: overall.maxMs,
    lateP99Ms: load.lateMs.p99Ms,
    dropped: load.dropped,
    rejectedPct: load.completed === 0 ? 0 : (load.rejected / load.completed) * 100,
    failed,
    periodRanOut:
      load.periodRanOut &&
      load.thresholds.every((check) => check.ok) &&
      load.invalidReasons.length === 1,
    peakPerMinute: summary.demand.peakPerMinute,
    peakAt: summary.demand.peakAt,
    simulatedTo: load.simulated.to,
  }
}

/**
 * The city's own peak against the ledger's knee: the busiest minute any trial reached (a trial
 * covers the period from its start as far as its rate took it), as payments a second, for the
 * city simulated and for the whole city (divided by the scale: demand taken as proportional to
 * residents, a modelling assumption), and the knee as a multiple of the whole city's.
 */
export interface Headroom {
  readonly peakPerMinute: number
  readonly peakAt: string
  /** How far the farthest trial went into the period. */
  readonly coveredTo: string
  /** Whether a trial covered the whole period (its peak is the day's). */
  readonly wholePeriod: boolean
  readonly peakPerSecond: number
  readonly wholeCityPeakPerSecond: number
  readonly times: number
}

export function headroom(report: CapacityReport): Headroom | undefined {
  const reached = report.trials.filter(
    (trial) => trial.peakPerMinute !== undefined && trial.peakPerMinute > 0,
  )
  if (reached.length === 0 || report.kneeTps <= 0) return undefined
  const busiest = reached.reduce((best, trial) =>
    (trial.peakPerMinute ?? 0) > (best.peakPerMinute ?? 0) ? trial : best,
  )
  const farthest = reached.reduce((best, trial) =>
    (trial.simulatedTo ?? '') > (best.simulatedTo ?? '') ? trial : best,
  )
  const peakPerSecond = (busiest.peakPerMinute ?? 0) / 60
  const scale = report.scale ?? 1
  const wholeCityPeakPerSecond = scale > 0 ? peakPerSecond / scale : peakPerSecond
  return {
    peakPerMinute: busiest.peakPerMinute ?? 0,
    peakAt: busiest.peakAt ?? '',
    coveredTo: farthest.simulatedTo ?? '',
    wholePeriod: report.trials.some((trial) => trial.periodRanOut),
    peakPerSecond,
    wholeCityPeakPerSecond,
    times: report.kneeTps / Math.max(wholeCityPeakPerSecond, Number.MIN_VALUE),
  }
}

/** The headroom in one line: "150,000/s is 160× the whole city's busiest minute (940/s)". */
export function headroomLine(report: CapacityReport): string | undefined {
  const room = headroom(report)
  if (room === undefined) return undefined
  const scaled =
    (report.scale ?? 1) < 1
      ? `, scaled from ${formatRate(room.peakPerSecond)}/s for the ${formatInteger(report.residents)} residents simulated`
      : ''
  const where = room.wholePeriod
    ? 'of the whole period'
    : `of the period up to ${room.coveredTo.slice(0, 16).replace('T', ' ')} (as far as the trials went)`
  return `headroom   ${formatInteger(report.kneeTps)}/s is ${formatRate(room.times)}× the whole city's busiest minute ${where}: ${formatRate(room.wholeCityPeakPerSecond)} payments/s from ${room.peakAt.slice(0, 16).replace('T', ' ')}${scaled}`
}

/**
 * The report of a search. A failure that was only the scenario's period running out says nothing of
 * the ledger: if every failed trial was such, the outcome is `limit` (the ledger held all it was
 * given).
 */
export function capacityReport(
  plan: Plan,
  flags: { ledger: string; periodCapTps?: number },
  slo: readonly Threshold[],
  timing: { windowMs: number; warmupMs: number },
  result: CapacityResult,
): CapacityReport {
  const trials = result.trials as CapacityTrialFigures[]
  const ledgerFailures = trials.filter((trial) => !trial.ok && !trial.periodRanOut)
  const cappedByPeriod = result.outcome === 'found' && ledgerFailures.length === 0
  return {
    ...searchHeader(plan, flags, slo, timing),
    outcome: cappedByPeriod ? 'limit' : result.outcome,
    kneeTps: result.kneeTps,
    failedTps: cappedByPeriod || !Number.isFinite(result.failedTps) ? null : result.failedTps,
    trials,
    scale: plan.scale,
    ...(flags.periodCapTps === undefined ? {} : { periodCapTps: flags.periodCapTps }),
  }
}

/** What every capacity report begins with: the city, the ledger and the search's settings. */
function searchHeader(
  plan: Plan,
  flags: { ledger: string },
  slo: readonly Threshold[],
  timing: { windowMs: number; warmupMs: number },
) {
  return {
    scenario: plan.scenarioName,
    seed: plan.seed,
    ledger: flags.ledger,
    residents: plan.residents,
    slo: slo.map((threshold) => threshold.text),
    windowSeconds: timing.windowMs / 1000,
    warmupSeconds: timing.warmupMs / 1000,
  }
}

/**
 * The report of a search a signal stopped, from the trials that ran to their end: the highest
 * rate that held below the lowest that failed the ledger, so far. Its outcome says it is not an
 * answer, only what was seen.
 */
export function interruptedCapacityReport(
  plan: Plan,
  flags: { ledger: string },
  slo: readonly Threshold[],
  timing: { windowMs: number; warmupMs: number },
  trials: readonly CapacityTrialFigures[],
  by: string,
): CapacityReport {
  const failed = trials
    .filter((trial) => !trial.ok && !trial.periodRanOut)
    .map((trial) => trial.tps)
  const failedTps = failed.length === 0 ? null : Math.min(...failed)
  const held = trials
    .filter((trial) => trial.ok && (failedTps === null || trial.tps < failedTps))
    .map((trial) => trial.tps)
  return {
    ...searchHeader(plan, flags, slo, timing),
    outcome: 'interrupted',
    interrupted: by,
    kneeTps: held.length === 0 ? 0 : Math.max(...held),
    failedTps,
    trials,
    scale: plan.scale,
  }
}

/** One trial, as the terminal shows it (its failed SLO quoted as written, made printable). */
export function trialLine(trial: CapacityTrialFigures): string {
  return printable(
    `trial ${formatInteger(trial.tps).padStart(10)}/s  ${trial.ok ? 'held' : 'FAILED'}  achieved ${formatInteger(trial.achievedTps)}/s  p99 ${formatMs(trial.p99Ms)}${trial.ok ? '' : `  (${trial.failed.join('; ')})`}`,
  )
}

export function verdictLine(report: CapacityReport): string {
  switch (report.outcome) {
    case 'found':
      return `capacity   ${formatInteger(report.kneeTps)} transfers/s held ${report.slo.join(', ')} over ${formatDuration(report.windowSeconds * msPerSecond)}; ${formatInteger(report.failedTps ?? 0)}/s did not`
    case 'limit': {
      const ranOut = report.trials.filter((trial) => trial.periodRanOut).map((trial) => trial.tps)
      if (report.periodCapTps !== undefined) ranOut.push(report.periodCapTps)
      return ranOut.length > 0
        ? `capacity   at least ${formatInteger(report.kneeTps)} transfers/s: the city ran out of payments at ${formatInteger(Math.min(...ranOut))}/s before the ledger failed ${report.slo.join(', ')}; raise --residents or widen the scenario's period to find the ledger's limit`
        : `capacity   at least ${formatInteger(report.kneeTps)} transfers/s: the ledger held ${report.slo.join(', ')} at every rate up to --max; raise --max to find its limit`
    }
    case 'none':
      return `capacity   below ${formatInteger(report.failedTps ?? 0)} transfers/s: even the first rate failed ${report.slo.join(', ')}; lower --start`
    case 'interrupted': {
      const count = `${report.trials.length} trial${report.trials.length === 1 ? '' : 's'}`
      const seen =
        report.kneeTps > 0
          ? `${formatInteger(report.kneeTps)} transfers/s held ${report.slo.join(', ')}${report.failedTps === null ? '' : `, ${formatInteger(report.failedTps)}/s did not`}`
          : report.failedTps === null
            ? 'no rate was judged'
            : `${formatInteger(report.failedTps)}/s failed ${report.slo.join(', ')}`
      return `capacity   INTERRUPTED by ${report.interrupted ?? 'a stop request'} after ${count}, the search did not finish: so far ${seen}`
    }
  }
}

export function capacityTable(report: CapacityReport): string {
  const rows: string[][] = [[...tableHeads]]
  for (const trial of [...report.trials].sort((a, b) => a.tps - b.tps))
    rows.push([
      ...trialFigures(trial),
      trial.ok ? 'held' : trial.periodRanOut ? 'ran out' : 'failed',
    ])
  const widths = (rows[0] as string[]).map((_, column) =>
    Math.max(...rows.map((row) => (row[column] as string).length)),
  )
  const lines = rows.map((row) =>
    row.map((cell, column) => cell.padStart(widths[column] as number)).join('  '),
  )
  // The scenario's name and the SLO are input: every line is made printable.
  return printableLines(
    [
      `${report.scenario}  ·  seed ${report.seed}  ·  ${report.ledger} ledger  ·  ${formatInteger(report.residents)} residents  ·  ${trialTiming(report)}`,
      '',
      ...lines,
      '',
      verdictLine(report),
      ...(headroomLine(report) === undefined ? [] : [headroomLine(report) as string]),
    ].join('\n'),
  )
}

const msPerSecond = 1_000
/** The columns of a trial, in the terminal's table and the page's alike. */
const tableHeads = [
  'target/s',
  'achieved/s',
  'p50 ms',
  'p99 ms',
  'p99.9 ms',
  'max ms',
  'dropped',
  'rejected',
  'SLO',
] as const

/** A trial's figures under `tableHeads`, all but the SLO's verdict. */
function trialFigures(trial: CapacityTrialFigures): string[] {
  return [
    formatInteger(trial.tps),
    formatInteger(trial.achievedTps),
    formatMsNumber(trial.p50Ms),
    formatMsNumber(trial.p99Ms),
    formatMsNumber(trial.p999Ms),
    formatMsNumber(trial.maxMs),
    formatInteger(trial.dropped),
    formatPercent(trial.rejectedPct),
  ]
}

/** How long each trial ran: "10 s per trial after 2 s of warm-up". */
function trialTiming(report: CapacityReport): string {
  const window = formatDuration(report.windowSeconds * msPerSecond)
  return report.warmupSeconds === 0
    ? `${window} per trial, no warm-up`
    : `${window} per trial after ${formatDuration(report.warmupSeconds * msPerSecond)} of warm-up`
}

/** capacity.html: the verdict, the two charts and the table of trials, lowest target rate first. */
export function renderCapacityReport(report: CapacityReport): string {
  const trials = [...report.trials].sort((a, b) => a.tps - b.tps)
  const charts = capacityCharts(trials, report.slo)
  const rows = trialRows(trials)
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Capacity: ${report.scenario}</title>
<style>
body { font: 15px/1.45 system-ui, sans-serif; color: #1d2330; margin: 2rem auto; max-width: 1180px; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin-bottom: .2rem; } .meta { color: #5b6473; }
.verdict { font-size: 1.2rem; padding: .8rem 1rem; border-radius: 8px; background: #eef6ee; border: 1px solid #b9dcb9; margin: 1rem 0; }
.verdict.none { background: #fbeeee; border-color: #e5b5b5; }
.verdict.interrupted { background: #fdf6e3; border-color: #e6d18f; }
.headroom { font-size: 1.05rem; padding: .7rem 1rem; border-radius: 8px; background: #eef3fb; border: 1px solid #bfd0ee; margin: 1rem 0; }
table { border-collapse: collapse; width: 100%; margin: 1rem 0; } th, td { padding: .35rem .6rem; border-bottom: 1px solid #e3e6ec; text-align: right; }
th { background: #f4f6f9; } td:last-child, th:last-child { text-align: left; } tr.failed td { color: #9b2c2c; }
.charts { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; } svg { width: 100%; height: auto; }
${chartCss}
</style></head><body>
<h1>Capacity of the ${report.ledger} ledger</h1>
<div class="meta">${report.scenario} · seed ${report.seed} · ${formatInteger(report.residents)} residents · SLO ${report.slo.join(', ')} over ${trialTiming(report)}</div>
<div class="verdict ${report.outcome}">${verdictLine(report).replace(/^capacity\s+/, '')}</div>
${headroomLine(report) !== undefined && html`<div class="headroom"><strong>Headroom.</strong> ${(headroomLine(report) as string).replace(/^headroom\s+/, '')}. Demand is taken as proportional to residents, and a minute's payments as spread evenly over it: a modelling assumption.</div>`}
<div class="charts">${charts}</div>
<table><thead><tr>${tableHeads.map((head) => html`<th>${head}</th>`)}</tr></thead>
<tbody>
${rows}</tbody></table>
<p class="meta">Each trial ran the city's payments at a constant target rate on a freshly opened ledger, open model: latency is measured from each transfer's intended send time. Trials in the order run: ${report.trials.map((trial) => formatInteger(trial.tps)).join(' → ')}.</p>
</body></html>
`.toString()
}

/** Latency and achieved rate, each charted against the target rate of `trials` (sorted by it). */
function capacityCharts(trials: readonly CapacityTrialFigures[], slo: readonly string[]): Html {
  // The rates a search tries grow by factors: on a log axis each step is the same width.
  const points = (pick: (trial: CapacityTrialFigures) => number): Point[] =>
    trials.map((trial) => [Math.log10(trial.tps), pick(trial)])
  const rates = trials.map((trial) => trial.tps)
  const axis = {
    xLabel: 'target transfers/s (log scale)',
    formatX: (exponent: number) => formatRate(10 ** exponent),
    xTicks: rateTicks(Math.min(...rates), Math.max(...rates)).map((rate) => Math.log10(rate)),
  }
  const chart = lineChart({
    ...axis,
    title: 'Latency against target rate',
    note: 'The dashed line is the SLO’s latency limit: a trial above it failed.',
    yLabel: 'latency, ms (log scale)',
    yScale: 'log',
    rules: sloRules(slo),
    width: 540,
    series: [
      { name: 'p50', points: points((trial) => trial.p50Ms) },
      { name: 'p99', points: points((trial) => trial.p99Ms) },
      { name: 'p99.9', points: points((trial) => trial.p999Ms) },
    ],
  })
  const throughput = lineChart({
    ...axis,
    title: 'Achieved against target rate',
    yLabel: 'transfers/s',
    width: 540,
    series: [
      { name: 'target', points: points((trial) => trial.tps) },
      { name: 'achieved', points: points((trial) => trial.achievedTps) },
    ],
  })
  return html`${chart}${throughput}`
}

/** Rates at 1, 2 and 5 of each decade across [low, high]. */
function rateTicks(low: number, high: number): number[] {
  const ticks: number[] = []
  if (!(low > 0) || !Number.isFinite(high)) return ticks
  for (let decade = 10 ** Math.floor(Math.log10(low)); decade <= high; decade *= 10)
    for (const step of [1, 2, 5]) {
      const rate = decade * step
      if (rate >= low && rate <= high) ticks.push(rate)
    }
  return ticks
}

/** The SLO's latency thresholds as lines at their limits. */
function sloRules(slo: readonly string[]): Rule[] {
  return slo.flatMap((text) => {
    try {
      const threshold = parseThreshold(text, 'SLO')
      return threshold.kind === 'latency' ? [{ y: threshold.limitMs, label: text.trim() }] : []
    } catch {
      return []
    }
  })
}

/** One table row per trial: its figures and whether it held. */
function trialRows(trials: readonly CapacityTrialFigures[]): Html[] {
  return trials.map((trial) => {
    const verdict = trial.ok
      ? 'held'
      : `${trial.periodRanOut ? 'not judged, the scenario ran out of payments' : 'failed'}: ${trial.failed.join('; ')}`
    return html`<tr class="${trial.ok ? 'held' : 'failed'}">${[...trialFigures(trial), verdict].map((cell) => html`<td>${cell}</td>`)}</tr>\n`
  })
}

/**
 * capacity.json and capacity.html, moved into place together through `folder` (see RunFolder), or
 * nothing kept.
 */
export async function writeCapacityFiles(
  folder: RunFolder,
  report: CapacityReport,
): Promise<{ folder: string; json: string; report: string }> {
  try {
    const page = renderCapacityReport(report)
    await folder.write(capacityJsonFile, `${JSON.stringify(report, null, 2)}\n`)
    await folder.write(capacityHtmlFile, page)
    const at = await folder.commit()
    return {
      folder: at,
      json: path.join(at, capacityJsonFile),
      report: path.join(at, capacityHtmlFile),
    }
  } catch (error) {
    await folder.discard()
    throw error
  }
}
