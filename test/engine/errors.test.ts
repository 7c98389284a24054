/**
 * UserError bounds what it says, whoever builds it: at most errorIssuesMax issues and a count of
 * the rest, every line cut at errorLineCharsMax, and no control character left raw.
 */
import { describe, expect, it } from 'vitest'
import { steeringIn } from '../helpers/controls.js'
import { UserError } from '../../engine/errors.js'
import { errorIssuesMax, errorLineCharsMax, errorMessageCharsMax } from '../../engine/limits.js'

describe('UserError', () => {
  it('lists errorIssuesMax issues of ten thousand, then how many more', () => {
    // Proves: a file with thousands of problems gives an error of bounded length, not one line per
    // problem.
    const issues = Array.from(
      { length: 10_000 },
      (_, index) => `scenario.yaml:${index + 1}: junk${index}: unknown field`,
    )
    const error = new UserError('scenario.yaml: invalid scenario', issues)
    expect(error.issues).toHaveLength(errorIssuesMax + 1)
    expect(error.issues.slice(0, errorIssuesMax)).toEqual(issues.slice(0, errorIssuesMax))
    expect(error.issues[errorIssuesMax]).toBe(`… and ${10_000 - errorIssuesMax} more`)
    expect(error.message.split('\n')).toHaveLength(errorIssuesMax + 2)
  })

  it('counts issues the caller found but did not write out', () => {
    // Proves: a caller can skip formatting what will not be listed and still report the total.
    const error = new UserError('x: invalid', ['a', 'b'], 5)
    expect(error.issues).toEqual(['a', 'b', '… and 5 more'])
  })

  it('cuts every line at errorLineCharsMax and keeps the whole message under errorMessageCharsMax', () => {
    // Proves: one huge value quoted in an issue (a megabyte-long key) cannot make a megabyte-long
    // message.
    const huge = 'k'.repeat(1024 * 1024)
    const error = new UserError(
      `${huge}: invalid`,
      Array.from({ length: 1000 }, () => `${huge}: unknown field`),
    )
    for (const line of error.message.split('\n'))
      expect(line.length).toBeLessThanOrEqual(errorLineCharsMax + 2)
    expect(error.message.length).toBeLessThanOrEqual(errorMessageCharsMax)
  })

  it('shows control characters in its message and issues as visible escapes', () => {
    // Proves: a file name or key holding escape codes cannot steer the terminal the error is
    // printed on.
    const error = new UserError('evil\x1b[2J.yaml: invalid scenario', [
      'evil\x1b[2J.yaml:3: \x1b]0;pwned\x07: unknown field',
      'a\nb\u202e',
    ])
    expect(steeringIn(error.message)).toBeUndefined()
    expect(error.message.split('\n')[0]).toBe('evil\\x1b[2J.yaml: invalid scenario')
    expect(error.issues).toEqual([
      'evil\\x1b[2J.yaml:3: \\x1b]0;pwned\\x07: unknown field',
      'a\\x0ab\\u202e',
    ])
  })
})
