/**
 * The services and channels sections of a scenario (scenarios/servicesSchema.ts): their shapes and
 * defaults, and the rules across fields (servicesIssues, channelsIssues), each error naming its
 * field. The Shenzhen day, which has both sections, is parsed once and edited per test.
 */
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { loadScenario } from '../../scenarios/index.js'
import { formatPath } from '../../scenarios/loader.js'
import { crossFieldIssues, scenarioSchema } from '../../scenarios/schema.js'
import {
  expectUserError,
  makeTempFolder,
  shenzhenDayFile,
  smokeWith,
  type TempFolder,
} from './scenarioFiles.js'

const shenzhenText = readFileSync(shenzhenDayFile, 'utf8')

/** The Shenzhen day with fields set by path (`undefined` removes one), as YAML text. */
const shenzhenWith = (edits: Record<string, unknown> = {}) => smokeWith(edits, shenzhenText)
/** The same, parsed. */
const shenzhen = (edits: Record<string, unknown> = {}): unknown => parse(shenzhenWith(edits))

/** Every issue the loader would report for `input`: the schema's, then the cross-field ones. */
function issues(input: unknown): string[] {
  const result = scenarioSchema.safeParse(input)
  const shapes = result.success
    ? []
    : result.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`)
  return [...shapes, ...crossFieldIssues(input)]
}

describe('the services and channels sections', () => {
  it('validate as the Shenzhen day writes them, with their defaults filled in', () => {
    // Proves the shipped sections are accepted whole, and the defaults apply: a levy without days
    // is collected all month, and a scenario without either section has no services and the
    // default providers (half the e-CNY app, 0.3 the banks' apps, 0.2 third parties) and QR only.
    expect(issues(shenzhen())).toEqual([])
    const parsed = scenarioSchema.parse(shenzhen())
    expect(parsed.services?.government?.collects.map((levy) => levy.days)).toEqual([
      [1, 31],
      [1, 31],
      [1, 31],
    ])
    expect(Object.keys(parsed.services?.bills?.payees ?? {})).toEqual([
      'power',
      'water',
      'gas',
      'telecoms',
      'property',
    ])
    expect(parsed.channels.accept.grocery).toEqual(['qr', 'nfc', 'face'])
    const bare = shenzhen({ services: undefined, channels: undefined })
    expect(issues(bare)).toEqual([])
    const plain = scenarioSchema.parse(bare)
    expect(plain.services).toBeUndefined()
    expect(plain.channels).toEqual({
      providers: { ecnyApp: 0.5, bankApp: 0.3, thirdParty: 0.2 },
      accept: {},
      nfcShare: 0.1,
      faceShare: 0.05,
    })
  })

  it('refuse a healthcare category that is not a merchant category, naming it', () => {
    // Proves hospitals must be merchants of the scenario: "clinics" is not one of its categories.
    expect(issues(shenzhen({ 'services.healthcare.category': 'clinics' }))).toEqual([
      'services.healthcare.category: "clinics" is not one of merchants.categories',
    ])
  })

  it('refuse a bill payee that is not one of the utilities', () => {
    // Proves a bill is paid to a utility account of the scenario: "heating" is not one.
    const heating = { monthlyFen: 8_000, days: [1, 10] }
    expect(issues(shenzhen({ 'services.bills.payees.heating': heating }))).toEqual([
      'services.bills.payees.heating: is not one of utilities',
    ])
  })

  it('refuse grants by band and healthcare without the people section', () => {
    // Proves bands need residents with ages and incomes: without the people section, healthcare
    // and each grant listing bands are refused by their index; a grant to everyone (the fourth)
    // is fine.
    const toEveryone = { name: 'winter-subsidy', share: 0.5, amountFen: 10_000, days: [1, 5] }
    const scenario = shenzhen({ people: undefined, 'services.government.pays[3]': toEveryone })
    expect(issues(scenario)).toEqual([
      'services.healthcare: needs the people section (visits are by age band)',
      'services.government.pays[0]: bands need the people section',
      'services.government.pays[1]: bands need the people section',
      'services.government.pays[2]: bands need the people section',
    ])
  })

  it('refuse provider shares that do not add up to 1, with their sum', () => {
    // Proves the providers split all phone wallets: 0.5 + 0.3 + 0.3 is refused, naming the sum.
    expect(issues(shenzhen({ 'channels.providers.thirdParty': 0.3 }))).toEqual([
      'channels.providers: shares must add up to 1 (they add up to 1.1)',
    ])
  })

  it('refuse a window whose first day is after its last, or days outside the month', () => {
    // Proves windows are checked wherever they are: a grant's [20, 10], a bill's [0, 32] (both ends
    // named, with what a day must be), online delivery days [3, 1].
    const scenario = shenzhen({
      'services.government.pays[0].days': [20, 10],
      'services.bills.payees.power.days': [0, 32],
      'services.online.deliveryDays': [3, 1],
    })
    expect(issues(scenario)).toEqual([
      'services.government.pays[0].days: the first day must not be after the last',
      'services.bills.payees.power.days[0]: must be a day of the month, 1 to 31',
      'services.bills.payees.power.days[1]: must be a day of the month, 1 to 31',
      'services.online.deliveryDays: the first must not pass the last',
    ])
  })

  it('refuse what merchants accept unless it is their category and a channel', () => {
    // Proves channels.accept is checked both ways: an unknown channel, an empty list and a category
    // the merchants do not have are each refused at their path.
    const scenario = shenzhen({
      'channels.accept.grocery': ['cash'],
      'channels.accept.retail': [],
      'channels.accept.cafes': ['qr'],
    })
    expect(issues(scenario)).toEqual([
      'channels.accept.grocery[0]: must be qr, nfc or face',
      'channels.accept.retail: must accept at least one channel',
      'channels.accept.cafes: is not one of merchants.categories',
    ])
  })

  it('refuse amounts, shares and rates out of shape, each at its field', () => {
    // Proves the fields' own bounds: fen are whole, shares within 0..1, rates not negative, and an
    // age band unknown to visitsPerYear is an unknown field.
    const scenario = shenzhen({
      'services.parking.holdFen': 10.5,
      'services.online.inCityShare': 2,
      'services.government.collects[0].perMonth': -1,
      'services.healthcare.visitsPerYear.adults': 3,
    })
    expect(issues(scenario)).toEqual([
      'services.government.collects[0].perMonth: must be a rate per month (a number >= 0)',
      'services.healthcare.visitsPerYear: Unrecognized key: "adults"',
      'services.parking.holdFen: must be an integer amount of fen (1 yuan = 100 fen)',
      'services.online.inCityShare: must be a share between 0 and 1',
    ])
  })
})

describe('loading a scenario with bad services', () => {
  let folder: TempFolder
  beforeAll(async () => {
    folder = await makeTempFolder()
    await folder.copyMap()
  })
  afterAll(async () => {
    await folder.remove()
  })

  it('reports every error of both kinds at once, each with its field', async () => {
    // Proves the loader gives a user the schema's errors and the cross-field ones together: a
    // window backwards and a healthcare category that is not the merchants'.
    const text = shenzhenWith({
      'services.government.pays[1].days': [25, 20],
      'services.healthcare.category': 'pharmacy',
    })
    const file = await folder.write('bad-services.yaml', text)
    const { error } = await expectUserError(() => loadScenario(file))
    expect(error.message).toContain(
      'services.government.pays[1].days: the first day must not be after the last',
    )
    expect(error.message).toContain(
      'services.healthcare.category: "pharmacy" is not one of merchants.categories',
    )
  })
})
