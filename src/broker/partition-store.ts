// Partition logs by topic and partition, kept in step with the topic registry: creating a topic or
// adding partitions opens logs, deleting a topic deletes them, config changes reach the logs. Also the
// wake-up point for long-polling fetches, and the timers for background flush and retention.
import type { Clock, FileSystem, Logger, Timer } from '../core/index.js'
import type { TopicChange, TopicMetadata, TopicRegistry } from '../metadata/index.js'
import { type LogConfig, PartitionLog } from '../storage/index.js'

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
  /** How often retention runs, in ms. */
  retentionCheckIntervalMs?: number
}

type Waiter = () => void

export class PartitionStore {
  private readonly options: PartitionStoreOptions
  private readonly logs = new Map<string, PartitionLog | Promise<PartitionLog>>()
  private readonly waiters = new Set<Waiter>()
  private readonly unsubscribe: () => void
  private pending: Promise<unknown> = Promise.resolve()
  private retentionTimer: Timer | undefined
  private flushTimer: Timer | undefined
  private closed = false

  private constructor(options: PartitionStoreOptions) {
    this.options = options
    this.unsubscribe = options.topics.subscribe((change) => this.onChange(change))
  }

  /** Opens the logs of every registered topic and starts the retention timer. */
  static async open(options: PartitionStoreOptions): Promise<PartitionStore> {
    const store = new PartitionStore(options)
    await options.fs.mkdir(options.logsDir)
    const opening: Promise<unknown>[] = []
    for (const topic of options.topics.topics()) {
      for (let p = 0; p < topic.partitionCount; p++) opening.push(store.openLog(topic, p))
    }
    await Promise.all(opening)
    await store.removeOrphans()
    store.scheduleRetention()
    store.scheduleFlush()
    return store
  }

  private key(topic: string, partition: number): string {
    return `${topic}\u0000${partition}`
  }

  private dirOf(topic: TopicMetadata, partition: number): string {
    return `${this.options.logsDir}/${topic.name}-${partition}`
  }

  private logConfig(topic: TopicMetadata): Partial<LogConfig> {
    const settings = this.options.topics.logSettings(topic.name)
    if (settings === undefined) return {}
    return {
      segmentBytes: settings.segmentBytes,
      segmentMs: settings.segmentMs,
      retentionMs: settings.retentionMs,
      retentionBytes: settings.retentionBytes,
      indexIntervalBytes: settings.indexIntervalBytes,
      flushMs: settings.flushMs >= NEVER ? this.options.flushIntervalMs : settings.flushMs,
      flushMessages: settings.flushMessages >= NEVER ? -1 : settings.flushMessages,
    }
  }

  private openLog(topic: TopicMetadata, partition: number): Promise<PartitionLog> {
    const key = this.key(topic.name, partition)
    const existing = this.logs.get(key)
    if (existing !== undefined) return Promise.resolve(existing)
    const opening = PartitionLog.open(
      this.options.fs,
      this.options.clock,
      this.dirOf(topic, partition),
      this.logConfig(topic),
      this.options.logger.child({ topic: topic.name, partition }),
    ).then((log) => {
      if (this.logs.get(key) === opening) this.logs.set(key, log)
      return log
    })
    this.logs.set(key, opening)
    return opening
  }

  private onChange(change: TopicChange): void {
    const { topic } = change
    const task = async () => {
      switch (change.type) {
        case 'created':
          for (let p = 0; p < topic.partitionCount; p++) await this.openLog(topic, p)
          break
        case 'partitions-added':
          for (let p = change.previousPartitionCount; p < topic.partitionCount; p++)
            await this.openLog(topic, p)
          break
        case 'deleted':
          for (let p = 0; p < topic.partitionCount; p++) {
            const key = this.key(topic.name, p)
            const log = this.logs.get(key)
            this.logs.delete(key)
            if (log !== undefined) await (await log).delete()
          }
          break
        case 'configs-changed': {
          const config = this.logConfig(topic)
          for (let p = 0; p < topic.partitionCount; p++) {
            const log = this.logs.get(this.key(topic.name, p))
            if (log !== undefined) (await log).setConfig(config)
          }
          break
        }
      }
    }
    this.pending = this.pending.then(task).catch((error) => {
      this.options.logger.error('applying a topic change to the logs failed', { topic: topic.name, error })
    })
  }

