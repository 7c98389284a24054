/**
 * The pages connected to the live server, and which of them may give their place. A page counts
 * as watched while it says so: the page reports `presence` with `visible: true` when it connects,
 * every `livePresenceIntervalMs` while its tab is shown, and as soon as it is shown again. A
 * presenter's screen that nobody touches for hours is shown, so it keeps reporting and keeps its
 * place; what loses it is a tab left hidden, or a script that connected and said nothing.
 *
 *   connection ──join──▶ page ──presence(visible)──▶ page, shown now
 *       │                  │
 *       │                  ├─ not shown for livePageEvictIdleMs: a newcomer at the cap takes its place
 *       │                  └─ not shown for livePageIdleMsMax: closed, with a message offering to reconnect
 *       └─ not joined: a newcomer at the cap takes its place at once (socket.io closes it after livePageJoinMs)
 *
 * At the cap, the connection that has not joined, else the page shown longest ago, goes first; a
 * newcomer is refused only when every page has been shown within livePageEvictIdleMs.
 */
import { assert } from '../../engine/assert.js'
import { liveClientsMax, livePageEvictIdleMs, livePageIdleMsMax } from '../../engine/limits.js'

interface Entry {
  joined: boolean
  shownAtMs: number
  close: (reason: string) => void
}

/** Keyed by the connection itself (engine.io's socket, which socket.io's page shares). */
export class PageRoster<Key extends object = object> {
  private readonly entries = new Map<Key, Entry>()
  private evictedCount = 0
  private timedOutCount = 0

  constructor(
    private readonly now: () => number,
    private readonly pagesMax = liveClientsMax,
  ) {
    assert(pagesMax >= 1, 'at least one page')
  }

  get size(): number {
    return this.entries.size
  }

  /** Pages that gave their place to a newcomer, and pages closed for not being shown. */
  get evicted(): number {
    return this.evictedCount
  }

  get timedOut(): number {
    return this.timedOutCount
  }

  /**
   * Whether a newcomer may connect: there is room, or room is made by closing the connection
   * that has not joined, or the page shown longest ago if that is long enough ago.
   */
  admit(): boolean {
    if (this.entries.size < this.pagesMax) return true
    const nowMs = this.now()
    let victim: Key | undefined
    let victimShownAtMs = Infinity
    for (const [id, entry] of this.entries) {
      if (!entry.joined) {
        victim = id
        break
      }
      if (nowMs - entry.shownAtMs >= livePageEvictIdleMs && entry.shownAtMs < victimShownAtMs) {
        victim = id
        victimShownAtMs = entry.shownAtMs
      }
    }
    if (victim === undefined) return false
    this.evictedCount += 1
    this.remove(
      victim,
      `another page took this one's place: the map has room for ${this.pagesMax} pages, and this one had not been shown for a while`,
    )
    return true
  }

  /** A connection opened (engine.io), not yet a page. */
  opened(id: Key, close: (reason: string) => void): void {
    this.entries.set(id, { joined: false, shownAtMs: this.now(), close })
    assert(this.entries.size <= this.pagesMax + 1, 'a newcomer is admitted only with room for it')
  }

  /** The connection joined as a page; `close` now tells the page why before closing it. */
  joined(id: Key, close: (reason: string) => void): void {
    const entry = this.entries.get(id)
    // Joined without being seen opening (not the order socket.io keeps): counted all the same.
    if (entry === undefined) this.entries.set(id, { joined: true, shownAtMs: this.now(), close })
    else Object.assign(entry, { joined: true, shownAtMs: this.now(), close })
  }

  /** The page says it is shown (or a person used its controls). */
  shown(id: Key): void {
    const entry = this.entries.get(id)
    if (entry !== undefined) entry.shownAtMs = this.now()
  }

  closed(id: Key): void {
    this.entries.delete(id)
  }

  /** Closes the pages not shown for livePageIdleMsMax. */
  sweep(): void {
    const nowMs = this.now()
    for (const [id, entry] of this.entries) {
      if (!entry.joined || nowMs - entry.shownAtMs < livePageIdleMsMax) continue
      this.timedOutCount += 1
      this.remove(
        id,
        `closed after ${Math.round(livePageIdleMsMax / 60_000)} minutes without being shown, to keep room for pages that are watched`,
      )
    }
  }

  private remove(id: Key, reason: string): void {
    const entry = this.entries.get(id)
    if (entry === undefined) return
    this.entries.delete(id)
    entry.close(reason)
  }
}
