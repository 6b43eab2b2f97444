// Share groups across a real kill -9 of `brook start` (#8): dead letters are written exactly once when
// the broker is SIGKILLed while rejections are being dead-lettered, and a delayed redelivery keeps its
// wait across the kill. The clients are raw Kafka requests, so every answer is seen as sent.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ApiKey, ErrorCode } from '../../src/protocol/index.js'
import { buildRecordBatch, decodeBatch } from '../../src/record-batch/index.js'
import { BrookProcess } from './brook-process.js'
import { createTopic, fetchPartition, producePartition } from './kafka-requests.js'
import { RawKafkaClient } from './raw-kafka-client.js'

const ACCEPT = 1
const RELEASE = 2
const REJECT = 3

interface Acquired {
  firstOffset: number
  lastOffset: number
  deliveryCount: number
}

type Ack = { firstOffset: number; lastOffset: number; acknowledgeTypes: number[] }

async function setGroupConfigs(client: RawKafkaClient, configs: Record<string, string>): Promise<void> {
  const response = await client.request(ApiKey.IncrementalAlterConfigs, 1, {
    resources: [
      {
        resourceType: 32,
        resourceName: 'g',
        configs: Object.entries(configs).map(([name, value]) => ({ name, configOperation: 0, value })),
      },
    ],
    validateOnly: false,
  })
  assert.equal(response.responses[0].errorCode, ErrorCode.NONE, response.responses[0].errorMessage)
}

async function join(client: RawKafkaClient, memberId: string): Promise<void> {
  const response = await client.request(ApiKey.ShareGroupHeartbeat, 1, {
    groupId: 'g',
    memberId,
    memberEpoch: 0,
    rackId: null,
    subscribedTopicNames: ['jobs'],
  })
  assert.equal(response.errorCode, ErrorCode.NONE, response.errorMessage)
}

/** One ShareFetch of partition 0 with `acks`; returns the acquired ranges and the acknowledge error. */
async function shareFetch(
  client: RawKafkaClient,
  topicId: string,
  memberId: string,
  epoch: number,
  acks: Ack[],
  maxWaitMs = 0,
  maxRecords = 20,
): Promise<{ acquired: Acquired[]; acknowledgeErrorCode: number }> {
  const response = await client.request(ApiKey.ShareFetch, 1, {
    groupId: 'g',
    memberId,
    shareSessionEpoch: epoch,
    maxWaitMs,
    minBytes: 1,
    maxBytes: 1 << 20,
    maxRecords,
    batchSize: maxRecords,
    topics: [
      { topicId, partitions: [{ partitionIndex: 0, partitionMaxBytes: 0, acknowledgementBatches: acks }] },
    ],
    forgottenTopicsData: [],
  })
  assert.equal(response.errorCode, ErrorCode.NONE, response.errorMessage)
  const partition = response.responses[0]?.partitions[0]
  return {
    acquired: (partition?.acquiredRecords ?? []) as Acquired[],
    acknowledgeErrorCode: partition?.acknowledgeErrorCode ?? ErrorCode.NONE,
  }
}

async function setup(client: RawKafkaClient, records: number): Promise<string> {
  const topicId = await createTopic(client, 'jobs', 1)
  await createTopic(client, 'dlq', 1)
  const batch = buildRecordBatch(
    Array.from({ length: records }, (_, i) => ({ value: `job ${i}` })),
    { nowMs: Date.now() },
  )
  const produced = await producePartition(client, 'jobs', 0, batch)
  assert.equal(produced.errorCode, ErrorCode.NONE)
  return topicId
}

const rejectAll = (ranges: Acquired[]): Ack[] =>
  ranges.map((r) => ({ firstOffset: r.firstOffset, lastOffset: r.lastOffset, acknowledgeTypes: [REJECT] }))

