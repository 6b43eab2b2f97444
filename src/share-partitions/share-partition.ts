// The delivery state of one share-partition (KIP-932): which offsets are available, acquired (by whom,
// until when), acknowledged or archived, and how often each was delivered, kept as offset ranges.
import { type Clock, type Timer, assert } from '../core/index.js'
import { ErrorCode } from '../protocol/index.js'
import { OffsetRanges } from './offset-ranges.js'
import type {
  DeadLetterReason,
  DurableDeadLetter,
  DurableRange,
  DurableRecordState,
  DurableSharePartition,
  SharePartitionKey,
  ShareStateRecord,
} from './share-state-record.js'

/** The state of a record in a share-partition, as Kafka names them. */
export type RecordState = 'AVAILABLE' | 'ACQUIRED' | 'ACKNOWLEDGED' | 'ARCHIVED'

/** Acknowledge types on the wire (ShareFetch/ShareAcknowledge `AcknowledgeTypes`). */
export const AcknowledgeType = { GAP: 0, ACCEPT: 1, RELEASE: 2, REJECT: 3, RENEW: 4 } as const

/** One acknowledgement batch: `acknowledgeTypes` has one entry for all offsets, or one per offset. */
export interface AcknowledgementBatch {
  readonly firstOffset: number
  readonly lastOffset: number
  readonly acknowledgeTypes: readonly number[]
}

/** Acquired records handed to a member; both ends inclusive. */
export interface AcquiredRange {
  readonly firstOffset: number
  readonly lastOffset: number
  readonly deliveryCount: number
}

/** A run of records archived together (REJECT or the delivery count limit), owed to the dead-letter topic. */
export type DeadLetter = DurableDeadLetter

/** Writes share-state records to durable storage; the promise resolves once the record is synced. */
export interface ShareStateSink {
  append(record: ShareStateRecord): Promise<void>
}

/** Settings read at each use, so that group-level overrides apply to later acquisitions. */
export interface SharePartitionSettings {
  /** `group.share.record.lock.duration.ms` (or the group's `share.record.lock.duration.ms`). */
  recordLockDurationMs(): number
  /** `group.share.delivery.count.limit`: a record delivered this often is archived when released. */
  deliveryCountLimit(): number
  /** `group.share.partition.max.record.locks`: most offsets in the window [start, end). */
  recordLocksMax(): number
  /**
   * Delayed redelivery (beyond Kafka, decision 0003): how long a record released (RELEASE, lock
   * expiry, member leaving) after `deliveryCount` deliveries stays unavailable; 0 (or absent) means
   * available at once.
   */
  redeliveryDelayMs?(deliveryCount: number): number
  /**
   * Told of records archived by REJECT or at the delivery count limit, once that archiving is synced
   * (dead letters, KIP-1191). Not told of records archived because the log start passed them. The
   * letters are stored with the archiving (owed until the listener records them written), so that a
   * restart can finish them: exactly once. `stored` is false when the group has no dead-letter topic
   * (nothing is owed then; the listener may still count them).
   */
  deadLetters?(key: SharePartitionKey, letters: readonly DeadLetter[], stored: boolean): void
  /** False when the group has no dead-letter topic: then no letter is stored (owed). Default true. */
  deadLettersEnabled?(): boolean
}

/** The value of a run of offsets. Never mutated: updates replace it (ranges share value objects). */
interface RunValue {
  readonly state: RecordState
  readonly deliveryCount: number
  /** Holder while ACQUIRED, otherwise null. */
  readonly memberId: string | null
  /** Clock `nowMs` at which the acquisition lock expires while ACQUIRED, otherwise 0. */
  readonly lockDeadlineMs: number
  /** While AVAILABLE: Clock `nowMs` (wall clock) before which it is not acquired (delayed redelivery); else 0. */
  readonly availableAtMs: number
}

