// Unit tests of StateLog: round trips through snapshots and log files, group commit, torn tails, snapshots
// that never hold up an append, the pending-bytes bound and corruption that must not be papered over.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { type FileHandle, type FileSystem, silentLogger } from '../core/index.js'
import { SimFileSystem } from '../testing/index.js'
import {
  encodeStateFrame,
  STATE_RECORD_BYTES_MAX,
  StateLog,
  type StateLogOptions,
  type StateRecord,
  stateLogFileName,
} from './state-log.js'

const dir = '/data/state'

/** A keyed owner: type/key -> value, null deletes. */
class KeyedState {
  readonly values = new Map<string, unknown>()
  apply = (record: StateRecord): void => {
    const id = `${record.type}/${record.key}`
    if (record.value === null) this.values.delete(id)
    else this.values.set(id, record.value)
  };
  *records(): Iterable<StateRecord> {
    for (const [id, value] of this.values) {
      const slash = id.indexOf('/')
      yield { type: id.slice(0, slash), key: id.slice(slash + 1), value }
    }
  }
}

async function openKeyed(fs: FileSystem, options: Partial<StateLogOptions> = {}) {
  const state = new KeyedState()
  const { log, recovery } = await StateLog.open({
    fs,
    dir,
    logger: silentLogger,
    replay: state.apply,
    snapshot: () => state.records(),
    ...options,
  })
  return { log, recovery, state }
}

/** Appends and applies at once (the groups style of owner). */
function put(log: StateLog, state: KeyedState, records: StateRecord[]): Promise<void> {
  for (const r of records) state.apply(r)
  return log.append(records)
}

/** A FileSystem whose writes to files matching `gated` wait until `release()`. */
function gatedFileSystem(inner: FileSystem, gated: (path: string) => boolean) {
  let release!: () => void
  const gate = new Promise<void>((resolve) => {
    release = resolve
  })
  const wrap = (path: string, handle: FileHandle): FileHandle => ({
    read: (position, length) => handle.read(position, length),
    write: async (position, buffers) => {
      if (gated(path)) await gate
      return handle.write(position, buffers)
    },
    sync: () => handle.sync(),
    truncate: (length) => handle.truncate(length),
    size: () => handle.size(),
    close: () => handle.close(),
  })
  const fs: FileSystem = {
    open: async (path, options) => wrap(path, await inner.open(path, options)),
    mkdir: (path) => inner.mkdir(path),
    list: (path) => inner.list(path),
    exists: (path) => inner.exists(path),
    remove: (path) => inner.remove(path),
    rename: (from, to) => inner.rename(from, to),
    readFile: (path) => inner.readFile(path),
    writeFileAtomic: (path, data) => inner.writeFileAtomic(path, data),
    volumeSpace: (path) => inner.volumeSpace(path),
  }
  return { fs, release: () => release() }
}

test('records survive a reopen, through a snapshot and the log after it', async () => {
  const fs = new SimFileSystem()
  const first = await openKeyed(fs)
  await put(first.log, first.state, [
    { type: 'topic', key: 'a', value: { partitions: 1 } },
    { type: 'topic', key: 'b', value: { partitions: 2 } },
  ])
  await first.log.snapshotNow()
  await put(first.log, first.state, [{ type: 'topic', key: 'a', value: null }])
  await put(first.log, first.state, [{ type: 'offset', key: 'g/b/0', value: 42 }])
  await first.log.close()

  const second = await openKeyed(fs)
  assert.deepEqual(
    [...second.state.values],
    [
      ['topic/b', { partitions: 2 }],
      ['offset/g/b/0', 42],
    ],
  )
  // The batch acknowledged last is written into the snapshot again, in case its owner had not applied it.
  assert.equal(second.recovery.snapshotRecords, 2 + 2)
  assert.equal(second.recovery.logRecords, 2)
  assert.equal(second.recovery.lastSeq, 4)
  assert.equal(second.log.lastSeq, 4)
  await second.log.close()
})

