// Committed offsets and administration through the coordinator: commit validation against generations,
// commits during a rebalance, fetch defaults, deletion, retention, and durability across reopen and crash.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { type FileSystem, silentLogger } from '../core/index.js'
import { ErrorCode } from '../protocol/index.js'
import { StateLog, stateLogFileName } from '../storage/index.js'
import { SeededRandom, SimClock, SimFileSystem } from '../testing/index.js'
import { GroupCoordinator } from './group-coordinator.js'
import type { OffsetCommitInput } from './group-types.js'
import { DIR, flush, joinInput, openCoordinator, syncInput, watch } from './group.harness.js'
import { GROUP_STATE_DIR, groupStateRecord } from './group-log.js'
import { staticTopicLookup } from './topic-lookup.js'

function commit(
  overrides: Partial<OffsetCommitInput> & { offset?: number; metadata?: string | null } = {},
): OffsetCommitInput {
  return {
    groupId: 'g',
    generationIdOrMemberEpoch: -1,
    memberId: '',
    groupInstanceId: null,
    topics: [
      {
        name: 'orders',
        partitions: [
          {
            partitionIndex: 0,
            committedOffset: overrides.offset ?? 42,
            committedLeaderEpoch: 3,
            committedMetadata: overrides.metadata === undefined ? 'meta' : overrides.metadata,
          },
        ],
      },
    ],
    ...overrides,
  }
}

async function commitError(coordinator: GroupCoordinator, input: OffsetCommitInput): Promise<number> {
  const [topic] = await coordinator.commitOffsets(input)
  return topic.partitions[0].errorCode
}

function fetchOne(coordinator: GroupCoordinator, groupId = 'g', partition = 0) {
  const result = coordinator.fetchOffsets({
    groupId,
    memberId: null,
    memberEpoch: -1,
    topics: [{ name: 'orders', partitionIndexes: [partition] }],
  })
  return result.topics[0].partitions[0]
}

