/**
 * Replay of a finished run (`?replay=<id>`): its city and timeline by HTTP, no socket and no
 * commands. The page says REPLAY; the scrubber picks a snapshot, with the run's time ticked under
 * it and its events (a pause, a slowdown, a stop) marked; map, panels and charts show the run as
 * it stood then (the charts with the window of history up to that point). Play runs the timeline
 * at a playback speed: 1× as it ran, 4× by default.
 */
import { secondSteps, timeTicks } from '../../engine/report/axes.js'
import type { EventShown, Snapshot } from '../protocol.js'
import { getRunCity, getTimeline } from './api.js'
import { createDashboard } from './dashboard.js'
import { byId, setText } from './dom.js'
import { showError } from './errorBanner.js'
import { formatClock, formatDate, formatInteger, formatRunTime } from './format.js'
import { historyUpTo } from './history.js'
import type { MeasureSelector } from './measureSelector.js'
import { recordSnapshot, type TestHook } from './testHook.js'

/** Playback moves on this often; how far each step goes is the speed's. */
const playbackStepMs = 125
const scrubTicksMax = 8

export async function startReplay(
  id: string,
  selector: MeasureSelector,
  hook: TestHook,
): Promise<void> {
  document.body.classList.add('replay')
  const [cityFetched, timelineFetched] = await Promise.all([getRunCity(id), getTimeline(id)])
  if (cityFetched.kind === 'missing' || timelineFetched.kind === 'missing') {
    showError(`There is no finished run "${id}" to replay.`)
    return
  }
  const snapshots: readonly Snapshot[] = timelineFetched.value.snapshots
  if (snapshots.length === 0) {
    showError(`Run "${id}" has no snapshots to replay.`)
    return
  }
  const events = timelineFetched.value.events ?? []
  const dashboard = createDashboard(cityFetched.value, selector)
  const scrub = byId('scrub', HTMLInputElement)
  const position = byId('replay-position', HTMLElement)
  setText(byId('replay-run', HTMLElement), `Replay of ${timelineFetched.value.run}`)
  scrub.min = '0'
  scrub.max = String(snapshots.length - 1)
  scrub.step = '1'

  let shownIndex = -1
  function showAt(index: number): void {
    const snapshot = snapshots[index]
    if (snapshot === undefined || index === shownIndex) return
    shownIndex = index
    scrub.value = String(index)
    const shown = { ...snapshot, events: events.filter((event) => event.t <= snapshot.t) }
    dashboard.render(shown, historyUpTo(snapshots, index).points)
    setText(
      position,
      `${formatDate(snapshot.simulatedAt)} ${formatClock(snapshot.simulatedAt)} · run time ${formatRunTime(snapshot.t)} · ${formatInteger(index + 1)} / ${formatInteger(snapshots.length)}`,
    )
    recordSnapshot(hook, snapshot)
  }

  const player = createPlayer(snapshots, showAt, () => shownIndex)
  drawScrubMarks(byId('scrub-marks', HTMLElement), snapshots, events, (index) => {
    player.stop()
    showAt(index)
  })

  // Dragging fires many input events per frame; draw only the last of each frame.
  let scrubFrame: number | null = null
  scrub.addEventListener('input', () => {
    player.stop()
    if (scrubFrame !== null) return
    scrubFrame = requestAnimationFrame(() => {
      scrubFrame = null
      showAt(scrub.valueAsNumber)
    })
  })
  player.stop()
  showAt(0)
}

/** Play and pause, and the playback speed: run seconds a wall second. */
function createPlayer(
  snapshots: readonly Snapshot[],
  showAt: (index: number) => void,
  shownIndex: () => number,
): { stop: () => void } {
  const play = byId('btn-play', HTMLButtonElement)
  const speed = byId('replay-speed', HTMLSelectElement)
  let timer: number | null = null
  /** Where playback stands, in the run's seconds. */
  let at = 0
  function stop(): void {
    if (timer !== null) window.clearInterval(timer)
    timer = null
    setText(play, 'Play')
    play.setAttribute('aria-pressed', 'false')
  }
  function start(): void {
    if (shownIndex() >= snapshots.length - 1) showAt(0)
    at = snapshots[shownIndex()]?.t ?? 0
    setText(play, 'Pause')
    play.setAttribute('aria-pressed', 'true')
    timer = window.setInterval(() => {
      at += (Number(speed.value) * playbackStepMs) / 1000
      let index = shownIndex()
      while (index < snapshots.length - 1 && (snapshots[index + 1]?.t ?? Infinity) <= at) index++
      showAt(index)
      if (index >= snapshots.length - 1) stop()
    }, playbackStepMs)
  }
  play.addEventListener('click', () => (timer === null ? start() : stop()))
  return { stop }
}

/**
 * Under the scrubber: the run's time at round steps, and a mark per event that jumps to it.
 * Positions are the snapshot's place along the scrubber (a long run keeps fewer snapshots a
 * second, so time is not even along it).
 */
function drawScrubMarks(
  marks: HTMLElement,
  snapshots: readonly Snapshot[],
  events: readonly EventShown[],
  jump: (index: number) => void,
): void {
  const last = snapshots.length - 1
  const indexAt = (t: number) => {
    const found = snapshots.findIndex((snapshot) => snapshot.t >= t)
    return found === -1 ? last : found
  }
  const place = (element: HTMLElement, index: number) => {
    element.style.left = `${last === 0 ? 0 : (index / last) * 100}%`
  }
  const from = snapshots[0]?.t ?? 0
  const to = snapshots[last]?.t ?? 0
  const ticks = timeTicks(from, to, secondSteps, scrubTicksMax).map((t) => {
    const tick = document.createElement('span')
    tick.className = 'scrub-tick'
    tick.textContent = formatRunTime(t)
    place(tick, indexAt(t))
    return tick
  })
  const eventMarks = events.map((event) => {
    const mark = document.createElement('button')
    mark.type = 'button'
    mark.className = `scrub-event marker-${event.kind}`
    mark.title = `${event.label} at ${formatRunTime(event.t)}`
    mark.setAttribute('aria-label', mark.title)
    const index = indexAt(event.t)
    place(mark, index)
    mark.addEventListener('click', () => jump(index))
    return mark
  })
  marks.replaceChildren(...ticks, ...eventMarks)
}
