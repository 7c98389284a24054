/**
 * Markup that escapes by default. The `html` tag trusts only its template's own literal text;
 * every value put into it is escaped, unless it is itself markup made by `html` (the branded
 * `Html`). A scenario's name can then reach a page only as text, however the page is written:
 *
 *   html`<td>${name}</td>`              name escaped: <td>&lt;script&gt;…</td>
 *   html`<tr>${cells}</tr>`             an array of Html fragments, joined as they are
 *   html`<p>${ok && html`<b>ok</b>`}</p>`   false, null and undefined leave nothing
 *
 * Escaping covers & < > " ', so a value is safe as element text and inside a quoted attribute.
 * It is not for the inside of <style> or <script>, where entities are not read: the styles are
 * literal template text, and the pages have no script.
 */
import { assert } from '../assert.js'

/**
 * What may go into a template: text and numbers (escaped), markup (kept), nothing, or a list of
 * these.
 */
export type Interpolation =
  Html | string | number | false | null | undefined | readonly Interpolation[]

/** Markup built by `html`, and only by it: the one kind of value a template puts in unescaped. */
export class Html {
  readonly #markup: string

  private constructor(markup: string) {
    this.#markup = markup
  }

  /**
   * The only way in: a template's literal text is trusted, each value escaped unless it is Html
   * already.
   */
  static fromTemplate(strings: TemplateStringsArray, values: readonly Interpolation[]): Html {
    // A tagged template's literal parts come with their raw text: a plain array passed here is a
    // forgery of trusted text.
    assert(
      Array.isArray(strings.raw) && strings.length === values.length + 1,
      'markup is made from a tagged template',
    )
    let markup = strings[0] ?? ''
    for (let index = 0; index < values.length; index++)
      markup += interpolate(values[index]) + (strings[index + 1] ?? '')
    return new Html(markup)
  }

  toString(): string {
    return this.#markup
  }
}

export function html(strings: TemplateStringsArray, ...values: readonly Interpolation[]): Html {
  return Html.fromTemplate(strings, values)
}

/** Text for HTML content and attribute values: & < > " ' become entities. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => entities[character] ?? character)
}

const entities: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

function interpolate(value: Interpolation): string {
  if (value instanceof Html) return value.toString()
  if (value === false || value === null || value === undefined) return ''
  if (typeof value === 'string') return escapeHtml(value)
  if (typeof value === 'number') {
    // A coordinate or count gone wrong is a bug to see, not "NaN" drawn into a page.
    assert(Number.isFinite(value), `a number put into markup is finite, not ${value}`)
    return String(value)
  }
  return value.map(interpolate).join('')
}
