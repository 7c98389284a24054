/** `citytwin report`: a run folder's report.html rendered again from its files. */
import type { Command } from 'commander'
import { printable } from '../../engine/printable.js'
import { renderRunFolder } from '../../engine/report/index.js'

/** Adds `citytwin report` to the program. */
export function addReportCommand(cli: Command): void {
  cli
    .command('report')
    .description(
      "render a run folder's report.html again from its summary.json and metrics.csv (a capacity folder's capacity.html from its capacity.json)",
    )
    .argument('<folder>', 'a run or capacity folder, like runs/20261121T080000Z-seed20201101')
    .action(async (folder: string) => {
      const written = await renderRunFolder(folder)
      process.stdout.write(`report     ${printable(written)}\n`)
      process.exitCode = 0
    })
}
