/**
 * Population synthesis, one segment at a time. Each segment draws from its own stream
 * (seed, kind, segment), so segments can be built in any order, on any thread, with the same
 * result.
 *
 * Residents are laid out by home district (district 0's residents first), so a resident's home
 * follows from its row alone; everything else is drawn.
 */
import { assert } from '../assert.js'
import type { City } from '../city/index.js'
import { cumulative, Random } from '../random/index.js'
import type { Plan, Segment } from '../plan/plan.js'
import { adoptionLevel, ResidentFlag, ResidentTrait, type Population } from './columns.js'
import type { PlannedPeople } from '../plan/people.js'

export function synthesizeResidents(plan: Plan, population: Population, segment: Segment): void {
  const random = new Random(plan.seed, 'residents', segment.index)
  const jobs = cumulative(plan.districts.map((district) => district.jobs))
  const tiers = cumulative(plan.tiers.map((tier) => tier.share))
  const anonymous = anonymousTier(plan)
  const bankCount = plan.banks.length

  let home = 0
  let homeEnd = plan.districts[0]?.residents ?? 0
  while (homeEnd <= segment.residentStart && home < plan.districts.length - 1) {
    home += 1
    homeEnd += (plan.districts[home] as Plan['districts'][number]).residents
  }
  for (let resident = segment.residentStart; resident < segment.residentEnd; resident++) {
    while (resident >= homeEnd) {
      home += 1
      homeEnd += (plan.districts[home] as Plan['districts'][number]).residents
    }
    const district = plan.districts[home]
    assert(district !== undefined, 'every resident has a home district')
    population.home[resident] = home
    population.work[resident] = random.chance(plan.sameDistrictWorkShare) ? home : random.pick(jobs)
    // Tier 0 has share 0, so pick never returns it.
    population.tier[resident] = random.pick(tiers)
    // Each draw is made whatever the others gave, so a resident's draws are the same from run to
    // run when a share changes: with a higher wallet share, the same residents and more adopt.
    const adopts = random.float()
    const rides = random.chance(plan.riderShare)
    const works = random.float()
    population.bank[resident] = random.below(bankCount)
    let weight = 1
    let employed = plan.employedShare
    if (plan.people !== undefined) {
      const band = drawTraits(plan.people, { home, anonymous }, random, population, resident)
      weight = plan.people.adoptionWeight[home]?.[band] ?? 1
      employed = plan.people.employedByBand[home]?.[band] ?? 0
    }
    // adopts < share * weight: the resident adopts once the district's share passes adopts /
    // weight (never, with weight 0: the last level).
    population.adoptedAt[resident] = adoptionLevel(adopts / weight)
    let flags = 0
    if (adopts < district.adoption * weight) flags |= ResidentFlag.adopted
    if (rides) flags |= ResidentFlag.rider
    if (works < employed) flags |= ResidentFlag.employed
    population.flags[resident] = flags
  }
}

/**
 * A resident's age band, income band, bank account and device; returns the age band. A resident
 * without a bank account holds an anonymous wallet: the last tier, the one that needs none.
 */
function drawTraits(
  people: PlannedPeople,
  at: { readonly home: number; readonly anonymous: number },
  random: Random,
  population: Population,
  resident: number,
): number {
  const band = random.pick(people.ageCumulative[at.home] ?? [1])
  const income = random.pick(people.incomeCumulative)
  const banked = band > 0 && random.chance(people.bankedShare)
  const hard = random.chance(people.hardWalletShare[band] ?? 0)
  let traits = band | (income << ResidentTrait.incomeShift)
  if (banked) traits |= ResidentTrait.banked
  if (hard) traits |= ResidentTrait.hardWallet
  population.traits[resident] = traits
  if (!banked) population.tier[resident] = at.anonymous
  return band
}

/** Where in plan.tiers the most anonymous tier is (the highest tier number). */
function anonymousTier(plan: Plan): number {
  let index = 1
  plan.tiers.forEach((tier, at) => {
    if (at > 0 && tier.tier > (plan.tiers[index]?.tier ?? 0)) index = at
  })
  return index
}

/**
 * Merchants are laid out by district, then category (plan.merchantCellStart); positions are drawn
 * inside the district.
 */
export function synthesizeMerchants(
  plan: Plan,
  city: City,
  population: Population,
  segment: Segment,
): void {
  const random = new Random(plan.seed, 'merchants', segment.index)
  const categoryCount = plan.categories.length
  const cellStart = plan.merchantCellStart
  const point = new Float64Array(2)
  let cell = 0
  for (let merchant = segment.merchantStart; merchant < segment.merchantEnd; merchant++) {
    while (merchant >= (cellStart[cell + 1] as number)) cell += 1
    const district = Math.floor(cell / categoryCount)
    const sampler = city.samplers[district]
    assert(sampler !== undefined, 'every merchant has a district')
    population.merchantDistrict[merchant] = district
    population.merchantCategory[merchant] = cell % categoryCount
    population.merchantBank[merchant] = random.below(plan.banks.length)
    sampler.draw(random, point)
    population.merchantLon[merchant] = point[0] as number
    population.merchantLat[merchant] = point[1] as number
  }
}
