// Broker memory under two attacks of issue #7, against `bin/brook.js start` with default settings:
// (A) 30 connections each sending a 30 MiB frame but for its last byte; (B) 100 pipelined Fetches of a
// 36 MB partition from a client that never reads. Prints RSS before/after and a bystander's latency.
// Run: npm run build && node dist/bench/network-attacks.js
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { ApiKey, encodeRequestFrame } from '../src/protocol/index.js'
import { buildRecordBatch } from '../src/record-batch/index.js'

const MiB = 1024 * 1024
const brookBin = fileURLToPath(new URL('../../bin/brook.js', import.meta.url))
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'brook-attacks-'))
const child = spawn(
  process.execPath,
  [brookBin, 'start', '--no-console', '--port', '0', '--data-dir', dataDir],
  {
    stdio: ['ignore', 'pipe', 'ignore'],
  },
)
const port = await new Promise<number>((resolve) => {
  let out = ''
  child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk
    const match = /listening on \S+:(\d+)/.exec(out)
    if (match) resolve(Number(match[1]))
  })
})

const rssBytes = () =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]) * 1024
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const mib = (bytes: number) => Math.round(bytes / MiB)

function connect(): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' })
    socket.on('error', () => {})
    socket.once('connect', () => resolve(socket))
    socket.once('error', reject)
  })
}

/** A minimal in-order client: sends a request, resolves with the next response frame. */
async function client() {
  const socket = await connect()
  let buffered = Buffer.alloc(0)
  const waiting: ((frame: Buffer) => void)[] = []
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk])
    while (buffered.length >= 4 && buffered.length >= 4 + buffered.readInt32BE(0)) {
      const frame = buffered.subarray(4, 4 + buffered.readInt32BE(0))
      buffered = buffered.subarray(4 + frame.length)
      waiting.shift()?.(frame)
    }
  })
  let correlationId = 1
  const request = (apiKey: number, version: number, body: unknown) =>
    new Promise<Buffer>((resolve) => {
      waiting.push(resolve)
      socket.write(Buffer.concat(encodeRequestFrame(apiKey, version, correlationId++, 'bench', body)))
    })
  return { socket, request }
}

async function bystanderMs(): Promise<number> {
  const startedMs = performance.now()
  const c = await client()
  await c.request(ApiKey.ApiVersions, 3, { clientSoftwareName: 'bench', clientSoftwareVersion: '1' })
  c.socket.destroy()
  return Math.round(performance.now() - startedMs)
}

function fetchFrame(correlationId: number): Buffer {
  return Buffer.concat(
    encodeRequestFrame(ApiKey.Fetch, 12, correlationId, 'bench', {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 40 * MiB,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic: 'big',
          partitions: [{ partition: 0, fetchOffset: 0, logStartOffset: -1, partitionMaxBytes: 40 * MiB }],
        },
      ],
      forgottenTopicsData: [],
      rackId: '',
    }),
  )
}

try {
  const base = rssBytes()
  const body = Buffer.alloc(30 * MiB, 0x41)
  const attackers: net.Socket[] = []
  for (let i = 0; i < 30; i++) {
    const socket = await connect()
    const header = Buffer.alloc(4)
    header.writeInt32BE(30 * MiB + 1)
    socket.write(header)
    socket.write(body)
    attackers.push(socket)
  }
  await sleep(4000)
  const during = rssBytes()
  console.log(
    `A 30 x 30 MiB partial frames: RSS ${mib(base)} -> ${mib(during)} MiB; bystander ${await bystanderMs()} ms`,
  )
  for (const socket of attackers) socket.destroy()
  await sleep(2000)

  const producer = await client()
  await producer.request(ApiKey.CreateTopics, 7, {
    topics: [{ name: 'big', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
    timeoutMs: 10000,
    validateOnly: false,
  })
  const value = Buffer.alloc(MiB - 200, 0x42)
  for (let i = 0; i < 36; i++) {
    await producer.request(ApiKey.Produce, 9, {
      transactionalId: null,
      acks: -1,
      timeoutMs: 10000,
      topicData: [
        { name: 'big', partitionData: [{ index: 0, records: buildRecordBatch([{ key: null, value }]) }] },
      ],
    })
  }
  producer.socket.destroy()
  const before = rssBytes()
  const reader = await connect()
  reader.pause()
  reader.write(Buffer.concat(Array.from({ length: 100 }, (_, i) => fetchFrame(i + 1))))
  let peak = 0
  for (let i = 0; i < 20; i++) {
    await sleep(500)
    peak = Math.max(peak, rssBytes())
  }
  console.log(
    `B 100 Fetches of 36 MB not read: RSS ${mib(before)} -> peak ${mib(peak)} MiB; bystander ${await bystanderMs()} ms`,
  )
  reader.destroy()
} finally {
  child.kill('SIGKILL')
  rmSync(dataDir, { recursive: true, force: true })
}
