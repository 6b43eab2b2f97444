// Share-partition state on disk: ShareStateRecords kept in the broker's StateLog (storage/), one keyed
// record per change, and a mirror of the stored state that snapshots are taken from and restarts read.
import type { FileSystem, Logger } from '../core/index.js'
import { StateLog, type StateRecord } from '../storage/index.js'
import type { ShareStateSink } from './share-partition.js'
import {
  type DeadLetterReason,
  type DurableDeadLetter,
  type DurableRange,
  type DurableRecordState,
  type DurableSharePartition,
  type SharePartitionKey,
  type ShareStateRecord,
  ShareStateReplay,
  sharePartitionKeyString,
} from './share-state-record.js'

/** Directory of the share state log under the broker's data directory. */
export const SHARE_STATE_DIR = 'share-state'
/** StateRecord type of share-partition records. */
export const SHARE_STATE_RECORD_TYPE = 'share-partition'
/** StateRecord type of a dead letter's progress (key: group, topic id, partition, first offset). */
export const SHARE_DEAD_LETTER_RECORD_TYPE = 'share-dead-letter'
/** StateRecord type of a share group's config overrides (key: group id; value: name -> value, or null). */
export const SHARE_GROUP_CONFIG_RECORD_TYPE = 'share-group-config'

const STATE_CODES: readonly DurableRecordState[] = ['available', 'acquired', 'acknowledged', 'archived']
const REASON_CODES: readonly DeadLetterReason[] = ['rejected', 'delivery-count-limit']

/** A stored dead letter: [first, last, delivery count, reason code], plus [topic, partition, from offset]. */
type StoredDeadLetter =
  | [number, number, number, number]
  | [number, number, number, number, string, number, number]

/**
 * Stored value: start offset, replace flag, ranges as [first, last, state code, delivery count], with a
 * fifth element, the wall-clock time it may be acquired again, only on a delayed available range.
 */
interface StoredValue {
  s: number
  r: 0 | 1
  g: ([number, number, number, number] | [number, number, number, number, number])[]
  /** Dead letters owed (absent when none). */
  d?: StoredDeadLetter[]
}

function toStoredDeadLetter(letter: DurableDeadLetter): StoredDeadLetter {
  const entry: [number, number, number, number] = [
    letter.firstOffset,
    letter.lastOffset,
    letter.deliveryCount,
    REASON_CODES.indexOf(letter.reason),
  ]
  const target = letter.target
  return target === undefined ? entry : [...entry, target.topic, target.partition, target.fromOffset]
}

function fromStoredDeadLetter(entry: unknown): DurableDeadLetter | undefined {
  if (!Array.isArray(entry) || (entry.length !== 4 && entry.length !== 7)) return undefined
  const [firstOffset, lastOffset, deliveryCount, code, topic, partition, fromOffset] = entry
  const reason = REASON_CODES[code]
  if (![firstOffset, lastOffset, deliveryCount].every(Number.isSafeInteger) || reason === undefined)
    return undefined
  if (firstOffset > lastOffset) return undefined
  const letter: DurableDeadLetter = { firstOffset, lastOffset, deliveryCount, reason }
  if (entry.length === 4) return letter
  if (typeof topic !== 'string' || !Number.isSafeInteger(partition) || !Number.isSafeInteger(fromOffset))
    return undefined
  return { ...letter, target: { topic, partition, fromOffset } }
}

/** The StateLog form of a record (keyed by group, topic id and partition; null value deletes). */
export function toStateRecord(record: ShareStateRecord): StateRecord {
  if (record.type === 'share-dead-letter') {
    const { groupId, topicId, partition } = record.key
    const target = record.target
    return {
      type: SHARE_DEAD_LETTER_RECORD_TYPE,
      key: JSON.stringify([groupId, topicId, partition, record.firstOffset]),
      value: target === null ? null : { t: target.topic, p: target.partition, o: target.fromOffset },
    }
  }
  const key = JSON.stringify([record.key.groupId, record.key.topicId, record.key.partition])
  if (record.type === 'share-delete') return { type: SHARE_STATE_RECORD_TYPE, key, value: null }
  const value: StoredValue = {
    s: record.startOffset,
    r: record.replace ? 1 : 0,
    g: record.ranges.map((r) => {
      const entry: [number, number, number, number] = [
        r.firstOffset,
        r.lastOffset,
        STATE_CODES.indexOf(r.state),
        r.deliveryCount,
      ]
      return r.availableAtMs !== undefined && r.availableAtMs > 0 ? [...entry, r.availableAtMs] : entry
    }),
  }
  if (record.deadLetters !== undefined && record.deadLetters.length > 0)
    value.d = record.deadLetters.map(toStoredDeadLetter)
  return { type: SHARE_STATE_RECORD_TYPE, key, value }
}

