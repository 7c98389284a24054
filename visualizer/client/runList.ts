/**
 * Finished runs the page can replay, each a link to `?replay=<id>` with a link to its report:
 * listed when the server has no live run (GET /api/city → 404), and under a finished run's verdict.
 */
import type { RunListing } from '../protocol.js'
import { byId, show } from './dom.js'
import { formatCount } from './format.js'

export function showRunList(runs: readonly RunListing[]): void {
  document.body.classList.add('run-list')
  fillRunList(byId('runs-list', HTMLElement), runs)
  show(byId('runs', HTMLElement), true)
}

/** `list` gets one item per run, newest first; a line saying so when there is none. */
export function fillRunList(list: HTMLElement, runs: readonly RunListing[]): void {
  if (runs.length === 0) {
    const empty = document.createElement('p')
    empty.textContent = 'No finished runs to replay yet.'
    list.replaceChildren(empty)
    return
  }
  list.replaceChildren(
    ...runs.map((run) => {
      const item = document.createElement('li')
      const link = document.createElement('a')
      link.href = replayHref(run.id)
      link.textContent = run.scenario
      const report = document.createElement('a')
      report.href = reportHref(run.id)
      report.target = '_blank'
      report.rel = 'noopener'
      report.textContent = 'report'
      const detail = document.createElement('span')
      detail.className = 'runs-detail'
      detail.textContent = ` finished ${run.finishedAt.slice(0, 16).replace('T', ' ')} UTC · ${formatCount(run.submitted)} transfers · ${run.id} · `
      item.append(link, detail, report)
      return item
    }),
  )
}

export function replayHref(id: string): string {
  return `?replay=${encodeURIComponent(id)}`
}

export function reportHref(id: string): string {
  return `/runs/${encodeURIComponent(id)}/report.html`
}
