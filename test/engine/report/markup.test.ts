/**
 * The `html` tag: what a template's values become. Text and numbers are escaped, markup made by
 * the tag is kept, lists join, and nothing else can pass as markup.
 */
import { describe, expect, it } from 'vitest'
import { escapeHtml, html, Html } from '../../../engine/report/markup.js'

const hostile = `<script>alert("1")</script>&'`

describe('html', () => {
  it('escapes every string put into a template, in text and in attributes', () => {
    // Proves escaping is the default: a name like markup reads as text, and cannot close the quoted
    // attribute it sits in.
    expect(String(html`<td>${hostile}</td>`)).toBe(
      '<td>&lt;script&gt;alert(&quot;1&quot;)&lt;/script&gt;&amp;&#39;</td>',
    )
    expect(String(html`<svg aria-label="${'" onload="x'}"></svg>`)).toBe(
      '<svg aria-label="&quot; onload=&quot;x"></svg>',
    )
    expect(escapeHtml(`<a href='x'>&</a>`)).toBe('&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;')
  })

  it('keeps fragments it made, and joins lists of them and of text', () => {
    // Proves composition: nested html is not escaped twice, arrays join with nothing between, text
    // in arrays is still escaped.
    const cells = ['a<b', 'c'].map((text) => html`<td>${text}</td>`)
    expect(String(html`<tr>${cells}</tr>`)).toBe('<tr><td>a&lt;b</td><td>c</td></tr>')
    expect(String(html`<p>${[html`<b>x</b>`, '<i>', [html`<br>`]]}</p>`)).toBe(
      '<p><b>x</b>&lt;i&gt;<br></p>',
    )
  })

  it('leaves nothing for false, null and undefined, and writes finite numbers as they are', () => {
    // Proves conditional parts read naturally (`${ok && html`…`}`), and numbers go in unescaped but
    // checked.
    const ok = false
    expect(String(html`<p${ok && html` class="ok"`}>${null}${undefined}${0}${-1.5}</p>`)).toBe(
      '<p>0-1.5</p>',
    )
    expect(() => html`<text x="${Number.NaN}">`).toThrow(/finite/)
    expect(() => html`<text x="${Infinity}">`).toThrow(/finite/)
  })

  it('is the only way to make markup: a string is never trusted, nor a forged template', () => {
    // Proves the brand: a plain string that looks like markup is escaped, and fromTemplate refuses
    // an array that is not a template's.
    const looksLikeMarkup = '<b>bold</b>'
    expect(String(html`${looksLikeMarkup}`)).toBe('&lt;b&gt;bold&lt;/b&gt;')
    const forged = ['<script>', ''] as unknown as TemplateStringsArray
    expect(() => Html.fromTemplate(forged, [''])).toThrow(/tagged template/)
  })
})
