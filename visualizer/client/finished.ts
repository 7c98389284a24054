/**
 * A finished run is not a dead end: the page shows its verdict, a link to its report (served by
 * the server from the run's folder) and to its replay, and the runs there are to replay; Start
 * makes the next one. A warning too, while a run goes, when the generator falls behind its
 * schedule (a clock speed asking more than the city can make): a run that stays behind is
 * declared invalid at its end, and the page says so before it is.
 */
import type { Snapshot } from '../protocol.js'
import { getRuns } from './api.js'
import { byId, setText, show } from './dom.js'
import { formatCount, formatRate } from './format.js'
import { fillRunList, replayHref, reportHref } from './runList.js'

/** Due but unsent payments below this are the sender's ordinary slack, not falling behind. */
const behindMin = 500

export interface RunOutcome {
  readonly render: (snapshot: Snapshot) => void
}

export function createRunOutcome(): RunOutcome {
  const panel = byId('finished', HTMLElement)
  const title = byId('finished-title', HTMLElement)
  const verdict = byId('finished-verdict', HTMLElement)
  const report = byId('finished-report', HTMLAnchorElement)
  const replay = byId('finished-replay', HTMLAnchorElement)
  const runs = byId('finished-runs', HTMLElement)
  const behind = byId('behind-badge', HTMLElement)
  let shownId: string | null = null

  function render(snapshot: Snapshot): void {
    const finished = snapshot.state === 'finished' ? snapshot.finished : undefined
    show(panel, finished !== undefined)
    if (finished !== undefined && finished.id !== shownId) {
      shownId = finished.id
      setText(title, `Run ${snapshot.run} finished`)
      setText(verdict, finished.verdict)
      verdict.dataset.good = String(!/NOT|FAILED/.test(finished.verdict))
      report.href = reportHref(finished.id)
      replay.href = replayHref(finished.id)
      void getRuns().then((listed) =>
        fillRunList(runs, listed.kind === 'found' ? listed.value : []),
      )
    }
    const falling = snapshot.behind > Math.max(behindMin, snapshot.targetTps)
    show(behind, falling)
    if (falling) {
      // Short enough for the header at 720p; the whole warning on hover and to screen readers.
      setText(behind, `generator behind: ${formatCount(snapshot.behind)} unsent`)
      const warning = `${formatCount(snapshot.behind)} payments due unsent at ${formatRate(snapshot.targetTps)}/s asked; lower the speed or the run is invalid`
      behind.title = warning
      behind.setAttribute('aria-label', `generator behind: ${warning}`)
    }
  }

  return { render }
}
