// A budget of open segment files shared by every partition log of a LogManager: files are opened on
// demand, kept open while recently used, and the least recently used idle one is closed when the budget
// is reached, so the number of partitions and segments never decides the number of file descriptors.
import type { FileHandle, FileSystem } from '../core/index.js'

/** Default of LogManagerOptions.maxOpenFiles (`max-open-segment-files`). */
export const defaultMaxOpenFiles = 1000

interface Entry {
  path: string
  handle: FileHandle | undefined
  opening: Promise<FileHandle> | undefined
  users: number
  /** Close once the last user is done (the file is being deleted or the log closed). */
  retiring: (() => void) | undefined
}

/**
 * Open files by path, at most `maxOpenFiles` at a time. A file in use (inside `use`) is never closed;
 * when every open file is in use, a new `use` waits for one to be released. Each caller holds at most
 * one file at a time, so waiting cannot deadlock.
 */
export class FilePool {
  readonly maxOpenFiles: number
  readonly #fs: FileSystem
  /** Least recently used first. */
  readonly #entries = new Map<string, Entry>()
  #open = 0
  #waiting: (() => void)[] = []
  /** Files opened since the pool was made, for tests and metrics. */
  opens = 0

  constructor(fs: FileSystem, maxOpenFiles: number = defaultMaxOpenFiles) {
    if (!Number.isInteger(maxOpenFiles) || maxOpenFiles < 1)
      throw new RangeError(`maxOpenFiles must be a positive integer, got ${maxOpenFiles}`)
    this.#fs = fs
    this.maxOpenFiles = maxOpenFiles
  }

  /** Descriptors open (or being opened or closed) now. */
  get openCount(): number {
    return this.#open
  }

  /** Runs `fn` with the file at `path` open, opening it within the budget if needed (creating it if asked). */
  async use<T>(path: string, fn: (handle: FileHandle) => Promise<T>, create = false): Promise<T> {
    let entry = this.#entries.get(path)
    if (entry !== undefined && entry.retiring === undefined) {
      this.#entries.delete(path)
      this.#entries.set(path, entry)
    } else {
      entry = { path, handle: undefined, opening: undefined, users: 0, retiring: undefined }
      this.#entries.set(path, entry)
    }
    entry.users++
    try {
      const handle = entry.handle ?? (await this.#openEntry(entry, create))
      return await fn(handle)
    } finally {
      entry.users--
      if (entry.users === 0) this.#released(entry)
    }
  }

  /** Closes the file at `path` once no caller uses it; the next `use` reopens it. */
  async close(path: string): Promise<void> {
    const entry = this.#entries.get(path)
    if (entry === undefined) return
    this.#entries.delete(path)
    if (entry.users > 0) {
      await new Promise<void>((resolve) => {
        entry.retiring = resolve
      })
      return
    }
    await this.#closeEntry(entry)
  }

  async #openEntry(entry: Entry, create: boolean): Promise<FileHandle> {
    if (entry.opening === undefined) {
      entry.opening = (async () => {
        while (this.#open >= this.maxOpenFiles) {
          const idle = this.#oldestIdle()
          if (idle !== undefined) {
            this.#entries.delete(idle.path)
            await this.#closeEntry(idle)
          } else await new Promise<void>((resolve) => this.#waiting.push(resolve))
        }
        this.#open++
        try {
          const handle = await this.#fs.open(entry.path, { create })
          this.opens++
          entry.handle = handle
          return handle
        } catch (error) {
          this.#open--
          this.#wakeOne()
          if (this.#entries.get(entry.path) === entry && entry.users <= 1) this.#entries.delete(entry.path)
          throw error
        } finally {
          entry.opening = undefined
        }
      })()
    }
    return entry.opening
  }

  #oldestIdle(): Entry | undefined {
    for (const entry of this.#entries.values())
      if (entry.users === 0 && entry.handle !== undefined && entry.opening === undefined) return entry
    return undefined
  }

  #released(entry: Entry): void {
    if (entry.retiring !== undefined) {
      const done = entry.retiring
      void this.#closeEntry(entry).finally(done)
      return
    }
    if (entry.handle === undefined && this.#entries.get(entry.path) === entry)
      this.#entries.delete(entry.path)
    this.#wakeOne()
  }

  async #closeEntry(entry: Entry): Promise<void> {
    const handle = entry.handle
    entry.handle = undefined
    if (handle === undefined) return
    try {
      await handle.close()
    } catch {
      // Closing a descriptor only fails when it is already unusable; the slot is free either way.
    } finally {
      this.#open--
      this.#wakeOne()
    }
  }

  #wakeOne(): void {
    const next = this.#waiting.shift()
    next?.()
  }
}
