/**
 * `citytwin compare`: runs or rollouts side by side, the first the baseline, as a table on the
 * terminal and compare.html in a folder of its own.
 */
import type { Command } from 'commander'
import { printable } from '../../engine/printable.js'
import {
  compareHtmlFile,
  compareTable,
  readCompared,
  renderComparison,
  RunFolder,
  unusedFolder,
} from '../../engine/report/index.js'
import { wallClock } from '../../engine/time/index.js'
import { printJson, printsJson } from '../outcome.js'

interface CompareFlags {
  out?: string
  json?: boolean
}

/** Adds `citytwin compare` to the program. */
export function addCompareCommand(cli: Command): void {
  cli
    .command('compare')
    .description(
      'set runs (or rollouts) side by side, the first the baseline: adoption, demand, peaks, rejections by reason, the capacity plan',
    )
    .argument('<folders...>', 'two run folders or more (or rollout folders), the baseline first')
    .option('--out <dir>', 'folder for compare.html (default: runs/<timestamp>-compare)')
    .option('--json', 'print the comparison as JSON on stdout')
    .action(async (folders: string[], flags: CompareFlags) => {
      printsJson(flags.json)
      process.exitCode = await compareCommand(folders, flags)
    })
}

async function compareCommand(folders: readonly string[], flags: CompareFlags): Promise<number> {
  const compared = await readCompared(folders)
  const stamp = wallClock
    .date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')
  const folder =
    flags.out !== undefined
      ? await RunFolder.prepare(flags.out, '--out')
      : await RunFolder.prepare(await unusedFolder(`runs/${stamp}-compare`), 'the compare folder')
  let at: string
  try {
    await folder.write(compareHtmlFile, renderComparison(compared))
    at = await folder.commit()
  } catch (error) {
    await folder.discard()
    throw error
  }
  const report = `${at}/${compareHtmlFile}`
  if (flags.json === true) {
    printJson({ ok: true, folder: at, report, folders })
    return 0
  }
  process.stdout.write(`${compareTable(compared)}\n\nreport     ${printable(report)}\n`)
  return 0
}
