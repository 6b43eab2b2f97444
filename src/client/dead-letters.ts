// Dead letters of a share group (KIP-1191) and their redrive, one meaning for the CLI and the console
// (decision 0006): the mark is the committed offset of the consumer group `brook-redrive.<share group>` on
// the dead-letter topic; a redrive moves letters in batches (acknowledged, then marked, then deleted).

import type { Admin } from './admin.js'
import type { ClientOptions } from './cluster.js'
import type { Message } from './consumer.js'
import { InvalidArgumentError } from './errors.js'
import { Producer } from './producer.js'
import { readTopicRanges } from './read-ranges.js'

/** Kafka's header names on a dead letter (KIP-1191), as Brook writes them too. */
export const DEAD_LETTER_HEADERS: {
  /** The source topic. */
  readonly topic: '__dlq.errors.topic'
  /** The source partition. */
  readonly partition: '__dlq.errors.partition'
  /** The record's offset in the source partition. */
  readonly offset: '__dlq.errors.offset'
  /** The share group that dead-lettered it. */
  readonly group: '__dlq.errors.group'
  /** Deliveries before it was dead-lettered. */
  readonly deliveryCount: '__dlq.errors.delivery.count'
  /** Why (rejected, delivery limit). */
  readonly message: '__dlq.errors.message'
} = {
  topic: '__dlq.errors.topic',
  partition: '__dlq.errors.partition',
  offset: '__dlq.errors.offset',
  group: '__dlq.errors.group',
  deliveryCount: '__dlq.errors.delivery.count',
  message: '__dlq.errors.message',
}

/** The share-group config naming its dead-letter topic. */
export const DEAD_LETTER_TOPIC_CONFIG = 'errors.deadletterqueue.topic.name'
/** Prefix of the consumer group whose committed offsets on the dead-letter topic mark what was redriven. */
export const REDRIVE_GROUP_PREFIX = 'brook-redrive.'
/** Letters one redrive batch sends before it marks them redriven (a crash repeats at most one batch). */
export const REDRIVE_BATCH_RECORDS = 500
/** Default bound on the records one redrive or depth count reads from the dead-letter topic. */
export const DEAD_LETTER_SCAN_RECORDS_MAX = 100_000
/** Default bound on the time one redrive or depth count reads the dead-letter topic, in ms. */
export const DEAD_LETTER_SCAN_TIME_MAX_MS = 30_000

/** The consumer group that marks what a share group's redrive has moved. */
export function redriveGroupId(shareGroupId: string): string {
  return `${REDRIVE_GROUP_PREFIX}${shareGroupId}`
}

/** Where a dead letter came from, read from its `__dlq.errors.*` headers (null where a header is missing). */
export interface DeadLetterOrigin {
  /** The share group that dead-lettered the record. */
  group: string | null
  /** Its source topic. */
  topic: string | null
  /** Its source partition. */
  partition: number | null
  /** Its offset in the source partition. */
  offset: number | null
  /** Deliveries before it was dead-lettered. */
  deliveryCount: number | null
  /** Why it was dead-lettered. */
  reason: string | null
}

/** Reads a dead letter's `__dlq.errors.*` headers. */
export function deadLetterOrigin(message: Pick<Message, 'headers'>): DeadLetterOrigin {
  const text = (name: string) => {
    for (const h of message.headers)
      if (h.key === name) return h.value === null ? null : h.value.toString('utf8')
    return null
  }
  const number = (name: string) => {
    const t = text(name)
    return t === null || !/^-?\d+$/.test(t) ? null : Number(t)
  }
  return {
    group: text(DEAD_LETTER_HEADERS.group),
    topic: text(DEAD_LETTER_HEADERS.topic),
    partition: number(DEAD_LETTER_HEADERS.partition),
    offset: number(DEAD_LETTER_HEADERS.offset),
    deliveryCount: number(DEAD_LETTER_HEADERS.deliveryCount),
    reason: text(DEAD_LETTER_HEADERS.message),
  }
}

/** The share group's dead-letter topic (its `errors.deadletterqueue.topic.name`), or null when unset. */
export async function deadLetterTopicOf(admin: Admin, shareGroupId: string): Promise<string | null> {
  const configs = await admin
    .describeConfigs({ type: 'group', name: shareGroupId }, { keys: [DEAD_LETTER_TOPIC_CONFIG] })
    .catch(() => ({}) as Record<string, string | null>)
  const value = configs[DEAD_LETTER_TOPIC_CONFIG]
  return value === undefined || value === null || value === '' ? null : value
}

