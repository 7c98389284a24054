/**
 * Which measure fills the districts: the #measure <select> in normal mode, a timer in presenter
 * mode; #measure-name says which it is in both.
 */
import { measureNames, type MeasureName } from '../protocol.js'
import { byId, setText } from './dom.js'
import { measures } from './measures.js'

export interface MeasureSelector {
  readonly current: () => MeasureName
  readonly set: (measure: MeasureName) => void
  /** The measure after the current one, wrapping round. */
  readonly next: () => MeasureName
  readonly onChange: (handler: (measure: MeasureName) => void) => void
}

export function createMeasureSelector(initial: MeasureName): MeasureSelector {
  const select = byId('measure', HTMLSelectElement)
  const name = byId('measure-name', HTMLElement)
  select.replaceChildren(
    ...measureNames.map((measure) => {
      const option = document.createElement('option')
      option.value = measure
      option.textContent = measures[measure].label
      return option
    }),
  )
  const handlers: ((measure: MeasureName) => void)[] = []
  let current = initial

  function set(measure: MeasureName): void {
    current = measure
    select.value = measure
    setText(name, measures[measure].label)
    for (const handler of handlers) handler(measure)
  }

  select.addEventListener('change', () => {
    const chosen = measureNames.find((measure) => measure === select.value)
    if (chosen !== undefined) set(chosen)
  })
  set(initial)

  return {
    current: () => current,
    set,
    next: () => measureNames[(measureNames.indexOf(current) + 1) % measureNames.length] ?? initial,
    onChange: (handler) => handlers.push(handler),
  }
}

/** `?measure=ticket` picks the first measure; anything else falls back to payments a second. */
export function measureFromUrl(params: URLSearchParams): MeasureName {
  const asked = params.get('measure')
  return measureNames.find((measure) => measure === asked) ?? 'tps'
}
