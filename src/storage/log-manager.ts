// Owns every partition log under a data directory (`<dataDir>/<topic>-<partition>/`): opens them at start,
// creates and deletes them, and runs the retention and background-flush timers through the Clock.
import { type Clock, type FileSystem, type Logger, silentLogger, type Timer } from '../core/index.js'
import { defaultMaxOpenFiles, FilePool } from './file-pool.js'
import { LogCleaner, type LogCleanerOptions } from './log-cleaner.js'
import { type LogConfig, resolveLogConfig } from './log-config.js'
import { PartitionLog, type PartitionLogShared } from './partition-log.js'
import { TailBudget } from './tail-budget.js'

/** Options of a LogManager; intervals in ms. */
export interface LogManagerOptions {
  logger?: Logger
  /** How often retention runs (Kafka's log.retention.check.interval.ms); default 5 minutes. */
  retentionCheckIntervalMs?: number
  /** How often logs are checked for a due flushMs flush; default min(flushMs, 1000). */
  flushCheckIntervalMs?: number
  /** Logs opened at once during start-up. */
  openConcurrency?: number
  /** Bytes all logs together keep in their in-memory tails (-1: only each log's maxTailBytes); 64 MiB. */
  tailBudgetBytes?: number
  /** Segment files open at once across all logs (broker setting max-open-segment-files); 1000. */
  maxOpenFiles?: number
  /** Called when a log's high watermark advances (records became visible to fetches). */
  onVisible?: (topic: string, partition: number) => void
  /** The log cleaner of compacted logs (log.cleaner.enable, log.cleaner.backoff.ms, dedupe buffer). */
  cleaner?: LogCleanerOptions
}

/** Default of LogManagerOptions.tailBudgetBytes. */
export const defaultTailBudgetBytes = 64 * 1024 * 1024

/** Directory name of a partition log. Topic names may contain '-': the partition is after the last one. */
export function partitionDirName(topic: string, partition: number): string {
  return `${topic}-${partition}`
}

/** Parses a partition directory name, or returns undefined. */
export function parsePartitionDirName(name: string): { topic: string; partition: number } | undefined {
  const dash = name.lastIndexOf('-')
  if (dash <= 0) return undefined
  const digits = name.slice(dash + 1)
  if (!/^\d+$/.test(digits)) return undefined
  return { topic: name.slice(0, dash), partition: Number(digits) }
}

/** The partition logs of one broker. Timers start at open and stop at close. */
export class LogManager {
  readonly dataDir: string
  readonly defaultConfig: LogConfig
  readonly #fs: FileSystem
  readonly #clock: Clock
  readonly #logger: Logger
  readonly #logs = new Map<string, PartitionLog>()
  readonly #opening = new Map<string, Promise<PartitionLog>>()
  readonly #deleting = new Map<string, Promise<void>>()
  readonly #retentionCheckIntervalMs: number
  readonly #flushCheckIntervalMs: number
  readonly #tailBudget: TailBudget
  readonly #shared: PartitionLogShared
  readonly #onVisible: ((topic: string, partition: number) => void) | undefined
  #retentionTimer: Timer | undefined
  #flushTimer: Timer | undefined
  #closed = false
  /** Compacts logs with cleanup.policy compact in the background. */
  readonly cleaner: LogCleaner

