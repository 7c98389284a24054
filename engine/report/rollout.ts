/**
 * A rollout's files: rollout.json (every simulated day and the capacity plan), plan.csv (a row a
 * month) and days.csv (a row a simulated day) for planners' own tools, and rollout.html: the
 * verdict against the ledger's knee, demand against capacity over the rollout, adoption by
 * district, and the tables.
 */
import path from 'node:path'
import { printable } from '../printable.js'
import type { MonthPlan } from '../rollout/capacityPlan.js'
import type { RolloutOutcome } from '../rollout/runRollout.js'
import { chartCss, lineChart, type Point, type Rule } from './charts.js'
import { formatCount, formatInteger, formatRate, formatShare } from './format.js'
import { html, type Html } from './markup.js'
import { adoptionMaps } from './reportMap.js'
import type { RunFolder } from './runFolder.js'
import { table } from './tables.js'

export const rolloutJsonFile = 'rollout.json'
export const rolloutHtmlFile = 'rollout.html'
export const planCsvFile = 'plan.csv'
export const daysCsvFile = 'days.csv'
export const depositsCsvFile = 'deposits.csv'
export const peaksCsvFile = 'peaks.csv'

/** The rollout's files written and moved into place; where they are. */
export async function writeRolloutFiles(
  folder: RunFolder,
  outcome: RolloutOutcome,
): Promise<{ folder: string; report: string; plan: string }> {
  try {
    await folder.write(rolloutJsonFile, `${JSON.stringify(outcome, null, 2)}\n`)
    await folder.write(planCsvFile, planCsv(outcome))
    await folder.write(daysCsvFile, daysCsv(outcome))
    await folder.write(depositsCsvFile, depositsCsv(outcome))
    await folder.write(peaksCsvFile, peaksCsv(outcome))
    await folder.write(rolloutHtmlFile, renderRolloutReport(outcome))
    const at = await folder.commit()
    return {
      folder: at,
      report: path.join(at, rolloutHtmlFile),
      plan: path.join(at, planCsvFile),
    }
  } catch (error) {
    await folder.discard()
    throw error
  }
}

/** One line on the plan against the knee: what a planner forwards. */
export function planVerdict(outcome: RolloutOutcome): string {
  const { plan } = outcome
  const last = plan.months.at(-1)
  if (plan.kneeTps === undefined) {
    return `no ledger knee given (--capacity capacity.json): the last month needs ${formatRate(last?.neededTps ?? 0)}/s with ${plan.headroom}× headroom`
  }
  const knee = `the ledger's knee of ${plan.kneeAtLeast === true ? 'at least ' : ''}${formatRate(plan.kneeTps)}/s`
  if (plan.firstExceeding === undefined) {
    return `every month fits ${knee}: the last needs ${formatRate(last?.neededTps ?? 0)}/s with ${plan.headroom}× headroom`
  }
  const month = plan.months[plan.firstExceeding.index]
  return `month ${plan.firstExceeding.index + 1} (from ${plan.firstExceeding.from}) outgrows ${knee}: it needs ${formatRate(month?.neededTps ?? 0)}/s with ${plan.headroom}× headroom`
}

/** The plan as a terminal table, a row a month. */
export function planTable(outcome: RolloutOutcome): string {
  const head = ['month', 'from', 'adoption', 'payments', 'peak/s', 'p99.9/s', 'needed/s', 'fits']
  const rows = outcome.plan.months.map((month) => [
    String(month.index + 1),
    month.from,
    formatShare(month.adoption),
    formatInteger(month.cityPayments),
    formatRate(month.cityPeakPerSecond),
    formatRate(month.cityP999PerSecond),
    formatRate(month.neededTps),
    month.exceedsKnee === undefined ? '–' : month.exceedsKnee ? 'NO' : 'yes',
  ])
  const widths = head.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  )
  const line = (cells: readonly string[]) =>
    cells.map((cell, column) => cell.padStart(widths[column] ?? 0)).join('  ')
  const scaled =
    outcome.scale < 1
      ? `rates are the whole city's: the simulated ${formatShare(outcome.scale)} scaled up`
      : 'rates are the whole city simulated'
  return [line(head), ...rows.map(line), '', `${planVerdict(outcome)}`, scaled].join('\n')
}

