// A tiny Kafka client over node:net for tests: sends frames built with our protocol codec (or raw bytes)
// and decodes responses, matching them to requests strictly in order, so tests see exactly what the broker
// sends, including when it closes the connection.
import net from 'node:net'
import {
  ApiKey,
  Reader,
  encodeRequestFrame,
  responseCodec,
  skipHeaderTags,
} from '../../src/protocol/index.js'

/** A decoded response with its correlation id. */
export interface RawResponse<T = any> {
  correlationId: number
  body: T
}

interface Pending {
  correlationId: number
  apiKey: number
  /** Version whose response codec decodes the body. */
  version: number
  resolve: (response: RawResponse) => void
  reject: (error: Error) => void
}

/** Builds a request frame (size included) from a raw body, for versions our codec has no definition of. */
export function rawRequestFrame(
  apiKey: number,
  version: number,
  correlationId: number,
  body: Buffer = Buffer.alloc(0),
  clientId = 'brook-it',
): Buffer {
  const id = Buffer.from(clientId, 'utf8')
  const frame = Buffer.alloc(4 + 2 + 2 + 4 + 2 + id.length + body.length)
  frame.writeInt32BE(frame.length - 4, 0)
  frame.writeInt16BE(apiKey, 4)
  frame.writeInt16BE(version, 6)
  frame.writeInt32BE(correlationId, 8)
  frame.writeInt16BE(id.length, 12)
  id.copy(frame, 14)
  body.copy(frame, 14 + id.length)
  return frame
}

/** One TCP connection to a broker. Not safe to share between unrelated tests. */
export class RawKafkaClient {
  readonly socket: net.Socket
  /** Correlation ids of responses in the order they arrived. */
  readonly received: number[] = []
  private readonly pending: Pending[] = []
  private buffered: Buffer = Buffer.alloc(0)
  private nextCorrelationId = 1
  private closedFlag = false
  private readonly closed: Promise<void>

  private constructor(socket: net.Socket) {
    this.socket = socket
    this.closed = new Promise((resolve) => {
      socket.once('close', () => {
        this.closedFlag = true
        const error = new Error('connection closed by the broker before the response')
        for (const p of this.pending.splice(0)) p.reject(error)
        resolve()
      })
    })
    socket.on('error', () => {
      // A reset after the broker closes is expected in bad-input tests; 'close' follows.
    })
    socket.on('data', (chunk: Buffer) => this.receive(chunk))
  }

  /** Connects to `host:port`, from `localAddress` when given (127.0.0.x act as separate clients). */
  static connect(port: number, host = '127.0.0.1', localAddress?: string): Promise<RawKafkaClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host, localAddress })
      socket.setNoDelay(true)
      socket.once('connect', () => {
        socket.off('error', reject)
        resolve(new RawKafkaClient(socket))
      })
      socket.once('error', reject)
    })
  }

  /** True once the socket has closed (either side). */
  get isClosed(): boolean {
    return this.closedFlag
  }

  private receive(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk])
    while (this.buffered.length >= 4) {
      const size = this.buffered.readInt32BE(0)
      if (this.buffered.length < 4 + size) return
      const frame = this.buffered.subarray(4, 4 + size)
      this.buffered = this.buffered.subarray(4 + size)
      this.handleFrame(frame)
    }
  }

  private handleFrame(frame: Buffer): void {
    const reader = new Reader(frame)
    const correlationId = reader.int32()
    this.received.push(correlationId)
    const next = this.pending.shift()
    if (next === undefined) {
      this.socket.destroy(new Error(`unexpected response with correlation id ${correlationId}`))
      return
    }
    if (next.correlationId !== correlationId) {
      next.reject(new Error(`expected correlation id ${next.correlationId}, got ${correlationId}`))
      return
    }
    try {
      const codec = responseCodec(next.apiKey, next.version)
      if (codec === undefined) throw new Error(`no response codec for ${next.apiKey} v${next.version}`)
      // Response header v1 (tagged fields) for flexible versions, except ApiVersions (always v0).
      if (codec.flexible && next.apiKey !== ApiKey.ApiVersions) skipHeaderTags(reader)
      const body = codec.decode(reader)
      next.resolve({ correlationId, body })
    } catch (error) {
      next.reject(error as Error)
    }
  }

  /** Takes the next correlation id. */
  allocateCorrelationId(): number {
    return this.nextCorrelationId++
  }

  /** Sends `body` as request (apiKey, version) and resolves with the decoded response body. */
  async request<T = any>(apiKey: number, version: number, body: unknown): Promise<T> {
    return (await this.requestWithId<T>(apiKey, version, body)).body
  }

  /** Like `request`, but also returns the correlation id. */
  requestWithId<T = any>(apiKey: number, version: number, body: unknown): Promise<RawResponse<T>> {
    const correlationId = this.allocateCorrelationId()
    const frame = encodeRequestFrame(apiKey, version, correlationId, 'brook-it', body)
    return this.sendFrame<T>(frame, { apiKey, version, correlationId })
  }

  /** Sends a request that gets no response (Produce with acks=0). */
  send(apiKey: number, version: number, body: unknown): void {
    const frame = encodeRequestFrame(apiKey, version, this.allocateCorrelationId(), 'brook-it', body)
    this.socket.write(Buffer.concat(frame))
  }

  /**
   * Writes a prepared frame and awaits the response with `expect.correlationId`, decoded with the response
   * codec of (`expect.apiKey`, `expect.version`). Rejects if the broker closes the connection first.
   */
  sendFrame<T = any>(
    frame: Buffer | Buffer[],
    expect: { apiKey: number; version: number; correlationId: number },
  ): Promise<RawResponse<T>> {
    if (this.closedFlag) return Promise.reject(new Error('connection is closed'))
    return new Promise((resolve, reject) => {
      this.pending.push({ ...expect, resolve, reject })
      this.socket.write(Array.isArray(frame) ? Buffer.concat(frame) : frame)
    })
  }

  /** Writes bytes as they are, expecting nothing. */
  writeRaw(bytes: Buffer): void {
    this.socket.write(bytes)
  }

  /** Resolves true when the broker closes the connection within `timeoutMs`, false otherwise. */
  async waitClosed(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs)
    })
    const result = await Promise.race([this.closed.then(() => true as const), timeout])
    clearTimeout(timer)
    return result
  }

  /** Closes our side and waits for the socket to close. */
  async close(): Promise<void> {
    if (!this.closedFlag) this.socket.destroy()
    await this.closed
  }
}

/** Connects, runs `body`, and closes the connection even if `body` throws. */
export async function withConnection<T>(
  port: number,
  body: (client: RawKafkaClient) => Promise<T>,
): Promise<T> {
  const client = await RawKafkaClient.connect(port)
  try {
    return await body(client)
  } finally {
    await client.close()
  }
}
