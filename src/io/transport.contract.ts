// The contract every Transport adapter must meet, as a node:test suite. Run by the tests of TcpTransport
// (real sockets on 127.0.0.1) and SimTransport (memory), so the network layer sees the same behaviour.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { Connection, Listener, Transport } from '../core/index.js'

/** A fresh transport and the host its listeners bind. */
export interface TransportFixture {
  transport: Transport
  host: string
}

/** Collects what a connection receives and when it closes. */
function record(connection: Connection) {
  const chunks: Buffer[] = []
  let bytes = 0
  let closed = false
  const waiters: (() => void)[] = []
  const wake = () => {
    for (const w of waiters.splice(0)) w()
  }
  connection.onData((chunk) => {
    chunks.push(Buffer.from(chunk))
    bytes += chunk.length
    wake()
  })
  connection.onClose(() => {
    closed = true
    wake()
  })
  const until = async (condition: () => boolean, what: string, timeoutMs = 5000) => {
    const started = Date.now()
    while (!condition()) {
      if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`)
      await new Promise<void>((resolve) => {
        waiters.push(resolve)
        setTimeout(resolve, 20)
      })
    }
  }
  return {
    get bytes() {
      return bytes
    },
    get closed() {
      return closed
    },
    text: () => Buffer.concat(chunks).toString(),
    all: () => Buffer.concat(chunks),
    until,
  }
}

/** Registers the Transport contract tests under `name`; `setup` is called once per test. */
export function transportContract(name: string, setup: () => TransportFixture): void {
  describe(`Transport contract: ${name}`, () => {
    const withPair = (
      title: string,
      body: (pair: { server: Connection; client: Connection; listener: Listener }) => Promise<void>,
    ) =>
      test(title, async () => {
        const { transport, host } = setup()
        let accept!: (connection: Connection) => void
        const accepted = new Promise<Connection>((resolve) => (accept = resolve))
        const listener = await transport.listen(host, 0, (connection) => accept(connection))
        try {
          const client = await transport.connect(host, listener.port)
          const server = await accepted
          await body({ server, client, listener })
          client.destroy()
        } finally {
          await listener.close()
        }
      })

    withPair('moves bytes both ways in order and names the peer', async ({ server, client }) => {
      const atServer = record(server)
      const atClient = record(client)
      assert.match(server.remoteAddress, /:\d+$/)
      assert.ok(server.remoteAddress.startsWith(server.remoteHost), 'remoteHost is the host of remoteAddress')
      client.write([Buffer.from('hel'), Buffer.from('lo')])
      client.write([Buffer.from(' world')])
      await atServer.until(() => atServer.bytes === 11, 'the request')
      assert.equal(atServer.text(), 'hello world')
      server.write([Buffer.from('answer')])
      await atClient.until(() => atClient.bytes === 6, 'the answer')
      assert.equal(atClient.text(), 'answer')
    })

    withPair('pause stops delivery until resume', async ({ server, client }) => {
      const atServer = record(server)
      server.pause()
      client.write([Buffer.from('held')])
      await new Promise((resolve) => setTimeout(resolve, 50))
      assert.equal(atServer.bytes, 0, 'nothing delivered while paused')
      server.resume()
      await atServer.until(() => atServer.bytes === 4, 'the held bytes')
    })

    withPair(
      'a large write reports backpressure, counts queued bytes and drains',
      async ({ server, client }) => {
        const atClient = record(client)
        client.pause()
        let drained = false
        server.onDrain(() => (drained = true))
        const big = Buffer.alloc(32 << 20, 7)
        assert.equal(server.write([big]), false, 'write reports backpressure')
        // Give the transport time to move what it can; a paused reader keeps most of 32 MiB queued.
        await new Promise((resolve) => setTimeout(resolve, 50))
        assert.ok(
          server.queuedBytes > 0,
          `queued ${server.queuedBytes} bytes for a reader that does not read`,
        )
        client.resume()
        await atClient.until(() => atClient.bytes === big.length, 'the whole write', 20000)
        await atClient.until(() => drained, 'drain')
        assert.equal(server.queuedBytes, 0)
      },
    )

    withPair('end delivers pending output, then both sides close', async ({ server, client }) => {
      const atClient = record(client)
      const atServer = record(server)
      const big = Buffer.alloc(8 << 20, 3)
      server.write([big])
      server.end()
      await atClient.until(() => atClient.closed, 'the close at the client', 20000)
      assert.equal(atClient.bytes, big.length, 'every byte written before end arrived')
      await atServer.until(() => atServer.closed, 'the close at the server')
    })

    withPair('end does not close while the peer is not reading', async ({ server, client }) => {
      const atServer = record(server)
      record(client)
      client.pause()
      server.write([Buffer.alloc(32 << 20)])
      server.end()
      await new Promise((resolve) => setTimeout(resolve, 100))
      assert.equal(atServer.closed, false, 'a paused peer keeps the connection open (drain waits)')
      server.destroy()
      await atServer.until(() => atServer.closed, 'the close after destroy')
    })

    withPair('destroy closes both sides at once', async ({ server, client }) => {
      const atClient = record(client)
      const atServer = record(server)
      server.destroy()
      await atServer.until(() => atServer.closed, 'the close at the server')
      await atClient.until(() => atClient.closed, 'the close at the client')
    })

    withPair('closing the listener closes its connections', async ({ client, listener }) => {
      const atClient = record(client)
      await listener.close()
      await atClient.until(() => atClient.closed, 'the close at the client')
    })

    test('a taken port is refused, and so is a connection to a port nobody listens on', async () => {
      const { transport, host } = setup()
      const listener = await transport.listen(host, 0, () => {})
      await assert.rejects(transport.listen(host, listener.port, () => {}))
      const port = listener.port
      await listener.close()
      await assert.rejects(transport.connect(host, port))
    })
  })
}
