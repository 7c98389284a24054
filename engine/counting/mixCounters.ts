/**
 * How the city paid: its payments by channel and by wallet provider (the banks' apps each apart),
 * and its two-phase payments (parking, online escrow) by kind: reserved, posted, voided, still
 * held. Counted from the city's payment calls only, as the ledger answered them.
 *
 * A payment is a plain transfer or a pending one (a reservation); its value is what moved: a plain
 * transfer's amount, or what the post of a reservation settled. A post or void is not a payment
 * of its own: it adds its value to the one it settles, under its own channel.
 */
import {
  ResultCode,
  TransferFlag,
  transferKindCount,
  transferKinds,
  type TransferBatch,
  type TransferKindName,
} from '../ledger/index.js'
import {
  Channel,
  Provider,
  channelCount,
  channelOf,
  channels,
  providerCount,
  providerOf,
  providers,
  type ChannelName,
  type ProviderName,
} from '../ledger/channel.js'
import type { Population } from '../population/index.js'
import type { AccountLayout } from '../plan/plan.js'

export interface MixFigures {
  readonly payments: number
  readonly accepted: number
  /** What moved, fen. */
  readonly amountFen: number
}

export interface TwoPhaseFigures {
  /** Reservations accepted. */
  readonly reserved: number
  readonly posted: number
  readonly voided: number
  /** Still held at the end (or seen expired: `reserved − posted − voided − expired`). */
  readonly held: number
  readonly expired: number
  /** What the posts settled, fen. */
  readonly postedFen: number
}

export interface PaymentMix {
  readonly byChannel: Record<ChannelName, MixFigures>
  readonly byProvider: Record<ProviderName, MixFigures>
  /** The banks' apps, by the payer's bank (in the scenario's order of banks). */
  readonly bankApps: readonly ({ readonly bank: string } & MixFigures)[]
  /** Kinds with reservations only. */
  readonly twoPhase: Partial<Record<TransferKindName, TwoPhaseFigures>>
  /** Cross-border visitors, when the scenario has them: their own line beside the residents'. */
  readonly visitors?: VisitorFigures
}

export interface VisitorFigures {
  /** Visitors whose foreign-card top-up was accepted (each tops up once, on arrival). */
  readonly arrived: number
  readonly topupFen: number
  /** Their payments at merchants. */
  readonly payments: number
  readonly accepted: number
  readonly amountFen: number
}

const settles = TransferFlag.postPending | TransferFlag.voidPending

/** Three columns of figures: payments, accepted, fen. */
class Cells {
  readonly payments: Float64Array
  readonly accepted: Float64Array
  readonly amountFen: Float64Array
  constructor(count: number) {
    this.payments = new Float64Array(count)
    this.accepted = new Float64Array(count)
    this.amountFen = new Float64Array(count)
  }

  figures(index: number): MixFigures {
    return {
      payments: this.payments[index] as number,
      accepted: this.accepted[index] as number,
      amountFen: this.amountFen[index] as number,
    }
  }
}

export class MixCounters {
  private readonly channels = new Cells(channelCount)
  private readonly providers = new Cells(providerCount)
  private readonly banks: Cells
  private readonly reserved = new Float64Array(transferKindCount)
  private readonly posted = new Float64Array(transferKindCount)
  private readonly voided = new Float64Array(transferKindCount)
  private readonly expired = new Float64Array(transferKindCount)
  private readonly postedFen = new Float64Array(transferKindCount)
  /** Payments by QR code by the payer's home district (the live map's measure). */
  readonly qrByDistrict: Float64Array
  /** Visitors: arrived, top-ups' fen, payments, accepted, accepted fen. */
  private readonly guests = new Float64Array(5)

  constructor(
    private readonly bankNames: readonly string[],
    private readonly accounts: AccountLayout,
    private readonly population: Population,
    districtCount = 0,
  ) {
    this.banks = new Cells(bankNames.length)
    this.qrByDistrict = new Float64Array(districtCount)
  }

  /** Visitors arrived so far (their top-ups accepted): the live map's count. */
  get visitorsArrived(): number {
    return this.guests[0] as number
  }

  /** Payments so far by channel (indexed by Channel), as a copy: the live map's mix. */
  channelPayments(): Float64Array {
    return this.channels.payments.slice()
  }

