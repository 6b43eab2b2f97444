// An in-memory FileSystem for tests and simulations. File contents and directory entries each have a
// durable state and a current state; crash() keeps only what was durable (plus, at random, some of the
// unsynced writes, possibly torn) and returns a fresh view, as a restarted process would see the disk.
import path from 'node:path'
import {
  ClosedError,
  FileExistsError,
  FileNotFoundError,
  SimulatedCrashError,
  type FileHandle,
  type FileSystem,
  type VolumeSpace,
} from '../core/index.js'
import { SeededRandom } from './seeded-random.js'

/** How a crash treats unsynced writes. */
export interface CrashOptions {
  /**
   * Keep a random prefix of each file's unsynced writes, as if the OS had written some back before the
   * crash (default true). When false every unsynced write is lost.
   */
  keepRandomPrefix?: boolean
  /** Probability that the first lost write is torn, leaving a random prefix of its bytes (default 0.5). */
  tearProbability?: number
  /**
   * A crash of the process only (kill -9), not of the machine: every completed write survives in the
   * OS's page cache, synced or not. Default false (power loss).
   */
  processOnly?: boolean
}

type UndoEntry = {
  /** Write position, or the new length for a truncate. */
  position: number
  /** Bytes the write put down (empty for a truncate); a torn write keeps a prefix of them. */
  written: Buffer
  /** Length and bytes before the operation, to roll it back. */
  oldLength: number
  oldBytes: Buffer
  oldBytesAt: number
}

class Inode {
  data = Buffer.alloc(0)
  length = 0
  /** Operations since the last sync, oldest first. */
  undo: UndoEntry[] = []

  setLength(length: number): void {
    if (length > this.data.length) {
      const grown = Buffer.alloc(Math.max(length, this.data.length * 2, 4096))
      this.data.copy(grown, 0, 0, this.length)
      this.data = grown
    } else if (length < this.length) {
      this.data.fill(0, length, this.length)
    }
    this.length = length
  }

  write(position: number, bytes: Buffer, record: boolean): void {
    if (record) {
      const oldBytesAt = Math.min(position, this.length)
      const oldEnd = Math.min(position + bytes.length, this.length)
      this.undo.push({
        position,
        written: bytes,
        oldLength: this.length,
        oldBytes: Buffer.from(this.data.subarray(oldBytesAt, Math.max(oldBytesAt, oldEnd))),
        oldBytesAt,
      })
    }
    if (position + bytes.length > this.length) this.setLength(position + bytes.length)
    bytes.copy(this.data, position)
  }

  truncate(length: number): void {
    const oldBytesAt = Math.min(length, this.length)
    this.undo.push({
      position: length,
      written: Buffer.alloc(0),
      oldLength: this.length,
      oldBytes: Buffer.from(this.data.subarray(oldBytesAt, this.length)),
      oldBytesAt,
    })
    this.setLength(length)
  }

  rollBack(entry: UndoEntry): void {
    this.setLength(Math.max(this.length, entry.oldLength))
    entry.oldBytes.copy(this.data, entry.oldBytesAt)
    this.setLength(entry.oldLength)
  }

  crash(random: SeededRandom, options: CrashOptions): void {
    const entries = this.undo
    this.undo = []
    if (entries.length === 0 || options.processOnly === true) return
    const kept = options.keepRandomPrefix === false ? 0 : random.int(entries.length + 1)
    for (let i = entries.length - 1; i >= kept; i--) this.rollBack(entries[i])
    const first = entries[kept]
    if (first !== undefined && first.written.length > 1 && random.chance(options.tearProbability ?? 0.5)) {
      this.write(first.position, first.written.subarray(0, random.int(first.written.length)), false)
    }
  }
}

/** The shared disk behind successive SimFileSystem views. */
/** The size of a simulated volume unless a test sets one: 1 TiB. */
export const SIM_VOLUME_BYTES_DEFAULT = 2 ** 40

class SimDisk {
  files = new Map<string, Inode>()
  durableFiles = new Map<string, Inode>()
  dirs = new Set<string>(['/'])
  durableDirs = new Set<string>(['/'])

  /** Makes the entries of `dir` durable, as an fsync of the directory does. */
  syncDirectory(dir: string): void {
    const inside = (p: string) => path.posix.dirname(p) === dir
    for (const name of [...this.durableFiles.keys()]) {
      if (inside(name) && this.files.get(name) !== this.durableFiles.get(name)) this.durableFiles.delete(name)
    }
    for (const [name, inode] of this.files) if (inside(name)) this.durableFiles.set(name, inode)
    for (const d of [...this.durableDirs]) {
      if (d !== '/' && inside(d) && !this.dirs.has(d)) this.#dropDurableTree(d)
    }
    for (const d of this.dirs) if (d !== '/' && inside(d)) this.durableDirs.add(d)
  }

