// KIP-932 share-group membership on a simulated clock (#8): joining, the simple assignor sharing
// partitions, member epochs and fencing, leaving, session expiry, limits.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ErrorCode } from '../protocol/index.js'
import { SeededRandom, SimClock } from '../testing/index.js'
import { ShareGroup, type ShareHeartbeatInput, simpleShareAssignor } from './share-group.js'

const counts = new Map<string, number>([
  ['orders', 4],
  ['jobs', 1],
])

function setup(groupSizeMax = 200) {
  const clock = new SimClock()
  const removed: string[] = []
  const group = new ShareGroup(
    'g',
    clock,
    {
      sessionTimeoutMs: () => 45_000,
      heartbeatIntervalMs: () => 5000,
      groupSizeMax,
      subscribedTopicsMax: 3,
    },
    { partitionCount: (name) => counts.get(name) },
    (groupId, memberId) => removed.push(`${groupId}/${memberId}`),
  )
  return { clock, group, removed }
}

function hb(memberId: string, memberEpoch: number, topics: string[] | null = null): ShareHeartbeatInput {
  return {
    memberId,
    memberEpoch,
    rackId: null,
    subscribedTopicNames: topics,
    clientId: 'c',
    clientHost: '/127.0.0.1',
  }
}

describe('share group membership (#8)', () => {
  it('a member joins with epoch 0 and its topics, and gets every partition while alone', () => {
    const { group } = setup()
    const result = group.heartbeat(hb('a', 0, ['orders']))
    assert.equal(result.errorCode, ErrorCode.NONE)
    assert.equal(result.memberId, 'a')
    assert.equal(result.memberEpoch, 1)
    assert.equal(result.heartbeatIntervalMs, 5000)
    assert.deepEqual(result.assignment, new Map([['orders', [0, 1, 2, 3]]]))
    assert.equal(group.state, 'Stable')
  })

  it('bad joins: empty member id, no topics, too many topics are INVALID_REQUEST', () => {
    const { group } = setup()
    assert.equal(group.heartbeat(hb('', 0, ['orders'])).errorCode, ErrorCode.INVALID_REQUEST)
    assert.equal(group.heartbeat(hb('a', 0, null)).errorCode, ErrorCode.INVALID_REQUEST)
    assert.equal(group.heartbeat(hb('a', 0, [])).errorCode, ErrorCode.INVALID_REQUEST)
    assert.equal(group.heartbeat(hb('a', 0, ['a', 'b', 'c', 'd'])).errorCode, ErrorCode.INVALID_REQUEST)
    assert.equal(group.heartbeat(hb('a', -2, ['orders'])).errorCode, ErrorCode.INVALID_REQUEST)
    assert.equal(group.members.size, 0)
  })

  it('a second member splits the partitions; the first is not fenced by the join it did not see', () => {
    const { group } = setup()
    const a1 = group.heartbeat(hb('a', 0, ['orders']))
    const b1 = group.heartbeat(hb('b', 0, ['orders']))
    assert.equal(b1.memberEpoch, 2)
    const a2 = group.heartbeat(hb('a', a1.memberEpoch))
    assert.equal(a2.errorCode, ErrorCode.NONE)
    assert.equal(a2.memberEpoch, 2)
    const mine = a2.assignment?.get('orders') ?? []
    const theirs = b1.assignment?.get('orders') ?? []
    assert.equal(mine.length, 2)
    assert.deepEqual([...mine, ...theirs].sort(), [0, 1, 2, 3])
    // Nothing changed since: no assignment is sent.
    assert.equal(group.heartbeat(hb('a', 2)).assignment, null)
  })

  it('more members than partitions: every member gets the one partition (shared)', () => {
    const { group } = setup()
    for (const id of ['a', 'b', 'c']) group.heartbeat(hb(id, 0, ['jobs']))
    for (const id of ['a', 'b', 'c']) {
      const member = group.members.get(id)!
      const result = group.heartbeat(hb(id, member.memberEpoch))
      assert.equal(result.errorCode, ErrorCode.NONE)
      assert.deepEqual(group.members.get(id)!.assignment, new Map([['jobs', [0]]]))
    }
  })

  it('a stale or future epoch is FENCED_MEMBER_EPOCH; an unknown member is UNKNOWN_MEMBER_ID', () => {
    const { group } = setup()
    group.heartbeat(hb('a', 0, ['orders']))
    assert.equal(group.heartbeat(hb('a', 7)).errorCode, ErrorCode.FENCED_MEMBER_EPOCH)
    assert.equal(group.heartbeat(hb('zz', 1)).errorCode, ErrorCode.UNKNOWN_MEMBER_ID)
    assert.equal(group.heartbeat(hb('zz', -1)).errorCode, ErrorCode.UNKNOWN_MEMBER_ID)
    // Rejoining with epoch 0 sends the whole assignment again.
    const rejoin = group.heartbeat(hb('a', 0, ['orders']))
    assert.deepEqual(rejoin.assignment, new Map([['orders', [0, 1, 2, 3]]]))
  })

  it('leaving (epoch -1) releases the member and hands its partitions to the others', () => {
    const { group, removed } = setup()
    group.heartbeat(hb('a', 0, ['orders']))
    const b = group.heartbeat(hb('b', 0, ['orders']))
    const left = group.heartbeat(hb('a', -1))
    assert.equal(left.errorCode, ErrorCode.NONE)
    assert.equal(left.memberEpoch, -1)
    assert.deepEqual(removed, ['g/a'])
    const after = group.heartbeat(hb('b', b.memberEpoch))
    assert.deepEqual(after.assignment, new Map([['orders', [0, 1, 2, 3]]]))
  })

  it('a member that stops heartbeating is removed after the session timeout', () => {
    const { clock, group, removed } = setup()
    group.heartbeat(hb('a', 0, ['orders']))
    const b = group.heartbeat(hb('b', 0, ['orders']))
    clock.advance(40_000)
    group.heartbeat(hb('b', b.memberEpoch))
    clock.advance(5000)
    assert.deepEqual(removed, ['g/a'])
    assert.equal(group.hasMember('a'), false)
    assert.equal(group.hasMember('b'), true)
    clock.advance(40_000)
    assert.deepEqual(removed, ['g/a', 'g/b'])
    assert.equal(group.state, 'Empty')
  })

  it('group.share.max.size: one member too many is GROUP_MAX_SIZE_REACHED', () => {
    const { group } = setup(2)
    group.heartbeat(hb('a', 0, ['orders']))
    group.heartbeat(hb('b', 0, ['orders']))
    assert.equal(group.heartbeat(hb('c', 0, ['orders'])).errorCode, ErrorCode.GROUP_MAX_SIZE_REACHED)
  })

  it('a topic created after the subscription is assigned on the next heartbeat', () => {
    const { group } = setup()
    const first = group.heartbeat(hb('a', 0, ['later']))
    assert.deepEqual(first.assignment, new Map())
    counts.set('later', 2)
    try {
      const next = group.heartbeat(hb('a', first.memberEpoch))
      assert.equal(next.errorCode, ErrorCode.NONE)
      assert.deepEqual(next.assignment, new Map([['later', [0, 1]]]))
      assert.ok(next.memberEpoch > first.memberEpoch)
    } finally {
      counts.delete('later')
    }
  })
})