const runEqual = (a: RunValue, b: RunValue): boolean =>
  a.state === b.state &&
  a.deliveryCount === b.deliveryCount &&
  a.memberId === b.memberId &&
  a.lockDeadlineMs === b.lockDeadlineMs &&
  a.availableAtMs === b.availableAtMs

const DELIVERY_COUNT_MAX = 0x7fff

/** The outcome of a ShareFetch's acquisition. `durable` resolves once the acquisition is synced. */
export interface AcquireResult {
  readonly acquired: readonly AcquiredRange[]
  readonly durable: Promise<void>
}

/** The outcome of acknowledging one partition; `errorCode` 0 means every batch was applied. */
export interface AcknowledgeResult {
  readonly errorCode: number
  readonly errorMessage: string | null
  readonly durable: Promise<void>
}

const DONE = Promise.resolve()

/**
 * One share-partition. All methods run on the event loop; lock expiry is a single Clock timer for the
 * earliest deadline. Every change is appended to the sink in the order it happened; callers answer a
 * client only after the returned `durable` promise resolves.
 */
export class SharePartition {
  readonly key: SharePartitionKey
  readonly #clock: Clock
  readonly #settings: SharePartitionSettings
  readonly #sink: ShareStateSink
  #ranges: OffsetRanges<RunValue>
  #lockTimer: Timer | null = null
  #lockTimerDueMs = 0
  #closed = false

  private constructor(
    key: SharePartitionKey,
    clock: Clock,
    settings: SharePartitionSettings,
    sink: ShareStateSink,
    ranges: OffsetRanges<RunValue>,
  ) {
    this.key = key
    this.#clock = clock
    this.#settings = settings
    this.#sink = sink
    this.#ranges = ranges
  }

  /**
   * A new share-partition starting at `startOffset` (resolved from `share.auto.offset.reset`). Its
   * initial state is written to the sink; `durable` resolves once it is synced.
   */
  static create(options: {
    key: SharePartitionKey
    clock: Clock
    settings: SharePartitionSettings
    sink: ShareStateSink
    startOffset: number
  }): { partition: SharePartition; durable: Promise<void> } {
    assert(Number.isSafeInteger(options.startOffset) && options.startOffset >= 0, 'start offset')
    const ranges = new OffsetRanges<RunValue>(options.startOffset, runEqual)
    const partition = new SharePartition(options.key, options.clock, options.settings, options.sink, ranges)
    const durable = partition.#persist(true, [])
    return { partition, durable }
  }

  /**
   * The share-partition as it was stored. Records that were acquired come back AVAILABLE with their
   * delivery count kept, or ARCHIVED if that count reached the limit (as if their lock had expired).
   */
  static restore(options: {
    key: SharePartitionKey
    clock: Clock
    settings: SharePartitionSettings
    sink: ShareStateSink
    durable: DurableSharePartition
  }): SharePartition {
    const stored = options.durable.ranges
    const ranges = new OffsetRanges<RunValue>(stored.startOffset, runEqual)
    const limit = options.settings.deliveryCountLimit()
    const letters: DeadLetter[] = []
    for (const range of stored.ranges()) {
      let state = toRecordState(range.value.state)
      if (state === 'ACQUIRED') state = range.value.deliveryCount >= limit ? 'ARCHIVED' : 'AVAILABLE'
      if (state === 'ARCHIVED' && range.value.state === 'acquired')
        letters.push({
          firstOffset: range.firstOffset,
          lastOffset: range.lastOffset,
          deliveryCount: range.value.deliveryCount,
          reason: 'delivery-count-limit',
        })
      // A delayed record keeps its stored due time; one found acquired is available at once (the
      // broker's crash is not the worker's failure).
      const value: RunValue = {
        state,
        deliveryCount: range.value.deliveryCount,
        memberId: null,
        lockDeadlineMs: 0,
        availableAtMs: state === 'AVAILABLE' ? range.value.availableAtMs : 0,
      }
      ranges.append(range.lastOffset - range.firstOffset + 1, value)
    }
    const partition = new SharePartition(options.key, options.clock, options.settings, options.sink, ranges)
    // Records found acquired at the limit are archived now: stored (with their letters) before told.
    const archived = partition.#durableRangesOver(letters)
    partition.#advanceStartOverDone()
    if (archived.length > 0) {
      const owed = partition.#lettersWanted(letters)
      const durable = partition.#persist(false, archived, owed)
      partition.#deadLetterOnceDurable(durable, letters, owed.length > 0)
      durable.catch(() => {})
    }
    return partition
  }

