/**
 * Finding the page's fixed elements. index.html declares every id the code uses; a missing one
 * is a mismatch between the two files, so it fails loudly at start-up rather than drawing nothing.
 */
import { assert } from './assert.js'

type ElementClass<T extends Element> = abstract new (...args: never[]) => T

export function byId<T extends Element>(id: string, kind: ElementClass<T>): T {
  const element = document.getElementById(id)
  assert(element !== null, `index.html has no #${id}`)
  assert(
    element instanceof kind,
    `#${id} is a ${element.tagName}, not the element the code expects`,
  )
  return element
}

/** Sets text only when it changed: most panels repeat their value between snapshots. */
export function setText(element: Element, text: string): void {
  if (element.textContent !== text) element.textContent = text
}

export function show(element: HTMLElement, visible: boolean): void {
  element.hidden = !visible
}
