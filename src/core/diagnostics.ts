// The broker's node:diagnostics_channel events, all channel names in this one file: the dispatcher, the
// produce and fetch paths, the log's fdatasync and the network publish here; metrics/ subscribes.
import diagnostics from 'node:diagnostics_channel'

/** One request answered (or the connection closed over it). */
export interface RequestEvent {
  readonly apiKey: number
  readonly apiVersion: number
  readonly durationMs: number
  /** 'none', an error name from a top-level error code, 'close' (connection closed) or 'exception'. */
  readonly error: string
}

/** Records appended to (in) or returned from (out) one partition of a topic. */
export interface RecordsEvent {
  readonly topic: string
  readonly records: number
  readonly bytes: number
}

/** One fdatasync of a partition's segment file. */
export interface FsyncEvent {
  readonly durationMs: number
}

/** A client connection opened or closed. */
export interface ConnectionEvent {
  readonly id: number
}

/** Records of one share-partition archived by REJECT or at the delivery count limit, owed to its dead-letter topic. */
export interface DeadLettersEvent {
  readonly group: string
  readonly records: number
  readonly reason: 'rejected' | 'delivery-count-limit'
}

/** The channels, by event. Check `hasSubscribers` before building an event on a hot path. */
export const brookChannels = {
  request: diagnostics.channel('brook:request'),
  recordsIn: diagnostics.channel('brook:records-in'),
  recordsOut: diagnostics.channel('brook:records-out'),
  fsync: diagnostics.channel('brook:fsync'),
  connectionOpened: diagnostics.channel('brook:connection-opened'),
  connectionClosed: diagnostics.channel('brook:connection-closed'),
  deadLetters: diagnostics.channel('brook:dead-letters'),
} as const

/** Byte offsets in a v2 record batch header (see docs of the record-batch folder). */
const BASE_OFFSET = 0
const BATCH_LENGTH = 8
const LAST_OFFSET_DELTA = 23
const RECORDS_COUNT = 57
const HEADER_BYTES = 61

/**
 * Records and bytes in `buffers` of whole v2 batches, read from the batch headers only (records are never
 * decoded); records before `fromOffset` (the head of the first batch a Fetch returns) are not counted.
 */
export function countBatches(buffers: readonly Buffer[], fromOffset = 0): { records: number; bytes: number } {
  let records = 0
  let bytes = 0
  for (const buffer of buffers) {
    bytes += buffer.length
    let at = 0
    while (at + HEADER_BYTES <= buffer.length) {
      const size = buffer.readInt32BE(at + BATCH_LENGTH) + 12
      if (size < HEADER_BYTES || at + size > buffer.length) break
      const base = Number(buffer.readBigInt64BE(at + BASE_OFFSET))
      const last = base + buffer.readInt32BE(at + LAST_OFFSET_DELTA)
      const count = buffer.readInt32BE(at + RECORDS_COUNT)
      records += last < fromOffset ? 0 : base >= fromOffset ? count : Math.min(count, last - fromOffset + 1)
      at += size
    }
  }
  return { records, bytes }
}
