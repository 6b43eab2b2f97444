// The log of one partition: segments on disk, offsets assigned synchronously at append, writes coalesced
// into one vectored write per segment, group-committed fdatasync, a bounded in-memory tail for recent
// reads, retention, and recovery after a clean or an unclean stop. See docs/storage-format.md.
import {
  AssertionError,
  ClosedError,
  type Clock,
  CorruptDataError,
  InvalidRecordError,
  OffsetOutOfRangeError,
  type FileSystem,
  type Logger,
  silentLogger,
} from '../core/index.js'
import {
  BATCH_HEADER_BYTES,
  BatchOffsets,
  batchSizeAt,
  readInt64,
  setBaseOffset,
} from '../record-batch/index.js'
import { type LogConfig, resolveLogConfig } from './log-config.js'
import { LogSegment, scanBatches } from './log-segment.js'
import { lastSequenceOf, ProducerStateTable } from './producer-state.js'
import { lastAtOrBelow, SegmentIndex } from './segment-index.js'
import type { TailBudget, TailOwner } from './tail-budget.js'

/** One batch to append: its bytes (kept, not copied; baseOffset is rewritten in place) and facts about it. */
export interface AppendBatch {
  batch: Buffer
  recordsCount: number
  /** The batch's maxTimestamp in epoch ms (after any LogAppendTime rewrite). */
  maxTimestamp: number
}

/** Offsets given to an append, both inclusive. */
export interface AppendResult {
  baseOffset: number
  lastOffset: number
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
}

/** An offset and the timestamp (epoch ms) found for it. */
export interface OffsetAndTimestamp {
  offset: number
  timestamp: number
}

interface TailEntry {
  baseOffset: number
  /** Exclusive. */
  endOffset: number
  maxTimestampMs: number
  batch: Buffer
}

interface PendingWrite {
  segment: LogSegment
  position: number
  batch: Buffer
  endOffset: number
}

interface Waiter {
  offset: number
  resolve: () => void
  reject: (error: unknown) => void
}

/** Files of a partition directory besides the segments. */
export const LogFiles = {
  cleanShutdown: 'clean-shutdown',
  logStartOffset: 'log-start-offset',
  producerSnapshot: 'producer-state.snapshot',
} as const

const readSlackBytes = 64 * 1024

/**
 * A partition log. All methods are called from one event loop; `append` is synchronous and assigns
 * offsets in call order, while writing and syncing run in the background, one write and one fdatasync
 * in flight at a time. Offsets named `end*` are exclusive.
 */
