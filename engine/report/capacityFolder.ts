/**
 * `citytwin report` on a capacity folder: capacity.html drawn again from its capacity.json, read
 * inside the folder (links resolved), bounded, and checked field by field before anything is
 * drawn; a file that is not a capacity report is a clear error naming the file and the fields.
 */
import path from 'node:path'
import { z } from 'zod'
import { UserError } from '../errors.js'
import { readInsideFolder } from '../insideFolder.js'
import {
  capacityHtmlFile,
  capacityJsonFile,
  renderCapacityReport,
  type CapacityReport,
} from './capacity.js'

/** Bytes of a capacity.json read back: a search of hundreds of trials is far below it. */
const capacityBytesMax = 8 * 1024 * 1024
const trialsMax = 10_000
const textsMax = 64
const issuesShownMax = 8

const text = () => z.string().max(4096)
const figure = () => z.number().nonnegative()

const trialSchema = z.object({
  tps: figure(),
  ok: z.boolean(),
  achievedTps: figure(),
  p50Ms: figure(),
  p99Ms: figure(),
  p999Ms: figure(),
  maxMs: figure(),
  lateP99Ms: figure(),
  dropped: figure(),
  rejectedPct: figure(),
  failed: z.array(text()).max(textsMax),
  periodRanOut: z.boolean(),
  peakPerMinute: figure().exactOptional(),
  peakAt: text().exactOptional(),
  simulatedTo: text().exactOptional(),
})

const reportSchema = z.object({
  scenario: text(),
  seed: z.number().int(),
  ledger: text(),
  residents: figure(),
  slo: z.array(text()).max(textsMax),
  windowSeconds: figure(),
  warmupSeconds: figure(),
  outcome: z.enum(['found', 'limit', 'none', 'interrupted']),
  interrupted: text().exactOptional(),
  kneeTps: figure(),
  failedTps: figure().nullable(),
  trials: z.array(trialSchema).max(trialsMax),
  scale: figure().exactOptional(),
  periodCapTps: figure().exactOptional(),
})

/** Whether `folder` is a capacity search's (it holds a capacity.json). */
export async function isCapacityFolder(folder: string): Promise<boolean> {
  try {
    await readInsideFolder(folder, capacityJsonFile, capacityBytesMax, 'capacity')
    return true
  } catch {
    return false
  }
}

/** capacity.html of `folder` drawn again; the text, for the caller to write. */
export async function renderCapacityFolder(folder: string): Promise<string> {
  return renderCapacityReport(await readCapacityReport(folder, capacityJsonFile))
}

/**
 * A capacity search's report, read from `name` inside `folder` (links resolved, bounded) and
 * checked field by field; anything else is a clear error naming the file.
 */
export async function readCapacityReport(folder: string, name: string): Promise<CapacityReport> {
  const file = path.join(folder, name)
  const raw = await readInsideFolder(folder, name, capacityBytesMax, 'capacity')
  let json: unknown
  try {
    json = JSON.parse(raw)
  } catch (error) {
    throw new UserError(
      `${file}: not JSON (${error instanceof Error ? error.message : String(error)})`,
    )
  }
  const parsed = reportSchema.safeParse(json)
  if (!parsed.success) {
    const all = parsed.error.issues
    const issues = all
      .slice(0, issuesShownMax)
      .map((issue) => `${issue.path.map(String).join('.') || '(top)'}: ${issue.message}`)
    if (all.length > issuesShownMax) issues.push(`… and ${all.length - issuesShownMax} more`)
    throw new UserError(`${file}: not the report of a citytwin capacity search`, issues)
  }
  return parsed.data
}

export { capacityHtmlFile }
