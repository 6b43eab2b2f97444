// Node client load for the Brook-beside-Kafka bench: produces N records of a fixed size with kafkajs,
// @platformatic/kafka or Brook's SDK (bounded in-flight batches, acks=1), then consumes them back with a
// consumer group. Usage: node dist/bench/node-client-load.js --client kafkajs|platformatic|sdk --bootstrap HOST:PORT --topic T
//        [--records N] [--record-bytes B] [--batch-records R] [--in-flight K] [--partitions P]; prints JSON.
import { parseArgs } from 'node:util'
import { Consumer, MessagesStreamModes, Producer } from '@platformatic/kafka'
import { Kafka, logLevel, Partitioners } from 'kafkajs'
import { Consumer as SdkConsumer, Producer as SdkProducer } from '../src/index.js'

/** Result line: produce and consume rates, in records/s and MB/s (10^6 bytes). */
export interface NodeClientLoadResult {
  client: string
  records: number
  produceRecordsPerSec: number
  produceMbPerSec: number
  /** From the first record received to the last; group join time is reported apart. */
  consumeRecordsPerSec: number
  consumeMbPerSec: number
  consumeJoinMs: number
  /** CPU time (user + system, all threads) of this process from the consumer's start to the last record, per record. */
  consumeCpuUsPerRecord: number
}

interface Options {
  client: 'kafkajs' | 'platformatic' | 'sdk'
  bootstrap: string
  topic: string
  records: number
  recordBytes: number
  batchRecords: number
  inFlight: number
  timeoutMs: number
  partitions: number
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      client: { type: 'string' },
      bootstrap: { type: 'string' },
      topic: { type: 'string' },
      records: { type: 'string', default: '50000' },
      'record-bytes': { type: 'string', default: '1024' },
      'batch-records': { type: 'string', default: '100' },
      'in-flight': { type: 'string', default: '8' },
      'timeout-ms': { type: 'string', default: '120000' },
      partitions: { type: 'string', default: '16' },
    },
  })
  if (values.client !== 'kafkajs' && values.client !== 'platformatic' && values.client !== 'sdk')
    throw new Error('--client is kafkajs, platformatic or sdk')
  if (values.bootstrap === undefined || values.topic === undefined)
    throw new Error('--bootstrap and --topic are required')
  return {
    client: values.client,
    bootstrap: values.bootstrap,
    topic: values.topic,
    records: Number(values.records),
    recordBytes: Number(values['record-bytes']),
    batchRecords: Number(values['batch-records']),
    inFlight: Number(values['in-flight']),
    timeoutMs: Number(values['timeout-ms']),
    partitions: Number(values.partitions),
  }
}

/** Sends `records` in batches via `sendBatch`, keeping at most `inFlight` batches unacknowledged. */
async function produceBounded(
  options: Options,
  sendBatch: (count: number) => Promise<unknown>,
): Promise<number> {
  const startMs = performance.now()
  const pending = new Set<Promise<unknown>>()
  for (let sent = 0; sent < options.records; ) {
    const count = Math.min(options.batchRecords, options.records - sent)
    sent += count
    const p: Promise<unknown> = sendBatch(count).finally(() => pending.delete(p))
    pending.add(p)
    if (pending.size >= options.inFlight) await Promise.race(pending)
  }
  await Promise.all(pending)
  return performance.now() - startMs
}

async function runKafkajs(options: Options, value: Buffer): Promise<NodeClientLoadResult> {
  const kafka = new Kafka({
    clientId: 'brook-bench',
    brokers: [options.bootstrap],
    logLevel: logLevel.NOTHING,
  })
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner })
  await producer.connect()
  const messages = Array.from({ length: options.batchRecords }, () => ({ value }))
  const produceMs = await produceBounded(options, (count) =>
    producer.send({ topic: options.topic, acks: 1, messages: messages.slice(0, count) }),
  )
  await producer.disconnect()

  const cpuStart = process.cpuUsage()
  const consumer = kafka.consumer({ groupId: `${options.topic}-bench`, maxBytes: 16 << 20 })
  await consumer.connect()
  await consumer.subscribe({ topic: options.topic, fromBeginning: true })
  const joinStartMs = performance.now()
  let firstMs = 0
  let received = 0
  const done = new Promise<number>((resolve) => {
    void consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        if (received === 0) firstMs = performance.now()
        received += batch.messages.length
        if (received >= options.records) resolve(performance.now())
      },
    })
  })
  const endMs = await withTimeout(done, options.timeoutMs, () => `kafkajs consumed ${received}`)
  const cpu = process.cpuUsage(cpuStart)
  await consumer.disconnect()
  return result(options, produceMs, firstMs - joinStartMs, endMs - firstMs, cpu)
}

