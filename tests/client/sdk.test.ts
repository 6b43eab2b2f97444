// The SDK suite: Producer, Consumer and Admin against an in-process Brook, or against Apache Kafka when
// BROOK_SDK_KAFKA_BOOTSTRAP names one (see target.ts). Every test uses its own topics and groups.
import { deepEqual, equal, ok, rejects, throws } from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { after, before, describe, test } from 'node:test'
import {
  Admin,
  ClientError,
  ClosedError,
  ConnectionError,
  Consumer,
  KafkaError,
  type Message,
  Producer,
  partitionForKey,
  pipeline,
  serializers,
} from '../../src/index.js'
import { TcpTransport } from '../../src/io/index.js'
import type { Connection, Transport } from '../../src/index.js'
import { type Target, startTarget, uniqueName } from './target.js'

let target: Target
let admin: Admin

before(async () => {
  target = await startTarget()
  admin = new Admin({ bootstrap: target.bootstrap })
})

after(async () => {
  await admin.close()
  await target.close()
})

/** Reads from `consumer` until `count` messages arrived or `timeoutMs` passed. */
async function take<K, V>(
  consumer: Consumer<K, V>,
  count: number,
  timeoutMs = 20_000,
): Promise<Message<K, V>[]> {
  const out: Message<K, V>[] = []
  if (count === 0) return out
  const timer = setTimeout(() => void consumer.close(), timeoutMs)
  try {
    for await (const message of consumer) {
      out.push(message)
      if (out.length >= count) break
    }
  } finally {
    clearTimeout(timer)
  }
  return out
}