describe('simple share assignor (#8)', () => {
  it('covers every partition; exclusive and even with few members, one partition each with many', () => {
    const random = new SeededRandom(8)
    for (let round = 0; round < 300; round++) {
      const topics = new Map<string, number>()
      const topicCount = random.intBetween(1, 4)
      for (let t = 0; t < topicCount; t++) topics.set(`t${t}`, random.intBetween(1, 8))
      const members = Array.from({ length: random.intBetween(1, 10) }, (_, i) => ({
        memberId: `m${i}`,
        subscribedTopics: [...topics.keys()].filter(() => random.chance(0.7)),
      }))
      const target = simpleShareAssignor(members, topics)
      for (const [topic, partitionCount] of topics) {
        const subscribers = members.filter((m) => m.subscribedTopics.includes(topic))
        const holders = new Map<number, number>()
        const perMember = subscribers.map((m) => target.get(m.memberId)?.get(topic) ?? [])
        for (const partitions of perMember)
          for (const p of partitions) holders.set(p, (holders.get(p) ?? 0) + 1)
        for (const m of members.filter((x) => !x.subscribedTopics.includes(topic)))
          assert.equal(
            target.get(m.memberId)?.get(topic),
            undefined,
            `round ${round}: unsubscribed member got ${topic}`,
          )
        if (subscribers.length === 0) continue
        for (let p = 0; p < partitionCount; p++)
          assert.ok(holders.has(p), `round ${round}: ${topic}-${p} unassigned`)
        if (subscribers.length <= partitionCount) {
          for (const n of holders.values()) assert.equal(n, 1, `round ${round}: ${topic} partition shared`)
          const sizes = perMember.map((ps) => ps.length)
          assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `round ${round}: uneven ${sizes}`)
        } else {
          for (const ps of perMember) assert.equal(ps.length, 1, `round ${round}: ${topic} not one each`)
        }
      }
    }
  })
})
