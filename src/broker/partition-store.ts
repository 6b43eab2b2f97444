// Partition logs by topic and partition, kept in step with the topic registry: creating a topic or
// adding partitions opens logs, deleting a topic deletes them, config changes reach the logs. The logs
// themselves, with their flush and retention timers, belong to storage's LogManager. Also the wake-up
// point for long-polling fetches.
import type { Clock, FileSystem, Logger, Timer, VolumeSpace } from '../core/index.js'
import type { TopicChange, TopicLogSettings, TopicMetadata, TopicRegistry } from '../metadata/index.js'
import { ErrorCode } from '../protocol/index.js'
import {
  type LogCleanerOptions,
  type LogCleanerStats,
  type LogConfig,
  LogManager,
  type PartitionLog,
  type TxnMarker,
} from '../storage/index.js'

/** Values at or above this are Kafka's "never" (Long.MAX_VALUE) for flush.ms and flush.messages. */
const NEVER = 2 ** 53

export interface PartitionStoreOptions {
  fs: FileSystem
  clock: Clock
  logger: Logger
  topics: TopicRegistry
  /** Directory holding one sub-directory per partition. */
  logsDir: string
  /** Background flush interval when the topic's flush.ms is Kafka's default (never). */
  flushIntervalMs: number
  /** How often retention (and producer-id expiry) runs, in ms. */
  retentionCheckIntervalMs?: number
  /** Idempotent producer state is forgotten this long after a producer's last append (producer.id.expiration.ms). */
  producerIdExpirationMs?: number
  /** Segment files open at once across all partitions (max-open-segment-files). */
  maxOpenFiles?: number
  /** The log cleaner (log.cleaner.enable, log.cleaner.backoff.ms, log.cleaner.dedupe.buffer.size). */
  cleaner?: LogCleanerOptions
}

type Waiter = () => void

