// /metrics, /healthz and /readyz of a real `brook start` process (#11): after a known load from kafkajs
// (records produced, part of them committed by a group) the scraped counters match that load; a console
// port already in use stops the start with a clear message; --no-console opens no port.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { Kafka, logLevel } from 'kafkajs'
import { Admin, QueueConsumer } from '../../src/client/index.js'
import { BrookProcess } from './brook-process.js'

/** The value of the series `name{labels}` in Prometheus text (exact label text), or undefined. */
function sample(text: string, series: string): number | undefined {
  for (const line of text.split('\n'))
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1))
  return undefined
}

async function get(url: string): Promise<{ status: number; type: string; body: string }> {
  const response = await fetch(url)
  return {
    status: response.status,
    type: response.headers.get('content-type') ?? '',
    body: await response.text(),
  }
}

/** Scrapes until `ready(text)` holds or `timeoutMs` passes; returns the last text. */
async function scrapeUntil(url: string, ready: (text: string) => boolean, timeoutMs = 5000): Promise<string> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const { body } = await get(`${url}/metrics`)
    if (ready(body) || Date.now() > deadline) return body
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

test('#11: /metrics after a known load: records in = produced, bytes out = bytes in, lag = not committed', async () => {
  const brook = await BrookProcess.start({ args: ['--memory', '--group-initial-rebalance-delay-ms', '0'] })
  try {
    const url = await brook.consoleUrl()
    const kafka = new Kafka({ brokers: [`127.0.0.1:${brook.port}`], logLevel: logLevel.NOTHING })
    const admin = kafka.admin()
    await admin.connect()
    const topic = 'metrics-it'
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] })
    const producer = kafka.producer()
    await producer.connect()
    const perPartition = [23, 17]
    let valueBytes = 0
    let sends = 0
    for (const [partition, count] of perPartition.entries()) {
      for (let sent = 0; sent < count; sent += 5) {
        const messages = Array.from({ length: Math.min(5, count - sent) }, (_, i) => {
          const value = `record ${partition}-${sent + i} ${'x'.repeat(sent + i)}`
          valueBytes += value.length
          return { partition, value }
        })
        await producer.send({ topic, acks: -1, messages })
        sends++
      }
    }
    const produced = perPartition[0] + perPartition[1]
    await producer.disconnect()

    // The group reads everything and commits 10 of partition 0 and 4 of partition 1.
    const consumer = kafka.consumer({ groupId: 'metrics-group', maxWaitTimeInMs: 100 })
    await consumer.connect()
    await consumer.subscribe({ topic, fromBeginning: true })
    let received = 0
    const done = new Promise<void>((resolve) => {
      consumer.run({
        autoCommit: false,
        eachMessage: async () => {
          if (++received === produced) resolve()
        },
      })
    })
    await done
    const committed = [10, 4]
    await consumer.commitOffsets(
      committed.map((offset, partition) => ({ topic, partition, offset: String(offset) })),
    )
    await consumer.disconnect()
    await admin.disconnect()

    const text = await scrapeUntil(url, (t) => sample(t, 'brook_connections') === 0)
    const recordsIn = sample(text, `brook_records_in_total{topic="${topic}"}`)
    const bytesIn = sample(text, `brook_bytes_in_total{topic="${topic}"}`) ?? 0
    assert.equal(recordsIn, produced, 'records in = records produced')
    // Each record carries its value plus a few bytes of framing; each batch a 61-byte header.
    assert.ok(
      bytesIn > valueBytes + 61 * sends && bytesIn < valueBytes + 61 * sends + 20 * produced,
      `bytes in ${bytesIn}`,
    )
    // The consumer read every batch once from its first offset: out equals in.
    assert.equal(sample(text, `brook_records_out_total{topic="${topic}"}`), produced)
    assert.equal(sample(text, `brook_bytes_out_total{topic="${topic}"}`), bytesIn)
    for (const [partition, offset] of committed.entries()) {
      assert.equal(
        sample(
          text,
          `brook_consumer_group_lag{group="metrics-group",topic="${topic}",partition="${partition}"}`,
        ),
        perPartition[partition] - offset,
      )
    }
    assert.equal(sample(text, 'brook_requests_total{api="Produce",error="none"}'), sends)
    assert.ok((sample(text, 'brook_request_duration_seconds_count{api="Produce"}') ?? 0) === sends)
    assert.ok((sample(text, 'brook_requests_total{api="OffsetCommit",error="none"}') ?? 0) >= 1)
    assert.ok((sample(text, 'brook_connections_opened_total') ?? 0) >= 3)
    assert.equal(sample(text, 'brook_connections'), 0, 'every client disconnected')
    assert.ok((sample(text, 'process_resident_memory_bytes') ?? 0) > 0)
    assert.ok(/^nodejs_eventloop_lag_p99_seconds \S+$/m.test(text))

    const metrics = await get(`${url}/metrics`)
    assert.equal(metrics.status, 200)
    assert.match(metrics.type, /^text\/plain; version=0\.0\.4/)
    assert.deepEqual(await get(`${url}/healthz`), { status: 200, type: 'text/plain', body: 'ok\n' })
    assert.deepEqual(await get(`${url}/readyz`), { status: 200, type: 'text/plain', body: 'ready\n' })
    assert.equal((await get(`${url}/nothing`)).status, 404)
    assert.equal((await fetch(`${url}/metrics`, { method: 'POST' })).status, 405)
  } finally {
    await brook.cleanup()
  }
})

