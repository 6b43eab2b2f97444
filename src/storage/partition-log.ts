// The log of one partition, a facade over three parts: recovery at open (log-recovery.ts), the in-memory
// tail of recent batches (log-tail.ts) and the write pipeline with group commit (write-pipeline.ts).
// Offsets are assigned synchronously at append; idempotent producers are checked and recorded in the
// same call. Fetches see only what has reached the OS (or, with fetchFsyncedOnly, what is fsynced).
import {
  AssertionError,
  type Clock,
  ClosedError,
  CorruptDataError,
  type FileSystem,
  InvalidRecordError,
  type Logger,
  OffsetOutOfRangeError,
  silentLogger,
  type Timer,
} from '../core/index.js'
import {
  Attributes,
  BATCH_HEADER_BYTES,
  BatchOffsets,
  batchSizeAt,
  buildControlBatch,
  ControlRecordType,
  crc32c,
  readInt64,
  setBaseOffset,
} from '../record-batch/index.js'
import {
  commitCleanerSwap,
  DELETED_SUFFIX,
  finishCleanerSwap,
  writeCleanerCheckpoint,
} from './cleaner-swap.js'
import { FilePool } from './file-pool.js'
import { CleanAbortedError, type CompactionResult, compactSegments } from './log-compaction.js'
import { type LogConfig, resolveLogConfig } from './log-config.js'
import { dropSegmentFiles, LogFiles, recoverLog } from './log-recovery.js'
import { LogSegment, scanBatches } from './log-segment.js'
import { OFFSET_INDEX_ENTRY_BYTES, TIME_INDEX_ENTRY_BYTES } from './segment-index.js'
import { LogTail } from './log-tail.js'
import { lastSequenceOf, type OngoingTxn, type ProducerStateTable } from './producer-state.js'
import type { TailBudget, TailOwner } from './tail-budget.js'
import type { AbortedTxnIndex, AbortedTxnRange } from './txn-index.js'
import { WritePipeline } from './write-pipeline.js'

export { LogFiles } from './log-recovery.js'

/** One batch to append: its bytes (kept, not copied; baseOffset is rewritten in place) and facts about it. */
export interface AppendBatch {
  batch: Buffer
  recordsCount: number
  /** The batch's maxTimestamp in epoch ms (after any LogAppendTime rewrite). */
  maxTimestamp: number
}

/**
 * Outcome of an append; offsets inclusive. `appended`: the batches got `baseOffset..lastOffset`.
 * `duplicate`: an idempotent producer's retry of a batch still remembered, which got those offsets the
 * first time; nothing was appended. `outOfOrder` / `invalidEpoch`: refused, offsets are -1.
 * `coordinatorFenced`: a marker whose coordinator epoch is older than the producer's last marker's (#12).
 * `invalidTxnState`: a non-transactional batch of a producer whose transaction is open on this partition
 * (Kafka answers INVALID_TXN_STATE, #12); refused.
 */
export type AppendResult =
  | { status: 'appended' | 'duplicate'; baseOffset: number; lastOffset: number }
  | { status: 'outOfOrder'; baseOffset: -1; lastOffset: -1; expectedSequence: number }
  | { status: 'invalidEpoch'; baseOffset: -1; lastOffset: -1; currentEpoch: number }
  | { status: 'invalidTxnState'; baseOffset: -1; lastOffset: -1 }
  | { status: 'coordinatorFenced'; baseOffset: -1; lastOffset: -1; currentCoordinatorEpoch: number }

/**
 * A transaction marker to append (Kafka's WriteTxnMarkers entry for one partition): ends the producer's
 * ongoing transaction on the partition, committing or aborting it.
 */
export interface TxnMarker {
  producerId: number
  producerEpoch: number
  commit: boolean
  coordinatorEpoch: number
}

/** What a read returns. Batches are views: the caller must not modify them. */
export interface ReadResult {
  /** Whole batches, the first one containing the fetch offset. */
  batches: Buffer[]
  sizeBytes: number
  /** True when the fetch offset is outside [logStartOffset, logEndOffset]; batches is then empty. */
  outOfRange: boolean
  logStartOffset: number
  logEndOffset: number
  highWatermark: number
  /** The last stable offset when the read was made (read_committed reads stop there). */
  lastStableOffset: number
}

/** An offset and the timestamp (epoch ms) found for it. */
export interface OffsetAndTimestamp {
  offset: number
  timestamp: number
}

/**
 * Where a compacted log stands for the cleaner (offsets absolute, exclusive ends). Dirty bytes are in closed
 * segments from `firstDirtyOffset` to `firstUncleanableOffset`; clean bytes before them.
 */
export interface CleanableState {
  firstDirtyOffset: number
  firstUncleanableOffset: number
  cleanBytes: number
  dirtyBytes: number
  /** dirtyBytes / (cleanBytes + dirtyBytes); 0 when both are 0. */
  dirtyRatio: number
  /** A dirty record is older than max.compaction.lag.ms: clean whatever the ratio. */
  compactionLagExceeded: boolean
}

/** Settings of one clean. */
export interface CleanOptions {
  /** Bytes the key map may take (log.cleaner.dedupe.buffer.size). */
  dedupeBufferBytes: number
  /**
   * Gives the event loop a turn between windows of about a megabyte, told the bytes read and written
   * since the previous call (the cleaner's I/O budget waits there). Default: one turn.
   */
  pause?: (ioBytes: number) => Promise<void>
}

/** Shared by the logs of a LogManager; each defaults to a private one. */
export interface PartitionLogShared {
  /** Open segment files (the descriptor budget). */
  pool?: FilePool
}

const readSlackBytes = 64 * 1024

/**
 * A partition log. All methods are called from one event loop; `append` is synchronous and assigns
 * offsets in call order, while writing and syncing run in the background, one write and one fdatasync
 * in flight at a time. Offsets named `end*` are exclusive; durable end <= written end <= log end.
 */
