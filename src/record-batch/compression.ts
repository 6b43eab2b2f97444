// Compression codecs of RecordBatch v2: gzip (node:zlib), snappy (raw and xerial-framed), LZ4 frame and
// zstd. Native packages load lazily on first use, so a missing one only disables its own codec.
// Every decompression is bounded by a caller-given byte limit, against decompression bombs.
import { createRequire } from 'node:module'
import { gunzip, gunzipSync, gzip, gzipSync } from 'node:zlib'
import { Compression, type CompressionCodec } from './batch-header.js'
import {
  BrookError,
  CodecUnavailableError,
  CorruptCompressedError,
  DecompressedTooLargeError,
  UnknownCodecError,
} from '../core/index.js'
import { decompressLz4FramesPortable, decompressLz4FramesPortableAsync, scanLz4Frames } from './lz4-frame.js'
import { decodeSnappyBlock, readSnappyPreamble, SnappyBlockDecoder } from './snappy-block.js'

/** Default bound on decompressed bytes per batch: 128 MiB. */
export const DECOMPRESSED_BYTES_MAX_DEFAULT = 128 * 1024 * 1024

/** xerial snappy-java stream header: magic, then int32 version and int32 compatible version. */
export const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00])
const XERIAL_HEADER_BYTES = 16
/** Uncompressed bytes per xerial block when we write, as snappy-java does. */
const XERIAL_BLOCK_BYTES = 32 * 1024

interface SnappyModule {
  compressSync(input: Uint8Array): Buffer
  compress(input: Uint8Array): Promise<Buffer>
}
interface Lz4Module {
  compressFrameSync(input: Buffer): Buffer
  compressFrame(input: Uint8Array): Promise<Buffer>
}
interface ZstdContext {
  decompress(target: Uint8Array, source: Uint8Array): number
  decompressStream(target: Uint8Array, source: Uint8Array): [number, number, number]
  reset(directive: number): void
}
interface ZstdCompressContext {
  setParameter(param: number, value: number): void
  compressStream2(target: Uint8Array, source: Uint8Array, endOp: number): [number, number, number]
}
interface ZstdBinding {
  DCtx: new () => ZstdContext
  CCtx: new () => ZstdCompressContext
  CParameter: { compressionLevel: number }
  cStreamOutSize(): number
  EndDirective: { continue: number; end: number }
  getFrameContentSize(frame: Uint8Array): number | null
  findFrameCompressedSize(frame: Uint8Array): number
  dStreamOutSize(): number
  ResetDirective: { sessionOnly: number }
}
interface ZstdModule {
  compress(input: Uint8Array): Buffer
}

const require = createRequire(import.meta.url)
const loaded = new Map<string, { module?: unknown; error?: unknown }>()

function load<T>(name: string): T {
  let entry = loaded.get(name)
  if (entry === undefined) {
    try {
      entry = { module: require(name) }
    } catch (error) {
      entry = { error }
    }
    loaded.set(name, entry)
  }
  if (entry.error !== undefined) {
    throw new CodecUnavailableError(`cannot load ${name}`, { cause: entry.error })
  }
  return entry.module as T
}

/** True if `codec` can compress and decompress here (its native package loads). */
export function isCodecAvailable(codec: number): boolean {
  try {
    switch (codec) {
      case Compression.none:
      case Compression.gzip:
        return true
      case Compression.snappy:
        load('snappy')
        return true
      case Compression.lz4:
        load('lz4-napi')
        return true
      case Compression.zstd:
        load('zstd-napi')
        load('zstd-napi/binding')
        return true
      default:
        return false
    }
  } catch {
    return false
  }
}

function corrupt(codecName: string, cause: unknown): CorruptCompressedError {
  const detail = cause instanceof Error ? cause.message : String(cause)
  return new CorruptCompressedError(`${codecName}: ${detail}`, { cause })
}

function tooLarge(codecName: string, maxBytes: number): DecompressedTooLargeError {
  return new DecompressedTooLargeError(`${codecName}: decompressed data exceeds ${maxBytes} bytes`)
}

function unknownCodec(codec: number): UnknownCodecError {
  return new UnknownCodecError(`unknown compression codec ${codec}`)
}

