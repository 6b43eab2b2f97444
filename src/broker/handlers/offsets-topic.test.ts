// The internal __consumer_offsets topic in Metadata (#7): absent until groups are in use, then listed as
// internal as Kafka 4.4 lists it, never created as a topic of records, never matched by a KIP-848 regex.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { OFFSETS_TOPIC_ID, OFFSETS_TOPIC_NAME } from '../../groups/index.js'
import { ErrorCode } from '../../protocol/index.js'
import { createTestBroker, type TestBroker } from '../../testing/index.js'
import { consumerGroupHeartbeat } from './consumer-group-heartbeat.js'
import { createTopics } from './create-topics.js'
import { findCoordinator } from './find-coordinator.js'
import { metadata } from './metadata.js'
import { offsetCommit } from './offset-commit.js'

async function listed(broker: TestBroker, version = 12) {
  const response = await broker.call(metadata, version, {
    // v0 asks for every topic with an empty array, later versions with null.
    topics: version === 0 ? [] : null,
    allowAutoTopicCreation: false,
    includeTopicAuthorizedOperations: false,
  })
  return response.topics.find((t) => t.name === OFFSETS_TOPIC_NAME)
}

async function named(broker: TestBroker, allowAutoTopicCreation: boolean) {
  const response = await broker.call(metadata, 12, {
    topics: [{ name: OFFSETS_TOPIC_NAME }],
    allowAutoTopicCreation,
    includeTopicAuthorizedOperations: false,
  })
  return response.topics[0]
}

describe('__consumer_offsets in Metadata (#7)', () => {
  it('#7 is listed, internal, once a client looked for a group coordinator (as Kafka 4.4 does)', async () => {
    const broker = await createTestBroker()
    assert.equal(await listed(broker), undefined, 'no group in use yet')
    assert.equal((await named(broker, false)).errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    const found = await broker.call(findCoordinator, 4, { keyType: 0, coordinatorKeys: ['g'] })
    assert.equal(found.coordinators[0].errorCode, ErrorCode.NONE)
    const topic = await listed(broker)
    assert.ok(topic, 'listed after FindCoordinator')
    assert.equal(topic.isInternal, true)
    assert.equal(topic.errorCode, ErrorCode.NONE)
    assert.equal(topic.topicId, OFFSETS_TOPIC_ID)
    // offsets.topic.num.partitions, Kafka's default 50, each led by this node.
    assert.equal(topic.partitions.length, 50)
    assert.ok(topic.partitions.every((p) => p.leaderId === broker.context.config.nodeId))
    const byName = await named(broker, false)
    assert.equal(byName.errorCode, ErrorCode.NONE)
    assert.equal(byName.isInternal, true)
    assert.ok(await listed(broker, 0), 'v0 lists it too')
    await broker.close()
  })

  it('#7 is listed after a restart when groups exist, and is never created as a topic of records', async () => {
    const broker = await createTestBroker({ config: { autoCreateTopics: true } })
    const asked = await named(broker, true)
    assert.equal(asked.errorCode, ErrorCode.NONE)
    assert.equal(asked.isInternal, true)
    assert.equal(broker.topics.topic(OFFSETS_TOPIC_NAME), undefined, 'not in the topic registry')
    await broker.call(createTopics, 7, {
      topics: [{ name: 'orders', numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] }],
      timeoutMs: 1000,
      validateOnly: false,
    })
    const committed = await broker.call(offsetCommit, 8, {
      groupId: 'g',
      generationIdOrMemberEpoch: -1,
      memberId: '',
      groupInstanceId: null,
      topics: [
        {
          name: 'orders',
          partitions: [
            { partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: '' },
          ],
        },
      ],
    })
    assert.equal(committed.topics[0].partitions[0].errorCode, ErrorCode.NONE)
    await broker.close()
    const reopened = await createTestBroker({ fs: broker.fs })
    assert.ok(await listed(reopened), 'a group exists, so the topic does')
    await reopened.close()
  })

  it('#7 a KIP-848 regex subscription matching everything is not assigned it', async () => {
    const broker = await createTestBroker()
    await broker.call(findCoordinator, 4, { keyType: 0, coordinatorKeys: ['g'] })
    await broker.call(createTopics, 7, {
      topics: [{ name: 'orders', numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] }],
      timeoutMs: 1000,
      validateOnly: false,
    })
    const response = await broker.call(consumerGroupHeartbeat, 1, {
      groupId: 'regex',
      memberId: 'member-000000000000000001',
      memberEpoch: 0,
      rebalanceTimeoutMs: 30000,
      subscribedTopicRegex: '.*',
      topicPartitions: [],
    })
    assert.equal(response.errorCode, ErrorCode.NONE)
    const ids = (response.assignment?.topicPartitions ?? []).map((tp) => tp.topicId)
    assert.deepEqual(ids, [broker.topics.topic('orders')?.topicId])
    await broker.close()
  })
})
