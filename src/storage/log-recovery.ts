// Opening a partition directory: finds the segments, trusts the saved indexes of sealed ones, recovers
// the last segment after an unclean stop (cutting a torn tail), and rebuilds producer state from its
// snapshot plus a replay of batch headers. A missing file is normal; any other read error stops the open.
import { FileNotFoundError, type FileSystem, type Logger } from '../core/index.js'
import { Attributes, BatchOffsets, readInt64 } from '../record-batch/index.js'
import { DELETED_SUFFIX, recoverCleanerFiles } from './cleaner-swap.js'
import type { FilePool } from './file-pool.js'
import type { LogConfig } from './log-config.js'
import { LogSegment, scanBatches } from './log-segment.js'
import { lastSequenceOf, ProducerStateTable } from './producer-state.js'
import { SegmentIndex } from './segment-index.js'
import { AbortedTxnIndex } from './txn-index.js'

/** Files of a partition directory besides the segments. */
export const LogFiles = {
  cleanShutdown: 'clean-shutdown',
  logStartOffset: 'log-start-offset',
  producerSnapshot: 'producer-state.snapshot',
} as const

/** What an open found on disk. */
export interface RecoveredLog {
  segments: LogSegment[]
  logStartOffset: number
  producerState: ProducerStateTable
  /** The log cleaner's first dirty offset (0 when the log was never cleaned). */
  cleanerCheckpoint: number
  /** Aborted transactions: the snapshot's plus those whose markers the replay met. */
  aborted: AbortedTxnIndex
}

function isNotFound(error: unknown): boolean {
  return error instanceof FileNotFoundError
}

/** Opens (creating if needed) the partition directory `dir`, recovering it if it was not closed cleanly. */
export async function recoverLog(
  fs: FileSystem,
  pool: FilePool,
  dir: string,
  config: LogConfig,
  logger: Logger,
  nowMs: number,
): Promise<RecoveredLog> {
  await fs.mkdir(dir)
  for (const name of await fs.list(dir))
    if (name.endsWith('.tmp') || name.endsWith(DELETED_SUFFIX)) await fs.remove(`${dir}/${name}`)
  // A clean cut short: finished when committed, dropped otherwise, before the segments are listed.
  const cleanerCheckpoint = await recoverCleanerFiles(fs, dir, await fs.list(dir))
  const names = await fs.list(dir)

  let checkpoint = 0
  if (names.includes(LogFiles.logStartOffset)) {
    const parsed = Number((await fs.readFile(`${dir}/${LogFiles.logStartOffset}`)).toString('utf8').trim())
    if (Number.isSafeInteger(parsed) && parsed >= 0) checkpoint = parsed
  }
  let cleanEndOffset: number | undefined
  if (names.includes(LogFiles.cleanShutdown)) {
    const bytes = await fs.readFile(`${dir}/${LogFiles.cleanShutdown}`)
    try {
      const marker = JSON.parse(bytes.toString('utf8'))
      if (Number.isSafeInteger(marker.logEndOffset)) cleanEndOffset = marker.logEndOffset
    } catch {
      // An unparsable marker counts as no marker: recover.
    }
    // Removed before any append, so a crash from here on is seen as unclean.
    await fs.remove(`${dir}/${LogFiles.cleanShutdown}`)
  }

  const bases = names
    .filter((n) => /^\d{20}\.log$/.test(n))
    .map((n) => Number(n.slice(0, 20)))
    .sort((a, b) => a - b)
  const segments: LogSegment[] = []
  if (bases.length === 0) {
    const segment = new LogSegment(dir, checkpoint, pool)
    await segment.create()
    segments.push(segment)
  }
  for (let i = 0; i < bases.length; i++) {
    const isLast = i === bases.length - 1
    const segment = new LogSegment(dir, bases[i], pool)
    segment.opened = true
    const fileBytes = await segment.withFile((h) => h.size())
    segment.sizeBytes = fileBytes
    const index = await loadIndex(fs, segment, fileBytes, logger)
    if (!isLast) {
      segment.endOffset = bases[i + 1]
      segment.sealed = true
      if (index !== undefined) adoptIndex(segment, index, fileBytes)
      else {
        logger.warn('rebuilding index', { segment: segment.logPath })
        await rebuildIndex(segment, 0, fileBytes, false, config.indexIntervalBytes)
        segment.endOffset = bases[i + 1]
        await segment.saveIndex(fs)
      }
      segment.indexSaved = true
    } else if (cleanEndOffset !== undefined && index !== undefined && cleanEndOffset >= segment.baseOffset) {
      adoptIndex(segment, index, fileBytes)
      segment.endOffset = cleanEndOffset
      segment.bytesSinceIndexEntry = fileBytes - (index.positions.at(-1) ?? 0)
    } else {
      await recoverActiveSegment(segment, index, fileBytes, config, logger)
    }
    segment.writtenBytes = segment.sizeBytes
    segments.push(segment)
  }

  // Whole segments below the log start offset are leftovers of a deletion that did not finish.
  while (segments.length > 1 && segments[1].baseOffset <= checkpoint) {
    const dropped = segments.shift()!
    await dropSegmentFiles(fs, dropped)
  }
  const logEndOffset = segments[segments.length - 1].endOffset
  const logStartOffset = Math.min(Math.max(checkpoint, segments[0].baseOffset), logEndOffset)
  const { table: producerState, aborted } = await loadProducerState(
    fs,
    dir,
    segments,
    cleanEndOffset === logEndOffset,
    logger,
    nowMs,
  )
  logger.debug('opened log', { dir, logStartOffset, logEndOffset, segments: segments.length })
  aborted.dropBefore(logStartOffset)
  return { segments, logStartOffset, producerState, cleanerCheckpoint, aborted }
}

