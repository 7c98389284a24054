/**
 * Transit on the real metro: each ride's fare is the table's fare between the rider's own
 * stations (home and work on a commute, where they are otherwise) and a station of the trip's
 * district; a bus share pays the flat bus fare; a resident's stations are the same whenever they
 * are asked for. Without city.metro, fares stay the district network's.
 */
import { describe, expect, it } from 'vitest'
import { behaviourContext } from '../../../engine/behaviour/behaviourContext.js'
import {
  IntentBuffer,
  segmentAgents,
  unpackIntents,
  type PackedIntents,
} from '../../../engine/behaviour/index.js'
import { rideMark, transit } from '../../../engine/behaviour/transit.js'
import { noLine } from '../../../engine/city/index.js'
import { usualStation, UsualPlace, type PlannedMetro } from '../../../engine/plan/index.js'
import {
  allocatePopulation,
  ResidentFlag,
  synthesizeResidents,
  viewPopulation,
  type Population,
} from '../../../engine/population/index.js'
import { Random } from '../../../engine/random/index.js'
import { planRun, scenarioCity, type Plan } from '../../../engine/run/index.js'
import { loadScenario } from '../../../scenarios/index.js'
import { defaultScenario, smokeScenario } from '../../helpers/runs.js'

const loaded = await loadScenario(defaultScenario)
const city = scenarioCity(loaded)
const plan = planRun(loaded.scenario, city, { residents: 20_000 })
const population = viewPopulation(allocatePopulation(plan.residents, plan.merchants))
for (const segment of plan.segments) synthesizeResidents(plan, population, segment)
const metro = plan.metro as PlannedMetro
const stations = metro.stations

/** The plan with its metro changed: a fare table of our own, another bus share. */
function withMetro(change: Partial<PlannedMetro>): Plan {
  return { ...plan, metro: { ...metro, ...change } }
}

/** A fare table that tells which station a ride starts from (1000 + from) or ends at. */
function encoding(end: 'from' | 'to'): Uint16Array {
  const table = new Uint16Array(stations * stations)
  for (let from = 0; from < stations; from++)
    for (let to = 0; to < stations; to++)
      table[from * stations + to] = 1000 + (end === 'from' ? from : to)
  return table
}

interface Ride {
  readonly resident: number
  readonly fareFen: number
}

/** `count` transit intents of the residents of segment 0 at `hour` on a weekday. */
function rides(inPlan: Plan, hour: number, count = 4000, pop: Population = population): Ride[] {
  const segment = inPlan.segments[0]
  if (segment === undefined) throw new Error('a plan has segments')
  const agents = segmentAgents(inPlan, pop, segment)
  const context = behaviourContext(inPlan, pop, agents, new Random(inPlan.seed, 'test', hour))
  context.hour = hour
  context.tick = hour * 60
  context.minuteOfDay = hour * 60
  context.weekend = false
  const out = new IntentBuffer(1, count)
  transit(context, count, out)
  out.closeTick()
  return ridesOf(unpackIntents(out.pack()), inPlan)
}

/** A scenario without a rollout keeps every ride: no habit to thin them. */
function skippedByHabit(context: { plan: Plan }): number {
  expect(context.plan.habitByLevel).toBeUndefined()
  return 0
}

/**
 * The rides of packed transit intents: a bus ride is one payment of the tick; a metro ride pays
 * at its tap-out (a deferred intent).
 */
function ridesOf(packed: PackedIntents, inPlan: Plan): Ride[] {
  const { residentFirst } = inPlan.accounts
  const buses = Array.from({ length: packed.count }, (_, index) => index).map((index) => ({
    resident: (packed.debit[index] as number) - residentFirst,
    fareFen: packed.amountFen[index] as number,
  }))
  const metroRides = Array.from({ length: packed.deferred.count }, (_, index) => ({
    resident: (packed.deferred.debit[index] as number) - residentFirst,
    fareFen: packed.deferred.amountFen[index] as number,
  }))
  return [...buses, ...metroRides]
}

const employed = (resident: number) =>
  ((population.flags[resident] as number) & ResidentFlag.employed) !== 0
const homeStation = (resident: number) =>
  usualStation(metro, plan.seed, resident, population.home[resident] as number, UsualPlace.home)
const workStation = (resident: number) =>
  usualStation(metro, plan.seed, resident, population.work[resident] as number, UsualPlace.work)
