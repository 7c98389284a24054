/**
 * The scenario schema (shapes, bounds, strictness) and crossFieldIssues (rules across fields),
 * without files: the smoke scenario is parsed once and edited per test.
 */
import { readFileSync } from 'node:fs'
import { publishedTierLimits } from '../../scenarios/walletTiers.js'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import {
  banksMax,
  districtsMax,
  merchantCategoriesMax,
  merchantsMax,
  residentsMax,
  simulatedDaysMax,
  utilitiesMax,
  walletTiersMax,
} from '../../engine/limits.js'
import { formatPath } from '../../scenarios/loader.js'
import {
  crossFieldIssues,
  offsetMinutes,
  scenarioSchema,
  type Scenario,
} from '../../scenarios/schema.js'
import {
  chengduDayFile,
  shenzhenDayFile,
  smokeText,
  smokeWith,
  suzhouDayFile,
} from './scenarioFiles.js'

/**
 * The schema's issues for `input` as `path: message` lines (unknown keys as `path.key: unknown
 * field`).
 */
function schemaIssues(input: unknown): string[] {
  const result = scenarioSchema.safeParse(input)
  if (result.success) return []
  return result.error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => `${formatPath([...issue.path, key])}: unknown field`)
      : [`${formatPath(issue.path)}: ${issue.message}`],
  )
}

/** The smoke scenario as parsed YAML, with edits by field path (see smokeWith). */
function smokeInput(edits: Record<string, unknown> = {}): unknown {
  return parse(smokeWith(edits))
}

const smoke: Scenario = scenarioSchema.parse(parse(smokeText))

/** A deep copy of the parsed smoke scenario to change for one test. */
function smokeScenario(): Scenario {
  return structuredClone(smoke)
}

const names = (count: number, prefix = 'n') =>
  Array.from({ length: count }, (_, index) => `${prefix}${index}`)