describe('producer and consumer', () => {
  test('the seed flow: a JSON record sent to a topic arrives at a consumer in a group', async () => {
    const topic = uniqueName('my_topic')
    const producer = new Producer({
      bootstrap: target.bootstrap,
      valueSerializer: serializers.json<{ hello: string }>(),
    })
    const sent = await producer.send({ topic, value: { hello: 'world' } })
    equal(sent.topic, topic)
    equal(sent.offset, 0)
    await producer.close()

    const consumer = new Consumer({
      bootstrap: target.bootstrap,
      groupId: uniqueName('my-group'),
      topics: [topic],
      fromBeginning: true,
      valueDeserializer: serializers.json<{ hello: string }>(),
    })
    const [message] = await take(consumer, 1)
    await consumer.close()
    deepEqual(message.value, { hello: 'world' })
    equal(message.topic, topic)
    equal(message.offset, 0)
  })

  test('keys, headers, timestamps and every codec survive the round trip; keyed records go where Java puts them', async () => {
    const topic = uniqueName('roundtrip')
    await admin.createTopics([{ topic, numPartitions: 3 }])
    const codecs = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const
    const expected = new Map<string, { partition: number; codec: string }>()
    for (const compression of codecs) {
      const producer = new Producer({
        bootstrap: target.bootstrap,
        compression,
        keySerializer: serializers.string,
        valueSerializer: serializers.string,
      })
      const sends = []
      for (let i = 0; i < 20; i++) {
        const key = `${compression}-${i}`
        sends.push(
          producer.send({
            topic,
            key,
            value: `value ${key}`,
            headers: { codec: compression, n: Buffer.from([i]) },
            timestamp: 1_700_000_000_000 + i,
          }),
        )
        expected.set(key, { partition: partitionForKey(Buffer.from(key), 3), codec: compression })
      }
      const results = await Promise.all(sends)
      for (let i = 0; i < results.length; i++)
        equal(results[i].partition, expected.get(`${compression}-${i}`)?.partition)
      await producer.close()
    }
    const consumer = new Consumer({
      bootstrap: target.bootstrap,
      topics: [topic],
      fromBeginning: true,
      keyDeserializer: serializers.string,
      valueDeserializer: serializers.string,
    })
    const messages = await take(consumer, expected.size)
    await consumer.close()
    equal(messages.length, expected.size)
    for (const m of messages) {
      const want = expected.get(m.key as string)
      ok(want, `unexpected key ${m.key}`)
      equal(m.partition, want.partition)
      equal(m.value, `value ${m.key}`)
      equal(m.headers[0].key, 'codec')
      equal(m.headers[0].value?.toString(), want.codec)
      equal(m.timestamp, 1_700_000_000_000 + Number((m.key as string).split('-')[1]))
    }
  })

  test('consumers in one group split a 6-partition topic with every record delivered once; a second group gets everything', async () => {
    const topic = uniqueName('split')
    await admin.createTopics([{ topic, numPartitions: 6 }])
    const groupId = uniqueName('split-group')
    const consumers = [0, 1].map(
      () =>
        new Consumer({
          bootstrap: target.bootstrap,
          groupId,
          topics: [topic],
          fromBeginning: true,
          valueDeserializer: serializers.json<number>(),
        }),
    )
    await Promise.all(consumers.map((c) => c.start()))
    // Wait until the group settled: both members own partitions and together all six.
    for (let i = 0; i < 300; i++) {
      const owned = consumers.map((c) => c.assignment().length)
      if (owned[0] > 0 && owned[1] > 0 && owned[0] + owned[1] === 6) break
      await new Promise((r) => setTimeout(r, 100))
    }
    const assignments = consumers.map((c) => new Set(c.assignment().map((tp) => tp.partition)))
    equal(assignments[0].size + assignments[1].size, 6)

    const producer = new Producer({
      bootstrap: target.bootstrap,
      valueSerializer: serializers.json<number>(),
    })
    await Promise.all(
      Array.from({ length: 600 }, (_, i) => producer.send({ topic, value: i, key: Buffer.from(`k${i}`) })),
    )
    await producer.close()

    const seen = new Map<number, number>()
    let stop: () => void = () => undefined
    const allSeen = new Promise<void>((resolve) => (stop = resolve))
    const runs = consumers.map(async (consumer, index) => {
      for await (const message of consumer) {
        ok(assignments[index].has(message.partition), `consumer ${index} got partition ${message.partition}`)
        seen.set(message.value, (seen.get(message.value) ?? 0) + 1)
        if (seen.size === 600) stop()
      }
    })
    const timeout = setTimeout(stop, 30_000)
    await allSeen
    clearTimeout(timeout)
    await Promise.all(consumers.map((c) => c.close()))
    await Promise.all(runs)
    equal(seen.size, 600)
    ok(
      [...seen.values()].every((n) => n === 1),
      'no record delivered twice in a stable group',
    )

    const other = new Consumer({
      bootstrap: target.bootstrap,
      groupId: uniqueName('other-group'),
      topics: [topic],
      fromBeginning: true,
      valueDeserializer: serializers.json<number>(),
    })
    const all = await take(other, 600)
    await other.close()
    equal(new Set(all.map((m) => m.value)).size, 600)
  })

  test('commits after processing: a consumer closed mid-way is followed by one starting after the last processed record', async () => {
    const topic = uniqueName('commits')
    const groupId = uniqueName('commit-group')
    const producer = new Producer({ bootstrap: target.bootstrap, valueSerializer: serializers.string })
    for (let i = 0; i < 10; i++) await producer.send({ topic, value: `m${i}` })
    await producer.close()

    const first = new Consumer({
      bootstrap: target.bootstrap,
      groupId,
      topics: [topic],
      fromBeginning: true,
      valueDeserializer: serializers.string,
    })
    const firstMessages = await take(first, 4)
    await first.close()
    deepEqual(
      firstMessages.map((m) => m.value),
      ['m0', 'm1', 'm2', 'm3'],
    )

    // The loop broke while holding m3: it was not marked processed, so it comes again (at-least-once).
    const second = new Consumer({
      bootstrap: target.bootstrap,
      groupId,
      topics: [topic],
      fromBeginning: true,
      valueDeserializer: serializers.string,
    })
    const rest = await take(second, 7)
    await second.close()
    deepEqual(
      rest.map((m) => m.value),
      ['m3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9'],
    )

    const lag = await admin.groupOffsets(groupId, { topics: [topic] })
    deepEqual(
      lag.map((l) => [l.partition, l.endOffset]),
      [[0, 10]],
    )
  })

  test('explicit commit, seek, pause and resume', async () => {
    const topic = uniqueName('seek')
    const groupId = uniqueName('seek-group')
    const producer = new Producer({ bootstrap: target.bootstrap, valueSerializer: serializers.string })
    for (let i = 0; i < 6; i++) await producer.send({ topic, value: `m${i}` })
    await producer.close()

    const consumer = new Consumer({
      bootstrap: target.bootstrap,
      groupId,
      topics: [topic],
      fromBeginning: true,
      autoCommit: false,
      valueDeserializer: serializers.string,
    })
    const values: string[] = []
    let sought = false
    for await (const message of consumer) {
      values.push(message.value as string)
      if (message.offset === 2 && !sought) {
        sought = true
        await consumer.commit(message)
        consumer.seek(topic, 0, 0)
        consumer.pause([{ topic, partition: 0 }])
        deepEqual(consumer.paused(), [{ topic, partition: 0 }])
        setTimeout(() => consumer.resume([{ topic, partition: 0 }]), 200)
      }
      if (values.length === 9) break
    }
    await consumer.close()
    deepEqual(values, ['m0', 'm1', 'm2', 'm0', 'm1', 'm2', 'm3', 'm4', 'm5'])
    const offsets = await admin.groupOffsets(groupId, { topics: [topic] })
    equal(offsets[0].offset, 3)
    equal(offsets[0].lag, 3)
  })

  test('rebalance callbacks see assignment and revocation; close() leaves the group', async () => {
    const topic = uniqueName('rebalance')
    await admin.createTopics([{ topic, numPartitions: 2 }])
    const groupId = uniqueName('rebalance-group')
    const events: string[] = []
    const consumer = new Consumer({
      bootstrap: target.bootstrap,
      groupId,
      topics: [topic],
      onAssign: (ps) =>
        void events.push(
          `assign ${ps
            .map((p) => p.partition)
            .sort()
            .join(',')}`,
        ),
      onRevoke: (ps) =>
        void events.push(
          `revoke ${ps
            .map((p) => p.partition)
            .sort()
            .join(',')}`,
        ),
    })
    await consumer.start()
    for (let i = 0; i < 100 && consumer.assignment().length < 2; i++)
      await new Promise((r) => setTimeout(r, 100))
    equal(consumer.assignment().length, 2)
    await consumer.close()
    deepEqual(events, ['assign 0,1'])
    const [description] = await admin.describeGroups([groupId])
    equal(description.members.length, 0)
  })
})