async function runPlatformatic(options: Options, value: Buffer): Promise<NodeClientLoadResult> {
  const producer = new Producer({
    clientId: 'brook-bench',
    bootstrapBrokers: [options.bootstrap],
    acks: 1,
    autocreateTopics: false,
  })
  let next = 0
  const produceMs = await produceBounded(options, (count) => {
    // Explicit round-robin partitions keep the load spread like the Java producer's sticky batches.
    const messages = Array.from({ length: count }, () => ({
      topic: options.topic,
      value,
      partition: next++ % options.partitions,
    }))
    return producer.send({ messages })
  })
  await producer.close()

  const cpuStart = process.cpuUsage()
  const consumer = new Consumer({
    clientId: 'brook-bench',
    groupId: `${options.topic}-bench`,
    bootstrapBrokers: [options.bootstrap],
    maxBytes: 16 << 20,
  })
  const joinStartMs = performance.now()
  const stream = await consumer.consume({
    topics: [options.topic],
    mode: MessagesStreamModes.EARLIEST,
    autocommit: false,
  })
  let firstMs = 0
  let received = 0
  const done = new Promise<number>((resolve) => {
    stream.on('data', () => {
      if (received === 0) firstMs = performance.now()
      received++
      if (received === options.records) resolve(performance.now())
    })
  })
  const endMs = await withTimeout(done, options.timeoutMs, () => `platformatic consumed ${received}`)
  const cpu = process.cpuUsage(cpuStart)
  await stream.close()
  await consumer.close(true)
  return result(options, produceMs, firstMs - joinStartMs, endMs - firstMs, cpu)
}

async function runSdk(options: Options, value: Buffer): Promise<NodeClientLoadResult> {
  // acks=1 like the other loads, so not idempotent (that needs acks 'all').
  const producer = new SdkProducer({
    bootstrap: options.bootstrap,
    acks: 1,
    idempotent: false,
    autoCreateTopics: false,
  })
  let next = 0
  const produceMs = await produceBounded(options, (count) =>
    Promise.all(
      Array.from({ length: count }, () =>
        producer.send({ topic: options.topic, value, partition: next++ % options.partitions }),
      ),
    ),
  )
  await producer.close()

  const joinStartMs = performance.now()
  const cpuStart = process.cpuUsage()
  const consumer = new SdkConsumer({
    bootstrap: options.bootstrap,
    groupId: `${options.topic}-bench`,
    topics: [options.topic],
    fromBeginning: true,
    autoCommit: false,
    fetchBytesMax: 16 << 20,
  })
  let firstMs = 0
  let received = 0
  const done = (async () => {
    for await (const _ of consumer) {
      if (received === 0) firstMs = performance.now()
      received++
      if (received === options.records) return performance.now()
    }
    return performance.now()
  })()
  const endMs = await withTimeout(done, options.timeoutMs, () => `sdk consumed ${received}`)
  const cpu = process.cpuUsage(cpuStart)
  await consumer.close()
  return result(options, produceMs, firstMs - joinStartMs, endMs - firstMs, cpu)
}

function result(
  options: Options,
  produceMs: number,
  joinMs: number,
  consumeMs: number,
  consumeCpu: NodeJS.CpuUsage,
): NodeClientLoadResult {
  const mb = (options.records * options.recordBytes) / 1e6
  return {
    client: options.client,
    records: options.records,
    produceRecordsPerSec: options.records / (produceMs / 1000),
    produceMbPerSec: mb / (produceMs / 1000),
    consumeRecordsPerSec: options.records / (Math.max(consumeMs, 1) / 1000),
    consumeMbPerSec: mb / (Math.max(consumeMs, 1) / 1000),
    consumeJoinMs: Math.round(joinMs),
    consumeCpuUsPerRecord: (consumeCpu.user + consumeCpu.system) / options.records,
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string | (() => string)): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`timed out: ${typeof what === 'function' ? what() : what}`)),
      ms,
    )
    promise.then(
      (v) => {
        clearTimeout(timer)
        resolve(v)
      },
      (e) => {
        clearTimeout(timer)
        reject(e)
      },
    )
  })
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2))
  const value = Buffer.alloc(options.recordBytes, 0x61)
  const outcome =
    options.client === 'kafkajs'
      ? await runKafkajs(options, value)
      : options.client === 'sdk'
        ? await runSdk(options, value)
        : await runPlatformatic(options, value)
  process.stdout.write(`${JSON.stringify(outcome)}\n`)
  process.exit(0)
}

main().catch((error) => {
  process.stderr.write(
    `node-client-load: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  )
  process.exit(1)
})
