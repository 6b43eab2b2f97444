// Share-group handlers on a whole broker over the simulated file system (#8): ShareGroupHeartbeat,
// ShareGroupDescribe, ShareFetch (sessions, acquisition, acknowledgements, long poll), ShareAcknowledge,
// group configs, and the errors Kafka gives for bad input.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ErrorCode } from '../../protocol/index.js'
import { buildRecordBatch, decodeBatch, iterateBatches } from '../../record-batch/index.js'
import { type SimClock, type TestBroker, createTestBroker } from '../../testing/index.js'
import { deleteGroups } from './delete-groups.js'
import { describeConfigs } from './describe-configs.js'
import { incrementalAlterConfigs } from './incremental-alter-configs.js'
import { listGroups } from './list-groups.js'
import { produce } from './produce.js'
import { shareAcknowledge } from './share-acknowledge.js'
import { shareFetch } from './share-fetch.js'
import { shareGroupDescribe } from './share-group-describe.js'
import { shareGroupHeartbeat } from './share-group-heartbeat.js'

const ACCEPT = 1
const RELEASE = 2

async function setup(records = 10) {
  const broker = await createTestBroker()
  const created = await broker.topics.createTopic({ name: 'jobs', numPartitions: 1 })
  assert.ok(created.ok)
  const topicId = created.topic.topicId
  if (records > 0) await send(broker, records, 0)
  // Start from the beginning, as the Java tools' tests do through the group config.
  const altered = await broker.call(incrementalAlterConfigs, 1, {
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
  return { broker, topicId }
}

async function send(broker: TestBroker, count: number, from: number) {
  const batch = buildRecordBatch(
    Array.from({ length: count }, (_, i) => ({
      key: null,
      value: `v${from + i}`,
      timestampMs: 1_700_000_000_000,
    })),
    { nowMs: 1_700_000_000_000 },
  )
  const response = await broker.call(produce, 9, {
    acks: -1,
    timeoutMs: 1000,
    topicData: [{ name: 'jobs', partitionData: [{ index: 0, records: batch }] }],
  })
  assert.equal(response.responses[0].partitionResponses[0].errorCode, ErrorCode.NONE)
}

async function join(broker: TestBroker, memberId: string) {
  const result = await broker.call(shareGroupHeartbeat, 1, {
    groupId: 'g',
    memberId,
    memberEpoch: 0,
    rackId: null,
    subscribedTopicNames: ['jobs'],
  })
  assert.equal(result.errorCode, ErrorCode.NONE, result.errorMessage ?? '')
  return result
}

type Ack = { firstOffset: number; lastOffset: number; acknowledgeTypes: number[] }

function fetchInput(topicId: string, memberId: string, epoch: number, acks: Ack[] = [], maxWaitMs = 0) {
  return {
    groupId: 'g',
    memberId,
    shareSessionEpoch: epoch,
    maxWaitMs,
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
  }
}

function values(records: Buffer | null): string[] {
  const out: string[] = []
  if (records === null) return out
  for (const { bytes } of iterateBatches(records))
    for (const record of decodeBatch(bytes).records) out.push(String(record.value))
  return out
}

describe('share-group handlers (#8)', () => {
  it('a member joins, fetches records with acquired ranges, accepts them on the next fetch', async () => {
    const { broker, topicId } = await setup()
    const joined = await join(broker, 'a')
    assert.deepEqual(joined.assignment?.topicPartitions, [{ topicId, partitions: [0] }])
    const first = await broker.call(shareFetch, 1, fetchInput(topicId, 'a', 0))
    assert.equal(first.errorCode, ErrorCode.NONE)
    assert.equal(first.acquisitionLockTimeoutMs, 30000)
    const partition = first.responses[0].partitions[0]
    assert.deepEqual(partition.acquiredRecords, [{ firstOffset: 0, lastOffset: 9, deliveryCount: 1 }])
    assert.equal(values(partition.records as Buffer | null).length, 10)
    const second = await broker.call(
      shareFetch,
      1,
      fetchInput(topicId, 'a', 1, [{ firstOffset: 0, lastOffset: 9, acknowledgeTypes: [ACCEPT] }]),
    )
    assert.equal(second.responses[0].partitions[0].acknowledgeErrorCode, ErrorCode.NONE)
    assert.deepEqual(second.responses[0].partitions[0].acquiredRecords, [])
    const state = await broker.context.shares.partition('g', topicId, 0)
    assert.equal(state?.startOffset, 10)
    await broker.close()
  })

  it('two members never get the same records; a release goes to the other with delivery count 2', async () => {
    const { broker, topicId } = await setup(4)
    await join(broker, 'a')
    await join(broker, 'b')
    const a = await broker.call(shareFetch, 2, { ...fetchInput(topicId, 'a', 0), maxRecords: 2 })
    const b = await broker.call(shareFetch, 2, { ...fetchInput(topicId, 'b', 0), maxRecords: 2 })
    assert.deepEqual(a.responses[0].partitions[0].acquiredRecords, [
      { firstOffset: 0, lastOffset: 1, deliveryCount: 1 },
    ])
    assert.deepEqual(b.responses[0].partitions[0].acquiredRecords, [
      { firstOffset: 2, lastOffset: 3, deliveryCount: 1 },
    ])
    const released = await broker.call(shareAcknowledge, 2, {
      groupId: 'g',
      memberId: 'a',
      shareSessionEpoch: 1,
      isRenewAck: false,
      topics: [
        {
          topicId,
          partitions: [
            {
              partitionIndex: 0,
              acknowledgementBatches: [{ firstOffset: 0, lastOffset: 1, acknowledgeTypes: [RELEASE] }],
            },
          ],
        },
      ],
    })
    assert.equal(released.responses[0].partitions[0].errorCode, ErrorCode.NONE)
    const again = await broker.call(shareFetch, 2, fetchInput(topicId, 'b', 1))
    assert.deepEqual(again.responses[0].partitions[0].acquiredRecords, [
      { firstOffset: 0, lastOffset: 1, deliveryCount: 2 },
    ])
    await broker.close()
  })

  it('bad input gets Kafka errors: stale session epoch, no session, acks when opening, others’ records, unknown member', async () => {
    const { broker, topicId } = await setup(4)
    await join(broker, 'a')
    await join(broker, 'b')
    const noSession = await broker.call(shareFetch, 1, fetchInput(topicId, 'a', 1))
    assert.equal(noSession.errorCode, ErrorCode.SHARE_SESSION_NOT_FOUND)
    const acksOnOpen = await broker.call(
      shareFetch,
      1,
      fetchInput(topicId, 'a', 0, [{ firstOffset: 0, lastOffset: 0, acknowledgeTypes: [ACCEPT] }]),
    )
    assert.equal(acksOnOpen.errorCode, ErrorCode.INVALID_REQUEST)
    await broker.call(shareFetch, 1, { ...fetchInput(topicId, 'a', 0), maxRecords: 2 })
    const stale = await broker.call(shareFetch, 1, fetchInput(topicId, 'a', 5))
    assert.equal(stale.errorCode, ErrorCode.INVALID_SHARE_SESSION_EPOCH)
    await broker.call(shareFetch, 1, { ...fetchInput(topicId, 'b', 0), maxRecords: 0 })
    const others = await broker.call(
      shareFetch,
      1,
      fetchInput(topicId, 'b', 1, [{ firstOffset: 0, lastOffset: 1, acknowledgeTypes: [ACCEPT] }]),
    )
    assert.equal(others.responses[0].partitions[0].acknowledgeErrorCode, ErrorCode.INVALID_RECORD_STATE)
    const past = await broker.call(
      shareFetch,
      1,
      fetchInput(topicId, 'a', 1, [{ firstOffset: 0, lastOffset: 50, acknowledgeTypes: [ACCEPT] }]),
    )
    assert.equal(past.responses[0].partitions[0].acknowledgeErrorCode, ErrorCode.INVALID_REQUEST)
    const stranger = await broker.call(shareFetch, 1, fetchInput(topicId, 'zz', 0))
    assert.equal(stranger.errorCode, ErrorCode.UNKNOWN_MEMBER_ID)
    const ackOpen = await broker.call(shareAcknowledge, 1, {
      groupId: 'g',
      memberId: 'a',
      shareSessionEpoch: 0,
      isRenewAck: false,
      topics: [],
    })
    assert.equal(ackOpen.errorCode, ErrorCode.INVALID_SHARE_SESSION_EPOCH)
    await broker.close()
  })

  it('a long poll answers when records arrive', async () => {
    const { broker, topicId } = await setup(0)
    await join(broker, 'a')
    const pending = broker.call(shareFetch, 1, fetchInput(topicId, 'a', 0, [], 5000))
    await new Promise((resolve) => setImmediate(resolve))
    await send(broker, 3, 0)
    const answer = await pending
    assert.deepEqual(answer.responses[0].partitions[0].acquiredRecords, [
      { firstOffset: 0, lastOffset: 2, deliveryCount: 1 },
    ])
    await broker.close()
  })

  it('closing the connection ends the share session and releases the member’s records', async () => {
    const { broker, topicId } = await setup(3)
    await join(broker, 'a')
    await broker.call(shareFetch, 1, fetchInput(topicId, 'a', 0))
    const state = await broker.context.shares.partition('g', topicId, 0)
    assert.equal(state?.acquiredCount, 3)
    broker.session.markClosed()
    assert.equal(state?.acquiredCount, 0)
    assert.equal(broker.context.shares.sessions.size, 0)
    await broker.close()
  })

  it('a member that leaves can still acknowledge as it closes its share session, then its records are released (findings 12:50); ListGroups and ShareGroupDescribe show the group', async () => {
    const { broker, topicId } = await setup(3)
    await join(broker, 'a')
    await broker.call(shareFetch, 1, fetchInput(topicId, 'a', 0))
    const described = await broker.call(shareGroupDescribe, 1, {
      groupIds: ['g', 'nope'],
      includeAuthorizedOperations: false,
    })
    assert.equal(described.groups[0].groupState, 'Stable')
    assert.equal(described.groups[0].assignorName, 'simple')
    assert.deepEqual(described.groups[0].members[0].assignment.topicPartitions, [
      { topicId, topicName: 'jobs', partitions: [0] },
    ])
    assert.equal(described.groups[1].errorCode, ErrorCode.GROUP_ID_NOT_FOUND)
    const listed = await broker.call(listGroups, 5, { statesFilter: [], typesFilter: ['share'] })
    assert.deepEqual(
      listed.groups.map((g) => [g.groupId, g.groupType]),
      [['g', 'share']],
    )
    await broker.call(shareGroupHeartbeat, 1, {
      groupId: 'g',
      memberId: 'a',
      memberEpoch: -1,
      rackId: null,
      subscribedTopicNames: null,
    })
    // Its share session stays until it closes: a final acknowledgement after the leave still applies
    // (as Kafka 4.4; librdkafka's close sends it after the leave heartbeat), the rest is released then.
    const state = await broker.context.shares.partition('g', topicId, 0)
    assert.equal(state?.acquiredCount, 3)
    const closed = await broker.call(shareAcknowledge, 1, {
      groupId: 'g',
      memberId: 'a',
      shareSessionEpoch: -1,
      topics: [
        {
          topicId,
          partitions: [
            {
              partitionIndex: 0,
              acknowledgementBatches: [{ firstOffset: 0, lastOffset: 0, acknowledgeTypes: [ACCEPT] }],
            },
          ],
        },
      ],
    })
    assert.equal(closed.errorCode, ErrorCode.NONE, closed.errorMessage ?? '')
    assert.equal(closed.responses[0].partitions[0].errorCode, ErrorCode.NONE)
    assert.equal(state?.acquiredCount, 0)
    assert.equal(state?.startOffset, 1, 'the final ACCEPT applied; 1 and 2 released')
    await broker.close()
  })

  it('share group configs: set, described, bad values refused, and the lock duration override applies', async () => {
    const { broker, topicId } = await setup(2)
    const bad = await broker.call(incrementalAlterConfigs, 1, {
      resources: [
        {
          resourceType: 32,
          resourceName: 'g',
          configs: [{ name: 'share.delivery.count.limit', configOperation: 0, value: '99' }],
        },
      ],
      validateOnly: false,
    })
    assert.equal(bad.responses[0].errorCode, ErrorCode.INVALID_CONFIG)
    const unknown = await broker.call(incrementalAlterConfigs, 1, {
      resources: [
        {
          resourceType: 32,
          resourceName: 'g',
          configs: [{ name: 'no.such', configOperation: 0, value: '1' }],
        },
      ],
      validateOnly: false,
    })
    assert.equal(unknown.responses[0].errorCode, ErrorCode.INVALID_CONFIG)
    await broker.call(incrementalAlterConfigs, 1, {
      resources: [
        {
          resourceType: 32,
          resourceName: 'g',
          configs: [{ name: 'share.record.lock.duration.ms', configOperation: 0, value: '15000' }],
        },
      ],
      validateOnly: false,
    })
    const described = await broker.call(describeConfigs, 4, {
      resources: [{ resourceType: 32, resourceName: 'g', configurationKeys: null }],
      includeSynonyms: false,
      includeDocumentation: false,
    })
    const configs = new Map(described.results[0].configs.map((c) => [c.name, c.value]))
    assert.equal(configs.get('share.auto.offset.reset'), 'earliest')
    assert.equal(configs.get('share.record.lock.duration.ms'), '15000')
    assert.equal(configs.get('share.delivery.count.limit'), '5')
    await join(broker, 'a')
    await broker.call(shareFetch, 1, fetchInput(topicId, 'a', 0))
    const state = await broker.context.shares.partition('g', topicId, 0)
    ;(broker.clock as SimClock).advance(15000)
    assert.equal(state?.acquiredCount, 0, 'the group’s 15 s lock expired')
    await broker.close()
  })
})

describe('share-group state across a broker crash (#8)', () => {
  it('after a crash an accepted record never comes back and an acquired one returns with delivery count 2', async () => {
    const { broker, topicId } = await setup(4)
    await join(broker, 'a')
    await broker.call(shareFetch, 1, fetchInput(topicId, 'a', 0))
    const acked = await broker.call(
      shareFetch,
      1,
      fetchInput(topicId, 'a', 1, [{ firstOffset: 0, lastOffset: 1, acknowledgeTypes: [ACCEPT] }]),
    )
    assert.equal(acked.responses[0].partitions[0].acknowledgeErrorCode, ErrorCode.NONE)
    // kill -9: whatever was not synced is gone; the acknowledgement was answered, so it was synced.
    const fs = broker.fs.crash({ keepRandomPrefix: false })
    const restarted = await createTestBroker({ fs, clock: broker.clock })
    await join(restarted, 'b')
    const again = await restarted.call(shareFetch, 1, fetchInput(topicId, 'b', 0))
    assert.deepEqual(again.responses[0].partitions[0].acquiredRecords, [
      { firstOffset: 2, lastOffset: 3, deliveryCount: 2 },
    ])
    await restarted.close()
  })
})

describe('delayed redelivery (#8)', () => {
  it('share.redelivery.backoff.ms holds a released record back, doubling per delivery up to share.redelivery.backoff.max.ms, also across a crash', async () => {
    const { broker, topicId } = await setup(3)
    const clock = broker.clock as SimClock
    const set = async (configs: { name: string; value: string }[]) =>
      (
        await broker.call(incrementalAlterConfigs, 1, {
          resources: [
            {
              resourceType: 32,
              resourceName: 'g',
              configs: configs.map((c) => ({ ...c, configOperation: 0 })),
            },
          ],
          validateOnly: false,
        })
      ).responses[0].errorCode
    assert.equal(await set([{ name: 'share.redelivery.backoff.ms', value: '-1' }]), ErrorCode.INVALID_CONFIG)
    assert.equal(
      await set([
        { name: 'share.redelivery.backoff.ms', value: '2000' },
        { name: 'share.redelivery.backoff.max.ms', value: '3000' },
      ]),
      ErrorCode.NONE,
    )
    await join(broker, 'a')
    type FetchAnswer = { responses: { partitions: { acquiredRecords: unknown[] }[] }[] }
    const acquired = (r: FetchAnswer) => r.responses[0]?.partitions[0]?.acquiredRecords ?? []
    assert.deepEqual(acquired(await broker.call(shareFetch, 1, fetchInput(topicId, 'a', 0))), [
      { firstOffset: 0, lastOffset: 2, deliveryCount: 1 },
    ])
    // Release 1; 0 and 2 accepted. The same fetch gets nothing: 1 waits 2000 ms.
    const released = await broker.call(
      shareFetch,
      1,
      fetchInput(topicId, 'a', 1, [
        { firstOffset: 0, lastOffset: 2, acknowledgeTypes: [ACCEPT, RELEASE, ACCEPT] },
      ]),
    )
    assert.equal(released.responses[0].partitions[0].acknowledgeErrorCode, ErrorCode.NONE)
    assert.deepEqual(acquired(released), [])
    await send(broker, 1, 3)
    clock.advance(1999)
    assert.deepEqual(acquired(await broker.call(shareFetch, 1, fetchInput(topicId, 'a', 2))), [
      { firstOffset: 3, lastOffset: 3, deliveryCount: 1 },
    ])
    clock.advance(1)
    assert.deepEqual(acquired(await broker.call(shareFetch, 1, fetchInput(topicId, 'a', 3))), [
      { firstOffset: 1, lastOffset: 1, deliveryCount: 2 },
    ])
    // Second release: 4000 ms by doubling, capped at 3000. Then kill -9: the wait is stored.
    const again = await broker.call(
      shareFetch,
      1,
      fetchInput(topicId, 'a', 4, [
        { firstOffset: 1, lastOffset: 1, acknowledgeTypes: [RELEASE] },
        { firstOffset: 3, lastOffset: 3, acknowledgeTypes: [ACCEPT] },
      ]),
    )
    assert.equal(again.responses[0].partitions[0].acknowledgeErrorCode, ErrorCode.NONE)
    const fs = broker.fs.crash({ keepRandomPrefix: false })
    const restarted = await createTestBroker({ fs, clock })
    await join(restarted, 'b')
    clock.advance(2999)
    assert.deepEqual(acquired(await restarted.call(shareFetch, 1, fetchInput(topicId, 'b', 0))), [])
    clock.advance(1)
    assert.deepEqual(acquired(await restarted.call(shareFetch, 1, fetchInput(topicId, 'b', 1))), [
      { firstOffset: 1, lastOffset: 1, deliveryCount: 3 },
    ])
    await restarted.close()
  })
})

describe('ShareFetch BatchSize (#8)', () => {
  it('cuts new records into AcquiredRecords of about BatchSize at record-batch boundaries, as Kafka 4.4', async () => {
    const { broker, topicId } = await setup(0)
    // Five batches of 4 records: offsets 0-3, 4-7, 8-11, 12-15, 16-19.
    for (let i = 0; i < 5; i++) await send(broker, 4, i * 4)
    await join(broker, 'a')
    const input = { ...fetchInput(topicId, 'a', 0), batchSize: 6 }
    const answer = await broker.call(shareFetch, 1, input)
    // A range starts at the first batch 6 or more past the current start: 0, 8, 16.
    assert.deepEqual(answer.responses[0].partitions[0].acquiredRecords, [
      { firstOffset: 0, lastOffset: 7, deliveryCount: 1 },
      { firstOffset: 8, lastOffset: 15, deliveryCount: 1 },
      { firstOffset: 16, lastOffset: 19, deliveryCount: 1 },
    ])
    await broker.close()
  })
})

describe('ShareFetch MinBytes (#8)', () => {
  async function settles(pending: Promise<unknown>): Promise<boolean> {
    let settled = false
    void pending.then(() => {
      settled = true
    })
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve))
    return settled
  }

  it('a long poll waits until the log holds MinBytes past the next fetch offset, as Kafka 4.4', async () => {
    const { broker, topicId } = await setup(3)
    await join(broker, 'a')
    const pending = broker.call(shareFetch, 1, { ...fetchInput(topicId, 'a', 0, [], 5000), minBytes: 2000 })
    assert.equal(await settles(pending), false, 'three small records are fewer than MinBytes')
    await send(broker, 3, 3)
    assert.equal(await settles(pending), false, 'six small records are still fewer than MinBytes')
    await send(broker, 300, 6)
    const answer = await pending
    assert.deepEqual(answer.responses[0].partitions[0].acquiredRecords, [
      { firstOffset: 0, lastOffset: 305, deliveryCount: 1 },
    ])
    await broker.close()
  })

  it('at MaxWaitMs it answers with what there is, short of MinBytes', async () => {
    const { broker, topicId } = await setup(3)
    await join(broker, 'a')
    const clock = broker.clock as SimClock
    const pending = broker.call(shareFetch, 1, {
      ...fetchInput(topicId, 'a', 0, [], 1000),
      minBytes: 1 << 20,
    })
    assert.equal(await settles(pending), false)
    for (let i = 0; i < 4 && !(await settles(pending)); i++) clock.advance(250)
    const answer = await pending
    assert.deepEqual(answer.responses[0].partitions[0].acquiredRecords, [
      { firstOffset: 0, lastOffset: 2, deliveryCount: 1 },
    ])
    await broker.close()
  })
})

