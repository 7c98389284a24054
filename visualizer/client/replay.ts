/**
 * Replay of a finished run (`?replay=<id>`): its city and timeline by HTTP, no socket and no
 * commands. The scrubber picks a snapshot; map, panels and charts show the run as it stood then
 * (the charts with the window of history up to that point). Play steps through the timeline.
 */
import type { Snapshot } from '../protocol.js'
import { getRunCity, getTimeline } from './api.js'
import { createDashboard } from './dashboard.js'
import { byId, setText } from './dom.js'
import { showError } from './errorBanner.js'
import { formatClock, formatDate, formatInteger, formatRunTime } from './format.js'
import { historyUpTo } from './history.js'
import type { MeasureSelector } from './measureSelector.js'
import { recordSnapshot, type TestHook } from './testHook.js'

/**
 * Timeline snapshots are a wall second apart; playing four a second replays a run at four times
 * the speed it ran, which keeps a long run watchable while the flows still read as motion.
 */
const playbackSnapshotsPerSecond = 4

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
  const city = cityFetched.value
  const snapshots: readonly Snapshot[] = timelineFetched.value.snapshots
  if (snapshots.length === 0) {
    showError(`Run "${id}" has no snapshots to replay.`)
    return
  }
  const dashboard = createDashboard(city, selector)
  const scrub = byId('scrub', HTMLInputElement)
  const play = byId('btn-play', HTMLButtonElement)
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
    dashboard.render(snapshot, historyUpTo(snapshots, index).points)
    setText(
      position,
      `${formatDate(snapshot.simulatedAt)} ${formatClock(snapshot.simulatedAt)} · run time ${formatRunTime(snapshot.t)} · ${formatInteger(index + 1)} / ${formatInteger(snapshots.length)}`,
    )
    recordSnapshot(hook, snapshot)
  }

  // Dragging fires many input events per frame; draw only the last of each frame.
  let scrubFrame: number | null = null
  scrub.addEventListener('input', () => {
    stop()
    if (scrubFrame !== null) return
    scrubFrame = requestAnimationFrame(() => {
      scrubFrame = null
      showAt(scrub.valueAsNumber)
    })
  })

  let timer: number | null = null
  function stop(): void {
    if (timer !== null) window.clearInterval(timer)
    timer = null
    setText(play, 'Play')
    play.setAttribute('aria-pressed', 'false')
  }
  function start(): void {
    if (shownIndex >= snapshots.length - 1) showAt(0)
    setText(play, 'Pause')
    play.setAttribute('aria-pressed', 'true')
    timer = window.setInterval(() => {
      if (shownIndex >= snapshots.length - 1) stop()
      else showAt(shownIndex + 1)
    }, 1000 / playbackSnapshotsPerSecond)
  }
  play.addEventListener('click', () => (timer === null ? start() : stop()))

  stop()
  showAt(0)
}