/** Options of {@link redriveDeadLetters} and {@link deadLetterDepth}. */
export interface RedriveOptions {
  /** Connection options for the reader (and the producer when none is given); those of the Admin. */
  clientOptions: ClientOptions
  /** The dead-letter topic; by default the group's `errors.deadletterqueue.topic.name`. */
  deadLetterTopic?: string
  /** Count what would move, change nothing. */
  dryRun?: boolean
  /** Move at most this many letters (the rest wait for the next redrive). */
  count?: number
  /** Producer for the moved records (acks all); by default an idempotent one made and closed here. */
  producer?: Producer
  /** Records read from the dead-letter topic at most (default DEAD_LETTER_SCAN_RECORDS_MAX). */
  scanRecordsMax?: number
  /** Time spent reading the dead-letter topic at most, in ms (default DEAD_LETTER_SCAN_TIME_MAX_MS). */
  scanTimeMaxMs?: number
  /** Called as records are read (`read` of `total`) and as letters are moved (`moved` of `movable`). */
  onProgress?: (progress: { phase: 'reading' | 'moving'; done: number; total: number }) => void
}

/** What a redrive did (or, with dryRun, would do). */
export interface RedriveReport {
  /** The share group whose letters were moved. */
  groupId: string
  /** The dead-letter topic read. */
  deadLetterTopic: string
  /** Letters of the group found not yet redriven (within the count and scan bounds). */
  movable: number
  /** Letters moved back to their source topics (0 on a dry run). */
  redriven: number
  /** Moved (or movable) letters per source topic. */
  bySource: Record<string, number>
  /** Letters without a copy of their record whose source record is gone: left in place, unmarked. */
  sourceRecordsGone: number
  /** Records read that are not this group's letters (another group's, or without a source header). */
  skipped: number
  /** Records of the dead-letter topic left unread (count or scan bound); a later redrive reads them. */
  remaining: number
  /** Records deleted from the dead-letter topic because every letter before them is redriven. */
  deleted: number
  /** True when nothing was changed. */
  dryRun: boolean
}

/** A share group's dead-letter depth, in the meaning of decision 0006. */
export interface DeadLetterDepth {
  /** The dead-letter topic, or null when the group has none. */
  topic: string | null
  /** Records the dead-letter topic holds (of every group writing to it, redriven ones not yet deleted included). */
  total: number
  /** This group's letters not yet redriven (a lower bound when `exact` is false). */
  pending: number
  /** False when the count stopped at a scan bound: `pending` counts only what was read. */
  exact: boolean
  /** Per partition of the dead-letter topic, the offset before which this group's letters are redriven. */
  marks: Record<number, number>
}

interface Letter {
  dlqPartition: number
  dlqOffset: number
  topic: string
  partition: number
  offset: number
  key: Buffer | null
  value: Buffer | null
  headers: Array<{ key: string; value: Buffer | null }>
  needsOriginal: boolean
}

interface Scan {
  topic: string
  earliest: Map<number, number>
  latest: Map<number, number>
  marks: Map<number, number>
  letters: Letter[]
  /** Per partition, the first record at or past which nothing may be deleted (not redriven by its group). */
  blocked: Map<number, number>
  skipped: number
  /** Per partition, the offset after the last record read. */
  readTo: Map<number, number>
  complete: boolean
}

async function scan(
  admin: Admin,
  groupId: string,
  options: RedriveOptions,
  topic: string,
  forRedrive: boolean,
): Promise<Scan> {
  const [earliest, latest] = await Promise.all([
    admin.listOffsets(topic, 'earliest'),
    admin.listOffsets(topic, 'latest'),
  ])
  const markCache = new Map<string, Promise<Map<number, number>>>()
  const marksOf = (group: string) => {
    let found = markCache.get(group)
    if (found === undefined) {
      found = admin
        .groupOffsets(redriveGroupId(group), { topics: [topic] })
        .then((list) => new Map(list.map((o) => [o.partition, o.offset])))
        .catch(() => new Map<number, number>())
      markCache.set(group, found)
    }
    return found
  }
  const marks = await marksOf(groupId)
  const out: Scan = {
    topic,
    earliest,
    latest,
    marks,
    letters: [],
    blocked: new Map(),
    skipped: 0,
    readTo: new Map(),
    complete: true,
  }
  // A redrive reads from the start of the topic: this group's letters below its mark are passed over, and
  // other groups' letters tell how far the topic may be deleted. A depth count reads from the mark.
  const others: Array<{ group: string | null; partition: number; offset: number }> = []
  const ranges = new Map<number, { from: number; end: number }>()
  let total = 0
  for (const [p, end] of latest) {
    const first = earliest.get(p) ?? 0
    const from = forRedrive ? first : Math.max(first, marks.get(p) ?? 0)
    out.readTo.set(p, from)
    if (from < end) ranges.set(p, { from, end })
    total += Math.max(0, end - from)
  }
  const scanRecordsMax = options.scanRecordsMax ?? DEAD_LETTER_SCAN_RECORDS_MAX
  let read = 0
  const count = forRedrive ? options.count : undefined
  const result = await readTopicRanges(
    options.clientOptions,
    topic,
    ranges,
    (m) => {
      if (read >= scanRecordsMax) return 'stop'
      if (count !== undefined && out.letters.length >= count) return 'stop'
      options.onProgress?.({ phase: 'reading', done: ++read, total })
      out.readTo.set(m.partition, m.offset + 1)
      const origin = deadLetterOrigin(m)
      const mine = origin.group === groupId
      if (mine && m.offset < (marks.get(m.partition) ?? -1)) return true
      if (mine && origin.topic !== null && origin.partition !== null && origin.offset !== null) {
        const headers = m.headers.filter((h) => !h.key.startsWith('__dlq.errors.'))
        out.letters.push({
          dlqPartition: m.partition,
          dlqOffset: m.offset,
          topic: origin.topic,
          partition: origin.partition,
          offset: origin.offset,
          key: m.key,
          value: m.value,
          headers,
          needsOriginal: m.key === null && m.value === null && headers.length === 0,
        })
      } else {
        out.skipped++
        others.push({ group: mine ? null : origin.group, partition: m.partition, offset: m.offset })
      }
      return true
    },
    { timeMaxMs: options.scanTimeMaxMs ?? DEAD_LETTER_SCAN_TIME_MAX_MS },
  )
  out.complete = result === 'read'
  // Another group's letter blocks deletion unless that group's redrive has passed it; a record that is no
  // letter (or this group's letter without a source) always does.
  for (const o of others) {
    if (out.blocked.has(o.partition)) continue
    const passed = o.group !== null && o.offset < ((await marksOf(o.group)).get(o.partition) ?? -1)
    if (!passed) out.blocked.set(o.partition, o.offset)
  }
  return out
}

