// Per-partition log settings (Kafka's topic configs under our names) and their defaults.
import { ConfigError } from '../core/index.js'

/** Settings of one partition log. Sizes in bytes, durations in ms; -1 means unlimited/never. */
export interface LogConfig {
  /** Roll to a new segment before a segment would exceed this size (max 2^31-1). */
  segmentBytes: number
  /** Roll a non-empty active segment once its first append is this old (less its jitter). */
  segmentMs: number
  /**
   * Most a segment's time roll comes early (segment.jitter.ms): each segment draws its own jitter in
   * [0, min(segmentJitterMs, segmentMs)) from its directory and base offset, so partitions do not all roll
   * at once. 0 rolls at segmentMs exactly.
   */
  segmentJitterMs: number
  /**
   * Size bound of a segment's index (segment.index.bytes): the segment rolls before its offset index would
   * hold more than segmentIndexBytes/8 entries or its time index more than segmentIndexBytes/12, the
   * sizes of Kafka's index entries.
   */
  segmentIndexBytes: number
  /**
   * How long the files of a segment deleted by retention or DeleteRecords stay on disk, renamed
   * `<name>.deleted`, before they are removed (file.delete.delay.ms); 0 removes them at once. Leftover
   * `.deleted` files are removed when the log opens.
   */
  fileDeleteDelayMs: number
  /** Delete non-active segments whose newest timestamp is older than this; -1 keeps forever. */
  retentionMs: number
  /** Delete the oldest non-active segments while the log exceeds this size; -1 for no limit. */
  retentionBytes: number
  /** Background fdatasync of written data at least this often; -1 leaves it to the OS. */
  flushMs: number
  /** Start an fdatasync after this many records were appended since the last one; -1 for never. */
  flushMessages: number
  /** Bytes of log between two sparse offset-index entries. */
  indexIntervalBytes: number
  /** Recently appended bytes kept in memory to serve fetches without disk reads. */
  maxTailBytes: number
  /**
   * Fetches see only records an fdatasync made durable (topic config brook.fetch.fsynced.only), safe
   * against power loss; otherwise records handed to the OS, safe against a crash of the process.
   */
  fetchFsyncedOnly: boolean
  /** Forget an idempotent producer's state this long after its last append (producer.id.expiration.ms). */
  producerIdExpirationMs: number
  /** cleanup.policy includes delete: retentionMs and retentionBytes apply. */
  cleanupPolicyDelete: boolean
  /** cleanup.policy includes compact: the log cleaner keeps the latest record per key. */
  cleanupPolicyCompact: boolean
  /**
   * A tombstone (null value) is removed by the first clean this long after the clean that first kept it
   * (delete.retention.ms; KIP-534's delete horizon, stamped on its batch).
   */
  deleteRetentionMs: number
  /** Clean once dirty bytes / (clean + dirty) reach this (min.cleanable.dirty.ratio). */
  minCleanableDirtyRatio: number
  /** Records are not compacted until this old (min.compaction.lag.ms). */
  minCompactionLagMs: number
  /** A record stays uncompacted at most about this long, whatever the dirty ratio (max.compaction.lag.ms). */
  maxCompactionLagMs: number
}

const dayMs = 24 * 60 * 60 * 1000

/** Defaults: Kafka's, except flushMs (Kafka never fsyncs on a timer; a single node has no replicas). */
export const defaultLogConfig: Readonly<LogConfig> = Object.freeze({
  segmentBytes: 1024 * 1024 * 1024,
  segmentMs: 7 * dayMs,
  segmentJitterMs: 0,
  segmentIndexBytes: 10 * 1024 * 1024,
  fileDeleteDelayMs: 60_000,
  retentionMs: 7 * dayMs,
  retentionBytes: -1,
  flushMs: 1000,
  flushMessages: -1,
  indexIntervalBytes: 4096,
  maxTailBytes: 8 * 1024 * 1024,
  fetchFsyncedOnly: false,
  producerIdExpirationMs: dayMs,
  cleanupPolicyDelete: true,
  cleanupPolicyCompact: false,
  deleteRetentionMs: dayMs,
  minCleanableDirtyRatio: 0.5,
  minCompactionLagMs: 0,
  maxCompactionLagMs: Number.MAX_SAFE_INTEGER,
})

/** Fills missing fields from `base` and checks ranges; throws ConfigError on a bad value. */
export function resolveLogConfig(
  overrides: Partial<LogConfig> = {},
  base: LogConfig = defaultLogConfig,
): LogConfig {
  const config: LogConfig = { ...base }
  for (const [key, value] of Object.entries(overrides)) {
    if (value !== undefined) (config as unknown as Record<string, unknown>)[key] = value
  }
  const check = (
    name: Exclude<keyof LogConfig, 'fetchFsyncedOnly' | 'cleanupPolicyDelete' | 'cleanupPolicyCompact'>,
    ok: boolean,
  ) => {
    if (!ok || !Number.isFinite(config[name]))
      throw new ConfigError(`log config ${name}=${config[name]} is out of range`)
  }
  check('segmentBytes', config.segmentBytes >= 14 + 61 && config.segmentBytes <= 2 ** 31 - 1)
  check('segmentMs', config.segmentMs >= 1)
  check('segmentJitterMs', config.segmentJitterMs >= 0)
  check('segmentIndexBytes', config.segmentIndexBytes >= 4)
  check('fileDeleteDelayMs', config.fileDeleteDelayMs >= 0)
  check('retentionMs', config.retentionMs >= -1)
  check('retentionBytes', config.retentionBytes >= -1)
  check('flushMs', config.flushMs >= -1)
  check('flushMessages', config.flushMessages >= -1 && config.flushMessages !== 0)
  check('indexIntervalBytes', config.indexIntervalBytes >= 0)
  check('maxTailBytes', config.maxTailBytes >= 0)
  check('producerIdExpirationMs', config.producerIdExpirationMs >= 1)
  check('deleteRetentionMs', config.deleteRetentionMs >= 0)
  check('minCleanableDirtyRatio', config.minCleanableDirtyRatio >= 0 && config.minCleanableDirtyRatio <= 1)
  check('minCompactionLagMs', config.minCompactionLagMs >= 0)
  check('maxCompactionLagMs', config.maxCompactionLagMs >= 1)
  for (const name of ['fetchFsyncedOnly', 'cleanupPolicyDelete', 'cleanupPolicyCompact'] as const) {
    if (typeof config[name] !== 'boolean')
      throw new ConfigError(`log config ${name}=${config[name]} is not a boolean`)
  }
  return config
}
