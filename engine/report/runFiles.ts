/**
 * A run folder's files: summary.json, metrics.csv and report.html (and what `serve` adds for
 * replay), written through a RunFolder: all of them, moved into place together, or none.
 * `citytwin report runs/<id>` reads the first two back, vouches for them (they may have been
 * edited, truncated or swapped) and renders the page again.
 *
 *   runs/<id>/
 *     summary.json   RunSummary: the figures, and what the page is drawn from
 *     metrics.csv    load: one row per second (needed to draw the page); flat-out: one per hour
 *     report.html    the page, self-contained
 */
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { z } from 'zod'
import { assert } from '../assert.js'
import { UserError } from '../errors.js'
import { readInsideFolder } from '../insideFolder.js'
import { describeFsError } from '../untrusted.js'
import { resultCodes, transferKinds } from '../ledger/index.js'
import { channels, providers } from '../ledger/channel.js'
import {
  banksMax,
  districtsMax,
  merchantSizesMax,
  metroLinesMax,
  metroStationsMax,
  runEventsMax,
  simulatedDaysMax,
  thresholdsMax,
} from '../limits.js'
import { renderReport } from './html.js'
import { capacityHtmlFile, isCapacityFolder, renderCapacityFolder } from './capacityFolder.js'
import { demandCsv } from './demandCsv.js'
import { mapFile, reportMapSchema, type ReportMap } from './reportMap.js'
import { metricsCsv, metricsCsvBytesMax, parseMetricsCsv } from './metricsCsv.js'
import type { RunFolder } from './runFolder.js'
import type { LoadSecond, RunSummary } from '../run/summary.js'

export const summaryFile = 'summary.json'
export const metricsFile = 'metrics.csv'
export const demandFile = 'demand.csv'
export const reportFile = 'report.html'
/** Bytes of a summary.json read back: far above any real one (aggregates only), far below harm. */
export const summaryBytesMax = 64 * 1024 * 1024
/** Bytes of a map.json read back: a city's outlines rounded are a few hundred kilobytes. */
const mapBytesMax = 16 * 1024 * 1024
/** Reasons a load run may give for being invalid, as kept in a summary read back. */
const invalidReasonsMax = 64
/** Buckets of a latency histogram read back (the engine writes 27). */
const latencyBucketsMax = 64
/** Schema issues listed when a summary is refused: enough to see what it is, not a page of them. */
const issuesShownMax = 10

export interface RunFiles {
  /**
   * Where the run is: the folder prepared, or `<it>-N` if something took that name while the run
   * went.
   */
  readonly folder: string
  readonly summary: string
  readonly metrics: string
  /** demand.csv: payments by simulated hour, district and kind. */
  readonly demand: string
  readonly report: string
}

/**
 * Writes the run's files, and `extra` ones (file name → text), into `folder`'s staging folder and
 * moves them into place together. On any failure nothing is kept (the staging folder is taken
 * away) and the error is thrown: a RunFolderWriteFailed when the file system refused.
 */
export async function writeRunFiles(
  folder: RunFolder,
  summary: RunSummary,
  seconds: readonly LoadSecond[] | undefined,
  extra: Readonly<Record<string, string>> = {},
  map?: ReportMap,
): Promise<RunFiles> {
  assert(
    (summary.mode === 'load') === (seconds !== undefined),
    'a load run, and only a load run, has its seconds',
  )
  try {
    // The page first in memory: if drawing fails, nothing was written.
    const csv = metricsCsv(summary, seconds)
    const page = renderReport(summary, seconds, map)
    await folder.write(summaryFile, summaryJson(summary))
    if (map !== undefined) await folder.write(mapFile, `${JSON.stringify(map)}\n`)
    await folder.write(metricsFile, csv)
    await folder.write(demandFile, demandCsv(summary))
    await folder.write(reportFile, page)
    for (const [file, text] of Object.entries(extra)) await folder.write(file, text)
    const at = await folder.commit()
    return {
      folder: at,
      summary: path.join(at, summaryFile),
      metrics: path.join(at, metricsFile),
      demand: path.join(at, demandFile),
      report: path.join(at, reportFile),
    }
  } catch (error) {
    await folder.discard()
    throw error
  }
}

/**
 * A run folder's summary and, for a load run, its seconds; anything missing or not what it claims
 * is a UserError naming the file.
 */
