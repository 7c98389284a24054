/**
 * report.html: one page per run that opens offline. CSS is inline, charts are SVG drawn here at
 * render time (charts.ts), and nothing is fetched: no script, font, image or stylesheet from
 * anywhere. Every string from the scenario (its name, district names) is escaped.
 *
 *   header      scenario, seed, ledger, workers, mode, period, wall time
 *   verdict     load: valid or not (and why), thresholds pass/FAIL; money conserved, entries balanced
 *   load        figures, throughput / latency / rejections over time, latency table, lateness
 *   payments    by kind, rejections by reason; flat-out: demand per simulated hour
 *   districts   payments by the payer's district
 */
import { thresholdActual } from '../load/threshold.js'
import { assert } from '../assert.js'
import { resultCodes, transferKinds } from '../ledger/index.js'
import type { LatencySummary } from '../metrics/latencyHistogram.js'
import { barChart, chartCss, columnChart, escapeHtml, lineChart, palette, type Point } from './charts.js'
import type { LoadSecond, LoadSection, RunSummary } from '../run/summary.js'
import { grouped, ms, yuan } from './terminal.js'

/** Steps for a time axis, seconds: round ones a reader counts in. */
const secondSteps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400] as const
/** Steps for an axis of simulated hours. */
const hourSteps = [1, 2, 3, 6, 12, 24, 48, 168, 336, 720, 2160] as const
/** Time ticks an axis aims for at most. */
const timeTicksMax = 12
/** Seconds up to which a time axis counts plain seconds rather than m:ss. */
const plainSecondsMax = 120

const colors = {
  target: '#64748b',
  achieved: palette[0],
  p50: palette[3],
  p99: palette[1],
  max: palette[2],
  rejected: palette[1],
  errors: palette[2],
  demand: palette[0],
  reasons: palette[1],
} as const

export function renderReport(summary: RunSummary, seconds: readonly LoadSecond[] | undefined): string {
  assert((summary.mode === 'load') === (summary.load !== undefined), 'a load run, and only a load run, has its load figures')
  const load = summary.load
  const sections = [
    header(summary),
    stoppedBanner(summary),
    load === undefined ? '' : loadVerdict(load),
    checks(summary),
    load === undefined ? '' : loadSection(load, seconds ?? []),
    paymentsSection(summary),
    load === undefined ? demandSection(summary) : '',
    districtsSection(summary),
    footer(summary),
  ]
  const title = `${summary.scenario} · seed ${summary.seed} · citytwin`
  return (
    `<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n` +
    `<title>${escapeHtml(title)}</title>\n<style>${css}</style>\n</head>\n<body>\n<main>\n${sections.filter((section) => section !== '').join('\n')}\n</main>\n</body>\n</html>\n`
  )
}

function header(summary: RunSummary): string {
  const { agents, phases, transfers } = summary
  const mode = summary.mode === 'load' ? 'load (open model)' : 'flat-out'
  const facts: [string, string][] = [
    ['Simulated', `${when(summary.simulated.from)} → ${when(summary.simulated.to)} (${span(summary.simulated.minutes)})`],
    ['Wall time', `${seconds(summary.wallSeconds)} (synthesis ${seconds(phases.synthesisSeconds)}, simulation ${seconds(phases.simulationSeconds)}, audit ${seconds(phases.auditSeconds)})`],
    ['Agents', `${grouped(agents.residents)} residents (${grouped(agents.adopted)} with e-CNY, ${grouped(agents.riders)} riders), ${grouped(agents.merchants)} merchants, ${grouped(agents.institutions)} institutions`],
    ['Transfers', `${grouped(transfers.submitted)} submitted, ${grouped(transfers.accepted)} accepted, ${grouped(transfers.rejected)} rejected`],
    ['Throughput', `${grouped(summary.throughput.transfersPerSecond)} transfers/s`],
    ['Scale', `${summary.scale}`],
  ]
  return (
    `<header class="page-head"><p class="eyebrow">citytwin run report</p><h1>${escapeHtml(summary.scenario)}</h1>` +
    `<p class="meta"><span>seed <b>${escapeHtml(String(summary.seed))}</b></span><span><b>${escapeHtml(summary.ledger)}</b> ledger</span>` +
    `<span><b>${summary.workers}</b> worker${summary.workers === 1 ? '' : 's'}</span><span><b>${mode}</b> mode</span></p>` +
    `<dl class="facts">${facts.map(([term, value]) => `<div><dt>${term}</dt><dd>${escapeHtml(value)}</dd></div>`).join('')}</dl></header>`
  )
}