  /** First offset not yet done (SPSO); every offset below it is acknowledged or archived. */
  get startOffset(): number {
    return this.#ranges.startOffset
  }

  /** Exclusive end of the tracked window: offsets from here on were never delivered. */
  get endOffset(): number {
    return this.#ranges.endOffset
  }

  /** Number of ranges kept (memory is proportional to this, never to the record count). */
  get rangeCount(): number {
    return this.#ranges.rangeCount
  }

  /**
   * Where a fetch should read the log from: the first AVAILABLE offset, or the end of the window when
   * none is (new records); null when the window is full and nothing in it is available.
   */
  nextFetchOffset(): number | null {
    const nowMs = this.#clock.nowMs()
    for (const range of this.#ranges.ranges()) if (isDue(range.value, nowMs)) return range.firstOffset
    if (this.endOffset - this.startOffset >= this.#settings.recordLocksMax()) return null
    return this.endOffset
  }

  /** Number of offsets currently ACQUIRED. */
  get acquiredCount(): number {
    let count = 0
    for (const range of this.#ranges.ranges())
      if (range.value.state === 'ACQUIRED') count += range.lastOffset - range.firstOffset + 1
    return count
  }

  /** The state of one offset (for tests and describe): below start is done, at or past end is new. */
  stateOf(offset: number): { state: RecordState; deliveryCount: number; memberId: string | null } | null {
    const index = this.#ranges.indexOf(offset)
    if (index < 0) return null
    const { state, deliveryCount, memberId } = this.#ranges.ranges()[index].value
    return { state, deliveryCount, memberId }
  }

  /**
   * Acquires up to `maxRecords` offsets for `memberId`: AVAILABLE offsets in the window first (lowest
   * first), then offsets never delivered, below `logEndOffset` (exclusive; the high watermark) and
   * within `recordLocksMax` of the start. Each acquired offset's delivery count goes up by one and it
   * is locked for `recordLockDurationMs`. Only offsets in [readFirstOffset, readEndOffset) are taken:
   * the broker passes the span of the batches it read, so that it can return them.
   */
  acquire(
    memberId: string,
    maxRecords: number,
    logEndOffset: number,
    readEndOffset = logEndOffset,
    readFirstOffset = 0,
  ): AcquireResult {
    assert(!this.#closed, 'acquire on a closed share-partition')
    assert(memberId.length > 0, 'acquire needs a member id')
    if (maxRecords <= 0) return { acquired: [], durable: DONE }
    const nowMs = this.#clock.nowMs()
    const lockDeadlineMs = nowMs + this.#settings.recordLockDurationMs()
    let budget = maxRecords
    const targets: { firstOffset: number; lastOffset: number; deliveryCount: number }[] = []
    for (const range of this.#ranges.ranges()) {
      if (budget === 0 || range.firstOffset >= readEndOffset) break
      if (!isDue(range.value, nowMs) || range.lastOffset < readFirstOffset) continue
      const firstOffset = Math.max(range.firstOffset, readFirstOffset)
      const count = Math.min(budget, Math.min(range.lastOffset, readEndOffset - 1) - firstOffset + 1)
      targets.push({
        firstOffset,
        lastOffset: firstOffset + count - 1,
        deliveryCount: Math.min(range.value.deliveryCount + 1, DELIVERY_COUNT_MAX),
      })
      budget -= count
    }
    for (const target of targets) {
      const value: RunValue = {
        state: 'ACQUIRED',
        deliveryCount: target.deliveryCount,
        memberId,
        lockDeadlineMs,
        availableAtMs: 0,
      }
      this.#ranges.update(target.firstOffset, target.lastOffset, () => value)
    }
    const windowEnd = Math.min(
      logEndOffset,
      readEndOffset,
      this.startOffset + this.#settings.recordLocksMax(),
    )
    if (budget > 0 && this.endOffset < windowEnd && this.endOffset >= readFirstOffset) {
      const count = Math.min(budget, windowEnd - this.endOffset)
      targets.push({ firstOffset: this.endOffset, lastOffset: this.endOffset + count - 1, deliveryCount: 1 })
      this.#ranges.append(count, {
        state: 'ACQUIRED',
        deliveryCount: 1,
        memberId,
        lockDeadlineMs,
        availableAtMs: 0,
      })
    }
    if (targets.length === 0) return { acquired: [], durable: DONE }
    this.#scheduleLockTimer()
    const acquired = mergeAcquired(targets)
    const durable = this.#persist(
      false,
      acquired.map((a) => ({ ...a, state: 'acquired' as const })),
    )
    return { acquired, durable }
  }

  /**
   * Archives what `acquire` just gave `memberId` within `spans` and returns `acquired` without those
   * offsets (read_committed share groups: the batches of aborted transactions, which a share consumer
   * cannot drop itself, as Kafka 4.4 archives them). Delivery counts are kept; no dead letters (nothing
   * was delivered). `spans` are sorted and do not overlap.
   */
  archiveAcquired(
    memberId: string,
    acquired: readonly AcquiredRange[],
    spans: readonly { firstOffset: number; lastOffset: number }[],
  ): AcquireResult {
    assert(!this.#closed, 'archiveAcquired on a closed share-partition')
    // The acquired offsets inside the spans (acquired ranges lie inside the window; spans may not).
    const hit: { firstOffset: number; lastOffset: number }[] = []
    for (const range of acquired) {
      for (const span of spans) {
        const firstOffset = Math.max(range.firstOffset, span.firstOffset)
        const lastOffset = Math.min(range.lastOffset, span.lastOffset)
        if (firstOffset <= lastOffset) hit.push({ firstOffset, lastOffset })
      }
    }
    if (hit.length === 0) return { acquired, durable: DONE }
    hit.sort((x, y) => x.firstOffset - y.firstOffset)
    for (const part of hit) {
      this.#ranges.update(part.firstOffset, part.lastOffset, (value) =>
        value.state === 'ACQUIRED' && value.memberId === memberId
          ? {
              state: 'ARCHIVED',
              deliveryCount: value.deliveryCount,
              memberId: null,
              lockDeadlineMs: 0,
              availableAtMs: 0,
            }
          : value,
      )
    }
    const kept: AcquiredRange[] = []
    for (const range of acquired) {
      let first = range.firstOffset
      for (const part of hit) {
        if (part.lastOffset < first || part.firstOffset > range.lastOffset) continue
        if (part.firstOffset > first)
          kept.push({ ...range, firstOffset: first, lastOffset: part.firstOffset - 1 })
        first = part.lastOffset + 1
      }
      if (first <= range.lastOffset) kept.push({ ...range, firstOffset: first })
    }
    const durableRanges = this.#durableRangesOver(hit)
    this.#advanceStartOverDone()
    this.#scheduleLockTimer()
    return { acquired: kept, durable: this.#persist(false, durableRanges) }
  }

  /**
   * Applies a member's acknowledgements for this partition, all or nothing: a malformed batch or one
   * reaching past the acquired offsets is INVALID_REQUEST; an offset that is not ACQUIRED by this
   * member (lock expired, someone else's, already acknowledged, below the start) is
   * INVALID_RECORD_STATE. `allowRenew` is false before ShareAcknowledge/ShareFetch v2.
   */
  acknowledge(
    memberId: string,
    batches: readonly AcknowledgementBatch[],
    allowRenew = true,
  ): AcknowledgeResult {
    assert(!this.#closed, 'acknowledge on a closed share-partition')
    const invalid = this.#validate(memberId, batches, allowRenew)
    if (invalid !== null) return { ...invalid, durable: DONE }
    const nowMs = this.#clock.nowMs()
    const limit = this.#settings.deliveryCountLimit()
    const renewDeadlineMs = nowMs + this.#settings.recordLockDurationMs()
    const changed: { firstOffset: number; lastOffset: number }[] = []
    const letters: DeadLetter[] = []
    for (const batch of batches) {
      for (const run of typeRuns(batch)) {
        if (run.type === AcknowledgeType.RENEW) {
          this.#ranges.update(run.firstOffset, run.lastOffset, (value) => ({
            ...value,
            lockDeadlineMs: renewDeadlineMs,
          }))
          continue
        }
        this.#ranges.update(run.firstOffset, run.lastOffset, (value) =>
          acknowledged(value, run.type, limit, this.#availableAt(value.deliveryCount, nowMs)),
        )
        changed.push({ firstOffset: run.firstOffset, lastOffset: run.lastOffset })
        const reason = run.type === AcknowledgeType.REJECT ? 'rejected' : 'delivery-count-limit'
        letters.push(...this.#archivedIn([run], reason))
      }
    }
    this.#scheduleLockTimer()
    if (changed.length === 0) return { errorCode: ErrorCode.NONE, errorMessage: null, durable: DONE }
    const durableRanges = this.#durableRangesOver(changed)
    this.#advanceStartOverDone()
    const owed = this.#lettersWanted(letters)
    const durable = this.#persist(false, durableRanges, owed)
    this.#deadLetterOnceDurable(durable, letters, owed.length > 0)
    return { errorCode: ErrorCode.NONE, errorMessage: null, durable }
  }

  /**
   * Releases everything `memberId` holds (its share session closed or it left the group): as RELEASE,
   * so records at the delivery count limit are archived.
   */
  releaseMember(memberId: string): Promise<void> {
    const held: { firstOffset: number; lastOffset: number }[] = []
    for (const range of this.#ranges.ranges())
      if (range.value.state === 'ACQUIRED' && range.value.memberId === memberId)
        held.push({ firstOffset: range.firstOffset, lastOffset: range.lastOffset })
    return this.#releaseRanges(held)
  }

  /**
   * The log start offset moved (retention, DeleteRecords): offsets below it are gone, so they are
   * archived (even if acquired: their acknowledgements will find them done).
   */
  advanceLogStart(logStartOffset: number): Promise<void> {
    if (logStartOffset <= this.startOffset) return DONE
    this.#ranges.advanceStart(logStartOffset)
    this.#advanceStartOverDone()
    return this.#persist(false, [])
  }

  /** Moves the start to `startOffset` forgetting all in-flight state (AlterShareGroupOffsets, empty group). */
  resetTo(startOffset: number): Promise<void> {
    this.#ranges = new OffsetRanges<RunValue>(startOffset, runEqual)
    this.#scheduleLockTimer()
    return this.#persist(true, [])
  }

  /** Stops the lock timer; the partition must not be used afterwards (broker shutdown, group deleted). */
  close(): void {
    this.#closed = true
    this.#lockTimer?.cancel()
    this.#lockTimer = null
  }

  /** Checks internal invariants (tests and simulations call it after each step). */
  checkInvariants(): void {
    this.#ranges.checkInvariants()
    const first = this.#ranges.ranges()[0]
    if (first !== undefined) assert(!isDone(first.value.state), 'the first range is never done')
    for (const range of this.#ranges.ranges()) {
      const value = range.value
      assert((value.state === 'ACQUIRED') === (value.memberId !== null), 'holder set exactly while acquired')
      if (value.state === 'ACQUIRED') assert(value.lockDeadlineMs > 0, 'acquired without a lock deadline')
      if (value.state !== 'AVAILABLE') assert(value.availableAtMs === 0, 'a due time only while available')
    }
  }

  #validate(
    memberId: string,
    batches: readonly AcknowledgementBatch[],
    allowRenew: boolean,
  ): { errorCode: number; errorMessage: string } | null {
    let previousLast = -1
    for (const batch of batches) {
      const { firstOffset, lastOffset, acknowledgeTypes } = batch
      if (!Number.isSafeInteger(firstOffset) || !Number.isSafeInteger(lastOffset) || firstOffset > lastOffset)
        return invalidRequest(`acknowledgement batch [${firstOffset}, ${lastOffset}] is not a range`)
      if (firstOffset <= previousLast)
        return invalidRequest('acknowledgement batches overlap or are out of order')
      previousLast = lastOffset
      const count = lastOffset - firstOffset + 1
      if (acknowledgeTypes.length !== 1 && acknowledgeTypes.length !== count)
        return invalidRequest(
          `acknowledgement batch [${firstOffset}, ${lastOffset}] has ${acknowledgeTypes.length} types`,
        )
      for (const type of acknowledgeTypes) {
        if (type < AcknowledgeType.GAP || type > AcknowledgeType.RENEW || !Number.isInteger(type))
          return invalidRequest(`unknown acknowledge type ${type}`)
        if (type === AcknowledgeType.RENEW && !allowRenew) return invalidRequest('renew needs version 2')
      }
      if (lastOffset >= this.endOffset)
        return invalidRequest(`offset ${lastOffset} is past the acquired records (end ${this.endOffset})`)
      if (firstOffset < this.startOffset)
        return invalidRecordState(`offset ${firstOffset} is below the start offset ${this.startOffset}`)
      let index = this.#ranges.indexOf(firstOffset)
      const ranges = this.#ranges.ranges()
      while (index < ranges.length && ranges[index].firstOffset <= lastOffset) {
        const value = ranges[index].value
        if (value.state !== 'ACQUIRED')
          return invalidRecordState(`offset ${ranges[index].firstOffset} is ${value.state}`)
        if (value.memberId !== memberId)
          return invalidRecordState(
            `offset ${Math.max(firstOffset, ranges[index].firstOffset)} is held by another member`,
          )
        index++
      }
    }
    return null
  }

  #releaseRanges(held: readonly { firstOffset: number; lastOffset: number }[]): Promise<void> {
    if (held.length === 0) return DONE
    const limit = this.#settings.deliveryCountLimit()
    const nowMs = this.#clock.nowMs()
    for (const range of held)
      this.#ranges.update(range.firstOffset, range.lastOffset, (value) =>
        acknowledged(value, AcknowledgeType.RELEASE, limit, this.#availableAt(value.deliveryCount, nowMs)),
      )
    const durableRanges = this.#durableRangesOver(held)
    const letters = this.#archivedIn(held, 'delivery-count-limit')
    this.#advanceStartOverDone()
    this.#scheduleLockTimer()
    const owed = this.#lettersWanted(letters)
    const durable = this.#persist(false, durableRanges, owed)
    this.#deadLetterOnceDurable(durable, letters, owed.length > 0)
    return durable
  }

