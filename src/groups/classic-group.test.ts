// The classic group protocol on a simulated clock: joins, syncs, heartbeats, leaves, expiries, rebalance
// timeouts, static members, and every bad input answered with Kafka's error.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ErrorCode } from '../protocol/index.js'
import type { GroupCoordinator } from './group-coordinator.js'
import { flush, joinInput, openCoordinator, subscription, syncInput, watch } from './group.harness.js'

/** Joins a new member through the MEMBER_ID_REQUIRED handshake; returns the pending second join. */
async function handshake(coordinator: GroupCoordinator, clientId: string, extra = {}) {
  const first = await coordinator.joinGroup(joinInput({ clientId, requireKnownMemberId: true, ...extra }))
  assert.equal(first.errorCode, ErrorCode.MEMBER_ID_REQUIRED)
  assert.notEqual(first.memberId, '')
  return watch(
    coordinator.joinGroup(
      joinInput({ clientId, memberId: first.memberId, requireKnownMemberId: true, ...extra }),
    ),
  )
}

/** Brings a group to Stable with the given clients; returns their member ids (first is the leader). */
async function stableGroup(coordinator: GroupCoordinator, clients: string[]) {
  const joins = clients.map((c) => watch(coordinator.joinGroup(joinInput({ clientId: c }))))
  await flush()
  // The first join completes alone (generation 1); bring the rest in with a second round.
  if (clients.length > 1) {
    const firstId = joins[0].value!.memberId
    joins[0] = watch(coordinator.joinGroup(joinInput({ clientId: clients[0], memberId: firstId })))
    await flush()
  }
  for (const j of joins) assert.equal(j.value?.errorCode, ErrorCode.NONE)
  const ids = joins.map((j) => j.value!.memberId)
  const leader = joins[0].value!.leader
  const generationId = joins[0].value!.generationId
  const syncs = ids.map((memberId) =>
    watch(
      coordinator.syncGroup(
        syncInput({
          memberId,
          generationId,
          assignments:
            memberId === leader
              ? ids.map((id) => ({ memberId: id, assignment: Buffer.from(`for ${id}`) }))
              : [],
        }),
      ),
    ),
  )
  await flush()
  for (const s of syncs) assert.equal(s.value?.errorCode, ErrorCode.NONE)
  return { ids, leader, generationId }
}

