import { deepEqual, equal, ok, rejects } from 'node:assert/strict'
import { test } from 'node:test'
import {
  AbortError,
  type Clock,
  type Connection,
  ConnectionError,
  RequestTimeoutError,
  type Transport,
} from '../core/index.js'
import {
  ErrorCode,
  MetadataRequest,
  MetadataResponse,
  Reader,
  encodeResponseFrame,
  readRequestHeader,
} from '../protocol/index.js'
import { ClientConnection } from './client-connection.js'

/** Real time without io/ (network may not import it): what SystemClock does, inline. */
class TimerClock implements Clock {
  nowMs = () => Date.now()
  monotonicMs = () => performance.now()
  defer = (fn: () => void) => void setImmediate(fn)
  setTimeout(fn: () => void, delayMs: number) {
    const timer = setTimeout(fn, delayMs)
    return { cancel: () => clearTimeout(timer) }
  }
}

const metadataApi = { apiKey: 3, request: MetadataRequest, response: MetadataResponse }

interface SeenRequest {
  apiKey: number
  apiVersion: number
  correlationId: number
}

/** A broker in memory: records request headers; the test decides when and how to answer. */
function fakeBroker(options: { apiVersionsMax?: number } = {}) {
  const seen: SeenRequest[] = []
  let deliver: (chunk: Buffer) => void = () => undefined
  let closeCallback: (error?: Error) => void = () => undefined
  let destroyed = false
  const answer = (request: SeenRequest, body: unknown, version = request.apiVersion) =>
    deliver(Buffer.concat(encodeResponseFrame(request.apiKey, version, request.correlationId, body)))
  const connection: Connection = {
    remoteAddress: 'fake:1',
    remoteHost: 'fake',
    queuedBytes: 0,
    onData: (callback) => {
      deliver = callback
    },
    onClose: (callback) => {
      closeCallback = callback
    },
    onDrain: () => undefined,
    write(buffers) {
      const frame = Buffer.concat(buffers)
      const header = readRequestHeader(new Reader(frame, 4))
      const request = {
        apiKey: header.apiKey,
        apiVersion: header.apiVersion,
        correlationId: header.correlationId,
      }
      seen.push(request)
      if (request.apiKey === 18) {
        const max = options.apiVersionsMax ?? 5
        if (request.apiVersion > max) {
          // KIP-511: an unknown ApiVersions version is answered at v0 with the versions the broker has.
          answer(
            request,
            {
              errorCode: ErrorCode.UNSUPPORTED_VERSION,
              apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: max }],
            },
            0,
          )
        } else {
          answer(request, {
            errorCode: 0,
            apiKeys: [
              { apiKey: 18, minVersion: 0, maxVersion: max },
              { apiKey: 3, minVersion: 0, maxVersion: 12 },
            ],
          })
        }
      }
      return true
    },
    pause: () => undefined,
    resume: () => undefined,
    end: () => undefined,
    destroy: () => {
      if (destroyed) return
      destroyed = true
      closeCallback()
    },
  }
  const transport: Transport = {
    listen: () => Promise.reject(new Error('not a server')),
    connect: async () => connection,
  }
  const metadataBody = (clusterId: string) => ({ brokers: [], clusterId, controllerId: 1, topics: [] })
  return {
    seen,
    transport,
    answer,
    metadataBody,
    deliverRaw: (chunk: Buffer) => deliver(chunk),
    get destroyed() {
      return destroyed
    },
  }
}

async function open(
  broker: ReturnType<typeof fakeBroker>,
  options: { inFlightMax?: number; requestTimeoutMs?: number; responseBytesMax?: number } = {},
) {
  return ClientConnection.open(broker.transport, 'fake', 1, {
    clock: new TimerClock(),
    clientId: 'test',
    ...options,
  })
}

test('versions come from ApiVersions; a broker that does not know our ApiVersions version is asked again at its own (KIP-511)', async () => {
  const broker = fakeBroker({ apiVersionsMax: 2 })
  const connection = await open(broker)
  deepEqual(
    broker.seen.map((r) => [r.apiKey, r.apiVersion]),
    [
      [18, 5],
      [18, 2],
    ],
  )
  equal(connection.versionFor(3), 12)
  equal(connection.versionFor(0), undefined)
  connection.close()
})

