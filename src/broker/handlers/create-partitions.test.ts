// CreatePartitions handler against a real TopicRegistry: growth only, every topic echoed, Kafka's
// messages, assignments and validateOnly.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ErrorCode } from '../../protocol/index.js'
import { createPartitions } from './create-partitions.js'
import { createTestBroker } from '../../testing/index.js'

const NODE_ID = 1

function setup(staticConfig: Record<string, string> = {}) {
  return createTestBroker({ config: { nodeId: NODE_ID, topicDefaults: staticConfig } })
}

describe('CreatePartitions', () => {
  it('grows a topic and echoes every requested topic', async () => {
    const { topics, call } = await setup()
    await topics.createTopic({ name: 'grow', numPartitions: 1 })
    await topics.createTopic({ name: 'same', numPartitions: 2 })
    await topics.createTopic({ name: 'shrink', numPartitions: 3 })
    const response = await call(createPartitions, 1, {
      topics: [
        { name: 'grow', count: 4, assignments: null },
        { name: 'same', count: 2, assignments: null },
        { name: 'shrink', count: 1, assignments: null },
        { name: 'missing', count: 2, assignments: null },
      ],
      timeoutMs: 1000,
      validateOnly: false,
    })
    assert.deepEqual(
      response.results.map((r) => [r.name, r.errorCode, r.errorMessage]),
      [
        ['grow', ErrorCode.NONE, null],
        ['same', ErrorCode.INVALID_PARTITIONS, 'Topic already has 2 partition(s).'],
        [
          'shrink',
          ErrorCode.INVALID_PARTITIONS,
          'The topic shrink currently has 3 partition(s); 1 would not be an increase.',
        ],
        ['missing', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.'],
      ],
    )
    assert.equal(topics.topic('grow')?.partitionCount, 4)
    assert.equal(topics.topic('shrink')?.partitionCount, 3)
  })

  it('validateOnly changes nothing', async () => {
    const { topics, call } = await setup()
    await topics.createTopic({ name: 'dry', numPartitions: 1 })
    const response = await call(createPartitions, 3, {
      topics: [{ name: 'dry', count: 5, assignments: null }],
      timeoutMs: 1000,
      validateOnly: true,
    })
    assert.equal(response.results[0].errorCode, ErrorCode.NONE)
    assert.equal(topics.topic('dry')?.partitionCount, 1)
  })

  it('checks assignments: one per new partition, naming only this node', async () => {
    const { topics, call } = await setup()
    await topics.createTopic({ name: 'a', numPartitions: 1 })
    await topics.createTopic({ name: 'b', numPartitions: 1 })
    await topics.createTopic({ name: 'c', numPartitions: 1 })
    const response = await call(createPartitions, 2, {
      topics: [
        { name: 'a', count: 3, assignments: [{ brokerIds: [1] }] },
        { name: 'b', count: 2, assignments: [{ brokerIds: [5] }] },
        { name: 'c', count: 3, assignments: [{ brokerIds: [1] }, { brokerIds: [1] }] },
      ],
      timeoutMs: 1000,
      validateOnly: false,
    })
    assert.deepEqual(
      response.results.map((r) => [r.name, r.errorCode, r.errorMessage]),
      [
        [
          'a',
          ErrorCode.INVALID_REPLICA_ASSIGNMENT,
          'Attempted to add 2 additional partition(s), but only 1 assignment(s) were specified.',
        ],
        [
          'b',
          ErrorCode.INVALID_REPLICA_ASSIGNMENT,
          'The manual partition assignment includes broker 5, but no such broker is registered.',
        ],
        ['c', ErrorCode.NONE, null],
      ],
    )
    assert.equal(topics.topic('c')?.partitionCount, 3)
  })

  it('refuses a topic named twice once, without growing it', async () => {
    const { topics, call } = await setup()
    await topics.createTopic({ name: 'twice', numPartitions: 1 })
    const response = await call(createPartitions, 0, {
      topics: [
        { name: 'twice', count: 2, assignments: null },
        { name: 'twice', count: 3, assignments: null },
      ],
      timeoutMs: 1000,
      validateOnly: false,
    })
    assert.deepEqual(
      response.results.map((r) => [r.name, r.errorCode]),
      [['twice', ErrorCode.INVALID_REQUEST]],
    )
    assert.equal(topics.topic('twice')?.partitionCount, 1)
  })
})
