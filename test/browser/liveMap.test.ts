/**
 * The live map in a real browser: Debian's chromium, driven by playwright-core, opens the page
 * served during a run of the Shenzhen scenario (its map, its merchant sample, a city of 20,000
 * residents) with every request off the server refused. It finds one path per district, sees the
 * payments a second change, pauses and sees the simulated clock stop, resumes, sets a target rate
 * and sees it taken; measures frames per second from requestAnimationFrame and bytes per second
 * on the socket; then presenter mode and the replay of a finished run. Screenshots and the
 * measured figures are left in test-results/ for a human to look at.
 */
import { existsSync, promises as fs } from 'node:fs'
import path from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest'
import { livePageIdleMsMax, livePresenceIntervalMs } from '../../engine/limits.js'
import type { Snapshot } from '../../visualizer/protocol.js'
import { openLiveMap, type LiveMap } from '../helpers/liveMap.js'
import { defaultScenario, repoRoot, smokeScenario } from '../helpers/runs.js'

const chromiumPath = '/usr/bin/chromium'
const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]
const results = path.join(repoRoot, 'test-results')
const present = existsSync(chromiumPath)
const missing = 'chromium not found: apt-get install -y chromium'
/** The Shenzhen map's districts. */
const districtCount = 8
/** What the page must hold, and how long it is watched for it. */
const framesPerSecondMin = 30
const wireBytesPerSecondMax = 50_000
const measureSeconds = 5

function needsChromium(context: TestContext): void {
  if (present) return
  // In CI a missing browser is a broken image, not a reason to pass quietly.
  if (process.env.CI !== undefined && process.env.CI !== '') throw new Error(missing)
  console.warn(missing)
  context.skip(missing)
}

/** A page on `url` whose requests anywhere but the server are refused (and listed). */
async function openPage(browser: Browser, url: string): Promise<{ page: Page; refused: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1600, height: 900 } })
  const origin = new URL(url).origin
  const refused: string[] = []
  await page.route('**/*', async (route) => {
    const target = route.request().url()
    if (target.startsWith(origin) || target.startsWith(origin.replace('http', 'ws')))
      return route.continue()
    refused.push(target)
    return route.abort()
  })
  await page.goto(url)
  return { page, refused }
}

/**
 * What the page's own scripts see, for the functions run inside it (the tests are compiled without
 * the DOM's types).
 */
interface InPage {
  readonly citytwin: { readonly snapshots: number; readonly lastSnapshot: Snapshot | null }
  requestAnimationFrame(step: (time: number) => void): number
  readonly document: { readonly body: unknown }
  getComputedStyle(element: unknown): { readonly backgroundColor: string }
}

const lastSnapshot = (page: Page) =>
  page.evaluate(() => (globalThis as unknown as InPage).citytwin.lastSnapshot)

/** Waits until the page has drawn a snapshot that `accept` takes. */
async function untilSnapshot(
  page: Page,
  accept: (snapshot: Snapshot) => boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<Snapshot> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const snapshot = await lastSnapshot(page)
    if (snapshot !== null && accept(snapshot)) return snapshot
    if (Date.now() > deadline)
      throw new Error(
        `the page never showed ${what}; last snapshot: ${JSON.stringify(snapshot)?.slice(0, 400)}`,
      )
    await page.waitForTimeout(100)
  }
}

const text = (page: Page, selector: string) => page.locator(selector).innerText()