describe('offset commit and fetch', () => {
  it('stores a standalone commit (generation -1, no member) and round-trips its metadata', async () => {
    const { coordinator } = await openCoordinator()
    assert.equal(await commitError(coordinator, commit()), ErrorCode.NONE)
    assert.deepEqual(fetchOne(coordinator), {
      partitionIndex: 0,
      committedOffset: 42,
      committedLeaderEpoch: 3,
      metadata: 'meta',
      errorCode: ErrorCode.NONE,
    })
    assert.equal(await commitError(coordinator, commit({ metadata: null, offset: 43 })), ErrorCode.NONE)
    assert.equal(fetchOne(coordinator).metadata, '', 'null metadata reads back as empty')
    assert.deepEqual(coordinator.listGroups(), [
      { groupId: 'g', protocolType: '', groupState: 'Empty', groupType: 'classic' },
    ])
    await coordinator.close()
  })

  it('answers missing offsets with -1, leader epoch -1, empty metadata and no error; topics null lists all', async () => {
    const { coordinator } = await openCoordinator()
    assert.deepEqual(fetchOne(coordinator, 'nobody', 5), {
      partitionIndex: 5,
      committedOffset: -1,
      committedLeaderEpoch: -1,
      metadata: '',
      errorCode: ErrorCode.NONE,
    })
    await coordinator.commitOffsets(commit())
    const all = coordinator.fetchOffsets({ groupId: 'g', memberId: null, memberEpoch: -1, topics: null })
    assert.deepEqual(
      all.topics.map((t) => [t.name, t.partitions.map((p) => p.committedOffset)]),
      [['orders', [42]]],
    )
    await coordinator.close()
  })

  it('rejects bad commits with the Kafka error for each case', async () => {
    const { coordinator } = await openCoordinator()
    const table: [string, OffsetCommitInput, number][] = [
      [
        'generation given for a group that does not exist',
        commit({ groupId: 'new', generationIdOrMemberEpoch: 4, memberId: 'm' }),
        ErrorCode.ILLEGAL_GENERATION,
      ],
      [
        'metadata over 4096 bytes',
        commit({ metadata: 'x'.repeat(4097) }),
        ErrorCode.OFFSET_METADATA_TOO_LARGE,
      ],
      [
        'unknown topic',
        { ...commit(), topics: [{ name: 'nope', partitions: commit().topics[0].partitions }] },
        ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      ],
      [
        'partition out of range',
        {
          ...commit(),
          topics: [
            { name: 'audit', partitions: [{ ...commit().topics[0].partitions[0], partitionIndex: 1 }] },
          ],
        },
        ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      ],
      ['empty group id', commit({ groupId: '' }), ErrorCode.INVALID_GROUP_ID],
      ['metadata of exactly 4096 bytes is fine', commit({ metadata: 'x'.repeat(4096) }), ErrorCode.NONE],
    ]
    for (const [name, input, expected] of table)
      assert.equal(await commitError(coordinator, input), expected, name)
    await coordinator.close()
  })

  it('checks commits against the generation, and lets the old generation commit while a rebalance prepares', async () => {
    const { coordinator } = await openCoordinator()
    const a = await coordinator.joinGroup(joinInput({ clientId: 'a' }))
    const member = { memberId: a.memberId, generationIdOrMemberEpoch: 1 }
    assert.equal(
      await commitError(coordinator, commit(member)),
      ErrorCode.REBALANCE_IN_PROGRESS,
      'CompletingRebalance',
    )
    await coordinator.syncGroup(syncInput({ memberId: a.memberId, generationId: 1 }))
    assert.equal(await commitError(coordinator, commit(member)), ErrorCode.NONE)
    assert.equal(
      await commitError(coordinator, commit({ ...member, generationIdOrMemberEpoch: 0 })),
      ErrorCode.ILLEGAL_GENERATION,
    )
    assert.equal(
      await commitError(coordinator, commit({ ...member, memberId: 'ghost' })),
      ErrorCode.UNKNOWN_MEMBER_ID,
    )
    assert.equal(
      await commitError(coordinator, commit()),
      ErrorCode.UNKNOWN_MEMBER_ID,
      'standalone commit into an active group',
    )
    const b = watch(coordinator.joinGroup(joinInput({ clientId: 'b' })))
    await flush()
    assert.equal(coordinator.describeGroup('g').groupState, 'PreparingRebalance')
    assert.equal(
      await commitError(coordinator, commit({ ...member, offset: 50 })),
      ErrorCode.NONE,
      'commit in onPartitionsRevoked',
    )
    assert.equal(fetchOne(coordinator).committedOffset, 50)
    await coordinator.close()
    await b.promise
  })
})

describe('offset deletion, group deletion and listing', () => {
  it('deletes groups only when empty, and their offsets with them', async () => {
    const { coordinator } = await openCoordinator()
    await coordinator.commitOffsets(commit())
    await coordinator.joinGroup(joinInput({ groupId: 'busy' }))
    assert.deepEqual(await coordinator.deleteGroups(['g', 'busy', 'missing']), [
      { groupId: 'g', errorCode: ErrorCode.NONE },
      { groupId: 'busy', errorCode: ErrorCode.NON_EMPTY_GROUP },
      { groupId: 'missing', errorCode: ErrorCode.GROUP_ID_NOT_FOUND },
    ])
    assert.equal(fetchOne(coordinator).committedOffset, -1)
    await coordinator.close()
  })

  it('deletes offsets of topics the group does not consume, and refuses subscribed ones', async () => {
    const { coordinator } = await openCoordinator()
    await coordinator.commitOffsets({
      ...commit(),
      topics: [...commit().topics, { name: 'payments', partitions: commit().topics[0].partitions }],
    })
    assert.equal((await coordinator.deleteOffsets('missing', [])).errorCode, ErrorCode.GROUP_ID_NOT_FOUND)
    const a = await coordinator.joinGroup(joinInput({ clientId: 'a' }))
    await coordinator.syncGroup(syncInput({ memberId: a.memberId, generationId: 1 }))
    const result = await coordinator.deleteOffsets('g', [
      { name: 'orders', partitions: [{ partitionIndex: 0 }] },
      { name: 'payments', partitions: [{ partitionIndex: 0 }] },
    ])
    assert.deepEqual(
      result.topics.map((t) => t.partitions[0].errorCode),
      [ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC, ErrorCode.NONE],
    )
    assert.equal(
      coordinator.fetchOffsets({ groupId: 'g', memberId: null, memberEpoch: -1, topics: null }).topics.length,
      1,
    )
    await coordinator.close()
  })

  it('filters ListGroups by state and type, case-insensitively', async () => {
    const { coordinator } = await openCoordinator()
    await coordinator.commitOffsets(commit({ groupId: 'idle' }))
    await coordinator.joinGroup(joinInput({ groupId: 'busy' }))
    assert.deepEqual(
      coordinator.listGroups({ states: ['empty'] }).map((g) => g.groupId),
      ['idle'],
    )
    assert.deepEqual(
      coordinator.listGroups({ states: ['CompletingRebalance'] }).map((g) => g.groupId),
      ['busy'],
    )
    assert.deepEqual(coordinator.listGroups({ types: ['consumer'] }), [])
    assert.equal(coordinator.listGroups({ types: ['Classic'] }).length, 2)
    await coordinator.close()
  })
})