/** A run stopped before its end says so first: its figures are of the part that ran. */
function stoppedBanner(summary: RunSummary): string {
  if (summary.stoppedEarly === undefined) return ''
  return `<div class="banner banner-warn" role="alert"><strong>Stopped early.</strong> The run was ${escapeHtml(summary.stoppedEarly.reason)}: every figure on this page, the audit's included, covers that part only.</div>`
}

/** Whether the load run measured what it set out to, and its thresholds. */
function loadVerdict(load: LoadSection): string {
  const parts: string[] = []
  if (!load.valid) {
    const reasons = load.invalidReasons.map((reason) => `<li>${escapeHtml(reason)}</li>`).join('')
    parts.push(
      `<div class="banner banner-bad" role="alert"><strong>Not a valid load test.</strong> The generator fell behind its schedule: these figures are not those of the target load.` +
        `${reasons === '' ? '' : `<ul>${reasons}</ul>`}</div>`,
    )
  } else {
    parts.push(`<div class="banner banner-good"><strong>Valid load test.</strong> The generator kept its schedule.</div>`)
  }
  if (load.abortedBy !== undefined) {
    parts.push(
      `<div class="banner banner-warn"><strong>Stopped early</strong> after ${seconds(load.durationSeconds)} of ${seconds(load.plannedSeconds)}: the threshold <code>${escapeHtml(load.abortedBy)}</code> failed.</div>`,
    )
  }
  const failed = load.thresholds.filter((check) => !check.ok).length
  const verdict =
    load.thresholds.length === 0
      ? ''
      : failed === 0
        ? `<span class="badge badge-good">all ${load.thresholds.length} passed</span>`
        : `<span class="badge badge-bad">${failed} of ${load.thresholds.length} FAILED</span>`
  const body =
    load.thresholds.length === 0
      ? '<p class="none">No thresholds were set.</p>'
      : table(
          [{ head: 'threshold' }, { head: 'actual', numeric: true }, { head: 'result', numeric: true }],
          load.thresholds.map((check) => [
            { text: check.threshold, code: true },
            { text: thresholdActual(check) },
            { text: check.ok ? 'pass' : 'FAIL', badge: check.ok ? 'good' : 'bad' },
          ]),
          undefined,
          true,
        )
  parts.push(`<section class="card"><h2>Thresholds ${verdict}</h2>${body}</section>`)
  return parts.join('\n')
}

/** The audit: money conserved, and every kind's debits, credits and accepted amounts equal. */
function checks(summary: RunSummary): string {
  const { conservation, doubleEntry } = summary
  const money =
    `<div class="check"><h3>Money ${status(conservation.ok && doubleEntry.ok, 'conserved', conservation.ok ? 'NOT ACCOUNTED FOR' : 'NOT CONSERVED')}</h3>` +
    `<p>issued ${yuan(conservation.issuedFen)} − returned to the central bank ${yuan(conservation.redeemedFen)} = balances ${yuan(conservation.balancesFen)}` +
    `${conservation.negativeBalances > 0 ? `; <b>${grouped(conservation.negativeBalances)} negative balances</b>` : '; no negative balance'}</p></div>`
  const entries =
    `<div class="check"><h3>Double entry ${status(doubleEntry.ok, 'balanced', 'NOT BALANCED')}</h3>` +
    `<p>debits = credits = accepted for every kind; ${doubleEntry.pendingFen === 0 ? 'no pending transfer holds money' : `pending transfers hold ${yuan(doubleEntry.pendingFen)}`}</p></div>`
  return `<section class="card"><h2>Audit</h2><div class="checks">${money}${entries}</div></section>`
}

