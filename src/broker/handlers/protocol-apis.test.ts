// DescribeTopicPartitions, OffsetForLeaderEpoch, DescribeQuorum, ApiVersions v5, Produce v13 and TxnOffsetCommit v6
// on one node (#9), each case as Kafka 4.4
// answered it over a real socket (tests/compat/admin/run-admin.sh and kafka-topics.sh / kafka-metadata-quorum.sh
// prove the same against both brokers).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ErrorCode, ZERO_UUID } from '../../protocol/index.js'
import { buildRecordBatch } from '../../record-batch/index.js'
import { createTestBroker } from '../../testing/index.js'
import { apiVersions } from './api-versions.js'
import { describeQuorum } from './describe-quorum.js'
import { DESCRIBE_TOPIC_PARTITIONS_LIMIT_MAX, describeTopicPartitions } from './describe-topic-partitions.js'
import { offsetForLeaderEpoch } from './offset-for-leader-epoch.js'
import { produce } from './produce.js'
import { txnOffsetCommit } from './txn-offset-commit.js'

const ALL_TOPIC_OPERATIONS = 3576

async function brokerWith(topics: Record<string, number>) {
  const broker = await createTestBroker()
  for (const [name, numPartitions] of Object.entries(topics))
    assert.equal((await broker.topics.createTopic({ name, numPartitions, configs: [] })).ok, true)
  return broker
}

const pages = (answer: {
  topics: readonly { name: string | null; partitions: readonly { partitionIndex: number }[] }[]
}) => answer.topics.map((t) => `${t.name}:${t.partitions.map((p) => p.partitionIndex).join(',')}`)

