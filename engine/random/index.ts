export { Random, cumulative } from './random.js'
