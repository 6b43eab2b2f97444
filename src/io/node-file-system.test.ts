// Runs the FileSystem contract against the real adapter in a temporary directory.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileSystemContract } from './file-system.contract.js'
import { NodeFileSystem } from './node-file-system.js'

fileSystemContract('NodeFileSystem', async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'brook-fs-'))
  return { fs: new NodeFileSystem(), root, cleanup: () => rm(root, { recursive: true, force: true }) }
})
