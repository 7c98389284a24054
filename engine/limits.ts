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
/**
 * Block nesting estimated from indentation before parsing (the parser recurses); looser than
 * yamlDepthMax, which is exact.
 */
export const yamlScanDepthMax = 64
/**
 * YAML tokens (scalars, keys, indicators, brackets, commas; not spaces or comments) in a
 * scenario, counted by the lexer before the parser builds a document, which costs about a
 * kilobyte a token. A scenario of 255 districts with every field written has about 6,000.
 */
export const yamlTokensMax = 20_000
export const mapFeaturesMax = 255
/** Positions of one ring. */
export const mapRingVerticesMax = 200_000
/** Positions of the whole map: the largest real map here, Chengdu's 20 districts, has 26,792. */
export const mapVerticesMax = 200_000
/**
 * JSON values (lists, objects, numbers, strings) in a map, counted before it is parsed, so a
 * file of a million tiny lists is refused before they are built. A position takes three.
 */
export const mapJsonValuesMax = 1_000_000
/**
 * Characters of a district id, in the scenario and in the map (the real maps' are six-digit codes).
 */
export const districtIdCharsMax = 32
/**
 * Characters of a name: a scenario's, a district's (in the scenario or the map), a bank's, a
 * utility's.
 */
export const nameCharsMax = 80

// Errors: what a message built from input can grow to.
/** Issues one error lists; the rest are counted ("… and 12 more"). */
export const errorIssuesMax = 40
/** Characters of one line of an error; a longer line is cut, ending in "…". */
export const errorLineCharsMax = 1000
/** Characters of a whole error message, its issues included. */
export const errorMessageCharsMax = 64 * 1024
/** Ids one message lists (the districts a map has); the rest are counted. */
export const messageIdsMax = 10

// City and population.
export const districtsMax = 255 // district index is a Uint8
export const residentsMax = 40_000_000
export const merchantsMax = 4_000_000
export const banksMax = 32
export const utilitiesMax = 16
export const merchantCategoriesMax = 16
export const walletTiersMax = 8
export const metroLinksPerStationMax = 3
/** G2P grants, and P2G levies, a scenario may list each. */
export const governmentFlowsMax = 16
/** Online shops a scenario may have (accounts of their own). */
export const onlineShopsMax = 4096

// A metro network read from a file (city.metro.network): the real stations and lines.
/** Bytes of a network file: the largest here, Chengdu's 353 stations and 17 lines, has 90 KB. */
export const metroNetworkBytesMax = 4 * 1024 * 1024
/** JSON values of a network file, counted before it is parsed (Chengdu's has about 7,300). */
export const metroNetworkJsonValuesMax = 200_000
/**
 * Stations of one network (Chengdu's has 353). Fares and first lines are tables by station pair:
 * at the bound, 2 MiB of Uint16 fares and 1 MiB of Uint8 lines, copied to every worker.
 */
export const metroStationsMax = 1024
/** Lines of one network; a line's index travels as a Uint8, 255 meaning none. */
export const metroLinesMax = 63
/** Stations one line lists (Chengdu's line 6 has 55); a loop lists its first station again last. */
export const metroLineStationsMax = 256
/** Fare bands of a fare rule after its base fare. */
export const metroFareBandsMax = 8
/** A district no station stands in is served by this many stations nearest its centre. */
export const metroNearestStations = 3

// Load (open model, wall time).
/** Highest target rate a profile may ask for, transfers per second. */
export const loadTpsMax = 20_000_000
/** Longest load profile, milliseconds (a day). */
export const loadDurationMsMax = 24 * 60 * 60 * 1000
/** Segments of one profile (a `steps` profile has one per step). */
export const profileSegmentsMax = 256
/** Trials one capacity search may run (each is a sustained window at one rate). */
export const capacityTrialsMax = 40
/**
 * Calls a load run may have outstanding at once (`--in-flight`); the default is
 * `loadInFlightDefault`.
 */
export const loadInFlightMax = 4096
export const loadInFlightDefault = 64
/**
 * The default for a ledger reached over a network, which applies one call at a time: one call
 * applied, one on its way, and what falls due meanwhile gathers into the next call. More would
 * only queue small calls behind each other.
 */
export const loadInFlightNetworkedDefault = 2

/**
 * The default bound on calls outstanding for the ledger named `ledger` (undefined: the memory
 * ledger).
 */
export function loadInFlightDefaultFor(ledger: string | undefined): number {
  return ledger === undefined || ledger === 'memory'
    ? loadInFlightDefault
    : loadInFlightNetworkedDefault
}
/** Characters of one threshold. */
export const thresholdTextMax = 200
/** Thresholds one run may check. */
export const thresholdsMax = 64
/** Characters of a profile written on the command line or in a scenario. */
export const profileTextMax = 4096
/**
 * Characters of a profile quoted back in an error message (the rest is clipped, so the reason stays
 * on the line).
 */
