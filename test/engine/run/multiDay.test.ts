import { promises as fs } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseDocument } from 'yaml'
import {
  MemoryLedger,
  TransferKind,
  transferKindCount,
  type LedgerOptions,
  type TransferBatch,
  type TransferResults,
} from '../../../engine/ledger/index.js'
import { minutesPerDay } from '../../../engine/limits.js'
import type { RunSummary } from '../../../engine/report/index.js'
import { localDay } from '../../../engine/time/index.js'
import { offsetMinutes } from '../../../scenarios/schema.js'
import { runSmoke, scenarioFolder, smokeScenario, type ScenarioFolder } from '../../helpers/runs.js'

let folder: ScenarioFolder
beforeAll(async () => {
  folder = await scenarioFolder('days')
})
afterAll(async () => {
  await folder.remove()
})

/** A copy of the smoke scenario with fields set by their path ('period.from'), next to its map. */
async function smokeWith(name: string, fields: Record<string, unknown>): Promise<string> {
  const document = parseDocument(await fs.readFile(smokeScenario, 'utf8'))
  for (const [at, value] of Object.entries(fields)) document.setIn(at.split('.'), value)
  return folder.write(`${name}.yaml`, document.toString())
}

const period = (from: string, to: string) => ({ 'period.from': from, 'period.to': to })

/** Runs shared by several tests, each made once when first needed. */
const made = new Map<string, Promise<unknown>>()
function once<T>(key: string, run: () => Promise<T>): Promise<T> {
  let found = made.get(key)
  if (found === undefined) {
    found = run()
    made.set(key, found)
  }
  return found as Promise<T>
}

/** Per local day of the period and per transfer kind, the transfers submitted and rejected. */
interface DailyFigures {
  readonly submitted: Float64Array[]
  readonly rejected: Float64Array[]
}

/** The memory ledger, counting what it is sent by local day and kind; it changes nothing else. */
class DailyTally extends MemoryLedger {
  readonly daily: DailyFigures = { submitted: [], rejected: [] }
  private readonly cityOffset: number

  constructor(
    options: LedgerOptions,
    private readonly firstDay: number,
  ) {
    super(options)
    this.cityOffset = options.utcOffsetMinutes
  }

  override async submit(batch: TransferBatch): Promise<TransferResults> {
    const results = await super.submit(batch)
    for (let index = 0; index < batch.count; index++) {
      const day = localDay(batch.minute[index] as number, this.cityOffset) - this.firstDay
      const kind = batch.kind[index] as number
      const submitted = (this.daily.submitted[day] ??= new Float64Array(transferKindCount))
      const rejected = (this.daily.rejected[day] ??= new Float64Array(transferKindCount))
      submitted[kind] = (submitted[kind] as number) + 1
      if (results.code[index] !== 0) rejected[kind] = (rejected[kind] as number) + 1
    }
    return results
  }
}

/** Runs a scenario on a tallying memory ledger; `from` is the period's start, for local days. */
async function runTallied(
  file: string,
  from: string,
): Promise<{ summary: RunSummary; daily: DailyFigures }> {
  let tally: DailyTally | undefined
  const firstDay = localDay(Date.parse(from) / 60_000, offsetMinutes(from))
  const summary = await runSmoke(
    { ledgerFactory: (options) => (tally = new DailyTally(options, firstDay)) },
    file,
  )
  if (tally === undefined) throw new Error('the run made no ledger')
  return { summary, daily: tally.daily }
}

const count = (figures: Float64Array | undefined, kind: number) => figures?.[kind] ?? 0
const paymentKinds = [
  TransferKind.retail,
  TransferKind.transit,
  TransferKind.bill,
  TransferKind.p2p,
  TransferKind.topup,
]

/** Rejected share of payments (retail, transit, bill, P2P, top-ups) over a range of days. */
function rejectedShare(
  daily: DailyFigures,
  kinds: readonly number[],
  fromDay: number,
  toDay: number,
): number {
  let submitted = 0
  let rejected = 0
  for (let day = fromDay; day < toDay; day++) {
    for (const kind of kinds) {
      submitted += count(daily.submitted[day], kind)
      rejected += count(daily.rejected[day], kind)
    }
  }
  expect(submitted).toBeGreaterThan(0)
  return rejected / submitted
}

const monday = '2026-11-23T00:00:00+08:00'
/** The shipped smoke scenario: Monday 2026-11-23, one day, +08:00. */
const oneDay = () => once('one day', () => runSmoke())
const eightDays = () =>
  once('eight days', async () =>
    runTallied(await smokeWith('eight-days', period(monday, '2026-12-01T00:00:00+08:00')), monday),
  )
const twentyDays = () =>
  once('twenty days', async () =>
    runTallied(await smokeWith('twenty-days', period(monday, '2026-12-13T00:00:00+08:00')), monday),
  )

