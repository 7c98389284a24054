/**
 * The live metrics endpoint of a load run (`--prometheus`): what a scrape of /metrics shows after
 * the figures of a real (fake-clocked) open-model run, how its latency buckets are read from the
 * HDR histograms, and what else the server answers.
 */
import { afterEach, describe, expect, it } from 'vitest'
import {
  ResultCode,
  TransferKind,
  transferKinds,
  type LedgerCore,
  type TransferBatch,
} from '../../../engine/ledger/index.js'
import {
  parseProfile,
  runOpenLoad,
  type LoadSoFar,
  type OpenLoadResult,
} from '../../../engine/load/index.js'
import { loadSecond } from '../../../engine/run/index.js'
import { LatencyByKind, LatencyHistogram } from '../../../engine/metrics/latencyHistogram.js'
import { Random } from '../../../engine/random/index.js'
import { PrometheusExporter } from '../../../engine/report/prometheus.js'
import type { LoadSecond } from '../../../engine/run/summary.js'
import { FakeClock, openClockedLedger, source } from '../../helpers/clockedLoad.js'

/** The exporter's latency bucket bounds, seconds (as prometheus.ts declares them). */
const boundsSeconds = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
]

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function startExporter(): Promise<PrometheusExporter> {
  const exporter = await PrometheusExporter.start(0)
  cleanups.push(() => exporter.close())
  return exporter
}

interface Sample {
  readonly name: string
  readonly labels: Readonly<Record<string, string>>
  readonly value: number
}

/** The samples of a Prometheus text exposition (comments left out). */
function parseExposition(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
      if (match === null) throw new Error(`not a sample line: ${line}`)
      const labels: Record<string, string> = {}
      for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
        labels[pair[1] as string] = pair[2] as string
      return { name: match[1] as string, labels, value: Number(match[3]) }
    })
}

async function scrape(exporter: PrometheusExporter): Promise<Sample[]> {
  const response = await fetch(exporter.url)
  expect(response.status).toBe(200)
  expect(response.headers.get('content-type')).toMatch(/^text\/plain/)
  return parseExposition(await response.text())
}

function valueOf(
  samples: readonly Sample[],
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  return samples.find(
    (sample) =>
      sample.name === name &&
      Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  )?.value
}

/** The bucket lines of one kind, in the order served: [le, cumulative count]. */
function bucketsOf(samples: readonly Sample[], kind: string): [string, number][] {
  return samples
    .filter(
      (sample) => sample.name === 'citytwin_latency_seconds_bucket' && sample.labels.kind === kind,
    )
    .map((sample) => [sample.labels.le as string, sample.value])
}

/** How many of `values` are at or below `bound`. */
function atOrBelow(values: readonly number[], bound: number): number {
  return values.filter((value) => value <= bound).length
}

/**
 * Transfer n as in clockedLoad's source, except that every tenth pays an account never opened
 * (unknown_account).
 */
function sourceWithRejections(from: number, to: number): TransferBatch {
  const batch = source(from, to)
  for (let index = 0; index < batch.count; index++)
    if ((from + index) % 10 === 0) batch.credit[index] = 15
  return batch
}

/** A LoadSecond as driveLoad makes it from the open model's last window. */
function secondOf(result: OpenLoadResult): LoadSecond {
  const window = result.windows.at(-1)
  if (window === undefined) throw new Error('the run had no window')
  return loadSecond(window, '2026-11-23T08:00:00+08:00')
}

