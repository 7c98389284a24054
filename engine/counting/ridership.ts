/**
 * Metro ridership, from the ledger's answers: each metro ride whose fare was accepted at its
 * tap-out counts a tap-in at its entry station, a tap-out at its exit station and a ride on the
 * line it boarded first; the other transit payments beside the metro are bus rides. A ride's
 * stations and line travel in the transfer's detail (engine/behaviour/transit.ts, rideDetail).
 * Aggregates only.
 */
import { ResultCode, TransferKind, type TransferBatch } from '../ledger/index.js'

export interface StationRidership {
  readonly station: string
  readonly tapIns: number
  readonly tapOuts: number
}

export interface LineRidership {
  readonly line: string
  readonly colour: string
  /** Rides boarding it first. */
  readonly rides: number
}

export interface Ridership {
  readonly metroRides: number
  readonly busRides: number
  readonly stations: readonly StationRidership[]
  readonly lines: readonly LineRidership[]
}

const stationMask = (1 << 10) - 1
const lineMask = (1 << 6) - 1
/** Set on a metro ride's detail (transit.ts). */
const rideMark = 0x8000_0000

export class RidershipCounters {
  private readonly tapIns: Float64Array
  private readonly tapOuts: Float64Array
  private readonly rides: Float64Array
  private bus = 0

  constructor(
    private readonly stations: readonly { readonly name: string }[],
    private readonly lines: readonly { readonly name: string; readonly colour: string }[],
  ) {
    this.tapIns = new Float64Array(stations.length)
    this.tapOuts = new Float64Array(stations.length)
    this.rides = new Float64Array(lines.length)
  }

  count(batch: TransferBatch, code: Uint8Array): void {
    const detail = batch.detail
    for (let index = 0; index < batch.count; index++) {
      if (batch.kind[index] !== TransferKind.transit || code[index] !== ResultCode.ok) continue
      const ride = detail === undefined ? 0 : (detail[index] as number)
      if ((ride & rideMark) === 0) {
        this.bus += 1
        continue
      }
      const from = ride & stationMask
      const to = (ride >>> 10) & stationMask
      const line = ((ride >>> 20) & lineMask) - 1
      if (from < this.stations.length) this.tapIns[from] = (this.tapIns[from] as number) + 1
      if (to < this.stations.length) this.tapOuts[to] = (this.tapOuts[to] as number) + 1
      if (line >= 0 && line < this.lines.length) this.rides[line] = (this.rides[line] as number) + 1
    }
  }

  /** Taps so far by station, in the network's order (the live map's station activity). */
  taps(): Float64Array {
    const taps = new Float64Array(this.tapIns.length)
    for (let station = 0; station < taps.length; station++)
      taps[station] = (this.tapIns[station] as number) + (this.tapOuts[station] as number)
    return taps
  }

  figures(): Ridership {
    return {
      metroRides: this.tapIns.reduce((sum, taps) => sum + taps, 0),
      busRides: this.bus,
      stations: this.stations.map((station, index) => ({
        station: station.name,
        tapIns: this.tapIns[index] as number,
        tapOuts: this.tapOuts[index] as number,
      })),
      lines: this.lines.map((line, index) => ({
        line: line.name,
        colour: line.colour,
        rides: this.rides[index] as number,
      })),
    }
  }
}