describe('live map in chromium', () => {
  let browser: Browser | undefined
  let map: LiveMap

  beforeAll(async () => {
    await fs.mkdir(results, { recursive: true })
    if (!present) return
    browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs })
    // A simulated minute every 60 ms: the day lasts about a minute and a half, longer than the
    // tests watch it.
    map = await openLiveMap({
      scenario: defaultScenario,
      residents: 20_000,
      pace: { sort: 'clock', tickMs: 60 },
    })
  })
  afterAll(async () => {
    await browser?.close()
    if (present) await map.close()
  })

  it('shows the run live: districts, moving figures, pause, resume, a new target rate', async (context) => {
    // Proves the page follows and steers the run: one path per district, TPS that changes, a clock
    // that stops on pause and goes on after, a target rate that is taken.
    needsChromium(context)
    if (browser === undefined) throw new Error('chromium did not start')
    const { page, refused } = await openPage(browser, map.url)
    await page.locator('path.district').first().waitFor()
    const districts = await Promise.all(
      (await page.locator('path.district').all()).map((path) => path.getAttribute('data-district')),
    )
    expect(districts).toHaveLength(districtCount)
    expect(new Set(districts).size).toBe(districtCount)
    expect(districts).toContain('Futian')

    // Hovering a district shows its figures.
    await page.locator('path.district[data-district="Futian"]').hover()
    await expect.poll(() => page.locator('#tooltip').isVisible(), { timeout: 5_000 }).toBe(true)
    expect(await text(page, '#tooltip')).toContain('Futian')

    // The payments a second change as the city's day goes on.
    await untilSnapshot(
      page,
      (snapshot) => snapshot.state === 'running' && snapshot.achievedTps > 0,
      'payments',
    )
    const seen = new Set<string>()
    for (let look = 0; look < 20 && seen.size < 3; look++) {
      seen.add(await text(page, '#tps'))
      await page.waitForTimeout(250)
    }
    expect(seen.size).toBeGreaterThanOrEqual(3)

    // Pause: the state says so and the simulated clock stands still.
    await page.locator('#btn-pause').click()
    const paused = await untilSnapshot(page, (snapshot) => snapshot.state === 'paused', 'the pause')
    await expect.poll(() => text(page, '#state'), { timeout: 5_000 }).toMatch(/paused/i)
    const clockPaused = await text(page, '#clock')
    await page.waitForTimeout(1_500)
    expect(await text(page, '#clock')).toBe(clockPaused)
    expect((await lastSnapshot(page))?.tick).toBe(paused.tick)

    // The pause is an event of the run: marked on every chart, labelled, at its moment.
    await expect
      .poll(() => page.locator('#chart-tps .chart-marker text').allTextContents(), {
        timeout: 5_000,
      })
      .toContain('paused')
    expect(await page.locator('#chart-latency .chart-marker.marker-pause').count()).toBe(1)
    expect(paused.events.map((event) => event.label)).toContain('paused')

    // One denominator: the rejected share is of the city's payments; the institutions' transfers
    // (the opening's top-ups among them) are counted on a line of their own.
    const still = (await lastSnapshot(page)) as Snapshot
    expect(still.institutional).toBeGreaterThan(0)
    expect(still.rejected).toBeGreaterThan(0)
    expect(still.payments + still.institutional).toBe(still.submitted)
    expect(still.settled + still.rejected).toBe(still.payments)
    const detail = await text(page, '#rejected-detail')
    expect(detail).toMatch(/^[\d.]+% of payments/)
    expect(Number(/^([\d.]+)%/.exec(detail)?.[1])).toBeCloseTo(
      (still.rejected / still.payments) * 100,
      1,
    )
    expect(await text(page, '#institutional')).not.toBe('–')

    // Resume: the clock moves again.
    await page.locator('#btn-resume').click()
    await untilSnapshot(
      page,
      (snapshot) => snapshot.state === 'running' && snapshot.tick > paused.tick + 2,
      'the clock going on',
    )
    await expect.poll(() => text(page, '#clock'), { timeout: 10_000 }).not.toBe(clockPaused)

    // A constant target of 300 a second: the schedule takes it and the ledger is sent it.
    await page.locator('#tps-input').fill('300')
    await page.locator('#tps-apply').click()
    await untilSnapshot(
      page,
      (snapshot) => snapshot.pace.mode === 'rate' && snapshot.targetTps === 300,
      'the new target',
    )
    await expect.poll(() => text(page, '#target-tps'), { timeout: 5_000 }).toBe('300')
    const held = await untilSnapshot(
      page,
      (snapshot) => snapshot.targetTps === 300 && Math.abs(snapshot.achievedTps - 300) <= 30,
      'about 300 payments a second',
      15_000,
    )
    expect(held.pace).toMatchObject({ mode: 'rate', tps: 300 })

    // The time axis says what it counts, and counts the simulated clock when asked.
    expect(await page.locator('#chart-tps .chart-axis-title').textContent()).toMatch(/run time/)
    await page.locator('#time-axis').selectOption('simulated')
    await expect
      .poll(() => page.locator('#chart-tps .chart-axis-title').textContent(), { timeout: 5_000 })
      .toMatch(/simulated time/)
    expect(await page.locator('#chart-tps .chart-axis-x .tick text').first().textContent()).toMatch(
      /^\d\d:\d\d$/,
    )
    await page.screenshot({ path: path.join(results, 'live-map-simulated-axis.png') })
    await page.locator('#time-axis').selectOption('wall')

    // A page that joins now is sent the run so far: its charts start full, not empty.
    const late = await openPage(browser, map.url)
    await untilSnapshot(late.page, (snapshot) => snapshot.state === 'running', 'the run')
    const drawn = await late.page.locator('#chart-tps path.series-achieved').getAttribute('d')
    const pointsDrawn = (drawn ?? '').split(/[ML]/).length - 1
    const runSeconds = ((await lastSnapshot(late.page)) as Snapshot).t
    expect(runSeconds).toBeGreaterThan(5)
    // About a point a second of the run (the history keeps one a second), not the one or two
    // snapshots of the page's own first moment.
    expect(pointsDrawn).toBeGreaterThanOrEqual(Math.floor(Math.min(runSeconds, 120) * 0.6))
    expect(late.refused).toEqual([])
    await late.page.close()

    // Rendering and the wire, measured together over the same seconds at the city's pace again.
    await page.locator('#speed-input').fill('20')
    await page.locator('#speed-apply').click()
    await untilSnapshot(
      page,
      (snapshot) => snapshot.pace.mode === 'clock' && snapshot.achievedTps > 0,
      'the clock pace',
    )
    const perf = await measure(page)
    await fs.writeFile(
      path.join(results, 'live-map-perf.json'),
      `${JSON.stringify({ scenario: 'shenzhen-day.yaml, 20,000 residents', ...perf }, null, 2)}\n`,
    )
    console.log(
      `live map: ${perf.framesPerSecond.toFixed(1)} frames/s (slowest frame ${perf.slowestFrameMs.toFixed(1)} ms), ${Math.round(perf.wireBytesPerSecond)} bytes/s on the socket, ${perf.snapshotsPerSecond.toFixed(1)} snapshots/s`,
    )
    expect(perf.framesPerSecond).toBeGreaterThanOrEqual(framesPerSecondMin)
    expect(perf.wireBytesPerSecond).toBeLessThan(wireBytesPerSecondMax)
    expect(perf.snapshotsPerSecond).toBeGreaterThanOrEqual(3)

    await page.screenshot({ path: path.join(results, 'live-map.png') })

    // A ledger five seconds slow under a target the calls in flight cannot carry: payments fall due
    // faster than they go out, and the page warns as it happens; with the ledger quick again the
    // sender catches up and the warning goes.
    await expect.poll(() => page.locator('#behind-badge').isVisible()).toBe(false)
    await page.locator('#slowdown-input').fill('5000')
    await page.locator('#slowdown-apply').click()
    await page.locator('#tps-input').fill('1500')
    await page.locator('#tps-apply').click()
    const behind = await untilSnapshot(
      page,
      (snapshot) => snapshot.behind > Math.max(500, snapshot.targetTps),
      'the generator falling behind',
      20_000,
    )
    await expect
      .poll(() => page.locator('#behind-badge').isVisible(), { timeout: 5_000 })
      .toBe(true)
    expect(await text(page, '#behind-badge')).toMatch(/^generator behind: [\d,.]+k? unsent$/)
    expect(await page.locator('#behind-badge').getAttribute('title')).toMatch(
      /^[\d,.]+k? payments due unsent at 1\.5k\/s asked; lower the speed or the run is invalid$/,
    )
    const badge = page.locator('#behind-badge')
    const fits = await badge.evaluate((element: { scrollWidth: number; clientWidth: number }) => {
      return element.scrollWidth <= element.clientWidth
    })
    expect(fits).toBe(true)
    expect(behind.faults.slowdownMs).toBe(5000)
    await page.screenshot({ path: path.join(results, 'live-map-behind.png') })
    await page.locator('#slowdown-input').fill('0')
    await page.locator('#slowdown-apply').click()
    await page.locator('#speed-input').fill('20')
    await page.locator('#speed-apply').click()
    await expect
      .poll(() => page.locator('#behind-badge').isVisible(), { timeout: 20_000 })
      .toBe(false)
    expect(refused).toEqual([])
    await page.close()
  })

  it("draws Shenzhen's real metro: its lines in their colours, a dot a station", async (context) => {
    // Proves the page draws CityView.network instead of the district links: the scenario's 16
    // lines, each a path in its file's colour, and 324 stations, 61 of them interchanges.
    needsChromium(context)
    if (browser === undefined) throw new Error('chromium did not start')
    const { page, refused } = await openPage(browser, map.url)
    await page.locator('path.metro-line').first().waitFor()
    expect(await page.locator('path.metro-line').count()).toBe(16)
    expect(await page.locator('circle.metro-stop').count()).toBe(324)
    expect(await page.locator('circle.metro-interchange').count()).toBe(61)
    expect(await page.locator('line.metro-link').count()).toBe(0)
    const strokes = await page
      .locator('path.metro-line')
      .evaluateAll((paths: { getAttribute(name: string): string | null }[]) =>
        paths.map((path) => path.getAttribute('stroke')),
      )
    expect(strokes[0]).toBe('#00b248')
    expect(new Set(strokes).size).toBe(16)
    const drawn = await page.locator('path.metro-line').first().getAttribute('d')
    // Line 1's 30 stations: a move and 29 lines.
    expect((drawn ?? '').match(/[ML]/g)).toHaveLength(30)
    await page.locator('#map').screenshot({ path: path.join(results, 'live-map-metro.png') })
    expect(refused).toEqual([])
    await page.close()
  })

  it('presenter mode: dark, large, no controls, measures cycling by themselves', async (context) => {
    // Proves ?presenter=1 opens the presenter's page: its class, a dark background, the controls
    // hidden and the measure changing with no one touching it.
    needsChromium(context)
    if (browser === undefined) throw new Error('chromium did not start')
    const { page, refused } = await openPage(browser, `${map.url}?presenter=1`)
    await page.locator('path.district').first().waitFor()
    expect(await page.locator('body').getAttribute('class')).toContain('presenter')
    const background = await page.evaluate(() => {
      const inPage = globalThis as unknown as InPage
      return inPage.getComputedStyle(inPage.document.body).backgroundColor
    })
    expect(luminance(background)).toBeLessThan(0.2)
    expect(await page.locator('#controls').isVisible()).toBe(false)
    const first = await text(page, '#measure-name')
    await expect
      .poll(() => text(page, '#measure-name'), { timeout: 20_000, interval: 500 })
      .not.toBe(first)
    await page.screenshot({ path: path.join(results, 'live-map-presenter.png') })
    // A room's screen is 1080p or 720p: at both, every figure and label is whole, none cut short.
    for (const [width, height] of [
      [1920, 1080],
      [1280, 720],
    ] as const) {
      await page.setViewportSize({ width, height })
      await page.waitForTimeout(600)
      await page.screenshot({ path: path.join(results, `live-map-presenter-${height}p.png`) })
      expect(await cutShort(page), `text cut short at ${width}×${height}`).toEqual([])
    }
    // One name per district, and the places the map folds into one: Dapeng, Guangming.
    const names = await page.locator('.district-label').allTextContents()
    expect(names).toHaveLength(new Set(names).size)
    expect(await page.locator('.place-label').allTextContents()).toEqual(
      expect.arrayContaining(['Guangmingin Bao’an'.replace('’', "'"), 'Dapengin Longgang']),
    )
    expect(refused).toEqual([])
    await page.close()
  })
})

