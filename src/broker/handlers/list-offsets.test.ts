// ListOffsets' exact-record lookup on a partition holding one big compressed batch (#7): other work gets
// turns while it runs, the answer is still the exact record, and its decompressed bytes come from the
// broker-wide decompression pool.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ErrorCode } from '../../protocol/index.js'
import {
  assembleBatch,
  Compression,
  type CompressionCodec,
  compress,
  writeVarint,
} from '../../record-batch/index.js'
import { type SimClock, type TestBroker, createTestBroker, turnsDuring } from '../../testing/index.js'
import { listOffsets } from './list-offsets.js'

const baseMs = 1_700_000_000_000

/**
 * `count` tiny null-key records whose timestamps are baseMs + index, except record `spikeAt`, which has
 * the batch's largest timestamp (baseMs + count + 500); compressed with `codec` into one batch.
 */
function bigBatch(codec: CompressionCodec, count: number, spikeAt: number): Buffer {
  const body = Buffer.allocUnsafe(count * 16)
  let at = 0
  for (let i = 0; i < count; i++) {
    const start = at
    at += 1 // length, patched below (under 64 bytes: one byte)
    body[at++] = 0 // attributes
    at = writeVarint(body, i === spikeAt ? count + 500 : i, at) // timestampDelta
    at = writeVarint(body, i, at) // offsetDelta
    body[at++] = 1 // key -1
    body[at++] = 1 // value -1
    body[at++] = 0 // no headers
    writeVarint(body, at - start - 1, start)
  }
  return assembleBatch(compress(codec, body.subarray(0, at)), {
    baseOffset: 0,
    partitionLeaderEpoch: -1,
    attributes: codec,
    lastOffsetDelta: count - 1,
    baseTimestamp: baseMs,
    maxTimestamp: baseMs + count + 500,
    producerId: -1,
    producerEpoch: -1,
    baseSequence: -1,
    recordsCount: count,
  })
}

async function withBatch(batch: Buffer, count: number, maxTimestamp: number): Promise<TestBroker> {
  const broker = await createTestBroker()
  assert.equal((await broker.topics.createTopic({ name: 'bombs', numPartitions: 1 })).ok, true)
  const log = await broker.context.partitions.log('bombs', 0)
  assert.ok(log !== undefined)
  const outcome = log.append({ batch, recordsCount: count, maxTimestamp })
  await log.waitDurable(outcome.lastOffset + 1)
  return broker
}

function ask(broker: TestBroker, timestamp: number) {
  return broker
    .call(listOffsets, 7, {
      replicaId: -1,
      isolationLevel: 0,
      topics: [{ name: 'bombs', partitions: [{ partitionIndex: 0, timestamp }] }],
    })
    .then((response) => response.topics[0].partitions[0])
}

describe('ListOffsets exact record in a big batch (#7)', () => {
  const count = 2_000_000
  const spikeAt = 1_234_567
  for (const codec of [Compression.gzip, Compression.lz4] as const) {
    it(`#7: a ${codec === Compression.gzip ? 'gzip' : 'lz4'} batch of 2M records is walked in slices, answering the exact record`, async () => {
      const broker = await withBatch(bigBatch(codec, count, spikeAt), count, baseMs + count + 500)
      // By timestamp: record 1,000,000 is the first at or after baseMs + 1,000,000 (50 slices in); at
      // baseMs + 1,900,000 it is the spike, which comes before the records that reach that time.
      const middle = await turnsDuring(() => ask(broker, baseMs + 1_000_000))
      assert.equal(middle.value.errorCode, ErrorCode.NONE)
      assert.deepEqual([middle.value.offset, middle.value.timestamp], [1_000_000, baseMs + 1_000_000])
      const late = await turnsDuring(() => ask(broker, baseMs + 1_900_000))
      assert.deepEqual([late.value.offset, late.value.timestamp], [spikeAt, baseMs + count + 500])
      // MAX_TIMESTAMP walks every record: 100 slices of 20,000.
      const max = await turnsDuring(() => ask(broker, -3))
      assert.equal(max.value.errorCode, ErrorCode.NONE)
      assert.deepEqual([max.value.offset, max.value.timestamp], [spikeAt, baseMs + count + 500])
      // Decoded at once (before #7) the bystander got no turn between the read and the answer.
      assert.ok(middle.turns >= 40, `bystander turns during a timestamp lookup: ${middle.turns}`)
      assert.ok(max.turns >= 80, `bystander turns during MAX_TIMESTAMP: ${max.turns}`)
      assert.equal(broker.context.decompression.inUse, 0, 'the pool is whole again')
      await broker.close()
    })
  }

  it('#7: the lookup reserves its decompressed bytes from the broker-wide pool and releases them', async () => {
    const records = 50_000
    const broker = await withBatch(
      bigBatch(Compression.lz4, records, 45_000),
      records,
      baseMs + records + 500,
    )
    const pool = broker.context.decompression
    const reserved: number[] = []
    const inUseDuring: number[] = []
    const reserve = pool.reserve.bind(pool)
    pool.reserve = async (bytes) => {
      reserved.push(bytes)
      const lease = await reserve(bytes)
      inUseDuring.push(pool.inUse)
      return lease
    }
    const at = await ask(broker, baseMs + 40_000)
    assert.deepEqual([at.offset, at.timestamp], [40_000, baseMs + 40_000])
    assert.equal(reserved.length, 1)
    assert.ok(reserved[0] > 0 && reserved[0] <= 128 * 1024 * 1024, `reserved ${reserved[0]}`)
    assert.equal(inUseDuring[0], reserved[0], 'held while decompressing')
    assert.equal(pool.inUse, 0, 'released once answered')
    await broker.close()
  })

  it('#7: no room in the decompression pool in time answers REQUEST_TIMED_OUT (retriable)', async () => {
    const records = 1000
    const broker = await withBatch(bigBatch(Compression.gzip, records, 10), records, baseMs + records + 500)
    const clock = broker.clock as SimClock
    const pool = broker.context.decompression
    const hog = await pool.reserve(pool.bytesMax)
    assert.ok(hog !== null)
    const timersBefore = clock.pendingTimers
    const answer = ask(broker, -3)
    for (let i = 0; i < 1000 && clock.pendingTimers === timersBefore; i++)
      await new Promise((resolve) => setImmediate(resolve))
    assert.ok(clock.pendingTimers > timersBefore, 'the lookup waits for room')
    clock.advance(broker.context.config.produceDecompressedWaitMaxMs)
    const timedOut = await answer
    assert.deepEqual([timedOut.errorCode, timedOut.offset], [ErrorCode.REQUEST_TIMED_OUT, -1])
    hog.release()
    const max = await ask(broker, -3)
    assert.deepEqual([max.errorCode, max.offset, max.timestamp], [ErrorCode.NONE, 10, baseMs + records + 500])
    await broker.close()
  })
})
