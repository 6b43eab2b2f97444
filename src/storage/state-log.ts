// A durable log of keyed state records (type, key, value) for the broker's own state: topic metadata,
// committed offsets, and later share-group state and transactions. Appends are group-committed (one
// write + fsync covers everything appended meanwhile); snapshots are written beside the log, off the
// commit path, and recovery replays the newest snapshot plus the records after it, cutting a torn tail.
import {
  ClosedError,
  CorruptDataError,
  type FileHandle,
  type FileSystem,
  type Logger,
  StateLogBusyError,
  StateRecordTooLargeError,
} from '../core/index.js'
import { crc32c } from '../record-batch/index.js'

/**
 * One change of state. `type` names the kind of entity, `key` identifies it within the type, `value` is
 * its new content (any JSON value; owners use null for a deletion). Records must be keyed upserts or
 * deletions: applying a record to a state that already reflects it, or re-applying a run of recent
 * records in order, must leave the state unchanged. Snapshots rely on that (see `StateLogOptions.snapshot`).
 */
export interface StateRecord {
  readonly type: string
  readonly key: string
  readonly value: unknown
}

/** Options of StateLog.open. Sizes in bytes. */
export interface StateLogOptions {
  readonly fs: FileSystem
  /** Directory the log owns: `<20-digit seq>.log` and `<20-digit seq>.snapshot` files live here. */
  readonly dir: string
  readonly logger: Logger
  /** Called during open with every recovered record, snapshot first, then the log after it, in order. */
  readonly replay: (record: StateRecord) => void
  /**
   * Returns the owner's current state as records; called synchronously when a snapshot starts. It must
   * reflect at least every acknowledged append and nothing that was never appended. Appends not yet
   * acknowledged are added by the log itself after these records, so an owner may apply a record either
   * when it appends it or when the append is acknowledged.
   */
  readonly snapshot: () => Iterable<StateRecord>
  /** Start a snapshot once this many bytes were logged since the last one (default 16 MiB). */
  readonly snapshotAfterBytes?: number
  /** Appends waiting for the disk beyond this many bytes are refused (default 64 MiB). */
  readonly pendingBytesMax?: number
}

/** What recovery found. */
export interface StateLogRecovery {
  /** Sequence number of the last record recovered (0 for a new log). */
  readonly lastSeq: number
  readonly snapshotRecords: number
  readonly logRecords: number
  /** Bytes of torn or corrupt tail that were cut off the last log file. */
  readonly truncatedBytes: number
}

/** Largest encoded record; larger ones are refused at append and treated as garbage at recovery. */
export const STATE_RECORD_BYTES_MAX = 1024 * 1024
export const STATE_LOG_SNAPSHOT_AFTER_BYTES_DEFAULT = 16 * 1024 * 1024
export const STATE_LOG_PENDING_BYTES_MAX_DEFAULT = 64 * 1024 * 1024

const FRAME_HEADER_BYTES = 8
const READ_CHUNK_BYTES = 1024 * 1024
const SNAPSHOT_WRITE_BYTES = 1024 * 1024
const SNAPSHOT_FORMAT = 'brook-state-snapshot'
const SNAPSHOT_VERSION = 1
const LOG_FILE = /^(\d{20})\.log$/
const SNAPSHOT_FILE = /^(\d{20})\.snapshot$/

/** `<20-digit seq>.log`: a log file whose first record has sequence number `firstSeq` (or later). */
export function stateLogFileName(firstSeq: number): string {
  return `${String(firstSeq).padStart(20, '0')}.log`
}

/** `<20-digit seq>.snapshot`: the state after record `lastSeq`. */
export function stateSnapshotFileName(lastSeq: number): string {
  return `${String(lastSeq).padStart(20, '0')}.snapshot`
}

/** Encodes one frame: u32 payload length, u32 CRC-32C of the payload, payload (UTF-8 JSON). */
export function encodeStateFrame(payload: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(payload), 'utf8')
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + body.length)
  frame.writeUInt32BE(body.length, 0)
  frame.writeUInt32BE(crc32c(body), 4)
  body.copy(frame, FRAME_HEADER_BYTES)
  return frame
}

function recordPayload(record: StateRecord, seq?: number): object {
  return seq === undefined
    ? { t: record.type, k: record.key, v: record.value ?? null }
    : { s: seq, t: record.type, k: record.key, v: record.value ?? null }
}