test('#11: fsync latency is observed on a broker that writes to disk', async () => {
  const brook = await BrookProcess.start()
  try {
    const url = await brook.consoleUrl()
    const kafka = new Kafka({ brokers: [`127.0.0.1:${brook.port}`], logLevel: logLevel.NOTHING })
    const producer = kafka.producer()
    await producer.connect()
    await producer.send({ topic: 'durable', acks: -1, messages: [{ value: 'one' }] })
    await producer.disconnect()
    const text = await scrapeUntil(url, (t) => (sample(t, 'brook_fsync_duration_seconds_count') ?? 0) > 0)
    assert.ok(
      (sample(text, 'brook_fsync_duration_seconds_count') ?? 0) > 0,
      'acks=-1 waited for an fdatasync',
    )
  } finally {
    await brook.cleanup()
  }
})

test('#11: share groups in /metrics (in flight, available, members, lag, dead letters) and /api/share-groups/<id>', async () => {
  const brook = await BrookProcess.start({ args: ['--memory'] })
  let jobs: QueueConsumer | undefined
  try {
    const url = await brook.consoleUrl()
    const kafka = new Kafka({ brokers: [`127.0.0.1:${brook.port}`], logLevel: logLevel.NOTHING })
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({
      topics: [
        { topic: 'jobs', numPartitions: 1 },
        { topic: 'jobs-dlq', numPartitions: 1 },
      ],
    })
    await admin.disconnect()
    // Dead letters are counted as they go to the group's dead-letter topic.
    const sdkAdmin = new Admin({ bootstrap: `127.0.0.1:${brook.port}` })
    await sdkAdmin.alterConfigs(
      { type: 'group', name: 'workers' },
      { 'errors.deadletterqueue.topic.name': 'jobs-dlq' },
    )
    await sdkAdmin.close()
    jobs = new QueueConsumer({ bootstrap: `127.0.0.1:${brook.port}`, groupId: 'workers', topics: ['jobs'] })
    let release!: () => void
    const held = new Promise<void>((resolve) => (release = resolve))
    let handled = 0
    const running = jobs.process(async (message) => {
      await held
      if (message.value?.toString() === 'job 0') message.reject()
      handled++
    })
    // Produced once the group fetches, so that its share-partition starts before the records.
    const series = 'brook_share_group_records_in_flight{group="workers"}'
    const joined = await scrapeUntil(url, (t) => sample(t, series) === 0, 15000)
    assert.equal(sample(joined, series), 0, 'the group has its share-partition, nothing acquired')
    const producer = kafka.producer()
    await producer.connect()
    await producer.send({
      topic: 'jobs',
      messages: Array.from({ length: 6 }, (_, i) => ({ value: `job ${i}` })),
    })
    await producer.disconnect()
    const busy = await scrapeUntil(url, (t) => sample(t, series) === 6, 15000)
    assert.equal(sample(busy, series), 6, `six records acquired, none acknowledged (handled ${handled})`)
    assert.equal(sample(busy, 'brook_share_group_members{group="workers"}'), 1)
    assert.equal(sample(busy, 'brook_share_group_records_available{group="workers"}'), 0)
    assert.equal(sample(busy, 'brook_share_group_lag{group="workers",topic="jobs",partition="0"}'), 6)
    // Brook's own view of the queue: who holds which records, and how often they were delivered.
    const view = (await (await fetch(`${url}/api/share-groups/workers`)).json()) as {
      members: number
      partitions: Array<{
        topic: string
        inFlight: number
        deliveryCounts: Record<string, number>
        runs: Array<{ firstOffset: number; lastOffset: number; state: string; memberId: string | null }>
      }>
    }
    assert.equal(view.members, 1)
    assert.equal(view.partitions[0].inFlight, 6)
    assert.deepEqual(view.partitions[0].deliveryCounts, { '1': 6 })
    assert.deepEqual(
      view.partitions[0].runs.map((r) => [r.firstOffset, r.lastOffset, r.state]),
      [[0, 5, 'ACQUIRED']],
    )
    assert.ok(view.partitions[0].runs[0].memberId !== null, 'the holder of acquired records is named')
    assert.equal((await fetch(`${url}/api/share-groups/nobody`)).status, 404)
    release()
    const idle = await scrapeUntil(
      url,
      (t) =>
        handled === 6 &&
        sample(t, series) === 0 &&
        sample(t, 'brook_share_group_dead_letters_total{group="workers",reason="rejected"}') === 1,
      15000,
    )
    assert.equal(sample(idle, series), 0, 'every record acknowledged')
    assert.equal(sample(idle, 'brook_share_group_dead_letters_total{group="workers",reason="rejected"}'), 1)
    assert.equal(sample(idle, 'brook_share_group_lag{group="workers",topic="jobs",partition="0"}'), 0)
    await jobs.close()
    await running
  } finally {
    await jobs?.close()
    await brook.cleanup()
  }
})

