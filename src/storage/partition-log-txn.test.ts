// Transactions in PartitionLog (#12): ongoing transactions in the producer state, markers (control batches
// in Kafka's format), the last stable offset, the aborted-transaction index, read_committed reads, and
// the same state after a clean close, an unclean stop, retention and old (version 1) snapshots.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  Attributes,
  BatchOffsets,
  buildRecordBatch,
  decodeBatch,
  parseControlRecord,
  readInt64,
} from '../record-batch/index.js'
import { makeTestBatch, SimClock, SimFileSystem } from '../testing/index.js'
import {
  abortedBatchSpans,
  type AppendBatch,
  LogFiles,
  type LogConfig,
  PartitionLog,
  ProducerStateTable,
} from './index.js'

const dir = '/data/txn-0'
const t0 = 1_700_000_000_000

/** A batch of `count` records; transactional when `txn`, idempotent when producerId >= 0. */
function batch(producerId: number, sequence: number, count: number, txn: boolean, epoch = 0): AppendBatch {
  const records = Array.from({ length: count }, (_, i) => ({ value: `p${producerId}-s${sequence + i}` }))
  return {
    batch: buildRecordBatch(records, {
      producerId,
      producerEpoch: producerId < 0 ? -1 : epoch,
      baseSequence: producerId < 0 ? -1 : sequence,
      isTransactional: txn,
      nowMs: t0,
    }),
    recordsCount: count,
    maxTimestamp: t0,
  }
}

async function openLog(fs: SimFileSystem, config: Partial<LogConfig> = {}) {
  return PartitionLog.open(fs, new SimClock(t0), dir, config)
}

async function readAll(log: PartitionLog, readCommitted: boolean): Promise<Buffer[]> {
  const out: Buffer[] = []
  let offset = log.logStartOffset
  for (;;) {
    const r = await log.read(offset, 1 << 20, readCommitted)
    if (r.batches.length === 0) return out
    for (const b of r.batches) {
      out.push(b)
      offset = readInt64(b, 0) + b.readInt32BE(BatchOffsets.lastOffsetDelta) + 1
    }
  }
}

test('markers are control batches in Kafka format and end the transaction (#12)', async () => {
  const fs = new SimFileSystem()
  const log = await openLog(fs)
  assert.deepEqual(log.append(batch(7, 0, 3, true, 2)), { status: 'appended', baseOffset: 0, lastOffset: 2 })
  assert.equal(log.producerState.get(7)?.currentTxnFirstOffset, 0)
  assert.deepEqual(log.ongoingTransactions(), [{ producerId: 7, producerEpoch: 2, firstOffset: 0 }])
  const marker = log.appendMarker({ producerId: 7, producerEpoch: 2, commit: true, coordinatorEpoch: 5 })
  assert.deepEqual(marker, { status: 'appended', baseOffset: 3, lastOffset: 3 })
  assert.equal(log.producerState.get(7)?.currentTxnFirstOffset, null)
  assert.deepEqual(log.ongoingTransactions(), [])
  await log.waitDurable(4)
  const control = (await log.read(3, 1 << 20)).batches[0]
  assert.ok(control !== undefined)
  const decoded = decodeBatch(control)
  assert.equal(decoded.header.attributes & (Attributes.control | Attributes.transactional), 0x30)
  assert.equal(decoded.header.attributes & ~0x30, 0) // uncompressed, CreateTime
  assert.equal(decoded.header.producerId, 7)
  assert.equal(decoded.header.producerEpoch, 2)
  assert.equal(decoded.header.baseSequence, -1)
  assert.equal(decoded.records.length, 1)
  const record = decoded.records[0]
  assert.deepEqual([...record.key!], [0, 0, 0, 1]) // version 0, type 1 (commit)
  assert.deepEqual([...record.value!], [0, 0, 0, 0, 0, 5]) // version 0, coordinatorEpoch 5
  assert.deepEqual(parseControlRecord(record), { type: 1, coordinatorEpoch: 5 })
  // An older epoch is refused and appends nothing.
  const stale = log.appendMarker({ producerId: 7, producerEpoch: 1, commit: false, coordinatorEpoch: 5 })
  assert.equal(stale.status, 'invalidEpoch')
  assert.equal(log.logEndOffset, 4)
  await log.close()
})

