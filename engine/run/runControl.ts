/**
 * How a running load run is steered from outside (the live map): one queue of commands, applied
 * at the start of a step of the sender, between two sends, never by reaching into a worker or a
 * call in flight. Commands only: what a view reads of the run comes out on its telemetry.
 *
 *   page ─▶ server ─▶ request() ─▶ queue ─▶ step(elapsedMs) ─▶ LiveSchedule (pace) / Faults
 *                                    (sender's loop, between sends)
 */
import { LiveSchedule, type LivePace } from '../load/liveSchedule.js'
import { ledgerSlowdownMsMax, liveSpeedMax, liveTpsMax, runEventsMax } from '../limits.js'
import { Faults } from './faults.js'
import type { RunCommand, RunEvent } from './runCommand.js'

export type { RunCommand, RunEvent } from './runCommand.js'

export class RunControl {
  readonly faults: Faults
  private schedule: LiveSchedule | undefined
  private pending: RunCommand[] = []
  /** The pace to take up again on resume. */
  private resumePace: LivePace
  private paused = false
  /**
   * Paused once the commands queued so far are applied: what a new pause or resume is judged by.
   */
  private pausedAsAsked = false
  private stopping = false
  /** Who asked the run to stop, once its sender has taken the stop. */
  private stopTaken: string | undefined
  private stopBy = 'a stop request'
  private readonly runEvents: RunEvent[] = []
  private eventsDropped = 0
  /**
   * A run has begun (begin()) and not finished: what is done to it before it sends (while its
   * ledger opens) is an event of it too, at its second 0.
   */
  private begun = false

  /**
   * `pace` is the first; `limitMs` ends the run at the latest (Infinity: when the city's period has
   * all been sent); `districts` are the city's names, in plan order.
   */
  constructor(
    pace: LivePace,
    private readonly limitMs: number,
    private readonly districtNames: readonly string[],
  ) {
    this.resumePace = pace
    this.paused = pace.sort === 'paused'
    this.pausedAsAsked = this.paused
    this.faults = new Faults(districtNames.length)
  }

  /**
   * The schedule for a run over `ticks` simulated minutes, made once the run has a city stream to
   * learn from.
   */
  scheduleFor(ticks: number, learnUntil: (ticks: number) => Promise<void>): LiveSchedule {
    this.schedule = new LiveSchedule(
      ticks,
      this.paused ? { sort: 'paused' } : this.resumePace,
      this.limitMs,
      learnUntil,
    )
    this.stopping = false
    this.stopTaken = undefined
    this.pending = []
    if (!this.begun) this.clearEvents()
    return this.schedule
  }

  /**
   * Checks a command against the run and queues it; the error, for the one who sent it, when it is
   * refused.
   */
  request(command: RunCommand): string | undefined {
    const refused = this.refusal(command)
    if (refused !== undefined) return refused
    if (command.type === 'pause' || command.type === 'resume')
      this.pausedAsAsked = command.type === 'pause'
    // Before the run sends (or between runs) there is no step to wait for: the next run starts with
    // it.
    if (this.schedule === undefined) this.apply(command, undefined, 0)
    else this.pending.push(command)
    return undefined
  }

  /** Applies the commands queued since the last step. Called by the sender between sends. */
  step(elapsedMs: number): void {
    const schedule = this.schedule
    if (schedule === undefined) return
    if (this.stopping) {
      schedule.stopAt(elapsedMs)
      if (this.stopTaken === undefined) {
        this.stopTaken = this.stopBy
        this.record(elapsedMs, 'stop', `stopped by ${this.stopBy}`)
      }
    }
    if (this.pending.length === 0) return
    const commands = this.pending
    this.pending = []
    for (const command of commands) this.apply(command, schedule, elapsedMs)
  }

  /**
   * Ends the run going at the sender's next step (what was due until then is still sent, then the
   * evenings and the audit). `by` names who asked (SIGINT), for the run's events and summary.
   */
  stop(by = 'a stop request'): void {
    if (!this.stopping) this.stopBy = by
    this.stopping = true
  }

  /**
   * The run's events so far, oldest first (at most `runEventsMax`), and how many more were not
   * kept.
   */
  get events(): { readonly kept: readonly RunEvent[]; readonly dropped: number } {
    return { kept: this.runEvents, dropped: this.eventsDropped }
  }

  /** Who stopped the run before its end, once the sender has stopped for it. */
  get stoppedBy(): string | undefined {
    return this.stopTaken
  }

