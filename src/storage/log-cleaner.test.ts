// The log cleaner (#9): compaction of closed segments to the latest record per key with offsets kept,
// tombstones until delete.retention.ms, the lag settings, the bounded key map, producer state, fetches
// during a clean, log.cleaner.enable, and crashes at every step of a clean on the simulated file system.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { FileHandle, FileSystem } from '../core/index.js'
import {
  type BatchRecordInput,
  buildRecordBatch,
  Compression,
  type CompressionCodec,
  decodeBatch,
  readInt64,
} from '../record-batch/index.js'
import { SeededRandom, SimClock, SimFileSystem } from '../testing/index.js'
import { LogCleaner, type LogConfig, LogManager, PartitionLog } from './index.js'
import { OFFSET_MAP_SLOT_BYTES, OffsetMap } from './offset-map.js'

const dir = '/data/c-0'
const t0 = 1_700_000_000_000
const bigBuffer = 1024 * 1024

const compactConfig: Partial<LogConfig> = {
  cleanupPolicyCompact: true,
  cleanupPolicyDelete: false,
  segmentBytes: 700,
  minCleanableDirtyRatio: 0,
  indexIntervalBytes: 100,
}

interface Written {
  offset: number
  key: string | null
  value: string | null
}

function keyed(
  records: readonly { key: string | null; value: string | null }[],
  options: {
    timestampMs?: number
    compression?: CompressionCodec
    producerId?: number
    baseSequence?: number
    transactional?: boolean
  } = {},
) {
  const input: BatchRecordInput[] = records.map((r) => ({ key: r.key, value: r.value }))
  const batch = buildRecordBatch(input, {
    nowMs: options.timestampMs ?? t0,
    compression: options.compression,
    producerId: options.producerId,
    producerEpoch: options.producerId === undefined ? undefined : 0,
    baseSequence: options.baseSequence,
    isTransactional: options.transactional,
  })
  return { batch, recordsCount: records.length, maxTimestamp: options.timestampMs ?? t0 }
}

/** Appends and returns what each offset holds. */
function put(
  log: PartitionLog,
  written: Written[],
  records: readonly { key: string | null; value: string | null }[],
  options: Parameters<typeof keyed>[1] = {},
): void {
  const result = log.append(keyed(records, options))
  assert.equal(result.status, 'appended')
  for (const [i, r] of records.entries()) written.push({ offset: result.baseOffset + i, ...r })
}

/** Every record readable from the log start, in offset order, as a client would decode it. */
async function readAll(log: PartitionLog): Promise<Written[]> {
  const out: Written[] = []
  let offset = log.logStartOffset
  while (offset < log.highWatermark) {
    const read = await log.read(offset, bigBuffer)
    if (read.batches.length === 0) break
    for (const batch of read.batches) {
      const decoded = decodeBatch(batch)
      for (const r of decoded.records) {
        if (r.offset < offset) continue
        out.push({ offset: r.offset, key: r.key?.toString() ?? null, value: r.value?.toString() ?? null })
      }
      offset = decoded.header.baseOffset + decoded.header.lastOffsetDelta + 1
    }
  }
  return out
}

/** What a clean up to `endOffset` must leave: the latest record of each key below it, and all after it. */
function expectedAfterClean(
  written: readonly Written[],
  endOffset: number,
  dropTombstones: boolean,
): Written[] {
  const latest = new Map<string | null, number>()
  for (const w of written) if (w.offset < endOffset) latest.set(w.key, w.offset)
  return written.filter((w) => {
    if (w.offset >= endOffset) return true
    if (latest.get(w.key) !== w.offset) return false
    return !(dropTombstones && w.value === null)
  })
}

async function filledLog(fs: FileSystem, clock: SimClock, config: Partial<LogConfig> = {}) {
  const log = await PartitionLog.open(fs, clock, dir, { ...compactConfig, ...config })
  const written: Written[] = []
  for (let round = 0; round < 20; round++) {
    for (let k = 0; k < 5; k++) put(log, written, [{ key: `key-${k}`, value: `value-${round}-${k}` }])
  }
  put(log, written, [{ key: 'key-0', value: null }])
  await log.flush()
  return { log, written }
}

function activeBase(log: PartitionLog): number {
  return log.segmentBaseOffsets().at(-1)!
}

