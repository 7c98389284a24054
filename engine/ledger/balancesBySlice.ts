/** Reading many balances through the ledger interface a slice at a time: memory stays one slice. */
import { lookupBatchMax } from '../limits.js'
import type { LedgerCore } from './ledgerCore.js'

/**
 * Looks up the balances of `count` accounts, the i-th being `accountAt(i)`, at most `sliceMax`
 * (default `lookupBatchMax`) a call, and hands each slice's balances on in order.
 */
export async function balancesBySlice(
  ledger: LedgerCore,
  count: number,
  accountAt: (index: number) => number,
  use: (from: number, balances: Float64Array) => Promise<void> | void,
  sliceMax = lookupBatchMax,
): Promise<void> {
  const ids = new Uint32Array(Math.min(count, sliceMax))
  for (let from = 0; from < count; from += sliceMax) {
    const length = Math.min(count - from, sliceMax)
    for (let index = 0; index < length; index++) ids[index] = accountAt(from + index)
    await use(from, (await ledger.lookup(ids.subarray(0, length))).balanceFen)
  }
}

/** The balances of a few accounts, in one array. */
export async function lookupAll(ledger: LedgerCore, ids: Uint32Array): Promise<Float64Array> {
  const out = new Float64Array(ids.length)
  await balancesBySlice(
    ledger,
    ids.length,
    (index) => ids[index] as number,
    (from, balances) => {
      out.set(balances, from)
    },
  )
  return out
}
