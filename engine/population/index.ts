export * from './columns.js'
export { synthesizeMerchants, synthesizeResidents } from './synthesize.js'
export { peopleFigures, type PeopleFigures } from './peopleFigures.js'