export class PartitionLog implements TailOwner {
  readonly dir: string
  readonly producerState: ProducerStateTable
  #config: LogConfig
  readonly #fs: FileSystem
  readonly #clock: Clock
  readonly #logger: Logger
  readonly #segments: LogSegment[]
  readonly #tail = new LogTail()
  readonly #pipeline: WritePipeline
  readonly #tailBudget: TailBudget | undefined
  #logStartOffset: number
  #logEndOffset: number
  #closed = false
  #deleted = false
  #recordsSinceFlush = 0
  #retentionRunning = false
  #snapshotDue = false
  #snapshotWriting: Promise<void> = Promise.resolve()
  #onVisible: ((visibleEndOffset: number) => void) | undefined
  /** Aborted transactions by marker offset (read_committed fetches); saved with the producer snapshot. */
  readonly #aborted: AbortedTxnIndex
  /**
   * Transactions ended by a marker that is not visible yet (below the high watermark): they keep the last
   * stable offset at their first offset until it is, in marker order.
   */
  readonly #completing: { firstOffset: number; markerOffset: number }[] = []
  /** The cleaner's first dirty offset; saved in cleaner-offset-checkpoint. */
  #cleanerCheckpoint: number
  /** Set while a clean swaps segments: reads of segment files wait for it. */
  #swapping: Promise<void> | undefined
  /** The clean under way, if any (close and delete stop it and wait). */
  #cleaning: Promise<unknown> | undefined
  /** Removals of deleted segments' `.deleted` files waiting out file.delete.delay.ms. */
  readonly #deleteTimers = new Set<Timer>()

