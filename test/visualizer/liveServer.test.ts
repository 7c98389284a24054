/**
 * The live map's server under misuse: wrong hosts, methods and origins, bad and oversized
 * commands, a wrong token, too many commands, a run id that climbs out of the runs folder. Each is
 * refused, and the run goes on undisturbed: its simulated clock keeps moving and other pages keep
 * their snapshots.
 */
import { request } from 'node:http'
import { io, type Socket } from 'socket.io-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { liveCommandsPerSecondMax } from '../../engine/limits.js'
import {
  commandBytesMax,
  type CommandAnswer,
  type Hello,
  type Snapshot,
} from '../../visualizer/protocol.js'
import { openLiveMap, type LiveMap } from '../helpers/liveMap.js'
import { smokeScenario } from '../helpers/runs.js'

const token = 'correct horse battery'

function connect(url: string, origin?: string): Socket {
  return io(url, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    ...(origin === undefined ? {} : { extraHeaders: { origin } }),
  })
}

function send(socket: Socket, message: unknown): Promise<CommandAnswer> {
  return new Promise((resolve) => socket.emit('command', message, resolve))
}

function nextSnapshot(
  socket: Socket,
  accept: (snapshot: Snapshot) => boolean = () => true,
): Promise<Snapshot> {
  return new Promise((resolve) => {
    const on = (snapshot: Snapshot) => {
      if (!accept(snapshot)) return
      socket.off('snapshot', on)
      resolve(snapshot)
    }
    socket.on('snapshot', on)
  })
}

/** The reason a command was refused (failing the test if it was taken). */
function refusal(answer: CommandAnswer): string {
  if (answer.ok) throw new Error('the command was taken')
  return answer.error
}

/** A raw HTTP request, so the Host header and the method are ours to choose. */
function raw(
  url: string,
  options: { method?: string; host?: string; path?: string; body?: string },
): Promise<number> {
  return rawResponse(url, options).then((response) => response.status)
}

function rawResponse(
  url: string,
  options: { method?: string; host?: string; path?: string; body?: string },
): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  const target = new URL(url)
  return new Promise((resolve, reject) => {
    const sent = request(
      {
        host: target.hostname,
        port: target.port,
        method: options.method ?? 'GET',
        path: options.path ?? '/',
        headers: { host: options.host ?? target.host },
      },
      (response) => {
        response.resume()
        resolve({ status: response.statusCode ?? 0, headers: response.headers })
      },
    )
    sent.on('error', reject)
    sent.end(options.body)
  })
}

