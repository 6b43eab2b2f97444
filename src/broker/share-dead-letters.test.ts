// The share dead-letter copy (#7): records copied out of a big stored batch are found by walking it in
// slices, so other work gets turns, and a retry finds the letters already written the same way.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { silentLogger } from '../core/index.js'
import { assembleBatch, Compression, compress, decodeBatch, writeVarint } from '../record-batch/index.js'
import type { ShareStateRecord } from '../share-partitions/index.js'
import { createTestBroker, turnsDuring } from '../testing/index.js'
import { DEAD_LETTER_HEADERS, DeadLetterWriter } from './share-dead-letters.js'

const baseMs = 1_700_000_000_000

/** `count` records without a key whose value is their index as 4 bytes, in one lz4 batch. */
function bigBatch(count: number): Buffer {
  const body = Buffer.allocUnsafe(count * 20)
  let at = 0
  for (let i = 0; i < count; i++) {
    const start = at
    at += 1 // length (under 64 bytes: one byte)
    body[at++] = 0 // attributes
    at = writeVarint(body, 0, at) // timestampDelta
    at = writeVarint(body, i, at) // offsetDelta
    body[at++] = 1 // key -1
    at = writeVarint(body, 4, at)
    body.writeUInt32BE(i, at)
    at += 4
    body[at++] = 0 // no headers
    writeVarint(body, at - start - 1, start)
  }
  return assembleBatch(compress(Compression.lz4, body.subarray(0, at)), {
    baseOffset: 0,
    partitionLeaderEpoch: -1,
    attributes: Compression.lz4,
    lastOffsetDelta: count - 1,
    baseTimestamp: baseMs,
    maxTimestamp: baseMs,
    producerId: -1,
    producerEpoch: -1,
    baseSequence: -1,
    recordsCount: count,
  })
}

describe('DeadLetterWriter on a big stored batch (#7)', () => {
  it('#7: copies records out of a 300,000-record batch in slices, and a retry skips what it wrote', async () => {
    const broker = await createTestBroker()
    const { topics, partitions } = broker.context
    assert.equal((await topics.createTopic({ name: 'orders', numPartitions: 1 })).ok, true)
    assert.equal((await topics.createTopic({ name: 'orders.dlq', numPartitions: 1 })).ok, true)
    const count = 300_000
    const source = await partitions.log('orders', 0)
    assert.ok(source !== undefined)
    const appended = source.append({ batch: bigBatch(count), recordsCount: count, maxTimestamp: baseMs })
    await source.waitDurable(appended.lastOffset + 1)
    const topicId = topics.topic('orders')?.topicId
    assert.ok(topicId !== undefined)
    const stored: ShareStateRecord[] = []
    const writer = new DeadLetterWriter({
      topics,
      partitions,
      logger: silentLogger,
      nowMs: () => baseMs,
      groupConfig: (_group, name) =>
        ({
          'errors.deadletterqueue.topic.name': 'orders.dlq',
          'errors.deadletterqueue.copy.record.enable': 'true',
        })[name] ?? '',
      record: async (record) => {
        stored.push(record)
      },
      pause: () => new Promise<void>((resolve) => broker.clock.defer(resolve)),
    })
    const key = { groupId: 'billing', topicId, partition: 0 }
    const letter = {
      firstOffset: 250_000,
      lastOffset: 250_999,
      deliveryCount: 5,
      reason: 'rejected' as const,
    }
    const { turns } = await turnsDuring(() => writer.write(key, [letter]))
    // Two runs of 500, each walking 250,000+ records: 13 slices each (before #7: decoded at once, 0 turns).
    assert.ok(turns >= 20, `bystander turns while the letter was copied: ${turns}`)

    const dlq = await partitions.log('orders.dlq', 0)
    assert.ok(dlq !== undefined)
    const copied = () =>
      dlq.read(0, 1 << 24).then((read) =>
        read.batches.flatMap((batch) =>
          decodeBatch(batch).records.map((r) => ({
            value: r.value?.readUInt32BE(0),
            offset: Number(r.headers.find((h) => h.key === DEAD_LETTER_HEADERS.offset)?.value?.toString()),
          })),
        ),
      )
    const first = await copied()
    assert.equal(first.length, 1000)
    for (const [i, record] of first.entries())
      assert.deepEqual(record, { value: 250_000 + i, offset: 250_000 + i })

    // A retry (the target was stored, the letter not marked done) finds every letter and appends nothing.
    const target = stored.find((r) => r.type === 'share-dead-letter' && r.target !== null)
    assert.ok(target !== undefined && target.type === 'share-dead-letter' && target.target !== null)
    await writer.write(key, [{ ...letter, target: target.target }], { resumed: true })
    assert.equal((await copied()).length, 1000)
    await broker.close()
  })
})
