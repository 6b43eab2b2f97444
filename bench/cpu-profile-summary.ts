// Sums a V8 .cpuprofile (from node --cpu-prof) by function: self time and inclusive time, top N of each.
// Run: node dist/bench/cpu-profile-summary.js FILE.cpuprofile [topN]   (prints two tables; ms and % of samples)
import { readFileSync } from 'node:fs'
import path from 'node:path'

/** The parts of V8's profile format that are read here. */
interface CpuProfile {
  nodes: {
    id: number
    callFrame: { functionName: string; url: string; lineNumber: number }
    children?: number[]
  }[]
  samples: number[]
  timeDeltas: number[]
}

/** Time attributed to one function (name, file and line), in ms. */
export interface FunctionTime {
  name: string
  location: string
  selfMs: number
  totalMs: number
}

function locationOf(url: string, lineNumber: number): string {
  if (url === '') return ''
  const file = url.startsWith('file://') ? url.slice('file://'.length) : url
  const short = file.includes('/dist/') ? file.slice(file.indexOf('/dist/') + 1) : path.basename(file)
  // V8 line numbers are 0-based.
  return `${short}:${lineNumber + 1}`
}

/** Aggregates samples by function; totalMs counts a function once per sample however deep it recurses. */
export function summariseProfile(profile: CpuProfile): {
  functions: FunctionTime[]
  totalMs: number
  callers: Map<string, Map<string, number>>
} {
  const parentOf = new Map<number, number>()
  const keyOf = new Map<number, string>()
  const byKey = new Map<string, FunctionTime>()
  for (const node of profile.nodes) {
    for (const child of node.children ?? []) parentOf.set(child, node.id)
    const name = node.callFrame.functionName || '(anonymous)'
    const location = locationOf(node.callFrame.url, node.callFrame.lineNumber)
    const key = `${name} ${location}`
    keyOf.set(node.id, key)
    if (!byKey.has(key)) byKey.set(key, { name, location, selfMs: 0, totalMs: 0 })
  }
  // Self time of each function split by its three nearest callers, to tell who drives a hot native call.
  const callers = new Map<string, Map<string, number>>()
  let totalMs = 0
  for (let i = 0; i < profile.samples.length; i++) {
    // timeDeltas[i] is the gap before sample i; attributing it to sample i is V8's own convention.
    const ms = (profile.timeDeltas[i] ?? 0) / 1000
    totalMs += ms
    let id: number | undefined = profile.samples[i]
    const selfKey = keyOf.get(id)!
    byKey.get(selfKey)!.selfMs += ms
    const chain: string[] = []
    for (let up = parentOf.get(id); up !== undefined && chain.length < 3; up = parentOf.get(up)) {
      chain.push(keyOf.get(up)!)
    }
    const byChain = callers.get(selfKey) ?? new Map<string, number>()
    const chainKey = chain.join(' < ')
    byChain.set(chainKey, (byChain.get(chainKey) ?? 0) + ms)
    callers.set(selfKey, byChain)
    const seen = new Set<string>()
    while (id !== undefined) {
      const key = keyOf.get(id)!
      if (!seen.has(key)) {
        seen.add(key)
        byKey.get(key)!.totalMs += ms
      }
      id = parentOf.get(id)
    }
  }
  return { functions: [...byKey.values()], totalMs, callers }
}

function printTable(title: string, rows: FunctionTime[], totalMs: number, field: 'selfMs' | 'totalMs'): void {
  process.stdout.write(`\n${title}\n`)
  for (const row of rows) {
    const ms = row[field]
    const pct = ((100 * ms) / totalMs).toFixed(1).padStart(5)
    process.stdout.write(`${ms.toFixed(0).padStart(8)} ms ${pct}%  ${row.name}  ${row.location}\n`)
  }
}

function main(): void {
  const file = process.argv[2]
  if (file === undefined) {
    process.stderr.write('usage: node dist/bench/cpu-profile-summary.js FILE.cpuprofile [topN]\n')
    process.exitCode = 2
    return
  }
  const topN = Number(process.argv[3] ?? 30)
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile
  const { functions, totalMs, callers } = summariseProfile(profile)
  const idleMs = functions.find((f) => f.name === '(idle)')?.selfMs ?? 0
  process.stdout.write(
    `${file}: ${totalMs.toFixed(0)} ms sampled, ${idleMs.toFixed(0)} ms idle, ${(totalMs - idleMs).toFixed(0)} ms busy\n`,
  )
  const bySelf = [...functions].sort((a, b) => b.selfMs - a.selfMs).slice(0, topN)
  printTable(`top ${topN} by self time`, bySelf, totalMs, 'selfMs')
  const byTotal = [...functions]
    .filter((f) => f.location.startsWith('dist/'))
    .sort((a, b) => b.totalMs - a.totalMs)
    .slice(0, topN)
  printTable(`top ${topN} Brook functions by inclusive time`, byTotal, totalMs, 'totalMs')
  process.stdout.write('\nmain callers of the top 10 self-time functions (3 frames up)\n')
  for (const f of bySelf.filter((f) => !f.name.startsWith('(')).slice(0, 10)) {
    process.stdout.write(`${f.name}  ${f.location}\n`)
    const chains = [...(callers.get(`${f.name} ${f.location}`) ?? new Map<string, number>()).entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
    for (const [chain, ms] of chains) process.stdout.write(`  ${ms.toFixed(0).padStart(7)} ms  < ${chain}\n`)
  }
}

main()
