/**
 * Slow sockets against the live server under a low descriptor limit: `citytwin replay` runs with
 * `ulimit -n 256`, 400 sockets connect to it and send half a request each (more sockets than the
 * process has descriptors), and a GET made after them is still answered. The cap sits below the
 * limit read from /proc/self/limits, and the oldest of the half-requests give their place.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { promises as fs } from 'node:fs'
import { request } from 'node:http'
import { connect, type Socket } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { repoRoot } from '../helpers/runs.js'

const descriptorsLimit = 256
const slowSockets = 400

describe('live server with slow sockets', () => {
  let folder = ''
  let child: ChildProcess | undefined
  let url = ''

  beforeAll(async () => {
    folder = await fs.mkdtemp(path.join(os.tmpdir(), 'citytwin-slow-'))
    const run = path.join(folder, 'run-1')
    await fs.mkdir(run)
    await fs.writeFile(
      path.join(run, 'summary.json'),
      JSON.stringify({ scenario: 'slow', transfers: { submitted: 1 } }),
    )
    await fs.writeFile(
      path.join(run, 'timeline.json'),
      JSON.stringify({ run: 'run-1', snapshots: [] }),
    )
    await fs.writeFile(path.join(run, 'city.json'), '{}')
    const started = spawn(
      'sh',
      [
        '-c',
        `ulimit -n ${descriptorsLimit} && exec "$@"`,
        'sh',
        process.execPath,
        '--import',
        import.meta.resolve('tsx'),
        path.join(repoRoot, 'bin/citytwin.ts'),
        'replay',
        run,
        '--port',
        '0',
      ],
      {
        cwd: repoRoot,
        env: { ...process.env, FORCE_COLOR: '0' },
      },
    )
    child = started
    url = await new Promise<string>((resolve, reject) => {
      let stderr = ''
      started.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString()
        const found = /replay at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stderr)
        if (found !== null) resolve(found[1] as string)
      })
      started.once('exit', (code) => reject(new Error(`replay exited ${code}: ${stderr}`)))
    })
  }, 60_000)
  afterAll(async () => {
    if (child !== undefined && child.exitCode === null) {
      const exited = new Promise((resolve) => child?.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
    }
    await fs.rm(folder, { recursive: true, force: true })
  })

  it(`answers a GET made after ${slowSockets} half-sent requests, with only ${descriptorsLimit} descriptors`, async () => {
    // Proves slow sockets cannot lock the map out: without a cap below the limit the server runs
    // out of descriptors and drops every new connection, the GET's too.
    const port = Number(new URL(url).port)
    const sockets: Socket[] = []
    await Promise.all(
      Array.from(
        { length: slowSockets },
        () =>
          new Promise<void>((resolve) => {
            const socket = connect(port, '127.0.0.1', () => {
              socket.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`)
              resolve()
            })
            socket.on('error', () => resolve())
            socket.on('close', () => resolve())
            sockets.push(socket)
          }),
      ),
    )
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const sent = request(
          { host: '127.0.0.1', port, path: '/api/runs', timeout: 20_000 },
          (response) => {
            response.resume()
            resolve(response.statusCode ?? 0)
          },
        )
        sent.on('timeout', () => sent.destroy(new Error('no answer within 20 s')))
        sent.on('error', reject)
        sent.end()
      })
      expect(status).toBe(200)
    } finally {
      for (const socket of sockets) socket.destroy()
    }
  })
})