describe('share-group limits wired to the broker config (#8)', () => {
  it('group.share.max.size, share-subscribed-topics-max and groups-max each refuse the one beyond', async () => {
    const broker = await createTestBroker({
      config: { shareGroupMaxSize: 2, shareSubscribedTopicsMax: 3, groupsMax: 2 },
    })
    assert.ok((await broker.topics.createTopic({ name: 'jobs', numPartitions: 1 })).ok)
    const heartbeat = (groupId: string, memberId: string, topics: string[]) =>
      broker.call(shareGroupHeartbeat, 1, {
        groupId,
        memberId,
        memberEpoch: 0,
        rackId: null,
        subscribedTopicNames: topics,
      })
    assert.equal((await heartbeat('g', 'a', ['jobs'])).errorCode, ErrorCode.NONE)
    assert.equal((await heartbeat('g', 'b', ['jobs'])).errorCode, ErrorCode.NONE)
    const third = await heartbeat('g', 'c', ['jobs'])
    assert.equal(third.errorCode, ErrorCode.GROUP_MAX_SIZE_REACHED, 'group.share.max.size = 2')
    const topics = await heartbeat('h', 'a', ['jobs', 't1', 't2', 't3'])
    assert.equal(topics.errorCode, ErrorCode.INVALID_REQUEST, 'four subscribed topics, at most three')
    assert.equal((await heartbeat('h', 'a', ['jobs', 't1', 't2'])).errorCode, ErrorCode.NONE)
    const group = await heartbeat('i', 'a', ['jobs'])
    assert.equal(group.errorCode, ErrorCode.GROUP_MAX_SIZE_REACHED, 'groups-max = 2 share groups')
    await broker.close()
  })

  it('share.partition.max.record.locks bounds the records in flight of a share-partition', async () => {
    const { broker, topicId } = await setup(150)
    const altered = await broker.call(incrementalAlterConfigs, 1, {
      resources: [
        {
          resourceType: 32,
          resourceName: 'g',
          configs: [{ name: 'share.partition.max.record.locks', configOperation: 0, value: '100' }],
        },
      ],
      validateOnly: false,
    })
    assert.equal(altered.responses[0].errorCode, ErrorCode.NONE)
    await join(broker, 'a')
    await join(broker, 'b')
    const a = await broker.call(shareFetch, 1, fetchInput(topicId, 'a', 0))
    assert.deepEqual(a.responses[0].partitions[0].acquiredRecords, [
      { firstOffset: 0, lastOffset: 99, deliveryCount: 1 },
    ])
    const b = await broker.call(shareFetch, 1, fetchInput(topicId, 'b', 0))
    assert.deepEqual(b.responses[0]?.partitions[0]?.acquiredRecords ?? [], [], 'the window is full')
    const next = await broker.call(
      shareFetch,
      1,
      fetchInput(topicId, 'a', 1, [{ firstOffset: 0, lastOffset: 49, acknowledgeTypes: [ACCEPT] }]),
    )
    assert.deepEqual(next.responses[0].partitions[0].acquiredRecords, [
      { firstOffset: 100, lastOffset: 149, deliveryCount: 1 },
    ])
    await broker.close()
  })
})