export async function readRunFolder(
  folder: string,
): Promise<{ summary: RunSummary; seconds: LoadSecond[] | undefined }> {
  let stat
  try {
    stat = await fs.stat(folder)
  } catch (error) {
    throw new UserError(`${folder}: cannot read the run folder (${describeFsError(error)})`)
  }
  if (!stat.isDirectory()) throw new UserError(`${folder}: not a run folder (it is a file)`)

  const file = path.join(folder, summaryFile)
  // Inside the folder, links resolved: a summary.json that is a link elsewhere is not read.
  const text = await readInsideFolder(folder, summaryFile, summaryBytesMax, 'summary')
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new UserError(
      `${file}: not JSON (${error instanceof Error ? error.message : String(error)})`,
    )
  }
  const parsed = summarySchema.safeParse(json)
  if (!parsed.success) {
    const all = parsed.error.issues
    const issues = all
      .slice(0, issuesShownMax)
      .map((issue) => `${formatPath(issue.path) || '(top)'}: ${issue.message}`)
    if (all.length > issuesShownMax) issues.push(`… and ${all.length - issuesShownMax} more`)
    throw new UserError(`${file}: not the summary of a citytwin run`, issues)
  }
  const summary = parsed.data
  if (summary.mode === 'flat-out') return { summary, seconds: undefined }

  const csvFile = path.join(folder, metricsFile)
  const seconds = parseMetricsCsv(
    await readInsideFolder(folder, metricsFile, metricsCsvBytesMax, 'metrics'),
    csvFile,
  )
  return { summary, seconds }
}

/**
 * Draws report.html again from the folder's files (capacity.html, for a capacity search's folder);
 * returns its path.
 */
export async function renderRunFolder(folder: string): Promise<string> {
  if (!(await hasSummary(folder)) && (await isCapacityFolder(folder)))
    return writeAtomically(path.join(folder, capacityHtmlFile), await renderCapacityFolder(folder))
  const { summary, seconds } = await readRunFolder(folder)
  const map = await readReportMap(folder)
  return writeAtomically(path.join(folder, reportFile), renderReport(summary, seconds, map))
}

/**
 * The folder's map.json, if it has one (a folder written before maps, or by a test, has none): read
 * inside the folder, bounded, and checked.
 */
async function readReportMap(folder: string): Promise<ReportMap | undefined> {
  const stat = await fs.lstat(path.join(folder, mapFile)).catch(() => undefined)
  if (stat === undefined) return undefined
  const file = path.join(folder, mapFile)
  const text = await readInsideFolder(folder, mapFile, mapBytesMax, 'map')
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new UserError(
      `${file}: not JSON (${error instanceof Error ? error.message : String(error)})`,
    )
  }
  const parsed = reportMapSchema.safeParse(json)
  if (!parsed.success)
    throw new UserError(
      `${file}: not the district outlines of a citytwin run`,
      parsed.error.issues
        .slice(0, issuesShownMax)
        .map((issue) => `${formatPath(issue.path) || '(top)'}: ${issue.message}`),
    )
  return parsed.data
}

async function hasSummary(folder: string): Promise<boolean> {
  const stat = await fs.lstat(path.join(folder, summaryFile)).catch(() => undefined)
  return stat !== undefined
}

/** Writes `text` beside `file` under a temporary name, then renames it over `file`. */
async function writeAtomically(file: string, text: string): Promise<string> {
  const temporary = `${file}.${process.pid}.tmp`
  try {
    await fs.writeFile(temporary, text)
    await fs.rename(temporary, file)
  } catch (error) {
    await fs.rm(temporary, { force: true })
    throw error
  }
  return file
}

function formatPath(at: readonly PropertyKey[]): string {
  return at
    .map((key, index) =>
      typeof key === 'number' ? `[${key}]` : index === 0 ? String(key) : `.${String(key)}`,
    )
    .join('')
}

// What a summary read back must hold: every field the page draws, of the right type. The schema
// is typed against RunSummary, so a field added there and not here fails to compile.
const count = () => z.number().int().nonnegative()
const figure = () => z.number().nonnegative()
const fen = () => z.number().int().min(-Number.MAX_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER)
const text = () => z.string().max(4096)

const latencySchema = z.object({
  count: count(),
  p50Ms: figure(),
  p90Ms: figure(),
  p99Ms: figure(),
  p999Ms: figure(),
  maxMs: figure(),
  meanMs: figure(),
})

const kindFiguresSchema = z.object({
  submitted: count(),
  accepted: count(),
  rejected: count(),
  amountFen: fen(),
})

/**
 * Figures by transfer kind, every kind present: a kind newer than the summary (written before it
 * existed) reads as none of it.
 */
