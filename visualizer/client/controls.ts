/**
 * The operator's controls (#controls): run lifecycle, pace, and the two faults. Each sends one
 * Command (checked first by commandChecks.ts) and waits for its CommandAnswer; a refusal or a
 * lost answer shows in #command-error, and the next success clears it. Buttons follow the run's
 * state (lifecycle.ts) and stay disabled while their own command awaits its answer.
 */
import type {
  CityView,
  CommandAnswer,
  CommandBounds,
  CommandMessage,
  Hello,
  Snapshot,
} from '../protocol.js'
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

/** Wires the page's controls for `city`; commands go out through `send`. */
export function createControls(city: CityView, send: Send): Controls {
  const panel = new ControlPanel(city, send, controlElements())
  return {
    configure: (hello) => panel.configure(hello),
    render: (snapshot) => panel.render(snapshot),
    connected: (on) => panel.connected(on),
  }
}

/** The controls' elements in the page. */
function controlElements() {
  const button = (id: string): HTMLButtonElement => byId(id, HTMLButtonElement)
  const input = (id: string): HTMLInputElement => byId(id, HTMLInputElement)
  return {
    start: button('btn-start'),
    pause: button('btn-pause'),
    resume: button('btn-resume'),
    speedInput: input('speed-input'),
    tpsInput: input('tps-input'),
    slowdownInput: input('slowdown-input'),
    outageDistrict: byId('outage-district', HTMLSelectElement),
    outageToggle: button('outage-toggle'),
    tokenField: byId('token-field', HTMLElement),
    tokenInput: input('token-input'),
    error: byId('command-error', HTMLElement),
    applySpeed: button('speed-apply'),
    applyTps: button('tps-apply'),
    applySlowdown: button('slowdown-apply'),
  }
}

type ControlElements = ReturnType<typeof controlElements>

/** The controls and what they follow: the server's bounds, the latest snapshot, the connection. */
class ControlPanel {
  private bounds: CommandBounds | null = null
  private latest: Snapshot | null = null
  private online = false
  /** Buttons waiting for an answer stay disabled until it comes. */
  private readonly pending = new Set<HTMLButtonElement>()

  constructor(
    private readonly city: CityView,
    private readonly send: Send,
    private readonly elements: ControlElements,
  ) {
    this.listDistricts()
    this.wireCommands()
    this.wireEnter()
    this.refresh()
  }

  configure(hello: Hello): void {
    const { speedInput, tpsInput, slowdownInput, tokenField } = this.elements
    this.bounds = hello.bounds
    speedInput.max = String(hello.bounds.speedMax)
    tpsInput.max = String(hello.bounds.tpsMax)
    slowdownInput.max = String(hello.bounds.slowdownMsMax)
    show(tokenField, hello.tokenRequired)
  }

  render(snapshot: Snapshot): void {
    const { speedInput, tpsInput, slowdownInput } = this.elements
    this.latest = snapshot
    // The pace in force as a hint, never over what the operator is typing.
    // A pace not in force (0) leaves its field blank.
    speedInput.placeholder = snapshot.pace.mode === 'clock' ? String(snapshot.pace.speed) : ''
    tpsInput.placeholder = snapshot.pace.mode === 'rate' ? String(snapshot.pace.tps) : ''
    slowdownInput.placeholder = String(snapshot.faults.slowdownMs)
    this.refresh()
  }

  connected(on: boolean): void {
    this.online = on
    this.refresh()
  }

  /** The districts an outage can cut off, as the choices of its menu. */
  private listDistricts(): void {
    this.elements.outageDistrict.replaceChildren(
      // The "other districts" shape is several districts folded together for privacy, not one
      // to cut off.
      ...this.city.districts
        .filter((district) => district.id !== 'other')
        .map((district) => {
          const option = document.createElement('option')
          option.value = outageKey(district)
          option.textContent = district.name
          return option
        }),
    )
  }

