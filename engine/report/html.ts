/**
 * report.html: one page per run that opens offline. CSS is inline, charts are SVG drawn here at
 * render time (charts.ts), and nothing is fetched: no script, font, image or stylesheet from
 * anywhere. The markup is written with the `html` tag (markup.ts), which escapes every value put
 * into it: a string from the scenario (its name, district names) can only ever read as text.
 * Numbers read as format.ts says, as they do in the terminal and on the live page.
 *
 *   header      scenario, seed, ledger, workers, mode, period, wall time
 *   verdict     load: valid or not (and why), thresholds pass/FAIL; money conserved, entries balanced
 *   load        figures, throughput / latency / rejections over time, latency table, lateness
 *   payments    by kind, rejections by reason; flat-out: demand per simulated hour
 *   districts   payments by the payer's district
 */
import { thresholdActual } from '../load/threshold.js'
import { assert } from '../assert.js'
import { resultCodes, transferKinds, type TransferKindName } from '../ledger/index.js'
import { channels, providers, type ChannelName, type ProviderName } from '../ledger/channel.js'
import type { MixFigures, VisitorFigures } from '../counting/mixCounters.js'
import { hourSteps, secondSteps, timeTicks } from './axes.js'
import {
  barChart,
  chartCss,
  columnChart,
  lineChart,
  palette,
  type Marker,
  type Point,
} from './charts.js'
import { demandOverTime } from './demandTables.js'
import { districtMaps, type ReportMap } from './reportMap.js'
import { latencyTables, thresholdRules, tickMs } from './latencySections.js'
import { table, type Cell } from './tables.js'
import { faultsAsked } from './runEvents.js'
import {
  formatDuration,
  formatFen,
  formatInteger,
  formatMs,
  formatNumber,
  formatPercent,
  formatPercentOf,
  formatRate,
  formatRunTime,
} from './format.js'
import { html, type Html } from './markup.js'
import type { KindFigures, LoadSecond, LoadSection, RunSummary } from '../run/summary.js'

/** Seconds up to which a time axis counts plain seconds rather than m:ss. */
const plainSecondsMax = 120
const msPerSecond = 1_000
const msPerMinute = 60_000

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

export function renderReport(
  summary: RunSummary,
  seconds: readonly LoadSecond[] | undefined,
  map?: ReportMap,
): string {
  assert(
    (summary.mode === 'load') === (summary.load !== undefined),
    'a load run, and only a load run, has its load figures',
  )
  const load = summary.load
  const sections = [
    header(summary),
    stoppedBanner(summary),
    load !== undefined && loadVerdict(load),
    load !== undefined && eventsSection(load),
    checks(summary),
    load !== undefined && loadSection(load, seconds ?? []),
    paymentsSection(summary),
    channelsSection(summary),
    ridershipSection(summary),
    merchantsSection(summary),
    banksSection(summary),
    load === undefined && demandSection(summary),
    demandOverTime(summary),
    districtMaps(summary, map),
    districtsSection(summary),
    footer(summary),
  ]
  const title = `${summary.scenario} · seed ${summary.seed} · citytwin`
  const body = sections.filter((section) => section !== false).map((section) => html`${section}\n`)
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${css}</style>
</head>
<body>
<main>
${body}</main>
</body>
</html>
`.toString()
}

function header(summary: RunSummary): Html {
  const { agents, phases, transfers } = summary
  const mode = summary.mode === 'load' ? 'load (open model)' : 'flat-out'
  const facts: [string, string][] = [
    [
      'Simulated',
      `${when(summary.simulated.from)} → ${when(summary.simulated.to)} (${formatDuration(summary.simulated.minutes * msPerMinute)})`,
    ],
    [
      'Wall time',
      `${formatSeconds(summary.wallSeconds)} (synthesis ${formatSeconds(phases.synthesisSeconds)}, simulation ${formatSeconds(phases.simulationSeconds)}, audit ${formatSeconds(phases.auditSeconds)})`,
    ],
    [
      'Agents',
      `${formatInteger(agents.residents)} residents (${formatInteger(agents.adopted)} with e-CNY, ${formatInteger(agents.riders)} riders), ${formatInteger(agents.merchants)} merchants, ${formatInteger(agents.institutions)} institutions`,
    ],
    ['Payments', paymentsLine(summary)],
    [
      'All transfers',
      `${formatInteger(transfers.submitted)}, the institutions' own (issuance, top-ups, payroll, redemptions) with the payments`,
    ],
    ['Throughput', `${formatInteger(summary.throughput.transfersPerSecond)} transfers/s`],
    ['Scale', scaleLine(summary.scale)],
  ]
  return html`<header class="page-head"><p class="eyebrow">citytwin run report</p><h1>${summary.scenario}</h1><p class="meta"><span>seed <b>${String(summary.seed)}</b></span><span><b>${summary.ledger}</b> ledger</span><span><b>${summary.workers}</b> worker${summary.workers === 1 ? '' : 's'}</span><span><b>${mode}</b> mode</span></p><dl class="facts">${facts.map(([term, value]) => html`<div><dt>${term}</dt><dd>${value}</dd></div>`)}</dl></header>`
}

