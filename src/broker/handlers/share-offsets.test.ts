// Share-group offsets (#8): DescribeShareGroupOffsets, AlterShareGroupOffsets and DeleteShareGroupOffsets
// through the codec on a whole broker over the simulated file system, with Kafka 4.4's errors, and their
// effect surviving a crash (kill -9: only synced writes remain).
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ErrorCode, ZERO_UUID } from '../../protocol/index.js'
import { buildRecordBatch } from '../../record-batch/index.js'
import { type TestBroker, createTestBroker } from '../../testing/index.js'
import { incrementalAlterConfigs } from './incremental-alter-configs.js'
import { joinGroup } from './join-group.js'
import { listGroups } from './list-groups.js'
import { produce } from './produce.js'
import { shareFetch } from './share-fetch.js'
import { shareGroupHeartbeat } from './share-group-heartbeat.js'
import {
  alterShareGroupOffsets,
  deleteShareGroupOffsets,
  describeShareGroupOffsets,
} from './share-group-offsets.js'

const ACCEPT = 1
const RELEASE = 2

async function setup(broker?: TestBroker) {
  const opened = broker ?? (await createTestBroker())
  const created = await opened.topics.createTopic({ name: 'jobs', numPartitions: 2 })
  assert.ok(created.ok)
  const batch = buildRecordBatch(
    Array.from({ length: 10 }, (_, i) => ({ key: null, value: `v${i}`, timestampMs: 1_700_000_000_000 })),
    { nowMs: 1_700_000_000_000 },
  )
  const produced = await opened.call(produce, 9, {
    acks: -1,
    timeoutMs: 1000,
    topicData: [{ name: 'jobs', partitionData: [{ index: 0, records: batch }] }],
  })
  assert.equal(produced.responses[0].partitionResponses[0].errorCode, ErrorCode.NONE)
  const altered = await opened.call(incrementalAlterConfigs, 1, {
    resources: [
      {
        resourceType: 32,
        resourceName: 'g',
        configs: [{ name: 'share.auto.offset.reset', configOperation: 0, value: 'earliest' }],
      },
    ],
    validateOnly: false,
  })
  assert.equal(altered.responses[0].errorCode, ErrorCode.NONE)
  return { broker: opened, topicId: created.topic.topicId }
}

async function heartbeat(broker: TestBroker, memberId: string, memberEpoch: number) {
  const result = await broker.call(shareGroupHeartbeat, 1, {
    groupId: 'g',
    memberId,
    memberEpoch,
    rackId: null,
    subscribedTopicNames: memberEpoch === 0 ? ['jobs'] : null,
  })
  assert.equal(result.errorCode, ErrorCode.NONE, result.errorMessage ?? '')
}

type Ack = { firstOffset: number; lastOffset: number; acknowledgeTypes: number[] }

function fetch(broker: TestBroker, topicId: string, memberId: string, epoch: number, acks: Ack[] = []) {
  return broker.call(shareFetch, 1, {
    groupId: 'g',
    memberId,
    shareSessionEpoch: epoch,
    maxWaitMs: 0,
    minBytes: 1,
    maxBytes: 1 << 20,
    maxRecords: 500,
    batchSize: 500,
    shareAcquireMode: 0,
    isRenewAck: false,
    topics: [
      { topicId, partitions: [{ partitionIndex: 0, partitionMaxBytes: 0, acknowledgementBatches: acks }] },
    ],
    forgottenTopicsData: [],
  })
}

/** Member `a` reads the ten records, accepts 0-3 and releases 4-9, then leaves: start offset 4. */
async function consumeSome(broker: TestBroker, topicId: string) {
  await heartbeat(broker, 'a', 0)
  await fetch(broker, topicId, 'a', 0)
  const acked = await fetch(broker, topicId, 'a', 1, [
    { firstOffset: 0, lastOffset: 3, acknowledgeTypes: [ACCEPT] },
    { firstOffset: 4, lastOffset: 9, acknowledgeTypes: [RELEASE] },
  ])
  assert.equal(acked.responses[0].partitions[0].acknowledgeErrorCode, ErrorCode.NONE)
}

function describeAll(broker: TestBroker, version = 1, groupId = 'g') {
  return broker.call(describeShareGroupOffsets, version, { groups: [{ groupId, topics: null }] })
}