  count(batch: TransferBatch, code: Uint8Array): void {
    const channelBytes = batch.channel
    if (channelBytes === undefined) return
    const { residentFirst, visitorCount } = this.accounts
    for (let index = 0; index < batch.count; index++) {
      if (visitorCount > 0) this.visitor(batch, index, code[index] === ResultCode.ok)
      const byte = channelBytes[index] as number
      const flags = batch.flags[index] as number
      const ok = code[index] === ResultCode.ok
      const kind = batch.kind[index] as number
      let payment = 1
      // A post of 0 posts the whole reservation (ledgerCore.ts).
      const amountFen = (batch.amountFen[index] as number) || (batch.heldFen?.[index] ?? 0)
      let movedFen = ok ? amountFen : 0
      if ((flags & settles) !== 0) {
        payment = 0
        this.settled(kind, flags, code[index] as number, movedFen)
        if ((flags & TransferFlag.voidPending) !== 0) movedFen = 0
      } else if ((flags & TransferFlag.pending) !== 0) {
        movedFen = 0
        if (ok) this.reserved[kind] = (this.reserved[kind] as number) + 1
      }
      const accepted = ok ? payment : 0
      this.add(this.channels, channelOf(byte), payment, accepted, movedFen)
      const provider = providerOf(byte)
      this.add(this.providers, provider, payment, accepted, movedFen)
      const payer = batch.debit[index] as number
      if (payment === 1 && channelOf(byte) === Channel.qr && payer >= residentFirst) {
        const home = this.population.home[payer - residentFirst] as number
        this.qrByDistrict[home] = (this.qrByDistrict[home] as number) + 1
      }
      if (provider === Provider.bankApp && payer >= residentFirst) {
        const bank = this.population.bank[payer - residentFirst] as number
        this.add(this.banks, bank, payment, accepted, movedFen)
      }
    }
  }

  figures(): PaymentMix {
    const byChannel = Object.fromEntries(
      channels.map((name, index) => [name, this.channels.figures(index)]),
    ) as Record<ChannelName, MixFigures>
    const byProvider = Object.fromEntries(
      providers.map((name, index) => [name, this.providers.figures(index)]),
    ) as Record<ProviderName, MixFigures>
    const twoPhase: Partial<Record<TransferKindName, TwoPhaseFigures>> = {}
    transferKinds.forEach((name, kind) => {
      const reserved = this.reserved[kind] as number
      if (reserved === 0) return
      const posted = this.posted[kind] as number
      const voided = this.voided[kind] as number
      const expired = this.expired[kind] as number
      twoPhase[name] = {
        reserved,
        posted,
        voided,
        expired,
        held: reserved - posted - voided - expired,
        postedFen: this.postedFen[kind] as number,
      }
    })
    const [arrived, topupFen, payments, accepted, amountFen] = this.guests as unknown as number[]
    return {
      byChannel,
      byProvider,
      bankApps: this.bankNames.map((bank, index) => ({ bank, ...this.banks.figures(index) })),
      twoPhase,
      ...(this.accounts.visitorCount === 0
        ? {}
        : {
            visitors: {
              arrived: arrived as number,
              topupFen: topupFen as number,
              payments: payments as number,
              accepted: accepted as number,
              amountFen: amountFen as number,
            },
          }),
    }
  }

  /** A visitor's top-up or payment, if the transfer is one. */
  private visitor(batch: TransferBatch, index: number, ok: boolean): void {
    const { visitorFirst, visitorCount } = this.accounts
    const amount = batch.amountFen[index] as number
    const guests = this.guests
    if (((batch.credit[index] as number) - visitorFirst) >>> 0 < visitorCount) {
      if (!ok) return
      guests[0] = (guests[0] as number) + 1
      guests[1] = (guests[1] as number) + amount
    } else if (((batch.debit[index] as number) - visitorFirst) >>> 0 < visitorCount) {
      guests[2] = (guests[2] as number) + 1
      if (!ok) return
      guests[3] = (guests[3] as number) + 1
      guests[4] = (guests[4] as number) + amount
    }
  }

  private settled(kind: number, flags: number, code: number, amountFen: number): void {
    if (code === ResultCode.pending_expired) {
      this.expired[kind] = (this.expired[kind] as number) + 1
    } else if (code !== ResultCode.ok) return
    else if ((flags & TransferFlag.voidPending) !== 0) {
      this.voided[kind] = (this.voided[kind] as number) + 1
    } else {
      this.posted[kind] = (this.posted[kind] as number) + 1
      this.postedFen[kind] = (this.postedFen[kind] as number) + amountFen
    }
  }

  private add(cells: Cells, at: number, payment: number, accepted: number, fen: number): void {
    cells.payments[at] = (cells.payments[at] as number) + payment
    cells.accepted[at] = (cells.accepted[at] as number) + accepted
    cells.amountFen[at] = (cells.amountFen[at] as number) + fen
  }
}
