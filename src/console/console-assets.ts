// The console's static files (src/console/ui/, copied beside the compiled code by scripts/bundle.mjs):
// read once through the FileSystem port and kept in memory; only names in that folder are served.
import { fileURLToPath } from 'node:url'
import type { FileSystem } from '../core/index.js'

export interface ConsoleAsset {
  contentType: string
  body: Buffer
}

export interface ConsoleAssets {
  /** The file `name` of the UI folder, or undefined when there is none. */
  read(name: string): Promise<ConsoleAsset | undefined>
}

const contentTypes: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
}

/**
 * The UI folder: `ui/` beside this module (dist/src/console/), or `src/console/ui/` beside the bundle
 * (dist/brook.mjs), whichever exists.
 */
export async function findUiFolder(fs: FileSystem): Promise<string> {
  const candidates = [new URL('./ui/', import.meta.url), new URL('./src/console/ui/', import.meta.url)]
  for (const url of candidates) {
    const folder = fileURLToPath(url)
    if (await fs.exists(`${folder}index.html`)) return folder
  }
  return fileURLToPath(candidates[0])
}

/** Serves the files of `folder` (a path ending in '/'), caching each after its first read. */
export function folderAssets(fs: FileSystem, folder: string): ConsoleAssets {
  const cache = new Map<string, ConsoleAsset | undefined>()
  return {
    async read(name) {
      if (!/^[a-z0-9-]+\.[a-z]+$/.test(name)) return undefined
      if (cache.has(name)) return cache.get(name)
      const type = contentTypes[name.slice(name.lastIndexOf('.') + 1)]
      let asset: ConsoleAsset | undefined
      if (type !== undefined && (await fs.exists(folder + name)))
        asset = { contentType: type, body: await fs.readFile(folder + name) }
      cache.set(name, asset)
      return asset
    },
  }
}
