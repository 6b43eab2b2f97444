// Compat check for @platformatic/kafka 1.x: admin-create a 3-partition topic, produce records with headers to
// explicit partitions under every codec, read them back with the client's group-free fetch() and compare.
// Usage: node platformatic-compat.mjs HOST:PORT TOPIC_PREFIX [all|produce|verify]
import { createRequire } from 'node:module'
import zlib from 'node:zlib'
import { Admin, Consumer, Producer } from '@platformatic/kafka'
import {
  CODECS as ALL_CODECS,
  compareRecords,
  expectedExplicit,
  makeRecord,
  PARTITIONS,
  parseArgs,
  RECORDS_PER_CODEC,
  runMain,
  TIMEOUT_MS,
} from './records.mjs'

const version = JSON.parse(
  (await import('node:fs')).readFileSync(
    createRequire(import.meta.url)
      .resolve('@platformatic/kafka')
      .replace(/dist\/index\.js$/, 'package.json'),
    'utf8',
  ),
).version

// The client compresses zstd with node:zlib, which has it only from Node 22.15.
const CODECS =
  typeof zlib.zstdCompressSync === 'function' ? ALL_CODECS : ALL_CODECS.filter((c) => c !== 'zstd')

async function createTopic(bootstrap, topic) {
  const admin = new Admin({ clientId: 'brook-compat', bootstrapBrokers: [bootstrap] })
  try {
    await admin.createTopics({ topics: [topic], partitions: PARTITIONS, replicas: 1 })
    const deadline = Date.now() + TIMEOUT_MS
    while (Date.now() < deadline) {
      const metadata = await admin.metadata({ topics: [topic], forceUpdate: true })
      if (metadata.topics.get(topic)?.partitionsCount === PARTITIONS) return
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
    throw new Error(`topic ${topic} not visible with ${PARTITIONS} partitions`)
  } finally {
    await admin.close()
  }
}

async function produce(bootstrap, topic) {
  // Explicit partitions: the client's send result reports one base offset per partition, not per record.
  // Idempotent, so a retried send cannot write a batch twice (seen once against Kafka without it).
  const producer = new Producer({
    clientId: 'brook-compat',
    bootstrapBrokers: [bootstrap],
    acks: -1,
    idempotent: true,
    autocreateTopics: false,
  })
  try {
    for (const codec of CODECS) {
      const messages = []
      for (let i = 0; i < RECORDS_PER_CODEC; i++) {
        const record = makeRecord(codec, i)
        messages.push({
          topic,
          partition: i % PARTITIONS,
          key: record.key,
          value: record.value,
          headers: new Map(record.headers.map(([k, v]) => [Buffer.from(k), v])),
        })
      }
      const result = await producer.send({ messages, compression: codec })
      const partitions = new Set((result.offsets ?? []).map((o) => o.partition))
      if (partitions.size !== PARTITIONS)
        throw new Error(`${codec}: produce reported partitions ${[...partitions]}`)
    }
  } finally {
    await producer.close()
  }
}

async function consume(bootstrap, topic, expected) {
  const consumer = new Consumer({
    clientId: 'brook-compat',
    groupId: `${topic}-unused`,
    bootstrapBrokers: [bootstrap],
  })
  const got = Array.from({ length: PARTITIONS }, () => [])
  try {
    const metadata = await consumer.metadata({ topics: [topic], forceUpdate: true })
    const topicMetadata = metadata.topics.get(topic)
    const deadline = Date.now() + TIMEOUT_MS
    for (let p = 0; p < PARTITIONS; p++) {
      let fetchOffset = 0n
      while (got[p].length < expected[p].length && Date.now() < deadline) {
        const response = await consumer.fetch({
          node: topicMetadata.partitions[p].leader,
          maxWaitTime: 200,
          topics: [
            {
              topicId: topicMetadata.id,
              partitions: [
                {
                  partition: p,
                  currentLeaderEpoch: -1,
                  fetchOffset,
                  lastFetchedEpoch: -1,
                  partitionMaxBytes: 1 << 20,
                },
              ],
            },
          ],
        })
        const part = response.responses[0].partitions[0]
        if (part.errorCode !== 0) throw new Error(`fetch partition ${p}: error ${part.errorCode}`)
        for (const batch of part.records ?? []) {
          for (const r of batch.records) {
            const offset = batch.firstOffset + BigInt(r.offsetDelta)
            if (offset < fetchOffset) continue
            got[p].push({ key: r.key, value: r.value, headers: r.headers.map(([k, v]) => [k.toString(), v]) })
            fetchOffset = offset + 1n
          }
        }
      }
    }
  } finally {
    await consumer.close()
  }
  compareRecords(expected, got)
}

const { bootstrap, prefix, phase } = parseArgs(process.argv)
runMain(`@platformatic/kafka ${version}`, async () => {
  const topic = `${prefix}-platformatic`
  if (phase !== 'verify') {
    await createTopic(bootstrap, topic)
    await produce(bootstrap, topic)
  }
  if (phase !== 'produce') await consume(bootstrap, topic, expectedExplicit(CODECS))
  return `${phase}: ${CODECS.length * RECORDS_PER_CODEC} records, codecs ${CODECS.join(',')}`
})
