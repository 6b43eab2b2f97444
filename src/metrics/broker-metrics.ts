// Prometheus metrics of one broker process: subscribes to the broker's diagnostics channels (core/
// diagnostics.ts), counts into prom-client metrics, and computes consumer-group lag when scraped.
import diagnostics from 'node:diagnostics_channel'
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import {
  type ConnectionEvent,
  type DeadLettersEvent,
  type FsyncEvent,
  type RecordsEvent,
  type RequestEvent,
  brookChannels,
} from '../core/index.js'
import { apiKeyName } from '../protocol/index.js'

/** Label of the topics beyond `topicsMax`: their records and bytes are summed under it. */
export const OTHER_TOPIC_LABEL = '_other'

/** Label of the share groups beyond `groupsMax` in counters: their counts are summed under it. */
export const OTHER_GROUP_LABEL = '_other'

/** Committed offsets and high watermarks, read when /metrics is scraped (main.ts wires the broker in). */
export interface LagSource {
  /** Every consumer group's id. */
  groupIds(): readonly string[]
  /** The group's committed offsets (offset -1: nothing committed). */
  committedOffsets(groupId: string): readonly { topic: string; partition: number; offset: number }[]
  /** The partition's high watermark; undefined when the partition no longer exists. */
  highWatermark(topic: string, partition: number): Promise<number | undefined>
}

/** One share group (queue) as read when /metrics is scraped; counts are records. */
export interface ShareGroupStats {
  readonly groupId: string
  readonly members: number
  readonly partitions: readonly {
    readonly topic: string
    readonly partition: number
    /** Waiting to be delivered (available again, or never delivered yet). */
    readonly available: number
    /** Acquired by a consumer and not yet acknowledged. */
    readonly inFlight: number
    /** At or past the share start offset and not yet acknowledged or archived. */
    readonly lag: number
  }[]
}

/** Share groups (queues), read when /metrics is scraped. */
export interface ShareSource {
  /** Share groups in id order, at most `groupsMax`. */
  groups(groupsMax: number): Promise<readonly ShareGroupStats[]>
  /** How many share groups there are. */
  groupCount(): number
}

/** The log cleaner's counters since start, read when /metrics is scraped (storage's LogCleanerStats). */
export interface CleanerStats {
  readonly cleans: number
  readonly failures: number
  readonly bytesReclaimed: number
  readonly recordsRemoved: number
  /** 0..1 */
  readonly maxDirtyRatio: number
  /** 0..1 */
  readonly lastRecopyRatio: number
  readonly lastCleanDurationMs: number
  /** Epoch ms; 0 before the first clean. */
  readonly lastCleanEndMs: number
  readonly throttledMs: number
}

/** The log cleaner, read when /metrics is scraped. */
export interface CleanerSource {
  /** Undefined while the broker is not running. */
  stats(): CleanerStats | undefined
}

export interface BrokerMetricsOptions {
  /** Topics that get their own `topic` label (metrics-topics-max); later ones count as `_other`. */
  topicsMax: number
  /** Groups whose lag is reported at one scrape (metrics-groups-max). */
  groupsMax: number
  lag?: LagSource
  shares?: ShareSource
  cleaner?: CleanerSource
  /** Process memory, CPU and event-loop delay from prom-client (default true; off in unit tests). */
  defaultMetrics?: boolean
}

const requestBucketsSeconds = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
]
const fsyncBucketsSeconds = [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5]

/** The registry and its subscriptions; `close` unsubscribes. */
export class BrokerMetrics {
  readonly registry = new Registry()
  readonly #topics = new Set<string>()
  readonly #options: BrokerMetricsOptions
  readonly #unsubscribe: (() => void)[] = []
  readonly #recordsIn: Counter<'topic'>
  readonly #bytesIn: Counter<'topic'>
  readonly #recordsOut: Counter<'topic'>
  readonly #bytesOut: Counter<'topic'>
  readonly #requests: Counter<'api' | 'error'>
  readonly #requestSeconds: Histogram<'api'>
  readonly #fsyncSeconds: Histogram
  readonly #connections: Gauge
  readonly #connectionsOpened: Counter
  readonly #deadLetters: Counter<'group' | 'reason'>
  readonly #groups = new Set<string>()

