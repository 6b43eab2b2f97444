#!/usr/bin/env node
// The `brook` command. `npm run build` compiles the TypeScript sources to dist/ and bundles them into
// dist/brook.mjs; the unbundled modules are the fallback.
import { existsSync } from 'node:fs'

const bundle = new URL('../dist/brook.mjs', import.meta.url)
const { main } = await import(existsSync(bundle) ? bundle.href : '../dist/src/main.js')

main(process.argv.slice(2)).then(
  (code) => {
    if (typeof code === 'number') process.exitCode = code
  },
  (error) => {
    process.stderr.write(`brook: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exitCode = 1
  },
)