describe('eight days from Monday 2026-11-23 at +08:00', () => {
  it('conserves money and reports demand for each of its 192 hours', async () => {
    // Proves a run over a week and a day balances, and the demand curve spans the whole period.
    const { summary } = await eightDays()
    expect(summary.conservation.ok).toBe(true)
    expect(summary.simulated).toEqual({
      from: monday,
      to: '2026-12-01T00:00:00+08:00',
      minutes: 8 * minutesPerDay,
    })
    expect(summary.demand.perHour).toHaveLength(192)
    for (let day = 0; day < 8; day++) {
      const hours = summary.demand.perHour.slice(day * 24, (day + 1) * 24)
      expect(
        hours.reduce((a, b) => a + b, 0),
        `day ${day}`,
      ).toBeGreaterThan(0)
    }
    // Demand counts the payments: every retail, transit, bill, payroll and P2P transfer, and the
    // residents' own daytime top-ups (the rest of the top-ups are the opening's and the evenings').
    const kinds = summary.transfers.byKind
    const payments =
      kinds.retail.submitted +
      kinds.transit.submitted +
      kinds.bill.submitted +
      kinds.payroll.submitted +
      kinds.p2p.submitted
    const demand = summary.demand.perHour.reduce((a, b) => a + b, 0)
    expect(demand).toBeGreaterThan(payments)
    expect(demand).toBeLessThan(payments + kinds.topup.submitted)
  })

  it('pays salaries on the five weekdays and the next Monday, none on Saturday or Sunday', async () => {
    // Proves the weekend follows the calendar across days: payroll stops on days 5 and 6 while
    // shopping goes on.
    const { daily } = await eightDays()
    expect(daily.submitted).toHaveLength(8)
    for (const day of [0, 1, 2, 3, 4, 7]) {
      const accepted =
        count(daily.submitted[day], TransferKind.payroll) -
        count(daily.rejected[day], TransferKind.payroll)
      expect(accepted, `day ${day}`).toBeGreaterThan(0)
    }
    for (const day of [5, 6]) {
      expect(count(daily.submitted[day], TransferKind.payroll), `day ${day}`).toBe(0)
      expect(count(daily.submitted[day], TransferKind.retail), `day ${day}`).toBeGreaterThan(0)
    }
  })

  it('has a quieter Saturday morning rush than Monday’s', async () => {
    // Proves weekend rhythms apply on the right days: 08:00–09:00 on Saturday (hour 128) is below
    // Monday's (hour 8).
    const { perHour } = (await eightDays()).summary.demand
    expect(perHour[5 * 24 + 8]).toBeLessThan((perHour[8] ?? 0) * 0.75)
    expect(perHour[7 * 24 + 8]).toBeGreaterThan((perHour[5 * 24 + 8] ?? 0) * 1.3)
  })
})

describe('twenty days', () => {
  it('rebalances the banks every evening: redemptions each day, and issue and retire both occur', async () => {
    // Proves the end-of-day flows run on every local day, and the central bank both issues and
    // takes back.
    const { summary, daily } = await twentyDays()
    expect(summary.conservation.ok).toBe(true)
    expect(daily.submitted).toHaveLength(20)
    for (let day = 0; day < 20; day++) {
      const figures = daily.submitted[day]
      expect(count(figures, TransferKind.redeem), `day ${day}`).toBeGreaterThan(0)
      expect(
        count(figures, TransferKind.issue) + count(figures, TransferKind.retire),
        `day ${day}`,
      ).toBeGreaterThan(0)
    }
    const { issue, retire } = summary.transfers.byKind
    expect(retire.accepted).toBeGreaterThan(0)
    expect(retire.rejected).toBe(0)
    // Day 0 holds the opening's issuance; an issue on a later day can only be an evening's
    // rebalancing.
    let eveningIssues = 0
    for (let day = 1; day < 20; day++)
      eveningIssues += count(daily.submitted[day], TransferKind.issue)
    expect(eveningIssues).toBeGreaterThan(0)
    expect(issue.accepted).toBe(issue.submitted)
    expect(summary.conservation.redeemedFen).toBe(retire.amountFen)
  })

  it('keeps the top-up rejection share within twice the first day’s', async () => {
    // Proves banks keep funding top-ups over weeks. The opening top-up of each adopted wallet is a
    // top-up too, all accepted: it is taken out, or it would dilute the one-day share five-fold.
    // The evenings' top-ups (nightly wallet top-ups, employers' refills) stay in; they are never
    // rejected.
    const [day, { summary: days }] = [await oneDay(), await twentyDays()]
    const share = (summary: RunSummary) =>
      summary.transfers.byKind.topup.rejected /
      (summary.transfers.byKind.topup.submitted - summary.agents.adopted)
    expect(share(day)).toBeGreaterThan(0)
    expect(share(days)).toBeLessThanOrEqual(2 * share(day))
  })

  it('does not see payment rejections climb late in the period', async () => {
    // Proves wallets reach a steady state: the rejected share of payments over days 15–19 is within
    // a quarter of that over days 5–9, for all payments and for retail alone.
    const { daily } = await twentyDays()
    expect(rejectedShare(daily, paymentKinds, 15, 20)).toBeLessThanOrEqual(
      1.25 * rejectedShare(daily, paymentKinds, 5, 10),
    )
    expect(rejectedShare(daily, [TransferKind.retail], 15, 20)).toBeLessThanOrEqual(
      1.25 * rejectedShare(daily, [TransferKind.retail], 5, 10),
    )
  })

  // Wallets linked to a bank account are topped back up each night (wallets.nightlyTopupBelow), so
  // shoppers do not run dry over weeks: without it the retail rejection share climbed to ~22%.
  it('keeps the retail rejection share within twice the first day’s', async () => {
    // Proves a multi-day run is as usable as a one-day run: shoppers do not run out of e-CNY.
    const [day, { summary: days }] = [await oneDay(), await twentyDays()]
    const share = (summary: RunSummary) =>
      summary.transfers.byKind.retail.rejected / summary.transfers.byKind.retail.submitted
    expect(share(day)).toBeGreaterThan(0)
    expect(share(days)).toBeLessThanOrEqual(2 * share(day))
  })
})

