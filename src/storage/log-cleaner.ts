// The log cleaner of a LogManager: every log.cleaner.backoff.ms it cleans the compacted logs that need it,
// filthiest first (highest dirty ratio at or over min.cleanable.dirty.ratio, or a record older than
// max.compaction.lag.ms), one at a time, in the background, within log.cleaner.io.max.bytes.per.second.
// Keeps the counters the metrics show.
import { type Clock, type Logger, silentLogger, type Timer } from '../core/index.js'
import { CLEANER_IO_MAX_BYTES_PER_SECOND_DEFAULT, IoThrottle } from './cleaner-throttle.js'
import { DedupeBufferTooSmallError } from './log-compaction.js'
import { CLEANER_DEDUPE_BUFFER_BYTES_DEFAULT } from './offset-map.js'
import type { PartitionLog } from './partition-log.js'

/** Settings of the cleaner (Kafka's broker configs of the same meaning). */
export interface LogCleanerOptions {
  /** log.cleaner.enable: false leaves compacted logs as written. Default true. */
  enabled?: boolean
  /** log.cleaner.backoff.ms: pause between rounds when nothing is left to clean. Default 15 s. */
  backoffMs?: number
  /** log.cleaner.dedupe.buffer.size: bytes of the key map of one clean. Default 128 MiB. */
  dedupeBufferBytes?: number
  /** log.cleaner.io.max.bytes.per.second: bytes a clean reads plus writes per second. Default unlimited. */
  ioMaxBytesPerSecond?: number
  logger?: Logger
}

/** Default of log.cleaner.backoff.ms (Kafka's). */
export const CLEANER_BACKOFF_MS_DEFAULT = 15_000

/** Counters since start. */
export interface LogCleanerStats {
  cleans: number
  /** Bytes the cleans removed from the logs. */
  bytesReclaimed: number
  recordsRemoved: number
  failures: number
  /** Largest dirty ratio among compacted logs at the last round (0..1). */
  maxDirtyRatio: number
  /** Bytes written over bytes read of the segments rewritten by the last clean (0..1; Kafka's cleaner-recopy-percent). */
  lastRecopyRatio: number
  /** How long the last clean took, throttling included (Kafka's max-clean-time-secs, in ms). */
  lastCleanDurationMs: number
  /** When the last clean finished (epoch ms; 0 before the first). */
  lastCleanEndMs: number
  /** Time cleans waited for the I/O budget. */
  throttledMs: number
}

/** Chooses and cleans compacted logs. All calls from the event loop; one clean at a time. */
export class LogCleaner {
  readonly stats: LogCleanerStats = {
    cleans: 0,
    bytesReclaimed: 0,
    recordsRemoved: 0,
    failures: 0,
    maxDirtyRatio: 0,
    lastRecopyRatio: 0,
    lastCleanDurationMs: 0,
    lastCleanEndMs: 0,
    throttledMs: 0,
  }
  readonly enabled: boolean
  /** Pause between rounds; a change (dynamic log.cleaner.backoff.ms) applies from the next round. */
  #backoffMs: number
  /** Memory of one clean's key map; a change (dynamic log.cleaner.dedupe.buffer.size) applies to the next clean. */
  dedupeBufferBytes: number
  readonly #throttle: IoThrottle
  /** The wait for the I/O budget under way; `stop` ends it at once. */
  #throttled: { timer: Timer; resolve: () => void } | undefined
  readonly #clock: Clock
  readonly #logger: Logger
  readonly #logs: () => Iterable<PartitionLog>
  /** Logs whose last clean failed, and when they may be tried again (epoch ms). */
  readonly #failed = new WeakMap<PartitionLog, number>()
  #timer: Timer | undefined
  #round: Promise<number> | undefined
  #stopped = false

  constructor(clock: Clock, logs: () => Iterable<PartitionLog>, options: LogCleanerOptions = {}) {
    this.#clock = clock
    this.#logs = logs
    this.#logger = options.logger ?? silentLogger
    this.enabled = options.enabled ?? true
    this.#backoffMs = CLEANER_BACKOFF_MS_DEFAULT
    this.backoffMs = options.backoffMs ?? CLEANER_BACKOFF_MS_DEFAULT
    this.dedupeBufferBytes = options.dedupeBufferBytes ?? CLEANER_DEDUPE_BUFFER_BYTES_DEFAULT
    this.#throttle = new IoThrottle()
    this.ioMaxBytesPerSecond = options.ioMaxBytesPerSecond ?? CLEANER_IO_MAX_BYTES_PER_SECOND_DEFAULT
  }

  /** The I/O budget; a change (dynamic log.cleaner.io.max.bytes.per.second) applies from the next window. */
  get ioMaxBytesPerSecond(): number {
    return this.#throttle.bytesPerSecond
  }

