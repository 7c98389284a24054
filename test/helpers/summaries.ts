/**
 * Run summaries written by hand, typed, for tests of what reads and draws them: a flat-out day and
 * a two-minute load run with a latency spike, rejections and an invalid stretch. One district is
 * named like an attack, to prove names are escaped.
 */
import { transferKinds, type TransferKindName } from '../../engine/ledger/index.js'
import {
  latencyBucketBoundsMs,
  type LatencyBucketCounts,
  type LatencySummary,
} from '../../engine/metrics/latencyHistogram.js'
import type { KindFigures, LoadSecond, RunSummary } from '../../engine/report/index.js'

export const hostileDistrict = '<script>alert(1)</script>'

const kindFigures: Record<TransferKindName, KindFigures> = {
  issue: { submitted: 3, accepted: 3, rejected: 0, amountFen: 1_000_000_000_00 },
  topup: { submitted: 12_000, accepted: 11_990, rejected: 10, amountFen: 2_398_000_00 },
  retail: { submitted: 180_000, accepted: 176_500, rejected: 3_500, amountFen: 6_170_125_37 },
  transit: { submitted: 95_000, accepted: 94_800, rejected: 200, amountFen: 379_200_00 },
  bill: { submitted: 4_000, accepted: 3_950, rejected: 50, amountFen: 987_500_00 },
  payroll: { submitted: 2_000, accepted: 2_000, rejected: 0, amountFen: 1_800_000_00 },
  p2p: { submitted: 20_000, accepted: 19_700, rejected: 300, amountFen: 394_000_01 },
  redeem: { submitted: 500, accepted: 500, rejected: 0, amountFen: 50_000_00 },
  retire: { submitted: 0, accepted: 0, rejected: 0, amountFen: 0 },
  deposit: { submitted: 60, accepted: 60, rejected: 0, amountFen: 5_000_000_000_00 },
  welfare: { submitted: 40, accepted: 40, rejected: 0, amountFen: 180_000_00 },
  tax: { submitted: 30, accepted: 29, rejected: 1, amountFen: 9_500_00 },
  health: { submitted: 600, accepted: 596, rejected: 4, amountFen: 120_000_00 },
  parking: { submitted: 200, accepted: 198, rejected: 2, amountFen: 1_500_00 },
  online: { submitted: 900, accepted: 880, rejected: 20, amountFen: 61_000_00 },
  voucher: { submitted: 0, accepted: 0, rejected: 0, amountFen: 0 },
  recovery: { submitted: 0, accepted: 0, rejected: 0, amountFen: 0 },
}

const submitted = transferKinds.reduce((sum, kind) => sum + kindFigures[kind].submitted, 0)
const accepted = transferKinds.reduce((sum, kind) => sum + kindFigures[kind].accepted, 0)

/** Payments per hour of a weekday from 06:00: a morning peak, lunch, an evening peak. */
const perHour = [
  2_100, 9_800, 21_500, 18_200, 12_000, 11_500, 19_800, 16_700, 10_900, 10_200, 11_800, 19_900,
  24_300, 17_500, 11_200, 6_400, 3_900, 2_100,
]

export const flatOutSummary: RunSummary = {
  scenario: 'Shenzhen, one weekday',
  seed: 42,
  digest: 'a3f1c0de'.repeat(8),
  mode: 'flat-out',
  ledger: 'memory',
  workers: 4,
  scale: 0.01,
  agents: {
    residents: 176_000,
    adopted: 123_000,
    merchants: 9_800,
    riders: 61_000,
    institutions: 12,
  },
  simulated: { from: '2025-03-03T06:00:00+08:00', to: '2025-03-04T00:00:00+08:00', minutes: 1080 },
  transfers: {
    submitted,
    accepted,
    rejected: submitted - accepted,
    byKind: kindFigures,
    byReason: {
      ok: accepted,
      insufficient_funds: 3_100,
      daily_limit: 600,
      per_payment_limit: 300,
      balance_cap: 60,
    },
  },
  demand: { perHour, peakPerMinute: 612, peakAt: '2025-03-03T18:12:00+08:00' },
  districts: [
    {
      district: 'Futian',
      payments: 61_000,
      accepted: 60_100,
      rejected: 900,
      amountFen: 2_101_000_55,
    },
    {
      district: 'Nanshan',
      payments: 72_500,
      accepted: 71_300,
      rejected: 1_200,
      amountFen: 2_600_400_10,
    },
    {
      district: "Bao'an",
      payments: 120_300,
      accepted: 118_800,
      rejected: 1_500,
      amountFen: 3_004_100_00,
    },
    { district: hostileDistrict, payments: 0, accepted: 0, rejected: 0, amountFen: 0 },
  ],
  wallSeconds: 14.25,
  phases: { synthesisSeconds: 2.1, simulationSeconds: 11.6, auditSeconds: 0.4 },
  throughput: { transfersPerSecond: 24_050 },
  conservation: {
    ok: true,
    issuedFen: 1_000_000_000_00,
    redeemedFen: 50_000_00,
    balancesFen: 999_950_000_00,
    negativeBalances: 0,
  },
  doubleEntry: {
    ok: true,
    byKind: Object.fromEntries(
      transferKinds.map((kind) => [
        kind,
        {
          debitsFen: kindFigures[kind].amountFen,
          creditsFen: kindFigures[kind].amountFen,
          acceptedFen: kindFigures[kind].amountFen,
        },
      ]),
    ) as RunSummary['doubleEntry']['byKind'],
    pendingFen: 0,
  },
}