export const profileQuotedCharsMax = 120

// Output.
/** Names tried for a default run folder (`-2`, `-3`, ...) before giving up. */
export const runFolderAttemptsMax = 100
/**
 * Privacy floors of every output (summary, report, city.json, the live page), until k-cell
 * suppression comes to all of them: a district of fewer residents is shown only within an "other
 * districts" row; merchants are shown only as counts on a grid of cells this many metres wide,
 * and a cell of fewer merchants than the floor is left out.
 */
export const districtResidentsMin = 50
export const merchantCellMetres = 500
export const merchantCellMerchantsMin = 5
/** Entries of a non-empty --out folder named when it is refused. */
export const runFolderEntriesShownMax = 5

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
/**
 * The highest transfer id (and pending id) any ledger takes: ids are exact integers in [0, 2^53),
 * carried in Float64Array columns. The whole city makes about 45 million transfers a day, so the
 * ids of one run last some half a million years of simulated time.
 */
export const transferIdMax = Number.MAX_SAFE_INTEGER
/**
 * A pending transfer's own id, given when it is made (so that the post or void a worker makes with
 * it can name it): 2^52 and up, in blocks of `pendingIdsPerBlock`, one block per segment and chunk.
 * The run's sequence (0, 1, 2, ...) stays below 2^52: the two never meet.
 */
export const pendingIdFirst = 2 ** 52
export const pendingIdsPerBlock = 2 ** 20
/** Ids one run hands out in sequence (0, 1, 2, ...): every one below pendingIdFirst. */
export const transfersPerRunMax = pendingIdFirst
/**
 * What a scenario may plan: half the id space, leaving room for chance, openings and end-of-day
 * transfers. No scenario the schema allows comes near it (simulatedDaysMax days of residentsMax
 * residents); the plan still refuses one that would, naming its period and rates.
 */
export const expectedTransfersMax = Math.floor(transfersPerRunMax / 2)
export const accountsMax = residentsMax + merchantsMax + 1024
/** Restrictions of restricted value (vouchers, red envelopes) a ledger holds: ids 1 to this. */
export const restrictionsMax = 4096
/** Designated merchants one restriction may list. */
export const restrictionMerchantsMax = 1 << 20
/** Bits of a restriction's category and district masks: categories and districts are 0 to 31. */
export const restrictionMaskBits = 32
/** Pending (two-phase) transfers the memory ledger holds at once, unless its options say fewer. */
export const pendingTransfersMax = 1 << 20
/**
 * Batch slots in the memory ledger's ring: batches in flight between the caller and the ledger's
 * thread.
 */
export const ringSlots = 4
/** Calls queued behind a full ring (a day's batches handed over at once fit). */
export const ringCallsQueuedMax = 1 << 14
/** Tier limits and reservations travel in Uint32 fields. */
export const tierLimitFenMax = 0xffff_ffff
/**
 * Retries when drawing an agent that satisfies a condition (adopted payee, merchant of a category).
 */
export const drawAttemptsMax = 32
/**
 * A ledger other runs can reach (postgres, redis) is held by one run at a time (ledgerLease.ts). On
 * Redis the holder proves it is alive by renewing a key that expires after `ledgerLeaseTtlMs`,
 * every `ledgerLeaseHeartbeatMs`: a holder silent for longer is taken for gone (crashed), and a
 * new run may take the ledger over when asked to. On PostgreSQL the holder's own connection holds
 * the lease (a session advisory lock), and a take-over waits up to `ledgerLeaseWaitMs` for the
 * connection of a holder that just died to end.
 */
export const ledgerLeaseTtlMs = 10_000
export const ledgerLeaseHeartbeatMs = 2_000
export const ledgerLeaseWaitMs = 5_000
/**
 * How a run names itself as a ledger's holder, at most this many characters (a refusal shows it to
 * the next run).
 */
export const ledgerHolderCharsMax = 200

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
/**
 * A ledger server's token (`--token`, `--ledger-token`, CITYTWIN_LEDGER_TOKEN): visible ASCII, this
 * many characters.
 */
export const ledgerTokenCharsMin = 8
export const ledgerTokenCharsMax = 256
/**
 * Connections the reference server holds at once (its protocol has one client, which keeps one). At
 * the cap a new connection displaces the one idle longest; one with a request under way is never
 * displaced.
 */