export class PartitionLog implements TailOwner {
  readonly dir: string
  readonly producerState: ProducerStateTable
  #config: LogConfig
  readonly #fs: FileSystem
  readonly #clock: Clock
  readonly #logger: Logger
  readonly #segments: LogSegment[]
  #logStartOffset: number
  #logEndOffset: number
  #writtenEndOffset: number
  #durableEndOffset: number
  #tail: TailEntry[] = []
  #tailHead = 0
  #tailBytes = 0
  #queue: PendingWrite[] = []
  #writing: Promise<void> | undefined
  #writeScheduled = false
  #syncing = false
  #syncRequested = 0
  #writeWaiters: Waiter[] = []
  #durableWaiters: Waiter[] = []
  #failure: Error | undefined
  #closed = false
  #recordsSinceFlush = 0
  #lastFlushMs: number
  #pendingSnapshots: { endOffset: number; data: Buffer }[] = []
  #retentionRunning = false
  readonly #tailBudget: TailBudget | undefined

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
  ) {
    this.#fs = fs
    this.#clock = clock
    this.dir = dir
    this.#config = config
    this.#logger = logger
    this.#segments = segments
    this.#logStartOffset = logStartOffset
    const end = segments[segments.length - 1].endOffset
    this.#logEndOffset = end
    this.#writtenEndOffset = end
    this.#durableEndOffset = end
    this.#syncRequested = end
    this.producerState = producerState
    this.#lastFlushMs = clock.nowMs()
    this.#tailBudget = tailBudget
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
  ): Promise<PartitionLog> {
    const resolved = resolveLogConfig(config)
    await fs.mkdir(dir)
    const names = await fs.list(dir)
    for (const name of names) if (name.endsWith('.tmp')) await fs.remove(`${dir}/${name}`)

    let checkpoint = 0
    if (names.includes(LogFiles.logStartOffset)) {
      const parsed = Number((await fs.readFile(`${dir}/${LogFiles.logStartOffset}`)).toString('utf8').trim())
      if (Number.isSafeInteger(parsed) && parsed >= 0) checkpoint = parsed
    }
    let cleanEndOffset: number | undefined
    if (names.includes(LogFiles.cleanShutdown)) {
      try {
        const marker = JSON.parse((await fs.readFile(`${dir}/${LogFiles.cleanShutdown}`)).toString('utf8'))
        if (Number.isSafeInteger(marker.logEndOffset)) cleanEndOffset = marker.logEndOffset
      } catch {
        // An unreadable marker counts as no marker: recover.
      }
      // Removed before any append, so a crash from here on is seen as unclean.
      await fs.remove(`${dir}/${LogFiles.cleanShutdown}`)
    }

    const bases = names
      .filter((n) => /^\d{20}\.log$/.test(n))
      .map((n) => Number(n.slice(0, 20)))
      .sort((a, b) => a - b)
    const segments: LogSegment[] = []
    const log = { dir, fs, config: resolved, logger }
    if (bases.length === 0) {
      const segment = new LogSegment(dir, checkpoint)
      segment.handle = await fs.open(segment.logPath, { create: true })
      segments.push(segment)
    }
    for (let i = 0; i < bases.length; i++) {
      const isLast = i === bases.length - 1
      const segment = new LogSegment(dir, bases[i])
      segment.handle = await fs.open(segment.logPath)
      const fileBytes = await segment.handle.size()
      segment.sizeBytes = fileBytes
      const index = await loadIndex(fs, segment, fileBytes)
      if (!isLast) {
        segment.endOffset = bases[i + 1]
        segment.sealed = true
        if (index !== undefined) adoptIndex(segment, index, fileBytes)
        else {
          logger.warn('rebuilding index', { segment: segment.logPath })
          await rebuildIndex(segment, 0, fileBytes, false, log.config.indexIntervalBytes)
          segment.endOffset = bases[i + 1]
          await segment.saveIndex(fs)
        }
        segment.indexSaved = true
      } else if (
        cleanEndOffset !== undefined &&
        index !== undefined &&
        cleanEndOffset >= segment.baseOffset
      ) {
        adoptIndex(segment, index, fileBytes)
        segment.endOffset = cleanEndOffset
        segment.bytesSinceIndexEntry = fileBytes - (index.positions.at(-1) ?? 0)
      } else {
        await recoverActiveSegment(log, segment, index, fileBytes)
      }
      segment.writtenBytes = segment.sizeBytes
      segments.push(segment)
    }

    // Whole segments below the log start offset are leftovers of a deletion that did not finish.
    while (segments.length > 1 && segments[1].baseOffset <= checkpoint) {
      const dropped = segments.shift()!
      await dropSegmentFiles(fs, dropped)
    }
    const logEndOffset = segments[segments.length - 1].endOffset
    const logStartOffset = Math.min(Math.max(checkpoint, segments[0].baseOffset), logEndOffset)

    const producerState = await loadProducerState(fs, dir, segments, cleanEndOffset === logEndOffset, logger)
    logger.debug('opened log', { dir, logStartOffset, logEndOffset, segments: segments.length })
    return new PartitionLog(
      fs,
      clock,
      dir,
      resolved,
      logger,
      segments,
      logStartOffset,
      producerState,
      tailBudget,
    )
  }

  /** The first offset still readable (inclusive). */
  get logStartOffset(): number {
    return this.#logStartOffset
  }

  /** The next offset to assign (exclusive end of the log). */
  get logEndOffset(): number {
    return this.#logEndOffset
  }

  /** Exclusive; on a single node every appended offset is committed, so it equals logEndOffset. */
  get highWatermark(): number {
    return this.#logEndOffset
  }

  /** Exclusive end of the offsets made durable by an fdatasync. */
  get durableEndOffset(): number {
    return this.#durableEndOffset
  }

  /** Exclusive end of the offsets handed to the OS. */
  get writtenEndOffset(): number {
    return this.#writtenEndOffset
  }

  get config(): Readonly<LogConfig> {
    return this.#config
  }

  /** Epoch ms of the last completed fdatasync (or of opening). */
  get lastFlushMs(): number {
    return this.#lastFlushMs
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
    this.#config = resolveLogConfig(overrides, this.#config)
  }

  /**
   * Appends batches, assigning offsets now and in call order: each batch's baseOffset field is rewritten
   * in place, and the buffer is kept (for the tail and the write), so the caller must not reuse it.
   * Bytes reach the file in the background; use `waitWritten` / `waitDurable` with `lastOffset + 1`.
   */
  append(input: AppendBatch | readonly AppendBatch[]): AppendResult {
    if (this.#closed) throw new ClosedError(`log ${this.dir} is closed`)
    if (this.#failure !== undefined) throw new ClosedError(`log ${this.dir} failed`, { cause: this.#failure })
    const batches = Array.isArray(input) ? (input as readonly AppendBatch[]) : [input as AppendBatch]
    const first = this.#logEndOffset
    const tailBytesBefore = this.#tailBytes
    for (const { batch, recordsCount, maxTimestamp } of batches) {
      const sizeBytes = batch.length
      if (sizeBytes < BATCH_HEADER_BYTES || batchSizeAt(batch) !== sizeBytes) {
        throw new InvalidRecordError(`batch length field does not match its ${sizeBytes} bytes`)
      }
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
          maxTimestamp,
        )
      }
      this.#logEndOffset = lastOffset + 1
      this.#tail.push({ baseOffset, endOffset: lastOffset + 1, maxTimestampMs: maxTimestamp, batch })
      this.#tailBytes += sizeBytes
      this.#queue.push({ segment, position, batch, endOffset: lastOffset + 1 })
      this.#recordsSinceFlush += recordsCount
    }
    if (this.#tailBudget !== undefined) {
      this.#tailBudget.change(this.#tailBytes - tailBytesBefore)
      this.#tailBudget.enforce()
    }
    this.#scheduleWrites()
    if (this.#config.flushMessages > 0 && this.#recordsSinceFlush >= this.#config.flushMessages) {
      this.#recordsSinceFlush = 0
      this.flush().catch(() => {})
    }
    return { baseOffset: first, lastOffset: this.#logEndOffset - 1 }
  }

  /** Resolves once every offset below `endOffset` has been handed to the OS. */
  waitWritten(endOffset: number): Promise<void> {
    if (endOffset <= this.#writtenEndOffset) return Promise.resolve()
    if (this.#failure !== undefined) return Promise.reject(this.#failedError())
    return addWaiter(this.#writeWaiters, endOffset)
  }

  /**
   * Resolves after an fdatasync that covers every offset below `endOffset`. Group commit: one fdatasync
   * is in flight at a time, and the next one covers every write that completed meanwhile.
   */
  waitDurable(endOffset: number): Promise<void> {
    if (endOffset <= this.#durableEndOffset) return Promise.resolve()
    if (this.#failure !== undefined) return Promise.reject(this.#failedError())
    const promise = addWaiter(this.#durableWaiters, endOffset)
    if (endOffset > this.#syncRequested) this.#syncRequested = endOffset
    void this.#runSync()
    return promise
  }

  /** Makes everything appended so far durable. */
  flush(): Promise<void> {
    this.#recordsSinceFlush = 0
    return this.waitDurable(this.#logEndOffset)
  }

  /** True when some appended offsets are not yet durable. */
  get hasUnflushed(): boolean {
    return this.#durableEndOffset < this.#logEndOffset
  }

  /**
   * Reads whole batches from the one containing `fetchOffset`, stopping before `maxBytes` would be
   * exceeded, but always returning at least one batch when any exists (KIP-74). Empty at the log end.
   * Batches come from the in-memory tail when recent, else from one segment file.
   */
  async read(fetchOffset: number, maxBytes: number): Promise<ReadResult> {
    const result: ReadResult = {
      batches: [],
      sizeBytes: 0,
      outOfRange: false,
      logStartOffset: this.#logStartOffset,
      logEndOffset: this.#logEndOffset,
      highWatermark: this.#logEndOffset,
    }
    if (fetchOffset < this.#logStartOffset || fetchOffset > this.#logEndOffset) {
      result.outOfRange = true
      return result
    }
    if (fetchOffset === this.#logEndOffset) return result
    const tailFirst = this.#tail[this.#tailHead]
    if (tailFirst !== undefined && fetchOffset >= tailFirst.baseOffset) {
      this.#readTail(fetchOffset, maxBytes, result)
      return result
    }
    const segment = this.#segmentFor(fetchOffset)
    segment.beginRead()
    try {
      await this.#readSegment(segment, fetchOffset, maxBytes, result)
    } finally {
      segment.endRead()
    }
    return result
  }

  /**
   * The first batch whose maxTimestamp >= `timestampMs`: its baseOffset (clamped to logStartOffset) and
   * its maxTimestamp. Batch granularity: records before the matching one in that batch are included.
   */
  async offsetForTimestamp(timestampMs: number): Promise<OffsetAndTimestamp | null> {
    for (const segment of this.#segments) {
      if (segment.maxTimestampMs < timestampMs || segment.endOffset <= this.#logStartOffset) continue
      const fromOffset = segment.baseOffset + segment.index.scanStartForTimestamp(timestampMs)
      const hit: { found?: OffsetAndTimestamp } = {}
      let scannedEnd = segment.baseOffset
      if (segment.writtenBytes > 0 && segment.handle !== undefined) {
        segment.beginRead()
        try {
          const position = segment.index.positionFor(fromOffset - segment.baseOffset)
          const scan = await scanBatches(
            segment.handle,
            position,
            segment.writtenBytes,
            { validate: false },
            (b) => {
              if (b.maxTimestampMs >= timestampMs && b.lastOffset >= this.#logStartOffset) {
                hit.found = {
                  offset: Math.max(b.baseOffset, this.#logStartOffset),
                  timestamp: b.maxTimestampMs,
                }
                return false
              }
              return true
            },
          )
          scannedEnd = scan.endOffset
        } finally {
          segment.endRead()
        }
      }
      if (hit.found !== undefined) return hit.found
      for (let i = this.#tailHead; i < this.#tail.length; i++) {
        const entry = this.#tail[i]
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
    await this.#saveLogStartOffset()
    await this.#deleteOldSegments(() => false)
    return this.#logStartOffset
  }

  /** Deletes non-active segments past retention (time and size), advancing logStartOffset. */
  async applyRetention(nowMs: number = this.#clock.nowMs()): Promise<number> {
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

  /** Flushes, saves indexes, producer state and the log start offset, writes the clean-shutdown marker. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await this.flush()
    await this.#writing
    for (const segment of this.#segments) if (!segment.indexSaved) await segment.saveIndex(this.#fs)
    await this.#fs.writeFileAtomic(
      `${this.dir}/${LogFiles.producerSnapshot}`,
      this.producerState.toSnapshot(this.#logEndOffset),
    )
    await this.#saveLogStartOffset()
    await this.#fs.writeFileAtomic(
      `${this.dir}/${LogFiles.cleanShutdown}`,
      Buffer.from(JSON.stringify({ logEndOffset: this.#logEndOffset })),
    )
    for (const segment of this.#segments) await segment.handle?.close()
    this.#releaseTail()
  }

  /** Stops the log and removes its directory. Pending waits are rejected. */
  async delete(): Promise<void> {
    this.#closed = true
    this.#fail(new ClosedError(`log ${this.dir} was deleted`))
    await this.#writing?.catch(() => {})
    this.#releaseTail()
    for (const segment of this.#segments) await segment.handle?.close().catch(() => {})
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
    return segment.rollBaseMs >= 0 && maxTimestamp - segment.rollBaseMs > this.#config.segmentMs
  }

  #roll(): LogSegment {
    const previous = this.#segments[this.#segments.length - 1]
    previous.sealed = true
    // The snapshot is taken now, at the exact boundary, and written once the old segment is synced.
    this.#pendingSnapshots.push({
      endOffset: this.#logEndOffset,
      data: this.producerState.toSnapshot(this.#logEndOffset),
    })
    const segment = new LogSegment(this.dir, this.#logEndOffset)
    this.#segments.push(segment)
    this.#logger.debug('rolled segment', { dir: this.dir, baseOffset: segment.baseOffset })
    return segment
  }

  /**
   * Starts the next write on the following turn of the event loop rather than at once, so that batches
   * appended by the requests decoded in this turn go out in one vectored write.
   */
  #scheduleWrites(): void {
    if (this.#writing !== undefined || this.#writeScheduled || this.#queue.length === 0) return
    this.#writeScheduled = true
    this.#clock.defer(this.#startScheduled)
  }

  readonly #startScheduled = (): void => {
    this.#writeScheduled = false
    this.#startWriting()
  }

  #startWriting(): void {
    if (this.#writing !== undefined || this.#queue.length === 0) return
    this.#writing = this.#runWrites().finally(() => {
      this.#writing = undefined
      if (this.#queue.length > 0 && this.#failure === undefined) this.#startWriting()
    })
  }

  async #runWrites(): Promise<void> {
    try {
      while (this.#queue.length > 0 && this.#failure === undefined) {
        const segment = this.#queue[0].segment
        let count = 1
        while (count < this.#queue.length && this.#queue[count].segment === segment) count++
        const writes = this.#queue.splice(0, count)
        if (segment.handle === undefined) await this.#prepareSegment(segment)
        let position = writes[0].position
        const buffers: Buffer[] = []
        for (const w of writes) {
          if (w.position !== position) throw new AssertionError('writes are contiguous')
          position += w.batch.length
          buffers.push(w.batch)
        }
        await segment.handle!.write(writes[0].position, buffers)
        segment.writtenBytes = position
        segment.writes++
        this.#writtenEndOffset = writes[writes.length - 1].endOffset
        resolveWaiters(this.#writeWaiters, this.#writtenEndOffset)
        this.#trimTail(this.#config.maxTailBytes)
        this.#tailBudget?.enforce()
      }
    } catch (error) {
      this.#fail(error)
    }
  }

  /**
   * Before the first write to a new segment, makes every older segment durable and saves its index, so
   * recovery only ever needs to scan the last segment.
   */
  async #prepareSegment(segment: LogSegment): Promise<void> {
    for (const older of this.#segments) {
      if (older === segment) break
      if (older.dirty) await older.sync()
      if (older.sealed && !older.indexSaved) {
        await older.saveIndex(this.#fs)
        older.indexSaved = true
      }
    }
    const snapshot = this.#pendingSnapshots.filter((s) => s.endOffset <= segment.baseOffset).at(-1)
    if (snapshot !== undefined) {
      this.#pendingSnapshots = this.#pendingSnapshots.filter((s) => s.endOffset > segment.baseOffset)
      await this.#fs.writeFileAtomic(`${this.dir}/${LogFiles.producerSnapshot}`, snapshot.data)
    }
    segment.handle = await this.#fs.open(segment.logPath, { create: true })
  }

  async #runSync(): Promise<void> {
    if (this.#syncing) return
    this.#syncing = true
    try {
      while (this.#syncRequested > this.#durableEndOffset && this.#failure === undefined) {
        await this.waitWritten(Math.min(this.#syncRequested, this.#logEndOffset))
        // A segment counts as synced only once an fdatasync that started after its writes completed.
        const covered = this.#writtenEndOffset
        for (const s of this.#segments) if (s.dirty) await s.sync()
        if (covered > this.#durableEndOffset) this.#durableEndOffset = covered
        this.#lastFlushMs = this.#clock.nowMs()
        resolveWaiters(this.#durableWaiters, this.#durableEndOffset)
        if (this.#syncRequested > this.#logEndOffset) this.#syncRequested = this.#logEndOffset
      }
    } catch (error) {
      this.#fail(error)
    } finally {
      this.#syncing = false
    }
  }

  #fail(error: unknown): void {
    if (this.#failure === undefined) {
      this.#failure = error instanceof Error ? error : new Error(String(error))
      if (!(error instanceof ClosedError))
        this.#logger.error('log stopped after an I/O error', { dir: this.dir, error })
    }
    const failed = this.#failedError()
    for (const w of this.#writeWaiters.splice(0)) w.reject(failed)
    for (const w of this.#durableWaiters.splice(0)) w.reject(failed)
  }

  #failedError(): Error {
    return this.#failure instanceof ClosedError
      ? this.#failure
      : new ClosedError(`log ${this.dir} failed`, { cause: this.#failure })
  }

  /** Bytes in the in-memory tail (TailOwner). */
  get tailBytes(): number {
    return this.#tailBytes
  }

  /** Drops the oldest written tail batches down to `targetBytes`; returns the bytes freed (TailOwner). */
  evictTail(targetBytes: number): number {
    const before = this.#tailBytes
    this.#trimTail(targetBytes)
    return before - this.#tailBytes
  }

  /** Gives the tail's memory back to the broker-wide budget and leaves it (close, delete). */
  #releaseTail(): void {
    this.#tailBudget?.change(-this.#tailBytes)
    this.#tailBudget?.unregister(this)
    this.#tail = []
    this.#tailHead = 0
    this.#tailBytes = 0
  }

  #trimTail(limit: number): void {
    const before = this.#tailBytes
    while (this.#tailBytes > limit && this.#tailHead < this.#tail.length) {
      const entry = this.#tail[this.#tailHead]
      // Batches not yet written stay: they are only readable from memory.
      if (entry.endOffset > this.#writtenEndOffset) break
      this.#tailBytes -= entry.batch.length
      this.#tail[this.#tailHead++] = undefined as unknown as TailEntry
    }
    if (this.#tailHead > 1024 && this.#tailHead * 2 > this.#tail.length) {
      this.#tail = this.#tail.slice(this.#tailHead)
      this.#tailHead = 0
    }
    if (this.#tailBytes !== before) this.#tailBudget?.change(this.#tailBytes - before)
  }

  #readTail(fetchOffset: number, maxBytes: number, result: ReadResult): void {
    let low = this.#tailHead
    let high = this.#tail.length - 1
    let start = this.#tailHead
    while (low <= high) {
      const mid = (low + high) >>> 1
      if (this.#tail[mid].baseOffset <= fetchOffset) {
        start = mid
        low = mid + 1
      } else high = mid - 1
    }
    for (let i = start; i < this.#tail.length; i++) {
      const batch = this.#tail[i].batch
      if (result.batches.length > 0 && result.sizeBytes + batch.length > maxBytes) break
      result.batches.push(batch)
      result.sizeBytes += batch.length
    }
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
    result: ReadResult,
  ): Promise<void> {
    const limit = segment.writtenBytes
    let position = segment.index.positionFor(fetchOffset - segment.baseOffset)
    const chunkBytes = Math.min(limit - position, maxBytes + this.#config.indexIntervalBytes + readSlackBytes)
    let chunk = await segment.handle!.read(position, chunkBytes)
    let chunkStart = position
    while (position < limit) {
      let at = position - chunkStart
      if (chunk.length - at < BATCH_HEADER_BYTES) {
        if (result.batches.length > 0) break
        chunkStart = position
        chunk = await segment.handle!.read(position, Math.min(limit - position, maxBytes + readSlackBytes))
        at = 0
        if (chunk.length < BATCH_HEADER_BYTES) break
      }
      const sizeBytes = chunk.readInt32BE(at + BatchOffsets.batchLength) + 12
      const lastOffset = readInt64(chunk, at) + chunk.readInt32BE(at + BatchOffsets.lastOffsetDelta)
      if (lastOffset < fetchOffset) {
        position += sizeBytes
        continue
      }
      if (result.batches.length > 0 && result.sizeBytes + sizeBytes > maxBytes) break
      if (at + sizeBytes > chunk.length) {
        if (result.batches.length > 0) break
        chunkStart = position
        chunk = await segment.handle!.read(
          position,
          Math.max(sizeBytes, Math.min(limit - position, maxBytes)),
        )
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

  /** Deletes the oldest segments while they are below logStartOffset or `expired` says so. */
  async #deleteOldSegments(expired: (segment: LogSegment) => boolean): Promise<number> {
    if (this.#retentionRunning) return 0
    this.#retentionRunning = true
    let deleted = 0
    try {
      for (;;) {
        const [oldest, next] = this.#segments
        // Only sealed segments whose successor has started on disk: those are synced and indexed.
        if (next === undefined || next.handle === undefined || !oldest.indexSaved) break
        if (!(oldest.endOffset <= this.#logStartOffset || expired(oldest))) break
        this.#segments.shift()
        deleted++
        if (next.baseOffset > this.#logStartOffset) {
          this.#logStartOffset = next.baseOffset
          await this.#saveLogStartOffset()
        }
        oldest.deleted = true
        await oldest.drained()
        await dropSegmentFiles(this.#fs, oldest)
        this.#logger.info('deleted segment', { dir: this.dir, baseOffset: oldest.baseOffset })
      }
    } finally {
      this.#retentionRunning = false
    }
    return deleted
  }
}

function addWaiter(waiters: Waiter[], offset: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const waiter = { offset, resolve, reject }
    if (waiters.length === 0 || waiters[waiters.length - 1].offset <= offset) waiters.push(waiter)
    else {
      const at = lastAtOrBelow(
        waiters.map((w) => w.offset),
        offset,
      )
      waiters.splice(at + 1, 0, waiter)
    }
  })
}

function resolveWaiters(waiters: Waiter[], reachedOffset: number): void {
  let n = 0
  while (n < waiters.length && waiters[n].offset <= reachedOffset) n++
  for (const w of waiters.splice(0, n)) w.resolve()
}

async function loadIndex(
  fs: FileSystem,
  segment: LogSegment,
  fileBytes: number,
): Promise<SegmentIndex | undefined> {
  try {
    const [offsets, times] = await Promise.all([
      fs.readFile(segment.indexPath),
      fs.readFile(segment.timeIndexPath),
    ])
    return SegmentIndex.decode(offsets, times, fileBytes)
  } catch {
    return undefined
  }
}

function adoptIndex(segment: LogSegment, index: SegmentIndex, fileBytes: number): void {
  segment.index = index
  segment.sizeBytes = fileBytes
  const last = index.timestamps.length - 1
  if (last >= 0) {
    segment.maxTimestampMs = index.timestamps[last]
    segment.offsetOfMaxTimestamp = segment.baseOffset + index.timeOffsets[last]
    segment.rollBaseMs = index.timestamps[0]
  }
}

/** Scans a segment from `position` (an index entry or 0), rebuilding its indexes from there. */
async function rebuildIndex(
  segment: LogSegment,
  position: number,
  fileBytes: number,
  validate: boolean,
  indexIntervalBytes: number,
): Promise<{ endPosition: number; corrupt: boolean }> {
  if (position === 0) {
    segment.index = new SegmentIndex()
    segment.maxTimestampMs = -1
    segment.offsetOfMaxTimestamp = -1
    segment.rollBaseMs = -1
  }
  segment.bytesSinceIndexEntry = 0
  const expectedOffset = segment.endOffset
  const scan = await scanBatches(segment.handle!, position, fileBytes, { validate, expectedOffset }, (b) => {
    segment.track(b.position, b.baseOffset, b.lastOffset, b.maxTimestampMs, b.sizeBytes, indexIntervalBytes)
    return true
  })
  segment.sizeBytes = scan.endPosition
  return scan
}

/**
 * Recovery of the last segment after an unclean stop: trust its saved index up to the last entry that
 * still points at a batch with the right offset, then validate every batch after it, cut the file at the
 * first torn or corrupt one, and rebuild the index entries beyond that point.
 */
async function recoverActiveSegment(
  log: { dir: string; fs: FileSystem; config: LogConfig; logger: Logger },
  segment: LogSegment,
  index: SegmentIndex | undefined,
  fileBytes: number,
): Promise<void> {
  let startPosition = 0
  segment.endOffset = segment.baseOffset
  if (index !== undefined && index.offsets.length > 0) {
    const entry = index.offsets.length - 1
    const position = index.positions[entry]
    const header = await segment.handle!.read(position, 8)
    if (header.length === 8 && readInt64(header, 0) === segment.baseOffset + index.offsets[entry]) {
      const relative = index.offsets[entry]
      // Time entries at or after the entry's batch are rebuilt by the scan; the offset entry stays.
      index.truncate(Number.MAX_SAFE_INTEGER, relative)
      index.addOffset(relative, position)
      adoptIndex(segment, index, fileBytes)
      startPosition = position
      segment.endOffset = segment.baseOffset + relative
    }
  }
  const scan = await rebuildIndex(segment, startPosition, fileBytes, true, log.config.indexIntervalBytes)
  if (scan.endPosition < fileBytes) {
    log.logger.warn('truncating torn log tail', {
      segment: segment.logPath,
      validBytes: scan.endPosition,
      fileBytes,
    })
    await segment.handle!.truncate(scan.endPosition)
    await segment.handle!.sync()
  }
  segment.sizeBytes = scan.endPosition
}

async function dropSegmentFiles(fs: FileSystem, segment: LogSegment): Promise<void> {
  await segment.handle?.close()
  segment.handle = undefined
  await fs.remove(segment.indexPath)
  await fs.remove(segment.timeIndexPath)
  await fs.remove(segment.logPath)
}

/**
 * Producer state: the saved snapshot when it matches the log end after a clean stop; otherwise the
 * snapshot (if usable) plus a replay of batch headers from its end offset to the log end.
 */
async function loadProducerState(
  fs: FileSystem,
  dir: string,
  segments: LogSegment[],
  clean: boolean,
  logger: Logger,
): Promise<ProducerStateTable> {
  const logEndOffset = segments[segments.length - 1].endOffset
  let table = new ProducerStateTable()
  let fromOffset = segments[0].baseOffset
  try {
    const loaded = ProducerStateTable.fromSnapshot(await fs.readFile(`${dir}/${LogFiles.producerSnapshot}`))
    if (
      loaded !== undefined &&
      loaded.endOffset <= logEndOffset &&
      loaded.endOffset >= segments[0].baseOffset
    ) {
      table = loaded.table
      fromOffset = loaded.endOffset
    }
  } catch {
    // No snapshot: replay from the first segment.
  }
  if (clean && fromOffset === logEndOffset) return table
  let replayed = 0
  for (const segment of segments) {
    if (segment.endOffset <= fromOffset || segment.sizeBytes === 0) continue
    const position =
      fromOffset > segment.baseOffset ? segment.index.positionFor(fromOffset - segment.baseOffset) : 0
    await scanBatches(segment.handle!, position, segment.sizeBytes, { validate: false }, (b) => {
      if (b.lastOffset < fromOffset || b.producerId < 0) return true
      const last = b.baseSequence < 0 ? -1 : lastSequenceOf(b.baseSequence, b.lastOffset - b.baseOffset)
      table.update(
        b.producerId,
        b.producerEpoch,
        b.baseSequence,
        last,
        b.baseOffset,
        b.lastOffset,
        b.maxTimestampMs,
      )
      replayed++
      return true
    })
  }
  if (replayed > 0) logger.debug('rebuilt producer state', { dir, fromOffset, batches: replayed })
  return table
}