  private constructor(
    fs: FileSystem,
    clock: Clock,
    dir: string,
    config: LogConfig,
    logger: Logger,
    segments: LogSegment[],
    logStartOffset: number,
    producerState: ProducerStateTable,
    tailBudget: TailBudget | undefined,
    cleanerCheckpoint: number,
    aborted: AbortedTxnIndex,
  ) {
    this.#cleanerCheckpoint = cleanerCheckpoint
    this.#aborted = aborted
    aborted.dropBefore(logStartOffset)
    this.#fs = fs
    this.#clock = clock
    this.dir = dir
    this.#config = config
    this.#logger = logger
    this.#segments = segments
    this.#logStartOffset = logStartOffset
    this.#logEndOffset = segments[segments.length - 1].endOffset
    this.producerState = producerState
    this.#tailBudget = tailBudget
    this.#pipeline = new WritePipeline(
      {
        dir,
        logger,
        segments: () => this.#segments,
        prepareSegment: (segment) => this.#prepareSegment(segment),
        written: (end) => this.#written(end),
        durable: (end) => this.#durable(end),
        // The write kick goes through the Clock's scheduler port, never setImmediate directly.
        schedule: (fn) => this.#clock.defer(fn),
        nowMs: () => this.#clock.nowMs(),
      },
      this.#logEndOffset,
    )
    tailBudget?.register(this)
  }

  /** Opens (creating if needed) the log in `dir`, recovering it if it was not closed cleanly. */
  static async open(
    fs: FileSystem,
    clock: Clock,
    dir: string,
    config: Partial<LogConfig> = {},
    logger: Logger = silentLogger,
    tailBudget?: TailBudget,
    shared: PartitionLogShared = {},
  ): Promise<PartitionLog> {
    const resolved = resolveLogConfig(config)
    const pool = shared.pool ?? new FilePool(fs)
    const recovered = await recoverLog(fs, pool, dir, resolved, logger, clock.nowMs())
    return new PartitionLog(
      fs,
      clock,
      dir,
      resolved,
      logger,
      recovered.segments,
      recovered.logStartOffset,
      recovered.producerState,
      tailBudget,
      recovered.cleanerCheckpoint,
      recovered.aborted,
    )
  }

  /** True once `delete` began: the partition is gone (its topic was deleted), not failed. */
  get deleted(): boolean {
    return this.#deleted
  }

  /** The first offset still readable (inclusive). */
  get logStartOffset(): number {
    return this.#logStartOffset
  }

  /** The next offset to assign (exclusive end of the log). */
  get logEndOffset(): number {
    return this.#logEndOffset
  }

  /**
   * Exclusive end of what fetches may return: the written end (records that reached the OS survive a
   * crash of the process, as in Kafka), or the durable end when `fetchFsyncedOnly` is set.
   */
  get highWatermark(): number {
    return this.#config.fetchFsyncedOnly ? this.#pipeline.durableEndOffset : this.#pipeline.writtenEndOffset
  }

  /**
   * The last stable offset: the first offset of the oldest transaction still open (or ended by a marker
   * not visible yet), else the high watermark. read_committed fetches read below it.
   */
  get lastStableOffset(): number {
    const highWatermark = this.highWatermark
    let stable = highWatermark
    this.#dropVisibleCompleting(highWatermark)
    for (const c of this.#completing) if (c.firstOffset < stable) stable = c.firstOffset
    const ongoing = this.producerState.firstOngoingOffset()
    return ongoing !== undefined && ongoing < stable ? ongoing : stable
  }

  /**
   * The aborted transactions that may hold records in [fetchOffset, endOffset): for read_committed fetch
   * answers. Oldest abort first.
   */
  abortedTransactions(fetchOffset: number, endOffset: number): AbortedTxnRange[] {
    return this.#aborted.between(fetchOffset, endOffset)
  }

  /** The transactions open on this partition, oldest first (DescribeProducers, the coordinator). */
  ongoingTransactions(): OngoingTxn[] {
    return this.producerState.ongoingTransactions()
  }

  /** Exclusive end of the offsets made durable by an fdatasync. */
  get durableEndOffset(): number {
    return this.#pipeline.durableEndOffset
  }

  /** Exclusive end of the offsets handed to the OS. */
  get writtenEndOffset(): number {
    return this.#pipeline.writtenEndOffset
  }

  get config(): Readonly<LogConfig> {
    return this.#config
  }

  /** Epoch ms of the last completed fdatasync (or of opening). */
  get lastFlushMs(): number {
    return this.#pipeline.lastSyncMs
  }

  /** Bytes in all segments, including queued writes. */
  get sizeBytes(): number {
    let total = 0
    for (const s of this.#segments) total += s.sizeBytes
    return total
  }

  get segmentCount(): number {
    return this.#segments.length
  }

  /** Base offsets of the segments, oldest first. */
  segmentBaseOffsets(): number[] {
    return this.#segments.map((s) => s.baseOffset)
  }

  /** Changes settings; sizes apply to the next roll, retention to the next retention run. */
  setConfig(overrides: Partial<LogConfig>): void {
    const wasFsyncedOnly = this.#config.fetchFsyncedOnly
    this.#config = resolveLogConfig(overrides, this.#config)
    if (wasFsyncedOnly && !this.#config.fetchFsyncedOnly) this.#onVisible?.(this.highWatermark)
    if (!wasFsyncedOnly && this.#config.fetchFsyncedOnly) this.#pipeline.requestSync(this.writtenEndOffset)
  }

  /** Called whenever the high watermark advances (long polls wake on it). One listener. */
  setVisibilityListener(listener: ((highWatermark: number) => void) | undefined): void {
    this.#onVisible = listener
  }

  /**
   * Appends batches, assigning offsets now and in call order: each batch's baseOffset field is rewritten
   * in place, and the buffer is kept (for the tail and the write), so the caller must not reuse it.
   * A batch of an idempotent producer (producerId >= 0 with a sequence) is checked against the
   * producer's state and recorded in the same call, so no other append can come between; such a batch
   * must be appended alone. Bytes reach the file in the background; use `waitWritten` / `waitDurable`
   * with `lastOffset + 1`.
   */
  append(input: AppendBatch | readonly AppendBatch[]): AppendResult {
    if (this.#closed) throw new ClosedError(`log ${this.dir} is closed`)
    if (this.#pipeline.failure !== undefined)
      throw new ClosedError(`log ${this.dir} failed`, { cause: this.#pipeline.failure })
    const batches = Array.isArray(input) ? (input as readonly AppendBatch[]) : [input as AppendBatch]
    for (const { batch } of batches) {
      const sizeBytes = batch.length
      if (sizeBytes < BATCH_HEADER_BYTES || batchSizeAt(batch) !== sizeBytes) {
        throw new InvalidRecordError(`batch length field does not match its ${sizeBytes} bytes`)
      }
    }
    if (batches.length === 1) {
      const refused = this.#checkProducer(batches[0].batch)
      if (refused !== undefined) return refused
    } else if (batches.some((b) => readInt64(b.batch, BatchOffsets.producerId) >= 0)) {
      throw new InvalidRecordError('batches of idempotent producers are appended one at a time')
    }
    return this.#appendChecked(batches)
  }

  /**
   * Appends a transaction marker (a control batch of the producer's id and epoch, baseSequence -1, one
   * record: key (version 0, type 0 abort / 1 commit), value (version 0, coordinatorEpoch)), ending the
   * producer's ongoing transaction here; an abort is recorded in the aborted-transaction index. An epoch
   * older than the producer's current one is refused (invalidEpoch), and so is a coordinator epoch older
   * than the one of the producer's last marker here (coordinatorFenced). Durable after
   * `waitDurable(lastOffset + 1)`.
   */
  appendMarker(marker: TxnMarker): AppendResult {
    if (this.#closed) throw new ClosedError(`log ${this.dir} is closed`)
    if (this.#pipeline.failure !== undefined)
      throw new ClosedError(`log ${this.dir} failed`, { cause: this.#pipeline.failure })
    const entry = this.producerState.get(marker.producerId)
    if (entry !== undefined && marker.producerEpoch < entry.producerEpoch)
      return { status: 'invalidEpoch', baseOffset: -1, lastOffset: -1, currentEpoch: entry.producerEpoch }
    if (entry !== undefined && marker.coordinatorEpoch < entry.coordinatorEpoch)
      return {
        status: 'coordinatorFenced',
        baseOffset: -1,
        lastOffset: -1,
        currentCoordinatorEpoch: entry.coordinatorEpoch,
      }
    const nowMs = this.#clock.nowMs()
    const batch = buildControlBatch({
      type: marker.commit ? ControlRecordType.commit : ControlRecordType.abort,
      producerId: marker.producerId,
      producerEpoch: marker.producerEpoch,
      coordinatorEpoch: marker.coordinatorEpoch,
      timestampMs: nowMs,
      // The leader epoch Brook stamps on every appended batch (one leader, never moved), as Kafka's leader
      // stamps its markers.
      partitionLeaderEpoch: 0,
    })
    return this.#appendChecked([{ batch, recordsCount: 1, maxTimestamp: nowMs }])
  }

  /** Appends batches already checked against the producer state. */
  #appendChecked(batches: readonly AppendBatch[]): AppendResult {
    const first = this.#logEndOffset
    const tailBytesBefore = this.#tail.bytes
    const nowMs = this.#clock.nowMs()
    for (const { batch, recordsCount, maxTimestamp } of batches) {
      const sizeBytes = batch.length
      const lastOffsetDelta = batch.readInt32BE(BatchOffsets.lastOffsetDelta)
      let segment = this.#segments[this.#segments.length - 1]
      if (this.#shouldRoll(segment, sizeBytes, lastOffsetDelta, maxTimestamp)) segment = this.#roll()
      const baseOffset = this.#logEndOffset
      const lastOffset = baseOffset + lastOffsetDelta
      setBaseOffset(batch, baseOffset)
      const position = segment.sizeBytes
      segment.track(
        position,
        baseOffset,
        lastOffset,
        maxTimestamp,
        sizeBytes,
        this.#config.indexIntervalBytes,
      )
      segment.sizeBytes += sizeBytes
      const producerId = readInt64(batch, BatchOffsets.producerId)
      if (producerId >= 0) {
        const baseSequence = batch.readInt32BE(BatchOffsets.baseSequence)
        this.producerState.update(
          producerId,
          batch.readInt16BE(BatchOffsets.producerEpoch),
          baseSequence,
          baseSequence < 0 ? -1 : lastSequenceOf(baseSequence, lastOffsetDelta),
          baseOffset,
          lastOffset,
          nowMs,
          maxTimestamp,
        )
        if ((batch.readInt16BE(BatchOffsets.attributes) & Attributes.transactional) !== 0) {
          const ended = this.producerState.applyTransactional(producerId, batch, baseOffset, this.#aborted)
          if (ended !== null) this.#completing.push({ firstOffset: ended, markerOffset: baseOffset })
        }
      }
      this.#logEndOffset = lastOffset + 1
      this.#tail.push({ baseOffset, endOffset: lastOffset + 1, maxTimestampMs: maxTimestamp, batch })
      this.#pipeline.enqueue(segment, position, batch, lastOffset + 1)
      this.#recordsSinceFlush += recordsCount
    }
    if (this.#tailBudget !== undefined) {
      this.#tailBudget.change(this.#tail.bytes - tailBytesBefore)
      this.#tailBudget.enforce()
    }
    this.#pipeline.kick()
    if (this.#config.flushMessages > 0 && this.#recordsSinceFlush >= this.#config.flushMessages) {
      this.#recordsSinceFlush = 0
      this.flush().catch(() => {})
    }
    return { status: 'appended', baseOffset: first, lastOffset: this.#logEndOffset - 1 }
  }

  /** The refusal or duplicate answer for an idempotent batch, or undefined when it may be appended. */
  #checkProducer(batch: Buffer): AppendResult | undefined {
    const producerId = readInt64(batch, BatchOffsets.producerId)
    if (producerId < 0) return undefined
    const baseSequence = batch.readInt32BE(BatchOffsets.baseSequence)
    if (baseSequence < 0) return undefined
    const lastSequence = lastSequenceOf(baseSequence, batch.readInt32BE(BatchOffsets.lastOffsetDelta))
    const check = this.producerState.check(
      producerId,
      batch.readInt16BE(BatchOffsets.producerEpoch),
      baseSequence,
      lastSequence,
    )
    switch (check.kind) {
      case 'duplicate':
        return { status: 'duplicate', baseOffset: check.baseOffset, lastOffset: check.lastOffset }
      case 'outOfOrder':
        return {
          status: 'outOfOrder',
          baseOffset: -1,
          lastOffset: -1,
          expectedSequence: check.expectedSequence,
        }
      case 'invalidEpoch':
        return { status: 'invalidEpoch', baseOffset: -1, lastOffset: -1, currentEpoch: check.currentEpoch }
      default: {
        // A plain batch while the producer's transaction is open here would land inside the transaction's
        // offsets without belonging to it: Kafka refuses it (INVALID_TXN_STATE), after the sequence checks.
        const transactional = (batch.readInt16BE(BatchOffsets.attributes) & Attributes.transactional) !== 0
        const openFirstOffset = this.producerState.get(producerId)?.currentTxnFirstOffset ?? null
        if (!transactional && openFirstOffset !== null)
          return { status: 'invalidTxnState', baseOffset: -1, lastOffset: -1 }
        // 'unknownProducer' is accepted as Kafka 2.x+ does: its state may have expired, and the sequence
        // restarts from what the producer sent.
        return undefined
      }
    }
  }

  /** Forgets producers not seen for producerIdExpirationMs (producer.id.expiration.ms). */
  expireProducers(nowMs: number = this.#clock.nowMs()): number {
    const before = this.producerState.size
    this.producerState.expire(nowMs - this.#config.producerIdExpirationMs)
    return before - this.producerState.size
  }

  /** Resolves once every offset below `endOffset` has been handed to the OS. */
  waitWritten(endOffset: number): Promise<void> {
    return this.#pipeline.waitWritten(endOffset)
  }

  /**
   * Resolves after an fdatasync that covers every offset below `endOffset`. Group commit: one fdatasync
   * is in flight at a time, and the next one covers every write that completed meanwhile.
   */
  waitDurable(endOffset: number): Promise<void> {
    return this.#pipeline.waitDurable(endOffset)
  }

  /** Makes everything appended so far durable. */
  flush(): Promise<void> {
    this.#recordsSinceFlush = 0
    return this.#pipeline.waitDurable(this.#logEndOffset)
  }

  /** True when some appended offsets are not yet durable. */
  get hasUnflushed(): boolean {
    return this.#pipeline.durableEndOffset < this.#logEndOffset
  }

  /**
   * Reads whole batches from the one containing `fetchOffset`, stopping before `maxBytes` would be
   * exceeded, but always returning at least one batch when any exists (KIP-74), and never at or past
   * the high watermark (with `readCommitted`, the last stable offset). Empty from there to the log end.
   * Batches come from the in-memory tail when recent, else from one segment file.
   */
  async read(fetchOffset: number, maxBytes: number, readCommitted = false): Promise<ReadResult> {
    if (this.#deleted) throw new ClosedError(`log ${this.dir} was deleted`)
    const highWatermark = this.highWatermark
    const lastStableOffset = this.lastStableOffset
    const visibleEnd = readCommitted ? lastStableOffset : highWatermark
    const result: ReadResult = {
      batches: [],
      sizeBytes: 0,
      outOfRange: false,
      logStartOffset: this.#logStartOffset,
      logEndOffset: this.#logEndOffset,
      highWatermark,
      lastStableOffset,
    }
    if (fetchOffset < this.#logStartOffset || fetchOffset > this.#logEndOffset) {
      result.outOfRange = true
      return result
    }
    if (fetchOffset >= visibleEnd) return result
    let offset = fetchOffset
    for (;;) {
      const tailFirst = this.#tail.first
      if (tailFirst !== undefined && offset >= tailFirst.baseOffset) {
        this.#tail.read(offset, maxBytes, visibleEnd, result)
        return result
      }
      if (this.#swapping !== undefined) {
        await this.#swapping
        continue
      }
      const segment = this.#segmentFor(offset)
      segment.beginRead()
      try {
        await this.#readSegment(segment, offset, maxBytes, visibleEnd, result)
      } finally {
        segment.endRead()
      }
      if (result.batches.length > 0) return result
      // A cleaned segment may end in a gap (its last records were compacted away): go on to the next.
      const next = this.#segments[this.#segments.indexOf(segment) + 1]
      if (next === undefined || next.baseOffset >= visibleEnd || next.baseOffset <= offset) return result
      offset = next.baseOffset
    }
  }

  /**
   * The first batch whose maxTimestamp >= `timestampMs`: its baseOffset (clamped to logStartOffset) and
   * its maxTimestamp. Batch granularity: records before the matching one in that batch are included.
   */
  async offsetForTimestamp(timestampMs: number): Promise<OffsetAndTimestamp | null> {
    while (this.#swapping !== undefined) await this.#swapping
    for (const segment of [...this.#segments]) {
      // A clean swapped this segment out meanwhile: search the new segments from the start.
      if (segment.deleted) return this.offsetForTimestamp(timestampMs)
      if (segment.maxTimestampMs < timestampMs || segment.endOffset <= this.#logStartOffset) continue
      const fromOffset = segment.baseOffset + segment.index.scanStartForTimestamp(timestampMs)
      const hit: { found?: OffsetAndTimestamp } = {}
      let scannedEnd = segment.baseOffset
      if (segment.writtenBytes > 0 && segment.opened) {
        segment.beginRead()
        try {
          const position = segment.index.positionFor(fromOffset - segment.baseOffset)
          const scan = await segment.withFile((handle) =>
            scanBatches(handle, position, segment.writtenBytes, { validate: false }, (b) => {
              if (b.maxTimestampMs >= timestampMs && b.lastOffset >= this.#logStartOffset) {
                hit.found = {
                  offset: Math.max(b.baseOffset, this.#logStartOffset),
                  timestamp: b.maxTimestampMs,
                }
                return false
              }
              return true
            }),
          )
          scannedEnd = scan.endOffset
        } finally {
          segment.endRead()
        }
      }
      if (hit.found !== undefined) return hit.found
      for (const entry of this.#tail.entries()) {
        if (entry.baseOffset >= this.highWatermark) break
        if (
          entry.baseOffset < Math.max(scannedEnd, segment.baseOffset) ||
          entry.endOffset > segment.endOffset
        )
          continue
        if (entry.maxTimestampMs >= timestampMs && entry.endOffset > this.#logStartOffset) {
          return { offset: Math.max(entry.baseOffset, this.#logStartOffset), timestamp: entry.maxTimestampMs }
        }
      }
    }
    return null
  }

  /**
   * The largest timestamp in the log and the offset holding it, or null when empty. Batch granularity:
   * the offset is the last offset of the batch with the largest maxTimestamp.
   */
  maxTimestampOffset(): OffsetAndTimestamp | null {
    let best: OffsetAndTimestamp | null = null
    for (const s of this.#segments) {
      if (s.maxTimestampMs >= 0 && (best === null || s.maxTimestampMs > best.timestamp)) {
        best = { offset: Math.max(s.offsetOfMaxTimestamp, this.#logStartOffset), timestamp: s.maxTimestampMs }
      }
    }
    return best
  }

  /**
   * Advances logStartOffset to `offset` (DeleteRecords); offsets below it stop being readable, and whole
   * segments below it are deleted. `offset` must be within [logStartOffset, logEndOffset]. Returns the new
   * logStartOffset.
   */
  async deleteRecordsBefore(offset: number): Promise<number> {
    if (offset > this.#logEndOffset) {
      throw new OffsetOutOfRangeError(`offset ${offset} is past the log end ${this.#logEndOffset}`)
    }
    if (offset <= this.#logStartOffset) return this.#logStartOffset
    this.#logStartOffset = offset
    this.#aborted.dropBefore(offset)
    await this.#saveLogStartOffset()
    await this.#deleteOldSegments(() => false)
    return this.#logStartOffset
  }

  /**
   * Deletes non-active segments past retention (time and size), advancing logStartOffset. Only with
   * cleanup.policy delete: a compact-only log keeps its segments (the cleaner shrinks them).
   */
  async applyRetention(nowMs: number = this.#clock.nowMs()): Promise<number> {
    if (!this.#config.cleanupPolicyDelete) return 0
    const { retentionMs, retentionBytes } = this.#config
    let excessBytes = retentionBytes >= 0 ? this.sizeBytes - retentionBytes : 0
    return this.#deleteOldSegments((segment) => {
      if (retentionMs >= 0 && segment.maxTimestampMs >= 0 && segment.maxTimestampMs < nowMs - retentionMs) {
        excessBytes -= segment.sizeBytes
        return true
      }
      if (retentionBytes >= 0 && excessBytes >= segment.sizeBytes) {
        excessBytes -= segment.sizeBytes
        return true
      }
      return false
    })
  }

  /** The cleaner's first dirty offset (exclusive end of what was cleaned). */
  get cleanerCheckpoint(): number {
    return this.#cleanerCheckpoint
  }

  /**
   * Where the log stands for the cleaner, or undefined when it is not compacted. Only closed segments
   * count (never the active one), each synced and indexed, below the last stable offset, and only those
   * whose newest record is at least min.compaction.lag.ms old.
   */
  cleanableState(nowMs: number = this.#clock.nowMs()): CleanableState | undefined {
    if (!this.#config.cleanupPolicyCompact || this.#closed) return undefined
    const eligible = this.#cleanableSegments(nowMs)
    const last = eligible.at(-1)
    const firstUncleanableOffset = last === undefined ? this.#segments[0].baseOffset : last.endOffset
    let firstDirtyOffset = Math.max(this.#cleanerCheckpoint, this.#logStartOffset)
    // A checkpoint past the log (it was truncated, or the topic recreated) starts over.
    if (firstDirtyOffset > this.#logEndOffset) firstDirtyOffset = this.#logStartOffset
    let cleanBytes = 0
    let dirtyBytes = 0
    let firstDirtyTimestampMs = -1
    for (const segment of eligible) {
      if (segment.endOffset <= this.#logStartOffset) continue
      if (segment.endOffset <= firstDirtyOffset) cleanBytes += segment.sizeBytes
      else {
        dirtyBytes += segment.sizeBytes
        if (firstDirtyTimestampMs < 0) firstDirtyTimestampMs = segment.rollBaseMs
      }
    }
    const total = cleanBytes + dirtyBytes
    return {
      firstDirtyOffset,
      firstUncleanableOffset,
      cleanBytes,
      dirtyBytes,
      dirtyRatio: total === 0 ? 0 : dirtyBytes / total,
      compactionLagExceeded:
        dirtyBytes > 0 &&
        firstDirtyTimestampMs >= 0 &&
        nowMs - firstDirtyTimestampMs > this.#config.maxCompactionLagMs,
    }
  }

  /** The leading closed segments the cleaner may touch now. */
  #cleanableSegments(nowMs: number): LogSegment[] {
    const eligible: LogSegment[] = []
    for (let i = 0; i + 1 < this.#segments.length; i++) {
      const segment = this.#segments[i]
      const next = this.#segments[i + 1]
      if (!segment.sealed || !segment.indexSaved || !next.opened || segment.dirty) break
      if (segment.maxTimestampMs > nowMs - this.#config.minCompactionLagMs) break
      // Nothing at or past the last stable offset, as in Kafka: the fate of a transaction still open there
      // is unknown, and the checkpoint must not pass records a later clean has to look at again.
      if (segment.endOffset > this.lastStableOffset) break
      eligible.push(segment)
    }
    return eligible
  }

  /**
   * Compacts the log once (cleanup.policy compact): keeps the latest record of each key in the closed
   * segments, with offsets unchanged, and swaps the cleaned segments in crash-safely. Produce goes on
   * meanwhile (the active segment is never touched); fetches wait only for the swap itself. Returns
   * undefined when there was nothing to clean or the log is busy (retention, another clean).
   */
  async clean(options: CleanOptions): Promise<CompactionResult | undefined> {
    if (this.#closed || this.#retentionRunning || !this.#config.cleanupPolicyCompact) return undefined
    if (this.#pipeline.failure !== undefined) return undefined
    this.#retentionRunning = true
    const run = this.#runClean(options)
    this.#cleaning = run
    try {
      return await run
    } catch (error) {
      if (error instanceof CleanAbortedError || this.#closed) return undefined
      throw error
    } finally {
      this.#cleaning = undefined
      this.#retentionRunning = false
    }
  }

  async #runClean(options: CleanOptions): Promise<CompactionResult | undefined> {
    const nowMs = this.#clock.nowMs()
    const state = this.cleanableState(nowMs)
    if (state === undefined || state.dirtyBytes === 0) return undefined
    const segments = this.#cleanableSegments(nowMs)
    const result = await compactSegments({
      fs: this.#fs,
      pool: segments[0].pool,
      dir: this.dir,
      segments,
      logStartOffset: this.#logStartOffset,
      firstDirtyOffset: state.firstDirtyOffset,
      segmentBytes: this.#config.segmentBytes,
      indexIntervalBytes: this.#config.indexIntervalBytes,
      deleteRetentionMs: this.#config.deleteRetentionMs,
      nowMs,
      dedupeBufferBytes: options.dedupeBufferBytes,
      lastStableOffset: this.lastStableOffset,
      abortedTxns: this.#aborted.entries(),
      producerLastOffset: (producerId) => this.producerState.get(producerId)?.batches.at(-1)?.lastOffset,
      aborted: () => this.#closed,
      pause: options.pause ?? (() => new Promise<void>((resolve) => this.#clock.defer(resolve))),
    })
    if (result === undefined) return undefined
    if (this.#closed) throw new CleanAbortedError(`log ${this.dir} closed during a clean`)
    await this.#swapIn(result)
    return result
  }

  /**
   * Replaces the cleaned groups' segments. Reads of segment files wait meanwhile; reads under way on the
   * old segments finish first. A failure here fails the log (recovery at the next open completes it).
   */
  async #swapIn(result: CompactionResult): Promise<void> {
    let release!: () => void
    this.#swapping = new Promise<void>((resolve) => {
      release = resolve
    })
    try {
      for (const group of result.groups) {
        for (const old of group.replaces) {
          await old.drained()
        }
      }
      const swap = {
        checkpoint: result.endOffset,
        groups: result.groups.map((g) => ({
          baseOffset: g.segment.baseOffset,
          replaces: g.replaces.map((s) => s.baseOffset),
        })),
      }
      if (swap.groups.length === 0) {
        await writeCleanerCheckpoint(this.#fs, this.dir, result.endOffset)
      } else {
        await commitCleanerSwap(this.#fs, this.dir, swap)
        for (const group of result.groups) {
          for (const old of group.replaces) {
            old.deleted = true
            await old.closeFile()
          }
        }
        // file.delete.delay.ms: the replaced files wait as .deleted, as a retention deletion's do.
        const kept = await finishCleanerSwap(this.#fs, this.dir, swap, this.#config.fileDeleteDelayMs > 0)
        this.#removeLater(kept)
        // Indexes are saved before the segments join the list, so nothing else ever saves them too.
        for (const group of result.groups) {
          await group.segment.saveIndex(this.#fs)
          group.segment.indexSaved = true
        }
        for (const group of result.groups) {
          const at = this.#segments.indexOf(group.replaces[0])
          if (at < 0) throw new AssertionError(`cleaned segment ${group.segment.baseOffset} is in the log`)
          this.#segments.splice(at, group.replaces.length, group.segment)
        }
      }
      this.#cleanerCheckpoint = result.endOffset
      const freed = this.#tail.dropBefore(result.endOffset, this.#pipeline.writtenEndOffset)
      if (freed > 0) this.#tailBudget?.change(-freed)
    } catch (error) {
      this.#logger.error('swapping cleaned segments failed; the log stops until reopened', {
        dir: this.dir,
        error,
      })
      this.#pipeline.fail(error instanceof Error ? error : new Error(String(error)))
      throw error
    } finally {
      this.#swapping = undefined
      release()
    }
  }

  /** Flushes, saves indexes, producer state and the log start offset, writes the clean-shutdown marker. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#cancelDeleteTimers()
    await this.#cleaning?.catch(() => {})
    await this.flush()
    await this.#pipeline.writing
    await this.#snapshotWriting
    for (const segment of this.#segments) if (!segment.indexSaved) await segment.saveIndex(this.#fs)
    await this.#fs.writeFileAtomic(
      `${this.dir}/${LogFiles.producerSnapshot}`,
      this.producerState.toSnapshot(this.#logEndOffset, this.#aborted),
    )
    await this.#saveLogStartOffset()
    await this.#fs.writeFileAtomic(
      `${this.dir}/${LogFiles.cleanShutdown}`,
      Buffer.from(JSON.stringify({ logEndOffset: this.#logEndOffset })),
    )
    for (const segment of this.#segments) await segment.closeFile()
    this.#releaseTail()
  }

  /** Stops the log and removes its directory. Pending waits are rejected. */
  async delete(): Promise<void> {
    this.#closed = true
    this.#deleted = true
    this.#cancelDeleteTimers()
    this.#pipeline.fail(new ClosedError(`log ${this.dir} was deleted`))
    await this.#cleaning?.catch(() => {})
    await this.#pipeline.writing?.catch(() => {})
    await this.#snapshotWriting
    this.#releaseTail()
    for (const segment of this.#segments) await segment.closeFile()
    await this.#fs.remove(this.dir)
  }

  #shouldRoll(
    segment: LogSegment,
    sizeBytes: number,
    lastOffsetDelta: number,
    maxTimestamp: number,
  ): boolean {
    if (segment.sizeBytes === 0) return false
    if (segment.sizeBytes + sizeBytes > this.#config.segmentBytes) return true
    if (this.#logEndOffset + lastOffsetDelta - segment.baseOffset > 2147483647) return true
    // segment.index.bytes: Kafka's index files hold 8-byte offset and 12-byte time entries.
    const indexBytes = this.#config.segmentIndexBytes
    if (
      segment.index.offsets.length >= Math.floor(indexBytes / OFFSET_INDEX_ENTRY_BYTES) ||
      segment.index.timestamps.length >= Math.floor(indexBytes / TIME_INDEX_ENTRY_BYTES)
    )
      return true
    if (segment.rollBaseMs < 0) return false
    return maxTimestamp - segment.rollBaseMs > this.#config.segmentMs - this.#rollJitterMs(segment)
  }

  /**
   * The segment's own share of segment.jitter.ms: drawn from its directory and base offset rather than at
   * random, so it is the same after a restart and still differs between partitions.
   */
  #rollJitterMs(segment: LogSegment): number {
    const { segmentJitterMs, segmentMs } = this.#config
    if (segmentJitterMs <= 0) return 0
    const draw = crc32c(Buffer.from(`${this.dir}/${segment.baseOffset}`))
    return draw % Math.min(segmentJitterMs, segmentMs)
  }

  #roll(): LogSegment {
    const previous = this.#segments[this.#segments.length - 1]
    previous.sealed = true
    // A producer snapshot is due; it is taken by the write pipeline, not here on the append path.
    this.#snapshotDue = true
    const segment = new LogSegment(this.dir, this.#logEndOffset, previous.pool)
    this.#segments.push(segment)
    this.#logger.debug('rolled segment', { dir: this.dir, baseOffset: segment.baseOffset })
    return segment
  }

  /**
   * Before the first write to a new segment, makes every older segment durable and saves its index, so
   * recovery only ever needs to scan the last segment. A producer snapshot due since a roll is taken
   * here and written once the offsets it covers are durable, so recovery replays only what follows it.
   */
  async #prepareSegment(segment: LogSegment): Promise<void> {
    // A copy: a clean may replace leading segments while this awaits.
    for (const older of [...this.#segments]) {
      if (older === segment) break
      if (older.dirty) await older.sync()
      if (older.sealed && !older.indexSaved) {
        await older.saveIndex(this.#fs)
        older.indexSaved = true
      }
    }
    await segment.create()
    if (this.#snapshotDue) {
      this.#snapshotDue = false
      const endOffset = this.#logEndOffset
      const data = this.producerState.toSnapshot(endOffset, this.#aborted)
      this.#snapshotWriting = this.#snapshotWriting
        .then(() => this.#pipeline.waitDurable(endOffset))
        .then(() => this.#fs.writeFileAtomic(`${this.dir}/${LogFiles.producerSnapshot}`, data))
        .catch((error) => {
          if (!(error instanceof ClosedError) && !this.#closed)
            this.#logger.warn('writing a producer snapshot failed', { dir: this.dir, error })
        })
    }
  }

  /** Forgets the ended transactions whose markers are below the high watermark (visible) now. */
  #dropVisibleCompleting(highWatermark: number): void {
    const completing = this.#completing
    let visible = 0
    while (visible < completing.length && completing[visible].markerOffset < highWatermark) visible++
    if (visible > 0) completing.splice(0, visible)
  }

  #written(endOffset: number): void {
    if (!(endOffset <= this.#logEndOffset))
      throw new AssertionError(`written end ${endOffset} <= log end ${this.#logEndOffset}`)
    this.#trimTail(this.#config.maxTailBytes)
    this.#tailBudget?.enforce()
    if (this.#config.fetchFsyncedOnly) this.#pipeline.requestSync(endOffset)
    else {
      if (this.#completing.length > 0) this.#dropVisibleCompleting(endOffset)
      this.#onVisible?.(endOffset)
    }
  }

  #durable(endOffset: number): void {
    if (!this.#config.fetchFsyncedOnly) return
    if (this.#completing.length > 0) this.#dropVisibleCompleting(endOffset)
    this.#onVisible?.(endOffset)
  }

  /** Bytes in the in-memory tail (TailOwner). */
  get tailBytes(): number {
    return this.#tail.bytes
  }

  /** Drops the oldest written tail batches down to `targetBytes`; returns the bytes freed (TailOwner). */
  evictTail(targetBytes: number): number {
    return this.#trimTail(targetBytes)
  }

  /** Gives the tail's memory back to the broker-wide budget and leaves it (close, delete). */
  #releaseTail(): void {
    this.#tailBudget?.change(-this.#tail.clear())
    this.#tailBudget?.unregister(this)
  }

  #trimTail(limitBytes: number): number {
    const freed = this.#tail.trim(limitBytes, this.#pipeline.writtenEndOffset)
    if (freed > 0) this.#tailBudget?.change(-freed)
    return freed
  }

  #segmentFor(offset: number): LogSegment {
    let low = 0
    let high = this.#segments.length - 1
    let found = 0
    while (low <= high) {
      const mid = (low + high) >>> 1
      if (this.#segments[mid].baseOffset <= offset) {
        found = mid
        low = mid + 1
      } else high = mid - 1
    }
    return this.#segments[found]
  }

  async #readSegment(
    segment: LogSegment,
    fetchOffset: number,
    maxBytes: number,
    visibleEndOffset: number,
    result: ReadResult,
  ): Promise<void> {
    const limit = segment.writtenBytes
    let position = segment.index.positionFor(fetchOffset - segment.baseOffset)
    const chunkBytes = Math.min(limit - position, maxBytes + this.#config.indexIntervalBytes + readSlackBytes)
    let chunk = await segment.read(position, chunkBytes)
    let chunkStart = position
    while (position < limit) {
      let at = position - chunkStart
      if (chunk.length - at < BATCH_HEADER_BYTES) {
        if (result.batches.length > 0) break
        chunkStart = position
        chunk = await segment.read(position, Math.min(limit - position, maxBytes + readSlackBytes))
        at = 0
        if (chunk.length < BATCH_HEADER_BYTES) break
      }
      const sizeBytes = chunk.readInt32BE(at + BatchOffsets.batchLength) + 12
      const lastOffset = readInt64(chunk, at) + chunk.readInt32BE(at + BatchOffsets.lastOffsetDelta)
      if (lastOffset - chunk.readInt32BE(at + BatchOffsets.lastOffsetDelta) >= visibleEndOffset) break
      if (lastOffset < fetchOffset) {
        position += sizeBytes
        continue
      }
      if (result.batches.length > 0 && result.sizeBytes + sizeBytes > maxBytes) break
      if (at + sizeBytes > chunk.length) {
        if (result.batches.length > 0) break
        chunkStart = position
        chunk = await segment.read(position, Math.max(sizeBytes, Math.min(limit - position, maxBytes)))
        at = 0
        if (chunk.length < sizeBytes) throw new CorruptDataError(`short batch in ${segment.logPath}`)
      }
      result.batches.push(chunk.subarray(at, at + sizeBytes))
      result.sizeBytes += sizeBytes
      position += sizeBytes
    }
  }

  async #saveLogStartOffset(): Promise<void> {
    await this.#fs.writeFileAtomic(
      `${this.dir}/${LogFiles.logStartOffset}`,
      Buffer.from(`${this.#logStartOffset}\n`),
    )
  }

  /**
   * file.delete.delay.ms: a deleted segment's files are renamed `<name>.deleted` (in the order
   * dropSegmentFiles removes them) and removed after the delay; at once when it is 0. A timer still
   * pending at close or delete is dropped: the log's next open removes the files.
   */
  async #dropSegmentLater(segment: LogSegment): Promise<void> {
    const delayMs = this.#config.fileDeleteDelayMs
    if (delayMs <= 0) return dropSegmentFiles(this.#fs, segment)
    await segment.closeFile()
    const renamed: string[] = []
    for (const path of [segment.indexPath, segment.timeIndexPath, segment.logPath]) {
      if (!(await this.#fs.exists(path))) continue
      await this.#fs.rename(path, `${path}${DELETED_SUFFIX}`)
      renamed.push(`${path}${DELETED_SUFFIX}`)
    }
    this.#removeLater(renamed)
  }

  /** Removes `paths` (`.deleted` files) once file.delete.delay.ms has passed. */
  #removeLater(renamed: readonly string[]): void {
    if (renamed.length === 0) return
    const timer = this.#clock.setTimeout(() => {
      this.#deleteTimers.delete(timer)
      void (async () => {
        for (const path of renamed) await this.#fs.remove(path)
      })().catch((error) =>
        this.#logger.warn('could not remove deleted segment files', { dir: this.dir, error }),
      )
    }, this.#config.fileDeleteDelayMs)
    this.#deleteTimers.add(timer)
  }

  #cancelDeleteTimers(): void {
    for (const timer of this.#deleteTimers) timer.cancel()
    this.#deleteTimers.clear()
  }

  /** Deletes the oldest segments while they are below logStartOffset or `expired` says so. */
  async #deleteOldSegments(expired: (segment: LogSegment) => boolean): Promise<number> {
    if (this.#retentionRunning) return 0
    this.#retentionRunning = true
    let deleted = 0
    try {
      for (;;) {
        const [oldest, next] = this.#segments
        // Only sealed segments whose successor has started on disk: those are synced and indexed.
        if (next === undefined || !next.opened || !oldest.indexSaved) break
        if (!(oldest.endOffset <= this.#logStartOffset || expired(oldest))) break
        this.#segments.shift()
        deleted++
        if (next.baseOffset > this.#logStartOffset) {
          this.#logStartOffset = next.baseOffset
          this.#aborted.dropBefore(next.baseOffset)
          await this.#saveLogStartOffset()
        }
        oldest.deleted = true
        await oldest.drained()
        await this.#dropSegmentLater(oldest)
        this.#logger.info('deleted segment', { dir: this.dir, baseOffset: oldest.baseOffset })
      }
    } finally {
      this.#retentionRunning = false
    }
    return deleted
  }
}
