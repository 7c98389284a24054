/**
 * One worker task: the payment intents of one segment over one chunk of ticks. For each tick
 * and kind, the count is drawn from a Poisson law whose mean is the kind's daily rate × its
 * eligible agents × the minute's share of the day; then the kind draws who pays whom and how
 * much. The stream is (seed, segment, chunk): no state carries between chunks.
 */
import { ticksPerChunk } from '../limits.js'
import type { Population } from '../population/index.js'
import { Random } from '../random/index.js'
import type { PaymentKindName, Plan, Segment } from '../plan/plan.js'
import { dayOfMonth, isRestDay, minuteOfDay, peakOf, type PeakDay } from '../time/index.js'
import { inWindow, monthlyPerDay } from '../plan/services.js'
import { behaviourContext, type BehaviourContext } from './behaviourContext.js'
import type { SegmentAgents } from './segmentAgents.js'
import { bill } from './bill.js'
import { health } from './health.js'
import { monthly } from './monthly.js'
import { online } from './online.js'
import { parking } from './parking.js'
import { IntentBuffer } from './intentBuffer.js'
import { p2p } from './p2p.js'
import { payroll } from './payroll.js'
import { retail } from './retail.js'
import { minuteShares, spreadHours, type MinuteShares } from './rhythm.js'
import { arrivalsByHour, visitors } from './visitors.js'
import { openingTopups, topup } from './topup.js'
import { transit } from './transit.js'

type Generator = (context: BehaviourContext, count: number, out: IntentBuffer) => void

interface PaymentKindBehaviour {
  readonly name: PaymentKindName
  /** Absent for the monthly kinds, drawn flow by flow (`monthlyFlows`). */
  readonly generate?: Generator
  readonly eligible: (agents: SegmentAgents) => number
}

const adopted = (agents: SegmentAgents) => agents.adopted.length

/** The order kinds are drawn in within a tick; part of what the digest covers. */
export const paymentKindBehaviours: readonly PaymentKindBehaviour[] = [
  { name: 'retail', generate: retail, eligible: adopted },
  { name: 'transit', generate: transit, eligible: (agents) => agents.riders.length },
  { name: 'bill', generate: bill, eligible: adopted },
  { name: 'payroll', generate: payroll, eligible: (agents) => agents.payees.length },
  { name: 'p2p', generate: p2p, eligible: adopted },
  { name: 'topup', generate: topup, eligible: adopted },
  { name: 'welfare', eligible: adopted },
  { name: 'tax', eligible: adopted },
  { name: 'health', generate: health, eligible: adopted },
  { name: 'parking', generate: parking, eligible: adopted },
  { name: 'online', generate: online, eligible: adopted },
]

const shares = new Map<PaymentKindName, MinuteShares>()
function sharesOf(kind: PaymentKindName): MinuteShares {
  let found = shares.get(kind)
  if (found === undefined) {
    found = minuteShares(kind)
    shares.set(kind, found)
  }
  return found
}

