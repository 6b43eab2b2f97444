// The open-file budget: FilePool on its own, and LogManager with more partitions than descriptors (#7).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { FileHandle } from '../core/index.js'
import { makeTestBatch, SimClock, SimFileSystem } from '../testing/index.js'
import { FilePool, LogManager } from './index.js'

/** A SimFileSystem that counts the handles open at once, as the kernel counts descriptors. */
class CountingFileSystem extends SimFileSystem {
  openNow = 0
  maxOpen = 0

  override async open(target: string, options?: { create?: boolean }): Promise<FileHandle> {
    const handle = await super.open(target, options)
    this.openNow++
    this.maxOpen = Math.max(this.maxOpen, this.openNow)
    let closed = false
    const close = async () => {
      if (!closed) {
        closed = true
        this.openNow--
      }
      await handle.close()
    }
    return {
      read: (p, l) => handle.read(p, l),
      write: (p, b) => handle.write(p, b),
      sync: () => handle.sync(),
      truncate: (l) => handle.truncate(l),
      size: () => handle.size(),
      close,
    }
  }
}

test('FilePool keeps at most maxOpenFiles open, closing the least recently used idle one', async () => {
  const fs = new CountingFileSystem()
  await fs.mkdir('/d')
  const pool = new FilePool(fs, 2)
  for (const name of ['a', 'b', 'c'])
    await pool.use(`/d/${name}`, async (h) => h.write(0, [Buffer.from(name)]), true)
  assert.equal(fs.maxOpen, 2)
  assert.equal(pool.openCount, 2)
  // Three concurrent users of three files: the third waits for a release instead of opening a third.
  const order: string[] = []
  await Promise.all(
    ['a', 'b', 'c'].map((name) =>
      pool.use(`/d/${name}`, async (h) => {
        const bytes = await h.read(0, 1)
        order.push(bytes.toString())
      }),
    ),
  )
  assert.deepEqual(order.sort(), ['a', 'b', 'c'])
  assert.equal(fs.maxOpen, 2)
  await pool.close('/d/a')
  await pool.close('/d/b')
  await pool.close('/d/c')
  assert.equal(fs.openNow, 0)
  assert.throws(() => new FilePool(fs, 0), RangeError)
})

test('#7: 40 partitions never hold more segment files open than max-open-segment-files, at run time or at start', async () => {
  const fs = new CountingFileSystem()
  const clock = new SimClock()
  const open = () =>
    LogManager.open(fs, clock, '/data/logs', { segmentBytes: 2000, maxTailBytes: 0 }, { maxOpenFiles: 4 })
  const manager = await open()
  const logs = []
  for (let p = 0; p < 40; p++) logs.push(await manager.getOrCreate('t', p))
  for (let round = 0; round < 6; round++) {
    for (const [p, log] of logs.entries()) {
      log.append({
        batch: makeTestBatch({ recordsCount: 2, payloadBytes: 300, fill: p }),
        recordsCount: 2,
        maxTimestamp: clock.nowMs(),
      })
    }
    await Promise.all(logs.map((log) => log.flush()))
  }
  for (const log of logs) {
    assert.equal(log.segmentCount > 1, true)
    const read = await log.read(0, 1 << 20)
    assert.equal(read.batches.length > 0, true)
  }
  assert.ok(fs.maxOpen <= 4, `at most 4 files open at once, saw ${fs.maxOpen}`)
  await manager.close()
  assert.equal(fs.openNow, 0)
  fs.maxOpen = 0
  const reopened = await open()
  assert.equal([...reopened.entries()].length, 40)
  assert.equal((await reopened.get('t', 39)!.read(0, 1 << 20)).batches.length > 0, true)
  assert.ok(fs.maxOpen <= 4, `at most 4 files open during start, saw ${fs.maxOpen}`)
  await reopened.close()
})
