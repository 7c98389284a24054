/**
 * The whole city paying, end to end: the Shenzhen day widened to three days (Monday to
 * Wednesday, days 23 to 25 of the month, inside every grant's and bill's window) at 4,000
 * residents, on a memory ledger that also notes what it is sent. Every kind of transfer occurs and
 * is accepted; money and the deposit book are conserved; the ledger's reservations are the ones
 * the results leave; two-phase payments are posted and voided; healthcare pairs go all or nothing.
 */
import { promises as fs } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseDocument } from 'yaml'
import {
  MemoryLedger,
  ResultCode,
  TransferFlag,
  TransferKind,
  transferKinds,
  type TransferKindName,
  type TransferBatch,
  type TransferResults,
} from '../../../engine/ledger/index.js'
import type { RunSummary } from '../../../engine/report/index.js'
import {
  defaultScenario,
  runSmoke,
  scenarioFolder,
  type ScenarioFolder,
} from '../../helpers/runs.js'

let folder: ScenarioFolder
beforeAll(async () => {
  folder = await scenarioFolder('services')
})
afterAll(async () => {
  await folder.remove()
})

const residents = 4_000

/**
 * The Shenzhen day over three days. Parcels come 0 to 2 days after purchase instead of 1 to 3: a
 * return's void comes two days after delivery, and with the shipped days none would fall inside
 * three days. A quarter are returned instead of 8%, so that the few purchases whose return does
 * fall inside (those of the first day, delivered that day) make more than a handful of voids.
 */
async function threeDays(): Promise<string> {
  const document = parseDocument(await fs.readFile(defaultScenario, 'utf8'))
  document.setIn(['period', 'to'], '2026-11-26T00:00:00+08:00')
  document.setIn(['services', 'online', 'deliveryDays'], [0, 2])
  document.setIn(['services', 'online', 'returnShare'], 0.25)
  return folder.write('shenzhen-three-days.yaml', document.toString())
}

/** What the ledger was sent, beyond the summary: calls, healthcare pairs, bills by payee. */
interface Noted {
  /** Calls whose last transfer is linked to a next one the call does not hold. */
  callsEndingLinked: number
  /** Linked pairs by outcome: both applied, neither, or one alone (never, if all or nothing). */
  pairsApplied: number
  pairsRefused: number
  pairsSplit: number
  /** Bills submitted, by payee account: how many, and their fen. */
  readonly bills: Map<number, { count: number; fen: number; accepted: number }>
}

/** The memory ledger, noting what it is sent; it changes nothing. */
class NotingLedger extends MemoryLedger {
  readonly noted: Noted = {
    callsEndingLinked: 0,
    pairsApplied: 0,
    pairsRefused: 0,
    pairsSplit: 0,
    bills: new Map(),
  }

  override async submit(batch: TransferBatch): Promise<TransferResults> {
    const results = await super.submit(batch)
    const { noted } = this
    const { count, flags, kind, credit, amountFen } = batch
    if (count > 0 && ((flags[count - 1] as number) & TransferFlag.linked) !== 0)
      noted.callsEndingLinked += 1
    for (let index = 0; index < count; index++) {
      const ok = results.code[index] === ResultCode.ok
      if (((flags[index] as number) & TransferFlag.linked) !== 0 && index + 1 < count) {
        const nextOk = results.code[index + 1] === ResultCode.ok
        if (ok && nextOk) noted.pairsApplied += 1
        else if (!ok && !nextOk) noted.pairsRefused += 1
        else noted.pairsSplit += 1
      }
      if (kind[index] !== TransferKind.bill) continue
      const payee = credit[index] as number
      const bill = noted.bills.get(payee) ?? { count: 0, fen: 0, accepted: 0 }
      bill.count += 1
      bill.fen += amountFen[index] as number
      if (ok) bill.accepted += 1
      noted.bills.set(payee, bill)
    }
    return results
  }
}

async function run(workers: number): Promise<{ summary: RunSummary; noted: Noted }> {
  let ledger: NotingLedger | undefined
  const summary = await runSmoke(
    { workers, residents, ledgerFactory: (options) => (ledger = new NotingLedger(options)) },
    await threeDays(),
  )
  if (ledger === undefined) throw new Error('the run made no ledger')
  return { summary, noted: ledger.noted }
}

let single: Promise<{ summary: RunSummary; noted: Noted }> | undefined
const oneWorker = () => (single ??= run(1))