const planColumns = [
  'month',
  'from',
  'to',
  'days',
  'simulated_days',
  'adoption',
  'payments',
  'city_payments',
  'peak_per_s',
  'peak_at',
  'p999_per_s',
  'city_peak_per_s',
  'city_p999_per_s',
  'needed_tps',
  'exceeds_knee',
]

function planCsv(outcome: RolloutOutcome): string {
  const rows = outcome.plan.months.map((month) =>
    [
      month.index + 1,
      month.from,
      month.to,
      month.days,
      month.simulatedDays,
      month.adoption.toFixed(4),
      month.payments,
      month.cityPayments,
      month.peakPerSecond.toFixed(2),
      month.peakAt,
      month.p999PerSecond.toFixed(2),
      month.cityPeakPerSecond.toFixed(1),
      month.cityP999PerSecond.toFixed(1),
      month.neededTps.toFixed(1),
      month.exceedsKnee === undefined ? '' : String(month.exceedsKnee),
    ].join(','),
  )
  return `${[planColumns.join(','), ...rows].join('\n')}\n`
}

function daysCsv(outcome: RolloutOutcome): string {
  const districts = outcome.districts.map((name) => `adoption_${csvName(name)}`)
  const bands = Object.keys(outcome.days[0]?.adoptionByAge ?? {})
  const head = [
    'date',
    'kind',
    'stands_for_days',
    'month',
    'adoption',
    'habit',
    'merchants_accepting',
    'adopted',
    'payments',
    'accepted',
    'rejected',
    'peak_per_minute',
    'peak_at',
    ...districts,
    ...bands.map((band) => `adoption_${band}`),
  ]
  const rows = outcome.days.map((day) =>
    [
      day.date,
      day.kind,
      day.weight.toFixed(3),
      day.month + 1,
      day.adoption.toFixed(4),
      day.habit.toFixed(4),
      day.merchantsAccepting.toFixed(4),
      day.adopted,
      day.payments,
      day.accepted,
      day.rejected,
      day.peakPerMinute,
      day.peakAt,
      ...day.adoptionByDistrict.map((share) => share.toFixed(4)),
      ...bands.map((band) => (day.adoptionByAge?.[band] ?? 0).toFixed(4)),
    ].join(','),
  )
  return `${[head.join(','), ...rows].join('\n')}\n`
}

/** Each month's busiest minute by district and by payment kind, a row each, for the city. */
function peaksCsv(outcome: RolloutOutcome): string {
  const rows: string[] = []
  for (const month of outcome.plan.months) {
    const add = (by: string, figures: Readonly<Record<string, number>>) => {
      for (const [name, perSecond] of Object.entries(figures)) {
        rows.push([month.index + 1, month.from, by, csvText(name), perSecond.toFixed(2)].join(','))
      }
    }
    add('district', month.cityPeakByDistrict)
    add('kind', month.cityPeakByKind)
  }
  return `${['month,from,by,name,city_peak_per_s', ...rows].join('\n')}\n`
}

function depositsCsv(outcome: RolloutOutcome): string {
  const rows = outcome.plan.deposits.map((row) =>
    [
      row.month + 1,
      outcome.plan.months[row.month]?.from ?? '',
      csvText(row.bank),
      row.walletsOpenedFen,
      row.netTopupsFen,
      row.outflowFen,
    ].join(','),
  )
  const head = 'month,from,bank,wallets_opened_fen,net_topups_fen,outflow_fen'
  return `${[head, ...rows].join('\n')}\n`
}

/** A name as one CSV field: quoted, its quotes doubled, a leading formula sign made text. */
function csvText(text: string): string {
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text
  return `"${safe.replaceAll('"', '""')}"`
}

/** A district name as a CSV column: lower case letters, digits and underscores only. */
function csvName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '_')
}