test('a clean keeps the latest record per key of the closed segments, offsets unchanged (#9)', async () => {
  const clock = new SimClock(t0)
  const { log, written } = await filledLog(new SimFileSystem(), clock)
  const segmentsBefore = log.segmentCount
  const bytesBefore = log.sizeBytes
  assert.deepEqual(await readAll(log), written)
  const result = await log.clean({ dedupeBufferBytes: bigBuffer })
  assert.ok(result !== undefined)
  assert.equal(result.endOffset, activeBase(log))
  const expected = expectedAfterClean(written, activeBase(log), false)
  assert.deepEqual(await readAll(log), expected)
  assert.ok(expected.length < 12, `kept ${expected.length}`)
  assert.ok(log.sizeBytes < bytesBefore / 4, `${log.sizeBytes} of ${bytesBefore} bytes`)
  // As Kafka groups by the segments' sizes before cleaning, the count shrinks only on later cleans.
  assert.ok(log.segmentCount <= segmentsBefore)
  assert.equal(log.logEndOffset, written.length)
  // A second clean has nothing dirty.
  assert.equal(await log.clean({ dedupeBufferBytes: bigBuffer }), undefined)
  await log.close()
})

test('reads at offsets compacted away return the next records, also across segment ends (#9)', async () => {
  const clock = new SimClock(t0)
  const { log, written } = await filledLog(new SimFileSystem(), clock)
  await log.clean({ dedupeBufferBytes: bigBuffer })
  const kept = await readAll(log)
  for (let offset = 0; offset < written.length; offset++) {
    const read = await log.read(offset, 1)
    assert.ok(read.batches.length > 0, `read at ${offset}`)
    const records = decodeBatch(read.batches[0]).records.filter((r) => r.offset >= offset)
    const next = kept.find((w) => w.offset >= offset)!
    assert.equal(records[0].offset, next.offset)
  }
  await log.close()
})

test('the cleaned log survives a clean restart and an unclean one (#9)', async () => {
  const fs = new SimFileSystem()
  const clock = new SimClock(t0)
  const { log, written } = await filledLog(fs, clock)
  await log.clean({ dedupeBufferBytes: bigBuffer })
  const expected = expectedAfterClean(written, log.cleanerCheckpoint, false)
  await log.close()
  const reopened = await PartitionLog.open(fs, clock, dir, compactConfig)
  assert.deepEqual(await readAll(reopened), expected)
  assert.equal(reopened.cleanerCheckpoint, activeBase(reopened))
  put(reopened, written, [{ key: 'key-9', value: 'after' }])
  await reopened.flush()
  const crashed = await PartitionLog.open(fs.crash(), clock, dir, compactConfig)
  assert.deepEqual(await readAll(crashed), [...expected, written.at(-1)!])
})

test('tombstones stay for delete.retention.ms, then a later clean removes them (#9)', async () => {
  const clock = new SimClock(t0)
  const { log, written } = await filledLog(new SimFileSystem(), clock, { deleteRetentionMs: 60_000 })
  await log.clean({ dedupeBufferBytes: bigBuffer })
  const first = await readAll(log)
  assert.ok(
    first.some((w) => w.key === 'key-0' && w.value === null),
    'the tombstone is kept',
  )
  clock.advance(61_000)
  // New updates (newer timestamps) roll past the tombstone's segment, making it clean-able again.
  for (let i = 0; i < 12; i++)
    put(log, written, [{ key: `key-${i % 3}`, value: `late-${i}` }], { timestampMs: t0 + 61_000 })
  await log.flush()
  await log.clean({ dedupeBufferBytes: bigBuffer })
  const second = await readAll(log)
  assert.ok(!second.some((w) => w.value === null), 'the tombstone is gone')
  assert.deepEqual(second, expectedAfterClean(written, log.cleanerCheckpoint, true))
  await log.close()
})

