// The console's message browser: reads a window of a topic's records with a group-less Consumer (so it
// works on any Kafka cluster), optionally keeping only records whose key contains a text. Bounded in
// records scanned and in time.
import {
  type Admin,
  type ClientOptions,
  InvalidArgumentError,
  type Message,
  readTopicRanges,
} from '../client/index.js'
import type { Clock } from '../core/index.js'

/** Most records one browse reads (the key filter scans this many at most). */
export const BROWSE_SCAN_RECORDS_MAX = 5000
/** Most records one browse returns. */
export const BROWSE_LIMIT_MAX = 200
/** Longest a browse reads before answering with what it has, in ms. */
export const BROWSE_TIME_MAX_MS = 5000
/** Bytes of a key, value or header shown; the rest is cut (and marked). */
export const SHOWN_BYTES_MAX = 64 * 1024

/** Bytes shown as text: UTF-8 when they are valid UTF-8, else base64. */
export interface ShownBytes {
  text: string
  encoding: 'utf8' | 'base64'
  /** Size of the whole field in bytes. */
  bytes: number
  truncated: boolean
}

export interface BrowsedMessage {
  partition: number
  offset: number
  timestampMs: number
  key: ShownBytes | null
  value: ShownBytes | null
  headers: Array<{ key: string; value: ShownBytes | null }>
}

export interface BrowseQuery {
  /** One partition, or all. */
  partition?: number
  /** Start here (the first `limit` records from it); absent: the newest records. */
  offset?: number
  limit: number
  /** Keep only records whose key, as UTF-8, contains this. */
  key?: string
}

export interface BrowseResult {
  messages: BrowsedMessage[]
  scanned: number
  /** True when the scan stopped at its record or time bound before reaching the end. */
  partial: boolean
  partitions: Array<{ partition: number; earliest: number; latest: number }>
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** Shows bytes as text (UTF-8 if valid, else base64), at most SHOWN_BYTES_MAX of them. */
export function showBytes(bytes: Buffer | null): ShownBytes | null {
  if (bytes === null) return null
  const shown = bytes.subarray(0, SHOWN_BYTES_MAX)
  const truncated = shown.length < bytes.length
  try {
    // A cut may split a UTF-8 sequence: decode leniently only then.
    const text = truncated ? shown.toString('utf8') : utf8.decode(shown)
    return { text, encoding: 'utf8', bytes: bytes.length, truncated }
  } catch {
    return { text: shown.toString('base64'), encoding: 'base64', bytes: bytes.length, truncated }
  }
}

/** Reads records of `topic` as `query` asks. An unknown topic is a KafkaError (UNKNOWN_TOPIC_OR_PARTITION). */
export async function browseMessages(
  admin: Admin,
  clientOptions: ClientOptions,
  clock: Clock,
  topic: string,
  query: BrowseQuery,
): Promise<BrowseResult> {
  const limit = Math.max(1, Math.min(query.limit, BROWSE_LIMIT_MAX))
  const [info] = await admin.describeTopics([topic])
  const all = info.partitions.map((p) => p.partition).sort((a, b) => a - b)
  if (query.partition !== undefined && !all.includes(query.partition))
    throw new InvalidArgumentError(`topic '${topic}' has no partition ${query.partition}`)
  const partitions = query.partition === undefined ? all : [query.partition]
  const earliest = await admin.listOffsets(topic, 'earliest', { partitions })
  const latest = await admin.listOffsets(topic, 'latest', { partitions })
  const window = query.key !== undefined ? BROWSE_SCAN_RECORDS_MAX : limit
  const plan = new Map<number, { start: number; end: number }>()
  for (const p of partitions) {
    const first = earliest.get(p) ?? 0
    const end = latest.get(p) ?? 0
    const start =
      query.offset !== undefined
        ? Math.max(first, Math.min(query.offset, end))
        : Math.max(first, end - window)
    if (start < end) plan.set(p, { start, end })
  }
  const result: BrowseResult = {
    messages: [],
    scanned: 0,
    partial: false,
    partitions: partitions.map((p) => ({
      partition: p,
      earliest: earliest.get(p) ?? 0,
      latest: latest.get(p) ?? 0,
    })),
  }
  if (plan.size === 0) return result

  const matches: BrowsedMessage[] = []
  const ranges = new Map([...plan].map(([p, r]) => [p, { from: r.start, end: r.end }]))
  const visit = (message: Message): 'stop' | true => {
    result.scanned++
    const keyText = message.key === null ? null : message.key.toString('utf8')
    if (query.key === undefined || keyText?.includes(query.key))
      matches.push({
        partition: message.partition,
        offset: message.offset,
        timestampMs: message.timestamp,
        key: showBytes(message.key),
        value: showBytes(message.value),
        headers: message.headers.map((h) => ({ key: h.key, value: showBytes(h.value) })),
      })
    if (query.offset !== undefined && matches.length >= limit) return 'stop'
    return result.scanned < BROWSE_SCAN_RECORDS_MAX ? true : 'stop'
  }
  const done = await readTopicRanges(clientOptions, topic, ranges, visit, {
    timeMaxMs: BROWSE_TIME_MAX_MS,
    clock,
  })
  result.partial = done === 'timed out' || (done === 'stopped' && result.scanned >= BROWSE_SCAN_RECORDS_MAX)
  if (query.offset !== undefined) {
    matches.sort((a, b) => a.offset - b.offset || a.partition - b.partition)
    result.messages = matches.slice(0, limit)
  } else {
    matches.sort((a, b) => b.timestampMs - a.timestampMs || b.offset - a.offset)
    result.messages = matches.slice(0, limit)
  }
  return result
}