test('#9: DescribeTopicPartitions pages topics in name order with a cursor, as Kafka 4.4', async () => {
  const broker = await brokerWith({ 'dtp-b': 2, 'dtp-a': 3 })
  const first = await broker.call(describeTopicPartitions, 0, {
    topics: [{ name: 'dtp-b' }, { name: 'dtp-a' }, { name: 'zz-none' }, { name: 'bad name' }],
    responsePartitionLimit: 2,
    cursor: null,
  })
  // 'bad name' sorts first and is invalid; the page ends inside dtp-a.
  assert.deepEqual(pages(first), ['bad name:', 'dtp-a:0,1'])
  assert.equal(first.topics[0].errorCode, ErrorCode.INVALID_TOPIC_EXCEPTION)
  assert.equal(first.topics[0].topicAuthorizedOperations, ALL_TOPIC_OPERATIONS)
  assert.deepEqual(first.nextCursor, { topicName: 'dtp-a', partitionIndex: 2 })
  const [, a] = first.topics
  assert.equal(a.errorCode, ErrorCode.NONE)
  assert.equal(a.topicId, broker.topics.topic('dtp-a')?.topicId)
  assert.equal(a.isInternal, false)
  assert.equal(a.topicAuthorizedOperations, ALL_TOPIC_OPERATIONS)
  assert.deepEqual(a.partitions[1], {
    errorCode: ErrorCode.NONE,
    partitionIndex: 1,
    leaderId: 1,
    leaderEpoch: 0,
    replicaNodes: [1],
    isrNodes: [1],
    eligibleLeaderReplicas: [],
    lastKnownElr: [],
    offlineReplicas: [],
  })

  const second = await broker.call(describeTopicPartitions, 0, {
    topics: [{ name: 'dtp-b' }, { name: 'dtp-a' }, { name: 'zz-none' }],
    responsePartitionLimit: 2,
    cursor: first.nextCursor,
  })
  assert.deepEqual(pages(second), ['dtp-a:2', 'dtp-b:0'])
  assert.deepEqual(second.nextCursor, { topicName: 'dtp-b', partitionIndex: 1 })
  const third = await broker.call(describeTopicPartitions, 0, {
    topics: [{ name: 'dtp-b' }, { name: 'dtp-a' }, { name: 'zz-none' }],
    responsePartitionLimit: 2,
    cursor: second.nextCursor,
  })
  assert.deepEqual(pages(third), ['dtp-b:1', 'zz-none:'])
  assert.equal(third.topics[1].errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
  assert.equal(third.topics[1].topicId, ZERO_UUID)
  assert.equal(third.nextCursor, null)

  // Every topic (none asked for): unknown ones never appear; a full page points at the next topic.
  const all = await broker.call(describeTopicPartitions, 0, {
    topics: [],
    responsePartitionLimit: 3,
    cursor: null,
  })
  assert.deepEqual(pages(all), ['dtp-a:0,1,2'])
  assert.deepEqual(all.nextCursor, { topicName: 'dtp-b', partitionIndex: 0 })
  // A cursor past a topic's last partition gives it with no partitions.
  const past = await broker.call(describeTopicPartitions, 0, {
    topics: [],
    responsePartitionLimit: 1,
    cursor: { topicName: 'dtp-a', partitionIndex: 5 },
  })
  assert.deepEqual(pages(past), ['dtp-a:', 'dtp-b:0'])
  assert.deepEqual(past.nextCursor, { topicName: 'dtp-b', partitionIndex: 1 })
  await broker.close()
})

test('#9: DescribeTopicPartitions refuses a cursor outside the topics asked for, and caps the page', async () => {
  const broker = await brokerWith({ wide: DESCRIBE_TOPIC_PARTITIONS_LIMIT_MAX + 5, other: 1 })
  for (const cursor of [
    { topicName: 'other', partitionIndex: 0 },
    { topicName: 'wide', partitionIndex: -1 },
  ]) {
    const answer = await broker.call(describeTopicPartitions, 0, {
      topics: [{ name: 'wide' }],
      responsePartitionLimit: 10,
      cursor,
    })
    assert.deepEqual(
      answer.topics.map((t) => [t.name, t.errorCode, t.partitions.length]),
      [['wide', ErrorCode.INVALID_REQUEST, 0]],
    )
    assert.equal(answer.nextCursor, null)
  }
  // A client asking for more than the broker's limit gets the limit; 0 or less gets one partition.
  const big = await broker.call(describeTopicPartitions, 0, {
    topics: [{ name: 'wide' }],
    responsePartitionLimit: 1_000_000,
    cursor: null,
  })
  assert.equal(big.topics[0].partitions.length, DESCRIBE_TOPIC_PARTITIONS_LIMIT_MAX)
  assert.deepEqual(big.nextCursor, { topicName: 'wide', partitionIndex: DESCRIBE_TOPIC_PARTITIONS_LIMIT_MAX })
  const none = await broker.call(describeTopicPartitions, 0, {
    topics: [{ name: 'wide' }],
    responsePartitionLimit: 0,
    cursor: null,
  })
  assert.equal(none.topics[0].partitions.length, 1)
  await broker.close()
})

test('#9: OffsetForLeaderEpoch answers epoch 0 ending at the log end, and Kafka 4.4 errors', async () => {
  const broker = await brokerWith({ epochs: 2 })
  const records = buildRecordBatch(
    [0, 1, 2].map((i) => ({ key: null, value: `v${i}`, timestampMs: 1_700_000_000_000 })),
    { nowMs: 1_700_000_000_000 },
  )
  await broker.call(produce, 9, {
    acks: 1,
    timeoutMs: 1000,
    topicData: [{ name: 'epochs', partitionData: [{ index: 0, records }] }],
  })
  const ask = (partition: number, currentLeaderEpoch: number, leaderEpoch: number) => ({
    partition,
    currentLeaderEpoch,
    leaderEpoch,
  })
  for (const version of [2, 3, 4]) {
    const answer = await broker.call(offsetForLeaderEpoch, version, {
      replicaId: -1,
      topics: [
        {
          topic: 'epochs',
          partitions: [
            ask(0, -1, 0),
            ask(1, 0, 0),
            ask(0, 0, 1),
            ask(0, 0, -1),
            ask(0, 0, -3),
            ask(0, 1, 0),
            ask(0, -4, 0),
            ask(9, 0, 0),
          ],
        },
        { topic: 'nosuch', partitions: [ask(0, 0, 0)] },
      ],
    })
    const got = answer.topics.flatMap((t) =>
      t.partitions.map((p) => [t.topic, p.partition, p.errorCode, p.leaderEpoch, p.endOffset]),
    )
    assert.deepEqual(got, [
      ['epochs', 0, ErrorCode.NONE, 0, 3],
      ['epochs', 1, ErrorCode.NONE, 0, 0],
      ['epochs', 0, ErrorCode.NONE, -1, -1],
      ['epochs', 0, ErrorCode.NONE, -1, -1],
      ['epochs', 0, ErrorCode.NONE, -3, 0],
      ['epochs', 0, ErrorCode.UNKNOWN_LEADER_EPOCH, -1, -1],
      ['epochs', 0, ErrorCode.FENCED_LEADER_EPOCH, -1, -1],
      ['epochs', 9, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1, -1],
      ['nosuch', 0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1, -1],
    ])
  }
  await broker.close()
})

test('#9: DescribeQuorum names this node the one voter and leader of its metadata log', async () => {
  const broker = await brokerWith({})
  const before = broker.topics.metadataEndOffset
  assert.equal((await broker.topics.createTopic({ name: 'counted', numPartitions: 1, configs: [] })).ok, true)
  assert.equal(broker.topics.metadataEndOffset, before + 1)
  const answer = await broker.call(describeQuorum, 2, {
    topics: [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0 }] }],
  })
  assert.equal(answer.errorCode, ErrorCode.NONE)
  const [partition] = answer.topics[0].partitions
  assert.equal(partition.errorCode, ErrorCode.NONE)
  assert.equal(partition.leaderId, 1)
  assert.equal(partition.leaderEpoch, 1)
  assert.equal(partition.highWatermark, before + 1)
  assert.deepEqual(partition.currentVoters, [
    {
      replicaId: 1,
      replicaDirectoryId: ZERO_UUID,
      logEndOffset: before + 1,
      lastFetchTimestamp: broker.clock.nowMs(),
      lastCaughtUpTimestamp: broker.clock.nowMs(),
    },
  ])
  assert.deepEqual(partition.observers, [])
  assert.equal(answer.nodes.length, 1)
  assert.equal(answer.nodes[0].nodeId, 1)
  assert.equal(answer.nodes[0].listeners[0].name, 'PLAINTEXT')
  // Any other topic or partition is unknown, as Kafka answers.
  const wrong = await broker.call(describeQuorum, 2, {
    topics: [
      { topicName: '__cluster_metadata', partitions: [{ partitionIndex: 1 }] },
      { topicName: 'x', partitions: [{ partitionIndex: 0 }] },
    ],
  })
  assert.deepEqual(
    wrong.topics.map((t) => [
      t.topicName,
      t.partitions.map((p) => [p.partitionIndex, p.errorCode, p.leaderId]),
    ]),
    [
      ['__cluster_metadata', [[1, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 0]]],
      ['x', [[0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 0]]],
    ],
  )
  await broker.close()
})

