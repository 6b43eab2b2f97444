// Zigzag varints (int32) and varlongs (int64 held as a JS number) as used inside RecordBatch v2 records.
// These are NOT the protocol's unsigned varints: a record's -1 (null) encodes as the single byte 0x01.
import { invalidRecord } from './errors.js'

const FAST_VARLONG_LIMIT = 2 ** 52

/** Bytes that `writeVarint(value)` takes (1-5). `value` must be an int32. */
export function sizeOfVarint(value: number): number {
  let zigzag = ((value << 1) ^ (value >> 31)) >>> 0
  let size = 1
  while (zigzag >= 0x80) {
    zigzag >>>= 7
    size++
  }
  return size
}

/** Writes `value` (an int32) as a zigzag varint at `offset`; returns the offset just past it. */
export function writeVarint(buffer: Buffer, value: number, offset: number): number {
  let zigzag = ((value << 1) ^ (value >> 31)) >>> 0
  while (zigzag >= 0x80) {
    buffer[offset++] = (zigzag & 0x7f) | 0x80
    zigzag >>>= 7
  }
  buffer[offset++] = zigzag
  return offset
}

function zigzagLong(value: number): bigint {
  const big = BigInt(value)
  return big >= 0n ? big << 1n : (-big << 1n) - 1n
}

/** Bytes that `writeVarlong(value)` takes (1-10). `value` must be a safe integer. */
export function sizeOfVarlong(value: number): number {
  if (value > -FAST_VARLONG_LIMIT && value < FAST_VARLONG_LIMIT) {
    let zigzag = value >= 0 ? value * 2 : -value * 2 - 1
    let size = 1
    while (zigzag >= 128) {
      zigzag = Math.floor(zigzag / 128)
      size++
    }
    return size
  }
  let zigzag = zigzagLong(value)
  let size = 1
  while (zigzag >= 128n) {
    zigzag >>= 7n
    size++
  }
  return size
}

/** Writes `value` (a safe integer) as a zigzag varlong at `offset`; returns the offset just past it. */
export function writeVarlong(buffer: Buffer, value: number, offset: number): number {
  if (value > -FAST_VARLONG_LIMIT && value < FAST_VARLONG_LIMIT) {
    // Below 2^52 the doubled magnitude stays exact in a double, so plain arithmetic is enough.
    let zigzag = value >= 0 ? value * 2 : -value * 2 - 1
    while (zigzag >= 128) {
      buffer[offset++] = (zigzag % 128) | 0x80
      zigzag = Math.floor(zigzag / 128)
    }
    buffer[offset++] = zigzag
    return offset
  }
  if (!Number.isSafeInteger(value)) throw invalidRecord(`varlong value ${value} is not a safe integer`)
  let zigzag = zigzagLong(value)
  while (zigzag >= 128n) {
    buffer[offset++] = Number(zigzag & 0x7fn) | 0x80
    zigzag >>= 7n
  }
  buffer[offset++] = Number(zigzag)
  return offset
}

/**
 * A read position over `buffer[offset, end)` that decodes zigzag varints and fixed-size fields, raising a
 * RecordBatchError (never reading past `end`) when the bytes run out or a varint is malformed.
 */
export class VarintReader {
  buffer: Buffer
  offset: number
  end: number

  constructor(buffer: Buffer, offset = 0, end = buffer.length) {
    this.buffer = buffer
    this.offset = offset
    this.end = end
  }

  /** Bytes left before `end`. */
  get remaining(): number {
    return this.end - this.offset
  }

  /** Reads a zigzag varint that must fit in an int32 (at most 5 bytes). */
  readVarint(): number {
    const buffer = this.buffer
    let raw = 0
    let shift = 0
    for (let i = 0; i < 5; i++) {
      if (this.offset >= this.end) throw invalidRecord('varint runs past the end of its buffer')
      const byte = buffer[this.offset++]
      if (i === 4 && byte > 0x0f) throw invalidRecord('varint does not fit in 32 bits')
      raw |= (byte & 0x7f) << shift
      if (byte < 0x80) {
        raw >>>= 0
        return (raw >>> 1) ^ -(raw & 1)
      }
      shift += 7
    }
    throw invalidRecord('varint does not fit in 32 bits')
  }

  /** Reads a zigzag varlong (at most 10 bytes); values beyond +-(2^53 - 1) raise, as they cannot be exact. */
  readVarlong(): number {
    const buffer = this.buffer
    const start = this.offset
    let raw = 0
    let scale = 1
    for (let i = 0; i < 7; i++) {
      if (this.offset >= this.end) throw invalidRecord('varlong runs past the end of its buffer')
      const byte = buffer[this.offset++]
      raw += (byte & 0x7f) * scale
      if (byte < 0x80) return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2
      scale *= 128
    }
    // More than 49 bits: rare (timestamps are 41 bits), so take the exact BigInt path.
    this.offset = start
    let big = 0n
    let shift = 0n
    for (let i = 0; i < 10; i++) {
      if (this.offset >= this.end) throw invalidRecord('varlong runs past the end of its buffer')
      const byte = buffer[this.offset++]
      if (i === 9 && byte > 0x01) throw invalidRecord('varlong does not fit in 64 bits')
      big |= BigInt(byte & 0x7f) << shift
      if (byte < 0x80) {
        const value = (big & 1n) === 0n ? big >> 1n : -((big + 1n) >> 1n)
        if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
          throw invalidRecord(`varlong ${value} is beyond the exact range of a number`)
        }
        return Number(value)
      }
      shift += 7n
    }
    throw invalidRecord('varlong does not fit in 64 bits')
  }

  /** Reads one signed byte. */
  readInt8(): number {
    if (this.offset >= this.end) throw invalidRecord('record runs past the end of its buffer')
    return this.buffer.readInt8(this.offset++)
  }

  /** Moves past the next `length` bytes. */
  skip(length: number): void {
    if (length < 0 || length > this.end - this.offset) {
      throw invalidRecord(`field of ${length} bytes runs past the end of its buffer`)
    }
    this.offset += length
  }

  /** Returns a view (no copy) of the next `length` bytes. */
  readBytes(length: number): Buffer {
    if (length < 0 || length > this.end - this.offset) {
      throw invalidRecord(`field of ${length} bytes runs past the end of its buffer`)
    }
    const view = this.buffer.subarray(this.offset, this.offset + length)
    this.offset += length
    return view
  }
}

/** Encodes `value` (an int32) as a standalone zigzag varint buffer. */
export function encodeVarint(value: number): Buffer {
  const buffer = Buffer.allocUnsafe(sizeOfVarint(value))
  writeVarint(buffer, value, 0)
  return buffer
}

/** Encodes `value` (a safe integer) as a standalone zigzag varlong buffer. */
export function encodeVarlong(value: number): Buffer {
  const buffer = Buffer.allocUnsafe(sizeOfVarlong(value))
  writeVarlong(buffer, value, 0)
  return buffer
}
