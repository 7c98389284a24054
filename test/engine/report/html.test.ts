import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  columnChart,
  escapeHtml,
  lineChart,
  renderReport,
  RunFolder,
  writeRunFiles,
  type RunSummary,
} from '../../../engine/report/index.js'
import { chartWidthDefault } from '../../../engine/report/charts.js'
import {
  cleanLoadSummary,
  flatOutSummary,
  hostileDistrict,
  loadSeconds,
  loadSummary,
} from '../../helpers/summaries.js'

/** Each `<svg class="chart…">…</svg>` of the page. */
function charts(page: string): string[] {
  return [...page.matchAll(/<svg class="chart[^"]*"[\s\S]*?<\/svg>/g)].map((match) => match[0])
}

/** The `d` of each path of a chart. */
function pathData(svg: string): string[] {
  return [...svg.matchAll(/<path\b[^>]*\sd="([^"]*)"/g)].map((match) => match[1] as string)
}

/** The labels of a chart's y ticks, bottom up, and of its x ticks, left to right. */
function yTickLabels(svg: string): string[] {
  const axis =
    svg.match(/<g class="axis axis-y"[^>]*>([\s\S]*?)<\/g><g class="axis axis-x"/)?.[1] ?? ''
  return [...axis.matchAll(/<text[^>]*>([^<]+)<\/text>/g)].map((match) => match[1] as string)
}

function xTickLabels(svg: string): string[] {
  const axis =
    svg.match(/<g class="axis axis-x"[^>]*>([\s\S]*?)<\/g><text class="axis-label"/)?.[1] ?? ''
  return [...axis.matchAll(/<text[^>]*>([^<]+)<\/text>/g)].map((match) => match[1] as string)
}

/**
 * What the page must never hold: a reference to anything outside itself, or a number gone wrong.
 */
function expectSelfContained(page: string): void {
  expect(page).not.toMatch(/https?:\/\//i)
  expect(page).not.toMatch(/\bsrc\s*=/i)
  expect(page).not.toMatch(/\bhref\s*=/i)
  expect(page).not.toMatch(/url\(/i)
  expect(page).not.toMatch(/@import|<link|<script|<img|<iframe/i)
  expect(page).not.toMatch(/NaN|Infinity|undefined/)
}

describe('report.html', () => {
  it('draws a load run: every chart has drawn paths, and the page needs nothing from outside', () => {
    // Proves the load page holds its four charts, each with lines or bars actually drawn, and
    // references nothing external.
    const page = renderReport(loadSummary, loadSeconds())
    expectSelfContained(page)
    for (const title of [
      'Throughput over time',
      'Latency over time',
      'Rejections and errors per second',
      'Rejections by reason',
      'Latency histogram',
    ])
      expect(page).toContain(`<h3>${title}</h3>`)
    const svgs = charts(page)
    expect(svgs).toHaveLength(6)
    for (const svg of svgs) {
      const drawn = pathData(svg).filter((d) => d.trim() !== '')
      expect(drawn.length).toBeGreaterThan(0)
      // d3-shape's path data: M x,y then L or Z.
      expect(svg).toMatch(/<path class="series[^"]*" d="M[\d.]+,[\d.]+[LZ]/)
    }
    // Target and completed, two lines with a legend; p50, p99 and max.
    expect(svgs[0]?.match(/class="series /g)).toHaveLength(2)
    expect(page).toMatch(/<li><span class="swatch dashed"[^>]*><\/span>target TPS<\/li>/)
    expect(svgs[1]?.match(/class="series /g)).toHaveLength(3)
    expect(page).not.toContain('<h3>Demand per simulated hour</h3>')
  })

  it('escapes names from the scenario', () => {
    // Proves a district or scenario named like markup is shown as text, never run.
    const page = renderReport(
      { ...loadSummary, scenario: 'Shenzhen <b>"bold"</b> & co' },
      loadSeconds(),
    )
    expect(page).not.toContain(hostileDistrict)
    expect(page).toContain('<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>')
    expect(page).toContain('<h1>Shenzhen &lt;b&gt;&quot;bold&quot;&lt;/b&gt; &amp; co</h1>')
    expect(page).toContain('<title>Shenzhen &lt;b&gt;')
    expect(escapeHtml(`<a href='x'>&</a>`)).toBe('&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;')
  })

  it('writes report.html with a scenario named <script>alert(1)</script> as text: no script element anywhere', async () => {
    // Proves the escaping end to end, in the file a browser opens: the name reaches the title, the
    // heading and every chart's label only as entities.
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'citytwin-report-'))
    try {
      const name = '<script>alert(1)</script>'
      const { report } = await writeRunFiles(
        await RunFolder.prepare(path.join(dir, 'run'), 'the run folder'),
        { ...loadSummary, scenario: name },
        loadSeconds(),
      )
      const page = await fs.readFile(report, 'utf8')
      expectSelfContained(page)
      expect(page).not.toMatch(/<script/i)
      expect(page).toContain(
        '<title>&lt;script&gt;alert(1)&lt;/script&gt; · seed 42 · citytwin</title>',
      )
      expect(page).toContain('<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>')
      // The district named the same in the fixture is escaped in its table cell too.
      expect(page).toContain('<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>')
    } finally {
      await fs.rm(dir, { recursive: true, force: true })
    }
  })

  it('says plainly when a load run is not valid, and which thresholds failed', () => {
    // Proves the invalid banner and its reasons appear when valid is false, and only then.
    const invalid = renderReport(loadSummary, loadSeconds())
    expect(invalid).toContain(
      '<div class="banner banner-bad" role="alert"><strong>Not a valid load test.</strong>',
    )
    expect(invalid).toContain('<li>achieved 3,800/s against a target of 5,000/s</li>')
    expect(invalid).toContain('<span class="badge badge-bad">1 of 3 FAILED</span>')
    expect(invalid).toMatch(
      /<code>dropped&lt;=0<\/code><\/td><td class="num">27,000 transfers<\/td><td class="num"><span class="badge badge-bad">FAIL<\/span>/,
    )
    const valid = renderReport(cleanLoadSummary, loadSeconds())
    expect(valid).not.toContain('Not a valid load test')
    expect(valid).toContain('<strong>Valid load test.</strong>')
    expect(valid).toContain('No thresholds were set.')
  })

  it("names the run's events: a table, numbered marks on the load charts, and a warning when faults were asked for", () => {
    // Proves a run slowed on purpose is not read as a slow ledger: the verdict says the faults were
    // injected and from when; every load chart marks each event at its second; the latency chart
    // draws the p99 threshold's limit; a run with no events has none of it.
    const load = loadSummary.load as NonNullable<RunSummary['load']>
    const steered: RunSummary = {
      ...loadSummary,
      load: {
        ...load,
        events: [
          { second: 30, kind: 'pause', label: 'paused', simulatedAt: '2025-03-03T06:30:00+08:00' },
          { second: 42, kind: 'resume', label: 'resumed' },
          { second: 75, kind: 'slowdown', label: 'ledger slowed by 50 ms' },
        ],
      },
    }
    const page = renderReport(steered, loadSeconds())
    expect(page).toContain('<strong>Steered on purpose.</strong> Faults were injected on purpose')
    expect(page).toContain('(ledger slowed by 50 ms at 1:15)')
    expect(page).toContain('<h2>Events</h2>')
    expect(page).toMatch(
      /<td class="num">3<\/td><td>1:15<\/td><td>–<\/td><td>ledger slowed by 50 ms/,
    )
    const loadCharts = charts(page).slice(0, 3)
    for (const chart of loadCharts) expect(chart.match(/<g class="marker">/g)).toHaveLength(3)
    expect(loadCharts[1]).toContain('<g class="rule">')
    expect(loadCharts[1]).toContain('>p99&lt;50ms</text>')
    const plain = renderReport(loadSummary, loadSeconds())
    expect(plain).not.toContain('<h2>Events</h2>')
    expect(plain).not.toContain('class="marker"')
    expectSelfContained(page)
  })

  it('draws the districts on three maps, a folded row as one shape of its members, names as text', () => {
    // Proves the maps read the summary's rows: each row a path shaded by its figure, with its
    // figure in the hover title; the districts of "other districts" drawn as that row.
    const summary: RunSummary = {
      ...loadSummary,
      districts: [
        {
          district: 'North <b>',
          payments: 100,
          accepted: 90,
          rejected: 10,
          amountFen: 5,
          residents: 50,
          adoption: 0.5,
        },
        {
          district: 'other districts',
          payments: 20,
          accepted: 20,
          rejected: 0,
          amountFen: 1,
          residents: 60,
          adoption: 0.25,
        },
      ],
    }
    const square = (lon: number) => [lon, 22, lon + 0.1, 22, lon + 0.1, 22.1, lon, 22.1, lon, 22]
    const page = renderReport(summary, loadSeconds(), {
      districts: [
        { name: 'North <b>', rings: [square(114)] },
        { name: 'Small one', rings: [square(114.1)] },
        { name: 'Small two', rings: [square(114.2)] },
      ],
    })
    const maps = [...page.matchAll(/<svg class="chart chart-map"[\s\S]*?<\/svg>/g)].map((m) => m[0])
    expect(maps).toHaveLength(3)
    for (const map of maps) {
      expect(map.match(/<path d="M/g)).toHaveLength(2)
      // The folded row is one path of two squares.
      expect(map).toMatch(/<path d="M[^"]*ZM[^"]*Z"/)
    }
    expect(maps[0]).toContain('<title>North &lt;b&gt;: 100 payments</title>')
    expect(maps[1]).toContain('<title>other districts: 0% of payments rejected</title>')
    expect(maps[2]).toContain('<title>North &lt;b&gt;: 50.0% of residents</title>')
    expect(page).not.toContain('North <b>')
    expect(renderReport(summary, loadSeconds())).not.toContain('The city by district')
  })

  it('draws the latency histogram from the first bucket holding a transfer to the last', () => {
    // Proves the histogram reads the summary's buckets: 0.2 ms (the lower edge of the first
    // non-empty one) to 500 ms on the axis, a column per bucket between, the modal bucket named,
    // and an older summary without buckets says so instead of drawing nothing.
    const page = renderReport(loadSummary, loadSeconds())
    const figure = /<h3>Latency histogram<\/h3>[\s\S]*?<\/figure>/.exec(page)?.[0] ?? ''
    expect(figure).toContain('the most, 40.7%, took from 0.5 ms to 1 ms')
    const ticks = [...figure.matchAll(/<text[^>]*>([^<]+)<\/text>/g)].map((match) => match[1])
    expect(ticks).toContain('0.2 ms')
    expect(ticks).toContain('500 ms')
    expect(ticks).not.toContain('1 s')
    // 0.5 ms to 500 ms: columns for 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500.
    expect(pathData(figure)[0]?.match(/Z/g)).toHaveLength(10)
    // eslint-disable-next-line @typescript-eslint/no-unused-vars -- dropped on purpose
    const { latencyHistogram, ...olderLoad } = loadSummary.load as NonNullable<RunSummary['load']>
    const older = renderReport({ ...loadSummary, load: olderLoad }, loadSeconds())
    expect(older).toContain('none: this summary predates the histogram')
  })

  it('shows the audit, latency by kind, lateness and money in yuan', () => {
    // Proves the tables: latency overall and per kind from intended send time, lateness, kinds in
    // yuan, districts with rejected %.
    const page = renderReport(loadSummary, loadSeconds())
    expect(page).toContain('Money <span class="badge badge-good">conserved</span>')
    expect(page).toContain('Double entry <span class="badge badge-good">balanced</span>')
    expect(page).toMatch(
      /<td>all transfers<\/td><td class="num">392,950<\/td><td class="num">1\.10 ms<\/td>/,
    )
    for (const kind of ['retail', 'transit', 'p2p']) expect(page).toContain(`<td>${kind}</td>`)
    expect(page).toMatch(
      /<td>sent transfers<\/td><td class="num">393,000<\/td><td class="num">0\.05 ms<\/td>.*221 ms/,
    )
    expect(page).toContain('<td class="num">¥6,170,125.37</td>')
    expect(page).toMatch(
      /<td>Nanshan<\/td><td class="num">72,500<\/td><td class="num">71,300<\/td><td class="num">1,200<\/td><td class="num">1\.7%<\/td><td class="num">¥2,600,400\.10<\/td>/,
    )
    const broken = renderReport(
      { ...loadSummary, conservation: { ...loadSummary.conservation, ok: false } },
      loadSeconds(),
    )
    expect(broken).toContain('Money <span class="badge badge-bad">NOT CONSERVED</span>')
  })

  it('draws a flat-out run: demand per hour and rejections by reason, no load section', () => {
    // Proves the flat-out page: its two charts drawn, no load figures and no banner.
    const page = renderReport(flatOutSummary, undefined)
    expectSelfContained(page)
    expect(page).toContain('<h3>Demand per simulated hour</h3>')
    expect(page).not.toContain('Throughput over time')
    expect(page).not.toContain('class="banner')
    const svgs = charts(page)
    expect(svgs).toHaveLength(2)
    for (const svg of svgs) expect(pathData(svg).some((d) => d.trim() !== '')).toBe(true)
    // One bar per reason a transfer was refused, largest first; the demand chart's one series draws
    // a column per hour.
    const bars = [...page.matchAll(/<title>(\w+): [\d,]+ \([\d.]+%\)<\/title>/g)].map(
      (match) => match[1],
    )
    expect(bars).toEqual(['insufficient_funds', 'daily_limit', 'per_payment_limit', 'balance_cap'])
    expect(svgs[1]?.match(/Z/g)).toHaveLength(flatOutSummary.demand.perHour.length)
    expect(page).toMatch(/>06:00</)
  })

  it('says "none" where there is nothing to draw', () => {
    // Proves a run without rejections, and one without seconds or hours, renders notes instead of
    // broken charts.
    const calm = loadSeconds().map((second) => ({ ...second, rejected: 0, errors: 0 }))
    const clean = renderReport(cleanLoadSummary, calm)
    expectSelfContained(clean)
    expect(clean).toContain('<p class="none">none: no transfer was rejected</p>')
    expect(clean).toContain(
      '<p class="none">none: no transfer was rejected and no call failed in any second</p>',
    )
    expect(charts(clean)).toHaveLength(4)

    const empty = renderReport(cleanLoadSummary, [])
    expectSelfContained(empty)
    // No second to chart; the latency by percentile and the histogram are the summary's own, and
    // still drawn.
    expect(charts(empty)).toHaveLength(2)
    expect(empty.match(/none: no second of load was recorded/g)).toHaveLength(3)

    const idle: RunSummary = {
      ...flatOutSummary,
      demand: { ...flatOutSummary.demand, perHour: [] },
      districts: [],
    }
    const idlePage = renderReport(idle, undefined)
    expectSelfContained(idlePage)
    expect(idlePage).toContain('none: the period holds no hour of payments')
    expect(idlePage).toContain('none: the run counted no payment by district')
  })

  it('lineChart draws any series it is given, flat or single-point, with labelled axes', () => {
    // Proves the reusable chart: y from zero with ticks, x ticks, axis labels, and a flat series
    // still draws a line.
    const svg = String(
      lineChart({
        title: 'Latency against target rate',
        xLabel: 'target transfers/s',
        yLabel: 'latency, ms',
        series: [
          {
            name: 'flat',
            points: [
              [1000, 0],
              [2000, 0],
              [4000, 0],
            ],
          },
          { name: 'one point', points: [[3000, 5]] },
          { name: 'empty', points: [] },
        ],
      }),
    )
    expect(svg).not.toMatch(/NaN|Infinity/)
    expect(svg).toContain('>target transfers/s</text>')
    expect(svg).toContain('>latency, ms</text>')
    expect(svg).toMatch(/class="series series-0" d="M[\d.]+,[\d.]+L[\d.]+,[\d.]+L/)
    // One point: d3 closes it, and the round cap draws it as a dot.
    expect(svg).toMatch(/class="series series-1" d="M[\d.]+,[\d.]+Z"[^>]*stroke-linecap="round"/)
    expect(svg).not.toContain('series-2')
    // d3's ticks across the data, each label as short as the step allows and none the same as
    // another.
    const xLabels = xTickLabels(svg)
    expect(xLabels).toEqual([
      '1k',
      '1.2k',
      '1.4k',
      '1.6k',
      '1.8k',
      '2k',
      '2.2k',
      '2.4k',
      '2.6k',
      '2.8k',
      '3k',
      '3.2k',
      '3.4k',
      '3.6k',
      '3.8k',
      '4k',
    ])
    expect(new Set(xLabels).size).toBe(xLabels.length)
    expect(yTickLabels(svg)).toEqual(['0', '1', '2', '3', '4', '5'])
    expect(
      String(lineChart({ title: 't', xLabel: 'x', yLabel: 'y', series: [], empty: 'no trials' })),
    ).toContain('<p class="none">no trials</p>')
  })

  it('lineChart on a log scale spans whole decades and keeps zeros on its floor', () => {
    // Proves the log axis: ticks at powers of ten around the data, zeros drawn (not -Infinity), a
    // spike and a median both visible.
    const svg = String(
      lineChart({
        title: 'Latency',
        xLabel: 'x',
        yLabel: 'ms',
        yScale: 'log',
        series: [
          {
            name: 'p50',
            points: [
              [0, 0],
              [1, 0.5],
              [2, 1.2],
              [3, 480],
            ],
          },
        ],
      }),
    )
    expect(svg).not.toMatch(/NaN|Infinity/)
    expect(yTickLabels(svg)).toEqual(['0.1', '1', '10', '100', '1k'])
    // The zero and the 0.5 sit apart: the zero on the floor (the axis bottom), the 0.5 above it.
    const [first, second] = [
      ...(svg.match(/class="series series-0" d="([^"]+)"/)?.[1] ?? '').matchAll(
        /[ML][\d.]+,([\d.]+)/g,
      ),
    ].map((match) => Number(match[1]))
    expect(first).toBeGreaterThan(second as number)
    // The floor is the lowest tick's place: its translate is the zero's y.
    const floorY = Number(
      svg.match(
        /<g class="tick" transform="translate\(0,([\d.]+)\)"><line class="grid"[^>]*\/><text[^>]*>0\.1</,
      )?.[1],
    )
    expect(first).toBeCloseTo(floorY, 1)
  })

  it('columnChart draws a year of hours as one outline, not thousands of slivers', () => {
    // Proves the bound on drawing: columns thinner than two pixels become one closed shape, a step
    // per pixel column, tallest kept.
    const hours = Array.from({ length: 366 * 24 }, (_, hour) =>
      hour === 5000 ? 90_000 : 10_000 + (hour % 24) * 100,
    )
    const svg = String(
      columnChart({
        title: 'Demand',
        xLabel: 'hour',
        yLabel: 'payments',
        seriesName: 'payments',
        values: hours,
      }),
    )
    const d = svg.match(/class="series series-0" d="([^"]+)"/)?.[1] ?? ''
    expect(d.match(/Z/g)).toHaveLength(1)
    // Two corners a pixel column at most, against four a column (35,136) if each were drawn.
    expect(d.match(/L/g)?.length).toBeLessThan(2 * chartWidthDefault + 4)
    // The one-hour spike of 90k keeps its height in its pixel column: the shape tops out between
    // the 80k and 100k ticks.
    expect(yTickLabels(svg)).toEqual(['0', '20k', '40k', '60k', '80k', '100k'])
    const tickY = (label: string) =>
      Number(
        svg.match(
          new RegExp(
            `<g class="tick" transform="translate\\(0,([\\d.]+)\\)"><line class="grid"[^>]*/><text[^>]*>${label}<`,
          ),
        )?.[1],
      )
    const highest = Math.min(
      ...[...d.matchAll(/[ML][\d.]+,([\d.]+)/g)].map((match) => Number(match[1])),
    )
    expect(highest).toBeGreaterThan(tickY('100k'))
    expect(highest).toBeLessThan(tickY('80k'))
    expect(
      String(
        columnChart({ title: 'Demand', xLabel: 'h', yLabel: 'p', seriesName: 'p', values: [] }),
      ),
    ).toContain('<p class="none">none</p>')
  })
})
