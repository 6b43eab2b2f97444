// The metadata log on disk: an append-only file of CRC-framed JSON records plus a snapshot that the log
// is compacted into. Recovery reads the snapshot, replays the records after it, and cuts a torn tail.
//
// Frame: u32 payload length, u32 CRC-32 of the payload, payload (UTF-8 JSON with a `seq` number).
// Snapshot file: u32 CRC-32 of the rest, then UTF-8 JSON { format, lastSeq, state }.

import { CorruptDataError, type FileHandle, type FileSystem } from '../core/index.js'
import { crc32 } from './crc32.js'

const FRAME_HEADER_BYTES = 8
/** Larger frames are treated as garbage: a real record is a few kilobytes at most. */
const FRAME_PAYLOAD_BYTES_MAX = 16 * 1024 * 1024
const SNAPSHOT_FORMAT = 1

/** File names inside the metadata directory. */
export const METADATA_LOG_FILE = 'metadata.log'
export const METADATA_SNAPSHOT_FILE = 'metadata.snapshot'

/** A record read back from the log: its sequence number and its body. */
export interface LoggedRecord<R> {
  readonly seq: number
  readonly record: R
}

/** What recovery found: the snapshot's state (undefined if none) and the records logged after it. */
export interface MetadataLogRecovery<S, R> {
  readonly log: MetadataLog<R, S>
  readonly snapshot: S | undefined
  readonly records: readonly LoggedRecord<R>[]
  /** Bytes of torn or corrupt tail that were cut off. */
  readonly truncatedBytes: number
}

/** Encodes one frame. Exposed for tests that build torn or corrupt logs by hand. */
export function encodeFrame(payload: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(payload), 'utf8')
  const header = Buffer.alloc(FRAME_HEADER_BYTES)
  header.writeUInt32BE(body.length, 0)
  header.writeUInt32BE(crc32(body), 4)
  return Buffer.concat([header, body])
}

/**
 * Decodes frames from the start of `data`; stops at the first frame that is incomplete, fails its CRC
 * or is not JSON. `endPosition` is the byte just after the last good frame (exclusive).
 */
export function decodeFrames(data: Buffer): { payloads: unknown[]; endPosition: number } {
  const payloads: unknown[] = []
  let position = 0
  while (position + FRAME_HEADER_BYTES <= data.length) {
    const length = data.readUInt32BE(position)
    const expectedCrc = data.readUInt32BE(position + 4)
    const bodyStart = position + FRAME_HEADER_BYTES
    if (length > FRAME_PAYLOAD_BYTES_MAX || bodyStart + length > data.length) break
    const body = data.subarray(bodyStart, bodyStart + length)
    if (crc32(body) !== expectedCrc) break
    let payload: unknown
    try {
      payload = JSON.parse(body.toString('utf8'))
    } catch {
      break
    }
    payloads.push(payload)
    position = bodyStart + length
  }
  return { payloads, endPosition: position }
}

/**
 * The open metadata log. Not safe for concurrent appends: the owner serializes them. After a failed
 * write the log refuses further appends, because what reached the disk is unknown.
 */
export class MetadataLog<R, S> {
  private endPosition: number
  private lastSeq: number
  private failure: unknown

  private constructor(
    private readonly fileSystem: FileSystem,
    private readonly dir: string,
    private handle: FileHandle,
    endPosition: number,
    lastSeq: number,
  ) {
    this.endPosition = endPosition
    this.lastSeq = lastSeq
  }

  /** Opens (creating if needed) the log in `dir`, recovers it, and returns what to replay. */
  static async open<R, S>(fileSystem: FileSystem, dir: string): Promise<MetadataLogRecovery<S, R>> {
    await fileSystem.mkdir(dir)
    const snapshotPath = `${dir}/${METADATA_SNAPSHOT_FILE}`
    let snapshot: S | undefined
    let snapshotSeq = 0
    if (await fileSystem.exists(snapshotPath)) {
      const data = await fileSystem.readFile(snapshotPath)
      // Snapshots are written atomically, so a bad one is real corruption, not a torn write.
      if (data.length < 4 || crc32(data.subarray(4)) !== data.readUInt32BE(0)) {
        throw new CorruptDataError(`metadata snapshot ${snapshotPath} fails its checksum`)
      }
      const parsed = JSON.parse(data.subarray(4).toString('utf8')) as {
        format: number
        lastSeq: number
        state: S
      }
      if (parsed.format !== SNAPSHOT_FORMAT) {
        throw new CorruptDataError(`metadata snapshot ${snapshotPath} has unknown format ${parsed.format}`)
      }
      snapshot = parsed.state
      snapshotSeq = parsed.lastSeq
    }
    const handle = await fileSystem.open(`${dir}/${METADATA_LOG_FILE}`, { create: true })
    const size = await handle.size()
    const data = size === 0 ? Buffer.alloc(0) : await handle.read(0, size)
    const { payloads, endPosition } = decodeFrames(data)
    const truncatedBytes = data.length - endPosition
    if (truncatedBytes > 0) {
      await handle.truncate(endPosition)
      await handle.sync()
    }
    const records: LoggedRecord<R>[] = []
    let lastSeq = snapshotSeq
    for (const payload of payloads) {
      const { seq, record } = payload as { seq: number; record: R }
      if (typeof seq !== 'number' || record === undefined) {
        throw new CorruptDataError(`metadata log record without seq or body in ${dir}`)
      }
      // Records up to the snapshot's lastSeq are already in it: a crash between writing the snapshot
      // and truncating the log leaves them behind.
      if (seq <= snapshotSeq) continue
      if (seq !== lastSeq + 1) throw new CorruptDataError(`metadata log skips from seq ${lastSeq} to ${seq}`)
      records.push({ seq, record })
      lastSeq = seq
    }
    const log = new MetadataLog<R, S>(fileSystem, dir, handle, endPosition, lastSeq)
    return { log, snapshot, records, truncatedBytes }
  }

  /** Bytes in the log file (records since the last snapshot). */
  get sizeBytes(): number {
    return this.endPosition
  }

  /** Appends `records` and syncs; resolves once they are durable. */
  async append(records: readonly R[]): Promise<void> {
    if (this.failure !== undefined)
      throw new Error('metadata log is unusable after a failed write', { cause: this.failure })
    if (records.length === 0) return
    const frames = records.map((record, index) => encodeFrame({ seq: this.lastSeq + 1 + index, record }))
    try {
      await this.handle.write(this.endPosition, frames)
      await this.handle.sync()
    } catch (error) {
      this.failure = error
      throw error
    }
    this.lastSeq += records.length
    for (const frame of frames) this.endPosition += frame.length
  }

  /**
   * Writes `state` (which must include every appended record) as the snapshot, then empties the log.
   * A crash in between is harmless: replay skips records the snapshot already holds.
   */
  async compact(state: S): Promise<void> {
    if (this.failure !== undefined)
      throw new Error('metadata log is unusable after a failed write', { cause: this.failure })
    const body = Buffer.from(
      JSON.stringify({ format: SNAPSHOT_FORMAT, lastSeq: this.lastSeq, state }),
      'utf8',
    )
    const header = Buffer.alloc(4)
    header.writeUInt32BE(crc32(body), 0)
    try {
      await this.fileSystem.writeFileAtomic(
        `${this.dir}/${METADATA_SNAPSHOT_FILE}`,
        Buffer.concat([header, body]),
      )
      await this.handle.truncate(0)
      await this.handle.sync()
    } catch (error) {
      this.failure = error
      throw error
    }
    this.endPosition = 0
  }

  /** Closes the file. */
  async close(): Promise<void> {
    await this.handle.close()
  }
}