test('a tombstone with an old producer timestamp stays delete.retention.ms after the clean that first kept it: KIP-534 delete horizon (#9)', async () => {
  const fs = new SimFileSystem()
  const clock = new SimClock(t0)
  const config = { ...compactConfig, deleteRetentionMs: 60_000 }
  const log = await PartitionLog.open(fs, clock, dir, config)
  const written: Written[] = []
  const old = t0 - 2 * 86_400_000 // the producer's clock: two days before the broker's
  for (let round = 0; round < 10; round++)
    for (let k = 0; k < 5; k++)
      put(log, written, [{ key: `key-${k}`, value: `value-${round}-${k}` }], { timestampMs: old })
  put(
    log,
    written,
    [
      { key: 'key-0', value: null },
      { key: 'key-1', value: 'last' },
    ],
    { timestampMs: old },
  )
  const tombstoneOffset = written.length - 2
  const more = (count: number, timestampMs: number) => {
    for (let i = 0; i < count; i++)
      put(log, written, [{ key: `key-${2 + (i % 3)}`, value: `late-${timestampMs}-${i}` }], { timestampMs })
  }
  more(12, t0)
  await log.flush()
  const tombstoneBatch = async () => (await log.read(tombstoneOffset, 1)).batches[0]
  const hasTombstone = async () => (await readAll(log)).some((w) => w.key === 'key-0' && w.value === null)

  await log.clean({ dedupeBufferBytes: bigBuffer })
  assert.ok(log.cleanerCheckpoint > tombstoneOffset, 'the clean covered the tombstone')
  assert.ok(await hasTombstone(), 'kept by the first clean, however old its timestamp')
  assert.deepEqual(await readAll(log), expectedAfterClean(written, log.cleanerCheckpoint, false))
  // Stamped as Kafka does: attribute bit 6, baseTimestamp = clean time + delete.retention.ms; the records'
  // own timestamps (and the batch's max timestamp) are unchanged.
  let batch = await tombstoneBatch()
  assert.equal(batch.readInt16BE(21) & 0x40, 0x40)
  assert.equal(readInt64(batch, 27), t0 + 60_000)
  assert.equal(readInt64(batch, 35), old)
  const decoded = decodeBatch(batch)
  assert.deepEqual(
    decoded.records.map((r) => [r.offset, r.key?.toString(), r.value?.toString() ?? null, r.timestampMs]),
    [
      [tombstoneOffset, 'key-0', null, old],
      [tombstoneOffset + 1, 'key-1', 'last', old],
    ],
  )

  // A clean before the horizon keeps it, and does not move the horizon.
  clock.advance(30_000)
  more(12, t0 + 30_000)
  await log.flush()
  await log.clean({ dedupeBufferBytes: bigBuffer })
  assert.ok(await hasTombstone(), 'kept before the horizon')
  batch = await tombstoneBatch()
  assert.equal(readInt64(batch, 27), t0 + 60_000)

  // The horizon survives a crash (it is in the batch on disk); the first clean at or after it drops the tombstone.
  const reopened = await PartitionLog.open(fs.crash(), clock, dir, config)
  clock.advance(30_000)
  for (let i = 0; i < 12; i++)
    put(reopened, written, [{ key: `key-${2 + (i % 3)}`, value: `after-${i}` }], { timestampMs: t0 + 60_000 })
  await reopened.flush()
  await reopened.clean({ dedupeBufferBytes: bigBuffer })
  const after = await readAll(reopened)
  assert.ok(!after.some((w) => w.value === null), 'the tombstone is gone at the horizon')
  assert.deepEqual(after, expectedAfterClean(written, reopened.cleanerCheckpoint, true))
  await reopened.close()
})