function loadSection(load: LoadSection, seconds: readonly LoadSecond[]): string {
  const lines: [string, string][] = [
    ['profile', `${load.profile} (${load.sort === 'rate' ? 'a rate over wall time' : "the city's own curve"})`],
    ['ran', `${secondsText(load.durationSeconds)} of ${secondsText(load.plannedSeconds)} planned, at most ${grouped(load.inFlightMax)} calls in flight`],
    ['simulated', `${span(load.simulated.minutes)} of the city, to ${when(load.simulated.to)}, ×${load.simulated.speed.toFixed(1)} real time; ${grouped(load.evenings)} institutional evening${load.evenings === 1 ? '' : 's'}`],
    ['after the stop', `${grouped(load.unanswered)} unanswered`],
  ]
  // The figures a reader scans first; those that should be zero are marked when they are not.
  const figures: [string, string, boolean][] = [
    ['target mean', `${grouped(load.targetTps.mean)}/s`, false],
    ['target peak', `${grouped(load.targetTps.peak)}/s`, false],
    ['achieved', `${grouped(load.achievedTps)}/s`, false],
    ['pacing error', `${load.pacingErrorPct.toFixed(2)}%`, false],
    ['p99 latency', ms(load.latencyMs.overall.p99Ms), false],
    ['late p99', ms(load.lateMs.p99Ms), false],
    ['intended', grouped(load.intended), false],
    ['sent', grouped(load.sent), false],
    ['dropped', grouped(load.dropped), load.dropped > 0],
    ['completed', grouped(load.completed), false],
    ['rejected', grouped(load.rejected), false],
    ['errors', grouped(load.errors), load.errors > 0],
  ]
  const stats = `<dl class="stats">${figures.map(([term, value, bad]) => `<div><dt>${term}</dt><dd${bad ? ' class="bad"' : ''}>${escapeHtml(value)}</dd></div>`).join('')}</dl>`
  const facts = `<dl class="lines">${lines.map(([term, value]) => `<div><dt>${term}</dt><dd>${escapeHtml(value)}</dd></div>`).join('')}</dl>`
  return `<section class="card"><h2>Load</h2>${stats}${facts}</section>\n<section class="card">${loadCharts(load, seconds)}</section>\n<section class="card">${latencyTables(load)}</section>`
}

function loadCharts(load: LoadSection, seconds: readonly LoadSecond[]): string {
  const first = seconds[0]
  const last = seconds[seconds.length - 1]
  const xMax = last?.second ?? 0
  const axis = {
    xLabel: `wall time since the start, ${xMax <= plainSecondsMax ? 's' : xMax < 3600 ? 'm:ss' : 'h:mm:ss'}`,
    formatX: (second: number) => clock(second, xMax),
    xTicks: timeTicks(first?.second ?? 0, xMax, secondSteps),
  }
  const points = (pick: (second: LoadSecond) => number): Point[] => seconds.map((second) => [second.second, pick(second)])
  const covered = first === undefined || last === undefined ? undefined : `The stream covered the simulated city from ${when(first.simulatedAt)} to ${when(last.simulatedAt)}.`
  const throughput = lineChart({
    ...axis,
    title: 'Throughput over time',
    yMaxAtLeast: load.targetTps.peak,
    ...(covered === undefined ? {} : { note: covered }),
    yLabel: 'transfers per second',
    series: [
      { name: 'target TPS', points: points((second) => second.targetTps), color: colors.target, dashed: true },
      { name: 'completed TPS', points: points((second) => second.completedTps), color: colors.achieved },
    ],
    empty: 'none: no second of load was recorded',
  })
  const latency = lineChart({
    ...axis,
    title: 'Latency over time',
    note: 'From the intended send time to the result, within each second. Log scale, so a spike does not flatten the median.',
    yLabel: 'latency (log scale)',
    yScale: 'log',
    formatY: tickMs,
    series: [
      { name: 'p50', points: points((second) => second.p50Ms), color: colors.p50 },
      { name: 'p99', points: points((second) => second.p99Ms), color: colors.p99 },
      { name: 'max', points: points((second) => second.maxMs), color: colors.max },
    ],
    empty: 'none: no second of load was recorded',
  })
  const anyFailure = seconds.some((second) => second.rejected > 0 || second.errors > 0)
  const failures = lineChart({
    ...axis,
    title: 'Rejections and errors per second',
    yLabel: 'transfers per second',
    series: anyFailure
      ? [
          { name: 'rejected', points: points((second) => second.rejected), color: colors.rejected },
          { name: 'errors', points: points((second) => second.errors), color: colors.errors },
        ]
      : [],
    empty: seconds.length === 0 ? 'none: no second of load was recorded' : 'none: no transfer was rejected and no call failed in any second',
  })
  return `${throughput}${latency}${failures}`
}

