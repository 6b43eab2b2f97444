// Reads the metadata files of the format before the shared state log (metadata.snapshot + metadata.log,
// CRC-32 framed), so that TopicRegistry.open can migrate them once; nothing writes this format any more.
//
// Frame: u32 payload length, u32 CRC-32 (IEEE) of the payload, payload (UTF-8 JSON `{ seq, record }`).
// Snapshot file: u32 CRC-32 of the rest, then UTF-8 JSON `{ format: 1, lastSeq, state: { topics } }`.
import { CorruptDataError, type FileSystem } from '../core/index.js'
import { crc32 } from './legacy-crc32.js'

/** File names of the old format inside the metadata directory. */
export const LEGACY_METADATA_LOG_FILE = 'metadata.log'
export const LEGACY_METADATA_SNAPSHOT_FILE = 'metadata.snapshot'

const FRAME_HEADER_BYTES = 8

/** What the old files held: the snapshot's state (if any) and the records logged after it, in order. */
export interface LegacyMetadata<S, R> {
  readonly snapshot: S | undefined
  readonly records: readonly R[]
}

/** Encodes one frame of the old format; for tests that build old logs by hand. */
export function encodeLegacyFrame(payload: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(payload), 'utf8')
  const header = Buffer.alloc(FRAME_HEADER_BYTES)
  header.writeUInt32BE(body.length, 0)
  header.writeUInt32BE(crc32(body), 4)
  return Buffer.concat([header, body])
}

/** True if either old file is in `dir`. */
export async function hasLegacyMetadata(fileSystem: FileSystem, dir: string): Promise<boolean> {
  return (
    (await fileSystem.exists(`${dir}/${LEGACY_METADATA_LOG_FILE}`)) ||
    (await fileSystem.exists(`${dir}/${LEGACY_METADATA_SNAPSHOT_FILE}`))
  )
}

/**
 * Reads the old snapshot and the records after it; stops at a torn or corrupt frame, as the old code
 * did. A bad snapshot or a gap in `seq` is real corruption.
 */
export async function readLegacyMetadata<S, R>(
  fileSystem: FileSystem,
  dir: string,
): Promise<LegacyMetadata<S, R>> {
  const snapshotPath = `${dir}/${LEGACY_METADATA_SNAPSHOT_FILE}`
  let snapshot: S | undefined
  let lastSeq = 0
  if (await fileSystem.exists(snapshotPath)) {
    const data = await fileSystem.readFile(snapshotPath)
    if (data.length < 4 || crc32(data.subarray(4)) !== data.readUInt32BE(0)) {
      throw new CorruptDataError(`metadata snapshot ${snapshotPath} fails its checksum`)
    }
    const parsed = JSON.parse(data.subarray(4).toString('utf8')) as {
      format: number
      lastSeq: number
      state: S
    }
    if (parsed.format !== 1) {
      throw new CorruptDataError(`metadata snapshot ${snapshotPath} has unknown format ${parsed.format}`)
    }
    snapshot = parsed.state
    lastSeq = parsed.lastSeq
  }
  const records: R[] = []
  const logPath = `${dir}/${LEGACY_METADATA_LOG_FILE}`
  if (await fileSystem.exists(logPath)) {
    const data = await fileSystem.readFile(logPath)
    let position = 0
    while (position + FRAME_HEADER_BYTES <= data.length) {
      const length = data.readUInt32BE(position)
      const bodyStart = position + FRAME_HEADER_BYTES
      if (bodyStart + length > data.length) break
      const body = data.subarray(bodyStart, bodyStart + length)
      if (crc32(body) !== data.readUInt32BE(position + 4)) break
      let payload: { seq: number; record: R }
      try {
        payload = JSON.parse(body.toString('utf8'))
      } catch {
        break
      }
      position = bodyStart + length
      if (payload.seq <= lastSeq) continue
      if (payload.seq !== lastSeq + 1) {
        throw new CorruptDataError(`metadata log skips from seq ${lastSeq} to ${payload.seq}`)
      }
      records.push(payload.record)
      lastSeq = payload.seq
    }
  }
  return { snapshot, records }
}

/** Removes the old files once their content is in the state log. */
export async function removeLegacyMetadata(fileSystem: FileSystem, dir: string): Promise<void> {
  await fileSystem.remove(`${dir}/${LEGACY_METADATA_SNAPSHOT_FILE}`)
  await fileSystem.remove(`${dir}/${LEGACY_METADATA_LOG_FILE}`)
}
