// A whole broker without a socket, for handler tests and simulations: metadata, logs, groups and producer
// ids over the simulated file system, and a `call` that runs a handler the way the wire would (request
// encoded and decoded at the given version, response too).
import {
  type BrokerConfig,
  CLOSE_CONNECTION,
  type Handler,
  type RequestContext,
  defaultBrokerConfig,
  openBrokerContext,
} from '../broker/index.js'
import type { BrokerContext } from '../broker/index.js'
import { type Clock, silentLogger } from '../core/index.js'
import {
  type MessageDef,
  type MessageInput,
  type MessageValue,
  Reader,
  Writer,
  requestCodec,
  responseCodec,
} from '../protocol/index.js'
import { Session } from '../network/index.js'
import { SeededRandom } from './seeded-random.js'
import { SimClock } from './sim-clock.js'
import { SimFileSystem } from './sim-file-system.js'

export interface TestBroker {
  readonly context: BrokerContext
  readonly topics: BrokerContext['topics']
  readonly fs: SimFileSystem
  readonly clock: Clock
  /** The session every call runs in (one connection); close it to test close hooks. */
  readonly session: Session
  /**
   * Runs `handler` at `version` on `input`, passing request and response through the codec so that
   * only what the wire carries at that version reaches either side. Null when the handler sends no
   * response (acks=0).
   */
  call<Req extends MessageDef, Res extends MessageDef>(
    handler: Handler<Req, Res>,
    version: number,
    input: MessageInput<Req>,
  ): Promise<MessageValue<Res>>
  /** Like `call`, but resolves to null when no response is sent and 'close' when the connection would close. */
  callMaybe<Req extends MessageDef, Res extends MessageDef>(
    handler: Handler<Req, Res>,
    version: number,
    input: MessageInput<Req>,
  ): Promise<MessageValue<Res> | null | 'close'>
  close(): Promise<void>
}

export interface TestBrokerOptions {
  /** Settings over the defaults (data dir /data, initial rebalance delay 0). */
  config?: Partial<BrokerConfig>
  /** An existing file system, e.g. one that was crashed, to reopen a broker on. */
  fs?: SimFileSystem
  /** Defaults to a SimClock. */
  clock?: Clock
}

/** Opens a broker context on the simulated file system. */
export async function createTestBroker(options: TestBrokerOptions = {}): Promise<TestBroker> {
  const fs = options.fs ?? new SimFileSystem()
  const clock = options.clock ?? new SimClock()
  const config: BrokerConfig = {
    ...defaultBrokerConfig('/data'),
    advertisedHost: 'broker.test',
    advertisedPort: 19092,
    groupInitialRebalanceDelayMs: 0,
    ...options.config,
  }
  const opened = await openBrokerContext({
    config,
    fs,
    clock,
    logger: silentLogger,
    random: new SeededRandom(1),
  })
  const context = opened.context
  let correlationId = 0
  // Every call shares one session, as requests pipelined on one connection do.
  const session = new Session({ listener: 'test', remoteAddress: '127.0.0.1:50000', remoteHost: '127.0.0.1' })
  async function callMaybe<Req extends MessageDef, Res extends MessageDef>(
    handler: Handler<Req, Res>,
    version: number,
    input: MessageInput<Req>,
  ): Promise<MessageValue<Res> | null | 'close'> {
    const requestCodecOfVersion = requestCodec(handler.apiKey, version)
    const responseCodecOfVersion = responseCodec(handler.apiKey, version)
    if (requestCodecOfVersion === undefined || responseCodecOfVersion === undefined) {
      throw new Error(`no codec for api ${handler.apiKey} v${version}`)
    }
    const writer = new Writer()
    requestCodecOfVersion.encode(writer, input as MessageInput<MessageDef>)
    const request = requestCodecOfVersion.decode(new Reader(writer.toBuffer())) as MessageValue<Req>
    const requestContext: RequestContext = {
      header: {
        apiKey: handler.apiKey,
        apiVersion: version,
        correlationId: ++correlationId,
        clientId: 'test-client',
      },
      session,
      broker: context,
    }
    const response = await handler.handle(request, requestContext)
    if (response === null) return null
    if (response === CLOSE_CONNECTION) return 'close'
    const out = new Writer()
    responseCodecOfVersion.encode(out, response as MessageInput<MessageDef>)
    return responseCodecOfVersion.decode(new Reader(out.toBuffer())) as MessageValue<Res>
  }
  return {
    context,
    session,
    topics: context.topics,
    fs,
    clock,
    callMaybe,
    async call(handler, version, input) {
      const response = await callMaybe(handler, version, input)
      if (response === null || response === 'close') {
        throw new Error(`${handler.request.name} v${version} sent no response (${response ?? 'none'})`)
      }
      return response
    },
    close: () => opened.close(),
  }
}