const loadSecondsCount = 120
/** 2025-03-03 06:00, local time held as if it were UTC. */
const loadStartLocalMs = Date.UTC(2025, 2, 3, 6, 0)

/**
 * Two minutes at a target that steps from 2,000/s to 5,000/s at second 60; from second 90 the
 * ledger falls behind (completed drops, latency climbs to a spike at 100), and rejections come
 * in a burst around second 45. Whole-number figures, and ms to three decimals, so they survive
 * metrics.csv exactly.
 */
export function loadSeconds(count = loadSecondsCount): LoadSecond[] {
  return Array.from({ length: count }, (_, index): LoadSecond => {
    const second = index + 1
    const targetTps = second <= 60 ? 2_000 : 5_000
    const behind = second > 90
    const completedTps = behind
      ? targetTps - 1_200 - (second % 7) * 40
      : targetTps - (second % 5) * 3
    const p50Ms = behind ? 12.5 + (second - 90) * 0.75 : 0.875 + (second % 4) * 0.125
    const p99Ms = behind ? 48 + (second - 90) * 3.5 : 4.25 + (second % 6) * 0.5
    const maxMs = second === 100 ? 412.625 : p99Ms * 2 + 1
    // 3.5 simulated minutes per second from 06:00 local (×210), written as the simulated clock
    // writes it.
    const local = new Date(loadStartLocalMs + Math.floor(second * 3.5) * 60_000)
      .toISOString()
      .slice(0, 19)
    return {
      second,
      targetTps,
      sentTps: behind ? targetTps - 900 : targetTps,
      completedTps,
      rejected: second >= 40 && second <= 50 ? 150 + second : second % 9,
      errors: second === 95 || second === 96 ? 12 : 0,
      p50Ms,
      p99Ms,
      maxMs,
      lateP99Ms: behind ? 220.5 : 0.25,
      simulatedAt: `${local}+08:00`,
    }
  })
}

const latency = (scale: number, count: number): LatencySummary => ({
  count,
  p50Ms: 1.1 * scale,
  p90Ms: 3.4 * scale,
  p99Ms: 21.7 * scale,
  p999Ms: 96.2 * scale,
  maxMs: 412.625,
  meanMs: 2.3 * scale,
})

/** Counts in the histogram's buckets: a body around 1 ms and a tail to 500 ms (392,950 in all). */
function histogram(): LatencyBucketCounts {
  const overall = latencyBucketBoundsMs.map(() => 0)
  const put = (boundMs: number, count: number): void => {
    overall[latencyBucketBoundsMs.indexOf(boundMs)] = count
  }
  put(0.5, 40_000)
  put(1, 160_000)
  put(2, 120_000)
  put(5, 50_000)
  put(20, 19_000)
  put(100, 3_900)
  put(500, 50)
  return { boundsMs: latencyBucketBoundsMs, overall, byKind: {} }
}

export const loadSummary: RunSummary = {
  ...flatOutSummary,
  mode: 'load',
  wallSeconds: 125.5,
  load: {
    profile: 'steps: 2000/s for 60s, 5000/s for 60s',
    sort: 'rate',
    durationSeconds: 120,
    plannedSeconds: 120,
    inFlightMax: 64,
    targetTps: { mean: 3_500, peak: 5_000 },
    achievedTps: 3_180.4,
    intended: 420_000,
    sent: 393_000,
    dropped: 27_000,
    completed: 392_950,
    errors: 24,
    unanswered: 26,
    rejected: 4_410,
    pacingErrorPct: 24.8,
    latencyMs: {
      overall: latency(1, 392_950),
      byKind: {
        retail: latency(1.05, 240_000),
        transit: latency(0.8, 120_000),
        p2p: latency(1.2, 32_950),
      },
    },
    latencyHistogram: histogram(),
    lateMs: {
      count: 393_000,
      p50Ms: 0.05,
      p90Ms: 0.2,
      p99Ms: 220.5,
      p999Ms: 301,
      maxMs: 355.25,
      meanMs: 18.4,
    },
    valid: false,
    invalidReasons: [
      'dropped 27,000 of 420,000 intended transfers (6.43%): the generator fell behind from second 91',
      'achieved 3,800/s against a target of 5,000/s',
    ],
    thresholds: [
      { threshold: 'p99<50ms', actual: 21.7, unit: 'ms', ok: true },
      { threshold: 'errors<0.1%', actual: 0.0061, unit: '%', ok: true },
      { threshold: 'dropped<=0', actual: 27_000, unit: 'transfers', ok: false },
    ],
    thresholdsOk: false,
    simulated: { to: '2025-03-03T13:00:00+08:00', minutes: 420, speed: 210 },
    evenings: 0,
    periodRanOut: false,
    lateToleranceMs: 10,
  },
}

/**
 * The load run, with nothing rejected and the generator on schedule: charts of failures have
 * nothing to draw.
 */
export const cleanLoadSummary: RunSummary = {
  ...loadSummary,
  transfers: {
    ...loadSummary.transfers,
    rejected: 0,
    byReason: { ok: loadSummary.transfers.accepted },
  },
  load: {
    ...(loadSummary.load as NonNullable<RunSummary['load']>),
    valid: true,
    invalidReasons: [],
    rejected: 0,
    errors: 0,
    dropped: 0,
    thresholds: [],
    thresholdsOk: true,
  },
}