describe('scenarioSchema', () => {
  it.each([
    ['smoke.yaml', smokeText],
    ['shenzhen-day.yaml', readFileSync(shenzhenDayFile, 'utf8')],
    ['suzhou-day.yaml', readFileSync(suzhouDayFile, 'utf8')],
    ['chengdu-day.yaml', readFileSync(chengduDayFile, 'utf8')],
  ])('accepts %s and fills in enabled: true for every payment kind', (_name, text) => {
    // Proves: the shipped scenarios fit the schema, and the one default (enabled) is applied.
    const result = scenarioSchema.safeParse(parse(text))
    expect(result.success, JSON.stringify(result.error?.issues)).toBe(true)
    const payments = result.data?.payments
    expect(payments && Object.values(payments).map((payment) => payment.enabled)).toEqual([
      true,
      true,
      true,
      true,
      true,
      true,
    ])
  })

  it('reports every problem in one pass, each with its field path', () => {
    // Proves: the schema does not stop at the first error; all paths come back together.
    const issues = schemaIssues(
      smokeInput({
        'city.districts[3].population': -5,
        scale: 2,
        seed: 'x',
        bogus: 1,
        'wallets.tiers[2].perDayFen': 12.5,
        'banks.names': [],
        'payments.topup.enabled': 'yes',
      }),
    )
    expect(issues.sort()).toEqual(
      [
        'city.districts[3].population: must be a positive integer',
        'scale: must be at most 1 (the whole population)',
        'seed: must be a non-negative integer',
        'bogus: unknown field',
        'wallets.tiers[2].perDayFen: must be an integer amount of fen (1 yuan = 100 fen)',
        'banks.names: must name at least one operating bank',
        'payments.topup.enabled: must be true or false',
      ].sort(),
    )
  })

  it('refuses unknown fields at every level of the scenario', () => {
    // Proves: every object in the schema is strict, so a typo anywhere is reported instead of
    // ignored.
    const issues = schemaIssues(
      smokeInput({
        'period.timezone': 'Asia/Shanghai',
        'city.population': 1,
        'city.districts[0].area': 1,
        'adoption.rate': 1,
        'wallets.tiers[3].limit': 1,
        'wallets.default': 1,
        'banks.fees': 1,
        'merchants.total': 1,
        'merchants.categories.grocery.tip': 1,
        'payments.bill.currency': 'CNY',
        'payments.retail.amountFen': 100,
        'payments.refund': { perDay: 1 },
      }),
    )
    expect(issues.sort()).toEqual(
      [
        'period.timezone',
        'city.population',
        'city.districts[0].area',
        'adoption.rate',
        'wallets.tiers[3].limit',
        'wallets.default',
        'banks.fees',
        'merchants.total',
        'merchants.categories.grocery.tip',
        'payments.bill.currency',
        'payments.retail.amountFen',
        'payments.refund',
      ]
        .map((path) => `${path}: unknown field`)
        .sort(),
    )
  })

  const accepted: [string, unknown][] = [
    ['scale', 1],
    ['scale', 1e-9],
    ['seed', 0],
    ['seed', 0xffff_ffff],
    ['name', 'x'.repeat(80)],
    ['description', 'x'.repeat(2000)],
    ['period.from', '2026-11-23T00:00Z'],
    ['city.districts[0].population', residentsMax],
    ['city.districts[0].adoption', 0],
    ['city.districts[0].id', 'x'.repeat(32)],
    ['wallets.tiers[0].tier', walletTiersMax],
    ['wallets.tiers[0].balanceCapFen', 0xffff_ffff],
    ['wallets.tiers[0].initialBalanceFen', 0],
    ['wallets.tiers[0].perYearFen', 0xffff_ffff],
    ['merchants.count', merchantsMax],
    ['payments.retail.perDay', 10_000],
    ['payments.retail.perDay', 0],
    ['payments.retail.enabled', false],
    ['utilities', names(utilitiesMax)],
    ['banks.names', names(banksMax)],
    ['merchants.categories.home_goods-2', { share: 0, ticketFen: 1 }],
  ]

  it.each(accepted)('accepts %s = %j (a value at the edge of its bound)', (fieldPath, value) => {
    // Proves: each bound is inclusive where it should be, so legitimate edge values are not
    // refused.
    expect(schemaIssues(smokeInput({ [fieldPath]: value }))).toEqual([])
  })

  const refused: [string, unknown, string][] = [
    ['version', 2, 'must be 1 (the scenario format version)'],
    ['version', '1', 'must be 1 (the scenario format version)'],
    ['scale', 0, 'must be a share of the real population, greater than 0'],
    ['scale', 1.000001, 'must be at most 1 (the whole population)'],
    ['seed', -1, 'must be a non-negative integer'],
    ['seed', 1.5, 'must be a non-negative integer'],
    ['seed', 0x1_0000_0000, 'must be at most 4294967295'],
    ['name', '', 'must not be empty'],
    ['name', 'x'.repeat(81), 'must be at most 80 characters'],
    ['description', 'x'.repeat(2001), ''],
    [
      'period.from',
      '2026-11-23',
      'must be a date-time with an offset, like "2026-11-23T00:00:00+08:00"',
    ],
    [
      'period.to',
      '2026-11-24T00:00:00',
      'must be a date-time with an offset, like "2026-11-23T00:00:00+08:00"',
    ],
    [
      'period.to',
      20261124,
      'must be a date-time with an offset, like "2026-11-23T00:00:00+08:00" (quote it)',
    ],
    ['city.map', '', 'must not be empty'],
    ['city.map', `${'x'.repeat(250)}.geojson`, 'must be at most 255 characters'],
    ['city.districts', [], 'must list at least one district'],
    ['city.districts', 'all of them', 'must be a list of districts'],
    ['city.districts[0].id', 440303, 'must be the feature id in the map, as a string'],
    ['city.districts[0].id', '', ''],
    ['city.districts[0].population', 0, 'must be a positive integer'],
    ['city.districts[0].population', residentsMax + 1, `must be at most ${residentsMax}`],
    ['city.districts[0].adoption', 1.5, 'must be a share between 0 and 1'],
    ['city.sameDistrictWorkShare', -0.1, 'must be a share between 0 and 1'],
    ['adoption.share', '60%', 'must be a share between 0 and 1'],
    ['wallets.tiers', [], 'must list at least one tier'],
    ['wallets.tiers[0].tier', 0, `must be a positive integer`],
    ['wallets.tiers[0].tier', walletTiersMax + 1, `must be between 1 and ${walletTiersMax}`],
    ['wallets.tiers[0].balanceCapFen', 0x1_0000_0000, 'must be at most 4294967295 fen'],
    ['wallets.tiers[0].perPaymentFen', 0, 'must be a positive amount of fen'],
    ['wallets.tiers[0].initialBalanceFen', -1, 'must be a non-negative integer amount of fen'],
    ['banks.names', names(banksMax + 1), `must name at most ${banksMax} banks`],
    ['banks.issuancePerResidentFen', 12.5, 'must be an integer amount of fen (1 yuan = 100 fen)'],
    ['utilities', [], 'must name at least one utility'],
    ['utilities', names(utilitiesMax + 1), `must name at most ${utilitiesMax} utilities`],
    ['merchants.count', merchantsMax + 1, `must be at most ${merchantsMax}`],
    ['merchants.categories', {}, 'must list at least one category'],
    ['payments.retail.perDay', 10_001, 'must be at most 10000 per day'],
    ['payments.retail.perDay', -0.1, 'must be a rate per day (a number >= 0)'],
    ['payments.retail.enabled', 'yes', 'must be true or false'],
    ['payments.bill.amountFen', undefined, 'must be an integer amount of fen'],
    ['payments.p2p', undefined, ''],
    [
      'name',
      'Shenzhen\x1b]0;pwned\x07',
      'must not hold control characters (escape codes, line breaks, bidi overrides)',
    ],
    [
      'name',
      'two\nlines',
      'must not hold control characters (escape codes, line breaks, bidi overrides)',
    ],
    [
      'name',
      'abc\u202edcba',
      'must not hold control characters (escape codes, line breaks, bidi overrides)',
    ],
    [
      'city.districts[0].name',
      'Luohu\x1b[2J',
      'must not hold control characters (escape codes, line breaks, bidi overrides)',
    ],
    [
      'banks.names[0]',
      'ICBC\x9b',
      'must not hold control characters (escape codes, line breaks, bidi overrides)',
    ],
    [
      'utilities[0]',
      'power\r',
      'must not hold control characters (escape codes, line breaks, bidi overrides)',
    ],
    ['city.districts[0].id', '440303\x00', 'must not hold control characters'],
    [
      'description',
      'A day.\x1b[2J',
      'must not hold control characters other than line breaks and tabs (escape codes, bidi overrides)',
    ],
  ]

  it.each(refused)('refuses %s = %j, naming that path', (fieldPath, value, message) => {
    // Proves: the bound or type is enforced and the one issue names the edited field (and its
    // message when given).
    const issues = schemaIssues(smokeInput({ [fieldPath]: value }))
    expect(issues).toHaveLength(1)
    expect(issues[0]?.startsWith(`${fieldPath}: `)).toBe(true)
    if (message !== '') expect(issues[0]).toBe(`${fieldPath}: ${message}`)
  })

  it('accepts a description of several lines with tabs, and names in Chinese', () => {
    // Proves: the control-character rule refuses codes that steer a terminal, not ordinary text.
    expect(
      schemaIssues(
        smokeInput({
          description: 'First line.\n\tSecond, indented.\n',
          name: '深圳 smoke',
          'city.districts[0].name': '罗湖区',
        }),
      ),
    ).toEqual([])
  })

  it('refuses a perYearFen beyond what a Uint32 holds', () => {
    // Proves: the ledger counts a year's spending in a Uint32; a larger limit is refused on its
    // path.
    const issues = schemaIssues(smokeInput({ 'wallets.tiers[0].perYearFen': 2 ** 32 }))
    expect(issues.length).toBeGreaterThan(0)
    expect(
      issues.every((issue) => issue.startsWith('wallets.tiers[0].perYearFen: ')),
      issues.join('\n'),
    ).toBe(true)
  })

  it('refuses more than districtsMax districts and more than merchantCategoriesMax categories', () => {
    // Proves: the list and record sizes are bounded (the district index is a Uint8).
    const district = { id: '440303', name: 'Luohu', population: 1 }
    const categories = Object.fromEntries(
      names(merchantCategoriesMax + 1, 'c').map((name) => [name, { share: 0, ticketFen: 1 }]),
    )
    const issues = schemaIssues(
      smokeInput({
        'city.districts': Array.from({ length: districtsMax + 1 }, () => ({ ...district })),
        'merchants.categories': categories,
      }),
    )
    expect(issues.sort()).toEqual(
      [
        `city.districts: must list at most ${districtsMax} districts`,
        `merchants.categories: must list at most ${merchantCategoriesMax} categories`,
      ].sort(),
    )
    const atLimit = Object.fromEntries(
      names(merchantCategoriesMax, 'c').map((name) => [name, { share: 0, ticketFen: 1 }]),
    )
    expect(
      schemaIssues(
        smokeInput({
          'city.districts': Array.from({ length: districtsMax }, () => ({ ...district })),
          'merchants.categories': atLimit,
        }),
      ),
    ).toEqual([])
  })

  it('refuses category names that are not lower-case words', () => {
    // Proves: category names are checked (they become column names and labels), e.g. "Grocery" or
    // "1st".
    for (const name of ['Grocery', '1st', 'x'.repeat(33), 'a b']) {
      const issues = schemaIssues(
        smokeInput({ [`merchants.categories.${name}`]: { share: 0, ticketFen: 1 } }),
      )
      expect(issues.length, name).toBeGreaterThan(0)
      expect(
        issues.every((issue) => issue.startsWith('merchants.categories')),
        issues.join('\n'),
      ).toBe(true)
    }
  })
})