test('committed transactions are compacted by key; aborted and open ones and the markers stay whole (#9)', async () => {
  const fs = new SimFileSystem()
  const clock = new SimClock(t0)
  const log = await PartitionLog.open(fs, clock, dir, compactConfig)
  const written: Written[] = []
  let sequence = 0
  const txn = (records: { key: string; value: string | null }[]) => {
    put(log, written, records, { producerId: 5, baseSequence: sequence, transactional: true })
    sequence += records.length
  }
  const end = (commit: boolean) => {
    const marker = log.appendMarker({ producerId: 5, producerEpoch: 0, commit, coordinatorEpoch: 0 })
    assert.equal(marker.status, 'appended')
    written.push({ offset: marker.baseOffset, key: 'marker', value: null })
  }
  const filler = (count: number) => {
    for (let i = 0; i < count; i++) put(log, written, [{ key: `f-${i % 4}`, value: `${written.length}` }])
  }
  txn([
    { key: 'a', value: '1' },
    { key: 'b', value: '1' },
  ]) // 0, 1
  end(true) // 2
  txn([{ key: 'a', value: 'aborted' }]) // 3
  end(false) // 4
  put(log, written, [{ key: 'c', value: '1' }]) // 5
  txn([{ key: 'a', value: '2' }]) // 6
  txn([{ key: 'b', value: null }]) // 7
  end(true) // 8
  filler(20) // 9..28
  put(log, written, [{ key: 'c', value: 'open' }], { producerId: 6, baseSequence: 0, transactional: true }) // 29
  filler(20) // 30..49
  await log.flush()
  assert.equal(log.lastStableOffset, 29)
  await log.clean({ dedupeBufferBytes: bigBuffer })
  // The clean stops before the open transaction, as Kafka's stops at the last stable offset.
  assert.ok(log.cleanerCheckpoint > 8 && log.cleanerCheckpoint <= 29, `${log.cleanerCheckpoint}`)
  const batchAt = async (offset: number) => {
    const batch = (await log.read(offset, 1)).batches[0]
    const decoded = decodeBatch(batch)
    return {
      base: decoded.header.baseOffset,
      control: decoded.isControl,
      records: decoded.records.map((r) => [r.offset, r.key?.toString() ?? null, r.value?.toString() ?? null]),
    }
  }
  // The committed a=1, b=1 are superseded by the committed a=2 and the tombstone of b: their batch is gone
  // (a read at 0 gets the next batch, the commit marker at 2).
  const first = await batchAt(0)
  assert.equal(first.base, 2)
  assert.equal(first.control, true)
  // The aborted a never shadows a committed value and stays whole for read_uncommitted; its marker stays.
  assert.deepEqual((await batchAt(3)).records, [[3, 'a', 'aborted']])
  assert.equal((await batchAt(4)).control, true)
  assert.deepEqual(
    (await batchAt(5)).records,
    [[5, 'c', '1']],
    'c of the open transaction does not count yet',
  )
  assert.deepEqual((await batchAt(6)).records, [[6, 'a', '2']])
  assert.deepEqual((await batchAt(7)).records, [[7, 'b', null]], 'the tombstone stays until its horizon')
  assert.equal((await batchAt(8)).control, true)
  assert.deepEqual((await batchAt(29)).records, [[29, 'c', 'open']], 'an open transaction stays whole')
  // Once the open transaction commits, a later clean lets its c supersede the plain c=1.
  const commit = log.appendMarker({ producerId: 6, producerEpoch: 0, commit: true, coordinatorEpoch: 0 })
  assert.equal(commit.baseOffset, 50)
  filler(20)
  await log.flush()
  await log.clean({ dedupeBufferBytes: bigBuffer })
  assert.ok(log.cleanerCheckpoint > 50)
  assert.deepEqual((await batchAt(5)).records, [[6, 'a', '2']], 'c=1 is gone: the read gets the next batch')
  assert.deepEqual((await batchAt(29)).records, [[29, 'c', 'open']])
  // The producer state and the aborted transactions after an unclean restart are unchanged.
  const reopened = await PartitionLog.open(fs.crash(), clock, dir, compactConfig)
  assert.equal(reopened.lastStableOffset, reopened.highWatermark)
  assert.deepEqual(reopened.producerState.check(5, 0, sequence, sequence), { kind: 'ok' })
  assert.deepEqual(
    reopened.abortedTransactions(0, 80).map((t) => [t.producerId, t.firstOffset]),
    [[5, 3]],
  )
  await reopened.close()
})

test('a later clean re-reads cleaned segments with gaps between their batches (#9)', async () => {
  const clock = new SimClock(t0)
  const log = await PartitionLog.open(new SimFileSystem(), clock, dir, compactConfig)
  const written: Written[] = []
  put(log, written, [{ key: 'rare', value: 'kept' }])
  for (let i = 0; i < 40; i++) put(log, written, [{ key: `hot-${i % 2}`, value: `${i}` }])
  put(log, written, [{ key: 'rare-2', value: 'kept' }])
  for (let i = 0; i < 20; i++) put(log, written, [{ key: `hot-${i % 2}`, value: `again-${i}` }])
  await log.flush()
  await log.clean({ dedupeBufferBytes: bigBuffer })
  assert.deepEqual(await readAll(log), expectedAfterClean(written, log.cleanerCheckpoint, false))
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < 20; i++) put(log, written, [{ key: `hot-${i % 2}`, value: `more-${round}-${i}` }])
    await log.flush()
    const result = await log.clean({ dedupeBufferBytes: bigBuffer })
    assert.ok(result !== undefined && result.recordsRemoved > 0, `clean ${round + 2} removed records`)
    assert.deepEqual(await readAll(log), expectedAfterClean(written, log.cleanerCheckpoint, false))
  }
  await log.close()
})

