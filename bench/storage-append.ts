// Storage throughput on the real disk: appends ~16 KiB batches (16 records of 1 KiB) to one PartitionLog,
// with and without waiting for group-committed fdatasync, then reads everything back.
// Run: npx tsc -p . && node dist/bench/storage-append.js [totalMiB]
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { NodeFileSystem, SystemClock } from '../src/io/index.js'
import { PartitionLog } from '../src/storage/index.js'
import { makeTestBatch } from '../src/testing/index.js'

const totalMiB = Number(process.argv[2] ?? 512)
const recordsPerBatch = 16
const batchBytes = 16 * 1024
const batchCount = Math.floor((totalMiB * 1024 * 1024) / batchBytes)
const inFlightBatches = 64

async function run(label: string, durable: boolean): Promise<void> {
  const root = await mkdtemp(path.join(tmpdir(), 'brook-bench-'))
  const fs = new NodeFileSystem()
  const log = await PartitionLog.open(fs, new SystemClock(), `${root}/bench-0`, { flushMs: -1 })
  const template = makeTestBatch({ recordsCount: recordsPerBatch, payloadBytes: batchBytes - 61, fill: 0x5a })
  const startMs = performance.now()
  const pending: Promise<void>[] = []
  for (let i = 0; i < batchCount; i++) {
    const { lastOffset } = log.append({
      batch: Buffer.from(template),
      recordsCount: recordsPerBatch,
      maxTimestamp: 0,
    })
    pending.push(durable ? log.waitDurable(lastOffset + 1) : log.waitWritten(lastOffset + 1))
    // Bounded in-flight appends, like producers waiting for acks.
    if (pending.length >= inFlightBatches) await pending.shift()
  }
  await Promise.all(pending)
  await log.flush()
  const appendSec = (performance.now() - startMs) / 1000
  const readStartMs = performance.now()
  let readBytes = 0
  for (let offset = 0; offset < log.logEndOffset; ) {
    const result = await log.read(offset, 1024 * 1024)
    readBytes += result.sizeBytes
    const last = result.batches[result.batches.length - 1]
    offset = Number(last.readBigInt64BE(0)) + last.readInt32BE(23) + 1
  }
  const readSec = (performance.now() - readStartMs) / 1000
  const mib = (batchCount * batchBytes) / 1024 / 1024
  console.log(
    `${label}: append ${(mib / appendSec).toFixed(0)} MiB/s (${((batchCount * recordsPerBatch) / appendSec / 1000).toFixed(0)}k records/s), ` +
      `read ${(readBytes / 1024 / 1024 / readSec).toFixed(0)} MiB/s, ${mib.toFixed(0)} MiB`,
  )
  await log.close()
  await rm(root, { recursive: true, force: true })
}

await run('acks=1 (written to the OS)', false)
await run('acks=all (group-committed fdatasync)', true)
