/**
 * What became of an accepted transfer, as the server ledgers store it: the first byte of a redis
 * record, the `state` column of the postgres `transfers` table. A plain transfer, a post and a
 * void are `applied` and never change again; a pending one stays `pending` until it is posted,
 * voided or expires. Stored, so never renumbered.
 */
export const TransferState = { applied: 1, pending: 2, posted: 3, voided: 4, expired: 5 } as const
export type TransferStateName = keyof typeof TransferState
