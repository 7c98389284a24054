/**
 * What a payment kind needs to turn a count into intents: the plan, the population columns,
 * this segment's eligible agents, the segment's random stream, and the time of day.
 */
import { assert } from '../assert.js'
import { Channel, Provider, channelByte } from '../ledger/channel.js'
import { pendingIdFirst, pendingIdsPerBlock, segmentCount } from '../limits.js'
import { cumulative, type Random } from '../random/index.js'
import {
  adoptionLevels,
  ResidentFlag,
  ResidentTrait,
  type Population,
} from '../population/index.js'
import type { Plan } from '../plan/plan.js'
import { AcceptBit } from '../plan/services.js'
import type { SegmentAgents } from './segmentAgents.js'

export interface BehaviourContext {
  readonly plan: Plan
  readonly population: Population
  readonly agents: SegmentAgents
  readonly random: Random
  /** Cumulative job weights by district, for trips and workplaces. */
  readonly jobs: Float64Array
  /** Cumulative merchant category shares. */
  readonly categories: Float64Array
  /** The tick being generated (from the period's start), and its local hour 0..23. */
  tick: number
  minuteOfDay: number
  hour: number
  weekend: boolean
  /** Its local day of the month, and the month's days. */
  day: number
  daysInMonth: number
  /** This segment and chunk's block of pending ids (limits.ts), and how many are taken. */
  readonly pendingIdBase: number
  pendingIdsTaken: number
  /** This segment and chunk's block of visitor wallets, and how many are taken. */
  readonly visitorBlock: number
  visitorsTaken: number
}

export function behaviourContext(
  plan: Plan,
  population: Population,
  agents: SegmentAgents,
  random: Random,
  /** Which segment and chunk draw (the block of pending ids); the opening makes none. */
  block = { segment: 0, chunk: 0 },
): BehaviourContext {
  const blockIndex = block.chunk * segmentCount + block.segment
  return {
    plan,
    population,
    agents,
    random,
    jobs: cumulative(plan.districts.map((district) => district.jobs)),
    // Residents pay e-CNY only where it is accepted: each category in its accepting share.
    categories: cumulative(plan.categories.map((category) => category.share * category.accepting)),
    tick: 0,
    minuteOfDay: 0,
    hour: 0,
    weekend: false,
    day: 1,
    daysInMonth: 30,
    pendingIdBase: pendingIdFirst + blockIndex * pendingIdsPerBlock,
    pendingIdsTaken: 0,
    visitorBlock: blockIndex,
    visitorsTaken: 0,
  }
}

/** The id of a new pending transfer: its own, so a later post or void can name it. */
export function nextPendingId(context: BehaviourContext): number {
  assert(context.pendingIdsTaken < pendingIdsPerBlock, 'a chunk of a segment has pending ids left')
  return context.pendingIdBase + context.pendingIdsTaken++
}

/** A resident's wallet provider: a card for a hard wallet, else one fixed per resident. */
export function providerOf(context: BehaviourContext, resident: number): number {
  const traits = context.population.traits[resident] as number
  if ((traits & ResidentTrait.hardWallet) !== 0) return Provider.card
  // A hash of the resident and the seed, as a share in [0, 1): the same provider all run long.
  let hash = Math.imul(resident ^ context.plan.seed, 0x9e3779b1)
  hash = Math.imul(hash ^ (hash >>> 15), 0x85ebca77)
  const share = ((hash ^ (hash >>> 13)) >>> 0) / 0x1_0000_0000
  const [ecnyApp, bankApp] = context.plan.channels.providerCumulative as [number, number, number]
  if (share < ecnyApp) return Provider.ecnyApp
  return share < bankApp ? Provider.bankApp : Provider.thirdParty
}

/**
 * How a resident pays a merchant that accepts `accept` (AcceptBit): the channel byte, or -1 when
 * they cannot pay there in e-CNY (a card where no terminal takes a tap).
 */
export function merchantChannel(
  context: BehaviourContext,
  resident: number,
  accept: number,
): number {
  const provider = providerOf(context, resident)
  if (provider === Provider.card) {
    return (accept & AcceptBit.nfc) !== 0 ? channelByte(Channel.nfc, provider) : -1
  }
  const { nfcShare, faceShare } = context.plan.channels
  const draw = context.random.float()
  let channel: number = Channel.qr
  if ((accept & AcceptBit.face) !== 0 && draw < faceShare) channel = Channel.face
  else if ((accept & AcceptBit.nfc) !== 0 && draw >= 1 - nfcShare) channel = Channel.nfc
  else if ((accept & AcceptBit.qr) === 0)
    channel = (accept & AcceptBit.nfc) !== 0 ? Channel.nfc : Channel.face
  return channelByte(channel, provider)
}

/** A channel of the resident's own provider: a gate, an auto-debit, a page, a credit. */
export function ownChannel(context: BehaviourContext, resident: number, channel: number): number {
  return channelByte(channel, providerOf(context, resident))
}

/**
 * Whether a payment the resident would make is made in e-CNY, by their habit on a rollout's day
 * (their share of their own payments made in e-CNY, growing with the time since they adopted).
 * Outside a rollout every adopter pays all their payments in e-CNY, and no draw is made.
 */
export function paysInEcny(context: BehaviourContext, resident: number): boolean {
  const habits = context.plan.habitByLevel
  if (habits === undefined) return true
  const { home, adoptedAt } = context.population
  const habit =
    habits[(home[resident] as number) * adoptionLevels + (adoptedAt[resident] as number)]
  return habit === undefined || habit >= 1 || context.random.float() < habit
}

/** Whole fen, at least one, at most `maxFen`. */
export function wholeFen(amount: number, maxFen = 0xffff_ffff): number {
  return Math.min(maxFen, Math.max(1, Math.round(amount)))
}

/** Whether a resident is at work at this hour: employed, on weekday working hours. */
export function isAtWork(context: BehaviourContext, resident: number): boolean {
  const flags = context.population.flags[resident] as number
  return (
    !context.weekend &&
    context.hour >= 9 &&
    context.hour < 18 &&
    (flags & ResidentFlag.employed) !== 0
  )
}

/** A resident's usual district at this hour: at work on weekday working hours, else at home. */
export function whereIs(context: BehaviourContext, resident: number): number {
  const { work, home } = context.population
  return (isAtWork(context, resident) ? work[resident] : home[resident]) as number
}
