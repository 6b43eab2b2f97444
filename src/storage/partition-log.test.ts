// PartitionLog on the simulated file system: round trips, fetch rules, rolls, retention, timestamps,
// deleteRecordsBefore, recovery after clean and unclean stops, and group commit.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { readInt64 } from '../record-batch/index.js'
import { makeTestBatch, SimClock, SimFileSystem } from '../testing/index.js'
import { type LogConfig, PartitionLog } from './index.js'

const dir = '/data/t-0'
const t0 = 1_700_000_000_000

function batch(recordsCount: number, payloadBytes: number, fill: number, maxTimestampMs = t0) {
  return {
    batch: makeTestBatch({
      recordsCount,
      payloadBytes,
      fill,
      baseTimestampMs: maxTimestampMs,
      maxTimestampMs,
    }),
    recordsCount,
    maxTimestamp: maxTimestampMs,
  }
}

async function openLog(fs: SimFileSystem, config: Partial<LogConfig> = {}, clock = new SimClock(t0)) {
  return PartitionLog.open(fs, clock, dir, config)
}

function baseOffsets(batches: Buffer[]): number[] {
  return batches.map((b) => readInt64(b, 0))
}

test('append assigns offsets in call order and reads them back byte for byte', async () => {
  const fs = new SimFileSystem()
  const log = await openLog(fs)
  const a = batch(3, 100, 1)
  const b = batch(1, 50, 2)
  assert.deepEqual(log.append(a), { status: 'appended', baseOffset: 0, lastOffset: 2 })
  assert.deepEqual(log.append([b, batch(2, 10, 3)]), { status: 'appended', baseOffset: 3, lastOffset: 5 })
  assert.equal(log.logEndOffset, 6)
  // Not yet handed to the OS: not visible to fetches (#7).
  assert.equal(log.highWatermark, 0)
  assert.deepEqual((await log.read(0, 1 << 20)).batches, [])
  await log.waitWritten(6)
  assert.equal(log.highWatermark, 6)
  const fromTail = await log.read(0, 1 << 20)
  assert.deepEqual(baseOffsets(fromTail.batches), [0, 3, 4])
  assert.equal(fromTail.batches[0], a.batch)
  await log.waitDurable(6)
  await log.close()
  const reopened = await openLog(fs)
  const fromDisk = await reopened.read(0, 1 << 20)
  assert.deepEqual(fromDisk.batches, [a.batch, b.batch, fromTail.batches[2]])
  assert.equal(reopened.logEndOffset, 6)
})

test('fetch rules: containing batch, at least one batch, maxBytes, log end and out of range', async () => {
  for (const maxTailBytes of [0, 8 << 20]) {
    const fs = new SimFileSystem()
    const log = await openLog(fs, { maxTailBytes, indexIntervalBytes: 256 })
    for (let i = 0; i < 20; i++) log.append(batch(5, 200, i))
    await log.waitWritten(log.logEndOffset)
    const mid = await log.read(37, 1)
    assert.deepEqual(baseOffsets(mid.batches), [35], `tail=${maxTailBytes}`)
    const size = mid.batches[0].length
    const three = await log.read(35, size * 3 + 10)
    assert.deepEqual(baseOffsets(three.batches), [35, 40, 45])
    assert.equal(three.sizeBytes, size * 3)
    assert.deepEqual((await log.read(100, 1000)).batches, [])
    assert.equal((await log.read(100, 1000)).outOfRange, false)
    assert.equal((await log.read(101, 1000)).outOfRange, true)
    const all = await log.read(0, 1 << 20)
    assert.equal(all.batches.length, 20)
  }
})