  /**
   * A run begins (before its ledger opens): its events start here, and commands from now on are
   * among them even before it sends.
   */
  begin(): void {
    this.begun = true
    this.clearEvents()
  }

  private clearEvents(): void {
    this.runEvents.length = 0
    this.eventsDropped = 0
  }

  /** The run is over: commands wait for the next one. */
  finished(): void {
    this.begun = false
    this.schedule = undefined
    // Commands taken after the run's last step are not lost: the next run starts with them.
    for (const command of this.pending) this.apply(command, undefined, 0)
    this.pending = []
    this.stopping = false
  }

  get isPaused(): boolean {
    return this.paused
  }

  /** The pace asked for (while paused, the one a resume takes up). */
  get pace(): LivePace {
    return this.resumePace
  }

  private refusal(command: RunCommand): string | undefined {
    switch (command.type) {
      case 'pause':
        return this.pausedAsAsked ? 'the run is paused already' : undefined
      case 'resume':
        return this.pausedAsAsked ? undefined : 'the run is not paused'
      case 'speed':
        return command.minutesPerSecond > 0 && command.minutesPerSecond <= liveSpeedMax
          ? undefined
          : `speed: between 0 and ${liveSpeedMax} simulated minutes a second`
      case 'targetTps':
        return command.tps >= 1 && command.tps <= liveTpsMax
          ? undefined
          : `targetTps: between 1 and ${liveTpsMax} transfers a second`
      case 'slowdown':
        return Number.isInteger(command.ms) && command.ms >= 0 && command.ms <= ledgerSlowdownMsMax
          ? undefined
          : `slowdown: a whole number of ms between 0 and ${ledgerSlowdownMsMax}`
      case 'outage':
        return this.districtNames.includes(command.district)
          ? undefined
          : `outage: no district "${command.district.slice(0, 40)}" in this city (${this.districtNames.join(', ')})`
    }
  }

  private apply(command: RunCommand, schedule: LiveSchedule | undefined, elapsedMs: number): void {
    const changed = this.change(command, schedule, elapsedMs)
    // Only what changed a run going is an event; between runs, a command sets how the next starts.
    if (changed && (schedule !== undefined || this.begun)) {
      const [kind, label] = eventOf(command)
      this.record(elapsedMs, kind, label)
    }
  }

  private record(elapsedMs: number, kind: RunEvent['kind'], label: string): void {
    if (this.runEvents.length >= runEventsMax) {
      this.eventsDropped += 1
      return
    }
    this.runEvents.push({ second: Math.round(elapsedMs) / 1000, kind, label })
  }

  /** Applies `command`; whether it changed anything (a pause of a paused run does not). */
  private change(
    command: RunCommand,
    schedule: LiveSchedule | undefined,
    elapsedMs: number,
  ): boolean {
    switch (command.type) {
      case 'pause':
        if (this.paused) return false
        this.paused = true
        schedule?.setPace({ sort: 'paused' }, elapsedMs)
        return true
      case 'resume':
        if (!this.paused) return false
        this.paused = false
        schedule?.setPace(this.resumePace, elapsedMs)
        return true
      case 'speed':
      case 'targetTps': {
        this.resumePace =
          command.type === 'speed'
            ? { sort: 'clock', tickMs: 1000 / command.minutesPerSecond }
            : { sort: 'rate', tps: command.tps }
        if (!this.paused) schedule?.setPace(this.resumePace, elapsedMs)
        return true
      }
      case 'slowdown':
        if (this.faults.slowdownMs === command.ms) return false
        this.faults.setSlowdown(command.ms)
        return true
      case 'outage': {
        const index = this.districtNames.indexOf(command.district)
        if ((this.faults.outage[index] === 1) === command.on) return false
        this.faults.setOutage(index, command.on)
        return true
      }
    }
  }
}

/** A command as a run's event: its kind and its label. */
function eventOf(command: RunCommand): [RunEvent['kind'], string] {
  if (command.type === 'pause') return ['pause', 'paused']
  if (command.type === 'resume') return ['resume', 'resumed']
  if (command.type === 'speed') return ['speed', `speed ${command.minutesPerSecond} min/s`]
  if (command.type === 'targetTps') return ['rate', `rate ${command.tps}/s`]
  if (command.type === 'slowdown')
    return [
      'slowdown',
      command.ms === 0 ? 'ledger slowdown ended' : `ledger slowed by ${command.ms} ms`,
    ]
  return ['outage', command.on ? `${command.district} cut off` : `${command.district} back`]
}