function startOffsets(answer: Awaited<ReturnType<typeof describeAll>>) {
  return answer.groups[0].topics.flatMap((topic) =>
    topic.partitions.map((p) => ({
      topic: topic.topicName,
      partition: p.partitionIndex,
      startOffset: p.startOffset,
      lag: p.lag,
    })),
  )
}

describe('DescribeShareGroupOffsets (#8)', () => {
  it('gives the start offset and (v1) the lag of each partition with state; -1 where there is none', async () => {
    const { broker, topicId } = await setup()
    await consumeSome(broker, topicId)
    const all = await describeAll(broker)
    assert.equal(all.groups[0].errorCode, ErrorCode.NONE)
    assert.equal(all.groups[0].topics[0].topicId, topicId)
    assert.deepEqual(startOffsets(all), [{ topic: 'jobs', partition: 0, startOffset: 4, lag: 6 }])
    // v0 has no lag: the field decodes as its default.
    assert.deepEqual(startOffsets(await describeAll(broker, 0)), [
      { topic: 'jobs', partition: 0, startOffset: 4, lag: -1 },
    ])
    const listed = await broker.call(describeShareGroupOffsets, 1, {
      groups: [
        {
          groupId: 'g',
          topics: [
            { topicName: 'jobs', partitions: [0, 1] },
            { topicName: 'missing', partitions: [0] },
          ],
        },
      ],
    })
    assert.deepEqual(startOffsets(listed), [
      { topic: 'jobs', partition: 0, startOffset: 4, lag: 6 },
      { topic: 'jobs', partition: 1, startOffset: -1, lag: -1 },
      { topic: 'missing', partition: 0, startOffset: -1, lag: -1 },
    ])
    assert.equal(listed.groups[0].topics[1].topicId, ZERO_UUID)
    // Kafka 4.4 answers a group without share state, even an empty id, with nothing and no error.
    for (const groupId of ['nobody', '']) {
      const unknown = await describeAll(broker, 1, groupId)
      assert.deepEqual([unknown.groups[0].errorCode, unknown.groups[0].topics], [ErrorCode.NONE, []])
    }
    await broker.close()
  })
})

