// Transactional offsets (#12): TxnOffsetCommit stores offsets as pending per (group, producer id); the end of
// the transaction commits or drops them, durably and idempotently; OffsetFetch require_stable answers
// UNSTABLE_OFFSET_COMMIT while they are pending; they survive restarts and count against the offset limits.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ErrorCode } from '../protocol/index.js'
import type { GroupCoordinator } from './group-coordinator.js'
import { flush, joinInput, openCoordinator, syncInput, watch } from './group.harness.js'
import type { TxnOffsetCommitInput } from './group-types.js'

const PID = 1000
const EPOCH = 3

function txnCommit(
  overrides: Partial<TxnOffsetCommitInput> & { offset?: number; partition?: number; topic?: string } = {},
): TxnOffsetCommitInput {
  const { offset = 42, partition = 0, topic = 'orders', ...rest } = overrides
  return {
    groupId: 'g',
    producerId: PID,
    producerEpoch: EPOCH,
    generationId: -1,
    memberId: '',
    groupInstanceId: null,
    topics: [
      {
        name: topic,
        partitions: [
          {
            partitionIndex: partition,
            committedOffset: offset,
            committedLeaderEpoch: 5,
            committedMetadata: 'm',
          },
        ],
      },
    ],
    ...rest,
  }
}

async function txnError(coordinator: GroupCoordinator, input: TxnOffsetCommitInput): Promise<number> {
  return (await coordinator.txnOffsetCommit(input))[0].partitions[0].errorCode
}

function fetch(coordinator: GroupCoordinator, requireStable: boolean, groupId = 'g', partition = 0) {
  return coordinator.fetchOffsets({
    groupId,
    memberId: null,
    memberEpoch: -1,
    topics: [{ name: 'orders', partitionIndexes: [partition] }],
    requireStable,
  }).topics[0].partitions[0]
}

async function plainCommit(coordinator: GroupCoordinator, offset: number, partition = 0): Promise<number> {
  const [topic] = await coordinator.commitOffsets({
    groupId: 'g',
    generationIdOrMemberEpoch: -1,
    memberId: '',
    groupInstanceId: null,
    topics: [
      {
        name: 'orders',
        partitions: [
          {
            partitionIndex: partition,
            committedOffset: offset,
            committedLeaderEpoch: -1,
            committedMetadata: '',
          },
        ],
      },
    ],
  })
  return topic.partitions[0].errorCode
}

