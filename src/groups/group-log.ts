// The groups' durable state: committed offsets, offset deletions, group creations and deletions, the
// pending offsets of open transactions, and each group's membership (generation or epochs, members, assignments) so a restart resumes groups. Kept as
// keyed records in a storage StateLog under `<dir>/state/` (group-committed appends, snapshots off the
// commit path). At open, the files of the earlier format (groups.log + groups.snapshot) are migrated.
import { CorruptDataError, type FileSystem, type Logger } from '../core/index.js'
import { crc32c } from '../record-batch/index.js'
import { StateLog, type StateRecord } from '../storage/index.js'

/** Sub-directory of the groups directory holding the state log. */
export const GROUP_STATE_DIR = 'state'
/** Files of the format before the state log; read once at start, then removed. */
export const LEGACY_GROUP_LOG_FILE = 'groups.log'
export const LEGACY_GROUP_SNAPSHOT_FILE = 'groups.snapshot'

/** One committed offset as stored. `commitTimestampMs` is epoch milliseconds. */
export interface StoredOffset {
  readonly offset: number
  readonly leaderEpoch: number
  readonly metadata: string
  readonly commitTimestampMs: number
}

/**
 * An offset an open transaction stored (TxnOffsetCommit), kept until the transaction ends. `superseded`: a
 * plain OffsetCommit of the same partition came after it, so the transaction's commit leaves that newer
 * offset in place (Kafka orders the two by their position in its offsets log).
 */
export interface PendingOffset extends StoredOffset {
  readonly producerEpoch: number
  readonly superseded: boolean
}

/** Kind of group: the classic protocol (JoinGroup/SyncGroup) or KIP-848 (ConsumerGroupHeartbeat). */
export type GroupType = 'classic' | 'consumer'

/** A change to the durable state. Replaying the same records over a state that has them is harmless. */
export type GroupRecord =
  | {
      readonly type: 'group'
      readonly groupId: string
      readonly groupType: GroupType
      readonly protocolType: string
    }
  | { readonly type: 'group-delete'; readonly groupId: string }
  | ({
      readonly type: 'offset'
      readonly groupId: string
      readonly topic: string
      readonly partition: number
    } & StoredOffset)
  | {
      readonly type: 'offset-delete'
      readonly groupId: string
      readonly topic: string
      readonly partition: number
    }
  /** A pending transactional offset, by group, producer id and partition. */
  | ({
      readonly type: 'txn-offset'
      readonly groupId: string
      readonly producerId: number
      readonly topic: string
      readonly partition: number
    } & PendingOffset)
  /** The end of a pending offset: made committed (by an `offset` record beside it) or dropped. */
  | {
      readonly type: 'txn-offset-delete'
      readonly groupId: string
      readonly producerId: number
      readonly topic: string
      readonly partition: number
    }
  /** Group-level membership state (classic: generation, protocol, leader; KIP-848: epochs, target). */
  | { readonly type: 'membership'; readonly groupId: string; readonly value: MembershipValue | null }
  /** One member as its group exports it; null removes it. */
  | {
      readonly type: 'member'
      readonly groupId: string
      readonly memberId: string
      readonly value: MembershipValue | null
    }

/** Membership state as JSON; its shape belongs to the group kind that wrote it (classic or consumer). */
export type MembershipValue = Readonly<Record<string, unknown>>

/** The durable state of one group: what survives a restart. */
export interface StoredGroup {
  groupType: GroupType
  protocolType: string
  /** Offsets by topic name, then partition index. */
  offsets: Map<string, Map<number, StoredOffset>>
  /** Pending transactional offsets by producer id, then topic name, then partition index. */
  pending?: Map<number, Map<string, Map<number, PendingOffset>>>
  /** Group-level membership state, if the group had members when it was last written. */
  membership?: MembershipValue
  /** Members by id. */
  members?: Map<string, MembershipValue>
}

/** The durable state of every group, by group id. */
export type StoredGroups = Map<string, StoredGroup>