test('pipelined requests are matched to responses by correlation id, whatever order they come in', async () => {
  const broker = fakeBroker()
  const connection = await open(broker)
  const first = connection.request(metadataApi, { topics: [] })
  const second = connection.request(metadataApi, { topics: [] })
  const [r1, r2] = broker.seen.slice(-2)
  broker.answer(r2, broker.metadataBody('second'))
  broker.answer(r1, broker.metadataBody('first'))
  equal((await first).clusterId, 'first')
  equal((await second).clusterId, 'second')
  connection.close()
})

test('no more than inFlightMax requests are sent before their responses; the rest wait for a slot', async () => {
  const broker = fakeBroker()
  const connection = await open(broker, { inFlightMax: 2 })
  const before = broker.seen.length
  const requests = [0, 1, 2].map(() => connection.request(metadataApi, { topics: [] }))
  await new Promise((r) => setImmediate(r))
  equal(broker.seen.length - before, 2)
  equal(connection.inFlightCount, 2)
  broker.answer(broker.seen[before], broker.metadataBody('a'))
  await requests[0]
  await new Promise((r) => setImmediate(r))
  equal(broker.seen.length - before, 3, 'the third goes out once the first is answered')
  broker.answer(broker.seen[before + 1], broker.metadataBody('b'))
  broker.answer(broker.seen[before + 2], broker.metadataBody('c'))
  deepEqual(
    (await Promise.all(requests)).map((r) => r.clusterId),
    ['a', 'b', 'c'],
  )
  connection.close()
})

test('a request without a response fails after its timeout and closes the connection', async () => {
  const broker = fakeBroker()
  const connection = await open(broker, { requestTimeoutMs: 100 })
  const startMs = performance.now()
  await rejects(connection.request(metadataApi, { topics: [] }), RequestTimeoutError)
  const elapsedMs = performance.now() - startMs
  ok(elapsedMs >= 90 && elapsedMs < 2000, `timed out after ${elapsedMs} ms`)
  ok(connection.isClosed)
  ok(broker.destroyed)
  await rejects(connection.request(metadataApi, { topics: [] }), ConnectionError)
})

test('an aborted request rejects at once; its late response is dropped and the connection goes on', async () => {
  const broker = fakeBroker()
  const connection = await open(broker)
  const controller = new AbortController()
  const aborted = connection.request(metadataApi, { topics: [] }, { signal: controller.signal })
  const kept = connection.request(metadataApi, { topics: [] })
  const [r1, r2] = broker.seen.slice(-2)
  controller.abort()
  await rejects(aborted, AbortError)
  broker.answer(r1, broker.metadataBody('late'))
  broker.answer(r2, broker.metadataBody('kept'))
  equal((await kept).clusterId, 'kept')
  ok(!connection.isClosed)
  await rejects(connection.request(metadataApi, { topics: [] }, { signal: AbortSignal.abort() }), AbortError)
  connection.close()
})

test('a response frame larger than responseBytesMax closes the connection before it is buffered', async () => {
  const broker = fakeBroker()
  const connection = await open(broker, { responseBytesMax: 1024 })
  const pending = connection.request(metadataApi, { topics: [] })
  const header = Buffer.alloc(8)
  header.writeInt32BE(1_000_000, 0)
  header.writeInt32BE(broker.seen[broker.seen.length - 1].correlationId, 4)
  broker.deliverRaw(header)
  await rejects(pending, ConnectionError)
  ok(connection.isClosed)
})

test('an unreachable broker fails within the connect timeout', async () => {
  const transport: Transport = {
    listen: () => Promise.reject(new Error('not a server')),
    connect: () => new Promise(() => undefined),
  }
  const startMs = performance.now()
  await rejects(
    ClientConnection.open(transport, 'nowhere', 1, {
      clock: new TimerClock(),
      clientId: 't',
      connectTimeoutMs: 100,
    }),
    ConnectionError,
  )
  ok(performance.now() - startMs < 2000)
})