describe('classic group: joining', () => {
  it('hands out a member id first (v4+), then completes the join with the leader seeing all metadata', async () => {
    const { coordinator } = await openCoordinator()
    const join = await handshake(coordinator, 'alice')
    await flush()
    assert.equal(join.value?.errorCode, ErrorCode.NONE)
    assert.equal(join.value?.generationId, 1)
    assert.equal(join.value?.protocolName, 'range')
    assert.equal(join.value?.leader, join.value?.memberId)
    assert.deepEqual(
      join.value?.members.map((m) => m.metadata),
      [subscription(['orders'])],
    )
    assert.deepEqual(
      coordinator.listGroups().map((g) => g.groupState),
      ['CompletingRebalance'],
    )
    await coordinator.close()
  })

  it('rebalances when a second member joins; followers get no member list and wait for the leader in SyncGroup', async () => {
    const { coordinator } = await openCoordinator()
    const { ids } = await stableGroup(coordinator, ['alice'])
    const bob = watch(coordinator.joinGroup(joinInput({ clientId: 'bob' })))
    await flush()
    assert.equal(bob.settled, false, 'waits for alice to rejoin')
    assert.equal(
      coordinator.heartbeat({ groupId: 'g', generationId: 1, memberId: ids[0], groupInstanceId: null }),
      ErrorCode.REBALANCE_IN_PROGRESS,
    )
    const alice = watch(coordinator.joinGroup(joinInput({ clientId: 'alice', memberId: ids[0] })))
    await flush()
    assert.equal(alice.value?.generationId, 2)
    assert.equal(bob.value?.generationId, 2)
    assert.equal(alice.value?.members.length, 2)
    assert.equal(bob.value?.members.length, 0)
    const bobSync = watch(
      coordinator.syncGroup(syncInput({ memberId: bob.value!.memberId, generationId: 2 })),
    )
    await flush()
    assert.equal(bobSync.settled, false, 'follower waits for the leader')
    const aliceSync = await coordinator.syncGroup(
      syncInput({
        memberId: ids[0],
        generationId: 2,
        assignments: [
          { memberId: ids[0], assignment: Buffer.from('A') },
          { memberId: bob.value!.memberId, assignment: Buffer.from('B') },
        ],
      }),
    )
    await flush()
    assert.deepEqual(aliceSync.assignment, Buffer.from('A'))
    assert.deepEqual(bobSync.value?.assignment, Buffer.from('B'))
    assert.equal(coordinator.describeGroup('g').groupState, 'Stable')
    await coordinator.close()
  })

  it('drops members that do not rejoin within the rebalance timeout', async () => {
    const { coordinator, clock } = await openCoordinator()
    const { ids } = await stableGroup(coordinator, ['alice', 'bob'])
    for (const id of ids)
      coordinator.heartbeat({ groupId: 'g', generationId: 2, memberId: id, groupInstanceId: null })
    const carol = watch(coordinator.joinGroup(joinInput({ clientId: 'carol' })))
    const alice = watch(coordinator.joinGroup(joinInput({ clientId: 'alice', memberId: ids[0] })))
    // bob keeps heartbeating (so his session lives) but never rejoins.
    for (let t = 0; t < 27_000; t += 3000) {
      clock.advance(3000)
      coordinator.heartbeat({ groupId: 'g', generationId: 2, memberId: ids[1], groupInstanceId: null })
    }
    await flush()
    assert.equal(alice.settled, false)
    clock.advance(3000)
    await flush()
    assert.equal(alice.value?.generationId, 3)
    assert.deepEqual(
      alice.value?.members.map((m) => m.memberId).sort(),
      [ids[0], carol.value!.memberId].sort(),
    )
    assert.equal(
      coordinator.heartbeat({ groupId: 'g', generationId: 3, memberId: ids[1], groupInstanceId: null }),
      ErrorCode.UNKNOWN_MEMBER_ID,
    )
    await coordinator.close()
  })

  it('expires a member whose heartbeats stop, and the group goes Empty when the last one goes', async () => {
    const { coordinator, clock } = await openCoordinator()
    const { ids } = await stableGroup(coordinator, ['alice', 'bob'])
    // alice heartbeats every 3 s; bob is silent and expires after 10 s.
    for (let t = 0; t < 12_000; t += 3000) {
      clock.advance(3000)
      coordinator.heartbeat({ groupId: 'g', generationId: 2, memberId: ids[0], groupInstanceId: null })
    }
    assert.equal(coordinator.describeGroup('g').groupState, 'PreparingRebalance')
    const alice = await coordinator.joinGroup(joinInput({ clientId: 'alice', memberId: ids[0] }))
    assert.equal(alice.generationId, 3)
    assert.deepEqual(
      alice.members.map((m) => m.memberId),
      [ids[0]],
    )
    clock.advance(10_000)
    assert.equal(coordinator.describeGroup('g').groupState, 'Empty')
    await coordinator.close()
  })

  it('waits for the initial rebalance delay so members arriving together share the first generation', async () => {
    const { coordinator, clock } = await openCoordinator({ initialRebalanceDelayMs: 3000 })
    const a = watch(coordinator.joinGroup(joinInput({ clientId: 'a' })))
    clock.advance(2000)
    const b = watch(coordinator.joinGroup(joinInput({ clientId: 'b' })))
    clock.advance(2000)
    await flush()
    assert.equal(a.settled, false, 'a newcomer extends the delay by another full delay')
    clock.advance(2000)
    await flush()
    assert.equal(a.value?.generationId, 1)
    assert.equal(b.value?.generationId, 1)
    assert.equal(a.value?.members.length, 2)
    await coordinator.close()
  })

  it('runs cooperative rounds: a member keeps its generation-long membership across repeated joins', async () => {
    const { coordinator } = await openCoordinator()
    const { ids, leader } = await stableGroup(coordinator, ['a', 'b'])
    // Cooperative clients rejoin right after revoking; the coordinator just runs another round.
    const joins = ids.map((memberId, i) =>
      watch(coordinator.joinGroup(joinInput({ clientId: i === 0 ? 'a' : 'b', memberId }))),
    )
    await flush()
    for (const j of joins) assert.equal(j.value?.generationId, 3)
    assert.equal(joins[0].value?.leader, leader)
    await coordinator.close()
  })
})

