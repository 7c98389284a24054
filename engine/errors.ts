import { errorIssuesMax, errorLineCharsMax } from './limits.js'
import { clipped, printable } from './printable.js'

/**
 * A mistake in what the user gave us (a flag, a scenario file, a map). The CLI prints the
 * message without a stack trace and exits with code 2. Each issue names where it is: a file,
 * a field path, a line.
 *
 * The message quotes input (file names, keys, values), so it is bounded here, whoever builds it:
 * every line is made printable (controls shown as `\x1b`) and cut at errorLineCharsMax, and at
 * most errorIssuesMax issues are listed, then "… and N more". A hostile file cannot make an
 * error that floods the terminal, fills memory, or writes escape codes.
 */
export class UserError extends Error {
  override readonly name = 'UserError'
  /** The issues as listed: at most errorIssuesMax, then one "… and N more". */
  readonly issues: readonly string[]

  /**
   * `unlisted`: issues found beyond those given, which the caller did not format; they are counted
   * with the rest.
   */
  constructor(message: string, issues: readonly string[] = [], unlisted = 0) {
    const listed = issues.slice(0, errorIssuesMax).map(errorLine)
    const more = issues.length - listed.length + unlisted
    if (more > 0) listed.push(`… and ${more} more`)
    const head = errorLine(message)
    super(listed.length === 0 ? head : `${head}\n${listed.map((issue) => `  ${issue}`).join('\n')}`)
    this.issues = listed
  }
}

function errorLine(text: string): string {
  return clipped(printable(text), errorLineCharsMax)
}

/**
 * A run that could not finish honestly for a reason outside the user's input (a ledger that stops
 * answering, a broken audit in a capacity trial). The CLI prints the message without a stack trace
 * and exits with code 1.
 */
export class RunFailed extends Error {
  override readonly name = 'RunFailed'
}