describe('group protocols and crashes', () => {
  for (const groupProtocol of ['classic', 'consumer'] as const) {
    test(`${groupProtocol} protocol: a killed consumer's partitions are taken over, and processing resumes from the commits`, async () => {
      const topic = uniqueName(`kill-${groupProtocol}`)
      await admin.createTopics([{ topic, numPartitions: 4 }])
      const groupId = uniqueName(`kill-${groupProtocol}`)
      const script = fileURLToPath(new URL('./consumer-worker.js', import.meta.url))
      const child = spawn(process.execPath, [script, target.bootstrap, groupId, topic, groupProtocol], {
        stdio: ['ignore', 'pipe', 'inherit'],
      })
      await new Promise<void>((resolve, reject) => {
        child.stdout.once('data', () => resolve())
        child.once('exit', (code) => reject(new Error(`consumer exited with ${code}`)))
      })
      const survivor = new Consumer({
        bootstrap: target.bootstrap,
        groupId,
        topics: [topic],
        fromBeginning: true,
        groupProtocol,
        sessionTimeoutMs: 6000,
        heartbeatIntervalMs: 1000,
        valueDeserializer: serializers.json<number>(),
      })
      await survivor.start()
      for (let i = 0; i < 200 && survivor.assignment().length === 0; i++)
        await new Promise((r) => setTimeout(r, 100))
      const before = survivor.assignment().length
      ok(before > 0 && before < 4, `the survivor shares the partitions with the worker (${before} of 4)`)
      equal(survivor.groupProtocol, groupProtocol)
      child.kill('SIGKILL')
      for (let i = 0; i < 300 && survivor.assignment().length < 4; i++)
        await new Promise((r) => setTimeout(r, 100))
      equal(survivor.assignment().length, 4, "the killed consumer's partitions moved to the survivor")
      const producer = new Producer({
        bootstrap: target.bootstrap,
        valueSerializer: serializers.json<number>(),
      })
      await Promise.all(
        Array.from({ length: 40 }, (_, i) => producer.send({ topic, value: i, key: Buffer.from(`k${i}`) })),
      )
      await producer.close()
      const got = await take(survivor, 40)
      await survivor.close()
      equal(new Set(got.map((m) => m.value)).size, 40)
      const lag = await admin.groupOffsets(groupId, { topics: [topic] })
      equal(
        lag.reduce((sum, l) => sum + l.lag, 0),
        1,
        'everything but the message in hand when the loop broke is committed',
      )
    })
  }
})