test('last stable offset, aborted index and read_committed reads (#12)', async () => {
  const fs = new SimFileSystem()
  const log = await openLog(fs)
  log.append(batch(-1, 0, 2, false)) // 0-1 plain
  log.append(batch(1, 0, 2, true)) // 2-3 txn of producer 1
  log.append(batch(2, 0, 1, true)) // 4 txn of producer 2
  log.append(batch(-1, 0, 1, false)) // 5 plain
  await log.waitWritten(6)
  assert.equal(log.highWatermark, 6)
  assert.equal(log.lastStableOffset, 2)
  // read_committed stops at the LSO; read_uncommitted at the high watermark.
  assert.deepEqual(
    (await readAll(log, true)).map((b) => readInt64(b, 0)),
    [0],
  )
  assert.equal((await readAll(log, false)).length, 4)
  const read = await log.read(0, 1 << 20, true)
  assert.equal(read.lastStableOffset, 2)
  assert.equal(read.highWatermark, 6)

  log.appendMarker({ producerId: 1, producerEpoch: 0, commit: false, coordinatorEpoch: 0 }) // 6
  // The marker is not visible yet: producer 1's records stay unstable until it is.
  assert.equal(log.lastStableOffset, 2)
  await log.waitWritten(7)
  assert.equal(log.lastStableOffset, 4)
  assert.deepEqual(log.abortedTransactions(0, 4), [{ producerId: 1, firstOffset: 2 }])
  assert.deepEqual(log.abortedTransactions(0, 2), [])
  assert.deepEqual(log.abortedTransactions(7, 100), [])
  log.appendMarker({ producerId: 2, producerEpoch: 0, commit: true, coordinatorEpoch: 0 }) // 7
  await log.waitWritten(8)
  assert.equal(log.lastStableOffset, 8)
  assert.equal(log.lastStableOffset, log.highWatermark)
  assert.deepEqual(log.abortedTransactions(3, 8), [{ producerId: 1, firstOffset: 2 }])
  assert.equal((await readAll(log, true)).length, 6)
  await log.close()
})

test('the aborted-index search stops at the first abort whose stable offset covers the range (#12)', async () => {
  const fs = new SimFileSystem()
  const log = await openLog(fs)
  // Producer 1 opens at 0, producer 2 at 1; 2 aborts (marker 2) while 1 is still open; 1 aborts (3);
  // producer 3 opens at 4 and aborts (5).
  log.append(batch(1, 0, 1, true))
  log.append(batch(2, 0, 1, true))
  log.appendMarker({ producerId: 2, producerEpoch: 0, commit: false, coordinatorEpoch: 0 })
  log.appendMarker({ producerId: 1, producerEpoch: 0, commit: false, coordinatorEpoch: 0 })
  log.append(batch(3, 0, 1, true))
  log.appendMarker({ producerId: 3, producerEpoch: 0, commit: false, coordinatorEpoch: 0 })
  await log.waitWritten(6)
  assert.deepEqual(log.abortedTransactions(0, 1), [{ producerId: 1, firstOffset: 0 }])
  assert.deepEqual(log.abortedTransactions(0, 6), [
    { producerId: 2, firstOffset: 1 },
    { producerId: 1, firstOffset: 0 },
    { producerId: 3, firstOffset: 4 },
  ])
  assert.deepEqual(log.abortedTransactions(4, 6), [{ producerId: 3, firstOffset: 4 }])
  await log.close()
})

test('transactions survive a clean close, an unclean stop and rolls; old snapshots read as none (#12)', async () => {
  for (const clean of [true, false]) {
    const fs = new SimFileSystem()
    const log = await openLog(fs, { segmentBytes: 300 })
    let sequence = 0
    for (let i = 0; i < 12; i++) {
      log.append(batch(1, sequence, 1, true))
      log.append(batch(2, sequence, 1, true))
      sequence++
      if (i % 3 === 2)
        log.appendMarker({ producerId: 1, producerEpoch: 0, commit: i % 2 === 0, coordinatorEpoch: 0 })
    }
    await log.flush()
    const before = {
      lso: log.lastStableOffset,
      aborted: log.abortedTransactions(0, log.logEndOffset),
      ongoing: log.ongoingTransactions(),
      segments: log.segmentCount,
    }
    assert.ok(before.segments > 2, 'the log rolled')
    assert.equal(before.aborted.length, 2)
    assert.equal(before.ongoing.length, 1)
    let after = fs
    if (clean) await log.close()
    else after = fs.crash()
    const reopened = await PartitionLog.open(after, new SimClock(t0), dir, { segmentBytes: 300 })
    assert.equal(reopened.lastStableOffset, before.lso)
    assert.deepEqual(reopened.abortedTransactions(0, reopened.logEndOffset), before.aborted)
    assert.deepEqual(reopened.ongoingTransactions(), before.ongoing)
    await reopened.close()
  }
  // A version 1 snapshot (written before transactions) reads as no ongoing and no aborted transactions.
  const v1 = Buffer.from(
    JSON.stringify({ version: 1, endOffset: 10, producers: [[4, 1, t0, [[0, 4, 5, 9]]]] }),
  )
  const loaded = ProducerStateTable.fromSnapshot(v1)
  assert.ok(loaded !== undefined)
  assert.equal(loaded.table.get(4)?.currentTxnFirstOffset, null)
  assert.equal(loaded.table.firstOngoingOffset(), undefined)
  assert.equal(loaded.aborted.size, 0)
  assert.equal(LogFiles.producerSnapshot, 'producer-state.snapshot')
})

