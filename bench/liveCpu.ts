/**
 * What `npm start` costs the machine: `citytwin serve` on the whole city at its default pace, in a
 * process of its own, its CPU time (every thread: the sender, the ledger's, the simulation's)
 * over wall time while the run goes, from ten seconds after its first progress line on. Linux only:
 * the figure is read from /proc.
 */
import { spawn } from 'node:child_process'
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

/**
 * The live run settles for this long before the measure starts: in its first seconds the city
 * stream fills the buffer it keeps ahead of the sender, once.
 */
const settleMs = 10_000
/** How long the city may take to build and open before the bench gives up. */
const startMsMax = 300_000

/** CPU seconds the process has used, all threads, from /proc/<pid>/stat (utime + stime). */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8')
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const ticksPerSecond = 100
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond
}

/**
 * Serves `scenario` with `citytwin serve` from the built tree in `root`, waits for the live run,
 * then measures for `seconds`: CPU time over wall time (1 = one core busy), and the run's own
 * figures are left to the run. The run is stopped with SIGINT and its folder removed.
 */
export async function liveCpuShare(
  root: string,
  scenario: string,
  seconds: number,
): Promise<number> {
  if (process.platform !== 'linux') throw new Error('live.cpu_share is read from /proc: Linux only')
  const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'citytwin-bench-live-'))
  const cli = path.join(root, 'dist/bin/citytwin.js')
  const child = spawn(
    process.execPath,
    [cli, 'serve', scenario, '--port', '0', '--out', path.join(folder, 'run')],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  )
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  )
  try {
    await firstLiveLine(child.stderr, exited)
    await sleep(settleMs)
    const pid = child.pid
    if (pid === undefined) throw new Error('citytwin serve did not start')
    const fromCpu = await cpuSeconds(pid)
    const fromMs = performance.now()
    await sleep(seconds * 1000)
    const cpu = (await cpuSeconds(pid)) - fromCpu
    return cpu / ((performance.now() - fromMs) / 1000)
  } finally {
    child.kill('SIGINT')
    await exited
    await fs.rm(folder, { recursive: true, force: true })
  }
}

/**
 * Resolves at the first progress line of the live run; fails if the process ends first or takes too
 * long.
 */
function firstLiveLine(
  stderr: NodeJS.ReadableStream,
  exited: Promise<number | null>,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let seen = ''
    const timer = setTimeout(
      () => reject(new Error('citytwin serve: no live line within 5 minutes')),
      startMsMax,
    )
    stderr.on('data', (chunk: Buffer) => {
      // Keeps the tail only: progress lines come every second for the whole run.
      seen = (seen + chunk.toString('utf8')).slice(-4096)
      // The run's progress line ("live   1 s  …"), not the map's address ("live map at …").
      if (/(^|[\r\n])live\s+\d+ s\s/.test(seen)) {
        clearTimeout(timer)
        resolve()
      }
    })
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`citytwin serve ended (exit ${String(code)}) before its live run began`))
    })
  })
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
