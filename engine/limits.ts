/**
 * Every bound in the engine, in one place. A queue, a batch, a loop or an input that has no
 * named bound here is a bug. Relations between bounds are asserted at the bottom, at load time.
 */
import { assert } from './assert.js'

// Untrusted input: scenario files and the maps they name.
export const scenarioBytesMax = 1024 * 1024
export const mapBytesMax = 16 * 1024 * 1024
export const yamlAliasCountMax = 64
export const yamlDepthMax = 24
export const yamlFlowDepthMax = 64
/** Block nesting estimated from indentation before parsing (the parser recurses); looser than yamlDepthMax, which is exact. */
export const yamlScanDepthMax = 64
export const mapFeaturesMax = 255
export const mapRingVerticesMax = 200_000

// City and population.
export const districtsMax = 255 // district index is a Uint8
export const residentsMax = 40_000_000
export const merchantsMax = 4_000_000
export const banksMax = 32
export const utilitiesMax = 16
export const merchantCategoriesMax = 16
export const walletTiersMax = 8
export const metroLinksPerStationMax = 3

// Load (open model, wall time).
/** Highest target rate a profile may ask for, transfers per second. */
export const loadTpsMax = 20_000_000
/** Longest load profile, milliseconds (a day). */
export const loadDurationMsMax = 24 * 60 * 60 * 1000
/** Segments of one profile (a `steps` profile has one per step). */
export const profileSegmentsMax = 256
/** Trials one capacity search may run (each is a sustained window at one rate). */
export const capacityTrialsMax = 40
/** Calls a load run may have outstanding at once (`--in-flight`); the default is `loadInFlightDefault`. */
export const loadInFlightMax = 4096
export const loadInFlightDefault = 64
/**
 * The default for a ledger reached over a network, which applies one call at a time: one call
 * applied, one on its way, and what falls due meanwhile gathers into the next call. More would
 * only queue small calls behind each other.
 */
export const loadInFlightNetworkedDefault = 2

/** The default bound on calls outstanding for the ledger named `ledger` (undefined: the memory ledger). */
export function loadInFlightDefaultFor(ledger: string | undefined): number {
  return ledger === undefined || ledger === 'memory' ? loadInFlightDefault : loadInFlightNetworkedDefault
}
/** Characters of one threshold. */
export const thresholdTextMax = 200
/** Thresholds one run may check. */
export const thresholdsMax = 64
/** Characters of a profile written on the command line or in a scenario. */
export const profileTextMax = 4096

// Output.
/** Names tried for a default run folder (`-2`, `-3`, ...) before giving up. */
export const runFolderAttemptsMax = 100

// Simulated time.
export const tickMinutes = 1
export const minutesPerDay = 24 * 60
export const simulatedDaysMax = 366

/**
 * The population is cut into this many segments whatever the number of worker threads, so the
 * random streams (one per segment) and therefore every result are the same with 1 or 64 workers.
 */
export const segmentCount = 64
export const workersMax = 64

/** Ticks generated per worker task: one simulated hour of one segment. */
export const ticksPerChunk = 60
/** Chunks in flight ahead of the ledger: bounds memory held by finished but unapplied work. */
export const chunksInFlightMax = 2

// Ledger.
/**
 * Most money one run may put into circulation, fen (about 22 trillion yuan). Balances and totals
 * are integers held in float64, exact below 2^53: this leaves a factor of 4 for sums of flows.
 */
export const moneyFenMax = 2 ** 51
/** Transfers per ledger call: one tick's transfers go in batches of at most this many. */
export const transferBatchMax = 1 << 16
/** Largest single transfer: amounts travel in Uint32 columns. */
export const transferAmountFenMax = 0xffff_ffff
/** Accounts looked up per ledger call (end-of-day redemptions, the audit). */
export const lookupBatchMax = 1 << 16
/**
 * Under load, the evenings' calls (lookups, then redemptions and top-ups) go a slice of this many
 * accounts at a time: they share the ledger's one queue with the payments, and a payment's call
 * waits behind at most one of them.
 */
export const eveningSliceUnderLoad = 1 << 12
/** Transfer ids are Uint32 in v1; a run that would need more stops with a clear error. */
export const transfersPerRunMax = 0xffff_ffff
/** What a scenario may plan: half the id space, leaving room for chance, openings and end-of-day transfers. */
export const expectedTransfersMax = Math.floor(transfersPerRunMax / 2)
export const accountsMax = residentsMax + merchantsMax + 1024
/** Pending (two-phase) transfers the memory ledger holds at once, unless its options say fewer. */
export const pendingTransfersMax = 1 << 20
/** Batch slots in the memory ledger's ring: batches in flight between the caller and the ledger's thread. */
export const ringSlots = 4
/** Calls queued behind a full ring (a day's batches handed over at once fit). */
export const ringCallsQueuedMax = 1 << 14
/** Tier limits and reservations travel in Uint32 fields. */
export const tierLimitFenMax = 0xffff_ffff
/** Retries when drawing an agent that satisfies a condition (adopted payee, merchant of a category). */
export const drawAttemptsMax = 32