/** The city's payments (by the payer's district), of them accepted and rejected: no issuance. */
function paymentsLine(summary: RunSummary): string {
  const total = { payments: 0, rejected: 0 }
  for (const district of summary.districts) {
    total.payments += district.payments
    total.rejected += district.rejected
  }
  return `${formatInteger(total.payments)} by residents and merchants, ${formatInteger(total.rejected)} of them rejected (${formatPercentOf(total.rejected, total.payments)})`
}

/** The city's scale as a person reads it: "1 in 875 (0.114%)", three figures at most. */
function scaleLine(scale: number): string {
  if (scale >= 1) return formatNumber(Math.round(scale * 1000) / 1000)
  if (scale <= 0) return '0'
  const oneIn = Math.round(1 / scale)
  return `1 resident in ${formatInteger(oneIn)} (${formatPercent(Number((scale * 100).toPrecision(3)))})`
}

/** A run stopped before its end says so first: its figures are of the part that ran. */
function stoppedBanner(summary: RunSummary): Html | false {
  if (summary.stoppedEarly === undefined) return false
  return html`<div class="banner banner-warn" role="alert"><strong>Stopped early.</strong> The run was ${summary.stoppedEarly.reason}: every figure on this page, the audit's included, covers that part only.</div>`
}

/** Whether the load run measured what it set out to, and its thresholds. */
function loadVerdict(load: LoadSection): Html {
  const parts: Html[] = []
  if (!load.valid) {
    const reasons = load.invalidReasons.map((reason) => html`<li>${reason}</li>`)
    parts.push(
      html`<div class="banner banner-bad" role="alert"><strong>Not a valid load test.</strong> The generator fell behind its schedule: these figures are not those of the target load.${reasons.length > 0 && html`<ul>${reasons}</ul>`}</div>`,
    )
  } else {
    parts.push(
      html`<div class="banner banner-good"><strong>Valid load test.</strong> The generator kept its schedule.</div>`,
    )
  }
  if (load.abortedBy !== undefined) {
    parts.push(
      html`<div class="banner banner-warn"><strong>Stopped early</strong> after ${formatSeconds(load.durationSeconds)} of ${formatSeconds(load.plannedSeconds)}: the threshold <code>${load.abortedBy}</code> failed.</div>`,
    )
  }
  const failed = load.thresholds.filter((check) => !check.ok).length
  const verdict =
    load.thresholds.length > 0 &&
    (failed === 0
      ? html`<span class="badge badge-good">all ${load.thresholds.length} passed</span>`
      : html`<span class="badge badge-bad">${failed} of ${load.thresholds.length} FAILED</span>`)
  const body =
    load.thresholds.length === 0
      ? html`<p class="none">No thresholds were set.</p>`
      : table(
          [
            { head: 'threshold' },
            { head: 'actual', numeric: true },
            { head: 'result', numeric: true },
          ],
          load.thresholds.map((check) => [
            { text: check.threshold, code: true },
            { text: thresholdActual(check) },
            { text: check.ok ? 'pass' : 'FAIL', badge: check.ok ? 'good' : 'bad' },
          ]),
          undefined,
          true,
        )
  parts.push(html`<section class="card"><h2>Thresholds ${verdict}</h2>${body}</section>`)
  return html`${parts.map((part, index) => html`${index > 0 && '\n'}${part}`)}`
}

