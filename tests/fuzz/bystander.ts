// The bystander: a well-behaved client in a worker thread (so the fuzzer's own work cannot delay it) that
// produces one record and fetches it back every interval, and reports each latency and any request still
// unanswered after the freeze bound. A broker whose event loop stalls shows up here first.
import { parentPort, workerData } from 'node:worker_threads'
import { judgeWait, mainThreadRunMs } from './freeze-judge.js'
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
  /** The broker's process id: how long its main thread ran during a wait decides a freeze (freeze-judge.ts). */
  brokerPid: number
}

/** Messages the worker posts. */
export type BystanderMessage =
  | { type: 'sample'; produceMs: number; fetchMs: number; selfLagMs: number; offset: number }
  | { type: 'freeze'; op: string; ageMs: number; brokerRanMs: number | undefined; selfLagMs: number }
  /** A wait over the bound during which the broker mostly did not run; sent when it ends. */
  | { type: 'slow'; op: string; ageMs: number; brokerRanMs: number | undefined }
  | { type: 'hang'; op: string; ageMs: number }
  | { type: 'error'; message: string }
  | { type: 'stopped'; rounds: number }

const data = workerData as BystanderData
const post = (message: BystanderMessage) => parentPort!.postMessage(message)

let stopping = false
interface Pending {
  op: string
  sinceMs: number
  /** The broker main thread's run time when the request was sent. */
  brokerRunMs: number | undefined
  reported: boolean
  slow: boolean
  hangReported: boolean
}
let current: Pending | undefined
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
    const wait = waitOf(current, now)
    const verdict = judgeWait(wait, data.freezeMs)
    if (verdict === 'freeze') {
      current.reported = true
      post({ type: 'freeze', op: current.op, ...wait, selfLagMs })
    } else if (verdict === 'slow') {
      current.slow = true
    }
  }
  if (current !== undefined && !current.hangReported && now - current.sinceMs > data.hangMs) {
    current.hangReported = true
    post({ type: 'hang', op: current.op, ageMs: Math.round(now - current.sinceMs) })
  }
}, 50)

function waitOf(pending: Pending, now: number): { ageMs: number; brokerRanMs: number | undefined } {
  const runMs = mainThreadRunMs(data.brokerPid)
  return {
    ageMs: Math.round(now - pending.sinceMs),
    brokerRanMs:
      runMs === undefined || pending.brokerRunMs === undefined
        ? undefined
        : Math.round(runMs - pending.brokerRunMs),
  }
}

async function timed<T>(op: string, body: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const sinceMs = performance.now()
  const pending: Pending = {
    op,
    sinceMs,
    brokerRunMs: mainThreadRunMs(data.brokerPid),
    reported: false,
    slow: false,
    hangReported: false,
  }
  current = pending
  try {
    const value = await body()
    return { value, ms: performance.now() - sinceMs }
  } finally {
    current = undefined
    if (pending.slow && !pending.reported) post({ type: 'slow', op, ...waitOf(pending, performance.now()) })
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
