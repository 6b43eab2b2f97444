// The group handlers end to end through the codec: requests encoded and decoded at real versions, handled
// against a coordinator on simulated time, answers encoded again at the same version.
import { Session } from '../../network/index.js'
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { silentLogger } from '../../core/index.js'
import { GroupCoordinator, staticTopicLookup } from '../../groups/index.js'
import {
  ErrorCode,
  type MessageDef,
  type MessageInput,
  type MessageValue,
  Reader,
  requestCodec,
  responseCodec,
  Writer,
} from '../../protocol/index.js'
import { SeededRandom, SimClock, SimFileSystem } from '../../testing/index.js'
import type { BrokerContext } from '../broker-context.js'
import type { Handler, RequestContext } from '../handler.js'
import { findCoordinator } from './find-coordinator.js'
import { groupHandlers } from './group-handlers.js'
import { consumerGroupHeartbeat } from './consumer-group-heartbeat.js'
import { heartbeat } from './heartbeat.js'
import { joinGroup } from './join-group.js'
import { leaveGroup } from './leave-group.js'
import { listGroups } from './list-groups.js'
import { describeGroups } from './describe-groups.js'
import { offsetCommit } from './offset-commit.js'
import { offsetFetch } from './offset-fetch.js'
import { syncGroup } from './sync-group.js'
import { txnOffsetCommit } from './txn-offset-commit.js'

async function setup() {
  const lookup = staticTopicLookup({ orders: 3 })
  const groups = await GroupCoordinator.open({
    fs: new SimFileSystem(),
    clock: new SimClock(),
    dir: '/data/__groups',
    logger: silentLogger,
    topics: lookup,
    random: new SeededRandom(7),
    initialRebalanceDelayMs: 0,
  })
  const topics = {
    topic: (name: string) =>
      lookup.partitionCount(name) === undefined
        ? undefined
        : { name, topicId: lookup.topicId(name)!, partitionCount: lookup.partitionCount(name)! },
    topicById: (id: string) => {
      const name = lookup.topicName(id)
      return name === undefined
        ? undefined
        : { name, topicId: id, partitionCount: lookup.partitionCount(name)! }
    },
    topics: () => [],
  }
  const broker = {
    config: { nodeId: 7, advertisedHost: 'broker.test' },
    advertisedPort: 19092,
    groups,
    topics,
    // No share groups here (ListGroups also lists those).
    shares: { groupIds: () => [], group: () => undefined },
  } as unknown as BrokerContext
  async function call<Req extends MessageDef, Res extends MessageDef>(
    handler: Handler<Req, Res>,
    version: number,
    input: MessageInput<Req>,
  ): Promise<MessageValue<Res>> {
    const writer = new Writer()
    requestCodec(handler.apiKey, version)!.encode(writer, input as MessageInput<MessageDef>)
    const request = requestCodec(handler.apiKey, version)!.decode(
      new Reader(writer.toBuffer()),
    ) as MessageValue<Req>
    const context: RequestContext = {
      header: { apiKey: handler.apiKey, apiVersion: version, correlationId: 1, clientId: 'test-client' },
      session: new Session({ listener: 'test', remoteAddress: '127.0.0.1:50000', remoteHost: '127.0.0.1' }),
      broker,
    }
    const response = await handler.handle(request, context)
    const out = new Writer()
    responseCodec(handler.apiKey, version)!.encode(out, response as MessageInput<MessageDef>)
    return responseCodec(handler.apiKey, version)!.decode(new Reader(out.toBuffer())) as MessageValue<Res>
  }
  return { call, groups, lookup, broker: broker as BrokerContext & { transactions?: unknown } }
}