function latencyTables(load: LoadSection): string {
  const columns = [{ head: '' }, ...['count', 'p50', 'p90', 'p99', 'p99.9', 'max'].map((head) => ({ head, numeric: true }))]
  const row = (name: string, figures: LatencySummary): Cell[] => [
    { text: name },
    { text: grouped(figures.count) },
    { text: ms(figures.p50Ms) },
    { text: ms(figures.p90Ms) },
    { text: ms(figures.p99Ms) },
    { text: ms(figures.p999Ms) },
    { text: ms(figures.maxMs) },
  ]
  const rows = [row('all transfers', load.latencyMs.overall)]
  for (const kind of transferKinds) {
    const figures = load.latencyMs.byKind[kind]
    if (figures !== undefined) rows.push(row(kind, figures))
  }
  const latency = `<h2>Latency from the intended send time</h2>${table(columns, rows.slice(1), rows[0])}`
  const lateness =
    `<h2>Lateness of sending</h2><p class="explain">From the intended to the actual send time: how far the generator ran behind. ` +
    `${grouped(load.sent)} of ${grouped(load.intended)} intended transfers were sent; ${grouped(load.dropped)} were dropped.</p>` +
    table(columns, [row('sent transfers', load.lateMs)])
  return `${latency}${lateness}`
}

function paymentsSection(summary: RunSummary): string {
  const { transfers } = summary
  const rows: Cell[][] = []
  for (const kind of transferKinds) {
    const figures = transfers.byKind[kind]
    if (figures.submitted === 0) continue
    rows.push([{ text: kind }, { text: grouped(figures.submitted) }, { text: grouped(figures.accepted) }, { text: grouped(figures.rejected) }, { text: yuan(figures.amountFen) }])
  }
  const acceptedFen = transferKinds.reduce((sum, kind) => sum + transfers.byKind[kind].amountFen, 0)
  const kinds = table(
    [{ head: 'kind' }, { head: 'submitted', numeric: true }, { head: 'accepted', numeric: true }, { head: 'rejected', numeric: true }, { head: 'accepted ¥', numeric: true }],
    rows,
    [{ text: 'total' }, { text: grouped(transfers.submitted) }, { text: grouped(transfers.accepted) }, { text: grouped(transfers.rejected) }, { text: yuan(acceptedFen) }],
  )
  const rejected = resultCodes.reduce((sum, code) => sum + (code === 'ok' ? 0 : (transfers.byReason[code] ?? 0)), 0)
  const bars = resultCodes
    .filter((code) => code !== 'ok' && (transfers.byReason[code] ?? 0) > 0)
    .map((code) => ({ label: code, value: transfers.byReason[code] ?? 0 }))
    .sort((a, b) => b.value - a.value)
  const reasons = barChart({
    title: 'Rejections by reason',
    bars,
    color: colors.reasons,
    formatValue: (value) => `${grouped(value)} (${percent(value, rejected)})`,
    empty: 'none: no transfer was rejected',
  })
  return `<section class="card"><h2>Payments by kind</h2>${kinds}${reasons}</section>`
}