test('retention and DeleteRecords drop aborted transactions below the log start (#12)', async () => {
  const fs = new SimFileSystem()
  const log = await openLog(fs, { segmentBytes: 200 })
  for (let i = 0; i < 6; i++) {
    log.append(batch(1, i, 1, true))
    log.appendMarker({ producerId: 1, producerEpoch: 0, commit: false, coordinatorEpoch: 0 })
  }
  await log.flush()
  assert.equal(log.abortedTransactions(0, 100).length, 6)
  await log.deleteRecordsBefore(5)
  // Markers at 1 and 3 are below the new start; the one at 5 ends the transaction that began at 4.
  assert.deepEqual(
    log.abortedTransactions(0, 100).map((t) => t.firstOffset),
    [4, 6, 8, 10],
  )
  await log.close()
  const reopened = await openLog(fs, { segmentBytes: 200 })
  assert.deepEqual(
    reopened.abortedTransactions(0, 100).map((t) => t.firstOffset),
    [4, 6, 8, 10],
  )
  await reopened.close()
})

test('a producer with an ongoing transaction is not expired (#12)', async () => {
  const fs = new SimFileSystem()
  const log = await openLog(fs, { producerIdExpirationMs: 1000 })
  log.append(batch(1, 0, 1, true))
  log.append(batch(2, 0, 1, false))
  assert.equal(log.expireProducers(t0 + 10_000), 1)
  assert.equal(log.producerState.get(1)?.currentTxnFirstOffset, 0)
  assert.equal(log.producerState.get(2), undefined)
  await log.close()
})

test('recovery reads a marker whole where it straddles the scan chunk (#12)', async () => {
  const fs = new SimFileSystem()
  const log = await openLog(fs)
  const txn = batch(5, 0, 1, true)
  log.append(txn)
  // Filler so that the marker starts 70 bytes before the 1 MiB scan chunk ends.
  const fillerBytes = 1024 * 1024 - 70 - txn.batch.length
  log.append({ batch: makeTestBatch({ payloadBytes: fillerBytes - 61 }), recordsCount: 1, maxTimestamp: t0 })
  log.appendMarker({ producerId: 5, producerEpoch: 0, commit: false, coordinatorEpoch: 0 })
  await log.flush()
  const reopened = await PartitionLog.open(fs.crash(), new SimClock(t0), dir, {})
  assert.deepEqual(reopened.abortedTransactions(0, 3), [{ producerId: 5, firstOffset: 0 }])
  assert.equal(reopened.lastStableOffset, 3)
  await reopened.close()
})