describe('limits and pipelines', () => {
  test('#10: idle polls ride on a fetch session (KIP-227): after the first Fetch, one names no partitions', async () => {
    const topic = uniqueName('idle-session')
    const partitions = 50
    await admin.createTopics([{ topic, numPartitions: partitions }])
    // Sizes of the Fetch requests (API key 1) the consumer writes, read from each frame's header.
    const fetchBytes: number[] = []
    const tcp = new TcpTransport()
    const transport: Transport = {
      listen: (host, port, onConnection) => tcp.listen(host, port, onConnection),
      connect: async (host, port) => {
        const inner = await tcp.connect(host, port)
        const counting: Connection = Object.create(inner)
        counting.write = (buffers) => {
          const frame = Buffer.concat(buffers)
          if (frame.length >= 6 && frame.readInt16BE(4) === 1) fetchBytes.push(frame.length)
          return inner.write(buffers)
        }
        return counting
      },
    }
    const consumer = new Consumer({ bootstrap: target.bootstrap, topics: [topic], maxWaitMs: 100, transport })
    const iterator = consumer[Symbol.asyncIterator]()
    const first = iterator.next()
    const deadlineMs = performance.now() + 20_000
    while (fetchBytes.length < 6 && performance.now() < deadlineMs)
      await new Promise((r) => setTimeout(r, 50))
    const idle = fetchBytes.slice(2, 6)
    // A failed check below must not leave the consumer polling.
    if (fetchBytes.length < 6 || !idle.every((bytes) => bytes < 150)) await consumer.close()
    ok(fetchBytes.length >= 6, `${fetchBytes.length} fetches`)
    ok(fetchBytes[0] > partitions * 20, `the first Fetch names every partition: ${fetchBytes[0]} bytes`)
    ok(
      idle.every((bytes) => bytes < 150),
      `idle Fetches name no partition: ${idle.join(', ')} bytes (the first: ${fetchBytes[0]})`,
    )
    // Records written now still arrive through the session, one per partition.
    const producer = new Producer({ bootstrap: target.bootstrap })
    await Promise.all(
      Array.from({ length: partitions }, (_, partition) =>
        producer.send({ topic, partition, value: Buffer.from([partition]) }),
      ),
    )
    await producer.close()
    const got = new Set<number>()
    const timer = setTimeout(() => void consumer.close(), 20_000)
    let next = await first
    while (!next.done) {
      got.add(next.value.partition)
      if (got.size === partitions) break
      next = await iterator.next()
    }
    clearTimeout(timer)
    await consumer.close()
    equal(got.size, partitions)
  })

  test('bufferBytesMax: send() waits rather than buffering more than the bound', async () => {
    const topic = uniqueName('buffer-bound')
    const producer = new Producer({ bootstrap: target.bootstrap, bufferBytesMax: 4096, lingerMs: 100 })
    await producer.send({ topic, value: Buffer.alloc(10) })
    let highWaterBytes = 0
    const sends = Array.from({ length: 20 }, () => producer.send({ topic, value: Buffer.alloc(1000) }))
    const sampler = setInterval(() => (highWaterBytes = Math.max(highWaterBytes, producer.bufferedBytes)), 1)
    const results = await Promise.all(sends)
    clearInterval(sampler)
    await producer.close()
    ok(highWaterBytes > 0 && highWaterBytes <= 4096, `buffered up to ${highWaterBytes} bytes`)
    deepEqual(
      results.map((r) => r.offset),
      Array.from({ length: 20 }, (_, i) => i + 1),
    )
  })

  test('bufferedRecordsMax: a consumer stops fetching while its buffer is full', async () => {
    const topic = uniqueName('fetch-bound')
    const producer = new Producer({ bootstrap: target.bootstrap, lingerMs: 0 })
    for (let i = 0; i < 200; i++) await producer.send({ topic, value: Buffer.alloc(100) })
    await producer.close()
    const consumer = new Consumer({
      bootstrap: target.bootstrap,
      topics: [topic],
      fromBeginning: true,
      bufferedRecordsMax: 20,
      partitionFetchBytesMax: 1024,
    })
    const iterator = consumer[Symbol.asyncIterator]()
    await iterator.next()
    await new Promise((r) => setTimeout(r, 500))
    // One fetch may land after the check: at most 1 KiB more, about 6 records of 100 bytes here.
    ok(consumer.bufferedCount <= 20 + 10, `buffered ${consumer.bufferedCount} records`)
    let count = 1
    while (count < 200) {
      const next = await iterator.next()
      if (next.done) break
      count++
    }
    equal(count, 200)
    await consumer.close()
  })

  test('a pipeline consumes, transforms and produces to the next topic, and aborting a consumer ends it', async () => {
    const source = uniqueName('orders')
    const sink = uniqueName('invoices')
    const producer = new Producer({
      bootstrap: target.bootstrap,
      valueSerializer: serializers.json<{ id: number }>(),
    })
    for (let i = 0; i < 10; i++) await producer.send({ topic: source, value: { id: i } })
    await producer.close()
    const running = pipeline({
      consumer: {
        bootstrap: target.bootstrap,
        groupId: uniqueName('billing'),
        topics: [source],
        fromBeginning: true,
        valueDeserializer: serializers.json<{ id: number }>(),
      },
      producer: { valueSerializer: serializers.json<{ invoice: number }>() },
      transform: (message) =>
        message.value.id % 2 === 0 ? { topic: sink, value: { invoice: message.value.id } } : null,
    })
    const controller = new AbortController()
    const reader = new Consumer({
      bootstrap: target.bootstrap,
      topics: [sink],
      fromBeginning: true,
      valueDeserializer: serializers.json<{ invoice: number }>(),
      signal: controller.signal,
    })
    const invoices: number[] = []
    for await (const message of reader) {
      invoices.push(message.value.invoice)
      if (invoices.length === 5) controller.abort()
    }
    await running.close()
    await running.done
    deepEqual(invoices, [0, 2, 4, 6, 8])
    ok(running.processedCount >= 9, `processed ${running.processedCount}`)
  })
})