  /** When a record released now after `deliveryCount` deliveries may be acquired again (0: at once). */
  #availableAt(deliveryCount: number, nowMs: number): number {
    const delayMs = this.#settings.redeliveryDelayMs?.(deliveryCount) ?? 0
    return delayMs > 0 ? nowMs + delayMs : 0
  }

  /** The ARCHIVED runs within `spans` (which were all ACQUIRED before the change: newly archived). */
  #archivedIn(
    spans: readonly { firstOffset: number; lastOffset: number }[],
    reason: DeadLetterReason,
  ): DeadLetter[] {
    const out: DeadLetter[] = []
    for (const range of this.#durableRangesOver(spans))
      if (range.state === 'archived')
        out.push({
          firstOffset: range.firstOffset,
          lastOffset: range.lastOffset,
          deliveryCount: range.deliveryCount,
          reason,
        })
    return out
  }

  /** The letters to store and tell: none without a listener or with dead letters off for the group. */
  #lettersWanted(letters: readonly DeadLetter[]): readonly DeadLetter[] {
    if (letters.length === 0 || this.#settings.deadLetters === undefined) return []
    return (this.#settings.deadLettersEnabled?.() ?? true) ? letters : []
  }

  /** Tells the dead-letter listener after the archiving is synced (never before: no duplicates). */
  #deadLetterOnceDurable(durable: Promise<void>, letters: readonly DeadLetter[], stored: boolean): void {
    const listener = this.#settings.deadLetters
    if (letters.length === 0 || listener === undefined) return
    durable.then(
      () => listener.call(this.#settings, this.key, letters, stored),
      () => {},
    )
  }

  #expireLocks(): void {
    this.#lockTimer = null
    if (this.#closed) return
    const nowMs = this.#clock.nowMs()
    const expired: { firstOffset: number; lastOffset: number }[] = []
    for (const range of this.#ranges.ranges())
      if (range.value.state === 'ACQUIRED' && range.value.lockDeadlineMs <= nowMs)
        expired.push({ firstOffset: range.firstOffset, lastOffset: range.lastOffset })
    // A failed write after a lock expiry loses nothing: a restart makes acquired records available too.
    this.#releaseRanges(expired).catch(() => {})
    this.#scheduleLockTimer()
  }

  /** Keeps one timer, due at the earliest lock deadline. */
  #scheduleLockTimer(): void {
    if (this.#closed) return
    let earliestMs = Number.POSITIVE_INFINITY
    for (const range of this.#ranges.ranges())
      if (range.value.state === 'ACQUIRED' && range.value.lockDeadlineMs < earliestMs)
        earliestMs = range.value.lockDeadlineMs
    if (earliestMs === Number.POSITIVE_INFINITY) {
      this.#lockTimer?.cancel()
      this.#lockTimer = null
      return
    }
    if (this.#lockTimer !== null && this.#lockTimerDueMs <= earliestMs) return
    this.#lockTimer?.cancel()
    this.#lockTimerDueMs = earliestMs
    this.#lockTimer = this.#clock.setTimeout(() => this.#expireLocks(), earliestMs - this.#clock.nowMs())
  }

  /** Moves the start past leading acknowledged/archived ranges (they need no memory any more). */
  #advanceStartOverDone(): void {
    let next = this.startOffset
    for (const range of this.#ranges.ranges()) {
      if (!isDone(range.value.state)) break
      next = range.lastOffset + 1
    }
    this.#ranges.advanceStart(next)
  }

  /** The current stored form of every range overlapping the given spans, clipped to them. */
  #durableRangesOver(spans: readonly { firstOffset: number; lastOffset: number }[]): DurableRange[] {
    const out: DurableRange[] = []
    const ranges = this.#ranges.ranges()
    for (const span of spans) {
      let index = this.#ranges.indexOf(span.firstOffset)
      while (index >= 0 && index < ranges.length && ranges[index].firstOffset <= span.lastOffset) {
        const range = ranges[index]
        out.push({
          firstOffset: Math.max(range.firstOffset, span.firstOffset),
          lastOffset: Math.min(range.lastOffset, span.lastOffset),
          state: toDurableState(range.value.state),
          deliveryCount: range.value.deliveryCount,
          availableAtMs: range.value.availableAtMs,
        })
        index++
      }
    }
    return out
  }

  #persist(replace: boolean, ranges: DurableRange[], deadLetters: readonly DeadLetter[] = []): Promise<void> {
    return this.#sink.append({
      type: 'share-state',
      key: this.key,
      replace,
      startOffset: this.startOffset,
      ranges,
      ...(deadLetters.length > 0 ? { deadLetters } : {}),
    })
  }
}