export const ledgerServerConnectionsMax = 8
/**
 * A request's headers must all have come this long after its connection opened, or after the answer
 * before.
 */
export const ledgerServerHeadersMs = 10_000
/** A whole request, headers and body, must have come this long after it started. */
export const ledgerServerRequestMs = 60_000
/** A kept-alive connection with no request is closed after this long. */
export const ledgerServerKeepAliveMs = 5_000
/**
 * How often the server looks for connections past their headers or request time (Node checks on a
 * timer).
 */
export const ledgerServerCheckEveryMs = 1_000

// A run's overall bound (engine/run/runBound.ts).
/** Added to every run's bound: opening the ledger, connections, and a busy machine. */
export const runBoundAllowanceMs = 5 * 60 * 1000
/**
 * The slowest a ledger may apply a run's work, transfers and accounts read or opened per second, in
 * the bound of a run: far below any ledger worth load testing (the slowest here do tens of
 * thousands).
 */
export const runLedgerItemsPerSecondMin = 1_000

/**
 * The live map's controls: the highest target rate, clock speed (simulated minutes a wall second)
 * and ledger slowdown a page may ask for.
 */
export const liveTpsMax = 10_000_000
export const liveSpeedMax = 1440
export const ledgerSlowdownMsMax = 5_000
/** Commands a page may send a second; beyond it they are refused, and the run is not disturbed. */
export const liveCommandsPerSecondMax = 10
/**
 * Commands all pages together may have applied a second, on top of each page's own bound: fifty
 * pages do not make fifty times the rate. Only commands that pass the checks (and the token) count,
 * so a flood of bad ones cannot use up the budget of the page that holds the token.
 */
export const liveCommandsPerSecondAllMax = 20
/**
 * Pages watching one run at once. When full, a new page takes the place of the page that has gone
 * longest without saying it is shown, if that is at least `livePageEvictIdleMs`; else it is
 * refused.
 */
export const liveClientsMax = 64
/** A page says it is shown this often while its tab is visible (and at once when that changes). */
export const livePresenceIntervalMs = 60_000
/**
 * A page that has not said it is shown for this long (a hidden tab, a script that never does) may
 * give its place to a new page.
 */
export const livePageEvictIdleMs = 3 * livePresenceIntervalMs
/**
 * A page that has not said it is shown for this long is closed, with a message offering to
 * reconnect.
 */
export const livePageIdleMsMax = 15 * 60_000
/** A connection that has not joined as a page (socket.io's namespace) by then is closed. */
export const livePageJoinMs = 10_000
/**
 * Connections the live server holds at most (fewer when the descriptor limit is lower): pages, and
 * the page's own requests.
 */
export const liveConnectionsMax = 1024
/** A request's headers must all have come by then, the first one counted from the connection. */
export const liveHeadersTimeoutMs = 10_000
/** A request must have come whole by then. */
export const liveRequestTimeoutMs = 30_000
/** A keep-alive connection waits this long for its next request. */
export const liveKeepAliveTimeoutMs = 5_000
/** Names one live server may be opened by besides its address and loopback (`--allow-host`). */
export const allowHostsMax = 16
/**
 * A connection with nothing moving on it for this long is closed (socket.io's polls last up to 25
 * s).
 */
export const liveSocketIdleMs = 120_000

// Descriptors.
/**
 * Descriptors kept for everything but a server's connections (run files, the ledger's, the
 * workers') when its cap is taken from the soft limit.
 */
export const descriptorsReserved = 128
/**
 * The soft descriptor limit assumed where it cannot be read (macOS's default is lower still, but
 * Node raises it at start).
 */
export const descriptorsSoftLimitFallback = 1024
/** However low the descriptor limit, a server keeps room for this many connections. */
export const connectionsCapMin = 16
/**
 * Snapshots a run's timeline keeps for replay (one a second); a longer run keeps every other one.
 */
export const timelineSnapshotsMax = 7_200

