/**
 * `citytwin validate`: a scenario and its map checked, every problem listed with its field path.
 */
import path from 'node:path'
import type { Command } from 'commander'
import { printable } from '../../engine/printable.js'
import { grouped } from '../../engine/report/index.js'
import { validateScenario } from '../../engine/run/index.js'

/** Adds `citytwin validate` to the program. */
export function addValidateCommand(cli: Command): void {
  cli
    .command('validate')
    .description('check a scenario and its map; every problem is listed with its field path')
    .argument('<scenario>', 'scenario file (YAML)')
    .action(async (file: string) => {
      process.exitCode = await validateCommand(file)
    })
}

/** Checks the scenario, then says what it plans: a bad one throws, listing its problems. */
async function validateCommand(file: string): Promise<number> {
  const { loaded, plan } = await validateScenario(file)
  const { scenario, mapFile } = loaded
  // The file names and the scenario's name are input: made printable.
  process.stdout.write(
    `${printable(file)}: valid. "${printable(scenario.name)}": ${scenario.city.districts.length} districts of ${printable(path.relative(process.cwd(), mapFile) || mapFile)}, ` +
      `${grouped(plan.residents)} residents and ${grouped(plan.merchants)} merchants at scale ${scenario.scale}, ${plan.clock.ticks} simulated minutes, seed ${scenario.seed}\n`,
  )
  return 0
}
