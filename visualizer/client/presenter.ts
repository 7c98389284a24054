/**
 * Presenter mode (`?presenter=1`): a big screen nobody touches. Dark theme and large type come
 * from `body.presenter` in style.css; controls are hidden there; the measure changes by itself;
 * fullscreen is asked for on the first click or key (browsers refuse it without a gesture), and
 * `f` toggles it after that.
 */
import type { MeasureSelector } from './measureSelector.js'

const measureCycleMs = 8_000

export function isPresenter(params: URLSearchParams): boolean {
  const value = params.get('presenter')
  return value !== null && value !== '0' && value !== 'false'
}

export function startPresenter(selector: MeasureSelector): void {
  document.body.classList.add('presenter')
  window.setInterval(() => selector.set(selector.next()), measureCycleMs)

  const enterFullscreen = (): void => {
    if (document.fullscreenElement === null) {
      document.documentElement.requestFullscreen().catch(() => {
        // Refused (an embedded frame, a kiosk browser): the page works the same windowed.
      })
    }
  }
  const toggleFullscreen = (): void => {
    if (document.fullscreenElement === null) enterFullscreen()
    else void document.exitFullscreen()
  }

  let gestureSeen = false
  const firstGesture = (event: Event): void => {
    if (gestureSeen) return
    gestureSeen = true
    // `f` on the first press toggles below; doing both would enter and leave at once.
    if (event instanceof KeyboardEvent && event.key.toLowerCase() === 'f') return
    enterFullscreen()
  }
  window.addEventListener('pointerdown', firstGesture)
  window.addEventListener('keydown', (event) => {
    firstGesture(event)
    if (event.key.toLowerCase() === 'f' && !event.ctrlKey && !event.metaKey && !event.altKey)
      toggleFullscreen()
  })
}
