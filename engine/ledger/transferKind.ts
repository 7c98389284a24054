/**
 * What a transfer is for. Stored as a Uint8 in transfer batches; the names are what reports show.
 *   issue    central bank -> operating bank (new e-CNY)
 *   topup    operating bank -> wallet (a deposit turned into e-CNY)
 *   retail   resident or visitor -> merchant (P2M: by QR code, tap or face)
 *   transit  rider -> transit operator (metro fare)
 *   bill     resident -> utility
 *   payroll  employer -> resident (B2P)
 *   p2p      resident -> resident
 *   redeem   merchant, operator or utility -> its bank (e-CNY turned back into deposits)
 *   retire   operating bank -> central bank (e-CNY the bank holds beyond its working float)
 *   deposit  the deposit book, apart from the e-CNY: an operating bank's deposit liabilities ->
 *            its customers' deposits (the opening's deposits; deposits made by redemptions), or
 *            back (deposits turned into e-CNY by top-ups)
 *   welfare  treasury -> resident (G2P: pensions, allowances, subsidies)
 *   tax      resident -> treasury (P2G: taxes, administrative fees, fines)
 *   health   patient -> hospital or clinic, and the medical-insurance fund's share, as one linked pair
 *   parking  driver -> parking and toll operator: reserved at entry (pending), settled at exit
 *   online   buyer -> online shop: held in escrow (pending) until delivery, voided on a return
 *   voucher  issuer -> restricted account (a voucher's or red envelope's value paid in)
 *   recovery restricted account -> issuer: what is unspent at a restriction's end, moved by the
 *            ledger itself (no transfer may name it)
 * `issue` and `retire` are the only kinds that touch the central bank; `deposit` the only one
 * that touches the deposit book.
 */
export const transferKinds = [
  'issue',
  'topup',
  'retail',
  'transit',
  'bill',
  'payroll',
  'p2p',
  'redeem',
  'retire',
  'deposit',
  'welfare',
  'tax',
  'health',
  'parking',
  'online',
  'voucher',
  'recovery',
] as const
export type TransferKindName = (typeof transferKinds)[number]

export const TransferKind = {
  issue: 0,
  topup: 1,
  retail: 2,
  transit: 3,
  bill: 4,
  payroll: 5,
  p2p: 6,
  redeem: 7,
  retire: 8,
  deposit: 9,
  welfare: 10,
  tax: 11,
  health: 12,
  parking: 13,
  online: 14,
  voucher: 15,
  recovery: 16,
} as const satisfies Record<TransferKindName, number>

export const transferKindCount = transferKinds.length