describe('a page closed by the server, in chromium', () => {
  let browser: Browser | undefined
  let map: LiveMap
  let nowMs = 1_000_000

  beforeAll(async () => {
    if (!present) return
    browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs })
    // The server's clock is the test's: "a quarter of an hour later" is one assignment.
    map = await openLiveMap({
      scenario: smokeScenario,
      pace: { sort: 'clock', tickMs: 100 },
      serverNow: () => nowMs,
    })
  })
  afterAll(async () => {
    await browser?.close()
    if (present) await map.close()
  })

  it('says why it was closed, offers Reconnect, and follows the run again after it', async (context) => {
    // Proves what a viewer sees when the server closes a page not shown for too long: the reason on
    // the page, not a silent stop, and a way back.
    needsChromium(context)
    if (browser === undefined) throw new Error('chromium did not start')
    const { page, refused } = await openPage(browser, map.url)
    await untilSnapshot(page, (snapshot) => snapshot.state === 'running', 'the run')
    expect(await page.locator('#closed').isVisible()).toBe(false)
    nowMs += livePageIdleMsMax + livePresenceIntervalMs
    await page.locator('#closed').waitFor({ state: 'visible', timeout: 10_000 })
    expect(await text(page, '#closed-reason')).toContain('without being shown')
    expect(await page.locator('#connection').isVisible()).toBe(false)
    const before = await page.evaluate(() => (globalThis as unknown as InPage).citytwin.snapshots)
    await page.locator('#btn-reconnect').click()
    await page.locator('#closed').waitFor({ state: 'hidden', timeout: 10_000 })
    await expect
      .poll(() => page.evaluate(() => (globalThis as unknown as InPage).citytwin.snapshots), {
        timeout: 10_000,
      })
      .toBeGreaterThan(before + 2)
    await page.screenshot({ path: path.join(results, 'live-map-closed.png') })
    expect(refused).toEqual([])
    await page.close()
  })
})

