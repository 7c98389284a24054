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