test('#11: a console port in use stops brook start with a clear message; --no-console opens none', async () => {
  const taken = net.createServer()
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
  const port = (taken.address() as net.AddressInfo).port
  try {
    await assert.rejects(
      BrookProcess.start({ args: ['--memory', '--console-port', String(port)] }),
      (error: Error) => {
        assert.match(error.message, new RegExp(`console port 127\\.0\\.0\\.1:${port} is already in use`))
        assert.match(error.message, /exited before listening: \{"code":2/)
        assert.doesNotMatch(error.message, /\n\s+at /, 'no stack trace')
        return true
      },
    )
  } finally {
    await new Promise((resolve) => taken.close(resolve))
  }
  // The port is free now; with --no-console brook leaves it closed.
  const brook = await BrookProcess.start({
    args: ['--memory', '--no-console', '--console-port', String(port)],
  })
  try {
    await assert.rejects(fetch(`http://127.0.0.1:${port}/healthz`))
    assert.doesNotMatch(brook.output, /metrics on/)
  } finally {
    await brook.cleanup()
  }
})

test('#9: the log cleaner in /metrics: a clean of a compacted topic is counted with the bytes it reclaimed', async () => {
  const configDir = mkdtempSync(join(tmpdir(), 'brook-cleaner-metrics-'))
  const configFile = join(configDir, 'broker.properties')
  writeFileSync(configFile, 'log.cleaner.backoff.ms=200\n')
  const brook = await BrookProcess.start({ args: ['--memory', '--config', configFile] })
  try {
    const url = await brook.consoleUrl()
    const before = await (await fetch(`${url}/metrics`)).text()
    assert.equal(sample(before, 'brook_log_cleaner_cleans_total'), 0)
    assert.equal(sample(before, 'brook_log_cleaner_last_clean_timestamp_seconds'), 0)
    const kafka = new Kafka({ brokers: [`127.0.0.1:${brook.port}`], logLevel: logLevel.NOTHING })
    const admin = kafka.admin()
    await admin.connect()
    const topic = 'compacted-metrics'
    await admin.createTopics({
      topics: [
        {
          topic,
          configEntries: [
            { name: 'cleanup.policy', value: 'compact' },
            { name: 'segment.bytes', value: '1048576' },
            { name: 'min.cleanable.dirty.ratio', value: '0.01' },
          ],
        },
      ],
    })
    await admin.disconnect()
    // 3,000 updates of 10 keys, 1 KB each: about 3 MB, so at least two closed segments of 1 MiB.
    const producer = kafka.producer()
    await producer.connect()
    const startSeconds = Date.now() / 1000
    for (let sent = 0; sent < 3000; sent += 100) {
      const messages = Array.from({ length: 100 }, (_, i) => ({
        key: `key-${(sent + i) % 10}`,
        value: `${sent + i} ${'v'.repeat(1000)}`,
      }))
      await producer.send({ topic, acks: -1, messages })
    }
    await producer.disconnect()
    const text = await scrapeUntil(
      url,
      // Cleans may start while producing (every 200 ms): wait until the closed segments are all cleaned.
      (t) => (sample(t, 'brook_log_cleaner_reclaimed_bytes_total') ?? 0) > 1_900_000,
      20_000,
    )
    assert.ok((sample(text, 'brook_log_cleaner_cleans_total') ?? 0) >= 1, 'a clean ran')
    assert.equal(sample(text, 'brook_log_cleaner_failures_total'), 0)
    const reclaimed = sample(text, 'brook_log_cleaner_reclaimed_bytes_total') ?? 0
    assert.ok(reclaimed > 1_900_000, `two closed segments of 10 live keys shrink to a few KB: ${reclaimed}`)
    assert.ok((sample(text, 'brook_log_cleaner_removed_records_total') ?? 0) > 1900)
    const recopy = sample(text, 'brook_log_cleaner_recopy_ratio') ?? -1
    assert.ok(recopy > 0 && recopy < 0.05, `the last clean kept a small part of what it read: ${recopy}`)
    const cleanedAt = sample(text, 'brook_log_cleaner_last_clean_timestamp_seconds') ?? 0
    assert.ok(cleanedAt >= startSeconds && cleanedAt <= Date.now() / 1000, `cleaned at ${cleanedAt}`)
    const duration = sample(text, 'brook_log_cleaner_last_clean_duration_seconds') ?? -1
    assert.ok(duration >= 0 && duration < 20, `clean took ${duration} s`)
    const dirty = sample(text, 'brook_log_cleaner_max_dirty_ratio') ?? -1
    assert.ok(dirty >= 0 && dirty <= 1, `max dirty ratio ${dirty}`)
    assert.equal(sample(text, 'brook_log_cleaner_throttled_seconds_total'), 0, 'unlimited by default')
  } finally {
    await brook.cleanup()
    rmSync(configDir, { recursive: true, force: true })
  }
})