/** Applies one record to `state`. Offsets for an unknown group create it as a classic group. */
export function applyGroupRecord(state: StoredGroups, record: GroupRecord): void {
  switch (record.type) {
    case 'group': {
      const existing = state.get(record.groupId)
      if (existing === undefined) {
        state.set(record.groupId, {
          groupType: record.groupType,
          protocolType: record.protocolType,
          offsets: new Map(),
        })
      } else {
        // A group converted to the other kind starts with no members.
        if (existing.groupType !== record.groupType) {
          existing.membership = undefined
          existing.members = undefined
        }
        existing.groupType = record.groupType
        existing.protocolType = record.protocolType
      }
      return
    }
    case 'membership': {
      const group = state.get(record.groupId)
      if (group !== undefined) group.membership = record.value ?? undefined
      return
    }
    case 'member': {
      const group = state.get(record.groupId)
      if (group === undefined) return
      if (record.value === null) group.members?.delete(record.memberId)
      else (group.members ??= new Map()).set(record.memberId, record.value)
      return
    }
    case 'group-delete':
      state.delete(record.groupId)
      return
    case 'offset': {
      let group = state.get(record.groupId)
      if (group === undefined) {
        group = { groupType: 'classic', protocolType: '', offsets: new Map() }
        state.set(record.groupId, group)
      }
      let partitions = group.offsets.get(record.topic)
      if (partitions === undefined) group.offsets.set(record.topic, (partitions = new Map()))
      partitions.set(record.partition, {
        offset: record.offset,
        leaderEpoch: record.leaderEpoch,
        metadata: record.metadata,
        commitTimestampMs: record.commitTimestampMs,
      })
      return
    }
    case 'offset-delete': {
      const partitions = state.get(record.groupId)?.offsets.get(record.topic)
      if (partitions === undefined) return
      partitions.delete(record.partition)
      if (partitions.size === 0) state.get(record.groupId)?.offsets.delete(record.topic)
      return
    }
    case 'txn-offset': {
      let group = state.get(record.groupId)
      if (group === undefined) {
        group = { groupType: 'classic', protocolType: '', offsets: new Map() }
        state.set(record.groupId, group)
      }
      group.pending ??= new Map()
      let topics = group.pending.get(record.producerId)
      if (topics === undefined) group.pending.set(record.producerId, (topics = new Map()))
      let partitions = topics.get(record.topic)
      if (partitions === undefined) topics.set(record.topic, (partitions = new Map()))
      partitions.set(record.partition, {
        offset: record.offset,
        leaderEpoch: record.leaderEpoch,
        metadata: record.metadata,
        commitTimestampMs: record.commitTimestampMs,
        producerEpoch: record.producerEpoch,
        superseded: record.superseded,
      })
      return
    }
    case 'txn-offset-delete': {
      const pending = state.get(record.groupId)?.pending
      const topics = pending?.get(record.producerId)
      const partitions = topics?.get(record.topic)
      if (pending === undefined || topics === undefined || partitions === undefined) return
      partitions.delete(record.partition)
      if (partitions.size === 0) topics.delete(record.topic)
      if (topics.size === 0) pending.delete(record.producerId)
      return
    }
  }
}

/** The state-log key of a pending offset. */
function txnOffsetKey(groupId: string, producerId: number, topic: string, partition: number): string {
  return JSON.stringify([groupId, producerId, topic, partition])
}

/** A group record as a keyed state record: groups by id, offsets by [group, topic, partition]. */
export function groupStateRecord(record: GroupRecord): StateRecord {
  switch (record.type) {
    case 'group':
      return {
        type: 'group',
        key: record.groupId,
        value: { groupType: record.groupType, protocolType: record.protocolType },
      }
    case 'group-delete':
      return { type: 'group', key: record.groupId, value: null }
    case 'offset':
      return {
        type: 'offset',
        key: JSON.stringify([record.groupId, record.topic, record.partition]),
        value: {
          offset: record.offset,
          leaderEpoch: record.leaderEpoch,
          metadata: record.metadata,
          commitTimestampMs: record.commitTimestampMs,
        },
      }
    case 'offset-delete':
      return {
        type: 'offset',
        key: JSON.stringify([record.groupId, record.topic, record.partition]),
        value: null,
      }
    case 'txn-offset':
      return {
        type: 'txn-offset',
        key: txnOffsetKey(record.groupId, record.producerId, record.topic, record.partition),
        value: {
          offset: record.offset,
          leaderEpoch: record.leaderEpoch,
          metadata: record.metadata,
          commitTimestampMs: record.commitTimestampMs,
          producerEpoch: record.producerEpoch,
          superseded: record.superseded,
        },
      }
    case 'txn-offset-delete':
      return {
        type: 'txn-offset',
        key: txnOffsetKey(record.groupId, record.producerId, record.topic, record.partition),
        value: null,
      }
    case 'membership':
      return { type: 'membership', key: record.groupId, value: record.value }
    case 'member':
      return { type: 'member', key: JSON.stringify([record.groupId, record.memberId]), value: record.value }
  }
}

