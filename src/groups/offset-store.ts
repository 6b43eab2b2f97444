// Committed offsets of every group, in memory, with their bounds: offsets per group and per broker. The
// coordinator decides who may commit and makes changes durable; this only holds the numbers. Share groups
// keep their acknowledged offsets in the same way.
import type { StoredOffset } from './group-log.js'

/** Offsets of one group by topic name, then partition index. */
export type GroupOffsets = Map<string, Map<number, StoredOffset>>

/** Bounds of the store; commits that would add offsets beyond them are refused. */
export interface OffsetStoreLimits {
  /** Committed offsets one group may hold (partitions with an offset). */
  readonly groupOffsetsMax: number
  /** Committed offsets all groups together may hold. */
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

/** Offsets by group, counted so the limits cost nothing to check. */
export class OffsetStore {
  readonly #byGroup = new Map<string, GroupOffsets>()
  readonly #countByGroup = new Map<string, number>()
  #count = 0

  constructor(readonly limits: OffsetStoreLimits = DEFAULT_OFFSET_STORE_LIMITS) {}

  /** Committed offsets held by every group. */
  get count(): number {
    return this.#count
  }

  /** Committed offsets held by `groupId`. */
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

  /** Removes every offset of `groupId`. */
  deleteGroup(groupId: string): void {
    this.#count -= this.countOf(groupId)
    this.#countByGroup.delete(groupId)
    this.#byGroup.delete(groupId)
  }

  #add(groupId: string, delta: number): void {
    this.#count += delta
    const n = this.countOf(groupId) + delta
    if (n === 0) this.#countByGroup.delete(groupId)
    else this.#countByGroup.set(groupId, n)
  }
}
