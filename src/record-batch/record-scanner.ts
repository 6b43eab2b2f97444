// Checks every record of a batch in place, without building record objects: framing, offsetDelta order,
// and the per-record rules of Produce (a key on compacted topics, the timestamp window). Scans in slices
// so that a caller can yield to the event loop between them; stops at the first few record errors.
import { invalidRecord } from './errors.js'
import { RECORD_BYTES_MIN } from './records.js'
import { VarintReader } from './varint.js'

/** Record errors collected before a scan stops: the answer names the first few, as Kafka allows. */
export const RECORD_ERRORS_MAX = 10

/** What a record fails on, when its framing is valid. */
export type RecordProblem = 'keyMissing' | 'timestampOutOfWindow'

/** The per-record rules to check. */
export interface RecordScanRules {
  /** Compacted topic: every record needs a key. */
  keyRequired: boolean
  /** The batch's baseTimestamp, to which timestampDelta is added. */
  baseTimestamp: number
  /** Accepted timestamps, inclusive; undefined = not checked. */
  timestampWindow?: { firstMs: number; lastMs: number }
}

/** One record that broke a rule. */
export interface RecordFinding {
  batchIndex: number
  problem: RecordProblem
}

/** The fields of one record that the in-place scans use; one object is reused for every record. */
export interface RecordFrame {
  timestampDelta: number
  offsetDelta: number
  /** -1 for a null key. */
  keyLength: number
}

/**
 * Reads one record at `reader`'s position and checks its framing as decodeRecords does (length, key, value
 * and header lengths, the fields ending where the length says), filling `frame`; leaves the reader after the
 * record with its end back at `end`. Malformed framing raises InvalidRecordError. Shared by RecordScanner
 * (Produce's checks) and the stored-batch walk (record-walker.ts).
 */
export function readRecordFrame(reader: VarintReader, end: number, frame: RecordFrame): void {
  const length = reader.readVarint()
  if (length < RECORD_BYTES_MIN - 1 || length > reader.remaining) {
    throw invalidRecord(`record length ${length} is invalid with ${reader.remaining} bytes left`)
  }
  const recordEnd = reader.offset + length
  reader.end = recordEnd
  reader.readInt8() // attributes
  frame.timestampDelta = reader.readVarlong()
  frame.offsetDelta = reader.readVarint()
  const keyLength = reader.readVarint()
  if (keyLength < -1) throw invalidRecord(`record key length ${keyLength} is negative`)
  if (keyLength > 0) reader.skip(keyLength)
  frame.keyLength = keyLength
  const valueLength = reader.readVarint()
  if (valueLength < -1) throw invalidRecord(`record value length ${valueLength} is negative`)
  if (valueLength > 0) reader.skip(valueLength)
  const headerCount = reader.readVarint()
  if (headerCount < 0 || headerCount > reader.remaining / 2) {
    throw invalidRecord(`header count ${headerCount} is invalid with ${reader.remaining} bytes left`)
  }
  for (let h = 0; h < headerCount; h++) {
    const headerKeyLength = reader.readVarint()
    if (headerKeyLength < 0) throw invalidRecord('record header key is null')
    reader.skip(headerKeyLength)
    const headerValueLength = reader.readVarint()
    if (headerValueLength < -1)
      throw invalidRecord(`record header value length ${headerValueLength} is negative`)
    if (headerValueLength > 0) reader.skip(headerValueLength)
  }
  if (reader.offset !== recordEnd) {
    throw invalidRecord(
      `record declares ${length} bytes but its fields end ${recordEnd - reader.offset} early`,
    )
  }
  reader.end = end
}

/**
 * Walks `count` records in `data[start, end)`. `scan(n)` checks up to n more records and returns true
 * once every record is checked or RECORD_ERRORS_MAX findings are collected. Malformed framing raises
 * InvalidRecordError, as decodeRecords does.
 */
export class RecordScanner {
  readonly findings: RecordFinding[] = []
  private readonly reader: VarintReader
  private readonly count: number
  private readonly end: number
  private readonly rules: RecordScanRules
  private index = 0
  private readonly frame: RecordFrame = { timestampDelta: 0, offsetDelta: 0, keyLength: 0 }

  constructor(data: Buffer, count: number, rules: RecordScanRules, start = 0, end = data.length) {
    if (!Number.isInteger(count) || count < 0) throw invalidRecord(`invalid record count ${count}`)
    if (count > (end - start) / RECORD_BYTES_MIN) {
      throw invalidRecord(`record count ${count} cannot fit in ${end - start} bytes`)
    }
    this.reader = new VarintReader(data, start, end)
    this.count = count
    this.end = end
    this.rules = rules
  }

  /** Records checked so far. */
  get checked(): number {
    return this.index
  }

  /** Checks up to `records` more records; true when the scan is complete (or stopped at the error cap). */
  scan(records: number): boolean {
    const reader = this.reader
    const frame = this.frame
    const { keyRequired, baseTimestamp, timestampWindow } = this.rules
    const stop = Math.min(this.count, this.index + records)
    for (let i = this.index; i < stop; i++) {
      readRecordFrame(reader, this.end, frame)
      const { timestampDelta, keyLength } = frame
      if (frame.offsetDelta !== i) throw invalidRecord(`record ${i} has offsetDelta ${frame.offsetDelta}`)
      this.index = i + 1
      let problem: RecordProblem | undefined
      if (keyRequired && keyLength === -1) problem = 'keyMissing'
      else if (timestampWindow !== undefined) {
        const timestampMs = baseTimestamp + timestampDelta
        if (
          timestampMs >= 0 &&
          (timestampMs < timestampWindow.firstMs || timestampMs > timestampWindow.lastMs)
        )
          problem = 'timestampOutOfWindow'
      }
      if (problem !== undefined) {
        this.findings.push({ batchIndex: i, problem })
        if (this.findings.length >= RECORD_ERRORS_MAX) return true
      }
    }
    if (this.index < this.count) return false
    if (reader.offset !== this.end) {
      throw invalidRecord(`${this.end - reader.offset} bytes left after the batch's ${this.count} records`)
    }
    return true
  }
}
