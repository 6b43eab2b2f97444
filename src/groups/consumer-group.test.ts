// KIP-848 consumer groups on a simulated clock: joining, server-side assignment, reconciliation (no
// partition owned twice), epochs and fencing, expiry, static members, offsets fenced by member epoch.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ErrorCode } from '../protocol/index.js'
import { rangeAssignor, uniformAssignor } from './assignors.js'
import type { GroupCoordinator } from './group-coordinator.js'
import type { ConsumerGroupHeartbeatInput, ConsumerGroupHeartbeatResult } from './group-types.js'
import { openCoordinator, partitionCounts } from './group.harness.js'
import { staticTopicLookup } from './topic-lookup.js'

const lookup = staticTopicLookup(partitionCounts)
const ordersId = lookup.topicId('orders')!

function hb(overrides: Partial<ConsumerGroupHeartbeatInput> = {}): ConsumerGroupHeartbeatInput {
  return {
    apiVersion: 1,
    groupId: 'g',
    memberId: 'a',
    memberEpoch: 0,
    instanceId: null,
    rackId: null,
    rebalanceTimeoutMs: 30_000,
    subscribedTopicNames: ['orders'],
    subscribedTopicRegex: null,
    serverAssignor: null,
    topicPartitions: [],
    clientId: 'client',
    clientHost: '/127.0.0.1',
    ...overrides,
  }
}

/** Partitions of `orders` in an answer's assignment, or undefined when no assignment was sent. */
function orders(result: ConsumerGroupHeartbeatResult): number[] | undefined {
  if (result.assignment === null) return undefined
  return result.assignment.topicPartitions.find((t) => t.topicId === ordersId)?.partitions ?? []
}

function owned(partitions: number[]) {
  return [{ topicId: ordersId, partitions }]
}

/** A member that heartbeats like a client: remembers its epoch and reports what it owns. */
class Member {
  epoch = 0
  partitions: number[] = []
  constructor(
    private readonly coordinator: GroupCoordinator,
    readonly memberId: string,
    private readonly extra: Partial<ConsumerGroupHeartbeatInput> = {},
  ) {}

  beat(): ConsumerGroupHeartbeatResult {
    const joining = this.epoch === 0
    const result = this.coordinator.consumerGroupHeartbeat(
      hb({
        memberId: this.memberId,
        memberEpoch: this.epoch,
        topicPartitions: joining ? [] : owned(this.partitions),
        subscribedTopicNames: joining ? ['orders'] : null,
        rebalanceTimeoutMs: joining ? 30_000 : -1,
        ...this.extra,
      }),
    )
    assert.equal(result.errorCode, ErrorCode.NONE, result.errorMessage ?? '')
    this.epoch = result.memberEpoch
    const assigned = orders(result)
    if (assigned !== undefined) this.partitions = assigned
    return result
  }
}

function assertNoPartitionTwice(members: Member[]): void {
  const seen = new Set<number>()
  for (const m of members) {
    for (const p of m.partitions) {
      assert.ok(!seen.has(p), `partition ${p} owned twice`)
      seen.add(p)
    }
  }
}

