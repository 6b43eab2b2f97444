// A clean stop and restart of a real broker process: batches in every compression codec come back byte for
// byte, and topic ids and config overrides survive.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ApiKey, ErrorCode, ZERO_UUID } from '../../src/protocol/index.js'
import {
  Compression,
  buildRecordBatch,
  decodeBatch,
  setBaseOffset,
  setPartitionLeaderEpoch,
} from '../../src/record-batch/index.js'
import { BrookProcess } from './brook-process.js'
import {
  TOPIC_RESOURCE,
  createTopic,
  describeTopicConfigs,
  fetchPartition,
  metadata,
  producePartition,
} from './kafka-requests.js'
import { RawKafkaClient, withConnection } from './raw-kafka-client.js'

const codecs = Object.entries(Compression) as [string, number][]

/** What a produced batch looks like in the log: the client's bytes with base offset and leader epoch set. */
function asStored(batch: Buffer, baseOffset: number): Buffer {
  const stored = Buffer.from(batch)
  setBaseOffset(stored, baseOffset)
  setPartitionLeaderEpoch(stored, 0)
  return stored
}

function recordsOf(index: number, count: number) {
  return Array.from({ length: count }, (_, i) => ({
    key: `key-${index}-${i}`,
    // Repetitive values so that every codec actually shrinks them.
    value: `value ${i} `.repeat(20 + i),
    headers: [{ key: 'h', value: `header ${i}` }],
    timestampMs: 1_700_000_000_000 + i,
  }))
}

test('batches of every codec, topic ids and config overrides survive a SIGTERM restart', async () => {
  let brook = await BrookProcess.start()
  try {
    const sent = new Map<string, Buffer[]>()
    const topicIds = new Map<string, string>()
    await withConnection(brook.port, async (client) => {
      for (const [name, codec] of codecs) {
        const topic = `codec-${name}`
        topicIds.set(topic, await createTopic(client, topic, 1, { 'max.message.bytes': '500000' }))
        const batches: Buffer[] = []
        let nextOffset = 0
        for (let b = 0; b < 3; b++) {
          const batch = buildRecordBatch(recordsOf(b, 5 + b), { compression: codec as never })
          const result = await producePartition(client, topic, 0, batch)
          assert.equal(result.errorCode, ErrorCode.NONE, `${topic}: ${result.errorMessage}`)
          assert.equal(result.baseOffset, nextOffset)
          batches.push(asStored(batch, nextOffset))
          nextOffset += 5 + b
        }
        sent.set(topic, batches)
      }
      const altered = await client.request(ApiKey.IncrementalAlterConfigs, 1, {
        resources: [
          {
            resourceType: TOPIC_RESOURCE,
            resourceName: 'codec-gzip',
            configs: [{ name: 'retention.ms', configOperation: 0, value: '123456789' }],
          },
        ],
        validateOnly: false,
      })
      assert.equal(altered.responses[0].errorCode, ErrorCode.NONE, altered.responses[0].errorMessage)
    })

    const before = await readState(brook.port, [...sent.keys()])
    for (const [topic, batches] of sent) {
      assert.deepEqual(
        before.batches.get(topic),
        batches,
        `${topic}: fetched batches differ before the restart`,
      )
    }

    const exit = await brook.stop('SIGTERM')
    assert.deepEqual(exit, { code: 0, signal: null }, brook.output)
    brook = await brook.restart()

    const afterRestart = await readState(brook.port, [...sent.keys()])
    for (const [topic, batches] of sent) {
      const fetched = afterRestart.batches.get(topic)!
      assert.equal(fetched.length, batches.length, `${topic}: batch count changed`)
      for (let i = 0; i < batches.length; i++) {
        assert.ok(fetched[i].equals(batches[i]), `${topic}: batch ${i} differs after the restart`)
        const decoded = decodeBatch(fetched[i])
        assert.equal(decoded.codec, Compression[topic.slice('codec-'.length) as keyof typeof Compression])
        const expected = recordsOf(i, 5 + i)
        assert.deepEqual(
          decoded.records.map((r) => [
            r.key?.toString(),
            r.value?.toString(),
            r.headers[0].value?.toString(),
            r.timestampMs,
          ]),
          expected.map((r) => [r.key, r.value, r.headers[0].value, r.timestampMs]),
        )
      }
      assert.notEqual(topicIds.get(topic), ZERO_UUID)
      assert.equal(afterRestart.topicIds.get(topic), topicIds.get(topic), `${topic}: topic id changed`)
    }
    // configSource 1 is DYNAMIC_TOPIC_CONFIG: an override, not a default that happens to match.
    assert.deepEqual(afterRestart.gzipRetentionMs, { value: '123456789', configSource: 1 })
    assert.deepEqual(afterRestart.noneMaxMessageBytes, { value: '500000', configSource: 1 })
    assert.equal(
      afterRestart.noneRetentionMs?.configSource,
      5,
      'retention.ms override leaked to another topic',
    )

    // The restarted log keeps assigning offsets after what it recovered.
    await withConnection(brook.port, async (client) => {
      const result = await producePartition(client, 'codec-zstd', 0, buildRecordBatch([{ value: 'after' }]))
      assert.equal(result.errorCode, ErrorCode.NONE)
      assert.equal(result.baseOffset, 5 + 6 + 7)
    })
  } finally {
    await brook.cleanup()
  }
})

async function readState(port: number, topics: string[]) {
  return withConnection(port, async (client) => {
    const batches = new Map<string, Buffer[]>()
    for (const topic of topics) {
      const fetched = await fetchPartition(client, topic, 0)
      assert.equal(fetched.errorCode, ErrorCode.NONE)
      batches.set(topic, fetched.batches)
    }
    const meta = await metadata(client, topics)
    const topicIds = new Map<string, string>()
    for (const t of meta.topics) {
      assert.equal(t.errorCode, ErrorCode.NONE)
      topicIds.set(t.name, t.topicId)
    }
    const gzip = await describeTopicConfigs(client, 'codec-gzip')
    const none = await describeTopicConfigs(client, 'codec-none')
    return {
      batches,
      topicIds,
      gzipRetentionMs: gzip.get('retention.ms'),
      noneMaxMessageBytes: none.get('max.message.bytes'),
      noneRetentionMs: none.get('retention.ms'),
    }
  })
}

test('SIGTERM stops promptly while a client holds an idle connection and a long-poll Fetch', async () => {
  const brook = await BrookProcess.start()
  try {
    const idle = await RawKafkaClient.connect(brook.port)
    const polling = await RawKafkaClient.connect(brook.port)
    try {
      await createTopic(polling, 'quiet', 1)
      const fetch = polling.request(ApiKey.Fetch, 12, {
        maxWaitMs: 20000,
        minBytes: 1,
        maxBytes: 1024,
        isolationLevel: 0,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [{ topic: 'quiet', partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1024 }] }],
        forgottenTopicsData: [],
        rackId: '',
      })
      fetch.catch(() => {})
      await new Promise((resolve) => setTimeout(resolve, 100))
      const startedMs = performance.now()
      const exit = await brook.stop('SIGTERM', 5000)
      assert.deepEqual(exit, { code: 0, signal: null })
      assert.ok(performance.now() - startedMs < 5000)
      assert.equal(await idle.waitClosed(1000), true, 'the idle connection was left open')
    } finally {
      await idle.close()
      await polling.close()
    }
  } finally {
    await brook.cleanup()
  }
})
