/**
 * Agents are rows of typed-array columns on SharedArrayBuffers: worker threads read and write
 * them without copies, and there is never one object per agent.
 *
 * residents (7 bytes each)        merchants (11 bytes each)
 *   home      Uint8  district       district  Uint8
 *   work      Uint8  district       category  Uint8
 *   tier      Uint8  wallet tier    bank      Uint8
 *   flags     Uint8  ResidentFlag   lon, lat  Float32 (for the map)
 *   bank      Uint8  operating bank
 *   traits    Uint8  ResidentTrait: age band, income band, banked, hard wallet (0 without people)
 *   adoptedAt Uint8  the district's wallet share at which the resident opens one (adoptionLevel)
 */
import { assert } from '../assert.js'
import { adoptionLevels, merchantsMax, residentsMax } from '../limits.js'

export const ResidentFlag = {
  adopted: 1,
  rider: 2,
  employed: 4,
} as const

/**
 * A resident's traits, packed: bits 0-1 the age band (0 under 15, 1 from 15 to 59, 2 60 and over),
 * bits 2-3 the income band (0 low, 1 middle, 2 high), then two flags.
 */
export const ResidentTrait = {
  ageMask: 0b11,
  incomeShift: 2,
  incomeMask: 0b1100,
  banked: 16,
  hardWallet: 32,
} as const

/**
 * Adoption levels: a resident opens a wallet once their district's wallet share (over their age
 * band's weight) passes their own draw r in [0, 1). The column keeps r as a level of 256 on a
 * square-root scale, level = floor(256 sqrt(r)), fine where shares are small and the first
 * adopters are told apart; a rollout reads from it how long each adopter has held a wallet.
 */
export { adoptionLevels }

/** The level of a draw r (0 <= r; 1 or more, or NaN, is the last level). */
export function adoptionLevel(r: number): number {
  if (!(r < 1)) return adoptionLevels - 1
  return Math.min(adoptionLevels - 1, Math.floor(Math.sqrt(r) * adoptionLevels))
}

/** The share in the middle of a level's draws: every draw of the level is within half a level. */
export function adoptionLevelShare(level: number): number {
  const root = (level + 0.5) / adoptionLevels
  return root * root
}

export interface PopulationBuffers {
  readonly residents: number
  readonly merchants: number
  readonly residentHome: SharedArrayBuffer
  readonly residentWork: SharedArrayBuffer
  readonly residentTier: SharedArrayBuffer
  readonly residentFlags: SharedArrayBuffer
  readonly residentBank: SharedArrayBuffer
  readonly residentTraits: SharedArrayBuffer
  readonly residentAdoptedAt: SharedArrayBuffer
  readonly merchantDistrict: SharedArrayBuffer
  readonly merchantCategory: SharedArrayBuffer
  readonly merchantBank: SharedArrayBuffer
  readonly merchantLon: SharedArrayBuffer
  readonly merchantLat: SharedArrayBuffer
}

export interface Population {
  readonly residents: number
  readonly merchants: number
  readonly home: Uint8Array
  readonly work: Uint8Array
  readonly tier: Uint8Array
  readonly flags: Uint8Array
  readonly bank: Uint8Array
  readonly traits: Uint8Array
  readonly adoptedAt: Uint8Array
  readonly merchantDistrict: Uint8Array
  readonly merchantCategory: Uint8Array
  readonly merchantBank: Uint8Array
  readonly merchantLon: Float32Array
  readonly merchantLat: Float32Array
}

export const residentBytes = 7
export const merchantBytes = 11

export function allocatePopulation(residents: number, merchants: number): PopulationBuffers {
  assert(
    Number.isInteger(residents) && residents >= 0 && residents <= residentsMax,
    'residents within limits',
  )
  assert(
    Number.isInteger(merchants) && merchants >= 0 && merchants <= merchantsMax,
    'merchants within limits',
  )
  return {
    residents,
    merchants,
    residentHome: new SharedArrayBuffer(residents),
    residentWork: new SharedArrayBuffer(residents),
    residentTier: new SharedArrayBuffer(residents),
    residentFlags: new SharedArrayBuffer(residents),
    residentBank: new SharedArrayBuffer(residents),
    residentTraits: new SharedArrayBuffer(residents),
    residentAdoptedAt: new SharedArrayBuffer(residents),
    merchantDistrict: new SharedArrayBuffer(merchants),
    merchantCategory: new SharedArrayBuffer(merchants),
    merchantBank: new SharedArrayBuffer(merchants),
    merchantLon: new SharedArrayBuffer(merchants * 4),
    merchantLat: new SharedArrayBuffer(merchants * 4),
  }
}

/** Typed views over the shared buffers; cheap, made once per thread. */
export function viewPopulation(buffers: PopulationBuffers): Population {
  return {
    residents: buffers.residents,
    merchants: buffers.merchants,
    home: new Uint8Array(buffers.residentHome),
    work: new Uint8Array(buffers.residentWork),
    tier: new Uint8Array(buffers.residentTier),
    flags: new Uint8Array(buffers.residentFlags),
    bank: new Uint8Array(buffers.residentBank),
    traits: new Uint8Array(buffers.residentTraits),
    adoptedAt: new Uint8Array(buffers.residentAdoptedAt),
    merchantDistrict: new Uint8Array(buffers.merchantDistrict),
    merchantCategory: new Uint8Array(buffers.merchantCategory),
    merchantBank: new Uint8Array(buffers.merchantBank),
    merchantLon: new Float32Array(buffers.merchantLon),
    merchantLat: new Float32Array(buffers.merchantLat),
  }
}