describe('transactional offsets (#12)', () => {
  it('keeps offsets pending until the transaction commits, then makes them the committed ones', async () => {
    const { coordinator } = await openCoordinator()
    assert.equal(await plainCommit(coordinator, 10), ErrorCode.NONE)
    assert.equal(await txnError(coordinator, txnCommit({ offset: 42 })), ErrorCode.NONE)
    // Not visible yet: a plain fetch sees the earlier commit, a stable fetch is told to retry.
    assert.equal(fetch(coordinator, false).committedOffset, 10)
    const unstable = fetch(coordinator, true)
    assert.deepEqual([unstable.errorCode, unstable.committedOffset], [ErrorCode.UNSTABLE_OFFSET_COMMIT, -1])
    // Partitions the transaction did not touch are stable.
    assert.equal(fetch(coordinator, true, 'g', 1).errorCode, ErrorCode.NONE)
    await coordinator.completeTransaction('g', PID, EPOCH, true)
    const committed = fetch(coordinator, true)
    assert.deepEqual(
      [committed.errorCode, committed.committedOffset, committed.committedLeaderEpoch, committed.metadata],
      [ErrorCode.NONE, 42, 5, 'm'],
    )
    // Idempotent: a second end (a recovering coordinator) changes nothing.
    await coordinator.completeTransaction('g', PID, EPOCH, true)
    await coordinator.completeTransaction('g', PID, EPOCH, false)
    assert.equal(fetch(coordinator, true).committedOffset, 42)
    await coordinator.close()
  })

  it('drops pending offsets when the transaction aborts', async () => {
    const { coordinator } = await openCoordinator()
    assert.equal(await plainCommit(coordinator, 10), ErrorCode.NONE)
    assert.equal(await txnError(coordinator, txnCommit({ offset: 42 })), ErrorCode.NONE)
    await coordinator.completeTransaction('g', PID, EPOCH, false)
    const after = fetch(coordinator, true)
    assert.deepEqual([after.errorCode, after.committedOffset], [ErrorCode.NONE, 10])
    await coordinator.close()
  })

  it("keeps each producer's pending offsets apart: one commits, the other aborts", async () => {
    const { coordinator } = await openCoordinator()
    assert.equal(await txnError(coordinator, txnCommit({ offset: 5, partition: 0 })), ErrorCode.NONE)
    assert.equal(
      await txnError(coordinator, txnCommit({ producerId: 2000, offset: 7, partition: 1 })),
      ErrorCode.NONE,
    )
    await coordinator.completeTransaction('g', 2000, 0, false)
    assert.equal(fetch(coordinator, true, 'g', 1).committedOffset, -1)
    assert.equal(fetch(coordinator, true, 'g', 0).errorCode, ErrorCode.UNSTABLE_OFFSET_COMMIT)
    await coordinator.completeTransaction('g', PID, EPOCH, true)
    assert.equal(fetch(coordinator, true, 'g', 0).committedOffset, 5)
    await coordinator.close()
  })

  it('resolves the end of a transaction only once it is durable, and a second call waits for the same write', async () => {
    const { coordinator } = await openCoordinator()
    assert.equal(await txnError(coordinator, txnCommit()), ErrorCode.NONE)
    const first = watch(coordinator.completeTransaction('g', PID, EPOCH, true))
    const second = watch(coordinator.completeTransaction('g', PID, EPOCH, true))
    assert.equal(first.settled, false)
    assert.equal(second.settled, false, 'the repeated call does not resolve before the first write is synced')
    await first.promise
    await second.promise
    await coordinator.close()
  })

  it('keeps pending offsets across a restart (and a crash), and completes them afterwards', async () => {
    const { coordinator, fs, clock } = await openCoordinator()
    assert.equal(await plainCommit(coordinator, 10), ErrorCode.NONE)
    assert.equal(await txnError(coordinator, txnCommit({ offset: 42 })), ErrorCode.NONE)
    assert.equal(
      await txnError(coordinator, txnCommit({ producerId: 2000, offset: 1, partition: 2 })),
      ErrorCode.NONE,
    )
    // The process dies: only what was acknowledged (synced) is there.
    const crashed = fs.crash({ tearProbability: 1 })
    const second = (await openCoordinator({}, crashed, clock)).coordinator
    assert.equal(fetch(second, true).errorCode, ErrorCode.UNSTABLE_OFFSET_COMMIT)
    assert.equal(fetch(second, true, 'g', 2).errorCode, ErrorCode.UNSTABLE_OFFSET_COMMIT)
    assert.equal(fetch(second, false).committedOffset, 10)
    await second.completeTransaction('g', PID, EPOCH, true)
    await second.completeTransaction('g', 2000, 0, false)
    await second.compact()
    await second.close()
    const third = (await openCoordinator({}, crashed, clock)).coordinator
    assert.deepEqual([fetch(third, true).errorCode, fetch(third, true).committedOffset], [ErrorCode.NONE, 42])
    assert.deepEqual(
      [fetch(third, true, 'g', 2).errorCode, fetch(third, true, 'g', 2).committedOffset],
      [ErrorCode.NONE, -1],
    )
    await third.close()
  })

  it('snapshots carry pending offsets', async () => {
    const { coordinator, fs, clock } = await openCoordinator()
    assert.equal(await txnError(coordinator, txnCommit({ offset: 42 })), ErrorCode.NONE)
    await coordinator.compact()
    await coordinator.close()
    const reopened = (await openCoordinator({}, fs, clock)).coordinator
    assert.equal(fetch(reopened, true).errorCode, ErrorCode.UNSTABLE_OFFSET_COMMIT)
    await reopened.completeTransaction('g', PID, EPOCH, true)
    assert.equal(fetch(reopened, true).committedOffset, 42)
    await reopened.close()
  })

  it('drops pending offsets with a group deleted meanwhile; the later commit brings nothing back', async () => {
    const { coordinator, fs, clock } = await openCoordinator()
    assert.equal(await txnError(coordinator, txnCommit({ offset: 42 })), ErrorCode.NONE)
    assert.deepEqual(await coordinator.deleteGroups(['g']), [{ groupId: 'g', errorCode: ErrorCode.NONE }])
    assert.equal(fetch(coordinator, true).errorCode, ErrorCode.NONE, 'no pending offsets left')
    await coordinator.completeTransaction('g', PID, EPOCH, true)
    assert.equal(fetch(coordinator, true).committedOffset, -1)
    assert.deepEqual(coordinator.listGroups(), [])
    await coordinator.close()
    const reopened = (await openCoordinator({}, fs, clock)).coordinator
    assert.equal(fetch(reopened, true).errorCode, ErrorCode.NONE)
    assert.equal(fetch(reopened, true).committedOffset, -1)
    await reopened.close()
  })

  it('lets a plain commit made after the transactional one win when the transaction commits', async () => {
    const { coordinator, fs, clock } = await openCoordinator()
    assert.equal(await txnError(coordinator, txnCommit({ offset: 42 })), ErrorCode.NONE)
    assert.equal(await plainCommit(coordinator, 50), ErrorCode.NONE)
    // Still pending until the transaction ends, and still so after a restart.
    await coordinator.close()
    const reopened = (await openCoordinator({}, fs, clock)).coordinator
    assert.equal(fetch(reopened, true).errorCode, ErrorCode.UNSTABLE_OFFSET_COMMIT)
    await reopened.completeTransaction('g', PID, EPOCH, true)
    assert.equal(fetch(reopened, true).committedOffset, 50)
    await reopened.close()
  })

  it('checks member and generation when given, and accepts the memberless old versions in any state', async () => {
    const { coordinator } = await openCoordinator()
    const a = await coordinator.joinGroup(joinInput({ clientId: 'a', groupInstanceId: 'i-a' }))
    await coordinator.syncGroup(syncInput({ memberId: a.memberId, generationId: a.generationId }))
    const member = { memberId: a.memberId, generationId: a.generationId, groupInstanceId: 'i-a' }
    assert.equal(await txnError(coordinator, txnCommit(member)), ErrorCode.NONE)
    assert.equal(
      await txnError(coordinator, txnCommit({ ...member, generationId: a.generationId + 1 })),
      ErrorCode.ILLEGAL_GENERATION,
    )
    assert.equal(
      await txnError(coordinator, txnCommit({ ...member, memberId: 'ghost', groupInstanceId: null })),
      ErrorCode.UNKNOWN_MEMBER_ID,
    )
    assert.equal(
      await txnError(coordinator, txnCommit({ ...member, memberId: 'other' })),
      ErrorCode.FENCED_INSTANCE_ID,
    )
    // v0-2 carry no member: accepted though the group is Stable (a plain commit would not be).
    assert.equal(await txnError(coordinator, txnCommit({ producerId: 7 })), ErrorCode.NONE)
    // An unknown group: created for a memberless commit, ILLEGAL_GENERATION for a generation.
    assert.equal(
      await txnError(coordinator, txnCommit({ groupId: 'new', generationId: 2, memberId: 'm' })),
      ErrorCode.ILLEGAL_GENERATION,
    )
    assert.equal(await txnError(coordinator, txnCommit({ groupId: 'simple' })), ErrorCode.NONE)
    assert.equal(await txnError(coordinator, txnCommit({ groupId: '' })), ErrorCode.INVALID_GROUP_ID)
    assert.equal(
      await txnError(coordinator, txnCommit({ topic: 'nope' })),
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    )
    assert.equal(await txnError(coordinator, txnCommit({ offset: 2 ** 53 })), ErrorCode.OFFSET_OUT_OF_RANGE)
    await coordinator.close()
  })

  it('checks KIP-848 members by member epoch', async () => {
    const { coordinator } = await openCoordinator()
    const joined = coordinator.consumerGroupHeartbeat({
      apiVersion: 1,
      groupId: 'k',
      memberId: 'm1',
      memberEpoch: 0,
      instanceId: null,
      rackId: null,
      rebalanceTimeoutMs: 30_000,
      subscribedTopicNames: ['orders'],
      subscribedTopicRegex: null,
      serverAssignor: null,
      topicPartitions: [],
      clientId: 'c',
      clientHost: '/127.0.0.1',
    })
    await flush()
    const base = { groupId: 'k', memberId: 'm1' }
    assert.equal(
      await txnError(coordinator, txnCommit({ ...base, generationId: joined.memberEpoch })),
      ErrorCode.NONE,
    )
    assert.equal(
      await txnError(coordinator, txnCommit({ ...base, generationId: joined.memberEpoch + 1 })),
      ErrorCode.FENCED_MEMBER_EPOCH,
    )
    assert.equal(
      await txnError(coordinator, txnCommit({ ...base, memberId: 'ghost', generationId: 1 })),
      ErrorCode.UNKNOWN_MEMBER_ID,
    )
    await coordinator.close()
  })

  it('counts pending offsets against the per-group and per-broker offset limits', async () => {
    const { coordinator } = await openCoordinator({ groupOffsetsMax: 2, offsetsMax: 3 })
    assert.equal(await plainCommit(coordinator, 1, 0), ErrorCode.NONE)
    assert.equal(await txnError(coordinator, txnCommit({ partition: 1 })), ErrorCode.NONE)
    // The group holds 2 (one committed, one pending): a third partition is refused, pending or plain.
    assert.equal(
      await txnError(coordinator, txnCommit({ partition: 2 })),
      ErrorCode.INVALID_COMMIT_OFFSET_SIZE,
    )
    assert.equal(await plainCommit(coordinator, 1, 2), ErrorCode.INVALID_COMMIT_OFFSET_SIZE)
    // Replacing a pending offset of the same producer always fits.
    assert.equal(await txnError(coordinator, txnCommit({ partition: 1, offset: 9 })), ErrorCode.NONE)
    // Per broker: another group takes the third slot, then nothing more fits anywhere.
    assert.equal(await txnError(coordinator, txnCommit({ groupId: 'h' })), ErrorCode.NONE)
    assert.equal(
      await txnError(coordinator, txnCommit({ groupId: 'h', partition: 1 })),
      ErrorCode.INVALID_COMMIT_OFFSET_SIZE,
    )
    // An abort frees the slots.
    await coordinator.completeTransaction('h', PID, EPOCH, false)
    assert.equal(await txnError(coordinator, txnCommit({ groupId: 'h', partition: 1 })), ErrorCode.NONE)
    await coordinator.close()
  })

  it('does not expire a group whose only offsets are pending', async () => {
    const { coordinator, clock } = await openCoordinator({ offsetsRetentionMs: 1000 })
    assert.equal(await txnError(coordinator, txnCommit()), ErrorCode.NONE)
    clock.advance(5000)
    await coordinator.expireOffsets()
    assert.deepEqual(
      coordinator.listGroups().map((g) => g.groupId),
      ['g'],
    )
    await coordinator.completeTransaction('g', PID, EPOCH, true)
    assert.equal(fetch(coordinator, true).committedOffset, 42)
    await coordinator.close()
  })
})
