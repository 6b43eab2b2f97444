// The groups' durable state on disk: an append-only log of CRC-framed JSON records (committed offsets,
// offset deletions, group creations and deletions) plus a snapshot the log is compacted into. Appends are
// group-committed: every record that arrives while a write+fsync is in flight goes into the next one.
//
// Frame: u32 payload length, u32 CRC-32C of the payload, payload (UTF-8 JSON `{ seq, r }`).
// Snapshot: u32 CRC-32C of the rest, then UTF-8 JSON `{ format, lastSeq, state }`.
import {
  ClosedError,
  CorruptDataError,
  type FileHandle,
  type FileSystem,
  type Logger,
} from '../core/index.js'
import { crc32c } from '../record-batch/index.js'

/** File names inside the groups directory. */
export const GROUP_LOG_FILE = 'groups.log'
export const GROUP_SNAPSHOT_FILE = 'groups.snapshot'

const FRAME_HEADER_BYTES = 8
/** A real record is well under a megabyte (metadata is capped at 4096 characters). */
const FRAME_PAYLOAD_BYTES_MAX = 4 * 1024 * 1024
const SNAPSHOT_FORMAT = 1

/** One committed offset as stored. `commitTimestampMs` is epoch milliseconds. */
export interface StoredOffset {
  readonly offset: number
  readonly leaderEpoch: number
  readonly metadata: string
  readonly commitTimestampMs: number
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

/** The durable state of one group: what survives a restart. */
export interface StoredGroup {
  groupType: GroupType
  protocolType: string
  /** Offsets by topic name, then partition index. */
  offsets: Map<string, Map<number, StoredOffset>>
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
        existing.groupType = record.groupType
        existing.protocolType = record.protocolType
      }
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
  }
}

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

function encodeState(state: StoredGroups): SnapshotGroup[] {
  const groups: SnapshotGroup[] = []
  for (const [groupId, group] of state) {
    const offsets: SnapshotGroup[3] = []
    for (const [topic, partitions] of group.offsets) {
      for (const [partition, o] of partitions) {
        offsets.push([topic, partition, o.offset, o.leaderEpoch, o.metadata, o.commitTimestampMs])
      }
    }
    groups.push([groupId, group.groupType, group.protocolType, offsets])
  }
  return groups
}

function decodeState(groups: SnapshotGroup[]): StoredGroups {
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

/** Encodes one log frame. Exposed for tests that build torn logs by hand. */
export function encodeGroupFrame(seq: number, record: GroupRecord): Buffer {
  const body = Buffer.from(JSON.stringify({ seq, r: record }), 'utf8')
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + body.length)
  frame.writeUInt32BE(body.length, 0)
  frame.writeUInt32BE(crc32c(body), 4)
  body.copy(frame, FRAME_HEADER_BYTES)
  return frame
}

/** Decodes frames from the start of `data`, stopping at the first torn or corrupt one. */
function decodeFrames(data: Buffer): { entries: { seq: number; r: GroupRecord }[]; endPosition: number } {
  const entries: { seq: number; r: GroupRecord }[] = []
  let position = 0
  while (position + FRAME_HEADER_BYTES <= data.length) {
    const length = data.readUInt32BE(position)
    const bodyStart = position + FRAME_HEADER_BYTES
    if (length > FRAME_PAYLOAD_BYTES_MAX || bodyStart + length > data.length) break
    const body = data.subarray(bodyStart, bodyStart + length)
    if (crc32c(body) !== data.readUInt32BE(position + 4)) break
    try {
      entries.push(JSON.parse(body.toString('utf8')))
    } catch {
      break
    }
    position = bodyStart + length
  }
  return { entries, endPosition: position }
}

/** Tuning of the log; sizes in bytes. */
export interface GroupLogOptions {
  /** Compact into a snapshot once the log is larger than this (default 16 MiB). */
  compactBytes?: number
}

interface PendingAppend {
  frames: Buffer[]
  resolve: () => void
  reject: (error: unknown) => void
}

/**
 * The open groups log. `append` may be called any time; appends reach the disk in call order, several
 * per fsync. After a failed write every later append fails too, since what reached the disk is unknown.
 */
export class GroupLog {
  #seq: number
  #endPosition: number
  #pending: PendingAppend[] = []
  #flushing: Promise<void> | undefined
  #failure: unknown
  #closed = false
  #compactRequested = false
  /** Supplies the full current state for compaction; set by the owner. */
  snapshotSource: (() => StoredGroups) | undefined

  private constructor(
    private readonly fs: FileSystem,
    private readonly dir: string,
    private handle: FileHandle,
    endPosition: number,
    lastSeq: number,
    private readonly compactBytes: number,
    private readonly logger: Logger,
  ) {
    this.#endPosition = endPosition
    this.#seq = lastSeq
  }

