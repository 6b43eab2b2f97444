// Dead letters of a share group (KIP-1191): the records Brook or Kafka 4.4 archived to the group's
// `errors.deadletterqueue.topic.name`, with the `__dlq.errors.*` headers naming where each came from, and
// redrive, which produces them back to their source partition. What has been redriven is remembered as the
// committed offsets of the consumer group `brook-redrive.<share group>` on the dead-letter topic, so a
// record is redriven once (at least once: the offsets are committed after the copies are acknowledged).
import { type Admin, type ClientOptions, InvalidArgumentError, type Producer } from '../client/index.js'
import type { Clock } from '../core/index.js'
import { browseMessages, readPartitions, type ShownBytes } from './message-browser.js'

/** Kafka's header names on a dead letter. */
export const DEAD_LETTER_HEADERS = {
  topic: '__dlq.errors.topic',
  partition: '__dlq.errors.partition',
  offset: '__dlq.errors.offset',
  group: '__dlq.errors.group',
  deliveryCount: '__dlq.errors.delivery.count',
  message: '__dlq.errors.message',
} as const

/** The group config naming a share group's dead-letter topic. */
export const DEAD_LETTER_TOPIC_CONFIG = 'errors.deadletterqueue.topic.name'
/** The consumer group whose committed offsets on the dead-letter topic mark what was redriven. */
export const REDRIVE_GROUP_PREFIX = 'brook-redrive.'
/** Most dead letters one redrive copies back (the rest wait for the next). */
export const REDRIVE_RECORDS_MAX = 10_000
/** Longest one redrive reads the dead-letter topic, in ms. */
export const REDRIVE_READ_TIME_MAX_MS = 10_000

export interface DeadLetterView {
  partition: number
  offset: number
  timestampMs: number
  sourceTopic: string | null
  sourcePartition: number | null
  sourceOffset: number | null
  deliveryCount: number | null
  reason: string | null
  key: ShownBytes | null
  value: ShownBytes | null
  redriven: boolean
}

export interface DeadLetterSummary {
  /** The dead-letter topic, or null when the group has none configured. */
  topic: string | null
  /** Records the dead-letter topic holds (of every group writing to it). */
  total: number
  /** Of those, the ones not yet redriven. */
  pending: number
  /** The newest dead letters of this group (when asked for). */
  letters: DeadLetterView[]
}

/** A share group's dead-letter topic and its depth; with `list`, its newest letters of this group. */
export async function deadLetterSummary(
  admin: Admin,
  groupId: string,
  read?: { clientOptions: ClientOptions; clock: Clock; list: number },
): Promise<DeadLetterSummary> {
  const configs = await admin.describeConfigs({ type: 'group', name: groupId })
  const topic = configs[DEAD_LETTER_TOPIC_CONFIG] || null
  if (topic === null) return { topic, total: 0, pending: 0, letters: [] }
  const ranges = await redriveRanges(admin, groupId, topic).catch(() => undefined)
  if (ranges === undefined) return { topic, total: 0, pending: 0, letters: [] }
  let total = 0
  let pending = 0
  for (const r of ranges.values()) {
    total += r.end - r.first
    pending += r.end - r.start
  }
  const letters: DeadLetterView[] = []
  if (read !== undefined) {
    const browsed = await browseMessages(admin, read.clientOptions, read.clock, topic, { limit: read.list })
    for (const m of browsed.messages) {
      const header = (name: string) => m.headers.find((h) => h.key === name)?.value?.text ?? null
      const number = (name: string) => {
        const text = header(name)
        return text === null || !/^-?\d+$/.test(text) ? null : Number(text)
      }
      if (header(DEAD_LETTER_HEADERS.group) !== groupId) continue
      letters.push({
        partition: m.partition,
        offset: m.offset,
        timestampMs: m.timestampMs,
        sourceTopic: header(DEAD_LETTER_HEADERS.topic),
        sourcePartition: number(DEAD_LETTER_HEADERS.partition),
        sourceOffset: number(DEAD_LETTER_HEADERS.offset),
        deliveryCount: number(DEAD_LETTER_HEADERS.deliveryCount),
        reason: header(DEAD_LETTER_HEADERS.message),
        key: m.key,
        value: m.value,
        redriven: m.offset < (ranges.get(m.partition)?.start ?? 0),
      })
    }
  }
  return { topic, total, pending, letters }
}

