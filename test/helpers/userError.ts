/**
 * The message of the UserError `action` throws; fails the test if it throws nothing or something
 * else.
 */
import { expect } from 'vitest'
import { UserError } from '../../engine/errors.js'

export function userError(action: () => unknown): string {
  try {
    action()
  } catch (error) {
    expect(error).toBeInstanceOf(UserError)
    return (error as Error).message
  }
  throw new Error('expected a UserError')
}