/** Closes a segment's file and removes it with its indexes. */
export async function dropSegmentFiles(fs: FileSystem, segment: LogSegment): Promise<void> {
  await segment.closeFile()
  await fs.remove(segment.indexPath)
  await fs.remove(segment.timeIndexPath)
  await fs.remove(segment.logPath)
}

/** The saved index of a segment; undefined when missing or not consistent with the file. */
async function loadIndex(
  fs: FileSystem,
  segment: LogSegment,
  fileBytes: number,
  logger: Logger,
): Promise<SegmentIndex | undefined> {
  let offsets: Buffer
  let times: Buffer
  try {
    offsets = await fs.readFile(segment.indexPath)
    times = await fs.readFile(segment.timeIndexPath)
  } catch (error) {
    if (isNotFound(error)) return undefined
    logger.error('reading a segment index failed', { segment: segment.logPath, error })
    throw error
  }
  return SegmentIndex.decode(offsets, times, fileBytes)
}

function adoptIndex(segment: LogSegment, index: SegmentIndex, fileBytes: number): void {
  segment.index = index
  segment.sizeBytes = fileBytes
  const last = index.timestamps.length - 1
  if (last >= 0) {
    segment.maxTimestampMs = index.timestamps[last]
    segment.offsetOfMaxTimestamp = segment.baseOffset + index.timeOffsets[last]
    segment.rollBaseMs = index.timestamps[0]
  }
}

/** Scans a segment from `position` (an index entry or 0), rebuilding its indexes from there. */
async function rebuildIndex(
  segment: LogSegment,
  position: number,
  fileBytes: number,
  validate: boolean,
  indexIntervalBytes: number,
): Promise<{ endPosition: number; corrupt: boolean }> {
  if (position === 0) {
    segment.index = new SegmentIndex()
    segment.maxTimestampMs = -1
    segment.offsetOfMaxTimestamp = -1
    segment.rollBaseMs = -1
  }
  segment.bytesSinceIndexEntry = 0
  const expectedOffset = segment.endOffset
  const scan = await segment.withFile((handle) =>
    scanBatches(handle, position, fileBytes, { validate, expectedOffset }, (b) => {
      segment.track(b.position, b.baseOffset, b.lastOffset, b.maxTimestampMs, b.sizeBytes, indexIntervalBytes)
      return true
    }),
  )
  segment.sizeBytes = scan.endPosition
  return scan
}

/**
 * Recovery of the last segment after an unclean stop: trust its saved index up to the last entry that
 * still points at a batch with the right offset, then validate every batch after it, cut the file at the
 * first torn or corrupt one, and rebuild the index entries beyond that point.
 */
