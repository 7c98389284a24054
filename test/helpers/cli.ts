/** Runs the citytwin CLI from its TypeScript source, as a user would run the built one. */
import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { repoRoot } from './runs.js'

export interface CliResult {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Output kept per stream; far above what any command here prints. */
const outputBytesMax = 4 * 1024 * 1024

/** `nodeArgs` go to node before the script, after tsx's loader (a test's own `--import`, say). */
export function citytwin(
  args: readonly string[],
  options: {
    cwd?: string
    timeoutMs?: number
    env?: Record<string, string>
    nodeArgs?: readonly string[]
  } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        import.meta.resolve('tsx'),
        ...(options.nodeArgs ?? []),
        path.join(repoRoot, 'bin/citytwin.ts'),
        ...args,
      ],
      {
        cwd: options.cwd ?? repoRoot,
        env: { ...process.env, FORCE_COLOR: '0', ...options.env },
        timeout: options.timeoutMs ?? 120_000,
      },
    )
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => {
      if (stdout.length < outputBytesMax) stdout += chunk.toString()
    })
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < outputBytesMax) stderr += chunk.toString()
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

/** A citytwin CLI started in the background: its output as it comes, signals to send, its end. */
export interface RunningCli {
  readonly child: ChildProcess
  /** Resolves once stderr has matched `pattern` (rejects if the process ends first). */
  stderrMatches(pattern: RegExp): Promise<void>
  readonly done: Promise<CliResult>
}

export function startCitytwin(
  args: readonly string[],
  options: { cwd?: string; timeoutMs?: number; env?: Record<string, string> } = {},
): RunningCli {
  const child = spawn(
    process.execPath,
    ['--import', import.meta.resolve('tsx'), path.join(repoRoot, 'bin/citytwin.ts'), ...args],
    {
      cwd: options.cwd ?? repoRoot,
      env: { ...process.env, FORCE_COLOR: '0', ...options.env },
      timeout: options.timeoutMs ?? 120_000,
    },
  )
  let stdout = ''
  let stderr = ''
  const waiting = new Set<{ pattern: RegExp; resolve: () => void }>()
  child.stdout?.on('data', (chunk: Buffer) => {
    if (stdout.length < outputBytesMax) stdout += chunk.toString()
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    if (stderr.length < outputBytesMax) stderr += chunk.toString()
    for (const wait of waiting) {
      if (wait.pattern.test(stderr)) {
        waiting.delete(wait)
        wait.resolve()
      }
    }
  })
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
  return {
    child,
    done,
    stderrMatches: (pattern) =>
      new Promise<void>((resolve, reject) => {
        if (pattern.test(stderr)) return resolve()
        waiting.add({ pattern, resolve })
        void done.then((result) =>
          reject(
            new Error(
              `citytwin ended (exit ${result.code}) before stderr matched ${pattern}:\n${result.stderr}`,
            ),
          ),
        )
      }),
  }
}