describe('durability', () => {
  it('#7 recovers groups with their members, and offsets, after a crash that loses nothing acknowledged', async () => {
    const first = await openCoordinator()
    const a = await first.coordinator.joinGroup(joinInput({ clientId: 'a' }))
    await first.coordinator.syncGroup(syncInput({ memberId: a.memberId, generationId: 1 }))
    await first.coordinator.commitOffsets(
      commit({ memberId: a.memberId, generationIdOrMemberEpoch: 1, offset: 7 }),
    )
    await first.coordinator.commitOffsets(commit({ groupId: 'simple', offset: 9, metadata: 'héllo' }))
    // No close: the process dies. Unsynced bytes may be lost or torn; everything acknowledged is synced.
    const crashed = first.fs.crash({ tearProbability: 1 })
    const second = await openCoordinator({}, crashed, first.clock)
    assert.equal(fetchOne(second.coordinator).committedOffset, 7)
    assert.equal(fetchOne(second.coordinator, 'simple').metadata, 'héllo')
    assert.deepEqual(
      second.coordinator
        .listGroups()
        .map((g) => [g.groupId, g.groupState, g.protocolType])
        .sort(),
      [
        ['g', 'Stable', 'consumer'],
        ['simple', 'Empty', ''],
      ],
    )
    // The member goes on in its generation without rejoining, and keeps its assignment.
    assert.equal(
      second.coordinator.heartbeat({
        groupId: 'g',
        generationId: 1,
        memberId: a.memberId,
        groupInstanceId: null,
      }),
      ErrorCode.NONE,
    )
    const resumed = await second.coordinator.syncGroup(syncInput({ memberId: a.memberId, generationId: 1 }))
    assert.equal(resumed.errorCode, ErrorCode.NONE)
    // Its session timer runs from the restart: silent for a session, it is removed.
    second.clock.advance(10_001)
    assert.equal(second.coordinator.listGroups().find((g) => g.groupId === 'g')?.groupState, 'Empty')
    await second.coordinator.close()
  })

  it('ignores a torn tail, and compacts into a snapshot that a reopen reads back', async () => {
    const { coordinator, fs, clock } = await openCoordinator({ compactBytes: 2000 })
    for (let i = 0; i < 40; i++) await coordinator.commitOffsets(commit({ offset: i }))
    await coordinator.deleteGroups(['g'])
    await coordinator.commitOffsets(commit({ groupId: 'h', offset: 5 }))
    await coordinator.close()
    const logs = (await fs.list(`${DIR}/${GROUP_STATE_DIR}`)).filter((name) => name.endsWith('.log'))
    assert.equal(logs.length, 1, `older log files were removed after the snapshots: ${logs.join(' ')}`)
    assert.ok(logs[0] !== stateLogFileName(1), 'a snapshot moved the log on')
    const handle = await fs.open(`${DIR}/${GROUP_STATE_DIR}/${logs[0]}`)
    const size = await handle.size()
    assert.ok(size < 2000, `log was compacted (${size} bytes)`)
    await handle.write(size, [Buffer.from([0, 0, 0, 50, 1, 2, 3])])
    await handle.sync()
    await handle.close()
    const reopened = await openCoordinator({}, fs, clock)
    assert.equal(fetchOne(reopened.coordinator, 'g').committedOffset, -1, 'deleted group stays deleted')
    assert.equal(fetchOne(reopened.coordinator, 'h').committedOffset, 5)
    await reopened.coordinator.commitOffsets(commit({ groupId: 'h', offset: 6 }))
    await reopened.coordinator.close()
    const again = await openCoordinator({}, fs, clock)
    assert.equal(fetchOne(again.coordinator, 'h').committedOffset, 6, 'appends after the cut tail replay')
    await again.coordinator.close()
  })

  it('#7 refuses offsets a JavaScript number cannot hold exactly with OFFSET_OUT_OF_RANGE', async () => {
    const { coordinator } = await openCoordinator()
    assert.equal(await commitError(coordinator, commit({ offset: 2 ** 53 - 1 })), ErrorCode.NONE)
    // 2^63 - 1 as the wire decoder reads it (rounded to 2^63), and the first unsafe integer.
    for (const offset of [Number(2n ** 63n - 1n), 2 ** 53, -(2 ** 53), -(2 ** 63)]) {
      assert.equal(
        await commitError(coordinator, commit({ offset })),
        ErrorCode.OFFSET_OUT_OF_RANGE,
        `${offset}`,
      )
    }
    assert.equal(fetchOne(coordinator).committedOffset, 2 ** 53 - 1, 'the refused commits changed nothing')
    await coordinator.close()
  })

  it('#7 loads a group poisoned on disk by an offset of 2^63 - 1: the offset is dropped, the rest kept', async () => {
    const { coordinator, fs, clock } = await openCoordinator()
    await coordinator.commitOffsets(commit({ groupId: 'poisoned', offset: 7 }))
    await coordinator.close()
    // What an older broker wrote for a commit of 2^63 - 1: a number JSON cannot give back exactly.
    const { log } = await StateLog.open({
      fs,
      dir: `${DIR}/${GROUP_STATE_DIR}`,
      logger: silentLogger,
      replay: () => {},
      snapshot: () => [],
    })
    await log.append([
      groupStateRecord({
        type: 'offset',
        groupId: 'poisoned',
        topic: 'payments',
        partition: 0,
        offset: Number(2n ** 63n - 1n),
        leaderEpoch: -1,
        metadata: '',
        commitTimestampMs: 0,
      }),
    ])
    await log.close()
    const reopened = await openCoordinator({}, fs, clock)
    const all = reopened.coordinator.fetchOffsets({
      groupId: 'poisoned',
      memberId: null,
      memberEpoch: -1,
      topics: null,
    })
    assert.deepEqual(
      all.topics.map((t) => [t.name, t.partitions.map((p) => p.committedOffset)]),
      [['orders', [7]]],
    )
    await reopened.coordinator.close()
    const again = await openCoordinator({}, fs, clock)
    assert.equal(fetchOne(again.coordinator, 'poisoned', 0).committedOffset, 7)
    await again.coordinator.close()
  })

  it('expires offsets of empty groups after the retention, then the group itself', async () => {
    const day = 24 * 60 * 60 * 1000
    const { coordinator, clock, fs } = await openCoordinator()
    await coordinator.commitOffsets(commit())
    clock.advance(6 * day)
    await coordinator.commitOffsets(commit({ groupId: 'younger' }))
    clock.advance(day + 600_000)
    await flush()
    assert.equal(fetchOne(coordinator).committedOffset, -1)
    assert.equal(fetchOne(coordinator, 'younger').committedOffset, 42)
    assert.deepEqual(
      coordinator.listGroups().map((g) => g.groupId),
      ['younger'],
    )
    await coordinator.close()
    const reopened = await openCoordinator({}, fs, clock)
    assert.deepEqual(
      reopened.coordinator.listGroups().map((g) => g.groupId),
      ['younger'],
    )
    await reopened.coordinator.close()
  })

  it('keeps offsets of a group with members however old they are', async () => {
    const day = 24 * 60 * 60 * 1000
    const { coordinator, clock } = await openCoordinator({ sessionTimeoutMaxMs: 30 * day })
    const a = await coordinator.joinGroup(joinInput({ sessionTimeoutMs: 20 * day }))
    await coordinator.syncGroup(syncInput({ memberId: a.memberId, generationId: 1 }))
    await coordinator.commitOffsets(commit({ memberId: a.memberId, generationIdOrMemberEpoch: 1 }))
    clock.advance(8 * day)
    await flush()
    assert.equal(fetchOne(coordinator).committedOffset, 42)
    await coordinator.close()
  })
})