describe('KIP-848 consumer group', () => {
  it('gives a lone member every partition at epoch 1', async () => {
    const { coordinator } = await openCoordinator()
    const result = coordinator.consumerGroupHeartbeat(hb())
    assert.equal(result.errorCode, ErrorCode.NONE)
    assert.equal(result.memberId, 'a')
    assert.equal(result.memberEpoch, 1)
    assert.equal(result.heartbeatIntervalMs, 5000)
    assert.deepEqual(orders(result), [0, 1, 2, 3, 4, 5])
    const again = coordinator.consumerGroupHeartbeat(
      hb({ memberEpoch: 1, topicPartitions: null, subscribedTopicNames: null }),
    )
    assert.equal(again.assignment, null, 'unchanged assignment is not resent')
    assert.equal(coordinator.describeConsumerGroup('g').groupState, 'Stable')
    await coordinator.close()
  })

  it('moves partitions to a newcomer only after the old owner reports them revoked', async () => {
    const { coordinator } = await openCoordinator()
    const a = new Member(coordinator, 'a')
    const b = new Member(coordinator, 'b')
    a.beat()
    assert.deepEqual(a.partitions, [0, 1, 2, 3, 4, 5])
    b.beat()
    assert.equal(b.epoch, 2)
    assert.deepEqual(b.partitions, [], 'nothing yet: a still owns everything')
    assert.equal(coordinator.describeConsumerGroup('g').groupState, 'Reconciling')
    // a learns it must give up three partitions; it keeps its epoch until it confirms.
    const revoke = a.beat()
    assert.equal(revoke.memberEpoch, 1)
    assert.equal(a.partitions.length, 3)
    assertNoPartitionTwice([a, b])
    // b asks again before a confirmed: still nothing.
    b.beat()
    assert.deepEqual(b.partitions, [])
    // a reports it owns only the kept partitions: it moves to epoch 2, and b may now take the rest.
    a.beat()
    assert.equal(a.epoch, 2)
    b.beat()
    assert.equal(b.partitions.length, 3)
    assertNoPartitionTwice([a, b])
    assert.deepEqual([...a.partitions, ...b.partitions].sort(), [0, 1, 2, 3, 4, 5])
    assert.equal(coordinator.describeConsumerGroup('g').groupState, 'Stable')
    const described = coordinator.describeConsumerGroup('g')
    assert.equal(described.groupEpoch, 2)
    assert.equal(described.members.length, 2)
    assert.deepEqual(
      described.members.find((m) => m.memberId === 'b')?.assignment.topicPartitions[0].topicName,
      'orders',
    )
    await coordinator.close()
  })

  it('splits six partitions among three members with none owned twice at any step', async () => {
    const { coordinator } = await openCoordinator()
    const members = ['a', 'b', 'c'].map((id) => new Member(coordinator, id))
    for (let round = 0; round < 5; round++) {
      for (const m of members) {
        m.beat()
        assertNoPartitionTwice(members)
      }
    }
    assert.deepEqual(
      members.map((m) => m.partitions.length),
      [2, 2, 2],
    )
    assert.deepEqual(
      members.map((m) => m.epoch),
      [3, 3, 3],
    )
    await coordinator.close()
  })

  it('fences a member that stops heartbeating after the session timeout, freeing its partitions', async () => {
    const { coordinator, clock } = await openCoordinator()
    const a = new Member(coordinator, 'a')
    const b = new Member(coordinator, 'b')
    for (let i = 0; i < 3; i++) for (const m of [a, b]) m.beat()
    assert.equal(b.partitions.length, 3)
    for (let t = 0; t < 50_000; t += 5000) {
      clock.advance(5000)
      a.beat()
    }
    assert.deepEqual(a.partitions, [0, 1, 2, 3, 4, 5])
    const stale = coordinator.consumerGroupHeartbeat(
      hb({ memberId: 'b', memberEpoch: b.epoch, topicPartitions: null }),
    )
    assert.equal(stale.errorCode, ErrorCode.UNKNOWN_MEMBER_ID)
    await coordinator.close()
  })

  it('fences a member that does not revoke within its rebalance timeout', async () => {
    const { coordinator, clock } = await openCoordinator()
    const a = new Member(coordinator, 'a')
    a.beat()
    const b = new Member(coordinator, 'b')
    b.beat()
    // a is told to revoke but never confirms (it heartbeats without reporting owned partitions).
    const revoke = coordinator.consumerGroupHeartbeat(
      hb({ memberEpoch: 1, topicPartitions: null, subscribedTopicNames: null }),
    )
    assert.equal(orders(revoke)?.length, 3)
    clock.advance(30_000)
    b.beat()
    assert.deepEqual(b.partitions, [0, 1, 2, 3, 4, 5])
    await coordinator.close()
  })

  it('answers epoch and shape mistakes with Kafka errors', async () => {
    const { coordinator } = await openCoordinator()
    new Member(coordinator, 'a').beat()
    const table: [string, Partial<ConsumerGroupHeartbeatInput>, number][] = [
      ['epoch ahead of the member', { memberEpoch: 5, topicPartitions: null }, ErrorCode.FENCED_MEMBER_EPOCH],
      ['unknown member', { memberId: 'zzz', memberEpoch: 1 }, ErrorCode.UNKNOWN_MEMBER_ID],
      ['unknown assignor', { memberId: 'c', serverAssignor: 'sticky' }, ErrorCode.UNSUPPORTED_ASSIGNOR],
      ['empty member id (v1)', { memberId: '' }, ErrorCode.INVALID_REQUEST],
      ['empty group id', { groupId: '' }, ErrorCode.INVALID_REQUEST],
      [
        'join without rebalance timeout',
        { memberId: 'c', rebalanceTimeoutMs: -1 },
        ErrorCode.INVALID_REQUEST,
      ],
      ['join without subscription', { memberId: 'c', subscribedTopicNames: null }, ErrorCode.INVALID_REQUEST],
      ['join claiming partitions', { memberId: 'c', topicPartitions: owned([1]) }, ErrorCode.INVALID_REQUEST],
      ['epoch below -2', { memberEpoch: -3 }, ErrorCode.INVALID_REQUEST],
      [
        'bad regex',
        { memberId: 'c', subscribedTopicNames: null, subscribedTopicRegex: '(' },
        ErrorCode.INVALID_REGULAR_EXPRESSION,
      ],
    ]
    for (const [name, input, expected] of table) {
      assert.equal(coordinator.consumerGroupHeartbeat(hb(input)).errorCode, expected, name)
    }
    await coordinator.close()
  })

  it('lets a member at its previous epoch continue when it owns nothing it should not', async () => {
    const { coordinator } = await openCoordinator()
    const a = new Member(coordinator, 'a')
    a.beat()
    new Member(coordinator, 'b').beat()
    a.beat() // revoke to 3 partitions, epoch 1
    a.beat() // confirm, epoch 2
    assert.equal(a.epoch, 2)
    // The answer carrying epoch 2 was lost: a retries with epoch 1 and its (reduced) ownership.
    const retry = coordinator.consumerGroupHeartbeat(
      hb({ memberEpoch: 1, topicPartitions: owned(a.partitions), subscribedTopicNames: null }),
    )
    assert.equal(retry.errorCode, ErrorCode.NONE)
    assert.equal(retry.memberEpoch, 2)
    const greedy = coordinator.consumerGroupHeartbeat(
      hb({ memberEpoch: 1, topicPartitions: owned([0, 1, 2, 3, 4, 5]), subscribedTopicNames: null }),
    )
    assert.equal(greedy.errorCode, ErrorCode.FENCED_MEMBER_EPOCH)
    await coordinator.close()
  })

  it('fences offset commits by member epoch', async () => {
    const { coordinator } = await openCoordinator()
    const a = new Member(coordinator, 'a')
    a.beat()
    const commit = async (memberId: string, epoch: number) =>
      (
        await coordinator.commitOffsets({
          groupId: 'g',
          generationIdOrMemberEpoch: epoch,
          memberId,
          groupInstanceId: null,
          topics: [
            {
              name: 'orders',
              partitions: [
                { partitionIndex: 0, committedOffset: 5, committedLeaderEpoch: -1, committedMetadata: null },
              ],
            },
          ],
        })
      )[0].partitions[0].errorCode
    assert.equal(await commit('a', 1), ErrorCode.NONE)
    assert.equal(await commit('a', 0), ErrorCode.STALE_MEMBER_EPOCH)
    assert.equal(await commit('a', 2), ErrorCode.FENCED_MEMBER_EPOCH)
    assert.equal(await commit('ghost', 1), ErrorCode.UNKNOWN_MEMBER_ID)
    assert.equal(
      await commit('', -1),
      ErrorCode.UNKNOWN_MEMBER_ID,
      'outsiders cannot commit while members are active',
    )
    const fetched = coordinator.fetchOffsets({ groupId: 'g', memberId: 'a', memberEpoch: 0, topics: null })
    assert.equal(fetched.errorCode, ErrorCode.STALE_MEMBER_EPOCH)
    assert.equal(
      coordinator.fetchOffsets({ groupId: 'g', memberId: 'a', memberEpoch: 1, topics: null }).topics[0]
        .partitions[0].committedOffset,
      5,
    )
    // After the member leaves, the tool may reset offsets with a plain commit.
    const left = coordinator.consumerGroupHeartbeat(hb({ memberEpoch: -1, topicPartitions: null }))
    assert.equal(left.memberEpoch, -1)
    assert.equal(await commit('', -1), ErrorCode.NONE)
    assert.deepEqual(
      coordinator.listGroups({ types: ['consumer'] }).map((g) => g.groupState),
      ['Empty'],
    )
    await coordinator.close()
  })

  it('keeps a static member’s assignment for its successor after a temporary leave (-2)', async () => {
    const { coordinator } = await openCoordinator()
    const a = new Member(coordinator, 'a', { instanceId: 'i-a' })
    const b = new Member(coordinator, 'b', { instanceId: 'i-b' })
    for (let i = 0; i < 3; i++) for (const m of [a, b]) m.beat()
    const before = [...a.partitions]
    const leave = coordinator.consumerGroupHeartbeat(
      hb({ memberId: 'a', memberEpoch: -2, instanceId: 'i-a', topicPartitions: null }),
    )
    assert.equal(leave.memberEpoch, -2)
    const taken = coordinator.consumerGroupHeartbeat(hb({ memberId: 'x', instanceId: 'i-b' }))
    assert.equal(taken.errorCode, ErrorCode.UNRELEASED_INSTANCE_ID)
    const back = coordinator.consumerGroupHeartbeat(hb({ memberId: 'a2', instanceId: 'i-a' }))
    assert.equal(back.errorCode, ErrorCode.NONE)
    assert.deepEqual(orders(back), before)
    assert.equal(back.memberEpoch, a.epoch, 'no new group epoch')
    await coordinator.close()
  })

  it('follows regex subscriptions and partitions added to subscribed topics', async () => {
    const counts: Record<string, number> = { 'logs-a': 2, 'logs-b': 2, other: 4 }
    const { coordinator } = await openCoordinator({ topics: staticTopicLookup(counts) })
    const first = coordinator.consumerGroupHeartbeat(
      hb({ subscribedTopicNames: null, subscribedTopicRegex: 'logs-.*' }),
    )
    assert.equal(first.assignment?.topicPartitions.length, 2)
    assert.equal(first.memberEpoch, 1)
    counts['logs-a'] = 4
    const grown = coordinator.consumerGroupHeartbeat(
      hb({ memberEpoch: 1, topicPartitions: null, subscribedTopicNames: null }),
    )
    assert.equal(grown.memberEpoch, 2)
    assert.equal(
      grown.assignment?.topicPartitions.reduce((n, t) => n + t.partitions.length, 0),
      6,
    )
    await coordinator.close()
  })

  it('does not mix protocols: classic joins to an active consumer group and vice versa are refused', async () => {
    const { coordinator } = await openCoordinator()
    coordinator.consumerGroupHeartbeat(hb())
    const join = await coordinator.joinGroup({
      groupId: 'g',
      memberId: '',
      groupInstanceId: null,
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 10_000,
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
      clientId: 'c',
      clientHost: '',
      requireKnownMemberId: true,
      supportsSkipAssignment: false,
    })
    assert.equal(join.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL)
    assert.equal(coordinator.describeGroup('g').groupState, 'Dead')
    assert.equal(coordinator.describeConsumerGroup('nope').errorCode, ErrorCode.GROUP_ID_NOT_FOUND)
    await coordinator.close()
  })
})

