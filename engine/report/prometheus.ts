/**
 * `--prometheus 9464`: live figures of a load run for a Prometheus server to scrape, served at
 * http://127.0.0.1:<port>/metrics (prom-client's registry and text format). Updated once a second
 * from the open model's running figures; aggregates only, never one resident.
 *
 *   citytwin_load_{intended,sent,completed,rejected,errors}_total    counters
 *   citytwin_load_results_total{code}                               counter by result code
 *   citytwin_load_{target,achieved}_tps, citytwin_load_behind        gauges (the last whole second)
 *   citytwin_load_send_late_p99_seconds, citytwin_simulated_minutes  gauges
 *   citytwin_latency_seconds{kind}                                   histogram, from intended send time
 *
 * The histogram's buckets are counted as results come in (LatencyBuckets, a few comparisons per
 * transfer) rather than observed through prom-client one call per transfer: a million a second
 * stays cheap, and a scrape costs nothing on the sender's thread.
 * GET /metrics only; anything else is 404 or 405, and no request body is read.
 */
import http from 'node:http'
import { listenHttp } from '../httpListen.js'
import client from 'prom-client'
import { UserError } from '../errors.js'
import { resultCodes, transferKinds } from '../ledger/index.js'
import type { LoadSoFar } from '../load/index.js'
import type { Subscription } from 'rxjs'
import type { RunTelemetry } from '../telemetry/index.js'
import { LatencyBuckets } from '../metrics/latencyBuckets.js'
import type { LoadSecond } from '../run/summary.js'

/** Bucket bounds of the latency histogram, seconds. */
const latencyBucketsSeconds = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
] as const

interface KindBuckets {
  readonly kind: string
  readonly counts: readonly number[]
  readonly count: number
  readonly sumSeconds: number
}

export class PrometheusExporter {
  private readonly registry = new client.Registry()
  /** Latency by kind in the exported buckets, counted by the open model as results come in. */
  readonly buckets = new LatencyBuckets(latencyBucketsSeconds.map((bound) => bound * 1_000_000))

  private soFar = {
    intended: 0,
    sent: 0,
    completed: 0,
    rejected: 0,
    errors: 0,
    byCode: [] as number[],
  }
  private kindBuckets: KindBuckets[] = []
  private last: {
    target: number
    achieved: number
    behind: number
    lateP99Seconds: number
    simulatedMinutes: number
  } = {
    target: 0,
    achieved: 0,
    behind: 0,
    lateP99Seconds: 0,
    simulatedMinutes: 0,
  }

  private constructor(
    private readonly server: http.Server,
    readonly url: string,
  ) {}

  /** Listens on `host:port` (port 0: any free one); a port in use is the user's to change. */
  static async start(port: number, host = '127.0.0.1'): Promise<PrometheusExporter> {
    const { server, origin } = await listenHttp({
      host,
      port,
      headersTimeoutMs: 5_000,
      requestTimeoutMs: 10_000,
    }).catch((error: NodeJS.ErrnoException) => {
      throw error.code === 'EADDRINUSE' || error.code === 'EACCES'
        ? new UserError(`--prometheus: cannot listen on ${host}:${port} (${error.code})`)
        : error
    })
    const exporter = new PrometheusExporter(server, `${origin}/metrics`)
    server.on(
      'request',
      (request: http.IncomingMessage, response: http.ServerResponse) =>
        void exporter.answer(request, response),
    )
    exporter.register()
    return exporter
  }

  /** Takes each second of the run's telemetry as it closes, until unsubscribed. */
  follow(telemetry: RunTelemetry): Subscription {
    return telemetry.seconds$.subscribe((closed) =>
      this.update(closed.second, closed.soFar, closed.simulatedMinutes),
    )
  }

  /**
   * Takes the figures of a second that has just closed (latency: from `buckets`, filled meanwhile).
   */
  update(window: LoadSecond, soFar: LoadSoFar, simulatedMinutes: number): void {
    this.soFar = {
      intended: soFar.intended,
      sent: soFar.sent,
      completed: soFar.completed,
      rejected: soFar.rejected,
      errors: soFar.errors,
      byCode: [...soFar.byCode],
    }
    this.last = {
      target: window.targetTps,
      achieved: window.completedTps,
      behind: Math.max(0, soFar.intended - soFar.sent),
      lateP99Seconds: window.lateP99Ms / 1000,
      simulatedMinutes,
    }
    this.kindBuckets = transferKinds.flatMap((kind, index) => {
      const cumulative = this.buckets.cumulative(index)
      const count = cumulative[cumulative.length - 1] as number
      if (count === 0) return []
      return [
        {
          kind,
          counts: cumulative.slice(0, -1),
          count,
          sumSeconds: this.buckets.sumMicros(index) / 1_000_000,
        },
      ]
    })
  }

