// The durable form of share-partition state: records written to a state log (one per change, synced
// before the change is answered) and the fold that rebuilds a partition's state from them at start-up.
import { OffsetRanges } from './offset-ranges.js'

/** Where a share-partition is: its group, topic (id as a 32-digit hex or UUID string) and partition. */
export interface SharePartitionKey {
  readonly groupId: string
  readonly topicId: string
  readonly partition: number
}

/** The state of a record as stored. `acquired` comes back as available (or archived) after a restart. */
export type DurableRecordState = 'available' | 'acquired' | 'acknowledged' | 'archived'

/** A run of offsets with one stored state; both ends inclusive. */
export interface DurableRange {
  readonly firstOffset: number
  readonly lastOffset: number
  readonly state: DurableRecordState
  readonly deliveryCount: number
  /** Delayed redelivery: an available record is not acquired before this wall-clock time (0: at once). */
  readonly availableAtMs?: number
}

/** Why a record was archived: a REJECT, or its delivery count reached the limit. */
export type DeadLetterReason = 'rejected' | 'delivery-count-limit'

/** Where a dead letter is being written: set before its append, so that a retry finds what got there. */
export interface DeadLetterTarget {
  readonly topic: string
  readonly partition: number
  /** The dead-letter partition's log end before the append: a retry looks for the letter from here on. */
  readonly fromOffset: number
}

/**
 * A run of archived records owed to the dead-letter topic, stored with the archiving itself (the same
 * record) and kept until the letter is written: exactly once across crashes. Identified, per partition,
 * by its first offset.
 */
export interface DurableDeadLetter {
  readonly firstOffset: number
  readonly lastOffset: number
  readonly deliveryCount: number
  readonly reason: DeadLetterReason
  /** Set once the writer chose where it goes (it may have been appended, wholly or partly). */
  readonly target?: DeadLetterTarget
}

/**
 * One change to one share-partition. `share-state` moves the start offset (everything below is done) and
 * sets the listed ranges; with `replace` it first forgets every range (initialization, snapshots, offset
 * resets). `share-delete` forgets the partition (DeleteGroups, DeleteShareGroupOffsets). Dead letters:
 * `deadLetters` on a `share-state` record are owed by the archiving it stores; `share-dead-letter` records
 * where the letter starting at `firstOffset` is being written (`target`), or with a null target that it
 * is written (or dropped) and no longer owed. Replaying a record over a state that already has it changes
 * nothing.
 */
export type ShareStateRecord =
  | {
      readonly type: 'share-state'
      readonly key: SharePartitionKey
      readonly replace: boolean
      readonly startOffset: number
      readonly ranges: readonly DurableRange[]
      readonly deadLetters?: readonly DurableDeadLetter[]
    }
  | { readonly type: 'share-delete'; readonly key: SharePartitionKey }
  | {
      readonly type: 'share-dead-letter'
      readonly key: SharePartitionKey
      readonly firstOffset: number
      readonly target: DeadLetterTarget | null
    }

/** The stored value of a run of offsets. */
export interface DurableValue {
  readonly state: DurableRecordState
  readonly deliveryCount: number
  /** Wall-clock time an available record may be acquired again (0: at once). */
  readonly availableAtMs: number
}

const durableEqual = (a: DurableValue, b: DurableValue): boolean =>
  a.state === b.state && a.deliveryCount === b.deliveryCount && a.availableAtMs === b.availableAtMs

const NEVER_DELIVERED: DurableValue = { state: 'available', deliveryCount: 0, availableAtMs: 0 }

/** A share-partition as rebuilt from its records: start offset plus the ranges above it. */
export class DurableSharePartition {
  #ranges: OffsetRanges<DurableValue>
  /** Dead letters owed, by first offset (they outlive the ranges: the start moves past archived records). */
  readonly #deadLetters = new Map<number, DurableDeadLetter>()

  constructor(startOffset: number) {
    this.#ranges = new OffsetRanges(startOffset, durableEqual)
  }