describe('admin', () => {
  test('topics: create, list, describe, add partitions, configs, delete', async () => {
    const topic = uniqueName('admin')
    await admin.createTopics([{ topic, numPartitions: 2, configs: { 'retention.ms': '3600000' } }])
    await rejects(
      admin.createTopics([{ topic }]),
      (e: unknown) => e instanceof KafkaError && e.kafkaName === 'TOPIC_ALREADY_EXISTS',
    )
    await admin.createTopics([{ topic }], { ifNotExists: true })
    ok((await admin.listTopics()).includes(topic))
    const [info] = await admin.describeTopics([topic])
    equal(info.partitions.length, 2)
    await admin.createPartitions(topic, 4)
    equal((await admin.describeTopics([topic]))[0].partitions.length, 4)
    equal((await admin.describeConfigs({ type: 'topic', name: topic }))['retention.ms'], '3600000')
    await admin.alterConfigs({ type: 'topic', name: topic }, { 'retention.ms': '7200000' })
    // Kafka applies config changes through its metadata log: the new value may take a moment to show.
    let retention: string | null = null
    for (let i = 0; i < 50 && retention !== '7200000'; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 100))
      const configs = await admin.describeConfigs({ type: 'topic', name: topic }, { keys: ['retention.ms'] })
      retention = configs['retention.ms']
    }
    equal(retention, '7200000')
    await admin.deleteTopics([topic])
    for (let i = 0; i < 50 && (await admin.listTopics()).includes(topic); i++)
      await new Promise((r) => setTimeout(r, 100))
    ok(!(await admin.listTopics()).includes(topic))
  })

  test("#9: log dirs: each partition's bytes on disk grow with what is written; the volume's sizes", async () => {
    const topic = uniqueName('admin-log-dirs')
    await admin.createTopics([{ topic, numPartitions: 2 }])
    const producer = new Producer({ bootstrap: target.bootstrap })
    const sizeOf = async () => {
      // Kafka creates a new topic's logs after answering CreateTopics: they may take a moment to show.
      let dirs = await admin.describeLogDirs({ topics: [topic] })
      for (let i = 0; i < 50 && dirs[0]?.partitions.length !== 2; i++) {
        await new Promise((r) => setTimeout(r, 100))
        dirs = await admin.describeLogDirs({ topics: [topic] })
      }
      equal(dirs.length, 1)
      const [dir] = dirs
      ok(dir.logDir.startsWith('/'), dir.logDir)
      ok(dir.totalBytes !== null && dir.usableBytes !== null && dir.totalBytes > 0)
      ok(dir.usableBytes >= 0 && dir.usableBytes <= dir.totalBytes)
      deepEqual(
        dir.partitions.map(({ sizeBytes, ...rest }) => rest),
        [0, 1].map((partition) => ({ topic, partition, offsetLag: 0, isFuture: false })),
      )
      equal(dir.partitions[1].sizeBytes, 0)
      return dir.partitions[0].sizeBytes
    }
    equal(await sizeOf(), 0)
    await producer.send({ topic, partition: 0, value: Buffer.alloc(1000, 1) })
    const first = await sizeOf()
    ok(first > 1000, `${first} bytes after one 1000-byte record`)
    await producer.send({ topic, partition: 0, value: Buffer.alloc(5000, 2) })
    const second = await sizeOf()
    ok(second > first + 5000, `${second} bytes after a 5000-byte record more`)
    await producer.close()
    // Without a topic list: every topic, this one included.
    const [all] = await admin.describeLogDirs()
    deepEqual(
      all.partitions.filter((p) => p.topic === topic).map((p) => p.sizeBytes),
      [second, 0],
    )
    await admin.deleteTopics([topic])
  })

  test('groups: list, describe, reset and delete offsets, delete', async () => {
    const topic = uniqueName('admin-groups')
    const groupId = uniqueName('admin-group')
    const producer = new Producer({ bootstrap: target.bootstrap })
    for (let i = 0; i < 5; i++) await producer.send({ topic, value: Buffer.from([i]) })
    await producer.close()
    const consumer = new Consumer({
      bootstrap: target.bootstrap,
      groupId,
      topics: [topic],
      fromBeginning: true,
    })
    await take(consumer, 3)
    await consumer.close()
    ok((await admin.listGroups()).some((g) => g.groupId === groupId))
    equal((await admin.groupOffsets(groupId))[0].offset, 2)
    await admin.resetOffsets(groupId, topic, 'latest')
    deepEqual(
      (await admin.groupOffsets(groupId)).map((o) => [o.offset, o.lag]),
      [[5, 0]],
    )
    await admin.resetOffsets(groupId, topic, { 0: 1 })
    equal((await admin.groupOffsets(groupId))[0].offset, 1)
    await admin.deleteOffsets(groupId, topic)
    deepEqual(await admin.groupOffsets(groupId), [])
    await admin.deleteGroups([groupId])
    ok(!(await admin.listGroups()).some((g) => g.groupId === groupId))
  })
})