  #dropDurableTree(dir: string): void {
    const prefix = `${dir}/`
    this.durableDirs.delete(dir)
    for (const d of [...this.durableDirs]) if (d.startsWith(prefix)) this.durableDirs.delete(d)
    for (const f of [...this.durableFiles.keys()]) if (f.startsWith(prefix)) this.durableFiles.delete(f)
  }
}

function normalize(target: string): string {
  const resolved = path.posix.resolve('/', target)
  return resolved
}

function notFound(target: string): FileNotFoundError {
  return new FileNotFoundError(`no such file or directory: ${target}`)
}

function crashed(): SimulatedCrashError {
  return new SimulatedCrashError()
}

class SimFileHandle implements FileHandle {
  readonly #view: SimFileSystem
  readonly #inode: Inode
  #closed = false

  constructor(view: SimFileSystem, inode: Inode) {
    this.#view = view
    this.#inode = inode
  }

  #check(): void {
    if (!this.#view.alive) throw crashed()
    if (this.#closed) throw new ClosedError('file handle is closed')
  }

  async read(position: number, length: number): Promise<Buffer> {
    this.#check()
    const end = Math.min(position + length, this.#inode.length)
    const result = Buffer.from(this.#inode.data.subarray(Math.min(position, end), end))
    await this.#view.tick()
    return result
  }

  async write(position: number, buffers: readonly Buffer[]): Promise<void> {
    this.#check()
    // One vectored write is one operation, so a crash may tear it anywhere.
    this.#inode.write(position, Buffer.concat(buffers as Buffer[]), true)
    this.#view.stats.writes++
    await this.#view.tick()
    this.#check()
  }

  async sync(): Promise<void> {
    this.#check()
    // A test may cut the power right before a chosen sync (it calls crash() from here).
    this.#view.beforeSync?.()
    this.#check()
    this.#inode.undo = []
    this.#view.stats.syncs++
    await this.#view.tick()
    this.#check()
  }

  async truncate(length: number): Promise<void> {
    this.#check()
    this.#inode.truncate(length)
    await this.#view.tick()
  }

  async size(): Promise<number> {
    this.#check()
    return this.#inode.length
  }

  async close(): Promise<void> {
    this.#closed = true
  }
}

/**
 * In-memory FileSystem. Namespace changes (create, rename, remove, mkdir) become durable when the call
 * completes, because the real adapter fsyncs the directory before returning; file bytes become durable
 * only through `FileHandle.sync`. After `crash()` this view and all its handles throw BROOK_ERR_CRASHED.
 */
export class SimFileSystem implements FileSystem {
  #disk: SimDisk
  readonly #random: SeededRandom
  #alive = true
  /** Counters for tests: vectored writes and syncs issued through this view. */
  readonly stats = { writes: 0, syncs: 0 }
  /**
   * Called at the start of every file sync on this view, before it takes effect; a simulation sets it to
   * crash at the n-th sync, so that the cut lands between any two durable steps.
   */
  beforeSync: (() => void) | undefined

  /** The simulated volume's size in bytes; what files hold is not usable (volumeSpace). */
  readonly volumeBytes: number

  constructor(options?: { seed?: number; random?: SeededRandom; volumeBytes?: number }) {
    this.#disk = new SimDisk()
    this.volumeBytes = options?.volumeBytes ?? SIM_VOLUME_BYTES_DEFAULT
    this.#random = options?.random ?? new SeededRandom(options?.seed ?? 1)
  }

  /** False once this view has crashed. */
  get alive(): boolean {
    return this.#alive
  }

  /** Yields once to the microtask queue, so callers interleave as they would around real I/O. */
  async tick(): Promise<void> {
    await Promise.resolve()
  }

  /**
   * Simulates power loss: unsynced writes are dropped (a random prefix may survive, the first lost one
   * possibly torn), namespace changes not yet made durable are undone, and this view dies. Returns the
   * view a restarted process would get.
   */
  crash(options: CrashOptions = {}): SimFileSystem {
    this.#alive = false
    const disk = this.#disk
    for (const inode of new Set([...disk.files.values(), ...disk.durableFiles.values()]))
      inode.crash(this.#random, options)
    disk.files = new Map(disk.durableFiles)
    disk.dirs = new Set(disk.durableDirs)
    const next = new SimFileSystem({ random: this.#random })
    next.#disk = disk
    return next
  }

  #check(): void {
    if (!this.#alive) throw crashed()
  }

  async #settle(dir: string): Promise<void> {
    await this.tick()
    this.#check()
    this.#disk.syncDirectory(dir)
  }

  async open(target: string, options?: { create?: boolean }): Promise<FileHandle> {
    this.#check()
    const name = normalize(target)
    const disk = this.#disk
    let inode = disk.files.get(name)
    if (inode === undefined) {
      if (!options?.create || !disk.dirs.has(path.posix.dirname(name)) || disk.dirs.has(name))
        throw notFound(name)
      inode = new Inode()
      disk.files.set(name, inode)
      await this.#settle(path.posix.dirname(name))
    } else {
      await this.tick()
      this.#check()
    }
    return new SimFileHandle(this, inode)
  }

  async mkdir(target: string): Promise<void> {
    this.#check()
    const name = normalize(target)
    const disk = this.#disk
    if (disk.files.has(name)) throw new FileExistsError(`a file exists at ${name}`)
    const created: string[] = []
    for (let dir = name; !disk.dirs.has(dir); dir = path.posix.dirname(dir)) created.push(dir)
    for (const dir of created.reverse()) disk.dirs.add(dir)
    for (const dir of created) await this.#settle(path.posix.dirname(dir))
  }

  async list(target: string): Promise<string[]> {
    this.#check()
    const name = normalize(target)
    const disk = this.#disk
    if (!disk.dirs.has(name)) return []
    const names: string[] = []
    for (const p of disk.files.keys()) if (path.posix.dirname(p) === name) names.push(path.posix.basename(p))
    for (const d of disk.dirs)
      if (d !== '/' && path.posix.dirname(d) === name) names.push(path.posix.basename(d))
    await this.tick()
    return names.sort()
  }

  async exists(target: string): Promise<boolean> {
    this.#check()
    const name = normalize(target)
    return this.#disk.files.has(name) || this.#disk.dirs.has(name)
  }

  async remove(target: string): Promise<void> {
    this.#check()
    const name = normalize(target)
    const disk = this.#disk
    if (disk.files.delete(name)) return this.#settle(path.posix.dirname(name))
    if (!disk.dirs.has(name) || name === '/') return
    const prefix = `${name}/`
    for (const f of [...disk.files.keys()]) if (f.startsWith(prefix)) disk.files.delete(f)
    for (const d of [...disk.dirs]) if (d === name || d.startsWith(prefix)) disk.dirs.delete(d)
    await this.#settle(path.posix.dirname(name))
  }

  async rename(from: string, to: string): Promise<void> {
    this.#check()
    const source = normalize(from)
    const destination = normalize(to)
    const disk = this.#disk
    const inode = disk.files.get(source)
    if (inode === undefined) throw notFound(source)
    if (!disk.dirs.has(path.posix.dirname(destination))) throw notFound(destination)
    disk.files.delete(source)
    disk.files.set(destination, inode)
    await this.#settle(path.posix.dirname(destination))
    if (path.posix.dirname(source) !== path.posix.dirname(destination))
      disk.syncDirectory(path.posix.dirname(source))
  }

  async volumeSpace(target: string): Promise<VolumeSpace> {
    this.#check()
    const name = normalize(target)
    if (!this.#disk.files.has(name) && !this.#disk.dirs.has(name)) throw notFound(name)
    let used = 0
    for (const inode of this.#disk.files.values()) used += inode.length
    await this.tick()
    return { totalBytes: this.volumeBytes, usableBytes: Math.max(0, this.volumeBytes - used) }
  }

  async readFile(target: string): Promise<Buffer> {
    this.#check()
    const name = normalize(target)
    const inode = this.#disk.files.get(name)
    if (inode === undefined) throw notFound(name)
    const result = Buffer.from(inode.data.subarray(0, inode.length))
    await this.tick()
    return result
  }

  async writeFileAtomic(target: string, data: Buffer): Promise<void> {
    this.#check()
    const name = normalize(target)
    if (!this.#disk.dirs.has(path.posix.dirname(name))) throw notFound(name)
    // The temporary file is written and synced before the rename, so the new inode is durable already.
    const inode = new Inode()
    inode.write(0, Buffer.from(data), false)
    await this.tick()
    this.#check()
    this.#disk.files.set(name, inode)
    await this.#settle(path.posix.dirname(name))
  }
}