/** Compresses `data` with `codec` (none returns `data` itself). Snappy is written xerial-framed, as Java does. */
export function compress(codec: CompressionCodec, data: Buffer): Buffer {
  switch (codec) {
    case Compression.none:
      return data
    case Compression.gzip:
      return gzipSync(data)
    case Compression.snappy:
      return compressSnappyXerial(data)
    case Compression.lz4:
      return load<Lz4Module>('lz4-napi').compressFrameSync(data)
    case Compression.zstd:
      return load<ZstdModule>('zstd-napi').compress(data)
    default:
      throw unknownCodec(codec)
  }
}

/**
 * Decompresses `data` compressed with `codec` (none returns `data`). Raises RecordBatchError when the data
 * is corrupt, the output would exceed `maxBytes`, the codec is unknown or its package does not load.
 */
export function decompress(codec: number, data: Buffer, maxBytes = DECOMPRESSED_BYTES_MAX_DEFAULT): Buffer {
  try {
    switch (codec) {
      case Compression.none:
        if (data.length > maxBytes) throw tooLarge('none', maxBytes)
        return data
      case Compression.gzip:
        return decompressGzip(data, maxBytes)
      case Compression.snappy:
        return decompressSnappy(data, maxBytes)
      case Compression.lz4:
        return decompressLz4(data, maxBytes)
      case Compression.zstd:
        return decompressZstd(data, maxBytes)
      default:
        throw unknownCodec(codec)
    }
  } catch (error) {
    if (error instanceof BrookError) throw error
    throw corrupt(codecName(codec), error)
  }
}

function codecName(codec: number): string {
  return ['none', 'gzip', 'snappy', 'lz4', 'zstd'][codec] ?? `codec ${codec}`
}

function decompressGzip(data: Buffer, maxBytes: number): Buffer {
  try {
    return gunzipSync(data, { maxOutputLength: Math.max(1, maxBytes) })
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge('gzip', maxBytes)
    throw corrupt('gzip', error)
  }
}

/** The uncompressed length that opens a raw snappy block. */
function rawSnappyLength(data: Uint8Array): number {
  return readSnappyPreamble(data).bytes
}

// Snappy is decoded in JavaScript (snappy-block.ts), never by the `snappy` package: its decoder kept the
// memory of every output it made (150 raw blocks of 4 MiB decoded and dropped left the process 600 MB
// larger), as lz4-napi's did. `snappy` still compresses.
function decompressRawSnappy(block: Uint8Array, maxBytes: number): Buffer {
  const bytes = rawSnappyLength(block)
  if (bytes > maxBytes) throw tooLarge('snappy', maxBytes)
  const out = Buffer.allocUnsafe(bytes)
  decodeSnappyBlock(block, out, 0)
  return out
}

/** True if `data` starts with snappy-java's stream header. */
export function isXerialSnappy(data: Uint8Array): boolean {
  return data.length >= XERIAL_HEADER_BYTES && XERIAL_MAGIC.equals(data.subarray(0, XERIAL_MAGIC.length))
}

function decompressSnappy(data: Buffer, maxBytes: number): Buffer {
  if (!isXerialSnappy(data)) return decompressRawSnappy(data, maxBytes)
  const { blocks, totalBytes } = scanXerialBlocks(data, maxBytes)
  const out = Buffer.allocUnsafe(totalBytes)
  let at = 0
  for (const block of blocks) at += decodeSnappyBlock(block.data, out, at)
  return out
}

/** One raw snappy block of a xerial stream and the bytes its preamble says it decodes to. */
interface XerialBlock {
  data: Buffer
  bytes: number
}

/**
 * Lists the blocks of a xerial snappy stream (header, then int32 length + raw snappy block) with the
 * length each declares, and raises when they add up to more than `maxBytes`: a bomb is refused before
 * any of it is decoded, and the output is allocated once at its final size (#7).
 */
function scanXerialBlocks(data: Buffer, maxBytes: number): { blocks: XerialBlock[]; totalBytes: number } {
  const blocks: XerialBlock[] = []
  let totalBytes = 0
  let pos = XERIAL_HEADER_BYTES
  while (pos < data.length) {
    if (data.length - pos < 4) throw corrupt('snappy', 'truncated xerial block length')
    const length = data.readInt32BE(pos)
    pos += 4
    if (length < 0 || length > data.length - pos) throw corrupt('snappy', 'xerial block runs past the input')
    const block = data.subarray(pos, pos + length)
    const bytes = rawSnappyLength(block)
    totalBytes += bytes
    if (totalBytes > maxBytes) throw tooLarge('snappy', maxBytes)
    blocks.push({ data: block, bytes })
    pos += length
  }
  return { blocks, totalBytes }
}

