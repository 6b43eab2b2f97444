// A decoder of raw snappy blocks in JavaScript, writing into a buffer the caller sized from the block's
// preamble. The native `snappy` package kept the memory of every output it made (#7); it still compresses.
import { CorruptCompressedError } from '../core/index.js'

function corrupt(detail: string): CorruptCompressedError {
  return new CorruptCompressedError(`snappy: ${detail}`)
}

/** The preamble of a raw snappy block: its decoded length (varint, at most 32 bits) and where data starts. */
export function readSnappyPreamble(block: Uint8Array): { bytes: number; start: number } {
  let bytes = 0
  let scale = 1
  for (let i = 0; i < 5 && i < block.length; i++) {
    const byte = block[i]
    bytes += (byte & 0x7f) * scale
    if (byte < 0x80) {
      if (bytes > 0xffffffff) break
      return { bytes, start: i + 1 }
    }
    scale *= 128
  }
  throw corrupt('bad block length preamble')
}

/**
 * Decodes the raw snappy `block` into `out` from `at`; `out` must have room for the length its preamble
 * states, and the elements must produce exactly that many bytes. Returns the bytes written. Copies never
 * reach before `at` (each block stands alone) nor past the stated length.
 */
export function decodeSnappyBlock(block: Uint8Array, out: Uint8Array, at: number): number {
  const decoder = new SnappyBlockDecoder(block, out, at)
  decoder.step(Number.POSITIVE_INFINITY)
  return decoder.bytes
}

/** `decodeSnappyBlock` in steps of some output bytes each, for callers that pause between them. */
export class SnappyBlockDecoder {
  /** The decoded length the block states. */
  readonly bytes: number
  readonly #block: Uint8Array
  readonly #out: Uint8Array
  readonly #at: number
  readonly #end: number
  #ip: number
  #op: number

  constructor(block: Uint8Array, out: Uint8Array, at: number) {
    const { bytes, start } = readSnappyPreamble(block)
    if (at + bytes > out.length) throw corrupt('no room for the stated length')
    this.bytes = bytes
    this.#block = block
    this.#out = out
    this.#at = at
    this.#end = at + bytes
    this.#ip = start
    this.#op = at
  }

  /** Decodes elements until about `outputBytes` more are written or the block ends; true once it ended. */
  step(outputBytes: number): boolean {
    const block = this.#block
    const out = this.#out
    const at = this.#at
    const end = this.#end
    const stopAt = this.#op + outputBytes
    let ip = this.#ip
    let op = this.#op
    while (ip < block.length && op < stopAt) {
      const tag = block[ip++]
      const kind = tag & 3
      if (kind === 0) {
        let length = tag >>> 2
        if (length >= 60) {
          const lengthBytes = length - 59
          if (ip + lengthBytes > block.length) throw corrupt('literal length runs past the input')
          length = 0
          for (let i = 0; i < lengthBytes; i++) length += block[ip + i] * 2 ** (8 * i)
          ip += lengthBytes
        }
        length += 1
        if (ip + length > block.length) throw corrupt('literal runs past the input')
        if (op + length > end) throw corrupt('output runs past the stated length')
        out.set(block.subarray(ip, ip + length), op)
        ip += length
        op += length
        continue
      }
      let length: number
      let offset: number
      if (kind === 1) {
        if (ip + 1 > block.length) throw corrupt('copy runs past the input')
        length = 4 + ((tag >>> 2) & 7)
        offset = ((tag >>> 5) << 8) | block[ip]
        ip += 1
      } else if (kind === 2) {
        if (ip + 2 > block.length) throw corrupt('copy runs past the input')
        length = 1 + (tag >>> 2)
        offset = block[ip] | (block[ip + 1] << 8)
        ip += 2
      } else {
        if (ip + 4 > block.length) throw corrupt('copy runs past the input')
        length = 1 + (tag >>> 2)
        offset = (block[ip] | (block[ip + 1] << 8) | (block[ip + 2] << 16)) + block[ip + 3] * 0x1000000
        ip += 4
      }
      if (offset === 0 || offset > op - at) throw corrupt(`copy offset ${offset} is outside the output`)
      if (op + length > end) throw corrupt('output runs past the stated length')
      const from = op - offset
      if (offset >= length) {
        out.copyWithin(op, from, from + length)
        op += length
      } else {
        // Overlapping copy: repeats the last `offset` bytes; copying what is written so far doubles each step.
        let remaining = length
        while (remaining > 0) {
          const n = Math.min(remaining, op - from)
          out.copyWithin(op, from, from + n)
          op += n
          remaining -= n
        }
      }
    }
    this.#ip = ip
    this.#op = op
    if (ip < block.length) return false
    if (op !== end) throw corrupt(`block decodes to ${op - at} bytes, not the ${this.bytes} it states`)
    return true
  }
}
