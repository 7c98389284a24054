/** The parsers of flag values: each refuses what it cannot take with a message naming the flag. */
import { InvalidArgumentError } from 'commander'
import { UserError } from '../engine/errors.js'

/** A parser of whole numbers from `min` to `max`, for the flag `name`. */
export function integer(name: string, min: number, max: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value.trim())) {
      throw new InvalidArgumentError(`${name} must be an integer between ${min} and ${max}`)
    }
    const parsed = Number(value)
    if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
      throw new InvalidArgumentError(`${name} must be an integer between ${min} and ${max}`)
    }
    return parsed
  }
}

/** Repeatable options gather into a list. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value]
}

/** A parser of numbers above 0 and at most `max`, for the flag `name`. */
export function positiveNumber(name: string, max: number) {
  return (value: string): number => {
    const parsed = Number(value)
    if (!/^\d+(\.\d+)?$/.test(value.trim()) || !(parsed > 0 && parsed <= max)) {
      throw new InvalidArgumentError(`${name} must be a number above 0 and at most ${max}`)
    }
    return parsed
  }
}

/** A parser of growth factors, above 1 and at most 16, for the flag `name`. */
export function factor(name: string) {
  return (value: string): number => {
    const parsed = Number(value)
    if (!/^\d+(\.\d+)?$/.test(value.trim()) || !(parsed > 1 && parsed <= 16)) {
      throw new InvalidArgumentError(`${name} must be a number above 1 and at most 16`)
    }
    return parsed
  }
}

/** A share written as a percentage ("5%"), strictly between 0% and 100%, as a fraction. */
export function parsePercent(text: string, where: string): number {
  const match = /^(\d+(?:\.\d+)?)%$/.exec(text.trim())
  const value = match === null ? Number.NaN : Number(match[1]) / 100
  if (!(value > 0 && value < 1)) {
    throw new UserError(`${where}: "${text}" must be a share between 0% and 100%, like 5%`)
  }
  return value
}