test('batches of several records are rewritten in their codec with base offset and span kept (#9)', async () => {
  const clock = new SimClock(t0)
  const log = await PartitionLog.open(new SimFileSystem(), clock, dir, {
    ...compactConfig,
    segmentBytes: 2000,
  })
  const written: Written[] = []
  for (let round = 0; round < 30; round++) {
    put(
      log,
      written,
      [0, 1, 2, 3].map((k) => ({ key: `key-${(k + round) % 6}`, value: `v-${round}-${k}`.repeat(3) })),
      { compression: Compression.gzip },
    )
  }
  await log.flush()
  await log.clean({ dedupeBufferBytes: bigBuffer })
  const end = log.cleanerCheckpoint
  assert.ok(end > 0)
  assert.deepEqual(await readAll(log), expectedAfterClean(written, end, false))
  let offset = 0
  while (offset < end) {
    const batch = (await log.read(offset, 1)).batches[0]
    const decoded = decodeBatch(batch)
    assert.equal(decoded.codec, Compression.gzip)
    assert.equal(decoded.header.baseOffset % 4, 0, 'base offsets are those assigned at append')
    assert.equal(decoded.header.lastOffsetDelta, 3, 'the batch keeps its offset span')
    offset = decoded.header.baseOffset + 4
  }
  await log.close()
})

test("an idempotent producer's latest batch stays, emptied, so its sequence survives a restart (#9)", async () => {
  const fs = new SimFileSystem()
  const clock = new SimClock(t0)
  const log = await PartitionLog.open(fs, clock, dir, compactConfig)
  const written: Written[] = []
  put(log, written, [{ key: 'a', value: 'p-0' }], { producerId: 7, baseSequence: 0 })
  put(log, written, [{ key: 'a', value: 'p-1' }], { producerId: 7, baseSequence: 1 })
  for (let i = 0; i < 20; i++) put(log, written, [{ key: 'a', value: `plain-${i}` }])
  await log.flush()
  await log.clean({ dedupeBufferBytes: bigBuffer })
  const producerBatches: { base: number; count: number }[] = []
  let offset = 0
  while (offset < log.cleanerCheckpoint) {
    const batch = (await log.read(offset, 1)).batches[0]
    const base = readInt64(batch, 0)
    if (readInt64(batch, 43) === 7) producerBatches.push({ base, count: batch.readInt32BE(57) })
    offset = base + batch.readInt32BE(23) + 1
  }
  assert.deepEqual(producerBatches, [{ base: 1, count: 0 }], 'only the latest batch, with no records')
  const reopened = await PartitionLog.open(fs.crash({ processOnly: true }), clock, dir, compactConfig)
  assert.deepEqual(reopened.producerState.check(7, 0, 1, 1), {
    kind: 'duplicate',
    baseOffset: 1,
    lastOffset: 1,
  })
  assert.deepEqual(reopened.producerState.check(7, 0, 2, 2), { kind: 'ok' })
})

test('min.compaction.lag.ms keeps recent segments dirty; max.compaction.lag.ms forces a clean (#9)', async () => {
  const clock = new SimClock(t0 + 1000)
  const { log } = await filledLog(new SimFileSystem(), clock, { minCompactionLagMs: 5000 })
  assert.equal(log.cleanableState()!.dirtyBytes, 0, 'records younger than the lag are not cleanable')
  assert.equal(await log.clean({ dedupeBufferBytes: bigBuffer }), undefined)
  clock.advance(5000)
  assert.ok(log.cleanableState()!.dirtyBytes > 0)
  log.setConfig({ minCompactionLagMs: 0, minCleanableDirtyRatio: 1 })
  const cleaner = new LogCleaner(clock, () => [log])
  // The first clean of a log has nothing clean yet: its dirty ratio is 1.
  assert.equal(await cleaner.runNow(), 1)
  const written: Written[] = []
  for (let i = 0; i < 30; i++)
    put(log, written, [{ key: `key-${i % 5}`, value: `more-${i}` }], { timestampMs: t0 + 5500 })
  await log.flush()
  const state = log.cleanableState()!
  assert.ok(state.dirtyRatio < 1 && state.dirtyBytes > 0)
  assert.equal(await cleaner.runNow(), 0, 'below min.cleanable.dirty.ratio')
  log.setConfig({ maxCompactionLagMs: 1000 })
  clock.advance(2000)
  assert.ok(log.cleanableState()!.compactionLagExceeded)
  assert.equal(await cleaner.runNow(), 1, 'past max.compaction.lag.ms')
  assert.equal(log.cleanableState()!.dirtyBytes, 0)
  await log.close()
})

