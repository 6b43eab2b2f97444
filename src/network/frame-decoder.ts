// Splits a byte stream into Kafka frames: int32 size, then that many bytes. A frame arrives as one
// buffer; when it came in one TCP chunk it is a view into that chunk (no copy).
import { ProtocolError } from '../core/index.js'

/** Accumulates chunks and yields whole frames (without their size prefix). */
export class FrameDecoder {
  private readonly frameBytesMax: number
  private pending: Buffer[] = []
  private pendingBytes = 0

  /** `frameBytesMax`: the largest frame accepted; a larger size prefix raises ProtocolError. */
  constructor(frameBytesMax: number) {
    this.frameBytesMax = frameBytesMax
  }

  /** Bytes received but not yet returned as frames. */
  get bufferedBytes(): number {
    return this.pendingBytes
  }

  /** Adds a chunk and returns the frames it completes, in order. */
  push(chunk: Buffer): Buffer[] {
    const frames: Buffer[] = []
    let buffer: Buffer
    if (this.pendingBytes === 0) {
      buffer = chunk
    } else {
      this.pending.push(chunk)
      buffer = Buffer.concat(this.pending, this.pendingBytes + chunk.length)
      this.pending = []
      this.pendingBytes = 0
    }
    let offset = 0
    while (buffer.length - offset >= 4) {
      const size = buffer.readInt32BE(offset)
      if (size < 0 || size > this.frameBytesMax) {
        throw new ProtocolError(`frame of ${size} bytes is outside 0..${this.frameBytesMax}`)
      }
      if (buffer.length - offset - 4 < size) break
      frames.push(buffer.subarray(offset + 4, offset + 4 + size))
      offset += 4 + size
    }
    if (offset < buffer.length) {
      const rest = buffer.subarray(offset)
      this.pending.push(rest)
      this.pendingBytes = rest.length
    }
    return frames
  }
}