  /** Resolves once every registry change so far has reached the logs. */
  settled(): Promise<void> {
    return this.pending.then(() => {})
  }

  /** The log of a partition; waits while it is being opened. Undefined if the partition does not exist. */
  async log(topic: string, partition: number): Promise<PartitionLog | undefined> {
    let log = this.logs.get(this.key(topic, partition))
    if (log === undefined) {
      const meta = this.options.topics.topic(topic)
      if (meta === undefined || partition < 0 || partition >= meta.partitionCount) return undefined
      // The registry knows the partition but its change has not reached us yet.
      await this.settled()
      log = this.logs.get(this.key(topic, partition))
      if (log === undefined) log = this.openLog(meta, partition)
    }
    return log
  }

  /** The log of a partition if it is open now, without waiting. */
  openLogNow(topic: string, partition: number): PartitionLog | undefined {
    const log = this.logs.get(this.key(topic, partition))
    return log instanceof PartitionLog ? log : undefined
  }

  /** Wakes long-polling fetches: data was appended somewhere. */
  notifyAppended(): void {
    if (this.waiters.size === 0) return
    const waiters = [...this.waiters]
    this.waiters.clear()
    for (const waiter of waiters) waiter()
  }

  /** Resolves on the next append anywhere, or after `timeoutMs`. */
  waitForAppend(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      let timer: Timer | undefined
      const waiter = () => {
        timer?.cancel()
        resolve()
      }
      this.waiters.add(waiter)
      timer = this.options.clock.setTimeout(() => {
        this.waiters.delete(waiter)
        resolve()
      }, timeoutMs)
    })
  }

  private scheduleRetention(): void {
    if (this.closed) return
    const interval = this.options.retentionCheckIntervalMs ?? 300000
    this.retentionTimer = this.options.clock.setTimeout(async () => {
      const now = this.options.clock.nowMs()
      for (const log of this.logs.values()) {
        if (!(log instanceof PartitionLog)) continue
        try {
          await log.applyRetention(now)
        } catch (error) {
          this.options.logger.error('retention failed', { dir: log.dir, error })
        }
      }
      this.scheduleRetention()
    }, interval)
  }

  /** Background fdatasync of logs whose data was acknowledged before being durable (acks 0 and 1). */
  private scheduleFlush(): void {
    if (this.closed) return
    const tickMs = Math.max(10, Math.min(1000, this.options.flushIntervalMs))
    this.flushTimer = this.options.clock.setTimeout(() => {
      const now = this.options.clock.nowMs()
      for (const log of this.logs.values()) {
        if (!(log instanceof PartitionLog) || !log.hasUnflushed) continue
        const flushMs = log.config.flushMs
        if (flushMs >= 0 && now - log.lastFlushMs >= flushMs) {
          log
            .flush()
            .catch((error) => this.options.logger.error('background flush failed', { dir: log.dir, error }))
        }
      }
      this.scheduleFlush()
    }, tickMs)
  }

  /** Directories of partitions no topic owns any more (a delete interrupted by a crash). */
  private async removeOrphans(): Promise<void> {
    const known = new Set<string>()
    for (const topic of this.options.topics.topics()) {
      for (let p = 0; p < topic.partitionCount; p++) known.add(`${topic.name}-${p}`)
    }
    for (const name of await this.options.fs.list(this.options.logsDir)) {
      if (!known.has(name)) {
        this.options.logger.warn('removing the log of a deleted partition', { dir: name })
        await this.options.fs.remove(`${this.options.logsDir}/${name}`)
      }
    }
  }

  /** Flushes and closes every log. */
  async close(): Promise<void> {
    this.closed = true
    this.retentionTimer?.cancel()
    this.flushTimer?.cancel()
    this.unsubscribe()
    await this.settled()
    this.notifyAppended()
    for (const log of this.logs.values()) await (await log).close()
    this.logs.clear()
  }
}
