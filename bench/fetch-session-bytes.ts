// Bytes per poll of an idle consumer: a raw client that fetches as the Java consumer does (Fetch v16 by
// topic id, a full fetch with session epoch 0, then incremental fetches naming no partition while nothing
// changes; a full fetch again whenever the broker hands out no session). Works against Brook and Kafka.
// Usage: node dist/bench/fetch-session-bytes.js --bootstrap HOST:PORT --partitions N [--polls K]
//        [--max-wait-ms W] [--topic T]; prints one JSON line.
import { connect, type Socket } from 'node:net'
import { parseArgs } from 'node:util'
import { Reader, ZERO_UUID, encodeRequestFrame, responseCodec } from '../src/protocol/index.js'

interface FetchedPartition {
  errorCode: number
}
interface FetchedTopic {
  partitions: FetchedPartition[]
}

const FETCH = 1
const METADATA = 3
const CREATE_TOPICS = 19
const FETCH_VERSION = 16

/** A socket with one request at a time: writes a frame, resolves to the whole response frame. */
class RawConnection {
  #buffer = Buffer.alloc(0)
  #waiting: ((frame: Buffer) => void) | undefined
  #correlationId = 0
  bytesOut = 0
  bytesIn = 0

  constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk])
      if (this.#buffer.length < 4) return
      const size = this.#buffer.readInt32BE(0)
      if (this.#buffer.length < 4 + size) return
      const frame = this.#buffer.subarray(0, 4 + size)
      this.#buffer = this.#buffer.subarray(4 + size)
      this.#waiting?.(frame)
    })
  }

  static open(host: string, port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port }, () => resolve(new RawConnection(socket)))
      socket.once('error', reject)
    })
  }

  async call(apiKey: number, version: number, body: unknown): Promise<{ body: any; frameBytes: number }> {
    const parts = encodeRequestFrame(apiKey, version, ++this.#correlationId, 'fetch-session-bytes', body)
    const out = Buffer.concat(parts)
    this.bytesOut += out.length
    const frame = await new Promise<Buffer>((resolve) => {
      this.#waiting = resolve
      this.socket.write(out)
    })
    this.bytesIn += frame.length
    const codec = responseCodec(apiKey, version)!
    const reader = new Reader(frame.subarray(8))
    if (codec.flexible) reader.uvarint()
    return { body: codec.decode(reader), frameBytes: out.length + frame.length }
  }

  close(): void {
    this.socket.destroy()
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      bootstrap: { type: 'string' },
      partitions: { type: 'string', default: '100' },
      polls: { type: 'string', default: '20' },
      'max-wait-ms': { type: 'string', default: '100' },
      topic: { type: 'string' },
    },
  })
  const [host, portText] = (values.bootstrap ?? '127.0.0.1:9092').split(':')
  const partitions = Number(values.partitions)
  const polls = Number(values.polls)
  const maxWaitMs = Number(values['max-wait-ms'])
  const topic = values.topic ?? `fetch-session-bytes-${partitions}-${Date.now()}`
  const connection = await RawConnection.open(host, Number(portText))

  await connection.call(CREATE_TOPICS, 5, {
    topics: [{ name: topic, numPartitions: partitions, replicationFactor: 1, assignments: [], configs: [] }],
    timeoutMs: 30000,
    validateOnly: false,
  })
  // Wait until every partition has a leader and the topic id is known.
  let topicId = ''
  for (let attempt = 0; attempt < 200; attempt++) {
    const { body } = await connection.call(METADATA, 12, {
      topics: [{ name: topic, topicId: ZERO_UUID }],
      allowAutoTopicCreation: false,
      includeTopicAuthorizedOperations: false,
    })
    const meta = body.topics[0]
    if (
      meta.errorCode === 0 &&
      meta.partitions.length === partitions &&
      meta.partitions.every((p: { leaderId: number }) => p.leaderId >= 0)
    ) {
      topicId = meta.topicId
      break
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  if (topicId === '') throw new Error(`topic ${topic} got no leaders`)

  const all = Array.from({ length: partitions }, (_, partition) => ({
    partition,
    currentLeaderEpoch: -1,
    fetchOffset: 0,
    lastFetchedEpoch: -1,
    logStartOffset: -1,
    partitionMaxBytes: 1048576,
  }))
  // Kafka names leaders in Metadata before it serves them (NOT_LEADER_OR_FOLLOWER for a while): sessionless
  // fetches until every partition answers without an error, so only idle polls are measured.
  for (let attempt = 0; ; attempt++) {
    const { body } = await connection.call(FETCH, FETCH_VERSION, {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 52428800,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [{ topicId, partitions: all }],
      forgottenTopicsData: [],
      rackId: '',
    })
    const errors = body.responses
      .flatMap((t: FetchedTopic) => t.partitions)
      .filter((p: FetchedPartition) => p.errorCode !== 0)
    if (errors.length === 0) break
    if (attempt === 600) throw new Error(`${errors.length} partitions still fail to fetch`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  let sessionId = 0
  let epoch = 0
  const perPoll: number[] = []
  let fullFetches = 0
  // The first poll opens the session (it is the same for every broker); the idle ones after it count.
  for (let poll = 0; poll <= polls; poll++) {
    const full = epoch === 0
    if (full) fullFetches++
    const { body, frameBytes } = await connection.call(FETCH, FETCH_VERSION, {
      replicaId: -1,
      maxWaitMs,
      minBytes: 1,
      maxBytes: 52428800,
      isolationLevel: 0,
      sessionId,
      sessionEpoch: epoch,
      topics: full ? [{ topicId, partitions: all }] : [],
      forgottenTopicsData: [],
      rackId: '',
    })
    if (body.errorCode !== 0) throw new Error(`fetch error ${body.errorCode}`)
    if (poll > 0) perPoll.push(frameBytes)
    if (body.sessionId === 0) {
      sessionId = 0
      epoch = 0
    } else {
      sessionId = body.sessionId
      epoch = full ? 1 : epoch + 1
    }
  }
  connection.close()
  const mean = perPoll.reduce((a, b) => a + b, 0) / perPoll.length
  console.log(
    JSON.stringify({
      partitions,
      polls,
      maxWaitMs,
      fullFetches: fullFetches - 1,
      bytesPerIdlePoll: Math.round(mean),
      session: sessionId !== 0,
      perPoll: process.env.FETCH_BYTES_VERBOSE ? perPoll : undefined,
    }),
  )
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
