// The network limits of #7 attacked against a real broker process over TCP: each attack runs while a
// bystander client keeps being served, and the broker's resident memory stays bounded.
import assert from 'node:assert/strict'
import net from 'node:net'
import { after, before, describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { ApiKey, ErrorCode, encodeRequestFrame } from '../../src/protocol/index.js'
import { buildRecordBatch } from '../../src/record-batch/index.js'
import { BrookProcess } from './brook-process.js'
import { assertServes, createTopic, fetchPartition, producePartition } from './kafka-requests.js'
import { RawKafkaClient, rawRequestFrame, withConnection } from './raw-kafka-client.js'

const MiB = 1024 * 1024

/** A socket that never reads what the broker sends (its kernel buffer fills, then the broker's queue). */
function connectRaw(port: number, localAddress = '127.0.0.1'): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress })
    socket.on('error', () => {})
    socket.once('connect', () => resolve(socket))
    socket.once('error', reject)
  })
}

function waitClosed(socket: net.Socket, timeoutMs: number): Promise<boolean> {
  if (socket.destroyed || socket.closed) return Promise.resolve(true)
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs)
    socket.once('close', () => {
      clearTimeout(timer)
      resolve(true)
    })
  })
}

function fetchFrame(topic: string, correlationId: number, maxBytes: number): Buffer {
  return Buffer.concat(
    encodeRequestFrame(ApiKey.Fetch, 12, correlationId, 'attacker', {
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic,
          partitions: [{ partition: 0, fetchOffset: 0, logStartOffset: -1, partitionMaxBytes: maxBytes }],
        },
      ],
      forgottenTopicsData: [],
      rackId: '',
    }),
  )
}