/** Flat-out runs: the city's payments per simulated hour. */
function demandSection(summary: RunSummary): string {
  const { demand, simulated } = summary
  const start = /T(\d{2}):(\d{2})/.exec(simulated.from)
  const startMinutes = start === null ? undefined : Number(start[1]) * 60 + Number(start[2])
  const hours = demand.perHour.length
  const formatX = (hour: number) => {
    if (startMinutes === undefined) return `+${hour} h`
    const minutes = startMinutes + hour * 60
    const day = Math.floor(minutes / (24 * 60))
    const time = `${String(Math.floor(minutes / 60) % 24).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`
    return hours <= 48 ? time : `day ${day + 1}`
  }
  const chart = columnChart({
    title: 'Demand per simulated hour',
    note: `Payments made by residents and employers; the busiest minute had ${grouped(demand.peakPerMinute)} payments, from ${when(demand.peakAt)}.`,
    xLabel: startMinutes === undefined ? 'simulated hours from the start' : `simulated local time, from ${when(simulated.from)}`,
    yLabel: 'payments per hour',
    values: demand.perHour,
    seriesName: 'payments',
    color: colors.demand,
    formatX,
    xTicks: timeTicks(0, hours, hourSteps),
    empty: 'none: the period holds no hour of payments',
  })
  return `<section class="card">${chart}</section>`
}

function districtsSection(summary: RunSummary): string {
  const { districts } = summary
  if (districts.length === 0) return `<section class="card"><h2>Districts</h2><p class="none">none: the run counted no payment by district</p></section>`
  const total = { payments: 0, accepted: 0, rejected: 0, amountFen: 0 }
  const rows = districts.map((district): Cell[] => {
    total.payments += district.payments
    total.accepted += district.accepted
    total.rejected += district.rejected
    total.amountFen += district.amountFen
    return [
      { text: district.district },
      { text: grouped(district.payments) },
      { text: grouped(district.accepted) },
      { text: grouped(district.rejected) },
      { text: percent(district.rejected, district.payments) },
      { text: yuan(district.amountFen) },
    ]
  })
  const columns = [
    { head: 'district' },
    { head: 'payments', numeric: true },
    { head: 'accepted', numeric: true },
    { head: 'rejected', numeric: true },
    { head: 'rejected %', numeric: true },
    { head: 'accepted ¥', numeric: true },
  ]
  const totals: Cell[] = [
    { text: 'all districts' },
    { text: grouped(total.payments) },
    { text: grouped(total.accepted) },
    { text: grouped(total.rejected) },
    { text: percent(total.rejected, total.payments) },
    { text: yuan(total.amountFen) },
  ]
  return (
    `<section class="card"><h2>Payments by district</h2><p class="explain">By the payer's district: a resident's home, a merchant's own. The institutions' transfers are left out.</p>` +
    `${table(columns, rows, totals)}</section>`
  )
}

function footer(summary: RunSummary): string {
  return (
    `<footer><p>Digest of the transfer stream: <code>${escapeHtml(summary.digest)}</code></p>` +
    `<p>Made by citytwin from ${summary.mode === 'load' ? 'summary.json and metrics.csv' : 'summary.json'} in this page's folder.</p></footer>`
  )
}

interface Column {
  readonly head: string
  readonly numeric?: boolean
}

interface Cell {
  readonly text: string
  readonly code?: boolean
  readonly badge?: 'good' | 'bad'
}