  async close(): Promise<void> {
    this.server.closeAllConnections()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  private async answer(
    request: http.IncomingMessage,
    response: http.ServerResponse,
  ): Promise<void> {
    const url = request.url ?? '/'
    if (url !== '/metrics' && !url.startsWith('/metrics?')) {
      response
        .writeHead(404, { 'content-type': 'text/plain' })
        .end('not found: the metrics are at /metrics\n')
      return
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response
        .writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' })
        .end('only GET\n')
      return
    }
    try {
      const text = await this.registry.metrics()
      response
        .writeHead(200, { 'content-type': this.registry.contentType })
        .end(request.method === 'HEAD' ? undefined : text)
    } catch {
      response
        .writeHead(500, { 'content-type': 'text/plain' })
        .end('the metrics could not be collected\n')
    }
  }

  /** Puts every figure in the registry, in the order a scrape lists them. */
  private register(): void {
    this.registerCounters()
    this.registerGauges()
    this.registerLatencyHistogram()
  }

  /**
   * The running totals. Each is read afresh from the last second's figures at every scrape, so a
   * counter is reset and set to the total rather than counted up as transfers go.
   */
  private registerCounters(): void {
    const registry = this.registry
    const total = (name: string, help: string, read: () => number) =>
      new client.Counter({
        name,
        help,
        registers: [registry],
        collect() {
          this.reset()
          this.inc(read())
        },
      })
    total(
      'citytwin_load_intended_total',
      'Transfers the schedule has made due so far',
      () => this.soFar.intended,
    )
    total('citytwin_load_sent_total', 'Transfers sent to the ledger', () => this.soFar.sent)
    total(
      'citytwin_load_completed_total',
      'Transfers the ledger has answered',
      () => this.soFar.completed,
    )
    total(
      'citytwin_load_rejected_total',
      'Answered transfers with a result code other than ok',
      () => this.soFar.rejected,
    )
    total(
      'citytwin_load_errors_total',
      'Transfers whose call failed without a result',
      () => this.soFar.errors,
    )
    const soFar = () => this.soFar
    new client.Counter({
      name: 'citytwin_load_results_total',
      help: 'Answered transfers by result code',
      labelNames: ['code'],
      registers: [registry],
      collect() {
        this.reset()
        soFar().byCode.forEach((count, code) => {
          if (count > 0) this.inc({ code: resultCodes[code] ?? String(code) }, count)
        })
      },
    })
  }

  /** The gauges: the figures as of the last whole second, read at every scrape. */
  private registerGauges(): void {
    const registry = this.registry
    const gauge = (name: string, help: string, read: () => number) =>
      new client.Gauge({
        name,
        help,
        registers: [registry],
        collect() {
          this.set(read())
        },
      })
    gauge(
      'citytwin_load_target_tps',
      'Transfers the schedule wanted in the last whole second',
      () => this.last.target,
    )
    gauge(
      'citytwin_load_achieved_tps',
      'Transfers answered in the last whole second',
      () => this.last.achieved,
    )
    gauge('citytwin_load_behind', 'Transfers due and not yet sent', () => this.last.behind)
    gauge(
      'citytwin_load_send_late_p99_seconds',
      'p99 of how late sends went out in the last whole second',
      () => this.last.lateP99Seconds,
    )
    gauge(
      'citytwin_simulated_minutes',
      'Simulated minutes the payments sent have covered',
      () => this.last.simulatedMinutes,
    )
  }

  /**
   * Latency by payment kind, in the buckets the open model has already counted: handed to the
   * registry whole, as a histogram, rather than observed one transfer at a time.
   */
  private registerLatencyHistogram(): void {
    const registry = this.registry
    const buckets = () => this.kindBuckets
    registry.registerMetric({
      name: 'citytwin_latency_seconds',
      help: 'Latency from intended send time to result, by payment kind',
      type: 'histogram',
      get: async () => ({
        name: 'citytwin_latency_seconds',
        help: 'Latency from intended send time to result, by payment kind',
        type: 'histogram',
        aggregator: 'sum',
        values: buckets().flatMap((kind) => [
          ...latencyBucketsSeconds.map((bound, index) => ({
            metricName: 'citytwin_latency_seconds_bucket',
            labels: { kind: kind.kind, le: bound },
            value: kind.counts[index] as number,
          })),
          {
            metricName: 'citytwin_latency_seconds_bucket',
            labels: { kind: kind.kind, le: '+Inf' },
            value: kind.count,
          },
          {
            metricName: 'citytwin_latency_seconds_sum',
            labels: { kind: kind.kind },
            value: kind.sumSeconds,
          },
          {
            metricName: 'citytwin_latency_seconds_count',
            labels: { kind: kind.kind },
            value: kind.count,
          },
        ]),
      }),
    } as unknown as client.Metric)
  }
}
