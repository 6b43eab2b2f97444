// Dead letters of a share group in the console's queue view: depth and redrive come from the SDK
// (client/dead-letters.ts, decision 0006: one meaning shared with `brook queues`); this file adds the newest
// letters of the group, each marked redriven or not.
import {
  type Admin,
  type ClientOptions,
  deadLetterDepth,
  deadLetterOrigin,
  type Producer,
  type RedriveReport,
  redriveDeadLetters,
} from '../client/index.js'
import type { Clock } from '../core/index.js'
import { browseMessages, type ShownBytes } from './message-browser.js'

/** Records the queue list reads at most per group to count its dead letters (the queue view reads more). */
export const DEAD_LETTER_LIST_SCAN_RECORDS_MAX = 10_000
/** Time the queue list spends at most per group counting its dead letters, in ms. */
export const DEAD_LETTER_LIST_SCAN_TIME_MAX_MS = 1_000

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
  /** This group's letters not yet redriven (a lower bound when `exact` is false). */
  pending: number
  /** False when counting stopped at its bound. */
  exact: boolean
  /** The newest dead letters of this group (when asked for). */
  letters: DeadLetterView[]
}

/** A share group's dead-letter topic and depth; with `read.list`, its newest letters of this group. */
export async function deadLetterSummary(
  admin: Admin,
  groupId: string,
  clientOptions: ClientOptions,
  read?: { clock: Clock; list: number },
): Promise<DeadLetterSummary> {
  const depth = await deadLetterDepth(admin, groupId, {
    clientOptions,
    ...(read === undefined
      ? {
          scanRecordsMax: DEAD_LETTER_LIST_SCAN_RECORDS_MAX,
          scanTimeMaxMs: DEAD_LETTER_LIST_SCAN_TIME_MAX_MS,
        }
      : {}),
  })
  const { topic } = depth
  const letters: DeadLetterView[] = []
  if (topic !== null && read !== undefined && depth.total > 0) {
    const browsed = await browseMessages(admin, clientOptions, read.clock, topic, { limit: read.list })
    for (const m of browsed.messages) {
      const origin = deadLetterOrigin({
        headers: m.headers.map((h) => ({
          key: h.key,
          value: h.value === null ? null : Buffer.from(h.value.text, h.value.encoding),
        })),
      })
      if (origin.group !== groupId) continue
      letters.push({
        partition: m.partition,
        offset: m.offset,
        timestampMs: m.timestampMs,
        sourceTopic: origin.topic,
        sourcePartition: origin.partition,
        sourceOffset: origin.offset,
        deliveryCount: origin.deliveryCount,
        reason: origin.reason,
        key: m.key,
        value: m.value,
        redriven: m.offset < (depth.marks[m.partition] ?? -1),
      })
    }
  }
  return { topic, total: depth.total, pending: depth.pending, exact: depth.exact, letters }
}

/** Moves the group's dead letters not yet redriven back to their source partitions (the SDK's redrive). */
export async function redrive(
  admin: Admin,
  producer: Producer,
  clientOptions: ClientOptions,
  groupId: string,
): Promise<RedriveReport> {
  return redriveDeadLetters(admin, groupId, { clientOptions, producer })
}