function toRecord(payload: unknown, where: string): StateRecord & { seq?: number } {
  const p = payload as { s?: unknown; t?: unknown; k?: unknown; v?: unknown }
  if (typeof p !== 'object' || p === null || typeof p.t !== 'string' || typeof p.k !== 'string') {
    throw new CorruptDataError(`${where}: a frame is not a state record`)
  }
  if (p.s !== undefined && !Number.isSafeInteger(p.s)) throw new CorruptDataError(`${where}: bad sequence`)
  return { seq: p.s as number | undefined, type: p.t, key: p.k, value: p.v ?? null }
}

/**
 * Reads the frames of `handle` from the start, handing each payload to `onPayload`, and stops at the first
 * frame that is incomplete, longer than allowed, fails its CRC or is not JSON. Reads in chunks, so memory
 * stays within a chunk plus one frame. Returns the position just after the last good frame.
 */
async function scanFrames(
  handle: FileHandle,
  size: number,
  onPayload: (payload: unknown, frameBytes: number) => void,
): Promise<number> {
  let buffer: Buffer = Buffer.alloc(0)
  let bufferStart = 0
  const ensure = async (at: number, length: number): Promise<boolean> => {
    if (at >= bufferStart && at + length <= bufferStart + buffer.length) return true
    buffer = await handle.read(at, Math.max(length, READ_CHUNK_BYTES))
    bufferStart = at
    return buffer.length >= length
  }
  let position = 0
  while (position + FRAME_HEADER_BYTES <= size) {
    if (!(await ensure(position, FRAME_HEADER_BYTES))) break
    const length = buffer.readUInt32BE(position - bufferStart)
    const frameBytes = FRAME_HEADER_BYTES + length
    if (length > STATE_RECORD_BYTES_MAX || position + frameBytes > size) break
    if (!(await ensure(position, frameBytes))) break
    const start = position - bufferStart
    const body = buffer.subarray(start + FRAME_HEADER_BYTES, start + frameBytes)
    if (crc32c(body) !== buffer.readUInt32BE(start + 4)) break
    let payload: unknown
    try {
      payload = JSON.parse(body.toString('utf8'))
    } catch {
      break
    }
    onPayload(payload, frameBytes)
    position += frameBytes
  }
  return position
}

interface AppendItem {
  readonly kind: 'append'
  readonly frames: Buffer[]
  readonly bytes: number
  readonly resolve: () => void
  readonly reject: (error: unknown) => void
}

/** Switches appends to a new file starting at `firstSeq`; queued so it falls exactly between appends. */
interface RollItem {
  readonly kind: 'roll'
  readonly firstSeq: number
  readonly resolve: () => void
  readonly reject: (error: unknown) => void
}

type QueueItem = AppendItem | RollItem

/**
 * An open state log. `append` may be called at any time; records reach the disk in call order and each
 * call resolves once a write and fsync covering it completed. After a failed write every later append
 * fails too, since what reached the disk is unknown.
 */
export class StateLog {
  readonly #fs: FileSystem
  readonly #dir: string
  readonly #logger: Logger
  readonly #snapshotSource: () => Iterable<StateRecord>
  readonly #snapshotAfterBytes: number
  readonly #pendingBytesMax: number
  #handle: FileHandle
  #endPosition: number
  /** First sequence numbers of the log files on disk, oldest first; the last one is being appended to. */
  #files: number[]
  #snapshotSeqs: number[]
  #seq: number
  #queue: QueueItem[] = []
  #writing: QueueItem[] = []
  /**
   * Frames of the batch acknowledged last. An owner that applies records when their append resolves does
   * so a few microtasks later, so a snapshot taken in between still adds these.
   */
  #lastAcknowledged: Buffer[] = []
  #pendingBytes = 0
  #bytesSinceSnapshot: number
  #flushing: Promise<void> | undefined
  #snapshotting: Promise<void> | undefined
  #failure: unknown
  #closed = false
  /** Counters for tests and metrics. */
  readonly stats = { writes: 0, syncs: 0, snapshots: 0, snapshotFailures: 0 }

  private constructor(
    options: StateLogOptions,
    handle: FileHandle,
    endPosition: number,
    files: number[],
    snapshotSeqs: number[],
    lastSeq: number,
    bytesSinceSnapshot: number,
  ) {
    this.#fs = options.fs
    this.#dir = options.dir
    this.#logger = options.logger
    this.#snapshotSource = options.snapshot
    this.#snapshotAfterBytes = options.snapshotAfterBytes ?? STATE_LOG_SNAPSHOT_AFTER_BYTES_DEFAULT
    this.#pendingBytesMax = options.pendingBytesMax ?? STATE_LOG_PENDING_BYTES_MAX_DEFAULT
    this.#handle = handle
    this.#endPosition = endPosition
    this.#files = files
    this.#snapshotSeqs = snapshotSeqs
    this.#seq = lastSeq
    this.#bytesSinceSnapshot = bytesSinceSnapshot
  }

