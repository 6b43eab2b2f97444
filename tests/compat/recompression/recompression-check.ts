// Topic compression.type (#9), checked on the wire against any broker: a batch produced under one codec to
// a topic whose compression.type names another is stored (and fetched) in the topic's codec, with the same
// records and offsets; `producer` keeps the producer's codec. Prints `ok ...` and exits 0, else FAIL and 1.
// Usage: node dist/tests/compat/recompression/recompression-check.js HOST:PORT [TOPIC_PREFIX]
import { connect, type Socket } from 'node:net'
import { encodeRequestFrame, Reader, responseCodec } from '../../../src/protocol/index.js'
import {
  buildRecordBatch,
  Compression,
  decodeBatch,
  isCodecAvailable,
} from '../../../src/record-batch/index.js'

const PRODUCE = 0
const FETCH = 1
const CREATE_TOPICS = 19

/** One request at a time over a plain socket. */
class RawConnection {
  #buffer = Buffer.alloc(0)
  #waiting: ((frame: Buffer) => void) | undefined
  #correlationId = 0

  constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk])
      while (this.#buffer.length >= 4 && this.#buffer.length >= 4 + this.#buffer.readInt32BE(0)) {
        const size = this.#buffer.readInt32BE(0)
        const frame = this.#buffer.subarray(0, 4 + size)
        this.#buffer = this.#buffer.subarray(4 + size)
        this.#waiting?.(frame)
      }
    })
  }

  static open(host: string, port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port }, () => resolve(new RawConnection(socket)))
      socket.once('error', reject)
    })
  }

  async call(apiKey: number, version: number, body: unknown): Promise<any> {
    const out = Buffer.concat(
      encodeRequestFrame(apiKey, version, ++this.#correlationId, 'recompression', body),
    )
    const frame = await new Promise<Buffer>((resolve) => {
      this.#waiting = resolve
      this.socket.write(out)
    })
    const codec = responseCodec(apiKey, version)!
    const reader = new Reader(frame.subarray(8))
    if (codec.flexible) reader.uvarint()
    return codec.decode(reader)
  }

  close(): void {
    this.socket.destroy()
  }
}

const codecNames = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const

interface Case {
  topicCodec: string
  producerCodec: number
  storedCodec: number
}

const cases: Case[] = [
  { topicCodec: 'lz4', producerCodec: Compression.zstd, storedCodec: Compression.lz4 },
  { topicCodec: 'zstd', producerCodec: Compression.none, storedCodec: Compression.zstd },
  { topicCodec: 'uncompressed', producerCodec: Compression.gzip, storedCodec: Compression.none },
  { topicCodec: 'gzip', producerCodec: Compression.gzip, storedCodec: Compression.gzip },
  { topicCodec: 'producer', producerCodec: Compression.zstd, storedCodec: Compression.zstd },
]

function fail(message: string): never {
  console.error(`FAIL recompression: ${message}`)
  process.exit(1)
}

async function main(): Promise<void> {
  const [bootstrap, prefix = `recompression-${Date.now()}`] = process.argv.slice(2)
  if (bootstrap === undefined) fail('usage: recompression-check.js HOST:PORT [TOPIC_PREFIX]')
  const [host, port] = bootstrap.split(':')
  const connection = await RawConnection.open(host, Number(port))
  const lines: string[] = []
  for (const c of cases) {
    if (!isCodecAvailable(c.producerCodec) || !isCodecAvailable(c.storedCodec)) fail('codec packages missing')
    const topic = `${prefix}-${c.topicCodec}`
    const created = await connection.call(CREATE_TOPICS, 5, {
      topics: [
        {
          name: topic,
          numPartitions: 1,
          replicationFactor: 1,
          assignments: [],
          configs: [{ name: 'compression.type', value: c.topicCodec }],
        },
      ],
      timeoutMs: 30000,
      validateOnly: false,
    })
    if (created.topics[0].errorCode !== 0) fail(`creating ${topic}: error ${created.topics[0].errorCode}`)
    const records = Array.from({ length: 20 }, (_, i) => ({
      key: `key-${i}`,
      value: `value-${i}-`.repeat(10),
      headers: [{ key: 'h', value: `${i}` }],
    }))
    let produced: { errorCode: number; baseOffset: number } = { errorCode: -1, baseOffset: -1 }
    for (let attempt = 0; attempt < 100; attempt++) {
      // Two produces, so the second batch shows offsets assigned after recompression.
      const answers = []
      for (let round = 0; round < 2; round++) {
        const batch = buildRecordBatch(records, { compression: c.producerCodec as 0 })
        const answer = await connection.call(PRODUCE, 9, {
          transactionalId: null,
          acks: -1,
          timeoutMs: 30000,
          topicData: [{ name: topic, partitionData: [{ index: 0, records: batch }] }],
        })
        answers.push(answer.responses[0].partitionResponses[0])
        if (answers[0].errorCode !== 0) break
      }
      produced = answers[0]
      if (produced.errorCode === 0) {
        if (answers[1].baseOffset !== produced.baseOffset + records.length)
          fail(`${topic}: second batch at ${answers[1].baseOffset}`)
        break
      }
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    if (produced.errorCode !== 0) fail(`producing to ${topic}: error ${produced.errorCode}`)
    const fetched = await connection.call(FETCH, 12, {
      replicaId: -1,
      maxWaitMs: 500,
      minBytes: 1,
      maxBytes: 1048576,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic,
          partitions: [
            {
              partition: 0,
              currentLeaderEpoch: -1,
              fetchOffset: 0,
              lastFetchedEpoch: -1,
              logStartOffset: -1,
              partitionMaxBytes: 1048576,
            },
          ],
        },
      ],
      forgottenTopicsData: [],
      rackId: '',
    })
    const partition = fetched.responses[0].partitions[0]
    if (partition.errorCode !== 0) fail(`fetching ${topic}: error ${partition.errorCode}`)
    const bytes: Buffer = partition.records
    let at = 0
    let next = 0
    while (at + 12 <= bytes.length) {
      const size = bytes.readInt32BE(at + 8) + 12
      if (at + size > bytes.length) break
      const decoded = decodeBatch(bytes.subarray(at, at + size))
      if (decoded.codec !== c.storedCodec)
        fail(
          `${topic}: a ${codecNames[c.producerCodec]} batch is stored as ${codecNames[decoded.codec]}, expected ${codecNames[c.storedCodec]}`,
        )
      if (decoded.header.baseOffset !== next)
        fail(`${topic}: batch at ${decoded.header.baseOffset}, expected ${next}`)
      decoded.records.forEach((r, i) => {
        const want = records[i]
        if (r.offset !== next + i || r.key?.toString() !== want.key || r.value?.toString() !== want.value)
          fail(`${topic}: record ${next + i} differs`)
        if (r.headers.length !== 1 || r.headers[0].value?.toString() !== want.headers[0].value)
          fail(`${topic}: headers of record ${next + i} differ`)
      })
      next += decoded.records.length
      at += size
    }
    if (next !== 2 * records.length) fail(`${topic}: fetched ${next} records, expected ${2 * records.length}`)
    lines.push(`${codecNames[c.producerCodec]} on ${c.topicCodec} -> ${codecNames[c.storedCodec]}`)
  }
  connection.close()
  console.log(`ok recompression: ${lines.join('; ')}`)
}

main().catch((error) => fail(String(error?.stack ?? error)))