/** Fills letters that carry no copy of their record from the source topic; returns those whose record is gone. */
async function fillOriginals(clientOptions: ClientOptions, letters: Letter[], timeMaxMs: number) {
  const wanted = new Map<string, Letter[]>()
  for (const letter of letters.filter((l) => l.needsOriginal)) {
    const list = wanted.get(letter.topic) ?? []
    list.push(letter)
    wanted.set(letter.topic, list)
  }
  const missing = new Set<Letter>()
  for (const [topic, list] of wanted) {
    const ranges = new Map<number, { from: number; end: number }>()
    for (const l of list) {
      const r = ranges.get(l.partition)
      ranges.set(l.partition, {
        from: Math.min(r?.from ?? l.offset, l.offset),
        end: Math.max(r?.end ?? l.offset + 1, l.offset + 1),
      })
    }
    const originals = new Map<string, Message>()
    await readTopicRanges(
      clientOptions,
      topic,
      ranges,
      (m) => {
        originals.set(`${m.partition}:${m.offset}`, m)
        return true
      },
      { timeMaxMs },
    ).catch(() => 'read')
    for (const l of list) {
      const original = originals.get(`${l.partition}:${l.offset}`)
      if (original === undefined) missing.add(l)
      else {
        l.key = original.key
        l.value = original.value
        l.headers = original.headers
      }
    }
  }
  return missing
}

/**
 * Counts a share group's dead letters not yet redriven (decision 0006): its letters at or past its redrive
 * mark in the dead-letter topic. Reads the topic, within `scanRecordsMax` and `scanTimeMaxMs`.
 */
export async function deadLetterDepth(
  admin: Admin,
  shareGroupId: string,
  options: Pick<RedriveOptions, 'clientOptions' | 'deadLetterTopic' | 'scanRecordsMax' | 'scanTimeMaxMs'>,
): Promise<DeadLetterDepth> {
  const topic = options.deadLetterTopic ?? (await deadLetterTopicOf(admin, shareGroupId))
  if (topic === null) return { topic, total: 0, pending: 0, exact: true, marks: {} }
  const found = await scan(admin, shareGroupId, options, topic, false)
  let total = 0
  for (const [p, end] of found.latest) total += Math.max(0, end - (found.earliest.get(p) ?? 0))
  return {
    topic,
    total,
    pending: found.letters.length,
    exact: found.complete,
    marks: Object.fromEntries(found.marks),
  }
}

/**
 * Moves a share group's dead letters back to the topic and partition their `__dlq.errors.*` headers name
 * (without those headers), as decision 0006 says: in batches of REDRIVE_BATCH_RECORDS, each acknowledged
 * (acks all) before the group `brook-redrive.<group>` commits past it, so a crash repeats at most one batch
 * and loses none; then deletes the prefix of each dead-letter partition in which every letter is redriven
 * (by its own group). Letters of other groups sharing the topic are passed over. Throws
 * InvalidArgumentError when the group has no dead-letter topic.
 */