test('compaction compacts committed transactional records by key and keeps aborted ones and markers whole: read_committed keeps the latest values and the aborted list is unchanged (#12, #9)', async () => {
  const fs = new SimFileSystem()
  const clock = new SimClock(t0)
  const config: Partial<LogConfig> = {
    cleanupPolicyCompact: true,
    cleanupPolicyDelete: false,
    segmentBytes: 400,
    minCleanableDirtyRatio: 0,
  }
  const log = await PartitionLog.open(fs, clock, dir, config)
  const keyedBatch = (
    key: string,
    value: string,
    producerId = -1,
    txn = false,
    sequence = 0,
  ): AppendBatch => ({
    batch: buildRecordBatch([{ key, value, timestampMs: t0 }], {
      producerId,
      producerEpoch: producerId < 0 ? -1 : 0,
      baseSequence: producerId < 0 ? -1 : sequence,
      isTransactional: txn,
      nowMs: t0,
    }),
    recordsCount: 1,
    maxTimestamp: t0,
  })
  for (let round = 0; round < 4; round++) {
    log.append(keyedBatch('k', `plain-${round}`))
    log.append(keyedBatch('k', `aborted-${round}`, 1, true, round))
    log.appendMarker({ producerId: 1, producerEpoch: 0, commit: false, coordinatorEpoch: 0 })
    log.append(keyedBatch('k', `committed-${round}`, 2, true, round))
    log.appendMarker({ producerId: 2, producerEpoch: 0, commit: true, coordinatorEpoch: 0 })
  }
  log.append(keyedBatch('other', 'last'))
  await log.flush()
  const committedValues = async () => {
    const out: string[] = []
    let offset = log.logStartOffset
    for (;;) {
      const read = await log.read(offset, 1 << 20, true)
      if (read.batches.length === 0) return out
      const last = read.batches.at(-1)!
      const end = readInt64(last, 0) + last.readInt32BE(BatchOffsets.lastOffsetDelta) + 1
      const spans = abortedBatchSpans(read.batches, log.abortedTransactions(offset, end))
      for (const batch of read.batches) {
        const base = readInt64(batch, 0)
        const decoded = decodeBatch(batch)
        if (decoded.isControl || spans.some((s) => s.firstOffset === base)) continue
        for (const r of decoded.records) if (r.offset >= offset) out.push(String(r.value))
      }
      offset = end
    }
  }
  const before = await committedValues()
  const abortedBefore = log.abortedTransactions(0, log.logEndOffset)
  assert.deepEqual(
    before.filter((v) => v.startsWith('aborted')),
    [],
  )
  const result = await log.clean({ dedupeBufferBytes: 1 << 20 })
  assert.ok(result !== undefined, 'the cleaner ran')
  const after = await committedValues()
  // Superseded plain and committed records of the key are compacted away, as Kafka does; the aborted ones
  // (kept whole for read_uncommitted) never show, and never shadow a committed value.
  assert.deepEqual(before.slice(-3), ['plain-3', 'committed-3', 'last'])
  assert.deepEqual(after, ['committed-3', 'last'])
  assert.deepEqual(log.abortedTransactions(0, log.logEndOffset), abortedBefore)
  await log.close()
})

test('#12: a marker older than the coordinator epoch of the producer’s last marker is refused, after a clean close and a crash too', async () => {
  const fs = new SimFileSystem()
  const log = await openLog(fs)
  log.append(batch(7, 0, 1, true))
  assert.equal(
    log.appendMarker({ producerId: 7, producerEpoch: 0, commit: true, coordinatorEpoch: 3 }).status,
    'appended',
  )
  assert.equal(log.producerState.get(7)?.coordinatorEpoch, 3)
  log.append(batch(7, 1, 1, true))
  const stale = log.appendMarker({ producerId: 7, producerEpoch: 0, commit: false, coordinatorEpoch: 2 })
  assert.deepEqual(stale, {
    status: 'coordinatorFenced',
    baseOffset: -1,
    lastOffset: -1,
    currentCoordinatorEpoch: 3,
  })
  assert.equal(log.logEndOffset, 3, 'nothing appended')
  assert.equal(log.producerState.get(7)?.currentTxnFirstOffset, 2, 'the transaction is still open')
  await log.close()
  // The producer snapshot of a clean close keeps the epoch; a crash rebuilds it from the markers.
  let current = fs
  for (const crash of [false, true]) {
    if (crash) current = current.crash()
    const reopened = await PartitionLog.open(current, new SimClock(t0), dir, {})
    assert.equal(reopened.producerState.get(7)?.coordinatorEpoch, 3)
    assert.equal(
      reopened.appendMarker({ producerId: 7, producerEpoch: 0, commit: false, coordinatorEpoch: 2 }).status,
      'coordinatorFenced',
    )
    await reopened.close()
  }
  const last = await PartitionLog.open(current, new SimClock(t0), dir, {})
  assert.equal(
    last.appendMarker({ producerId: 7, producerEpoch: 0, commit: false, coordinatorEpoch: 4 }).status,
    'appended',
  )
  assert.equal(last.producerState.get(7)?.coordinatorEpoch, 4)
  await last.close()
})