async function recoverActiveSegment(
  segment: LogSegment,
  index: SegmentIndex | undefined,
  fileBytes: number,
  config: LogConfig,
  logger: Logger,
): Promise<void> {
  let startPosition = 0
  segment.endOffset = segment.baseOffset
  if (index !== undefined && index.offsets.length > 0) {
    const entry = index.offsets.length - 1
    const position = index.positions[entry]
    const header = await segment.read(position, 8)
    if (header.length === 8 && readInt64(header, 0) === segment.baseOffset + index.offsets[entry]) {
      const relative = index.offsets[entry]
      // Time entries at or after the entry's batch are rebuilt by the scan; the offset entry stays.
      index.truncate(Number.MAX_SAFE_INTEGER, relative)
      index.addOffset(relative, position)
      adoptIndex(segment, index, fileBytes)
      startPosition = position
      segment.endOffset = segment.baseOffset + relative
    }
  }
  const scan = await rebuildIndex(segment, startPosition, fileBytes, true, config.indexIntervalBytes)
  if (scan.endPosition < fileBytes) {
    logger.warn('truncating torn log tail', {
      segment: segment.logPath,
      validBytes: scan.endPosition,
      fileBytes,
    })
    await segment.withFile(async (handle) => {
      await handle.truncate(scan.endPosition)
      await handle.sync()
    })
  }
  segment.sizeBytes = scan.endPosition
}

/**
 * Producer state and aborted transactions: the saved snapshot when it matches the log end after a clean
 * stop; otherwise the snapshot (if usable) plus a replay of batch headers (and markers) from its end
 * offset to the log end. Producers met by the replay count as last seen at `nowMs`, so recovery never
 * expires them early.
 */
async function loadProducerState(
  fs: FileSystem,
  dir: string,
  segments: LogSegment[],
  clean: boolean,
  logger: Logger,
  nowMs: number,
): Promise<{ table: ProducerStateTable; aborted: AbortedTxnIndex }> {
  const logEndOffset = segments[segments.length - 1].endOffset
  let table = new ProducerStateTable()
  let aborted = new AbortedTxnIndex()
  let fromOffset = segments[0].baseOffset
  let bytes: Buffer | undefined
  try {
    bytes = await fs.readFile(`${dir}/${LogFiles.producerSnapshot}`)
  } catch (error) {
    if (!isNotFound(error)) {
      logger.error('reading the producer-state snapshot failed', { dir, error })
      throw error
    }
  }
  const loaded = bytes === undefined ? undefined : ProducerStateTable.fromSnapshot(bytes)
  if (bytes !== undefined && loaded === undefined)
    logger.warn('ignoring an unreadable producer snapshot', { dir })
  if (
    loaded !== undefined &&
    loaded.endOffset <= logEndOffset &&
    loaded.endOffset >= segments[0].baseOffset
  ) {
    table = loaded.table
    aborted = loaded.aborted
    fromOffset = loaded.endOffset
  }
  if (clean && fromOffset === logEndOffset) return { table, aborted }
  let replayed = 0
  for (const segment of segments) {
    if (segment.endOffset <= fromOffset || segment.sizeBytes === 0) continue
    const position =
      fromOffset > segment.baseOffset ? segment.index.positionFor(fromOffset - segment.baseOffset) : 0
    await segment.withFile((handle) =>
      scanBatches(handle, position, segment.sizeBytes, { validate: false }, (b) => {
        if (b.lastOffset < fromOffset || b.producerId < 0) return true
        const last = b.baseSequence < 0 ? -1 : lastSequenceOf(b.baseSequence, b.lastOffset - b.baseOffset)
        table.update(
          b.producerId,
          b.producerEpoch,
          b.baseSequence,
          last,
          b.baseOffset,
          b.lastOffset,
          nowMs,
          b.maxTimestampMs,
        )
        if ((b.bytes.readInt16BE(BatchOffsets.attributes) & Attributes.transactional) !== 0)
          table.applyTransactional(b.producerId, b.bytes, b.baseOffset, aborted)
        replayed++
        return true
      }),
    )
  }
  if (replayed > 0) logger.debug('rebuilt producer state', { dir, fromOffset, batches: replayed })
  return { table, aborted }
}
