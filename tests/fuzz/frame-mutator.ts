// Turns a generated request value into a frame, then damages the frame along its structure: the encoder
// records where every integer and length went, so a mutation can set an array count, a string length or
// an int64 to an edge value, or change the version, the API key, the size prefix, or cut and flip bytes.
import { Writer, requestCodec } from '../../src/protocol/index.js'
import { ProtocolError } from '../../src/core/index.js'
import type { SeededRandom } from '../../src/testing/index.js'

/** Where one integer of the frame was written: byte offset (from the size prefix's end) and kind. */
export interface Span {
  at: number
  size: number
  kind: 'int8' | 'int16' | 'int32' | 'int64' | 'uvarint'
}

/** A Writer that remembers where each integer went, so mutations know the frame's structure. */
class RecordingWriter extends Writer {
  readonly spans: Span[] = []
  override int8(value: number): void {
    this.spans.push({ at: this.length, size: 1, kind: 'int8' })
    super.int8(value)
  }
  override int16(value: number): void {
    this.spans.push({ at: this.length, size: 2, kind: 'int16' })
    super.int16(value)
  }
  override int32(value: number): void {
    this.spans.push({ at: this.length, size: 4, kind: 'int32' })
    super.int32(value)
  }
  override int64(value: number): void {
    this.spans.push({ at: this.length, size: 8, kind: 'int64' })
    super.int64(value)
  }
  override uvarint(value: number): void {
    const at = this.length
    super.uvarint(value)
    this.spans.push({ at, size: this.length - at, kind: 'uvarint' })
  }
}

/** A request frame ready to send, with what was done to it. */
export interface FuzzFrame {
  apiKey: number
  version: number
  correlationId: number
  /** The whole frame, size prefix included. */
  bytes: Buffer
  /** Departures from a plausible request (value edges, bombs, structural mutations); empty if none. */
  notes: string[]
  /** True when the frame was left structurally intact (value-level notes may still exist). */
  intact: boolean
  /**
   * The size prefix does not match the bytes that follow, so the stream is unusable after this frame: a
   * larger prefix makes the broker wait for bytes that never come, a smaller one leaves the rest of the
   * frame to be read as the start of the next. The sender sends nothing more on the connection and drops
   * it once its earlier requests are answered.
   */
  promisesMore: boolean
}

/** Frames larger than this are cut back to fewer elements (element bombs) before sending. */
export const FRAME_BYTES_MAX = 24 * 1024 * 1024

/** Encodes header and body of (apiKey, version) with `value`; returns the frame without its size prefix. */
export function encodeBody(
  apiKey: number,
  version: number,
  correlationId: number,
  clientId: string | null,
  value: unknown,
  headerTags: number,
): { body: Buffer; spans: Span[]; bodyStart: number } {
  const codec = requestCodec(apiKey, version)
  if (codec === undefined) throw new Error(`no request codec for ${apiKey} v${version}`)
  const writer = new RecordingWriter(256)
  writer.int16(apiKey)
  writer.int16(version)
  writer.int32(correlationId)
  writer.nullableString(clientId)
  if (codec.flexible) {
    writer.uvarint(headerTags)
    for (let i = 0; i < headerTags; i++) {
      writer.uvarint(i * 3)
      writer.uvarint(2)
      writer.int16(i)
    }
  }
  const bodyStart = writer.length
  codec.encode(writer, value as never)
  const spans = writer.spans
  return { body: writer.toBuffer(), spans, bodyStart }
}

function withSize(body: Buffer, size = body.length): Buffer {
  const frame = Buffer.allocUnsafe(4 + body.length)
  frame.writeInt32BE(size, 0)
  body.copy(frame, 4)
  return frame
}