/** Compresses `data` as a snappy-java (xerial) stream: header, then int32-length-prefixed raw blocks. */
export function compressSnappyXerial(data: Buffer): Buffer {
  const snappy = load<SnappyModule>('snappy')
  const header = Buffer.alloc(XERIAL_HEADER_BYTES)
  XERIAL_MAGIC.copy(header, 0)
  header.writeInt32BE(1, 8)
  header.writeInt32BE(1, 12)
  const parts: Buffer[] = [header]
  for (let start = 0; start < data.length; start += XERIAL_BLOCK_BYTES) {
    const block = snappy.compressSync(data.subarray(start, start + XERIAL_BLOCK_BYTES))
    const length = Buffer.allocUnsafe(4)
    length.writeInt32BE(block.length, 0)
    parts.push(length, block)
  }
  return Buffer.concat(parts)
}

/** Compresses `data` as one raw snappy block, the way librdkafka writes snappy batches. */
export function compressSnappyRaw(data: Buffer): Buffer {
  return load<SnappyModule>('snappy').compressSync(data)
}

// LZ4 is decoded in JavaScript (lz4-frame.ts), never by lz4-napi: its decoder kept the memory of every
// output (a 19 MB output, decoded 60 times and dropped, left the process 1.2 GB larger), and it decodes no
// faster than ours (300-800 MiB/s both). lz4-napi still compresses.
function decompressLz4(data: Buffer, maxBytes: number): Buffer {
  return fitted(decompressLz4FramesPortable(data, maxBytes))
}

/**
 * A decoded LZ4 payload in a buffer of its own size when the one it was decoded into, sized to the block
 * maxima of its frames, is more than twice as large (a 10 KB batch in 4 MiB blocks): the rest would stay
 * reserved as long as the records are held.
 */
function fitted(out: Buffer): Buffer {
  return out.buffer.byteLength > 2 * out.length + 65536 ? Buffer.from(out) : out
}

let zstdContext: ZstdContext | undefined

function decompressZstd(data: Buffer, maxBytes: number): Buffer {
  const binding = load<ZstdBinding>('zstd-napi/binding')
  zstdContext ??= new binding.DCtx()
  const context = zstdContext
  // A previous call may have stopped mid-frame (corrupt input, bound crossed): start a fresh session.
  context.reset(binding.ResetDirective.sessionOnly)
  const contentBytes = data.length > 0 ? binding.getFrameContentSize(data) : null
  if (contentBytes !== null && binding.findFrameCompressedSize(data) === data.length) {
    if (contentBytes > maxBytes) throw tooLarge('zstd', maxBytes)
    const target = Buffer.allocUnsafe(contentBytes)
    const written = context.decompress(target, data)
    if (written !== contentBytes) throw corrupt('zstd', 'frame is shorter than its declared content size')
    return target
  }
  // Size unknown or several frames: stream in chunks, stopping as soon as the bound is crossed.
  const chunkBytes = binding.dStreamOutSize()
  const parts: Buffer[] = []
  let total = 0
  let source: Buffer = data
  let hint = 1
  for (;;) {
    const chunk = Buffer.allocUnsafe(chunkBytes)
    const [nextHint, produced, consumed] = context.decompressStream(chunk, source)
    hint = nextHint
    total += produced
    if (total > maxBytes) throw tooLarge('zstd', maxBytes)
    if (produced > 0) parts.push(chunk.subarray(0, produced))
    source = source.subarray(consumed)
    // A hint of 0 means the frame is complete and flushed. Test it before calling again: with no input
    // left, another call would start a next frame and hint at its header (a frame without a content size
    // whose output filled the last chunk exactly used to be rejected that way).
    if (source.length === 0 && (hint === 0 || produced < chunkBytes)) break
    if (produced === 0 && consumed === 0) throw corrupt('zstd', 'decoder made no progress')
  }
  if (hint !== 0) throw corrupt('zstd', 'input ends inside a frame')
  return Buffer.concat(parts, total)
}

/** What a compressed payload says about the size it decompresses to. */
export interface DeclaredSize {
  /** It decompresses to at least this many bytes (if it decompresses at all). */
  bytes: number
  /** It decompresses to exactly `bytes`: the decoder holds it to that. */
  exact: boolean
}

/**
 * What `data` says it decompresses to with `codec`: exactly, a raw snappy block's preamble, the sum of a
 * xerial stream's block preambles, a single zstd frame's content size; at least, a gzip stream's
 * trailer (ISIZE, the last member's size modulo 2^32, which no valid stream undercuts). Null when it says
 * nothing (LZ4, zstd streamed without a size) or `data` is malformed (the decoder reports that). The
 * broker refuses a payload stating more than its bound before decoding it, and reserves an exact size
 * instead of the whole bound (#7).
 */
