// Turns a request frame into a response frame: reads the header, finds the handler, decodes the body,
// runs the handler and encodes its answer. Unknown APIs and unsupported versions close the connection as
// Kafka does, except ApiVersions, which answers UNSUPPORTED_VERSION with a v0 body (KIP-511).
import { ProtocolError, brookChannels } from '../core/index.js'
import type { Logger } from '../core/index.js'
import type { Session } from '../network/index.js'
import {
  ANSWER_BYTES_MAX_DEFAULT,
  ApiKey,
  ErrorCode,
  errorName,
  REQUEST_ELEMENTS_MAX_DEFAULT,
  Reader,
  encodeResponseFrame,
  encodeResponseFrameInSlices,
  readRequestHeader,
  requestCodec,
  skipHeaderTags,
} from '../protocol/index.js'
import type { BrokerContext } from './broker-context.js'
import { CLOSE_CONNECTION, type Handler } from './handler.js'

export type DispatchResult = Buffer[] | null | 'close'

/** Bounds on what one request may cost to decode and to answer. */
export interface DispatchLimits {
  /** Array elements of one request, all arrays together; more closes the connection. */
  requestElementsMax: number
  /** Bytes an answer may encode, record batches passed through not counted; more closes the connection. */
  answerBytesMax: number
}

/** Defaults of DispatchLimits. */
export const defaultDispatchLimits: DispatchLimits = {
  requestElementsMax: REQUEST_ELEMENTS_MAX_DEFAULT,
  answerBytesMax: ANSWER_BYTES_MAX_DEFAULT,
}

/**
 * A request of at least this many array elements gives other connections a turn of the event loop between
 * its decoding, its handling and its encoding, each a few microseconds per element (#7).
 */
export const LARGE_REQUEST_ELEMENTS = 10_000

/**
 * An answer whose top-level arrays hold at least this many elements (or the answer to a large request) is
 * encoded in slices with turns for other connections between them (#7).
 */
export const LARGE_ANSWER_ELEMENTS = 1_000

/** Elements of the top-level arrays of an answer: a cheap sign of a large one. */
function topLevelElements(response: object): number {
  let count = 0
  for (const value of Object.values(response)) if (Array.isArray(value)) count += value.length
  return count
}

/** Resolves on a later turn of the event loop, after the I/O already due, in turn with other long work. */
function nextTurn(broker: BrokerContext): Promise<void> {
  return broker.slices.turn()
}

/** What the timing seam learns of a request while it is dispatched. */
interface Outcome {
  apiKey: number
  apiVersion: number
  /** The answer's top-level error code, if it has one. */
  errorCode: number | undefined
}

/** The handler table, keyed by API key. */
export class RequestDispatcher {
  private readonly handlers = new Map<number, Handler>()
  private readonly logger: Logger
  private readonly limits: DispatchLimits

  constructor(handlers: readonly Handler[], logger: Logger, limits: DispatchLimits = defaultDispatchLimits) {
    for (const handler of handlers) this.handlers.set(handler.apiKey, handler)
    this.logger = logger
    this.limits = limits
  }

  /** The advertised (apiKey, min, max) triples, in key order. */
  advertised(): { apiKey: number; minVersion: number; maxVersion: number }[] {
    return [...this.handlers.values()]
      .map((h) => ({ apiKey: h.apiKey, minVersion: h.versions.min, maxVersion: h.versions.max }))
      .sort((a, b) => a.apiKey - b.apiKey)
  }

  /**
   * Answers one request frame. The one timing seam of the broker: when something subscribes to the
   * request channel, the API, its time and its outcome are published (nothing is measured otherwise).
   */
  async dispatch(frame: Buffer, session: Session, broker: BrokerContext): Promise<DispatchResult> {
    if (!brookChannels.request.hasSubscribers) return this.#dispatch(frame, session, broker, undefined)
    const startedMs = performance.now()
    const outcome: Outcome = { apiKey: -1, apiVersion: -1, errorCode: undefined }
    let error = 'none'
    try {
      const result = await this.#dispatch(frame, session, broker, outcome)
      if (result === 'close') error = 'close'
      else if (outcome.errorCode !== undefined && outcome.errorCode !== ErrorCode.NONE)
        error = errorName(outcome.errorCode)
      return result
    } catch (thrown) {
      error = 'exception'
      throw thrown
    } finally {
      if (outcome.apiKey >= 0)
        brookChannels.request.publish({
          apiKey: outcome.apiKey,
          apiVersion: outcome.apiVersion,
          durationMs: performance.now() - startedMs,
          error,
        })
    }
  }

