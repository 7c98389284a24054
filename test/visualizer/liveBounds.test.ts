/**
 * The live map cannot be locked: pages that sit idle at the page cap give their place to a new
 * page and are closed in the end, while pages that say they are shown (a presenter's screen) keep
 * theirs; fifty pages sending commands get the global rate between them, not fifty times a page's;
 * a bind beyond loopback answers only names that cannot be rebound. The server's clock is the
 * test's, so "an hour later" takes no hour and no sleep.
 */
import { promises as fs } from 'node:fs'
import { request } from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { io, type Socket } from 'socket.io-client'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { connectionsCapFor, descriptorsSoftLimit } from '../../engine/connectionCap.js'
import { UserError } from '../../engine/errors.js'
import {
  descriptorsReserved,
  liveClientsMax,
  liveCommandsPerSecondAllMax,
  liveCommandsPerSecondMax,
  livePageEvictIdleMs,
  livePageIdleMsMax,
  livePresenceIntervalMs,
} from '../../engine/limits.js'
import type { Closing, CommandAnswer, Snapshot } from '../../visualizer/protocol.js'
import { checkLiveBind } from '../../visualizer/server/allowedHosts.js'
import { startLiveServer, type RunningLiveServer } from '../../visualizer/server/liveServer.js'
import { RunStore } from '../../visualizer/server/runStore.js'
import { openLiveMap, type LiveMap } from '../helpers/liveMap.js'
import { smokeScenario } from '../helpers/runs.js'

/** A clock the test moves by hand. */
function manualClock(): { now: () => number; advance: (ms: number) => void } {
  let nowMs = 1_000_000
  return { now: () => nowMs, advance: (ms) => (nowMs += ms) }
}

/** A socket.io client like the page's, over websocket, that does not reconnect by itself. */
function connect(url: string): Socket {
  return io(url, { transports: ['websocket'], reconnection: false, forceNew: true })
}

/** Connected and greeted, or refused: which one. */
function outcome(socket: Socket): Promise<'hello' | 'refused'> {
  return new Promise((resolve) => {
    socket.once('hello', () => resolve('hello'))
    socket.once('connect_error', () => resolve('refused'))
  })
}

function closing(socket: Socket): Promise<string> {
  return new Promise((resolve) =>
    socket.once('closing', (message: Closing) => resolve(message.reason)),
  )
}

/**
 * Waits until every socket has seen the server's answer to a presence report: a round trip through
 * a command.
 */
function roundTrip(socket: Socket): Promise<unknown> {
  return new Promise((resolve) => socket.emit('command', 'ping', resolve))
}

/**
 * Resolves once `condition` holds, looking every 20 ms (a deterministic signal, polled; the test's
 * own timeout bounds it).
 */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20))
}

/** A raw GET with the Host header ours to choose: its status. */
function get(url: string, pathName: string, host: string): Promise<number> {
  const target = new URL(url)
  return new Promise((resolve, reject) => {
    const sent = request(
      { host: '127.0.0.1', port: target.port, path: pathName, headers: { host } },
      (response) => {
        response.resume()
        resolve(response.statusCode ?? 0)
      },
    )
    sent.on('error', reject)
    sent.end()
  })
}

