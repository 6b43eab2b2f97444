// The FileSystem port: storage and metadata reach the disk only through it. The real adapter is
// io/NodeFileSystem; testing/SimFileSystem keeps files in memory and can crash, dropping unsynced writes.

/** An open file. Positions and lengths are in bytes. Not safe for overlapping writes to one range. */
export interface FileHandle {
  /** Reads up to `length` bytes at `position` into a new buffer; shorter at end of file. */
  read(position: number, length: number): Promise<Buffer>
  /** Writes all of `buffers`, in order, starting at `position`. */
  write(position: number, buffers: readonly Buffer[]): Promise<void>
  /** Makes every completed write durable (fdatasync). */
  sync(): Promise<void>
  /** Cuts the file to `length` bytes. */
  truncate(length: number): Promise<void>
  /** Current size in bytes, including unsynced writes. */
  size(): Promise<number>
  close(): Promise<void>
}

export interface FileSystem {
  /** Opens `path` for reading and writing, creating it when `create` is set. */
  open(path: string, options?: { create?: boolean }): Promise<FileHandle>
  /** Creates a directory and its parents; no error if it exists. */
  mkdir(path: string): Promise<void>
  /** Names (not paths) of the entries in a directory; empty if it does not exist. */
  list(path: string): Promise<string[]>
  exists(path: string): Promise<boolean>
  /** Removes a file, or a directory recursively; no error if missing. */
  remove(path: string): Promise<void>
  /** Atomically renames; on the real adapter, the parent directory is synced afterwards. */
  rename(from: string, to: string): Promise<void>
  /** Reads a whole file. Throws a BrookError with code BROOK_ERR_NOT_FOUND if it does not exist. */
  readFile(path: string): Promise<Buffer>
  /** Writes a whole file durably and atomically (write to a temporary name, sync, rename, sync dir). */
  writeFileAtomic(path: string, data: Buffer): Promise<void>
  /**
   * The volume holding `path` (statfs): its size in bytes and the bytes an unprivileged process may still
   * write there. Throws FileNotFoundError if `path` does not exist.
   */
  volumeSpace(path: string): Promise<VolumeSpace>
}

/** Sizes of a file system volume, in bytes (DescribeLogDirs' TotalBytes and UsableBytes). */
export interface VolumeSpace {
  totalBytes: number
  usableBytes: number
}
