// Splits a byte stream into Kafka frames: int32 size, then that many bytes. A frame that arrived whole in
// one chunk is a view into that chunk; a frame spread over chunks is copied once into a buffer of exactly
// its size, allocated as soon as the size is known, so large requests cost one copy, not one per chunk.
import { ProtocolError } from '../core/index.js'

/** Accumulates chunks and yields whole frames (without their size prefix). */
export class FrameDecoder {
  private readonly frameBytesMax: number
  /** Up to 3 bytes of a size prefix cut by a chunk boundary. */
  private header: Buffer | undefined
  /** The frame being filled, and how many of its bytes have arrived. */
  private partial: Buffer | undefined
  private filled = 0

  /** `frameBytesMax`: the largest frame accepted; a larger size prefix raises ProtocolError. */
  constructor(frameBytesMax: number) {
    this.frameBytesMax = frameBytesMax
  }

  /** Bytes received but not yet returned as frames. */
  get bufferedBytes(): number {
    return (this.header?.length ?? 0) + (this.partial === undefined ? 0 : this.filled)
  }

  private sizeOf(value: number): number {
    if (value < 0 || value > this.frameBytesMax) {
      throw new ProtocolError(`frame of ${value} bytes is outside 0..${this.frameBytesMax}`)
    }
    return value
  }

  /** Adds a chunk and returns the frames it completes, in order. */
  push(chunk: Buffer): Buffer[] {
    const frames: Buffer[] = []
    let offset = 0
    if (this.partial !== undefined) {
      const take = Math.min(this.partial.length - this.filled, chunk.length)
      chunk.copy(this.partial, this.filled, 0, take)
      this.filled += take
      offset = take
      if (this.filled < this.partial.length) return frames
      frames.push(this.partial)
      this.partial = undefined
    } else if (this.header !== undefined) {
      const take = Math.min(4 - this.header.length, chunk.length)
      const header = Buffer.concat([this.header, chunk.subarray(0, take)])
      offset = take
      if (header.length < 4) {
        this.header = header
        return frames
      }
      this.header = undefined
      const size = this.sizeOf(header.readInt32BE(0))
      this.partial = Buffer.allocUnsafe(size)
      this.filled = 0
      return frames.concat(size === 0 ? this.completeEmpty() : [], this.push(chunk.subarray(offset)))
    }
    while (chunk.length - offset >= 4) {
      const size = this.sizeOf(chunk.readInt32BE(offset))
      if (chunk.length - offset - 4 >= size) {
        frames.push(chunk.subarray(offset + 4, offset + 4 + size))
        offset += 4 + size
        continue
      }
      this.partial = Buffer.allocUnsafe(size)
      this.filled = chunk.copy(this.partial, 0, offset + 4)
      return frames
    }
    if (offset < chunk.length) this.header = Buffer.from(chunk.subarray(offset))
    return frames
  }

  private completeEmpty(): Buffer[] {
    const frame = this.partial!
    this.partial = undefined
    return [frame]
  }
}