test('the key map is bounded by log.cleaner.dedupe.buffer.size; a small one cleans in several passes (#9)', async () => {
  const map = new OffsetMap(OFFSET_MAP_SLOT_BYTES * 10)
  assert.equal(map.bufferBytes, OFFSET_MAP_SLOT_BYTES * 10)
  for (let i = 0; i < map.capacity; i++) assert.ok(map.put(OffsetMap.hash(Buffer.from(`k${i}`)), i))
  assert.equal(map.put(OffsetMap.hash(Buffer.from('one more')), 99), false, 'full')
  assert.ok(map.put(OffsetMap.hash(Buffer.from('k0')), 50), 'an update of a known key still fits')
  assert.equal(map.get(OffsetMap.hash(Buffer.from('k0'))), 50)
  assert.equal(map.get(OffsetMap.hash(Buffer.from('absent'))), -1)

  const clock = new SimClock(t0)
  const log = await PartitionLog.open(new SimFileSystem(), clock, dir, compactConfig)
  const written: Written[] = []
  for (let i = 0; i < 120; i++) put(log, written, [{ key: `key-${i % 40}`, value: `v-${i}` }])
  await log.flush()
  const dedupeBufferBytes = OFFSET_MAP_SLOT_BYTES * 20
  const first = await log.clean({ dedupeBufferBytes })
  assert.ok(first !== undefined && first.keys <= 18 && first.endOffset < activeBase(log), 'a partial pass')
  const cleaner = new LogCleaner(clock, () => [log], { dedupeBufferBytes })
  assert.ok((await cleaner.runNow()) >= 2)
  assert.equal(log.cleanableState()!.dirtyBytes, 0)
  assert.deepEqual(await readAll(log), expectedAfterClean(written, activeBase(log), false))
  // A buffer that cannot hold one batch's keys fails the clean, counted, and the log is left as it is.
  const tiny = await PartitionLog.open(new SimFileSystem(), clock, '/data/tiny-0', compactConfig)
  for (let i = 0; i < 10; i++) {
    tiny.append(keyed([0, 1, 2, 3, 4].map((k) => ({ key: `k${k}`, value: `${i}` }))))
  }
  await tiny.flush()
  const tinyCleaner = new LogCleaner(clock, () => [tiny], { dedupeBufferBytes: OFFSET_MAP_SLOT_BYTES * 3 })
  assert.equal(await tinyCleaner.runNow(), 0)
  assert.equal(tinyCleaner.stats.failures, 1)
  await log.close()
  await tiny.close()
})

test('fetches keep working while a clean runs and swaps segments (#9)', async () => {
  const clock = new SimClock(t0)
  const { log, written } = await filledLog(new SimFileSystem(), clock)
  const before = await readAll(log)
  const cleaning = log.clean({ dedupeBufferBytes: bigBuffer })
  const seen: Written[][] = []
  let done = false
  void cleaning.finally(() => {
    done = true
  })
  while (!done) {
    seen.push(await readAll(log))
    put(log, written, [{ key: 'live', value: `${seen.length}` }])
    // Requests arrive on later turns of the event loop, where the clean makes progress too.
    await new Promise((resolve) => setImmediate(resolve))
  }
  await cleaning
  const after = expectedAfterClean(written, log.cleanerCheckpoint, false)
  assert.ok(seen.length >= 2)
  for (const view of seen) {
    // Each read is a consistent view: a prefix-compatible mix is not allowed to lose a record kept after.
    for (const w of after) if (w.offset < before.length) assert.ok(view.some((v) => v.offset === w.offset))
    for (const v of view)
      assert.deepEqual(
        v,
        written.find((w) => w.offset === v.offset),
      )
  }
  assert.deepEqual(await readAll(log), after)
  await log.close()
})

test('log.cleaner.enable=false leaves compacted logs alone; enabled, the timer cleans them (#9)', async () => {
  for (const enabled of [false, true]) {
    const fs = new SimFileSystem()
    const clock = new SimClock(t0)
    const manager = await LogManager.open(fs, clock, '/data', compactConfig, {
      cleaner: { enabled, backoffMs: 1000 },
    })
    const log = await manager.getOrCreate('c', 0)
    const written: Written[] = []
    for (let i = 0; i < 60; i++) put(log, written, [{ key: `key-${i % 3}`, value: `v-${i}` }])
    await log.flush()
    await clock.advanceAsync(1000)
    for (let i = 0; i < 50 && manager.cleaner.stats.cleans === 0 && enabled; i++) {
      await new Promise((resolve) => setImmediate(resolve))
    }
    assert.equal(manager.cleaner.stats.cleans, enabled ? 1 : 0)
    assert.equal((await readAll(log)).length < written.length, enabled)
    await manager.close()
  }
})