/** AVAILABLE and not held back by a redelivery delay. */
function isDue(value: RunValue, nowMs: number): boolean {
  return value.state === 'AVAILABLE' && value.availableAtMs <= nowMs
}

function isDone(state: RecordState): boolean {
  return state === 'ACKNOWLEDGED' || state === 'ARCHIVED'
}

/**
 * The value after an acknowledgement (not RENEW) of an ACQUIRED run; a released record is available
 * from `availableAtMs` on (0: at once).
 */
function acknowledged(
  value: RunValue,
  type: number,
  deliveryCountLimit: number,
  availableAtMs: number,
): RunValue {
  const deliveryCount = value.deliveryCount
  switch (type) {
    case AcknowledgeType.ACCEPT:
      return { state: 'ACKNOWLEDGED', deliveryCount, memberId: null, lockDeadlineMs: 0, availableAtMs: 0 }
    case AcknowledgeType.RELEASE: {
      if (deliveryCount >= deliveryCountLimit)
        return { state: 'ARCHIVED', deliveryCount, memberId: null, lockDeadlineMs: 0, availableAtMs: 0 }
      return { state: 'AVAILABLE', deliveryCount, memberId: null, lockDeadlineMs: 0, availableAtMs }
    }
    default:
      // GAP (offsets with no record: compacted away, transaction markers) and REJECT.
      return { state: 'ARCHIVED', deliveryCount, memberId: null, lockDeadlineMs: 0, availableAtMs: 0 }
  }
}