  constructor(options: BrokerMetricsOptions) {
    this.#options = options
    const registers = [this.registry]
    const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
      new Counter<L>({ name, help, labelNames, registers })
    this.#recordsIn = counter('brook_records_in_total', 'Records appended by Produce, per topic.', ['topic'])
    this.#bytesIn = counter('brook_bytes_in_total', 'Record batch bytes appended by Produce, per topic.', [
      'topic',
    ])
    this.#recordsOut = counter('brook_records_out_total', 'Records returned by Fetch, per topic.', ['topic'])
    this.#bytesOut = counter('brook_bytes_out_total', 'Record batch bytes returned by Fetch, per topic.', [
      'topic',
    ])
    this.#requests = counter('brook_requests_total', 'Requests answered, per API and top-level error.', [
      'api',
      'error',
    ])
    this.#requestSeconds = new Histogram({
      name: 'brook_request_duration_seconds',
      help: 'Time from a request frame to its answer (Fetch includes its long-poll wait), per API.',
      labelNames: ['api'],
      buckets: requestBucketsSeconds,
      registers,
    })
    this.#fsyncSeconds = new Histogram({
      name: 'brook_fsync_duration_seconds',
      help: 'Duration of fdatasync of partition segment files.',
      buckets: fsyncBucketsSeconds,
      registers,
    })
    this.#connections = new Gauge({ name: 'brook_connections', help: 'Open client connections.', registers })
    this.#connectionsOpened = new Counter({
      name: 'brook_connections_opened_total',
      help: 'Client connections accepted.',
      registers,
    })
    const source = options.lag
    const untracked: Gauge = new Gauge({
      name: 'brook_consumer_groups_untracked',
      help: 'Consumer groups beyond metrics-groups-max, whose lag is not reported.',
      registers,
      collect: () => untracked.set(Math.max(0, (source?.groupIds().length ?? 0) - options.groupsMax)),
    })
    // prom-client awaits `collect` on each scrape: the lag is read then, not kept between scrapes.
    const lag: Gauge<'group' | 'topic' | 'partition'> = new Gauge({
      name: 'brook_consumer_group_lag',
      help: 'High watermark minus committed offset, per consumer group and partition with a commit.',
      labelNames: ['group', 'topic', 'partition'],
      registers,
      collect: async () => {
        lag.reset()
        if (source === undefined) return
        for (const group of source.groupIds().slice(0, options.groupsMax)) {
          for (const c of source.committedOffsets(group)) {
            if (c.offset < 0) continue
            const end = await source.highWatermark(c.topic, c.partition)
            if (end === undefined) continue
            lag.set({ group, topic: c.topic, partition: String(c.partition) }, Math.max(0, end - c.offset))
          }
        }
      },
    })
    const shares = options.shares
    // One read of the share groups per scrape, shared by the gauges below (prom-client collects each).
    let shareRead: Promise<readonly ShareGroupStats[]> | undefined
    const readShares = (): Promise<readonly ShareGroupStats[]> => {
      if (shareRead === undefined) {
        shareRead = shares?.groups(options.groupsMax) ?? Promise.resolve([])
        const clear = () => {
          shareRead = undefined
        }
        shareRead.then(clear, clear)
      }
      return shareRead
    }
    const perGroup = (name: string, help: string, value: (g: ShareGroupStats) => number) => {
      const gauge: Gauge<'group'> = new Gauge({
        name,
        help,
        labelNames: ['group'],
        registers,
        collect: async () => {
          gauge.reset()
          for (const group of await readShares()) gauge.set({ group: group.groupId }, value(group))
        },
      })
    }
    const sum = (g: ShareGroupStats, field: 'available' | 'inFlight') =>
      g.partitions.reduce((total, p) => total + p[field], 0)
    perGroup(
      'brook_share_group_records_in_flight',
      'Records acquired and not yet acknowledged, per share group (at most metrics-groups-max groups).',
      (g) => sum(g, 'inFlight'),
    )
    perGroup(
      'brook_share_group_records_available',
      'Queue depth: records waiting to be delivered (available again or never delivered), per share group.',
      (g) => sum(g, 'available'),
    )
    perGroup('brook_share_group_members', 'Members of each share group.', (g) => g.members)
    const shareLag: Gauge<'group' | 'topic' | 'partition'> = new Gauge({
      name: 'brook_share_group_lag',
      help: 'Records at or past the share start offset not yet acknowledged or archived, per share group and partition.',
      labelNames: ['group', 'topic', 'partition'],
      registers,
      collect: async () => {
        shareLag.reset()
        for (const group of await readShares())
          for (const p of group.partitions)
            shareLag.set({ group: group.groupId, topic: p.topic, partition: String(p.partition) }, p.lag)
      },
    })
    const sharesUntracked: Gauge = new Gauge({
      name: 'brook_share_groups_untracked',
      help: 'Share groups beyond metrics-groups-max, whose gauges are not reported.',
      registers,
      collect: () => sharesUntracked.set(Math.max(0, (shares?.groupCount() ?? 0) - options.groupsMax)),
    })
    this.#deadLetters = counter(
      'brook_share_group_dead_letters_total',
      "Records archived by REJECT or at the delivery count limit and sent to the group's dead-letter topic (errors.deadletterqueue.topic.name), per share group and reason.",
      ['group', 'reason'],
    )
    this.#registerCleaner(options.cleaner)
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry })
    this.#subscribe<RequestEvent>(brookChannels.request.name, (e) => {
      const api = apiKeyName(e.apiKey)
      this.#requests.inc({ api, error: e.error })
      this.#requestSeconds.observe({ api }, e.durationMs / 1000)
    })
    this.#subscribe<RecordsEvent>(brookChannels.recordsIn.name, (e) => {
      const topic = this.#topicLabel(e.topic)
      this.#recordsIn.inc({ topic }, e.records)
      this.#bytesIn.inc({ topic }, e.bytes)
    })
    this.#subscribe<RecordsEvent>(brookChannels.recordsOut.name, (e) => {
      const topic = this.#topicLabel(e.topic)
      this.#recordsOut.inc({ topic }, e.records)
      this.#bytesOut.inc({ topic }, e.bytes)
    })
    this.#subscribe<FsyncEvent>(brookChannels.fsync.name, (e) =>
      this.#fsyncSeconds.observe(e.durationMs / 1000),
    )
    this.#subscribe<ConnectionEvent>(brookChannels.connectionOpened.name, () => {
      this.#connections.inc()
      this.#connectionsOpened.inc()
    })
    this.#subscribe<ConnectionEvent>(brookChannels.connectionClosed.name, () => this.#connections.dec())
    this.#subscribe<DeadLettersEvent>(brookChannels.deadLetters.name, (e) =>
      this.#deadLetters.inc({ group: this.#groupLabel(e.group), reason: e.reason }, e.records),
    )
  }

  /** The Prometheus text exposition of every metric. */
  text(): Promise<string> {
    return this.registry.metrics()
  }

  get contentType(): string {
    return this.registry.contentType
  }

  /** Stops listening to the channels (the counters keep their values). */
  close(): void {
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe()
  }

  /**
   * The log cleaner's metrics (Kafka's kafka.log:type=LogCleaner max-dirty-percent, cleaner-recopy-percent,
   * max-clean-time-secs as ratios and seconds), copied from its counters at each scrape.
   */
  #registerCleaner(source: CleanerSource | undefined): void {
    const registers = [this.registry]
    const counter = (name: string, help: string, value: (s: CleanerStats) => number) => {
      const metric: Counter = new Counter({
        name,
        help,
        registers,
        collect: () => {
          const stats = source?.stats()
          if (stats === undefined) return
          metric.reset()
          metric.inc(value(stats))
        },
      })
    }
    const gauge = (name: string, help: string, value: (s: CleanerStats) => number) => {
      const metric: Gauge = new Gauge({
        name,
        help,
        registers,
        collect: () => {
          const stats = source?.stats()
          if (stats !== undefined) metric.set(value(stats))
        },
      })
    }
    counter('brook_log_cleaner_cleans_total', 'Cleans of compacted logs completed.', (s) => s.cleans)
    counter(
      'brook_log_cleaner_failures_total',
      'Cleans that failed (the log is retried after 10 log.cleaner.backoff.ms).',
      (s) => s.failures,
    )
    counter(
      'brook_log_cleaner_reclaimed_bytes_total',
      'Bytes the cleans removed from compacted logs.',
      (s) => s.bytesReclaimed,
    )
    counter(
      'brook_log_cleaner_removed_records_total',
      'Records the cleans removed (older values of a key, expired tombstones).',
      (s) => s.recordsRemoved,
    )
    counter(
      'brook_log_cleaner_throttled_seconds_total',
      'Time cleans waited for the I/O budget (log.cleaner.io.max.bytes.per.second).',
      (s) => s.throttledMs / 1000,
    )
    gauge(
      'brook_log_cleaner_max_dirty_ratio',
      "Largest dirty ratio (dirty bytes over all bytes of the closed segments) among compacted logs at the cleaner's last look (Kafka's max-dirty-percent / 100).",
      (s) => s.maxDirtyRatio,
    )
    gauge(
      'brook_log_cleaner_recopy_ratio',
      "Bytes written over bytes read of the segments the last clean rewrote (Kafka's cleaner-recopy-percent / 100).",
      (s) => s.lastRecopyRatio,
    )
    gauge(
      'brook_log_cleaner_last_clean_duration_seconds',
      "Duration of the last clean, waits for the I/O budget included (Kafka's max-clean-time-secs).",
      (s) => s.lastCleanDurationMs / 1000,
    )
    gauge(
      'brook_log_cleaner_last_clean_timestamp_seconds',
      'When the last clean finished (Unix seconds; 0 before the first).',
      (s) => s.lastCleanEndMs / 1000,
    )
  }

  #topicLabel(topic: string): string {
    if (this.#topics.has(topic)) return topic
    if (this.#topics.size >= this.#options.topicsMax) return OTHER_TOPIC_LABEL
    this.#topics.add(topic)
    return topic
  }

  #groupLabel(group: string): string {
    if (this.#groups.has(group)) return group
    if (this.#groups.size >= this.#options.groupsMax) return OTHER_GROUP_LABEL
    this.#groups.add(group)
    return group
  }

  #subscribe<T>(name: string | symbol, handle: (event: T) => void): void {
    const listener = (message: unknown) => handle(message as T)
    diagnostics.subscribe(name, listener)
    this.#unsubscribe.push(() => diagnostics.unsubscribe(name, listener))
  }
}
