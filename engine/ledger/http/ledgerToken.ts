/**
 * The token of an HTTP ledger service. Every request carries it (`Authorization: Bearer <token>`)
 * and the reference server refuses one that does not before it looks at anything else: a port on
 * 127.0.0.1 is not private, every user and process of the machine can reach it, and whoever reaches
 * an open ledger can read balances, mint money with an `issue` and replace the ledger.
 *
 * The comparison is over SHA-256 digests of the two tokens, in constant time: neither the time it
 * takes nor where it stops tells a caller how much of a guess was right, or how long the token is.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { UserError } from '../../errors.js'
import { ledgerTokenCharsMax, ledgerTokenCharsMin } from '../../limits.js'

/** The environment variable that holds the token, for the server and the client alike. */
export const ledgerTokenVariable = 'CITYTWIN_LEDGER_TOKEN'
export const authorizationHeaderName = 'authorization'

/** Visible ASCII only: a token travels in a header, and is pasted from a terminal. */
const tokenPattern = new RegExp(`^[\\x21-\\x7e]{${ledgerTokenCharsMin},${ledgerTokenCharsMax}}$`)
/** 24 random bytes: 192 bits, 32 characters of base64url. */
const generatedTokenBytes = 24

/**
 * The token given by `flag` or, failing that, by the environment variable (which, unlike a flag,
 * other users cannot read in the process list); undefined when neither is. `flagName` is how an
 * error names the flag.
 */
export function ledgerTokenFrom(
  flag: string | undefined,
  environment: string | undefined,
  flagName: string,
): string | undefined {
  const fromFlag = flag !== undefined
  const token = fromFlag ? flag : environment === '' ? undefined : environment
  if (token === undefined) return undefined
  if (!tokenPattern.test(token)) {
    throw new UserError(
      `${fromFlag ? flagName : ledgerTokenVariable}: a token is ${ledgerTokenCharsMin} to ${ledgerTokenCharsMax} visible ASCII characters (no spaces)`,
    )
  }
  return token
}

/**
 * A fresh token for a server started without one. A secret, not simulation randomness: the crypto
 * source.
 */
export function generateLedgerToken(): string {
  return randomBytes(generatedTokenBytes).toString('base64url')
}

/** The header value a client sends. */
export function bearer(token: string): string {
  return `Bearer ${token}`
}

/** The server's side: does a request's Authorization header carry the token? */
export class TokenCheck {
  private readonly digest: Buffer

  constructor(token: string) {
    if (!tokenPattern.test(token))
      throw new UserError(
        `a ledger token is ${ledgerTokenCharsMin} to ${ledgerTokenCharsMax} visible ASCII characters`,
      )
    this.digest = sha256(token)
  }

  matches(header: string | string[] | undefined): boolean {
    if (typeof header !== 'string') return false
    // The scheme is case-insensitive (RFC 9110); anything but one token after it is not ours.
    const match = /^bearer +([\x21-\x7e]+) *$/i.exec(header)
    // A malformed header is digested too, so its refusal takes the same time as a wrong token's.
    return timingSafeEqual(sha256(match?.[1] ?? header), this.digest) && match !== null
  }
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest()
}