describe('crossFieldIssues', () => {
  it('finds nothing wrong with the smoke scenario', () => {
    // Proves: the baseline every other case edits is clean, so each issue below comes from its one
    // edit.
    expect(crossFieldIssues(smokeScenario())).toEqual([])
  })

  it('reports wallet tier shares that do not add up to 1, with their sum', () => {
    // Proves: tier shares must sum to 1; the issue names wallets.tiers and the actual sum.
    const scenario = smokeScenario()
    scenario.wallets.tiers[3]!.share = 0.3
    expect(crossFieldIssues(scenario)).toEqual([
      'wallets.tiers: shares must add up to 1 (they add up to 0.9)',
    ])
  })

  it('tolerates rounding in shares (1e-7) but not a real gap (1e-5)', () => {
    // Proves: the sum check has a tolerance for float rounding, and only that.
    const scenario = smokeScenario()
    scenario.wallets.tiers[3]!.share += 1e-7
    scenario.merchants.categories.grocery!.share -= 1e-7
    expect(crossFieldIssues(scenario)).toEqual([])
    scenario.wallets.tiers[3]!.share += 1e-5
    expect(crossFieldIssues(scenario)).toEqual([
      expect.stringMatching(/^wallets\.tiers: shares must add up to 1/),
    ])
  })

  it('reports merchant category shares that do not add up to 1, with their sum', () => {
    // Proves: category shares must sum to 1; the issue names merchants.categories and the sum.
    const scenario = smokeScenario()
    scenario.merchants.categories.services!.share = 0.35
    expect(crossFieldIssues(scenario)).toEqual([
      'merchants.categories: shares must add up to 1 (they add up to 1.2)',
    ])
  })

  it.each([
    ['before period.from', '2026-11-22T00:00:00+08:00', 'period.to: must be after period.from'],
    ['equal to period.from', '2026-11-23T00:00:00+08:00', 'period.to: must be after period.from'],
    [
      '30 seconds after period.from',
      '2026-11-23T00:00:30+08:00',
      'period.to: must be a whole number of minutes after period.from',
    ],
    [
      'in another UTC offset',
      '2026-11-24T00:00:00+09:00',
      'period.to: must use the same UTC offset as period.from',
    ],
    [
      'more than simulatedDaysMax days on',
      '2027-11-25T00:00:00+08:00',
      `period.to: the period must be at most ${simulatedDaysMax} days`,
    ],
    [
      'month 13',
      '2026-13-01T00:00:00+08:00',
      'period.to: is not a real date and time from 1970 on',
    ],
    [
      'February 30',
      '2026-02-30T00:00:00+08:00',
      'period.to: is not a real date and time from 1970 on',
    ],
    ['hour 24', '2026-11-24T24:00:00+08:00', 'period.to: is not a real date and time from 1970 on'],
    [
      'before 1970',
      '1969-12-31T00:00:00+08:00',
      'period.to: is not a real date and time from 1970 on',
    ],
  ])('reports period.to %s', (_what, to, issue) => {
    // Proves: the period must run forward, in whole minutes, in one offset, within the bound,
    // between real dates.
    const scenario = smokeScenario()
    scenario.period.to = to
    expect(crossFieldIssues(scenario)).toEqual([issue])
  })

  it('accepts a period of exactly simulatedDaysMax days and "Z" against "+00:00"', () => {
    // Proves: the period bound is inclusive and Z counts as offset 0.
    const scenario = smokeScenario()
    scenario.period.from = '2026-01-01T00:00:00Z'
    scenario.period.to = new Date(Date.parse(scenario.period.from) + simulatedDaysMax * 86_400_000)
      .toISOString()
      .replace(/\.000Z$/, '+00:00')
    expect(crossFieldIssues(scenario)).toEqual([])
  })

  it('refuses February 30 as period.from, though Date.parse would roll it over to March 2', () => {
    // Proves: every date field is checked, so a run never silently starts on another day.
    const scenario = smokeScenario()
    scenario.period.from = '2026-02-30T00:00:00+08:00'
    scenario.period.to = '2026-03-03T00:00:00+08:00'
    expect(new Date(Date.parse(scenario.period.from)).toISOString()).toBe(
      '2026-03-01T16:00:00.000Z',
    )
    expect(crossFieldIssues(scenario)).toEqual([
      'period.from: is not a real date and time from 1970 on',
    ])
  })

  it('accepts February 29 of a leap year and refuses it in another year', () => {
    // Proves: the date check follows the calendar, not a fixed month length.
    const scenario = smokeScenario()
    scenario.period.from = '2028-02-29T00:00:00+08:00'
    scenario.period.to = '2028-03-01T00:00:00+08:00'
    expect(crossFieldIssues(scenario)).toEqual([])
    scenario.period.from = '2027-02-29T00:00:00+08:00'
    scenario.period.to = '2027-03-01T00:00:00+08:00'
    expect(crossFieldIssues(scenario)).toEqual([
      'period.from: is not a real date and time from 1970 on',
    ])
  })

  it('reports a district id listed twice at the second listing', () => {
    // Proves: district ids must be unique; the issue names the path of the repeat,
    // city.districts[N].id.
    const scenario = smokeScenario()
    scenario.city.districts[6]!.id = '440304'
    expect(crossFieldIssues(scenario)).toEqual(['city.districts[6].id: "440304" is listed twice'])
  })

  it('reports a wallet tier listed twice', () => {
    // Proves: tier numbers must be unique; the issue names the repeat's path.
    const scenario = smokeScenario()
    scenario.wallets.tiers[2]!.tier = 1
    expect(crossFieldIssues(scenario)).toEqual(['wallets.tiers[2].tier: tier 1 is listed twice'])
  })

  it.each([
    ['perPaymentFen', 'perDayFen', 'wallets.tiers[1].perPaymentFen: must not exceed perDayFen'],
    ['perDayFen', 'perYearFen', 'wallets.tiers[1].perDayFen: must not exceed perYearFen'],
    [
      'initialBalanceFen',
      'balanceCapFen',
      'wallets.tiers[1].initialBalanceFen: must not exceed balanceCapFen',
    ],
  ] as const)('reports %s over %s, and allows them equal', (small, large, issue) => {
    // Proves: each wallet limit must not exceed the wider one; equal is allowed, one fen more is
    // not.
    const scenario = smokeScenario()
    const tier = scenario.wallets.tiers[1]!
    // The smoke scenario leaves the limits to the published ones: make them explicit here.
    const largeFen = tier[large] ?? publishedTierLimits[tier.tier]![large as 'perDayFen']
    tier[large] = largeFen
    tier[small] = largeFen
    expect(crossFieldIssues(scenario)).toEqual([])
    tier[small] = largeFen + 1
    expect(crossFieldIssues(scenario)).toEqual([issue])
  })

  it('takes the published limits for tiers 1 to 4 where a tier leaves them out, and checks them', () => {
    // Proves: a tier given by number and share alone is complete; its given limits still must not
    // exceed the published wider ones.
    const scenario = smokeScenario()
    const tier = scenario.wallets.tiers[3]!
    expect(tier.tier).toBe(4)
    delete tier.balanceCapFen
    delete tier.perPaymentFen
    delete tier.perDayFen
    delete tier.perYearFen
    expect(crossFieldIssues(scenario)).toEqual([])
    tier.perPaymentFen = 100_001
    expect(crossFieldIssues(scenario)).toEqual([
      'wallets.tiers[3].perPaymentFen: must not exceed perDayFen (100000, the published limit)',
    ])
  })

  it('requires every limit of a tier beyond 4, which has no published ones', () => {
    // Proves: tiers 5 to 8 must say their limits; each missing one is named.
    const scenario = smokeScenario()
    scenario.wallets.tiers.push({ tier: 5, share: 0, perPaymentFen: 100, initialBalanceFen: 0 })
    expect(crossFieldIssues(scenario)).toEqual([
      'wallets.tiers[4].balanceCapFen: required for tier 5 (published limits cover tiers 1 to 4)',
      'wallets.tiers[4].perDayFen: required for tier 5 (published limits cover tiers 1 to 4)',
      'wallets.tiers[4].perYearFen: required for tier 5 (published limits cover tiers 1 to 4)',
    ])
  })

  it('reports populations that add up to more than residentsMax', () => {
    // Proves: each district can be within bounds while the city as a whole is not.
    const scenario = smokeScenario()
    for (const district of scenario.city.districts) district.population = 5_000_001
    expect(crossFieldIssues(scenario)).toEqual([
      `city.districts: the populations add up to 40000008, more than ${residentsMax}`,
    ])
  })

  it('reports every cross-field problem at once', () => {
    // Proves: the checks do not stop at the first problem.
    const scenario = smokeScenario()
    scenario.period.to = scenario.period.from
    scenario.city.districts[1]!.id = '440303'
    scenario.wallets.tiers[0]!.perDayFen = 10_000_000
    scenario.wallets.tiers[0]!.perPaymentFen = 10_000_001
    scenario.wallets.tiers[0]!.share = 0.5
    scenario.merchants.categories.grocery!.share = 0
    expect(crossFieldIssues(scenario)).toEqual([
      'period.to: must be after period.from',
      'city.districts[1].id: "440303" is listed twice',
      'wallets.tiers[0].perPaymentFen: must not exceed perDayFen',
      'wallets.tiers: shares must add up to 1 (they add up to 1.45)',
      'merchants.categories: shares must add up to 1 (they add up to 0.75)',
    ])
  })
})

