/**
 * The big numbers along the top and the status line in the header. Each element is found once;
 * a snapshot only rewrites text that changed.
 */
import type { CityView, Snapshot } from '../protocol.js'
import { byId, setText, show } from './dom.js'
import {
  formatClock,
  formatCount,
  formatDate,
  formatMsNumber,
  formatRate,
  formatShare,
} from './format.js'
import { ratio } from './measures.js'
import { cutOffFlags } from './outages.js'

export interface Panels {
  readonly render: (snapshot: Snapshot) => void
}

export function createPanels(city: CityView): Panels {
  const text = (id: string): HTMLElement => byId(id, HTMLElement)
  const el = {
    tps: text('tps'),
    targetTps: text('target-tps'),
    paceMode: text('pace-mode'),
    settled: text('settled'),
    payments: text('payments'),
    institutional: text('institutional'),
    p99: text('p99'),
    latencyDetail: text('latency-detail'),
    rejected: text('rejected'),
    rejectedDetail: text('rejected-detail'),
    clock: text('clock'),
    date: text('date'),
    state: text('state'),
    speed: text('speed'),
    slowdown: text('slowdown-badge'),
    outage: text('outage-badge'),
    runError: text('run-error'),
    channelTop: text('channel-top'),
    channelMix: text('channel-mix'),
    paidBy: text('paid-by'),
  }
  setText(text('scenario'), city.scenario)
  const { residents, adopted, merchants, riders } = city.agents
  setText(text('agents-residents'), formatCount(residents))
  setText(
    text('agents-detail'),
    `${formatCount(adopted)} wallets (${formatShare(ratio(adopted, residents))}) · ${formatCount(merchants)} shops · ${formatCount(riders)} riders`,
  )

  function render(s: Snapshot): void {
    setText(el.tps, formatRate(s.achievedTps))
    setText(el.targetTps, formatRate(s.targetTps))
    setText(
      el.paceMode,
      s.pace.mode === 'rate' ? `fixed rate ${formatRate(s.pace.tps)}/s` : 'following the city',
    )
    setText(el.settled, formatCount(s.settled))
    setText(el.payments, formatCount(s.payments))
    setText(el.institutional, formatCount(s.institutional))
    setText(el.p99, formatMsNumber(s.latency.p99))
    setText(
      el.latencyDetail,
      `p50 ${formatMsNumber(s.latency.p50)} · p99.9 ${formatMsNumber(s.latency.p999)} ms`,
    )
    renderPaidBy(el, city, s)
    setText(el.rejected, formatCount(s.rejected))
    setText(el.rejectedDetail, rejectedDetail(s))
    setText(el.clock, formatClock(s.simulatedAt))
    setText(el.date, formatDate(s.simulatedAt))
    setText(el.speed, formatRate(s.speed))
    setText(el.state, s.state)
    el.state.dataset.state = s.state

    show(el.slowdown, s.faults.slowdownMs > 0)
    setText(el.slowdown, `ledger slowed +${formatMsNumber(s.faults.slowdownMs)} ms`)
    const flags = cutOffFlags(city, s.faults.outages)
    const cutOff = city.districts.filter((_district, i) => flags[i] === true)
    show(el.outage, cutOff.length > 0)
    setText(el.outage, `outage: ${cutOff.map((d) => d.name).join(', ')}`)
    show(el.runError, s.error !== undefined)
    setText(el.runError, s.error ?? '')
    el.runError.title = s.error ?? ''
  }

  return { render }
}

/**
 * The "Paid by" card: the commonest channel's share in large; beneath, its name and the next
 * channel. Every channel, the services' rates and the visitors on hover: the card keeps two short
 * lines.
 */
function renderPaidBy(
  el: { channelTop: HTMLElement; channelMix: HTMLElement; paidBy: HTMLElement },
  city: CityView,
  s: Snapshot,
): void {
  const mix = channelMix(city, s)
  const [top, next] = mix
  setText(el.channelTop, top === undefined ? '–' : top.share)
  const beneath = top === undefined ? [] : [top.name]
  if (next !== undefined) beneath.push(`${next.name} ${next.share}`)
  setText(el.channelMix, beneath.join(' · '))
  el.paidBy.title = [mix.map((one) => `${one.name} ${one.share}`).join(' · '), services(city, s)]
    .filter((line) => line !== '')
    .join('\n')
}

/** The public and seamless services' payments a second, and the visitors arrived so far. */
const serviceKinds = ['health', 'parking', 'online', 'welfare', 'tax'] as const

function services(city: CityView, s: Snapshot): string {
  const parts = serviceKinds.flatMap((kind) => {
    const at = city.kinds.indexOf(kind)
    const rate = at < 0 ? undefined : s.kinds[at]
    return rate === undefined ? [] : [`${kind} ${formatRate(rate)}/s`]
  })
  if (s.visitors !== undefined) parts.push(`${formatCount(s.visitors)} visitors`)
  return parts.join(' · ')
}

/** The payments so far by channel with their shares, commonest first. */
function channelMix(city: CityView, s: Snapshot): { name: string; share: string }[] {
  const counts = s.channels
  const names = city.channels
  if (counts === undefined || names === undefined) return []
  const total = counts.reduce((sum, count) => sum + count, 0)
  if (total === 0) return []
  return counts
    .map((count, i) => ({ name: names[i] ?? '', count }))
    .filter((channel) => channel.count > 0)
    .sort((a, b) => b.count - a.count)
    .map((channel) => ({ name: channel.name, share: formatShare(channel.count / total) }))
}

/**
 * "0.42% of payments · mostly insufficient funds": the share of the city's payments answered so
 * far (the institutions' transfers are not among them), and the commonest reason.
 */
function rejectedDetail(s: Snapshot): string {
  const share = `${formatShare(ratio(s.rejected, s.payments))} of payments`
  let commonest: [string, number] | null = null
  for (const [reason, count] of Object.entries(s.reasons)) {
    if (commonest === null || count > commonest[1]) commonest = [reason, count]
  }
  return commonest === null ? share : `${share} · mostly ${commonest[0].replaceAll('_', ' ')}`
}
