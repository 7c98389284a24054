/**
 * The run's summary, from its parts: what the CLI prints, `--json` emits and summary.json keeps.
 */
import { districtRows, foldFigures } from '../counting/districtRows.js'
import type { DistrictCounters } from '../counting/districtCounters.js'
import type { LedgerHealth } from '../ledger/index.js'
import type { TransferCounters } from '../metrics/transferCounters.js'
import type { Plan } from '../plan/index.js'
import { isoMinute } from '../time/index.js'
import type { ExecutorOutcome } from './executors/index.js'
import type { RunSummary } from './summary.js'

export interface RunParts {
  readonly plan: Plan
  readonly workers: number
  readonly agents: { readonly adopted: number; readonly riders: number }
  readonly mode: RunSummary['mode']
  readonly ledger: { readonly name: string; readonly health?: LedgerHealth | undefined }
  readonly counters: TransferCounters
  readonly districts: DistrictCounters
  readonly digest: string
  readonly outcome: ExecutorOutcome
  readonly conservation: RunSummary['conservation']
  readonly doubleEntry: RunSummary['doubleEntry']
  readonly people?: RunSummary['people']
  readonly banks?: RunSummary['banks']
  readonly merchants?: RunSummary['merchants']
  readonly mix?: RunSummary['mix']
  readonly ridership?: RunSummary['ridership']
  /**
   * Wall times, ms: the run's start (the city's building, for a city's first run), the simulation's
   * end, the audit's end.
   */
  readonly times: {
    readonly startedMs: number
    readonly simulatedMs: number
    readonly endedMs: number
    readonly synthesisSeconds: number
  }
}

export function summarize(parts: RunParts): RunSummary {
  const { plan, counters, outcome, times } = parts
  const wallSeconds = (times.endedMs - times.startedMs) / 1000
  const { load, stoppedEarly } = outcome
  return {
    scenario: plan.scenarioName,
    seed: plan.seed,
    digest: parts.digest,
    mode: parts.mode,
    ledger: parts.ledger.name,
    workers: parts.workers,
    scale: plan.scale,
    agents: {
      residents: plan.residents,
      adopted: parts.agents.adopted,
      merchants: plan.merchants,
      riders: parts.agents.riders,
      // Every account before the merchants but the visitors' wallets.
      institutions: plan.accounts.merchantFirst - plan.accounts.visitorCount,
    },
    simulated: { from: isoMinute(plan.clock, 0), ...outcome.simulated },
    transfers: {
      submitted: counters.submitted,
      accepted: counters.accepted,
      rejected: counters.rejected,
      byKind: counters.byKind(),
      byReason: counters.byReason(),
    },
    demand: demandWithin(parts, outcome.simulated.minutes),
    // Districts below the residents' floor are shown only folded together.
    districts: districtRowsOf(parts),
    wallSeconds,
    phases: {
      synthesisSeconds: times.synthesisSeconds,
      simulationSeconds: (times.simulatedMs - outcome.startedMs) / 1000,
      auditSeconds: (times.endedMs - times.simulatedMs) / 1000,
    },
    throughput: {
      transfersPerSecond: wallSeconds > 0 ? Math.round(counters.submitted / wallSeconds) : 0,
    },
    conservation: parts.conservation,
    doubleEntry: parts.doubleEntry,
    ...(stoppedEarly === undefined ? {} : { stoppedEarly }),
    ...(parts.ledger.health === undefined ? {} : { ledgerHealth: parts.ledger.health }),
    ...(load === undefined ? {} : { load }),
    ...(parts.people === undefined ? {} : { people: parts.people }),
    ...(parts.banks === undefined ? {} : { banks: parts.banks }),
    ...(parts.merchants === undefined ? {} : { merchants: parts.merchants }),
    ...(parts.mix === undefined ? {} : { mix: parts.mix }),
    ...(parts.ridership === undefined ? {} : { ridership: parts.ridership }),
  }
}

/**
 * The demand inside the simulated window only: its hours, its busiest minute, and its payments by
 * hour, row of districts and kind (what the city made beyond the window, ahead of the sender, is
 * not counted).
 */
function demandWithin(parts: RunParts, minutes: number): RunSummary['demand'] {
  const { plan, outcome } = parts
  const peak = outcome.demand.peakWithin(minutes)
  const perHour = outcome.demand.perHourWithin(minutes)
  return {
    perHour,
    peakPerMinute: peak.payments,
    peakAt: isoMinute(plan.clock, peak.tick),
    hourly: parts.districts.hourlyFigures(perHour.length, districtRows(plan.districts)),
  }
}

/** Payments by row of districts, with each row's residents and their planned wallet share. */
function districtRowsOf(parts: RunParts): RunSummary['districts'] {
  const { plan } = parts
  const rows = districtRows(plan.districts)
  return foldFigures(parts.districts.figures(), rows).map((figures, row) => {
    const members = (rows.members[row] ?? []).map((index) => plan.districts[index])
    const residents = members.reduce((sum, member) => sum + (member?.residents ?? 0), 0)
    const adopted = members.reduce(
      (sum, member) => sum + (member?.residents ?? 0) * (member?.adoption ?? 0),
      0,
    )
    return { ...figures, residents, adoption: residents === 0 ? 0 : adopted / residents }
  })
}