describe('replay in chromium', () => {
  let browser: Browser | undefined
  let finished: LiveMap
  let replay: LiveMap

  beforeAll(async () => {
    if (!present) return
    browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs })
    // A short run, a simulated minute every 4 ms: its day is over in a few seconds. It waits for
    // Start.
    finished = await openLiveMap({
      scenario: smokeScenario,
      pace: { sort: 'clock', tickMs: 4 },
      start: false,
    })
    replay = await openLiveMap({ scenario: smokeScenario, replayOnly: finished.runsRoot })
  })
  afterAll(async () => {
    await browser?.close()
    if (present) {
      await replay.close()
      await finished.close()
    }
  })

  it('starts a run from the page, then opens it from its folder and scrubs its timeline', async (context) => {
    // Proves Start and replay: a waiting session runs when the page says so, and replay reads
    // runs/<id>: the map draws from the run's own city.json, and moving the scrubber moves the
    // clock and the figures.
    needsChromium(context)
    if (browser === undefined) throw new Error('chromium did not start')
    const live = await openPage(browser, finished.url)
    await untilSnapshot(
      live.page,
      (snapshot) => snapshot.state === 'waiting',
      'a session waiting for Start',
    )
    await live.page.locator('#btn-start').click()
    // A pause and a resume while it runs: two events for the replay to mark.
    await untilSnapshot(live.page, (snapshot) => snapshot.state === 'running', 'the run going')
    await live.page.locator('#btn-pause').click()
    await untilSnapshot(live.page, (snapshot) => snapshot.state === 'paused', 'the pause')
    await live.page.waitForTimeout(2_500)
    await live.page.locator('#btn-resume').click()
    const done = await untilSnapshot(
      live.page,
      (snapshot) => snapshot.state === 'finished' && snapshot.run === 1,
      'the run finished',
    )
    expect(done.events.map((event) => event.label)).toEqual(['paused', 'resumed'])
    const ids = await fs.readdir(finished.runsRoot)
    expect(ids).toHaveLength(1)
    const id = ids[0] as string

    // Finished is not a dead end: the verdict, the report (served), the replay and the runs listed.
    await live.page.locator('#finished').waitFor({ state: 'visible', timeout: 10_000 })
    expect(await text(live.page, '#finished-verdict')).toMatch(/money conserved/)
    const reportHref = await live.page.locator('#finished-report').getAttribute('href')
    expect(reportHref).toBe(`/runs/${id}/report.html`)
    const report = await live.page.request.get(new URL(reportHref ?? '', finished.url).href)
    expect(report.status()).toBe(200)
    const reportText = await report.text()
    expect(reportText).toContain('citytwin run report')
    expect(reportText).toContain('<h2>Events</h2>')
    expect(await live.page.locator('#finished-replay').getAttribute('href')).toBe(`?replay=${id}`)
    await expect
      .poll(() => live.page.locator('#finished-runs li').count(), { timeout: 5_000 })
      .toBe(1)
    await live.page.screenshot({ path: path.join(results, 'live-map-finished.png') })
    await live.page.close()
    const { page, refused } = await openPage(browser, `${replay.url}?replay=${ids[0] as string}`)
    await page.locator('path.district').first().waitFor()
    expect(await page.locator('path.district').count()).toBe(districtCount)
    // The smoke scenario has no city.metro: the links between district centres are drawn.
    expect(await page.locator('line.metro-link').count()).toBeGreaterThan(0)
    expect(await page.locator('path.metro-line').count()).toBe(0)
    expect(await page.locator('body').getAttribute('class')).toContain('replay')
    // It says REPLAY; its scrubber has time ticks and the run's two events marked on it.
    expect(await page.locator('.replay-label').isVisible()).toBe(true)
    expect(await text(page, '.replay-label')).toBe('REPLAY')
    expect(await page.locator('.scrub-tick').count()).toBeGreaterThanOrEqual(2)
    expect(await page.locator('.scrub-event').count()).toBe(2)
    expect(await page.locator('.scrub-event').first().getAttribute('title')).toMatch(/^paused at/)
    const scrub = page.locator('#scrub')
    const last = Number(await scrub.getAttribute('max'))
    expect(last).toBeGreaterThan(3)
    await scrub.fill('0')
    await scrub.dispatchEvent('input')
    const early = { clock: await text(page, '#clock'), settled: await text(page, '#settled') }
    // The day ends at midnight, where it began: the middle of the timeline is another time of day.
    await scrub.fill(String(last))
    await scrub.dispatchEvent('input')
    await expect.poll(() => text(page, '#settled')).not.toBe(early.settled)
    await scrub.fill(String(Math.floor(last / 2)))
    await scrub.dispatchEvent('input')
    await expect.poll(() => text(page, '#clock')).not.toBe(early.clock)
    // Jumping to the pause's mark shows the run there, its marker on the charts.
    await page.locator('.scrub-event').first().dispatchEvent('click')
    await expect
      .poll(() => page.locator('#chart-tps .chart-marker text').allTextContents(), {
        timeout: 5_000,
      })
      .toContain('paused')
    // Playback at 16×: the position moves on by itself.
    await page.locator('#replay-speed').selectOption('16')
    const before = await scrub.inputValue()
    await page.locator('#btn-play').click()
    await expect.poll(() => scrub.inputValue(), { timeout: 5_000 }).not.toBe(before)
    await page.locator('#btn-play').click()
    await page.waitForTimeout(300)
    await page.screenshot({ path: path.join(results, 'live-map-replay.png') })
    expect(refused).toEqual([])
    await page.close()
  })
})

