// PartitionLog behaviour added for #7: idempotence checked inside append, producer-id expiry, what a
// fetch may see (written, or fsynced only), and I/O errors that must not pass for missing files.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { FileHandle } from '../core/index.js'
import { readInt64 } from '../record-batch/index.js'
import { makeTestBatch, SimClock, SimFileSystem } from '../testing/index.js'
import { LogManager, PartitionLog } from './index.js'

const dir = '/data/i-0'
const t0 = 1_700_000_000_000

function idempotent(sequence: number, count: number, epoch = 1, producerId = 42) {
  const batch = makeTestBatch({
    recordsCount: count,
    producerId,
    producerEpoch: epoch,
    baseSequence: sequence,
  })
  return { batch, recordsCount: count, maxTimestamp: t0 }
}

function plain(fill: number) {
  return {
    batch: makeTestBatch({ recordsCount: 1, payloadBytes: 20, fill }),
    recordsCount: 1,
    maxTimestamp: t0,
  }
}

/** A SimFileSystem whose syncs wait for `release()`, and whose reads or readFile can be made to fail. */
class ControlledFileSystem extends SimFileSystem {
  #gate: Promise<void> | undefined
  #open: (() => void) | undefined
  failReads = false
  failReadFile: ((path: string) => boolean) | undefined

  holdSyncs(): void {
    this.#gate = new Promise((resolve) => {
      this.#open = resolve
    })
  }

  release(): void {
    this.#open?.()
    this.#gate = undefined
  }

  override async readFile(target: string): Promise<Buffer> {
    if (this.failReadFile?.(target))
      throw Object.assign(new Error(`EIO: i/o error, read '${target}'`), { code: 'EIO' })
    return super.readFile(target)
  }

  override async open(target: string, options?: { create?: boolean }): Promise<FileHandle> {
    const handle = await super.open(target, options)
    return {
      read: async (p, l) => {
        if (this.failReads) throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' })
        return handle.read(p, l)
      },
      write: (p, b) => handle.write(p, b),
      sync: async () => {
        while (this.#gate !== undefined) await this.#gate
        return handle.sync()
      },
      truncate: (l) => handle.truncate(l),
      size: () => handle.size(),
      close: () => handle.close(),
    }
  }
}

test('#7: append checks and records an idempotent producer in one call', async () => {
  const log = await PartitionLog.open(new SimFileSystem(), new SimClock(t0), dir)
  assert.deepEqual(log.append(idempotent(0, 3)), { status: 'appended', baseOffset: 0, lastOffset: 2 })
  log.append(plain(1))
  // A retry: answered with the first offsets, nothing appended.
  assert.deepEqual(log.append(idempotent(0, 3)), { status: 'duplicate', baseOffset: 0, lastOffset: 2 })
  assert.equal(log.logEndOffset, 4)
  assert.deepEqual(log.append(idempotent(5, 1)), {
    status: 'outOfOrder',
    baseOffset: -1,
    lastOffset: -1,
    expectedSequence: 3,
  })
  assert.deepEqual(log.append(idempotent(3, 1, 0)), {
    status: 'invalidEpoch',
    baseOffset: -1,
    lastOffset: -1,
    currentEpoch: 1,
  })
  assert.deepEqual(log.append(idempotent(3, 2)), { status: 'appended', baseOffset: 4, lastOffset: 5 })
  // A new epoch restarts at sequence 0.
  assert.equal(log.append(idempotent(0, 1, 2)).status, 'appended')
  assert.equal(log.logEndOffset, 7)
  assert.throws(() => log.append([idempotent(1, 1, 2), plain(2)]), { code: 'BROOK_ERR_RECORD_INVALID' })
})

test('#7: producer ids expire after producer.id.expiration.ms (on the LogManager retention timer)', async () => {
  const fs = new SimFileSystem()
  const clock = new SimClock(t0)
  const manager = await LogManager.open(
    fs,
    clock,
    '/data/logs',
    { producerIdExpirationMs: 60_000 },
    { retentionCheckIntervalMs: 10_000 },
  )
  const log = await manager.getOrCreate('t', 0)
  log.append(idempotent(0, 1, 1, 7))
  clock.advance(30_000)
  log.append(idempotent(0, 1, 1, 8))
  assert.equal(log.producerState.size, 2)
  await clock.advanceAsync(40_000)
  // Producer 7 was last seen 70 s ago, producer 8 40 s ago.
  assert.equal(log.producerState.get(7), undefined)
  assert.notEqual(log.producerState.get(8), undefined)
  await clock.advanceAsync(30_000)
  assert.equal(log.producerState.size, 0)
  // An expired producer continuing its sequence is accepted, as Kafka does.
  assert.equal(log.append(idempotent(1, 1, 1, 7)).status, 'appended')
  await manager.close()
})

test('#7: with fetchFsyncedOnly a fetch sees only records an fdatasync covered', async () => {
  const fs = new ControlledFileSystem()
  const log = await PartitionLog.open(fs, new SimClock(t0), dir, { fetchFsyncedOnly: true })
  fs.holdSyncs()
  log.append(plain(1))
  await log.waitWritten(1)
  assert.equal(log.writtenEndOffset, 1)
  assert.equal(log.highWatermark, 0)
  assert.deepEqual((await log.read(0, 1 << 20)).batches, [])
  let visible = 0
  log.setVisibilityListener((end) => {
    visible = end
  })
  fs.release()
  await log.waitDurable(1)
  assert.equal(visible, 1)
  assert.equal(log.highWatermark, 1)
  assert.deepEqual(
    (await log.read(0, 1 << 20)).batches.map((b) => readInt64(b, 0)),
    [0],
  )
  // Turning it off makes written records visible at once.
  fs.holdSyncs()
  log.append(plain(2))
  await log.waitWritten(2)
  assert.equal(log.highWatermark, 1)
  log.setConfig({ fetchFsyncedOnly: false })
  assert.equal(log.highWatermark, 2)
  assert.equal(visible, 2)
  fs.release()
  await log.close()
})

test('#7: an I/O error reading an index or the producer snapshot fails the open instead of passing for a missing file', async () => {
  for (const file of ['.index', 'producer-state.snapshot']) {
    const fs = new ControlledFileSystem()
    const log = await PartitionLog.open(fs, new SimClock(t0), dir, { segmentBytes: 200 })
    for (let i = 0; i < 5; i++) log.append(plain(i))
    await log.close()
    fs.failReadFile = (path) => path.endsWith(file)
    await assert.rejects(
      PartitionLog.open(fs, new SimClock(t0), dir, { segmentBytes: 200 }),
      { code: 'EIO' },
      file,
    )
    fs.failReadFile = undefined
    const reopened = await PartitionLog.open(fs, new SimClock(t0), dir, { segmentBytes: 200 })
    assert.equal(reopened.logEndOffset, 5)
  }
})

test('#7: a read error reaches the caller of read and offsetForTimestamp', async () => {
  const fs = new ControlledFileSystem()
  const log = await PartitionLog.open(fs, new SimClock(t0), dir, { maxTailBytes: 0 })
  for (let i = 0; i < 3; i++) log.append(plain(i))
  await log.waitWritten(3)
  fs.failReads = true
  await assert.rejects(log.read(0, 100), { code: 'EIO' })
  await assert.rejects(log.offsetForTimestamp(t0), { code: 'EIO' })
})