describe('classic group: protocol selection', () => {
  it('picks the protocol most members list first among those every member supports', async () => {
    const { coordinator, clock } = await openCoordinator({ initialRebalanceDelayMs: 100 })
    const meta = Buffer.from('m')
    const joins = [
      [
        { name: 'range', metadata: meta },
        { name: 'cooperative-sticky', metadata: meta },
      ],
      [
        { name: 'cooperative-sticky', metadata: meta },
        { name: 'range', metadata: meta },
      ],
      [
        { name: 'cooperative-sticky', metadata: meta },
        { name: 'roundrobin', metadata: meta },
        { name: 'range', metadata: meta },
      ],
    ].map((protocols, i) => watch(coordinator.joinGroup(joinInput({ clientId: `c${i}`, protocols }))))
    clock.advance(30_000)
    await flush()
    for (const j of joins) assert.equal(j.value?.protocolName, 'cooperative-sticky')
    await coordinator.close()
  })
})

describe('classic group: static membership', () => {
  it('lets a static member come back under a new member id without a rebalance, fencing the old id', async () => {
    const { coordinator } = await openCoordinator()
    const first = watch(coordinator.joinGroup(joinInput({ clientId: 'a', groupInstanceId: 'instance-a' })))
    await flush()
    const oldId = first.value!.memberId
    const b = watch(coordinator.joinGroup(joinInput({ clientId: 'b', groupInstanceId: 'instance-b' })))
    const a2 = watch(
      coordinator.joinGroup(joinInput({ clientId: 'a', memberId: oldId, groupInstanceId: 'instance-a' })),
    )
    await flush()
    assert.equal(b.value?.generationId, 2)
    const bId = b.value!.memberId
    await Promise.all([
      coordinator.syncGroup(syncInput({ memberId: bId, generationId: 2, groupInstanceId: 'instance-b' })),
      coordinator.syncGroup(
        syncInput({
          memberId: a2.value!.memberId,
          generationId: 2,
          groupInstanceId: 'instance-a',
          assignments: [{ memberId: bId, assignment: Buffer.from('B') }],
        }),
      ),
    ])
    // b restarts: it comes back without its member id but with its instance id.
    const back = await coordinator.joinGroup(joinInput({ clientId: 'b', groupInstanceId: 'instance-b' }))
    assert.equal(back.errorCode, ErrorCode.NONE)
    assert.equal(back.generationId, 2, 'no new generation')
    assert.notEqual(back.memberId, bId)
    assert.equal(coordinator.describeGroup('g').groupState, 'Stable')
    const sync = await coordinator.syncGroup(
      syncInput({ memberId: back.memberId, generationId: 2, groupInstanceId: 'instance-b' }),
    )
    assert.deepEqual(sync.assignment, Buffer.from('B'), 'keeps its assignment')
    assert.equal(
      coordinator.heartbeat({ groupId: 'g', generationId: 2, memberId: bId, groupInstanceId: 'instance-b' }),
      ErrorCode.FENCED_INSTANCE_ID,
    )
    assert.equal(
      coordinator.leaveGroup('g', [{ memberId: bId, groupInstanceId: 'instance-b' }]).memberErrors[0],
      ErrorCode.FENCED_INSTANCE_ID,
    )
    assert.deepEqual(
      coordinator.leaveGroup('g', [{ memberId: '', groupInstanceId: 'instance-b' }]).memberErrors,
      [ErrorCode.NONE],
    )
    assert.equal(coordinator.describeGroup('g').groupState, 'PreparingRebalance')
    await coordinator.close()
  })
})

describe('classic group: leaving', () => {
  it('removes a batch of members and answers unknown ones with UNKNOWN_MEMBER_ID', async () => {
    const { coordinator } = await openCoordinator()
    const { ids } = await stableGroup(coordinator, ['a', 'b'])
    const result = coordinator.leaveGroup('g', [
      { memberId: ids[1], groupInstanceId: null },
      { memberId: 'nobody', groupInstanceId: null },
    ])
    assert.deepEqual(result.memberErrors, [ErrorCode.NONE, ErrorCode.UNKNOWN_MEMBER_ID])
    assert.equal(coordinator.describeGroup('g').groupState, 'PreparingRebalance')
    const a = await coordinator.joinGroup(joinInput({ clientId: 'a', memberId: ids[0] }))
    assert.equal(a.members.length, 1)
    assert.deepEqual(
      coordinator.leaveGroup('g', [{ memberId: ids[0], groupInstanceId: null }]).memberErrors,
      [ErrorCode.NONE],
    )
    assert.equal(coordinator.describeGroup('g').groupState, 'Empty')
    assert.deepEqual(
      coordinator.leaveGroup('missing', [{ memberId: 'x', groupInstanceId: null }]).memberErrors,
      [ErrorCode.UNKNOWN_MEMBER_ID],
    )
    await coordinator.close()
  })
})