describe('idle pages at the page cap', () => {
  const clock = manualClock()
  let server: RunningLiveServer
  let folder = ''
  const sockets: Socket[] = []
  const open = (): Socket => {
    const socket = connect(server.url)
    sockets.push(socket)
    return socket
  }

  beforeAll(async () => {
    folder = await fs.mkdtemp(path.join(os.tmpdir(), 'citytwin-idle-'))
    server = await startLiveServer({
      host: '127.0.0.1',
      port: 0,
      store: new RunStore(folder),
      publicDir: folder,
      now: clock.now,
    })
  })
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.close()
    // The next test starts with no page: the server has seen every close.
    await until(() => server.bounds.pages.size === 0)
  })
  afterAll(async () => {
    await server.close()
    await fs.rm(folder, { recursive: true, force: true })
  })

  it('lets a new page in once idle pages fill the cap, and closes the page idle longest, saying why', async () => {
    // Proves 64 pages that connect and say nothing do not lock the map: a fresh newcomer is refused
    // while they are fresh, and takes the place of the oldest once it has gone unseen long enough.
    const idle = Array.from({ length: liveClientsMax }, () => open())
    expect(await Promise.all(idle.map(outcome))).toEqual(Array(liveClientsMax).fill('hello'))
    expect(await outcome(open())).toBe('refused')

    clock.advance(livePageEvictIdleMs)
    const oneClosed = Promise.race(idle.map(closing))
    expect(await outcome(open())).toBe('hello')
    expect(await oneClosed).toContain("took this one's place")
    await until(() => idle.filter((socket) => !socket.connected).length === 1)
  })

  it('keeps the places of pages that say they are shown, and closes the silent ones after livePageIdleMsMax', async () => {
    // Proves what a presenter relies on: a page shown for hours with nobody touching it keeps its
    // place and is never closed; a silent one is closed with a message.
    const shown = Array.from({ length: liveClientsMax / 2 }, () => open())
    const silent = Array.from({ length: liveClientsMax / 2 }, () => open())
    await Promise.all([...shown, ...silent].map(outcome))
    const silentClosed = silent.map(closing)
    let shownClosed = 0
    for (const socket of shown) socket.on('closing', () => (shownClosed += 1))
    // An hour in steps of the presence interval, the shown pages reporting as the page does.
    for (let elapsedMs = 0; elapsedMs < 60 * 60_000; elapsedMs += livePresenceIntervalMs) {
      clock.advance(livePresenceIntervalMs)
      for (const socket of shown) socket.emit('presence', { visible: true })
      await Promise.all(shown.map(roundTrip))
      // At the cap, a newcomer takes a silent page's place, never a shown one's.
      if (elapsedMs === livePageEvictIdleMs) expect(await outcome(open())).toBe('hello')
    }
    const reasons = await Promise.all(silentClosed)
    expect(
      reasons.every(
        (reason) => reason.includes('not been shown') || reason.includes('without being shown'),
      ),
    ).toBe(true)
    expect(
      reasons.some((reason) =>
        reason.includes(`${Math.round(livePageIdleMsMax / 60_000)} minutes`),
      ),
    ).toBe(true)
    expect(shownClosed).toBe(0)
    expect(shown.every((socket) => socket.connected)).toBe(true)
  })
})

describe('commands from many pages', () => {
  let map: LiveMap

  beforeAll(async () => {
    // The server's clock stands still: every command below falls in one second.
    map = await openLiveMap({
      scenario: smokeScenario,
      pace: { sort: 'clock', tickMs: 100 },
      serverNow: () => 1_000_000,
    })
    // The run under way (its clock moving), so the commands reach a run and closing stops it.
    const watcher = connect(map.url)
    await new Promise<void>((resolve) =>
      watcher.on(
        'snapshot',
        (snapshot: Snapshot) => snapshot.state === 'running' && snapshot.tick > 0 && resolve(),
      ),
    )
    watcher.close()
  })
  afterAll(async () => {
    await map.close()
  })

  it('applies at most liveCommandsPerSecondAllMax a second from fifty pages together', async () => {
    // Proves the rate bound is the server's, not each page's: 50 pages × 10 commands in one second
    // apply 20, not 500.
    const pages = Array.from({ length: 50 }, () => connect(map.url))
    await Promise.all(pages.map(outcome))
    const send = (socket: Socket) =>
      new Promise<CommandAnswer>((resolve) =>
        socket.emit('command', { command: { type: 'slowdown', ms: 0 } }, resolve),
      )
    const answers = (
      await Promise.all(
        pages.map((socket) =>
          Promise.all(Array.from({ length: liveCommandsPerSecondMax }, () => send(socket))),
        ),
      )
    ).flat()
    for (const socket of pages) socket.close()
    expect(answers).toHaveLength(50 * liveCommandsPerSecondMax)
    expect(answers.filter((answer) => answer.ok)).toHaveLength(liveCommandsPerSecondAllMax)
    expect(
      answers.filter((answer) => !answer.ok && answer.error.includes('from all pages')),
    ).toHaveLength(50 * liveCommandsPerSecondMax - liveCommandsPerSecondAllMax)
  })
})

