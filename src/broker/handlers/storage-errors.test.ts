// I/O errors reach clients as KAFKA_STORAGE_ERROR (#7), never as quiet answers: ListOffsets used to turn
// a failed read into the batch-level guess, as if nothing had gone wrong.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { FileHandle } from '../../core/index.js'
import { ErrorCode } from '../../protocol/index.js'
import { buildRecordBatch } from '../../record-batch/index.js'
import { createTestBroker, SimFileSystem } from '../../testing/index.js'
import { fetch } from './fetch.js'
import { listOffsets } from './list-offsets.js'
import { produce } from './produce.js'

/** A SimFileSystem whose file reads fail with EIO while `failReads` is set. */
class FailingReads extends SimFileSystem {
  failReads = false

  override async open(target: string, options?: { create?: boolean }): Promise<FileHandle> {
    const handle = await super.open(target, options)
    return {
      read: async (p, l) => {
        if (this.failReads) throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' })
        return handle.read(p, l)
      },
      write: (p, b) => handle.write(p, b),
      sync: () => handle.sync(),
      truncate: (l) => handle.truncate(l),
      size: () => handle.size(),
      close: () => handle.close(),
    }
  }
}

test('#7: ListOffsets and Fetch answer KAFKA_STORAGE_ERROR when the segment cannot be read', async () => {
  const fs = new FailingReads()
  const first = await createTestBroker({ fs })
  assert.equal((await first.topics.createTopic({ name: 'io', numPartitions: 1, configs: [] })).ok, true)
  const records = buildRecordBatch(
    [
      { key: null, value: 'a', timestampMs: 1_700_000_000_000 },
      { key: null, value: 'b', timestampMs: 1_700_000_000_500 },
    ],
    { nowMs: 1_700_000_000_000 },
  )
  await first.call(produce, 9, {
    acks: -1,
    timeoutMs: 1000,
    topicData: [{ name: 'io', partitionData: [{ index: 0, records }] }],
  })
  await first.close()
  // Reopened: the in-memory tail is empty, so every read goes to the segment file.
  const broker = await createTestBroker({ fs })
  fs.failReads = true
  const listed = await broker.call(listOffsets, 7, {
    replicaId: -1,
    isolationLevel: 0,
    topics: [
      {
        name: 'io',
        partitions: [
          { partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -3 },
          { partitionIndex: 0, currentLeaderEpoch: -1, timestamp: 1_700_000_000_100 },
          { partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1 },
        ],
      },
    ],
  })
  assert.deepEqual(
    listed.topics[0].partitions.map((p) => [p.errorCode, p.offset]),
    [
      [ErrorCode.KAFKA_STORAGE_ERROR, -1],
      [ErrorCode.KAFKA_STORAGE_ERROR, -1],
      [ErrorCode.NONE, 2],
    ],
  )
  const fetched = await broker.call(fetch, 11, {
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 1 << 20,
    topics: [{ topic: 'io', partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20 }] }],
  })
  assert.equal(fetched.responses[0].partitions[0].errorCode, ErrorCode.KAFKA_STORAGE_ERROR)
  fs.failReads = false
  const again = await broker.call(listOffsets, 7, {
    replicaId: -1,
    isolationLevel: 0,
    topics: [{ name: 'io', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -3 }] }],
  })
  assert.deepEqual(
    again.topics[0].partitions.map((p) => [p.errorCode, p.offset, p.timestamp]),
    [[ErrorCode.NONE, 1, 1_700_000_000_500]],
  )
  await broker.close()
})