/** A table of plain text cells, escaped here; `total` closes it in bold; a `compact` one is as wide as its content. */
function table(columns: readonly Column[], rows: readonly (readonly Cell[])[], total?: readonly Cell[], compact = false): string {
  const cell = (content: Cell, column: number, tag: 'td' | 'th') => {
    let inner = escapeHtml(content.text)
    if (content.code === true) inner = `<code>${inner}</code>`
    if (content.badge !== undefined) inner = `<span class="badge badge-${content.badge}">${inner}</span>`
    return `<${tag}${columns[column]?.numeric === true ? ' class="num"' : ''}>${inner}</${tag}>`
  }
  const head = `<thead><tr>${columns.map((column, index) => cell({ text: column.head }, index, 'th')).join('')}</tr></thead>`
  const body = `<tbody>${rows.map((row) => `<tr>${row.map((content, index) => cell(content, index, 'td')).join('')}</tr>`).join('')}</tbody>`
  const foot = total === undefined ? '' : `<tfoot><tr>${total.map((content, index) => cell(content, index, 'td')).join('')}</tr></tfoot>`
  return `<div class="table-wrap"><table${compact ? ' class="compact"' : ''}>${head}${body}${foot}</table></div>`
}

function status(ok: boolean, good: string, bad: string): string {
  return ok ? `<span class="badge badge-good">${good}</span>` : `<span class="badge badge-bad">${bad}</span>`
}

/** Ticks at a round step from the list, at most `timeTicksMax` of them over [from, to]. */
function timeTicks(from: number, to: number, steps: readonly number[]): number[] {
  const length = Math.max(1, to - from)
  const step = steps.find((candidate) => length / candidate <= timeTicksMax) ?? Math.ceil(length / timeTicksMax)
  const ticks: number[] = []
  for (let tick = Math.ceil(from / step) * step; tick <= to && ticks.length <= timeTicksMax; tick += step) ticks.push(tick)
  return ticks
}

/** A point of a time axis reaching `xMax` seconds: plain seconds, m:ss or h:mm:ss. */
function clock(second: number, xMax: number): string {
  return xMax <= plainSecondsMax ? `${second}` : minutesSeconds(second)
}