test('appends made during a write and fsync share the next one (group commit)', async () => {
  const fs = new SimFileSystem()
  const { log, state } = await openKeyed(fs)
  const appends = Array.from({ length: 50 }, (_, i) =>
    put(log, state, [{ type: 'o', key: `k${i}`, value: i }]),
  )
  await Promise.all(appends)
  assert.ok(log.stats.syncs <= 3, `50 appends took ${log.stats.syncs} fsyncs`)
  await log.close()
  const reopened = await openKeyed(fs)
  assert.equal(reopened.state.values.size, 50)
  await reopened.log.close()
})

test('a torn or corrupt tail is cut at the last good frame', async () => {
  const fs = new SimFileSystem()
  const { log, state } = await openKeyed(fs)
  await put(log, state, [{ type: 'o', key: 'x', value: 1 }])
  await put(log, state, [{ type: 'o', key: 'y', value: 2 }])
  await log.close()
  const path = `${dir}/${stateLogFileName(1)}`
  const handle = await fs.open(path)
  const size = await handle.size()
  const torn = encodeStateFrame({ s: 3, t: 'o', k: 'z', v: 3 })
  await handle.write(size, [torn.subarray(0, torn.length - 2)])
  await handle.sync()
  await handle.close()

  const reopened = await openKeyed(fs)
  assert.equal(reopened.recovery.truncatedBytes, torn.length - 2)
  assert.deepEqual([...reopened.state.values.keys()], ['o/x', 'o/y'])
  // The next append continues where the good frames end, with the next sequence number.
  await put(reopened.log, reopened.state, [{ type: 'o', key: 'z', value: 4 }])
  await reopened.log.close()
  const again = await openKeyed(fs)
  assert.equal(again.state.values.get('o/z'), 4)
  assert.equal(again.recovery.truncatedBytes, 0)
  await again.log.close()
})

test('an append is acknowledged while a snapshot is still being written (#7)', async () => {
  const { fs, release } = gatedFileSystem(new SimFileSystem(), (path) => path.endsWith('.tmp'))
  const { log, state } = await openKeyed(fs)
  await put(log, state, [{ type: 'o', key: 'a', value: 1 }])
  const snapshot = log.snapshotNow()
  let snapshotDone = false
  snapshot.then(() => {
    snapshotDone = true
  })
  await put(log, state, [{ type: 'o', key: 'b', value: 2 }])
  await put(log, state, [{ type: 'o', key: 'c', value: 3 }])
  assert.equal(snapshotDone, false, 'the snapshot cannot have finished: its writes are held')
  assert.equal(log.logFileCount, 2, 'appends went to a new log file while the snapshot is written')
  release()
  await snapshot
  assert.equal(log.logFileCount, 1, 'the file the snapshot replaces is removed')
  await log.close()
  const reopened = await openKeyed(fs)
  assert.deepEqual(
    [...reopened.state.values.entries()],
    [
      ['o/a', 1],
      ['o/b', 2],
      ['o/c', 3],
    ],
  )
  assert.equal(reopened.recovery.logRecords, 2)
  await reopened.log.close()
})

test('snapshots start by themselves past snapshotAfterBytes and replace the files before them', async () => {
  const fs = new SimFileSystem()
  const { log, state } = await openKeyed(fs, { snapshotAfterBytes: 2000 })
  for (let i = 0; i < 200; i++)
    await put(log, state, [{ type: 'o', key: `k${i % 10}`, value: 'v'.repeat(i) }])
  await log.close()
  assert.ok(log.stats.snapshots >= 5, `only ${log.stats.snapshots} snapshots`)
  const names = await fs.list(dir)
  assert.ok(names.length <= 3, `files left: ${names.join(' ')}`)
  const reopened = await openKeyed(fs)
  assert.deepEqual([...reopened.state.values].sort(), [...state.values].sort())
  assert.equal(reopened.log.lastSeq, 200)
  await reopened.log.close()
})

test('an owner that applies on acknowledgement loses nothing to a snapshot taken in between', async () => {
  const fs = new SimFileSystem()
  const state = new KeyedState()
  const { log } = await StateLog.open({
    fs,
    dir,
    logger: silentLogger,
    replay: state.apply,
    snapshot: () => state.records(),
  })
  const record = { type: 'topic', key: 't', value: 1 }
  const appended = log.append([record]).then(() => state.apply(record))
  // The snapshot starts before the owner applied the record: the log adds it from its own queue.
  const snapshot = log.snapshotNow()
  await Promise.all([appended, snapshot])
  await log.close()
  const reopened = await openKeyed(fs)
  assert.equal(reopened.recovery.snapshotRecords, 1)
  assert.equal(reopened.state.values.get('topic/t'), 1)
  await reopened.log.close()
})