export function declaredDecompressedBytes(codec: number, data: Buffer): DeclaredSize | null {
  try {
    switch (codec) {
      case Compression.gzip:
        // Magic 1f 8b, a 10-byte header, the deflate data, then CRC-32 and ISIZE (little-endian).
        if (data.length < 18 || data[0] !== 0x1f || data[1] !== 0x8b) return null
        return { bytes: data.readUInt32LE(data.length - 4), exact: false }
      case Compression.snappy:
        return {
          bytes: isXerialSnappy(data)
            ? scanXerialBlocks(data, Number.MAX_SAFE_INTEGER).totalBytes
            : rawSnappyLength(data),
          exact: true,
        }
      case Compression.zstd: {
        const bytes = declaredZstdBytes(load<ZstdBinding>('zstd-napi/binding'), data)
        return bytes === null ? null : { bytes, exact: true }
      }
      default:
        return null
    }
  } catch {
    return null
  }
}

/**
 * The most bytes `data` can decompress to with `codec` when its framing bounds that without decoding: LZ4
 * frames, at most each compressed block's stated maximum (the decoder never writes more). Null for other
 * codecs. Malformed LZ4 framing throws CorruptCompressedError here, so that a corrupt batch costs one scan
 * and one error rather than two (a Produce of 99,000 corrupt LZ4 batches spent most of its time building
 * errors). A batch reserves this instead of the whole bound (#7).
 */
export function decompressedBytesAtMost(codec: number, data: Buffer): number | null {
  if (codec !== Compression.lz4) return null
  return scanLz4Frames(data).decompressedBytesMax
}

/** Output bytes the async zstd decoder produces between two pauses: about 4 ms of work. */
const ZSTD_BYTES_PER_SLICE = 4 * 1024 * 1024

/**
 * Like `decompress`, without holding the event loop: gzip and snappy run on libuv's thread pool, LZ4 and
 * zstd in slices with `pause()` between them. Bounds and errors are those of `decompress`.
 */
export async function decompressAsync(
  codec: number,
  data: Buffer,
  maxBytes: number,
  pause: () => Promise<void>,
): Promise<Buffer> {
  try {
    switch (codec) {
      case Compression.none:
        if (data.length > maxBytes) throw tooLarge('none', maxBytes)
        return data
      case Compression.gzip:
        return await gunzipAsync(data, maxBytes)
      case Compression.snappy:
        return await decompressSnappyAsync(data, maxBytes, pause)
      case Compression.lz4:
        return await decompressLz4Async(data, maxBytes, pause)
      case Compression.zstd:
        return await decompressZstdAsync(data, maxBytes, pause)
      default:
        throw unknownCodec(codec)
    }
  } catch (error) {
    if (error instanceof BrookError) throw error
    throw corrupt(codecName(codec), error)
  }
}

function gunzipAsync(data: Buffer, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    gunzip(data, { maxOutputLength: Math.max(1, maxBytes) }, (error, result) => {
      if (error === null) resolve(result)
      else if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE')
        reject(tooLarge('gzip', maxBytes))
      else reject(corrupt('gzip', error))
    })
  })
}

/** Snappy output bytes decoded between two pauses: a few ms of work. */
const SNAPPY_BYTES_PER_SLICE = 8 * 1024 * 1024

async function decompressSnappyAsync(
  data: Buffer,
  maxBytes: number,
  pause: () => Promise<void>,
): Promise<Buffer> {
  const { blocks, totalBytes } = isXerialSnappy(data)
    ? scanXerialBlocks(data, maxBytes)
    : { blocks: [{ data, bytes: rawSnappyLength(data) }], totalBytes: rawSnappyLength(data) }
  if (totalBytes > maxBytes) throw tooLarge('snappy', maxBytes)
  // Every block is decoded straight into the output, sized from the preambles: no parts joined at the
  // end. A raw block is one piece (librdkafka writes a batch as one); xerial blocks are 32 KiB.
  const out = Buffer.allocUnsafe(totalBytes)
  let at = 0
  let sliceBytes = 0
  for (const block of blocks) {
    const decoder = new SnappyBlockDecoder(block.data, out, at)
    while (!decoder.step(SNAPPY_BYTES_PER_SLICE - sliceBytes)) {
      sliceBytes = 0
      await pause()
    }
    at += decoder.bytes
    sliceBytes += decoder.bytes
    if (sliceBytes >= SNAPPY_BYTES_PER_SLICE) {
      sliceBytes = 0
      await pause()
    }
  }
  return out
}