describe('classic group: bad input gets the Kafka error', () => {
  it('answers each mistake with its error code', async () => {
    const { coordinator } = await openCoordinator()
    const { ids } = await stableGroup(coordinator, ['a'])
    const otherMeta = [{ name: 'roundrobin', metadata: Buffer.alloc(0) }]
    const table: [string, () => Promise<number> | number, number][] = [
      [
        'session timeout below the minimum',
        async () => (await coordinator.joinGroup(joinInput({ sessionTimeoutMs: 5999 }))).errorCode,
        ErrorCode.INVALID_SESSION_TIMEOUT,
      ],
      [
        'session timeout above the maximum',
        async () => (await coordinator.joinGroup(joinInput({ sessionTimeoutMs: 1_800_001 }))).errorCode,
        ErrorCode.INVALID_SESSION_TIMEOUT,
      ],
      [
        'empty group id',
        async () => (await coordinator.joinGroup(joinInput({ groupId: '' }))).errorCode,
        ErrorCode.INVALID_GROUP_ID,
      ],
      [
        'unknown member id',
        async () => (await coordinator.joinGroup(joinInput({ memberId: 'ghost' }))).errorCode,
        ErrorCode.UNKNOWN_MEMBER_ID,
      ],
      [
        'unknown member of an unknown group',
        async () =>
          (await coordinator.joinGroup(joinInput({ groupId: 'other', memberId: 'ghost' }))).errorCode,
        ErrorCode.UNKNOWN_MEMBER_ID,
      ],
      [
        'no protocol in common',
        async () => (await coordinator.joinGroup(joinInput({ protocols: otherMeta }))).errorCode,
        ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
      ],
      [
        'another protocol type',
        async () => (await coordinator.joinGroup(joinInput({ protocolType: 'connect' }))).errorCode,
        ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
      ],
      [
        'empty protocol list',
        async () => (await coordinator.joinGroup(joinInput({ groupId: 'fresh', protocols: [] }))).errorCode,
        ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
      ],
      [
        'heartbeat with a stale generation',
        () =>
          coordinator.heartbeat({ groupId: 'g', generationId: 0, memberId: ids[0], groupInstanceId: null }),
        ErrorCode.ILLEGAL_GENERATION,
      ],
      [
        'heartbeat from an unknown member',
        () =>
          coordinator.heartbeat({ groupId: 'g', generationId: 1, memberId: 'ghost', groupInstanceId: null }),
        ErrorCode.UNKNOWN_MEMBER_ID,
      ],
      [
        'heartbeat to an unknown group',
        () =>
          coordinator.heartbeat({
            groupId: 'nope',
            generationId: 1,
            memberId: ids[0],
            groupInstanceId: null,
          }),
        ErrorCode.UNKNOWN_MEMBER_ID,
      ],
      [
        'sync with a stale generation',
        async () => (await coordinator.syncGroup(syncInput({ memberId: ids[0], generationId: 7 }))).errorCode,
        ErrorCode.ILLEGAL_GENERATION,
      ],
      [
        'sync from an unknown member',
        async () => (await coordinator.syncGroup(syncInput({ memberId: 'ghost' }))).errorCode,
        ErrorCode.UNKNOWN_MEMBER_ID,
      ],
      [
        'sync naming another protocol',
        async () =>
          (await coordinator.syncGroup(syncInput({ memberId: ids[0], protocolName: 'roundrobin' })))
            .errorCode,
        ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
      ],
      [
        'heartbeat healthy member',
        () =>
          coordinator.heartbeat({ groupId: 'g', generationId: 1, memberId: ids[0], groupInstanceId: null }),
        ErrorCode.NONE,
      ],
    ]
    for (const [name, act, expected] of table) assert.equal(await act(), expected, name)
    assert.equal(coordinator.describeGroup('g').groupState, 'Stable', 'mistakes do not disturb the group')
    await coordinator.close()
  })

  it('answers a pending JoinGroup with NOT_COORDINATOR when the coordinator closes', async () => {
    const { coordinator } = await openCoordinator({ initialRebalanceDelayMs: 3000 })
    const pending = watch(coordinator.joinGroup(joinInput()))
    await coordinator.close()
    await flush()
    assert.equal(pending.value?.errorCode, ErrorCode.NOT_COORDINATOR)
  })
})
