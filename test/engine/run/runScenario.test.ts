import { describe, expect, it } from 'vitest'
import { transferKinds } from '../../../engine/ledger/index.js'
import type { RunSummary } from '../../../engine/report/index.js'
import {
  chengduDayScenario,
  defaultScenario,
  runSmoke,
  suzhouDayScenario,
} from '../../helpers/runs.js'

describe('a simulated day', () => {
  let smoke: RunSummary | undefined
  const smokeRun = async () => (smoke ??= await runSmoke())

  it('conserves money: balances add up to issued − redeemed, none negative', async () => {
    // Proves the end-of-run audit on a real run, and that money actually moved.
    const summary = await smokeRun()
    const { conservation } = summary
    expect(conservation.ok).toBe(true)
    expect(conservation.issuedFen).toBeGreaterThan(0)
    expect(conservation.balancesFen).toBe(conservation.issuedFen - conservation.redeemedFen)
    expect(conservation.negativeBalances).toBe(0)
    expect(summary.transfers.accepted).toBeGreaterThan(0)
  })

  it('produces every payment kind, each with accepted transfers', async () => {
    // Proves retail, transit, bills, payroll and P2P (and issuance, top-ups, redemptions) all
    // occur. `retire` is left out: on a first day the banks' takings rarely exceed their float (see
    // multiDay).
    const summary = await smokeRun()
    // The smoke city has no services section: its kinds are the ones before them. Programmable
    // money (voucher, recovery) comes with campaigns, which it has none of.
    const services = ['welfare', 'tax', 'health', 'parking', 'online', 'voucher', 'recovery']
    for (const kind of transferKinds.filter(
      (name) => name !== 'retire' && !services.includes(name),
    )) {
      expect(summary.transfers.byKind[kind].accepted, kind).toBeGreaterThan(0)
    }
    const sum = transferKinds.reduce(
      (total, kind) => total + summary.transfers.byKind[kind].submitted,
      0,
    )
    expect(sum).toBe(summary.transfers.submitted)
    expect(summary.transfers.accepted + summary.transfers.rejected).toBe(
      summary.transfers.submitted,
    )
  })

  it('rejects payments over a wallet tier limit, counted by reason', async () => {
    // Proves tier limits bite in a real run and rejections are counted by their reason.
    const summary = await smokeRun()
    expect(summary.transfers.byReason.per_payment_limit ?? 0).toBeGreaterThan(0)
    const reasons = Object.values(summary.transfers.byReason).reduce((a, b) => a + b, 0)
    expect(reasons).toBe(summary.transfers.rejected)
  })

  it('follows a daily rhythm: commute and lunch hours are busier than the small hours', async () => {
    // Proves intents depend on the time of day, through the demand curve of the summary.
    const { demand } = await smokeRun()
    expect(demand.perHour).toHaveLength(24)
    const [night, commute, lunch] = [
      demand.perHour[3] ?? 0,
      demand.perHour[8] ?? 0,
      demand.perHour[12] ?? 0,
    ]
    expect(commute).toBeGreaterThan(night * 4)
    expect(lunch).toBeGreaterThan(night * 4)
    expect(demand.peakPerMinute).toBeGreaterThan(0)
    expect(demand.peakAt >= '2026-11-23T06:00' && demand.peakAt < '2026-11-23T21:00').toBe(true)
  })

  it('reports the simulated period and the agents', async () => {
    // Proves the summary names what was simulated.
    const summary = await smokeRun()
    expect(summary.simulated).toEqual({
      from: '2026-11-23T00:00:00+08:00',
      to: '2026-11-24T00:00:00+08:00',
      minutes: 1440,
    })
    expect(summary.agents.residents).toBe(6998)
    expect(summary.agents.merchants).toBeGreaterThan(0)
    expect(summary.agents.riders).toBeGreaterThan(0)
    expect(summary.digest).toMatch(/^[0-9a-f]{64}$/)
  })
})

