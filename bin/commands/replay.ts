/** `citytwin replay`: the map of a finished run (made by serve), with its timeline to scrub. */
import { promises as fs } from 'node:fs'
import path from 'node:path'
import type { Command } from 'commander'
import { UserError } from '../../engine/errors.js'
import { wallClock } from '../../engine/time/index.js'
import { defaultPublicDir, startLiveServer } from '../../visualizer/server/liveServer.js'
import { RunStore } from '../../visualizer/server/runStore.js'
import { withServerFlags, type ServerFlags } from '../flags.js'
import { untilSignal } from '../signals.js'

interface ReplayFlags extends ServerFlags {
  readonly allowHost: string[]
}

/** Adds `citytwin replay` to the program. */
export function addReplayCommand(cli: Command): void {
  const command = cli
    .command('replay')
    .description('serve the map of a finished run (made by serve) with its timeline to scrub')
    .argument('<folder>', 'a run folder, like runs/20261121T080000Z-seed20201101')
  withServerFlags(command, {
    portDefault: 8080,
    port: 'port of the map (0: any free one)',
    host: 'address to listen on',
    allowHost:
      'a host name the map may be opened by besides its address, IP addresses and localhost, repeatable',
  }).action(async (folder: string, flags: ReplayFlags) => {
    process.exitCode = await replayCommand(folder, flags)
  })
}

/** Serves finished runs for replay, opening the page at the one named, until SIGINT or SIGTERM. */
async function replayCommand(folder: string, flags: ReplayFlags): Promise<number> {
  // The folder the user named, links resolved: the store then refuses any link inside it.
  const real = await fs.realpath(path.resolve(folder)).catch(() => path.resolve(folder))
  const store = new RunStore(path.dirname(real))
  const id = path.basename(real)
  if ((await store.read(id, 'timeline.json')) === undefined) {
    throw new UserError(
      `${folder}: no timeline.json here; runs made by \`citytwin serve\` can be replayed`,
    )
  }
  const server = await startLiveServer({
    host: flags.host,
    port: flags.port,
    store,
    publicDir: defaultPublicDir(),
    allowHosts: flags.allowHost,
    now: wallClock.nowMs,
  })
  process.stderr.write(
    `replay at ${server.url}?replay=${encodeURIComponent(id)} ; Ctrl-C to stop\n`,
  )
  await untilSignal()
  await server.close()
  return 0
}
