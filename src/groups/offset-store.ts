// Committed offsets of every group, in memory, with their bounds: offsets per group and per broker, the
// pending offsets of open transactions counted with them. The coordinator decides who may commit and makes
// changes durable; this only holds the numbers. Share groups keep their acknowledged offsets the same way.
import type { PendingOffset, StoredOffset } from './group-log.js'

/** Offsets of one group by topic name, then partition index. */
export type GroupOffsets = Map<string, Map<number, StoredOffset>>

/** Pending offsets of one transaction (one producer id) in one group, by topic, then partition. */
export type PendingOffsets = Map<string, Map<number, PendingOffset>>

/** Bounds of the store; commits that would add offsets beyond them are refused. */
export interface OffsetStoreLimits {
  /** Offsets one group may hold: partitions with a committed offset, plus pending transactional ones. */
  readonly groupOffsetsMax: number
  /** Offsets all groups together may hold, committed and pending. */
  readonly offsetsMax: number
}

/** Brook's defaults: a group of 100,000 partitions, a broker of 1,000,000 committed offsets. */
export const DEFAULT_OFFSET_STORE_LIMITS: OffsetStoreLimits = {
  groupOffsetsMax: 100_000,
  offsetsMax: 1_000_000,
}

/** True when every number of a stored offset is one the wire codec writes exactly. */
export function isStorableOffset(stored: StoredOffset): boolean {
  return (
    Number.isSafeInteger(stored.offset) &&
    Number.isInteger(stored.leaderEpoch) &&
    stored.leaderEpoch >= -(2 ** 31) &&
    stored.leaderEpoch < 2 ** 31 &&
    Number.isSafeInteger(stored.commitTimestampMs) &&
    typeof stored.metadata === 'string'
  )
}

/**
 * Offsets by group, counted so the limits cost nothing to check. Each group also holds the offsets open
 * transactions stored (TxnOffsetCommit), by producer id, until the transaction ends; every such offset
 * counts against the limits like a committed one.
 */
export class OffsetStore {
  readonly #byGroup = new Map<string, GroupOffsets>()
  readonly #pendingByGroup = new Map<string, Map<number, PendingOffsets>>()
  readonly #countByGroup = new Map<string, number>()
  #count = 0

  constructor(readonly limits: OffsetStoreLimits = DEFAULT_OFFSET_STORE_LIMITS) {}

  /** Offsets (committed and pending) held by every group. */
  get count(): number {
    return this.#count
  }

  /** Offsets (committed and pending) held by `groupId`. */
  countOf(groupId: string): number {
    return this.#countByGroup.get(groupId) ?? 0
  }

  /** The offsets of `groupId` (empty when it has none); callers read them and must not change them. */
  offsetsOf(groupId: string): GroupOffsets {
    return this.#byGroup.get(groupId) ?? new Map()
  }

  get(groupId: string, topic: string, partition: number): StoredOffset | undefined {
    return this.#byGroup.get(groupId)?.get(topic)?.get(partition)
  }

  /** True when storing an offset for this partition stays within both limits (replacing always does). */
  fits(groupId: string, topic: string, partition: number): boolean {
    if (this.get(groupId, topic, partition) !== undefined) return true
    return this.#count < this.limits.offsetsMax && this.countOf(groupId) < this.limits.groupOffsetsMax
  }

  /** Stores an offset, ignoring the limits (the caller checked `fits`, or is replaying durable state). */
  set(groupId: string, topic: string, partition: number, stored: StoredOffset): void {
    let topics = this.#byGroup.get(groupId)
    if (topics === undefined) this.#byGroup.set(groupId, (topics = new Map()))
    let partitions = topics.get(topic)
    if (partitions === undefined) topics.set(topic, (partitions = new Map()))
    if (!partitions.has(partition)) this.#add(groupId, 1)
    partitions.set(partition, stored)
  }

  /** Removes one offset; true when there was one. */
  delete(groupId: string, topic: string, partition: number): boolean {
    const topics = this.#byGroup.get(groupId)
    const partitions = topics?.get(topic)
    if (topics === undefined || partitions === undefined || !partitions.delete(partition)) return false
    if (partitions.size === 0) topics.delete(topic)
    if (topics.size === 0) this.#byGroup.delete(groupId)
    this.#add(groupId, -1)
    return true
  }

  /** Removes every offset of `groupId`, pending ones included. */
  deleteGroup(groupId: string): void {
    this.#count -= this.countOf(groupId)
    this.#countByGroup.delete(groupId)
    this.#byGroup.delete(groupId)
    this.#pendingByGroup.delete(groupId)
  }

  // ---- pending transactional offsets ----

  /** The pending offsets of `groupId` by producer id; callers read them and must not change them. */
  pendingOf(groupId: string): ReadonlyMap<number, PendingOffsets> {
    return this.#pendingByGroup.get(groupId) ?? new Map()
  }

  /** True when some open transaction holds an offset for this partition of the group. */
  hasPending(groupId: string, topic: string, partition: number): boolean {
    for (const offsets of this.#pendingByGroup.get(groupId)?.values() ?? []) {
      if (offsets.get(topic)?.has(partition)) return true
    }
    return false
  }

  /** True when storing a pending offset for this partition stays within both limits. */
  fitsPending(groupId: string, producerId: number, topic: string, partition: number): boolean {
    if (this.#pendingByGroup.get(groupId)?.get(producerId)?.get(topic)?.has(partition)) return true
    return this.#count < this.limits.offsetsMax && this.countOf(groupId) < this.limits.groupOffsetsMax
  }

  /** Stores (or replaces) a pending offset, ignoring the limits (the caller checked `fitsPending`). */
  setPending(
    groupId: string,
    producerId: number,
    topic: string,
    partition: number,
    stored: PendingOffset,
  ): void {
    let producers = this.#pendingByGroup.get(groupId)
    if (producers === undefined) this.#pendingByGroup.set(groupId, (producers = new Map()))
    let topics = producers.get(producerId)
    if (topics === undefined) producers.set(producerId, (topics = new Map()))
    let partitions = topics.get(topic)
    if (partitions === undefined) topics.set(topic, (partitions = new Map()))
    if (!partitions.has(partition)) this.#add(groupId, 1)
    partitions.set(partition, stored)
  }

  /** Removes and returns the pending offsets of one producer in one group (undefined: none). */
  takePending(groupId: string, producerId: number): PendingOffsets | undefined {
    const producers = this.#pendingByGroup.get(groupId)
    const offsets = producers?.get(producerId)
    if (producers === undefined || offsets === undefined) return undefined
    producers.delete(producerId)
    if (producers.size === 0) this.#pendingByGroup.delete(groupId)
    let n = 0
    for (const partitions of offsets.values()) n += partitions.size
    this.#add(groupId, -n)
    return offsets
  }

  #add(groupId: string, delta: number): void {
    this.#count += delta
    const n = this.countOf(groupId) + delta
    if (n === 0) this.#countByGroup.delete(groupId)
    else this.#countByGroup.set(groupId, n)
  }
}
