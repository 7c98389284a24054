/**
 * A mistake in what the user gave us (a flag, a scenario file, a map). The CLI prints the
 * message without a stack trace and exits with code 2. Each issue names where it is: a file,
 * a field path, a line.
 */
export class UserError extends Error {
  override readonly name = 'UserError'
  readonly issues: readonly string[]

  constructor(message: string, issues: readonly string[] = []) {
    super(issues.length === 0 ? message : `${message}\n${issues.map((issue) => `  ${issue}`).join('\n')}`)
    this.issues = issues
  }
}

/**
 * A run that could not finish honestly for a reason outside the user's input (a ledger that stops
 * answering, a broken audit in a capacity trial). The CLI prints the message without a stack trace
 * and exits with code 1.
 */
export class RunFailed extends Error {
  override readonly name = 'RunFailed'
}
