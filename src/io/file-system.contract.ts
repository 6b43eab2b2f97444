// The contract every FileSystem adapter must meet, as a node:test suite. Called by the tests of
// NodeFileSystem (real disk, temp dir) and SimFileSystem (memory) so both behave the same.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { FileSystem } from '../core/index.js'

/** What a contract run needs: a fresh file system and an existing empty directory inside it. */
export interface FileSystemFixture {
  fs: FileSystem
  root: string
  cleanup(): Promise<void>
}

/** Registers the FileSystem contract tests under `name`; `setup` is called once per test. */
export function fileSystemContract(name: string, setup: () => Promise<FileSystemFixture>): void {
  describe(`FileSystem contract: ${name}`, () => {
    const withFs = (title: string, body: (fs: FileSystem, root: string) => Promise<void>) =>
      test(title, async () => {
        const fixture = await setup()
        try {
          await body(fixture.fs, fixture.root)
        } finally {
          await fixture.cleanup()
        }
      })

    withFs('writes vectors at a position and reads them back', async (fs, root) => {
      const file = await fs.open(`${root}/a.bin`, { create: true })
      await file.write(0, [Buffer.from('hello '), Buffer.from('world')])
      assert.equal(await file.size(), 11)
      assert.equal((await file.read(0, 11)).toString(), 'hello world')
      await file.write(6, [Buffer.from('WORLD!')])
      assert.equal((await file.read(0, 100)).toString(), 'hello WORLD!')
      assert.equal((await file.read(6, 3)).toString(), 'WOR')
      assert.equal((await file.read(50, 10)).length, 0)
      await file.sync()
      await file.close()
    })

    withFs('writes many buffers in one call', async (fs, root) => {
      const file = await fs.open(`${root}/many.bin`, { create: true })
      const parts = Array.from({ length: 2000 }, (_, i) => Buffer.from([i & 0xff, (i >> 8) & 0xff]))
      await file.write(0, parts)
      const back = await file.read(0, 4000)
      assert.deepEqual(back, Buffer.concat(parts))
      await file.close()
    })

    withFs('truncate cuts the file and later writes extend it again', async (fs, root) => {
      const file = await fs.open(`${root}/t.bin`, { create: true })
      await file.write(0, [Buffer.from('0123456789')])
      await file.truncate(4)
      assert.equal(await file.size(), 4)
      assert.equal((await file.read(0, 10)).toString(), '0123')
      await file.write(6, [Buffer.from('xy')])
      assert.deepEqual(await file.read(0, 10), Buffer.from([0x30, 0x31, 0x32, 0x33, 0, 0, 0x78, 0x79]))
      await file.close()
    })

    withFs('open without create fails on a missing file; open keeps existing content', async (fs, root) => {
      await assert.rejects(fs.open(`${root}/missing.bin`), { code: 'BROOK_ERR_NOT_FOUND' })
      const first = await fs.open(`${root}/keep.bin`, { create: true })
      await first.write(0, [Buffer.from('abc')])
      await first.close()
      const again = await fs.open(`${root}/keep.bin`, { create: true })
      assert.equal((await again.read(0, 3)).toString(), 'abc')
      await again.close()
    })

    withFs('mkdir, list, exists and remove', async (fs, root) => {
      await fs.mkdir(`${root}/x/y/z`)
      await fs.mkdir(`${root}/x/y/z`)
      assert.equal(await fs.exists(`${root}/x/y`), true)
      const file = await fs.open(`${root}/x/y/f.txt`, { create: true })
      await file.close()
      assert.deepEqual((await fs.list(`${root}/x/y`)).sort(), ['f.txt', 'z'])
      assert.deepEqual(await fs.list(`${root}/nope`), [])
      await fs.remove(`${root}/x`)
      assert.equal(await fs.exists(`${root}/x`), false)
      assert.equal(await fs.exists(`${root}/x/y/f.txt`), false)
      await fs.remove(`${root}/x`)
    })

    withFs('readFile, writeFileAtomic and rename', async (fs, root) => {
      await assert.rejects(fs.readFile(`${root}/none`), { code: 'BROOK_ERR_NOT_FOUND' })
      await fs.writeFileAtomic(`${root}/c.json`, Buffer.from('{"v":1}'))
      await fs.writeFileAtomic(`${root}/c.json`, Buffer.from('{"v":2}'))
      assert.equal((await fs.readFile(`${root}/c.json`)).toString(), '{"v":2}')
      assert.deepEqual(await fs.list(root), ['c.json'])
      await fs.rename(`${root}/c.json`, `${root}/d.json`)
      assert.equal(await fs.exists(`${root}/c.json`), false)
      assert.equal((await fs.readFile(`${root}/d.json`)).toString(), '{"v":2}')
      await assert.rejects(fs.rename(`${root}/c.json`, `${root}/e.json`), { code: 'BROOK_ERR_NOT_FOUND' })
    })

    withFs('volumeSpace: the volume holding a path, usable within total (#9)', async (fs, root) => {
      const space = await fs.volumeSpace(root)
      assert.ok(Number.isSafeInteger(space.totalBytes) && space.totalBytes > 0, `total ${space.totalBytes}`)
      assert.ok(Number.isSafeInteger(space.usableBytes), `usable ${space.usableBytes}`)
      assert.ok(space.usableBytes >= 0 && space.usableBytes <= space.totalBytes)
      await assert.rejects(fs.volumeSpace(`${root}/none`), { code: 'BROOK_ERR_NOT_FOUND' })
    })

    withFs('a renamed-over file is replaced as a whole', async (fs, root) => {
      const file = await fs.open(`${root}/old`, { create: true })
      await file.write(0, [Buffer.from('old-long-content')])
      await file.close()
      await fs.writeFileAtomic(`${root}/new`, Buffer.from('new'))
      await fs.rename(`${root}/new`, `${root}/old`)
      assert.equal((await fs.readFile(`${root}/old`)).toString(), 'new')
    })
  })
}