const stationsOf = (district: number) =>
  new Set(
    metro.districtStations.subarray(
      metro.districtStationStart[district],
      metro.districtStationStart[district + 1],
    ),
  )

describe('transit on the real metro', () => {
  it('taps in now and pays at the tap-out: one fare, for the exit minute, naming both stations', () => {
    // Proves a metro ride is two events and one transfer: nothing is paid at the entry gate; the
    // fare for the pair is made for the tap-out's tick (the ride's minutes on), its detail the
    // entry station, the exit station and the line boarded first.
    const segment = plan.segments[0] as Plan['segments'][number]
    const agents = segmentAgents(plan, population, segment)
    const context = behaviourContext(plan, population, agents, new Random(plan.seed, 'taps'))
    context.hour = 8
    context.tick = 8 * 60
    context.minuteOfDay = 8 * 60
    const out = new IntentBuffer(1, 2000)
    transit(context, 2000, out)
    out.closeTick()
    const { specials, deferred, count } = unpackIntents(out.pack())
    expect(specials.count).toBe(0)
    expect(deferred.count).toBeGreaterThan(500)
    // The buses are the tick's own intents; the metro rides the deferred ones.
    expect(count + deferred.count).toBe(2000 - skippedByHabit(context))
    for (let ride = 0; ride < deferred.count; ride++) {
      const detail = deferred.detail[ride] as number
      expect((detail & rideMark) >>> 0).toBe(rideMark)
      const from = detail & 1023
      const to = (detail >>> 10) & 1023
      const line = ((detail >>> 20) & 63) - 1
      const pair = from * stations + to
      expect(deferred.flags[ride]).toBe(0)
      expect(deferred.amountFen[ride]).toBe(metro.fareFen[pair])
      expect(deferred.tick[ride]).toBe(8 * 60 + (metro.rideMinutes[pair] as number))
      expect(line).toBe(metro.firstLine[pair] === noLine ? -1 : metro.firstLine[pair])
    }
  })

  it('carries the tables by station pair in the plan: a few hundred kilobytes for Shenzhen', () => {
    // Proves what each worker is copied: 324 stations' fares (Uint16) and first lines (Uint8).
    expect(metro.fareFen).toHaveLength(324 * 324)
    expect(metro.firstLine).toHaveLength(324 * 324)
    const bytes =
      metro.fareFen.byteLength +
      metro.firstLine.byteLength +
      metro.districtStationStart.byteLength +
      metro.districtStations.byteLength
    expect(bytes).toBeLessThan(400_000)
    expect(metro.busShare).toBeGreaterThan(0)
  })

  it("charges a morning commuter the table's fare from their home station to their work station", () => {
    // Proves commute fares are read from the table at (home station, work station): tables that
    // encode one end each give back the rider's own stations.
    const noBus = { busShare: 0 }
    const from = rides(withMetro({ ...noBus, fareFen: encoding('from') }), 7)
    const to = rides(withMetro({ ...noBus, fareFen: encoding('to') }), 7)
    const commuters = from.filter((ride) => employed(ride.resident))
    expect(commuters.length).toBeGreaterThan(1000)
    for (const ride of commuters) expect(ride.fareFen - 1000).toBe(homeStation(ride.resident))
    for (const ride of to.filter((one) => employed(one.resident)))
      expect(ride.fareFen - 1000).toBe(workStation(ride.resident))
    // Those not employed set off from home, to a station of a district the trip draws.
    const served = new Set(metro.districtStations)
    for (const ride of from.filter((one) => !employed(one.resident)))
      expect(ride.fareFen - 1000).toBe(homeStation(ride.resident))
    for (const ride of to) expect(served.has(ride.fareFen - 1000)).toBe(true)
  })

  it('brings commuters home in the evening, and starts a midday trip from work', () => {
    // Proves direction: 17:00 rides start at the work station; at 12:00 a worker is at work.
    const table = { busShare: 0, fareFen: encoding('from') }
    for (const hour of [17, 12]) {
      const workers = rides(withMetro(table), hour).filter((ride) => employed(ride.resident))
      expect(workers.length).toBeGreaterThan(500)
      for (const ride of workers) expect(ride.fareFen - 1000).toBe(workStation(ride.resident))
    }
    const to = rides(withMetro({ busShare: 0, fareFen: encoding('to') }), 17)
    for (const ride of to.filter((one) => employed(one.resident)))
      expect(ride.fareFen - 1000).toBe(homeStation(ride.resident))
  })

  it("charges the real table's fares, and the bus its flat fare on the bus share", () => {
    // Proves a ride is either a bus at busFareFen or a fare of the table, and the bus share holds
    // (a bus fare of 1 fen, which no metro fare is, tells them apart).
    const fares = new Set(metro.fareFen)
    const all = rides(withMetro({ busShare: 0.4, busFareFen: 1 }), 7, 20_000)
    const byBus = all.filter((ride) => ride.fareFen === 1).length
    const share = byBus / all.length
    const sigma = Math.sqrt((0.4 * 0.6) / all.length)
    expect(Math.abs(share - 0.4)).toBeLessThan(4 * sigma)
    for (const ride of all) expect(ride.fareFen === 1 || fares.has(ride.fareFen)).toBe(true)
    const buses = rides(withMetro({ busShare: 1, busFareFen: 200 }), 7)
    expect(buses.every((ride) => ride.fareFen === 200)).toBe(true)
    // The shipped scenario's own fares: metro fares of 2 to 15 yuan and the 2-yuan bus.
    const shipped = rides(plan, 7)
    expect(new Set(shipped.map((ride) => ride.fareFen)).size).toBeGreaterThan(5)
    for (const ride of shipped) expect(ride.fareFen).toBeGreaterThanOrEqual(200)
  })
})

