// Request and response codecs by (apiKey, version), compiled on first use and cached, plus the Kafka
// request and response headers, whose versions follow from whether the body version is flexible.
import { ProtocolError } from '../core/index.js'
import { type MessageCodec, compileMessage } from './compile.js'
import { apiMessages } from './messages/index.js'
import type { Reader } from './reader.js'
import { type MessageDef, inVersions } from './schema.js'
import { Writer } from './writer.js'

export interface ApiMessages {
  readonly apiKey: number
  readonly name: string
  readonly request: MessageDef
  readonly response: MessageDef
}

const byKey = new Map<number, ApiMessages>()
for (const api of apiMessages as readonly ApiMessages[]) byKey.set(api.apiKey, api)

const requestCodecs = new Map<number, MessageCodec<MessageDef>>()
const responseCodecs = new Map<number, MessageCodec<MessageDef>>()

/** The definitions of an API, or undefined for a key Brook does not know. */
export function apiByKey(apiKey: number): ApiMessages | undefined {
  return byKey.get(apiKey)
}

/** All APIs with definitions. */
export function allApis(): readonly ApiMessages[] {
  return [...byKey.values()]
}

function codec(
  cache: Map<number, MessageCodec<MessageDef>>,
  apiKey: number,
  version: number,
  side: 'request' | 'response',
): MessageCodec<MessageDef> | undefined {
  const key = apiKey * 1024 + version
  let found = cache.get(key)
  if (found === undefined) {
    const api = byKey.get(apiKey)
    if (api === undefined || !inVersions(api[side].validVersions, version)) return undefined
    found = compileMessage(api[side], version)
    cache.set(key, found)
  }
  return found
}

/** The request codec for (apiKey, version), or undefined if Brook has no such definition. */
export function requestCodec(apiKey: number, version: number): MessageCodec<MessageDef> | undefined {
  return codec(requestCodecs, apiKey, version, 'request')
}

/** The response codec for (apiKey, version), or undefined if Brook has no such definition. */
export function responseCodec(apiKey: number, version: number): MessageCodec<MessageDef> | undefined {
  return codec(responseCodecs, apiKey, version, 'response')
}

/** The fixed start of every request header (v1 and v2). */
export interface RequestHeader {
  apiKey: number
  apiVersion: number
  correlationId: number
  clientId: string | null
}

/**
 * Reads apiKey, apiVersion, correlationId and clientId. client_id keeps its int16 length even in header
 * v2, so this works before the version is known to be supported. Call `skipRequestHeaderTags` next for
 * flexible versions.
 */
export function readRequestHeader(reader: Reader): RequestHeader {
  const apiKey = reader.int16()
  const apiVersion = reader.int16()
  const correlationId = reader.int32()
  const clientId = reader.nullableString()
  return { apiKey, apiVersion, correlationId, clientId }
}

/** Skips the tagged fields of request header v2. */
export function skipHeaderTags(reader: Reader): void {
  const count = reader.uvarint()
  for (let i = 0; i < count; i++) {
    reader.uvarint()
    reader.skip(reader.uvarint())
  }
}

/** Default bound on the bytes an answer encodes (record batches passed through not counted): 64 MiB. */
export const ANSWER_BYTES_MAX_DEFAULT = 64 * 1024 * 1024

/**
 * Encodes a whole response frame: size, header, body. The header is v1 when the body version is
 * flexible, except for ApiVersions, whose responses always use header v0 (KIP-511). Past
 * `encodedBytesMax` encoded bytes (record batches passed through not counted) it throws ProtocolError.
 */
export function encodeResponseFrame(
  apiKey: number,
  version: number,
  correlationId: number,
  body: unknown,
  encodedBytesMax = Number.POSITIVE_INFINITY,
): Buffer[] {
  const codec = responseCodec(apiKey, version)
  if (codec === undefined) throw new ProtocolError(`no response definition for api ${apiKey} v${version}`)
  const writer = new Writer(512, encodedBytesMax)
  writer.int32(0) // size, patched below
  writer.int32(correlationId)
  if (codec.flexible && apiKey !== 18) writer.uvarint(0)
  codec.encode(writer, body as never)
  const total = writer.length
  const chunks = writer.finish()
  chunks[0].writeInt32BE(total - 4, 0)
  return chunks
}

/** Bytes of an answer `encodeResponseFrameInSlices` encodes between two pauses: a few ms of work. */
export const ANSWER_SLICE_BYTES = 1024 * 1024

/**
 * Like `encodeResponseFrame`, pausing (`pause()`, a turn of the event loop for other connections) after
 * every ANSWER_SLICE_BYTES or so, between two elements of the answer's top-level arrays: encoding a 64 MiB
 * answer of small fields (30,000 DescribeConfigs results) held the event loop for 0.8 s of CPU (#7).
 */
export async function encodeResponseFrameInSlices(
  apiKey: number,
  version: number,
  correlationId: number,
  body: unknown,
  encodedBytesMax: number,
  pause: () => Promise<void>,
): Promise<Buffer[]> {
  const codec = responseCodec(apiKey, version)
  if (codec === undefined) throw new ProtocolError(`no response definition for api ${apiKey} v${version}`)
  const writer = new Writer(512, encodedBytesMax)
  writer.int32(0) // size, patched below
  writer.int32(correlationId)
  if (codec.flexible && apiKey !== 18) writer.uvarint(0)
  const steps = codec.encodeSteps(writer, body as never)
  let sliceEnd = writer.length + ANSWER_SLICE_BYTES
  while (steps.next().done !== true) {
    if (writer.length >= sliceEnd) {
      await pause()
      sliceEnd = writer.length + ANSWER_SLICE_BYTES
    }
  }
  const total = writer.length
  const chunks = writer.finish()
  chunks[0].writeInt32BE(total - 4, 0)
  return chunks
}

/** Encodes a whole request frame (used by the client side and tests). */
export function encodeRequestFrame(
  apiKey: number,
  version: number,
  correlationId: number,
  clientId: string | null,
  body: unknown,
): Buffer[] {
  const codec = requestCodec(apiKey, version)
  if (codec === undefined) throw new ProtocolError(`no request definition for api ${apiKey} v${version}`)
  const writer = new Writer(512)
  writer.int32(0)
  writer.int16(apiKey)
  writer.int16(version)
  writer.int32(correlationId)
  writer.nullableString(clientId)
  if (codec.flexible) writer.uvarint(0)
  codec.encode(writer, body as never)
  const total = writer.length
  const chunks = writer.finish()
  chunks[0].writeInt32BE(total - 4, 0)
  return chunks
}
