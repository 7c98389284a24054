// The layers of the tree (docs/ARCHITECTURE.md): a module may import from its own layer and the
// layers below it, never above, and no import (type-only included) may close a cycle.
//
//   12  bin/, bench/, workers/, visualizer/server/   the programs
//   11  visualizer/protocol.ts                       the page's contract
//   10  engine/report/                               views of a run
//    9  engine/run/                                  the run, composed
//    8  engine/telemetry/                            what a run streams out
//    7  engine/stream/, engine/counting/             ticks made by the workers; results counted
//    6  engine/behaviour/                            who pays whom, per tick
//    5  engine/population/                           residents and merchants as columns
//    4  engine/plan/                                 sizes, segments, account layout
//    3  scenarios/                                   the scenario file, checked
//    2  engine/load/                                 schedules, the open model, thresholds
//    1  engine/metrics/                              histograms and counters
//    0  engine/ledger/, engine/city/                 the ledgers; the city's geometry
//   -1  engine/*.ts, engine/time/, engine/random/    the base
const layers = [
  ['base', '^engine/[^/]+[.]ts$|^engine/(time|random)/'],
  ['ledger-city', '^engine/(ledger|city)/'],
  ['metrics', '^engine/metrics/'],
  ['load', '^engine/load/'],
  ['scenarios', '^scenarios/'],
  ['plan', '^engine/plan/'],
  ['population', '^engine/population/'],
  ['behaviour', '^engine/behaviour/'],
  ['stream-counting', '^engine/(stream|counting)/'],
  ['telemetry', '^engine/telemetry/'],
  ['run', '^engine/run/'],
  ['report', '^engine/report/'],
  ['protocol', '^visualizer/protocol[.]ts$'],
  ['programs', '^(bin|bench|workers|visualizer/server)/|^visualizer/buildClient[.]ts$'],
]

/** Each layer may not import any layer above it. */
const upward = layers.slice(0, -1).map(([name, path], index) => ({
  name: `no-upward-from-${name}`,
  comment: `${name} sits below ${layers
    .slice(index + 1)
    .map(([above]) => above)
    .join(', ')}: it may not import them`,
  severity: 'error',
  from: { path },
  to: {
    path: layers
      .slice(index + 1)
      .map(([, above]) => `(${above})`)
      .join('|'),
  },
}))

module.exports = {
  forbidden: [
    {
      name: 'no-cycle',
      comment: 'a cycle, type-only imports included, ties layers or modules into one',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...upward,
    {
      name: 'no-page-into-node',
      comment: 'the page is bundled for the browser; only its contract is shared with the server',
      severity: 'error',
      from: { pathNot: '^visualizer/client/' },
      to: { path: '^visualizer/client/' },
    },
    {
      name: 'no-test-code-in-tree',
      severity: 'error',
      from: { pathNot: '^test/' },
      to: { path: '^test/' },
    },
  ],
  options: {
    // Type-only imports count: a type-only cycle still ties two layers together.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules|runs|coverage|bench/results)/' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
    moduleSystems: ['es6'],
  },
}