  set ioMaxBytesPerSecond(value: number) {
    if (!(value > 0)) throw new RangeError(`log.cleaner.io.max.bytes.per.second ${value} <= 0`)
    this.#throttle.bytesPerSecond = value
  }

  get backoffMs(): number {
    return this.#backoffMs
  }

  set backoffMs(value: number) {
    if (!(value >= 1)) throw new RangeError(`log.cleaner.backoff.ms ${value} < 1`)
    this.#backoffMs = value
  }

  /** Arms the background rounds (nothing when disabled). */
  start(): void {
    if (!this.enabled || this.#stopped) return
    this.#arm()
  }

  /** Stops the rounds and waits for a clean under way (closing a log stops its clean early). */
  async stop(): Promise<void> {
    this.#stopped = true
    this.#timer?.cancel()
    this.#throttled?.timer.cancel()
    this.#throttled?.resolve()
    await this.#round?.catch(() => {})
  }

  /**
   * Cleans every compacted log that needs it now, filthiest first, and returns the number of cleans.
   * Runs even when disabled (tests and tools call it); the timer does not.
   */
  runNow(): Promise<number> {
    if (this.#round !== undefined) return this.#round
    const round = this.#runRound().finally(() => {
      this.#round = undefined
    })
    this.#round = round
    return round
  }

  async #runRound(): Promise<number> {
    let cleans = 0
    const tried = new Set<PartitionLog>()
    while (!this.#stopped) {
      const log = this.#filthiest(tried)
      if (log === undefined) break
      tried.add(log)
      try {
        const startMs = this.#clock.monotonicMs()
        const result = await log.clean({
          dedupeBufferBytes: this.dedupeBufferBytes,
          pause: (ioBytes) => this.#pause(ioBytes),
        })
        if (result === undefined) continue
        cleans++
        this.stats.cleans++
        this.stats.lastCleanDurationMs = this.#clock.monotonicMs() - startMs
        this.stats.lastCleanEndMs = this.#clock.nowMs()
        this.stats.lastRecopyRatio = result.bytesBefore === 0 ? 0 : result.bytesAfter / result.bytesBefore
        this.stats.bytesReclaimed += result.bytesBefore - result.bytesAfter
        this.stats.recordsRemoved += result.recordsRemoved
        this.#logger.info('cleaned log', {
          dir: log.dir,
          endOffset: result.endOffset,
          bytesBefore: result.bytesBefore,
          bytesAfter: result.bytesAfter,
          recordsRemoved: result.recordsRemoved,
        })
        // A map that filled before the dirty end leaves more to clean: the log may come round again.
        tried.delete(log)
      } catch (error) {
        this.stats.failures++
        this.#failed.set(log, this.#clock.nowMs() + 10 * this.backoffMs)
        const level = error instanceof DedupeBufferTooSmallError ? 'warn' : 'error'
        this.#logger[level]('cleaning a log failed', { dir: log.dir, error })
      }
    }
    return cleans
  }

  /** A turn of the event loop between windows of a clean, and the wait the I/O budget asks for. */
  #pause(ioBytes: number): Promise<void> {
    const owedMs = this.#stopped ? 0 : this.#throttle.owedMs(ioBytes, this.#clock.monotonicMs())
    if (owedMs <= 0) return new Promise<void>((resolve) => this.#clock.defer(resolve))
    this.stats.throttledMs += owedMs
    return new Promise<void>((resolve) => {
      const done = () => {
        this.#throttled = undefined
        resolve()
      }
      this.#throttled = { timer: this.#clock.setTimeout(done, owedMs), resolve: done }
    })
  }

  /** The compacted log most in need of a clean, or undefined. */
  #filthiest(skip: ReadonlySet<PartitionLog>): PartitionLog | undefined {
    const nowMs = this.#clock.nowMs()
    let best: PartitionLog | undefined
    let bestRatio = -1
    let maxRatio = 0
    for (const log of this.#logs()) {
      const state = log.cleanableState(nowMs)
      if (state === undefined) continue
      if (state.dirtyRatio > maxRatio) maxRatio = state.dirtyRatio
      if (skip.has(log) || state.dirtyBytes === 0) continue
      if ((this.#failed.get(log) ?? 0) > nowMs) continue
      if (state.dirtyRatio < log.config.minCleanableDirtyRatio && !state.compactionLagExceeded) continue
      // A log past max.compaction.lag.ms goes first, as Kafka does.
      const ratio = state.compactionLagExceeded ? 2 : state.dirtyRatio
      if (ratio > bestRatio) {
        best = log
        bestRatio = ratio
      }
    }
    this.stats.maxDirtyRatio = maxRatio
    return best
  }

  #arm(): void {
    if (this.#stopped) return
    this.#timer = this.#clock.setTimeout(() => {
      void this.runNow()
        .catch((error) => this.#logger.error('log cleaner round failed', { error }))
        .finally(() => this.#arm())
    }, this.backoffMs)
  }
}
