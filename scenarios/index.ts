export { loadScenario, formatPath, type LoadedScenario } from './loader.js'
export { scenarioSchema, crossFieldIssues, type Scenario } from './schema.js'
export { calendarGap } from './calendars/china.js'