describe('AlterShareGroupOffsets (#8)', () => {
  it('is NON_EMPTY_GROUP while the group has members; once empty it moves the start and forgets in-flight state', async () => {
    const { broker, topicId } = await setup()
    await heartbeat(broker, 'a', 0)
    await fetch(broker, topicId, 'a', 0)
    const busy = await broker.call(alterShareGroupOffsets, 0, {
      groupId: 'g',
      topics: [{ topicName: 'jobs', partitions: [{ partitionIndex: 0, startOffset: 0 }] }],
    })
    assert.equal(busy.errorCode, ErrorCode.NON_EMPTY_GROUP)
    assert.deepEqual(busy.responses, [])
    await heartbeat(broker, 'a', -1)
    const altered = await broker.call(alterShareGroupOffsets, 0, {
      groupId: 'g',
      topics: [{ topicName: 'jobs', partitions: [{ partitionIndex: 0, startOffset: 2 }] }],
    })
    assert.equal(altered.errorCode, ErrorCode.NONE)
    assert.deepEqual(altered.responses, [
      { topicName: 'jobs', topicId, partitions: [{ partitionIndex: 0, errorCode: 0, errorMessage: null }] },
    ])
    assert.deepEqual(startOffsets(await describeAll(broker)), [
      { topic: 'jobs', partition: 0, startOffset: 2, lag: 8 },
    ])
    // Records 0-9 had been delivered once; after the reset 2-9 are new again (delivery count 1).
    await heartbeat(broker, 'b', 0)
    const again = await fetch(broker, topicId, 'b', 0)
    assert.deepEqual(again.responses[0].partitions[0].acquiredRecords, [
      { firstOffset: 2, lastOffset: 9, deliveryCount: 1 },
    ])
    await broker.close()
  })

  it('creates an unknown group empty; unknown topics and partitions and bad offsets are refused per partition', async () => {
    const { broker, topicId } = await setup()
    const answer = await broker.call(alterShareGroupOffsets, 0, {
      groupId: 'fresh',
      topics: [
        {
          topicName: 'jobs',
          partitions: [
            { partitionIndex: 1, startOffset: 0 },
            { partitionIndex: 5, startOffset: 0 },
            { partitionIndex: 0, startOffset: -2 },
          ],
        },
        { topicName: 'missing', partitions: [{ partitionIndex: 0, startOffset: 0 }] },
      ],
    })
    assert.equal(answer.errorCode, ErrorCode.NONE)
    assert.deepEqual(
      answer.responses.map((t) => [
        t.topicName,
        t.topicId,
        t.partitions.map((p) => [p.partitionIndex, p.errorCode]),
      ]),
      [
        [
          'jobs',
          topicId,
          [
            [1, ErrorCode.NONE],
            [5, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
            [0, ErrorCode.INVALID_REQUEST],
          ],
        ],
        ['missing', ZERO_UUID, [[0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]]],
      ],
    )
    const listed = await broker.call(listGroups, 5, { statesFilter: [], typesFilter: ['share'] })
    assert.deepEqual(
      listed.groups.map((g) => [g.groupId, g.groupState]),
      [['fresh', 'Empty']],
    )
    assert.deepEqual(startOffsets(await describeAll(broker, 1, 'fresh')), [
      { topic: 'jobs', partition: 1, startOffset: 0, lag: 0 },
    ])
    await broker.close()
  })

  it('a start offset of -1 makes the partition uninitialized: the next member starts where share.auto.offset.reset says', async () => {
    const { broker, topicId } = await setup()
    await consumeSome(broker, topicId)
    await heartbeat(broker, 'a', -1)
    const answer = await broker.call(alterShareGroupOffsets, 0, {
      groupId: 'g',
      topics: [{ topicName: 'jobs', partitions: [{ partitionIndex: 0, startOffset: -1 }] }],
    })
    assert.equal(answer.responses[0].partitions[0].errorCode, ErrorCode.NONE)
    assert.deepEqual(startOffsets(await describeAll(broker)), [])
    await heartbeat(broker, 'b', 0)
    const again = await fetch(broker, topicId, 'b', 0)
    assert.deepEqual(again.responses[0].partitions[0].acquiredRecords, [
      { firstOffset: 0, lastOffset: 9, deliveryCount: 1 },
    ])
    await broker.close()
  })

  it('a topic or partition named many times is set once, to its last offset: work bounded by the partitions (#8)', async () => {
    const { broker, topicId } = await setup()
    const many = Array.from({ length: 10_000 }, (_, i) => ({ partitionIndex: 0, startOffset: i % 10 }))
    const answer = await broker.call(alterShareGroupOffsets, 0, {
      groupId: 'g',
      topics: [
        { topicName: 'jobs', partitions: many },
        { topicName: 'jobs', partitions: [{ partitionIndex: 1, startOffset: 0 }, ...many.slice(0, 4)] },
      ],
    })
    assert.deepEqual(answer.responses, [
      {
        topicName: 'jobs',
        topicId,
        partitions: [
          { partitionIndex: 0, errorCode: 0, errorMessage: null },
          { partitionIndex: 1, errorCode: 0, errorMessage: null },
        ],
      },
    ])
    assert.deepEqual(startOffsets(await describeAll(broker)), [
      { topic: 'jobs', partition: 0, startOffset: 3, lag: 7 },
      { topic: 'jobs', partition: 1, startOffset: 0, lag: 0 },
    ])
    await broker.close()
  })

  it('a consumer group id is GROUP_ID_NOT_FOUND for alter and delete; describing it lists nothing', async () => {
    const { broker } = await setup()
    const join = (memberId: string) =>
      broker.call(joinGroup, 5, {
        groupId: 'classic',
        sessionTimeoutMs: 10000,
        rebalanceTimeoutMs: 10000,
        memberId,
        groupInstanceId: null,
        protocolType: 'consumer',
        protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
      })
    const first = await join('')
    assert.equal(first.errorCode, ErrorCode.MEMBER_ID_REQUIRED)
    assert.equal((await join(first.memberId)).errorCode, ErrorCode.NONE)
    const altered = await broker.call(alterShareGroupOffsets, 0, { groupId: 'classic', topics: [] })
    assert.equal(altered.errorCode, ErrorCode.GROUP_ID_NOT_FOUND)
    const deleted = await broker.call(deleteShareGroupOffsets, 0, { groupId: 'classic', topics: [] })
    assert.equal(deleted.errorCode, ErrorCode.GROUP_ID_NOT_FOUND)
    const described = await describeAll(broker, 1, 'classic')
    assert.deepEqual([described.groups[0].errorCode, described.groups[0].topics], [ErrorCode.NONE, []])
    await broker.close()
  })
})

describe('DeleteShareGroupOffsets (#8)', () => {
  it('needs an existing empty group; forgets the topic’s state so the next member starts afresh', async () => {
    const { broker, topicId } = await setup()
    const unknown = await broker.call(deleteShareGroupOffsets, 0, {
      groupId: 'nobody',
      topics: [{ topicName: 'jobs' }],
    })
    assert.equal(unknown.errorCode, ErrorCode.GROUP_ID_NOT_FOUND)
    await consumeSome(broker, topicId)
    const busy = await broker.call(deleteShareGroupOffsets, 0, {
      groupId: 'g',
      topics: [{ topicName: 'jobs' }],
    })
    assert.equal(busy.errorCode, ErrorCode.NON_EMPTY_GROUP)
    await heartbeat(broker, 'a', -1)
    const topicsOf = (answer: Awaited<typeof busy>) =>
      answer.responses.map((t) => [t.topicName, t.topicId, t.errorCode, t.errorMessage])
    const deleted = await broker.call(deleteShareGroupOffsets, 0, {
      groupId: 'g',
      topics: [{ topicName: 'missing' }, { topicName: 'jobs' }],
    })
    assert.equal(deleted.errorCode, ErrorCode.NONE)
    assert.deepEqual(topicsOf(deleted), [
      ['jobs', topicId, ErrorCode.NONE, null],
      [
        'missing',
        ZERO_UUID,
        ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        'This server does not host this topic-partition.',
      ],
    ])
    assert.deepEqual(startOffsets(await describeAll(broker)), [])
    const twice = await broker.call(deleteShareGroupOffsets, 0, {
      groupId: 'g',
      topics: [{ topicName: 'jobs' }],
    })
    assert.deepEqual(topicsOf(twice), [
      ['jobs', ZERO_UUID, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'There is no offset information to delete.'],
    ])
    await heartbeat(broker, 'b', 0)
    const again = await fetch(broker, topicId, 'b', 0)
    assert.deepEqual(again.responses[0].partitions[0].acquiredRecords, [
      { firstOffset: 0, lastOffset: 9, deliveryCount: 1 },
    ])
    await broker.close()
  })
})

describe('share-group offsets across a crash (#8)', () => {
  it('an altered start offset and a deletion survive kill -9, and the group is listed again after the restart', async () => {
    const { broker, topicId } = await setup()
    await consumeSome(broker, topicId)
    await heartbeat(broker, 'a', -1)
    await broker.call(alterShareGroupOffsets, 0, {
      groupId: 'g',
      topics: [{ topicName: 'jobs', partitions: [{ partitionIndex: 0, startOffset: 7 }] }],
    })
    await broker.call(alterShareGroupOffsets, 0, {
      groupId: 'h',
      topics: [{ topicName: 'jobs', partitions: [{ partitionIndex: 0, startOffset: 3 }] }],
    })
    await broker.call(deleteShareGroupOffsets, 0, { groupId: 'h', topics: [{ topicName: 'jobs' }] })
    const restarted = await createTestBroker({
      fs: broker.fs.crash({ keepRandomPrefix: false }),
      clock: broker.clock,
    })
    assert.deepEqual(startOffsets(await describeAll(restarted)), [
      { topic: 'jobs', partition: 0, startOffset: 7, lag: 3 },
    ])
    assert.deepEqual(startOffsets(await describeAll(restarted, 1, 'h')), [])
    const listed = await restarted.call(listGroups, 5, { statesFilter: [], typesFilter: ['share'] })
    assert.deepEqual(
      listed.groups.map((g) => [g.groupId, g.groupState]),
      [['g', 'Empty']],
    )
    await heartbeat(restarted, 'b', 0)
    const again = await fetch(restarted, topicId, 'b', 0)
    assert.deepEqual(again.responses[0].partitions[0].acquiredRecords, [
      { firstOffset: 7, lastOffset: 9, deliveryCount: 1 },
    ])
    await restarted.close()
  })
})