/** The inverse of groupStateRecord; undefined for a record type this version does not know. */
export function groupRecordOf(record: StateRecord): GroupRecord | undefined {
  if (record.type === 'group') {
    if (record.value === null) return { type: 'group-delete', groupId: record.key }
    const value = record.value as { groupType: GroupType; protocolType: string }
    return {
      type: 'group',
      groupId: record.key,
      groupType: value.groupType,
      protocolType: value.protocolType,
    }
  }
  if (record.type === 'offset') {
    const [groupId, topic, partition] = JSON.parse(record.key) as [string, string, number]
    if (record.value === null) return { type: 'offset-delete', groupId, topic, partition }
    return { type: 'offset', groupId, topic, partition, ...(record.value as StoredOffset) }
  }
  if (record.type === 'txn-offset') {
    const [groupId, producerId, topic, partition] = JSON.parse(record.key) as [string, number, string, number]
    if (record.value === null) return { type: 'txn-offset-delete', groupId, producerId, topic, partition }
    return { type: 'txn-offset', groupId, producerId, topic, partition, ...(record.value as PendingOffset) }
  }
  if (record.type === 'membership') {
    return { type: 'membership', groupId: record.key, value: record.value as MembershipValue | null }
  }
  if (record.type === 'member') {
    const [groupId, memberId] = JSON.parse(record.key) as [string, string]
    return { type: 'member', groupId, memberId, value: record.value as MembershipValue | null }
  }
  return undefined
}

/** The whole state as records: each group, then its offsets, pending offsets and membership. */
function* stateRecords(state: StoredGroups): Iterable<StateRecord> {
  for (const [groupId, group] of state) {
    yield groupStateRecord({
      type: 'group',
      groupId,
      groupType: group.groupType,
      protocolType: group.protocolType,
    })
    for (const [topic, partitions] of group.offsets) {
      for (const [partition, o] of partitions) {
        yield groupStateRecord({ type: 'offset', groupId, topic, partition, ...o })
      }
    }
    for (const [producerId, topics] of group.pending ?? []) {
      for (const [topic, partitions] of topics) {
        for (const [partition, o] of partitions) {
          yield groupStateRecord({ type: 'txn-offset', groupId, producerId, topic, partition, ...o })
        }
      }
    }
    if (group.membership !== undefined) {
      yield groupStateRecord({ type: 'membership', groupId, value: group.membership })
    }
    for (const [memberId, value] of group.members ?? []) {
      yield groupStateRecord({ type: 'member', groupId, memberId, value })
    }
  }
}

/** Tuning of the log; sizes in bytes. */
export interface GroupLogOptions {
  /** Snapshot once this many bytes were logged since the last snapshot (default 16 MiB). */
  compactBytes?: number
}

/**
 * The open groups log. `append` may be called any time; appends reach the disk in call order, several
 * per fsync. After a failed write every later append fails too, since what reached the disk is unknown.
 */
export class GroupLog {
  /** Supplies the full current state for snapshots; set by the owner. */
  snapshotSource: (() => StoredGroups) | undefined

  private constructor(private readonly log: StateLog) {}

  /** Opens (creating if needed) the log in `dir`, and returns it with the recovered state. */
  static async open(
    fs: FileSystem,
    dir: string,
    logger: Logger,
    options: GroupLogOptions = {},
  ): Promise<{ log: GroupLog; state: StoredGroups; truncatedBytes: number }> {
    const state: StoredGroups = new Map()
    let owner: GroupLog | undefined
    const { log: stateLog, recovery } = await StateLog.open({
      fs,
      dir: `${dir}/${GROUP_STATE_DIR}`,
      logger,
      replay: (record) => {
        const groupRecord = groupRecordOf(record)
        if (groupRecord === undefined)
          logger.warn('groups log: skipping a record of unknown type', { type: record.type })
        else applyGroupRecord(state, groupRecord)
      },
      snapshot: () => stateRecords(owner?.snapshotSource?.() ?? state),
      snapshotAfterBytes: options.compactBytes,
    })
    owner = new GroupLog(stateLog)
    await migrateLegacyFiles(
      fs,
      dir,
      logger,
      stateLog,
      recovery.lastSeq === 0 && recovery.snapshotRecords === 0,
      state,
    )
    return { log: owner, state, truncatedBytes: recovery.truncatedBytes }
  }

