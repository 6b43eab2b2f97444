// Compat check for kafkajs 2.2.4: admin-create a 3-partition topic, produce keyed records with headers under every
// codec (snappy, lz4 and zstd through codecs built on the project's own compression packages), read back by
// explicit partition and offset (no group) and compare. Usage: node kafkajs-compat.mjs HOST:PORT PREFIX [phase]
import { createRequire } from 'node:module'
import { compressFrameSync, decompressFrameSync } from 'lz4-napi'
import { compressSync as snappyCompress, uncompressSync as snappyUncompress } from 'snappy'
import * as zstd from 'zstd-napi'
import {
  CODECS,
  compareRecords,
  expectedExplicit,
  makeRecord,
  PARTITIONS,
  parseArgs,
  RECORDS_PER_CODEC,
  runMain,
  TIMEOUT_MS,
} from './records.mjs'

const require = createRequire(import.meta.url)
const { CompressionCodecs, CompressionTypes, Kafka, logLevel, Partitioners } = require('kafkajs')
const kafkajsVersion = require('kafkajs/package.json').version

// kafkajs ships only gzip; the others are plug-ins with this shape.
CompressionCodecs[CompressionTypes.Snappy] = () => ({
  compress: async (encoder) => snappyCompress(encoder.buffer),
  decompress: async (buffer) => unwrapXerial(buffer),
})
CompressionCodecs[CompressionTypes.LZ4] = () => ({
  compress: async (encoder) => compressFrameSync(encoder.buffer),
  decompress: async (buffer) => decompressFrameSync(buffer),
})
CompressionCodecs[CompressionTypes.ZSTD] = () => ({
  compress: async (encoder) => zstd.compress(encoder.buffer),
  decompress: async (buffer) => zstd.decompress(buffer),
})

// Java clients frame snappy the xerial way: a 16-byte header, then (length, raw block) pairs.
function unwrapXerial(buffer) {
  const magic = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00])
  if (buffer.length < 16 || !buffer.subarray(0, 8).equals(magic)) return snappyUncompress(buffer)
  const parts = []
  for (let at = 16; at < buffer.length; ) {
    const length = buffer.readInt32BE(at)
    parts.push(snappyUncompress(buffer.subarray(at + 4, at + 4 + length)))
    at += 4 + length
  }
  return Buffer.concat(parts)
}

const codecTypes = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
  snappy: CompressionTypes.Snappy,
  lz4: CompressionTypes.LZ4,
  zstd: CompressionTypes.ZSTD,
}

async function createTopic(kafka, topic) {
  const admin = kafka.admin()
  await admin.connect()
  try {
    await admin.createTopics({
      topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }],
      waitForLeaders: true,
      timeout: TIMEOUT_MS,
    })
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] })
    if (topics[0]?.partitions.length !== PARTITIONS)
      throw new Error(`topic ${topic} has ${topics[0]?.partitions.length} partitions, expected ${PARTITIONS}`)
    return topics[0].partitions
  } finally {
    await admin.disconnect()
  }
}

async function produce(kafka, topic, explicitPartitions, partitionMetadata) {
  const expected = Array.from({ length: PARTITIONS }, () => [])
  // kafkajs's default partitioner (murmur2, as in Java) tells where a keyed record must land.
  const partitioner = Partitioners.DefaultPartitioner()
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
    maxInFlightRequests: 1,
  })
  await producer.connect()
  try {
    for (const codec of CODECS) {
      const messages = []
      for (let i = 0; i < RECORDS_PER_CODEC; i++) {
        const record = makeRecord(codec, i)
        const message = { key: record.key, value: record.value, headers: Object.fromEntries(record.headers) }
        const partition = explicitPartitions
          ? i % PARTITIONS
          : partitioner({ topic, partitionMetadata, message })
        if (explicitPartitions) message.partition = partition
        messages.push(message)
        expected[partition].push(record)
      }
      const results = await producer.send({
        topic,
        messages,
        acks: -1,
        compression: codecTypes[codec],
        timeout: TIMEOUT_MS,
      })
      for (const result of results) {
        if (result.errorCode !== 0)
          throw new Error(
            `${codec}: produce to partition ${result.partition} failed with error ${result.errorCode}`,
          )
      }
    }
  } finally {
    await producer.disconnect()
  }
  return expected
}

async function consume(kafka, topic, expected) {
  // kafkajs has no assign(): its consumer always joins a group. To read without one this uses the cluster and
  // broker objects kafkajs itself consumes through, so the Fetch requests and record decoding are kafkajs's own.
  const createCluster =
    kafka[Object.getOwnPropertySymbols(kafka).find((s) => s.description === 'private:Kafka:createCluster')]
  const cluster = createCluster({ allowAutoTopicCreation: false })
  await cluster.connect()
  const got = Array.from({ length: PARTITIONS }, () => [])
  try {
    await cluster.addTargetTopic(topic)
    await cluster.refreshMetadata()
    const deadline = Date.now() + TIMEOUT_MS
    for (const meta of cluster.findTopicPartitionMetadata(topic)) {
      const p = meta.partitionId
      const broker = await cluster.findBroker({ nodeId: meta.leader })
      let fetchOffset = 0n
      while (got[p].length < expected[p].length && Date.now() < deadline) {
        const response = await broker.fetch({
          replicaId: -1,
          isolationLevel: 1,
          maxWaitTime: 200,
          minBytes: 1,
          maxBytes: 1 << 20,
          topics: [
            { topic, partitions: [{ partition: p, fetchOffset: fetchOffset.toString(), maxBytes: 1 << 20 }] },
          ],
        })
        const part = response.responses[0].partitions[0]
        if (part.errorCode !== 0) throw new Error(`fetch partition ${p}: error ${part.errorCode}`)
        for (const m of part.messages) {
          if (BigInt(m.offset) < fetchOffset) continue
          const headers = Object.entries(m.headers ?? {}).flatMap(([k, v]) =>
            Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]],
          )
          got[p].push({ key: m.key, value: m.value, headers })
          fetchOffset = BigInt(m.offset) + 1n
        }
      }
    }
  } finally {
    await cluster.disconnect()
  }
  compareRecords(expected, got)
}

const { bootstrap, prefix, phase } = parseArgs(process.argv)
runMain(`kafkajs ${kafkajsVersion}`, async () => {
  const kafka = new Kafka({
    clientId: 'brook-compat',
    brokers: [bootstrap],
    logLevel: logLevel.ERROR,
    retry: { retries: 5 },
  })
  const topic = `${prefix}-kafkajs`
  if (phase === 'verify') {
    await consume(kafka, topic, expectedExplicit())
  } else {
    const partitionMetadata = await createTopic(kafka, topic)
    const expected = await produce(kafka, topic, phase === 'produce', partitionMetadata)
    if (phase === 'all') await consume(kafka, topic, expected)
  }
  return `${phase}: ${CODECS.length * RECORDS_PER_CODEC} records, codecs ${CODECS.join(',')}`
})
