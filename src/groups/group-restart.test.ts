// Groups resume after a restart (#7): members, generation, protocol and assignments of classic groups, and
// KIP-848 epochs and assignments, come back from the log, so members go on without a rebalance.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ErrorCode } from '../protocol/index.js'
import { StateLog } from '../storage/index.js'
import { silentLogger } from '../core/index.js'
import {
  DIR,
  flush,
  joinInput,
  openCoordinator,
  partitionCounts,
  subscription,
  syncInput,
  watch,
} from './group.harness.js'
import { GROUP_STATE_DIR, groupStateRecord } from './group-log.js'
import type { ConsumerGroupHeartbeatInput } from './group-types.js'
import { staticTopicLookup } from './topic-lookup.js'

const ordersId = staticTopicLookup(partitionCounts).topicId('orders')!

function hb(overrides: Partial<ConsumerGroupHeartbeatInput> = {}): ConsumerGroupHeartbeatInput {
  return {
    apiVersion: 1,
    groupId: 'k',
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

const assignmentOf = (name: string) => Buffer.from(`assignment of ${name}`)

describe('groups across a restart (#7)', () => {
  it('#7 a classic group of 3 resumes Stable: same generation, members and assignments, no rebalance', async () => {
    // The initial delay lets all three join one round.
    const { coordinator, fs, clock } = await openCoordinator({ initialRebalanceDelayMs: 1000 })
    const joins = ['a', 'b', 'c'].map((clientId) =>
      watch(coordinator.joinGroup(joinInput({ clientId, rebalanceTimeoutMs: 10_000 }))),
    )
    await flush()
    clock.advance(10_000)
    await flush()
    const members = joins.map((j) => j.value!)
    assert.ok(
      members.every((m) => m.errorCode === ErrorCode.NONE && m.generationId === members[0].generationId),
    )
    const generationId = members[0].generationId
    const leader = members.find((m) => m.memberId === m.leader)!
    const syncs = members.map((m) =>
      coordinator.syncGroup(
        syncInput({
          memberId: m.memberId,
          generationId,
          assignments:
            m === leader
              ? members.map((x) => ({ memberId: x.memberId, assignment: assignmentOf(x.memberId) }))
              : [],
        }),
      ),
    )
    await Promise.all(syncs)
    await coordinator.close()

    const reopened = (await openCoordinator({}, fs, clock)).coordinator
    const described = reopened.describeGroup('g')
    assert.equal(described.groupState, 'Stable')
    assert.deepEqual(described.members.map((m) => m.memberId).sort(), members.map((m) => m.memberId).sort())
    for (const m of members) {
      const heartbeat = { groupId: 'g', generationId, memberId: m.memberId, groupInstanceId: null }
      assert.equal(reopened.heartbeat(heartbeat), ErrorCode.NONE, 'no rebalance after the restart')
      const sync = await reopened.syncGroup(syncInput({ memberId: m.memberId, generationId }))
      assert.deepEqual(sync.assignment, assignmentOf(m.memberId))
    }
    // A commit in the resumed generation is accepted.
    const [committed] = await reopened.commitOffsets({
      groupId: 'g',
      generationIdOrMemberEpoch: generationId,
      memberId: leader.memberId,
      groupInstanceId: null,
      topics: [
        {
          name: 'orders',
          partitions: [
            { partitionIndex: 0, committedOffset: 5, committedLeaderEpoch: -1, committedMetadata: '' },
          ],
        },
      ],
    })
    assert.equal(committed.partitions[0].errorCode, ErrorCode.NONE)
    await reopened.close()
  })

  it('#7 a rebalance interrupted by a restart goes on: members that rejoin get the next generation', async () => {
    const { coordinator, fs, clock } = await openCoordinator()
    const a = await coordinator.joinGroup(joinInput({ clientId: 'a' }))
    await coordinator.syncGroup(syncInput({ memberId: a.memberId, generationId: a.generationId }))
    const b = watch(coordinator.joinGroup(joinInput({ clientId: 'b' })))
    await flush()
    assert.equal(coordinator.describeGroup('g').groupState, 'PreparingRebalance')
    await coordinator.close()
    assert.equal(b.value?.errorCode, ErrorCode.NOT_COORDINATOR)

    const reopened = (await openCoordinator({}, fs, clock)).coordinator
    assert.equal(reopened.describeGroup('g').groupState, 'PreparingRebalance')
    const bId = reopened.describeGroup('g').members.find((m) => m.memberId !== a.memberId)!.memberId
    const rejoinA = watch(reopened.joinGroup(joinInput({ memberId: a.memberId, clientId: 'a' })))
    const rejoinB = watch(reopened.joinGroup(joinInput({ memberId: bId, clientId: 'b' })))
    await flush()
    assert.equal(rejoinA.value?.generationId, a.generationId + 1)
    assert.equal(rejoinB.value?.generationId, a.generationId + 1)
    await reopened.close()
  })

  it('#7 a KIP-848 group resumes with member epochs and assignments, after a close or a crash', async () => {
    const { coordinator, fs, clock } = await openCoordinator()
    const a1 = coordinator.consumerGroupHeartbeat(hb({ memberId: 'a' }))
    const b1 = coordinator.consumerGroupHeartbeat(hb({ memberId: 'b' }))
    // a gives up what the target moved to b; both settle.
    const aPartitions = (r: typeof a1) =>
      r.assignment?.topicPartitions.find((t) => t.topicId === ordersId)?.partitions
    let a = coordinator.consumerGroupHeartbeat(
      hb({
        memberId: 'a',
        memberEpoch: a1.memberEpoch,
        topicPartitions: [{ topicId: ordersId, partitions: aPartitions(a1) ?? [] }],
      }),
    )
    let b = coordinator.consumerGroupHeartbeat(
      hb({ memberId: 'b', memberEpoch: b1.memberEpoch, topicPartitions: [] }),
    )
    const aOwned = aPartitions(a) ?? []
    a = coordinator.consumerGroupHeartbeat(
      hb({
        memberId: 'a',
        memberEpoch: a.memberEpoch,
        topicPartitions: [{ topicId: ordersId, partitions: aOwned }],
      }),
    )
    b = coordinator.consumerGroupHeartbeat(
      hb({ memberId: 'b', memberEpoch: b.memberEpoch, topicPartitions: [] }),
    )
    const bOwned = aPartitions(b) ?? []
    b = coordinator.consumerGroupHeartbeat(
      hb({
        memberId: 'b',
        memberEpoch: b.memberEpoch,
        topicPartitions: [{ topicId: ordersId, partitions: bOwned }],
      }),
    )
    const before = coordinator.describeConsumerGroup('k')
    assert.equal(before.groupState, 'Stable')
    assert.equal(aOwned.length + bOwned.length, partitionCounts.orders)
    await flush()
    // A crash: no close, only what reached the disk survives.
    const crashed = fs.crash({ tearProbability: 1 })
    await coordinator.close()

    const reopened = (await openCoordinator({}, crashed, clock)).coordinator
    const after = reopened.describeConsumerGroup('k')
    assert.equal(after.groupState, 'Stable')
    assert.equal(after.groupEpoch, before.groupEpoch)
    assert.deepEqual(
      after.members.map((m) => [m.memberId, m.memberEpoch, m.assignment]),
      before.members.map((m) => [m.memberId, m.memberEpoch, m.assignment]),
    )
    const again = reopened.consumerGroupHeartbeat(
      hb({
        memberId: 'a',
        memberEpoch: a.memberEpoch,
        topicPartitions: [{ topicId: ordersId, partitions: aOwned }],
      }),
    )
    assert.equal(again.errorCode, ErrorCode.NONE)
    assert.equal(again.memberEpoch, a.memberEpoch, 'same epoch: no rebalance')
    assert.deepEqual(aPartitions(again)?.sort(), [...aOwned].sort())
    await reopened.close()
  })

  it('#7 a membership record it cannot read leaves the group empty, with its offsets', async () => {
    const { coordinator, fs, clock } = await openCoordinator()
    await coordinator.commitOffsets({
      groupId: 'g',
      generationIdOrMemberEpoch: -1,
      memberId: '',
      groupInstanceId: null,
      topics: [
        {
          name: 'orders',
          partitions: [
            { partitionIndex: 1, committedOffset: 3, committedLeaderEpoch: -1, committedMetadata: '' },
          ],
        },
      ],
    })
    await coordinator.close()
    const { log } = await StateLog.open({
      fs,
      dir: `${DIR}/${GROUP_STATE_DIR}`,
      logger: silentLogger,
      replay: () => {},
      snapshot: () => [],
    })
    await log.append([
      groupStateRecord({ type: 'membership', groupId: 'g', value: { generationId: 'x', state: 'Stable' } }),
      groupStateRecord({ type: 'member', groupId: 'g', memberId: 'm', value: { protocols: 5 } }),
    ])
    await log.close()
    const reopened = (await openCoordinator({}, fs, clock)).coordinator
    assert.equal(reopened.describeGroup('g').groupState, 'Empty')
    const fetched = reopened.fetchOffsets({ groupId: 'g', memberId: null, memberEpoch: -1, topics: null })
    assert.equal(fetched.topics[0].partitions[0].committedOffset, 3)
    await reopened.close()
  })

  it('#7 a member whose metadata is too large to record does not cost another group its membership', async () => {
    // Changes noted in one turn are flushed in one append; the 1.2 MB member record failed it
    // (StateRecordTooLargeError) and the other group's assignment was lost with it: after a restart its
    // member had none and had to rejoin.
    const { coordinator, fs, clock } = await openCoordinator({ initialRebalanceDelayMs: 0 })
    const small = watch(coordinator.joinGroup(joinInput({ groupId: 'small' })))
    await flush()
    clock.advance(1000)
    await flush()
    assert.equal(small.value?.errorCode, ErrorCode.NONE)
    const smallMember = small.value!.memberId
    const generationId = small.value!.generationId
    // In one turn: the small group's assignment and the big member's join.
    const synced = coordinator.syncGroup(
      syncInput({
        groupId: 'small',
        memberId: smallMember,
        generationId,
        assignments: [{ memberId: smallMember, assignment: assignmentOf(smallMember) }],
      }),
    )
    const huge = Buffer.concat([subscription(['orders']), Buffer.alloc(1_200_000, 7)])
    watch(
      coordinator.joinGroup(joinInput({ groupId: 'big', protocols: [{ name: 'range', metadata: huge }] })),
    )
    await synced
    await flush()
    await coordinator.close()
    const reopened = (await openCoordinator({}, fs, clock)).coordinator
    const heartbeat = { groupId: 'small', generationId, memberId: smallMember, groupInstanceId: null }
    assert.equal(reopened.heartbeat(heartbeat), ErrorCode.NONE, 'no rebalance after the restart')
    const sync = await reopened.syncGroup(
      syncInput({ groupId: 'small', memberId: smallMember, generationId }),
    )
    assert.deepEqual(sync.assignment, assignmentOf(smallMember))
    await reopened.close()
  })
})
