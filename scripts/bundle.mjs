// Bundles the compiled broker (dist/src/main.js) into one file, dist/brook.mjs, which bin/brook.js runs.
// Node keeps roughly 125 KB of resident memory per loaded ES module; Brook is about a hundred modules, so
// one bundle keeps an idle broker some 8 MB smaller and starts it faster. Native codecs stay external.
// The web console's static files (src/console/ui/) are copied to dist/src/console/ui/, where both the
// bundle and the unbundled modules find them.
import { cpSync, readFileSync, rmSync } from 'node:fs'
import { build } from 'esbuild'

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))

await build({
  entryPoints: [new URL('../dist/src/main.js', import.meta.url).pathname],
  outfile: new URL('../dist/brook.mjs', import.meta.url).pathname,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['snappy', 'lz4-napi', 'zstd-napi', '@node-rs/crc32'],
  define: { BROOK_VERSION: JSON.stringify(version) },
  banner: {
    js: "import { createRequire as brookCreateRequire } from 'node:module'; const require = brookCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
})

const ui = new URL('../dist/src/console/ui/', import.meta.url)
rmSync(ui, { recursive: true, force: true })
cpSync(new URL('../src/console/ui/', import.meta.url), ui, { recursive: true })