describe("a resident's usual stations", () => {
  it('are the same for the same seed, resident and district, and stand in that district', () => {
    // Proves the stations are a pure function: asked twice (or in another order) they agree,
    // and each is one of the district's own stations.
    const residents = Array.from({ length: 2000 }, (_, index) => index * 7)
    const first = residents.map(homeStation)
    const again = [...residents].reverse().map(homeStation).reverse()
    expect(again).toEqual(first)
    residents.forEach((resident, index) => {
      expect(stationsOf(population.home[resident] as number).has(first[index] as number)).toBe(true)
    })
  })

  it('change with the seed, and spread evenly over the district’s stations', () => {
    // Proves the seed drives them, and that each of Bao'an's 68 stations is someone's home station
    // about as often as the others.
    const baoan = plan.districts.findIndex((district) => district.name === "Bao'an")
    const own = [...stationsOf(baoan)]
    expect(own).toHaveLength(68)
    const count = new Map<number, number>()
    let moved = 0
    const draws = 68_000
    for (let resident = 0; resident < draws; resident++) {
      const station = usualStation(metro, plan.seed, resident, baoan, UsualPlace.home)
      count.set(station, (count.get(station) ?? 0) + 1)
      if (usualStation(metro, plan.seed + 1, resident, baoan, UsualPlace.home) !== station)
        moved += 1
    }
    expect(moved / draws).toBeGreaterThan(0.95)
    for (const station of own) {
      expect(count.get(station) ?? 0).toBeGreaterThan(800)
      expect(count.get(station) ?? 0).toBeLessThan(1200)
    }
  })

  it('differ between home and work for most residents working in their home district', () => {
    // Proves the place is part of the draw: a commute inside a district is seldom a station to
    // itself.
    const futian = plan.districts.findIndex((district) => district.name === 'Futian')
    let same = 0
    for (let resident = 0; resident < 10_000; resident++) {
      const home = usualStation(metro, plan.seed, resident, futian, UsualPlace.home)
      const work = usualStation(metro, plan.seed, resident, futian, UsualPlace.work)
      if (home === work) same += 1
    }
    // Futian has 55 stations: about 1 in 55 coincide.
    expect(same).toBeLessThan(400)
  })
})

describe('transit without city.metro', () => {
  it("keeps the district network's fares by district pair", async () => {
    // Proves an older scenario still draws its fares from plan.fareFen (and keeps its digest).
    const smoke = await loadScenario(smokeScenario)
    const smokePlan = planRun(smoke.scenario, scenarioCity(smoke))
    expect(smokePlan.metro).toBeUndefined()
    const smokePopulation = viewPopulation(
      allocatePopulation(smokePlan.residents, smokePlan.merchants),
    )
    for (const segment of smokePlan.segments)
      synthesizeResidents(smokePlan, smokePopulation, segment)
    const fares = new Set(smokePlan.fareFen)
    const made = rides(smokePlan, 7, 500, smokePopulation)
    expect(made.length).toBeGreaterThan(0)
    for (const ride of made) expect(fares.has(ride.fareFen)).toBe(true)
  })
})