  /** The stored ranges over [startOffset, endOffset). */
  get ranges(): OffsetRanges<DurableValue> {
    return this.#ranges
  }

  /** Dead letters owed (archived, not yet known to be in the dead-letter topic), in offset order. */
  get deadLetters(): DurableDeadLetter[] {
    return [...this.#deadLetters.values()].sort((a, b) => a.firstOffset - b.firstOffset)
  }

  /** Applies a `share-state` record (the caller routes records by key). */
  apply(record: Extract<ShareStateRecord, { type: 'share-state' }>): void {
    if (record.replace) this.#ranges = new OffsetRanges(record.startOffset, durableEqual)
    this.#ranges.advanceStart(record.startOffset)
    for (const range of record.ranges) this.#set(range)
    // A letter already owed keeps what is known of its target (a snapshot replayed under later records).
    for (const letter of record.deadLetters ?? [])
      if (!this.#deadLetters.has(letter.firstOffset) || letter.target !== undefined)
        this.#deadLetters.set(letter.firstOffset, letter)
  }

  /** Applies a `share-dead-letter` record: the letter's target, or (null) that it is no longer owed. */
  applyDeadLetter(firstOffset: number, target: DeadLetterTarget | null): void {
    if (target === null) {
      this.#deadLetters.delete(firstOffset)
      return
    }
    const letter = this.#deadLetters.get(firstOffset)
    if (letter !== undefined) this.#deadLetters.set(firstOffset, { ...letter, target })
  }

  #set(range: DurableRange): void {
    const ranges = this.#ranges
    const firstOffset = Math.max(range.firstOffset, ranges.startOffset)
    if (firstOffset > range.lastOffset) return
    const value: DurableValue = {
      state: range.state,
      deliveryCount: range.deliveryCount,
      availableAtMs: range.state === 'available' ? (range.availableAtMs ?? 0) : 0,
    }
    if (firstOffset > ranges.endOffset) ranges.append(firstOffset - ranges.endOffset, NEVER_DELIVERED)
    const endOfOverlap = Math.min(range.lastOffset, ranges.endOffset - 1)
    if (firstOffset <= endOfOverlap) ranges.update(firstOffset, endOfOverlap, () => value)
    if (range.lastOffset >= ranges.endOffset) ranges.append(range.lastOffset - ranges.endOffset + 1, value)
  }

  /** The whole state as one replacing record (for snapshots). */
  toRecord(key: SharePartitionKey): ShareStateRecord {
    return {
      type: 'share-state',
      key,
      replace: true,
      startOffset: this.#ranges.startOffset,
      ranges: this.#ranges.ranges().map((r) => ({
        firstOffset: r.firstOffset,
        lastOffset: r.lastOffset,
        state: r.value.state,
        deliveryCount: r.value.deliveryCount,
        availableAtMs: r.value.availableAtMs,
      })),
      deadLetters: this.deadLetters,
    }
  }
}

/** A stable string for a key, for maps. */
export function sharePartitionKeyString(key: SharePartitionKey): string {
  return `${key.groupId}\u0000${key.topicId}\u0000${key.partition}`
}

/** Folds records (in log order) into the durable state of every share-partition, by key string. */
export class ShareStateReplay {
  readonly partitions = new Map<string, { key: SharePartitionKey; state: DurableSharePartition }>()

  apply(record: ShareStateRecord): void {
    const id = sharePartitionKeyString(record.key)
    if (record.type === 'share-delete') {
      this.partitions.delete(id)
      return
    }
    if (record.type === 'share-dead-letter') {
      this.partitions.get(id)?.state.applyDeadLetter(record.firstOffset, record.target)
      return
    }
    let entry = this.partitions.get(id)
    if (entry === undefined) {
      entry = { key: record.key, state: new DurableSharePartition(record.startOffset) }
      this.partitions.set(id, entry)
    }
    entry.state.apply(record)
  }

  /** Every partition as one replacing record each: what a snapshot holds. */
  snapshot(): ShareStateRecord[] {
    return [...this.partitions.values()].map((entry) => entry.state.toRecord(entry.key))
  }
}