describe('a bind beyond loopback', () => {
  let server: RunningLiveServer
  let folder = ''

  beforeAll(async () => {
    folder = await fs.mkdtemp(path.join(os.tmpdir(), 'citytwin-bind-'))
    // Every interface, but the test only ever connects to 127.0.0.1, with forged Host headers.
    server = await startLiveServer({
      host: '0.0.0.0',
      port: 0,
      store: new RunStore(folder),
      publicDir: folder,
      allowHosts: ['citymap.lan'],
      now: Date.now,
    })
  })
  afterAll(async () => {
    await server.close()
    await fs.rm(folder, { recursive: true, force: true })
  })

  it('answers loopback names, IP addresses and --allow-host names, and refuses any other name, on HTTP and on the socket handshake', async () => {
    // Proves DNS rebinding finds nothing on 0.0.0.0: a page of evil.example pointed at this machine
    // sends Host evil.example and is refused.
    const port = new URL(server.url).port
    const handshake = '/socket.io/?EIO=4&transport=polling'
    for (const host of [
      `127.0.0.1:${port}`,
      `localhost:${port}`,
      `192.168.7.7:${port}`,
      `[fe80::1]:${port}`,
      `citymap.lan:${port}`,
      `CityMap.LAN:${port}`,
    ]) {
      expect([host, await get(server.url, '/api/runs', host)]).toEqual([host, 200])
      expect([host, await get(server.url, handshake, host)]).toEqual([host, 200])
    }
    for (const host of [
      `evil.example:${port}`,
      `citymap.lan.evil.example:${port}`,
      `citymap.lan:1`,
      'citymap.lan',
      `127.0.0.1.evil.example:${port}`,
    ]) {
      expect([host, await get(server.url, '/api/runs', host)]).toEqual([host, 421])
      expect([host, await get(server.url, handshake, host)]).toEqual([host, 403])
    }
  })

  it('is refused up front with neither a token nor --allow-host when there are controls', () => {
    // Proves a served run beyond loopback must say who may steer it; loopback binds need nothing.
    expect(() => checkLiveBind('0.0.0.0', undefined, [])).toThrow(UserError)
    expect(() => checkLiveBind('::', undefined, [])).toThrow(/--host/)
    expect(() => checkLiveBind('192.168.1.20', undefined, [])).toThrow(/--token/)
    expect(() => checkLiveBind('0.0.0.0', 'a long enough token', [])).not.toThrow()
    expect(() => checkLiveBind('0.0.0.0', undefined, ['citymap.lan'])).not.toThrow()
    expect(() => checkLiveBind('0.0.0.0', undefined, ['citymap.lan:80'])).toThrow(/--allow-host/)
    for (const loopback of ['127.0.0.1', 'localhost', '::1', '127.1.2.3'])
      expect(() => checkLiveBind(loopback, undefined, [])).not.toThrow()
  })
})

describe('the connection cap', () => {
  it('is taken from the soft descriptor limit, read from /proc/self/limits, with room kept for the rest', () => {
    // Proves the cap sits below the descriptor limit whatever it is, and that the limit is read
    // where Linux publishes it.
    const limits =
      'Limit                     Soft Limit           Hard Limit           Units     \nMax open files            256                  4096                 files     \n'
    expect(descriptorsSoftLimit(limits)).toBe(256)
    expect(descriptorsSoftLimit('nothing useful')).toBeGreaterThan(0)
    expect(connectionsCapFor(1024, 256)).toBe(256 - descriptorsReserved)
    expect(connectionsCapFor(1024, 1_000_000)).toBe(1024)
    if (process.platform === 'linux')
      expect(descriptorsSoftLimit()).toBeGreaterThan(descriptorsReserved)
  })
})