describe('determinism', () => {
  it('gives the same digest and counts with 1, 2 and 4 workers', async () => {
    // Proves results depend on the seed and the scenario only, not on the number of threads.
    const runs = []
    for (const workers of [1, 2, 4]) runs.push(await runSmoke({ workers }))
    const [one, two, four] = runs as [RunSummary, RunSummary, RunSummary]
    expect(two.digest).toBe(one.digest)
    expect(four.digest).toBe(one.digest)
    expect(two.transfers).toEqual(one.transfers)
    expect(four.transfers).toEqual(one.transfers)
    expect(four.conservation).toEqual(one.conservation)
  })

  it('gives the same digest on the default scenario at 20,000 residents with 1 and 3 workers', async () => {
    // Proves the same on the shipped default scenario, with an odd worker count.
    const one = await runSmoke({ workers: 1, residents: 20_000 }, defaultScenario)
    const three = await runSmoke({ workers: 3, residents: 20_000 }, defaultScenario)
    expect(three.digest).toBe(one.digest)
    expect(three.transfers.byKind).toEqual(one.transfers.byKind)
  })

  it.each([
    ['suzhou-day.yaml', suzhouDayScenario, 9],
    ['chengdu-day.yaml', chengduDayScenario, 20],
  ])(
    'runs %s at 20,000 residents: money conserved, every district paying, the same digest with 1 and 2 workers',
    async (_name, file, districts) => {
      // Proves a city's shipped scenario runs on its own map: the audit holds, each of its
      // districts has residents who pay, and the result depends on neither thread count.
      const one = await runSmoke({ workers: 1, residents: 20_000 }, file)
      const two = await runSmoke({ workers: 2, residents: 20_000 }, file)
      expect(one.agents.residents).toBe(20_000)
      expect(one.conservation.ok).toBe(true)
      expect(one.conservation.negativeBalances).toBe(0)
      expect(one.doubleEntry.ok).toBe(true)
      expect(one.transfers.byKind.retail.accepted).toBeGreaterThan(0)
      expect(one.transfers.byKind.transit.accepted).toBeGreaterThan(0)
      expect(one.districts).toHaveLength(districts)
      for (const district of one.districts) {
        expect(district.payments, district.district).toBeGreaterThan(0)
      }
      expect(two.digest).toBe(one.digest)
      expect(two.transfers).toEqual(one.transfers)
      expect(two.conservation).toEqual(one.conservation)
    },
  )

  it('changes the digest with the seed', async () => {
    // Proves the seed drives the run (a digest that ignored it would match).
    const a = await runSmoke({ seed: 1 })
    const b = await runSmoke({ seed: 2 })
    expect(a.seed).toBe(1)
    expect(b.seed).toBe(2)
    expect(a.digest).not.toBe(b.digest)
  })
})