describe('bad use gets clear errors, not hangs', () => {
  test('#10: close() flushes records whose send() is still looking up metadata or waiting for buffer space', async () => {
    const topics = [uniqueName('close-lookup'), uniqueName('close-lookup')]
    const producer = new Producer({ bootstrap: target.bootstrap, bufferBytesMax: 2048, lingerMs: 50 })
    // Neither topic is known to the producer yet, so every send() is still in its Metadata lookup when
    // close() starts; the 1000-byte values also make most of them wait for buffer space.
    const sends = Array.from({ length: 10 }, (_, i) =>
      producer.send({ topic: topics[i % 2], value: Buffer.alloc(1000, i) }),
    )
    const settled = Promise.allSettled(sends)
    await producer.close()
    const results = await settled
    deepEqual(
      results.map((r) => (r.status === 'fulfilled' ? 'sent' : String(r.reason))),
      Array.from({ length: 10 }, () => 'sent'),
    )
    for (const topic of topics) {
      const consumer = new Consumer({ bootstrap: target.bootstrap, topics: [topic], fromBeginning: true })
      const messages = await take(consumer, 5, 10_000)
      await consumer.close()
      deepEqual(
        messages.map((m) => m.value?.[0]).sort(),
        topic === topics[0] ? [0, 2, 4, 6, 8] : [1, 3, 5, 7, 9],
      )
    }
  })

  test('an unreachable bootstrap fails with ConnectionError within the connect timeout', async () => {
    const producer = new Producer({ bootstrap: '127.0.0.1:1', connectTimeoutMs: 800, retries: 0 })
    const startMs = performance.now()
    await rejects(producer.send({ topic: 't', value: Buffer.from('x') }), ConnectionError)
    const elapsedMs = performance.now() - startMs
    ok(elapsedMs < 3000, `took ${elapsedMs} ms`)
    await producer.close()
  })

  test('an unknown topic with auto-create off is UNKNOWN_TOPIC_OR_PARTITION', async () => {
    const producer = new Producer({ bootstrap: target.bootstrap, autoCreateTopics: false, retries: 1 })
    await rejects(
      producer.send({ topic: uniqueName('missing'), value: Buffer.from('x') }),
      (e: unknown) => e instanceof KafkaError && e.kafkaName === 'UNKNOWN_TOPIC_OR_PARTITION' && e.retriable,
    )
    await producer.close()
  })

  test('a value the serialiser cannot encode is a ClientError before anything is sent', async () => {
    const producer = new Producer({
      bootstrap: target.bootstrap,
      valueSerializer: serializers.json<unknown>(),
    })
    await rejects(
      producer.send({ topic: uniqueName('bad-value'), value: { n: 1n } }),
      (e: unknown) => e instanceof ClientError && e.code === 'BROOK_ERR_SERIALIZE',
    )
    await rejects(
      producer.send({ topic: uniqueName('bad-value'), value: undefined }),
      (e: unknown) => e instanceof ClientError && e.code === 'BROOK_ERR_SERIALIZE',
    )
    await producer.close()
  })

  test('a consumer iterated twice throws; operations after close() throw', async () => {
    const consumer = new Consumer({ bootstrap: target.bootstrap, topics: [uniqueName('twice')] })
    consumer[Symbol.asyncIterator]()
    throws(
      () => consumer[Symbol.asyncIterator](),
      (e: unknown) => e instanceof ClientError && e.code === 'BROOK_ERR_ALREADY_ITERATING',
    )
    await consumer.close()
    throws(
      () => consumer.seek('x', 0, 0),
      (e: unknown) => e instanceof ClosedError && e.code === 'BROOK_ERR_CLOSED',
    )
    const producer = new Producer({ bootstrap: target.bootstrap })
    await producer.close()
    await rejects(
      producer.send({ topic: 'x', value: null }),
      (e: unknown) => e instanceof ClosedError && e.code === 'BROOK_ERR_CLOSED',
    )
    const closedAdmin = new Admin({ bootstrap: target.bootstrap })
    await closedAdmin.close()
    await rejects(
      closedAdmin.listTopics(),
      (e: unknown) => e instanceof ClosedError && e.code === 'BROOK_ERR_CLOSED',
    )
  })
})
