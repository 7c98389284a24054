/**
 * Who the residents are, planned per district: the draws synthesis makes for each resident's age
 * band, income band, bank account and device, and how the district's wallets and jobs spread over
 * its age bands.
 */
import type { Scenario } from '../../scenarios/schema.js'
import { ageBandNames, incomeBandNames, type AgeBands } from '../../scenarios/peopleSchema.js'

export interface PlannedPeople {
  /** Per district, the age bands' cumulative shares (children, working, elderly). */
  readonly ageCumulative: readonly (readonly number[])[]
  /**
   * Per district and band, what the district's wallet share is multiplied by for a resident of the
   * band: the band's adoption factor over the district's mean factor, so the district's share of
   * wallets stays as given.
   */
  readonly adoptionWeight: readonly (readonly number[])[]
  /** Per district and band, the chance a resident of the band is employed: working age only. */
  readonly employedByBand: readonly (readonly number[])[]
  readonly incomeCumulative: readonly number[]
  /** Of residents aged 15 and over; children hold no account. */
  readonly bankedShare: number
  /** By band. */
  readonly hardWalletShare: readonly number[]
}

/** The people of the scenario, planned; none when the scenario has no people section. */
export function planPeople(scenario: Scenario): PlannedPeople | undefined {
  const people = scenario.people
  if (people === undefined) return undefined
  const bands = scenario.city.districts.map((district) => district.ageBands ?? people.ageBands)
  const factors = ageBandNames.map((band) => people.adoptionFactor[band])
  return {
    ageCumulative: bands.map((shares) => cumulativeOf(ageBandNames.map((band) => shares[band]))),
    adoptionWeight: bands.map((shares) => {
      const mean = ageBandNames.reduce(
        (sum, band, index) => sum + shares[band] * (factors[index] ?? 0),
        0,
      )
      return factors.map((factor) => (mean > 0 ? factor / mean : 0))
    }),
    employedByBand: bands.map((shares) => employment(shares, scenario.city.employedShare)),
    incomeCumulative: cumulativeOf(incomeBandNames.map((band) => people.incomeBands[band])),
    bankedShare: people.bankedShare,
    hardWalletShare: ageBandNames.map((band) => people.hardWalletShare[band]),
  }
}

/** Jobs go to the working-age band only, as many as the employed share of all residents asks. */
function employment(shares: AgeBands, employedShare: number): number[] {
  const working = shares.working > 0 ? Math.min(1, employedShare / shares.working) : 0
  return [0, working, 0]
}

function cumulativeOf(weights: readonly number[]): number[] {
  let sum = 0
  return weights.map((weight) => (sum += weight))
}
