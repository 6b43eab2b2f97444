// A share-state sink in memory for tests and simulations: records are durable only after `sync()`, and
// `crash()` keeps the synced records plus a prefix of the unsynced ones (a torn write loses the rest).
import type { ShareStateRecord, ShareStateSink } from '../share-partitions/index.js'
import { ShareStateReplay } from '../share-partitions/index.js'
import type { SeededRandom } from './seeded-random.js'

/** In-memory ShareStateSink with explicit syncs and crashes. */
export class SimShareStateSink implements ShareStateSink {
  #records: ShareStateRecord[] = []
  #syncedCount = 0
  #waiting: { count: number; resolve: () => void }[] = []
  /** When true every append is synced at once (no crash testing). */
  autoSync = false

  /** Number of records appended so far (the sequence number of the next one). */
  get appendedCount(): number {
    return this.#records.length
  }

  /** Number of records synced. */
  get syncedCount(): number {
    return this.#syncedCount
  }

  append(record: ShareStateRecord): Promise<void> {
    // A deep copy: what is stored must not change when the caller's objects do.
    this.#records.push(structuredClone(record))
    const count = this.#records.length
    if (this.autoSync) {
      this.#syncedCount = count
      return Promise.resolve()
    }
    return new Promise((resolve) => this.#waiting.push({ count, resolve }))
  }

  /** Makes every appended record durable and resolves their promises. */
  sync(): void {
    this.#syncedCount = this.#records.length
    const ready = this.#waiting
    this.#waiting = []
    for (const waiter of ready) waiter.resolve()
  }

  /**
   * Loses unsynced records: with `random`, a random prefix of them survives (the OS may have written
   * some), otherwise none. Pending promises never resolve.
   */
  crash(random?: SeededRandom): void {
    const unsynced = this.#records.length - this.#syncedCount
    const kept = random === undefined ? 0 : random.int(unsynced + 1)
    this.#records.length = this.#syncedCount + kept
    this.#syncedCount = this.#records.length
    this.#waiting = []
  }

  /** The stored records folded into durable partition states. */
  replay(): ShareStateReplay {
    const replay = new ShareStateReplay()
    for (const record of this.#records) replay.apply(record)
    return replay
  }
}