function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`
}

export class PartitionStore {
  private readonly options: PartitionStoreOptions
  // Set once LogManager.open returns; its logs report visibility only after that.
  private manager!: LogManager
  /** Long-polling fetches by the partitions they read; a waiter sits in the set of each of its partitions. */
  private readonly waiters = new Map<string, Set<Waiter>>()
  private readonly settingsCache = new Map<string, TopicLogSettings>()
  private unsubscribe: () => void = () => {}
  /**
   * Registry changes still reaching the logs, chained per topic name: a change waits only for earlier
   * changes of its own topic, and so does the first produce or fetch to a partition.
   */
  private readonly pendingByTopic = new Map<string, Promise<void>>()
  /** The topic id each open log was created for: a topic deleted and created again is another log. */
  private readonly incarnations = new Map<string, string>()
  private closing = false

  private constructor(options: PartitionStoreOptions) {
    this.options = options
  }

  /**
   * Opens every log on disk, deletes those no topic owns (a delete cut short by a crash), creates the
   * ones a topic should have but lacks (a create cut short), and applies each topic's config.
   */
  static async open(options: PartitionStoreOptions): Promise<PartitionStore> {
    const store = new PartitionStore(options)
    const defaults: Partial<LogConfig> = { flushMs: options.flushIntervalMs }
    if (options.producerIdExpirationMs !== undefined)
      defaults.producerIdExpirationMs = options.producerIdExpirationMs
    const manager = await LogManager.open(options.fs, options.clock, options.logsDir, defaults, {
      logger: options.logger,
      retentionCheckIntervalMs: options.retentionCheckIntervalMs,
      maxOpenFiles: options.maxOpenFiles,
      cleaner: options.cleaner,
      onVisible: (topic, partition) => store.notifyVisible(topic, partition),
    })
    store.manager = manager
    store.unsubscribe = options.topics.subscribe((change) => store.onChange(change))
    for (const { topic, partition } of [...manager.entries()]) {
      const meta = options.topics.topic(topic)
      if (meta === undefined || partition >= meta.partitionCount) {
        options.logger.warn('removing the log of a deleted partition', { topic, partition })
        await manager.delete(topic, partition)
      }
    }
    for (const topic of options.topics.topics()) {
      const config = store.logConfig(topic)
      for (let p = 0; p < topic.partitionCount; p++) (await store.openLog(topic, p, config)).setConfig(config)
    }
    return store
  }

  /**
   * The topic's effective log settings, cached: resolving them walks every config, too slow for each
   * produce. Any change to the topic drops the cached value.
   */
  settings(topic: string): TopicLogSettings | undefined {
    let settings = this.settingsCache.get(topic)
    if (settings === undefined) {
      settings = this.options.topics.logSettings(topic)
      if (settings !== undefined) this.settingsCache.set(topic, settings)
    }
    return settings
  }

  private logConfig(topic: TopicMetadata): Partial<LogConfig> {
    const settings = this.settings(topic.name)
    if (settings === undefined) return {}
    return {
      fetchFsyncedOnly: settings.fetchFsyncedOnly,
      segmentBytes: settings.segmentBytes,
      segmentMs: settings.segmentMs,
      segmentJitterMs: Math.min(settings.segmentJitterMs, Number.MAX_SAFE_INTEGER),
      segmentIndexBytes: settings.segmentIndexBytes,
      fileDeleteDelayMs: Math.min(settings.fileDeleteDelayMs, Number.MAX_SAFE_INTEGER),
      retentionMs: settings.retentionMs,
      retentionBytes: settings.retentionBytes,
      indexIntervalBytes: settings.indexIntervalBytes,
      flushMs: settings.flushMs >= NEVER ? this.options.flushIntervalMs : settings.flushMs,
      flushMessages: settings.flushMessages >= NEVER ? -1 : settings.flushMessages,
      cleanupPolicyCompact: settings.cleanupPolicyCompact,
      cleanupPolicyDelete: settings.cleanupPolicyDelete,
      deleteRetentionMs: settings.deleteRetentionMs,
      minCleanableDirtyRatio: settings.minCleanableDirtyRatio,
      minCompactionLagMs: settings.minCompactionLagMs,
      maxCompactionLagMs: Math.min(settings.maxCompactionLagMs, Number.MAX_SAFE_INTEGER),
      ...(this.options.producerIdExpirationMs !== undefined
        ? { producerIdExpirationMs: this.options.producerIdExpirationMs }
        : {}),
    }
  }

  /** The cleaner's current pause between rounds and key-map memory (what `reconfigure` last set). */
  get cleanerSettings(): { readonly backoffMs: number; readonly dedupeBufferBytes: number } {
    const { backoffMs, dedupeBufferBytes } = this.manager.cleaner
    return { backoffMs, dedupeBufferBytes }
  }

  /** The cleaner's counters since start (metrics read them). */
  get cleanerStats(): LogCleanerStats {
    return this.manager.cleaner.stats
  }

  /** The cleaner's current I/O budget (log.cleaner.io.max.bytes.per.second). */
  get cleanerIoMaxBytesPerSecond(): number {
    return this.manager.cleaner.ioMaxBytesPerSecond
  }

  /**
   * Applies changed broker-wide settings (dynamic broker configs) live: the cleaner's pause and key-map
   * memory from its next round, its I/O budget from its next window, producer-id expiry from each log's next config (the registry then sends
   * every topic's configs-changed).
   */
  reconfigure(settings: {
    readonly cleanerBackoffMs: number
    readonly cleanerDedupeBufferBytes: number
    readonly cleanerIoMaxBytesPerSecond: number
    readonly producerIdExpirationMs: number
  }): void {
    this.manager.cleaner.ioMaxBytesPerSecond = settings.cleanerIoMaxBytesPerSecond
    this.manager.cleaner.backoffMs = settings.cleanerBackoffMs
    this.manager.cleaner.dedupeBufferBytes = settings.cleanerDedupeBufferBytes
    this.options.producerIdExpirationMs = settings.producerIdExpirationMs
  }

  private onChange(change: TopicChange): void {
    const { topic } = change
    this.settingsCache.delete(topic.name)
    const task = async () => {
      const config = this.logConfig(topic)
      switch (change.type) {
        case 'created':
          for (let p = 0; p < topic.partitionCount; p++) await this.openLog(topic, p, config)
          break
        case 'partitions-added':
          for (let p = change.previousPartitionCount; p < topic.partitionCount; p++) {
            await this.openLog(topic, p, config)
          }
          break
        case 'deleted':
          for (let p = 0; p < topic.partitionCount; p++) {
            this.incarnations.delete(partitionKey(topic.name, p))
            await this.manager.delete(topic.name, p)
          }
          break
        case 'configs-changed':
          for (let p = 0; p < topic.partitionCount; p++) this.manager.get(topic.name, p)?.setConfig(config)
          break
      }
    }
    const previous = this.pendingByTopic.get(topic.name) ?? Promise.resolve()
    const run = previous.then(task).catch((error) => {
      this.options.logger.error('applying a topic change to the logs failed', { topic: topic.name, error })
    })
    this.pendingByTopic.set(topic.name, run)
    run.then(() => {
      if (this.pendingByTopic.get(topic.name) === run) this.pendingByTopic.delete(topic.name)
    })
  }

  /** Opens (or creates) a partition's log for this incarnation of the topic. */
  private async openLog(
    topic: TopicMetadata,
    partition: number,
    config: Partial<LogConfig>,
  ): Promise<PartitionLog> {
    const log = await this.manager.getOrCreate(topic.name, partition, config)
    this.incarnations.set(partitionKey(topic.name, partition), topic.topicId)
    return log
  }

  /** Resolves once every registry change so far has reached the logs. */
  async settled(): Promise<void> {
    await Promise.all(this.pendingByTopic.values())
  }

  /** Resolves once every change so far to topic `name` has reached the logs. */
  topicSettled(name: string): Promise<void> {
    return this.pendingByTopic.get(name) ?? Promise.resolve()
  }

  /**
   * The log of a partition; undefined if the partition does not exist. When the registry has a change
   * for this topic that has not reached the logs yet (a create, or a delete and create again of the same
   * name), waits for that change only, so that records never go to the log of a deleted incarnation.
   */
  async log(topic: string, partition: number): Promise<PartitionLog | undefined> {
    const meta = this.options.topics.topic(topic)
    if (meta === undefined || partition < 0 || partition >= meta.partitionCount) return undefined
    const key = partitionKey(topic, partition)
    const open = this.manager.get(topic, partition)
    if (open !== undefined && !open.deleted && this.incarnations.get(key) === meta.topicId) return open
    // The registry knows the partition but its change has not reached the logs yet; changes to other
    // topics (a slow creation of many partitions, a deletion) are not waited for.
    await this.topicSettled(topic)
    const now = this.options.topics.topic(topic)
    if (now === undefined || partition >= now.partitionCount) return undefined
    const applied = this.manager.get(topic, partition)
    if (applied !== undefined && !applied.deleted && this.incarnations.get(key) === now.topicId)
      return applied
    if (this.closing) return undefined
    // Known to the registry but without a log (e.g. opening it failed before): open it in the topic's
    // change order.
    const previous = this.pendingByTopic.get(topic) ?? Promise.resolve()
    const opened = previous.then(() => this.openLog(now, partition, this.logConfig(now)))
    const run = opened.then(
      () => {},
      () => {},
    )
    this.pendingByTopic.set(topic, run)
    run.then(() => {
      if (this.pendingByTopic.get(topic) === run) this.pendingByTopic.delete(topic)
    })
    const log = await opened
    return log.deleted ? undefined : log
  }

  /**
   * Appends a transaction marker to a partition and resolves with a Kafka error code once it is durable
   * (an fdatasync covers it): NONE, UNKNOWN_TOPIC_OR_PARTITION (no such partition, or deleted meanwhile),
   * INVALID_PRODUCER_EPOCH (an epoch older than the partition's producer state knows) or
   * KAFKA_STORAGE_ERROR (the log failed). Never rejects.
   */
  async writeTxnMarker(topic: string, partition: number, marker: TxnMarker): Promise<number> {
    let log: PartitionLog | undefined
    try {
      log = await this.log(topic, partition)
      if (log === undefined) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
      const result = log.appendMarker(marker)
      if (result.status === 'invalidEpoch') return ErrorCode.INVALID_PRODUCER_EPOCH
      if (result.status === 'coordinatorFenced') return ErrorCode.TRANSACTION_COORDINATOR_FENCED
      await log.waitDurable(result.lastOffset + 1)
      return ErrorCode.NONE
    } catch (error) {
      if (log?.deleted) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
      this.options.logger.warn('writing a transaction marker failed', { topic, partition, error })
      return ErrorCode.KAFKA_STORAGE_ERROR
    }
  }

  /** The directory holding one sub-directory per partition: Kafka's log directory. */
  get logsDir(): string {
    return this.options.logsDir
  }

  /** The sizes of the volume holding the partition logs (DescribeLogDirs' TotalBytes, UsableBytes). */
  volumeSpace(): Promise<VolumeSpace> {
    return this.options.fs.volumeSpace(this.options.logsDir)
  }

  /** Wakes the long-polling fetches waiting on this partition: its high watermark advanced. */
  notifyVisible(topic: string, partition: number): void {
    const key = partitionKey(topic, partition)
    const waiting = this.waiters.get(key)
    if (waiting === undefined) return
    this.waiters.delete(key)
    for (const waiter of waiting) waiter()
  }

  /** True once close has begun: long polls must answer with what they have. */
  get isClosing(): boolean {
    return this.closing
  }

  /**
   * Resolves when the high watermark of one of `partitions` (topic, partition pairs) next advances, after
   * `timeoutMs`, or at once when closing or when `signal` aborts (the requesting connection closed). Only
   * the fetches reading a partition wake on its records.
   */
  waitForAppend(
    partitions: readonly (readonly [string, number])[],
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<void> {
    if (this.closing || partitions.length === 0 || signal?.aborted) return Promise.resolve()
    return new Promise((resolve) => {
      const keys = partitions.map(([topic, partition]) => partitionKey(topic, partition))
      let timer: Timer | undefined
      const done: Waiter = () => {
        timer?.cancel()
        signal?.removeEventListener('abort', done)
        for (const key of keys) {
          const waiting = this.waiters.get(key)
          waiting?.delete(done)
          if (waiting?.size === 0) this.waiters.delete(key)
        }
        resolve()
      }
      for (const key of keys) {
        let waiting = this.waiters.get(key)
        if (waiting === undefined) this.waiters.set(key, (waiting = new Set()))
        waiting.add(done)
      }
      timer = this.options.clock.setTimeout(done, timeoutMs)
      signal?.addEventListener('abort', done, { once: true })
    })
  }

  /** Flushes and closes every log. */
  async close(): Promise<void> {
    this.closing = true
    this.unsubscribe()
    await this.settled()
    for (const waiting of [...this.waiters.values()]) for (const waiter of [...waiting]) waiter()
    await this.manager.close()
  }
}