// The HTTP ledger (docs/http-ledger.md): the client's deadlines and the reference server's bounds.
/**
 * One attempt of an http ledger call, from the request to the last byte of its answer: a service
 * that trickles a byte now and then, or never ends its answer, is cut off here and retried.
 */
export const ledgerAttemptMsMax = 30_000
/**
 * One http ledger call, all its attempts and the pauses between them included (`--ledger-timeout`
 * changes it): past it the call fails for good and the run with it. Room for a service to restart
 * (about 9 s of pauses) and for a few full attempts.
 */
export const ledgerCallMsDefault = 120_000
/** The longest `--ledger-timeout` may ask for. */
export const ledgerCallMsMax = 60 * 60 * 1000
/** A ledger server's token (`--token`, `--ledger-token`, CITYTWIN_LEDGER_TOKEN): visible ASCII, this many characters. */
export const ledgerTokenCharsMin = 8
export const ledgerTokenCharsMax = 256
/**
 * Connections the reference server holds at once (its protocol has one client, which keeps one).
 * At the cap a new connection displaces the one idle longest; one with a request under way is never displaced.
 */
export const ledgerServerConnectionsMax = 8
/** A request's headers must all have come this long after its connection opened, or after the answer before. */
export const ledgerServerHeadersMs = 10_000
/** A whole request, headers and body, must have come this long after it started. */
export const ledgerServerRequestMs = 60_000
/** A kept-alive connection with no request is closed after this long. */
export const ledgerServerKeepAliveMs = 5_000
/** How often the server looks for connections past their headers or request time (Node checks on a timer). */
export const ledgerServerCheckEveryMs = 1_000

// A run's overall bound (engine/run/runBound.ts).
/** Added to every run's bound: opening the ledger, connections, and a busy machine. */
export const runBoundAllowanceMs = 5 * 60 * 1000
/**
 * The slowest a ledger may apply a run's work, transfers and accounts read or opened per second, in
 * the bound of a run: far below any ledger worth load testing (the slowest here do tens of thousands).
 */
export const runLedgerItemsPerSecondMin = 1_000

/** The live map's controls: the highest target rate, clock speed (simulated minutes a wall second) and ledger slowdown a page may ask for. */
export const liveTpsMax = 10_000_000
export const liveSpeedMax = 1440
export const ledgerSlowdownMsMax = 5_000
/** Commands a page may send a second; beyond it they are refused, and the run is not disturbed. */
export const liveCommandsPerSecondMax = 10
/** Pages watching one run at once. */
export const liveClientsMax = 64
/** Snapshots a run's timeline keeps for replay (one a second); a longer run keeps every other one. */
export const timelineSnapshotsMax = 7_200

assert(yamlScanDepthMax >= yamlDepthMax, 'the scan before parsing never refuses what the exact bound allows')
assert(districtsMax <= 0xff, 'district index must fit a Uint8')
assert(banksMax <= 0xff, 'bank index must fit a Uint8')
assert(merchantCategoriesMax <= 0xff, 'merchant category must fit a Uint8')
assert(walletTiersMax < 0xff, 'wallet tier must fit a Uint8, with 0 meaning unlimited')
assert(ticksPerChunk >= 1 && ticksPerChunk <= minutesPerDay, 'a chunk is between one tick and one day')
assert(segmentCount >= workersMax, 'each worker needs at least one segment')
assert(accountsMax < 0xffff_ffff, 'account ids are Uint32')
assert((ringSlots & (ringSlots - 1)) === 0 && ringSlots >= 2, 'ring slots are a power of two, at least two')
assert(lookupBatchMax <= transferBatchMax, 'a lookup fits a ring slot sized for a transfer batch')
assert(pendingTransfersMax * transferAmountFenMax <= Number.MAX_SAFE_INTEGER, 'what pending transfers reserve in all stays an exact integer')
assert(chunksInFlightMax >= 1, 'at least one chunk must be in flight')
assert(ledgerAttemptMsMax <= ledgerCallMsDefault && ledgerCallMsDefault <= ledgerCallMsMax, 'a call has room for at least one whole attempt')
assert(ledgerServerCheckEveryMs < ledgerServerHeadersMs && ledgerServerHeadersMs <= ledgerServerRequestMs, 'the server checks its timeouts more often than they run out')
assert(ledgerTokenCharsMin >= 8 && ledgerTokenCharsMin <= ledgerTokenCharsMax, 'a token has room to be a secret')