describe('determinism over a partial last hour and a local midnight', () => {
  it.each([
    ['+08:00', '2026-11-23T08:30:00+08:00', '2026-11-24T08:47:00+08:00'],
    ['-05:00', '2026-11-23T08:30:00-05:00', '2026-11-24T08:47:00-05:00'],
  ])(
    'gives the same digest with 1 and 3 workers at %s over 1457 minutes from 08:30',
    async (offset, from, to) => {
      // Proves chunking does not leak into results when the last chunk is 17 ticks and a day ends
      // mid-run.
      const file = await smokeWith(`partial${offset}`, period(from, to))
      const one = await runSmoke({ workers: 1 }, file)
      const three = await runSmoke({ workers: 3 }, file)
      expect(one.simulated).toEqual({ from, to, minutes: 1457 })
      expect(one.demand.perHour).toHaveLength(25)
      expect(one.conservation.ok).toBe(true)
      expect(three.digest).toBe(one.digest)
      expect(three.transfers).toEqual(one.transfers)
      expect(three.demand).toEqual(one.demand)
      expect(three.conservation).toEqual(one.conservation)
      // The day ends at local midnight mid-run, then again at the end: two sweeps of takings.
      expect(one.transfers.byKind.redeem.submitted).toBeGreaterThan(one.agents.merchants)
    },
  )
})

describe('local time', () => {
  it('puts the demand peak in the local evening at -05:00, as at +08:00', async () => {
    // Proves the rhythm follows the city's clock: starting at local midnight, the same seed gives
    // the same hourly demand whatever the offset. Following UTC, the peak would move 13 hours (to
    // ~13:40 local).
    const west = await runSmoke(
      {},
      await smokeWith('west', period('2026-11-23T00:00:00-05:00', '2026-11-24T00:00:00-05:00')),
    )
    const east = await oneDay()
    expect(west.conservation.ok).toBe(true)
    expect(west.demand.peakAt).toMatch(/^2026-11-23T\d{2}:\d{2}:00-05:00$/)
    const hour = Number(west.demand.peakAt.slice(11, 13))
    expect(hour).toBeGreaterThanOrEqual(17)
    expect(hour).toBeLessThan(20)
    expect(west.demand.perHour).toEqual(east.demand.perHour)
    expect(west.demand.peakAt.slice(0, 19)).toBe(east.demand.peakAt.slice(0, 19))
    expect(west.demand.perHour[3]).toBeLessThan((west.demand.perHour[hour] ?? 0) / 10)
  })
})

describe('tiny populations', () => {
  it('runs a city of one resident', async () => {
    // Proves the smallest population plans, runs and balances.
    const summary = await runSmoke({ residents: 1 })
    expect(summary.agents.residents).toBe(1)
    expect(summary.conservation.ok).toBe(true)
    expect(summary.conservation.negativeBalances).toBe(0)
    expect(summary.demand.perHour).toHaveLength(24)
  })

  it('runs a city where nobody has adopted e-CNY, with no retail at all', async () => {
    // Proves zero adoption is a valid, quiet run: no wallets, so no payments, and still balanced.
    const summary = await runSmoke({}, await smokeWith('no-adoption', { 'adoption.share': 0 }))
    expect(summary.agents.residents).toBeGreaterThan(1000)
    expect(summary.agents.adopted).toBe(0)
    expect(summary.conservation.ok).toBe(true)
    expect(summary.transfers.byKind.retail.submitted).toBe(0)
    expect(summary.transfers.byKind.p2p.submitted).toBe(0)
    expect(summary.transfers.byKind.transit.submitted).toBe(0)
    expect(summary.transfers.rejected).toBe(0)
  })
})
