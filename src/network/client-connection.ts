// The client side of one Kafka connection: requests go out with correlation ids and are pipelined (up to
// `inFlightMax` unanswered), responses are matched by correlation id, every request has a timeout and may
// be aborted, and the API versions are negotiated with ApiVersions when the connection opens.
import {
  AbortError,
  type Clock,
  type Connection,
  ConnectionError,
  type Logger,
  RequestTimeoutError,
  type Transport,
  UnsupportedVersionError,
} from '../core/index.js'
import {
  ApiVersionsRequest,
  ApiVersionsResponse,
  ErrorCode,
  type MessageDef,
  type MessageInput,
  type MessageValue,
  Reader,
  apiByKey,
  encodeRequestFrame,
  responseCodec,
  skipHeaderTags,
  versionBounds,
} from '../protocol/index.js'
import { FrameDecoder } from './frame-decoder.js'

/** A request/response pair of one API, as the protocol folder defines them. */
export interface ClientApi<Q extends MessageDef = MessageDef, S extends MessageDef = MessageDef> {
  readonly apiKey: number
  readonly request: Q
  readonly response: S
}

export interface ClientConnectionOptions {
  clock: Clock
  clientId: string
  /** Time allowed for each request's response, in ms (Kafka's request.timeout.ms, default 30000). */
  requestTimeoutMs?: number
  /** Requests sent and not yet answered; more wait for a slot (max.in.flight.requests.per.connection, 5). */
  inFlightMax?: number
  /** Largest response frame accepted, in bytes; a larger one closes the connection (default 256 MiB). */
  responseBytesMax?: number
  /** Highest version to use per API key, for APIs whose newer versions this client does not speak. */
  versionCaps?: Readonly<Record<number, number>>
  logger?: Logger
}

export interface OpenOptions extends ClientConnectionOptions {
  /** Time allowed for TCP connect plus ApiVersions, in ms (default 10000). */
  connectTimeoutMs?: number
  signal?: AbortSignal
}

export interface RequestOptions {
  /** Overrides the connection's request timeout, e.g. for a long-polling Fetch (ms). */
  timeoutMs?: number
  signal?: AbortSignal
  /** Use this version instead of the highest both sides speak. */
  version?: number
  /** The broker sends no response (Produce with acks=0): resolves once written. */
  noResponse?: boolean
}

interface Pending {
  apiKey: number
  version: number
  resolve: (body: unknown) => void
  reject: (error: Error) => void
  timer: { cancel(): void } | undefined
  /** Set when the caller gave up (abort): the response is read and dropped. */
  abandoned: boolean
}

export const REQUEST_TIMEOUT_MS_DEFAULT = 30_000
export const CLIENT_IN_FLIGHT_MAX_DEFAULT = 5
export const RESPONSE_BYTES_MAX_DEFAULT = 256 * 1024 * 1024
export const CONNECT_TIMEOUT_MS_DEFAULT = 10_000

function abortReason(signal: AbortSignal): Error {
  const reason = signal.reason
  return reason instanceof AbortError ? reason : new AbortError(undefined, { cause: reason })
}

/** One open connection to one broker. Safe to share: requests from many callers are pipelined. */
export class ClientConnection {
  readonly host: string
  readonly port: number
  private readonly connection: Connection
  private readonly options: Required<Omit<ClientConnectionOptions, 'logger' | 'versionCaps'>> &
    Pick<ClientConnectionOptions, 'logger' | 'versionCaps'>
  private readonly decoder: FrameDecoder
  private readonly pending = new Map<number, Pending>()
  private readonly slotWaiters: Array<() => void> = []
  private inFlight = 0
  private nextCorrelationId = 1
  private closedError: Error | undefined
  private readonly closeListeners: Array<(error: Error) => void> = []
  /** Versions the broker serves, by API key, from ApiVersions. */
  private brokerVersions = new Map<number, { min: number; max: number }>()

  private constructor(host: string, port: number, connection: Connection, options: ClientConnectionOptions) {
    this.host = host
    this.port = port
    this.connection = connection
    this.options = {
      clock: options.clock,
      clientId: options.clientId,
      requestTimeoutMs: options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS_DEFAULT,
      inFlightMax: options.inFlightMax ?? CLIENT_IN_FLIGHT_MAX_DEFAULT,
      responseBytesMax: options.responseBytesMax ?? RESPONSE_BYTES_MAX_DEFAULT,
      logger: options.logger,
      versionCaps: options.versionCaps,
    }
    this.decoder = new FrameDecoder(this.options.responseBytesMax)
    connection.onData((chunk) => this.receive(chunk))
    connection.onClose((error) =>
      this.fail(new ConnectionError(`connection to ${host}:${port} closed`, { cause: error })),
    )
  }