describe('the audit', () => {
  it('fails the run when a ledger loses money', async () => {
    // Proves the conservation check reads real balances: a ledger that under-reports one balance by
    // 1 fen is caught.
    const { MemoryLedger } = await import('../../../engine/ledger/index.js')
    class LeakyLedger extends MemoryLedger {
      override async lookup(ids: Uint32Array) {
        const balances = await super.lookup(ids)
        // Hide one fen of the first resident-held balance it is asked about.
        const index = balances.balanceFen.findIndex((value, at) => at > 0 && value > 0)
        if (index >= 0) balances.balanceFen[index] = (balances.balanceFen[index] as number) - 1
        return balances
      }
    }
    const summary = await runSmoke({ ledgerFactory: (options) => new LeakyLedger(options) })
    expect(summary.conservation.ok).toBe(false)
    expect(summary.conservation.balancesFen).not.toBe(
      summary.conservation.issuedFen - summary.conservation.redeemedFen,
    )
  })

  it("reports double entry by kind: the ledger's debits, its credits and what its results accepted agree", async () => {
    // Proves the summary carries the ledger's own totals per kind, equal to each other and to the
    // accepted amounts counted from result codes.
    const summary = await runSmoke()
    expect(summary.doubleEntry.ok).toBe(true)
    expect(summary.doubleEntry.pendingFen).toBe(0)
    for (const [kind, sides] of Object.entries(summary.doubleEntry.byKind)) {
      expect(sides.debitsFen, kind).toBe(sides.creditsFen)
      expect(sides.acceptedFen, kind).toBe(
        summary.transfers.byKind[kind as keyof typeof summary.transfers.byKind].amountFen,
      )
    }
    expect(summary.doubleEntry.byKind.retail.debitsFen).toBeGreaterThan(0)
  })

  it('fails the double entry when a ledger posts one side of an entry differently', async () => {
    // Proves the check reads the ledger's own per-kind totals: a ledger reporting one fen more
    // credited for retail than debited is caught.
    const { MemoryLedger, TransferKind } = await import('../../../engine/ledger/index.js')
    class LopsidedLedger extends MemoryLedger {
      override async totals() {
        const totals = await super.totals()
        totals.creditsFen[TransferKind.retail] =
          (totals.creditsFen[TransferKind.retail] as number) + 1
        return totals
      }
    }
    const summary = await runSmoke({ ledgerFactory: (options) => new LopsidedLedger(options) })
    expect(summary.conservation.ok).toBe(true)
    expect(summary.doubleEntry.ok).toBe(false)
    expect(summary.doubleEntry.byKind.retail.creditsFen).toBe(
      summary.doubleEntry.byKind.retail.debitsFen + 1,
    )
  })
})

describe("a day's demand by hour, district and kind", () => {
  it('adds up: every cell is a payment counted in its district and kind, in the hour it was made', async () => {
    // Proves the planners' table (demand.csv, the report's heat-map) is the run's own count: its
    // cells summed by district give each district's payments and accepted, summed by kind give
    // those kinds' figures, and its hours are the period's; the busiest minute lies inside it.
    const summary = await runSmoke()
    const hourly = summary.demand.hourly
    if (hourly === undefined) throw new Error('the summary has no hourly table')
    expect(hourly.districts).toEqual(summary.districts.map((district) => district.district))
    const byDistrict = new Map<string, { payments: number; accepted: number; fen: number }>()
    const byKind = new Map<string, number>()
    for (const [hour, district, kind, payments, accepted, amountFen] of hourly.cells) {
      expect(hour).toBeLessThan(summary.demand.perHour.length)
      expect(accepted).toBeLessThanOrEqual(payments)
      const name = hourly.districts[district] as string
      const sum = byDistrict.get(name) ?? { payments: 0, accepted: 0, fen: 0 }
      byDistrict.set(name, {
        payments: sum.payments + payments,
        accepted: sum.accepted + accepted,
        fen: sum.fen + amountFen,
      })
      const kindName = hourly.kinds[kind] as string
      byKind.set(kindName, (byKind.get(kindName) ?? 0) + payments)
    }
    for (const district of summary.districts)
      expect(byDistrict.get(district.district)).toEqual({
        payments: district.payments,
        accepted: district.accepted,
        fen: district.amountFen,
      })
    for (const kind of ['retail', 'transit', 'bill', 'p2p'] as const)
      expect(byKind.get(kind), kind).toBe(summary.transfers.byKind[kind].submitted)
    // No institutional transfer is a payment of a district.
    for (const kind of ['issue', 'payroll', 'redeem', 'retire'])
      expect(byKind.get(kind)).toBe(undefined)
    // The day's hours, the busiest minute inside them.
    expect(summary.demand.perHour).toHaveLength(24)
    expect(summary.demand.peakAt >= summary.simulated.from).toBe(true)
    expect(summary.demand.peakAt < summary.simulated.to).toBe(true)
    // Morning commute and lunch outrank the small hours in the table too.
    const hourTotals = new Array<number>(24).fill(0)
    for (const [hour, , , payments] of hourly.cells)
      hourTotals[hour] = (hourTotals[hour] ?? 0) + payments
    expect(Math.max(...hourTotals.slice(7, 14))).toBeGreaterThan(
      10 * Math.max(1, hourTotals[3] ?? 0),
    )
  })
})
