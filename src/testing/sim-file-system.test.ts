// SimFileSystem: the shared FileSystem contract, plus what only the simulation does (crash semantics).
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { fileSystemContract } from '../io/file-system.contract.js'
import { SimFileSystem } from './sim-file-system.js'

fileSystemContract('SimFileSystem', async () => {
  const fs = new SimFileSystem({ seed: 7 })
  await fs.mkdir('/root')
  return { fs, root: '/root', cleanup: async () => {} }
})

test('crash keeps synced bytes and drops unsynced ones', async () => {
  const fs = new SimFileSystem({ seed: 1 })
  await fs.mkdir('/d')
  const file = await fs.open('/d/f', { create: true })
  await file.write(0, [Buffer.from('durable')])
  await file.sync()
  await file.write(7, [Buffer.from('-lost')])
  const after = fs.crash({ keepRandomPrefix: false, tearProbability: 0 })
  assert.equal((await after.readFile('/d/f')).toString(), 'durable')
  await assert.rejects(file.read(0, 1), { code: 'BROOK_ERR_CRASHED' })
  await assert.rejects(fs.list('/d'), { code: 'BROOK_ERR_CRASHED' })
})

test('a torn write leaves a strict prefix of the lost write', async () => {
  let torn = 0
  for (let seed = 1; seed <= 50; seed++) {
    const fs = new SimFileSystem({ seed })
    await fs.mkdir('/d')
    const file = await fs.open('/d/f', { create: true })
    await file.write(0, [Buffer.from('base')])
    await file.sync()
    await file.write(4, [Buffer.from('abcdefgh')])
    const after = fs.crash({ keepRandomPrefix: false, tearProbability: 1 })
    const text = (await after.readFile('/d/f')).toString()
    assert.ok(text.startsWith('base') && 'abcdefgh'.startsWith(text.slice(4)) && text.length < 12, text)
    if (text.length > 4) torn++
  }
  assert.ok(torn > 0)
})

test('a random prefix of unsynced writes may survive, in order', async () => {
  const outcomes = new Set<string>()
  for (let seed = 1; seed <= 40; seed++) {
    const fs = new SimFileSystem({ seed })
    await fs.mkdir('/d')
    const file = await fs.open('/d/f', { create: true })
    for (const part of ['a', 'b', 'c']) await file.write(await file.size(), [Buffer.from(part)])
    const after = fs.crash({ tearProbability: 0 })
    const text = (await after.readFile('/d/f')).toString()
    assert.ok('abc'.startsWith(text))
    outcomes.add(text)
  }
  assert.ok(outcomes.size >= 3, [...outcomes].join(','))
})

test('truncates roll back on crash unless synced', async () => {
  const fs = new SimFileSystem({ seed: 3 })
  await fs.mkdir('/d')
  const file = await fs.open('/d/f', { create: true })
  await file.write(0, [Buffer.from('0123456789')])
  await file.sync()
  await file.truncate(3)
  await file.write(3, [Buffer.from('X')])
  const after = fs.crash({ keepRandomPrefix: false })
  assert.equal((await after.readFile('/d/f')).toString(), '0123456789')
})

test('namespace changes are durable once the call completes, not before', async () => {
  const fs = new SimFileSystem({ seed: 5 })
  await fs.mkdir('/d')
  await fs.writeFileAtomic('/d/kept', Buffer.from('1'))
  const pending = fs.writeFileAtomic('/d/lost', Buffer.from('2'))
  const after = fs.crash()
  await assert.rejects(pending, { code: 'BROOK_ERR_CRASHED' })
  assert.deepEqual(await after.list('/d'), ['kept'])
  // A removal that completed stays removed; a file created and never synced survives empty.
  await after.remove('/d/kept')
  const file = await after.open('/d/new', { create: true })
  await file.write(0, [Buffer.from('unsynced')])
  const third = after.crash({ keepRandomPrefix: false })
  assert.deepEqual(await third.list('/d'), ['new'])
  assert.equal((await third.readFile('/d/new')).length, 0)
})