test('#8: kill -9 while rejections are being dead-lettered: each record lands in the dead-letter topic exactly once', async () => {
  const RECORDS = 400
  let brook = await BrookProcess.start()
  try {
    let client = await RawKafkaClient.connect(brook.port)
    const topicId = await setup(client, RECORDS)
    await setGroupConfigs(client, {
      'share.auto.offset.reset': 'earliest',
      'errors.deadletterqueue.topic.name': 'dlq',
    })
    await join(client, 'a')
    let epoch = 0
    let held = (await shareFetch(client, topicId, 'a', epoch++, [])).acquired
    const answered = new Set<number>()
    // Reject in batches of 20 until 100 are answered, then SIGKILL at once (letters still being written).
    while (answered.size < 100) {
      const result = await shareFetch(client, topicId, 'a', epoch++, rejectAll(held))
      assert.equal(result.acknowledgeErrorCode, ErrorCode.NONE)
      for (const r of held) for (let o = r.firstOffset; o <= r.lastOffset; o++) answered.add(o)
      held = result.acquired
    }
    // Both sent at once: the kill lands while this rejection and its letters are on their way.
    void shareFetch(client, topicId, 'a', epoch++, rejectAll(held)).catch(() => {})
    process.kill(brook.pid, 'SIGKILL')
    await brook.waitForExit()
    await client.close()
    brook = await brook.restart()
    client = await RawKafkaClient.connect(brook.port)
    // A new worker rejects everything left (what the old one held comes back at once).
    await join(client, 'b')
    epoch = 0
    held = (await shareFetch(client, topicId, 'b', epoch++, [], 500)).acquired
    for (let round = 0; round < 200 && held.length > 0; round++) {
      const result = await shareFetch(client, topicId, 'b', epoch++, rejectAll(held), 200)
      assert.equal(result.acknowledgeErrorCode, ErrorCode.NONE)
      for (const r of result.acquired)
        for (let o = r.firstOffset; o <= r.lastOffset; o++)
          assert.ok(!answered.has(o), `offset ${o} delivered again after its REJECT was answered`)
      held = result.acquired
    }
    // Every record was rejected once its REJECT was answered: the dead-letter topic ends with each once.
    let counts = new Map<number, number>()
    for (let attempt = 0; attempt < 100; attempt++) {
      counts = new Map()
      const dlq = await fetchPartition(client, 'dlq', 0)
      for (const batch of dlq.batches)
        for (const record of decodeBatch(batch).records) {
          const offset = Number(
            record.headers.find((h) => h.key === '__dlq.errors.offset')?.value?.toString(),
          )
          counts.set(offset, (counts.get(offset) ?? 0) + 1)
        }
      if (counts.size >= RECORDS) break
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    const duplicates = [...counts].filter(([, n]) => n > 1)
    assert.deepEqual(duplicates, [], 'no record is dead-lettered twice')
    const missing = Array.from({ length: RECORDS }, (_, i) => i).filter((o) => !counts.has(o))
    assert.deepEqual(missing, [], 'no dead letter is lost')
    await client.close()
  } finally {
    await brook.cleanup()
  }
})

test('#8: a delayed redelivery keeps its wait across kill -9', async () => {
  const BACKOFF_MS = 6000
  let brook = await BrookProcess.start()
  try {
    let client = await RawKafkaClient.connect(brook.port)
    const topicId = await setup(client, 3)
    await setGroupConfigs(client, {
      'share.auto.offset.reset': 'earliest',
      'share.redelivery.backoff.ms': String(BACKOFF_MS),
    })
    await join(client, 'a')
    const first = await shareFetch(client, topicId, 'a', 0, [])
    assert.deepEqual(first.acquired, [{ firstOffset: 0, lastOffset: 2, deliveryCount: 1 }])
    const released = await shareFetch(client, topicId, 'a', 1, [
      { firstOffset: 0, lastOffset: 2, acknowledgeTypes: [RELEASE, ACCEPT, ACCEPT] },
    ])
    const releasedAtMs = Date.now()
    assert.equal(released.acknowledgeErrorCode, ErrorCode.NONE)
    assert.deepEqual(released.acquired, [], 'the released record waits')
    process.kill(brook.pid, 'SIGKILL')
    await brook.waitForExit()
    await client.close()
    brook = await brook.restart()
    client = await RawKafkaClient.connect(brook.port)
    await join(client, 'b')
    let epoch = 0
    let got: Acquired[] = []
    while (got.length === 0 && Date.now() - releasedAtMs < BACKOFF_MS + 20_000)
      got = (await shareFetch(client, topicId, 'b', epoch++, [], 500)).acquired
    const waitedMs = Date.now() - releasedAtMs
    assert.deepEqual(got, [{ firstOffset: 0, lastOffset: 0, deliveryCount: 2 }])
    // The release's answer came after its due time was set, so the wait measured here is at most that long.
    assert.ok(
      waitedMs >= BACKOFF_MS - 50,
      `redelivered ${waitedMs} ms after the release, before ${BACKOFF_MS}`,
    )
    await client.close()
  } finally {
    await brook.cleanup()
  }
})
