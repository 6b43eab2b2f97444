// Keeps the dependency rule of docs/ARCHITECTURE.md true: a src/ folder imports only the folders listed
// for it, and only through their index.ts. Tests (*.test.ts) may also import src/testing and a port's
// contract suite (*.contract.ts); so may a test harness (*.harness.ts: set-up shared by tests, no tests).
// And the ports are the only way out: node:fs, net, tls, crypto and http and the timer globals are used
// only in io/, testing/ and main.ts (#7).
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
    'transactions',
  ],
  transactions: ['core', 'protocol', 'storage'],
  network: ['core', 'protocol'],
  client: ['core', 'protocol', 'record-batch', 'network', 'io'],
  cli: ['core', 'io', 'client'],
  console: ['core', 'io', 'client'],
  metrics: ['core', 'protocol'],
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
    'transactions',
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

/** Folders (and root files) that may touch the machine directly: the adapters, the simulations, main. */
const portExempt = (relative: string): boolean =>
  relative === 'main.ts' || relative.startsWith(`io${path.sep}`) || relative.startsWith(`testing${path.sep}`)

const machineModules =
  /^\s*(?:import|export)[^'"]*from\s+'(?:node:)?(fs|fs\/promises|net|tls|crypto|http|https|http2)'/gm
// A call of the global (not `clock.setTimeout(`, not a method declaration `setTimeout(fn: ...)`).
const timerGlobals = /(?<![.\w#$])(?:globalThis\.)?(setTimeout|setInterval|setImmediate)\s*\((?!\s*\w+\s*:)/g

/** The text with comments and string contents blanked, so that prose mentioning a timer does not count. */
function codeOnly(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/\/\/[^\n]*/g, ' ')
    .replace(/'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`/g, "''")
}

test('#7: only io/, testing/ and main.ts touch node:fs, net, tls, crypto, http or timer globals', () => {
  const problems: string[] = []
  for (const file of sources(src)) {
    const relative = path.relative(src, file)
    if (
      portExempt(relative) ||
      file.endsWith('.test.ts') ||
      file.endsWith('.contract.ts') ||
      file.endsWith('.harness.ts')
    )
      continue
    const text = readFileSync(file, 'utf8')
    for (const match of text.matchAll(machineModules))
      problems.push(`${relative} imports ${match[1]}: use a port (FileSystem, Transport, Random) from core`)
    for (const match of codeOnly(text).matchAll(timerGlobals))
      problems.push(`${relative} calls ${match[1]}: use the Clock (setTimeout, defer)`)
  }
  ok(problems.length === 0, `ports bypassed:\n${problems.join('\n')}`)
})

test('the port rule notices what it is meant to', () => {
  const calls = (code: string) => [...codeOnly(code).matchAll(timerGlobals)].map((m) => m[1])
  ok(calls('setImmediate(run)').length === 1)
  ok(calls('x = globalThis.setTimeout(() => {}, 5)').length === 1)
  ok(calls('  setInterval(tick, 100)').length === 1)
  ok(calls('this.clock.setTimeout(() => {}, 5)').length === 0)
  ok(calls('  setTimeout(fn: () => void, delayMs: number): Timer').length === 0)
  ok(calls('// setImmediate(run) would do').length === 0)
  ok(calls("log('setTimeout(x)')").length === 0)
  ok([..."import { randomBytes } from 'node:crypto'".matchAll(machineModules)].length === 1)
  ok([..."import net from 'net'".matchAll(machineModules)].length === 1)
})
