// Hands out producer ids for InitProducerId. Ids must never repeat across restarts, or a new producer
// would collide with sequence state an old one left in the logs; so ids are reserved in blocks whose
// upper end is written durably before any id of the block is given out.
import type { FileSystem } from '../core/index.js'

const BLOCK_SIZE = 1000
const FILE_NAME = 'producer-ids.json'

export class ProducerIdAllocator {
  private readonly fs: FileSystem
  private readonly path: string
  private next: number
  private blockEnd: number
  private reserving: Promise<void> | undefined

  private constructor(fs: FileSystem, path: string, next: number) {
    this.fs = fs
    this.path = path
    this.next = next
    this.blockEnd = next
  }

  /** Opens the allocator stored in `dir`; ids continue after every block reserved before. */
  static async open(fs: FileSystem, dir: string): Promise<ProducerIdAllocator> {
    const path = `${dir}/${FILE_NAME}`
    let next = 0
    if (await fs.exists(path)) {
      const stored = JSON.parse((await fs.readFile(path)).toString('utf8')) as { blockEnd: number }
      next = stored.blockEnd
    }
    return new ProducerIdAllocator(fs, path, next)
  }

  /** The next unused producer id, durable before it is returned. */
  async allocate(): Promise<number> {
    while (this.next >= this.blockEnd) {
      if (this.reserving === undefined) {
        const end = this.blockEnd + BLOCK_SIZE
        this.reserving = this.fs
          .writeFileAtomic(this.path, Buffer.from(JSON.stringify({ blockEnd: end })))
          .then(() => {
            this.blockEnd = end
          })
          .finally(() => {
            this.reserving = undefined
          })
      }
      await this.reserving
    }
    return this.next++
  }
}