assert(
  yamlScanDepthMax >= yamlDepthMax,
  'the scan before parsing never refuses what the exact bound allows',
)
assert(mapRingVerticesMax <= mapVerticesMax, 'a ring fits the map')
assert(
  mapJsonValuesMax >= 4 * mapVerticesMax,
  'the count before parsing leaves room for a map of mapVerticesMax positions (three values each) and its features',
)
assert(
  (errorIssuesMax + 2) * (errorLineCharsMax + 3) <= errorMessageCharsMax,
  'an error of errorIssuesMax issues, its first line and its "and N more" fits the message bound',
)
assert(
  messageIdsMax * (districtIdCharsMax + 4) + 200 <= errorLineCharsMax,
  'a list of messageIdsMax ids fits one line of an error',
)
assert(districtsMax <= 0xff, 'district index must fit a Uint8')
assert(metroStationsMax <= 0xffff, 'a station index fits a Uint16')
assert(metroLinesMax < 0xff, 'a line index fits a Uint8, with 255 meaning none')
assert(
  metroStationsMax <= 1 << 10 && metroLinesMax < 1 << 6,
  "a ride's detail holds its two stations (10 bits each) and its line + 1 (6 bits)",
)
assert(
  metroLineStationsMax <= metroStationsMax + 1,
  'a line lists each station once at most, its first again if it is a loop',
)
assert(
  metroNetworkJsonValuesMax >= 4 * (metroStationsMax * 8 + metroLinesMax * metroLineStationsMax),
  'a network at the station and line bounds fits the count before parsing',
)
assert(banksMax <= 0xff, 'bank index must fit a Uint8')
assert(merchantCategoriesMax <= 0xff, 'merchant category must fit a Uint8')
assert(walletTiersMax < 0xff, 'wallet tier must fit a Uint8, with 0 meaning unlimited')
assert(
  ticksPerChunk >= 1 && ticksPerChunk <= minutesPerDay,
  'a chunk is between one tick and one day',
)
assert(segmentCount >= workersMax, 'each worker needs at least one segment')
assert(accountsMax < 0xffff_ffff, 'account ids are Uint32')
assert(
  transfersPerRunMax <= transferIdMax && transferIdMax <= Number.MAX_SAFE_INTEGER,
  'every transfer id a run hands out is an exact integer in a Float64Array',
)
assert(
  (ringSlots & (ringSlots - 1)) === 0 && ringSlots >= 2,
  'ring slots are a power of two, at least two',
)
assert(lookupBatchMax <= transferBatchMax, 'a lookup fits a ring slot sized for a transfer batch')
assert(
  pendingTransfersMax * transferAmountFenMax <= Number.MAX_SAFE_INTEGER,
  'what pending transfers reserve in all stays an exact integer',
)
assert(chunksInFlightMax >= 1, 'at least one chunk must be in flight')
assert(
  liveCommandsPerSecondAllMax >= liveCommandsPerSecondMax,
  'one page alone can use its whole rate',
)
assert(
  livePageEvictIdleMs >= 2 * livePresenceIntervalMs,
  'a shown page is never evicted for one late report',
)
assert(
  livePageIdleMsMax > livePageEvictIdleMs,
  'a page may lose its place to a newcomer before it is closed for idleness',
)
assert(liveConnectionsMax > liveClientsMax, 'every page fits, with room for requests')
assert(
  liveSocketIdleMs > liveRequestTimeoutMs,
  'a connection is not closed while its request may still come',
)
assert(
  ledgerLeaseHeartbeatMs * 4 <= ledgerLeaseTtlMs,
  'a holder renews its lease several times before it lapses',
)
assert(
  ledgerAttemptMsMax <= ledgerCallMsDefault && ledgerCallMsDefault <= ledgerCallMsMax,
  'a call has room for at least one whole attempt',
)
assert(
  ledgerServerCheckEveryMs < ledgerServerHeadersMs &&
    ledgerServerHeadersMs <= ledgerServerRequestMs,
  'the server checks its timeouts more often than they run out',
)
assert(
  ledgerTokenCharsMin >= 8 && ledgerTokenCharsMin <= ledgerTokenCharsMax,
  'a token has room to be a secret',
)
assert(
  profileQuotedCharsMax + 400 <= errorLineCharsMax,
  'a quoted profile leaves room on its line for the reason',
)
/**
 * Operator events a run records (pause, speed, slowdown, outage, stop); past this the rest are
 * counted, not kept, so a page sending commands all day cannot grow a run's files or snapshots.
 */
export const runEventsMax = 100
/** Places a scenario may name inside one district (districts the map predates). */
export const placesPerDistrictMax = 8

/** Holidays, make-up working days and peaks a scenario's calendar lists, each. */
export const calendarEntriesMax = 128
/** Size classes of merchants a scenario may list. */
export const merchantSizesMax = 8
/** Days one public holiday lasts at most (Spring Festival is a week, with its make-up days). */
export const holidayDaysMax = 31
/** Adoption promotions a rollout lists. */
export const promotionsMax = 64
/** Months a rollout spans at most. */
export const rolloutMonthsMax = 24
/** Dates a rollout's table of adoption shares lists, the city's or a district's. */
export const shareTableMax = 400

/** Levels of the residents' adoption column (engine/population/columns.ts, adoptionLevel). */
export const adoptionLevels = 256
assert(adoptionLevels <= 0x100, 'an adoption level must fit a Uint8')