test('segments roll by size and reads continue across them', async () => {
  const fs = new SimFileSystem()
  const log = await openLog(fs, { segmentBytes: 1000, maxTailBytes: 0, indexIntervalBytes: 100 })
  const appended: Buffer[] = []
  for (let i = 0; i < 30; i++) {
    const b = batch(2, 139, i) // 200 bytes each: five per segment
    appended.push(b.batch)
    log.append(b)
  }
  await log.flush()
  assert.equal(log.segmentCount, 6)
  assert.deepEqual(log.segmentBaseOffsets(), [0, 10, 20, 30, 40, 50])
  const collected: Buffer[] = []
  for (let offset = 0; offset < log.logEndOffset; ) {
    const r = await log.read(offset, 450)
    assert.ok(r.batches.length >= 1)
    collected.push(...r.batches)
    offset = readInt64(r.batches.at(-1)!, 0) + 2
  }
  assert.deepEqual(collected, appended)
  await log.close()
  const names = await fs.list(dir)
  assert.ok(names.includes('00000000000000000010.log') && names.includes('00000000000000000010.index'))
  const reopened = await openLog(fs, { segmentBytes: 1000 })
  assert.deepEqual((await reopened.read(23, 1)).batches, [appended[11]])
})

test('segments roll by time (segmentMs, measured on batch timestamps)', async () => {
  const fs = new SimFileSystem()
  const log = await openLog(fs, { segmentMs: 1000 })
  log.append(batch(1, 10, 1, t0))
  log.append(batch(1, 10, 2, t0 + 1000))
  assert.equal(log.segmentCount, 1)
  log.append(batch(1, 10, 3, t0 + 1001))
  assert.equal(log.segmentCount, 2)
  await log.close()
})

test('retention by time and by bytes deletes old segments and advances logStartOffset', async () => {
  const clock = new SimClock(t0)
  const fs = new SimFileSystem()
  const log = await openLog(fs, { segmentBytes: 1000, retentionMs: 60_000 }, clock)
  for (let i = 0; i < 10; i++) log.append(batch(1, 139, i, t0 + i * 10_000))
  await log.flush()
  assert.equal(log.segmentCount, 2)
  await log.waitWritten(log.logEndOffset)
  // Segment [0,5) holds timestamps up to t0+40s.
  assert.equal(await log.applyRetention(t0 + 100_000), 0)
  assert.equal(await log.applyRetention(t0 + 100_001), 1)
  assert.equal(log.logStartOffset, 5)
  assert.equal((await log.read(2, 100)).outOfRange, true)
  assert.equal(readInt64((await log.read(5, 100)).batches[0], 0), 5)
  // The active segment is never deleted.
  assert.equal(await log.applyRetention(t0 + 10_000_000), 0)

  const bytesLog = await PartitionLog.open(fs, clock, '/data/b-0', {
    segmentBytes: 1000,
    retentionBytes: 1500,
  })
  for (let i = 0; i < 20; i++) bytesLog.append(batch(1, 139, i))
  await bytesLog.flush()
  assert.equal(bytesLog.segmentCount, 4)
  assert.equal(await bytesLog.applyRetention(), 2)
  assert.equal(bytesLog.logStartOffset, 10)
  assert.equal(bytesLog.sizeBytes, 2000)
  await bytesLog.close()
  await log.close()
  const reopened = await openLog(fs, { segmentBytes: 1000 })
  assert.equal(reopened.logStartOffset, 5)
})

test('deleteRecordsBefore advances logStartOffset, deleting whole segments below it', async () => {
  const fs = new SimFileSystem()
  const log = await openLog(fs, { segmentBytes: 1000 })
  for (let i = 0; i < 12; i++) log.append(batch(1, 139, i))
  await log.flush()
  assert.equal(await log.deleteRecordsBefore(7), 7)
  assert.deepEqual(log.segmentBaseOffsets(), [5, 10])
  assert.equal((await log.read(6, 10)).outOfRange, true)
  assert.equal(readInt64((await log.read(7, 10)).batches[0], 0), 7)
  await assert.rejects(log.deleteRecordsBefore(13), { code: 'BROOK_ERR_OFFSET_OUT_OF_RANGE' })
  await log.close()
  assert.equal((await openLog(fs, { segmentBytes: 1000 })).logStartOffset, 7)
})