/** The audit: money conserved, and every kind's debits, credits and accepted amounts equal. */
function checks(summary: RunSummary): Html {
  const { conservation, doubleEntry } = summary
  const negative =
    conservation.negativeBalances > 0
      ? html`; <b>${formatInteger(conservation.negativeBalances)} negative balances</b>`
      : '; no negative balance'
  const money = html`<div class="check"><h3>Money ${status(conservation.ok && doubleEntry.ok, 'conserved', conservation.ok ? 'NOT ACCOUNTED FOR' : 'NOT CONSERVED')}</h3><p>issued ${formatFen(conservation.issuedFen)} − returned to the central bank ${formatFen(conservation.redeemedFen)} = balances ${formatFen(conservation.balancesFen)}${negative}</p></div>`
  const pending =
    doubleEntry.pendingFen === 0
      ? 'no pending transfer holds money'
      : `${formatInteger(doubleEntry.pendingHeld ?? 0)} pending transfers (open parking sessions, parcels in escrow) hold ${formatFen(doubleEntry.pendingFen)}, as the run's results say`
  const entries = html`<div class="check"><h3>Double entry ${status(doubleEntry.ok, 'balanced', 'NOT BALANCED')}</h3><p>debits = credits = what accepted transfers posted, for every kind; ${pending}</p></div>`
  return html`<section class="card"><h2>Audit</h2><div class="checks">${money}${entries}</div></section>`
}

function loadSection(load: LoadSection, seconds: readonly LoadSecond[]): Html {
  const lines: [string, string][] = [
    [
      'profile',
      `${load.profile} (${load.sort === 'rate' ? 'a rate over wall time' : "the city's own curve"})`,
    ],
    [
      'ran',
      `${formatSeconds(load.durationSeconds)} of ${formatSeconds(load.plannedSeconds)} planned, at most ${formatInteger(load.inFlightMax)} calls in flight`,
    ],
    [
      'simulated',
      `${formatDuration(load.simulated.minutes * msPerMinute)} of the city, to ${when(load.simulated.to)}, ×${formatRate(load.simulated.speed)} real time; ${formatInteger(load.evenings)} institutional evening${load.evenings === 1 ? '' : 's'}`,
    ],
    ['after the stop', `${formatInteger(load.unanswered)} unanswered`],
  ]
  // The figures a reader scans first; those that should be zero are marked when they are not.
  const figures: [string, string, boolean][] = [
    ['target mean', `${formatInteger(load.targetTps.mean)}/s`, false],
    ['target peak', `${formatInteger(load.targetTps.peak)}/s`, false],
    ['achieved', `${formatInteger(load.achievedTps)}/s`, false],
    ['pacing error', formatPercent(load.pacingErrorPct), false],
    ['p99 latency', formatMs(load.latencyMs.overall.p99Ms), false],
    ['late p99', formatMs(load.lateMs.p99Ms), false],
    ['intended', formatInteger(load.intended), false],
    ['sent', formatInteger(load.sent), false],
    ['dropped', formatInteger(load.dropped), load.dropped > 0],
    ['completed', formatInteger(load.completed), false],
    ['rejected', formatInteger(load.rejected), false],
    ['errors', formatInteger(load.errors), load.errors > 0],
  ]
  const stats = html`<dl class="stats">${figures.map(([term, value, bad]) => html`<div><dt>${term}</dt><dd${bad && html` class="bad"`}>${value}</dd></div>`)}</dl>`
  const facts = html`<dl class="lines">${lines.map(([term, value]) => html`<div><dt>${term}</dt><dd>${value}</dd></div>`)}</dl>`
  return html`<section class="card"><h2>Load</h2>${stats}${facts}</section>
<section class="card">${loadCharts(load, seconds)}</section>
<section class="card">${latencyTables(load)}</section>`
}

