/**
 * The daily rhythm of each payment kind: relative activity for each hour of a weekday and of a
 * weekend day (commute peaks for fares, lunch and evening for shopping, mornings for payroll),
 * turned into each minute's share of a weekday's volume. A weekend curve is scaled by its
 * kind's weekend factor, so a weekday's shares add up to 1 and a weekend day's to the factor.
 */
import { assert } from '../assert.js'
import { minutesPerDay } from '../limits.js'
import type { PaymentKindName } from '../plan/plan.js'

interface KindRhythm {
  readonly weekday: readonly number[]
  readonly weekend: readonly number[]
  /** A weekend day's volume relative to a weekday's. */
  readonly weekendFactor: number
}

/** Grants are credited alike every day, the working day's shape: hours 0..23. */
const grantHours = [
  0.5, 0.2, 0.2, 0.2, 0.2, 0.5, 2, 4, 6, 6, 5, 4, 3, 2, 2, 2, 1.5, 1, 0.5, 0.5, 0.3, 0.2, 0.2, 0.2,
]

// Hours 0..23.
const rhythms: Record<PaymentKindName, KindRhythm> = {
  retail: {
    weekday: [
      0.3, 0.15, 0.1, 0.1, 0.1, 0.3, 1, 2.5, 3, 2.5, 2.5, 4, 6, 4, 2.5, 2.5, 3, 4.5, 6.5, 6, 5, 3.5,
      2, 0.8,
    ],
    weekend: [
      0.4, 0.2, 0.1, 0.1, 0.1, 0.2, 0.5, 1.5, 2.5, 3, 3.5, 5, 6, 5, 4, 4, 4, 5, 6.5, 6, 5, 4, 2.5,
      1,
    ],
    weekendFactor: 1.15,
  },
  transit: {
    weekday: [
      0.1, 0, 0, 0, 0, 0.5, 3, 9, 10, 5, 2.5, 2, 2, 2, 2, 2.5, 3.5, 6.5, 9, 5, 3, 2.5, 1.5, 0.5,
    ],
    weekend: [
      0.2, 0, 0, 0, 0, 0.3, 1, 2, 3, 4, 4.5, 4.5, 4.5, 4.5, 4.5, 4.5, 4.5, 4.5, 4, 3.5, 3, 2.5, 1.5,
      0.6,
    ],
    weekendFactor: 0.75,
  },
  bill: {
    weekday: [0.1, 0, 0, 0, 0, 0, 0.3, 1, 2, 3, 3, 3, 2.5, 2.5, 3, 3, 3, 2.5, 2, 2, 2, 1.5, 1, 0.3],
    weekend: [
      0.1, 0, 0, 0, 0, 0, 0.2, 0.5, 1.5, 2.5, 3, 3, 2.5, 2.5, 2.5, 2.5, 2.5, 2, 2, 2, 2, 1.5, 1,
      0.3,
    ],
    weekendFactor: 0.5,
  },
  payroll: {
    weekday: [0, 0, 0, 0, 0, 0, 0, 0, 2, 6, 5, 3, 1, 1, 1, 1, 0.5, 0, 0, 0, 0, 0, 0, 0],
    weekend: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    weekendFactor: 0,
  },
  p2p: {
    weekday: [
      0.5, 0.3, 0.1, 0.1, 0.1, 0.2, 0.5, 1, 1.5, 2, 2, 2.5, 3, 2.5, 2, 2, 2.5, 3, 4, 5, 5.5, 5, 3.5,
      1.5,
    ],
    weekend: [
      0.8, 0.4, 0.2, 0.1, 0.1, 0.1, 0.3, 0.8, 1.5, 2.5, 3, 3.5, 4, 3.5, 3, 3, 3, 3.5, 4.5, 5, 5.5,
      5, 3.5, 2,
    ],
    weekendFactor: 1.2,
  },
  topup: {
    weekday: [
      0.3, 0.1, 0.1, 0.1, 0.1, 0.3, 1, 2.5, 3, 2, 2, 2.5, 2.5, 2, 2, 2, 2, 2.5, 3.5, 4, 3.5, 3, 2,
      0.8,
    ],
    weekend: [
      0.4, 0.2, 0.1, 0.1, 0.1, 0.2, 0.5, 1.5, 2.5, 3, 3, 3, 3, 2.5, 2.5, 2.5, 2.5, 3, 3.5, 4, 3.5,
      3, 2, 1,
    ],
    weekendFactor: 1,
  },
  // Grants are credited from the early morning, through the working day.
  welfare: { weekday: grantHours, weekend: grantHours, weekendFactor: 1 },
  // Taxes, fees and fines: office hours and the evening online.
  tax: {
    weekday: [
      0.1, 0, 0, 0, 0, 0, 0.2, 0.8, 2, 4, 4.5, 4, 2.5, 3, 4, 4, 3.5, 2.5, 1.5, 1.5, 1.5, 1, 0.5,
      0.2,
    ],
    weekend: [
      0.1, 0, 0, 0, 0, 0, 0.1, 0.3, 0.8, 1.5, 2, 2, 1.5, 1.5, 1.5, 1.5, 1.2, 1, 1, 1, 1, 0.8, 0.4,
      0.1,
    ],
    weekendFactor: 0.3,
  },
  // Outpatient visits: mornings busiest, an afternoon session, few at night (emergencies).
  health: {
    weekday: [
      0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 2, 6, 8, 8, 6, 2, 2, 5, 6, 5, 3, 1.5, 1.2, 1, 0.8, 0.5,
      0.3,
    ],
    weekend: [
      0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 1.5, 4, 6, 6, 4, 1.5, 1.5, 3.5, 4, 3, 2, 1.2, 1, 0.8, 0.6,
      0.4, 0.3,
    ],
    weekendFactor: 0.6,
  },
  // Car parks and tolls: sessions start with the commute, the working day and the evening out.
  parking: {
    weekday: [
      0.3, 0.2, 0.1, 0.1, 0.1, 0.3, 1.5, 4, 5, 4, 3, 3, 3.5, 3, 3, 3, 3.5, 4, 4.5, 4, 3, 2, 1.2,
      0.6,
    ],
    weekend: [
      0.4, 0.2, 0.1, 0.1, 0.1, 0.2, 0.6, 1.5, 3, 4, 4.5, 4.5, 4.5, 4, 4, 4, 4, 4, 4.5, 4, 3, 2, 1.2,
      0.6,
    ],
    weekendFactor: 1.1,
  },
  // Online shopping: a lunch bump and the evening peak, late into the night.
  online: {
    weekday: [
      2, 1, 0.5, 0.3, 0.2, 0.2, 0.4, 1, 1.5, 2, 2.5, 3, 3.5, 3, 2.5, 2.5, 2.5, 2.5, 3, 4, 5.5, 6.5,
      6, 4,
    ],
    weekend: [
      2.5, 1.2, 0.6, 0.3, 0.2, 0.2, 0.3, 0.8, 1.5, 2.5, 3, 3.5, 3.5, 3.5, 3, 3, 3, 3, 3.5, 4.5, 6,
      6.5, 6, 4.5,
    ],
    weekendFactor: 1.2,
  },
}

