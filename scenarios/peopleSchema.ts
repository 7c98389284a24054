/**
 * Who the residents are: their age band, income band, whether they hold a bank account, and
 * whether they pay with a hard wallet (a card) rather than a phone. Optional: without it residents
 * carry none of these, as before.
 */
import { z } from 'zod'
import { isObject } from '../engine/untrusted.js'

const share = () =>
  z
    .number({ error: 'must be a share between 0 and 1' })
    .min(0, { error: 'must be a share between 0 and 1' })
    .max(1, { error: 'must be a share between 0 and 1' })

const factor = () =>
  z
    .number({ error: 'must be a factor, like 0.5 (1: as likely as anyone)' })
    .nonnegative({ error: 'must be a factor of 0 or more' })
    .max(100, { error: 'must be at most 100' })

/** Shares of residents by age band: under 15, 15 to 59, 60 and over (the census's bands). */
export const ageBandsSchema = z
  .object({ children: share(), working: share(), elderly: share() })
  .strict()

export const ageBandNames = ['children', 'working', 'elderly'] as const
export const incomeBandNames = ['low', 'middle', 'high'] as const

export const peopleSchema = z
  .object({
    /** The city's age structure; a district's own `ageBands` replaces it. */
    ageBands: ageBandsSchema,
    incomeBands: z.object({ low: share(), middle: share(), high: share() }).strict(),
    /** Share of residents aged 15 and over holding a bank account (children hold none). */
    bankedShare: share(),
    /** Share of each age band paying with a hard wallet (a card) instead of a phone. */
    hardWalletShare: ageBandsSchema,
    /**
     * How likely each age band is to hold a wallet, relative to the others: a district's share of
     * wallets stays as given, spread over its bands by these weights.
     */
    adoptionFactor: z
      .object({ children: factor(), working: factor(), elderly: factor() })
      .strict()
      .default({ children: 1, working: 1, elderly: 1 }),
  })
  .strict()

export type People = z.output<typeof peopleSchema>
export type AgeBands = z.output<typeof ageBandsSchema>

const tolerance = 1e-6

/** The bands' shares add up to 1, the city's and each district's. */
export function peopleIssues(scenario: Record<string, unknown>): string[] {
  const issues: string[] = []
  const people = isObject(scenario.people) ? scenario.people : undefined
  const sums = (value: unknown, at: string) => {
    if (!isObject(value)) return
    const shares = Object.values(value)
    if (!shares.every((one) => typeof one === 'number')) return
    const total = shares.reduce((sum, one) => sum + one, 0)
    if (Math.abs(total - 1) > tolerance) {
      issues.push(
        `${at}: shares must add up to 1 (they add up to ${Math.round(total * 1e6) / 1e6})`,
      )
    }
  }
  if (people !== undefined) {
    sums(people.ageBands, 'people.ageBands')
    sums(people.incomeBands, 'people.incomeBands')
  }
  const city = isObject(scenario.city) ? scenario.city : {}
  const districts = Array.isArray(city.districts) ? (city.districts as unknown[]) : []
  districts.forEach((district, index) => {
    if (!isObject(district) || district.ageBands === undefined) return
    sums(district.ageBands, `city.districts[${index}].ageBands`)
    if (people === undefined) {
      issues.push(`city.districts[${index}].ageBands: needs the people section it refines`)
    }
  })
  return issues
}
