/**
 * Account and transfer batches written as rows, for tests: the columnar batches the ledger takes,
 * built from a few readable objects. No ledger or server is touched by importing this.
 */
import { TransferKind, type AccountBatch, type TransferBatch } from '../../engine/ledger/index.js'

/** 2026-11-23T00:00+08:00, a Monday, in minutes since the epoch. */
export const mondayMinute = Date.parse('2026-11-23T00:00:00+08:00') / 60_000
export const dayMinutes = 24 * 60

export interface AccountRow {
  readonly id: number
  readonly tier?: number
  readonly flags?: number
}

export function accounts(rows: readonly AccountRow[]): AccountBatch {
  return {
    count: rows.length,
    id: Uint32Array.from(rows.map((row) => row.id)),
    tier: Uint8Array.from(rows.map((row) => row.tier ?? 0)),
    flags: Uint8Array.from(rows.map((row) => row.flags ?? 0)),
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