/** Parses a stored record; undefined when it is not a well-formed share-partition record. */
export function fromStateRecord(record: StateRecord): ShareStateRecord | undefined {
  if (record.type === SHARE_DEAD_LETTER_RECORD_TYPE) return fromDeadLetterRecord(record)
  if (record.type !== SHARE_STATE_RECORD_TYPE) return undefined
  let parsed: unknown
  try {
    parsed = JSON.parse(record.key)
  } catch {
    return undefined
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) return undefined
  const [groupId, topicId, partition] = parsed
  if (typeof groupId !== 'string' || typeof topicId !== 'string' || !Number.isSafeInteger(partition))
    return undefined
  const key: SharePartitionKey = { groupId, topicId, partition }
  if (record.value === null) return { type: 'share-delete', key }
  const value = record.value as Partial<StoredValue>
  if (!Number.isSafeInteger(value.s) || !Array.isArray(value.g)) return undefined
  const ranges: DurableRange[] = []
  for (const entry of value.g) {
    if (!Array.isArray(entry) || entry.length < 4 || entry.length > 5 || !entry.every(Number.isSafeInteger))
      return undefined
    const [firstOffset, lastOffset, code, deliveryCount, availableAtMs = 0] = entry
    const state = STATE_CODES[code]
    if (state === undefined || firstOffset > lastOffset) return undefined
    ranges.push(
      availableAtMs > 0
        ? { firstOffset, lastOffset, state, deliveryCount, availableAtMs }
        : { firstOffset, lastOffset, state, deliveryCount },
    )
  }
  const deadLetters: DurableDeadLetter[] = []
  if (value.d !== undefined) {
    if (!Array.isArray(value.d)) return undefined
    for (const entry of value.d) {
      const letter = fromStoredDeadLetter(entry)
      if (letter === undefined) return undefined
      deadLetters.push(letter)
    }
  }
  const replace = value.r === 1
  const startOffset = value.s as number
  return deadLetters.length > 0
    ? { type: 'share-state', key, replace, startOffset, ranges, deadLetters }
    : { type: 'share-state', key, replace, startOffset, ranges }
}

function fromDeadLetterRecord(record: StateRecord): ShareStateRecord | undefined {
  let parsed: unknown
  try {
    parsed = JSON.parse(record.key)
  } catch {
    return undefined
  }
  if (!Array.isArray(parsed) || parsed.length !== 4) return undefined
  const [groupId, topicId, partition, firstOffset] = parsed
  if (
    typeof groupId !== 'string' ||
    typeof topicId !== 'string' ||
    !Number.isSafeInteger(partition) ||
    !Number.isSafeInteger(firstOffset)
  )
    return undefined
  const key: SharePartitionKey = { groupId, topicId, partition }
  if (record.value === null) return { type: 'share-dead-letter', key, firstOffset, target: null }
  const value = record.value as { t?: unknown; p?: unknown; o?: unknown }
  if (typeof value.t !== 'string' || !Number.isSafeInteger(value.p) || !Number.isSafeInteger(value.o))
    return undefined
  const target = { topic: value.t, partition: value.p as number, fromOffset: value.o as number }
  return { type: 'share-dead-letter', key, firstOffset, target }
}

/**
 * Durable share-partition state over a StateLog. `append` resolves when the StateLog has synced the
 * record; `stored` reads the state replayed at open plus every append synced since.
 */
export class ShareStateStore implements ShareStateSink {
  readonly #log: StateLog
  readonly #mirror: ShareStateReplay
  readonly #groupConfigs: Map<string, ReadonlyMap<string, string>>

  private constructor(
    log: StateLog,
    mirror: ShareStateReplay,
    groupConfigs: Map<string, ReadonlyMap<string, string>>,
  ) {
    this.#log = log
    this.#mirror = mirror
    this.#groupConfigs = groupConfigs
  }