/** Per partition of the dead-letter topic: first offset kept, first not yet redriven, end. */
async function redriveRanges(
  admin: Admin,
  groupId: string,
  topic: string,
): Promise<Map<number, { first: number; start: number; end: number }>> {
  const [earliest, latest, tracked] = await Promise.all([
    admin.listOffsets(topic, 'earliest'),
    admin.listOffsets(topic, 'latest'),
    admin.groupOffsets(`${REDRIVE_GROUP_PREFIX}${groupId}`, { topics: [topic] }).catch(() => []),
  ])
  const out = new Map<number, { first: number; start: number; end: number }>()
  for (const [partition, end] of latest) {
    const first = earliest.get(partition) ?? 0
    const mark = tracked.find((t) => t.partition === partition)?.offset ?? -1
    out.set(partition, { first, start: Math.min(end, Math.max(first, mark)), end })
  }
  return out
}

export interface RedriveResult {
  deadLetterTopic: string
  /** Records copied back to their source partitions. */
  redriven: number
  /** Dead letters of other groups (or without a source header) passed over. */
  skipped: number
  /** Dead letters left for a later redrive (over REDRIVE_RECORDS_MAX or the read time). */
  remaining: number
}

/** Copies the group's dead letters not yet redriven back to their source partitions, then marks them. */
export async function redrive(
  admin: Admin,
  producer: Producer,
  clientOptions: ClientOptions,
  clock: Clock,
  groupId: string,
): Promise<RedriveResult> {
  const configs = await admin.describeConfigs({ type: 'group', name: groupId })
  const topic = configs[DEAD_LETTER_TOPIC_CONFIG]
  if (!topic)
    throw new InvalidArgumentError(
      `share group '${groupId}' has no dead-letter topic (${DEAD_LETTER_TOPIC_CONFIG})`,
    )
  const ranges = await redriveRanges(admin, groupId, topic)
  const plan = new Map<number, { start: number; end: number }>()
  for (const [p, r] of ranges) if (r.start < r.end) plan.set(p, { start: r.start, end: r.end })
  const next = new Map<number, number>()
  const sends: Array<Promise<unknown>> = []
  let redriven = 0
  let skipped = 0
  let read = 0
  await readPartitions(clientOptions, clock, topic, plan, REDRIVE_READ_TIME_MAX_MS, (m) => {
    const header = (name: string) => {
      const value = m.headers.find((h) => h.key === name)?.value
      return value === undefined || value === null ? null : value.toString('utf8')
    }
    const source = header(DEAD_LETTER_HEADERS.topic)
    const partition = header(DEAD_LETTER_HEADERS.partition)
    if (header(DEAD_LETTER_HEADERS.group) !== groupId || source === null) skipped++
    else {
      sends.push(
        producer.send({
          topic: source,
          partition: partition !== null && /^\d+$/.test(partition) ? Number(partition) : undefined,
          key: m.key,
          value: m.value,
          headers: m.headers.filter((h) => !h.key.startsWith('__dlq.')),
        }),
      )
      redriven++
    }
    next.set(m.partition, m.offset + 1)
    return ++read < REDRIVE_RECORDS_MAX
  })
  await Promise.all(sends)
  if (next.size > 0)
    await admin.resetOffsets(`${REDRIVE_GROUP_PREFIX}${groupId}`, topic, Object.fromEntries(next))
  let remaining = 0
  for (const [p, r] of plan) remaining += r.end - (next.get(p) ?? r.start)
  return { deadLetterTopic: topic, redriven, skipped, remaining }
}