test('compact-only logs are not shortened by retention; compact,delete ones are (#9)', async () => {
  const clock = new SimClock(t0)
  const { log } = await filledLog(new SimFileSystem(), clock, { retentionMs: 1000 })
  clock.advance(10_000)
  assert.equal(await log.applyRetention(), 0)
  log.setConfig({ cleanupPolicyDelete: true })
  assert.ok((await log.applyRetention()) > 0)
  await log.close()
})

/** A FileSystem that crashes its simulated disk just before its `crashAt`-th mutating call once armed. */
class CrashingFileSystem implements FileSystem {
  sim: SimFileSystem
  ops = 0
  crashAt = Number.POSITIVE_INFINITY
  crashedView: SimFileSystem | undefined
  processOnly = false
  constructor(sim: SimFileSystem) {
    this.sim = sim
  }
  #step(): void {
    this.ops++
    if (this.ops === this.crashAt && this.crashedView === undefined)
      this.crashedView = this.sim.crash({ processOnly: this.processOnly })
  }
  async open(path: string, options?: { create?: boolean }): Promise<FileHandle> {
    if (options?.create) this.#step()
    const handle = await this.sim.open(path, options)
    return {
      read: (position, length) => handle.read(position, length),
      write: (position, buffers) => {
        this.#step()
        return handle.write(position, buffers)
      },
      sync: () => {
        this.#step()
        return handle.sync()
      },
      truncate: (length) => {
        this.#step()
        return handle.truncate(length)
      },
      size: () => handle.size(),
      close: () => handle.close(),
    }
  }
  mkdir(path: string) {
    return this.sim.mkdir(path)
  }
  list(path: string) {
    return this.sim.list(path)
  }
  exists(path: string) {
    return this.sim.exists(path)
  }
  remove(path: string) {
    this.#step()
    return this.sim.remove(path)
  }
  rename(from: string, to: string) {
    this.#step()
    return this.sim.rename(from, to)
  }
  readFile(path: string) {
    return this.sim.readFile(path)
  }
  volumeSpace(path: string) {
    return this.sim.volumeSpace(path)
  }
  writeFileAtomic(path: string, data: Buffer) {
    this.#step()
    return this.sim.writeFileAtomic(path, data)
  }
}

test('a crash at any step of a clean recovers the log as before or after it, over many seeds (#9)', async () => {
  // Replaced files kept as .deleted for file.delete.delay.ms (the default, 60 s), and removed at once (0).
  for (const fileDeleteDelayMs of [60_000, 0]) {
    const config = { deleteRetentionMs: 0, fileDeleteDelayMs }
    // The number of file-system steps a whole clean takes, from a run without a crash.
    const probe = new CrashingFileSystem(new SimFileSystem({ seed: 1 }))
    const clock = new SimClock(t0)
    const { log: probeLog, written } = await filledLog(probe, clock, config)
    const before = await readAll(probeLog)
    const opsBefore = probe.ops
    await probeLog.clean({ dedupeBufferBytes: bigBuffer })
    const after = await readAll(probeLog)
    const cleanOps = probe.ops - opsBefore
    assert.ok(cleanOps > 10, `${cleanOps} steps`)
    assert.notDeepEqual(after, before)
    assert.deepEqual(after, expectedAfterClean(written, probeLog.cleanerCheckpoint, true))
    const outcomes = { before: 0, after: 0 }
    const seeds = 60
    for (let seed = 1; seed <= seeds; seed++) {
      const random = new SeededRandom(seed)
      const fs = new CrashingFileSystem(new SimFileSystem({ seed }))
      fs.processOnly = seed % 2 === 0
      const { log } = await filledLog(fs, new SimClock(t0), config)
      fs.crashAt = fs.ops + 1 + Math.floor(random.next() * cleanOps)
      await log.clean({ dedupeBufferBytes: bigBuffer }).catch(() => {})
      assert.ok(fs.crashedView !== undefined, `seed ${seed}: the crash happened during the clean`)
      const recovered = await PartitionLog.open(fs.crashedView, new SimClock(t0), dir, {
        ...compactConfig,
        ...config,
      })
      assert.deepEqual(
        (await fs.crashedView.list(dir)).filter((name) => name.endsWith('.deleted')),
        [],
        `seed ${seed}: no .deleted file outlives the open`,
      )
      const seen = await readAll(recovered)
      if (JSON.stringify(seen) === JSON.stringify(before)) outcomes.before++
      else {
        assert.deepEqual(seen, after, `seed ${seed}: neither the log before the clean nor after it`)
        outcomes.after++
      }
      assert.equal(recovered.logEndOffset, written.length, `seed ${seed}`)
      // The recovered log takes appends and cleans again.
      recovered.append(keyed([{ key: 'key-1', value: 'again' }]))
      await recovered.flush()
      await recovered.clean({ dedupeBufferBytes: bigBuffer })
      await recovered.close()
    }
    assert.ok(outcomes.before > 0 && outcomes.after > 0, JSON.stringify(outcomes))
  }
})

