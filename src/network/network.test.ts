// FrameDecoder cuts frames however the bytes arrive; ServerConnection answers in request order, pauses
// reading under load and closes on bad frames.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { type Connection, ProtocolError, silentLogger } from '../core/index.js'
import { SeededRandom, SimClock } from '../testing/index.js'
import { FrameDecoder } from './frame-decoder.js'
import { ServerConnection } from './server-connection.js'

function frame(payload: string): Buffer {
  const body = Buffer.from(payload)
  const out = Buffer.alloc(4 + body.length)
  out.writeInt32BE(body.length, 0)
  body.copy(out, 4)
  return out
}

describe('FrameDecoder', () => {
  it('returns frames split across chunks and several frames in one chunk', () => {
    const decoder = new FrameDecoder(1024)
    const bytes = Buffer.concat([frame('alpha'), frame(''), frame('gamma-delta')])
    const frames: string[] = []
    for (let i = 0; i < bytes.length; i += 3) {
      for (const f of decoder.push(bytes.subarray(i, i + 3))) frames.push(f.toString())
    }
    assert.deepEqual(frames, ['alpha', '', 'gamma-delta'])
    assert.equal(decoder.bufferedBytes, 0)
  })

  it('returns the same frames for any way of cutting the stream into chunks', () => {
    const seeded = new SeededRandom(7)
    const random = (n: number) => seeded.int(n)
    for (let round = 0; round < 200; round++) {
      const payloads = Array.from(
        { length: 1 + random(6) },
        () => 'x'.repeat(random(3)) + String(random(100000)).repeat(random(50)),
      )
      const bytes = Buffer.concat(payloads.map(frame))
      const decoder = new FrameDecoder(1 << 20)
      const frames: string[] = []
      for (let i = 0; i < bytes.length; ) {
        const size = 1 + random(40)
        for (const f of decoder.push(bytes.subarray(i, i + size))) frames.push(f.toString())
        i += size
      }
      assert.deepEqual(frames, payloads, `round ${round}`)
      assert.equal(decoder.bufferedBytes, 0)
    }
  })

  it('rejects oversized and negative sizes before buffering them', () => {
    for (const size of [0x7fffffff, -5]) {
      const prefix = Buffer.alloc(4)
      prefix.writeInt32BE(size, 0)
      const decoder = new FrameDecoder(1024)
      assert.deepEqual(decoder.push(prefix), [])
      assert.ok(decoder.error instanceof ProtocolError, `size ${size}`)
      assert.equal(decoder.bufferedBytes, 0)
      assert.deepEqual(decoder.push(Buffer.alloc(8)), [], 'nothing is read after a bad size')
    }
  })

  it('#7: returns the frames before a bad size prefix in the same chunk, whose room was counted', () => {
    // They were lost with the throw, and the room counted for them with them.
    const counted: number[] = []
    const decoder = new FrameDecoder(1024, (bytes) => {
      counted.push(bytes)
      return true
    })
    const chunk = Buffer.alloc(4 + 6 + 4 + 3 + 4)
    chunk.writeInt32BE(6, 0)
    chunk.writeInt32BE(3, 10)
    chunk.writeInt32BE(-1, 17)
    const frames = decoder.push(chunk)
    assert.deepEqual(
      frames.map((f) => f.length),
      [6, 3],
    )
    assert.deepEqual(counted, [6, 3])
    assert.ok(decoder.error instanceof ProtocolError)
  })
})

class FakeConnection implements Connection {
  readonly remoteAddress = 'test:1'
  readonly remoteHost = 'test'
  readonly queuedBytes = 0
  written: string[] = []
  paused = false
  ended = false
  private data: ((chunk: Buffer) => void) | undefined
  private closeCallback: (() => void) | undefined
  onData(callback: (chunk: Buffer) => void): void {
    this.data = callback
  }
  onClose(callback: () => void): void {
    this.closeCallback = callback
  }
  onDrain(): void {}
  write(buffers: readonly Buffer[]): boolean {
    this.written.push(Buffer.concat(buffers).toString())
    return true
  }
  pause(): void {
    this.paused = true
  }
  resume(): void {
    this.paused = false
  }
  end(): void {
    this.ended = true
  }
  destroy(): void {
    this.ended = true
    this.closeCallback?.()
  }
  receive(bytes: Buffer): void {
    this.data?.(bytes)
  }
}

function deferred<T>() {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((r) => (resolve = r))
  return { promise, resolve }
}

describe('ServerConnection', () => {
  it('writes responses in request order even when handlers finish out of order', async () => {
    const fake = new FakeConnection()
    const pending = new Map<string, ReturnType<typeof deferred<Buffer[] | null>>>()
    new ServerConnection(
      fake,
      (f) => {
        const d = deferred<Buffer[] | null>()
        pending.set(f.toString(), d)
        return d.promise
      },
      { frameBytesMax: 1024, inFlightMax: 10, logger: silentLogger, clock: new SimClock() },
    )
    fake.receive(Buffer.concat([frame('slow'), frame('none'), frame('fast')]))
    pending.get('fast')!.resolve([Buffer.from('fast!')])
    pending.get('none')!.resolve(null)
    await new Promise((r) => setImmediate(r))
    assert.deepEqual(fake.written, [], 'nothing goes out before the first response')
    pending.get('slow')!.resolve([Buffer.from('slow!')])
    await new Promise((r) => setImmediate(r))
    assert.deepEqual(fake.written, ['slow!', 'fast!'])
  })

  it('pauses reading at the in-flight limit and resumes when answers go out', async () => {
    const fake = new FakeConnection()
    const waiting: ((value: Buffer[]) => void)[] = []
    new ServerConnection(fake, () => new Promise<Buffer[]>((r) => waiting.push(r)), {
      frameBytesMax: 1024,
      inFlightMax: 2,
      logger: silentLogger,
      clock: new SimClock(),
    })
    fake.receive(Buffer.concat([frame('a'), frame('b')]))
    assert.equal(fake.paused, true)
    for (const resolve of waiting) resolve([Buffer.from('ok')])
    await new Promise((r) => setImmediate(r))
    assert.equal(fake.paused, false)
  })

  it('closes the connection on a bad frame and when a handler asks to', async () => {
    const bad = new FakeConnection()
    let closed = 0
    const clock = new SimClock()
    const connection = new ServerConnection(bad, () => null, {
      frameBytesMax: 8,
      inFlightMax: 10,
      logger: silentLogger,
      clock,
      closeDrainMs: 1000,
    })
    connection.onClosed = () => closed++
    bad.receive(frame('much too long'))
    assert.equal(bad.ended, true)
    assert.equal(connection.session.isClosed, true, 'the session closes at once')
    clock.advance(1000)
    assert.equal(closed, 1, 'onClosed fires once, when the stream is gone')
    const asked = new FakeConnection()
    new ServerConnection(asked, (f) => (f.toString() === 'bye' ? 'close' : [Buffer.from('hi')]), {
      frameBytesMax: 64,
      inFlightMax: 10,
      logger: silentLogger,
      clock: new SimClock(),
    })
    asked.receive(Buffer.concat([frame('hello'), frame('bye'), frame('after')]))
    await new Promise((r) => setImmediate(r))
    assert.deepEqual(asked.written, ['hi'], 'answers before the close go out, none after')
    assert.equal(asked.ended, true)
  })
})
