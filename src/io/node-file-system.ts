// The real FileSystem adapter over node:fs/promises. Every namespace change (create, rename, remove,
// mkdir) is followed by an fsync of the parent directory, so a completed call survives a power loss.
import { constants, fdatasync, read as fsRead, writev as fsWritev, promises as fsp } from 'node:fs'
import path from 'node:path'
import { FileNotFoundError, type FileHandle, type FileSystem, type VolumeSpace } from '../core/index.js'

const openExisting = constants.O_RDWR
const openExclusive = constants.O_RDWR | constants.O_CREAT | constants.O_EXCL

let temporaryCounter = 0

function notFound(target: string, cause: unknown): FileNotFoundError {
  return new FileNotFoundError(`no such file or directory: ${target}`, { cause })
}

function isCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: string }).code === code
}

/** Fsyncs a directory so that entries created, renamed or removed in it are durable. */
async function syncDirectory(directory: string): Promise<void> {
  const handle = await fsp.open(directory, constants.O_RDONLY)
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/**
 * A file handle over the raw descriptor with callback-style node:fs calls: the promise API's FileHandle
 * costs several times more main-thread time per call, which showed in profiles of the write path.
 */
class NodeFileHandle implements FileHandle {
  readonly #handle: fsp.FileHandle
  readonly #fd: number

  constructor(handle: fsp.FileHandle) {
    this.#handle = handle
    this.#fd = handle.fd
  }

  async read(position: number, length: number): Promise<Buffer> {
    const buffer = Buffer.allocUnsafe(length)
    let filled = 0
    while (filled < length) {
      const bytesRead = await readAt(this.#fd, buffer, filled, length - filled, position + filled)
      if (bytesRead === 0) break
      filled += bytesRead
    }
    return filled === length ? buffer : buffer.subarray(0, filled)
  }

  async write(position: number, buffers: readonly Buffer[]): Promise<void> {
    let pending = buffers.filter((b) => b.length > 0)
    let at = position
    // writev may write less than asked (signals, very large vectors): continue from where it stopped.
    while (pending.length > 0) {
      const bytesWritten = await writevAt(this.#fd, pending, at)
      at += bytesWritten
      let skipped = bytesWritten
      let index = 0
      while (index < pending.length && skipped >= pending[index].length) skipped -= pending[index++].length
      pending = pending.slice(index)
      if (pending.length > 0 && skipped > 0) pending[0] = pending[0].subarray(skipped)
    }
  }

  sync(): Promise<void> {
    return new Promise((resolve, reject) => {
      fdatasync(this.#fd, (error) => (error ? reject(error) : resolve()))
    })
  }

  async truncate(length: number): Promise<void> {
    await this.#handle.truncate(length)
  }

  async size(): Promise<number> {
    return (await this.#handle.stat()).size
  }

  async close(): Promise<void> {
    await this.#handle.close()
  }
}

function readAt(
  fd: number,
  buffer: Buffer,
  offset: number,
  length: number,
  position: number,
): Promise<number> {
  return new Promise((resolve, reject) => {
    fsRead(fd, buffer, offset, length, position, (error, bytesRead) =>
      error ? reject(error) : resolve(bytesRead),
    )
  })
}

function writevAt(fd: number, buffers: Buffer[], position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    fsWritev(fd, buffers, position, (error, bytesWritten) => (error ? reject(error) : resolve(bytesWritten)))
  })
}

/** FileSystem over the local disk. Paths are used as given (absolute paths recommended). */
export class NodeFileSystem implements FileSystem {
  async open(target: string, options?: { create?: boolean }): Promise<FileHandle> {
    if (options?.create) {
      try {
        const handle = await fsp.open(target, openExclusive, 0o644)
        await syncDirectory(path.dirname(target))
        return new NodeFileHandle(handle)
      } catch (error) {
        if (!isCode(error, 'EEXIST')) throw isCode(error, 'ENOENT') ? notFound(target, error) : error
      }
    }
    try {
      return new NodeFileHandle(await fsp.open(target, openExisting))
    } catch (error) {
      throw isCode(error, 'ENOENT') ? notFound(target, error) : error
    }
  }

  async mkdir(target: string): Promise<void> {
    const first = await fsp.mkdir(target, { recursive: true })
    if (first === undefined) return
    // Sync the parent of every directory that was created, outermost first.
    const created: string[] = []
    for (let dir = path.resolve(target); ; dir = path.dirname(dir)) {
      created.push(dir)
      if (dir === path.resolve(first) || dir === path.dirname(dir)) break
    }
    for (const dir of created.reverse()) await syncDirectory(path.dirname(dir))
  }

  async list(target: string): Promise<string[]> {
    try {
      return await fsp.readdir(target)
    } catch (error) {
      if (isCode(error, 'ENOENT')) return []
      throw error
    }
  }

  async exists(target: string): Promise<boolean> {
    try {
      await fsp.stat(target)
      return true
    } catch (error) {
      if (isCode(error, 'ENOENT')) return false
      throw error
    }
  }

  async remove(target: string): Promise<void> {
    if (!(await this.exists(target))) return
    await fsp.rm(target, { recursive: true, force: true })
    await syncDirectory(path.dirname(target))
  }

  async rename(from: string, to: string): Promise<void> {
    try {
      await fsp.rename(from, to)
    } catch (error) {
      throw isCode(error, 'ENOENT') ? notFound(from, error) : error
    }
    await syncDirectory(path.dirname(to))
    if (path.dirname(from) !== path.dirname(to)) await syncDirectory(path.dirname(from))
  }

  async readFile(target: string): Promise<Buffer> {
    try {
      return await fsp.readFile(target)
    } catch (error) {
      throw isCode(error, 'ENOENT') ? notFound(target, error) : error
    }
  }

  async writeFileAtomic(target: string, data: Buffer): Promise<void> {
    const temporary = `${target}.${process.pid}-${++temporaryCounter}.tmp`
    const handle = await fsp.open(temporary, 'w', 0o644)
    try {
      await handle.writeFile(data)
      await handle.sync()
    } finally {
      await handle.close()
    }
    try {
      await fsp.rename(temporary, target)
    } catch (error) {
      await fsp.rm(temporary, { force: true })
      throw error
    }
    await syncDirectory(path.dirname(target))
  }

  async volumeSpace(target: string): Promise<VolumeSpace> {
    try {
      const stats = await fsp.statfs(target)
      // bavail, not bfree: the blocks reserved for root are not usable by the broker (as Java's getUsableSpace).
      return {
        totalBytes: Math.min(stats.blocks * stats.bsize, Number.MAX_SAFE_INTEGER),
        usableBytes: Math.min(stats.bavail * stats.bsize, Number.MAX_SAFE_INTEGER),
      }
    } catch (error) {
      throw isCode(error, 'ENOENT') ? notFound(target, error) : error
    }
  }
}