/**
 * Frames per second from requestAnimationFrame, and socket.io bytes a second from the DevTools
 * protocol, over `measureSeconds`.
 */
async function measure(page: Page): Promise<{
  framesPerSecond: number
  slowestFrameMs: number
  wireBytesPerSecond: number
  snapshotsPerSecond: number
}> {
  const devtools = await page.context().newCDPSession(page)
  await devtools.send('Network.enable')
  let wireBytes = 0
  devtools.on('Network.webSocketFrameReceived', (event: { response: { payloadData: string } }) => {
    wireBytes += Buffer.byteLength(event.response.payloadData)
  })
  const snapshotsBefore = await page.evaluate(
    () => (globalThis as unknown as InPage).citytwin.snapshots,
  )
  const frames = await page.evaluate(
    (seconds) =>
      new Promise<number[]>((resolve) => {
        const times: number[] = []
        const step = (time: number) => {
          times.push(time)
          if (times.length > 1 && time - (times[0] as number) >= seconds * 1000) resolve(times)
          else (globalThis as unknown as InPage).requestAnimationFrame(step)
        }
        ;(globalThis as unknown as InPage).requestAnimationFrame(step)
      }),
    measureSeconds,
  )
  const snapshotsAfter = await page.evaluate(
    () => (globalThis as unknown as InPage).citytwin.snapshots,
  )
  await devtools.detach()
  const spanMs = (frames[frames.length - 1] as number) - (frames[0] as number)
  let slowestFrameMs = 0
  for (let index = 1; index < frames.length; index++)
    slowestFrameMs = Math.max(
      slowestFrameMs,
      (frames[index] as number) - (frames[index - 1] as number),
    )
  return {
    framesPerSecond: ((frames.length - 1) * 1000) / spanMs,
    slowestFrameMs,
    wireBytesPerSecond: (wireBytes * 1000) / spanMs,
    snapshotsPerSecond: ((snapshotsAfter - snapshotsBefore) * 1000) / spanMs,
  }
}

