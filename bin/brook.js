#!/usr/bin/env node
// The `brook` command. The TypeScript sources are compiled to dist/ by `npm run build`.
import { main } from '../dist/src/main.js'

main(process.argv.slice(2)).then(
  (code) => {
    if (typeof code === 'number') process.exitCode = code
  },
  (error) => {
    process.stderr.write(`brook: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exitCode = 1
  },
)