test('offsetForTimestamp and maxTimestampOffset', async () => {
  const fs = new SimFileSystem()
  const log = await openLog(fs, { segmentBytes: 1000, indexIntervalBytes: 1 })
  const stamps = [100, 200, 150, 300, 400, 250, 500, 600, 700, 800, 900, 950]
  for (const [i, ts] of stamps.entries()) log.append(batch(2, 139, i, t0 + ts))
  await log.waitWritten(log.logEndOffset)
  const check = async (log: PartitionLog, label: string) => {
    assert.deepEqual(await log.offsetForTimestamp(t0 + 50), { offset: 0, timestamp: t0 + 100 }, label)
    assert.deepEqual(await log.offsetForTimestamp(t0 + 160), { offset: 2, timestamp: t0 + 200 }, label)
    assert.deepEqual(await log.offsetForTimestamp(t0 + 260), { offset: 6, timestamp: t0 + 300 }, label)
    assert.deepEqual(await log.offsetForTimestamp(t0 + 901), { offset: 22, timestamp: t0 + 950 }, label)
    assert.equal(await log.offsetForTimestamp(t0 + 951), null, label)
    assert.deepEqual(log.maxTimestampOffset(), { offset: 23, timestamp: t0 + 950 }, label)
  }
  await check(log, 'in memory')
  await log.close()
  const reopened = await openLog(fs, { segmentBytes: 1000, maxTailBytes: 0 })
  assert.equal(reopened.segmentCount, 3)
  await check(reopened, 'from disk')
})

test('group commit: concurrent waitDurable calls share fdatasyncs, and writes are coalesced', async () => {
  const fs = new SimFileSystem()
  const log = await openLog(fs)
  const syncsBefore = fs.stats.syncs
  const writesBefore = fs.stats.writes
  const waits: Promise<void>[] = []
  for (let i = 0; i < 100; i++) {
    const { lastOffset } = log.append(batch(1, 100, i))
    waits.push(log.waitDurable(lastOffset + 1))
  }
  await Promise.all(waits)
  assert.ok(fs.stats.syncs - syncsBefore <= 2, `syncs ${fs.stats.syncs - syncsBefore}`)
  assert.ok(fs.stats.writes - writesBefore <= 2, `writes ${fs.stats.writes - writesBefore}`)
  assert.equal(log.durableEndOffset, 100)
})

test('unclean stop: the torn tail is cut and offsets continue after the last valid batch', async () => {
  const fs = new SimFileSystem({ seed: 9 })
  const log = await openLog(fs, { indexIntervalBytes: 300 })
  const kept: Buffer[] = []
  for (let i = 0; i < 10; i++) {
    log.append(batch(2, 200, i))
    await log.waitWritten(log.logEndOffset)
    kept.push((await log.read(i * 2, 1)).batches[0])
  }
  await log.flush()
  log.append(batch(4, 500, 99))
  await log.waitWritten(log.logEndOffset)
  const after = fs.crash({ keepRandomPrefix: true, tearProbability: 1 })
  const recovered = await openLog(after)
  assert.ok(recovered.logEndOffset === 20 || recovered.logEndOffset === 24)
  const all = await recovered.read(0, 1 << 20)
  assert.deepEqual(all.batches.slice(0, 10), kept)
  const next = recovered.append(batch(1, 10, 7))
  assert.equal(next.baseOffset, recovered.logEndOffset - 1)
})

test('corrupt or missing indexes of older segments are rebuilt', async () => {
  const fs = new SimFileSystem()
  const log = await openLog(fs, { segmentBytes: 1000, indexIntervalBytes: 100 })
  for (let i = 0; i < 12; i++) log.append(batch(1, 139, i, t0 + i))
  await log.close()
  await fs.remove(`${dir}/00000000000000000000.index`)
  await fs.writeFileAtomic(`${dir}/00000000000000000005.timeindex`, Buffer.from('garbage'))
  const reopened = await openLog(fs, { segmentBytes: 1000, maxTailBytes: 0 })
  assert.equal(readInt64((await reopened.read(3, 1)).batches[0], 0), 3)
  assert.deepEqual(await reopened.offsetForTimestamp(t0 + 6), { offset: 6, timestamp: t0 + 6 })
  assert.ok(await fs.exists(`${dir}/00000000000000000000.index`))
})

