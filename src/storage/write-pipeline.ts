// The write path of a partition log: appended batches queue here, go out as one vectored write per
// segment (one write in flight), and are made durable by group-committed fdatasyncs (one in flight).
// Tracks the written and durable ends and resolves the waiters of each. Knows nothing of offsets' meaning.
import { AssertionError, ClosedError, type Logger } from '../core/index.js'
import type { LogSegment } from './log-segment.js'

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

/** What the pipeline needs from its log. */
export interface WritePipelineHost {
  readonly dir: string
  readonly logger: Logger
  /** The log's segments, oldest first (a sync covers every dirty one). */
  segments(): readonly LogSegment[]
  /** Called before the first write to a segment whose file is not yet open. */
  prepareSegment(segment: LogSegment): Promise<void>
  /** The written end advanced (after a completed write). */
  written(endOffset: number): void
  /** The durable end advanced (after a completed fdatasync). */
  durable(endOffset: number): void
  /** Runs `fn` soon, after the current turn of the event loop (the write kick). */
  schedule(fn: () => void): void
  nowMs(): number
}

/** Offsets are exclusive ends throughout: everything below `writtenEndOffset` has reached the OS. */
export class WritePipeline {
  readonly #host: WritePipelineHost
  #queue: PendingWrite[] = []
  #queuedEndOffset: number
  #writtenEndOffset: number
  #durableEndOffset: number
  #syncRequested: number
  #writing: Promise<void> | undefined
  #writeScheduled = false
  #syncing = false
  #writeWaiters: Waiter[] = []
  #durableWaiters: Waiter[] = []
  #failure: Error | undefined
  #lastSyncMs: number

  constructor(host: WritePipelineHost, endOffset: number) {
    this.#host = host
    this.#queuedEndOffset = endOffset
    this.#writtenEndOffset = endOffset
    this.#durableEndOffset = endOffset
    this.#syncRequested = endOffset
    this.#lastSyncMs = host.nowMs()
  }

  get writtenEndOffset(): number {
    return this.#writtenEndOffset
  }

  get durableEndOffset(): number {
    return this.#durableEndOffset
  }

  /** Epoch ms of the last completed fdatasync (or of opening). */
  get lastSyncMs(): number {
    return this.#lastSyncMs
  }

  /** The error that stopped the pipeline, if any. */
  get failure(): Error | undefined {
    return this.#failure
  }

  /** The write in flight, if any (close waits for it). */
  get writing(): Promise<void> | undefined {
    return this.#writing
  }

  /** Queues a batch to be written at `position` of `segment`; it holds the offsets below `endOffset`. */
  enqueue(segment: LogSegment, position: number, batch: Buffer, endOffset: number): void {
    if (endOffset <= this.#queuedEndOffset)
      throw new AssertionError(`queued offsets ascend: ${endOffset} after ${this.#queuedEndOffset}`)
    this.#queuedEndOffset = endOffset
    this.#queue.push({ segment, position, batch, endOffset })
  }

  /**
   * Starts the next write on a later turn of the event loop rather than at once, so that batches
   * appended by the requests decoded in this turn go out in one vectored write.
   */
  kick(): void {
    if (this.#writing !== undefined || this.#writeScheduled || this.#queue.length === 0) return
    this.#writeScheduled = true
    this.#host.schedule(this.#startScheduled)
  }

  readonly #startScheduled = (): void => {
    this.#writeScheduled = false
    this.#startWriting()
  }

  /** Resolves once every offset below `endOffset` has been handed to the OS. */
  waitWritten(endOffset: number): Promise<void> {
    if (endOffset <= this.#writtenEndOffset) return Promise.resolve()
    if (this.#failure !== undefined) return Promise.reject(this.failedError())
    return addWaiter(this.#writeWaiters, endOffset)
  }

  /** Resolves after an fdatasync that covers every offset below `endOffset` (group commit). */
  waitDurable(endOffset: number): Promise<void> {
    if (endOffset <= this.#durableEndOffset) return Promise.resolve()
    if (this.#failure !== undefined) return Promise.reject(this.failedError())
    const promise = addWaiter(this.#durableWaiters, endOffset)
    this.requestSync(endOffset)
    return promise
  }

  /** Starts (or extends) a group-committed fdatasync up to `endOffset` without waiting for it. */
  requestSync(endOffset: number): void {
    if (endOffset > this.#syncRequested) this.#syncRequested = endOffset
    if (this.#syncRequested > this.#durableEndOffset) void this.#runSync()
  }

  /** Stops the pipeline: queued writes are dropped and every waiter is rejected. */
  fail(error: unknown): void {
    if (this.#failure === undefined) {
      this.#failure = error instanceof Error ? error : new Error(String(error))
      if (!(error instanceof ClosedError))
        this.#host.logger.error('log stopped after an I/O error', { dir: this.#host.dir, error })
    }
    this.#queue = []
    const failed = this.failedError()
    for (const w of this.#writeWaiters.splice(0)) w.reject(failed)
    for (const w of this.#durableWaiters.splice(0)) w.reject(failed)
  }

  failedError(): Error {
    return this.#failure instanceof ClosedError
      ? this.#failure
      : new ClosedError(`log ${this.#host.dir} failed`, { cause: this.#failure })
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
        if (!segment.opened) await this.#host.prepareSegment(segment)
        let position = writes[0].position
        if (position !== segment.writtenBytes)
          throw new AssertionError(`writes continue where the last ended in ${segment.logPath}`)
        const buffers: Buffer[] = []
        for (const w of writes) {
          if (!(w.position === position))
            throw new AssertionError(`writes are contiguous in ${segment.logPath}`)
          position += w.batch.length
          buffers.push(w.batch)
        }
        await segment.write(writes[0].position, buffers)
        segment.writtenBytes = position
        const end = writes[writes.length - 1].endOffset
        if (!(end > this.#writtenEndOffset && end <= this.#queuedEndOffset))
          throw new AssertionError('written end ascends')
        this.#writtenEndOffset = end
        resolveWaiters(this.#writeWaiters, end)
        this.#host.written(end)
      }
    } catch (error) {
      this.fail(error)
    }
  }

  async #runSync(): Promise<void> {
    if (this.#syncing) return
    this.#syncing = true
    try {
      while (this.#syncRequested > this.#durableEndOffset && this.#failure === undefined) {
        await this.waitWritten(Math.min(this.#syncRequested, this.#queuedEndOffset))
        // A segment counts as synced only once an fdatasync that started after its writes completed.
        const covered = this.#writtenEndOffset
        for (const s of this.#host.segments()) if (s.dirty) await s.sync()
        if (covered > this.#durableEndOffset) {
          this.#durableEndOffset = covered
          if (!(this.#durableEndOffset <= this.#writtenEndOffset))
            throw new AssertionError('durable end <= written end')
          resolveWaiters(this.#durableWaiters, covered)
          this.#host.durable(covered)
        }
        this.#lastSyncMs = this.#host.nowMs()
        if (this.#syncRequested > this.#queuedEndOffset) this.#syncRequested = this.#queuedEndOffset
      }
    } catch (error) {
      this.fail(error)
    } finally {
      this.#syncing = false
    }
  }
}

function addWaiter(waiters: Waiter[], offset: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const waiter = { offset, resolve, reject }
    let at = waiters.length
    while (at > 0 && waiters[at - 1].offset > offset) at--
    waiters.splice(at, 0, waiter)
  })
}

function resolveWaiters(waiters: Waiter[], reachedOffset: number): void {
  let n = 0
  while (n < waiters.length && waiters[n].offset <= reachedOffset) n++
  for (const w of waiters.splice(0, n)) w.resolve()
}
