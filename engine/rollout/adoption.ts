/**
 * Adoption over a rollout: the Bass diffusion model per district, promotions that lift it on a
 * date, and the habit of adopters (their share of their own payments made in e-CNY growing with
 * the time since they adopted).
 *
 * Bass (1969): the share of the market potential m adopted t years after the start is
 *   F(t) = (1 - e^{-(p+q)t}) / (1 + (q/p) e^{-(p+q)t})
 * with p the coefficient of innovation (adopting unprompted) and q of imitation (adopting as
 * others have). The share of residents with a wallet is m F(t).
 */
import { assert } from '../assert.js'
import { adoptionLevels, adoptionLevelShare } from '../population/columns.js'
import type { BassParameters, Rollout } from '../../scenarios/rolloutSchema.js'
import { dayNumber } from '../../scenarios/rolloutSchema.js'

const daysPerYear = 365.25

/** The Bass cumulative share of the market potential adopted after `years` (0 before the start). */
export function bassFraction(parameters: Pick<BassParameters, 'p' | 'q'>, years: number): number {
  const { p, q } = parameters
  assert(p > 0 && q >= 0, 'Bass parameters were checked')
  if (years <= 0) return 0
  const decay = Math.exp(-(p + q) * years)
  return (1 - decay) / (1 + (q / p) * decay)
}

/** A district's Bass curve: the city's parameters with the district's own in their place. */
export function districtBass(rollout: Rollout, districtId: string): BassParameters | undefined {
  const city = rollout.adoption.bass
  const own = rollout.adoption.districts?.[districtId]
  if (own?.table !== undefined) return undefined
  if (city === undefined) return undefined
  return { p: own?.p ?? city.p, q: own?.q ?? city.q, m: own?.m ?? city.m }
}

/** The district's table of shares by date, if its curve is one (its own, or the city's). */
function districtTable(rollout: Rollout, districtId: string): ShareTable | undefined {
  return rollout.adoption.districts?.[districtId]?.table ?? rollout.adoption.table
}

type ShareTable = readonly { readonly date: string; readonly share: number }[]

/**
 * A table read at `day`: 0 before the rollout's start, rising in a line from 0 at the start to
 * the first date's share, in a line between dates, and the last share after the last date.
 */
export function tableShare(table: ShareTable, start: number, day: number): number {
  if (day < start) return 0
  let fromDay = start
  let fromShare = 0
  for (const entry of table) {
    const at = dayNumber(entry.date)
    if (day < at) {
      if (at <= fromDay) return entry.share
      return fromShare + ((entry.share - fromShare) * (day - fromDay)) / (at - fromDay)
    }
    fromDay = at
    fromShare = entry.share
  }
  return fromShare
}

/**
 * The share of a district's residents holding a wallet at the end of local day `day` (days since
 * 1970-01-01): its curve (Bass from the rollout's start, or a table of shares by date) plus every
 * promotion held in the district by then, at most 1.
 */
export function adoptionShare(rollout: Rollout, districtId: string, day: number): number {
  const start = dayNumber(rollout.start)
  const bass = districtBass(rollout, districtId)
  let share: number
  if (bass !== undefined) {
    // A day counts once it has passed: on the first day, the first day's adopters.
    share = bass.m * bassFraction(bass, (day + 1 - start) / daysPerYear)
  } else {
    const table = districtTable(rollout, districtId)
    share = table === undefined ? 0 : tableShare(table, start, day)
  }
  for (const promotion of rollout.adoption.promotions) {
    if (dayNumber(promotion.date) > day || day < start) continue
    if (promotion.districts !== undefined && !promotion.districts.includes(districtId)) continue
    share += promotion.lift
  }
  return Math.min(1, share)
}

/** An adopter's share of their own payments made in e-CNY, `age` days after adopting. */
function habitAt(rollout: Rollout, age: number): number {
  const { habitStart, habitDays } = rollout.adoption
  return 1 - (1 - habitStart) * Math.exp(-Math.max(0, age) / habitDays)
}

/**
 * The adopters' mean share of their own payments made in e-CNY on `day`: each cohort (the
 * residents who adopted on one day) pays `habitStart` of its payments in e-CNY on its first day,
 * approaching all of them with a time constant of `habitDays`. A modelling assumption. This is
 * the mean of what `habitByLevel` gives each adopter.
 */
export function habitShare(rollout: Rollout, districtId: string, day: number): number {
  const { habitStart } = rollout.adoption
  if (habitStart >= 1) return 1
  const start = dayNumber(rollout.start)
  const total = adoptionShare(rollout, districtId, day)
  if (total <= 0) return habitStart
  let weighted = 0
  let before = 0
  for (let cohort = start; cohort <= day; cohort++) {
    const share = adoptionShare(rollout, districtId, cohort)
    const joined = share - before
    before = share
    weighted += joined * habitAt(rollout, day - cohort)
  }
  return weighted / total
}

/**
 * Each adopter's habit on `day`, by district and adoption level (district * adoptionLevels +
 * level): a resident of a level opened their wallet on the first day their district's share
 * passed the level's share, and pays `habitAt` of the days since. A share that falls and rises
 * again counts from its first rise. Undefined when every adopter pays all (habitStart 1).
 */
export function habitByLevel(
  rollout: Rollout,
  districtIds: readonly string[],
  day: number,
): number[] | undefined {
  if (rollout.adoption.habitStart >= 1) return undefined
  const start = dayNumber(rollout.start)
  const out: number[] = []
  for (const id of districtIds) {
    let cohort = start
    let reached = day < start ? 0 : adoptionShare(rollout, id, start)
    for (let level = 0; level < adoptionLevels; level++) {
      const share = adoptionLevelShare(level)
      while (reached <= share && cohort < day) {
        cohort += 1
        reached = Math.max(reached, adoptionShare(rollout, id, cohort))
      }
      // Not an adopter on the day, or only today: the first day's habit.
      out.push(reached > share ? habitAt(rollout, day - cohort) : rollout.adoption.habitStart)
    }
  }
  return out
}

/**
 * The share of a merchant category accepting e-CNY on `day`: its curve in the rollout (Bass from
 * the start, or a table), or all of it when the rollout gives the category none.
 */
export function acceptanceShare(rollout: Rollout, category: string, day: number): number {
  const curve = rollout.merchants?.acceptance[category]
  if (curve === undefined) return 1
  const start = dayNumber(rollout.start)
  if (curve.table !== undefined) return tableShare(curve.table, start, day)
  const { p = 1, q = 0, m = 1 } = curve
  return m * bassFraction({ p, q }, (day + 1 - start) / daysPerYear)
}

/**
 * The wallet tiers' shares on `day`: each month since the start, `perMonth` of the wallets still
 * in tier `from` move to tier `to` (counted in months of 30.44 days, a modelling simplification).
 */
export function upgradedTierShares(
  rollout: Rollout,
  tiers: readonly { readonly tier: number; readonly share: number }[],
  day: number,
): number[] {
  const upgrades = rollout.tierUpgrades
  if (upgrades === undefined) return tiers.map((tier) => tier.share)
  const months = Math.max(0, (day - dayNumber(rollout.start)) / (daysPerYear / 12))
  const from = tiers.find((tier) => tier.tier === upgrades.from)?.share ?? 0
  const moved = from * (1 - (1 - upgrades.perMonth) ** months)
  return tiers.map((tier) => {
    if (tier.tier === upgrades.from) return tier.share - moved
    if (tier.tier === upgrades.to) return tier.share + moved
    return tier.share
  })
}