describe('the Prometheus exporter', () => {
  it('listens on 127.0.0.1 only, on a free port, and serves empty figures before the first second', async () => {
    // Proves the endpoint is local (never all interfaces) and answers at once: counters at 0, no
    // latency series yet.
    const exporter = await startExporter()
    const url = new URL(exporter.url)
    expect([url.protocol, url.hostname, url.pathname]).toEqual(['http:', '127.0.0.1', '/metrics'])
    expect(Number(url.port)).toBeGreaterThan(0)
    const samples = await scrape(exporter)
    for (const name of ['intended', 'sent', 'completed', 'rejected', 'errors'])
      expect(valueOf(samples, `citytwin_load_${name}_total`), name).toBe(0)
    expect(valueOf(samples, 'citytwin_load_target_tps')).toBe(0)
    expect(samples.filter((sample) => sample.name.startsWith('citytwin_latency_seconds'))).toEqual(
      [],
    )
  })

  it('shows a real open-model run: its counters, results by code, last second and cumulative latency buckets', async () => {
    // Proves the exporter publishes what the open model measured: 2,000 transfers intended, sent
    // and answered, the 200 rejected by code, the last second's rates, and per kind a histogram
    // whose buckets grow with `le`, agree with the HDR histogram's own counts, and end in +Inf =
    // _count = that kind's results.
    const clock = new FakeClock()
    // Answers come back 0 to 299 ms after the call, spread, so the latencies fill several buckets.
    const ledger: LedgerCore = await openClockedLedger(clock, (at) => at + ((at * 37) % 300))
    cleanups.push(() => ledger.close())
    const exporter = await startExporter()
    // Fed as driveLoad feeds it, as each second closes; what the first second showed is kept to
    // compare.
    let firstSecond:
      { intended: number; sent: number; completed: number; rejected: number } | undefined
    let lastSecond:
      { intended: number; sent: number; completed: number; rejected: number } | undefined
    const result = await runOpenLoad({
      schedule: parseProfile('constant:1k/2s', 'test').schedule,
      ledger,
      source: sourceWithRejections,
      now: clock.now,
      pause: clock.pause,
      inFlightMax: 10_000,
      buckets: exporter.buckets,
      onSecond: (window, live) => {
        firstSecond ??= {
          intended: live.intended,
          sent: live.sent,
          completed: live.completed,
          rejected: live.rejected,
        }
        lastSecond = {
          intended: live.intended,
          sent: live.sent,
          completed: live.completed,
          rejected: live.rejected,
        }
        exporter.update(loadSecond(window, ''), live, 1)
      },
    })
    cleanups.push(() => {
      result.latency.destroy()
      result.lateness.destroy()
    })
    expect([
      result.intended,
      result.sent,
      result.completed,
      result.rejected,
      result.errors,
    ]).toEqual([2_000, 2_000, 2_000, 200, 0])
    // After the first second: what was due by then (1,001, the one due at 1,000 ms included), and
    // fewer answered.
    expect(firstSecond?.intended).toBe(1_001)
    expect(firstSecond?.completed).toBeLessThan(1_000)
    // Both seconds were reported, the last as the schedule ended: the scrape shows the figures of
    // the last.
    const live = await scrape(exporter)
    expect(
      ['intended', 'sent', 'completed', 'rejected'].map((name) =>
        valueOf(live, `citytwin_load_${name}_total`),
      ),
    ).toEqual([lastSecond?.intended, lastSecond?.sent, lastSecond?.completed, lastSecond?.rejected])
    expect(lastSecond?.intended).toBe(2_000)
    expect(valueOf(live, 'citytwin_load_behind')).toBe(
      Math.max(0, (lastSecond?.intended ?? 0) - (lastSecond?.sent ?? 0)),
    )
    const soFar: LoadSoFar = {
      elapsedMs: result.wallMs,
      intended: result.intended,
      sent: result.sent,
      completed: result.completed,
      errors: result.errors,
      rejected: result.rejected,
      byCode: result.byCode,
      latency: result.latency,
      lateness: result.lateness,
    }
    const second = secondOf(result)
    exporter.update(second, soFar, 480.5)
    const samples = await scrape(exporter)

    expect(
      ['intended', 'sent', 'completed', 'rejected', 'errors'].map((name) =>
        valueOf(samples, `citytwin_load_${name}_total`),
      ),
    ).toEqual([2_000, 2_000, 2_000, 200, 0])
    expect(valueOf(samples, 'citytwin_load_results_total', { code: 'ok' })).toBe(1_800)
    expect(valueOf(samples, 'citytwin_load_results_total', { code: 'unknown_account' })).toBe(200)
    expect(samples.filter((sample) => sample.name === 'citytwin_load_results_total')).toHaveLength(
      2,
    )
    expect(valueOf(samples, 'citytwin_load_target_tps')).toBe(1_000)
    expect(valueOf(samples, 'citytwin_load_achieved_tps')).toBe(second.completedTps)
    expect(second.completedTps).toBeGreaterThan(0)
    expect(valueOf(samples, 'citytwin_load_behind')).toBe(0)
    expect(valueOf(samples, 'citytwin_load_send_late_p99_seconds')).toBeCloseTo(
      second.lateP99Ms / 1000,
      9,
    )
    expect(valueOf(samples, 'citytwin_simulated_minutes')).toBe(480.5)

    // The source pays retail and transit in turn: those two kinds, and only they, have a histogram.
    const kinds = [
      ...new Set(
        samples
          .filter((sample) => sample.name === 'citytwin_latency_seconds_count')
          .map((sample) => sample.labels.kind),
      ),
    ]
    expect(kinds.sort()).toEqual(['retail', 'transit'])
    let counted = 0
    const byKind = result.latency.summary().byKind
    for (const kind of kinds as string[]) {
      const buckets = bucketsOf(samples, kind)
      expect(buckets.map(([le]) => le)).toEqual([...boundsSeconds.map(String), '+Inf'])
      buckets
        .slice(1)
        .forEach(([le, count], index) =>
          expect(count, `le=${le}`).toBeGreaterThanOrEqual((buckets[index] as [string, number])[1]),
        )
      const count = valueOf(samples, 'citytwin_latency_seconds_count', { kind }) ?? -1
      // The same results as the HDR histogram of that kind, counted exactly into the buckets.
      expect(count).toBe(byKind[kind as (typeof transferKinds)[number]]?.count)
      expect(buckets.at(-1)?.[1]).toBe(count)
      const meanSeconds = (byKind[kind as (typeof transferKinds)[number]]?.meanMs ?? 0) / 1000
      expect((valueOf(samples, 'citytwin_latency_seconds_sum', { kind }) ?? 0) / count).toBeCloseTo(
        meanSeconds,
        3,
      )
      // The spread reaches past 100 ms and stays under 0.5 s: the histogram is neither empty nor
      // all in +Inf.
      expect(valueOf(samples, 'citytwin_latency_seconds_bucket', { kind, le: '0.1' })).toBeLessThan(
        count,
      )
      expect(valueOf(samples, 'citytwin_latency_seconds_bucket', { kind, le: '0.5' })).toBe(count)
      counted += count
    }
    expect(counted).toBe(result.completed)
    expect(result.byCode[ResultCode.ok]).toBe(1_800)
  })

  it('counts each latency into its bucket exactly, as a brute-force count would, and serves the counts', async () => {
    // Proves the `le` buckets: a value on a bound counts in it, one above goes to the next, and the
    // served cumulative counts equal a brute-force count of the recorded values at or below each
    // bound.
    const random = new Random(11, 'prometheus-test')
    const latency = new LatencyByKind()
    const lateness = new LatencyHistogram()
    cleanups.push(() => {
      latency.destroy()
      lateness.destroy()
    })
    const exporter = await startExporter()
    // Whole microseconds from 1 µs to 20 s, log-uniform, plus values exactly on and just around the
    // bucket bounds.
    const values = Array.from({ length: 5_000 }, () =>
      Math.round(Math.exp(random.float() * Math.log(20_000_000))),
    )
    for (const bound of boundsSeconds)
      values.push(bound * 1_000_000, bound * 1_000_000 - 1, bound * 1_000_000 + 1)
    for (const value of values) {
      latency.record(TransferKind.p2p, value)
      exporter.buckets.record(TransferKind.p2p, value)
    }
    const soFar: LoadSoFar = {
      elapsedMs: 1_000,
      intended: values.length,
      sent: values.length,
      completed: values.length,
      errors: 0,
      rejected: 0,
      byCode: [values.length],
      latency,
      lateness,
    }
    exporter.update(
      {
        second: 0,
        targetTps: 0,
        sentTps: 0,
        completedTps: 0,
        rejected: 0,
        errors: 0,
        p50Ms: 0,
        p99Ms: 0,
        maxMs: 0,
        lateP99Ms: 0,
        simulatedAt: '',
      },
      soFar,
      1,
    )
    const samples = await scrape(exporter)
    const buckets = bucketsOf(samples, 'p2p')
    expect(buckets).toHaveLength(boundsSeconds.length + 1)
    boundsSeconds.forEach((bound, index) =>
      expect((buckets[index] as [string, number])[1], `le=${bound}`).toBe(
        atOrBelow(values, bound * 1_000_000),
      ),
    )
    expect(buckets.at(-1)).toEqual(['+Inf', values.length])
    expect(valueOf(samples, 'citytwin_latency_seconds_sum', { kind: 'p2p' })).toBeCloseTo(
      values.reduce((sum, value) => sum + value, 0) / 1_000_000,
      6,
    )
  })

  it('answers only GET and HEAD at /metrics: another method is 405, another path 404', async () => {
    // Proves the server's narrow surface: a POST is refused with Allow, unknown paths are not
    // found, a query string on /metrics is still the metrics, and HEAD has no body.
    const exporter = await startExporter()
    const post = await fetch(exporter.url, { method: 'POST', body: 'x' })
    expect(post.status).toBe(405)
    expect(post.headers.get('allow')).toBe('GET, HEAD')
    await post.text()
    for (const where of ['/', '/metrics/', '/metricsx', '/other']) {
      const response = await fetch(new URL(where, exporter.url))
      expect(response.status, where).toBe(404)
      await response.text()
    }
    const deleteOther = await fetch(new URL('/other', exporter.url), { method: 'DELETE' })
    expect(deleteOther.status).toBe(404)
    await deleteOther.text()
    const query = await fetch(`${exporter.url}?name[]=citytwin_load_sent_total`)
    expect(query.status).toBe(200)
    expect(await query.text()).toContain('citytwin_load_sent_total 0')
    const head = await fetch(exporter.url, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(await head.text()).toBe('')
  })
})