  /** Connects, negotiates versions with ApiVersions, and resolves once the connection is usable. */
  static async open(
    transport: Transport,
    host: string,
    port: number,
    options: OpenOptions,
  ): Promise<ClientConnection> {
    const timeoutMs = options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS_DEFAULT
    const signal = options.signal
    if (signal?.aborted) throw abortReason(signal)
    let settled = false
    let opened: ClientConnection | undefined
    return new Promise<ClientConnection>((resolve, reject) => {
      const finish = (error: Error | undefined) => {
        if (settled) return
        settled = true
        timer.cancel()
        signal?.removeEventListener('abort', onAbort)
        if (error === undefined && opened !== undefined) resolve(opened)
        else {
          opened?.close()
          reject(error)
        }
      }
      const timer = options.clock.setTimeout(
        () => finish(new ConnectionError(`could not connect to ${host}:${port} within ${timeoutMs} ms`)),
        timeoutMs,
      )
      const onAbort = () => finish(abortReason(signal as AbortSignal))
      signal?.addEventListener('abort', onAbort, { once: true })
      transport.connect(host, port).then(
        async (connection) => {
          if (settled) {
            connection.destroy()
            return
          }
          opened = new ClientConnection(host, port, connection, options)
          try {
            await opened.negotiate()
            finish(undefined)
          } catch (error) {
            finish(error as Error)
          }
        },
        (error) =>
          finish(
            new ConnectionError(`could not connect to ${host}:${port}: ${error.message}`, { cause: error }),
          ),
      )
    })
  }

  /** ApiVersions at the highest version we know; a broker that does not know it answers v0 (KIP-511). */
  private async negotiate(): Promise<void> {
    const ours = versionBounds(ApiVersionsRequest.validVersions)
    let version = ours.max
    for (let attempt = 0; attempt < 2; attempt++) {
      const response = (await this.send(
        { apiKey: 18, request: ApiVersionsRequest, response: ApiVersionsResponse },
        { clientSoftwareName: 'brook-sdk', clientSoftwareVersion: '0.1.0' },
        version,
        {},
      )) as MessageValue<typeof ApiVersionsResponse>
      if (response.errorCode === ErrorCode.UNSUPPORTED_VERSION) {
        const entry = response.apiKeys.find((k) => k.apiKey === 18)
        version = Math.min(ours.max, entry?.maxVersion ?? 0)
        continue
      }
      if (response.errorCode !== ErrorCode.NONE)
        throw new ConnectionError(`ApiVersions failed with error code ${response.errorCode}`)
      this.brokerVersions = new Map(
        response.apiKeys.map((k) => [k.apiKey, { min: k.minVersion, max: k.maxVersion }]),
      )
      return
    }
    throw new UnsupportedVersionError('the broker rejected every ApiVersions version')
  }

  /** The version to use for `apiKey`: the highest both sides speak, or undefined if there is none. */
  versionFor(apiKey: number): number | undefined {
    const theirs = this.brokerVersions.get(apiKey)
    const api = apiByKey(apiKey)
    if (theirs === undefined || api === undefined) return undefined
    const ours = versionBounds(api.request.validVersions)
    const cap = this.options.versionCaps?.[apiKey] ?? ours.max
    const max = Math.min(ours.max, cap, theirs.max)
    const min = Math.max(ours.min, theirs.min)
    return max >= min ? max : undefined
  }

  /** True once the connection has closed; requests then fail with ConnectionError. */
  get isClosed(): boolean {
    return this.closedError !== undefined
  }

  /** Requests sent and not yet answered. */
  get inFlightCount(): number {
    return this.inFlight
  }

  /** Calls `listener` once when the connection closes. */
  onClose(listener: (error: Error) => void): void {
    if (this.closedError !== undefined) listener(this.closedError)
    else this.closeListeners.push(listener)
  }

  /** Sends a request at the negotiated version and resolves to the decoded response body. */
  request<Q extends MessageDef, S extends MessageDef>(
    api: ClientApi<Q, S>,
    body: MessageInput<Q>,
    options: RequestOptions = {},
  ): Promise<MessageValue<S>> {
    const version = options.version ?? this.versionFor(api.apiKey)
    if (version === undefined) {
      return Promise.reject(
        new UnsupportedVersionError(
          `${this.host}:${this.port} serves no version of ${api.request.name} that this client speaks`,
        ),
      )
    }
    return this.send(api, body, version, options) as Promise<MessageValue<S>>
  }