  async #dispatch(
    frame: Buffer,
    session: Session,
    broker: BrokerContext,
    outcome: Outcome | undefined,
  ): Promise<DispatchResult> {
    const connectionId = session.id
    const reader = new Reader(frame, 0, frame.length, this.limits.requestElementsMax)
    let header: ReturnType<typeof readRequestHeader>
    try {
      header = readRequestHeader(reader)
    } catch {
      this.logger.warn('closing connection: unreadable request header', { connectionId })
      return 'close'
    }
    if (outcome !== undefined) {
      outcome.apiKey = header.apiKey
      outcome.apiVersion = header.apiVersion
    }
    const handler = this.handlers.get(header.apiKey)
    if (handler === undefined) {
      this.logger.warn('closing connection: unknown api key', { connectionId, apiKey: header.apiKey })
      return 'close'
    }
    if (header.apiVersion < handler.versions.min || header.apiVersion > handler.versions.max) {
      if (header.apiKey === ApiKey.ApiVersions) {
        // KIP-511: a client newer than us sends a version we lack; answer with a v0 body holding our
        // ranges so it can retry with one we support.
        if (outcome !== undefined) outcome.errorCode = ErrorCode.UNSUPPORTED_VERSION
        return encodeResponseFrame(ApiKey.ApiVersions, 0, header.correlationId, {
          errorCode: ErrorCode.UNSUPPORTED_VERSION,
          apiKeys: this.advertised(),
        })
      }
      this.logger.warn('closing connection: unsupported version', {
        connectionId,
        apiKey: header.apiKey,
        apiVersion: header.apiVersion,
      })
      return 'close'
    }
    const codec = requestCodec(header.apiKey, header.apiVersion)
    if (codec === undefined) return 'close'
    let request: unknown
    try {
      if (codec.flexible) skipHeaderTags(reader)
      request = codec.decode(reader)
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error
      if (header.apiKey === ApiKey.ApiVersions) {
        if (outcome !== undefined) outcome.errorCode = ErrorCode.INVALID_REQUEST
        return encodeResponseFrame(ApiKey.ApiVersions, 0, header.correlationId, {
          errorCode: ErrorCode.INVALID_REQUEST,
          apiKeys: this.advertised(),
        })
      }
      this.logger.warn('closing connection: malformed request', {
        connectionId,
        apiKey: header.apiKey,
        apiVersion: header.apiVersion,
        error: error.message,
      })
      return 'close'
    }
    if (reader.unsafeInt64Fields.length > 0 && handler.acceptsUnsafeInt64 !== true) {
      // A number cannot hold such a value exactly; only handlers that check their int64 fields see them.
      this.logger.warn('closing connection: int64 value beyond 2^53', {
        connectionId,
        apiKey: header.apiKey,
        apiVersion: header.apiVersion,
        fields: reader.unsafeInt64Fields,
      })
      return 'close'
    }
    const large = this.limits.requestElementsMax - reader.elementsLeft >= LARGE_REQUEST_ELEMENTS
    if (large) await nextTurn(broker)
    const response = await handler.handle(request as never, { header, session, broker })
    if (response === null) return null
    if (response === CLOSE_CONNECTION) return 'close'
    if (outcome !== undefined) outcome.errorCode = (response as { errorCode?: number }).errorCode
    if (large) await nextTurn(broker)
    try {
      if (large || topLevelElements(response) >= LARGE_ANSWER_ELEMENTS)
        return await encodeResponseFrameInSlices(
          header.apiKey,
          header.apiVersion,
          header.correlationId,
          response,
          this.limits.answerBytesMax,
          () => nextTurn(broker),
        )
      return encodeResponseFrame(
        header.apiKey,
        header.apiVersion,
        header.correlationId,
        response,
        this.limits.answerBytesMax,
      )
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error
      this.logger.warn('closing connection: answer too large', {
        connectionId,
        apiKey: header.apiKey,
        apiVersion: header.apiVersion,
        error: error.message,
      })
      return 'close'
    }
  }
}
