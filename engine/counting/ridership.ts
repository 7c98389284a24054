/**
 * Metro ridership, from the ledger's answers: each accepted tap-in (a transit reservation) at its
 * station and on the line it boards first, each accepted tap-out (its post) at its station, and
 * the bus rides (plain transit payments beside the metro). A ride's station and line travel in the
 * transfer's detail (engine/behaviour/transit.ts, rideDetail). Aggregates only.
 */
import { ResultCode, TransferFlag, TransferKind, type TransferBatch } from '../ledger/index.js'

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
      const flags = batch.flags[index] as number
      if (flags === 0) {
        this.bus += 1
        continue
      }
      if (detail === undefined) continue
      const station = (detail[index] as number) & stationMask
      if (station >= this.stations.length) continue
      if ((flags & TransferFlag.pending) !== 0) {
        this.tapIns[station] = (this.tapIns[station] as number) + 1
        const line = ((detail[index] as number) >> 10) - 1
        if (line >= 0 && line < this.lines.length)
          this.rides[line] = (this.rides[line] as number) + 1
      } else if ((flags & TransferFlag.postPending) !== 0) {
        this.tapOuts[station] = (this.tapOuts[station] as number) + 1
      }
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