  /** Opens (creating if needed) the log in `dir`, and returns it with the recovered state. */
  static async open(
    fs: FileSystem,
    dir: string,
    logger: Logger,
    options: GroupLogOptions = {},
  ): Promise<{ log: GroupLog; state: StoredGroups; truncatedBytes: number }> {
    await fs.mkdir(dir)
    let state: StoredGroups = new Map()
    let lastSeq = 0
    const snapshotPath = `${dir}/${GROUP_SNAPSHOT_FILE}`
    if (await fs.exists(snapshotPath)) {
      const data = await fs.readFile(snapshotPath)
      // The snapshot is written atomically, so a bad one is real corruption, not a torn write.
      if (data.length < 4 || crc32c(data.subarray(4)) !== data.readUInt32BE(0)) {
        throw new CorruptDataError(`${snapshotPath}: checksum mismatch`)
      }
      const parsed = JSON.parse(data.subarray(4).toString('utf8')) as {
        format: number
        lastSeq: number
        state: SnapshotGroup[]
      }
      if (parsed.format !== SNAPSHOT_FORMAT)
        throw new CorruptDataError(`${snapshotPath}: unknown format ${parsed.format}`)
      state = decodeState(parsed.state)
      lastSeq = parsed.lastSeq
    }
    const handle = await fs.open(`${dir}/${GROUP_LOG_FILE}`, { create: true })
    const size = await handle.size()
    const data = size > 0 ? await handle.read(0, size) : Buffer.alloc(0)
    const { entries, endPosition } = decodeFrames(data)
    for (const entry of entries) {
      if (entry.seq <= lastSeq) continue
      applyGroupRecord(state, entry.r)
      lastSeq = entry.seq
    }
    const truncatedBytes = size - endPosition
    if (truncatedBytes > 0) {
      logger.warn('groups log: cutting torn tail', { truncatedBytes })
      await handle.truncate(endPosition)
      await handle.sync()
    }
    const log = new GroupLog(
      fs,
      dir,
      handle,
      endPosition,
      lastSeq,
      options.compactBytes ?? 16 * 1024 * 1024,
      logger,
    )
    return { log, state, truncatedBytes }
  }

  /** Bytes in the log file after the last compaction. */
  get sizeBytes(): number {
    return this.#endPosition
  }

  /** Appends `records`; resolves once they are durable (written and fsynced). */
  append(records: readonly GroupRecord[]): Promise<void> {
    if (this.#closed) return Promise.reject(new ClosedError('groups log is closed'))
    if (this.#failure !== undefined) return Promise.reject(this.#failure)
    if (records.length === 0) return Promise.resolve()
    const frames = records.map((record) => encodeGroupFrame(++this.#seq, record))
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ frames, resolve, reject })
      if (this.#flushing === undefined) this.#flushing = this.#flushLoop()
    })
  }

  async #flushLoop(): Promise<void> {
    while (this.#pending.length > 0 || this.#compactRequested) {
      const batch = this.#pending
      this.#pending = []
      const frames = batch.flatMap((p) => p.frames)
      try {
        if (this.#failure !== undefined) throw this.#failure
        if (frames.length > 0) {
          await this.handle.write(this.#endPosition, frames)
          await this.handle.sync()
        }
        for (const frame of frames) this.#endPosition += frame.length
        for (const p of batch) p.resolve()
      } catch (error) {
        this.#failure ??= error
        this.#compactRequested = false
        for (const p of batch) p.reject(error)
        continue
      }
      const due = this.#compactRequested || this.#endPosition > this.compactBytes
      this.#compactRequested = false
      if (due && this.snapshotSource !== undefined) {
        try {
          await this.#compact(this.snapshotSource())
        } catch (error) {
          this.logger.error('groups log: compaction failed', { error })
        }
      }
    }
    this.#flushing = undefined
  }

  /**
   * Writes `state` (which must reflect every record appended so far) as the snapshot and empties the
   * log. Runs inside the flush loop, so no write is in flight.
   */
  async #compact(state: StoredGroups): Promise<void> {
    const body = Buffer.from(
      JSON.stringify({ format: SNAPSHOT_FORMAT, lastSeq: this.#seq, state: encodeState(state) }),
    )
    const crc = Buffer.allocUnsafe(4)
    crc.writeUInt32BE(crc32c(body), 0)
    await this.fs.writeFileAtomic(`${this.dir}/${GROUP_SNAPSHOT_FILE}`, Buffer.concat([crc, body]))
    // Frames after the snapshot's lastSeq may still be queued; they are written to the emptied log and
    // skipped at replay because the snapshot already holds them.
    await this.handle.truncate(0)
    await this.handle.sync()
    this.#endPosition = 0
    this.logger.info('groups log compacted', { groups: state.size })
  }

  /** Compacts after the pending appends, inside the flush loop so no write races the truncation. */
  async compact(): Promise<void> {
    this.#compactRequested = true
    if (this.#flushing === undefined) this.#flushing = this.#flushLoop()
    while (this.#flushing !== undefined) await this.#flushing
  }

  /** Waits for pending appends, then closes the file. */
  async close(): Promise<void> {
    this.#closed = true
    while (this.#flushing !== undefined) await this.#flushing
    await this.handle.close()
  }
}
