/**
 * Failures on screen, in #fatal. On a wall display nobody opens the console: an error that stops
 * the page from drawing must say so where people are looking.
 */
import { byId, setText, show } from './dom.js'

export function showError(message: string): void {
  const banner = byId('fatal', HTMLElement)
  setText(banner, message)
  show(banner, true)
}

export function installErrorBanner(): void {
  window.addEventListener('error', (event) => showError(event.message))
  window.addEventListener('unhandledrejection', (event) => {
    const reason: unknown = event.reason
    showError(reason instanceof Error ? reason.message : String(reason))
  })
}
