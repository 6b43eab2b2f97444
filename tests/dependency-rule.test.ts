// Keeps the dependency rule of docs/ARCHITECTURE.md true: a src/ folder imports only the folders listed
// for it, and only through their index.ts. Tests (*.test.ts) may also import src/testing and a port's
// contract suite (*.contract.ts); so may a test harness (*.harness.ts: set-up shared by tests, no tests).
import { ok } from 'node:assert/strict'
import { readFileSync, readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'

const allowed: Record<string, readonly string[]> = {
  core: [],
  io: ['core'],
  protocol: ['core'],
  'record-batch': ['core'],
  storage: ['core', 'record-batch'],
  metadata: ['core', 'protocol', 'storage'],
  groups: ['core', 'protocol', 'record-batch', 'storage', 'metadata'],
  'share-partitions': ['core', 'protocol', 'record-batch', 'storage', 'metadata'],
  broker: [
    'core',
    'protocol',
    'record-batch',
    'storage',
    'metadata',
    'groups',
    'share-partitions',
    'network',
  ],
  network: ['core', 'protocol'],
  client: ['core', 'protocol', 'record-batch', 'network', 'io'],
  cli: ['core', 'io', 'client'],
  console: ['core', 'io', 'client'],
  testing: [
    'core',
    'io',
    'protocol',
    'record-batch',
    'storage',
    'metadata',
    'groups',
    'share-partitions',
    'broker',
    'network',
    'client',
  ],
}

const root = path.resolve(import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname), '../..')
const src = path.join(root, 'src')

function sources(dir: string): string[] {
  const files: string[] = []
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name)
    if (statSync(full).isDirectory()) files.push(...sources(full))
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) files.push(full)
  }
  return files
}

test('src folders import only what the dependency rule allows, through index.ts', () => {
  const problems: string[] = []
  for (const file of sources(src)) {
    const relative = path.relative(src, file)
    const folder = relative.includes(path.sep) ? relative.split(path.sep)[0] : undefined
    if (folder === undefined) continue // main.ts is the composition root
    const isTest = file.endsWith('.test.ts') || file.endsWith('.contract.ts') || file.endsWith('.harness.ts')
    const text = readFileSync(file, 'utf8')
    for (const match of text.matchAll(/^\s*(?:import|export)[^'"]*from\s+'(\.[^']+)'/gm)) {
      const target = path.resolve(path.dirname(file), match[1])
      const targetRelative = path.relative(src, target)
      const targetFolder = targetRelative.split(path.sep)[0]
      if (targetFolder === folder || targetRelative.startsWith('..')) continue
      const rule = allowed[folder] ?? []
      const permitted = rule.includes(targetFolder) || (isTest && targetFolder === 'testing')
      if (!permitted) problems.push(`${relative} imports ${targetFolder} (${match[1]})`)
      else if (!/\/index\.js$/.test(match[1]) && !(isTest && match[1].endsWith('.contract.js')))
        problems.push(`${relative} imports ${match[1]} instead of ${targetFolder}/index.js`)
    }
  }
  ok(problems.length === 0, `dependency rule broken:\n${problems.join('\n')}`)
})
