// A broker-wide limit on the bytes the partition logs keep in their in-memory tails (each log also has
// its own maxTailBytes). Over the limit, the log with the largest tail gives up its oldest batches first:
// they are on disk already, and hot partitions keep a share of memory without starving the rest.

/** What the budget needs from a log. */
export interface TailOwner {
  /** Bytes in the log's in-memory tail. */
  readonly tailBytes: number
  /** Drops the oldest written tail batches until the tail holds at most `targetBytes`; returns bytes freed. */
  evictTail(targetBytes: number): number
}

/** Shared by every log of a LogManager; `limitBytes` < 0 means no limit. */
export class TailBudget {
  readonly limitBytes: number
  readonly #owners = new Set<TailOwner>()
  #usedBytes = 0

  constructor(limitBytes: number) {
    this.limitBytes = limitBytes
  }

  /** Bytes currently held in tails across the registered logs. */
  get usedBytes(): number {
    return this.#usedBytes
  }

  register(owner: TailOwner): void {
    this.#owners.add(owner)
  }

  /** Forgets a log (closed or deleted); its tail bytes must have been released before. */
  unregister(owner: TailOwner): void {
    this.#owners.delete(owner)
  }

  /** A log's tail grew (positive) or shrank (negative) by `deltaBytes`. */
  change(deltaBytes: number): void {
    this.#usedBytes += deltaBytes
  }

  /**
   * While over the limit, shrinks the largest tail. Frees down to 7/8 of the limit, so that the scan over
   * the logs runs once per limit/8 bytes appended, not once per batch.
   */
  enforce(): void {
    if (this.limitBytes < 0 || this.#usedBytes <= this.limitBytes) return
    const goalBytes = this.limitBytes - (this.limitBytes >> 3)
    while (this.#usedBytes > goalBytes) {
      let largest: TailOwner | undefined
      let secondBytes = 0
      for (const owner of this.#owners) {
        if (largest === undefined || owner.tailBytes > largest.tailBytes) {
          if (largest !== undefined) secondBytes = Math.max(secondBytes, largest.tailBytes)
          largest = owner
        } else secondBytes = Math.max(secondBytes, owner.tailBytes)
      }
      if (largest === undefined || largest.tailBytes === 0) return
      const excessBytes = this.#usedBytes - goalBytes
      // Down to the next largest tail (or by the excess, whichever frees less), then look again.
      const targetBytes = Math.max(secondBytes, largest.tailBytes - excessBytes, 0)
      const freedBytes = largest.evictTail(
        targetBytes === largest.tailBytes ? Math.max(0, targetBytes - 1) : targetBytes,
      )
      // The owner reports the freed bytes through change(); nothing freed means only unwritten batches.
      if (freedBytes === 0) return
    }
  }
}