/** Seconds as m:ss, or h:mm:ss from an hour. */
function minutesSeconds(value: number): string {
  const whole = Math.round(value)
  const hours = Math.floor(whole / 3600)
  const minutes = Math.floor((whole % 3600) / 60)
  const rest = String(whole % 60).padStart(2, '0')
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${rest}` : `${minutes}:${rest}`
}

/** 2025-03-03T06:00:00+08:00 as 2025-03-03 06:00 +08:00; anything else as written. */
function when(iso: string): string {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/.exec(iso)
  if (match === null) return iso
  return `${match[1]} ${match[2]}${match[3] === undefined ? '' : ` ${match[3]}`}`
}

/** Simulated minutes as 45 min, 16 h, 2 d 4 h. */
function span(minutes: number): string {
  if (minutes < 60) return `${Number(minutes.toFixed(1))} min`
  const hours = Math.floor(minutes / 60)
  const rest = Math.round(minutes - hours * 60)
  if (hours < 48) return `${hours} h${rest > 0 ? ` ${rest} min` : ''}`
  return `${Math.floor(hours / 24)} d${hours % 24 > 0 ? ` ${hours % 24} h` : ''}`
}

function seconds(value: number): string {
  return `${value.toFixed(1)} s`
}

function secondsText(value: number): string {
  return value < plainSecondsMax ? seconds(value) : `${seconds(value)} (${minutesSeconds(value)})`
}

/** A tick of a latency axis: 0.1 ms, 20 ms, 1 s. */
function tickMs(value: number): string {
  return value >= 1000 ? `${Number((value / 1000).toPrecision(6))} s` : `${value} ms`
}

function percent(part: number, whole: number): string {
  if (whole === 0) return '–'
  const share = (part / whole) * 100
  return `${share.toFixed(share > 0 && share < 0.1 ? 3 : 1)}%`
}

const css = `
:root { color-scheme: light; --ink: #0f172a; --muted: #64748b; --line: #e2e8f0; --page: #f5f7fb; --card: #ffffff; --good: #166534; --good-bg: #dcfce7; --bad: #991b1b; --bad-bg: #fee2e2; --warn: #92400e; --warn-bg: #fef3c7; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--page); color: var(--ink); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Liberation Sans", "DejaVu Sans", Arial, sans-serif; }
main { max-width: 1200px; margin: 0 auto; padding: 32px 24px 48px; }
h1 { font-size: 28px; margin: 0 0 6px; letter-spacing: -0.01em; }
h2 { font-size: 18px; margin: 0 0 12px; display: flex; align-items: center; gap: 10px; }
h3 { font-size: 15px; margin: 0; }
code { font-family: ui-monospace, "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 13px; overflow-wrap: anywhere; }
.page-head { margin-bottom: 20px; }
.eyebrow { margin: 0 0 4px; color: var(--muted); text-transform: uppercase; letter-spacing: 0.08em; font-size: 12px; font-weight: 600; }
.meta { margin: 0 0 16px; display: flex; flex-wrap: wrap; gap: 6px 18px; color: var(--muted); }
.meta b { color: var(--ink); font-weight: 600; }
.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(340px, 1fr)); gap: 10px 24px; margin: 0; background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 16px 20px; }
.facts dt, .stats dt { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: 0.05em; }
.facts dd { margin: 0; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 20px 24px; margin: 16px 0; }
.card > :last-child, .card .table-wrap:last-child table { margin-bottom: 0; }
.explain { color: var(--muted); margin: -6px 0 12px; }
.stats { display: grid; grid-template-columns: repeat(6, 1fr); gap: 14px 20px; margin: 0 0 18px; }
.stats dd { margin: 2px 0 0; font-size: 18px; font-weight: 600; font-variant-numeric: tabular-nums; }
.stats dd.bad { color: #b91c1c; }
.lines { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; padding-top: 14px; border-top: 1px solid var(--line); }
.lines div { display: contents; }
.lines dt { color: var(--muted); }
.lines dd { margin: 0; }
.banner { border-radius: 10px; padding: 14px 18px; margin: 16px 0; border-left: 6px solid; }
.banner ul { margin: 8px 0 0; padding-left: 20px; }
.banner-bad { background: var(--bad-bg); border-color: #dc2626; color: var(--bad); font-size: 16px; }
.banner-warn { background: var(--warn-bg); border-color: #d97706; color: var(--warn); }
.banner-good { background: var(--good-bg); border-color: #16a34a; color: var(--good); }
.badge { display: inline-block; border-radius: 999px; padding: 1px 10px; font-size: 13px; font-weight: 600; }
.badge-good { background: var(--good-bg); color: var(--good); }
.badge-bad { background: var(--bad-bg); color: var(--bad); }
.checks { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
.check h3 { display: flex; gap: 10px; align-items: center; }
.check p { margin: 6px 0 0; color: var(--muted); }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; margin-bottom: 20px; }
th, td { padding: 6px 12px; border-bottom: 1px solid var(--line); text-align: left; white-space: nowrap; }
th { color: var(--muted); font-weight: 600; font-size: 13px; }
td:first-child { white-space: normal; overflow-wrap: anywhere; }
.num { text-align: right; }
tbody tr:nth-child(even) { background: #f8fafc; }
tfoot td { font-weight: 700; border-top: 2px solid var(--line); border-bottom: none; }
${chartCss}
.none { color: var(--muted); font-style: italic; margin: 8px 0; padding: 14px; border: 1px dashed var(--line); border-radius: 8px; }
footer { color: var(--muted); font-size: 13px; margin-top: 24px; }
footer p { margin: 4px 0; }
table.compact { width: auto; min-width: 560px; }
@media (max-width: 960px) { .stats { grid-template-columns: repeat(3, 1fr); } }
@media (max-width: 760px) { .checks { grid-template-columns: 1fr; } }
`