  private async send(
    api: ClientApi,
    body: unknown,
    version: number,
    options: RequestOptions,
  ): Promise<unknown> {
    const signal = options.signal
    if (signal?.aborted) throw abortReason(signal)
    if (this.closedError !== undefined) throw this.closedError
    if (this.inFlight >= this.options.inFlightMax) await this.waitForSlot(signal)
    if (this.closedError !== undefined) throw this.closedError
    const correlationId = this.nextCorrelationId
    this.nextCorrelationId = this.nextCorrelationId === 0x7fffffff ? 1 : this.nextCorrelationId + 1
    const frame = encodeRequestFrame(api.apiKey, version, correlationId, this.options.clientId, body)
    if (options.noResponse) {
      this.connection.write(frame)
      return undefined
    }
    this.inFlight++
    return new Promise((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? this.options.requestTimeoutMs
      const onAbort = () => {
        const entry = this.pending.get(correlationId)
        if (entry === undefined || entry.abandoned) return
        entry.abandoned = true
        entry.timer?.cancel()
        reject(abortReason(signal as AbortSignal))
      }
      const entry: Pending = {
        apiKey: api.apiKey,
        version,
        resolve: (value) => {
          signal?.removeEventListener('abort', onAbort)
          resolve(value)
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort)
          reject(error)
        },
        abandoned: false,
        timer: this.options.clock.setTimeout(() => {
          // Responses come in request order, so a late one would hold up every later request: close, as
          // Kafka's clients do, and let the caller retry on a new connection.
          const error = new RequestTimeoutError(
            `${api.request.name} v${version} to ${this.host}:${this.port} got no response within ${timeoutMs} ms`,
          )
          this.fail(error)
        }, timeoutMs),
      }
      this.pending.set(correlationId, entry)
      signal?.addEventListener('abort', onAbort, { once: true })
      this.connection.write(frame)
    })
  }

  private waitForSlot(signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve, reject) => {
      const waiter = () => {
        signal?.removeEventListener('abort', onAbort)
        resolve()
      }
      const onAbort = () => {
        const index = this.slotWaiters.indexOf(waiter)
        if (index >= 0) this.slotWaiters.splice(index, 1)
        reject(abortReason(signal as AbortSignal))
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.slotWaiters.push(waiter)
    })
  }

  private releaseSlot(): void {
    this.inFlight--
    const next = this.slotWaiters.shift()
    next?.()
  }

  private receive(chunk: Buffer): void {
    const frames = this.decoder.push(chunk)
    for (const frame of frames) {
      if (this.closedError !== undefined) return
      this.handleFrame(frame)
    }
    const error = this.decoder.error
    if (error !== undefined && this.closedError === undefined)
      this.fail(new ConnectionError(`bad response frame from ${this.host}:${this.port}`, { cause: error }))
  }

  private handleFrame(frame: Buffer): void {
    const correlationId = frame.readInt32BE(0)
    const entry = this.pending.get(correlationId)
    if (entry === undefined) {
      this.fail(
        new ConnectionError(
          `response with unknown correlation id ${correlationId} from ${this.host}:${this.port}`,
        ),
      )
      return
    }
    this.pending.delete(correlationId)
    entry.timer?.cancel()
    this.releaseSlot()
    let body: unknown
    try {
      const reader = new Reader(frame, 4)
      let version = entry.version
      // ApiVersions answers an unsupported version with a v0 body (KIP-511); its header is always v0.
      if (entry.apiKey === 18 && frame.length >= 6 && frame.readInt16BE(4) === ErrorCode.UNSUPPORTED_VERSION)
        version = 0
      const codec = responseCodec(entry.apiKey, version)
      if (codec === undefined) throw new Error(`no response codec for api ${entry.apiKey} v${version}`)
      if (codec.flexible && entry.apiKey !== 18) skipHeaderTags(reader)
      body = codec.decode(reader)
    } catch (error) {
      entry.reject(
        new ConnectionError(`undecodable response from ${this.host}:${this.port}`, { cause: error }),
      )
      this.fail(new ConnectionError(`undecodable response from ${this.host}:${this.port}`, { cause: error }))
      return
    }
    if (!entry.abandoned) entry.resolve(body)
  }

  private fail(error: Error): void {
    if (this.closedError !== undefined) return
    this.closedError =
      error instanceof ConnectionError ? error : new ConnectionError(error.message, { cause: error })
    this.options.logger?.debug('client connection closed', {
      host: this.host,
      port: this.port,
      reason: error.message,
    })
    for (const [, entry] of this.pending) {
      entry.timer?.cancel()
      if (!entry.abandoned) entry.reject(error)
    }
    this.pending.clear()
    this.inFlight = 0
    for (const waiter of this.slotWaiters.splice(0)) waiter()
    this.connection.destroy()
    for (const listener of this.closeListeners.splice(0)) listener(this.closedError)
  }

  /** Closes the connection; requests in flight fail with ConnectionError. */
  close(): void {
    this.fail(new ConnectionError(`connection to ${this.host}:${this.port} closed by the client`))
  }
}