describe('group handlers', () => {
  it('exports one handler per group API', () => {
    assert.deepEqual(
      groupHandlers.map((h) => h.apiKey).sort((a, b) => a - b),
      [8, 9, 10, 11, 12, 13, 14, 15, 16, 28, 42, 47, 68, 69],
    )
  })

  it('FindCoordinator points groups at this node, single and batched', async () => {
    const { call, groups } = await setup()
    const v0 = await call(findCoordinator, 0, { key: 'g' })
    assert.deepEqual([v0.errorCode, v0.nodeId, v0.host, v0.port], [ErrorCode.NONE, 7, 'broker.test', 19092])
    const v4 = await call(findCoordinator, 4, { keyType: 0, coordinatorKeys: ['a', 'b'] })
    assert.deepEqual(
      v4.coordinators.map((c) => [c.key, c.nodeId, c.errorCode]),
      [
        ['a', 7, 0],
        ['b', 7, 0],
      ],
    )
    const txn = await call(findCoordinator, 3, { key: 'tx', keyType: 1 })
    assert.deepEqual([txn.errorCode, txn.nodeId], [ErrorCode.NONE, 7])
    const emptyTxn = await call(findCoordinator, 3, { key: '', keyType: 1 })
    assert.equal(emptyTxn.errorCode, ErrorCode.INVALID_REQUEST)
    const bad = await call(findCoordinator, 4, { keyType: 9, coordinatorKeys: ['x'] })
    assert.equal(bad.coordinators[0].errorCode, ErrorCode.INVALID_REQUEST)
    await groups.close()
  })

  it('FindCoordinator with the share key type takes only "groupId:topicId:partition" keys, as Kafka 4.4 (#8)', async () => {
    const { call, groups } = await setup()
    // Kafka 4.4 answered each of these keys so (INVALID_REQUEST = 42) in a probe of a real broker.
    const keys: [string, number][] = [
      ['g:AAAAAAAAAAAAAAAAAAAAAA:0', 0],
      ['a:b:AAAAAAAAAAAAAAAAAAAAAA:0', 0],
      ['g:zzzzzzzzzzzzzzzzzzzzzz:-1', 0],
      ['g:AAAAAAAAAAAAAAAAAAAAAA:+1', 0],
      ['g:AAAAAAAAAAAAAAAAAAAAAA:0:', 0],
      ['g:abc:0', 42],
      ['bad', 42],
      ['', 42],
      [':AAAAAAAAAAAAAAAAAAAAAA:0', 42],
      ['g: AAAAAAAAAAAAAAAAAAAAAA:0', 42],
      ['g:AAAAAAAAAAAAAAAAAAAAAA:x', 42],
      ['g:AAAAAAAAAAAAAAAAAAAAAA:99999999999', 42],
      ['g:AAAAAAAAAAAAAAAAAAAAAAAA:0', 42],
    ]
    const answer = await call(findCoordinator, 6, { keyType: 2, coordinatorKeys: keys.map(([key]) => key) })
    assert.deepEqual(
      answer.coordinators.map((c) => [c.key, c.errorCode]),
      keys,
    )
    assert.equal(answer.coordinators[0].nodeId, 7)
    assert.equal(answer.coordinators[5].nodeId, -1)
    await groups.close()
  })

  it('#7: a group id longer than an int16 string can carry is INVALID_GROUP_ID, so ListGroups v0-2 can still name every group', async () => {
    // Flexible versions carry compact strings of any length; before the bound a 40,000-byte id created a
    // group, and every later ListGroups v0-2 answer failed to encode and closed its connection (fuzzer).
    const { call, groups } = await setup()
    const long = 'g'.repeat(40_000)
    const atBound = 'h'.repeat(0x7fff)
    const join = await call(joinGroup, 9, {
      groupId: long,
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 30_000,
      memberId: '',
      groupInstanceId: null,
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
      reason: null,
    })
    assert.equal(join.errorCode, ErrorCode.INVALID_GROUP_ID)
    const commit = await call(offsetCommit, 8, {
      groupId: long,
      generationIdOrMemberEpoch: -1,
      memberId: '',
      groupInstanceId: null,
      topics: [
        { name: 'orders', partitions: [{ partitionIndex: 0, committedOffset: 1, committedMetadata: null }] },
      ],
    })
    assert.equal(commit.topics[0].partitions[0].errorCode, ErrorCode.INVALID_GROUP_ID)
    const heartbeat848 = await call(consumerGroupHeartbeat, 0, {
      groupId: long,
      memberId: '',
      memberEpoch: 0,
      instanceId: null,
      rackId: null,
      rebalanceTimeoutMs: 30_000,
      subscribedTopicNames: ['orders'],
      serverAssignor: null,
      topicPartitions: [],
    })
    assert.equal(heartbeat848.errorCode, ErrorCode.INVALID_REQUEST)
    // An id of exactly the bound is a group like any other, and old versions can name it.
    const atBoundCommit = await call(offsetCommit, 8, {
      groupId: atBound,
      generationIdOrMemberEpoch: -1,
      memberId: '',
      groupInstanceId: null,
      topics: [
        { name: 'orders', partitions: [{ partitionIndex: 0, committedOffset: 1, committedMetadata: null }] },
      ],
    })
    assert.equal(atBoundCommit.topics[0].partitions[0].errorCode, ErrorCode.NONE)
    const listed = await call(listGroups, 2, {})
    assert.equal(listed.errorCode, ErrorCode.NONE)
    assert.deepEqual(
      listed.groups.map((g) => g.groupId.length),
      [0x7fff],
    )
    await groups.close()
  })

  it('runs a kafka-python-style v2/v1 group through join, sync, heartbeat, commit, fetch and leave', async () => {
    const { call, groups } = await setup()
    const join = await call(joinGroup, 2, {
      groupId: 'g',
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 30_000,
      memberId: '',
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: Buffer.from('sub') }],
    })
    assert.equal(join.errorCode, ErrorCode.NONE)
    assert.ok(join.memberId.startsWith('test-client-'))
    assert.deepEqual(
      join.members.map((m) => m.metadata),
      [Buffer.from('sub')],
    )
    const sync = await call(syncGroup, 1, {
      groupId: 'g',
      generationId: join.generationId,
      memberId: join.memberId,
      assignments: [{ memberId: join.memberId, assignment: Buffer.from('all') }],
    })
    assert.deepEqual(sync.assignment, Buffer.from('all'))
    const hb = await call(heartbeat, 1, {
      groupId: 'g',
      generationId: join.generationId,
      memberId: join.memberId,
    })
    assert.equal(hb.errorCode, ErrorCode.NONE)
    const commit = await call(offsetCommit, 2, {
      groupId: 'g',
      generationIdOrMemberEpoch: join.generationId,
      memberId: join.memberId,
      topics: [
        { name: 'orders', partitions: [{ partitionIndex: 1, committedOffset: 10, committedMetadata: 'm' }] },
      ],
    })
    assert.equal(commit.topics[0].partitions[0].errorCode, ErrorCode.NONE)
    const fetched = await call(offsetFetch, 1, {
      groupId: 'g',
      topics: [{ name: 'orders', partitionIndexes: [0, 1] }],
    })
    assert.deepEqual(
      fetched.topics[0].partitions.map((p) => [p.partitionIndex, p.committedOffset, p.metadata, p.errorCode]),
      [
        [0, -1, '', 0],
        [1, 10, 'm', 0],
      ],
    )
    const described = await call(describeGroups, 3, { groups: ['g', 'nope'] })
    assert.deepEqual(
      described.groups.map((g) => g.groupState),
      ['Stable', 'Dead'],
    )
    assert.deepEqual(described.groups[0].members[0].memberAssignment, Buffer.from('all'))
    const left = await call(leaveGroup, 1, { groupId: 'g', memberId: join.memberId })
    assert.equal(left.errorCode, ErrorCode.NONE)
    const listed = await call(listGroups, 4, { statesFilter: ['Empty'] })
    assert.deepEqual(
      listed.groups.map((g) => [g.groupId, g.groupState]),
      [['g', 'Empty']],
    )
    await groups.close()
  })

  it('uses MEMBER_ID_REQUIRED from JoinGroup v4, batches OffsetFetch v8, and names topics by id in v10', async () => {
    const { call, groups, lookup } = await setup()
    const first = await call(joinGroup, 6, {
      groupId: 'g',
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 30_000,
      memberId: '',
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
    })
    assert.equal(first.errorCode, ErrorCode.MEMBER_ID_REQUIRED)
    assert.notEqual(first.memberId, '')
    const ordersId = lookup.topicId('orders')!
    const commit = await call(offsetCommit, 10, {
      groupId: 'other',
      generationIdOrMemberEpoch: -1,
      memberId: '',
      topics: [
        {
          topicId: ordersId,
          partitions: [{ partitionIndex: 2, committedOffset: 99, committedMetadata: null }],
        },
        {
          topicId: 'AAAAAAAAAAAAAAAAAAAAAQ',
          partitions: [{ partitionIndex: 0, committedOffset: 1, committedMetadata: null }],
        },
      ],
    })
    assert.deepEqual(
      commit.topics.map((t) => t.partitions[0].errorCode),
      [ErrorCode.NONE, ErrorCode.UNKNOWN_TOPIC_ID],
    )
    const v8 = await call(offsetFetch, 8, {
      groups: [
        { groupId: 'other', topics: null },
        { groupId: 'missing', topics: [{ name: 'orders', partitionIndexes: [0] }] },
      ],
    })
    assert.deepEqual(
      v8.groups[0].topics[0].partitions.map((p) => [p.partitionIndex, p.committedOffset]),
      [[2, 99]],
    )
    assert.equal(v8.groups[1].topics[0].partitions[0].committedOffset, -1)
    const v10 = await call(offsetFetch, 10, {
      groups: [{ groupId: 'other', topics: [{ topicId: ordersId, partitionIndexes: [2] }] }],
    })
    assert.equal(v10.groups[0].topics[0].topicId, ordersId)
    assert.equal(v10.groups[0].topics[0].partitions[0].committedOffset, 99)
    await groups.close()
  })

  it('TxnOffsetCommit (#12): asks the transaction coordinator, stores pending offsets, OffsetFetch require_stable sees them', async () => {
    const { call, groups, broker } = await setup()
    const request = (version: number, extra: Record<string, unknown> = {}) =>
      call(txnOffsetCommit, version, {
        transactionalId: 'tx',
        groupId: 'g',
        producerId: 5,
        producerEpoch: 1,
        topics: [
          {
            name: 'orders',
            partitions: [
              { partitionIndex: 1, committedOffset: 30, committedLeaderEpoch: 2, committedMetadata: null },
            ],
          },
        ],
        ...extra,
      })
    const checks: unknown[] = []
    let answer: number = ErrorCode.PRODUCER_FENCED
    ;(broker as unknown as { transactions: unknown }).transactions = {
      checkOffsetCommit: (input: unknown) => {
        checks.push(input)
        return answer
      },
    }
    const fenced = await request(3)
    assert.equal(fenced.topics[0].partitions[0].errorCode, ErrorCode.PRODUCER_FENCED)
    assert.deepEqual(checks[0], {
      transactionalId: 'tx',
      producerId: 5,
      producerEpoch: 1,
      groupId: 'g',
      implicitAdd: false,
    })
    answer = ErrorCode.NONE
    const v5 = await request(5)
    assert.deepEqual(
      [v5.topics[0].name, v5.topics[0].partitions[0].partitionIndex, v5.topics[0].partitions[0].errorCode],
      ['orders', 1, ErrorCode.NONE],
    )
    assert.equal((checks[1] as { implicitAdd: boolean }).implicitAdd, true)
    // v3+ carries the member: an unknown generation of an unknown group is refused.
    const stale = await request(3, { groupId: 'h', generationId: 4, memberId: 'm' })
    assert.equal(stale.topics[0].partitions[0].errorCode, ErrorCode.ILLEGAL_GENERATION)
    const fetch = (version: number, requireStable: boolean) =>
      call(offsetFetch, version, {
        groupId: 'g',
        topics: [{ name: 'orders', partitionIndexes: [1] }],
        requireStable,
      })
    assert.equal((await fetch(7, true)).topics[0].partitions[0].errorCode, ErrorCode.UNSTABLE_OFFSET_COMMIT)
    assert.equal((await fetch(7, false)).topics[0].partitions[0].committedOffset, -1)
    // Before v7 there is no require_stable.
    assert.equal((await fetch(6, true)).topics[0].partitions[0].errorCode, ErrorCode.NONE)
    const v8 = await call(offsetFetch, 8, {
      groups: [{ groupId: 'g', topics: [{ name: 'orders', partitionIndexes: [1] }] }],
      requireStable: true,
    })
    assert.equal(v8.groups[0].topics[0].partitions[0].errorCode, ErrorCode.UNSTABLE_OFFSET_COMMIT)
    await groups.completeTransaction('g', 5, 1, true)
    const done = await fetch(7, true)
    assert.deepEqual(
      [done.topics[0].partitions[0].errorCode, done.topics[0].partitions[0].committedOffset],
      [ErrorCode.NONE, 30],
    )
    await groups.close()
  })
})