  /** Opens (creating) the log in `dir`, replaying what it holds. */
  static async open(options: {
    fs: FileSystem
    dir: string
    logger: Logger
    snapshotAfterBytes?: number
  }): Promise<ShareStateStore> {
    const mirror = new ShareStateReplay()
    const groupConfigs = new Map<string, ReadonlyMap<string, string>>()
    const { log } = await StateLog.open({
      fs: options.fs,
      dir: options.dir,
      logger: options.logger,
      snapshotAfterBytes: options.snapshotAfterBytes,
      replay: (stored) => {
        if (stored.type === SHARE_GROUP_CONFIG_RECORD_TYPE) {
          const configs = groupConfigsOf(stored.value)
          if (configs === null) groupConfigs.delete(stored.key)
          else groupConfigs.set(stored.key, configs)
          return
        }
        const record = fromStateRecord(stored)
        if (record === undefined)
          options.logger.warn('share state: skipping a malformed record', {
            type: stored.type,
            key: stored.key,
          })
        else mirror.apply(record)
      },
      // Records are absolute (ranges set to values, a start that only moves up, or a replace), so the
      // log re-applying its unacknowledged appends after these is harmless.
      snapshot: () => [
        ...mirror.snapshot().map(toStateRecord),
        ...[...groupConfigs].map(([groupId, configs]) => groupConfigRecord(groupId, configs)),
      ],
    })
    return new ShareStateStore(log, mirror, groupConfigs)
  }

  append(record: ShareStateRecord): Promise<void> {
    // The mirror takes a record once it is durable, so a snapshot never holds a refused append; the log
    // adds appends still in flight after the snapshot's records itself.
    return this.#log.append([toStateRecord(record)]).then(() => this.#mirror.apply(record))
  }

  /** The stored state of one share-partition, or undefined when it has none. */
  stored(key: SharePartitionKey): DurableSharePartition | undefined {
    return this.#mirror.partitions.get(sharePartitionKeyString(key))?.state
  }

  /** A share group's stored config overrides (empty when none). */
  groupConfigs(groupId: string): ReadonlyMap<string, string> {
    return this.#groupConfigs.get(groupId) ?? new Map()
  }

  /** Ids of the groups that have config overrides. */
  configuredGroupIds(): string[] {
    return [...this.#groupConfigs.keys()]
  }

  /**
   * Replaces a share group's config overrides (an empty map removes them); resolves once synced. The
   * new values apply at once, as the answer to IncrementalAlterConfigs waits for the sync.
   */
  setGroupConfigs(groupId: string, configs: ReadonlyMap<string, string>): Promise<void> {
    if (configs.size === 0) this.#groupConfigs.delete(groupId)
    else this.#groupConfigs.set(groupId, new Map(configs))
    return this.#log.append([groupConfigRecord(groupId, configs.size === 0 ? null : configs)])
  }

  /** Every stored share-partition with dead letters owed (to resume after a restart). */
  owedDeadLetters(): { key: SharePartitionKey; letters: DurableDeadLetter[] }[] {
    const out: { key: SharePartitionKey; letters: DurableDeadLetter[] }[] = []
    for (const entry of this.#mirror.partitions.values()) {
      const letters = entry.state.deadLetters
      if (letters.length > 0) out.push({ key: entry.key, letters })
    }
    return out
  }

  /** Keys of every stored share-partition. */
  keys(): SharePartitionKey[] {
    return [...this.#mirror.partitions.values()].map((entry) => entry.key)
  }

  /** Writes a snapshot now (tests; the log also snapshots on its own after enough bytes). */
  snapshotNow(): Promise<void> {
    return this.#log.snapshotNow()
  }

  close(): Promise<void> {
    return this.#log.close()
  }
}

function groupConfigRecord(groupId: string, configs: ReadonlyMap<string, string> | null): StateRecord {
  return {
    type: SHARE_GROUP_CONFIG_RECORD_TYPE,
    key: groupId,
    value: configs === null ? null : Object.fromEntries(configs),
  }
}

function groupConfigsOf(value: unknown): Map<string, string> | null {
  if (value === null || typeof value !== 'object') return null
  const configs = new Map<string, string>()
  for (const [name, text] of Object.entries(value as Record<string, unknown>))
    if (typeof text === 'string') configs.set(name, text)
  return configs
}