/**
 * What was done to the run while it sent, numbered as the charts mark it; and, when faults were
 * asked for, the verdict's warning that the figures after them are not the ledger's own.
 */
function eventsSection(load: LoadSection): Html | false {
  const events = load.events ?? []
  if (events.length === 0) return false
  const faults = faultsAsked(events)
  const warning =
    faults !== undefined &&
    html`<div class="banner banner-warn" role="alert"><strong>Steered on purpose.</strong> ${faults}</div>
`
  const rows = events.map((event, index) => [
    { text: String(index + 1) },
    { text: formatRunTime(event.second) },
    { text: event.simulatedAt === undefined ? '–' : when(event.simulatedAt) },
    { text: event.label },
  ])
  const dropped =
    (load.eventsDropped ?? 0) > 0 &&
    html`<p class="explain">${formatInteger(load.eventsDropped ?? 0)} later events were not kept.</p>`
  const body = table(
    [{ head: '#', numeric: true }, { head: 'run time' }, { head: 'simulated' }, { head: 'event' }],
    rows,
  )
  return html`${warning}<section class="card"><h2>Events</h2><p class="explain">What was done to the run while it sent (the live map's controls, a stop), numbered as the charts below mark it.</p>${body}${dropped}</section>`
}

/** The run's events as chart markers, numbered as the events table is. */
function eventMarkers(load: LoadSection): Marker[] {
  return (load.events ?? []).map((event, index) => ({
    x: event.second,
    label: String(index + 1),
    title: `${index + 1}. ${event.label} at ${formatRunTime(event.second)}`,
  }))
}