test('producer state is updated on append and survives clean and unclean restarts', async () => {
  const fs = new SimFileSystem()
  const log = await openLog(fs)
  const produce = (sequence: number, count: number) => {
    const b = makeTestBatch({ recordsCount: count, producerId: 42, producerEpoch: 1, baseSequence: sequence })
    return log.append({ batch: b, recordsCount: count, maxTimestamp: t0 })
  }
  produce(0, 5)
  produce(5, 5)
  assert.deepEqual(log.producerState.check(42, 1, 5, 9), { kind: 'duplicate', baseOffset: 5, lastOffset: 9 })
  assert.deepEqual(log.producerState.check(42, 1, 10, 10), { kind: 'ok' })
  await log.close()
  const clean = await openLog(fs)
  assert.deepEqual(clean.producerState.check(42, 1, 0, 4), {
    kind: 'duplicate',
    baseOffset: 0,
    lastOffset: 4,
  })
  clean.append({
    batch: makeTestBatch({ recordsCount: 1, producerId: 42, producerEpoch: 1, baseSequence: 10 }),
    recordsCount: 1,
    maxTimestamp: t0,
  })
  await clean.flush()
  const unclean = await openLog(fs.crash())
  assert.deepEqual(unclean.producerState.check(42, 1, 10, 10), {
    kind: 'duplicate',
    baseOffset: 10,
    lastOffset: 10,
  })
  assert.deepEqual(unclean.producerState.check(42, 1, 12, 12), { kind: 'outOfOrder', expectedSequence: 11 })
})

test("producer state keeps the max timestamp of a producer's last batch across restarts, as Kafka (#9)", async () => {
  const fs = new SimFileSystem()
  const clock = new SimClock(t0)
  const log = await openLog(fs, {}, clock)
  const old = t0 - 10 * 86_400_000
  const produce = (target: PartitionLog, sequence: number, maxTimestampMs: number) =>
    target.append({
      batch: makeTestBatch({
        recordsCount: 1,
        producerId: 42,
        producerEpoch: 0,
        baseSequence: sequence,
        baseTimestampMs: maxTimestampMs,
      }),
      recordsCount: 1,
      maxTimestamp: maxTimestampMs,
    })
  produce(log, 0, old + 5000)
  produce(log, 1, old + 1000) // older than the batch before: the last batch's value counts, not the max
  assert.equal(log.producerState.get(42)?.lastBatchTimestampMs, old + 1000)
  // Expiry still counts from the append on the broker's clock: the producer's old timestamps do not expire it.
  log.expireProducers(t0 + 1000)
  assert.equal(log.producerState.get(42)?.lastBatchTimestampMs, old + 1000)
  await log.close()
  const clean = await openLog(fs, {}, clock) // from the snapshot
  assert.equal(clean.producerState.get(42)?.lastBatchTimestampMs, old + 1000)
  produce(clean, 2, old + 3000)
  await clean.flush()
  const unclean = await openLog(fs.crash(), {}, clock) // replayed from the log
  assert.equal(unclean.producerState.get(42)?.lastBatchTimestampMs, old + 3000)
})

test('segment.jitter.ms: each segment rolls up to its own jitter before segment.ms, the same after a reopen (#9)', async () => {
  const rollAt = async (fs: SimFileSystem, path: string, config: Partial<LogConfig>) => {
    const log = await PartitionLog.open(fs, new SimClock(t0), path, config)
    log.append(batch(1, 10, 0, t0))
    let at = 1
    while (log.segmentCount === 1 && at <= 2000) log.append(batch(1, 10, at, t0 + at++))
    await log.close()
    return at - 1
  }
  const jittered = { segmentMs: 1000, segmentJitterMs: 400 }
  const fs = new SimFileSystem()
  const rolls: number[] = []
  for (let p = 0; p < 8; p++) {
    const at = await rollAt(fs, `/data/j-${p}`, jittered)
    // Kafka's rule: rolled once the segment is older than segment.ms less a jitter in [0, 400).
    assert.ok(at > 1000 - 400 && at <= 1001, `partition ${p} rolled at ${at} ms`)
    rolls.push(at)
  }
  assert.ok(new Set(rolls).size > 1, `partitions roll at different times: ${rolls.join(', ')}`)
  // The draw is the segment's: the same directory and base offset roll at the same age again.
  assert.equal(await rollAt(new SimFileSystem(), '/data/j-0', jittered), rolls[0])
  // Without jitter every partition rolls at segment.ms exactly.
  for (let p = 0; p < 3; p++) assert.equal(await rollAt(fs, `/data/n-${p}`, { segmentMs: 1000 }), 1001)
})