/** rollout.html. */
export function renderRolloutReport(outcome: RolloutOutcome): string {
  const { plan } = outcome
  const simulated = outcome.days.length
  const total = plan.months.reduce((sum, month) => sum + month.days, 0)
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Rollout: ${printable(outcome.scenario)}</title>
<style>
body { font: 15px/1.45 system-ui, sans-serif; color: #1d2330; margin: 2rem auto; max-width: 1180px; padding: 0 1rem; --muted: #5b6473; }
h1 { font-size: 1.5rem; margin-bottom: .2rem; } .meta { color: #5b6473; }
.verdict { font-size: 1.15rem; padding: .8rem 1rem; border-radius: 8px; background: #eef6ee; border: 1px solid #b9dcb9; margin: 1rem 0; }
.verdict.over { background: #fbeeee; border-color: #e5b5b5; }
table { border-collapse: collapse; width: 100%; margin: 1rem 0; } th, td { padding: .3rem .55rem; border-bottom: 1px solid #e3e6ec; text-align: left; }
th { background: #f4f6f9; } td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.badge { padding: 0 .4rem; border-radius: 4px; } .badge-good { background: #e3f4e3; } .badge-bad { background: #fadcdc; }
svg { width: 100%; height: auto; }
.maps { display: grid; grid-template-columns: repeat(4, 1fr); gap: 1rem; } .map-figure { margin: 0; } .map-figure h3 { font-size: .95rem; margin: .2rem 0; }
${chartCss}
</style></head><body>
<h1>Rollout of ${printable(outcome.scenario)}</h1>
<div class="meta">seed ${String(outcome.seed)} · ${outcome.ledger} ledger · ${formatShare(outcome.scale)} of the city simulated · ${String(plan.months.length)} months, ${String(simulated)} days simulated of ${String(total)}</div>
<div class="verdict${plan.firstExceeding === undefined ? '' : ' over'}">${planVerdict(outcome)}</div>
<h2>Demand against capacity</h2>
${demandChart(outcome)}
<h2>Adoption by district</h2>
${adoptionChart(outcome)}
${quarterMaps(outcome)}
${ageChart(outcome)}
<h2>The capacity plan</h2>
${planTableHtml(plan.months, plan.kneeTps !== undefined)}
<p class="meta">${howEstimated(outcome)}</p>
<h2>The busiest minute by district and by kind</h2>
<p class="meta">Each month's busiest minute of each district's payments (by the payer's district) and of each payment kind, a second, for the whole city; the districts' and kinds' peaks fall at different minutes, so they add up to more than the city's.</p>
${peaksTable(outcome, (month) => month.cityPeakByDistrict, outcome.districts)}
${peaksTable(outcome, (month) => month.cityPeakByKind)}
<h2>Deposits leaving the banks</h2>
${depositsTable(outcome)}
<h2>The days simulated</h2>
${daysTableHtml(outcome)}
</body></html>
`.toString()
}

/** How the months were estimated from the days simulated: the report says it in so many words. */
function howEstimated(outcome: RolloutOutcome): string {
  const scaled =
    outcome.scale < 1
      ? ` Rates are scaled from the simulated ${formatShare(outcome.scale)} of the residents to the whole city (demand taken as proportional to residents, a modelling assumption).`
      : ''
  return `Each month's working days, days of rest and peaks are estimated from the days of their kind that were simulated: a simulated day stands for the days of its kind in its month (its weight in days.csv), and a month's payments are the simulated days' payments times their weights. The peak is the busiest minute of the month's simulated days; the 99.9th percentile counts each simulated minute as many times as its day stands for. The needed rate is the city's peak times the headroom of ${String(outcome.plan.headroom)}.${scaled} Each day was simulated on its own from the opening balances, its money audited.`
}

function demandChart(outcome: RolloutOutcome): Html {
  const { plan } = outcome
  const point = (pick: (month: MonthPlan) => number): Point[] =>
    plan.months.map((month) => [month.index + 1, pick(month)])
  const neededMax = Math.max(0, ...plan.months.map((month) => month.neededTps))
  const rules: Rule[] =
    plan.kneeTps === undefined
      ? []
      : [{ y: plan.kneeTps, label: `ledger knee ${formatRate(plan.kneeTps)}/s` }]
  return lineChart({
    title: 'Payments a second at the peak, by month, for the whole city',
    note: 'The needed rate is the peak with the headroom; the dashed red line is the ledger’s measured knee.',
    xLabel: 'month of the rollout',
    yLabel: 'payments/s',
    formatX: (month) => String(month),
    formatY: (rate) => formatRate(rate),
    xTicks: plan.months.map((month) => month.index + 1),
    ...(plan.kneeTps === undefined ? {} : { yMaxAtLeast: plan.kneeTps * 1.05 }),
    // A knee far above the demand would flatten it: on a log axis both read.
    ...(plan.kneeTps !== undefined && plan.kneeTps > 10 * neededMax
      ? { yScale: 'log' as const }
      : {}),
    rules,
    series: [
      { name: 'peak minute', points: point((month) => month.cityPeakPerSecond) },
      { name: '99.9th percentile minute', points: point((month) => month.cityP999PerSecond) },
      { name: 'needed (with headroom)', points: point((month) => month.neededTps), dashed: true },
    ],
  })
}

function adoptionChart(outcome: RolloutOutcome): Html {
  const first = outcome.months[0]?.from ?? outcome.days[0]?.date ?? '1970-01-01'
  const start = Date.parse(first)
  const dayOf = (date: string) => (Date.parse(date) - start) / 86_400_000
  return lineChart({
    title: 'Residents holding a wallet, by district',
    note: 'Read off each district’s curve on the days simulated.',
    xLabel: `days since the rollout began, ${first}`,
    yLabel: 'share of residents',
    formatY: (share) => formatShare(share),
    series: outcome.districts.map((name, index) => ({
      name,
      points: outcome.days.map((day): Point => [
        dayOf(day.date),
        day.adoptionByDistrict[index] ?? 0,
      ]),
    })),
  })
}

/** A small map of wallets by district at the end of each quarter (and of the last month). */
function quarterMaps(outcome: RolloutOutcome): Html | false {
  const months = outcome.plan.months
  const moments = months
    .filter((month) => (month.index + 1) % 3 === 0 || month.index === months.length - 1)
    .flatMap((month) => {
      const last = outcome.days.filter((day) => day.month === month.index).at(-1)
      return last === undefined
        ? []
        : [
            {
              label: `month ${String(month.index + 1)}, ${last.date}`,
              shares: last.adoptionByDistrict,
            },
          ]
    })
  return adoptionMaps(outcome.map, outcome.districts, moments)
}

/** Wallets by age band over the rollout, when the scenario says who its people are. */
function ageChart(outcome: RolloutOutcome): Html | false {
  const bands = Object.keys(outcome.days[0]?.adoptionByAge ?? {})
  if (bands.length === 0) return false
  const first = outcome.months[0]?.from ?? outcome.days[0]?.date ?? '1970-01-01'
  const start = Date.parse(first)
  const names: Readonly<Record<string, string>> = {
    children: 'under 15',
    working: '15 to 59',
    elderly: '60 and over',
  }
  return lineChart({
    title: 'Residents holding a wallet, by age band',
    note: 'Counted in the simulated city on each day simulated.',
    xLabel: `days since the rollout began, ${first}`,
    yLabel: 'share of the band',
    formatY: (share) => formatShare(share),
    series: bands.map((band) => ({
      name: names[band] ?? band,
      points: outcome.days.map((day): Point => [
        (Date.parse(day.date) - start) / 86_400_000,
        day.adoptionByAge?.[band] ?? 0,
      ]),
    })),
  })
}

function planTableHtml(months: readonly MonthPlan[], knee: boolean): Html {
  const columns = [
    { head: 'month' },
    { head: 'from' },
    { head: 'simulated days', numeric: true },
    { head: 'adoption', numeric: true },
    { head: 'payments, whole city (estimated)', numeric: true },
    { head: 'peak minute, /s', numeric: true },
    { head: 'at' },
    { head: 'p99.9 minute, /s', numeric: true },
    { head: 'needed, /s', numeric: true },
    ...(knee ? [{ head: 'fits the knee' }] : []),
  ]
  const rows = months.map((month) => [
    { text: String(month.index + 1) },
    { text: month.from },
    { text: `${String(month.simulatedDays)} of ${String(month.days)}` },
    { text: formatShare(month.adoption) },
    { text: formatInteger(month.cityPayments) },
    { text: formatRate(month.cityPeakPerSecond) },
    { text: month.peakAt.slice(0, 16).replace('T', ' ') },
    { text: formatRate(month.cityP999PerSecond) },
    { text: formatRate(month.neededTps) },
    ...(knee
      ? [
          month.exceedsKnee === true
            ? { text: 'no', badge: 'bad' as const }
            : { text: 'yes', badge: 'good' as const },
        ]
      : []),
  ])
  return table(columns, rows)
}

/** A row a month, a column a district (or a kind): its busiest minute, a second. */
function peaksTable(
  outcome: RolloutOutcome,
  pick: (month: MonthPlan) => Readonly<Record<string, number>>,
  order?: readonly string[],
): Html {
  const { months } = outcome.plan
  const seen = new Set(months.flatMap((month) => Object.keys(pick(month))))
  const names = order === undefined ? [...seen].sort() : order.filter((name) => seen.has(name))
  const columns = [{ head: 'month' }, ...names.map((name) => ({ head: name, numeric: true }))]
  const rows = months.map((month) => [
    { text: String(month.index + 1) },
    ...names.map((name) => {
      const value = pick(month)[name]
      return { text: value === undefined ? '–' : formatRate(value) }
    }),
  ])
  return table(columns, rows)
}

/** Each month's deposit outflow by operating bank, for the whole city. */
function depositsTable(outcome: RolloutOutcome): Html {
  const { deposits, months } = outcome.plan
  const banks = [...new Set(deposits.map((row) => row.bank))]
  if (banks.length === 0) return html`<p class="meta">No bank figures in these days.</p>`
  const yuan = (fen: number) => {
    const value = fen / 100
    if (Math.abs(value) >= 1e9) return `¥${(value / 1e9).toPrecision(3)}bn`
    return `¥${formatCount(value)}`
  }
  const columns = [{ head: 'month' }, ...banks.map((bank) => ({ head: bank, numeric: true }))]
  const rows = months.map((month) => [
    { text: `${String(month.index + 1)} (${month.from})` },
    ...banks.map((bank) => {
      const row = deposits.find((one) => one.month === month.index && one.bank === bank)
      return { text: row === undefined ? '–' : yuan(row.outflowFen) }
    }),
  ])
  const total = [
    { text: 'the rollout' },
    ...banks.map((bank) => ({
      text: yuan(
        deposits.filter((one) => one.bank === bank).reduce((sum, one) => sum + one.outflowFen, 0),
      ),
    })),
  ]
  return html`<p class="meta">Deposits turned into e-CNY at each operating bank, for the whole city: the first balance of each wallet opened in the month, plus the month's top-ups (of wallets, and the employers' evening refills of their payroll funds) less the merchants' redemptions back into deposits (deposits.csv has both parts, in fen). Estimated from the simulated days, like the plan. ${banks[0] ?? ''} holds the metro operator's account (and the first utility's): their takings return to deposits there.</p>${table(columns, rows, total)}`
}

function daysTableHtml(outcome: RolloutOutcome): Html {
  const columns = [
    { head: 'date' },
    { head: 'kind' },
    { head: 'stands for, days', numeric: true },
    { head: 'adoption', numeric: true },
    { head: 'merchants accepting', numeric: true },
    { head: 'payments', numeric: true },
    { head: 'rejected', numeric: true },
    { head: 'peak minute', numeric: true },
    { head: 'busiest hour by kind, /s simulated' },
  ]
  const rows = outcome.days.map((day) => [
    { text: day.date },
    { text: day.named === undefined ? day.kind : `${day.kind} (${printable(day.named)})` },
    { text: day.weight.toFixed(1) },
    { text: formatShare(day.adoption) },
    { text: formatShare(day.merchantsAccepting) },
    { text: formatInteger(day.payments) },
    { text: formatInteger(day.rejected) },
    { text: formatInteger(day.peakPerMinute) },
    {
      text: Object.entries(day.peakHour.byKind)
        .sort((a, b) => b[1] - a[1])
        .map(([kind, rate]) => `${kind} ${formatRate(rate)}`)
        .join(' · '),
    },
  ])
  return table(columns, rows)
}