describe('deleting a share group (#8)', () => {
  it('is NON_EMPTY_GROUP with members; once empty, the group and its state go, its configs stay as in Kafka 4.4 (#9)', async () => {
    const { broker, topicId } = await setup(4)
    await join(broker, 'a')
    await broker.call(shareFetch, 1, fetchInput(topicId, 'a', 0))
    const busy = await broker.call(deleteGroups, 2, { groupsNames: ['g'] })
    assert.deepEqual(
      busy.results.map((r) => r.errorCode),
      [ErrorCode.NON_EMPTY_GROUP],
    )
    await broker.call(shareGroupHeartbeat, 1, {
      groupId: 'g',
      memberId: 'a',
      memberEpoch: -1,
      rackId: null,
      subscribedTopicNames: null,
    })
    const deleted = await broker.call(deleteGroups, 2, { groupsNames: ['g'] })
    assert.deepEqual(
      deleted.results.map((r) => r.errorCode),
      [ErrorCode.NONE],
    )
    const described = await broker.call(shareGroupDescribe, 1, {
      groupIds: ['g'],
      includeAuthorizedOperations: false,
    })
    assert.equal(described.groups[0].errorCode, ErrorCode.GROUP_ID_NOT_FOUND)
    // Its configs stay (Kafka 4.4 keeps GROUP configs after DeleteGroups): share.auto.offset.reset is still
    // earliest, so a new group of that name, with none of the old state, starts again from offset 0.
    const configs = await broker.call(describeConfigs, 4, {
      resources: [{ resourceType: 32, resourceName: 'g', configurationKeys: ['share.auto.offset.reset'] }],
      includeSynonyms: false,
      includeDocumentation: false,
    })
    assert.deepEqual(
      configs.results[0].configs.map((c) => [c.name, c.value, c.configSource]),
      [['share.auto.offset.reset', 'earliest', 8]],
    )
    await join(broker, 'b')
    const fresh = await broker.call(shareFetch, 1, fetchInput(topicId, 'b', 0))
    assert.deepEqual(
      fresh.responses.flatMap((t) => t.partitions.flatMap((p) => p.acquiredRecords)),
      [{ firstOffset: 0, lastOffset: 3, deliveryCount: 1 }],
    )
    await broker.close()
  })
})