/**
 * The text on the page cut short: an element whose text overflows its own box (clipped or
 * ellipsised), or that reaches past the window. Described by selector and text, for the message.
 */
async function cutShort(page: Page): Promise<string[]> {
  const selectors = [
    '.brand',
    '.badge:not([hidden])',
    '.simtime',
    '.stat-label',
    '.stat-value',
    '.stat-sub',
    '.measure-name',
    '.chart figcaption',
    '.chart-key',
    '.legend-categories',
  ]
  return page.evaluate((list) => {
    interface Box {
      readonly scrollWidth: number
      readonly clientWidth: number
      readonly scrollHeight: number
      readonly clientHeight: number
      readonly textContent: string | null
      getBoundingClientRect(): { right: number; bottom: number; width: number }
    }
    const inPage = globalThis as unknown as {
      readonly innerWidth: number
      readonly innerHeight: number
      readonly document: { querySelectorAll(selector: string): Iterable<Box> }
    }
    const cut: string[] = []
    for (const selector of list) {
      for (const element of inPage.document.querySelectorAll(selector)) {
        const box = element.getBoundingClientRect()
        if (box.width === 0) continue
        // Across, where text is cut; down too for the lines clamped to a few (a big clock's
        // glyphs may reach a pixel over their line box, and are not cut).
        const overflows =
          element.scrollWidth > element.clientWidth + 1 ||
          (selector === '.stat-sub' && element.scrollHeight > element.clientHeight + 1)
        const outside = box.right > inPage.innerWidth + 1 || box.bottom > inPage.innerHeight + 1
        if (overflows || outside) cut.push(`${selector}: ${(element.textContent ?? '').trim()}`)
      }
    }
    return cut
  }, selectors)
}

/** Relative luminance (0 black … 1 white) of a CSS rgb() colour. */
function luminance(css: string): number {
  const [r, g, b] = (css.match(/\d+(\.\d+)?/g) ?? ['255', '255', '255']).map(Number) as [
    number,
    number,
    number,
  ]
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255
}