/** Bytes `concatWithPauses` copies between two pauses: a few ms of work. */
const CONCAT_BYTES_PER_SLICE = 8 * 1024 * 1024

/**
 * Joins decoded parts into one buffer, pausing every few MiB: copying 120 MiB at once held the event
 * loop 150-360 ms on a loaded machine (#7).
 */
async function concatWithPauses(parts: Buffer[], total: number, pause: () => Promise<void>): Promise<Buffer> {
  if (parts.length === 1) return parts[0]
  const out = Buffer.allocUnsafe(total)
  let at = 0
  let sliceBytes = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.length
    sliceBytes += part.length
    if (sliceBytes >= CONCAT_BYTES_PER_SLICE) {
      sliceBytes = 0
      await pause()
    }
  }
  return out
}

async function decompressLz4Async(
  data: Buffer,
  maxBytes: number,
  pause: () => Promise<void>,
): Promise<Buffer> {
  return fitted(await decompressLz4FramesPortableAsync(data, maxBytes, scanLz4Frames(data), pause))
}

async function decompressZstdAsync(
  data: Buffer,
  maxBytes: number,
  pause: () => Promise<void>,
): Promise<Buffer> {
  const binding = load<ZstdBinding>('zstd-napi/binding')
  // A context of its own: another request may decode on the shared one between two slices.
  const context = new binding.DCtx()
  const declared = declaredZstdBytes(binding, data)
  if (declared !== null) {
    // One frame that states its size: refused before decoding when too large, else decoded straight into
    // a buffer of that size (#7).
    if (declared > maxBytes) throw tooLarge('zstd', maxBytes)
    return decompressZstdInto(context, data, Buffer.allocUnsafe(declared), pause)
  }
  const chunkBytes = binding.dStreamOutSize()
  const parts: Buffer[] = []
  let total = 0
  let sliceBytes = 0
  let source: Buffer = data
  let hint = 1
  for (;;) {
    const chunk = Buffer.allocUnsafe(chunkBytes)
    const [nextHint, produced, consumed] = context.decompressStream(chunk, source)
    hint = nextHint
    total += produced
    if (total > maxBytes) throw tooLarge('zstd', maxBytes)
    if (produced > 0) parts.push(chunk.subarray(0, produced))
    source = source.subarray(consumed)
    if (source.length === 0 && (hint === 0 || produced < chunkBytes)) break
    if (produced === 0 && consumed === 0) throw corrupt('zstd', 'decoder made no progress')
    sliceBytes += produced
    if (sliceBytes >= ZSTD_BYTES_PER_SLICE) {
      sliceBytes = 0
      await pause()
    }
  }
  if (hint !== 0) throw corrupt('zstd', 'input ends inside a frame')
  return concatWithPauses(parts, total, pause)
}

/** The content size `data` declares when it is exactly one zstd frame that states it; null otherwise. */
function declaredZstdBytes(binding: ZstdBinding, data: Buffer): number | null {
  if (data.length === 0) return null
  const contentBytes = binding.getFrameContentSize(data)
  if (contentBytes === null || binding.findFrameCompressedSize(data) !== data.length) return null
  return contentBytes
}

/** Decodes one zstd frame into `target` (its declared size), ZSTD_BYTES_PER_SLICE between two pauses. */
async function decompressZstdInto(
  context: ZstdContext,
  data: Buffer,
  target: Buffer,
  pause: () => Promise<void>,
): Promise<Buffer> {
  if (target.length <= ZSTD_BYTES_PER_SLICE) {
    if (context.decompress(target, data) !== target.length)
      throw corrupt('zstd', 'frame is shorter than its declared content size')
    return target
  }
  let at = 0
  let source: Buffer = data
  for (;;) {
    const end = Math.min(target.length, at + ZSTD_BYTES_PER_SLICE)
    const [hint, produced, consumed] = context.decompressStream(target.subarray(at, end), source)
    at += produced
    source = source.subarray(consumed)
    if (hint === 0 && source.length === 0) break
    if (produced === 0 && consumed === 0) throw corrupt('zstd', 'input ends inside a frame')
    if (produced > 0) await pause()
  }
  if (at !== target.length) throw corrupt('zstd', 'frame is shorter than its declared content size')
  return target
}

