/**
 * A real http ledger server over the memory ledger, made to misbehave on purpose: `change` swaps
 * any of the ledger's calls (one that lies in its totals, one that takes the server down after a
 * few submits). For tests of what a run does when its ledger fails; close what it returns.
 */
import {
  createLedger,
  LedgerServer,
  type LedgerCore,
  type LedgerOptions,
} from '../../engine/ledger/index.js'

/** The token the server wants: give it to a run as `--ledger-token`. */
export const misbehavingLedgerToken = 'misbehaving-ledger-token'

export async function misbehavingLedger(
  change: (ledger: LedgerCore, server: () => LedgerServer) => Partial<LedgerCore>,
): Promise<LedgerServer> {
  // The changes may reach the server (to take it down), which exists once start returns.
  const started: { server?: LedgerServer } = {}
  started.server = await LedgerServer.start({
    host: '127.0.0.1',
    port: 0,
    token: misbehavingLedgerToken,
    backend: (options: LedgerOptions) => {
      const ledger = createLedger('memory', options)
      const changed = change(ledger, () => started.server as LedgerServer)
      return {
        name: 'memory',
        open: () => ledger.open(),
        createAccounts: (batch) => ledger.createAccounts(batch),
        submit: (batch) => ledger.submit(batch),
        lookup: (ids) => ledger.lookup(ids),
        totals: () => ledger.totals(),
        close: () => ledger.close(),
        ...changed,
      }
    },
  })
  return started.server
}

/**
 * Changes that make a ledger fail: it goes away after `submits` submits, or its totals carry one
 * fen too many.
 */
export const failures = {
  goneAfter(submits: number) {
    let made = 0
    return (ledger: LedgerCore, server: () => LedgerServer): Partial<LedgerCore> => ({
      submit: (batch) => {
        made += 1
        // The service dies mid-run: every connection dropped, the port closed.
        if (made === submits) void server().close()
        return ledger.submit(batch)
      },
    })
  },
  unbalanced: (ledger: LedgerCore): Partial<LedgerCore> => {
    return {
      totals: async () => {
        const totals = await ledger.totals()
        // One fen more on the debit side of the first kind than was ever posted.
        totals.debitsFen[0] = (totals.debitsFen[0] as number) + 1
        return totals
      },
    }
  },
}
