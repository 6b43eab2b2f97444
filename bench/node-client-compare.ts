// The SDK beside @platformatic/kafka (and kafkajs if asked) on one broker, in alternating runs so that a noisy
// machine hurts both alike: each run gets a fresh 16-partition topic and a child process of
// node-client-load.ts; prints every run and the medians. Usage (after npm run build):
//   node dist/bench/node-client-compare.js [--runs 5] [--records 30000] [--clients sdk,platformatic]
//     [--bootstrap HOST:PORT]   (default: starts `brook start --memory` on a free port and stops it after)
import { type ChildProcess, spawn } from 'node:child_process'
import { createServer } from 'node:net'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { Admin } from '../src/index.js'

const rootDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0))
    })
  })
}

function runLoad(
  client: string,
  bootstrap: string,
  topic: string,
  records: number,
): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        path.join(rootDir, 'dist', 'bench', 'node-client-load.js'),
        '--client',
        client,
        '--bootstrap',
        bootstrap,
        '--topic',
        topic,
        '--records',
        String(records),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    child.on('close', (code) => {
      const line = stdout.trim().split('\n').pop() ?? ''
      if (code !== 0 || !line.startsWith('{'))
        reject(new Error(`${client} failed (exit ${code}): ${stderr.slice(-600)}`))
      else resolve(JSON.parse(line) as Record<string, number>)
    })
  })
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

async function startBrook(): Promise<{ bootstrap: string; process: ChildProcess }> {
  const port = await freePort()
  const child = spawn(
    process.execPath,
    [
      path.join(rootDir, 'bin', 'brook.js'),
      'start',
      '--memory',
      '--port',
      String(port),
      '--no-console',
      '--log-level',
      'warn',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  )
  const bootstrap = `127.0.0.1:${port}`
  const deadlineMs = Date.now() + 30_000
  for (;;) {
    const admin = new Admin({ bootstrap, connectTimeoutMs: 1000, retries: 0 })
    try {
      await admin.listTopics()
      return { bootstrap, process: child }
    } catch (error) {
      if (Date.now() > deadlineMs) throw error
      await new Promise((r) => setTimeout(r, 200))
    } finally {
      await admin.close()
    }
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '5' },
      records: { type: 'string', default: '30000' },
      clients: { type: 'string', default: 'sdk,platformatic' },
      bootstrap: { type: 'string' },
    },
  })
  const runs = Number(values.runs)
  const records = Number(values.records)
  const clients = (values.clients ?? '').split(',')
  const brook = values.bootstrap === undefined ? await startBrook() : undefined
  const bootstrap = values.bootstrap ?? (brook?.bootstrap as string)
  const admin = new Admin({ bootstrap })
  const results = new Map<string, Array<Record<string, number>>>(clients.map((c) => [c, []]))
  try {
    for (let run = 0; run < runs; run++) {
      // Alternate who goes first, so neither always meets the warmer (or busier) machine.
      const order = run % 2 === 0 ? clients : [...clients].reverse()
      for (const client of order) {
        const topic = `compare-${client}-${run}-${Date.now()}`
        await admin.createTopics([{ topic, numPartitions: 16 }])
        const r = await runLoad(client, bootstrap, topic, records)
        results.get(client)?.push(r)
        process.stdout.write(
          `run ${run + 1} ${client}: produce ${r.produceRecordsPerSec.toFixed(0)} rec/s, consume ${r.consumeRecordsPerSec.toFixed(0)} rec/s, consumer CPU ${r.consumeCpuUsPerRecord.toFixed(1)} us/record\n`,
        )
        await admin.deleteTopics([topic])
      }
    }
  } finally {
    await admin.close()
    brook?.process.kill('SIGINT')
  }
  for (const [client, list] of results) {
    const produce = list.map((r) => r.produceRecordsPerSec)
    const consume = list.map((r) => r.consumeRecordsPerSec)
    const cpu = list.map((r) => r.consumeCpuUsPerRecord)
    const range = (v: number[], digits: number) =>
      `${median(v).toFixed(digits)} [${Math.min(...v).toFixed(digits)}..${Math.max(...v).toFixed(digits)}]`
    process.stdout.write(
      `${client}: median [min..max] of ${list.length} runs: produce ${range(produce, 0)} rec/s, consume ${range(consume, 0)} rec/s, consumer CPU ${range(cpu, 1)} us/record\n`,
    )
  }
}

main().catch((error) => {
  process.stderr.write(`node-client-compare: ${error instanceof Error ? error.stack : String(error)}\n`)
  process.exit(1)
})