/** Input bytes the async zstd encoder takes between two pauses: a few ms of work. */
const ZSTD_COMPRESS_BYTES_PER_SLICE = 2 * 1024 * 1024

/**
 * The level a topic asks of a codec that has levels (Kafka's compression.gzip.level, compression.zstd.level);
 * undefined, or gzip's -1, is the codec's default (zlib's 6, zstd's 3). LZ4 has one level here (lz4_flex).
 */
export type CompressionLevel = number | undefined

/**
 * Like `compress`, without holding the event loop: gzip, snappy and LZ4 run on libuv's thread pool, zstd
 * streams in slices with `pause()` between them. Recompressing 100 MiB of decoded records to gzip took
 * 0.76 s in one turn of the event loop (#7). `level` applies to gzip and zstd.
 */
export async function compressAsync(
  codec: CompressionCodec,
  data: Buffer,
  pause: () => Promise<void>,
  level: CompressionLevel = undefined,
): Promise<Buffer> {
  switch (codec) {
    case Compression.none:
      return data
    case Compression.gzip: {
      const options = level === undefined || level === -1 ? {} : { level }
      return new Promise((resolve, reject) =>
        gzip(data, options, (error, result) => (error === null ? resolve(result) : reject(error))),
      )
    }
    case Compression.snappy:
      return compressSnappyXerialAsync(data, pause)
    case Compression.lz4:
      return load<Lz4Module>('lz4-napi').compressFrame(data)
    case Compression.zstd:
      return compressZstdAsync(data, pause, level)
    default:
      throw unknownCodec(codec)
  }
}

/** Raw snappy blocks of one xerial stream compressed on the thread pool between two pauses. */
const SNAPPY_BLOCKS_PER_SLICE = 64

async function compressSnappyXerialAsync(data: Buffer, pause: () => Promise<void>): Promise<Buffer> {
  const snappy = load<SnappyModule>('snappy')
  const header = Buffer.alloc(XERIAL_HEADER_BYTES)
  XERIAL_MAGIC.copy(header, 0)
  header.writeInt32BE(1, 8)
  header.writeInt32BE(1, 12)
  const parts: Buffer[] = [header]
  let total = header.length
  for (let start = 0; start < data.length; start += XERIAL_BLOCK_BYTES * SNAPPY_BLOCKS_PER_SLICE) {
    const blocks: Promise<Buffer>[] = []
    const end = Math.min(data.length, start + XERIAL_BLOCK_BYTES * SNAPPY_BLOCKS_PER_SLICE)
    for (let at = start; at < end; at += XERIAL_BLOCK_BYTES)
      blocks.push(snappy.compress(data.subarray(at, Math.min(end, at + XERIAL_BLOCK_BYTES))))
    for (const block of await Promise.all(blocks)) {
      const length = Buffer.allocUnsafe(4)
      length.writeInt32BE(block.length, 0)
      parts.push(length, block)
      total += 4 + block.length
    }
  }
  return concatWithPauses(parts, total, pause)
}

async function compressZstdAsync(
  data: Buffer,
  pause: () => Promise<void>,
  level: CompressionLevel,
): Promise<Buffer> {
  const binding = load<ZstdBinding>('zstd-napi/binding')
  // A context of its own, at the topic's level or zstd's default (3), as zstd-napi's compress uses.
  const context = new binding.CCtx()
  if (level !== undefined) context.setParameter(binding.CParameter.compressionLevel, level)
  const chunkBytes = binding.cStreamOutSize()
  const parts: Buffer[] = []
  let total = 0
  for (let start = 0; ; start += ZSTD_COMPRESS_BYTES_PER_SLICE) {
    const last = start + ZSTD_COMPRESS_BYTES_PER_SLICE >= data.length
    let source = data.subarray(start, Math.min(data.length, start + ZSTD_COMPRESS_BYTES_PER_SLICE))
    const endOp = last ? binding.EndDirective.end : binding.EndDirective.continue
    for (;;) {
      const chunk = Buffer.allocUnsafe(chunkBytes)
      const [left, produced, consumed] = context.compressStream2(chunk, source, endOp)
      if (produced > 0) parts.push(chunk.subarray(0, produced))
      total += produced
      source = source.subarray(consumed)
      // Continue: done when the slice is consumed; end: done when nothing is left to flush.
      if (last ? left === 0 : source.length === 0) break
    }
    if (last) break
    await pause()
  }
  return concatWithPauses(parts, total, pause)
}