  /** Opens (creating if needed) the log in `options.dir`, replaying what it holds through `options.replay`. */
  static async open(options: StateLogOptions): Promise<{ log: StateLog; recovery: StateLogRecovery }> {
    const { fs, dir } = options
    await fs.mkdir(dir)
    const names = await fs.list(dir)
    for (const name of names) if (name.endsWith('.tmp')) await fs.remove(`${dir}/${name}`)
    const numbered = (pattern: RegExp) =>
      names
        .map((name) => pattern.exec(name)?.[1])
        .filter((digits): digits is string => digits !== undefined)
        .map(Number)
        .sort((a, b) => a - b)
    const snapshotSeqs = numbered(SNAPSHOT_FILE)
    let files = numbered(LOG_FILE)

    let lastSeq = 0
    let snapshotRecords = 0
    const newestSnapshot = snapshotSeqs.at(-1)
    if (newestSnapshot !== undefined) {
      snapshotRecords = await readSnapshot(
        fs,
        `${dir}/${stateSnapshotFileName(newestSnapshot)}`,
        options.replay,
      )
      lastSeq = newestSnapshot
    }
    const snapshotSeq = lastSeq

    let logRecords = 0
    let truncatedBytes = 0
    let bytesSinceSnapshot = 0
    let handle: FileHandle | undefined
    let endPosition = 0
    for (const [index, firstSeq] of files.entries()) {
      const path = `${dir}/${stateLogFileName(firstSeq)}`
      const file = await fs.open(path)
      const size = await file.size()
      const end = await scanFrames(file, size, (payload, frameBytes) => {
        const record = toRecord(payload, path)
        if (record.seq === undefined)
          throw new CorruptDataError(`${path}: a record without a sequence number`)
        bytesSinceSnapshot += frameBytes
        if (record.seq <= lastSeq) return
        if (record.seq !== lastSeq + 1) {
          throw new CorruptDataError(`${path}: records ${lastSeq + 1} to ${record.seq - 1} are missing`)
        }
        options.replay(record)
        lastSeq = record.seq
        logRecords++
      })
      if (index < files.length - 1) {
        await file.close()
        continue
      }
      if (firstSeq > lastSeq + 1) {
        await file.close()
        throw new CorruptDataError(`${path}: records ${lastSeq + 1} to ${firstSeq - 1} are missing`)
      }
      if (end < size) {
        truncatedBytes = size - end
        options.logger.warn('state log: cutting a torn tail', { file: path, truncatedBytes })
        await file.truncate(end)
        await file.sync()
      }
      handle = file
      endPosition = end
    }
    if (handle === undefined) {
      handle = await fs.open(`${dir}/${stateLogFileName(lastSeq + 1)}`, { create: true })
      files = [lastSeq + 1]
    }
    // Files wholly covered by the snapshot are left over from a snapshot that a crash interrupted.
    while (files.length > 1 && files[1] <= snapshotSeq + 1) {
      await fs.remove(`${dir}/${stateLogFileName(files[0])}`)
      files = files.slice(1)
    }
    for (const seq of snapshotSeqs.slice(0, -1)) await fs.remove(`${dir}/${stateSnapshotFileName(seq)}`)
    const log = new StateLog(
      options,
      handle,
      endPosition,
      files,
      snapshotSeqs.slice(-1),
      lastSeq,
      bytesSinceSnapshot,
    )
    return { log, recovery: { lastSeq, snapshotRecords, logRecords, truncatedBytes } }
  }

  /** Sequence number of the last record appended. */
  get lastSeq(): number {
    return this.#seq
  }

  /** Bytes appended but not yet acknowledged. */
  get pendingBytes(): number {
    return this.#pendingBytes
  }

  /** Number of log files on disk (one, plus older ones while a snapshot is being written). */
  get logFileCount(): number {
    return this.#files.length
  }

