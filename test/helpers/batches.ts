/**
 * Account and transfer batches written as rows, for tests: the columnar batches the ledger takes,
 * built from a few readable objects. No ledger or server is touched by importing this.
 */
import {
  TransferKind,
  type AccountBatch,
  type RestrictionBatch,
  type TransferBatch,
} from '../../engine/ledger/index.js'

/** 2026-11-23T00:00+08:00, a Monday, in minutes since the epoch. */
export const mondayMinute = Date.parse('2026-11-23T00:00:00+08:00') / 60_000
export const dayMinutes = 24 * 60

export interface AccountRow {
  readonly id: number
  readonly tier?: number
  readonly flags?: number
  /** A merchant's category and district (0..31). */
  readonly category?: number
  readonly district?: number
  /** A restricted account's restriction and owner. */
  readonly restriction?: number
  readonly owner?: number
}

/** The batch of `rows`; the columns of restricted value only where a row has them. */
export function accounts(rows: readonly AccountRow[]): AccountBatch {
  const has = (field: 'category' | 'district' | 'restriction' | 'owner'): boolean =>
    rows.some((row) => row[field] !== undefined)
  return {
    count: rows.length,
    id: Uint32Array.from(rows.map((row) => row.id)),
    tier: Uint8Array.from(rows.map((row) => row.tier ?? 0)),
    flags: Uint8Array.from(rows.map((row) => row.flags ?? 0)),
    ...(has('category') && { category: Uint8Array.from(rows.map((row) => row.category ?? 0)) }),
    ...(has('district') && { district: Uint8Array.from(rows.map((row) => row.district ?? 0)) }),
    ...((has('restriction') || has('owner')) && {
      restriction: Uint32Array.from(rows.map((row) => row.restriction ?? 0)),
      owner: Uint32Array.from(rows.map((row) => row.owner ?? 0)),
    }),
  }
}

export interface RestrictionRow {
  readonly id: number
  readonly issuer: number
  /** Defaults: every category and district, no minimum, no list. */
  readonly categories?: number
  readonly districts?: number
  readonly minSpendFen?: number
  readonly validFrom: number
  readonly validUntil: number
  readonly merchants?: readonly number[]
}

export function restrictions(rows: readonly RestrictionRow[]): RestrictionBatch {
  const merchantsFrom = new Uint32Array(rows.length + 1)
  rows.forEach((row, index) => {
    merchantsFrom[index + 1] = (merchantsFrom[index] as number) + (row.merchants?.length ?? 0)
  })
  return {
    count: rows.length,
    id: Uint32Array.from(rows.map((row) => row.id)),
    issuer: Uint32Array.from(rows.map((row) => row.issuer)),
    categories: Uint32Array.from(rows.map((row) => row.categories ?? 0xffff_ffff)),
    districts: Uint32Array.from(rows.map((row) => row.districts ?? 0xffff_ffff)),
    minSpendFen: Uint32Array.from(rows.map((row) => row.minSpendFen ?? 0)),
    validFrom: Uint32Array.from(rows.map((row) => row.validFrom)),
    validUntil: Uint32Array.from(rows.map((row) => row.validUntil)),
    merchantsFrom,
    merchants: Uint32Array.from(rows.flatMap((row) => row.merchants ?? [])),
  }
}

export interface TransferRow {
  readonly id: number
  readonly debit: number
  readonly credit: number
  readonly amountFen: number
  readonly kind?: number
  readonly flags?: number
  readonly pendingId?: number
  readonly timeoutMinutes?: number
  /** Defaults to 10:00 local on `mondayMinute`'s day. */
  readonly minute?: number
}

export function transfers(rows: readonly TransferRow[]): TransferBatch {
  return {
    count: rows.length,
    id: Float64Array.from(rows.map((row) => row.id)),
    debit: Uint32Array.from(rows.map((row) => row.debit)),
    credit: Uint32Array.from(rows.map((row) => row.credit)),
    amountFen: Uint32Array.from(rows.map((row) => row.amountFen)),
    kind: Uint8Array.from(rows.map((row) => row.kind ?? TransferKind.p2p)),
    flags: Uint8Array.from(rows.map((row) => row.flags ?? 0)),
    pendingId: Float64Array.from(rows.map((row) => row.pendingId ?? 0)),
    timeoutMinutes: Uint32Array.from(rows.map((row) => row.timeoutMinutes ?? 0)),
    minute: Uint32Array.from(rows.map((row) => row.minute ?? mondayMinute + 600)),
  }
}
