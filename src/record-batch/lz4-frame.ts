// A bounded JavaScript reader of the LZ4 frame format (KIP-57): walks the frame to bound its output before
// the native decoder runs, and decodes frames the native one rejects (old Kafka clients wrote a wrong
// header checksum, which is ignored here). Content and block checksums are skipped, the batch CRC covers them.
import { CorruptCompressedError, DecompressedTooLargeError } from '../core/index.js'

const FRAME_MAGIC = 0x184d2204
const SKIPPABLE_MAGIC_MASK = 0xfffffff0
const SKIPPABLE_MAGIC = 0x184d2a50
const BLOCK_MAX_BYTES_BY_ID = [0, 0, 0, 0, 65536, 262144, 1048576, 4194304] as const

function corrupt(message: string): CorruptCompressedError {
  return new CorruptCompressedError(`lz4: ${message}`)
}

function tooLarge(maxBytes: number): DecompressedTooLargeError {
  return new DecompressedTooLargeError(`lz4: decompressed data exceeds ${maxBytes} bytes`)
}

interface FrameBlock {
  /** First byte of the block's data. */
  start: number
  /** Bytes of data. */
  length: number
  compressed: boolean
}

interface FrameLayout {
  blocks: FrameBlock[]
  /** Most bytes the frames can decompress to: block maximum per compressed block. */
  decompressedBytesMax: number
}