describe('three days of the Shenzhen day with every service', () => {
  it('makes every kind of transfer and accepts some of each', async () => {
    // Proves each kind occurs in a real run, the services' among them (grants, levies,
    // healthcare, parking, online escrow) and the evening's (redemptions, and over three days the
    // banks' e-CNY retired), and each has accepted transfers. Programmable money (voucher,
    // recovery) comes with campaigns, which this scenario has none of: it makes none.
    const { summary } = await oneWorker()
    expect(summary.simulated.minutes).toBe(3 * 24 * 60)
    expect(summary.agents.residents).toBe(residents)
    const campaigns: readonly TransferKindName[] = ['voucher', 'recovery']
    for (const kind of transferKinds.filter((name) => !campaigns.includes(name)))
      expect(summary.transfers.byKind[kind].accepted, kind).toBeGreaterThan(0)
    for (const kind of campaigns) expect(summary.transfers.byKind[kind].submitted, kind).toBe(0)
  })

  it('pays bills to each utility by its own median', async () => {
    // Proves bills go by payee, replacing the one median bill: each of the five utilities is paid
    // and accepts bills, and the bills' mean amounts rank as the payees' medians do (power 200,
    // water 50, gas 60, telecoms 100, property 300 yuan; utilities are opened in the scenario's
    // order, so in account order).
    const { noted } = await oneWorker()
    const payees = [...noted.bills.entries()].sort(([a], [b]) => a - b)
    expect(payees).toHaveLength(5)
    for (const [payee, bill] of payees) expect(bill.accepted, `payee ${payee}`).toBeGreaterThan(0)
    const means = payees.map(([, bill]) => bill.fen / bill.count)
    const rank = (values: readonly number[]) =>
      values.map((value) => values.filter((other) => other < value).length)
    expect(rank(means)).toEqual(rank([20_000, 5_000, 6_000, 10_000, 30_000]))
  })

  it('conserves money and keeps the deposit book', async () => {
    // Proves the end-of-run audit holds with the services on: balances add up to issued less
    // retired, none is negative, and each bank's deposits are what they opened with less what
    // became e-CNY plus what came back.
    const { conservation } = (await oneWorker()).summary
    expect(conservation.ok).toBe(true)
    expect(conservation.negativeBalances).toBe(0)
    expect(conservation.balancesFen).toBe(conservation.issuedFen - conservation.redeemedFen)
    expect(conservation.deposits?.ok).toBe(true)
  })

  it('holds at the end the reservations the results leave, as the mix counts them', async () => {
    // Proves the double entry with reservations: the ledger's debits and credits agree by kind,
    // and it still holds parcels and cars not yet settled (pendingFen > 0), as many as the
    // payment mix's reservations less its posts and voids, summed over parking and online, and
    // the fen the counters expect.
    const { doubleEntry, mix } = (await oneWorker()).summary
    expect(doubleEntry.ok).toBe(true)
    expect(doubleEntry.pendingFen).toBeGreaterThan(0)
    expect(doubleEntry.pendingExpectedFen).toBe(doubleEntry.pendingFen)
    const twoPhase = mix?.twoPhase ?? {}
    expect(Object.keys(twoPhase).sort()).toEqual(['online', 'parking'])
    const held = Object.values(twoPhase).reduce((sum, figures) => sum + figures.held, 0)
    expect(held).toBeGreaterThan(0)
    expect(doubleEntry.pendingHeld).toBe(held)
  })

  it('posts and voids parking sessions and online purchases', async () => {
    // Proves both ends of two-phase payments happen: exits post what a stay cost or void a free
    // one, deliveries post an escrow and returns void it; what the posts settled is the money the
    // ledger counted under each kind.
    const { mix, doubleEntry } = (await oneWorker()).summary
    for (const kind of ['parking', 'online'] as const) {
      const figures = mix?.twoPhase[kind]
      expect(figures?.posted, kind).toBeGreaterThan(0)
      expect(figures?.voided, kind).toBeGreaterThan(0)
      expect(figures?.expired, kind).toBe(0)
      expect(figures?.postedFen, kind).toBe(doubleEntry.byKind[kind].debitsFen)
    }
  })

  it('takes healthcare pairs all or nothing, and refuses both when a patient cannot pay', async () => {
    // Proves healthcare's linked pairs in a real run: some patients cannot pay their part and the
    // fund's part fails with it (linked_event_failed); no pair ever applies in part, and no call
    // ends inside a pair; health's debits equal its credits and what was accepted.
    const { summary, noted } = await oneWorker()
    expect(summary.transfers.byReason.linked_event_failed ?? 0).toBeGreaterThan(0)
    expect(noted.pairsApplied).toBeGreaterThan(0)
    expect(noted.pairsRefused).toBeGreaterThan(0)
    expect(noted.pairsSplit).toBe(0)
    expect(noted.callsEndingLinked).toBe(0)
    const health = summary.doubleEntry.byKind.health
    expect(health.debitsFen).toBeGreaterThan(0)
    expect(health.debitsFen).toBe(health.creditsFen)
    expect(health.debitsFen).toBe(health.acceptedFen)
  })

  it('pays by every channel and provider, and through every bank’s app', async () => {
    // Proves the mix sees how the city paid: QR, tap, gate, auto-debit, online, face and
    // credit each carry accepted payments, as do the e-CNY app, the banks' apps (each bank's),
    // third-party apps, cards and institutions.
    const mix = (await oneWorker()).summary.mix
    for (const [channel, figures] of Object.entries(mix?.byChannel ?? {}))
      expect(figures.accepted, channel).toBeGreaterThan(0)
    for (const [provider, figures] of Object.entries(mix?.byProvider ?? {}))
      expect(figures.accepted, provider).toBeGreaterThan(0)
    expect(mix?.bankApps.map((bank) => bank.bank)).toEqual([
      'ICBC',
      'ABC',
      'BOC',
      'CCB',
      'BOCOM',
      'PSBC',
    ])
    for (const bank of mix?.bankApps ?? []) expect(bank.accepted, bank.bank).toBeGreaterThan(0)
  })

  it('gives the same digest and figures with 1 and 3 workers', async () => {
    // Proves pending ids, deferred posts and voids and linked pairs depend on the segments, not on
    // the threads: the digest, the transfers, the mix and the audit are the same.
    const { summary: one } = await oneWorker()
    const { summary: three } = await run(3)
    expect(three.digest).toBe(one.digest)
    expect(three.transfers).toEqual(one.transfers)
    expect(three.mix).toEqual(one.mix)
    expect(three.doubleEntry).toEqual(one.doubleEntry)
    expect(three.conservation).toEqual(one.conservation)
  })
})