test('appends beyond pendingBytesMax are refused while the disk lags, then accepted again', async () => {
  const gated = gatedFileSystem(new SimFileSystem(), (path) => path.endsWith('.log'))
  const { log, state } = await openKeyed(gated.fs, { pendingBytesMax: 1000 })
  const accepted: Promise<void>[] = []
  let refused: unknown
  for (let i = 0; i < 20; i++) {
    const p = put(log, state, [{ type: 'o', key: `k${i}`, value: 'x'.repeat(100) }])
    p.catch((error) => {
      refused ??= error
    })
    accepted.push(p)
  }
  await new Promise((resolve) => setImmediate(resolve))
  assert.equal((refused as { code?: string })?.code, 'BROOK_ERR_STATE_LOG_BUSY')
  assert.ok(log.pendingBytes <= 1000, `${log.pendingBytes} bytes pending`)
  gated.release()
  await Promise.allSettled(accepted)
  await log.append([{ type: 'o', key: 'later', value: 1 }])
  await log.close()
})

test('a record over the size limit is refused', async () => {
  const { log } = await openKeyed(new SimFileSystem())
  await assert.rejects(log.append([{ type: 'o', key: 'big', value: 'x'.repeat(STATE_RECORD_BYTES_MAX) }]), {
    code: 'BROOK_ERR_STATE_RECORD_TOO_LARGE',
  })
  assert.equal(log.lastSeq, 0)
  await log.close()
})

test('a damaged snapshot or missing records are corruption, not a torn tail', async () => {
  const fs = new SimFileSystem()
  const { log, state } = await openKeyed(fs)
  await put(log, state, [{ type: 'o', key: 'a', value: 1 }])
  await log.snapshotNow()
  await log.close()
  const names = await fs.list(dir)
  const snapshotName = names.find((n) => n.endsWith('.snapshot'))!
  const data = await fs.readFile(`${dir}/${snapshotName}`)
  data[data.length - 3] ^= 0xff
  await fs.writeFileAtomic(`${dir}/${snapshotName}`, data)
  await assert.rejects(openKeyed(fs), { name: 'CorruptDataError' })

  const gap = new SimFileSystem()
  await gap.mkdir(dir)
  const handle = await gap.open(`${dir}/${stateLogFileName(1)}`, { create: true })
  await handle.write(0, [
    encodeStateFrame({ s: 1, t: 'o', k: 'a', v: 1 }),
    encodeStateFrame({ s: 3, t: 'o', k: 'b', v: 1 }),
  ])
  await handle.sync()
  await handle.close()
  await assert.rejects(openKeyed(gap), { name: 'CorruptDataError', message: /records 2 to 2 are missing/ })
})

test('after a failed write every later append fails', async () => {
  const inner = new SimFileSystem()
  let fail = false
  const fs: FileSystem = {
    ...Object.fromEntries(
      (['mkdir', 'list', 'exists', 'remove', 'rename', 'readFile', 'writeFileAtomic'] as const).map((m) => [
        m,
        (...args: never[]) => (inner[m] as (...a: never[]) => unknown)(...args),
      ]),
    ),
    open: async (path, options) => {
      const handle = await inner.open(path, options)
      return {
        ...handle,
        read: (p, l) => handle.read(p, l),
        size: () => handle.size(),
        truncate: (l) => handle.truncate(l),
        close: () => handle.close(),
        write: (p, b) => handle.write(p, b),
        sync: () => (fail ? Promise.reject(new Error('EIO')) : handle.sync()),
      }
    },
  } as FileSystem
  const { log, state } = await openKeyed(fs)
  await put(log, state, [{ type: 'o', key: 'a', value: 1 }])
  fail = true
  await assert.rejects(put(log, state, [{ type: 'o', key: 'b', value: 1 }]), /EIO/)
  fail = false
  await assert.rejects(put(log, state, [{ type: 'o', key: 'c', value: 1 }]), { code: 'BROOK_ERR_CLOSED' })
  await log.close()
})
