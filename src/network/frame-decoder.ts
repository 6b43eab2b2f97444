// Splits a byte stream into Kafka frames: int32 size, then that many bytes. A frame that arrived whole in
// one chunk is a view into that chunk; a frame spread over chunks is copied once into a buffer of exactly
// its size, allocated only once the owner has reserved room for it (the broker-wide request budget).
// Until then the bytes after its size prefix are held as they came and the decoder returns nothing more.
import { ProtocolError, assert } from '../core/index.js'

/**
 * Asked for room for a frame of `bytes` once its size is known. `refusable` is false for a frame that
 * arrived whole (its bytes are already in memory: count them); true for one that needs its own buffer:
 * return false to hold it until `resume` is called.
 */
export type FrameReserve = (bytes: number, refusable: boolean) => boolean

/** Accumulates chunks and yields whole frames (without their size prefix). */
export class FrameDecoder {
  private readonly frameBytesMax: number
  private readonly reserve: FrameReserve
  /** Up to 3 bytes of a size prefix cut by a chunk boundary. */
  private header: Buffer | undefined
  /** The frame being filled, and how many of its bytes have arrived. */
  private partial: Buffer | undefined
  private filled = 0
  /** Bytes from a frame's size prefix on, held while the frame waits for room. */
  private held: Buffer[] | undefined
  private heldBytes = 0
  /** Size of the frame waiting for room. */
  private heldFrameBytes = 0
  /**
   * Set once a size prefix was out of range: nothing after it can be read. The frames before it in the
   * same chunk are still returned, since their room was counted: a throw lost them, and with them the
   * room, a few frames at a time, until the broker-wide budget was gone for good (#7).
   */
  error: ProtocolError | undefined

  /**
   * `frameBytesMax`: the largest frame accepted; a larger size prefix raises ProtocolError. `reserve`
   * (default: always room) is asked before a frame's buffer is allocated.
   */
  constructor(frameBytesMax: number, reserve: FrameReserve = () => true) {
    this.frameBytesMax = frameBytesMax
    this.reserve = reserve
  }

  /** Bytes received but not yet returned as frames. */
  get bufferedBytes(): number {
    return (this.header?.length ?? 0) + (this.partial === undefined ? 0 : this.filled) + this.heldBytes
  }

  /** Size of the frame being filled (its room was reserved), or 0. */
  get partialFrameBytes(): number {
    return this.partial?.length ?? 0
  }

  /** Size of the frame held for lack of room, or 0 when none is. */
  get waitingFrameBytes(): number {
    return this.held === undefined ? 0 : this.heldFrameBytes
  }

  private sizeOf(value: number): number {
    if (value < 0 || value > this.frameBytesMax) {
      throw new ProtocolError(`frame of ${value} bytes is outside 0..${this.frameBytesMax}`)
    }
    return value
  }

  /** Adds a chunk and returns the frames it completes, in order. */
  push(chunk: Buffer): Buffer[] {
    if (this.error !== undefined) return []
    if (this.held !== undefined) {
      this.held.push(chunk)
      this.heldBytes += chunk.length
      return []
    }
    const frames: Buffer[] = []
    this.guarded(() => this.decode(chunk, frames))
    return frames
  }

  /** Runs a decoding step; a bad size prefix is kept in `error` instead of losing the frames before it. */
  private guarded(step: () => void): void {
    try {
      step()
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error
      this.error = error
      this.header = undefined
      return
    }
    this.checkInvariants()
  }

  /** Called once room for the held frame was granted: decodes what was held. */
  resume(): Buffer[] {
    assert(this.held !== undefined, 'resume without a held frame')
    const chunk = this.held.length === 1 ? this.held[0] : Buffer.concat(this.held)
    this.held = undefined
    this.heldBytes = 0
    const size = chunk.readInt32BE(0)
    assert(size === this.heldFrameBytes, 'the held bytes start with the held frame size')
    const frames: Buffer[] = []
    this.partial = Buffer.allocUnsafe(size)
    this.filled = 0
    this.guarded(() => this.fillPartial(chunk, 4, frames))
    return frames
  }

  private decode(chunk: Buffer, frames: Buffer[]): void {
    let offset = 0
    if (this.partial !== undefined) {
      this.fillPartial(chunk, 0, frames)
      return
    }
    if (this.header !== undefined) {
      const take = Math.min(4 - this.header.length, chunk.length)
      const header = Buffer.concat([this.header, chunk.subarray(0, take)])
      if (header.length < 4) {
        this.header = header
        return
      }
      this.header = undefined
      // Decode the rebuilt prefix with the rest of the chunk as one piece (at most one copy of 4 bytes +
      // the chunk, once per split prefix).
      this.decode(Buffer.concat([header, chunk.subarray(take)]), frames)
      return
    }
    while (chunk.length - offset >= 4) {
      const size = this.sizeOf(chunk.readInt32BE(offset))
      if (chunk.length - offset - 4 >= size) {
        this.reserve(size, false)
        frames.push(chunk.subarray(offset + 4, offset + 4 + size))
        offset += 4 + size
        continue
      }
      if (!this.reserve(size, true)) {
        this.held = [chunk.subarray(offset)]
        this.heldBytes = chunk.length - offset
        this.heldFrameBytes = size
        return
      }
      this.partial = Buffer.allocUnsafe(size)
      this.filled = 0
      this.fillPartial(chunk, offset + 4, frames)
      return
    }
    if (offset < chunk.length) this.header = Buffer.from(chunk.subarray(offset))
  }

  /** Copies from `chunk` at `from` into the partial frame; once full, returns it and decodes the rest. */
  private fillPartial(chunk: Buffer, from: number, frames: Buffer[]): void {
    const partial = this.partial!
    const take = Math.min(partial.length - this.filled, chunk.length - from)
    chunk.copy(partial, this.filled, from, from + take)
    this.filled += take
    if (this.filled < partial.length) return
    frames.push(partial)
    this.partial = undefined
    this.filled = 0
    const rest = chunk.subarray(from + take)
    if (rest.length > 0) this.decode(rest, frames)
  }

  private checkInvariants(): void {
    assert(this.header === undefined || this.header.length < 4, 'a held size prefix is shorter than 4 bytes')
    assert(
      this.partial === undefined || (this.filled < this.partial.length && this.header === undefined),
      'a partial frame is not yet full and excludes a held size prefix',
    )
    assert(
      this.held === undefined || this.partial === undefined,
      'a frame waits for room only between frames',
    )
  }
}
