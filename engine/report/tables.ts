/** The report's tables: plain text cells, escaped by the `html` tag, numbers right-aligned. */
import { html, type Html } from './markup.js'

export interface Column {
  readonly head: string
  readonly numeric?: boolean
}

export interface Cell {
  readonly text: string
  readonly code?: boolean
  readonly badge?: 'good' | 'bad'
}

/**
 * A table of plain text cells (the tag escapes them); `total` closes it in bold; a `compact` one is
 * as wide as its content.
 */
export function table(
  columns: readonly Column[],
  rows: readonly (readonly Cell[])[],
  total?: readonly Cell[],
  compact = false,
): Html {
  const cell = (content: Cell, column: number, tag: 'td' | 'th'): Html => {
    let inner = html`${content.text}`
    if (content.code === true) inner = html`<code>${inner}</code>`
    if (content.badge !== undefined)
      inner = html`<span class="badge badge-${content.badge}">${inner}</span>`
    const numeric = columns[column]?.numeric === true && html` class="num"`
    return tag === 'th' ? html`<th${numeric}>${inner}</th>` : html`<td${numeric}>${inner}</td>`
  }
  const head = html`<thead><tr>${columns.map((column, index) => cell({ text: column.head }, index, 'th'))}</tr></thead>`
  const body = html`<tbody>${rows.map((row) => html`<tr>${row.map((content, index) => cell(content, index, 'td'))}</tr>`)}</tbody>`
  const foot =
    total !== undefined &&
    html`<tfoot><tr>${total.map((content, index) => cell(content, index, 'td'))}</tr></tfoot>`
  return html`<div class="table-wrap"><table${compact && html` class="compact"`}>${head}${body}${foot}</table></div>`
}