/** Splits a batch into runs of equal acknowledge type. */
function typeRuns(batch: AcknowledgementBatch): { firstOffset: number; lastOffset: number; type: number }[] {
  if (batch.acknowledgeTypes.length === 1)
    return [{ firstOffset: batch.firstOffset, lastOffset: batch.lastOffset, type: batch.acknowledgeTypes[0] }]
  const runs: { firstOffset: number; lastOffset: number; type: number }[] = []
  batch.acknowledgeTypes.forEach((type, i) => {
    const offset = batch.firstOffset + i
    const last = runs.at(-1)
    if (last !== undefined && last.type === type) last.lastOffset = offset
    else runs.push({ firstOffset: offset, lastOffset: offset, type })
  })
  return runs
}

function mergeAcquired(targets: readonly AcquiredRange[]): AcquiredRange[] {
  const out: AcquiredRange[] = []
  for (const target of [...targets].sort((a, b) => a.firstOffset - b.firstOffset)) {
    const last = out.at(-1)
    if (
      last !== undefined &&
      last.lastOffset + 1 === target.firstOffset &&
      last.deliveryCount === target.deliveryCount
    )
      out[out.length - 1] = { ...last, lastOffset: target.lastOffset }
    else out.push({ ...target })
  }
  return out
}

function toDurableState(state: RecordState): DurableRecordState {
  switch (state) {
    case 'AVAILABLE':
      return 'available'
    case 'ACQUIRED':
      return 'acquired'
    case 'ACKNOWLEDGED':
      return 'acknowledged'
    default:
      return 'archived'
  }
}

function toRecordState(state: DurableRecordState): RecordState {
  switch (state) {
    case 'available':
      return 'AVAILABLE'
    case 'acquired':
      return 'ACQUIRED'
    case 'acknowledged':
      return 'ACKNOWLEDGED'
    default:
      return 'ARCHIVED'
  }
}

function invalidRequest(errorMessage: string): { errorCode: number; errorMessage: string } {
  return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage }
}

function invalidRecordState(errorMessage: string): { errorCode: number; errorMessage: string } {
  return { errorCode: ErrorCode.INVALID_RECORD_STATE, errorMessage }
}
