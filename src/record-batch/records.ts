// The records inside a RecordBatch v2 (after decompression): decode them strictly and encode them back.
// Layout per record: length, attributes, timestampDelta, offsetDelta, key, value, headers (all zigzag).
import { invalidRecord } from './errors.js'
import { sizeOfVarint, sizeOfVarlong, VarintReader, writeVarint, writeVarlong } from './varint.js'

/** One record header. Kafka allows a null value but not a null key. */
export interface RecordHeader {
  key: string
  value: Buffer | null
}

/** One record, with offset and timestamp relative to its batch's baseOffset and baseTimestamp. */
export interface Record {
  offsetDelta: number
  timestampDelta: number
  key: Buffer | null
  value: Buffer | null
  headers: RecordHeader[]
}

/** Smallest possible record: seven one-byte fields (length .. headerCount). */
export const RECORD_BYTES_MIN = 7

/**
 * Decodes exactly `count` records from `data[start, end)`. Keys, values and header values are views into
 * `data`, not copies. Raises RecordBatchError if a record is malformed, a length runs past its record, or
 * bytes are left over or missing; the result never holds more than (end - start) / 7 records.
 */
export function decodeRecords(data: Buffer, count: number, start = 0, end = data.length): Record[] {
  return decodeRecordsAs(data, count, makeRecord, start, end)
}

/** decodeRecords, with each record built by `make` (same checks, same bounds). */
export function decodeRecordsAs<T>(
  data: Buffer,
  count: number,
  make: RecordMaker<T>,
  start = 0,
  end = data.length,
): T[] {
  if (!Number.isInteger(count) || count < 0) throw invalidRecord(`invalid record count ${count}`)
  if (count > (end - start) / RECORD_BYTES_MIN) {
    throw invalidRecord(`record count ${count} cannot fit in ${end - start} bytes`)
  }
  const reader = new VarintReader(data, start, end)
  const records: T[] = new Array(count)
  for (let i = 0; i < count; i++) records[i] = readRecordAs(reader, make)
  if (reader.offset !== end) {
    throw invalidRecord(`${end - reader.offset} bytes left after the batch's ${count} records`)
  }
  return records
}

/**
 * Builds one decoded record from its fields (offset and timestamp relative to the batch). Used by
 * readRecordAs so a reader can build its own record type without an intermediate object per record.
 */
export type RecordMaker<T> = (
  offsetDelta: number,
  timestampDelta: number,
  key: Buffer | null,
  value: Buffer | null,
  headers: RecordHeader[],
) => T

const makeRecord: RecordMaker<Record> = (offsetDelta, timestampDelta, key, value, headers) => ({
  offsetDelta,
  timestampDelta,
  key,
  value,
  headers,
})

/** Reads one record at the reader's position and advances past it. */
export function readRecord(reader: VarintReader): Record {
  return readRecordAs(reader, makeRecord)
}

/** Reads one record at the reader's position, advances past it and returns what `make` builds of it. */
export function readRecordAs<T>(reader: VarintReader, make: RecordMaker<T>): T {
  const length = reader.readVarint()
  if (length < RECORD_BYTES_MIN - 1 || length > reader.remaining) {
    throw invalidRecord(`record length ${length} is invalid with ${reader.remaining} bytes left`)
  }
  const recordEnd = reader.offset + length
  const outerEnd = reader.end
  // Bound every field by the record's own length, not by the buffer.
  reader.end = recordEnd
  reader.readInt8() // attributes: unused, always 0
  const timestampDelta = reader.readVarlong()
  const offsetDelta = reader.readVarint()
  const key = readNullableBytes(reader, 'key')
  const value = readNullableBytes(reader, 'value')
  const headerCount = reader.readVarint()
  if (headerCount < 0 || headerCount > reader.remaining / 2) {
    throw invalidRecord(`header count ${headerCount} is invalid with ${reader.remaining} bytes left`)
  }
  const headers: RecordHeader[] = new Array(headerCount)
  for (let h = 0; h < headerCount; h++) {
    const keyLength = reader.readVarint()
    if (keyLength < 0) throw invalidRecord('record header key is null')
    const headerKey = reader.readBytes(keyLength).toString('utf8')
    headers[h] = { key: headerKey, value: readNullableBytes(reader, 'header value') }
  }
  if (reader.offset !== recordEnd) {
    throw invalidRecord(
      `record declares ${length} bytes but its fields end ${recordEnd - reader.offset} early`,
    )
  }
  reader.end = outerEnd
  return make(offsetDelta, timestampDelta, key, value, headers)
}

function readNullableBytes(reader: VarintReader, what: string): Buffer | null {
  const length = reader.readVarint()
  if (length === -1) return null
  if (length < -1) throw invalidRecord(`record ${what} length ${length} is negative`)
  return reader.readBytes(length)
}

function sizeOfNullableBytes(bytes: Buffer | null): number {
  return bytes === null ? 1 : sizeOfVarint(bytes.length) + bytes.length
}

function writeNullableBytes(target: Buffer, bytes: Buffer | null, offset: number): number {
  if (bytes === null) return writeVarint(target, -1, offset)
  offset = writeVarint(target, bytes.length, offset)
  return offset + bytes.copy(target, offset)
}

/** Bytes of one record's body, after its length varint. */
function sizeOfRecordBody(record: Record, headerKeys: Buffer[]): number {
  let size =
    1 +
    sizeOfVarlong(record.timestampDelta) +
    sizeOfVarint(record.offsetDelta) +
    sizeOfNullableBytes(record.key) +
    sizeOfNullableBytes(record.value) +
    sizeOfVarint(record.headers.length)
  for (let h = 0; h < record.headers.length; h++) {
    size += sizeOfNullableBytes(headerKeys[h]) + sizeOfNullableBytes(record.headers[h].value)
  }
  return size
}

/** Size in bytes of `records` once encoded by encodeRecords. */
export function sizeOfRecords(records: readonly Record[]): number {
  let total = 0
  for (const record of records) {
    const body = sizeOfRecordBody(record, headerKeysOf(record))
    total += sizeOfVarint(body) + body
  }
  return total
}

function headerKeysOf(record: Record): Buffer[] {
  return record.headers.map((header) => Buffer.from(header.key, 'utf8'))
}

/** Encodes `records` back to back, as they appear in an uncompressed batch after its 61-byte header. */
export function encodeRecords(records: readonly Record[]): Buffer {
  const keys = records.map(headerKeysOf)
  const bodies = records.map((record, i) => sizeOfRecordBody(record, keys[i]))
  let total = 0
  for (const body of bodies) total += sizeOfVarint(body) + body
  const target = Buffer.allocUnsafe(total)
  let offset = 0
  for (let i = 0; i < records.length; i++) {
    const record = records[i]
    offset = writeVarint(target, bodies[i], offset)
    target[offset++] = 0
    offset = writeVarlong(target, record.timestampDelta, offset)
    offset = writeVarint(target, record.offsetDelta, offset)
    offset = writeNullableBytes(target, record.key, offset)
    offset = writeNullableBytes(target, record.value, offset)
    offset = writeVarint(target, record.headers.length, offset)
    for (let h = 0; h < record.headers.length; h++) {
      offset = writeNullableBytes(target, keys[i][h], offset)
      offset = writeNullableBytes(target, record.headers[h].value, offset)
    }
  }
  return target
}
