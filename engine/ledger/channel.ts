/**
 * How a transfer was paid, as one byte a run keeps beside each transfer (no ledger is sent it):
 * the channel in the low four bits, the wallet provider in the high four.
 *
 *   channel    qr        a phone scans the merchant's code, or the merchant scans the phone's
 *              nfc       a hard wallet (a card) or a phone tapped on a terminal
 *              gate      a transit gate, tapped in and out
 *              autoDebit debited without interaction: bills, parking and tolls (无感支付)
 *              online    in an app or on a web page: online shops, government services
 *              face      face payment at a terminal
 *              credit    paid into a wallet: salaries, grants, top-ups, transfers between people
 *   provider   ecnyApp   the e-CNY app of the central bank
 *              bankApp   the resident's operating bank's own app (their bank names which)
 *              thirdParty an app paying through the unified QR code (互联互通)
 *              card      a hard wallet
 *              institution an institution's own account (banks, employers, the treasury)
 * Stored in summaries by name; the numbers are only the byte's.
 */
export const channels = ['qr', 'nfc', 'gate', 'autoDebit', 'online', 'face', 'credit'] as const
export type ChannelName = (typeof channels)[number]
export const Channel = {
  qr: 0,
  nfc: 1,
  gate: 2,
  autoDebit: 3,
  online: 4,
  face: 5,
  credit: 6,
} as const satisfies Record<ChannelName, number>

export const providers = ['ecnyApp', 'bankApp', 'thirdParty', 'card', 'institution'] as const
export type ProviderName = (typeof providers)[number]
export const Provider = {
  ecnyApp: 0,
  bankApp: 1,
  thirdParty: 2,
  card: 3,
  institution: 4,
} as const satisfies Record<ProviderName, number>

export const channelCount = channels.length
export const providerCount = providers.length

/** The byte for a channel and a provider. */
export function channelByte(channel: number, provider: number): number {
  return channel | (provider << 4)
}

/** An institution paying in: salaries, grants. */
export const institutionChannel = channelByte(Channel.credit, Provider.institution)

export function channelOf(byte: number): number {
  return byte & 0xf
}

export function providerOf(byte: number): number {
  return byte >> 4
}