describe('assignors', () => {
  const member = (memberId: string, topics: string[], current: [string, number[]][] = []) => ({
    memberId,
    subscribedTopics: new Set(topics),
    current: new Map(current),
  })

  it('range gives contiguous ranges per topic, extras to the first members', () => {
    const target = rangeAssignor([member('b', ['t']), member('a', ['t'])], new Map([['t', 5]]))
    assert.deepEqual(target.get('a')?.get('t'), [0, 1, 2])
    assert.deepEqual(target.get('b')?.get('t'), [3, 4])
  })

  it('uniform balances across members and keeps partitions where they are', () => {
    const counts = new Map([['t', 6]])
    const first = uniformAssignor([member('a', ['t']), member('b', ['t'])], counts)
    assert.deepEqual([first.get('a')?.get('t')?.length, first.get('b')?.get('t')?.length], [3, 3])
    const second = uniformAssignor(
      [
        member('a', ['t'], [['t', first.get('a')!.get('t')!]]),
        member('b', ['t'], [['t', first.get('b')!.get('t')!]]),
        member('c', ['t']),
      ],
      counts,
    )
    const sizes = ['a', 'b', 'c'].map((id) => second.get(id)?.get('t')?.length ?? 0)
    assert.deepEqual(sizes, [2, 2, 2])
    for (const p of second.get('a')!.get('t')!)
      assert.ok(first.get('a')!.get('t')!.includes(p), 'a keeps what it had')
  })

  it('uniform only hands a topic to its subscribers', () => {
    const target = uniformAssignor(
      [member('a', ['t', 'u']), member('b', ['u'])],
      new Map([
        ['t', 2],
        ['u', 2],
      ]),
    )
    assert.equal(target.get('b')?.get('t'), undefined)
    assert.equal(
      (target.get('a')?.get('t')?.length ?? 0) +
        (target.get('a')?.get('u')?.length ?? 0) +
        (target.get('b')?.get('u')?.length ?? 0),
      4,
    )
  })
})