test('#9: ApiVersions v5 checks the cluster and node the client expects, as Kafka 4.4', async () => {
  const broker = await brokerWith({})
  const clusterId = broker.context.clusterId
  const ask = (cluster: string | null, nodeId: number) =>
    broker.call(apiVersions, 5, {
      clientSoftwareName: 'probe',
      clientSoftwareVersion: '1',
      clusterId: cluster,
      nodeId,
    })
  const cases: [string | null, number, number][] = [
    [null, -1, ErrorCode.NONE],
    [clusterId, 1, ErrorCode.NONE],
    [clusterId, 42, ErrorCode.REBOOTSTRAP_REQUIRED],
    ['wrongClusterIdAAAAAAAA', 1, ErrorCode.REBOOTSTRAP_REQUIRED],
    [clusterId, -1, ErrorCode.INVALID_REQUEST],
    [null, 1, ErrorCode.INVALID_REQUEST],
    [null, -5, ErrorCode.INVALID_REQUEST],
  ]
  for (const [cluster, nodeId, errorCode] of cases) {
    const answer = await ask(cluster, nodeId)
    assert.equal(answer.errorCode, errorCode, `${cluster} ${nodeId}`)
    if (errorCode === ErrorCode.NONE) assert.ok(answer.apiKeys.length > 50)
    else {
      assert.deepEqual(answer.apiKeys, [])
      assert.deepEqual(answer.supportedFeatures, [])
      assert.equal(answer.finalizedFeaturesEpoch, -1)
    }
  }
  await broker.close()
})

test('#9: Produce v13 and TxnOffsetCommit v6 name topics by id; an unknown id is UNKNOWN_TOPIC_ID', async () => {
  const broker = await brokerWith({ byid: 2 })
  const topicId = broker.topics.topic('byid')?.topicId ?? ''
  const records = buildRecordBatch([{ key: null, value: 'by id', timestampMs: 1_700_000_000_000 }], {
    nowMs: 1_700_000_000_000,
  })
  const produced = await broker.call(produce, 13, {
    acks: 1,
    timeoutMs: 1000,
    topicData: [
      { topicId, partitionData: [{ index: 1, records }] },
      { topicId: 'AAAAAAAAAAAAAAAAAAAAAQ', partitionData: [{ index: 0, records }] },
      { topicId, partitionData: [{ index: 7, records }] },
    ],
  })
  assert.deepEqual(
    produced.responses.map((t) => [
      t.topicId,
      t.partitionResponses.map((p) => [p.index, p.errorCode, p.baseOffset]),
    ]),
    [
      [topicId, [[1, ErrorCode.NONE, 0]]],
      ['AAAAAAAAAAAAAAAAAAAAAQ', [[0, ErrorCode.UNKNOWN_TOPIC_ID, -1]]],
      [topicId, [[7, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1]]],
    ],
  )
  const log = await broker.context.partitions.log('byid', 1)
  assert.equal(log?.logEndOffset, 1)

  // TxnOffsetCommit v6: the known topic gets the same answer as by name in v5 (here: no such
  // transaction), the unknown id UNKNOWN_TOPIC_ID whatever the rest says.
  const commit = {
    transactionalId: 'no-such-txn',
    groupId: 'g',
    producerId: 5,
    producerEpoch: 0,
    generationId: -1,
    memberId: '',
    groupInstanceId: null,
  }
  const partitions = [
    { partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: '' },
  ]
  const byName = await broker.call(txnOffsetCommit, 5, { ...commit, topics: [{ name: 'byid', partitions }] })
  const byId = await broker.call(txnOffsetCommit, 6, {
    ...commit,
    topics: [
      { topicId: 'AAAAAAAAAAAAAAAAAAAAAQ', partitions },
      { topicId, partitions },
    ],
  })
  assert.notEqual(byName.topics[0].partitions[0].errorCode, ErrorCode.NONE)
  assert.deepEqual(
    byId.topics.map((t) => [t.topicId, t.partitions.map((p) => p.errorCode)]),
    [
      ['AAAAAAAAAAAAAAAAAAAAAQ', [ErrorCode.UNKNOWN_TOPIC_ID]],
      [topicId, [byName.topics[0].partitions[0].errorCode]],
    ],
  )
  await broker.close()
})
