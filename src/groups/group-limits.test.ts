// The coordinator's bounds (#7), each hit: members per classic group (group.max.size) and per KIP-848 group
// (group.consumer.max.size), groups per broker, committed offsets per group and per broker.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ErrorCode } from '../protocol/index.js'
import type { GroupCoordinator } from './group-coordinator.js'
import { joinInput, openCoordinator } from './group.harness.js'
import type { ConsumerGroupHeartbeatInput, OffsetCommitInput } from './group-types.js'

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

function commit(groupId: string, partitions: number[], topic = 'orders'): OffsetCommitInput {
  return {
    groupId,
    generationIdOrMemberEpoch: -1,
    memberId: '',
    groupInstanceId: null,
    topics: [
      {
        name: topic,
        partitions: partitions.map((partitionIndex) => ({
          partitionIndex,
          committedOffset: 10,
          committedLeaderEpoch: -1,
          committedMetadata: null,
        })),
      },
    ],
  }
}

async function commitErrors(coordinator: GroupCoordinator, input: OffsetCommitInput): Promise<number[]> {
  const result = await coordinator.commitOffsets(input)
  return result.flatMap((t) => t.partitions.map((p) => p.errorCode))
}

describe('group limits (#7)', () => {
  it('#7 group.max.size: a classic join beyond it gets GROUP_MAX_SIZE_REACHED; ids handed out count', async () => {
    const { coordinator } = await openCoordinator({ classicGroupMaxSize: 2 })
    const first = await coordinator.joinGroup(joinInput())
    assert.equal(first.errorCode, ErrorCode.NONE)
    // KIP-394: an id handed out with MEMBER_ID_REQUIRED holds a place until it joins or expires.
    const second = await coordinator.joinGroup(joinInput({ requireKnownMemberId: true }))
    assert.equal(second.errorCode, ErrorCode.MEMBER_ID_REQUIRED)
    const third = await coordinator.joinGroup(joinInput({ clientId: 'third' }))
    assert.equal(third.errorCode, ErrorCode.GROUP_MAX_SIZE_REACHED)
    const fourth = await coordinator.joinGroup(joinInput({ requireKnownMemberId: true }))
    assert.equal(fourth.errorCode, ErrorCode.GROUP_MAX_SIZE_REACHED)
    // The member that got an id may still join with it; and a known member rejoining is no newcomer.
    const secondJoin = coordinator.joinGroup(joinInput({ memberId: second.memberId }))
    const firstAgain = await coordinator.joinGroup(joinInput({ memberId: first.memberId }))
    assert.equal(firstAgain.errorCode, ErrorCode.NONE)
    assert.equal((await secondJoin).errorCode, ErrorCode.NONE)
    assert.equal(coordinator.describeGroup('g').members.length, 2)
    await coordinator.close()
  })

  it('#7 group.consumer.max.size: a KIP-848 join beyond it gets GROUP_MAX_SIZE_REACHED', async () => {
    const { coordinator } = await openCoordinator({ consumerGroupMaxSize: 2 })
    assert.equal(coordinator.consumerGroupHeartbeat(hb({ memberId: 'a' })).errorCode, ErrorCode.NONE)
    assert.equal(coordinator.consumerGroupHeartbeat(hb({ memberId: 'b' })).errorCode, ErrorCode.NONE)
    const refused = coordinator.consumerGroupHeartbeat(hb({ memberId: 'c' }))
    assert.equal(refused.errorCode, ErrorCode.GROUP_MAX_SIZE_REACHED)
    assert.match(refused.errorMessage ?? '', /maximum capacity of 2 members/)
    // A member already in the group rejoining with epoch 0 is let in again.
    assert.equal(coordinator.consumerGroupHeartbeat(hb({ memberId: 'a' })).errorCode, ErrorCode.NONE)
    assert.equal(coordinator.describeConsumerGroup('g').members.length, 2)
    await coordinator.close()
  })

  it('#7 groups per broker: creating one more group is refused until one is deleted', async () => {
    const { coordinator } = await openCoordinator({ groupsMax: 2 })
    assert.deepEqual(await commitErrors(coordinator, commit('g1', [0])), [ErrorCode.NONE])
    assert.deepEqual(await commitErrors(coordinator, commit('g2', [0])), [ErrorCode.NONE])
    assert.deepEqual(await commitErrors(coordinator, commit('g3', [0])), [
      ErrorCode.INVALID_COMMIT_OFFSET_SIZE,
    ])
    const join = await coordinator.joinGroup(joinInput({ groupId: 'g3' }))
    assert.equal(join.errorCode, ErrorCode.GROUP_MAX_SIZE_REACHED)
    const heartbeat = coordinator.consumerGroupHeartbeat(hb({ groupId: 'g3' }))
    assert.equal(heartbeat.errorCode, ErrorCode.GROUP_MAX_SIZE_REACHED)
    assert.match(heartbeat.errorMessage ?? '', /maximum of 2 groups/)
    // Existing groups keep working.
    assert.deepEqual(await commitErrors(coordinator, commit('g2', [1])), [ErrorCode.NONE])
    assert.deepEqual(await coordinator.deleteGroups(['g1']), [{ groupId: 'g1', errorCode: ErrorCode.NONE }])
    assert.deepEqual(await commitErrors(coordinator, commit('g3', [0])), [ErrorCode.NONE])
    assert.equal(coordinator.listGroups().length, 2)
    await coordinator.close()
  })

  it('#7 committed offsets per group and per broker: new partitions beyond get INVALID_COMMIT_OFFSET_SIZE', async () => {
    const { coordinator, fs, clock } = await openCoordinator({ groupOffsetsMax: 3, offsetsMax: 5 })
    assert.deepEqual(await commitErrors(coordinator, commit('g', [0, 1, 2, 3])), [
      ErrorCode.NONE,
      ErrorCode.NONE,
      ErrorCode.NONE,
      ErrorCode.INVALID_COMMIT_OFFSET_SIZE,
    ])
    // Replacing an offset the group holds is always allowed.
    assert.deepEqual(await commitErrors(coordinator, commit('g', [2, 1])), [ErrorCode.NONE, ErrorCode.NONE])
    assert.deepEqual(await commitErrors(coordinator, commit('h', [0, 1, 2])), [
      ErrorCode.NONE,
      ErrorCode.NONE,
      ErrorCode.INVALID_COMMIT_OFFSET_SIZE,
    ])
    // OffsetDelete frees a place in the group and on the broker.
    const deleted = await coordinator.deleteOffsets('g', [
      { name: 'orders', partitions: [{ partitionIndex: 0 }] },
    ])
    assert.equal(deleted.errorCode, ErrorCode.NONE)
    assert.deepEqual(await commitErrors(coordinator, commit('h', [2])), [ErrorCode.NONE])
    assert.deepEqual(await commitErrors(coordinator, commit('g', [0])), [
      ErrorCode.INVALID_COMMIT_OFFSET_SIZE,
    ])
    await coordinator.close()
    // The counts are rebuilt from disk: the broker is still full after a restart.
    const reopened = await openCoordinator({ groupOffsetsMax: 3, offsetsMax: 5 }, fs, clock)
    assert.deepEqual(await commitErrors(reopened.coordinator, commit('k', [0])), [
      ErrorCode.INVALID_COMMIT_OFFSET_SIZE,
    ])
    assert.deepEqual(await reopened.coordinator.deleteGroups(['g']), [
      { groupId: 'g', errorCode: ErrorCode.NONE },
    ])
    assert.deepEqual(await commitErrors(reopened.coordinator, commit('k', [0])), [ErrorCode.NONE])
    await reopened.coordinator.close()
  })
})
