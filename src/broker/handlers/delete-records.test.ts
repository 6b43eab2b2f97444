// DeleteRecords on a whole broker over the simulated file system (#7): the log start moves, -1 means the
// high watermark, offsets past it are OFFSET_OUT_OF_RANGE, compacted-only topics refuse, unknown ones too.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ErrorCode } from '../../protocol/index.js'
import { buildRecordBatch } from '../../record-batch/index.js'
import { createTestBroker } from '../../testing/index.js'
import { deleteRecords } from './delete-records.js'
import { fetch } from './fetch.js'
import { listOffsets } from './list-offsets.js'
import { produce } from './produce.js'

function batch(value: string): Buffer {
  return buildRecordBatch([{ key: null, value, timestampMs: 1_700_000_000_000 }], {
    nowMs: 1_700_000_000_000,
  })
}

test('#7: DeleteRecords moves the log start offset, with Kafka errors for bad offsets and topics', async () => {
  const broker = await createTestBroker()
  assert.equal((await broker.topics.createTopic({ name: 'dr', numPartitions: 2, configs: [] })).ok, true)
  const compact = [{ name: 'cleanup.policy', value: 'compact' }]
  assert.equal(
    (await broker.topics.createTopic({ name: 'kept', numPartitions: 1, configs: compact })).ok,
    true,
  )
  for (let i = 0; i < 5; i++) {
    await broker.call(produce, 9, {
      acks: 1,
      timeoutMs: 1000,
      topicData: [{ name: 'dr', partitionData: [{ index: 0, records: batch(`v${i}`) }] }],
    })
  }
  for (const version of [0, 1, 2]) {
    const answer = await broker.call(deleteRecords, version, {
      topics: [
        {
          name: 'dr',
          partitions: [
            { partitionIndex: 0, offset: 2 + version },
            { partitionIndex: 1, offset: -1 },
          ],
        },
        { name: 'kept', partitions: [{ partitionIndex: 0, offset: 0 }] },
        { name: 'nope', partitions: [{ partitionIndex: 0, offset: 1 }] },
      ],
      timeoutMs: 1000,
    })
    const [dr, kept, nope] = answer.topics
    assert.deepEqual(dr.partitions, [
      { partitionIndex: 0, lowWatermark: 2 + version, errorCode: ErrorCode.NONE },
      { partitionIndex: 1, lowWatermark: 0, errorCode: ErrorCode.NONE },
    ])
    assert.equal(kept.partitions[0].errorCode, ErrorCode.POLICY_VIOLATION)
    assert.equal(nope.partitions[0].errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
  }
  const beyond = await broker.call(deleteRecords, 2, {
    topics: [
      {
        name: 'dr',
        partitions: [
          { partitionIndex: 0, offset: 6 },
          { partitionIndex: 1, offset: -2 },
        ],
      },
    ],
    timeoutMs: 1000,
  })
  assert.deepEqual(
    beyond.topics[0].partitions.map((p) => [p.errorCode, p.lowWatermark]),
    [
      [ErrorCode.OFFSET_OUT_OF_RANGE, -1],
      [ErrorCode.OFFSET_OUT_OF_RANGE, -1],
    ],
  )
  const hw = await broker.call(deleteRecords, 2, {
    topics: [{ name: 'dr', partitions: [{ partitionIndex: 0, offset: -1 }] }],
    timeoutMs: 1000,
  })
  assert.equal(hw.topics[0].partitions[0].lowWatermark, 5)
  const earliest = await broker.call(listOffsets, 7, {
    replicaId: -1,
    isolationLevel: 0,
    topics: [{ name: 'dr', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -2 }] }],
  })
  assert.equal(earliest.topics[0].partitions[0].offset, 5)
  const old = await broker.call(fetch, 11, {
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 1 << 20,
    topics: [{ topic: 'dr', partitions: [{ partition: 0, fetchOffset: 1, partitionMaxBytes: 1 << 20 }] }],
  })
  assert.equal(old.responses[0].partitions[0].errorCode, ErrorCode.OFFSET_OUT_OF_RANGE)
  await broker.close()
})
