// Writes Kafka primitive types into a growing buffer. Large blobs (record batches) are not copied: they
// become chunks of their own, so a response goes to the socket as a list of buffers (writev).
import { AssertionError, ProtocolError } from '../core/index.js'

/** Blobs at least this large are passed through as chunks instead of being copied. */
const CHUNK_THRESHOLD_BYTES = 4096

/**
 * A growable output; `finish` returns the chunks in order. `encodedBytesMax` bounds the bytes it encodes
 * itself (blobs passed through as chunks, such as fetched record batches, are not counted): past it a
 * write throws ProtocolError, so an answer that grows with a hostile request cannot take the heap.
 */
export class Writer {
  private buffer: Buffer
  private offset = 0
  private start = 0
  private readonly chunks: Buffer[] = []
  private chunkedBytes = 0
  private flushedEncodedBytes = 0
  private readonly encodedBytesMax: number

  constructor(initialBytes = 256, encodedBytesMax = Number.POSITIVE_INFINITY) {
    this.buffer = Buffer.allocUnsafe(initialBytes)
    this.encodedBytesMax = encodedBytesMax
  }

  /** Bytes written so far, chunks included. */
  get length(): number {
    return this.chunkedBytes + this.offset - this.start
  }

  private ensure(bytes: number): void {
    if (this.offset + bytes <= this.buffer.length) return
    const pending = this.offset - this.start
    if (this.flushedEncodedBytes + pending + bytes > this.encodedBytesMax) {
      throw new ProtocolError(`the answer would encode more than ${this.encodedBytesMax} bytes`)
    }
    const size = Math.max(this.buffer.length * 2, pending + bytes + 256)
    const next = Buffer.allocUnsafe(size)
    this.buffer.copy(next, 0, this.start, this.offset)
    this.buffer = next
    this.start = 0
    this.offset = pending
  }

  int8(value: number): void {
    this.ensure(1)
    this.buffer.writeInt8(value, this.offset)
    this.offset += 1
  }
  bool(value: boolean): void {
    this.ensure(1)
    this.buffer[this.offset++] = value ? 1 : 0
  }
  int16(value: number): void {
    this.ensure(2)
    this.buffer.writeInt16BE(value, this.offset)
    this.offset += 2
  }
  uint16(value: number): void {
    this.ensure(2)
    this.buffer.writeUInt16BE(value, this.offset)
    this.offset += 2
  }
  int32(value: number): void {
    this.ensure(4)
    this.buffer.writeInt32BE(value, this.offset)
    this.offset += 4
  }
  uint32(value: number): void {
    this.ensure(4)
    this.buffer.writeUInt32BE(value, this.offset)
    this.offset += 4
  }
  /** A signed 64-bit integer; only safe integers can be written exactly, anything else is a bug. */
  int64(value: number): void {
    if (!Number.isSafeInteger(value)) throw new AssertionError(`int64 value ${value} is not a safe integer`)
    this.ensure(8)
    const high = Math.floor(value / 4294967296)
    this.buffer.writeInt32BE(high, this.offset)
    this.buffer.writeUInt32BE((value - high * 4294967296) >>> 0, this.offset + 4)
    this.offset += 8
  }
  float64(value: number): void {
    this.ensure(8)
    this.buffer.writeDoubleBE(value, this.offset)
    this.offset += 8
  }
  uuid(value: string): void {
    const bytes = Buffer.from(value, 'base64url')
    if (bytes.length !== 16) throw new ProtocolError(`not a 16-byte uuid: ${value}`)
    this.raw(bytes)
  }
  uvarint(value: number): void {
    this.ensure(5)
    let v = value >>> 0
    while (v >= 0x80) {
      this.buffer[this.offset++] = (v & 0x7f) | 0x80
      v >>>= 7
    }
    this.buffer[this.offset++] = v
  }
  varint(value: number): void {
    this.uvarint(((value << 1) ^ (value >> 31)) >>> 0)
  }

  private text(value: string, length: number): void {
    this.ensure(length)
    this.offset += this.buffer.write(value, this.offset, length, 'utf8')
  }
  string(value: string): void {
    const length = Buffer.byteLength(value)
    if (length > 32767) throw new ProtocolError('string longer than 32767 bytes')
    this.int16(length)
    this.text(value, length)
  }
  nullableString(value: string | null): void {
    if (value === null) this.int16(-1)
    else this.string(value)
  }
  compactString(value: string): void {
    const length = Buffer.byteLength(value)
    this.uvarint(length + 1)
    this.text(value, length)
  }
  compactNullableString(value: string | null): void {
    if (value === null) this.uvarint(0)
    else this.compactString(value)
  }
  bytes(value: Uint8Array): void {
    this.int32(value.length)
    this.raw(value)
  }
  nullableBytes(value: Uint8Array | null): void {
    if (value === null) this.int32(-1)
    else this.bytes(value)
  }
  compactBytes(value: Uint8Array): void {
    this.uvarint(value.length + 1)
    this.raw(value)
  }
  compactNullableBytes(value: Uint8Array | null): void {
    if (value === null) this.uvarint(0)
    else this.compactBytes(value)
  }
  /** Records: one buffer or several written back to back; null allowed. */
  records(value: Uint8Array | readonly Uint8Array[] | null, compact: boolean): void {
    if (value === null) {
      if (compact) this.uvarint(0)
      else this.int32(-1)
      return
    }
    const parts = value instanceof Uint8Array ? [value] : value
    let total = 0
    for (const part of parts) total += part.length
    if (compact) this.uvarint(total + 1)
    else this.int32(total)
    for (const part of parts) this.raw(part)
  }

  /** Appends bytes; large ones become a chunk of their own instead of being copied. */
  raw(value: Uint8Array): void {
    if (value.length >= CHUNK_THRESHOLD_BYTES) {
      this.flushPending()
      this.chunks.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength))
      this.chunkedBytes += value.length
      return
    }
    this.ensure(value.length)
    this.buffer.set(value, this.offset)
    this.offset += value.length
  }

  private flushPending(): void {
    if (this.offset === this.start) return
    this.chunks.push(this.buffer.subarray(this.start, this.offset))
    this.chunkedBytes += this.offset - this.start
    this.flushedEncodedBytes += this.offset - this.start
    this.start = this.offset
  }

  /** Everything written, as chunks in order. The writer must not be used afterwards. */
  finish(): Buffer[] {
    this.flushPending()
    return this.chunks
  }

  /** Everything written, copied into one buffer. */
  toBuffer(): Buffer {
    const chunks = this.finish()
    return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)
  }
}