test('file.delete.delay.ms: the files a clean replaced wait as .deleted, then go (#9)', async () => {
  const fs = new SimFileSystem()
  const clock = new SimClock(t0)
  const { log, written } = await filledLog(fs, clock, { fileDeleteDelayMs: 60_000 })
  const segmentsBefore = (await fs.list(dir)).filter((name) => name.endsWith('.log'))
  await log.clean({ dedupeBufferBytes: bigBuffer })
  const expected = expectedAfterClean(written, log.cleanerCheckpoint, false)
  const deleted = (await fs.list(dir)).filter((name) => name.endsWith('.deleted'))
  // Every segment the clean replaced is kept aside, its log and both indexes.
  assert.ok(deleted.filter((name) => name.endsWith('.log.deleted')).length >= 2, deleted.join(' '))
  for (const name of deleted) {
    const stem = name.slice(0, 20)
    assert.ok(segmentsBefore.includes(`${stem}.log`), name)
  }
  assert.deepEqual(await readAll(log), expected)
  await clock.advanceAsync(60_000)
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve))
  assert.deepEqual(
    (await fs.list(dir)).filter((name) => name.endsWith('.deleted')),
    [],
  )
  assert.deepEqual(await readAll(log), expected)
  await log.close()
})

test('log.cleaner.io.max.bytes.per.second holds a clean to that rate on the clock; unlimited it waits for nothing (#9)', async () => {
  /** Runs one round, moving simulated time 1 ms a step while a timer waits; returns the simulated ms it took. */
  async function timedRound(clock: SimClock, cleaner: LogCleaner): Promise<number> {
    const startMs = clock.monotonicMs()
    let done = false
    const round = cleaner.runNow().finally(() => {
      done = true
    })
    while (!done) {
      await new Promise((resolve) => setImmediate(resolve))
      if (!done && clock.pendingTimers > 0) await clock.advanceAsync(1)
    }
    assert.equal(await round, 1)
    return clock.monotonicMs() - startMs
  }

  const unlimitedClock = new SimClock(t0)
  const { log: free } = await filledLog(new SimFileSystem(), unlimitedClock)
  const unlimited = new LogCleaner(unlimitedClock, () => [free])
  assert.equal(await timedRound(unlimitedClock, unlimited), 0, 'the default budget never waits')
  assert.equal(unlimited.stats.throttledMs, 0)

  const clock = new SimClock(t0)
  const { log, written } = await filledLog(new SimFileSystem(), clock)
  const dirtyBytes = log.cleanableState()!.dirtyBytes
  const bytesPerSecond = 1000
  const cleaner = new LogCleaner(clock, () => [log], { ioMaxBytesPerSecond: bytesPerSecond })
  const tookMs = await timedRound(clock, cleaner)
  // The first clean reads the dirty segments twice (key map, then rewrite) and writes what it keeps.
  const bytesAfter = dirtyBytes - cleaner.stats.bytesReclaimed
  const ioBytes = 2 * dirtyBytes + bytesAfter
  const budgetMs = (ioBytes * 1000) / bytesPerSecond
  assert.ok(ioBytes > 3 * bytesPerSecond, `a clean of ${ioBytes} bytes outlasts several seconds of budget`)
  assert.ok(tookMs >= budgetMs - 1, `${ioBytes} bytes took ${tookMs} ms, budget ${budgetMs} ms`)
  assert.ok(tookMs <= budgetMs + 10, `${tookMs} ms is no longer than the budget asks (${budgetMs} ms)`)
  assert.ok(cleaner.stats.throttledMs >= budgetMs - 1)
  assert.equal(cleaner.stats.lastCleanDurationMs, tookMs)
  assert.deepEqual(await readAll(log), expectedAfterClean(written, activeBase(log), false))
  assert.throws(() => {
    cleaner.ioMaxBytesPerSecond = 0
  }, RangeError)
  await log.close()
  await free.close()
})
