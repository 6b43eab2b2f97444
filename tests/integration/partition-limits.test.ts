// Partition bounds against a real broker process (#7): CreateTopics with 2^31-1 partitions and
// CreatePartitions to 100,000 used to be accepted, the broker opened files until EMFILE and could not start
// again. Now they are refused with POLICY_VIOLATION (as Kafka's controller does past 10,000 per request),
// a bystander keeps being served, and a restart finds everything as it was.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ApiKey, ErrorCode } from '../../src/protocol/index.js'
import { buildRecordBatch } from '../../src/record-batch/index.js'
import { BrookProcess } from './brook-process.js'
import { createTopic, fetchPartition, metadata, producePartition } from './kafka-requests.js'
import { type RawKafkaClient, withConnection } from './raw-kafka-client.js'

async function createTopicAnswer(client: RawKafkaClient, name: string, numPartitions: number) {
  const response = await client.request(ApiKey.CreateTopics, 7, {
    topics: [{ name, numPartitions, replicationFactor: 1, assignments: [], configs: [] }],
    timeoutMs: 10000,
    validateOnly: false,
  })
  return response.topics[0] as { errorCode: number; errorMessage: string | null }
}

async function createPartitionsAnswer(client: RawKafkaClient, name: string, count: number) {
  const response = await client.request(ApiKey.CreatePartitions, 3, {
    topics: [{ name, count, assignments: null }],
    timeoutMs: 10000,
    validateOnly: false,
  })
  return response.results[0] as { errorCode: number; errorMessage: string | null }
}

async function assertBystanderServed(client: RawKafkaClient, records: number): Promise<void> {
  const fetched = await fetchPartition(client, 'bystander', 0, 0)
  assert.equal(fetched.errorCode, ErrorCode.NONE)
  assert.equal(fetched.highWatermark, records)
}

test('#7 CreateTopics with 2^31-1 partitions and CreatePartitions to 100,000 are refused; a bystander and a restart are fine', async () => {
  let brook = await BrookProcess.start()
  try {
    await withConnection(brook.port, async (client) => {
      await createTopic(client, 'bystander', 1)
      const batch = buildRecordBatch([{ key: 'k', value: 'v', timestampMs: 1 }])
      assert.equal((await producePartition(client, 'bystander', 0, batch)).errorCode, ErrorCode.NONE)

      const started = Date.now()
      const huge = await createTopicAnswer(client, 'huge', 2147483647)
      assert.equal(huge.errorCode, ErrorCode.POLICY_VIOLATION, `${huge.errorMessage}`)
      assert.match(huge.errorMessage ?? '', /Excessively large number of partitions per request/)
      const grown = await createPartitionsAnswer(client, 'bystander', 100000)
      assert.equal(grown.errorCode, ErrorCode.POLICY_VIOLATION, `${grown.errorMessage}`)
      assert.ok(Date.now() - started < 5000, `refusals took ${Date.now() - started} ms`)

      await assertBystanderServed(client, 1)
      const meta = await metadata(client, null)
      assert.deepEqual(meta.topics.map((t: { name: string }) => t.name).sort(), ['bystander'])
    })
    await brook.stop()
    brook = await brook.restart()
    await withConnection(brook.port, async (client) => {
      await assertBystanderServed(client, 1)
      const meta = await metadata(client, ['bystander'])
      assert.equal(meta.topics[0].partitions.length, 1)
    })
  } finally {
    await brook.cleanup()
  }
})

test('#7 max-partitions bounds the partitions of all topics together; deleting a topic frees its share', async () => {
  const brook = await BrookProcess.start({ args: ['--max-partitions', '8'] })
  try {
    await withConnection(brook.port, async (client) => {
      await createTopic(client, 'a', 5)
      const over = await createTopicAnswer(client, 'b', 4)
      assert.equal(over.errorCode, ErrorCode.POLICY_VIOLATION, `${over.errorMessage}`)
      await createTopic(client, 'b', 3)
      const grown = await createPartitionsAnswer(client, 'a', 6)
      assert.equal(grown.errorCode, ErrorCode.POLICY_VIOLATION, `${grown.errorMessage}`)
      const deleted = await client.request(ApiKey.DeleteTopics, 5, { topicNames: ['b'], timeoutMs: 10000 })
      assert.equal(deleted.responses[0].errorCode, ErrorCode.NONE)
      assert.equal((await createPartitionsAnswer(client, 'a', 8)).errorCode, ErrorCode.NONE)
    })
  } finally {
    await brook.cleanup()
  }
})
