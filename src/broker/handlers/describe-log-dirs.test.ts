// DescribeLogDirs on a whole broker over the simulated file system (#9): the log directory with each
// partition's bytes on disk, a topic filter, the volume's sizes from v4, and a storage error for a volume
// that cannot be read.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ProtocolError } from '../../core/index.js'
import { ANSWER_BYTES_MAX_DEFAULT, ApiKey, ErrorCode, encodeResponseFrame } from '../../protocol/index.js'
import { buildRecordBatch } from '../../record-batch/index.js'
import { createTestBroker, SimFileSystem } from '../../testing/index.js'
import { describeLogDirs } from './describe-log-dirs.js'
import { produce } from './produce.js'

const VOLUME_BYTES = 10 * 2 ** 30

function batch(value: string): Buffer {
  return buildRecordBatch([{ key: null, value, timestampMs: 1_700_000_000_000 }], {
    nowMs: 1_700_000_000_000,
  })
}

test('#9: DescribeLogDirs answers the log directory with partition sizes, filtered, and the volume from v4', async () => {
  const broker = await createTestBroker({ fs: new SimFileSystem({ volumeBytes: VOLUME_BYTES }) })
  assert.equal((await broker.topics.createTopic({ name: 'sized', numPartitions: 2, configs: [] })).ok, true)
  assert.equal((await broker.topics.createTopic({ name: 'empty', numPartitions: 1, configs: [] })).ok, true)
  let produced = 0
  for (let i = 0; i < 4; i++) {
    const records = batch(`value-${i}-${'x'.repeat(100 * i)}`)
    produced += records.length
    await broker.call(produce, 9, {
      acks: 1,
      timeoutMs: 1000,
      topicData: [{ name: 'sized', partitionData: [{ index: 1, records }] }],
    })
  }
  for (const version of [0, 1, 2, 3, 4]) {
    const all = await broker.call(describeLogDirs, version, { topics: null })
    assert.equal(all.errorCode, ErrorCode.NONE)
    assert.equal(all.results.length, 1)
    const [dir] = all.results
    assert.equal(dir.errorCode, ErrorCode.NONE)
    assert.equal(dir.logDir, '/data/logs')
    const byName = new Map(dir.topics.map((t) => [t.name, t.partitions]))
    assert.deepEqual(byName.get('sized'), [
      { partitionIndex: 0, partitionSize: 0, offsetLag: 0, isFutureKey: false },
      { partitionIndex: 1, partitionSize: produced, offsetLag: 0, isFutureKey: false },
    ])
    assert.deepEqual(byName.get('empty'), [
      { partitionIndex: 0, partitionSize: 0, offsetLag: 0, isFutureKey: false },
    ])
    if (version < 4) {
      assert.equal(dir.totalBytes, -1)
      assert.equal(dir.usableBytes, -1)
    } else {
      assert.equal(dir.totalBytes, VOLUME_BYTES)
      // Files on the volume (segments, indexes, metadata) are not usable.
      assert.ok(dir.usableBytes < VOLUME_BYTES - produced, `usable ${dir.usableBytes}`)
      assert.ok(dir.usableBytes > 0)
    }
  }
  // A filter: unknown topics and partitions are left out, repeats answered once.
  const some = await broker.call(describeLogDirs, 4, {
    topics: [
      { topic: 'sized', partitions: [1, 1, 7, -1] },
      { topic: 'nope', partitions: [0] },
    ],
  })
  assert.deepEqual(some.results[0].topics, [
    {
      name: 'sized',
      partitions: [{ partitionIndex: 1, partitionSize: produced, offsetLag: 0, isFutureKey: false }],
    },
  ])
  const none = await broker.call(describeLogDirs, 4, { topics: [] })
  assert.deepEqual(none.results[0].topics, [])
  assert.equal(none.results[0].logDir, '/data/logs')
  await broker.close()
})

test('#9: DescribeLogDirs answers KAFKA_STORAGE_ERROR for the directory when its volume cannot be read', async () => {
  const broker = await createTestBroker()
  assert.equal((await broker.topics.createTopic({ name: 't', numPartitions: 1, configs: [] })).ok, true)
  broker.fs.crash()
  const answer = await broker.call(describeLogDirs, 4, { topics: null })
  assert.equal(answer.errorCode, ErrorCode.NONE)
  assert.deepEqual(answer.results, [
    {
      errorCode: ErrorCode.KAFKA_STORAGE_ERROR,
      logDir: '/data/logs',
      topics: [],
      totalBytes: -1,
      usableBytes: -1,
      // v5's field, decoded at its default from a v4 answer.
      isCordoned: false,
    },
  ])
})

test('#9: limit: the answer for all partitions is bounded by answer-bytes-max, about 22 bytes a partition', async () => {
  const broker = await createTestBroker()
  const partitionCount = 500
  assert.equal(
    (await broker.topics.createTopic({ name: 'wide', numPartitions: partitionCount, configs: [] })).ok,
    true,
  )
  const answer = await broker.call(describeLogDirs, 4, { topics: null })
  assert.equal(answer.results[0].topics[0].partitions.length, partitionCount)
  const frame = encodeResponseFrame(ApiKey.DescribeLogDirs, 4, 1, answer, ANSWER_BYTES_MAX_DEFAULT)
  const bytes = frame.reduce((sum, chunk) => sum + chunk.length, 0)
  assert.ok(bytes > 21 * partitionCount && bytes < 23 * partitionCount, `${bytes} bytes`)
  // Past the bound the dispatcher closes the connection (request-dispatcher.ts), as for any answer.
  assert.throws(() => encodeResponseFrame(ApiKey.DescribeLogDirs, 4, 1, answer, 8192), ProtocolError)
  await broker.close()
})