function loadCharts(load: LoadSection, seconds: readonly LoadSecond[]): Html {
  const first = seconds[0]
  const last = seconds[seconds.length - 1]
  const xMax = last?.second ?? 0
  const axis = {
    markers: eventMarkers(load),
    xLabel: `wall time since the start, ${xMax <= plainSecondsMax ? 's' : xMax < 3600 ? 'm:ss' : 'h:mm:ss'}`,
    formatX: (second: number) => (xMax <= plainSecondsMax ? String(second) : formatRunTime(second)),
    xTicks: timeTicks(first?.second ?? 0, xMax, secondSteps),
  }
  const points = (pick: (second: LoadSecond) => number): Point[] =>
    seconds.map((second) => [second.second, pick(second)])
  const covered =
    first === undefined || last === undefined
      ? undefined
      : `The stream covered the simulated city from ${when(first.simulatedAt)} to ${when(last.simulatedAt)}.`
  const throughput = lineChart({
    ...axis,
    title: 'Throughput over time',
    yMaxAtLeast: load.targetTps.peak,
    ...(covered === undefined ? {} : { note: covered }),
    yLabel: 'transfers per second',
    series: [
      {
        name: 'target TPS',
        points: points((second) => second.targetTps),
        color: colors.target,
        dashed: true,
      },
      {
        name: 'completed TPS',
        points: points((second) => second.completedTps),
        color: colors.achieved,
      },
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
    rules: thresholdRules(load),
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
    empty:
      seconds.length === 0
        ? 'none: no second of load was recorded'
        : 'none: no transfer was rejected and no call failed in any second',
  })
  return html`${throughput}${latency}${failures}`
}

/** Kinds a resident or merchant pays; the rest are the institutions' (issuance, sweeps, wages). */
const paymentKinds: readonly TransferKindName[] = [
  'retail',
  'transit',
  'bill',
  'p2p',
  'tax',
  'health',
  'parking',
  'online',
]

/**
 * Transfers by kind in two tables: the city's payments, with their total, and the institutions'
 * transfers, with none (issuance and wages summed with purchases would mean nothing).
 */
function kindTables(summary: RunSummary): Html {
  const { byKind } = summary.transfers
  const columns = [
    { head: 'kind' },
    { head: 'submitted', numeric: true },
    { head: 'accepted', numeric: true },
    { head: 'rejected', numeric: true },
    { head: 'accepted ¥', numeric: true },
  ]
  const row = (name: string, figures: KindFigures): Cell[] => [
    { text: name },
    { text: formatInteger(figures.submitted) },
    { text: formatInteger(figures.accepted) },
    { text: formatInteger(figures.rejected) },
    { text: formatFen(figures.amountFen) },
  ]
  const shown = (kinds: readonly TransferKindName[]) =>
    kinds.filter((kind) => byKind[kind].submitted > 0)
  const payments = shown(paymentKinds)
  const total = payments.reduce(
    (sum, kind) => ({
      submitted: sum.submitted + byKind[kind].submitted,
      accepted: sum.accepted + byKind[kind].accepted,
      rejected: sum.rejected + byKind[kind].rejected,
      amountFen: sum.amountFen + byKind[kind].amountFen,
    }),
    { submitted: 0, accepted: 0, rejected: 0, amountFen: 0 },
  )
  const institutional = shown(transferKinds.filter((kind) => !paymentKinds.includes(kind)))
  return html`${table(
    columns,
    payments.map((kind) => row(kind, byKind[kind])),
    row('payments', total),
  )}<h3>The institutions' transfers</h3><p class="explain">Issuance and retirement by the central bank, top-ups from banks, wages from employers, grants from the treasury, merchants' evening redemptions, and the deposit book following them (customers' deposits opened, given up for e-CNY, taken back): money moving in and out of wallets, not payments, so not added to them.</p>${table(
    columns,
    institutional.map((kind) => row(kind, byKind[kind])),
  )}`
}

function paymentsSection(summary: RunSummary): Html {
  const { transfers } = summary
  const kinds = kindTables(summary)
  const rejected = resultCodes.reduce(
    (sum, code) => sum + (code === 'ok' ? 0 : (transfers.byReason[code] ?? 0)),
    0,
  )
  const bars = resultCodes
    .filter((code) => code !== 'ok' && (transfers.byReason[code] ?? 0) > 0)
    .map((code) => ({ label: code, value: transfers.byReason[code] ?? 0 }))
    .sort((a, b) => b.value - a.value)
  const reasons = barChart({
    title: 'Rejections by reason',
    bars,
    color: colors.reasons,
    formatValue: (value) => `${formatInteger(value)} (${formatPercentOf(value, rejected)})`,
    empty: 'none: no transfer was rejected',
  })
  return html`<section class="card"><h2>Payments by kind</h2>${kinds}${reasons}</section>`
}

const channelLabels: Record<ChannelName, string> = {
  qr: 'QR code',
  nfc: 'tap (NFC)',
  gate: 'transit gate',
  autoDebit: 'auto-debit',
  online: 'online',
  face: 'face',
  credit: 'paid in (credit)',
}
const providerLabels: Record<ProviderName, string> = {
  ecnyApp: 'e-CNY app',
  bankApp: "banks' apps",
  thirdParty: 'third-party apps (unified QR)',
  card: 'hard wallets (cards)',
  institution: 'institutions',
}

/** How the city paid: by channel, by wallet provider, and its two-phase payments. */
function channelsSection(summary: RunSummary): Html | false {
  const mix = summary.mix
  if (mix === undefined) return false
  const paid = (figures: MixFigures) => figures.payments > 0
  const columns = (head: string) => [
    { head },
    { head: 'payments', numeric: true },
    { head: 'accepted', numeric: true },
    { head: 'share', numeric: true },
    { head: 'accepted ¥', numeric: true },
  ]
  const total = channels.reduce((sum, name) => sum + mix.byChannel[name].payments, 0)
  const row = (label: string, figures: MixFigures): Cell[] => [
    { text: label },
    { text: formatInteger(figures.payments) },
    { text: formatInteger(figures.accepted) },
    { text: formatPercentOf(figures.payments, total) },
    { text: formatFen(figures.amountFen) },
  ]
  const byChannel = channels
    .filter((name) => paid(mix.byChannel[name]))
    .map((name) => row(channelLabels[name], mix.byChannel[name]))
  const byProvider = providers
    .filter((name) => paid(mix.byProvider[name]))
    .flatMap((name) => [
      row(providerLabels[name], mix.byProvider[name]),
      ...(name === 'bankApp'
        ? mix.bankApps.filter(paid).map((bank) => row(`  ${bank.bank} app`, bank))
        : []),
    ])
  const phases = transferKinds.flatMap((kind): Cell[][] => {
    const figures = mix.twoPhase[kind]
    if (figures === undefined) return []
    return [
      [
        { text: kind },
        { text: formatInteger(figures.reserved) },
        { text: formatInteger(figures.posted) },
        { text: formatInteger(figures.voided) },
        { text: formatInteger(figures.expired) },
        { text: formatInteger(figures.held) },
        { text: formatFen(figures.postedFen) },
      ],
    ]
  })
  const phaseColumns = [
    { head: 'kind' },
    ...['reserved', 'posted', 'voided', 'expired', 'held at the end'].map((head) => ({
      head,
      numeric: true,
    })),
    { head: 'posted ¥', numeric: true },
  ]
  const twoPhase =
    phases.length > 0 &&
    html`<h3>Reserved, then settled</h3><p class="explain">Parking and tolls reserve the most a session may cost at entry and post what it cost at exit, or void a free stay; online purchases are held in escrow until delivery, then posted, or voided on a return. What is held at the end waits for an exit or a delivery after the period.</p>${table(phaseColumns, phases)}`
  const visitors = visitorsPart(mix.visitors)
  return html`<section class="card"><h2>Payments by channel and wallet provider</h2><p class="explain">Every payment carries how it was paid (a QR code scanned, a tap of a card or phone, a transit gate, an auto-debit, an online page, a face terminal; money paid in by employers, the treasury and banks is a credit) and the wallet that paid it: the e-CNY app, the payer's own bank's app (each bank apart), an app paying through the unified QR code, or a hard wallet. Merchants take the channels their category accepts (scenario channels.accept). Values are what moved: a reservation counts when its post settles.</p>${table(columns('channel'), byChannel)}${table(columns('wallet provider'), byProvider)}${twoPhase}${visitors}</section>`
}

/** Metro ridership by line and the busiest stations (a city with its real metro). */
function ridershipSection(summary: RunSummary): Html | false {
  const riders = summary.ridership
  if (riders === undefined) return false
  const lines = [...riders.lines]
    .filter((line) => line.rides > 0)
    .sort((a, b) => b.rides - a.rides)
    .map((line): Cell[] => [
      { text: line.line },
      { text: formatInteger(line.rides) },
      { text: formatPercentOf(line.rides, riders.metroRides) },
    ])
  const stations = [...riders.stations]
    .sort((a, b) => b.tapIns + b.tapOuts - (a.tapIns + a.tapOuts))
    .slice(0, stationsShown)
    .map((station): Cell[] => [
      { text: station.station },
      { text: formatInteger(station.tapIns) },
      { text: formatInteger(station.tapOuts) },
    ])
  return html`<section class="card"><h2>Metro ridership</h2><p class="explain">${formatInteger(riders.metroRides)} metro rides and ${formatInteger(riders.busRides)} bus rides were paid. A metro ride taps in at one station and out at another, where the fare for the pair by the network's shortest route, under the city's fare rule, is charged: rides are counted by the line they board first, taps by station, from the fares the ledger accepted.</p>${table(
    [{ head: 'line' }, { head: 'rides', numeric: true }, { head: 'share', numeric: true }],
    lines,
  )}<h3>The busiest stations</h3>${table(
    [{ head: 'station' }, { head: 'tap-ins', numeric: true }, { head: 'tap-outs', numeric: true }],
    stations,
  )}</section>`
}

const stationsShown = 15

/** The visitors' own line, in summaries that have them. */
function visitorsPart(guests: VisitorFigures | undefined): Html | false {
  return (
    guests !== undefined &&
    html`<h3>Cross-border visitors</h3><p class="explain">Visitors arriving through the city's ports open an anonymous wallet, top it up from a foreign card at the scenario's rate, pay near their port and in the centre, and leave: their own line, not among the residents' districts.</p>${table(
      [
        { head: 'arrived' },
        { head: 'topped up ¥', numeric: true },
        { head: 'payments', numeric: true },
        { head: 'accepted', numeric: true },
        { head: 'accepted ¥', numeric: true },
      ],
      [
        [
          { text: formatInteger(guests.arrived) },
          { text: formatFen(guests.topupFen) },
          { text: formatInteger(guests.payments) },
          { text: formatInteger(guests.accepted) },
          { text: formatFen(guests.amountFen) },
        ],
      ],
    )}`
  )
}

/** Retail by merchant size, and the merchants accepting e-CNY (summaries that have them). */
function merchantsSection(summary: RunSummary): Html | false {
  const merchants = summary.merchants
  if (merchants === undefined) return false
  const paid = merchants.bySize.reduce((sum, size) => sum + size.payments, 0)
  const rows = merchants.bySize.map((size): Cell[] => [
    { text: size.size },
    { text: formatInteger(size.merchants) },
    { text: formatInteger(size.accepting) },
    { text: formatInteger(size.payments) },
    { text: formatPercentOf(size.payments, paid) },
    { text: formatFen(size.amountFen) },
  ])
  const columns = [
    { head: 'size' },
    { head: 'merchants', numeric: true },
    { head: 'accepting e-CNY', numeric: true },
    { head: 'retail payments', numeric: true },
    { head: 'share', numeric: true },
    { head: 'accepted ¥', numeric: true },
  ]
  return html`<section class="card"><h2>Merchants by size</h2><p class="explain">Within each district and category merchants are ranked by size, the largest first, and accept e-CNY in that order; a merchant draws retail payments by its size's weight (scenario merchants.sizes).</p>${table(columns, rows)}</section>`
}

/** The two tiers: each bank's deposit book against the e-CNY its customers took and gave back. */
function banksSection(summary: RunSummary): Html | false {
  const banks = summary.banks
  if (banks === undefined || banks.length === 0) return false
  const rows = banks.map((bank): Cell[] => [
    { text: bank.bank },
    { text: bank.depositsOpenedFen === undefined ? '–' : formatFen(bank.depositsOpenedFen) },
    { text: formatFen(bank.openingToWalletsFen + bank.toWalletsFen) },
    {
      text:
        bank.toEmployersFen === undefined
          ? '–'
          : formatFen((bank.openingToEmployersFen ?? 0) + bank.toEmployersFen),
    },
    { text: formatFen(bank.toDepositsFen) },
    { text: bank.depositsHeldFen === undefined ? '–' : formatFen(bank.depositsHeldFen) },
  ])
  const columns = [
    { head: 'bank' },
    { head: 'deposits at the start ¥', numeric: true },
    { head: "into residents' e-CNY ¥", numeric: true },
    { head: "into employers' payroll funds ¥", numeric: true },
    { head: 'turned back ¥', numeric: true },
    { head: 'deposits at the end ¥', numeric: true },
  ]
  return html`<section class="card"><h2>The two tiers: deposits and e-CNY by bank</h2><p class="explain">Each operating bank's customers' deposits, a book in the ledger beside the e-CNY: top-ups turn deposits into e-CNY, residents' wallets (the opening's first balances and the period's top-ups) apart from employers' payroll funds; merchants', the transit operator's and utilities' redemptions turn it back; the audit checks the book bank by bank. One book a bank holds its households' and businesses' deposits together.</p>${table(columns, rows)}</section>`
}

/** Flat-out runs: the city's payments per simulated hour. */
function demandSection(summary: RunSummary): Html {
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
    note: `Payments made by residents and employers; the busiest minute had ${formatInteger(demand.peakPerMinute)} payments, from ${when(demand.peakAt)}.`,
    xLabel:
      startMinutes === undefined
        ? 'simulated hours from the start'
        : `simulated local time, from ${when(simulated.from)}`,
    yLabel: 'payments per hour',
    values: demand.perHour,
    seriesName: 'payments',
    color: colors.demand,
    formatX,
    xTicks: timeTicks(0, hours, hourSteps),
    empty: 'none: the period holds no hour of payments',
  })
  return html`<section class="card">${chart}</section>`
}