test('segment.index.bytes: a segment rolls before its index would hold more entries than the bound (#9)', async () => {
  // 24 bytes: 3 offset entries (8 bytes each) or 2 time entries (12 bytes each). With an entry for every
  // batch after a segment's first, and rising timestamps, a segment takes 3 batches.
  const fs = new SimFileSystem()
  const log = await openLog(fs, { segmentIndexBytes: 24, indexIntervalBytes: 1 })
  for (let i = 0; i < 12; i++) log.append(batch(1, 10, i, t0 + i))
  await log.flush()
  assert.deepEqual(log.segmentBaseOffsets(), [0, 3, 6, 9])
  await log.close()
  for (const name of await fs.list(dir))
    if (name.endsWith('.index')) assert.ok((await fs.readFile(`${dir}/${name}`)).length <= 24, name)
  const unbounded = await PartitionLog.open(fs, new SimClock(t0), '/data/u-0', { indexIntervalBytes: 1 })
  for (let i = 0; i < 12; i++) unbounded.append(batch(1, 10, i, t0 + i))
  assert.equal(unbounded.segmentCount, 1)
  await unbounded.close()
})

test('file.delete.delay.ms: deleted segments are renamed .deleted and removed after the delay (#9)', async () => {
  const clock = new SimClock(t0)
  const fs = new SimFileSystem()
  const log = await openLog(fs, { segmentBytes: 1000, fileDeleteDelayMs: 60_000 }, clock)
  for (let i = 0; i < 12; i++) log.append(batch(1, 139, i))
  await log.flush()
  assert.equal(await log.deleteRecordsBefore(7), 7)
  const pending = ['00000000000000000000.index', '00000000000000000000.timeindex', '00000000000000000000.log']
  let names = await fs.list(dir)
  for (const name of pending) {
    assert.ok(names.includes(`${name}.deleted`), `${name}.deleted kept for the delay`)
    assert.ok(!names.includes(name), `${name} no longer a segment file`)
  }
  assert.equal(readInt64((await log.read(7, 10)).batches[0], 0), 7)
  await clock.advanceAsync(59_999)
  assert.ok((await fs.list(dir)).includes('00000000000000000000.log.deleted'))
  await clock.advanceAsync(1)
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve))
  names = await fs.list(dir)
  assert.deepEqual(
    names.filter((name) => name.endsWith('.deleted')),
    [],
  )
  // A delay still running at close: the next open removes the files.
  assert.equal(await log.deleteRecordsBefore(11), 11)
  assert.ok((await fs.list(dir)).includes('00000000000000000005.log.deleted'))
  await log.close()
  const reopened = await openLog(fs, { segmentBytes: 1000 })
  assert.deepEqual(
    (await fs.list(dir)).filter((name) => name.endsWith('.deleted')),
    [],
  )
  assert.equal(reopened.logStartOffset, 11)
  await reopened.close()
  // 0: removed at once.
  const now = await PartitionLog.open(fs, clock, '/data/z-0', { segmentBytes: 1000, fileDeleteDelayMs: 0 })
  for (let i = 0; i < 12; i++) now.append(batch(1, 139, i))
  await now.flush()
  await now.deleteRecordsBefore(7)
  assert.deepEqual(
    await fs.list('/data/z-0').then((n) => n.filter((name) => name.startsWith('00000000000000000000'))),
    [],
  )
  await now.close()
})