const INT32_EDGES = [-1, -2, 0x7fffffff, 0x7ffffffe, 0x10000, 1_000_000, -0x80000000]
const INT16_EDGES = [-1, -2, 0x7fff, -0x8000, 0x4000]
/** Large uvarints: 2^31 (5 bytes), 2^32-1, and one more byte than an int32 can take (6 bytes). */
const UVARINT_EDGES = [
  Buffer.from([0x80, 0x80, 0x80, 0x80, 0x08]),
  Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]),
  Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
  Buffer.from([0x00]),
  Buffer.from([0xc0, 0x84, 0x3d]), // 1,000,000
]
const INT64_EDGES = [
  Buffer.from('7fffffffffffffff', 'hex'),
  Buffer.from('8000000000000000', 'hex'),
  Buffer.from('ffffffffffffffff', 'hex'),
  Buffer.from('0020000000000000', 'hex'), // 2^53
  Buffer.from('7ffffffffffffffe', 'hex'),
]

/**
 * Builds the frame for a generated request and, with probability `mutateChance`, damages it 1-3 times.
 * `versions` are the versions of this API the broker advertises, for plausible version swaps.
 */
export function buildFrame(
  rng: SeededRandom,
  apiKey: number,
  version: number,
  correlationId: number,
  value: Record<string, unknown>,
  notes: string[],
  options: {
    mutateChance: number
    advertised: ReadonlyMap<number, { min: number; max: number }>
    /** API keys a rewritten key may take (the ones being fuzzed). */
    keys: readonly number[]
  },
): FuzzFrame {
  const headerTags = rng.chance(0.03) ? rng.intBetween(1, 3) : 0
  const clientId = rng.chance(0.02) ? null : rng.chance(0.02) ? 'c'.repeat(rng.int(2000)) : 'brook-fuzz'
  // Element bombs may come out larger than a frame may be; cut the largest array until it fits. Measured
  // first without recording spans and stopping at the bound: a span per integer of 3 million elements ran
  // the fuzzer out of heap (#7).
  while (!fitsInFrame(apiKey, version, value)) {
    shrinkLargestArray(value)
    notes.push('shrunk')
  }
  let encoded = encodeBody(apiKey, version, correlationId, clientId, value, headerTags)
  while (encoded.body.length > FRAME_BYTES_MAX) {
    shrinkLargestArray(value)
    notes.push('shrunk')
    encoded = encodeBody(apiKey, version, correlationId, clientId, value, headerTags)
  }
  if (headerTags > 0) notes.push(`header-tags=${headerTags}`)
  let body = encoded.body
  const spans = encoded.spans.filter((span) => span.at >= encoded.bodyStart)
  let intact = true
  let promisesMore = false
  let size: number | undefined
  if (rng.chance(options.mutateChance)) {
    intact = false
    const count = rng.chance(0.7) ? 1 : rng.intBetween(2, 3)
    for (let i = 0; i < count; i++) {
      const kind = rng.int(100)
      if (kind < 35 && spans.length > 0) {
        body = mutateSpan(body, rng.pick(spans), rng, notes)
      } else if (kind < 45 && body.length >= 4) {
        const range = options.advertised.get(apiKey)
        const next =
          rng.chance(0.6) && range !== undefined
            ? rng.intBetween(range.min, range.max)
            : rng.pick([range === undefined ? 0 : range.max + 1, -1, 0x7fff, version + 1])
        body.writeInt16BE(next, 2)
        notes.push(`version->${next}`)
      } else if (kind < 50 && body.length >= 2) {
        const next = rng.chance(0.7) ? rng.pick(options.keys) : rng.pick([4, 7, 27, 57, 1000, -1, 0x7fff])
        body.writeInt16BE(next, 0)
        notes.push(`apiKey->${next}`)
      } else if (kind < 65) {
        const cut = rng.int(body.length)
        body = body.subarray(0, cut)
        notes.push(`truncate@${cut}`)
      } else if (kind < 72) {
        body = Buffer.concat([body, rng.bytes(rng.intBetween(1, 64))])
        notes.push('trailing-bytes')
      } else if (kind < 85 && body.length > 0) {
        body = Buffer.from(body)
        const flips = rng.intBetween(1, 8)
        for (let f = 0; f < flips; f++) body[rng.int(body.length)] ^= 1 << rng.int(8)
        notes.push(`bitflips=${flips}`)
      } else if (kind < 90 && spans.length > 0) {
        // Repeat a stretch of the body: elements duplicated past their count.
        const span = rng.pick(spans)
        const end = Math.min(body.length, span.at + rng.intBetween(1, 64))
        body = Buffer.concat([body.subarray(0, end), body.subarray(span.at, end), body.subarray(end)])
        notes.push(`duplicate@${span.at}`)
      } else {
        // The size prefix lies.
        const lie = rng.int(4)
        if (lie === 0) {
          size = body.length + rng.intBetween(1, 100)
          promisesMore = true
        } else if (lie === 1) size = rng.int(body.length)
        else if (lie === 2) size = rng.pick([-1, -0x80000000, 0])
        else {
          size = rng.pick([100 * 1024 * 1024 + 1, 0x7fffffff, 95 * 1024 * 1024])
          promisesMore = true
        }
        notes.push(`size-prefix=${size}`)
      }
    }
  }
  // A prefix shorter than the body (or negative) strands the body's tail on the stream.
  if (size !== undefined && size !== body.length) promisesMore = true
  return { apiKey, version, correlationId, bytes: withSize(body, size), notes, intact, promisesMore }
}