function districtsSection(summary: RunSummary): Html {
  const { districts } = summary
  if (districts.length === 0)
    return html`<section class="card"><h2>Districts</h2><p class="none">none: the run counted no payment by district</p></section>`
  const total = { payments: 0, accepted: 0, rejected: 0, amountFen: 0 }
  const rows = districts.map((district): Cell[] => {
    total.payments += district.payments
    total.accepted += district.accepted
    total.rejected += district.rejected
    total.amountFen += district.amountFen
    return [
      { text: district.district },
      { text: formatInteger(district.payments) },
      { text: formatInteger(district.accepted) },
      { text: formatInteger(district.rejected) },
      { text: formatPercentOf(district.rejected, district.payments) },
      { text: formatFen(district.amountFen) },
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
    { text: formatInteger(total.payments) },
    { text: formatInteger(total.accepted) },
    { text: formatInteger(total.rejected) },
    { text: formatPercentOf(total.rejected, total.payments) },
    { text: formatFen(total.amountFen) },
  ]
  return html`<section class="card"><h2>Payments by district</h2><p class="explain">By the payer's district: a resident's home, a merchant's own. The institutions' transfers are left out.</p>${table(columns, rows, totals)}</section>`
}

function footer(summary: RunSummary): Html {
  return html`<footer><p>Digest of the transfer stream: <code>${summary.digest}</code></p><p>Made by citytwin from ${summary.mode === 'load' ? 'summary.json and metrics.csv' : 'summary.json'} in this page's folder.</p></footer>`
}

function status(ok: boolean, good: string, bad: string): Html {
  return ok
    ? html`<span class="badge badge-good">${good}</span>`
    : html`<span class="badge badge-bad">${bad}</span>`
}

/** 2025-03-03T06:00:00+08:00 as 2025-03-03 06:00 +08:00; anything else as written. */
function when(iso: string): string {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/.exec(
    iso,
  )
  if (match === null) return iso
  return `${match[1]} ${match[2]}${match[3] === undefined ? '' : ` ${match[3]}`}`
}

/** Wall seconds as a duration: 12.3 s, 3m 05s. */
function formatSeconds(value: number): string {
  return formatDuration(value * msPerSecond)
}

const css = html`.maps { display: grid; grid-template-columns: repeat(3, 1fr); gap: 1rem; }
.map-figure { margin: 0; } .map-figure h3 { margin: 0 0 .3rem; font-size: .95rem; }

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