  /**
   * Appends `records` and resolves once they are durable. Refused (the promise rejects) after close or a
   * failed write, for a record over STATE_RECORD_BYTES_MAX, and while appends waiting for the disk hold
   * more than `pendingBytesMax` bytes (BROOK_ERR_STATE_LOG_BUSY; retry later).
   */
  append(records: readonly StateRecord[]): Promise<void> {
    if (this.#closed) return Promise.reject(new ClosedError('state log is closed'))
    if (this.#failure !== undefined) {
      return Promise.reject(
        new ClosedError('state log failed a write and takes no more', { cause: this.#failure }),
      )
    }
    if (records.length === 0) return Promise.resolve()
    const frames: Buffer[] = []
    let bytes = 0
    for (const [index, record] of records.entries()) {
      const frame = encodeStateFrame(recordPayload(record, this.#seq + 1 + index))
      if (frame.length - FRAME_HEADER_BYTES > STATE_RECORD_BYTES_MAX) {
        return Promise.reject(
          new StateRecordTooLargeError(
            `state record ${record.type}/${record.key} is ${frame.length} bytes, over ${STATE_RECORD_BYTES_MAX}`,
          ),
        )
      }
      frames.push(frame)
      bytes += frame.length
    }
    if (this.#pendingBytes > 0 && this.#pendingBytes + bytes > this.#pendingBytesMax) {
      return Promise.reject(
        new StateLogBusyError(
          `state log has ${this.#pendingBytes} bytes waiting for the disk (limit ${this.#pendingBytesMax})`,
        ),
      )
    }
    this.#seq += records.length
    this.#pendingBytes += bytes
    this.#bytesSinceSnapshot += bytes
    const done = new Promise<void>((resolve, reject) => {
      this.#queue.push({ kind: 'append', frames, bytes, resolve, reject })
    })
    this.#kick()
    if (this.#bytesSinceSnapshot >= this.#snapshotAfterBytes && this.#snapshotting === undefined) {
      this.#startSnapshot().catch(() => {})
    }
    return done
  }

  /** Writes a snapshot now (after any running one) and resolves when it is durable and old files are gone. */
  async snapshotNow(): Promise<void> {
    while (this.#snapshotting !== undefined) await this.#snapshotting.catch(() => {})
    if (this.#closed) throw new ClosedError('state log is closed')
    await this.#startSnapshot()
  }

  /** Waits for pending appends and a running snapshot, then closes the file. Later appends reject. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    while (this.#flushing !== undefined || this.#snapshotting !== undefined) {
      await Promise.all([this.#flushing, this.#snapshotting?.catch(() => {})])
    }
    await this.#handle.close()
  }

  #kick(): void {
    if (this.#flushing === undefined) this.#flushing = this.#flushLoop()
  }

  async #flushLoop(): Promise<void> {
    while (this.#queue.length > 0) {
      const first = this.#queue[0]
      if (first.kind === 'roll') {
        this.#queue.shift()
        this.#writing = [first]
        await this.#roll(first)
        this.#writing = []
        continue
      }
      const rollAt = this.#queue.findIndex((item) => item.kind === 'roll')
      const batch = this.#queue.splice(0, rollAt === -1 ? this.#queue.length : rollAt) as AppendItem[]
      this.#writing = batch
      const bytes = batch.reduce((sum, item) => sum + item.bytes, 0)
      try {
        if (this.#failure !== undefined) throw this.#failure
        await this.#handle.write(
          this.#endPosition,
          batch.flatMap((item) => item.frames),
        )
        this.stats.writes++
        await this.#handle.sync()
        this.stats.syncs++
        this.#endPosition += bytes
        this.#pendingBytes -= bytes
        this.#writing = []
        this.#lastAcknowledged = batch.flatMap((item) => item.frames)
        for (const item of batch) item.resolve()
      } catch (error) {
        if (this.#failure === undefined) {
          this.#failure = error
          this.#logger.error('state log: write failed; refusing further appends', { dir: this.#dir, error })
        }
        this.#pendingBytes -= bytes
        this.#writing = []
        for (const item of batch) item.reject(error)
      }
    }
    this.#flushing = undefined
  }

  async #roll(item: RollItem): Promise<void> {
    try {
      if (this.#failure !== undefined) throw this.#failure
      // Nothing was appended since the last roll: the current file already starts there.
      if (this.#files.at(-1) === item.firstSeq) {
        item.resolve()
        return
      }
      const next = await this.#fs.open(`${this.#dir}/${stateLogFileName(item.firstSeq)}`, { create: true })
      const previous = this.#handle
      this.#handle = next
      this.#endPosition = 0
      this.#files.push(item.firstSeq)
      await previous.close()
      item.resolve()
    } catch (error) {
      this.#failure ??= error
      item.reject(error)
    }
  }

  /**
   * Takes the owner's state and the unacknowledged appends now, queues a roll to a new log file at this
   * point, then writes the snapshot file and removes the files it replaces. Appends go on meanwhile.
   */
  #startSnapshot(): Promise<void> {
    const lastSeq = this.#seq
    let records: StateRecord[]
    try {
      records = [...this.#snapshotSource()]
    } catch (error) {
      this.stats.snapshotFailures++
      this.#bytesSinceSnapshot = 0
      this.#logger.error('state log: the owner could not list its state', { dir: this.#dir, error })
      return Promise.reject(error)
    }
    const unacknowledged: Buffer[] = [...this.#lastAcknowledged]
    for (const item of [...this.#writing, ...this.#queue])
      if (item.kind === 'append') unacknowledged.push(...item.frames)
    const rolled = new Promise<void>((resolve, reject) => {
      this.#queue.push({ kind: 'roll', firstSeq: lastSeq + 1, resolve, reject })
    })
    rolled.catch(() => {})
    this.#kick()
    const run = this.#writeSnapshot(lastSeq, records, unacknowledged, rolled)
    this.#bytesSinceSnapshot = 0
    this.#snapshotting = run
    run.then(
      () => {
        this.stats.snapshots++
      },
      (error) => {
        this.stats.snapshotFailures++
        this.#logger.error('state log: snapshot failed', { dir: this.#dir, error })
      },
    )
    run
      .finally(() => {
        if (this.#snapshotting === run) this.#snapshotting = undefined
      })
      .catch(() => {})
    return run
  }

  async #writeSnapshot(
    lastSeq: number,
    records: readonly StateRecord[],
    unacknowledged: readonly Buffer[],
    rolled: Promise<void>,
  ): Promise<void> {
    const name = stateSnapshotFileName(lastSeq)
    const tmp = `${this.#dir}/${name}.tmp`
    const file = await this.#fs.open(tmp, { create: true })
    try {
      await file.truncate(0)
      let position = 0
      let chunk: Buffer[] = []
      let chunkBytes = 0
      const put = async (frame: Buffer): Promise<void> => {
        chunk.push(frame)
        chunkBytes += frame.length
        if (chunkBytes < SNAPSHOT_WRITE_BYTES) return
        await file.write(position, chunk)
        position += chunkBytes
        chunk = []
        chunkBytes = 0
      }
      await put(encodeStateFrame({ format: SNAPSHOT_FORMAT, version: SNAPSHOT_VERSION, lastSeq }))
      for (const record of records) await put(encodeStateFrame(recordPayload(record)))
      for (const frame of unacknowledged) await put(frame)
      await put(encodeStateFrame({ end: true, records: records.length + unacknowledged.length }))
      if (chunkBytes > 0) await file.write(position, chunk)
      await file.sync()
    } finally {
      await file.close()
    }
    await this.#fs.rename(tmp, `${this.#dir}/${name}`)
    // The old files may be removed only once no write goes to them any more.
    await rolled
    for (const seq of this.#snapshotSeqs) {
      if (seq !== lastSeq) await this.#fs.remove(`${this.#dir}/${stateSnapshotFileName(seq)}`)
    }
    this.#snapshotSeqs = [lastSeq]
    while (this.#files.length > 1 && this.#files[0] <= lastSeq) {
      await this.#fs.remove(`${this.#dir}/${stateLogFileName(this.#files[0])}`)
      this.#files = this.#files.slice(1)
    }
  }
}

/** Replays the snapshot at `path`; returns how many records it held. A bad snapshot is real corruption. */
async function readSnapshot(
  fs: FileSystem,
  path: string,
  replay: (record: StateRecord) => void,
): Promise<number> {
  const file = await fs.open(path)
  try {
    const size = await file.size()
    let header: { format?: unknown; version?: unknown; lastSeq?: unknown } | undefined
    let trailer: { end?: unknown; records?: unknown } | undefined
    let count = 0
    const end = await scanFrames(file, size, (payload) => {
      if (trailer !== undefined) throw new CorruptDataError(`${path}: frames after the end`)
      if (header === undefined) {
        const first = payload as { format?: unknown; version?: unknown; lastSeq?: unknown } | null
        if (first?.format !== SNAPSHOT_FORMAT || first.version !== SNAPSHOT_VERSION) {
          throw new CorruptDataError(`${path}: not a version ${SNAPSHOT_VERSION} state snapshot`)
        }
        header = first
        return
      }
      if ((payload as { end?: unknown }).end === true) {
        trailer = payload as typeof trailer
        return
      }
      replay(toRecord(payload, path))
      count++
    })
    // Snapshots are renamed into place only when complete, so anything short of that is corruption.
    if (end !== size || trailer === undefined || trailer.records !== count) {
      throw new CorruptDataError(`${path}: snapshot is incomplete or fails its checksum`)
    }
    return count
  } finally {
    await file.close()
  }
}
