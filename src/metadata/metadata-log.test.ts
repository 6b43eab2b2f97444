import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { CorruptDataError } from '../core/index.js'
import { SimFileSystem } from '../testing/index.js'
import {
  decodeFrames,
  encodeFrame,
  METADATA_LOG_FILE,
  METADATA_SNAPSHOT_FILE,
  MetadataLog,
} from './metadata-log.js'

const DIR = '/m'

describe('metadata log frames', () => {
  it('decode back to their payloads', () => {
    const data = Buffer.concat([encodeFrame({ a: 1 }), encodeFrame({ b: 'two' })])
    assert.deepEqual(decodeFrames(data), { payloads: [{ a: 1 }, { b: 'two' }], endPosition: data.length })
  })

  it('stop at a torn or corrupt frame', () => {
    const first = encodeFrame({ a: 1 })
    const second = encodeFrame({ b: 2 })
    for (let cut = 0; cut < second.length; cut++) {
      const torn = Buffer.concat([first, second.subarray(0, cut)])
      assert.deepEqual(decodeFrames(torn), { payloads: [{ a: 1 }], endPosition: first.length })
    }
    const flipped = Buffer.concat([first, second])
    flipped[flipped.length - 2] ^= 0x01
    assert.deepEqual(decodeFrames(flipped).payloads, [{ a: 1 }])
    const hugeLength = Buffer.concat([first, Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0])])
    assert.equal(decodeFrames(hugeLength).endPosition, first.length)
  })
})

describe('MetadataLog', () => {
  it('replays appended records, skipping those inside the snapshot', async () => {
    const fileSystem = new SimFileSystem()
    const opened = await MetadataLog.open<string, string[]>(fileSystem, DIR)
    assert.equal(opened.snapshot, undefined)
    await opened.log.append(['r1', 'r2'])
    await opened.log.compact(['r1', 'r2'])
    await opened.log.append(['r3'])
    await opened.log.close()
    const again = await MetadataLog.open<string, string[]>(fileSystem, DIR)
    assert.deepEqual(again.snapshot, ['r1', 'r2'])
    assert.deepEqual(
      again.records.map((r) => [r.seq, r.record]),
      [[3, 'r3']],
    )
    await again.log.close()
  })

  it('skips records left behind by a crash between snapshot and truncation', async () => {
    const fileSystem = new SimFileSystem()
    const opened = await MetadataLog.open<string, string[]>(fileSystem, DIR)
    await opened.log.append(['r1', 'r2'])
    await opened.log.close()
    // A snapshot holding both records, while the log still has them, as after that crash.
    const snapshot = Buffer.from(JSON.stringify({ format: 1, lastSeq: 2, state: ['r1', 'r2'] }))
    const { crc32 } = await import('./crc32.js')
    const header = Buffer.alloc(4)
    header.writeUInt32BE(crc32(snapshot))
    await fileSystem.writeFileAtomic(`${DIR}/${METADATA_SNAPSHOT_FILE}`, Buffer.concat([header, snapshot]))
    const again = await MetadataLog.open<string, string[]>(fileSystem, DIR)
    assert.deepEqual(again.records, [])
    await again.log.append(['r3'])
    await again.log.close()
    const third = await MetadataLog.open<string, string[]>(fileSystem, DIR)
    assert.deepEqual(
      third.records.map((r) => r.record),
      ['r3'],
    )
  })

  it('refuses a corrupt snapshot and a gap in sequence numbers', async () => {
    const fileSystem = new SimFileSystem()
    await fileSystem.mkdir(DIR)
    await fileSystem.writeFileAtomic(`${DIR}/${METADATA_SNAPSHOT_FILE}`, Buffer.from('garbage!'))
    await assert.rejects(MetadataLog.open(fileSystem, DIR), CorruptDataError)
    await fileSystem.remove(`${DIR}/${METADATA_SNAPSHOT_FILE}`)
    const handle = await fileSystem.open(`${DIR}/${METADATA_LOG_FILE}`, { create: true })
    await handle.write(0, [encodeFrame({ seq: 1, record: 'a' }), encodeFrame({ seq: 3, record: 'c' })])
    await handle.close()
    await assert.rejects(MetadataLog.open(fileSystem, DIR), CorruptDataError)
  })

  it('reports and cuts a torn tail', async () => {
    const fileSystem = new SimFileSystem()
    const opened = await MetadataLog.open<string, string[]>(fileSystem, DIR)
    await opened.log.append(['r1'])
    const size = opened.log.sizeBytes
    await opened.log.close()
    const handle = await fileSystem.open(`${DIR}/${METADATA_LOG_FILE}`)
    await handle.write(size, [encodeFrame({ seq: 2, record: 'r2' }).subarray(0, 11)])
    await handle.sync()
    await handle.close()
    const again = await MetadataLog.open<string, string[]>(fileSystem, DIR)
    assert.equal(again.truncatedBytes, 11)
    assert.equal(again.log.sizeBytes, size)
    assert.deepEqual(
      again.records.map((r) => r.record),
      ['r1'],
    )
  })
})
