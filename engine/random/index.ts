export { Random, cumulative } from './random.js'
export { hashUnit } from './hash.js'