describe('share fetches of a closed connection (#8)', () => {
  it('a long poll woken by its connection closing acquires nothing: the released records stay available', async () => {
    const { broker, topicId } = await setup(3)
    await join(broker, 'a')
    await broker.call(shareFetch, 1, fetchInput(topicId, 'a', 0))
    // The client's next fetch long-polls while it holds all three records.
    const pending = broker.call(shareFetch, 1, fetchInput(topicId, 'a', 1, [], 5000))
    await new Promise((resolve) => setImmediate(resolve))
    broker.session.markClosed()
    await pending
    const state = await broker.context.shares.partition('g', topicId, 0)
    assert.equal(state?.acquiredCount, 0, 'records re-acquired for a connection that is gone')
    assert.deepEqual(state?.stateOf(0), { state: 'AVAILABLE', deliveryCount: 1, memberId: null })
    await broker.close()
  })
})

describe('share-group dead letters (#8, KIP-1191)', () => {
  it('rejected and delivery-limit records are appended to errors.deadletterqueue.topic.name with __dlq.errors.* headers', async () => {
    const { broker, topicId } = await setup(3)
    assert.ok((await broker.topics.createTopic({ name: 'dlq.jobs', numPartitions: 1 })).ok)
    const altered = await broker.call(incrementalAlterConfigs, 1, {
      resources: [
        {
          resourceType: 32,
          resourceName: 'g',
          configs: [
            { name: 'errors.deadletterqueue.topic.name', configOperation: 0, value: 'dlq.jobs' },
            { name: 'errors.deadletterqueue.copy.record.enable', configOperation: 0, value: 'true' },
            { name: 'share.delivery.count.limit', configOperation: 0, value: '2' },
          ],
        },
      ],
      validateOnly: false,
    })
    assert.equal(altered.responses[0].errorCode, ErrorCode.NONE, altered.responses[0].errorMessage ?? '')
    const badBool = await broker.call(incrementalAlterConfigs, 1, {
      resources: [
        {
          resourceType: 32,
          resourceName: 'g',
          configs: [{ name: 'errors.deadletterqueue.copy.record.enable', configOperation: 0, value: 'yes' }],
        },
      ],
      validateOnly: false,
    })
    assert.equal(badBool.responses[0].errorCode, ErrorCode.INVALID_CONFIG)
    await join(broker, 'a')
    await broker.call(shareFetch, 1, fetchInput(topicId, 'a', 0))
    // v0 rejected, v1 accepted, v2 released (delivery 1 of 2).
    const REJECT = 3
    await broker.call(
      shareFetch,
      1,
      fetchInput(topicId, 'a', 1, [
        { firstOffset: 0, lastOffset: 2, acknowledgeTypes: [REJECT, ACCEPT, RELEASE] },
      ]),
    )
    // v2 came back in that same fetch with delivery count 2; releasing it again archives it.
    const again = await broker.call(
      shareFetch,
      1,
      fetchInput(topicId, 'a', 2, [{ firstOffset: 2, lastOffset: 2, acknowledgeTypes: [RELEASE] }]),
    )
    assert.equal(again.responses[0].partitions[0].acknowledgeErrorCode, ErrorCode.NONE)
    await broker.context.shares.deadLetters.settled()
    const state = await broker.context.shares.partition('g', topicId, 0)
    assert.equal(state?.startOffset, 3, 'the queue moved on')
    const log = await broker.context.partitions.log('dlq.jobs', 0)
    assert.ok(log !== undefined)
    const read = await log.read(0, 1 << 20)
    const letters = read.batches.flatMap((b) => decodeBatch(b).records)
    const headers = letters.map((r) =>
      Object.fromEntries(r.headers.map((h) => [h.key, h.value === null ? null : String(h.value)])),
    )
    assert.deepEqual(
      letters.map((r) => String(r.value)),
      ['v0', 'v2'],
    )
    assert.deepEqual(headers, [
      {
        '__dlq.errors.topic': 'jobs',
        '__dlq.errors.partition': '0',
        '__dlq.errors.offset': '0',
        '__dlq.errors.group': 'g',
        '__dlq.errors.delivery.count': '1',
        '__dlq.errors.message': 'Offset rejected by client.',
      },
      {
        '__dlq.errors.topic': 'jobs',
        '__dlq.errors.partition': '0',
        '__dlq.errors.offset': '2',
        '__dlq.errors.group': 'g',
        '__dlq.errors.delivery.count': '2',
        '__dlq.errors.message': 'Offset delivery count exceeded the threshold.',
      },
    ])
    await broker.close()
  })
})