export function generateChunk(
  plan: Plan,
  population: Population,
  agents: SegmentAgents,
  segment: Segment,
  chunk: number,
): ArrayBuffer {
  const firstTick = chunk * ticksPerChunk
  const endTick = Math.min(plan.clock.ticks, firstTick + ticksPerChunk)
  const random = new Random(plan.seed, 'behaviour', segment.index, chunk)
  const context = behaviourContext(plan, population, agents, random, {
    segment: segment.index,
    chunk,
  })
  const out = new IntentBuffer(
    endTick - firstTick,
    expectedIntents(plan, agents, endTick - firstTick),
  )
  // Bills by payee replace the one median bill.
  const billsByPayee = plan.services.monthly.some((flow) => flow.kind === 'bill')
  let restDayKnown = false
  let peak: PeakDay | undefined
  for (let tick = firstTick; tick < endTick; tick++) {
    const minute = minuteOfDay(plan.clock, tick)
    context.tick = tick
    context.minuteOfDay = minute
    context.hour = Math.floor(minute / 60)
    // Once a day: a calendar may list thousands of days.
    if (!restDayKnown || minute === 0) {
      context.weekend = isRestDay(plan.clock, tick)
      peak = peakOf(plan.clock, tick)
      const date = dayOfMonth(plan.clock, tick)
      context.day = date.day
      context.daysInMonth = date.days
      restDayKnown = true
    }
    for (const behaviour of paymentKindBehaviours) {
      const rate = plan.payments[behaviour.name]
      const eligible = behaviour.eligible(agents)
      if (!rate.enabled || eligible === 0 || rate.perDay === 0) continue
      const kindShares = sharesOf(behaviour.name)
      const share = (context.weekend ? kindShares.weekend : kindShares.weekday)[minute] as number
      const mean = eligible * share * peakFactor(peak, behaviour.name)
      if (behaviour.generate === undefined || (behaviour.name === 'bill' && billsByPayee))
        monthlyFlows(context, behaviour.name, mean, out)
      else {
        const count = random.poisson(rate.perDay * mean)
        if (count > 0) behaviour.generate(context, count, out)
      }
    }
    arrivals(context, out)
    out.closeTick()
  }
  return out.pack()
}

/** Visitors' arrivals by minute of the day, over a weekday and a day of rest. */
const visitorShares = {
  weekday: spreadHours(arrivalsByHour, 1),
  weekend: spreadHours(arrivalsByHour, 1.4),
}

/** The tick's cross-border visitors arriving in the segment, with their stays. */
function arrivals(context: BehaviourContext, out: IntentBuffer): void {
  const guests = context.plan.visitors
  if (guests === undefined) return
  const shares = context.weekend ? visitorShares.weekend : visitorShares.weekday
  const count = context.random.poisson(
    guests.perSegmentDay * (shares[context.minuteOfDay] as number),
  )
  if (count > 0) visitors(context, count, out)
}

/**
 * The tick's payments of a monthly kind, flow by flow: each on the days of its window, at its rate
 * per adopted resident (`mean` is the adopted residents times the minute's share).
 */
function monthlyFlows(
  context: BehaviourContext,
  kind: PaymentKindName,
  mean: number,
  out: IntentBuffer,
): void {
  for (const flow of context.plan.services.monthly) {
    if (flow.kind !== kind || !inWindow(flow, context.day, context.daysInMonth)) continue
    const count = context.random.poisson(monthlyPerDay(flow, context.daysInMonth) * mean)
    if (count > 0) monthly(context, flow, count, out)
  }
}

/** A shopping festival lifts retail, P2P and online shopping; the other kinds keep their day. */
function peakFactor(peak: PeakDay | undefined, kind: PaymentKindName): number {
  if (peak === undefined) return 1
  if (kind === 'retail') return peak.retail
  if (kind === 'online') return peak.online
  return kind === 'p2p' ? peak.p2p : 1
}

/**
 * Before the clock starts: the opening top-up of each adopted wallet of the segment, as one tick.
 */
export function generateOpening(
  plan: Plan,
  population: Population,
  agents: SegmentAgents,
): ArrayBuffer {
  const context = behaviourContext(plan, population, agents, new Random(plan.seed, 'opening'))
  const out = new IntentBuffer(1, agents.adopted.length)
  openingTopups(context, out)
  out.closeTick()
  return out.pack()
}

/** A first guess at the buffer size, so most chunks never grow their columns. */
function expectedIntents(plan: Plan, agents: SegmentAgents, ticks: number): number {
  const perDay = paymentKindBehaviours.reduce((sum, behaviour) => {
    const rate = plan.payments[behaviour.name]
    return rate.enabled ? sum + rate.perDay * behaviour.eligible(agents) : sum
  }, 0)
  return Math.ceil(((perDay * ticks) / (24 * 60)) * 2)
}