export interface MinuteShares {
  /** Share of a weekday's volume in each minute of the day. */
  readonly weekday: Float64Array
  readonly weekend: Float64Array
}

/** Per-minute shares, linear between the middles of neighbouring hours. */
export function minuteShares(kind: PaymentKindName): MinuteShares {
  const rhythm = rhythms[kind]
  return {
    weekday: spread(rhythm.weekday, 1),
    weekend: spread(rhythm.weekend, rhythm.weekendFactor),
  }
}

/** An hourly curve as each minute's share of a day whose volume is `total`. */
export function spreadHours(hourly: readonly number[], total: number): Float64Array {
  return spread(hourly, total)
}

function spread(hourly: readonly number[], total: number): Float64Array {
  assert(hourly.length === 24, 'a rhythm has 24 hours')
  const minutes = new Float64Array(minutesPerDay)
  let sum = 0
  for (let minute = 0; minute < minutesPerDay; minute++) {
    const position = minute / 60 - 0.5
    const before = Math.floor(position)
    const fraction = position - before
    const a = hourly[(before + 24) % 24] as number
    const b = hourly[(before + 25) % 24] as number
    const value = a + (b - a) * fraction
    minutes[minute] = value
    sum += value
  }
  if (sum === 0 || total === 0) return minutes.fill(0)
  for (let minute = 0; minute < minutesPerDay; minute++)
    minutes[minute] = ((minutes[minute] as number) / sum) * total
  return minutes
}