const mixFigures = z.object({ payments: count(), accepted: count(), amountFen: fen() })
const noMix = { payments: 0, accepted: 0, amountFen: 0 }
/** Every name of `names`, each read or, when a summary lacks it, none. */
function everyName<N extends string, T extends z.ZodType>(
  names: readonly N[],
  figures: T,
  none: z.input<T>,
): z.ZodType<Record<N, z.output<T>>> {
  return z.preprocess(
    (value) => {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return value
      const given = value as Record<string, unknown>
      return Object.fromEntries(names.map((name) => [name, given[name] ?? none]))
    },
    z.object(Object.fromEntries(names.map((name) => [name, figures]))).strict(),
  ) as unknown as z.ZodType<Record<N, z.output<T>>>
}
const mixSchema = z.object({
  byChannel: everyName(channels, mixFigures, noMix),
  byProvider: everyName(providers, mixFigures, noMix),
  bankApps: z.array(z.object({ bank: text() }).extend(mixFigures.shape)).max(banksMax),
  twoPhase: z.partialRecord(
    z.enum(transferKinds),
    z.object({
      reserved: count(),
      posted: count(),
      voided: count(),
      expired: count(),
      held: count(),
      postedFen: fen(),
    }),
  ),
  visitors: z
    .object({
      arrived: count(),
      topupFen: fen(),
      payments: count(),
      accepted: count(),
      amountFen: fen(),
    })
    .exactOptional(),
})

function everyKind<T extends z.ZodType>(figures: T, none: z.input<T>) {
  return z.preprocess(
    (value) => {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return value
      const given = value as Record<string, unknown>
      return Object.fromEntries(transferKinds.map((kind) => [kind, given[kind] ?? none]))
    },
    z.record(z.enum(transferKinds), figures),
  )
}

const loadSchema = z.object({
  profile: text(),
  sort: z.enum(['rate', 'realistic']),
  durationSeconds: figure(),
  plannedSeconds: figure(),
  abortedBy: text().exactOptional(),
  inFlightMax: count(),
  targetTps: z.object({ mean: figure(), peak: figure() }),
  achievedTps: figure(),
  intended: count(),
  sent: count(),
  dropped: count(),
  completed: count(),
  errors: count(),
  unanswered: count(),
  rejected: count(),
  pacingErrorPct: figure(),
  latencyMs: z.object({
    overall: latencySchema,
    byKind: z.partialRecord(z.enum(transferKinds), latencySchema),
  }),
  latencyHistogram: z
    .object({
      boundsMs: z.array(z.number().positive()).max(latencyBucketsMax),
      overall: z.array(count()).max(latencyBucketsMax),
      byKind: z.partialRecord(z.enum(transferKinds), z.array(count()).max(latencyBucketsMax)),
    })
    .exactOptional(),
  lateMs: latencySchema,
  valid: z.boolean(),
  invalidReasons: z.array(text()).max(invalidReasonsMax),
  thresholds: z
    .array(
      z.object({
        threshold: text(),
        actual: z.number(),
        unit: z.enum(['ms', '%', 'transfers']),
        ok: z.boolean(),
      }),
    )
    .max(thresholdsMax),
  thresholdsOk: z.boolean(),
  simulated: z.object({ to: text(), minutes: figure(), speed: figure() }),
  evenings: count(),
  periodRanOut: z.boolean().default(false),
  lateToleranceMs: z.number().nonnegative().default(10),
  events: z
    .array(
      z.object({
        second: figure(),
        kind: z.enum(['pause', 'resume', 'speed', 'rate', 'slowdown', 'outage', 'stop']),
        label: text(),
        simulatedAt: text().exactOptional(),
      }),
    )
    .max(runEventsMax)
    .exactOptional(),
  eventsDropped: count().exactOptional(),
})