/** Walks every frame in `input` and lists its blocks, without decompressing. Raises on bad framing. */
export function scanLz4Frames(input: Uint8Array): FrameLayout {
  const view = new DataView(input.buffer, input.byteOffset, input.byteLength)
  const blocks: FrameBlock[] = []
  let decompressedBytesMax = 0
  let pos = 0
  if (input.length === 0) throw corrupt('empty input')
  while (pos < input.length) {
    if (input.length - pos < 4) throw corrupt('truncated frame magic')
    const magic = view.getUint32(pos, true)
    if ((magic & SKIPPABLE_MAGIC_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      if (input.length - pos < 8) throw corrupt('truncated skippable frame')
      const size = view.getUint32(pos + 4, true)
      if (size > input.length - pos - 8) throw corrupt('skippable frame runs past the input')
      pos += 8 + size
      continue
    }
    if (magic !== FRAME_MAGIC) throw corrupt(`bad frame magic 0x${magic.toString(16)}`)
    pos += 4
    if (input.length - pos < 3) throw corrupt('truncated frame descriptor')
    const flags = input[pos]
    const blockDescriptor = input[pos + 1]
    if (flags >> 6 !== 1) throw corrupt(`unsupported frame version ${flags >> 6}`)
    const blockChecksum = (flags & 0x10) !== 0
    const contentSize = (flags & 0x08) !== 0
    const contentChecksum = (flags & 0x04) !== 0
    const dictionaryId = (flags & 0x01) !== 0
    const blockMaxBytes = BLOCK_MAX_BYTES_BY_ID[(blockDescriptor >> 4) & 0x07]
    if (blockMaxBytes === 0) throw corrupt('invalid block maximum size')
    pos += 2 + (contentSize ? 8 : 0) + (dictionaryId ? 4 : 0) + 1
    if (pos > input.length) throw corrupt('truncated frame descriptor')
    for (;;) {
      if (input.length - pos < 4) throw corrupt('truncated block size')
      const word = view.getUint32(pos, true)
      pos += 4
      if (word === 0) break
      const compressed = (word & 0x80000000) === 0
      const length = word & 0x7fffffff
      if (length > blockMaxBytes)
        throw corrupt(`block of ${length} bytes exceeds its maximum ${blockMaxBytes}`)
      if (length > input.length - pos) throw corrupt('block runs past the input')
      blocks.push({ start: pos, length, compressed })
      decompressedBytesMax += compressed ? blockMaxBytes : length
      pos += length + (blockChecksum ? 4 : 0)
    }
    pos += contentChecksum ? 4 : 0
    if (pos > input.length) throw corrupt('truncated checksum')
  }
  return { blocks, decompressedBytesMax }
}

/** Growable output that never exceeds `maxBytes`. */
class BoundedOutput {
  bytes: Buffer
  length = 0
  readonly maxBytes: number

  constructor(initialBytes: number, maxBytes: number) {
    this.maxBytes = maxBytes
    this.bytes = Buffer.allocUnsafe(Math.max(16, Math.min(initialBytes, maxBytes)))
  }

  reserve(extra: number): void {
    const needed = this.length + extra
    if (needed > this.maxBytes) throw tooLarge(this.maxBytes)
    if (needed <= this.bytes.length) return
    const grown = Buffer.allocUnsafe(Math.min(this.maxBytes, Math.max(needed, this.bytes.length * 2)))
    this.bytes.copy(grown, 0, 0, this.length)
    this.bytes = grown
  }
}

/**
 * Decodes the sequences of one compressed block from `start` until `end`, or until `sequencesMax`
 * sequences are decoded; returns where it stopped (`end` when the block is done). Stopping between two
 * sequences lets the async decoder pause inside a 4 MiB block of tiny records (40-75 ms in one go, #7).
 */
function decodeBlock(
  input: Uint8Array,
  start: number,
  end: number,
  out: BoundedOutput,
  frameStart: number,
  sequencesMax = Number.POSITIVE_INFINITY,
): number {
  let ip = start
  let sequences = 0
  while (ip < end) {
    if (sequences++ >= sequencesMax) return ip
    const token = input[ip++]
    let literalLength = token >>> 4
    if (literalLength === 15) {
      let byte: number
      do {
        if (ip >= end) throw corrupt('literal length runs past the block')
        byte = input[ip++]
        literalLength += byte
      } while (byte === 255)
    }
    if (literalLength > end - ip) throw corrupt('literals run past the block')
    out.reserve(literalLength)
    out.bytes.set(input.subarray(ip, ip + literalLength), out.length)
    out.length += literalLength
    ip += literalLength
    // The last sequence of a block holds literals only.
    if (ip === end) return ip
    if (end - ip < 2) throw corrupt('truncated match offset')
    const offset = input[ip] | (input[ip + 1] << 8)
    ip += 2
    if (offset === 0 || offset > out.length - frameStart)
      throw corrupt(`match offset ${offset} is out of range`)
    let matchLength = token & 0x0f
    if (matchLength === 15) {
      let byte: number
      do {
        if (ip >= end) throw corrupt('match length runs past the block')
        byte = input[ip++]
        matchLength += byte
      } while (byte === 255)
    }
    matchLength += 4
    out.reserve(matchLength)
    const bytes = out.bytes
    let op = out.length
    const from = op - offset
    if (offset >= matchLength) {
      bytes.copyWithin(op, from, from + matchLength)
      op += matchLength
    } else {
      // Overlapping match: the run repeats with period `offset`. Copy what is written so far, doubling
      // each time (a whole number of periods, so the phase holds): a long run of one byte, as in a
      // decompression bomb, costs a few copies instead of one step per byte.
      let remaining = matchLength
      while (remaining > 0) {
        const n = Math.min(remaining, op - from)
        bytes.copyWithin(op, from, from + n)
        op += n
        remaining -= n
      }
    }
    out.length = op
  }
  return ip
}

/**
 * The output buffer, sized at once to the most the frames may inflate to (at most `maxBytes`), so that it
 * never grows: growing by doubling copied up to 64 MiB in one step, most of a bomb's cost on the event
 * loop (#7). The buffer is not zero-filled: only the bytes written take memory.
 */
function outputFor(layout: FrameLayout, maxBytes: number): BoundedOutput {
  return new BoundedOutput(Math.min(layout.decompressedBytesMax, maxBytes), maxBytes)
}

/**
 * Decompresses every LZ4 frame in `input` in JavaScript. Raises RecordBatchError if the frames are
 * malformed or would exceed `maxBytes` of output.
 */
export function decompressLz4FramesPortable(
  input: Uint8Array,
  maxBytes: number,
  layout = scanLz4Frames(input),
): Buffer {
  const out = outputFor(layout, maxBytes)
  for (const block of layout.blocks) decodeFrameBlock(input, block, out)
  return out.bytes.subarray(0, out.length)
}

/** Output bytes the async portable decoder produces between two pauses (blocks are at most 4 MiB). */
const PORTABLE_BYTES_PER_SLICE = 4 * 1024 * 1024

/**
 * Sequences the async decoder decodes between two pauses: a block of tiny records holds up to a million
 * (a few bytes each), so output bytes alone do not bound a slice. 65,536 sequences take a few ms.
 */
const PORTABLE_SEQUENCES_PER_SLICE = 65_536

/** Like `decompressLz4FramesPortable`, calling `pause()` every few MiB of output or 65,536 sequences. */
export async function decompressLz4FramesPortableAsync(
  input: Uint8Array,
  maxBytes: number,
  layout: FrameLayout,
  pause: () => Promise<void>,
): Promise<Buffer> {
  const out = outputFor(layout, maxBytes)
  let pausedAt = 0
  for (const block of layout.blocks) {
    if (block.compressed) {
      const end = block.start + block.length
      let ip = block.start
      for (;;) {
        ip = decodeBlock(input, ip, end, out, 0, PORTABLE_SEQUENCES_PER_SLICE)
        if (ip >= end) break
        pausedAt = out.length
        await pause()
      }
    } else {
      decodeFrameBlock(input, block, out)
    }
    if (out.length - pausedAt >= PORTABLE_BYTES_PER_SLICE) {
      pausedAt = out.length
      await pause()
    }
  }
  return out.bytes.subarray(0, out.length)
}

function decodeFrameBlock(input: Uint8Array, block: FrameBlock, out: BoundedOutput): void {
  // Matches may reach back into earlier blocks of the same frame (linked blocks) but never into another
  // frame; frames are not tracked separately here, which only makes the check more lenient.
  if (block.compressed) {
    decodeBlock(input, block.start, block.start + block.length, out, 0)
  } else {
    out.reserve(block.length)
    out.bytes.set(input.subarray(block.start, block.start + block.length), out.length)
    out.length += block.length
  }
}
