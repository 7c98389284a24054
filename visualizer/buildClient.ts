/**
 * Bundles the page (visualizer/client, TypeScript with d3 and socket.io-client) into
 * dist/visualizer/public with esbuild, beside its index.html and style.css. Part of `npm run
 * build`; the served page then needs nothing from the network.
 *
 *   node dist/visualizer/buildClient.js        (from the repository's root)
 */
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { build } from 'esbuild'

/**
 * Builds the page of the repository at `root` into `out` (default: root/dist/visualizer/public).
 */
export async function buildClient(
  root: string,
  out = path.join(root, 'dist', 'visualizer', 'public'),
): Promise<string> {
  const client = path.join(root, 'visualizer', 'client')
  await fs.mkdir(out, { recursive: true })
  await build({
    entryPoints: [path.join(client, 'main.ts')],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    legalComments: 'linked',
    outfile: path.join(out, 'app.js'),
    logLevel: 'warning',
  })
  for (const file of ['index.html', 'style.css'])
    await fs.copyFile(path.join(client, file), path.join(out, file))
  return out
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const out = await buildClient(process.cwd())
  process.stdout.write(`page built into ${path.relative(process.cwd(), out)}\n`)
}