describe('share.isolation.level (#12)', () => {
  async function appendTxn(broker: TestBroker, producerId: number, values: string[]) {
    const log = (await broker.context.partitions.log('jobs', 0))!
    const batch = buildRecordBatch(
      values.map((value) => ({ value, timestampMs: 1_700_000_000_000 })),
      { producerId, producerEpoch: 0, baseSequence: 0, isTransactional: true, nowMs: 1_700_000_000_000 },
    )
    const result = log.append({ batch, recordsCount: values.length, maxTimestamp: 1_700_000_000_000 })
    await log.waitWritten(result.lastOffset + 1)
  }
  async function isolation(broker: TestBroker, value: string) {
    const altered = await broker.call(incrementalAlterConfigs, 1, {
      resources: [
        {
          resourceType: 32,
          resourceName: 'g',
          configs: [{ name: 'share.isolation.level', configOperation: 0, value }],
        },
      ],
      validateOnly: false,
    })
    assert.equal(altered.responses[0].errorCode, ErrorCode.NONE)
  }

  it('read_committed delivers only below the LSO and never an aborted record; read_uncommitted delivers both', async () => {
    for (const level of ['read_committed', 'read_uncommitted']) {
      const { broker, topicId } = await setup(0)
      await isolation(broker, level)
      await send(broker, 1, 0) // 0: v0
      await appendTxn(broker, 7, ['aborted-1', 'aborted-2']) // 1-2, aborts
      await appendTxn(broker, 8, ['committed-1']) // 3, commits
      await send(broker, 1, 4) // 4: v4
      await join(broker, 'a')
      let epoch = 0
      const delivered: string[] = []
      const fetchOnce = async () => {
        const response = await broker.call(shareFetch, 1, fetchInput(topicId, 'a', epoch++))
        const partition = response.responses[0]?.partitions[0]
        if (partition === undefined) return []
        assert.equal(partition.errorCode, ErrorCode.NONE)
        // Data records only: a client skips control batches (transaction markers).
        const got: string[] = []
        const records = partition.records as Buffer | null
        for (const { bytes } of records === null ? [] : iterateBatches(records)) {
          const batch = decodeBatch(bytes)
          if (!batch.isControl) for (const record of batch.records) got.push(String(record.value))
        }
        return { got, acquired: partition.acquiredRecords }
      }
      const first = await fetchOnce()
      if (level === 'read_committed') {
        assert.ok(!Array.isArray(first))
        assert.deepEqual(first.got, ['v0'], 'only below the LSO (1)')
        assert.deepEqual(first.acquired, [{ firstOffset: 0, lastOffset: 0, deliveryCount: 1 }])
      }
      if (!Array.isArray(first)) delivered.push(...first.got)
      const marker = (producerId: number, commit: boolean) =>
        broker.context.partitions.writeTxnMarker('jobs', 0, {
          producerId,
          producerEpoch: 0,
          commit,
          coordinatorEpoch: 0,
        })
      assert.equal(await marker(7, false), ErrorCode.NONE) // 5
      assert.equal(await marker(8, true), ErrorCode.NONE) // 6
      for (let i = 0; i < 3; i++) {
        const next = await fetchOnce()
        if (!Array.isArray(next)) delivered.push(...next.got)
      }
      if (level === 'read_committed') {
        assert.deepEqual(delivered, ['v0', 'committed-1', 'v4'])
        const state = await broker.context.shares.partition('g', topicId, 0)
        assert.deepEqual(state?.stateOf(1), { state: 'ARCHIVED', deliveryCount: 1, memberId: null })
        assert.deepEqual(state?.stateOf(2), { state: 'ARCHIVED', deliveryCount: 1, memberId: null })
      } else {
        assert.deepEqual(delivered, ['v0', 'aborted-1', 'aborted-2', 'committed-1', 'v4'])
      }
      await broker.close()
    }
  })
})