export async function redriveDeadLetters(
  admin: Admin,
  shareGroupId: string,
  options: RedriveOptions,
): Promise<RedriveReport> {
  const topic = options.deadLetterTopic ?? (await deadLetterTopicOf(admin, shareGroupId))
  if (topic === null)
    throw new InvalidArgumentError(
      `share group '${shareGroupId}' has no dead-letter topic (${DEAD_LETTER_TOPIC_CONFIG})`,
    )
  if (options.count !== undefined && !(Number.isInteger(options.count) && options.count > 0))
    throw new InvalidArgumentError('count must be a positive integer')
  const found = await scan(admin, shareGroupId, options, topic, true)
  const missing = await fillOriginals(
    options.clientOptions,
    found.letters,
    options.scanTimeMaxMs ?? DEAD_LETTER_SCAN_TIME_MAX_MS,
  )
  // A letter whose record is gone stays, unmarked: the letters after it in its partition wait too.
  const movable: Letter[] = []
  const stopped = new Set<number>()
  for (const l of found.letters) {
    if (stopped.has(l.dlqPartition)) continue
    if (missing.has(l)) stopped.add(l.dlqPartition)
    else movable.push(l)
  }
  const bySource: Record<string, number> = {}
  for (const l of movable) bySource[l.topic] = (bySource[l.topic] ?? 0) + 1
  let unread = 0
  for (const [p, end] of found.latest) unread += Math.max(0, end - (found.readTo.get(p) ?? end))
  const report: RedriveReport = {
    groupId: shareGroupId,
    deadLetterTopic: topic,
    movable: movable.length,
    redriven: 0,
    bySource,
    sourceRecordsGone: missing.size,
    skipped: found.skipped,
    remaining: unread,
    deleted: 0,
    dryRun: options.dryRun === true,
  }
  if (options.dryRun) return report
  // The mark of a partition may pass the records read after the last moved letter only when the whole
  // partition was read and no letter in it was left behind.
  const markAfter = new Map<number, number>()
  for (const [p, end] of found.latest)
    if (found.complete && !stopped.has(p) && (options.count === undefined || movable.length < options.count))
      markAfter.set(p, end)
  const producer =
    options.producer ??
    new Producer({ ...options.clientOptions, acks: -1, idempotent: true, autoCreateTopics: false })
  const partitionCounts = new Map<string, number>()
  for (const t of Object.keys(bySource))
    partitionCounts.set(t, (await admin.describeTopics([t]))[0]?.partitions.length ?? 0)
  try {
    for (let i = 0; i < movable.length || (i === 0 && markAfter.size > 0); i += REDRIVE_BATCH_RECORDS) {
      const batch = movable.slice(i, i + REDRIVE_BATCH_RECORDS)
      await Promise.all(
        batch.map((l) =>
          producer.send({
            topic: l.topic,
            key: l.key,
            value: l.value,
            headers: l.headers,
            partition: l.partition < (partitionCounts.get(l.topic) ?? 0) ? l.partition : undefined,
          }),
        ),
      )
      report.redriven += batch.length
      const marks: Record<number, number> = {}
      for (const l of batch) marks[l.dlqPartition] = l.dlqOffset + 1
      if (i + REDRIVE_BATCH_RECORDS >= movable.length)
        for (const [p, end] of markAfter) marks[p] = Math.max(marks[p] ?? 0, end)
      for (const [p, mark] of Object.entries(marks))
        if (mark <= (found.marks.get(Number(p)) ?? -1)) delete marks[Number(p)]
      if (Object.keys(marks).length > 0) {
        await admin.resetOffsets(redriveGroupId(shareGroupId), topic, marks)
        for (const [p, mark] of Object.entries(marks)) found.marks.set(Number(p), mark)
      }
      options.onProgress?.({ phase: 'moving', done: report.redriven, total: movable.length })
    }
  } finally {
    if (options.producer === undefined) await producer.close()
  }
  // Delete what every group has redriven: up to this group's mark, and not past another group's letter
  // (or a record that is no letter) its own redrive has not passed.
  const upTo: Record<number, number> = {}
  for (const [p, mark] of found.marks) {
    const bound = Math.min(mark, found.blocked.get(p) ?? Number.MAX_SAFE_INTEGER)
    const first = found.earliest.get(p) ?? 0
    if (bound > first && found.complete) upTo[p] = bound
    else if (bound > first) {
      // The read stopped early: only the part read is known; delete up to the last moved letter.
      const last = movable.filter((l) => l.dlqPartition === p).at(-1)
      if (last !== undefined && Math.min(bound, last.dlqOffset + 1) > first)
        upTo[p] = Math.min(bound, last.dlqOffset + 1)
    }
  }
  if (Object.keys(upTo).length > 0) {
    await admin.deleteRecords(topic, upTo)
    for (const [p, o] of Object.entries(upTo)) report.deleted += o - (found.earliest.get(Number(p)) ?? 0)
  }
  return report
}
