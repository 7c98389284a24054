/**
 * The live run: the city by HTTP, then snapshots on the socket. Without a live city (404) the
 * server only serves replays, and the page lists them instead.
 */
import type { CityView } from '../protocol.js'
import { getLiveCity, getRuns } from './api.js'
import { connect, type Connection } from './connection.js'
import { createControls } from './controls.js'
import { createDashboard } from './dashboard.js'
import { byId, setText, show } from './dom.js'
import { createRunOutcome } from './finished.js'
import { History } from './history.js'
import type { MeasureSelector } from './measureSelector.js'
import { showRunList } from './runList.js'
import { recordSnapshot, type TestHook } from './testHook.js'

export async function startLive(selector: MeasureSelector, hook: TestHook): Promise<void> {
  const fetched = await getLiveCity()
  if (fetched.kind === 'missing') {
    const runs = await getRuns()
    showRunList(runs.kind === 'found' ? runs.value : [])
    return
  }
  follow(fetched.value, selector, hook)
}

function follow(city: CityView, selector: MeasureSelector, hook: TestHook): void {
  document.body.classList.add('live')
  const dashboard = createDashboard(city, selector)
  let history = new History()
  const outcome = createRunOutcome()
  const offline = byId('connection', HTMLElement)
  const closedNotice = byId('closed', HTMLElement)
  const closedReason = byId('closed-reason', HTMLElement)
  const reconnectButton = byId('btn-reconnect', HTMLButtonElement)
  const controlsPanel = byId('controls', HTMLElement)
  // The controls send through the connection made just below; nothing is sent before it exists.
  let connection: Connection | null = null
  const controls = createControls(city, (message) =>
    connection === null
      ? Promise.resolve({ ok: false, error: 'not connected yet' })
      : connection.send(message),
  )
  connection = connect({
    hello: (hello) => {
      controls.configure(hello)
      show(controlsPanel, hello.live)
    },
    history: (given) => {
      // The run so far: the charts start from it rather than empty.
      history = History.of(given.snapshots)
    },
    snapshot: (snapshot) => {
      history.push(snapshot)
      dashboard.render(snapshot, history.points)
      controls.render(snapshot)
      outcome.render(snapshot)
      recordSnapshot(hook, snapshot)
    },
    connected: (on) => {
      // Closed by the server, the page says why instead of "reconnecting".
      show(offline, !on && closedNotice.hidden)
      controls.connected(on)
    },
    closed: (reason) => {
      setText(closedReason, reason ?? '')
      show(closedNotice, reason !== null)
    },
  })
  reconnectButton.addEventListener('click', () => connection?.reconnect())
}
