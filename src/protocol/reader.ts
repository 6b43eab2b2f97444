// Reads Kafka primitive types from a buffer. Every read checks bounds and raises ProtocolError on
// truncated or impossible input, so arbitrary bytes either decode or fail cleanly.
import { ProtocolError } from '../core/index.js'

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA'

/**
 * Default bound on the array elements of one request, all arrays together (see `Reader.elementsLeft`).
 * Each element costs a few microseconds to decode, answer and encode, on the event loop: 1,000,000 of them
 * (an IncrementalAlterConfigs of empty resources) took 31-35 s. 100,000 leaves ten times the largest
 * request a client needs with the default partition bound (10,000 partitions, plus their topics).
 */
export const REQUEST_ELEMENTS_MAX_DEFAULT = 100_000

/**
 * A cursor over `buffer` from `offset` (inclusive) to `end` (exclusive). It also enforces the bound on
 * array elements (`elementsLeft`) and notes int64 values a JavaScript number cannot hold exactly
 * (`unsafeInt64Fields`).
 */
export class Reader {
  readonly buffer: Buffer
  offset: number
  end: number
  /**
   * Array elements this reader may still decode, over all arrays: a request of millions of one-byte
   * elements costs far more as objects, and as answers, than its bytes suggest.
   */
  elementsLeft: number
  /** Names of int64 fields read with values beyond ±(2^53-1), which a number holds only rounded. */
  readonly unsafeInt64Fields: string[] = []

  constructor(buffer: Buffer, offset = 0, end = buffer.length, elementsMax = Number.POSITIVE_INFINITY) {
    this.buffer = buffer
    this.offset = offset
    this.end = end
    this.elementsLeft = elementsMax
  }

  get remaining(): number {
    return this.end - this.offset
  }

  private need(bytes: number): number {
    const at = this.offset
    if (bytes < 0 || at + bytes > this.end) throw new ProtocolError(`message truncated at byte ${at}`)
    this.offset = at + bytes
    return at
  }

  int8(): number {
    return this.buffer.readInt8(this.need(1))
  }
  bool(): boolean {
    return this.buffer[this.need(1)] !== 0
  }
  int16(): number {
    return this.buffer.readInt16BE(this.need(2))
  }
  uint16(): number {
    return this.buffer.readUInt16BE(this.need(2))
  }
  int32(): number {
    return this.buffer.readInt32BE(this.need(4))
  }
  uint32(): number {
    return this.buffer.readUInt32BE(this.need(4))
  }
  /**
   * A signed 64-bit integer as a number: exact within ±(2^53-1). A value beyond is returned rounded (it
   * stays beyond the safe range, so comparisons still hold) and `field` is noted in `unsafeInt64Fields`.
   */
  int64(field = 'int64'): number {
    const at = this.need(8)
    const value = this.buffer.readInt32BE(at) * 4294967296 + this.buffer.readUInt32BE(at + 4)
    if (!Number.isSafeInteger(value) && this.unsafeInt64Fields.length < 8) this.unsafeInt64Fields.push(field)
    return value
  }
  float64(): number {
    return this.buffer.readDoubleBE(this.need(8))
  }
  uuid(): string {
    const at = this.need(16)
    return this.buffer.toString('base64url', at, at + 16)
  }

  /** Unsigned LEB128 varint of at most 5 bytes (32 bits). */
  uvarint(): number {
    let result = 0
    let shift = 0
    for (let i = 0; i < 5; i++) {
      if (this.offset >= this.end) throw new ProtocolError('varint truncated')
      const byte = this.buffer[this.offset++]
      result += (byte & 0x7f) * 2 ** shift
      if ((byte & 0x80) === 0) {
        if (result > 0xffffffff) throw new ProtocolError('varint too long')
        return result
      }
      shift += 7
    }
    throw new ProtocolError('varint too long')
  }

  /** Zigzag varint (32 bits). */
  varint(): number {
    const raw = this.uvarint()
    return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2
  }

  private text(length: number): string {
    const at = this.need(length)
    return this.buffer.toString('utf8', at, at + length)
  }

  /** Classic STRING (int16 length). */
  string(): string {
    const length = this.int16()
    if (length < 0) throw new ProtocolError('null where a string is required')
    return this.text(length)
  }
  nullableString(): string | null {
    const length = this.int16()
    return length < 0 ? null : this.text(length)
  }
  compactString(): string {
    const length = this.uvarint() - 1
    if (length < 0) throw new ProtocolError('null where a string is required')
    return this.text(length)
  }
  compactNullableString(): string | null {
    const length = this.uvarint() - 1
    return length < 0 ? null : this.text(length)
  }

  /** A view (no copy) of `length` bytes. */
  view(length: number): Buffer {
    const at = this.need(length)
    return this.buffer.subarray(at, at + length)
  }
  bytes(): Buffer {
    const length = this.int32()
    if (length < 0) throw new ProtocolError('null where bytes are required')
    return this.view(length)
  }
  nullableBytes(): Buffer | null {
    const length = this.int32()
    return length < 0 ? null : this.view(length)
  }
  compactBytes(): Buffer {
    const length = this.uvarint() - 1
    if (length < 0) throw new ProtocolError('null where bytes are required')
    return this.view(length)
  }
  compactNullableBytes(): Buffer | null {
    const length = this.uvarint() - 1
    return length < 0 ? null : this.view(length)
  }

  /**
   * Classic array count; -1 is null. A count that cannot fit in the remaining bytes, or that passes the
   * elements left, is rejected.
   */
  arrayLength(): number {
    const count = this.int32()
    if (count > this.remaining) throw new ProtocolError(`array of ${count} elements exceeds the message`)
    return count < -1 ? this.fail('negative array length') : this.take(count)
  }
  /** Compact array count (uvarint N+1); -1 is null. */
  compactArrayLength(): number {
    const count = this.uvarint() - 1
    if (count > this.remaining) throw new ProtocolError(`array of ${count} elements exceeds the message`)
    return this.take(count)
  }

  private take(count: number): number {
    if (count <= 0) return count
    this.elementsLeft -= count
    if (this.elementsLeft < 0) throw new ProtocolError('the request holds more array elements than allowed')
    return count
  }

  skip(bytes: number): void {
    this.need(bytes)
  }

  fail(message: string): never {
    throw new ProtocolError(message)
  }
}

export { ZERO_UUID }