  /** Appends `records`; resolves once they are durable (written and fsynced). */
  append(records: readonly GroupRecord[]): Promise<void> {
    return this.log.append(records.map(groupStateRecord))
  }

  /** Writes a snapshot now; appends continue meanwhile. */
  compact(): Promise<void> {
    return this.log.snapshotNow()
  }

  /** Waits for pending appends, then closes the file. */
  close(): Promise<void> {
    return this.log.close()
  }
}

// ---- the format before the state log (groups.log + groups.snapshot), read once to migrate ----

type SnapshotGroup = [
  groupId: string,
  groupType: GroupType,
  protocolType: string,
  offsets: [
    topic: string,
    partition: number,
    offset: number,
    leaderEpoch: number,
    metadata: string,
    ts: number,
  ][],
]

function decodeLegacyState(groups: SnapshotGroup[]): StoredGroups {
  const state: StoredGroups = new Map()
  for (const [groupId, groupType, protocolType, offsets] of groups) {
    state.set(groupId, { groupType, protocolType, offsets: new Map() })
    for (const [topic, partition, offset, leaderEpoch, metadata, commitTimestampMs] of offsets) {
      applyGroupRecord(state, {
        type: 'offset',
        groupId,
        topic,
        partition,
        offset,
        leaderEpoch,
        metadata,
        commitTimestampMs,
      })
    }
  }
  return state
}

/** Decodes legacy frames (u32 length, u32 CRC-32C, JSON `{ seq, r }`), stopping at a torn or corrupt one. */
function decodeLegacyFrames(data: Buffer): { seq: number; r: GroupRecord }[] {
  const entries: { seq: number; r: GroupRecord }[] = []
  let position = 0
  while (position + 8 <= data.length) {
    const length = data.readUInt32BE(position)
    const bodyStart = position + 8
    if (bodyStart + length > data.length) break
    const body = data.subarray(bodyStart, bodyStart + length)
    if (crc32c(body) !== data.readUInt32BE(position + 4)) break
    try {
      entries.push(JSON.parse(body.toString('utf8')))
    } catch {
      break
    }
    position = bodyStart + length
  }
  return entries
}

/**
 * Moves groups.snapshot + groups.log into the state log: applies them to `state`, writes a state-log
 * snapshot, then removes them. If the state log already holds data, a crash came between those steps
 * and the old files are only removed.
 */
async function migrateLegacyFiles(
  fs: FileSystem,
  dir: string,
  logger: Logger,
  log: StateLog,
  stateLogIsNew: boolean,
  state: StoredGroups,
): Promise<void> {
  const snapshotPath = `${dir}/${LEGACY_GROUP_SNAPSHOT_FILE}`
  const logPath = `${dir}/${LEGACY_GROUP_LOG_FILE}`
  const hasSnapshot = await fs.exists(snapshotPath)
  const hasLog = await fs.exists(logPath)
  if (!hasSnapshot && !hasLog) return
  if (stateLogIsNew) {
    let lastSeq = 0
    if (hasSnapshot) {
      const data = await fs.readFile(snapshotPath)
      if (data.length < 4 || crc32c(data.subarray(4)) !== data.readUInt32BE(0)) {
        throw new CorruptDataError(`${snapshotPath}: checksum mismatch`)
      }
      const parsed = JSON.parse(data.subarray(4).toString('utf8')) as {
        format: number
        lastSeq: number
        state: SnapshotGroup[]
      }
      if (parsed.format !== 1) throw new CorruptDataError(`${snapshotPath}: unknown format ${parsed.format}`)
      for (const [groupId, group] of decodeLegacyState(parsed.state)) state.set(groupId, group)
      lastSeq = parsed.lastSeq
    }
    if (hasLog) {
      for (const entry of decodeLegacyFrames(await fs.readFile(logPath))) {
        if (entry.seq <= lastSeq) continue
        applyGroupRecord(state, entry.r)
        lastSeq = entry.seq
      }
    }
    await log.snapshotNow()
    logger.info('groups: migrated groups.log and groups.snapshot to the state log', { groups: state.size })
  }
  await fs.remove(snapshotPath)
  await fs.remove(logPath)
}
