export * from './columns.js'
export { synthesizeMerchants, synthesizeResidents } from './synthesize.js'
