/**
 * The operator's controls (#controls): run lifecycle, pace, and the two faults. Each sends one
 * Command (checked first by commandChecks.ts) and waits for its CommandAnswer; a refusal or a
 * lost answer shows in #command-error, and the next success clears it. Buttons follow the run's
 * state (lifecycle.ts) and stay disabled while their own command awaits its answer.
 */
import type { CityView, CommandAnswer, CommandBounds, CommandMessage, Hello, Snapshot } from '../protocol.js'
import { accept, fromNumber, refuse, type Checked } from './commandChecks.js'
import { byId, setText, show } from './dom.js'
import { lifecycle } from './lifecycle.js'
import { cutOffFlags, outageKey } from './outages.js'

export interface Controls {
  readonly configure: (hello: Hello) => void
  readonly render: (snapshot: Snapshot) => void
  readonly connected: (connected: boolean) => void
}

type Send = (message: CommandMessage) => Promise<CommandAnswer>

export function createControls(city: CityView, send: Send): Controls {
  const button = (id: string): HTMLButtonElement => byId(id, HTMLButtonElement)
  const input = (id: string): HTMLInputElement => byId(id, HTMLInputElement)
  const start = button('btn-start')
  const pause = button('btn-pause')
  const resume = button('btn-resume')
  const speedInput = input('speed-input')
  const tpsInput = input('tps-input')
  const slowdownInput = input('slowdown-input')
  const outageDistrict = byId('outage-district', HTMLSelectElement)
  const outageToggle = button('outage-toggle')
  const tokenField = byId('token-field', HTMLElement)
  const tokenInput = input('token-input')
  const error = byId('command-error', HTMLElement)

  let bounds: CommandBounds | null = null
  let latest: Snapshot | null = null
  let online = false
  /** Buttons waiting for an answer stay disabled until it comes. */
  const pending = new Set<HTMLButtonElement>()

  outageDistrict.replaceChildren(
    // The "other districts" shape is several districts folded together for privacy, not one to cut off.
    ...city.districts.filter((district) => district.id !== 'other').map((district) => {
      const option = document.createElement('option')
      option.value = outageKey(district)
      option.textContent = district.name
      return option
    }),
  )

  async function issue(from: HTMLButtonElement, checked: Checked): Promise<void> {
    if (!checked.ok) {
      setText(error, checked.error)
      return
    }
    const { command } = checked
    const token = tokenInput.value
    const message: CommandMessage = token === '' ? { command } : { command, token }
    pending.add(from)
    refresh()
    try {
      const answer = await send(message)
      setText(error, answer.ok ? '' : answer.error)
    } finally {
      pending.delete(from)
      refresh()
    }
  }

  const wire = (from: HTMLButtonElement, read: () => Checked): void => {
    from.addEventListener('click', () => void issue(from, read()))
  }
  const unbounded = Number.POSITIVE_INFINITY
  wire(start, () => accept({ type: 'start' }))
  wire(pause, () => accept({ type: 'pause' }))
  wire(resume, () => accept({ type: 'resume' }))
  const applySpeed = button('speed-apply')
  wire(applySpeed, () =>
    fromNumber(speedInput.valueAsNumber, 'speed', { max: bounds?.speedMax ?? unbounded, zeroAllowed: false }, (minutesPerSecond) => ({
      type: 'speed',
      minutesPerSecond,
    })),
  )
  const applyTps = button('tps-apply')
  wire(applyTps, () =>
    fromNumber(tpsInput.valueAsNumber, 'target rate', { max: bounds?.tpsMax ?? unbounded, zeroAllowed: false }, (tps) => ({ type: 'targetTps', tps })),
  )
  const applySlowdown = button('slowdown-apply')
  wire(applySlowdown, () =>
    fromNumber(slowdownInput.valueAsNumber, 'slowdown', { max: bounds?.slowdownMsMax ?? unbounded, zeroAllowed: true }, (ms) => ({
      type: 'slowdown',
      ms: Math.round(ms),
    })),
  )
  wire(outageToggle, () => {
    const district = city.districts.find((d) => outageKey(d) === outageDistrict.value)
    if (district === undefined) return refuse('choose a district')
    return accept({ type: 'outage', district: outageKey(district), on: !selectedIsCutOff() })
  })
  outageDistrict.addEventListener('change', refresh)

  // Enter in a number field presses its Apply button.
  for (const [field, apply] of [
    [speedInput, applySpeed],
    [tpsInput, applyTps],
    [slowdownInput, applySlowdown],
  ] as const) {
    field.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !apply.disabled) apply.click()
    })
  }

  function selectedIsCutOff(): boolean {
    if (latest === null) return false
    const index = city.districts.findIndex((d) => outageKey(d) === outageDistrict.value)
    return cutOffFlags(city, latest.faults.outages)[index] === true
  }

  function refresh(): void {
    const allowed = latest === null ? lifecycle('building') : lifecycle(latest.state)
    const enable = (from: HTMLButtonElement, allowedNow: boolean): void => {
      from.disabled = !online || pending.has(from) || !allowedNow
    }
    enable(start, allowed.start)
    enable(pause, allowed.pause)
    enable(resume, allowed.resume)
    for (const apply of [applySpeed, applyTps, applySlowdown, outageToggle]) enable(apply, latest !== null)
    setText(outageToggle, selectedIsCutOff() ? 'Restore' : 'Cut off')
  }

  function configure(hello: Hello): void {
    bounds = hello.bounds
    speedInput.max = String(hello.bounds.speedMax)
    tpsInput.max = String(hello.bounds.tpsMax)
    slowdownInput.max = String(hello.bounds.slowdownMsMax)
    show(tokenField, hello.tokenRequired)
  }

  function render(snapshot: Snapshot): void {
    latest = snapshot
    // The pace in force as a hint, never over what the operator is typing.
    // A pace not in force (0) leaves its field blank.
    speedInput.placeholder = snapshot.pace.mode === 'clock' ? String(snapshot.pace.speed) : ''
    tpsInput.placeholder = snapshot.pace.mode === 'rate' ? String(snapshot.pace.tps) : ''
    slowdownInput.placeholder = String(snapshot.faults.slowdownMs)
    refresh()
  }

  function connected(on: boolean): void {
    online = on
    refresh()
  }

  refresh()
  return { configure, render, connected }
}