describe('live map server', () => {
  let map: LiveMap
  let watcher: Socket

  beforeAll(async () => {
    map = await openLiveMap({
      scenario: smokeScenario,
      token,
      pace: { sort: 'clock', tickMs: 100 },
    })
    watcher = connect(map.url)
    await nextSnapshot(watcher, (snapshot) => snapshot.state === 'running' && snapshot.tick > 0)
  })
  afterAll(async () => {
    watcher.close()
    await map.close()
  })

  it('says hello with the token required and bounds', async () => {
    // Proves a page learns before anything else whether its controls need a token.
    const socket = connect(map.url)
    const hello = await new Promise<Hello>((resolve) => socket.once('hello', resolve))
    socket.close()
    expect(hello.live).toBe(true)
    expect(hello.tokenRequired).toBe(true)
    expect(hello.bounds.tpsMax).toBeGreaterThan(0)
  })

  it('sends the same snapshots to many pages at once', async () => {
    // Proves one run can be watched by a roomful of pages: each of 20 gets snapshots of the same
    // run as it moves.
    const pages = Array.from({ length: 20 }, () => connect(map.url))
    const firsts = await Promise.all(pages.map((socket) => nextSnapshot(socket)))
    const laters = await Promise.all(
      pages.map((socket, index) =>
        nextSnapshot(socket, (snapshot) => snapshot.tick > (firsts[index] as Snapshot).tick),
      ),
    )
    for (const socket of pages) socket.close()
    expect(new Set(laters.map((snapshot) => snapshot.run))).toEqual(new Set([1]))
    expect(laters.every((snapshot) => snapshot.state === 'running')).toBe(true)
  })

  it('carries flows between districts, aggregated, and nothing about a resident', async () => {
    // Proves the flows the map animates are counted in a live run (off elsewhere), as
    // district-by-district counts only.
    const withFlows = await nextSnapshot(watcher, (snapshot) =>
      snapshot.flows.some((count) => count > 0),
    )
    expect(withFlows.flows).toHaveLength(withFlows.districts.tps.length ** 2)
    expect(withFlows.flows.every((count) => Number.isInteger(count) && count >= 0)).toBe(true)
    expect(JSON.stringify(withFlows)).not.toMatch(/"(account|resident|debit|credit|id)"\s*:/)
  })

  it('refuses bad commands, a wrong token and floods with an answer, and the run goes on', async () => {
    // Proves each refusal reaches the sender with a reason and leaves the run as it was: still
    // running, clock moving.
    const socket = connect(map.url)
    await nextSnapshot(socket)
    const before = await nextSnapshot(watcher)
    expect(refusal(await send(socket, { command: { type: 'pause' } }))).toContain('token')
    expect(
      refusal(await send(socket, { command: { type: 'pause' }, token: 'wrong one!' })),
    ).toContain('token')
    expect(refusal(await send(socket, { command: { type: 'launch' }, token }))).toContain(
      'command.type',
    )
    expect(
      refusal(await send(socket, { command: { type: 'targetTps', tps: -5 }, token })),
    ).toContain('command.tps')
    expect(
      refusal(
        await send(socket, { command: { type: 'outage', district: 'Atlantis', on: true }, token }),
      ),
    ).toContain('Atlantis')
    expect(refusal(await send(socket, 'not even an object'))).toContain('command')
    // The flood: past the limit in one second, refused.
    const answers = await Promise.all(
      Array.from({ length: liveCommandsPerSecondMax + 5 }, () =>
        send(socket, { command: { type: 'slowdown', ms: 0 }, token }),
      ),
    )
    expect(
      answers.filter((answer) => !answer.ok && answer.error.includes('too many')).length,
    ).toBeGreaterThanOrEqual(5)
    socket.close()
    const after = await nextSnapshot(watcher, (snapshot) => snapshot.tick > before.tick + 1)
    expect(after.state).toBe('running')
    expect(after.faults).toEqual({ slowdownMs: 0, outages: [] })
  })

  it('drops a page that sends an oversized message, and only that page', async () => {
    // Proves the message bound holds: the sender is disconnected, the watcher keeps its snapshots
    // and the run keeps going.
    const socket = connect(map.url)
    await nextSnapshot(socket)
    const gone = new Promise<string>((resolve) => socket.once('disconnect', resolve))
    socket.emit('command', {
      command: { type: 'pause' },
      token,
      padding: 'x'.repeat(commandBytesMax * 4),
    })
    expect(await gone).toBe('transport close')
    const before = await nextSnapshot(watcher)
    const after = await nextSnapshot(watcher, (snapshot) => snapshot.tick > before.tick)
    expect(after.state).toBe('running')
  })

  it('takes a good command with the token, at the next step of the run', async () => {
    // Proves the controls work for those who hold the token: pause stops the clock, resume moves it
    // again.
    const socket = connect(map.url)
    await nextSnapshot(socket)
    expect(await send(socket, { command: { type: 'pause' }, token })).toEqual({ ok: true })
    const paused = await nextSnapshot(watcher, (snapshot) => snapshot.state === 'paused')
    await new Promise((resolve) => setTimeout(resolve, 600))
    const still = await nextSnapshot(watcher)
    expect(still.tick).toBe(paused.tick)
    expect(await send(socket, { command: { type: 'resume' }, token })).toEqual({ ok: true })
    await nextSnapshot(
      watcher,
      (snapshot) => snapshot.state === 'running' && snapshot.tick > paused.tick,
    )
    socket.close()
  })

  it('refuses pages of another origin, unknown hosts, other methods and runs outside its folder', async () => {
    // Proves the HTTP and socket edges: a foreign page cannot connect, DNS rebinding finds no host,
    // nothing but GET is read, no path climbs out.
    const foreign = connect(map.url, 'http://evil.example')
    const error = await new Promise<Error>((resolve) => foreign.once('connect_error', resolve))
    expect(error.message).toBeTruthy()
    foreign.close()
    expect(await raw(map.url, { host: 'evil.example:80' })).toBe(421)
    expect(
      await raw(map.url, { method: 'POST', path: '/api/city', body: 'x'.repeat(10_000) }),
    ).toBe(405)
    expect(await raw(map.url, { path: '/api/runs/..%2F..%2Fetc/city' })).toBe(404)
    expect(await raw(map.url, { path: '/api/runs/%2E%2E/timeline' })).toBe(404)
    expect(await raw(map.url, { path: '/api/city' })).toBe(200)
  })

  it('sends security headers with the page: scripts from itself only, no framing by others, no sniffing', async () => {
    // Proves helmet is in front of every answer, the page included.
    const { status, headers } = await rawResponse(map.url, { path: '/' })
    expect(status).toBe(200)
    expect(headers['content-security-policy']).toContain("script-src 'self'")
    expect(headers['content-security-policy']).not.toContain('upgrade-insecure-requests')
    expect(headers['x-content-type-options']).toBe('nosniff')
    expect(headers['x-frame-options']).toBe('SAMEORIGIN')
    expect(headers['x-powered-by']).toBeUndefined()
  })
})
