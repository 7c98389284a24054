/**
 * When the server has no live run (GET /api/city → 404), the page lists the finished runs it
 * can replay, each a link to `?replay=<id>`.
 */
import type { RunListing } from '../protocol.js'
import { byId, show } from './dom.js'
import { formatCount } from './format.js'

export function showRunList(runs: readonly RunListing[]): void {
  document.body.classList.add('run-list')
  const section = byId('runs', HTMLElement)
  const list = byId('runs-list', HTMLElement)
  if (runs.length === 0) {
    const empty = document.createElement('p')
    empty.textContent = 'No live run, and no finished runs to replay yet.'
    list.replaceChildren(empty)
  } else {
    list.replaceChildren(
      ...runs.map((run) => {
        const item = document.createElement('li')
        const link = document.createElement('a')
        link.href = `?replay=${encodeURIComponent(run.id)}`
        link.textContent = run.scenario
        const detail = document.createElement('span')
        detail.className = 'runs-detail'
        detail.textContent = ` finished ${run.finishedAt} · ${formatCount(run.submitted)} transfers · ${run.id}`
        item.append(link, detail)
        return item
      }),
    )
  }
  show(section, true)
}
