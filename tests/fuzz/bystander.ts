// The bystander: a well-behaved client in a worker thread (so the fuzzer's own work cannot delay it) that
// produces one record and fetches it back every interval, and reports each latency and any request still
// unanswered after the freeze bound. A broker whose event loop stalls shows up here first.
import { parentPort, workerData } from 'node:worker_threads'
import { ApiKey, ErrorCode } from '../../src/protocol/index.js'
import { decodeBatch, iterateBatches, buildRecordBatch } from '../../src/record-batch/index.js'
import { RawKafkaClient } from '../integration/raw-kafka-client.js'

/** Settings passed to the worker. */
export interface BystanderData {
  port: number
  topic: string
  intervalMs: number
  freezeMs: number
  /** A request unanswered this long is a hang, however idle the broker is. */
  hangMs: number
}

/** Messages the worker posts. */
export type BystanderMessage =
  | { type: 'sample'; produceMs: number; fetchMs: number; selfLagMs: number; offset: number }
  | { type: 'freeze'; op: string; ageMs: number; selfLagMs: number }
  | { type: 'hang'; op: string; ageMs: number }
  | { type: 'error'; message: string }
  | { type: 'stopped'; rounds: number }

const data = workerData as BystanderData
const post = (message: BystanderMessage) => parentPort!.postMessage(message)

let stopping = false
let current: { op: string; sinceMs: number; reported: boolean; hangReported: boolean } | undefined
let lastTickMs = performance.now()
let selfLagMs = 0

parentPort!.on('message', (message) => {
  if (message === 'stop') stopping = true
})

// Watchdog: a request older than the bound is reported while it is still pending, not only once it ends.
const watchdog = setInterval(() => {
  const now = performance.now()
  selfLagMs = Math.max(selfLagMs, now - lastTickMs - 50)
  lastTickMs = now
  if (current !== undefined && !current.reported && now - current.sinceMs > data.freezeMs) {
    current.reported = true
    post({ type: 'freeze', op: current.op, ageMs: Math.round(now - current.sinceMs), selfLagMs })
  }
  if (current !== undefined && !current.hangReported && now - current.sinceMs > data.hangMs) {
    current.hangReported = true
    post({ type: 'hang', op: current.op, ageMs: Math.round(now - current.sinceMs) })
  }
}, 50)

async function timed<T>(op: string, body: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const sinceMs = performance.now()
  current = { op, sinceMs, reported: false, hangReported: false }
  try {
    const value = await body()
    return { value, ms: performance.now() - sinceMs }
  } finally {
    current = undefined
  }
}

async function run(): Promise<void> {
  const client = await RawKafkaClient.connect(data.port)
  let rounds = 0
  try {
    while (!stopping) {
      const started = performance.now()
      const value = `bystander-${rounds}`
      const batch = buildRecordBatch([{ key: 'b', value }])
      selfLagMs = 0
      const produced = await timed('produce', () =>
        client.request(ApiKey.Produce, 9, {
          transactionalId: null,
          acks: 1,
          timeoutMs: 5000,
          topicData: [{ name: data.topic, partitionData: [{ index: 0, records: batch }] }],
        }),
      )
      const answer = produced.value.responses[0].partitionResponses[0]
      if (answer.errorCode !== ErrorCode.NONE) throw new Error(`produce answered error ${answer.errorCode}`)
      const offset: number = answer.baseOffset
      const fetched = await timed('fetch', () =>
        client.request(ApiKey.Fetch, 12, {
          replicaId: -1,
          maxWaitMs: 500,
          minBytes: 1,
          maxBytes: 1048576,
          isolationLevel: 0,
          sessionId: 0,
          sessionEpoch: -1,
          topics: [
            {
              topic: data.topic,
              partitions: [
                { partition: 0, fetchOffset: offset, logStartOffset: -1, partitionMaxBytes: 1048576 },
              ],
            },
          ],
          forgottenTopicsData: [],
          rackId: '',
        }),
      )
      const partition = fetched.value.responses[0].partitions[0]
      if (partition.errorCode !== ErrorCode.NONE)
        throw new Error(`fetch answered error ${partition.errorCode}`)
      let seen: string | undefined
      if (partition.records !== null) {
        for (const slice of iterateBatches(partition.records)) {
          for (const record of decodeBatch(Buffer.from(slice.bytes)).records) {
            if (record.offset === offset) seen = record.value?.toString('utf8')
          }
        }
      }
      if (seen !== value)
        throw new Error(`fetch at offset ${offset} returned ${seen ?? 'nothing'}, not ${value}`)
      post({ type: 'sample', produceMs: produced.ms, fetchMs: fetched.ms, selfLagMs, offset })
      rounds++
      const rest = data.intervalMs - (performance.now() - started)
      if (rest > 0) await new Promise((resolve) => setTimeout(resolve, rest))
    }
  } finally {
    await client.close()
  }
  post({ type: 'stopped', rounds })
}

run()
  .catch((error: Error) => post({ type: 'error', message: error.message }))
  .finally(() => clearInterval(watchdog))
