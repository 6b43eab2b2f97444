// CreateTopics handler against a real TopicRegistry: per-topic results, Kafka's checks and messages,
// validateOnly, and the v5+ description of what was created.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ConfigSource, ZERO_UUID } from '../../metadata/index.js'
import { ErrorCode } from '../../protocol/index.js'
import { createTopics } from './create-topics.js'
import { createTestBroker } from '../../testing/index.js'

const NODE_ID = 1

function setup(staticConfig: Record<string, string> = {}) {
  return createTestBroker({ config: { nodeId: NODE_ID, topicDefaults: staticConfig } })
}

function topic(name: string, extra: Record<string, unknown> = {}) {
  return { name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [], ...extra }
}

describe('CreateTopics', () => {
  it('creates topics and reports id, counts and every effective config (v7)', async () => {
    const { topics, call } = await setup()
    const response = await call(createTopics, 7, {
      topics: [topic('orders', { numPartitions: 3, configs: [{ name: 'retention.ms', value: '1000' }] })],
      timeoutMs: 1000,
    })
    assert.equal(response.topics.length, 1)
    const [result] = response.topics
    assert.equal(result.errorCode, ErrorCode.NONE)
    assert.equal(result.errorMessage, null)
    assert.equal(result.numPartitions, 3)
    assert.equal(result.replicationFactor, 1)
    const created = topics.topic('orders')
    assert.ok(created)
    assert.equal(result.topicId, created.topicId)
    assert.notEqual(result.topicId, ZERO_UUID)
    assert.equal(created.partitionCount, 3)
    const configs = result.configs ?? []
    const retention = configs.find((config) => config.name === 'retention.ms')
    assert.deepEqual(retention, {
      name: 'retention.ms',
      value: '1000',
      readOnly: false,
      configSource: ConfigSource.DYNAMIC_TOPIC_CONFIG,
      isSensitive: false,
    })
    const cleanup = configs.find((config) => config.name === 'cleanup.policy')
    assert.equal(cleanup?.value, 'delete')
    assert.equal(cleanup?.configSource, ConfigSource.DEFAULT_CONFIG)
    assert.equal(configs.length, topics.effectiveConfig('orders')!.size)
  })

  it('takes -1 as the broker defaults, also below v4 (kafkajs sends -1 on v3)', async () => {
    const { topics, call } = await setup({ 'num.partitions': '4' })
    const response = await call(createTopics, 3, {
      topics: [topic('defaults', { numPartitions: -1, replicationFactor: -1 })],
      timeoutMs: 1000,
    })
    assert.equal(response.topics[0].errorCode, ErrorCode.NONE)
    assert.equal(topics.topic('defaults')?.partitionCount, 4)
  })

  it('answers each topic on its own: existing, bad name, bad config', async () => {
    const { topics, call } = await setup()
    await call(createTopics, 4, { topics: [topic('taken')], timeoutMs: 1000 })
    const response = await call(createTopics, 4, {
      topics: [
        topic('taken'),
        topic('bad name!'),
        topic('bad-config', { configs: [{ name: 'no.such.config', value: '1' }] }),
        topic('fine'),
      ],
      timeoutMs: 1000,
    })
    const byName = new Map(response.topics.map((result) => [result.name, result]))
    assert.equal(byName.get('taken')?.errorCode, ErrorCode.TOPIC_ALREADY_EXISTS)
    assert.equal(byName.get('taken')?.errorMessage, "Topic 'taken' already exists.")
    assert.equal(byName.get('bad name!')?.errorCode, ErrorCode.INVALID_TOPIC_EXCEPTION)
    assert.equal(byName.get('bad-config')?.errorCode, ErrorCode.INVALID_CONFIG)
    assert.match(byName.get('bad-config')?.errorMessage ?? '', /no\.such\.config/)
    assert.equal(byName.get('fine')?.errorCode, ErrorCode.NONE)
    assert.deepEqual(
      topics.topics().map((t) => t.name),
      ['fine', 'taken'],
    )
  })

  it('refuses a name given twice in one request with one INVALID_REQUEST and creates nothing for it', async () => {
    const { topics, call } = await setup()
    const response = await call(createTopics, 5, {
      topics: [topic('twice'), topic('once'), topic('twice', { numPartitions: 2 })],
      timeoutMs: 1000,
    })
    assert.deepEqual(
      response.topics.map((result) => [result.name, result.errorCode, result.errorMessage]),
      [
        ['twice', ErrorCode.INVALID_REQUEST, 'Duplicate topic name.'],
        ['once', ErrorCode.NONE, null],
      ],
    )
    assert.equal(topics.topic('twice'), undefined)
  })

  it('refuses replication factors a single node cannot meet, and zero counts, with Kafka messages', async () => {
    const { call } = await setup()
    const response = await call(createTopics, 5, {
      topics: [
        topic('rf3', { replicationFactor: 3 }),
        topic('rf0', { replicationFactor: 0 }),
        topic('np0', { numPartitions: 0 }),
      ],
      timeoutMs: 1000,
    })
    const [rf3, rf0, np0] = response.topics
    assert.equal(rf3.errorCode, ErrorCode.INVALID_REPLICATION_FACTOR)
    assert.match(rf3.errorMessage ?? '', /Unable to replicate the partition 3 time\(s\)/)
    assert.equal(rf0.errorCode, ErrorCode.INVALID_REPLICATION_FACTOR)
    assert.equal(
      rf0.errorMessage,
      'Replication factor must be larger than 0, or -1 to use the default value.',
    )
    assert.equal(np0.errorCode, ErrorCode.INVALID_PARTITIONS)
    assert.equal(np0.errorMessage, 'Number of partitions was set to an invalid non-positive value.')
    assert.equal(np0.numPartitions, -1)
  })

  it('accepts manual assignments naming only this node and takes the partition count from them', async () => {
    const { topics, call } = await setup()
    const assignments = [
      { partitionIndex: 1, brokerIds: [1] },
      { partitionIndex: 0, brokerIds: [1] },
    ]
    const response = await call(createTopics, 5, {
      topics: [topic('manual', { numPartitions: -1, replicationFactor: -1, assignments })],
      timeoutMs: 1000,
    })
    assert.equal(response.topics[0].errorCode, ErrorCode.NONE)
    assert.equal(response.topics[0].numPartitions, 2)
    assert.equal(topics.topic('manual')?.partitionCount, 2)
  })

  it('refuses manual assignments Kafka refuses', async () => {
    const { topics, call } = await setup()
    const cases: [string, Record<string, unknown>, number, string][] = [
      [
        'other-broker',
        { assignments: [{ partitionIndex: 0, brokerIds: [2] }] },
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        'The manual partition assignment includes broker 2, but no such broker is registered.',
      ],
      [
        'two-replicas',
        { assignments: [{ partitionIndex: 0, brokerIds: [1, 1] }] },
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        'The manual partition assignment includes the broker 1 more than once.',
      ],
      [
        'empty',
        { assignments: [{ partitionIndex: 0, brokerIds: [] }] },
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        'The manual partition assignment includes an empty replica list.',
      ],
      [
        'gap',
        {
          assignments: [
            { partitionIndex: 0, brokerIds: [1] },
            { partitionIndex: 2, brokerIds: [1] },
          ],
        },
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        'partitions should be a consecutive 0-based integer sequence',
      ],
      [
        'repeat',
        {
          assignments: [
            { partitionIndex: 0, brokerIds: [1] },
            { partitionIndex: 0, brokerIds: [1] },
          ],
        },
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        'Found multiple manual partition assignments for partition 0',
      ],
    ]
    const response = await call(createTopics, 5, {
      topics: cases.map(([name, extra]) =>
        topic(name, { numPartitions: -1, replicationFactor: -1, ...extra }),
      ),
      timeoutMs: 1000,
    })
    for (const [index, [name, , errorCode, errorMessage]] of cases.entries()) {
      assert.deepEqual(
        [response.topics[index].name, response.topics[index].errorCode, response.topics[index].errorMessage],
        [name, errorCode, errorMessage],
      )
    }
    const withCount = await call(createTopics, 5, {
      topics: [
        topic('counted', {
          numPartitions: 1,
          replicationFactor: -1,
          assignments: [{ partitionIndex: 0, brokerIds: [1] }],
        }),
      ],
      timeoutMs: 1000,
    })
    assert.equal(withCount.topics[0].errorCode, ErrorCode.INVALID_REQUEST)
    assert.equal(
      withCount.topics[0].errorMessage,
      'A manual partition assignment was specified, but numPartitions was not set to -1.',
    )
    assert.equal(topics.size, 0)
  })

  it('validateOnly checks and describes without creating', async () => {
    const { topics, call } = await setup()
    const response = await call(createTopics, 7, {
      topics: [topic('dry', { numPartitions: 2 })],
      timeoutMs: 1000,
      validateOnly: true,
    })
    assert.equal(response.topics[0].errorCode, ErrorCode.NONE)
    assert.equal(response.topics[0].numPartitions, 2)
    assert.ok((response.topics[0].configs ?? []).length > 0)
    assert.equal(topics.topic('dry'), undefined)
  })

  it('encodes for v0 (name and error code only)', async () => {
    const { topics, call } = await setup()
    const response = await call(createTopics, 0, { topics: [topic('v0')], timeoutMs: 1000 })
    assert.deepEqual(
      response.topics.map((t) => [t.name, t.errorCode]),
      [['v0', ErrorCode.NONE]],
    )
    assert.ok(topics.topic('v0'))
  })

  it('#7 refuses a whole request of more than 10,000 partitions with POLICY_VIOLATION, as Kafka', async () => {
    const { call, topics } = await setup()
    const response = await call(createTopics, 7, {
      topics: [topic('a', { numPartitions: 6000 }), topic('b', { numPartitions: 6000 })],
      timeoutMs: 1000,
    })
    assert.deepEqual(
      response.topics.map((t) => [t.name, t.errorCode]),
      [
        ['a', ErrorCode.POLICY_VIOLATION],
        ['b', ErrorCode.POLICY_VIOLATION],
      ],
    )
    assert.match(response.topics[0].errorMessage ?? '', /Excessively large number of partitions per request/)
    assert.equal(topics.topics().length, 0)
  })
})