function mutateSpan(body: Buffer, span: Span, rng: SeededRandom, notes: string[]): Buffer {
  if (span.at + span.size > body.length) return body
  const out = Buffer.from(body)
  switch (span.kind) {
    case 'int8':
      out.writeInt8(rng.pick([-1, 127, -128, 2]), span.at)
      break
    case 'int16':
      out.writeInt16BE(rng.pick(INT16_EDGES), span.at)
      break
    case 'int32':
      out.writeInt32BE(rng.pick(INT32_EDGES), span.at)
      break
    case 'int64':
      rng.pick(INT64_EDGES).copy(out, span.at)
      break
    case 'uvarint': {
      const replacement = rng.pick(UVARINT_EDGES)
      notes.push(`uvarint@${span.at}=${replacement.toString('hex')}`)
      return Buffer.concat([out.subarray(0, span.at), replacement, out.subarray(span.at + span.size)])
    }
  }
  notes.push(`${span.kind}@${span.at}=${out.subarray(span.at, span.at + span.size).toString('hex')}`)
  return out
}

/** True if the body of `value` encodes within FRAME_BYTES_MAX, less room for the header. */
function fitsInFrame(apiKey: number, version: number, value: unknown): boolean {
  const codec = requestCodec(apiKey, version)
  if (codec === undefined) return true
  try {
    // The bound stops the bytes the writer encodes itself; record batches are passed through as chunks,
    // counted in `length` only (a bomb of 3 million batches came to 29.5 GB).
    const writer = new Writer(256, FRAME_BYTES_MAX - 8192)
    codec.encode(writer, value as never)
    return writer.length <= FRAME_BYTES_MAX - 8192
  } catch (error) {
    if (error instanceof ProtocolError && /would encode more/.test(error.message)) return false
    throw error
  }
}

function shrinkLargestArray(value: unknown): void {
  let largest: unknown[] | undefined
  let holder: Record<string, unknown> | undefined
  let key = ''
  const visit = (node: unknown) => {
    if (node === null || typeof node !== 'object' || Buffer.isBuffer(node)) return
    for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
      if (Array.isArray(v)) {
        if (largest === undefined || v.length > largest.length) {
          largest = v
          holder = node as Record<string, unknown>
          key = k
        }
        if (v.length > 0) visit(v[0])
      } else visit(v)
    }
  }
  visit(value)
  if (holder !== undefined && largest !== undefined)
    holder[key] = largest.slice(0, Math.floor(largest.length / 4))
}
