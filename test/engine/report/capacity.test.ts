/**
 * capacity.html and the capacity table: the page escapes what came from input (the scenario's
 * name, the SLO, a failed threshold as written), draws its two charts, and both read their
 * figures as format.ts says.
 */
import { describe, expect, it } from 'vitest'
import {
  capacityTable,
  renderCapacityReport,
  type CapacityReport,
  type CapacityTrialFigures,
} from '../../../engine/report/index.js'

function trial(tps: number, ok: boolean, p99Ms: number): CapacityTrialFigures {
  return {
    tps,
    ok,
    achievedTps: ok ? tps : tps * 0.8,
    p50Ms: 0.4,
    p99Ms,
    p999Ms: p99Ms * 2,
    maxMs: p99Ms * 3,
    lateP99Ms: 0.2,
    dropped: ok ? 0 : 1_200,
    rejectedPct: 0.0828,
    failed: ok ? [] : ['p99<50ms (was 77.00 ms) <b>'],
    periodRanOut: false,
  }
}

const report: CapacityReport = {
  scenario: '<script>alert(1)</script>',
  seed: 7,
  ledger: 'memory',
  residents: 20_000,
  slo: ['p99<50ms'],
  windowSeconds: 10,
  warmupSeconds: 2,
  outcome: 'found',
  kneeTps: 80_000,
  failedTps: 160_000,
  trials: [
    trial(10_000, true, 2),
    trial(40_000, true, 9.996),
    trial(80_000, true, 31.25),
    trial(160_000, false, 77),
  ],
}

describe('capacity.html', () => {
  it('shows the scenario, the SLO and failed thresholds as text, never as markup', () => {
    // Proves the page is built by the escaping tag: no script element, the name and the SLO's < as
    // entities.
    const page = renderCapacityReport(report)
    expect(page).not.toMatch(/<script|<b>/i)
    expect(page).toContain('<title>Capacity: &lt;script&gt;alert(1)&lt;/script&gt;</title>')
    expect(page).toContain(
      '<div class="meta">&lt;script&gt;alert(1)&lt;/script&gt; · seed 7 · 20,000 residents · SLO p99&lt;50ms over 10 s per trial after 2 s of warm-up</div>',
    )
    expect(page).toContain('<td>failed: p99&lt;50ms (was 77.00 ms) &lt;b&gt;</td>')
    expect(page).not.toMatch(/NaN|Infinity|undefined/)
  })

  it('draws both charts and reads its figures as the terminal does', () => {
    // Proves the charts are there with drawn lines, and the table's latency and share follow the
    // one format.
    const page = renderCapacityReport(report)
    expect(page.match(/<svg class="chart"/g)).toHaveLength(2)
    expect(page).toMatch(/<path class="series series-0" d="M[\d.]+,[\d.]+L/)
    expect(page).toContain(
      '<tr class="held"><td>40,000</td><td>40,000</td><td>0.40</td><td>10.0</td><td>20.0</td><td>30.0</td><td>0</td><td>0.083%</td><td>held</td></tr>',
    )
    expect(page).toContain('target transfers/s (log scale)')
    expect(page).toContain('>100k</text>')
    const table = capacityTable(report)
    expect(table).toMatch(/40,000 +40,000 +0\.40 +10\.0 +20\.0 +30\.0 +0 +0\.083% +held/)
    expect(table).toContain('10 s per trial after 2 s of warm-up')
  })
})