  private constructor(
    fs: FileSystem,
    clock: Clock,
    dataDir: string,
    config: LogConfig,
    options: LogManagerOptions,
  ) {
    this.#fs = fs
    this.#clock = clock
    this.dataDir = dataDir
    this.defaultConfig = config
    this.#logger = options.logger ?? silentLogger
    this.#tailBudget = new TailBudget(options.tailBudgetBytes ?? defaultTailBudgetBytes)
    this.#shared = {
      pool: new FilePool(fs, options.maxOpenFiles ?? defaultMaxOpenFiles),
    }
    this.#onVisible = options.onVisible
    this.cleaner = new LogCleaner(clock, () => this.#logs.values(), {
      logger: this.#logger,
      ...options.cleaner,
    })
    this.#retentionCheckIntervalMs = options.retentionCheckIntervalMs ?? 5 * 60 * 1000
    this.#flushCheckIntervalMs =
      options.flushCheckIntervalMs ??
      (config.flushMs >= 0 ? Math.max(1, Math.min(config.flushMs, 1000)) : 1000)
  }

  /** Opens every partition log found under `dataDir` with `config` and starts the timers. */
  static async open(
    fs: FileSystem,
    clock: Clock,
    dataDir: string,
    config: Partial<LogConfig> = {},
    options: LogManagerOptions = {},
  ): Promise<LogManager> {
    const manager = new LogManager(fs, clock, dataDir, resolveLogConfig(config), options)
    await fs.mkdir(dataDir)
    const names = (await fs.list(dataDir)).filter((n) => parsePartitionDirName(n) !== undefined)
    const concurrency = options.openConcurrency ?? 8
    for (let i = 0; i < names.length; i += concurrency) {
      await Promise.all(
        names.slice(i, i + concurrency).map(async (name) => {
          const log = await PartitionLog.open(
            fs,
            clock,
            `${dataDir}/${name}`,
            manager.defaultConfig,
            manager.#logger,
            manager.#tailBudget,
            manager.#shared,
          )
          manager.#adopt(name, log)
        }),
      )
    }
    manager.#armRetention()
    manager.#armFlush()
    manager.cleaner.start()
    return manager
  }

  /** Bytes held in the in-memory tails of all logs. */
  get tailBytes(): number {
    return this.#tailBudget.usedBytes
  }

  get(topic: string, partition: number): PartitionLog | undefined {
    return this.#logs.get(partitionDirName(topic, partition))
  }

  /** Every open log with its topic and partition. */
  *entries(): IterableIterator<{ topic: string; partition: number; log: PartitionLog }> {
    for (const [name, log] of this.#logs) {
      const parsed = parsePartitionDirName(name)!
      yield { ...parsed, log }
    }
  }

  /**
   * Returns the log, creating (or opening) it with `config` over the defaults if needed. Waits for a
   * delete of the same partition that is under way, so a new log never shares a directory with one
   * being removed.
   */
  async getOrCreate(
    topic: string,
    partition: number,
    config: Partial<LogConfig> = {},
  ): Promise<PartitionLog> {
    const name = partitionDirName(topic, partition)
    const existing = this.#logs.get(name)
    if (existing !== undefined) return existing
    let opening = this.#opening.get(name)
    if (opening === undefined) {
      const deleting = this.#deleting.get(name)
      opening = (async () => {
        if (deleting !== undefined) await deleting
        return PartitionLog.open(
          this.#fs,
          this.#clock,
          `${this.dataDir}/${name}`,
          resolveLogConfig(config, this.defaultConfig),
          this.#logger,
          this.#tailBudget,
          this.#shared,
        )
      })()
      const started = opening
      this.#opening.set(name, started)
      started
        .then((log) => this.#adopt(name, log))
        .catch(() => {})
        .finally(() => {
          if (this.#opening.get(name) === started) this.#opening.delete(name)
        })
    }
    return opening
  }

  /**
   * Deletes a partition's log and its directory; no error if it does not exist. An open of the same
   * partition under way finishes first and its log is deleted too, so nothing is left half-created.
   */
  async delete(topic: string, partition: number): Promise<void> {
    const name = partitionDirName(topic, partition)
    const previous = this.#deleting.get(name)
    const task = (async () => {
      await previous
      const opening = this.#opening.get(name)
      if (opening !== undefined) await opening.catch(() => {})
      const log = this.#logs.get(name)
      this.#logs.delete(name)
      if (log !== undefined) await log.delete()
      else await this.#fs.remove(`${this.dataDir}/${name}`)
    })()
    this.#deleting.set(name, task)
    try {
      await task
    } finally {
      if (this.#deleting.get(name) === task) this.#deleting.delete(name)
    }
  }

  /** Segment files open now (within maxOpenFiles). */
  get openFiles(): number {
    return this.#shared.pool!.openCount
  }

  #adopt(name: string, log: PartitionLog): void {
    this.#logs.set(name, log)
    const onVisible = this.#onVisible
    if (onVisible !== undefined) {
      const { topic, partition } = parsePartitionDirName(name)!
      log.setVisibilityListener(() => onVisible(topic, partition))
    }
  }

  /**
   * Applies retention to every log now, and expires idempotent producers not seen for
   * producer.id.expiration.ms; returns the number of segments deleted.
   */
  async runRetention(): Promise<number> {
    let deleted = 0
    const nowMs = this.#clock.nowMs()
    for (const log of this.#logs.values()) {
      log.expireProducers(nowMs)
      try {
        deleted += await log.applyRetention(nowMs)
      } catch (error) {
        this.#logger.error('retention failed', { dir: log.dir, error })
      }
    }
    return deleted
  }

  /** Starts an fdatasync on every log whose flushMs has elapsed since its last one. */
  flushDue(): Promise<void>[] {
    const nowMs = this.#clock.nowMs()
    const started: Promise<void>[] = []
    for (const log of this.#logs.values()) {
      const { flushMs } = log.config
      if (flushMs < 0 || !log.hasUnflushed || nowMs - log.lastFlushMs < flushMs) continue
      started.push(
        log.flush().catch((error) => {
          // A log deleted meanwhile (its topic was deleted) has nothing left to flush.
          if (!log.deleted) this.#logger.error('background flush failed', { dir: log.dir, error })
        }),
      )
    }
    return started
  }

  /** Stops the timers and closes every log cleanly. */
  async close(): Promise<void> {
    this.#closed = true
    this.#retentionTimer?.cancel()
    this.#flushTimer?.cancel()
    const cleanerStopped = this.cleaner.stop()
    await Promise.all([...this.#opening.values()].map((p) => p.catch(() => {})))
    await Promise.all([...this.#deleting.values()].map((p) => p.catch(() => {})))
    const logs = [...this.#logs.values()]
    this.#logs.clear()
    await Promise.all(logs.map((log) => log.close()))
    await cleanerStopped
  }

  #armRetention(): void {
    if (this.#closed) return
    this.#retentionTimer = this.#clock.setTimeout(() => {
      void this.runRetention().finally(() => this.#armRetention())
    }, this.#retentionCheckIntervalMs)
  }

  #armFlush(): void {
    if (this.#closed) return
    this.#flushTimer = this.#clock.setTimeout(() => {
      this.flushDue()
      this.#armFlush()
    }, this.#flushCheckIntervalMs)
  }
}