describe('compaction on request', () => {
  it('snapshots on compact() while commits keep arriving, and a reopen sees all of them', async () => {
    const { coordinator, fs, clock } = await openCoordinator()
    const commits = [1, 2, 3].map((offset) => coordinator.commitOffsets(commit({ offset })))
    const compaction = coordinator.compact()
    const later = coordinator.commitOffsets(commit({ groupId: 'late', offset: 4 }))
    await Promise.all([...commits, compaction, later])
    const crashed = fs.crash()
    const reopened = await openCoordinator({}, crashed, clock)
    assert.equal(fetchOne(reopened.coordinator).committedOffset, 3)
    assert.equal(fetchOne(reopened.coordinator, 'late').committedOffset, 4)
    await reopened.coordinator.close()
  })
})

describe('snapshots off the commit path', () => {
  it('acknowledges an offset commit while a snapshot of the groups is being written (#7)', async () => {
    const inner = new SimFileSystem()
    let release!: () => void
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    // Holds every write of a snapshot: the state log's temporary file, or a whole-file atomic write.
    const held = (path: string) => path.endsWith('.tmp') || path.includes('snapshot')
    const fs: FileSystem = {
      open: async (path, options) => {
        const handle = await inner.open(path, options)
        return {
          read: (position, length) => handle.read(position, length),
          write: async (position, buffers) => {
            if (held(path)) await gate
            return handle.write(position, buffers)
          },
          sync: () => handle.sync(),
          truncate: (length) => handle.truncate(length),
          size: () => handle.size(),
          close: () => handle.close(),
        }
      },
      mkdir: (path) => inner.mkdir(path),
      list: (path) => inner.list(path),
      exists: (path) => inner.exists(path),
      remove: (path) => inner.remove(path),
      rename: (from, to) => inner.rename(from, to),
      readFile: (path) => inner.readFile(path),
      writeFileAtomic: async (path, data) => {
        if (held(path)) await gate
        return inner.writeFileAtomic(path, data)
      },
      volumeSpace: (path) => inner.volumeSpace(path),
    }
    const coordinator = await GroupCoordinator.open({
      fs,
      clock: new SimClock(),
      dir: DIR,
      random: new SeededRandom(7),
      logger: silentLogger,
      topics: staticTopicLookup({ orders: 3 }),
      initialRebalanceDelayMs: 0,
    })
    await coordinator.commitOffsets(commit({ offset: 1 }))
    const compaction = coordinator.compact()
    let acknowledged = false
    const committed = coordinator.commitOffsets(commit({ offset: 2 })).then((result) => {
      acknowledged = true
      return result
    })
    for (let turn = 0; turn < 50 && !acknowledged; turn++)
      await new Promise((resolve) => setImmediate(resolve))
    assert.ok(acknowledged, 'the commit waited for the snapshot')
    assert.equal((await committed)[0].partitions[0].errorCode, ErrorCode.NONE)
    release()
    await compaction
    await coordinator.close()
    const reopened = await openCoordinator({}, inner)
    assert.equal(fetchOne(reopened.coordinator).committedOffset, 2)
    await reopened.coordinator.close()
  })
})