describe('network limits of a broker process (#7)', () => {
  let brook: BrookProcess
  const seed = buildRecordBatch([{ key: 'k', value: 'seed record' }])

  before(async () => {
    brook = await BrookProcess.start({
      args: [
        '--request-bytes-max',
        String(40 * MiB),
        '--queued-max-request-bytes',
        String(64 * MiB),
        '--response-bytes-queued-max',
        String(16 * MiB),
        '--response-bytes-queued-total-max',
        String(64 * MiB),
        '--connections-max-idle-ms',
        '2000',
        '--max-connections-per-ip',
        '40',
        '--max-connections',
        '45',
        '--connection-close-drain-ms',
        '3000',
      ],
    })
    await withConnection(brook.port, async (client) => {
      await createTopic(client, 'seed', 1)
      assert.equal((await producePartition(client, 'seed', 0, seed)).errorCode, ErrorCode.NONE)
    })
  })

  after(async () => {
    if (process.env.BROOK_IT_DUMP) process.stderr.write(brook?.output ?? '')
    await brook?.cleanup()
  })

  /** A bystander connects, is served, and reads the seed record. */
  async function assertBystanderServed(localAddress = '127.0.0.2'): Promise<number> {
    const startedMs = performance.now()
    const client = await RawKafkaClient.connect(brook.port, '127.0.0.1', localAddress)
    try {
      await assertServes(client)
      const fetched = await fetchPartition(client, 'seed', 0)
      assert.equal(fetched.errorCode, ErrorCode.NONE)
      assert.equal(fetched.batches.length, 1)
    } finally {
      await client.close()
    }
    assert.equal(brook.hasExited, false, `broker exited\n${brook.output}`)
    return performance.now() - startedMs
  }

  it('#7: 30 connections announcing 30 MiB frames and sending them slowly hold at most queued.max.request.bytes', async (t) => {
    const before = (await brook.residentBytes()) ?? 0
    const attackers: net.Socket[] = []
    const body = Buffer.alloc(30 * MiB, 0x41)
    for (let i = 0; i < 30; i++) {
      const socket = await connectRaw(brook.port)
      const header = Buffer.alloc(4)
      header.writeInt32BE(30 * MiB + 1, 0)
      socket.write(header)
      // All but the last byte: the frame never completes, so each buffer would be held until idle close.
      socket.write(body)
      attackers.push(socket)
    }
    await sleep(1000)
    const latencyMs = await assertBystanderServed()
    const during = (await brook.residentBytes()) ?? 0
    for (const socket of attackers) socket.destroy()
    t.diagnostic(
      `RSS +${Math.round((during - before) / MiB)} MiB; bystander served in ${Math.round(latencyMs)} ms`,
    )
    assert.ok(
      during - before < 200 * MiB,
      `RSS grew by ${Math.round((during - before) / MiB)} MiB under 30 x 30 MiB partial frames (budget 64 MiB)`,
    )
    assert.ok(latencyMs < 5000, `bystander took ${Math.round(latencyMs)} ms`)
  })

  it('#7: a frame header trickled a byte at a time is closed after connections.max.idle.ms', async () => {
    const socket = await connectRaw(brook.port)
    const header = Buffer.alloc(4)
    header.writeInt32BE(30 * MiB, 0)
    socket.write(header)
    let sent = 0
    const trickle = setInterval(() => {
      if (!socket.destroyed) socket.write(Buffer.from([sent++ & 0xff]))
    }, 100)
    try {
      // A bystander sending a request every 500 ms meanwhile stays connected and served.
      const client = await RawKafkaClient.connect(brook.port, '127.0.0.1', '127.0.0.2')
      try {
        const startedMs = performance.now()
        let closed = false
        while (!closed && performance.now() - startedMs < 8000) {
          await assertServes(client)
          closed = await waitClosed(socket, 500)
        }
        assert.equal(closed, true, 'the trickling connection was closed')
        const afterMs = performance.now() - startedMs
        assert.ok(afterMs >= 1500, `closed after ${Math.round(afterMs)} ms, not before the idle time`)
        assert.equal(client.isClosed, false, 'the active bystander is still connected')
        await assertServes(client)
      } finally {
        await client.close()
      }
    } finally {
      clearInterval(trickle)
      socket.destroy()
    }
  })

  it('#7: max.connections.per.ip and max.connections refuse connections over them; others are served', async () => {
    const open: net.Socket[] = []
    try {
      for (let i = 0; i < 40; i++) open.push(await connectRaw(brook.port, '127.0.0.1'))
      const refused = await connectRaw(brook.port, '127.0.0.1')
      assert.equal(await waitClosed(refused, 2000), true, 'the 41st connection from one address is closed')
      // Another address is still served (40 of 45 in use).
      await assertBystanderServed('127.0.0.3')
      for (let i = 0; i < 5; i++) open.push(await connectRaw(brook.port, '127.0.0.4'))
      const overTotal = await connectRaw(brook.port, '127.0.0.5')
      assert.equal(await waitClosed(overTotal, 2000), true, 'the 46th connection in total is closed')
    } finally {
      for (const socket of open) socket.destroy()
    }
    await sleep(200)
    await assertBystanderServed()
  })

  it('#7: 100 pipelined Fetches of a 36 MB partition from a client that never reads keep memory bounded', async (t) => {
    await withConnection(brook.port, async (client) => {
      await createTopic(client, 'big', 1)
      const value = Buffer.alloc(MiB - 200, 0x42)
      for (let i = 0; i < 36; i++) {
        const batch = buildRecordBatch([{ key: null, value }])
        assert.equal((await producePartition(client, 'big', 0, batch)).errorCode, ErrorCode.NONE)
      }
    })
    const before = (await brook.residentBytes()) ?? 0
    const attacker = await connectRaw(brook.port)
    attacker.pause()
    const frames = Array.from({ length: 100 }, (_, i) => fetchFrame('big', i + 1, 40 * MiB))
    attacker.write(Buffer.concat(frames))
    await sleep(3000)
    const latencyMs = await assertBystanderServed()
    const during = (await brook.residentBytes()) ?? 0
    attacker.destroy()
    t.diagnostic(
      `RSS +${Math.round((during - before) / MiB)} MiB; bystander served in ${Math.round(latencyMs)} ms`,
    )
    assert.ok(
      during - before < 300 * MiB,
      `RSS grew by ${Math.round((during - before) / MiB)} MiB with 100 Fetches of 36 MB queued for a client that does not read`,
    )
    assert.ok(latencyMs < 5000, `bystander took ${Math.round(latencyMs)} ms`)
  })

  it('#7: a large answer followed by a request that closes the connection is delivered whole', async () => {
    const socket = await connectRaw(brook.port)
    const received: Buffer[] = []
    socket.on('data', (chunk) => received.push(chunk))
    // A 36 MB Fetch answer, then an unknown API key: the broker answers the first, then closes.
    socket.write(Buffer.concat([fetchFrame('big', 1, 40 * MiB), rawRequestFrame(9999, 0, 2)]))
    assert.equal(await waitClosed(socket, 10000), true, 'closed after the unknown request')
    const bytes = Buffer.concat(received)
    assert.ok(bytes.length >= 4, 'got the answer')
    const size = bytes.readInt32BE(0)
    assert.ok(size > 36 * (MiB - 300), `answer of ${size} bytes`)
    assert.equal(bytes.length, 4 + size, 'the whole answer arrived before the close')
  })
})