const summarySchema: z.ZodType<RunSummary> = z
  .object({
    scenario: text(),
    seed: z.number().int(),
    digest: text(),
    mode: z.enum(['flat-out', 'load']),
    ledger: text(),
    workers: count(),
    scale: figure(),
    agents: z.object({
      residents: count(),
      adopted: count(),
      merchants: count(),
      riders: count(),
      institutions: count(),
    }),
    simulated: z.object({ from: text(), to: text(), minutes: figure() }),
    transfers: z.object({
      submitted: count(),
      accepted: count(),
      rejected: count(),
      byKind: everyKind(kindFiguresSchema, {
        submitted: 0,
        accepted: 0,
        rejected: 0,
        amountFen: 0,
      }),
      byReason: z.partialRecord(z.enum(resultCodes), count()),
    }),
    demand: z.object({
      perHour: z.array(count()).max(simulatedDaysMax * 24),
      peakPerMinute: count(),
      peakAt: text(),
      hourly: z
        .object({
          districts: z.array(text()).max(districtsMax + 1),
          kinds: z.array(z.enum(transferKinds)).max(transferKinds.length),
          cells: z
            .array(z.tuple([count(), count(), count(), count(), count(), fen()]))
            .max(simulatedDaysMax * 24 * (districtsMax + 1) * transferKinds.length),
        })
        .refine(
          (hourly) =>
            hourly.cells.every(
              ([, district, kind]) =>
                district < hourly.districts.length && kind < hourly.kinds.length,
            ),
          { message: 'a cell names a district and a kind the table lists' },
        )
        .exactOptional(),
    }),
    districts: z
      .array(
        z.object({
          district: text(),
          payments: count(),
          accepted: count(),
          rejected: count(),
          amountFen: fen(),
          residents: count().exactOptional(),
          adoption: z.number().min(0).max(1).exactOptional(),
        }),
      )
      .max(districtsMax),
    wallSeconds: figure(),
    phases: z.object({
      synthesisSeconds: figure(),
      simulationSeconds: figure(),
      auditSeconds: figure(),
    }),
    throughput: z.object({ transfersPerSecond: figure() }),
    conservation: z.object({
      ok: z.boolean(),
      issuedFen: fen(),
      redeemedFen: fen(),
      balancesFen: fen(),
      negativeBalances: count(),
    }),
    doubleEntry: z.object({
      ok: z.boolean(),
      byKind: everyKind(z.object({ debitsFen: fen(), creditsFen: fen(), acceptedFen: fen() }), {
        debitsFen: 0,
        creditsFen: 0,
        acceptedFen: 0,
      }),
      pendingFen: fen(),
      pendingHeld: count().exactOptional(),
      pendingExpectedFen: fen().exactOptional(),
    }),
    stoppedEarly: z.object({ by: text(), reason: text() }).exactOptional(),
    banks: z
      .array(
        z.object({
          bank: text(),
          openingToWalletsFen: fen(),
          toWalletsFen: fen(),
          toDepositsFen: fen(),
          openingToEmployersFen: fen().exactOptional(),
          toEmployersFen: fen().exactOptional(),
          depositsOpenedFen: fen().exactOptional(),
          depositsHeldFen: fen().exactOptional(),
        }),
      )
      .max(banksMax)
      .exactOptional(),
    merchants: z
      .object({
        merchants: count(),
        accepting: count(),
        atNonAccepting: count(),
        bySize: z
          .array(
            z.object({
              size: text(),
              merchants: count(),
              accepting: count(),
              payments: count(),
              amountFen: fen(),
            }),
          )
          .max(merchantSizesMax),
      })
      .exactOptional(),
    mix: mixSchema.exactOptional(),
    ridership: z
      .object({
        metroRides: count(),
        busRides: count(),
        stations: z
          .array(z.object({ station: text(), tapIns: count(), tapOuts: count() }))
          .max(metroStationsMax),
        lines: z
          .array(z.object({ line: text(), colour: text(), rides: count() }))
          .max(metroLinesMax),
      })
      .exactOptional(),
    ledgerHealth: z
      .object({
        faults: z.record(z.string().max(32), count()),
        recovered: count(),
        longestRecoveryMs: z.number().nonnegative(),
      })
      .exactOptional(),
    load: loadSchema.exactOptional(),
  })
  .refine((summary) => (summary.mode === 'load') === (summary.load !== undefined), {
    message: 'a load run, and only a load run, has a "load" section',
    path: ['load'],
  })

/**
 * summary.json as people read it, indented, but with every list of plain numbers on one line (a
 * histogram's buckets, one cell of the hourly table): a year of hourly cells indented a number to
 * a line would be tens of megabytes.
 */
export function summaryJson(summary: RunSummary): string {
  const number = String.raw`-?\d+(?:\.\d+)?(?:e[+-]?\d+)?`
  const numbers = new RegExp(String.raw`\[\s*(${number}(?:,\s*${number})*)\s*\]`, 'g')
  const text = JSON.stringify(summary, null, 2).replace(
    numbers,
    (_, list: string) => `[${list.split(/,\s*/).join(', ')}]`,
  )
  return `${text}\n`
}
