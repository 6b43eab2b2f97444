// No module of src/ imports itself through others (type-only imports included): a cycle makes load order
// matter and hides which file owns what. Broke the broker-configs <-> topic-configs cycle (#7).
import assert from 'node:assert/strict'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'

const root = path.resolve(import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname), '../..')
const src = path.join(root, 'src')

function sources(dir: string): string[] {
  const files: string[] = []
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name)
    if (statSync(full).isDirectory()) files.push(...sources(full))
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts') && !name.endsWith('.test.ts')) files.push(full)
  }
  return files
}

/** Relative imports and re-exports of `file`, resolved to .ts paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  const targets: string[] = []
  for (const match of text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"](\.[^'"]+)['"]/g)) {
    targets.push(path.resolve(path.dirname(file), match[1].replace(/\.js$/, '.ts')))
  }
  return targets
}

/** Every cycle found by a depth-first walk, each as the list of files around it. */
function findCycles(files: readonly string[]): string[][] {
  const graph = new Map(files.map((file) => [file, importsOf(file).filter((t) => files.includes(t))]))
  const cycles: string[][] = []
  const state = new Map<string, 'active' | 'done'>()
  const stack: string[] = []
  const visit = (file: string) => {
    state.set(file, 'active')
    stack.push(file)
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'active') cycles.push(stack.slice(stack.indexOf(next)))
      else if (state.get(next) === undefined) visit(next)
    }
    stack.pop()
    state.set(file, 'done')
  }
  for (const file of files) if (state.get(file) === undefined) visit(file)
  return cycles
}

test('#7 no import cycles among the modules of src/', () => {
  const cycles = findCycles(sources(src)).map((cycle) => cycle.map((f) => path.relative(src, f)).join(' -> '))
  assert.deepEqual(cycles, [])
})