  /** Each button sends its command, as its fields make it, when pressed. */
  private wireCommands(): void {
    const { start, pause, resume, applySpeed, applyTps, applySlowdown } = this.elements
    const { speedInput, tpsInput, slowdownInput, outageDistrict, outageToggle } = this.elements
    const wire = (from: HTMLButtonElement, read: () => Checked): void => {
      from.addEventListener('click', () => void this.issue(from, read()))
    }
    const unbounded = Number.POSITIVE_INFINITY
    wire(start, () => accept({ type: 'start' }))
    wire(pause, () => accept({ type: 'pause' }))
    wire(resume, () => accept({ type: 'resume' }))
    wire(applySpeed, () =>
      fromNumber(
        speedInput.valueAsNumber,
        'speed',
        { max: this.bounds?.speedMax ?? unbounded, zeroAllowed: false },
        (minutesPerSecond) => ({
          type: 'speed',
          minutesPerSecond,
        }),
      ),
    )
    wire(applyTps, () =>
      fromNumber(
        tpsInput.valueAsNumber,
        'target rate',
        { max: this.bounds?.tpsMax ?? unbounded, zeroAllowed: false },
        (tps) => ({ type: 'targetTps', tps }),
      ),
    )
    wire(applySlowdown, () =>
      fromNumber(
        slowdownInput.valueAsNumber,
        'slowdown',
        { max: this.bounds?.slowdownMsMax ?? unbounded, zeroAllowed: true },
        (ms) => ({
          type: 'slowdown',
          ms: Math.round(ms),
        }),
      ),
    )
    wire(outageToggle, () => {
      const district = this.city.districts.find((d) => outageKey(d) === outageDistrict.value)
      if (district === undefined) return refuse('choose a district')
      return accept({ type: 'outage', district: outageKey(district), on: !this.selectedIsCutOff() })
    })
    outageDistrict.addEventListener('change', () => this.refresh())
  }

  /** Enter in a number field presses its Apply button. */
  private wireEnter(): void {
    const { speedInput, tpsInput, slowdownInput, applySpeed, applyTps, applySlowdown } =
      this.elements
    for (const [field, apply] of [
      [speedInput, applySpeed],
      [tpsInput, applyTps],
      [slowdownInput, applySlowdown],
    ] as const) {
      field.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' && !apply.disabled) apply.click()
      })
    }
  }

  /** Sends a checked command and shows its refusal, or the check's; the button waits meanwhile. */
  private async issue(from: HTMLButtonElement, checked: Checked): Promise<void> {
    const { error, tokenInput } = this.elements
    if (!checked.ok) {
      setText(error, checked.error)
      return
    }
    const { command } = checked
    const token = tokenInput.value
    const message: CommandMessage = token === '' ? { command } : { command, token }
    this.pending.add(from)
    this.refresh()
    try {
      const answer = await this.send(message)
      setText(error, answer.ok ? '' : answer.error)
    } finally {
      this.pending.delete(from)
      this.refresh()
    }
  }

  private selectedIsCutOff(): boolean {
    if (this.latest === null) return false
    const index = this.city.districts.findIndex(
      (d) => outageKey(d) === this.elements.outageDistrict.value,
    )
    return cutOffFlags(this.city, this.latest.faults.outages)[index] === true
  }

  /** Enables each button as the run's state, the connection and its own wait allow. */
  private refresh(): void {
    const { start, pause, resume, applySpeed, applyTps, applySlowdown, outageToggle } =
      this.elements
    const latest = this.latest
    const allowed = latest === null ? lifecycle('building') : lifecycle(latest.state)
    const enable = (from: HTMLButtonElement, allowedNow: boolean): void => {
      from.disabled = !this.online || this.pending.has(from) || !allowedNow
    }
    enable(start, allowed.start)
    enable(pause, allowed.pause)
    enable(resume, allowed.resume)
    for (const apply of [applySpeed, applyTps, applySlowdown, outageToggle]) {
      enable(apply, latest !== null)
    }
    setText(outageToggle, this.selectedIsCutOff() ? 'Restore' : 'Cut off')
  }
}