describe('the calendar and the rollout', () => {
  const rolloutText = readFileSync(
    shenzhenDayFile.replace('shenzhen-day.yaml', 'rollout-smoke.yaml'),
    'utf8',
  )
  const rolloutInput = (edits: Record<string, unknown> = {}) =>
    parse(smokeWith(edits, rolloutText)) as Record<string, unknown>

  it('accepts the library rollouts and fills in the defaults', () => {
    // Proves: both rollout scenarios fit the schema; a rollout left to its defaults samples one
    // working day and one day of rest a month with every peak, habit 1, headroom 1.5.
    for (const file of ['rollout-smoke.yaml', 'shenzhen-rollout-year.yaml']) {
      const text = readFileSync(shenzhenDayFile.replace('shenzhen-day.yaml', file), 'utf8')
      const result = scenarioSchema.safeParse(parse(text))
      expect(result.success, JSON.stringify(result.error?.issues)).toBe(true)
      expect(crossFieldIssues(parse(text))).toEqual([])
    }
    const bare = scenarioSchema.parse(
      rolloutInput({
        'rollout.sample': undefined,
        'rollout.headroom': undefined,
        'rollout.adoption.habitStart': undefined,
        'rollout.adoption.habitDays': undefined,
        'rollout.adoption.promotions': undefined,
      }),
    )
    expect(bare.rollout?.sample).toEqual({ workdays: 1, restDays: 1, peaks: true })
    expect(bare.rollout?.headroom).toBe(1.5)
    expect(bare.rollout?.adoption).toMatchObject({ habitStart: 1, habitDays: 30, promotions: [] })
  })

  it('names each bad calendar and rollout field', () => {
    // Proves: shapes and ranges are checked field by field, dates are real dates.
    const issues = schemaIssues(
      rolloutInput({
        'rollout.months': 25,
        'rollout.start': '2020-02-30',
        'rollout.adoption.bass.p': 0,
        'rollout.adoption.bass.m': 1.5,
        'rollout.headroom': 0.5,
        'rollout.sample.workdays': 0,
        'calendar.peaks[0].retail': -1,
        'calendar.workdays[0]': '10/10/2020',
      }),
    )
    expect(issues).toEqual(
      expect.arrayContaining([
        'rollout.months: must be a whole number of months from 1 to 24',
        'rollout.start: is not a real date from 1970 to 9999',
        'rollout.adoption.bass.p: must be greater than 0',
        'rollout.adoption.bass.m: must be a share between 0 and 1',
        'rollout.headroom: must be a factor of 1 or more, like 1.5',
        'rollout.sample.workdays: must be a whole number of working days from 1 to 23',
        'calendar.peaks[0].retail: must be a factor of 0 or more',
        'calendar.workdays[0]: must be a date like "2021-02-11"',
      ]),
    )
    expect(schemaIssues(rolloutInput({ 'rollout.adoption.bass.r': 1 }))).toEqual([
      'rollout.adoption.bass.r: unknown field',
    ])
  })

  it("checks holidays end after they start, and districts named are the city's", () => {
    // Proves: the checks across fields name the holiday and the unknown district ids.
    expect(
      crossFieldIssues(
        rolloutInput({
          'calendar.holidays[0].to': '2020-09-30',
          'calendar.holidays[1].to': '2021-03-01',
          'rollout.adoption.districts': { '999999': { p: 0.1 } },
          'rollout.adoption.promotions[0].districts': ['440303', 'nowhere'],
        }),
      ),
    ).toEqual([
      'calendar.holidays[0].to: must not be before its from',
      'calendar.holidays[1].to: a holiday lasts at most 31 days',
      'rollout.adoption.districts.999999: no district of the city has this id',
      'rollout.adoption.promotions[0].districts[1]: no district of the city has this id',
    ])
  })

  it('takes a table of shares by date in place of a Bass curve, in date order, not both', () => {
    // Proves: a city table alone is a curve; bass and a table together, neither, dates out of
    // order, and a district's Bass fields over a city table are each named.
    const table = [
      { date: '2020-11-01', share: 0.05 },
      { date: '2021-01-01', share: 0.2 },
    ]
    expect(
      crossFieldIssues(
        rolloutInput({
          'rollout.adoption.bass': undefined,
          'rollout.adoption.table': table,
          'rollout.adoption.districts': undefined,
        }),
      ),
    ).toEqual([])
    expect(crossFieldIssues(rolloutInput({ 'rollout.adoption.table': table }))).toEqual([
      'rollout.adoption.table: give bass or a table, not both',
    ])
    expect(
      crossFieldIssues(
        rolloutInput({
          'rollout.adoption.bass': undefined,
          'rollout.adoption.districts': undefined,
        }),
      ),
    ).toEqual(['rollout.adoption: give the city a curve: bass { p, q, m } or a table of shares'])
    expect(
      crossFieldIssues(
        rolloutInput({
          'rollout.adoption.bass': undefined,
          'rollout.adoption.table': [...table].reverse(),
        }),
      ),
    ).toEqual([
      'rollout.adoption.table[1].date: must come after 2021-01-01, the date before it',
      "rollout.adoption.districts.440304: Bass fields replace the city's, and the city has a table: give a table",
    ])
    expect(
      schemaIssues(rolloutInput({ 'rollout.adoption.table': [{ date: '2021-01-01', share: 2 }] })),
    ).toEqual(['rollout.adoption.table[0].share: must be a share between 0 and 1'])
  })

  it("checks merchant acceptance and tier upgrades against the scenario's categories and tiers", () => {
    // Proves: an unknown category, a curve half given, an unknown tier and an upgrade to itself
    // are each named.
    expect(
      crossFieldIssues(
        rolloutInput({
          'rollout.merchants.acceptance': {
            bakery: { table: [{ date: '2021-01-01', share: 0.5 }] },
            grocery: { p: 0.1 },
          },
          'rollout.tierUpgrades': { from: 7, to: 7, perMonth: 0.1 },
        }),
      ),
    ).toEqual([
      'rollout.merchants.acceptance.bakery: no merchant category of the scenario has this name',
      'rollout.merchants.acceptance.grocery: give a whole Bass curve { p, q, m } or a table of shares',
      "rollout.tierUpgrades.from: the scenario's wallets have no tier 7",
      "rollout.tierUpgrades.to: the scenario's wallets have no tier 7",
      'rollout.tierUpgrades.to: must be another tier than from',
    ])
  })

  it('checks the people: shares adding up to 1, a district refining a people section there is', () => {
    // Proves: the age and income bands must add up to 1, a district's own too; a district's
    // ageBands without a people section is named; each band's share is checked.
    expect(
      crossFieldIssues(
        rolloutInput({
          'people.ageBands.children': 0.5,
          'people.incomeBands.low': 0.1,
          'city.districts[2].ageBands': { children: 0.2, working: 0.2, elderly: 0.2 },
        }),
      ),
    ).toEqual([
      'people.ageBands: shares must add up to 1 (they add up to 1.3489)',
      'people.incomeBands: shares must add up to 1 (they add up to 0.8)',
      'city.districts[2].ageBands: shares must add up to 1 (they add up to 0.6)',
    ])
    expect(
      crossFieldIssues(
        rolloutInput({
          people: undefined,
          'city.districts[0].ageBands': { children: 0.2, working: 0.7, elderly: 0.1 },
        }),
      ),
    ).toEqual(['city.districts[0].ageBands: needs the people section it refines'])
    expect(schemaIssues(rolloutInput({ 'people.bankedShare': 2 }))).toEqual([
      'people.bankedShare: must be a share between 0 and 1',
    ])
  })
})

describe('offsetMinutes', () => {
  it.each([
    ['2026-11-23T00:00:00+08:00', 480],
    ['2026-11-23T00:00:00-05:30', -330],
    ['2026-11-23T00:00:00+00:00', 0],
    ['2026-11-23T00:00:00Z', 0],
    ['2026-11-23T00:00+14:00', 840],
  ])('reads the UTC offset of %s as %i minutes', (instant, minutes) => {
    // Proves: offsets east are positive, west negative, and Z is 0.
    expect(offsetMinutes(instant)).toBe(minutes)
  })
})
